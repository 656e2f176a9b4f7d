#![no_main]
//! Fuzz target: see `policy_portal::fuzzing::template` for what is driven and which invariants hold.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = policy_portal::fuzzing::template(text);
    }
});
