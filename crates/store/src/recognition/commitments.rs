//! Commitments (承诺践诺) with their fulfilment entries and reviews (一诺三评), and the
//! half-yearly public fulfilment report.

use chrono::{Datelike, NaiveDate};
use serde_json::json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::commitment::{
    accepts_fulfilment, check, next, CommitmentInput, CommitmentResult, CommitmentStage,
    CommitmentStep, Reviewer,
};
use xianfeng_domain::evaluation::Choice;
use xianfeng_domain::org::Org;
use xianfeng_domain::text::normalize;
use xianfeng_domain::{path, Invalid};

use crate::audit::{self, Record};
use crate::db::{Conn, Row};
use crate::{now_text, vals, Result, StoreError};

#[derive(Debug, Clone)]
pub struct Commitment {
    pub id: i64,
    pub org_id: i64,
    pub org_path: String,
    pub org_name: String,
    pub member_id: Option<i64>,
    pub member_name: String,
    pub year: i64,
    pub category: String,
    pub content: String,
    pub due: String,
    pub stage: CommitmentStage,
    pub result: Option<CommitmentResult>,
    pub entries: i64,
}

impl Commitment {
    /// Who made it: the member, or the organisation itself.
    pub fn maker(&self) -> &str {
        if self.member_id.is_some() {
            &self.member_name
        } else {
            &self.org_name
        }
    }
}

const COLUMNS: &str = "k.id, k.org_id, k.org_path, o.name AS org_name, k.member_id, COALESCE(m.name, '') AS member_name, k.year, k.category, k.content, k.due, k.stage, k.result,
    (SELECT COUNT(*) FROM commitment_entries e WHERE e.commitment_id = k.id) AS entries";
const FROM: &str =
    "FROM commitments k JOIN orgs o ON o.id = k.org_id LEFT JOIN members m ON m.id = k.member_id";

fn row(r: &Row) -> Result<Commitment> {
    Ok(Commitment {
        id: r.i64("id")?,
        org_id: r.i64("org_id")?,
        org_path: r.text("org_path")?,
        org_name: r.text("org_name")?,
        member_id: r.opt_i64("member_id")?,
        member_name: r.text("member_name")?,
        year: r.i64("year")?,
        category: r.text("category")?,
        content: r.text("content")?,
        due: r.text("due")?,
        stage: CommitmentStage::parse(&r.text("stage")?).unwrap_or(CommitmentStage::Draft),
        result: CommitmentResult::parse(&r.text("result")?),
        entries: r.i64("entries")?,
    })
}

pub fn get(c: &mut dyn Conn, id: i64) -> Result<Commitment> {
    c.query_opt(
        &format!("SELECT {COLUMNS} {FROM} WHERE k.id = ?"),
        vals![id],
    )?
    .map(|r| row(&r))
    .ok_or(StoreError::NotFound("承诺"))?
}

/// The most commitments one list (or report) holds; a larger subtree is read level by level.
pub const LIST_LIMIT: usize = 5000;

/// Commitments made in `scope` in `year` (at most `LIST_LIMIT`).
pub fn list(c: &mut dyn Conn, scope: &str, year: i64) -> Result<Vec<Commitment>> {
    c
        .query(
            &format!("SELECT {COLUMNS} {FROM} WHERE k.org_path >= ? AND k.org_path < ? AND k.year = ? ORDER BY k.org_path, k.member_id, k.id LIMIT ?"),
            vals![scope, path::upper(scope), year, LIST_LIMIT as i64],
        )?
        .iter()
        .map(row)
        .collect::<Result<Vec<_>>>()
}

/// Categories of the year's campaigns, offered when a commitment is tied to one.
pub fn categories(c: &mut dyn Conn, year: i64) -> Result<Vec<String>> {
    c
        .query(
            "SELECT DISTINCT i.title FROM campaign_items i JOIN campaigns k ON k.id = i.campaign_id WHERE k.year = ? ORDER BY i.title LIMIT 100",
            vals![year],
        )?
        .iter()
        .map(|r| r.text(0))
        .collect::<Result<_>>()
}

/// Adds a commitment of `org` (member `None`) or of one of its members, as a draft.
pub fn add(
    c: &mut dyn Conn,
    actor: &Actor,
    org: &Org,
    member_id: Option<i64>,
    year: i32,
    input: &CommitmentInput,
) -> Result<i64> {
    if !actor.can_access_commitment(&org.path, member_id) {
        return Err(Invalid::one("org", "承诺主体", "不在您的管辖范围内").into());
    }
    if let Some(m) = member_id {
        let here = c.scalar(
            "SELECT COUNT(*) FROM members WHERE id = ? AND org_id = ?",
            vals![m, org.id],
        )?;
        if here == 0 {
            return Err(Invalid::one("member", "党员", "须为本支部党员").into());
        }
    }
    let existing = match member_id {
        Some(m) => c.scalar(
            "SELECT COUNT(*) FROM commitments WHERE member_id = ? AND year = ?",
            vals![m, year as i64],
        )?,
        None => 0,
    };
    let max = crate::settings::rules(c)?.commitments_max_per_member.max(0) as usize;
    let d = check(input, year, member_id.map(|_| (existing as usize, max)))?;
    let id = c.scalar(
        "INSERT INTO commitments (org_id, org_path, member_id, year, category, content, due, stage, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vals![org.id, org.path.as_str(), member_id, year as i64, d.category.as_str(), d.content.as_str(),
              d.due.to_string(), CommitmentStage::Draft.label(), actor.account_id, now_text()],
    )?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(org.id),
            action: "commitment.add",
            entity: "commitment",
            entity_id: Some(id),
            before: json!(null),
            after: json!({"member": member_id, "content": d.content, "due": d.due}),
        },
    )?;
    Ok(id)
}

/// Approves every draft of `org`'s own members and of the organisation (支部统一审核).
pub fn approve_all(c: &mut dyn Conn, actor: &Actor, org: &Org, year: i64) -> Result<usize> {
    let drafts: Vec<i64> = c
        .query(
            "SELECT id FROM commitments WHERE org_id = ? AND year = ? AND stage = ? ORDER BY id",
            vals![org.id, year, CommitmentStage::Draft.label()],
        )?
        .iter()
        .map(|r| r.i64(0))
        .collect::<Result<_>>()?;
    for id in &drafts {
        step(c, actor, *id, CommitmentStep::Approve, None)?;
    }
    Ok(drafts.len())
}

/// Moves a commitment on: approve (published), start review, settle with a result.
pub fn step(
    c: &mut dyn Conn,
    actor: &Actor,
    id: i64,
    step: CommitmentStep,
    result: Option<CommitmentResult>,
) -> Result<()> {
    let k = get(c, id)?;
    if !actor.can_record_life(&k.org_path) {
        return Err(Invalid::one("step", "办理", "只有支部书记或上级管理员能办理").into());
    }
    let to = next(k.stage, step).ok_or_else(|| {
        Invalid::one(
            "step",
            "办理",
            format!("承诺当前为“{}”，不能“{}”", k.stage.label(), step.label()),
        )
    })?;
    if step == CommitmentStep::Settle && result.is_none() {
        return Err(Invalid::one("result", "评定结果", "请选择评定结果").into());
    }
    c.execute(
        "UPDATE commitments SET stage = ?, result = ? WHERE id = ? AND stage = ?",
        vals![
            to.label(),
            result.map(|r| r.label()).unwrap_or(""),
            id,
            k.stage.label()
        ],
    )?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(k.org_id),
            action: "commitment.step",
            entity: "commitment",
            entity_id: Some(id),
            before: json!({"stage": k.stage.label()}),
            after: json!({"stage": to.label(), "result": result.map(|r| r.label())}),
        },
    )?;
    Ok(())
}

/// A dated fulfilment entry (践诺), with an optional photo already stored in `files`.
pub fn fulfil(
    c: &mut dyn Conn,
    actor: &Actor,
    id: i64,
    day: &str,
    content: &str,
    sha256: Option<&str>,
) -> Result<i64> {
    let k = get(c, id)?;
    if !actor.can_access_commitment(&k.org_path, k.member_id) {
        return Err(Invalid::one("content", "践诺记录", "不在您的管辖范围内").into());
    }
    if !accepts_fulfilment(k.stage) {
        return Err(Invalid::one(
            "content",
            "践诺记录",
            format!("承诺为“{}”，公示后才能记录践诺", k.stage.label()),
        )
        .into());
    }
    let today = xianfeng_domain::date::today();
    let day = match xianfeng_domain::date::parse(day) {
        Some(d) if d <= today && d.year() as i64 == k.year => d,
        Some(_) => {
            return Err(Invalid::one(
                "day",
                "践诺日期",
                format!("须在 {} 年内且不晚于今天", k.year),
            )
            .into())
        }
        None => return Err(Invalid::one("day", "践诺日期", "请按 2026-06-30 的格式填写").into()),
    };
    let content = normalize(content);
    if content.chars().count() < 4 || content.chars().count() > 500 {
        return Err(Invalid::one("content", "践诺情况", "须为 4–500 字").into());
    }
    let entry = c.scalar(
        "INSERT INTO commitment_entries (commitment_id, day, content, sha256, recorded_by, at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        vals![id, day.to_string(), content.as_str(), sha256, actor.account_id, now_text()],
    )?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(k.org_id),
            action: "commitment.fulfil",
            entity: "commitment",
            entity_id: Some(id),
            before: json!(null),
            after: json!({"day": day, "content": content, "photo": sha256}),
        },
    )?;
    Ok(entry)
}

/// A review (评诺) by members, residents or the organisation, while under review.
pub fn review(
    c: &mut dyn Conn,
    actor: &Actor,
    id: i64,
    reviewer: Reviewer,
    choice: Choice,
    comment: &str,
) -> Result<()> {
    let k = get(c, id)?;
    if !actor.can_record_life(&k.org_path) {
        return Err(Invalid::one("reviewer", "评诺", "只有支部书记或上级管理员能登记评诺").into());
    }
    if k.stage != CommitmentStage::Reviewing {
        return Err(Invalid::one(
            "reviewer",
            "评诺",
            format!("承诺为“{}”，开始评诺后才能登记", k.stage.label()),
        )
        .into());
    }
    c.execute(
        "INSERT INTO commitment_reviews (commitment_id, reviewer, choice, comment, recorded_by, at) VALUES (?, ?, ?, ?, ?, ?)",
        vals![id, reviewer.label(), choice.label(), normalize(comment), actor.account_id, now_text()],
    )?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(k.org_id),
            action: "commitment.review",
            entity: "commitment",
            entity_id: Some(id),
            before: json!(null),
            after: json!({"reviewer": reviewer.label(), "choice": choice.label()}),
        },
    )?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub commitment_id: i64,
    pub day: String,
    pub content: String,
    pub sha256: Option<String>,
}

/// Columns: commitment, day, content, photo.
fn entry_row(r: &Row) -> Result<Entry> {
    Ok(Entry {
        commitment_id: r.i64(0)?,
        day: r.text(1)?,
        content: r.text(2)?,
        sha256: r.opt_text(3)?,
    })
}

pub fn entries(c: &mut dyn Conn, id: i64) -> Result<Vec<Entry>> {
    c
        .query(
            "SELECT commitment_id, day, content, sha256 FROM commitment_entries WHERE commitment_id = ? ORDER BY day, id",
            vals![id],
        )?
        .iter()
        .map(entry_row)
        .collect::<Result<Vec<_>>>()
}

pub fn reviews(c: &mut dyn Conn, id: i64) -> Result<Vec<(Reviewer, Choice, String)>> {
    let mut out = Vec::new();
    for r in c.query(
        "SELECT reviewer, choice, comment FROM commitment_reviews WHERE commitment_id = ? ORDER BY id",
        vals![id],
    )? {
        if let (Some(who), Some(choice)) = (Reviewer::parse(&r.text(0)?), Choice::parse(&r.text(1)?)) {
            out.push((who, choice, r.text(2)?));
        }
    }
    Ok(out)
}

/// One page of the half-yearly public report of a subtree, and its totals.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The page's published commitments, each with its fulfilment entries dated in the half.
    pub items: Vec<(Commitment, Vec<Entry>)>,
    /// Published commitments of the year in the subtree (every page).
    pub total: i64,
    /// Of them, those with a fulfilment entry in the half.
    pub kept: i64,
    /// Of them, those settled (已评定).
    pub settled: i64,
}

/// The half-yearly public report of a subtree (published commitments of the half's year and
/// the fulfilment entries dated in the half), `limit` commitments from `offset` on: a public
/// page reads one page, never the whole subtree.
pub fn report_page(
    c: &mut dyn Conn,
    scope: &str,
    from: NaiveDate,
    to: NaiveDate,
    offset: i64,
    limit: i64,
) -> Result<Report> {
    let (year, upper) = (from.year() as i64, path::upper(scope));
    let draft = CommitmentStage::Draft.label();
    let published = "k.org_path >= ? AND k.org_path < ? AND k.year = ? AND k.stage <> ?";
    let total = c.scalar(
        &format!("SELECT COUNT(*) FROM commitments k WHERE {published}"),
        vals![scope, upper.as_str(), year, draft],
    )?;
    let settled = c.scalar(
        &format!("SELECT COUNT(*) FROM commitments k WHERE {published} AND k.stage = ?"),
        vals![
            scope,
            upper.as_str(),
            year,
            draft,
            CommitmentStage::Settled.label()
        ],
    )?;
    let kept = c.scalar(
        &format!(
            "SELECT COUNT(*) FROM commitments k WHERE {published} AND EXISTS
             (SELECT 1 FROM commitment_entries e WHERE e.commitment_id = k.id AND e.day >= ? AND e.day <= ?)"
        ),
        vals![scope, upper.as_str(), year, draft, from.to_string(), to.to_string()],
    )?;
    let list: Vec<Commitment> = c
        .query(
            &format!("SELECT {COLUMNS} {FROM} WHERE {published} ORDER BY k.org_path, k.member_id, k.id LIMIT ? OFFSET ?"),
            vals![scope, upper.as_str(), year, draft, limit.max(0), offset.max(0)],
        )?
        .iter()
        .map(row)
        .collect::<Result<_>>()?;
    let mut entries: std::collections::HashMap<i64, Vec<Entry>> = std::collections::HashMap::new();
    if !list.is_empty() {
        let marks = vec!["?"; list.len()].join(",");
        let mut params: Vec<crate::Value> = list.iter().map(|k| k.id.into()).collect();
        params.push(from.to_string().into());
        params.push(to.to_string().into());
        for r in c.query(
            &format!(
                "SELECT commitment_id, day, content, sha256 FROM commitment_entries
                 WHERE commitment_id IN ({marks}) AND day >= ? AND day <= ? ORDER BY day, id"
            ),
            &params,
        )? {
            entries.entry(r.i64(0)?).or_default().push(entry_row(&r)?);
        }
    }
    let items = list
        .into_iter()
        .map(|k| {
            let e = entries.remove(&k.id).unwrap_or_default();
            (k, e)
        })
        .collect();
    Ok(Report {
        items,
        total,
        kept,
        settled,
    })
}
