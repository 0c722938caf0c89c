//! A plan's measures as tasks, through the pages, on both backends: publishing shows each
//! task's kind and refuses to duplicate; a branch reports a 定性 task done with a photo, the
//! town returns it (a reason required) or accepts it, and the county's campaign page moves;
//! the 第一责任人 finds the task under 我的任务.

mod common;

use axum::http::StatusCode;
use common::{app, fixture, login, run, sync, Fixture};
use serde_json::json;
use xianfeng_store::campaigns;
use xianfeng_store::plans::drafts;
use xianfeng_store::testing::{admin, backends, TestStore};

const PHOTO: &[u8] = b"\x89PNG\r\n\x1a\n\0\0";

fn draft(s: &TestStore, f: &Fixture) -> i64 {
    let plan = json!({
        "title": "关于实施“立行先锋”计划的通知",
        "sections": [{"number": "一", "title": "做服务群众先锋", "children": []}],
        "targets": [],
        "cadences": [],
        "phases": [],
        "criteria": [],
        "responsible": [],
        "measures": [
            {"text": "建好村党群服务中心。做到有场所、有牌子。", "path": ["一", "1"],
             "units": ["甲村党支部", "乙村党支部"], "deadline": "10月底前"}
        ],
        "quotas": [],
        "ignored": []
    });
    let a = admin(&f.county);
    s.write(|c| drafts::create(c, &a, &f.county, "立行先锋.txt", "立行先锋计划", "", &plan))
        .unwrap()
}

fn campaigns_of(s: &TestStore, draft: i64) -> i64 {
    sync(|| {
        s.read(|c| {
            c.scalar(
                "SELECT COUNT(*) FROM campaigns WHERE draft_id = ?",
                xianfeng_store::vals![draft],
            )
        })
        .unwrap()
    })
}

/// (campaign, assignment of 甲村, assignment of 乙村)
fn published(s: &TestStore, d: i64) -> (i64, i64, i64) {
    sync(|| {
        s.read(|c| -> xianfeng_store::Result<_> {
            let camp = drafts::get(c, d)?.unwrap().campaign_id.unwrap();
            let all = campaigns::assignments_in(c, camp, "/")?;
            let of = |name: &str| all.iter().find(|a| a.org_name == name).unwrap().id;
            Ok((camp, of("甲村党支部"), of("乙村党支部")))
        })
        .unwrap()
    })
}

#[test]
fn a_qualitative_task_is_reported_with_a_photo_accepted_by_the_town_and_moves_the_county_page() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        let d = draft(&s, &f);
        run(async {
            let county = login(&app, "county_admin").await;
            let r = county
                .post_form(&app, &format!("/plans/{d}/publish"), &[])
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}: {}", s.name, r.body);
            let (camp, a, _) = published(&s, d);
            let page = county.get(&app, &format!("/campaigns/{camp}")).await;
            assert!(page.body.contains(r#"data-kind="定性""#), "{}", page.body);
            assert!(page.body.contains("建好村党群服务中心"));

            // Publishing again does not duplicate; the draft shows its campaign.
            let r = county
                .post_form(&app, &format!("/plans/{d}/publish"), &[])
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER);
            assert!(
                r.location.starts_with(&format!("/campaigns/{camp}?ok=")),
                "{}",
                r.location
            );
            assert_eq!(campaigns_of(&s, d), 1, "{}", s.name);
            let list = county.get(&app, "/plans").await;
            assert!(list
                .body
                .contains(&format!(r#"href="/campaigns/{camp}" class="published""#)));
            let review = county.get(&app, &format!("/plans/{d}")).await;
            assert!(review.body.contains("已发布") && review.body.contains(r#"id="update""#));
            let r = county
                .post_form(&app, &format!("/plans/{d}/update"), &[])
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            assert_eq!(campaigns_of(&s, d), 1);

            // The town, which accepts it, may not report it for the branch.
            let town = login(&app, "town_admin").await;
            let page = town.get(&app, &format!("/assignments/{a}")).await;
            assert!(!page.body.contains(r#"id="done-form""#));
            let r = town
                .post_multipart(
                    &app,
                    &format!("/assignments/{a}/done"),
                    &[("narrative", "代为报送")],
                    Some(("evidence", "挂牌.png", PHOTO)),
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", s.name);

            // The branch reports it done: a photo is required.
            let sec = login(&app, "branch_secretary").await;
            let page = sec.get(&app, &format!("/assignments/{a}")).await;
            assert!(page.body.contains(r#"id="done-form""#), "{}", page.body);
            assert!(
                !page.body.contains(r#"id="report-form""#),
                "no figure to type"
            );
            let r = sec
                .post_multipart(
                    &app,
                    &format!("/assignments/{a}/done"),
                    &[("narrative", "已挂牌运行")],
                    None,
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            assert!(r.body.contains("佐证材料"));
            let r = sec
                .post_multipart(
                    &app,
                    &format!("/assignments/{a}/done"),
                    &[("narrative", "党群服务中心已挂牌运行")],
                    Some(("evidence", "挂牌.png", PHOTO)),
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}: {}", s.name, r.body);

            // The town sees it waiting, may not return it without a reason, then accepts it.
            let page = town.get(&app, &format!("/campaigns/{camp}")).await;
            assert!(page.body.contains(r#"id="awaiting""#), "{}", page.body);
            let r = town
                .post_form(
                    &app,
                    &format!("/assignments/{a}/decision"),
                    &[("decision", "return"), ("reason", "")],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(r.body.contains("退回理由"));
            let before = county.get(&app, &format!("/campaigns/{camp}")).await;
            assert!(before.body.contains("0/2"), "{}", before.body);
            let r = town
                .post_form(
                    &app,
                    &format!("/assignments/{a}/decision"),
                    &[("decision", "accept")],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let after = county.get(&app, &format!("/campaigns/{camp}")).await;
            assert!(after.body.contains("1/2"), "{}: {}", s.name, after.body);
            // Accepting twice is refused.
            let r = town
                .post_form(
                    &app,
                    &format!("/assignments/{a}/decision"),
                    &[("decision", "accept")],
                )
                .await;
            assert_eq!(r.status, StatusCode::CONFLICT);
        });
    }
}

#[test]
fn the_first_responsible_person_sees_the_task_under_my_tasks() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        let d = draft(&s, &f);
        run(async {
            let county = login(&app, "county_admin").await;
            county
                .post_form(&app, &format!("/plans/{d}/publish"), &[])
                .await;
            let (_, a, _) = published(&s, d);
            let sec_id = sync(|| {
                s.read(|c| {
                    c.scalar(
                        "SELECT id FROM accounts WHERE username = 'branch_secretary'",
                        &[],
                    )
                })
                .unwrap()
            });
            let page = county.get(&app, &format!("/assignments/{a}")).await;
            assert!(page.body.contains(r#"id="responsible-form""#));
            // Not a number: refused beside the field; an account elsewhere: refused.
            let r = county
                .post_form(
                    &app,
                    &format!("/assignments/{a}/responsible"),
                    &[("responsible", "abc")],
                )
                .await;
            assert!(r.status.is_client_error(), "{}", r.status);
            let r = county
                .post_form(
                    &app,
                    &format!("/assignments/{a}/responsible"),
                    &[("responsible", &sec_id.to_string())],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let sec = login(&app, "branch_secretary").await;
            let home = sec.get(&app, "/").await;
            assert!(
                home.body.contains("我的任务") && home.body.contains("建好村党群服务中心"),
                "{}",
                s.name
            );
            let mine = sec.get(&app, "/tasks/mine").await;
            assert_eq!(mine.status, StatusCode::OK);
            assert!(mine.body.contains(&format!("/assignments/{a}")));
            // The town did not publish the campaign: it may not name one.
            let town = login(&app, "town_admin").await;
            let r = town
                .post_form(
                    &app,
                    &format!("/assignments/{a}/responsible"),
                    &[("responsible", "")],
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN);
        });
    }
}
