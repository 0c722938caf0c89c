//! Evaluations (考评、民主评议): schemes as configuration, ballots, and the tally that turns
//! them into explainable results with grades, an 优秀 cap and tie-breaks.
//!
//! All arithmetic is in hundredths of a point (`centi`), so a result reads back exactly and
//! the explanation page shows the same numbers the tally used.

use serde::{Deserialize, Serialize};

use crate::error::Collector;
use crate::org::labelled_enum;
use crate::text::normalize;
use crate::Invalid;

labelled_enum!(
    /// Who rates, each group with its own weight.
    RaterGroup {
        SelfReview => "自评",
        Peers => "党员互评",
        Residents => "群众评议",
        Organisation => "组织评价",
    }
);

labelled_enum!(
    /// 民主评议 grades, best first.
    Grade {
        Excellent => "优秀",
        Qualified => "合格",
        Basic => "基本合格",
        Unqualified => "不合格",
    }
);

labelled_enum!(
    /// What a scheme rates.
    SubjectKind {
        Member => "党员",
        Org => "党组织",
    }
);

labelled_enum!(
    /// The quick choice a resident (or a commitment reviewer) makes instead of scoring each
    /// criterion (群众满意度: 满意 / 基本满意 / 不满意), worth a share of full marks.
    Choice {
        Satisfied => "满意",
        Basic => "基本满意",
        Unsatisfied => "不满意",
    }
);

impl Choice {
    /// Percent of full marks.
    pub fn percent(self) -> u32 {
        match self {
            Choice::Satisfied => 100,
            Choice::Basic => 75,
            Choice::Unsatisfied => 40,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Criterion {
    pub name: String,
    pub max: u32,
}

/// A scheme: criteria with their scales, group weights in percent, grade thresholds on the
/// 0–100 total, the 优秀 cap as a fraction of the subjects rated, and the groups whose score
/// breaks a tie (then the earlier-registered subject).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scheme {
    pub name: String,
    pub subject: SubjectKind,
    pub criteria: Vec<Criterion>,
    pub weights: Vec<(RaterGroup, u32)>,
    /// Minimum totals for 优秀, 合格 and 基本合格.
    pub thresholds: [u32; 3],
    pub cap: (u32, u32),
    pub tie_breaks: Vec<RaterGroup>,
}

fn criteria(names: &[&str], max: u32) -> Vec<Criterion> {
    names
        .iter()
        .map(|n| Criterion {
            name: n.to_string(),
            max,
        })
        .collect()
}

fn default_weights() -> Vec<(RaterGroup, u32)> {
    vec![
        (RaterGroup::SelfReview, 20),
        (RaterGroup::Peers, 40),
        (RaterGroup::Residents, 20),
        (RaterGroup::Organisation, 20),
    ]
}

impl Scheme {
    /// 民主评议党员 on the 五带头.
    pub fn five_leads() -> Scheme {
        Scheme {
            name: "民主评议党员（五带头）".into(),
            subject: SubjectKind::Member,
            criteria: criteria(
                &[
                    "带头学习提高",
                    "带头争创佳绩",
                    "带头服务群众",
                    "带头遵纪守法",
                    "带头弘扬正气",
                ],
                20,
            ),
            weights: default_weights(),
            thresholds: [90, 75, 60],
            cap: (1, 3),
            tie_breaks: vec![RaterGroup::Organisation, RaterGroup::Residents],
        }
    }

    /// 五个好 for branches, rated by their members, residents and the town.
    pub fn five_goods() -> Scheme {
        Scheme {
            name: "党组织评议（五个好）".into(),
            subject: SubjectKind::Org,
            criteria: criteria(
                &[
                    "领导班子好",
                    "党员队伍好",
                    "工作机制好",
                    "工作业绩好",
                    "群众反映好",
                ],
                20,
            ),
            weights: default_weights(),
            thresholds: [90, 75, 60],
            cap: (1, 3),
            tie_breaks: vec![RaterGroup::Organisation, RaterGroup::Residents],
        }
    }

    pub fn builtin() -> Vec<Scheme> {
        vec![Scheme::five_leads(), Scheme::five_goods()]
    }

    pub fn max_total(&self) -> u32 {
        self.criteria.iter().map(|c| c.max).sum()
    }

    pub fn weight(&self, g: RaterGroup) -> u32 {
        self.weights
            .iter()
            .find(|(w, _)| *w == g)
            .map(|(_, v)| *v)
            .unwrap_or(0)
    }

    /// A scheme is usable when its weights add up to 100, its scales are 1–100 and its
    /// thresholds fall from 优秀 to 基本合格.
    pub fn check(&self) -> Result<(), Invalid> {
        let mut c = Collector::default();
        if normalize(&self.name).is_empty() {
            c.push("name", "方案名称", "不能为空");
        }
        if self.criteria.is_empty() {
            c.push("criteria", "评议内容", "至少需要一项");
        }
        for k in &self.criteria {
            if k.max == 0 || k.max > 100 || normalize(&k.name).is_empty() {
                c.push(
                    "criteria",
                    "评议内容",
                    format!("“{}”的分值须为 1–100", k.name),
                );
            }
        }
        let sum: u32 = self.weights.iter().map(|(_, w)| *w).sum();
        if sum != 100 {
            c.push(
                "weights",
                "评议权重",
                format!("各方权重合计须为 100%，现为 {sum}%"),
            );
        }
        let [e, q, b] = self.thresholds;
        if !(e > q && q > b && e <= 100) {
            c.push(
                "thresholds",
                "等次分数线",
                "须满足 100 ≥ 优秀 > 合格 > 基本合格",
            );
        }
        if self.cap.1 == 0 || self.cap.0 > self.cap.1 {
            c.push("cap", "优秀比例", "须为不超过 1 的分数");
        }
        c.finish(())
    }

    /// Checks one rater's scores for one subject, one per criterion, each on its scale.
    pub fn check_scores(&self, raw: &[String]) -> Result<Vec<u32>, Invalid> {
        let mut c = Collector::default();
        let mut out = Vec::with_capacity(self.criteria.len());
        for (i, k) in self.criteria.iter().enumerate() {
            let field = format!("score_{i}");
            let text = raw.get(i).map(|s| normalize(s)).unwrap_or_default();
            match text.parse::<u32>() {
                Ok(v) if v <= k.max => out.push(v),
                _ if text.is_empty() => c.push(&field, &k.name, "请打分"),
                _ => c.push(
                    &field,
                    &k.name,
                    format!("须为 0–{} 的整数，“{text}”超出分值范围", k.max),
                ),
            }
        }
        c.finish(out)
    }

    /// The per-criterion scores a quick choice stands for.
    pub fn scores_for(&self, choice: Choice) -> Vec<u32> {
        self.criteria
            .iter()
            .map(|k| (k.max * choice.percent() + 50) / 100)
            .collect()
    }

    /// The grade of a 0–100 total in hundredths, before the cap.
    pub fn grade_of(&self, centi: i64) -> Grade {
        let [e, q, b] = self.thresholds.map(|t| t as i64 * 100);
        if centi >= e {
            Grade::Excellent
        } else if centi >= q {
            Grade::Qualified
        } else if centi >= b {
            Grade::Basic
        } else {
            Grade::Unqualified
        }
    }
}

/// One rater's scores for one subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ballot {
    pub subject: i64,
    pub group: RaterGroup,
    pub scores: Vec<u32>,
}

/// One group's part in a result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Part {
    pub group: RaterGroup,
    pub raters: u32,
    /// The group's mean on 0–100, in hundredths.
    pub mean: i64,
    /// The configured weight, and the weight applied after groups without raters dropped out.
    pub weight: u32,
    pub applied_weight_centi: i64,
    /// `mean × applied weight`, in hundredths of a point.
    pub contribution: i64,
}

/// One subject's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outcome {
    pub subject: i64,
    pub parts: Vec<Part>,
    /// 0–100 in hundredths; the sum of the contributions.
    pub total: i64,
    pub rank: usize,
    /// `None` when nobody rated the subject.
    pub grade: Option<Grade>,
    /// Set when the cap moved an 优秀 by score down to 合格.
    pub capped: bool,
}

fn div_round(a: i64, b: i64) -> i64 {
    if b == 0 {
        0
    } else {
        (2 * a + b).div_euclid(2 * b)
    }
}

/// The tally. `subjects` are in registration order (the last tie-break).
pub fn tally(scheme: &Scheme, subjects: &[i64], ballots: &[Ballot]) -> Vec<Outcome> {
    let max = scheme.max_total().max(1) as i64;
    let mut out: Vec<Outcome> = subjects
        .iter()
        .map(|&subject| {
            let mut parts: Vec<Part> = scheme
                .weights
                .iter()
                .map(|&(group, weight)| {
                    let mine: Vec<i64> = ballots
                        .iter()
                        .filter(|b| b.subject == subject && b.group == group)
                        .map(|b| div_round(b.scores.iter().sum::<u32>() as i64 * 10_000, max))
                        .collect();
                    Part {
                        group,
                        raters: mine.len() as u32,
                        mean: div_round(mine.iter().sum(), mine.len() as i64),
                        weight,
                        applied_weight_centi: 0,
                        contribution: 0,
                    }
                })
                .collect();
            let present: i64 = parts
                .iter()
                .filter(|p| p.raters > 0)
                .map(|p| p.weight as i64)
                .sum();
            for p in parts.iter_mut().filter(|p| p.raters > 0) {
                p.applied_weight_centi = div_round(p.weight as i64 * 10_000, present);
                p.contribution = div_round(p.mean * p.weight as i64, present);
            }
            let total = parts.iter().map(|p| p.contribution).sum();
            Outcome {
                subject,
                grade: (present > 0).then(|| scheme.grade_of(total)),
                parts,
                total,
                rank: 0,
                capped: false,
            }
        })
        .collect();
    let order = |o: &Outcome| {
        let breaks: Vec<i64> = scheme
            .tie_breaks
            .iter()
            .map(|g| {
                o.parts
                    .iter()
                    .find(|p| p.group == *g)
                    .map(|p| p.mean)
                    .unwrap_or(0)
            })
            .collect();
        let pos = subjects.iter().position(|s| *s == o.subject).unwrap_or(0);
        (std::cmp::Reverse(o.total), std::cmp::Reverse(breaks), pos)
    };
    out.sort_by_key(order);
    let rated = out.iter().filter(|o| o.grade.is_some()).count() as u32;
    let limit = (rated * scheme.cap.0 / scheme.cap.1.max(1)) as usize;
    let mut excellent = 0;
    for (i, o) in out.iter_mut().enumerate() {
        o.rank = i + 1;
        if o.grade == Some(Grade::Excellent) {
            excellent += 1;
            if excellent > limit {
                o.grade = Some(Grade::Qualified);
                o.capped = true;
            }
        }
    }
    out
}

/// Formats hundredths as `87.35`.
pub fn centi(v: i64) -> String {
    format!("{}.{:02}", v / 100, (v % 100).abs())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ballot(subject: i64, group: RaterGroup, each: u32) -> Ballot {
        Ballot {
            subject,
            group,
            scores: vec![each; 5],
        }
    }

    #[test]
    fn weights_combine_as_configured_and_explain_the_total() {
        let s = Scheme::five_leads();
        let b = vec![
            ballot(1, RaterGroup::SelfReview, 20),
            ballot(1, RaterGroup::Peers, 18),
            ballot(1, RaterGroup::Peers, 16),
            ballot(1, RaterGroup::Residents, 16),
            ballot(1, RaterGroup::Organisation, 19),
        ];
        let r = tally(&s, &[1], &b);
        // self 100×20% + peers 85×40% + residents 80×20% + organisation 95×20% = 89
        assert_eq!(r[0].total, 8900);
        assert_eq!(r[0].grade, Some(Grade::Qualified));
        assert_eq!(r[0].parts[1].mean, 8500);
        assert_eq!(r[0].parts[1].raters, 2);
        assert_eq!(centi(r[0].total), "89.00");
    }

    #[test]
    fn a_group_without_raters_drops_out_and_the_rest_are_reweighted() {
        let s = Scheme::five_leads();
        let b = vec![
            ballot(1, RaterGroup::Peers, 20),
            ballot(1, RaterGroup::Organisation, 10),
        ];
        let r = tally(&s, &[1, 2], &b);
        let one = r.iter().find(|o| o.subject == 1).unwrap();
        // peers 100 × 40/60 + organisation 50 × 20/60, each part rounded as shown
        assert_eq!(one.total, 6667 + 1667);
        assert_eq!(one.parts[1].applied_weight_centi, 6667);
        let two = r.iter().find(|o| o.subject == 2).unwrap();
        assert_eq!(two.grade, None);
    }

    #[test]
    fn the_excellent_cap_keeps_the_best_and_breaks_ties_by_organisation_score() {
        let s = Scheme::five_leads();
        let mut b = Vec::new();
        for subject in 1..=6 {
            b.push(ballot(subject, RaterGroup::Peers, 19));
        }
        // all six total 95; the organisation score puts 3 and 5 ahead, the residents' score
        // puts 3 before 5, and registration order settles the rest
        b.push(ballot(5, RaterGroup::Organisation, 19));
        b.push(ballot(3, RaterGroup::Organisation, 19));
        b.push(ballot(3, RaterGroup::Residents, 19));
        let r = tally(&s, &[1, 2, 3, 4, 5, 6], &b);
        let excellent: Vec<i64> = r
            .iter()
            .filter(|o| o.grade == Some(Grade::Excellent))
            .map(|o| o.subject)
            .collect();
        assert_eq!(excellent, vec![3, 5]);
        assert_eq!(
            r.iter().map(|o| o.subject).collect::<Vec<_>>(),
            vec![3, 5, 1, 2, 4, 6]
        );
        assert!(r.iter().filter(|o| o.capped).count() == 4);
    }

    #[test]
    fn scores_outside_the_scale_name_the_criterion() {
        let s = Scheme::five_leads();
        let raw: Vec<String> = ["20", "21", "", "x", "0"]
            .iter()
            .map(|v| v.to_string())
            .collect();
        let e = s.check_scores(&raw).unwrap_err();
        assert_eq!(e.0.len(), 3);
        assert_eq!(e.0[0].label, "带头争创佳绩");
        assert!(e.0[0].message.contains("0–20"));
        assert_eq!(s.scores_for(Choice::Basic), vec![15; 5]);
    }

    #[test]
    fn schemes_check_weights_and_thresholds() {
        assert!(Scheme::five_leads().check().is_ok());
        let mut s = Scheme::five_goods();
        s.weights[0].1 = 30;
        s.thresholds = [60, 75, 90];
        let e = s.check().unwrap_err();
        assert!(e.for_field("weights").unwrap().contains("110"));
        assert!(e.for_field("thresholds").is_some());
    }

    fn any_group() -> impl Strategy<Value = RaterGroup> {
        prop::sample::select(RaterGroup::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn tally_is_capped_explained_and_independent_of_ballot_order(
            n in 1i64..12,
            raw in proptest::collection::vec((0i64..12, any_group(), proptest::collection::vec(0u32..=20, 5)), 0..60),
        ) {
            let s = Scheme::five_leads();
            let subjects: Vec<i64> = (1..=n).collect();
            let ballots: Vec<Ballot> = raw.into_iter().map(|(sub, group, scores)| Ballot { subject: sub % n + 1, group, scores }).collect();
            let r = tally(&s, &subjects, &ballots);
            let rated = r.iter().filter(|o| o.grade.is_some()).count();
            prop_assert!(r.iter().filter(|o| o.grade == Some(Grade::Excellent)).count() <= rated / 3);
            for o in &r {
                prop_assert!((0..=10_000).contains(&o.total));
                prop_assert_eq!(o.total, o.parts.iter().map(|p| p.contribution).sum::<i64>());
                prop_assert_eq!(o.parts.iter().map(|p| p.raters as usize).sum::<usize>(), ballots.iter().filter(|b| b.subject == o.subject).count());
            }
            prop_assert!(r.windows(2).all(|w| w[0].total >= w[1].total));
            let mut reversed = ballots.clone();
            reversed.reverse();
            prop_assert_eq!(tally(&s, &subjects, &reversed), r);
        }

        #[test]
        fn score_checking_never_panics_and_accepts_only_the_scale(raw in proptest::collection::vec(".{0,4}", 0..7)) {
            let s = Scheme::five_leads();
            if let Ok(v) = s.check_scores(&raw) {
                prop_assert_eq!(v.len(), 5);
                prop_assert!(v.iter().all(|x| *x <= 20));
            }
        }
    }
}
