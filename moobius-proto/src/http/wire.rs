//! Small deserialisation helpers for response `data` shapes.

use serde::{Deserialize, Deserializer};

/// A list where `null` means empty (`data: null` on an empty answer).
#[derive(Debug)]
pub(crate) struct ListOrNull<T>(pub(crate) Vec<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ListOrNull<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Option::<Vec<T>>::deserialize(d).map(|v| Self(v.unwrap_or_default()))
    }
}

/// `#[serde(deserialize_with)]` form of [`ListOrNull`].
pub(crate) fn list_or_null<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Vec<T>, D::Error> {
    ListOrNull::deserialize(d).map(|l| l.0)
}
