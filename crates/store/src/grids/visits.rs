//! 走访: visits to households, each a cadence record of `走访` for the village (so visits this
//! month are one roll-up row for any subtree), and each member's households due a visit under
//! the visit rule of their categories (红黄绿 per member).

use chrono::NaiveDate;
use serde_json::json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::cadence::{CadenceRule, Period, Status};
use xianfeng_domain::grid::{self, Light, VisitDraft, VISIT, VISIT_RULES_KEY};
use xianfeng_domain::text::normalize;
use xianfeng_domain::{path, Invalid};

use super::links;
use crate::audit::{self, Record};
use crate::db::Conn;
use crate::engines::cadence;
use crate::people::households::{self, Household};
use crate::people::{members, orgs};
use crate::{now_text, settings, vals, Result, StoreError};

/// The county's visit rules per category (the defaults until it edits them).
pub fn rules(c: &mut dyn Conn) -> Result<Vec<CadenceRule>> {
    settings::json(c, VISIT_RULES_KEY, "走访频次", grid::default_visit_rules)
}

/// The roll-up metric and period of visits in a month: read with `rollup::get`.
pub fn month_metric() -> String {
    cadence::count_metric(VISIT)
}

/// Records a visit by a member (`member_id`) or by someone named by hand (`visitor`). A cadre
/// of the subtree records any; a member records visits to the households they link.
pub fn record(
    c: &mut dyn Conn,
    actor: &Actor,
    household_id: i64,
    member_id: Option<i64>,
    visitor: &str,
    d: &VisitDraft,
) -> Result<i64> {
    let h = households::get(c, household_id).map_err(|_| StoreError::NotFound("农户"))?;
    let linked = match actor.member_id {
        Some(m) => links::members_of(c, h.id)?.iter().any(|(id, _)| *id == m),
        None => false,
    };
    if !actor.can_visit_household(&h.org_path, linked) {
        return Err(StoreError::NotFound("农户"));
    }
    // A member records their own visits only.
    let member_id = if actor.role == xianfeng_domain::auth::Role::Member {
        actor.member_id
    } else {
        member_id
    };
    let visitor = match member_id {
        Some(m) => {
            members::get(c, m)?
                .filter(|r| path::within(&r.org_path, &h.org_path))
                .ok_or_else(|| {
                    Invalid::one("member_id", "走访人", format!("所选党员不在{}", h.org_name))
                })?
                .member
                .name
        }
        None => {
            let v = normalize(visitor);
            if v.is_empty() || v.chars().count() > 20 {
                return Err(Invalid::one(
                    "visitor",
                    "走访人",
                    "请选择党员或填写走访人姓名（不超过20个字）",
                )
                .into());
            }
            v
        }
    };
    let id = c.scalar(
        "INSERT INTO household_visits (household_id, org_id, org_path, member_id, visitor, visited_on, found, needs, help, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vals![h.id, h.org_id, h.org_path.as_str(), member_id, visitor.as_str(), d.visited_on.to_string(),
              d.found.as_str(), d.needs.as_str(), d.help.as_str(), now_text()],
    )?;
    let org = orgs::require(c, h.org_id)?;
    cadence::record(c, &org, VISIT, d.visited_on, 1)?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(h.org_id),
            action: "household.visit",
            entity: "household",
            entity_id: Some(h.id),
            before: json!(null),
            after: json!({"visit": id, "visitor": visitor, "visited_on": d.visited_on.to_string(),
                          "needs": d.needs}),
        },
    )?;
    Ok(id)
}

#[derive(Debug, Clone)]
pub struct Visit {
    pub id: i64,
    pub visitor: String,
    pub visited_on: String,
    pub found: String,
    pub needs: String,
    pub help: String,
}

/// A household's visits, newest first.
pub fn of_household(c: &mut dyn Conn, household_id: i64) -> Result<Vec<Visit>> {
    c.query(
        "SELECT id, visitor, visited_on, found, needs, help FROM household_visits
         WHERE household_id = ? ORDER BY visited_on DESC, id DESC",
        vals![household_id],
    )?
    .iter()
    .map(|r| {
        Ok(Visit {
            id: r.i64(0)?,
            visitor: r.text(1)?,
            visited_on: r.text(2)?,
            found: r.text(3)?,
            needs: r.text(4)?,
            help: r.text(5)?,
        })
    })
    .collect()
}

fn visits_between(c: &mut dyn Conn, household_id: i64, p: &Period) -> Result<i64> {
    c.scalar(
        "SELECT COUNT(*) FROM household_visits WHERE household_id = ? AND visited_on >= ? AND visited_on <= ?",
        vals![household_id, p.start.to_string(), p.end.to_string()],
    )
}

/// One linked household with its visit rule's standing this period.
#[derive(Debug, Clone)]
pub struct Due {
    pub household: Household,
    pub rule: CadenceRule,
    pub period: Period,
    pub visits: i64,
    pub status: Status,
}

/// The households a member links that a visit rule covers, with their standing on `today`.
pub fn due(c: &mut dyn Conn, member_id: i64, today: NaiveDate) -> Result<Vec<Due>> {
    let rules = rules(c)?;
    let mut out = Vec::new();
    for h in links::households_of(c, member_id)? {
        let Some(rule) = grid::visit_rule(&h.categories, &rules).cloned() else {
            continue;
        };
        let period = Period::containing(rule.frequency, today);
        let visits = visits_between(c, h.id, &period)?;
        let status = rule.status(&period, visits, today, period.start);
        out.push(Due {
            household: h,
            rule,
            period,
            visits,
            status,
        });
    }
    Ok(out)
}

/// 红黄绿 for each member of a subtree who links a household: (member id, name, light, households
/// due or missed).
pub fn lights(
    c: &mut dyn Conn,
    scope_path: &str,
    today: NaiveDate,
) -> Result<Vec<(i64, String, Light, usize)>> {
    let linked: Vec<(i64, String)> = c
        .query(
            "SELECT m.id, m.name FROM members m WHERE m.org_path >= ? AND m.org_path < ?
             AND EXISTS (SELECT 1 FROM household_links l WHERE l.member_id = m.id) ORDER BY m.org_path, m.id",
            vals![scope_path, path::upper(scope_path)],
        )?
        .iter()
        .map(|r| Ok((r.i64(0)?, r.text(1)?)))
        .collect::<Result<_>>()?;
    let mut out = Vec::new();
    for (id, name) in linked {
        let statuses: Vec<Status> = due(c, id, today)?.into_iter().map(|d| d.status).collect();
        let open = statuses.iter().filter(|s| **s != Status::Done).count();
        out.push((id, name, Light::of(&statuses), open));
    }
    Ok(out)
}
