//! 月通报 of a subtree for any month: a print-friendly page with SVG charts, and the same
//! content as .docx and .xlsx downloads.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::Response;
use serde::Deserialize;
use xianfeng_domain::date;
use xianfeng_domain::org::Org;
use xianfeng_store::campaigns::bulletin::{self, Bulletin};

use crate::bulletin_files::{self, Tables};
use crate::pages::form::CsrfForm;
use crate::pages::shared::with_org;
use crate::pages::{render, Ctx};
use crate::session::Session;
use crate::{AppError, AppState};

#[derive(Deserialize, Default)]
pub struct MonthQuery {
    #[serde(default)]
    pub month: String,
}

async fn load(
    state: &AppState,
    s: &Session,
    id: i64,
    month: &str,
) -> Result<(Org, Vec<(i64, String)>, Bulletin), AppError> {
    if s.actor.role == xianfeng_domain::auth::Role::Member {
        return Err(AppError::Forbidden);
    }
    let today = date::today();
    let month = if month.trim().is_empty() {
        xianfeng_domain::cadence::Period::containing(
            xianfeng_domain::cadence::Frequency::Monthly,
            today,
        )
    } else {
        bulletin::parse_month(month)
            .ok_or_else(|| xianfeng_domain::Invalid::one("month", "月份", "格式应为 2026-11"))?
    };
    with_org(state, s, id, move |c, org| {
        Ok(bulletin::gather(c, org, month, today)?)
    })
    .await
}

type Section = (&'static str, Vec<&'static str>, Vec<Vec<String>>);

fn sections(t: Tables) -> Vec<Section> {
    vec![
        ("二、排名情况", t.ranking.0, t.ranking.1),
        ("三、逾期任务", t.overdue.0, t.overdue.1),
        ("四、未销号问题", t.problems.0, t.problems.1),
        ("五、表彰先进", t.commended.0, t.commended.1),
    ]
}

#[derive(Template)]
#[template(path = "campaigns/bulletin.html")]
struct Page {
    ctx: Ctx,
    org: Org,
    crumbs: Vec<(i64, String)>,
    b: Bulletin,
    month_key: String,
    summary: Vec<String>,
    /// (heading, column names, rows) of each table.
    sections: Vec<Section>,
    charts: Vec<String>,
    /// When this month's bulletin was issued (印发), if it was.
    issued: Option<String>,
    can_issue: bool,
}

pub async fn page(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AppError> {
    let (org, crumbs, b) = load(&state, &s, id, &q.month).await?;
    let (org_id, key) = (org.id, b.month.key());
    let issued = crate::pages::read(&state, move |c| {
        Ok(bulletin::issued(c, org_id, 500)?
            .into_iter()
            .find(|i| i.month == key)
            .map(|i| i.issued_at))
    })
    .await?;
    let charts = b
        .campaigns
        .iter()
        .filter(|c| !c.ranking.is_empty())
        .map(|c| {
            crate::svg::bar_chart(
                &format!("{} 完成率（%）", c.title),
                &c.ranking
                    .iter()
                    .map(|(n, s)| (n.clone(), s.pct()))
                    .collect::<Vec<_>>(),
            )
        })
        .chain(std::iter::once(crate::svg::bar_chart(
            "本月频次要求完成率（%）",
            &b.life
                .iter()
                .map(|s| (s.rule.activity.clone(), s.pct()))
                .collect::<Vec<_>>(),
        )))
        .collect();
    render(&Page {
        ctx: Ctx::new(&s, "supervision"),
        issued,
        can_issue: s.actor.can_manage_town(&org.path) && b.month.start <= date::today(),
        month_key: b.month.key(),
        summary: bulletin_files::summary_lines(&b),
        sections: sections(bulletin_files::tables(&b)),
        charts,
        org,
        crumbs,
        b,
    })
}

pub async fn docx(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AppError> {
    let (_, _, b) = load(&state, &s, id, &q.month).await?;
    let bytes = bulletin_files::docx(&b)?;
    Ok(crate::pages::download(
        &format!("{}.docx", b.title),
        crate::pages::DOCX,
        bytes,
    ))
}

pub async fn xlsx(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Query(q): Query<MonthQuery>,
) -> Result<Response, AppError> {
    let (_, _, b) = load(&state, &s, id, &q.month).await?;
    let bytes = bulletin_files::xlsx(&b)?;
    Ok(crate::pages::download(
        &format!("{}.xlsx", b.title),
        crate::pages::XLSX,
        bytes,
    ))
}

#[derive(Deserialize, Default)]
pub struct IssueForm {
    #[serde(default)]
    pub month: String,
}

/// Issues (印发) the bulletin of a month: once per month, counted as the organisation's 月通报.
pub async fn issue(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, _): CsrfForm<IssueForm>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let today = date::today();
    let month = bulletin::parse_month(&f.month)
        .ok_or_else(|| xianfeng_domain::Invalid::one("month", "月份", "格式应为 2026-11"))?;
    let label = month.label();
    crate::pages::write(&state, move |c| {
        let org = xianfeng_store::people::orgs::get(c, id)?
            .filter(|o| actor.can_read_org(&o.path))
            .ok_or(AppError::NotFound("组织"))?;
        if !actor.can_manage_town(&org.path) {
            return Err(AppError::Forbidden);
        }
        Ok(bulletin::issue(c, &actor, &org, month, today)?)
    })
    .await?;
    Ok(crate::pages::done(
        &format!("/orgs/{id}/bulletin"),
        &format!("{label}通报已印发"),
    ))
}
