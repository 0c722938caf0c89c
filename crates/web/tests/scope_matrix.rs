//! Nobody reads or writes outside their subtree: every role against pages and API, inside and
//! outside scope, on SQLite and PostgreSQL. Outside scope is 404, never a hint of existence.

mod common;

use axum::http::StatusCode;
use common::{app, fixture, login, run, sync};
use xianfeng_store::testing::backends;

#[test]
fn reads_are_confined_to_each_roles_subtree() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        run(async {
            // (user, url, expected)
            let cases: Vec<(&str, String, u16)> = vec![
                // county admin sees everything
                ("county_admin", format!("/orgs/{}", f.county.id), 200),
                ("county_admin", format!("/orgs/{}", f.branch_b.id), 200),
                ("county_admin", format!("/members/{}", f.member_b), 200),
                (
                    "county_admin",
                    format!("/api/v1/members/{}", f.member_b),
                    200,
                ),
                (
                    "county_admin",
                    format!("/orgs/{}/roster.xlsx", f.county.id),
                    200,
                ),
                // town admin: its town only
                ("town_admin", format!("/orgs/{}", f.town_a.id), 200),
                ("town_admin", format!("/orgs/{}/tree", f.town_a.id), 200),
                ("town_admin", format!("/orgs/{}/members", f.town_a.id), 200),
                ("town_admin", format!("/members/{}", f.member_a), 200),
                ("town_admin", format!("/api/v1/orgs/{}", f.branch_a.id), 200),
                (
                    "town_admin",
                    format!("/api/v1/orgs/{}/members", f.town_a.id),
                    200,
                ),
                ("town_admin", format!("/orgs/{}", f.county.id), 404),
                ("town_admin", format!("/orgs/{}", f.town_b.id), 404),
                (
                    "town_admin",
                    format!("/orgs/{}/members", f.branch_b.id),
                    404,
                ),
                ("town_admin", format!("/orgs/{}/tree", f.town_b.id), 404),
                (
                    "town_admin",
                    format!("/orgs/{}/roster.xlsx", f.town_b.id),
                    404,
                ),
                ("town_admin", format!("/members/{}", f.member_b), 404),
                ("town_admin", format!("/api/v1/orgs/{}", f.town_b.id), 404),
                (
                    "town_admin",
                    format!("/api/v1/orgs/{}/children", f.county.id),
                    404,
                ),
                (
                    "town_admin",
                    format!("/api/v1/orgs/{}/members", f.county.id),
                    404,
                ),
                ("town_admin", format!("/api/v1/members/{}", f.member_b), 404),
                ("town_admin", format!("/orgs/{}/points", f.town_a.id), 200),
                ("town_admin", format!("/orgs/{}/points", f.town_b.id), 404),
                ("town_admin", format!("/orgs/{}/grids", f.town_a.id), 200),
                ("town_admin", format!("/orgs/{}/grids", f.town_b.id), 404),
                ("town_admin", format!("/orgs/{}/grids", f.branch_b.id), 404),
                ("town_admin", format!("/orgs/{}/posts", f.town_a.id), 200),
                ("town_admin", format!("/orgs/{}/posts", f.branch_b.id), 404),
                ("town_admin", format!("/orgs/{}/awards", f.town_a.id), 200),
                ("town_admin", format!("/orgs/{}/awards", f.town_b.id), 404),
                ("town_admin", format!("/orgs/{}/brands", f.town_a.id), 200),
                ("town_admin", format!("/orgs/{}/brands", f.town_b.id), 404),
                ("town_admin", format!("/orgs/{}/brands", f.county.id), 404),
                ("town_admin", format!("/orgs/{}/sites", f.town_a.id), 200),
                ("town_admin", format!("/orgs/{}/sites", f.town_b.id), 404),
                ("town_admin", format!("/orgs/{}/funds", f.town_a.id), 200),
                ("town_admin", format!("/orgs/{}/funds", f.town_b.id), 404),
                (
                    "town_admin",
                    format!("/orgs/{}/evaluations", f.town_a.id),
                    200,
                ),
                (
                    "town_admin",
                    format!("/orgs/{}/evaluations", f.town_b.id),
                    404,
                ),
                (
                    "town_admin",
                    format!("/orgs/{}/commitments", f.branch_a.id),
                    200,
                ),
                (
                    "town_admin",
                    format!("/orgs/{}/commitments", f.branch_b.id),
                    404,
                ),
                ("town_admin", format!("/orgs/{}/stars", f.town_a.id), 200),
                ("town_admin", format!("/orgs/{}/stars", f.town_b.id), 404),
                (
                    "town_admin",
                    format!("/orgs/{}/decisions", f.town_a.id),
                    200,
                ),
                (
                    "town_admin",
                    format!("/orgs/{}/decisions", f.town_b.id),
                    404,
                ),
                (
                    "branch_secretary",
                    format!("/orgs/{}/decisions", f.branch_a.id),
                    200,
                ),
                (
                    "branch_secretary",
                    format!("/orgs/{}/decisions", f.branch_b.id),
                    404,
                ),
                ("member", format!("/orgs/{}/decisions", f.branch_a.id), 403),
                ("town_admin", format!("/members/{}/stars", f.member_b), 404),
                (
                    "town_admin",
                    format!("/orgs/{}/points/rules", f.county.id),
                    404,
                ),
                (
                    "town_admin",
                    format!("/orgs/{}/households", f.branch_b.id),
                    404,
                ),
                ("town_admin", "/api/v1/members/999999".to_string(), 404),
                // branch secretary: its branch only
                (
                    "branch_secretary",
                    format!("/orgs/{}/members", f.branch_a.id),
                    200,
                ),
                ("branch_secretary", format!("/members/{}", f.member_a2), 200),
                ("branch_secretary", format!("/orgs/{}", f.town_a.id), 404),
                ("branch_secretary", format!("/members/{}", f.member_b), 404),
                (
                    "branch_secretary",
                    format!("/orgs/{}/points", f.branch_a.id),
                    200,
                ),
                (
                    "branch_secretary",
                    format!("/orgs/{}/households", f.branch_a.id),
                    200,
                ),
                (
                    "branch_secretary",
                    format!("/orgs/{}/points", f.branch_b.id),
                    404,
                ),
                (
                    "branch_secretary",
                    format!("/api/v1/orgs/{}/members", f.town_a.id),
                    404,
                ),
                // member: only itself
                ("member", format!("/members/{}", f.member_a), 200),
                ("member", format!("/api/v1/members/{}", f.member_a), 200),
                ("member", format!("/members/{}", f.member_a2), 404),
                ("member", format!("/api/v1/members/{}", f.member_a2), 404),
                ("member", format!("/orgs/{}/members", f.branch_a.id), 404),
                (
                    "member",
                    format!("/api/v1/orgs/{}/members", f.branch_a.id),
                    404,
                ),
                (
                    "member",
                    format!("/orgs/{}/roster.xlsx", f.branch_a.id),
                    404,
                ),
                ("member", format!("/orgs/{}", f.town_a.id), 404),
                ("member", format!("/orgs/{}/points", f.branch_a.id), 403),
                ("member", format!("/orgs/{}/points", f.branch_b.id), 404),
                ("member", format!("/orgs/{}/awards", f.branch_a.id), 403),
                ("member", format!("/orgs/{}/brands", f.branch_a.id), 403),
                ("member", format!("/orgs/{}/brands", f.branch_b.id), 404),
                ("member", format!("/orgs/{}/sites", f.branch_a.id), 403),
                ("member", format!("/orgs/{}/funds", f.branch_a.id), 403),
                (
                    "member",
                    format!("/orgs/{}/evaluations", f.branch_a.id),
                    403,
                ),
                ("member", format!("/orgs/{}/stars", f.branch_a.id), 403),
                (
                    "member",
                    format!("/orgs/{}/commitments", f.branch_a.id),
                    200,
                ),
                ("member", format!("/members/{}/stars", f.member_a), 200),
                ("member", format!("/members/{}/stars", f.member_a2), 404),
                // 待办, 更多 and the check-in tab: every role has its own
                ("county_admin", "/todo".to_string(), 200),
                ("town_admin", "/todo".to_string(), 200),
                ("branch_secretary", "/todo".to_string(), 200),
                ("member", "/todo".to_string(), 200),
                ("branch_secretary", "/more".to_string(), 200),
                ("member", "/more".to_string(), 200),
                ("member", "/checkin".to_string(), 200),
            ];
            let mut failures = Vec::new();
            for user in ["county_admin", "town_admin", "branch_secretary", "member"] {
                let client = login(&app, user).await;
                for (u, url, expected) in cases.iter().filter(|c| c.0 == user) {
                    let r = client.get(&app, url).await;
                    if r.status.as_u16() != *expected {
                        failures.push(format!(
                            "{} {u} GET {url}: {} (expected {expected})",
                            s.name, r.status
                        ));
                    }
                    if *expected == 404 {
                        for secret in ["乙党员", "乙村党支部", "乙镇党委", "测试县委"]
                        {
                            if r.body.contains(secret)
                                && !(user != "town_admin" && secret == "测试县委")
                            {
                                failures
                                    .push(format!("{} {u} GET {url} leaked “{secret}”", s.name));
                            }
                        }
                    }
                }
            }
            assert!(failures.is_empty(), "{}", failures.join("\n"));
        });
    }
}

#[test]
fn writes_outside_scope_are_refused_and_change_nothing() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        let count = |s: &xianfeng_store::testing::TestStore| {
            sync(|| {
                s.read(|c| c.scalar("SELECT COUNT(*) FROM orgs", &[]))
                    .unwrap()
            })
        };
        let before = count(&s);
        run(async {
            let town = login(&app, "town_admin").await;
            let body =
                serde_json::json!({"name": "新村党支部", "kind": "党支部", "domain": "农村"});
            let r = town
                .post_json(
                    &app,
                    &format!("/api/v1/orgs/{}/children", f.town_b.id),
                    body.clone(),
                )
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", s.name);
            let r = town
                .post_form(
                    &app,
                    &format!("/orgs/{}/new", f.town_b.id),
                    &[("name", "新村党支部"), ("kind", "党支部")],
                )
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND);
            let r = town
                .post_form(&app, &format!("/orgs/{}/dissolve", f.branch_b.id), &[])
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND);
            let r = town
                .post_form(
                    &app,
                    &format!("/orgs/{}/edit", f.town_a.id),
                    &[("name", "改名"), ("kind", "党委")],
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::FORBIDDEN,
                "a town cannot rename itself"
            );
            assert_eq!(count(&s), before);

            let sec = login(&app, "branch_secretary").await;
            let r = sec
                .post_json(
                    &app,
                    &format!("/api/v1/orgs/{}/children", f.branch_a.id),
                    serde_json::json!({"name": "一组", "kind": "党小组"}),
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN);
            let input = serde_json::to_value(common::member_input(9, "外人")).unwrap();
            let r = sec
                .post_json(
                    &app,
                    &format!("/api/v1/orgs/{}/members", f.branch_b.id),
                    input.clone(),
                )
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND);
            let r = sec
                .post_form(
                    &app,
                    &format!("/members/{}/edit", f.member_b),
                    &[("name", "改名")],
                )
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND);

            let member = login(&app, "member").await;
            let r = member
                .post_json(
                    &app,
                    &format!("/api/v1/orgs/{}/members", f.branch_a.id),
                    input.clone(),
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN);
            let r = member
                .post_form(&app, &format!("/members/{}/reveal", f.member_a2), &[])
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND);
            assert_eq!(count(&s), before);
            assert_eq!(
                sync(|| s
                    .read(|c| c.scalar("SELECT COUNT(*) FROM members", &[]))
                    .unwrap()),
                3
            );

            // Inside scope the same writes succeed.
            let r = town
                .post_json(
                    &app,
                    &format!("/api/v1/orgs/{}/children", f.town_a.id),
                    body,
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            let r = sec
                .post_json(
                    &app,
                    &format!("/api/v1/orgs/{}/members", f.branch_a.id),
                    input,
                )
                .await;
            assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
            assert!(r.body.contains("4401**********"), "{}", r.body);
        });
    }
}

#[test]
fn state_changing_requests_need_the_csrf_token() {
    let s = xianfeng_store::testing::sqlite();
    let f = fixture(&s);
    let app = app(&s);
    run(async {
        let mut town = login(&app, "town_admin").await;
        let real = town.csrf.clone();
        town.csrf = "forged".into();
        let r = town
            .post_form(
                &app,
                &format!("/orgs/{}/new", f.town_a.id),
                &[("name", "新村党支部"), ("kind", "党支部")],
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        assert!(r.body.contains("CSRF"));
        let r = town
            .post_json(
                &app,
                &format!("/api/v1/orgs/{}/children", f.town_a.id),
                serde_json::json!({"name": "x", "kind": "党支部"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::FORBIDDEN);
        town.csrf = real;
        let r = town
            .post_form(
                &app,
                &format!("/orgs/{}/new", f.town_a.id),
                &[("name", "新村党支部"), ("kind", "党支部")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    });
}

#[test]
fn pages_without_a_session_redirect_to_login_and_api_says_401() {
    let s = xianfeng_store::testing::sqlite();
    let f = fixture(&s);
    let app = app(&s);
    run(async {
        let anon = common::Client {
            cookie: "xf_session=nothing".into(),
            csrf: String::new(),
        };
        let r = anon.get(&app, &format!("/orgs/{}", f.county.id)).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.location.starts_with("/login?next="));
        let r = anon.get(&app, "/api/v1/me").await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert!(r.body.contains("unauthenticated"));
        let r = anon.get(&app, "/api/v1/openapi.json").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(r.body.contains("\"openapi\":\"3.1.0\""));
        let r = common::send(
            &app,
            axum::http::Request::get("/login")
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        let csp = r
            .headers
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        assert!(
            csp.contains("script-src 'self'") && csp.contains("frame-ancestors 'none'"),
            "{csp}"
        );
        assert_eq!(
            r.headers.get("x-frame-options").map(|v| v.as_bytes()),
            Some(&b"DENY"[..])
        );
    });
}

/// Records in another town (a point rule, a waiting claim, a ledger entry, an honour, an
/// evaluation code) answer a town administrator's writes exactly as ids that do not exist do:
/// 404 with the same page, nothing changed. The county, whose scope holds them, may act on
/// them, which shows the ids are real.
#[test]
fn records_outside_scope_answer_like_missing_ones() {
    use xianfeng_domain::points::{Audience, Caps, EarnDraft, RuleDraft, Trigger};
    use xianfeng_store::points::point_claims::{self, By};
    use xianfeng_store::points::{self, point_rules};
    use xianfeng_store::recognition::evaluations::{self, RoundInput};
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        let county = xianfeng_store::testing::admin(&f.county);
        let today = xianfeng_domain::date::today();
        let rule = |action: &str, approval: bool| RuleDraft {
            action: action.into(),
            category: "测试".into(),
            points: 5,
            audience: Audience::All,
            evidence_required: false,
            approval_required: approval,
            caps: Caps::default(),
            valid_from: None,
            valid_to: None,
            trigger: Trigger::Manual,
        };
        let ids = s
            .write(|c| -> xianfeng_store::Result<_> {
                let waits = point_rules::create(c, None, &f.town_b, &rule("乙镇申报事项", true))?;
                let at_once =
                    point_rules::create(c, None, &f.town_b, &rule("乙镇记分事项", false))?;
                let person = points::member_account(c, f.member_b)?.id;
                let earn = |rule_id| EarnDraft {
                    rule_id,
                    day: today,
                    note: "测试".into(),
                };
                let (claim, _) = point_claims::earn(c, By::Card, person, &earn(waits), None)?;
                point_claims::earn(c, By::Cadre(&county), person, &earn(at_once), None)?;
                let entry = c.scalar(
                    "SELECT MAX(id) FROM point_entries WHERE person_id = ?",
                    xianfeng_store::vals![person],
                )?;
                let title = xianfeng_store::campaigns::measures::grant(
                    c,
                    &county,
                    &f.county,
                    &f.branch_b,
                    "五星级党支部",
                    2026,
                    today,
                )?;
                let round = evaluations::open_round(
                    c,
                    &county,
                    &f.branch_b,
                    &RoundInput {
                        name: "乙村民主评议党员".into(),
                        scheme: xianfeng_domain::evaluation::Scheme::five_leads().name,
                        closes_on: today.to_string(),
                    },
                )?;
                let code = evaluations::codes(c, round)?[0].id;
                Ok((claim, entry, at_once, title, code))
            })
            .unwrap();
        let (claim, entry, rule_id, title, code) = ids;
        // (a record outside the scope, a missing one, the form's fields)
        type Route = (String, String, Vec<(&'static str, &'static str)>);
        let routes: Vec<Route> = vec![
            (
                format!("/point-claims/{claim}/decide"),
                "/point-claims/999999/decide".into(),
                vec![("decision", "approve")],
            ),
            (
                format!("/point-entries/{entry}/reverse"),
                "/point-entries/999999/reverse".into(),
                vec![("reason", "记错了")],
            ),
            (
                format!("/point-rules/{rule_id}/active"),
                "/point-rules/999999/active".into(),
                vec![],
            ),
            (
                format!("/titles/{title}/revoke"),
                "/titles/999999/revoke".into(),
                vec![],
            ),
            (
                format!("/evaluation-codes/{code}/revoke"),
                "/evaluation-codes/999999/revoke".into(),
                vec![],
            ),
        ];
        let audit = |s: &xianfeng_store::testing::TestStore| {
            sync(|| {
                s.read(|c| c.scalar("SELECT COUNT(*) FROM audit_log", &[]))
                    .unwrap()
            })
        };
        let before = audit(&s);
        run(async {
            let town = login(&app, "town_admin").await;
            let mut failures = Vec::new();
            for (outside, missing, fields) in &routes {
                let r = town.post_form(&app, outside, fields).await;
                let m = town.post_form(&app, missing, fields).await;
                if r.status != StatusCode::NOT_FOUND || m.status != StatusCode::NOT_FOUND {
                    failures.push(format!(
                        "{} POST {outside}: {} (missing: {}), expected 404",
                        s.name, r.status, m.status
                    ));
                } else if r.body != m.body {
                    failures.push(format!(
                        "{} POST {outside}: the page differs from a missing id's",
                        s.name
                    ));
                }
            }
            assert!(failures.is_empty(), "{}", failures.join("\n"));
            assert_eq!(audit(&s), before, "{}: nothing written", s.name);
            // the county reaches them all
            let county = login(&app, "county_admin").await;
            for (outside, _, fields) in &routes {
                let r = county.post_form(&app, outside, fields).await;
                assert_eq!(
                    r.status,
                    StatusCode::SEE_OTHER,
                    "{} county POST {outside}: {}",
                    s.name,
                    r.body
                );
            }
        });
    }
}

/// The 定性 task routes (report done, accept or return, 第一责任人) on an assignment in another
/// town answer a town administrator exactly as a missing assignment does, and write nothing;
/// 我的任务 lists only the signed-in account's own.
#[test]
fn qualitative_task_routes_outside_scope_answer_like_missing_ones() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        let county = xianfeng_store::testing::admin(&f.county);
        let plan = serde_json::json!({
            "title": "立行先锋", "sections": [], "targets": [], "phases": [], "responsible": [],
            "measures": [{"text": "建好村党群服务中心。", "path": ["一"],
                          "units": ["乙村党支部"], "deadline": null}]
        });
        let b = s
            .write(|c| -> xianfeng_store::Result<_> {
                let id = xianfeng_store::plans::drafts::create(
                    c,
                    &county,
                    &f.county,
                    "方案.txt",
                    "立行先锋",
                    "",
                    &plan,
                )?;
                let d = xianfeng_store::plans::drafts::get(c, id)?.unwrap();
                let p = xianfeng_store::plans::publish::publish(c, &county, &f.county, &d, 2026)?;
                Ok(
                    xianfeng_store::campaigns::assignments_in(c, p.campaign_id, &f.branch_b.path)?
                        [0]
                    .id,
                )
            })
            .unwrap();
        let audit = || {
            sync(|| {
                s.read(|c| c.scalar("SELECT COUNT(*) FROM audit_log", &[]))
                    .unwrap()
            })
        };
        let before = audit();
        run(async {
            let town = login(&app, "town_admin").await;
            for (path, fields) in [
                ("decision", vec![("decision", "accept")]),
                ("responsible", vec![("responsible", "")]),
            ] {
                let r = town
                    .post_form(&app, &format!("/assignments/{b}/{path}"), &fields)
                    .await;
                let m = town
                    .post_form(&app, &format!("/assignments/999999/{path}"), &fields)
                    .await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{} {path}", s.name);
                assert_eq!(m.status, StatusCode::NOT_FOUND);
                assert_eq!(r.body, m.body, "{path}: same page as a missing id");
            }
            let sec = login(&app, "branch_secretary").await;
            let r = sec
                .post_multipart(
                    &app,
                    &format!("/assignments/{b}/done"),
                    &[("narrative", "已完成")],
                    Some(("evidence", "a.png", b"\x89PNG\r\n\x1a\n\0\0")),
                )
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", s.name);
            assert_eq!(
                sec.get(&app, &format!("/assignments/{b}")).await.status,
                StatusCode::NOT_FOUND
            );
            let mine = sec.get(&app, "/tasks/mine").await;
            assert_eq!(mine.status, StatusCode::OK);
            assert!(!mine.body.contains(&format!("/assignments/{b}")));
        });
        assert_eq!(audit(), before, "{}: nothing written", s.name);
    }
}

/// The plan-rule actions (季评比 on a campaign, 印发 a monthly bulletin) belong to the
/// campaign's or the bulletin's own organisation: another town gets 404, a branch secretary or
/// a member 403 on their own branch and 404 outside it, and nothing is written.
#[test]
fn plan_rule_actions_are_confined_to_the_organisation_that_runs_them() {
    use xianfeng_domain::auth::Role;
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        let town_b_admin = xianfeng_domain::auth::Actor {
            role: Role::TownAdmin,
            scope_org_id: f.town_b.id,
            scope_path: f.town_b.path.clone(),
            ..xianfeng_store::testing::admin(&f.town_b)
        };
        let campaign = s
            .write(|c| {
                xianfeng_store::campaigns::create(
                    c,
                    &town_b_admin,
                    &f.town_b,
                    "乙镇创先争优活动",
                    2026,
                    None,
                    &[],
                )
            })
            .unwrap();
        let month = xianfeng_domain::cadence::Period::containing(
            xianfeng_domain::cadence::Frequency::Monthly,
            xianfeng_domain::date::today(),
        )
        .key();
        let written = |s: &xianfeng_store::testing::TestStore| {
            sync(|| {
                s.read(|c| {
                    c.scalar(
                        "SELECT (SELECT COUNT(*) FROM campaign_rankings) + (SELECT COUNT(*) FROM bulletins) + (SELECT COUNT(*) FROM audit_log WHERE action IN ('campaign.ranking', 'bulletin.issue'))",
                        &[],
                    )
                })
                .unwrap()
            })
        };
        let before = written(&s);
        run(async {
            // (user, url, the form's fields, expected)
            type Case<'a> = (&'a str, String, Vec<(&'a str, &'a str)>, StatusCode);
            let cases: Vec<Case> = vec![
                (
                    "town_admin",
                    format!("/campaigns/{campaign}/rankings"),
                    vec![("quarter", "")],
                    StatusCode::NOT_FOUND,
                ),
                (
                    "town_admin",
                    format!("/orgs/{}/bulletin/issue", f.town_b.id),
                    vec![("month", month.as_str())],
                    StatusCode::NOT_FOUND,
                ),
                (
                    "branch_secretary",
                    format!("/orgs/{}/bulletin/issue", f.branch_a.id),
                    vec![("month", month.as_str())],
                    StatusCode::FORBIDDEN,
                ),
                (
                    "branch_secretary",
                    format!("/campaigns/{campaign}/rankings"),
                    vec![("quarter", "")],
                    StatusCode::NOT_FOUND,
                ),
                (
                    "member",
                    format!("/orgs/{}/bulletin/issue", f.branch_a.id),
                    vec![("month", month.as_str())],
                    StatusCode::FORBIDDEN,
                ),
                (
                    "member",
                    format!("/orgs/{}/bulletin/issue", f.town_b.id),
                    vec![("month", month.as_str())],
                    StatusCode::NOT_FOUND,
                ),
            ];
            let mut failures = Vec::new();
            for (user, url, fields, expected) in &cases {
                let c = login(&app, user).await;
                let r = c.post_form(&app, url, fields).await;
                if r.status != *expected {
                    failures.push(format!(
                        "{} {user} POST {url}: {} (expected {expected})",
                        s.name, r.status
                    ));
                }
            }
            assert!(failures.is_empty(), "{}", failures.join("\n"));
        });
        assert_eq!(written(&s), before, "{}", s.name);
    }
}

/// A brand in another town answers a town administrator's reads and writes exactly as a
/// missing brand does (404, the same page), and nothing is written; the county reaches it.
#[test]
fn brand_routes_outside_scope_answer_like_missing_ones() {
    use xianfeng_domain::auth::{Actor, Role};
    use xianfeng_store::brands::projects as brands;
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        let id = s
            .write(|c| -> xianfeng_store::Result<_> {
                let sec = Actor {
                    role: Role::BranchSecretary,
                    ..xianfeng_store::testing::admin(&f.branch_b)
                };
                let input = xianfeng_domain::brand::BrandInput {
                    name: "乙村红色管家".into(),
                    slogan: "小事不出网格".into(),
                    category: "基层治理".into(),
                    description: "以网格为单元，党员当管家，服务群众零距离。".into(),
                    goals: "三年建成全县知名品牌".into(),
                    measures: "党员认领网格，每周走访".into(),
                    leaders: "张书记".into(),
                };
                brands::propose(c, &sec, &f.branch_b, &input)
            })
            .unwrap();
        let gets = ["", "/declare", "/form"];
        type Post = (&'static str, Vec<(&'static str, &'static str)>);
        let posts: Vec<Post> = vec![
            ("/designate", vec![]),
            ("/act", vec![("action", "同意")]),
            (
                "/records",
                vec![("kind", "活动"), ("day", "2026-01-05"), ("title", "走访")],
            ),
            ("/declare", vec![("name", "改名")]),
        ];
        let audit = |s: &xianfeng_store::testing::TestStore| {
            sync(|| {
                s.read(|c| c.scalar("SELECT COUNT(*) FROM audit_log", &[]))
                    .unwrap()
            })
        };
        let before = audit(&s);
        run(async {
            let mut failures = Vec::new();
            for user in ["town_admin", "branch_secretary"] {
                let client = login(&app, user).await;
                for tail in gets {
                    let r = client.get(&app, &format!("/brands/{id}{tail}")).await;
                    let m = client.get(&app, &format!("/brands/999999{tail}")).await;
                    if r.status != StatusCode::NOT_FOUND || r.body != m.body {
                        failures.push(format!(
                            "{} {user} GET /brands/{id}{tail}: {}",
                            s.name, r.status
                        ));
                    }
                    if r.body.contains("乙村红色管家") {
                        failures.push(format!("{} {user} GET {tail} leaked the name", s.name));
                    }
                }
                for (tail, fields) in &posts {
                    let r = client
                        .post_form(&app, &format!("/brands/{id}{tail}"), fields)
                        .await;
                    let m = client
                        .post_form(&app, &format!("/brands/999999{tail}"), fields)
                        .await;
                    if r.status != StatusCode::NOT_FOUND || r.body != m.body {
                        failures.push(format!(
                            "{} {user} POST /brands/{id}{tail}: {}",
                            s.name, r.status
                        ));
                    }
                }
                let r = client
                    .post_form(
                        &app,
                        &format!("/orgs/{}/brands", f.branch_b.id),
                        &[("name", "x")],
                    )
                    .await;
                if r.status != StatusCode::NOT_FOUND {
                    failures.push(format!(
                        "{} {user} POST propose in branch_b: {}",
                        s.name, r.status
                    ));
                }
            }
            assert!(failures.is_empty(), "{}", failures.join("\n"));
            assert_eq!(audit(&s), before, "{}: nothing written", s.name);
            let county = login(&app, "county_admin").await;
            let r = county.get(&app, &format!("/brands/{id}")).await;
            assert_eq!(r.status, StatusCode::OK);
            let r = county
                .post_form(&app, &format!("/brands/{id}/designate"), &[])
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        });
    }
}

/// A 示范点 in another town (its page, checklist items, acceptance) answers a town
/// administrator and a branch secretary exactly as a missing one does; nothing is written.
#[test]
fn site_routes_outside_scope_answer_like_missing_ones() {
    use xianfeng_store::brands::sites;
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        let county = xianfeng_store::testing::admin(&f.county);
        let (site, item) = s
            .write(|c| -> xianfeng_store::Result<_> {
                let input = xianfeng_domain::demo_site::SiteInput {
                    year: chrono::Datelike::year(&xianfeng_domain::date::today()).to_string(),
                    leader: "党委副书记 李明".into(),
                    plan: "乙村示范点创建方案，按九有标准创建。".into(),
                };
                let site = sites::designate(c, &county, &f.branch_b, &input)?;
                let item = sites::items(c, site)?[0].id;
                Ok((site, item))
            })
            .unwrap();
        let audit = |s: &xianfeng_store::testing::TestStore| {
            sync(|| {
                s.read(|c| c.scalar("SELECT COUNT(*) FROM audit_log", &[]))
                    .unwrap()
            })
        };
        let before = audit(&s);
        type Post = (String, String, Vec<(&'static str, &'static str)>);
        let posts: Vec<Post> = vec![
            (
                format!("/site-items/{item}/evidence"),
                "/site-items/999999/evidence".into(),
                vec![("evidence", "已落实阵地建设")],
            ),
            (
                format!("/site-items/{item}/check"),
                "/site-items/999999/check".into(),
                vec![("decision", "pass")],
            ),
            (
                format!("/sites/{site}/accept"),
                "/sites/999999/accept".into(),
                vec![("result", "不通过"), ("score", "50")],
            ),
        ];
        run(async {
            let mut failures = Vec::new();
            for user in ["town_admin", "branch_secretary"] {
                let client = login(&app, user).await;
                let r = client.get(&app, &format!("/sites/{site}")).await;
                let m = client.get(&app, "/sites/999999").await;
                if r.status != StatusCode::NOT_FOUND || r.body != m.body {
                    failures.push(format!("{} {user} GET /sites/{site}: {}", s.name, r.status));
                }
                for (outside, missing, fields) in &posts {
                    let r = client.post_form(&app, outside, fields).await;
                    let m = client.post_form(&app, missing, fields).await;
                    if r.status != StatusCode::NOT_FOUND || r.body != m.body {
                        failures.push(format!("{} {user} POST {outside}: {}", s.name, r.status));
                    }
                }
                let r = client
                    .post_form(
                        &app,
                        &format!("/orgs/{}/sites", f.town_b.id),
                        &[("org", "1")],
                    )
                    .await;
                if r.status != StatusCode::NOT_FOUND {
                    failures.push(format!(
                        "{} {user} POST designate in town_b: {}",
                        s.name, r.status
                    ));
                }
                let r = client
                    .post_form(
                        &app,
                        &format!("/orgs/{}/site-standards", f.county.id),
                        &[("standards", "制度上墙")],
                    )
                    .await;
                if r.status != StatusCode::NOT_FOUND {
                    failures.push(format!("{} {user} POST standards: {}", s.name, r.status));
                }
            }
            assert!(failures.is_empty(), "{}", failures.join("\n"));
            assert_eq!(audit(&s), before, "{}: nothing written", s.name);
            let county = login(&app, "county_admin").await;
            let r = county.get(&app, &format!("/sites/{site}")).await;
            assert_eq!(r.status, StatusCode::OK);
        });
    }
}

/// A budget line and its ledger in another town answer a town administrator and a branch
/// secretary exactly as missing ones do; nothing is written.
#[test]
fn fund_routes_outside_scope_answer_like_missing_ones() {
    use xianfeng_store::brands::funds;
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        let county = xianfeng_store::testing::admin(&f.county);
        let (line, entry) = s
            .write(|c| -> xianfeng_store::Result<_> {
                let line = funds::create_line(
                    c,
                    &county,
                    &f.branch_b,
                    &xianfeng_domain::funds::BudgetInput {
                        source: "财政预算".into(),
                        year: chrono::Datelike::year(&xianfeng_domain::date::today()).to_string(),
                        title: "乙村活动经费".into(),
                        amount: "500".into(),
                    },
                )?;
                let entry = funds::spend(
                    c,
                    &county,
                    line,
                    &xianfeng_domain::funds::SpendInput {
                        day: xianfeng_domain::date::today().to_string(),
                        amount: "10".into(),
                        purpose: "购买党报党刊".into(),
                        receipt: "凭-001".into(),
                    },
                )?;
                Ok((line, entry))
            })
            .unwrap();
        let audit = |s: &xianfeng_store::testing::TestStore| {
            sync(|| {
                s.read(|c| c.scalar("SELECT COUNT(*) FROM audit_log", &[]))
                    .unwrap()
            })
        };
        let before = audit(&s);
        type Post = (String, String, Vec<(&'static str, &'static str)>);
        let posts: Vec<Post> = vec![
            (
                format!("/budget-lines/{line}/spend"),
                "/budget-lines/999999/spend".into(),
                vec![("amount", "1"), ("purpose", "用途"), ("receipt", "凭-2")],
            ),
            (
                format!("/fund-entries/{entry}/reverse"),
                "/fund-entries/999999/reverse".into(),
                vec![("reason", "录错")],
            ),
            (
                format!("/orgs/{}/funds", f.branch_b.id),
                "/orgs/999999/funds".into(),
                vec![("amount", "1")],
            ),
        ];
        run(async {
            let mut failures = Vec::new();
            for user in ["town_admin", "branch_secretary"] {
                let client = login(&app, user).await;
                let r = client.get(&app, &format!("/budget-lines/{line}")).await;
                let m = client.get(&app, "/budget-lines/999999").await;
                if r.status != StatusCode::NOT_FOUND || r.body != m.body {
                    failures.push(format!(
                        "{} {user} GET /budget-lines/{line}: {}",
                        s.name, r.status
                    ));
                }
                for (outside, missing, fields) in &posts {
                    let r = client.post_form(&app, outside, fields).await;
                    let m = client.post_form(&app, missing, fields).await;
                    if r.status != StatusCode::NOT_FOUND || m.status != StatusCode::NOT_FOUND {
                        failures.push(format!(
                            "{} {user} POST {outside}: {} / {}",
                            s.name, r.status, m.status
                        ));
                    }
                }
            }
            assert!(failures.is_empty(), "{}", failures.join("\n"));
            assert_eq!(audit(&s), before, "{}: nothing written", s.name);
        });
    }
}
