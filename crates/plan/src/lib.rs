//! Reads a plan document (实施意见 / 工作方案 / 通知) into a structured draft: normalise →
//! outline → extract targets, cadences, phases, criteria and responsible units. Pure: bytes
//! in, data out; fuzzed and property-tested (never panics; every extracted text is found in
//! the normalised document).

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
        text: text.clone(),
    };
    extract::extract_all(&doc, &mut plan);
    plan
}

/// Parses a file's bytes (.txt in UTF-8 or GB18030, or .docx).
pub fn parse_bytes(bytes: &[u8]) -> Result<Plan, input::InputError> {
    Ok(parse_text(&input::decode(bytes)?))
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
