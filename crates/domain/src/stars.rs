//! 评星定级: a monthly 100-point score per member fed by real records, a yearly star rating
//! that adds the year-end review, and branch stars from a base of 100 with additions and
//! deductions. The schemes are configuration; the store keeps every rating as history.

use serde::{Deserialize, Serialize};

use crate::error::Collector;
use crate::org::labelled_enum;
use crate::text::normalize;
use crate::Invalid;

labelled_enum!(
    /// Where an item's points come from.
    Source {
        Attendance => "组织生活出勤",
        Commitments => "承诺践诺记录",
        Granted => "支部评定",
    }
);

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Item {
    pub name: String,
    pub max: u32,
    pub source: Source,
}

/// The member scheme: items adding up to 100, the year-end review's share of the yearly
/// score, and the minimum yearly score for 5, 4, 3 and 2 stars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberScheme {
    pub items: Vec<Item>,
    pub review_percent: u32,
    pub stars: [u32; 4],
}

/// The branch scheme: a base, points per honour (加分), per overdue problem and per missed
/// cadence obligation (减分), and the minimum score for 5, 4, 3 and 2 stars.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BranchScheme {
    pub base: i64,
    pub per_honour: i64,
    pub per_overdue_problem: i64,
    pub per_missed_obligation: i64,
    pub stars: [i64; 4],
}

impl Default for MemberScheme {
    fn default() -> Self {
        let item = |name: &str, max, source| Item {
            name: name.into(),
            max,
            source,
        };
        MemberScheme {
            items: vec![
                item("组织生活", 30, Source::Attendance),
                item("承诺践诺", 20, Source::Commitments),
                item("学习教育", 20, Source::Granted),
                item("作用发挥", 22, Source::Granted),
                item("义务", 8, Source::Granted),
            ],
            review_percent: 30,
            stars: [90, 80, 70, 60],
        }
    }
}

impl Default for BranchScheme {
    fn default() -> Self {
        BranchScheme {
            base: 100,
            per_honour: 5,
            per_overdue_problem: -5,
            per_missed_obligation: -2,
            stars: [110, 100, 90, 80],
        }
    }
}

impl MemberScheme {
    pub fn check(&self) -> Result<(), Invalid> {
        let mut c = Collector::default();
        let sum: u32 = self.items.iter().map(|i| i.max).sum();
        if sum != 100 {
            c.push(
                "items",
                "评星项目",
                format!("各项分值合计须为 100，现为 {sum}"),
            );
        }
        if self.review_percent > 100 {
            c.push("review_percent", "年终评议占比", "不能超过 100%");
        }
        if !self.stars.windows(2).all(|w| w[0] > w[1]) {
            c.push("stars", "星级分数线", "须从五星到二星递减");
        }
        c.finish(())
    }
}

/// The member scheme as typed on the settings form: items one per line
/// (`组织生活 30 组织生活出勤`), the review's percent and four star lines.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct MemberSchemeInput {
    #[serde(default)]
    pub items: String,
    #[serde(default)]
    pub review_percent: String,
    #[serde(default)]
    pub stars: [String; 4],
}

/// The branch scheme as typed: base, the three per-record points and four star lines.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct BranchSchemeInput {
    #[serde(default)]
    pub base: String,
    #[serde(default)]
    pub per_honour: String,
    #[serde(default)]
    pub per_overdue_problem: String,
    #[serde(default)]
    pub per_missed_obligation: String,
    #[serde(default)]
    pub stars: [String; 4],
}

const STAR_LABELS: [&str; 4] = ["五星线", "四星线", "三星线", "二星线"];

fn number<T: std::str::FromStr>(
    c: &mut Collector,
    field: &str,
    label: &str,
    raw: &str,
) -> Option<T> {
    let t = normalize(raw);
    let v = t.parse::<T>().ok();
    if v.is_none() {
        c.push(field, label, format!("须为整数，“{t}”不行"));
    }
    v
}

impl MemberSchemeInput {
    pub fn from_scheme(s: &MemberScheme) -> Self {
        MemberSchemeInput {
            items: s
                .items
                .iter()
                .map(|i| format!("{} {} {}", i.name, i.max, i.source.label()))
                .collect::<Vec<_>>()
                .join("\n"),
            review_percent: s.review_percent.to_string(),
            stars: s.stars.map(|v| v.to_string()),
        }
    }

    pub fn parse(&self) -> Result<MemberScheme, Invalid> {
        let mut c = Collector::default();
        let mut items = Vec::new();
        for (i, line) in self.items.lines().enumerate() {
            let line = normalize(line);
            if line.is_empty() {
                continue;
            }
            let parts: Vec<&str> = line.split_whitespace().collect();
            let parsed = match parts.as_slice() {
                [name, max, source] => max
                    .parse::<u32>()
                    .ok()
                    .filter(|m| (1..=100).contains(m))
                    .zip(Source::parse(source))
                    .map(|(max, source)| Item {
                        name: name.to_string(),
                        max,
                        source,
                    }),
                _ => None,
            };
            match parsed {
                Some(item) => items.push(item),
                None => c.push(
                    "items",
                    "评星项目",
                    format!("第{}行“{line}”应为“名称 分值 来源”，来源为 组织生活出勤、承诺践诺记录 或 支部评定", i + 1),
                ),
            }
        }
        let review_percent = number(
            &mut c,
            "review_percent",
            "年终评议占比",
            &self.review_percent,
        )
        .unwrap_or(0);
        let mut stars = [0u32; 4];
        for (i, raw) in self.stars.iter().enumerate() {
            stars[i] = number(&mut c, "stars", STAR_LABELS[i], raw).unwrap_or(0);
        }
        let scheme = MemberScheme {
            items,
            review_percent,
            stars,
        };
        c.finish(())?;
        scheme.check()?;
        Ok(scheme)
    }
}

impl BranchSchemeInput {
    pub fn from_scheme(s: &BranchScheme) -> Self {
        BranchSchemeInput {
            base: s.base.to_string(),
            per_honour: s.per_honour.to_string(),
            per_overdue_problem: s.per_overdue_problem.to_string(),
            per_missed_obligation: s.per_missed_obligation.to_string(),
            stars: s.stars.map(|v| v.to_string()),
        }
    }

    pub fn parse(&self) -> Result<BranchScheme, Invalid> {
        let mut c = Collector::default();
        let base = number(&mut c, "base", "基础分", &self.base).unwrap_or(0);
        let per_honour =
            number(&mut c, "per_honour", "每项荣誉加分", &self.per_honour).unwrap_or(0);
        let per_overdue_problem = number(
            &mut c,
            "per_overdue_problem",
            "每个逾期问题减分",
            &self.per_overdue_problem,
        )
        .unwrap_or(0);
        let per_missed_obligation = number(
            &mut c,
            "per_missed_obligation",
            "每项未完成减分",
            &self.per_missed_obligation,
        )
        .unwrap_or(0);
        let mut stars = [0i64; 4];
        for (i, raw) in self.stars.iter().enumerate() {
            stars[i] = number(&mut c, "stars", STAR_LABELS[i], raw).unwrap_or(0);
        }
        if !stars.windows(2).all(|w| w[0] > w[1]) {
            c.push("stars", "星级分数线", "须从五星到二星递减");
        }
        if !(0..=1000).contains(&base)
            || per_honour < 0
            || per_overdue_problem > 0
            || per_missed_obligation > 0
        {
            c.push(
                "base",
                "基础分",
                "基础分 0–1000，荣誉加分不为负，减分项填负数或 0",
            );
        }
        c.finish(BranchScheme {
            base,
            per_honour,
            per_overdue_problem,
            per_missed_obligation,
            stars,
        })
    }
}

/// What the records say about one member in one month.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MonthFacts {
    /// Meetings that count which the member was expected at, and attended.
    pub expected: u32,
    pub attended: u32,
    /// Published commitments this year, and fulfilment entries dated this month.
    pub commitments: u32,
    pub fulfilled: u32,
    /// Points the branch set for `Granted` items, by item name (unset: full marks).
    pub granted: Vec<(String, u32)>,
}

/// One item's points, with the reason shown on the explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemScore {
    pub name: String,
    pub max: u32,
    pub points: u32,
    pub basis: String,
}

/// The monthly score: attendance share of full marks (full when nothing was held), full
/// commitment marks for a month with a fulfilment entry and half for published commitments
/// without one, and the branch's figure (or full marks) for the rest.
pub fn month_score(scheme: &MemberScheme, f: &MonthFacts) -> (u32, Vec<ItemScore>) {
    let items: Vec<ItemScore> = scheme
        .items
        .iter()
        .map(|i| {
            let (points, basis) = match i.source {
                Source::Attendance if f.expected == 0 => (i.max, "本月无应参加的组织生活".into()),
                Source::Attendance => (
                    (i.max * f.attended.min(f.expected) + f.expected / 2) / f.expected,
                    format!("应参加 {} 次，实到 {} 次", f.expected, f.attended),
                ),
                Source::Commitments if f.commitments == 0 => (0, "本年无已公示的承诺".into()),
                Source::Commitments if f.fulfilled > 0 => {
                    (i.max, format!("本月践诺记录 {} 条", f.fulfilled))
                }
                Source::Commitments => (i.max / 2, "有承诺，本月无践诺记录".into()),
                Source::Granted => match f.granted.iter().find(|(n, _)| *n == i.name) {
                    Some((_, v)) => ((*v).min(i.max), "支部评定".into()),
                    None => (i.max, "支部未扣分".into()),
                },
            };
            ItemScore {
                name: i.name.clone(),
                max: i.max,
                points,
                basis,
            }
        })
        .collect();
    (items.iter().map(|i| i.points).sum(), items)
}

/// The yearly score (mean of the months, blended with the year-end review when there is one)
/// and its stars, 1–5.
pub fn year_stars(scheme: &MemberScheme, months: &[u32], review: Option<u32>) -> (u32, u8) {
    let mean = if months.is_empty() {
        0
    } else {
        (months.iter().sum::<u32>() + months.len() as u32 / 2) / months.len() as u32
    };
    let score = match review {
        Some(r) => (mean * (100 - scheme.review_percent) + r * scheme.review_percent + 50) / 100,
        None => mean,
    };
    (score, stars_for(score as i64, &scheme.stars.map(i64::from)))
}

fn stars_for(score: i64, lines: &[i64; 4]) -> u8 {
    5 - lines.iter().take_while(|l| score < **l).count() as u8
}

/// What the records say about one branch in one year.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BranchFacts {
    pub honours: u32,
    pub overdue_problems: u32,
    pub missed_obligations: u32,
}

/// The branch score from the base and its stars.
pub fn branch_stars(scheme: &BranchScheme, f: &BranchFacts) -> (i64, u8, Vec<(String, i64)>) {
    let parts = vec![
        ("基础分".to_string(), scheme.base),
        (
            format!("荣誉 {} 项", f.honours),
            f.honours as i64 * scheme.per_honour,
        ),
        (
            format!("逾期未整改问题 {} 个", f.overdue_problems),
            f.overdue_problems as i64 * scheme.per_overdue_problem,
        ),
        (
            format!("未完成组织生活 {} 项次", f.missed_obligations),
            f.missed_obligations as i64 * scheme.per_missed_obligation,
        ),
    ];
    let score = parts.iter().map(|(_, v)| v).sum();
    (score, stars_for(score, &scheme.stars), parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_month_is_scored_from_attendance_commitments_and_the_branch() {
        let s = MemberScheme::default();
        let f = MonthFacts {
            expected: 3,
            attended: 2,
            commitments: 2,
            fulfilled: 0,
            granted: vec![("义务".into(), 4)],
        };
        let (total, items) = month_score(&s, &f);
        assert_eq!(items[0].points, 20);
        assert_eq!(items[1].points, 10);
        assert_eq!(items[4].points, 4);
        assert_eq!(total, 20 + 10 + 20 + 22 + 4);
    }

    #[test]
    fn stars_follow_the_lines_and_the_review_blends_in() {
        let s = MemberScheme::default();
        assert_eq!(year_stars(&s, &[95, 95], None), (95, 5));
        assert_eq!(year_stars(&s, &[90, 90], Some(60)), (81, 4));
        assert_eq!(year_stars(&s, &[], None).1, 1);
        let b = BranchScheme::default();
        let (score, stars, parts) = branch_stars(
            &b,
            &BranchFacts {
                honours: 3,
                overdue_problems: 1,
                missed_obligations: 2,
            },
        );
        assert_eq!(score, 106);
        assert_eq!(stars, 4);
        assert_eq!(parts.len(), 4);
    }

    #[test]
    fn the_default_scheme_adds_up_to_100() {
        assert!(MemberScheme::default().check().is_ok());
        let mut s = MemberScheme::default();
        s.items.pop();
        assert!(s
            .check()
            .unwrap_err()
            .for_field("items")
            .unwrap()
            .contains("92"));
    }

    #[test]
    fn schemes_read_back_through_their_forms_and_bad_lines_are_named() {
        let m = MemberScheme::default();
        assert_eq!(MemberSchemeInput::from_scheme(&m).parse().unwrap(), m);
        let b = BranchScheme::default();
        assert_eq!(BranchSchemeInput::from_scheme(&b).parse().unwrap(), b);
        let mut f = MemberSchemeInput::from_scheme(&m);
        f.items = "组织生活 30 出勤\n承诺践诺 70 承诺践诺记录".into();
        let e = f.parse().unwrap_err();
        assert!(e.for_field("items").unwrap().contains("第1行"));
        let mut g = BranchSchemeInput::from_scheme(&b);
        g.per_overdue_problem = "5".into();
        g.stars[0] = "x".into();
        let e = g.parse().unwrap_err();
        assert!(e.for_field("stars").unwrap().contains("x"));
        assert!(e.for_field("base").is_some());
    }

    proptest! {
        #[test]
        fn scheme_forms_never_panic(items in ".{0,60}", p in "[0-9]{0,3}", s in proptest::array::uniform4("[0-9-]{0,4}")) {
            let f = MemberSchemeInput { items, review_percent: p.clone(), stars: s.clone() };
            if let Ok(m) = f.parse() { prop_assert!(m.check().is_ok()); }
            let g = BranchSchemeInput { base: p.clone(), per_honour: p.clone(), per_overdue_problem: format!("-{p}"), per_missed_obligation: "-1".into(), stars: s };
            let _ = g.parse();
        }

        #[test]
        fn month_scores_stay_within_100_and_stars_within_1_to_5(
            expected in 0u32..10, attended in 0u32..12, commitments in 0u32..6, fulfilled in 0u32..4,
            months in proptest::collection::vec(0u32..=100, 0..12), review in proptest::option::of(0u32..=100),
        ) {
            let s = MemberScheme::default();
            let (total, items) = month_score(&s, &MonthFacts { expected, attended, commitments, fulfilled, granted: vec![] });
            prop_assert!(total <= 100);
            prop_assert!(items.iter().all(|i| i.points <= i.max));
            let (score, stars) = year_stars(&s, &months, review);
            prop_assert!(score <= 100);
            prop_assert!((1..=5).contains(&stars));
        }
    }
}
