//! The public page of an organisation's brands and 示范点 (`/board/{key}/brands`): filed brands
//! with their register numbers and the sites with their standing, for the organisation and
//! those under it. No personal data beyond the names of those who lead them.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use xianfeng_domain::brand::BrandStatus;
use xianfeng_store::brands::projects::{self as brands, Brand};
use xianfeng_store::brands::sites::{self, Site};

use crate::pages::public;
use crate::pages::render;
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "brands/board.html")]
struct PublicPage {
    org_name: String,
    brands: Vec<Brand>,
    sites: Vec<Site>,
}

pub async fn page(
    State(state): State<AppState>,
    Path(at): Path<String>,
) -> Result<Response, AppError> {
    let page = crate::pages::read(&state, move |c| {
        let rules = xianfeng_store::settings::rules(c)?;
        let Some(org) = public::org_at(c, &at, &rules)? else {
            return Ok(None);
        };
        let brands = brands::list(c, &org.path)?
            .into_iter()
            .filter(|b| b.status == BrandStatus::Filed)
            .collect();
        let this = chrono::Datelike::year(&xianfeng_domain::date::today()) as i64;
        let sites = sites::list(c, &org.path)?
            .into_iter()
            .filter(|s| s.year >= this - 1)
            .collect();
        Ok(Some(PublicPage {
            org_name: org.name,
            brands,
            sites,
        }))
    })
    .await?
    .ok_or(AppError::NotFound("组织"))?;
    Ok(public::cacheable(render(&page)?))
}
