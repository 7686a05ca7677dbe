//! The HTTP API against the golden cases recorded from the official Python
//! SDK: the shared ones (`shared/fixtures/http/*.json`) and our own
//! recordings (`tests/fixtures-extra/http`, made by
//! `tests/python/record_fixtures.py`), plus robustness properties.
//!
//! Every case is judged by rules (EXPECTATIONS.md), never by its name. For a
//! case, the call is mapped to our endpoint (an unknown call fails loudly,
//! naming the file), its arguments are read in whatever loose form the
//! reference took them, every request we make is compared with the next one
//! the reference made (method, URL, decoded query, `Auth-Origin` /
//! `Authorization`, JSON body or multipart form), and our typed outcome is
//! judged by the first rule that applies:
//!
//! **Arguments**
//! * A1 one id or one record where a list is expected → the typed API's list
//!   of one (`IntoCharacterIds`);
//! * A2 a character record where an id is expected → the record is passed
//!   (`CharacterId: From<&Character>`);
//! * A3 a list mixing ids and records → the ids, in order;
//! * A4 a local file where a URL is expected (avatars, `convert_to_url`,
//!   `upload`) → uploaded first by `Session::upload`; its two requests must
//!   match the reference's first ones, in order (the file's bytes are the
//!   ones the reference posted);
//! * A5 an empty (or `None`) avatar → the default image URL (as the
//!   reference), no upload; a `pathlib.Path` is its text;
//! * A6 `headers: "self"` on `download` / `download_size` → the auth headers
//!   are sent (`with_auth`);
//! * A7 a message as the source of `download` → its `content.path`;
//! * A9 an upload's `extension` is the text after the last `.` of the file
//!   *name*; the reference takes it from the whole path, so for a file name
//!   without a dot it sends the whole path (a defect): there, its value's
//!   last path segment is compared;
//! * A8 the `HTTPAPIWrapper`'s own defaults apply to an argument the case
//!   leaves out (history `limit` 64, `before` `"null"`; an agent's
//!   description); a `limit` given as text is the number it spells.
//!
//! **Requests**
//! * R1 every request the reference made is one we make, in order, except:
//!   R2 a call the reference retries in several shapes (`fetch_agents`) is
//!   one request, and its answer decides;
//! * R3 a `GET`/`HEAD` carries no body (the reference sends one with the
//!   history); R4 query parameters are compared decoded (ours are encoded);
//! * R5 placeholder group ids (`"null"`, `""`, …) resolve to `[]` with no
//!   request;
//! * R7 the reference refused its arguments before any request (it raised
//!   and sent nothing: a local file that does not exist, `upload` of a URL,
//!   a value of the wrong type, a message without a file): the typed API
//!   cannot be given such arguments, or refuses them; we send nothing either;
//! * R8 an authenticated call made without an access token (the case's
//!   `setup` has none): the reference sends `Authorization: Bearer ` with
//!   nothing after it; ours refuses to build the request
//!   (`RequestError::MissingAccessToken`) and sends nothing;
//! * R6 a call the reference does not implement (it raises before any
//!   request: `update_channel_group`, `update_temp_channel_group`,
//!   `fetch_user_from_group`, `fetch_target_group`) has no counterpart: no
//!   request, nothing to match.
//!
//! **Outcomes**
//! * O1 the deciding answer is an error envelope (a code other than `10000`
//!   and `204`) → `ApiError::Api` with that code and message, whatever the
//!   reference did with it (raised, swallowed into `None`/`False`/the
//!   envelope);
//! * O2 the reference raised → a typed error naming the endpoint of the
//!   failing request;
//! * O3 a swallowed failure (the reference logged an `ERROR` and returned
//!   `None`, `False`, an error text, the raw body, or a URL of a failed
//!   upload) → a typed error;
//! * O5 the deciding answer has a non-2xx HTTP status (the reference
//!   ignores the status of a file's `HEAD`, answering the error page's
//!   length) → a typed error;
//! * O4 otherwise ours succeeds and its typed result equals the reference's
//!   under the equality rule, where: `204` counts as success (bind answers
//!   `true`); the history is the envelope's `data`; one character asked gives
//!   one profile, a list gives a list; a download to a file (not `bytes`) is
//!   judged by its request and bytes only (where it is written is the
//!   driver's business); `raise_empty_list_err` is the caller's check on the
//!   typed (empty) member list.

mod http_support;

use bytes::Bytes;
use http_support::args::{CharArg, Chars};
use http_support::case::{case_files, Case, Recorded};
use http_support::json_eq::{bytes_json, json_matches, untag};
use http_support::upload::Uploader;
use http_support::wire::compare_request;
use moobius_proto::http::*;
use moobius_proto::model::{Character, MessageBody};
use moobius_proto::{Password, RefreshToken};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::panic::{catch_unwind, AssertUnwindSafe};

/// The `HTTPAPIWrapper`'s default history page (rule A8).
const WRAPPER_HISTORY_LIMIT: u32 = 64;

/// Rule R8's marker: an authenticated call asked without an access token.
const NO_TOKEN: &str = "no access token (rule R8)";

/// How an unmapped call is reported (never excused by a rule).
const UNKNOWN_CALL: &str = "unknown call";

/// Calls the reference does not implement (rule R6).
const NOT_IMPLEMENTED_BY_REFERENCE: [&str; 4] = [
    "update_channel_group",
    "update_temp_channel_group",
    "fetch_user_from_group",
    "fetch_target_group",
];

#[test]
fn every_http_fixture() {
    let files = case_files("http");
    let mut failures = Vec::new();
    for path in &files {
        let name = path.display().to_string();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let case = Case::load(path)?;
            run_case(&case)
        }));
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(msg)) => failures.push(format!("{name}: {msg}")),
            Err(panic) => {
                let msg = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                    .unwrap_or_default();
                failures.push(format!("{name}: panicked: {msg}"));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} HTTP fixtures failed:\n  {}",
        failures.len(),
        files.len(),
        failures.join("\n  ")
    );
    eprintln!("{} HTTP fixtures passed", files.len());
}

/// One case in progress: the context, how many recorded requests we used,
/// and the endpoint of our last request.
struct Run<'a> {
    case: &'a Case,
    ctx: ApiContext,
    made: usize,
    last_endpoint: &'static str,
}

impl<'a> Run<'a> {
    /// Checks a request of ours against the next recorded one (rules R1,
    /// R3, R4) and gives the recorded response.
    fn answer(
        &mut self,
        endpoint: &'static str,
        req: &http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, String> {
        let i = self.made;
        let rec: &'a Recorded = self.case.recorded.get(i).ok_or_else(|| {
            format!(
                "we make request #{i} ({endpoint} {} {}) but the reference made only {}",
                req.method(),
                req.uri(),
                self.case.recorded.len()
            )
        })?;
        let diffs = compare_request(req, rec);
        if !diffs.is_empty() {
            return Err(format!(
                "request #{i} ({} {}) differs:\n    {}",
                req.method(),
                req.uri(),
                diffs.join("\n    ")
            ));
        }
        self.made += 1;
        self.last_endpoint = endpoint;
        Ok(rec.response.clone())
    }

    /// Builds our request, checks it, and parses the recorded response.
    fn exchange<E: Endpoint>(&mut self, ep: &E) -> Result<Result<E::Output, ApiError>, String> {
        let req = match ep.request(&self.ctx) {
            Ok(req) => req,
            // R8: no token, no authenticated request.
            Err(RequestError::MissingAccessToken { .. }) if self.ctx.access_token.is_none() => {
                return Err(NO_TOKEN.to_owned())
            }
            Err(e) => {
                return Err(format!(
                    "building request #{} ({}): {e}",
                    self.made,
                    E::NAME
                ))
            }
        };
        let response = self.answer(E::NAME, &req)?;
        Ok(ep.parse(&response))
    }

    /// A URL argument (rules A4, A5): a URL as it is, empty → the default
    /// image, a local file → uploaded first by the session's upload.
    fn url_arg(&mut self, key: &str) -> Result<Result<String, ApiError>, String> {
        let given = match self.case.opt_arg(key) {
            Some(Value::String(s)) => s.clone(),
            // A `pathlib.Path` is its text.
            Some(v) if v.get("$path").is_some_and(Value::is_string) => {
                v["$path"].as_str().unwrap_or_default().to_owned()
            }
            None => String::new(),
            Some(other) => return Err(format!("args.{key} = {other}: no rule for this form")),
        };
        let source = MediaSource::classify(&given);
        if let Some(url) = source.url() {
            return Ok(Ok(url.to_owned()));
        }
        // The file's bytes are the ones the reference posted (none when it
        // failed before posting).
        let file = self.case.posted_file(self.made + 1).unwrap_or_default();
        let mut uploader = Uploader::new(self.case)?;
        uploader.upload(&given, Bytes::from(file), |req| {
            let endpoint = if req.method() == http::Method::GET {
                RequestUploadUrl::NAME
            } else {
                UploadFile::NAME
            };
            self.answer(endpoint, req)
        })
    }

    /// Judges our outcome by rules O1–O4; `expected` is what a success must
    /// equal, `to_json` renders ours.
    fn expect<T>(
        &self,
        ours: Result<T, ApiError>,
        to_json: impl FnOnce(T) -> Value,
        expected: Value,
    ) -> Result<(), String> {
        let deciding = self
            .made
            .checked_sub(1)
            .and_then(|i| self.case.recorded.get(i));
        let error_code = deciding
            .and_then(|r| r.envelope_code)
            .filter(|c| *c != 10000 && *c != 204);
        if let Some(code) = error_code {
            // O1
            let message = deciding
                .and_then(|r| r.envelope_message.clone())
                .unwrap_or_default();
            return match ours {
                Err(ApiError::Api {
                    endpoint: e,
                    code: c,
                    message: m,
                    ..
                }) if e == self.last_endpoint && c == code && m == message => Ok(()),
                Err(e) => Err(format!(
                    "rule O1: expected ApiError::Api code {code} from {}, got {e:?}",
                    self.last_endpoint
                )),
                Ok(v) => Err(format!(
                    "rule O1: error envelope {code} accepted as {}",
                    to_json(v)
                )),
            };
        }
        let bad_status = deciding.is_some_and(|r| !r.response.status().is_success());
        if self.case.raised || self.case.logged_error || bad_status {
            // O2, O3, O5
            let rule = match (self.case.raised, self.case.logged_error) {
                (true, _) => "O2",
                (false, true) => "O3",
                _ => "O5",
            };
            return match ours {
                Err(e) if e.endpoint() == self.last_endpoint => Ok(()),
                Err(e) => Err(format!(
                    "rule {rule}: the error names {:?}, not {:?}: {e}",
                    e.endpoint(),
                    self.last_endpoint
                )),
                Ok(v) => Err(format!(
                    "rule {rule}: the reference failed; we returned {}",
                    to_json(v)
                )),
            };
        }
        // O4
        match ours {
            Ok(v) => json_matches(&expected, &to_json(v)).map_err(|d| format!("result {d}")),
            Err(e) => Err(format!(
                "rule O4: we failed where the reference succeeded: {e}"
            )),
        }
    }
}

/// A character as the reference's dataclass lists its fields.
fn character_json(c: &Character) -> Value {
    json!({
        "character_id": c.character_id,
        "name": c.name,
        "avatar": c.avatar,
        "description": c.description,
        "character_context": c.character_context,
    })
}

fn characters_json(cs: Vec<Character>) -> Value {
    Value::Array(cs.iter().map(character_json).collect())
}

fn to_json<T: serde::Serialize>(v: T) -> Value {
    serde_json::to_value(v).unwrap_or_else(|e| json!(format!("<unserialisable: {e}>")))
}

/// Runs `then` on a successful upload's URL; an upload failure is the
/// outcome of the whole call.
macro_rules! after_upload {
    ($run:expr, $url:expr, |$u:ident| $then:expr) => {
        match $url {
            Ok($u) => $then,
            Err(e) => $run.expect(Err::<(), _>(e), |()| Value::Null, Value::Null),
        }
    };
}

/// A `limit` argument: a number or the text of one (rule A8).
fn limit_arg(case: &Case) -> Result<u32, String> {
    match case.opt_arg("limit") {
        None => Ok(WRAPPER_HISTORY_LIMIT),
        Some(Value::Number(n)) => n
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| format!("limit {n} is not a count")),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map_err(|_| format!("limit {s:?} is not a count")),
        Some(other) => Err(format!("limit {other}: no rule for this form")),
    }
}

/// Whether `headers` asks for the account's auth headers (rule A6).
fn auth_headers(case: &Case) -> Result<bool, String> {
    match case.opt_arg("headers") {
        None => Ok(false),
        Some(Value::String(h)) if h == "self" => Ok(true),
        Some(other) => Err(format!("headers = {other}: no rule for custom headers")),
    }
}

/// Runs one case; `Err` describes the failure.
fn run_case(case: &Case) -> Result<(), String> {
    let mut run = Run {
        case,
        ctx: case.context()?,
        made: 0,
        last_endpoint: "",
    };
    let outcome = judge_call(case, &mut run);
    if matches!(&outcome, Err(e) if e == NO_TOKEN) && run.made == 0 {
        // R8: the reference sent `Authorization: Bearer ` with no token.
        return Ok(());
    }
    if let Err(e) = &outcome {
        // R7: arguments the reference refused before sending anything (an
        // unmapped call still fails loudly).
        if case.raised
            && case.reference_requests == 0
            && run.made == 0
            && !e.starts_with(UNKNOWN_CALL)
        {
            return Ok(());
        }
    }
    let expected_requests = outcome?;
    if run.made != expected_requests {
        return Err(format!(
            "we made {} request(s), the reference made {} (expected {expected_requests})",
            run.made,
            case.recorded.len()
        ));
    }
    Ok(())
}

/// Maps the call to our endpoints and judges it; the number of requests
/// we must have made (rule R1, or R2).
fn judge_call(case: &Case, run: &mut Run<'_>) -> Result<usize, String> {
    let result = untag(&case.result);
    let email = || case.setup_str("email").map(str::to_owned);
    let password = || case.setup_str("password").map(Password::new);
    // R1: every request the reference made is one we make, except where a
    // rule below says otherwise.
    let mut expected_requests = case.reference_requests;

    match case.method.as_str() {
        // ---- auth ----
        "authenticate" => {
            let ep = SignIn::new(email()?, password()?);
            let out = run.exchange(&ep)?;
            run.expect(
                out,
                |t| json!([t.access_token.expose(), t.refresh_token.expose()]),
                result,
            )
        }
        "refresh" => {
            let ep = Refresh::new(
                email()?,
                RefreshToken::new(case.setup_str("refresh_token")?),
            );
            let out = run.exchange(&ep)?;
            run.expect(out, |t| json!(t.expose()), result)
        }
        "request_sign_up_code" => {
            let ep = SignUp {
                email: email()?,
                password: password()?,
            };
            let out = run.exchange(&ep)?;
            run.expect(out, |()| Value::Null, result)
        }
        "request_sign_up_code_again" => {
            let ep = ResendConfirmation { email: email()? };
            let out = run.exchange(&ep)?;
            run.expect(out, |()| Value::Null, result)
        }
        "sign_up_with_code" => {
            let ep = ConfirmSignUp {
                email: email()?,
                code: case.arg_str("the_code")?.into(),
            };
            let out = run.exchange(&ep)?;
            run.expect(out, |()| Value::Null, result)
        }
        "request_password_reset_code" => {
            let ep = ForgotPassword { email: email()? };
            let out = run.exchange(&ep)?;
            run.expect(out, |()| Value::Null, result)
        }
        "reset_password_with_code" => {
            // The new password is the configured one, as in the reference.
            let ep = ConfirmResetPassword {
                email: email()?,
                new_password: password()?,
                code: case.arg_str("the_code")?.into(),
            };
            let out = run.exchange(&ep)?;
            run.expect(out, |()| Value::Null, result)
        }
        "delete_account" => {
            let ep = DeleteAccount {
                email: email()?,
                password: password()?,
            };
            let out = run.exchange(&ep)?;
            run.expect(out, |()| Value::Null, result)
        }
        "sign_out" => {
            let out = run.exchange(&SignOut)?;
            run.expect(out, |()| Value::Null, result)
        }

        // ---- user ----
        "fetch_user_info" => {
            let out = run.exchange(&FetchUserInfo)?;
            run.expect(out, to_json, result)
        }
        "update_current_user" => {
            let avatar = run.url_arg("avatar")?;
            after_upload!(run, avatar, |avatar| {
                let ep = UpdateCurrentUser {
                    avatar,
                    description: case.arg_str("description")?.to_owned(),
                    name: case.arg_str("name")?.to_owned(),
                };
                let out = run.exchange(&ep)?;
                run.expect(out, |v| v, result)
            })
        }

        // ---- service ----
        "create_service" => {
            let ep = CreateService::new(case.arg_str("description")?);
            let out = run.exchange(&ep)?;
            run.expect(out, to_json, result)
        }
        "fetch_service_id_list" => {
            let out = run.exchange(&FetchServiceList)?;
            run.expect(out, to_json, result)
        }
        "bind_service_to_channel" => {
            let ep = BindService::new(case.arg_str("channel_id")?, case.arg_str("service_id")?);
            let out = run.exchange(&ep)?;
            // O4: 204 and 10000 are both success (the reference answers
            // `false` to 204).
            run.expect(out, |()| json!(true), json!(true))
        }
        "unbind_service_from_channel" => {
            let ep = UnbindService::new(case.arg_str("channel_id")?, case.arg_str("service_id")?);
            let out = run.exchange(&ep)?;
            run.expect(out, |()| Value::Null, result)
        }

        // ---- agents ----
        "create_agent" => {
            let avatar = run.url_arg("avatar")?;
            after_upload!(run, avatar, |avatar| {
                let description = match case.opt_arg("description") {
                    Some(Value::String(d)) => d.clone(),
                    _ => DEFAULT_AGENT_DESCRIPTION.to_owned(),
                };
                let ep = CreateAgent {
                    service_id: case.arg_str("service_id")?.into(),
                    name: case.arg_str("name")?.to_owned(),
                    avatar,
                    description,
                };
                let out = run.exchange(&ep)?;
                run.expect(out, |c| character_json(&c), result)
            })
        }
        "update_agent" => {
            let avatar = run.url_arg("avatar")?;
            after_upload!(run, avatar, |avatar| {
                let ep = UpdateAgent {
                    service_id: case.arg_str("service_id")?.into(),
                    // A2: a record is passed as the record.
                    character_id: CharArg::read(case.arg("character")?, "args.character")?.id(),
                    name: case.arg_str("name")?.to_owned(),
                    avatar,
                    description: case.arg_str("description")?.to_owned(),
                };
                let out = run.exchange(&ep)?;
                run.expect(out, |v| v, result)
            })
        }
        "fetch_agents" => {
            // R2: one request; the reference's further requests are retries.
            expected_requests = 1;
            let ep = FetchAgents::new(case.arg_str("service_id")?);
            let out = run.exchange(&ep)?;
            run.expect(out, characters_json, result)
        }

        // ---- channels ----
        "create_channel" => {
            let ep =
                CreateChannel::new(case.arg_str("channel_name")?, case.arg_str("channel_desc")?);
            let out = run.exchange(&ep)?;
            run.expect(out, to_json, result)
        }
        "update_channel" => {
            let ep = UpdateChannel {
                channel_id: case.arg_str("channel_id")?.into(),
                name: case.arg_str("channel_name")?.to_owned(),
                description: case.arg_str("channel_desc")?.to_owned(),
            };
            let out = run.exchange(&ep)?;
            run.expect(out, |()| Value::Null, result)
        }
        "fetch_popular_channels" => {
            let out = run.exchange(&FetchPopularChannels)?;
            run.expect(out, to_json, result)
        }
        "fetch_channel_list" | "this_user_channels" => {
            let out = run.exchange(&FetchChannelList)?;
            run.expect(out, to_json, result)
        }
        "fetch_message_history" => {
            let mut ep = FetchMessageHistory::new(case.arg_str("channel_id")?).limit(limit_arg(case)?);
            match case.opt_arg("before") {
                Some(Value::String(b)) if b != "null" => ep = ep.before(b.clone()),
                Some(Value::String(_)) | None => {}
                Some(other) => return Err(format!("before = {other}: no rule for this form")),
            }
            let out = run.exchange(&ep)?;
            // O4: the result is the envelope's `data`, not the envelope.
            let expected = match &result {
                Value::Object(m) if m.contains_key("code") => {
                    m.get("data").cloned().unwrap_or(json!([]))
                }
                other => other.clone(),
            };
            run.expect(out, to_json, expected)
        }
        "fetch_member_ids" => {
            let ep = FetchMemberIds::new(case.arg_str("channel_id")?, case.arg_str("service_id")?);
            let out = run.exchange(&ep)?;
            // O4: `raise_empty_list_err` is the caller's check on the typed list.
            let out = match (out, case.opt_arg("raise_empty_list_err")) {
                (Ok(ids), Some(Value::Bool(true))) if ids.is_empty() => Err(ApiError::Decode {
                    endpoint: FetchMemberIds::NAME,
                    path: "data.character_list".into(),
                    message: "empty (the caller asked for an error)".into(),
                }),
                (out, _) => out,
            };
            run.expect(out, to_json, result)
        }

        // ---- characters ----
        "fetch_character_profile" => {
            // A1–A3; O4: one asked → one profile, a list → a list.
            match Chars::read(case.arg("character")?, "args.character")? {
                Chars::One(CharArg::Id(id)) => {
                    let out = run.exchange(&FetchCharacterProfile::one(id.as_str()))?;
                    run.expect(out, |c| character_json(&c), result)
                }
                Chars::One(CharArg::Record(c)) => {
                    let out = run.exchange(&FetchCharacterProfile::one(&c))?;
                    run.expect(out, |c| character_json(&c), result)
                }
                list => {
                    let out = run.exchange(&FetchCharacterProfile::many(list.ids()))?;
                    run.expect(out, characters_json, result)
                }
            }
        }

        // ---- files ----
        "upload" | "convert_to_url" => {
            // A4: `upload` always uploads; `convert_to_url` only a local file.
            let path = match case.opt_arg("file_path") {
                None => "",
                Some(v) if v.get("$path").is_some() => v["$path"].as_str().unwrap_or_default(),
                Some(_) => case.arg_str("file_path")?,
            };
            if case.method == "upload" && MediaSource::classify(path).url().is_some() {
                return Err(format!("upload of {path:?}: no rule for uploading a URL"));
            }
            let url = run.url_arg("file_path")?;
            run.expect(url, |u| json!(u), result)
        }
        "download_size" => {
            let mut ep = DownloadSize::new(case.arg_str("url")?);
            if auth_headers(case)? {
                // The same deviation as `download` below: naming the host
                // gives the reference's request.
                ep = ep.with_auth();
                let host = ep.url.parse::<::http::Uri>().ok().and_then(|u| u.host().map(str::to_owned));
                ep.trusted_hosts.extend(host);
            }
            let out = run.exchange(&ep)?;
            run.expect(out, to_json, result)
        }
        "download" => {
            // A7: a message stands for its file's URL.
            let mut ep = match case.arg("source")? {
                Value::String(url) => Download::new(url.as_str()),
                v if v.get("$dataclass").and_then(Value::as_str) == Some("MessageBody") => {
                    let m: MessageBody = serde_json::from_value(untag(v))
                        .map_err(|e| format!("args.source: a message our type does not read: {e}"))?;
                    match Download::of_message(&m) {
                        Some(ep) => ep,
                        None if case.raised => return Ok(0),
                        None => return Err("args.source: a message without a path".into()),
                    }
                }
                other => return Err(format!("args.source = {other}: no rule for this form")),
            };
            if auth_headers(case)? {
                ep = ep.with_auth();
                // Deviation (docs/DEVIATIONS.md): the headers go only to the
                // platform's host or hosts the caller names; the reference
                // sends them anywhere. Naming the host gives its request.
                let host = ep.url.parse::<::http::Uri>().ok().and_then(|u| u.host().map(str::to_owned));
                ep.trusted_hosts.extend(host);
            }
            let out = run.exchange(&ep)?;
            if matches!(case.opt_arg("bytes"), Some(Value::Bool(true))) {
                run.expect(out, |b| bytes_json(&b), result)
            } else {
                // O4: a download to a file is judged by its request and bytes.
                let bytes = run.case.recorded.get(run.made - 1).map(|r| r.response.body().clone());
                run.expect(
                    out,
                    |b| json!(Some(b) == bytes),
                    if case.raised || case.logged_error { Value::Null } else { json!(true) },
                )
            }
        }

        // ---- groups ----
        "create_service_group" => {
            let chars = Chars::read(case.arg("characters")?, "args.characters")?;
            let ep = match &chars {
                Chars::One(CharArg::Record(c)) => CreateServiceGroup::new(c),
                Chars::One(CharArg::Id(id)) => CreateServiceGroup::new(id.as_str()),
                list => CreateServiceGroup::new(list.ids()),
            };
            let out = run.exchange(&ep)?;
            run.expect(out, to_json, result)
        }
        "character_ids_of_service_group" => {
            // `None` is a placeholder like `"None"` (rule R5).
            let group_id = match case.opt_arg("group_id") {
                None => "",
                Some(_) => case.arg_str("group_id")?,
            };
            if is_placeholder_group_id(group_id) {
                // R5: placeholder ids resolve to no one, without a request.
                json_matches(&result, &json!([]))
            } else {
                let out = run.exchange(&FetchServiceGroup::new(group_id))?;
                run.expect(out, to_json, result)
            }
        }
        "create_channel_group" => {
            let chars = Chars::read(case.arg("characters")?, "args.characters")?;
            let (channel, name) = (case.arg_str("channel_id")?, case.arg_str("group_name")?);
            let ep = if chars.is_list() {
                CreateChannelGroup::new(channel, name, chars.ids())
            } else {
                match &chars {
                    Chars::One(CharArg::Record(c)) => CreateChannelGroup::new(channel, name, c),
                    _ => CreateChannelGroup::new(channel, name, chars.ids()),
                }
            };
            let out = run.exchange(&ep)?;
            run.expect(out, to_json, result)
        }
        "character_ids_of_channel_group" => {
            // Named arguments: the reference's order cannot be confused.
            let ep = FetchChannelGroup::from(ChannelGroupQuery {
                sender_id: case.arg_str("sender_id")?.into(),
                channel_id: case.arg_str("channel_id")?.into(),
                group_id: case.arg_str("group_id")?.into(),
            });
            let out = run.exchange(&ep)?;
            run.expect(out, to_json, result)
        }
        "fetch_channel_group_dict" | "fetch_channel_group_list" => {
            let ep = FetchChannelGroups {
                channel_id: case.arg_str("channel_id")?.into(),
                service_id: case.arg_str("service_id")?.into(),
            };
            let out = run.exchange(&ep)?;
            if case.method == "fetch_channel_group_dict" {
                run.expect(out, |g| to_json(g.members_by_group()), result)
            } else {
                run.expect(out, to_json, result)
            }
        }
        "fetch_channel_temp_group" => {
            let ep = FetchChannelTempGroup {
                channel_id: case.arg_str("channel_id")?.into(),
                service_id: case.arg_str("service_id")?.into(),
            };
            let out = run.exchange(&ep)?;
            run.expect(out, |v| v, result)
        }
        m if NOT_IMPLEMENTED_BY_REFERENCE.contains(&m) => {
            // R6: nothing to match; the reference must indeed have refused.
            if case.raised && case.reference_requests == 0 {
                Ok(())
            } else {
                Err(format!("rule R6: {m} is expected to raise before any request"))
            }
        }

        other => {
            return Err(format!(
                "{UNKNOWN_CALL} {other:?}: no rule maps it to an endpoint (add one to judge_call in tests/http_fixtures.rs)"
            ))
        }
    }?;
    Ok(expected_requests)
}

// ---------------------------------------------------------------------------
// Robustness: no parser panics on any response, no builder on any argument.

/// Runs every endpoint's parser on `response`; results are irrelevant.
fn parse_with_every_endpoint(response: &http::Response<Bytes>) {
    let target = UploadTarget {
        url: "https://b/".into(),
        fields: vec![("key".into(), "k".into())],
    };
    let _ = SignIn::new("e", Password::new("p")).parse(response);
    let _ = Refresh::new("e", RefreshToken::new("r")).parse(response);
    let _ = SignUp {
        email: "e".into(),
        password: Password::new("p"),
    }
    .parse(response);
    let _ = ResendConfirmation { email: "e".into() }.parse(response);
    let _ = ConfirmSignUp {
        email: "e".into(),
        code: "c".into(),
    }
    .parse(response);
    let _ = ForgotPassword { email: "e".into() }.parse(response);
    let _ = SignOut.parse(response);
    let _ = FetchUserInfo.parse(response);
    let _ = UpdateCurrentUser {
        avatar: "a".into(),
        description: "d".into(),
        name: "n".into(),
    }
    .parse(response);
    let _ = CreateService::default().parse(response);
    let _ = FetchServiceList.parse(response);
    let _ = BindService::new("c", "s").parse(response);
    let _ = UnbindService::new("c", "s").parse(response);
    let _ = FetchAgents::new("s").parse(response);
    let _ = CreateChannel::new("n", "d").parse(response);
    let _ = FetchPopularChannels.parse(response);
    let _ = FetchChannelList.parse(response);
    let _ = FetchMessageHistory::new("c").parse(response);
    let _ = FetchMemberIds::new("c", "s").parse(response);
    let _ = FetchCharacterProfile::one("x").parse(response);
    let _ = RequestUploadUrl::new("png").parse(response);
    let _ = UploadFile::new(target, Bytes::new(), "b").parse(response);
    let _ = DownloadSize::new("https://x/").with_auth().parse(response);
    let _ = Download::new("https://x/").parse(response);
    let _ = CreateServiceGroup::new(["a"]).parse(response);
    let _ = FetchServiceGroup::new("g").parse(response);
    let _ = CreateChannelGroup {
        channel_id: "c".into(),
        group_name: "n".into(),
        characters: vec!["a".into()],
    }
    .parse(response);
    let _ = FetchChannelGroup {
        group_id: "g".into(),
        channel_id: "c".into(),
        user_id: "u".into(),
    }
    .parse(response);
    let _ = FetchChannelGroups {
        channel_id: "c".into(),
        service_id: "s".into(),
    }
    .parse(response);
    let _ = FetchChannelTempGroup {
        channel_id: "c".into(),
        service_id: "s".into(),
    }
    .parse(response);
    if let Ok(Some(url)) = RequestUploadUrl::new("x")
        .parse(response)
        .map(|t| t.public_url())
    {
        let _ = url;
    }
}

fn response(status: u16, body: Vec<u8>, content_length: Option<String>) -> http::Response<Bytes> {
    let mut r = http::Response::new(Bytes::from(body));
    if let Ok(s) = http::StatusCode::from_u16(status) {
        *r.status_mut() = s;
    }
    if let Some(cl) = content_length.and_then(|v| http::HeaderValue::try_from(v).ok()) {
        r.headers_mut().insert(http::header::CONTENT_LENGTH, cl);
    }
    r
}

/// Keys the parsers look for, so random objects reach deep paths.
const KEYS: &[&str] = &[
    "code",
    "message",
    "data",
    "AuthenticationResult",
    "AccessToken",
    "RefreshToken",
    "user_id",
    "email",
    "email_verified",
    "context",
    "name",
    "avatar",
    "description",
    "system_context",
    "service_id",
    "channel_ids",
    "channel_id",
    "character_list",
    "character_id",
    "character_context",
    "url",
    "fields",
    "key",
    "group_id",
    "group_name",
    "characters",
];

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        Just(json!(10000)),
        Just(json!(204)),
        ".{0,12}".prop_map(Value::from),
        proptest::sample::select(KEYS).prop_map(Value::from),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        let key = prop_oneof![
            proptest::sample::select(KEYS).prop_map(str::to_owned),
            "[a-z]{0,4}"
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((key, inner), 0..6)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn parsers_never_panic_on_bytes(
        status in 100u16..600,
        body in prop::collection::vec(any::<u8>(), 0..256),
        content_length in proptest::option::of(".{0,8}"),
    ) {
        parse_with_every_endpoint(&response(status, body, content_length));
    }

    #[test]
    fn parsers_never_panic_on_json(
        status in prop_oneof![Just(200u16), Just(204), 100u16..600],
        code in prop_oneof![Just(json!(10000)), Just(json!(204)), any::<i64>().prop_map(Value::from), arb_json()],
        data in arb_json(),
        bare in any::<bool>(),
    ) {
        let body = if bare { data } else { json!({"code": code, "message": "m", "data": data}) };
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        parse_with_every_endpoint(&response(status, bytes, None));
    }

    #[test]
    fn builders_never_panic(
        base in prop_oneof![Just("https://api.moobius.ai/".to_owned()), "[a-z]{1,5}://[a-z.:0-9]{0,10}/[a-z/]{0,6}", ".{0,16}"],
        token in proptest::option::of(".{0,16}"),
        a in ".{0,16}",
        b in ".{0,16}",
        boundary in ".{0,80}",
    ) {
        let Ok(base) = BaseUri::parse(&base) else { return Ok(()) };
        let ctx = ApiContext { base, access_token: token.map(Into::into) };
        let _ = SignIn::new(a.as_str(), Password::new(b.as_str())).request(&ctx);
        let _ = SignOut.request(&ctx);
        let _ = FetchMemberIds::new(a.as_str(), b.as_str()).request(&ctx);
        let _ = FetchMessageHistory::new(a.as_str()).before(b.as_str()).request(&ctx);
        let _ = FetchChannelGroup { group_id: a.as_str().into(), channel_id: b.as_str().into(), user_id: "u".into() }.request(&ctx);
        let _ = RequestUploadUrl::for_file(&a).request(&ctx);
        let target = UploadTarget { url: a.clone(), fields: vec![("key".into(), b.clone()), (b.clone(), a.clone())] };
        let _ = UploadFile::new(target, Bytes::from(b.clone().into_bytes()), boundary).request(&ctx);
        let _ = DownloadSize::new(a.as_str()).request(&ctx);
        let _ = Download { url: b.clone(), with_auth: true, ..Download::default() }.request(&ctx);
        let _ = MediaSource::classify(&a);
        let _ = upload_extension(&b);
    }

    #[test]
    fn query_values_round_trip(a in ".{0,24}", b in ".{0,24}") {
        let ctx = ApiContext::default().with_access_token("t".into());
        let req = FetchMemberIds::new(a.as_str(), b.as_str()).request(&ctx).unwrap();
        let pairs: Vec<(String, String)> =
            form_urlencoded::parse(req.uri().query().unwrap_or_default().as_bytes()).into_owned().collect();
        prop_assert_eq!(pairs, vec![("channel_id".to_owned(), a), ("service_id".to_owned(), b)]);
    }
}

#[test]
fn debug_of_requests_hides_secrets() {
    let pw = Password::new("pw-SECRET");
    let dbg = format!(
        "{:?} {:?} {:?} {:?}",
        SignIn::new("a@b.c", pw.clone()),
        DeleteAccount {
            email: "a@b.c".into(),
            password: pw
        },
        Refresh::new("a@b.c", RefreshToken::new("rt-SECRET")),
        ApiContext::default().with_access_token("at-SECRET".into()),
    );
    assert!(!dbg.contains("SECRET"), "{dbg}");
}
