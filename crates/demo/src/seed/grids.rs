//! Demo 网格化: two or three grids (one with a 微网格) in every village branch, each with a
//! 网格长 and, in most, a 网格员; the village's households placed in them and about a fifth
//! 建档 (独居老人, 脱贫户, 留守儿童 …); members linked to households within their bounds; and a
//! year of visits, monthly to most households a rule covers. Deterministic for a seed; runs
//! after `points`, which made the households.

use chrono::{Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use xianfeng_domain::auth::{Actor, Role};
use xianfeng_domain::grid::{GridRole, VisitDraft};
use xianfeng_domain::org::{Org, OrgDomain};

use xianfeng_store::grids::{links, registry, visits};
use xianfeng_store::{people::orgs, Result, Store};

const NAMES: [&str; 3] = ["第一网格", "第二网格", "第三网格"];
const CATEGORIES: [&str; 6] = [
    "独居老人",
    "脱贫户",
    "留守儿童",
    "监测户",
    "残疾",
    "退役军人",
];
const FOUND: [&str; 4] = [
    "身体状况良好，生活正常",
    "家中用电线路老化",
    "子女在外务工，老人独居",
    "庄稼长势好，收入稳定",
];
const NEEDS: [&str; 4] = ["", "希望帮助联系维修", "希望定期上门看看", "咨询医保报销"];
const HELP: [&str; 3] = ["", "已联系村电工检修", "已协助办理"];

/// What was generated.
#[derive(Debug, Default)]
pub struct Generated {
    pub grids: usize,
    pub placed: usize,
    pub linked: usize,
    pub visits: usize,
}

fn county_actor(county: &Org) -> Actor {
    Actor {
        account_id: 0,
        username: "demo".into(),
        display_name: "演示数据".into(),
        role: Role::CountyAdmin,
        scope_org_id: county.id,
        scope_path: county.path.clone(),
        member_id: None,
    }
}

/// Generates the demo grids of the county, visits ending `today`.
pub fn generate(store: &Store, county_id: i64, today: NaiveDate) -> Result<Generated> {
    let mut rng = StdRng::seed_from_u64(0x0618_2026);
    let mut out = Generated::default();
    let county = store.read(|c| orgs::require(c, county_id))?;
    let actor = county_actor(&county);
    let villages: Vec<Org> = store.read(|c| -> Result<_> {
        Ok(orgs::branches_in(c, &county.path)?
            .into_iter()
            .filter(|o| o.domain == OrgDomain::Rural)
            .collect())
    })?;
    for village in villages {
        store.write(|c| -> Result<()> {
            let count = rng.gen_range(2..=3);
            let mut grids = Vec::new();
            let members = links::loads(c, &village.path, false)?;
            for (i, name) in NAMES.iter().take(count).enumerate() {
                let g = registry::create(c, &actor, &village, None, name)?;
                if let Some(m) = members.get(i) {
                    registry::add_staff(c, &actor, g, GridRole::Leader, Some(m.member_id), "")?;
                }
                if rng.gen_bool(0.85) {
                    let staff = members
                        .get(i + count)
                        .map(|m| (Some(m.member_id), String::new()))
                        .unwrap_or((None, format!("网格员{}", i + 1)));
                    registry::add_staff(c, &actor, g, GridRole::Staff, staff.0, &staff.1)?;
                }
                grids.push(g);
                out.grids += 1;
            }
            let micro = registry::create(c, &actor, &village, Some(grids[0]), "第一网格一组")?;
            out.grids += 1;
            let homes: Vec<i64> = c
                .query(
                    "SELECT id FROM households WHERE org_id = ? ORDER BY id",
                    xianfeng_store::vals![village.id],
                )?
                .iter()
                .map(|r| r.i64(0))
                .collect::<Result<_>>()?;
            // Members in turn, each up to their upper bound (两委 3, others 10).
            let mut loads: Vec<(i64, i64)> = members
                .iter()
                .map(|m| (m.member_id, m.bounds.max))
                .collect();
            let mut turn = 0usize;
            for (k, h) in homes.iter().enumerate() {
                let grid = if k % 7 == 6 {
                    micro
                } else {
                    grids[k % grids.len()]
                };
                links::place(c, &actor, *h, Some(grid))?;
                out.placed += 1;
                if rng.gen_bool(0.2) {
                    let cat = CATEGORIES[rng.gen_range(0..CATEGORIES.len())];
                    links::set_categories(c, &actor, *h, cat)?;
                }
                // About nine in ten households linked while members have room.
                if !loads.is_empty() && rng.gen_bool(0.9) {
                    for _ in 0..loads.len() {
                        let slot = turn % loads.len();
                        turn += 1;
                        if loads[slot].1 > 0 {
                            links::link(c, &actor, *h, loads[slot].0)?;
                            loads[slot].1 -= 1;
                            out.linked += 1;
                            break;
                        }
                    }
                }
            }
            Ok(())
        })?;
        // A year of visits by the linked members, monthly for most households.
        let linked: Vec<(i64, i64)> = store.read(|c| -> Result<_> {
            c.query(
                "SELECT l.household_id, MIN(l.member_id) FROM household_links l JOIN households h ON h.id = l.household_id
                 WHERE h.org_id = ? GROUP BY l.household_id ORDER BY l.household_id",
                xianfeng_store::vals![village.id],
            )?
            .iter()
            .map(|r| Ok((r.i64(0)?, r.i64(1)?)))
            .collect::<Result<_>>()
        })?;
        store.write(|c| -> Result<()> {
            for (h, m) in &linked {
                for months_ago in 0..12i64 {
                    if !rng.gen_bool(0.45) {
                        continue;
                    }
                    let on = today - Duration::days(months_ago * 30 + rng.gen_range(0..28));
                    let d = VisitDraft {
                        visited_on: on.min(today),
                        found: FOUND[rng.gen_range(0..FOUND.len())].into(),
                        needs: NEEDS[rng.gen_range(0..NEEDS.len())].into(),
                        help: HELP[rng.gen_range(0..HELP.len())].into(),
                    };
                    visits::record(c, &actor, *h, Some(*m), "", &d)?;
                    out.visits += 1;
                }
            }
            Ok(())
        })?;
    }
    Ok(out)
}
