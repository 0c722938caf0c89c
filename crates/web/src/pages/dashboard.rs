use askama::Template;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use xianfeng_domain::auth::Role;
use xianfeng_store::people::orgs::{self, Totals};
use xianfeng_store::{engines::rollup, settings};

use super::{render, Ctx};
use crate::session::Session;
use crate::{svg, AppError, AppState};

pub struct WarningRow {
    pub org_id: i64,
    pub org_name: String,
    pub kind: String,
    pub messages: Vec<String>,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct Dashboard {
    ctx: Ctx,
    scope_name: String,
    totals: Totals,
    probationary: i64,
    chart: String,
    warnings: Vec<WarningRow>,
    warning_total: usize,
    /// A branch's own page: no chart of organisations below, no counts of branches.
    is_branch: bool,
    /// This period's organisational life: the scope's own standing and its subtree's counts.
    own: Vec<xianfeng_store::life::compliance::Standing>,
    life: Vec<xianfeng_store::life::compliance::Summary>,
    /// 我的任务: assignments whose 第一责任人 is this account.
    mine: Vec<xianfeng_store::campaigns::completion::MyTask>,
}

pub async fn dashboard(State(state): State<AppState>, s: Session) -> Result<Response, AppError> {
    if s.actor.role == Role::Member {
        return Ok(Redirect::to("/todo").into_response());
    }
    let actor = s.actor.clone();
    let page = super::read(&state, move |c| {
        let root = orgs::require(c, actor.scope_org_id)?;
        let totals = orgs::totals(c, root.id)?;
        let children: Vec<_> = orgs::children(c, root.id)?
            .into_iter()
            .filter(|o| o.dissolved_on.is_none())
            .collect();
        let ids: Vec<i64> = children.iter().map(|o| o.id).collect();
        let counts = rollup::subtree_many(c, &ids, rollup::MEMBERS)?;
        let mut rows: Vec<(String, i64)> = children
            .iter()
            .map(|o| (o.name.clone(), counts.get(&o.id).copied().unwrap_or(0)))
            .collect();
        rows.sort_by_key(|r| std::cmp::Reverse(r.1));
        rows.truncate(20);
        let rules = settings::rules(c)?;
        let (warnings, warning_total) = orgs::subtree_warnings(c, &root, &rules, 8)?;
        let today = xianfeng_domain::date::today();
        let own = xianfeng_store::life::compliance::standing(c, &root, today)?;
        let mut life = xianfeng_store::life::compliance::summary(c, &root, today)?;
        // rules binding the scope itself are its own standing above; the summary lists the
        // rules of the organisations below (a branch: only its groups' 党小组会)
        life.retain(|x| x.bound > 0 && !x.rule.applies.fits(root.kind, root.committee_size));
        let mut mine = xianfeng_store::campaigns::completion::mine(c, actor.account_id)?;
        mine.truncate(8);
        Ok((
            root,
            totals,
            rows,
            (warnings, warning_total),
            (own, life, mine),
        ))
    })
    .await?;
    let (root, totals, rows, (warnings, warning_total), (own, life, mine)) = page;
    let is_branch = root.kind.is_branch();
    render(&Dashboard {
        ctx: Ctx::new(&s, "home"),
        chart: if is_branch || rows.is_empty() {
            String::new()
        } else {
            svg::bar_chart(&format!("{}下属各组织党员数", root.name), &rows)
        },
        is_branch,
        scope_name: root.name,
        probationary: totals.members - totals.full_members,
        totals,
        warnings: warnings.into_iter().map(to_row).collect(),
        warning_total,
        own,
        life,
        mine,
    })
}

fn to_row(
    (org, w): (
        xianfeng_domain::org::Org,
        Vec<xianfeng_domain::org::StructuralWarning>,
    ),
) -> WarningRow {
    WarningRow {
        org_id: org.id,
        org_name: org.name,
        kind: org.kind.label().into(),
        messages: w.into_iter().map(|w| w.message).collect(),
    }
}

#[derive(Template)]
#[template(path = "warnings.html")]
struct Warnings {
    ctx: Ctx,
    scope_name: String,
    warnings: Vec<WarningRow>,
    total: usize,
}

pub async fn warnings(State(state): State<AppState>, s: Session) -> Result<Response, AppError> {
    if s.actor.role == Role::Member {
        return Err(AppError::Forbidden);
    }
    let actor = s.actor.clone();
    let (root, list, total) = super::read(&state, move |c| {
        let root = orgs::require(c, actor.scope_org_id)?;
        let rules = settings::rules(c)?;
        let (w, total) = orgs::subtree_warnings(c, &root, &rules, 1000)?;
        Ok((root, w, total))
    })
    .await?;
    render(&Warnings {
        ctx: Ctx::new(&s, "warnings"),
        scope_name: root.name,
        warnings: list.into_iter().map(to_row).collect(),
        total,
    })
}
