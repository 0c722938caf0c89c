//! Households (户) and residents (群众): the people of a village or community who are not
//! members. A resident belongs to one household, identified within its village by address.

use serde::Deserialize;

use crate::error::Collector;
use crate::idcard::{self, Sex};
use crate::text::normalize;
use crate::{phone, Invalid};

/// The columns of the resident import template, in order. 所属网格 is optional: the name of a
/// grid of the village the household is placed in (网格化).
pub const FIELDS: [(&str, &str); 8] = [
    ("head_name", "户主姓名"),
    ("address", "家庭住址"),
    ("name", "姓名"),
    ("relation", "与户主关系"),
    ("gender", "性别"),
    ("id_number", "身份证号"),
    ("phone", "手机号"),
    ("grid", "所属网格"),
];

pub const RELATIONS: [&str; 8] = [
    "户主",
    "配偶",
    "子女",
    "父母",
    "儿媳",
    "女婿",
    "孙子女",
    "其他",
];

/// One resident as typed (form or spreadsheet row).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct ResidentInput {
    #[serde(default)]
    pub head_name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub relation: String,
    #[serde(default)]
    pub gender: String,
    #[serde(default)]
    pub id_number: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub grid: String,
}

impl ResidentInput {
    /// The value of a template column, for the spreadsheet reader.
    pub fn set(&mut self, field: &str, value: String) {
        match field {
            "head_name" => self.head_name = value,
            "address" => self.address = value,
            "name" => self.name = value,
            "relation" => self.relation = value,
            "gender" => self.gender = value,
            "id_number" => self.id_number = value,
            "phone" => self.phone = value,
            "grid" => self.grid = value,
            _ => {}
        }
    }
}

/// A checked resident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentDraft {
    pub head_name: String,
    pub address: String,
    pub name: String,
    pub relation: String,
    pub gender: String,
    pub id_number: Option<String>,
    pub phone: Option<String>,
    /// The grid to place the household in, by name (empty: leave it where it is).
    pub grid: String,
}

fn name_ok(c: &mut Collector, raw: &str, field: &str, label: &str) -> String {
    let v = normalize(raw);
    let n = v.chars().count();
    if n == 0 {
        c.push(field, label, "不能为空");
    } else if n > 20 {
        c.push(field, label, "不能超过20个字");
    }
    v
}

impl ResidentInput {
    pub fn validate(&self) -> Result<ResidentDraft, Invalid> {
        let mut c = Collector::default();
        let head_name = name_ok(&mut c, &self.head_name, "head_name", "户主姓名");
        let name = name_ok(&mut c, &self.name, "name", "姓名");
        let address = normalize(&self.address);
        if address.is_empty() {
            c.push("address", "家庭住址", "不能为空（同一村内以住址区分各户）");
        } else if address.chars().count() > 60 {
            c.push("address", "家庭住址", "不能超过60个字");
        }
        let relation = normalize(&self.relation);
        let relation = if relation.is_empty() {
            if name == head_name {
                "户主"
            } else {
                "其他"
            }
            .to_string()
        } else if RELATIONS.contains(&relation.as_str()) {
            relation
        } else {
            c.push(
                "relation",
                "与户主关系",
                format!("应为{}之一", RELATIONS.join("、")),
            );
            relation
        };
        if relation == "户主" && name != head_name {
            c.push("relation", "与户主关系", "户主本人的姓名应与户主姓名一致");
        }
        let id = normalize(&self.id_number);
        let id_number = if id.is_empty() {
            None
        } else {
            match idcard::parse(&id) {
                Ok(n) => Some(n),
                Err(e) => {
                    c.push("id_number", "身份证号", e.to_string());
                    None
                }
            }
        };
        let typed_gender = normalize(&self.gender);
        let gender = match (&id_number, Sex::parse(&typed_gender)) {
            (Some(n), Some(g)) if n.sex != g => {
                c.push("gender", "性别", "与身份证号不符");
                g.label().to_string()
            }
            (Some(n), _) => n.sex.label().to_string(),
            (None, Some(g)) => g.label().to_string(),
            (None, None) if typed_gender.is_empty() => String::new(),
            (None, None) => {
                c.push("gender", "性别", "应为男或女");
                String::new()
            }
        };
        let phone_raw = normalize(&self.phone);
        let phone = if phone_raw.is_empty() {
            None
        } else {
            match phone::parse(&phone_raw) {
                Ok(p) => Some(p),
                Err(e) => {
                    c.push("phone", "手机号", e.to_string());
                    None
                }
            }
        };
        let grid = normalize(&self.grid);
        if grid.chars().count() > 30 {
            c.push("grid", "所属网格", "不能超过30个字");
        }
        c.finish(ResidentDraft {
            head_name,
            address,
            name,
            relation,
            gender,
            id_number: id_number.map(|n| n.value),
            phone,
            grid,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn input() -> ResidentInput {
        ResidentInput {
            head_name: "王建国".into(),
            address: "东风村3组12号".into(),
            name: "王建国".into(),
            id_number: idcard::build(370102, crate::date::parse("1968-03-02").unwrap(), 11),
            ..ResidentInput::default()
        }
    }

    #[test]
    fn the_head_is_recognised_and_gender_read_from_the_id() {
        let d = input().validate().unwrap();
        assert_eq!(d.relation, "户主");
        assert_eq!(d.gender, "男");
    }

    #[test]
    fn a_bad_id_number_or_phone_is_named() {
        let mut i = input();
        i.id_number = "370102196803021234".into();
        i.phone = "12345".into();
        let e = i.validate().unwrap_err();
        assert!(e.for_field("id_number").is_some());
        assert!(e.for_field("phone").is_some());
    }

    #[test]
    fn a_household_needs_an_address() {
        let mut i = input();
        i.address = " ".into();
        assert!(i.validate().unwrap_err().for_field("address").is_some());
    }

    proptest! {
        #[test]
        fn validation_never_panics(a in ".{0,30}", b in ".{0,20}", id in "[0-9Xx ]{0,20}") {
            let i = ResidentInput { head_name: a.clone(), address: a, name: b.clone(), relation: b, id_number: id, ..ResidentInput::default() };
            let _ = i.validate();
        }
    }
}
