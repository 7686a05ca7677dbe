//! Helpers of `http_fixtures.rs`: loading the golden cases, the equality
//! rule, the loose argument forms, uploads, and comparing requests.

pub(crate) mod args;
pub(crate) mod base64;
pub(crate) mod case;
pub(crate) mod json_eq;
pub(crate) mod upload;
pub(crate) mod wire;
