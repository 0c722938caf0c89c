//! Every page renders for every role that may see it, in Chinese, with masked personal data.

mod common;

use axum::http::StatusCode;
use common::{app, fixture, login, run};

#[test]
fn every_page_renders_for_the_county_admin() {
    let s = xianfeng_store::testing::sqlite();
    let f = fixture(&s);
    let app = app(&s);
    run(async {
        let c = login(&app, "county_admin").await;
        let pages = [
            "/".to_string(),
            "/warnings".into(),
            format!("/orgs/{}", f.county.id),
            format!("/orgs/{}/tree", f.county.id),
            format!("/orgs/{}/new", f.county.id),
            format!("/orgs/{}/edit", f.town_a.id),
            format!("/orgs/{}/move", f.branch_a.id),
            format!("/orgs/{}/members", f.county.id),
            format!("/orgs/{}/members?q=甲&tag=&page=0", f.county.id),
            format!("/orgs/{}/members/new", f.branch_a.id),
            format!("/members/{}", f.member_a),
            format!("/members/{}/edit", f.member_a),
            format!("/members/{}/transfer", f.member_a),
            "/roster".into(),
            "/settings".into(),
            "/audit".into(),
            "/accounts".into(),
            "/plans".into(),
            "/tasks/mine".into(),
            "/api/v1/me".into(),
            "/api/v1/warnings".into(),
            format!("/orgs/{}/points", f.county.id),
            format!("/orgs/{}/points?period=year", f.branch_a.id),
            format!("/orgs/{}/points/rules", f.county.id),
            format!("/orgs/{}/households?q=王", f.branch_a.id),
            format!("/board/{}?period=quarter", f.county.id),
            format!("/orgs/{}/awards", f.county.id),
            format!("/orgs/{}/awards", f.branch_a.id),
            format!("/orgs/{}/evaluations", f.town_a.id),
            format!("/orgs/{}/commitments", f.branch_a.id),
            format!("/orgs/{}/commitments?year=2025", f.county.id),
            format!("/orgs/{}/stars", f.county.id),
            format!("/members/{}/stars", f.member_a),
            format!("/notice/{}", f.county.id),
            format!("/board/{}/commitments?half=2026H1", f.county.id),
            format!("/orgs/{}/grids", f.county.id),
            format!("/orgs/{}/grids", f.branch_a.id),
            format!("/orgs/{}/posts", f.county.id),
            format!("/orgs/{}/posts", f.branch_a.id),
        ];
        for p in pages {
            let r = c.get(&app, &p).await;
            assert_eq!(r.status, StatusCode::OK, "{p}: {}", r.body);
        }
        let r = c.get(&app, "/roster/template.xlsx").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.bytes.starts_with(b"PK"));
    });
}

#[test]
fn dashboard_shows_counts_warnings_and_an_svg_chart() {
    let s = xianfeng_store::testing::sqlite();
    let _f = fixture(&s);
    let app = app(&s);
    run(async {
        let c = login(&app, "county_admin").await;
        let r = c.get(&app, "/").await;
        assert!(r.body.contains("<svg"), "server-drawn chart");
        assert!(r.body.contains("工作台"));
        // Branches with one or two members are flagged: fewer than three full members.
        assert!(r.body.contains("少于3名"), "{}", r.body);
    });
}

#[test]
fn member_page_masks_the_id_until_an_admin_reveals_it_and_the_viewing_is_audited() {
    let s = xianfeng_store::testing::sqlite();
    let f = fixture(&s);
    let app = app(&s);
    let full = common::member_input(1, "甲党员").id_number;
    run(async {
        let sec = login(&app, "branch_secretary").await;
        let r = sec.get(&app, &format!("/members/{}", f.member_a)).await;
        assert!(
            r.body.contains("4401**********"),
            "masked for the secretary"
        );
        assert!(!r.body.contains(&full));
        assert!(
            !r.body.contains("查看完整证件号"),
            "secretaries cannot reveal"
        );

        let town = login(&app, "town_admin").await;
        let r = town
            .post_form(&app, &format!("/members/{}/reveal", f.member_a), &[])
            .await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains(&full));
        let audited = common::sync(|| {
            s.read(|c| {
                c.scalar(
                    "SELECT COUNT(*) FROM audit_log WHERE action = 'member.reveal'",
                    &[],
                )
            })
            .unwrap()
        });
        assert_eq!(audited, 1);
    });
}

#[test]
fn members_page_lists_the_subtree_and_filters_by_name() {
    let s = xianfeng_store::testing::sqlite();
    let f = fixture(&s);
    let app = app(&s);
    run(async {
        let c = login(&app, "town_admin").await;
        let r = c.get(&app, &format!("/orgs/{}/members", f.town_a.id)).await;
        assert!(
            r.body.contains("甲党员") && r.body.contains("甲党员二") && !r.body.contains("乙党员")
        );
        assert!(r.body.contains("共2名"));
        let r = c
            .get(&app, &format!("/orgs/{}/members?q=%E4%BA%8C", f.town_a.id))
            .await;
        assert!(r.body.contains("甲党员二"));
        assert!(!r.body.contains(">甲党员<"));
    });
}
