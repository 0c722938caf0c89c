//! The campaign benchmark: one indicator assigned to every branch of the tree and `records`
//! appended progress reports spread over them, then "how many branches under X have met the
//! indicator" answered from the roll-up (one row) beside a recursive walk that finds each
//! assignment's latest report (the obvious SQL on the same data).

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use xianfeng_domain::auth::{Actor, Role};
use xianfeng_domain::campaign::{Comparator, Measure, Target};

use crate::bench::{measure, Line};
use crate::seed::insert_rows;
use xianfeng_store::campaigns::{self, NewTask};
use xianfeng_store::db::{Conn, Dialect, Value};
use xianfeng_store::{engines::rollup, people::orgs, Result, Store};

/// Target of the benchmark indicator: at least this many 党员先锋岗 per branch.
const TARGET: f64 = 3.0;
const TITLE: &str = "性能测试：党员先锋岗";

/// The benchmark indicator, created with its reports on first use: `(indicator, task)`.
pub fn prepare(store: &Store, records: i64, seed: u64) -> Result<Option<(i64, i64)>> {
    if let Some(found) = store.read(|c| -> xianfeng_store::Result<_> {
        c.query_opt(
            "SELECT n.id, t.id FROM indicators n JOIN tasks t ON t.id = n.task_id WHERE t.title = ?",
            xianfeng_store::vals![TITLE],
        )?
        .map(|r| -> Result<_> { Ok((r.i64(0)?, r.i64(1)?)) }).transpose()
    })? {
        return Ok(Some(found));
    }
    if records <= 0 {
        return Ok(None);
    }
    let started = std::time::Instant::now();
    let root = store.read(|c| {
        orgs::roots(c)?
            .into_iter()
            .next()
            .ok_or(xianfeng_store::StoreError::NotFound("组织树"))
    })?;
    let actor = Actor {
        account_id: 0,
        username: "bench".into(),
        display_name: "性能测试".into(),
        role: Role::CountyAdmin,
        scope_org_id: root.id,
        scope_path: root.path.clone(),
        member_id: None,
    };
    // The task is created for the root only; the branches' assignments are written in bulk.
    let (task, indicator) = store.write(|c| -> xianfeng_store::Result<_> {
        let id = campaigns::create(c, &actor, &root, "性能测试活动", 2026, None, &[])?;
        let camp = campaigns::get(c, id)?.ok_or(xianfeng_store::StoreError::NotFound("活动"))?;
        let task = campaigns::add_task(
            c,
            &camp,
            &NewTask {
                category: "岗位建功先锋".into(),
                title: TITLE.into(),
                detail: String::new(),
                lead: String::new(),
                due_on: None,
                indicators: vec![(
                    "党员先锋岗".into(),
                    Target {
                        quantity: TARGET,
                        quantity_max: None,
                        unit: "个".into(),
                        comparator: Comparator::AtLeast,
                    },
                    Measure::Reported,
                )],
                assignees: vec![root.id],
                ..Default::default()
            },
        )?;
        let ind = c.scalar(
            "SELECT id FROM indicators WHERE task_id = ?",
            xianfeng_store::vals![task],
        )?;
        Ok((task, ind))
    })?;
    let branches: Vec<(i64, String)> = store.read(|c| -> xianfeng_store::Result<_> {
        c
            .query(
                "SELECT id, path FROM orgs WHERE kind IN ('branch','joint_branch','functional_branch') AND dissolved_on IS NULL ORDER BY id",
                &[],
            )?
            .into_iter()
            .map(|r| Ok((r.i64(0)?, r.text(1)?)))
            .collect::<Result<_>>()
    })?;
    let first_assignment =
        store.read(|c| c.scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM assignments", &[]))?;
    for chunk in branches.chunks(20_000).enumerate() {
        let (k, list) = chunk;
        let rows: Vec<Vec<Value>> = list
            .iter()
            .enumerate()
            .map(|(i, (id, p))| {
                vec![
                    Value::Int(first_assignment + (k * 20_000 + i) as i64),
                    Value::Int(task),
                    Value::Int(*id),
                    p.as_str().into(),
                ]
            })
            .collect();
        store.write(|c| {
            insert_rows(
                c,
                "assignments",
                &["id", "task_id", "org_id", "org_path"],
                &rows,
            )
        })?;
    }
    // Reports: each appended to a random assignment with a rising figure; the latest wins.
    let n = branches.len() as i64;
    let mut rng = StdRng::seed_from_u64(seed);
    let first_report =
        store.read(|c| c.scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM progress_reports", &[]))?;
    let mut latest = vec![(0i64, 0.0f64); branches.len()];
    let batch = 50_000i64;
    let mut written = 0i64;
    while written < records {
        let take = batch.min(records - written);
        let mut rows = Vec::with_capacity(take as usize);
        for j in 0..take {
            let id = first_report + written + j;
            let b = rng.gen_range(0..n) as usize;
            let q = (latest[b].1 + rng.gen_range(0.0..1.0f64) * 0.02).min(TARGET * 2.0);
            let q = (q * 100.0).round() / 100.0;
            latest[b] = (id, q);
            rows.push(vec![
                Value::Int(id),
                Value::Int(first_assignment + b as i64),
                Value::Int(indicator),
                Value::Real(q),
                "阶段进展".into(),
                Value::Int(0),
                "2026-11-01T10:00:00+08:00".into(),
            ]);
        }
        store.write(|c| {
            insert_rows(
                c,
                "progress_reports",
                &[
                    "id",
                    "assignment_id",
                    "indicator_id",
                    "quantity",
                    "narrative",
                    "actor_id",
                    "at",
                ],
                &rows,
            )
        })?;
        written += take;
    }
    let now: Vec<Vec<Value>> = latest
        .iter()
        .enumerate()
        .filter(|(_, (id, _))| *id > 0)
        .map(|(b, (id, q))| {
            vec![
                Value::Int(first_assignment + b as i64),
                Value::Int(indicator),
                Value::Real(*q),
                Value::Int(*id),
            ]
        })
        .collect();
    store.write(|c| {
        for chunk in now.chunks(20_000) {
            insert_rows(c, "progress_now", &["assignment_id", "indicator_id", "quantity", "report_id"], chunk)?;
        }
        if c.dialect() == Dialect::Postgres {
            for t in ["assignments", "progress_reports"] {
                c.query(
                    &format!("SELECT setval(pg_get_serial_sequence('{t}', 'id'), GREATEST((SELECT MAX(id) FROM {t}), 1))"),
                    &[],
                )?;
            }
            c.execute("ANALYZE", &[])?;
        }
        campaigns::rebuild_rollups(c)
    })?;
    println!(
        "生成活动指标：{}个支部承担，{}条进展报送，{:.1}秒",
        branches.len(),
        records,
        started.elapsed().as_secs_f64()
    );
    Ok(Some((indicator, task)))
}

/// Branches under `org_id` that met the indicator: one roll-up row.
pub fn fast_done(c: &mut dyn Conn, org_id: i64, indicator: i64) -> Result<i64> {
    Ok(rollup::get(c, org_id, &campaigns::done_metric(indicator), "")?.1)
}

/// The same by walking the tree and reading each assignment's latest report.
pub fn naive_done(c: &mut dyn Conn, org_id: i64, indicator: i64, task: i64) -> Result<i64> {
    c.scalar(
        &format!(
            "{} SELECT COUNT(*) FROM assignments a
             WHERE a.task_id = ? AND a.org_id IN (SELECT id FROM sub)
               AND (SELECT r.quantity FROM progress_reports r WHERE r.assignment_id = a.id AND r.indicator_id = ?
                    ORDER BY r.id DESC LIMIT 1) >= ?",
            crate::bench::WALK
        ),
        &[org_id.into(), task.into(), indicator.into(), Value::Real(TARGET)],
    )
}

pub fn run(
    store: &Store,
    targets: &[(&'static str, i64)],
    runs: usize,
    indicator: i64,
    task: i64,
) -> Result<Vec<Line>> {
    let mut out = Vec::new();
    for (level, id) in targets {
        let (fast, a) = measure(runs, 20_000.0, || {
            store.read(|c| fast_done(c, *id, indicator))
        })?;
        let (naive, b) = measure(runs, 60_000.0, || {
            store.read(|c| naive_done(c, *id, indicator, task))
        })?;
        out.push(Line {
            query: "指标达标支部数",
            level,
            fast,
            naive,
            agree: a == b,
        });
    }
    Ok(out)
}
