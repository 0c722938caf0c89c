//! Points leaderboards (积分排行榜) per subtree and period, for people, households and
//! organisations. People and households are ranked from the maintained period totals; an
//! organisation's figure is the `points` roll-up, one row per child.

use xianfeng_domain::path;

use crate::db::{Conn, Dialect};
use crate::people::households::{HOUSEHOLDS, RESIDENTS};
use crate::points::{HOUSEHOLD, METRIC};
use crate::{engines::rollup, vals, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub rank: i64,
    pub account_id: i64,
    pub name: String,
    pub org_name: String,
    pub points: i64,
}

/// How many people (or households) the subtree and the whole tree hold, from the roll-ups.
fn sizes(c: &mut dyn Conn, scope_path: &str, kind: &str) -> Result<(i64, i64)> {
    let metrics: &[&str] = if kind == HOUSEHOLD {
        &[HOUSEHOLDS]
    } else {
        &[rollup::MEMBERS, RESIDENTS]
    };
    let ids = path::ids(scope_path);
    let (Some(&root), Some(&own)) = (ids.first(), ids.last()) else {
        return Ok((0, 0));
    };
    let (mut here, mut all) = (0, 0);
    for m in metrics {
        here += rollup::get(c, own, m, "")?.1;
        all += rollup::get(c, root, m, "")?.1;
    }
    Ok((here, all))
}

/// The top `limit` people (`kind` = person) or households in a subtree for a period key
/// (`2026-11`, `2026-Q4`, `2026`). A large subtree walks the global ranking and keeps those
/// inside it; a small one reads its own range and sorts: whichever reads fewer rows.
pub fn top(
    c: &mut dyn Conn,
    scope_path: &str,
    kind: &str,
    period: &str,
    limit: i64,
) -> Result<Vec<Standing>> {
    top_page(c, scope_path, kind, period, 0, limit)
}

/// Like [`top`], the `limit` standings after the first `offset` (ranks `offset + 1` on): one
/// page of a public leaderboard.
pub fn top_page(
    c: &mut dyn Conn,
    scope_path: &str,
    kind: &str,
    period: &str,
    offset: i64,
    limit: i64,
) -> Result<Vec<Standing>> {
    let (offset, limit) = (offset.max(0), limit.max(0));
    let (here, all) = sizes(c, scope_path, kind)?;
    let ranked_walk = here.saturating_mul(here) >= offset.saturating_add(limit).saturating_mul(all);
    let (rank_index, path_index) = match c.dialect() {
        Dialect::Sqlite if ranked_walk => ("INDEXED BY point_totals_rank", ""),
        Dialect::Sqlite => ("", "INDEXED BY point_totals_path"),
        Dialect::Postgres => ("", ""),
    };
    let index = if ranked_walk { rank_index } else { path_index };
    let rows = c.query(
        &format!(
            "SELECT account_id, points FROM point_totals {index}
             WHERE period = ? AND kind = ? AND org_path >= ? AND org_path < ? AND points > 0
             ORDER BY points DESC, account_id LIMIT ? OFFSET ?"
        ),
        vals![
            period,
            kind,
            scope_path,
            path::upper(scope_path),
            limit,
            offset
        ],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let (name, org_name) = c
            .query_opt(
                "SELECT a.name, o.name FROM point_accounts a JOIN orgs o ON o.id = a.org_id WHERE a.id = ?",
                vals![r.i64(0)?],
            )?
            .map(|n| -> Result<_> { Ok((n.text(0)?, n.text(1)?)) })
            .transpose()?
            .unwrap_or_default();
        out.push(Standing {
            rank: offset + i as i64 + 1,
            account_id: r.i64(0)?,
            name,
            org_name,
            points: r.i64(1)?,
        });
    }
    Ok(out)
}

/// The same question asked the obvious way: sum the ledger of the subtree for the period and
/// group by person (what `bench` prints beside [`top`]).
pub fn top_by_group(
    c: &mut dyn Conn,
    scope_path: &str,
    from: &str,
    to: &str,
    limit: i64,
) -> Result<Vec<(i64, i64)>> {
    c
        .query(
            "SELECT person_id, CAST(SUM(CASE WHEN credit_id = person_id THEN amount ELSE -amount END) AS BIGINT) AS p
             FROM point_entries WHERE org_path >= ? AND org_path < ? AND day >= ? AND day <= ? AND redemption_id IS NULL
             GROUP BY person_id ORDER BY p DESC, person_id LIMIT ?",
            vals![scope_path, path::upper(scope_path), from, to, limit],
        )?
        .iter()
        .map(|r| Ok((r.i64(0)?, r.i64(1)?)))
        .collect::<Result<_>>()
}

/// Points of each child organisation for the period, highest first.
pub fn orgs(
    c: &mut dyn Conn,
    children: &[xianfeng_domain::org::Org],
    period: &str,
) -> Result<Vec<(i64, String, i64)>> {
    let ids: Vec<i64> = children.iter().map(|o| o.id).collect();
    let figures = rollup::subtree_many_in(c, &ids, METRIC, period)?;
    let mut out: Vec<(i64, String, i64)> = children
        .iter()
        .map(|o| {
            (
                o.id,
                o.name.clone(),
                figures.get(&o.id).copied().unwrap_or(0),
            )
        })
        .collect();
    out.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    Ok(out)
}
