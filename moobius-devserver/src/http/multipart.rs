//! A small `multipart/form-data` reader: enough for the presigned-POST upload
//! (text fields, then one file part). Never panics on malformed input.

use bytes::Bytes;

/// One part of a form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    pub(crate) name: String,
    pub(crate) filename: Option<String>,
    pub(crate) content_type: Option<String>,
    pub(crate) data: Bytes,
}

/// The `boundary` parameter of a `multipart/form-data` content type.
pub(crate) fn boundary(content_type: &str) -> Option<String> {
    let mut it = content_type.split(';');
    let mime = it.next()?.trim();
    if !mime.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    it.find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case("boundary")
            .then(|| v.trim().trim_matches('"').to_owned())
    })
    .filter(|b| !b.is_empty())
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    if needle.is_empty() || from > hay.len() {
        return None;
    }
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// A quoted or bare parameter of a `Content-Disposition` header.
fn param(header: &str, name: &str) -> Option<String> {
    header.split(';').skip(1).find_map(|p| {
        let (k, v) = p.split_once('=')?;
        k.trim()
            .eq_ignore_ascii_case(name)
            .then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// Splits a form body into its parts.
pub(crate) fn parse(body: &Bytes, boundary: &str) -> Result<Vec<Part>, String> {
    let delim = format!("--{boundary}");
    let delim = delim.as_bytes();
    let mut pos = find(body, delim, 0).ok_or("no multipart boundary in body")? + delim.len();
    let mut parts = Vec::new();
    loop {
        let rest = body.get(pos..).unwrap_or_default();
        if rest.starts_with(b"--") {
            return Ok(parts);
        }
        if !rest.starts_with(b"\r\n") {
            return Err("malformed multipart boundary line".into());
        }
        let head_start = pos + 2;
        let head_end = find(body, b"\r\n\r\n", head_start).ok_or("unterminated part headers")?;
        let head = String::from_utf8_lossy(&body[head_start..head_end]).into_owned();
        let data_start = head_end + 4;
        let mut closing = Vec::with_capacity(delim.len() + 2);
        closing.extend_from_slice(b"\r\n");
        closing.extend_from_slice(delim);
        let data_end = find(body, &closing, data_start).ok_or("unterminated part")?;
        let mut name = None;
        let mut filename = None;
        let mut content_type = None;
        for line in head.split("\r\n") {
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            if k.trim().eq_ignore_ascii_case("content-disposition") {
                name = param(v, "name");
                filename = param(v, "filename");
            } else if k.trim().eq_ignore_ascii_case("content-type") {
                content_type = Some(v.trim().to_owned());
            }
        }
        parts.push(Part {
            name: name.ok_or("part without a name")?,
            filename,
            content_type,
            data: body.slice(data_start..data_end),
        });
        pos = data_end + closing.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_file() {
        let body = Bytes::from_static(
            b"--XyZ\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nuploads/a.txt\r\n--XyZ\r\nContent-Type: application/octet-stream\r\nContent-Disposition: form-data; name=\"file\"; filename=\"file\"\r\n\r\nhello\r\nworld\r\n--XyZ--\r\n",
        );
        assert_eq!(
            boundary("multipart/form-data; boundary=XyZ").as_deref(),
            Some("XyZ")
        );
        let parts = parse(&body, "XyZ").expect("parse");
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[0].name, "key");
        assert_eq!(&parts[0].data[..], b"uploads/a.txt");
        assert_eq!(parts[1].filename.as_deref(), Some("file"));
        assert_eq!(&parts[1].data[..], b"hello\r\nworld");
    }

    #[test]
    fn garbage_is_an_error() {
        for b in [
            &b""[..],
            b"--XyZ",
            b"--XyZ\r\nno headers end",
            b"--XyZ\r\n\r\nno name\r\n--XyZ--",
        ] {
            assert!(parse(&Bytes::copy_from_slice(b), "XyZ").is_err());
        }
        assert_eq!(boundary("application/json"), None);
    }
}
