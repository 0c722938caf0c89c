//! Sessions: the cookie, the signed-in actor, CSRF checks (the login form's too), login with
//! throttling.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use xianfeng_domain::auth::{verify_password, Actor};
use xianfeng_domain::login::{self, Gate};
use xianfeng_store::{people::accounts, settings, Store};

use crate::error::ApiError;
use crate::{blocking, AppError, AppState};

pub const COOKIE: &str = "xf_session";

/// A signed-in caller.
#[derive(Debug, Clone)]
pub struct Session {
    pub actor: Actor,
    pub csrf: String,
    pub token: String,
    /// The notice a redirect after a successful form carried (`?ok=…`), shown once by the layout.
    pub notice: String,
    /// How many to-do items are open, for the navigation: counted once per page request (see
    /// `draws_layout`), `None` for other requests.
    pub todo_count: Option<i64>,
}

impl Session {
    /// Compares a submitted CSRF token with the session's, in constant time.
    pub fn check_csrf(&self, submitted: &str) -> Result<(), AppError> {
        let a = self.csrf.as_bytes();
        let b = submitted.as_bytes();
        let same =
            a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0;
        if same {
            Ok(())
        } else {
            Err(AppError::Csrf)
        }
    }
}

fn cookie_token(parts: &Parts) -> Option<String> {
    cookie_value(&parts.headers, COOKIE).filter(|v| v.len() <= 128)
}

/// The caller's address (the socket peer).
pub fn client_ip(parts: &Parts) -> String {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// The `ok` notice in the request's query string, if any.
fn notice_of(parts: &Parts) -> String {
    parts
        .uri
        .query()
        .and_then(|q| {
            serde_urlencoded::from_str::<Vec<(String, String)>>(q)
                .ok()?
                .into_iter()
                .find(|(k, _)| k == "ok")
                .map(|(_, v)| v)
        })
        .map(|v| v.chars().take(200).collect())
        .unwrap_or_default()
}

/// Whether the request is for a page drawn in the layout (a GET of a page, not the API, a
/// file, a picture or a download), so the navigation's to-do count is worth reading.
fn draws_layout(parts: &Parts) -> bool {
    let path = parts.uri.path();
    let last = path.rsplit('/').next().unwrap_or("");
    parts.method == axum::http::Method::GET
        && !path.starts_with("/api/")
        && !path.contains("/files/")
        && !path.contains("/photos/")
        && !last.contains('.')
}

/// The caller's session, looked up once per request (later extractors reuse it).
async fn load(parts: &mut Parts, state: &AppState) -> Result<Option<Session>, AppError> {
    if let Some(cached) = parts.extensions.get::<Option<Session>>() {
        return Ok(cached.clone());
    }
    let Some(token) = cookie_token(parts) else {
        return Ok(None);
    };
    let t = token.clone();
    let count = draws_layout(parts);
    let found = blocking(state, move |s| {
        Ok(s.read(|c| -> xianfeng_store::Result<_> {
            let Some((actor, csrf)) = accounts::session(c, &t)? else {
                return Ok(None);
            };
            let todo = if count {
                Some(xianfeng_store::todo::count(
                    c,
                    &actor,
                    xianfeng_domain::date::today(),
                )?)
            } else {
                None
            };
            Ok(Some((actor, csrf, todo)))
        })?)
    })
    .await?;
    let notice = notice_of(parts);
    let session = found.map(|(actor, csrf, todo_count)| Session {
        actor,
        csrf,
        token,
        notice,
        todo_count,
    });
    parts.extensions.insert(session.clone());
    Ok(session)
}

/// Optional session (login page, public pages).
pub struct MaybeSession(pub Option<Session>);

impl FromRequestParts<AppState> for MaybeSession {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        Ok(MaybeSession(load(parts, state).await?))
    }
}

/// Pages: a signed-in caller, or a redirect to the login page.
impl FromRequestParts<AppState> for Session {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        match load(parts, state).await {
            Ok(Some(s)) => Ok(s),
            Ok(None) => {
                let next = parts
                    .uri
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                let target = format!("/login?next={}", urlencode(next));
                Err(Redirect::to(&target).into_response())
            }
            Err(e) => Err(e.into_response()),
        }
    }
}

/// API: a signed-in caller, or 401 JSON.
pub struct ApiSession(pub Session);

impl FromRequestParts<AppState> for ApiSession {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        match load(parts, state).await? {
            Some(s) => Ok(ApiSession(s)),
            None => Err(ApiError(AppError::Unauthenticated)),
        }
    }
}

/// The peer address as an extractor.
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, AppError> {
        Ok(ClientIp(client_ip(parts)))
    }
}

pub fn urlencode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A known hash to verify against when the account does not exist, so timing does not tell.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$Qm9ndXNIYXNoVmFsdWVGb3JUaW1pbmdPbmx5MTIzNDU";

fn too_many(minutes: i64) -> AppError {
    AppError::TooMany(format!("登录失败次数过多，请{minutes}分钟后再试"))
}

/// Checks credentials, throttled per (user name, address) pair and, for user names that do
/// not exist, per address (see `xianfeng_domain::login`); returns `(token, csrf)`.
pub fn login(
    store: &Store,
    username: &str,
    password: &str,
    ip: &str,
) -> Result<(String, String), AppError> {
    let username = xianfeng_domain::text::normalize(username);
    if username.is_empty() || password.is_empty() {
        return Err(
            xianfeng_domain::Invalid::one("username", "用户名", "请输入用户名和密码").into(),
        );
    }
    let address = login::network_of(ip);
    let now = accounts::epoch();
    let (rules, creds, pair, unknown) = store.read(|c| -> xianfeng_store::Result<_> {
        let rules = settings::rules(c)?;
        let creds = accounts::credentials(c, &username)?;
        let forget_before = now - rules.login_forget_hours * 3600;
        let pair = accounts::login_pair(c, &username, &address, forget_before)?;
        let window_start = now - rules.login_window_minutes * 60;
        let unknown = accounts::unknown_failures(c, &address, window_start)?;
        Ok((rules, creds, pair, unknown))
    })?;
    if let Gate::Refuse { minutes } = login::gate(&rules, pair, unknown, now) {
        return Err(too_many(minutes));
    }
    let ok = match &creds {
        Some((_, hash)) => verify_password(password, hash),
        None => {
            let _ = verify_password(password, DUMMY_HASH);
            false
        }
    };
    match (ok, creds) {
        (true, Some((account_id, _))) => Ok(store.write(|c| {
            accounts::login_succeeded(c, &username, &address)?;
            accounts::start_session(c, account_id, rules.session_hours, ip)
        })?),
        (_, creds) => {
            let failure = accounts::Failure {
                username: &username,
                address: &address,
                account_id: creds.map(|(id, _)| id),
            };
            let after = store.write(|c| accounts::login_failed(c, &rules, &failure, now))?;
            Err(match after.refuse_minutes {
                Some(minutes) => too_many(minutes),
                None => AppError::BadCredentials,
            })
        }
    }
}

/// The cookie that carries the login form's token (see `login_form_token`).
pub const LOGIN_COOKIE: &str = "xf_login";

/// A fresh token for the login form, signed with the store's login-form key; the same value
/// goes into the `xf_login` cookie and the form's `_csrf` field.
pub fn login_form_token(store: &Store) -> String {
    let mut nonce = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut nonce);
    let key = store.vault.derive_key("login-csrf");
    login::form_token(&key, accounts::epoch(), &hex::encode(nonce))
}

/// Checks a posted login form: its `_csrf` field equals the `xf_login` cookie, and the token
/// is ours and no older than a session may last.
pub fn check_login_form(
    store: &Store,
    cookie: Option<&str>,
    submitted: &str,
    max_age_hours: i64,
) -> Result<(), AppError> {
    let Some(cookie) = cookie else {
        return Err(AppError::Csrf);
    };
    let same = cookie.len() == submitted.len()
        && cookie
            .bytes()
            .zip(submitted.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0;
    let key = store.vault.derive_key("login-csrf");
    if same && login::form_token_valid(&key, cookie, accounts::epoch(), max_age_hours * 3600) {
        Ok(())
    } else {
        Err(AppError::Csrf)
    }
}

/// The value of the cookie `name` in the request's headers.
pub fn cookie_value(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
        .filter(|v| !v.is_empty() && v.len() <= 256)
}

/// The `Set-Cookie` value for the login form's token: only sent back to `/login`, never from
/// another site's page.
pub fn login_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{LOGIN_COOKIE}={token}; Path=/login; HttpOnly; SameSite=Strict{secure}")
}

/// The `Set-Cookie` value for a new session (or a cleared one when `token` is empty).
pub fn cookie(token: &str, secure: bool) -> String {
    let max_age = if token.is_empty() { "; Max-Age=0" } else { "" };
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}{max_age}")
}
