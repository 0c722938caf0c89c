//! 设岗定责: the register of 党员先锋岗, 党员责任区 and 示范户. Each entry is a cadence record
//! of its kind (`count:党员先锋岗` in the month it was set up), so a computed indicator
//! `Measure::Records { activity: "党员先锋岗" }` follows the register ("创建党员先锋岗60个以上").
//! 无职党员 without a post are listed for the branch to 设岗定责.

use serde_json::json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::grid::{PostDraft, PostKind};
use xianfeng_domain::org::Org;
use xianfeng_domain::{path, Invalid};

use crate::audit::{self, Record};
use crate::db::Conn;
use crate::engines::cadence;
use crate::people::members;
use crate::{now_text, vals, Result, StoreError};

/// Enters a post, zone or model household of the organisation `org`; a post and a zone need a
/// member of the organisation's subtree.
pub fn create(
    c: &mut dyn Conn,
    actor: &Actor,
    org: &Org,
    d: &PostDraft,
    member_id: Option<i64>,
) -> Result<i64> {
    if !actor.can_manage_grids(&org.path) {
        return Err(StoreError::NotFound("组织"));
    }
    if org.dissolved_on.is_some() {
        return Err(StoreError::Conflict(format!("{}已撤销", org.name)));
    }
    let member = match member_id {
        Some(m) => Some(
            members::get(c, m)?
                .filter(|r| path::within(&r.org_path, &org.path))
                .ok_or_else(|| {
                    Invalid::one("member_id", "党员", format!("所选党员不在{}", org.name))
                })?,
        ),
        None if d.kind != PostKind::Model => {
            return Err(Invalid::one(
                "member_id",
                "党员",
                format!("{}须明确一名党员", d.kind.label()),
            )
            .into())
        }
        None => None,
    };
    let id = c.scalar(
        "INSERT INTO pioneer_posts (org_id, org_path, kind, name, duties, place, member_id, starts_on, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vals![org.id, org.path.as_str(), d.kind.label(), d.name.as_str(), d.duties.as_str(), d.place.as_str(),
              member_id, d.starts_on.to_string(), now_text()],
    )?;
    cadence::record(c, org, d.kind.label(), d.starts_on, 1)?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(org.id),
            action: "post.create",
            entity: "pioneer_post",
            entity_id: Some(id),
            before: json!(null),
            after: json!({"kind": d.kind.label(), "name": d.name, "member": member.map(|m| m.member.name)}),
        },
    )?;
    Ok(id)
}

#[derive(Debug, Clone)]
pub struct Post {
    pub id: i64,
    pub org_name: String,
    pub kind: String,
    pub name: String,
    pub duties: String,
    pub place: String,
    pub member: Option<String>,
    pub starts_on: String,
}

/// The register of a subtree, at most `limit` entries.
pub fn list(c: &mut dyn Conn, scope_path: &str, limit: i64) -> Result<Vec<Post>> {
    c.query(
        "SELECT p.id, o.name, p.kind, p.name, p.duties, p.place, m.name, p.starts_on
         FROM pioneer_posts p JOIN orgs o ON o.id = p.org_id LEFT JOIN members m ON m.id = p.member_id
         WHERE p.org_path >= ? AND p.org_path < ? ORDER BY p.org_path, p.id LIMIT ?",
        vals![scope_path, path::upper(scope_path), limit],
    )?
    .iter()
    .map(|r| {
        Ok(Post {
            id: r.i64(0)?,
            org_name: r.text(1)?,
            kind: r.text(2)?,
            name: r.text(3)?,
            duties: r.text(4)?,
            place: r.text(5)?,
            member: r.opt_text(6)?,
            starts_on: r.text(7)?,
        })
    })
    .collect()
}

/// 无职党员 (no 职务) of a subtree who hold no post or zone yet: (id, name, organisation).
pub fn without_post(
    c: &mut dyn Conn,
    scope_path: &str,
    limit: i64,
) -> Result<Vec<(i64, String, String)>> {
    c.query(
        "SELECT m.id, m.name, o.name FROM members m JOIN orgs o ON o.id = m.org_id
         WHERE m.org_path >= ? AND m.org_path < ? AND m.post = ''
           AND NOT EXISTS (SELECT 1 FROM pioneer_posts p WHERE p.member_id = m.id)
         ORDER BY m.org_path, m.id LIMIT ?",
        vals![scope_path, path::upper(scope_path), limit],
    )?
    .iter()
    .map(|r| Ok((r.i64(0)?, r.text(1)?, r.text(2)?)))
    .collect()
}
