//! Campaign pages: the list, a campaign's progress (categories, ranking, red/yellow/green
//! list), adding tasks, publishing a plan draft, and an assignee's task page with its
//! append-only progress reports and evidence.

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::campaign::{
    fmt_quantity, Among, Comparator, Measure, MeasureKind, ReportInput, Target,
};
use xianfeng_domain::org::Org;
use xianfeng_domain::{date, path};
use xianfeng_store::campaigns::{self, Assignment, Campaign, Phase, Report, Share, Standing, Task};
use xianfeng_store::{people::orgs, plans::publish};

use super::{field, render, render_form, CsrfOnly, Ctx, FieldErrors, Pairs};
use crate::session::Session;
use crate::{AppError, AppState};

fn staff(s: &Session) -> Result<(), AppError> {
    if s.actor.role == xianfeng_domain::auth::Role::Member {
        Err(AppError::Forbidden)
    } else {
        Ok(())
    }
}

#[derive(Template)]
#[template(path = "campaigns.html")]
struct ListPage {
    ctx: Ctx,
    items: Vec<Campaign>,
    can_create: bool,
    year: i32,
    error: String,
}

pub async fn list(State(state): State<AppState>, s: Session) -> Result<Response, AppError> {
    staff(&s)?;
    let scope = s.actor.scope_path.clone();
    let items = super::read(&state, move |c| Ok(campaigns::visible(c, &scope)?)).await?;
    render(&ListPage {
        ctx: Ctx::new(&s, "campaigns"),
        can_create: s.actor.can_manage_town(&s.actor.scope_path),
        items,
        year: publish::this_year(),
        error: String::new(),
    })
}

/// Creates an empty campaign at the actor's organisation (tasks are added on its page).
pub async fn create(
    State(state): State<AppState>,
    s: Session,
    Form(f): Form<Pairs>,
) -> Result<Response, AppError> {
    s.check_csrf(&field(&f, "_csrf"))?;
    if !s.actor.can_manage_town(&s.actor.scope_path) {
        return Err(AppError::Forbidden);
    }
    let actor = s.actor.clone();
    let (title, year) = (field(&f, "title"), field(&f, "year"));
    let result = super::write(&state, move |c| {
        let year = year.trim().parse::<i64>().unwrap_or(0);
        let org = orgs::require(c, actor.scope_org_id)?;
        Ok(campaigns::create(c, &actor, &org, &title, year, None, &[])?)
    })
    .await;
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/campaigns/{id}")).into_response()),
        Err(AppError::Invalid(e)) => {
            let scope = s.actor.scope_path.clone();
            let items = super::read(&state, move |c| Ok(campaigns::visible(c, &scope)?)).await?;
            render_form(
                &ListPage {
                    ctx: Ctx::new(&s, "campaigns"),
                    can_create: true,
                    items,
                    year: publish::this_year(),
                    error: e.to_string(),
                },
                true,
            )
        }
        Err(e) => Err(e),
    }
}

/// Publishes a reviewed plan draft as a campaign of the draft's organisation.
pub async fn publish_draft(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    s.check_csrf(&f._csrf)?;
    staff(&s)?;
    let actor = s.actor.clone();
    let campaign = super::write(&state, move |c| {
        let d = super::plans::visible(c, &actor, id)?;
        if !actor.can_manage_town(&d.org_path) {
            return Err(AppError::Forbidden);
        }
        let org = orgs::require(c, d.org_id)?;
        Ok(publish::publish(c, &actor, &org, &d, publish::this_year())?)
    })
    .await?;
    Ok(Redirect::to(&format!("/campaigns/{campaign}")).into_response())
}

/// The organisation a campaign is seen from: the campaign's own when the actor is above it,
/// else the actor's scope (a town or branch sees its part).
fn view_root(
    c: &mut dyn xianfeng_store::Conn,
    actor: &Actor,
    camp: &Campaign,
) -> xianfeng_store::Result<Option<Org>> {
    if path::within(&camp.org_path, &actor.scope_path) {
        Ok(Some(orgs::require(c, camp.org_id)?))
    } else if path::within(&actor.scope_path, &camp.org_path) {
        Ok(Some(orgs::require(c, actor.scope_org_id)?))
    } else {
        Ok(None)
    }
}

#[derive(Template)]
#[template(path = "campaign.html")]
struct ShowPage {
    ctx: Ctx,
    camp: Campaign,
    root: Org,
    phases: Vec<Phase>,
    tasks: Vec<Task>,
    categories: Vec<Share>,
    ranking: Vec<(Org, Share)>,
    standings: Vec<Standing>,
    can_manage: bool,
    can_copy: bool,
    next_year: i64,
    children: Vec<(i64, String)>,
    errors: FieldErrors,
    comparators: Vec<&'static str>,
    measures: Vec<&'static str>,
    among: Vec<&'static str>,
}

async fn show_page(
    state: &AppState,
    s: &Session,
    id: i64,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    staff(s)?;
    let actor = s.actor.clone();
    let data = super::read(state, move |c| {
        let Some(camp) = campaigns::get(c, id)? else {
            return Err(AppError::NotFound("活动"));
        };
        let Some(root) = view_root(c, &actor, &camp)? else {
            return Err(AppError::NotFound("活动"));
        };
        let tasks = campaigns::tasks(c, id)?;
        let categories = campaigns::categories(c, &tasks, &root)?;
        let ranking = campaigns::ranking(c, &tasks, &root)?;
        let standings = campaigns::standings(c, id, &tasks, &root.path, date::today(), 300)?;
        let phases = campaigns::phases(c, id)?;
        let children = orgs::children(c, root.id)?
            .into_iter()
            .filter(|o| o.dissolved_on.is_none())
            .map(|o| (o.id, o.name))
            .collect();
        Ok((
            camp, root, phases, tasks, categories, ranking, standings, children,
        ))
    })
    .await?;
    let (camp, root, phases, tasks, categories, ranking, standings, children) = data;
    let failed = errors.any();
    render_form(
        &ShowPage {
            ctx: Ctx::new(s, "campaigns"),
            can_manage: s.actor.can_manage_town(&camp.org_path)
                && camp.open()
                && root.id == camp.org_id,
            can_copy: s.actor.can_manage_town(&camp.org_path) && root.id == camp.org_id,
            next_year: camp.year + 1,
            camp,
            root,
            phases,
            tasks,
            categories,
            ranking,
            standings,
            children,
            errors,
            comparators: Comparator::ALL.iter().map(|c| c.label()).collect(),
            measures: MeasureKind::ALL.iter().map(|c| c.label()).collect(),
            among: Among::ALL.iter().map(|c| c.label()).collect(),
        },
        failed,
    )
}

pub async fn show(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    show_page(&state, &s, id, FieldErrors::default()).await
}

async fn managed(state: &AppState, s: &Session, id: i64) -> Result<Campaign, AppError> {
    let actor = s.actor.clone();
    let camp = super::read(state, move |c| Ok(campaigns::get(c, id)?))
        .await?
        .filter(|c| {
            path::within(&c.org_path, &actor.scope_path)
                || path::within(&actor.scope_path, &c.org_path)
        })
        .ok_or(AppError::NotFound("活动"))?;
    if !s.actor.can_manage_town(&camp.org_path) {
        return Err(AppError::Forbidden);
    }
    Ok(camp)
}

/// Adds a task by hand: one indicator, assigned to the chosen organisations.
pub async fn add_task(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Form(f): Form<Pairs>,
) -> Result<Response, AppError> {
    s.check_csrf(&field(&f, "_csrf"))?;
    let camp = managed(&state, &s, id).await?;
    let result = super::write(&state, move |c| {
        let mut e = xianfeng_domain::error::Collector::default();
        let num =
            |e: &mut xianfeng_domain::error::Collector, k: &str, label: &str, required: bool| {
                let v = xianfeng_domain::text::normalize(&field(&f, k));
                if v.is_empty() && !required {
                    return None;
                }
                match v.parse::<f64>() {
                    Ok(x) if x.is_finite() && x >= 0.0 => Some(x),
                    _ => {
                        e.push(k, label, "应为不小于0的数字");
                        None
                    }
                }
            };
        let quantity = num(&mut e, "quantity", "目标数量", true);
        let quantity_max = num(&mut e, "quantity_max", "目标上限", false);
        let comparator = Comparator::parse(&field(&f, "comparator")).unwrap_or(Comparator::AtLeast);
        let due = field(&f, "due_on");
        let due_on = if due.trim().is_empty() {
            None
        } else {
            let d = date::parse(&due);
            if d.is_none() {
                e.push("due_on", "完成时限", "日期格式应为 2026-11-22");
            }
            d
        };
        let unit = field(&f, "unit");
        if unit.trim().is_empty() || unit.chars().count() > 10 {
            e.push("unit", "单位", "应为1–10个字，如：个、户、%");
        }
        let mut assignees: Vec<i64> = f
            .iter()
            .filter(|(k, _)| k == "org")
            .filter_map(|(_, v)| v.parse().ok())
            .collect();
        if field(&f, "self") == "1" {
            assignees.push(camp.org_id);
        }
        let kind = field(&f, "measure");
        let measure = match Measure::parse(
            if kind.trim().is_empty() {
                "上报数量"
            } else {
                &kind
            },
            &field(&f, "source"),
            &field(&f, "among"),
        ) {
            Ok(m) => m,
            Err(inv) => {
                for fe in inv.0 {
                    e.push(&fe.field, &fe.label, fe.message);
                }
                Measure::Reported
            }
        };
        e.finish(())?;
        let target = Target {
            quantity: quantity.unwrap_or(0.0),
            quantity_max,
            unit: unit.trim().to_string(),
            comparator: if quantity_max.is_some() {
                Comparator::Between
            } else {
                comparator
            },
        };
        let title = field(&f, "title");
        Ok(campaigns::add_task(
            c,
            &camp,
            &campaigns::NewTask {
                category: field(&f, "category"),
                title: title.clone(),
                detail: field(&f, "detail"),
                lead: field(&f, "lead"),
                due_on,
                indicators: vec![(title, target, measure)],
                assignees,
            },
        )?)
    })
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{id}")).into_response()),
        Err(AppError::Invalid(e)) => show_page(&state, &s, id, FieldErrors::from_invalid(&e)).await,
        Err(e) => Err(e),
    }
}

/// Replaces the phases: rows `name{i}`, `starts{i}`, `ends{i}`; blank rows are dropped.
pub async fn phases(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Form(f): Form<Pairs>,
) -> Result<Response, AppError> {
    s.check_csrf(&field(&f, "_csrf"))?;
    let camp = managed(&state, &s, id).await?;
    let list: Vec<Phase> = (0..8)
        .map(|i| Phase {
            name: field(&f, &format!("name{i}")),
            starts: field(&f, &format!("starts{i}")),
            ends: field(&f, &format!("ends{i}")),
        })
        .filter(|p| {
            !(p.name.trim().is_empty() && p.starts.trim().is_empty() && p.ends.trim().is_empty())
        })
        .collect();
    let actor = s.actor.clone();
    let result = super::write(&state, move |c| {
        Ok(campaigns::set_phases(c, &actor, &camp, &list)?)
    })
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/campaigns/{id}")).into_response()),
        Err(AppError::Invalid(e)) => show_page(&state, &s, id, FieldErrors::from_invalid(&e)).await,
        Err(e) => Err(e),
    }
}

/// Starts next year's edition from this campaign.
pub async fn copy(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Form(f): Form<Pairs>,
) -> Result<Response, AppError> {
    s.check_csrf(&field(&f, "_csrf"))?;
    let camp = managed(&state, &s, id).await?;
    let actor = s.actor.clone();
    let year = field(&f, "year").trim().parse::<i64>().unwrap_or(0);
    let result = super::write(&state, move |c| {
        Ok(campaigns::copy(c, &actor, &camp, year)?)
    })
    .await;
    match result {
        Ok(new) => Ok(Redirect::to(&format!("/campaigns/{new}")).into_response()),
        Err(AppError::Invalid(e)) => show_page(&state, &s, id, FieldErrors::from_invalid(&e)).await,
        Err(e) => Err(e),
    }
}

pub async fn close(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Form(f): Form<CsrfOnly>,
) -> Result<Response, AppError> {
    s.check_csrf(&f._csrf)?;
    let camp = managed(&state, &s, id).await?;
    let actor = s.actor.clone();
    super::write(&state, move |c| Ok(campaigns::close(c, &actor, &camp)?)).await?;
    Ok(Redirect::to(&format!("/campaigns/{id}")).into_response())
}

/// One indicator of an assignment with its current figure.
pub struct IndicatorRow {
    pub id: i64,
    pub label: String,
    pub target: String,
    pub current: String,
    pub pct: i64,
    pub colour: &'static str,
    pub status: String,
    /// How a computed figure is obtained (empty for reported ones).
    pub basis: String,
}

#[derive(Template)]
#[template(path = "assignment.html")]
struct AssignmentPage {
    ctx: Ctx,
    a: Assignment,
    camp: Campaign,
    task: Task,
    rows: Vec<IndicatorRow>,
    history: Vec<Report>,
    can_report: bool,
    errors: FieldErrors,
    input: ReportInput,
    notice: String,
}

async fn load_assignment(
    state: &AppState,
    s: &Session,
    id: i64,
) -> Result<(Assignment, Campaign, Task, Vec<(i64, f64)>, Vec<Report>), AppError> {
    let actor = s.actor.clone();
    super::read(state, move |c| {
        let Some(a) = campaigns::assignment(c, id)? else {
            return Err(AppError::NotFound("任务"));
        };
        if actor.role == xianfeng_domain::auth::Role::Member
            || !path::within(&a.org_path, &actor.scope_path)
        {
            return Err(AppError::NotFound("任务"));
        }
        let camp = campaigns::get(c, a.campaign_id)?
            .ok_or(xianfeng_store::StoreError::NotFound("活动"))?;
        let task = campaigns::tasks(c, a.campaign_id)?
            .into_iter()
            .find(|t| t.id == a.task_id)
            .ok_or(xianfeng_store::StoreError::NotFound("任务"))?;
        let now = campaigns::current(c, a.id)?;
        let history = campaigns::history(c, a.id)?;
        Ok((a, camp, task, now, history))
    })
    .await
}

async fn assignment_page(
    state: &AppState,
    s: &Session,
    id: i64,
    errors: FieldErrors,
    input: ReportInput,
    notice: &str,
) -> Result<Response, AppError> {
    let (a, camp, task, now, history) = load_assignment(state, s, id).await?;
    let today = date::today();
    let rows: Vec<IndicatorRow> = task
        .indicators
        .iter()
        .map(|i| {
            let v = now.iter().find(|(id, _)| *id == i.id).map(|(_, v)| *v);
            let st = xianfeng_domain::campaign::task_status(&i.target, v, task.due(), today);
            IndicatorRow {
                id: i.id,
                label: i.label.clone(),
                target: i.target.describe(),
                current: v.map(fmt_quantity).unwrap_or_else(|| "未报送".into()),
                pct: v.map_or(0, |v| i.target.percent(v)),
                colour: st.colour(),
                status: st.label().into(),
                basis: if i.measure.computed() {
                    i.measure.describe()
                } else {
                    String::new()
                },
            }
        })
        .collect();
    let failed = errors.any();
    let reportable = rows.iter().any(|r: &IndicatorRow| r.basis.is_empty());
    render_form(
        &AssignmentPage {
            ctx: Ctx::new(s, "campaigns"),
            can_report: s.actor.can_record_life(&a.org_path) && camp.open() && reportable,
            a,
            camp,
            task,
            rows,
            history,
            errors,
            input,
            notice: notice.into(),
        },
        failed,
    )
}

pub async fn assignment(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    assignment_page(
        &state,
        &s,
        id,
        FieldErrors::default(),
        ReportInput::default(),
        "",
    )
    .await
}

/// Appends a progress report (multipart: indicator, quantity, narrative, evidence files).
pub async fn report(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    form: Multipart,
) -> Result<Response, AppError> {
    let (fields, files) = super::read_multipart(form, "evidence").await?;
    s.check_csrf(&field(&fields, "_csrf"))?;
    let (a, _, task, _, _) = load_assignment(&state, &s, id).await?;
    if !s.actor.can_record_life(&a.org_path) {
        return Err(AppError::Forbidden);
    }
    let input = ReportInput {
        quantity: field(&fields, "quantity"),
        narrative: field(&fields, "narrative"),
    };
    let indicator_id: i64 = field(&fields, "indicator").parse().unwrap_or(0);
    let actor = s.actor.clone();
    let i2 = input.clone();
    let result = super::write(&state, move |c| {
        let reported = || task.indicators.iter().filter(|i| !i.measure.computed());
        let Some(ind) = reported()
            .find(|i| i.id == indicator_id)
            .or(reported().next())
        else {
            return Err(xianfeng_domain::Invalid::one("indicator", "指标", "请选择指标").into());
        };
        let draft = i2.validate(&ind.target)?;
        let evidence = super::checked_evidence(c, &files)?;
        Ok(campaigns::report(c, &actor, &a, ind, &draft, &evidence)?)
    })
    .await;
    match result {
        Ok(_) => {
            assignment_page(
                &state,
                &s,
                id,
                FieldErrors::default(),
                ReportInput::default(),
                "进展已报送。",
            )
            .await
        }
        Err(AppError::Invalid(e)) => {
            assignment_page(&state, &s, id, FieldErrors::from_invalid(&e), input, "").await
        }
        Err(e) => Err(e),
    }
}

pub async fn evidence(
    State(state): State<AppState>,
    s: Session,
    Path((id, sha)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let (a, ..) = load_assignment(&state, &s, id).await?;
    super::attached_file(&state, sha, "附件", move |c, sha| {
        campaigns::has_evidence(c, a.id, sha)
    })
    .await
}
