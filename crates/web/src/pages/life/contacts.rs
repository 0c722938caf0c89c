//! 联系点 pages of a town: links of leaders and instructors to villages, visits, and breaches
//! of the configured bounds.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use serde::Deserialize;
use xianfeng_domain::contact::{violations, ContactRole};
use xianfeng_domain::date;
use xianfeng_domain::org::Org;
use xianfeng_store::life::contacts::{self, LinkRow};
use xianfeng_store::settings;

use crate::pages::form::{empty_as_none, CsrfForm, Kept};
use crate::pages::shared::with_org;
use crate::pages::{render_as, Ctx};
use crate::session::Session;
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "life/contacts.html")]
struct Page {
    ctx: Ctx,
    org: Org,
    crumbs: Vec<(i64, String)>,
    links: Vec<LinkRow>,
    villages: Vec<(i64, String)>,
    people: Vec<(i64, String)>,
    problems: Vec<String>,
    today: String,
}

/// The town's 联系点 page, with `ctx` built by the caller (a plain view, or a refused form).
async fn show(state: &AppState, s: &Session, id: i64, ctx: Ctx) -> Result<Response, AppError> {
    let today = date::today();
    let (org, crumbs, (links, villages, people, rules)) = with_org(state, s, id, move |c, org| {
        let links = contacts::links(c, org, today.year())?;
        let villages: Vec<(i64, String)> = contacts::villages(c, org)?
            .into_iter()
            .map(|v| (v.id, v.name))
            .collect();
        Ok((
            links,
            villages,
            contacts::candidates(c, org)?,
            settings::rules(c)?,
        ))
    })
    .await?;
    if !s.actor.can_manage_town(&org.path) || !org.kind.is_committee() {
        return Err(AppError::Forbidden);
    }
    let as_links: Vec<_> = links.iter().map(|l| l.as_link()).collect();
    let problems = violations(&as_links, &villages, &rules, today);
    render_as(
        ctx.status(),
        &Page {
            ctx,
            org,
            crumbs,
            links,
            villages,
            people,
            problems,
            today: today.to_string(),
        },
    )
}

pub async fn page(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    show(&state, &s, id, Ctx::new(&s, "life")).await
}

#[derive(Deserialize, Default)]
pub struct AssignForm {
    #[serde(default, deserialize_with = "empty_as_none")]
    village_id: Option<i64>,
    #[serde(default, deserialize_with = "empty_as_none")]
    member_id: Option<i64>,
    #[serde(default)]
    role: String,
}

async fn town(state: &AppState, s: &Session, id: i64) -> Result<Org, AppError> {
    let (org, _, _) = with_org(state, s, id, |_, _| Ok(())).await?;
    if !s.actor.can_manage_town(&org.path) || !org.kind.is_committee() {
        return Err(AppError::Forbidden);
    }
    Ok(org)
}

/// The page again after a refused form, with what was typed put back.
async fn refused(
    state: &AppState,
    s: &Session,
    id: i64,
    e: AppError,
    kept: &Kept,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(s, "life").refusal(e, kept)?;
    show(state, s, id, ctx).await
}

pub async fn assign(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<AssignForm>,
) -> Result<Response, AppError> {
    let org = town(&state, &s, id).await?;
    let actor = s.actor.clone();
    let result = crate::pages::write(&state, move |c| {
        let role = ContactRole::parse(&f.role).ok_or_else(|| {
            xianfeng_domain::Invalid::one("role", "身份", "请选择联系领导或指导员")
        })?;
        let village = f
            .village_id
            .ok_or_else(|| xianfeng_domain::Invalid::one("village_id", "联系村", "请选择村"))?;
        let member = f
            .member_id
            .ok_or_else(|| xianfeng_domain::Invalid::one("member_id", "联系人", "请选择人员"))?;
        Ok(contacts::assign(
            c,
            &actor,
            &org,
            village,
            member,
            role,
            date::today(),
        )?)
    })
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{id}/contacts")).into_response()),
        Err(e) => refused(&state, &s, id, e, &kept).await,
    }
}

#[derive(Deserialize, Default)]
pub struct VisitForm {
    #[serde(default)]
    visited_on: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    end: String,
}

/// Records a visit on a link, or ends the link.
pub async fn visit(
    State(state): State<AppState>,
    s: Session,
    Path(link_id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<VisitForm>,
) -> Result<Response, AppError> {
    let town_id = crate::pages::read(&state, move |c| Ok(contacts::town_of(c, link_id)?))
        .await?
        .ok_or(AppError::NotFound("联系关系"))?;
    let org = town(&state, &s, town_id).await?;
    let actor = s.actor.clone();
    let result = crate::pages::write(&state, move |c| {
        let today = date::today();
        if f.end == "1" {
            return Ok(contacts::end(c, &actor, &org, link_id, today)?);
        }
        let on = date::parse(&f.visited_on).ok_or_else(|| {
            xianfeng_domain::Invalid::one("visited_on", "走访日期", "日期格式应为 2026-11-22")
        })?;
        Ok(contacts::visit(c, &actor, &org, link_id, on, &f.note, today).map(|_| ())?)
    })
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/orgs/{town_id}/contacts")).into_response()),
        Err(e) => refused(&state, &s, town_id, e, &kept).await,
    }
}
