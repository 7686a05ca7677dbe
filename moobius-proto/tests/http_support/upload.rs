//! Local files where a URL is expected are uploaded first, by the operation
//! that uploads in this crate: [`Session::upload`] (the two steps
//! `GET /file/upload` and the presigned `POST`). A session is signed in with
//! the case's account (its sign-in answered here, not counted as a request
//! of the case), then asked to upload; every request it makes is checked
//! against the case's next recorded one and answered with its response.

use super::case::Case;
use bytes::Bytes;
use moobius_proto::http::{ApiError, BaseUri};
use moobius_proto::session::{Event, OpError, OpOutput, Output, Role, Session, SessionConfig};
use moobius_proto::Password;
use std::time::Instant;

/// A signed-in session standing in for the caller that uploads.
pub(crate) struct Uploader {
    session: Session,
    now: Instant,
}

impl Uploader {
    pub(crate) fn new(case: &Case) -> Result<Self, String> {
        let base = BaseUri::parse(case.setup_str("http_server_uri")?).map_err(|e| e.to_string())?;
        let mut cfg = SessionConfig::new(
            case.setup_str("email")?,
            Password::new(case.setup_str("password")?),
            base,
            "ws://127.0.0.1:9/ws",
            Role::user(vec![]),
        );
        cfg.http_retries = 0;
        let now = Instant::now();
        let mut session = Session::new(cfg, now, [7; 32]);
        let token = case.setup_str("access_token").unwrap_or("<access_token>");
        let body = format!(
            r#"{{"code":10000,"data":{{"AuthenticationResult":{{"AccessToken":"{token}","RefreshToken":"<refresh_token>"}}}}}}"#
        );
        let mut signed_in = false;
        while let Some(out) = session.poll_output() {
            if let Output::Http { id, request } = out {
                if !signed_in && request.uri().path().ends_with("/auth/sign_in") {
                    signed_in = true;
                    session.handle_http_response(
                        now,
                        id,
                        Ok(http::Response::new(Bytes::from(body.clone()))),
                    );
                }
                // Anything else the session starts with (user info, …) stays
                // unanswered: it is not part of the case.
            }
        }
        if !signed_in {
            return Err("the session never signed in".into());
        }
        Ok(Self { session, now })
    }

    /// Uploads `bytes` as `file_name`; `answer` checks each request against
    /// the case and gives the recorded response. The outcome is the URL or
    /// the platform's error.
    pub(crate) fn upload(
        &mut self,
        file_name: &str,
        bytes: Bytes,
        mut answer: impl FnMut(&http::Request<Bytes>) -> Result<http::Response<Bytes>, String>,
    ) -> Result<Result<String, ApiError>, String> {
        let op = self
            .session
            .upload(self.now, file_name, bytes)
            .map_err(|e| format!("upload refused: {e}"))?;
        loop {
            match self.session.poll_output() {
                Some(Output::Http { id, request }) => {
                    let response = answer(&request)?;
                    self.session
                        .handle_http_response(self.now, id, Ok(response));
                }
                Some(Output::Event(Event::OpDone { op: done, result })) if done == op => {
                    return match result {
                        Ok(OpOutput::Uploaded { url }) => Ok(Ok(url)),
                        Ok(_) => Err("the upload answered something else than a URL".into()),
                        Err(OpError::Api(e)) => Ok(Err(e)),
                        Err(e) => Err(format!("the upload failed outside the platform: {e}")),
                    };
                }
                Some(_) => {}
                None => return Err("the upload stalled (no request, no result)".into()),
            }
        }
    }
}
