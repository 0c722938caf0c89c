//! 承诺、评议与表彰 input from outside: award kinds, commitments, a rater's scores, quick
//! choices from the public rating page, and the county's evaluation and star scheme forms.
//! None may panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use xianfeng_domain::award::{check_kind, AwardKindInput};
use xianfeng_domain::commitment::{check, CommitmentInput};
use xianfeng_domain::evaluation::{Choice, Scheme};
use xianfeng_domain::evaluation_form::SchemeInput;
use xianfeng_domain::stars::{BranchSchemeInput, MemberSchemeInput};
use xianfeng_domain::workflow::Level;

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let fields: Vec<(String, String)> = s
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let get = |k: &str| fields.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let kind = AwardKindInput {
        name: get("name"),
        subject: get("subject"),
        year: get("year"),
        branch_quota: get("branch_quota"),
        town_quota: get("town_quota"),
        county_quota: get("county_quota"),
        notice_days: get("notice_days"),
    };
    for level in Level::ALL {
        let _ = check_kind(&kind, *level);
    }
    let commitment = CommitmentInput { content: get("content"), category: get("category"), due: get("due") };
    let _ = check(&commitment, 2026, Some((get("n").len(), 5)));
    let raw: Vec<String> = (0..6).map(|i| get(&format!("score_{i}"))).collect();
    for scheme in Scheme::builtin() {
        let _ = scheme.check_scores(&raw);
    }
    let _ = Choice::parse(&get("choice"));
    let scheme = SchemeInput {
        name: get("name"),
        subject: get("subject"),
        criteria: get("criteria"),
        weights: ["w0", "w1", "w2", "w3"].map(get),
        thresholds: ["t0", "t1", "t2"].map(get),
        cap: get("cap"),
        tie_breaks: get("tie_breaks"),
    };
    let _ = scheme.parse();
    let _ = MemberSchemeInput { items: get("items"), review_percent: get("review_percent"), stars: ["m0", "m1", "m2", "m3"].map(get) }.parse();
    let _ = BranchSchemeInput {
        base: get("base"),
        per_honour: get("per_honour"),
        per_overdue_problem: get("per_overdue_problem"),
        per_missed_obligation: get("per_missed_obligation"),
        stars: ["b0", "b1", "b2", "b3"].map(get),
    }
    .parse();
});
