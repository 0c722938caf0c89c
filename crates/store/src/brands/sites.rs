//! 示范点: the county's 创建标准 list, sites designated by the level above for a year, each
//! standard evidenced by the site and checked by the level above, and acceptance visits. A
//! 限期整改 opens its problems in the 问题台账 (`campaigns::supervision::raise`); a 通过 counts
//! the site as built (`count:示范点建成`, and per domain `count:社区示范点建成`) through the
//! cadence counters, so a campaign's computed indicator (`Measure::Records`) reads the subtree's
//! accepted sites from the roll-up.

use chrono::NaiveDate;
use serde_json::json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::demo_site::{
    built_in, check_standards, status_after, AcceptanceInput, AcceptanceResult, ItemState,
    SiteInput, SiteStatus, BUILT, DEFAULT_STANDARDS,
};
use xianfeng_domain::org::Org;
use xianfeng_domain::path;
use xianfeng_domain::supervision::ProblemDraft;
use xianfeng_domain::text::normalize;
use xianfeng_domain::workflow::Level;
use xianfeng_domain::Invalid;

use crate::audit::{self, Record};
use crate::db::{Conn, Row};
use crate::engines::cadence;
use crate::people::orgs;
use crate::{now_text, vals, Result, StoreError};

/// The county (root) of an organisation's path.
fn county_of(org_path: &str) -> Result<i64> {
    path::ids(org_path)
        .first()
        .copied()
        .ok_or(StoreError::NotFound("组织"))
}

/// The county's 创建标准, or the defaults from seed 003 while it has set none.
pub fn standards(c: &mut dyn Conn, county_id: i64) -> Result<Vec<String>> {
    let v: Vec<String> = c
        .query(
            "SELECT name FROM site_standards WHERE county_id = ? ORDER BY seq",
            vals![county_id],
        )?
        .iter()
        .map(|r| r.text(0))
        .collect::<Result<_>>()?;
    Ok(if v.is_empty() {
        DEFAULT_STANDARDS.iter().map(|s| s.to_string()).collect()
    } else {
        v
    })
}

/// The county administrator replaces the list (one standard per line); sites already
/// designated keep the checklist they were given.
pub fn save_standards(c: &mut dyn Conn, actor: &Actor, county: &Org, raw: &str) -> Result<()> {
    if !actor.is_county_admin() || actor.scope_org_id != county.id {
        return Err(Invalid::one("standards", "创建标准", "只有县级管理员能修改创建标准").into());
    }
    let list = check_standards(raw)?;
    let before = standards(c, county.id)?;
    c.execute(
        "DELETE FROM site_standards WHERE county_id = ?",
        vals![county.id],
    )?;
    for (n, s) in list.iter().enumerate() {
        c.execute(
            "INSERT INTO site_standards (county_id, seq, name) VALUES (?, ?, ?)",
            vals![county.id, n as i64, s.as_str()],
        )?;
    }
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(county.id),
            action: "site.standards",
            entity: "site_standards",
            entity_id: None,
            before: json!(before),
            after: json!(list),
        },
    )?;
    Ok(())
}

#[derive(Debug, Clone)]
pub struct Site {
    pub id: i64,
    pub org_id: i64,
    pub org_path: String,
    pub org_name: String,
    pub year: i64,
    pub leader: String,
    pub plan: String,
    pub status: SiteStatus,
    pub score: Option<i64>,
    pub accepted_on: Option<String>,
    pub passed: i64,
    pub total: i64,
}

const COLUMNS: &str = "s.id, s.org_id, s.org_path, o.name AS org_name, s.year, s.leader, s.plan, s.status, s.score, s.accepted_on,
    (SELECT COUNT(*) FROM site_items i WHERE i.site_id = s.id AND i.state = '合格') AS passed,
    (SELECT COUNT(*) FROM site_items i WHERE i.site_id = s.id) AS total";

fn row(r: &Row) -> Result<Site> {
    Ok(Site {
        id: r.i64("id")?,
        org_id: r.i64("org_id")?,
        org_path: r.text("org_path")?,
        org_name: r.text("org_name")?,
        year: r.i64("year")?,
        leader: r.text("leader")?,
        plan: r.text("plan")?,
        status: SiteStatus::parse(&r.text("status")?).unwrap_or(SiteStatus::Building),
        score: r.opt_i64("score")?,
        accepted_on: r.opt_text("accepted_on")?,
        passed: r.i64("passed")?,
        total: r.i64("total")?,
    })
}

pub fn get(c: &mut dyn Conn, id: i64) -> Result<Site> {
    c.query_opt(
        &format!(
            "SELECT {COLUMNS} FROM demo_sites s JOIN orgs o ON o.id = s.org_id WHERE s.id = ?"
        ),
        vals![id],
    )?
    .map(|r| row(&r))
    .ok_or(StoreError::NotFound("示范点"))?
}

/// A site `actor` may see; out of scope reads exactly like a missing one.
pub fn visible(c: &mut dyn Conn, actor: &Actor, id: i64) -> Result<Site> {
    let s = get(c, id)?;
    if !actor.can_read_org(&s.org_path) {
        return Err(StoreError::NotFound("示范点"));
    }
    Ok(s)
}

/// Sites under `scope`, newest year first.
pub fn list(c: &mut dyn Conn, scope: &str) -> Result<Vec<Site>> {
    c.query(
        &format!(
            "SELECT {COLUMNS} FROM demo_sites s JOIN orgs o ON o.id = s.org_id
             WHERE s.org_path >= ? AND s.org_path < ? ORDER BY s.year DESC, s.org_path LIMIT 1000"
        ),
        vals![scope, path::upper(scope)],
    )?
    .iter()
    .map(row)
    .collect()
}

/// One organisation's sites, newest first (for its public page).
pub fn of_org(c: &mut dyn Conn, org_id: i64) -> Result<Vec<Site>> {
    c.query(
        &format!(
            "SELECT {COLUMNS} FROM demo_sites s JOIN orgs o ON o.id = s.org_id WHERE s.org_id = ? ORDER BY s.year DESC"
        ),
        vals![org_id],
    )?
    .iter()
    .map(row)
    .collect()
}

/// Whether `actor` acts as the level above the site's organisation (checks, acceptance).
pub fn is_above(actor: &Actor, org_path: &str) -> bool {
    actor.can_manage_town(org_path) && org_path != actor.scope_path
}

/// The level above designates `org` as a 示范点 for a year, with the county's standards.
pub fn designate(c: &mut dyn Conn, actor: &Actor, org: &Org, input: &SiteInput) -> Result<i64> {
    if !actor.can_read_org(&org.path) {
        return Err(StoreError::NotFound("组织"));
    }
    if !is_above(actor, &org.path) || Level::of(org.kind) == Level::County {
        return Err(Invalid::one(
            "org",
            "示范点单位",
            "示范点由上级党组织确定，须为本级以下的组织",
        )
        .into());
    }
    let d = input.validate(xianfeng_domain::date::today())?;
    let taken = c.scalar(
        "SELECT COUNT(*) FROM demo_sites WHERE org_id = ? AND year = ?",
        vals![org.id, d.year as i64],
    )?;
    if taken > 0 {
        return Err(Invalid::one(
            "year",
            "创建年度",
            format!("{}已是 {} 年度示范点", org.name, d.year),
        )
        .into());
    }
    let now = now_text();
    let id = c.scalar(
        "INSERT INTO demo_sites (org_id, org_path, year, leader, plan, status, designated_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vals![org.id, org.path.as_str(), d.year as i64, d.leader.as_str(), d.plan.as_str(), SiteStatus::Building.label(),
              actor.account_id, now.as_str(), now.as_str()],
    )?;
    let list = standards(c, county_of(&org.path)?)?;
    for (n, s) in list.iter().enumerate() {
        c.execute(
            "INSERT INTO site_items (site_id, seq, standard, state, updated_at) VALUES (?, ?, ?, ?, ?)",
            vals![id, n as i64, s.as_str(), ItemState::Open.label(), now.as_str()],
        )?;
    }
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(org.id),
            action: "site.designate",
            entity: "demo_site",
            entity_id: Some(id),
            before: json!(null),
            after: json!({"year": d.year, "leader": d.leader, "standards": list}),
        },
    )?;
    Ok(id)
}

#[derive(Debug, Clone)]
pub struct Item {
    pub id: i64,
    pub site_id: i64,
    pub standard: String,
    pub state: ItemState,
    pub evidence: String,
    pub note: String,
}

pub fn items(c: &mut dyn Conn, site_id: i64) -> Result<Vec<Item>> {
    c.query(
        "SELECT id, site_id, standard, state, evidence, note FROM site_items WHERE site_id = ? ORDER BY seq",
        vals![site_id],
    )?
    .iter()
    .map(|r| {
        Ok(Item {
            id: r.i64(0)?,
            site_id: r.i64(1)?,
            standard: r.text(2)?,
            state: ItemState::parse(&r.text(3)?).unwrap_or(ItemState::Open),
            evidence: r.text(4)?,
            note: r.text(5)?,
        })
    })
    .collect()
}

fn item_of(c: &mut dyn Conn, actor: &Actor, item_id: i64) -> Result<(Site, Item)> {
    let r = c
        .query_opt(
            "SELECT site_id FROM site_items WHERE id = ?",
            vals![item_id],
        )?
        .ok_or(StoreError::NotFound("创建标准"))?;
    let site = visible(c, actor, r.i64(0)?).map_err(|_| StoreError::NotFound("创建标准"))?;
    let item = items(c, site.id)?
        .into_iter()
        .find(|i| i.id == item_id)
        .ok_or(StoreError::NotFound("创建标准"))?;
    Ok((site, item))
}

fn open_for_work(site: &Site) -> Result<()> {
    if !matches!(site.status, SiteStatus::Building | SiteStatus::Rectifying) {
        return Err(StoreError::Conflict(format!(
            "示范点已{}，不能再修改创建标准",
            site.status.label()
        )));
    }
    Ok(())
}

/// The site evidences one standard (what was done, where the photos and documents are); it
/// then waits for the level above to check it.
pub fn evidence(c: &mut dyn Conn, actor: &Actor, item_id: i64, text: &str) -> Result<()> {
    let (site, item) = item_of(c, actor, item_id)?;
    if !actor.can_record_life(&site.org_path) {
        return Err(StoreError::NotFound("创建标准"));
    }
    open_for_work(&site)?;
    if item.state == ItemState::Passed {
        return Err(StoreError::Conflict(format!(
            "“{}”已核查合格",
            item.standard
        )));
    }
    let text = normalize(text);
    let n = text.chars().count();
    if !(5..=1000).contains(&n) {
        return Err(Invalid::one(
            "evidence",
            "佐证说明",
            format!("请填写 5–1000 字（现为 {n} 字）"),
        )
        .into());
    }
    c.execute(
        "UPDATE site_items SET state = ?, evidence = ?, updated_by = ?, updated_at = ? WHERE id = ?",
        vals![ItemState::Submitted.label(), text.as_str(), actor.account_id, now_text(), item_id],
    )?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(site.org_id),
            action: "site.evidence",
            entity: "site_item",
            entity_id: Some(item_id),
            before: json!({"state": item.state.label(), "evidence": item.evidence}),
            after: json!({"state": ItemState::Submitted.label(), "evidence": text}),
        },
    )?;
    Ok(())
}

/// The level above checks an evidenced standard: 合格, or back to the site with a note.
pub fn check(c: &mut dyn Conn, actor: &Actor, item_id: i64, pass: bool, note: &str) -> Result<()> {
    let (site, item) = item_of(c, actor, item_id)?;
    if !is_above(actor, &site.org_path) {
        return Err(Invalid::one("action", "核查", "由示范点的上级党组织核查").into());
    }
    open_for_work(&site)?;
    let note = normalize(note);
    if !pass && note.is_empty() {
        return Err(Invalid::one("note", "核查意见", "退回补充时请写明缺什么").into());
    }
    let next = if pass {
        ItemState::Passed
    } else {
        ItemState::Returned
    };
    let changed = c.execute(
        "UPDATE site_items SET state = ?, note = ?, updated_by = ?, updated_at = ? WHERE id = ? AND state = ?",
        vals![next.label(), note.as_str(), actor.account_id, now_text(), item_id, ItemState::Submitted.label()],
    )?;
    if changed != 1 {
        return Err(StoreError::Conflict(format!(
            "“{}”当前为{}，不是待核查",
            item.standard,
            item.state.label()
        )));
    }
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(site.org_id),
            action: "site.check",
            entity: "site_item",
            entity_id: Some(item_id),
            before: json!({"state": item.state.label()}),
            after: json!({"state": next.label(), "note": note}),
        },
    )?;
    Ok(())
}

/// An acceptance visit by the level above: 通过 (every standard 合格) counts the site as built;
/// 限期整改 opens each problem in the 问题台账 with the deadline; 不通过 ends the year's attempt.
pub fn accept(
    c: &mut dyn Conn,
    actor: &Actor,
    site_id: i64,
    input: &AcceptanceInput,
) -> Result<i64> {
    let site = visible(c, actor, site_id)?;
    if !is_above(actor, &site.org_path) {
        return Err(Invalid::one("result", "验收结果", "由示范点的上级党组织验收").into());
    }
    if !matches!(site.status, SiteStatus::Building | SiteStatus::Rectifying) {
        return Err(StoreError::Conflict(format!(
            "示范点已{}",
            site.status.label()
        )));
    }
    let a = input.validate(
        xianfeng_domain::date::today(),
        site.passed as usize,
        site.total as usize,
    )?;
    let owner = orgs::require(c, site.org_id)?;
    let raiser = orgs::require(c, actor.scope_org_id)?;
    let mut problem_ids = Vec::new();
    if let (AcceptanceResult::Rectify, Some(deadline)) = (a.result, a.deadline) {
        for p in &a.problems {
            let d = ProblemDraft {
                description: format!("示范点验收：{p}"),
                deadline,
            };
            problem_ids.push(crate::campaigns::supervision::raise(
                c, actor, &raiser, &owner, None, a.held_on, &d,
            )?);
        }
    }
    let next = status_after(a.result);
    let accepted_on = (a.result == AcceptanceResult::Pass).then(|| a.held_on.to_string());
    let changed = c.execute(
        "UPDATE demo_sites SET status = ?, score = ?, accepted_on = ?, updated_at = ? WHERE id = ? AND status = ?",
        vals![next.label(), a.score as i64, accepted_on, now_text(), site.id, site.status.label()],
    )?;
    if changed != 1 {
        return Err(StoreError::Conflict(
            "示范点刚被他人办理，请刷新后再试".into(),
        ));
    }
    let id = c.scalar(
        "INSERT INTO site_acceptances (site_id, held_on, inspectors, score, result, remarks, problem_ids, recorded_by, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vals![site.id, a.held_on.to_string(), a.inspectors.as_str(), a.score as i64, a.result.label(), a.remarks.as_str(),
              json!(problem_ids).to_string(), actor.account_id, now_text()],
    )?;
    if a.result == AcceptanceResult::Pass {
        cadence::record(c, &owner, BUILT, a.held_on, 1)?;
        cadence::record(c, &owner, &built_in(owner.domain.label()), a.held_on, 1)?;
    }
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(site.org_id),
            action: "site.accept",
            entity: "demo_site",
            entity_id: Some(site.id),
            before: json!({"status": site.status.label()}),
            after: json!({"status": next.label(), "score": a.score, "held_on": a.held_on.to_string(),
                          "problems": problem_ids}),
        },
    )?;
    Ok(id)
}

#[derive(Debug, Clone)]
pub struct Visit {
    pub held_on: String,
    pub inspectors: String,
    pub score: i64,
    pub result: String,
    pub remarks: String,
    pub problem_ids: Vec<i64>,
}

pub fn visits(c: &mut dyn Conn, site_id: i64) -> Result<Vec<Visit>> {
    c.query(
        "SELECT held_on, inspectors, score, result, remarks, problem_ids FROM site_acceptances WHERE site_id = ? ORDER BY id",
        vals![site_id],
    )?
    .iter()
    .map(|r| {
        Ok(Visit {
            held_on: r.text(0)?,
            inspectors: r.text(1)?,
            score: r.i64(2)?,
            result: r.text(3)?,
            remarks: r.text(4)?,
            problem_ids: serde_json::from_str(&r.text(5)?).unwrap_or_default(),
        })
    })
    .collect()
}

/// Accepted sites in the subtree of `org_id` in `year` (the roll-up a computed indicator
/// reads); `domain` narrows to one domain's sites (社区).
pub fn accepted_in(c: &mut dyn Conn, org_id: i64, year: i32, domain: Option<&str>) -> Result<i64> {
    let activity = match domain {
        Some(d) => built_in(d),
        None => BUILT.to_string(),
    };
    let m = xianfeng_domain::campaign::Measure::Records { activity };
    Ok(crate::campaigns::measures::compute(c, org_id, &m, year as i64)? as i64)
}

/// The day of a site's acceptance, when it passed.
pub fn accepted_day(site: &Site) -> Option<NaiveDate> {
    site.accepted_on.as_deref().and_then(|d| d.parse().ok())
}
