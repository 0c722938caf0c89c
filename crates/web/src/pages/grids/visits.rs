//! 走访 pages: a visit recorded on a household (by a cadre for anyone, by a member for the
//! households they link), and 我的联户: a member's linked households and the visits due.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xianfeng_domain::date;
use xianfeng_domain::grid::VisitInput;
use xianfeng_store::grids::links;
use xianfeng_store::grids::visits::{self, Due};
use xianfeng_store::people::households::Household;

use crate::pages::form::{empty_as_none, CsrfForm, Kept};
use crate::pages::{done, render_as, Ctx};
use crate::session::Session;
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "grids/mine.html")]
struct Mine {
    ctx: Ctx,
    due: Vec<Due>,
    households: Vec<Household>,
    today: String,
}

async fn show_mine(state: &AppState, s: &Session, ctx: Ctx) -> Result<Response, AppError> {
    let Some(member) = s.actor.member_id else {
        return Ok(Redirect::to("/grids").into_response());
    };
    let today = date::today();
    let (due, households) = crate::pages::read(state, move |c| {
        Ok((
            visits::due(c, member, today)?,
            links::households_of(c, member)?,
        ))
    })
    .await?;
    render_as(
        ctx.status(),
        &Mine {
            ctx,
            due,
            households,
            today: today.to_string(),
        },
    )
}

/// 我的联户: the signed-in member's households and the visits due.
pub async fn mine(State(state): State<AppState>, s: Session) -> Result<Response, AppError> {
    show_mine(&state, &s, Ctx::new(&s, "grids")).await
}

#[derive(Deserialize, Default)]
pub struct VisitForm {
    #[serde(default, deserialize_with = "empty_as_none")]
    member_id: Option<i64>,
    #[serde(default)]
    visitor: String,
    #[serde(flatten)]
    visit: VisitInput,
}

/// Records a visit to a household; back to its grid (or to 我的联户 for a member).
pub async fn record(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<VisitForm>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let result = crate::pages::write(&state, move |c| {
        let h = xianfeng_store::people::households::get(c, id)
            .map_err(|_| AppError::NotFound("农户"))?;
        // Scope first (a household out of reach is not found), then the typed visit.
        let linked = actor
            .member_id
            .map(|m| links::members_of(c, h.id).map(|ms| ms.iter().any(|(i, _)| *i == m)))
            .transpose()?
            .unwrap_or(false);
        if !actor.can_visit_household(&h.org_path, linked) {
            return Err(AppError::NotFound("农户"));
        }
        let d = f.visit.validate(date::today())?;
        visits::record(c, &actor, id, f.member_id, &f.visitor, &d)?;
        Ok(h.grid_id)
    })
    .await;
    let member = s.actor.role == xianfeng_domain::auth::Role::Member;
    match result {
        Ok(_) if member => Ok(done("/my/households", "已登记走访")),
        Ok(Some(g)) => Ok(done(&format!("/grids/{g}"), "已登记走访")),
        Ok(None) => Ok(done("/grids", "已登记走访")),
        Err(e) if member => refused_mine(&state, &s, e, &kept).await,
        Err(e) => {
            let actor = s.actor.clone();
            let place = crate::pages::read(&state, move |c| {
                let h = links::household(c, &actor, id)?;
                Ok((h.grid_id, h.org_id))
            })
            .await?;
            match place {
                (Some(g), _) => super::grid::refused(&state, &s, g, e, &kept).await,
                (None, org) => super::overview::refused(&state, &s, org, e, &kept).await,
            }
        }
    }
}

async fn refused_mine(
    state: &AppState,
    s: &Session,
    e: AppError,
    kept: &Kept,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(s, "grids").refusal(e, kept)?;
    show_mine(state, s, ctx).await
}
