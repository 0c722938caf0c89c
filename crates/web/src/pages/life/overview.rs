//! 组织生活 pages: an organisation's compliance with each cadence rule, the heatmap, the list of
//! organisations missing an activity, members' year, and 政治生日.
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use serde::Deserialize;
use xianfeng_domain::cadence::{CadenceRule, Period};
use xianfeng_domain::date;
use xianfeng_domain::life::MemberYear;
use xianfeng_domain::org::Org;
use xianfeng_domain::rules::Rules;
use xianfeng_store::life::compliance::{self, Heatmap, Standing, Summary};
use xianfeng_store::life::training::Birthday;
use xianfeng_store::{engines::cadence, engines::rollup, life::meetings, life::training, settings};

use crate::pages::shared::{with_org, year_of, YearQuery};
use crate::pages::{render, Ctx};
use crate::session::Session;
use crate::{AppError, AppState};

fn require_lister(s: &Session, org: &Org) -> Result<(), AppError> {
    if s.actor.can_list_members(&org.path) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn home(s: Session) -> Response {
    Redirect::to(&format!("/orgs/{}/life", s.actor.scope_org_id)).into_response()
}

#[derive(Template)]
#[template(path = "life/life.html")]
struct LifePage {
    ctx: Ctx,
    org: Org,
    crumbs: Vec<(i64, String)>,
    today: String,
    standing: Vec<Standing>,
    summary: Vec<Summary>,
    recent: Vec<meetings::Meeting>,
    members: i64,
    trained: i64,
    talked: i64,
    rules: Rules,
    can_record: bool,
    can_town: bool,
}

pub async fn page(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let today = date::today();
    let (org, crumbs, (standing, summary, recent, counts, rules)) =
        with_org(&state, &s, id, move |c, org| {
            let standing = compliance::standing(c, org, today)?;
            let summary = compliance::summary(c, org, today)?;
            let recent = meetings::list(c, &org.path, &Default::default(), 8, 0)?;
            let year = today.year().to_string();
            let counts = (
                rollup::get(c, org.id, rollup::MEMBERS, "")?.1,
                rollup::get(c, org.id, training::TRAINED, &year)?.1,
                rollup::get(c, org.id, meetings::TALK_OK, &year)?.1,
            );
            Ok((standing, summary, recent, counts, settings::rules(c)?))
        })
        .await?;
    require_lister(&s, &org)?;
    render(&LifePage {
        ctx: Ctx::new(&s, "life"),
        can_record: s.actor.can_record_life(&org.path) && org.dissolved_on.is_none(),
        can_town: s.actor.can_manage_town(&org.path) && org.kind.is_committee(),
        today: date::format_cn(today),
        crumbs,
        standing,
        summary: summary.into_iter().filter(|x| x.bound > 0).collect(),
        recent,
        members: counts.0,
        trained: counts.1,
        talked: counts.2,
        rules,
        org,
    })
}

#[derive(Deserialize, Default)]
pub struct HeatQuery {
    #[serde(default)]
    activity: String,
    #[serde(default)]
    year: String,
}

#[derive(Template)]
#[template(path = "life/heatmap.html")]
struct HeatPage {
    ctx: Ctx,
    org: Org,
    crumbs: Vec<(i64, String)>,
    heat: Heatmap,
    activities: Vec<(String, bool)>,
    year: i32,
    years: Vec<i32>,
}

fn pick_rule(
    rules: Vec<CadenceRule>,
    activity: &str,
) -> Result<(CadenceRule, Vec<(String, bool)>), AppError> {
    let chosen = rules
        .iter()
        .find(|r| r.activity == activity)
        .or_else(|| rules.iter().find(|r| r.activity == "主题党日"))
        .or(rules.first())
        .cloned()
        .ok_or(AppError::NotFound("频次规则"))?;
    let options = rules
        .iter()
        .map(|r| (r.activity.clone(), r.activity == chosen.activity))
        .collect();
    Ok((chosen, options))
}

pub async fn heatmap(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Query(q): Query<HeatQuery>,
) -> Result<Response, AppError> {
    let today = date::today();
    let year = year_of(&q.year);
    let activity = q.activity.clone();
    let (org, crumbs, (heat, activities)) = with_org(&state, &s, id, move |c, org| {
        let rules = cadence::effective(c, &org.path)?;
        let Ok((rule, options)) = pick_rule(rules, &activity) else {
            return Err(AppError::NotFound("频次规则"));
        };
        let rules = settings::rules(c)?;
        let heat = compliance::heatmap(c, org, &rule, year, today, &rules)?;
        Ok((heat, options))
    })
    .await?;
    require_lister(&s, &org)?;
    render(&HeatPage {
        ctx: Ctx::new(&s, "life"),
        org,
        crumbs,
        heat,
        activities,
        year,
        years: (today.year() - 2..=today.year()).rev().collect(),
    })
}

#[derive(Template)]
#[template(path = "life/missing.html")]
struct MissingPage {
    ctx: Ctx,
    org: Org,
    crumbs: Vec<(i64, String)>,
    rule: CadenceRule,
    period: Period,
    rows: Vec<(Org, i64, String, &'static str)>,
    activities: Vec<(String, bool)>,
    prev: bool,
}

#[derive(Deserialize, Default)]
pub struct MissingQuery {
    #[serde(default)]
    activity: String,
    /// "1": the previous period (what was missed), otherwise the current one.
    #[serde(default)]
    prev: String,
}

pub async fn missing(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Query(q): Query<MissingQuery>,
) -> Result<Response, AppError> {
    let today = date::today();
    let prev = q.prev == "1";
    let activity = q.activity.clone();
    let (org, crumbs, (rule, period, rows, activities)) =
        with_org(&state, &s, id, move |c, org| {
            let rules = cadence::effective(c, &org.path)?;
            let Ok((rule, options)) = pick_rule(rules, &activity) else {
                return Err(AppError::NotFound("频次规则"));
            };
            let mut period = Period::containing(rule.frequency, today);
            if prev {
                period = period.prev();
            }
            let rows = compliance::missing(c, org, &rule, &period, today, 500)?
                .into_iter()
                .map(|(o, n, st)| (o, n, st.label().to_string(), st.colour()))
                .collect();
            Ok((rule, period, rows, options))
        })
        .await?;
    require_lister(&s, &org)?;
    render(&MissingPage {
        ctx: Ctx::new(&s, "life"),
        org,
        crumbs,
        rule,
        period,
        rows,
        activities,
        prev,
    })
}

#[derive(Template)]
#[template(path = "life/life_members.html")]
struct MembersPage {
    ctx: Ctx,
    org: Org,
    crumbs: Vec<(i64, String)>,
    year: i32,
    rows: Vec<(i64, String, MemberYear)>,
    rules: Rules,
}

/// Members of one branch with their year: attendance rate, training hours, talks.
pub async fn members(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    let year = year_of(&q.year);
    let (org, crumbs, (rows, rules)) = with_org(&state, &s, id, move |c, org| {
        Ok((training::branch_year(c, org.id, year)?, settings::rules(c)?))
    })
    .await?;
    require_lister(&s, &org)?;
    render(&MembersPage {
        ctx: Ctx::new(&s, "life"),
        org,
        crumbs,
        year,
        rows,
        rules,
    })
}

#[derive(Template)]
#[template(path = "life/birthdays.html")]
struct BirthdayPage {
    ctx: Ctx,
    org: Org,
    crumbs: Vec<(i64, String)>,
    rows: Vec<Birthday>,
    months: String,
}

/// Members whose 政治生日 falls this month or next: a page to print or show.
pub async fn birthdays(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let today = date::today();
    let (org, crumbs, rows) = with_org(&state, &s, id, move |c, org| {
        Ok(training::birthdays(c, &org.path, today)?)
    })
    .await?;
    require_lister(&s, &org)?;
    render(&BirthdayPage {
        ctx: Ctx::new(&s, "life"),
        org,
        crumbs,
        rows,
        months: format!("{}月、{}月", today.month(), today.month() % 12 + 1),
    })
}
