//! Coverage of a subtree, read from the roll-ups (one row per figure): households, households
//! placed in a grid, households linked to a member, grids and grids without a 网格员.

use xianfeng_domain::grid::coverage_pct;

use super::{GRIDS, LINKED, PLACED, UNSTAFFED};
use crate::db::Conn;
use crate::engines::rollup;
use crate::people::households::HOUSEHOLDS;
use crate::Result;

#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Coverage {
    pub households: i64,
    pub placed: i64,
    pub linked: i64,
    pub grids: i64,
    pub unstaffed: i64,
    /// Visits (走访) this month (China time).
    pub visits_month: i64,
    /// 联系群众覆盖率 (percent of households linked to a member).
    pub pct: f64,
}

fn this_month() -> String {
    xianfeng_domain::date::today().format("%Y-%m").to_string()
}

/// The subtree figures of the organisation `org_id`.
pub fn of(c: &mut dyn Conn, org_id: i64) -> Result<Coverage> {
    let sub = |c: &mut dyn Conn, m: &str| -> Result<i64> { Ok(rollup::get(c, org_id, m, "")?.1) };
    let households = sub(c, HOUSEHOLDS)?;
    let linked = sub(c, LINKED)?;
    Ok(Coverage {
        households,
        placed: sub(c, PLACED)?,
        linked,
        grids: sub(c, GRIDS)?,
        unstaffed: sub(c, UNSTAFFED)?,
        visits_month: rollup::get(c, org_id, &super::visits::month_metric(), &this_month())?.1,
        pct: coverage_pct(linked, households),
    })
}

/// The same figures counted from the records with a subtree scan (the bench's comparison and
/// the tests' check of the roll-ups).
pub fn counted(c: &mut dyn Conn, org_path: &str) -> Result<Coverage> {
    let upper = xianfeng_domain::path::upper(org_path);
    let q = |c: &mut dyn Conn, sql: &str| -> Result<i64> {
        c.scalar(sql, crate::vals![org_path, upper.as_str()])
    };
    let households = q(
        c,
        "SELECT COUNT(*) FROM households WHERE org_path >= ? AND org_path < ?",
    )?;
    let placed = q(c, "SELECT COUNT(*) FROM households WHERE org_path >= ? AND org_path < ? AND grid_id IS NOT NULL")?;
    let linked = q(
        c,
        "SELECT COUNT(*) FROM households h WHERE h.org_path >= ? AND h.org_path < ?
                       AND EXISTS (SELECT 1 FROM household_links l WHERE l.household_id = h.id)",
    )?;
    let grids = q(
        c,
        "SELECT COUNT(*) FROM grids WHERE org_path >= ? AND org_path < ?",
    )?;
    let unstaffed = q(c, "SELECT COUNT(*) FROM grids g WHERE g.org_path >= ? AND g.org_path < ?
                          AND NOT EXISTS (SELECT 1 FROM grid_staff s WHERE s.grid_id = g.id AND s.role = '网格员')")?;
    let month = this_month();
    let visits_month = c.scalar(
        "SELECT COUNT(*) FROM household_visits WHERE org_path >= ? AND org_path < ? AND visited_on LIKE ?",
        crate::vals![org_path, upper.as_str(), format!("{month}-%")],
    )?;
    Ok(Coverage {
        households,
        placed,
        linked,
        grids,
        unstaffed,
        visits_month,
        pct: coverage_pct(linked, households),
    })
}
