//! `xianfeng bench`: subtree questions answered the maintained way (one roll-up row, one index
//! range) beside the obvious SQL (a recursive walk of the tree) on the same data.

pub mod coverage;
pub mod indicator;
pub mod points;
pub mod publish;

use std::time::Instant;

use xianfeng_store::db::Conn;
use xianfeng_store::{engines::rollup, people::members, people::orgs, Result, Store};

/// p50/p99 in milliseconds over the runs.
#[derive(Debug, Clone, Copy)]
pub struct Latency {
    pub p50: f64,
    pub p99: f64,
    pub runs: usize,
}

impl std::fmt::Display for Latency {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "p50 {:>9.3} ms  p99 {:>9.3} ms  ({} 次)",
            self.p50, self.p99, self.runs
        )
    }
}

/// Runs `f` once to warm the caches (not timed), then up to `runs` times or until
/// `budget_ms` is spent (at least 3 runs).
pub fn measure(
    runs: usize,
    budget_ms: f64,
    mut f: impl FnMut() -> Result<i64>,
) -> Result<(Latency, i64)> {
    let mut times = Vec::with_capacity(runs);
    let mut answer = f()?;
    let started = Instant::now();
    while times.len() < runs
        && (times.len() < 3 || started.elapsed().as_secs_f64() * 1000.0 < budget_ms)
    {
        let t = Instant::now();
        answer = f()?;
        times.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let pick = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    Ok((
        Latency {
            p50: pick(0.5),
            p99: pick(0.99),
            runs: times.len(),
        },
        answer,
    ))
}

pub(crate) const WALK: &str = "WITH RECURSIVE sub(id) AS (SELECT id FROM orgs WHERE id = ? UNION ALL SELECT o.id FROM orgs o JOIN sub ON o.parent_id = sub.id)";

/// Naive subtree member count: walk the tree, then count.
pub fn naive_count(c: &mut dyn Conn, org_id: i64) -> Result<i64> {
    c.scalar(
        &format!("{WALK} SELECT COUNT(*) FROM members WHERE org_id IN (SELECT id FROM sub)"),
        &[org_id.into()],
    )
}

/// Naive first page: walk the tree, then sort the members found.
pub fn naive_first_page(c: &mut dyn Conn, org_id: i64) -> Result<i64> {
    Ok(c.query(
        &format!(
            "{WALK} SELECT m.id, m.name, o.name FROM members m JOIN orgs o ON o.id = m.org_id
                 WHERE m.org_id IN (SELECT id FROM sub) ORDER BY m.org_path, m.id LIMIT 20"
        ),
        &[org_id.into()],
    )?
    .len() as i64)
}

pub fn fast_count(c: &mut dyn Conn, org_id: i64) -> Result<i64> {
    Ok(rollup::get(c, org_id, rollup::MEMBERS, "")?.1)
}

pub fn fast_first_page(c: &mut dyn Conn, org_path: &str) -> Result<i64> {
    Ok(
        members::list(c, org_path, &members::Filter::default(), 0, 20)?
            .items
            .len() as i64,
    )
}

/// One benchmark line: what, where, maintained vs naive.
pub struct Line {
    pub query: &'static str,
    pub level: &'static str,
    pub fast: Latency,
    pub naive: Latency,
    pub agree: bool,
}

/// Runs both subtree questions at the root, a town and a branch.
pub fn run(store: &Store, targets: &[(&'static str, i64)], runs: usize) -> Result<Vec<Line>> {
    let mut out = Vec::new();
    for (level, id) in targets {
        let org = store.read(|c| orgs::require(c, *id))?;
        let p = org.path.clone();
        let (fast, a) = measure(runs, 20_000.0, || store.read(|c| fast_count(c, *id)))?;
        let (naive, b) = measure(runs, 20_000.0, || store.read(|c| naive_count(c, *id)))?;
        out.push(Line {
            query: "子树党员数",
            level,
            fast,
            naive,
            agree: a == b,
        });
        let (fast, a) = measure(runs, 20_000.0, || store.read(|c| fast_first_page(c, &p)))?;
        let (naive, b) = measure(runs, 20_000.0, || store.read(|c| naive_first_page(c, *id)))?;
        out.push(Line {
            query: "名单第一页",
            level,
            fast,
            naive,
            agree: a == b,
        });
    }
    Ok(out)
}

/// This month's 主题党日: organisations that held one, from the maintained `ok:` counter.
pub fn fast_themed_done(c: &mut dyn Conn, org_id: i64, month: &str) -> Result<i64> {
    Ok(rollup::get(
        c,
        org_id,
        &xianfeng_store::engines::cadence::ok_metric("主题党日"),
        month,
    )?
    .1)
}

/// The same by walking the tree and scanning its meetings.
pub fn naive_themed_done(c: &mut dyn Conn, org_id: i64, month: &str) -> Result<i64> {
    c.scalar(
        &format!(
            "{WALK} SELECT COUNT(DISTINCT m.org_id) FROM meetings m
             WHERE m.org_id IN (SELECT id FROM sub) AND m.kind = '主题党日' AND m.counted = 1
               AND m.held_on >= ? AND m.held_on < ?"
        ),
        &[
            org_id.into(),
            format!("{month}-01").into(),
            format!("{month}-32").into(),
        ],
    )
}

/// Members who reached the yearly training hours, from the maintained counter.
pub fn fast_trained(c: &mut dyn Conn, org_id: i64, year: i32) -> Result<i64> {
    Ok(rollup::get(
        c,
        org_id,
        xianfeng_store::life::training::TRAINED,
        &year.to_string(),
    )?
    .1)
}

/// The same by walking the tree and summing every member's hours.
pub fn naive_trained(c: &mut dyn Conn, org_id: i64, year: i32, need: i64) -> Result<i64> {
    c.scalar(
        &format!(
            "{WALK} SELECT COUNT(*) FROM (SELECT h.member_id FROM training_hours h JOIN members p ON p.id = h.member_id
             WHERE p.org_id IN (SELECT id FROM sub) AND h.year = ? GROUP BY h.member_id HAVING CAST(SUM(h.hours) AS BIGINT) >= ?) t"
        ),
        &[org_id.into(), (year as i64).into(), need.into()],
    )
}

/// The organisational-life questions at each target.
pub fn run_life(
    store: &Store,
    targets: &[(&'static str, i64)],
    runs: usize,
    today: chrono::NaiveDate,
) -> Result<Vec<Line>> {
    use chrono::Datelike;
    let month = today.format("%Y-%m").to_string();
    let year = today.year();
    let need = store
        .read(|c| xianfeng_store::settings::rules(c))?
        .training_hours_per_year;
    let mut out = Vec::new();
    for (level, id) in targets {
        let (fast, a) = measure(runs, 20_000.0, || {
            store.read(|c| fast_themed_done(c, *id, &month))
        })?;
        let (naive, b) = measure(runs, 20_000.0, || {
            store.read(|c| naive_themed_done(c, *id, &month))
        })?;
        out.push(Line {
            query: "本月主题党日完成数",
            level,
            fast,
            naive,
            agree: a == b,
        });
        let (fast, a) = measure(runs, 20_000.0, || {
            store.read(|c| fast_trained(c, *id, year))
        })?;
        let (naive, b) = measure(runs, 20_000.0, || {
            store.read(|c| naive_trained(c, *id, year, need))
        })?;
        out.push(Line {
            query: "年度培训达标人数",
            level,
            fast,
            naive,
            agree: a == b,
        });
    }
    Ok(out)
}
