//! Uploaded plan documents are outside input: the parser must never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(plan) = xianfeng_plan::parse_bytes(data) {
        for t in &plan.targets {
            assert!(plan.text.contains(&t.text));
        }
    }
});
