//! A village's major matters (重大事项) and their steps. `record_step` is the only way a
//! matter moves: it checks the order (`decision::check_order`), judges the meeting
//! (`decision::judge`), and stops the matter with the reason when the meeting fails. Step 3's
//! 党员大会 is recorded as a 支部党员大会 through `life::meetings::create`, so the roster gives
//! its attendance and the cadence engine counts it. Step 5's notice and its objections are a
//! workflow instance (`engines::workflow`, as award 公示). Stage counts are roll-up metrics.

use chrono::{Duration, NaiveDate};
use serde_json::json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::decision::{
    check_order, check_votes, judge, step_name, MatterDraft, MatterStatus, StepDraft, StepKind,
    Tally, Verdict,
};
use xianfeng_domain::life::{AttendanceEntry, MeetingDraft, MeetingKind};
use xianfeng_domain::org::{Org, OrgDomain, OrgKind};
use xianfeng_domain::supervision::ProblemDraft;
use xianfeng_domain::workflow::{Action, Definition, Stage, Step as WorkflowStep};
use xianfeng_domain::Invalid;
use xianfeng_domain::{date, path};

use crate::audit::{self, Record};
use crate::campaigns::supervision;
use crate::db::{Conn, Row};
use crate::decisions::categories;
use crate::engines::{rollup, workflow};
use crate::life::meetings;
use crate::{now_text, people::orgs, settings, vals, Result, StoreError};

/// The workflow subject kind of a resolution's notice.
pub const SUBJECT: &str = "matter";

/// Every matter filed, in the subtree.
pub const MATTERS: &str = "matters";
/// Matters stopped by a failed quorum or vote.
pub const STOPPED: &str = "matters:stopped";

/// Matters not stopped whose last passed step is `n` (0–6).
pub fn stage_metric(n: i64) -> String {
    format!("matters:stage:{n}")
}

#[derive(Debug, Clone)]
pub struct Matter {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub title: String,
    pub category: String,
    pub must_go: bool,
    pub amount_fen: Option<i64>,
    pub summary: String,
    /// The last step passed (0 = none yet).
    pub done_step: i64,
    pub status: MatterStatus,
    pub stop_reason: String,
    pub problem_id: Option<i64>,
    /// The workflow instance of the resolution's notice (step 5).
    pub notice_id: Option<i64>,
    pub created_at: String,
}

impl Matter {
    /// The step due next, for the page (第N步…), or `None` when stopped or finished.
    pub fn next_step(&self) -> Option<String> {
        match self.status {
            MatterStatus::Stopped | MatterStatus::Finished => None,
            _ if self.done_step >= 6 => Some(step_name(6)),
            _ => Some(step_name(self.done_step + 1)),
        }
    }
}

const COLS: &str = "m.id, m.org_id, o.name AS org_name, m.org_path, m.title, m.category, m.must_go,
     m.amount_fen, m.summary, m.done_step, m.status, m.stop_reason, m.problem_id, m.notice_id, m.created_at";

fn from_row(r: &Row) -> Result<Matter> {
    Ok(Matter {
        id: r.i64("id")?,
        org_id: r.i64("org_id")?,
        org_name: r.text("org_name")?,
        org_path: r.text("org_path")?,
        title: r.text("title")?,
        category: r.text("category")?,
        must_go: r.i64("must_go")? != 0,
        amount_fen: r.opt_i64("amount_fen")?,
        summary: r.text("summary")?,
        done_step: r.i64("done_step")?,
        status: MatterStatus::parse(&r.text("status")?).unwrap_or(MatterStatus::Open),
        stop_reason: r.text("stop_reason")?,
        problem_id: r.opt_i64("problem_id")?,
        notice_id: r.opt_i64("notice_id")?,
        created_at: r.text("created_at")?,
    })
}

pub fn get(c: &mut dyn Conn, id: i64) -> Result<Option<Matter>> {
    c.query_opt(
        &format!("SELECT {COLS} FROM matters m JOIN orgs o ON o.id = m.org_id WHERE m.id = ?"),
        vals![id],
    )?
    .as_ref()
    .map(from_row)
    .transpose()
}

fn require(c: &mut dyn Conn, id: i64) -> Result<Matter> {
    get(c, id)?.ok_or(StoreError::NotFound("事项"))
}

/// Matters under `root_path`, newest first.
pub fn list(c: &mut dyn Conn, root_path: &str, limit: i64, offset: i64) -> Result<Vec<Matter>> {
    c.query(
        &format!(
            "SELECT {COLS} FROM matters m JOIN orgs o ON o.id = m.org_id
             WHERE m.org_path >= ? AND m.org_path < ? ORDER BY m.id DESC LIMIT ? OFFSET ?"
        ),
        vals![root_path, path::upper(root_path), limit, offset],
    )?
    .iter()
    .map(from_row)
    .collect()
}

/// Whether matters may be filed for `org`: a village (rural) branch or general branch.
pub fn is_village(org: &Org) -> bool {
    org.domain == OrgDomain::Rural
        && matches!(
            org.kind,
            OrgKind::Branch | OrgKind::GeneralBranch | OrgKind::JointBranch
        )
        && org.dissolved_on.is_none()
}

fn snapshot(m: &Matter) -> serde_json::Value {
    json!({"title": m.title, "category": m.category, "amount_fen": m.amount_fen,
           "done_step": m.done_step, "status": m.status.label(), "stop_reason": m.stop_reason})
}

/// Files a matter of a village.
pub fn create(c: &mut dyn Conn, actor: &Actor, org: &Org, d: &MatterDraft) -> Result<Matter> {
    if !is_village(org) {
        return Err(Invalid::one("org", "村党组织", "只有村党组织可以登记重大事项").into());
    }
    let must_go = categories::list(c)?
        .into_iter()
        .find(|k| k.name == d.category)
        .map(|k| k.must_go)
        .ok_or_else(|| Invalid::one("category", "事项类别", "请从列表中选择事项类别"))?;
    let now = now_text();
    let id = c.scalar(
        "INSERT INTO matters (org_id, org_path, title, category, must_go, amount_fen, summary, done_step, status, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?) RETURNING id",
        vals![org.id, org.path.as_str(), d.title.as_str(), d.category.as_str(), must_go as i64, d.amount_fen,
              d.summary.as_str(), MatterStatus::Open.label(), actor.account_id, now.as_str(), now.as_str()],
    )?;
    rollup::bump(c, &org.path, MATTERS, "", 1)?;
    rollup::bump(c, &org.path, &stage_metric(0), "", 1)?;
    let m = require(c, id)?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(org.id),
            action: "matter.create",
            entity: "matter",
            entity_id: Some(id),
            before: json!(null),
            after: snapshot(&m),
        },
    )?;
    Ok(m)
}

/// One recorded step.
#[derive(Debug, Clone)]
pub struct Step {
    pub id: i64,
    pub step_no: i64,
    pub kind: StepKind,
    pub held_on: String,
    pub form: String,
    pub tally: Tally,
    pub minutes: String,
    pub text: String,
    pub amount_fen: Option<i64>,
    pub final_result: bool,
    pub meeting_id: Option<i64>,
    pub passed: bool,
    pub reason: String,
    pub notice_until: Option<String>,
}

fn step_from_row(r: &Row) -> Result<Step> {
    Ok(Step {
        id: r.i64("id")?,
        step_no: r.i64("step_no")?,
        kind: StepKind::parse(&r.text("kind")?).unwrap_or(StepKind::Proposal),
        held_on: r.text("held_on")?,
        form: r.text("form")?,
        tally: Tally {
            expected: r.i64("expected")?,
            present: r.i64("present")?,
            yes: r.i64("votes_yes")?,
            no: r.i64("votes_no")?,
            abstain: r.i64("votes_abstain")?,
        },
        minutes: r.text("minutes")?,
        text: r.text("text")?,
        amount_fen: r.opt_i64("amount_fen")?,
        final_result: r.i64("is_final")? != 0,
        meeting_id: r.opt_i64("meeting_id")?,
        passed: r.i64("passed")? != 0,
        reason: r.text("reason")?,
        notice_until: r.opt_text("notice_until")?,
    })
}

const STEP_COLS: &str =
    "id, step_no, kind, held_on, form, expected, present, votes_yes, votes_no, votes_abstain,
     minutes, text, amount_fen, is_final, meeting_id, passed, reason, notice_until";

/// The steps of a matter in the order recorded.
pub fn steps(c: &mut dyn Conn, matter_id: i64) -> Result<Vec<Step>> {
    c.query(
        &format!("SELECT {STEP_COLS} FROM matter_steps WHERE matter_id = ? ORDER BY id"),
        vals![matter_id],
    )?
    .iter()
    .map(step_from_row)
    .collect()
}

fn set_state(
    c: &mut dyn Conn,
    m: &Matter,
    done: i64,
    status: MatterStatus,
    reason: &str,
) -> Result<()> {
    // Conditional on the state `m` was read in: a second request acting on the same state
    // (a double submit, two secretaries) changes nothing and is refused.
    let changed = c.execute(
        "UPDATE matters SET done_step = ?, status = ?, stop_reason = ?, updated_at = ? WHERE id = ? AND done_step = ? AND status = ?",
        vals![done, status.label(), reason, now_text(), m.id, m.done_step, m.status.label()],
    )?;
    if changed == 0 {
        return Err(StoreError::Conflict(
            "该事项已被他人更新，请刷新页面后再登记".into(),
        ));
    }
    let was_counted = m.status != MatterStatus::Stopped;
    let counted = status != MatterStatus::Stopped;
    if was_counted && (!counted || done != m.done_step) {
        rollup::bump(c, &m.org_path, &stage_metric(m.done_step), "", -1)?;
    }
    if counted && (!was_counted || done != m.done_step) {
        rollup::bump(c, &m.org_path, &stage_metric(done), "", 1)?;
    }
    if was_counted && !counted {
        rollup::bump(c, &m.org_path, STOPPED, "", 1)?;
    }
    Ok(())
}

/// Records the next step of a matter. For step 3 `attendance` lists the branch's members
/// present (the rest are absent) and the meeting is recorded as a 支部党员大会; for the other
/// meeting steps the counts come with the draft. A failed quorum or vote is recorded and stops
/// the matter; a step out of order, on a stopped or finished matter, or step 6 while an
/// objection waits for its answer, is refused and changes nothing.
pub fn record_step(
    c: &mut dyn Conn,
    actor: &Actor,
    m: &Matter,
    d: &StepDraft,
    attendance: &[AttendanceEntry],
) -> Result<Step> {
    match m.status {
        MatterStatus::Stopped => {
            return Err(StoreError::Conflict(format!(
                "该事项已终止（{}），不能继续登记",
                m.stop_reason
            )))
        }
        MatterStatus::Finished => {
            return Err(StoreError::Conflict(
                "该事项已登记最终实施结果，不能继续登记".into(),
            ))
        }
        _ => {}
    }
    let org = orgs::require(c, m.org_id)?;
    let one_shoulder = categories::one_shoulder(c, org.id)?;
    check_order(m.done_step, d.kind, one_shoulder)?;
    if d.kind == StepKind::ResultNotice {
        ready_for_result(c, actor, m)?;
    }
    let rules = settings::rules(c)?;
    let mut tally = d.tally;
    let mut meeting_id = None;
    if d.kind == StepKind::PartyAssembly {
        let meeting = meetings::create(
            c,
            Some(actor),
            &org,
            &MeetingDraft {
                kind: MeetingKind::GeneralMeeting,
                date: d.date,
                held: true,
                place: String::new(),
                host: String::new(),
                topic: format!("四议两公开：审议《{}》", m.title),
                first_topic: false,
                agenda: String::new(),
                minutes: d.minutes.clone(),
            },
            attendance,
        )?;
        tally.expected = meeting.expected;
        tally.present = meeting.present;
        check_votes(tally)?;
        meeting_id = Some(meeting.id);
    }
    let verdict = judge(d.kind, d.form, tally, &rules);
    let (_, last) = d.kind.numbers();
    let notice = if d.kind == StepKind::Resolution {
        Some(publish(c, actor, &org, m, &d.text, &rules)?)
    } else {
        None
    };
    let notice_until = notice
        .as_ref()
        .and_then(|n| n.notice_until.map(|u| u.to_string()));
    let id = c.scalar(
        "INSERT INTO matter_steps (matter_id, step_no, kind, held_on, form, expected, present, votes_yes, votes_no, votes_abstain,
            minutes, text, amount_fen, is_final, meeting_id, passed, reason, notice_until, recorded_by, recorded_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vals![m.id, last, d.kind.label(), d.date.to_string(), d.form.map(|f| f.label()).unwrap_or(""),
              tally.expected, tally.present, tally.yes, tally.no, tally.abstain, d.minutes.as_str(),
              d.text.as_str(), d.amount_fen, d.final_result as i64, meeting_id, verdict.passed() as i64,
              verdict.reason(), notice_until, actor.account_id, now_text()],
    )?;
    match &verdict {
        Verdict::Passed => {
            let status = match d.kind {
                StepKind::Resolution => MatterStatus::Published,
                StepKind::ResultNotice if d.final_result => MatterStatus::Finished,
                StepKind::ResultNotice => MatterStatus::Implementing,
                _ => MatterStatus::Open,
            };
            set_state(c, m, last, status, "")?;
            if let Some(n) = &notice {
                c.execute(
                    "UPDATE matters SET notice_id = ? WHERE id = ?",
                    vals![n.id, m.id],
                )?;
            }
        }
        failed => {
            let reason = format!("{}：{}", step_name(last), failed.reason());
            set_state(c, m, m.done_step, MatterStatus::Stopped, &reason)?;
        }
    }
    let after = require(c, m.id)?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(m.org_id),
            action: "matter.step",
            entity: "matter",
            entity_id: Some(m.id),
            before: snapshot(m),
            after: json!({"step": d.kind.label(), "held_on": d.date, "expected": tally.expected,
                          "present": tally.present, "yes": tally.yes, "passed": verdict.passed(),
                          "matter": snapshot(&after)}),
        },
    )?;
    steps(c, m.id)?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or(StoreError::NotFound("议事步骤"))
}

/// Marks a matter as being carried out (实施) before its steps are done. In a category that
/// must go through the procedure this opens a problem for the village in the 问题台账, raised
/// by the organisation above it; a matter whose resolution is public records step 6 instead.
pub fn mark_implemented(
    c: &mut dyn Conn,
    actor: &Actor,
    m: &Matter,
    today: NaiveDate,
) -> Result<Option<i64>> {
    if m.done_step >= 5 {
        return Err(StoreError::Conflict(
            "决议已公开，请登记第6步“实施结果公开”".into(),
        ));
    }
    if m.status != MatterStatus::Open {
        return Err(StoreError::Conflict(format!(
            "该事项{}，不能标记为实施",
            m.status.label()
        )));
    }
    let org = orgs::require(c, m.org_id)?;
    let mut problem = None;
    if m.must_go {
        let raiser = match org.parent_id {
            Some(p) => orgs::require(c, p)?,
            None => org.clone(),
        };
        let id = supervision::raise(
            c,
            actor,
            &raiser,
            &org,
            None,
            today,
            &ProblemDraft {
                description: format!(
                    "重大事项《{}》（{}）未完成“四议两公开”程序即实施，停在{}之前",
                    m.title,
                    m.category,
                    step_name(m.done_step + 1)
                ),
                deadline: today + Duration::days(30),
            },
        )?;
        c.execute(
            "UPDATE matters SET problem_id = ? WHERE id = ?",
            vals![id, m.id],
        )?;
        problem = Some(id);
    }
    let changed = c.execute(
        "UPDATE matters SET status = ?, updated_at = ? WHERE id = ? AND status = ? AND done_step = ?",
        vals![
            MatterStatus::Implementing.label(),
            now_text(),
            m.id,
            MatterStatus::Open.label(),
            m.done_step
        ],
    )?;
    if changed == 0 {
        return Err(StoreError::Conflict(
            "该事项已被他人更新，请刷新页面后再操作".into(),
        ));
    }
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(m.org_id),
            action: "matter.implement",
            entity: "matter",
            entity_id: Some(m.id),
            before: snapshot(m),
            after: json!({"status": MatterStatus::Implementing.label(), "problem_id": problem}),
        },
    )?;
    Ok(problem)
}

/// Attaches a document or photo (already checked by type) to a matter or one of its steps.
pub fn add_file(
    c: &mut dyn Conn,
    actor: &Actor,
    m: &Matter,
    step_id: Option<i64>,
    name: &str,
    mime: &str,
    bytes: &[u8],
) -> Result<String> {
    let sha = crate::files::put(c, mime, bytes)?;
    c.execute(
        "INSERT INTO matter_files (matter_id, step_id, sha256, name) VALUES (?, ?, ?, ?)
         ON CONFLICT (matter_id, sha256) DO NOTHING",
        vals![m.id, step_id, sha.as_str(), name],
    )?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(m.org_id),
            action: "matter.file",
            entity: "matter",
            entity_id: Some(m.id),
            before: json!(null),
            after: json!({"sha256": sha, "name": name, "step_id": step_id, "size": bytes.len()}),
        },
    )?;
    Ok(sha)
}

/// `(sha256, name, step_id)` of a matter's files.
pub fn files(c: &mut dyn Conn, matter_id: i64) -> Result<Vec<(String, String, Option<i64>)>> {
    c.query(
        "SELECT sha256, name, step_id FROM matter_files WHERE matter_id = ? ORDER BY name",
        vals![matter_id],
    )?
    .into_iter()
    .map(|r| Ok((r.text(0)?, r.text(1)?, r.opt_i64(2)?)))
    .collect()
}

pub fn has_file(c: &mut dyn Conn, matter_id: i64, sha: &str) -> Result<bool> {
    Ok(c.query_opt(
        "SELECT 1 FROM matter_files WHERE matter_id = ? AND sha256 = ?",
        vals![matter_id, sha],
    )?
    .is_some())
}

/// Starts the resolution's public notice: a one-step workflow at the recording level,
/// approved at once, so the engine keeps the notice period and the objections.
fn publish(
    c: &mut dyn Conn,
    actor: &Actor,
    org: &Org,
    m: &Matter,
    text: &str,
    rules: &xianfeng_domain::rules::Rules,
) -> Result<workflow::Instance> {
    let level = workflow::acting_of(c, actor)?;
    let def = workflow::define(
        c,
        org,
        &Definition {
            name: "决议公开".into(),
            steps: vec![WorkflowStep {
                level,
                name: "决议公开".into(),
                quota: None,
            }],
            notice_days: rules.decision_notice_days.clamp(1, 60) as u32,
        },
    )?;
    let id = workflow::start(
        c,
        actor,
        &workflow::Start {
            definition_id: def,
            origin: org,
            subject_kind: SUBJECT,
            subject_id: m.id,
            subject_name: &m.title,
            summary: text,
        },
    )?;
    workflow::act(c, Some(actor), "", id, Action::Approve, "")?;
    workflow::instance(c, id)
}

/// Step 6 needs every objection to the resolution answered; a notice whose period is over is
/// finalised by the same level that published it.
fn ready_for_result(c: &mut dyn Conn, actor: &Actor, m: &Matter) -> Result<()> {
    let Some(id) = m.notice_id else {
        return Ok(());
    };
    let inst = workflow::instance(c, id)?;
    match inst.stage {
        Stage::Objected => {
            let waiting = workflow::objections(c, id)?
                .iter()
                .filter(|o| o.status == "open")
                .count();
            Err(Invalid::one(
                "step",
                "议事步骤",
                format!("决议公开期间收到的{waiting}条异议尚未答复，请先答复再公开实施结果"),
            )
            .into())
        }
        Stage::Notice if inst.notice_until.is_some_and(|u| date::today() > u) => {
            workflow::act(c, Some(actor), "", id, Action::Finalize, "")?;
            Ok(())
        }
        _ => Ok(()),
    }
}

/// The objections to a matter's resolution (the workflow engine's).
pub fn objections(c: &mut dyn Conn, m: &Matter) -> Result<Vec<workflow::Objection>> {
    match m.notice_id {
        Some(id) => workflow::objections(c, id),
        None => Ok(Vec::new()),
    }
}

/// The day a matter's resolution leaves the board, if it was published.
pub fn notice_until(c: &mut dyn Conn, m: &Matter) -> Result<Option<NaiveDate>> {
    Ok(match m.notice_id {
        Some(id) => workflow::instance(c, id)?.notice_until,
        None => None,
    })
}

/// A resident's objection from the public board (实名反映, as for award 公示), accepted while the
/// resolution is within its notice period.
pub fn object(
    c: &mut dyn Conn,
    m: &Matter,
    name: &str,
    contact: &str,
    content: &str,
    today: NaiveDate,
) -> Result<i64> {
    let open = m.status == MatterStatus::Published
        && notice_until(c, m)?.is_some_and(|until| today <= until);
    let (Some(id), true) = (m.notice_id, open) else {
        return Err(StoreError::Conflict(
            "该决议已不在公开期内，不能再提出异议".into(),
        ));
    };
    workflow::object(c, id, name, contact, content)
}

/// The village's answer to an objection: dismissed (the resolution stands, back on notice once
/// none is open) or upheld (the resolution falls and the matter stops).
pub fn answer(
    c: &mut dyn Conn,
    actor: &Actor,
    m: &Matter,
    objection_id: i64,
    uphold: bool,
    text: &str,
) -> Result<()> {
    if !objections(c, m)?
        .iter()
        .any(|o| o.id == objection_id && o.status == "open")
    {
        return Err(StoreError::NotFound("待处理的异议"));
    }
    let stage = workflow::resolve(c, actor, objection_id, uphold, text)?;
    if stage == Stage::Rejected {
        let reason = format!("{}：异议成立（{}）", step_name(5), text.trim());
        set_state(c, m, m.done_step, MatterStatus::Stopped, &reason)?;
    }
    Ok(())
}

/// One item of the public board: a resolution on notice (决议公开) or a result (实施结果公开).
#[derive(Debug, Clone)]
pub struct BoardItem {
    pub matter_id: i64,
    pub org_name: String,
    pub title: String,
    pub category: String,
    pub kind: StepKind,
    pub held_on: String,
    pub until: String,
    pub text: String,
    pub amount_fen: Option<i64>,
    /// Objections may still be filed.
    pub open: bool,
}

/// The board's 四议两公开 items for the subtree at `root_path` on `today`: resolutions within
/// their notice period, and results published within the same number of days. Paged.
pub fn board(
    c: &mut dyn Conn,
    root_path: &str,
    today: NaiveDate,
    limit: i64,
    offset: i64,
) -> Result<Vec<BoardItem>> {
    let days = settings::rules(c)?.decision_notice_days;
    let results_since = (today - Duration::days(days)).to_string();
    c.query(
        "SELECT s.matter_id, o.name, m.title, m.category, s.kind, s.held_on, s.notice_until, s.text,
                COALESCE(s.amount_fen, m.amount_fen) AS amount_fen, m.status
         FROM matter_steps s JOIN matters m ON m.id = s.matter_id JOIN orgs o ON o.id = m.org_id
         LEFT JOIN workflow_instances w ON w.id = m.notice_id
         WHERE m.org_path >= ? AND m.org_path < ? AND s.passed = 1
           AND ((s.step_no = 5 AND s.notice_until >= ? AND w.stage IN ('notice', 'objected'))
                OR (s.step_no = 6 AND s.held_on >= ?))
         ORDER BY s.held_on DESC, s.id DESC LIMIT ? OFFSET ?",
        vals![root_path, path::upper(root_path), today.to_string(), results_since, limit, offset],
    )?
    .into_iter()
    .map(|r| {
        let kind = StepKind::parse(&r.text(4)?).unwrap_or(StepKind::Resolution);
        let until = r.opt_text(6)?.unwrap_or_default();
        Ok(BoardItem {
            matter_id: r.i64(0)?,
            org_name: r.text(1)?,
            title: r.text(2)?,
            category: r.text(3)?,
            kind,
            held_on: r.text(5)?,
            open: kind == StepKind::Resolution && r.text(9)? == MatterStatus::Published.label(),
            until,
            text: r.text(7)?,
            amount_fen: r.opt_i64(8)?,
        })
    })
    .collect()
}

/// One village's line of the town's view.
#[derive(Debug, Clone, Default)]
pub struct VillageLine {
    pub org_id: i64,
    pub org_name: String,
    /// Matters not stopped by their last passed step (index 0–6).
    pub by_stage: [i64; 7],
    pub stopped: i64,
    /// Decided by the village meeting but not published within the rule's days.
    pub overdue: i64,
    pub objections_waiting: i64,
}

/// The town's view: each village in the subtree with matters, by stage.
pub fn by_village(c: &mut dyn Conn, root_path: &str, today: NaiveDate) -> Result<Vec<VillageLine>> {
    let rules = settings::rules(c)?;
    let due = (today - Duration::days(rules.decision_publish_within_days)).to_string();
    let upper = path::upper(root_path);
    let mut lines: Vec<VillageLine> = Vec::new();
    let rows = c.query(
        "SELECT m.org_id, o.name, m.done_step, m.status, COUNT(*) FROM matters m JOIN orgs o ON o.id = m.org_id
         WHERE m.org_path >= ? AND m.org_path < ? GROUP BY m.org_id, o.name, m.done_step, m.status ORDER BY o.name",
        vals![root_path, upper.as_str()],
    )?;
    for r in rows {
        let org_id = r.i64(0)?;
        let i = match lines.iter().position(|l| l.org_id == org_id) {
            Some(i) => i,
            None => {
                lines.push(VillageLine {
                    org_id,
                    org_name: r.text(1)?,
                    ..Default::default()
                });
                lines.len() - 1
            }
        };
        let n = r.i64(4)?;
        if r.text(3)? == MatterStatus::Stopped.label() {
            lines[i].stopped += n;
        } else {
            lines[i].by_stage[r.i64(2)?.clamp(0, 6) as usize] += n;
        }
    }
    for r in c.query(
        "SELECT m.org_id, COUNT(*) FROM matters m JOIN matter_steps s ON s.matter_id = m.id AND s.step_no = 4 AND s.passed = 1
         WHERE m.org_path >= ? AND m.org_path < ? AND m.done_step = 4 AND m.status = ? AND s.held_on < ? GROUP BY m.org_id",
        vals![root_path, upper.as_str(), MatterStatus::Open.label(), due],
    )? {
        let id = r.i64(0)?;
        if let Some(l) = lines.iter_mut().find(|l| l.org_id == id) {
            l.overdue = r.i64(1)?;
        }
    }
    for r in c.query(
        "SELECT m.org_id, COUNT(*) FROM matters m JOIN workflow_objections b ON b.instance_id = m.notice_id
         WHERE m.org_path >= ? AND m.org_path < ? AND b.status = 'open' GROUP BY m.org_id",
        vals![root_path, upper.as_str()],
    )? {
        let id = r.i64(0)?;
        if let Some(l) = lines.iter_mut().find(|l| l.org_id == id) {
            l.objections_waiting = r.i64(1)?;
        }
    }
    Ok(lines)
}

/// The subtree figures of an organisation, from the roll-ups: all matters, stopped, and by stage.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub matters: i64,
    pub stopped: i64,
    pub by_stage: [i64; 7],
}

pub fn totals(c: &mut dyn Conn, org_id: i64) -> Result<Totals> {
    let mut t = Totals {
        matters: rollup::get(c, org_id, MATTERS, "")?.1,
        stopped: rollup::get(c, org_id, STOPPED, "")?.1,
        by_stage: [0; 7],
    };
    for n in 0..7 {
        t.by_stage[n] = rollup::get(c, org_id, &stage_metric(n as i64), "")?.1;
    }
    Ok(t)
}
