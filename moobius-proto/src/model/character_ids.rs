//! Where a character id (or a list of them) is expected, the reference SDK
//! also takes a character record, one id instead of a list, or a list mixing
//! ids and records (`types.to_char_id_list`). These conversions give the typed
//! API the same reach:
//!
//! * `Character` / `&Character` → [`CharacterId`] (its `character_id`);
//! * [`IntoCharacterIds`]: one id (`&str`, `String`, [`CharacterId`]), one
//!   record, or a list (`Vec`, array, slice) of anything that converts into a
//!   [`CharacterId`] → the list of ids, in order.
//!
//! ```
//! use moobius_proto::model::{Character, IntoCharacterIds};
//! use moobius_proto::CharacterId;
//!
//! let alice = Character::new("u-alice", "Alice");
//! assert_eq!("u-1".into_character_ids(), ["u-1"]);
//! assert_eq!((&alice).into_character_ids(), ["u-alice"]);
//! let mixed: Vec<CharacterId> = vec![(&alice).into(), "u-2".into()];
//! assert_eq!(mixed.into_character_ids(), ["u-alice", "u-2"]);
//! ```

use super::Character;
use crate::ids::CharacterId;

impl From<Character> for CharacterId {
    fn from(c: Character) -> Self {
        c.character_id
    }
}

impl From<&Character> for CharacterId {
    fn from(c: &Character) -> Self {
        c.character_id.clone()
    }
}

impl From<&CharacterId> for CharacterId {
    fn from(c: &CharacterId) -> Self {
        c.clone()
    }
}

/// One character or several, by id or by record: what the reference SDK
/// accepts wherever it wants a list of character ids.
pub trait IntoCharacterIds {
    /// The ids, in order.
    fn into_character_ids(self) -> Vec<CharacterId>;
}

impl IntoCharacterIds for CharacterId {
    fn into_character_ids(self) -> Vec<CharacterId> {
        vec![self]
    }
}

impl IntoCharacterIds for &CharacterId {
    fn into_character_ids(self) -> Vec<CharacterId> {
        vec![self.clone()]
    }
}

impl IntoCharacterIds for &str {
    fn into_character_ids(self) -> Vec<CharacterId> {
        vec![self.into()]
    }
}

impl IntoCharacterIds for String {
    fn into_character_ids(self) -> Vec<CharacterId> {
        vec![self.into()]
    }
}

impl IntoCharacterIds for Character {
    fn into_character_ids(self) -> Vec<CharacterId> {
        vec![self.character_id]
    }
}

impl IntoCharacterIds for &Character {
    fn into_character_ids(self) -> Vec<CharacterId> {
        vec![self.character_id.clone()]
    }
}

impl<T: Into<CharacterId>> IntoCharacterIds for Vec<T> {
    fn into_character_ids(self) -> Vec<CharacterId> {
        self.into_iter().map(Into::into).collect()
    }
}

impl<T: Into<CharacterId>, const N: usize> IntoCharacterIds for [T; N] {
    fn into_character_ids(self) -> Vec<CharacterId> {
        self.into_iter().map(Into::into).collect()
    }
}

impl<T: Into<CharacterId> + Clone> IntoCharacterIds for &[T] {
    fn into_character_ids(self) -> Vec<CharacterId> {
        self.iter().cloned().map(Into::into).collect()
    }
}

impl<T: Into<CharacterId> + Clone> IntoCharacterIds for &Vec<T> {
    fn into_character_ids(self) -> Vec<CharacterId> {
        self.as_slice().into_character_ids()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_gives_the_ids_in_order() {
        let a = Character::new("a", "A");
        let b = Character::new("b", "B");
        assert_eq!(CharacterId::from(&a), "a");
        assert_eq!(CharacterId::from(b.clone()), "b");
        assert_eq!(a.clone().into_character_ids(), ["a"]);
        assert_eq!(String::from("x").into_character_ids(), ["x"]);
        assert_eq!(CharacterId::new("y").into_character_ids(), ["y"]);
        assert_eq!(vec![&a, &b].into_character_ids(), ["a", "b"]);
        assert_eq!(["p", "q"].into_character_ids(), ["p", "q"]);
        let mixed: Vec<CharacterId> = vec![(&b).into(), "c".into(), a.into()];
        assert_eq!(mixed.as_slice().into_character_ids(), ["b", "c", "a"]);
        assert!(Vec::<CharacterId>::new().into_character_ids().is_empty());
    }
}
