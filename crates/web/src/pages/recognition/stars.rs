//! 评星定级 pages: a subtree's branch and member stars for a year, recomputing a branch's
//! ratings from the latest records, the branch's own grades for 支部评定 items, and a
//! member's star history with what each month was made of.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::Datelike;
use serde::Deserialize;
use xianfeng_domain::org::Org;
use xianfeng_domain::stars::{MemberScheme, Source};
use xianfeng_store::recognition::stars::{self, Rating};
use xianfeng_store::{people::members, people::orgs};

use crate::pages::form::{empty_as_none, CsrfForm, Kept};
use crate::pages::shared::with_org;
use crate::pages::shared::{year_of, YearQuery};
use crate::pages::{done, render, render_as, write, CsrfOnly, Ctx};
use crate::session::Session;
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "recognition/stars.html")]
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
    /// The organisation's public address (its notice board is at `/notice/{slug}`).
    slug: String,
}

async fn page(
    state: &AppState,
    s: &Session,
    id: i64,
    year: i32,
    ctx: Ctx,
) -> Result<Response, AppError> {
    let (org, crumbs, (branches, members, scheme, slug)) = with_org(state, s, id, move |c, org| {
        Ok((
            stars::board(c, &org.path, "branch_year", year)?,
            stars::board(c, &org.path, "member_year", year)?,
            stars::member_scheme(c)?,
            xianfeng_store::people::public_slugs::of(c, org.id)?,
        ))
    })
    .await?;
    if !s.actor.can_list_members(&org.path) {
        return Err(AppError::Forbidden);
    }
    let today = xianfeng_domain::date::today();
    let status = ctx.status();
    let p = StarsPage {
        ctx,
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
        slug,
    };
    render_as(status, &p)
}

/// The end of a form on the stars page: back to it with `notice`, or the page again (this
/// year's) with the refusal and what was typed.
async fn after<T>(
    state: &AppState,
    s: &Session,
    (id, kept): (i64, Kept),
    r: Result<T, AppError>,
    notice: impl FnOnce(T) -> String,
) -> Result<Response, AppError> {
    match r {
        Ok(v) => Ok(done(&format!("/orgs/{id}/stars"), &notice(v))),
        Err(e) => {
            let ctx = Ctx::new(s, "stars").refusal(e, &kept)?;
            let year = xianfeng_domain::date::today().year();
            page(state, s, id, year, ctx).await
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(&s, "stars");
    page(&state, &s, id, year_of(&q.year), ctx).await
}

/// Recomputes this month and the year for a branch from the latest records.
pub async fn rate(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(_, kept): CsrfForm<CsrfOnly>,
) -> Result<Response, AppError> {
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
    let notice = |n| format!("已按最新记录评定 {n} 名党员和本支部的星级");
    after(&state, &s, (id, kept), r, notice).await
}

#[derive(Deserialize)]
pub struct GrantForm {
    #[serde(default, deserialize_with = "empty_as_none")]
    member: Option<i64>,
    #[serde(default)]
    month: String,
    #[serde(default)]
    item: String,
    #[serde(default)]
    points: String,
}

/// The branch's points for a 支部评定 item, one member and month.
pub async fn grant(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<GrantForm>,
) -> Result<Response, AppError> {
    let GrantForm {
        member,
        month,
        item,
        points,
    } = f;
    let actor = s.actor.clone();
    let r = write(&state, move |c| {
        let member =
            member.ok_or_else(|| xianfeng_domain::Invalid::one("member", "党员", "请选择党员"))?;
        let m = members::require(c, member)?;
        if m.member.org_id != id {
            return Err(xianfeng_domain::Invalid::one("member", "党员", "须为本支部党员").into());
        }
        Ok(stars::grant(c, &actor, member, &month, &item, &points)?)
    })
    .await;
    let notice = |()| "已记录，重新评定后计入".to_string();
    after(&state, &s, (id, kept), r, notice).await
}

#[derive(Template)]
#[template(path = "recognition/member_stars.html")]
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
    let (name, history) = crate::pages::read(&state, move |c| {
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
