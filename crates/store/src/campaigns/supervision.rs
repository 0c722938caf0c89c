//! Supervision records: inspections (督查记录), the problem ledger (问题台账) with its
//! append-only steps, and escalation of overdue items. An inspection counts toward the
//! inspecting organisation's `督查` cadence rule; open and closed items are roll-up counters
//! (`problems:open`, `problems:closed`) so a town's page reads them without a scan.

use chrono::NaiveDate;
use serde_json::json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::cadence::{Applies, SUPERVISION};
use xianfeng_domain::org::Org;
use xianfeng_domain::path;
use xianfeng_domain::supervision::{
    check_escalation, default_escalation, next, reached, EscalationLevel, Escalator,
    InspectionDraft, ProblemAction, ProblemDraft, ProblemStatus,
};

use crate::audit::{self, Record};
use crate::db::{Conn, Row, Value};
use crate::{engines::cadence, engines::rollup, now_text, people::orgs, vals, Result, StoreError};

pub const OPEN: &str = "problems:open";
pub const CLOSED: &str = "problems:closed";

/// The county's escalation ladder (glossary default until edited).
pub fn escalation(c: &mut dyn Conn) -> Result<Vec<EscalationLevel>> {
    match c.query_opt("SELECT value FROM settings WHERE key = 'escalation'", &[])? {
        Some(r) => serde_json::from_str(&r.text(0)?)
            .map_err(|e| StoreError::Db(format!("升级规则配置损坏：{e}"))),
        None => Ok(default_escalation()),
    }
}

pub fn save_escalation(c: &mut dyn Conn, actor: &Actor, levels: &[EscalationLevel]) -> Result<()> {
    check_escalation(levels)?;
    let before = escalation(c)?;
    let text = serde_json::to_string(levels).map_err(|e| StoreError::Db(e.to_string()))?;
    c.execute(
        "INSERT INTO settings (key, value) VALUES ('escalation', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        vals![text],
    )?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(actor.scope_org_id),
            action: "settings.escalation",
            entity: "settings",
            entity_id: None,
            before: json!(before),
            after: json!(levels),
        },
    )?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Inspection {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub target_id: i64,
    pub target_name: String,
    pub target_path: String,
    pub campaign_id: Option<i64>,
    pub held_on: String,
    pub inspectors: String,
    pub findings: String,
}

const INSPECTION_COLS: &str = "i.id, i.org_id, o.name AS org_name, i.target_id, t.name AS target_name, i.target_path, i.campaign_id, i.held_on, i.inspectors, i.findings";
const INSPECTION_FROM: &str =
    "inspections i JOIN orgs o ON o.id = i.org_id JOIN orgs t ON t.id = i.target_id";

fn inspection_row(r: &Row) -> Result<Inspection> {
    Ok(Inspection {
        id: r.i64("id")?,
        org_id: r.i64("org_id")?,
        org_name: r.text("org_name")?,
        target_id: r.i64("target_id")?,
        target_name: r.text("target_name")?,
        target_path: r.text("target_path")?,
        campaign_id: r.opt_i64("campaign_id")?,
        held_on: r.text("held_on")?,
        inspectors: r.text("inspectors")?,
        findings: r.text("findings")?,
    })
}

/// Records an inspection of `target` by `inspector`, with the problems it found. The
/// inspection counts toward the inspector's monthly 督查.
pub fn inspect(
    c: &mut dyn Conn,
    actor: &Actor,
    inspector: &Org,
    target: &Org,
    campaign_id: Option<i64>,
    d: &InspectionDraft,
    problems: &[ProblemDraft],
) -> Result<i64> {
    if !path::within(&target.path, &inspector.path) || target.id == inspector.id {
        return Err(xianfeng_domain::Invalid::one(
            "target",
            "被督查单位",
            "只能督查本级以下的组织",
        )
        .into());
    }
    let id = c.scalar(
        "INSERT INTO inspections (org_id, org_path, target_id, target_path, campaign_id, held_on, inspectors, findings, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vals![inspector.id, inspector.path.as_str(), target.id, target.path.as_str(), campaign_id,
              d.held_on.to_string(), d.inspectors.as_str(), d.findings.as_str(), actor.account_id, now_text()],
    )?;
    cadence::record(c, inspector, SUPERVISION, d.held_on, 1)?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(target.id),
            action: "inspection.create",
            entity: "inspection",
            entity_id: Some(id),
            before: json!(null),
            after: json!({"inspector": inspector.id, "held_on": d.held_on, "findings": d.findings, "problems": problems.len()}),
        },
    )?;
    for p in problems {
        raise(c, actor, inspector, target, Some(id), d.held_on, p)?;
    }
    Ok(id)
}

/// Opens a ledger item owned by `owner`, raised by `raiser` (the inspecting level).
pub fn raise(
    c: &mut dyn Conn,
    actor: &Actor,
    raiser: &Org,
    owner: &Org,
    inspection_id: Option<i64>,
    found_on: NaiveDate,
    d: &ProblemDraft,
) -> Result<i64> {
    let id = c.scalar(
        "INSERT INTO problems (inspection_id, org_id, org_path, raised_by, raised_path, description, found_on, deadline, status, level)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0) RETURNING id",
        vals![inspection_id, owner.id, owner.path.as_str(), raiser.id, raiser.path.as_str(), d.description.as_str(),
              found_on.to_string(), d.deadline.to_string(), ProblemStatus::Open.label()],
    )?;
    rollup::bump(c, &owner.path, OPEN, "", 1)?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(owner.id),
            action: "problem.raise",
            entity: "problem",
            entity_id: Some(id),
            before: json!(null),
            after: json!({"description": d.description, "deadline": d.deadline}),
        },
    )?;
    Ok(id)
}

pub fn inspection(c: &mut dyn Conn, id: i64) -> Result<Option<Inspection>> {
    c.query_opt(
        &format!("SELECT {INSPECTION_COLS} FROM {INSPECTION_FROM} WHERE i.id = ?"),
        vals![id],
    )?
    .as_ref()
    .map(inspection_row)
    .transpose()
}

/// Inspections of organisations in the subtree at `scope_path`, newest first.
pub fn inspections(c: &mut dyn Conn, scope_path: &str, limit: i64) -> Result<Vec<Inspection>> {
    c.query(
        &format!(
            "SELECT {INSPECTION_COLS} FROM {INSPECTION_FROM}
             WHERE i.target_path >= ? AND i.target_path < ? ORDER BY i.held_on DESC, i.id DESC LIMIT ?"
        ),
        vals![scope_path, path::upper(scope_path), limit],
    )?
    .iter()
    .map(inspection_row)
    .collect::<Result<Vec<_>>>()
}

/// A ledger item.
#[derive(Debug, Clone)]
pub struct Problem {
    pub id: i64,
    pub inspection_id: Option<i64>,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub raised_by: i64,
    pub raised_name: String,
    pub raised_path: String,
    pub description: String,
    pub found_on: String,
    pub deadline: NaiveDate,
    pub status: ProblemStatus,
    pub level: i64,
    pub closed_on: Option<String>,
}

impl Problem {
    pub fn colour(&self, today: &NaiveDate) -> &'static str {
        xianfeng_domain::supervision::colour(self.status, self.deadline, *today)
    }

    pub fn overdue_days(&self, today: &NaiveDate) -> i64 {
        if self.status == ProblemStatus::Closed {
            0
        } else {
            (*today - self.deadline).num_days().max(0)
        }
    }
}

const PROBLEM_COLS: &str = "p.id, p.inspection_id, p.org_id, o.name AS org_name, p.org_path, p.raised_by, r.name AS raised_name, p.raised_path, p.description, p.found_on, p.deadline, p.status, p.level, p.closed_on";
const PROBLEM_FROM: &str =
    "problems p JOIN orgs o ON o.id = p.org_id JOIN orgs r ON r.id = p.raised_by";

fn problem_row(r: &Row) -> Result<Problem> {
    Ok(Problem {
        id: r.i64("id")?,
        inspection_id: r.opt_i64("inspection_id")?,
        org_id: r.i64("org_id")?,
        org_name: r.text("org_name")?,
        org_path: r.text("org_path")?,
        raised_by: r.i64("raised_by")?,
        raised_name: r.text("raised_name")?,
        raised_path: r.text("raised_path")?,
        description: r.text("description")?,
        found_on: r.text("found_on")?,
        deadline: xianfeng_domain::date::parse(&r.text("deadline")?).unwrap_or(NaiveDate::MIN),
        status: ProblemStatus::parse(&r.text("status")?).unwrap_or(ProblemStatus::Open),
        level: r.i64("level")?,
        closed_on: r.opt_text("closed_on")?,
    })
}

pub fn problem(c: &mut dyn Conn, id: i64) -> Result<Option<Problem>> {
    c.query_opt(
        &format!("SELECT {PROBLEM_COLS} FROM {PROBLEM_FROM} WHERE p.id = ?"),
        vals![id],
    )?
    .as_ref()
    .map(problem_row)
    .transpose()
}

/// Which items a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Filter {
    /// Not yet closed (整改中 and 待核验).
    Unclosed,
    /// With the owner past the deadline.
    Overdue,
    Closed,
    All,
}

/// Items owned in the subtree at `scope_path`, most urgent first.
pub fn problems(
    c: &mut dyn Conn,
    scope_path: &str,
    filter: Filter,
    today: NaiveDate,
    limit: i64,
) -> Result<Vec<Problem>> {
    let (cond, extra): (&str, Vec<Value>) = match filter {
        Filter::Unclosed => (
            "AND p.status <> ?",
            vals![ProblemStatus::Closed.label()].to_vec(),
        ),
        Filter::Overdue => (
            "AND p.status = ? AND p.deadline < ?",
            vals![ProblemStatus::Open.label(), today.to_string()].to_vec(),
        ),
        Filter::Closed => (
            "AND p.status = ?",
            vals![ProblemStatus::Closed.label()].to_vec(),
        ),
        Filter::All => ("", vec![]),
    };
    let mut params: Vec<Value> = vals![scope_path, path::upper(scope_path)].to_vec();
    params.extend(extra);
    params.push(limit.into());
    c.query(
        &format!(
            "SELECT {PROBLEM_COLS} FROM {PROBLEM_FROM} WHERE p.org_path >= ? AND p.org_path < ? {cond}
             ORDER BY CASE WHEN p.status = '已销号' THEN 1 ELSE 0 END, p.deadline, p.id LIMIT ?"
        ),
        &params,
    )?
    .iter()
    .map(problem_row)
    .collect::<Result<Vec<_>>>()
}

/// Open (not closed) and closed items of a subtree, read from the roll-ups, and the overdue
/// ones counted from the ledger's deadline index.
#[derive(Debug, Clone, Copy, Default)]
pub struct Counts {
    pub unclosed: i64,
    pub closed: i64,
    pub overdue: i64,
}

pub fn counts(c: &mut dyn Conn, org: &Org, today: NaiveDate) -> Result<Counts> {
    Ok(Counts {
        unclosed: rollup::get(c, org.id, OPEN, "")?.1,
        closed: rollup::get(c, org.id, CLOSED, "")?.1,
        overdue: c.scalar(
            "SELECT COUNT(*) FROM problems WHERE org_path >= ? AND org_path < ? AND status = ? AND deadline < ?",
            vals![org.path.as_str(), path::upper(&org.path), ProblemStatus::Open.label(), today.to_string()],
        )?,
    })
}

/// One step in an item's history.
#[derive(Debug, Clone)]
pub struct Step {
    pub id: i64,
    pub action: String,
    pub level: i64,
    pub org_name: Option<String>,
    pub actor_name: Option<String>,
    pub note: String,
    pub at: String,
    pub files: Vec<(String, String)>,
}

pub fn steps(c: &mut dyn Conn, problem_id: i64) -> Result<Vec<Step>> {
    let mut out: Vec<Step> = c
        .query(
            "SELECT s.id, s.action, s.level, o.name, a.display_name, s.note, s.at FROM problem_steps s
             LEFT JOIN orgs o ON o.id = s.org_id LEFT JOIN accounts a ON a.id = s.actor_id
             WHERE s.problem_id = ? ORDER BY s.id",
            vals![problem_id],
        )?
        .into_iter()
        .map(|r| Ok(Step {
            id: r.i64(0)?,
            action: r.text(1)?,
            level: r.i64(2)?,
            org_name: r.opt_text(3)?,
            actor_name: r.opt_text(4)?,
            note: r.text(5)?,
            at: r.text(6)?,
            files: vec![],
        }))
        .collect::<Result<_>>()?;
    for s in &mut out {
        s.files = c
            .query(
                "SELECT sha256, name FROM step_files WHERE step_id = ? ORDER BY name",
                vals![s.id],
            )?
            .into_iter()
            .map(|r| Ok((r.text(0)?, r.text(1)?)))
            .collect::<Result<_>>()?;
    }
    Ok(out)
}

/// Whether `sha` is attached to a step of `problem_id`.
pub fn has_file(c: &mut dyn Conn, problem_id: i64, sha: &str) -> Result<bool> {
    Ok(c.query_opt(
        "SELECT 1 FROM step_files f JOIN problem_steps s ON s.id = f.step_id WHERE s.problem_id = ? AND f.sha256 = ?",
        vals![problem_id, sha],
    )?
    .is_some())
}

fn append_step(
    c: &mut dyn Conn,
    problem_id: i64,
    action: ProblemAction,
    level: i64,
    org_id: Option<i64>,
    actor_id: Option<i64>,
    note: &str,
) -> Result<i64> {
    c.scalar(
        "INSERT INTO problem_steps (problem_id, action, level, org_id, actor_id, note, at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vals![problem_id, action.label(), level, org_id, actor_id, note, now_text()],
    )
}

/// Whether `actor` may take `action` on `p`.
pub fn allowed(actor: &Actor, p: &Problem, action: ProblemAction) -> bool {
    match action {
        ProblemAction::Submit => actor.can_rectify(&p.org_path),
        ProblemAction::Verify | ProblemAction::Return => actor.can_verify(&p.raised_path),
        ProblemAction::Talk => actor.can_inspect(&p.org_path),
        ProblemAction::Escalate => false,
    }
}

/// One step taken by a person: rectification (with evidence), verification, return, or the
/// record of a talk. Refused when the status does not allow it or the actor may not take it.
pub fn act(
    c: &mut dyn Conn,
    actor: &Actor,
    p: &Problem,
    action: ProblemAction,
    note: &str,
    files: &[(String, String, Vec<u8>)],
) -> Result<i64> {
    let note = xianfeng_domain::supervision::check_note(action, note)?;
    if !allowed(actor, p, action) {
        return Err(StoreError::Conflict(format!(
            "您无权对该问题执行“{}”",
            action.label()
        )));
    }
    let Some(status) = next(p.status, action) else {
        return Err(StoreError::Conflict(format!(
            "问题当前为“{}”，不能执行“{}”",
            p.status.label(),
            action.label()
        )));
    };
    if action == ProblemAction::Submit && files.is_empty() {
        return Err(xianfeng_domain::Invalid::one(
            "evidence",
            "整改佐证",
            "请上传至少一份整改佐证材料",
        )
        .into());
    }
    let step = append_step(
        c,
        p.id,
        action,
        p.level,
        Some(actor.scope_org_id),
        Some(actor.account_id),
        &note,
    )?;
    for (name, mime, bytes) in files {
        let sha = crate::files::put(c, mime, bytes)?;
        c.execute(
            "INSERT INTO step_files (step_id, sha256, name) VALUES (?, ?, ?) ON CONFLICT (step_id, sha256) DO NOTHING",
            vals![step, sha.as_str(), name.as_str()],
        )?;
    }
    if status != p.status {
        let closed_on =
            (status == ProblemStatus::Closed).then(|| xianfeng_domain::date::today().to_string());
        c.execute(
            "UPDATE problems SET status = ?, closed_on = ? WHERE id = ?",
            vals![status.label(), closed_on, p.id],
        )?;
        if status == ProblemStatus::Closed {
            rollup::bump(c, &p.org_path, OPEN, "", -1)?;
            rollup::bump(c, &p.org_path, CLOSED, "", 1)?;
        }
    }
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(p.org_id),
            action: "problem.step",
            entity: "problem",
            entity_id: Some(p.id),
            before: json!({"status": p.status}),
            after: json!({"status": status, "action": action, "note": note, "files": files.len()}),
        },
    )?;
    Ok(step)
}

/// The organisation that carries out a step of `by` for an item owned at `owner_path`: the
/// owner's town (or the nearest town above it), or the county at the root.
fn escalator_org(c: &mut dyn Conn, owner_path: &str, by: Escalator) -> Result<Option<Org>> {
    let ids = path::ids(owner_path);
    match by {
        Escalator::County => Ok(match ids.first() {
            Some(id) => orgs::get(c, *id)?,
            None => None,
        }),
        Escalator::Town => {
            for id in ids.iter().rev() {
                if let Some(o) = orgs::get(c, *id)? {
                    if Applies::Towns.fits(o.kind, o.committee_size) {
                        return Ok(Some(o));
                    }
                }
            }
            Ok(match ids.first() {
                Some(id) => orgs::get(c, *id)?,
                None => None,
            })
        }
    }
}

/// Moves every item left with its owner past its deadline up the ladder to the level it has
/// reached on `today`, appending one step per level climbed. Returns the steps written.
/// Idempotent: running it twice on the same day writes nothing the second time.
pub fn escalate(c: &mut dyn Conn, today: NaiveDate) -> Result<usize> {
    let ladder = escalation(c)?;
    let due: Vec<Problem> = c
        .query(
            &format!(
                "SELECT {PROBLEM_COLS} FROM {PROBLEM_FROM} WHERE p.status = ? AND p.deadline < ? AND p.level < ? ORDER BY p.id"
            ),
            vals![ProblemStatus::Open.label(), today.to_string(), ladder.len() as i64],
        )?
        .iter()
        .map(problem_row)
        .collect::<Result<Vec<_>>>()?;
    let mut written = 0;
    for p in due {
        let reach = reached(&ladder, p.status, p.deadline, today) as i64;
        for level in p.level + 1..=reach {
            let Some(step) = ladder.get(level as usize - 1) else {
                break;
            };
            let by = escalator_org(c, &p.org_path, step.by)?;
            let note = format!(
                "逾期{}天，第{}级：由{}{}",
                (today - p.deadline).num_days(),
                level,
                by.as_ref().map_or(step.by.label(), |o| o.name.as_str()),
                step.action
            );
            append_step(
                c,
                p.id,
                ProblemAction::Escalate,
                level,
                by.map(|o| o.id),
                None,
                &note,
            )?;
            written += 1;
        }
        if reach > p.level {
            c.execute(
                "UPDATE problems SET level = ? WHERE id = ?",
                vals![reach, p.id],
            )?;
        }
    }
    Ok(written)
}

/// Recomputes `problems:open` / `problems:closed` from the ledger (to check the counters).
pub fn rebuild_rollups(c: &mut dyn Conn) -> Result<()> {
    let mut direct = Vec::new();
    for r in c.query(
        "SELECT org_id, status, COUNT(*) FROM problems GROUP BY org_id, status",
        &[],
    )? {
        let metric = if r.text(1)? == ProblemStatus::Closed.label() {
            CLOSED
        } else {
            OPEN
        };
        direct.push((r.i64(0)?, metric.to_string(), String::new(), r.i64(2)?));
    }
    let totals = rollup::accumulate(c, direct)?;
    c.execute("DELETE FROM rollups WHERE metric LIKE 'problems:%'", &[])?;
    rollup::insert_totals(c, totals)
}

pub fn stored_rollups(c: &mut dyn Conn) -> Result<rollup::Totals> {
    c
        .query(
            "SELECT org_id, metric, period, direct, subtree FROM rollups WHERE metric LIKE 'problems:%' AND (direct <> 0 OR subtree <> 0)",
            &[],
        )?
        .into_iter()
        .map(|r| Ok(((r.i64(0)?, r.text(1)?, r.text(2)?), (r.i64(3)?, r.i64(4)?))))
        .collect::<Result<_>>()
}
