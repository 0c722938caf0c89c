//! Uploaded roster files are outside input: the parser must never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = xianfeng_web::roster::parse(data);
});
