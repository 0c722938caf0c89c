//! Deployment settings: the configurable rules (numbers are configuration).

use xianfeng_domain::rules::Rules;

use crate::db::Conn;
use crate::{vals, Result, StoreError};

pub fn rules(c: &mut dyn Conn) -> Result<Rules> {
    match c.query_opt("SELECT value FROM settings WHERE key = 'rules'", &[])? {
        Some(r) => serde_json::from_str(&r.text(0)?)
            .map_err(|e| StoreError::Db(format!("规则配置损坏：{e}"))),
        None => Ok(Rules::default()),
    }
}

pub fn save_rules(c: &mut dyn Conn, rules: &Rules) -> Result<()> {
    let text = serde_json::to_string(rules).map_err(|e| StoreError::Db(e.to_string()))?;
    c.execute(
        "INSERT INTO settings (key, value) VALUES ('rules', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        vals![text],
    )?;
    Ok(())
}

/// A setting stored as JSON under `key`, or `default()` when never saved.
pub fn json<T: serde::de::DeserializeOwned>(
    c: &mut dyn Conn,
    key: &str,
    what: &str,
    default: impl FnOnce() -> T,
) -> Result<T> {
    match c.query_opt("SELECT value FROM settings WHERE key = ?", vals![key])? {
        Some(r) => serde_json::from_str(&r.text(0)?)
            .map_err(|e| StoreError::Db(format!("{what}配置损坏：{e}"))),
        None => Ok(default()),
    }
}

/// Saves a JSON setting, with an audit entry holding the old and new values.
pub fn save_json<T: serde::Serialize>(
    c: &mut dyn Conn,
    actor: &xianfeng_domain::auth::Actor,
    key: &str,
    before: serde_json::Value,
    value: &T,
) -> Result<()> {
    let text = serde_json::to_string(value).map_err(|e| StoreError::Db(e.to_string()))?;
    c.execute(
        "INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        vals![key, text],
    )?;
    crate::audit::append(
        c,
        crate::audit::Record {
            actor: Some(actor),
            org_id: Some(actor.scope_org_id),
            action: "settings.save",
            entity: "settings",
            entity_id: None,
            before,
            after: serde_json::json!({ key: value }),
        },
    )?;
    Ok(())
}
