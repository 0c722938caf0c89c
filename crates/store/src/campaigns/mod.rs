//! Campaigns: categories, tasks assigned to organisations, indicators with targets, and
//! append-only progress reports. Each indicator's progress lives in the roll-up engine:
//! `ind:{id}:assigned` (organisations given it), `ind:{id}:done` (those that met it) and
//! `ind:{id}:value` (reported quantity, in hundredths), so a campaign page reads counters.

pub mod bulletin;
pub mod completion;
pub mod measures;
pub mod supervision;

use chrono::NaiveDate;
use serde_json::json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::campaign::{
    task_status, Comparator, Measure, ReportDraft, Review, Target, TaskKind, TaskStatus,
};
use xianfeng_domain::org::Org;
use xianfeng_domain::path;

use crate::audit::{self, Record};
use crate::db::{Conn, Row, Value};
use crate::{engines::rollup, now_text, people::orgs, vals, Result, StoreError};

/// Roll-ups hold integers: quantities are kept in hundredths.
pub const SCALE: f64 = 100.0;
pub const OPEN: &str = "进行中";
pub const CLOSED: &str = "已结束";

pub fn assigned_metric(indicator: i64) -> String {
    format!("ind:{indicator}:assigned")
}
pub fn done_metric(indicator: i64) -> String {
    format!("ind:{indicator}:done")
}
pub fn value_metric(indicator: i64) -> String {
    format!("ind:{indicator}:value")
}

#[derive(Debug, Clone)]
pub struct Campaign {
    pub id: i64,
    pub org_id: i64,
    pub org_path: String,
    pub org_name: String,
    pub title: String,
    pub year: i64,
    pub status: String,
}

impl Campaign {
    pub fn open(&self) -> bool {
        self.status == OPEN
    }
}

const CAMPAIGN_COLS: &str =
    "c.id, c.org_id, c.org_path, o.name AS org_name, c.title, c.year, c.status";

fn campaign_row(r: &Row) -> Result<Campaign> {
    Ok(Campaign {
        id: r.i64("id")?,
        org_id: r.i64("org_id")?,
        org_path: r.text("org_path")?,
        org_name: r.text("org_name")?,
        title: r.text("title")?,
        year: r.i64("year")?,
        status: r.text("status")?,
    })
}

pub fn get(c: &mut dyn Conn, id: i64) -> Result<Option<Campaign>> {
    c.query_opt(
        &format!(
            "SELECT {CAMPAIGN_COLS} FROM campaigns c JOIN orgs o ON o.id = c.org_id WHERE c.id = ?"
        ),
        vals![id],
    )?
    .as_ref()
    .map(campaign_row)
    .transpose()
}

/// Campaigns an actor scoped at `scope_path` takes part in: run inside the scope, or with a
/// task assigned inside it.
pub fn visible(c: &mut dyn Conn, scope_path: &str) -> Result<Vec<Campaign>> {
    let up = path::upper(scope_path);
    c.query(
        &format!(
            "SELECT {CAMPAIGN_COLS} FROM campaigns c JOIN orgs o ON o.id = c.org_id
             WHERE (c.org_path >= ? AND c.org_path < ?)
                OR EXISTS (SELECT 1 FROM tasks t JOIN assignments a ON a.task_id = t.id
                           WHERE t.campaign_id = c.id AND a.org_path >= ? AND a.org_path < ?)
             ORDER BY c.year DESC, c.id DESC"
        ),
        vals![scope_path, up.as_str(), scope_path, up.as_str()],
    )?
    .iter()
    .map(campaign_row)
    .collect::<Result<Vec<_>>>()
}

/// A phase as written in the plan (dates kept as the document gives them: 6月上旬).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Phase {
    pub name: String,
    pub starts: String,
    pub ends: String,
}

/// Starts a campaign run by `org`.
pub fn create(
    c: &mut dyn Conn,
    actor: &Actor,
    org: &Org,
    title: &str,
    year: i64,
    draft_id: Option<i64>,
    phases: &[Phase],
) -> Result<i64> {
    let title = xianfeng_domain::campaign::check_header(title, year)?;
    let id = c.scalar(
        "INSERT INTO campaigns (org_id, org_path, title, year, status, draft_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vals![org.id, org.path.as_str(), title.as_str(), year, OPEN, draft_id, actor.account_id, now_text()],
    )?;
    for (i, p) in phases.iter().enumerate() {
        c.execute(
            "INSERT INTO campaign_phases (campaign_id, position, name, starts, ends) VALUES (?, ?, ?, ?, ?)",
            vals![id, i as i64, p.name.as_str(), p.starts.as_str(), p.ends.as_str()],
        )?;
    }
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(org.id),
            action: "campaign.create",
            entity: "campaign",
            entity_id: Some(id),
            before: json!(null),
            after: json!({"title": title, "year": year, "draft_id": draft_id}),
        },
    )?;
    Ok(id)
}

pub fn phases(c: &mut dyn Conn, campaign_id: i64) -> Result<Vec<Phase>> {
    c.query(
        "SELECT name, starts, ends FROM campaign_phases WHERE campaign_id = ? ORDER BY position",
        vals![campaign_id],
    )?
    .into_iter()
    .map(|r| {
        Ok(Phase {
            name: r.text(0)?,
            starts: r.text(1)?,
            ends: r.text(2)?,
        })
    })
    .collect::<Result<_>>()
}

/// A task to add: its category, the indicators it carries and the organisations it is for.
#[derive(Debug, Clone, Default)]
pub struct NewTask {
    pub category: String,
    pub title: String,
    pub detail: String,
    pub lead: String,
    pub due_on: Option<NaiveDate>,
    /// Label, target and how the figure is obtained.
    pub indicators: Vec<(String, Target, Measure)>,
    pub assignees: Vec<i64>,
    /// 定量 / 自动 / 定性; `None`: 自动 when every indicator is computed, else 定量.
    pub kind: Option<TaskKind>,
    /// The plan item the task was published from (a published draft updates by it).
    pub plan_key: Option<String>,
}

impl NewTask {
    pub fn kind(&self) -> TaskKind {
        self.kind.unwrap_or(
            if !self.indicators.is_empty() && self.indicators.iter().all(|(_, _, m)| m.computed()) {
                TaskKind::Computed
            } else {
                TaskKind::Quantitative
            },
        )
    }
}

fn item_id(c: &mut dyn Conn, campaign_id: i64, title: &str) -> Result<i64> {
    if let Some(r) = c.query_opt(
        "SELECT id FROM campaign_items WHERE campaign_id = ? AND title = ?",
        vals![campaign_id, title],
    )? {
        return r.i64(0);
    }
    let pos = c.scalar(
        "SELECT COUNT(*) FROM campaign_items WHERE campaign_id = ?",
        vals![campaign_id],
    )?;
    c.scalar(
        "INSERT INTO campaign_items (campaign_id, position, title) VALUES (?, ?, ?) RETURNING id",
        vals![campaign_id, pos, title],
    )
}

/// Adds a task with its indicators and one assignment per organisation (inside the
/// campaign's subtree).
pub fn add_task(c: &mut dyn Conn, campaign: &Campaign, t: &NewTask) -> Result<i64> {
    let mut e = xianfeng_domain::error::Collector::default();
    if t.title.trim().is_empty() || t.title.chars().count() > 200 {
        e.push("title", "任务", "应为1–200个字");
    }
    if t.indicators.is_empty() {
        e.push("quantity", "指标", "至少需要一项指标");
    }
    if t.assignees.is_empty() {
        e.push("assignees", "责任单位", "请至少选择一个组织");
    }
    e.finish(())?;
    let category = if t.category.trim().is_empty() {
        "其他任务"
    } else {
        t.category.trim()
    };
    let item = item_id(c, campaign.id, category)?;
    let task = c.scalar(
        "INSERT INTO tasks (campaign_id, item_id, title, detail, lead, due_on, created_at, kind, plan_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vals![campaign.id, item, t.title.trim(), t.detail.as_str(), t.lead.as_str(), t.due_on.map(|d| d.to_string()), now_text(), t.kind().label(), t.plan_key.as_deref()],
    )?;
    let mut indicators = Vec::new();
    for (label, target, measure) in &t.indicators {
        let id = c.scalar(
            "INSERT INTO indicators (task_id, label, quantity, quantity_max, unit, comparator, measure, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            &[
                Value::Int(task),
                label.as_str().into(),
                Value::Real(target.quantity),
                target.quantity_max.map_or(Value::Null, Value::Real),
                target.unit.as_str().into(),
                target.comparator.label().into(),
                measure.kind().label().into(),
                measure.source().into(),
            ],
        )?;
        indicators.push(Indicator {
            id,
            task_id: task,
            label: label.clone(),
            target: target.clone(),
            measure: measure.clone(),
        });
    }
    let mut seen = std::collections::BTreeSet::new();
    for org_id in &t.assignees {
        if !seen.insert(*org_id) {
            continue;
        }
        let org = orgs::require(c, *org_id)?;
        if !path::within(&org.path, &campaign.org_path) || org.dissolved_on.is_some() {
            return Err(xianfeng_domain::Invalid::one(
                "assignees",
                "责任单位",
                format!("“{}”不在本活动的组织范围内", org.name),
            )
            .into());
        }
        let assignment = c.scalar(
            "INSERT INTO assignments (task_id, org_id, org_path) VALUES (?, ?, ?) RETURNING id",
            vals![task, org.id, org.path.as_str()],
        )?;
        for ind in &indicators {
            rollup::bump(c, &org.path, &assigned_metric(ind.id), "", 1)?;
            if ind.measure.computed() {
                let v = measures::compute(c, org.id, &ind.measure, campaign.year)?;
                measures::set_value(c, assignment, &org.path, ind, v, 0)?;
            }
        }
    }
    Ok(task)
}

#[derive(Debug, Clone)]
pub struct Indicator {
    pub id: i64,
    pub task_id: i64,
    pub label: String,
    pub target: Target,
    pub measure: Measure,
}

/// The columns `indicator_row` reads (from `indicators n`); a query may add more after them.
pub(crate) const INDICATOR_COLS: &str =
    "n.id, n.task_id, n.label, n.quantity, n.quantity_max, n.unit, n.comparator, n.measure, n.source";

/// Reads `INDICATOR_COLS` by name.
pub(crate) fn indicator_row(r: &Row) -> Result<Indicator> {
    Ok(Indicator {
        id: r.i64("id")?,
        task_id: r.i64("task_id")?,
        label: r.text("label")?,
        target: Target {
            quantity: r.f64("quantity")?,
            quantity_max: r.opt_f64("quantity_max")?,
            unit: r.text("unit")?,
            comparator: Comparator::parse(&r.text("comparator")?).unwrap_or(Comparator::AtLeast),
        },
        measure: Measure::from_stored(&r.text("measure")?, &r.text("source")?),
    })
}

/// A task with its category and indicators.
#[derive(Debug, Clone)]
pub struct Task {
    pub id: i64,
    pub category: String,
    pub title: String,
    pub detail: String,
    pub lead: String,
    pub due_on: Option<String>,
    pub indicators: Vec<Indicator>,
    pub kind: TaskKind,
    pub plan_key: Option<String>,
    /// The day a later version of its plan no longer held it (kept, listed as removed).
    pub removed_on: Option<String>,
}

impl Task {
    pub fn due(&self) -> Option<NaiveDate> {
        self.due_on
            .as_deref()
            .and_then(xianfeng_domain::date::parse)
    }
}

pub fn tasks(c: &mut dyn Conn, campaign_id: i64) -> Result<Vec<Task>> {
    let mut out: Vec<Task> = c
        .query(
            "SELECT t.id, COALESCE(i.title, ''), t.title, t.detail, t.lead, t.due_on, t.kind, t.plan_key, t.removed_on FROM tasks t
             LEFT JOIN campaign_items i ON i.id = t.item_id WHERE t.campaign_id = ? ORDER BY i.position, t.id",
            vals![campaign_id],
        )?
        .into_iter()
        .map(|r| Ok(Task {
            id: r.i64(0)?,
            category: r.text(1)?,
            title: r.text(2)?,
            detail: r.text(3)?,
            lead: r.text(4)?,
            due_on: r.opt_text(5)?,
            indicators: vec![],
            kind: TaskKind::parse(&r.text(6)?).unwrap_or(TaskKind::Quantitative),
            plan_key: r.opt_text(7)?,
            removed_on: r.opt_text(8)?,
        }))
        .collect::<Result<_>>()?;
    let inds: Vec<Indicator> = c
        .query(
            &format!(
                "SELECT {INDICATOR_COLS} FROM indicators n
                 JOIN tasks t ON t.id = n.task_id WHERE t.campaign_id = ? ORDER BY n.id"
            ),
            vals![campaign_id],
        )?
        .iter()
        .map(indicator_row)
        .collect::<Result<Vec<_>>>()?;
    for t in &mut out {
        t.indicators = inds.iter().filter(|i| i.task_id == t.id).cloned().collect();
    }
    Ok(out)
}

/// One organisation's share of a task.
#[derive(Debug, Clone)]
pub struct Assignment {
    pub id: i64,
    pub task_id: i64,
    pub campaign_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    /// A 定性 task's completion report: awaiting acceptance, accepted or returned.
    pub review: Option<Review>,
    pub review_reason: String,
    /// The 第一责任人 (an account) named by the assigning level.
    pub responsible_id: Option<i64>,
}

const ASSIGNMENT_COLS: &str =
    "a.id, a.task_id, t.campaign_id, a.org_id, o.name AS org_name, a.org_path, a.review, a.review_reason, a.responsible_id";

fn assignment_row(r: &Row) -> Result<Assignment> {
    Ok(Assignment {
        id: r.i64("id")?,
        task_id: r.i64("task_id")?,
        campaign_id: r.i64("campaign_id")?,
        org_id: r.i64("org_id")?,
        org_name: r.text("org_name")?,
        org_path: r.text("org_path")?,
        review: Review::parse(&r.text("review")?),
        review_reason: r.text("review_reason")?,
        responsible_id: r.opt_i64("responsible_id")?,
    })
}

pub fn assignment(c: &mut dyn Conn, id: i64) -> Result<Option<Assignment>> {
    c.query_opt(
        &format!("SELECT {ASSIGNMENT_COLS} FROM assignments a JOIN tasks t ON t.id = a.task_id JOIN orgs o ON o.id = a.org_id WHERE a.id = ?"),
        vals![id],
    )?
    .as_ref()
    .map(assignment_row).transpose()
}

/// The current figure of each indicator of an assignment (`None`: nothing reported).
pub fn current(c: &mut dyn Conn, assignment_id: i64) -> Result<Vec<(i64, f64)>> {
    c.query(
        "SELECT indicator_id, quantity FROM progress_now WHERE assignment_id = ?",
        vals![assignment_id],
    )?
    .into_iter()
    .map(|r| Ok((r.i64(0)?, r.f64(1)?)))
    .collect::<Result<_>>()
}

/// Appends a progress report for one indicator and moves the roll-ups by the difference.
/// Refused on a closed campaign. Evidence files (already checked) are stored by content.
pub fn report(
    c: &mut dyn Conn,
    actor: &Actor,
    a: &Assignment,
    indicator: &Indicator,
    d: &ReportDraft,
    evidence: &[(String, String, Vec<u8>)],
) -> Result<i64> {
    let campaign = get(c, a.campaign_id)?.ok_or(StoreError::NotFound("活动"))?;
    if !campaign.open() {
        return Err(StoreError::Conflict("活动已结束，不能再报送进展".into()));
    }
    if indicator.task_id != a.task_id {
        return Err(StoreError::NotFound("指标"));
    }
    if task_kind(c, a.task_id)? == TaskKind::Qualitative {
        return Err(StoreError::Conflict(
            "定性任务请报送完成情况，由上级验收后计为完成".into(),
        ));
    }
    if indicator.measure.computed() {
        return Err(StoreError::Conflict(format!(
            "“{}”由系统根据{}，无需上报",
            indicator.label,
            indicator.measure.describe()
        )));
    }
    let id = c.scalar(
        "INSERT INTO progress_reports (assignment_id, indicator_id, quantity, narrative, actor_id, at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        &[
            Value::Int(a.id),
            Value::Int(indicator.id),
            Value::Real(d.quantity),
            d.narrative.as_str().into(),
            Value::Int(actor.account_id),
            now_text().into(),
        ],
    )?;
    let before = measures::set_value(c, a.id, &a.org_path, indicator, d.quantity, id)?;
    // Each report is an occurrence of the campaign's 报告 cadence (一周一报告) for the assignee.
    let assignee = orgs::require(c, a.org_id)?;
    crate::engines::cadence::record(
        c,
        &assignee,
        &xianfeng_domain::plan_rules::report_activity(campaign.id),
        xianfeng_domain::date::today(),
        1,
    )?;
    for (name, mime, bytes) in evidence {
        let sha = crate::files::put(c, mime, bytes)?;
        c.execute(
            "INSERT INTO report_files (report_id, sha256, name) VALUES (?, ?, ?) ON CONFLICT (report_id, sha256) DO NOTHING",
            vals![id, sha.as_str(), name.as_str()],
        )?;
    }
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(a.org_id),
            action: "campaign.report",
            entity: "assignment",
            entity_id: Some(a.id),
            before: json!({"quantity": before}),
            after: json!({"indicator_id": indicator.id, "quantity": d.quantity, "files": evidence.len()}),
        },
    )?;
    Ok(id)
}

/// A task's kind as stored.
pub fn task_kind(c: &mut dyn Conn, task_id: i64) -> Result<TaskKind> {
    let kind = c
        .query_opt("SELECT kind FROM tasks WHERE id = ?", vals![task_id])?
        .ok_or(StoreError::NotFound("任务"))?
        .text(0)?;
    Ok(TaskKind::parse(&kind).unwrap_or(TaskKind::Quantitative))
}

/// A report in an assignment's history.
#[derive(Debug, Clone)]
pub struct Report {
    pub id: i64,
    pub indicator_label: String,
    pub quantity: f64,
    pub narrative: String,
    pub at: String,
    pub files: Vec<(String, String)>,
}

pub fn history(c: &mut dyn Conn, assignment_id: i64) -> Result<Vec<Report>> {
    let mut out: Vec<Report> = c
        .query(
            "SELECT r.id, n.label, r.quantity, r.narrative, r.at FROM progress_reports r JOIN indicators n ON n.id = r.indicator_id
             WHERE r.assignment_id = ? ORDER BY r.id DESC LIMIT 100",
            vals![assignment_id],
        )?
        .into_iter()
        .map(|r| Ok(Report {
            id: r.i64(0)?,
            indicator_label: r.text(1)?,
            quantity: r.f64(2)?,
            narrative: r.text(3)?,
            at: r.text(4)?,
            files: vec![],
        }))
        .collect::<Result<_>>()?;
    for r in &mut out {
        r.files = c
            .query(
                "SELECT sha256, name FROM report_files WHERE report_id = ? ORDER BY name",
                vals![r.id],
            )?
            .into_iter()
            .map(|x| Ok((x.text(0)?, x.text(1)?)))
            .collect::<Result<_>>()?;
    }
    Ok(out)
}

/// Whether `sha` is evidence of a report of `assignment_id`.
pub fn has_evidence(c: &mut dyn Conn, assignment_id: i64, sha: &str) -> Result<bool> {
    Ok(c.query_opt(
        "SELECT 1 FROM report_files f JOIN progress_reports r ON r.id = f.report_id WHERE r.assignment_id = ? AND f.sha256 = ?",
        vals![assignment_id, sha],
    )?
    .is_some())
}

/// Ends a campaign: reports are refused from then on.
pub fn close(c: &mut dyn Conn, actor: &Actor, campaign: &Campaign) -> Result<()> {
    c.execute(
        "UPDATE campaigns SET status = ? WHERE id = ?",
        vals![CLOSED, campaign.id],
    )?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(campaign.org_id),
            action: "campaign.close",
            entity: "campaign",
            entity_id: Some(campaign.id),
            before: json!({"status": campaign.status}),
            after: json!({"status": CLOSED}),
        },
    )?;
    Ok(())
}

/// Progress of a category (or any set of indicators) seen from `root`: organisations that met
/// each indicator out of those given it.
#[derive(Debug, Clone)]
pub struct Share {
    pub label: String,
    pub done: i64,
    pub assigned: i64,
}

impl Share {
    pub fn pct(&self) -> i64 {
        if self.assigned == 0 {
            0
        } else {
            self.done * 100 / self.assigned
        }
    }
}

/// Per category: met / assigned over its indicators, in `root`'s subtree (counters only).
pub fn categories(c: &mut dyn Conn, tasks: &[Task], root: &Org) -> Result<Vec<Share>> {
    let mut out: Vec<Share> = Vec::new();
    for t in tasks {
        let mut done = 0;
        let mut assigned = 0;
        for i in &t.indicators {
            done += rollup::get(c, root.id, &done_metric(i.id), "")?.1;
            assigned += rollup::get(c, root.id, &assigned_metric(i.id), "")?.1;
        }
        match out.iter_mut().find(|s| s.label == t.category) {
            Some(s) => {
                s.done += done;
                s.assigned += assigned;
            }
            None => out.push(Share {
                label: t.category.clone(),
                done,
                assigned,
            }),
        }
    }
    Ok(out)
}

/// The organisations directly under `root` ranked by the share of their indicators met.
pub fn ranking(c: &mut dyn Conn, tasks: &[Task], root: &Org) -> Result<Vec<(Org, Share)>> {
    let kids: Vec<Org> = orgs::children(c, root.id)?
        .into_iter()
        .filter(|o| o.dissolved_on.is_none())
        .collect();
    let ids: Vec<i64> = kids.iter().map(|o| o.id).collect();
    let mut done = std::collections::HashMap::<i64, i64>::new();
    let mut assigned = std::collections::HashMap::<i64, i64>::new();
    for i in tasks.iter().flat_map(|t| &t.indicators) {
        for (org, n) in rollup::subtree_many(c, &ids, &done_metric(i.id))? {
            *done.entry(org).or_default() += n;
        }
        for (org, n) in rollup::subtree_many(c, &ids, &assigned_metric(i.id))? {
            *assigned.entry(org).or_default() += n;
        }
    }
    let mut out: Vec<(Org, Share)> = kids
        .into_iter()
        .filter_map(|o| {
            let a = assigned.get(&o.id).copied().unwrap_or(0);
            (a > 0).then(|| {
                let s = Share {
                    label: o.name.clone(),
                    done: done.get(&o.id).copied().unwrap_or(0),
                    assigned: a,
                };
                (o, s)
            })
        })
        .collect();
    out.sort_by_key(|(o, s)| (std::cmp::Reverse(s.pct()), std::cmp::Reverse(s.done), o.id));
    Ok(out)
}

/// One line of the red/yellow/green list.
#[derive(Debug, Clone)]
pub struct Standing {
    pub assignment_id: i64,
    pub org_name: String,
    pub task: String,
    pub indicator: String,
    pub value: Option<f64>,
    pub target: String,
    pub status: TaskStatus,
    pub pct: i64,
}

/// Every assignment of the campaign inside `root`'s subtree with its status, worst first.
pub fn standings(
    c: &mut dyn Conn,
    campaign_id: i64,
    tasks: &[Task],
    root_path: &str,
    today: NaiveDate,
    limit: i64,
) -> Result<Vec<Standing>> {
    let rows = c.query(
        &format!(
            "SELECT {ASSIGNMENT_COLS} FROM assignments a JOIN tasks t ON t.id = a.task_id JOIN orgs o ON o.id = a.org_id
             WHERE t.campaign_id = ? AND a.org_path >= ? AND a.org_path < ? ORDER BY a.org_path, a.id LIMIT ?"
        ),
        vals![campaign_id, root_path, path::upper(root_path), limit],
    )?;
    let mut out = Vec::new();
    for r in rows {
        let a = assignment_row(&r)?;
        let Some(task) = tasks.iter().find(|t| t.id == a.task_id) else {
            continue;
        };
        let now = current(c, a.id)?;
        for i in &task.indicators {
            let value = now.iter().find(|(id, _)| *id == i.id).map(|(_, v)| *v);
            out.push(Standing {
                assignment_id: a.id,
                org_name: a.org_name.clone(),
                task: task.title.clone(),
                indicator: i.label.clone(),
                value,
                target: if task.kind == TaskKind::Qualitative {
                    "上级验收".into()
                } else {
                    i.target.describe()
                },
                status: task_status(&i.target, value, task.due(), today),
                pct: value.map_or(0, |v| i.target.percent(v)),
            });
        }
    }
    let rank = |s: &TaskStatus| match s {
        TaskStatus::Overdue => 0,
        TaskStatus::NotStarted => 1,
        TaskStatus::InProgress => 2,
        TaskStatus::Done => 3,
    };
    out.sort_by_key(|s| (rank(&s.status), s.pct));
    Ok(out)
}

/// Assignments of `campaign_id` an organisation at `scope_path` (or below) carries.
pub fn assignments_in(
    c: &mut dyn Conn,
    campaign_id: i64,
    scope_path: &str,
) -> Result<Vec<Assignment>> {
    c.query(
        &format!(
            "SELECT {ASSIGNMENT_COLS} FROM assignments a JOIN tasks t ON t.id = a.task_id JOIN orgs o ON o.id = a.org_id
             WHERE t.campaign_id = ? AND a.org_path >= ? AND a.org_path < ? ORDER BY a.org_path, a.id LIMIT 500"
        ),
        vals![campaign_id, scope_path, path::upper(scope_path)],
    )?
    .iter()
    .map(assignment_row)
    .collect::<Result<Vec<_>>>()
}

/// Recomputes every indicator roll-up (`ind:*`) from assignments and the latest reports:
/// after a bulk load, and to check the incremental figures.
pub fn rebuild_rollups(c: &mut dyn Conn) -> Result<()> {
    let inds: std::collections::HashMap<i64, Indicator> = c
        .query(&format!("SELECT {INDICATOR_COLS} FROM indicators n"), &[])?
        .iter()
        .map(|r| Ok((r.i64("id")?, indicator_row(r)?)))
        .collect::<Result<_>>()?;
    let mut direct = Vec::new();
    for r in c.query(
        "SELECT a.org_id, n.id FROM assignments a JOIN indicators n ON n.task_id = a.task_id",
        &[],
    )? {
        direct.push((r.i64(0)?, assigned_metric(r.i64(1)?), String::new(), 1));
    }
    for r in c.query(
        "SELECT a.org_id, p.indicator_id, p.quantity FROM progress_now p JOIN assignments a ON a.id = p.assignment_id",
        &[],
    )? {
        let (org, ind, q) = (r.i64(0)?, r.i64(1)?, r.f64(2)?);
        direct.push((org, value_metric(ind), String::new(), (q * SCALE).round() as i64));
        if inds.get(&ind).is_some_and(|i| i.target.met(q)) {
            direct.push((org, done_metric(ind), String::new(), 1));
        }
    }
    let totals = rollup::accumulate(c, direct)?;
    c.execute("DELETE FROM rollups WHERE metric LIKE 'ind:%'", &[])?;
    rollup::insert_totals(c, totals)
}

/// Every indicator roll-up as stored, for comparison after `rebuild_rollups`.
pub fn stored_rollups(c: &mut dyn Conn) -> Result<rollup::Totals> {
    c
        .query(
            "SELECT org_id, metric, period, direct, subtree FROM rollups WHERE metric LIKE 'ind:%' AND (direct <> 0 OR subtree <> 0)",
            &[],
        )?
        .into_iter()
        .map(|r| Ok(((r.i64(0)?, r.text(1)?, r.text(2)?), (r.i64(3)?, r.i64(4)?))))
        .collect::<Result<_>>()
}

/// Replaces a campaign's phases (实施步骤). Each needs a name; start and end are kept as
/// written (6月上旬, or a date), and two dates must be in order.
pub fn set_phases(
    c: &mut dyn Conn,
    actor: &Actor,
    campaign: &Campaign,
    list: &[Phase],
) -> Result<()> {
    let mut e = xianfeng_domain::error::Collector::default();
    for (i, p) in list.iter().enumerate() {
        let label = format!("第{}阶段", i + 1);
        if p.name.trim().is_empty() || p.name.chars().count() > 30 {
            e.push(&format!("name{i}"), &label, "阶段名称应为1–30个字");
        }
        if p.starts.chars().count() > 20 || p.ends.chars().count() > 20 {
            e.push(&format!("starts{i}"), &label, "起止时间不超过20个字");
        }
        if let (Some(a), Some(b)) = (
            xianfeng_domain::date::parse(&p.starts),
            xianfeng_domain::date::parse(&p.ends),
        ) {
            if a > b {
                e.push(&format!("ends{i}"), &label, "结束时间不能早于开始时间");
            }
        }
    }
    e.finish(())?;
    let before = phases(c, campaign.id)?;
    c.execute(
        "DELETE FROM campaign_phases WHERE campaign_id = ?",
        vals![campaign.id],
    )?;
    for (i, p) in list.iter().enumerate() {
        c.execute(
            "INSERT INTO campaign_phases (campaign_id, position, name, starts, ends) VALUES (?, ?, ?, ?, ?)",
            vals![campaign.id, i as i64, p.name.trim(), p.starts.trim(), p.ends.trim()],
        )?;
    }
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(campaign.org_id),
            action: "campaign.phases",
            entity: "campaign",
            entity_id: Some(campaign.id),
            before: json!(before
                .iter()
                .map(|p| [&p.name, &p.starts, &p.ends])
                .collect::<Vec<_>>()),
            after: json!(list
                .iter()
                .map(|p| [&p.name, &p.starts, &p.ends])
                .collect::<Vec<_>>()),
        },
    )?;
    Ok(())
}

/// Moves a date by whole years (29 February becomes 28 February).
fn shift_years(d: NaiveDate, years: i32) -> NaiveDate {
    use chrono::Datelike;
    let y = d.year() + years;
    NaiveDate::from_ymd_opt(y, d.month(), d.day())
        .or_else(|| NaiveDate::from_ymd_opt(y, d.month(), 28))
        .unwrap_or(d)
}

/// Starts `year`'s edition of a campaign from last year's: same phases, categories, tasks,
/// indicators and assignees still in the tree, due dates and dated phases moved by the years
/// between; no reports. Returns the new campaign.
pub fn copy(c: &mut dyn Conn, actor: &Actor, src: &Campaign, year: i64) -> Result<i64> {
    xianfeng_domain::campaign::check_copy_year(src.year, year)?;
    let org = orgs::require(c, src.org_id)?;
    let title = src.title.replace(&src.year.to_string(), &year.to_string());
    let years = (year - src.year) as i32;
    let moved = |t: &str| match xianfeng_domain::date::parse(t) {
        Some(d) => shift_years(d, years).to_string(),
        None => t.to_string(),
    };
    let steps: Vec<Phase> = phases(c, src.id)?
        .into_iter()
        .map(|p| Phase {
            starts: moved(&p.starts),
            ends: moved(&p.ends),
            name: p.name,
        })
        .collect();
    let id = create(c, actor, &org, &title, year, None, &steps)?;
    let camp = get(c, id)?.ok_or(StoreError::NotFound("活动"))?;
    for t in tasks(c, src.id)? {
        let assignees: Vec<i64> = c
            .query(
                "SELECT a.org_id FROM assignments a JOIN orgs o ON o.id = a.org_id WHERE a.task_id = ? AND o.dissolved_on IS NULL AND o.path >= ? AND o.path < ? ORDER BY a.id",
                vals![t.id, org.path.as_str(), path::upper(&org.path)],
            )?
            .into_iter()
            .map(|r| r.i64(0))
            .collect::<Result<_>>()?;
        if assignees.is_empty() {
            continue;
        }
        add_task(
            c,
            &camp,
            &NewTask {
                category: t.category.clone(),
                title: t.title.clone(),
                detail: t.detail.clone(),
                lead: t.lead.clone(),
                due_on: t.due().map(|d| shift_years(d, years)),
                indicators: t
                    .indicators
                    .iter()
                    .map(|i| (i.label.clone(), i.target.clone(), i.measure.clone()))
                    .collect(),
                assignees,
                kind: Some(t.kind),
                plan_key: t.plan_key.clone(),
            },
        )?;
    }
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(org.id),
            action: "campaign.copy",
            entity: "campaign",
            entity_id: Some(id),
            before: json!({"from": src.id}),
            after: json!({"year": year, "title": title}),
        },
    )?;
    Ok(id)
}
