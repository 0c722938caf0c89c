//! Corrections made while reviewing a parsed plan (kept as JSON in a draft): delete an item,
//! add one from text selected in the document, edit a target or cadence. The rules live here,
//! beside the parser that produced the items.

use serde_json::{json, Value as Json};

use crate::extract::from_fragment;
use crate::normalize::normalize;
use crate::numerals::number;

/// The kinds of extracted items, their JSON key and Chinese label.
pub const KINDS: [(&str, &str); 5] = [
    ("targets", "目标"),
    ("cadences", "频次"),
    ("phases", "阶段"),
    ("criteria", "评价标准"),
    ("responsible", "责任单位"),
];
pub const COMPARATORS: [&str; 4] = [">=", "<=", "=", ">"];
pub const PERIODS: [&str; 5] = ["week", "month", "quarter", "half_year", "year"];

/// One bad field: its name, Chinese label and reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: &'static str,
    pub label: &'static str,
    pub message: String,
}

fn problem(field: &'static str, label: &'static str, message: &str) -> Vec<Problem> {
    vec![Problem {
        field,
        label,
        message: message.to_string(),
    }]
}

type Outcome = Result<String, Vec<Problem>>;

fn index(i: &str) -> Result<usize, Vec<Problem>> {
    i.trim()
        .parse()
        .map_err(|_| problem("index", "序号", "无效"))
}

/// Removes item `index` of `kind`; returns a description of the change.
pub fn delete(plan: &mut Json, kind: &str, index_text: &str) -> Outcome {
    let kind = KINDS
        .iter()
        .find(|(k, _)| *k == kind)
        .ok_or_else(|| problem("kind", "类别", "未知的类别"))?
        .0;
    let i = index(index_text)?;
    let arr = plan[kind]
        .as_array_mut()
        .ok_or_else(|| problem("kind", "类别", "无此类别"))?;
    if i >= arr.len() {
        return Err(problem("index", "序号", "该项不存在（可能已被删除）"));
    }
    let removed = arr.remove(i);
    Ok(format!(
        "删除{}：{}",
        kind,
        removed["text"].as_str().unwrap_or("")
    ))
}

/// Adds a target, cadence or responsible entry from text selected in `body`; the text must
/// come from the document. What the parser recognises in it is filled in.
pub fn add(plan: &mut Json, body: &str, kind: &str, selected: &str) -> Outcome {
    let text = normalize(selected);
    if text.is_empty() {
        return Err(problem("text", "所选文字", "请先在右侧原文中选中文字"));
    }
    if !body.contains(&text) {
        return Err(problem(
            "text",
            "所选文字",
            "不在文件原文中，请在右侧原文中选取",
        ));
    }
    let (targets, cadences) = from_fragment(&text);
    let mut item = match kind {
        "targets" => targets.first().map(|t| serde_json::to_value(t).unwrap_or_default()).unwrap_or_else(|| {
            json!({"quantity": null, "quantity_max": null, "unit": "", "comparator": "=", "per": null, "subject": text, "path": []})
        }),
        "cadences" => cadences
            .first()
            .map(|c| serde_json::to_value(c).unwrap_or_default())
            .unwrap_or_else(|| json!({"period": "month", "times": 1, "comparator": ">=", "action": text, "path": []})),
        "responsible" => json!({"path": [], "units": text.split(['、', '，']).map(str::trim).filter(|s| !s.is_empty()).collect::<Vec<_>>()}),
        _ => return Err(problem("kind", "类别", "只能添加目标、频次或责任单位")),
    };
    item["text"] = json!(text);
    plan[kind]
        .as_array_mut()
        .ok_or_else(|| problem("kind", "类别", "无此类别"))?
        .push(item);
    Ok(format!("添加{kind}：{text}"))
}

/// The editable fields of a target or cadence, as typed.
#[derive(Debug, Clone, Default)]
pub struct Edit<'a> {
    pub subject: &'a str,
    pub quantity: &'a str,
    pub quantity_max: &'a str,
    pub unit: &'a str,
    pub comparator: &'a str,
    pub action: &'a str,
    pub period: &'a str,
    pub times: &'a str,
}

/// Replaces the fields of target or cadence `index`; every bad field is named.
pub fn edit(plan: &mut Json, kind: &str, index_text: &str, e: &Edit<'_>) -> Outcome {
    if kind != "targets" && kind != "cadences" {
        return Err(problem("kind", "类别", "只能修改目标或频次"));
    }
    let i = index(index_text)?;
    let mut v = plan[kind]
        .get(i)
        .cloned()
        .ok_or_else(|| problem("index", "序号", "该项不存在（可能已被删除）"))?;
    let mut bad = Vec::new();
    let cmp = e.comparator.trim();
    if !COMPARATORS.contains(&cmp) {
        bad.extend(problem("comparator", "比较", "应为 >=、<=、= 或 >"));
    }
    if kind == "targets" {
        let subject = normalize(e.subject);
        if subject.is_empty() {
            bad.extend(problem("subject", "对象", "不能为空"));
        }
        let q = number(e.quantity);
        if q.is_none() {
            bad.extend(problem("quantity", "数量", "应为数字（如 60 或 六十）"));
        }
        let max = if e.quantity_max.trim().is_empty() {
            None
        } else {
            number(e.quantity_max)
        };
        if !e.quantity_max.trim().is_empty() && (max.is_none() || max < q) {
            bad.extend(problem(
                "quantity_max",
                "上限",
                "应为不小于数量的数字，或留空",
            ));
        }
        v["subject"] = json!(subject);
        v["quantity"] = json!(q);
        v["quantity_max"] = json!(max);
        v["unit"] = json!(normalize(e.unit));
    } else {
        let action = normalize(e.action);
        if action.is_empty() {
            bad.extend(problem("action", "事项", "不能为空"));
        }
        if !PERIODS.contains(&e.period.trim()) {
            bad.extend(problem("period", "周期", "应为周、月、季度、半年或年"));
        }
        let times = e
            .times
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|t| (1..=100).contains(t));
        if times.is_none() {
            bad.extend(problem("times", "次数", "应为1到100的整数"));
        }
        v["action"] = json!(action);
        v["period"] = json!(e.period.trim());
        v["times"] = json!(times);
    }
    if !bad.is_empty() {
        return Err(bad);
    }
    v["comparator"] = json!(cmp);
    plan[kind][i] = v;
    Ok(format!("修改{kind}第{}项", i + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan() -> (Json, String) {
        let p =
            crate::parse_text("一、任务\n（一）建设。全镇建成2个示范点，创建党员先锋岗60个以上。");
        (serde_json::to_value(&p).unwrap(), p.text)
    }

    #[test]
    fn add_reads_the_selection_and_refuses_text_not_in_the_document() {
        let (mut v, body) = plan();
        assert!(add(&mut v, &body, "targets", "全镇建成2个示范点").is_ok());
        let last = v["targets"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(last["subject"], "示范点");
        let err = add(&mut v, &body, "targets", "凭空捏造").unwrap_err();
        assert_eq!(err[0].field, "text");
    }

    #[test]
    fn edit_names_every_bad_field_and_changes_nothing_then_saves() {
        let (mut v, _) = plan();
        let before = v.clone();
        let bad = Edit {
            subject: "",
            quantity: "很多",
            comparator: "≈",
            ..Edit::default()
        };
        let err = edit(&mut v, "targets", "0", &bad).unwrap_err();
        let fields: Vec<&str> = err.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["comparator", "subject", "quantity"]);
        assert_eq!(v, before);
        let good = Edit {
            subject: "市级党员先锋岗",
            quantity: "八十",
            unit: "个",
            comparator: ">=",
            ..Edit::default()
        };
        edit(&mut v, "targets", "0", &good).unwrap();
        assert_eq!(v["targets"][0]["quantity"], 80.0);
    }

    #[test]
    fn delete_refuses_a_missing_index() {
        let (mut v, _) = plan();
        let n = v["targets"].as_array().unwrap().len();
        assert!(delete(&mut v, "targets", "0").is_ok());
        assert_eq!(v["targets"].as_array().unwrap().len(), n - 1);
        assert!(delete(&mut v, "targets", "99").is_err());
        assert!(delete(&mut v, "secrets", "0").is_err());
    }
}
