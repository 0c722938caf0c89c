//! Campaigns through the web: a county publishes a reviewed plan; a town reports progress with
//! evidence and the county's campaign page shows it; implausible figures, wrong evidence and
//! reports on a closed campaign are refused and write nothing; nobody reaches another town's
//! tasks.

mod common;

use axum::http::StatusCode;
use common::{app, fixture, login, run, sync, Fixture};
use xianfeng_domain::auth::{Actor, Role};
use xianfeng_store::testing::{backends, TestStore};
use xianfeng_store::{campaigns, plans::drafts};

fn draft(s: &TestStore, f: &Fixture) -> i64 {
    let text = "关于开展“红旗先锋”创建活动的实施方案\n二、主要任务\n（一）建强支部堡垒。每个村级党支部建立党员先锋岗3个以上。〔县委组织部、各镇党委〕\n三、实施步骤\n（一）组织实施阶段（6月下旬至12月底）。全面推进。\n";
    let plan = serde_json::to_value(xianfeng_plan::parse_text(text)).unwrap();
    let actor = Actor {
        account_id: 1,
        username: "county_admin".into(),
        display_name: "县委组织部".into(),
        role: Role::CountyAdmin,
        scope_org_id: f.county.id,
        scope_path: f.county.path.clone(),
        member_id: None,
    };
    s.write(|c| {
        drafts::create(
            c,
            &actor,
            &f.county,
            "方案.txt",
            "红旗先锋创建活动",
            text,
            &plan,
        )
    })
    .unwrap()
}

fn reports(s: &TestStore) -> i64 {
    sync(|| {
        s.read(|c| c.scalar("SELECT COUNT(*) FROM progress_reports", &[]))
            .unwrap()
    })
}

#[test]
fn town_reports_progress_with_evidence_and_the_county_sees_it() {
    for s in backends() {
        let f = fixture(&s);
        let d = draft(&s, &f);
        let app = app(&s);
        let campaign = run(async {
            let county = login(&app, "county_admin").await;
            let r = county
                .post_form(&app, &format!("/plans/{d}/publish"), &[])
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let campaign: i64 = r.location.rsplit('/').next().unwrap().parse().unwrap();
            let page = county.get(&app, &r.location).await;
            assert!(
                page.body.contains("建强支部堡垒") && page.body.contains("3个以上"),
                "{}",
                s.name
            );
            assert!(page.body.contains("甲镇党委") && page.body.contains("乙镇党委"));
            campaign
        });
        let list = sync(|| {
            s.read(|c| campaigns::assignments_in(c, campaign, &f.county.path))
                .unwrap()
        });
        let mine = list.iter().find(|a| a.org_id == f.town_a.id).unwrap().id;
        let theirs = list.iter().find(|a| a.org_id == f.town_b.id).unwrap().id;
        run(async {
            let town = login(&app, "town_admin").await;
            let uri = format!("/assignments/{mine}/reports");
            let bad = town
                .post_multipart(
                    &app,
                    &uri,
                    &[("quantity", "500"), ("narrative", "建成先锋岗")],
                    None,
                )
                .await;
            assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            assert!(bad.body.contains("超出合理范围"), "{}", s.name);
            let exe = town
                .post_multipart(
                    &app,
                    &uri,
                    &[("quantity", "2"), ("narrative", "建成先锋岗")],
                    Some(("evidence", "a.exe", b"MZ\x90\x00")),
                )
                .await;
            assert_eq!(exe.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            assert!(exe.body.contains("只能上传图片"), "{}", s.name);
            let ok = town
                .post_multipart(
                    &app,
                    &uri,
                    &[("quantity", "3"), ("narrative", "东村、西村各建成先锋岗")],
                    Some(("evidence", "现场.png", b"\x89PNG\r\n\x1a\n\0\0")),
                )
                .await;
            assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
            assert!(
                ok.body.contains("进展已报送") && ok.body.contains("现场.png"),
                "{}",
                s.name
            );
            assert_eq!(
                town.get(&app, &format!("/assignments/{theirs}"))
                    .await
                    .status,
                StatusCode::NOT_FOUND
            );
            let sec = login(&app, "branch_secretary").await;
            assert_eq!(
                sec.get(&app, &format!("/assignments/{mine}")).await.status,
                StatusCode::NOT_FOUND
            );
            let county = login(&app, "county_admin").await;
            let page = county.get(&app, &format!("/campaigns/{campaign}")).await;
            let ranking = page.body.split("id=\"ranking\"").nth(1).unwrap();
            let first = ranking.find("甲镇党委").unwrap();
            assert!(
                first < ranking.find("乙镇党委").unwrap(),
                "{}: town A ranks first",
                s.name
            );
            let standings = page.body.split("id=\"standings\"").nth(1).unwrap();
            assert!(
                standings.contains("已完成") && standings.contains("未开始"),
                "{}",
                s.name
            );
            let r = county
                .post_form(&app, &format!("/campaigns/{campaign}/close"), &[])
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER);
            let late = town
                .post_multipart(
                    &app,
                    &uri,
                    &[("quantity", "4"), ("narrative", "又建一个")],
                    None,
                )
                .await;
            assert_eq!(late.status, StatusCode::CONFLICT, "{}", s.name);
            assert!(late.body.contains("活动已结束"));
        });
        assert_eq!(reports(&s), 1, "{}", s.name);
    }
}

#[test]
fn the_county_copies_a_campaign_for_next_year_and_a_town_cannot() {
    for s in backends() {
        let f = fixture(&s);
        let d = draft(&s, &f);
        let app = app(&s);
        run(async {
            let county = login(&app, "county_admin").await;
            let r = county
                .post_form(&app, &format!("/plans/{d}/publish"), &[])
                .await;
            let campaign: i64 = r.location.rsplit('/').next().unwrap().parse().unwrap();
            let town = login(&app, "town_admin").await;
            let denied = town
                .post_form(
                    &app,
                    &format!("/campaigns/{campaign}/copy"),
                    &[("year", "2099")],
                )
                .await;
            assert_eq!(denied.status, StatusCode::FORBIDDEN, "{}", s.name);
            let bad = county
                .post_form(
                    &app,
                    &format!("/campaigns/{campaign}/copy"),
                    &[("year", "1999")],
                )
                .await;
            assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            let year = (xianfeng_store::plans::publish::this_year() + 1).to_string();
            let ok = county
                .post_form(
                    &app,
                    &format!("/campaigns/{campaign}/copy"),
                    &[("year", &year)],
                )
                .await;
            assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
            let page = county.get(&app, &ok.location).await;
            assert!(page.body.contains(&format!("{year}年")), "{}", s.name);
            assert!(page.body.contains("建强支部堡垒"), "{}", s.name);
        });
    }
}
