//! 督查 pages: a subtree's inspections and problem ledger, recording an inspection with the
//! problems it found, an item's history with its next steps (rectify with evidence, verify or
//! return, record a talk), and the county's escalation ladder.

use askama::Template;
use axum::extract::{Multipart, Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xianfeng_domain::cadence::SUPERVISION;
use xianfeng_domain::date;
use xianfeng_domain::org::{Org, OrgKind};
use xianfeng_domain::supervision::{
    EscalationLevel, Escalator, InspectionInput, ProblemAction, ProblemInput,
};
use xianfeng_store::campaigns::supervision::{self, Counts, Filter, Inspection, Problem, Step};
use xianfeng_store::life::compliance::Summary;
use xianfeng_store::{life::compliance, people::orgs};

use crate::pages::form::{empty_as_none, CsrfForm};
use crate::pages::shared::with_org;
use crate::pages::{field, render_as, CsrfOnly, Ctx, FieldErrors, Pairs};
use crate::session::Session;
use crate::{blocking, AppError, AppState};

fn staff(s: &Session) -> Result<(), AppError> {
    if s.actor.role == xianfeng_domain::auth::Role::Member {
        Err(AppError::Forbidden)
    } else {
        Ok(())
    }
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    pub show: String,
}

fn filter_of(show: &str) -> Filter {
    match show {
        "overdue" => Filter::Overdue,
        "closed" => Filter::Closed,
        "all" => Filter::All,
        _ => Filter::Unclosed,
    }
}

#[derive(Template)]
#[template(path = "campaigns/supervision.html")]
struct Page {
    ctx: Ctx,
    org: Org,
    crumbs: Vec<(i64, String)>,
    today: chrono::NaiveDate,
    counts: Counts,
    rule: Option<Summary>,
    inspections: Vec<Inspection>,
    problems: Vec<Problem>,
    show: String,
    targets: Vec<(i64, String)>,
    can_inspect: bool,
    errors: FieldErrors,
    input: InspectionInput,
    problem: ProblemInput,
    target_id: Option<i64>,
}

impl Page {
    /// Whether `id` is the target chosen on the form.
    fn picked(&self, id: i64) -> bool {
        self.target_id == Some(id)
    }
}

/// The inspection form as typed (or as first shown).
struct Form1 {
    errors: FieldErrors,
    input: InspectionInput,
    problem: ProblemInput,
    target_id: Option<i64>,
}

/// The supervision page, with `ctx` built by the caller (a plain view, or a refused inspection
/// shown again with what was typed).
async fn page(
    state: &AppState,
    s: &Session,
    ctx: Ctx,
    id: i64,
    show: String,
    form: Form1,
) -> Result<Response, AppError> {
    staff(s)?;
    let today = date::today();
    let filter = filter_of(&show);
    let (org, crumbs, (counts, rule, inspections, problems, targets)) =
        with_org(state, s, id, move |c, org| {
            let rule = compliance::summary(c, org, today)?
                .into_iter()
                .find(|x| x.rule.activity == SUPERVISION && x.bound > 0);
            let targets = orgs::indented(
                org,
                orgs::active_in(c, org, 3000)?
                    .into_iter()
                    .filter(|o| o.id != org.id && o.kind != OrgKind::Group),
            );
            Ok((
                supervision::counts(c, org, today)?,
                rule,
                supervision::inspections(c, &org.path, 20)?,
                supervision::problems(c, &org.path, filter, today, 200)?,
                targets,
            ))
        })
        .await?;
    render_as(
        ctx.status(),
        &Page {
            ctx,
            can_inspect: s.actor.scope_org_id == org.id
                && s.actor.can_manage_town(&org.path)
                && !targets.is_empty(),
            org,
            crumbs,
            today,
            counts,
            rule,
            inspections,
            problems,
            show,
            targets,
            errors: form.errors,
            input: form.input,
            problem: form.problem,
            target_id: form.target_id,
        },
    )
}

pub async fn home(s: Session) -> Response {
    Redirect::to(&format!("/orgs/{}/supervision", s.actor.scope_org_id)).into_response()
}

pub async fn show(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Query(q): Query<ListQuery>,
) -> Result<Response, AppError> {
    let form = Form1 {
        errors: FieldErrors::default(),
        input: InspectionInput {
            held_on: date::today().to_string(),
            ..InspectionInput::default()
        },
        problem: ProblemInput::default(),
        target_id: None,
    };
    page(&state, &s, Ctx::new(&s, "supervision"), id, q.show, form).await
}

#[derive(Deserialize, Default)]
pub struct InspectForm {
    #[serde(default, deserialize_with = "empty_as_none")]
    target_id: Option<i64>,
    #[serde(default)]
    held_on: String,
    #[serde(default)]
    inspectors: String,
    #[serde(default)]
    findings: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    deadline: String,
}

/// Records an inspection by the actor's organisation of one below it, with at most one
/// problem typed on the same form (more are added on the inspection's page).
pub async fn inspect(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<InspectForm>,
) -> Result<Response, AppError> {
    let input = InspectionInput {
        held_on: f.held_on,
        inspectors: f.inspectors,
        findings: f.findings,
    };
    let problem = ProblemInput {
        description: f.description,
        deadline: f.deadline,
    };
    let target_id = f.target_id;
    let actor = s.actor.clone();
    let (i2, p2) = (input.clone(), problem.clone());
    let result = crate::pages::write(&state, move |c| {
        let inspector = orgs::require(c, actor.scope_org_id)?;
        if inspector.id != id {
            return Err(AppError::Forbidden);
        }
        let found = match target_id {
            Some(t) => orgs::get(c, t)?,
            None => None,
        };
        let target = match found {
            Some(t) if actor.can_inspect(&t.path) => t,
            _ => {
                return Err(xianfeng_domain::Invalid::one(
                    "target_id",
                    "被督查单位",
                    "请选择本级以下的组织",
                )
                .into())
            }
        };
        let today = date::today();
        let mut errors = Vec::new();
        let d = i2.validate(today).map_err(|e| errors.extend(e.0)).ok();
        let problems = if p2.description.trim().is_empty() && p2.deadline.trim().is_empty() {
            vec![]
        } else {
            match p2.validate(d.as_ref().map_or(today, |d| d.held_on)) {
                Ok(p) => vec![p],
                Err(e) => {
                    errors.extend(e.0);
                    vec![]
                }
            }
        };
        match d {
            Some(d) if errors.is_empty() => Ok(supervision::inspect(
                c, &actor, &inspector, &target, None, &d, &problems,
            )?),
            _ => Err(xianfeng_domain::Invalid(errors).into()),
        }
    })
    .await;
    match result {
        Ok(ins) => Ok(Redirect::to(&format!("/inspections/{ins}")).into_response()),
        Err(e) => {
            let form = Form1 {
                errors: FieldErrors::of(&e),
                input,
                problem,
                target_id,
            };
            let ctx = Ctx::new(&s, "supervision").refusal(e, &kept)?;
            page(&state, &s, ctx, id, String::new(), form).await
        }
    }
}

#[derive(Template)]
#[template(path = "campaigns/inspection.html")]
struct InspectionPage {
    ctx: Ctx,
    i: Inspection,
    problems: Vec<Problem>,
    today: chrono::NaiveDate,
    can_raise: bool,
    errors: FieldErrors,
    problem: ProblemInput,
}

/// An inspection's page, with `ctx` built by the caller (a plain view, or a refused problem
/// shown again with what was typed).
async fn inspection_page(
    state: &AppState,
    s: &Session,
    ctx: Ctx,
    id: i64,
    errors: FieldErrors,
    problem: ProblemInput,
) -> Result<Response, AppError> {
    staff(s)?;
    let actor = s.actor.clone();
    let today = date::today();
    let (i, problems) = crate::pages::read(state, move |c| {
        let Some(i) = supervision::inspection(c, id)? else {
            return Ok(None);
        };
        if !actor.can_read_org(&i.target_path) {
            return Ok(None);
        }
        let problems: Vec<Problem> =
            supervision::problems(c, &i.target_path, Filter::All, today, 500)?
                .into_iter()
                .filter(|p| p.inspection_id == Some(id))
                .collect();
        Ok(Some((i, problems)))
    })
    .await?
    .ok_or(AppError::NotFound("督查记录"))?;
    render_as(
        ctx.status(),
        &InspectionPage {
            ctx,
            can_raise: s.actor.scope_org_id == i.org_id && s.actor.can_inspect(&i.target_path),
            i,
            problems,
            today,
            errors,
            problem,
        },
    )
}

pub async fn inspection(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(&s, "supervision");
    inspection_page(
        &state,
        &s,
        ctx,
        id,
        FieldErrors::default(),
        ProblemInput::default(),
    )
    .await
}

/// Adds a problem found in an inspection (by the inspecting organisation).
pub async fn raise(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(problem, kept): CsrfForm<ProblemInput>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let p2 = problem.clone();
    let result = crate::pages::write(&state, move |c| {
        let i = supervision::inspection(c, id)?
            .ok_or(xianfeng_store::StoreError::NotFound("督查记录"))?;
        if actor.scope_org_id != i.org_id || !actor.can_inspect(&i.target_path) {
            return Err(AppError::Forbidden);
        }
        let found = date::parse(&i.held_on).unwrap_or_else(date::today);
        let d = p2.validate(found)?;
        let raiser = orgs::require(c, i.org_id)?;
        let owner = orgs::require(c, i.target_id)?;
        Ok(supervision::raise(
            c,
            &actor,
            &raiser,
            &owner,
            Some(i.id),
            found,
            &d,
        )?)
    })
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/inspections/{id}")).into_response()),
        Err(e) => {
            let errors = FieldErrors::of(&e);
            let ctx = Ctx::new(&s, "supervision").refusal(e, &kept)?;
            inspection_page(&state, &s, ctx, id, errors, problem).await
        }
    }
}

#[derive(Template)]
#[template(path = "campaigns/problem.html")]
struct ProblemPage {
    ctx: Ctx,
    p: Problem,
    steps: Vec<Step>,
    today: chrono::NaiveDate,
    actions: Vec<&'static str>,
    errors: FieldErrors,
    note: String,
}

async fn load_problem(state: &AppState, s: &Session, id: i64) -> Result<Problem, AppError> {
    staff(s)?;
    let actor = s.actor.clone();
    crate::pages::read(state, move |c| Ok(supervision::problem(c, id)?))
        .await?
        .filter(|p| actor.can_read_org(&p.org_path) || actor.can_read_org(&p.raised_path))
        .ok_or(AppError::NotFound("问题"))
}

/// A ledger item's page, with `ctx` built by the caller (a plain view, a step's notice, or a
/// refused step shown again with what was typed and the files chosen).
async fn problem_page(
    state: &AppState,
    s: &Session,
    ctx: Ctx,
    id: i64,
    errors: FieldErrors,
    note: String,
) -> Result<Response, AppError> {
    let p = load_problem(state, s, id).await?;
    let steps = crate::pages::read(state, move |c| Ok(supervision::steps(c, id)?)).await?;
    let actions = [
        ProblemAction::Submit,
        ProblemAction::Verify,
        ProblemAction::Return,
        ProblemAction::Talk,
    ]
    .into_iter()
    .filter(|a| {
        xianfeng_domain::supervision::next(p.status, *a).is_some()
            && supervision::allowed(&s.actor, &p, *a)
    })
    .map(|a| a.label())
    .collect();
    render_as(
        ctx.status(),
        &ProblemPage {
            ctx,
            p,
            steps,
            today: date::today(),
            actions,
            errors,
            note,
        },
    )
}

pub async fn problem(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(&s, "supervision");
    problem_page(&state, &s, ctx, id, FieldErrors::default(), String::new()).await
}

/// One step on an item (multipart: action, note, evidence files).
pub async fn step(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    form: Multipart,
) -> Result<Response, AppError> {
    // Scope and role before body.
    let p = load_problem(&state, &s, id).await?;
    let crate::pages::form::Upload {
        fields,
        files,
        kept,
    } = match crate::pages::form::Upload::read(&s, form, "evidence").await {
        Ok(u) => u,
        Err(r) => {
            let note = r.kept.get("note").to_string();
            let errors = FieldErrors::of(&r.error);
            let ctx = Ctx::new(&s, "supervision").refusal(r.error, &r.kept)?;
            return problem_page(&state, &s, ctx, id, errors, note).await;
        }
    };
    let note = field(&fields, "note");
    let action = ProblemAction::parse(&field(&fields, "action"));
    let actor = s.actor.clone();
    let n2 = note.clone();
    let result = crate::pages::write(&state, move |c| {
        let Some(action) = action.filter(|a| *a != ProblemAction::Escalate) else {
            return Err(xianfeng_domain::Invalid::one("action", "操作", "请选择操作").into());
        };
        let evidence = crate::pages::checked_evidence(c, &files)?;
        Ok(supervision::act(c, &actor, &p, action, &n2, &evidence)?)
    })
    .await;
    match result {
        Ok(_) => {
            let ctx = Ctx::new(&s, "supervision").with_notice("已保存。");
            problem_page(&state, &s, ctx, id, FieldErrors::default(), String::new()).await
        }
        Err(e) => {
            let errors = FieldErrors::of(&e);
            let ctx = Ctx::new(&s, "supervision").refusal(e, &kept)?;
            problem_page(&state, &s, ctx, id, errors, note).await
        }
    }
}

pub async fn file(
    State(state): State<AppState>,
    s: Session,
    Path((id, sha)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    load_problem(&state, &s, id).await?;
    crate::pages::attached_file(&state, sha, "文件", move |c, sha| {
        supervision::has_file(c, id, sha)
    })
    .await
}

#[derive(Template)]
#[template(path = "campaigns/escalation.html")]
struct LadderPage {
    ctx: Ctx,
    /// Six editable rows: (after days, action, by); blank rows are unused levels.
    rows: Vec<(String, String, &'static str)>,
    escalators: Vec<&'static str>,
}

/// The ladder form, with `ctx` built by the caller (a plain view, a notice, or a refused
/// ladder shown again with what was typed).
fn ladder_page(ctx: Ctx, levels: Vec<EscalationLevel>) -> Result<Response, AppError> {
    render_as(
        ctx.status(),
        &LadderPage {
            ctx,
            rows: (0..6)
                .map(|i| match levels.get(i) {
                    Some(l) => (l.after_days.to_string(), l.action.clone(), l.by.label()),
                    None => (String::new(), String::new(), Escalator::Town.label()),
                })
                .collect(),
            escalators: Escalator::ALL.iter().map(|e| e.label()).collect(),
        },
    )
}

pub async fn ladder(State(state): State<AppState>, s: Session) -> Result<Response, AppError> {
    if !s.actor.is_county_admin() {
        return Err(AppError::Forbidden);
    }
    let levels = blocking(&state, |st| Ok(st.read(supervision::escalation)?)).await?;
    ladder_page(Ctx::new(&s, "settings"), levels)
}

/// Saves the ladder: rows `after{i}`, `action{i}`, `by{i}`; rows left blank are dropped.
pub async fn save_ladder(
    State(state): State<AppState>,
    s: Session,
    CsrfForm(f, kept): CsrfForm<Pairs>,
) -> Result<Response, AppError> {
    if !s.actor.is_county_admin() {
        return Err(AppError::Forbidden);
    }
    let mut levels = Vec::new();
    let mut e = xianfeng_domain::error::Collector::default();
    for i in 0..6 {
        let after = field(&f, &format!("after{i}"));
        let action = field(&f, &format!("action{i}"));
        if after.trim().is_empty() && action.trim().is_empty() {
            continue;
        }
        let after_days = match xianfeng_domain::text::normalize(&after).parse::<i64>() {
            Ok(v) => v,
            Err(_) => {
                e.push(
                    &format!("after_days_{i}"),
                    &format!("第{}级", i + 1),
                    "逾期天数应为整数",
                );
                0
            }
        };
        levels.push(EscalationLevel {
            after_days,
            action: action.trim().to_string(),
            by: Escalator::parse(&field(&f, &format!("by{i}"))).unwrap_or(Escalator::Town),
        });
    }
    let actor = s.actor.clone();
    let l2 = levels.clone();
    let result = match e.finish(()) {
        Err(inv) => Err(AppError::Invalid(inv)),
        Ok(()) => {
            crate::pages::write(&state, move |c| {
                Ok(supervision::save_escalation(c, &actor, &l2)?)
            })
            .await
        }
    };
    let ctx = match result {
        Ok(()) => Ctx::new(&s, "settings").with_notice("已保存。"),
        Err(e) => Ctx::new(&s, "settings").refusal(e, &kept)?,
    };
    ladder_page(ctx, levels)
}

/// Runs the escalation now (it also runs in the background); county only.
pub async fn escalate_now(
    State(state): State<AppState>,
    s: Session,
    CsrfForm(_, _): CsrfForm<CsrfOnly>,
) -> Result<Response, AppError> {
    if !s.actor.is_county_admin() {
        return Err(AppError::Forbidden);
    }
    let n = crate::pages::write(&state, move |c| {
        Ok(supervision::escalate(c, date::today())?)
    })
    .await?;
    let levels = blocking(&state, |st| Ok(st.read(supervision::escalation)?)).await?;
    ladder_page(
        Ctx::new(&s, "settings").with_notice(format!("已升级{n}项。")),
        levels,
    )
}

#[derive(Template)]
#[template(path = "campaigns/titles.html")]
struct TitlesPage {
    ctx: Ctx,
    org: Org,
    crumbs: Vec<(i64, String)>,
    titles: Vec<xianfeng_store::campaigns::measures::Title>,
    targets: Vec<(i64, String)>,
    can_grant: bool,
    year: i32,
}

/// The honours page, with `ctx` built by the caller (a plain view, or a refused grant shown
/// again with what was typed).
async fn titles_page(
    state: &AppState,
    s: &Session,
    ctx: Ctx,
    id: i64,
) -> Result<Response, AppError> {
    staff(s)?;
    let (org, crumbs, (titles, targets)) = with_org(state, s, id, |c, org| {
        let targets = orgs::indented(
            org,
            orgs::active_in(c, org, 3000)?
                .into_iter()
                .filter(|o| o.kind != OrgKind::Group),
        );
        Ok((
            xianfeng_store::campaigns::measures::titles(c, &org.path, 500)?,
            targets,
        ))
    })
    .await?;
    render_as(
        ctx.status(),
        &TitlesPage {
            ctx,
            can_grant: s.actor.can_manage_town(&org.path) && s.actor.scope_org_id == org.id,
            org,
            crumbs,
            titles,
            targets,
            year: chrono::Datelike::year(&date::today()),
        },
    )
}

pub async fn titles(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    titles_page(&state, &s, Ctx::new(&s, "supervision"), id).await
}

#[derive(Deserialize, Default)]
pub struct GrantForm {
    #[serde(default, deserialize_with = "empty_as_none")]
    org_id: Option<i64>,
    #[serde(default)]
    title: String,
    #[serde(default)]
    year: String,
}

/// Records an honour for an organisation in the actor's subtree.
pub async fn grant(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<GrantForm>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let GrantForm {
        org_id: target,
        title,
        year,
    } = f;
    let result = crate::pages::write(&state, move |c| {
        let granter = orgs::require(c, actor.scope_org_id)?;
        if granter.id != id || !actor.can_manage_town(&granter.path) {
            return Err(AppError::Forbidden);
        }
        let found = match target {
            Some(t) => orgs::get(c, t)?,
            None => None,
        };
        let org = match found {
            Some(o) if actor.can_read_org(&o.path) => o,
            _ => {
                return Err(
                    xianfeng_domain::Invalid::one("org_id", "获得单位", "请选择组织").into(),
                )
            }
        };
        let year = match year.trim().parse::<i64>() {
            Ok(y) if (2000..=2100).contains(&y) => y,
            _ => {
                return Err(
                    xianfeng_domain::Invalid::one("year", "年度", "应为年份，如2026").into(),
                )
            }
        };
        Ok(xianfeng_store::campaigns::measures::grant(
            c,
            &actor,
            &granter,
            &org,
            &title,
            year,
            date::today(),
        )?)
    })
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/orgs/{id}/titles")).into_response()),
        Err(e) => {
            let ctx = Ctx::new(&s, "supervision").refusal(e, &kept)?;
            titles_page(&state, &s, ctx, id).await
        }
    }
}

/// Withdraws an honour (the granting level or above).
pub async fn revoke(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(_, _): CsrfForm<CsrfOnly>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    crate::pages::write(&state, move |c| {
        let t = xianfeng_store::campaigns::measures::title(c, id)?
            .ok_or(xianfeng_store::StoreError::NotFound("荣誉"))?;
        let org = orgs::require(c, t.org_id)?;
        // outside the subtree: the same answer as no such honour
        if !actor.can_read_org(&org.path) {
            return Err(AppError::NotFound("荣誉"));
        }
        if !actor.can_manage_town(&org.path) {
            return Err(AppError::Forbidden);
        }
        xianfeng_store::campaigns::measures::revoke(c, &actor, &t, &org)?;
        Ok(())
    })
    .await?;
    Ok(Redirect::to(&format!("/orgs/{}/titles", s.actor.scope_org_id)).into_response())
}
