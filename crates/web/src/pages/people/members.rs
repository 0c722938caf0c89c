use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use serde::Deserialize;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::member::{
    Education, Member, MemberInput, MemberStatus, ETHNICITIES, STANDARD_TAGS,
};
use xianfeng_domain::org::Org;
use xianfeng_domain::{date, Invalid};
use xianfeng_store::people::members::{self, Filter, MemberRecord, Transfer};
use xianfeng_store::{engines::rollup, people::orgs, settings};

use crate::pages::form::{empty_as_none, CsrfForm, Kept};
use crate::pages::{crumbs, options, render, render_as, visible_org, CsrfOnly, Ctx, FieldErrors};
use crate::session::{urlencode, Session};
use crate::{AppError, AppState};

pub const PER_PAGE: i64 = 20;

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub q: String,
    #[serde(default)]
    pub tag: String,
    #[serde(default)]
    pub page: Option<i64>,
}

#[derive(Template)]
#[template(path = "people/members.html")]
struct ListPage {
    ctx: Ctx,
    org: Org,
    crumbs: Vec<(i64, String)>,
    items: Vec<Member>,
    q: String,
    tag: String,
    tags: Vec<(String, i64)>,
    page: i64,
    has_more: bool,
    total: Option<i64>,
    prev_link: String,
    next_link: String,
    can_add: bool,
}

pub async fn list(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let page_no = q.page.unwrap_or(0).max(0);
    let filter = Filter {
        q: q.q.clone(),
        tag: q.tag.clone(),
    };
    let (org, crumbs, page, tags, total) = crate::pages::read(&state, move |c| {
        let org = match visible_org(c, &actor, id) {
            Ok(o) if actor.can_list_members(&o.path) => o,
            Ok(_) => return Err(AppError::NotFound("组织")),
            Err(e) => return Err(e),
        };
        let crumbs = crumbs(c, &actor, &org)?;
        let page = members::list(c, &org.path, &filter, page_no, PER_PAGE)?;
        let tags = members::tags_in(c, &org.path)?;
        let unfiltered = filter.q.trim().is_empty() && filter.tag.trim().is_empty();
        let total = if unfiltered {
            Some(rollup::get(c, org.id, rollup::MEMBERS, "")?.1)
        } else {
            None
        };
        Ok((org, crumbs, page, tags, total))
    })
    .await?;
    let link = |p: i64| {
        format!(
            "/orgs/{id}/members?q={}&tag={}&page={p}",
            urlencode(&q.q),
            urlencode(&q.tag)
        )
    };
    render(&ListPage {
        ctx: Ctx::new(&s, "members"),
        can_add: s.actor.can_write_member(&org.path)
            && org.kind.is_branch()
            && org.dissolved_on.is_none(),
        org,
        crumbs,
        items: page.items.into_iter().map(|r| r.member).collect(),
        q: q.q.clone(),
        tag: q.tag.clone(),
        tags,
        page: page_no,
        has_more: page.has_more,
        total,
        prev_link: link(page_no - 1),
        next_link: link(page_no + 1),
    })
}

#[derive(Template)]
#[template(path = "people/member.html")]
struct MemberPage {
    ctx: Ctx,
    m: Member,
    crumbs: Vec<(i64, String)>,
    transfers: Vec<Transfer>,
    life: xianfeng_domain::life::MemberYear,
    rules: xianfeng_domain::rules::Rules,
    year: i32,
    id_number: String,
    phone: String,
    revealed: bool,
    can_reveal: bool,
    can_edit: bool,
    can_open_account: bool,
    joined_cn: String,
}

async fn visible_member(
    state: &AppState,
    s: &Session,
    id: i64,
) -> Result<(MemberRecord, Vec<(i64, String)>, History), AppError> {
    let actor = s.actor.clone();
    crate::pages::read(state, move |c| {
        let rec = match members::get(c, id)? {
            Some(r) if actor.can_read_member(&r.org_path, r.member.id) => r,
            _ => return Err(AppError::NotFound("党员")),
        };
        let org = orgs::require(c, rec.member.org_id)?;
        let crumbs = crumbs(c, &actor, &org)?;
        let year = date::today().year();
        let history = History {
            transfers: members::transfers(c, id)?,
            life: xianfeng_store::life::training::member_year(c, id, year)?,
            rules: settings::rules(c)?,
            year,
        };
        Ok((rec, crumbs, history))
    })
    .await
}

/// A member's record beyond the roster fields: transfers and this year's branch life.
struct History {
    transfers: Vec<Transfer>,
    life: xianfeng_domain::life::MemberYear,
    rules: xianfeng_domain::rules::Rules,
    year: i32,
}

fn member_page(
    ctx: Ctx,
    s: &Session,
    rec: MemberRecord,
    crumbs: Vec<(i64, String)>,
    h: History,
    revealed: Option<(String, Option<String>)>,
) -> Result<Response, AppError> {
    let joined_cn = date::parse(&rec.member.joined_on)
        .map(date::format_cn)
        .unwrap_or_default();
    let (id_number, phone) = match &revealed {
        Some((i, p)) => (i.clone(), p.clone().unwrap_or_default()),
        None => (
            rec.member.id_masked.clone(),
            rec.member.phone_masked.clone(),
        ),
    };
    let page = MemberPage {
        ctx,
        can_reveal: s.actor.can_reveal_personal(&rec.org_path, rec.member.id) && revealed.is_none(),
        can_edit: s.actor.can_write_member(&rec.org_path),
        can_open_account: s
            .actor
            .can_manage_account(xianfeng_domain::auth::Role::Member, &rec.org_path),
        revealed: revealed.is_some(),
        m: rec.member,
        crumbs,
        transfers: h.transfers,
        life: h.life,
        rules: h.rules,
        year: h.year,
        id_number,
        phone,
        joined_cn,
    };
    render_as(page.ctx.status(), &page)
}

pub async fn show(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (rec, crumbs, history) = visible_member(&state, &s, id).await?;
    member_page(Ctx::new(&s, "members"), &s, rec, crumbs, history, None)
}

/// The member page again after a form on it (opening an account) was refused: `ctx` carries
/// the message, the status and what was typed.
pub(super) async fn again(
    state: &AppState,
    s: &Session,
    id: i64,
    ctx: Ctx,
) -> Result<Response, AppError> {
    let (rec, crumbs, history) = visible_member(state, s, id).await?;
    member_page(ctx, s, rec, crumbs, history, None)
}

/// Shows the full ID number and phone to a role that needs them; the viewing is audited.
pub async fn reveal(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    _: CsrfForm<CsrfOnly>,
) -> Result<Response, AppError> {
    let (rec, crumbs, history) = visible_member(&state, &s, id).await?;
    if !s.actor.can_reveal_personal(&rec.org_path, rec.member.id) {
        return Err(AppError::Forbidden);
    }
    let actor = s.actor.clone();
    let r = rec.clone();
    let vault = state.store.vault.clone();
    let shown =
        crate::pages::write(&state, move |c| Ok(members::reveal(c, &vault, &actor, &r)?)).await?;
    member_page(
        Ctx::new(&s, "members"),
        &s,
        rec,
        crumbs,
        history,
        Some(shown),
    )
}

#[derive(Template)]
#[template(path = "people/member_form.html")]
struct MemberForm {
    ctx: Ctx,
    title: String,
    action: String,
    org_name: String,
    input: MemberInput,
    editing: bool,
    errors: FieldErrors,
    genders: Vec<(String, bool)>,
    ethnicities: Vec<(String, bool)>,
    educations: Vec<(String, bool)>,
    statuses: Vec<(String, bool)>,
    standard_tags: String,
}

impl MemberForm {
    fn new(
        ctx: Ctx,
        title: String,
        action: String,
        org_name: String,
        input: MemberInput,
        editing: bool,
        errors: FieldErrors,
    ) -> MemberForm {
        MemberForm {
            ctx,
            title,
            action,
            org_name,
            genders: options(["男", "女"], &input.gender),
            ethnicities: options(ETHNICITIES, &input.ethnicity),
            educations: options(Education::ALL.iter().map(|e| e.label()), &input.education),
            statuses: options(MemberStatus::ALL.iter().map(|e| e.label()), &input.status),
            standard_tags: format!("用顿号分隔，常用：{}", STANDARD_TAGS.join("、")),
            input,
            editing,
            errors,
        }
    }
}

async fn writable_branch(state: &AppState, s: &Session, id: i64) -> Result<Org, AppError> {
    crate::pages::org_where(state, s, id, Actor::can_write_member).await
}

pub async fn new_form(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let org = writable_branch(&state, &s, id).await?;
    let input = MemberInput {
        ethnicity: "汉族".into(),
        status: "正式党员".into(),
        ..MemberInput::default()
    };
    render(&MemberForm::new(
        Ctx::new(&s, "members"),
        format!("在“{}”登记党员", org.name),
        format!("/orgs/{id}/members/new"),
        org.name,
        input,
        false,
        FieldErrors::default(),
    ))
}

/// The member form again after `e` refused it, filled in with what was typed. On edit the
/// ID number typed is not sent back (the stored one is never shown either).
#[allow(clippy::too_many_arguments)]
fn refused_form(
    s: &Session,
    e: AppError,
    kept: &Kept,
    title: String,
    action: String,
    org_name: String,
    mut input: MemberInput,
    editing: bool,
) -> Result<Response, AppError> {
    let errors = match &e {
        AppError::Invalid(i) => FieldErrors::from_invalid(i),
        _ => FieldErrors::default(),
    };
    let mut kept = kept.clone();
    if editing {
        input.id_number.clear();
        kept.fields.retain(|(k, _)| k != "id_number");
    }
    let ctx = Ctx::new(s, "members").refusal(e, &kept)?;
    let page = MemberForm::new(ctx, title, action, org_name, input, editing, errors);
    render_as(page.ctx.status(), &page)
}

pub async fn create(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(typed, kept): CsrfForm<MemberInput>,
) -> Result<Response, AppError> {
    let org = writable_branch(&state, &s, id).await?;
    let title = format!("在“{}”登记党员", org.name);
    let action = format!("/orgs/{id}/members/new");
    let actor = s.actor.clone();
    let input = typed.clone();
    let o = org.clone();
    let vault = state.store.vault.clone();
    let result = crate::pages::write(&state, move |c| {
        let rules = settings::rules(c)?;
        let draft = input.validate(&rules, date::today(), None)?;
        Ok(members::create(c, &vault, Some(&actor), &o, &draft)?)
    })
    .await;
    match result {
        Ok(mid) => Ok(Redirect::to(&format!("/members/{mid}")).into_response()),
        Err(e) => refused_form(&s, e, &kept, title, action, org.name, typed, false),
    }
}

async fn editable(state: &AppState, s: &Session, id: i64) -> Result<MemberRecord, AppError> {
    let (rec, _, _) = visible_member(state, s, id).await?;
    if !s.actor.can_write_member(&rec.org_path) {
        return Err(AppError::Forbidden);
    }
    Ok(rec)
}

fn input_of(m: &Member) -> MemberInput {
    MemberInput {
        name: m.name.clone(),
        gender: m.gender.clone(),
        ethnicity: m.ethnicity.clone(),
        birth_date: m.birth_date.clone(),
        id_number: String::new(),
        phone: String::new(),
        joined_on: m.joined_on.clone(),
        full_on: m.full_on.clone().unwrap_or_default(),
        status: m.status.clone(),
        education: m.education.clone(),
        post: m.post.clone(),
        tags: m.tags.join("、"),
    }
}

pub async fn edit_form(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let rec = editable(&state, &s, id).await?;
    let m = &rec.member;
    render(&MemberForm::new(
        Ctx::new(&s, "members"),
        format!("修改党员“{}”", m.name),
        format!("/members/{id}/edit"),
        m.org_name.clone(),
        input_of(m),
        true,
        FieldErrors::default(),
    ))
}

pub async fn update(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(typed, kept): CsrfForm<MemberInput>,
) -> Result<Response, AppError> {
    let rec = editable(&state, &s, id).await?;
    let title = format!("修改党员“{}”", rec.member.name);
    let org_name = rec.member.org_name.clone();
    let actor = s.actor.clone();
    let input = typed.clone();
    let vault = state.store.vault.clone();
    let result = crate::pages::write(&state, move |c| {
        let rules = settings::rules(c)?;
        let kept = members::stored_id_number(c, &vault, rec.member.id)?;
        let mut draft = input.validate(&rules, date::today(), Some(&kept))?;
        if input.phone.trim().is_empty() {
            // A blank phone on edit keeps the stored one.
            draft.phone = members::stored_phone(c, &vault, rec.member.id)?;
        }
        Ok(members::update(c, &vault, &actor, &rec, &draft)?)
    })
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/members/{id}")).into_response()),
        Err(e) => refused_form(
            &s,
            e,
            &kept,
            title,
            format!("/members/{id}/edit"),
            org_name,
            typed,
            true,
        ),
    }
}

#[derive(Template)]
#[template(path = "people/member_transfer.html")]
struct TransferForm {
    ctx: Ctx,
    m: Member,
    targets: Vec<(i64, String)>,
    today: String,
}

async fn transfer_targets(
    state: &AppState,
    s: &Session,
    current: i64,
) -> Result<Vec<(i64, String)>, AppError> {
    let actor = s.actor.clone();
    crate::pages::read(state, move |c| {
        let root = orgs::require(c, actor.scope_org_id)?;
        Ok(orgs::branches_in(c, &root.path)?
            .into_iter()
            .filter(|o| o.id != current)
            .map(|o| (o.id, o.name))
            .collect())
    })
    .await
}

pub async fn transfer_form(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let rec = editable(&state, &s, id).await?;
    let targets = transfer_targets(&state, &s, rec.member.org_id).await?;
    render(&TransferForm {
        ctx: Ctx::new(&s, "members"),
        m: rec.member,
        targets,
        today: date::today().to_string(),
    })
}

#[derive(Deserialize)]
pub struct TransferData {
    #[serde(default, deserialize_with = "empty_as_none")]
    to_org_id: Option<i64>,
    #[serde(default)]
    on_date: String,
    #[serde(default)]
    reason: String,
}

pub async fn transfer(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<TransferData>,
) -> Result<Response, AppError> {
    let rec = editable(&state, &s, id).await?;
    let actor = s.actor.clone();
    let r = rec.clone();
    let to = f.to_org_id;
    let input = xianfeng_domain::member::TransferInput {
        on_date: f.on_date.clone(),
        reason: f.reason.clone(),
    };
    let result = crate::pages::write(&state, move |c| {
        let target = match to.map(|t| orgs::get(c, t)).transpose()?.flatten() {
            Some(t) if actor.can_write_member(&t.path) => Some(t),
            _ => None,
        };
        let checked = input.validate(date::today());
        match (target, checked) {
            (Some(t), Ok((on, reason))) => Ok(members::transfer(
                c,
                &actor,
                &r,
                &t,
                &on.to_string(),
                &reason,
            )?),
            (target, checked) => {
                let mut errs = Vec::new();
                if target.is_none() {
                    errs.push(xianfeng_domain::FieldError::new(
                        "to_org_id",
                        "转入党组织",
                        "请选择管辖范围内的党支部",
                    ));
                }
                errs.extend(checked.err().map(|e| e.0).unwrap_or_default());
                Err(Invalid(errs).into())
            }
        }
    })
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/members/{id}")).into_response()),
        Err(e) => {
            let ctx = Ctx::new(&s, "members").refusal(e, &kept)?;
            let targets = transfer_targets(&state, &s, rec.member.org_id).await?;
            let page = TransferForm {
                ctx,
                m: rec.member,
                targets,
                today: f.on_date,
            };
            render_as(page.ctx.status(), &page)
        }
    }
}
