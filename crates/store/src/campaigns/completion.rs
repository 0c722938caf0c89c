//! 定性 tasks: an assignee reports the task done (a narrative and evidence), the level above
//! accepts it or returns it with a reason, and a returned report can be made again. The report
//! is an ordinary progress report (append-only, evidence in `report_files`); where it stands
//! is the assignment's `review`, moved only by conditional UPDATEs so that two decisions can
//! never both apply. Acceptance sets the task's one indicator to 1 through
//! `measures::set_value`, so the roll-up engine counts the share of assignees accepted.
//! Also here: each assignment's 第一责任人 and the 我的任务 list it feeds.

use serde_json::json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::campaign::{check_return_reason, CompletionInput, Review, TaskKind};
use xianfeng_domain::path;

use crate::audit::{self, Record};
use crate::campaigns::{self, measures, Assignment, Indicator};
use crate::db::{Conn, Value};
use crate::{now_text, vals, Result, StoreError};

/// The 定性 task's one indicator, refused for any other kind of task.
fn accepted_indicator(c: &mut dyn Conn, a: &Assignment) -> Result<Indicator> {
    if campaigns::task_kind(c, a.task_id)? != TaskKind::Qualitative {
        return Err(StoreError::Conflict(
            "只有定性任务通过报送完成情况、上级验收完成".into(),
        ));
    }
    c.query_opt(
        &format!(
            "SELECT {} FROM indicators n WHERE n.task_id = ? ORDER BY n.id LIMIT 1",
            campaigns::INDICATOR_COLS
        ),
        vals![a.task_id],
    )?
    .as_ref()
    .map(campaigns::indicator_row)
    .transpose()?
    .ok_or(StoreError::NotFound("指标"))
}

fn open_campaign(c: &mut dyn Conn, a: &Assignment) -> Result<campaigns::Campaign> {
    let campaign = campaigns::get(c, a.campaign_id)?.ok_or(StoreError::NotFound("活动"))?;
    if !campaign.open() {
        return Err(StoreError::Conflict("活动已结束，不能再报送或验收".into()));
    }
    Ok(campaign)
}

/// Reports a 定性 task done: by the assignee's own cadres, while it has no
/// report awaiting acceptance and is not accepted. Evidence (already checked) is required.
pub fn report_done(
    c: &mut dyn Conn,
    actor: &Actor,
    a: &Assignment,
    input: &CompletionInput,
    evidence: &[(String, String, Vec<u8>)],
) -> Result<i64> {
    if !actor.can_report_task(&a.org_path) {
        return Err(StoreError::Conflict(format!(
            "只有{}的党务工作者能报送该任务的完成情况（上级负责验收）",
            a.org_name
        )));
    }
    open_campaign(c, a)?;
    let indicator = accepted_indicator(c, a)?;
    let narrative = input.validate(evidence.len())?;
    let id = c.scalar(
        "INSERT INTO progress_reports (assignment_id, indicator_id, quantity, narrative, actor_id, at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        &[
            Value::Int(a.id),
            Value::Int(indicator.id),
            Value::Real(1.0),
            narrative.as_str().into(),
            Value::Int(actor.account_id),
            now_text().into(),
        ],
    )?;
    let moved = c.execute(
        "UPDATE assignments SET review = ?, review_reason = '', review_report_id = ? WHERE id = ? AND review IN ('', ?)",
        vals![Review::Pending.label(), id, a.id, Review::Returned.label()],
    )?;
    if moved == 0 {
        return Err(StoreError::Conflict(
            "已报送完成情况，正在等待验收或已验收，不能重复报送".into(),
        ));
    }
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
            action: "campaign.report_done",
            entity: "assignment",
            entity_id: Some(a.id),
            before: json!({"review": a.review.map(|r| r.label())}),
            after: json!({"review": Review::Pending.label(), "report_id": id, "files": evidence.len()}),
        },
    )?;
    Ok(id)
}

/// Accepts (`reason` ignored) or returns (`reason` required) the report awaiting acceptance.
/// Only one decision applies: the UPDATE is conditional on the report still awaiting one.
pub fn decide(
    c: &mut dyn Conn,
    actor: &Actor,
    a: &Assignment,
    accept: bool,
    reason: &str,
) -> Result<Review> {
    let campaign = open_campaign(c, a)?;
    if !actor.can_accept_task(&campaign.org_path, &a.org_path) {
        return Err(StoreError::Conflict(format!(
            "只有{}的上级组织能验收或退回其完成情况",
            a.org_name
        )));
    }
    let indicator = accepted_indicator(c, a)?;
    let (to, reason) = if accept {
        (Review::Accepted, String::new())
    } else {
        (Review::Returned, check_return_reason(reason)?)
    };
    let report_id = c
        .query_opt(
            "SELECT review_report_id FROM assignments WHERE id = ?",
            vals![a.id],
        )?
        .and_then(|r| r.opt_i64(0).transpose())
        .transpose()?
        .unwrap_or(0);
    let moved = c.execute(
        "UPDATE assignments SET review = ?, review_reason = ? WHERE id = ? AND review = ?",
        vals![to.label(), reason.as_str(), a.id, Review::Pending.label()],
    )?;
    if moved == 0 {
        return Err(StoreError::Conflict(
            "没有待验收的完成情况（可能已被验收或退回）".into(),
        ));
    }
    if accept {
        measures::set_value(c, a.id, &a.org_path, &indicator, 1.0, report_id)?;
    }
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(a.org_id),
            action: if accept {
                "campaign.accept"
            } else {
                "campaign.return"
            },
            entity: "assignment",
            entity_id: Some(a.id),
            before: json!({"review": Review::Pending.label()}),
            after: json!({"review": to.label(), "reason": reason, "report_id": report_id}),
        },
    )?;
    Ok(to)
}

/// Names (or clears) an assignment's 第一责任人: by whoever manages the campaign's organisation,
/// an account scoped at the assignee or inside it.
pub fn set_responsible(
    c: &mut dyn Conn,
    actor: &Actor,
    a: &Assignment,
    account_id: Option<i64>,
) -> Result<()> {
    let campaign = campaigns::get(c, a.campaign_id)?.ok_or(StoreError::NotFound("活动"))?;
    if !actor.can_manage_town(&campaign.org_path) {
        return Err(StoreError::Conflict(
            "只有发布该活动的组织能指定第一责任人".into(),
        ));
    }
    if let Some(id) = account_id {
        let row = crate::people::accounts::get_row(c, id)?;
        match row {
            Some(r)
                if !r.disabled
                    && r.role != xianfeng_domain::auth::Role::Member
                    && path::within(&r.org_path, &a.org_path) => {}
            _ => {
                return Err(xianfeng_domain::Invalid::one(
                    "responsible",
                    "第一责任人",
                    format!("请选择{}或其下级组织的党务工作者账号", a.org_name),
                )
                .into())
            }
        }
    }
    c.execute(
        "UPDATE assignments SET responsible_id = ? WHERE id = ?",
        vals![account_id, a.id],
    )?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(a.org_id),
            action: "campaign.responsible",
            entity: "assignment",
            entity_id: Some(a.id),
            before: json!({"responsible_id": a.responsible_id}),
            after: json!({"responsible_id": account_id}),
        },
    )?;
    Ok(())
}

/// One line of 我的任务.
#[derive(Debug, Clone)]
pub struct MyTask {
    pub assignment_id: i64,
    pub campaign: String,
    pub task: String,
    pub kind: TaskKind,
    pub org_name: String,
    pub due_on: Option<String>,
    pub review: Option<Review>,
}

/// The assignments whose 第一责任人 is `account_id`, in open campaigns, soonest due first.
pub fn mine(c: &mut dyn Conn, account_id: i64) -> Result<Vec<MyTask>> {
    c.query(
        "SELECT a.id, cp.title, t.title, t.kind, o.name, t.due_on, a.review
         FROM assignments a JOIN tasks t ON t.id = a.task_id JOIN campaigns cp ON cp.id = t.campaign_id
         JOIN orgs o ON o.id = a.org_id
         WHERE a.responsible_id = ? AND cp.status = ? AND t.removed_on IS NULL
         ORDER BY CASE WHEN t.due_on IS NULL THEN 1 ELSE 0 END, t.due_on, a.id LIMIT 200",
        vals![account_id, campaigns::OPEN],
    )?
    .into_iter()
    .map(|r| {
        Ok(MyTask {
            assignment_id: r.i64(0)?,
            campaign: r.text(1)?,
            task: r.text(2)?,
            kind: TaskKind::parse(&r.text(3)?).unwrap_or(TaskKind::Quantitative),
            org_name: r.text(4)?,
            due_on: r.opt_text(5)?,
            review: Review::parse(&r.text(6)?),
        })
    })
    .collect()
}

/// Reports awaiting acceptance an actor may decide, in campaigns visible to them.
pub fn awaiting(c: &mut dyn Conn, actor: &Actor, campaign_id: i64) -> Result<Vec<Assignment>> {
    let campaign = campaigns::get(c, campaign_id)?.ok_or(StoreError::NotFound("活动"))?;
    Ok(
        campaigns::assignments_in(c, campaign_id, &actor.scope_path)?
            .into_iter()
            .filter(|a| {
                a.review == Some(Review::Pending)
                    && actor.can_accept_task(&campaign.org_path, &a.org_path)
            })
            .collect(),
    )
}

/// Accounts that may be named 第一责任人 of an assignment at `org_path`: enabled staff accounts
/// scoped there or below.
pub fn candidates(c: &mut dyn Conn, org_path: &str) -> Result<Vec<(i64, String)>> {
    Ok(crate::people::accounts::list_in(c, org_path)?
        .into_iter()
        .filter(|r| !r.disabled && r.role != xianfeng_domain::auth::Role::Member)
        .map(|r| (r.id, format!("{}（{}）", r.display_name, r.org_name)))
        .collect())
}
