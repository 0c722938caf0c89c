//! Training pages: courses of the year and recording one with its participants' hours.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use xianfeng_domain::date;
use xianfeng_domain::life::TrainingInput;
use xianfeng_domain::org::Org;
use xianfeng_store::life::training::{self, Training};
use xianfeng_store::settings;

use crate::pages::form::CsrfForm;
use crate::pages::shared::with_org;
use crate::pages::{render_as, Ctx, FieldErrors};
use crate::session::Session;
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "life/trainings.html")]
struct Page {
    ctx: Ctx,
    org: Org,
    crumbs: Vec<(i64, String)>,
    year: i32,
    items: Vec<Training>,
    people: Vec<(i64, String, bool)>,
    input: TrainingInput,
    errors: FieldErrors,
    can_record: bool,
    need: i64,
}

/// The year's courses and the form, with `ctx` built by the caller (a plain view, or a refused
/// form shown again with what was typed).
async fn page(
    state: &AppState,
    s: &Session,
    ctx: Ctx,
    id: i64,
    input: TrainingInput,
    chosen: Vec<i64>,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    let year = date::today().year();
    let (org, crumbs, (items, people, need)) = with_org(state, s, id, move |c, org| {
        let items = training::list(c, &org.path, year)?;
        let people = xianfeng_store::life::meetings::roster_at(c, org, &date::today().to_string())?;
        Ok((items, people, settings::rules(c)?.training_hours_per_year))
    })
    .await?;
    if !s.actor.can_list_members(&org.path) {
        return Err(AppError::Forbidden);
    }
    render_as(
        ctx.status(),
        &Page {
            ctx,
            can_record: s.actor.can_record_life(&org.path) && !people.is_empty(),
            people: people
                .into_iter()
                .map(|(i, n)| (i, n, chosen.is_empty() || chosen.contains(&i)))
                .collect(),
            org,
            crumbs,
            year,
            items,
            input,
            errors,
            need,
        },
    )
}

pub async fn list(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let input = TrainingInput {
        date: date::today().to_string(),
        hours: "8".into(),
        ..Default::default()
    };
    let ctx = Ctx::new(&s, "life");
    page(&state, &s, ctx, id, input, vec![], FieldErrors::default()).await
}

/// The members ticked on the form (`member`, repeated). A value that is not a number was not
/// offered by the form and is refused rather than dropped.
fn chosen_members(kept: &crate::pages::form::Kept) -> Result<Vec<i64>, xianfeng_domain::Invalid> {
    kept.fields
        .iter()
        .filter(|(k, _)| k == "member")
        .map(|(_, v)| v.trim().parse::<i64>())
        .collect::<Result<_, _>>()
        .map_err(|_| {
            xianfeng_domain::Invalid::one("members", "参训党员", "参训党员有误，请重新勾选")
        })
}

pub async fn create(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(input, kept): CsrfForm<TrainingInput>,
) -> Result<Response, AppError> {
    let (org, _, _) = with_org(&state, &s, id, |_, _| Ok(())).await?;
    if !s.actor.can_record_life(&org.path) {
        return Err(AppError::Forbidden);
    }
    let (actor, i, k) = (s.actor.clone(), input.clone(), kept.clone());
    let result = crate::pages::write(&state, move |c| {
        let ids = chosen_members(&k)?;
        let d = i.validate(date::today())?;
        Ok(training::create(c, Some(&actor), &org, &d, &ids)?)
    })
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{id}/training")).into_response()),
        Err(e) => {
            let errors = FieldErrors::of(&e);
            let ctx = Ctx::new(&s, "life").refusal(e, &kept)?;
            let chosen = chosen_members(&kept).unwrap_or_default();
            page(&state, &s, ctx, id, input, chosen, errors).await
        }
    }
}
