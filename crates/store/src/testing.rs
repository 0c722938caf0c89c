//! Test support: every store test runs on SQLite and on PostgreSQL.
//!
//! PostgreSQL comes from `XIANFENG_TEST_PG_URL` (set by `scripts/test`), each test in a fresh
//! schema. With `XIANFENG_REQUIRE_PG=1` a missing server fails the test instead of skipping.

use crate::{Store, Vault};

/// A store that cleans up after itself.
pub struct TestStore {
    pub store: Store,
    pub name: &'static str,
    url: String,
    schema: Option<String>,
    cleanup: Option<Box<dyn FnOnce() + Send>>,
}

impl std::ops::Deref for TestStore {
    type Target = Store;
    fn deref(&self) -> &Store {
        &self.store
    }
}

impl TestStore {
    /// A second handle on the same database (e.g. for an app under test).
    pub fn reopen(&self) -> Store {
        Store::open_in_schema(&self.url, Vault::from_key([42; 32]), self.schema.clone())
            .expect("reopen")
    }
}

impl Drop for TestStore {
    fn drop(&mut self) {
        if let Some(f) = self.cleanup.take() {
            f();
        }
    }
}

fn unique() -> String {
    format!("{}_{:08x}", std::process::id(), rand::random::<u32>())
}

pub fn sqlite() -> TestStore {
    let s = sqlite_unmigrated();
    s.migrate().expect("migrate sqlite");
    s
}

/// A SQLite store with no migration applied (for tests of the migrations themselves).
pub fn sqlite_unmigrated() -> TestStore {
    let path = std::env::temp_dir().join(format!("xianfeng-test-{}.db", unique()));
    let url = format!("sqlite://{}", path.display());
    let store = Store::open(&url, Vault::from_key([42; 32])).expect("open sqlite");
    TestStore {
        store,
        name: "sqlite",
        url,
        schema: None,
        cleanup: Some(Box::new(move || {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
            }
        })),
    }
}

pub fn postgres() -> Option<TestStore> {
    let s = postgres_unmigrated()?;
    s.migrate().expect("migrate postgres");
    Some(s)
}

/// A PostgreSQL store in a fresh, empty schema (for tests of the migrations themselves).
pub fn postgres_unmigrated() -> Option<TestStore> {
    let required = std::env::var("XIANFENG_REQUIRE_PG").is_ok_and(|v| v == "1");
    let url = match std::env::var("XIANFENG_TEST_PG_URL") {
        Ok(u) => u,
        Err(_) if required => panic!("XIANFENG_REQUIRE_PG=1 但未设置 XIANFENG_TEST_PG_URL"),
        Err(_) => {
            eprintln!("note: XIANFENG_TEST_PG_URL not set; PostgreSQL half of this test skipped (scripts/test sets it)");
            return None;
        }
    };
    let schema = format!("t_{}", unique());
    let mut admin = match postgres::Client::connect(&url, postgres::NoTls) {
        Ok(c) => c,
        Err(e) if required => panic!("PostgreSQL at XIANFENG_TEST_PG_URL unreachable: {e}"),
        Err(e) => {
            eprintln!("note: PostgreSQL unreachable ({e}); skipped");
            return None;
        }
    };
    admin
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .expect("create schema");
    let store = Store::open_in_schema(&url, Vault::from_key([42; 32]), Some(schema.clone()))
        .expect("open postgres");
    Some(TestStore {
        store,
        name: "postgres",
        url,
        schema: Some(schema.clone()),
        cleanup: Some(Box::new(move || {
            let _ = admin.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"));
        })),
    })
}

/// SQLite, then PostgreSQL when available.
pub fn backends() -> Vec<TestStore> {
    let mut v = vec![sqlite()];
    v.extend(postgres());
    v
}

/// Like `backends`, with no migration applied.
pub fn unmigrated_backends() -> Vec<TestStore> {
    let mut v = vec![sqlite_unmigrated()];
    v.extend(postgres_unmigrated());
    v
}

// Small builders shared by the store's integration tests.
use chrono::NaiveDate;
use xianfeng_domain::idcard;
use xianfeng_domain::member::MemberInput;
use xianfeng_domain::org::{Org, OrgInput};
use xianfeng_domain::rules::Rules;

use crate::{people::members, people::orgs, Conn, Dialect};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

pub fn org(c: &mut dyn Conn, parent: Option<&Org>, name: &str, kind: &str) -> Org {
    let d = OrgInput {
        name: name.into(),
        kind: kind.into(),
        domain: "农村".into(),
        committee_size: String::new(),
    }
    .validate(parent.map(|p| p.kind))
    .unwrap();
    orgs::create(c, None, parent, &d).unwrap()
}

pub fn member_input(n: u32, status: &str) -> MemberInput {
    let birth = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap() + chrono::Days::new(u64::from(n) * 37);
    MemberInput {
        name: format!("党员{n}"),
        ethnicity: "汉族".into(),
        id_number: idcard::build(330100, birth, n * 2 + 1),
        phone: format!("139{n:08}"),
        joined_on: "2015-07-01".into(),
        full_on: if status == "正式党员" {
            "2016-07-01".into()
        } else {
            String::new()
        },
        status: status.into(),
        ..MemberInput::default()
    }
}

pub fn add_member(s: &TestStore, at: &Org, n: u32, status: &str) -> i64 {
    let d = member_input(n, status)
        .validate(
            &Rules::default(),
            NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
            None,
        )
        .unwrap();
    s.write(|c| members::create(c, &s.vault, None, at, &d))
        .unwrap()
}

/// A county administrator scoped at `root`, for store calls that record an actor.
pub fn admin(root: &Org) -> xianfeng_domain::auth::Actor {
    xianfeng_domain::auth::Actor {
        account_id: 1,
        username: "county_admin".into(),
        display_name: "县委组织部".into(),
        role: xianfeng_domain::auth::Role::CountyAdmin,
        scope_org_id: root.id,
        scope_path: root.path.clone(),
        member_id: None,
    }
}

/// A fingerprint of the whole database, taken before and after a refused write: every table
/// listed from the catalogue (so a table added later is covered), with its row count and a
/// digest of its rows, and the audit log's head. A refusal must leave all of it as it was —
/// an UPDATE that slipped through shows as much as an INSERT.
/// Row count and content digest of every table, and the audit log's head.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub tables: BTreeMap<String, (i64, String)>,
    pub audit_rows: i64,
    pub audit_head: Option<(i64, String)>,
}

/// Every base table of the database the connection sees.
pub fn tables(c: &mut dyn Conn) -> crate::Result<Vec<String>> {
    let sql = match c.dialect() {
        Dialect::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
        }
        Dialect::Postgres => {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
        }
    };
    c.query(sql, &[])?.iter().map(|r| r.text(0)).collect()
}

fn fingerprint(c: &mut dyn Conn, table: &str) -> crate::Result<(i64, String)> {
    let mut rows: Vec<String> = c
        .query(&format!("SELECT * FROM {table}"), &[])?
        .iter()
        .map(|r| format!("{:?}", r.values()))
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
    s.read(|c| -> crate::Result<_> {
        let mut out = BTreeMap::new();
        for t in tables(c)? {
            let f = fingerprint(c, &t)?;
            out.insert(t, f);
        }
        let audit_rows = c.scalar("SELECT COUNT(*) FROM audit_log", &[])?;
        let audit_head = c
            .query_opt("SELECT seq, hash FROM audit_head WHERE id = 1", &[])?
            .map(|r| -> crate::Result<_> { Ok((r.i64(0)?, r.text(1)?)) })
            .transpose()?;
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
