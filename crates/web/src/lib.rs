//! The web layer: authenticates, scopes, parses and renders. No business rule lives here; it
//! asks `xianfeng_domain` to decide and `xianfeng_store` to persist.

pub mod api;
pub mod bulletin_files;
pub mod error;
pub mod limits;
pub mod pages;
pub mod residents;
pub mod roster;
pub mod session;
pub mod sheet;
pub mod svg;

use std::sync::Arc;

use axum::extract::DefaultBodyLimit;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use xianfeng_store::Store;

pub use error::AppError;

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<Store>,
    /// Mark cookies `Secure` (behind HTTPS).
    pub secure_cookies: bool,
    /// Rate limits of the public code pages (`limits`).
    pub limits: Arc<limits::PublicLimits>,
}

impl AppState {
    pub fn new(store: Store) -> AppState {
        AppState {
            store: Arc::new(store),
            secure_cookies: false,
            limits: Arc::new(limits::PublicLimits::default()),
        }
    }
}

/// Moves overdue problem-ledger items up the escalation ladder at start-up and then hourly
/// (each level is written once, so repeated runs are harmless).
fn spawn_escalation(store: Arc<Store>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            tick.tick().await;
            let s = store.clone();
            let run = tokio::task::spawn_blocking(move || {
                s.write(|c| {
                    xianfeng_store::campaigns::supervision::escalate(
                        c,
                        xianfeng_domain::date::today(),
                    )
                })
            })
            .await;
            match run
                .map_err(|e| e.to_string())
                .and_then(|r| r.map_err(|e| e.to_string()))
            {
                Ok(n) if n > 0 => tracing::info!("逾期问题升级：{n}项"),
                Err(e) => tracing::warn!("逾期问题升级失败：{e}"),
                _ => {}
            }
        }
    });
}

/// Runs blocking store work off the async threads.
pub async fn blocking<T, F>(state: &AppState, f: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(&Store) -> Result<T, AppError> + Send + 'static,
{
    let store = state.store.clone();
    tokio::task::spawn_blocking(move || f(&store))
        .await
        .map_err(|e| AppError::Internal(format!("任务失败：{e}")))?
}

const STYLE: &str = include_str!("../static/style.css");
const SCRIPT: &str = include_str!("../static/app.js");

async fn style() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLE,
    )
}

async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        SCRIPT,
    )
}

/// Headers every response carries: no framing, no sniffing, scripts and styles from this site
/// only (inline `style` attributes allowed for the tree indentation).
async fn security_headers(mut res: axum::response::Response) -> axum::response::Response {
    let h = res.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: &'static str, v: &'static str| {
        h.insert(k, axum::http::HeaderValue::from_static(v));
    };
    set(h, "x-content-type-options", "nosniff");
    set(h, "x-frame-options", "DENY");
    set(h, "referrer-policy", "same-origin");
    set(
        h,
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'",
    );
    res
}

/// The whole application: pages, `/api/v1` and static assets.
pub fn router(state: AppState) -> Router {
    // Every body is held to 2 MB, except multipart uploads: those are held to the configured
    // `upload_max_bytes` (plus their form fields) by `form::upload_body`, as they are read.
    let uploads = || axum::middleware::from_fn_with_state(state.clone(), pages::form::upload_body);
    let guard = || axum::middleware::from_fn_with_state(state.clone(), limits::guard);
    Router::new()
        .merge(pages::routes())
        .merge(pages::public_code_routes().route_layer(guard()))
        .merge(
            pages::upload_routes()
                .route_layer(uploads())
                .layer(DefaultBodyLimit::disable()),
        )
        .merge(
            pages::public_upload_routes()
                .route_layer(uploads())
                .route_layer(guard())
                .layer(DefaultBodyLimit::disable()),
        )
        .nest("/api/v1", api::routes())
        .route("/static/style.css", get(style))
        .route("/static/app.js", get(script))
        .route("/healthz", get(|| async { "ok" }))
        .layer(DefaultBodyLimit::max(pages::form::FORM_LIMIT))
        .layer(axum::middleware::map_response(security_headers))
        .with_state(state)
}

/// Serves the application on `listener` until Ctrl+C.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    spawn_escalation(state.store.clone());
    let app = router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
}
