//! A published plan's rules through the web: the campaign page shows each cadence rule with its
//! 红黄绿 and the kept quarterly rankings; the campaign's organisation records a ranking once a
//! quarter (a second time is 409, bad input 422, both changing nothing); a monthly bulletin is
//! issued once and counts for the 月通报 rule.

mod common;

use axum::http::StatusCode;
use common::{app, fixture, login, run, sync, Fixture};
use serde_json::json;
use xianfeng_domain::auth::Role;
use xianfeng_domain::campaign::{Comparator, Measure, Target};
use xianfeng_store::campaigns::{self, NewTask};
use xianfeng_store::plans::rules;
use xianfeng_store::testing::{backends, TestStore};

/// A campaign of 甲镇 with one task for 甲村, and the rules of a plan applied to it.
pub fn campaign_with_rules(s: &TestStore, f: &Fixture) -> i64 {
    let ta = xianfeng_domain::auth::Actor {
        role: Role::TownAdmin,
        scope_org_id: f.town_a.id,
        scope_path: f.town_a.path.clone(),
        ..xianfeng_store::testing::admin(&f.town_a)
    };
    let plan = json!({
        "cadences": [
            {"text": "一周一报告", "period": "week", "times": 1, "comparator": "=", "action": "报告", "path": []},
            {"text": "实行月通报季评比", "period": "month", "times": 1, "comparator": "=", "action": "通报", "path": []},
            {"text": "实行月通报季评比", "period": "quarter", "times": 1, "comparator": "=", "action": "评比", "path": []}
        ],
        "criteria": [{"name": "五个好", "items": ["领导班子好", "党员队伍好", "工作机制好", "工作业绩好", "群众反映好"]}],
        "quotas": []
    });
    s.write(|c| {
        let id = campaigns::create(c, &ta, &f.town_a, "甲镇创先争优活动", 2026, None, &[])?;
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
                assignees: vec![f.branch_a.id],
                kind: None,
                plan_key: None,
            },
        )?;
        rules::apply(c, &ta, &f.town_a, id, &plan, 2026)?;
        Ok::<_, xianfeng_store::StoreError>(id)
    })
    .unwrap()
}

fn counts(s: &TestStore) -> (i64, i64, i64) {
    sync(|| {
        s.read(|c| -> xianfeng_store::Result<_> {
            Ok((
                c.scalar("SELECT COUNT(*) FROM campaign_rankings", &[])?,
                c.scalar("SELECT COUNT(*) FROM bulletins", &[])?,
                c.scalar("SELECT COUNT(*) FROM audit_log", &[])?,
            ))
        })
        .unwrap()
    })
}

#[test]
fn the_campaign_page_shows_its_rules_and_keeps_a_ranking_once_a_quarter() {
    for s in backends() {
        let f = fixture(&s);
        let id = campaign_with_rules(&s, &f);
        let app = app(&s);
        run(async {
            let town = login(&app, "town_admin").await;
            let page = town.get(&app, &format!("/campaigns/{id}")).await;
            assert_eq!(page.status, StatusCode::OK, "{}", page.body);
            for text in [
                "频次要求",
                "每周至少1次报告（各责任单位）",
                "每月至少1次通报（活动组织单位）",
                "甲村党支部",
                "季度评比",
                "还没有记录季度评比",
                "五个好",
                "按当前排名记录评比",
            ] {
                assert!(page.body.contains(text), "{}: no “{text}”", s.name);
            }

            let r = town
                .post_form(
                    &app,
                    &format!("/campaigns/{id}/rankings"),
                    &[("quarter", "")],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let page = town.get(&app, &format!("/campaigns/{id}")).await;
            assert!(!page.body.contains("还没有记录季度评比"), "{}", s.name);
            assert!(page.body.contains("季度 <small>"), "{}", s.name);
            let before = counts(&s);
            assert_eq!(before.0, 1);

            // the same quarter again: 409, nothing changed
            let again = town
                .post_form(
                    &app,
                    &format!("/campaigns/{id}/rankings"),
                    &[("quarter", "")],
                )
                .await;
            assert_eq!(again.status, StatusCode::CONFLICT, "{}", s.name);
            assert!(again.body.contains("不能重复记录"), "{}", again.body);
            // a quarter that is not one: 422 beside the field, nothing changed
            let bad = town
                .post_form(
                    &app,
                    &format!("/campaigns/{id}/rankings"),
                    &[("quarter", "2026-13")],
                )
                .await;
            assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            assert!(bad.body.contains("格式应为 2026-Q4"), "{}", bad.body);
            assert_eq!(counts(&s), before, "{}", s.name);
        });
    }
}

#[test]
fn an_issued_bulletin_counts_once_for_the_monthly_rule() {
    for s in backends() {
        let f = fixture(&s);
        let id = campaign_with_rules(&s, &f);
        let app = app(&s);
        let month = xianfeng_domain::cadence::Period::containing(
            xianfeng_domain::cadence::Frequency::Monthly,
            xianfeng_domain::date::today(),
        )
        .key();
        run(async {
            let town = login(&app, "town_admin").await;
            let page = town
                .get(&app, &format!("/orgs/{}/bulletin", f.town_a.id))
                .await;
            assert!(page.body.contains("通报</button>"), "{}", s.name);
            let r = town
                .post_form(
                    &app,
                    &format!("/orgs/{}/bulletin/issue", f.town_a.id),
                    &[("month", month.as_str())],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let page = town
                .get(&app, &format!("/orgs/{}/bulletin", f.town_a.id))
                .await;
            assert!(page.body.contains("本月通报已于"), "{}", s.name);
            let camp = town.get(&app, &format!("/campaigns/{id}")).await;
            assert!(
                camp.body.contains("1/1"),
                "{}: the 通报 rule is done",
                s.name
            );
            let before = counts(&s);
            let again = town
                .post_form(
                    &app,
                    &format!("/orgs/{}/bulletin/issue", f.town_a.id),
                    &[("month", month.as_str())],
                )
                .await;
            assert_eq!(again.status, StatusCode::CONFLICT, "{}", s.name);
            assert_eq!(counts(&s), before);
        });
    }
}
