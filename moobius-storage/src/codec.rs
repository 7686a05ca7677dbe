//! Value encoding and the checks every operation shares.

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::error::StorageError;
use crate::key;

/// Values are stored as JSON with a 2-space indent (the reference SDK's
/// format), the same bytes in files and in Redis.
pub(crate) fn encode<T: Serialize + ?Sized>(
    container: &str,
    key: &str,
    value: &T,
) -> Result<Vec<u8>, StorageError> {
    serde_json::to_vec_pretty(value).map_err(|source| StorageError::Encode {
        container: container.to_owned(),
        key: key.to_owned(),
        source,
    })
}

pub(crate) fn decode<T: DeserializeOwned>(
    container: &str,
    key: &str,
    location: impl FnOnce() -> String,
    bytes: &[u8],
) -> Result<T, StorageError> {
    serde_json::from_slice(bytes).map_err(|source| StorageError::Decode {
        container: container.to_owned(),
        key: key.to_owned(),
        location: location(),
        source,
    })
}

pub(crate) fn check_key(container: &str, key: &str) -> Result<(), StorageError> {
    key::check_key(key).map_err(|problem| StorageError::InvalidKey {
        container: container.to_owned(),
        key: key.to_owned(),
        problem,
    })
}
