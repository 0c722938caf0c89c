//! 积分制: points for members and residents. Rules say what an action earns (or costs), with
//! caps per person per day, month and year; every movement is a double entry between two
//! accounts (a rule's issuing account and a person, a person and a store); corrections are
//! reversals. This module decides; the store keeps the ledger.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::Collector;
use crate::org::labelled_enum;
use crate::text::normalize;
use crate::Invalid;

labelled_enum!(
    /// Who a rule is for.
    Audience {
        All => "全部",
        Members => "党员",
        Residents => "群众",
    }
);

labelled_enum!(
    /// Whose points an account holds.
    PersonKind {
        Member => "党员",
        Resident => "群众",
    }
);

labelled_enum!(
    /// What a ledger entry records.
    EntryKind {
        Grant => "积分奖励",
        Deduction => "积分扣减",
        Redemption => "积分兑换",
        Reversal => "冲正",
    }
);

labelled_enum!(
    /// Where a claim stands.
    ClaimStatus {
        Pending => "待审核",
        Approved => "已通过",
        Rejected => "已驳回",
    }
);

labelled_enum!(
    /// How a rule's points arrive: recorded or claimed, or granted by the system from records
    /// elsewhere (attendance at organisational life that counts).
    Trigger {
        Manual => "人工记录或申报",
        Attendance => "参加组织生活自动记分",
    }
);

labelled_enum!(
    /// Leaderboard periods.
    BoardPeriod {
        Month => "月度",
        Quarter => "季度",
        Year => "年度",
    }
);

impl Audience {
    pub fn admits(self, kind: PersonKind) -> bool {
        match self {
            Audience::All => true,
            Audience::Members => kind == PersonKind::Member,
            Audience::Residents => kind == PersonKind::Resident,
        }
    }
}

impl BoardPeriod {
    pub fn frequency(self) -> crate::cadence::Frequency {
        use crate::cadence::Frequency;
        match self {
            BoardPeriod::Month => Frequency::Monthly,
            BoardPeriod::Quarter => Frequency::Quarterly,
            BoardPeriod::Year => Frequency::Yearly,
        }
    }

    /// The period keys one dated movement counts toward (`2026-11`, `2026-Q4`, `2026`).
    pub fn keys(day: NaiveDate) -> [String; 3] {
        BoardPeriod::ALL
            .iter()
            .map(|p| crate::cadence::Period::containing(p.frequency(), day).key())
            .collect::<Vec<_>>()
            .try_into()
            .unwrap_or_default()
    }
}

/// Per-person caps of one rule; `None` is no cap.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caps {
    pub day: Option<i64>,
    pub month: Option<i64>,
    pub year: Option<i64>,
}

/// Points a person already earned under one rule in the day, month and year of a new entry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Used {
    pub day: i64,
    pub month: i64,
    pub year: i64,
}

impl Caps {
    /// Whether any cap is set (otherwise nothing needs counting).
    pub fn any(&self) -> bool {
        self.day.is_some() || self.month.is_some() || self.year.is_some()
    }

    /// Whether `points` more fit under every cap; the error names the cap that is hit.
    pub fn check(&self, used: Used, points: i64) -> Result<(), Invalid> {
        if points <= 0 {
            return Ok(());
        }
        for (cap, used, label) in [
            (self.day, used.day, "每日"),
            (self.month, used.month, "每月"),
            (self.year, used.year, "每年"),
        ] {
            if let Some(cap) = cap {
                if used + points > cap {
                    return Err(Invalid::one(
                        "rule",
                        "积分事项",
                        format!("已达{label}上限{cap}分（已得{used}分，本次{points}分）"),
                    ));
                }
            }
        }
        Ok(())
    }
}

/// A rule as typed in the catalogue form.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RuleInput {
    #[serde(default)]
    pub action: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub points: String,
    #[serde(default)]
    pub audience: String,
    #[serde(default)]
    pub evidence_required: Option<String>,
    #[serde(default)]
    pub approval_required: Option<String>,
    #[serde(default)]
    pub cap_day: String,
    #[serde(default)]
    pub cap_month: String,
    #[serde(default)]
    pub cap_year: String,
    #[serde(default)]
    pub valid_from: String,
    #[serde(default)]
    pub valid_to: String,
    #[serde(default)]
    pub trigger: String,
}

/// A checked rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleDraft {
    pub action: String,
    pub category: String,
    pub points: i64,
    pub audience: Audience,
    pub evidence_required: bool,
    pub approval_required: bool,
    pub caps: Caps,
    pub valid_from: Option<NaiveDate>,
    pub valid_to: Option<NaiveDate>,
    #[serde(default = "manual")]
    pub trigger: Trigger,
}

fn manual() -> Trigger {
    Trigger::Manual
}

/// How far a town may go when it writes its own rules (the county sets these in 设置).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounds {
    /// Largest points one action may earn or cost.
    pub max_points: i64,
}

fn parse_cap(c: &mut Collector, raw: &str, field: &str, label: &str) -> Option<i64> {
    let raw = normalize(raw);
    if raw.is_empty() {
        return None;
    }
    match raw.parse::<i64>() {
        Ok(n) if n < 0 => {
            c.push(field, label, "上限不能小于0");
            None
        }
        Ok(n) if n > 100_000 => {
            c.push(field, label, "上限不能超过100000分");
            None
        }
        Ok(n) => Some(n),
        Err(_) => {
            c.push(field, label, "应为整数分值，不设上限请留空");
            None
        }
    }
}

fn parse_day(c: &mut Collector, raw: &str, field: &str, label: &str) -> Option<NaiveDate> {
    let raw = normalize(raw);
    if raw.is_empty() {
        return None;
    }
    match crate::date::parse(&raw) {
        Some(d) => Some(d),
        None => {
            c.push(field, label, "日期格式应为2026-01-31");
            None
        }
    }
}

impl RuleInput {
    /// Checks a rule; `bounds` applies when a town (not the county) writes it.
    pub fn validate(&self, bounds: Option<Bounds>) -> Result<RuleDraft, Invalid> {
        let mut c = Collector::default();
        let action = normalize(&self.action);
        if action.is_empty() {
            c.push("action", "积分事项", "不能为空");
        } else if action.chars().count() > 60 {
            c.push("action", "积分事项", "不能超过60个字");
        }
        let category = normalize(&self.category);
        if category.chars().count() > 20 {
            c.push("category", "类别", "不能超过20个字");
        }
        let points = match normalize(&self.points).parse::<i64>() {
            Ok(0) => {
                c.push("points", "分值", "不能为0；扣分请填负数");
                0
            }
            Ok(n) if n.abs() > 1000 => {
                c.push("points", "分值", "每次不能超过1000分");
                0
            }
            Ok(n) => {
                if let Some(b) = bounds {
                    if n.abs() > b.max_points {
                        c.push(
                            "points",
                            "分值",
                            format!("乡镇自定事项每次不能超过{}分（县级设定）", b.max_points),
                        );
                    }
                }
                n
            }
            Err(_) => {
                c.push("points", "分值", "应为整数，扣分填负数，如 5 或 -10");
                0
            }
        };
        let audience = if self.audience.trim().is_empty() {
            Audience::All
        } else {
            Audience::parse(&self.audience).unwrap_or_else(|| {
                c.push("audience", "适用对象", "应为全部、党员或群众");
                Audience::All
            })
        };
        let caps = Caps {
            day: parse_cap(&mut c, &self.cap_day, "cap_day", "每日上限"),
            month: parse_cap(&mut c, &self.cap_month, "cap_month", "每月上限"),
            year: parse_cap(&mut c, &self.cap_year, "cap_year", "每年上限"),
        };
        if points > 0 {
            for (cap, field, label) in [
                (caps.day, "cap_day", "每日上限"),
                (caps.month, "cap_month", "每月上限"),
                (caps.year, "cap_year", "每年上限"),
            ] {
                if matches!(cap, Some(n) if n < points) {
                    c.push(field, label, format!("小于单次分值{points}分，无法获得"));
                }
            }
        }
        let trigger = if self.trigger.trim().is_empty() {
            Trigger::Manual
        } else {
            Trigger::parse(&self.trigger).unwrap_or_else(|| {
                c.push(
                    "trigger",
                    "记分方式",
                    "应为人工记录或申报、参加组织生活自动记分之一",
                );
                Trigger::Manual
            })
        };
        if trigger == Trigger::Attendance && points < 0 {
            c.push("trigger", "记分方式", "自动记分只用于加分事项");
        }
        let valid_from = parse_day(&mut c, &self.valid_from, "valid_from", "生效日期");
        let valid_to = parse_day(&mut c, &self.valid_to, "valid_to", "截止日期");
        if let (Some(a), Some(b)) = (valid_from, valid_to) {
            if b < a {
                c.push("valid_to", "截止日期", "不能早于生效日期");
            }
        }
        c.finish(RuleDraft {
            action,
            category,
            points,
            audience,
            evidence_required: self.evidence_required.is_some(),
            approval_required: self.approval_required.is_some(),
            caps,
            valid_from,
            valid_to,
            trigger,
        })
    }
}

impl RuleDraft {
    /// The draft as the form shows it, for editing.
    pub fn input(&self) -> RuleInput {
        let n = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
        let d = |v: Option<NaiveDate>| v.map(|d| d.to_string()).unwrap_or_default();
        RuleInput {
            action: self.action.clone(),
            category: self.category.clone(),
            points: self.points.to_string(),
            audience: self.audience.label().to_string(),
            evidence_required: self.evidence_required.then(String::new),
            approval_required: self.approval_required.then(String::new),
            cap_day: n(self.caps.day),
            cap_month: n(self.caps.month),
            cap_year: n(self.caps.year),
            valid_from: d(self.valid_from),
            valid_to: d(self.valid_to),
            trigger: self.trigger.label().to_string(),
        }
    }

    /// Whether the rule can be used on `day` for a person of `kind`; the error says why not.
    pub fn usable(&self, day: NaiveDate, kind: PersonKind) -> Result<(), Invalid> {
        if !self.audience.admits(kind) {
            return Err(Invalid::one(
                "rule",
                "积分事项",
                format!("该事项只适用于{}", self.audience.label()),
            ));
        }
        if self.valid_from.is_some_and(|f| day < f) || self.valid_to.is_some_and(|t| day > t) {
            return Err(Invalid::one("rule", "积分事项", "该事项不在有效期内"));
        }
        Ok(())
    }
}

/// A claim or a cadre's record as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EarnInput {
    #[serde(default)]
    pub rule: String,
    #[serde(default)]
    pub day: String,
    #[serde(default)]
    pub note: String,
}

/// A checked claim: which rule, which day, what happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EarnDraft {
    pub rule_id: i64,
    pub day: NaiveDate,
    pub note: String,
}

impl EarnInput {
    /// `has_evidence` says whether a file came with it; the rule's own needs are checked later.
    pub fn validate(&self, today: NaiveDate) -> Result<EarnDraft, Invalid> {
        let mut c = Collector::default();
        let rule_id = normalize(&self.rule).parse::<i64>().unwrap_or_else(|_| {
            c.push("rule", "积分事项", "请选择积分事项");
            0
        });
        let day = match crate::date::parse(&normalize(&self.day)) {
            Some(d) if d > today => {
                c.push("day", "日期", "不能晚于今天");
                today
            }
            Some(d) if (today - d).num_days() > 366 => {
                c.push("day", "日期", "只能申报一年以内的事项");
                today
            }
            Some(d) => d,
            None => {
                c.push("day", "日期", "日期格式应为2026-01-31");
                today
            }
        };
        let note = normalize(&self.note);
        if note.chars().count() > 500 {
            c.push("note", "说明", "不能超过500个字");
        }
        c.finish(EarnDraft { rule_id, day, note })
    }
}

/// A rule that requires evidence refuses a claim without it.
pub fn check_evidence(rule: &RuleDraft, has_evidence: bool) -> Result<(), Invalid> {
    if rule.evidence_required && !has_evidence {
        return Err(Invalid::one(
            "evidence",
            "佐证材料",
            format!("“{}”需要上传佐证照片或文件", rule.action),
        ));
    }
    Ok(())
}

/// Whether a person's recent earning is unusual and should be looked at: more than
/// `threshold` points within seven days.
pub fn velocity_flag(earned_last_7_days: i64, points: i64, threshold: i64) -> bool {
    threshold > 0 && points > 0 && earned_last_7_days + points > threshold
}

/// Splits a household's redemption of `amount` across its people, largest balance first.
/// `None` when the household does not hold enough.
pub fn split_debit(balances: &[(i64, i64)], amount: i64) -> Option<Vec<(i64, i64)>> {
    if amount <= 0 {
        return None;
    }
    let mut order: Vec<(i64, i64)> = balances.iter().copied().filter(|(_, b)| *b > 0).collect();
    order.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut left = amount;
    let mut out = Vec::new();
    for (id, bal) in order {
        if left == 0 {
            break;
        }
        let take = bal.min(left);
        out.push((id, take));
        left -= take;
    }
    (left == 0).then_some(out)
}

/// A redemption as typed at the store counter.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RedeemInput {
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub item: String,
    #[serde(default)]
    pub quantity: String,
}

/// A checked redemption request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedeemDraft {
    pub code: String,
    pub item_id: i64,
    pub quantity: i64,
}

impl RedeemInput {
    pub fn validate(&self) -> Result<RedeemDraft, Invalid> {
        let mut c = Collector::default();
        let code = normalize(&self.code).to_ascii_uppercase();
        let code = code.rsplit('/').next().unwrap_or("").to_string();
        if code.is_empty() {
            c.push("code", "积分码", "请扫描或输入积分码");
        }
        let item_id = normalize(&self.item).parse::<i64>().unwrap_or_else(|_| {
            c.push("item", "商品", "请选择商品");
            0
        });
        let quantity = match normalize(&self.quantity).parse::<i64>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => {
                c.push("quantity", "数量", "应为1到100之间的整数");
                0
            }
        };
        c.finish(RedeemDraft {
            code,
            item_id,
            quantity,
        })
    }
}

/// An item of a points store as typed.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ItemInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub price: String,
    #[serde(default)]
    pub stock: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemDraft {
    pub name: String,
    pub price: i64,
    pub stock: i64,
}

impl ItemInput {
    pub fn validate(&self) -> Result<ItemDraft, Invalid> {
        let mut c = Collector::default();
        let name = normalize(&self.name);
        if name.is_empty() || name.chars().count() > 40 {
            c.push("name", "商品名称", "应为1到40个字");
        }
        let price = match normalize(&self.price).parse::<i64>() {
            Ok(n) if (1..=100_000).contains(&n) => n,
            _ => {
                c.push("price", "所需积分", "应为1到100000之间的整数");
                0
            }
        };
        let stock = match normalize(&self.stock).parse::<i64>() {
            Ok(n) if (0..=100_000).contains(&n) => n,
            _ => {
                c.push("stock", "库存", "应为0到100000之间的整数");
                0
            }
        };
        c.finish(ItemDraft { name, price, stock })
    }
}

/// The default catalogue for a new county, from the county examples of the glossary.
pub fn default_rules() -> Vec<RuleDraft> {
    let r =
        |category: &str, action: &str, points: i64, evidence: bool, approval: bool, caps: Caps| {
            RuleDraft {
                action: normalize(action),
                category: normalize(category),
                points,
                audience: Audience::All,
                evidence_required: evidence,
                approval_required: approval,
                caps,
                valid_from: None,
                valid_to: None,
                trigger: Trigger::Manual,
            }
        };
    let month = |n| Caps {
        month: Some(n),
        ..Caps::default()
    };
    vec![
        r(
            "志愿服务",
            "参加志愿服务活动",
            5,
            true,
            true,
            Caps {
                day: Some(10),
                month: Some(40),
                year: None,
            },
        ),
        r(
            "会议活动",
            "参加村（社区）议事会议",
            3,
            false,
            false,
            month(12),
        ),
        r("巾帼行动", "参加巾帼志愿行动", 5, true, true, month(20)),
        r(
            "矛盾调解",
            "协助调解邻里矛盾纠纷",
            10,
            true,
            true,
            month(30),
        ),
        r(
            "环境整治",
            "参与人居环境整治",
            3,
            true,
            true,
            Caps {
                day: Some(3),
                month: Some(30),
                year: None,
            },
        ),
        r(
            "环境整治",
            "庭院整洁评为“美丽庭院”",
            20,
            true,
            true,
            Caps {
                year: Some(40),
                ..Caps::default()
            },
        ),
        r(
            "移风易俗",
            "红白喜事简办",
            10,
            true,
            true,
            Caps {
                year: Some(20),
                ..Caps::default()
            },
        ),
        RuleDraft {
            audience: Audience::Members,
            trigger: Trigger::Attendance,
            ..r(
                "组织生活",
                "参加三会一课、主题党日",
                2,
                false,
                false,
                month(8),
            )
        },
        r(
            "扣分事项",
            "乱堆乱放经劝导不改",
            -5,
            false,
            false,
            Caps::default(),
        ),
        r(
            "扣分事项",
            "违规燃放焚烧",
            -10,
            false,
            false,
            Caps::default(),
        ),
    ]
}

/// The reason given when a claim is decided: required to reject, at most 200 characters.
pub fn decision_reason(approve: bool, reason: &str) -> Result<String, Invalid> {
    let reason = normalize(reason);
    if !approve && reason.is_empty() {
        return Err(Invalid::one("reason", "驳回理由", "驳回时请写明理由"));
    }
    if reason.chars().count() > 200 {
        return Err(Invalid::one("reason", "理由", "不能超过200个字"));
    }
    Ok(reason)
}

/// The reason for a reversal (冲正): required, at most 200 characters.
pub fn reversal_reason(reason: &str) -> Result<String, Invalid> {
    let reason = normalize(reason);
    if reason.is_empty() || reason.chars().count() > 200 {
        return Err(Invalid::one(
            "reason",
            "冲正理由",
            "请写明理由（200字以内）",
        ));
    }
    Ok(reason)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn rule(points: &str, day: &str, month: &str, year: &str) -> RuleInput {
        RuleInput {
            action: "参加志愿服务活动".into(),
            points: points.into(),
            cap_day: day.into(),
            cap_month: month.into(),
            cap_year: year.into(),
            ..RuleInput::default()
        }
    }

    #[test]
    fn a_cap_below_zero_is_refused_with_its_field() {
        let e = rule("5", "-1", "", "").validate(None).unwrap_err();
        assert_eq!(e.for_field("cap_day"), Some("上限不能小于0"));
    }

    #[test]
    fn a_cap_below_one_grant_is_refused() {
        let e = rule("5", "", "3", "").validate(None).unwrap_err();
        assert!(e.for_field("cap_month").unwrap().contains("小于单次分值"));
    }

    #[test]
    fn a_town_rule_stays_within_the_county_bounds() {
        let b = Some(Bounds { max_points: 20 });
        assert!(rule("20", "", "", "").validate(b).is_ok());
        let e = rule("-30", "", "", "").validate(b).unwrap_err();
        assert!(e.for_field("points").unwrap().contains("20"));
        assert!(rule("-30", "", "", "").validate(None).is_ok());
    }

    #[test]
    fn zero_points_and_words_are_refused() {
        assert!(rule("0", "", "", "").validate(None).is_err());
        assert!(rule("五", "", "", "").validate(None).is_err());
    }

    #[test]
    fn a_rule_outside_its_dates_or_audience_cannot_be_used() {
        let mut input = rule("5", "", "", "");
        input.valid_from = "2026-03-01".into();
        input.valid_to = "2026-10-31".into();
        input.audience = "党员".into();
        let r = input.validate(None).unwrap();
        let d = |s| crate::date::parse(s).unwrap();
        assert!(r.usable(d("2026-05-01"), PersonKind::Member).is_ok());
        assert!(r.usable(d("2026-05-01"), PersonKind::Resident).is_err());
        assert!(r.usable(d("2026-11-01"), PersonKind::Member).is_err());
    }

    #[test]
    fn evidence_is_required_only_where_the_rule_says() {
        let mut r = rule("5", "", "", "").validate(None).unwrap();
        assert!(check_evidence(&r, false).is_ok());
        r.evidence_required = true;
        let e = check_evidence(&r, false).unwrap_err();
        assert!(e.for_field("evidence").is_some());
    }

    #[test]
    fn movement_counts_toward_month_quarter_and_year() {
        let keys = BoardPeriod::keys(crate::date::parse("2026-11-22").unwrap());
        assert_eq!(keys, ["2026-11", "2026-Q4", "2026"].map(String::from));
    }

    #[test]
    fn the_default_catalogue_validates_and_reads_back_through_the_form() {
        for r in default_rules() {
            assert_eq!(r.input().validate(None).as_ref(), Ok(&r), "{}", r.action);
        }
    }

    #[test]
    fn a_rejection_or_a_reversal_needs_a_reason() {
        assert!(decision_reason(false, "  ").is_err());
        assert_eq!(decision_reason(true, "").unwrap(), "");
        assert!(decision_reason(true, &"长".repeat(201)).is_err());
        assert!(reversal_reason("").is_err());
        assert_eq!(reversal_reason(" 误记 ").unwrap(), "误记");
    }

    proptest! {
        #[test]
        fn caps_are_never_exceeded_by_an_accepted_grant(
            cap in proptest::option::of(0i64..200),
            grants in proptest::collection::vec(1i64..30, 0..40),
        ) {
            let caps = Caps { day: cap, month: None, year: None };
            let mut used = Used::default();
            for g in grants {
                if caps.check(used, g).is_ok() {
                    used.day += g;
                }
                if let Some(cap) = cap {
                    prop_assert!(used.day <= cap);
                }
            }
        }

        #[test]
        fn a_split_debit_takes_exactly_the_amount_and_no_more_than_each_holds(
            held in proptest::collection::vec(0i64..500, 0..8),
            amount in 1i64..2000,
        ) {
            let balances: Vec<(i64, i64)> = held.iter().enumerate().map(|(i, b)| (i as i64 + 1, *b)).collect();
            let total: i64 = held.iter().sum();
            match split_debit(&balances, amount) {
                Some(parts) => {
                    prop_assert_eq!(parts.iter().map(|(_, n)| n).sum::<i64>(), amount);
                    for (id, n) in parts {
                        prop_assert!(n > 0 && n <= held[(id - 1) as usize]);
                    }
                }
                None => prop_assert!(total < amount),
            }
        }

        #[test]
        fn rule_validation_never_panics(points in ".{0,8}", cap in ".{0,8}", from in ".{0,12}") {
            let mut input = rule(&points, &cap, &cap, &cap);
            input.valid_from = from;
            let _ = input.validate(Some(Bounds { max_points: 20 }));
        }
    }
}
