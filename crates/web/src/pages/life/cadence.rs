//! Cadence rule pages: the county's rules, and a town's stricter requirements.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use xianfeng_domain::cadence::{Applies, CadenceRule, Frequency};
use xianfeng_domain::error::Collector;
use xianfeng_domain::org::Org;
use xianfeng_domain::text::normalize;
use xianfeng_domain::Invalid;
use xianfeng_store::engines::cadence;

use crate::pages::form::CsrfForm;
use crate::pages::shared::with_org;
use crate::pages::{field as get, render_as, Ctx, Pairs};
use crate::session::Session;
use crate::{AppError, AppState};

/// A rule as the form shows it, with the county's figure beside a town's.
pub struct Row {
    pub rule: CadenceRule,
    pub county_min: i64,
    pub county_warn: i64,
}

#[derive(Template)]
#[template(path = "life/cadence.html")]
struct Page {
    ctx: Ctx,
    /// `None`: the county's rules; `Some`: a town's overrides.
    town: Option<Org>,
    rows: Vec<Row>,
    frequencies: Vec<&'static str>,
    applies: Vec<&'static str>,
}

/// The rules form, with `ctx` built by the caller (a plain view, a saved notice, or a refused
/// form shown again with what was typed).
fn page(ctx: Ctx, town: Option<Org>, rows: Vec<Row>) -> Result<Response, AppError> {
    render_as(
        ctx.status(),
        &Page {
            ctx,
            town,
            rows,
            frequencies: Frequency::ALL.iter().map(|f| f.label()).collect(),
            applies: Applies::ALL.iter().map(|a| a.label()).collect(),
        },
    )
}

fn rows_of(county: Vec<CadenceRule>, here: Vec<CadenceRule>) -> Vec<Row> {
    county
        .into_iter()
        .map(|c| Row {
            county_min: c.min_count,
            county_warn: c.warn_days,
            rule: here
                .iter()
                .find(|h| h.activity == c.activity)
                .cloned()
                .unwrap_or(c),
        })
        .collect()
}

async fn county_rows(state: &AppState) -> Result<Vec<Row>, AppError> {
    crate::pages::read(state, move |c| {
        let county = cadence::county_rules(c)?;
        Ok(rows_of(county.clone(), county))
    })
    .await
}

pub async fn county(State(state): State<AppState>, s: Session) -> Result<Response, AppError> {
    if !s.actor.is_county_admin() {
        return Err(AppError::Forbidden);
    }
    let rows = county_rows(&state).await?;
    page(Ctx::new(&s, "settings"), None, rows)
}

fn number(e: &mut Collector, f: &Pairs, key: &str, label: &str) -> i64 {
    match normalize(&get(f, key)).parse::<i64>() {
        Ok(v) => v,
        Err(_) => {
            e.push(key, label, "应为整数");
            0
        }
    }
}

/// Reads the county form: `freq{i}`, `min{i}`, `applies{i}`, `warn{i}`, `since{i}` per rule.
fn parse_county(f: &Pairs, current: &[CadenceRule]) -> Result<Vec<CadenceRule>, Invalid> {
    let mut e = Collector::default();
    let mut out = Vec::new();
    for (i, r) in current.iter().enumerate() {
        let frequency = Frequency::parse(&get(f, &format!("freq{i}")));
        let applies = Applies::parse(&get(f, &format!("applies{i}")));
        if frequency.is_none() {
            e.push(&format!("freq{i}"), &r.activity, "请选择频次");
        }
        if applies.is_none() {
            e.push(&format!("applies{i}"), &r.activity, "请选择适用组织");
        }
        let since_text = get(f, &format!("since{i}"));
        let since = if since_text.trim().is_empty() {
            None
        } else {
            let d = xianfeng_domain::date::parse(&since_text);
            if d.is_none() {
                e.push(
                    &format!("since{i}"),
                    &r.activity,
                    "起始日期格式应为 2026-11-22",
                );
            }
            d
        };
        out.push(CadenceRule {
            activity: r.activity.clone(),
            frequency: frequency.unwrap_or(r.frequency),
            min_count: number(&mut e, f, &format!("min{i}"), &r.activity),
            applies: applies.unwrap_or(r.applies),
            warn_days: number(&mut e, f, &format!("warn{i}"), &r.activity),
            since,
        });
    }
    e.finish(())?;
    xianfeng_domain::cadence::check_rules(&out)?;
    Ok(out)
}

/// Saves the county's rules (field names carry the rule's index, so the form is read as
/// pairs); the page is shown again with a notice, or with what was typed when refused.
pub async fn save_county(
    State(state): State<AppState>,
    s: Session,
    CsrfForm(f, kept): CsrfForm<Pairs>,
) -> Result<Response, AppError> {
    if !s.actor.is_county_admin() {
        return Err(AppError::Forbidden);
    }
    let actor = s.actor.clone();
    let form = f.clone();
    let result = crate::pages::write(&state, move |c| {
        let current = cadence::county_rules(c)?;
        let rules = parse_county(&form, &current)?;
        cadence::save_county_rules(c, &rules)?;
        xianfeng_store::audit::append(
            c,
            xianfeng_store::audit::Record {
                actor: Some(&actor),
                org_id: Some(actor.scope_org_id),
                action: "cadence.update",
                entity: "settings",
                entity_id: None,
                before: serde_json::to_value(&current).unwrap_or_default(),
                after: serde_json::to_value(&rules).unwrap_or_default(),
            },
        )?;
        Ok(())
    })
    .await;
    let ctx = match result {
        Ok(()) => Ctx::new(&s, "settings").with_notice("已保存。"),
        Err(e) => Ctx::new(&s, "settings").refusal(e, &kept)?,
    };
    let rows = county_rows(&state).await?;
    page(ctx, None, rows)
}

async fn town_rows(state: &AppState, s: &Session, id: i64) -> Result<(Org, Vec<Row>), AppError> {
    let (org, _, rows) = with_org(state, s, id, |c, org| {
        Ok(rows_of(
            cadence::county_rules(c)?,
            cadence::effective(c, &org.path)?,
        ))
    })
    .await?;
    if !s.actor.can_manage_town(&org.path) || !org.kind.is_committee() {
        return Err(AppError::Forbidden);
    }
    Ok((org, rows))
}

pub async fn town(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let (org, rows) = town_rows(&state, &s, id).await?;
    page(Ctx::new(&s, "settings"), Some(org), rows)
}

/// Saves a town's requirements: figures equal to the county's clear the override.
pub async fn save_town(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<Pairs>,
) -> Result<Response, AppError> {
    let (org, rows) = town_rows(&state, &s, id).await?;
    let actor = s.actor.clone();
    let o = org.clone();
    let result = crate::pages::write(&state, move |c| {
        let mut e = Collector::default();
        let mut changes = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            let min = number(&mut e, &f, &format!("min{i}"), &r.rule.activity);
            let warn = number(&mut e, &f, &format!("warn{i}"), &r.rule.activity);
            changes.push((
                r.rule.activity.clone(),
                min,
                warn,
                r.county_min,
                r.county_warn,
            ));
        }
        e.finish(())?;
        for (activity, min, warn, cmin, cwarn) in &changes {
            let value = (min != cmin || warn != cwarn).then_some((*min, *warn));
            cadence::set_override(c, &o, activity, value).map_err(|err| match err {
                xianfeng_store::StoreError::Invalid(i) => {
                    xianfeng_store::StoreError::Invalid(Invalid(
                        i.0.into_iter()
                            .map(|mut fe| {
                                fe.label = format!("{activity}{}", fe.label);
                                fe
                            })
                            .collect(),
                    ))
                }
                other => other,
            })?;
        }
        xianfeng_store::audit::append(
            c,
            xianfeng_store::audit::Record {
                actor: Some(&actor),
                org_id: Some(o.id),
                action: "cadence.override",
                entity: "org",
                entity_id: Some(o.id),
                before: serde_json::Value::Null,
                after: serde_json::json!(changes
                    .iter()
                    .map(|(a, m, w, _, _)| (a, m, w))
                    .collect::<Vec<_>>()),
            },
        )?;
        Ok(())
    })
    .await;
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/orgs/{id}/cadence")).into_response()),
        Err(e) => {
            let ctx = Ctx::new(&s, "settings").refusal(e, &kept)?;
            let (org, rows) = town_rows(&state, &s, id).await?;
            page(ctx, Some(org), rows)
        }
    }
}
