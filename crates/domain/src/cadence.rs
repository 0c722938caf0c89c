//! The one cadence engine: a rule says an activity is due at least `min_count` times per period
//! (week, month, quarter, half-year, year) for the organisations it applies to. For one
//! organisation and one period the engine says: done, due soon, open, missed or exempt.
//!
//! Meetings (三会一课, 主题党日 …), reports, reviews, visits and inspections all use this module;
//! only the activity name and what counts as "one" differ.

use chrono::{Datelike, Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::org::{labelled_enum, OrgKind};
use crate::Invalid;

labelled_enum!(
    /// How often an activity is due.
    Frequency {
        Weekly => "每周",
        Monthly => "每月",
        Quarterly => "每季度",
        HalfYearly => "每半年",
        Yearly => "每年",
    }
);

impl Frequency {
    /// Periods of this frequency in a year (weeks: 52).
    pub fn per_year(self) -> i64 {
        match self {
            Frequency::Weekly => 52,
            Frequency::Monthly => 12,
            Frequency::Quarterly => 4,
            Frequency::HalfYearly => 2,
            Frequency::Yearly => 1,
        }
    }
}

labelled_enum!(
    /// Which organisations a rule binds.
    Applies {
        Branches => "党支部",
        CommitteeBranches => "设支委会的党支部",
        Groups => "党小组",
        Towns => "乡镇（街道）党（工）委",
    }
);

impl Applies {
    pub fn fits(self, kind: OrgKind, committee_size: i64) -> bool {
        match self {
            Applies::Branches => kind.is_branch(),
            Applies::CommitteeBranches => kind.is_branch() && committee_size > 0,
            Applies::Groups => kind == OrgKind::Group,
            Applies::Towns => matches!(kind, OrgKind::Committee | OrgKind::WorkCommittee),
        }
    }
}

/// One calendar period, both ends inclusive, in China Standard Time dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Period {
    pub frequency: Frequency,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or(NaiveDate::MIN)
}

fn month_end(y: i32, m: u32) -> NaiveDate {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    ymd(ny, nm, 1) - Duration::days(1)
}

impl Period {
    /// The period of `frequency` that contains `date`.
    pub fn containing(frequency: Frequency, date: NaiveDate) -> Period {
        let (y, m) = (date.year(), date.month());
        let (start, end) = match frequency {
            Frequency::Weekly => {
                let start = date - Duration::days(date.weekday().num_days_from_monday() as i64);
                (start, start + Duration::days(6))
            }
            Frequency::Monthly => (ymd(y, m, 1), month_end(y, m)),
            Frequency::Quarterly => {
                let first = (m - 1) / 3 * 3 + 1;
                (ymd(y, first, 1), month_end(y, first + 2))
            }
            Frequency::HalfYearly => {
                let first = if m <= 6 { 1 } else { 7 };
                (ymd(y, first, 1), month_end(y, first + 5))
            }
            Frequency::Yearly => (ymd(y, 1, 1), ymd(y, 12, 31)),
        };
        Period {
            frequency,
            start,
            end,
        }
    }

    /// The period an instant falls in, read in China Standard Time: 2026-11-30 17:00 UTC is
    /// already 1 December in Shanghai.
    pub fn at(frequency: Frequency, instant: chrono::DateTime<chrono::Utc>) -> Period {
        Period::containing(frequency, crate::date::local_date(instant))
    }

    /// Stable key used in storage: `2026-W47`, `2026-11`, `2026-Q4`, `2026-H2`, `2026`.
    pub fn key(&self) -> String {
        let (y, m) = (self.start.year(), self.start.month());
        match self.frequency {
            Frequency::Weekly => {
                let w = self.start.iso_week();
                format!("{}-W{:02}", w.year(), w.week())
            }
            Frequency::Monthly => format!("{y}-{m:02}"),
            Frequency::Quarterly => format!("{y}-Q{}", (m - 1) / 3 + 1),
            Frequency::HalfYearly => format!("{y}-H{}", if m <= 6 { 1 } else { 2 }),
            Frequency::Yearly => format!("{y}"),
        }
    }

    /// Reads a key written by `key`.
    pub fn parse_key(key: &str) -> Option<Period> {
        let (y, rest) = match key.split_once('-') {
            Some((y, r)) => (y.parse::<i32>().ok()?, Some(r)),
            None => (key.parse::<i32>().ok()?, None),
        };
        if !(1900..=2200).contains(&y) {
            return None;
        }
        let Some(rest) = rest else {
            return Some(Period::containing(Frequency::Yearly, ymd(y, 1, 1)));
        };
        let num = |s: &str| s.parse::<u32>().ok();
        if let Some(w) = rest.strip_prefix('W') {
            let d = NaiveDate::from_isoywd_opt(y, num(w)?, chrono::Weekday::Mon)?;
            return Some(Period::containing(Frequency::Weekly, d));
        }
        let (freq, month) = if let Some(q) = rest.strip_prefix('Q') {
            let q = num(q).filter(|q| (1..=4).contains(q))?;
            (Frequency::Quarterly, (q - 1) * 3 + 1)
        } else if let Some(h) = rest.strip_prefix('H') {
            let h = num(h).filter(|h| (1..=2).contains(h))?;
            (Frequency::HalfYearly, (h - 1) * 6 + 1)
        } else {
            (
                Frequency::Monthly,
                num(rest).filter(|m| (1..=12).contains(m))?,
            )
        };
        let p = Period::containing(freq, ymd(y, month, 1));
        (p.key() == key).then_some(p)
    }

    /// How a user reads it: 2026年11月, 2026年第四季度, 2026年下半年, 2026年, 2026年第47周.
    pub fn label(&self) -> String {
        let (y, m) = (self.start.year(), self.start.month());
        match self.frequency {
            Frequency::Weekly => {
                let w = self.start.iso_week();
                format!("{}年第{}周", w.year(), w.week())
            }
            Frequency::Monthly => format!("{y}年{m}月"),
            Frequency::Quarterly => {
                format!(
                    "{y}年第{}季度",
                    ["一", "二", "三", "四"][((m - 1) / 3) as usize]
                )
            }
            Frequency::HalfYearly => format!("{y}年{}", if m <= 6 { "上半年" } else { "下半年" }),
            Frequency::Yearly => format!("{y}年"),
        }
    }

    /// A short column heading: 11月, 四季度, 下半年, 2026年, 47周.
    pub fn short(&self) -> String {
        let m = self.start.month();
        match self.frequency {
            Frequency::Weekly => format!("{}周", self.start.iso_week().week()),
            Frequency::Monthly => format!("{m}月"),
            Frequency::Quarterly => {
                format!("{}季度", ["一", "二", "三", "四"][((m - 1) / 3) as usize])
            }
            Frequency::HalfYearly => (if m <= 6 { "上半年" } else { "下半年" }).to_string(),
            Frequency::Yearly => format!("{}年", self.start.year()),
        }
    }

    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days() + 1
    }

    pub fn next(&self) -> Period {
        Period::containing(self.frequency, self.end + Duration::days(1))
    }

    pub fn prev(&self) -> Period {
        Period::containing(self.frequency, self.start - Duration::days(1))
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.start <= d && d <= self.end
    }

    /// The periods that start in `year` (for weeks: those whose Monday is in the year).
    pub fn in_year(frequency: Frequency, year: i32) -> Vec<Period> {
        let mut p = Period::containing(frequency, ymd(year, 1, 1));
        if p.start.year() < year {
            p = p.next();
        }
        let mut out = Vec::new();
        while p.start.year() == year {
            out.push(p);
            p = p.next();
        }
        out
    }

    /// The calendar months (`2026-11`) the period covers, for summing monthly counters.
    pub fn month_keys(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut d = ymd(self.start.year(), self.start.month(), 1);
        while d <= self.end {
            out.push(format!("{}-{:02}", d.year(), d.month()));
            d = month_end(d.year(), d.month()) + Duration::days(1);
        }
        out
    }
}

/// Who must do what how often.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CadenceRule {
    pub activity: String,
    pub frequency: Frequency,
    pub min_count: i64,
    pub applies: Applies,
    /// Warn this many days before a period ends when the activity is still missing.
    pub warn_days: i64,
    /// The rule binds from this date (a rule introduced mid-period).
    #[serde(default)]
    pub since: Option<NaiveDate>,
}

impl CadenceRule {
    fn new(activity: &str, frequency: Frequency, applies: Applies, warn_days: i64) -> CadenceRule {
        CadenceRule {
            activity: activity.to_string(),
            frequency,
            min_count: 1,
            applies,
            warn_days,
            since: None,
        }
    }

    /// Required occurrences a year, for comparing a town's rule with the county's.
    pub fn per_year(&self) -> i64 {
        self.min_count * self.frequency.per_year()
    }

    /// When an organisation created on `org_since` falls under this rule.
    pub fn binds_from(&self, org_since: NaiveDate) -> NaiveDate {
        self.since.map_or(org_since, |s| s.max(org_since))
    }

    /// What one organisation's record of `count` occurrences in `period` means on `today`.
    pub fn status(
        &self,
        period: &Period,
        count: i64,
        today: NaiveDate,
        org_since: NaiveDate,
    ) -> Status {
        evaluate(self, period, count, today, self.binds_from(org_since))
    }

    /// A one-line description: 每季度至少1次（党支部）.
    pub fn describe(&self) -> String {
        format!(
            "{}至少{}次（{}）",
            self.frequency.label(),
            self.min_count,
            self.applies.label()
        )
    }
}

/// The activity a recorded inspection counts toward (一月一督查).
pub const SUPERVISION: &str = "督查";

/// 领导点评: a town leader's written review of a branch, at least once a quarter.
pub const LEADER_REVIEW: &str = "领导点评";

/// The glossary's default rules for organisational life, and the towns' monthly inspection.
pub fn default_rules() -> Vec<CadenceRule> {
    use Applies::*;
    use Frequency::*;
    vec![
        CadenceRule::new("支部党员大会", Quarterly, Branches, 15),
        CadenceRule::new("支委会", Monthly, CommitteeBranches, 7),
        CadenceRule::new("党小组会", Monthly, Groups, 7),
        CadenceRule::new("党课", Quarterly, Branches, 15),
        CadenceRule::new("主题党日", Monthly, Branches, 7),
        CadenceRule::new("组织生活会", Yearly, Branches, 30),
        CadenceRule::new("民主评议党员", Yearly, Branches, 30),
        CadenceRule::new(SUPERVISION, Monthly, Towns, 7),
        CadenceRule::new(LEADER_REVIEW, Quarterly, Branches, 15),
    ]
}

labelled_enum!(
    /// Where one organisation stands on one rule in one period.
    Status {
        Done => "已完成",
        DueSoon => "即将到期",
        Open => "进行中",
        Missed => "未完成",
        Exempt => "不考核",
    }
);

impl Status {
    /// 红黄绿: green done, yellow due soon, red missed; grey for open or exempt.
    pub fn colour(self) -> &'static str {
        match self {
            Status::Done => "green",
            Status::DueSoon => "yellow",
            Status::Missed => "red",
            Status::Open | Status::Exempt => "grey",
        }
    }
}

/// An organisation (or a rule) that begins after the middle of a period is not held to it for
/// that period; from the next period on it is.
pub fn applicable(period: &Period, binds_from: NaiveDate) -> bool {
    binds_from <= period.start + Duration::days(period.days() / 2)
}

/// The decision itself. Enough records are done even in a period the organisation is exempt
/// from.
pub fn evaluate(
    rule: &CadenceRule,
    period: &Period,
    count: i64,
    today: NaiveDate,
    binds_from: NaiveDate,
) -> Status {
    if count >= rule.min_count {
        return Status::Done;
    }
    if !applicable(period, binds_from) {
        return Status::Exempt;
    }
    if today > period.end {
        return Status::Missed;
    }
    if today < period.start {
        return Status::Open;
    }
    if (period.end - today).num_days() < rule.warn_days {
        Status::DueSoon
    } else {
        Status::Open
    }
}

/// Checks a county rule set: known activities once each, sane numbers.
pub fn check_rules(rules: &[CadenceRule]) -> Result<(), Invalid> {
    let mut errors = crate::error::Collector::default();
    for (i, r) in rules.iter().enumerate() {
        let field = format!("rule{i}");
        if r.activity.trim().is_empty() {
            errors.push(&field, "活动名称", "不能为空");
        }
        if rules[..i].iter().any(|o| o.activity == r.activity) {
            errors.push(&field, &r.activity, "重复设置");
        }
        if !(1..=31).contains(&r.min_count) {
            errors.push(&field, &r.activity, "次数应在1–31之间");
        }
        if !(0..=180).contains(&r.warn_days) {
            errors.push(&field, &r.activity, "提前预警天数应在0–180之间");
        }
    }
    errors.finish(())
}

/// A town may make a county rule stricter for its subtree, never looser: at least as many
/// occurrences per period, and a warning at least as early.
pub fn check_override(county: &CadenceRule, town: &CadenceRule) -> Result<(), Invalid> {
    let mut errors = crate::error::Collector::default();
    if town.frequency != county.frequency {
        errors.push(
            "frequency",
            "频次",
            "周期由县级统一设置，镇（街道）不能修改",
        );
    }
    if town.min_count < county.min_count {
        errors.push(
            "min_count",
            "次数",
            format!("不能少于县级要求的{}次", county.min_count),
        );
    }
    if town.min_count > 31 {
        errors.push("min_count", "次数", "不能超过31次");
    }
    if town.warn_days < county.warn_days || town.warn_days > 180 {
        errors.push(
            "warn_days",
            "提前预警天数",
            format!("应在{}–180天之间", county.warn_days),
        );
    }
    errors.finish(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn rule(f: Frequency) -> CadenceRule {
        CadenceRule::new("主题党日", f, Applies::Branches, 7)
    }

    #[test]
    fn quarters_and_halves_have_calendar_bounds() {
        let q = Period::containing(Frequency::Quarterly, d(2026, 11, 22));
        assert_eq!((q.start, q.end), (d(2026, 10, 1), d(2026, 12, 31)));
        assert_eq!(q.key(), "2026-Q4");
        assert_eq!(q.label(), "2026年第四季度");
        let h = Period::containing(Frequency::HalfYearly, d(2026, 6, 30));
        assert_eq!(
            (h.start, h.end, h.key()),
            (d(2026, 1, 1), d(2026, 6, 30), "2026-H1".into())
        );
        let feb = Period::containing(Frequency::Monthly, d(2028, 2, 10));
        assert_eq!(feb.end, d(2028, 2, 29));
        assert_eq!(q.month_keys(), vec!["2026-10", "2026-11", "2026-12"]);
    }

    #[test]
    fn month_end_evening_utc_is_next_month_in_shanghai() {
        let instant = chrono::DateTime::parse_from_rfc3339("2026-11-30T17:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(Period::at(Frequency::Monthly, instant).key(), "2026-12");
        assert_eq!(Period::at(Frequency::Quarterly, instant).key(), "2026-Q4");
        let new_year = chrono::DateTime::parse_from_rfc3339("2026-12-31T16:00:00Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(Period::at(Frequency::Yearly, new_year).key(), "2027");
    }

    #[test]
    fn iso_weeks_cross_the_new_year() {
        let w = Period::containing(Frequency::Weekly, d(2027, 1, 1));
        assert_eq!(w.start, d(2026, 12, 28));
        assert_eq!(w.key(), "2026-W53");
        assert_eq!(Period::parse_key("2026-W53"), Some(w));
        assert_eq!(
            Period::in_year(Frequency::Weekly, 2027)[0].start,
            d(2027, 1, 4)
        );
    }

    #[test]
    fn status_follows_the_calendar() {
        let r = rule(Frequency::Monthly);
        let nov = Period::containing(Frequency::Monthly, d(2026, 11, 1));
        let since = d(2020, 1, 1);
        assert_eq!(r.status(&nov, 1, d(2026, 11, 5), since), Status::Done);
        assert_eq!(r.status(&nov, 0, d(2026, 11, 5), since), Status::Open);
        assert_eq!(r.status(&nov, 0, d(2026, 11, 24), since), Status::DueSoon);
        assert_eq!(r.status(&nov, 0, d(2026, 12, 1), since), Status::Missed);
        assert_eq!(r.status(&nov, 0, d(2026, 10, 1), since), Status::Open);
    }

    #[test]
    fn organisation_created_late_in_a_period_is_exempt_for_it() {
        let r = rule(Frequency::Quarterly);
        let q4 = Period::containing(Frequency::Quarterly, d(2026, 10, 1));
        assert_eq!(
            r.status(&q4, 0, d(2027, 1, 5), d(2026, 12, 1)),
            Status::Exempt
        );
        assert_eq!(
            r.status(&q4, 0, d(2027, 1, 5), d(2026, 10, 20)),
            Status::Missed
        );
    }

    #[test]
    fn rule_starting_mid_period_binds_from_the_next_one() {
        let mut r = rule(Frequency::Monthly);
        r.since = Some(d(2026, 11, 25));
        let nov = Period::containing(Frequency::Monthly, d(2026, 11, 1));
        assert_eq!(
            r.status(&nov, 0, d(2026, 12, 3), d(2000, 1, 1)),
            Status::Exempt
        );
        assert_eq!(
            r.status(&nov.next(), 0, d(2027, 1, 3), d(2000, 1, 1)),
            Status::Missed
        );
    }

    #[test]
    fn town_may_tighten_but_not_loosen() {
        let county = rule(Frequency::Quarterly);
        let mut town = county.clone();
        town.min_count = 2;
        assert!(check_override(&county, &town).is_ok());
        town.min_count = 0;
        assert!(check_override(&county, &town).is_err());
        town.min_count = 1;
        town.frequency = Frequency::Yearly;
        assert!(check_override(&county, &town).is_err());
    }

    #[test]
    fn default_rules_are_valid_and_parse_back() {
        assert!(check_rules(&default_rules()).is_ok());
        let json = serde_json::to_string(&default_rules()).unwrap();
        let back: Vec<CadenceRule> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, default_rules());
    }

    fn any_freq() -> impl Strategy<Value = Frequency> {
        prop::sample::select(Frequency::ALL.to_vec())
    }

    fn any_date() -> impl Strategy<Value = NaiveDate> {
        (0i64..20_000).prop_map(|n| d(1990, 1, 1) + Duration::days(n))
    }

    proptest! {
        #[test]
        fn period_contains_its_date_and_periods_tile(f in any_freq(), date in any_date()) {
            let p = Period::containing(f, date);
            prop_assert!(p.contains(date));
            prop_assert_eq!(p.next().start, p.end + Duration::days(1));
            prop_assert_eq!(p.prev().end, p.start - Duration::days(1));
            prop_assert_eq!(Period::containing(f, p.start), p);
            prop_assert_eq!(Period::containing(f, p.end), p);
            prop_assert_eq!(Period::parse_key(&p.key()), Some(p));
        }

        #[test]
        fn enough_records_are_always_done(f in any_freq(), date in any_date(), today in any_date(), extra in 0i64..5) {
            let r = rule(f);
            let p = Period::containing(f, date);
            let since = p.start - Duration::days(1);
            prop_assert_eq!(r.status(&p, r.min_count + extra, today, since), Status::Done);
        }

        #[test]
        fn a_period_that_ended_unmet_is_missed(f in any_freq(), date in any_date(), late in 1i64..400) {
            let r = rule(f);
            let p = Period::containing(f, date);
            prop_assert_eq!(r.status(&p, 0, p.end + Duration::days(late), p.start), Status::Missed);
        }

        #[test]
        fn due_soon_only_inside_the_warning_window(f in any_freq(), date in any_date()) {
            let r = rule(f);
            let p = Period::containing(f, date);
            let s = r.status(&p, 0, date, p.start);
            let left = (p.end - date).num_days();
            prop_assert_eq!(s == Status::DueSoon, left < r.warn_days);
        }

        #[test]
        fn applicability_is_monotone_in_the_start_date(f in any_freq(), date in any_date(), a in 0i64..400, b in 0i64..400) {
            let p = Period::containing(f, date);
            let (early, late) = (p.start - Duration::days(200) + Duration::days(a.min(b)), p.start - Duration::days(200) + Duration::days(a.max(b)));
            prop_assert!(!applicable(&p, late) || applicable(&p, early));
            prop_assert!(applicable(&p, p.start));
            prop_assert!(!applicable(&p, p.end + Duration::days(1)));
        }

        #[test]
        fn instants_are_read_in_shanghai_time(f in any_freq(), secs in 0i64..2_000_000_000) {
            let instant = chrono::DateTime::from_timestamp(secs, 0).unwrap();
            let p = Period::at(f, instant);
            let shanghai = instant + Duration::hours(8);
            prop_assert!(p.contains(shanghai.date_naive()));
            // From 16:00 UTC the Shanghai date is the next UTC day.
            let utc_day = instant.date_naive();
            let expected = if instant.format("%H").to_string().parse::<u32>().unwrap() >= 16 { utc_day + Duration::days(1) } else { utc_day };
            prop_assert_eq!(crate::date::local_date(instant), expected);
        }

        #[test]
        fn parse_key_never_panics(s in "\\PC{0,12}") {
            let _ = Period::parse_key(&s);
        }
    }
}
