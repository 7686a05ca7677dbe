//! Comparing a request we built with the one the reference SDK made.

use super::case::Recorded;
use super::json_eq::{json_matches, untag};
use bytes::Bytes;
use serde_json::{Map, Value};

/// Scheme, authority and path, and the decoded query pairs (in order) of a
/// URL. Split as text: a recorded URL may hold placeholders (`<tmp>`) that
/// no URI parser accepts.
fn split_url(url: &str) -> Result<(String, Vec<(String, String)>), String> {
    if !url.contains("://") {
        return Err(format!("bad URL {url:?}: no scheme"));
    }
    let url = url.split('#').next().unwrap_or(url);
    let (base, query) = url.split_once('?').unwrap_or((url, ""));
    let query = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    Ok((base.to_owned(), query))
}

/// The headers the equality rule looks at.
const AUTH_HEADERS: [&str; 2] = ["Auth-Origin", "Authorization"];

/// Every difference between our request and the recorded one, as text.
/// Compared: method, URL (query parameters decoded, in order), the
/// `Auth-Origin`/`Authorization` headers, the JSON body or the multipart
/// form. Rule: a `GET` or `HEAD` never carries a body, whatever the
/// reference sent.
pub(crate) fn compare_request(ours: &http::Request<Bytes>, rec: &Recorded) -> Vec<String> {
    let mut diffs = Vec::new();
    if ours.method().as_str() != rec.method {
        diffs.push(format!(
            "method: expected {}, got {}",
            rec.method,
            ours.method()
        ));
    }
    match (split_url(&rec.full_url), split_url(&ours.uri().to_string())) {
        (Ok((eb, eq)), Ok((ab, aq))) => {
            if eb != ab {
                diffs.push(format!("url: expected {eb}, got {ab}"));
            }
            // Rule A9: an upload's extension is taken from the file name;
            // the reference's whole-path extension counts by its last segment.
            let eq: Vec<(String, String)> = if eb.ends_with("/file/upload") {
                eq.into_iter()
                    .map(|(k, v)| match (k.as_str(), v.rsplit_once('/')) {
                        ("extension", Some((_, last))) => (k.clone(), last.to_owned()),
                        _ => (k, v),
                    })
                    .collect()
            } else {
                eq
            };
            if eq != aq {
                diffs.push(format!("query: expected {eq:?}, got {aq:?}"));
            }
        }
        (Err(e), _) | (_, Err(e)) => diffs.push(e),
    }
    for name in AUTH_HEADERS {
        let expected = rec
            .headers
            .as_ref()
            .and_then(|h| h.get(name))
            .and_then(Value::as_str);
        let actual = ours.headers().get(name).and_then(|v| v.to_str().ok());
        if expected != actual {
            diffs.push(format!(
                "header {name}: expected {expected:?}, got {actual:?}"
            ));
        }
    }
    let body = ours.body();
    let content_type = ours
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if matches!(rec.method.as_str(), "GET" | "HEAD") {
        if !body.is_empty() {
            diffs.push(format!(
                "a {} must carry no body, got {} bytes",
                rec.method,
                body.len()
            ));
        }
    } else if let Some(expected) = &rec.json {
        if content_type != "application/json" {
            diffs.push(format!(
                "content-type: expected application/json, got {content_type:?}"
            ));
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(actual) => {
                if let Err(d) = json_matches(expected, &actual) {
                    diffs.push(format!("json body {d}"));
                }
            }
            Err(e) => diffs.push(format!("body is not JSON: {e}")),
        }
    } else if let Some(form) = &rec.form {
        diffs.extend(compare_form(
            content_type,
            body,
            form,
            rec.part_headers.as_deref(),
        ));
    } else if !body.is_empty() {
        diffs.push(format!("expected no body, got {} bytes", body.len()));
    }
    diffs
}

/// One part of a multipart body: its headers and content.
struct ParsedPart {
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

/// Splits a `multipart/form-data` body (strictly: CRLF line ends, a closing
/// delimiter, nothing after it but a line end).
fn parse_multipart(content_type: &str, body: &[u8]) -> Result<Vec<ParsedPart>, String> {
    let boundary = content_type
        .strip_prefix("multipart/form-data; boundary=")
        .ok_or_else(|| format!("content-type is not multipart/form-data: {content_type:?}"))?;
    let first = format!("--{boundary}\r\n");
    let next = format!("\r\n--{boundary}");
    let mut rest = body
        .strip_prefix(first.as_bytes())
        .ok_or("body does not start with the boundary")?;
    let mut parts = Vec::new();
    loop {
        let end = find(rest, next.as_bytes()).ok_or("unterminated part")?;
        let (part, after) = rest.split_at(end);
        let head_end = find(part, b"\r\n\r\n").ok_or("part without header end")?;
        let head = std::str::from_utf8(&part[..head_end]).map_err(|e| e.to_string())?;
        let headers = head
            .split("\r\n")
            .map(|line| {
                let (k, v) = line.split_once(": ").unwrap_or((line, ""));
                (k.to_owned(), v.to_owned())
            })
            .collect();
        parts.push(ParsedPart {
            headers,
            body: part[head_end + 4..].to_vec(),
        });
        let after = &after[next.len()..];
        if after == b"--\r\n" {
            return Ok(parts);
        }
        rest = after
            .strip_prefix(b"\r\n")
            .ok_or("garbage after a delimiter")?;
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Our multipart body against the recorded `form` fields (names and values
/// in order) and `multipart_part_headers`.
fn compare_form(
    content_type: &str,
    body: &[u8],
    form: &[Value],
    part_headers: Option<&[Value]>,
) -> Vec<String> {
    let parts = match parse_multipart(content_type, body) {
        Ok(p) => p,
        Err(e) => return vec![format!("multipart: {e}")],
    };
    let mut diffs = Vec::new();
    if parts.len() != form.len() {
        diffs.push(format!(
            "multipart: expected {} parts, got {}",
            form.len(),
            parts.len()
        ));
    }
    for (i, (part, field)) in parts.iter().zip(form).enumerate() {
        let name = field[0].as_str().unwrap_or_default();
        let expected = match &field[1] {
            Value::String(s) => s.as_bytes().to_vec(),
            tagged => match untag(tagged) {
                Value::Array(b) => b
                    .iter()
                    .filter_map(Value::as_u64)
                    .map(|b| b as u8)
                    .collect(),
                other => other.to_string().into_bytes(),
            },
        };
        if part.body != expected {
            diffs.push(format!("multipart part {i} ({name}): content differs"));
        }
        let want: Map<String, Value> = part_headers
            .and_then(|h| h.get(i))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_else(|| {
                let mut m = Map::new();
                m.insert(
                    "Content-Disposition".into(),
                    format!("form-data; name=\"{name}\"").into(),
                );
                m
            });
        for (k, v) in &want {
            let got = part
                .headers
                .iter()
                .find(|(hk, _)| hk.eq_ignore_ascii_case(k))
                .map(|(_, hv)| hv.as_str());
            if got != v.as_str() {
                diffs.push(format!(
                    "multipart part {i} header {k}: expected {v}, got {got:?}"
                ));
            }
        }
        if part.headers.len() != want.len() {
            diffs.push(format!("multipart part {i}: headers {:?}", part.headers));
        }
    }
    diffs
}
