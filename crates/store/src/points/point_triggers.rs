//! Rules that fire from records elsewhere: a rule with the attendance trigger grants its
//! points to each member present at a meeting that counts (三会一课, 主题党日…), once per
//! meeting. When attendance changes or the meeting stops counting, the grant is reversed.

use std::collections::HashMap;

use xianfeng_domain::life::Presence;
use xianfeng_domain::points::{EntryKind, PersonKind, Trigger};
use xianfeng_domain::Invalid;

use crate::db::Conn;
use crate::life::meetings::Meeting;
use crate::points::point_claims::{self, Grant};
use crate::points::point_rules;
use crate::points::{self, Ledger, Movement};
use crate::{vals, Result, StoreError};

/// A refusal that leaves nothing written (a cap reached, a balance already spent) is skipped;
/// anything else fails the caller's transaction.
fn skip_refused(r: Result<i64>) -> Result<()> {
    match r {
        Ok(_) | Err(StoreError::Invalid(Invalid(_))) => Ok(()),
        Err(e) => Err(e),
    }
}

/// Brings the attendance grants of one meeting in line with who was present.
pub fn sync_meeting(c: &mut dyn Conn, m: &Meeting) -> Result<()> {
    let rules: Vec<_> = point_rules::for_org(c, &m.org_path)?
        .into_iter()
        .filter(|r| r.draft.trigger == Trigger::Attendance)
        .collect();
    if rules.is_empty() {
        return Ok(());
    }
    let source = format!("meeting:{}", m.id);
    let present: Vec<i64> = if m.counted {
        c.query(
            "SELECT member_id FROM attendance WHERE meeting_id = ? AND presence = ? ORDER BY member_id",
            vals![m.id, Presence::Present.label()],
        )?
        .iter()
        .map(|r| r.i64(0))
        .collect::<Result<_>>()?
    } else {
        Vec::new()
    };
    let day = m.date();
    let mut ledger = Ledger::default();
    for rule in rules {
        let live: HashMap<i64, (i64, i64)> = c
            .query(
                "SELECT a.member_id, e.id, e.person_id FROM point_entries e JOIN point_accounts a ON a.id = e.person_id
                 WHERE e.source_ref = ? AND e.rule_id = ? AND e.kind = ?
                   AND NOT EXISTS (SELECT 1 FROM point_entries x WHERE x.reverses_id = e.id)",
                vals![source.as_str(), rule.id, EntryKind::Grant.label()],
            )?
            .iter()
            .map(|r| Ok((r.i64(0)?, (r.i64(1)?, r.i64(2)?))))
            .collect::<Result<_>>()?;
        for member in present.iter().filter(|id| !live.contains_key(id)) {
            let person = points::member_account(c, *member)?;
            if rule.draft.usable(day, PersonKind::Member).is_err() {
                continue;
            }
            let grant = Grant {
                person: &person,
                rule: &rule,
                day,
                note: "参加组织生活",
                claim_id: None,
                actor_id: None,
                source_ref: Some(&source),
            };
            skip_refused(point_claims::apply(c, &mut ledger, &grant))?;
        }
        for (member, (entry, person_id)) in &live {
            if present.contains(member) {
                continue;
            }
            let person = points::account(c, *person_id)?;
            let reversal = Movement {
                kind: EntryKind::Reversal,
                debit: person.id,
                credit: rule.account_id,
                amount: rule.draft.points.abs(),
                person: &person,
                day,
                rule_id: Some(rule.id),
                claim_id: None,
                redemption_id: None,
                reverses: Some(*entry),
                actor_id: None,
                note: "出勤记录变更，自动冲正",
                source_ref: Some(&source),
            };
            skip_refused(ledger.post(c, &reversal))?;
        }
    }
    ledger.finish(c)
}
