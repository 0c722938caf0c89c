//! 设岗定责 page of an organisation: the register of 党员先锋岗, 党员责任区 and 示范户 in its
//! subtree, a form for a new entry, and 无职党员 still without a post.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use xianfeng_domain::date;
use xianfeng_domain::grid::{PostInput, PostKind};
use xianfeng_domain::org::Org;
use xianfeng_store::grids::posts::{self, Post};

use crate::pages::form::{empty_as_none, CsrfForm};
use crate::pages::shared::with_org;
use crate::pages::{done, render_as, Ctx};
use crate::session::Session;
use crate::{AppError, AppState};

/// Most entries listed on one page.
const LIST_MAX: i64 = 300;

#[derive(Template)]
#[template(path = "grids/posts.html")]
struct Page {
    ctx: Ctx,
    org: Org,
    crumbs: Vec<(i64, String)>,
    posts: Vec<Post>,
    free: Vec<(i64, String, String)>,
    kinds: &'static [PostKind],
    today: String,
}

async fn show(state: &AppState, s: &Session, id: i64, ctx: Ctx) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let (org, crumbs, (list, free)) = with_org(state, s, id, move |c, org| {
        if !actor.can_manage_grids(&org.path) {
            return Err(AppError::Forbidden);
        }
        Ok((
            posts::list(c, &org.path, LIST_MAX)?,
            posts::without_post(c, &org.path, LIST_MAX)?,
        ))
    })
    .await?;
    render_as(
        ctx.status(),
        &Page {
            ctx,
            org,
            crumbs,
            posts: list,
            free,
            kinds: PostKind::ALL,
            today: date::today().to_string(),
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
pub struct PostForm {
    #[serde(default, deserialize_with = "empty_as_none")]
    member_id: Option<i64>,
    #[serde(flatten)]
    post: PostInput,
}

/// Enters a post, zone or model household.
pub async fn create(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<PostForm>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let result = crate::pages::write(&state, move |c| {
        let org = crate::pages::visible_org(c, &actor, id)?;
        if !actor.can_manage_grids(&org.path) {
            return Err(AppError::NotFound("组织"));
        }
        let d = f.post.validate(date::today())?;
        Ok(posts::create(c, &actor, &org, &d, f.member_id)?)
    })
    .await;
    match result {
        Ok(_) => Ok(done(&format!("/orgs/{id}/posts"), "已登记")),
        Err(e) => {
            let ctx = Ctx::new(&s, "grids").refusal(e, &kept)?;
            show(&state, &s, id, ctx).await
        }
    }
}
