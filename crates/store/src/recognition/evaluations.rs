//! Evaluation rounds (考评、民主评议): the county's schemes, opening a round with its subjects,
//! and the one-time rater codes for households and members (issued, looked up, revoked).
//! Scores, closing and results are in `evaluation_scores`.

use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::evaluation::{Scheme, SubjectKind};
use xianfeng_domain::org::Org;
use xianfeng_domain::text::normalize;
use xianfeng_domain::{path, Invalid};

pub use crate::recognition::evaluation_scores::{
    account_group, check, close, member_result, results, score, vote_with_code, ResultLine,
};

use crate::audit::{self, Record};
use crate::db::{Conn, Row};
use crate::points::new_code;
use crate::{now_text, people::orgs, settings, vals, Result, StoreError};

#[derive(Debug, Clone)]
pub struct Round {
    pub id: i64,
    pub org_id: i64,
    pub org_path: String,
    pub org_name: String,
    pub name: String,
    pub year: i64,
    pub scheme: Scheme,
    pub open: bool,
    pub closes_on: NaiveDate,
    pub created_at: String,
    pub closed_at: Option<String>,
    pub(crate) salt: String,
}

const ROUND_COLUMNS: &str = "r.id, r.org_id, r.org_path, o.name AS org_name, r.name, r.year, r.scheme, r.status, r.closes_on, r.created_at, r.closed_at, r.salt";

fn round_row(r: &Row) -> Result<Round> {
    Ok(Round {
        id: r.i64("id")?,
        org_id: r.i64("org_id")?,
        org_path: r.text("org_path")?,
        org_name: r.text("org_name")?,
        name: r.text("name")?,
        year: r.i64("year")?,
        scheme: serde_json::from_str(&r.text("scheme")?)
            .map_err(|e| StoreError::Db(format!("评议方案损坏：{e}")))?,
        open: r.text("status")? == "open",
        closes_on: r.text("closes_on")?.parse().unwrap_or_default(),
        created_at: r.text("created_at")?,
        closed_at: r.opt_text("closed_at")?,
        salt: r.text("salt")?,
    })
}

pub fn round(c: &mut dyn Conn, id: i64) -> Result<Round> {
    let r = c
        .query_opt(
            &format!("SELECT {ROUND_COLUMNS} FROM evaluation_rounds r JOIN orgs o ON o.id = r.org_id WHERE r.id = ?"),
            vals![id],
        )?
        .ok_or(StoreError::NotFound("评议"))?;
    round_row(&r)
}

/// Ids of the rounds still open.
pub fn open_rounds(c: &mut dyn Conn) -> Result<std::collections::HashSet<i64>> {
    c.query(
        "SELECT id FROM evaluation_rounds WHERE status = 'open'",
        &[],
    )?
    .iter()
    .map(|r| r.i64(0))
    .collect::<Result<_>>()
}

/// Rounds held in `scope` or above it that concern it, newest first.
pub fn rounds_in(c: &mut dyn Conn, scope: &str) -> Result<Vec<Round>> {
    c.query(
        &format!(
            "SELECT {ROUND_COLUMNS} FROM evaluation_rounds r JOIN orgs o ON o.id = r.org_id
             WHERE r.org_path >= ? AND r.org_path < ? ORDER BY r.id DESC LIMIT 200"
        ),
        vals![scope, path::upper(scope)],
    )?
    .iter()
    .map(round_row)
    .collect()
}

/// The county's evaluation schemes (the built-in 五带头 and 五个好 until edited).
pub fn schemes(c: &mut dyn Conn) -> Result<Vec<Scheme>> {
    settings::json(c, "evaluation_schemes", "评议方案", Scheme::builtin)
}

/// The schemes a round opened at `org_path` may use: the county's, then those made from the
/// criteria lists of the open campaigns it takes part in (五个好 of a published plan).
pub fn schemes_at(c: &mut dyn Conn, org_path: &str) -> Result<Vec<Scheme>> {
    let mut all = schemes(c)?;
    for s in crate::plans::rules::schemes_offered_at(c, org_path)? {
        if !all.iter().any(|a| normalize(&a.name) == normalize(&s.name)) {
            all.push(s);
        }
    }
    Ok(all)
}

/// Adds a scheme (`index` None) or replaces one; names are unique. Rounds keep the scheme
/// they were opened with.
pub fn save_scheme(
    c: &mut dyn Conn,
    actor: &Actor,
    index: Option<usize>,
    scheme: Scheme,
) -> Result<()> {
    if !actor.is_county_admin() {
        return Err(Invalid::one("scheme", "评议方案", "只有县级管理员能修改评议方案").into());
    }
    scheme.check()?;
    let mut all = schemes(c)?;
    let before = json!(all);
    if all
        .iter()
        .enumerate()
        .any(|(i, s)| Some(i) != index && normalize(&s.name) == normalize(&scheme.name))
    {
        return Err(Invalid::one(
            "name",
            "方案名称",
            format!("已有名为“{}”的方案", scheme.name),
        )
        .into());
    }
    match index {
        Some(i) if i < all.len() => all[i] = scheme,
        Some(_) => return Err(StoreError::NotFound("评议方案")),
        None => all.push(scheme),
    }
    settings::save_json(c, actor, "evaluation_schemes", before, &all)
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct RoundInput {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub scheme: String,
    #[serde(default)]
    pub closes_on: String,
}

/// Who may open, close and score as the organisation in a round at `org_path`.
pub(crate) fn may_run(actor: &Actor, org_path: &str) -> bool {
    actor.can_record_life(org_path)
}

/// Opens a round: 五带头 rates the members of a branch, 五个好 rates the branches under a
/// town. Codes are issued to every member concerned and every household in the subtree.
pub fn open_round(c: &mut dyn Conn, actor: &Actor, org: &Org, input: &RoundInput) -> Result<i64> {
    let mut errors = xianfeng_domain::error::Collector::default();
    let name = normalize(&input.name);
    if name.is_empty() || name.chars().count() > 60 {
        errors.push("name", "评议名称", "须为 1–60 字");
    }
    let scheme = schemes_at(c, &org.path)?
        .into_iter()
        .find(|s| normalize(&s.name) == normalize(&input.scheme));
    if scheme.is_none() {
        errors.push("scheme", "评议方案", "请选择评议方案");
    }
    let today = xianfeng_domain::date::today();
    let closes_on = xianfeng_domain::date::parse(&input.closes_on);
    match closes_on {
        Some(d) if d >= today => {}
        Some(_) => errors.push("closes_on", "截止日期", "不能早于今天"),
        None => errors.push("closes_on", "截止日期", "请按 2026-12-31 的格式填写"),
    }
    let scheme = errors
        .finish(scheme)?
        .ok_or(StoreError::NotFound("评议方案"))?;
    let closes_on = closes_on.unwrap_or(today);
    if !may_run(actor, &org.path) {
        return Err(Invalid::one("org", "评议单位", "不在您的管辖范围内").into());
    }
    let subjects: Vec<(i64, String, String)> = match scheme.subject {
        SubjectKind::Member => c
            .query(
                "SELECT id, name, org_path FROM members WHERE org_id = ? ORDER BY id",
                vals![org.id],
            )?
            .iter()
            .map(|r| Ok((r.i64(0)?, r.text(1)?, r.text(2)?)))
            .collect::<Result<_>>()?,
        SubjectKind::Org => orgs::branches_in(c, &org.path)?
            .into_iter()
            .filter(|b| b.id != org.id)
            .map(|b| (b.id, b.name, b.path))
            .collect(),
    };
    if subjects.is_empty() {
        return Err(Invalid::one(
            "scheme",
            "评议方案",
            match scheme.subject {
                SubjectKind::Member => "本组织没有党员，不能开展党员评议",
                SubjectKind::Org => "本组织下没有支部，不能开展党组织评议",
            },
        )
        .into());
    }
    let body = serde_json::to_string(&scheme).map_err(|e| StoreError::Db(e.to_string()))?;
    let id = c.scalar(
        "INSERT INTO evaluation_rounds (org_id, org_path, name, year, scheme, salt, status, closes_on, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?) RETURNING id",
        vals![org.id, org.path.as_str(), name.as_str(), chrono::Datelike::year(&today) as i64, body,
              format!("{}{}", new_code(), new_code()), closes_on.to_string(), actor.account_id, now_text()],
    )?;
    // A round is the organisation's 评议/考评 occurrence (一年一考评, 半年一评议).
    crate::engines::cadence::record(c, org, xianfeng_domain::plan_rules::EVALUATION, today, 1)?;
    for (i, (sid, sname, spath)) in subjects.iter().enumerate() {
        c.execute(
            "INSERT INTO evaluation_subjects (round_id, subject_id, position, name, org_path) VALUES (?, ?, ?, ?, ?)",
            vals![id, *sid, i as i64, sname.as_str(), spath.as_str()],
        )?;
    }
    let members: Vec<(i64, String)> = c
        .query(
            "SELECT id, name FROM members WHERE org_path >= ? AND org_path < ? ORDER BY id",
            vals![org.path.as_str(), path::upper(&org.path)],
        )?
        .iter()
        .map(|r| Ok((r.i64(0)?, r.text(1)?)))
        .collect::<Result<_>>()?;
    for (mid, mname) in members {
        c.execute(
            "INSERT INTO evaluation_codes (round_id, code, kind, member_id, label, status) VALUES (?, ?, 'member', ?, ?, 'active')",
            vals![id, new_code(), mid, format!("党员 {mname}")],
        )?;
    }
    let households: Vec<(i64, String, String, String)> = c
        .query(
            "SELECT h.id, h.head_name, h.address, o.name FROM households h JOIN orgs o ON o.id = h.org_id
             WHERE h.org_path >= ? AND h.org_path < ? ORDER BY h.org_path, h.id",
            vals![org.path.as_str(), path::upper(&org.path)],
        )?
        .iter()
        .map(|r| Ok((r.i64(0)?, r.text(1)?, r.text(2)?, r.text(3)?)))
        .collect::<Result<_>>()?;
    for (hid, head, address, village) in households {
        let label = if village == org.name {
            format!("{head}户（{address}）")
        } else {
            format!("{village} {head}户（{address}）")
        };
        c.execute(
            "INSERT INTO evaluation_codes (round_id, code, kind, household_id, label, status) VALUES (?, ?, 'household', ?, ?, 'active')",
            vals![id, new_code(), hid, label],
        )?;
    }
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(org.id),
            action: "evaluation.open",
            entity: "evaluation_round",
            entity_id: Some(id),
            before: json!(null),
            after: json!({"name": name, "scheme": scheme.name, "subjects": subjects.len(), "closes_on": closes_on}),
        },
    )?;
    Ok(id)
}

#[derive(Debug, Clone)]
pub struct Subject {
    pub id: i64,
    pub name: String,
    pub org_path: String,
}

pub fn subjects(c: &mut dyn Conn, round_id: i64) -> Result<Vec<Subject>> {
    c
        .query(
            "SELECT subject_id, name, org_path FROM evaluation_subjects WHERE round_id = ? ORDER BY position",
            vals![round_id],
        )?
        .iter()
        .map(|r| Ok(Subject {
            id: r.i64(0)?,
            name: r.text(1)?,
            org_path: r.text(2)?,
        }))
        .collect::<Result<_>>()
}

#[derive(Debug, Clone)]
pub struct Code {
    pub id: i64,
    pub round_id: i64,
    pub code: String,
    pub household: bool,
    pub member_id: Option<i64>,
    pub label: String,
    pub status: String,
}

impl Code {
    pub fn status_label(&self) -> &'static str {
        match self.status.as_str() {
            "revoked" => "已作废",
            // while the round is open, used and unused codes look the same (no partial counts)
            _ => "有效",
        }
    }
}

fn code_row(r: &Row) -> Result<Code> {
    Ok(Code {
        id: r.i64("id")?,
        round_id: r.i64("round_id")?,
        code: r.text("code")?,
        household: r.text("kind")? == "household",
        member_id: r.opt_i64("member_id")?,
        label: r.text("label")?,
        status: r.text("status")?,
    })
}

const CODE_COLUMNS: &str = "id, round_id, code, kind, member_id, label, status";

pub fn codes(c: &mut dyn Conn, round_id: i64) -> Result<Vec<Code>> {
    c.query(
        &format!(
            "SELECT {CODE_COLUMNS} FROM evaluation_codes WHERE round_id = ? ORDER BY kind, id"
        ),
        vals![round_id],
    )?
    .iter()
    .map(code_row)
    .collect::<Result<Vec<_>>>()
}

pub fn by_code(c: &mut dyn Conn, code: &str) -> Result<Option<Code>> {
    let code = normalize(code).to_uppercase();
    c.query_opt(
        &format!("SELECT {CODE_COLUMNS} FROM evaluation_codes WHERE code = ?"),
        vals![code],
    )?
    .map(|r| code_row(&r))
    .transpose()
}

/// Revokes a code (lost, or handed to the wrong household); a code already used stays
/// counted. Returns the code's round.
pub fn revoke(c: &mut dyn Conn, actor: &Actor, code_id: i64) -> Result<i64> {
    let r = c
        .query_opt(
            &format!("SELECT {CODE_COLUMNS} FROM evaluation_codes WHERE id = ?"),
            vals![code_id],
        )?
        .ok_or(StoreError::NotFound("评议码"))?;
    let code = code_row(&r)?;
    let round = round(c, code.round_id)?;
    // a code the actor may not run is answered like a missing one: its id tells nothing
    if !may_run(actor, &round.org_path) {
        return Err(StoreError::NotFound("评议码"));
    }
    if !round.open {
        return Err(StoreError::Conflict("评议已结束，评议码不能再作废".into()));
    }
    let changed = c.execute(
        "UPDATE evaluation_codes SET status = 'revoked' WHERE id = ? AND status = 'active'",
        vals![code_id],
    )?;
    // a code already used stays counted; saying so would reveal who has voted
    if changed == 0 {
        return Ok(round.id);
    }
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(round.org_id),
            action: "evaluation.revoke_code",
            entity: "evaluation_code",
            entity_id: Some(code_id),
            before: json!(null),
            after: json!({"round": round.id, "label": code.label}),
        },
    )?;
    Ok(round.id)
}
