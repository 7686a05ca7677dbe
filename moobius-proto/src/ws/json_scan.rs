//! A strict, minimal JSON reader for the inbound fast path
//! ([`super::inbound_fast`]).
//!
//! It reads RFC 8259 JSON from a `&str` (so UTF-8 is already checked) and
//! gives up (`None`) on anything it does not read itself: a backslash in a
//! key or in a skipped string, a number with a fraction or an exponent where a
//! value is skipped, nesting deeper than [`MAX_SKIP_DEPTH`]. Giving up is
//! never an error: the caller then decodes the frame with `serde_json`, which
//! is the authority on what a frame means and on every error message. What
//! this reader accepts is a subset of what `serde_json` accepts, checked by
//! the differential tests in `inbound_fast` and the `inbound_fast` fuzz target.
//!
//! Strings are found eight bytes at a time (a quote, a backslash or a control
//! character in a `u64` word), which is what lets the fast path stay within a
//! small factor of `serde_json` skipping the same bytes.

use std::borrow::Cow;

/// Deepest nesting [`Scan::skip`] reads; deeper values go to `serde_json`
/// (whose own limit is 128).
pub(crate) const MAX_SKIP_DEPTH: usize = 32;

/// A cursor over one JSON text.
pub(crate) struct Scan<'a> {
    text: &'a str,
    at: usize,
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// The high bit of every byte of `word` that is a quote, a backslash or
/// below 0x20 (exact for the lowest such byte, which is all that is read).
fn specials(word: u64) -> u64 {
    let zero_in = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    let quote = zero_in(word ^ (ONES * u64::from(b'"')));
    let backslash = zero_in(word ^ (ONES * u64::from(b'\\')));
    let control = word.wrapping_sub(ONES * 0x20) & !word & HIGHS;
    quote | backslash | control
}

impl<'a> Scan<'a> {
    /// A cursor at the start of `text`.
    pub(crate) fn new(text: &'a str) -> Self {
        Self { text, at: 0 }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// Skips JSON whitespace and returns the next byte, if any.
    pub(crate) fn peek(&mut self) -> Option<u8> {
        let b = self.bytes();
        while let Some(&c) = b.get(self.at) {
            if !matches!(c, b' ' | b'\n' | b'\r' | b'\t') {
                return Some(c);
            }
            self.at += 1;
        }
        None
    }

    /// Consumes `c` (after whitespace), or gives up.
    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.at += 1)
    }

    /// Consumes the literal `word` (its first byte already peeked).
    fn literal(&mut self, word: &str) -> Option<()> {
        let end = self.at + word.len();
        (self.bytes().get(self.at..end)? == word.as_bytes()).then(|| self.at = end)
    }

    /// Only whitespace is left.
    pub(crate) fn end(&mut self) -> Option<()> {
        self.peek().is_none().then_some(())
    }

    /// Reads a string and returns its text between the quotes, and whether
    /// it holds escapes. A raw control character gives up.
    fn raw_string(&mut self) -> Option<(&'a str, bool)> {
        self.eat(b'"')?;
        let b = self.bytes();
        let start = self.at;
        let mut i = start;
        let mut escaped = false;
        loop {
            // Eight bytes at a time up to the first special byte…
            while let Some(word) = b.get(i..i + 8) {
                let word = u64::from_le_bytes(<[u8; 8]>::try_from(word).ok()?);
                let hit = specials(word);
                if hit != 0 {
                    i += (hit.trailing_zeros() / 8) as usize;
                    break;
                }
                i += 8;
            }
            // …then byte by byte.
            match *b.get(i)? {
                b'"' => {
                    self.at = i + 1;
                    return Some((self.text.get(start..i)?, escaped));
                }
                b'\\' => {
                    escaped = true;
                    // The escaped byte is never the closing quote; what the
                    // escape means is left to serde_json.
                    i += 2;
                }
                c if c < 0x20 => return None,
                _ => i += 1,
            }
        }
    }

    /// Reads a string, decoding escapes exactly as `serde_json` does.
    pub(crate) fn string(&mut self) -> Option<Cow<'a, str>> {
        let open = self.at;
        let (text, escaped) = self.raw_string()?;
        if !escaped {
            return Some(Cow::Borrowed(text));
        }
        let quoted = self.text.get(open..self.at)?;
        serde_json::from_str::<String>(quoted).ok().map(Cow::Owned)
    }

    /// `null` (consumed: `Some(true)`), or something else (`Some(false)`).
    pub(crate) fn null(&mut self) -> Option<bool> {
        if self.peek()? != b'n' {
            return Some(false);
        }
        self.literal("null").map(|()| true)
    }

    /// `null` → `None`; a string → its text.
    pub(crate) fn opt_string(&mut self) -> Option<Option<Cow<'a, str>>> {
        if self.null()? {
            return Some(None);
        }
        self.string().map(Some)
    }

    /// `true` or `false`.
    pub(crate) fn bool(&mut self) -> Option<bool> {
        match self.peek()? {
            b't' => self.literal("true").map(|()| true),
            b'f' => self.literal("false").map(|()| false),
            _ => None,
        }
    }

    /// A non-negative integer without fraction or exponent that fits `u64`.
    pub(crate) fn u64(&mut self) -> Option<u64> {
        self.peek()?;
        self.digits()
    }

    /// [`Self::u64`] right at the cursor (no whitespace first).
    fn digits(&mut self) -> Option<u64> {
        let b = self.bytes();
        let start = self.at;
        let mut n: u64 = 0;
        while let Some(&c) = b.get(self.at).filter(|c| c.is_ascii_digit()) {
            n = n.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
            self.at += 1;
        }
        let digits = self.at - start;
        // No digits, a leading zero, or a fraction/exponent: not ours.
        let leading_zero = digits > 1 && b.get(start) == Some(&b'0');
        let more = matches!(b.get(self.at), Some(b'.' | b'e' | b'E'));
        (digits > 0 && !leading_zero && !more).then_some(n)
    }

    /// Reads an object, calling `member` with each key once the cursor is
    /// at its value; `member` must consume the value. A key with escapes
    /// gives up.
    pub(crate) fn object(
        &mut self,
        mut member: impl FnMut(&mut Self, &'a str) -> Option<()>,
    ) -> Option<()> {
        self.eat(b'{')?;
        if self.peek()? == b'}' {
            self.at += 1;
            return Some(());
        }
        loop {
            let (key, escaped) = self.raw_string()?;
            if escaped {
                return None;
            }
            self.eat(b':')?;
            member(self, key)?;
            match self.peek()? {
                b',' => self.at += 1,
                b'}' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// Reads an array, calling `element` with the cursor at each element.
    pub(crate) fn array(&mut self, mut element: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.eat(b'[')?;
        if self.peek()? == b']' {
            self.at += 1;
            return Some(());
        }
        loop {
            element(self)?;
            match self.peek()? {
                b',' => self.at += 1,
                b']' => {
                    self.at += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// Skips an object and returns its exact text, from `{` to `}`.
    pub(crate) fn raw_object(&mut self) -> Option<&'a str> {
        if self.peek()? != b'{' {
            return None;
        }
        let start = self.at;
        self.skip_at(0)?;
        self.text.get(start..self.at)
    }

    /// Skips one value of any kind.
    pub(crate) fn skip(&mut self) -> Option<()> {
        self.skip_at(0)
    }

    fn skip_at(&mut self, depth: usize) -> Option<()> {
        if depth > MAX_SKIP_DEPTH {
            return None;
        }
        match self.peek()? {
            b'"' => match self.raw_string()? {
                // What an escape may be (and which surrogates pair) is
                // serde_json's to say.
                (_, true) => None,
                (_, false) => Some(()),
            },
            b'{' => self.object(|s, _| s.skip_at(depth + 1)),
            b'[' => self.array(|s| s.skip_at(depth + 1)),
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            b'-' => {
                self.at += 1;
                self.digits().map(drop)
            }
            _ => self.u64().map(drop),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skips(text: &str) -> bool {
        let mut s = Scan::new(text);
        s.skip().and_then(|()| s.end()).is_some()
    }

    #[test]
    fn what_it_skips_serde_json_accepts() {
        for ok in [
            "{}",
            "[]",
            " { \"a\" : [1, -2, true, false, null, \"x\", {\"b\": []}] } ",
            "\"0123456789abcdefé\"",
            "0",
            "-0",
            "18446744073709551615",
        ] {
            assert!(skips(ok), "{ok}");
            assert!(serde_json::from_str::<serde::de::IgnoredAny>(ok).is_ok());
        }
    }

    #[test]
    fn it_gives_up_on_what_it_does_not_read() {
        for not in [
            "",
            "{",
            "{\"a\"}",
            "{\"a\":1,}",
            "[1,]",
            "01",
            "1.5",
            "1e3",
            "-",
            "- 1",
            "18446744073709551616",
            "\"a\\nb\"",
            "{\"a\\u0062\":1}",
            "\"tab\there\"",
            "tru",
            "nul",
            "[1] x",
            "{\"a\":1}{",
        ] {
            assert!(!skips(not), "{not:?}");
        }
        let deep = format!("{}{}", "[".repeat(40), "]".repeat(40));
        assert!(!skips(&deep));
        let ok = format!("{}{}", "[".repeat(30), "]".repeat(30));
        assert!(skips(&ok));
    }

    #[test]
    fn strings_decode_escapes_as_serde_json_does() {
        for (text, want) in [
            (r#""plain""#, Some("plain")),
            (r#""a\"b\\c\/\n""#, Some("a\"b\\c/\n")),
            (r#""\u00e9\ud83d\ude00""#, Some("é😀")),
            (r#""lone \ud800""#, None),
            (r#""bad \x""#, None),
            ("\"0123456789\\\"abcdef\"", Some("0123456789\"abcdef")),
        ] {
            let got = Scan::new(text).string().map(Cow::into_owned);
            assert_eq!(got.as_deref(), want, "{text}");
            let serde = serde_json::from_str::<String>(text).ok();
            assert_eq!(got, serde, "{text}");
        }
        // A quote found in the middle of a word ends the string there.
        let mut s = Scan::new(r#""0123456789ab","next""#);
        assert_eq!(s.string().as_deref(), Some("0123456789ab"));
        assert_eq!(s.peek(), Some(b','));
    }

    #[test]
    fn raw_objects_are_exact_slices() {
        let mut s = Scan::new(r#"  { "a" : {"b":[1]} } ,"#);
        assert_eq!(s.raw_object(), Some(r#"{ "a" : {"b":[1]} }"#));
        assert_eq!(Scan::new("[1]").raw_object(), None);
    }

    #[test]
    fn numbers_and_literals() {
        assert_eq!(Scan::new(" 1717000002142,").u64(), Some(1_717_000_002_142));
        assert_eq!(Scan::new("007").u64(), None);
        assert_eq!(Scan::new("-1").u64(), None);
        assert_eq!(Scan::new("true").bool(), Some(true));
        assert_eq!(Scan::new("false").bool(), Some(false));
        assert_eq!(Scan::new("nope").bool(), None);
        assert_eq!(Scan::new("null").null(), Some(true));
        assert_eq!(Scan::new("\"x\"").null(), Some(false));
        assert_eq!(Scan::new("nul").null(), None);
        assert_eq!(Scan::new("null").opt_string(), Some(None));
    }
}
