//! The points benchmark: ledger writes through the real posting path (one grant per durable
//! transaction, and grants committed in batches), then the year's top ten of a subtree from
//! the maintained period totals beside a GROUP BY over the ledger on the same data.

use std::time::Instant;

use chrono::{Datelike, Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use xianfeng_domain::points::{Audience, Caps, RuleDraft};

use crate::bench::{measure, Line};
use xianfeng_store::points::point_claims::{self, Grant};
use xianfeng_store::points::point_rules::{self, Rule};
use xianfeng_store::points::{self, Account, Ledger, PERSON};
use xianfeng_store::{people::orgs, points::point_board, Result, Store};

const ACTION: &str = "性能测试：参加志愿服务";

/// What writing the ledger measured.
#[derive(Debug, Clone, Copy)]
pub struct Writes {
    /// Grants committed one per transaction, per second.
    pub single_per_s: f64,
    pub single: usize,
    /// Grants committed in batches, per second, and the batch size.
    pub batched_per_s: f64,
    pub batched: usize,
    pub batch: usize,
}

fn rule(store: &Store) -> Result<Option<Rule>> {
    store.read(|c| {
        let id = c.query_opt(
            "SELECT id FROM point_rules WHERE action = ?",
            xianfeng_store::vals![ACTION],
        )?;
        id.map(|r| point_rules::get(c, r.i64(0)?)).transpose()
    })
}

/// Accounts for every member, then `grants` grants spread over this year's days and the
/// members at random: most in batches of `batch` per transaction, a few thousand one per
/// transaction. Returns `None` when the data was already there (nothing measured).
pub fn prepare(
    store: &Store,
    grants: usize,
    batch: usize,
    today: NaiveDate,
) -> Result<Option<Writes>> {
    if rule(store)?.is_some() || grants == 0 {
        return Ok(None);
    }
    let root = store.read(|c| {
        orgs::roots(c)?
            .into_iter()
            .next()
            .ok_or(xianfeng_store::StoreError::NotFound("组织树"))
    })?;
    let rule = store.write(|c| {
        c.execute(
            "INSERT INTO point_accounts (kind, member_id, org_id, org_path, name)
             SELECT 'person', m.id, m.org_id, m.org_path, m.name FROM members m
             WHERE NOT EXISTS (SELECT 1 FROM point_accounts a WHERE a.member_id = m.id)",
            &[],
        )?;
        let id = point_rules::create(
            c,
            None,
            &root,
            &RuleDraft {
                action: ACTION.into(),
                category: "性能测试".into(),
                points: 5,
                audience: Audience::All,
                evidence_required: false,
                approval_required: false,
                caps: Caps::default(),
                valid_from: None,
                valid_to: None,
                trigger: xianfeng_domain::points::Trigger::Manual,
            },
        )?;
        point_rules::get(c, id)
    })?;
    let people: Vec<i64> = store.read(|c| -> xianfeng_store::Result<_> {
        c.query(
            "SELECT id FROM point_accounts WHERE kind = 'person' ORDER BY id",
            &[],
        )?
        .iter()
        .map(|r| r.i64(0))
        .collect::<Result<_>>()
    })?;
    if people.is_empty() {
        return Ok(None);
    }
    let mut rng = StdRng::seed_from_u64(0xbe7c_2026);
    let year_start = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let span = (today - year_start).num_days().max(0);
    let pick = |rng: &mut StdRng| {
        (
            people[rng.gen_range(0..people.len())],
            year_start + Duration::days(rng.gen_range(0..=span)),
        )
    };
    let grant = |c: &mut dyn xianfeng_store::Conn, ledger: &mut Ledger, person: &Account, day| {
        let g = Grant {
            person,
            rule: &rule,
            day,
            note: "",
            claim_id: None,
            actor_id: None,
            source_ref: None,
        };
        point_claims::apply(c, ledger, &g)
    };
    let single = 2_000.min(grants);
    let started = Instant::now();
    for _ in 0..single {
        let (id, day) = pick(&mut rng);
        store.write(|c| {
            let person = points::lock(c, id)?;
            let mut ledger = Ledger::default();
            grant(c, &mut ledger, &person, day)?;
            ledger.finish(c)
        })?;
    }
    let single_per_s = single as f64 / started.elapsed().as_secs_f64().max(1e-9);
    let batched = grants - single;
    let started = Instant::now();
    let mut done = 0;
    while done < batched {
        let take = batch.min(batched - done);
        let chosen: Vec<(i64, NaiveDate)> = (0..take).map(|_| pick(&mut rng)).collect();
        store.write(|c| {
            let mut ledger = Ledger::default();
            for (id, day) in &chosen {
                let person = points::account(c, *id)?;
                grant(c, &mut ledger, &person, *day)?;
            }
            ledger.finish(c)
        })?;
        done += take;
    }
    let batched_per_s = batched as f64 / started.elapsed().as_secs_f64().max(1e-9);
    store.write(|c| -> xianfeng_store::Result<_> {
        if c.dialect() == xianfeng_store::Dialect::Postgres {
            c.execute("ANALYZE", &[])?;
        }
        Ok(())
    })?;
    Ok(Some(Writes {
        single_per_s,
        single,
        batched_per_s,
        batched,
        batch,
    }))
}

fn fingerprint(list: &[(i64, i64)]) -> i64 {
    list.iter().fold(17i64, |h, (id, p)| {
        h.wrapping_mul(31).wrapping_add(id * 1_000_003 + p)
    })
}

/// The year's top ten at each level: period totals beside a GROUP BY over the ledger.
pub fn run(
    store: &Store,
    targets: &[(&'static str, i64)],
    runs: usize,
    today: NaiveDate,
) -> Result<Vec<Line>> {
    if rule(store)?.is_none() {
        return Ok(Vec::new());
    }
    let year = today.year();
    let (from, to) = (format!("{year}-01-01"), format!("{year}-12-31"));
    let mut out = Vec::new();
    for (level, id) in targets {
        let org = store.read(|c| orgs::require(c, *id))?;
        let (fast, a) = measure(runs, 20_000.0, || {
            store.read(|c| {
                let top = point_board::top(c, &org.path, PERSON, &year.to_string(), 10)?;
                Ok(fingerprint(
                    &top.iter()
                        .map(|s| (s.account_id, s.points))
                        .collect::<Vec<_>>(),
                ))
            })
        })?;
        let (naive, b) = measure(runs, 60_000.0, || {
            store.read(|c| {
                Ok(fingerprint(&point_board::top_by_group(
                    c, &org.path, &from, &to, 10,
                )?))
            })
        })?;
        out.push(Line {
            query: "年度积分前十名",
            level,
            fast,
            naive,
            agree: a == b,
        });
    }
    Ok(out)
}
