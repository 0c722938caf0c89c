//! Commitments (承诺践诺, 一诺三评三公开): an organisation or a member commits each year; the
//! branch approves (承诺), the commitment is published (示诺), fulfilment is recorded with
//! dates and evidence (践诺), members, residents and the organisation review it (评诺) and the
//! branch settles the result (奖诺).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::Collector;
use crate::evaluation::Choice;
use crate::org::labelled_enum;
use crate::text::normalize;
use crate::Invalid;

labelled_enum!(
    CommitmentStage {
        Draft => "待审核",
        Published => "已公示",
        Reviewing => "评诺中",
        Settled => "已评定",
    }
);

labelled_enum!(
    CommitmentResult {
        Excellent => "优秀",
        Good => "良好",
        Kept => "兑现",
        Broken => "未兑现",
    }
);

labelled_enum!(
    /// Who reviews a commitment.
    Reviewer {
        Members => "党员评",
        Residents => "群众评",
        Organisation => "组织评",
    }
);

labelled_enum!(
    CommitmentStep {
        Approve => "审核通过",
        StartReview => "开始评诺",
        Settle => "评定结果",
    }
);

/// The stage after `step`, if allowed now.
pub fn next(stage: CommitmentStage, step: CommitmentStep) -> Option<CommitmentStage> {
    use CommitmentStage::*;
    use CommitmentStep::*;
    match (stage, step) {
        (Draft, Approve) => Some(Published),
        (Published, StartReview) => Some(Reviewing),
        (Reviewing, Settle) => Some(Settled),
        _ => None,
    }
}

/// Fulfilment entries are recorded while published or under review.
pub fn accepts_fulfilment(stage: CommitmentStage) -> bool {
    matches!(
        stage,
        CommitmentStage::Published | CommitmentStage::Reviewing
    )
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CommitmentInput {
    #[serde(default)]
    pub content: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub due: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommitmentDraft {
    pub content: String,
    pub category: String,
    pub due: NaiveDate,
}

/// Checks a new commitment for `year`. For a member's, `personal` is how many they already
/// have and the most a member may make (`Rules::commitments_max_per_member`, default 5).
pub fn check(
    input: &CommitmentInput,
    year: i32,
    personal: Option<(usize, usize)>,
) -> Result<CommitmentDraft, Invalid> {
    let mut c = Collector::default();
    let content = normalize(&input.content);
    let n = content.chars().count();
    if n < 4 {
        c.push(
            "content",
            "承诺内容",
            "至少 4 个字，写明做什么、做到什么程度",
        );
    } else if n > 300 {
        c.push("content", "承诺内容", "不能超过 300 字");
    }
    let category = normalize(&input.category);
    if category.chars().count() > 30 {
        c.push("category", "所属类别", "不能超过 30 字");
    }
    let due = match NaiveDate::parse_from_str(input.due.trim(), "%Y-%m-%d") {
        Ok(d) if d.year_ce().1 as i32 == year => Some(d),
        Ok(_) => {
            c.push("due", "完成时限", format!("须在 {year} 年内"));
            None
        }
        Err(_) => {
            c.push("due", "完成时限", "请按 2026-06-30 的格式填写");
            None
        }
    };
    if let Some((existing, max)) = personal.filter(|(n, max)| n >= max) {
        c.push(
            "content",
            "承诺内容",
            format!("每名党员每年最多 {max} 项承诺，已有 {existing} 项"),
        );
    }
    let value = CommitmentDraft {
        content,
        category,
        due: due.unwrap_or_default(),
    };
    c.finish(value)
}

/// The result the reviews point to: the mean share of full marks.
pub fn suggested(reviews: &[Choice]) -> Option<CommitmentResult> {
    if reviews.is_empty() {
        return None;
    }
    let mean = reviews.iter().map(|c| c.percent()).sum::<u32>() / reviews.len() as u32;
    Some(match mean {
        90.. => CommitmentResult::Excellent,
        75..=89 => CommitmentResult::Good,
        60..=74 => CommitmentResult::Kept,
        _ => CommitmentResult::Broken,
    })
}

/// Which half of the year a day is in: `2026H1`.
pub fn half_of(d: NaiveDate) -> String {
    format!("{}H{}", d.year(), if d.month() <= 6 { 1 } else { 2 })
}

/// The first and last day of a half written `2026H2`.
pub fn half_range(key: &str) -> Option<(NaiveDate, NaiveDate)> {
    let (y, h) = key.split_once('H')?;
    let y: i32 = y.parse().ok()?;
    match h {
        "1" => Some((
            NaiveDate::from_ymd_opt(y, 1, 1)?,
            NaiveDate::from_ymd_opt(y, 6, 30)?,
        )),
        "2" => Some((
            NaiveDate::from_ymd_opt(y, 7, 1)?,
            NaiveDate::from_ymd_opt(y, 12, 31)?,
        )),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn input(content: &str, due: &str) -> CommitmentInput {
        CommitmentInput {
            content: content.into(),
            category: "产业振兴".into(),
            due: due.into(),
        }
    }

    #[test]
    fn a_commitment_runs_draft_published_reviewing_settled() {
        let mut s = CommitmentStage::Draft;
        assert!(!accepts_fulfilment(s));
        for step in CommitmentStep::ALL {
            s = next(s, *step).unwrap();
        }
        assert_eq!(s, CommitmentStage::Settled);
        assert_eq!(next(s, CommitmentStep::Approve), None);
    }

    #[test]
    fn a_sixth_commitment_and_a_due_date_outside_the_year_are_refused() {
        let ok = check(
            &input("帮助3户困难群众发展庭院经济", "2026-09-30"),
            2026,
            Some((4, 5)),
        );
        assert!(ok.is_ok());
        let e = check(
            &input("帮助3户困难群众发展庭院经济", "2027-01-05"),
            2026,
            Some((5, 5)),
        )
        .unwrap_err();
        assert!(e.for_field("due").unwrap().contains("2026"));
        assert!(e.for_field("content").unwrap().contains("最多 5 项"));
        assert!(check(&input("好", "x"), 2026, None).is_err());
    }

    #[test]
    fn reviews_suggest_a_result_and_halves_have_ranges() {
        assert_eq!(
            suggested(&[Choice::Satisfied, Choice::Satisfied, Choice::Basic]),
            Some(CommitmentResult::Excellent)
        );
        assert_eq!(
            suggested(&[Choice::Unsatisfied, Choice::Basic]),
            Some(CommitmentResult::Broken)
        );
        assert_eq!(suggested(&[]), None);
        let d = NaiveDate::from_ymd_opt(2026, 7, 1).unwrap();
        assert_eq!(half_of(d), "2026H2");
        assert_eq!(half_range("2026H2").unwrap().0, d);
        assert_eq!(half_range("2026H3"), None);
    }

    proptest! {
        #[test]
        fn checking_never_panics(content in ".{0,40}", due in ".{0,12}", n in 0usize..9) {
            let r = check(&CommitmentInput { content, category: String::new(), due }, 2026, Some((n, 5)));
            if let Ok(d) = r { prop_assert_eq!(d.due.year(), 2026); prop_assert!(n < 5); }
        }
    }
}
