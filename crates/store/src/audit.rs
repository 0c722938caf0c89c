//! Appending to and verifying the hash-chained audit log.

use serde_json::Value as Json;
use xianfeng_domain::audit::{entry_hash, AuditEntry, ChainError, ChainVerifier, GENESIS};
use xianfeng_domain::auth::Actor;

use crate::db::{Conn, Dialect, Row};
use crate::{now_text, vals, Result};

/// What one write records.
pub struct Record<'a> {
    pub actor: Option<&'a Actor>,
    pub org_id: Option<i64>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub before: Json,
    pub after: Json,
}

fn json_text(v: &Json) -> String {
    if v.is_null() {
        String::new()
    } else {
        v.to_string()
    }
}

/// Appends one entry in the caller's transaction. Appends are serialised (SQLite: the write
/// lock; PostgreSQL: an advisory transaction lock) so the chain never forks.
pub fn append(c: &mut dyn Conn, r: Record<'_>) -> Result<i64> {
    if c.dialect() == Dialect::Postgres {
        c.query("SELECT pg_advisory_xact_lock(7051)", &[])?;
    }
    let (seq, prev) = c
        .query_opt("SELECT seq, hash FROM audit_head WHERE id = 1", &[])?
        .map(|r| -> Result<_> { Ok((r.i64(0)?, r.text(1)?)) })
        .transpose()?
        .unwrap_or((0, GENESIS.to_string()));
    let mut e = AuditEntry {
        seq: seq + 1,
        at: now_text(),
        actor_id: r.actor.map(|a| a.account_id),
        actor_name: r
            .actor
            .map(|a| a.username.clone())
            .unwrap_or_else(|| "系统".into()),
        org_id: r.org_id,
        action: r.action.to_string(),
        entity: r.entity.to_string(),
        entity_id: r.entity_id,
        before: json_text(&r.before),
        after: json_text(&r.after),
        prev_hash: prev,
        hash: String::new(),
    };
    e.hash = entry_hash(&e);
    c.execute(
        "INSERT INTO audit_log (seq, at, actor_id, actor_name, org_id, action, entity, entity_id, before_json, after_json, prev_hash, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        vals![e.seq, e.at.as_str(), e.actor_id, e.actor_name.as_str(), e.org_id, e.action.as_str(), e.entity.as_str(),
              e.entity_id, e.before.as_str(), e.after.as_str(), e.prev_hash.as_str(), e.hash.as_str()],
    )?;
    c.execute(
        "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
        vals![e.seq, e.hash.as_str()],
    )?;
    Ok(e.seq)
}

const COLUMNS: &str =
    "seq, at, actor_id, actor_name, org_id, action, entity, entity_id, before_json, after_json, prev_hash, hash";

fn entry(r: &Row) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: r.i64("seq")?,
        at: r.text("at")?,
        actor_id: r.opt_i64("actor_id")?,
        actor_name: r.text("actor_name")?,
        org_id: r.opt_i64("org_id")?,
        action: r.text("action")?,
        entity: r.text("entity")?,
        entity_id: r.opt_i64("entity_id")?,
        before: r.text("before_json")?,
        after: r.text("after_json")?,
        prev_hash: r.text("prev_hash")?,
        hash: r.text("hash")?,
    })
}

/// Walks the whole chain in pages; `Ok(n)` is the number of entries checked.
pub fn verify(c: &mut dyn Conn) -> Result<crate::Check<i64, ChainError>> {
    let mut v = ChainVerifier::default();
    let mut after = 0i64;
    loop {
        let rows = c.query(
            &format!("SELECT {COLUMNS} FROM audit_log WHERE seq > ? ORDER BY seq LIMIT 5000"),
            vals![after],
        )?;
        if rows.is_empty() {
            break;
        }
        for r in &rows {
            let e = entry(r)?;
            if let Err(err) = v.feed(&e) {
                return Ok(crate::Check::Broken(err));
            }
            after = e.seq;
        }
    }
    let head = c
        .query_opt("SELECT seq, hash FROM audit_head WHERE id = 1", &[])?
        .map(|r| -> Result<_> { Ok((r.i64(0)?, r.text(1)?)) })
        .transpose()?;
    Ok(match v.finish(head) {
        Ok(()) => crate::Check::Sound(v.checked),
        Err(e) => crate::Check::Broken(e),
    })
}

/// The chain's head: the newest entry's number and hash (`None` before the first entry). After
/// `verify`, two databases with the same head hold the same history.
pub fn head(c: &mut dyn Conn) -> Result<Option<(i64, String)>> {
    c.query_opt("SELECT seq, hash FROM audit_head WHERE id = 1", &[])?
        .map(|r| Ok((r.i64(0)?, r.text(1)?)))
        .transpose()
}

/// The newest entries, optionally only those about organisations under `path`.
pub fn recent(c: &mut dyn Conn, scope_path: &str, limit: i64) -> Result<Vec<AuditEntry>> {
    let upper = xianfeng_domain::path::upper(scope_path);
    let rows = c.query(
        &format!(
            "SELECT {} FROM audit_log a WHERE a.org_id IN (SELECT id FROM orgs WHERE path >= ? AND path < ?) ORDER BY seq DESC LIMIT ?",
            COLUMNS.split(", ").map(|c| format!("a.{c}")).collect::<Vec<_>>().join(", ")
        ),
        vals![scope_path, upper, limit],
    )?;
    rows.iter().map(entry).collect::<Result<Vec<_>>>()
}
