//! Supervision and campaign input from outside: inspection and problem forms, step notes,
//! task measures typed into the campaign form, plan targets read as measures, report forms.
#![no_main]
use libfuzzer_sys::fuzz_target;
use xianfeng_domain::campaign::{infer_measure, Comparator, Measure, ReportInput, Target};
use xianfeng_domain::supervision::{check_note, InspectionInput, ProblemAction, ProblemInput};

fuzz_target!(|data: &[u8]| {
    let s = String::from_utf8_lossy(data);
    let fields: Vec<(String, String)> = s
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let get = |k: &str| fields.iter().find(|(a, _)| a == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap_or_default();
    let i = InspectionInput { held_on: get("held_on"), inspectors: get("inspectors"), findings: get("findings") };
    let _ = i.validate(today);
    let p = ProblemInput { description: get("description"), deadline: get("deadline") };
    let _ = p.validate(today);
    if let Some(a) = ProblemAction::parse(&get("action")) {
        let _ = check_note(a, &get("note"));
    }
    let _ = Measure::parse(&get("measure"), &get("source"), &get("among"));
    let _ = Measure::from_stored(&get("measure"), &get("source"));
    let _ = infer_measure(&s, &get("unit"), &["主题党日", "党课"]);
    let target = Target { quantity: 3.0, quantity_max: None, unit: "个".into(), comparator: Comparator::AtLeast };
    let _ = ReportInput { quantity: get("quantity"), narrative: get("narrative") }.validate(&target);
});
