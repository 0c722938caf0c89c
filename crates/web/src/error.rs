//! One error type for the web layer, mapped once to HTTP: HTML for pages, JSON for the API.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use serde_json::json;
use xianfeng_domain::Invalid;
use xianfeng_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Bad input; every field named.
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// Not there, or outside the caller's scope (never told apart).
    #[error("{0}不存在或无权访问")]
    NotFound(&'static str),
    #[error("请先登录")]
    Unauthenticated,
    #[error("用户名或密码错误")]
    BadCredentials,
    #[error("没有权限执行此操作")]
    Forbidden,
    #[error("页面已过期，请刷新后重试（CSRF 校验失败）")]
    Csrf,
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    TooMany(String),
    #[error("{0}")]
    TooLarge(String),
    /// The database cannot be reached or written just now (a lost connection, a restart, a
    /// read-only file): nothing was written. The cause is logged, never shown.
    #[error("系统暂时不可用，请稍后重试")]
    Unavailable(String),
    /// The disk under the database is full: nothing was written. The cause is logged.
    #[error("服务器存储空间已满，本次提交的内容未保存，请联系管理员")]
    StorageFull(String),
    /// Something went wrong inside (a database failure, a bug): logged in full with a short id;
    /// the user sees only 系统错误 and the id.
    #[error("系统错误，请稍后重试（错误编号 {}）", incident_id(.0))]
    Internal(String),
}

/// A short id that names one internal error in the log, so the user can quote it and the
/// operator find it. It hashes the message with the time, so the database's words never reach
/// the page.
fn incident_id(message: &str) -> String {
    use sha2::Digest;
    thread_local! {
        static SEEN: std::cell::RefCell<Option<(String, String)>> = const { std::cell::RefCell::new(None) };
    }
    SEEN.with(|seen| {
        if let Some((m, id)) = seen.borrow().as_ref() {
            if m == message {
                return id.clone();
            }
        }
        let mut h = sha2::Sha256::new();
        h.update(message.as_bytes());
        h.update(
            xianfeng_domain::date::now()
                .timestamp_micros()
                .to_le_bytes(),
        );
        h.update(rand::random::<u64>().to_le_bytes());
        let id = hex::encode(&h.finalize()[..4]);
        *seen.borrow_mut() = Some((message.to_string(), id.clone()));
        id
    })
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Invalid(i) => AppError::Invalid(i),
            StoreError::NotFound(what) => AppError::NotFound(what),
            StoreError::Conflict(m) => AppError::Conflict(m),
            StoreError::Db(m) => AppError::Internal(m),
            StoreError::Unavailable(m) => AppError::Unavailable(m),
            StoreError::Full(m) => AppError::StorageFull(m),
            StoreError::Crypto => AppError::Internal("加密数据无法解密".into()),
        }
    }
}

impl From<askama::Error> for AppError {
    fn from(e: askama::Error) -> Self {
        AppError::Internal(format!("页面渲染失败：{e}"))
    }
}

impl AppError {
    pub fn status(&self) -> StatusCode {
        match self {
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::NotFound(_) => StatusCode::NOT_FOUND,
            AppError::Unauthenticated | AppError::BadCredentials => StatusCode::UNAUTHORIZED,
            AppError::Forbidden | AppError::Csrf => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooMany(_) => StatusCode::TOO_MANY_REQUESTS,
            AppError::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::StorageFull(_) => StatusCode::INSUFFICIENT_STORAGE,
            AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn log(&self) {
        match self {
            AppError::Internal(m) => tracing::error!(incident = %incident_id(m), "{m}"),
            AppError::Unavailable(m) => tracing::warn!("数据库暂时不可用：{m}"),
            AppError::StorageFull(m) => tracing::error!("存储空间已满：{m}"),
            _ => {}
        }
    }

    /// Headers the answer carries besides its body: when to try again after a 503.
    fn retry_after(&self) -> Option<(axum::http::HeaderName, &'static str)> {
        matches!(self, AppError::Unavailable(_)).then_some((axum::http::header::RETRY_AFTER, "5"))
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage<'a> {
    status: u16,
    message: &'a str,
    fields: Vec<String>,
    login: bool,
}

/// Pages: a Chinese error page (a login prompt for an expired session).
impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        self.log();
        let status = self.status();
        let message = self.to_string();
        let fields = match &self {
            AppError::Invalid(i) => i.0.iter().map(|e| e.to_string()).collect(),
            _ => vec![],
        };
        let page = ErrorPage {
            status: status.as_u16(),
            message: &message,
            fields,
            login: matches!(self, AppError::Unauthenticated),
        };
        let retry = self.retry_after();
        let mut res = match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(_) => (status, message).into_response(),
        };
        if let Some((name, value)) = retry {
            res.headers_mut()
                .insert(name, axum::http::HeaderValue::from_static(value));
        }
        res
    }
}

/// The API's form of the same errors: `{"error": {"code", "message", "fields"}}`.
pub struct ApiError(pub AppError);

impl<E: Into<AppError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.0.log();
        let status = self.0.status();
        let fields = match &self.0 {
            AppError::Invalid(i) => json!(i.0),
            _ => json!([]),
        };
        let code = match &self.0 {
            AppError::Invalid(_) => "invalid",
            AppError::NotFound(_) => "not_found",
            AppError::Unauthenticated => "unauthenticated",
            AppError::BadCredentials => "bad_credentials",
            AppError::Forbidden => "forbidden",
            AppError::Csrf => "csrf",
            AppError::Conflict(_) => "conflict",
            AppError::TooMany(_) => "too_many_requests",
            AppError::TooLarge(_) => "too_large",
            AppError::Unavailable(_) => "unavailable",
            AppError::StorageFull(_) => "storage_full",
            AppError::Internal(_) => "internal",
        };
        let retry = self.0.retry_after();
        let mut res = (
            status,
            Json(json!({"error": {"code": code, "message": self.0.to_string(), "fields": fields}})),
        )
            .into_response();
        if let Some((name, value)) = retry {
            res.headers_mut()
                .insert(name, axum::http::HeaderValue::from_static(value));
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_database_out_of_reach_is_503_and_a_full_disk_507_never_with_the_cause() {
        let e = AppError::from(StoreError::Unavailable(
            "disk I/O error: /srv/xianfeng.db".into(),
        ));
        assert_eq!(e.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(e.to_string(), "系统暂时不可用，请稍后重试");
        let res = e.into_response();
        assert_eq!(res.headers()[axum::http::header::RETRY_AFTER], "5");
        let e = AppError::from(StoreError::Full("database or disk is full".into()));
        assert_eq!(e.status(), StatusCode::INSUFFICIENT_STORAGE);
        assert!(e.to_string().contains("存储空间已满"), "{e}");
        assert!(!e.to_string().contains("disk"), "{e}");
        let res = ApiError(AppError::Unavailable("08006".into())).into_response();
        assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(res.headers()[axum::http::header::RETRY_AFTER], "5");
    }

    #[test]
    fn an_internal_error_shows_an_id_and_never_the_database_message() {
        let e = AppError::Internal("数据库错误：relation \"members\" does not exist".into());
        let shown = e.to_string();
        assert!(shown.starts_with("系统错误"), "{shown}");
        assert!(!shown.contains("relation"), "{shown}");
        let id = shown
            .split("错误编号 ")
            .nth(1)
            .unwrap()
            .trim_end_matches('）');
        assert_eq!(id.len(), 8, "{shown}");
        assert!(id.chars().all(|c| c.is_ascii_hexdigit()));
        // The log line and the page name the same incident.
        assert_eq!(e.to_string(), shown);
    }
}
