//! The workflow engine's records: definitions, instances, their append-only history and the
//! objections filed during public notice. `domain::workflow::decide` makes every decision;
//! this module supplies what it needs (the acting level, the quota in use, open objections),
//! applies the result with a conditional update and appends history and audit.

use chrono::{Duration, NaiveDate};
use serde_json::json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::org::Org;
use xianfeng_domain::path;
use xianfeng_domain::workflow::{decide, Acting, Action, Definition, Level, Situation, Stage};
use xianfeng_domain::Invalid;

use crate::audit::{self, Record};
use crate::db::{Conn, Dialect, Row};
use crate::{now_text, people::orgs, vals, Result, StoreError};

pub fn define(c: &mut dyn Conn, org: &Org, def: &Definition) -> Result<i64> {
    def.check()?;
    let body = serde_json::to_string(def).map_err(|e| StoreError::Db(e.to_string()))?;
    c.scalar(
        "INSERT INTO workflow_definitions (org_id, org_path, name, body, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        vals![org.id, org.path.as_str(), def.name.as_str(), body, now_text()],
    )
}

pub fn definition(c: &mut dyn Conn, id: i64) -> Result<Definition> {
    let r = c
        .query_opt(
            "SELECT body FROM workflow_definitions WHERE id = ?",
            vals![id],
        )?
        .ok_or(StoreError::NotFound("审批流程"))?;
    serde_json::from_str(&r.text(0)?).map_err(|e| StoreError::Db(format!("审批流程配置损坏：{e}")))
}

#[derive(Debug, Clone)]
pub struct Instance {
    pub id: i64,
    pub definition_id: i64,
    pub origin_id: i64,
    pub origin_path: String,
    pub origin_name: String,
    pub subject_kind: String,
    pub subject_id: i64,
    pub subject_name: String,
    pub summary: String,
    pub stage: Stage,
    pub notice_from: Option<NaiveDate>,
    pub notice_until: Option<NaiveDate>,
    pub created_at: String,
}

const COLUMNS: &str = "i.id, i.definition_id, i.origin_id, i.origin_path, o.name AS origin_name, i.subject_kind, i.subject_id, i.subject_name, i.summary, i.stage, i.notice_from, i.notice_until, i.created_at";

fn date(v: Option<String>) -> Option<NaiveDate> {
    v.and_then(|s| s.parse().ok())
}

fn instance_row(r: &Row) -> Result<Instance> {
    Ok(Instance {
        id: r.i64("id")?,
        definition_id: r.i64("definition_id")?,
        origin_id: r.i64("origin_id")?,
        origin_path: r.text("origin_path")?,
        origin_name: r.text("origin_name")?,
        subject_kind: r.text("subject_kind")?,
        subject_id: r.i64("subject_id")?,
        subject_name: r.text("subject_name")?,
        summary: r.text("summary")?,
        stage: Stage::from_code(&r.text("stage")?).unwrap_or(Stage::Rejected),
        notice_from: date(r.opt_text("notice_from")?),
        notice_until: date(r.opt_text("notice_until")?),
        created_at: r.text("created_at")?,
    })
}

pub fn instance(c: &mut dyn Conn, id: i64) -> Result<Instance> {
    c.query_opt(
        &format!("SELECT {COLUMNS} FROM workflow_instances i JOIN orgs o ON o.id = i.origin_id WHERE i.id = ?"),
        vals![id],
    )?
    .map(|r| instance_row(&r))
    .ok_or(StoreError::NotFound("审批事项"))?
}

/// Instances of one definition started under `scope` (newest first).
pub fn list(c: &mut dyn Conn, definition_id: i64, scope: &str) -> Result<Vec<Instance>> {
    c
        .query(
            &format!(
                "SELECT {COLUMNS} FROM workflow_instances i JOIN orgs o ON o.id = i.origin_id
                 WHERE i.definition_id = ? AND i.origin_path >= ? AND i.origin_path < ? ORDER BY i.id DESC LIMIT 500"
            ),
            vals![definition_id, scope, path::upper(scope)],
        )?
        .iter()
        .map(instance_row)
        .collect::<Result<Vec<_>>>()
}

/// Instances in public notice (or with an objection open) under `scope`.
pub fn in_notice(c: &mut dyn Conn, scope: &str, offset: i64, limit: i64) -> Result<Vec<Instance>> {
    c
        .query(
            &format!(
                "SELECT {COLUMNS} FROM workflow_instances i JOIN orgs o ON o.id = i.origin_id
                 WHERE i.stage IN ('notice', 'objected') AND i.origin_path >= ? AND i.origin_path < ? ORDER BY i.notice_until, i.id LIMIT ? OFFSET ?"
            ),
            vals![scope, path::upper(scope), limit.max(0), offset.max(0)],
        )?
        .iter()
        .map(instance_row)
        .collect::<Result<Vec<_>>>()
}

/// What starting an instance needs.
pub struct Start<'a> {
    pub definition_id: i64,
    pub origin: &'a Org,
    pub subject_kind: &'a str,
    pub subject_id: i64,
    pub subject_name: &'a str,
    pub summary: &'a str,
}

/// Starts an instance at its first step and records who started it.
pub fn start(c: &mut dyn Conn, actor: &Actor, s: &Start<'_>) -> Result<i64> {
    if !actor.can_read_org(&s.origin.path) {
        return Err(Invalid::one("org", "推荐单位", "不在您的管辖范围内").into());
    }
    let now = now_text();
    let first = Stage::Pending(0).code();
    let id = c.scalar(
        "INSERT INTO workflow_instances (definition_id, origin_id, origin_path, subject_kind, subject_id, subject_name, summary, stage, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vals![s.definition_id, s.origin.id, s.origin.path.as_str(), s.subject_kind, s.subject_id, s.subject_name,
              s.summary, first.as_str(), actor.account_id, now.as_str(), now.as_str()],
    )?;
    c.execute(
        "INSERT INTO workflow_history (instance_id, action, from_stage, to_stage, actor_id, actor_name, org_id, comment, at)
         VALUES (?, '发起', '', ?, ?, ?, ?, ?, ?)",
        vals![id, first.as_str(), actor.account_id, actor.display_name.as_str(), s.origin.id, s.summary, now.as_str()],
    )?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(s.origin.id),
            action: "workflow.start",
            entity: "workflow_instance",
            entity_id: Some(id),
            before: json!(null),
            after: json!({"definition": s.definition_id, "subject": s.subject_name, "stage": first}),
        },
    )?;
    Ok(id)
}

fn passed_codes(def: &Definition, n: usize) -> Vec<String> {
    let mut v: Vec<String> = (n + 1..def.steps.len())
        .map(|m| Stage::Pending(m).code())
        .collect();
    v.extend(["notice", "objected", "final"].map(String::from));
    v
}

/// How many instances of `definition_id` started under `holder` have passed step `n`.
pub fn quota_used(
    c: &mut dyn Conn,
    def: &Definition,
    definition_id: i64,
    holder: &str,
    n: usize,
) -> Result<u32> {
    let codes = passed_codes(def, n);
    let marks = vec!["?"; codes.len()].join(", ");
    let mut params = vals![definition_id, holder, path::upper(holder)].to_vec();
    params.extend(codes.into_iter().map(crate::db::Value::from));
    let used = c.scalar(
        &format!(
            "SELECT COUNT(*) FROM workflow_instances WHERE definition_id = ? AND origin_path >= ? AND origin_path < ? AND stage IN ({marks})"
        ),
        &params,
    )?;
    Ok(used as u32)
}

fn open_objections(c: &mut dyn Conn, id: i64) -> Result<u32> {
    Ok(c.scalar(
        "SELECT COUNT(*) FROM workflow_objections WHERE instance_id = ? AND status = 'open'",
        vals![id],
    )? as u32)
}

/// The level and scope an account acts at.
pub fn acting_of(c: &mut dyn Conn, actor: &Actor) -> Result<Level> {
    Ok(Level::of(orgs::require(c, actor.scope_org_id)?.kind))
}

/// Takes `action` on instance `id` as `actor` (or as the public, for an objection) and
/// returns the new stage. Refusals write nothing.
pub fn act(
    c: &mut dyn Conn,
    actor: Option<&Actor>,
    public_name: &str,
    id: i64,
    action: Action,
    comment: &str,
) -> Result<Stage> {
    let inst = instance(c, id)?;
    if c.dialect() == Dialect::Postgres {
        // one decision per definition at a time, so two levels cannot both take the last slot
        c.query(
            "SELECT id FROM workflow_definitions WHERE id = ? FOR UPDATE",
            vals![inst.definition_id],
        )?;
    }
    let def = definition(c, inst.definition_id)?;
    let level = match actor {
        Some(a) => Some(acting_of(c, a)?),
        None => None,
    };
    let acting = actor.zip(level).map(|(a, l)| Acting {
        role: a.role,
        scope_path: &a.scope_path,
        scope_level: l,
    });
    let quota_used = match (inst.stage, action, actor) {
        (Stage::Pending(n), Action::Approve, Some(a)) if n < def.steps.len() => {
            quota_used(c, &def, inst.definition_id, &a.scope_path, n)?
        }
        _ => 0,
    };
    let today = xianfeng_domain::date::today();
    let situation = Situation {
        stage: inst.stage,
        origin_path: &inst.origin_path,
        quota_used,
        today,
        notice_until: inst.notice_until,
        comment,
        open_objections: open_objections(c, id)?,
    };
    let next = decide(&def, &situation, action, acting.as_ref()).map_err(Invalid::from)?;
    let now = now_text();
    let changed = if next == Stage::Notice && matches!(inst.stage, Stage::Pending(_)) {
        let until = today + Duration::days(def.notice_days as i64);
        c.execute(
            "UPDATE workflow_instances SET stage = ?, notice_from = ?, notice_until = ?, updated_at = ? WHERE id = ? AND stage = ?",
            vals![next.code(), today.to_string(), until.to_string(), now.as_str(), id, inst.stage.code()],
        )?
    } else {
        c.execute(
            "UPDATE workflow_instances SET stage = ?, updated_at = ? WHERE id = ? AND stage = ?",
            vals![next.code(), now.as_str(), id, inst.stage.code()],
        )?
    };
    if changed != 1 {
        return Err(StoreError::Conflict(
            "该事项刚被他人办理，请刷新后再试".into(),
        ));
    }
    let name = match actor {
        Some(a) => a.display_name.clone(),
        None => format!("群众：{public_name}"),
    };
    c.execute(
        "INSERT INTO workflow_history (instance_id, action, from_stage, to_stage, actor_id, actor_name, org_id, comment, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        vals![id, action.label(), inst.stage.code(), next.code(), actor.map(|a| a.account_id), name.as_str(),
              actor.map(|a| a.scope_org_id), xianfeng_domain::text::normalize(comment), now.as_str()],
    )?;
    if next == Stage::Final {
        if let Some(a) = actor {
            for follow in crate::FINAL_FOLLOWERS {
                follow(c, a, &inst)?;
            }
        }
    }
    audit::append(
        c,
        Record {
            actor,
            org_id: Some(inst.origin_id),
            action: "workflow.transition",
            entity: "workflow_instance",
            entity_id: Some(id),
            before: json!({"stage": inst.stage.code()}),
            after: json!({"stage": next.code(), "action": action.label(), "comment": comment, "by": name}),
        },
    )?;
    Ok(next)
}

/// The first level revises what it submitted (after a return, or before approving): only
/// while the instance waits at the first step.
pub fn revise(c: &mut dyn Conn, actor: &Actor, id: i64, summary: &str) -> Result<()> {
    let inst = instance(c, id)?;
    let summary = xianfeng_domain::text::normalize(summary);
    let first = definition(c, inst.definition_id)?
        .steps
        .first()
        .map(|s| s.level);
    if inst.stage != Stage::Pending(0)
        || !actor.can_record_life(&inst.origin_path)
        || Some(acting_of(c, actor)?) != first
    {
        return Err(Invalid::one("summary", "主要事迹", "只有推荐单位在待推荐时能修改").into());
    }
    if summary.chars().count() < 10 || summary.chars().count() > 2000 {
        return Err(Invalid::one("summary", "主要事迹", "请填写 10–2000 字的主要事迹").into());
    }
    let now = now_text();
    c.execute(
        "UPDATE workflow_instances SET summary = ?, updated_at = ? WHERE id = ?",
        vals![summary.as_str(), now.as_str(), id],
    )?;
    let stage = inst.stage.code();
    c.execute(
        "INSERT INTO workflow_history (instance_id, action, from_stage, to_stage, actor_id, actor_name, org_id, comment, at)
         VALUES (?, '修改', ?, ?, ?, ?, ?, ?, ?)",
        vals![id, stage.as_str(), stage.as_str(), actor.account_id, actor.display_name.as_str(), actor.scope_org_id, summary.as_str(), now.as_str()],
    )?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(inst.origin_id),
            action: "workflow.revise",
            entity: "workflow_instance",
            entity_id: Some(id),
            before: json!({"summary": inst.summary}),
            after: json!({"summary": summary}),
        },
    )?;
    Ok(())
}

/// A member of the public files an objection during notice.
pub fn object(c: &mut dyn Conn, id: i64, name: &str, contact: &str, content: &str) -> Result<i64> {
    let name = xianfeng_domain::text::normalize(name);
    let content = xianfeng_domain::text::normalize(content);
    if name.is_empty() || name.chars().count() > 20 {
        return Err(Invalid::one("name", "姓名", "请填写 1–20 字的姓名（实名反映）").into());
    }
    if content.chars().count() < 5 || content.chars().count() > 1000 {
        return Err(Invalid::one("content", "异议内容", "请写明具体事实，5–1000 字").into());
    }
    act(c, None, &name, id, Action::Object, &content)?;
    c.scalar(
        "INSERT INTO workflow_objections (instance_id, filed_by, contact, content, status, filed_at) VALUES (?, ?, ?, ?, 'open', ?) RETURNING id",
        vals![id, name.as_str(), xianfeng_domain::text::normalize(contact), content.as_str(), now_text()],
    )
}

/// Resolves one open objection: upheld rejects the instance, dismissed returns it to notice
/// once no other objection is open.
pub fn resolve(
    c: &mut dyn Conn,
    actor: &Actor,
    objection_id: i64,
    uphold: bool,
    resolution: &str,
) -> Result<Stage> {
    let r = c
        .query_opt(
            "SELECT instance_id FROM workflow_objections WHERE id = ? AND status = 'open'",
            vals![objection_id],
        )?
        .ok_or(StoreError::NotFound("待处理的异议"))?;
    let id = r.i64(0)?;
    let action = if uphold {
        Action::Uphold
    } else {
        Action::Dismiss
    };
    if resolution.trim().is_empty() {
        return Err(Invalid::one("resolution", "核查结论", "请填写核查结论").into());
    }
    let next = act(c, Some(actor), "", id, action, resolution)?;
    c.execute(
        "UPDATE workflow_objections SET status = ?, resolution = ?, resolved_at = ? WHERE id = ?",
        vals![
            if uphold { "upheld" } else { "dismissed" },
            xianfeng_domain::text::normalize(resolution),
            now_text(),
            objection_id
        ],
    )?;
    Ok(next)
}

#[derive(Debug, Clone)]
pub struct HistoryEntry {
    pub action: String,
    pub from: Option<Stage>,
    pub to: Option<Stage>,
    pub actor_name: String,
    pub comment: String,
    pub at: String,
}

pub fn history(c: &mut dyn Conn, id: i64) -> Result<Vec<HistoryEntry>> {
    c
        .query(
            "SELECT action, from_stage, to_stage, actor_name, comment, at FROM workflow_history WHERE instance_id = ? ORDER BY id",
            vals![id],
        )?
        .iter()
        .map(|r| Ok(HistoryEntry {
            action: r.text(0)?,
            from: Stage::from_code(&r.text(1)?),
            to: Stage::from_code(&r.text(2)?),
            actor_name: r.text(3)?,
            comment: r.text(4)?,
            at: r.text(5)?,
        }))
        .collect::<Result<_>>()
}

#[derive(Debug, Clone)]
pub struct Objection {
    pub id: i64,
    pub filed_by: String,
    pub content: String,
    pub status: String,
    pub resolution: String,
    pub filed_at: String,
}

impl Objection {
    pub fn status_label(&self) -> &'static str {
        match self.status.as_str() {
            "open" => "待核查",
            "upheld" => "异议成立",
            _ => "异议不成立",
        }
    }
}

pub fn objections(c: &mut dyn Conn, id: i64) -> Result<Vec<Objection>> {
    c
        .query(
            "SELECT id, filed_by, content, status, resolution, filed_at FROM workflow_objections WHERE instance_id = ? ORDER BY id",
            vals![id],
        )?
        .iter()
        .map(|r| Ok(Objection {
            id: r.i64(0)?,
            filed_by: r.text(1)?,
            content: r.text(2)?,
            status: r.text(3)?,
            resolution: r.text(4)?,
            filed_at: r.text(5)?,
        }))
        .collect::<Result<_>>()
}
