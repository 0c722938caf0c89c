//! 评选表彰 pages: award kinds with their quotas, nominations climbing the levels through the
//! workflow engine, a nomination's history with the actions open to the caller, and the
//! public notice (公示) where anyone may file an objection.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use serde::Deserialize;
use xianfeng_domain::award::{describe, AwardKindInput};
use xianfeng_domain::org::Org;
use xianfeng_domain::workflow::{available, Acting, Action, Level, Stage};
use xianfeng_store::engines::workflow::{self, HistoryEntry, Instance, Objection};
use xianfeng_store::recognition::awards::{self, AwardKind};
use xianfeng_store::{people::orgs, Conn};

use super::shared::with_org;
use super::shared::with_status;
use super::{done, field, render, settle, write, Ctx, Pairs};
use crate::session::Session;
use crate::{AppError, AppState};

#[derive(Deserialize, Default)]
pub struct Notice {
    #[serde(default)]
    pub ok: String,
}

/// One kind on the page: its steps, this level's quota use and the nominations in scope.
pub struct KindView {
    pub kind: AwardKind,
    pub steps: String,
    pub quotas: Vec<(String, u32, u32)>,
    pub items: Vec<(Instance, String)>,
}

#[derive(Template)]
#[template(path = "awards.html")]
struct AwardsPage {
    ctx: Ctx,
    org: Org,
    crumbs: Vec<(i64, String)>,
    kinds: Vec<KindView>,
    members: Vec<(i64, String)>,
    can_define: bool,
    can_nominate: bool,
    year: i32,
    notice: String,
    error: String,
}

fn stage_label(kind: &AwardKind, st: Stage) -> String {
    st.label(&kind.definition)
}

async fn page(
    state: &AppState,
    s: &Session,
    id: i64,
    notice: String,
    error: (StatusCode, String),
) -> Result<Response, AppError> {
    let (org, crumbs, (kinds, members)) = with_org(state, s, id, move |c, org| {
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
        Ok((kinds, members))
    })
    .await?;
    if !s.actor.can_list_members(&org.path) {
        return Err(AppError::Forbidden);
    }
    let p = AwardsPage {
        ctx: Ctx::new(s, "awards"),
        can_define: s.actor.scope_org_id == org.id
            && s.actor.can_manage_town(&org.path)
            && Level::of(org.kind) != Level::Branch,
        can_nominate: org.kind.is_branch() && s.actor.can_record_life(&org.path),
        org,
        crumbs,
        kinds,
        members,
        year: chrono::Datelike::year(&xianfeng_domain::date::today()),
        notice,
        error: error.1,
    };
    Ok(with_status(error.0, render(&p)?))
}

pub async fn home(s: Session) -> Response {
    Redirect::to(&format!("/orgs/{}/awards", s.actor.scope_org_id)).into_response()
}

pub async fn show(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Query(q): Query<Notice>,
) -> Result<Response, AppError> {
    page(&state, &s, id, q.ok, (StatusCode::OK, String::new())).await
}

/// Runs a write for a page under organisation `id`: on success back to `to` with `notice`,
/// on bad input the page again with the message.
async fn write_then<T: Send + 'static>(
    state: &AppState,
    s: &Session,
    id: i64,
    to: String,
    notice: &str,
    f: impl FnOnce(&mut dyn Conn) -> Result<T, AppError> + Send + 'static,
) -> Result<Response, AppError> {
    settle(
        write(state, f).await,
        |_| done(&to, notice),
        |e| page(state, s, id, String::new(), e),
    )
    .await
}

pub async fn create_kind(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Form(f): Form<Pairs>,
) -> Result<Response, AppError> {
    s.check_csrf(&field(&f, "_csrf"))?;
    let input = AwardKindInput {
        name: field(&f, "name"),
        subject: field(&f, "subject"),
        year: field(&f, "year"),
        branch_quota: field(&f, "branch_quota"),
        town_quota: field(&f, "town_quota"),
        county_quota: field(&f, "county_quota"),
        notice_days: field(&f, "notice_days"),
    };
    let actor = s.actor.clone();
    let to = format!("/orgs/{id}/awards");
    write_then(&state, &s, id, to, "已设立表彰项目", move |c| {
        let org = orgs::require(c, id)?;
        if actor.scope_org_id != org.id {
            return Err(
                xianfeng_domain::Invalid::one("org", "设立单位", "只能以本级名义设立表彰").into(),
            );
        }
        Ok(awards::create_kind(c, &actor, &org, &input)?)
    })
    .await
}

pub async fn nominate(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Form(f): Form<Pairs>,
) -> Result<Response, AppError> {
    s.check_csrf(&field(&f, "_csrf"))?;
    let actor = s.actor.clone();
    let kind_id: i64 = field(&f, "kind").parse().unwrap_or(0);
    let member: Option<i64> = field(&f, "member").parse().ok();
    let (person, summary) = (field(&f, "person"), field(&f, "summary"));
    let to = format!("/orgs/{id}/awards");
    write_then(
        &state,
        &s,
        id,
        to,
        "已提交推荐，请支部书记审核推荐",
        move |c| {
            let origin = orgs::require(c, id)?;
            let kind = awards::kind(c, kind_id)
                .map_err(|_| xianfeng_domain::Invalid::one("kind", "表彰项目", "请选择表彰项目"))?;
            Ok(awards::nominate(
                c, &actor, &kind, &origin, member, &person, &summary,
            )?)
        },
    )
    .await
}

#[derive(Template)]
#[template(path = "nomination.html")]
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
    notice: String,
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
    notice: String,
    error: (StatusCode, String),
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let (i, kind, history, objections, level) = super::read(state, move |c| {
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
    let p = NominationPage {
        can_revise: i.stage == Stage::Pending(0)
            && s.actor.can_record_life(&i.origin_path)
            && Some(level) == kind.definition.steps.first().map(|st| st.level),
        ctx: Ctx::new(s, "awards"),
        stage: stage_label(&kind, i.stage),
        steps: step_marks(&kind, i.stage),
        i,
        kind,
        history,
        objections,
        actions,
        can_resolve,
        notice,
        error: error.1,
    };
    Ok(with_status(error.0, render(&p)?))
}

pub async fn nomination(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Query(q): Query<Notice>,
) -> Result<Response, AppError> {
    nomination_page(&state, &s, id, q.ok, (StatusCode::OK, String::new())).await
}

/// Approve, return, reject or finalise, with a comment.
pub async fn act(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Form(f): Form<Pairs>,
) -> Result<Response, AppError> {
    s.check_csrf(&field(&f, "_csrf"))?;
    let action = Action::parse(&field(&f, "action")).ok_or_else(|| {
        AppError::Invalid(xianfeng_domain::Invalid::one(
            "action",
            "办理",
            "请选择办理方式",
        ))
    })?;
    let comment = field(&f, "comment");
    let actor = s.actor.clone();
    let r = write(&state, move |c| {
        Ok(workflow::act(c, Some(&actor), "", id, action, &comment)?)
    })
    .await;
    let notice = |next| match next {
        Stage::Notice => "已同意，进入公示".to_string(),
        _ => format!("已办理：{}", action.label()),
    };
    settle(
        r,
        |next| done(&format!("/nominations/{id}"), &notice(next)),
        |e| nomination_page(&state, &s, id, String::new(), e),
    )
    .await
}

/// The nominating branch revises the 事迹 after a return.
pub async fn revise(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Form(f): Form<Pairs>,
) -> Result<Response, AppError> {
    s.check_csrf(&field(&f, "_csrf"))?;
    let summary = field(&f, "summary");
    let actor = s.actor.clone();
    let r = write(&state, move |c| {
        Ok(workflow::revise(c, &actor, id, &summary)?)
    })
    .await;
    settle(
        r,
        |()| done(&format!("/nominations/{id}"), "已修改事迹，可重新推荐"),
        |e| nomination_page(&state, &s, id, String::new(), e),
    )
    .await
}

pub async fn resolve(
    State(state): State<AppState>,
    s: Session,
    Path((id, objection)): Path<(i64, i64)>,
    Form(f): Form<Pairs>,
) -> Result<Response, AppError> {
    s.check_csrf(&field(&f, "_csrf"))?;
    let uphold = field(&f, "decision") == "uphold";
    let resolution = field(&f, "resolution");
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
    settle(
        r,
        |_| done(&format!("/nominations/{id}"), "异议已处理"),
        |e| nomination_page(&state, &s, id, String::new(), e),
    )
    .await
}

#[derive(Template)]
#[template(path = "notice.html")]
struct NoticePage {
    org_name: String,
    org_id: i64,
    items: Vec<(Instance, String, String)>,
    notice: String,
    error: String,
}

impl NoticePage {
    /// Dates on the public board read 2026年11月30日.
    fn cn(&self, d: &chrono::NaiveDate) -> String {
        xianfeng_domain::date::format_cn(*d)
    }
}

async fn notice_page(
    state: &AppState,
    id: i64,
    notice: String,
    error: (StatusCode, String),
) -> Result<Response, AppError> {
    let page = super::read(state, move |c| {
        let org = match orgs::get(c, id)? {
            Some(o) if o.dissolved_on.is_none() => o,
            _ => return Ok(None),
        };
        let mut items = Vec::new();
        for i in workflow::in_notice(c, &org.path)? {
            let kind = awards::kind_of(c, i.definition_id)?;
            let label = stage_label(&kind, i.stage);
            items.push((i, format!("{}年度{}", kind.year, kind.name), label));
        }
        Ok(Some(NoticePage {
            org_name: org.name,
            org_id: org.id,
            items,
            notice,
            error: error.1.clone(),
        }))
    })
    .await?
    .ok_or(AppError::NotFound("公示"))?;
    Ok(with_status(error.0, render(&page)?))
}

/// The public notice board of a subtree: no sign-in.
pub async fn public_notice(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Query(q): Query<Notice>,
) -> Result<Response, AppError> {
    notice_page(&state, id, q.ok, (StatusCode::OK, String::new())).await
}

/// An objection from the public (实名反映).
pub async fn object(
    State(state): State<AppState>,
    Path(id): Path<i64>,
    Form(f): Form<Pairs>,
) -> Result<Response, AppError> {
    let instance: i64 = field(&f, "instance").parse().unwrap_or(0);
    let (name, contact, content) = (
        field(&f, "name"),
        field(&f, "contact"),
        field(&f, "content"),
    );
    let r = write(&state, move |c| {
        let org = orgs::require(c, id)?;
        let i = workflow::instance(c, instance)?;
        if !xianfeng_domain::path::within(&i.origin_path, &org.path) {
            return Err(AppError::NotFound("公示对象"));
        }
        Ok(workflow::object(c, instance, &name, &contact, &content)?)
    })
    .await;
    settle(
        r,
        |_| done(&format!("/notice/{id}"), "已收到您的反映，将在核查后处理"),
        |e| notice_page(&state, id, String::new(), e),
    )
    .await
}
