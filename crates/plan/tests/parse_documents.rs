//! The parser on a fixture written for the project (traditional characters, pinyin, web
//! noise, a repeated summary, a missing bracket and separator, skipped numbers) and on the
//! real documents in ../shared/seeds when present.

use proptest::prelude::*;
use xianfeng_plan::{parse_bytes, parse_text, Plan, Section};

fn fixture() -> Plan {
    parse_bytes(include_bytes!("fixtures/demo_plan.txt")).unwrap()
}

fn find<'a>(sections: &'a [Section], path: &[&str]) -> Option<&'a Section> {
    let (first, rest) = path.split_first()?;
    let s = sections.iter().find(|s| s.number == *first)?;
    if rest.is_empty() {
        Some(s)
    } else {
        find(&s.children, rest)
    }
}

/// Every extracted text appears in the normalised document.
fn assert_grounded(p: &Plan) {
    for t in &p.targets {
        assert!(
            p.text.contains(&t.text),
            "target text not in document: {}",
            t.text
        );
    }
    for c in &p.cadences {
        assert!(
            p.text.contains(&c.text),
            "cadence text not in document: {}",
            c.text
        );
    }
    for ph in &p.phases {
        assert!(
            p.text.contains(&ph.text),
            "phase text not in document: {}",
            ph.text
        );
    }
    fn sections(p: &Plan, s: &[Section]) {
        for x in s {
            assert!(
                p.text.contains(&x.title),
                "title not in document: {}",
                x.title
            );
            assert!(p.text.contains(&x.text), "text not in document: {}", x.text);
            sections(p, &x.children);
        }
    }
    sections(p, &p.sections);
}

#[test]
fn fixture_is_normalised_and_outlined() {
    let p = fixture();
    assert_eq!(p.title, "关于开展“红旗先锋”创建活动的实施方案");
    assert!(!p.text.contains("##") && !p.text.contains("相关推荐") && !p.text.contains("xiāng"));
    assert!(p.text.contains("乡村振兴"));
    let top: Vec<&str> = p.sections.iter().map(|s| s.number.as_str()).collect();
    assert_eq!(top, ["一", "二", "三", "四", "五"]);
    assert_eq!(
        find(&p.sections, &["二", "（三）"]).unwrap().title,
        "完善工作机制",
        "missing opening bracket"
    );
    assert_eq!(p.sections[2].title, "强化督查考评");
    let l3: Vec<&str> = find(&p.sections, &["三"])
        .unwrap()
        .children
        .iter()
        .map(|s| s.number.as_str())
        .collect();
    assert_eq!(l3, ["1", "4"], "missing separator and skipped number");
    assert!(find(&p.sections, &["三", "4", "（1）"]).is_some());
    assert!(find(&p.sections, &["二", "（一）", "二是"]).is_some());
    assert_grounded(&p);
}

#[test]
fn fixture_targets() {
    let p = fixture();
    let t = p
        .targets
        .iter()
        .find(|t| t.subject == "党员先锋岗")
        .expect("党员先锋岗");
    assert_eq!(
        (t.quantity, t.comparator, t.unit.as_str()),
        (60.0, ">=", "个")
    );
    assert_eq!(t.path, ["二", "（二）"]);
    let t = p
        .targets
        .iter()
        .find(|t| t.unit == "%")
        .expect("percentage");
    assert_eq!(t.quantity, 60.0);
    let t = p.targets.iter().find(|t| t.unit == "户").expect("range");
    assert_eq!((t.quantity, t.quantity_max), (2.0, Some(3.0)));
    assert_eq!(t.path, ["二", "（一）", "二是"]);
    assert!(p
        .targets
        .iter()
        .any(|t| t.subject == "示范点" && t.quantity == 3.0));
}

#[test]
fn fixture_cadences() {
    let p = fixture();
    let got: Vec<(&str, &str, u32, &str)> = p
        .cadences
        .iter()
        .map(|c| (c.action.as_str(), c.period, c.times, c.comparator))
        .collect();
    for expected in [
        ("支委会", "month", 1, "="),
        ("党课", "quarter", 1, ">="),
        ("报告", "week", 1, "="),
        ("督查", "month", 1, "="),
        ("点评", "quarter", 1, "="),
        ("评议", "half_year", 1, "="),
        ("考评", "year", 1, "="),
        ("通报", "month", 1, "="),
        ("评比", "quarter", 1, "="),
        ("党务公开", "half_year", 1, "="),
        ("领导点评", "quarter", 1, ">="),
    ] {
        assert!(got.contains(&expected), "missing {expected:?} in {got:?}");
    }
}

#[test]
fn fixture_phases_criteria_and_responsible_units() {
    let p = fixture();
    let names: Vec<&str> = p.phases.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["动员部署阶段", "组织实施阶段", "总结完善阶段"]);
    assert_eq!(p.phases[1].end.as_deref(), Some("11月底"));
    let crit: Vec<&str> = p.criteria.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(crit, ["五个好", "五带头"]);
    assert_eq!(p.criteria[1].items[0], "带头学习提高");
    let r = &p.responsible;
    assert!(
        r.iter()
            .any(|r| r.path == ["二", "（一）"] && r.units == ["县委组织部", "各镇党委"]),
        "{r:?}"
    );
    assert!(
        r.iter()
            .any(|r| r.path == ["二", "（二）"] && r.units == ["县委组织部", "县委宣传部"]),
        "{r:?}"
    );
}

#[test]
fn json_has_the_documented_shape() {
    let v = serde_json::to_value(fixture()).unwrap();
    for key in [
        "title",
        "sections",
        "targets",
        "cadences",
        "phases",
        "criteria",
        "responsible",
    ] {
        assert!(v.get(key).is_some(), "{key}");
    }
    let t = &v["targets"][0];
    assert!(
        v["targets"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["quantity"].as_i64() == Some(60)),
        "whole numbers print as integers"
    );
    for key in [
        "text",
        "quantity",
        "quantity_max",
        "unit",
        "comparator",
        "per",
        "subject",
        "path",
    ] {
        assert!(t.get(key).is_some(), "target.{key}");
    }
}

/// The real documents in ../shared/seeds (not copied into the repo).
#[test]
fn seed_documents_parse_into_their_outlines() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!("note: {} not found; seed checks skipped", dir.display());
        return;
    };
    let mut seen = 0;
    for e in entries.flatten() {
        let bytes = std::fs::read(e.path()).unwrap();
        let p = parse_bytes(&bytes).unwrap();
        assert!(
            p.sections.len() >= 3,
            "{}: {} top-level sections",
            e.path().display(),
            p.sections.len()
        );
        assert_grounded(&p);
        let titles: Vec<&str> = p.sections.iter().map(|s| s.title.as_str()).collect();
        let body = p.text.as_str();
        if body.contains("六个先锋") && body.contains("党员先锋岗") {
            assert_eq!(&titles[..3], ["总体要求", "主要内容", "保障措施"]);
            assert_eq!(
                find(&p.sections, &["二"]).unwrap().children.len(),
                6,
                "six 先锋 categories"
            );
            assert!(p
                .targets
                .iter()
                .any(|t| t.subject == "党员先锋岗" && t.quantity == 60.0 && t.comparator == ">="));
            assert!(p
                .targets
                .iter()
                .any(|t| t.quantity == 40000.0 && t.unit == "亩"));
        }
        if body.contains("示范点创建工作方案") {
            assert_eq!(
                titles[..4],
                ["指导思想", "目标任务", "工作措施", "有关要求"]
            );
            assert!(p
                .targets
                .iter()
                .any(|t| t.quantity == 2.0 && t.subject.contains("示范点")));
            let names: Vec<&str> = p.criteria.iter().map(|c| c.name.as_str()).collect();
            assert!(
                names.contains(&"五个好") && names.contains(&"五带头"),
                "{names:?}"
            );
        }
        if body.contains("X行先锋") {
            assert_eq!(p.sections.len(), 6);
            assert_eq!(
                find(&p.sections, &["三", "（九）"]).unwrap().children.len(),
                6,
                "six 先锋队 items"
            );
            assert!(p
                .responsible
                .iter()
                .any(|r| r.path == ["二", "（五）"] && r.units.contains(&"县民政局".to_string())));
            assert!(p.responsible.len() >= 10);
        }
        seen += 1;
    }
    assert!(seen >= 1);
}

proptest! {
    #[test]
    fn never_panics_and_everything_found_is_in_the_text(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
        if let Ok(p) = parse_bytes(&bytes) {
            assert_grounded(&p);
        }
    }

    #[test]
    fn plausible_documents_stay_grounded(parts in proptest::collection::vec(prop_oneof![
        Just("一、总体要求\n".to_string()), Just("（二）建强队伍。".to_string()), Just("一是学习。二是实践。".to_string()),
        Just("创建先锋岗60个以上，".to_string()), Just("每季度不少于一次".to_string()), Just("〔县委组织部、各镇党委〕".to_string()),
        Just("1把工作做实。".to_string()), Just("三)".to_string()), Just("“五个好”：甲好、乙好".to_string()), "[\\p{Han}，。0-9]{0,12}",
    ], 0..30)) {
        let p = parse_text(&parts.concat());
        assert_grounded(&p);
    }
}

#[test]
fn a_text_with_nothing_to_outline_is_refused_with_the_reason() {
    use xianfeng_plan::{input::InputError, parse_outlined, MAX_PARAGRAPH_CHARS};
    let long = "加".repeat(MAX_PARAGRAPH_CHARS + 1);
    match parse_outlined(format!("一、总体要求\n{long}").as_bytes()) {
        Err(InputError::NoOutline(why)) => {
            assert!(why.contains("第2段"), "{why}");
            assert!(
                why.contains(&format!("{}字", MAX_PARAGRAPH_CHARS + 1)),
                "{why}"
            );
        }
        other => panic!("{other:?}"),
    }
    match parse_outlined("各党支部：\n请按时报送。\n".as_bytes()) {
        Err(InputError::NoOutline(why)) => assert!(why.contains("没有找到"), "{why}"),
        other => panic!("{other:?}"),
    }
    let plan = parse_outlined(include_bytes!("fixtures/demo_plan.txt")).unwrap();
    assert_eq!(plan, fixture());
}
