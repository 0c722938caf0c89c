//! Campaigns on both backends: a plan draft published fans tasks out to the units it names,
//! reports move the roll-ups, a closed campaign refuses reports, reports are append-only.

use xianfeng_domain::campaign::{ReportDraft, TaskStatus};
use xianfeng_domain::date;
use xianfeng_domain::org::Org;
use xianfeng_store::testing::{admin, backends, org, TestStore};
use xianfeng_store::{campaigns, engines::rollup, plans::drafts, plans::publish, StoreError};

struct Tree {
    county: Org,
    town_a: Org,
    town_b: Org,
    branch: Org,
}

fn tree(s: &TestStore) -> Tree {
    s.write(|c| -> xianfeng_store::Result<_> {
        let county = org(c, None, "测试县委", "县委");
        let town_a = org(c, Some(&county), "甲镇党委", "党委");
        let town_b = org(c, Some(&county), "乙镇党委", "党委");
        let branch = org(c, Some(&town_a), "东村党支部", "党支部");
        Ok(Tree {
            county,
            town_a,
            town_b,
            branch,
        })
    })
    .unwrap()
}

/// Whether a task is, or holds an indicator for, what `word` names (a measure's task holds the
/// targets written in it).
fn holds(task: &campaigns::Task, word: &str) -> bool {
    task.title.contains(word)
        || task.detail.contains(word)
        || task.indicators.iter().any(|i| i.label.contains(word))
}

fn published(s: &TestStore, t: &Tree) -> i64 {
    let text = include_str!("../../plan/tests/fixtures/demo_plan.txt");
    let plan = serde_json::to_value(xianfeng_plan::parse_text(text)).unwrap();
    let a = admin(&t.county);
    s.write(|c| {
        let id = drafts::create(
            c,
            &a,
            &t.county,
            "方案.txt",
            "红旗先锋创建活动",
            text,
            &plan,
        )?;
        let d = drafts::get(c, id)?.unwrap();
        publish::publish(c, &a, &t.county, &d, 2026).map(|p| p.campaign_id)
    })
    .unwrap()
}

#[test]
fn publishing_a_draft_fans_tasks_out_to_the_units_named() {
    for s in backends() {
        let t = tree(&s);
        let id = published(&s, &t);
        let tasks = s.read(|c| campaigns::tasks(c, id)).unwrap();
        assert!(tasks.len() >= 3, "{}: {}", s.name, tasks.len());
        let posts = tasks.iter().find(|x| holds(x, "党员先锋岗")).unwrap();
        assert_eq!(posts.indicators[0].target.quantity, 60.0);
        assert_eq!(posts.category, "选树先锋典型", "{}", s.name);
        assert_eq!(posts.due_on.as_deref(), Some("2026-11-30"), "{}", s.name);
        // 县委组织部、县委宣传部 are not organisations of the tree: the county carries it.
        let on_county = s
            .read(|c| campaigns::assignments_in(c, id, &t.county.path))
            .unwrap();
        assert!(on_county
            .iter()
            .any(|a| a.task_id == posts.id && a.org_id == t.county.id));
        // 〔县委组织部、各镇党委〕: one assignment per town.
        let link = tasks.iter().find(|x| holds(x, "联系")).unwrap();
        let towns: Vec<i64> = on_county
            .iter()
            .filter(|a| a.task_id == link.id)
            .map(|a| a.org_id)
            .collect();
        assert!(
            towns.contains(&t.town_a.id) && towns.contains(&t.town_b.id),
            "{}: {towns:?}",
            s.name
        );
        // "60%以上的村级党支部创建镇级先进基层党组织" is computed, and measured in each town
        // that has village branches.
        let share = tasks
            .iter()
            .find(|x| x.title.contains("先进基层党组织"))
            .unwrap();
        assert!(
            matches!(
                share.indicators[0].measure,
                xianfeng_domain::campaign::Measure::OrgShare { .. }
            ),
            "{}",
            s.name
        );
        let mut share_towns: Vec<i64> = on_county
            .iter()
            .filter(|a| a.task_id == share.id)
            .map(|a| a.org_id)
            .collect();
        share_towns.sort();
        // 乙镇 has no village branch to take a share among.
        assert_eq!(share_towns, vec![t.town_a.id], "{}", s.name);
        let ind = link.indicators[0].id;
        assert_eq!(
            s.read(|c| rollup::get(c, t.county.id, &campaigns::assigned_metric(ind), ""))
                .unwrap()
                .1,
            2
        );
    }
}

#[test]
fn reports_move_the_rollups_and_are_append_only() {
    for s in backends() {
        let t = tree(&s);
        let id = published(&s, &t);
        let a = admin(&t.county);
        let tasks = s.read(|c| campaigns::tasks(c, id)).unwrap();
        let link = tasks.iter().find(|x| holds(x, "联系")).unwrap().clone();
        let ind = link.indicators[0].clone();
        let mine = s
            .read(|c| campaigns::assignments_in(c, id, &t.town_a.path))
            .unwrap()
            .into_iter()
            .find(|x| x.task_id == link.id)
            .unwrap();
        let report = |q: f64| {
            s.write(|c| {
                campaigns::report(
                    c,
                    &a,
                    &mine,
                    &ind,
                    &ReportDraft {
                        quantity: q,
                        narrative: "入户走访".into(),
                    },
                    &[],
                )
            })
        };
        report(1.0).unwrap();
        let done = |s: &TestStore| {
            s.read(|c| rollup::get(c, t.county.id, &campaigns::done_metric(ind.id), ""))
                .unwrap()
                .1
        };
        assert_eq!(done(&s), 0, "{}", s.name);
        report(2.5).unwrap();
        assert_eq!(done(&s), 1, "{}", s.name);
        let value = s
            .read(|c| rollup::get(c, t.county.id, &campaigns::value_metric(ind.id), ""))
            .unwrap()
            .1;
        assert_eq!(value, 250, "{}", s.name);
        let list = s
            .read(|c| campaigns::standings(c, id, &tasks, &t.county.path, date::today(), 100))
            .unwrap();
        assert!(
            list.iter()
                .any(|x| x.org_name == "甲镇党委" && x.status == TaskStatus::Done),
            "{}",
            s.name
        );
        let ranking = s
            .read(|c| campaigns::ranking(c, &tasks, &t.county))
            .unwrap();
        assert_eq!(ranking[0].0.id, t.town_a.id, "{}", s.name);
        assert!(s.read(|c| campaigns::history(c, mine.id)).unwrap().len() == 2);
        let tamper = s.write(|c| c.execute("UPDATE progress_reports SET quantity = 99", &[]));
        assert!(tamper.is_err(), "{}: reports must be append-only", s.name);
        let incremental = s.read(campaigns::stored_rollups).unwrap();
        s.write(campaigns::rebuild_rollups).unwrap();
        assert_eq!(
            incremental,
            s.read(campaigns::stored_rollups).unwrap(),
            "{}",
            s.name
        );
        let camp = s.read(|c| campaigns::get(c, id)).unwrap().unwrap();
        s.write(|c| campaigns::close(c, &a, &camp)).unwrap();
        let late = report(3.0).unwrap_err();
        assert!(
            matches!(late, StoreError::Conflict(ref m) if m.contains("已结束")),
            "{}",
            s.name
        );
        assert_eq!(s.read(|c| campaigns::history(c, mine.id)).unwrap().len(), 2);
        let _ = &t.branch;
    }
}

#[test]
fn next_years_campaign_is_copied_without_reports_and_phases_are_editable() {
    for s in backends() {
        let t = tree(&s);
        let id = published(&s, &t);
        let a = admin(&t.county);
        let camp = s.read(|c| campaigns::get(c, id)).unwrap().unwrap();
        let bad = s
            .write(|c| {
                campaigns::set_phases(
                    c,
                    &a,
                    &camp,
                    &[campaigns::Phase {
                        name: "组织实施".into(),
                        starts: "2026-12-01".into(),
                        ends: "2026-06-01".into(),
                    }],
                )
            })
            .unwrap_err();
        assert!(matches!(bad, StoreError::Invalid(ref e) if e.for_field("ends0").is_some()));
        s.write(|c| {
            campaigns::set_phases(
                c,
                &a,
                &camp,
                &[campaigns::Phase {
                    name: "组织实施".into(),
                    starts: "2026-06-15".into(),
                    ends: "2026-11-30".into(),
                }],
            )
        })
        .unwrap();
        assert_eq!(s.read(|c| campaigns::phases(c, id)).unwrap().len(), 1);
        let same_year = s
            .write(|c| campaigns::copy(c, &a, &camp, 2026))
            .unwrap_err();
        assert!(matches!(same_year, StoreError::Invalid(_)), "{}", s.name);
        let next = s.write(|c| campaigns::copy(c, &a, &camp, 2027)).unwrap();
        let old_tasks = s.read(|c| campaigns::tasks(c, id)).unwrap();
        let new_tasks = s.read(|c| campaigns::tasks(c, next)).unwrap();
        assert_eq!(old_tasks.len(), new_tasks.len(), "{}", s.name);
        let posts = new_tasks.iter().find(|x| holds(x, "党员先锋岗")).unwrap();
        assert_eq!(posts.due_on.as_deref(), Some("2027-11-30"), "{}", s.name);
        assert_eq!(
            s.read(|c| campaigns::assignments_in(c, next, &t.county.path))
                .unwrap()
                .len(),
            s.read(|c| campaigns::assignments_in(c, id, &t.county.path))
                .unwrap()
                .len()
        );
        let phases = s.read(|c| campaigns::phases(c, next)).unwrap();
        assert_eq!(phases[0].starts, "2027-06-15");
        let reports = s
            .read(|c| {
                c.scalar(
                    "SELECT COUNT(*) FROM progress_reports r JOIN assignments a ON a.id = r.assignment_id JOIN tasks t ON t.id = a.task_id WHERE t.campaign_id = ?",
                    xianfeng_store::vals![next],
                )
            })
            .unwrap();
        assert_eq!(reports, 0);
    }
}
