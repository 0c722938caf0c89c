use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use xianfeng_store::{people::accounts, settings};

use super::form::CsrfForm;
use super::render;
use crate::session::{self, ClientIp, MaybeSession, Session};
use crate::{blocking, AppError, AppState};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    next: String,
    username: String,
    error: String,
    csrf: String,
}

#[derive(Deserialize, Default)]
pub struct NextQuery {
    #[serde(default)]
    next: String,
}

/// Only same-site relative targets are followed after login.
fn safe_next(next: &str) -> String {
    if next.starts_with('/') && !next.starts_with("//") && !next.contains('\\') {
        next.to_string()
    } else {
        "/todo".into()
    }
}

/// The login page with its form token (`token`, or a fresh one), set in its cookie as well.
fn login_page(
    state: &AppState,
    status: StatusCode,
    token: Option<String>,
    next: String,
    username: String,
    error: String,
) -> Result<Response, AppError> {
    let csrf = token.unwrap_or_else(|| session::login_form_token(&state.store));
    let page = LoginPage {
        next,
        username,
        error,
        csrf: csrf.clone(),
    };
    Ok((
        status,
        [(
            SET_COOKIE,
            session::login_cookie(&csrf, state.secure_cookies),
        )],
        render(&page)?,
    )
        .into_response())
}

/// The login page. A browser that still holds a good token keeps it, so a second tab's
/// login form is not turned away by the first's.
pub async fn login_form(
    State(state): State<AppState>,
    MaybeSession(s): MaybeSession,
    Query(q): Query<NextQuery>,
    headers: HeaderMap,
) -> Result<Response, AppError> {
    if s.is_some() {
        return Ok(Redirect::to(&safe_next(&q.next)).into_response());
    }
    let held = session::cookie_value(&headers, session::LOGIN_COOKIE);
    let token = blocking(&state, move |s| {
        let hours = s.read(|c| settings::rules(c))?.session_hours;
        Ok(held.filter(|t| session::check_login_form(s, Some(t), t, hours).is_ok()))
    })
    .await?;
    login_page(
        &state,
        StatusCode::OK,
        token,
        safe_next(&q.next),
        String::new(),
        String::new(),
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default, rename = "_csrf")]
    csrf: String,
}

/// Signs in from the login form: its token first (a form posted from another site's page has
/// none), then the throttled password check.
pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    let (u, p, token) = (f.username.clone(), f.password.clone(), f.csrf.clone());
    let cookie = session::cookie_value(&headers, session::LOGIN_COOKIE);
    let result = blocking(&state, move |s| {
        let hours = s.read(|c| settings::rules(c))?.session_hours;
        session::check_login_form(s, cookie.as_deref(), &token, hours)?;
        session::login(s, &u, &p, &ip)
    })
    .await;
    match result {
        Ok((token, _)) => Ok((
            [(SET_COOKIE, session::cookie(&token, state.secure_cookies))],
            Redirect::to(&safe_next(&f.next)),
        )
            .into_response()),
        Err(AppError::Csrf) => login_page(
            &state,
            StatusCode::FORBIDDEN,
            None,
            safe_next(&f.next),
            f.username,
            "登录页已过期，请重新输入密码登录".into(),
        ),
        Err(e @ (AppError::BadCredentials | AppError::TooMany(_) | AppError::Invalid(_))) => {
            login_page(
                &state,
                e.status(),
                None,
                safe_next(&f.next),
                f.username,
                e.to_string(),
            )
        }
        Err(e) => Err(e),
    }
}

pub async fn logout(
    State(state): State<AppState>,
    s: Session,
    _: CsrfForm<super::CsrfOnly>,
) -> Result<Response, AppError> {
    let token = s.token.clone();
    super::write(&state, move |c| Ok(accounts::end_session(c, &token)?)).await?;
    Ok((
        [(SET_COOKIE, session::cookie("", state.secure_cookies))],
        Redirect::to("/login"),
    )
        .into_response())
}
