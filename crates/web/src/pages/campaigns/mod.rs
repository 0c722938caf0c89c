//! Campaign pages: the list, a campaign's progress (categories, ranking, red/yellow/green
//! list), adding tasks, publishing a plan draft, and an assignee's task page with its
//! append-only progress reports and evidence.

pub mod bulletin;
pub mod completion;
pub mod supervision;

use askama::Template;
use axum::extract::{Multipart, Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::cadence::{Frequency, Period};
use xianfeng_domain::campaign::{
    fmt_quantity, Among, Comparator, Measure, MeasureKind, ReportInput, Target,
};
use xianfeng_domain::org::Org;
use xianfeng_domain::{date, path};
use xianfeng_store::campaigns::{self, Assignment, Campaign, Phase, Report, Share, Standing, Task};
use xianfeng_store::{people::orgs, plans::publish, plans::rules};

use crate::pages::form::{CsrfForm, Kept};
use crate::pages::{field, render_as, CsrfOnly, Ctx, FieldErrors, Pairs};
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
#[template(path = "campaigns/campaigns.html")]
struct ListPage {
    ctx: Ctx,
    items: Vec<Campaign>,
    can_create: bool,
    year: i32,
}

/// The campaigns the actor sees, with `ctx` built by the caller (a plain view, or a refused
/// form shown again with what was typed).
async fn list_page(state: &AppState, s: &Session, ctx: Ctx) -> Result<Response, AppError> {
    staff(s)?;
    let scope = s.actor.scope_path.clone();
    let items = crate::pages::read(state, move |c| Ok(campaigns::visible(c, &scope)?)).await?;
    render_as(
        ctx.status(),
        &ListPage {
            ctx,
            can_create: s.actor.can_manage_town(&s.actor.scope_path),
            items,
            year: publish::this_year(),
        },
    )
}

pub async fn list(State(state): State<AppState>, s: Session) -> Result<Response, AppError> {
    list_page(&state, &s, Ctx::new(&s, "campaigns")).await
}

/// A year typed into a form: a number, or refused with the field named.
fn typed_year(raw: &str, message: &str) -> Result<i64, xianfeng_domain::Invalid> {
    xianfeng_domain::text::normalize(raw)
        .parse::<i64>()
        .map_err(|_| xianfeng_domain::Invalid::one("year", "年度", message))
}

#[derive(Deserialize, Default)]
pub struct CreateForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    year: String,
}

/// Creates an empty campaign at the actor's organisation (tasks are added on its page).
pub async fn create(
    State(state): State<AppState>,
    s: Session,
    CsrfForm(f, kept): CsrfForm<CreateForm>,
) -> Result<Response, AppError> {
    if !s.actor.can_manage_town(&s.actor.scope_path) {
        return Err(AppError::Forbidden);
    }
    let actor = s.actor.clone();
    let result = crate::pages::write(&state, move |c| {
        let year = typed_year(&f.year, "应为2000–2100之间的年份")?;
        let org = orgs::require(c, actor.scope_org_id)?;
        Ok(campaigns::create(
            c,
            &actor,
            &org,
            &f.title,
            year,
            None,
            &[],
        )?)
    })
    .await;
    match result {
        Ok(id) => Ok(Redirect::to(&format!("/campaigns/{id}")).into_response()),
        Err(e) => {
            let ctx = Ctx::new(&s, "campaigns").refusal(e, &kept)?;
            list_page(&state, &s, ctx).await
        }
    }
}

/// Publishes a reviewed plan draft as a campaign of the draft's organisation. A draft already
/// published is not published again: the campaign is shown, and the review page offers to
/// update it.
pub async fn publish_draft(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(_, _): CsrfForm<CsrfOnly>,
) -> Result<Response, AppError> {
    staff(&s)?;
    let actor = s.actor.clone();
    let (campaign, fresh) = crate::pages::write(&state, move |c| {
        let d = crate::pages::plans::visible(c, &actor, id)?;
        if !actor.can_manage_town(&d.org_path) {
            return Err(AppError::Forbidden);
        }
        if let Some(existing) = d.campaign_id {
            return Ok((existing, false));
        }
        let org = orgs::require(c, d.org_id)?;
        Ok((
            publish::publish(c, &actor, &org, &d, publish::this_year())?.campaign_id,
            true,
        ))
    })
    .await?;
    if fresh {
        Ok(Redirect::to(&format!("/campaigns/{campaign}")).into_response())
    } else {
        Ok(crate::pages::done(
            &format!("/campaigns/{campaign}"),
            "该草稿已发布为本活动，没有重复发布；如草稿有修改，请在草稿页选择“更新活动”。",
        ))
    }
}

/// Updates a published draft's campaign: new items become tasks, removed ones are listed.
pub async fn update_from_draft(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(_, _): CsrfForm<CsrfOnly>,
) -> Result<Response, AppError> {
    staff(&s)?;
    let actor = s.actor.clone();
    let done = crate::pages::write(&state, move |c| {
        let d = crate::pages::plans::visible(c, &actor, id)?;
        if !actor.can_manage_town(&d.org_path) {
            return Err(AppError::Forbidden);
        }
        Ok(publish::update(c, &actor, &d)?)
    })
    .await?;
    let mut notice = format!("活动已更新：新增{}项任务", done.added.len());
    if !done.removed.is_empty() {
        notice.push_str(&format!(
            "；草稿中已没有的{}项任务标为已删除：{}",
            done.removed.len(),
            done.removed.join("、")
        ));
    }
    Ok(crate::pages::done(
        &format!("/campaigns/{}", done.campaign_id),
        &notice,
    ))
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
#[template(path = "campaigns/campaign.html")]
struct ShowPage {
    ctx: Ctx,
    camp: Campaign,
    root: Org,
    phases: Vec<Phase>,
    tasks: Vec<Task>,
    categories: Vec<Share>,
    ranking: Vec<(Org, Share)>,
    standings: Vec<Standing>,
    /// Completion reports the actor may accept: (assignment, organisation, task).
    awaiting: Vec<(i64, String, String)>,
    can_manage: bool,
    can_copy: bool,
    next_year: i64,
    children: Vec<(i64, String)>,
    errors: FieldErrors,
    /// The phases form was refused: show it open.
    phases_refused: bool,
    comparators: Vec<&'static str>,
    measures: Vec<&'static str>,
    among: Vec<&'static str>,
    /// The rules the campaign's plan made and its kept rankings (`campaign_rules.html`).
    plan_rules: PlanRules,
}

/// What `campaign_rules.html` shows: each cadence rule of the campaign with its 红黄绿, the
/// kept quarterly rankings, the schemes offered to rounds, and the ranking form.
struct PlanRules {
    standings: Vec<rules::RuleStanding>,
    rankings: Vec<rules::KeptRanking>,
    schemes: Vec<String>,
    quarter: String,
    can_rank: bool,
}

impl PlanRules {
    fn read(
        c: &mut dyn xianfeng_store::Conn,
        camp: &Campaign,
        root: &Org,
    ) -> xianfeng_store::Result<PlanRules> {
        let today = date::today();
        Ok(PlanRules {
            standings: rules::compliance(c, camp, &root.path, today)?,
            rankings: rules::rankings(c, camp.id)?,
            schemes: rules::schemes(c, camp.id)?
                .into_iter()
                .map(|s| s.name)
                .collect(),
            quarter: Period::containing(Frequency::Quarterly, today).key(),
            can_rank: false,
        })
    }

    fn is_empty(&self) -> bool {
        self.standings.is_empty() && self.rankings.is_empty() && self.schemes.is_empty()
    }
}

/// A campaign's page, with `ctx` built by the caller (a plain view, or a refused form with its
/// field messages).
async fn show_page(
    state: &AppState,
    s: &Session,
    id: i64,
    ctx: Ctx,
    errors: FieldErrors,
) -> Result<Response, AppError> {
    staff(s)?;
    let actor = s.actor.clone();
    let data = crate::pages::read(state, move |c| {
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
        let awaiting: Vec<(i64, String, String)> = campaigns::completion::awaiting(c, &actor, id)?
            .into_iter()
            .map(|a| {
                let task = tasks
                    .iter()
                    .find(|t| t.id == a.task_id)
                    .map(|t| t.title.clone())
                    .unwrap_or_default();
                (a.id, a.org_name, task)
            })
            .collect();
        let plan_rules = PlanRules::read(c, &camp, &root)?;
        let children = orgs::children(c, root.id)?
            .into_iter()
            .filter(|o| o.dissolved_on.is_none())
            .map(|o| (o.id, o.name))
            .collect();
        Ok((
            camp,
            root,
            phases,
            tasks,
            categories,
            ranking,
            (standings, awaiting),
            children,
            plan_rules,
        ))
    })
    .await?;
    let (
        camp,
        root,
        phases,
        tasks,
        categories,
        ranking,
        (standings, awaiting),
        children,
        mut plan_rules,
    ) = data;
    plan_rules.can_rank = s.actor.can_manage_town(&camp.org_path) && root.id == camp.org_id;
    render_as(
        ctx.status(),
        &ShowPage {
            ctx,
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
            awaiting,
            children,
            phases_refused: errors.0.iter().any(|(f, _)| {
                ["name", "starts", "ends"].iter().any(|p| {
                    f.strip_prefix(p)
                        .is_some_and(|i| i.parse::<usize>().is_ok())
                })
            }),
            errors,
            comparators: Comparator::ALL.iter().map(|c| c.label()).collect(),
            measures: MeasureKind::ALL.iter().map(|c| c.label()).collect(),
            among: Among::ALL.iter().map(|c| c.label()).collect(),
            plan_rules,
        },
    )
}

pub async fn show(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    show_page(
        &state,
        &s,
        id,
        Ctx::new(&s, "campaigns"),
        FieldErrors::default(),
    )
    .await
}

/// The campaign's page again after a refused form: what was typed put back, each field's
/// message beside its field.
async fn show_refused(
    state: &AppState,
    s: &Session,
    id: i64,
    e: AppError,
    kept: &Kept,
) -> Result<Response, AppError> {
    let errors = FieldErrors::of(&e);
    let ctx = Ctx::new(s, "campaigns").refusal(e, kept)?;
    show_page(state, s, id, ctx, errors).await
}

async fn managed(state: &AppState, s: &Session, id: i64) -> Result<Campaign, AppError> {
    let actor = s.actor.clone();
    let camp = crate::pages::read(state, move |c| Ok(campaigns::get(c, id)?))
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

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TaskForm {
    category: String,
    title: String,
    detail: String,
    lead: String,
    comparator: String,
    quantity: String,
    quantity_max: String,
    unit: String,
    measure: String,
    source: String,
    among: String,
    due_on: String,
    /// "1": the campaign's own organisation takes the task too.
    #[serde(rename = "self")]
    own: String,
}

/// A target figure typed into the task form: a number not below 0; `None` when left blank and
/// not required (or refused, with the message collected).
fn figure(
    e: &mut xianfeng_domain::error::Collector,
    raw: &str,
    key: &str,
    label: &str,
    required: bool,
) -> Option<f64> {
    let v = xianfeng_domain::text::normalize(raw);
    if v.is_empty() && !required {
        return None;
    }
    match v.parse::<f64>() {
        Ok(x) if x.is_finite() && x >= 0.0 => Some(x),
        _ => {
            e.push(key, label, "应为不小于0的数字");
            None
        }
    }
}

/// Adds a task by hand: one indicator, assigned to the chosen organisations (`org`, repeated:
/// read from the submitted fields; a value that is not a number is refused, not dropped).
pub async fn add_task(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<TaskForm>,
) -> Result<Response, AppError> {
    let camp = managed(&state, &s, id).await?;
    let picked: Vec<String> = kept
        .fields
        .iter()
        .filter(|(k, _)| k == "org")
        .map(|(_, v)| v.clone())
        .collect();
    let result = crate::pages::write(&state, move |c| {
        let mut e = xianfeng_domain::error::Collector::default();
        let quantity = figure(&mut e, &f.quantity, "quantity", "目标数量", true);
        let quantity_max = figure(&mut e, &f.quantity_max, "quantity_max", "目标上限", false);
        let comparator = Comparator::parse(&f.comparator).unwrap_or(Comparator::AtLeast);
        let due_on = if f.due_on.trim().is_empty() {
            None
        } else {
            let d = date::parse(&f.due_on);
            if d.is_none() {
                e.push("due_on", "完成时限", "日期格式应为 2026-11-22");
            }
            d
        };
        if f.unit.trim().is_empty() || f.unit.chars().count() > 10 {
            e.push("unit", "单位", "应为1–10个字，如：个、户、%");
        }
        let mut assignees: Vec<i64> = Vec::new();
        for v in &picked {
            match v.trim().parse::<i64>() {
                Ok(org) => assignees.push(org),
                Err(_) => {
                    e.push("assignees", "责任单位", "责任单位有误，请重新勾选");
                    break;
                }
            }
        }
        if f.own == "1" {
            assignees.push(camp.org_id);
        }
        let kind = if f.measure.trim().is_empty() {
            "上报数量"
        } else {
            &f.measure
        };
        let measure = match Measure::parse(kind, &f.source, &f.among) {
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
            unit: f.unit.trim().to_string(),
            comparator: if quantity_max.is_some() {
                Comparator::Between
            } else {
                comparator
            },
        };
        Ok(campaigns::add_task(
            c,
            &camp,
            &campaigns::NewTask {
                category: f.category,
                title: f.title.clone(),
                detail: f.detail,
                lead: f.lead,
                due_on,
                indicators: vec![(f.title, target, measure)],
                assignees,
                ..Default::default()
            },
        )?)
    })
    .await;
    match result {
        Ok(_) => Ok(Redirect::to(&format!("/campaigns/{id}")).into_response()),
        Err(e) => show_refused(&state, &s, id, e, &kept).await,
    }
}

/// Replaces the phases: rows `name{i}`, `starts{i}`, `ends{i}`; blank rows are dropped.
pub async fn phases(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<Pairs>,
) -> Result<Response, AppError> {
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
    let result = crate::pages::write(&state, move |c| {
        Ok(campaigns::set_phases(c, &actor, &camp, &list)?)
    })
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/campaigns/{id}")).into_response()),
        Err(e) => show_refused(&state, &s, id, e, &kept).await,
    }
}

#[derive(Deserialize, Default)]
pub struct CopyForm {
    #[serde(default)]
    year: String,
}

/// Starts next year's edition from this campaign.
pub async fn copy(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<CopyForm>,
) -> Result<Response, AppError> {
    let camp = managed(&state, &s, id).await?;
    let actor = s.actor.clone();
    let result = crate::pages::write(&state, move |c| {
        let year = typed_year(&f.year, &format!("应为年份，如{}", camp.year + 1))?;
        Ok(campaigns::copy(c, &actor, &camp, year)?)
    })
    .await;
    match result {
        Ok(new) => Ok(Redirect::to(&format!("/campaigns/{new}")).into_response()),
        Err(e) => show_refused(&state, &s, id, e, &kept).await,
    }
}

pub async fn close(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(_, _): CsrfForm<CsrfOnly>,
) -> Result<Response, AppError> {
    let camp = managed(&state, &s, id).await?;
    let actor = s.actor.clone();
    crate::pages::write(&state, move |c| Ok(campaigns::close(c, &actor, &camp)?)).await?;
    Ok(Redirect::to(&format!("/campaigns/{id}")).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct RankingForm {
    /// `2026-Q4`; empty for the current quarter.
    quarter: String,
}

/// 季评比: keeps the campaign's ranking for a quarter, as its organisation records it.
pub async fn record_ranking(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<RankingForm>,
) -> Result<Response, AppError> {
    let camp = managed(&state, &s, id).await?;
    let actor = s.actor.clone();
    let result = crate::pages::write(&state, move |c| {
        let today = date::today();
        let quarter = if f.quarter.trim().is_empty() {
            Period::containing(Frequency::Quarterly, today)
        } else {
            rules::parse_quarter(&f.quarter)?
        };
        Ok(rules::record_ranking(c, &actor, &camp, quarter, today)?)
    })
    .await;
    match result {
        Ok(_) => Ok(crate::pages::done(
            &format!("/campaigns/{id}"),
            "已记录季度评比",
        )),
        Err(e) => show_refused(&state, &s, id, e, &kept).await,
    }
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
#[template(path = "campaigns/assignment.html")]
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
    /// A 定性 task: reported done, then accepted or returned by the level above.
    qualitative: bool,
    can_report_done: bool,
    can_decide: bool,
    /// The campaign's organisation may name the 第一责任人.
    can_assign: bool,
    candidates: Vec<(i64, String)>,
    responsible: String,
}

pub(crate) async fn load_assignment(
    state: &AppState,
    s: &Session,
    id: i64,
) -> Result<(Assignment, Campaign, Task, Vec<(i64, f64)>, Vec<Report>), AppError> {
    let actor = s.actor.clone();
    crate::pages::read(state, move |c| {
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

/// An assignee's task page, with `ctx` built by the caller (a plain view, a report's notice, or
/// a refused report shown again with what was typed and the files chosen).
pub(crate) async fn assignment_page(
    state: &AppState,
    s: &Session,
    id: i64,
    ctx: Ctx,
    errors: FieldErrors,
    input: ReportInput,
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
    let reportable = rows.iter().any(|r: &IndicatorRow| r.basis.is_empty());
    let qualitative = task.kind == xianfeng_domain::campaign::TaskKind::Qualitative;
    let can_assign = s.actor.can_manage_town(&camp.org_path) && camp.open();
    let (org_path, responsible_id) = (a.org_path.clone(), a.responsible_id);
    let (candidates, responsible) = crate::pages::read(state, move |c| {
        let candidates = if can_assign {
            campaigns::completion::candidates(c, &org_path)?
        } else {
            vec![]
        };
        let responsible = match responsible_id {
            Some(id) => xianfeng_store::people::accounts::get_row(c, id)?
                .map(|r| format!("{}（{}）", r.display_name, r.org_name))
                .unwrap_or_default(),
            None => String::new(),
        };
        Ok((candidates, responsible))
    })
    .await?;
    render_as(
        ctx.status(),
        &AssignmentPage {
            ctx,
            can_report_done: qualitative
                && s.actor.can_report_task(&a.org_path)
                && camp.open()
                && xianfeng_domain::campaign::Review::may_report(a.review),
            can_decide: qualitative
                && camp.open()
                && a.review == Some(xianfeng_domain::campaign::Review::Pending)
                && s.actor.can_accept_task(&camp.org_path, &a.org_path),
            can_assign,
            candidates,
            responsible,
            qualitative,
            can_report: !qualitative
                && s.actor.can_record_life(&a.org_path)
                && camp.open()
                && reportable,
            a,
            camp,
            task,
            rows,
            history,
            errors,
            input,
        },
    )
}

pub async fn assignment(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(&s, "campaigns");
    assignment_page(
        &state,
        &s,
        id,
        ctx,
        FieldErrors::default(),
        ReportInput::default(),
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
    // Scope and role before body.
    let (a, _, task, _, _) = load_assignment(&state, &s, id).await?;
    if !s.actor.can_record_life(&a.org_path) {
        return Err(AppError::Forbidden);
    }
    let crate::pages::form::Upload {
        fields,
        files,
        kept,
    } = match crate::pages::form::Upload::read(&s, form, "evidence").await {
        Ok(u) => u,
        Err(r) => {
            let input = ReportInput {
                quantity: r.kept.get("quantity").to_string(),
                narrative: r.kept.get("narrative").to_string(),
            };
            let errors = FieldErrors::of(&r.error);
            let ctx = Ctx::new(&s, "campaigns").refusal(r.error, &r.kept)?;
            return assignment_page(&state, &s, id, ctx, errors, input).await;
        }
    };
    let input = ReportInput {
        quantity: field(&fields, "quantity"),
        narrative: field(&fields, "narrative"),
    };
    let indicator = field(&fields, "indicator");
    let actor = s.actor.clone();
    let i2 = input.clone();
    let result = crate::pages::write(&state, move |c| {
        let mut reported = task.indicators.iter().filter(|i| !i.measure.computed());
        // The form offers the task's reported indicators; with none chosen, the first.
        let ind = if indicator.trim().is_empty() {
            reported.next()
        } else {
            let picked = indicator.trim().parse::<i64>().ok();
            reported.find(|i| Some(i.id) == picked)
        };
        let Some(ind) = ind else {
            return Err(xianfeng_domain::Invalid::one("indicator", "指标", "请选择指标").into());
        };
        let draft = i2.validate(&ind.target)?;
        let evidence = crate::pages::checked_evidence(c, &files)?;
        Ok(campaigns::report(c, &actor, &a, ind, &draft, &evidence)?)
    })
    .await;
    match result {
        Ok(_) => {
            let ctx = Ctx::new(&s, "campaigns").with_notice("进展已报送。");
            let (errors, input) = (FieldErrors::default(), ReportInput::default());
            assignment_page(&state, &s, id, ctx, errors, input).await
        }
        Err(e) => {
            let errors = FieldErrors::of(&e);
            let ctx = Ctx::new(&s, "campaigns").refusal(e, &kept)?;
            assignment_page(&state, &s, id, ctx, errors, input).await
        }
    }
}

pub async fn evidence(
    State(state): State<AppState>,
    s: Session,
    Path((id, sha)): Path<(i64, String)>,
) -> Result<Response, AppError> {
    let (a, ..) = load_assignment(&state, &s, id).await?;
    crate::pages::attached_file(&state, sha, "附件", move |c, sha| {
        campaigns::has_evidence(c, a.id, sha)
    })
    .await
}
