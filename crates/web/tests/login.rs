//! Logins that cannot be turned against people: failures are throttled per (account, address)
//! pair with growing refusals, user names that do not exist are slowed per address without
//! refusing anybody else's correct password, a higher administrator can lift a refusal (and
//! it is audited, as each refusal is), and the login form carries a token.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{app, enc, fixture, form_login, from_ip, login, login_form, run, send, sync};
use xianfeng_store::testing::{backends, TestStore};
use xianfeng_store::vals;

const PW: &str = common::PASSWORD;

fn signed_in(r: &common::Resp) -> bool {
    r.status == StatusCode::SEE_OTHER && r.set_cookie.starts_with("xf_session=")
}

/// One number from the database (inside `run`, wrap it in `sync`).
fn scalar(s: &TestStore, sql: &str, params: &[xianfeng_store::Value]) -> i64 {
    s.read(|c| c.scalar(sql, params)).unwrap()
}

fn audited(s: &TestStore, action: &str) -> i64 {
    scalar(
        s,
        "SELECT COUNT(*) FROM audit_log WHERE action = ?",
        vals![action],
    )
}

/// Lets every refusal run out, as if its minutes had passed.
fn time_passes(s: &TestStore) {
    sync(|| {
        s.write(|c| c.execute("UPDATE login_pairs SET locked_until = 0", &[]))
            .unwrap()
    });
}

#[test]
fn failures_behind_one_nat_address_do_not_stop_another_account_there() {
    for s in backends() {
        let _f = fixture(&s);
        let app = app(&s);
        run(async {
            let office = "203.0.113.7";
            // 35 failed logins from one town office: three colleagues mistyping five times
            // each, and twenty typos of user names
            for user in ["town_admin", "branch_secretary", "member"] {
                for _ in 0..5 {
                    let r = form_login(&app, user, "wrong-password", office).await;
                    assert!(!signed_in(&r), "{}", s.name);
                }
            }
            for n in 0..20 {
                let r = form_login(&app, &format!("twon_admin{n}"), "wrong", office).await;
                assert!(!signed_in(&r));
            }
            // the county administrator in the same office signs in with its password
            let r = form_login(&app, "county_admin", PW, office).await;
            assert!(signed_in(&r), "{} {}: {}", s.name, r.status, r.body);
            // the account that failed is refused there, with its correct password too …
            let r = form_login(&app, "town_admin", PW, office).await;
            assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", s.name);
            assert!(r.body.contains("登录失败次数过多"), "{}", r.body);
            // … but not from anywhere else
            let r = form_login(&app, "town_admin", PW, "198.51.100.20").await;
            assert!(signed_in(&r), "{}: {}", s.name, r.body);
        });
    }
}

#[test]
fn failures_from_one_address_do_not_lock_the_account_for_everyone() {
    let s = xianfeng_store::testing::sqlite();
    let _f = fixture(&s);
    let app = app(&s);
    run(async {
        for _ in 0..8 {
            form_login(&app, "town_admin", "guess", "192.0.2.66").await;
        }
        let r = form_login(&app, "town_admin", PW, "192.0.2.66").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        let r = form_login(&app, "town_admin", PW, "203.0.113.7").await;
        assert!(signed_in(&r), "{}", r.body);
        // the JSON login is throttled the same way
        let r = send(
            &app,
            from_ip(
                Request::post("/api/v1/session")
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(
                        serde_json::json!({"username": "town_admin", "password": PW}).to_string(),
                    ))
                    .unwrap(),
                "192.0.2.66",
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    });
}

#[test]
fn refusals_grow_with_each_failure_and_each_is_audited_once() {
    for s in backends() {
        let _f = fixture(&s);
        let app = app(&s);
        run(async {
            let ip = "10.9.8.7";
            for n in 1..=4 {
                let r = form_login(&app, "town_admin", "wrong-password", ip).await;
                assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{} attempt {n}", s.name);
                assert!(r.body.contains("用户名或密码错误"));
            }
            let mut lockouts = 0;
            for minutes in [1, 2, 4, 8] {
                let r = form_login(&app, "town_admin", "wrong-password", ip).await;
                assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", s.name);
                let said = format!("请{minutes}分钟后再试");
                assert!(r.body.contains(&said), "{} {said}: {}", s.name, r.body);
                lockouts += 1;
                // while refused, even the right password is refused, and nothing is added
                for _ in 0..3 {
                    let r = form_login(&app, "town_admin", PW, ip).await;
                    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
                    assert!(r.body.contains(&said), "{}", r.body);
                }
                assert_eq!(sync(|| audited(&s, "account.lockout")), lockouts);
                time_passes(&s);
            }
            // once the refusal is over, the right password signs in and forgets the failures
            let r = form_login(&app, "town_admin", PW, ip).await;
            assert!(signed_in(&r), "{}: {}", s.name, r.body);
            let r = form_login(&app, "town_admin", "wrong-password", ip).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        });
    }
}

#[test]
fn unknown_user_names_are_slowed_per_address_without_refusing_correct_passwords() {
    for s in backends() {
        let _f = fixture(&s);
        let app = app(&s);
        run(async {
            let ip = "192.0.2.10";
            // one real typo first, then someone walks through user names
            let r = form_login(&app, "member", "wrong-password", ip).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
            for n in 1..20 {
                let r = form_login(&app, &format!("user{n}"), "123456", ip).await;
                assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{} guess {n}", s.name);
            }
            assert_eq!(sync(|| audited(&s, "login.address_limit")), 0);
            let r = form_login(&app, "user20", "123456", ip).await;
            assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", s.name);
            assert_eq!(sync(|| audited(&s, "login.address_limit")), 1);
            // from now on every failure from there is answered alike, whether the name exists
            let unknown = form_login(&app, "user21", "123456", ip).await;
            let known = form_login(&app, "town_admin", "123456", ip).await;
            assert_eq!(unknown.status, StatusCode::TOO_MANY_REQUESTS);
            assert_eq!(known.status, StatusCode::TOO_MANY_REQUESTS);
            let message = |r: &common::Resp| {
                r.body
                    .split("role=\"alert\">")
                    .nth(1)
                    .and_then(|x| x.split('<').next())
                    .unwrap_or("")
                    .to_string()
            };
            assert_eq!(message(&unknown), message(&known));
            assert_eq!(sync(|| audited(&s, "login.address_limit")), 1, "once");
            // an account that failed from there waits, even with its right password …
            let r = form_login(&app, "member", PW, ip).await;
            assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{}", s.name);
            // … one that did not signs in
            let r = form_login(&app, "branch_secretary", PW, ip).await;
            assert!(signed_in(&r), "{}: {}", s.name, r.body);
            // and other addresses are not slowed
            let r = form_login(&app, "user22", "123456", "192.0.2.11").await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED);
            let r = form_login(&app, "member", PW, "192.0.2.11").await;
            assert!(signed_in(&r));
        });
    }
}

#[test]
fn a_higher_administrator_unlocks_an_account_in_scope_and_it_is_audited() {
    for s in backends() {
        let _f = fixture(&s);
        let app = app(&s);
        let id = scalar(
            &s,
            "SELECT id FROM accounts WHERE username = ?",
            vals!["branch_secretary"],
        );
        run(async {
            for ip in ["10.0.0.1", "10.0.0.2"] {
                for _ in 0..5 {
                    form_login(&app, "branch_secretary", "wrong-password", ip).await;
                }
            }
            assert_eq!(sync(|| audited(&s, "account.lockout")), 2);
            let town = login(&app, "town_admin").await;
            let r = town.get(&app, "/accounts").await;
            assert_eq!(r.status, StatusCode::OK);
            assert!(r.body.contains("暂停登录（还剩1分钟）"), "{}", r.body);
            assert!(r.body.contains(&format!("/accounts/{id}/unlock")));

            // a member may not; an account outside the caller's reach is not found
            let member = login(&app, "member").await;
            let r = member
                .post_form(&app, &format!("/accounts/{id}/unlock"), &[])
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN);
            let county_id = sync(|| {
                scalar(
                    &s,
                    "SELECT id FROM accounts WHERE username = ?",
                    vals!["county_admin"],
                )
            });
            let r = town
                .post_form(&app, &format!("/accounts/{county_id}/unlock"), &[])
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND);
            let r = town.post_form(&app, "/accounts/999999/unlock", &[]).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND);
            assert_eq!(sync(|| audited(&s, "account.unlock")), 0);

            let r = town
                .post_form(&app, &format!("/accounts/{id}/unlock"), &[])
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}: {}", s.name, r.body);
            assert!(r.location.starts_with("/accounts?ok="));
            assert_eq!(sync(|| audited(&s, "account.unlock")), 1);
            let who = sync(|| {
                scalar(
                    &s,
                    "SELECT COUNT(*) FROM audit_log WHERE action = 'account.unlock' AND entity_id = ? AND actor_name = 'town_admin'",
                    vals![id],
                )
            });
            assert_eq!(who, 1);
            for ip in ["10.0.0.1", "10.0.0.2"] {
                let r = form_login(&app, "branch_secretary", PW, ip).await;
                assert!(signed_in(&r), "{} {ip}: {}", s.name, r.body);
            }

            // nothing left to unlock: refused, and nothing written
            let before = sync(|| {
                (
                    scalar(&s, "SELECT COUNT(*) FROM audit_log", &[]),
                    scalar(&s, "SELECT COUNT(*) FROM login_pairs", &[]),
                )
            });
            let r = town
                .post_form(&app, &format!("/accounts/{id}/unlock"), &[])
                .await;
            assert_eq!(r.status, StatusCode::CONFLICT, "{}", s.name);
            assert!(r.body.contains("没有被暂停登录"), "{}", r.body);
            let after = sync(|| {
                (
                    scalar(&s, "SELECT COUNT(*) FROM audit_log", &[]),
                    scalar(&s, "SELECT COUNT(*) FROM login_pairs", &[]),
                )
            });
            assert_eq!(before, after);
        });
    }
}

#[test]
fn the_login_form_needs_its_token_and_cookie() {
    let s = xianfeng_store::testing::sqlite();
    let _f = fixture(&s);
    let app = app(&s);
    run(async {
        let post = |cookie: Option<String>, token: Option<String>| {
            let app = app.clone();
            async move {
                let mut body = format!("username=town_admin&password={}", enc(PW));
                if let Some(t) = token {
                    body.push_str(&format!("&_csrf={}", enc(&t)));
                }
                let mut req = Request::post("/login")
                    .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
                if let Some(c) = cookie {
                    req = req.header(header::COOKIE, c);
                }
                send(&app, req.body(Body::from(body)).unwrap()).await
            }
        };
        let (cookie, token) = login_form(&app, "127.0.0.1").await;
        let (other_cookie, other_token) = login_form(&app, "127.0.0.1").await;
        assert_ne!(token, other_token);
        let forged = {
            let key = [7u8; 32];
            xianfeng_domain::login::form_token(&key, chrono::Utc::now().timestamp(), "00ff")
        };
        let refused = [
            (None, None),
            (None, Some(token.clone())),
            (Some(cookie.clone()), None),
            (Some(cookie.clone()), Some(other_token.clone())),
            (Some(other_cookie.clone()), Some(token.clone())),
            (Some(format!("xf_login={forged}")), Some(forged.clone())),
        ];
        for (c, t) in refused {
            let r = post(c.clone(), t.clone()).await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{c:?} {t:?}");
            assert!(!r.set_cookie.starts_with("xf_session="), "{c:?} {t:?}");
            assert!(r.body.contains("登录页已过期"), "{}", r.body);
            // the page comes back with a fresh token to sign in with
            assert!(r.body.contains(r#"name="_csrf""#));
        }
        assert_eq!(sync(|| scalar(&s, "SELECT COUNT(*) FROM sessions", &[])), 0);
        // a refused form is not a failed password: nothing counted against the account
        assert_eq!(
            sync(|| scalar(&s, "SELECT COUNT(*) FROM login_pairs", &[])),
            0
        );
        // a second tab gets the token the browser already holds; a forged one is replaced
        let again = |cookie: String| {
            let app = app.clone();
            async move {
                send(
                    &app,
                    Request::get("/login")
                        .header(header::COOKIE, cookie)
                        .body(Body::empty())
                        .unwrap(),
                )
                .await
            }
        };
        let r = again(cookie.clone()).await;
        assert!(r.body.contains(&format!(r#"value="{token}""#)));
        let r = again(format!("xf_login={forged}")).await;
        assert!(!r.body.contains(&forged) && r.body.contains(r#"name="_csrf""#));
        let r = post(Some(cookie), Some(token)).await;
        assert!(signed_in(&r), "{}", r.body);
        // the cookie only goes back to /login, never to another site's request
        let r = send(&app, Request::get("/login").body(Body::empty()).unwrap()).await;
        let set = r
            .headers
            .get_all(header::SET_COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|v| v.starts_with("xf_login="))
            .unwrap()
            .to_string();
        for part in ["Path=/login", "HttpOnly", "SameSite=Strict"] {
            assert!(set.contains(part), "{set}");
        }
        // the JSON login takes only JSON, which a page on another site cannot send
        let r = send(
            &app,
            Request::post("/api/v1/session")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("username=town_admin&password={PW}")))
                .unwrap(),
        )
        .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    });
}

#[test]
fn the_throttle_rules_are_on_the_settings_page() {
    let s = xianfeng_store::testing::sqlite();
    let _f = fixture(&s);
    let app = app(&s);
    run(async {
        let county = login(&app, "county_admin").await;
        let r = county.get(&app, "/settings").await;
        for key in [
            "login_free_failures",
            "login_delay_first_minutes",
            "login_delay_max_minutes",
            "login_forget_hours",
            "login_max_unknown_per_ip",
            "login_window_minutes",
        ] {
            assert!(r.body.contains(&format!(r#"name="{key}""#)), "{key}");
        }
        // the first refusal may not be longer than the cap
        let values: Vec<(String, String)> = xianfeng_domain::rules::Rules::default()
            .labelled()
            .into_iter()
            .map(|(k, _, v)| {
                let v = if k == "login_delay_first_minutes" {
                    90
                } else {
                    v
                };
                (k.to_string(), v.to_string())
            })
            .collect();
        let fields: Vec<(&str, &str)> = values
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let r = county.post_form(&app, "/settings", &fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("不能大于暂停登录时长上限"), "{}", r.body);
    });
}
