//! Grids (网格, and 微网格 under a grid) of a village or community, with their staff: one
//! 网格长 and any number of 网格员 (a member of the village, or a resident or 妇联执委 named
//! by hand).

use serde_json::json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::grid::GridRole;
use xianfeng_domain::org::Org;
use xianfeng_domain::text::normalize;
use xianfeng_domain::{path, Invalid};

use super::{GRIDS, UNSTAFFED};
use crate::audit::{self, Record};
use crate::db::{Conn, Row};
use crate::engines::rollup;
use crate::people::{households, members};
use crate::{now_text, vals, Result, StoreError};

#[derive(Debug, Clone)]
pub struct Grid {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub parent_id: Option<i64>,
    pub name: String,
    /// Households placed in this grid, and those linked to at least one member.
    pub households: i64,
    pub linked: i64,
    pub leader: Option<String>,
    /// 网格员 names.
    pub staff: Vec<String>,
}

const COLS: &str = "g.id, g.org_id, o.name AS org_name, g.org_path, g.parent_id, g.name,
    (SELECT COUNT(*) FROM households h WHERE h.grid_id = g.id) AS households,
    (SELECT COUNT(*) FROM households h WHERE h.grid_id = g.id
        AND EXISTS (SELECT 1 FROM household_links l WHERE l.household_id = h.id)) AS linked";

fn row(r: &Row) -> Result<Grid> {
    Ok(Grid {
        id: r.i64("id")?,
        org_id: r.i64("org_id")?,
        org_name: r.text("org_name")?,
        org_path: r.text("org_path")?,
        parent_id: r.opt_i64("parent_id")?,
        name: r.text("name")?,
        households: r.i64("households")?,
        linked: r.i64("linked")?,
        leader: None,
        staff: Vec::new(),
    })
}

fn with_staff(c: &mut dyn Conn, mut g: Grid) -> Result<Grid> {
    for s in staff(c, g.id)? {
        match s.role {
            GridRole::Leader => g.leader = Some(s.name),
            GridRole::Staff => g.staff.push(s.name),
        }
    }
    Ok(g)
}

/// A grid the actor may manage; any other (missing or out of scope) is not found.
pub fn get(c: &mut dyn Conn, actor: &Actor, id: i64) -> Result<Grid> {
    let g = c
        .query_opt(
            &format!("SELECT {COLS} FROM grids g JOIN orgs o ON o.id = g.org_id WHERE g.id = ?"),
            vals![id],
        )?
        .map(|r| row(&r))
        .transpose()?
        .filter(|g| actor.can_manage_grids(&g.org_path))
        .ok_or(StoreError::NotFound("网格"))?;
    with_staff(c, g)
}

/// The grids of a subtree (a village's, or every village's of a town), by village and name,
/// at most `limit`.
pub fn list(c: &mut dyn Conn, scope_path: &str, limit: i64) -> Result<Vec<Grid>> {
    let grids = c
        .query(
            &format!(
                "SELECT {COLS} FROM grids g JOIN orgs o ON o.id = g.org_id
                 WHERE g.org_path >= ? AND g.org_path < ? ORDER BY g.org_path, COALESCE(g.parent_id, g.id), g.id LIMIT ?"
            ),
            vals![scope_path, path::upper(scope_path), limit],
        )?
        .iter()
        .map(row)
        .collect::<Result<Vec<_>>>()?;
    grids.into_iter().map(|g| with_staff(c, g)).collect()
}

/// Creates a grid in a village or community, or a 微网格 under one of its grids.
pub fn create(
    c: &mut dyn Conn,
    actor: &Actor,
    org: &Org,
    parent_id: Option<i64>,
    name: &str,
) -> Result<i64> {
    if !actor.can_manage_grids(&org.path) {
        return Err(StoreError::NotFound("组织"));
    }
    households::check_target(org)?;
    if let Some(p) = parent_id {
        let parent = get(c, actor, p)?;
        if parent.org_id != org.id {
            return Err(Invalid::one(
                "parent_id",
                "上级网格",
                format!("“{}”不是{}的网格", parent.name, org.name),
            )
            .into());
        }
        if parent.parent_id.is_some() {
            return Err(Invalid::one(
                "parent_id",
                "上级网格",
                format!("“{}”已是微网格，其下不能再分", parent.name),
            )
            .into());
        }
    }
    if c.query_opt(
        "SELECT id FROM grids WHERE org_id = ? AND name = ?",
        vals![org.id, name],
    )?
    .is_some()
    {
        return Err(StoreError::Conflict(format!(
            "{}已有网格“{name}”",
            org.name
        )));
    }
    let id = c.scalar(
        "INSERT INTO grids (org_id, org_path, parent_id, name, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        vals![org.id, org.path.as_str(), parent_id, name, now_text()],
    )?;
    rollup::bump(c, &org.path, GRIDS, "", 1)?;
    rollup::bump(c, &org.path, UNSTAFFED, "", 1)?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(org.id),
            action: "grid.create",
            entity: "grid",
            entity_id: Some(id),
            before: json!(null),
            after: json!({"name": name, "parent_id": parent_id}),
        },
    )?;
    Ok(id)
}

#[derive(Debug, Clone)]
pub struct Staff {
    pub id: i64,
    pub grid_id: i64,
    pub role: GridRole,
    pub member_id: Option<i64>,
    pub name: String,
}

pub fn staff(c: &mut dyn Conn, grid_id: i64) -> Result<Vec<Staff>> {
    c.query(
        "SELECT id, grid_id, role, member_id, name FROM grid_staff WHERE grid_id = ? ORDER BY id",
        vals![grid_id],
    )?
    .iter()
    .map(|r| {
        Ok(Staff {
            id: r.i64(0)?,
            grid_id: r.i64(1)?,
            role: GridRole::parse(&r.text(2)?).unwrap_or(GridRole::Staff),
            member_id: r.opt_i64(3)?,
            name: r.text(4)?,
        })
    })
    .collect()
}

/// Names a grid's 网格长 or a 网格员: a member of the village (`member_id`), or anyone else by
/// name (a resident, a 妇联执委). A grid has one 网格长; the first 网格员 takes the grid off the
/// unstaffed count.
pub fn add_staff(
    c: &mut dyn Conn,
    actor: &Actor,
    grid_id: i64,
    role: GridRole,
    member_id: Option<i64>,
    name: &str,
) -> Result<i64> {
    let grid = get(c, actor, grid_id)?;
    let name = match member_id {
        Some(m) => {
            let rec = members::get(c, m)?
                .filter(|r| path::within(&r.org_path, &grid.org_path))
                .ok_or_else(|| {
                    Invalid::one(
                        "member_id",
                        "党员",
                        format!("所选党员不在{}", grid.org_name),
                    )
                })?;
            if c.query_opt(
                "SELECT id FROM grid_staff WHERE grid_id = ? AND member_id = ?",
                vals![grid_id, m],
            )?
            .is_some()
            {
                return Err(StoreError::Conflict(format!(
                    "{}已在网格“{}”任职",
                    rec.member.name, grid.name
                )));
            }
            rec.member.name
        }
        None => {
            let n = normalize(name);
            if n.is_empty() || n.chars().count() > 20 {
                return Err(
                    Invalid::one("name", "姓名", "请选择党员或填写姓名（不超过20个字）").into(),
                );
            }
            n
        }
    };
    if role == GridRole::Leader {
        if let Some(l) = &grid.leader {
            return Err(StoreError::Conflict(format!(
                "网格“{}”已有网格长{l}",
                grid.name
            )));
        }
    }
    let id = c.scalar(
        "INSERT INTO grid_staff (grid_id, role, member_id, name, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        vals![grid_id, role.label(), member_id, name.as_str(), now_text()],
    )?;
    if role == GridRole::Staff && grid.staff.is_empty() {
        rollup::bump(c, &grid.org_path, UNSTAFFED, "", -1)?;
    }
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(grid.org_id),
            action: "grid.staff.add",
            entity: "grid",
            entity_id: Some(grid_id),
            before: json!(null),
            after: json!({"role": role.label(), "name": name, "member_id": member_id}),
        },
    )?;
    Ok(id)
}
