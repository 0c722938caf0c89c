//! Training (集中培训) hours per member, a member's year of branch life, and 政治生日.

use chrono::{Datelike, NaiveDate};
use serde_json::json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::life::{MeetingKind, MemberYear, Presence, TrainingDraft};
use xianfeng_domain::org::Org;
use xianfeng_domain::path;

use crate::audit::{self, Record};
use crate::db::Conn;
use crate::{engines::rollup, now_text, settings, vals, Result};

/// Members who reached the yearly training hours, rolled up per year.
pub const TRAINED: &str = "trained";
/// Training hours, rolled up per year.
pub const HOURS: &str = "training_hours";

#[derive(Debug, Clone)]
pub struct Training {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub title: String,
    pub held_on: String,
    pub hours: i64,
    pub organiser: String,
    pub participants: i64,
}

fn hours_in_year(c: &mut dyn Conn, member_id: i64, year: i32) -> Result<i64> {
    c.scalar(
        "SELECT CAST(COALESCE(SUM(hours), 0) AS BIGINT) FROM training_hours WHERE member_id = ? AND year = ?",
        vals![member_id, year as i64],
    )
}

/// Records a course and credits its hours to each participant (members inside `org`'s
/// subtree); a participant who reaches the yearly requirement moves the `trained` roll-up.
pub fn create(
    c: &mut dyn Conn,
    actor: Option<&Actor>,
    org: &Org,
    d: &TrainingDraft,
    member_ids: &[i64],
) -> Result<i64> {
    if member_ids.is_empty() {
        return Err(
            xianfeng_domain::Invalid::one("members", "参训党员", "请至少选择一名党员").into(),
        );
    }
    let year = d.date.year();
    let rules = settings::rules(c)?;
    let mut people = Vec::new();
    for mid in member_ids {
        let row = c.query_opt(
            "SELECT org_path, name FROM members WHERE id = ?",
            vals![*mid],
        )?;
        match row {
            Some(r) if path::within(&r.text(0)?, &org.path) => people.push((*mid, r.text(0)?)),
            _ => {
                return Err(xianfeng_domain::Invalid::one(
                    &format!("m{mid}"),
                    "参训党员",
                    "不是本组织（含下级）的党员",
                )
                .into())
            }
        }
    }
    let id = c.scalar(
        "INSERT INTO trainings (org_id, org_path, title, held_on, hours, organiser, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vals![org.id, org.path.as_str(), d.title.as_str(), d.date.format("%Y-%m-%d").to_string(), d.hours,
              d.organiser.as_str(), actor.map(|a| a.account_id), now_text()],
    )?;
    for (mid, member_path) in &people {
        let before = hours_in_year(c, *mid, year)?;
        c.execute(
            "INSERT INTO training_hours (training_id, member_id, year, hours) VALUES (?, ?, ?, ?) ON CONFLICT (training_id, member_id) DO NOTHING",
            vals![id, *mid, year as i64, d.hours],
        )?;
        rollup::bump(c, member_path, HOURS, &year.to_string(), d.hours)?;
        let need = rules.training_hours_per_year;
        if before < need && before + d.hours >= need {
            rollup::bump(c, member_path, TRAINED, &year.to_string(), 1)?;
        }
    }
    audit::append(
        c,
        Record {
            actor,
            org_id: Some(org.id),
            action: "training.create",
            entity: "training",
            entity_id: Some(id),
            before: json!(null),
            after: json!({"title": d.title, "date": d.date.to_string(), "hours": d.hours, "participants": people.len()}),
        },
    )?;
    Ok(id)
}

/// Courses held in `root_path`'s subtree in `year`, newest first.
pub fn list(c: &mut dyn Conn, root_path: &str, year: i32) -> Result<Vec<Training>> {
    c.query(
        "SELECT t.id, t.org_id, o.name, t.title, t.held_on, t.hours, t.organiser,
                (SELECT COUNT(*) FROM training_hours h WHERE h.training_id = t.id)
         FROM trainings t JOIN orgs o ON o.id = t.org_id
         WHERE t.org_path >= ? AND t.org_path < ? AND t.held_on >= ? AND t.held_on < ?
         ORDER BY t.held_on DESC, t.id DESC LIMIT 200",
        vals![
            root_path,
            path::upper(root_path),
            format!("{year}-01-01"),
            format!("{}-01-01", year + 1)
        ],
    )?
    .into_iter()
    .map(|r| {
        Ok(Training {
            id: r.i64(0)?,
            org_id: r.i64(1)?,
            org_name: r.text(2)?,
            title: r.text(3)?,
            held_on: r.text(4)?,
            hours: r.i64(5)?,
            organiser: r.text(6)?,
            participants: r.i64(7)?,
        })
    })
    .collect::<Result<_>>()
}

const YEAR_SQL: &str = "SELECT p.id, p.name,
    (SELECT COUNT(*) FROM attendance a JOIN meetings m ON m.id = a.meeting_id
       WHERE a.member_id = p.id AND m.held = 1 AND m.kind <> ? AND m.held_on >= ? AND m.held_on < ?),
    (SELECT COUNT(*) FROM attendance a JOIN meetings m ON m.id = a.meeting_id
       WHERE a.member_id = p.id AND m.held = 1 AND m.kind <> ? AND a.presence = ? AND m.held_on >= ? AND m.held_on < ?),
    (SELECT COUNT(*) FROM attendance a JOIN meetings m ON m.id = a.meeting_id
       WHERE a.member_id = p.id AND m.held = 1 AND m.kind <> ? AND a.presence = ? AND m.held_on >= ? AND m.held_on < ?),
    (SELECT CAST(COALESCE(SUM(h.hours), 0) AS BIGINT) FROM training_hours h WHERE h.member_id = p.id AND h.year = ?),
    (SELECT COUNT(*) FROM attendance a JOIN meetings m ON m.id = a.meeting_id
       WHERE a.member_id = p.id AND m.counted = 1 AND m.kind = ? AND a.presence = ? AND m.held_on >= ? AND m.held_on < ?)
  FROM members p";

fn year_rows(
    c: &mut dyn Conn,
    filter: &str,
    key: crate::Value,
    year: i32,
) -> Result<Vec<(i64, String, MemberYear)>> {
    let (from, to) = (format!("{year}-01-01"), format!("{}-01-01", year + 1));
    let talk = MeetingKind::HeartTalk.label();
    let present = Presence::Present.label();
    let leave = Presence::Leave.label();
    let mut params: Vec<crate::Value> = vals![
        talk,
        from.as_str(),
        to.as_str(),
        talk,
        present,
        from.as_str(),
        to.as_str(),
        talk,
        leave,
        from.as_str(),
        to.as_str(),
        year as i64,
        talk,
        present,
        from.as_str(),
        to.as_str()
    ]
    .to_vec();
    params.push(key);
    c.query(&format!("{YEAR_SQL} WHERE {filter} ORDER BY p.id"), &params)?
        .into_iter()
        .map(|r| {
            Ok((
                r.i64(0)?,
                r.text(1)?,
                MemberYear {
                    expected: r.i64(2)?,
                    present: r.i64(3)?,
                    leave: r.i64(4)?,
                    training_hours: r.i64(5)?,
                    talks: r.i64(6)?,
                },
            ))
        })
        .collect::<Result<_>>()
}

/// One member's year: attendance, training hours, talks.
pub fn member_year(c: &mut dyn Conn, member_id: i64, year: i32) -> Result<MemberYear> {
    Ok(year_rows(c, "p.id = ?", member_id.into(), year)?
        .into_iter()
        .next()
        .map(|(_, _, y)| y)
        .unwrap_or_default())
}

/// Every member of one branch, with their year.
pub fn branch_year(
    c: &mut dyn Conn,
    org_id: i64,
    year: i32,
) -> Result<Vec<(i64, String, MemberYear)>> {
    year_rows(c, "p.org_id = ?", org_id.into(), year)
}

/// A member whose 政治生日 (joining anniversary) is coming.
#[derive(Debug, Clone)]
pub struct Birthday {
    pub member_id: i64,
    pub name: String,
    pub org_id: i64,
    pub org_name: String,
    pub joined_on: String,
    /// Party standing in whole years on this year's anniversary.
    pub years: i32,
    pub anniversary: NaiveDate,
}

/// Members under `root_path` whose joining anniversary falls in the month of `today` or the
/// next one, in date order.
pub fn birthdays(c: &mut dyn Conn, root_path: &str, today: NaiveDate) -> Result<Vec<Birthday>> {
    let this = today.month();
    let next = this % 12 + 1;
    let (m1, m2) = (format!("{this:02}"), format!("{next:02}"));
    let rows = c.query(
        "SELECT p.id, p.name, p.org_id, o.name, p.joined_on FROM members p JOIN orgs o ON o.id = p.org_id
         WHERE p.org_path >= ? AND p.org_path < ? AND SUBSTR(p.joined_on, 6, 2) IN (?, ?)",
        vals![root_path, path::upper(root_path), m1, m2],
    )?;
    let mut out: Vec<Birthday> = Vec::new();
    for r in rows {
        let Some(joined) = xianfeng_domain::date::parse(&r.text(4)?) else {
            continue;
        };
        let year = if joined.month() < this && this == 12 {
            today.year() + 1
        } else {
            today.year()
        };
        let Some(anniversary) = joined
            .with_year(year)
            .or_else(|| NaiveDate::from_ymd_opt(year, 2, 28))
        else {
            continue;
        };
        let years = year - joined.year();
        if years > 0 {
            out.push(Birthday {
                member_id: r.i64(0)?,
                name: r.text(1)?,
                org_id: r.i64(2)?,
                org_name: r.text(3)?,
                joined_on: r.text(4)?,
                years,
                anniversary,
            });
        }
    }
    out.sort_by_key(|b| (b.anniversary, b.member_id));
    Ok(out)
}

/// Recomputes the training and talk counters (`training_hours`, `trained`, `talk_ok`) from the
/// records, for the members' current organisations.
pub fn rebuild(c: &mut dyn Conn) -> Result<()> {
    let rules = settings::rules(c)?;
    let mut direct = Vec::new();
    for r in c.query(
        "SELECT p.org_id, h.year, CAST(SUM(h.hours) AS BIGINT) FROM training_hours h JOIN members p ON p.id = h.member_id GROUP BY h.member_id, p.org_id, h.year",
        &[],
    )? {
        let (org, year, hours) = (r.i64(0)?, r.i64(1)?.to_string(), r.i64(2)?);
        direct.push((org, HOURS.to_string(), year.clone(), hours));
        if hours >= rules.training_hours_per_year {
            direct.push((org, TRAINED.to_string(), year, 1));
        }
    }
    for r in c.query(
        "SELECT p.org_id, SUBSTR(m.held_on, 1, 4), COUNT(*) FROM attendance a JOIN meetings m ON m.id = a.meeting_id JOIN members p ON p.id = a.member_id
         WHERE m.kind = ? AND m.counted = 1 AND a.presence = ? GROUP BY a.member_id, p.org_id, SUBSTR(m.held_on, 1, 4)",
        vals![MeetingKind::HeartTalk.label(), Presence::Present.label()],
    )? {
        if r.i64(2)? >= rules.talks_per_member_per_year {
            direct.push((r.i64(0)?, crate::life::meetings::TALK_OK.to_string(), r.text(1)?, 1));
        }
    }
    let totals = rollup::accumulate(c, direct)?;
    c.execute(
        "DELETE FROM rollups WHERE metric IN ('training_hours', 'trained', 'talk_ok')",
        &[],
    )?;
    rollup::insert_totals(c, totals)
}
