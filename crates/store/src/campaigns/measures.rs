//! Computed indicators and the honours they read. A computed indicator's figure for an
//! assignment comes from roll-up counters of the assignee's subtree (activity records,
//! honours held, members trained), so it is kept current by the writes that move those
//! counters: `rollup::bump` calls `refresh` for the metrics listed in `watched`, and the
//! assignment's `progress_now`, `ind:*:value` and `ind:*:done` follow, as for a report.

use chrono::NaiveDate;
use serde_json::json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::campaign::{share_pct, Among, Measure, MemberCondition};
use xianfeng_domain::org::Org;
use xianfeng_domain::path;

use crate::audit::{self, Record};
use crate::campaigns::{Indicator, SCALE};
use crate::db::{Conn, Value};
use crate::{
    engines::cadence, engines::rollup, life::meetings, life::training, vals, Result, StoreError,
};

fn among_metric(among: Among) -> &'static str {
    match among {
        Among::Branches => rollup::BRANCHES,
        Among::RuralBranches => rollup::RURAL_BRANCHES,
    }
}

/// Holders of `title` among the organisations counted by `among`.
pub fn title_metric(title: &str, among: Among) -> String {
    format!("title:{title}|{}", among_metric(among))
}

/// The counters a measure reads: numerator (metric, periods) and an optional denominator.
fn inputs(m: &Measure, year: i64) -> Option<(String, Vec<String>, Option<&'static str>)> {
    match m {
        Measure::Reported => None,
        Measure::Records { activity } => Some((
            cadence::count_metric(activity),
            (1..=12).map(|mo| format!("{year}-{mo:02}")).collect(),
            None,
        )),
        Measure::OrgShare { title, among } => Some((
            title_metric(title, *among),
            vec![String::new()],
            Some(among_metric(*among)),
        )),
        Measure::MemberShare { condition } => Some((
            match condition {
                MemberCondition::Trained => training::TRAINED.to_string(),
                MemberCondition::Talked => meetings::TALK_OK.to_string(),
            }
            .to_string(),
            vec![year.to_string()],
            Some(rollup::MEMBERS),
        )),
        Measure::Coverage => Some((
            crate::grids::LINKED.to_string(),
            vec![String::new()],
            Some(crate::people::households::HOUSEHOLDS),
        )),
    }
}

/// Whether a change of `metric` may move a computed indicator.
/// Computed indicators follow the counters they read.
pub const OBSERVER: rollup::Observer = rollup::Observer {
    watches: watched,
    refresh,
};

pub fn watched(metric: &str) -> bool {
    metric.starts_with("count:")
        || metric.starts_with("title:")
        || [
            training::TRAINED,
            meetings::TALK_OK,
            rollup::MEMBERS,
            rollup::BRANCHES,
            rollup::RURAL_BRANCHES,
            crate::grids::LINKED,
            crate::people::households::HOUSEHOLDS,
        ]
        .contains(&metric)
}

/// Whether a computed measure means anything for the subtree of `org_id`: a share needs
/// something to share among (a street has no village branches).
pub fn applies_to(c: &mut dyn Conn, org_id: i64, m: &Measure) -> Result<bool> {
    match inputs(m, 0) {
        Some((_, _, Some(d))) => Ok(rollup::get(c, org_id, d, "")?.1 > 0),
        _ => Ok(true),
    }
}

/// The figure of a computed measure for the subtree of `org_id` (counters only).
pub fn compute(c: &mut dyn Conn, org_id: i64, m: &Measure, year: i64) -> Result<f64> {
    let Some((metric, periods, denominator)) = inputs(m, year) else {
        return Ok(0.0);
    };
    let marks = vec!["?"; periods.len()].join(",");
    let mut params: Vec<Value> = vals![org_id, metric.as_str()].to_vec();
    params.extend(periods.into_iter().map(Value::from));
    let part = c.scalar(
        &format!("SELECT CAST(COALESCE(SUM(subtree), 0) AS BIGINT) FROM rollups WHERE org_id = ? AND metric = ? AND period IN ({marks})"),
        &params,
    )?;
    Ok(match denominator {
        None => part as f64,
        Some(d) => share_pct(part, rollup::get(c, org_id, d, "")?.1),
    })
}

/// Sets an assignment's current figure for one indicator and moves the roll-ups by the
/// difference: `ind:{id}:value` (hundredths) and `ind:{id}:done` when the target is crossed.
/// `report_id` is the report that set it (0 for a computed figure).
pub fn set_value(
    c: &mut dyn Conn,
    assignment_id: i64,
    org_path: &str,
    indicator: &Indicator,
    value: f64,
    report_id: i64,
) -> Result<Option<f64>> {
    let before = c
        .query_opt(
            "SELECT quantity FROM progress_now WHERE assignment_id = ? AND indicator_id = ?",
            vals![assignment_id, indicator.id],
        )?
        .map(|r| r.f64(0))
        .transpose()?;
    c.execute(
        "INSERT INTO progress_now (assignment_id, indicator_id, quantity, report_id) VALUES (?, ?, ?, ?)
         ON CONFLICT (assignment_id, indicator_id) DO UPDATE SET quantity = excluded.quantity, report_id = excluded.report_id",
        &[Value::Int(assignment_id), Value::Int(indicator.id), Value::Real(value), Value::Int(report_id)],
    )?;
    let scaled = |v: f64| (v * SCALE).round() as i64;
    rollup::bump(
        c,
        org_path,
        &crate::campaigns::value_metric(indicator.id),
        "",
        scaled(value) - before.map_or(0, scaled),
    )?;
    let was = before.is_some_and(|v| indicator.target.met(v));
    let is = indicator.target.met(value);
    if was != is {
        rollup::bump(
            c,
            org_path,
            &crate::campaigns::done_metric(indicator.id),
            "",
            if is { 1 } else { -1 },
        )?;
    }
    Ok(before)
}

/// One assignment of a computed indicator of an open campaign.
struct Watcher {
    indicator: Indicator,
    year: i64,
    assignment_id: i64,
    org_id: i64,
    org_path: String,
}

fn watchers(c: &mut dyn Conn, org_ids: &[i64]) -> Result<Vec<Watcher>> {
    // The indicator's columns, then the assignment's (its id under a name of its own).
    let mut sql = format!(
        "SELECT {}, cp.year, a.id AS assignment_id, a.org_id, a.org_path
         FROM indicators n JOIN tasks t ON t.id = n.task_id JOIN campaigns cp ON cp.id = t.campaign_id
         JOIN assignments a ON a.task_id = t.id
         WHERE n.measure <> '上报数量' AND cp.status = '进行中'",
        crate::campaigns::INDICATOR_COLS
    );
    let mut params: Vec<Value> = Vec::new();
    if !org_ids.is_empty() {
        sql.push_str(&format!(
            " AND a.org_id IN ({})",
            vec!["?"; org_ids.len()].join(",")
        ));
        params.extend(org_ids.iter().map(|i| Value::Int(*i)));
    }
    sql.push_str(" ORDER BY a.id, n.id");
    c.query(&sql, &params)?
        .iter()
        .map(|r| {
            Ok(Watcher {
                indicator: crate::campaigns::indicator_row(r)?,
                year: r.i64("year")?,
                assignment_id: r.i64("assignment_id")?,
                org_id: r.i64("org_id")?,
                org_path: r.text("org_path")?,
            })
        })
        .collect::<Result<_>>()
}

/// Recomputes the computed indicators that read `metric` for every assignment at
/// `org_path` or above it (the subtrees that contain the change).
pub fn refresh(c: &mut dyn Conn, org_path: &str, metric: &str) -> Result<()> {
    let ids = path::ids(org_path);
    for w in watchers(c, &ids)? {
        let reads = inputs(&w.indicator.measure, w.year)
            .is_some_and(|(num, _, den)| num == metric || den == Some(metric));
        if reads {
            let v = compute(c, w.org_id, &w.indicator.measure, w.year)?;
            set_value(c, w.assignment_id, &w.org_path, &w.indicator, v, 0)?;
        }
    }
    Ok(())
}

/// Recomputes every computed figure of open campaigns (after a bulk load).
pub fn refresh_all(c: &mut dyn Conn) -> Result<()> {
    for w in watchers(c, &[])? {
        let v = compute(c, w.org_id, &w.indicator.measure, w.year)?;
        set_value(c, w.assignment_id, &w.org_path, &w.indicator, v, 0)?;
    }
    Ok(())
}

/// An honour an organisation holds.
#[derive(Debug, Clone)]
pub struct Title {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub title: String,
    pub year: i64,
    pub granted_by: Option<String>,
    pub granted_on: String,
}

fn title_metrics(org: &Org, title: &str) -> Vec<String> {
    let shape = rollup::shape(rollup::Shape::of(org));
    Among::ALL
        .iter()
        .filter(|a| shape.contains(&among_metric(**a)))
        .map(|a| title_metric(title, *a))
        .collect()
}

/// Records that `org` holds `title` (荣誉称号), granted by `granter` (its own level or above).
pub fn grant(
    c: &mut dyn Conn,
    actor: &Actor,
    granter: &Org,
    org: &Org,
    title: &str,
    year: i64,
    granted_on: NaiveDate,
) -> Result<i64> {
    let title = xianfeng_domain::text::normalize(title);
    if title.is_empty() || title.chars().count() > 40 || title.contains('|') {
        return Err(xianfeng_domain::Invalid::one("title", "荣誉称号", "应为1–40个字").into());
    }
    if !path::within(&org.path, &granter.path) {
        return Err(xianfeng_domain::Invalid::one(
            "org_id",
            "获得单位",
            "只能为本级及下级组织登记荣誉",
        )
        .into());
    }
    if c.query_opt(
        "SELECT 1 FROM org_titles WHERE org_id = ? AND title = ? AND revoked_on IS NULL",
        vals![org.id, title.as_str()],
    )?
    .is_some()
    {
        return Err(StoreError::Conflict(format!(
            "“{}”已获得“{title}”称号",
            org.name
        )));
    }
    let id = c.scalar(
        "INSERT INTO org_titles (org_id, org_path, title, year, granted_by, granted_on) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        vals![org.id, org.path.as_str(), title.as_str(), year, granter.id, granted_on.to_string()],
    )?;
    for m in title_metrics(org, &title) {
        rollup::bump(c, &org.path, &m, "", 1)?;
    }
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(org.id),
            action: "title.grant",
            entity: "org_title",
            entity_id: Some(id),
            before: json!(null),
            after: json!({"title": title, "year": year}),
        },
    )?;
    Ok(id)
}

/// Withdraws an honour (kept on record with the date). Refused when it is already withdrawn
/// (a second request must not take the roll-up down twice).
pub fn revoke(c: &mut dyn Conn, actor: &Actor, t: &Title, org: &Org) -> Result<()> {
    let changed = c.execute(
        "UPDATE org_titles SET revoked_on = ? WHERE id = ? AND revoked_on IS NULL",
        vals![xianfeng_domain::date::today().to_string(), t.id],
    )?;
    if changed != 1 {
        return Err(StoreError::Conflict(format!("“{}”称号已撤销", t.title)));
    }
    for m in title_metrics(org, &t.title) {
        rollup::bump(c, &org.path, &m, "", -1)?;
    }
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(org.id),
            action: "title.revoke",
            entity: "org_title",
            entity_id: Some(t.id),
            before: json!({"title": t.title}),
            after: json!(null),
        },
    )?;
    Ok(())
}

const TITLE_COLS: &str =
    "t.id, t.org_id, o.name AS org_name, t.title, t.year, g.name AS granted_by_name, t.granted_on";

fn title_row(r: &crate::Row) -> Result<Title> {
    Ok(Title {
        id: r.i64("id")?,
        org_id: r.i64("org_id")?,
        org_name: r.text("org_name")?,
        title: r.text("title")?,
        year: r.i64("year")?,
        granted_by: r.opt_text("granted_by_name")?,
        granted_on: r.text("granted_on")?,
    })
}

/// Honours in force in the subtree at `scope_path`.
pub fn titles(c: &mut dyn Conn, scope_path: &str, limit: i64) -> Result<Vec<Title>> {
    c.query(
        &format!(
            "SELECT {TITLE_COLS} FROM org_titles t JOIN orgs o ON o.id = t.org_id LEFT JOIN orgs g ON g.id = t.granted_by
             WHERE t.org_path >= ? AND t.org_path < ? AND t.revoked_on IS NULL ORDER BY t.year DESC, t.org_path LIMIT ?"
        ),
        vals![scope_path, path::upper(scope_path), limit],
    )?
    .iter()
    .map(title_row)
    .collect::<Result<Vec<_>>>()
}

pub fn title(c: &mut dyn Conn, id: i64) -> Result<Option<Title>> {
    c.query_opt(
        &format!(
            "SELECT {TITLE_COLS} FROM org_titles t JOIN orgs o ON o.id = t.org_id LEFT JOIN orgs g ON g.id = t.granted_by
             WHERE t.id = ? AND t.revoked_on IS NULL"
        ),
        vals![id],
    )?
    .as_ref()
    .map(title_row).transpose()
}

/// Recomputes the honour counters from the register.
pub fn rebuild_titles(c: &mut dyn Conn) -> Result<()> {
    let rows = c.query(
        "SELECT t.org_id, t.title FROM org_titles t WHERE t.revoked_on IS NULL",
        &[],
    )?;
    let mut direct = Vec::new();
    for r in rows {
        let org = crate::people::orgs::require(c, r.i64(0)?)?;
        for m in title_metrics(&org, &r.text(1)?) {
            direct.push((org.id, m, String::new(), 1));
        }
    }
    let totals = rollup::accumulate(c, direct)?;
    c.execute("DELETE FROM rollups WHERE metric LIKE 'title:%'", &[])?;
    rollup::insert_totals(c, totals)
}
