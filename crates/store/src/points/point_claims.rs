//! Earning points: a cadre records them for a person, or a person (or a household through
//! its code) claims them with evidence and the branch approves. Caps, evidence, the rule's
//! reach and dates are checked when points are granted; unusual earning is flagged for review;
//! a correction is a reversal referencing the original entry.

use chrono::{Datelike, Duration, NaiveDate};
use serde_json::json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::points::{
    check_evidence, velocity_flag, ClaimStatus, EarnDraft, EntryKind, Used,
};
use xianfeng_domain::{path, Invalid};

use crate::audit::{self, Record};
use crate::db::{Conn, Row};
use crate::points::point_rules::{self, Rule};
use crate::points::{self, Account, Ledger, Movement};
use crate::{files, now_text, settings, vals, Result, StoreError};

#[derive(Debug, Clone)]
pub struct Claim {
    pub id: i64,
    pub account_id: i64,
    pub person: String,
    pub org_name: String,
    pub org_path: String,
    pub rule_id: i64,
    pub action: String,
    pub points: i64,
    pub day: String,
    pub note: String,
    pub evidence_sha: Option<String>,
    pub status: ClaimStatus,
    pub flagged: bool,
    pub created_at: String,
    pub reason: String,
}

const COLS: &str =
    "c.id, c.account_id, a.name AS account_name, o.name AS org_name, c.org_path, c.rule_id, r.action, r.points, c.day, c.note,
    c.evidence_sha, c.status, c.flagged, c.created_at, c.reason";
const FROM: &str = "point_claims c JOIN point_accounts a ON a.id = c.account_id
    JOIN orgs o ON o.id = a.org_id JOIN point_rules r ON r.id = c.rule_id";

fn row(r: &Row) -> Result<Claim> {
    Ok(Claim {
        id: r.i64("id")?,
        account_id: r.i64("account_id")?,
        person: r.text("account_name")?,
        org_name: r.text("org_name")?,
        org_path: r.text("org_path")?,
        rule_id: r.i64("rule_id")?,
        action: r.text("action")?,
        points: r.i64("points")?,
        day: r.text("day")?,
        note: r.text("note")?,
        evidence_sha: r.opt_text("evidence_sha")?,
        status: ClaimStatus::parse(&r.text("status")?).unwrap_or(ClaimStatus::Pending),
        flagged: r.i64("flagged")? != 0,
        created_at: r.text("created_at")?,
        reason: r.text("reason")?,
    })
}

pub fn get(c: &mut dyn Conn, id: i64) -> Result<Claim> {
    c.query_opt(
        &format!("SELECT {COLS} FROM {FROM} WHERE c.id = ?"),
        vals![id],
    )?
    .map(|r| row(&r))
    .ok_or(StoreError::NotFound("积分申报"))?
}

/// Claims in a subtree with a status, oldest first (the review queue) or newest first.
pub fn in_scope(
    c: &mut dyn Conn,
    scope_path: &str,
    status: ClaimStatus,
    limit: i64,
) -> Result<Vec<Claim>> {
    let order = if status == ClaimStatus::Pending {
        "c.id"
    } else {
        "c.id DESC"
    };
    c
        .query(
            &format!("SELECT {COLS} FROM {FROM} WHERE c.status = ? AND c.org_path >= ? AND c.org_path < ? ORDER BY {order} LIMIT ?"),
            vals![status.label(), scope_path, path::upper(scope_path), limit],
        )?
        .iter()
        .map(row)
        .collect::<Result<Vec<_>>>()
}

/// A person's claims, newest first.
pub fn of_account(c: &mut dyn Conn, account_id: i64, limit: i64) -> Result<Vec<Claim>> {
    c.query(
        &format!("SELECT {COLS} FROM {FROM} WHERE c.account_id = ? ORDER BY c.id DESC LIMIT ?"),
        vals![account_id, limit],
    )?
    .iter()
    .map(row)
    .collect::<Result<Vec<_>>>()
}

/// Whether a claim's evidence file is attached to it (for serving the file).
pub fn has_evidence(c: &mut dyn Conn, claim_id: i64, sha: &str) -> Result<bool> {
    Ok(c.query_opt(
        "SELECT 1 FROM point_claims WHERE id = ? AND evidence_sha = ?",
        vals![claim_id, sha],
    )?
    .is_some())
}

/// The checks every grant passes: the rule reaches the person, is in force for the day and
/// the person's kind, and has the evidence it requires.
fn check_rule(person: &Account, rule: &Rule, day: NaiveDate, has_evidence: bool) -> Result<()> {
    let kind = person
        .person_kind()
        .ok_or(StoreError::Conflict("只能为个人记积分".into()))?;
    if !rule.active || !point_rules::reaches(rule, &person.org_path) {
        return Err(Invalid::one("rule", "积分事项", "该事项不适用于此人所在组织").into());
    }
    rule.draft.usable(day, kind)?;
    check_evidence(&rule.draft, has_evidence)?;
    Ok(())
}

fn used(c: &mut dyn Conn, person: i64, rule: i64, day: NaiveDate) -> Result<Used> {
    let month_start = day.with_day(1).unwrap_or(day);
    let year_start = NaiveDate::from_ymd_opt(day.year(), 1, 1).unwrap_or(day);
    let month_end = (month_start + Duration::days(32))
        .with_day(1)
        .unwrap_or(day)
        - Duration::days(1);
    let year_end = NaiveDate::from_ymd_opt(day.year(), 12, 31).unwrap_or(day);
    Ok(Used {
        day: points::earned_between(c, person, Some(rule), day, day)?,
        month: points::earned_between(c, person, Some(rule), month_start, month_end)?,
        year: points::earned_between(c, person, Some(rule), year_start, year_end)?,
    })
}

/// One grant (or deduction) of a rule's points to a locked person.
pub struct Grant<'a> {
    pub person: &'a Account,
    pub rule: &'a Rule,
    pub day: NaiveDate,
    pub note: &'a str,
    pub claim_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub source_ref: Option<&'a str>,
}

/// Posts a grant: caps are checked against what the ledger already holds, and a deduction
/// never takes a balance below zero.
pub fn apply(c: &mut dyn Conn, ledger: &mut Ledger, g: &Grant<'_>) -> Result<i64> {
    let Grant {
        person,
        rule,
        day,
        note,
        claim_id,
        actor_id,
        source_ref,
    } = *g;
    let points = rule.draft.points;
    let (kind, debit, credit) = if points > 0 {
        if rule.draft.caps.any() {
            rule.draft
                .caps
                .check(used(c, person.id, rule.id, day)?, points)?;
        }
        (EntryKind::Grant, rule.account_id, person.id)
    } else {
        (EntryKind::Deduction, person.id, rule.account_id)
    };
    ledger.post(
        c,
        &Movement {
            kind,
            debit,
            credit,
            amount: points.abs(),
            person,
            day,
            rule_id: Some(rule.id),
            claim_id,
            redemption_id: None,
            reverses: None,
            actor_id,
            note,
            source_ref,
        },
    )
}

fn check_unused_evidence(c: &mut dyn Conn, sha: &str) -> Result<()> {
    if let Some(r) = c.query_opt(
        "SELECT c.id, a.name FROM point_claims c JOIN point_accounts a ON a.id = c.account_id
         WHERE c.evidence_sha = ? AND c.status <> '已驳回'",
        vals![sha],
    )? {
        return Err(Invalid::one(
            "evidence",
            "佐证材料",
            format!(
                "同一文件已用于{}的第{}号积分申报，不能重复获得积分",
                r.text(1)?,
                r.i64(0)?
            ),
        )
        .into());
    }
    Ok(())
}

/// Evidence as uploaded: (MIME type, bytes), checked by the caller for type and size.
pub type Evidence<'a> = Option<(&'a str, &'a [u8])>;

/// Who asks for points: a signed-in cadre recording them, or the holder of a points card
/// (a resident, a household or a member) claiming through its code.
#[derive(Clone, Copy)]
pub enum By<'a> {
    Cadre(&'a Actor),
    Card,
}

impl By<'_> {
    fn actor(&self) -> Option<&Actor> {
        match self {
            By::Cadre(a) => Some(a),
            By::Card => None,
        }
    }
}

/// Records or claims points for a person. A cadre's record is granted at once; a claim waits
/// for the branch when the rule requires approval or the earning looks unusual.
pub fn earn(
    c: &mut dyn Conn,
    by: By<'_>,
    person_id: i64,
    d: &EarnDraft,
    evidence: Evidence<'_>,
) -> Result<(i64, ClaimStatus)> {
    let person = points::lock(c, person_id)?;
    let rule = point_rules::get(c, d.rule_id)?;
    check_rule(&person, &rule, d.day, evidence.is_some())?;
    let sha = match evidence {
        Some((mime, bytes)) => {
            let sha = files::put(c, mime, bytes)?;
            check_unused_evidence(c, &sha)?;
            Some(sha)
        }
        None => None,
    };
    let threshold = settings::rules(c)?.points_velocity_week;
    let week = points::earned_between(c, person.id, None, d.day - Duration::days(6), d.day)?;
    let flagged = velocity_flag(week, rule.draft.points, threshold);
    let status = match by {
        By::Cadre(_) => ClaimStatus::Approved,
        _ if rule.draft.approval_required || flagged => ClaimStatus::Pending,
        _ => ClaimStatus::Approved,
    };
    // A claim that waits is refused now if it could never be granted; a grant is checked
    // when it is posted.
    if status == ClaimStatus::Pending && rule.draft.points > 0 && rule.draft.caps.any() {
        rule.draft
            .caps
            .check(used(c, person.id, rule.id, d.day)?, rule.draft.points)?;
    }
    let actor = by.actor();
    let claim = c.scalar(
        "INSERT INTO point_claims (account_id, rule_id, org_path, day, note, evidence_sha, status, flagged, submitted_by, created_at, decided_by, decided_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vals![person.id, rule.id, person.org_path.as_str(), d.day.to_string(), d.note.as_str(), sha.clone(), status.label(),
              i64::from(flagged), actor.map(|a| a.account_id), now_text(),
              (status == ClaimStatus::Approved).then(|| actor.map(|a| a.account_id)).flatten(),
              (status == ClaimStatus::Approved).then(now_text)],
    )?;
    if status == ClaimStatus::Approved {
        let mut ledger = Ledger::default();
        let grant = Grant {
            person: &person,
            rule: &rule,
            day: d.day,
            note: &d.note,
            claim_id: Some(claim),
            actor_id: actor.map(|a| a.account_id),
            source_ref: None,
        };
        apply(c, &mut ledger, &grant)?;
        ledger.finish(c)?;
    }
    audit::append(
        c,
        Record {
            actor,
            org_id: Some(person.org_id),
            action: "points.claim",
            entity: "point_claim",
            entity_id: Some(claim),
            before: json!(null),
            after: json!({"person": person.name, "rule": rule.draft.action, "points": rule.draft.points,
                          "day": d.day.to_string(), "status": status.label(), "flagged": flagged, "evidence": sha}),
        },
    )?;
    Ok((claim, status))
}

/// Approves or rejects a waiting claim. Approval grants the points (caps checked now);
/// rejection needs a reason and frees the evidence file.
pub fn decide(
    c: &mut dyn Conn,
    actor: &Actor,
    claim_id: i64,
    approve: bool,
    reason: &str,
) -> Result<ClaimStatus> {
    let claim = get(c, claim_id)?;
    if claim.status != ClaimStatus::Pending {
        return Err(StoreError::Conflict(format!(
            "该申报已{}，不能再次审核",
            claim.status.label()
        )));
    }
    let reason = xianfeng_domain::points::decision_reason(approve, reason)?;
    let status = if approve {
        ClaimStatus::Approved
    } else {
        ClaimStatus::Rejected
    };
    // Every check runs before anything changes: a stopped rule or a reached cap refuses the
    // approval and leaves the claim waiting.
    let approval = if approve {
        let person = points::lock(c, claim.account_id)?;
        let rule = point_rules::get(c, claim.rule_id)?;
        let day = xianfeng_domain::date::parse(&claim.day)
            .ok_or(StoreError::Db("申报日期损坏".into()))?;
        check_rule(&person, &rule, day, claim.evidence_sha.is_some())?;
        Some((person, rule, day))
    } else {
        None
    };
    let moved = c.execute(
        "UPDATE point_claims SET status = ?, decided_by = ?, decided_at = ?, reason = ? WHERE id = ? AND status = '待审核'",
        vals![status.label(), actor.account_id, now_text(), reason.as_str(), claim_id],
    )?;
    if moved != 1 {
        return Err(StoreError::Conflict("该申报已被他人审核".into()));
    }
    if let Some((person, rule, day)) = approval {
        let mut ledger = Ledger::default();
        let grant = Grant {
            person: &person,
            rule: &rule,
            day,
            note: &claim.note,
            claim_id: Some(claim_id),
            actor_id: Some(actor.account_id),
            source_ref: None,
        };
        apply(c, &mut ledger, &grant)?;
        ledger.finish(c)?;
    }
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: None,
            action: if approve {
                "points.claim.approve"
            } else {
                "points.claim.reject"
            },
            entity: "point_claim",
            entity_id: Some(claim_id),
            before: json!({"status": claim.status.label()}),
            after: json!({"status": status.label(), "reason": reason}),
        },
    )?;
    Ok(status)
}

/// Reverses one grant or deduction with an opposite entry that references it (冲正). A
/// reversal is itself never reversed, and each entry is reversed at most once.
pub fn reverse(c: &mut dyn Conn, actor: &Actor, entry_id: i64, reason: &str) -> Result<i64> {
    let reason = xianfeng_domain::points::reversal_reason(reason)?;
    let e = points::entry(c, entry_id)?;
    let kind = EntryKind::parse(&e.kind);
    if !matches!(kind, Some(EntryKind::Grant | EntryKind::Deduction)) {
        return Err(StoreError::Conflict(format!("“{}”记录不能冲正", e.kind)));
    }
    if e.reversed {
        return Err(StoreError::Conflict("该记录已冲正".into()));
    }
    let person = points::lock(c, e.person_id)?;
    let day = xianfeng_domain::date::parse(&e.day).ok_or(StoreError::Db("记录日期损坏".into()))?;
    let note = format!("冲正第{}号：{reason}", e.id);
    let id = points::post_one(
        c,
        &Movement {
            kind: EntryKind::Reversal,
            debit: e.credit_id,
            credit: e.debit_id,
            amount: e.amount,
            person: &person,
            day,
            rule_id: e.rule_id,
            claim_id: e.claim_id,
            redemption_id: None,
            reverses: Some(e.id),
            actor_id: Some(actor.account_id),
            note: &note,
            source_ref: None,
        },
    )?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(person.org_id),
            action: "points.reverse",
            entity: "point_entry",
            entity_id: Some(id),
            before: json!({"entry": e.id, "amount": e.signed()}),
            after: json!({"reversal": id, "reason": reason}),
        },
    )?;
    Ok(id)
}
