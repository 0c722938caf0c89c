//! Server-rendered pages (zh-CN). Each handler: session → scope check → domain → store → render.

mod admin;
mod auth;
mod brands;
mod campaigns;
mod dashboard;
mod decisions;
pub mod form;
mod grids;
mod life;
pub mod menu;
mod people;
mod plans;
mod points;
pub mod public;
mod recognition;
pub mod shared;
mod todo;

use askama::Template;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::org::Org;
use xianfeng_store::Conn;

use crate::session::Session;
use crate::{AppError, AppState};

/// A form that carries only its CSRF token (logout, reveal, dissolve).
#[derive(serde::Deserialize)]
pub struct CsrfOnly {
    #[serde(default)]
    pub _csrf: String,
}

/// The message the layout shows once at the top of a page, and a refused form's input: drawn
/// by `base.html`, so no page template repeats the banner.
#[derive(Default)]
pub struct Flash {
    /// A success notice (after a redirect, from `?ok=`).
    pub notice: String,
    /// Why a submitted form was refused.
    pub error: String,
    /// What the user typed into the refused form and each field's message, as JSON for the
    /// small script that fills the form in again (`<` escaped so it cannot end the script).
    pub kept_json: String,
    /// The status the page is served with: 200, or 422 / 409 / 413 when a form was refused.
    pub status: axum::http::StatusCode,
    /// Each refused field's message (for pages that put a form's input back themselves).
    pub fields: Vec<(String, String)>,
}

impl Flash {
    /// A page shown with a success notice.
    pub fn notice(notice: impl Into<String>) -> Flash {
        Flash {
            notice: notice.into(),
            ..Flash::default()
        }
    }

    /// A refused form: bad input (422, each field's message beside its field), a refused
    /// change (409) or a file too large (413), with what was typed put back. Any other error
    /// is not the form's fault and is returned for the error page.
    pub fn refusal(e: AppError, kept: &form::Kept) -> Result<Flash, AppError> {
        use axum::http::StatusCode;
        let (status, error, fields) = match e {
            AppError::Invalid(i) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                i.to_string(),
                i.0.iter()
                    .map(|f| (f.field.clone(), f.message.clone()))
                    .collect(),
            ),
            AppError::Conflict(m) => (StatusCode::CONFLICT, m, Vec::new()),
            AppError::TooLarge(m) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                m.clone(),
                vec![("file".to_string(), m)],
            ),
            other => return Err(other),
        };
        Ok(Flash {
            notice: String::new(),
            error,
            kept_json: kept_json(kept, &fields),
            status,
            fields,
        })
    }

    /// The message refusing `field`, or "".
    pub fn field_error(&self, field: &str) -> &str {
        self.fields
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .unwrap_or("")
    }
}

/// What the layout needs on every signed-in page.
pub struct Ctx {
    pub user: String,
    pub role: String,
    pub role_kind: xianfeng_domain::auth::Role,
    pub csrf: String,
    pub scope_id: i64,
    pub is_county: bool,
    pub can_list: bool,
    pub member_id: Option<i64>,
    pub account_id: i64,
    pub is_admin: bool,
    pub nav: &'static str,
    /// Open to-do items, shown beside 待办 in the navigation (`None`: not counted for this
    /// request, e.g. a form shown again after a refusal).
    pub todo_count: Option<i64>,
    pub flash: Flash,
}

impl Ctx {
    pub fn new(s: &Session, nav: &'static str) -> Ctx {
        Ctx {
            user: s.actor.display_name.clone(),
            role: s.actor.role.label().to_string(),
            role_kind: s.actor.role,
            csrf: s.csrf.clone(),
            scope_id: s.actor.scope_org_id,
            is_county: s.actor.is_county_admin(),
            can_list: s.actor.role != xianfeng_domain::auth::Role::Member,
            member_id: s.actor.member_id,
            account_id: s.actor.account_id,
            is_admin: matches!(
                s.actor.role,
                xianfeng_domain::auth::Role::CountyAdmin | xianfeng_domain::auth::Role::TownAdmin
            ),
            nav,
            todo_count: s.todo_count,
            flash: Flash {
                notice: s.notice.clone(),
                ..Flash::default()
            },
        }
    }

    /// The count shown beside 待办 (0: none shown).
    pub fn todo_badge(&self) -> i64 {
        self.todo_count.unwrap_or(0)
    }

    /// Every menu entry of the role (`menu::menu`).
    pub fn menu(&self) -> Vec<menu::Link> {
        menu::menu(self)
    }

    /// The phone's bottom bar (`menu::tabs`).
    pub fn tabs(&self) -> Vec<menu::Link> {
        menu::tabs(self)
    }

    /// Whether a tab of the bar is lit: its own pages, or 更多 for every page not in the bar.
    pub fn tab_on(&self, link: &menu::Link) -> bool {
        if link.nav == "more" {
            !menu::in_tabs(self, self.nav)
        } else {
            link.on(self.nav)
        }
    }

    /// The page shown again for a refused form (see `Flash::refusal`).
    pub fn refusal(mut self, e: AppError, kept: &form::Kept) -> Result<Ctx, AppError> {
        self.flash = Flash::refusal(e, kept)?;
        Ok(self)
    }

    /// The page shown again with `message` at the top and what was typed put back, served with
    /// `status` (a refusal the page words itself, e.g. an import's row report).
    pub fn refused(
        mut self,
        status: axum::http::StatusCode,
        message: impl Into<String>,
        kept: &form::Kept,
    ) -> Ctx {
        self.flash = Flash {
            error: message.into(),
            kept_json: kept_json(kept, &[]),
            status,
            ..Flash::default()
        };
        self
    }

    /// The status to serve the page with.
    pub fn status(&self) -> axum::http::StatusCode {
        self.flash.status
    }

    /// Shows `notice` at the top of a page served directly (no redirect).
    pub fn with_notice(mut self, notice: impl Into<String>) -> Ctx {
        self.flash.notice = notice.into();
        self
    }

    /// Shows `message` as the page's error (a refusal with no form to refill).
    pub fn with_error(mut self, message: impl Into<String>) -> Ctx {
        self.flash.error = message.into();
        self
    }
}

pub(crate) fn kept_json(kept: &form::Kept, errors: &[(String, String)]) -> String {
    if kept.fields.is_empty() && kept.files.is_empty() && errors.is_empty() {
        return String::new();
    }
    serde_json::json!({
        "fields": kept.fields,
        "files": kept.files,
        "errors": errors,
        "action": kept.action,
    })
    .to_string()
    .replace('<', "\\u003c")
}

pub fn render<T: Template>(t: &T) -> Result<Response, AppError> {
    Ok(Html(t.render()?).into_response())
}

/// Renders a page with the status its `Ctx` carries (200, or the refusal's 422 / 409).
pub fn render_as<T: Template>(status: axum::http::StatusCode, t: &T) -> Result<Response, AppError> {
    Ok((status, Html(t.render()?)).into_response())
}

/// Serves a stored file once `attached(conn)` has confirmed it belongs to a record the caller
/// may see (a meeting photo, a report's evidence); otherwise 404.
pub async fn attached_file(
    state: &AppState,
    sha: String,
    what: &'static str,
    attached: impl FnOnce(&mut dyn Conn, &str) -> xianfeng_store::Result<bool> + Send + 'static,
) -> Result<Response, AppError> {
    let (mime, bytes) = read(state, move |c| {
        if !attached(c, &sha)? {
            return Ok(None);
        }
        Ok(xianfeng_store::files::get(c, &sha)?)
    })
    .await?
    .ok_or(AppError::NotFound(what))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, mime),
            (
                axum::http::header::CACHE_CONTROL,
                "private, max-age=86400".into(),
            ),
        ],
        bytes,
    )
        .into_response())
}

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// A generated file sent as a download under `name`.
pub fn download(name: &str, mime: &str, bytes: Vec<u8>) -> Response {
    (
        [
            (axum::http::header::CONTENT_TYPE, mime.to_string()),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename*=UTF-8''{}",
                    crate::session::urlencode(name)
                ),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// Uploaded evidence checked by content and the configured size limit:
/// (file name, MIME type, bytes) for the store.
pub fn checked_evidence(
    c: &mut dyn Conn,
    files: &[(String, Vec<u8>)],
) -> xianfeng_store::Result<Vec<(String, String, Vec<u8>)>> {
    let max = xianfeng_store::settings::rules(c)?.upload_max_bytes;
    let mut out = Vec::new();
    for (name, bytes) in files {
        let mime = xianfeng_domain::campaign::check_evidence(name, bytes, max)?;
        out.push((name.clone(), mime.to_string(), bytes.clone()));
    }
    Ok(out)
}

/// A form read as name/value pairs (for forms whose field names carry ids, e.g. `a12`).
pub type Pairs = Vec<(String, String)>;

/// A multipart form read whole: its text fields and its files as (file name, bytes).
type Multiparts = (Pairs, Vec<(String, Vec<u8>)>);

/// Reads a multipart form: text fields as pairs, and the files sent under `file_field` as
/// (file name, bytes). Empty file inputs are dropped. When the body cannot be read to its end
/// (past the upload limit, damaged), the error comes with the fields and file names read so
/// far.
pub async fn read_multipart(
    mut form: axum::extract::Multipart,
    file_field: &str,
) -> Result<Multiparts, (AppError, Pairs, Vec<String>)> {
    let mut fields: Pairs = Vec::new();
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    let names = |files: &[(String, Vec<u8>)], also: Option<String>| -> Vec<String> {
        files.iter().map(|(n, _)| n.clone()).chain(also).collect()
    };
    loop {
        let part = match form.next_field().await {
            Ok(Some(p)) => p,
            Ok(None) => break,
            Err(e) => return Err((form::multipart_failed(e), fields, names(&files, None))),
        };
        let name = part.name().unwrap_or("").to_string();
        if name == file_field {
            let file = part.file_name().unwrap_or("").to_string();
            let bytes = match part.bytes().await {
                Ok(b) => b,
                Err(e) => {
                    let chosen = names(&files, Some(file).filter(|f| !f.is_empty()));
                    return Err((form::multipart_failed(e), fields, chosen));
                }
            };
            if !file.is_empty() || !bytes.is_empty() {
                files.push((file, bytes.to_vec()));
            }
        } else {
            fields.push((name, part.text().await.unwrap_or_default()));
        }
    }
    Ok((fields, files))
}

/// The first value of `name` in a pairs form, or "".
pub fn field(f: &Pairs, name: &str) -> String {
    f.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// Loads an organisation the actor may see, or 404 (existence is not revealed).
pub fn visible_org(c: &mut dyn Conn, actor: &Actor, id: i64) -> Result<Org, AppError> {
    match xianfeng_store::people::orgs::get(c, id)? {
        Some(o) if actor.can_read_org(&o.path) => Ok(o),
        _ => Err(AppError::NotFound("组织")),
    }
}

/// Loads an organisation the actor may see (else 404) and requires `allowed` on it (else 403).
pub async fn org_where(
    state: &AppState,
    s: &Session,
    id: i64,
    allowed: fn(&Actor, &str) -> bool,
) -> Result<Org, AppError> {
    let actor = s.actor.clone();
    let org = read(state, move |c| visible_org(c, &actor, id)).await?;
    if !allowed(&s.actor, &org.path) {
        return Err(AppError::Forbidden);
    }
    Ok(org)
}

/// Ancestors the actor may see, for the breadcrumb.
pub fn crumbs(
    c: &mut dyn Conn,
    actor: &Actor,
    org: &Org,
) -> xianfeng_store::Result<Vec<(i64, String)>> {
    Ok(xianfeng_store::people::orgs::ancestors(c, org)?
        .into_iter()
        .filter(|o| actor.can_read_org(&o.path))
        .map(|o| (o.id, o.name))
        .collect())
}

/// `<option>`s with the current value selected.
pub fn options<'a>(all: impl IntoIterator<Item = &'a str>, selected: &str) -> Vec<(String, bool)> {
    all.into_iter()
        .map(|v| (v.to_string(), v == selected))
        .collect()
}

/// The absolute address of `path` on this server as the phone will reach it (for QR codes):
/// the request's Host when it looks like a host name, the scheme from the deployment.
pub fn public_url(state: &AppState, headers: &axum::http::HeaderMap, path: &str) -> String {
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
        })
        .unwrap_or("localhost");
    let scheme = if state.secure_cookies {
        "https"
    } else {
        "http"
    };
    format!("{scheme}://{host}{path}")
}

/// `text` as a QR code in SVG, not cached (codes can expire or be replaced).
pub fn qr_svg(text: &str, size: u32) -> Result<Response, AppError> {
    let code = qrcode::QrCode::new(text.as_bytes())
        .map_err(|e| AppError::Internal(format!("二维码生成失败：{e}")))?;
    let svg = code
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(size, size)
        .build();
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "image/svg+xml"),
            (axum::http::header::CACHE_CONTROL, "no-store"),
        ],
        svg,
    )
        .into_response())
}

/// Runs `f` in one write transaction off the async runtime. Any error `f` returns (a refusal
/// such as `Forbidden` as much as a failed statement) rolls the whole transaction back.
pub async fn write<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&mut dyn Conn) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    crate::blocking(state, move |st| st.write(f)).await
}

/// Runs `f` in one read transaction off the async runtime.
pub async fn read<T: Send + 'static>(
    state: &AppState,
    f: impl FnOnce(&mut dyn Conn) -> Result<T, AppError> + Send + 'static,
) -> Result<T, AppError> {
    crate::blocking(state, move |st| st.read(f)).await
}

/// After a successful form: back to `path` with a notice to show there (post/redirect/get).
/// The end of a form posted to a page: to `path` with `notice` when the write took, else the
/// page again, drawn by `redraw`, with the refusal and what was typed.
pub async fn settle<Fut>(
    s: &Session,
    nav: &'static str,
    outcome: Result<(String, String), AppError>,
    kept: &form::Kept,
    redraw: impl FnOnce(Ctx) -> Fut,
) -> Result<Response, AppError>
where
    Fut: std::future::Future<Output = Result<Response, AppError>>,
{
    match outcome {
        Ok((path, notice)) => Ok(done(&path, &notice)),
        Err(e) => redraw(Ctx::new(s, nav).refusal(e, kept)?).await,
    }
}

pub fn done(path: &str, notice: &str) -> Response {
    axum::response::Redirect::to(&format!("{path}?ok={}", crate::session::urlencode(notice)))
        .into_response()
}

/// Field errors by field name, for forms.
#[derive(Default)]
pub struct FieldErrors(pub Vec<(String, String)>);

impl FieldErrors {
    pub fn from_invalid(i: &xianfeng_domain::Invalid) -> FieldErrors {
        FieldErrors(
            i.0.iter()
                .map(|e| (e.field.clone(), e.message.clone()))
                .collect(),
        )
    }

    pub fn get(&self, field: &str) -> String {
        self.0
            .iter()
            .filter(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
            .collect::<Vec<_>>()
            .join("；")
    }

    pub fn any(&self) -> bool {
        !self.0.is_empty()
    }

    /// The field messages a refusal carries (none unless it was bad input).
    pub fn of(e: &AppError) -> FieldErrors {
        match e {
            AppError::Invalid(i) => FieldErrors::from_invalid(i),
            _ => FieldErrors::default(),
        }
    }
}

/// The public pages whose address carries a code that works as a credential (a points card,
/// a rating code, a notice board's objection form): `lib.rs` puts the rate limits
/// (`crate::limits::guard`) in front of them, before any handler or body reading runs.
pub fn public_code_routes() -> Router<AppState> {
    Router::new()
        .route("/c/{code}", get(points::card::show))
        .route(
            "/r/{code}",
            get(recognition::evaluations::rate_form).post(recognition::evaluations::rate),
        )
        .route("/notice/{key}/object", post(recognition::awards::object))
        .route("/notice/{key}/matters", post(decisions::object))
}

/// The public route that takes a multipart body (a card's claim with evidence): behind the
/// rate limits and the upload limit both.
pub fn public_upload_routes() -> Router<AppState> {
    Router::new().route("/c/{code}/claims", post(points::card::claim))
}

/// Every signed-in route that takes a multipart body: `lib.rs` puts `form::upload_body` in
/// front of them (the configured upload limit instead of the 2 MB of other bodies).
pub fn upload_routes() -> Router<AppState> {
    Router::new()
        .route("/roster/import", post(people::roster_pages::import))
        .route("/plans", get(plans::list).post(plans::upload))
        .route("/assignments/{id}/reports", post(campaigns::report))
        .route("/problems/{id}/steps", post(campaigns::supervision::step))
        .route("/meetings/{id}/photos", post(life::meetings::upload_photo))
        .route("/orgs/{id}/matters", post(decisions::create))
        .route("/matters/{id}/steps", post(decisions::matter::step))
        .route("/orgs/{id}/points/record", post(points::record))
        .route(
            "/orgs/{id}/households/import",
            post(points::import_residents),
        )
        .route(
            "/commitments/{id}/entries",
            post(recognition::commitments::fulfil),
        )
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(dashboard::dashboard))
        .route("/todo", get(todo::page))
        .route("/more", get(todo::more))
        .route("/login", get(auth::login_form).post(auth::login))
        .route("/logout", post(auth::logout))
        .route("/warnings", get(dashboard::warnings))
        .route("/orgs/{id}", get(people::orgs::show))
        .route("/orgs/{id}/tree", get(people::orgs::tree))
        .route(
            "/orgs/{id}/new",
            get(people::orgs::new_form).post(people::orgs::create),
        )
        .route(
            "/orgs/{id}/edit",
            get(people::orgs::edit_form).post(people::orgs::update),
        )
        .route(
            "/orgs/{id}/move",
            get(people::orgs::move_form).post(people::orgs::move_org),
        )
        .route("/orgs/{id}/dissolve", post(people::orgs::dissolve))
        .route("/orgs/{id}/members", get(people::members::list))
        .route(
            "/orgs/{id}/members/new",
            get(people::members::new_form).post(people::members::create),
        )
        .route("/orgs/{id}/roster.xlsx", get(people::roster_pages::export))
        .route("/members/{id}", get(people::members::show))
        .route("/members/{id}/reveal", post(people::members::reveal))
        .route(
            "/members/{id}/edit",
            get(people::members::edit_form).post(people::members::update),
        )
        .route(
            "/members/{id}/transfer",
            get(people::members::transfer_form).post(people::members::transfer),
        )
        .route("/roster", get(people::roster_pages::page))
        .route("/roster/template.xlsx", get(people::roster_pages::template))
        .route(
            "/accounts",
            get(people::accounts::list).post(people::accounts::create),
        )
        .route(
            "/accounts/{id}/password",
            post(people::accounts::reset_password),
        )
        .route("/accounts/{id}/status", post(people::accounts::toggle))
        .route("/accounts/{id}/unlock", post(people::accounts::unlock))
        .route("/members/{id}/account", post(people::accounts::for_member))
        .route("/plans/{id}", get(plans::show))
        .route("/plans/{id}/items", post(plans::edit))
        .route("/settings", get(admin::settings).post(admin::save_settings))
        .route("/audit", get(admin::audit))
        .route("/campaigns", get(campaigns::list).post(campaigns::create))
        .route("/campaigns/{id}", get(campaigns::show))
        .route("/campaigns/{id}/tasks", post(campaigns::add_task))
        .route("/campaigns/{id}/close", post(campaigns::close))
        .route("/campaigns/{id}/phases", post(campaigns::phases))
        .route("/campaigns/{id}/copy", post(campaigns::copy))
        .route("/campaigns/{id}/rankings", post(campaigns::record_ranking))
        .route("/plans/{id}/publish", post(campaigns::publish_draft))
        .route("/assignments/{id}", get(campaigns::assignment))
        .route("/assignments/{id}/files/{sha}", get(campaigns::evidence))
        .route(
            "/assignments/{id}/done",
            post(campaigns::completion::report_done),
        )
        .route(
            "/assignments/{id}/decision",
            post(campaigns::completion::decide),
        )
        .route(
            "/assignments/{id}/responsible",
            post(campaigns::completion::responsible),
        )
        .route("/tasks/mine", get(campaigns::completion::mine))
        .route("/plans/{id}/update", post(campaigns::update_from_draft))
        .route("/supervision", get(campaigns::supervision::home))
        .route("/orgs/{id}/supervision", get(campaigns::supervision::show))
        .route(
            "/orgs/{id}/inspections",
            post(campaigns::supervision::inspect),
        )
        .route("/inspections/{id}", get(campaigns::supervision::inspection))
        .route(
            "/inspections/{id}/problems",
            post(campaigns::supervision::raise),
        )
        .route("/problems/{id}", get(campaigns::supervision::problem))
        .route(
            "/problems/{id}/files/{sha}",
            get(campaigns::supervision::file),
        )
        .route(
            "/settings/escalation",
            get(campaigns::supervision::ladder).post(campaigns::supervision::save_ladder),
        )
        .route(
            "/settings/escalation/run",
            post(campaigns::supervision::escalate_now),
        )
        .route(
            "/orgs/{id}/titles",
            get(campaigns::supervision::titles).post(campaigns::supervision::grant),
        )
        .route("/titles/{id}/revoke", post(campaigns::supervision::revoke))
        .route("/orgs/{id}/bulletin", get(campaigns::bulletin::page))
        .route(
            "/orgs/{id}/bulletin/issue",
            post(campaigns::bulletin::issue),
        )
        .route("/orgs/{id}/bulletin.docx", get(campaigns::bulletin::docx))
        .route("/orgs/{id}/bulletin.xlsx", get(campaigns::bulletin::xlsx))
        .route("/orgs/{id}/decisions", get(decisions::home))
        .route(
            "/orgs/{id}/decisions/one-shoulder",
            post(decisions::one_shoulder),
        )
        .route("/decisions/categories", post(decisions::save_categories))
        .route("/matters/{id}", get(decisions::matter::show))
        .route(
            "/matters/{id}/implement",
            post(decisions::matter::implement),
        )
        .route(
            "/matters/{id}/objections/{oid}/answer",
            post(decisions::matter::answer),
        )
        .route("/matters/{id}/files/{sha}", get(decisions::matter::file))
        .route("/life", get(life::overview::home))
        .route("/orgs/{id}/life", get(life::overview::page))
        .route("/orgs/{id}/heatmap", get(life::overview::heatmap))
        .route("/orgs/{id}/missing", get(life::overview::missing))
        .route("/orgs/{id}/life/members", get(life::overview::members))
        .route("/orgs/{id}/birthdays", get(life::overview::birthdays))
        .route("/orgs/{id}/meetings", get(life::meetings::list))
        .route(
            "/orgs/{id}/meetings/new",
            get(life::meetings::new_form).post(life::meetings::create),
        )
        .route("/meetings/{id}", get(life::meetings::show))
        .route(
            "/meetings/{id}/attendance",
            post(life::meetings::attendance),
        )
        .route("/meetings/{id}/photos/{sha}", get(life::meetings::photo))
        .route("/meetings/{id}/qr.svg", get(life::meetings::qr))
        .route(
            "/checkin",
            get(life::meetings::checkin_page).post(life::meetings::checkin),
        )
        .route(
            "/orgs/{id}/training",
            get(life::training::list).post(life::training::create),
        )
        .route(
            "/orgs/{id}/contacts",
            get(life::contacts::page).post(life::contacts::assign),
        )
        .route("/contacts/{id}/visit", post(life::contacts::visit))
        .route("/grids", get(grids::grid::home))
        .route("/grids/categories", post(grids::overview::save_categories))
        .route(
            "/orgs/{id}/grids",
            get(grids::overview::page).post(grids::overview::create),
        )
        .route("/grids/{id}", get(grids::grid::page))
        .route("/grids/{id}/staff", post(grids::grid::add_staff))
        .route("/grids/{id}/place", post(grids::grid::place))
        .route("/grid-households/{id}", post(grids::grid::household))
        .route("/grid-households/{id}/visits", post(grids::visits::record))
        .route("/my/households", get(grids::visits::mine))
        .route(
            "/orgs/{id}/posts",
            get(grids::posts::page).post(grids::posts::create),
        )
        .route("/points", get(points::home))
        .route("/my/points", get(points::mine))
        .route("/orgs/{id}/points", get(points::show))
        .route(
            "/orgs/{id}/points/rules",
            get(points::rules).post(points::add_rule),
        )
        .route("/point-rules/{id}/active", post(points::toggle_rule))
        .route(
            "/point-rules/{id}/edit",
            get(points::edit_rule_form).post(points::edit_rule),
        )
        .route("/point-claims/{id}/decide", post(points::decide))
        .route("/point-claims/{id}/files/{sha}", get(points::claim_file))
        .route("/point-accounts/{id}", get(points::account))
        .route("/point-accounts/{id}/qr.svg", get(points::account_qr))
        .route("/point-entries/{id}/reverse", post(points::reverse))
        .route(
            "/orgs/{id}/households",
            get(points::household_list).post(points::add_resident),
        )
        .route("/households/template.xlsx", get(points::resident_template))
        .route("/orgs/{id}/stores", post(points::shop::open))
        .route("/stores/{id}", get(points::shop::show))
        .route("/stores/{id}/items", post(points::shop::stock))
        .route("/stores/{id}/redeem", post(points::shop::redeem))
        .route("/stores/{id}/reconcile.xlsx", get(points::shop::reconcile))
        .route("/receipts/{id}", get(points::shop::receipt))
        .route("/board/{key}", get(points::card::board))
        .route("/board/{key}/brands", get(brands::public_board::page))
        .route("/brands", get(brands::projects::home))
        .route(
            "/orgs/{id}/brands",
            get(brands::projects::list).post(brands::projects::propose),
        )
        .route("/brands/{id}", get(brands::projects::show))
        .route("/brands/{id}/designate", post(brands::projects::designate))
        .route("/brands/{id}/act", post(brands::projects::act))
        .route("/brands/{id}/records", post(brands::projects::record))
        .route(
            "/brands/{id}/declare",
            get(brands::projects::declare_form).post(brands::projects::declare),
        )
        .route("/brands/{id}/form", get(brands::projects::print))
        .route(
            "/orgs/{id}/sites",
            get(brands::sites::list).post(brands::sites::designate),
        )
        .route(
            "/orgs/{id}/site-standards",
            post(brands::sites::save_standards),
        )
        .route("/sites/{id}", get(brands::sites::show))
        .route("/sites/{id}/accept", post(brands::sites::accept))
        .route("/site-items/{id}/evidence", post(brands::sites::evidence))
        .route("/site-items/{id}/check", post(brands::sites::check))
        .route(
            "/orgs/{id}/funds",
            get(brands::funds::list).post(brands::funds::create),
        )
        .route("/budget-lines/{id}", get(brands::funds::show))
        .route("/budget-lines/{id}/spend", post(brands::funds::spend))
        .route("/fund-entries/{id}/reverse", post(brands::funds::reverse))
        .route("/awards", get(recognition::awards::home))
        .route("/orgs/{id}/awards", get(recognition::awards::show))
        .route(
            "/orgs/{id}/awards/kinds",
            post(recognition::awards::create_kind),
        )
        .route(
            "/orgs/{id}/awards/nominate",
            post(recognition::awards::nominate),
        )
        .route("/nominations/{id}", get(recognition::awards::nomination))
        .route("/nominations/{id}/act", post(recognition::awards::act))
        .route(
            "/nominations/{id}/summary",
            post(recognition::awards::revise),
        )
        .route(
            "/nominations/{id}/objections/{objection}",
            post(recognition::awards::resolve),
        )
        .route("/notice/{key}", get(recognition::awards::public_notice))
        .route(
            "/orgs/{id}/evaluations",
            get(recognition::evaluations::list).post(recognition::evaluations::open),
        )
        .route("/evaluations/{id}", get(recognition::evaluations::show))
        .route(
            "/evaluations/{id}/score",
            post(recognition::evaluations::score),
        )
        .route(
            "/evaluations/{id}/close",
            post(recognition::evaluations::close),
        )
        .route(
            "/evaluations/{id}/codes",
            get(recognition::evaluations::codes),
        )
        .route(
            "/evaluations/{id}/results/{subject}",
            get(recognition::evaluations::explain),
        )
        .route(
            "/evaluation-codes/{id}/revoke",
            post(recognition::evaluations::revoke),
        )
        .route("/r/{code}/qr.svg", get(recognition::evaluations::code_qr))
        .route(
            "/orgs/{id}/commitments",
            get(recognition::commitments::list).post(recognition::commitments::add),
        )
        .route(
            "/orgs/{id}/leader-reviews",
            post(recognition::commitments::leader_review),
        )
        .route(
            "/orgs/{id}/commitments/approve",
            post(recognition::commitments::approve_all),
        )
        .route("/commitments/{id}", get(recognition::commitments::show))
        .route(
            "/commitments/{id}/step",
            post(recognition::commitments::step),
        )
        .route(
            "/commitments/{id}/reviews",
            post(recognition::commitments::review),
        )
        .route(
            "/commitments/{id}/files/{sha}",
            get(recognition::commitments::photo),
        )
        .route(
            "/board/{key}/commitments",
            get(recognition::commitments::report),
        )
        .route("/orgs/{id}/stars", get(recognition::stars::show))
        .route("/orgs/{id}/stars/rate", post(recognition::stars::rate))
        .route("/orgs/{id}/stars/grant", post(recognition::stars::grant))
        .route("/members/{id}/stars", get(recognition::stars::history))
        .route("/settings/schemes", get(recognition::schemes::show))
        .route(
            "/settings/schemes/evaluation",
            post(recognition::schemes::save_evaluation),
        )
        .route(
            "/settings/schemes/stars",
            post(recognition::schemes::save_stars),
        )
        .route(
            "/settings/cadence",
            get(life::cadence::county).post(life::cadence::save_county),
        )
        .route(
            "/orgs/{id}/cadence",
            get(life::cadence::town).post(life::cadence::save_town),
        )
}
