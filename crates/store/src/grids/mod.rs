//! 网格化: grids of a village or community and their staff (`registry`), households of the
//! one register placed in grids, 建档 and 党员联户 (`links`), and coverage read from the
//! roll-ups (`coverage`).

pub mod coverage;
pub mod links;
pub mod posts;
pub mod registry;
pub mod visits;

use xianfeng_domain::auth::Actor;
use xianfeng_domain::grid::{self, CATEGORIES_KEY};

use crate::db::Conn;
use crate::{settings, Result};

/// Roll-up metrics of the grids: grids, grids without a 网格员, households placed in a grid,
/// households linked to at least one member, and households per 建档 category.
pub const GRIDS: &str = "grids";
pub const UNSTAFFED: &str = "grid:unstaffed";
pub const PLACED: &str = "grid:households";
pub const LINKED: &str = "grid:linked";

/// The roll-up metric of one 建档 category (`cat:独居老人`).
pub fn category_metric(category: &str) -> String {
    format!("cat:{category}")
}

/// The county's 建档 categories (the defaults until it edits them).
pub fn categories(c: &mut dyn Conn) -> Result<Vec<String>> {
    settings::json(c, CATEGORIES_KEY, "建档类别", grid::default_categories)
}

/// Saves the county's edited category list (checked by `grid::check_category_list`).
pub fn save_categories(c: &mut dyn Conn, actor: &Actor, raw: &str) -> Result<Vec<String>> {
    let list = grid::check_category_list(raw)?;
    let before = categories(c)?;
    settings::save_json(
        c,
        actor,
        CATEGORIES_KEY,
        serde_json::json!({ CATEGORIES_KEY: before }),
        &list,
    )?;
    Ok(list)
}
