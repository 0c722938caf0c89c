//! 积分制 input from outside: rule, claim, item and redemption forms, residents typed or read
//! from an uploaded sheet. None may panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use xianfeng_domain::household::ResidentInput;
use xianfeng_domain::points::{Bounds, EarnInput, ItemInput, RedeemInput, RuleInput};

fuzz_target!(|data: &[u8]| {
    let _ = xianfeng_web::residents::parse(data);
    let s = String::from_utf8_lossy(data);
    let fields: Vec<(String, String)> = s
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let get = |k: &str| fields.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    let rule = RuleInput {
        action: get("action"),
        category: get("category"),
        points: get("points"),
        audience: get("audience"),
        evidence_required: Some(get("evidence")).filter(|v| !v.is_empty()),
        approval_required: None,
        cap_day: get("cap_day"),
        cap_month: get("cap_month"),
        cap_year: get("cap_year"),
        valid_from: get("valid_from"),
        valid_to: get("valid_to"),
        trigger: get("trigger"),
    };
    let _ = rule.validate(Some(Bounds { max_points: 20 }));
    let _ = EarnInput { rule: get("rule"), day: get("day"), note: get("note") }.validate(today);
    let _ = ItemInput { name: get("name"), price: get("price"), stock: get("stock") }.validate();
    let _ = RedeemInput { code: get("code"), item: get("item"), quantity: get("quantity") }.validate();
    let mut r = ResidentInput::default();
    for (f, _) in xianfeng_domain::household::FIELDS {
        r.set(f, get(f));
    }
    let _ = r.validate();
});
