//! Shared by the refusal tests: a fingerprint of the whole database, taken before and after a
//! refused write. Every table is listed from the catalogue (so a table added later is covered
//! without touching this file) and fingerprinted by its row count and a digest of its rows;
//! the audit log's head (sequence and hash) is kept beside them. A refusal must leave all of
//! it exactly as it was — an UPDATE that slipped through shows as much as an INSERT.

#![allow(dead_code)]

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};
use xianfeng_store::testing::TestStore;
use xianfeng_store::{Conn, Dialect, StoreError};

/// Row count and content digest of every table, and the audit log's head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub tables: BTreeMap<String, (i64, String)>,
    pub audit_rows: i64,
    pub audit_head: Option<(i64, String)>,
}

/// Every base table of the database the connection sees.
pub fn tables(c: &mut dyn Conn) -> xianfeng_store::Result<Vec<String>> {
    let sql = match c.dialect() {
        Dialect::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Dialect::Postgres => {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
        }
    };
    Ok(c.query(sql, &[])?.iter().map(|r| r.text(0)).collect())
}

fn fingerprint(c: &mut dyn Conn, table: &str) -> xianfeng_store::Result<(i64, String)> {
    let mut rows: Vec<String> = c
        .query(&format!("SELECT * FROM {table}"), &[])?
        .iter()
        .map(|r| format!("{:?}", r.0))
        .collect();
    // Order-free: the same rows in another physical order are the same table.
    rows.sort();
    let mut h = Sha256::new();
    for r in &rows {
        h.update(r.as_bytes());
        h.update(b"\n");
    }
    Ok((rows.len() as i64, hex::encode(h.finalize())))
}

pub fn snapshot(s: &TestStore) -> Snapshot {
    s.read(|c| -> xianfeng_store::Result<_> {
        let mut out = BTreeMap::new();
        for t in tables(c)? {
            let f = fingerprint(c, &t)?;
            out.insert(t, f);
        }
        let audit_rows = c.scalar("SELECT COUNT(*) FROM audit_log", &[])?;
        let audit_head = c
            .query_opt("SELECT seq, hash FROM audit_head WHERE id = 1", &[])?
            .map(|r| (r.i64(0), r.text(1)));
        Ok(Snapshot {
            tables: out,
            audit_rows,
            audit_head,
        })
    })
    .expect("snapshot")
}

/// What differs between two snapshots, one line per table (and one for the audit log).
pub fn differences(before: &Snapshot, after: &Snapshot) -> Vec<String> {
    let mut diff = Vec::new();
    for (t, b) in &before.tables {
        match after.tables.get(t) {
            Some(a) if a == b => {}
            Some(a) => diff.push(format!(
                "{t}: {} rows → {} rows (content changed)",
                b.0, a.0
            )),
            None => diff.push(format!("{t}: gone")),
        }
    }
    for t in after
        .tables
        .keys()
        .filter(|t| !before.tables.contains_key(*t))
    {
        diff.push(format!("{t}: new table"));
    }
    if before.audit_rows != after.audit_rows || before.audit_head != after.audit_head {
        diff.push(format!(
            "audit: {} entries, head {:?} → {} entries, head {:?}",
            before.audit_rows, before.audit_head, after.audit_rows, after.audit_head
        ));
    }
    diff
}

/// Panics naming every table that differs.
#[track_caller]
pub fn assert_unchanged(s: &TestStore, before: &Snapshot, after: &Snapshot, what: &str) {
    assert!(
        before.tables.len() > 30,
        "{}: only {} tables listed",
        s.name,
        before.tables.len()
    );
    let diff = differences(before, after);
    assert!(
        diff.is_empty(),
        "{}: the refused write “{what}” changed the database:\n{}",
        s.name,
        diff.join("\n")
    );
}

/// Runs `f` in a write transaction, expects a refusal, and proves nothing changed: every
/// table's rows and the audit log are as they were. Returns the refusal for its kind.
#[track_caller]
pub fn refuse<T: std::fmt::Debug>(
    s: &TestStore,
    f: impl FnOnce(&mut dyn Conn) -> xianfeng_store::Result<T>,
) -> StoreError {
    let before = snapshot(s);
    let result = s.write(f);
    let after = snapshot(s);
    let e = match result {
        Ok(v) => panic!(
            "{}: expected a refusal, got Ok({v:?}), which changed:\n{}",
            s.name,
            differences(&before, &after).join("\n")
        ),
        Err(e) => e,
    };
    assert_unchanged(s, &before, &after, &e.to_string());
    e
}

/// A refusal of bad input (422) whose message contains `needle`.
#[track_caller]
pub fn invalid(e: StoreError, needle: &str) {
    match &e {
        StoreError::Invalid(_) if e.to_string().contains(needle) => {}
        _ => panic!("expected Invalid containing “{needle}”, got {e:?} ({e})"),
    }
}

/// A refusal by a rule of the data (409) whose message contains `needle`.
#[track_caller]
pub fn conflict(e: StoreError, needle: &str) {
    match &e {
        StoreError::Conflict(m) if m.contains(needle) => {}
        _ => panic!("expected Conflict containing “{needle}”, got {e:?} ({e})"),
    }
}

/// A refusal because `what` does not exist (404).
#[track_caller]
pub fn not_found(e: StoreError, what: &str) {
    match &e {
        StoreError::NotFound(w) if *w == what => {}
        _ => panic!("expected NotFound(“{what}”), got {e:?} ({e})"),
    }
}

/// An actor of `role` scoped at `at`.
pub fn actor(
    at: &xianfeng_domain::org::Org,
    role: xianfeng_domain::auth::Role,
) -> xianfeng_domain::auth::Actor {
    xianfeng_domain::auth::Actor {
        role,
        scope_org_id: at.id,
        scope_path: at.path.clone(),
        display_name: format!("{}经办人", at.name),
        ..xianfeng_store::testing::admin(at)
    }
}
