//! Who a message or update is for, as the application says it.

use crate::ids::{CharacterId, GroupId};
use crate::model::Character;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// Recipients as the application gives them. Lists of ids become group ids
/// through the HTTP API before a frame leaves (the session does that and
/// caches the result); a known group id or the service itself is sent as is.
///
/// One character or a list converts into it, by id ([`CharacterId`],
/// `&CharacterId`, a `Vec` or slice of them) or by record ([`Character`],
/// `&Character`, a slice of them), as the reference accepts (a `Vec` of
/// records goes as `list.as_slice()`, so that `vec![]` still infers). A
/// plain string does not (it could name a character, a group or
/// `"service"`): say which with `CharacterId::new`, [`Recipients::Group`]
/// or [`Recipients::Service`].
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Recipients {
    /// These characters, in this order.
    Characters(Vec<CharacterId>),
    /// The service only (the literal `"service"` on the wire).
    Service,
    /// An existing group.
    Group(GroupId),
    /// These characters, in this order, as a list shared by reference count
    /// with its fingerprint computed once: sending again to the same
    /// [`CharacterList`] (clone it, it is cheap) finds its group in the
    /// session's cache in O(1), whatever its length. A `Characters` list is
    /// turned into one when the command is queued (hashed once per send).
    List(CharacterList),
}

/// A list of character ids in order, shared by reference count, with a
/// 64-bit fingerprint computed once: cloning, hashing and comparing two
/// clones cost O(1) whatever the length (two different lists with the same
/// ids still compare equal, element by element).
#[derive(Clone)]
pub struct CharacterList {
    ids: Arc<[CharacterId]>,
    fingerprint: u64,
}

impl CharacterList {
    /// The list, hashed once.
    #[must_use]
    pub fn new(ids: impl Into<Arc<[CharacterId]>>) -> Self {
        let ids = ids.into();
        // Fixed keys: the same list has the same fingerprint in every run of
        // a build, so sessions replay exactly.
        let mut h = std::collections::hash_map::DefaultHasher::new();
        ids.hash(&mut h);
        Self {
            ids,
            fingerprint: h.finish(),
        }
    }

    /// The ids, in order.
    #[must_use]
    pub fn ids(&self) -> &[CharacterId] {
        &self.ids
    }

    /// Number of ids.
    #[must_use]
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// True for an empty list.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }
}

impl std::fmt::Debug for CharacterList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.ids.iter()).finish()
    }
}

impl PartialEq for CharacterList {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.ids, &other.ids)
            || (self.fingerprint == other.fingerprint && self.ids == other.ids)
    }
}

impl Eq for CharacterList {}

impl Hash for CharacterList {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.fingerprint);
    }
}

impl From<Vec<CharacterId>> for CharacterList {
    fn from(ids: Vec<CharacterId>) -> Self {
        Self::new(ids)
    }
}

impl From<CharacterList> for Recipients {
    fn from(list: CharacterList) -> Self {
        Self::List(list)
    }
}

impl Recipients {
    /// True for an empty character list, which would send to nobody.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        match self {
            Self::Characters(ids) => ids.is_empty(),
            Self::List(list) => list.is_empty(),
            Self::Service | Self::Group(_) => false,
        }
    }

    /// The same recipients with a character list as a [`CharacterList`]
    /// (moved, hashed once); other forms are unchanged.
    #[must_use]
    pub fn shared(self) -> Self {
        match self {
            Self::Characters(ids) => Self::List(ids.into()),
            other => other,
        }
    }
}

impl From<Vec<CharacterId>> for Recipients {
    fn from(ids: Vec<CharacterId>) -> Self {
        Self::Characters(ids)
    }
}

impl From<&[CharacterId]> for Recipients {
    fn from(ids: &[CharacterId]) -> Self {
        Self::Characters(ids.to_vec())
    }
}

impl From<CharacterId> for Recipients {
    fn from(id: CharacterId) -> Self {
        Self::Characters(vec![id])
    }
}

impl From<&Character> for Recipients {
    fn from(c: &Character) -> Self {
        Self::Characters(vec![c.character_id.clone()])
    }
}

impl From<&[Character]> for Recipients {
    fn from(cs: &[Character]) -> Self {
        Self::Characters(cs.iter().map(|c| c.character_id.clone()).collect())
    }
}

impl From<&CharacterId> for Recipients {
    fn from(id: &CharacterId) -> Self {
        Self::Characters(vec![id.clone()])
    }
}

impl From<&Vec<CharacterId>> for Recipients {
    fn from(ids: &Vec<CharacterId>) -> Self {
        Self::from(ids.as_slice())
    }
}

impl From<Character> for Recipients {
    fn from(c: Character) -> Self {
        Self::Characters(vec![c.character_id])
    }
}

#[cfg(test)]
mod conversion_tests {
    use super::*;

    #[test]
    fn characters_by_record_or_id_become_the_list_of_ids() {
        let (a, b) = (Character::new("a", "A"), Character::new("b", "B"));
        let ids = |r: Recipients| match r {
            Recipients::Characters(ids) => ids,
            other => panic!("{other:?}"),
        };
        assert_eq!(ids(a.clone().into()), ["a"]);
        assert_eq!(ids((&a).into()), ["a"]);
        assert_eq!(ids((&CharacterId::new("c")).into()), ["c"]);
        let list = vec![a, b];
        assert_eq!(ids(list.as_slice().into()), ["a", "b"]);
        let id_list = vec![CharacterId::new("x"), CharacterId::new("y")];
        assert_eq!(ids((&id_list).into()), ["x", "y"]);
    }
}
