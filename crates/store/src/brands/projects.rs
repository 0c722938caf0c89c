//! 党建品牌: a 品牌培育项目 proposed by a branch or town and designated by the level above; its
//! 登记备案 is a workflow instance (`domain::brand::declaration_definition`) that the origin
//! declares, each level above approves, returns or rejects, and the county's approval files
//! with a register number allocated in the same transaction (`follow_final`).

use std::collections::HashMap;

use chrono::{Datelike, NaiveDate};
use serde_json::json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::brand::{
    declaration_definition, inactive, register_number, BrandInput, BrandStatus, DeclarationInput,
    RecordInput, RecordKind, SUBJECT_KIND,
};
use xianfeng_domain::org::Org;
use xianfeng_domain::path;
use xianfeng_domain::workflow::{Action, Definition, Level, Stage};
use xianfeng_domain::Invalid;

use crate::audit::{self, Record};
use crate::db::{Conn, Row};
use crate::engines::workflow::{self, Instance, Start};
use crate::people::orgs;
use crate::{now_text, vals, Result, StoreError};

/// The register numbers' prefix: the filing level.
pub const REGISTER_PREFIX: &str = "县";

#[derive(Debug, Clone)]
pub struct Brand {
    pub id: i64,
    pub org_id: i64,
    pub org_path: String,
    pub org_name: String,
    pub name: String,
    pub slogan: String,
    pub category: String,
    pub description: String,
    pub goals: String,
    pub measures: String,
    pub leaders: String,
    pub status: BrandStatus,
    pub instance_id: Option<i64>,
    pub stage: Option<Stage>,
    pub definition_id: Option<i64>,
    pub register_no: Option<String>,
    pub designated_on: Option<String>,
    pub filed_on: Option<String>,
    pub created_at: String,
    pub last_activity: Option<String>,
}

impl Brand {
    /// The form input the brand's fields came from (to fill a declaration form).
    pub fn input(&self) -> BrandInput {
        BrandInput {
            name: self.name.clone(),
            slogan: self.slogan.clone(),
            category: self.category.clone(),
            description: self.description.clone(),
            goals: self.goals.clone(),
            measures: self.measures.clone(),
            leaders: self.leaders.clone(),
        }
    }

    /// The day the brand began: designated as 培育项目, else proposed.
    pub fn began(&self) -> NaiveDate {
        let day = self.designated_on.as_deref().unwrap_or(&self.created_at);
        day.get(..10)
            .and_then(|d| d.parse().ok())
            .unwrap_or_else(xianfeng_domain::date::today)
    }

    /// No activity recorded for a year (only a designated or filed brand is expected to work).
    pub fn inactive(&self, today: NaiveDate) -> bool {
        self.status != BrandStatus::Proposed
            && inactive(
                self.last_activity.as_deref().and_then(|d| d.parse().ok()),
                self.began(),
                today,
            )
    }
}

const COLUMNS: &str = "b.id, b.org_id, b.org_path, o.name AS org_name, b.name, b.slogan, b.category, b.description, b.goals, b.measures, b.leaders, b.status, b.instance_id, i.stage, i.definition_id, b.register_no, b.designated_on, b.filed_on, b.created_at,
    (SELECT MAX(r.day) FROM brand_records r WHERE r.brand_id = b.id AND r.kind = '活动') AS last_activity";
const FROM: &str = "brands b JOIN orgs o ON o.id = b.org_id LEFT JOIN workflow_instances i ON i.id = b.instance_id";

fn row(r: &Row) -> Result<Brand> {
    Ok(Brand {
        id: r.i64("id")?,
        org_id: r.i64("org_id")?,
        org_path: r.text("org_path")?,
        org_name: r.text("org_name")?,
        name: r.text("name")?,
        slogan: r.text("slogan")?,
        category: r.text("category")?,
        description: r.text("description")?,
        goals: r.text("goals")?,
        measures: r.text("measures")?,
        leaders: r.text("leaders")?,
        status: BrandStatus::parse(&r.text("status")?).unwrap_or(BrandStatus::Proposed),
        instance_id: r.opt_i64("instance_id")?,
        stage: r.opt_text("stage")?.and_then(|s| Stage::from_code(&s)),
        definition_id: r.opt_i64("definition_id")?,
        register_no: r.opt_text("register_no")?,
        designated_on: r.opt_text("designated_on")?,
        filed_on: r.opt_text("filed_on")?,
        created_at: r.text("created_at")?,
        last_activity: r.opt_text("last_activity")?,
    })
}

pub fn get(c: &mut dyn Conn, id: i64) -> Result<Brand> {
    c.query_opt(
        &format!("SELECT {COLUMNS} FROM {FROM} WHERE b.id = ?"),
        vals![id],
    )?
    .map(|r| row(&r))
    .ok_or(StoreError::NotFound("党建品牌"))?
}

/// A brand `actor` may see; out of scope reads exactly like a missing one.
pub fn visible(c: &mut dyn Conn, actor: &Actor, id: i64) -> Result<Brand> {
    let b = get(c, id)?;
    if !actor.can_read_org(&b.org_path) {
        return Err(StoreError::NotFound("党建品牌"));
    }
    Ok(b)
}

/// Brands of organisations under `scope`, by organisation then id.
pub fn list(c: &mut dyn Conn, scope: &str) -> Result<Vec<Brand>> {
    c.query(
        &format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE b.org_path >= ? AND b.org_path < ? ORDER BY b.org_path, b.id LIMIT 1000"
        ),
        vals![scope, path::upper(scope)],
    )?
    .iter()
    .map(row)
    .collect()
}

/// The filed brands of one organisation (for its public page).
pub fn filed_of(c: &mut dyn Conn, org_id: i64) -> Result<Vec<Brand>> {
    c.query(
        &format!(
            "SELECT {COLUMNS} FROM {FROM} WHERE b.org_id = ? AND b.status = ? ORDER BY b.filed_on, b.id"
        ),
        vals![org_id, BrandStatus::Filed.label()],
    )?
    .iter()
    .map(row)
    .collect()
}

/// Where a brand stands, in words: 申报培育, 培育中, 待镇党委审核, 退回修改, 未通过, 已备案.
pub fn progress(c: &mut dyn Conn, b: &Brand) -> Result<String> {
    progress_with(c, b, &mut HashMap::new())
}

/// `progress` for many brands, reading each definition once.
pub fn progress_with(
    c: &mut dyn Conn,
    b: &Brand,
    defs: &mut HashMap<i64, Definition>,
) -> Result<String> {
    Ok(match (b.status, b.stage, b.definition_id) {
        (BrandStatus::Proposed, _, _) => "申报培育（待上级确定）".into(),
        (BrandStatus::Filed, _, _) => format!("已备案 {}", b.register_no.as_deref().unwrap_or("")),
        (_, None, _) => "培育中".into(),
        (_, Some(Stage::Pending(0)), _) => "退回修改".into(),
        (_, Some(Stage::Rejected), _) => "登记备案未通过".into(),
        (_, Some(st), Some(def_id)) => {
            if let std::collections::hash_map::Entry::Vacant(e) = defs.entry(def_id) {
                e.insert(workflow::definition(c, def_id)?);
            }
            match defs.get(&def_id) {
                Some(def) => st.label(def),
                None => "审核中".into(),
            }
        }
        (_, Some(_), None) => "审核中".into(),
    })
}

fn taken(c: &mut dyn Conn, org_id: i64, name: &str, except: i64) -> Result<()> {
    let n = c.scalar(
        "SELECT COUNT(*) FROM brands WHERE org_id = ? AND name = ? AND id <> ?",
        vals![org_id, name, except],
    )?;
    if n > 0 {
        return Err(Invalid::one("name", "品牌名称", format!("本单位已有“{name}”")).into());
    }
    Ok(())
}

/// A branch or town proposes a brand project of its own (or a town one of a branch under it).
pub fn propose(c: &mut dyn Conn, actor: &Actor, org: &Org, input: &BrandInput) -> Result<i64> {
    if !actor.can_record_life(&org.path) {
        return Err(StoreError::NotFound("组织"));
    }
    if Level::of(org.kind) == Level::County {
        return Err(Invalid::one("org", "创建单位", "品牌由支部或乡镇（街道）党委创建").into());
    }
    let d = input.validate()?;
    taken(c, org.id, &d.name, 0)?;
    let now = now_text();
    let id = c.scalar(
        "INSERT INTO brands (org_id, org_path, name, slogan, category, description, goals, measures, leaders, status, created_by, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vals![org.id, org.path.as_str(), d.name.as_str(), d.slogan.as_str(), d.category.as_str(), d.description.as_str(),
              d.goals.as_str(), d.measures.as_str(), d.leaders.as_str(), BrandStatus::Proposed.label(), actor.account_id,
              now.as_str(), now.as_str()],
    )?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(org.id),
            action: "brand.propose",
            entity: "brand",
            entity_id: Some(id),
            before: json!(null),
            after: json!({"name": d.name, "category": d.category}),
        },
    )?;
    Ok(id)
}

/// The level above designates a proposed brand as 培育项目 (not its own organisation's).
pub fn designate(c: &mut dyn Conn, actor: &Actor, id: i64) -> Result<()> {
    let b = visible(c, actor, id)?;
    if !actor.can_manage_town(&b.org_path) || b.org_path == actor.scope_path {
        return Err(Invalid::one("action", "办理", "只有上级党组织能确定培育项目").into());
    }
    let today = xianfeng_domain::date::today().to_string();
    let changed = c.execute(
        "UPDATE brands SET status = ?, designated_on = ?, updated_at = ? WHERE id = ? AND status = ?",
        vals![BrandStatus::Cultivating.label(), today.as_str(), now_text(), id, BrandStatus::Proposed.label()],
    )?;
    if changed != 1 {
        return Err(StoreError::Conflict(format!(
            "“{}”已是{}，不需再确定",
            b.name,
            b.status.label()
        )));
    }
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(b.org_id),
            action: "brand.designate",
            entity: "brand",
            entity_id: Some(id),
            before: json!({"status": b.status.label()}),
            after: json!({"status": BrandStatus::Cultivating.label(), "on": today}),
        },
    )?;
    Ok(())
}

/// The declaration definition for brands from organisations at `origin`'s level, kept once
/// per county.
fn definition_for(c: &mut dyn Conn, origin: &Org) -> Result<i64> {
    let def = declaration_definition(Level::of(origin.kind))
        .ok_or_else(|| Invalid::one("org", "申报单位", "县级不申报品牌"))?;
    let root = path::ids(&origin.path)
        .first()
        .copied()
        .ok_or(StoreError::NotFound("组织"))?;
    if let Some(r) = c.query_opt(
        "SELECT id FROM workflow_definitions WHERE org_id = ? AND name = ? ORDER BY id LIMIT 1",
        vals![root, def.name.as_str()],
    )? {
        return r.i64(0);
    }
    let county = orgs::require(c, root)?;
    workflow::define(c, &county, &def)
}

/// A brand's latest declaration (the 《党建品牌创建申报登记表》 beyond the brand's own fields).
#[derive(Debug, Clone)]
pub struct DeclarationRow {
    pub instance_id: i64,
    pub effects: String,
    pub satisfaction: i64,
    pub founded_on: String,
    pub updated_at: String,
}

pub fn declaration(c: &mut dyn Conn, brand_id: i64) -> Result<Option<DeclarationRow>> {
    c.query_opt(
        "SELECT instance_id, effects, satisfaction, founded_on, updated_at FROM brand_declarations WHERE brand_id = ? ORDER BY id DESC LIMIT 1",
        vals![brand_id],
    )?
    .map(|r| {
        Ok(DeclarationRow {
            instance_id: r.i64(0)?,
            effects: r.text(1)?,
            satisfaction: r.i64(2)?,
            founded_on: r.text(3)?,
            updated_at: r.text(4)?,
        })
    })
    .transpose()
}

/// The origin declares (登记备案) a designated brand, or re-declares it after a return with
/// the revised form: the declaration is stored and the origin's own step approves it, so it
/// waits for the level above. The engine decides who may: the origin's own level only.
pub fn declare(c: &mut dyn Conn, actor: &Actor, id: i64, input: &DeclarationInput) -> Result<i64> {
    let b = visible(c, actor, id)?;
    let d = input.validate(xianfeng_domain::date::today())?;
    match b.status {
        BrandStatus::Proposed => {
            return Err(Invalid::one(
                "action",
                "办理",
                "须先由上级确定为培育项目，才能申报登记备案",
            )
            .into())
        }
        BrandStatus::Filed => {
            return Err(StoreError::Conflict(format!("“{}”已备案", b.name)));
        }
        BrandStatus::Cultivating => {}
    }
    taken(c, b.org_id, &d.brand.name, b.id)?;
    let now = now_text();
    let instance_id = match (b.instance_id, b.stage) {
        (Some(inst), Some(Stage::Pending(0))) => {
            workflow::revise(c, actor, inst, &d.brand.description)?;
            c.execute(
                "UPDATE brand_declarations SET effects = ?, satisfaction = ?, founded_on = ?, updated_at = ? WHERE instance_id = ?",
                vals![d.effects.as_str(), d.satisfaction as i64, d.founded_on.to_string(), now.as_str(), inst],
            )?;
            inst
        }
        (None, _) | (Some(_), Some(Stage::Rejected)) => {
            let origin = orgs::require(c, b.org_id)?;
            let definition_id = definition_for(c, &origin)?;
            let inst = workflow::start(
                c,
                actor,
                &Start {
                    definition_id,
                    origin: &origin,
                    subject_kind: SUBJECT_KIND,
                    subject_id: b.id,
                    subject_name: &d.brand.name,
                    summary: &d.brand.description,
                },
            )?;
            c.execute(
                "INSERT INTO brand_declarations (brand_id, instance_id, effects, satisfaction, founded_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                vals![b.id, inst, d.effects.as_str(), d.satisfaction as i64, d.founded_on.to_string(), now.as_str(), now.as_str()],
            )?;
            inst
        }
        _ => {
            return Err(Invalid::one("action", "办理", "申报正在审核中，不能重复申报").into());
        }
    };
    let g = &d.brand;
    c.execute(
        "UPDATE brands SET name = ?, slogan = ?, category = ?, description = ?, goals = ?, measures = ?, leaders = ?, instance_id = ?, updated_at = ? WHERE id = ?",
        vals![g.name.as_str(), g.slogan.as_str(), g.category.as_str(), g.description.as_str(), g.goals.as_str(),
              g.measures.as_str(), g.leaders.as_str(), instance_id, now.as_str(), b.id],
    )?;
    workflow::act(
        c,
        Some(actor),
        "",
        instance_id,
        Action::Approve,
        "申报登记备案",
    )?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(b.org_id),
            action: "brand.declare",
            entity: "brand",
            entity_id: Some(b.id),
            before: json!({"name": b.name, "stage": b.stage.map(|s| s.code())}),
            after: json!({"name": g.name, "instance": instance_id, "effects": d.effects,
                          "satisfaction": d.satisfaction, "founded_on": d.founded_on.to_string()}),
        },
    )?;
    Ok(instance_id)
}

/// A level above the origin approves, returns (with a reason) or rejects the declaration under
/// review; the county's approval files it. The origin itself acts only by declaring.
pub fn decide(
    c: &mut dyn Conn,
    actor: &Actor,
    id: i64,
    action: Action,
    comment: &str,
) -> Result<Stage> {
    let b = visible(c, actor, id)?;
    let refuse = |m: &str| -> StoreError { Invalid::one("action", "办理", m).into() };
    if !matches!(action, Action::Approve | Action::Return | Action::Reject) {
        return Err(refuse("品牌申报只能同意、退回修改或不同意"));
    }
    let (Some(inst), Some(Stage::Pending(n))) = (b.instance_id, b.stage) else {
        return Err(refuse("没有待审核的登记备案申报"));
    };
    if n == 0 {
        return Err(refuse("已退回申报单位修改，待其重新申报"));
    }
    workflow::act(c, Some(actor), "", inst, action, comment)
}

/// Follows a workflow instance that became final: a brand's declaration is filed (备案) with
/// the next register number of the year, allocated in this transaction.
pub fn follow_final(c: &mut dyn Conn, actor: &Actor, inst: &Instance) -> Result<()> {
    if inst.subject_kind != SUBJECT_KIND {
        return Ok(());
    }
    let today = xianfeng_domain::date::today();
    let year = today.year();
    c.execute(
        "INSERT INTO brand_register (prefix, year, last) VALUES (?, ?, 0) ON CONFLICT DO NOTHING",
        vals![REGISTER_PREFIX, year as i64],
    )?;
    let seq = c.scalar(
        "UPDATE brand_register SET last = last + 1 WHERE prefix = ? AND year = ? RETURNING last",
        vals![REGISTER_PREFIX, year as i64],
    )?;
    let number = register_number(REGISTER_PREFIX, year, seq as u32);
    let changed = c.execute(
        "UPDATE brands SET status = ?, register_no = ?, filed_on = ?, updated_at = ? WHERE id = ? AND instance_id = ? AND status = ?",
        vals![BrandStatus::Filed.label(), number.as_str(), today.to_string(), now_text(), inst.subject_id, inst.id,
              BrandStatus::Cultivating.label()],
    )?;
    if changed != 1 {
        return Err(StoreError::Conflict(
            "该品牌的申报已变化，请刷新后再试".into(),
        ));
    }
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(inst.origin_id),
            action: "brand.file",
            entity: "brand",
            entity_id: Some(inst.subject_id),
            before: json!(null),
            after: json!({"register_no": number}),
        },
    )?;
    Ok(())
}

/// One line of a brand's yearly record.
#[derive(Debug, Clone)]
pub struct RecordLine {
    pub kind: String,
    pub day: String,
    pub title: String,
}

/// The brand's organisation (or a level above) records an activity or an honour.
pub fn add_record(c: &mut dyn Conn, actor: &Actor, id: i64, input: &RecordInput) -> Result<i64> {
    let b = visible(c, actor, id)?;
    if !actor.can_record_life(&b.org_path) {
        return Err(StoreError::NotFound("党建品牌"));
    }
    let r = input.validate(xianfeng_domain::date::today())?;
    let rid = c.scalar(
        "INSERT INTO brand_records (brand_id, kind, day, title, recorded_by, at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        vals![id, r.kind.label(), r.day.to_string(), r.title.as_str(), actor.account_id, now_text()],
    )?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(b.org_id),
            action: "brand.record",
            entity: "brand",
            entity_id: Some(id),
            before: json!(null),
            after: json!({"kind": r.kind.label(), "day": r.day.to_string(), "title": r.title}),
        },
    )?;
    Ok(rid)
}

/// The record, newest first, grouped by the caller by year.
pub fn records(c: &mut dyn Conn, id: i64) -> Result<Vec<RecordLine>> {
    c.query(
        "SELECT kind, day, title FROM brand_records WHERE brand_id = ? ORDER BY day DESC, id DESC LIMIT 500",
        vals![id],
    )?
    .iter()
    .map(|r| {
        Ok(RecordLine {
            kind: r.text(0)?,
            day: r.text(1)?,
            title: r.text(2)?,
        })
    })
    .collect()
}

/// Counts per kind for one year of the record.
pub fn year_counts(lines: &[RecordLine], year: i32) -> (usize, usize) {
    let y = year.to_string();
    let of = |k: RecordKind| {
        lines
            .iter()
            .filter(|l| l.day.starts_with(&y) && l.kind == k.label())
            .count()
    };
    (of(RecordKind::Activity), of(RecordKind::Honour))
}
