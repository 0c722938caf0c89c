//! Households of the one register (`people::households`) placed in a grid, 建档 with the
//! county's categories, and 党员联户: a household linked to one or more members of its
//! village, each member within the bounds the rules set (`grid::LinkBounds`).

use serde_json::json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::grid::{self, LinkBounds};
use xianfeng_domain::rules::Rules;
use xianfeng_domain::{path, Invalid};

use super::{categories, category_metric, registry, LINKED, PLACED};
use crate::audit::{self, Record};
use crate::db::Conn;
use crate::engines::rollup;
use crate::people::households::{self, categories_text, Household};
use crate::people::members;
use crate::{now_text, settings, vals, Result, StoreError};

/// A household the actor may manage; any other is not found.
pub fn household(c: &mut dyn Conn, actor: &Actor, id: i64) -> Result<Household> {
    households::get(c, id)
        .ok()
        .filter(|h| actor.can_manage_grids(&h.org_path))
        .ok_or(StoreError::NotFound("农户"))
}

fn record(
    c: &mut dyn Conn,
    actor: &Actor,
    h: &Household,
    action: &str,
    before: serde_json::Value,
    after: serde_json::Value,
) -> Result<()> {
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(h.org_id),
            action,
            entity: "household",
            entity_id: Some(h.id),
            before,
            after,
        },
    )?;
    Ok(())
}

/// Places a household in a grid of its own village (or takes it out with `None`).
pub fn place(
    c: &mut dyn Conn,
    actor: &Actor,
    household_id: i64,
    grid_id: Option<i64>,
) -> Result<()> {
    let h = household(c, actor, household_id)?;
    if let Some(g) = grid_id {
        let grid = registry::get(c, actor, g)?;
        if grid.org_id != h.org_id {
            return Err(Invalid::one(
                "grid_id",
                "网格",
                format!("“{}”不是{}的网格", grid.name, h.org_name),
            )
            .into());
        }
    }
    move_to(c, Some(actor), &h, grid_id)
}

fn move_to(
    c: &mut dyn Conn,
    actor: Option<&Actor>,
    h: &Household,
    grid_id: Option<i64>,
) -> Result<()> {
    if h.grid_id == grid_id {
        return Ok(());
    }
    c.execute(
        "UPDATE households SET grid_id = ? WHERE id = ?",
        vals![grid_id, h.id],
    )?;
    let delta = i64::from(grid_id.is_some()) - i64::from(h.grid_id.is_some());
    rollup::bump(c, &h.org_path, PLACED, "", delta)?;
    audit::append(
        c,
        Record {
            actor,
            org_id: Some(h.org_id),
            action: "household.place",
            entity: "household",
            entity_id: Some(h.id),
            before: json!({"grid_id": h.grid_id}),
            after: json!({"grid_id": grid_id}),
        },
    )?;
    Ok(())
}

/// Places a household by its grid's name (the import's optional 所属网格 column, whose rows
/// the import has already scoped); an empty name leaves the household where it is.
pub fn place_by_name(
    c: &mut dyn Conn,
    actor: Option<&Actor>,
    household_id: i64,
    name: &str,
) -> Result<()> {
    let name = xianfeng_domain::text::normalize(name);
    if name.is_empty() {
        return Ok(());
    }
    let h = households::get(c, household_id)?;
    let id = c
        .query_opt(
            "SELECT id FROM grids WHERE org_id = ? AND name = ?",
            vals![h.org_id, name.as_str()],
        )?
        .map(|r| r.i64(0))
        .transpose()?
        .ok_or_else(|| {
            Invalid::one(
                "grid",
                "所属网格",
                format!("{}没有名为“{name}”的网格", h.org_name),
            )
        })?;
    move_to(c, actor, &h, Some(id))
}

/// Sets a household's 建档 categories from a typed list (checked against the county's list);
/// each category's roll-up moves with it.
pub fn set_categories(
    c: &mut dyn Conn,
    actor: &Actor,
    household_id: i64,
    raw: &str,
) -> Result<Vec<String>> {
    let h = household(c, actor, household_id)?;
    let allowed = categories(c)?;
    let new = grid::parse_categories(raw, &allowed)?;
    c.execute(
        "UPDATE households SET categories = ? WHERE id = ?",
        vals![categories_text(&new), household_id],
    )?;
    for gone in h.categories.iter().filter(|c| !new.contains(c)) {
        rollup::bump(c, &h.org_path, &category_metric(gone), "", -1)?;
    }
    for came in new.iter().filter(|n| !h.categories.contains(n)) {
        rollup::bump(c, &h.org_path, &category_metric(came), "", 1)?;
    }
    record(
        c,
        actor,
        &h,
        "household.categories",
        json!({"categories": h.categories}),
        json!({"categories": new}),
    )?;
    Ok(new)
}

/// How many households a member links.
pub fn load(c: &mut dyn Conn, member_id: i64) -> Result<i64> {
    c.scalar(
        "SELECT COUNT(*) FROM household_links WHERE member_id = ?",
        vals![member_id],
    )
}

fn links_count(c: &mut dyn Conn, household_id: i64) -> Result<i64> {
    c.scalar(
        "SELECT COUNT(*) FROM household_links WHERE household_id = ?",
        vals![household_id],
    )
}

/// Links a household to a member of its village. Refused beyond the member's upper bound
/// (the message names the member and the bound) and when already linked.
pub fn link(c: &mut dyn Conn, actor: &Actor, household_id: i64, member_id: i64) -> Result<()> {
    let h = household(c, actor, household_id)?;
    let m = members::get(c, member_id)?
        .filter(|m| path::within(&m.org_path, &h.org_path))
        .ok_or_else(|| {
            Invalid::one(
                "member_id",
                "联户党员",
                format!("所选党员不在{}", h.org_name),
            )
        })?;
    if c.query_opt(
        "SELECT 1 FROM household_links WHERE household_id = ? AND member_id = ?",
        vals![household_id, member_id],
    )?
    .is_some()
    {
        return Err(StoreError::Conflict(format!(
            "{}已联系{}户",
            m.member.name, h.head_name
        )));
    }
    let rules: Rules = settings::rules(c)?;
    LinkBounds::for_post(&rules, &m.member.post)
        .check_one_more(&m.member.name, load(c, member_id)?)
        .map_err(StoreError::Conflict)?;
    let first = links_count(c, household_id)? == 0;
    c.execute(
        "INSERT INTO household_links (household_id, member_id, created_at) VALUES (?, ?, ?)",
        vals![household_id, member_id, now_text()],
    )?;
    if first {
        rollup::bump(c, &h.org_path, LINKED, "", 1)?;
    }
    record(
        c,
        actor,
        &h,
        "household.link",
        json!(null),
        json!({"member_id": member_id, "member": m.member.name}),
    )
}

/// Ends a link; the household leaves the covered count when it was its last.
pub fn unlink(c: &mut dyn Conn, actor: &Actor, household_id: i64, member_id: i64) -> Result<()> {
    let h = household(c, actor, household_id)?;
    let gone = c.execute(
        "DELETE FROM household_links WHERE household_id = ? AND member_id = ?",
        vals![household_id, member_id],
    )?;
    if gone == 0 {
        return Err(StoreError::NotFound("联户关系"));
    }
    if links_count(c, household_id)? == 0 {
        rollup::bump(c, &h.org_path, LINKED, "", -1)?;
    }
    record(
        c,
        actor,
        &h,
        "household.unlink",
        json!({"member_id": member_id}),
        json!(null),
    )
}

/// A member with the households they link and their bounds.
#[derive(Debug, Clone)]
pub struct MemberLoad {
    pub member_id: i64,
    pub name: String,
    pub post: String,
    pub org_name: String,
    pub households: i64,
    pub bounds: LinkBounds,
}

/// Members of a subtree with their linking load; `under_only` keeps those below their lower
/// bound (the list a village follows up).
pub fn loads(c: &mut dyn Conn, scope_path: &str, under_only: bool) -> Result<Vec<MemberLoad>> {
    let rules = settings::rules(c)?;
    let rows = c.query(
        "SELECT m.id, m.name, m.post, o.name,
                (SELECT COUNT(*) FROM household_links l WHERE l.member_id = m.id)
         FROM members m JOIN orgs o ON o.id = m.org_id
         WHERE m.org_path >= ? AND m.org_path < ? ORDER BY m.org_path, m.id",
        vals![scope_path, path::upper(scope_path)],
    )?;
    let mut out = Vec::new();
    for r in rows {
        let post = r.text(2)?;
        let households = r.i64(4)?;
        let bounds = LinkBounds::for_post(&rules, &post);
        if under_only && !bounds.under(households) {
            continue;
        }
        out.push(MemberLoad {
            member_id: r.i64(0)?,
            name: r.text(1)?,
            post,
            org_name: r.text(3)?,
            households,
            bounds,
        });
    }
    Ok(out)
}

/// The members linked to a household: (member id, name).
pub fn members_of(c: &mut dyn Conn, household_id: i64) -> Result<Vec<(i64, String)>> {
    c.query(
        "SELECT m.id, m.name FROM household_links l JOIN members m ON m.id = l.member_id
         WHERE l.household_id = ? ORDER BY m.id",
        vals![household_id],
    )?
    .iter()
    .map(|r| Ok((r.i64(0)?, r.text(1)?)))
    .collect()
}

/// The households a member links.
pub fn households_of(c: &mut dyn Conn, member_id: i64) -> Result<Vec<Household>> {
    let ids: Vec<i64> = c
        .query(
            "SELECT household_id FROM household_links WHERE member_id = ? ORDER BY household_id",
            vals![member_id],
        )?
        .iter()
        .map(|r| r.i64(0))
        .collect::<Result<_>>()?;
    ids.into_iter().map(|id| households::get(c, id)).collect()
}
