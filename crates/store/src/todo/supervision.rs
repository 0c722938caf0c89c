//! The problem ledger (问题台账): items to rectify, and rectifications to verify.

use xianfeng_domain::supervision::ProblemStatus;
use xianfeng_domain::todo::{Item, Kind};

use super::{Ask, Found};
use crate::db::{Conn, Value};
use crate::{vals, Result};

/// Items in rectification in the subtree that a level above raised (the subtree's to fix),
/// and submitted rectifications of items the actor's level raised (its to verify), by
/// deadline.
pub fn problems(c: &mut dyn Conn, ask: &Ask<'_>, limit: i64) -> Result<Found> {
    let mut found = Found::default();
    let (lo, hi) = ask.range();
    let scope = &ask.scope.path;
    if ask.actor.can_rectify(scope) {
        let filter = "p.status = ? AND p.org_path >= ? AND p.org_path < ?
             AND NOT (p.raised_path >= ? AND p.raised_path < ?)";
        let params = vals![
            ProblemStatus::Open.label(),
            lo.as_str(),
            hi.as_str(),
            lo.as_str(),
            hi.as_str()
        ];
        let (count, items) = read(c, filter, params, limit, Kind::Rectify, "整改")?;
        found.add(Kind::Rectify, count, items);
    }
    if ask.actor.can_verify(scope) {
        let filter = "p.status = ? AND p.org_path >= ? AND p.org_path < ?
             AND p.raised_path >= ? AND p.raised_path < ?";
        let params = vals![
            ProblemStatus::Submitted.label(),
            lo.as_str(),
            hi.as_str(),
            lo.as_str(),
            hi.as_str()
        ];
        let (count, items) = read(c, filter, params, limit, Kind::Verify, "已提交整改，待核验")?;
        found.add(Kind::Verify, count, items);
    }
    Ok(found)
}

fn read(
    c: &mut dyn Conn,
    filter: &str,
    params: &[Value],
    limit: i64,
    kind: Kind,
    what: &str,
) -> Result<(i64, Vec<Item>)> {
    let count = c.scalar(
        &format!("SELECT COUNT(*) FROM problems p WHERE {filter}"),
        params,
    )?;
    let mut items = Vec::new();
    if count > 0 && limit > 0 {
        let mut with_limit = params.to_vec();
        with_limit.push(limit.into());
        for r in c.query(
            &format!(
                "SELECT p.id, p.description, p.deadline, o.name FROM problems p JOIN orgs o ON o.id = p.org_id
                 WHERE {filter} ORDER BY p.deadline, p.id LIMIT ?"
            ),
            &with_limit,
        )? {
            items.push(Item {
                kind,
                what: format!("{}：{}", what, r.text(1)?),
                org: r.text(3)?,
                due: xianfeng_domain::date::parse(&r.text(2)?),
                href: format!("/problems/{}", r.i64(0)?),
            });
        }
    }
    Ok((count, items))
}
