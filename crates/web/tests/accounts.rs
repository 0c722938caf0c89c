//! Account management: administrators open accounts for weaker roles inside their subtree,
//! reset passwords and disable accounts; members get an account from their member page.

mod common;

use axum::http::StatusCode;
use common::{app, fixture, login, run, sync};

#[test]
fn town_admin_opens_a_secretary_account_inside_its_town_only() {
    let s = xianfeng_store::testing::sqlite();
    let f = fixture(&s);
    let app = app(&s);
    run(async {
        let town = login(&app, "town_admin").await;
        let r = town.get(&app, "/accounts").await;
        assert_eq!(r.status, StatusCode::OK);
        assert!(
            r.body.contains("branch_secretary") && !r.body.contains("county_admin"),
            "lists its subtree's accounts only"
        );

        let outside = f.branch_b.id.to_string();
        let r = town
            .post_form(
                &app,
                "/accounts",
                &[
                    ("username", "sec_b"),
                    ("display_name", "乙村书记"),
                    ("role", "branch_secretary"),
                    ("org_id", &outside),
                    ("password", "long-enough-pw"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("请选择管辖范围内的组织"), "{}", r.body);

        let r = town
            .post_form(
                &app,
                "/accounts",
                &[
                    ("username", "sec_a2"),
                    ("display_name", "甲村书记"),
                    ("role", "town_admin"),
                    ("org_id", &f.town_a.id.to_string()),
                    ("password", "long-enough-pw"),
                ],
            )
            .await;
        assert!(r.body.contains("无权"), "no peer accounts: {}", r.body);

        let r = town
            .post_form(
                &app,
                "/accounts",
                &[
                    ("username", "x"),
                    ("display_name", ""),
                    ("role", "branch_secretary"),
                    ("org_id", &f.town_a.id.to_string()),
                    ("password", "short"),
                ],
            )
            .await;
        for msg in ["用户名", "显示名称", "至少10位", "党支部"] {
            assert!(r.body.contains(msg), "missing {msg}");
        }
        let accounts = || {
            sync(|| {
                s.read(|c| c.scalar("SELECT COUNT(*) FROM accounts", &[]))
                    .unwrap()
            })
        };
        assert_eq!(accounts(), 4, "nothing written");

        let r = town
            .post_form(
                &app,
                "/accounts",
                &[
                    ("username", "sec_a2"),
                    ("display_name", "甲村副书记"),
                    ("role", "branch_secretary"),
                    ("org_id", &f.branch_a.id.to_string()),
                    ("password", "long-enough-pw"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        assert_eq!(accounts(), 5);
        let new_id = sync(|| {
            s.read(|c| c.scalar("SELECT id FROM accounts WHERE username = 'sec_a2'", &[]))
                .unwrap()
        });

        // Reset and disable; the old password and then the account stop working.
        let r = town
            .post_form(
                &app,
                &format!("/accounts/{new_id}/password"),
                &[("password", "another-long-pw")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = town
            .post_form(
                &app,
                &format!("/accounts/{new_id}/status"),
                &[("disable", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let r = common::send(
            &app,
            axum::http::Request::post("/api/v1/session")
                .header("content-type", "application/json")
                .body(axum::body::Body::from(
                    r#"{"username":"sec_a2","password":"another-long-pw"}"#,
                ))
                .unwrap(),
        )
        .await;
        assert_eq!(
            r.status,
            StatusCode::UNAUTHORIZED,
            "disabled accounts cannot log in"
        );

        // The county admin's own account is out of reach.
        let county_id = sync(|| {
            s.read(|c| {
                c.scalar(
                    "SELECT id FROM accounts WHERE username = 'county_admin'",
                    &[],
                )
            })
            .unwrap()
        });
        let r = town
            .post_form(
                &app,
                &format!("/accounts/{county_id}/status"),
                &[("disable", "1")],
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let audited = sync(|| {
            s.read(|c| {
                c.scalar(
                    "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'account.%'",
                    &[],
                )
            })
            .unwrap()
        });
        assert_eq!(audited, 3);
    });
}

#[test]
fn a_member_account_opened_from_the_member_page_sees_only_itself() {
    let s = xianfeng_store::testing::sqlite();
    let f = fixture(&s);
    let app = app(&s);
    run(async {
        let town = login(&app, "town_admin").await;
        let r = town.get(&app, &format!("/members/{}", f.member_a2)).await;
        assert!(r.body.contains("开通党员账号"));
        let r = town
            .post_form(
                &app,
                &format!("/members/{}/account", f.member_a2),
                &[("username", "dangyuan2"), ("password", "long-enough-pw")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let req = axum::http::Request::post("/api/v1/session")
            .header("content-type", "application/json")
            .body(axum::body::Body::from(
                r#"{"username":"dangyuan2","password":"long-enough-pw"}"#,
            ))
            .unwrap();
        let r = common::send(&app, req).await;
        assert_eq!(r.status, StatusCode::OK);
        let me = common::Client {
            cookie: r.set_cookie.split(';').next().unwrap().to_string(),
            csrf: String::new(),
        };
        assert_eq!(
            me.get(&app, &format!("/members/{}", f.member_a2))
                .await
                .status,
            StatusCode::OK
        );
        assert_eq!(
            me.get(&app, &format!("/members/{}", f.member_a))
                .await
                .status,
            StatusCode::NOT_FOUND
        );
        let r = me.get(&app, "/").await;
        assert_eq!(r.location, "/todo", "a member starts at the to-do list");
    });
}
