//! The HTTP API against the golden cases recorded from the official Python
//! SDK (`shared/fixtures/http/*.json`), plus robustness properties.
//!
//! For every case file: build our request from the case's `setup` and `args`
//! (one mapping per reference `call`; an unknown call fails loudly), compare
//! it with what the reference sent, snapshot it, parse the recorded response
//! and compare the typed result with the reference's. Where we deliberately
//! differ (EXPECTATIONS.md, "http/"), the expectation is a rule about the
//! call, stated where it applies:
//!
//! * a call the reference answered with an error envelope (any code but
//!   `10000`/`204`) yields [`ApiError::Api`] with that code and message —
//!   even where the reference swallowed it (`authenticate`) or returned
//!   `false` (`bind_service_to_channel`);
//! * a call on which the reference raised yields a typed error naming the
//!   endpoint (e.g. `create_service_group` with non-string `data`);
//! * bind succeeds on envelope codes `10000` and `204` alike;
//! * a `GET` carries no body (the reference sends one with the history);
//! * `fetch_agents` makes one request; the reference's later requests are its
//!   retries, and the first answer decides;
//! * the message history yields the envelope's `data`, not the envelope;
//! * a profile lookup always yields a list (one element for one id);
//! * placeholder group ids (`"null"`, …) resolve to `[]` without a request;
//! * query parameters are compared decoded, so encoding is allowed.

mod http_support;

use bytes::Bytes;
use http_support::case::{Case, Recorded};
use http_support::json_eq::{bytes_json, json_matches, untag};
use http_support::wire::{compare_request, request_view};
use moobius_proto::http::*;
use moobius_proto::model::Character;
use moobius_proto::{Password, RefreshToken};
use proptest::prelude::*;
use serde_json::{json, Value};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

/// The fixtures: `shared/` sits beside the repository root.
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/fixtures/http");

/// The multipart boundary used for uploads (the caller's choice).
const BOUNDARY: &str = "moobius-fixture-boundary-0123456789abcdef";

#[test]
fn every_http_fixture() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(FIXTURES)
        .unwrap_or_else(|e| panic!("cannot read {FIXTURES}: {e} (is shared/ beside the repo?)"))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no fixtures in {FIXTURES}");
    let mut failures = Vec::new();
    for path in &files {
        let name = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
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
}

/// One case in progress: the context, and how many recorded requests we used.
struct Run<'a> {
    case: &'a Case,
    ctx: ApiContext,
    made: usize,
}

impl<'a> Run<'a> {
    /// Builds our request, checks it against the next recorded one,
    /// snapshots it, and parses the recorded response.
    fn exchange<E: Endpoint>(&mut self, ep: &E) -> Result<Result<E::Output, ApiError>, String> {
        let i = self.made;
        let rec: &'a Recorded = self.case.recorded.get(i).ok_or_else(|| {
            format!(
                "we make request #{i} ({}) but the reference made only {}",
                E::NAME,
                self.case.recorded.len()
            )
        })?;
        let req = ep
            .request(&self.ctx)
            .map_err(|e| format!("building request #{i}: {e}"))?;
        let diffs = compare_request(&req, rec);
        if !diffs.is_empty() {
            return Err(format!(
                "request #{i} ({} {}) differs:\n    {}",
                req.method(),
                req.uri(),
                diffs.join("\n    ")
            ));
        }
        insta::assert_json_snapshot!(format!("{}-{i}", self.case.name), request_view(&req));
        self.made += 1;
        Ok(ep.parse(&rec.response))
    }

    /// Judges our outcome (see the module docs for the rules); `expected` is
    /// what a success must equal, `to_json` renders ours.
    fn expect<T>(
        &self,
        endpoint: &'static str,
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
        if self.case.raised {
            return match ours {
                Err(e) if e.endpoint() == endpoint => Ok(()),
                Err(e) => Err(format!(
                    "the error names {:?}, not {endpoint:?}: {e}",
                    e.endpoint()
                )),
                Ok(v) => Err(format!("the reference raised; we returned {}", to_json(v))),
            };
        }
        if let Some(code) = error_code {
            let message = deciding
                .and_then(|r| r.envelope_message.clone())
                .unwrap_or_default();
            return match ours {
                Err(ApiError::Api {
                    endpoint: e,
                    code: c,
                    message: m,
                    ..
                }) if e == endpoint && c == code && m == message => Ok(()),
                Err(e) => Err(format!(
                    "expected ApiError::Api code {code} from {endpoint}, got {e:?}"
                )),
                Ok(v) => Err(format!("error envelope {code} accepted as {}", to_json(v))),
            };
        }
        match ours {
            Ok(v) => json_matches(&expected, &to_json(v)).map_err(|d| format!("result {d}")),
            Err(e) => Err(format!("parse failed: {e}")),
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

/// An avatar argument as the URL to send: local files would need an upload,
/// which these cases never do.
fn avatar_url(case: &Case, key: &str) -> Result<String, String> {
    let given = match case.arg(key) {
        Ok(Value::String(s)) => s.as_str(),
        _ => "",
    };
    MediaSource::classify(given)
        .url()
        .map(str::to_owned)
        .ok_or_else(|| format!("args.{key} is a local file; these cases upload nothing"))
}

/// Runs one case; `Err` describes the failure.
fn run_case(case: &Case) -> Result<(), String> {
    let mut run = Run {
        case,
        ctx: case.context()?,
        made: 0,
    };
    let result = untag(&case.result);
    let email = || case.setup_str("email").map(str::to_owned);
    let password = || case.setup_str("password").map(Password::new);
    // Every request the reference made is one we make, except where a rule
    // below says otherwise.
    let mut expected_requests = case.recorded.len();

    match case.method.as_str() {
        // ---- auth ----
        "authenticate" => {
            let ep = SignIn::new(email()?, password()?);
            let out = run.exchange(&ep)?;
            run.expect(
                SignIn::NAME,
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
            run.expect(Refresh::NAME, out, |t| json!(t.expose()), result)
        }
        "request_sign_up_code" => {
            let ep = SignUp {
                email: email()?,
                password: password()?,
            };
            let out = run.exchange(&ep)?;
            run.expect(SignUp::NAME, out, |()| Value::Null, result)
        }
        "request_sign_up_code_again" => {
            let ep = ResendConfirmation { email: email()? };
            let out = run.exchange(&ep)?;
            run.expect(ResendConfirmation::NAME, out, |()| Value::Null, result)
        }
        "sign_up_with_code" => {
            let ep = ConfirmSignUp {
                email: email()?,
                code: case.arg_str("the_code")?.into(),
            };
            let out = run.exchange(&ep)?;
            run.expect(ConfirmSignUp::NAME, out, |()| Value::Null, result)
        }
        "request_password_reset_code" => {
            let ep = ForgotPassword { email: email()? };
            let out = run.exchange(&ep)?;
            run.expect(ForgotPassword::NAME, out, |()| Value::Null, result)
        }
        "reset_password_with_code" => {
            // The new password is the configured one, as in the reference.
            let ep = ConfirmResetPassword {
                email: email()?,
                new_password: password()?,
                code: case.arg_str("the_code")?.into(),
            };
            let out = run.exchange(&ep)?;
            run.expect(ConfirmResetPassword::NAME, out, |()| Value::Null, result)
        }
        "delete_account" => {
            let ep = DeleteAccount {
                email: email()?,
                password: password()?,
            };
            let out = run.exchange(&ep)?;
            run.expect(DeleteAccount::NAME, out, |()| Value::Null, result)
        }
        "sign_out" => {
            let out = run.exchange(&SignOut)?;
            run.expect(SignOut::NAME, out, |()| Value::Null, result)
        }

        // ---- user ----
        "fetch_user_info" => {
            let out = run.exchange(&FetchUserInfo)?;
            run.expect(FetchUserInfo::NAME, out, to_json, result)
        }
        "update_current_user" => {
            let ep = UpdateCurrentUser {
                avatar: avatar_url(case, "avatar")?,
                description: case.arg_str("description")?.to_owned(),
                name: case.arg_str("name")?.to_owned(),
            };
            let out = run.exchange(&ep)?;
            run.expect(UpdateCurrentUser::NAME, out, |v| v, result)
        }

        // ---- service ----
        "create_service" => {
            let ep = CreateService::new(case.arg_str("description")?);
            let out = run.exchange(&ep)?;
            run.expect(CreateService::NAME, out, to_json, result)
        }
        "fetch_service_id_list" => {
            let out = run.exchange(&FetchServiceList)?;
            run.expect(FetchServiceList::NAME, out, to_json, result)
        }
        "bind_service_to_channel" => {
            let ep = BindService::new(case.arg_str("channel_id")?, case.arg_str("service_id")?);
            let out = run.exchange(&ep)?;
            // Rule: bind succeeds on 10000 and 204 alike (the reference
            // answers `false` to 204); failures are errors, judged above.
            run.expect(BindService::NAME, out, |()| json!(true), json!(true))
        }
        "unbind_service_from_channel" => {
            let ep = UnbindService::new(case.arg_str("channel_id")?, case.arg_str("service_id")?);
            let out = run.exchange(&ep)?;
            run.expect(UnbindService::NAME, out, |()| Value::Null, result)
        }

        // ---- agents ----
        "create_agent" => {
            let description = match case.arg("description") {
                Ok(Value::String(d)) => d.clone(),
                _ => DEFAULT_AGENT_DESCRIPTION.to_owned(),
            };
            let ep = CreateAgent {
                service_id: case.arg_str("service_id")?.into(),
                name: case.arg_str("name")?.to_owned(),
                avatar: avatar_url(case, "avatar")?,
                description,
            };
            let out = run.exchange(&ep)?;
            run.expect(CreateAgent::NAME, out, |c| character_json(&c), result)
        }
        "update_agent" => {
            let ep = UpdateAgent {
                service_id: case.arg_str("service_id")?.into(),
                character_id: case.arg_str("character")?.into(),
                name: case.arg_str("name")?.to_owned(),
                avatar: avatar_url(case, "avatar")?,
                description: case.arg_str("description")?.to_owned(),
            };
            let out = run.exchange(&ep)?;
            run.expect(UpdateAgent::NAME, out, |v| v, result)
        }
        "fetch_agents" => {
            // Rule: one request; the reference's further requests are retries.
            expected_requests = 1;
            let ep = FetchAgents::new(case.arg_str("service_id")?);
            let out = run.exchange(&ep)?;
            run.expect(FetchAgents::NAME, out, characters_json, result)
        }

        // ---- channels ----
        "create_channel" => {
            let ep =
                CreateChannel::new(case.arg_str("channel_name")?, case.arg_str("channel_desc")?);
            let out = run.exchange(&ep)?;
            run.expect(CreateChannel::NAME, out, to_json, result)
        }
        "update_channel" => {
            let ep = UpdateChannel {
                channel_id: case.arg_str("channel_id")?.into(),
                name: case.arg_str("channel_name")?.to_owned(),
                description: case.arg_str("channel_desc")?.to_owned(),
            };
            let out = run.exchange(&ep)?;
            run.expect(UpdateChannel::NAME, out, |()| Value::Null, result)
        }
        "fetch_popular_channels" => {
            let out = run.exchange(&FetchPopularChannels)?;
            run.expect(FetchPopularChannels::NAME, out, to_json, result)
        }
        "fetch_channel_list" | "this_user_channels" => {
            let out = run.exchange(&FetchChannelList)?;
            run.expect(FetchChannelList::NAME, out, to_json, result)
        }
        "fetch_message_history" => {
            let mut ep = FetchMessageHistory::new(case.arg_str("channel_id")?);
            match case.arg("limit") {
                Ok(Value::Number(n)) => {
                    ep.limit = n
                        .as_u64()
                        .and_then(|n| u32::try_from(n).ok())
                        .ok_or("bad limit")?
                }
                Ok(Value::String(s)) => ep.limit = s.parse().map_err(|_| "bad limit")?,
                _ => {}
            }
            if let Ok(Value::String(before)) = case.arg("before") {
                ep.before = Some(before.clone());
            }
            let out = run.exchange(&ep)?;
            // Rule: the result is the envelope's `data`, not the envelope.
            let expected = match &result {
                Value::Object(m) if m.contains_key("code") => {
                    m.get("data").cloned().unwrap_or(json!([]))
                }
                other => other.clone(),
            };
            run.expect(FetchMessageHistory::NAME, out, to_json, expected)
        }
        "fetch_member_ids" => {
            let ep = FetchMemberIds::new(case.arg_str("channel_id")?, case.arg_str("service_id")?);
            let out = run.exchange(&ep)?;
            run.expect(FetchMemberIds::NAME, out, to_json, result)
        }

        // ---- characters ----
        "fetch_character_profile" => {
            // Rule: always a list; one id in → a one-element list.
            let (ep, expected) = match case.arg("character")? {
                Value::String(id) => (FetchCharacterProfile::one(id.as_str()), json!([result])),
                _ => (
                    FetchCharacterProfile::many(case.arg_strs("character")?),
                    result,
                ),
            };
            let out = run.exchange(&ep)?;
            run.expect(FetchCharacterProfile::NAME, out, characters_json, expected)
        }

        // ---- files ----
        "upload" => {
            let step1 = RequestUploadUrl::for_file(case.arg_str("file_path")?);
            let target = match run.exchange(&step1)? {
                Ok(t) => t,
                Err(e) => {
                    return run.expect(
                        RequestUploadUrl::NAME,
                        Err::<(), _>(e),
                        |()| Value::Null,
                        result,
                    )
                }
            };
            let file = case
                .recorded
                .get(1)
                .and_then(|r| r.form.as_ref())
                .and_then(|f| f.iter().find(|p| p[0] == "file"))
                .map(|p| untag(&p[1]))
                .and_then(|b| {
                    b.as_array().map(|a| {
                        a.iter()
                            .filter_map(Value::as_u64)
                            .map(|b| b as u8)
                            .collect::<Vec<u8>>()
                    })
                })
                .ok_or("no file part recorded")?;
            let step2 = UploadFile::new(target, Bytes::from(file), BOUNDARY);
            let out = run.exchange(&step2)?;
            run.expect(UploadFile::NAME, out, |url| json!(url), result)
        }
        "convert_to_url" => {
            // Pure: an empty path or a URL needs no request.
            let source = MediaSource::classify(case.arg_str("file_path")?);
            let url = source
                .url()
                .ok_or_else(|| format!("{source:?} would need an upload"))?;
            json_matches(&result, &json!(url))
        }
        "download_size" => {
            let ep = DownloadSize::new(case.arg_str("url")?);
            let out = run.exchange(&ep)?;
            run.expect(DownloadSize::NAME, out, to_json, result)
        }
        "download" => {
            let ep = Download {
                url: case.arg_str("source")?.to_owned(),
                with_auth: matches!(case.arg("headers"), Ok(Value::String(h)) if h == "self"),
            };
            let out = run.exchange(&ep)?;
            run.expect(Download::NAME, out, |b| bytes_json(&b), result)
        }

        // ---- groups ----
        "create_service_group" => {
            let ep = CreateServiceGroup::new(case.arg_strs("characters")?);
            let out = run.exchange(&ep)?;
            run.expect(CreateServiceGroup::NAME, out, to_json, result)
        }
        "character_ids_of_service_group" => {
            let group_id = case.arg_str("group_id")?;
            if is_placeholder_group_id(group_id) {
                // Rule: placeholder ids resolve to no one, without a request.
                json_matches(&result, &json!([]))
            } else {
                let out = run.exchange(&FetchServiceGroup::new(group_id))?;
                run.expect(FetchServiceGroup::NAME, out, to_json, result)
            }
        }
        "create_channel_group" => {
            let ep = CreateChannelGroup {
                channel_id: case.arg_str("channel_id")?.into(),
                group_name: case.arg_str("group_name")?.to_owned(),
                characters: case
                    .arg_strs("characters")?
                    .into_iter()
                    .map(Into::into)
                    .collect(),
            };
            let out = run.exchange(&ep)?;
            run.expect(CreateChannelGroup::NAME, out, to_json, result)
        }
        "character_ids_of_channel_group" => {
            let ep = FetchChannelGroup {
                group_id: case.arg_str("group_id")?.into(),
                channel_id: case.arg_str("channel_id")?.into(),
                user_id: case.arg_str("sender_id")?.into(),
            };
            let out = run.exchange(&ep)?;
            run.expect(FetchChannelGroup::NAME, out, to_json, result)
        }
        "fetch_channel_group_dict" | "fetch_channel_group_list" => {
            let ep = FetchChannelGroups {
                channel_id: case.arg_str("channel_id")?.into(),
                service_id: case.arg_str("service_id")?.into(),
            };
            let out = run.exchange(&ep)?;
            if case.method == "fetch_channel_group_dict" {
                run.expect(
                    FetchChannelGroups::NAME,
                    out,
                    |g| to_json(g.members_by_group()),
                    result,
                )
            } else {
                run.expect(FetchChannelGroups::NAME, out, to_json, result)
            }
        }
        "fetch_channel_temp_group" => {
            let ep = FetchChannelTempGroup {
                channel_id: case.arg_str("channel_id")?.into(),
                service_id: case.arg_str("service_id")?.into(),
            };
            let out = run.exchange(&ep)?;
            run.expect(FetchChannelTempGroup::NAME, out, |v| v, result)
        }

        other => Err(format!(
            "unknown call {other:?}: map it to an endpoint in run_case (tests/http_fixtures.rs)"
        )),
    }?;

    if run.made != expected_requests {
        return Err(format!(
            "we made {} request(s), the reference made {} (expected {expected_requests})",
            run.made,
            case.recorded.len()
        ));
    }
    Ok(())
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
    let _ = DownloadSize::new("https://x/").parse(response);
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
        let _ = Download { url: b.clone(), with_auth: true }.request(&ctx);
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
