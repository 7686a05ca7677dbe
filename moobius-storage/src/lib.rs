//! Per-channel storage for Moobius services (work in progress).
