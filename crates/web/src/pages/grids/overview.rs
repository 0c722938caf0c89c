//! The grids of an organisation's subtree: coverage figures (one roll-up row each), the
//! figures of each child organisation, the grids with their staff and counts, members below
//! their linking bound, a form for a new grid or 微网格, and the county's 建档 categories.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use xianfeng_domain::grid::{GridInput, Light};
use xianfeng_domain::org::Org;
use xianfeng_store::grids::coverage::{self, Coverage};
use xianfeng_store::grids::links::{self, MemberLoad};
use xianfeng_store::grids::registry::{self, Grid};
use xianfeng_store::people::{households, orgs};

use crate::pages::form::{empty_as_none, CsrfForm, Kept};
use crate::pages::shared::with_org;
use crate::pages::{done, render_as, Ctx};
use crate::session::Session;
use crate::{AppError, AppState};

/// One child organisation with its subtree's coverage.
pub struct ChildRow {
    pub id: i64,
    pub name: String,
    pub cov: Coverage,
}

#[derive(Template)]
#[template(path = "grids/overview.html")]
struct Page {
    ctx: Ctx,
    org: Org,
    crumbs: Vec<(i64, String)>,
    cov: Coverage,
    children: Vec<ChildRow>,
    grids: Vec<Grid>,
    under: Vec<MemberLoad>,
    under_total: usize,
    /// 红黄绿 of each member's visits (a village's page only).
    lights: Vec<(i64, String, Light, usize)>,
    /// Whether grids can be made here (a village or community).
    village: bool,
    categories: String,
}

/// Most grids, and members below their bound, listed on one page (a county has thousands:
/// pick a town or a village).
const LIST_MAX: usize = 300;

async fn show(state: &AppState, s: &Session, id: i64, ctx: Ctx) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let (org, crumbs, (cov, children, grids, (under, under_total), village, categories, lights)) =
        with_org(state, s, id, move |c, org| {
            if !actor.can_manage_grids(&org.path) {
                return Err(AppError::Forbidden);
            }
            let cov = coverage::of(c, org.id)?;
            let mut children = Vec::new();
            for k in orgs::children(c, org.id)? {
                if k.dissolved_on.is_none() {
                    children.push(ChildRow {
                        cov: coverage::of(c, k.id)?,
                        id: k.id,
                        name: k.name,
                    });
                }
            }
            let grids = registry::list(c, &org.path, LIST_MAX as i64)?;
            let village = households::check_target(org).is_ok();
            // Members below their lower bound: the list a village follows up. Above a village
            // it would read every member of the subtree, so a town or county sees it per village.
            let mut under = if village {
                links::loads(c, &org.path, true)?
            } else {
                Vec::new()
            };
            let under_total = under.len();
            under.truncate(LIST_MAX);
            let categories = xianfeng_store::grids::categories(c)?.join("、");
            let lights = if village {
                xianfeng_store::grids::visits::lights(c, &org.path, xianfeng_domain::date::today())?
            } else {
                Vec::new()
            };
            Ok((
                cov,
                children,
                grids,
                (under, under_total),
                village,
                categories,
                lights,
            ))
        })
        .await?;
    render_as(
        ctx.status(),
        &Page {
            ctx,
            org,
            crumbs,
            cov,
            children,
            grids,
            under,
            under_total,
            lights,
            village,
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

#[derive(Deserialize, Default)]
pub struct NewGrid {
    #[serde(default)]
    name: String,
    #[serde(default, deserialize_with = "empty_as_none")]
    parent_id: Option<i64>,
}

/// Creates a grid (or a 微网格 under one) in a village or community.
pub async fn create(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<NewGrid>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let result = crate::pages::write(&state, move |c| {
        let org = crate::pages::visible_org(c, &actor, id)?;
        let name = GridInput { name: f.name }.validate()?;
        Ok(registry::create(c, &actor, &org, f.parent_id, &name)?)
    })
    .await;
    match result {
        Ok(g) => Ok(done(&format!("/grids/{g}"), "已建立网格")),
        Err(e) => refused(&state, &s, id, e, &kept).await,
    }
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
pub struct CategoriesForm {
    #[serde(default)]
    categories: String,
}

/// The county edits its 建档 categories (shown on every grids page).
pub async fn save_categories(
    State(state): State<AppState>,
    s: Session,
    CsrfForm(f, kept): CsrfForm<CategoriesForm>,
) -> Result<Response, AppError> {
    let scope = s.actor.scope_org_id;
    if !s.actor.is_county_admin() {
        return Err(AppError::Forbidden);
    }
    let actor = s.actor.clone();
    let result = crate::pages::write(&state, move |c| {
        Ok(xianfeng_store::grids::save_categories(
            c,
            &actor,
            &f.categories,
        )?)
    })
    .await;
    match result {
        Ok(_) => Ok(done(&format!("/orgs/{scope}/grids"), "已保存建档类别")),
        Err(e) => refused(&state, &s, scope, e, &kept).await,
    }
}
