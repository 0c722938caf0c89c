//! A year of generated organisational life for the demo county: meetings with attendance (most
//! branches diligent, some with gaps), talks, training, and contact points — so the heatmap
//! shows green, yellow and red. Deterministic for a seed.

use std::collections::HashMap;

use chrono::{Datelike, Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use xianfeng_domain::cadence::{Frequency, Period};
use xianfeng_domain::life::{meeting_valid, MeetingKind, Presence};
use xianfeng_domain::org::OrgKind;

use crate::seed::insert_rows;
use xianfeng_store::db::{Dialect, Value};
use xianfeng_store::{engines::cadence, life::training, now_text, Result, Store};

const TOPICS: [&str; 8] = [
    "学习贯彻党的二十届四中全会精神",
    "学习习近平总书记重要讲话精神",
    "开展“六个先锋”岗位建功主题活动",
    "党员志愿服务进网格",
    "重温入党誓词",
    "学习《中国共产党支部工作条例》",
    "乡村振兴与基层治理专题研讨",
    "警示教育与廉洁文化学习",
];

const LEAVE_REASONS: [&str; 4] = ["外出务工", "生病住院", "在外地学习", "家中有事"];

const MEETING_COLS: [&str; 17] = [
    "id",
    "org_id",
    "org_path",
    "kind",
    "held_on",
    "held",
    "place",
    "host",
    "topic",
    "first_topic",
    "agenda",
    "minutes",
    "expected",
    "present",
    "counted",
    "created_at",
    "updated_at",
];

struct Branch {
    id: i64,
    path: String,
    committee: i64,
    kind: OrgKind,
    parent: Option<i64>,
}

/// What `generate` wrote.
#[derive(Debug, Default, Clone, Copy)]
pub struct Generated {
    pub meetings: i64,
    pub attendance: i64,
    pub trainings: i64,
}

struct Writer {
    next_meeting: i64,
    meetings: Vec<Vec<Value>>,
    attendance: Vec<Vec<Value>>,
    now: String,
    out: Generated,
}

impl Writer {
    #[allow(clippy::too_many_arguments)]
    fn meeting(
        &mut self,
        rng: &mut StdRng,
        org: &Branch,
        kind: MeetingKind,
        on: NaiveDate,
        roster: &[i64],
        turnout: f64,
    ) {
        let id = self.next_meeting;
        self.next_meeting += 1;
        let mut present = 0;
        for mid in roster {
            let roll: f64 = rng.gen();
            let (p, reason) = if roll < turnout {
                present += 1;
                (Presence::Present, "")
            } else if roll < turnout + (1.0 - turnout) / 2.0 {
                (
                    Presence::Leave,
                    LEAVE_REASONS[rng.gen_range(0..LEAVE_REASONS.len())],
                )
            } else {
                (Presence::Absent, "")
            };
            self.attendance.push(vec![
                id.into(),
                (*mid).into(),
                p.label().into(),
                reason.into(),
            ]);
        }
        let expected = roster.len() as i64;
        let counted = meeting_valid(kind, expected, present);
        let topic = match kind {
            MeetingKind::HeartTalk => "谈心谈话".to_string(),
            MeetingKind::LifeMeeting => format!("{}年度组织生活会", on.year() - 1),
            MeetingKind::MemberReview => format!("{}年度民主评议党员", on.year() - 1),
            _ => TOPICS[rng.gen_range(0..TOPICS.len())].to_string(),
        };
        self.meetings.push(vec![
            id.into(),
            org.id.into(),
            org.path.clone().into(),
            kind.label().into(),
            on.to_string().into(),
            1.into(),
            "党员活动室".into(),
            "支部书记".into(),
            topic.into(),
            i64::from(kind == MeetingKind::CommitteeMeeting || kind == MeetingKind::ThemedDay)
                .into(),
            "".into(),
            "".into(),
            expected.into(),
            present.into(),
            i64::from(counted).into(),
            self.now.clone().into(),
            self.now.clone().into(),
        ]);
        self.out.meetings += 1;
        self.out.attendance += expected;
    }
}

fn day_in(rng: &mut StdRng, p: &Period, today: NaiveDate) -> Option<NaiveDate> {
    let last = p.end.min(today);
    if last < p.start {
        return None;
    }
    let span = (last - p.start).num_days();
    Some(p.start + Duration::days(rng.gen_range(0..=span)))
}

/// Generates `months` months of life up to `today` for every branch and group in the store.
/// `pending` is a branch whose 主题党日 this month is left to do (the demo secretary's).
pub fn generate(
    store: &Store,
    seed: u64,
    months: u32,
    today: NaiveDate,
    pending: Option<i64>,
) -> Result<Generated> {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed_11fe);
    let (units, people) = store.read(|c| -> xianfeng_store::Result<_> {
        let mut units: Vec<Branch> = Vec::new();
        for r in c.query(
            "SELECT id, path, committee_size, kind, parent_id FROM orgs WHERE dissolved_on IS NULL ORDER BY id",
            &[],
        )? {
            let Some(kind) = OrgKind::from_code(&r.text(3)?) else {
                continue;
            };
            if kind.is_branch() || kind == OrgKind::Group {
                units.push(Branch {
                    id: r.i64(0)?,
                    path: r.text(1)?,
                    committee: r.i64(2)?,
                    kind,
                    parent: r.opt_i64(4)?,
                });
            }
        }
        let mut people: HashMap<i64, Vec<i64>> = HashMap::new();
        for r in c.query("SELECT org_id, id FROM members ORDER BY id", &[])? {
            people.entry(r.i64(0)?).or_default().push(r.i64(1)?);
        }
        Ok((units, people))
    })?;
    let first_meeting =
        store.read(|c| c.scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM meetings", &[]))?;
    let mut w = Writer {
        next_meeting: first_meeting,
        meetings: Vec::new(),
        attendance: Vec::new(),
        now: now_text(),
        out: Generated::default(),
    };
    let start = {
        let mut d = Period::containing(Frequency::Monthly, today).start;
        for _ in 1..months {
            d = Period::containing(Frequency::Monthly, d - Duration::days(1)).start;
        }
        d
    };
    let month_periods: Vec<Period> = {
        let mut v = vec![Period::containing(Frequency::Monthly, start)];
        while v.last().is_some_and(|p| p.end < today) {
            let next = v[v.len() - 1].next();
            v.push(next);
        }
        v
    };
    let mut training_rows = Vec::new();
    let mut training_hours = Vec::new();
    let mut next_training =
        store.read(|c| c.scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM trainings", &[]))?;
    for u in &units {
        // Most branches are diligent; about one in six has real gaps.
        let diligence: f64 = if rng.gen_bool(0.17) {
            rng.gen_range(0.35..0.7)
        } else {
            rng.gen_range(0.9..1.0)
        };
        let roster_owner = if u.kind == OrgKind::Group {
            u.parent.unwrap_or(u.id)
        } else {
            u.id
        };
        let roster: Vec<i64> = people.get(&roster_owner).cloned().unwrap_or_default();
        if roster.is_empty() {
            continue;
        }
        let turnout = rng.gen_range(0.72..0.95);
        if u.kind == OrgKind::Group {
            for p in &month_periods {
                if rng.gen_bool(diligence) {
                    if let Some(d) = day_in(&mut rng, p, today) {
                        let half: Vec<i64> = roster.iter().copied().step_by(2).collect();
                        w.meeting(&mut rng, u, MeetingKind::GroupMeeting, d, &half, turnout);
                    }
                }
            }
            continue;
        }
        for p in &month_periods {
            // The current month is still in progress: fewer have met yet.
            let odds = if p.contains(today) {
                diligence * f64::from(today.day()) / 31.0
            } else {
                diligence
            };
            let left_to_do = p.contains(today) && pending == Some(u.id);
            if rng.gen_bool(odds.clamp(0.0, 1.0)) && !left_to_do {
                if let Some(d) = day_in(&mut rng, p, today) {
                    w.meeting(&mut rng, u, MeetingKind::ThemedDay, d, &roster, turnout);
                }
            }
            if u.committee > 0 && rng.gen_bool(odds.clamp(0.0, 1.0)) {
                if let Some(d) = day_in(&mut rng, p, today) {
                    let committee: Vec<i64> =
                        roster.iter().copied().take(u.committee as usize).collect();
                    w.meeting(
                        &mut rng,
                        u,
                        MeetingKind::CommitteeMeeting,
                        d,
                        &committee,
                        0.95,
                    );
                }
            }
            // Quarterly meetings fall in the quarter's middle month.
            if matches!(p.start.month(), 2 | 5 | 8 | 11) {
                if rng.gen_bool(diligence) {
                    if let Some(d) = day_in(&mut rng, p, today) {
                        let t = if rng.gen_bool(0.06) { 0.4 } else { turnout };
                        w.meeting(&mut rng, u, MeetingKind::GeneralMeeting, d, &roster, t);
                    }
                }
                if rng.gen_bool(diligence) {
                    if let Some(d) = day_in(&mut rng, p, today) {
                        w.meeting(&mut rng, u, MeetingKind::PartyLecture, d, &roster, turnout);
                    }
                }
            }
            // The yearly meetings are held in January.
            if p.start.month() == 1 {
                for kind in [MeetingKind::LifeMeeting, MeetingKind::MemberReview] {
                    if rng.gen_bool(diligence) {
                        if let Some(d) = day_in(&mut rng, p, today) {
                            w.meeting(&mut rng, u, kind, d, &roster, turnout);
                        }
                    }
                }
            }
        }
        // Talks: most members talk with the secretary once a year.
        for mid in &roster {
            if rng.gen_bool(0.75 * diligence) {
                let p = month_periods[rng.gen_range(0..month_periods.len())];
                if let Some(d) = day_in(&mut rng, &p, today) {
                    w.meeting(&mut rng, u, MeetingKind::HeartTalk, d, &[*mid], 1.0);
                }
            }
        }
        // Training: winter training (16 学时) and a later course (8 学时).
        for (title, hours, month_index) in [("党员冬训", 16, 2usize), ("专题学习培训", 8, 7)]
        {
            let Some(p) = month_periods.get(month_index.min(month_periods.len() - 1)) else {
                continue;
            };
            if !rng.gen_bool(diligence) {
                continue;
            }
            let Some(d) = day_in(&mut rng, p, today) else {
                continue;
            };
            let id = next_training;
            next_training += 1;
            training_rows.push(vec![
                id.into(),
                u.id.into(),
                u.path.clone().into(),
                title.into(),
                d.to_string().into(),
                Value::Int(hours),
                "".into(),
                w.now.clone().into(),
            ]);
            for mid in &roster {
                if rng.gen_bool(0.88) {
                    training_hours.push(vec![
                        id.into(),
                        (*mid).into(),
                        i64::from(d.year()).into(),
                        Value::Int(hours),
                    ]);
                }
            }
        }
    }
    w.out.trainings = training_rows.len() as i64;
    store.write(|c| {
        insert_rows(c, "meetings", &MEETING_COLS, &w.meetings)?;
        insert_rows(c, "attendance", &["meeting_id", "member_id", "presence", "reason"], &w.attendance)?;
        insert_rows(
            c,
            "trainings",
            &["id", "org_id", "org_path", "title", "held_on", "hours", "organiser", "created_at"],
            &training_rows,
        )?;
        insert_rows(c, "training_hours", &["training_id", "member_id", "year", "hours"], &training_hours)?;
        if c.dialect() == Dialect::Postgres {
            // Fresh tables have no statistics; without them the planner joins the rebuilds
            // below row by row (quadratic on a county). ANALYZE sees this transaction's rows.
            c.execute("ANALYZE meetings, attendance, trainings, training_hours, members", &[])?;
            for t in ["meetings", "trainings"] {
                c.query(
                    &format!("SELECT setval(pg_get_serial_sequence('{t}', 'id'), GREATEST((SELECT MAX(id) FROM {t}), 1))"),
                    &[],
                )?;
            }
        }
        cadence::rebuild_counts(c)?;
        training::rebuild(c)
    })?;
    Ok(w.out)
}

/// Links the town's office members to its villages as leaders and instructors, leaving a few
/// gaps for the 联系点 page to report, with a visit or two each.
pub fn contact_points(store: &Store, town_id: i64, today: NaiveDate) -> Result<usize> {
    store.write(|c| {
        let town = xianfeng_store::people::orgs::require(c, town_id)?;
        let villages = xianfeng_store::life::contacts::villages(c, &town)?;
        let office: Vec<i64> = c
            .query(
                "SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id WHERE o.parent_id = ? AND o.domain = '机关' ORDER BY m.id LIMIT 40",
                xianfeng_store::vals![town_id],
            )?
            .into_iter()
            .map(|r| r.i64(0))
            .collect::<Result<_>>()?;
        if office.is_empty() {
            return Ok(0);
        }
        let mut n = 0;
        let now = now_text();
        for (i, v) in villages.iter().enumerate() {
            // Leaders take two villages each, the last one a third; every fifth village is left
            // without an instructor.
            let leader = if i + 1 == villages.len() && i > 0 {
                office[0]
            } else {
                office[(i / 2) % office.len()]
            };
            let mut links = vec![(leader, "联系领导")];
            if i % 5 != 4 {
                links.push((office[(6 + i) % office.len()], "指导员"));
            }
            for (member, role) in links {
                let since = today - Duration::days(300);
                let id = c.scalar(
                    "INSERT INTO contact_links (town_id, town_path, village_id, member_id, role, since, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                    xianfeng_store::vals![town.id, town.path.as_str(), v.id, member, role, since.to_string(), now.as_str()],
                )?;
                let last = today - Duration::days(if i % 7 == 3 { 120 } else { 10 + (i as i64 * 3) % 40 });
                c.execute(
                    "INSERT INTO contact_visits (link_id, visited_on, note, created_at) VALUES (?, ?, ?, ?)",
                    xianfeng_store::vals![id, last.to_string(), "走访了解村“两委”班子运行和党员联户情况", now.as_str()],
                )?;
                n += 1;
            }
        }
        Ok(n)
    })
}
