//! Reads a plan document (实施意见 / 工作方案 / 通知) into a structured draft: normalise →
//! outline → extract targets, cadences, phases, criteria, responsible units, measures, quotas
//! and the ignored look-alikes. Pure: bytes in, data out; fuzzed and property-tested (never
//! panics; every extracted text is found in the normalised document).
//!
//! What publishing reads (see `extract` for each rule):
//! - **measures**: every lowest item (一是… included) of a work section; a section whose title
//!   is 指导思想, 总体要求, 基本原则, 目标任务, 实施步骤, 评价标准, 考核奖惩, 组织领导, 保障措施 … holds
//!   none (`extract::NON_WORK` says why). Every target of a work section lies in a measure's
//!   path or deeper, so publishing matches targets to measures by path prefix.
//! - **quotas**: honours to grant (培树3个先进党组织, 每年有15%党员争当镇级优秀); such a sentence
//!   is not also a target.
//! - **ignored**: sanctions and duties that read like targets (扣除500元, 24小时通讯畅通,
//!   二次以上…列入黄榜), with the reason.
//! - **title**: the document's own title line below any page noise, or one made from the
//!   subject and kind, never a sentence fragment (`outline::is_fragment`).

pub mod archive;
pub mod extract;
pub mod input;
pub mod normalize;
pub mod numerals;
pub mod outline;
pub mod render;
pub mod review;

use serde::Serialize;

pub use outline::Section;

/// Whole quantities are written as integers (`60`, not `60.0`).
fn whole<S: serde::Serializer>(v: &f64, s: S) -> Result<S::Ok, S::Error> {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        s.serialize_i64(*v as i64)
    } else {
        s.serialize_f64(*v)
    }
}

fn whole_opt<S: serde::Serializer>(v: &Option<f64>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => whole(v, s),
        None => s.serialize_none(),
    }
}

/// A numeric target, e.g. 创建党员先锋岗60个以上.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Target {
    pub text: String,
    #[serde(serialize_with = "whole")]
    pub quantity: f64,
    #[serde(serialize_with = "whole_opt")]
    pub quantity_max: Option<f64>,
    pub unit: String,
    pub comparator: &'static str,
    pub per: Option<&'static str>,
    pub subject: String,
    pub path: Vec<String>,
}

/// A cadence, e.g. 领导点评每季度不少于一次.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cadence {
    pub text: String,
    pub period: &'static str,
    pub times: u32,
    pub comparator: &'static str,
    pub action: String,
    pub path: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Phase {
    pub name: String,
    pub start: Option<String>,
    pub end: Option<String>,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Criteria {
    pub name: String,
    pub items: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Responsible {
    pub path: Vec<String>,
    pub units: Vec<String>,
}

/// An actionable item of a work section: the lowest numbered item (or a 一是… item) with the
/// units responsible for it and its deadline when one is written. On publish each measure is a
/// task: 定量 when one of `targets` sits in it, 自动 when that target is computed from the
/// tree, 定性 otherwise.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Measure {
    pub text: String,
    pub path: Vec<String>,
    pub units: Vec<String>,
    /// As written (`2026年11月底前`, `6月底`), `None` when the item names no date.
    pub deadline: Option<String>,
}

/// A quota of honours, e.g. 培树3个先进党组织 or 每年有15%党员争当镇级优秀: an award kind with
/// a fixed count or a share of the subtree counted at nomination time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quota {
    pub text: String,
    /// The honour's name (`先进党组织`, `优秀共产党员`).
    pub name: String,
    /// `org` or `member`.
    pub subject: &'static str,
    pub count: Option<u32>,
    #[serde(serialize_with = "whole_opt")]
    pub percent: Option<f64>,
    /// The awarding level when written (`县级`, `镇级`), else `None` (the publishing level).
    pub level: Option<String>,
    pub path: Vec<String>,
}

/// A sentence that looks like a target but is not one: a sanction (扣除500元), a duty (24小时通讯
/// 畅通), a penalty threshold (二次以上…黄榜). Kept with the reason, so the reviewer can still turn
/// one into a target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ignored {
    pub text: String,
    pub why: String,
    pub path: Vec<String>,
}

/// The parsed document.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub title: String,
    pub sections: Vec<Section>,
    pub targets: Vec<Target>,
    pub cadences: Vec<Cadence>,
    pub phases: Vec<Phase>,
    pub criteria: Vec<Criteria>,
    pub responsible: Vec<Responsible>,
    pub measures: Vec<Measure>,
    pub quotas: Vec<Quota>,
    pub ignored: Vec<Ignored>,
    /// The normalised text every item refers to.
    #[serde(skip)]
    pub text: String,
}

/// Parses already-decoded text.
pub fn parse_text(raw: &str) -> Plan {
    let text = normalize::normalize(raw);
    let doc = outline::outline(&text);
    let mut plan = Plan {
        title: doc.title.clone(),
        sections: doc.sections.clone(),
        targets: vec![],
        cadences: vec![],
        phases: vec![],
        criteria: vec![],
        responsible: vec![],
        measures: vec![],
        quotas: vec![],
        ignored: vec![],
        text: text.clone(),
    };
    extract::extract_all(&doc, &mut plan);
    plan
}

/// Parses a file's bytes (.txt in UTF-8 or GB18030, or .docx).
pub fn parse_bytes(bytes: &[u8]) -> Result<Plan, input::InputError> {
    parse_bytes_within(bytes, archive::Limits::default())
}

/// `parse_bytes` with a .docx read within `limits` (the county's upload rules).
pub fn parse_bytes_within(
    bytes: &[u8],
    limits: archive::Limits,
) -> Result<Plan, input::InputError> {
    Ok(parse_text(&input::decode_within(bytes, limits)?))
}

/// The longest paragraph a plan document is read with. A real paragraph runs to a few thousand
/// characters; a longer "line" is text without line breaks or not a document at all.
pub const MAX_PARAGRAPH_CHARS: usize = 100_000;

/// Parses a file's bytes for its outline, and says so when there is none to show: a paragraph
/// longer than `MAX_PARAGRAPH_CHARS` is refused before any work is spent on it, and a text
/// without a single heading (一、（一）1.（1）) is refused after parsing.
pub fn parse_outlined(bytes: &[u8]) -> Result<Plan, input::InputError> {
    let text = input::decode(bytes)?;
    if let Some((n, chars)) = text
        .lines()
        .map(|l| l.chars().count())
        .enumerate()
        .find(|(_, chars)| *chars > MAX_PARAGRAPH_CHARS)
    {
        return Err(input::InputError::NoOutline(format!(
            "第{}段长达{chars}字，不是按段落分行的方案正文（每段应在{MAX_PARAGRAPH_CHARS}字以内）",
            n + 1
        )));
    }
    let plan = parse_text(&text);
    if plan.sections.is_empty() {
        return Err(input::InputError::NoOutline(
            "没有找到“一、”“（一）”“1.”“（1）”这样的标题".into(),
        ));
    }
    Ok(plan)
}
