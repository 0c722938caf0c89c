//! 评星定级 pages: a subtree's branch and member stars for a year, recomputing a branch's
//! ratings from the latest records, the branch's own grades for 支部评定 items, and a
//! member's star history with what each month was made of.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::Form;
use chrono::Datelike;
use xianfeng_domain::org::Org;
use xianfeng_domain::stars::{MemberScheme, Source};
use xianfeng_store::recognition::stars::{self, Rating};
use xianfeng_store::{people::members, people::orgs};

use super::shared::with_org;
use super::shared::with_status;
use super::shared::{year_of, YearQuery};
use super::{done, field, render, settle, write, Ctx, Pairs};
use crate::session::Session;
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "stars.html")]
struct StarsPage {
    ctx: Ctx,
    org: Org,
    crumbs: Vec<(i64, String)>,
    year: i32,
    branches: Vec<Rating>,
    members: Vec<Rating>,
    scheme: MemberScheme,
    granted: Vec<(String, u32)>,
    month: String,
    can_rate: bool,
    notice: String,
    error: String,
}

async fn page(
    state: &AppState,
    s: &Session,
    id: i64,
    year: i32,
    notice: String,
    error: (StatusCode, String),
) -> Result<Response, AppError> {
    let (org, crumbs, (branches, members, scheme)) = with_org(state, s, id, move |c, org| {
        Ok((
            stars::board(c, &org.path, "branch_year", year)?,
            stars::board(c, &org.path, "member_year", year)?,
            stars::member_scheme(c)?,
        ))
    })
    .await?;
    if !s.actor.can_list_members(&org.path) {
        return Err(AppError::Forbidden);
    }
    let today = xianfeng_domain::date::today();
    let p = StarsPage {
        ctx: Ctx::new(s, "stars"),
        can_rate: org.kind.is_branch() && s.actor.can_record_life(&org.path),
        granted: scheme
            .items
            .iter()
            .filter(|i| i.source == Source::Granted)
            .map(|i| (i.name.clone(), i.max))
            .collect(),
        org,
        crumbs,
        year,
        branches,
        members,
        scheme,
        month: today.format("%Y-%m").to_string(),
        notice,
        error: error.1,
    };
    Ok(with_status(error.0, render(&p)?))
}

pub async fn show(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    page(
        &state,
        &s,
        id,
        year_of(&q.year),
        q.ok,
        (StatusCode::OK, String::new()),
    )
    .await
}

/// Recomputes this month and the year for a branch from the latest records.
pub async fn rate(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Form(f): Form<Pairs>,
) -> Result<Response, AppError> {
    s.check_csrf(&field(&f, "_csrf"))?;
    let actor = s.actor.clone();
    let today = xianfeng_domain::date::today();
    let r = write(&state, move |c| {
        let org = orgs::require(c, id)?;
        if !org.kind.is_branch() || !actor.can_record_life(&org.path) {
            return Err(
                xianfeng_domain::Invalid::one("org", "评星单位", "请在支部页面评定").into(),
            );
        }
        stars::rate_month(c, &org, today)?;
        Ok(stars::rate_year(c, Some(&actor), &org, today.year())?)
    })
    .await;
    settle(
        r,
        |n| {
            done(
                &format!("/orgs/{id}/stars"),
                &format!("已按最新记录评定 {n} 名党员和本支部的星级"),
            )
        },
        |e| page(&state, &s, id, today.year(), String::new(), e),
    )
    .await
}

/// The branch's points for a 支部评定 item, one member and month.
pub async fn grant(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Form(f): Form<Pairs>,
) -> Result<Response, AppError> {
    s.check_csrf(&field(&f, "_csrf"))?;
    let member: i64 = field(&f, "member").parse().unwrap_or(0);
    let (month, item, points) = (field(&f, "month"), field(&f, "item"), field(&f, "points"));
    let actor = s.actor.clone();
    let r = write(&state, move |c| {
        let m = members::require(c, member)?;
        if m.member.org_id != id {
            return Err(xianfeng_domain::Invalid::one("member", "党员", "须为本支部党员").into());
        }
        Ok(stars::grant(c, &actor, member, &month, &item, &points)?)
    })
    .await;
    let year = xianfeng_domain::date::today().year();
    settle(
        r,
        |()| done(&format!("/orgs/{id}/stars"), "已记录，重新评定后计入"),
        |e| page(&state, &s, id, year, String::new(), e),
    )
    .await
}

#[derive(Template)]
#[template(path = "member_stars.html")]
struct HistoryPage {
    ctx: Ctx,
    member_id: i64,
    name: String,
    history: Vec<Rating>,
}

/// Every rating of one member, newest first, with what made each.
pub async fn history(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let (name, history) = super::read(&state, move |c| {
        let m = members::require(c, id)?;
        if !actor.can_read_member(&m.org_path, id) {
            return Err(AppError::NotFound("党员"));
        }
        Ok((
            m.member.name.clone(),
            stars::history(c, &["member_month", "member_year"], id)?,
        ))
    })
    .await?;
    render(&HistoryPage {
        ctx: Ctx::new(&s, "stars"),
        member_id: id,
        name,
        history,
    })
}
