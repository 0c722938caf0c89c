use xianfeng_domain::Invalid;

/// Every way a store call fails. Web maps each variant to one HTTP status, once.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Bad input: field-level Chinese messages; nothing was written.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    #[error("{0}不存在")]
    NotFound(&'static str),
    /// A rule of the data refused the change (e.g. dissolving an organisation that has members).
    #[error("{0}")]
    Conflict(String),
    #[error("数据库错误：{0}")]
    Db(String),
    /// The database cannot be reached or written just now: the connection was lost (a
    /// restart, a failover, a network fault), the file turned read-only or failed to write,
    /// or it stayed locked. Nothing was written; the same request may succeed later.
    #[error("数据库暂时不可用：{0}")]
    Unavailable(String),
    /// The disk under the database is full. Nothing was written.
    #[error("数据库存储空间已满：{0}")]
    Full(String),
    #[error("加密数据无法解密（密钥不符？）")]
    Crypto,
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode as C;
        match e.sqlite_error_code() {
            Some(C::DiskFull) => StoreError::Full(e.to_string()),
            Some(
                C::ReadOnly
                | C::SystemIoFailure
                | C::CannotOpen
                | C::PermissionDenied
                | C::DatabaseBusy
                | C::DatabaseLocked
                | C::FileLockingProtocolFailed,
            ) => StoreError::Unavailable(e.to_string()),
            _ => StoreError::Db(e.to_string()),
        }
    }
}

impl From<postgres::Error> for StoreError {
    /// Keeps the server's own words (code, message, detail), which `Display` drops.
    fn from(e: postgres::Error) -> Self {
        use postgres::error::SqlState;
        match e.as_db_error() {
            Some(db) => {
                let code = db.code();
                let text = match db.detail() {
                    Some(detail) => format!("{} {}（{detail}）", code.code(), db.message()),
                    None => format!("{} {}", code.code(), db.message()),
                };
                if *code == SqlState::DISK_FULL {
                    StoreError::Full(text)
                } else if code.code().starts_with("08")
                    || [
                        SqlState::ADMIN_SHUTDOWN,
                        SqlState::CRASH_SHUTDOWN,
                        SqlState::CANNOT_CONNECT_NOW,
                        SqlState::TOO_MANY_CONNECTIONS,
                        SqlState::READ_ONLY_SQL_TRANSACTION,
                    ]
                    .contains(code)
                {
                    // 08: connection exceptions; 57P01–03: the server is shutting down or
                    // starting; 53300: no connection free; 25006: a standby after failover.
                    StoreError::Unavailable(text)
                } else {
                    StoreError::Db(text)
                }
            }
            // No answer from the server at all: the connection is closed or its socket failed.
            None if e.is_closed() || io_cause(&e) => StoreError::Unavailable(e.to_string()),
            None => StoreError::Db(e.to_string()),
        }
    }
}

/// Whether an error comes from the network (a refused, reset or broken connection).
fn io_cause(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cause = e.source();
    while let Some(c) = cause {
        if c.is::<std::io::Error>() {
            return true;
        }
        cause = c.source();
    }
    false
}

impl From<r2d2::Error> for StoreError {
    /// No connection came free or could be opened in time: the database is out of reach.
    fn from(e: r2d2::Error) -> Self {
        StoreError::Unavailable(format!("连接池：{e}"))
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_or_read_only_sqlite_database_is_named_as_such_not_as_a_bug() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE t (x BLOB); PRAGMA max_page_count = 3;")
            .unwrap();
        let full = c
            .execute("INSERT INTO t VALUES (zeroblob(100000))", [])
            .unwrap_err();
        assert!(matches!(StoreError::from(full), StoreError::Full(_)));
        c.execute_batch("PRAGMA query_only = 1").unwrap();
        let read_only = c.execute("INSERT INTO t VALUES (1)", []).unwrap_err();
        assert!(matches!(
            StoreError::from(read_only),
            StoreError::Unavailable(_)
        ));
        let bug = c.execute("SELECT * FROM missing", []).unwrap_err();
        assert!(matches!(StoreError::from(bug), StoreError::Db(_)));
    }

    #[test]
    fn a_postgresql_server_out_of_reach_is_unavailable() {
        // Port 1 on the loopback: nothing listens, the connection is refused.
        let e = postgres::Client::connect(
            "postgres://nobody@127.0.0.1:1/none?connect_timeout=2",
            postgres::NoTls,
        )
        .err()
        .unwrap();
        let e = StoreError::from(e);
        assert!(matches!(e, StoreError::Unavailable(_)), "{e:?}");
    }
}
