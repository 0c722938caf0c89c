//! One grid: its 网格长 and 网格员, the households placed in it with their 建档 categories and
//! linked members, and the forms that name staff, place households, 建档 and link.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use xianfeng_domain::grid::GridRole;
use xianfeng_domain::Invalid;
use xianfeng_store::grids::links::{self, MemberLoad};
use xianfeng_store::grids::registry::{self, Grid};
use xianfeng_store::people::households::{self, Household};

use crate::pages::form::{empty_as_none, CsrfForm, Kept};
use crate::pages::{done, render_as, Ctx};
use crate::session::Session;
use crate::{AppError, AppState};

/// A household of the grid with the members who link it.
pub struct HouseholdRow {
    pub h: Household,
    pub linked: Vec<(i64, String)>,
}

#[derive(Template)]
#[template(path = "grids/grid.html")]
struct Page {
    ctx: Ctx,
    grid: Grid,
    rows: Vec<HouseholdRow>,
    /// Households of the village not yet in this grid (to place).
    others: Vec<(i64, String)>,
    /// Members of the village with their linking load.
    members: Vec<MemberLoad>,
    categories: String,
}

/// Most households of the village offered to place at once.
const OFFER_MAX: i64 = 500;

async fn show(state: &AppState, s: &Session, id: i64, ctx: Ctx) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let (grid, rows, others, members, categories) = crate::pages::read(state, move |c| {
        let grid = registry::get(c, &actor, id)?;
        let village = households::list(c, &grid.org_path, "", OFFER_MAX, 0)?;
        let mut rows = Vec::new();
        let mut others = Vec::new();
        for h in village {
            if h.grid_id == Some(grid.id) {
                let linked = links::members_of(c, h.id)?;
                rows.push(HouseholdRow { h, linked });
            } else {
                let now = h.grid_name.clone().map(|g| format!("（现属{g}）"));
                others.push((
                    h.id,
                    format!("{} {}{}", h.head_name, h.address, now.unwrap_or_default()),
                ));
            }
        }
        let members = links::loads(c, &grid.org_path, false)?;
        let categories = xianfeng_store::grids::categories(c)?.join("、");
        Ok((grid, rows, others, members, categories))
    })
    .await?;
    render_as(
        ctx.status(),
        &Page {
            ctx,
            grid,
            rows,
            others,
            members,
            categories,
        },
    )
}

pub async fn page(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    show(&state, &s, id, Ctx::new(&s, "grids")).await
}

pub(crate) async fn refused(
    state: &AppState,
    s: &Session,
    id: i64,
    e: AppError,
    kept: &Kept,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(s, "grids").refusal(e, kept)?;
    show(state, s, id, ctx).await
}

#[derive(Deserialize, Default)]
pub struct StaffForm {
    #[serde(default)]
    role: String,
    #[serde(default, deserialize_with = "empty_as_none")]
    member_id: Option<i64>,
    #[serde(default)]
    name: String,
}

/// Names the grid's 网格长 or a 网格员.
pub async fn add_staff(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<StaffForm>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let result = crate::pages::write(&state, move |c| {
        let grid = registry::get(c, &actor, id)?;
        let role = GridRole::parse(&f.role)
            .ok_or_else(|| Invalid::one("role", "职责", "请选择网格长或网格员"))?;
        Ok(registry::add_staff(
            c,
            &actor,
            grid.id,
            role,
            f.member_id,
            &f.name,
        )?)
    })
    .await;
    match result {
        Ok(_) => Ok(done(&format!("/grids/{id}"), "已登记网格人员")),
        Err(e) => refused(&state, &s, id, e, &kept).await,
    }
}

#[derive(Deserialize, Default)]
pub struct PlaceForm {
    #[serde(default, deserialize_with = "empty_as_none")]
    household_id: Option<i64>,
    #[serde(default)]
    remove: String,
}

/// Places a household of the village in this grid, or takes one out.
pub async fn place(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<PlaceForm>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let result = crate::pages::write(&state, move |c| {
        let grid = registry::get(c, &actor, id)?;
        let h = f
            .household_id
            .ok_or_else(|| Invalid::one("household_id", "农户", "请选择农户"))?;
        let to = if f.remove == "1" {
            let now = links::household(c, &actor, h)?;
            if now.grid_id != Some(grid.id) {
                return Err(AppError::NotFound("农户"));
            }
            None
        } else {
            Some(grid.id)
        };
        Ok(links::place(c, &actor, h, to)?)
    })
    .await;
    match result {
        Ok(()) => Ok(done(&format!("/grids/{id}"), "已调整网格农户")),
        Err(e) => refused(&state, &s, id, e, &kept).await,
    }
}

#[derive(Deserialize, Default)]
pub struct HouseholdForm {
    #[serde(default)]
    categories: Option<String>,
    #[serde(default, deserialize_with = "empty_as_none")]
    member_id: Option<i64>,
    #[serde(default)]
    unlink: String,
}

/// 建档 (categories) or 联户 (link / unlink a member) on a household; back to its grid.
pub async fn household(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<HouseholdForm>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let (grid_of, org_id) = {
        let actor = s.actor.clone();
        crate::pages::read(&state, move |c| {
            let h = links::household(c, &actor, id)?;
            Ok((h.grid_id, h.org_id))
        })
        .await?
    };
    let back = |notice: &str| match grid_of {
        Some(g) => done(&format!("/grids/{g}"), notice),
        None => done(&format!("/orgs/{org_id}/grids"), notice),
    };
    let result = crate::pages::write(&state, move |c| {
        if let Some(raw) = &f.categories {
            links::set_categories(c, &actor, id, raw)?;
            return Ok("已保存建档类别");
        }
        let m = f
            .member_id
            .ok_or_else(|| Invalid::one("member_id", "联户党员", "请选择党员"))?;
        if f.unlink == "1" {
            links::unlink(c, &actor, id, m)?;
            Ok("已解除联户")
        } else {
            links::link(c, &actor, id, m)?;
            Ok("已登记联户")
        }
    })
    .await;
    match (result, grid_of) {
        (Ok(notice), _) => Ok(back(notice)),
        (Err(e), Some(g)) => refused(&state, &s, g, e, &kept).await,
        (Err(e), None) => super::overview::refused(&state, &s, org_id, e, &kept).await,
    }
}

/// `/grids`: the grids of the signed-in account's scope.
pub async fn home(s: Session) -> Response {
    axum::response::Redirect::to(&format!("/orgs/{}/grids", s.actor.scope_org_id)).into_response()
}
