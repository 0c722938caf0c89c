//! Awards (评选表彰): kinds with quotas per level, run through the workflow engine.

use serde::{Deserialize, Serialize};

use crate::error::Collector;
use crate::org::labelled_enum;
use crate::text::normalize;
use crate::workflow::{Definition, Level, Step};
use crate::Invalid;

labelled_enum!(
    /// Who an award goes to.
    AwardSubject {
        Org => "党组织",
        Member => "党员",
        Person => "个人",
    }
);

/// Raw form input for an award kind; quotas are per organisation at each level, empty for no
/// limit.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct AwardKindInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub branch_quota: String,
    #[serde(default)]
    pub town_quota: String,
    #[serde(default)]
    pub county_quota: String,
    #[serde(default)]
    pub notice_days: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwardKindDraft {
    pub name: String,
    pub subject: AwardSubject,
    pub year: i32,
    pub definition: Definition,
}

fn quota(c: &mut Collector, field: &str, label: &str, raw: &str) -> Option<u32> {
    let t = normalize(raw);
    if t.is_empty() {
        return None;
    }
    match t.parse::<u32>() {
        Ok(v) if (1..=10_000).contains(&v) => Some(v),
        _ => {
            c.push(
                field,
                label,
                format!("须为 1–10000 的整数，或留空表示不限，“{t}”不行"),
            );
            None
        }
    }
}

/// Checks an award kind set by an organisation at `level`: its steps run from the branch up
/// to that level (a town's award ends at the town, a county's at the county).
pub fn check_kind(input: &AwardKindInput, level: Level) -> Result<AwardKindDraft, Invalid> {
    let mut c = Collector::default();
    let name = normalize(&input.name);
    if name.is_empty() || name.chars().count() > 40 {
        c.push("name", "表彰名称", "须为 1–40 字");
    }
    let subject = AwardSubject::parse(&input.subject);
    if subject.is_none() {
        c.push("subject", "表彰对象", "须为 党组织、党员 或 个人");
    }
    let year = normalize(&input.year)
        .parse::<i32>()
        .ok()
        .filter(|y| (2000..=2100).contains(y));
    if year.is_none() {
        c.push("year", "年度", "须为 2000–2100 的年份");
    }
    let notice = normalize(&input.notice_days);
    let notice_days = if notice.is_empty() {
        Some(7)
    } else {
        notice.parse::<u32>().ok().filter(|d| *d <= 60)
    };
    if notice_days.is_none() {
        c.push("notice_days", "公示天数", "须为 0–60 的整数（默认 7 天）");
    }
    let quotas = [
        quota(
            &mut c,
            "branch_quota",
            "每个支部推荐名额",
            &input.branch_quota,
        ),
        quota(&mut c, "town_quota", "每个乡镇推荐名额", &input.town_quota),
        quota(&mut c, "county_quota", "全县名额", &input.county_quota),
    ];
    if level == Level::Branch {
        c.push("org", "设立单位", "表彰须由乡镇（街道）或县设立");
    }
    let mut def = Definition::three_levels(&name, quotas);
    if level == Level::Town {
        def.steps.truncate(2);
    }
    def.notice_days = notice_days.unwrap_or(7);
    let draft = AwardKindDraft {
        name,
        subject: subject.unwrap_or(AwardSubject::Member),
        year: year.unwrap_or(0),
        definition: def,
    };
    c.finish(draft)
}

/// The steps of a definition as text (支部推荐（每个支部 2 名）→ 镇党委审核 → 公示 7 天).
pub fn describe(def: &Definition) -> String {
    let mut parts: Vec<String> = def
        .steps
        .iter()
        .map(|s: &Step| match s.quota {
            Some(q) => format!("{}（名额 {q}）", s.name),
            None => s.name.clone(),
        })
        .collect();
    if def.notice_days > 0 {
        parts.push(format!("公示 {} 天", def.notice_days));
    }
    parts.join(" → ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(name: &str, town: &str) -> AwardKindInput {
        AwardKindInput {
            name: name.into(),
            subject: "党员".into(),
            year: "2026".into(),
            branch_quota: "2".into(),
            town_quota: town.into(),
            county_quota: String::new(),
            notice_days: String::new(),
        }
    }

    #[test]
    fn a_town_award_ends_at_the_town_with_seven_days_of_notice() {
        let d = check_kind(&input("优秀共产党员", "45"), Level::Town).unwrap();
        assert_eq!(d.definition.steps.len(), 2);
        assert_eq!(d.definition.steps[1].quota, Some(45));
        assert_eq!(d.definition.notice_days, 7);
        assert!(d.definition.check().is_ok());
        assert_eq!(
            describe(&d.definition),
            "支部推荐（名额 2） → 镇党委审核（名额 45） → 公示 7 天"
        );
    }

    #[test]
    fn bad_quotas_and_branch_level_kinds_are_refused() {
        let e = check_kind(&input("", "-3"), Level::Branch).unwrap_err();
        assert!(e.for_field("town_quota").unwrap().contains("-3"));
        assert!(e.for_field("name").is_some());
        assert!(e.for_field("org").is_some());
    }
}
