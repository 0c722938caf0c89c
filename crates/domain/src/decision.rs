//! 四议两公开: a village's major matters (重大事项) decided step by step. The order of the steps,
//! the quorum (到会要求) and vote rules of each meeting are pure functions of the tallies and
//! the county's `Rules`; the store records and the web shows what they decide.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::Collector;
use crate::org::labelled_enum;
use crate::rules::Rules;
use crate::Invalid;

/// The categories a deployment starts with; the county edits the list.
pub const DEFAULT_CATEGORIES: [(&str, bool); 8] = [
    ("村规民约", true),
    ("集体土地/山林承包流转", true),
    ("集体资产处置", true),
    ("集体借贷", true),
    ("工程立项与发包", true),
    ("公益事业筹资筹劳", true),
    ("低保/救助对象评议", true),
    ("其他", false),
];

labelled_enum!(
    /// One step of the procedure. `Merged` is steps 1 and 2 together (一肩挑 villages only).
    StepKind {
        Proposal => "村党组织提议",
        Consultation => "村“两委”会议商议",
        Merged => "党组织提议与“两委”商议（合并）",
        PartyAssembly => "党员大会审议",
        VillageMeeting => "村民（代表）会议决议",
        Resolution => "决议公开",
        ResultNotice => "实施结果公开",
    }
);

impl StepKind {
    /// The step numbers this kind covers (1–6).
    pub fn numbers(self) -> (i64, i64) {
        match self {
            StepKind::Proposal => (1, 1),
            StepKind::Consultation => (2, 2),
            StepKind::Merged => (1, 2),
            StepKind::PartyAssembly => (3, 3),
            StepKind::VillageMeeting => (4, 4),
            StepKind::Resolution => (5, 5),
            StepKind::ResultNotice => (6, 6),
        }
    }

    /// Whether this step is a meeting with a quorum and a vote.
    pub fn is_meeting(self) -> bool {
        self.numbers().1 <= 4
    }
}

/// The name of step `n`, for messages (第3步“党员大会审议”).
pub fn step_name(n: i64) -> String {
    let kind = match n {
        1 => StepKind::Proposal,
        2 => StepKind::Consultation,
        3 => StepKind::PartyAssembly,
        4 => StepKind::VillageMeeting,
        5 => StepKind::Resolution,
        _ => StepKind::ResultNotice,
    };
    format!("第{n}步“{}”", kind.label())
}

/// Whether `kind` may be recorded when the steps up to `done` (0 = none) are passed; the
/// refusal names the step that is due. Steps 1 and 2 may merge only in a 一肩挑 village.
/// Step 6 may be recorded again (progress, then the final result).
pub fn check_order(done: i64, kind: StepKind, one_shoulder: bool) -> Result<(), Invalid> {
    let (first, _) = kind.numbers();
    if kind == StepKind::Merged && !one_shoulder {
        return Err(Invalid::one(
            "step",
            "议事步骤",
            "本村书记未兼任村委会主任（一肩挑），第1步和第2步不能合并，请分别登记",
        ));
    }
    if kind == StepKind::ResultNotice && done == 6 {
        return Ok(());
    }
    if first == done + 1 {
        return Ok(());
    }
    if done >= 6 {
        return Err(Invalid::one("step", "议事步骤", "各步骤均已完成"));
    }
    if first <= done {
        return Err(Invalid::one(
            "step",
            "议事步骤",
            format!("{}已经完成，不能重复登记", step_name(first)),
        ));
    }
    Err(Invalid::one(
        "step",
        "议事步骤",
        format!("请先完成{}，不能跳过或调换步骤", step_name(done + 1)),
    ))
}

/// A ratio written as num/den, compared exactly in integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio {
    pub num: i64,
    pub den: i64,
}

impl Ratio {
    pub fn pct(p: i64) -> Ratio {
        Ratio { num: p, den: 100 }
    }

    /// `n` is at least this share of `base`.
    pub fn at_least(self, n: i64, base: i64) -> bool {
        (n as i128) * (self.den.max(1) as i128) >= (self.num as i128) * (base as i128)
    }

    /// `n` is more than this share of `base`.
    pub fn more_than(self, n: i64, base: i64) -> bool {
        (n as i128) * (self.den.max(1) as i128) > (self.num as i128) * (base as i128)
    }

    pub fn text(self) -> String {
        if self.den == 100 {
            format!("{}%", self.num)
        } else {
            format!("{}/{}", self.num, self.den)
        }
    }
}

labelled_enum!(
    /// How step 4 was held.
    VillageForm {
        Representatives => "村民代表会议",
        Adults => "村民会议（成年村民）",
        Households => "村民会议（户代表）",
    }
);

/// The counts of one step meeting: who should attend (应到: branch members, representatives,
/// adult villagers or households), who came, and the vote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Tally {
    pub expected: i64,
    pub present: i64,
    pub yes: i64,
    pub no: i64,
    pub abstain: i64,
}

/// What a step meeting decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Passed,
    /// 到会人数不足: the meeting is invalid and the matter stops.
    NoQuorum(String),
    /// 表决未通过: the matter stops.
    Rejected(String),
}

impl Verdict {
    pub fn passed(&self) -> bool {
        *self == Verdict::Passed
    }

    pub fn reason(&self) -> &str {
        match self {
            Verdict::Passed => "",
            Verdict::NoQuorum(r) | Verdict::Rejected(r) => r,
        }
    }
}

/// The quorum and vote rule of a meeting step (1–4) under `rules`. Steps 1 and 2 (支委会,
/// 两委会议) need more than half of those who should attend present and voting yes; step 3
/// (党员大会) needs at least 2/3 present and more than half of those who should attend voting
/// yes; step 4 needs its form's quorum and more than half of those present voting yes.
pub fn judge(kind: StepKind, form: Option<VillageForm>, t: Tally, rules: &Rules) -> Verdict {
    let half = Ratio::pct(50);
    let (quorum_ok, quorum_text, pass_ok, pass_text) = match kind {
        StepKind::Proposal | StepKind::Consultation | StepKind::Merged => (
            half.more_than(t.present, t.expected),
            "超过应到人数的一半".to_string(),
            half.more_than(t.yes, t.expected),
            "赞成票超过应到人数的一半".to_string(),
        ),
        StepKind::PartyAssembly => {
            let q = Ratio {
                num: rules.decision_party_quorum_num,
                den: rules.decision_party_quorum_den,
            };
            let p = Ratio::pct(rules.decision_party_pass_pct);
            (
                q.at_least(t.present, t.expected),
                format!("不少于应到党员的{}", q.text()),
                p.more_than(t.yes, t.expected),
                format!("赞成票超过应到党员的{}", p.text()),
            )
        }
        StepKind::VillageMeeting => {
            let (q_ok, q_text) = match form.unwrap_or(VillageForm::Representatives) {
                VillageForm::Representatives => {
                    let q = Ratio {
                        num: rules.decision_rep_quorum_num,
                        den: rules.decision_rep_quorum_den,
                    };
                    (
                        q.at_least(t.present, t.expected),
                        format!("不少于村民代表的{}", q.text()),
                    )
                }
                VillageForm::Adults => {
                    let q = Ratio::pct(rules.decision_adult_quorum_pct);
                    (
                        q.more_than(t.present, t.expected),
                        format!("超过成年村民的{}", q.text()),
                    )
                }
                VillageForm::Households => {
                    let q = Ratio {
                        num: rules.decision_household_quorum_num,
                        den: rules.decision_household_quorum_den,
                    };
                    (
                        q.at_least(t.present, t.expected),
                        format!("不少于本村户数的{}", q.text()),
                    )
                }
            };
            let p = Ratio::pct(rules.decision_village_pass_pct);
            (
                q_ok,
                q_text,
                p.more_than(t.yes, t.present),
                format!("赞成票超过到会人数的{}", p.text()),
            )
        }
        StepKind::Resolution | StepKind::ResultNotice => return Verdict::Passed,
    };
    if t.expected <= 0 || !quorum_ok {
        return Verdict::NoQuorum(format!(
            "到会{}人，应到{}人，未达到到会要求（{}）",
            t.present, t.expected, quorum_text
        ));
    }
    if !pass_ok {
        return Verdict::Rejected(format!("赞成{}票，未获通过（{}）", t.yes, pass_text));
    }
    Verdict::Passed
}

/// A matter as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct MatterInput {
    pub title: String,
    pub category: String,
    /// Yuan as typed (12.50), optional.
    pub amount: String,
    pub summary: String,
}

/// A matter checked: the category is one of `categories`, the amount in integer fen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatterDraft {
    pub title: String,
    pub category: String,
    pub amount_fen: Option<i64>,
    pub summary: String,
}

/// Parses yuan with at most two decimals into fen: `12.5` → 1250. Refuses negatives.
pub fn parse_fen(s: &str) -> Option<i64> {
    let s = s.trim().replace([',', '，'], "");
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w.to_string(), f.to_string()),
        None => (s.clone(), String::new()),
    };
    if whole.is_empty()
        || !whole.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 2
        || !frac.chars().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    let w: i64 = whole.parse().ok()?;
    let f: i64 = if frac.is_empty() {
        0
    } else {
        format!("{frac:0<2}").parse().ok()?
    };
    w.checked_mul(100)?.checked_add(f)
}

/// Fen as yuan text: 1250 → `12.50`.
pub fn yuan(fen: i64) -> String {
    format!("{}.{:02}", fen / 100, fen % 100)
}

impl MatterInput {
    pub fn validate(&self, categories: &[String]) -> Result<MatterDraft, Invalid> {
        let mut e = Collector::default();
        let title = self.title.trim().to_string();
        if title.is_empty() {
            e.push("title", "事项名称", "请填写事项名称");
        } else if title.chars().count() > 100 {
            e.push("title", "事项名称", "不能超过100字");
        }
        let category = self.category.trim().to_string();
        if !categories.contains(&category) {
            e.push("category", "事项类别", "请从列表中选择事项类别");
        }
        let amount_fen = if self.amount.trim().is_empty() {
            None
        } else {
            match parse_fen(&self.amount) {
                Some(f) => Some(f),
                None => {
                    e.push(
                        "amount",
                        "涉及金额",
                        "请填写不小于0的金额（元，最多两位小数）",
                    );
                    None
                }
            }
        };
        if self.summary.chars().count() > 2000 {
            e.push("summary", "事项说明", "不能超过2000字");
        }
        e.finish(MatterDraft {
            title,
            category,
            amount_fen,
            summary: self.summary.trim().to_string(),
        })
    }
}

/// One step as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StepInput {
    pub step: String,
    pub date: String,
    /// Step 4 only: 村民代表会议 / 村民会议（成年村民） / 村民会议（户代表）.
    pub form: String,
    pub expected: String,
    pub present: String,
    pub yes: String,
    pub no: String,
    pub abstain: String,
    pub minutes: String,
    /// Steps 5 and 6: the text published.
    pub text: String,
    /// Step 6: the amount spent (元), and whether this is the final result.
    pub amount: String,
    pub final_result: String,
}

/// A step checked (not yet its order, which needs the matter).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepDraft {
    pub kind: StepKind,
    pub date: NaiveDate,
    pub form: Option<VillageForm>,
    pub tally: Tally,
    pub minutes: String,
    pub text: String,
    pub amount_fen: Option<i64>,
    pub final_result: bool,
}

fn count(e: &mut Collector, s: &str, field: &str, label: &str) -> i64 {
    match s.trim().parse::<i64>() {
        Ok(n) if (0..=1_000_000).contains(&n) => n,
        _ => {
            e.push(field, label, "请填写不小于0的整数");
            0
        }
    }
}

impl StepInput {
    /// Checks the fields of a step. For step 3 the attendance comes from the roster, so the
    /// counts of people are not asked for (`expected` and `present` are filled in later).
    pub fn validate(&self, today: NaiveDate) -> Result<StepDraft, Invalid> {
        let mut e = Collector::default();
        let kind = StepKind::parse(&self.step);
        if kind.is_none() {
            e.push("step", "议事步骤", "请选择议事步骤");
        }
        let kind = kind.unwrap_or(StepKind::Proposal);
        let date = crate::date::parse(&self.date);
        match date {
            None => e.push("date", "日期", "请填写日期，如 2026-11-20"),
            Some(d) if d > today => e.push("date", "日期", "日期不能晚于今天"),
            _ => {}
        }
        let mut form = None;
        let mut tally = Tally::default();
        if kind.is_meeting() {
            if kind == StepKind::VillageMeeting {
                form = VillageForm::parse(&self.form);
                if form.is_none() {
                    e.push("form", "会议形式", "请选择村民代表会议或村民会议");
                }
            }
            if kind != StepKind::PartyAssembly {
                tally.expected = count(&mut e, &self.expected, "expected", "应到人数");
                tally.present = count(&mut e, &self.present, "present", "实到人数");
                if tally.present > tally.expected {
                    e.push("present", "实到人数", "实到人数不能多于应到人数");
                }
            }
            tally.yes = count(&mut e, &self.yes, "yes", "赞成票");
            tally.no = count(&mut e, &self.no, "no", "反对票");
            tally.abstain = count(&mut e, &self.abstain, "abstain", "弃权票");
            if kind != StepKind::PartyAssembly
                && tally.yes + tally.no + tally.abstain > tally.present
            {
                e.push("yes", "赞成票", "赞成、反对、弃权票数之和不能多于实到人数");
            }
            if self.minutes.trim().is_empty() {
                e.push("minutes", "会议记录", "请填写会议记录");
            }
        } else if self.text.trim().is_empty() {
            e.push("text", "公开内容", "请填写公开内容");
        }
        if self.minutes.chars().count() > 5000 || self.text.chars().count() > 5000 {
            e.push("minutes", "会议记录", "不能超过5000字");
        }
        let amount_fen = if kind == StepKind::ResultNotice && !self.amount.trim().is_empty() {
            match parse_fen(&self.amount) {
                Some(f) => Some(f),
                None => {
                    e.push(
                        "amount",
                        "实际金额",
                        "请填写不小于0的金额（元，最多两位小数）",
                    );
                    None
                }
            }
        } else {
            None
        };
        e.finish(StepDraft {
            kind,
            date: date.unwrap_or(today),
            form,
            tally,
            minutes: self.minutes.trim().to_string(),
            text: self.text.trim().to_string(),
            amount_fen,
            final_result: kind == StepKind::ResultNotice && !self.final_result.is_empty(),
        })
    }
}

/// Checks the vote of a 党员大会 against its attendance taken from the roster.
pub fn check_votes(t: Tally) -> Result<(), Invalid> {
    if t.yes + t.no + t.abstain > t.present {
        return Err(Invalid::one(
            "yes",
            "赞成票",
            format!(
                "赞成、反对、弃权票数之和不能多于实到党员（{}人）",
                t.present
            ),
        ));
    }
    Ok(())
}

labelled_enum!(
    /// Where a matter stands.
    MatterStatus {
        Open => "议事中",
        Stopped => "已终止",
        Published => "决议公开中",
        Implementing => "实施中",
        Finished => "已完成",
    }
);

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(expected: i64, present: i64, yes: i64) -> Tally {
        Tally {
            expected,
            present,
            yes,
            no: 0,
            abstain: 0,
        }
    }

    #[test]
    fn a_party_assembly_needs_two_thirds_present_and_half_of_all_voting_yes() {
        let r = Rules::default();
        let j = |x| judge(StepKind::PartyAssembly, None, x, &r);
        assert!(j(t(30, 20, 16)).passed(), "exactly 2/3 present is enough");
        assert!(matches!(j(t(30, 19, 19)), Verdict::NoQuorum(_)));
        assert!(
            matches!(j(t(30, 20, 15)), Verdict::Rejected(_)),
            "exactly half of those who should attend is not more than half"
        );
        assert!(j(t(30, 30, 16)).passed());
        assert!(j(t(30, 19, 19)).reason().contains("2/3"));
    }

    #[test]
    fn a_village_meeting_passes_by_more_than_half_of_those_present() {
        let r = Rules::default();
        let rep = Some(VillageForm::Representatives);
        assert!(judge(StepKind::VillageMeeting, rep, t(30, 20, 11), &r).passed());
        assert!(matches!(
            judge(StepKind::VillageMeeting, rep, t(30, 20, 10), &r),
            Verdict::Rejected(_)
        ));
        let adults = Some(VillageForm::Adults);
        assert!(matches!(
            judge(StepKind::VillageMeeting, adults, t(400, 200, 200), &r),
            Verdict::NoQuorum(_)
        ));
        assert!(judge(StepKind::VillageMeeting, adults, t(400, 201, 101), &r).passed());
        let households = Some(VillageForm::Households);
        assert!(judge(StepKind::VillageMeeting, households, t(90, 60, 31), &r).passed());
        assert!(!judge(StepKind::VillageMeeting, households, t(90, 59, 59), &r).passed());
    }

    #[test]
    fn steps_go_in_order_and_merge_only_in_a_one_shoulder_village() {
        assert!(check_order(0, StepKind::Proposal, false).is_ok());
        assert!(check_order(0, StepKind::Merged, true).is_ok());
        let e = check_order(0, StepKind::Merged, false).unwrap_err();
        assert!(e.to_string().contains("一肩挑"));
        assert!(check_order(2, StepKind::PartyAssembly, false).is_ok());
        let skip = check_order(1, StepKind::PartyAssembly, false).unwrap_err();
        assert!(skip.to_string().contains("第2步"), "{skip}");
        let again = check_order(3, StepKind::Proposal, false).unwrap_err();
        assert!(again.to_string().contains("第1步"), "{again}");
        assert!(check_order(5, StepKind::ResultNotice, false).is_ok());
        assert!(
            check_order(6, StepKind::ResultNotice, false).is_ok(),
            "progress then result"
        );
        assert!(check_order(1, StepKind::Merged, true).is_err());
    }

    #[test]
    fn amounts_are_integer_fen() {
        assert_eq!(parse_fen("12.5"), Some(1250));
        assert_eq!(parse_fen("1,000"), Some(100_000));
        assert_eq!(parse_fen("0.01"), Some(1));
        assert_eq!(parse_fen("-1"), None);
        assert_eq!(parse_fen("1.234"), None);
        assert_eq!(yuan(1250), "12.50");
    }

    #[test]
    fn a_step_with_more_votes_than_people_is_refused_by_field() {
        let i = StepInput {
            step: "村党组织提议".into(),
            date: "2026-11-02".into(),
            expected: "5".into(),
            present: "4".into(),
            yes: "5".into(),
            minutes: "讨论".into(),
            ..Default::default()
        };
        let e = i
            .validate(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap())
            .unwrap_err();
        assert!(e.for_field("yes").is_some(), "{e}");
    }

    proptest! {
        #[test]
        fn party_quorum_is_exactly_two_thirds(expected in 1i64..500, a in 0.0f64..=1.0) {
            let present = (expected as f64 * a) as i64;
            let v = judge(StepKind::PartyAssembly, None, t(expected, present, present), &Rules::default());
            prop_assert_eq!(matches!(v, Verdict::NoQuorum(_)), present * 3 < expected * 2);
        }

        #[test]
        fn party_vote_is_more_than_half_of_those_who_should_attend(expected in 1i64..500, b in 0.0f64..=1.0) {
            let present = expected;
            let yes = (present as f64 * b) as i64;
            let v = judge(StepKind::PartyAssembly, None, t(expected, present, yes), &Rules::default());
            prop_assert_eq!(v.passed(), yes * 2 > expected);
        }

        #[test]
        fn village_vote_is_more_than_half_of_those_present(expected in 1i64..500, a in 0.0f64..=1.0, b in 0.0f64..=1.0) {
            // present between 2/3 and all of the representatives, yes up to all present
            let low = (expected * 2 + 2) / 3;
            let present = low + ((expected - low) as f64 * a) as i64;
            let yes = (present as f64 * b) as i64;
            let v = judge(StepKind::VillageMeeting, Some(VillageForm::Representatives), t(expected, present, yes), &Rules::default());
            prop_assert_eq!(v.passed(), yes * 2 > present);
        }

        #[test]
        fn merged_steps_follow_the_rule_of_the_steps_they_replace(expected in 1i64..50, a in 0.0f64..=1.0, b in 0.0f64..=1.0) {
            let present = (expected as f64 * a) as i64;
            let yes = (present as f64 * b) as i64;
            let r = Rules::default();
            let merged = judge(StepKind::Merged, None, t(expected, present, yes), &r);
            let first = judge(StepKind::Proposal, None, t(expected, present, yes), &r);
            let second = judge(StepKind::Consultation, None, t(expected, present, yes), &r);
            prop_assert_eq!(merged.passed(), first.passed() && second.passed());
        }

        #[test]
        fn the_order_admits_exactly_the_next_step(done in 0i64..7, k in 0usize..7, one in any::<bool>()) {
            let kind = StepKind::ALL[k];
            let (first, _) = kind.numbers();
            let ok = check_order(done, kind, one).is_ok();
            let expect = (first == done + 1 && (kind != StepKind::Merged || one))
                || (kind == StepKind::ResultNotice && done == 6);
            prop_assert_eq!(ok, expect);
        }

        #[test]
        fn step_validation_never_panics(step in "\\PC{0,12}", date in "\\PC{0,12}", n in "\\PC{0,8}") {
            let i = StepInput { step, date, expected: n.clone(), present: n.clone(), yes: n, ..Default::default() };
            let _ = i.validate(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
        }
    }
}
