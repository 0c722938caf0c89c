//! 网格化: grids under a village or community (村（社区） → 网格 → 微网格), their staff
//! (网格长, 网格员), households placed in them and 建档 with categories, and 党员联户 with
//! bounds per person.

use serde::{Deserialize, Serialize};

use chrono::NaiveDate;

use crate::cadence::{Applies, CadenceRule, Frequency, Status};
use crate::error::Collector;
use crate::org::labelled_enum;
use crate::rules::Rules;
use crate::text::normalize;
use crate::Invalid;

labelled_enum!(
    /// A person's role in a grid: one 网格长, any number of 网格员.
    GridRole {
        Leader => "网格长",
        Staff => "网格员",
    }
);

/// The 建档 categories a county starts with; it edits the list in 设置.
pub const DEFAULT_CATEGORIES: [&str; 7] = [
    "脱贫户",
    "监测户",
    "独居老人",
    "留守儿童",
    "残疾",
    "退役军人",
    "流动人口",
];

/// The settings key of the county's category list.
pub const CATEGORIES_KEY: &str = "household_categories";

pub fn default_categories() -> Vec<String> {
    DEFAULT_CATEGORIES.iter().map(|s| s.to_string()).collect()
}

/// A grid as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct GridInput {
    #[serde(default)]
    pub name: String,
}

impl GridInput {
    /// The grid's name: 1 to 30 characters.
    pub fn validate(&self) -> Result<String, Invalid> {
        let mut c = Collector::default();
        let name = normalize(&self.name);
        let n = name.chars().count();
        if n == 0 {
            c.push("name", "网格名称", "不能为空");
        } else if n > 30 {
            c.push("name", "网格名称", "不能超过30个字");
        }
        c.finish(name)
    }
}

/// Splits a typed list of categories (、，, or spaces between) and checks each against the
/// county's list. Duplicates are dropped; the result keeps the county's order.
pub fn parse_categories(raw: &str, allowed: &[String]) -> Result<Vec<String>, Invalid> {
    let typed: Vec<String> = normalize(raw)
        .split(['、', ',', '，', ';', '；', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    let unknown: Vec<&String> = typed
        .iter()
        .filter(|t| !allowed.iter().any(|a| a == *t))
        .collect();
    if let Some(u) = unknown.first() {
        return Err(Invalid::one(
            "categories",
            "建档类别",
            format!("“{u}”不在县里设置的类别中（{}）", allowed.join("、")),
        ));
    }
    Ok(allowed
        .iter()
        .filter(|a| typed.contains(a))
        .cloned()
        .collect())
}

/// Checks a county's edited category list: 1 to 30 names of at most 10 characters, no repeats.
pub fn check_category_list(raw: &str) -> Result<Vec<String>, Invalid> {
    let mut out: Vec<String> = Vec::new();
    for part in normalize(raw).split(['、', ',', '，', '\n', ' ']) {
        let p = part.trim();
        if p.is_empty() || out.iter().any(|o| o == p) {
            continue;
        }
        if p.chars().count() > 10 {
            return Err(Invalid::one(
                "categories",
                "建档类别",
                format!("“{p}”超过10个字"),
            ));
        }
        out.push(p.to_string());
    }
    if out.is_empty() || out.len() > 30 {
        return Err(Invalid::one(
            "categories",
            "建档类别",
            "应有1到30个类别，用顿号分隔",
        ));
    }
    Ok(out)
}

/// Whether a member's post (职务) makes them a member of the village 两委, whose linking
/// bounds differ (each links 2–3 households by default).
pub fn is_committee_post(post: &str) -> bool {
    ["两委", "书记", "主任", "委员"]
        .iter()
        .any(|w| post.contains(w))
}

/// How many households one person links: at least `min`, at most `max`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LinkBounds {
    pub min: i64,
    pub max: i64,
    /// 两委成员 (true) or an ordinary member.
    pub committee: bool,
}

impl LinkBounds {
    pub fn for_post(rules: &Rules, post: &str) -> LinkBounds {
        if is_committee_post(post) {
            LinkBounds {
                min: rules.link_committee_min,
                max: rules.link_committee_max,
                committee: true,
            }
        } else {
            LinkBounds {
                min: rules.link_member_min,
                max: rules.link_member_max,
                committee: false,
            }
        }
    }

    fn who(&self) -> &'static str {
        if self.committee {
            "两委成员"
        } else {
            "党员"
        }
    }

    /// May a member who links `current` households take one more? The refusal names the
    /// member and the bound.
    pub fn check_one_more(&self, member: &str, current: i64) -> Result<(), String> {
        if current + 1 > self.max {
            Err(format!(
                "{member}已联系{current}户，{}联户上限为{}户（规则：每人{}–{}户）",
                self.who(),
                self.max,
                self.min,
                self.max
            ))
        } else {
            Ok(())
        }
    }

    /// Below the lower bound (listed for the village to follow up).
    pub fn under(&self, current: i64) -> bool {
        current < self.min
    }
}

/// The activity every visit counts toward in the cadence engine (visits this month).
pub const VISIT: &str = "走访";

/// The settings key of the visit rules per category.
pub const VISIT_RULES_KEY: &str = "visit_rules";

/// How often a household of a category is visited, as cadence rules whose activity is the
/// category: 独居老人, 留守儿童 and 监测户 monthly, 脱贫户 and 残疾 quarterly.
pub fn default_visit_rules() -> Vec<CadenceRule> {
    [
        ("独居老人", Frequency::Monthly),
        ("留守儿童", Frequency::Monthly),
        ("监测户", Frequency::Monthly),
        ("脱贫户", Frequency::Quarterly),
        ("残疾", Frequency::Quarterly),
    ]
    .into_iter()
    .map(|(category, frequency)| CadenceRule {
        activity: category.to_string(),
        frequency,
        min_count: 1,
        applies: Applies::Branches,
        warn_days: 7,
        since: None,
    })
    .collect()
}

/// The strictest visit rule among a household's categories (most visits a year), if any.
pub fn visit_rule<'a>(categories: &[String], rules: &'a [CadenceRule]) -> Option<&'a CadenceRule> {
    rules
        .iter()
        .filter(|r| categories.contains(&r.activity))
        .max_by_key(|r| r.per_year())
}

/// A visit as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct VisitInput {
    #[serde(default)]
    pub visited_on: String,
    #[serde(default)]
    pub found: String,
    #[serde(default)]
    pub needs: String,
    #[serde(default)]
    pub help: String,
}

/// A checked visit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VisitDraft {
    pub visited_on: NaiveDate,
    pub found: String,
    pub needs: String,
    pub help: String,
}

impl VisitInput {
    /// A visit happened on a real date not after `today`, and says what was found.
    pub fn validate(&self, today: NaiveDate) -> Result<VisitDraft, Invalid> {
        let mut c = Collector::default();
        let visited_on = match crate::date::parse(&normalize(&self.visited_on)) {
            Some(d) if d > today => {
                c.push("visited_on", "走访日期", "不能晚于今天");
                today
            }
            Some(d) => d,
            None => {
                c.push("visited_on", "走访日期", "日期格式应为 2026-11-22");
                today
            }
        };
        let text = |c: &mut Collector, raw: &str, field: &str, label: &str, required: bool| {
            let v = normalize(raw);
            if required && v.is_empty() {
                c.push(field, label, "不能为空");
            } else if v.chars().count() > 500 {
                c.push(field, label, "不能超过500个字");
            }
            v
        };
        let found = text(&mut c, &self.found, "found", "走访情况", true);
        let needs = text(&mut c, &self.needs, "needs", "群众诉求", false);
        let help = text(&mut c, &self.help, "help", "帮扶措施", false);
        c.finish(VisitDraft {
            visited_on,
            found,
            needs,
            help,
        })
    }
}

/// 红黄绿 for a member's visits: red when any household's period was missed, yellow when any
/// is due soon or still open, green when all are done (or none is due).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Light {
    Green,
    Yellow,
    Red,
}

impl Light {
    pub fn of(statuses: &[Status]) -> Light {
        if statuses.contains(&Status::Missed) {
            Light::Red
        } else if statuses
            .iter()
            .any(|s| matches!(s, Status::DueSoon | Status::Open))
        {
            Light::Yellow
        } else {
            Light::Green
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Light::Green => "绿",
            Light::Yellow => "黄",
            Light::Red => "红",
        }
    }

    /// The CSS class of the light.
    pub fn class(self) -> &'static str {
        match self {
            Light::Green => "green",
            Light::Yellow => "yellow",
            Light::Red => "red",
        }
    }
}

labelled_enum!(
    /// A register entry of 设岗定责: a post, a zone of responsibility, or a model household.
    PostKind {
        Post => "党员先锋岗",
        Zone => "党员责任区",
        Model => "示范户",
    }
);

/// A 先锋岗 / 责任区 / 示范户 as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct PostInput {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub duties: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub starts_on: String,
}

/// A checked register entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostDraft {
    pub kind: PostKind,
    pub name: String,
    pub duties: String,
    pub place: String,
    pub starts_on: NaiveDate,
}

impl PostInput {
    /// A kind from the list, a name (1–40 characters), duties (设岗定责, 1–300), an optional
    /// place, and the date it was set up (not after `today`).
    pub fn validate(&self, today: NaiveDate) -> Result<PostDraft, Invalid> {
        let mut c = Collector::default();
        let kind = PostKind::parse(&self.kind).unwrap_or_else(|| {
            c.push("kind", "类别", "请选择党员先锋岗、党员责任区或示范户");
            PostKind::Post
        });
        let name = normalize(&self.name);
        if name.is_empty() || name.chars().count() > 40 {
            c.push("name", "名称", "请填写名称，不超过40个字");
        }
        let duties = normalize(&self.duties);
        if duties.is_empty() || duties.chars().count() > 300 {
            c.push("duties", "岗位职责", "请填写岗位职责，不超过300个字");
        }
        let place = normalize(&self.place);
        if place.chars().count() > 60 {
            c.push("place", "地点", "不能超过60个字");
        }
        let starts_on = match crate::date::parse(&normalize(&self.starts_on)) {
            Some(d) if d <= today => d,
            Some(_) => {
                c.push("starts_on", "设立日期", "不能晚于今天");
                today
            }
            None => {
                c.push("starts_on", "设立日期", "日期格式应为 2026-11-22");
                today
            }
        };
        c.finish(PostDraft {
            kind,
            name,
            duties,
            place,
            starts_on,
        })
    }
}

/// 联系群众全覆盖: the share of households linked to at least one member, in percent
/// (100 when there are no households, nothing being left uncovered).
pub fn coverage_pct(linked: i64, households: i64) -> f64 {
    if households <= 0 {
        return 100.0;
    }
    (linked.clamp(0, households) as f64 * 1000.0 / households as f64).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn allowed() -> Vec<String> {
        default_categories()
    }

    #[test]
    fn categories_are_split_checked_and_kept_in_the_county_order() {
        let got = parse_categories("留守儿童、脱贫户，留守儿童", &allowed()).unwrap();
        assert_eq!(got, vec!["脱贫户".to_string(), "留守儿童".to_string()]);
    }

    #[test]
    fn an_unknown_category_is_named() {
        let e = parse_categories("脱贫户、富裕户", &allowed()).unwrap_err();
        assert!(e.to_string().contains("富裕户"), "{e}");
    }

    #[test]
    fn an_empty_category_list_is_refused_and_repeats_dropped() {
        assert!(check_category_list(" 、 ").is_err());
        assert_eq!(
            check_category_list("低保户、低保户、五保户").unwrap(),
            vec!["低保户", "五保户"]
        );
    }

    #[test]
    fn committee_members_link_two_to_three_and_others_three_to_ten() {
        let r = Rules::default();
        let m = LinkBounds::for_post(&r, "");
        assert_eq!((m.min, m.max), (3, 10));
        let c = LinkBounds::for_post(&r, "村党支部书记");
        assert_eq!((c.min, c.max), (2, 3));
        assert!(c.check_one_more("张三", 2).is_ok());
        let e = c.check_one_more("张三", 3).unwrap_err();
        assert!(e.contains("张三") && e.contains("上限为3户"), "{e}");
        assert!(m.under(2) && !m.under(3));
    }

    #[test]
    fn a_grid_needs_a_name() {
        assert!(GridInput { name: " ".into() }.validate().is_err());
        assert_eq!(
            GridInput {
                name: " 第一网格 ".into()
            }
            .validate()
            .unwrap(),
            "第一网格"
        );
    }

    #[test]
    fn the_strictest_rule_of_a_households_categories_applies() {
        let rules = default_visit_rules();
        let cats = vec!["脱贫户".to_string(), "独居老人".to_string()];
        assert_eq!(visit_rule(&cats, &rules).unwrap().activity, "独居老人");
        assert!(visit_rule(&["退役军人".to_string()], &rules).is_none());
    }

    #[test]
    fn a_visit_needs_a_past_date_and_what_was_found() {
        let today = crate::date::parse("2026-11-22").unwrap();
        let e = VisitInput {
            visited_on: "2026-12-01".into(),
            ..VisitInput::default()
        }
        .validate(today)
        .unwrap_err();
        assert!(e.for_field("visited_on").is_some() && e.for_field("found").is_some());
    }

    #[test]
    fn one_missed_household_makes_the_member_red() {
        assert_eq!(Light::of(&[Status::Done, Status::Missed]), Light::Red);
        assert_eq!(Light::of(&[Status::Done, Status::DueSoon]), Light::Yellow);
        assert_eq!(Light::of(&[]), Light::Green);
    }

    #[test]
    fn a_post_needs_a_kind_a_name_and_duties() {
        let today = crate::date::parse("2026-11-22").unwrap();
        let e = PostInput {
            kind: "先锋队".into(),
            starts_on: "2026-11-01".into(),
            ..PostInput::default()
        }
        .validate(today)
        .unwrap_err();
        for f in ["kind", "name", "duties"] {
            assert!(e.for_field(f).is_some(), "{f}");
        }
        let d = PostInput {
            kind: "党员先锋岗".into(),
            name: "便民服务岗".into(),
            duties: "帮群众代办证件".into(),
            place: String::new(),
            starts_on: "2026-11-01".into(),
        }
        .validate(today)
        .unwrap();
        assert_eq!(d.kind, PostKind::Post);
    }

    #[test]
    fn coverage_of_nothing_is_full() {
        assert_eq!(coverage_pct(0, 0), 100.0);
        assert_eq!(coverage_pct(1, 3), 33.3);
    }

    proptest! {
        #[test]
        fn the_upper_bound_is_never_passed(max in 0i64..20, current in 0i64..30) {
            let b = LinkBounds { min: 0, max, committee: false };
            prop_assert_eq!(b.check_one_more("某", current).is_ok(), current < max);
        }

        #[test]
        fn coverage_stays_between_0_and_100(linked in -5i64..100, total in 0i64..100) {
            let p = coverage_pct(linked, total);
            prop_assert!((0.0..=100.0).contains(&p));
        }

        #[test]
        fn parsed_categories_are_always_allowed(raw in ".{0,40}") {
            if let Ok(v) = parse_categories(&raw, &allowed()) {
                prop_assert!(v.iter().all(|c| allowed().contains(c)));
            }
        }
    }
}
