//! The HTTP API, sans-IO: typed requests that build `http::Request<Bytes>`
//! and parsers of `http::Response<Bytes>` into typed results.

pub mod paths;
