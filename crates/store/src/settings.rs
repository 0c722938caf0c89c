//! Deployment settings: the configurable rules (numbers are configuration).

use xianfeng_domain::rules::Rules;

use crate::db::Conn;
use crate::{vals, Result, StoreError};

pub fn rules(c: &mut dyn Conn) -> Result<Rules> {
    match c.query_opt("SELECT value FROM settings WHERE key = 'rules'", &[])? {
        Some(r) => serde_json::from_str(&r.text(0))
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
