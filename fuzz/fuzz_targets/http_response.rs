#![no_main]
// Placeholder until the HTTP response parsers land; replaced by the HTTP work.
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = std::str::from_utf8(data);
});
