//! The embedded SQLite backend: WAL, foreign keys on, busy timeout, full durability.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::ToSql;

use crate::db::{Conn, Dialect, Row, Value};
use crate::migrations::{run_hook, Hook};
use crate::StoreError;

pub const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/0001_base.sql")),
    (2, include_str!("migrations/0002_plan_drafts.sql")),
    (3, include_str!("migrations/0003_life.sql")),
    (4, include_str!("migrations/0004_campaigns.sql")),
    (5, include_str!("migrations/0005_supervision.sql")),
    (6, include_str!("migrations/0006_points.sql")),
    (7, include_str!("migrations/0007_awards.sql")),
    (8, include_str!("migrations/0008_text_keys_not_null.sql")),
    (9, include_str!("migrations/0009_codes.sql")),
    (10, include_str!("migrations/0010_login_pairs.sql")),
    (11, include_str!("migrations/0011_public_slugs.sql")),
    (12, include_str!("migrations/0012_plan_tasks.sql")),
    (13, include_str!("migrations/0013_plan_rules.sql")),
    (15, include_str!("migrations/0015_brands.sql")),
    (16, include_str!("migrations/0016_grids.sql")),
    (17, include_str!("migrations/0017_decisions.sql")),
];

pub struct Manager {
    path: PathBuf,
}

impl Manager {
    pub fn new(path: &Path) -> Manager {
        Manager {
            path: path.to_path_buf(),
        }
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = rusqlite::Connection;
    type Error = rusqlite::Error;

    fn connect(&self) -> Result<rusqlite::Connection, rusqlite::Error> {
        let c = rusqlite::Connection::open(&self.path)?;
        c.execute_batch(
            "PRAGMA journal_mode = WAL;
             PRAGMA synchronous = FULL;
             PRAGMA foreign_keys = ON;
             PRAGMA busy_timeout = 10000;
             PRAGMA cache_size = -65536;",
        )?;
        Ok(c)
    }

    fn is_valid(&self, c: &mut rusqlite::Connection) -> Result<(), rusqlite::Error> {
        c.execute_batch("")
    }

    fn has_broken(&self, _: &mut rusqlite::Connection) -> bool {
        false
    }
}

impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
            Value::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Value::Real(f) => ToSqlOutput::Borrowed(ValueRef::Real(*f)),
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Blob(b) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
        })
    }
}

fn read(v: ValueRef<'_>) -> Value {
    match v {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(i) => Value::Int(i),
        ValueRef::Real(f) => Value::Real(f),
        ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
        ValueRef::Blob(b) => Value::Blob(b.to_vec()),
    }
}

/// A SQLite connection inside a transaction.
pub struct SqliteConn<'a>(pub &'a rusqlite::Connection);

impl Conn for SqliteConn<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        let mut st = self.0.prepare_cached(sql)?;
        Ok(st.execute(rusqlite::params_from_iter(params.iter()))? as u64)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let mut st = self.0.prepare_cached(sql)?;
        let names: Arc<[String]> = st.column_names().into_iter().map(str::to_string).collect();
        let n = names.len();
        let mut rows = st.query(rusqlite::params_from_iter(params.iter()))?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let mut vals = Vec::with_capacity(n);
            for i in 0..n {
                vals.push(read(r.get_ref(i)?));
            }
            out.push(Row::new(names.clone(), vals));
        }
        Ok(out)
    }
}

/// Applies, in order, the migrations up to version `last` that are not yet recorded, each in
/// its own transaction with its hook from `hooks` right after its SQL. Returns the versions
/// it applied.
pub fn migrate(
    c: &mut rusqlite::Connection,
    last: i64,
    hooks: &[(i64, Hook)],
) -> Result<Vec<i64>, StoreError> {
    c.execute_batch("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")?;
    let mut applied = Vec::new();
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v <= last) {
        let tx = c.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let done: i64 = tx.query_row(
            "SELECT COUNT(*) FROM schema_migrations WHERE version = ?1",
            [version],
            |r| r.get(0),
        )?;
        if done == 0 {
            tx.execute_batch(sql)?;
            run_hook(&mut SqliteConn(&tx), hooks, *version)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                rusqlite::params![version, xianfeng_domain::date::now().to_rfc3339()],
            )?;
            applied.push(*version);
        }
        tx.commit()?;
    }
    Ok(applied)
}

/// A consistent online copy of the database (`VACUUM INTO`), safe while the server runs.
pub fn backup(c: &rusqlite::Connection, dest: &Path) -> Result<(), StoreError> {
    if dest.exists() {
        return Err(StoreError::Conflict(format!(
            "目标文件已存在：{}",
            dest.display()
        )));
    }
    c.execute("VACUUM INTO ?1", [dest.to_string_lossy()])?;
    Ok(())
}
