//! What `Moobius::fetch_character_profile` accepts, and what it answers:
//! one character asked gives one profile, a list gives a list, as the
//! reference's `fetch_character_profile` (which answers a list unless given
//! one `str` or one `Character`).

use crate::http::{Endpoint, FetchCharacterProfile, FetchOneCharacterProfile};
use crate::ids::CharacterId;
use crate::model::Character;

/// One character (an id or a record) or a list of them, as the argument of
/// `Moobius::fetch_character_profile`; [`Output`](Self::Output) is
/// [`Character`] for one and `Vec<Character>` for a list, so the result's
/// shape follows the argument's, as in the reference.
///
/// ```
/// use moobius_proto::http::Endpoint;
/// use moobius_proto::model::Character;
/// use moobius_proto::ops::ProfileQuery;
///
/// // One id (or record) → the endpoint answering one profile.
/// let one = "u-1".into_endpoint();
/// assert_eq!(one.character_id, "u-1");
/// // A list (even of one) → the endpoint answering a list.
/// let alice = Character::new("u-alice", "Alice");
/// let many = vec![&alice].into_endpoint();
/// assert_eq!(many.character_ids, ["u-alice"]);
/// ```
pub trait ProfileQuery {
    /// [`Character`] for one character asked, `Vec<Character>` for a list.
    type Output: Send + 'static;
    /// The request that answers it.
    type Endpoint: Endpoint<Output = Self::Output> + Send + Sync + 'static;

    /// The request.
    fn into_endpoint(self) -> Self::Endpoint;
}

/// One character asked: one profile.
macro_rules! one {
    ($($t:ty),*) => {$(
        impl ProfileQuery for $t {
            type Output = Character;
            type Endpoint = FetchOneCharacterProfile;

            fn into_endpoint(self) -> FetchOneCharacterProfile {
                FetchCharacterProfile::one(self)
            }
        }
    )*};
}
one!(
    &str,
    String,
    &String,
    CharacterId,
    &CharacterId,
    Character,
    &Character
);

/// A list asked: a list of profiles, in the order asked.
macro_rules! many {
    ($($t:ty),*) => {$(
        impl<T: Into<CharacterId> + Clone> ProfileQuery for $t {
            type Output = Vec<Character>;
            type Endpoint = FetchCharacterProfile;

            fn into_endpoint(self) -> FetchCharacterProfile {
                FetchCharacterProfile::many(self)
            }
        }
    )*};
}
many!(Vec<T>, &Vec<T>, &[T]);

impl<T: Into<CharacterId>, const N: usize> ProfileQuery for [T; N] {
    type Output = Vec<Character>;
    type Endpoint = FetchCharacterProfile;

    fn into_endpoint(self) -> FetchCharacterProfile {
        FetchCharacterProfile::many(self)
    }
}

impl ProfileQuery for FetchCharacterProfile {
    type Output = Vec<Character>;
    type Endpoint = Self;

    fn into_endpoint(self) -> Self {
        self
    }
}

impl ProfileQuery for FetchOneCharacterProfile {
    type Output = Character;
    type Endpoint = Self;

    fn into_endpoint(self) -> Self {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_asked_is_one_a_list_is_a_list() {
        let alice = Character::new("a", "Alice");
        let bob = Character::new("b", "Bob");
        assert_eq!("x".into_endpoint().character_id, "x");
        assert_eq!(String::from("y").into_endpoint().character_id, "y");
        assert_eq!((&alice).into_endpoint().character_id, "a");
        assert_eq!(bob.clone().into_endpoint().character_id, "b");
        assert_eq!(CharacterId::new("z").into_endpoint().character_id, "z");
        assert_eq!(vec!["a"].into_endpoint().character_ids, ["a"]);
        assert_eq!(["a", "b"].into_endpoint().character_ids, ["a", "b"]);
        let list = vec![alice, bob];
        assert_eq!((&list).into_endpoint().character_ids, ["a", "b"]);
        assert_eq!(list.as_slice().into_endpoint().character_ids, ["a", "b"]);
        assert!(Vec::<CharacterId>::new()
            .into_endpoint()
            .character_ids
            .is_empty());
    }
}
