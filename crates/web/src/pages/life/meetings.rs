//! Meeting pages: list, record (with attendance), show, attendance changes, photos, and QR
//! check-in drawn by the server.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xianfeng_domain::date;
use xianfeng_domain::life::{parse_attendance, MeetingInput, MeetingKind, Presence};
use xianfeng_domain::org::Org;
use xianfeng_store::life::meetings::{self, Meeting};
use xianfeng_store::{people::orgs, settings};

use crate::pages::form::CsrfForm;
use crate::pages::shared::with_org;
use crate::pages::{crumbs, field, options, render, render_as, Ctx, FieldErrors, Pairs};
use crate::session::Session;
use crate::{AppError, AppState};

fn meeting_input(f: &Pairs) -> MeetingInput {
    MeetingInput {
        kind: field(f, "kind"),
        date: field(f, "date"),
        held: field(f, "held"),
        place: field(f, "place"),
        host: field(f, "host"),
        topic: field(f, "topic"),
        first_topic: field(f, "first_topic"),
        agenda: field(f, "agenda"),
        minutes: field(f, "minutes"),
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    kind: String,
    #[serde(default)]
    page: i64,
}

#[derive(Template)]
#[template(path = "life/meetings.html")]
struct ListPage {
    ctx: Ctx,
    org: Org,
    crumbs: Vec<(i64, String)>,
    items: Vec<Meeting>,
    kinds: Vec<(String, bool)>,
    kind: String,
    page: i64,
    has_more: bool,
    can_record: bool,
}

pub async fn list(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let kind = MeetingKind::parse(&q.kind);
    let page = q.page.max(0);
    let (org, crumbs, mut items) = with_org(&state, &s, id, move |c, org| {
        let f = meetings::Filter { kind, year: None };
        Ok(meetings::list(c, &org.path, &f, 31, page * 30)?)
    })
    .await?;
    if !s.actor.can_list_members(&org.path) {
        return Err(AppError::Forbidden);
    }
    let has_more = items.len() > 30;
    items.truncate(30);
    render(&ListPage {
        ctx: Ctx::new(&s, "life"),
        can_record: s.actor.can_record_life(&org.path)
            && org.dissolved_on.is_none()
            && MeetingKind::ALL.iter().any(|k| k.fits(org.kind)),
        kinds: options(MeetingKind::ALL.iter().map(|k| k.label()), &q.kind),
        kind: q.kind,
        org,
        crumbs,
        items,
        page,
        has_more,
    })
}

/// One roster line of the form.
pub struct Line {
    pub id: i64,
    pub name: String,
    pub presence: String,
    pub reason: String,
}

#[derive(Template)]
#[template(path = "life/meeting_form.html")]
struct NewPage {
    ctx: Ctx,
    org: Org,
    kinds: Vec<(String, bool)>,
    input: MeetingInput,
    lines: Vec<Line>,
    errors: FieldErrors,
}

async fn recordable(
    state: &AppState,
    s: &Session,
    id: i64,
) -> Result<(Org, Vec<(i64, String)>), AppError> {
    let today = date::today().to_string();
    let (org, _, roster) = with_org(state, s, id, move |c, org| {
        Ok(meetings::roster_at(c, org, &today)?)
    })
    .await?;
    if !s.actor.can_record_life(&org.path) || org.dissolved_on.is_some() {
        return Err(AppError::Forbidden);
    }
    if !MeetingKind::ALL.iter().any(|k| k.fits(org.kind)) {
        return Err(AppError::Conflict(format!(
            "{}不召开支部会议，请在所属党支部登记",
            org.kind
        )));
    }
    Ok((org, roster))
}

fn lines(roster: &[(i64, String)], f: Option<&Pairs>) -> Vec<Line> {
    roster
        .iter()
        .map(|(id, name)| Line {
            id: *id,
            name: name.clone(),
            presence: f
                .map(|f| field(f, &format!("a{id}")))
                .unwrap_or_else(|| Presence::Present.label().into()),
            reason: f.map(|f| field(f, &format!("r{id}"))).unwrap_or_default(),
        })
        .collect()
}

fn kinds_for(org: &Org, selected: &str) -> Vec<(String, bool)> {
    options(
        MeetingKind::ALL
            .iter()
            .filter(|k| k.fits(org.kind))
            .map(|k| k.label()),
        selected,
    )
}

pub async fn new_form(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (org, roster) = recordable(&state, &s, id).await?;
    let input = MeetingInput {
        date: date::today().to_string(),
        held: "1".into(),
        kind: "主题党日".into(),
        ..Default::default()
    };
    render(&NewPage {
        ctx: Ctx::new(&s, "life"),
        kinds: kinds_for(&org, &input.kind),
        lines: lines(&roster, None),
        org,
        input,
        errors: FieldErrors::default(),
    })
}

/// Records a meeting with its attendance (`a{member id}`, `r{member id}`: the field names
/// carry ids, so the form is read as pairs). A refused form comes back as typed.
pub async fn create(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<Pairs>,
) -> Result<Response, AppError> {
    let (org, roster) = recordable(&state, &s, id).await?;
    let input = meeting_input(&f);
    let actor = s.actor.clone();
    let (o, i, pairs) = (org.clone(), input.clone(), f.clone());
    let result = crate::pages::write(&state, move |c| {
        let draft = i.validate(o.kind, date::today())?;
        let entries = parse_attendance(&pairs)?;
        Ok(meetings::create(c, Some(&actor), &o, &draft, &entries)?)
    })
    .await;
    match result {
        Ok(m) => Ok(Redirect::to(&format!("/meetings/{}", m.id)).into_response()),
        Err(e) => {
            let errors = FieldErrors::of(&e);
            let ctx = Ctx::new(&s, "life").refusal(e, &kept)?;
            render_as(
                ctx.status(),
                &NewPage {
                    ctx,
                    kinds: kinds_for(&org, &input.kind),
                    lines: lines(&roster, Some(&f)),
                    org,
                    input,
                    errors,
                },
            )
        }
    }
}

/// Loads a meeting the actor may see, with its organisation.
async fn visible(
    state: &AppState,
    s: &Session,
    id: i64,
) -> Result<(Meeting, Org, Vec<(i64, String)>), AppError> {
    let actor = s.actor.clone();
    crate::pages::read(state, move |c| {
        let Some(m) = meetings::get(c, id)? else {
            return Err(AppError::NotFound("会议"));
        };
        let org = orgs::require(c, m.org_id)?;
        let member_here = match actor.member_id {
            Some(mid) => meetings::lists(c, id, mid)?,
            None => false,
        };
        if !actor.can_list_members(&org.path) && !member_here {
            return Err(AppError::NotFound("会议"));
        }
        let crumbs = crumbs(c, &actor, &org)?;
        Ok((m, org, crumbs))
    })
    .await
}

#[derive(Template)]
#[template(path = "life/meeting.html")]
struct ShowPage {
    ctx: Ctx,
    m: Meeting,
    org: Org,
    crumbs: Vec<(i64, String)>,
    lines: Vec<meetings::Line>,
    photos: Vec<(String, String)>,
    can_edit: bool,
    show_qr: bool,
    presences: Vec<&'static str>,
}

/// The meeting's page, with `ctx` built by the caller (a plain view, or a refused form).
async fn show_page(state: &AppState, s: &Session, id: i64, ctx: Ctx) -> Result<Response, AppError> {
    let (m, org, crumbs) = visible(state, s, id).await?;
    let mid = m.id;
    let (lines, photos) = crate::pages::read(state, move |c| {
        Ok((meetings::attendance(c, mid)?, meetings::photos(c, mid)?))
    })
    .await?;
    let can_edit = s.actor.can_record_life(&org.path);
    render_as(
        ctx.status(),
        &ShowPage {
            ctx,
            show_qr: can_edit && m.date() == date::today(),
            presences: Presence::ALL.iter().map(|p| p.label()).collect(),
            m,
            org,
            crumbs,
            lines,
            photos,
            can_edit,
        },
    )
}

pub async fn show(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    show_page(&state, &s, id, Ctx::new(&s, "life")).await
}

async fn editable(state: &AppState, s: &Session, id: i64) -> Result<Meeting, AppError> {
    let (m, org, _) = visible(state, s, id).await?;
    if !s.actor.can_record_life(&org.path) {
        return Err(AppError::Forbidden);
    }
    Ok(m)
}

/// Changes attendance (and marks a planned meeting held).
pub async fn attendance(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<Pairs>,
) -> Result<Response, AppError> {
    let m = editable(&state, &s, id).await?;
    let actor = s.actor.clone();
    let mark_held = field(&f, "held") == "1";
    let result = crate::pages::write(&state, move |c| {
        let entries = parse_attendance(&f)?;
        Ok(meetings::update_attendance(
            c,
            &actor,
            &m,
            &entries,
            mark_held,
            date::today(),
        )?)
    })
    .await;
    match result {
        Ok(_) => Ok(crate::pages::done(&format!("/meetings/{id}"), "已保存。")),
        Err(e) => {
            let ctx = Ctx::new(&s, "life").refusal(e, &kept)?;
            show_page(&state, &s, id, ctx).await
        }
    }
}

/// Uploads photos (images only, within the configured size).
pub async fn upload_photo(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    form: Multipart,
) -> Result<Response, AppError> {
    let m = editable(&state, &s, id).await?;
    let crate::pages::form::Upload {
        fields: _,
        files,
        kept,
    } = match crate::pages::form::Upload::read(&s, form, "photo").await {
        Ok(u) => u,
        Err(r) => {
            let ctx = Ctx::new(&s, "life").refusal(r.error, &r.kept)?;
            return show_page(&state, &s, id, ctx).await;
        }
    };
    let actor = s.actor.clone();
    let result = crate::pages::write(&state, move |c| {
        let max = settings::rules(c)?.upload_max_bytes;
        if files.is_empty() {
            return Err(xianfeng_domain::Invalid::one("photo", "照片", "请选择照片").into());
        }
        for (name, bytes) in &files {
            let kind = xianfeng_domain::files::check_photo(name, bytes, max)?;
            meetings::add_photo(c, &actor, &m, name, kind.mime(), bytes)?;
        }
        Ok(())
    })
    .await;
    match result {
        Ok(()) => Ok(crate::pages::done(
            &format!("/meetings/{id}"),
            "照片已上传。",
        )),
        Err(e) => {
            let ctx = Ctx::new(&s, "life").refusal(e, &kept)?;
            show_page(&state, &s, id, ctx).await
        }
    }
}

pub async fn photo(
    State(state): State<AppState>,
    s: Session,
    Path((id, sha)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let (m, _, _) = visible(&state, &s, id).await?;
    crate::pages::attached_file(&state, sha, "照片", move |c, sha| {
        meetings::has_photo(c, m.id, sha)
    })
    .await
}

/// The end of the meeting's day (China time) as a Unix time: when its code expires.
fn expires(m: &Meeting) -> i64 {
    let next = m.date() + chrono::Duration::days(1);
    next.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(date::china()).single())
        .map(|t| t.timestamp() - 1)
        .unwrap_or(0)
}

/// The check-in QR code as SVG, for the host's screen.
pub async fn qr(
    State(state): State<AppState>,
    s: Session,
    headers: HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let m = editable(&state, &s, id).await?;
    if m.date() != date::today() {
        return Err(AppError::Conflict("签到码只在会议当天提供".into()));
    }
    let key = state.store.vault.derive_key("checkin");
    let token = xianfeng_domain::checkin::sign(&key, m.id, expires(&m));
    let url = crate::pages::public_url(&state, &headers, &format!("/checkin?t={token}"));
    crate::pages::qr_svg(&url, 240)
}

#[derive(Deserialize, Default)]
pub struct CheckinQuery {
    #[serde(default)]
    t: String,
}

#[derive(Template)]
#[template(path = "life/checkin.html")]
struct CheckinPage {
    ctx: Ctx,
    token: String,
    meeting: Option<Meeting>,
    done: bool,
}

/// What a scanned code shows: the meeting and a button to confirm (a GET never writes), or
/// 您已签到 when the member is already present. Without a code (the 签到 tab) it says how to
/// check in.
pub async fn checkin_page(
    State(state): State<AppState>,
    s: Session,
    Query(q): Query<CheckinQuery>,
) -> Result<Response, AppError> {
    let key = state.store.vault.derive_key("checkin");
    let now = date::now().timestamp();
    let ctx = Ctx::new(&s, "checkin");
    if q.t.is_empty() {
        return render(&CheckinPage {
            ctx,
            token: q.t,
            meeting: None,
            done: false,
        });
    }
    let member = s.actor.member_id;
    let (meeting, done, ctx) = match xianfeng_domain::checkin::verify(&key, &q.t, now) {
        Ok(id) => {
            let (m, present) = crate::pages::read(&state, move |c| {
                let present = match member {
                    Some(mid) => meetings::is_present(c, id, mid)?,
                    None => false,
                };
                Ok((meetings::get(c, id)?, present))
            })
            .await?;
            if present {
                (m, true, ctx.with_notice(ALREADY))
            } else {
                (m, false, ctx)
            }
        }
        Err(e) => (None, false, ctx.with_error(e.to_string())),
    };
    render(&CheckinPage {
        ctx,
        token: q.t,
        meeting,
        done,
    })
}

/// What a member already present sees: a notice on a normal page, not a refusal.
const ALREADY: &str = "您已签到，无需重复签到。";

#[derive(Deserialize, Default)]
pub struct CheckinForm {
    #[serde(default)]
    t: String,
}

pub async fn checkin(
    State(state): State<AppState>,
    s: Session,
    CsrfForm(f, _): CsrfForm<CheckinForm>,
) -> Result<Response, AppError> {
    let key = state.store.vault.derive_key("checkin");
    let id = xianfeng_domain::checkin::verify(&key, &f.t, date::now().timestamp())
        .map_err(|e| AppError::Conflict(e.to_string()))?;
    let member_id = s
        .actor
        .member_id
        .ok_or_else(|| AppError::Conflict("只有党员账号可以扫码签到".into()))?;
    let (m, already) = crate::pages::write(&state, move |c| {
        let m = meetings::get(c, id)?.ok_or(xianfeng_store::StoreError::NotFound("会议"))?;
        if meetings::is_present(c, id, member_id)? {
            return Ok((m, true));
        }
        Ok((meetings::check_in(c, &m, member_id)?, false))
    })
    .await?;
    let notice = if already { ALREADY } else { "签到成功。" };
    let ctx = Ctx::new(&s, "checkin").with_notice(notice);
    render(&CheckinPage {
        ctx,
        token: String::new(),
        meeting: Some(m),
        done: true,
    })
}
