//! Organisational life on both backends: meetings feed the cadence counters, quorum, check-in,
//! training, town overrides, contact points; incremental counters equal a full recount.

use chrono::{Duration, NaiveDate};
use xianfeng_domain::cadence::{Period, Status};
use xianfeng_domain::contact::ContactRole;
use xianfeng_domain::date;
use xianfeng_domain::life::{AttendanceEntry, MeetingDraft, MeetingKind, Presence, TrainingDraft};
use xianfeng_domain::org::Org;
use xianfeng_store::testing::{add_member, admin, backends, org, TestStore};
use xianfeng_store::{
    engines::cadence, engines::rollup, life::compliance, life::contacts, life::meetings,
    life::training, people::members, StoreError,
};

struct Fixture {
    county: Org,
    town: Org,
    branch: Org,
    other: Org,
    people: Vec<i64>,
    outsider: i64,
}

fn fixture(s: &TestStore) -> Fixture {
    let (county, town, branch, other) = s
        .write(|c| -> xianfeng_store::Result<_> {
            let county = org(c, None, "测试县委", "县委");
            let town = org(c, Some(&county), "甲镇党委", "党委");
            let branch = org(c, Some(&town), "东村党支部", "党支部");
            let other = org(c, Some(&town), "西村党支部", "党支部");
            Ok((county, town, branch, other))
        })
        .unwrap();
    let people = (1..=4)
        .map(|n| add_member(s, &branch, n, "正式党员"))
        .collect();
    let outsider = add_member(s, &other, 9, "正式党员");
    Fixture {
        county,
        town,
        branch,
        other,
        people,
        outsider,
    }
}

fn draft(kind: MeetingKind, on: NaiveDate, held: bool) -> MeetingDraft {
    MeetingDraft {
        kind,
        date: on,
        held,
        place: "党员活动室".into(),
        host: "书记".into(),
        topic: "学习会议精神".into(),
        first_topic: true,
        agenda: String::new(),
        minutes: String::new(),
    }
}

fn present(ids: &[i64]) -> Vec<AttendanceEntry> {
    ids.iter()
        .map(|id| AttendanceEntry {
            member_id: *id,
            presence: Presence::Present,
            reason: String::new(),
        })
        .collect()
}

fn standing(s: &TestStore, o: &Org, activity: &str) -> Status {
    s.read(|c| compliance::standing(c, o, date::today()))
        .unwrap()
        .into_iter()
        .find(|x| x.rule.activity == activity)
        .map(|x| x.status)
        .unwrap()
}

#[test]
fn held_themed_day_turns_the_branch_done_and_rolls_up() {
    for s in backends() {
        let f = fixture(&s);
        let today = date::today();
        assert_ne!(
            standing(&s, &f.branch, "主题党日"),
            Status::Done,
            "{}",
            s.name
        );
        s.write(|c| {
            meetings::create(
                c,
                None,
                &f.branch,
                &draft(MeetingKind::ThemedDay, today, true),
                &present(&f.people[..2]),
            )
        })
        .unwrap();
        assert_eq!(
            standing(&s, &f.branch, "主题党日"),
            Status::Done,
            "{}",
            s.name
        );
        let sum = s
            .read(|c| compliance::summary(c, &f.county, today))
            .unwrap()
            .into_iter()
            .find(|x| x.rule.activity == "主题党日")
            .unwrap();
        assert_eq!((sum.bound, sum.done), (2, 1), "{}", s.name);
        let missing = s
            .read(|c| compliance::missing(c, &f.county, &sum.rule, &sum.period, today, 100))
            .unwrap();
        // The other branch was created today: exempt this period unless the month just began.
        assert!(
            missing.iter().all(|(o, _, _)| o.id == f.other.id),
            "{}",
            s.name
        );
        let heat = s
            .read(|c| {
                compliance::heatmap(
                    c,
                    &f.town,
                    &sum.rule,
                    today.format("%Y").to_string().parse().unwrap(),
                    today,
                    &Default::default(),
                )
            })
            .unwrap();
        let row = heat.rows.iter().find(|r| r.org_id == f.branch.id).unwrap();
        let col = heat.columns.iter().position(|p| p.contains(today)).unwrap();
        assert_eq!(row.cells[col].colour, "green", "{}", s.name);
    }
}

#[test]
fn general_meeting_without_quorum_is_recorded_but_does_not_count() {
    for s in backends() {
        let f = fixture(&s);
        let today = date::today();
        let m = s
            .write(|c| {
                meetings::create(
                    c,
                    None,
                    &f.branch,
                    &draft(MeetingKind::GeneralMeeting, today, true),
                    &present(&f.people[..2]),
                )
            })
            .unwrap();
        assert_eq!(
            (m.expected, m.present, m.counted),
            (4, 2, false),
            "{}",
            s.name
        );
        assert!(m.invalid());
        let q = Period::containing(xianfeng_domain::cadence::Frequency::Quarterly, today);
        let count = |s: &TestStore| {
            s.read(|c| cadence::direct_count(c, f.branch.id, "支部党员大会", &q))
                .unwrap()
        };
        assert_eq!(count(&s), 0);
        let m = s
            .write(|c| {
                meetings::update_attendance(
                    c,
                    &admin(&f.county),
                    &m,
                    &present(&f.people[2..3]),
                    false,
                    today,
                )
            })
            .unwrap();
        assert!(m.counted, "{}", s.name);
        assert_eq!(count(&s), 1, "{}", s.name);
    }
}

#[test]
fn attendance_for_a_non_member_changes_nothing() {
    for s in backends() {
        let f = fixture(&s);
        let today = date::today();
        let err = s
            .write(|c| {
                meetings::create(
                    c,
                    None,
                    &f.branch,
                    &draft(MeetingKind::ThemedDay, today, true),
                    &present(&[f.people[0], f.outsider]),
                )
            })
            .unwrap_err();
        assert!(matches!(err, StoreError::Invalid(_)), "{}", s.name);
        let listed = s
            .read(|c| meetings::list(c, &f.county.path, &Default::default(), 10, 0))
            .unwrap();
        assert!(listed.is_empty(), "{}", s.name);
    }
}

#[test]
fn check_in_marks_present_once() {
    for s in backends() {
        let f = fixture(&s);
        let today = date::today();
        let m = s
            .write(|c| {
                meetings::create(
                    c,
                    None,
                    &f.branch,
                    &draft(MeetingKind::ThemedDay, today, false),
                    &[],
                )
            })
            .unwrap();
        assert!(!m.counted);
        let m = s.write(|c| meetings::check_in(c, &m, f.people[0])).unwrap();
        assert_eq!(m.present, 1, "{}", s.name);
        let again = s
            .write(|c| meetings::check_in(c, &m, f.people[0]))
            .unwrap_err();
        assert!(again.to_string().contains("已签到"), "{}", s.name);
        let stranger = s
            .write(|c| meetings::check_in(c, &m, f.outsider))
            .unwrap_err();
        assert!(stranger.to_string().contains("应到名单"), "{}", s.name);
    }
}

#[test]
fn roster_on_a_date_undoes_later_transfers() {
    for s in backends() {
        let f = fixture(&s);
        let today = date::today();
        let moved = f.people[3];
        s.write(|c| {
            let rec = members::require(c, moved)?;
            members::transfer(
                c,
                &admin(&f.county),
                &rec,
                &f.other,
                &today.to_string(),
                "工作调动",
            )
        })
        .unwrap();
        let yesterday = (today - Duration::days(1)).to_string();
        let before = s
            .read(|c| meetings::roster_at(c, &f.other, &yesterday))
            .unwrap();
        assert!(!before.iter().any(|(id, _)| *id == moved), "{}", s.name);
        let old = s
            .read(|c| meetings::roster_at(c, &f.branch, &yesterday))
            .unwrap();
        assert!(old.iter().any(|(id, _)| *id == moved), "{}", s.name);
        let now = s
            .read(|c| meetings::roster_at(c, &f.other, &today.to_string()))
            .unwrap();
        assert!(now.iter().any(|(id, _)| *id == moved), "{}", s.name);
    }
}

#[test]
fn town_may_tighten_a_rule_and_counters_follow() {
    for s in backends() {
        let f = fixture(&s);
        let today = date::today();
        s.write(|c| {
            meetings::create(
                c,
                None,
                &f.branch,
                &draft(MeetingKind::ThemedDay, today, true),
                &present(&f.people),
            )
        })
        .unwrap();
        assert_eq!(standing(&s, &f.branch, "主题党日"), Status::Done);
        s.write(|c| cadence::set_override(c, &f.town, "主题党日", Some((2, 7))))
            .unwrap();
        assert_ne!(
            standing(&s, &f.branch, "主题党日"),
            Status::Done,
            "{}",
            s.name
        );
        let ok = s
            .read(|c| {
                rollup::get(
                    c,
                    f.county.id,
                    "ok:主题党日",
                    &today.format("%Y-%m").to_string(),
                )
            })
            .unwrap();
        assert_eq!(ok.1, 0, "{}", s.name);
        let looser = s
            .write(|c| cadence::set_override(c, &f.town, "主题党日", Some((0, 7))))
            .unwrap_err();
        assert!(matches!(looser, StoreError::Invalid(_)), "{}", s.name);
    }
}

#[test]
fn incremental_life_counters_equal_a_full_recount() {
    for s in backends() {
        let f = fixture(&s);
        let today = date::today();
        let a = admin(&f.county);
        s.write(|c| -> xianfeng_store::Result<_> {
            meetings::create(
                c,
                None,
                &f.branch,
                &draft(MeetingKind::ThemedDay, today, true),
                &present(&f.people[..3]),
            )?;
            let gm = meetings::create(
                c,
                None,
                &f.branch,
                &draft(MeetingKind::GeneralMeeting, today, true),
                &present(&f.people[..3]),
            )?;
            meetings::update_attendance(
                c,
                &a,
                &gm,
                &[
                    AttendanceEntry {
                        member_id: f.people[0],
                        presence: Presence::Leave,
                        reason: "外出务工".into(),
                    },
                    AttendanceEntry {
                        member_id: f.people[1],
                        presence: Presence::Absent,
                        reason: String::new(),
                    },
                ],
                false,
                today,
            )?;
            meetings::create(
                c,
                None,
                &f.branch,
                &draft(MeetingKind::HeartTalk, today, true),
                &present(&f.people[..1]),
            )?;
            let t = TrainingDraft {
                title: "冬训".into(),
                date: today,
                hours: 16,
                organiser: String::new(),
            };
            training::create(c, None, &f.town, &t, &f.people[..2])?;
            training::create(c, None, &f.town, &t, &f.people[..1])?;
            Ok(())
        })
        .unwrap();
        let incremental = s.read(cadence::stored_counts).unwrap();
        let year = today.format("%Y").to_string();
        assert_eq!(
            incremental
                .get(&(f.county.id, "trained".into(), year.clone()))
                .map(|v| v.1),
            Some(1),
            "{}",
            s.name
        );
        assert_eq!(
            incremental
                .get(&(f.county.id, "talk_ok".into(), year))
                .map(|v| v.1),
            Some(1),
            "{}",
            s.name
        );
        s.write(|c| {
            cadence::rebuild_counts(c)?;
            training::rebuild(c)
        })
        .unwrap();
        assert_eq!(
            incremental,
            s.read(cadence::stored_counts).unwrap(),
            "{}",
            s.name
        );
        let y = s
            .read(|c| {
                training::member_year(
                    c,
                    f.people[0],
                    today.format("%Y").to_string().parse().unwrap(),
                )
            })
            .unwrap();
        assert_eq!(
            (y.training_hours, y.talks, y.leave),
            (32, 1, 1),
            "{}",
            s.name
        );
    }
}

#[test]
fn contact_points_are_bounded_and_checked() {
    for s in backends() {
        let f = fixture(&s);
        let today = date::today();
        let a = admin(&f.county);
        let leader = f.people[0];
        let id = s
            .write(|c| {
                contacts::assign(
                    c,
                    &a,
                    &f.town,
                    f.branch.id,
                    leader,
                    ContactRole::Leader,
                    today,
                )
            })
            .unwrap();
        let dup = s
            .write(|c| {
                contacts::assign(
                    c,
                    &a,
                    &f.town,
                    f.branch.id,
                    leader,
                    ContactRole::Leader,
                    today,
                )
            })
            .unwrap_err();
        assert!(dup.to_string().contains("已存在"), "{}", s.name);
        s.write(|c| contacts::visit(c, &a, &f.town, id, today, "走访困难党员2户", today))
            .unwrap();
        let future = s
            .write(|c| {
                contacts::visit(c, &a, &f.town, id, today + Duration::days(3), "计划", today)
            })
            .unwrap_err();
        assert!(matches!(future, StoreError::Invalid(_)));
        let links = s.read(|c| contacts::links(c, &f.town, 2026)).unwrap();
        let villages: Vec<(i64, String)> = s
            .read(|c| contacts::villages(c, &f.town))
            .unwrap()
            .into_iter()
            .map(|v| (v.id, v.name))
            .collect();
        let v = xianfeng_domain::contact::violations(
            &links.iter().map(|l| l.as_link()).collect::<Vec<_>>(),
            &villages,
            &Default::default(),
            today,
        );
        assert!(
            v.iter().any(|m| m.contains("西村党支部没有联系领导")),
            "{v:?}"
        );
        assert!(
            v.iter().any(|m| m.contains("东村党支部有0名指导员")),
            "{v:?}"
        );
    }
}
