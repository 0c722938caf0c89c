//! Plan drafts: a parsed plan document kept as JSON for review, owned by an organisation.

use serde_json::{json, Value as Json};
use xianfeng_domain::auth::Actor;
use xianfeng_domain::org::Org;
use xianfeng_domain::path;

use crate::audit::{self, Record};
use crate::db::{Conn, Row};
use crate::{now_text, vals, Result, StoreError};

#[derive(Debug, Clone)]
pub struct Draft {
    pub id: i64,
    pub org_id: i64,
    pub org_path: String,
    pub file_name: String,
    pub title: String,
    pub body: String,
    pub plan: Json,
    /// Unit name → organisation ids chosen by the user.
    pub unit_map: Json,
    pub updated_at: String,
    /// The campaign the draft was published as (at most one).
    pub campaign_id: Option<i64>,
    /// SHA-256 of the file it was read from, when recorded (the CLI recognises a file by it).
    pub file_sha256: Option<String>,
}

const COLS: &str =
    "id, org_id, org_path, file_name, title, body, plan_json, unit_map_json, updated_at, campaign_id, file_sha256";

fn from_row(r: &Row) -> Result<Draft> {
    let parse = |s: String| {
        serde_json::from_str(&s).map_err(|e| StoreError::Db(format!("草稿数据损坏：{e}")))
    };
    Ok(Draft {
        id: r.i64("id")?,
        org_id: r.i64("org_id")?,
        org_path: r.text("org_path")?,
        file_name: r.text("file_name")?,
        title: r.text("title")?,
        body: r.text("body")?,
        plan: parse(r.text("plan_json")?)?,
        unit_map: parse(r.text("unit_map_json")?)?,
        updated_at: r.text("updated_at")?,
        campaign_id: r.opt_i64("campaign_id")?,
        file_sha256: r.opt_text("file_sha256")?,
    })
}

pub fn create(
    c: &mut dyn Conn,
    actor: &Actor,
    org: &Org,
    file_name: &str,
    title: &str,
    body: &str,
    plan: &Json,
) -> Result<i64> {
    let now = now_text();
    let id = c.scalar(
        "INSERT INTO plan_drafts (org_id, org_path, file_name, title, body, plan_json, unit_map_json, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, '{}', ?, ?, ?) RETURNING id",
        vals![org.id, org.path.as_str(), file_name, title, body, plan.to_string(), actor.account_id, now.as_str(), now.as_str()],
    )?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(org.id),
            action: "plan_draft.create",
            entity: "plan_draft",
            entity_id: Some(id),
            before: json!(null),
            after: json!({"file_name": file_name, "title": title}),
        },
    )?;
    Ok(id)
}

pub fn get(c: &mut dyn Conn, id: i64) -> Result<Option<Draft>> {
    c.query_opt(
        &format!("SELECT {COLS} FROM plan_drafts WHERE id = ?"),
        vals![id],
    )?
    .map(|r| from_row(&r))
    .transpose()
}

/// Drafts owned by organisations under `root_path`, newest first.
pub fn list_in(c: &mut dyn Conn, root_path: &str, limit: i64) -> Result<Vec<Draft>> {
    c.query(
        &format!("SELECT {COLS} FROM plan_drafts WHERE org_path >= ? AND org_path < ? ORDER BY id DESC LIMIT ?"),
        vals![root_path, path::upper(root_path), limit],
    )?
    .iter()
    .map(from_row)
    .collect()
}

/// Saves an edited plan or unit mapping; the change is audited with a short description.
pub fn update(
    c: &mut dyn Conn,
    actor: &Actor,
    d: &Draft,
    plan: &Json,
    unit_map: &Json,
    what: &str,
) -> Result<()> {
    c.execute(
        "UPDATE plan_drafts SET plan_json = ?, unit_map_json = ?, updated_at = ? WHERE id = ?",
        vals![plan.to_string(), unit_map.to_string(), now_text(), d.id],
    )?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(d.org_id),
            action: "plan_draft.update",
            entity: "plan_draft",
            entity_id: Some(d.id),
            before: json!(null),
            after: json!({"change": what}),
        },
    )?;
    Ok(())
}

/// Records the hash of the file a draft was read from.
pub fn set_file_sha256(c: &mut dyn Conn, id: i64, sha256: &str) -> Result<()> {
    c.execute(
        "UPDATE plan_drafts SET file_sha256 = ? WHERE id = ?",
        vals![sha256, id],
    )?;
    Ok(())
}

/// The newest draft of `org_id` read from the file with this hash.
pub fn by_file(c: &mut dyn Conn, org_id: i64, sha256: &str) -> Result<Option<Draft>> {
    c.query_opt(
        &format!("SELECT {COLS} FROM plan_drafts WHERE org_id = ? AND file_sha256 = ? ORDER BY id DESC LIMIT 1"),
        vals![org_id, sha256],
    )?
    .map(|r| from_row(&r))
    .transpose()
}

/// The draft's published campaign, read under a row lock on PostgreSQL so that two publishes
/// of one draft queue here and the second sees the first's campaign.
pub fn lock_campaign(c: &mut dyn Conn, id: i64) -> Result<Option<i64>> {
    let sql = match c.dialect() {
        crate::db::Dialect::Postgres => {
            "SELECT campaign_id FROM plan_drafts WHERE id = ? FOR UPDATE"
        }
        crate::db::Dialect::Sqlite => "SELECT campaign_id FROM plan_drafts WHERE id = ?",
    };
    c.query_opt(sql, vals![id])?
        .ok_or(StoreError::NotFound("草稿"))?
        .opt_i64(0)
}

pub fn set_campaign(c: &mut dyn Conn, id: i64, campaign_id: i64) -> Result<()> {
    c.execute(
        "UPDATE plan_drafts SET campaign_id = ? WHERE id = ?",
        vals![campaign_id, id],
    )?;
    Ok(())
}
