//! Refusals of organisational life, campaigns and supervision on both backends: each refused
//! write leaves every table and the audit log as they were — including those refused after a
//! first write (a town's override is deleted before the new one is checked; a task, its
//! indicators and its first assignment are inserted before a later assignee is found outside
//! the campaign).

mod common;

use chrono::Duration;
use common::{actor, conflict, invalid, not_found, refuse};
use xianfeng_domain::auth::Role;
use xianfeng_domain::campaign::{Comparator, Measure, ReportDraft, Target};
use xianfeng_domain::contact::ContactRole;
use xianfeng_domain::date;
use xianfeng_domain::life::{AttendanceEntry, MeetingDraft, MeetingKind, Presence, TrainingDraft};
use xianfeng_domain::org::Org;
use xianfeng_domain::supervision::{InspectionDraft, ProblemAction, ProblemDraft};
use xianfeng_store::campaigns::{self, measures, supervision, NewTask, Phase};
use xianfeng_store::testing::{add_member, admin, backends, org, TestStore};
use xianfeng_store::{
    engines::cadence, engines::rollup, life::contacts, life::meetings, life::training,
    people::orgs, plans::drafts, plans::publish, vals,
};

struct Tree {
    county: Org,
    town: Org,
    branch: Org,
    other: Org,
    dissolved: Org,
    people: Vec<i64>,
    outsider: i64,
}

fn tree(s: &TestStore) -> Tree {
    let (county, town, branch, other, dissolved) = s
        .write(|c| -> xianfeng_store::Result<_> {
            let county = org(c, None, "测试县委", "县委");
            let town = org(c, Some(&county), "甲镇党委", "党委");
            let other_town = org(c, Some(&county), "乙镇党委", "党委");
            let branch = org(c, Some(&town), "东村党支部", "党支部");
            let other = org(c, Some(&other_town), "西村党支部", "党支部");
            let dissolved = org(c, Some(&town), "南村党支部", "党支部");
            orgs::dissolve(c, &admin(&county), &dissolved, "2026-01-01")?;
            let dissolved = orgs::require(c, dissolved.id)?;
            Ok((county, town, branch, other, dissolved))
        })
        .unwrap();
    let people = (1..=3)
        .map(|n| add_member(s, &branch, n, "正式党员"))
        .collect();
    let outsider = add_member(s, &other, 9, "正式党员");
    Tree {
        county,
        town,
        branch,
        other,
        dissolved,
        people,
        outsider,
    }
}

fn meeting(kind: MeetingKind, on: chrono::NaiveDate, held: bool) -> MeetingDraft {
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

fn line(member_id: i64, presence: Presence, reason: &str) -> AttendanceEntry {
    AttendanceEntry {
        member_id,
        presence,
        reason: reason.into(),
    }
}

#[test]
fn meetings_training_and_check_in_refuse_and_write_nothing() {
    for s in backends() {
        let t = tree(&s);
        let today = date::today();
        let sec = actor(&t.branch, Role::BranchSecretary);
        let themed = meeting(MeetingKind::ThemedDay, today, true);
        invalid(
            refuse(&s, |c| {
                meetings::create(c, None, &t.dissolved, &themed, &[])
            }),
            "该组织已撤销",
        );
        invalid(
            refuse(&s, |c| {
                meetings::create(
                    c,
                    None,
                    &t.branch,
                    &themed,
                    &[line(t.outsider, Presence::Present, "")],
                )
            }),
            "不是本组织在册党员",
        );
        invalid(
            refuse(&s, |c| {
                meetings::create(
                    c,
                    None,
                    &t.branch,
                    &themed,
                    &[line(t.people[0], Presence::Leave, "")],
                )
            }),
            "请假须填写事由",
        );
        invalid(
            refuse(&s, |c| {
                meetings::create(
                    c,
                    None,
                    &t.branch,
                    &meeting(MeetingKind::CommitteeMeeting, today, true),
                    &[],
                )
            }),
            "请至少登记一名参加的党员",
        );
        // A meeting planned for next week cannot be marked held; nor can a stranger's line
        // be changed.
        let planned = s
            .write(|c| {
                meetings::create(
                    c,
                    None,
                    &t.branch,
                    &meeting(MeetingKind::ThemedDay, today + Duration::days(7), false),
                    &[],
                )
            })
            .unwrap();
        invalid(
            refuse(&s, |c| {
                meetings::update_attendance(
                    c,
                    &sec,
                    &planned,
                    &[line(t.people[0], Presence::Present, "")],
                    true,
                    today,
                )
            }),
            "会议日期在今天之后",
        );
        invalid(
            refuse(&s, |c| {
                meetings::update_attendance(
                    c,
                    &sec,
                    &planned,
                    &[line(t.outsider, Presence::Present, "")],
                    false,
                    today,
                )
            }),
            "不是本组织在册党员",
        );
        // Check-in: only the expected, only once.
        let m = s
            .write(|c| meetings::create(c, None, &t.branch, &themed, &[]))
            .unwrap();
        conflict(
            refuse(&s, |c| meetings::check_in(c, &m, t.outsider)),
            "不在本次会议的应到名单中",
        );
        s.write(|c| meetings::check_in(c, &m, t.people[0])).unwrap();
        conflict(
            refuse(&s, |c| meetings::check_in(c, &m, t.people[0])),
            "已签到",
        );
        // Training: someone must attend, and only members of the organising subtree.
        let course = TrainingDraft {
            title: "党的二十届四中全会精神".into(),
            date: today,
            hours: 8,
            organiser: "镇党委".into(),
        };
        invalid(
            refuse(&s, |c| training::create(c, None, &t.town, &course, &[])),
            "请至少选择一名党员",
        );
        // The first participant is fine; the second is another town's.
        invalid(
            refuse(&s, |c| {
                training::create(c, None, &t.town, &course, &[t.people[0], t.outsider])
            }),
            "不是本组织（含下级）的党员",
        );
        s.write(|c| training::create(c, None, &t.town, &course, &[t.people[0]]))
            .unwrap();
    }
}

#[test]
fn contact_points_and_town_overrides_refuse_and_write_nothing() {
    for s in backends() {
        let t = tree(&s);
        let today = date::today();
        let a = admin(&t.county);
        let assign = |village: i64, member: i64| {
            let (a, town) = (a.clone(), t.town.clone());
            move |c: &mut dyn xianfeng_store::Conn| {
                contacts::assign(c, &a, &town, village, member, ContactRole::Leader, today)
            }
        };
        invalid(
            refuse(&s, assign(t.other.id, t.people[0])),
            "不是本镇（街道）的村",
        );
        invalid(
            refuse(&s, assign(t.dissolved.id, t.people[0])),
            "不是本镇（街道）的村",
        );
        invalid(
            refuse(&s, assign(t.branch.id, t.outsider)),
            "不是本镇（街道）的党员",
        );
        let link = s.write(assign(t.branch.id, t.people[0])).unwrap();
        conflict(refuse(&s, assign(t.branch.id, t.people[0])), "已存在");
        invalid(
            refuse(&s, |c| {
                contacts::visit(
                    c,
                    &a,
                    &t.town,
                    link,
                    today + Duration::days(1),
                    "计划走访",
                    today,
                )
            }),
            "不能晚于今天",
        );
        invalid(
            refuse(&s, |c| {
                contacts::visit(c, &a, &t.town, link, today, "  ", today)
            }),
            "不能为空",
        );
        // Overrides: an activity the county has no rule for; and a looser figure than the
        // county's over an existing stricter one — the old override is deleted before the
        // new one is checked, and comes back with the rollback.
        invalid(
            refuse(&s, |c| {
                cadence::set_override(c, &t.town, "打麻将", Some((1, 7)))
            }),
            "没有这项频次规则",
        );
        s.write(|c| cadence::set_override(c, &t.town, "主题党日", Some((2, 7))))
            .unwrap();
        invalid(
            refuse(&s, |c| {
                cadence::set_override(c, &t.town, "主题党日", Some((0, 7)))
            }),
            "不能少于县级要求",
        );
        invalid(
            refuse(&s, |c| {
                cadence::set_override(c, &t.town, "主题党日", Some((2, 999)))
            }),
            "提前预警天数",
        );
        assert_eq!(
            s.read(|c| cadence::overrides_at(c, t.town.id))
                .unwrap()
                .get("主题党日"),
            Some(&(2, 7)),
            "{}",
            s.name
        );
    }
}

fn reported(label: &str, quantity: f64) -> (String, Target, Measure) {
    (
        label.into(),
        Target {
            quantity,
            quantity_max: None,
            unit: "个".into(),
            comparator: Comparator::AtLeast,
        },
        Measure::Reported,
    )
}

fn task(title: &str, assignees: Vec<i64>) -> NewTask {
    NewTask {
        category: "建强支部堡垒".into(),
        title: title.into(),
        detail: String::new(),
        lead: String::new(),
        due_on: None,
        indicators: vec![reported("党员先锋岗", 3.0)],
        assignees,
        ..Default::default()
    }
}

#[test]
fn campaigns_refuse_bad_tasks_reports_on_closed_campaigns_and_late_editions() {
    for s in backends() {
        let t = tree(&s);
        let town_admin = actor(&t.town, Role::TownAdmin);
        let ta = town_admin.clone();
        invalid(
            refuse(&s, |c| {
                campaigns::create(c, &ta, &t.town, "  ", 2026, None, &[])
            }),
            "活动名称",
        );
        invalid(
            refuse(&s, |c| {
                campaigns::create(c, &ta, &t.town, "红旗先锋创建", 1999, None, &[])
            }),
            "年度",
        );
        let id = s
            .write(|c| campaigns::create(c, &ta, &t.town, "2026年红旗先锋创建", 2026, None, &[]))
            .unwrap();
        let camp = s.read(|c| campaigns::get(c, id)).unwrap().unwrap();
        // A task without indicators or assignees or title.
        invalid(
            refuse(&s, |c| {
                campaigns::add_task(
                    c,
                    &camp,
                    &NewTask {
                        indicators: vec![],
                        assignees: vec![],
                        ..task(" ", vec![])
                    },
                )
            }),
            "至少需要一项指标",
        );
        // The first assignee is in the campaign's town, the second in another town: the task,
        // its indicator, the first assignment and its roll-up are written before the refusal.
        for outside in [t.other.id, t.dissolved.id] {
            invalid(
                refuse(&s, |c| {
                    campaigns::add_task(
                        c,
                        &camp,
                        &task("设立党员先锋岗", vec![t.branch.id, outside]),
                    )
                }),
                "不在本活动的组织范围内",
            );
        }
        not_found(
            refuse(&s, |c| {
                campaigns::add_task(
                    c,
                    &camp,
                    &task("设立党员先锋岗", vec![t.branch.id, 999_999]),
                )
            }),
            "组织",
        );
        let task_id = s
            .write(|c| campaigns::add_task(c, &camp, &task("设立党员先锋岗", vec![t.branch.id])))
            .unwrap();
        let computed = s
            .write(|c| {
                campaigns::add_task(
                    c,
                    &camp,
                    &NewTask {
                        indicators: vec![(
                            "主题党日".into(),
                            Target {
                                quantity: 12.0,
                                quantity_max: None,
                                unit: "次".into(),
                                comparator: Comparator::AtLeast,
                            },
                            Measure::Records {
                                activity: "主题党日".into(),
                            },
                        )],
                        ..task("按月开展主题党日", vec![t.branch.id])
                    },
                )
            })
            .unwrap();
        let tasks = s.read(|c| campaigns::tasks(c, id)).unwrap();
        let ind = |tid: i64| tasks.iter().find(|x| x.id == tid).unwrap().indicators[0].clone();
        let assignment = |tid: i64| {
            s.read(|c| campaigns::assignments_in(c, id, &t.branch.path))
                .unwrap()
                .into_iter()
                .find(|a| a.task_id == tid)
                .unwrap()
        };
        let (a1, a2) = (assignment(task_id), assignment(computed));
        let sec = actor(&t.branch, Role::BranchSecretary);
        let d = ReportDraft {
            quantity: 2.0,
            narrative: "已设立两个".into(),
        };
        not_found(
            refuse(&s, |c| {
                campaigns::report(c, &sec, &a1, &ind(computed), &d, &[])
            }),
            "指标",
        );
        conflict(
            refuse(&s, |c| {
                campaigns::report(c, &sec, &a2, &ind(computed), &d, &[])
            }),
            "无需上报",
        );
        let photo = vec![(
            "先锋岗.png".to_string(),
            "image/png".to_string(),
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDRpost".to_vec(),
        )];
        s.write(|c| campaigns::report(c, &sec, &a1, &ind(task_id), &d, &photo))
            .unwrap();
        // Phases: a name each, dates in order.
        invalid(
            refuse(&s, |c| {
                campaigns::set_phases(
                    c,
                    &ta,
                    &camp,
                    &[Phase {
                        name: "动员部署".into(),
                        starts: "2026-06-30".into(),
                        ends: "2026-06-01".into(),
                    }],
                )
            }),
            "结束时间不能早于开始时间",
        );
        invalid(
            refuse(&s, |c| {
                campaigns::set_phases(
                    c,
                    &ta,
                    &camp,
                    &[Phase {
                        name: " ".into(),
                        starts: "6月".into(),
                        ends: "7月".into(),
                    }],
                )
            }),
            "阶段名称",
        );
        // Next year's edition must be later than this one.
        invalid(
            refuse(&s, |c| campaigns::copy(c, &ta, &camp, 2026)),
            "应晚于原活动的2026年",
        );
        // Closed: reports are refused, evidence and all.
        s.write(|c| campaigns::close(c, &ta, &camp)).unwrap();
        conflict(
            refuse(&s, |c| {
                campaigns::report(c, &sec, &a1, &ind(task_id), &d, &photo)
            }),
            "活动已结束",
        );
        // Publishing a plan with no title anywhere is refused like a campaign without one.
        let empty = serde_json::json!({"targets": [], "phases": []});
        let draft = s
            .write(|c| {
                let id = drafts::create(c, &ta, &t.town, "空白.txt", "", "", &empty)?;
                drafts::get(c, id)
            })
            .unwrap()
            .unwrap();
        invalid(
            refuse(&s, |c| publish::publish(c, &ta, &t.town, &draft, 2026)),
            "活动名称",
        );
    }
}

#[test]
fn honours_and_supervision_refuse_and_write_nothing() {
    for s in backends() {
        let t = tree(&s);
        let today = date::today();
        let town_admin = actor(&t.town, Role::TownAdmin);
        let ta = town_admin.clone();
        // Honours: a title, only for the granting level's subtree, not twice.
        invalid(
            refuse(&s, |c| {
                measures::grant(c, &ta, &t.town, &t.branch, " ", 2026, today)
            }),
            "荣誉称号",
        );
        invalid(
            refuse(&s, |c| {
                measures::grant(c, &ta, &t.town, &t.other, "五星级党支部", 2026, today)
            }),
            "只能为本级及下级组织登记荣誉",
        );
        s.write(|c| measures::grant(c, &ta, &t.town, &t.branch, "五星级党支部", 2026, today))
            .unwrap();
        conflict(
            refuse(&s, |c| {
                measures::grant(c, &ta, &t.town, &t.branch, "五星级党支部", 2026, today)
            }),
            "已获得“五星级党支部”称号",
        );
        // Supervision: only below the inspecting level.
        let visit = InspectionDraft {
            held_on: today,
            inspectors: "镇组织委员".into(),
            findings: "三会一课记录不全".into(),
        };
        let problem = ProblemDraft {
            description: "支委会记录缺少两次".into(),
            deadline: today + Duration::days(10),
        };
        for target in [&t.town, &t.other, &t.county] {
            invalid(
                refuse(&s, |c| {
                    supervision::inspect(
                        c,
                        &ta,
                        &t.town,
                        target,
                        None,
                        &visit,
                        std::slice::from_ref(&problem),
                    )
                }),
                "只能督查本级以下的组织",
            );
        }
        let p = s
            .write(|c| {
                let id = supervision::inspect(
                    c,
                    &ta,
                    &t.town,
                    &t.branch,
                    None,
                    &visit,
                    std::slice::from_ref(&problem),
                )?;
                let pid = c.scalar("SELECT id FROM problems WHERE inspection_id = ?", vals![id])?;
                supervision::problem(c, pid)
            })
            .unwrap()
            .unwrap();
        let sec = actor(&t.branch, Role::BranchSecretary);
        let files = vec![(
            "整改.png".to_string(),
            "image/png".to_string(),
            b"\x89PNG\r\n\x1a\n\0\0\0\rIHDRfix".to_vec(),
        )];
        let act = |who: &xianfeng_domain::auth::Actor,
                   p: &supervision::Problem,
                   action: ProblemAction,
                   note: &str,
                   files: &[(String, String, Vec<u8>)]| {
            let (who, p, note, files) = (who.clone(), p.clone(), note.to_string(), files.to_vec());
            move |c: &mut dyn xianfeng_store::Conn| {
                supervision::act(c, &who, &p, action, &note, &files)
            }
        };
        invalid(
            refuse(&s, act(&sec, &p, ProblemAction::Submit, " ", &files)),
            "整改情况",
        );
        // The branch cannot verify its own rectification; the town cannot verify what was
        // not submitted; a submission needs evidence.
        conflict(
            refuse(&s, act(&sec, &p, ProblemAction::Verify, "已整改", &[])),
            "您无权",
        );
        conflict(
            refuse(&s, act(&ta, &p, ProblemAction::Verify, "已整改", &[])),
            "不能执行“",
        );
        invalid(
            refuse(&s, act(&sec, &p, ProblemAction::Submit, "已补记", &[])),
            "请上传至少一份整改佐证材料",
        );
        s.write(act(&sec, &p, ProblemAction::Submit, "已补记", &files))
            .unwrap();
        let p = s.read(|c| supervision::problem(c, p.id)).unwrap().unwrap();
        conflict(
            refuse(&s, act(&sec, &p, ProblemAction::Submit, "再次提交", &files)),
            "不能执行“",
        );
        s.write(act(&ta, &p, ProblemAction::Verify, "核验通过", &[]))
            .unwrap();
        let closed = s.read(|c| supervision::problem(c, p.id)).unwrap().unwrap();
        for action in [
            ProblemAction::Verify,
            ProblemAction::Return,
            ProblemAction::Talk,
        ] {
            conflict(
                refuse(&s, act(&ta, &closed, action, "再核验", &[])),
                "已销号",
            );
        }
        let (open, done) = s
            .read(|c| -> xianfeng_store::Result<_> {
                Ok((
                    rollup::get(c, t.county.id, supervision::OPEN, "")?.1,
                    rollup::get(c, t.county.id, supervision::CLOSED, "")?.1,
                ))
            })
            .unwrap();
        assert_eq!((open, done), (0, 1), "{}", s.name);
    }
}

/// Withdrawing what is already withdrawn, or ending what already ended, is refused rather than
/// recorded again: a second withdrawal of an honour (a stale page, a double submit) would take
/// the honour's roll-up down a second time and log a withdrawal that did not happen.
#[test]
fn withdrawing_twice_is_refused_and_writes_nothing() {
    for s in backends() {
        let t = tree(&s);
        let today = date::today();
        let ta = actor(&t.town, Role::TownAdmin);
        let id = s
            .write(|c| measures::grant(c, &ta, &t.town, &t.branch, "五星级党支部", 2026, today))
            .unwrap();
        let title = s.read(|c| measures::title(c, id)).unwrap().unwrap();
        s.write(|c| measures::revoke(c, &ta, &title, &t.branch))
            .unwrap();
        conflict(
            refuse(&s, |c| measures::revoke(c, &ta, &title, &t.branch)),
            "已撤销",
        );
        let a = admin(&t.county);
        let link = s
            .write(|c| {
                contacts::assign(
                    c,
                    &a,
                    &t.town,
                    t.branch.id,
                    t.people[0],
                    ContactRole::Leader,
                    today,
                )
            })
            .unwrap();
        s.write(|c| contacts::end(c, &a, &t.town, link, today))
            .unwrap();
        conflict(
            refuse(&s, |c| contacts::end(c, &a, &t.town, link, today)),
            "已结束",
        );
    }
}
