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
            "/todo".into(),
            "/more".into(),
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
            format!("/orgs/{}/brands", f.county.id),
            format!("/orgs/{}/brands", f.branch_a.id),
            format!("/orgs/{}/sites", f.county.id),
            format!("/orgs/{}/sites", f.branch_a.id),
            format!("/orgs/{}/funds", f.county.id),
            format!("/orgs/{}/funds?year=2025", f.branch_a.id),
            format!("/orgs/{}/awards", f.branch_a.id),
            format!("/orgs/{}/evaluations", f.town_a.id),
            format!("/orgs/{}/commitments", f.branch_a.id),
            format!("/orgs/{}/commitments?year=2025", f.county.id),
            format!("/orgs/{}/stars", f.county.id),
            format!("/members/{}/stars", f.member_a),
            format!("/notice/{}", f.county.id),
            format!("/orgs/{}/decisions", f.county.id),
            format!("/orgs/{}/decisions", f.branch_a.id),
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

/// A brand's pages (its page, the declaration form, the printable 登记表) and a 示范点's page
/// render for every cadre role that may see them.
#[test]
fn brand_pages_render_for_each_cadre_role() {
    use xianfeng_domain::auth::{Actor, Role};
    let s = xianfeng_store::testing::sqlite();
    let f = fixture(&s);
    let app = app(&s);
    let as_role = |at: &xianfeng_domain::org::Org, role: Role| Actor {
        role,
        ..xianfeng_store::testing::admin(at)
    };
    let id = s
        .write(|c| -> xianfeng_store::Result<_> {
            use xianfeng_store::brands::projects as brands;
            let input = xianfeng_domain::brand::BrandInput {
                name: "红色管家".into(),
                slogan: "小事不出网格".into(),
                category: "基层治理".into(),
                description: "以网格为单元，党员当管家，服务群众零距离。".into(),
                goals: "三年建成全县知名品牌".into(),
                measures: "党员认领网格，每周走访".into(),
                leaders: "张书记".into(),
            };
            let sec = as_role(&f.branch_a, Role::BranchSecretary);
            let id = brands::propose(c, &sec, &f.branch_a, &input)?;
            brands::designate(c, &as_role(&f.town_a, Role::TownAdmin), id)?;
            let d = xianfeng_domain::brand::DeclarationInput {
                effects: "化解矛盾三十余件，群众满意度明显提升".into(),
                satisfaction: "95".into(),
                founded_on: "2024-03-01".into(),
                ..xianfeng_domain::brand::DeclarationInput::from_brand(&input)
            };
            brands::declare(c, &sec, id, &d)?;
            let site = xianfeng_store::brands::sites::designate(
                c,
                &as_role(&f.town_a, Role::TownAdmin),
                &f.branch_a,
                &xianfeng_domain::demo_site::SiteInput {
                    year: chrono::Datelike::year(&xianfeng_domain::date::today()).to_string(),
                    leader: "党委副书记 李明".into(),
                    plan: "红色管家示范点创建方案，按九有标准创建。".into(),
                },
            )?;
            let line = xianfeng_store::brands::funds::create_line(
                c,
                &as_role(&f.town_a, Role::TownAdmin),
                &f.branch_a,
                &xianfeng_domain::funds::BudgetInput {
                    source: "党费返还".into(),
                    year: chrono::Datelike::year(&xianfeng_domain::date::today()).to_string(),
                    title: "红色管家活动经费".into(),
                    amount: "3000".into(),
                },
            )?;
            Ok((id, site, line))
        })
        .unwrap();
    let (id, site, line) = id;
    run(async {
        for user in ["county_admin", "town_admin", "branch_secretary"] {
            let c = login(&app, user).await;
            for url in [
                format!("/brands/{id}"),
                format!("/brands/{id}/declare"),
                format!("/brands/{id}/form"),
                format!("/orgs/{}/brands", f.branch_a.id),
                format!("/sites/{site}"),
                format!("/orgs/{}/sites", f.branch_a.id),
                format!("/budget-lines/{line}"),
                format!("/orgs/{}/funds", f.branch_a.id),
            ] {
                let r = c.get(&app, &url).await;
                assert_eq!(r.status, StatusCode::OK, "{user} {url}: {}", r.body);
                assert!(
                    r.body.contains("红色管家") || r.body.contains("甲村党支部"),
                    "{user} {url}"
                );
            }
        }
    });
}
