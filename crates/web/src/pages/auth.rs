use askama::Template;
use axum::extract::{Query, State};
use axum::http::header::SET_COOKIE;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use xianfeng_store::people::accounts;

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
        "/".into()
    }
}

pub async fn login_form(
    MaybeSession(s): MaybeSession,
    Query(q): Query<NextQuery>,
) -> Result<Response, AppError> {
    if s.is_some() {
        return Ok(Redirect::to(&safe_next(&q.next)).into_response());
    }
    render(&LoginPage {
        next: safe_next(&q.next),
        username: String::new(),
        error: String::new(),
    })
}

#[derive(Deserialize)]
pub struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn login(
    State(state): State<AppState>,
    ClientIp(ip): ClientIp,
    Form(f): Form<LoginForm>,
) -> Result<Response, AppError> {
    let (u, p) = (f.username.clone(), f.password.clone());
    let result = blocking(&state, move |s| session::login(s, &u, &p, &ip)).await;
    match result {
        Ok((token, _)) => Ok((
            [(SET_COOKIE, session::cookie(&token, state.secure_cookies))],
            Redirect::to(&safe_next(&f.next)),
        )
            .into_response()),
        Err(e @ (AppError::BadCredentials | AppError::TooMany(_) | AppError::Invalid(_))) => {
            let status = e.status();
            let page = LoginPage {
                next: safe_next(&f.next),
                username: f.username,
                error: e.to_string(),
            };
            Ok((status, render(&page)?).into_response())
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
