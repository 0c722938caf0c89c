//! 待办 through the web: every role's first page, each line a link that resolves, the count in
//! the navigation equal to the list's, a cleared item gone and the count lower; out-of-scope
//! items never listed; the branch's dashboard without what makes no sense for a branch.

mod common;

use axum::http::StatusCode;
use common::{app, fixture, login, run, sync, Fixture};
use xianfeng_domain::points::{Audience, Caps, EarnDraft, RuleDraft};
use xianfeng_store::points::point_claims::{self, By};
use xianfeng_store::testing::{backends, TestStore};
use xianfeng_store::{points, points::point_rules};

/// A claim needing approval by `member`'s branch; returns its id.
fn claim(s: &TestStore, f: &Fixture, member: i64, action: &str) -> i64 {
    sync(|| {
        s.write(|c| -> xianfeng_store::Result<i64> {
            let rule = point_rules::create(
                c,
                None,
                &f.county,
                &RuleDraft {
                    action: action.into(),
                    category: "测试".into(),
                    points: 10,
                    audience: Audience::All,
                    evidence_required: false,
                    approval_required: true,
                    caps: Caps::default(),
                    valid_from: None,
                    valid_to: None,
                    trigger: xianfeng_domain::points::Trigger::Manual,
                },
            )?;
            let account = points::member_account(c, member)?.id;
            let draft = EarnDraft {
                rule_id: rule,
                day: xianfeng_domain::date::today(),
                note: "已完成".into(),
            };
            Ok(point_claims::earn(c, By::Card, account, &draft, None)?.0)
        })
        .unwrap()
    })
}

/// The total the page states (共N项), or 0 when it says there is nothing.
fn total(body: &str) -> i64 {
    body.split("共")
        .nth(1)
        .and_then(|rest| rest.split("项").next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The count beside 待办 in the top menu, or 0 when none is shown.
fn nav_count(body: &str) -> i64 {
    body.split("id=\"todo-count\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// The addresses the to-do lines link to.
fn links(body: &str) -> Vec<String> {
    let Some(list) = body.split("id=\"todo-list\"").nth(1) else {
        return Vec::new();
    };
    let list = list.split("</ul>").next().unwrap_or("");
    list.split("<a href=\"")
        .skip(1)
        .filter_map(|x| x.split('"').next())
        .map(|h| h.replace("&amp;", "&"))
        .collect()
}

#[test]
fn every_role_starts_at_its_to_do_list_whose_links_resolve_and_whose_count_is_in_the_menu() {
    for s in backends() {
        let f = fixture(&s);
        claim(&s, &f, f.member_a, "参加志愿服务");
        let app = app(&s);
        run(async {
            for user in ["county_admin", "town_admin", "branch_secretary", "member"] {
                let c = login(&app, user).await;
                let r = c.get(&app, "/todo").await;
                assert_eq!(r.status, StatusCode::OK, "{} {user}: {}", s.name, r.body);
                assert!(r.body.contains("<h1>待办"), "{user}");
                assert_eq!(nav_count(&r.body), total(&r.body), "{} {user}", s.name);
                assert!(
                    r.body.contains("id=\"bottom-bar\""),
                    "{user}: the phone's bar"
                );
                for href in links(&r.body) {
                    let path = href.split('#').next().unwrap();
                    let mut page = c.get(&app, path).await;
                    if page.status == StatusCode::SEE_OTHER {
                        // 我的积分 opens the member's points card
                        page = c.get(&app, &page.location).await;
                    }
                    assert_eq!(page.status, StatusCode::OK, "{} {user}: {href}", s.name);
                }
                // any other page shows the same count in its menu
                let other = c.get(&app, "/more").await;
                assert_eq!(nav_count(&other.body), total(&r.body), "{} {user}", s.name);
            }
            let me = login(&app, "member").await;
            let r = me.get(&app, "/todo").await;
            assert!(
                r.body.contains("参加志愿服务"),
                "{}: their own claim waits",
                s.name
            );
            assert!(r.body.contains("等待支部审核"));
        });
    }
}

#[test]
fn the_secretary_approves_a_claim_from_the_list_and_it_leaves_it_and_the_count_drops() {
    for s in backends() {
        let f = fixture(&s);
        let id = claim(&s, &f, f.member_a, "调解邻里纠纷");
        let outside = claim(&s, &f, f.member_b, "清理河道垃圾");
        let app = app(&s);
        run(async {
            let sec = login(&app, "branch_secretary").await;
            let before = sec.get(&app, "/todo").await;
            let href = format!("/orgs/{}/points#claim-{id}", f.branch_a.id);
            assert!(before.body.contains(&href), "{}: {}", s.name, before.body);
            assert!(before.body.contains("调解邻里纠纷"));
            assert!(
                !before.body.contains("清理河道垃圾"),
                "{}: another town's claim",
                s.name
            );
            let n = total(&before.body);
            assert!(n >= 1 && nav_count(&before.body) == n);

            let page = sec
                .get(&app, &format!("/orgs/{}/points", f.branch_a.id))
                .await;
            assert!(
                page.body.contains(&format!("id=\"claim-{id}\"")),
                "{}",
                s.name
            );
            let r = sec
                .post_form(
                    &app,
                    &format!("/point-claims/{id}/decide"),
                    &[("decision", "approve")],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}: {}", s.name, r.body);
            let after = sec.get(&app, "/todo").await;
            assert!(!after.body.contains("调解邻里纠纷"), "{}: cleared", s.name);
            assert_eq!(total(&after.body), n - 1, "{}", s.name);
            assert_eq!(nav_count(&after.body), n - 1, "{}", s.name);

            let town = login(&app, "town_admin").await;
            let r = town.get(&app, "/todo").await;
            assert!(
                !r.body.contains("清理河道垃圾"),
                "{}: town B's claim",
                s.name
            );
            let county = login(&app, "county_admin").await;
            let r = county.get(&app, "/todo").await;
            assert!(
                r.body.contains("清理河道垃圾"),
                "{}: the county sees it",
                s.name
            );
            assert!(r.body.contains(&format!("#claim-{outside}")));
        });
    }
}

#[test]
fn the_branch_dashboard_has_no_chart_of_organisations_below_and_a_member_starts_at_todo() {
    for s in backends() {
        let _f = fixture(&s);
        let app = app(&s);
        run(async {
            let sec = login(&app, "branch_secretary").await;
            let r = sec.get(&app, "/").await;
            assert_eq!(r.status, StatusCode::OK);
            assert!(!r.body.contains("下属各组织党员数"), "{}", s.name);
            assert!(!r.body.contains("<span>党支部</span>"), "{}", s.name);
            assert!(!r.body.contains("未完成0"), "{}", s.name);
            let town = login(&app, "town_admin").await;
            let r = town.get(&app, "/").await;
            assert!(
                r.body.contains("下属各组织党员数"),
                "{}: a town keeps it",
                s.name
            );
            let me = login(&app, "member").await;
            let r = me.get(&app, "/").await;
            assert_eq!(r.location, "/todo");
        });
    }
}

#[test]
fn the_check_in_tab_explains_how_to_check_in() {
    let s = xianfeng_store::testing::sqlite();
    let _f = fixture(&s);
    let app = app(&s);
    run(async {
        let me = login(&app, "member").await;
        let r = me.get(&app, "/checkin").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("id=\"checkin-howto\""), "{}", r.body);
        assert!(!r.body.contains("form-error"));
    });
}
