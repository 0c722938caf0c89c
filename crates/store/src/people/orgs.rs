//! The organisation tree: create, rename, move a subtree, dissolve, and subtree questions as
//! index ranges over materialised paths.

use serde_json::json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::org::{
    check_move, structural_warnings, MemberCounts, Org, OrgDomain, OrgDraft, OrgKind,
    StructuralWarning,
};
use xianfeng_domain::path;
use xianfeng_domain::rules::Rules;

use crate::audit::{self, Record};
use crate::db::{Conn, Row};
use crate::engines::rollup;
use crate::{now_text, vals, Result, StoreError};

pub const COLS: &str =
    "id, parent_id, path, name, kind, domain, committee_size, dissolved_on, created_at";

/// The organisation kind a stored code names; an unknown code is an error, not a guess.
pub fn stored_kind(code: &str) -> Result<OrgKind> {
    crate::db::decode(code, OrgKind::from_code, "组织类别")
}

/// The field a stored code names; an unknown code is an error.
pub fn stored_domain(code: &str) -> Result<OrgDomain> {
    crate::db::decode(code, OrgDomain::from_code, "组织领域")
}

/// The stored codes of the branch-level kinds (the organisations members belong to), for SQL.
pub fn branch_codes_sql() -> String {
    OrgKind::ALL
        .iter()
        .filter(|k| k.is_branch())
        .map(|k| format!("'{}'", k.code()))
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn from_row(r: &Row) -> Result<Org> {
    Ok(Org {
        id: r.i64("id")?,
        parent_id: r.opt_i64("parent_id")?,
        path: r.text("path")?,
        name: r.text("name")?,
        kind: stored_kind(&r.text("kind")?)?,
        domain: stored_domain(&r.text("domain")?)?,
        committee_size: r.i64("committee_size")?,
        dissolved_on: r.opt_text("dissolved_on")?,
        created_on: r.text("created_at")?.chars().take(10).collect(),
    })
}

fn snapshot(o: &Org) -> serde_json::Value {
    json!({"name": o.name, "kind": o.kind.label(), "domain": o.domain.label(), "path": o.path,
           "committee_size": o.committee_size, "dissolved_on": o.dissolved_on})
}

pub fn get(c: &mut dyn Conn, id: i64) -> Result<Option<Org>> {
    c.query_opt(&format!("SELECT {COLS} FROM orgs WHERE id = ?"), vals![id])?
        .map(|r| from_row(&r))
        .transpose()
}

pub fn require(c: &mut dyn Conn, id: i64) -> Result<Org> {
    get(c, id)?.ok_or(StoreError::NotFound("组织"))
}

/// Direct children, active first then by name.
pub fn children(c: &mut dyn Conn, id: i64) -> Result<Vec<Org>> {
    c.query(
        &format!(
            "SELECT {COLS} FROM orgs WHERE parent_id = ? ORDER BY dissolved_on IS NOT NULL, id"
        ),
        vals![id],
    )?
    .iter()
    .map(from_row)
    .collect::<Result<Vec<_>>>()
}

/// Organisations on the path from the root down to `org` (inclusive).
pub fn ancestors(c: &mut dyn Conn, org: &Org) -> Result<Vec<Org>> {
    let ids = path::ids(&org.path);
    let marks = vec!["?"; ids.len()].join(",");
    let params: Vec<crate::Value> = ids.iter().map(|i| crate::Value::Int(*i)).collect();
    let mut out: Vec<Org> = c
        .query(
            &format!("SELECT {COLS} FROM orgs WHERE id IN ({marks})"),
            &params,
        )?
        .iter()
        .map(from_row)
        .collect::<Result<Vec<_>>>()?;
    out.sort_by_key(|o| o.path.len());
    Ok(out)
}

/// The top organisations (a deployment normally has one county).
pub fn roots(c: &mut dyn Conn) -> Result<Vec<Org>> {
    c.query(
        &format!("SELECT {COLS} FROM orgs WHERE parent_id IS NULL ORDER BY id"),
        &[],
    )?
    .iter()
    .map(from_row)
    .collect::<Result<Vec<_>>>()
}

pub fn create(
    c: &mut dyn Conn,
    actor: Option<&Actor>,
    parent: Option<&Org>,
    d: &OrgDraft,
) -> Result<Org> {
    if let Some(p) = parent {
        if p.dissolved_on.is_some() {
            return Err(xianfeng_domain::Invalid::one(
                "parent_id",
                "上级组织",
                "该组织已撤销，不能再设立下级组织",
            )
            .into());
        }
        if !p.kind.allows_child(d.kind) {
            return Err(xianfeng_domain::Invalid::one(
                "kind",
                "类型",
                format!("{}下不能设立{}", p.kind.label(), d.kind.label()),
            )
            .into());
        }
    }
    let pending = format!("pending:{}", rand::random::<u64>());
    let id = c.scalar(
        "INSERT INTO orgs (parent_id, root_id, path, depth, name, kind, domain, committee_size, created_at, public_slug)
         VALUES (?, 0, ?, 0, ?, ?, ?, ?, ?, ?) RETURNING id",
        vals![parent.map(|p| p.id), pending, d.name.as_str(), d.kind.code(), d.domain.code(), d.committee_size, now_text(), crate::people::public_slugs::fresh()],
    )?;
    let p = path::child(parent.map(|p| p.path.as_str()), id);
    let root_id = path::ids(&p).first().copied().unwrap_or(id);
    c.execute(
        "UPDATE orgs SET path = ?, depth = ?, root_id = ? WHERE id = ?",
        vals![p.as_str(), path::depth(&p), root_id, id],
    )?;
    let org = require(c, id)?;
    rollup::bump_shape(c, &org.path, rollup::Shape::of(&org), 1)?;
    audit::append(
        c,
        Record {
            actor,
            org_id: Some(id),
            action: "org.create",
            entity: "org",
            entity_id: Some(id),
            before: json!(null),
            after: snapshot(&org),
        },
    )?;
    Ok(org)
}

/// Renames, changes domain or committee size, or kind (when the tree still allows it).
pub fn update(c: &mut dyn Conn, actor: &Actor, org: &Org, d: &OrgDraft) -> Result<Org> {
    if d.kind != org.kind {
        if let Some(pid) = org.parent_id {
            let parent = require(c, pid)?;
            if !parent.kind.allows_child(d.kind) {
                return Err(xianfeng_domain::Invalid::one(
                    "kind",
                    "类型",
                    format!("{}下不能设立{}", parent.kind.label(), d.kind.label()),
                )
                .into());
            }
        }
        for child in children(c, org.id)? {
            if child.dissolved_on.is_none() && !d.kind.allows_child(child.kind) {
                return Err(xianfeng_domain::Invalid::one(
                    "kind",
                    "类型",
                    format!("其下级“{}”不能隶属于{}", child.name, d.kind.label()),
                )
                .into());
            }
        }
        let (members, _) = rollup::get(c, org.id, rollup::MEMBERS, "")?;
        if org.kind.is_branch() && !d.kind.is_branch() && members > 0 {
            return Err(xianfeng_domain::Invalid::one(
                "kind",
                "类型",
                "该支部仍有党员，不能改为非支部类型",
            )
            .into());
        }
    }
    let new_shape = rollup::Shape {
        kind: d.kind,
        committee_size: d.committee_size,
        domain: d.domain,
    };
    if org.dissolved_on.is_none()
        && rollup::shape(rollup::Shape::of(org)) != rollup::shape(new_shape)
    {
        rollup::bump_shape(c, &org.path, rollup::Shape::of(org), -1)?;
        rollup::bump_shape(c, &org.path, new_shape, 1)?;
    }
    c.execute(
        "UPDATE orgs SET name = ?, kind = ?, domain = ?, committee_size = ? WHERE id = ?",
        vals![
            d.name.as_str(),
            d.kind.code(),
            d.domain.code(),
            d.committee_size,
            org.id
        ],
    )?;
    let after = require(c, org.id)?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(org.id),
            action: "org.update",
            entity: "org",
            entity_id: Some(org.id),
            before: snapshot(org),
            after: snapshot(&after),
        },
    )?;
    Ok(after)
}

/// Moves the subtree at `org` under `new_parent`: one range update per table, roll-ups carried.
/// Columns that hold where a record sits in the tree now, carried along when a subtree moves.
/// (Ledger entries keep the place where they happened.)
const PLACED: [(&str, &str); 29] = [
    ("member_tags", "org_path"),
    ("plan_drafts", "org_path"),
    ("meetings", "org_path"),
    ("trainings", "org_path"),
    ("contact_links", "town_path"),
    ("cadence_overrides", "org_path"),
    ("campaigns", "org_path"),
    ("assignments", "org_path"),
    ("inspections", "org_path"),
    ("inspections", "target_path"),
    ("problems", "org_path"),
    ("problems", "raised_path"),
    ("org_titles", "org_path"),
    ("households", "org_path"),
    ("residents", "org_path"),
    ("point_accounts", "org_path"),
    ("point_rules", "org_path"),
    ("point_claims", "org_path"),
    ("point_totals", "org_path"),
    ("point_stores", "org_path"),
    ("workflow_definitions", "org_path"),
    ("workflow_instances", "origin_path"),
    ("award_kinds", "org_path"),
    ("evaluation_rounds", "org_path"),
    ("evaluation_subjects", "org_path"),
    ("commitments", "org_path"),
    ("leader_reviews", "org_path"),
    ("star_ratings", "org_path"),
    ("bulletins", "org_path"),
];

pub fn move_to(c: &mut dyn Conn, actor: &Actor, org: &Org, new_parent: &Org) -> Result<Org> {
    check_move(org, new_parent)?;
    if org.parent_id == Some(new_parent.id) {
        return Ok(org.clone());
    }
    let old = org.path.clone();
    let upper = path::upper(&old);
    let new_path = path::child(Some(&new_parent.path), org.id);
    let depth_delta = path::depth(&new_path) - path::depth(&old);
    let keep_from = old.len() as i64 + 1;
    let root_id = path::ids(&new_path).first().copied().unwrap_or(org.id);
    c.execute(
        "UPDATE orgs SET path = ? || substr(path, ?), depth = depth + ?, root_id = ? WHERE path >= ? AND path < ?",
        vals![new_path.as_str(), keep_from, depth_delta, root_id, old.as_str(), upper.as_str()],
    )?;
    c.execute(
        "UPDATE orgs SET parent_id = ? WHERE id = ?",
        vals![new_parent.id, org.id],
    )?;
    c.execute(
        "UPDATE members SET org_path = ? || substr(org_path, ?), root_id = ? WHERE org_path >= ? AND org_path < ?",
        vals![new_path.as_str(), keep_from, root_id, old.as_str(), upper.as_str()],
    )?;
    for (table, column) in PLACED {
        c.execute(
            &format!("UPDATE {table} SET {column} = ? || substr({column}, ?) WHERE {column} >= ? AND {column} < ?"),
            vals![new_path.as_str(), keep_from, old.as_str(), upper.as_str()],
        )?;
    }
    rollup::move_subtree(c, &old, &new_path)?;
    let after = require(c, org.id)?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(org.id),
            action: "org.move",
            entity: "org",
            entity_id: Some(org.id),
            before: snapshot(org),
            after: snapshot(&after),
        },
    )?;
    Ok(after)
}

/// Dissolves an organisation with no active sub-organisations and no members. The row stays.
pub fn dissolve(c: &mut dyn Conn, actor: &Actor, org: &Org, on: &str) -> Result<()> {
    if org.dissolved_on.is_some() {
        return Err(StoreError::Conflict("该组织已撤销".into()));
    }
    let active_children = c.scalar(
        "SELECT COUNT(*) FROM orgs WHERE parent_id = ? AND dissolved_on IS NULL",
        vals![org.id],
    )?;
    if active_children > 0 {
        return Err(StoreError::Conflict(format!(
            "该组织还有{active_children}个下级组织，须先撤销或移走"
        )));
    }
    let (_, members) = rollup::get(c, org.id, rollup::MEMBERS, "")?;
    if members > 0 {
        return Err(StoreError::Conflict(format!(
            "该组织还有{members}名党员，须先转出"
        )));
    }
    c.execute(
        "UPDATE orgs SET dissolved_on = ? WHERE id = ?",
        vals![on, org.id],
    )?;
    rollup::bump_shape(c, &org.path, rollup::Shape::of(org), -1)?;
    let after = require(c, org.id)?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(org.id),
            action: "org.dissolve",
            entity: "org",
            entity_id: Some(org.id),
            before: snapshot(org),
            after: snapshot(&after),
        },
    )?;
    Ok(())
}

/// Subtree member counts for the structural checks.
pub fn counts(c: &mut dyn Conn, org_id: i64) -> Result<MemberCounts> {
    Ok(MemberCounts {
        members: rollup::get(c, org_id, rollup::MEMBERS, "")?.1,
        full_members: rollup::get(c, org_id, rollup::FULL_MEMBERS, "")?.1,
    })
}

/// Subtree totals shown on dashboards: organisations, branches, members, full members.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Totals {
    pub orgs: i64,
    pub branches: i64,
    pub members: i64,
    pub full_members: i64,
}

pub fn totals(c: &mut dyn Conn, org_id: i64) -> Result<Totals> {
    Ok(Totals {
        orgs: rollup::get(c, org_id, rollup::ORGS, "")?.1,
        branches: rollup::get(c, org_id, rollup::BRANCHES, "")?.1,
        members: rollup::get(c, org_id, rollup::MEMBERS, "")?.1,
        full_members: rollup::get(c, org_id, rollup::FULL_MEMBERS, "")?.1,
    })
}

/// An organisation with the structural warnings it raises.
pub type Flagged = (Org, Vec<StructuralWarning>);

/// Subtree totals of many organisations at once (one query per metric).
pub fn totals_many(
    c: &mut dyn Conn,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, Totals>> {
    let orgs = rollup::subtree_many(c, ids, rollup::ORGS)?;
    let branches = rollup::subtree_many(c, ids, rollup::BRANCHES)?;
    let members = rollup::subtree_many(c, ids, rollup::MEMBERS)?;
    let full = rollup::subtree_many(c, ids, rollup::FULL_MEMBERS)?;
    let get = |m: &std::collections::HashMap<i64, i64>, id: i64| m.get(&id).copied().unwrap_or(0);
    Ok(ids
        .iter()
        .map(|&id| {
            (
                id,
                Totals {
                    orgs: get(&orgs, id),
                    branches: get(&branches, id),
                    members: get(&members, id),
                    full_members: get(&full, id),
                },
            )
        })
        .collect())
}

/// Every structural warning in the subtree (up to `limit` organisations), with the total count.
pub fn subtree_warnings(
    c: &mut dyn Conn,
    root: &Org,
    rules: &Rules,
    limit: usize,
) -> Result<(Vec<Flagged>, usize)> {
    // The organisation's columns, then its maintained subtree counts (a 党总支's members are
    // in the branches below it), read by name whatever `COLS` holds.
    let cols: Vec<String> = COLS.split(", ").map(|c| format!("o.{c}")).collect();
    let rows = c.query(
        &format!(
            "SELECT {}, COALESCE(m.subtree, 0) AS members, COALESCE(f.subtree, 0) AS full_members FROM orgs o
             LEFT JOIN rollups m ON m.org_id = o.id AND m.metric = 'members' AND m.period = ''
             LEFT JOIN rollups f ON f.org_id = o.id AND f.metric = 'full_members' AND f.period = ''
             WHERE o.path >= ? AND o.path < ? AND o.dissolved_on IS NULL
               AND o.kind IN ({}, '{}')
             ORDER BY o.path",
            cols.join(", "),
            branch_codes_sql(),
            OrgKind::GeneralBranch.code()
        ),
        vals![root.path.as_str(), path::upper(&root.path)],
    )?;
    let mut out = Vec::new();
    let mut total = 0;
    for r in &rows {
        let org = from_row(r)?;
        let w = structural_warnings(
            &org,
            MemberCounts {
                members: r.i64("members")?,
                full_members: r.i64("full_members")?,
            },
            rules,
        );
        if !w.is_empty() {
            total += 1;
            if out.len() < limit {
                out.push((org, w));
            }
        }
    }
    Ok((out, total))
}

/// Active branch-level organisations in the subtree (roster import targets).
pub fn branches_in(c: &mut dyn Conn, root_path: &str) -> Result<Vec<Org>> {
    c.query(
        &format!(
            "SELECT {COLS} FROM orgs WHERE path >= ? AND path < ? AND dissolved_on IS NULL
                 AND kind IN ({}) ORDER BY path",
            branch_codes_sql()
        ),
        vals![root_path, path::upper(root_path)],
    )?
    .iter()
    .map(from_row)
    .collect::<Result<Vec<_>>>()
}

/// Active organisations in the subtree whose name is `name`.
pub fn find_by_name(c: &mut dyn Conn, root_path: &str, name: &str) -> Result<Vec<Org>> {
    c
        .query(
            &format!("SELECT {COLS} FROM orgs WHERE path >= ? AND path < ? AND name = ? AND dissolved_on IS NULL ORDER BY path"),
            vals![root_path, path::upper(root_path), name],
        )?
        .iter()
        .map(from_row)
        .collect::<Result<Vec<_>>>()
}

fn name_segments(qualified: &str) -> Vec<String> {
    qualified
        .split(['/', '／'])
        .map(xianfeng_domain::text::normalize)
        .filter(|s| !s.is_empty())
        .collect()
}

/// The shortest unique label of every active branch under `root`: its own name when unique,
/// else prefixed with ancestors (`城关镇党委/新华村党总支/新华村第一党支部`) until it is.
pub fn qualified_branch_names(c: &mut dyn Conn, root: &Org) -> Result<Vec<(i64, String)>> {
    let rows = c.query(
        "SELECT id, parent_id, name, kind FROM orgs WHERE path >= ? AND path < ? AND dissolved_on IS NULL ORDER BY path",
        vals![root.path.as_str(), path::upper(&root.path)],
    )?;
    let parent: std::collections::HashMap<i64, (Option<i64>, String)> = rows
        .iter()
        .map(|r| Ok((r.i64(0)?, (r.opt_i64(1)?, r.text(2)?))))
        .collect::<Result<_>>()?;
    let mut branches: Vec<(i64, Vec<String>)> = Vec::new();
    for r in &rows {
        if !stored_kind(&r.text(3)?)?.is_branch() {
            continue;
        }
        // Names from the branch up to (not including) the scope root.
        let mut chain = vec![r.text(2)?];
        let mut cur = r.opt_i64(1)?;
        while let Some(id) = cur.filter(|id| *id != root.id) {
            match parent.get(&id) {
                Some((p, name)) => {
                    chain.push(name.clone());
                    cur = *p;
                }
                None => break,
            }
        }
        branches.push((r.i64(0)?, chain));
    }
    let label = |chain: &[String], k: usize| {
        chain[..k.min(chain.len())]
            .iter()
            .rev()
            .cloned()
            .collect::<Vec<_>>()
            .join("/")
    };
    let mut depth: Vec<usize> = vec![1; branches.len()];
    loop {
        let labels: Vec<String> = branches
            .iter()
            .zip(&depth)
            .map(|((_, ch), k)| label(ch, *k))
            .collect();
        let mut counts: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
        for l in &labels {
            *counts.entry(l.as_str()).or_default() += 1;
        }
        let mut grew = false;
        for (i, l) in labels.iter().enumerate() {
            if counts[l.as_str()] > 1 && depth[i] < branches[i].1.len() {
                depth[i] += 1;
                grew = true;
            }
        }
        if !grew {
            return Ok(branches
                .iter()
                .zip(labels)
                .map(|((id, _), l)| (*id, l))
                .collect());
        }
    }
}

/// What a lookup by name came to: the one match, or a Chinese reason there is none.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup<T> {
    Found(T),
    Missing(String),
}

impl<T> Lookup<T> {
    pub fn found(self) -> Option<T> {
        match self {
            Lookup::Found(t) => Some(t),
            Lookup::Missing(_) => None,
        }
    }

    /// Why nothing was found, when nothing was.
    pub fn missing(self) -> Option<String> {
        match self {
            Lookup::Found(_) => None,
            Lookup::Missing(m) => Some(m),
        }
    }
}

/// Finds the one active branch under `scope` named by `qualified` (a name, or ancestors and
/// name separated by `/`). The error is a Chinese reason for the import report.
pub fn resolve_branch(c: &mut dyn Conn, scope: &Org, qualified: &str) -> Result<Lookup<Org>> {
    let segs = name_segments(qualified);
    let Some(last) = segs.last() else {
        return Ok(Lookup::Missing("不能为空".into()));
    };
    let mut found = Vec::new();
    for o in find_by_name(c, &scope.path, last)?
        .into_iter()
        .filter(|o| o.kind.is_branch())
    {
        let names: Vec<String> = ancestors(c, &o)?.into_iter().map(|a| a.name).collect();
        // Every given ancestor must appear, in order, above the branch.
        let mut it = names[..names.len().saturating_sub(1)].iter();
        if segs[..segs.len() - 1].iter().all(|s| it.any(|n| n == s)) {
            found.push(o);
        }
    }
    Ok(match found.len() {
        0 => Lookup::Missing(format!(
            "在“{}”范围内找不到“{}”党支部",
            scope.name,
            segs.join("/")
        )),
        1 => Lookup::Found(found.remove(0)),
        n => Lookup::Missing(format!(
            "“{}”有{n}个同名党支部，请写明上级，例如“某某镇党委/{last}”（下载的模板中已列出）",
            segs.join("/")
        )),
    })
}

/// Active organisations under `root` in tree order (for pickers), at most `limit`.
pub fn active_in(c: &mut dyn Conn, root: &Org, limit: i64) -> Result<Vec<Org>> {
    c
        .query(
            &format!("SELECT {COLS} FROM orgs WHERE path >= ? AND path < ? AND dissolved_on IS NULL ORDER BY path LIMIT ?"),
            vals![root.path.as_str(), path::upper(&root.path), limit],
        )?
        .iter()
        .map(from_row)
        .collect::<Result<Vec<_>>>()
}

/// `(id, name indented by depth below root)` for a `<select>`.
pub fn indented(root: &Org, list: impl IntoIterator<Item = Org>) -> Vec<(i64, String)> {
    list.into_iter()
        .map(|o| {
            (
                o.id,
                format!(
                    "{}{}",
                    "　".repeat((o.depth() - root.depth()).max(0) as usize),
                    o.name
                ),
            )
        })
        .collect()
}
