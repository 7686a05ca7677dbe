//! Fuzzes every HTTP response parser with arbitrary responses: whatever the
//! status, `Content-Length` header and body, parsing must return a value or
//! an error, never panic.
//!
//! Input layout: two bytes of status (mapped into 100..=999), one byte that
//! says whether the next up-to-8 bytes are a `Content-Length` header value,
//! then the body.
//!
//! `RUSTC_BOOTSTRAP=1 cargo fuzz run http_response` (see docs/FUZZING.md).

#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use moobius_proto::http::*;
use moobius_proto::{Password, RefreshToken};

/// Splits the fuzzer's bytes into a response.
fn response(data: &[u8]) -> Option<http::Response<Bytes>> {
    let (head, rest) = data.split_at_checked(3)?;
    let status = 100 + u16::from_be_bytes([head[0], head[1]]) % 900;
    let mut r = http::Response::new(Bytes::new());
    *r.status_mut() = http::StatusCode::from_u16(status).ok()?;
    let body = if head[2] & 1 == 1 {
        let (cl, body) = rest.split_at(rest.len().min(8));
        if let Ok(v) = http::HeaderValue::from_bytes(cl) {
            r.headers_mut().insert(http::header::CONTENT_LENGTH, v);
        }
        body
    } else {
        rest
    };
    *r.body_mut() = Bytes::copy_from_slice(body);
    Some(r)
}

fuzz_target!(|data: &[u8]| {
    let Some(r) = response(data) else { return };
    let target = UploadTarget::new("https://bucket.example/", vec![("key".into(), "k".into())]);
    let _ = SignIn::new("e", Password::new("p")).parse(&r);
    let _ = Refresh::new("e", RefreshToken::new("r")).parse(&r);
    let _ = SignUp::new("e", Password::new("p")).parse(&r);
    let _ = ResendConfirmation::new("e").parse(&r);
    let _ = ConfirmSignUp::new("e", "c").parse(&r);
    let _ = ForgotPassword::new("e").parse(&r);
    let _ = ConfirmResetPassword::new("e", Password::new("p"), "c").parse(&r);
    let _ = DeleteAccount::new("e", Password::new("p")).parse(&r);
    let _ = SignOut.parse(&r);
    let _ = FetchUserInfo.parse(&r);
    let _ = UpdateCurrentUser::new("n", "a", "d").parse(&r);
    let _ = CreateService::default().parse(&r);
    if let Ok(list) = FetchServiceList.parse(&r) {
        let _ = list.service_of_each_channel();
    }
    let _ = BindService::new("c", "s").parse(&r);
    let _ = UnbindService::new("c", "s").parse(&r);
    let _ = CreateAgent::new("s", "n", DEFAULT_IMAGE_URL, DEFAULT_AGENT_DESCRIPTION).parse(&r);
    let _ = UpdateAgent::new("s", "c", "n", "a", "d").parse(&r);
    let _ = FetchAgents::new("s").parse(&r);
    let _ = CreateChannel::new("n", "d").parse(&r);
    let _ = UpdateChannel::new("c", "n", "d").parse(&r);
    let _ = FetchPopularChannels.parse(&r);
    let _ = FetchChannelList.parse(&r);
    let _ = FetchMessageHistory::new("c").parse(&r);
    let _ = FetchMemberIds::new("c", "s").parse(&r);
    let _ = FetchCharacterProfile::one("x").parse(&r);
    if let Ok(t) = RequestUploadUrl::new("png").parse(&r) {
        let _ = t.public_url();
    }
    let _ = UploadFile::new(target, Bytes::new(), "boundary").parse(&r);
    let _ = DownloadSize::new("https://cdn.example/x").parse(&r);
    let _ = Download::new("https://cdn.example/x").parse(&r);
    let _ = CreateServiceGroup::new(["a"]).parse(&r);
    let _ = FetchServiceGroup::new("g").parse(&r);
    let _ = CreateChannelGroup::new("c", MESSAGE_UP_GROUP_NAME, ["a"]).parse(&r);
    let _ = FetchChannelGroup::new("g", "c", "u").parse(&r);
    if let Ok(groups) = FetchChannelGroups::new("c", "s").parse(&r) {
        let _ = groups.members_by_group();
    }
    let _ = FetchChannelTempGroup::new("c", "s").parse(&r);
    if let Err(e) = FetchMemberIds::new("c", "s").parse(&r) {
        let _ = (e.is_auth_expired(), e.is_retryable(), e.to_string());
    }
});
