//! 评星定级 records: monthly member scores computed from attendance and commitments, yearly
//! member and branch stars, and the history of every computation (`star_ratings` is only
//! ever appended; the newest row of a subject and period is the current rating).

use chrono::{Datelike, Duration, NaiveDate};
use serde_json::json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::cadence::{Period, Status};
use xianfeng_domain::life::Presence;
use xianfeng_domain::org::Org;
use xianfeng_domain::stars::{
    branch_stars, month_score, year_stars, BranchFacts, BranchScheme, MemberScheme, MonthFacts,
    Source,
};
use xianfeng_domain::{path, Invalid};

use crate::audit::{self, Record};
use crate::db::Conn;
use crate::life::compliance::org_since;
use crate::{
    engines::cadence, now_text, recognition::evaluations, settings, vals, Result, StoreError,
};

pub fn member_scheme(c: &mut dyn Conn) -> Result<MemberScheme> {
    settings::json(c, "stars_member", "评星方案", MemberScheme::default)
}

pub fn branch_scheme(c: &mut dyn Conn) -> Result<BranchScheme> {
    settings::json(c, "stars_branch", "支部评星方案", BranchScheme::default)
}

/// The county sets both star schemes (checked before they are stored).
pub fn save_schemes(
    c: &mut dyn Conn,
    actor: &Actor,
    member: &MemberScheme,
    branch: &BranchScheme,
) -> Result<()> {
    if !actor.is_county_admin() {
        return Err(Invalid::one("scheme", "评星方案", "只有县级管理员能修改评星方案").into());
    }
    member.check()?;
    let before = json!({"member": member_scheme(c)?, "branch": branch_scheme(c)?});
    settings::save_json(c, actor, "stars_member", before, member)?;
    settings::save_json(c, actor, "stars_branch", serde_json::Value::Null, branch)
}

fn month_bounds(month: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = month.with_day(1).unwrap_or(month);
    let next = (first + Duration::days(32)).with_day(1).unwrap_or(first);
    (first, next - Duration::days(1))
}

/// What the records say about `member_id` in the month containing `month`.
pub fn month_facts(
    c: &mut dyn Conn,
    scheme: &MemberScheme,
    member_id: i64,
    month: NaiveDate,
) -> Result<MonthFacts> {
    let (from, to) = month_bounds(month);
    let r = c.query_one(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN a.presence = ? THEN 1 ELSE 0 END), 0)
         FROM attendance a JOIN meetings m ON m.id = a.meeting_id
         WHERE a.member_id = ? AND m.counted = 1 AND m.held_on >= ? AND m.held_on <= ?",
        vals![
            Presence::Present.label(),
            member_id,
            from.to_string(),
            to.to_string()
        ],
    )?;
    let commitments = c.scalar(
        "SELECT COUNT(*) FROM commitments WHERE member_id = ? AND year = ? AND stage <> '待审核'",
        vals![member_id, from.year() as i64],
    )?;
    let fulfilled = c.scalar(
        "SELECT COUNT(*) FROM commitment_entries e JOIN commitments k ON k.id = e.commitment_id
         WHERE k.member_id = ? AND e.day >= ? AND e.day <= ?",
        vals![member_id, from.to_string(), to.to_string()],
    )?;
    let month_key = from.format("%Y-%m").to_string();
    let granted = c
        .query(
            "SELECT item, points FROM star_grants WHERE member_id = ? AND month = ?",
            vals![member_id, month_key],
        )?
        .iter()
        .map(|r| Ok((r.text(0)?, r.i64(1)?.max(0) as u32)))
        .filter(|g| {
            g.as_ref().map_or(true, |(n, _)| {
                scheme
                    .items
                    .iter()
                    .any(|i| i.name == *n && i.source == Source::Granted)
            })
        })
        .collect::<Result<_>>()?;
    Ok(MonthFacts {
        expected: r.i64(0)? as u32,
        attended: r.i64(1)? as u32,
        commitments: commitments as u32,
        fulfilled: fulfilled as u32,
        granted,
    })
}

/// One computed rating, appended to the history.
struct NewRating<'a> {
    kind: &'a str,
    subject: i64,
    period: &'a str,
    score: i64,
    stars: u8,
    parts: serde_json::Value,
}

fn append(c: &mut dyn Conn, org: &Org, r: NewRating<'_>) -> Result<()> {
    c.execute(
        "INSERT INTO star_ratings (kind, subject_id, org_id, org_path, period, score, stars, parts, computed_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        vals![r.kind, r.subject, org.id, org.path.as_str(), r.period, r.score, r.stars as i64, r.parts.to_string(), now_text()],
    )?;
    Ok(())
}

/// Scores every member of `branch` for the month containing `month`.
pub fn rate_month(c: &mut dyn Conn, branch: &Org, month: NaiveDate) -> Result<usize> {
    let scheme = member_scheme(c)?;
    let (from, _) = month_bounds(month);
    let period = from.format("%Y-%m").to_string();
    let members: Vec<i64> = crate::people::members::names_at(c, branch.id, i64::MAX)?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    for m in &members {
        let facts = month_facts(c, &scheme, *m, from)?;
        let (total, items) = month_score(&scheme, &facts);
        append(
            c,
            branch,
            NewRating {
                kind: "member_month",
                subject: *m,
                period: &period,
                score: total as i64,
                stars: 0,
                parts: json!(items),
            },
        )?;
    }
    Ok(members.len())
}

/// Obligations of the branch's cadence rules missed in periods of `year` already over.
pub fn missed_obligations(c: &mut dyn Conn, org: &Org, year: i32, today: NaiveDate) -> Result<u32> {
    let since = org_since(org);
    let start = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today);
    let mut missed = 0;
    for rule in cadence::effective(c, &org.path)? {
        if !rule.applies.fits(org.kind, org.committee_size) {
            continue;
        }
        let mut p = Period::containing(rule.frequency, start);
        while p.start.year() == year && p.end < today {
            let n = cadence::direct_count(c, org.id, &rule.activity, &p)?;
            if rule.status(&p, n, today, since) == Status::Missed {
                missed += 1;
            }
            p = p.next();
        }
    }
    Ok(missed)
}

/// Yearly stars for every member of `branch` (months rated so far, plus the year-end
/// evaluation when one has closed) and for the branch itself.
pub fn rate_year(
    c: &mut dyn Conn,
    actor: Option<&Actor>,
    branch: &Org,
    year: i32,
) -> Result<usize> {
    if let Some(a) = actor {
        if !a.can_record_life(&branch.path) {
            return Err(Invalid::one("org", "评星单位", "不在您的管辖范围内").into());
        }
    }
    let scheme = member_scheme(c)?;
    let members: Vec<i64> = crate::people::members::names_at(c, branch.id, i64::MAX)?
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let prefix = format!("{year}-");
    for m in &members {
        let months: Vec<u32> = c
            .query(
                "SELECT r.score FROM star_ratings r WHERE r.kind = 'member_month' AND r.subject_id = ? AND r.period >= ? AND r.period < ?
                   AND r.id = (SELECT MAX(x.id) FROM star_ratings x WHERE x.kind = r.kind AND x.subject_id = r.subject_id AND x.period = r.period)",
                vals![*m, prefix.as_str(), format!("{year}-99")],
            )?
            .iter()
            .map(|r| Ok(r.i64(0)? as u32))
            .collect::<Result<_>>()?;
        let review = evaluations::member_result(c, *m, year as i64)?
            .map(|centi| ((centi + 50) / 100) as u32);
        let (score, stars) = year_stars(&scheme, &months, review);
        append(
            c,
            branch,
            NewRating {
                kind: "member_year",
                subject: *m,
                period: &year.to_string(),
                score: score as i64,
                stars,
                parts: json!({"months": months, "review": review, "review_percent": scheme.review_percent}),
            },
        )?;
    }
    let today = xianfeng_domain::date::today();
    let facts = BranchFacts {
        honours: c.scalar(
            "SELECT COUNT(*) FROM org_titles WHERE org_id = ? AND year = ? AND revoked_on IS NULL",
            vals![branch.id, year as i64],
        )? as u32,
        overdue_problems: c.scalar(
            "SELECT COUNT(*) FROM problems WHERE org_id = ? AND status <> '已销号' AND deadline < ? AND found_on >= ?",
            vals![branch.id, today.to_string(), format!("{year}-01-01")],
        )? as u32,
        missed_obligations: missed_obligations(c, branch, year, today)?,
    };
    let (score, stars, parts) = branch_stars(&branch_scheme(c)?, &facts);
    append(
        c,
        branch,
        NewRating {
            kind: "branch_year",
            subject: branch.id,
            period: &year.to_string(),
            score,
            stars,
            parts: json!(parts),
        },
    )?;
    if let Some(a) = actor {
        audit::append(
            c,
            Record {
                actor: Some(a),
                org_id: Some(branch.id),
                action: "stars.rate",
                entity: "org",
                entity_id: Some(branch.id),
                before: json!(null),
                after: json!({"year": year, "members": members.len(), "branch_score": score, "branch_stars": stars}),
            },
        )?;
    }
    Ok(members.len())
}

/// The branch's points for a `支部评定` item for one member and month.
pub fn grant(
    c: &mut dyn Conn,
    actor: &Actor,
    member_id: i64,
    month: &str,
    item: &str,
    points: &str,
) -> Result<()> {
    let scheme = member_scheme(c)?;
    let r = c
        .query_opt(
            "SELECT org_path, org_id FROM members WHERE id = ?",
            vals![member_id],
        )?
        .ok_or(StoreError::NotFound("党员"))?;
    if !actor.can_record_life(&r.text(0)?) {
        return Err(Invalid::one("member", "党员", "不在您的管辖范围内").into());
    }
    let it = scheme
        .items
        .iter()
        .find(|i| i.name == item && i.source == Source::Granted)
        .ok_or_else(|| Invalid::one("item", "评星项目", format!("“{item}”不是由支部评定的项目")))?;
    let value = points
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|v| *v <= it.max)
        .ok_or_else(|| Invalid::one("points", &it.name, format!("须为 0–{} 的整数", it.max)))?;
    if NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").is_err() {
        return Err(Invalid::one("month", "月份", "请按 2026-11 的格式填写").into());
    }
    c.execute(
        "INSERT INTO star_grants (member_id, month, item, points) VALUES (?, ?, ?, ?)
         ON CONFLICT (member_id, month, item) DO UPDATE SET points = excluded.points",
        vals![member_id, month, item, value as i64],
    )?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(r.i64(1)?),
            action: "stars.grant",
            entity: "member",
            entity_id: Some(member_id),
            before: json!(null),
            after: json!({"month": month, "item": item, "points": value}),
        },
    )?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Rating {
    pub kind: String,
    pub subject_id: i64,
    pub name: String,
    pub org_name: String,
    pub period: String,
    pub score: i64,
    pub stars: i64,
    pub parts: serde_json::Value,
    pub computed_at: String,
}

impl Rating {
    pub fn star_text(&self) -> String {
        "★".repeat(self.stars.clamp(0, 5) as usize)
            + &"☆".repeat(5 - self.stars.clamp(0, 5) as usize)
    }
}

/// Reads `kind, subject_id, name, org_name, period, score, stars, parts, computed_at` by name.
fn rating_row(r: &crate::db::Row) -> Result<Rating> {
    Ok(Rating {
        kind: r.text("kind")?,
        subject_id: r.i64("subject_id")?,
        name: r.text("name")?,
        org_name: r.text("org_name")?,
        period: r.text("period")?,
        score: r.i64("score")?,
        stars: r.i64("stars")?,
        parts: serde_json::from_str(&r.text("parts")?).unwrap_or_default(),
        computed_at: r.text("computed_at")?,
    })
}

/// The current yearly ratings under `scope`: members (`member_year`) or branches.
pub fn board(c: &mut dyn Conn, scope: &str, kind: &str, year: i32) -> Result<Vec<Rating>> {
    let name = if kind == "branch_year" {
        "(SELECT name FROM orgs WHERE id = r.subject_id)"
    } else {
        "(SELECT name FROM members WHERE id = r.subject_id)"
    };
    c
        .query(
            &format!(
                "SELECT r.kind, r.subject_id, {name} AS name, o.name AS org_name, r.period, r.score, r.stars, r.parts, r.computed_at
                 FROM star_ratings r JOIN orgs o ON o.id = r.org_id
                 WHERE r.kind = ? AND r.period = ? AND r.org_path >= ? AND r.org_path < ?
                   AND r.id = (SELECT MAX(x.id) FROM star_ratings x WHERE x.kind = r.kind AND x.subject_id = r.subject_id AND x.period = r.period)
                 ORDER BY r.score DESC, r.subject_id LIMIT 500"
            ),
            vals![kind, year.to_string(), scope, path::upper(scope)],
        )?
        .iter()
        .map(rating_row)
        .collect::<Result<Vec<_>>>()
}

/// Every rating ever computed for one member (or branch), newest first.
pub fn history(c: &mut dyn Conn, kinds: &[&str], subject_id: i64) -> Result<Vec<Rating>> {
    let marks = vec!["?"; kinds.len()].join(", ");
    let mut params: Vec<crate::db::Value> = kinds.iter().map(|k| (*k).into()).collect();
    params.push(subject_id.into());
    c
        .query(
            &format!(
                "SELECT r.kind, r.subject_id, '' AS name, o.name AS org_name, r.period, r.score, r.stars, r.parts, r.computed_at
                 FROM star_ratings r JOIN orgs o ON o.id = r.org_id WHERE r.kind IN ({marks}) AND r.subject_id = ? ORDER BY r.id DESC LIMIT 200"
            ),
            &params,
        )?
        .iter()
        .map(rating_row)
        .collect::<Result<Vec<_>>>()
}
