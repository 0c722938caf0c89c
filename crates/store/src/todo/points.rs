//! Points: claims waiting for the branch, and a member's own claims still waiting.

use xianfeng_domain::points::ClaimStatus;
use xianfeng_domain::todo::{Item, Kind};

use super::{Ask, Found};
use crate::db::Conn;
use crate::points::point_claims;
use crate::{vals, Result};

/// Claims (积分申报) in the subtree waiting for approval, oldest first.
pub fn claims(c: &mut dyn Conn, ask: &Ask<'_>, limit: i64) -> Result<Found> {
    let mut found = Found::default();
    if !ask.actor.can_record_life(&ask.scope.path) {
        return Ok(found);
    }
    let (lo, hi) = ask.range();
    let pending = ClaimStatus::Pending.label();
    let count = c.scalar(
        "SELECT COUNT(*) FROM point_claims WHERE status = ? AND org_path >= ? AND org_path < ?",
        vals![pending, lo.as_str(), hi.as_str()],
    )?;
    let items = if count > 0 && limit > 0 {
        point_claims::in_scope(c, &ask.scope.path, ClaimStatus::Pending, limit)?
            .into_iter()
            .map(|k| Item {
                kind: Kind::Claim,
                what: format!(
                    "{}申报“{}”{}分{}",
                    k.person,
                    k.action,
                    k.points,
                    if k.flagged {
                        "（积分过快，需复核）"
                    } else {
                        ""
                    }
                ),
                org: k.org_name,
                due: None,
                href: format!("/orgs/{}/points#claim-{}", ask.scope.id, k.id),
            })
            .collect()
    } else {
        Vec::new()
    };
    found.add(Kind::Claim, count, items);
    Ok(found)
}

/// A member's own claims still waiting for the branch.
pub fn my_claims(c: &mut dyn Conn, ask: &Ask<'_>, limit: i64) -> Result<Found> {
    let mut found = Found::default();
    let Some(member) = ask.actor.member_id else {
        return Ok(found);
    };
    let pending = ClaimStatus::Pending.label();
    let count = c.scalar(
        "SELECT COUNT(*) FROM point_claims k JOIN point_accounts a ON a.id = k.account_id
         WHERE a.member_id = ? AND k.status = ?",
        vals![member, pending],
    )?;
    let mut items = Vec::new();
    if count > 0 && limit > 0 {
        for r in c.query(
            "SELECT r.action, r.points, o.name FROM point_claims k JOIN point_accounts a ON a.id = k.account_id
             JOIN point_rules r ON r.id = k.rule_id JOIN orgs o ON o.id = a.org_id
             WHERE a.member_id = ? AND k.status = ? ORDER BY k.id LIMIT ?",
            vals![member, pending, limit],
        )? {
            items.push(Item {
                kind: Kind::MyClaim,
                what: format!("“{}”{}分，等待支部审核", r.text(0)?, r.i64(1)?),
                org: r.text(2)?,
                due: None,
                href: "/my/points".into(),
            });
        }
    }
    found.add(Kind::MyClaim, count, items);
    Ok(found)
}
