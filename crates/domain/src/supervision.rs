//! Supervision (督查考评): inspections, the problem ledger (问题台账) and its escalation.
//! A problem found in an inspection is owned by an organisation with a deadline (限期整改);
//! the owner submits its rectification, the inspecting level verifies it and closes the item
//! (销号) or returns it. An item left open past its deadline climbs configured levels
//! (催办 → 镇党委约谈 → 县委约谈), each step recorded.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::Collector;
use crate::org::labelled_enum;
use crate::text::normalize;
use crate::Invalid;

labelled_enum!(
    /// Where a ledger item stands.
    ProblemStatus {
        Open => "整改中",
        Submitted => "待核验",
        Closed => "已销号",
    }
);

labelled_enum!(
    /// What can happen to a ledger item; each is one appended step.
    ProblemAction {
        Submit => "提交整改",
        Verify => "核验销号",
        Return => "退回整改",
        Escalate => "逾期升级",
        Talk => "约谈记录",
    }
);

labelled_enum!(
    /// Which level carries out an escalation step.
    Escalator {
        Town => "乡镇党委",
        County => "县委",
    }
);

impl ProblemStatus {
    /// Whether the owner still has to act (the deadline runs only then).
    pub fn awaiting_owner(self) -> bool {
        self == ProblemStatus::Open
    }
}

/// The status after `action`, or `None` when the action is not allowed now.
pub fn next(status: ProblemStatus, action: ProblemAction) -> Option<ProblemStatus> {
    use ProblemAction::*;
    use ProblemStatus::*;
    match (status, action) {
        (Open, Submit) => Some(Submitted),
        (Submitted, Verify) => Some(Closed),
        (Submitted, Return) => Some(Open),
        (Open, Escalate) => Some(Open),
        (Open | Submitted, Talk) => Some(status),
        _ => None,
    }
}

/// 红黄绿 for one item on `today`: closed green, past its deadline red, within three days of
/// it (or waiting for verification) yellow, otherwise grey.
pub fn colour(status: ProblemStatus, deadline: NaiveDate, today: NaiveDate) -> &'static str {
    match status {
        ProblemStatus::Closed => "green",
        ProblemStatus::Open if today > deadline => "red",
        ProblemStatus::Open if (deadline - today).num_days() <= 3 => "yellow",
        ProblemStatus::Submitted => "yellow",
        ProblemStatus::Open => "grey",
    }
}

/// One escalation level: once an item is more than `after_days` past its deadline and still
/// with its owner, `by` takes `action` (催办提醒, 约谈).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EscalationLevel {
    pub after_days: i64,
    pub action: String,
    pub by: Escalator,
}

/// The default ladder: a reminder the day after the deadline, a talk with the town's party
/// secretary after a week, a talk at the county after two weeks.
pub fn default_escalation() -> Vec<EscalationLevel> {
    vec![
        EscalationLevel {
            after_days: 0,
            action: "催办提醒".into(),
            by: Escalator::Town,
        },
        EscalationLevel {
            after_days: 7,
            action: "约谈".into(),
            by: Escalator::Town,
        },
        EscalationLevel {
            after_days: 15,
            action: "约谈".into(),
            by: Escalator::County,
        },
    ]
}

/// A ladder must have 1–6 levels, each later than the one before, within a year.
pub fn check_escalation(levels: &[EscalationLevel]) -> Result<(), Invalid> {
    let mut e = Collector::default();
    if levels.is_empty() || levels.len() > 6 {
        e.push("levels", "升级层级", "应设置1–6级");
    }
    for (i, l) in levels.iter().enumerate() {
        let label = format!("第{}级", i + 1);
        if !(0..=365).contains(&l.after_days) {
            e.push(
                &format!("after_days_{i}"),
                &label,
                "逾期天数应为0–365之间的整数",
            );
        }
        if i > 0 && l.after_days <= levels[i - 1].after_days {
            e.push(&format!("after_days_{i}"), &label, "逾期天数应比上一级多");
        }
        let action = normalize(&l.action);
        if action.is_empty() || action.chars().count() > 20 {
            e.push(&format!("action_{i}"), &label, "措施应为1–20个字");
        }
    }
    e.finish(())
}

/// How many levels an item has reached on `today`: those whose `after_days` it has passed
/// while still with its owner. Closed or submitted items climb no further.
pub fn reached(
    levels: &[EscalationLevel],
    status: ProblemStatus,
    deadline: NaiveDate,
    today: NaiveDate,
) -> usize {
    if !status.awaiting_owner() {
        return 0;
    }
    let overdue = (today - deadline).num_days();
    levels.iter().filter(|l| overdue > l.after_days).count()
}

/// An inspection as typed (督查记录).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct InspectionInput {
    pub held_on: String,
    pub inspectors: String,
    pub findings: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InspectionDraft {
    pub held_on: NaiveDate,
    pub inspectors: String,
    pub findings: String,
}

fn text_field(e: &mut Collector, field: &str, label: &str, value: &str, max: usize) -> String {
    let v = value.trim().to_string();
    if v.is_empty() {
        e.push(field, label, "不能为空");
    } else if v.chars().count() > max {
        e.push(field, label, format!("不能超过{max}个字"));
    }
    v
}

impl InspectionInput {
    pub fn validate(&self, today: NaiveDate) -> Result<InspectionDraft, Invalid> {
        let mut e = Collector::default();
        let held_on = match crate::date::parse(&self.held_on) {
            Some(d) if d > today => {
                e.push("held_on", "督查日期", "不能晚于今天");
                d
            }
            Some(d) => d,
            None => {
                e.push("held_on", "督查日期", "请填写日期，如2026-11-20");
                today
            }
        };
        let inspectors = text_field(&mut e, "inspectors", "督查人员", &self.inspectors, 100);
        let findings = text_field(&mut e, "findings", "督查情况", &self.findings, 2000);
        e.finish(InspectionDraft {
            held_on,
            inspectors,
            findings,
        })
    }
}

/// A ledger item as typed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ProblemInput {
    pub description: String,
    pub deadline: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProblemDraft {
    pub description: String,
    pub deadline: NaiveDate,
}

impl ProblemInput {
    /// The deadline must fall after the inspection and within a year of it.
    pub fn validate(&self, found_on: NaiveDate) -> Result<ProblemDraft, Invalid> {
        let mut e = Collector::default();
        let description = text_field(&mut e, "description", "问题描述", &self.description, 500);
        let deadline = match crate::date::parse(&self.deadline) {
            Some(d) if d < found_on => {
                e.push("deadline", "整改期限", "不能早于发现问题的日期");
                d
            }
            Some(d) if (d - found_on).num_days() > 366 => {
                e.push("deadline", "整改期限", "不能超过一年");
                d
            }
            Some(d) => d,
            None => {
                e.push("deadline", "整改期限", "请填写日期，如2026-12-20");
                found_on
            }
        };
        e.finish(ProblemDraft {
            description,
            deadline,
        })
    }
}

/// A step's note: rectification report, verification opinion, record of a talk.
pub fn check_note(action: ProblemAction, note: &str) -> Result<String, Invalid> {
    let mut e = Collector::default();
    let label = match action {
        ProblemAction::Submit => "整改情况",
        ProblemAction::Verify | ProblemAction::Return => "核验意见",
        ProblemAction::Talk => "约谈情况",
        ProblemAction::Escalate => "说明",
    };
    let v = text_field(&mut e, "note", label, note, 2000);
    e.finish(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn an_item_is_closed_only_after_submission_and_verification() {
        use ProblemAction::*;
        use ProblemStatus::*;
        assert_eq!(next(Open, Verify), None);
        assert_eq!(next(Open, Submit), Some(Submitted));
        assert_eq!(next(Submitted, Return), Some(Open));
        assert_eq!(next(Submitted, Verify), Some(Closed));
        for a in ProblemAction::ALL {
            assert_eq!(next(Closed, *a), None);
        }
    }

    #[test]
    fn the_default_ladder_climbs_on_the_configured_days() {
        let l = default_escalation();
        let open = ProblemStatus::Open;
        assert_eq!(reached(&l, open, d(11, 10), d(11, 10)), 0);
        assert_eq!(reached(&l, open, d(11, 10), d(11, 11)), 1);
        assert_eq!(reached(&l, open, d(11, 10), d(11, 18)), 2);
        assert_eq!(reached(&l, open, d(11, 10), d(11, 26)), 3);
        assert_eq!(
            reached(&l, ProblemStatus::Submitted, d(11, 10), d(11, 26)),
            0
        );
        assert!(check_escalation(&l).is_ok());
    }

    #[test]
    fn a_ladder_must_climb() {
        let mut l = default_escalation();
        l[2].after_days = 7;
        let err = check_escalation(&l).unwrap_err();
        assert!(err.for_field("after_days_2").unwrap().contains("上一级"));
        assert!(check_escalation(&[]).is_err());
    }

    #[test]
    fn inputs_name_the_bad_field() {
        let err = InspectionInput {
            held_on: "2026-12-01".into(),
            inspectors: "".into(),
            findings: "台账不全".into(),
        }
        .validate(d(11, 22))
        .unwrap_err();
        assert!(err.for_field("held_on").is_some());
        assert!(err.for_field("inspectors").is_some());
        let err = ProblemInput {
            description: "三会一课记录不全".into(),
            deadline: "2026-11-01".into(),
        }
        .validate(d(11, 20))
        .unwrap_err();
        assert!(err.for_field("deadline").unwrap().contains("不能早于"));
        assert!(check_note(ProblemAction::Submit, " ").is_err());
    }

    #[test]
    fn colours_follow_the_deadline() {
        assert_eq!(colour(ProblemStatus::Open, d(11, 20), d(11, 22)), "red");
        assert_eq!(colour(ProblemStatus::Open, d(11, 24), d(11, 22)), "yellow");
        assert_eq!(colour(ProblemStatus::Open, d(12, 24), d(11, 22)), "grey");
        assert_eq!(colour(ProblemStatus::Closed, d(11, 1), d(11, 22)), "green");
    }

    fn action() -> impl Strategy<Value = ProblemAction> {
        prop::sample::select(ProblemAction::ALL.to_vec())
    }

    proptest! {
        /// Whatever is attempted, an item reaches 已销号 only through 待核验, and nothing moves
        /// it afterwards.
        #[test]
        fn closing_always_passes_through_verification(actions in prop::collection::vec(action(), 0..30)) {
            let mut s = ProblemStatus::Open;
            let mut prev = s;
            for a in actions {
                if let Some(n) = next(s, a) {
                    if n == ProblemStatus::Closed {
                        prop_assert_eq!(s, ProblemStatus::Submitted);
                        prop_assert_eq!(a, ProblemAction::Verify);
                    }
                    prev = s;
                    s = n;
                } else if s == ProblemStatus::Closed {
                    prop_assert_eq!(prev, ProblemStatus::Submitted);
                }
            }
        }

        /// The level reached never goes down as days pass, and never exceeds the ladder.
        #[test]
        fn escalation_is_monotone_and_bounded(days in prop::collection::vec(0i64..60, 1..6), a in 0i64..400, b in 0i64..400) {
            let mut after = 0;
            let levels: Vec<EscalationLevel> = days.iter().map(|d| {
                after += d + 1;
                EscalationLevel { after_days: after - 1, action: "约谈".into(), by: Escalator::Town }
            }).collect();
            prop_assert!(check_escalation(&levels).is_ok());
            let deadline = d(1, 1);
            let (x, y) = (a.min(b), a.max(b));
            let rx = reached(&levels, ProblemStatus::Open, deadline, deadline + chrono::Duration::days(x));
            let ry = reached(&levels, ProblemStatus::Open, deadline, deadline + chrono::Duration::days(y));
            prop_assert!(rx <= ry && ry <= levels.len());
        }

        #[test]
        fn validation_never_panics(h in "\\PC{0,12}", i in "\\PC{0,20}", f in "\\PC{0,40}") {
            let _ = InspectionInput { held_on: h.clone(), inspectors: i, findings: f.clone() }.validate(d(11, 22));
            let _ = ProblemInput { description: f, deadline: h }.validate(d(11, 22));
        }
    }
}
