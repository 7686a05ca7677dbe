//! Deserialisation helpers for the places where the platform (or the reference
//! SDK) is loose about shapes: one value or a list, nested lists, `null`s.

use serde::de::{self, Deserialize, Deserializer, SeqAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// A timestamp in milliseconds as a platform or client may write it: an
/// integer (the protocol's form), a number with a fraction (a JavaScript
/// client's `performance`-style clock; truncated toward zero) or `null`
/// (→ 0, as when absent). The reference SDK takes all three as they come;
/// a number outside `i64`, or any other kind, is an error.
pub(crate) struct Millis(pub(crate) i64);

impl<'de> Deserialize<'de> for Millis {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Millis;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a timestamp in milliseconds")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Millis, E> {
                Ok(Millis(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Millis, E> {
                i64::try_from(v)
                    .map(Millis)
                    .map_err(|_| E::invalid_value(de::Unexpected::Unsigned(v), &self))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Millis, E> {
                // `as` saturates; only finite values inside the range are taken.
                const LIMIT: f64 = 9.223_372_036_854_775e18;
                if v.is_finite() && v.abs() < LIMIT {
                    Ok(Millis(v.trunc() as i64))
                } else {
                    Err(E::invalid_value(de::Unexpected::Float(v), &self))
                }
            }
            fn visit_unit<E: de::Error>(self) -> Result<Millis, E> {
                Ok(Millis(0))
            }
            fn visit_none<E: de::Error>(self) -> Result<Millis, E> {
                Ok(Millis(0))
            }
        }
        d.deserialize_any(V)
    }
}

/// `null` → `T::default()`, as when the key is absent.
pub(crate) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Option::<T>::deserialize(d).map(Option::unwrap_or_default)
}

/// One `T` or a list of `T` → a list.
pub(crate) fn one_or_many<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum OneOrMany<T> {
        Many(Vec<T>),
        One(T),
    }
    Ok(match OneOrMany::<T>::deserialize(d)? {
        OneOrMany::Many(v) => v,
        OneOrMany::One(t) => vec![t],
    })
}

/// A list whose elements may themselves be lists, flattened one level
/// (`[[a, b]]` → `[a, b]`, `[a, [b]]` → `[a, b]`); `null` → empty.
///
/// The reference SDK wraps click arguments in an extra list when it sends
/// them; services receive them flat. Both shapes decode to the flat list.
pub(crate) fn flatten_one_level<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    struct Outer<T>(PhantomData<T>);
    impl<'de, T: Deserialize<'de>> Visitor<'de> for Outer<T> {
        type Value = Vec<T>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list, possibly of lists")
        }
        fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_none<E: de::Error>(self) -> Result<Vec<T>, E> {
            Ok(Vec::new())
        }
        fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Vec<T>, D2::Error> {
            d.deserialize_any(self)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
            let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
            while let Some(item) = seq.next_element::<OneOrMany<T>>()? {
                match item {
                    OneOrMany::One(t) => out.push(t),
                    OneOrMany::Many(v) => out.extend(v),
                }
            }
            Ok(out)
        }
    }
    d.deserialize_option(Outer(PhantomData))
}

/// An element that is either a `T` or a list of `T`, decided by the JSON kind
/// without buffering (a list is never a valid `T` here).
enum OneOrMany<T> {
    One(T),
    Many(Vec<T>),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for OneOrMany<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = OneOrMany<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object or a list of objects")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Vec::<T>::deserialize(de::value::SeqAccessDeserializer::new(seq))
                    .map(OneOrMany::Many)
            }
            fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map)).map(OneOrMany::One)
            }
        }
        d.deserialize_any(V(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::Millis;

    #[test]
    fn timestamps_in_the_forms_peers_write_them() {
        let ms = |t: &str| serde_json::from_str::<Millis>(t).map(|m| m.0).ok();
        assert_eq!(ms("1717000002142"), Some(1_717_000_002_142));
        assert_eq!(ms("-5"), Some(-5));
        assert_eq!(ms("1717000002142.9"), Some(1_717_000_002_142));
        assert_eq!(ms("null"), Some(0));
        assert_eq!(ms("9223372036854775808"), None);
        assert_eq!(ms("1e300"), None);
        assert_eq!(ms("\"5\""), None);
    }
}
