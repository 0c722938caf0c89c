//! Publishing a 15,000-character plan at the root of the tree: `plans::publish` (the tree read
//! once, every unit matched in memory, computed figures from roll-up rows) beside the obvious
//! way (each measure's units looked up by a recursive walk of the tree). Both run in a
//! transaction that is rolled back, so the data stays as it was; they agree when they make
//! the same number of assignments.

use serde_json::{json, Value as Json};
use xianfeng_domain::auth::{Actor, Role};
use xianfeng_domain::campaign::{accepted_target, Measure, TaskKind, ACCEPTED_LABEL};
use xianfeng_store::campaigns::{self, NewTask};
use xianfeng_store::db::Conn;
use xianfeng_store::plans::{drafts, publish};
use xianfeng_store::{people::orgs, Result, Store, StoreError};

use super::{measure, Line, WALK};

const UNITS: [&[&str]; 5] = [
    &["各镇（街）党（工）委"],
    &["县委组织部", "县民政局"],
    &["县直机关工委", "县委教育工委"],
    &["县委组织部", "各镇（街）党（工）委"],
    &["县卫健局"],
];

/// A plan of about `chars` characters of measures: numbered items under ten sections, each
/// naming its units; every fifth holds a target of its own.
pub fn plan(chars: usize) -> Json {
    let body = "，坚持问题导向和目标导向，细化工作措施，明确责任分工，建立工作台账，定期调度推进，确保各项任务落地见效，形成一批可复制可推广的经验做法。";
    let mut measures = Vec::new();
    let mut targets = Vec::new();
    let mut sections = Vec::new();
    let mut total = 0;
    let mut i = 0;
    while total < chars {
        let section = format!("{}", i / 10 + 1);
        let number = format!("{}", i % 10 + 1);
        if i % 10 == 0 {
            sections.push(json!({"number": section, "title": format!("第{section}部分重点任务"), "children": []}));
        }
        let text = format!("第{}项措施：围绕基层党建重点任务{body}", i + 1);
        total += text.chars().count();
        let path = json!([section, number]);
        if i % 5 == 4 {
            targets.push(
                json!({"text": format!("第{}项措施全年建立党员先锋岗3个以上", i + 1), "quantity": 3,
                "quantity_max": null, "unit": "个", "comparator": ">=", "per": null,
                "subject": "党员先锋岗", "path": path}),
            );
        }
        measures.push(json!({"text": text, "path": path, "units": UNITS[i % UNITS.len()], "deadline": "11月底前"}));
        i += 1;
    }
    json!({"title": "基层党建重点任务实施方案", "sections": sections, "targets": targets,
           "cadences": [], "phases": [], "criteria": [], "responsible": [],
           "measures": measures, "quotas": [], "ignored": []})
}

/// Publishing's answer or a store failure; the answer rolls the transaction back.
enum Outcome {
    Store(StoreError),
    Made(i64),
}

impl From<StoreError> for Outcome {
    fn from(e: StoreError) -> Self {
        Outcome::Store(e)
    }
}

fn rolled_back(store: &Store, f: impl FnOnce(&mut dyn Conn) -> Result<i64>) -> Result<i64> {
    match store.write(|c| -> std::result::Result<(), Outcome> { Err(Outcome::Made(f(c)?)) }) {
        Ok(()) => Ok(0),
        Err(Outcome::Made(n)) => Ok(n),
        Err(Outcome::Store(e)) => Err(e),
    }
}

fn actor(root: &xianfeng_domain::org::Org) -> Actor {
    Actor {
        account_id: 0,
        username: "bench".into(),
        display_name: "性能测试".into(),
        role: Role::CountyAdmin,
        scope_org_id: root.id,
        scope_path: root.path.clone(),
        member_id: None,
    }
}

fn assignments(c: &mut dyn Conn, campaign: i64) -> Result<i64> {
    c.scalar(
        "SELECT COUNT(*) FROM assignments a JOIN tasks t ON t.id = a.task_id WHERE t.campaign_id = ?",
        &[campaign.into()],
    )
}

/// The store's way: a draft, then `publish`.
pub fn fast(c: &mut dyn Conn, root_id: i64, plan: &Json) -> Result<i64> {
    let root = orgs::require(c, root_id)?;
    let a = actor(&root);
    let id = drafts::create(
        c,
        &a,
        &root,
        "方案.txt",
        "基层党建重点任务实施方案",
        "",
        plan,
    )?;
    let d = drafts::get(c, id)?.ok_or(StoreError::NotFound("草稿"))?;
    let p = publish::publish(c, &a, &root, &d, 2026)?;
    assignments(c, p.campaign_id)
}

/// The organisations one unit names, found by walking the tree: "各…党（工）委" every committee
/// below the root; a name, up to five organisations containing it.
fn naive_unit(c: &mut dyn Conn, root_id: i64, unit: &str) -> Result<Vec<i64>> {
    let ids = |rows: Vec<xianfeng_store::db::Row>| -> Result<Vec<i64>> {
        rows.into_iter().map(|r| r.i64(0)).collect()
    };
    if unit.starts_with('各') {
        ids(c.query(
            &format!("{WALK} SELECT id FROM orgs WHERE id IN (SELECT id FROM sub) AND id <> ? AND kind IN ('committee', 'work_committee') AND dissolved_on IS NULL ORDER BY id"),
            &[root_id.into(), root_id.into()],
        )?)
    } else {
        let found = ids(c.query(
            &format!("{WALK} SELECT id FROM orgs WHERE id IN (SELECT id FROM sub) AND name LIKE ? AND dissolved_on IS NULL ORDER BY id"),
            &[root_id.into(), format!("%{unit}%").into()],
        )?)?;
        Ok(if found.len() <= 5 { found } else { vec![] })
    }
}

/// The obvious way: each measure's units looked up by walking the tree, one task at a time.
pub fn naive(c: &mut dyn Conn, root_id: i64, plan: &Json) -> Result<i64> {
    let root = orgs::require(c, root_id)?;
    let a = actor(&root);
    let id = campaigns::create(c, &a, &root, "基层党建重点任务实施方案", 2026, None, &[])?;
    let camp = campaigns::get(c, id)?.ok_or(StoreError::NotFound("活动"))?;
    for m in plan["measures"].as_array().into_iter().flatten() {
        let mut assignees = Vec::new();
        for u in m["units"].as_array().into_iter().flatten() {
            for org in naive_unit(c, root_id, u.as_str().unwrap_or(""))? {
                if !assignees.contains(&org) {
                    assignees.push(org);
                }
            }
        }
        if assignees.is_empty() {
            assignees.push(root_id);
        }
        let path = &m["path"];
        let target = plan["targets"]
            .as_array()
            .into_iter()
            .flatten()
            .find(|t| &t["path"] == path);
        let indicators = match target {
            Some(t) => vec![(
                t["subject"].as_str().unwrap_or("").to_string(),
                xianfeng_domain::campaign::Target {
                    quantity: t["quantity"].as_f64().unwrap_or(0.0),
                    quantity_max: None,
                    unit: t["unit"].as_str().unwrap_or("").to_string(),
                    comparator: xianfeng_domain::campaign::Comparator::AtLeast,
                },
                Measure::Reported,
            )],
            None => vec![(
                ACCEPTED_LABEL.to_string(),
                accepted_target(),
                Measure::Reported,
            )],
        };
        campaigns::add_task(
            c,
            &camp,
            &NewTask {
                category: "重点任务".into(),
                title: m["text"]
                    .as_str()
                    .unwrap_or("")
                    .split('。')
                    .next()
                    .unwrap_or("")
                    .chars()
                    .take(200)
                    .collect(),
                indicators,
                kind: Some(if target.is_some() {
                    TaskKind::Quantitative
                } else {
                    TaskKind::Qualitative
                }),
                assignees,
                ..Default::default()
            },
        )?;
    }
    assignments(c, id)
}

/// One line: publishing the plan at the root, both ways.
pub fn run(store: &Store, root: (&'static str, i64), runs: usize) -> Result<Vec<Line>> {
    let plan = plan(15_000);
    let (level, id) = root;
    let runs = runs.clamp(3, 20);
    let (fast_t, a) = measure(runs, 60_000.0, || {
        rolled_back(store, |c| fast(c, id, &plan))
    })?;
    let (naive_t, b) = measure(runs, 120_000.0, || {
        rolled_back(store, |c| naive(c, id, &plan))
    })?;
    Ok(vec![Line {
        query: "发布1.5万字方案",
        level,
        fast: fast_t,
        naive: naive_t,
        agree: a == b && a > 0,
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bench_plan_is_as_long_as_asked_with_a_target_in_every_fifth_measure() {
        let p = plan(15_000);
        let chars: usize = p["measures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["text"].as_str().unwrap().chars().count())
            .sum();
        assert!((15_000..15_200).contains(&chars), "{chars}");
        let measures = p["measures"].as_array().unwrap().len();
        assert_eq!(p["targets"].as_array().unwrap().len(), measures / 5);
    }
}
