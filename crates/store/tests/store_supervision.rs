//! Supervision and computed indicators on both backends: an inspection counts toward the
//! town's monthly 督查 and opens ledger items; items close only through rectification and
//! verification by the raising level; overdue items climb the ladder once per level; computed
//! indicators follow honours, the tree and activity records without a report.

use chrono::Duration;
use xianfeng_domain::auth::{Actor, Role};
use xianfeng_domain::cadence::{Status, SUPERVISION};
use xianfeng_domain::campaign::{Comparator, Measure, ReportDraft, Target};
use xianfeng_domain::date;
use xianfeng_domain::org::Org;
use xianfeng_domain::supervision::{InspectionDraft, ProblemAction, ProblemDraft, ProblemStatus};
use xianfeng_store::testing::{admin, backends, org, TestStore};
use xianfeng_store::{
    campaigns, campaigns::measures, campaigns::supervision, engines::cadence, engines::rollup,
    life::compliance, StoreError,
};

struct Tree {
    county: Org,
    town: Org,
    branch: Org,
}

fn tree(s: &TestStore) -> Tree {
    s.write(|c| -> xianfeng_store::Result<_> {
        let county = org(c, None, "测试县委", "县委");
        let town = org(c, Some(&county), "甲镇党委", "党委");
        let branch = org(c, Some(&town), "东村党支部", "党支部");
        Ok(Tree {
            county,
            town,
            branch,
        })
    })
    .unwrap()
}

fn actor(at: &Org, role: Role) -> Actor {
    Actor {
        role,
        scope_org_id: at.id,
        scope_path: at.path.clone(),
        ..admin(at)
    }
}

fn inspect_with_problem(s: &TestStore, t: &Tree, deadline_in_days: i64) -> i64 {
    let today = date::today();
    let town_admin = actor(&t.town, Role::TownAdmin);
    s.write(|c| {
        let id = supervision::inspect(
            c,
            &town_admin,
            &t.town,
            &t.branch,
            None,
            &InspectionDraft {
                held_on: today,
                inspectors: "镇组织委员".into(),
                findings: "三会一课记录不全".into(),
            },
            &[ProblemDraft {
                description: "支委会记录缺少两次".into(),
                deadline: today + Duration::days(deadline_in_days),
            }],
        )?;
        c.scalar(
            "SELECT id FROM problems WHERE inspection_id = ?",
            xianfeng_store::vals![id],
        )
    })
    .unwrap()
}

#[test]
fn an_inspection_counts_toward_the_towns_monthly_supervision() {
    for s in backends() {
        let t = tree(&s);
        let before = s
            .read(|c| compliance::standing(c, &t.town, date::today()))
            .unwrap();
        let rule = before.iter().find(|x| x.rule.activity == SUPERVISION);
        assert!(rule.is_some_and(|x| x.status != Status::Done), "{}", s.name);
        inspect_with_problem(&s, &t, 10);
        let after = s
            .read(|c| compliance::standing(c, &t.town, date::today()))
            .unwrap();
        let rule = after
            .iter()
            .find(|x| x.rule.activity == SUPERVISION)
            .unwrap();
        assert_eq!(rule.status, Status::Done, "{}", s.name);
        // The branch is not bound by the towns' rule.
        let branch = s
            .read(|c| compliance::standing(c, &t.branch, date::today()))
            .unwrap();
        assert!(branch.iter().all(|x| x.rule.activity != SUPERVISION));
        let summary = s
            .read(|c| compliance::summary(c, &t.county, date::today()))
            .unwrap();
        let sup = summary
            .iter()
            .find(|x| x.rule.activity == SUPERVISION)
            .unwrap();
        assert_eq!((sup.done, sup.bound), (1, 1), "{}", s.name);
        let counts = s
            .read(|c| supervision::counts(c, &t.county, date::today()))
            .unwrap();
        assert_eq!((counts.unclosed, counts.overdue), (1, 0), "{}", s.name);
    }
}

#[test]
fn a_problem_closes_only_after_rectification_and_verification_by_the_raising_level() {
    for s in backends() {
        let t = tree(&s);
        let id = inspect_with_problem(&s, &t, 10);
        let p = || s.read(|c| supervision::problem(c, id)).unwrap().unwrap();
        let secretary = actor(&t.branch, Role::BranchSecretary);
        let town_admin = actor(&t.town, Role::TownAdmin);
        let photo = vec![(
            "整改照片.png".to_string(),
            "image/png".to_string(),
            b"\x89PNG\r\n\x1a\n0000".to_vec(),
        )];
        // Verifying before anything was submitted is refused.
        let early = s
            .write(|c| supervision::act(c, &town_admin, &p(), ProblemAction::Verify, "同意", &[]))
            .unwrap_err();
        assert!(matches!(early, StoreError::Conflict(ref m) if m.contains("整改中")));
        // A rectification needs evidence.
        let bare = s
            .write(|c| supervision::act(c, &secretary, &p(), ProblemAction::Submit, "已补齐", &[]))
            .unwrap_err();
        assert!(matches!(bare, StoreError::Invalid(ref e) if e.for_field("evidence").is_some()));
        s.write(|c| {
            supervision::act(
                c,
                &secretary,
                &p(),
                ProblemAction::Submit,
                "已补齐记录",
                &photo,
            )
        })
        .unwrap();
        assert_eq!(p().status, ProblemStatus::Submitted, "{}", s.name);
        // The branch cannot verify its own rectification.
        let own = s
            .write(|c| supervision::act(c, &secretary, &p(), ProblemAction::Verify, "好", &[]))
            .unwrap_err();
        assert!(matches!(own, StoreError::Conflict(ref m) if m.contains("无权")));
        s.write(|c| {
            supervision::act(
                c,
                &town_admin,
                &p(),
                ProblemAction::Return,
                "缺少会议签到",
                &[],
            )
        })
        .unwrap();
        assert_eq!(p().status, ProblemStatus::Open);
        s.write(|c| {
            supervision::act(
                c,
                &secretary,
                &p(),
                ProblemAction::Submit,
                "补充签到表",
                &photo,
            )
        })
        .unwrap();
        s.write(|c| supervision::act(c, &town_admin, &p(), ProblemAction::Verify, "核验属实", &[]))
            .unwrap();
        assert_eq!(p().status, ProblemStatus::Closed, "{}", s.name);
        let steps = s.read(|c| supervision::steps(c, id)).unwrap();
        assert_eq!(steps.len(), 4, "{}", s.name);
        assert_eq!(steps[0].files.len(), 1);
        let counts = s
            .read(|c| supervision::counts(c, &t.county, date::today()))
            .unwrap();
        assert_eq!((counts.unclosed, counts.closed), (0, 1), "{}", s.name);
        let tamper = s.write(|c| c.execute("UPDATE problem_steps SET note = 'x'", &[]));
        assert!(tamper.is_err(), "{}: steps must be append-only", s.name);
        let incremental = s.read(supervision::stored_rollups).unwrap();
        s.write(supervision::rebuild_rollups).unwrap();
        assert_eq!(incremental, s.read(supervision::stored_rollups).unwrap());
    }
}

#[test]
fn an_overdue_problem_climbs_each_level_once_with_a_record_of_each_step() {
    for s in backends() {
        let t = tree(&s);
        let today = date::today();
        let id = inspect_with_problem(&s, &t, 0);
        assert_eq!(s.write(|c| supervision::escalate(c, today)).unwrap(), 0);
        // One day late: the reminder.
        let one = s
            .write(|c| supervision::escalate(c, today + Duration::days(1)))
            .unwrap();
        assert_eq!(one, 1, "{}", s.name);
        // Twenty days late: the town's and then the county's talks, once each.
        let later = today + Duration::days(20);
        assert_eq!(s.write(|c| supervision::escalate(c, later)).unwrap(), 2);
        assert_eq!(s.write(|c| supervision::escalate(c, later)).unwrap(), 0);
        let steps = s.read(|c| supervision::steps(c, id)).unwrap();
        let notes: Vec<&str> = steps.iter().map(|x| x.note.as_str()).collect();
        assert!(notes[1].contains("甲镇党委约谈"), "{}: {notes:?}", s.name);
        assert!(notes[2].contains("测试县委约谈"), "{}: {notes:?}", s.name);
        let p = s.read(|c| supervision::problem(c, id)).unwrap().unwrap();
        assert_eq!(p.level, 3);
        let overdue = s
            .read(|c| -> xianfeng_store::Result<_> {
                supervision::problems(c, &t.town.path, supervision::Filter::Overdue, later, 10)
            })
            .unwrap();
        assert_eq!(overdue.len(), 1, "{}", s.name);
    }
}

fn share_target(q: f64, unit: &str) -> Target {
    Target {
        quantity: q,
        quantity_max: None,
        unit: unit.into(),
        comparator: Comparator::AtLeast,
    }
}

#[test]
fn computed_indicators_follow_honours_the_tree_and_records() {
    for s in backends() {
        let t = tree(&s);
        let a = admin(&t.county);
        let camp = s
            .write(|c| -> xianfeng_store::Result<_> {
                let id = campaigns::create(
                    c,
                    &a,
                    &t.county,
                    "红旗先锋",
                    date::today().format("%Y").to_string().parse().unwrap(),
                    None,
                    &[],
                )?;
                campaigns::get(c, id)
            })
            .unwrap()
            .unwrap();
        let share = Measure::OrgShare {
            title: "镇级先进基层党组织".into(),
            among: xianfeng_domain::campaign::Among::RuralBranches,
        };
        let records = Measure::Records {
            activity: "主题党日".into(),
        };
        let (share_task, records_task) = s
            .write(|c| -> xianfeng_store::Result<_> {
                let add = |c: &mut dyn xianfeng_store::Conn,
                           title: &str,
                           target: Target,
                           m: Measure,
                           to: i64| {
                    campaigns::add_task(
                        c,
                        &camp,
                        &campaigns::NewTask {
                            category: "选树先锋典型".into(),
                            title: title.into(),
                            detail: String::new(),
                            lead: String::new(),
                            due_on: None,
                            indicators: vec![(title.into(), target, m)],
                            assignees: vec![to],
                            ..Default::default()
                        },
                    )
                };
                Ok((
                    add(
                        c,
                        "60%以上村级党支部创建先进",
                        share_target(60.0, "%"),
                        share,
                        t.town.id,
                    )?,
                    add(c, "主题党日", share_target(1.0, "次"), records, t.branch.id)?,
                ))
            })
            .unwrap();
        let tasks = s.read(|c| campaigns::tasks(c, camp.id)).unwrap();
        let ind = |task: i64| tasks.iter().find(|x| x.id == task).unwrap().indicators[0].clone();
        let (share_ind, records_ind) = (ind(share_task), ind(records_task));
        let done = |i: i64| {
            s.read(|c| rollup::get(c, t.county.id, &campaigns::done_metric(i), ""))
                .unwrap()
                .1
        };
        let value = |i: i64| {
            s.read(|c| rollup::get(c, t.county.id, &campaigns::value_metric(i), ""))
                .unwrap()
                .1
        };
        assert_eq!(
            (done(share_ind.id), value(share_ind.id)),
            (0, 0),
            "{}",
            s.name
        );
        // The one village branch gets the honour: 100 %.
        s.write(|c| -> xianfeng_store::Result<_> {
            measures::grant(
                c,
                &a,
                &t.town,
                &t.branch,
                "镇级先进基层党组织",
                2026,
                date::today(),
            )
        })
        .unwrap();
        assert_eq!(
            (done(share_ind.id), value(share_ind.id)),
            (1, 10000),
            "{}",
            s.name
        );
        // A second village branch without it: 50 %, below the 60 % target.
        s.write(|c| -> xianfeng_store::Result<_> {
            Ok(org(c, Some(&t.town), "西村党支部", "党支部"))
        })
        .unwrap();
        assert_eq!(
            (done(share_ind.id), value(share_ind.id)),
            (0, 5000),
            "{}",
            s.name
        );
        // Granting it twice is refused.
        let twice = s
            .write(|c| {
                measures::grant(
                    c,
                    &a,
                    &t.town,
                    &t.branch,
                    "镇级先进基层党组织",
                    2026,
                    date::today(),
                )
            })
            .unwrap_err();
        assert!(matches!(twice, StoreError::Conflict(_)), "{}", s.name);
        // A counted 主题党日 meets the records indicator, without any report.
        s.write(|c| cadence::record(c, &t.branch, "主题党日", date::today(), 1))
            .unwrap();
        assert_eq!(done(records_ind.id), 1, "{}", s.name);
        // Computed figures cannot be reported by hand.
        let mine = s
            .read(|c| campaigns::assignments_in(c, camp.id, &t.branch.path))
            .unwrap()
            .into_iter()
            .find(|x| x.task_id == records_task)
            .unwrap();
        let typed = s
            .write(|c| {
                campaigns::report(
                    c,
                    &a,
                    &mine,
                    &records_ind,
                    &ReportDraft {
                        quantity: 5.0,
                        narrative: "手工填报".into(),
                    },
                    &[],
                )
            })
            .unwrap_err();
        assert!(matches!(typed, StoreError::Conflict(ref m) if m.contains("自动统计")));
        // The maintained figures equal a full recomputation.
        let incremental = s.read(campaigns::stored_rollups).unwrap();
        s.write(|c| {
            measures::rebuild_titles(c)?;
            measures::refresh_all(c)?;
            campaigns::rebuild_rollups(c)
        })
        .unwrap();
        assert_eq!(
            incremental,
            s.read(campaigns::stored_rollups).unwrap(),
            "{}",
            s.name
        );
    }
}
