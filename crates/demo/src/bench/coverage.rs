//! The grids benchmark: `per_branch` households in every branch of the tree, four in five
//! linked to a member of the branch, then "households linked to a member under X" (联系群众
//! 覆盖) answered from the roll-up (one row) beside a recursive walk that scans the households
//! and their links (the obvious SQL on the same data).

use xianfeng_store::db::Value;
use xianfeng_store::engines::rollup;
use xianfeng_store::grids::LINKED;
use xianfeng_store::people::households::HOUSEHOLDS;
use xianfeng_store::{Result, Store};

use crate::bench::{measure, Line, WALK};
use crate::seed::insert_rows;

const CODE: &str = "bench-hh-";

/// Writes the benchmark households and links on first use; returns how many households it
/// wrote (0 when they were already there).
pub fn prepare(store: &Store, per_branch: i64) -> Result<i64> {
    let there = store.read(|c| {
        c.scalar(
            "SELECT COUNT(*) FROM households WHERE code LIKE ?",
            xianfeng_store::vals![format!("{CODE}%")],
        )
    })?;
    if there > 0 || per_branch <= 0 {
        return Ok(0);
    }
    // Each branch with the first of its members (links need one).
    let branches: Vec<(i64, String, Option<i64>)> = store.read(|c| -> Result<_> {
        c.query(
            "SELECT o.id, o.path, (SELECT MIN(m.id) FROM members m WHERE m.org_id = o.id)
             FROM orgs o WHERE o.kind IN ('branch','joint_branch','functional_branch') AND o.dissolved_on IS NULL ORDER BY o.id",
            &[],
        )?
        .iter()
        .map(|r| Ok((r.i64(0)?, r.text(1)?, r.opt_i64(2)?)))
        .collect::<Result<_>>()
    })?;
    let mut next =
        store.read(|c| c.scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM households", &[]))?;
    let mut written = 0i64;
    for chunk in branches.chunks(2_000) {
        let mut homes = Vec::new();
        let mut links = Vec::new();
        let mut bumps = Vec::new();
        for (org, path, member) in chunk {
            let mut linked = 0;
            for k in 0..per_branch {
                homes.push(vec![
                    Value::Int(next),
                    Value::Int(*org),
                    path.as_str().into(),
                    format!("户主{k}").into(),
                    format!("{k}号").into(),
                    format!("{CODE}{next}").into(),
                    Value::Int(0),
                    "2026-01-01T00:00:00+08:00".into(),
                ]);
                if let Some(m) = member.filter(|_| k % 5 != 4) {
                    links.push(vec![
                        Value::Int(next),
                        Value::Int(m),
                        "2026-01-01T00:00:00+08:00".into(),
                    ]);
                    linked += 1;
                }
                next += 1;
            }
            bumps.push((path.clone(), linked));
        }
        written += homes.len() as i64;
        store.write(|c| -> Result<()> {
            insert_rows(
                c,
                "households",
                &[
                    "id",
                    "org_id",
                    "org_path",
                    "head_name",
                    "address",
                    "code",
                    "account_id",
                    "created_at",
                ],
                &homes,
            )?;
            insert_rows(
                c,
                "household_links",
                &["household_id", "member_id", "created_at"],
                &links,
            )?;
            // The counters move through the engine, once per branch by its whole count.
            for (path, linked) in &bumps {
                rollup::bump(c, path, HOUSEHOLDS, "", per_branch)?;
                rollup::bump(c, path, LINKED, "", *linked)?;
            }
            Ok(())
        })?;
    }
    Ok(written)
}

/// Households linked to a member under X: the roll-up row beside the recursive walk.
pub fn run(store: &Store, targets: &[(&'static str, i64)], runs: usize) -> Result<Vec<Line>> {
    let mut out = Vec::new();
    for (level, id) in targets {
        let (fast, a) = measure(runs, 20_000.0, || {
            store.read(|c| Ok(rollup::get(c, *id, LINKED, "")?.1))
        })?;
        let (naive, b) = measure(runs, 60_000.0, || {
            store.read(|c| {
                c.scalar(
                    &format!(
                        "{WALK} SELECT COUNT(*) FROM households h WHERE h.org_id IN (SELECT id FROM sub)
                         AND EXISTS (SELECT 1 FROM household_links l WHERE l.household_id = h.id)"
                    ),
                    &[(*id).into()],
                )
            })
        })?;
        out.push(Line {
            query: "联系群众覆盖户数",
            level,
            fast,
            naive,
            agree: a == b,
        });
    }
    Ok(out)
}
