//! Training pages: courses of the year and recording one with its participants' hours.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use chrono::Datelike;
use xianfeng_domain::date;
use xianfeng_domain::life::TrainingInput;
use xianfeng_domain::org::Org;
use xianfeng_store::life::training::{self, Training};
use xianfeng_store::settings;

use super::shared::with_org;
use super::{field as get, render_form, Ctx, FieldErrors, Pairs};
use crate::session::Session;
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "trainings.html")]
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

async fn page(
    state: &AppState,
    s: &Session,
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
    let failed = errors.any();
    render_form(
        &Page {
            ctx: Ctx::new(s, "life"),
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
        failed,
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
    page(&state, &s, id, input, vec![], FieldErrors::default()).await
}

pub async fn create(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Form(f): Form<Pairs>,
) -> Result<Response, AppError> {
    s.check_csrf(&get(&f, "_csrf"))?;
    let input = TrainingInput {
        title: get(&f, "title"),
        date: get(&f, "date"),
        hours: get(&f, "hours"),
        organiser: get(&f, "organiser"),
    };
    let chosen: Vec<i64> = f
        .iter()
        .filter(|(k, _)| k == "member")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let (org, _, _) = with_org(&state, &s, id, |_, _| Ok(())).await?;
    if !s.actor.can_record_life(&org.path) {
        return Err(AppError::Forbidden);
    }
    let (actor, i, ids) = (s.actor.clone(), input.clone(), chosen.clone());
    let result = super::write(&state, move |c| {
        let d = i.validate(date::today())?;
        Ok(training::create(c, Some(&actor), &org, &d, &ids)?)
    })
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{id}/training")).into_response()),
        Err(AppError::Invalid(e)) => {
            page(&state, &s, id, input, chosen, FieldErrors::from_invalid(&e)).await
        }
        Err(e) => Err(e),
    }
}
