//! 四议两公开 pages: an organisation's matters and the town's view by village (this file), one
//! matter with its steps (`matter`), and residents' objections from the public notice board.

pub mod matter;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use xianfeng_domain::date;
use xianfeng_domain::decision::{yuan, MatterInput};
use xianfeng_domain::org::Org;
use xianfeng_store::decisions::categories::{self, Category};
use xianfeng_store::decisions::matters::{self, Matter, Totals, VillageLine};
use xianfeng_store::settings;

use crate::pages::form::{CsrfForm, Kept};
use crate::pages::public::{self, PublicQuery};
use crate::pages::shared::with_org;
use crate::pages::{done, field, render_as, write, Ctx, Flash, Pairs};
use crate::session::Session;
use crate::{AppError, AppState};

#[derive(Template)]
#[template(path = "decisions/home.html")]
struct HomePage {
    ctx: Ctx,
    org: Org,
    crumbs: Vec<(i64, String)>,
    items: Vec<Matter>,
    villages: Vec<VillageLine>,
    totals: Totals,
    categories: Vec<Category>,
    is_village: bool,
    one_shoulder: bool,
    can_edit_categories: bool,
    stage_names: Vec<String>,
}

impl HomePage {
    fn money(&self, fen: &Option<i64>) -> String {
        fen.map(|f| format!("{}元", yuan(f))).unwrap_or_default()
    }
}

async fn show(state: &AppState, s: &Session, id: i64, ctx: Ctx) -> Result<Response, AppError> {
    let today = date::today();
    let (org, crumbs, (items, villages, totals, categories, one_shoulder)) =
        with_org(state, s, id, move |c, org| {
            Ok((
                matters::list(c, &org.path, 50, 0)?,
                matters::by_village(c, &org.path, today)?,
                matters::totals(c, org.id)?,
                categories::list(c)?,
                categories::one_shoulder(c, org.id)?,
            ))
        })
        .await?;
    if !s.actor.can_record_decision(&org.path) {
        return Err(AppError::Forbidden);
    }
    let stage_names = (0..7)
        .map(|n| match n {
            0 => "待提议".to_string(),
            n => format!("已完成第{n}步"),
        })
        .collect();
    render_as(
        ctx.status(),
        &HomePage {
            ctx,
            is_village: matters::is_village(&org),
            can_edit_categories: s.actor.can_edit_decision_categories(),
            org,
            crumbs,
            items,
            villages,
            totals,
            categories,
            one_shoulder,
            stage_names,
        },
    )
}

pub async fn home(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    show(&state, &s, id, Ctx::new(&s, "decisions")).await
}

/// The village an actor may record matters for (404 outside the scope, 403 for members).
async fn recordable(state: &AppState, s: &Session, id: i64) -> Result<Org, AppError> {
    let (org, _, _) = with_org(state, s, id, |_, _| Ok(())).await?;
    if !s.actor.can_record_decision(&org.path) {
        return Err(AppError::Forbidden);
    }
    Ok(org)
}

/// Files a matter, with its documents.
pub async fn create(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    form: Multipart,
) -> Result<Response, AppError> {
    let org = recordable(&state, &s, id).await?;
    let action = format!("/orgs/{id}/matters");
    let up = match crate::pages::form::Upload::read(&s, form, "documents").await {
        Ok(u) => u,
        Err(r) => {
            let ctx = Ctx::new(&s, "decisions").refusal(r.error, &r.kept.posted_to(action))?;
            return show(&state, &s, id, ctx).await;
        }
    };
    let input = MatterInput {
        title: field(&up.fields, "title"),
        category: field(&up.fields, "category"),
        amount: field(&up.fields, "amount"),
        summary: field(&up.fields, "summary"),
    };
    let files = up.files;
    let actor = s.actor.clone();
    let result = write(&state, move |c| {
        let d = input.validate(&categories::names(c)?)?;
        let m = matters::create(c, &actor, &org, &d)?;
        let max = settings::rules(c)?.upload_max_bytes;
        for (name, bytes) in &files {
            let mime =
                xianfeng_domain::campaign::check_evidence(name, bytes, max).map_err(|e| {
                    xianfeng_domain::Invalid::one("documents", "相关材料", e.to_string())
                })?;
            matters::add_file(c, &actor, &m, None, name, mime, bytes)?;
        }
        Ok(m.id)
    })
    .await;
    match result {
        Ok(mid) => Ok(done(&format!("/matters/{mid}"), "重大事项已登记")),
        Err(e) => {
            let ctx = Ctx::new(&s, "decisions").refusal(e, &up.kept.posted_to(action))?;
            show(&state, &s, id, ctx).await
        }
    }
}

#[derive(Deserialize, Default)]
pub struct OneShoulderForm {
    #[serde(default)]
    one_shoulder: String,
}

/// Sets whether the village's secretary is also 村委会主任 (一肩挑).
pub async fn one_shoulder(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<OneShoulderForm>,
) -> Result<Response, AppError> {
    let org = recordable(&state, &s, id).await?;
    let actor = s.actor.clone();
    let result = write(&state, move |c| {
        if !matters::is_village(&org) {
            return Err(xianfeng_domain::Invalid::one(
                "one_shoulder",
                "一肩挑",
                "只有村党组织可以设置一肩挑",
            )
            .into());
        }
        Ok(categories::set_one_shoulder(
            c,
            &actor,
            &org,
            f.one_shoulder == "1",
        )?)
    })
    .await;
    match result {
        Ok(()) => Ok(done(&format!("/orgs/{id}/decisions"), "已保存")),
        Err(e) => {
            let ctx = Ctx::new(&s, "decisions").refusal(e, &kept)?;
            show(&state, &s, id, ctx).await
        }
    }
}

/// The county's list of categories: lines `name_N` with `must_N` checked when the category
/// must go through the procedure.
pub async fn save_categories(
    State(state): State<AppState>,
    s: Session,
    CsrfForm(f, kept): CsrfForm<Pairs>,
) -> Result<Response, AppError> {
    let scope = s.actor.scope_org_id;
    if !s.actor.can_edit_decision_categories() {
        return Err(AppError::Forbidden);
    }
    let mut lines = Vec::new();
    for (k, v) in &f {
        if let Some(n) = k.strip_prefix("name_") {
            lines.push(Category {
                name: v.clone(),
                must_go: field(&f, &format!("must_{n}")) == "1",
            });
        }
    }
    let actor = s.actor.clone();
    let result = write(&state, move |c| Ok(categories::save(c, &actor, &lines)?)).await;
    match result {
        Ok(_) => Ok(done(&format!("/orgs/{scope}/decisions"), "事项类别已保存")),
        Err(e) => {
            let ctx = Ctx::new(&s, "decisions").refusal(e, &kept)?;
            show(&state, &s, scope, ctx).await
        }
    }
}

/// The 四议两公开 part of the public notice board: resolutions on notice and results, paged.
#[derive(Template)]
#[template(path = "decisions/board.html")]
pub struct BoardPart {
    pub slug: String,
    pub items: Vec<matters::BoardItem>,
    pub page: i64,
}

impl BoardPart {
    fn money(&self, fen: &Option<i64>) -> String {
        fen.map(|f| format!("{}元", yuan(f))).unwrap_or_default()
    }

    /// Reads the board's items for `org` on the page `paging` shows; the pager learns whether
    /// more follow.
    pub fn read(
        c: &mut dyn xianfeng_store::Conn,
        org: &Org,
        slug: &str,
        paging: &mut public::Paging,
    ) -> Result<BoardPart, AppError> {
        let list = matters::board(c, &org.path, date::today(), paging.fetch(), paging.offset())?;
        let items = paging.trim(list);
        Ok(BoardPart {
            slug: slug.to_string(),
            items,
            page: paging.page,
        })
    }
}

/// An objection to a resolution as typed on the public board (实名反映, as for award 公示).
#[derive(Deserialize, Default, Clone)]
pub struct ObjectForm {
    #[serde(default, deserialize_with = "crate::pages::form::empty_as_none")]
    matter: Option<i64>,
    #[serde(default)]
    name: String,
    #[serde(default)]
    contact: String,
    #[serde(default)]
    content: String,
}

/// A resident's objection to a resolution on notice, from the public board (rate-limited with
/// the other public code routes). A matter outside the board's organisation answers 404.
pub async fn object(
    State(state): State<AppState>,
    Path(at): Path<String>,
    Query(q): Query<PublicQuery>,
    body: axum::body::Bytes,
) -> Result<Response, AppError> {
    let f: ObjectForm = crate::pages::form::typed(&body)?;
    let board = at.clone();
    let r = write(&state, move |c| {
        let rules = settings::rules(c)?;
        let org = public::org_at(c, &board, &rules)?.ok_or(AppError::NotFound("公示"))?;
        let slug = xianfeng_store::people::public_slugs::of(c, org.id)?;
        let m = match f.matter {
            Some(id) => matters::get(c, id)?,
            None => None,
        }
        .filter(|m| xianfeng_domain::path::within(&m.org_path, &org.path))
        .ok_or(AppError::NotFound("决议"))?;
        matters::object(c, &m, &f.name, &f.contact, &f.content, date::today())?;
        Ok(slug)
    })
    .await;
    match r {
        Ok(slug) => Ok(done(
            &format!("/notice/{slug}"),
            "已收到您的异议，村党组织将作出答复",
        )),
        Err(e) => {
            let mut flash = Flash::refusal(e, &Kept::default())?;
            flash.kept_json.clear();
            crate::pages::recognition::awards::notice_again(&state, at, q.page, flash).await
        }
    }
}
