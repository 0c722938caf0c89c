//! The small parsers of typed text: ID numbers, phone numbers, dates, tags.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let _ = xianfeng_domain::idcard::parse(&s);
    let _ = xianfeng_domain::phone::parse(&s);
    let _ = xianfeng_domain::date::parse(&s);
    let _ = xianfeng_domain::member::parse_tags(&s);
    let _ = xianfeng_domain::text::normalize(&s);
});
