//! Party members (党员): the fields a roster holds and the rules they must satisfy.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::Collector;
use crate::idcard::{self, Sex};
use crate::org::coded_enum;
use crate::rules::Rules;
use crate::text::normalize;
use crate::{date, phone, Invalid};

coded_enum!(
    /// 正式党员 / 预备党员.
    MemberStatus {
        Full => "full" "正式党员",
        Probationary => "probationary" "预备党员",
    }
);

coded_enum!(
    Education {
        Postgraduate => "postgraduate" "研究生",
        Bachelor => "bachelor" "大学本科",
        College => "college" "大学专科",
        Secondary => "secondary" "中专",
        HighSchool => "high_school" "高中",
        Junior => "junior" "初中",
        Primary => "primary" "小学及以下",
    }
);

/// The 56 recognised ethnic groups (民族).
pub const ETHNICITIES: [&str; 56] = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
];

/// Tags every deployment knows; others may be added by users.
pub const STANDARD_TAGS: [&str; 4] = ["老党员", "困难党员", "流动党员", "无职党员"];

/// Normalises `汉` to `汉族`; `None` when not one of the 56.
pub fn parse_ethnicity(s: &str) -> Option<&'static str> {
    let s = normalize(s);
    ETHNICITIES
        .iter()
        .copied()
        .find(|e| *e == s || e.strip_suffix('族') == Some(s.as_str()))
}

/// Splits `老党员、困难党员, 自定义` into distinct tags.
pub fn parse_tags(s: &str) -> Vec<String> {
    let mut tags: Vec<String> = normalize(s)
        .split([',', '，', '、', ';', '；', ' '])
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect();
    tags.dedup();
    let mut seen = std::collections::HashSet::new();
    tags.retain(|t| seen.insert(t.clone()));
    tags
}

/// Raw input from a form, an API call or a roster row. Every field is text as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct MemberInput {
    pub name: String,
    pub gender: String,
    pub ethnicity: String,
    pub birth_date: String,
    pub id_number: String,
    pub phone: String,
    pub joined_on: String,
    pub full_on: String,
    pub status: String,
    pub education: String,
    pub post: String,
    pub tags: String,
}

/// A member that passed every rule, with personal data in clear (the store encrypts it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberDraft {
    pub name: String,
    pub sex: Sex,
    pub ethnicity: String,
    pub birth_date: NaiveDate,
    pub id_number: String,
    pub phone: Option<String>,
    pub joined_on: NaiveDate,
    pub full_on: Option<NaiveDate>,
    pub status: MemberStatus,
    pub education: Option<Education>,
    pub post: String,
    pub tags: Vec<String>,
}

/// Field labels, in roster column order.
pub const FIELDS: [(&str, &str); 12] = [
    ("name", "姓名"),
    ("gender", "性别"),
    ("ethnicity", "民族"),
    ("birth_date", "出生日期"),
    ("id_number", "身份证号"),
    ("phone", "手机号"),
    ("joined_on", "入党日期"),
    ("full_on", "转正日期"),
    ("status", "党员类别"),
    ("education", "学历"),
    ("post", "岗位"),
    ("tags", "标签"),
];

fn label(field: &str) -> &'static str {
    FIELDS
        .iter()
        .find(|(f, _)| *f == field)
        .map(|(_, l)| *l)
        .unwrap_or("字段")
}

impl MemberInput {
    /// Checks every field; `kept_id_number` is used when the form left the ID blank on edit.
    pub fn validate(
        &self,
        rules: &Rules,
        today: NaiveDate,
        kept_id_number: Option<&str>,
    ) -> Result<MemberDraft, Invalid> {
        let mut c = Collector::default();
        let err = |c: &mut Collector, field: &str, msg: String| c.push(field, label(field), msg);

        let name = normalize(&self.name);
        if name.is_empty() {
            err(&mut c, "name", "不能为空".into());
        } else if name.chars().count() > 30 {
            err(&mut c, "name", "不能超过30个字".into());
        }

        let raw_id = if self.id_number.trim().is_empty() {
            kept_id_number.unwrap_or("")
        } else {
            &self.id_number
        };
        let id = if raw_id.trim().is_empty() {
            err(&mut c, "id_number", "不能为空".into());
            None
        } else {
            match idcard::parse(raw_id) {
                Ok(id) => Some(id),
                Err(e) => {
                    err(&mut c, "id_number", e.to_string());
                    None
                }
            }
        };

        let sex = if self.gender.trim().is_empty() {
            id.as_ref().map(|i| i.sex)
        } else {
            match Sex::parse(&self.gender) {
                Some(s) => Some(s),
                None => {
                    err(&mut c, "gender", "应为“男”或“女”".into());
                    None
                }
            }
        };
        if let (Some(s), Some(id)) = (sex, id.as_ref()) {
            if s != id.sex {
                err(
                    &mut c,
                    "gender",
                    format!("与身份证号不符（身份证号为{}性）", id.sex.label()),
                );
            }
        }

        let birth_date = if self.birth_date.trim().is_empty() {
            id.as_ref().map(|i| i.birth_date)
        } else {
            match date::parse(&self.birth_date) {
                Some(d) => Some(d),
                None => {
                    err(
                        &mut c,
                        "birth_date",
                        "不是有效日期（例：1980-05-01）".into(),
                    );
                    None
                }
            }
        };
        if let (Some(b), Some(id)) = (birth_date, id.as_ref()) {
            if b != id.birth_date {
                err(
                    &mut c,
                    "birth_date",
                    format!(
                        "与身份证号中的出生日期（{}）不符",
                        date::format_cn(id.birth_date)
                    ),
                );
            }
        }

        let ethnicity = if self.ethnicity.trim().is_empty() {
            err(&mut c, "ethnicity", "不能为空".into());
            None
        } else {
            let e = parse_ethnicity(&self.ethnicity);
            if e.is_none() {
                err(
                    &mut c,
                    "ethnicity",
                    format!("“{}”不是有效的民族名称", normalize(&self.ethnicity)),
                );
            }
            e
        };

        let phone = if self.phone.trim().is_empty() {
            None
        } else {
            match phone::parse(&self.phone) {
                Ok(p) => Some(p),
                Err(e) => {
                    err(&mut c, "phone", e.to_string());
                    None
                }
            }
        };

        let joined_on = match date::parse(&self.joined_on) {
            _ if self.joined_on.trim().is_empty() => {
                err(&mut c, "joined_on", "不能为空".into());
                None
            }
            Some(d) if d > today => {
                err(&mut c, "joined_on", "不能晚于今天".into());
                None
            }
            Some(d) => Some(d),
            None => {
                err(&mut c, "joined_on", "不是有效日期（例：2010-07-01）".into());
                None
            }
        };
        if let (Some(j), Some(b)) = (joined_on, birth_date) {
            if i64::from(date::age_on(b, j)) < rules.min_joining_age {
                err(
                    &mut c,
                    "joined_on",
                    format!("入党时未满{}周岁", rules.min_joining_age),
                );
            }
        }

        let status = if self.status.trim().is_empty() {
            Some(MemberStatus::Full)
        } else {
            let s = normalize(&self.status);
            let s = match s.as_str() {
                "正式" => "正式党员".to_string(),
                "预备" => "预备党员".to_string(),
                _ => s,
            };
            let st = MemberStatus::parse(&s);
            if st.is_none() {
                err(&mut c, "status", "应为“正式党员”或“预备党员”".into());
            }
            st
        };

        let full_on = if self.full_on.trim().is_empty() {
            None
        } else {
            match date::parse(&self.full_on) {
                Some(d) => Some(d),
                None => {
                    err(&mut c, "full_on", "不是有效日期".into());
                    None
                }
            }
        };
        match (status, full_on, joined_on) {
            (Some(MemberStatus::Probationary), Some(_), _) => {
                err(&mut c, "full_on", "预备党员不应有转正日期".into());
            }
            (_, Some(f), Some(j)) if f <= j => {
                err(&mut c, "full_on", "应晚于入党日期".into());
            }
            (_, Some(f), _) if f > today => {
                err(&mut c, "full_on", "不能晚于今天".into());
            }
            _ => {}
        }

        let education = if self.education.trim().is_empty() {
            None
        } else {
            let e = Education::parse(&self.education);
            if e.is_none() {
                err(
                    &mut c,
                    "education",
                    format!(
                        "应为{}之一",
                        Education::ALL
                            .iter()
                            .map(|e| e.label())
                            .collect::<Vec<_>>()
                            .join("、")
                    ),
                );
            }
            e
        };

        let post = normalize(&self.post);
        if post.chars().count() > 40 {
            err(&mut c, "post", "不能超过40个字".into());
        }
        let tags = parse_tags(&self.tags);
        if tags.iter().any(|t| t.chars().count() > 10) {
            err(&mut c, "tags", "每个标签不能超过10个字".into());
        }

        match (id, sex, birth_date, ethnicity, joined_on, status) {
            (
                Some(id),
                Some(sex),
                Some(birth_date),
                Some(ethnicity),
                Some(joined_on),
                Some(status),
            ) => c.finish(MemberDraft {
                name,
                sex,
                ethnicity: ethnicity.to_string(),
                birth_date,
                id_number: id.value,
                phone,
                joined_on,
                full_on,
                status,
                education,
                post,
                tags,
            }),
            _ => Err(Invalid(c.finish(()).err().map(|i| i.0).unwrap_or_default())),
        }
    }
}

/// A transfer between branches (组织关系转接): when and why. The target branch is checked
/// against the caller's scope by the caller.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TransferInput {
    pub on_date: String,
    pub reason: String,
}

impl TransferInput {
    /// The date (not in the future) and the reason (required).
    pub fn validate(&self, today: NaiveDate) -> Result<(NaiveDate, String), Invalid> {
        let mut c = Collector::default();
        let on = date::parse(&self.on_date);
        match on {
            Some(d) if d > today => c.push("on_date", "转接日期", "不能晚于今天"),
            Some(_) => {}
            None => c.push("on_date", "转接日期", "不是有效日期"),
        }
        let reason = normalize(&self.reason);
        if reason.is_empty() {
            c.push("reason", "转接原因", "不能为空");
        }
        match on {
            Some(d) => c.finish((d, reason)),
            None => Err(c.finish(()).err().unwrap_or_else(|| Invalid(vec![]))),
        }
    }
}

/// A member as read for display: personal data already masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub name: String,
    pub gender: String,
    pub ethnicity: String,
    pub birth_date: String,
    pub id_masked: String,
    pub phone_masked: String,
    pub joined_on: String,
    pub full_on: Option<String>,
    pub status: String,
    pub education: String,
    pub post: String,
    pub tags: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn good() -> MemberInput {
        let birth = NaiveDate::from_ymd_opt(1985, 3, 14).unwrap();
        MemberInput {
            name: "李建国".into(),
            gender: "男".into(),
            ethnicity: "汉".into(),
            birth_date: "1985-03-14".into(),
            id_number: idcard::build(440106, birth, 123),
            phone: "13800138000".into(),
            joined_on: "2008-07-01".into(),
            full_on: "2009-07-01".into(),
            status: "正式".into(),
            education: "大学本科".into(),
            post: "村委会主任".into(),
            tags: "流动党员、返乡创业".into(),
        }
    }

    #[test]
    fn a_complete_member_is_accepted_and_normalised() {
        let d = good().validate(&Rules::default(), today(), None).unwrap();
        assert_eq!(d.ethnicity, "汉族");
        assert_eq!(d.status, MemberStatus::Full);
        assert_eq!(d.tags, vec!["流动党员", "返乡创业"]);
    }

    #[test]
    fn birth_date_must_agree_with_id_number() {
        let input = MemberInput {
            birth_date: "1985-03-15".into(),
            ..good()
        };
        let err = input
            .validate(&Rules::default(), today(), None)
            .unwrap_err();
        assert!(err.for_field("birth_date").unwrap().contains("不符"));
    }

    #[test]
    fn sex_must_agree_with_id_number() {
        let input = MemberInput {
            gender: "女".into(),
            ..good()
        };
        let err = input
            .validate(&Rules::default(), today(), None)
            .unwrap_err();
        assert!(err.for_field("gender").unwrap().contains("男性"));
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let input = MemberInput {
            name: "".into(),
            id_number: "123".into(),
            phone: "123".into(),
            joined_on: "2030-01-01".into(),
            ethnicity: "火星族".into(),
            ..good()
        };
        let err = input
            .validate(&Rules::default(), today(), None)
            .unwrap_err();
        for f in ["name", "id_number", "phone", "joined_on", "ethnicity"] {
            assert!(err.for_field(f).is_some(), "{f} missing in {err}");
        }
    }

    #[test]
    fn joining_under_eighteen_is_refused() {
        let input = MemberInput {
            joined_on: "2002-01-01".into(),
            full_on: "".into(),
            ..good()
        };
        let err = input
            .validate(&Rules::default(), today(), None)
            .unwrap_err();
        assert!(err.for_field("joined_on").unwrap().contains("18"));
    }

    #[test]
    fn probationary_member_has_no_full_date() {
        let input = MemberInput {
            status: "预备党员".into(),
            ..good()
        };
        assert!(input
            .validate(&Rules::default(), today(), None)
            .unwrap_err()
            .for_field("full_on")
            .is_some());
    }

    #[test]
    fn blank_id_on_edit_keeps_the_stored_one() {
        let kept = good().id_number;
        let input = MemberInput {
            id_number: "".into(),
            ..good()
        };
        assert_eq!(
            input
                .validate(&Rules::default(), today(), Some(&kept))
                .unwrap()
                .id_number,
            kept
        );
    }

    #[test]
    fn gender_and_birth_date_may_be_derived_from_id() {
        let input = MemberInput {
            gender: "".into(),
            birth_date: "".into(),
            ..good()
        };
        let d = input.validate(&Rules::default(), today(), None).unwrap();
        assert_eq!(d.sex, Sex::Male);
        assert_eq!(d.birth_date, NaiveDate::from_ymd_opt(1985, 3, 14).unwrap());
    }

    #[test]
    fn transfers_need_a_past_date_and_a_reason() {
        let ok = TransferInput {
            on_date: "2026-11-01".into(),
            reason: "工作调动".into(),
        };
        assert_eq!(ok.validate(today()).unwrap().1, "工作调动");
        let bad = TransferInput {
            on_date: "2027-01-01".into(),
            reason: " ".into(),
        };
        let err = bad.validate(today()).unwrap_err();
        assert_eq!(err.for_field("on_date"), Some("不能晚于今天"));
        assert_eq!(err.for_field("reason"), Some("不能为空"));
        assert!(TransferInput {
            on_date: "昨天".into(),
            reason: "x".into()
        }
        .validate(today())
        .is_err());
    }

    proptest! {
        #[test]
        fn validation_never_panics(name in ".{0,8}", id in ".{0,20}", joined in ".{0,12}", gender in ".{0,3}") {
            let input = MemberInput { name, id_number: id, joined_on: joined, gender, ..good() };
            let _ = input.validate(&Rules::default(), today(), None);
        }
    }
}
