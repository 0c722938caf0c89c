//! Recognition: commitments to approve or review, nominations and objections the workflow
//! engine has put at the actor's level, evaluation rounds past their closing day, and a
//! member's own commitments.

use chrono::Datelike;
use xianfeng_domain::commitment::CommitmentStage;
use xianfeng_domain::todo::{Item, Kind};
use xianfeng_domain::workflow::{available, Acting, Stage};

use super::{Ask, Found};
use crate::db::{Conn, Value};
use crate::engines::workflow;
use crate::{vals, Result};

fn short(text: &str) -> String {
    let mut s: String = text.chars().take(24).collect();
    if text.chars().count() > 24 {
        s.push('…');
    }
    s
}

/// Reads `(count, rows)` of commitments matching `filter` (over `k`), ordered by due date.
fn commitment_rows(
    c: &mut dyn Conn,
    filter: &str,
    params: &[Value],
    limit: i64,
) -> Result<(i64, Vec<crate::db::Row>)> {
    let count = c.scalar(
        &format!("SELECT COUNT(*) FROM commitments k WHERE {filter}"),
        params,
    )?;
    if count == 0 || limit <= 0 {
        return Ok((count, Vec::new()));
    }
    let mut with_limit = params.to_vec();
    with_limit.push(limit.into());
    let rows = c.query(
        &format!(
            "SELECT k.id, k.content, k.due, k.stage, o.name AS org_name, COALESCE(m.name, '') AS member_name
             FROM commitments k JOIN orgs o ON o.id = k.org_id LEFT JOIN members m ON m.id = k.member_id
             WHERE {filter} ORDER BY k.due, k.id LIMIT ?"
        ),
        &with_limit,
    )?;
    Ok((count, rows))
}

/// Commitments made at the actor's own organisation (its own and its members'; a branch
/// approves them all at once, 支部统一审核) this year and last: drafts to approve (承诺审核), and
/// those past their due date still published or under review (评诺, 评定).
pub fn commitments(c: &mut dyn Conn, ask: &Ask<'_>, limit: i64) -> Result<Found> {
    let mut found = Found::default();
    if !ask.actor.can_record_life(&ask.scope.path) {
        return Ok(found);
    }
    let own = ask.scope.path.as_str();
    let since = ask.today.year() as i64 - 1;
    let scoped = "k.org_path = ? AND k.year >= ?";
    let (count, rows) = commitment_rows(
        c,
        &format!("{scoped} AND k.stage = ?"),
        vals![own, since, CommitmentStage::Draft.label()],
        limit,
    )?;
    let mut items = Vec::new();
    for r in rows {
        let maker = r.text("member_name")?;
        items.push(Item {
            kind: Kind::CommitmentApprove,
            what: format!(
                "{}的承诺“{}”待审核",
                if maker.is_empty() {
                    r.text("org_name")?
                } else {
                    maker
                },
                short(&r.text("content")?)
            ),
            org: r.text("org_name")?,
            due: None,
            href: format!("/commitments/{}", r.i64("id")?),
        });
    }
    found.add(Kind::CommitmentApprove, count, items);

    let (count, rows) = commitment_rows(
        c,
        &format!("{scoped} AND ((k.stage = ? AND k.due < ?) OR k.stage = ?)"),
        vals![
            own,
            since,
            CommitmentStage::Published.label(),
            ask.today.to_string(),
            CommitmentStage::Reviewing.label()
        ],
        limit,
    )?;
    let mut items = Vec::new();
    for r in rows {
        let maker = r.text("member_name")?;
        let next = if r.text("stage")? == CommitmentStage::Reviewing.label() {
            "评诺中，待评定结果"
        } else {
            "已到完成时限，待开始评诺"
        };
        items.push(Item {
            kind: Kind::CommitmentReview,
            what: format!(
                "{}的承诺“{}”{next}",
                if maker.is_empty() {
                    r.text("org_name")?
                } else {
                    maker
                },
                short(&r.text("content")?)
            ),
            org: r.text("org_name")?,
            due: xianfeng_domain::date::parse(&r.text("due")?),
            href: format!("/commitments/{}", r.i64("id")?),
        });
    }
    found.add(Kind::CommitmentReview, count, items);
    Ok(found)
}

/// A member's own commitments: drafts waiting for the branch, and published ones with no
/// fulfilment recorded yet.
pub fn my_commitments(c: &mut dyn Conn, ask: &Ask<'_>, limit: i64) -> Result<Found> {
    let mut found = Found::default();
    let Some(member) = ask.actor.member_id else {
        return Ok(found);
    };
    let since = ask.today.year() as i64 - 1;
    let (count, rows) = commitment_rows(
        c,
        "k.member_id = ? AND k.year >= ? AND (k.stage = ? OR (k.stage = ? AND NOT EXISTS
            (SELECT 1 FROM commitment_entries e WHERE e.commitment_id = k.id)))",
        vals![
            member,
            since,
            CommitmentStage::Draft.label(),
            CommitmentStage::Published.label()
        ],
        limit,
    )?;
    let mut items = Vec::new();
    for r in rows {
        let draft = r.text("stage")? == CommitmentStage::Draft.label();
        items.push(Item {
            kind: Kind::MyCommitment,
            what: format!(
                "“{}”{}",
                short(&r.text("content")?),
                if draft {
                    "等待支部审核"
                } else {
                    "已公示，请记录践诺情况"
                }
            ),
            org: r.text("org_name")?,
            due: if draft {
                None
            } else {
                xianfeng_domain::date::parse(&r.text("due")?)
            },
            href: format!("/commitments/{}", r.i64("id")?),
        });
    }
    found.add(Kind::MyCommitment, count, items);
    Ok(found)
}

/// Instances of the workflow engine (nominations) the actor can act on now: a step waiting
/// at the actor's level, an objection to resolve, a notice period ended and waiting to be
/// finalised. Which are the actor's is asked of the engine (`workflow::available`) per
/// definition and stage, so only the groups that are theirs are read.
pub fn workflow(c: &mut dyn Conn, ask: &Ask<'_>, limit: i64) -> Result<Found> {
    let mut found = Found::default();
    if !ask.actor.can_record_life(&ask.scope.path) {
        return Ok(found);
    }
    let (lo, hi) = ask.range();
    let today = ask.today.to_string();
    let waiting = "i.origin_path >= ? AND i.origin_path < ?
        AND (i.stage LIKE 'pending:%' OR i.stage = 'objected' OR (i.stage = 'notice' AND i.notice_until < ?))";
    let groups = c.query(
        &format!(
            "SELECT i.definition_id, i.stage, COUNT(*) FROM workflow_instances i WHERE {waiting}
             GROUP BY i.definition_id, i.stage ORDER BY i.definition_id, i.stage LIMIT 200"
        ),
        vals![lo.as_str(), hi.as_str(), today.as_str()],
    )?;
    let level = workflow::acting_of(c, ask.actor)?;
    let acting = Acting {
        role: ask.actor.role,
        scope_path: &ask.actor.scope_path,
        scope_level: level,
    };
    let mut defs = std::collections::HashMap::new();
    for g in groups {
        let (def_id, code, n) = (g.i64(0)?, g.text(1)?, g.i64(2)?);
        let Some(stage) = Stage::from_code(&code) else {
            continue;
        };
        if let std::collections::hash_map::Entry::Vacant(e) = defs.entry(def_id) {
            e.insert(workflow::definition(c, def_id)?);
        }
        let def = &defs[&def_id];
        // every instance of the group starts under the actor's scope, so the engine's answer
        // for the scope root holds for each of them
        if available(def, stage, &ask.actor.scope_path, &acting).is_empty() {
            continue;
        }
        let kind = match stage {
            Stage::Objected => Kind::Objection,
            Stage::Notice => Kind::Finalize,
            _ => Kind::Nomination,
        };
        let mut items = Vec::new();
        if limit > 0 {
            for r in c.query(
                "SELECT i.id, i.subject_name, i.notice_until, o.name FROM workflow_instances i JOIN orgs o ON o.id = i.origin_id
                 WHERE i.definition_id = ? AND i.stage = ? AND i.origin_path >= ? AND i.origin_path < ?
                   AND (i.stage <> 'notice' OR i.notice_until < ?)
                 ORDER BY i.id LIMIT ?",
                vals![def_id, code.as_str(), lo.as_str(), hi.as_str(), today.as_str(), limit],
            )? {
                let what = match stage {
                    Stage::Objected => format!("{}（{}）公示期间有异议，待核查处理", r.text(1)?, def.name),
                    Stage::Notice => format!(
                        "{}（{}）公示已于{}期满，待确定",
                        r.text(1)?,
                        def.name,
                        r.opt_text(2)?.unwrap_or_default()
                    ),
                    _ => format!("{}（{}）{}", r.text(1)?, def.name, stage.label(def)),
                };
                items.push(Item {
                    kind,
                    what,
                    org: r.text(3)?,
                    due: None,
                    href: format!("/nominations/{}", r.i64(0)?),
                });
            }
        }
        found.add(kind, n, items);
    }
    Ok(found)
}

/// Evaluation rounds run by the subtree, still open on or after their closing day.
pub fn rounds(c: &mut dyn Conn, ask: &Ask<'_>, limit: i64) -> Result<Found> {
    let mut found = Found::default();
    if !ask.actor.can_record_life(&ask.scope.path) {
        return Ok(found);
    }
    let (lo, hi) = ask.range();
    let today = ask.today.to_string();
    let filter = "r.org_path >= ? AND r.org_path < ? AND r.status = 'open' AND r.closes_on <= ?";
    let count = c.scalar(
        &format!("SELECT COUNT(*) FROM evaluation_rounds r WHERE {filter}"),
        vals![lo.as_str(), hi.as_str(), today.as_str()],
    )?;
    let mut items = Vec::new();
    if count > 0 && limit > 0 {
        for r in c.query(
            &format!(
                "SELECT r.id, r.name, r.closes_on, o.name FROM evaluation_rounds r JOIN orgs o ON o.id = r.org_id
                 WHERE {filter} ORDER BY r.closes_on, r.id LIMIT ?"
            ),
            vals![lo.as_str(), hi.as_str(), today.as_str(), limit],
        )? {
            items.push(Item {
                kind: Kind::RoundClose,
                what: format!("“{}”已到截止日期，请结束评议并公布结果", r.text(1)?),
                org: r.text(3)?,
                due: xianfeng_domain::date::parse(&r.text(2)?),
                href: format!("/evaluations/{}", r.i64(0)?),
            });
        }
    }
    found.add(Kind::RoundClose, count, items);
    Ok(found)
}
