use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::org::{structural_warnings, Org, OrgDomain, OrgInput, OrgKind};
use xianfeng_domain::{date, path};
use xianfeng_store::people::orgs::{self, Totals};
use xianfeng_store::{engines::rollup, settings};

use crate::pages::form::{empty_as_none, CsrfForm, Kept};
use crate::pages::{crumbs, options, render, render_as, visible_org, CsrfOnly, Ctx, FieldErrors};
use crate::session::Session;
use crate::{AppError, AppState};

pub struct ChildRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub members: i64,
    pub dissolved: bool,
    pub warned: bool,
}

#[derive(Template)]
#[template(path = "people/org.html")]
struct OrgPage {
    ctx: Ctx,
    org: Org,
    crumbs: Vec<(i64, String)>,
    totals: Totals,
    direct_members: i64,
    warnings: Vec<String>,
    children: Vec<ChildRow>,
    can_create: bool,
    can_change: bool,
    can_add_member: bool,
    can_list: bool,
}

pub async fn show(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let page = crate::pages::read(&state, move |c| {
        let org = visible_org(c, &actor, id)?;
        let crumbs = crumbs(c, &actor, &org)?;
        let totals = orgs::totals(c, org.id)?;
        let direct = rollup::get(c, org.id, rollup::MEMBERS, "")?.0;
        let rules = settings::rules(c)?;
        let warnings = structural_warnings(&org, orgs::counts(c, org.id)?, &rules)
            .into_iter()
            .map(|w| w.message)
            .collect();
        let kids = orgs::children(c, org.id)?;
        let ids: Vec<i64> = kids.iter().map(|o| o.id).collect();
        let members = rollup::subtree_many(c, &ids, rollup::MEMBERS)?;
        let full = rollup::subtree_many(c, &ids, rollup::FULL_MEMBERS)?;
        let children = kids
            .into_iter()
            .map(|k| {
                let counts = xianfeng_domain::org::MemberCounts {
                    members: members.get(&k.id).copied().unwrap_or(0),
                    full_members: full.get(&k.id).copied().unwrap_or(0),
                };
                ChildRow {
                    id: k.id,
                    warned: !structural_warnings(&k, counts, &rules).is_empty(),
                    name: k.name,
                    kind: k.kind.label().into(),
                    members: counts.members,
                    dissolved: k.dissolved_on.is_some(),
                }
            })
            .collect::<Vec<_>>();
        Ok((org, crumbs, totals, direct, warnings, children))
    })
    .await?;
    let (org, crumbs, totals, direct_members, warnings, children) = page;
    render(&OrgPage {
        can_create: s.actor.can_create_org_under(&org.path)
            && org.dissolved_on.is_none()
            && org.kind != OrgKind::Group,
        can_change: s.actor.can_change_org(&org.path),
        can_add_member: s.actor.can_write_member(&org.path)
            && org.kind.is_branch()
            && org.dissolved_on.is_none(),
        can_list: s.actor.can_list_members(&org.path),
        ctx: Ctx::new(&s, "tree"),
        org,
        crumbs,
        totals,
        direct_members,
        warnings,
        children,
    })
}

/// One node of the tree page.
pub struct Node {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub members: i64,
    pub depth: i64,
    pub has_more: bool,
}

#[derive(Template)]
#[template(path = "people/tree.html")]
struct TreePage {
    ctx: Ctx,
    root: Org,
    crumbs: Vec<(i64, String)>,
    nodes: Vec<Node>,
}

/// The tree from an organisation down three levels, deeper levels one click away.
pub async fn tree(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let (root, crumbs, nodes) = crate::pages::read(&state, move |c| {
        let root = visible_org(c, &actor, id)?;
        let crumbs = crumbs(c, &actor, &root)?;
        let mut nodes = Vec::new();
        let base = root.depth();
        let mut stack = vec![root.clone()];
        while let Some(o) = stack.pop() {
            let kids: Vec<Org> = orgs::children(c, o.id)?
                .into_iter()
                .filter(|k| k.dissolved_on.is_none())
                .collect();
            let rel = o.depth() - base;
            nodes.push((o.clone(), rel, !kids.is_empty() && rel >= 3));
            if rel < 3 {
                stack.extend(kids.into_iter().rev());
            }
        }
        let ids: Vec<i64> = nodes.iter().map(|(o, _, _)| o.id).collect();
        let counts = rollup::subtree_many(c, &ids, rollup::MEMBERS)?;
        let nodes = nodes
            .into_iter()
            .map(|(o, depth, has_more)| Node {
                members: counts.get(&o.id).copied().unwrap_or(0),
                id: o.id,
                name: o.name,
                kind: o.kind.label().into(),
                depth,
                has_more,
            })
            .collect();
        Ok((root, crumbs, nodes))
    })
    .await?;
    render(&TreePage {
        ctx: Ctx::new(&s, "tree"),
        root,
        crumbs,
        nodes,
    })
}

#[derive(Template)]
#[template(path = "people/org_form.html")]
struct OrgForm {
    ctx: Ctx,
    title: String,
    action: String,
    parent_name: String,
    input: OrgInput,
    kinds: Vec<(String, bool)>,
    domains: Vec<(String, bool)>,
    errors: FieldErrors,
}

fn kinds_under(parent: Option<OrgKind>, selected: &str) -> Vec<(String, bool)> {
    options(
        OrgKind::ALL
            .iter()
            .filter(|k| parent.is_none_or(|p| p.allows_child(**k)))
            .map(|k| k.label()),
        selected,
    )
}

fn domains(selected: &str) -> Vec<(String, bool)> {
    options(OrgDomain::ALL.iter().map(|d| d.label()), selected)
}

async fn writable_parent(state: &AppState, s: &Session, id: i64) -> Result<Org, AppError> {
    crate::pages::org_where(state, s, id, Actor::can_create_org_under).await
}

pub async fn new_form(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let parent = writable_parent(&state, &s, id).await?;
    render(&OrgForm {
        ctx: Ctx::new(&s, "tree"),
        title: format!("在“{}”下新建组织", parent.name),
        action: format!("/orgs/{id}/new"),
        parent_name: parent.name.clone(),
        input: OrgInput {
            domain: parent.domain.label().into(),
            ..OrgInput::default()
        },
        kinds: kinds_under(Some(parent.kind), ""),
        domains: domains(parent.domain.label()),
        errors: FieldErrors::default(),
    })
}

pub async fn create(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(input, kept): CsrfForm<OrgInput>,
) -> Result<Response, AppError> {
    let parent = writable_parent(&state, &s, id).await?;
    let title = format!("在“{}”下新建组织", parent.name);
    let action = format!("/orgs/{id}/new");
    let draft = match input.validate(Some(parent.kind)) {
        Ok(d) => d,
        Err(e) => return refused_form(&s, e.into(), &kept, title, action, &parent, input),
    };
    let actor = s.actor.clone();
    let p = parent.clone();
    let created = crate::pages::write(&state, move |c| {
        Ok(orgs::create(c, Some(&actor), Some(&p), &draft)?)
    })
    .await;
    match created {
        Ok(org) => Ok(Redirect::to(&format!("/orgs/{}", org.id)).into_response()),
        Err(e) => refused_form(&s, e, &kept, title, action, &parent, input),
    }
}

/// The organisation form again after `e` refused it, filled in with what was typed.
fn refused_form(
    s: &Session,
    e: AppError,
    kept: &Kept,
    title: String,
    action: String,
    parent: &Org,
    input: OrgInput,
) -> Result<Response, AppError> {
    let errors = match &e {
        AppError::Invalid(i) => FieldErrors::from_invalid(i),
        _ => FieldErrors::default(),
    };
    let page = OrgForm {
        ctx: Ctx::new(s, "tree").refusal(e, kept)?,
        title,
        action,
        parent_name: parent.name.clone(),
        kinds: kinds_under(Some(parent.kind), &input.kind),
        domains: domains(&input.domain),
        input,
        errors,
    };
    render_as(page.ctx.status(), &page)
}

async fn changeable(
    state: &AppState,
    s: &Session,
    id: i64,
) -> Result<(Org, Option<Org>), AppError> {
    let actor = s.actor.clone();
    let (org, parent) = crate::pages::read(state, move |c| {
        let org = visible_org(c, &actor, id)?;
        let parent = match org.parent_id {
            Some(p) => orgs::get(c, p)?,
            None => None,
        };
        Ok((org, parent))
    })
    .await?;
    if !s.actor.can_change_org(&org.path) {
        return Err(AppError::Forbidden);
    }
    Ok((org, parent))
}

pub async fn edit_form(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (org, parent) = changeable(&state, &s, id).await?;
    render(&OrgForm {
        ctx: Ctx::new(&s, "tree"),
        title: format!("修改“{}”", org.name),
        action: format!("/orgs/{id}/edit"),
        parent_name: parent.as_ref().map(|p| p.name.clone()).unwrap_or_default(),
        input: OrgInput {
            name: org.name.clone(),
            kind: org.kind.label().into(),
            domain: org.domain.label().into(),
            committee_size: org.committee_size.to_string(),
        },
        kinds: kinds_under(parent.map(|p| p.kind), org.kind.label()),
        domains: domains(org.domain.label()),
        errors: FieldErrors::default(),
    })
}

pub async fn update(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(input, kept): CsrfForm<OrgInput>,
) -> Result<Response, AppError> {
    let (org, parent) = changeable(&state, &s, id).await?;
    let title = format!("修改“{}”", org.name);
    let action = format!("/orgs/{id}/edit");
    let fallback_parent = parent.clone().unwrap_or_else(|| org.clone());
    let draft = match input.validate(parent.as_ref().map(|p| p.kind)) {
        Ok(d) => d,
        Err(e) => return refused_form(&s, e.into(), &kept, title, action, &fallback_parent, input),
    };
    let actor = s.actor.clone();
    let o = org.clone();
    match crate::pages::write(&state, move |c| Ok(orgs::update(c, &actor, &o, &draft)?)).await {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{id}")).into_response()),
        Err(e) => refused_form(&s, e, &kept, title, action, &fallback_parent, input),
    }
}

#[derive(Template)]
#[template(path = "people/org_move.html")]
struct MoveForm {
    ctx: Ctx,
    org: Org,
    targets: Vec<(i64, String)>,
}

async fn move_targets(
    state: &AppState,
    s: &Session,
    org: &Org,
) -> Result<Vec<(i64, String)>, AppError> {
    let actor = s.actor.clone();
    let org = org.clone();
    crate::pages::read(state, move |c| {
        let root = orgs::require(c, actor.scope_org_id)?;
        let candidates = orgs::active_in(c, &root, 2000)?.into_iter().filter(|o| {
            o.kind.allows_child(org.kind)
                && !path::within(&o.path, &org.path)
                && Some(o.id) != org.parent_id
        });
        Ok(orgs::indented(&root, candidates))
    })
    .await
}

pub async fn move_form(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (org, _) = changeable(&state, &s, id).await?;
    let targets = move_targets(&state, &s, &org).await?;
    render(&MoveForm {
        ctx: Ctx::new(&s, "tree"),
        org,
        targets,
    })
}

#[derive(Deserialize)]
pub struct MoveData {
    #[serde(default, deserialize_with = "empty_as_none")]
    parent_id: Option<i64>,
}

pub async fn move_org(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<MoveData>,
) -> Result<Response, AppError> {
    let (org, _) = changeable(&state, &s, id).await?;
    let parent_id = f.parent_id;
    let actor = s.actor.clone();
    let o = org.clone();
    let result = crate::pages::write(&state, move |c| {
        let target = match parent_id
            .and_then(|p| orgs::get(c, p).transpose())
            .transpose()?
        {
            Some(t) if actor.can_create_org_under(&t.path) => t,
            _ => {
                return Err(xianfeng_domain::Invalid::one(
                    "parent_id",
                    "新上级组织",
                    "请选择管辖范围内的组织",
                )
                .into())
            }
        };
        Ok(orgs::move_to(c, &actor, &o, &target)?)
    })
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{id}")).into_response()),
        Err(e) => {
            let ctx = Ctx::new(&s, "tree").refusal(e, &kept)?;
            let targets = move_targets(&state, &s, &org).await?;
            let page = MoveForm { ctx, org, targets };
            render_as(page.ctx.status(), &page)
        }
    }
}

pub async fn dissolve(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    _: CsrfForm<CsrfOnly>,
) -> Result<Response, AppError> {
    let (org, _) = changeable(&state, &s, id).await?;
    let actor = s.actor.clone();
    let today = date::today().to_string();
    crate::pages::write(&state, move |c| {
        Ok(orgs::dissolve(c, &actor, &org, &today)?)
    })
    .await?;
    Ok(Redirect::to(&format!("/orgs/{id}")).into_response())
}
