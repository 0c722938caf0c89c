//! Public addresses of organisations (公开地址): a random slug per organisation, so the public
//! board, commitment report and notice board can be opened without the sequential id that lets
//! anyone walk the tree. The format is `domain::org::public_slug`; the column is unique
//! (migration 11).

use std::collections::HashMap;

use xianfeng_domain::org::{self, Org};

use crate::db::Conn;
use crate::{vals, Result, Value};

/// A fresh public address (80 random bits).
pub fn fresh() -> String {
    org::public_slug(rand::random::<[u8; 10]>())
}

/// Gives `org_id` a fresh public address and returns it.
pub fn assign(c: &mut dyn Conn, org_id: i64) -> Result<String> {
    let slug = fresh();
    c.execute(
        "UPDATE orgs SET public_slug = ? WHERE id = ?",
        vals![slug.as_str(), org_id],
    )?;
    Ok(slug)
}

/// The public address of `org_id` ("" when the organisation does not exist).
pub fn of(c: &mut dyn Conn, org_id: i64) -> Result<String> {
    Ok(c.query_opt(
        "SELECT COALESCE(public_slug, '') FROM orgs WHERE id = ?",
        vals![org_id],
    )?
    .map(|r| r.text(0))
    .transpose()?
    .unwrap_or_default())
}

/// The public addresses of several organisations, by id.
pub fn of_many(c: &mut dyn Conn, ids: &[i64]) -> Result<HashMap<i64, String>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(",");
        let params: Vec<Value> = chunk.iter().map(|i| Value::Int(*i)).collect();
        for r in c.query(
            &format!("SELECT id, COALESCE(public_slug, '') FROM orgs WHERE id IN ({marks})"),
            &params,
        )? {
            out.insert(r.i64(0)?, r.text(1)?);
        }
    }
    Ok(out)
}

/// The organisation whose public address is `slug`.
pub fn find(c: &mut dyn Conn, slug: &str) -> Result<Option<Org>> {
    if !org::is_public_slug(slug) {
        return Ok(None);
    }
    c.query_opt(
        &format!(
            "SELECT {} FROM orgs WHERE public_slug = ?",
            crate::people::orgs::COLS
        ),
        vals![slug],
    )?
    .map(|r| crate::people::orgs::from_row(&r))
    .transpose()
}

/// The hook of migration 11: a public address for every organisation made before it.
pub fn backfill(c: &mut dyn Conn) -> Result<()> {
    let ids: Vec<i64> = c
        .query(
            "SELECT id FROM orgs WHERE public_slug IS NULL ORDER BY id",
            &[],
        )?
        .iter()
        .map(|r| r.i64(0))
        .collect::<Result<_>>()?;
    for id in ids {
        assign(c, id)?;
    }
    Ok(())
}
