//! Organisational life: obligations of the cadence engine this period, and today's check-ins.

use xianfeng_domain::cadence::Status;
use xianfeng_domain::life::{MeetingKind, Presence};
use xianfeng_domain::todo::{done_by_itself, Item, Kind};

use super::{Ask, Found};
use crate::db::Conn;
use crate::life::compliance;
use crate::{vals, Result};

/// The scope's own obligations not yet met this period (its cadence standing), and for a
/// subtree the rules some organisations below have not met (its roll-up summary): one line
/// per rule, each due at the end of its period.
pub fn meetings_due(c: &mut dyn Conn, ask: &Ask<'_>, limit: i64) -> Result<Found> {
    let mut found = Found::default();
    let scope = ask.scope;
    if !ask.actor.can_record_life(&scope.path) {
        return Ok(found);
    }
    let mut items = Vec::new();
    for s in compliance::standing(c, scope, ask.today)? {
        if !matches!(s.status, Status::Open | Status::DueSoon) || !done_by_itself(&s.rule.activity)
        {
            continue;
        }
        let href = match MeetingKind::parse(&s.rule.activity) {
            Some(k) if k.fits(scope.kind) => format!(
                "/orgs/{}/meetings/new?kind={}",
                scope.id,
                super::query_value(k.label())
            ),
            _ if s.rule.activity == xianfeng_domain::cadence::SUPERVISION => {
                format!("/orgs/{}/supervision", scope.id)
            }
            _ => format!("/orgs/{}/life", scope.id),
        };
        items.push(Item {
            kind: Kind::Meeting,
            what: format!(
                "{}：{}已开展{}次，至少{}次",
                s.rule.activity,
                s.period.label(),
                s.count,
                s.rule.min_count
            ),
            org: scope.name.clone(),
            due: Some(s.period.end),
            href,
        });
    }
    for x in compliance::summary(c, scope, ask.today)? {
        if x.rule.applies.fits(scope.kind, scope.committee_size) || x.remaining() == 0 {
            continue;
        }
        items.push(Item {
            kind: Kind::Meeting,
            what: format!(
                "{}：{}个{}{}尚未完成",
                x.rule.activity,
                x.remaining(),
                x.rule.applies.label(),
                x.period.label()
            ),
            org: scope.name.clone(),
            due: Some(x.period.end),
            href: format!(
                "/orgs/{}/missing?activity={}",
                scope.id,
                super::query_value(&x.rule.activity)
            ),
        });
    }
    found.add_all(Kind::Meeting, items, limit);
    Ok(found)
}

/// Today's meetings: for a member, those they are expected at and have not checked in to;
/// for a cadre, those in the subtree where not everyone expected is present yet.
pub fn check_ins(c: &mut dyn Conn, ask: &Ask<'_>, limit: i64) -> Result<Found> {
    let mut found = Found::default();
    let today = ask.today.to_string();
    if let Some(member) = ask.actor.member_id {
        let rows = c.query(
            "SELECT m.id, m.kind, m.topic, o.name FROM attendance a JOIN meetings m ON m.id = a.meeting_id
             JOIN orgs o ON o.id = m.org_id
             WHERE a.member_id = ? AND m.held_on = ? AND a.presence = ? AND a.checked_in_at IS NULL
             ORDER BY m.id LIMIT 20",
            vals![member, today.as_str(), Presence::Absent.label()],
        )?;
        let mut items = Vec::new();
        for r in rows {
            items.push(Item {
                kind: Kind::CheckIn,
                what: format!("{}「{}」今天举行，到会后扫码签到", r.text(1)?, r.text(2)?),
                org: r.text(3)?,
                due: Some(ask.today),
                href: "/checkin".into(),
            });
        }
        found.add_all(Kind::CheckIn, items, limit);
        return Ok(found);
    }
    if !ask.actor.can_record_life(&ask.scope.path) {
        return Ok(found);
    }
    let (lo, hi) = ask.range();
    let rows = c.query(
        "SELECT m.id, m.kind, m.topic, o.name, m.present, m.expected FROM meetings m JOIN orgs o ON o.id = m.org_id
         WHERE m.org_path >= ? AND m.org_path < ? AND m.held_on = ? AND m.present < m.expected
         ORDER BY m.id LIMIT 50",
        vals![lo, hi, today.as_str()],
    )?;
    let mut items = Vec::new();
    for r in rows {
        items.push(Item {
            kind: Kind::CheckIn,
            what: format!(
                "{}「{}」今天举行：已签到{}人，应到{}人",
                r.text(1)?,
                r.text(2)?,
                r.i64(4)?,
                r.i64(5)?
            ),
            org: r.text(3)?,
            due: Some(ask.today),
            href: format!("/meetings/{}", r.i64(0)?),
        });
    }
    found.add_all(Kind::CheckIn, items, limit);
    Ok(found)
}
