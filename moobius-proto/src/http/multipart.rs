//! `multipart/form-data` encoding (RFC 7578) for the presigned upload. The
//! boundary is the caller's: this crate draws no random numbers.

use bytes::{BufMut, Bytes, BytesMut};

/// One part of a form.
pub(crate) struct Part<'a> {
    /// The form field name.
    pub(crate) name: &'a str,
    /// `filename` of a file part.
    pub(crate) filename: Option<&'a str>,
    /// The part's `Content-Type`.
    pub(crate) content_type: &'a str,
    /// The part's content.
    pub(crate) body: &'a [u8],
}

/// Checks a boundary against RFC 2046 §5.1.1: 1 to 70 characters from
/// `bchars` (letters, digits, `'()+_,-./:=?` and space), not ending in a space.
pub(crate) fn validate_boundary(boundary: &str) -> Result<(), String> {
    if boundary.is_empty() || boundary.len() > 70 {
        return Err(format!(
            "a multipart boundary has 1 to 70 characters, this one has {}",
            boundary.len()
        ));
    }
    let ok = |b: u8| b.is_ascii_alphanumeric() || b"'()+_,-./:=? ".contains(&b);
    if !boundary.bytes().all(ok) || boundary.ends_with(' ') {
        return Err("a multipart boundary may only hold letters, digits and '()+_,-./:=? (no trailing space)".to_owned());
    }
    Ok(())
}

/// The `Content-Type` header value of a form with this boundary.
pub(crate) fn content_type(boundary: &str) -> String {
    format!("multipart/form-data; boundary={boundary}")
}

/// A quoted-string parameter value: `"` and line breaks percent-encoded (as
/// browsers do for form field names).
fn quote(value: &str) -> String {
    value
        .replace('"', "%22")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Encodes the parts in order. Fails when `--boundary` occurs inside a part,
/// which would cut it short: pick another boundary then.
pub(crate) fn encode(boundary: &str, parts: &[Part<'_>]) -> Result<Bytes, String> {
    validate_boundary(boundary)?;
    let delimiter = format!("--{boundary}");
    let clash = |data: &[u8]| {
        data.windows(delimiter.len())
            .any(|w| w == delimiter.as_bytes())
    };
    let mut out = BytesMut::with_capacity(
        parts
            .iter()
            .map(|p| p.body.len() + p.name.len() + delimiter.len() + 128)
            .sum::<usize>()
            + delimiter.len()
            + 4,
    );
    for part in parts {
        if clash(part.body)
            || clash(part.name.as_bytes())
            || part.filename.is_some_and(|f| clash(f.as_bytes()))
        {
            return Err(format!(
                "the boundary occurs inside part {:?}; use another boundary",
                part.name
            ));
        }
        out.put_slice(delimiter.as_bytes());
        out.put_slice(b"\r\nContent-Disposition: form-data; name=\"");
        out.put_slice(quote(part.name).as_bytes());
        out.put_slice(b"\"");
        if let Some(filename) = part.filename {
            out.put_slice(b"; filename=\"");
            out.put_slice(quote(filename).as_bytes());
            out.put_slice(b"\"");
        }
        out.put_slice(b"\r\nContent-Type: ");
        out.put_slice(part.content_type.as_bytes());
        out.put_slice(b"\r\n\r\n");
        out.put_slice(part.body);
        out.put_slice(b"\r\n");
    }
    out.put_slice(delimiter.as_bytes());
    out.put_slice(b"--\r\n");
    Ok(out.freeze())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_parts_in_order() {
        let body = encode(
            "XyZ",
            &[
                Part {
                    name: "key",
                    filename: None,
                    content_type: "text/plain; charset=utf-8",
                    body: b"uploads/a.txt",
                },
                Part {
                    name: "file",
                    filename: Some("file"),
                    content_type: "application/octet-stream",
                    body: b"hi\r\n",
                },
            ],
        )
        .unwrap();
        assert_eq!(
            std::str::from_utf8(&body).unwrap(),
            "--XyZ\r\nContent-Disposition: form-data; name=\"key\"\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nuploads/a.txt\r\n\
             --XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"file\"\r\nContent-Type: application/octet-stream\r\n\r\nhi\r\n\r\n\
             --XyZ--\r\n"
        );
        assert_eq!(content_type("XyZ"), "multipart/form-data; boundary=XyZ");
    }

    #[test]
    fn names_are_escaped() {
        let body = encode(
            "b",
            &[Part {
                name: "a\"b\r\nc",
                filename: None,
                content_type: "text/plain",
                body: b"",
            }],
        )
        .unwrap();
        assert!(std::str::from_utf8(&body)
            .unwrap()
            .contains("name=\"a%22b%0D%0Ac\""));
    }

    #[test]
    fn bad_or_clashing_boundaries_are_refused() {
        assert!(validate_boundary("").is_err());
        assert!(validate_boundary(&"a".repeat(71)).is_err());
        assert!(validate_boundary("a\r\nb").is_err());
        assert!(validate_boundary("ab ").is_err());
        assert!(validate_boundary("a b-c_d'(e)+f,g.h/i:j=k?").is_ok());
        let p = Part {
            name: "file",
            filename: Some("file"),
            content_type: "application/octet-stream",
            body: b"xx--BOUNDARYxx",
        };
        assert!(encode("BOUNDARY", &[p]).is_err());
    }
}
