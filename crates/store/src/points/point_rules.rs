//! The points rules catalogue (积分细则): the county's rules apply everywhere below it, a
//! town's only in its town. Each rule has its own issuing account in the ledger.

use serde_json::json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::org::Org;
use xianfeng_domain::path;
use xianfeng_domain::points::{Audience, Caps, RuleDraft, Trigger};

use crate::audit::{self, Record};
use crate::db::{Conn, Row};
use crate::points::{self, NewAccount, RULE};
use crate::{now_text, vals, Result, StoreError};

#[derive(Debug, Clone)]
pub struct Rule {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub account_id: i64,
    pub draft: RuleDraft,
    pub active: bool,
}

const COLS: &str = "r.id, r.org_id, o.name AS org_name, r.org_path, r.account_id, r.action, r.category, r.points, r.audience,
    r.evidence_required, r.approval_required, r.cap_day, r.cap_month, r.cap_year, r.valid_from, r.valid_to, r.active, r.trigger_kind";
const FROM: &str = "point_rules r JOIN orgs o ON o.id = r.org_id";

fn row(r: &Row) -> Result<Rule> {
    let day = |name: &str| -> Result<_> {
        Ok(r.opt_text(name)?
            .and_then(|s| xianfeng_domain::date::parse(&s)))
    };
    Ok(Rule {
        id: r.i64("id")?,
        org_id: r.i64("org_id")?,
        org_name: r.text("org_name")?,
        org_path: r.text("org_path")?,
        account_id: r.i64("account_id")?,
        draft: RuleDraft {
            action: r.text("action")?,
            category: r.text("category")?,
            points: r.i64("points")?,
            audience: Audience::parse(&r.text("audience")?).unwrap_or(Audience::All),
            evidence_required: r.i64("evidence_required")? != 0,
            approval_required: r.i64("approval_required")? != 0,
            caps: Caps {
                day: r.opt_i64("cap_day")?,
                month: r.opt_i64("cap_month")?,
                year: r.opt_i64("cap_year")?,
            },
            valid_from: day("valid_from")?,
            valid_to: day("valid_to")?,
            trigger: Trigger::parse(&r.text("trigger_kind")?).unwrap_or(Trigger::Manual),
        },
        active: r.i64("active")? != 0,
    })
}

pub fn get(c: &mut dyn Conn, id: i64) -> Result<Rule> {
    c.query_opt(
        &format!("SELECT {COLS} FROM {FROM} WHERE r.id = ?"),
        vals![id],
    )?
    .map(|r| row(&r))
    .ok_or(StoreError::NotFound("积分事项"))?
}

/// Whether a rule set at `rule_path` reaches a person in `org_path`.
pub fn reaches(rule: &Rule, org_path: &str) -> bool {
    path::within(org_path, &rule.org_path)
}

/// Active rules that reach an organisation: those set by it and by its ancestors.
pub fn for_org(c: &mut dyn Conn, org_path: &str) -> Result<Vec<Rule>> {
    let ancestors: Vec<String> = {
        let ids = path::ids(org_path);
        (1..=ids.len())
            .map(|n| {
                let parts: Vec<String> = ids[..n].iter().map(|i| i.to_string()).collect();
                format!("/{}/", parts.join("/"))
            })
            .collect()
    };
    if ancestors.is_empty() {
        return Ok(Vec::new());
    }
    let marks = vec!["?"; ancestors.len()].join(", ");
    let params: Vec<crate::Value> = ancestors.into_iter().map(Into::into).collect();
    c
        .query(
            &format!("SELECT {COLS} FROM {FROM} WHERE r.active = 1 AND r.org_path IN ({marks}) ORDER BY r.category, r.points DESC, r.id"),
            &params,
        )?
        .iter()
        .map(row)
        .collect::<Result<Vec<_>>>()
}

/// The catalogue as a scope sees it: the rules reaching its root and those set inside it.
pub fn catalogue(c: &mut dyn Conn, scope_path: &str) -> Result<Vec<Rule>> {
    let mut out: Vec<Rule> = for_org(c, scope_path)?
        .into_iter()
        .filter(|r| r.org_path != scope_path)
        .collect();
    out.extend(
        c.query(
            &format!("SELECT {COLS} FROM {FROM} WHERE r.org_path >= ? AND r.org_path < ? ORDER BY r.org_path, r.category, r.id"),
            vals![scope_path, path::upper(scope_path)],
        )?
        .iter()
        .map(row)
        .collect::<Result<Vec<_>>>()?,
    );
    Ok(out)
}

fn day_text(d: Option<chrono::NaiveDate>) -> Option<String> {
    d.map(|d| d.to_string())
}

/// Adds a rule set by `org` (the county, or a town within the county's bounds: the caller
/// validated the draft with them).
pub fn create(c: &mut dyn Conn, actor: Option<&Actor>, org: &Org, d: &RuleDraft) -> Result<i64> {
    let account = points::open_account(
        c,
        NewAccount {
            kind: RULE,
            member_id: None,
            resident_id: None,
            household_id: None,
            org_id: org.id,
            org_path: &org.path,
            name: &d.action,
            code: None,
        },
    )?;
    let id = c.scalar(
        "INSERT INTO point_rules (org_id, org_path, account_id, category, action, points, audience, evidence_required, approval_required,
            cap_day, cap_month, cap_year, valid_from, valid_to, trigger_kind, active, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?) RETURNING id",
        vals![org.id, org.path.as_str(), account, d.category.as_str(), d.action.as_str(), d.points, d.audience.label(),
              i64::from(d.evidence_required), i64::from(d.approval_required), d.caps.day, d.caps.month, d.caps.year,
              day_text(d.valid_from), day_text(d.valid_to), d.trigger.label(), now_text()],
    )?;
    audit::append(
        c,
        Record {
            actor,
            org_id: Some(org.id),
            action: "points.rule.create",
            entity: "point_rule",
            entity_id: Some(id),
            before: json!(null),
            after: json!(d),
        },
    )?;
    Ok(id)
}

/// Replaces a rule's terms; what it already granted stays in the ledger as it was.
pub fn update(c: &mut dyn Conn, actor: &Actor, rule: &Rule, d: &RuleDraft) -> Result<()> {
    c.execute(
        "UPDATE point_rules SET category = ?, action = ?, points = ?, audience = ?, evidence_required = ?, approval_required = ?,
            cap_day = ?, cap_month = ?, cap_year = ?, valid_from = ?, valid_to = ?, trigger_kind = ? WHERE id = ?",
        vals![d.category.as_str(), d.action.as_str(), d.points, d.audience.label(), i64::from(d.evidence_required),
              i64::from(d.approval_required), d.caps.day, d.caps.month, d.caps.year, day_text(d.valid_from),
              day_text(d.valid_to), d.trigger.label(), rule.id],
    )?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(rule.org_id),
            action: "points.rule.update",
            entity: "point_rule",
            entity_id: Some(rule.id),
            before: json!(rule.draft),
            after: json!(d),
        },
    )?;
    Ok(())
}

/// Stops (or resumes) a rule; its history stays.
pub fn set_active(c: &mut dyn Conn, actor: &Actor, rule: &Rule, active: bool) -> Result<()> {
    c.execute(
        "UPDATE point_rules SET active = ? WHERE id = ?",
        vals![i64::from(active), rule.id],
    )?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(rule.org_id),
            action: if active {
                "points.rule.resume"
            } else {
                "points.rule.stop"
            },
            entity: "point_rule",
            entity_id: Some(rule.id),
            before: json!({"active": rule.active}),
            after: json!({"active": active}),
        },
    )?;
    Ok(())
}
