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
    #[error("加密数据无法解密（密钥不符？）")]
    Crypto,
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Db(e.to_string())
    }
}

impl From<postgres::Error> for StoreError {
    /// Keeps the server's own words (code, message, detail), which `Display` drops.
    fn from(e: postgres::Error) -> Self {
        match e.as_db_error() {
            Some(db) => StoreError::Db(match db.detail() {
                Some(detail) => format!("{} {}（{detail}）", db.code().code(), db.message()),
                None => format!("{} {}", db.code().code(), db.message()),
            }),
            None => StoreError::Db(e.to_string()),
        }
    }
}

impl From<r2d2::Error> for StoreError {
    fn from(e: r2d2::Error) -> Self {
        StoreError::Db(format!("连接池：{e}"))
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;
