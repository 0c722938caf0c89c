//! 评选表彰 pages: award kinds with their quotas, nominations climbing the levels through the
//! workflow engine, a nomination's history with the actions open to the caller, and the
//! public notice (公示) where anyone may file an objection.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xianfeng_domain::award::{describe, AwardKindInput};
use xianfeng_domain::org::Org;
use xianfeng_domain::workflow::{available, Acting, Action, Level, Stage};
use xianfeng_store::engines::workflow::{self, HistoryEntry, Instance, Objection};
use xianfeng_store::recognition::awards::{self, AwardKind};
use xianfeng_store::{people::orgs, Conn};

use crate::pages::form::{empty_as_none, CsrfForm, Kept};
use crate::pages::public::{self, Names, Paging, PublicQuery};
use crate::pages::shared::with_org;
use crate::pages::Flash;
use crate::pages::{done, render_as, settle, write, Ctx};
use crate::session::Session;
use crate::{AppError, AppState};

/// One kind on the page: its steps, this level's quota use and the nominations in scope.
pub struct KindView {
    pub kind: AwardKind,
    pub steps: String,
    pub quotas: Vec<(String, u32, u32)>,
    pub items: Vec<(Instance, String)>,
}

#[derive(Template)]
#[template(path = "recognition/awards.html")]
struct AwardsPage {
    ctx: Ctx,
    org: Org,
    crumbs: Vec<(i64, String)>,
    kinds: Vec<KindView>,
    members: Vec<(i64, String)>,
    /// The organisation's public address (its notice board is at `/notice/{slug}`).
    slug: String,
    can_define: bool,
    can_nominate: bool,
    year: i32,
}

fn stage_label(kind: &AwardKind, st: Stage) -> String {
    st.label(&kind.definition)
}

async fn page(state: &AppState, s: &Session, id: i64, ctx: Ctx) -> Result<Response, AppError> {
    let (org, crumbs, ((kinds, members), slug)) = with_org(state, s, id, move |c, org| {
        let mut kinds = Vec::new();
        for kind in awards::kinds_for(c, &org.path)? {
            let scope = if xianfeng_domain::path::within(&org.path, &kind.org_path) {
                org.path.clone()
            } else {
                kind.org_path.clone()
            };
            let items = workflow::list(c, kind.definition_id, &scope)?
                .into_iter()
                .map(|i| {
                    let label = stage_label(&kind, i.stage);
                    (i, label)
                })
                .collect();
            kinds.push(KindView {
                steps: describe(&kind.definition),
                quotas: awards::quota_lines(c, &kind, org)?,
                kind,
                items,
            });
        }
        let members = if org.kind.is_branch() {
            xianfeng_store::people::members::names_at(c, org.id, 500)?
        } else {
            Vec::new()
        };
        Ok((
            (kinds, members),
            xianfeng_store::people::public_slugs::of(c, org.id)?,
        ))
    })
    .await?;
    if !s.actor.can_list_members(&org.path) {
        return Err(AppError::Forbidden);
    }
    let status = ctx.status();
    let p = AwardsPage {
        ctx,
        can_define: s.actor.scope_org_id == org.id
            && s.actor.can_manage_town(&org.path)
            && Level::of(org.kind) != Level::Branch,
        can_nominate: org.kind.is_branch() && s.actor.can_record_life(&org.path),
        org,
        crumbs,
        kinds,
        members,
        slug,
        year: chrono::Datelike::year(&xianfeng_domain::date::today()),
    };
    render_as(status, &p)
}

pub async fn home(s: Session) -> Response {
    Redirect::to(&format!("/orgs/{}/awards", s.actor.scope_org_id)).into_response()
}

pub async fn show(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(&s, "awards");
    page(&state, &s, id, ctx).await
}

/// Runs a write for a page under organisation `id`: on success back to `to` with `notice`,
/// on bad input the page again with the message and what was typed.
async fn write_then<T: Send + 'static>(
    state: &AppState,
    s: &Session,
    (id, kept): (i64, Kept),
    to: String,
    notice: &str,
    f: impl FnOnce(&mut dyn Conn) -> Result<T, AppError> + Send + 'static,
) -> Result<Response, AppError> {
    match write(state, f).await {
        Ok(_) => Ok(done(&to, notice)),
        Err(e) => {
            let ctx = Ctx::new(s, "awards").refusal(e, &kept)?;
            page(state, s, id, ctx).await
        }
    }
}

pub async fn create_kind(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(input, kept): CsrfForm<AwardKindInput>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let to = format!("/orgs/{id}/awards");
    write_then(
        &state,
        &s,
        (id, kept),
        to,
        "已设立表彰项目",
        move |c| {
            let org = orgs::require(c, id)?;
            if actor.scope_org_id != org.id {
                return Err(xianfeng_domain::Invalid::one(
                    "org",
                    "设立单位",
                    "只能以本级名义设立表彰",
                )
                .into());
            }
            Ok(awards::create_kind(c, &actor, &org, &input)?)
        },
    )
    .await
}

#[derive(Deserialize)]
pub struct NominateForm {
    #[serde(default, deserialize_with = "empty_as_none")]
    kind: Option<i64>,
    /// The member nominated (when the kind is for members); empty otherwise.
    #[serde(default, deserialize_with = "empty_as_none")]
    member: Option<i64>,
    #[serde(default)]
    person: String,
    #[serde(default)]
    summary: String,
}

pub async fn nominate(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<NominateForm>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let NominateForm {
        kind,
        member,
        person,
        summary,
    } = f;
    let to = format!("/orgs/{id}/awards");
    write_then(
        &state,
        &s,
        (id, kept),
        to,
        "已提交推荐，请支部书记审核推荐",
        move |c| {
            let origin = orgs::require(c, id)?;
            let unchosen = || xianfeng_domain::Invalid::one("kind", "表彰项目", "请选择表彰项目");
            let kind = kind.ok_or_else(unchosen)?;
            let kind = awards::kind(c, kind).map_err(|_| unchosen())?;
            Ok(awards::nominate(
                c, &actor, &kind, &origin, member, &person, &summary,
            )?)
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "recognition/nomination.html")]
struct NominationPage {
    ctx: Ctx,
    i: Instance,
    kind: AwardKind,
    stage: String,
    steps: Vec<(String, String, bool)>,
    history: Vec<HistoryEntry>,
    objections: Vec<Objection>,
    actions: Vec<Action>,
    can_resolve: bool,
    can_revise: bool,
    row: ResolutionInput,
}

/// The conclusion typed for one objection when resolving it was refused. Each open objection
/// has its own form with the same field names, so it goes back into its own row here.
#[derive(Default)]
struct ResolutionInput {
    objection: i64,
    resolution: String,
    error: String,
}

fn step_marks(kind: &AwardKind, st: Stage) -> Vec<(String, String, bool)> {
    let mut v: Vec<(String, String, bool)> = kind
        .definition
        .steps
        .iter()
        .enumerate()
        .map(|(n, step)| {
            let state = if st.passed(n) {
                "done"
            } else if st == Stage::Pending(n) {
                "now"
            } else {
                ""
            };
            (step.name.clone(), state.to_string(), step.quota.is_some())
        })
        .collect();
    if kind.definition.notice_days > 0 {
        let state = match st {
            Stage::Notice | Stage::Objected => "now",
            Stage::Final => "done",
            _ => "",
        };
        v.push((
            format!("公示 {} 天", kind.definition.notice_days),
            state.into(),
            false,
        ));
    }
    v
}

async fn nomination_page(
    state: &AppState,
    s: &Session,
    id: i64,
    ctx: Ctx,
    row: ResolutionInput,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let (i, kind, history, objections, level) = crate::pages::read(state, move |c| {
        let i = workflow::instance(c, id)?;
        let kind = awards::kind_of(c, i.definition_id)?;
        // visible to the origin's subtree and every level above it
        if !actor.can_read_org(&i.origin_path) {
            return Err(AppError::NotFound("推荐"));
        }
        let level = workflow::acting_of(c, &actor)?;
        Ok((
            i.clone(),
            kind,
            workflow::history(c, id)?,
            workflow::objections(c, id)?,
            level,
        ))
    })
    .await?;
    if s.actor.role == xianfeng_domain::auth::Role::Member {
        return Err(AppError::Forbidden);
    }
    let acting = Acting {
        role: s.actor.role,
        scope_path: &s.actor.scope_path,
        scope_level: level,
    };
    let mut actions = available(&kind.definition, i.stage, &i.origin_path, &acting);
    let can_resolve = actions.contains(&Action::Uphold);
    actions.retain(|a| !matches!(a, Action::Uphold | Action::Dismiss));
    let status = ctx.status();
    let p = NominationPage {
        can_revise: i.stage == Stage::Pending(0)
            && s.actor.can_record_life(&i.origin_path)
            && Some(level) == kind.definition.steps.first().map(|st| st.level),
        ctx,
        stage: stage_label(&kind, i.stage),
        steps: step_marks(&kind, i.stage),
        i,
        kind,
        history,
        objections,
        actions,
        can_resolve,
        row,
    };
    render_as(status, &p)
}

pub async fn nomination(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(&s, "awards");
    nomination_page(&state, &s, id, ctx, ResolutionInput::default()).await
}

/// The end of a form on the nomination page: back to it with `notice`, or the page again with
/// the refusal and what was typed.
async fn on_nomination<T>(
    state: &AppState,
    s: &Session,
    id: i64,
    r: Result<T, AppError>,
    notice: impl FnOnce(T) -> String,
    kept: &Kept,
) -> Result<Response, AppError> {
    let to = r.map(|v| (format!("/nominations/{id}"), notice(v)));
    settle(s, "awards", to, kept, |ctx| {
        nomination_page(state, s, id, ctx, ResolutionInput::default())
    })
    .await
}

#[derive(Deserialize)]
pub struct ActForm {
    /// The button pressed: 同意, 退回, 不同意 …
    #[serde(default)]
    action: String,
    #[serde(default)]
    comment: String,
}

/// Approve, return, reject or finalise, with a comment.
pub async fn act(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, mut kept): CsrfForm<ActForm>,
) -> Result<Response, AppError> {
    // The pressed button is not put back: every button of the form shares its name.
    kept.fields.retain(|(k, _)| k != "action");
    let action = Action::parse(&f.action);
    let comment = f.comment;
    let actor = s.actor.clone();
    let r = write(&state, move |c| {
        let action = action
            .ok_or_else(|| xianfeng_domain::Invalid::one("action", "办理", "请选择办理方式"))?;
        Ok((
            action,
            workflow::act(c, Some(&actor), "", id, action, &comment)?,
        ))
    })
    .await;
    let notice = |(action, next): (Action, Stage)| match next {
        Stage::Notice => "已同意，进入公示".to_string(),
        _ => format!("已办理：{}", action.label()),
    };
    on_nomination(&state, &s, id, r, notice, &kept).await
}

#[derive(Deserialize)]
pub struct SummaryForm {
    #[serde(default)]
    summary: String,
}

/// The nominating branch revises the 事迹 after a return.
pub async fn revise(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<SummaryForm>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let r = write(&state, move |c| {
        Ok(workflow::revise(c, &actor, id, &f.summary)?)
    })
    .await;
    let notice = |()| "已修改事迹，可重新推荐".to_string();
    on_nomination(&state, &s, id, r, notice, &kept).await
}

#[derive(Deserialize)]
pub struct ResolveForm {
    /// `uphold` or `dismiss` (the button pressed).
    #[serde(default)]
    decision: String,
    #[serde(default)]
    resolution: String,
}

pub async fn resolve(
    State(state): State<AppState>,
    s: Session,
    Path((id, objection)): Path<(i64, i64)>,
    CsrfForm(f, _): CsrfForm<ResolveForm>,
) -> Result<Response, AppError> {
    let uphold = f.decision == "uphold";
    let resolution = f.resolution.clone();
    let actor = s.actor.clone();
    let r = write(&state, move |c| {
        let i = workflow::instance(c, id)?;
        if !workflow::objections(c, i.id)?
            .iter()
            .any(|o| o.id == objection)
        {
            return Err(AppError::NotFound("异议"));
        }
        Ok(workflow::resolve(
            c,
            &actor,
            objection,
            uphold,
            &resolution,
        )?)
    })
    .await;
    match r {
        Ok(_) => Ok(done(&format!("/nominations/{id}"), "异议已处理")),
        Err(e) => {
            let error = match &e {
                AppError::Invalid(i) => i.for_field("resolution").unwrap_or("").to_string(),
                _ => String::new(),
            };
            let row = ResolutionInput {
                objection,
                resolution: f.resolution,
                error,
            };
            // Each open objection's form has the same field names, so nothing is put back by
            // name: the row's own input is rendered by the page.
            let mut ctx = Ctx::new(&s, "awards").refusal(e, &Kept::default())?;
            ctx.flash.kept_json.clear();
            nomination_page(&state, &s, id, ctx, row).await
        }
    }
}

#[derive(Template)]
#[template(path = "recognition/notice.html")]
struct NoticePage {
    org_name: String,
    /// The board's public address (its forms post there).
    slug: String,
    items: Vec<(Instance, String, String)>,
    paging: Paging,
    pager_query: String,
    flash: Flash,
    /// A refused objection as typed, shown again in the form of the item it was about.
    typed: ObjectForm,
    /// The 四议两公开 part (resolutions and results), rendered by `decisions::BoardPart`.
    decisions: String,
}

impl NoticePage {
    /// Dates on the public board read 2026年11月30日.
    fn cn(&self, d: &chrono::NaiveDate) -> String {
        xianfeng_domain::date::format_cn(*d)
    }

    /// Whether the refused objection was about nomination `id` (its form opens again).
    fn typed_for(&self, id: &i64) -> bool {
        self.typed.instance == Some(*id)
    }

    /// What was typed into `field` of nomination `id`'s form, or "".
    fn typed(&self, id: &i64, field: &str) -> &str {
        if !self.typed_for(id) {
            return "";
        }
        match field {
            "name" => &self.typed.name,
            "contact" => &self.typed.contact,
            "content" => &self.typed.content,
            _ => "",
        }
    }

    /// The message beside `field` of nomination `id`'s form, or "".
    fn field_error(&self, id: &i64, field: &str) -> &str {
        if self.typed_for(id) {
            self.flash.field_error(field)
        } else {
            ""
        }
    }
}

/// The notice board again after a refused objection to a 四议两公开 resolution.
pub(crate) async fn notice_again(
    state: &AppState,
    at: String,
    page: String,
    flash: Flash,
) -> Result<Response, AppError> {
    notice_page(state, at, page, flash, ObjectForm::default()).await
}

async fn notice_page(
    state: &AppState,
    at: String,
    page: String,
    flash: Flash,
    typed: ObjectForm,
) -> Result<Response, AppError> {
    let page = crate::pages::read(state, move |c| {
        let rules = xianfeng_store::settings::rules(c)?;
        let Some(org) = public::org_at(c, &at, &rules)? else {
            return Ok(None);
        };
        let names = Names::of(&rules);
        let mut paging = Paging::new(&page, &rules);
        let mut items = Vec::new();
        let list = workflow::in_notice(c, &org.path, paging.offset(), paging.fetch())?;
        for mut i in paging.trim(list) {
            // A resolution's notice (四议两公开) is shown by its own part below.
            if i.subject_kind == xianfeng_store::decisions::matters::SUBJECT {
                continue;
            }
            i.subject_name = names.nominee(&i.subject_name);
            let kind = awards::kind_of(c, i.definition_id)?;
            let label = stage_label(&kind, i.stage);
            items.push((i, format!("{}年度{}", kind.year, kind.name), label));
        }
        let slug = xianfeng_store::people::public_slugs::of(c, org.id)?;
        let mut decision_paging = Paging::new(&page, &rules);
        let decisions =
            crate::pages::decisions::BoardPart::read(c, &org, &slug, &mut decision_paging)?
                .render()?;
        paging.more |= decision_paging.more;
        Ok(Some(NoticePage {
            decisions,
            slug,
            org_name: org.name,
            items,
            paging,
            pager_query: String::new(),
            flash,
            typed,
        }))
    })
    .await?
    .ok_or(AppError::NotFound("公示"))?;
    let refused = page.flash.status != axum::http::StatusCode::OK;
    let r = render_as(page.flash.status, &page)?;
    // A refused objection shows what its author typed (name, contact): never cached.
    Ok(if refused {
        public::private(r)
    } else {
        public::cacheable(r)
    })
}

/// The public notice board of a subtree: no sign-in.
pub async fn public_notice(
    State(state): State<AppState>,
    Path(at): Path<String>,
    Query(q): Query<PublicQuery>,
) -> Result<Response, AppError> {
    notice_page(
        &state,
        at,
        q.page,
        Flash::notice(q.ok),
        ObjectForm::default(),
    )
    .await
}

/// An objection as typed on the public board (no session, so no CSRF token).
#[derive(Deserialize, Default, Clone)]
pub struct ObjectForm {
    /// The nomination objected to (a hidden field of the item's form).
    #[serde(default, deserialize_with = "empty_as_none")]
    instance: Option<i64>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    content: String,
}

/// An objection from the public (实名反映).
pub async fn object(
    State(state): State<AppState>,
    Path(at): Path<String>,
    Query(q): Query<PublicQuery>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    // A public form (no account, no CSRF token): read the same way `CsrfForm` reads.
    let f: ObjectForm = crate::pages::form::typed(&body)?;
    let typed = f.clone();
    let ObjectForm {
        instance,
        name,
        contact,
        content,
    } = f;
    let board = at.clone();
    let r = write(&state, move |c| {
        let rules = xianfeng_store::settings::rules(c)?;
        let org = public::org_at(c, &board, &rules)?.ok_or(AppError::NotFound("公示"))?;
        let slug = xianfeng_store::people::public_slugs::of(c, org.id)?;
        let instance = instance.ok_or(AppError::NotFound("公示对象"))?;
        let i = workflow::instance(c, instance)?;
        if !xianfeng_domain::path::within(&i.origin_path, &org.path) {
            return Err(AppError::NotFound("公示对象"));
        }
        workflow::object(c, instance, &name, &contact, &content)?;
        Ok(slug)
    })
    .await;
    match r {
        Ok(slug) => Ok(done(
            &format!("/notice/{slug}"),
            "已收到您的反映，将在核查后处理",
        )),
        Err(e) => {
            // Every item's form has the same field names: the page puts the input back into
            // the item it was about, so nothing is put back by name.
            let mut flash = Flash::refusal(e, &Kept::default())?;
            flash.kept_json.clear();
            notice_page(&state, at, q.page, flash, typed).await
        }
    }
}
