//! Contact points (联系点) of a town: who is linked to which village, and their visits.

use chrono::NaiveDate;
use serde_json::json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::contact::{ContactRole, Link};
use xianfeng_domain::org::{Org, OrgDomain, OrgKind};
use xianfeng_domain::path;

use crate::audit::{self, Record};
use crate::db::Conn;
use crate::{now_text, people::orgs, vals, Result, StoreError};

/// A link with names and its visits this year.
#[derive(Debug, Clone)]
pub struct LinkRow {
    pub id: i64,
    pub village_id: i64,
    pub village_name: String,
    pub member_id: i64,
    pub member_name: String,
    pub role: ContactRole,
    pub since: String,
    pub visits: i64,
    pub last_visit: Option<String>,
}

impl LinkRow {
    pub fn as_link(&self) -> Link {
        let date = |s: &str| xianfeng_domain::date::parse(s).unwrap_or(NaiveDate::MIN);
        Link {
            member_id: self.member_id,
            member_name: self.member_name.clone(),
            village_id: self.village_id,
            role: self.role,
            last_visit: self.last_visit.as_deref().map(date),
            since: date(&self.since),
        }
    }
}

/// The villages of a town: its rural branches and general branches one level down.
pub fn villages(c: &mut dyn Conn, town: &Org) -> Result<Vec<Org>> {
    Ok(orgs::children(c, town.id)?
        .into_iter()
        .filter(|o| {
            o.dissolved_on.is_none()
                && o.domain == OrgDomain::Rural
                && (o.kind.is_branch() || o.kind == OrgKind::GeneralBranch)
        })
        .collect())
}

/// Candidates for a link: members of the town's own offices (机关 branches directly under it),
/// or members holding a post anywhere in the town when it has none.
pub fn candidates(c: &mut dyn Conn, town: &Org) -> Result<Vec<(i64, String)>> {
    let offices: Vec<Org> = orgs::children(c, town.id)?
        .into_iter()
        .filter(|o| o.domain == OrgDomain::Government && o.dissolved_on.is_none())
        .collect();
    let mut out = Vec::new();
    for o in &offices {
        for r in c.query(
            "SELECT id, name, post FROM members WHERE org_id = ? ORDER BY id",
            vals![o.id],
        )? {
            let post = r.text(2)?;
            out.push((
                r.i64(0)?,
                if post.is_empty() {
                    r.text(1)?
                } else {
                    format!("{}（{post}）", r.text(1)?)
                },
            ));
        }
    }
    if out.is_empty() {
        for r in c.query(
            "SELECT id, name, post FROM members WHERE org_path >= ? AND org_path < ? AND post <> '' ORDER BY org_path, id LIMIT 300",
            vals![town.path.as_str(), path::upper(&town.path)],
        )? {
            out.push((r.i64(0)?, format!("{}（{}）", r.text(1)?, r.text(2)?)));
        }
    }
    Ok(out)
}

pub fn links(c: &mut dyn Conn, town: &Org, year: i32) -> Result<Vec<LinkRow>> {
    c.query(
        "SELECT l.id, l.village_id, v.name, l.member_id, p.name, l.role, l.since,
                (SELECT COUNT(*) FROM contact_visits x WHERE x.link_id = l.id AND x.visited_on >= ? AND x.visited_on < ?),
                (SELECT MAX(visited_on) FROM contact_visits x WHERE x.link_id = l.id)
         FROM contact_links l JOIN orgs v ON v.id = l.village_id JOIN members p ON p.id = l.member_id
         WHERE l.town_id = ? AND l.ended_on IS NULL ORDER BY v.path, l.role, l.id",
        vals![format!("{year}-01-01"), format!("{}-01-01", year + 1), town.id],
    )?
    .into_iter()
    .map(|r| Ok(LinkRow {
        id: r.i64(0)?,
        village_id: r.i64(1)?,
        village_name: r.text(2)?,
        member_id: r.i64(3)?,
        member_name: r.text(4)?,
        role: ContactRole::parse(&r.text(5)?).unwrap_or(ContactRole::Leader),
        since: r.text(6)?,
        visits: r.i64(7)?,
        last_visit: r.opt_text(8)?,
    }))
    .collect::<Result<_>>()
}

/// The town a link belongs to.
pub fn town_of(c: &mut dyn Conn, id: i64) -> Result<Option<i64>> {
    c.query_opt("SELECT town_id FROM contact_links WHERE id = ?", vals![id])?
        .map(|r| r.i64(0))
        .transpose()
}

/// Links a member of the town to one of its villages.
pub fn assign(
    c: &mut dyn Conn,
    actor: &Actor,
    town: &Org,
    village_id: i64,
    member_id: i64,
    role: ContactRole,
    since: NaiveDate,
) -> Result<i64> {
    if !villages(c, town)?.iter().any(|v| v.id == village_id) {
        return Err(
            xianfeng_domain::Invalid::one("village_id", "联系村", "不是本镇（街道）的村").into(),
        );
    }
    let member_path = c
        .query_opt(
            "SELECT org_path FROM members WHERE id = ?",
            vals![member_id],
        )?
        .map(|r| r.text(0))
        .transpose()?;
    if !member_path.is_some_and(|p| path::within(&p, &town.path)) {
        return Err(
            xianfeng_domain::Invalid::one("member_id", "联系人", "不是本镇（街道）的党员").into(),
        );
    }
    let dup = c.query_opt(
        "SELECT 1 FROM contact_links WHERE village_id = ? AND member_id = ? AND role = ? AND ended_on IS NULL",
        vals![village_id, member_id, role.label()],
    )?;
    if dup.is_some() {
        return Err(StoreError::Conflict("该联系关系已存在".into()));
    }
    let id = c.scalar(
        "INSERT INTO contact_links (town_id, town_path, village_id, member_id, role, since, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vals![town.id, town.path.as_str(), village_id, member_id, role.label(), since.to_string(), now_text()],
    )?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(town.id),
            action: "contact.assign",
            entity: "contact_link",
            entity_id: Some(id),
            before: json!(null),
            after: json!({"village_id": village_id, "member_id": member_id, "role": role.label()}),
        },
    )?;
    Ok(id)
}

/// Ends a link (history kept); refused when it has already ended.
pub fn end(c: &mut dyn Conn, actor: &Actor, town: &Org, link_id: i64, on: NaiveDate) -> Result<()> {
    let changed = c.execute(
        "UPDATE contact_links SET ended_on = ? WHERE id = ? AND ended_on IS NULL",
        vals![on.to_string(), link_id],
    )?;
    if changed != 1 {
        return Err(match town_of(c, link_id)? {
            Some(_) => StoreError::Conflict("该联系关系已结束".into()),
            None => StoreError::NotFound("联系关系"),
        });
    }
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(town.id),
            action: "contact.end",
            entity: "contact_link",
            entity_id: Some(link_id),
            before: json!(null),
            after: json!({"ended_on": on.to_string()}),
        },
    )?;
    Ok(())
}

/// Records a visit to the linked village.
pub fn visit(
    c: &mut dyn Conn,
    actor: &Actor,
    town: &Org,
    link_id: i64,
    on: NaiveDate,
    note: &str,
    today: NaiveDate,
) -> Result<i64> {
    let mut e = xianfeng_domain::error::Collector::default();
    if on > today {
        e.push("visited_on", "走访日期", "不能晚于今天");
    }
    let note = note.trim();
    if note.is_empty() {
        e.push("note", "走访情况", "不能为空");
    } else if note.chars().count() > 1000 {
        e.push("note", "走访情况", "不能超过1000个字");
    }
    e.finish(())?;
    let id = c.scalar(
        "INSERT INTO contact_visits (link_id, visited_on, note, created_by, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        vals![link_id, on.to_string(), note, actor.account_id, now_text()],
    )?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(town.id),
            action: "contact.visit",
            entity: "contact_link",
            entity_id: Some(link_id),
            before: json!(null),
            after: json!({"visited_on": on.to_string(), "note": note}),
        },
    )?;
    Ok(id)
}
