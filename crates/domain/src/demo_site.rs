//! 示范点 (demonstration sites): an organisation designated for a year with a creation plan
//! and a checklist of standards (创建标准); the site evidences each standard, the level above
//! checks it, and acceptance (验收) is a scored visit: 通过 (every standard checked 合格),
//! 限期整改 (with problems for the 问题台账) or 不通过.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::Collector;
use crate::org::labelled_enum;
use crate::text::normalize;
use crate::Invalid;

/// The default 创建标准 (seed 003); the county edits its own list.
pub const DEFAULT_STANDARDS: [&str; 9] = [
    "活动有阵地",
    "办公有经费",
    "制度上墙",
    "服务中心设施",
    "党员责任区",
    "便民服务承诺",
    "帮扶机制",
    "双报到",
    "定期活动",
];

/// The activities an accepted site counts as (roll-up `count:` counters a campaign's computed
/// indicator reads): every site, and the site's domain (`社区示范点建成`).
pub const BUILT: &str = "示范点建成";

pub fn built_in(domain_label: &str) -> String {
    format!("{domain_label}{BUILT}")
}

labelled_enum!(
    /// Where a site stands.
    SiteStatus {
        Building => "创建中",
        Rectifying => "限期整改",
        Accepted => "已通过验收",
        Failed => "未通过验收",
    }
);

labelled_enum!(
    /// One standard's state on a site.
    ItemState {
        Open => "待提交",
        Submitted => "待核查",
        Passed => "合格",
        Returned => "退回补充",
    }
);

labelled_enum!(
    /// An acceptance visit's result.
    AcceptanceResult {
        Pass => "通过",
        Rectify => "限期整改",
        Fail => "不通过",
    }
);

/// Raw input designating a site.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct SiteInput {
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub leader: String,
    #[serde(default)]
    pub plan: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteDraft {
    pub year: i32,
    pub leader: String,
    pub plan: String,
}

fn text(c: &mut Collector, field: &str, label: &str, raw: &str, min: usize, max: usize) -> String {
    let t = normalize(raw);
    let n = t.chars().count();
    if n < min || n > max {
        c.push(
            field,
            label,
            format!("请填写 {min}–{max} 字（现为 {n} 字）"),
        );
    }
    t
}

impl SiteInput {
    pub fn validate(&self, today: NaiveDate) -> Result<SiteDraft, Invalid> {
        let mut c = Collector::default();
        let this = chrono::Datelike::year(&today);
        let year = match normalize(&self.year).parse::<i32>() {
            Ok(y) if (this - 1..=this + 1).contains(&y) => y,
            _ => {
                c.push(
                    "year",
                    "创建年度",
                    format!("须为 {}–{} 年", this - 1, this + 1),
                );
                this
            }
        };
        let leader = text(&mut c, "leader", "牵头领导", &self.leader, 2, 40);
        let plan = text(&mut c, "plan", "创建方案", &self.plan, 10, 4000);
        c.finish(SiteDraft { year, leader, plan })
    }
}

/// A county's standards list as typed (one per line): trimmed, no blanks, no duplicates,
/// 1–30 standards of at most 40 characters.
pub fn check_standards(raw: &str) -> Result<Vec<String>, Invalid> {
    let mut out: Vec<String> = Vec::new();
    for line in raw.lines() {
        let t = normalize(line);
        if t.is_empty() || out.contains(&t) {
            continue;
        }
        if t.chars().count() > 40 {
            return Err(Invalid::one(
                "standards",
                "创建标准",
                format!("“{t}”超过 40 字"),
            ));
        }
        out.push(t);
    }
    if out.is_empty() || out.len() > 30 {
        return Err(Invalid::one(
            "standards",
            "创建标准",
            "请每行填写一条标准，1–30 条",
        ));
    }
    Ok(out)
}

/// Raw input of an acceptance visit.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AcceptanceInput {
    #[serde(default)]
    pub held_on: String,
    #[serde(default)]
    pub inspectors: String,
    #[serde(default)]
    pub score: String,
    #[serde(default)]
    pub result: String,
    #[serde(default)]
    pub remarks: String,
    /// For 限期整改: one problem per line.
    #[serde(default)]
    pub problems: String,
    #[serde(default)]
    pub deadline: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acceptance {
    pub held_on: NaiveDate,
    pub inspectors: String,
    pub score: u8,
    pub result: AcceptanceResult,
    pub remarks: String,
    pub problems: Vec<String>,
    pub deadline: Option<NaiveDate>,
}

impl AcceptanceInput {
    /// `passed` and `total`: the site's standards checked 合格, of all. 通过 needs every one.
    pub fn validate(
        &self,
        today: NaiveDate,
        passed: usize,
        total: usize,
    ) -> Result<Acceptance, Invalid> {
        let mut c = Collector::default();
        let held_on = match crate::date::parse(&self.held_on) {
            Some(d) if d <= today => d,
            _ => {
                c.push("held_on", "验收日期", "请填写今天或以前的日期");
                today
            }
        };
        let inspectors = text(&mut c, "inspectors", "验收人员", &self.inspectors, 2, 100);
        let score = match normalize(&self.score).parse::<u8>() {
            Ok(s) if s <= 100 => s,
            _ => {
                c.push("score", "验收得分", "请填写 0–100 的整数");
                0
            }
        };
        let result = AcceptanceResult::parse(&self.result).unwrap_or_else(|| {
            c.push("result", "验收结果", "请选择通过、限期整改或不通过");
            AcceptanceResult::Fail
        });
        let remarks = normalize(&self.remarks);
        if remarks.chars().count() > 2000 {
            c.push("remarks", "验收意见", "不能超过 2000 字");
        }
        if result == AcceptanceResult::Pass && !can_pass(passed, total) {
            c.push(
                "result",
                "验收结果",
                format!("还有 {} 项创建标准未核查合格，不能通过验收", total - passed),
            );
        }
        let problems: Vec<String> = self
            .problems
            .lines()
            .map(normalize)
            .filter(|l| !l.is_empty())
            .collect();
        let mut deadline = None;
        if result == AcceptanceResult::Rectify {
            if problems.is_empty() {
                c.push(
                    "problems",
                    "整改问题",
                    "限期整改须至少列出一个问题（每行一个）",
                );
            }
            if problems.iter().any(|p| p.chars().count() > 500) {
                c.push("problems", "整改问题", "每个问题不能超过 500 字");
            }
            deadline = match crate::date::parse(&self.deadline) {
                Some(d) if d >= held_on && (d - held_on).num_days() <= 365 => Some(d),
                _ => {
                    c.push("deadline", "整改期限", "须在验收日期之后一年以内");
                    None
                }
            };
        }
        c.finish(Acceptance {
            held_on,
            inspectors,
            score,
            result,
            remarks,
            problems,
            deadline,
        })
    }
}

/// 通过 needs a checklist that is not empty and every standard checked 合格.
pub fn can_pass(passed: usize, total: usize) -> bool {
    total > 0 && passed >= total
}

/// The status a site takes after an acceptance visit.
pub fn status_after(result: AcceptanceResult) -> SiteStatus {
    match result {
        AcceptanceResult::Pass => SiteStatus::Accepted,
        AcceptanceResult::Rectify => SiteStatus::Rectifying,
        AcceptanceResult::Fail => SiteStatus::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn visit(result: &str) -> AcceptanceInput {
        AcceptanceInput {
            held_on: "2026-06-01".into(),
            inspectors: "县委组织部 王科长".into(),
            score: "92".into(),
            result: result.into(),
            remarks: String::new(),
            problems: String::new(),
            deadline: String::new(),
        }
    }

    #[test]
    fn the_default_standards_are_seed_003s_nine() {
        assert_eq!(DEFAULT_STANDARDS.len(), 9);
        assert_eq!(
            check_standards(&DEFAULT_STANDARDS.join("\n"))
                .unwrap()
                .len(),
            9
        );
        assert_eq!(
            check_standards("制度上墙\n\n 制度上墙 \n双报到").unwrap(),
            vec!["制度上墙", "双报到"]
        );
        assert!(check_standards("  \n").is_err());
    }

    #[test]
    fn passing_needs_every_standard_checked() {
        let today = d("2026-06-02");
        assert!(visit("通过").validate(today, 9, 9).is_ok());
        let e = visit("通过").validate(today, 8, 9).unwrap_err();
        assert!(e.for_field("result").unwrap().contains("1 项"));
    }

    #[test]
    fn rectification_needs_problems_and_a_deadline_after_the_visit() {
        let today = d("2026-06-02");
        let e = visit("限期整改").validate(today, 3, 9).unwrap_err();
        assert!(e.for_field("problems").is_some() && e.for_field("deadline").is_some());
        let ok = AcceptanceInput {
            problems: "制度未上墙\n\n党员责任区未划分".into(),
            deadline: "2026-07-01".into(),
            ..visit("限期整改")
        }
        .validate(today, 3, 9)
        .unwrap();
        assert_eq!(ok.problems.len(), 2);
        assert_eq!(status_after(ok.result), SiteStatus::Rectifying);
    }

    #[test]
    fn a_site_needs_a_year_near_now_a_leader_and_a_plan() {
        let today = d("2026-06-02");
        let e = SiteInput::default().validate(today).unwrap_err();
        assert!(e.for_field("year").is_some() && e.for_field("leader").is_some());
        assert!(SiteInput {
            year: "2026".into(),
            leader: "党委副书记 李明".into(),
            plan: "按九有标准创建社区党建示范点，年底验收。".into(),
        }
        .validate(today)
        .is_ok());
    }

    proptest! {
        #[test]
        fn pass_is_allowed_exactly_when_all_are_checked(total in 0usize..20, passed in 0usize..20) {
            let passed = passed.min(total);
            let r = visit("通过").validate(d("2026-06-02"), passed, total);
            prop_assert_eq!(r.is_ok(), total > 0 && passed == total);
        }
    }
}
