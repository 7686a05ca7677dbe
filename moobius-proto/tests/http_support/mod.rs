//! Helpers of `http_fixtures.rs`: loading the golden cases, the equality
//! rule, and comparing requests.

pub(crate) mod base64;
pub(crate) mod case;
pub(crate) mod json_eq;
pub(crate) mod wire;
