#![no_main]
//! Fuzz target: see `policy_portal::fuzzing::markdown` for what is driven and which invariants hold.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    policy_portal::fuzzing::markdown(data);
});
