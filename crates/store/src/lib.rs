//! Persistence for 先锋: one `Store` over SQLite (default, embedded) or PostgreSQL, and
//! repositories grouped in one folder per area of the product. Repositories take a `&mut dyn Conn` inside a transaction, so
//! a request's writes and its audit entry commit together or not at all.

// The map: infrastructure, the three engines, then one folder per area of the product.
pub mod audit;
pub mod crypto;
pub mod db;
mod error;
pub mod files;
pub mod grids;
pub mod migrations;
pub mod postgres;
pub mod settings;
pub mod sqlite;

pub mod engines;

pub mod brands;
pub mod campaigns;
pub mod decisions;
pub mod life;
pub mod people;
pub mod plans;
pub mod points;
pub mod recognition;
pub mod todo;

/// Test support (stores on both backends, small builders); not part of the production API.
#[cfg(any(test, feature = "testing"))]
pub mod testing;

use std::path::{Path, PathBuf};

pub use crypto::Vault;

// The wiring between areas: a module that records something tells whoever follows it through
// these lists, so it never imports the modules that react (no import circles).

/// What follows roll-up metrics as they move: a campaign's computed indicators.
pub(crate) const ROLLUP_OBSERVERS: &[engines::rollup::Observer] = &[campaigns::measures::OBSERVER];

/// What follows a meeting's attendance: points rules that fire on attendance.
type AttendanceFollower = fn(&mut dyn Conn, &life::meetings::Meeting) -> Result<()>;
pub(crate) const ATTENDANCE_FOLLOWERS: &[AttendanceFollower] =
    &[points::point_triggers::sync_meeting];

/// What follows a member transferred to another organisation: the member's points account.
type TransferFollower = fn(&mut dyn Conn, i64, &xianfeng_domain::org::Org) -> Result<()>;
pub(crate) const TRANSFER_FOLLOWERS: &[TransferFollower] = &[points::follow_member];

/// What follows a workflow instance that became final: an award to an organisation enters the
/// honours register; a brand's declaration is filed with a register number.
type FinalFollower =
    fn(&mut dyn Conn, &xianfeng_domain::auth::Actor, &engines::workflow::Instance) -> Result<()>;
pub(crate) const FINAL_FOLLOWERS: &[FinalFollower] = &[
    recognition::awards::follow_final,
    brands::projects::follow_final,
];
pub use db::{Conn, Dialect, Row, Value};
pub use error::{Result, StoreError};

enum Backend {
    Sqlite(r2d2::Pool<sqlite::Manager>),
    Postgres(r2d2::Pool<postgres::Manager>),
}

/// The database and the key that protects personal data in it.
pub struct Store {
    backend: Backend,
    pub vault: Vault,
    url: String,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({})", self.describe())
    }
}

/// Where a `sqlite://` URL points: `sqlite://data/x.db` (relative) or `sqlite:///abs/x.db`.
pub fn sqlite_path(url: &str) -> Option<PathBuf> {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .map(PathBuf::from)
}

impl Store {
    /// Opens `sqlite://PATH` (creating the file and its folder) or `postgres://…`.
    pub fn open(url: &str, vault: Vault) -> Result<Store> {
        Store::open_in_schema(url, vault, None)
    }

    /// Like `open`, with PostgreSQL connections confined to one schema (used by tests).
    pub fn open_in_schema(url: &str, vault: Vault, schema: Option<String>) -> Result<Store> {
        let backend = if let Some(path) = sqlite_path(url) {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| {
                    StoreError::Db(format!("无法创建数据目录 {}：{e}", dir.display()))
                })?;
            }
            // Every connection is tried before use (`test_on_check_out`, r2d2's default made
            // explicit): one that failed stays out of the next request.
            let pool = r2d2::Pool::builder()
                .max_size(8)
                .test_on_check_out(true)
                .build(sqlite::Manager::new(&path))?;
            Backend::Sqlite(pool)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            // A connection the server ended (a restart, a failover, pg_terminate_backend) fails
            // the check before use and is replaced, so the pool recovers by itself.
            let pool = r2d2::Pool::builder()
                .max_size(8)
                .test_on_check_out(true)
                .connection_timeout(std::time::Duration::from_secs(10))
                .build(postgres::Manager::new(url, schema)?)?;
            Backend::Postgres(pool)
        } else {
            return Err(StoreError::Conflict(format!(
                "不支持的数据库地址：{url}（应以 sqlite:// 或 postgres:// 开头）"
            )));
        };
        Ok(Store {
            backend,
            vault,
            url: url.to_string(),
        })
    }

    pub fn dialect(&self) -> Dialect {
        match self.backend {
            Backend::Sqlite(_) => Dialect::Sqlite,
            Backend::Postgres(_) => Dialect::Postgres,
        }
    }

    /// The URL without any password.
    pub fn describe(&self) -> String {
        match self.backend {
            Backend::Sqlite(_) => self.url.clone(),
            Backend::Postgres(_) => match self.url.split_once('@') {
                Some((_, host)) => format!("postgres://…@{host}"),
                None => self.url.clone(),
            },
        }
    }

    /// Brings the schema up to date: every migration the database lacks, with its hook.
    pub fn migrate(&self) -> Result<()> {
        self.migrate_to(i64::MAX, migrations::HOOKS).map(|_| ())
    }

    /// Applies the migrations up to version `last` that the database lacks, in order, each
    /// with its hook from `hooks` (see `migrations`); returns the versions it applied.
    /// `migrate` is this with every version and `migrations::HOOKS`; tests use it to make a
    /// store as an earlier release left it.
    pub fn migrate_to(&self, last: i64, hooks: &[(i64, migrations::Hook)]) -> Result<Vec<i64>> {
        match &self.backend {
            Backend::Sqlite(pool) => sqlite::migrate(&mut *pool.get()?, last, hooks),
            Backend::Postgres(pool) => postgres::migrate(&mut pool.get()?.client, last, hooks),
        }
    }

    /// Runs `f` in one write transaction: all of it commits, or, when `f` returns any error
    /// (a refusal as much as a database failure), none of it. The closure's error type is the
    /// caller's, so a handler's refusal rolls back exactly like a failed statement.
    pub fn write<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut dyn Conn) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        match &self.backend {
            Backend::Sqlite(pool) => {
                let mut c = pool.get().map_err(StoreError::from)?;
                let tx = c
                    .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
                    .map_err(StoreError::from)?;
                // Dropping `tx` without commit rolls back.
                let out = f(&mut sqlite::SqliteConn(&tx))?;
                tx.commit().map_err(StoreError::from)?;
                Ok(out)
            }
            Backend::Postgres(pool) => {
                let mut c = pool.get().map_err(StoreError::from)?;
                let (client, cache) = postgres::split(&mut c);
                let mut tx = client.transaction().map_err(StoreError::from)?;
                let out = f(&mut postgres::PgConn { tx: &mut tx, cache })?;
                tx.commit().map_err(StoreError::from)?;
                Ok(out)
            }
        }
    }

    /// Runs `f` in a read transaction (one consistent snapshot); any error is the caller's.
    pub fn read<T, E: From<StoreError>>(
        &self,
        f: impl FnOnce(&mut dyn Conn) -> std::result::Result<T, E>,
    ) -> std::result::Result<T, E> {
        match &self.backend {
            Backend::Sqlite(pool) => {
                let mut c = pool.get().map_err(StoreError::from)?;
                let tx = c
                    .transaction_with_behavior(rusqlite::TransactionBehavior::Deferred)
                    .map_err(StoreError::from)?;
                let out = f(&mut sqlite::SqliteConn(&tx))?;
                tx.commit().map_err(StoreError::from)?;
                Ok(out)
            }
            Backend::Postgres(pool) => {
                let mut c = pool.get().map_err(StoreError::from)?;
                let (client, cache) = postgres::split(&mut c);
                let mut tx = client
                    .build_transaction()
                    .read_only(true)
                    .start()
                    .map_err(StoreError::from)?;
                let out = f(&mut postgres::PgConn { tx: &mut tx, cache })?;
                tx.commit().map_err(StoreError::from)?;
                Ok(out)
            }
        }
    }

    /// Direct access to the SQLite connection (bulk load, backup); `None` on PostgreSQL.
    pub fn with_sqlite<T>(
        &self,
        f: impl FnOnce(&mut rusqlite::Connection) -> Result<T>,
    ) -> Option<Result<T>> {
        match &self.backend {
            Backend::Sqlite(pool) => Some(
                pool.get()
                    .map_err(StoreError::from)
                    .and_then(|mut c| f(&mut c)),
            ),
            Backend::Postgres(_) => None,
        }
    }

    /// A consistent online copy (SQLite only).
    pub fn backup(&self, dest: &Path) -> Result<()> {
        match self.with_sqlite(|c| sqlite::backup(c, dest)) {
            Some(r) => r,
            None => Err(StoreError::Conflict(
                "PostgreSQL 请使用 pg_dump 备份，例如：pg_dump -Fc -f xianfeng.dump 数据库名"
                    .into(),
            )),
        }
    }
}

/// The outcome of a consistency check (`audit verify`): sound, with what was checked, or broken,
/// with the first inconsistency found. A failure to run the check is the `Err` around it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check<T, E = String> {
    Sound(T),
    Broken(E),
}

impl<T, E> Check<T, E> {
    /// What was checked, when sound.
    pub fn sound(self) -> Option<T> {
        match self {
            Check::Sound(t) => Some(t),
            Check::Broken(_) => None,
        }
    }

    /// The first inconsistency, when broken.
    pub fn broken(self) -> Option<E> {
        match self {
            Check::Sound(_) => None,
            Check::Broken(e) => Some(e),
        }
    }
}

/// The current time as stored in text columns.
pub fn now_text() -> String {
    xianfeng_domain::date::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
}
