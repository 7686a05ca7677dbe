//! A field the protocol allows as one value or a list of values (PROTOCOL.md
//! §7.1, "string or list of string", such as a menu item's
//! `message_subtypes`). It keeps the form it arrived in, so that a decoded
//! value sent on encodes back to the same JSON.

use serde::{Deserialize, Serialize};

/// One `T` or a list of `T`, kept in the form given.
///
/// ```
/// use moobius_proto::model::{MessageSubtype, OneOrList};
///
/// let one: OneOrList<MessageSubtype> = serde_json::from_str(r#""text""#)?;
/// assert_eq!(one.as_slice(), [MessageSubtype::Text]);
/// assert_eq!(serde_json::to_string(&one)?, r#""text""#);
/// let many: OneOrList<MessageSubtype> = serde_json::from_str(r#"["text"]"#)?;
/// assert_eq!(serde_json::to_string(&many)?, r#"["text"]"#);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OneOrList<T> {
    /// A list (also the form built from an iterator).
    List(Vec<T>),
    /// A single value.
    One(T),
}

impl<T> OneOrList<T> {
    /// The values, one or many, as a slice.
    #[must_use]
    pub fn as_slice(&self) -> &[T] {
        match self {
            Self::List(v) => v,
            Self::One(t) => std::slice::from_ref(t),
        }
    }

    /// Iterates over the values.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.as_slice().iter()
    }

    /// The values as a list, whatever the form.
    #[must_use]
    pub fn into_vec(self) -> Vec<T> {
        match self {
            Self::List(v) => v,
            Self::One(t) => vec![t],
        }
    }

    /// Whether `value` is among the values.
    #[must_use]
    pub fn contains(&self, value: &T) -> bool
    where
        T: PartialEq,
    {
        self.as_slice().contains(value)
    }
}

impl<T> Default for OneOrList<T> {
    fn default() -> Self {
        Self::List(Vec::new())
    }
}

impl<T> From<Vec<T>> for OneOrList<T> {
    fn from(v: Vec<T>) -> Self {
        Self::List(v)
    }
}

impl<T> FromIterator<T> for OneOrList<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Self::List(iter.into_iter().collect())
    }
}

impl<'a, T> IntoIterator for &'a OneOrList<T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

impl<T: PartialEq> PartialEq<[T]> for OneOrList<T> {
    fn eq(&self, other: &[T]) -> bool {
        self.as_slice() == other
    }
}

impl<T: PartialEq, const N: usize> PartialEq<[T; N]> for OneOrList<T> {
    fn eq(&self, other: &[T; N]) -> bool {
        self.as_slice() == other
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    #[test]
    fn keeps_its_form_through_a_round_trip() {
        for v in [
            json!("text"),
            json!(["text"]),
            json!(["text", "image"]),
            json!([]),
        ] {
            let x: OneOrList<String> = serde_json::from_value(v.clone()).unwrap();
            assert_eq!(serde_json::to_value(&x).unwrap(), v);
        }
        assert!(serde_json::from_value::<OneOrList<String>>(Value::Null).is_err());
        let one = OneOrList::One(1);
        assert_eq!(one.as_slice(), [1]);
        assert!(one.contains(&1));
        assert_eq!(one.into_vec(), vec![1]);
        assert_eq!([1, 2].into_iter().collect::<OneOrList<_>>(), [1, 2]);
    }
}
