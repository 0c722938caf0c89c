//! 示范点 pages: the sites of a subtree with the designation form (and, for the county, its
//! 创建标准 list), and one site: its checklist with evidence and checks, and acceptance visits.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;
use xianfeng_domain::auth::Role;
use xianfeng_domain::demo_site::{AcceptanceInput, AcceptanceResult, SiteInput, SiteStatus};
use xianfeng_domain::org::Org;
use xianfeng_store::brands::sites::{self, Item, Site, Visit};
use xianfeng_store::people::orgs;

use crate::pages::form::{empty_as_none, CsrfForm, Kept};
use crate::pages::shared::with_org;
use crate::pages::{read, render_as, settle, write, Ctx};
use crate::session::Session;
use crate::{AppError, AppState};

const NAV: &str = "brands";

fn no_members(s: &Session) -> Result<(), AppError> {
    if s.actor.role == Role::Member {
        return Err(AppError::Forbidden);
    }
    Ok(())
}

#[derive(Template)]
#[template(path = "brands/sites.html")]
struct ListPage {
    ctx: Ctx,
    org: Org,
    crumbs: Vec<(i64, String)>,
    sites: Vec<Site>,
    /// Organisations below the page's that the caller may designate.
    targets: Vec<(i64, String)>,
    /// The county's standards, one per line, when the caller may edit them.
    standards: Option<String>,
    year: i32,
}

async fn list_page(state: &AppState, s: &Session, id: i64, ctx: Ctx) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let (org, crumbs, (list, targets, standards)) = with_org(state, s, id, move |c, org| {
        let list = sites::list(c, &org.path)?;
        let targets = orgs::active_in(c, org, 2000)?
            .into_iter()
            .filter(|o| o.id != org.id && sites::is_above(&actor, &o.path))
            .collect::<Vec<_>>();
        let targets = orgs::indented(org, targets);
        let standards = if actor.is_county_admin() && actor.scope_org_id == org.id {
            Some(sites::standards(c, org.id)?.join("\n"))
        } else {
            None
        };
        Ok((list, targets, standards))
    })
    .await?;
    no_members(s)?;
    let status = ctx.status();
    render_as(
        status,
        &ListPage {
            ctx,
            org,
            crumbs,
            sites: list,
            targets,
            standards,
            year: chrono::Datelike::year(&xianfeng_domain::date::today()),
        },
    )
}

pub async fn list(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(&s, NAV);
    list_page(&state, &s, id, ctx).await
}

async fn on_list<T>(
    state: &AppState,
    s: &Session,
    id: i64,
    r: Result<T, AppError>,
    to: impl FnOnce(T) -> (String, &'static str),
    kept: &Kept,
) -> Result<Response, AppError> {
    let to = r.map(|v| {
        let (path, notice) = to(v);
        (path, notice.to_string())
    });
    settle(s, NAV, to, kept, |ctx| list_page(state, s, id, ctx)).await
}

#[derive(Deserialize)]
pub struct DesignateForm {
    #[serde(default, deserialize_with = "empty_as_none")]
    org: Option<i64>,
    #[serde(default)]
    year: String,
    #[serde(default)]
    leader: String,
    #[serde(default)]
    plan: String,
}

/// The level above designates an organisation under it as a 示范点.
pub async fn designate(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<DesignateForm>,
) -> Result<Response, AppError> {
    no_members(&s)?;
    let actor = s.actor.clone();
    let r = write(&state, move |c| {
        crate::pages::visible_org(c, &actor, id)?;
        let unchosen = || xianfeng_domain::Invalid::one("org", "示范点单位", "请选择组织");
        let target = f.org.ok_or_else(unchosen)?;
        let target = match orgs::get(c, target)? {
            Some(o) if actor.can_read_org(&o.path) => o,
            _ => return Err(unchosen().into()),
        };
        let input = SiteInput {
            year: f.year,
            leader: f.leader,
            plan: f.plan,
        };
        Ok(sites::designate(c, &actor, &target, &input)?)
    })
    .await;
    on_list(
        &state,
        &s,
        id,
        r,
        |sid| (format!("/sites/{sid}"), "已确定示范点"),
        &kept,
    )
    .await
}

#[derive(Deserialize)]
pub struct StandardsForm {
    #[serde(default)]
    standards: String,
}

/// The county administrator edits the 创建标准 list.
pub async fn save_standards(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<StandardsForm>,
) -> Result<Response, AppError> {
    no_members(&s)?;
    let actor = s.actor.clone();
    let r = write(&state, move |c| {
        let county = crate::pages::visible_org(c, &actor, id)?;
        Ok(sites::save_standards(c, &actor, &county, &f.standards)?)
    })
    .await;
    on_list(
        &state,
        &s,
        id,
        r,
        |()| (format!("/orgs/{id}/sites"), "已保存创建标准"),
        &kept,
    )
    .await
}

#[derive(Template)]
#[template(path = "brands/site.html")]
struct SitePage {
    ctx: Ctx,
    site: Site,
    items: Vec<Item>,
    visits: Vec<Visit>,
    can_evidence: bool,
    can_check: bool,
    results: &'static [AcceptanceResult],
    today: String,
}

async fn site_page(state: &AppState, s: &Session, id: i64, ctx: Ctx) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let (site, items, visits) = read(state, move |c| {
        let site = sites::visible(c, &actor, id)?;
        Ok((
            site.clone(),
            sites::items(c, site.id)?,
            sites::visits(c, site.id)?,
        ))
    })
    .await?;
    no_members(s)?;
    let working = matches!(site.status, SiteStatus::Building | SiteStatus::Rectifying);
    let status = ctx.status();
    render_as(
        status,
        &SitePage {
            can_evidence: working && s.actor.can_record_life(&site.org_path),
            can_check: working && sites::is_above(&s.actor, &site.org_path),
            ctx,
            site,
            items,
            visits,
            results: AcceptanceResult::ALL,
            today: xianfeng_domain::date::today().to_string(),
        },
    )
}

pub async fn show(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(&s, NAV);
    site_page(&state, &s, id, ctx).await
}

async fn on_site<T>(
    state: &AppState,
    s: &Session,
    site_id: i64,
    r: Result<T, AppError>,
    notice: &str,
    kept: &Kept,
) -> Result<Response, AppError> {
    let to = r.map(|_| (format!("/sites/{site_id}"), notice.to_string()));
    settle(s, NAV, to, kept, |ctx| site_page(state, s, site_id, ctx)).await
}

/// The site an item belongs to, as the caller may see it (else 404 like a missing item).
async fn site_of_item(state: &AppState, s: &Session, item_id: i64) -> Result<i64, AppError> {
    let actor = s.actor.clone();
    read(state, move |c| {
        let r = c
            .query_opt(
                "SELECT site_id FROM site_items WHERE id = ?",
                xianfeng_store::vals![item_id],
            )?
            .ok_or(AppError::NotFound("创建标准"))?;
        let site =
            sites::visible(c, &actor, r.i64(0)?).map_err(|_| AppError::NotFound("创建标准"))?;
        Ok(site.id)
    })
    .await
}

#[derive(Deserialize)]
pub struct EvidenceForm {
    #[serde(default)]
    evidence: String,
}

pub async fn evidence(
    State(state): State<AppState>,
    s: Session,
    Path(item): Path<i64>,
    CsrfForm(f, kept): CsrfForm<EvidenceForm>,
) -> Result<Response, AppError> {
    no_members(&s)?;
    let site_id = site_of_item(&state, &s, item).await?;
    let actor = s.actor.clone();
    let r = write(&state, move |c| {
        Ok(sites::evidence(c, &actor, item, &f.evidence)?)
    })
    .await;
    on_site(&state, &s, site_id, r, "已提交佐证，待上级核查", &kept).await
}

#[derive(Deserialize)]
pub struct CheckForm {
    /// `pass` or `return` (the button pressed).
    #[serde(default)]
    decision: String,
    #[serde(default)]
    note: String,
}

pub async fn check(
    State(state): State<AppState>,
    s: Session,
    Path(item): Path<i64>,
    CsrfForm(f, kept): CsrfForm<CheckForm>,
) -> Result<Response, AppError> {
    no_members(&s)?;
    let site_id = site_of_item(&state, &s, item).await?;
    let actor = s.actor.clone();
    let pass = f.decision == "pass";
    let r = write(&state, move |c| {
        Ok(sites::check(c, &actor, item, pass, &f.note)?)
    })
    .await;
    on_site(
        &state,
        &s,
        site_id,
        r,
        if pass {
            "已核查合格"
        } else {
            "已退回补充"
        },
        &kept,
    )
    .await
}

pub async fn accept(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(input, kept): CsrfForm<AcceptanceInput>,
) -> Result<Response, AppError> {
    no_members(&s)?;
    let actor = s.actor.clone();
    let r = write(&state, move |c| Ok(sites::accept(c, &actor, id, &input)?)).await;
    on_site(&state, &s, id, r, "已记录验收结果", &kept).await
}
