//! Stored cadence rules: the county's set (glossary defaults until edited) and towns' stricter
//! overrides for their subtrees. Counters for the rules live in the roll-up engine:
//! `count:{activity}` per month (records that count) and `ok:{activity}` per rule period
//! (organisations that met the rule).

use std::collections::HashMap;

use xianfeng_domain::cadence::{default_rules, CadenceRule, Frequency, Period};
use xianfeng_domain::org::{Org, OrgKind};
use xianfeng_domain::path;

use crate::db::Conn;
use crate::{engines::rollup, vals, Result, StoreError};

pub fn count_metric(activity: &str) -> String {
    format!("count:{activity}")
}

pub fn ok_metric(activity: &str) -> String {
    format!("ok:{activity}")
}

/// The county's rules.
pub fn county_rules(c: &mut dyn Conn) -> Result<Vec<CadenceRule>> {
    match c.query_opt(
        "SELECT value FROM settings WHERE key = 'cadence_rules'",
        &[],
    )? {
        Some(r) => serde_json::from_str(&r.text(0)?)
            .map_err(|e| StoreError::Db(format!("频次规则配置损坏：{e}"))),
        None => Ok(default_rules()),
    }
}

/// Replaces the county's rules (checked by the caller) and recounts who met them.
pub fn save_county_rules(c: &mut dyn Conn, rules: &[CadenceRule]) -> Result<()> {
    xianfeng_domain::cadence::check_rules(rules)?;
    let text = serde_json::to_string(rules).map_err(|e| StoreError::Db(e.to_string()))?;
    c.execute(
        "INSERT INTO settings (key, value) VALUES ('cadence_rules', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        vals![text],
    )?;
    rebuild_ok(c)
}

/// Overrides set at `org_id` itself: activity → (min_count, warn_days).
pub fn overrides_at(c: &mut dyn Conn, org_id: i64) -> Result<HashMap<String, (i64, i64)>> {
    c.query(
        "SELECT activity, min_count, warn_days FROM cadence_overrides WHERE org_id = ?",
        vals![org_id],
    )?
    .into_iter()
    .map(|r| Ok((r.text(0)?, (r.i64(1)?, r.i64(2)?))))
    .collect::<Result<_>>()
}

/// The rules in force at an organisation: the county's, tightened by the nearest ancestor
/// (or the organisation itself) that overrides each.
pub fn effective(c: &mut dyn Conn, org_path: &str) -> Result<Vec<CadenceRule>> {
    let mut rules = county_rules(c)?;
    let ids = path::ids(org_path);
    if ids.is_empty() {
        return Ok(rules);
    }
    let marks = vec!["?"; ids.len()].join(",");
    let params: Vec<crate::Value> = ids.iter().map(|i| crate::Value::Int(*i)).collect();
    let rows = c.query(
        &format!("SELECT org_path, activity, min_count, warn_days FROM cadence_overrides WHERE org_id IN ({marks}) ORDER BY LENGTH(org_path)"),
        &params,
    )?;
    for r in rows {
        let activity = r.text(1)?;
        if let Some(rule) = rules.iter_mut().find(|x| x.activity == activity) {
            rule.min_count = r.i64(2)?;
            rule.warn_days = r.i64(3)?;
        }
    }
    Ok(rules)
}

/// Sets (or with `None` removes) a town's override of one activity, checked against the
/// county rule, then recounts.
pub fn set_override(
    c: &mut dyn Conn,
    org: &Org,
    activity: &str,
    value: Option<(i64, i64)>,
) -> Result<()> {
    let county = county_rules(c)?
        .into_iter()
        .find(|r| r.activity == activity)
        .ok_or_else(|| xianfeng_domain::Invalid::one("activity", "活动", "没有这项频次规则"))?;
    c.execute(
        "DELETE FROM cadence_overrides WHERE org_id = ? AND activity = ?",
        vals![org.id, activity],
    )?;
    if let Some((min_count, warn_days)) = value {
        let town = CadenceRule {
            min_count,
            warn_days,
            ..county.clone()
        };
        xianfeng_domain::cadence::check_override(&county, &town)?;
        c.execute(
            "INSERT INTO cadence_overrides (org_id, org_path, activity, min_count, warn_days) VALUES (?, ?, ?, ?, ?)",
            vals![org.id, org.path.as_str(), activity, min_count, warn_days],
        )?;
    }
    rebuild_ok(c)
}

/// The counter periods that make up `period`: its week for a weekly rule (kept only for
/// activities some weekly rule counts, see `record`), else the calendar months it covers.
pub fn period_keys(period: &Period) -> Vec<String> {
    if period.frequency == Frequency::Weekly {
        vec![period.key()]
    } else {
        period.month_keys()
    }
}

/// Whether some weekly rule counts `activity`: a county rule (as tightened at the
/// organisation) or a campaign's rule (一周一报告).
fn counted_weekly(c: &mut dyn Conn, rule: Option<&CadenceRule>, activity: &str) -> Result<bool> {
    if rule.is_some_and(|r| r.frequency == Frequency::Weekly) {
        return Ok(true);
    }
    Ok(c.query_opt(
        "SELECT 1 FROM campaign_cadences WHERE activity = ? AND frequency = 'week'",
        vals![activity],
    )?
    .is_some())
}

/// Sum of an organisation's own counted records of `activity` in `period`.
pub fn direct_count(c: &mut dyn Conn, org_id: i64, activity: &str, period: &Period) -> Result<i64> {
    let months = period_keys(period);
    let marks = vec!["?"; months.len()].join(",");
    let mut params = vec![crate::Value::Int(org_id), count_metric(activity).into()];
    params.extend(months.into_iter().map(crate::Value::from));
    c.scalar(
        &format!("SELECT CAST(COALESCE(SUM(direct), 0) AS BIGINT) FROM rollups WHERE org_id = ? AND metric = ? AND period IN ({marks})"),
        &params,
    )
}

/// Counted records of `activity` in `period` for many organisations in one query: each one's
/// own (`subtree` false) or those of its whole subtree (true). Organisations with none are
/// absent.
pub fn counts_many(
    c: &mut dyn Conn,
    org_ids: &[i64],
    activity: &str,
    period: &Period,
    subtree: bool,
) -> Result<HashMap<i64, i64>> {
    let months = period_keys(period);
    let column = if subtree { "subtree" } else { "direct" };
    let mut out = HashMap::new();
    for chunk in org_ids.chunks(400) {
        let id_marks = vec!["?"; chunk.len()].join(",");
        let month_marks = vec!["?"; months.len()].join(",");
        let mut params = vec![crate::Value::from(count_metric(activity))];
        params.extend(chunk.iter().map(|i| crate::Value::Int(*i)));
        params.extend(months.iter().map(|m| crate::Value::from(m.as_str())));
        for r in c.query(
            &format!(
                "SELECT org_id, CAST(SUM({column}) AS BIGINT) FROM rollups WHERE metric = ? AND org_id IN ({id_marks}) AND period IN ({month_marks}) GROUP BY org_id"
            ),
            &params,
        )? {
            out.insert(r.i64(0)?, r.i64(1)?);
        }
    }
    Ok(out)
}

/// Records that one more (`delta` = 1) or one fewer (-1) record of `activity` on `date` counts
/// for the organisation, and moves its `ok:` counter when that crosses the rule's minimum.
pub fn record(
    c: &mut dyn Conn,
    org: &Org,
    activity: &str,
    date: chrono::NaiveDate,
    delta: i64,
) -> Result<()> {
    let month = format!("{}", date.format("%Y-%m"));
    let rule = effective(c, &org.path)?
        .into_iter()
        .find(|r| r.activity == activity);
    let before = match &rule {
        Some(r) => direct_count(c, org.id, activity, &Period::containing(r.frequency, date))?,
        None => 0,
    };
    rollup::bump(c, &org.path, &count_metric(activity), &month, delta)?;
    if counted_weekly(c, rule.as_ref(), activity)? {
        let week = Period::containing(Frequency::Weekly, date).key();
        rollup::bump(c, &org.path, &count_metric(activity), &week, delta)?;
    }
    if let Some(r) = rule.filter(|r| r.applies.fits(org.kind, org.committee_size)) {
        let after = before + delta;
        let was = before >= r.min_count;
        let is = after >= r.min_count;
        if was != is {
            let key = Period::containing(r.frequency, date).key();
            rollup::bump(
                c,
                &org.path,
                &ok_metric(activity),
                &key,
                if is { 1 } else { -1 },
            )?;
        }
    }
    Ok(())
}

/// Recomputes every `ok:` counter from the `count:` counters and the rules in force.
pub fn rebuild_ok(c: &mut dyn Conn) -> Result<()> {
    let rows = c.query(
        "SELECT r.org_id, r.metric, r.period, r.direct, o.path, o.kind, o.committee_size
         FROM rollups r JOIN orgs o ON o.id = r.org_id
         WHERE r.metric LIKE 'count:%' AND r.direct <> 0",
        &[],
    )?;
    let mut rules_at: HashMap<i64, Vec<CadenceRule>> = HashMap::new();
    let mut sums: HashMap<(i64, String, String), i64> = HashMap::new();
    for r in rows {
        let org_id = r.i64(0)?;
        let activity = r.text(1)?.trim_start_matches("count:").to_string();
        let Some(date) =
            chrono::NaiveDate::parse_from_str(&format!("{}-01", r.text(2)?), "%Y-%m-%d").ok()
        else {
            continue;
        };
        let kind = Some(crate::db::decode(
            &r.text(5)?,
            OrgKind::from_code,
            "组织类别",
        )?);
        if let std::collections::hash_map::Entry::Vacant(slot) = rules_at.entry(org_id) {
            slot.insert(effective(c, &r.text(4)?)?);
        }
        let Some(rule) = rules_at[&org_id].iter().find(|x| x.activity == activity) else {
            continue;
        };
        let committee_size = r.i64(6)?;
        if !kind.is_some_and(|k| rule.applies.fits(k, committee_size)) {
            continue;
        }
        let key = Period::containing(rule.frequency, date).key();
        *sums.entry((org_id, activity, key)).or_default() += r.i64(3)?;
    }
    let mut direct = Vec::new();
    for ((org_id, activity, key), n) in sums {
        let min = rules_at[&org_id]
            .iter()
            .find(|x| x.activity == activity)
            .map_or(i64::MAX, |r| r.min_count);
        if n >= min {
            direct.push((org_id, ok_metric(&activity), key, 1));
        }
    }
    let totals = rollup::accumulate(c, direct)?;
    c.execute("DELETE FROM rollups WHERE metric LIKE 'ok:%'", &[])?;
    rollup::insert_totals(c, totals)
}

/// Recomputes every `count:` counter from the records that count (held, valid meetings), then
/// the `ok:` counters. Used after a bulk load and to check the incremental figures.
pub fn rebuild_counts(c: &mut dyn Conn) -> Result<()> {
    let direct: Vec<(i64, String, String, i64)> = c
        .query(
            "SELECT org_id, kind, SUBSTR(held_on, 1, 7), COUNT(*) FROM meetings WHERE counted = 1 GROUP BY org_id, kind, SUBSTR(held_on, 1, 7)",
            &[],
        )?
        .into_iter()
        .map(|r| Ok((r.i64(0)?, count_metric(&r.text(1)?), r.text(2)?, r.i64(3)?)))
        .collect::<Result<_>>()?;
    let totals = rollup::accumulate(c, direct)?;
    c.execute("DELETE FROM rollups WHERE metric LIKE 'count:%'", &[])?;
    rollup::insert_totals(c, totals)?;
    rebuild_ok(c)
}

/// Every life counter as stored, for comparison after `rebuild_counts`.
pub fn stored_counts(c: &mut dyn Conn) -> Result<rollup::Totals> {
    c
        .query(
            "SELECT org_id, metric, period, direct, subtree FROM rollups
             WHERE (metric LIKE 'count:%' OR metric LIKE 'ok:%' OR metric IN ('talk_ok', 'trained', 'training_hours'))
               AND (direct <> 0 OR subtree <> 0)",
            &[],
        )?
        .into_iter()
        .map(|r| Ok(((r.i64(0)?, r.text(1)?, r.text(2)?), (r.i64(3)?, r.i64(4)?))))
        .collect::<Result<_>>()
}
