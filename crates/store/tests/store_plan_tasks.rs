//! Publishing a plan's measures as tasks, on both backends: each measure is a task of its kind
//! (定量 with the targets inside it, 自动 when those are computed, 定性 otherwise), assigned to
//! the units it names and due at its deadline; a 定性 task is reported done with evidence and
//! accepted (or returned) by the level above, and rolls up as the share accepted; a draft makes
//! one campaign, however often or concurrently it is published, and publishing again updates it.

mod common;

use serde_json::{json, Value as Json};
use xianfeng_domain::auth::Role;
use xianfeng_domain::campaign::{CompletionInput, Review, TaskKind};
use xianfeng_domain::org::Org;
use xianfeng_store::campaigns::{self, completion, Assignment, Task};
use xianfeng_store::engines::rollup;
use xianfeng_store::people::accounts;
use xianfeng_store::plans::{drafts, publish};
use xianfeng_store::testing::{admin, backends, org, TestStore};

use common::{actor, conflict, invalid, refuse};

struct Tree {
    county: Org,
    town_a: Org,
    town_b: Org,
    branch: Org,
    dept: Org,
}

fn tree(s: &TestStore) -> Tree {
    s.write(|c| -> xianfeng_store::Result<_> {
        let county = org(c, None, "测试县委", "县委");
        let town_a = org(c, Some(&county), "甲镇党委", "党委");
        let town_b = org(c, Some(&county), "乙镇党委", "党委");
        let branch = org(c, Some(&town_a), "东村党支部", "党支部");
        let dept = org(c, Some(&county), "县委组织部机关党支部", "党支部");
        Ok(Tree {
            county,
            town_a,
            town_b,
            branch,
            dept,
        })
    })
    .unwrap()
}

/// A plan as the reader gives it, written by hand: four measures (one holding a reported
/// target, one a computed one, two with none) and a target outside every measure.
fn plan() -> Json {
    json!({
        "title": "关于实施“立行先锋”计划的通知",
        "sections": [
            {"number": "二", "title": "做政治忠诚先锋", "children": [
                {"number": "（四）", "title": "坚持凝心铸魂", "children": []},
                {"number": "（五）", "title": "巩固领导地位", "children": []},
                {"number": "（六）", "title": "规范组织生活", "children": []}
            ]},
            {"number": "三", "title": "做发展先锋", "children": []}
        ],
        "targets": [
            {"text": "全县创建党员先锋岗60个以上", "quantity": 60, "quantity_max": null, "unit": "个",
             "comparator": ">=", "per": null, "subject": "党员先锋岗", "path": ["二", "（五）"]},
            {"text": "每个支部全年开展主题党日12次", "quantity": 12, "quantity_max": null, "unit": "次",
             "comparator": ">=", "per": null, "subject": "主题党日", "path": ["二", "（六）"]},
            {"text": "发展青年党员10名", "quantity": 10, "quantity_max": null, "unit": "名",
             "comparator": ">=", "per": null, "subject": "发展青年党员", "path": ["三"]}
        ],
        "cadences": [],
        "phases": [{"name": "组织实施", "start": "6月", "end": "11月底", "text": ""}],
        "criteria": [],
        "responsible": [{"path": ["二", "（六）"], "units": ["各镇党委"]}],
        "measures": [
            {"text": "坚持不懈凝心铸魂。按照上级统一部署开展主题教育。", "path": ["二", "（四）"],
             "units": ["各镇（街）党（工）委"], "deadline": "2026年10月底前"},
            {"text": "巩固领导地位。全县创建党员先锋岗60个以上。", "path": ["二", "（五）"],
             "units": ["县委组织部"], "deadline": null},
            {"text": "规范组织生活。每个支部全年开展主题党日12次。", "path": ["二", "（六）"],
             "units": [], "deadline": null},
            {"text": "建好村党群服务中心。", "path": ["三", "1"],
             "units": ["东村党支部"], "deadline": "9月底前"}
        ],
        "quotas": [],
        "ignored": [{"text": "扣除500元", "why": "处罚条款", "path": ["三"]}]
    })
}

fn draft_of(s: &TestStore, t: &Tree, plan: &Json) -> drafts::Draft {
    let a = admin(&t.county);
    s.write(|c| {
        let id = drafts::create(c, &a, &t.county, "立行先锋.txt", "立行先锋计划", "", plan)?;
        drafts::get(c, id)
    })
    .unwrap()
    .unwrap()
}

fn published(s: &TestStore, t: &Tree) -> (drafts::Draft, publish::Published) {
    let d = draft_of(s, t, &plan());
    let a = admin(&t.county);
    let p = s
        .write(|c| publish::publish(c, &a, &t.county, &d, 2026))
        .unwrap();
    (d, p)
}

fn task<'a>(tasks: &'a [Task], title: &str) -> &'a Task {
    tasks.iter().find(|t| t.title == title).unwrap_or_else(|| {
        panic!(
            "no task “{title}” in {:?}",
            tasks.iter().map(|t| &t.title).collect::<Vec<_>>()
        )
    })
}

fn assignment_of(s: &TestStore, campaign: i64, task_id: i64, org: &Org) -> Assignment {
    s.read(|c| campaigns::assignments_in(c, campaign, &org.path))
        .unwrap()
        .into_iter()
        .find(|a| a.task_id == task_id && a.org_id == org.id)
        .expect("assignment")
}

fn photo() -> Vec<(String, String, Vec<u8>)> {
    vec![(
        "现场照片.png".into(),
        "image/png".into(),
        b"\x89PNG\r\n\x1a\nphoto".to_vec(),
    )]
}

fn done_input() -> CompletionInput {
    CompletionInput {
        narrative: "党群服务中心已挂牌运行，配齐桌椅和制度上墙。".into(),
    }
}

#[test]
fn each_measure_becomes_a_task_of_its_kind_assigned_to_its_units_and_due_at_its_deadline() {
    for s in backends() {
        let t = tree(&s);
        let (_, p) = published(&s, &t);
        let tasks = s.read(|c| campaigns::tasks(c, p.campaign_id)).unwrap();
        assert_eq!(
            tasks.len(),
            5,
            "{}: four measures and one loose target",
            s.name
        );
        let on = |task: &Task| -> Vec<i64> {
            let mut ids: Vec<i64> = s
                .read(|c| campaigns::assignments_in(c, p.campaign_id, &t.county.path))
                .unwrap()
                .into_iter()
                .filter(|a| a.task_id == task.id)
                .map(|a| a.org_id)
                .collect();
            ids.sort();
            ids
        };
        let soul = task(&tasks, "坚持不懈凝心铸魂");
        assert_eq!(soul.kind, TaskKind::Qualitative, "{}", s.name);
        assert_eq!(soul.category, "坚持凝心铸魂");
        assert_eq!(soul.lead, "各镇（街）党（工）委");
        assert_eq!(soul.due_on.as_deref(), Some("2026-10-31"));
        assert_eq!(
            soul.detail,
            "坚持不懈凝心铸魂。按照上级统一部署开展主题教育。"
        );
        assert_eq!(
            on(soul),
            vec![t.town_a.id, t.town_b.id],
            "{}: fans out to the towns",
            s.name
        );
        assert_eq!(soul.indicators.len(), 1);
        assert_eq!(soul.indicators[0].target.quantity, 1.0);

        let posts = task(&tasks, "巩固领导地位");
        assert_eq!(posts.kind, TaskKind::Quantitative, "{}", s.name);
        assert_eq!(posts.indicators.len(), 1, "the target rides on its measure");
        assert_eq!(posts.indicators[0].label, "党员先锋岗");
        assert_eq!(posts.indicators[0].target.quantity, 60.0);
        assert_eq!(
            on(posts),
            vec![t.dept.id],
            "{}: 县委组织部 is its party branch",
            s.name
        );
        assert_eq!(
            posts.due_on.as_deref(),
            Some("2026-11-30"),
            "the 实施 phase's end"
        );

        let life = task(&tasks, "规范组织生活");
        assert_eq!(life.kind, TaskKind::Computed, "{}", s.name);
        assert!(life.indicators[0].measure.computed());
        assert_eq!(on(life), vec![t.town_a.id, t.town_b.id]);

        let centre = task(&tasks, "建好村党群服务中心");
        assert_eq!(centre.kind, TaskKind::Qualitative);
        assert_eq!(centre.due_on.as_deref(), Some("2026-09-30"));
        assert_eq!(on(centre), vec![t.branch.id]);

        // A target outside every measure is still a task, in its section.
        let loose = task(&tasks, "发展青年党员10名");
        assert_eq!(loose.kind, TaskKind::Quantitative);
        assert_eq!(loose.category, "做发展先锋");
        assert_eq!(
            on(loose),
            vec![t.county.id],
            "{}: nothing named, the county carries it",
            s.name
        );

        // What publishing returns lists what it made.
        assert_eq!(p.added.len(), 5);
        let made = p.added.iter().find(|x| x.title == "巩固领导地位").unwrap();
        assert_eq!(made.kind, "定量");
        assert_eq!(made.indicator.as_deref(), Some("党员先锋岗"));
        assert_eq!(made.assignees, vec!["县委组织部机关党支部".to_string()]);
        let soul_made = p.added.iter().find(|x| x.kind == "定性").unwrap();
        assert_eq!(soul_made.indicator, None);
        assert!(p.removed.is_empty());
    }
}

#[test]
fn a_qualitative_task_is_done_when_the_level_above_accepts_its_report_and_rolls_up() {
    for s in backends() {
        let t = tree(&s);
        let (_, p) = published(&s, &t);
        let tasks = s.read(|c| campaigns::tasks(c, p.campaign_id)).unwrap();
        let centre = task(&tasks, "建好村党群服务中心").clone();
        let ind = centre.indicators[0].id;
        let a = assignment_of(&s, p.campaign_id, centre.id, &t.branch);
        let secretary = actor(&t.branch, Role::BranchSecretary);
        let town = actor(&t.town_a, Role::TownAdmin);
        let done_at_county = || {
            s.read(|c| rollup::get(c, t.county.id, &campaigns::done_metric(ind), ""))
                .unwrap()
                .1
        };
        assert_eq!(done_at_county(), 0);

        s.write(|c| completion::report_done(c, &secretary, &a, &done_input(), &photo()))
            .unwrap();
        let a = assignment_of(&s, p.campaign_id, centre.id, &t.branch);
        assert_eq!(a.review, Some(Review::Pending), "{}", s.name);
        assert_eq!(done_at_county(), 0, "{}: reported is not yet done", s.name);
        let waiting = s
            .read(|c| completion::awaiting(c, &town, p.campaign_id))
            .unwrap();
        assert_eq!(waiting.iter().map(|w| w.id).collect::<Vec<_>>(), vec![a.id]);

        // Returned with a reason, reported again, then accepted.
        s.write(|c| completion::decide(c, &town, &a, false, "照片看不清门牌"))
            .unwrap();
        let a = assignment_of(&s, p.campaign_id, centre.id, &t.branch);
        assert_eq!(a.review, Some(Review::Returned));
        assert_eq!(a.review_reason, "照片看不清门牌");
        s.write(|c| completion::report_done(c, &secretary, &a, &done_input(), &photo()))
            .unwrap();
        let a = assignment_of(&s, p.campaign_id, centre.id, &t.branch);
        s.write(|c| completion::decide(c, &town, &a, true, ""))
            .unwrap();
        let a = assignment_of(&s, p.campaign_id, centre.id, &t.branch);
        assert_eq!(a.review, Some(Review::Accepted), "{}", s.name);
        assert_eq!(done_at_county(), 1, "{}: the roll-up counts it", s.name);
        let history = s.read(|c| campaigns::history(c, a.id)).unwrap();
        assert_eq!(history.len(), 2, "both reports are kept");
        assert_eq!(history[0].files.len(), 1, "with their evidence");

        // The campaign's figures move: its category and the town's ranking.
        let county_view = s
            .read(|c| {
                let tasks = campaigns::tasks(c, p.campaign_id)?;
                campaigns::categories(c, &tasks, &t.county)
            })
            .unwrap();
        let cat = county_view
            .iter()
            .find(|x| x.label == "做发展先锋")
            .unwrap();
        assert_eq!((cat.done, cat.assigned), (1, 2), "{}", s.name);
        let ranking = s
            .read(|c| {
                let tasks = campaigns::tasks(c, p.campaign_id)?;
                campaigns::ranking(c, &tasks, &t.county)
            })
            .unwrap();
        assert_eq!(
            ranking[0].0.id, t.town_a.id,
            "{}: the town with an accepted task leads",
            s.name
        );
    }
}

#[test]
fn completion_refusals_change_nothing() {
    for s in backends() {
        let t = tree(&s);
        let (_, p) = published(&s, &t);
        let tasks = s.read(|c| campaigns::tasks(c, p.campaign_id)).unwrap();
        let centre = task(&tasks, "建好村党群服务中心").clone();
        let posts = task(&tasks, "巩固领导地位").clone();
        let a = assignment_of(&s, p.campaign_id, centre.id, &t.branch);
        let secretary = actor(&t.branch, Role::BranchSecretary);
        let town_a = actor(&t.town_a, Role::TownAdmin);
        let town_b = actor(&t.town_b, Role::TownAdmin);

        // Reported by someone who is not the assignee (nor above it).
        conflict(
            refuse(&s, |c| {
                completion::report_done(c, &town_b, &a, &done_input(), &photo())
            }),
            "只有东村党支部的党务工作者",
        );
        // Nor by the town above it, which accepts it.
        conflict(
            refuse(&s, |c| {
                completion::report_done(c, &town_a, &a, &done_input(), &photo())
            }),
            "上级负责验收",
        );
        // Without evidence, or without a narrative.
        invalid(
            refuse(&s, |c| {
                completion::report_done(c, &secretary, &a, &done_input(), &[])
            }),
            "佐证材料",
        );
        invalid(
            refuse(&s, |c| {
                completion::report_done(c, &secretary, &a, &CompletionInput::default(), &photo())
            }),
            "完成情况",
        );
        // A 定量 task is not done by acceptance.
        let dept_a = assignment_of(&s, p.campaign_id, posts.id, &t.dept);
        conflict(
            refuse(&s, |c| {
                completion::report_done(
                    c,
                    &actor(&t.dept, Role::BranchSecretary),
                    &dept_a,
                    &done_input(),
                    &photo(),
                )
            }),
            "定性任务",
        );
        // Nothing awaits acceptance yet.
        conflict(
            refuse(&s, |c| completion::decide(c, &town_a, &a, true, "")),
            "没有待验收",
        );

        s.write(|c| completion::report_done(c, &secretary, &a, &done_input(), &photo()))
            .unwrap();
        let a = assignment_of(&s, p.campaign_id, centre.id, &t.branch);
        // Reported twice while it waits.
        conflict(
            refuse(&s, |c| {
                completion::report_done(c, &secretary, &a, &done_input(), &photo())
            }),
            "不能重复报送",
        );
        // Accepted by someone out of scope, or by the assignee itself.
        conflict(
            refuse(&s, |c| completion::decide(c, &town_b, &a, true, "")),
            "上级组织",
        );
        conflict(
            refuse(&s, |c| completion::decide(c, &secretary, &a, true, "")),
            "上级组织",
        );
        // Returned without a reason.
        invalid(
            refuse(&s, |c| completion::decide(c, &town_a, &a, false, "  ")),
            "退回理由",
        );
        // The ordinary report form cannot set a 定性 task's figure.
        conflict(
            refuse(&s, |c| {
                campaigns::report(
                    c,
                    &secretary,
                    &a,
                    &centre.indicators[0],
                    &xianfeng_domain::campaign::ReportDraft {
                        quantity: 1.0,
                        narrative: "已完成".into(),
                    },
                    &[],
                )
            }),
            "定性任务",
        );

        s.write(|c| completion::decide(c, &town_a, &a, true, ""))
            .unwrap();
        let a = assignment_of(&s, p.campaign_id, centre.id, &t.branch);
        // Accepted twice, returned after acceptance, reported after acceptance.
        conflict(
            refuse(&s, |c| completion::decide(c, &town_a, &a, true, "")),
            "没有待验收",
        );
        conflict(
            refuse(&s, |c| completion::decide(c, &town_a, &a, false, "再看看")),
            "没有待验收",
        );
        conflict(
            refuse(&s, |c| {
                completion::report_done(c, &secretary, &a, &done_input(), &photo())
            }),
            "不能重复报送",
        );
    }
}

#[test]
fn two_decisions_on_one_report_at_once_apply_once() {
    for s in backends() {
        let t = tree(&s);
        let (_, p) = published(&s, &t);
        let tasks = s.read(|c| campaigns::tasks(c, p.campaign_id)).unwrap();
        let centre = task(&tasks, "建好村党群服务中心").clone();
        let a = assignment_of(&s, p.campaign_id, centre.id, &t.branch);
        let secretary = actor(&t.branch, Role::BranchSecretary);
        s.write(|c| completion::report_done(c, &secretary, &a, &done_input(), &photo()))
            .unwrap();
        let a = assignment_of(&s, p.campaign_id, centre.id, &t.branch);
        let town = actor(&t.town_a, Role::TownAdmin);
        let county = admin(&t.county);
        let results: Vec<bool> = std::thread::scope(|scope| {
            let handles: Vec<_> = [
                (&town, true),
                (&county, false),
                (&town, true),
                (&county, true),
            ]
            .into_iter()
            .map(|(who, accept)| {
                let (s, a): (&xianfeng_store::Store, _) = (&s, &a);
                scope.spawn(move || {
                    s.write(|c| completion::decide(c, who, a, accept, "不符合要求"))
                        .is_ok()
                })
            })
            .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(results.iter().filter(|ok| **ok).count(), 1, "{}", s.name);
        let decisions = s
            .read(|c| {
                c.scalar(
                    "SELECT COUNT(*) FROM audit_log WHERE action IN ('campaign.accept', 'campaign.return')",
                    &[],
                )
            })
            .unwrap();
        assert_eq!(decisions, 1, "{}", s.name);
    }
}

#[test]
fn publishing_a_published_draft_is_refused_and_updating_adds_new_items_and_lists_removed_ones() {
    for s in backends() {
        let t = tree(&s);
        let (d, p) = published(&s, &t);
        let a = admin(&t.county);
        let d = s.read(|c| drafts::get(c, d.id)).unwrap().unwrap();
        assert_eq!(d.campaign_id, Some(p.campaign_id), "{}", s.name);
        conflict(
            refuse(&s, |c| publish::publish(c, &a, &t.county, &d, 2026)),
            "已发布",
        );

        // The reviewer drops one measure and adds another, then updates the campaign.
        let mut plan = plan();
        let measures = plan["measures"].as_array_mut().unwrap();
        measures.retain(|m| m["path"] != json!(["三", "1"]));
        measures.push(json!({"text": "开展一次党史学习。", "path": ["三", "2"],
            "units": ["甲镇党委"], "deadline": null}));
        s.write(|c| drafts::update(c, &a, &d, &plan, &json!({}), "改措施"))
            .unwrap();
        let d = s.read(|c| drafts::get(c, d.id)).unwrap().unwrap();
        let u = s.write(|c| publish::update(c, &a, &d)).unwrap();
        assert_eq!(u.campaign_id, p.campaign_id);
        assert_eq!(
            u.added.iter().map(|x| x.title.as_str()).collect::<Vec<_>>(),
            vec!["开展一次党史学习"],
            "{}",
            s.name
        );
        assert_eq!(u.removed, vec!["建好村党群服务中心".to_string()]);
        let tasks = s.read(|c| campaigns::tasks(c, p.campaign_id)).unwrap();
        assert_eq!(tasks.len(), 6, "{}: removed is kept, not deleted", s.name);
        assert!(task(&tasks, "建好村党群服务中心").removed_on.is_some());
        // Updating again changes nothing more.
        let again = s.write(|c| publish::update(c, &a, &d)).unwrap();
        assert!(
            again.added.is_empty() && again.removed.is_empty(),
            "{}",
            s.name
        );
        let campaigns_of_draft = s
            .read(|c| {
                c.scalar(
                    "SELECT COUNT(*) FROM campaigns WHERE draft_id = ?",
                    xianfeng_store::vals![d.id],
                )
            })
            .unwrap();
        assert_eq!(campaigns_of_draft, 1);
    }
}

#[test]
fn two_concurrent_publishes_of_one_draft_make_one_campaign() {
    for s in backends() {
        let t = tree(&s);
        let d = draft_of(&s, &t, &plan());
        let a = admin(&t.county);
        let results: Vec<bool> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..3)
                .map(|_| {
                    let (s, a, d, county): (&xianfeng_store::Store, _, _, _) =
                        (&s, &a, &d, &t.county);
                    scope
                        .spawn(move || s.write(|c| publish::publish(c, a, county, d, 2026)).is_ok())
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(results.iter().filter(|ok| **ok).count(), 1, "{}", s.name);
        let n = s
            .read(|c| {
                c.scalar(
                    "SELECT COUNT(*) FROM campaigns WHERE draft_id = ?",
                    xianfeng_store::vals![d.id],
                )
            })
            .unwrap();
        assert_eq!(n, 1, "{}", s.name);
    }
}

#[test]
fn a_first_responsible_person_sees_the_assignment_under_my_tasks() {
    for s in backends() {
        let t = tree(&s);
        let (_, p) = published(&s, &t);
        let tasks = s.read(|c| campaigns::tasks(c, p.campaign_id)).unwrap();
        let centre = task(&tasks, "建好村党群服务中心").clone();
        let a = assignment_of(&s, p.campaign_id, centre.id, &t.branch);
        let account = |name: &str, at: &Org| {
            s.write(|c| {
                accounts::create(
                    c,
                    &accounts::NewAccount {
                        username: name,
                        display_name: name,
                        password_hash: "x",
                        role: Role::BranchSecretary,
                        org_id: at.id,
                        member_id: None,
                    },
                )
            })
            .unwrap()
        };
        let mine = account("dongcun", &t.branch);
        let other = account("yizhen", &t.town_b);
        let county = admin(&t.county);
        // Someone outside the assignee, or a town that did not publish, may not be named / name.
        invalid(
            refuse(&s, |c| {
                completion::set_responsible(c, &county, &a, Some(other))
            }),
            "第一责任人",
        );
        conflict(
            refuse(&s, |c| {
                completion::set_responsible(c, &actor(&t.town_a, Role::TownAdmin), &a, Some(mine))
            }),
            "第一责任人",
        );
        s.write(|c| completion::set_responsible(c, &county, &a, Some(mine)))
            .unwrap();
        let list = s.read(|c| completion::mine(c, mine)).unwrap();
        assert_eq!(list.len(), 1, "{}", s.name);
        assert_eq!(list[0].assignment_id, a.id);
        assert_eq!(list[0].task, "建好村党群服务中心");
        assert_eq!(list[0].kind, TaskKind::Qualitative);
        assert_eq!(list[0].due_on.as_deref(), Some("2026-09-30"));
        assert!(s.read(|c| completion::mine(c, other)).unwrap().is_empty());
    }
}

#[test]
fn a_plan_file_published_twice_is_recognised_by_its_bytes_and_makes_nothing_more() {
    for s in backends() {
        let t = tree(&s);
        let a = admin(&t.county);
        let bytes = "关于实施“立行先锋”计划的通知\n二、做政治忠诚先锋".as_bytes();
        let go = |name: &str| {
            s.write(|c| {
                publish::publish_file(
                    c,
                    &a,
                    &t.county,
                    name,
                    bytes,
                    "立行先锋计划",
                    "",
                    &plan(),
                    2026,
                )
            })
            .unwrap()
        };
        let first = go("立行先锋.txt");
        assert!(!first.already_published, "{}", s.name);
        assert_eq!(first.tasks.len(), 5);
        assert_eq!(first.campaign.org, "测试县委");
        assert_eq!(first.ignored.len(), 1);
        assert_eq!(first.ignored[0].why, "处罚条款");
        let audit_before = s
            .read(|c| c.scalar("SELECT COUNT(*) FROM audit_log", &[]))
            .unwrap();
        let again = go("另存的副本.txt");
        assert!(again.already_published, "{}", s.name);
        assert_eq!(again.campaign, first.campaign);
        assert_eq!(again.tasks, first.tasks);
        let (campaigns, audit_after) = s
            .read(|c| -> xianfeng_store::Result<_> {
                Ok((
                    c.scalar("SELECT COUNT(*) FROM campaigns", &[])?,
                    c.scalar("SELECT COUNT(*) FROM audit_log", &[])?,
                ))
            })
            .unwrap();
        assert_eq!(campaigns, 1, "{}", s.name);
        assert_eq!(audit_after, audit_before, "{}: nothing written", s.name);
    }
}

/// The to-do items of `kind` the actor sees today (what, link); the count agrees with the list.
fn todo_of(
    s: &TestStore,
    who: &xianfeng_domain::auth::Actor,
    kind: xianfeng_domain::todo::Kind,
) -> Vec<(String, String)> {
    let today = xianfeng_domain::date::today();
    let list = s
        .read(|c| xianfeng_store::todo::list(c, who, today, 50))
        .unwrap();
    let count = s
        .read(|c| xianfeng_store::todo::count(c, who, today))
        .unwrap();
    assert_eq!(
        count, list.total,
        "{}: the count is the list's total",
        s.name
    );
    list.items
        .into_iter()
        .filter(|i| i.kind == kind)
        .map(|i| (i.what, i.href))
        .collect()
}

#[test]
fn a_qualitative_task_is_on_the_assignees_todo_until_reported_then_on_the_level_above_until_accepted(
) {
    use xianfeng_domain::todo::Kind;
    for s in backends() {
        let t = tree(&s);
        let (_, p) = published(&s, &t);
        let tasks = s.read(|c| campaigns::tasks(c, p.campaign_id)).unwrap();
        let centre = task(&tasks, "建好村党群服务中心").clone();
        let a = assignment_of(&s, p.campaign_id, centre.id, &t.branch);
        let secretary = actor(&t.branch, Role::BranchSecretary);
        let town = actor(&t.town_a, Role::TownAdmin);
        let other_town = actor(&t.town_b, Role::TownAdmin);
        let county = actor(&t.county, Role::CountyAdmin);
        let link = format!("/assignments/{}", a.id);

        let due = todo_of(&s, &secretary, Kind::TaskReport);
        assert!(
            due.iter()
                .any(|(what, href)| *href == link && what.contains("建好村党群服务中心")),
            "{}: {due:?}",
            s.name
        );
        assert!(todo_of(&s, &town, Kind::TaskAccept).is_empty());

        s.write(|c| completion::report_done(c, &secretary, &a, &done_input(), &photo()))
            .unwrap();
        assert!(
            !todo_of(&s, &secretary, Kind::TaskReport)
                .iter()
                .any(|(_, href)| *href == link),
            "{}: reported, it leaves the branch's list",
            s.name
        );
        let waiting = todo_of(&s, &town, Kind::TaskAccept);
        assert_eq!(
            waiting.iter().map(|(_, h)| h.as_str()).collect::<Vec<_>>(),
            vec![link.as_str()],
            "{}: the town right above accepts it",
            s.name
        );
        assert!(todo_of(&s, &other_town, Kind::TaskAccept).is_empty());
        assert!(
            todo_of(&s, &county, Kind::TaskAccept).is_empty(),
            "{}: the county is not asked for a branch's report",
            s.name
        );

        // Returned: back on the branch's list with the reason; accepted: gone everywhere.
        let a = assignment_of(&s, p.campaign_id, centre.id, &t.branch);
        s.write(|c| completion::decide(c, &town, &a, false, "照片看不清门牌"))
            .unwrap();
        let again = todo_of(&s, &secretary, Kind::TaskReport);
        assert!(
            again
                .iter()
                .any(|(what, href)| *href == link && what.contains("照片看不清门牌")),
            "{}: {again:?}",
            s.name
        );
        assert!(todo_of(&s, &town, Kind::TaskAccept).is_empty());
        let a = assignment_of(&s, p.campaign_id, centre.id, &t.branch);
        s.write(|c| completion::report_done(c, &secretary, &a, &done_input(), &photo()))
            .unwrap();
        let a = assignment_of(&s, p.campaign_id, centre.id, &t.branch);
        s.write(|c| completion::decide(c, &town, &a, true, ""))
            .unwrap();
        assert!(todo_of(&s, &town, Kind::TaskAccept).is_empty());
        assert!(!todo_of(&s, &secretary, Kind::TaskReport)
            .iter()
            .any(|(_, href)| *href == link));
    }
}

#[test]
fn a_campaign_cadence_is_on_the_todo_of_those_it_binds_until_met() {
    use xianfeng_domain::todo::Kind;
    for s in backends() {
        let t = tree(&s);
        let mut plan = plan();
        plan["cadences"] = json!([
            {"text": "一月一报告", "period": "month", "times": 1, "comparator": ">=",
             "action": "报告", "path": []},
            {"text": "月通报", "period": "month", "times": 1, "comparator": ">=",
             "action": "通报", "path": []}
        ]);
        let d = draft_of(&s, &t, &plan);
        let a = admin(&t.county);
        let p = s
            .write(|c| publish::publish(c, &a, &t.county, &d, 2026))
            .unwrap();
        // Bound since long ago, so this month counts whatever day the test runs on.
        s.write(|c| {
            c.execute("UPDATE orgs SET created_at = '2020-01-01T00:00:00Z'", &[])?;
            c.execute("UPDATE campaign_cadences SET since = '2020-01-01'", &[])
        })
        .unwrap();
        let secretary = actor(&t.branch, Role::BranchSecretary);
        let county = actor(&t.county, Role::CountyAdmin);
        let other_town = actor(&t.town_b, Role::TownAdmin);
        let link = format!("/campaigns/{}", p.campaign_id);

        let branch_items = todo_of(&s, &secretary, Kind::CampaignCadence);
        assert!(
            branch_items
                .iter()
                .any(|(what, href)| *href == link && what.contains("报告")),
            "{}: the branch is an assignee, bound to report: {branch_items:?}",
            s.name
        );
        assert!(
            !branch_items.iter().any(|(what, _)| what.contains("通报")),
            "{}: bulletins bind the campaign's organisation only",
            s.name
        );
        let county_items = todo_of(&s, &county, Kind::CampaignCadence);
        assert!(
            county_items
                .iter()
                .any(|(what, href)| *href == link && what.contains("通报")),
            "{}: {county_items:?}",
            s.name
        );
        // Issuing this month's bulletin meets the rule: the line leaves the county's list.
        let today = xianfeng_domain::date::today();
        let month = xianfeng_domain::cadence::Period::containing(
            xianfeng_domain::cadence::Frequency::Monthly,
            today,
        );
        s.write(|c| campaigns::bulletin::issue(c, &county, &t.county, month, today))
            .unwrap();
        assert!(
            !todo_of(&s, &county, Kind::CampaignCadence)
                .iter()
                .any(|(what, _)| what.contains("通报")),
            "{}: met, it leaves",
            s.name
        );
        let town_items = todo_of(&s, &other_town, Kind::CampaignCadence);
        assert!(
            town_items.iter().any(|(what, _)| what.contains("报告"))
                && !town_items.iter().any(|(what, _)| what.contains("通报")),
            "{}: 各镇 are assignees, bound to report and not to issue bulletins: {town_items:?}",
            s.name
        );
    }
}
