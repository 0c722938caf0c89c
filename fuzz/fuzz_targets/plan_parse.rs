//! Uploaded plan documents are outside input: the parser must never panic, and everything it
//! extracts is found in the normalised text.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(plan) = xianfeng_plan::parse_bytes(data) {
        for t in &plan.targets {
            assert!(plan.text.contains(&t.text));
        }
        for m in &plan.measures {
            assert!(plan.text.contains(&m.text));
        }
        for q in &plan.quotas {
            assert!(plan.text.contains(&q.text));
        }
        for i in &plan.ignored {
            assert!(plan.text.contains(&i.text));
        }
        assert!(plan.title.is_empty() || !xianfeng_plan::outline::is_fragment(&plan.title));
    }
});
