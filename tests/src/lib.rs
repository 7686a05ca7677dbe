//! Cross-crate end-to-end tests of moobius-rs live in `tests/tests/`.
//!
//! This library is empty on purpose: it only gives the test binaries a package to belong to.
