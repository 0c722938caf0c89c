//! The demo campaign: the example plan published by the county, one extra task for every
//! village branch, and a few months of generated progress (most assignments reporting, some
//! behind), so the campaign pages have real content. Deterministic for a seed.

use chrono::{Datelike, Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::Value as Json;
use xianfeng_domain::auth::{Actor, Role};
use xianfeng_domain::campaign::{Comparator, Measure, Target};
use xianfeng_domain::org::OrgDomain;

use crate::seed::insert_rows;
use xianfeng_domain::campaign::CompletionInput;
use xianfeng_store::campaigns::{self, completion, Assignment, NewTask};
use xianfeng_store::db::{Dialect, Value};
use xianfeng_store::{people::orgs, plans::drafts, plans::publish, Result, Store};

const NOTES: [&str; 6] = [
    "召开专题会议部署，明确责任人",
    "入户走访，建立工作台账",
    "完成阶段性任务，材料已归档",
    "组织党员集中学习并开展志愿服务",
    "结合主题党日推进，群众反响良好",
    "对照目标查漏补缺，下月继续推进",
];

/// Publishes the demo campaign from `plan` (parsed by the caller) and fills in progress.
/// `pending` is a branch whose task is left to report (the demo secretary's).
pub fn generate(
    store: &Store,
    county_id: i64,
    title: &str,
    body: &str,
    plan: &Json,
    today: NaiveDate,
    pending: Option<i64>,
) -> Result<i64> {
    let mut rng = StdRng::seed_from_u64(0xca4a_1911);
    let year = today.year();
    let id = store.write(|c| -> xianfeng_store::Result<_> {
        let county = orgs::require(c, county_id)?;
        let actor = Actor {
            account_id: 0,
            username: "demo".into(),
            display_name: "演示数据".into(),
            role: Role::CountyAdmin,
            scope_org_id: county.id,
            scope_path: county.path.clone(),
            member_id: None,
        };
        let plan = with_measures(plan);
        let draft_id = drafts::create(
            c,
            &actor,
            &county,
            "红旗先锋实施方案.txt",
            title,
            body,
            &plan,
        )?;
        let draft =
            drafts::get(c, draft_id)?.ok_or(xianfeng_store::StoreError::NotFound("草稿"))?;
        let id = publish::publish(c, &actor, &county, &draft, year)?.campaign_id;
        let campaign =
            campaigns::get(c, id)?.ok_or(xianfeng_store::StoreError::NotFound("活动"))?;
        let villages: Vec<i64> = orgs::branches_in(c, &county.path)?
            .into_iter()
            .filter(|o| o.domain == OrgDomain::Rural)
            .map(|o| o.id)
            .collect();
        campaigns::add_task(
            c,
            &campaign,
            &NewTask {
                category: "岗位建功先锋".into(),
                title: "每个村级党支部设立党员先锋岗不少于2个".into(),
                detail: "结合网格和产业设岗定责，挂牌亮身份。".into(),
                lead: "各镇党委".into(),
                due_on: NaiveDate::from_ymd_opt(year, 12, 31),
                indicators: vec![(
                    "党员先锋岗".into(),
                    Target {
                        quantity: 2.0,
                        quantity_max: None,
                        unit: "个".into(),
                        comparator: Comparator::AtLeast,
                    },
                    Measure::Reported,
                )],
                assignees: villages,
                ..Default::default()
            },
        )?;
        Ok(id)
    })?;
    // Progress: most assignments report once to three times over the past months.
    let (rows, next_id) = store.read(|c| -> xianfeng_store::Result<_> {
        let rows = c.query(
            "SELECT a.id, a.org_id, n.id, n.quantity FROM assignments a JOIN tasks t ON t.id = a.task_id
             JOIN indicators n ON n.task_id = t.id WHERE t.campaign_id = ? AND n.measure = '上报数量' AND t.kind <> '定性' ORDER BY a.id, n.id",
            xianfeng_store::vals![id],
        )?;
        let next = c.scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM progress_reports", &[])?;
        Ok((rows, next))
    })?;
    let mut reports = Vec::new();
    let mut now = Vec::new();
    let mut next = next_id;
    for r in rows {
        let (assignment, org, indicator, target) = (r.i64(0)?, r.i64(1)?, r.i64(2)?, r.f64(3)?);
        if pending == Some(org) || !rng.gen_bool(0.8) {
            continue;
        }
        let goal = (target * rng.gen_range(0.3..1.4)).round().max(1.0);
        let steps = rng.gen_range(1..=3);
        let mut last = 0;
        for k in 1..=steps {
            let q = (goal * k as f64 / steps as f64).round();
            let days_ago = 20 * (steps - k) as i64 + rng.gen_range(1..15);
            let at = (today - Duration::days(days_ago))
                .format("%Y-%m-%dT10:00:00+08:00")
                .to_string();
            reports.push(vec![
                Value::Int(next),
                Value::Int(assignment),
                Value::Int(indicator),
                Value::Real(q),
                NOTES[rng.gen_range(0..NOTES.len())].into(),
                Value::Int(0),
                at.into(),
            ]);
            last = next;
            next += 1;
        }
        let final_q = (goal).round();
        now.push(vec![
            Value::Int(assignment),
            Value::Int(indicator),
            Value::Real(final_q),
            Value::Int(last),
        ]);
    }
    store.write(|c| {
        insert_rows(
            c,
            "progress_reports",
            &["id", "assignment_id", "indicator_id", "quantity", "narrative", "actor_id", "at"],
            &reports,
        )?;
        insert_rows(c, "progress_now", &["assignment_id", "indicator_id", "quantity", "report_id"], &now)?;
        if c.dialect() == Dialect::Postgres {
            c.query(
                "SELECT setval(pg_get_serial_sequence('progress_reports', 'id'), GREATEST((SELECT MAX(id) FROM progress_reports), 1))",
                &[],
            )?;
        }
        campaigns::rebuild_rollups(c)
    })?;
    qualitative_progress(store, id)?;
    Ok(id)
}

/// The plan with two 定性 measures of a 压实工作责任 section added (until the reader finds the
/// document's own measures): the towns' secretaries each adopt a lagging village, and the
/// organisation department keeps the ledger.
fn with_measures(plan: &Json) -> Json {
    let mut plan = plan.clone();
    if plan["measures"].as_array().is_some_and(|m| !m.is_empty()) {
        return plan;
    }
    if let Some(sections) = plan["sections"].as_array_mut() {
        sections.push(serde_json::json!({"number": "九", "title": "压实工作责任", "children": []}));
    }
    plan["measures"] = serde_json::json!([
        {"text": "镇（街）党（工）委书记带头联系一个后进村党组织，逐村制定整顿方案。", "path": ["九", "（一）"],
         "units": ["各镇（街）党（工）委"], "deadline": "11月底前"},
        {"text": "建立“红旗先锋”工作台账，按月调度推进情况。", "path": ["九", "（二）"],
         "units": ["县委组织部"], "deadline": null}
    ]);
    plan
}

/// Most towns have reported the first 定性 task done with a photo; the county has accepted
/// most of those and returned one. The first town (the demo town administrator's) is left to
/// report (the organisations in the order they were made).
fn qualitative_progress(store: &Store, campaign: i64) -> Result<()> {
    let photo: &[u8] = b"\x89PNG\r\n\x1a\n\0\0";
    let rows: Vec<(Assignment, xianfeng_domain::org::Org)> =
        store.read(|c| -> xianfeng_store::Result<_> {
            let Some(task) = campaigns::tasks(c, campaign)?
                .into_iter()
                .find(|t| t.kind == xianfeng_domain::campaign::TaskKind::Qualitative)
            else {
                return Ok(vec![]);
            };
            let camp =
                campaigns::get(c, campaign)?.ok_or(xianfeng_store::StoreError::NotFound("活动"))?;
            let mut out = Vec::new();
            for a in campaigns::assignments_in(c, campaign, &camp.org_path)?
                .into_iter()
                .filter(|a| a.task_id == task.id)
            {
                let org = orgs::require(c, a.org_id)?;
                out.push((a, org));
            }
            out.sort_by_key(|(a, _)| a.org_id);
            Ok(out)
        })?;
    let county = store.read(|c| -> xianfeng_store::Result<_> {
        let camp =
            campaigns::get(c, campaign)?.ok_or(xianfeng_store::StoreError::NotFound("活动"))?;
        orgs::require(c, camp.org_id)
    })?;
    let county_actor = Actor {
        account_id: 0,
        username: "demo".into(),
        display_name: "演示数据".into(),
        role: Role::CountyAdmin,
        scope_org_id: county.id,
        scope_path: county.path.clone(),
        member_id: None,
    };
    for (i, (a, town)) in rows.iter().enumerate().skip(1).take(12) {
        let town_actor = Actor {
            role: Role::TownAdmin,
            scope_org_id: town.id,
            scope_path: town.path.clone(),
            ..county_actor.clone()
        };
        store.write(|c| -> xianfeng_store::Result<()> {
            completion::report_done(
                c,
                &town_actor,
                a,
                &CompletionInput {
                    narrative: format!("{}书记已联系后进村，整顿方案已制定并上墙公示。", town.name),
                },
                &[("联系村现场.png".into(), "image/png".into(), photo.to_vec())],
            )?;
            let a = campaigns::assignment(c, a.id)?
                .ok_or(xianfeng_store::StoreError::NotFound("任务"))?;
            match i % 4 {
                0 => {}
                3 => {
                    completion::decide(
                        c,
                        &county_actor,
                        &a,
                        false,
                        "整顿方案缺少时间表，请补充后再报",
                    )?;
                }
                _ => {
                    completion::decide(c, &county_actor, &a, true, "")?;
                }
            }
            Ok(())
        })?;
    }
    Ok(())
}
