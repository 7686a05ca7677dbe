//! Standard base64 decoding, for the fixtures' `$bytes_b64` values.

/// Decodes standard (`+/`, `=`-padded) base64; `None` on a bad character.
pub(crate) fn decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for c in text
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
    {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).ok()?);
        }
    }
    Some(out)
}

#[test]
fn decodes() {
    assert_eq!(decode("aGVsbG8gbW9vYml1cwo=").unwrap(), b"hello moobius\n");
    assert_eq!(decode("").unwrap(), b"");
    assert_eq!(decode("YQ==").unwrap(), b"a");
    assert!(decode("a*").is_none());
}
