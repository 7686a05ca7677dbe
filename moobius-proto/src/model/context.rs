//! `context`: a free-form JSON object whose keys are the application's.
//!
//! A received context is kept as the JSON text it arrived as and parsed into
//! a map only when something reads it: most services never look at the
//! `context` of a `message_up`, so decoding one costs a copy of its text
//! instead of a map with an allocation per key and value. Reading and writing
//! go through the map (`Deref`/`DerefMut` to
//! `serde_json::Map<String, Value>`), so the type is used like the map it
//! stands for.

use serde::de::{self, Deserializer};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};
use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::OnceLock;

/// A free-form JSON object (`context` fields), read and written as a
/// `serde_json::Map` through `Deref`/`DerefMut`.
///
/// ```
/// use moobius_proto::model::Context;
///
/// let mut ctx = Context::new();
/// ctx.insert("group_id".into(), "g1".into());
/// assert_eq!(ctx.get_str("group_id"), Some("g1"));
/// assert_eq!(serde_json::to_string(&ctx)?, r#"{"group_id":"g1"}"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
///
/// A context decoded from a frame keeps its JSON text ([`Context::raw_json`])
/// until it is changed; it is parsed into the map the first time it is read.
/// Its text was checked to be JSON when the frame was decoded; a context
/// that is JSON but not representable as a map of `serde_json::Value`s
/// (a number beyond `f64`, nesting past 128 levels) reads as an empty map,
/// and [`Context::parse`] says why.
#[derive(Clone, Default)]
pub struct Context {
    /// The map, when there is no `raw`.
    owned: Map<String, Value>,
    /// The JSON text as received, while unchanged (boxed: a `Context` is
    /// moved with every decoded frame, and most are empty).
    raw: Option<Box<Received>>,
}

/// A received context: its text, and the map parsed from it on first read.
#[derive(Clone)]
struct Received {
    /// A JSON object's text, checked when the frame was decoded.
    text: Box<str>,
    parsed: OnceLock<Map<String, Value>>,
}

impl Received {
    fn parse(&self) -> Map<String, Value> {
        serde_json::from_str(&self.text).unwrap_or_default()
    }
}

impl Context {
    /// An empty context.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps a received JSON value as a context, unparsed; `Err` with the
    /// parse error when the value is not an object.
    pub(crate) fn from_raw(raw: &RawValue) -> Result<Self, serde_json::Error> {
        let text = raw.get();
        if !text.starts_with('{') {
            // Not an object: let the map parser say what it is instead.
            return serde_json::from_str::<Map<String, Value>>(text).map(Self::from);
        }
        Ok(Self::from_object_text(text))
    }

    /// Keeps the text of a JSON object, already checked to be one, unparsed.
    pub(crate) fn from_object_text(text: &str) -> Self {
        if text == "{}" {
            return Self::new();
        }
        Self {
            owned: Map::new(),
            raw: Some(Box::new(Received {
                text: Box::from(text),
                parsed: OnceLock::new(),
            })),
        }
    }

    /// The JSON text of a received context, as it arrived, while unchanged.
    #[must_use]
    pub fn raw_json(&self) -> Option<&str> {
        self.raw.as_deref().map(|r| &*r.text)
    }

    /// The context as a map (parsing a received one on first use).
    #[must_use]
    pub fn as_map(&self) -> &Map<String, Value> {
        match &self.raw {
            Some(raw) => raw.parsed.get_or_init(|| raw.parse()),
            None => &self.owned,
        }
    }

    /// The context as a map to change; a received context stops being its
    /// original text.
    pub fn as_map_mut(&mut self) -> &mut Map<String, Value> {
        if let Some(mut raw) = self.raw.take() {
            self.owned = raw.parsed.take().unwrap_or_else(|| raw.parse());
        }
        &mut self.owned
    }

    /// The map, owned.
    #[must_use]
    pub fn into_map(mut self) -> Map<String, Value> {
        std::mem::take(self.as_map_mut())
    }

    /// The string under `key`, if it is one.
    #[must_use]
    pub fn get_str(&self, key: &str) -> Option<&str> {
        self.as_map().get(key).and_then(Value::as_str)
    }

    /// Decodes the whole context as a `T` (straight from the received text
    /// when there is one, without building the map).
    ///
    /// ```
    /// #[derive(serde::Deserialize)]
    /// struct Mine { group_id: String }
    /// let ctx: moobius_proto::model::Context = serde_json::from_str(r#"{"group_id":"g"}"#)?;
    /// assert_eq!(ctx.parse::<Mine>()?.group_id, "g");
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        match &self.raw {
            Some(raw) => serde_json::from_str(&raw.text),
            None => T::deserialize(&Value::Object(self.owned.clone())),
        }
    }

    /// Writes the context into a JSON encoder: its received text verbatim when
    /// unchanged, the map otherwise. Only for `serde_json` serializers (the
    /// text goes out as a `RawValue`, borrowed here: received contexts are
    /// decoded far more often than they are written back).
    pub(crate) fn serialize_json<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.raw {
            Some(raw) => serde_json::from_str::<&RawValue>(&raw.text)
                .map_err(serde::ser::Error::custom)?
                .serialize(s),
            None => self.owned.serialize(s),
        }
    }
}

/// `#[serde(deserialize_with)]` for an optional `context` decoded by
/// `serde_json` (directly or from a `Value`): keeps the text, unparsed.
pub(crate) fn deserialize_raw_context<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Context>, D::Error> {
    match Option::<Box<RawValue>>::deserialize(d)? {
        None => Ok(None),
        Some(raw) => Context::from_raw(&raw).map(Some).map_err(de::Error::custom),
    }
}

impl Deref for Context {
    type Target = Map<String, Value>;
    fn deref(&self) -> &Self::Target {
        self.as_map()
    }
}

impl DerefMut for Context {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.as_map_mut()
    }
}

impl PartialEq for Context {
    fn eq(&self, other: &Self) -> bool {
        match (self.raw_json(), other.raw_json()) {
            (Some(a), Some(b)) if a == b => true,
            _ => self.as_map() == other.as_map(),
        }
    }
}

impl Eq for Context {}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_map(), f)
    }
}

impl From<Map<String, Value>> for Context {
    fn from(owned: Map<String, Value>) -> Self {
        Self { owned, raw: None }
    }
}

impl From<Context> for Map<String, Value> {
    fn from(c: Context) -> Self {
        c.into_map()
    }
}

impl From<Context> for Value {
    fn from(c: Context) -> Self {
        Value::Object(c.into_map())
    }
}

impl FromIterator<(String, Value)> for Context {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        Self::from(Map::from_iter(iter))
    }
}

impl IntoIterator for Context {
    type Item = (String, Value);
    type IntoIter = serde_json::map::IntoIter;
    fn into_iter(self) -> Self::IntoIter {
        self.into_map().into_iter()
    }
}

impl Serialize for Context {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.as_map().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Context {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Map::deserialize(d).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn received(text: &str) -> Option<Context> {
        let mut de = serde_json::Deserializer::from_str(text);
        deserialize_raw_context(&mut de).unwrap()
    }

    #[test]
    fn a_received_context_is_parsed_on_first_read() {
        let ctx = received(r#"{"group_id":"g","n":[1,2]}"#).unwrap();
        assert_eq!(ctx.raw_json(), Some(r#"{"group_id":"g","n":[1,2]}"#));
        assert_eq!(ctx.get_str("group_id"), Some("g"));
        assert_eq!(ctx["n"], json!([1, 2]));
        assert_eq!(
            ctx,
            Context::from(
                json!({"n":[1,2],"group_id":"g"})
                    .as_object()
                    .cloned()
                    .unwrap_or_default()
            )
        );
        assert_eq!(format!("{ctx:?}"), format!("{:?}", ctx.as_map()));
        #[derive(serde::Deserialize)]
        struct G {
            group_id: String,
        }
        assert_eq!(ctx.parse::<G>().unwrap().group_id, "g");
    }

    #[test]
    fn changing_it_drops_the_text() {
        let mut ctx = received(r#"{"a":1}"#).unwrap();
        let _ = ctx.len();
        ctx.insert("b".into(), 2.into());
        assert_eq!(ctx.raw_json(), None);
        assert_eq!(serde_json::to_value(&ctx).unwrap(), json!({"a":1,"b":2}));
        let mut fresh = received(r#"{"a":1}"#).unwrap();
        fresh.remove("a");
        assert!(fresh.is_empty());
    }

    #[test]
    fn null_empty_and_non_objects() {
        assert_eq!(received("null"), None);
        let empty = received("{}").unwrap();
        assert_eq!(empty.raw_json(), None);
        assert!(empty.is_empty());
        for bad in ["5", "\"x\"", "[1]", "true"] {
            let mut de = serde_json::Deserializer::from_str(bad);
            assert!(deserialize_raw_context(&mut de).is_err(), "{bad}");
        }
        let v = json!({"context": {"k": "v"}});
        let ctx = deserialize_raw_context(&v["context"]).unwrap().unwrap();
        assert_eq!(ctx.get_str("k"), Some("v"));
    }

    #[test]
    fn encodes_verbatim_or_from_the_map() {
        let ctx = received(r#"{"z":1,"a":2}"#).unwrap();
        let mut out = Vec::new();
        ctx.serialize_json(&mut serde_json::Serializer::new(&mut out))
            .unwrap();
        assert_eq!(out, br#"{"z":1,"a":2}"#);
        let unparseable = received(r#"{"x":1e400}"#).unwrap();
        assert!(unparseable.is_empty());
        assert!(unparseable.parse::<Value>().is_err());
        let collected: Context = [("k".to_owned(), json!(1))].into_iter().collect();
        assert_eq!(Value::from(collected), json!({"k":1}));
    }
}
