//! Demo 积分制: the county's default catalogue and one town rule; households and residents in
//! the demo branch and a few dozen village branches; a stocked store in a dozen of them; a
//! year of points for their residents and members (grants, a few deductions, a reversal),
//! redemptions, and this week's claims waiting for review. Deterministic for a seed.

use chrono::{Datelike, Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use xianfeng_domain::auth::{Actor, Role};
use xianfeng_domain::household::ResidentInput;
use xianfeng_domain::org::{Org, OrgDomain};
use xianfeng_domain::points::{
    default_rules, Audience, Caps, EarnDraft, ItemDraft, RedeemDraft, RuleDraft, Trigger,
};

use crate::seed::{FEMALE, MALE, SURNAMES};
use xianfeng_store::points::point_claims::{self, By, Grant};
use xianfeng_store::points::point_rules::{self, Rule};
use xianfeng_store::points::{self, Account, Ledger};
use xianfeng_store::{people::households, people::orgs, points::point_shop, Result, Store};

const ITEMS: [(&str, i64, i64); 6] = [
    ("洗衣粉", 30, 80),
    ("洗洁精", 15, 120),
    ("毛巾", 20, 100),
    ("食用油（5升）", 120, 20),
    ("大米（10斤）", 100, 30),
    ("保温杯", 60, 25),
];

const GROUPS: [&str; 6] = ["一组", "二组", "三组", "四组", "五组", "六组"];

/// What was generated.
#[derive(Debug, Default)]
pub struct Generated {
    pub households: usize,
    pub residents: usize,
    pub entries: usize,
    pub redemptions: usize,
    pub pending: usize,
}

fn clerk(at: &Org) -> Actor {
    Actor {
        account_id: 0,
        username: "demo".into(),
        display_name: "演示数据".into(),
        role: Role::BranchSecretary,
        scope_org_id: at.id,
        scope_path: at.path.clone(),
        member_id: None,
    }
}

fn name(rng: &mut StdRng, surname: char, male: bool) -> String {
    let given = if male {
        MALE[rng.gen_range(0..MALE.len())]
    } else {
        FEMALE[rng.gen_range(0..FEMALE.len())]
    };
    format!("{surname}{given}")
}

/// Households of one village: 2–4 people each, the head first.
fn village_people(store: &Store, rng: &mut StdRng, village: &Org, count: usize) -> Result<usize> {
    let surnames: Vec<char> = SURNAMES.chars().collect();
    let mut added = 0;
    store.write(|c| -> xianfeng_store::Result<_> {
        for h in 0..count {
            let surname = surnames[rng.gen_range(0..surnames.len())];
            let head = name(rng, surname, true);
            let address = format!(
                "{}{}号",
                GROUPS[h % GROUPS.len()],
                1 + h / GROUPS.len() * 3 + rng.gen_range(0..3)
            );
            let mut people = vec![(head.clone(), "户主")];
            let spouse_surname = surnames[rng.gen_range(0..surnames.len())];
            people.push((name(rng, spouse_surname, false), "配偶"));
            for _ in 0..rng.gen_range(0..3) {
                let male = rng.gen_bool(0.5);
                people.push((name(rng, surname, male), "子女"));
            }
            for (n, relation) in people {
                let d = ResidentInput {
                    head_name: head.clone(),
                    address: address.clone(),
                    name: n,
                    relation: relation.into(),
                    ..ResidentInput::default()
                }
                .validate()?;
                households::add_resident(c, &store.vault, None, village, &d)?;
                added += 1;
            }
        }
        Ok(())
    })?;
    Ok(added)
}

/// Generates the demo points for the county, ending `today`.
pub fn generate(
    store: &Store,
    county_id: i64,
    home_branch: i64,
    today: NaiveDate,
) -> Result<Generated> {
    let mut rng = StdRng::seed_from_u64(0x9011_2026);
    let mut out = Generated::default();
    let county = store.read(|c| orgs::require(c, county_id))?;
    let (rules, villages) = store.write(|c| -> xianfeng_store::Result<_> {
        for d in default_rules() {
            point_rules::create(c, None, &county, &d)?;
        }
        let mut villages: Vec<Org> = orgs::branches_in(c, &county.path)?
            .into_iter()
            .filter(|o| o.domain == OrgDomain::Rural || o.id == home_branch)
            .collect();
        villages.sort_by_key(|o| (o.id != home_branch, o.id));
        villages.truncate(40);
        if let Some(town) = villages
            .first()
            .and_then(|v| v.parent_id)
            .map(|id| orgs::require(c, id))
            .transpose()?
        {
            point_rules::create(
                c,
                None,
                &town,
                &RuleDraft {
                    action: "参加“清洁家园”义务劳动日".into(),
                    category: "环境整治".into(),
                    points: 3,
                    audience: Audience::All,
                    evidence_required: false,
                    approval_required: false,
                    caps: Caps {
                        month: Some(6),
                        ..Caps::default()
                    },
                    valid_from: None,
                    valid_to: None,
                    trigger: Trigger::Manual,
                },
            )?;
        }
        Ok((
            point_rules::for_org(
                c,
                &villages.first().map(|v| v.path.clone()).unwrap_or_default(),
            )?,
            villages,
        ))
    })?;
    // Attendance rules reach back over this year's meetings of the villages.
    store.write(|c| -> xianfeng_store::Result<_> {
        for v in &villages {
            let ids = c.query(
                "SELECT id FROM meetings WHERE org_id = ? AND counted = 1 AND held_on >= ?",
                &[v.id.into(), format!("{}-01-01", today.year()).into()],
            )?;
            for r in ids {
                if let Some(m) = xianfeng_store::life::meetings::get(c, r.i64(0)?)? {
                    xianfeng_store::points::point_triggers::sync_meeting(c, &m)?;
                }
            }
        }
        Ok(())
    })?;
    for (i, v) in villages.iter().enumerate() {
        out.residents += village_people(store, &mut rng, v, if i == 0 { 12 } else { 6 })?;
        out.households += if i == 0 { 12 } else { 6 };
    }
    let earning: Vec<Rule> = rules
        .iter()
        .filter(|r| r.draft.points > 0)
        .cloned()
        .collect();
    let faults: Vec<Rule> = rules
        .iter()
        .filter(|r| r.draft.points < 0)
        .cloned()
        .collect();
    for (i, v) in villages.iter().enumerate() {
        let generated = store.write(|c| -> xianfeng_store::Result<_> {
            let mut people: Vec<Account> = c
                .query(
                    "SELECT id FROM point_accounts WHERE kind = 'person' AND org_id = ? ORDER BY id",
                    &[v.id.into()],
                )?
                .iter()
                .map(|r| points::account(c, r.i64(0)?))
                .collect::<Result<_>>()?;
            for m in c.query("SELECT id FROM members WHERE org_id = ? ORDER BY id LIMIT 20", &[v.id.into()])? {
                people.push(points::member_account(c, m.i64(0)?)?);
            }
            let mut ledger = Ledger::default();
            let mut n = 0;
            for p in &people {
                let kind = p.person_kind().unwrap_or(xianfeng_domain::points::PersonKind::Resident);
                for back in (0..12).rev() {
                    let month = (today - Duration::days(30 * back)).with_day(1).unwrap_or(today);
                    for _ in 0..rng.gen_range(0..4) {
                        let day = month + Duration::days(rng.gen_range(0..28));
                        if day > today {
                            continue;
                        }
                        let rule = &earning[rng.gen_range(0..earning.len())];
                        if rule.draft.usable(day, kind).is_err() {
                            continue;
                        }
                        let grant = Grant { person: p, rule, day, note: "", claim_id: None, actor_id: None , source_ref: None};
                        if point_claims::apply(c, &mut ledger, &grant).is_ok() {
                            n += 1;
                        }
                    }
                }
                if rng.gen_bool(0.08) {
                    let rule = &faults[rng.gen_range(0..faults.len())];
                    let grant = Grant { person: p, rule, day: today - Duration::days(rng.gen_range(3..60)), note: "网格员巡查发现", claim_id: None, actor_id: None , source_ref: None};
                    if point_claims::apply(c, &mut ledger, &grant).is_ok() {
                        n += 1;
                    }
                }
            }
            ledger.finish(c)?;
            Ok(n)
        })?;
        out.entries += generated;
        if i < 12 {
            out.redemptions += stock_and_redeem(store, &mut rng, v, today)?;
        }
    }
    out.pending = pending_claims(store, &villages, &earning, today)?;
    Ok(out)
}

/// A store with its items, and a few redemptions by the village's households this month.
fn stock_and_redeem(
    store: &Store,
    rng: &mut StdRng,
    village: &Org,
    today: NaiveDate,
) -> Result<usize> {
    let clerk = clerk(village);
    store.write(|c| {
        let id = point_shop::open(
            c,
            None,
            village,
            &format!(
                "{}积分超市",
                village
                    .name
                    .trim_end_matches("党支部")
                    .trim_end_matches("党总支")
            ),
        )?;
        let shop = point_shop::get(c, id)?;
        for (name, price, stock) in ITEMS {
            point_shop::stock_item(
                c,
                &clerk,
                &shop,
                &ItemDraft {
                    name: name.into(),
                    price,
                    stock,
                },
            )?;
        }
        let items = point_shop::items(c, id)?;
        let codes: Vec<String> = c
            .query(
                "SELECT code FROM households WHERE org_id = ? ORDER BY id",
                &[village.id.into()],
            )?
            .iter()
            .map(|r| r.text(0))
            .collect::<Result<_>>()?;
        let mut n = 0;
        for code in codes {
            if rng.gen_bool(0.5) {
                let item = &items[rng.gen_range(0..3)];
                let d = RedeemDraft {
                    code,
                    item_id: item.id,
                    quantity: 1,
                };
                if point_shop::redeem(
                    c,
                    &clerk,
                    &shop,
                    &d,
                    today - Duration::days(rng.gen_range(0..10)),
                )
                .is_ok()
                {
                    n += 1;
                }
            }
        }
        Ok(n)
    })
}

/// This week's claims from the first villages' households, waiting for the branch.
fn pending_claims(
    store: &Store,
    villages: &[Org],
    earning: &[Rule],
    today: NaiveDate,
) -> Result<usize> {
    let Some(rule) = earning
        .iter()
        .find(|r| r.draft.approval_required && !r.draft.evidence_required)
        .or_else(|| earning.iter().find(|r| r.draft.approval_required))
    else {
        return Ok(0);
    };
    let mut n = 0;
    for v in villages.iter().take(3) {
        store.write(|c| -> xianfeng_store::Result<_> {
            let people: Vec<i64> = c
                .query("SELECT id FROM point_accounts WHERE kind = 'person' AND resident_id IS NOT NULL AND org_id = ? ORDER BY id LIMIT 3", &[v.id.into()])?
                .iter()
                .map(|r| r.i64(0))
                .collect::<Result<_>>()?;
            for (k, p) in people.into_iter().enumerate() {
                let d = EarnDraft { rule_id: rule.id, day: today - Duration::days(k as i64), note: "参加村里组织的志愿服务".into() };
                let mut photo = crate::seed::supervision::DEMO_PHOTO.to_vec();
                photo.extend_from_slice(format!("claim-{}-{p}", v.id).as_bytes());
                let evidence = rule.draft.evidence_required.then_some(("image/png", photo.as_slice()));
                if point_claims::earn(c, By::Card, p, &d, evidence).is_ok() {
                    n += 1;
                }
            }
            Ok(())
        })?;
    }
    Ok(n)
}
