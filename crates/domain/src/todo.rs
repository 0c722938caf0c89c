//! 待办: what a signed-in person must do now, gathered from the engines (cadence obligations,
//! approval queues, the workflow engine, the problem ledger, evaluation rounds, check-ins).
//! Each source in `store::todo` yields items of one kind; this module names the kinds, words
//! the urgency in Chinese and orders the list: overdue first (the longest overdue on top),
//! then by days left, then items with no date.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::org::labelled_enum;

labelled_enum!(
    /// What kind of work an item is; the label heads its line on the to-do page.
    Kind {
        Meeting => "组织生活",
        CheckIn => "今日签到",
        Claim => "积分审核",
        CommitmentApprove => "承诺审核",
        CommitmentReview => "承诺评诺",
        Rectify => "问题整改",
        Verify => "整改核验",
        Nomination => "推荐审批",
        Objection => "异议处理",
        Finalize => "公示期满确定",
        RoundClose => "结束评议",
        MyCommitment => "我的承诺",
        MyClaim => "我的积分申报",
        TaskReport => "任务报送",
        TaskAccept => "任务验收",
        CampaignCadence => "活动频次",
    }
);

/// One thing to do: what, for which organisation, by when, and the page that clears it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub kind: Kind,
    /// What to do, in a short sentence (主题党日：本月已开展0次，至少1次).
    pub what: String,
    /// The organisation it concerns.
    pub org: String,
    /// The last day it can be done on time; `None` when it has no deadline.
    pub due: Option<NaiveDate>,
    /// The page where it is done.
    pub href: String,
}

/// How urgent an item is on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Urgency {
    /// Past its last day by this many days (≥ 1).
    Overdue(i64),
    /// Due in this many days (0: today is the last day).
    DaysLeft(i64),
    /// No deadline.
    Undated,
}

impl Urgency {
    pub fn of(due: Option<NaiveDate>, today: NaiveDate) -> Urgency {
        match due {
            None => Urgency::Undated,
            Some(d) if d < today => Urgency::Overdue((today - d).num_days()),
            Some(d) => Urgency::DaysLeft((d - today).num_days()),
        }
    }

    /// The urgency in Chinese: 已逾期3天 / 今天到期 / 剩5天 / "" (no deadline).
    pub fn label(self) -> String {
        match self {
            Urgency::Overdue(n) => format!("已逾期{n}天"),
            Urgency::DaysLeft(0) => "今天到期".into(),
            Urgency::DaysLeft(n) => format!("剩{n}天"),
            Urgency::Undated => String::new(),
        }
    }

    /// red (overdue, or due within 3 days), yellow (within `warn` days), grey otherwise.
    pub fn colour(self, warn: i64) -> &'static str {
        match self {
            Urgency::Overdue(_) => "red",
            Urgency::DaysLeft(n) if n <= 3 => "red",
            Urgency::DaysLeft(n) if n <= warn => "yellow",
            _ => "grey",
        }
    }

    /// The sort key: overdue before dated before undated; the more overdue and the fewer days
    /// left, the earlier.
    fn key(self) -> (u8, i64) {
        match self {
            Urgency::Overdue(n) => (0, -n),
            Urgency::DaysLeft(n) => (1, n),
            Urgency::Undated => (2, 0),
        }
    }
}

impl Item {
    pub fn urgency(&self, today: NaiveDate) -> Urgency {
        Urgency::of(self.due, today)
    }
}

/// Orders items most urgent first; items equally urgent keep their kind order, then the order
/// their source gave them.
pub fn sort(items: &mut [Item], today: NaiveDate) {
    items.sort_by_key(|i| {
        let kind = Kind::ALL.iter().position(|k| *k == i.kind).unwrap_or(0);
        (i.urgency(today).key(), kind)
    });
}

/// An organisation's cadence obligations on which it acts itself. 领导点评 binds branches but is
/// written by the town leader above, so it is the town's to-do, not the branch's.
pub fn done_by_itself(activity: &str) -> bool {
    activity != crate::cadence::LEADER_REVIEW
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn item(kind: Kind, due: Option<NaiveDate>) -> Item {
        Item {
            kind,
            what: "事项".into(),
            org: "一支部".into(),
            due,
            href: "/todo".into(),
        }
    }

    #[test]
    fn urgency_reads_overdue_today_and_days_left_in_chinese() {
        let today = d("2026-12-01");
        assert_eq!(
            Urgency::of(Some(d("2026-11-28")), today).label(),
            "已逾期3天"
        );
        assert_eq!(Urgency::of(Some(today), today).label(), "今天到期");
        assert_eq!(Urgency::of(Some(d("2026-12-06")), today).label(), "剩5天");
        assert_eq!(Urgency::of(None, today).label(), "");
        assert_eq!(Urgency::of(Some(d("2026-12-03")), today).colour(7), "red");
        assert_eq!(
            Urgency::of(Some(d("2026-12-06")), today).colour(7),
            "yellow"
        );
        assert_eq!(Urgency::of(Some(d("2026-12-30")), today).colour(7), "grey");
    }

    #[test]
    fn overdue_items_come_first_then_by_days_left_then_undated() {
        let today = d("2026-12-01");
        let mut items = vec![
            item(Kind::Claim, None),
            item(Kind::Meeting, Some(d("2026-12-31"))),
            item(Kind::Rectify, Some(d("2026-11-30"))),
            item(Kind::Verify, Some(d("2026-12-02"))),
            item(Kind::Rectify, Some(d("2026-11-01"))),
        ];
        sort(&mut items, today);
        let dues: Vec<_> = items.iter().map(|i| i.due).collect();
        assert_eq!(
            dues,
            vec![
                Some(d("2026-11-01")),
                Some(d("2026-11-30")),
                Some(d("2026-12-02")),
                Some(d("2026-12-31")),
                None
            ]
        );
    }

    #[test]
    fn leader_reviews_are_the_level_above_s_to_do() {
        assert!(!done_by_itself(crate::cadence::LEADER_REVIEW));
        assert!(done_by_itself("主题党日"));
    }

    fn due() -> impl Strategy<Value = Option<NaiveDate>> {
        prop::option::of((-400i64..400).prop_map(|n| d("2026-12-01") + chrono::Duration::days(n)))
    }

    proptest! {
        #[test]
        fn sorted_lists_never_put_a_later_deadline_or_an_undated_item_before_a_more_urgent_one(
            dues in prop::collection::vec((due(), 0usize..Kind::ALL.len()), 0..40)
        ) {
            let today = d("2026-12-01");
            let mut items: Vec<Item> = dues.iter().map(|(due, k)| item(Kind::ALL[*k], *due)).collect();
            sort(&mut items, today);
            for w in items.windows(2) {
                let (a, b) = (w[0].urgency(today), w[1].urgency(today));
                match (a, b) {
                    (Urgency::Undated, other) => prop_assert_eq!(other, Urgency::Undated),
                    (Urgency::DaysLeft(_), Urgency::Overdue(_)) => prop_assert!(false, "overdue after dated"),
                    (Urgency::DaysLeft(x), Urgency::DaysLeft(y)) => prop_assert!(x <= y),
                    (Urgency::Overdue(x), Urgency::Overdue(y)) => prop_assert!(x >= y),
                    _ => {}
                }
                // dated items are in deadline order
                if let (Some(x), Some(y)) = (w[0].due, w[1].due) {
                    prop_assert!(x <= y);
                }
            }
            prop_assert_eq!(items.len(), dues.len());
        }
    }
}
