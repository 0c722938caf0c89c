//! 党建品牌 (party-building brands): a 品牌培育项目 proposed by a branch or town, designated by
//! the level above, declared for 登记备案 with the 《党建品牌创建申报登记表》 and climbing the
//! levels through the workflow engine; the last level files it with a register number.
//!
//! Everything here is pure: inputs and their validation, the workflow definition for a
//! declaration, register numbers and the yearly "no activity" flag.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::Collector;
use crate::org::labelled_enum;
use crate::text::normalize;
use crate::workflow::{Definition, Level, Step};
use crate::Invalid;

labelled_enum!(
    /// Where a brand stands outside its declaration (the declaration's own stage is the
    /// workflow instance's).
    BrandStatus {
        Proposed => "申报培育",
        Cultivating => "培育项目",
        Filed => "已备案",
    }
);

/// The subject kind of a brand's workflow instances (`workflow_instances.subject_kind`).
pub const SUBJECT_KIND: &str = "党建品牌";

/// Raw form input for a brand (品牌培育项目).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct BrandInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub slogan: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub goals: String,
    #[serde(default)]
    pub measures: String,
    #[serde(default)]
    pub leaders: String,
}

/// A validated brand: every text normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrandDraft {
    pub name: String,
    pub slogan: String,
    pub category: String,
    pub description: String,
    pub goals: String,
    pub measures: String,
    pub leaders: String,
}

fn text(c: &mut Collector, field: &str, label: &str, raw: &str, min: usize, max: usize) -> String {
    let t = normalize(raw);
    let n = t.chars().count();
    if n < min || n > max {
        let need = if min <= 1 {
            format!("请填写，不超过 {max} 字")
        } else {
            format!("请填写 {min}–{max} 字")
        };
        c.push(field, label, format!("{need}（现为 {n} 字）"));
    }
    t
}

impl BrandInput {
    pub fn validate(&self) -> Result<BrandDraft, Invalid> {
        let mut c = Collector::default();
        let d = self.fields(&mut c);
        c.finish(d)
    }

    fn fields(&self, c: &mut Collector) -> BrandDraft {
        BrandDraft {
            name: text(c, "name", "品牌名称", &self.name, 2, 40),
            slogan: text(c, "slogan", "品牌口号", &self.slogan, 2, 60),
            category: text(c, "category", "品牌类别", &self.category, 2, 20),
            description: text(c, "description", "品牌简介", &self.description, 10, 2000),
            goals: text(c, "goals", "创建目标", &self.goals, 5, 2000),
            measures: text(c, "measures", "主要措施", &self.measures, 5, 2000),
            leaders: text(c, "leaders", "牵头负责人", &self.leaders, 2, 100),
        }
    }
}

/// Raw input of the 《党建品牌创建申报登记表》: the brand's fields (revised with the
/// declaration) plus 成效, 群众满意度 and 创建时间.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct DeclarationInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub slogan: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub goals: String,
    #[serde(default)]
    pub measures: String,
    #[serde(default)]
    pub leaders: String,
    #[serde(default)]
    pub effects: String,
    #[serde(default)]
    pub satisfaction: String,
    #[serde(default)]
    pub founded_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declaration {
    pub brand: BrandDraft,
    pub effects: String,
    /// 群众满意度 in percent, 0–100.
    pub satisfaction: u8,
    pub founded_on: NaiveDate,
}

impl DeclarationInput {
    /// The brand's own fields of the declaration.
    pub fn brand(&self) -> BrandInput {
        BrandInput {
            name: self.name.clone(),
            slogan: self.slogan.clone(),
            category: self.category.clone(),
            description: self.description.clone(),
            goals: self.goals.clone(),
            measures: self.measures.clone(),
            leaders: self.leaders.clone(),
        }
    }

    /// A declaration form filled from a brand (and its earlier declaration, if any).
    pub fn from_brand(b: &BrandInput) -> DeclarationInput {
        DeclarationInput {
            name: b.name.clone(),
            slogan: b.slogan.clone(),
            category: b.category.clone(),
            description: b.description.clone(),
            goals: b.goals.clone(),
            measures: b.measures.clone(),
            leaders: b.leaders.clone(),
            ..Default::default()
        }
    }

    /// Every field checked at once; `today` bounds 创建时间 (not in the future).
    pub fn validate(&self, today: NaiveDate) -> Result<Declaration, Invalid> {
        let mut c = Collector::default();
        let brand = self.brand().fields(&mut c);
        let effects = text(&mut c, "effects", "创建成效", &self.effects, 10, 2000);
        let raw = normalize(&self.satisfaction);
        let raw = raw.trim_end_matches(['%', '％']);
        let satisfaction = match raw.parse::<u8>() {
            Ok(v) if v <= 100 => v,
            _ => {
                c.push(
                    "satisfaction",
                    "群众满意度",
                    format!(
                        "请填写 0–100 的整数百分比，“{}”不行",
                        self.satisfaction.trim()
                    ),
                );
                0
            }
        };
        let founded_on = match crate::date::parse(&self.founded_on) {
            Some(d) if d <= today => d,
            Some(_) => {
                c.push("founded_on", "创建时间", "不能晚于今天");
                today
            }
            None => {
                c.push("founded_on", "创建时间", "请填写日期，如 2024-05-01");
                today
            }
        };
        c.finish(Declaration {
            brand,
            effects,
            satisfaction,
            founded_on,
        })
    }
}

/// The declaration's way up from an organisation at `origin`: the origin declares (its own
/// first step), each level above reviews, the county files (备案). No public notice: the
/// county's approval is final.
pub fn declaration_definition(origin: Level) -> Option<Definition> {
    let steps: Vec<Step> = match origin {
        Level::Branch => vec![
            (Level::Branch, "支部申报"),
            (Level::Town, "镇党委审核"),
            (Level::County, "县委备案"),
        ],
        Level::Town => vec![(Level::Town, "镇党委申报"), (Level::County, "县委备案")],
        Level::County => return None,
    }
    .into_iter()
    .map(|(level, name)| Step {
        level,
        name: name.to_string(),
        quota: None,
    })
    .collect();
    Some(Definition {
        name: format!("党建品牌登记备案（{}）", origin.label()),
        steps,
        notice_days: 0,
    })
}

/// A register number: `县-2026-001` (three digits at least).
pub fn register_number(prefix: &str, year: i32, seq: u32) -> String {
    format!("{prefix}-{year}-{seq:03}")
}

/// The parts of a register number, if it is one.
pub fn parse_register_number(s: &str) -> Option<(String, i32, u32)> {
    let mut parts = s.rsplitn(3, '-');
    let seq = parts.next()?;
    let year = parts.next()?;
    let prefix = parts.next()?;
    if prefix.is_empty() || seq.len() < 3 || year.len() != 4 {
        return None;
    }
    Some((prefix.to_string(), year.parse().ok()?, seq.parse().ok()?))
}

/// A brand with no activity for a year is flagged: the last activity (or, with none, the day
/// the brand began) is more than 365 days before `today`.
pub fn inactive(last_activity: Option<NaiveDate>, began: NaiveDate, today: NaiveDate) -> bool {
    let since = last_activity.unwrap_or(began).max(began);
    (today - since).num_days() > 365
}

labelled_enum!(
    /// What a brand's yearly record holds.
    RecordKind {
        Activity => "活动",
        Honour => "荣誉",
    }
);

/// Raw input of one yearly-record line.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct RecordInput {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub day: String,
    #[serde(default)]
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub kind: RecordKind,
    pub day: NaiveDate,
    pub title: String,
}

impl RecordInput {
    pub fn validate(&self, today: NaiveDate) -> Result<Record, Invalid> {
        let mut c = Collector::default();
        let kind = RecordKind::parse(&self.kind).unwrap_or_else(|| {
            c.push("kind", "类别", "请选择活动或荣誉");
            RecordKind::Activity
        });
        let day = match crate::date::parse(&self.day) {
            Some(d) if d <= today => d,
            Some(_) => {
                c.push("day", "日期", "不能晚于今天");
                today
            }
            None => {
                c.push("day", "日期", "请填写日期，如 2026-05-01");
                today
            }
        };
        let title = text(&mut c, "title", "内容", &self.title, 2, 200);
        c.finish(Record { kind, day, title })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::{decide, Acting, Action, Situation, Stage};
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn brand() -> BrandInput {
        BrandInput {
            name: "红色管家".into(),
            slogan: "小事不出网格".into(),
            category: "基层治理".into(),
            description: "以网格为单元，党员当管家，服务群众零距离。".into(),
            goals: "三年建成全县知名品牌".into(),
            measures: "党员认领网格，每周走访".into(),
            leaders: "张书记、李委员".into(),
        }
    }

    #[test]
    fn a_complete_brand_validates_and_an_empty_one_names_every_field() {
        assert_eq!(brand().validate().unwrap().name, "红色管家");
        let e = BrandInput::default().validate().unwrap_err();
        for f in [
            "name",
            "slogan",
            "category",
            "description",
            "goals",
            "measures",
            "leaders",
        ] {
            assert!(e.for_field(f).is_some(), "{f} not named");
        }
    }

    #[test]
    fn a_declaration_needs_effects_a_percentage_and_a_past_founding_day() {
        let today = d("2026-06-01");
        let ok = DeclarationInput {
            effects: "群众满意度大幅提升，化解矛盾三十余件".into(),
            satisfaction: "96%".into(),
            founded_on: "2023-03-01".into(),
            ..DeclarationInput::from_brand(&brand())
        };
        let v = ok.validate(today).unwrap();
        assert_eq!(v.satisfaction, 96);
        let bad = DeclarationInput {
            satisfaction: "120".into(),
            founded_on: "2027-01-01".into(),
            effects: "好".into(),
            ..ok
        };
        let e = bad.validate(today).unwrap_err();
        assert!(e.for_field("satisfaction").is_some());
        assert_eq!(e.for_field("founded_on"), Some("不能晚于今天"));
        assert!(e.for_field("effects").is_some());
    }

    #[test]
    fn a_branch_declaration_climbs_to_the_county_and_the_county_files_it() {
        let def = declaration_definition(Level::Branch).unwrap();
        def.check().unwrap();
        assert_eq!(def.notice_days, 0);
        let mut st = Stage::Pending(0);
        for (level, path) in [
            (Level::Branch, "/1/2/3/"),
            (Level::Town, "/1/2/"),
            (Level::County, "/1/"),
        ] {
            let s = Situation {
                stage: st,
                origin_path: "/1/2/3/",
                quota_used: 0,
                today: d("2026-06-01"),
                notice_until: None,
                comment: "",
                open_objections: 0,
            };
            let who = Acting {
                role: level.role(),
                scope_path: path,
                scope_level: level,
            };
            st = decide(&def, &s, Action::Approve, Some(&who)).unwrap();
        }
        assert_eq!(st, Stage::Final);
        assert!(declaration_definition(Level::County).is_none());
        assert_eq!(declaration_definition(Level::Town).unwrap().steps.len(), 2);
    }

    #[test]
    fn inactivity_is_a_year_without_activity_since_the_later_of_start_and_last_activity() {
        let today = d("2026-06-01");
        assert!(!inactive(None, d("2025-07-01"), today));
        assert!(inactive(None, d("2025-05-01"), today));
        assert!(!inactive(Some(d("2026-01-01")), d("2020-01-01"), today));
        assert!(inactive(Some(d("2025-01-01")), d("2020-01-01"), today));
    }

    #[test]
    fn a_record_line_is_checked() {
        let today = d("2026-06-01");
        let r = RecordInput {
            kind: "荣誉".into(),
            day: "2026-05-01".into(),
            title: "市级优秀党建品牌".into(),
        }
        .validate(today)
        .unwrap();
        assert_eq!(r.kind, RecordKind::Honour);
        let e = RecordInput::default().validate(today).unwrap_err();
        assert!(e.for_field("kind").is_some() && e.for_field("day").is_some());
    }

    proptest! {
        #[test]
        fn register_numbers_read_back_and_differ_by_sequence(year in 2000i32..2100, a in 1u32..5000, b in 1u32..5000) {
            let n = register_number("县", year, a);
            prop_assert_eq!(parse_register_number(&n), Some(("县".to_string(), year, a)));
            prop_assert_eq!(n == register_number("县", year, b), a == b);
        }

        #[test]
        fn satisfaction_accepts_exactly_0_to_100(v in 0u32..300) {
            let input = DeclarationInput {
                effects: "群众满意度大幅提升，化解矛盾三十余件".into(),
                satisfaction: v.to_string(),
                founded_on: "2023-03-01".into(),
                ..DeclarationInput::from_brand(&brand())
            };
            prop_assert_eq!(input.validate(d("2026-06-01")).is_ok(), v <= 100);
        }
    }
}
