//! Corrections made while reviewing a parsed plan (kept as JSON in a draft): delete an item,
//! add one from text selected in the document, edit a target, cadence, measure or quota, turn
//! an ignored item into a target. The rules live here, beside the parser that produced the
//! items.

use serde_json::{json, Value as Json};

use crate::extract::from_fragment;
use crate::normalize::normalize;
use crate::numerals::number;

/// The kinds of extracted items, their JSON key and Chinese label.
pub const KINDS: [(&str, &str); 8] = [
    ("measures", "措施"),
    ("targets", "目标"),
    ("cadences", "频次"),
    ("quotas", "名额"),
    ("phases", "阶段"),
    ("criteria", "评价标准"),
    ("responsible", "责任单位"),
    ("ignored", "非目标"),
];
/// Quota subjects: (code, label).
pub const SUBJECTS: [(&str, &str); 2] = [("org", "组织"), ("member", "党员")];
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

/// The editable fields of a target, cadence, measure or quota, as typed.
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
    /// A measure's responsible units, separated by 、 or ，.
    pub units: &'a str,
    /// A measure's deadline as written; empty for none.
    pub deadline: &'a str,
    /// A quota's honour, subject (`org` / `member`), count or percent, and level.
    pub name: &'a str,
    pub who: &'a str,
    pub count: &'a str,
    pub percent: &'a str,
    pub level: &'a str,
}

fn units_of(text: &str) -> Vec<String> {
    normalize(text)
        .split(['、', '，', ',', '；', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Replaces the fields of measure `index`: its units and deadline.
fn edit_measure(v: &mut Json, e: &Edit<'_>) -> Result<(), Vec<Problem>> {
    let units = units_of(e.units);
    if units.iter().any(|u| u.chars().count() > 30) {
        return Err(problem(
            "units",
            "责任单位",
            "每个单位名称应在30字以内，用“、”分隔",
        ));
    }
    let deadline = normalize(e.deadline);
    if deadline.chars().count() > 30 {
        return Err(problem(
            "deadline",
            "完成时限",
            "应在30字以内（如 11月底前），或留空",
        ));
    }
    v["units"] = json!(units);
    v["deadline"] = if deadline.is_empty() {
        Json::Null
    } else {
        json!(deadline)
    };
    Ok(())
}

/// Replaces the fields of quota `index`: exactly one of a count (a whole number) and a
/// percentage (above 0, at most 100).
fn edit_quota(v: &mut Json, e: &Edit<'_>) -> Result<(), Vec<Problem>> {
    let mut bad = Vec::new();
    let name = normalize(e.name);
    if name.is_empty() {
        bad.extend(problem("name", "荣誉名称", "不能为空"));
    }
    let who = e.who.trim();
    if !SUBJECTS.iter().any(|(c, _)| *c == who) {
        bad.extend(problem("who", "对象", "应为 org（组织）或 member（党员）"));
    }
    let count = (!e.count.trim().is_empty()).then(|| number(e.count));
    let percent = (!e.percent.trim().is_empty()).then(|| number(e.percent));
    match (count, percent) {
        (Some(Some(n)), None) if n >= 1.0 && n.fract() == 0.0 && n <= 100_000.0 => {}
        (None, Some(Some(p))) if p > 0.0 && p <= 100.0 => {}
        (Some(_), Some(_)) => bad.extend(problem("count", "名额", "名额和比例只填一项")),
        (None, None) => bad.extend(problem("count", "名额", "请填写名额或比例")),
        (Some(_), None) => bad.extend(problem("count", "名额", "应为正整数（如 3 或 三）")),
        (None, Some(_)) => bad.extend(problem("percent", "比例", "应为0到100之间的数（如 15）")),
    }
    if !bad.is_empty() {
        return Err(bad);
    }
    let level = normalize(e.level);
    v["name"] = json!(name);
    v["subject"] = json!(who);
    v["count"] = json!(count.flatten().map(|n| n as u32));
    v["percent"] = json!(percent.flatten());
    v["level"] = if level.is_empty() {
        Json::Null
    } else {
        json!(level)
    };
    Ok(())
}

/// Turns ignored item `index` into a target: the quantity the parser reads in its text
/// (扣除500元 → 500元), its path kept; the reviewer edits the rest.
pub fn promote(plan: &mut Json, index_text: &str) -> Outcome {
    let i = index(index_text)?;
    let item = plan["ignored"]
        .as_array()
        .and_then(|a| a.get(i))
        .cloned()
        .ok_or_else(|| problem("index", "序号", "该项不存在（可能已被删除）"))?;
    let text = item["text"].as_str().unwrap_or("").to_string();
    let (targets, _) = from_fragment(&text);
    let mut target = targets
        .first()
        .map(|t| serde_json::to_value(t).unwrap_or_default())
        .unwrap_or_else(|| {
            json!({"text": text, "quantity": null, "quantity_max": null, "unit": "", "comparator": "=", "per": null, "subject": text})
        });
    target["path"] = item["path"].clone();
    if !plan["targets"].is_array() {
        plan["targets"] = json!([]);
    }
    if let Some(arr) = plan["ignored"].as_array_mut() {
        arr.remove(i);
    }
    if let Some(arr) = plan["targets"].as_array_mut() {
        arr.push(target);
    }
    Ok(format!("非目标转为目标：{text}"))
}

/// Replaces the fields of target, cadence, measure or quota `index`; every bad field is named.
pub fn edit(plan: &mut Json, kind: &str, index_text: &str, e: &Edit<'_>) -> Outcome {
    if kind == "measures" || kind == "quotas" {
        let i = index(index_text)?;
        let mut v = plan[kind]
            .get(i)
            .cloned()
            .ok_or_else(|| problem("index", "序号", "该项不存在（可能已被删除）"))?;
        if kind == "measures" {
            edit_measure(&mut v, e)?;
        } else {
            edit_quota(&mut v, e)?;
        }
        plan[kind][i] = v;
        return Ok(format!("修改{kind}第{}项", i + 1));
    }
    if kind != "targets" && kind != "cadences" {
        return Err(problem("kind", "类别", "只能修改目标、频次、措施或名额"));
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
    fn measures_and_quotas_are_edited_field_by_field() {
        let p = crate::parse_text(
            "一、主要任务\n（一）培树典型。培树3个先进党组织。\n（二）建强阵地。〔镇党建办〕\n",
        );
        let mut v = serde_json::to_value(&p).unwrap();
        let e = Edit {
            units: "镇党建办、镇财政所",
            deadline: "11月底前",
            ..Edit::default()
        };
        edit(&mut v, "measures", "1", &e).unwrap();
        assert_eq!(v["measures"][1]["units"], json!(["镇党建办", "镇财政所"]));
        assert_eq!(v["measures"][1]["deadline"], "11月底前");
        let before = v.clone();
        let both = Edit {
            name: "",
            who: "someone",
            count: "3",
            percent: "15",
            ..Edit::default()
        };
        let err = edit(&mut v, "quotas", "0", &both).unwrap_err();
        let fields: Vec<&str> = err.iter().map(|p| p.field).collect();
        assert_eq!(fields, ["name", "who", "count"]);
        assert_eq!(v, before, "a refused edit changes nothing");
        let share = Edit {
            name: "优秀党员",
            who: "member",
            percent: "15",
            level: "镇级",
            ..Edit::default()
        };
        edit(&mut v, "quotas", "0", &share).unwrap();
        assert_eq!(v["quotas"][0]["percent"], 15.0);
        assert!(v["quotas"][0]["count"].is_null());
        assert_eq!(v["quotas"][0]["level"], "镇级");
    }

    #[test]
    fn an_ignored_item_becomes_a_target_with_its_quantity() {
        let p = crate::parse_text("一、考核\n（一）纪律。推进不力的村扣800元绩效奖金。\n");
        let mut v = serde_json::to_value(&p).unwrap();
        assert_eq!(v["ignored"].as_array().unwrap().len(), 1);
        let before = v["targets"].as_array().unwrap().len();
        promote(&mut v, "0").unwrap();
        assert!(v["ignored"].as_array().unwrap().is_empty());
        let t = v["targets"].as_array().unwrap().last().unwrap().clone();
        assert_eq!(v["targets"].as_array().unwrap().len(), before + 1);
        assert_eq!(
            (t["quantity"].as_f64(), t["unit"].as_str()),
            (Some(800.0), Some("元"))
        );
        assert_eq!(t["path"], json!(["一", "（一）"]));
        assert!(promote(&mut v, "0").is_err(), "nothing left to move");
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
