//! One golden case of `shared/fixtures/http/` (layout in the fixtures' README).

use bytes::Bytes;
use moobius_proto::http::{ApiContext, BaseUri};
use moobius_proto::AccessToken;
use serde_json::{Map, Value};
use std::path::Path;

/// A request the reference SDK made and the response its stub returned,
/// from either `request[]` (platform calls) or `raw_http[]` (direct aiohttp).
#[derive(Debug)]
pub(crate) struct Recorded {
    /// `GET`, `POST`, `HEAD`.
    pub(crate) method: String,
    /// The URL with its query (`full_url`, or `url` for `raw_http`).
    pub(crate) full_url: String,
    /// Headers sent (`None`: none).
    pub(crate) headers: Option<Map<String, Value>>,
    /// The JSON body.
    pub(crate) json: Option<Value>,
    /// The multipart form fields in order: `[name, value]`.
    pub(crate) form: Option<Vec<Value>>,
    /// Headers of each multipart part.
    pub(crate) part_headers: Option<Vec<Value>>,
    /// The response, as the HTTP exchange it stands for.
    pub(crate) response: http::Response<Bytes>,
    /// The recorded envelope `code` when the response is an envelope.
    pub(crate) envelope_code: Option<i64>,
    /// The recorded envelope `message`.
    pub(crate) envelope_message: Option<String>,
}

/// One case file.
#[derive(Debug)]
pub(crate) struct Case {
    /// The SDK method, without the `HTTPAPIWrapper.` prefix.
    pub(crate) method: String,
    setup: Map<String, Value>,
    args: Map<String, Value>,
    /// Requests in order (`request[]` then `raw_http[]`).
    pub(crate) recorded: Vec<Recorded>,
    /// The reference's return value (tagged encoding).
    pub(crate) result: Value,
    /// Whether the reference raised.
    pub(crate) raised: bool,
    /// Whether the reference logged an `ERROR` (a failure it may have swallowed).
    pub(crate) logged_error: bool,
    /// The number of requests the reference made (`request[]` + `raw_http[]`).
    pub(crate) reference_requests: usize,
}

fn obj(v: &Value, what: &str) -> Result<Map<String, Value>, String> {
    match v {
        Value::Object(m) => Ok(m.clone()),
        Value::Null => Ok(Map::new()),
        other => Err(format!("{what} is not an object: {other}")),
    }
}

fn opt_obj(v: Option<&Value>) -> Option<Map<String, Value>> {
    v.and_then(Value::as_object).cloned()
}

impl Case {
    /// Reads and interprets a case file.
    pub(crate) fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
        let v: Value = serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))?;
        let call = v["call"].as_str().ok_or("no `call`")?;
        let method = call
            .strip_prefix("HTTPAPIWrapper.")
            .unwrap_or(call)
            .to_owned();
        // The responses' raw text, which keeps key order (a `Value` sorts keys).
        #[derive(serde::Deserialize)]
        struct RawCase {
            #[serde(default)]
            request: Vec<RawRequest>,
        }
        #[derive(serde::Deserialize)]
        struct RawRequest {
            response: Box<serde_json::value::RawValue>,
        }
        let raw: RawCase =
            serde_json::from_str(&text).map_err(|e| format!("bad request list: {e}"))?;
        let mut recorded = Vec::new();
        for (r, raw) in v["request"]
            .as_array()
            .into_iter()
            .flatten()
            .zip(&raw.request)
        {
            recorded.push(Self::platform_exchange(r, raw.response.get())?);
        }
        for r in v["raw_http"].as_array().into_iter().flatten() {
            recorded.push(Self::raw_exchange(r)?);
        }
        let recorded_len = recorded.len();
        Ok(Self {
            method,
            setup: obj(&v["setup"], "setup")?,
            args: obj(&v["args"], "args")?,
            recorded,
            result: v["result"].clone(),
            raised: !v["error"].is_null(),
            logged_error: v["sdk_log"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|l| l["level"] == "ERROR"),
            reference_requests: recorded_len,
        })
    }

    /// An entry of `request[]`: the stub's return value is the parsed JSON
    /// body, or `{"blob": text, "code": status}` for a non-JSON reply.
    fn platform_exchange(r: &Value, raw_response: &str) -> Result<Recorded, String> {
        let recorded = &r["response"];
        let blob = recorded
            .as_object()
            .filter(|m| m.len() == 2 && m.contains_key("blob") && m.contains_key("code"));
        let response = match blob {
            Some(m) => {
                let status = m["code"].as_u64().ok_or("blob code is not a status")?;
                let mut resp = http::Response::new(Bytes::from(
                    m["blob"].as_str().unwrap_or_default().to_owned(),
                ));
                *resp.status_mut() =
                    http::StatusCode::from_u16(u16::try_from(status).map_err(|e| e.to_string())?)
                        .map_err(|e| e.to_string())?;
                resp
            }
            None => http::Response::builder()
                .status(200)
                .header("content-type", "application/json")
                .body(Bytes::from(raw_response.to_owned()))
                .map_err(|e| e.to_string())?,
        };
        Ok(Recorded {
            method: r["method"].as_str().ok_or("no method")?.to_owned(),
            full_url: r["full_url"].as_str().ok_or("no full_url")?.to_owned(),
            headers: opt_obj(r.get("headers")),
            json: r.get("json").filter(|j| !j.is_null()).cloned(),
            form: r["form"].as_array().cloned(),
            part_headers: r["multipart_part_headers"].as_array().cloned(),
            response,
            envelope_code: if blob.is_some() {
                None
            } else {
                recorded["code"].as_i64()
            },
            envelope_message: recorded["message"].as_str().map(str::to_owned),
        })
    }

    /// An entry of `raw_http[]`: status, headers and body as recorded.
    fn raw_exchange(r: &Value) -> Result<Recorded, String> {
        let resp = &r["response"];
        let status = resp["status"].as_u64().ok_or("no status")?;
        let mut b =
            http::Response::builder().status(u16::try_from(status).map_err(|e| e.to_string())?);
        for (k, v) in resp["headers"].as_object().into_iter().flatten() {
            b = b.header(k.as_str(), v.as_str().unwrap_or_default());
        }
        let body = match resp["body"].get("$bytes_b64").and_then(Value::as_str) {
            Some(b64) => super::base64::decode(b64).ok_or("bad base64")?,
            None => Vec::new(),
        };
        let kwargs = obj(&r["kwargs"], "kwargs")?;
        Ok(Recorded {
            method: r["method"].as_str().ok_or("no method")?.to_owned(),
            full_url: r["url"].as_str().ok_or("no url")?.to_owned(),
            headers: opt_obj(kwargs.get("headers")),
            json: None,
            form: None,
            part_headers: None,
            response: b.body(Bytes::from(body)).map_err(|e| e.to_string())?,
            envelope_code: None,
            envelope_message: None,
        })
    }

    /// The client context of `setup`: base URI and (when set) the access token.
    pub(crate) fn context(&self) -> Result<ApiContext, String> {
        let base = BaseUri::parse(self.setup_str("http_server_uri")?).map_err(|e| e.to_string())?;
        let ctx = ApiContext::new(base);
        Ok(match self.setup_str("access_token") {
            Ok(t) if !t.is_empty() => ctx.with_access_token(AccessToken::new(t)),
            _ => ctx,
        })
    }

    /// A string of `setup`.
    pub(crate) fn setup_str(&self, key: &str) -> Result<&str, String> {
        self.setup
            .get(key)
            .and_then(Value::as_str)
            .ok_or_else(|| format!("setup.{key} missing or not a string"))
    }

    /// An argument, as JSON.
    pub(crate) fn arg(&self, key: &str) -> Result<&Value, String> {
        self.args
            .get(key)
            .ok_or_else(|| format!("args.{key} missing"))
    }

    /// A string argument.
    pub(crate) fn arg_str(&self, key: &str) -> Result<&str, String> {
        self.arg(key)?
            .as_str()
            .ok_or_else(|| format!("args.{key} is not a string"))
    }

    /// An optional argument (absent or `null` → `None`).
    pub(crate) fn opt_arg(&self, key: &str) -> Option<&Value> {
        self.args.get(key).filter(|v| !v.is_null())
    }

    /// The bytes of the file part the reference posted in request `i`.
    pub(crate) fn posted_file(&self, i: usize) -> Option<Vec<u8>> {
        let form = self.recorded.get(i)?.form.as_ref()?;
        let part = form.iter().find(|p| p[0] == "file")?;
        let bytes = super::json_eq::untag(&part[1]);
        Some(
            bytes
                .as_array()?
                .iter()
                .filter_map(Value::as_u64)
                .filter_map(|b| u8::try_from(b).ok())
                .collect(),
        )
    }
}

/// The fixture folders of a kind, in order: the shared golden cases
/// (`shared/fixtures/<kind>` beside the repository, or the folder named by
/// `MOOBIUS_FIXTURES`), then our own recordings (`tests/fixtures-extra/<kind>`,
/// made by `tests/python/record_fixtures.py`).
pub(crate) fn fixture_dirs(kind: &str) -> Vec<std::path::PathBuf> {
    let shared = std::env::var_os("MOOBIUS_FIXTURES")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/fixtures"));
    let extra = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures-extra");
    vec![shared.join(kind), extra.join(kind)]
}

/// Every `*.json` case file of a kind, sorted within each folder; panics
/// (naming the folder) when a folder is missing or empty.
pub(crate) fn case_files(kind: &str) -> Vec<std::path::PathBuf> {
    let mut all = Vec::new();
    for dir in fixture_dirs(kind) {
        let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| {
                panic!(
                    "cannot read {}: {e} (is shared/ beside the repo, or MOOBIUS_FIXTURES set?)",
                    dir.display()
                )
            })
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no cases in {}", dir.display());
        all.extend(files);
    }
    all
}
