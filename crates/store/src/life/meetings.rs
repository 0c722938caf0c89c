//! Meetings (三会一课, 主题党日 …) with attendance, photos and QR check-in. Whether a meeting
//! counts toward its cadence rule is decided by `domain::life` and carried into the roll-ups
//! by `cadence::record`.

use chrono::NaiveDate;
use serde_json::json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::life::{
    check_attendance, meeting_valid, AttendanceEntry, MeetingDraft, MeetingKind, Presence,
};
use xianfeng_domain::org::{Org, OrgKind};
use xianfeng_domain::path;

use crate::audit::{self, Record};
use crate::db::{Conn, Row, Value};
use crate::{engines::cadence, engines::rollup, now_text, people::orgs, vals, Result, StoreError};

/// Members with a talk this year (谈心谈话) rolled up, per year.
pub const TALK_OK: &str = "talk_ok";

#[derive(Debug, Clone)]
pub struct Meeting {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub kind: MeetingKind,
    pub held_on: String,
    pub held: bool,
    pub place: String,
    pub host: String,
    pub topic: String,
    pub first_topic: bool,
    pub agenda: String,
    pub minutes: String,
    pub expected: i64,
    pub present: i64,
    pub counted: bool,
}

impl Meeting {
    pub fn date(&self) -> NaiveDate {
        xianfeng_domain::date::parse(&self.held_on).unwrap_or_default()
    }

    /// A held 支部党员大会 without a quorum: recorded, but it does not count.
    pub fn invalid(&self) -> bool {
        self.held && !self.counted
    }
}

const COLS: &str =
    "m.id, m.org_id, o.name AS org_name, m.org_path, m.kind, m.held_on, m.held, m.place, m.host, m.topic,
     m.first_topic, m.agenda, m.minutes, m.expected, m.present, m.counted";

fn from_row(r: &Row) -> Result<Meeting> {
    Ok(Meeting {
        id: r.i64("id")?,
        org_id: r.i64("org_id")?,
        org_name: r.text("org_name")?,
        org_path: r.text("org_path")?,
        kind: MeetingKind::parse(&r.text("kind")?).unwrap_or(MeetingKind::ThemedDay),
        held_on: r.text("held_on")?,
        held: r.i64("held")? != 0,
        place: r.text("place")?,
        host: r.text("host")?,
        topic: r.text("topic")?,
        first_topic: r.i64("first_topic")? != 0,
        agenda: r.text("agenda")?,
        minutes: r.text("minutes")?,
        expected: r.i64("expected")?,
        present: r.i64("present")?,
        counted: r.i64("counted")? != 0,
    })
}

pub fn get(c: &mut dyn Conn, id: i64) -> Result<Option<Meeting>> {
    c.query_opt(
        &format!("SELECT {COLS} FROM meetings m JOIN orgs o ON o.id = m.org_id WHERE m.id = ?"),
        vals![id],
    )?
    .as_ref()
    .map(from_row)
    .transpose()
}

/// The organisation whose members a meeting expects: the branch itself, or for a group the
/// branch above it (members are registered with branches).
pub fn roster_org(c: &mut dyn Conn, org: &Org) -> Result<Org> {
    match (org.kind, org.parent_id) {
        (OrgKind::Group, Some(pid)) => orgs::require(c, pid),
        _ => Ok(org.clone()),
    }
}

/// The branch's members on `date`: joined by then and registered there then (transfers after
/// the date are undone).
pub fn roster_at(c: &mut dyn Conn, org: &Org, date: &str) -> Result<Vec<(i64, String)>> {
    let org = roster_org(c, org)?;
    c.query(
        "SELECT id, name FROM members
         WHERE joined_on <= ? AND (
            (org_id = ? AND id NOT IN (SELECT member_id FROM member_transfers WHERE to_org_id = ? AND on_date > ?))
            OR id IN (SELECT member_id FROM member_transfers WHERE from_org_id = ? AND on_date > ?))
         ORDER BY id",
        vals![date, org.id, org.id, date, org.id, date],
    )?
    .into_iter()
    .map(|r| Ok((r.i64(0)?, r.text(1)?)))
    .collect::<Result<_>>()
}

fn snapshot(m: &Meeting) -> serde_json::Value {
    json!({"kind": m.kind.label(), "held_on": m.held_on, "held": m.held, "topic": m.topic,
           "expected": m.expected, "present": m.present, "counted": m.counted})
}

/// Records a meeting with its attendance. For branch-wide meetings everyone on the roster gets
/// a line (缺席 unless stated); 支委会, 党小组会 and 谈心谈话 list only the people entered.
pub fn create(
    c: &mut dyn Conn,
    actor: Option<&Actor>,
    org: &Org,
    d: &MeetingDraft,
    entries: &[AttendanceEntry],
) -> Result<Meeting> {
    if org.dissolved_on.is_some() {
        return Err(xianfeng_domain::Invalid::one("org", "组织", "该组织已撤销").into());
    }
    let date = d.date.format("%Y-%m-%d").to_string();
    let roster = roster_at(c, org, &date)?;
    check_attendance(&roster, entries)?;
    if !d.kind.whole_roster() && entries.is_empty() {
        return Err(xianfeng_domain::Invalid::one(
            "attendance",
            "参加人员",
            "请至少登记一名参加的党员",
        )
        .into());
    }
    let now = now_text();
    let id = c.scalar(
        "INSERT INTO meetings (org_id, org_path, kind, held_on, held, place, host, topic, first_topic, agenda, minutes, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vals![org.id, org.path.as_str(), d.kind.label(), date.as_str(), d.held as i64, d.place.as_str(), d.host.as_str(),
              d.topic.as_str(), d.first_topic as i64, d.agenda.as_str(), d.minutes.as_str(), actor.map(|a| a.account_id),
              now.as_str(), now.as_str()],
    )?;
    let lines: Vec<(i64, Presence, String)> = if d.kind.whole_roster() {
        roster
            .iter()
            .map(
                |(mid, _)| match entries.iter().find(|e| e.member_id == *mid) {
                    Some(e) => (*mid, e.presence, e.reason.clone()),
                    None => (*mid, Presence::Absent, String::new()),
                },
            )
            .collect()
    } else {
        entries
            .iter()
            .map(|e| (e.member_id, e.presence, e.reason.clone()))
            .collect()
    };
    for (mid, p, reason) in lines {
        c.execute(
            "INSERT INTO attendance (meeting_id, member_id, presence, reason) VALUES (?, ?, ?, ?)",
            vals![id, mid, p.label(), reason],
        )?;
    }
    let m = recount(c, id)?;
    audit::append(
        c,
        Record {
            actor,
            org_id: Some(org.id),
            action: "meeting.create",
            entity: "meeting",
            entity_id: Some(id),
            before: json!(null),
            after: snapshot(&m),
        },
    )?;
    Ok(m)
}

/// One member's line of a meeting's attendance.
#[derive(Debug, Clone)]
pub struct Line {
    pub member_id: i64,
    pub name: String,
    pub presence: String,
    pub reason: String,
    /// Marked present by scanning the QR code.
    pub scanned: bool,
}

/// Attendance lines of a meeting with names, in roster order.
pub fn attendance(c: &mut dyn Conn, meeting_id: i64) -> Result<Vec<Line>> {
    c.query(
        "SELECT a.member_id, p.name, a.presence, a.reason, a.checked_in_at FROM attendance a JOIN members p ON p.id = a.member_id
         WHERE a.meeting_id = ? ORDER BY a.member_id",
        vals![meeting_id],
    )?
    .into_iter()
    .map(|r| Ok(Line {
        member_id: r.i64(0)?,
        name: r.text(1)?,
        presence: r.text(2)?,
        reason: r.text(3)?,
        scanned: r.opt_text(4)?.is_some(),
    }))
    .collect::<Result<_>>()
}

/// Changes attendance lines of members already listed, and marks the meeting held.
pub fn update_attendance(
    c: &mut dyn Conn,
    actor: &Actor,
    m: &Meeting,
    entries: &[AttendanceEntry],
    mark_held: bool,
    today: NaiveDate,
) -> Result<Meeting> {
    let listed: Vec<(i64, String)> = attendance(c, m.id)?
        .into_iter()
        .map(|l| (l.member_id, l.name))
        .collect();
    check_attendance(&listed, entries)?;
    if mark_held && m.date() > today {
        return Err(xianfeng_domain::Invalid::one(
            "held",
            "会议状态",
            "会议日期在今天之后，不能登记为已召开",
        )
        .into());
    }
    for e in entries {
        c.execute(
            "UPDATE attendance SET presence = ?, reason = ? WHERE meeting_id = ? AND member_id = ?",
            vals![e.presence.label(), e.reason.as_str(), m.id, e.member_id],
        )?;
    }
    if mark_held {
        c.execute("UPDATE meetings SET held = 1 WHERE id = ?", vals![m.id])?;
    }
    c.execute(
        "UPDATE meetings SET updated_at = ? WHERE id = ?",
        vals![now_text(), m.id],
    )?;
    let after = recount(c, m.id)?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(m.org_id),
            action: "meeting.attendance",
            entity: "meeting",
            entity_id: Some(m.id),
            before: snapshot(m),
            after: snapshot(&after),
        },
    )?;
    Ok(after)
}

/// Marks a member present by QR check-in. Refuses a member not expected at the meeting and a
/// second check-in.
pub fn check_in(c: &mut dyn Conn, m: &Meeting, member_id: i64) -> Result<Meeting> {
    let line = c.query_opt(
        "SELECT presence, checked_in_at FROM attendance WHERE meeting_id = ? AND member_id = ?",
        vals![m.id, member_id],
    )?;
    match line {
        None => {
            return Err(StoreError::Conflict(
                "您不在本次会议的应到名单中，不能签到".into(),
            ))
        }
        Some(r) if r.opt_text(1)?.is_some() || r.text(0)? == Presence::Present.label() => {
            return Err(StoreError::Conflict("您已签到，无需重复签到".into()))
        }
        Some(_) => {}
    }
    c.execute(
        "UPDATE attendance SET presence = ?, reason = '', checked_in_at = ? WHERE meeting_id = ? AND member_id = ?",
        vals![Presence::Present.label(), now_text(), m.id, member_id],
    )?;
    recount(c, m.id)
}

/// Recomputes expected and present, and whether the meeting counts; moves the roll-ups by the
/// difference.
pub fn recount(c: &mut dyn Conn, id: i64) -> Result<Meeting> {
    let m = get(c, id)?.ok_or(StoreError::NotFound("会议"))?;
    let r = c.query_one(
        "SELECT COUNT(*), CAST(COALESCE(SUM(CASE WHEN presence = ? THEN 1 ELSE 0 END), 0) AS BIGINT) FROM attendance WHERE meeting_id = ?",
        vals![Presence::Present.label(), id],
    )?;
    let (expected, present) = (r.i64(0)?, r.i64(1)?);
    let counted = m.held && meeting_valid(m.kind, expected, present);
    c.execute(
        "UPDATE meetings SET expected = ?, present = ?, counted = ? WHERE id = ?",
        vals![expected, present, counted as i64, id],
    )?;
    if counted != m.counted {
        let delta = if counted { 1 } else { -1 };
        let org = orgs::require(c, m.org_id)?;
        cadence::record(c, &org, m.kind.label(), m.date(), delta)?;
        if m.kind == MeetingKind::HeartTalk {
            talks_changed(c, &m, delta)?;
        }
    }
    let now = get(c, id)?.ok_or(StoreError::NotFound("会议"))?;
    for follow in crate::ATTENDANCE_FOLLOWERS {
        follow(c, &now)?;
    }
    Ok(now)
}

/// A talk that starts or stops counting moves each participant's yearly "talked with" mark.
fn talks_changed(c: &mut dyn Conn, m: &Meeting, delta: i64) -> Result<()> {
    let year: i32 = m.held_on[..4].parse().unwrap_or(0);
    let rules = crate::settings::rules(c)?;
    let people = c.query(
        "SELECT a.member_id, p.org_path FROM attendance a JOIN members p ON p.id = a.member_id WHERE a.meeting_id = ? AND a.presence = ?",
        vals![m.id, Presence::Present.label()],
    )?;
    for p in people {
        let n = talks_in_year(c, p.i64(0)?, year)?;
        // `n` already includes this meeting's change.
        let crossed = if delta > 0 {
            n == rules.talks_per_member_per_year
        } else {
            n + 1 == rules.talks_per_member_per_year
        };
        if crossed {
            rollup::bump(c, &p.text(1)?, TALK_OK, &year.to_string(), delta)?;
        }
    }
    Ok(())
}

pub fn talks_in_year(c: &mut dyn Conn, member_id: i64, year: i32) -> Result<i64> {
    c.scalar(
        "SELECT COUNT(*) FROM attendance a JOIN meetings m ON m.id = a.meeting_id
         WHERE a.member_id = ? AND a.presence = ? AND m.kind = ? AND m.counted = 1 AND m.held_on >= ? AND m.held_on < ?",
        vals![member_id, Presence::Present.label(), MeetingKind::HeartTalk.label(), format!("{year}-01-01"), format!("{}-01-01", year + 1)],
    )
}

/// Whether `member_id` is on the meeting's attendance list (a member may see such a meeting).
pub fn lists(c: &mut dyn Conn, meeting_id: i64, member_id: i64) -> Result<bool> {
    Ok(c.query_opt(
        "SELECT 1 FROM attendance WHERE meeting_id = ? AND member_id = ?",
        vals![meeting_id, member_id],
    )?
    .is_some())
}

/// Whether `member_id` is already marked present at the meeting (by check-in or by the host).
pub fn is_present(c: &mut dyn Conn, meeting_id: i64, member_id: i64) -> Result<bool> {
    Ok(c.query_opt(
        "SELECT 1 FROM attendance WHERE meeting_id = ? AND member_id = ? AND (presence = ? OR checked_in_at IS NOT NULL)",
        vals![meeting_id, member_id, Presence::Present.label()],
    )?
    .is_some())
}

/// Filter of a meeting list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub kind: Option<MeetingKind>,
    pub year: Option<i32>,
}

/// Meetings under `root_path`, newest first.
pub fn list(
    c: &mut dyn Conn,
    root_path: &str,
    f: &Filter,
    limit: i64,
    offset: i64,
) -> Result<Vec<Meeting>> {
    let mut sql = format!(
        "SELECT {COLS} FROM meetings m JOIN orgs o ON o.id = m.org_id WHERE m.org_path >= ? AND m.org_path < ?"
    );
    let mut params: Vec<Value> = vec![root_path.into(), path::upper(root_path).into()];
    if let Some(k) = f.kind {
        sql.push_str(" AND m.kind = ?");
        params.push(k.label().into());
    }
    if let Some(y) = f.year {
        sql.push_str(" AND m.held_on >= ? AND m.held_on < ?");
        params.push(format!("{y}-01-01").into());
        params.push(format!("{}-01-01", y + 1).into());
    }
    sql.push_str(" ORDER BY m.held_on DESC, m.id DESC LIMIT ? OFFSET ?");
    params.push(limit.into());
    params.push(offset.into());
    c.query(&sql, &params)?
        .iter()
        .map(from_row)
        .collect::<Result<Vec<_>>>()
}

/// Adds a photo (already checked to be an image) to a meeting.
pub fn add_photo(
    c: &mut dyn Conn,
    actor: &Actor,
    m: &Meeting,
    name: &str,
    mime: &str,
    bytes: &[u8],
) -> Result<String> {
    let sha = crate::files::put(c, mime, bytes)?;
    c.execute(
        "INSERT INTO meeting_photos (meeting_id, sha256, name) VALUES (?, ?, ?) ON CONFLICT (meeting_id, sha256) DO NOTHING",
        vals![m.id, sha.as_str(), name],
    )?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(m.org_id),
            action: "meeting.photo",
            entity: "meeting",
            entity_id: Some(m.id),
            before: json!(null),
            after: json!({"sha256": sha, "name": name, "size": bytes.len()}),
        },
    )?;
    Ok(sha)
}

pub fn photos(c: &mut dyn Conn, meeting_id: i64) -> Result<Vec<(String, String)>> {
    c.query(
        "SELECT sha256, name FROM meeting_photos WHERE meeting_id = ? ORDER BY name",
        vals![meeting_id],
    )?
    .into_iter()
    .map(|r| Ok((r.text(0)?, r.text(1)?)))
    .collect::<Result<_>>()
}

/// Whether `sha` is a photo of `meeting_id` (so a photo is served only with its meeting's scope).
pub fn has_photo(c: &mut dyn Conn, meeting_id: i64, sha: &str) -> Result<bool> {
    Ok(c.query_opt(
        "SELECT 1 FROM meeting_photos WHERE meeting_id = ? AND sha256 = ?",
        vals![meeting_id, sha],
    )?
    .is_some())
}
