//! Scores of an evaluation round, kept as versions, and the results computed at close by
//! `domain::evaluation::tally`. Nothing about the scores (not even how many were given) is
//! read back while a round is open. Each score's digest is in the audit log, so
//! `audit verify` finds a score changed behind the application's back.

use std::collections::BTreeMap;

use serde_json::json;
use sha2::{Digest, Sha256};
use xianfeng_domain::auth::Actor;
use xianfeng_domain::evaluation::{
    tally, Ballot, Choice, Grade, Outcome, Part, RaterGroup, Scheme, SubjectKind,
};
use xianfeng_domain::{path, Invalid};

use crate::audit::{self, Record};
use crate::db::Conn;
use crate::recognition::evaluations::{by_code, may_run, round, subjects, Round, Subject};
use crate::{now_text, vals, Result, StoreError};

fn digest(
    salt: &str,
    round: i64,
    subject: i64,
    rater: &str,
    group: &str,
    version: i64,
    scores: &str,
) -> String {
    hex::encode(Sha256::digest(
        format!("{salt}|{round}|{subject}|{rater}|{group}|{version}|{scores}").as_bytes(),
    ))
}

fn ensure_open(round: &Round) -> Result<()> {
    if !round.open {
        return Err(StoreError::Conflict("评议已结束，不能再打分".into()));
    }
    if xianfeng_domain::date::today() > round.closes_on {
        return Err(StoreError::Conflict(format!(
            "评议已于 {} 截止，不能再打分",
            round.closes_on
        )));
    }
    Ok(())
}

fn insert_score(
    c: &mut dyn Conn,
    actor: Option<&Actor>,
    round: &Round,
    subject: i64,
    rater: &str,
    group: RaterGroup,
    scores: &[u32],
) -> Result<()> {
    let version = c.scalar(
        "SELECT COALESCE(MAX(version), 0) FROM evaluation_scores WHERE round_id = ? AND subject_id = ? AND rater_key = ?",
        vals![round.id, subject, rater],
    )? + 1;
    let text = serde_json::to_string(scores).map_err(|e| StoreError::Db(e.to_string()))?;
    let d = digest(
        &round.salt,
        round.id,
        subject,
        rater,
        group.label(),
        version,
        &text,
    );
    // the audit entry carries the digest, not the scores: results stay hidden until close
    let seq = audit::append(
        c,
        Record {
            actor,
            org_id: Some(round.org_id),
            action: "evaluation.score",
            entity: "evaluation_round",
            entity_id: Some(round.id),
            before: json!(null),
            after: json!({"subject": subject, "rater": rater, "group": group.label(), "version": version, "digest": d}),
        },
    )?;
    c.execute(
        "INSERT INTO evaluation_scores (round_id, subject_id, rater_key, rater_group, version, scores, audit_seq, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        vals![round.id, subject, rater, group.label(), version, text, seq, now_text()],
    )?;
    Ok(())
}

/// A ballot cast with a one-time code: a quick choice per subject (at least one). The code
/// is spent in the same transaction, so it counts once per round.
pub fn vote_with_code(c: &mut dyn Conn, code: &str, choices: &[(i64, Choice)]) -> Result<()> {
    let code = by_code(c, code)?.ok_or(StoreError::NotFound("评议码"))?;
    let round = round(c, code.round_id)?;
    ensure_open(&round)?;
    match code.status.as_str() {
        "used" => {
            return Err(Invalid::one(
                "code",
                "评议码",
                "该评议码已使用过，每户（每人）每轮只能评议一次",
            )
            .into())
        }
        "revoked" => {
            return Err(
                Invalid::one("code", "评议码", "该评议码已作废，请联系村（社区）党组织").into(),
            )
        }
        _ => {}
    }
    if choices.is_empty() {
        return Err(Invalid::one("choice", "评议", "请至少评议一项").into());
    }
    let known: Vec<i64> = subjects(c, round.id)?.iter().map(|s| s.id).collect();
    if let Some((bad, _)) = choices.iter().find(|(s, _)| !known.contains(s)) {
        return Err(
            Invalid::one("choice", "评议对象", format!("编号 {bad} 不是本轮评议对象")).into(),
        );
    }
    let spent = c.execute(
        "UPDATE evaluation_codes SET status = 'used', used_at = ? WHERE id = ? AND status = 'active'",
        vals![now_text(), code.id],
    )?;
    if spent != 1 {
        return Err(Invalid::one(
            "code",
            "评议码",
            "该评议码已使用过，每户（每人）每轮只能评议一次",
        )
        .into());
    }
    let rater = format!("code:{}", code.id);
    for (subject, choice) in choices {
        let group = if code.household {
            RaterGroup::Residents
        } else if round.scheme.subject == SubjectKind::Member && code.member_id == Some(*subject) {
            RaterGroup::SelfReview
        } else {
            RaterGroup::Peers
        };
        insert_score(
            c,
            None,
            &round,
            *subject,
            &rater,
            group,
            &round.scheme.scores_for(*choice),
        )?;
    }
    Ok(())
}

/// The group an account scores in: a branch rating itself is 自评, any level above is
/// 组织评价.
pub fn account_group(round: &Round, subject: &Subject, actor: &Actor) -> Option<RaterGroup> {
    if !may_run(actor, &subject.org_path) && !may_run(actor, &round.org_path) {
        return None;
    }
    match round.scheme.subject {
        SubjectKind::Org if actor.scope_path == subject.org_path => Some(RaterGroup::SelfReview),
        _ if path::within(&round.org_path, &actor.scope_path) => Some(RaterGroup::Organisation),
        _ => None,
    }
}

/// An account's scores for one subject, one per criterion; a second submission is a new
/// version and replaces the first in the tally.
pub fn score(
    c: &mut dyn Conn,
    actor: &Actor,
    round_id: i64,
    subject_id: i64,
    raw: &[String],
) -> Result<()> {
    let round = round(c, round_id)?;
    ensure_open(&round)?;
    let subject = subjects(c, round_id)?
        .into_iter()
        .find(|s| s.id == subject_id)
        .ok_or(StoreError::NotFound("评议对象"))?;
    let group = account_group(&round, &subject, actor)
        .ok_or_else(|| Invalid::one("subject", "评议对象", "您不能为该对象打分"))?;
    let scores = round.scheme.check_scores(raw)?;
    insert_score(
        c,
        Some(actor),
        &round,
        subject_id,
        &format!("account:{}", actor.account_id),
        group,
        &scores,
    )
}

/// The latest version of every rater's scores (used only at close and for the check).
fn latest_ballots(c: &mut dyn Conn, round_id: i64) -> Result<Vec<Ballot>> {
    let mut latest: BTreeMap<(i64, String), Ballot> = BTreeMap::new();
    for r in c.query(
        "SELECT subject_id, rater_key, rater_group, scores FROM evaluation_scores WHERE round_id = ? ORDER BY version",
        vals![round_id],
    )? {
        let scores: Vec<u32> = serde_json::from_str(&r.text(3)?).map_err(|e| StoreError::Db(e.to_string()))?;
        let group = RaterGroup::parse(&r.text(2)?).unwrap_or(RaterGroup::Peers);
        latest.insert((r.i64(0)?, r.text(1)?), Ballot { subject: r.i64(0)?, group, scores });
    }
    Ok(latest.into_values().collect())
}

/// Closes a round and stores its results. Only the organisation that opened it, or above.
pub fn close(c: &mut dyn Conn, actor: &Actor, round_id: i64) -> Result<Vec<Outcome>> {
    let round = round(c, round_id)?;
    if !may_run(actor, &round.org_path) {
        return Err(Invalid::one("round", "评议", "只有组织评议的单位能结束评议").into());
    }
    let changed = c.execute(
        "UPDATE evaluation_rounds SET status = 'closed', closed_at = ? WHERE id = ? AND status = 'open'",
        vals![now_text(), round_id],
    )?;
    if changed != 1 {
        return Err(StoreError::Conflict("评议已经结束".into()));
    }
    let subject_ids: Vec<i64> = subjects(c, round_id)?.iter().map(|s| s.id).collect();
    let ballots = latest_ballots(c, round_id)?;
    let outcomes = tally(&round.scheme, &subject_ids, &ballots);
    for o in &outcomes {
        c.execute(
            "INSERT INTO evaluation_results (round_id, subject_id, total, rank, grade, capped, parts) VALUES (?, ?, ?, ?, ?, ?, ?)",
            vals![round_id, o.subject, o.total, o.rank as i64, o.grade.map(|g| g.label()).unwrap_or(""),
                  o.capped as i64, serde_json::to_string(&o.parts).map_err(|e| StoreError::Db(e.to_string()))?],
        )?;
    }
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(round.org_id),
            action: "evaluation.close",
            entity: "evaluation_round",
            entity_id: Some(round_id),
            before: json!({"status": "open"}),
            after: json!({"status": "closed", "ballots": ballots.len(),
                "results": outcomes.iter().map(|o| json!({"subject": o.subject, "total": o.total, "grade": o.grade.map(|g| g.label())})).collect::<Vec<_>>()}),
        },
    )?;
    Ok(outcomes)
}

#[derive(Debug, Clone)]
pub struct ResultLine {
    pub subject_id: i64,
    pub name: String,
    pub total: i64,
    pub rank: i64,
    pub grade: Option<Grade>,
    pub capped: bool,
    pub parts: Vec<Part>,
}

/// The results of a closed round; refused while it is open.
pub fn results(c: &mut dyn Conn, round: &Round) -> Result<Vec<ResultLine>> {
    if round.open {
        return Err(StoreError::Conflict(
            "评议进行中，结果在评议结束后公布".into(),
        ));
    }
    c.query(
        "SELECT r.subject_id, s.name, r.total, r.rank, r.grade, r.capped, r.parts FROM evaluation_results r
         JOIN evaluation_subjects s ON s.round_id = r.round_id AND s.subject_id = r.subject_id
         WHERE r.round_id = ? ORDER BY r.rank",
        vals![round.id],
    )?
    .iter()
    .map(|r| {
        Ok(ResultLine {
            subject_id: r.i64(0)?,
            name: r.text(1)?,
            total: r.i64(2)?,
            rank: r.i64(3)?,
            grade: Grade::parse(&r.text(4)?),
            capped: r.i64(5)? != 0,
            parts: serde_json::from_str(&r.text(6)?).map_err(|e| StoreError::Db(e.to_string()))?,
        })
    })
    .collect()
}

/// A member's latest closed 党员 evaluation total in `year` (for the stars' year-end review).
pub fn member_result(c: &mut dyn Conn, member_id: i64, year: i64) -> Result<Option<i64>> {
    for r in c.query(
        "SELECT r.total, e.scheme FROM evaluation_results r JOIN evaluation_rounds e ON e.id = r.round_id
         WHERE r.subject_id = ? AND e.year = ? AND e.status = 'closed' AND r.grade <> '' ORDER BY e.id DESC",
        vals![member_id, year],
    )? {
        let scheme: Scheme = serde_json::from_str(&r.text(1)?).map_err(|e| StoreError::Db(e.to_string()))?;
        if scheme.subject == SubjectKind::Member {
            return Ok(Some(r.i64(0)?));
        }
    }
    Ok(None)
}

/// Recomputes every score's digest and compares it with its audit entry.
pub fn check(c: &mut dyn Conn) -> Result<crate::Check<i64>> {
    let rows = c.query(
        "SELECT s.id, s.round_id, s.subject_id, s.rater_key, s.rater_group, s.version, s.scores, r.salt, a.after_json
         FROM evaluation_scores s JOIN evaluation_rounds r ON r.id = s.round_id
         LEFT JOIN audit_log a ON a.seq = s.audit_seq ORDER BY s.id",
        &[],
    )?;
    for r in &rows {
        let want = digest(
            &r.text(7)?,
            r.i64(1)?,
            r.i64(2)?,
            &r.text(3)?,
            &r.text(4)?,
            r.i64(5)?,
            &r.text(6)?,
        );
        // No audit entry (the LEFT JOIN found none) reads as null and so as a mismatch.
        let logged: serde_json::Value = r
            .opt_text(8)?
            .and_then(|j| serde_json::from_str(&j).ok())
            .unwrap_or_default();
        if logged["digest"].as_str() != Some(want.as_str()) {
            return Ok(crate::Check::Broken(format!(
                "评议打分 #{} 与审计记录不符（评议 #{}，对象 {}）",
                r.i64(0)?,
                r.i64(1)?,
                r.i64(2)?
            )));
        }
    }
    Ok(crate::Check::Sound(rows.len() as i64))
}
