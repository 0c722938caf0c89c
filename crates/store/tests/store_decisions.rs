//! 四议两公开 on both backends: the whole procedure in order, the 党员大会 counted as a
//! 支部党员大会, skipped or reordered steps refused with the step named (nothing changes), a
//! failed quorum stopping the matter, merged steps only for 一肩挑 villages, objections that
//! must be answered before the result, and a must-go matter carried out early opening a problem.

mod common;

use chrono::{Duration, NaiveDate};
use common::{conflict, invalid, refuse};
use xianfeng_domain::cadence::{Frequency, Period};
use xianfeng_domain::decision::{
    MatterDraft, MatterStatus, StepDraft, StepKind, Tally, VillageForm,
};
use xianfeng_domain::life::{AttendanceEntry, Presence};
use xianfeng_domain::org::Org;
use xianfeng_store::decisions::{categories, matters};
use xianfeng_store::testing::{add_member, admin, backends, org, TestStore};
use xianfeng_store::{campaigns::supervision, engines::cadence};

struct Village {
    town: Org,
    branch: Org,
    people: Vec<i64>,
}

fn village(s: &TestStore) -> Village {
    let (town, branch) = s
        .write(|c| -> xianfeng_store::Result<_> {
            let county = org(c, None, "测试县委", "县委");
            let town = org(c, Some(&county), "甲镇党委", "党委");
            let branch = org(c, Some(&town), "东村党支部", "党支部");
            Ok((town, branch))
        })
        .unwrap();
    let people = (1..=3)
        .map(|n| add_member(s, &branch, n, "正式党员"))
        .collect();
    Village {
        town,
        branch,
        people,
    }
}

/// The village's secretary: records the steps, publishes and answers objections.
fn sec(v: &Village) -> xianfeng_domain::auth::Actor {
    xianfeng_domain::auth::Actor {
        role: xianfeng_domain::auth::Role::BranchSecretary,
        scope_org_id: v.branch.id,
        scope_path: v.branch.path.clone(),
        ..admin(&v.town)
    }
}

fn day(n: i64) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 1).unwrap() + Duration::days(n)
}

fn new_matter(s: &TestStore, v: &Village, category: &str) -> matters::Matter {
    s.write(|c| {
        matters::create(
            c,
            &sec(v),
            &v.branch,
            &MatterDraft {
                title: "村道硬化工程".into(),
                category: category.into(),
                amount_fen: Some(12_000_000),
                summary: "修建村东组至村部道路1.2公里".into(),
            },
        )
    })
    .unwrap()
}

fn meeting(kind: StepKind, on: NaiveDate, expected: i64, present: i64, yes: i64) -> StepDraft {
    StepDraft {
        kind,
        date: on,
        form: (kind == StepKind::VillageMeeting).then_some(VillageForm::Representatives),
        tally: Tally {
            expected,
            present,
            yes,
            no: present - yes,
            abstain: 0,
        },
        minutes: "与会人员充分讨论".into(),
        text: String::new(),
        amount_fen: None,
        final_result: false,
    }
}

fn notice(kind: StepKind, on: NaiveDate, final_result: bool) -> StepDraft {
    StepDraft {
        kind,
        date: on,
        form: None,
        tally: Tally::default(),
        minutes: String::new(),
        text: "经村民代表会议表决通过，现予公开".into(),
        amount_fen: Some(11_850_000),
        final_result,
    }
}

fn present(ids: &[i64]) -> Vec<AttendanceEntry> {
    ids.iter()
        .map(|&member_id| AttendanceEntry {
            member_id,
            presence: Presence::Present,
            reason: String::new(),
        })
        .collect()
}

fn step(
    s: &TestStore,
    v: &Village,
    id: i64,
    d: StepDraft,
    who: &[i64],
) -> xianfeng_store::Result<matters::Step> {
    s.write(|c| {
        let m = matters::get(c, id)?.unwrap();
        matters::record_step(c, &sec(v), &m, &d, &present(who))
    })
}

fn status(s: &TestStore, id: i64) -> matters::Matter {
    s.read(|c| matters::get(c, id)).unwrap().unwrap()
}

#[test]
fn the_whole_procedure_runs_in_order_and_the_party_assembly_counts_as_organisational_life() {
    for s in backends() {
        let v = village(&s);
        let m = new_matter(&s, &v, "工程立项与发包");
        step(
            &s,
            &v,
            m.id,
            meeting(StepKind::Proposal, day(1), 5, 5, 5),
            &[],
        )
        .unwrap();
        step(
            &s,
            &v,
            m.id,
            meeting(StepKind::Consultation, day(2), 9, 8, 7),
            &[],
        )
        .unwrap();
        // Exactly two thirds of the branch present, two of three voting yes.
        let mut assembly = meeting(StepKind::PartyAssembly, day(3), 0, 0, 2);
        assembly.tally.no = 0;
        let s3 = step(&s, &v, m.id, assembly, &v.people[..2]).unwrap();
        assert!(s3.passed, "{}: {}", s.name, s3.reason);
        assert_eq!((s3.tally.expected, s3.tally.present), (3, 2));
        let q = Period::containing(Frequency::Quarterly, day(3));
        let held = s
            .read(|c| cadence::direct_count(c, v.branch.id, "支部党员大会", &q))
            .unwrap();
        assert_eq!(held, 1, "{}: the 党员大会 counts for the cadence", s.name);
        step(
            &s,
            &v,
            m.id,
            meeting(StepKind::VillageMeeting, day(4), 30, 20, 11),
            &[],
        )
        .unwrap();
        let s5 = step(
            &s,
            &v,
            m.id,
            notice(StepKind::Resolution, day(5), false),
            &[],
        )
        .unwrap();
        let today = xianfeng_domain::date::today();
        let until = (today + Duration::days(7)).to_string();
        assert_eq!(
            s5.notice_until.as_deref(),
            Some(until.as_str()),
            "{}: 7 days",
            s.name
        );
        assert_eq!(status(&s, m.id).status, MatterStatus::Published);

        let board = s
            .read(|c| matters::board(c, &v.town.path, today, 10, 0))
            .unwrap();
        assert_eq!(board.len(), 1, "{}", s.name);
        assert!(board[0].open);
        let gone = s
            .read(|c| matters::board(c, &v.town.path, today + Duration::days(8), 10, 0))
            .unwrap();
        assert!(
            gone.is_empty(),
            "{}: off the board after the notice",
            s.name
        );

        let objection = s
            .write(|c| {
                let m = matters::get(c, m.id)?.unwrap();
                matters::object(c, &m, "张三", "13800000000", "施工方是否公开招标？", today)
            })
            .unwrap();
        let e = refuse(&s, |c| {
            let m = matters::get(c, m.id)?.unwrap();
            matters::record_step(
                c,
                &sec(&v),
                &m,
                &notice(StepKind::ResultNotice, day(14), true),
                &[],
            )
        });
        invalid(e, "尚未答复");
        s.write(|c| {
            let m = matters::get(c, m.id)?.unwrap();
            matters::answer(c, &sec(&v), &m, objection, false, "已公开招标，结果见附件")
        })
        .unwrap();
        step(
            &s,
            &v,
            m.id,
            notice(StepKind::ResultNotice, day(20), false),
            &[],
        )
        .unwrap();
        assert_eq!(status(&s, m.id).status, MatterStatus::Implementing);
        step(
            &s,
            &v,
            m.id,
            notice(StepKind::ResultNotice, day(40), true),
            &[],
        )
        .unwrap();
        let done = status(&s, m.id);
        assert_eq!((done.status, done.done_step), (MatterStatus::Finished, 6));

        let t = s.read(|c| matters::totals(c, v.town.id)).unwrap();
        assert_eq!(
            (t.matters, t.stopped, t.by_stage[6]),
            (1, 0, 1),
            "{}",
            s.name
        );
        assert_eq!(
            t.by_stage.iter().sum::<i64>(),
            1,
            "{}: one stage at a time",
            s.name
        );
    }
}

#[test]
fn a_skipped_or_repeated_step_is_refused_with_the_step_named_and_changes_nothing() {
    for s in backends() {
        let v = village(&s);
        let m = new_matter(&s, &v, "集体资产处置");
        let e = refuse(&s, |c| {
            let m = matters::get(c, m.id)?.unwrap();
            matters::record_step(
                c,
                &sec(&v),
                &m,
                &meeting(StepKind::PartyAssembly, day(1), 0, 0, 3),
                &present(&v.people),
            )
        });
        invalid(e, "第1步");
        step(
            &s,
            &v,
            m.id,
            meeting(StepKind::Proposal, day(1), 5, 5, 5),
            &[],
        )
        .unwrap();
        let e = refuse(&s, |c| {
            let m = matters::get(c, m.id)?.unwrap();
            matters::record_step(
                c,
                &sec(&v),
                &m,
                &meeting(StepKind::VillageMeeting, day(2), 30, 30, 30),
                &[],
            )
        });
        invalid(e, "第2步");
        let e = refuse(&s, |c| {
            let m = matters::get(c, m.id)?.unwrap();
            matters::record_step(
                c,
                &sec(&v),
                &m,
                &meeting(StepKind::Proposal, day(2), 5, 5, 5),
                &[],
            )
        });
        invalid(e, "已经完成");
    }
}

#[test]
fn a_failed_quorum_stops_the_matter_with_the_reason() {
    for s in backends() {
        let v = village(&s);
        let m = new_matter(&s, &v, "集体借贷");
        step(
            &s,
            &v,
            m.id,
            meeting(StepKind::Proposal, day(1), 5, 5, 5),
            &[],
        )
        .unwrap();
        step(
            &s,
            &v,
            m.id,
            meeting(StepKind::Consultation, day(2), 9, 9, 9),
            &[],
        )
        .unwrap();
        // One of three members present: below two thirds.
        let s3 = step(
            &s,
            &v,
            m.id,
            meeting(StepKind::PartyAssembly, day(3), 0, 0, 1),
            &v.people[..1],
        )
        .unwrap();
        assert!(!s3.passed);
        let stopped = status(&s, m.id);
        assert_eq!(stopped.status, MatterStatus::Stopped, "{}", s.name);
        assert!(
            stopped.stop_reason.contains("第3步"),
            "{}",
            stopped.stop_reason
        );
        assert!(
            stopped.stop_reason.contains("2/3"),
            "{}",
            stopped.stop_reason
        );
        let e = refuse(&s, |c| {
            let m = matters::get(c, m.id)?.unwrap();
            matters::record_step(
                c,
                &sec(&v),
                &m,
                &meeting(StepKind::VillageMeeting, day(4), 30, 30, 30),
                &[],
            )
        });
        conflict(e, "已终止");
        let t = s.read(|c| matters::totals(c, v.town.id)).unwrap();
        assert_eq!((t.matters, t.stopped), (1, 1), "{}", s.name);
        assert_eq!(t.by_stage.iter().sum::<i64>(), 0);
        let lines = s
            .read(|c| matters::by_village(c, &v.town.path, day(5)))
            .unwrap();
        assert_eq!(lines[0].stopped, 1);
    }
}

#[test]
fn steps_one_and_two_merge_only_where_the_secretary_is_also_the_director() {
    for s in backends() {
        let v = village(&s);
        let m = new_matter(&s, &v, "村规民约");
        let e = refuse(&s, |c| {
            let m = matters::get(c, m.id)?.unwrap();
            matters::record_step(
                c,
                &sec(&v),
                &m,
                &meeting(StepKind::Merged, day(1), 9, 9, 9),
                &[],
            )
        });
        invalid(e, "一肩挑");
        s.write(|c| categories::set_one_shoulder(c, &sec(&v), &v.branch, true))
            .unwrap();
        step(
            &s,
            &v,
            m.id,
            meeting(StepKind::Merged, day(1), 9, 9, 9),
            &[],
        )
        .unwrap();
        assert_eq!(status(&s, m.id).done_step, 2, "{}", s.name);
        step(
            &s,
            &v,
            m.id,
            meeting(StepKind::PartyAssembly, day(2), 0, 0, 3),
            &v.people,
        )
        .unwrap();
        assert_eq!(status(&s, m.id).done_step, 3);
    }
}

#[test]
fn a_must_go_matter_carried_out_without_the_steps_opens_a_problem_for_the_village() {
    for s in backends() {
        let v = village(&s);
        let m = new_matter(&s, &v, "集体土地/山林承包流转");
        step(
            &s,
            &v,
            m.id,
            meeting(StepKind::Proposal, day(1), 5, 5, 5),
            &[],
        )
        .unwrap();
        let problem = s
            .write(|c| {
                let m = matters::get(c, m.id)?.unwrap();
                matters::mark_implemented(c, &sec(&v), &m, day(2))
            })
            .unwrap()
            .expect("a problem");
        let p = s
            .read(|c| supervision::problem(c, problem))
            .unwrap()
            .unwrap();
        assert_eq!(p.org_id, v.branch.id, "{}", s.name);
        assert!(p.description.contains("第2步"), "{}", p.description);
        let other = new_matter(&s, &v, "其他");
        let none = s
            .write(|c| {
                let m = matters::get(c, other.id)?.unwrap();
                matters::mark_implemented(c, &sec(&v), &m, day(2))
            })
            .unwrap();
        assert!(
            none.is_none(),
            "{}: 其他 need not go through the steps",
            s.name
        );
    }
}

#[test]
fn refused_matters_and_objections_change_nothing() {
    for s in backends() {
        let v = village(&s);
        let e = refuse(&s, |c| {
            matters::create(
                c,
                &sec(&v),
                &v.town,
                &MatterDraft {
                    title: "不是村".into(),
                    category: "其他".into(),
                    amount_fen: None,
                    summary: String::new(),
                },
            )
        });
        invalid(e, "村党组织");
        let m = new_matter(&s, &v, "其他");
        let e = refuse(&s, |c| {
            let m = matters::get(c, m.id)?.unwrap();
            matters::object(c, &m, "李四", "", "没有公开的决议", day(1))
        });
        conflict(e, "公开期");
        let e = refuse(&s, |c| {
            categories::save(
                c,
                &sec(&v),
                &[categories::Category {
                    name: " ".into(),
                    must_go: true,
                }],
            )
        });
        invalid(e, "至少保留");
    }
}

#[test]
fn an_upheld_objection_stops_the_matter() {
    for s in backends() {
        let v = village(&s);
        let m = new_matter(&s, &v, "低保/救助对象评议");
        step(
            &s,
            &v,
            m.id,
            meeting(StepKind::Proposal, day(1), 5, 5, 5),
            &[],
        )
        .unwrap();
        step(
            &s,
            &v,
            m.id,
            meeting(StepKind::Consultation, day(2), 9, 9, 9),
            &[],
        )
        .unwrap();
        step(
            &s,
            &v,
            m.id,
            meeting(StepKind::PartyAssembly, day(3), 0, 0, 3),
            &v.people,
        )
        .unwrap();
        step(
            &s,
            &v,
            m.id,
            meeting(StepKind::VillageMeeting, day(4), 30, 30, 30),
            &[],
        )
        .unwrap();
        step(
            &s,
            &v,
            m.id,
            notice(StepKind::Resolution, day(5), false),
            &[],
        )
        .unwrap();
        let today = xianfeng_domain::date::today();
        let objection = s
            .write(|c| {
                let m = matters::get(c, m.id)?.unwrap();
                matters::object(c, &m, "王五", "", "评议对象家中有经营性车辆", today)
            })
            .unwrap();
        s.write(|c| {
            let m = matters::get(c, m.id)?.unwrap();
            matters::answer(c, &sec(&v), &m, objection, true, "经核实情况属实")
        })
        .unwrap();
        let stopped = status(&s, m.id);
        assert_eq!(stopped.status, MatterStatus::Stopped, "{}", s.name);
        assert!(
            stopped.stop_reason.contains("异议成立"),
            "{}",
            stopped.stop_reason
        );
        let board = s
            .read(|c| matters::board(c, &v.town.path, today, 10, 0))
            .unwrap();
        assert!(
            board.is_empty(),
            "{}: a fallen resolution leaves the board",
            s.name
        );
    }
}

/// Two requests that read the matter in the same state (a double submit, two secretaries):
/// the first step is recorded, the second acting on the stale copy is refused and changes
/// nothing, and the stage count stays right.
#[test]
fn a_step_recorded_on_a_stale_copy_of_the_matter_is_refused_and_changes_nothing() {
    for s in backends() {
        let v = village(&s);
        let m = new_matter(&s, &v, "集体资产处置");
        let stale = status(&s, m.id);
        step(
            &s,
            &v,
            m.id,
            meeting(StepKind::Proposal, day(1), 5, 5, 5),
            &[],
        )
        .unwrap();
        let e = refuse(&s, |c| {
            matters::record_step(
                c,
                &sec(&v),
                &stale,
                &meeting(StepKind::Proposal, day(1), 5, 5, 5),
                &[],
            )
        });
        conflict(e, "已被他人更新");
        let e = refuse(&s, |c| {
            matters::mark_implemented(c, &sec(&v), &stale, day(2))
        });
        conflict(e, "已被他人更新");
        assert_eq!(status(&s, m.id).done_step, 1, "{}", s.name);
        let steps = s.read(|c| matters::steps(c, m.id)).unwrap();
        assert_eq!(steps.len(), 1, "{}: one step row", s.name);
    }
}
