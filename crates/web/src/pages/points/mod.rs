//! 积分 pages for cadres: an organisation's review queue, recording points, leaderboards and
//! its stores; the rules catalogue; a person's or household's account with its ledger and
//! reversals; households and the resident import.

pub mod card;
pub mod shop;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::date;
use xianfeng_domain::household::ResidentInput;
use xianfeng_domain::org::Org;
use xianfeng_domain::points::{BoardPeriod, Bounds, ClaimStatus, EarnInput, RuleInput};
use xianfeng_store::points::point_board::Standing;
use xianfeng_store::points::point_claims::{self, By, Claim};
use xianfeng_store::points::point_rules::{self, Rule};
use xianfeng_store::points::point_shop::{self, Shop};
use xianfeng_store::points::{self, Account, Entry, HOUSEHOLD, PERSON};
use xianfeng_store::{
    people::households, people::orgs, points::point_board, settings, Conn, StoreError,
};

use crate::pages::form::{CsrfForm, Kept};
use crate::pages::shared::with_org;
use crate::pages::{field, render, render_as, visible_org, CsrfOnly, Ctx};
use crate::session::Session;
use crate::{blocking, AppError, AppState};

fn staff(s: &Session, org: &Org) -> Result<(), AppError> {
    if s.actor.can_list_members(&org.path) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn home(s: Session) -> Response {
    Redirect::to(&format!("/orgs/{}/points", s.actor.scope_org_id)).into_response()
}

#[derive(Deserialize, Default)]
pub struct PageQuery {
    #[serde(default)]
    pub period: String,
    #[serde(default)]
    pub q: String,
}

/// What was typed into one row's form (a claim's or a ledger entry's reason) when it was
/// refused. Rows share field names, so the input goes back into its own row here rather than
/// by name into every row.
#[derive(Default)]
pub(super) struct RowInput {
    id: i64,
    reason: String,
    error: String,
}

impl RowInput {
    fn of(id: i64, reason: String, e: &AppError) -> RowInput {
        let error = match e {
            AppError::Invalid(i) => i.for_field("reason").unwrap_or("").to_string(),
            _ => String::new(),
        };
        RowInput { id, reason, error }
    }
}

/// The page again for a refused row form: the reason at the top, nothing put back by name
/// (the row's own input is rendered by the page).
/// A record outside the caller's subtree answers exactly like a missing one (404), so ids
/// cannot be walked to learn what exists elsewhere; inside it, a role that may not act is 403.
fn in_scope(actor: &Actor, org_path: &str, what: &'static str) -> Result<(), AppError> {
    if actor.can_read_org(org_path) {
        Ok(())
    } else {
        Err(AppError::NotFound(what))
    }
}

fn row_refusal(ctx: Ctx, e: AppError) -> Result<Ctx, AppError> {
    let mut ctx = ctx.refusal(e, &Kept::default())?;
    ctx.flash.kept_json.clear();
    Ok(ctx)
}

fn period_of(q: &str) -> BoardPeriod {
    match q {
        "quarter" => BoardPeriod::Quarter,
        "year" => BoardPeriod::Year,
        _ => BoardPeriod::Month,
    }
}

fn period_key(p: BoardPeriod) -> String {
    xianfeng_domain::cadence::Period::containing(p.frequency(), date::today()).key()
}

/// What the overview shows.
pub struct Overview {
    pub pending: Vec<Claim>,
    pub people: Vec<Standing>,
    pub households: Vec<Standing>,
    pub orgs: Vec<(i64, String, i64)>,
    pub rules: Vec<Rule>,
    pub candidates: Vec<(String, String)>,
    pub shops: Vec<Shop>,
    /// The organisation's public address (its public leaderboard is at `/board/{slug}`).
    pub slug: String,
}

#[derive(Template)]
#[template(path = "points/points.html")]
struct PointsPage {
    ctx: Ctx,
    org: Org,
    crumbs: Vec<(i64, String)>,
    period: String,
    period_label: String,
    o: Overview,
    row: RowInput,
    today: String,
    can_record: bool,
    can_open_store: bool,
}

/// People who can be given points here: a branch's members (`m` + member id; their account
/// opens when first used) and residents (`a` + account id).
fn candidates(c: &mut dyn Conn, org: &Org) -> xianfeng_store::Result<Vec<(String, String)>> {
    if !org.kind.is_branch() {
        return Ok(Vec::new());
    }
    let (members, residents) = points::people_at(c, org.id)?;
    let mut out: Vec<(String, String)> = members
        .into_iter()
        .map(|(id, name)| (format!("m{id}"), format!("{name}（党员）")))
        .collect();
    out.extend(
        residents
            .into_iter()
            .map(|(id, name)| (format!("a{id}"), name)),
    );
    Ok(out)
}

/// The organisation's points page; `ctx` carries a refused form's message and input, `row`
/// a refused decision's reason.
pub(super) async fn overview(
    state: &AppState,
    s: &Session,
    id: i64,
    q: PageQuery,
    ctx: Ctx,
    row: RowInput,
) -> Result<Response, AppError> {
    let period = period_of(&q.period);
    let key = period_key(period);
    let writer = s.actor.clone();
    let label = format!("{}（{key}）", period.label());
    let (org, crumbs, o) = with_org(state, s, id, move |c, org| {
        let children: Vec<Org> = orgs::children(c, org.id)?
            .into_iter()
            .filter(|o| o.dissolved_on.is_none())
            .collect();
        let can_record = writer.can_record_life(&org.path);
        Ok(Overview {
            pending: point_claims::in_scope(c, &org.path, ClaimStatus::Pending, 50)?,
            people: point_board::top(c, &org.path, PERSON, &key, 10)?,
            households: point_board::top(c, &org.path, HOUSEHOLD, &key, 10)?,
            orgs: point_board::orgs(c, &children, &key)?,
            rules: point_rules::for_org(c, &org.path)?,
            candidates: if can_record {
                candidates(c, org)?
            } else {
                Vec::new()
            },
            shops: point_shop::in_scope(c, &org.path)?,
            slug: xianfeng_store::people::public_slugs::of(c, org.id)?,
        })
    })
    .await?;
    staff(s, &org)?;
    let status = ctx.status();
    let page = PointsPage {
        ctx,
        can_record: s.actor.can_record_life(&org.path),
        can_open_store: s.actor.can_record_life(&org.path) && !org.kind.is_committee(),
        org,
        crumbs,
        period: q.period,
        period_label: label,
        o,
        row,
        today: date::today().to_string(),
    };
    render_as(status, &page)
}

pub async fn show(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(&s, "points");
    overview(&state, &s, id, q, ctx, RowInput::default()).await
}

/// Finds the person to record for: a picked account, or a scanned code.
fn person_for(
    c: &mut dyn Conn,
    actor: &Actor,
    picked: &str,
    code: &str,
) -> xianfeng_store::Result<Account> {
    let code = code.trim().rsplit('/').next().unwrap_or("").to_uppercase();
    let picked = picked.trim();
    let number = |prefix: char| {
        picked
            .strip_prefix(prefix)
            .and_then(|n| n.parse::<i64>().ok())
    };
    let account = if let Some(id) = number('a') {
        points::account(c, id).ok()
    } else if let Some(member) = number('m') {
        match xianfeng_store::people::members::get(c, member)? {
            Some(m) if actor.can_record_life(&m.org_path) => {
                Some(points::member_account(c, member)?)
            }
            _ => None,
        }
    } else if !code.is_empty() {
        points::by_code(c, &code)?
    } else {
        None
    };
    match account {
        Some(a) if a.kind == PERSON && actor.can_record_life(&a.org_path) => Ok(a),
        Some(a) if a.kind == HOUSEHOLD => Err(xianfeng_domain::Invalid::one(
            "person",
            "积分对象",
            "户码用于兑换；记积分请选择户里的具体人员",
        )
        .into()),
        _ => Err(xianfeng_domain::Invalid::one(
            "person",
            "积分对象",
            "请选择本组织的人员或扫描其积分码",
        )
        .into()),
    }
}

/// A cadre records points for a person (with evidence when the rule requires it).
pub async fn record(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    form: Multipart,
) -> Result<Response, AppError> {
    // Scope and role before body: an organisation outside scope is 404, a member 403.
    crate::pages::org_where(&state, &s, id, |a, p| {
        a.role != xianfeng_domain::auth::Role::Member && a.can_read_org(p)
    })
    .await?;
    let crate::pages::form::Upload {
        fields: f,
        files,
        kept,
    } = match crate::pages::form::Upload::read(&s, form, "evidence").await {
        Ok(u) => u,
        Err(r) => {
            let ctx = Ctx::new(&s, "points").refusal(r.error, &r.kept)?;
            let q = PageQuery::default();
            return overview(&state, &s, id, q, ctx, RowInput::default()).await;
        }
    };
    let actor = s.actor.clone();
    let input = EarnInput {
        rule: field(&f, "rule"),
        day: field(&f, "day"),
        note: field(&f, "note"),
    };
    let (picked, code) = (field(&f, "person"), field(&f, "code"));
    let result = crate::pages::write(&state, move |c| {
        let evidence = crate::pages::checked_evidence(c, &files)?;
        let person = person_for(c, &actor, &picked, &code)?;
        let d = input.validate(date::today())?;
        let file = evidence.first().map(|(_, m, b)| (m.as_str(), b.as_slice()));
        point_claims::earn(c, By::Cadre(&actor), person.id, &d, file)?;
        Ok(person.name)
    })
    .await;
    match result {
        Ok(name) => Ok(crate::pages::done(
            &format!("/orgs/{id}/points"),
            &format!("已为{name}记积分"),
        )),
        Err(e) => {
            let ctx = Ctx::new(&s, "points").refusal(e, &kept)?;
            overview(
                &state,
                &s,
                id,
                PageQuery::default(),
                ctx,
                RowInput::default(),
            )
            .await
        }
    }
}

#[derive(Deserialize)]
pub struct DecideForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    reason: String,
}

/// Approves or rejects a waiting claim; back to the organisation it came from. A refusal
/// (a stopped rule, a reached cap) leaves the claim waiting and changes nothing.
pub async fn decide(
    State(state): State<AppState>,
    s: Session,
    Path(claim_id): Path<i64>,
    CsrfForm(f, _): CsrfForm<DecideForm>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let approve = f.decision == "approve";
    let reason = f.reason.clone();
    let result = crate::pages::write(&state, move |c| {
        let claim = point_claims::get(c, claim_id)?;
        in_scope(&actor, &claim.org_path, "积分申报")?;
        if !actor.can_record_life(&claim.org_path) {
            return Err(AppError::Forbidden);
        }
        Ok(point_claims::decide(c, &actor, claim_id, approve, &reason)?)
    })
    .await;
    let back_org = s.actor.scope_org_id;
    match result {
        Ok(status) => Ok(crate::pages::done(
            &format!("/orgs/{back_org}/points"),
            &format!("第{claim_id}号申报{}", status.label()),
        )),
        Err(e) => {
            let row = RowInput::of(claim_id, f.reason, &e);
            let ctx = row_refusal(Ctx::new(&s, "points"), e)?;
            overview(&state, &s, back_org, PageQuery::default(), ctx, row).await
        }
    }
}

pub async fn claim_file(
    State(state): State<AppState>,
    s: Session,
    Path((id, sha)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    blocking(&state, move |st| {
        let claim = st.read(|c| point_claims::get(c, id))?;
        if actor.can_list_members(&claim.org_path) {
            Ok(())
        } else {
            Err(AppError::NotFound("文件"))
        }
    })
    .await?;
    crate::pages::attached_file(&state, sha, "佐证材料", move |c, sha| {
        point_claims::has_evidence(c, id, sha)
    })
    .await
}

#[derive(Template)]
#[template(path = "points/point_rules.html")]
struct RulesPage {
    ctx: Ctx,
    org: Org,
    crumbs: Vec<(i64, String)>,
    rules: Vec<Rule>,
    can_write: bool,
    bound: Option<i64>,
    input: RuleInput,
}

fn bounds_for(c: &mut dyn Conn, org: &Org) -> xianfeng_store::Result<Option<Bounds>> {
    Ok(match org.parent_id {
        None => None,
        Some(_) => Some(Bounds {
            max_points: settings::rules(c)?.points_town_max,
        }),
    })
}

async fn rules_page(
    state: &AppState,
    s: &Session,
    id: i64,
    input: RuleInput,
    ctx: Ctx,
) -> Result<Response, AppError> {
    let (org, crumbs, (rules, bound)) = with_org(state, s, id, |c, org| {
        Ok((
            point_rules::catalogue(c, &org.path)?,
            bounds_for(c, org)?.map(|b| b.max_points),
        ))
    })
    .await?;
    staff(s, &org)?;
    let status = ctx.status();
    let page = RulesPage {
        ctx,
        can_write: s.actor.can_manage_town(&org.path) && org.kind.is_committee(),
        org,
        crumbs,
        rules,
        bound,
        input,
    };
    render_as(status, &page)
}

pub async fn rules(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(&s, "points");
    rules_page(&state, &s, id, RuleInput::default(), ctx).await
}

#[derive(Template)]
#[template(path = "points/point_rule_edit.html")]
struct RuleEditPage {
    ctx: Ctx,
    rule: Rule,
    bound: Option<i64>,
    input: RuleInput,
}

/// The rule and the organisation that set it, when the actor may change it (that level or
/// above); otherwise not found.
fn editable_rule(c: &mut dyn Conn, actor: &Actor, id: i64) -> Result<(Rule, Org), AppError> {
    let rule = point_rules::get(c, id)?;
    if !actor.can_manage_town(&rule.org_path) {
        return Err(AppError::NotFound("积分事项"));
    }
    let org = orgs::require(c, rule.org_id)?;
    Ok((rule, org))
}

/// The rule being edited and the county's bound on its points (for the form).
async fn rule_for_edit(
    state: &AppState,
    s: &Session,
    id: i64,
) -> Result<(Rule, Option<i64>), AppError> {
    let actor = s.actor.clone();
    crate::pages::read(state, move |c| {
        let (rule, org) = editable_rule(c, &actor, id)?;
        let bound = bounds_for(c, &org)?.map(|b| b.max_points);
        Ok((rule, bound))
    })
    .await
}

pub async fn edit_rule_form(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (rule, bound) = rule_for_edit(&state, &s, id).await?;
    let input = rule.draft.input();
    render(&RuleEditPage {
        ctx: Ctx::new(&s, "points"),
        rule,
        bound,
        input,
    })
}

/// Saves a rule's new terms; what it granted before stays in the ledger as it was.
pub async fn edit_rule(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(input, kept): CsrfForm<RuleInput>,
) -> Result<Response, AppError> {
    let typed = input.clone();
    let actor = s.actor.clone();
    let result = crate::pages::write(&state, move |c| {
        let (rule, org) = editable_rule(c, &actor, id)?;
        let d = typed.validate(bounds_for(c, &org)?)?;
        point_rules::update(c, &actor, &rule, &d)?;
        Ok(org.id)
    })
    .await;
    match result {
        Ok(org_id) => Ok(crate::pages::done(
            &format!("/orgs/{org_id}/points/rules"),
            "已保存",
        )),
        Err(e) => {
            let ctx = Ctx::new(&s, "points").refusal(e, &kept)?;
            let (rule, bound) = rule_for_edit(&state, &s, id).await?;
            let page = RuleEditPage {
                ctx,
                rule,
                bound,
                input,
            };
            render_as(page.ctx.status(), &page)
        }
    }
}

/// Adds a rule at a county or town (a town within the county's bounds).
pub async fn add_rule(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(input, kept): CsrfForm<RuleInput>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let typed = input.clone();
    let result = crate::pages::write(&state, move |c| {
        let org = match visible_org(c, &actor, id) {
            Ok(o) if actor.can_manage_town(&o.path) && o.kind.is_committee() => o,
            _ => return Err(AppError::Forbidden),
        };
        let d = typed.validate(bounds_for(c, &org)?)?;
        point_rules::create(c, Some(&actor), &org, &d)?;
        Ok(d.action)
    })
    .await;
    match result {
        Ok(action) => Ok(crate::pages::done(
            &format!("/orgs/{id}/points/rules"),
            &format!("已添加“{action}”"),
        )),
        Err(e) => {
            let ctx = Ctx::new(&s, "points").refusal(e, &kept)?;
            rules_page(&state, &s, id, input, ctx).await
        }
    }
}

/// Stops or resumes a rule set by the actor's own level or below.
pub async fn toggle_rule(
    State(state): State<AppState>,
    s: Session,
    Path(rule_id): Path<i64>,
    CsrfForm(_, _): CsrfForm<CsrfOnly>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let org_id = crate::pages::write(&state, move |c| {
        let rule = point_rules::get(c, rule_id)?;
        in_scope(&actor, &rule.org_path, "积分事项")?;
        if !actor.can_manage_town(&rule.org_path) {
            return Err(AppError::Forbidden);
        }
        point_rules::set_active(c, &actor, &rule, !rule.active)?;
        Ok(rule.org_id)
    })
    .await?;
    Ok(crate::pages::done(
        &format!("/orgs/{org_id}/points/rules"),
        "已更新",
    ))
}

#[derive(Template)]
#[template(path = "points/point_account.html")]
struct AccountPage {
    ctx: Ctx,
    account: Account,
    org_name: String,
    spendable: i64,
    people: Vec<households::Resident>,
    entries: Vec<Entry>,
    claims: Vec<Claim>,
    can_reverse: bool,
    row: RowInput,
}

/// A person's or household's account; `row` is a refused reversal's reason.
async fn account_page(
    state: &AppState,
    s: &Session,
    id: i64,
    ctx: Ctx,
    row: RowInput,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let page = crate::pages::read(state, move |c| {
        let account = points::account(c, id)?;
        if !matches!(account.kind.as_str(), PERSON | HOUSEHOLD)
            || !actor.can_list_members(&account.org_path)
        {
            return Err(AppError::NotFound("积分账户"));
        }
        let org_name = orgs::require(c, account.org_id)?.name;
        let spendable = points::spendable(c, &account)?;
        let (people, entries, claims) = if account.kind == HOUSEHOLD {
            let h = account
                .household_id
                .ok_or_else(|| AppError::Internal("户积分账户没有对应的户".into()))?;
            let people = households::people(c, h)?;
            let mut entries = Vec::new();
            for p in &people {
                entries.extend(points::history(c, p.account_id, 50)?);
            }
            entries.sort_by_key(|e| std::cmp::Reverse(e.id));
            (people, entries, Vec::new())
        } else {
            (
                Vec::new(),
                points::history(c, id, 100)?,
                point_claims::of_account(c, id, 30)?,
            )
        };
        Ok((account, org_name, spendable, people, entries, claims))
    })
    .await?;
    let (account, org_name, spendable, people, entries, claims) = page;
    let status = ctx.status();
    let p = AccountPage {
        ctx,
        can_reverse: s.actor.can_manage_town(&account.org_path),
        account,
        org_name,
        spendable,
        people,
        entries,
        claims,
        row,
    };
    render_as(status, &p)
}

pub async fn account(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(&s, "points");
    account_page(&state, &s, id, ctx, RowInput::default()).await
}

/// The account's QR code (a link to its public card), for printing.
pub async fn account_qr(
    State(state): State<AppState>,
    s: Session,
    headers: axum::http::HeaderMap,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let code = blocking(&state, move |st| {
        let a = st.read(|c| points::account(c, id))?;
        match a.code {
            Some(code) if actor.can_list_members(&a.org_path) => Ok(code),
            _ => Err(AppError::NotFound("积分码")),
        }
    })
    .await?;
    let url = crate::pages::public_url(&state, &headers, &format!("/c/{code}"));
    crate::pages::qr_svg(&url, 200)
}

#[derive(Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

/// Reverses one grant or deduction (a town or the county, with a reason).
pub async fn reverse(
    State(state): State<AppState>,
    s: Session,
    Path(entry_id): Path<i64>,
    CsrfForm(f, _): CsrfForm<ReasonForm>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let reason = f.reason.clone();
    let (person, result) = blocking(&state, move |st| {
        let e = st.read(|c| points::entry(c, entry_id))?;
        let person = st.read(|c| points::account(c, e.person_id))?;
        in_scope(&actor, &person.org_path, "积分记录")?;
        if !actor.can_manage_town(&person.org_path) {
            return Err(AppError::Forbidden);
        }
        let result = st.write(|c| point_claims::reverse(c, &actor, entry_id, &reason));
        Ok((person, result))
    })
    .await?;
    match result {
        Ok(_) => Ok(crate::pages::done(
            &format!("/point-accounts/{}", person.id),
            &format!("第{entry_id}号记录已冲正"),
        )),
        Err(e) => {
            let e: AppError = e.into();
            let row = RowInput::of(entry_id, f.reason, &e);
            let ctx = row_refusal(Ctx::new(&s, "points"), e)?;
            account_page(&state, &s, person.id, ctx, row).await
        }
    }
}

#[derive(Template)]
#[template(path = "points/households.html")]
struct HouseholdsPage {
    ctx: Ctx,
    org: Org,
    crumbs: Vec<(i64, String)>,
    list: Vec<households::Household>,
    q: String,
    can_write: bool,
    input: ResidentInput,
    rows: Vec<crate::roster::RowError>,
}

/// What the households page shows besides the list: the search, the single-person form as
/// typed, and an import's row report.
#[derive(Default)]
struct HouseholdsView {
    q: String,
    input: ResidentInput,
    rows: Vec<crate::roster::RowError>,
}

async fn households_page(
    state: &AppState,
    s: &Session,
    id: i64,
    view: HouseholdsView,
    ctx: Ctx,
) -> Result<Response, AppError> {
    let query = view.q.clone();
    let (org, crumbs, list) = with_org(state, s, id, move |c, org| {
        Ok(households::list(c, &org.path, &query, 200, 0)?)
    })
    .await?;
    staff(s, &org)?;
    let status = ctx.status();
    let page = HouseholdsPage {
        ctx,
        can_write: s.actor.can_write_member(&org.path),
        org,
        crumbs,
        list,
        q: view.q,
        input: view.input,
        rows: view.rows,
    };
    render_as(status, &page)
}

pub async fn household_list(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Query(q): Query<PageQuery>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(&s, "points");
    let view = HouseholdsView {
        q: q.q,
        ..HouseholdsView::default()
    };
    households_page(&state, &s, id, view, ctx).await
}

/// Adds one resident (and the household when new) at a village organisation.
pub async fn add_resident(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(input, kept): CsrfForm<ResidentInput>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let typed = input.clone();
    let result = blocking(&state, move |st| {
        let vault = st.vault.clone();
        st.write(|c| {
            let org = match visible_org(c, &actor, id) {
                Ok(o) if actor.can_write_member(&o.path) => o,
                _ => return Err(AppError::Forbidden),
            };
            let d = typed.validate()?;
            households::add_resident(c, &vault, Some(&actor), &org, &d)?;
            Ok(d.name)
        })
    })
    .await;
    match result {
        Ok(name) => Ok(crate::pages::done(
            &format!("/orgs/{id}/households"),
            &format!("已登记{name}"),
        )),
        Err(e) => {
            let ctx = Ctx::new(&s, "points").refusal(e, &kept)?;
            let view = HouseholdsView {
                input,
                ..HouseholdsView::default()
            };
            households_page(&state, &s, id, view, ctx).await
        }
    }
}

/// Imports residents from the template; any bad row fails the whole file, every row listed.
pub async fn import_residents(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    form: Multipart,
) -> Result<Response, AppError> {
    // Role and scope before the body: a member, or an organisation outside scope, is refused
    // before a byte of the file is read.
    let org = crate::pages::org_where(&state, &s, id, Actor::can_write_member).await?;
    let rules = crate::pages::read(&state, |c| Ok(xianfeng_store::settings::rules(c)?)).await?;
    let max_mb = rules.upload_max_mb();
    let rule = crate::pages::form::FileRule {
        label: "群众名册文件",
        limit: rules.upload_max_bytes.max(0) as usize,
        too_large: crate::roster::RosterError::TooLarge(max_mb).to_string(),
        endings: &[".xlsx"],
        wrong_type: |name| {
            format!("“{name}”不是 .xlsx 文件，请使用下载的模板（Excel 2007 及以上格式）")
        },
        missing: "请选择要上传的 .xlsx 文件",
    };
    let (name, bytes) = match crate::pages::form::one_file(&s, form, &rule).await? {
        crate::pages::form::Received::File { name, bytes } => (name, bytes),
        crate::pages::form::Received::Refused { error, kept } => {
            let ctx = Ctx::new(&s, "points").refusal(error, &kept)?;
            return households_page(&state, &s, id, HouseholdsView::default(), ctx).await;
        }
    };
    let kept = crate::pages::form::Kept::multipart(&[], &[("file".to_string(), name)]);
    let limits = crate::sheet::SheetLimits::from_rules(&rules);
    // Parsed off the async threads, within the county's bounds; a file past one is refused
    // beside the field, naming the limit.
    let parsed = blocking(&state, move |_| {
        crate::residents::parse_within(&bytes, &limits).map_err(|e| {
            AppError::Invalid(xianfeng_domain::Invalid::one(
                "file",
                "群众名册文件",
                e.to_string(),
            ))
        })
    })
    .await;
    let rows = match parsed {
        Ok(rows) => rows,
        Err(e) => {
            let ctx = Ctx::new(&s, "points").refusal(e, &kept)?;
            return households_page(&state, &s, id, HouseholdsView::default(), ctx).await;
        }
    };
    let actor = s.actor.clone();
    let vault = state.store.vault.clone();
    let result = crate::pages::write(&state, move |c| {
        // Checked again in the transaction that writes.
        let org = match visible_org(c, &actor, org.id) {
            Ok(o) if actor.can_write_member(&o.path) => o,
            _ => return Err(AppError::Forbidden),
        };
        Ok(crate::residents::import(
            c,
            &vault,
            Some(&actor),
            &org,
            &rows,
        )?)
    })
    .await;
    match result {
        Ok(n) => Ok(crate::pages::done(
            &format!("/orgs/{id}/households"),
            &format!("已导入{n}人"),
        )),
        Err(AppError::Invalid(e)) => {
            let rows = crate::roster::report(&e);
            let msg = format!(
                "导入未完成：共{}处错误，整表未导入，请改正后重新上传",
                rows.len()
            );
            // The rows' messages are listed on the page; they name cells, not form fields.
            let ctx = Ctx::new(&s, "points").refused(StatusCode::UNPROCESSABLE_ENTITY, msg, &kept);
            let view = HouseholdsView {
                rows,
                ..HouseholdsView::default()
            };
            households_page(&state, &s, id, view, ctx).await
        }
        Err(e) => {
            let ctx = Ctx::new(&s, "points").refusal(e, &kept)?;
            households_page(&state, &s, id, HouseholdsView::default(), ctx).await
        }
    }
}

pub async fn resident_template(
    State(state): State<AppState>,
    s: Session,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let bytes = crate::pages::read(&state, move |c| {
        let scope = orgs::require(c, actor.scope_org_id)?;
        let names: Vec<String> = orgs::qualified_branch_names(c, &scope)?
            .into_iter()
            .map(|(_, n)| n)
            .collect();
        Ok(crate::residents::template(&names)?)
    })
    .await?;
    Ok(crate::pages::download(
        "群众名册导入模板.xlsx",
        crate::pages::XLSX,
        bytes,
    ))
}

/// Members' own page: their points card.
pub async fn mine(State(state): State<AppState>, s: Session) -> Result<Response, AppError> {
    let member = s
        .actor
        .member_id
        .ok_or_else(|| AppError::Conflict("只有党员账号有个人积分".into()))?;
    let code = blocking(&state, move |st| {
        let a = st.write(|c| points::member_account(c, member))?;
        a.code.ok_or(StoreError::NotFound("积分码").into())
    })
    .await?;
    Ok(Redirect::to(&format!("/c/{code}")).into_response())
}
