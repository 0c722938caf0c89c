//! Cadence compliance read from the roll-ups: one organisation's standing on each rule, a
//! subtree's counts of organisations that met each rule, the organisations still missing an
//! activity, and the organisations × periods heatmap. Every figure is a maintained counter;
//! nothing here scans meetings.

use std::collections::HashMap;

use chrono::NaiveDate;
use xianfeng_domain::cadence::{Applies, CadenceRule, Period, Status};
use xianfeng_domain::org::{Org, OrgKind};
use xianfeng_domain::path;
use xianfeng_domain::rules::Rules;

use crate::db::{Conn, Value};
use crate::engines::cadence::{count_metric, direct_count, effective, ok_metric};
use crate::{engines::rollup, people::orgs, Result};

/// The date an organisation was set up (its obligations start then).
pub fn org_since(org: &Org) -> NaiveDate {
    xianfeng_domain::date::parse(&org.created_on).unwrap_or(NaiveDate::MIN)
}

/// The structural counter that is the denominator of a rule.
pub fn denominator(applies: Applies) -> &'static str {
    match applies {
        Applies::Branches => rollup::BRANCHES,
        Applies::CommitteeBranches => rollup::COMMITTEE_BRANCHES,
        Applies::Groups => rollup::GROUPS,
        Applies::Towns => rollup::TOWNS,
    }
}

/// One organisation on one rule, this period and the last.
#[derive(Debug, Clone)]
pub struct Standing {
    pub rule: CadenceRule,
    pub period: Period,
    pub count: i64,
    pub status: Status,
    pub prev_period: Period,
    pub prev_status: Status,
}

/// Every rule that binds `org`, with its standing on `today`.
pub fn standing(c: &mut dyn Conn, org: &Org, today: NaiveDate) -> Result<Vec<Standing>> {
    let since = org_since(org);
    let mut out = Vec::new();
    for rule in effective(c, &org.path)? {
        if !rule.applies.fits(org.kind, org.committee_size) {
            continue;
        }
        let period = Period::containing(rule.frequency, today);
        let prev = period.prev();
        let count = direct_count(c, org.id, &rule.activity, &period)?;
        let prev_count = direct_count(c, org.id, &rule.activity, &prev)?;
        out.push(Standing {
            status: rule.status(&period, count, today, since),
            prev_status: rule.status(&prev, prev_count, today, since),
            rule,
            period,
            count,
            prev_period: prev,
        });
    }
    Ok(out)
}

/// A subtree's count of organisations that met a rule, this period and last.
#[derive(Debug, Clone)]
pub struct Summary {
    pub rule: CadenceRule,
    pub period: Period,
    pub bound: i64,
    pub done: i64,
    pub prev_done: i64,
    /// Days left in the period, counting today.
    pub days_left: i64,
}

impl Summary {
    pub fn pct(&self) -> i64 {
        if self.bound == 0 {
            100
        } else {
            self.done * 100 / self.bound
        }
    }

    pub fn remaining(&self) -> i64 {
        (self.bound - self.done).max(0)
    }

    pub fn prev_missed(&self) -> i64 {
        (self.bound - self.prev_done).max(0)
    }
}

pub fn summary(c: &mut dyn Conn, org: &Org, today: NaiveDate) -> Result<Vec<Summary>> {
    let mut out = Vec::new();
    for rule in effective(c, &org.path)? {
        let period = Period::containing(rule.frequency, today);
        let bound = rollup::get(c, org.id, denominator(rule.applies), "")?.1;
        let metric = ok_metric(&rule.activity);
        let done = rollup::get(c, org.id, &metric, &period.key())?.1;
        let prev_done = rollup::get(c, org.id, &metric, &period.prev().key())?.1;
        out.push(Summary {
            days_left: (period.end - today).num_days() + 1,
            rule,
            period,
            bound,
            done,
            prev_done,
        });
    }
    Ok(out)
}

fn kinds_for(applies: Applies) -> Vec<&'static str> {
    OrgKind::ALL
        .iter()
        .filter(|k| applies.fits(**k, 1))
        .map(|k| k.code())
        .collect()
}

/// Organisations under `root` bound by `rule` that have not met it in `period`, with their
/// count and standing (exempt organisations left out), in tree order.
pub fn missing(
    c: &mut dyn Conn,
    root: &Org,
    rule: &CadenceRule,
    period: &Period,
    today: NaiveDate,
    limit: i64,
) -> Result<Vec<(Org, i64, Status)>> {
    let kinds = kinds_for(rule.applies);
    let kind_marks = vec!["?"; kinds.len()].join(",");
    let sql = format!(
        "SELECT o.id FROM orgs o WHERE o.path >= ? AND o.path < ? AND o.dissolved_on IS NULL AND o.kind IN ({kind_marks})
           AND NOT EXISTS (SELECT 1 FROM rollups r WHERE r.org_id = o.id AND r.metric = ? AND r.period = ? AND r.direct > 0)
         ORDER BY o.path LIMIT ?"
    );
    let mut params: Vec<Value> = vec![root.path.as_str().into(), path::upper(&root.path).into()];
    params.extend(kinds.iter().map(|k| Value::from(*k)));
    params.push(ok_metric(&rule.activity).into());
    params.push(period.key().into());
    params.push(limit.into());
    let ids: Vec<i64> = c
        .query(&sql, &params)?
        .iter()
        .map(|r| r.i64(0))
        .collect::<Result<_>>()?;
    let mut out = Vec::new();
    for id in ids {
        let org = orgs::require(c, id)?;
        if !rule.applies.fits(org.kind, org.committee_size) {
            continue;
        }
        let rule_here = effective(c, &org.path)?
            .into_iter()
            .find(|r| r.activity == rule.activity)
            .unwrap_or_else(|| rule.clone());
        let count = direct_count(c, org.id, &rule.activity, period)?;
        let status = rule_here.status(period, count, today, org_since(&org));
        if !matches!(status, Status::Done | Status::Exempt) {
            out.push((org, count, status));
        }
    }
    Ok(out)
}

/// One cell of the heatmap.
#[derive(Debug, Clone)]
pub struct Cell {
    pub colour: &'static str,
    /// What the cell shows: ✓ / ✗ / a percentage / blank.
    pub text: String,
    pub title: String,
}

#[derive(Debug, Clone)]
pub struct HeatRow {
    pub org_id: i64,
    pub name: String,
    pub cells: Vec<Cell>,
}

#[derive(Debug, Clone)]
pub struct Heatmap {
    pub rule: CadenceRule,
    pub columns: Vec<Period>,
    pub rows: Vec<HeatRow>,
}

fn share_cell(done: i64, bound: i64, period: &Period, today: NaiveDate, rules: &Rules) -> Cell {
    if period.start > today || bound == 0 {
        return Cell {
            colour: "grey",
            text: String::new(),
            title: if bound == 0 {
                "无需开展".into()
            } else {
                "未到期".into()
            },
        };
    }
    let pct = done * 100 / bound;
    let colour = if pct >= rules.heat_green_pct {
        "green"
    } else if period.end >= today || pct >= rules.heat_yellow_pct {
        "yellow"
    } else {
        "red"
    };
    Cell {
        colour,
        text: format!("{pct}%"),
        title: format!("{}：{done}/{bound}个组织已完成", period.label()),
    }
}

/// Organisations × periods of `year` for one rule: the children of `root` (or `root` itself
/// when the rule binds it directly), each cell a colour.
pub fn heatmap(
    c: &mut dyn Conn,
    root: &Org,
    rule: &CadenceRule,
    year: i32,
    today: NaiveDate,
    rules: &Rules,
) -> Result<Heatmap> {
    let columns = Period::in_year(rule.frequency, year);
    let mut row_orgs: Vec<Org> = if rule.applies.fits(root.kind, root.committee_size) {
        vec![root.clone()]
    } else {
        orgs::children(c, root.id)?
            .into_iter()
            .filter(|o| o.dissolved_on.is_none())
            .collect()
    };
    row_orgs.retain(|o| o.kind != OrgKind::Group || rule.applies == Applies::Groups);
    let ids: Vec<i64> = row_orgs.iter().map(|o| o.id).collect();
    let ok = periods_many(c, &ids, &ok_metric(&rule.activity), &columns)?;
    let bounds = rollup::subtree_many(c, &ids, denominator(rule.applies))?;
    let mut rows = Vec::new();
    for org in row_orgs {
        let leaf = rule.applies.fits(org.kind, org.committee_size);
        let mut cells = Vec::new();
        for p in &columns {
            if leaf {
                let count = direct_count(c, org.id, &rule.activity, p)?;
                let status = if p.start > today {
                    Status::Open
                } else {
                    rule.status(p, count, today, org_since(&org))
                };
                cells.push(Cell {
                    colour: status.colour(),
                    text: match status {
                        Status::Done => "✓".into(),
                        Status::Missed => "✗".into(),
                        Status::DueSoon => "!".into(),
                        _ => String::new(),
                    },
                    title: format!("{}：{}（{}次）", p.label(), status.label(), count),
                });
            } else {
                let done = ok.get(&(org.id, p.key())).copied().unwrap_or(0);
                let bound = bounds.get(&org.id).copied().unwrap_or(0);
                cells.push(share_cell(done, bound, p, today, rules));
            }
        }
        rows.push(HeatRow {
            org_id: org.id,
            name: org.name,
            cells,
        });
    }
    rows.retain(|r| !r.cells.iter().all(|c| c.title == "无需开展"));
    Ok(Heatmap {
        rule: rule.clone(),
        columns,
        rows,
    })
}

/// Subtree values of `metric` for many organisations and periods in one query.
fn periods_many(
    c: &mut dyn Conn,
    ids: &[i64],
    metric: &str,
    periods: &[Period],
) -> Result<HashMap<(i64, String), i64>> {
    let mut out = HashMap::new();
    if periods.is_empty() {
        return Ok(out);
    }
    for chunk in ids.chunks(400) {
        let id_marks = vec!["?"; chunk.len()].join(",");
        let p_marks = vec!["?"; periods.len()].join(",");
        let mut params: Vec<Value> = vec![metric.into()];
        params.extend(chunk.iter().map(|i| Value::Int(*i)));
        params.extend(periods.iter().map(|p| Value::from(p.key())));
        for r in c.query(
            &format!("SELECT org_id, period, subtree FROM rollups WHERE metric = ? AND org_id IN ({id_marks}) AND period IN ({p_marks})"),
            &params,
        )? {
            out.insert((r.i64(0)?, r.text(1)?), r.i64(2)?);
        }
    }
    Ok(out)
}

/// Monthly record counts of one activity for a subtree, Jan–Dec of `year` (for the chart).
pub fn monthly_counts(
    c: &mut dyn Conn,
    org_id: i64,
    activity: &str,
    year: i32,
) -> Result<Vec<i64>> {
    let months: Vec<Period> = Period::in_year(xianfeng_domain::cadence::Frequency::Monthly, year);
    let got = periods_many(c, &[org_id], &count_metric(activity), &months)?;
    Ok(months
        .iter()
        .map(|p| got.get(&(org_id, p.key())).copied().unwrap_or(0))
        .collect())
}
