//! How the parts of a published plan that are not tasks become rules the system runs: a
//! cadence's action (一周一报告, 一月一督查, 月通报, 季评比 …) names what counts as one occurrence
//! and whom the rule binds; a criteria list (五个好) becomes an evaluation scheme; a percentage
//! quota (每年有15%党员争当镇级优秀) becomes a number when a nomination is made.

use serde::{Deserialize, Serialize};

use crate::cadence::{Frequency, LEADER_REVIEW, SUPERVISION};
use crate::evaluation::{Criterion, Scheme, SubjectKind};
use crate::org::labelled_enum;

/// The activity an issued monthly bulletin (月通报) counts toward, for the organisation whose
/// subtree it reports on.
pub const BULLETIN: &str = "月通报";

/// The activity an evaluation round (考评、民主评议) opened by an organisation counts toward.
pub const EVALUATION: &str = "评议考评";

labelled_enum!(
    /// What one occurrence of a campaign cadence is.
    Occurrence {
        Report => "报告",
        Supervision => "督查",
        Bulletin => "通报",
        Review => "点评",
        Evaluation => "评议考评",
        Ranking => "评比",
    }
);

labelled_enum!(
    /// Whom a campaign cadence binds.
    Binds {
        Assignees => "各责任单位",
        CampaignOrg => "活动组织单位",
    }
);

impl Occurrence {
    /// The plan's action word (报告, 一月一督查's 督查, 领导点评 …) read as an occurrence:
    /// - 报告 / 汇报 / 报送: each assignee of the campaign reports progress that often;
    /// - 督查 / 检查: the campaign's organisation records inspections (督查记录);
    /// - 通报: the campaign's organisation issues its monthly bulletin (月通报);
    /// - 点评 / 讲评: leader reviews (领导点评) written in the campaign's subtree;
    /// - 评议 / 考评 / 考核: evaluation rounds opened by the campaign's organisation;
    /// - 评比 / 排名: the campaign's organisation keeps a ranking of its assignees.
    ///
    /// Anything else (党务公开, 调度, meetings the county's life rules already cover) is `None`.
    pub fn of_action(action: &str) -> Option<Occurrence> {
        let has = |words: &[&str]| words.iter().any(|w| action.contains(w));
        if has(&["评比", "排名"]) {
            Some(Occurrence::Ranking)
        } else if has(&["通报"]) {
            Some(Occurrence::Bulletin)
        } else if has(&["督查", "检查"]) {
            Some(Occurrence::Supervision)
        } else if has(&["点评", "讲评"]) {
            Some(Occurrence::Review)
        } else if has(&["评议", "考评", "考核"]) {
            Some(Occurrence::Evaluation)
        } else if has(&["报告", "汇报", "报送"]) {
            Some(Occurrence::Report)
        } else {
            None
        }
    }

    pub fn binds(self) -> Binds {
        match self {
            Occurrence::Report => Binds::Assignees,
            _ => Binds::CampaignOrg,
        }
    }

    /// The cadence activity whose `count:` counter holds the occurrences. Reports and
    /// rankings belong to one campaign; inspections, bulletins, reviews and rounds are the
    /// organisation's own records, counted once whichever campaign asks.
    pub fn activity(self, campaign_id: i64) -> String {
        match self {
            Occurrence::Report => report_activity(campaign_id),
            Occurrence::Ranking => ranking_activity(campaign_id),
            Occurrence::Supervision => SUPERVISION.to_string(),
            Occurrence::Bulletin => BULLETIN.to_string(),
            Occurrence::Review => LEADER_REVIEW.to_string(),
            Occurrence::Evaluation => EVALUATION.to_string(),
        }
    }

    /// Whether occurrences are counted in the whole subtree (leader reviews are recorded on
    /// the branch reviewed) rather than on the bound organisation itself.
    pub fn counted_in_subtree(self) -> bool {
        self == Occurrence::Review
    }

    /// Days before a period ends to warn when it is still missing.
    pub fn warn_days(self, frequency: Frequency) -> i64 {
        match frequency {
            Frequency::Weekly => 2,
            Frequency::Monthly => 7,
            Frequency::Quarterly => 15,
            Frequency::HalfYearly | Frequency::Yearly => 30,
        }
    }
}

/// The activity a progress report of campaign `id` counts toward.
pub fn report_activity(campaign_id: i64) -> String {
    format!("活动报告#{campaign_id}")
}

/// The activity a kept ranking of campaign `id` counts toward.
pub fn ranking_activity(campaign_id: i64) -> String {
    format!("活动评比#{campaign_id}")
}

/// The plan reader's period word (week / month / quarter / half_year / year).
pub fn frequency_of(period: &str) -> Option<Frequency> {
    match period {
        "week" => Some(Frequency::Weekly),
        "month" => Some(Frequency::Monthly),
        "quarter" => Some(Frequency::Quarterly),
        "half_year" => Some(Frequency::HalfYearly),
        "year" => Some(Frequency::Yearly),
        _ => None,
    }
}

/// The period word for a frequency, as the CLI prints it.
pub fn period_word(f: Frequency) -> &'static str {
    match f {
        Frequency::Weekly => "week",
        Frequency::Monthly => "month",
        Frequency::Quarterly => "quarter",
        Frequency::HalfYearly => "half_year",
        Frequency::Yearly => "year",
    }
}

/// A percentage quota as a number of places: `percent` of `base` (members or branches of the
/// subtree when the nomination is made), rounded down, but at least 1 while there is anyone
/// to award — a small branch's 15 % still names one 优秀. 0 when `base` is 0.
pub fn percent_quota(percent: f64, base: i64) -> u32 {
    if base <= 0 || !percent.is_finite() || percent <= 0.0 {
        return 0;
    }
    let exact = percent.min(100.0) * base as f64 / 100.0;
    // A hair of tolerance so 15 % of 20 is 3, not 2.9999999.
    let floor = (exact + 1e-9).floor() as i64;
    floor.clamp(1, base).min(u32::MAX as i64) as u32
}

/// An evaluation scheme from a plan's criteria list: its items are the criteria, sharing 100
/// points (the first items take the remainder: 3 items are 34, 33, 33). A list about members
/// (五带头, 五个模范, 党员 …) rates members; any other (五个好) rates organisations. Weights,
/// thresholds and the 优秀 cap are those of the built-in scheme of the same subject.
pub fn scheme_from_criteria(name: &str, items: &[String]) -> Option<Scheme> {
    let items: Vec<String> = items
        .iter()
        .map(|i| crate::text::normalize(i))
        .filter(|i| !i.is_empty())
        .take(100)
        .collect();
    let name = crate::text::normalize(name);
    if name.is_empty() || items.is_empty() {
        return None;
    }
    let about_members = ["带头", "模范", "党员", "先锋"]
        .iter()
        .any(|w| name.contains(w))
        || items.iter().all(|i| i.starts_with("带头"));
    let mut scheme = if about_members {
        Scheme::five_leads()
    } else {
        Scheme::five_goods()
    };
    let n = items.len() as u32;
    scheme.criteria = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| Criterion {
            name: item,
            max: 100 / n + u32::from((i as u32) < 100 % n),
        })
        .collect();
    scheme.subject = if about_members {
        SubjectKind::Member
    } else {
        SubjectKind::Org
    };
    scheme.name = name;
    Some(scheme)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_five_ones_and_the_bulletin_map_to_what_counts() {
        let got: Vec<Option<Occurrence>> = ["报告", "督查", "点评", "评议", "考评", "通报", "评比"]
            .iter()
            .map(|a| Occurrence::of_action(a))
            .collect();
        use Occurrence::*;
        assert_eq!(
            got,
            vec![
                Some(Report),
                Some(Supervision),
                Some(Review),
                Some(Evaluation),
                Some(Evaluation),
                Some(Bulletin),
                Some(Ranking)
            ]
        );
        assert_eq!(Occurrence::of_action("领导点评"), Some(Review));
        assert_eq!(Occurrence::of_action("党务公开"), None);
        assert_eq!(Occurrence::of_action("支委会"), None);
    }

    #[test]
    fn reports_bind_assignees_and_the_rest_the_campaign_org() {
        assert_eq!(Occurrence::Report.binds(), Binds::Assignees);
        for o in Occurrence::ALL.iter().filter(|o| **o != Occurrence::Report) {
            assert_eq!(o.binds(), Binds::CampaignOrg, "{o:?}");
        }
    }

    #[test]
    fn campaign_activities_are_per_campaign_and_records_are_shared() {
        assert_ne!(
            Occurrence::Report.activity(1),
            Occurrence::Report.activity(2)
        );
        assert_ne!(
            Occurrence::Ranking.activity(1),
            Occurrence::Ranking.activity(2)
        );
        assert_eq!(Occurrence::Supervision.activity(1), SUPERVISION);
        assert_eq!(Occurrence::Supervision.activity(9), SUPERVISION);
        assert_eq!(Occurrence::Review.activity(3), LEADER_REVIEW);
        assert_eq!(Occurrence::Bulletin.activity(3), BULLETIN);
    }

    #[test]
    fn period_words_read_back() {
        for f in Frequency::ALL {
            assert_eq!(frequency_of(period_word(*f)), Some(*f));
        }
        assert_eq!(frequency_of("fortnight"), None);
    }

    #[test]
    fn percent_quota_rounds_down_with_a_minimum_of_one() {
        assert_eq!(percent_quota(15.0, 20), 3);
        assert_eq!(percent_quota(15.0, 19), 2);
        assert_eq!(
            percent_quota(2.0, 10),
            1,
            "0.2 rounds down to 0, raised to 1"
        );
        assert_eq!(percent_quota(60.0, 5), 3);
        assert_eq!(percent_quota(15.0, 0), 0, "no one to award");
        assert_eq!(percent_quota(0.0, 50), 0);
        assert_eq!(percent_quota(150.0, 7), 7, "never more than the base");
        assert_eq!(percent_quota(f64::NAN, 7), 0);
    }

    #[test]
    fn criteria_lists_become_schemes_of_the_right_subject() {
        let items: Vec<String> = [
            "领导班子好",
            "党员队伍好",
            "工作机制好",
            "工作业绩好",
            "群众反映好",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let s = scheme_from_criteria("五个好", &items).unwrap();
        assert_eq!(s.subject, SubjectKind::Org);
        assert_eq!(s.criteria.len(), 5);
        assert!(s.criteria.iter().all(|c| c.max == 20));
        assert!(s.check().is_ok());
        let s = scheme_from_criteria(
            "五带头",
            &["带头学习".into(), "带头服务".into(), "带头守纪".into()],
        )
        .unwrap();
        assert_eq!(s.subject, SubjectKind::Member);
        assert_eq!(
            s.criteria.iter().map(|c| c.max).collect::<Vec<_>>(),
            vec![34, 33, 33]
        );
        assert!(scheme_from_criteria("五个好", &[]).is_none());
        assert!(scheme_from_criteria(" ", &items).is_none());
    }

    proptest! {
        #[test]
        fn percent_quota_is_bounded_by_the_base(percent in 0.0f64..200.0, base in 0i64..100_000) {
            let q = percent_quota(percent, base) as i64;
            prop_assert!(q <= base);
            if base > 0 && percent > 0.0 {
                prop_assert!(q >= 1);
                prop_assert!(q as f64 <= (percent.min(100.0) * base as f64 / 100.0).max(1.0) + 1e-6);
            }
        }

        #[test]
        fn a_scheme_from_any_list_shares_exactly_100_points(items in prop::collection::vec("[\\p{Han}]{1,8}", 1..40)) {
            let s = scheme_from_criteria("评价标准", &items).unwrap();
            prop_assert_eq!(s.max_total(), 100);
            prop_assert!(s.check().is_ok());
        }

        #[test]
        fn of_action_never_panics(s in "\\PC{0,12}") {
            let _ = Occurrence::of_action(&s);
        }
    }
}
