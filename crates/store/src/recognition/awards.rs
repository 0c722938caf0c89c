//! Award kinds (评选表彰) and nominations, which are workflow instances of the kind's
//! definition: a branch nominates, each level approves within its quota, then public notice.

use serde_json::json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::award::{check_kind, AwardKindInput, AwardSubject};
use xianfeng_domain::org::Org;
use xianfeng_domain::path;
use xianfeng_domain::text::normalize;
use xianfeng_domain::workflow::{Definition, Level, Stage};
use xianfeng_domain::Invalid;

use crate::audit::{self, Record};
use crate::db::{Conn, Row};
use crate::engines::workflow::{self, Start};
use crate::{now_text, vals, Result, StoreError};

#[derive(Debug, Clone)]
pub struct AwardKind {
    pub id: i64,
    pub org_id: i64,
    pub org_path: String,
    pub org_name: String,
    pub name: String,
    pub subject: AwardSubject,
    pub year: i64,
    pub definition_id: i64,
    pub definition: Definition,
}

pub fn create_kind(
    c: &mut dyn Conn,
    actor: &Actor,
    org: &Org,
    input: &AwardKindInput,
) -> Result<i64> {
    if !actor.can_manage_town(&org.path) {
        return Err(
            Invalid::one("org", "设立单位", "只有乡镇（街道）或县级管理员能设立表彰").into(),
        );
    }
    let d = check_kind(input, Level::of(org.kind))?;
    let taken = c.scalar(
        "SELECT COUNT(*) FROM award_kinds WHERE org_id = ? AND year = ? AND name = ?",
        vals![org.id, d.year as i64, d.name.as_str()],
    )?;
    if taken > 0 {
        return Err(Invalid::one(
            "name",
            "表彰名称",
            format!("{} 年已设立“{}”", d.year, d.name),
        )
        .into());
    }
    let definition_id = workflow::define(c, org, &d.definition)?;
    let id = c.scalar(
        "INSERT INTO award_kinds (org_id, org_path, name, subject_kind, year, definition_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vals![org.id, org.path.as_str(), d.name.as_str(), d.subject.label(), d.year as i64, definition_id, now_text()],
    )?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(org.id),
            action: "award.kind",
            entity: "award_kind",
            entity_id: Some(id),
            before: json!(null),
            after: json!({"name": d.name, "year": d.year, "definition": d.definition}),
        },
    )?;
    Ok(id)
}

fn kind_row(c: &mut dyn Conn, r: &Row) -> Result<AwardKind> {
    let definition_id = r.i64("definition_id")?;
    Ok(AwardKind {
        id: r.i64("id")?,
        org_id: r.i64("org_id")?,
        org_path: r.text("org_path")?,
        org_name: r.text("org_name")?,
        name: r.text("name")?,
        subject: AwardSubject::parse(&r.text("subject_kind")?).unwrap_or(AwardSubject::Person),
        year: r.i64("year")?,
        definition_id,
        definition: workflow::definition(c, definition_id)?,
    })
}

const KIND_COLUMNS: &str =
    "k.id, k.org_id, k.org_path, o.name AS org_name, k.name, k.subject_kind, k.year, k.definition_id";

pub fn kind(c: &mut dyn Conn, id: i64) -> Result<AwardKind> {
    let r = c
        .query_opt(
            &format!("SELECT {KIND_COLUMNS} FROM award_kinds k JOIN orgs o ON o.id = k.org_id WHERE k.id = ?"),
            vals![id],
        )?
        .ok_or(StoreError::NotFound("表彰项目"))?;
    kind_row(c, &r)
}

/// Kinds that concern `scope`: set by it, above it or below it.
pub fn kinds_for(c: &mut dyn Conn, scope: &str) -> Result<Vec<AwardKind>> {
    let ancestors: Vec<String> = path::ids(scope)
        .iter()
        .scan(String::from("/"), |p, id| {
            p.push_str(&format!("{id}/"));
            Some(p.clone())
        })
        .collect();
    let marks = vec!["?"; ancestors.len().max(1)].join(", ");
    let mut params: Vec<crate::db::Value> = vec![scope.into(), path::upper(scope).into()];
    params.extend(ancestors.into_iter().map(crate::db::Value::from));
    let rows = c.query(
        &format!(
            "SELECT {KIND_COLUMNS} FROM award_kinds k JOIN orgs o ON o.id = k.org_id
             WHERE (k.org_path >= ? AND k.org_path < ?) OR k.org_path IN ({marks}) ORDER BY k.year DESC, k.id"
        ),
        &params,
    )?;
    rows.iter().map(|r| kind_row(c, r)).collect()
}

/// A nomination from the branch `origin`: an organisation (the branch itself), a member of
/// it, or a person named in the text. Over the branch's quota it is refused outright.
pub fn nominate(
    c: &mut dyn Conn,
    actor: &Actor,
    kind: &AwardKind,
    origin: &Org,
    subject: Option<i64>,
    person: &str,
    summary: &str,
) -> Result<i64> {
    if !actor.can_record_life(&origin.path) || Level::of(origin.kind) != Level::Branch {
        return Err(Invalid::one("org", "推荐单位", "须为您管辖范围内的支部").into());
    }
    if !path::within(&origin.path, &kind.org_path) {
        return Err(Invalid::one(
            "org",
            "推荐单位",
            format!("不在“{}”的评选范围内", kind.org_name),
        )
        .into());
    }
    let summary = normalize(summary);
    if summary.chars().count() < 10 || summary.chars().count() > 2000 {
        return Err(Invalid::one("summary", "主要事迹", "请填写 10–2000 字的主要事迹").into());
    }
    let (subject_id, name) = match kind.subject {
        AwardSubject::Org => (origin.id, origin.name.clone()),
        AwardSubject::Member => {
            let id = subject.ok_or_else(|| Invalid::one("member", "推荐对象", "请选择党员"))?;
            let r = c
                .query_opt(
                    "SELECT name FROM members WHERE id = ? AND org_id = ?",
                    vals![id, origin.id],
                )?
                .ok_or_else(|| Invalid::one("member", "推荐对象", "须为本支部党员"))?;
            (id, r.text(0)?)
        }
        AwardSubject::Person => {
            let n = normalize(person);
            if n.is_empty() || n.chars().count() > 20 {
                return Err(Invalid::one("person", "推荐对象", "请填写 1–20 字的姓名").into());
            }
            (0, n)
        }
    };
    let mut already = false;
    for r in c.query(
        "SELECT stage FROM workflow_instances WHERE definition_id = ? AND subject_kind = ? AND subject_id = ? AND subject_name = ?",
        vals![kind.definition_id, kind.subject.label(), subject_id, name.as_str()],
    )? {
        already |= Stage::from_code(&r.text(0)?) != Some(Stage::Rejected);
    }
    if already {
        return Err(
            Invalid::one("member", "推荐对象", format!("{name} 已在本项目的推荐中")).into(),
        );
    }
    if let Some(q) = kind.definition.steps.first().and_then(|s| s.quota) {
        let nominated = c.scalar(
            "SELECT COUNT(*) FROM workflow_instances WHERE definition_id = ? AND origin_id = ? AND stage <> 'rejected'",
            vals![kind.definition_id, origin.id],
        )?;
        if nominated >= q as i64 {
            return Err(Invalid::one(
                "member",
                "推荐对象",
                format!(
                    "本支部“{}”推荐名额为 {q} 个，已推荐 {nominated} 个，超出名额",
                    kind.name
                ),
            )
            .into());
        }
    }
    percent_places_left(c, kind, origin)?;
    workflow::start(
        c,
        actor,
        &Start {
            definition_id: kind.definition_id,
            origin,
            subject_kind: kind.subject.label(),
            subject_id,
            subject_name: &name,
            summary: &summary,
        },
    )
}

/// A kind with a percentage quota (每年有15%党员争当镇级优秀) has, at nomination time, that
/// share of its holder's members or branches as places (`plan_rules::percent_quota`: rounded
/// down, at least 1). The holder is the nominating branch's town when the quota is counted per
/// town, else the kind's organisation. A nomination beyond the places is refused.
fn percent_places_left(c: &mut dyn Conn, kind: &AwardKind, origin: &Org) -> Result<()> {
    let Some(pq) = crate::plans::rules::percent_of(c, kind.id)? else {
        return Ok(());
    };
    let holder = match pq.level {
        Level::Town => crate::people::orgs::ancestors(c, origin)?
            .into_iter()
            .find(|o| Level::of(o.kind) == Level::Town && path::within(&o.path, &kind.org_path)),
        _ => None,
    };
    let holder = match holder {
        Some(h) => h,
        None => crate::people::orgs::require(c, kind.org_id)?,
    };
    let places = crate::plans::rules::places(c, &holder, kind.subject, pq.percent)?;
    let used = c.scalar(
        "SELECT COUNT(*) FROM workflow_instances WHERE definition_id = ? AND origin_path >= ? AND origin_path < ? AND stage <> 'rejected'",
        vals![kind.definition_id, holder.path.as_str(), path::upper(&holder.path)],
    )?;
    if used >= places as i64 {
        return Err(Invalid::one(
            "member",
            "推荐对象",
            format!(
                "“{}”名额按{}的{}%计为 {places} 个，已推荐 {used} 个，超出名额",
                kind.name,
                holder.name,
                xianfeng_domain::campaign::fmt_quantity(pq.percent)
            ),
        )
        .into());
    }
    Ok(())
}

/// The award kind an instance belongs to.
pub fn kind_of(c: &mut dyn Conn, definition_id: i64) -> Result<AwardKind> {
    let r = c
        .query_opt(
            "SELECT id FROM award_kinds WHERE definition_id = ?",
            vals![definition_id],
        )?
        .ok_or(StoreError::NotFound("表彰项目"))?;
    kind(c, r.i64(0)?)
}

/// Quota use for the holder at each step that has a quota, for the page.
pub fn quota_lines(
    c: &mut dyn Conn,
    kind: &AwardKind,
    scope: &Org,
) -> Result<Vec<(String, u32, u32)>> {
    let mut out = Vec::new();
    let level = Level::of(scope.kind);
    for (n, step) in kind.definition.steps.iter().enumerate() {
        if let (Some(q), true) = (step.quota, step.level == level) {
            let used =
                workflow::quota_used(c, &kind.definition, kind.definition_id, &scope.path, n)?;
            out.push((step.name.clone(), used, q));
        }
    }
    Ok(out)
}

/// Follows an instance that became final: an award to an organisation enters the honours
/// register (荣誉称号, named after the award kind, granted by the kind's organisation), so
/// figures that read honours ("60%的党支部获镇级先进称号") follow awards. An honour already held
/// is left as it is; awards to members and persons stay on the awards pages.
pub fn follow_final(
    c: &mut dyn Conn,
    actor: &Actor,
    inst: &crate::engines::workflow::Instance,
) -> Result<()> {
    let Some(r) = c.query_opt(
        "SELECT id FROM award_kinds WHERE definition_id = ?",
        vals![inst.definition_id],
    )?
    else {
        return Ok(());
    };
    let kind = kind(c, r.i64(0)?)?;
    if kind.subject != AwardSubject::Org || kind.name.contains('|') {
        return Ok(());
    }
    let Some(holder) = crate::people::orgs::get(c, inst.subject_id)? else {
        return Ok(());
    };
    let held = c
        .query_opt(
            "SELECT 1 FROM org_titles WHERE org_id = ? AND title = ? AND revoked_on IS NULL",
            vals![holder.id, kind.name.as_str()],
        )?
        .is_some();
    if held || holder.dissolved_on.is_some() {
        return Ok(());
    }
    let granter = crate::people::orgs::require(c, kind.org_id)?;
    crate::campaigns::measures::grant(
        c,
        actor,
        &granter,
        &holder,
        &kind.name,
        kind.year,
        xianfeng_domain::date::today(),
    )?;
    Ok(())
}
