//! The one roll-up engine: counters per organisation (`direct`) and per subtree (`subtree`),
//! maintained incrementally on every write so a subtree figure is one row read.

use std::collections::HashMap;

use xianfeng_domain::cadence::Applies;
use xianfeng_domain::org::{OrgDomain, OrgKind};
use xianfeng_domain::path;

use crate::db::Conn;
use crate::{vals, Result};

/// Metrics the base maintains. Later modules add their own keys; the engine is the same.
pub const MEMBERS: &str = "members";
pub const FULL_MEMBERS: &str = "full_members";
pub const ORGS: &str = "orgs";
pub const BRANCHES: &str = "branches";
pub const GROUPS: &str = "groups";
pub const COMMITTEE_BRANCHES: &str = "committee_branches";
pub const TOWNS: &str = "towns";
/// 村级党支部: branches in the rural field.
pub const RURAL_BRANCHES: &str = "rural_branches";
const BASE: [&str; 8] = [
    MEMBERS,
    FULL_MEMBERS,
    ORGS,
    BRANCHES,
    GROUPS,
    COMMITTEE_BRANCHES,
    TOWNS,
    RURAL_BRANCHES,
];

/// What decides which structural metrics an organisation counts toward.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    pub kind: OrgKind,
    pub committee_size: i64,
    pub domain: OrgDomain,
}

impl Shape {
    pub fn of(org: &xianfeng_domain::org::Org) -> Shape {
        Shape {
            kind: org.kind,
            committee_size: org.committee_size,
            domain: org.domain,
        }
    }
}

/// The structural metrics one live organisation counts toward (the denominators of the
/// cadence rules and of share indicators: branches, branches with a committee, groups,
/// towns, village branches).
pub fn shape(s: Shape) -> Vec<&'static str> {
    let Shape {
        kind,
        committee_size,
        domain,
    } = s;
    let mut out = vec![ORGS];
    if kind.is_branch() {
        out.push(BRANCHES);
        if domain == OrgDomain::Rural {
            out.push(RURAL_BRANCHES);
        }
        if committee_size > 0 {
            out.push(COMMITTEE_BRANCHES);
        }
    }
    if kind == OrgKind::Group {
        out.push(GROUPS);
    }
    if Applies::Towns.fits(kind, committee_size) {
        out.push(TOWNS);
    }
    out
}

/// Adds `delta` to every structural metric of an organisation of this shape.
pub fn bump_shape(c: &mut dyn Conn, org_path: &str, s: Shape, delta: i64) -> Result<()> {
    for m in shape(s) {
        bump(c, org_path, m, "", delta)?;
    }
    Ok(())
}

const UPSERT: &str = "INSERT INTO rollups (org_id, metric, period, direct, subtree) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (org_id, metric, period)
     DO UPDATE SET direct = rollups.direct + excluded.direct, subtree = rollups.subtree + excluded.subtree";

/// Adds `delta` to `metric` of the organisation at `org_path` and to every ancestor's subtree.
pub fn bump(
    c: &mut dyn Conn,
    org_path: &str,
    metric: &str,
    period: &str,
    delta: i64,
) -> Result<()> {
    if delta == 0 {
        return Ok(());
    }
    let ids = path::ids(org_path);
    let own = ids.last().copied();
    for id in &ids {
        let direct = if Some(*id) == own { delta } else { 0 };
        c.execute(UPSERT, vals![*id, metric, period, direct, delta])?;
    }
    for o in crate::ROLLUP_OBSERVERS {
        if (o.watches)(metric) {
            (o.refresh)(c, org_path, metric)?;
        }
    }
    Ok(())
}

/// A figure derived from roll-up metrics (e.g. a campaign's computed indicator), told when a
/// metric it reads moves. The engine knows observers only through this, not the modules that
/// define them; `lib.rs` lists them.
pub struct Observer {
    pub watches: fn(&str) -> bool,
    pub refresh: fn(&mut dyn Conn, &str, &str) -> Result<()>,
}

/// `(direct, subtree)` of one metric at one organisation.
pub fn get(c: &mut dyn Conn, org_id: i64, metric: &str, period: &str) -> Result<(i64, i64)> {
    Ok(c.query_opt(
        "SELECT direct, subtree FROM rollups WHERE org_id = ? AND metric = ? AND period = ?",
        vals![org_id, metric, period],
    )?
    .map(|r| -> Result<_> { Ok((r.i64(0)?, r.i64(1)?)) })
    .transpose()?
    .unwrap_or((0, 0)))
}

/// Subtree values of one metric for many organisations.
pub fn subtree_many(c: &mut dyn Conn, org_ids: &[i64], metric: &str) -> Result<HashMap<i64, i64>> {
    subtree_many_in(c, org_ids, metric, "")
}

/// Subtree values of one metric in one period for many organisations.
pub fn subtree_many_in(
    c: &mut dyn Conn,
    org_ids: &[i64],
    metric: &str,
    period: &str,
) -> Result<HashMap<i64, i64>> {
    let mut out = HashMap::new();
    for chunk in org_ids.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(",");
        let sql = format!("SELECT org_id, subtree FROM rollups WHERE metric = ? AND period = ? AND org_id IN ({marks})");
        let mut params = vec![crate::Value::from(metric), crate::Value::from(period)];
        params.extend(chunk.iter().map(|id| crate::Value::Int(*id)));
        for r in c.query(&sql, &params)? {
            out.insert(r.i64(0)?, r.i64(1)?);
        }
    }
    Ok(out)
}

/// Carries the subtree totals of a moved organisation from its old ancestors to its new ones.
pub fn move_subtree(c: &mut dyn Conn, old_path: &str, new_path: &str) -> Result<()> {
    let ids = path::ids(old_path);
    let Some(&own) = ids.last() else {
        return Ok(());
    };
    let rows = c.query(
        "SELECT metric, period, subtree FROM rollups WHERE org_id = ?",
        vals![own],
    )?;
    let old_ancestors = &ids[..ids.len() - 1];
    let new_ids = path::ids(new_path);
    let new_ancestors = &new_ids[..new_ids.len().saturating_sub(1)];
    for r in rows {
        let (metric, period, total) = (r.text(0)?, r.text(1)?, r.i64(2)?);
        for id in old_ancestors {
            c.execute(
                UPSERT,
                vals![*id, metric.as_str(), period.as_str(), 0, -total],
            )?;
        }
        for id in new_ancestors {
            c.execute(
                UPSERT,
                vals![*id, metric.as_str(), period.as_str(), 0, total],
            )?;
        }
    }
    Ok(())
}

/// Direct counts of the base metrics, computed from the records themselves.
fn base_direct(c: &mut dyn Conn) -> Result<Vec<(i64, &'static str, i64)>> {
    let mut out = Vec::new();
    for r in c.query("SELECT org_id, COUNT(*) FROM members GROUP BY org_id", &[])? {
        out.push((r.i64(0)?, MEMBERS, r.i64(1)?));
    }
    for r in c.query(
        "SELECT org_id, COUNT(*) FROM members WHERE status = ? GROUP BY org_id",
        vals![xianfeng_domain::member::MemberStatus::Full.code()],
    )? {
        out.push((r.i64(0)?, FULL_MEMBERS, r.i64(1)?));
    }
    for r in c.query(
        "SELECT id, kind, committee_size, domain FROM orgs WHERE dissolved_on IS NULL",
        &[],
    )? {
        let kind = crate::db::decode(&r.text(1)?, OrgKind::from_code, "组织类别")?;
        let domain = crate::db::decode(&r.text(3)?, OrgDomain::from_code, "组织领域")?;
        for m in shape(Shape {
            kind,
            committee_size: r.i64(2)?,
            domain,
        }) {
            out.push((r.i64(0)?, m, 1));
        }
    }
    Ok(out)
}

/// Recomputes every base metric from the records (after a bulk load, or to check the
/// incremental figures): returns `(org_id, metric) → (direct, subtree)`.
pub fn compute(c: &mut dyn Conn) -> Result<HashMap<(i64, String), (i64, i64)>> {
    let direct = base_direct(c)?
        .into_iter()
        .map(|(org, metric, n)| (org, metric.to_string(), String::new(), n));
    Ok(accumulate(c, direct)?
        .into_iter()
        .map(|((org, metric, _), v)| ((org, metric), v))
        .collect())
}

/// Direct figures `(org, metric, period, n)` summed up the tree:
/// `(org, metric, period) → (direct, subtree)`.
pub type Totals = HashMap<(i64, String, String), (i64, i64)>;

pub fn accumulate(
    c: &mut dyn Conn,
    direct: impl IntoIterator<Item = (i64, String, String, i64)>,
) -> Result<Totals> {
    let parents: HashMap<i64, Option<i64>> = c
        .query("SELECT id, parent_id FROM orgs", &[])?
        .into_iter()
        .map(|r| Ok((r.i64(0)?, r.opt_i64(1)?)))
        .collect::<Result<_>>()?;
    let mut out: Totals = HashMap::new();
    for (org, metric, period, n) in direct {
        out.entry((org, metric.clone(), period.clone()))
            .or_default()
            .0 += n;
        let mut cur = Some(org);
        while let Some(id) = cur {
            out.entry((id, metric.clone(), period.clone()))
                .or_default()
                .1 += n;
            cur = parents.get(&id).copied().flatten();
        }
    }
    Ok(out)
}

/// Writes computed totals (after the caller deleted the rows they replace).
pub fn insert_totals(c: &mut dyn Conn, totals: Totals) -> Result<()> {
    for ((org, metric, period), (direct, subtree)) in totals {
        if direct != 0 || subtree != 0 {
            c.execute(UPSERT, vals![org, metric, period, direct, subtree])?;
        }
    }
    Ok(())
}

/// Replaces the base metrics with freshly computed ones.
pub fn rebuild(c: &mut dyn Conn) -> Result<()> {
    let direct: Vec<_> = base_direct(c)?
        .into_iter()
        .map(|(org, metric, n)| (org, metric.to_string(), String::new(), n))
        .collect();
    let totals = accumulate(c, direct)?;
    let marks = vec!["?"; BASE.len()].join(", ");
    let params: Vec<crate::Value> = BASE.iter().map(|m| crate::Value::from(*m)).collect();
    c.execute(
        &format!("DELETE FROM rollups WHERE period = '' AND metric IN ({marks})"),
        &params,
    )?;
    insert_totals(c, totals)
}

/// The stored base metrics, for comparison with `compute`.
pub fn stored(c: &mut dyn Conn) -> Result<HashMap<(i64, String), (i64, i64)>> {
    let marks = vec!["?"; BASE.len()].join(", ");
    let params: Vec<crate::Value> = BASE.iter().map(|m| crate::Value::from(*m)).collect();
    c
        .query(
            &format!("SELECT org_id, metric, direct, subtree FROM rollups WHERE period = '' AND metric IN ({marks}) AND (direct <> 0 OR subtree <> 0)"),
            &params,
        )?
        .into_iter()
        .map(|r| Ok(((r.i64(0)?, r.text(1)?), (r.i64(2)?, r.i64(3)?))))
        .collect::<Result<_>>()
}
