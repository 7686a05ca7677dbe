//! Codec benchmark (placeholder).
fn main() {}
