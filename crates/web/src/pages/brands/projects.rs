//! 党建品牌: the list of a subtree's brands (proposal form beside it), one brand (designation,
//! review actions, history, yearly record), the declaration form and the printable 登记表.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xianfeng_domain::auth::Role;
use xianfeng_domain::brand::{BrandInput, BrandStatus, DeclarationInput, RecordInput, RecordKind};
use xianfeng_domain::org::Org;
use xianfeng_domain::workflow::{available, Acting, Action, Definition, Level, Stage};
use xianfeng_store::brands::projects::{self as brands, Brand, DeclarationRow, RecordLine};
use xianfeng_store::engines::workflow::{self, HistoryEntry};
use xianfeng_store::people::orgs;

use crate::pages::form::{CsrfForm, Kept};
use crate::pages::shared::with_org;
use crate::pages::{done, read, render_as, settle, write, Ctx};
use crate::session::Session;
use crate::{AppError, AppState};

const NAV: &str = "brands";

/// One brand in a list: where it stands and whether it has gone a year without activity.
pub struct BrandLine {
    pub brand: Brand,
    pub progress: String,
    pub quiet: bool,
}

#[derive(Template)]
#[template(path = "brands/list.html")]
struct ListPage {
    ctx: Ctx,
    org: Org,
    crumbs: Vec<(i64, String)>,
    lines: Vec<BrandLine>,
    can_propose: bool,
}

fn no_members(s: &Session) -> Result<(), AppError> {
    if s.actor.role == Role::Member {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

async fn list_page(state: &AppState, s: &Session, id: i64, ctx: Ctx) -> Result<Response, AppError> {
    let (org, crumbs, lines) = with_org(state, s, id, move |c, org| {
        let today = xianfeng_domain::date::today();
        let mut defs: HashMap<i64, Definition> = HashMap::new();
        let mut lines = Vec::new();
        for b in brands::list(c, &org.path)? {
            lines.push(BrandLine {
                progress: brands::progress_with(c, &b, &mut defs)?,
                quiet: b.inactive(today),
                brand: b,
            });
        }
        Ok(lines)
    })
    .await?;
    no_members(s)?;
    let status = ctx.status();
    let p = ListPage {
        can_propose: s.actor.can_record_life(&org.path) && Level::of(org.kind) != Level::County,
        ctx,
        org,
        crumbs,
        lines,
    };
    render_as(status, &p)
}

pub async fn home(s: Session) -> Response {
    Redirect::to(&format!("/orgs/{}/brands", s.actor.scope_org_id)).into_response()
}

pub async fn list(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(&s, NAV);
    list_page(&state, &s, id, ctx).await
}

/// A branch or town proposes a brand project.
pub async fn propose(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(input, kept): CsrfForm<BrandInput>,
) -> Result<Response, AppError> {
    no_members(&s)?;
    let actor = s.actor.clone();
    let r = write(&state, move |c| {
        let org = crate::pages::visible_org(c, &actor, id)?;
        Ok(brands::propose(c, &actor, &org, &input)?)
    })
    .await;
    match r {
        Ok(bid) => Ok(done(
            &format!("/brands/{bid}"),
            "已提出品牌培育项目，待上级确定",
        )),
        Err(e) => {
            let ctx = Ctx::new(&s, NAV).refusal(e, &kept)?;
            list_page(&state, &s, id, ctx).await
        }
    }
}

#[derive(Template)]
#[template(path = "brands/brand.html")]
struct BrandPage {
    ctx: Ctx,
    b: Brand,
    progress: String,
    quiet: bool,
    steps: Vec<(String, String)>,
    declaration: Option<DeclarationRow>,
    history: Vec<HistoryEntry>,
    actions: Vec<Action>,
    can_designate: bool,
    can_declare: bool,
    can_record: bool,
    records: Vec<RecordLine>,
    /// (year, activities, honours), newest first.
    years: Vec<(i32, usize, usize)>,
    kinds: &'static [RecordKind],
    today: String,
}

struct Loaded {
    b: Brand,
    progress: String,
    def: Option<Definition>,
    declaration: Option<DeclarationRow>,
    history: Vec<HistoryEntry>,
    records: Vec<RecordLine>,
    level: Level,
    origin_level: Level,
}

async fn load(state: &AppState, s: &Session, id: i64) -> Result<Loaded, AppError> {
    let actor = s.actor.clone();
    read(state, move |c| {
        let b = brands::visible(c, &actor, id)?;
        let def = match b.definition_id {
            Some(d) => Some(workflow::definition(c, d)?),
            None => None,
        };
        let history = match b.instance_id {
            Some(i) => workflow::history(c, i)?,
            None => Vec::new(),
        };
        Ok(Loaded {
            progress: brands::progress(c, &b)?,
            declaration: brands::declaration(c, b.id)?,
            records: brands::records(c, b.id)?,
            level: workflow::acting_of(c, &actor)?,
            origin_level: Level::of(orgs::require(c, b.org_id)?.kind),
            def,
            history,
            b,
        })
    })
    .await
}

async fn brand_page(
    state: &AppState,
    s: &Session,
    id: i64,
    ctx: Ctx,
) -> Result<Response, AppError> {
    let l = load(state, s, id).await?;
    no_members(s)?;
    let acting = Acting {
        role: s.actor.role,
        scope_path: &s.actor.scope_path,
        scope_level: l.level,
    };
    let b = l.b;
    let (steps, actions) = match (&l.def, b.stage) {
        (Some(def), Some(st)) => {
            let steps = def
                .steps
                .iter()
                .enumerate()
                .map(|(n, step)| {
                    let mark = if st.passed(n) {
                        "done"
                    } else if st == Stage::Pending(n) {
                        "now"
                    } else {
                        ""
                    };
                    (step.name.clone(), mark.to_string())
                })
                .collect();
            let actions = match st {
                // the origin acts at its own step only by declaring again
                Stage::Pending(0) => Vec::new(),
                _ => available(def, st, &b.org_path, &acting)
                    .into_iter()
                    .filter(|a| matches!(a, Action::Approve | Action::Return | Action::Reject))
                    .collect(),
            };
            (steps, actions)
        }
        _ => (Vec::new(), Vec::new()),
    };
    let today = xianfeng_domain::date::today();
    let mut years: Vec<i32> = l
        .records
        .iter()
        .filter_map(|r| r.day.get(..4).and_then(|y| y.parse().ok()))
        .collect();
    years.dedup();
    let years = years
        .into_iter()
        .map(|y| {
            let (a, h) = brands::year_counts(&l.records, y);
            (y, a, h)
        })
        .collect();
    let own_level = l.level == l.origin_level && s.actor.can_record_life(&b.org_path);
    let status = ctx.status();
    let p = BrandPage {
        ctx,
        progress: l.progress,
        quiet: b.inactive(today),
        steps,
        declaration: l.declaration,
        history: l.history,
        actions,
        can_designate: b.status == BrandStatus::Proposed
            && s.actor.can_manage_town(&b.org_path)
            && b.org_path != s.actor.scope_path,
        can_declare: b.status == BrandStatus::Cultivating
            && own_level
            && matches!(
                b.stage,
                None | Some(Stage::Pending(0)) | Some(Stage::Rejected)
            ),
        can_record: b.status != BrandStatus::Proposed && s.actor.can_record_life(&b.org_path),
        records: l.records,
        years,
        kinds: RecordKind::ALL,
        today: today.to_string(),
        b,
    };
    render_as(status, &p)
}

pub async fn show(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(&s, NAV);
    brand_page(&state, &s, id, ctx).await
}

/// The end of a form on a brand's page: back to it with `notice`, or the page with the refusal.
async fn on_brand<T>(
    state: &AppState,
    s: &Session,
    id: i64,
    r: Result<T, AppError>,
    notice: impl FnOnce(T) -> String,
    kept: &Kept,
) -> Result<Response, AppError> {
    let to = r.map(|v| (format!("/brands/{id}"), notice(v)));
    settle(s, NAV, to, kept, |ctx| brand_page(state, s, id, ctx)).await
}

#[derive(Deserialize)]
pub struct Empty {}

/// The level above designates a proposed brand as 培育项目.
pub async fn designate(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(_f, kept): CsrfForm<Empty>,
) -> Result<Response, AppError> {
    no_members(&s)?;
    let actor = s.actor.clone();
    let r = write(&state, move |c| Ok(brands::designate(c, &actor, id)?)).await;
    on_brand(&state, &s, id, r, |()| "已确定为品牌培育项目".into(), &kept).await
}

#[derive(Deserialize)]
pub struct ActForm {
    #[serde(default)]
    action: String,
    #[serde(default)]
    comment: String,
}

/// A level above approves, returns or rejects the declaration under review.
pub async fn act(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, mut kept): CsrfForm<ActForm>,
) -> Result<Response, AppError> {
    no_members(&s)?;
    kept.fields.retain(|(k, _)| k != "action");
    let action = Action::parse(&f.action);
    let actor = s.actor.clone();
    let r = write(&state, move |c| {
        let action = action
            .ok_or_else(|| xianfeng_domain::Invalid::one("action", "办理", "请选择办理方式"))?;
        Ok((action, brands::decide(c, &actor, id, action, &f.comment)?))
    })
    .await;
    let notice = |(action, next): (Action, Stage)| match next {
        Stage::Final => "已备案，登记编号已生成".to_string(),
        _ => format!("已办理：{}", action.label()),
    };
    on_brand(&state, &s, id, r, notice, &kept).await
}

/// One line of the yearly record.
pub async fn record(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(input, kept): CsrfForm<RecordInput>,
) -> Result<Response, AppError> {
    no_members(&s)?;
    let actor = s.actor.clone();
    let r = write(&state, move |c| {
        Ok(brands::add_record(c, &actor, id, &input)?)
    })
    .await;
    on_brand(&state, &s, id, r, |_| "已记入品牌年度记录".into(), &kept).await
}

#[derive(Template)]
#[template(path = "brands/declare.html")]
struct DeclarePage {
    ctx: Ctx,
    b: Brand,
    form: DeclarationInput,
    returned: String,
}

async fn declare_page(
    state: &AppState,
    s: &Session,
    id: i64,
    ctx: Ctx,
) -> Result<Response, AppError> {
    let l = load(state, s, id).await?;
    no_members(s)?;
    let mut form = DeclarationInput::from_brand(&l.b.input());
    if let Some(d) = &l.declaration {
        form.effects = d.effects.clone();
        form.satisfaction = d.satisfaction.to_string();
        form.founded_on = d.founded_on.clone();
    }
    let returned = match l.b.stage {
        Some(Stage::Pending(0)) => l
            .history
            .iter()
            .rev()
            .find(|h| h.action == Action::Return.label())
            .map(|h| h.comment.clone())
            .unwrap_or_default(),
        _ => String::new(),
    };
    let status = ctx.status();
    render_as(
        status,
        &DeclarePage {
            ctx,
            b: l.b,
            form,
            returned,
        },
    )
}

pub async fn declare_form(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(&s, NAV);
    declare_page(&state, &s, id, ctx).await
}

/// The origin declares (or re-declares after a return) with the 登记表.
pub async fn declare(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(input, kept): CsrfForm<DeclarationInput>,
) -> Result<Response, AppError> {
    no_members(&s)?;
    let actor = s.actor.clone();
    let r = write(&state, move |c| Ok(brands::declare(c, &actor, id, &input)?)).await;
    match r {
        Ok(_) => Ok(done(&format!("/brands/{id}"), "已申报登记备案，待上级审核")),
        Err(e) => {
            let ctx = Ctx::new(&s, NAV).refusal(e, &kept)?;
            declare_page(&state, &s, id, ctx).await
        }
    }
}

#[derive(Template)]
#[template(path = "brands/print.html")]
struct PrintPage {
    b: Brand,
    declaration: Option<DeclarationRow>,
    /// Each level's opinion: (step, action, comment, who, when).
    opinions: Vec<(String, String, String, String, String)>,
}

/// The 《党建品牌创建申报登记表》 in its table layout, for printing.
pub async fn print(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let l = load(&state, &s, id).await?;
    no_members(&s)?;
    let names: Vec<String> = l
        .def
        .as_ref()
        .map(|d| d.steps.iter().map(|st| st.name.clone()).collect())
        .unwrap_or_default();
    let opinions = l
        .history
        .iter()
        .filter(|h| h.action != "发起" && h.action != "修改")
        .map(|h| {
            let step = match h.from {
                Some(Stage::Pending(n)) => names.get(n).cloned().unwrap_or_default(),
                _ => String::new(),
            };
            (
                step,
                h.action.clone(),
                h.comment.clone(),
                h.actor_name.clone(),
                h.at.get(..10).unwrap_or_default().to_string(),
            )
        })
        .collect();
    render_as(
        axum::http::StatusCode::OK,
        &PrintPage {
            b: l.b,
            declaration: l.declaration,
            opinions,
        },
    )
}
