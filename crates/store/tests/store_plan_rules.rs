//! A published plan's rules on both backends (计划落地): its cadences become rules of the
//! campaign checked by the cadence engine (reports, inspections, bulletins, rounds and kept
//! rankings move them), its criteria lists become schemes offered to rounds, its quotas award
//! kinds (a percentage counted from the subtree when a nomination is made), and a finished
//! award to an organisation enters the honours register. Applying twice duplicates nothing;
//! refusals change nothing.

mod common;

use serde_json::json;
use xianfeng_domain::auth::{Actor, Role};
use xianfeng_domain::award::AwardKindInput;
use xianfeng_domain::cadence::{Frequency, Period, Status};
use xianfeng_domain::campaign::{Comparator, Measure, ReportDraft, Target};
use xianfeng_domain::date;
use xianfeng_domain::org::Org;
use xianfeng_domain::plan_rules::Occurrence;
use xianfeng_domain::supervision::InspectionDraft;
use xianfeng_domain::workflow::{Action, Stage};
use xianfeng_store::campaigns::{self, bulletin, supervision, NewTask};
use xianfeng_store::plans::rules::{self, PublishedRules, RuleStanding};
use xianfeng_store::recognition::{awards, evaluations};
use xianfeng_store::testing::{add_member, backends, org, TestStore};
use xianfeng_store::{engines::rollup, engines::workflow};

use common::{actor, conflict, invalid, refuse};

struct Tree {
    town: Org,
    other_town: Org,
    east: Org,
    west: Org,
    campaign: i64,
}

fn tree(s: &TestStore) -> Tree {
    let t = s
        .write(|c| -> xianfeng_store::Result<_> {
            let county = org(c, None, "测试县委", "县委");
            let town = org(c, Some(&county), "甲镇党委", "党委");
            let other_town = org(c, Some(&county), "乙镇党委", "党委");
            let east = org(c, Some(&town), "东村党支部", "党支部");
            let west = org(c, Some(&town), "西村党支部", "党支部");
            Ok((town, other_town, east, west))
        })
        .unwrap();
    let (town, other_town, east, west) = t;
    let ta = actor(&town, Role::TownAdmin);
    let campaign = s
        .write(|c| {
            let id = campaigns::create(c, &ta, &town, "创先争优活动", 2026, None, &[])?;
            let camp = campaigns::get(c, id)?.unwrap();
            campaigns::add_task(
                c,
                &camp,
                &NewTask {
                    category: "组织建设".into(),
                    title: "创建党员先锋岗".into(),
                    detail: String::new(),
                    lead: String::new(),
                    due_on: None,
                    indicators: vec![(
                        "党员先锋岗".into(),
                        Target {
                            quantity: 2.0,
                            quantity_max: None,
                            unit: "个".into(),
                            comparator: Comparator::AtLeast,
                        },
                        Measure::Reported,
                    )],
                    assignees: vec![east.id, west.id],
                    kind: None,
                    plan_key: None,
                },
            )?;
            Ok::<_, xianfeng_store::StoreError>(id)
        })
        .unwrap();
    Tree {
        town,
        other_town,
        east,
        west,
        campaign,
    }
}

/// A plan as the reader writes it: the 五个一, 月通报季评比, a duty that is not a rule, 五个好,
/// a fixed and a percentage quota.
fn plan() -> serde_json::Value {
    let cad = |text: &str, period: &str, action: &str| json!({"text": text, "period": period, "times": 1, "comparator": "=", "action": action, "path": ["三"]});
    json!({
        "title": "创先争优活动实施方案",
        "cadences": [
            cad("一周一报告", "week", "报告"),
            cad("一月一督查", "month", "督查"),
            cad("一季一点评", "quarter", "点评"),
            cad("半年一评议", "half_year", "评议"),
            cad("实行月通报季评比", "month", "通报"),
            cad("实行月通报季评比", "quarter", "评比"),
            cad("党务每半年公开一次", "half_year", "党务公开"),
            cad("一周一报告", "week", "报告"),
        ],
        "criteria": [{"name": "五个好", "items": ["领导班子好", "党员队伍好", "工作机制好", "工作业绩好", "群众反映好"]}],
        "quotas": [
            {"text": "培树3个先进党组织", "name": "先进党组织", "subject": "org", "count": 3, "percent": null, "level": null, "path": []},
            {"text": "每年有15%党员争当镇级优秀", "name": "镇级优秀共产党员", "subject": "member", "count": null, "percent": 15, "level": "镇级", "path": []}
        ]
    })
}

fn apply(s: &TestStore, t: &Tree) -> PublishedRules {
    let ta = actor(&t.town, Role::TownAdmin);
    s.write(|c| rules::apply(c, &ta, &t.town, t.campaign, &plan(), 2026))
        .unwrap()
}

fn count(s: &TestStore, sql: &str) -> i64 {
    s.read(|c| c.scalar(sql, &[])).unwrap()
}

fn standing(s: &TestStore, t: &Tree, occ: Occurrence) -> RuleStanding {
    s.read(|c| {
        let camp = campaigns::get(c, t.campaign)?.unwrap();
        rules::compliance(c, &camp, &t.town.path, date::today())
    })
    .unwrap()
    .into_iter()
    .find(|r| r.cadence.occurrence == occ)
    .unwrap_or_else(|| panic!("{}: no {occ:?} rule", s.name))
}

#[test]
fn applying_a_plan_twice_makes_each_rule_scheme_and_award_once() {
    for s in backends() {
        let t = tree(&s);
        let first = apply(&s, &t);
        let cadences: Vec<(&str, &str, &str)> = first
            .cadences
            .iter()
            .map(|c| {
                (
                    c.activity.as_str(),
                    c.frequency.as_str(),
                    c.applies_to.as_str(),
                )
            })
            .collect();
        assert_eq!(
            cadences,
            vec![
                ("报告", "week", "各责任单位"),
                ("督查", "month", "活动组织单位"),
                ("点评", "quarter", "活动组织单位"),
                ("评议", "half_year", "活动组织单位"),
                ("通报", "month", "活动组织单位"),
                ("评比", "quarter", "活动组织单位"),
            ],
            "{}: 党务公开 is not a rule, the repeated 一周一报告 made once",
            s.name
        );
        assert_eq!(first.schemes.len(), 1);
        assert_eq!(first.schemes[0].items.len(), 5);
        assert_eq!(first.awards.len(), 2);
        assert_eq!(first.awards[0].quota, Some(3));
        assert_eq!(first.awards[1].quota_percent, Some(15.0));
        assert_eq!(first.awards[1].level, "乡镇（街道）");
        let tables = |s: &TestStore| {
            (
                count(s, "SELECT COUNT(*) FROM campaign_cadences"),
                count(s, "SELECT COUNT(*) FROM campaign_schemes"),
                count(s, "SELECT COUNT(*) FROM award_kinds"),
                count(s, "SELECT COUNT(*) FROM workflow_definitions"),
            )
        };
        assert_eq!(tables(&s), (6, 1, 2, 2), "{}", s.name);
        let second = apply(&s, &t);
        assert_eq!(second, first, "{}: the same answer again", s.name);
        assert_eq!(tables(&s), (6, 1, 2, 2), "{}: nothing duplicated", s.name);
        assert_eq!(
            count(
                &s,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'campaign.rules'"
            ),
            1,
            "{}: the repeated call wrote nothing, not even to the log",
            s.name
        );
        // the fixed quota is the town's step quota; the percentage is kept for nomination time
        let kinds = s.read(|c| awards::kinds_for(c, &t.town.path)).unwrap();
        let fixed = kinds.iter().find(|k| k.name == "先进党组织").unwrap();
        assert_eq!(fixed.definition.steps.last().unwrap().quota, Some(3));
        let share = kinds.iter().find(|k| k.name == "镇级优秀共产党员").unwrap();
        let pq = s.read(|c| rules::percent_of(c, share.id)).unwrap().unwrap();
        assert_eq!(pq.percent, 15.0);
    }
}

#[test]
fn a_report_counts_for_the_weekly_report_rule_of_its_assignee() {
    for s in backends() {
        let t = tree(&s);
        apply(&s, &t);
        let before = standing(&s, &t, Occurrence::Report);
        assert_eq!((before.bound, before.done), (2, 0), "{}", s.name);
        assert_eq!(before.period.frequency, Frequency::Weekly);
        assert_ne!(before.status, Status::Done);
        let sec = actor(&t.east, Role::BranchSecretary);
        s.write(|c| {
            let a = campaigns::assignments_in(c, t.campaign, &t.east.path)?.remove(0);
            let task = campaigns::tasks(c, t.campaign)?.remove(0);
            let draft = ReportDraft {
                quantity: 1.0,
                narrative: "设立先锋岗一个".into(),
            };
            campaigns::report(c, &sec, &a, &task.indicators[0], &draft, &[])
        })
        .unwrap();
        let after = standing(&s, &t, Occurrence::Report);
        assert_eq!((after.bound, after.done), (2, 1), "{}", s.name);
        let missing: Vec<&str> = after.missing.iter().map(|m| m.0.as_str()).collect();
        assert_eq!(missing, vec!["西村党支部"], "{}", s.name);
        // seen from a branch, the rule binds that branch only
        let from_west = s
            .read(|c| {
                let camp = campaigns::get(c, t.campaign)?.unwrap();
                rules::compliance(c, &camp, &t.west.path, date::today())
            })
            .unwrap();
        let report = from_west
            .iter()
            .find(|r| r.cadence.occurrence == Occurrence::Report)
            .unwrap();
        assert_eq!((report.bound, report.done), (1, 0), "{}", s.name);
        // another campaign's reports are not this campaign's
        let other = s
            .read(|c| {
                xianfeng_store::engines::cadence::direct_count(
                    c,
                    t.east.id,
                    &Occurrence::Report.activity(t.campaign + 1),
                    &after.period,
                )
            })
            .unwrap();
        assert_eq!(other, 0);
    }
}

#[test]
fn a_weekly_rule_counts_by_week_not_by_month() {
    for s in backends() {
        let t = tree(&s);
        apply(&s, &t);
        let activity = Occurrence::Report.activity(t.campaign);
        let last_week = date::today() - chrono::Duration::days(7);
        s.write(|c| xianfeng_store::engines::cadence::record(c, &t.east, &activity, last_week, 1))
            .unwrap();
        let r = standing(&s, &t, Occurrence::Report);
        assert_eq!(
            r.done, 0,
            "{}: last week's report is not this week's",
            s.name
        );
        let this_week = Period::containing(Frequency::Weekly, date::today());
        let count = |p: &Period| {
            s.read(|c| xianfeng_store::engines::cadence::direct_count(c, t.east.id, &activity, p))
                .unwrap()
        };
        assert_eq!(
            (count(&this_week), count(&this_week.prev())),
            (0, 1),
            "{}",
            s.name
        );
        // the rule binds from the day it was published: last week nobody is held to it
        assert_eq!(
            (r.prev_missed, r.prev_status),
            (0, Status::Done),
            "{}",
            s.name
        );
    }
}

#[test]
fn an_inspection_and_an_issued_bulletin_count_for_the_campaign_orgs_rules() {
    for s in backends() {
        let t = tree(&s);
        apply(&s, &t);
        let ta = actor(&t.town, Role::TownAdmin);
        let today = date::today();
        assert_eq!(standing(&s, &t, Occurrence::Supervision).done, 0);
        s.write(|c| {
            supervision::inspect(
                c,
                &ta,
                &t.town,
                &t.east,
                Some(t.campaign),
                &InspectionDraft {
                    held_on: today,
                    inspectors: "镇组织委员".into(),
                    findings: "先锋岗挂牌到位".into(),
                },
                &[],
            )
        })
        .unwrap();
        let sup = standing(&s, &t, Occurrence::Supervision);
        assert_eq!(
            (sup.bound, sup.done, sup.status),
            (1, 1, Status::Done),
            "{}",
            s.name
        );

        assert_eq!(standing(&s, &t, Occurrence::Bulletin).done, 0);
        let month = Period::containing(Frequency::Monthly, today);
        s.write(|c| bulletin::issue(c, &ta, &t.town, month, today))
            .unwrap();
        let b = standing(&s, &t, Occurrence::Bulletin);
        assert_eq!((b.done, b.status), (1, Status::Done), "{}", s.name);
        let issued = s.read(|c| bulletin::issued(c, t.town.id, 10)).unwrap();
        assert_eq!(issued.len(), 1);
        assert!(issued[0].title.contains("甲镇党委"));

        // the same month twice, a month not begun, a branch secretary: refused, nothing changed
        conflict(
            refuse(&s, |c| bulletin::issue(c, &ta, &t.town, month, today)),
            "已经印发",
        );
        invalid(
            refuse(&s, |c| {
                bulletin::issue(c, &ta, &t.town, month.next(), today)
            }),
            "还没有开始",
        );
        let sec = actor(&t.east, Role::BranchSecretary);
        invalid(
            refuse(&s, |c| {
                bulletin::issue(c, &sec, &t.east, month.prev(), today)
            }),
            "管理员",
        );
    }
}

#[test]
fn a_round_and_a_leader_review_count_for_the_review_rules() {
    for s in backends() {
        let t = tree(&s);
        apply(&s, &t);
        let ta = actor(&t.town, Role::TownAdmin);
        add_member(&s, &t.east, 1, "正式党员");
        assert_eq!(standing(&s, &t, Occurrence::Evaluation).done, 0);
        s.write(|c| {
            evaluations::open_round(
                c,
                &ta,
                &t.town,
                &evaluations::RoundInput {
                    name: "2026年度党组织评议".into(),
                    scheme: "五个好".into(),
                    closes_on: (date::today() + chrono::Duration::days(10)).to_string(),
                },
            )
        })
        .unwrap();
        assert_eq!(
            standing(&s, &t, Occurrence::Evaluation).done,
            1,
            "{}",
            s.name
        );

        assert_eq!(standing(&s, &t, Occurrence::Review).done, 0);
        s.write(|c| {
            xianfeng_store::recognition::leader_reviews::add(
                c,
                &ta,
                &t.west,
                "王书记",
                &date::today().to_string(),
                "先锋岗建设有进展，群众评价好。",
            )
        })
        .unwrap();
        assert_eq!(
            standing(&s, &t, Occurrence::Review).done,
            1,
            "{}: a review in the campaign's subtree counts",
            s.name
        );
    }
}

#[test]
fn criteria_become_a_scheme_offered_to_rounds_inside_the_campaign_only() {
    for s in backends() {
        let t = tree(&s);
        apply(&s, &t);
        let names = |at: &Org| -> Vec<String> {
            s.read(|c| evaluations::schemes_at(c, &at.path))
                .unwrap()
                .into_iter()
                .map(|x| x.name)
                .collect()
        };
        assert!(names(&t.town).contains(&"五个好".to_string()), "{}", s.name);
        assert!(names(&t.east).contains(&"五个好".to_string()));
        assert!(!names(&t.other_town).contains(&"五个好".to_string()));
        let scheme = s.read(|c| rules::schemes(c, t.campaign)).unwrap().remove(0);
        assert_eq!(scheme.criteria[4].name, "群众反映好");
        assert_eq!(
            scheme.subject,
            xianfeng_domain::evaluation::SubjectKind::Org
        );
        // another town cannot open a round on it
        let other = actor(&t.other_town, Role::TownAdmin);
        invalid(
            refuse(&s, |c| {
                evaluations::open_round(
                    c,
                    &other,
                    &t.other_town,
                    &evaluations::RoundInput {
                        name: "评议".into(),
                        scheme: "五个好".into(),
                        closes_on: (date::today() + chrono::Duration::days(10)).to_string(),
                    },
                )
            }),
            "评议方案",
        );
    }
}

#[test]
fn a_kept_ranking_stays_as_recorded_and_counts_once_per_quarter() {
    for s in backends() {
        let t = tree(&s);
        apply(&s, &t);
        let ta = actor(&t.town, Role::TownAdmin);
        let today = date::today();
        let quarter = Period::containing(Frequency::Quarterly, today);
        let camp = s.read(|c| campaigns::get(c, t.campaign)).unwrap().unwrap();
        let report = |org: &Org, q: f64| {
            let sec = actor(org, Role::BranchSecretary);
            s.write(|c| {
                let a = campaigns::assignments_in(c, t.campaign, &org.path)?.remove(0);
                let task = campaigns::tasks(c, t.campaign)?.remove(0);
                let draft = ReportDraft {
                    quantity: q,
                    narrative: "报送进展".into(),
                };
                campaigns::report(c, &sec, &a, &task.indicators[0], &draft, &[])
            })
            .unwrap();
        };
        report(&t.west, 2.0);
        assert_eq!(standing(&s, &t, Occurrence::Ranking).done, 0);
        s.write(|c| rules::record_ranking(c, &ta, &camp, quarter, today))
            .unwrap();
        let kept = s.read(|c| rules::rankings(c, t.campaign)).unwrap();
        let lines = kept[0].lines.clone();
        assert_eq!(kept[0].quarter, quarter);
        let line = |l: &rules::RankLine| (l.position, l.org_name.clone(), l.done, l.assigned);
        assert_eq!(
            line(&lines[0]),
            (1, "西村党支部".to_string(), 1, 1),
            "{}",
            s.name
        );
        assert_eq!(line(&lines[1]), (2, "东村党支部".to_string(), 0, 1));
        assert_eq!(lines[0].pct(), 100);
        assert_eq!(standing(&s, &t, Occurrence::Ranking).done, 1, "{}", s.name);

        // progress moves afterwards: the page's ranking changes, the kept one does not
        report(&t.east, 5.0);
        report(&t.west, 0.0);
        let live = s
            .read(|c| {
                let tasks = campaigns::tasks(c, t.campaign)?;
                campaigns::ranking(c, &tasks, &t.town)
            })
            .unwrap();
        assert_eq!(live[0].0.name, "东村党支部");
        let again = s.read(|c| rules::rankings(c, t.campaign)).unwrap();
        assert_eq!(again.len(), 1);
        assert_eq!(again[0].lines, lines, "{}: kept as recorded", s.name);

        // twice for a quarter, a quarter not begun, a branch secretary, another town: refused
        conflict(
            refuse(&s, |c| rules::record_ranking(c, &ta, &camp, quarter, today)),
            "已经记录",
        );
        invalid(
            refuse(&s, |c| {
                rules::record_ranking(c, &ta, &camp, quarter.next(), today)
            }),
            "还没有开始",
        );
        let sec = actor(&t.east, Role::BranchSecretary);
        invalid(
            refuse(&s, |c| {
                rules::record_ranking(c, &sec, &camp, quarter.prev(), today)
            }),
            "活动的组织单位",
        );
        let other = actor(&t.other_town, Role::TownAdmin);
        invalid(
            refuse(&s, |c| {
                rules::record_ranking(c, &other, &camp, quarter.prev(), today)
            }),
            "活动的组织单位",
        );
    }
}

#[test]
fn a_percent_quota_is_counted_from_the_towns_members_at_nomination_time() {
    for s in backends() {
        let t = tree(&s);
        apply(&s, &t);
        let kind = s
            .read(|c| awards::kinds_for(c, &t.town.path))
            .unwrap()
            .into_iter()
            .find(|k| k.name == "镇级优秀共产党员")
            .unwrap();
        let members: Vec<i64> = (1..=7)
            .map(|n| add_member(&s, &t.east, n, "正式党员"))
            .collect();
        let sec = actor(&t.east, Role::BranchSecretary);
        let summary = "带领群众发展特色种植，带动20户增收，群众评价高。";
        let nominate = |s: &TestStore, m: i64| {
            s.write(|c| awards::nominate(c, &sec, &kind, &t.east, Some(m), "", summary))
        };
        // 15% of 7 members is 1.05: one place
        let places = s
            .read(|c| rules::places(c, &t.town, kind.subject, 15.0))
            .unwrap();
        assert_eq!(places, 1, "{}", s.name);
        nominate(&s, members[0]).unwrap();
        let e = refuse(&s, |c| {
            awards::nominate(c, &sec, &kind, &t.east, Some(members[1]), "", summary)
        });
        invalid(e, "超出名额");
        // the town grows to 14 members: 2.1 is two places, counted when nominating
        for n in 8..=14 {
            add_member(&s, &t.west, n, "正式党员");
        }
        nominate(&s, members[1]).unwrap();
        assert_eq!(
            s.read(|c| rollup::get(c, t.town.id, rollup::MEMBERS, ""))
                .unwrap()
                .1,
            14
        );
    }
}

#[test]
fn a_county_plans_town_level_percent_is_counted_in_each_town() {
    for s in backends() {
        let t = tree(&s);
        let county = s
            .read(|c| xianfeng_store::people::orgs::require(c, t.town.parent_id.unwrap()))
            .unwrap();
        let far = s
            .write(|c| -> xianfeng_store::Result<_> {
                Ok(org(c, Some(&t.other_town), "南村党支部", "党支部"))
            })
            .unwrap();
        let ca = actor(&county, Role::CountyAdmin);
        let made = s
            .write(|c| {
                let id = campaigns::create(c, &ca, &county, "全县创先争优活动", 2026, None, &[])?;
                rules::apply(c, &ca, &county, id, &plan(), 2026)
            })
            .unwrap();
        assert_eq!(made.awards[1].level, "乡镇（街道）", "{}", s.name);
        let kind = s
            .read(|c| awards::kinds_for(c, &county.path))
            .unwrap()
            .into_iter()
            .find(|k| k.name == "镇级优秀共产党员" && k.org_id == county.id)
            .unwrap();
        let members: Vec<i64> = (1..=7)
            .map(|n| add_member(&s, &t.east, n, "正式党员"))
            .collect();
        for n in 8..=27 {
            add_member(&s, &far, n, "正式党员");
        }
        // the county has 27 members (4 places at 15%), but the quota is each town's: 甲镇 has 7
        let sec = actor(&t.east, Role::BranchSecretary);
        let summary = "带领群众发展特色种植，带动20户增收，群众评价高。";
        s.write(|c| awards::nominate(c, &sec, &kind, &t.east, Some(members[0]), "", summary))
            .unwrap();
        let e = refuse(&s, |c| {
            awards::nominate(c, &sec, &kind, &t.east, Some(members[1]), "", summary)
        });
        invalid(e, "甲镇党委");
    }
}

fn org_kind(name: &str) -> AwardKindInput {
    AwardKindInput {
        name: name.into(),
        subject: "党组织".into(),
        year: "2026".into(),
        branch_quota: String::new(),
        town_quota: "3".into(),
        county_quota: String::new(),
        notice_days: "0".into(),
    }
}

#[test]
fn a_finished_award_to_a_branch_enters_the_honours_register() {
    for s in backends() {
        let t = tree(&s);
        let ta: Actor = actor(&t.town, Role::TownAdmin);
        let sec = actor(&t.east, Role::BranchSecretary);
        let kind_id = s
            .write(|c| awards::create_kind(c, &ta, &t.town, &org_kind("镇级先进党支部")))
            .unwrap();
        let kind = s.read(|c| awards::kind(c, kind_id)).unwrap();
        let summary = "班子团结，先锋岗建设走在全镇前列，群众满意。";
        let id = s
            .write(|c| awards::nominate(c, &sec, &kind, &t.east, None, "", summary))
            .unwrap();
        s.write(|c| workflow::act(c, Some(&sec), "", id, Action::Approve, ""))
            .unwrap();
        assert_eq!(
            count(&s, "SELECT COUNT(*) FROM org_titles"),
            0,
            "{}: not yet final",
            s.name
        );
        let stage = s
            .write(|c| workflow::act(c, Some(&ta), "", id, Action::Approve, ""))
            .unwrap();
        assert_eq!(stage, Stage::Final);
        let titles = s
            .read(|c| campaigns::measures::titles(c, &t.town.path, 10))
            .unwrap();
        assert_eq!(titles.len(), 1, "{}", s.name);
        assert_eq!(
            (titles[0].org_id, titles[0].title.as_str(), titles[0].year),
            (t.east.id, "镇级先进党支部", 2026)
        );
        // "60% of branches hold a 镇级先进 title" reads the honour's counter: 1 of 2
        let held = s
            .read(|c| {
                rollup::get(
                    c,
                    t.town.id,
                    &campaigns::measures::title_metric(
                        "镇级先进党支部",
                        xianfeng_domain::campaign::Among::Branches,
                    ),
                    "",
                )
            })
            .unwrap()
            .1;
        assert_eq!(held, 1, "{}", s.name);
        let _ = &t.west;
    }
}
