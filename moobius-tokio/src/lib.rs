//! `moobius-tokio`: placeholder crate of the moobius-rs workspace.
//!
//! This crate is not implemented yet; see the project README for the roadmap.
//! It re-exports [`moobius_proto`] so that it builds against the sans-IO core.

pub use moobius_proto as proto;
