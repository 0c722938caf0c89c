//! A small scoped county for web tests, a client that logs in through the API, and the login
//! form as a browser posts it (fetched first for its token).

#![allow(dead_code)]

pub mod bombs;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use chrono::NaiveDate;
use http_body_util::BodyExt;
use tower::ServiceExt;
use xianfeng_domain::auth::{hash_password, Role};
use xianfeng_domain::idcard;
use xianfeng_domain::member::MemberInput;
use xianfeng_domain::org::Org;
use xianfeng_domain::rules::Rules;
use xianfeng_store::testing::{org, TestStore};
use xianfeng_store::{people::accounts, people::members, Conn};
use xianfeng_web::AppState;

pub const PASSWORD: &str = "xianfeng-test-pw";

pub struct Fixture {
    pub county: Org,
    pub town_a: Org,
    pub town_b: Org,
    pub branch_a: Org,
    pub branch_b: Org,
    pub member_a: i64,
    pub member_a2: i64,
    pub member_b: i64,
}

pub fn member_input(n: u32, name: &str) -> MemberInput {
    let birth = NaiveDate::from_ymd_opt(1975, 1, 1).unwrap() + chrono::Days::new(u64::from(n) * 41);
    MemberInput {
        name: name.into(),
        ethnicity: "汉族".into(),
        id_number: idcard::build(440106, birth, n * 2 + 1),
        phone: format!("138{n:08}"),
        joined_on: "2005-07-01".into(),
        full_on: "2006-07-01".into(),
        status: "正式党员".into(),
        ..MemberInput::default()
    }
}

pub fn fixture(s: &TestStore) -> Fixture {
    let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let hash = hash_password(PASSWORD).unwrap();
    s.write(|c| -> xianfeng_store::Result<_> {
        let county = org(c, None, "测试县委", "县委");
        let town_a = org(c, Some(&county), "甲镇党委", "党委");
        let town_b = org(c, Some(&county), "乙镇党委", "党委");
        let branch_a = org(c, Some(&town_a), "甲村党支部", "党支部");
        let branch_b = org(c, Some(&town_b), "乙村党支部", "党支部");
        let mk = |c: &mut dyn Conn, at: &Org, n: u32, name: &str| {
            let d = member_input(n, name)
                .validate(&Rules::default(), today, None)
                .unwrap();
            members::create(c, &s.vault, None, at, &d).unwrap()
        };
        let member_a = mk(c, &branch_a, 1, "甲党员");
        let member_a2 = mk(c, &branch_a, 2, "甲党员二");
        let member_b = mk(c, &branch_b, 3, "乙党员");
        for (user, role, org_id, mid) in [
            ("county_admin", Role::CountyAdmin, county.id, None),
            ("town_admin", Role::TownAdmin, town_a.id, None),
            ("branch_secretary", Role::BranchSecretary, branch_a.id, None),
            ("member", Role::Member, branch_a.id, Some(member_a)),
        ] {
            accounts::create(
                c,
                &accounts::NewAccount {
                    username: user,
                    display_name: user,
                    password_hash: &hash,
                    role,
                    org_id,
                    member_id: mid,
                },
            )?;
        }
        Ok(Fixture {
            county,
            town_a,
            town_b,
            branch_a,
            branch_b,
            member_a,
            member_a2,
            member_b,
        })
    })
    .unwrap()
}

/// A router over a test store (the store is moved into the app; keep the TestStore for cleanup).
pub fn app(s: &TestStore) -> axum::Router {
    // Re-open the same database for the app so the TestStore keeps ownership of cleanup.
    xianfeng_web::router(AppState::new(clone_store(s)))
}

fn clone_store(s: &TestStore) -> xianfeng_store::Store {
    s.reopen()
}

pub struct Resp {
    pub status: StatusCode,
    pub body: String,
    pub bytes: Vec<u8>,
    pub location: String,
    pub set_cookie: String,
    pub headers: axum::http::HeaderMap,
}

pub async fn send(app: &axum::Router, req: Request<Body>) -> Resp {
    let res = app.clone().oneshot(req).await.unwrap();
    let status = res.status();
    let location = res
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let set_cookie = res
        .headers()
        .get(header::SET_COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let headers = res.headers().clone();
    let bytes = res.into_body().collect().await.unwrap().to_bytes().to_vec();
    Resp {
        status,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        bytes,
        location,
        set_cookie,
        headers,
    }
}

/// A signed-in client.
pub struct Client {
    pub cookie: String,
    pub csrf: String,
}

pub async fn login(app: &axum::Router, user: &str) -> Client {
    let req = Request::post("/api/v1/session")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(
            serde_json::json!({"username": user, "password": PASSWORD}).to_string(),
        ))
        .unwrap();
    let r = send(app, req).await;
    assert_eq!(r.status, StatusCode::OK, "login {user}: {}", r.body);
    let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
    Client {
        cookie: r.set_cookie.split(';').next().unwrap().to_string(),
        csrf: v["csrf_token"].as_str().unwrap().to_string(),
    }
}

/// A request as if from `ip` (the socket peer the server sees).
pub fn from_ip(mut req: Request<Body>, ip: &str) -> Request<Body> {
    let addr = std::net::SocketAddr::new(ip.parse().unwrap(), 40_000);
    req.extensions_mut()
        .insert(axum::extract::ConnectInfo(addr));
    req
}

/// The login form as a browser gets it: its `xf_login` cookie and the `_csrf` field's value.
pub async fn login_form(app: &axum::Router, ip: &str) -> (String, String) {
    let r = send(
        app,
        from_ip(Request::get("/login").body(Body::empty()).unwrap(), ip),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let cookie = r
        .headers
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("xf_login="))
        .expect("the login form sets its cookie")
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let token = r
        .body
        .split(r#"name="_csrf" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the login form has its token")
        .to_string();
    (cookie, token)
}

/// Posts the login form from `ip` the way a browser does: the form fetched first, then sent
/// back with its cookie and token.
pub async fn form_login(app: &axum::Router, user: &str, password: &str, ip: &str) -> Resp {
    let (cookie, token) = login_form(app, ip).await;
    let body = format!(
        "_csrf={}&username={}&password={}",
        enc(&token),
        enc(user),
        enc(password)
    );
    send(
        app,
        from_ip(
            Request::post("/login")
                .header(header::COOKIE, cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body))
                .unwrap(),
            ip,
        ),
    )
    .await
}

impl Client {
    pub async fn get(&self, app: &axum::Router, uri: &str) -> Resp {
        send(
            app,
            Request::get(uri)
                .header(header::COOKIE, &self.cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    pub async fn post_form(&self, app: &axum::Router, uri: &str, fields: &[(&str, &str)]) -> Resp {
        let mut body: Vec<(String, String)> = vec![("_csrf".into(), self.csrf.clone())];
        body.extend(fields.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let encoded = body
            .iter()
            .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
            .collect::<Vec<_>>()
            .join("&");
        send(
            app,
            Request::post(uri)
                .header(header::COOKIE, &self.cookie)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(encoded))
                .unwrap(),
        )
        .await
    }

    pub async fn post_json(&self, app: &axum::Router, uri: &str, json: serde_json::Value) -> Resp {
        send(
            app,
            Request::post(uri)
                .header(header::COOKIE, &self.cookie)
                .header("x-csrf-token", &self.csrf)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json.to_string()))
                .unwrap(),
        )
        .await
    }
}

impl Client {
    /// Posts one file as `multipart/form-data` with the CSRF token.
    pub async fn post_file(
        &self,
        app: &axum::Router,
        uri: &str,
        field: &str,
        filename: &str,
        data: &[u8],
    ) -> Resp {
        self.post_multipart(app, uri, &[], Some((field, filename, data)))
            .await
    }

    /// Posts text fields and at most one file as `multipart/form-data` with the CSRF token.
    pub async fn post_multipart(
        &self,
        app: &axum::Router,
        uri: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &[u8])>,
    ) -> Resp {
        let boundary = "XIANFENGBOUNDARY";
        let mut body = Vec::new();
        let mut text = vec![("_csrf", self.csrf.as_str())];
        text.extend_from_slice(fields);
        for (k, v) in text {
            body.extend(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        if let Some((field, filename, data)) = file {
            body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n").as_bytes());
            body.extend(data);
            body.extend(b"\r\n");
        }
        body.extend(format!("--{boundary}--\r\n").as_bytes());
        send(
            app,
            Request::post(uri)
                .header(header::COOKIE, &self.cookie)
                .header(
                    header::CONTENT_TYPE,
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(Body::from(body))
                .unwrap(),
        )
        .await
    }
}

pub fn enc(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Runs the HTTP part of a test on a runtime; store setup and cleanup stay outside it because
/// the synchronous PostgreSQL client may not block inside async code.
pub fn run<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

/// Store access from inside `run`.
pub fn sync<T>(f: impl FnOnce() -> T) -> T {
    tokio::task::block_in_place(f)
}
