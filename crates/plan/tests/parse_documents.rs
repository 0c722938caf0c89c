//! The parser on a fixture written for the project (traditional characters, pinyin, web
//! noise, a repeated summary, a missing bracket and separator, skipped numbers) and on the
//! real documents in ../shared/seeds when present.

use proptest::prelude::*;
use xianfeng_plan::extract::non_work;
use xianfeng_plan::outline::is_fragment;
use xianfeng_plan::{parse_bytes, parse_text, Plan, Section};

fn fixture() -> Plan {
    parse_bytes(include_bytes!("fixtures/demo_plan.txt")).unwrap()
}

/// A township plan in the style of seed 002 (not on this machine): no title line, 五个好 and
/// 五个模范 lists, sanctions and duties that look like targets, measures with units and dates.
fn sanctions_fixture() -> Plan {
    parse_bytes(include_bytes!("fixtures/town_sanctions_plan.txt")).unwrap()
}

/// A township plan copied from a web page in the style of seed 004: breadcrumbs, 相关推荐 and
/// a site's generic heading above the body, 五个一 cadences, 月通报季评比, quotas.
fn web_page_fixture() -> Plan {
    parse_bytes(include_bytes!("fixtures/town_web_page_plan.txt")).unwrap()
}

/// The directory of the shared seeds; CI checks the repository out with shared/ beside it, so
/// a missing directory fails rather than skipping the checks, unless XIANFENG_NO_SEEDS=1 says
/// so out loud.
fn seeds() -> Vec<(String, Plan)> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(_) if std::env::var("XIANFENG_NO_SEEDS").as_deref() == Ok("1") => {
            eprintln!("XIANFENG_NO_SEEDS=1: seed checks skipped");
            return vec![];
        }
        Err(e) => panic!(
            "{}: {e}; the seeds belong beside the repository (set XIANFENG_NO_SEEDS=1 to skip)",
            dir.display()
        ),
    };
    let mut out: Vec<(String, Plan)> = entries
        .flatten()
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (
                name,
                parse_bytes(&std::fs::read(e.path()).unwrap()).unwrap(),
            )
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!out.is_empty(), "no seeds in {}", dir.display());
    out
}

fn seed(prefix: &str) -> Option<Plan> {
    seeds()
        .into_iter()
        .find(|(n, _)| n.starts_with(prefix))
        .map(|(_, p)| p)
}

/// Whether the section at `path` lies in a work section (no section on the way is 指导思想,
/// 保障措施 …; see `extract::NON_WORK`).
fn in_work(sections: &[Section], path: &[String]) -> bool {
    let Some((first, rest)) = path.split_first() else {
        return false;
    };
    // Numbers can repeat in a sloppy document: any section on that path will do.
    sections
        .iter()
        .filter(|s| &s.number == first && (s.level == 5 || !non_work(&s.title)))
        .any(|s| rest.is_empty() || in_work(&s.children, rest))
}

/// What publishing relies on: every target of a work section lies in a measure's path or
/// deeper; measures are only in work sections; a made title is never a fragment.
fn assert_consistent(p: &Plan) {
    for t in &p.targets {
        if in_work(&p.sections, &t.path) {
            assert!(
                p.measures.iter().any(|m| t.path.starts_with(&m.path)),
                "target outside every measure: {:?} {}",
                t.path,
                t.text
            );
        }
    }
    for m in &p.measures {
        assert!(
            in_work(&p.sections, &m.path),
            "measure outside work: {:?}",
            m.path
        );
        assert!(!m.text.is_empty());
    }
    assert!(
        p.title.is_empty() || !is_fragment(&p.title),
        "fragment title {}",
        p.title
    );
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
    for m in &p.measures {
        assert!(
            p.text.contains(&m.text),
            "measure text not in document: {}",
            m.text
        );
        if let Some(d) = &m.deadline {
            assert!(
                m.text.contains(d.as_str()),
                "deadline not in its measure: {d}"
            );
        }
    }
    for q in &p.quotas {
        assert!(
            p.text.contains(&q.text),
            "quota text not in document: {}",
            q.text
        );
        assert!(q.text.contains(&q.name) || q.percent.is_some(), "{q:?}");
    }
    for i in &p.ignored {
        assert!(
            p.text.contains(&i.text),
            "ignored text not in document: {}",
            i.text
        );
    }
    for c in &p.criteria {
        for item in &c.items {
            assert!(
                p.text.contains(item.as_str()),
                "criteria item not in document: {item}"
            );
        }
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
    assert_consistent(p);
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
        "measures",
        "quotas",
        "ignored",
    ] {
        assert!(v.get(key).is_some(), "{key}");
    }
    for key in ["text", "path", "units", "deadline"] {
        assert!(v["measures"][0].get(key).is_some(), "measure.{key}");
    }
    let q = serde_json::to_value(web_page_fixture()).unwrap();
    for key in [
        "text", "name", "subject", "count", "percent", "level", "path",
    ] {
        assert!(q["quotas"][0].get(key).is_some(), "quota.{key}");
    }
    assert_eq!(
        q["quotas"][5]["percent"].as_i64(),
        Some(15),
        "whole percents print as integers"
    );
    let i = serde_json::to_value(sanctions_fixture()).unwrap();
    for key in ["text", "why", "path"] {
        assert!(i["ignored"][0].get(key).is_some(), "ignored.{key}");
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
    let mut seen = 0;
    for (name, p) in seeds() {
        assert!(
            p.sections.len() >= 3,
            "{name}: {} top-level sections",
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
    assert!(seen >= 1 || std::env::var("XIANFENG_NO_SEEDS").is_ok());
}

#[test]
fn fixture_measures_carry_units_and_stay_out_of_non_work_sections() {
    let p = fixture();
    let paths: Vec<String> = p.measures.iter().map(|m| m.path.join(" ")).collect();
    assert_eq!(
        paths,
        [
            "二 （一） 一是",
            "二 （一） 二是",
            "二 （二）",
            "二 （三）",
            "三 1",
            "三 4 （1）"
        ]
    );
    assert_eq!(
        p.measures[0].units,
        ["县委组织部", "各镇党委"],
        "the closing bracket names both items' units"
    );
    assert_eq!(p.measures[2].units, ["县委组织部", "县委宣传部"]);
    assert_eq!(p.measures[2].text, "选树先锋典型。全县创建党员先锋岗60个以上，建成3个示范点。60%以上的村级党支部创建镇级先进基层党组织。");
    assert!(
        p.measures[3].units.is_empty(),
        "no units written for （三）"
    );
    assert_eq!(
        p.criteria[0].items[0], "领导班子好",
        "五个好 is its own list, not 五带头's"
    );
}

#[test]
fn sanctions_fixture_title_lists_measures_and_ignored() {
    let p = sanctions_fixture();
    assert_eq!(
        p.title, "“五好五带头”创先争优活动实施方案",
        "made from subject and kind"
    );
    assert_grounded(&p);
    let crit: Vec<(&str, &str)> = p
        .criteria
        .iter()
        .map(|c| (c.name.as_str(), c.items[4].as_str()))
        .collect();
    assert_eq!(crit, [("五个好", "群众反映好"), ("五个模范", "奉献模范")]);
    let measures: Vec<(String, Vec<String>, Option<&str>)> = p
        .measures
        .iter()
        .map(|m| (m.path.join(" "), m.units.clone(), m.deadline.as_deref()))
        .collect();
    let u = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        measures,
        [
            (
                "三 （一）".into(),
                u(&["镇党建办", "各村党支部"]),
                Some("3月底前")
            ),
            ("三 （二） 一是".into(), u(&["镇组织办", "镇民政办"]), None),
            (
                "三 （二） 二是".into(),
                u(&["镇组织办", "镇民政办"]),
                Some("6月底前")
            ),
            ("三 （二） 三是".into(), u(&["镇组织办", "镇民政办"]), None),
            (
                "三 （三）".into(),
                u(&["镇党建办", "镇财政所"]),
                Some("2026年6月底")
            ),
        ],
        "考核奖惩 and 实施步骤 hold no measures"
    );
    assert_eq!(
        p.measures[4].text, "抓好阵地建设。2026年6月底完成3个村级活动场所提升改造。",
        "the units line is not text"
    );
    let ignored: Vec<&str> = p.ignored.iter().map(|i| i.text.as_str()).collect();
    assert_eq!(
        ignored.len(),
        3,
        "one sentence holds a duty and a deduction: {ignored:?}"
    );
    for (text, why) in [
        ("24小时通讯畅通", "值守"),
        ("扣除500元", "扣款"),
        ("扣800元", "扣款"),
        ("二次以上", "处罚条件"),
    ] {
        let i = p
            .ignored
            .iter()
            .find(|i| i.text.contains(text))
            .expect(text);
        assert!(i.why.contains(why), "{text}: {}", i.why);
    }
    for t in &p.targets {
        for bad in ["元", "小时", "二次", "黄榜"] {
            assert!(
                !t.text.contains(bad),
                "a sanction became a target: {}",
                t.text
            );
        }
    }
    assert!(p
        .targets
        .iter()
        .any(|t| t.quantity == 3.0 && t.subject.contains("办实事")));
}

#[test]
fn web_page_fixture_title_cadences_and_quotas() {
    let p = web_page_fixture();
    assert_eq!(p.title, "创先争优活动工作方案");
    assert!(
        !p.text.contains("相关推荐") || !p.text.ends_with("工作计划"),
        "the trailing link list is cut"
    );
    assert!(!p.text.contains("乡镇创先争优活动总结"));
    let got: Vec<(&str, &str)> = p
        .cadences
        .iter()
        .map(|c| (c.period, c.action.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("month", "主题党日"),
            ("week", "报告"),
            ("month", "督查"),
            ("quarter", "点评"),
            ("half_year", "评议"),
            ("year", "考评"),
            ("month", "通报"),
            ("quarter", "评比"),
        ]
    );
    type Row<'a> = (&'a str, &'a str, Option<u32>, Option<f64>, Option<&'a str>);
    let quotas: Vec<Row> = p
        .quotas
        .iter()
        .map(|q| {
            (
                q.name.as_str(),
                q.subject,
                q.count,
                q.percent,
                q.level.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        quotas,
        [
            ("先进党组织", "org", Some(3), None, None),
            ("优秀共产党员", "member", Some(45), None, None),
            ("优秀党务工作者", "member", Some(3), None, None),
            ("五星级党支部", "org", Some(4), None, None),
            ("优秀党组织书记", "member", Some(5), None, None),
            ("优秀党员", "member", None, Some(15.0), Some("镇级")),
            ("优秀共产党员", "member", None, Some(2.0), Some("县级")),
        ]
    );
    assert!(
        p.targets.is_empty(),
        "quota sentences are not targets: {:?}",
        p.targets
    );
    let m = p
        .measures
        .iter()
        .find(|m| m.text.starts_with("开展主题党日"))
        .unwrap();
    assert_eq!(
        (m.units.len(), m.deadline.as_deref()),
        (2, Some("11月底前"))
    );
    assert!(
        p.measures.iter().all(|m| m.path[0] != "四"),
        "组织领导 holds no measures"
    );
}

#[test]
fn seed_001_every_measure_has_its_units() {
    let Some(p) = seed("001") else { return };
    assert_eq!(p.title, "关于实施“立行先锋”计划的通知");
    let paths: Vec<String> = p.measures.iter().map(|m| m.path[1..].join(" ")).collect();
    assert_eq!(p.measures.len(), 19, "{paths:?}");
    for m in &p.measures {
        assert!(!m.units.is_empty(), "no units: {:?} {}", m.path, m.text);
        assert!(!m.text.contains('〔'), "units left in the text: {}", m.text);
    }
    let five = p.measures.iter().find(|m| m.path[1] == "（五）").unwrap();
    assert_eq!(
        five.units,
        ["县委组织部", "县民政局", "各镇（街）党（工）委"]
    );
    let six_of_nine = p.measures.iter().filter(|m| m.path[1] == "（九）").count();
    assert_eq!(
        six_of_nine, 6,
        "一是…六是 each a measure with the bracket closing 六是"
    );
    assert!(
        p.measures
            .iter()
            .all(|m| m.path[0] != "一" && m.path[0] != "六"),
        "总体要求 and 加强组织保障 hold no measures"
    );
}

#[test]
fn seeds_measures_skip_their_non_work_sections() {
    if let Some(p) = seed("000") {
        assert_eq!(
            p.measures.len(),
            22,
            "六个先锋 × 一是…: 3 + 4 + 4 + 4 + 4 + 3"
        );
        assert!(
            p.measures.iter().all(|m| m.path[0] == "二"),
            "保障措施 holds no measures"
        );
    }
    if let Some(p) = seed("003") {
        assert!(
            p.measures.iter().all(|m| m.path[0] == "三"),
            "only 工作措施 holds measures"
        );
        assert_eq!(p.measures.len(), 15);
    }
}

/// Precision: what the parser must NOT extract from the shared seeds and the fixtures.
#[test]
fn seeds_and_fixtures_yield_nothing_false() {
    let mut all = seeds();
    all.push(("demo_plan".into(), fixture()));
    all.push(("town_sanctions".into(), sanctions_fixture()));
    all.push(("town_web_page".into(), web_page_fixture()));
    for (name, p) in &all {
        for c in &p.criteria {
            assert_ne!(c.name, "三联", "{name}: a name in passing is no list");
            for item in &c.items {
                assert!(
                    !item.chars().any(|ch| ch.is_ascii_digit())
                        && !item.ends_with('是')
                        && !item.contains("是创")
                        && item != "建设",
                    "{name}: junk criteria item {item}"
                );
            }
        }
        for bad in ["相关推荐", "首页", "上一篇", "制定如下", "点击数", "来源"] {
            assert!(!p.title.contains(bad), "{name}: title noise {}", p.title);
        }
        for t in &p.targets {
            assert!(
                !(t.text.contains('扣') && t.unit == "元") && t.unit != "小时",
                "{name}: a sanction or duty as target: {}",
                t.text
            );
            assert!(
                !p.quotas.iter().any(|q| q.text == t.text),
                "{name}: a quota also a target: {}",
                t.text
            );
        }
        for m in &p.measures {
            assert!(
                !m.text.contains("责任单位："),
                "{name}: units in measure text {}",
                m.text
            );
        }
    }
    for (name, p) in &all {
        for c in &p.cadences {
            let n = c.action.chars().count();
            assert!(
                (2..=8).contains(&n),
                "{name}: cadence action not short: {}",
                c.action
            );
        }
    }
    if let Some(p) = seed("000") {
        assert!(
            p.criteria.is_empty(),
            "000 announces no list: {:?}",
            p.criteria
        );
    }
    // These three seeds grant no counted honours and punish nothing.
    for prefix in ["000", "001", "003"] {
        if let Some(p) = seed(prefix) {
            assert!(p.quotas.is_empty(), "{prefix}: {:?}", p.quotas);
            assert!(p.ignored.is_empty(), "{prefix}: {:?}", p.ignored);
        }
    }
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
        Just("培树3个先进党组织和45名优秀共产党员、".to_string()), Just("每年有15%党员争当镇级优秀。".to_string()),
        Just("每次扣除500元，扣800元。".to_string()), Just("保持24小时通讯畅通".to_string()), Just("通报二次以上的，列入黄榜。".to_string()),
        Just("实行一周一报告、一月一督查、半年一评议".to_string()), Just("月通报季评比".to_string()), Just("11月底前完成".to_string()),
        Just("（责任单位：镇党建办、各村党支部）".to_string()), Just("\n责任单位：镇财政所\n".to_string()), Just("-相关推荐\n".to_string()),
        Just("首页 > 正文\n".to_string()), Just("结合开展情况制定如下实施方案。".to_string()), Just("乡镇的创先争优工作方案\n".to_string()),
        Just("三、保障措施\n".to_string()), Just("二是".to_string()), Just("五个模范，即".to_string()),
    ], 0..40)) {
        let started = std::time::Instant::now();
        let p = parse_text(&parts.concat());
        assert!(started.elapsed() < std::time::Duration::from_secs(2), "slow parse");
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
