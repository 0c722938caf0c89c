//! Organisational-life input from outside: check-in codes from a URL, attendance and meeting
//! forms, training forms, period keys and uploaded photo bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use xianfeng_domain::life::{parse_attendance, MeetingInput, TrainingInput};

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let _ = xianfeng_domain::checkin::verify(&[7; 32], &s, 0);
    let _ = xianfeng_domain::cadence::Period::parse_key(&s);
    let _ = xianfeng_domain::files::sniff(data);
    let fields: Vec<(String, String)> = s
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let _ = parse_attendance(&fields);
    let get = |k: &str| fields.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    let m = MeetingInput {
        kind: get("kind"),
        date: get("date"),
        held: get("held"),
        topic: get("topic"),
        ..Default::default()
    };
    let _ = m.validate(xianfeng_domain::org::OrgKind::Branch, today);
    let t = TrainingInput { title: get("title"), date: get("date"), hours: get("hours"), organiser: String::new() };
    let _ = t.validate(today);
    let review = xianfeng_domain::life::LeaderReviewInput { reviewer: get("reviewer"), day: get("day"), content: get("content") };
    let _ = review.validate(today);
    let _ = xianfeng_domain::campaign::check_header(&get("title"), get("year").parse().unwrap_or_default());
});
