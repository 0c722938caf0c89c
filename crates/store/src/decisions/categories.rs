//! The county's matter categories (which must go through 四议两公开) and each village's 一肩挑
//! setting (its secretary is also 村委会主任: steps 1 and 2 may merge).

use serde_json::json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::org::Org;
use xianfeng_domain::Invalid;

use crate::audit::{self, Record};
use crate::db::Conn;
use crate::{vals, Result};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Category {
    pub name: String,
    /// Must go through the procedure: marked 实施 without the steps it is a problem.
    pub must_go: bool,
}

pub fn list(c: &mut dyn Conn) -> Result<Vec<Category>> {
    c.query(
        "SELECT name, must_go FROM decision_categories ORDER BY position, id",
        &[],
    )?
    .into_iter()
    .map(|r| {
        Ok(Category {
            name: r.text(0)?,
            must_go: r.i64(1)? != 0,
        })
    })
    .collect()
}

pub fn names(c: &mut dyn Conn) -> Result<Vec<String>> {
    Ok(list(c)?.into_iter().map(|k| k.name).collect())
}

/// Replaces the list (the web lets only county administrators, `can_edit_decision_categories`). Names are trimmed, blank lines dropped;
/// an empty list or a repeated name is refused by field. Matters keep the category they were
/// filed under.
pub fn save(c: &mut dyn Conn, actor: &Actor, lines: &[Category]) -> Result<Vec<Category>> {
    let mut kept: Vec<Category> = Vec::new();
    for l in lines {
        let name = l.name.trim();
        if name.is_empty() {
            continue;
        }
        if name.chars().count() > 30 {
            return Err(Invalid::one("name", "事项类别", format!("“{name}”超过30字")).into());
        }
        if kept.iter().any(|k| k.name == name) {
            return Err(Invalid::one("name", "事项类别", format!("“{name}”重复")).into());
        }
        kept.push(Category {
            name: name.to_string(),
            must_go: l.must_go,
        });
    }
    if kept.is_empty() {
        return Err(Invalid::one("name", "事项类别", "至少保留一个类别").into());
    }
    let before: Vec<_> = list(c)?
        .into_iter()
        .map(|k| json!({"name": k.name, "must_go": k.must_go}))
        .collect();
    c.execute("DELETE FROM decision_categories", &[])?;
    for (i, k) in kept.iter().enumerate() {
        c.execute(
            "INSERT INTO decision_categories (name, must_go, position) VALUES (?, ?, ?)",
            vals![k.name.as_str(), k.must_go as i64, i as i64 + 1],
        )?;
    }
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(actor.scope_org_id),
            action: "decision.categories",
            entity: "settings",
            entity_id: None,
            before: json!(before),
            after: json!(kept
                .iter()
                .map(|k| json!({"name": k.name, "must_go": k.must_go}))
                .collect::<Vec<_>>()),
        },
    )?;
    Ok(kept)
}

/// Whether the village's secretary is also 村委会主任 (一肩挑).
pub fn one_shoulder(c: &mut dyn Conn, org_id: i64) -> Result<bool> {
    Ok(c.query_opt(
        "SELECT one_shoulder FROM decision_villages WHERE org_id = ?",
        vals![org_id],
    )?
    .map(|r| r.i64(0))
    .transpose()?
    .unwrap_or(0)
        != 0)
}

pub fn set_one_shoulder(c: &mut dyn Conn, actor: &Actor, org: &Org, on: bool) -> Result<()> {
    let before = one_shoulder(c, org.id)?;
    c.execute(
        "INSERT INTO decision_villages (org_id, one_shoulder) VALUES (?, ?)
         ON CONFLICT (org_id) DO UPDATE SET one_shoulder = excluded.one_shoulder",
        vals![org.id, on as i64],
    )?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(org.id),
            action: "decision.one_shoulder",
            entity: "org",
            entity_id: Some(org.id),
            before: json!({"one_shoulder": before}),
            after: json!({"one_shoulder": on}),
        },
    )?;
    Ok(())
}
