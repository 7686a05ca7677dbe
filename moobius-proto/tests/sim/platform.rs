//! The fake platform: just enough of the HTTP API and the websocket to run
//! whole session lifecycles, with knobs for faults.

use bytes::Bytes;
use moobius_proto::http::paths;
use moobius_proto::ws::{decode_client_frame, ClientFrame, Outbound};
use serde_json::{json, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Duration;

pub const EMAIL: &str = "bot@example.com";
pub const PASSWORD: &str = "pw";
pub const USER_ID: &str = "user-1";

/// The group id a request looks up, if it is a group lookup.
pub fn looked_up_group(req: &http::Request<Bytes>) -> Option<String> {
    let path = req.uri().path();
    if path != paths::USER_GROUP && path != paths::SERVICE_GROUP {
        return None;
    }
    req.uri()
        .query()
        .and_then(|q| form_urlencoded::parse(q.as_bytes()).find(|(k, _)| k == "group_id"))
        .map(|(_, v)| v.into_owned())
}

pub fn error_response(status: u16, message: &str) -> http::Response<Bytes> {
    let body = json!({"code": 50000 + u32::from(status), "message": message}).to_string();
    http::Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Bytes::from(body))
        .expect("valid response")
}

fn ok(data: Value) -> http::Response<Bytes> {
    http::Response::builder()
        .header("content-type", "application/json")
        .body(Bytes::from(
            json!({"code": 10000, "message": "ok", "data": data}).to_string(),
        ))
        .expect("valid response")
}

fn fail(code: i64, message: &str) -> http::Response<Bytes> {
    http::Response::builder()
        .header("content-type", "application/json")
        .body(Bytes::from(
            json!({"code": code, "message": message}).to_string(),
        ))
        .expect("valid response")
}

#[derive(Default)]
pub struct Platform {
    pub password: String,
    pub valid_tokens: HashSet<String>,
    pub token_counter: u32,
    pub services: BTreeMap<String, Vec<String>>,
    pub groups: BTreeMap<String, Vec<String>>,
    pub members: BTreeMap<String, Vec<String>>,
    pub fail_bind: HashSet<String>,
    /// Answer lookups of these groups only after this many requests.
    pub http_log: Vec<String>,
    pub ws_up: bool,
    pub ws_refuse: bool,
    pub logged_in: bool,
    /// Ack logins and frames with `copy`.
    pub ack: bool,
    /// Every distinct client frame received (by request id), in order.
    pub delivered: Vec<ClientFrame>,
    pub seen_request_ids: HashSet<String>,
    pub duplicates: usize,
    pub logins: usize,
    pub rejected_frames: usize,
    /// Reject frames (copy status false) until the next login.
    pub force_logout: bool,
    pub uploads: BTreeMap<String, usize>,
    /// Lookups of these groups are answered this much later (`None`: never).
    pub lookup_delay: HashMap<String, Option<Duration>>,
}

impl Platform {
    pub fn new() -> Self {
        Self {
            password: PASSWORD.into(),
            ack: true,
            ..Self::default()
        }
    }

    fn token_ok(&self, req: &http::Request<Bytes>) -> bool {
        req.headers()
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .is_some_and(|t| self.valid_tokens.contains(t))
    }

    fn new_tokens(&mut self) -> (String, String) {
        self.token_counter += 1;
        let at = format!("at-{}", self.token_counter);
        self.valid_tokens.insert(at.clone());
        (at, format!("rt-{}", self.token_counter))
    }

    /// Every token stops working now.
    pub fn expire_tokens(&mut self) {
        self.valid_tokens.clear();
    }

    fn new_group(&mut self, members: Vec<String>) -> String {
        let id = format!("group-{}", self.groups.len() + 1);
        self.groups.insert(id.clone(), members);
        id
    }

    pub fn bound_service(&self, channel: &str) -> Option<&str> {
        self.services
            .iter()
            .find(|(_, chans)| chans.iter().any(|c| c == channel))
            .map(|(s, _)| s.as_str())
    }

    pub fn http(&mut self, req: &http::Request<Bytes>) -> http::Response<Bytes> {
        let path = req.uri().path().to_owned();
        self.http_log.push(format!("{} {}", req.method(), path));
        let query: BTreeMap<String, String> = req
            .uri()
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        let body: Value = serde_json::from_slice(req.body()).unwrap_or(Value::Null);
        let s = |v: &Value, k: &str| v[k].as_str().unwrap_or_default().to_owned();
        if path.starts_with("/upload-bucket") {
            self.uploads.insert(path.clone(), req.body().len());
            return http::Response::builder()
                .status(204)
                .body(Bytes::new())
                .expect("valid");
        }
        if path == paths::AUTH_SIGN_IN {
            if s(&body, "username") == EMAIL && s(&body, "password") == self.password {
                let (at, rt) = self.new_tokens();
                return ok(
                    json!({"AuthenticationResult": {"AccessToken": at, "RefreshToken": rt}}),
                );
            }
            return fail(401, "Incorrect username or password.");
        }
        if path == paths::AUTH_REFRESH {
            let (at, _) = self.new_tokens();
            return ok(json!({"AuthenticationResult": {"AccessToken": at}}));
        }
        if !self.token_ok(req) {
            return error_response(401, "The incoming token has expired");
        }
        match path.as_str() {
            p if p == paths::SERVICE_CREATE => {
                let id = format!("svc-{}", self.services.len() + 1);
                self.services.insert(id.clone(), vec![]);
                ok(json!({"service_id": id}))
            }
            p if p == paths::SERVICE_LIST => ok(json!(self
                .services
                .iter()
                .map(|(s, c)| json!({"service_id": s, "channel_ids": c}))
                .collect::<Vec<_>>())),
            p if p == paths::SERVICE_BIND => {
                let (c, sv) = (s(&body, "channel_id"), s(&body, "service_id"));
                if self.fail_bind.contains(&c) {
                    return fail(40000, "cannot bind");
                }
                for chans in self.services.values_mut() {
                    chans.retain(|x| *x != c);
                }
                self.services.entry(sv).or_default().push(c);
                ok(Value::Null)
            }
            p if p == paths::SERVICE_UNBIND => {
                let (c, sv) = (s(&body, "channel_id"), s(&body, "service_id"));
                if let Some(chans) = self.services.get_mut(&sv) {
                    chans.retain(|x| *x != c);
                }
                ok(Value::Null)
            }
            p if p == paths::USER_GROUP_LIST => ok(json!([])),
            p if p == paths::USER_INFO => ok(
                json!({"user_id": USER_ID, "email": EMAIL, "context": {"name": "Bot", "avatar": "", "description": ""}, "system_context": {}}),
            ),
            p if p == paths::CHANNEL_LIST => ok(json!(self
                .members
                .iter()
                .filter(|(_, m)| m.iter().any(|x| x == USER_ID))
                .map(|(c, _)| json!({"channel_id": c}))
                .collect::<Vec<_>>())),
            p if p == paths::CHANNEL_CHARACTER_LIST => {
                let c = query.get("channel_id").cloned().unwrap_or_default();
                ok(json!({"character_list": self.members.get(&c).cloned().unwrap_or_default()}))
            }
            p if p == paths::SERVICE_GROUP_CREATE => {
                let members: Vec<String> =
                    serde_json::from_value(body["characters"].clone()).unwrap_or_default();
                ok(json!(self.new_group(members)))
            }
            p if p == paths::USER_GROUP_CREATE => {
                let members: Vec<String> =
                    serde_json::from_value(body["characters"].clone()).unwrap_or_default();
                let id = self.new_group(members);
                ok(json!({"group_id": id}))
            }
            p if p == paths::USER_GROUP || p == paths::SERVICE_GROUP => {
                let g = query.get("group_id").cloned().unwrap_or_default();
                match self.groups.get(&g) {
                    Some(m) => ok(json!({"group_id": g, "characters": m})),
                    None => fail(40400, "no such group"),
                }
            }
            p if p == paths::CHARACTER_FETCH_PROFILE => {
                let ids: Vec<String> =
                    serde_json::from_value(body["character_list"].clone()).unwrap_or_default();
                ok(json!(ids
                    .iter()
                    .map(|id| json!({"character_id": id, "character_context": {"name": format!("name of {id}"), "avatar": null, "description": null}}))
                    .collect::<Vec<_>>()))
            }
            p if p == paths::SERVICE_CHARACTER_LIST => ok(json!([
                {"character_id": "agent-1", "character_context": {"name": "Agent", "avatar": null, "description": null}}
            ])),
            p if p == paths::CHANNEL_CREATE => {
                let id = format!("chan-new-{}", self.members.len());
                self.members.insert(id.clone(), vec![]);
                ok(json!({"channel_id": id}))
            }
            p if p == paths::FILE_UPLOAD => {
                let n = self.uploads.len() + 1;
                ok(
                    json!({"url": "http://files.test/upload-bucket/", "fields": {"key": format!("f{n}.{}", query.get("extension").cloned().unwrap_or_default())}}),
                )
            }
            _ => fail(40400, "unknown endpoint"),
        }
    }

    pub fn ws_connected(&mut self) {
        self.ws_up = true;
        self.logged_in = false;
    }

    pub fn ws_disconnected(&mut self) {
        self.ws_up = false;
        self.logged_in = false;
    }

    /// A client frame arrives; returns the frames sent back.
    pub fn ws_frame(&mut self, text: &str) -> Vec<String> {
        let Ok(frame) = decode_client_frame(text) else {
            return vec![json!({"message": "bad frame"}).to_string()];
        };
        let rid = frame
            .request_id
            .clone()
            .map(|r| r.as_str().to_owned())
            .unwrap_or_default();
        let origin = frame.frame.frame_type().to_owned();
        let status = match &frame.frame {
            Outbound::ServiceLogin(l) => {
                let ok = self.valid_tokens.contains(l.access_token.expose());
                self.logins += 1;
                self.logged_in = ok;
                self.force_logout = false;
                ok
            }
            Outbound::UserLogin(l) => {
                let ok = self.valid_tokens.contains(l.access_token.expose());
                self.logins += 1;
                self.logged_in = ok;
                self.force_logout = false;
                ok
            }
            _ if !self.logged_in || self.force_logout => {
                self.rejected_frames += 1;
                false
            }
            _ => {
                if self.seen_request_ids.insert(rid.clone()) {
                    self.delivered.push(frame);
                } else {
                    self.duplicates += 1;
                }
                true
            }
        };
        if !self.ack {
            return vec![];
        }
        vec![json!({"type": "copy", "body": {"request_id": rid, "origin_type": origin, "status": status, "context": {}}}).to_string()]
    }

    /// Texts of delivered messages, in order.
    pub fn delivered_texts(&self) -> Vec<String> {
        self.delivered
            .iter()
            .filter_map(|f| match &f.frame {
                Outbound::MessageDown(m) => m.content.text.clone(),
                Outbound::MessageUp(m) => m.content.text.clone(),
                _ => None,
            })
            .collect()
    }
}
