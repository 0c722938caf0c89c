//! Member forms, API bodies and roster rows all pass through `MemberInput::validate`.
#![no_main]
use libfuzzer_sys::fuzz_target;
use xianfeng_domain::member::MemberInput;
use xianfeng_domain::rules::Rules;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parts: Vec<&str> = text.split('\u{1f}').collect();
    let get = |i: usize| parts.get(i).copied().unwrap_or("").to_string();
    let input = MemberInput {
        name: get(0),
        gender: get(1),
        ethnicity: get(2),
        birth_date: get(3),
        id_number: get(4),
        phone: get(5),
        joined_on: get(6),
        full_on: get(7),
        status: get(8),
        education: get(9),
        post: get(10),
        tags: get(11),
    };
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let _ = input.validate(&Rules::default(), today, None);
});
