//! Dates as users read them (2026年11月22日) and "today" in China Standard Time.

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Utc};

/// China Standard Time (UTC+8, no daylight saving): the zone every date in 先锋 is read in.
pub fn china() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

pub fn now() -> DateTime<FixedOffset> {
    Utc::now().with_timezone(&china())
}

pub fn today() -> NaiveDate {
    now().date_naive()
}

/// The China Standard Time date of an instant.
pub fn local_date(instant: DateTime<Utc>) -> NaiveDate {
    instant.with_timezone(&china()).date_naive()
}

/// `2026年11月22日`
pub fn format_cn(date: NaiveDate) -> String {
    format!("{}年{}月{}日", date.year(), date.month(), date.day())
}

/// Parses `2026-11-22`, `2026/11/22`, `2026.11.22`, `20261122` or `2026年11月22日`.
pub fn parse(input: &str) -> Option<NaiveDate> {
    let s = crate::text::normalize(input);
    if s.len() == 8 && s.chars().all(|c| c.is_ascii_digit()) {
        return NaiveDate::parse_from_str(&s, "%Y%m%d").ok();
    }
    let unified: String = s
        .replace(['年', '月'], "-")
        .replace('日', "")
        .replace(['/', '.'], "-");
    let parts: Vec<&str> = unified.split('-').map(str::trim).collect();
    if parts.len() != 3 {
        return None;
    }
    let y: i32 = parts[0].parse().ok()?;
    let m: u32 = parts[1].parse().ok()?;
    let d: u32 = parts[2].parse().ok()?;
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Whole years between `born` and `on`.
pub fn age_on(born: NaiveDate, on: NaiveDate) -> i32 {
    on.years_since(born).map(|y| y as i32).unwrap_or(-1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_chinese_date() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        assert_eq!(format_cn(d), "2026年11月22日");
    }

    #[test]
    fn parses_common_spellings() {
        let d = NaiveDate::from_ymd_opt(2001, 7, 1).unwrap();
        for s in [
            "2001-07-01",
            "2001/7/1",
            "2001.07.01",
            "20010701",
            "2001年7月1日",
            "２００１-０７-０１",
        ] {
            assert_eq!(parse(s), Some(d), "{s}");
        }
        assert_eq!(parse("2001-02-30"), None);
        assert_eq!(parse("明天"), None);
    }

    #[test]
    fn age_counts_whole_years() {
        let born = NaiveDate::from_ymd_opt(2000, 5, 10).unwrap();
        assert_eq!(
            age_on(born, NaiveDate::from_ymd_opt(2018, 5, 9).unwrap()),
            17
        );
        assert_eq!(
            age_on(born, NaiveDate::from_ymd_opt(2018, 5, 10).unwrap()),
            18
        );
    }
}
