//! Helpers every page area shares: loading an organisation with its breadcrumb and the year
//! asked for.

use chrono::Datelike;
use serde::Deserialize;
use xianfeng_domain::org::Org;

use super::{crumbs, visible_org};
use crate::session::Session;
use crate::{AppError, AppState};

/// Loads an organisation the actor may see with its breadcrumb, then runs `f` in the same read.
pub async fn with_org<T: Send + 'static>(
    state: &AppState,
    s: &Session,
    id: i64,
    f: impl FnOnce(&mut dyn xianfeng_store::Conn, &Org) -> Result<T, AppError> + Send + 'static,
) -> Result<(Org, Vec<(i64, String)>, T), AppError> {
    let actor = s.actor.clone();
    super::read(state, move |c| {
        let org = visible_org(c, &actor, id)?;
        let crumbs = crumbs(c, &actor, &org)?;
        let extra = f(c, &org)?;
        Ok((org, crumbs, extra))
    })
    .await
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub ok: String,
    #[serde(default)]
    pub half: String,
    #[serde(default)]
    pub stage: String,
}

/// The year asked for, or this year.
pub fn year_of(q: &str) -> i32 {
    q.parse()
        .ok()
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| xianfeng_domain::date::today().year())
}
