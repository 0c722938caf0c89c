//! 经费 pages: an organisation's budget lines for a year with the subtree's totals from the
//! roll-up, a line's ledger with the spending form, and reversals by the level above.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use xianfeng_domain::auth::Role;
use xianfeng_domain::funds::{fmt_fen, BudgetInput, FundSource, SpendInput};
use xianfeng_domain::org::Org;
use xianfeng_store::brands::funds::{self, Entry, Line};

use crate::pages::form::{CsrfForm, Kept};
use crate::pages::shared::{with_org, year_of, YearQuery};
use crate::pages::{done, read, render_as, settle, write, Ctx};
use crate::session::Session;
use crate::{AppError, AppState};

const NAV: &str = "brands";

fn no_members(s: &Session) -> Result<(), AppError> {
    if s.actor.role == Role::Member {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

#[derive(Template)]
#[template(path = "brands/funds.html")]
struct ListPage {
    ctx: Ctx,
    org: Org,
    crumbs: Vec<(i64, String)>,
    year: i32,
    lines: Vec<Line>,
    budget: String,
    spent: String,
    balance: String,
    can_create: bool,
    sources: &'static [FundSource],
}

async fn list_page(
    state: &AppState,
    s: &Session,
    id: i64,
    year: i32,
    ctx: Ctx,
) -> Result<Response, AppError> {
    let (org, crumbs, (lines, (budget, spent))) = with_org(state, s, id, move |c, org| {
        Ok((
            funds::list(c, &org.path, year)?,
            funds::totals(c, org.id, year)?,
        ))
    })
    .await?;
    no_members(s)?;
    let status = ctx.status();
    render_as(
        status,
        &ListPage {
            ctx,
            can_create: s.actor.can_manage_town(&org.path),
            org,
            crumbs,
            year,
            lines,
            budget: fmt_fen(budget),
            spent: fmt_fen(spent),
            balance: fmt_fen(budget - spent),
            sources: FundSource::ALL,
        },
    )
}

pub async fn list(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(&s, NAV);
    list_page(&state, &s, id, year_of(&q.year), ctx).await
}

/// A town or county administrator sets a budget line for an organisation (the page's).
pub async fn create(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(input, kept): CsrfForm<BudgetInput>,
) -> Result<Response, AppError> {
    no_members(&s)?;
    let actor = s.actor.clone();
    let year = year_of(&input.year);
    let r = write(&state, move |c| {
        let org = crate::pages::visible_org(c, &actor, id)?;
        Ok(funds::create_line(c, &actor, &org, &input)?)
    })
    .await;
    match r {
        Ok(line) => Ok(done(&format!("/budget-lines/{line}"), "已设立经费预算")),
        Err(e) => {
            let ctx = Ctx::new(&s, NAV).refusal(e, &kept)?;
            list_page(&state, &s, id, year, ctx).await
        }
    }
}

#[derive(Template)]
#[template(path = "brands/budget_line.html")]
struct LinePage {
    ctx: Ctx,
    line: Line,
    entries: Vec<Entry>,
    can_spend: bool,
    can_reverse: bool,
    today: String,
}

async fn line_page(state: &AppState, s: &Session, id: i64, ctx: Ctx) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let (line, entries) = read(state, move |c| {
        let line = funds::visible(c, &actor, id)?;
        let entries = funds::entries(c, line.id)?;
        Ok((line, entries))
    })
    .await?;
    no_members(s)?;
    let status = ctx.status();
    render_as(
        status,
        &LinePage {
            can_spend: s.actor.can_record_life(&line.org_path) && line.balance_fen() > 0,
            can_reverse: s.actor.can_manage_town(&line.org_path),
            ctx,
            line,
            entries,
            today: xianfeng_domain::date::today().to_string(),
        },
    )
}

pub async fn show(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(&s, NAV);
    line_page(&state, &s, id, ctx).await
}

async fn on_line<T>(
    state: &AppState,
    s: &Session,
    id: i64,
    r: Result<T, AppError>,
    notice: &str,
    kept: &Kept,
) -> Result<Response, AppError> {
    let to = r.map(|_| (format!("/budget-lines/{id}"), notice.to_string()));
    settle(s, NAV, to, kept, |ctx| line_page(state, s, id, ctx)).await
}

pub async fn spend(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(input, kept): CsrfForm<SpendInput>,
) -> Result<Response, AppError> {
    no_members(&s)?;
    let actor = s.actor.clone();
    let r = write(&state, move |c| Ok(funds::spend(c, &actor, id, &input)?)).await;
    on_line(&state, &s, id, r, "已记录支出", &kept).await
}

#[derive(Deserialize)]
pub struct ReverseForm {
    #[serde(default)]
    reason: String,
}

pub async fn reverse(
    State(state): State<AppState>,
    s: Session,
    Path(entry): Path<i64>,
    CsrfForm(f, kept): CsrfForm<ReverseForm>,
) -> Result<Response, AppError> {
    no_members(&s)?;
    let actor = s.actor.clone();
    let line_id = read(&state, {
        let actor = actor.clone();
        move |c| {
            let r = c
                .query_opt(
                    "SELECT line_id FROM fund_entries WHERE id = ?",
                    xianfeng_store::vals![entry],
                )?
                .ok_or(AppError::NotFound("支出记录"))?;
            let line =
                funds::visible(c, &actor, r.i64(0)?).map_err(|_| AppError::NotFound("支出记录"))?;
            Ok(line.id)
        }
    })
    .await?;
    let r = write(&state, move |c| {
        Ok(funds::reverse(c, &actor, entry, &f.reason)?)
    })
    .await;
    on_line(&state, &s, line_id, r, "已冲正", &kept).await
}
