//! Households (户) and residents (群众) of villages and communities. Each household and each
//! resident has a points account; a household's QR code spends its people's points together.

use serde_json::json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::household::ResidentDraft;
use xianfeng_domain::idcard::Sex;
use xianfeng_domain::org::Org;
use xianfeng_domain::{idcard, path, phone};

use crate::audit::{self, Record};
use crate::db::{Conn, Row};
use crate::points::{self, NewAccount, HOUSEHOLD, PERSON};
use crate::{now_text, vals, Result, StoreError, Vault};

/// Roll-up metrics: households and residents per organisation.
pub const HOUSEHOLDS: &str = "households";
pub const RESIDENTS: &str = "residents";

#[derive(Debug, Clone)]
pub struct Household {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub head_name: String,
    pub address: String,
    pub code: String,
    pub account_id: i64,
    pub people: i64,
    pub balance: i64,
    /// The grid the household is placed in (网格化), and its 建档 categories.
    pub grid_id: Option<i64>,
    pub grid_name: Option<String>,
    pub categories: Vec<String>,
}

const COLS: &str = "h.id, h.org_id, o.name AS org_name, h.org_path, h.head_name, h.address, h.code, h.account_id,
    (SELECT COUNT(*) FROM residents r WHERE r.household_id = h.id) AS residents,
    (SELECT CAST(COALESCE(SUM(a.balance), 0) AS BIGINT) FROM point_accounts a WHERE a.kind = 'person' AND a.household_id = h.id) AS balance,
    h.grid_id, g.name AS grid_name, h.categories";
const FROM: &str =
    "households h JOIN orgs o ON o.id = h.org_id LEFT JOIN grids g ON g.id = h.grid_id";

/// The stored form of a household's categories (`|脱贫户|独居老人|`), and back.
pub fn categories_text(categories: &[String]) -> String {
    if categories.is_empty() {
        String::new()
    } else {
        format!("|{}|", categories.join("|"))
    }
}

fn categories_of(text: &str) -> Vec<String> {
    text.split('|')
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .collect()
}

fn row(r: &Row) -> Result<Household> {
    Ok(Household {
        id: r.i64("id")?,
        org_id: r.i64("org_id")?,
        org_name: r.text("org_name")?,
        org_path: r.text("org_path")?,
        head_name: r.text("head_name")?,
        address: r.text("address")?,
        code: r.text("code")?,
        account_id: r.i64("account_id")?,
        people: r.i64("residents")?,
        balance: r.i64("balance")?,
        grid_id: r.opt_i64("grid_id")?,
        grid_name: r.opt_text("grid_name")?,
        categories: categories_of(&r.text("categories")?),
    })
}

pub fn get(c: &mut dyn Conn, id: i64) -> Result<Household> {
    c.query_opt(
        &format!("SELECT {COLS} FROM {FROM} WHERE h.id = ?"),
        vals![id],
    )?
    .map(|r| row(&r))
    .ok_or(StoreError::NotFound("农户"))?
}

pub fn by_code(c: &mut dyn Conn, code: &str) -> Result<Option<Household>> {
    c.query_opt(
        &format!("SELECT {COLS} FROM {FROM} WHERE h.code = ?"),
        vals![code],
    )?
    .map(|r| row(&r))
    .transpose()
}

/// Households in a subtree, optionally matching a name or address, a page at a time.
pub fn list(
    c: &mut dyn Conn,
    scope_path: &str,
    query: &str,
    limit: i64,
    offset: i64,
) -> Result<Vec<Household>> {
    let like = format!("%{}%", query.trim());
    c
        .query(
            &format!(
                "SELECT {COLS} FROM {FROM} WHERE h.org_path >= ? AND h.org_path < ?
                 AND (h.head_name LIKE ? OR h.address LIKE ?) ORDER BY h.org_path, h.id LIMIT ? OFFSET ?"
            ),
            vals![scope_path, path::upper(scope_path), like.as_str(), like.as_str(), limit, offset],
        )?
        .iter()
        .map(row)
        .collect::<Result<Vec<_>>>()
}

#[derive(Debug, Clone)]
pub struct Resident {
    pub id: i64,
    pub household_id: i64,
    pub name: String,
    pub relation: String,
    pub gender: String,
    pub id_masked: String,
    pub phone_masked: String,
    pub account_id: i64,
    pub balance: i64,
}

pub fn people(c: &mut dyn Conn, household_id: i64) -> Result<Vec<Resident>> {
    c
        .query(
            "SELECT r.id, r.household_id, r.name, r.relation, r.gender, r.id_masked, r.phone_masked, a.id, a.balance
             FROM residents r JOIN point_accounts a ON a.resident_id = r.id
             WHERE r.household_id = ? ORDER BY r.id",
            vals![household_id],
        )?
        .iter()
        .map(|r| Ok(Resident {
            id: r.i64(0)?,
            household_id: r.i64(1)?,
            name: r.text(2)?,
            relation: r.text(3)?,
            gender: match r.text(4)?.as_str() {
                "" => String::new(),
                code => crate::db::decode(code, Sex::from_code, "性别")?
                    .label()
                    .to_string(),
            },
            id_masked: r.text(5)?,
            phone_masked: r.text(6)?,
            account_id: r.i64(7)?,
            balance: r.i64(8)?,
        }))
        .collect::<Result<_>>()
}

/// Where residents can live: a village or community organisation (a branch or general branch
/// whose members are the village's), not a town or the county.
pub fn check_target(org: &Org) -> Result<()> {
    if org.kind.is_committee()
        || org.kind == xianfeng_domain::org::OrgKind::Group
        || org.dissolved_on.is_some()
    {
        return Err(xianfeng_domain::Invalid::one(
            "org",
            "所属村（社区）",
            format!("“{}”不是村（社区）级组织", org.name),
        )
        .into());
    }
    Ok(())
}

/// The household at `address` in `org`, created (with its account and code) when new.
fn household_for(c: &mut dyn Conn, org: &Org, d: &ResidentDraft) -> Result<i64> {
    if let Some(r) = c.query_opt(
        "SELECT id, head_name FROM households WHERE org_id = ? AND address = ?",
        vals![org.id, d.address.as_str()],
    )? {
        if r.text(1)? != d.head_name {
            return Err(xianfeng_domain::Invalid::one(
                "head_name",
                "户主姓名",
                format!("住址“{}”已登记户主“{}”", d.address, r.text(1)?),
            )
            .into());
        }
        return r.i64(0);
    }
    let code = points::new_code();
    let account = points::open_account(
        c,
        NewAccount {
            kind: HOUSEHOLD,
            member_id: None,
            resident_id: None,
            household_id: None,
            org_id: org.id,
            org_path: &org.path,
            name: &format!("{}户", d.head_name),
            code: None,
        },
    )?;
    let id = c.scalar(
        "INSERT INTO households (org_id, org_path, head_name, address, code, account_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vals![org.id, org.path.as_str(), d.head_name.as_str(), d.address.as_str(), code.as_str(), account, now_text()],
    )?;
    c.execute(
        "UPDATE point_accounts SET household_id = ?, code = ? WHERE id = ?",
        vals![id, code.as_str(), account],
    )?;
    crate::engines::rollup::bump(c, &org.path, HOUSEHOLDS, "", 1)?;
    Ok(id)
}

/// Adds one resident (and their household when new) to a village organisation.
pub fn add_resident(
    c: &mut dyn Conn,
    vault: &Vault,
    actor: Option<&Actor>,
    org: &Org,
    d: &ResidentDraft,
) -> Result<i64> {
    check_target(org)?;
    let id_hash = d.id_number.as_ref().map(|n| vault.blind_index(n));
    if let Some(h) = &id_hash {
        if c.query_opt(
            "SELECT id FROM residents WHERE id_hash = ?",
            vals![h.as_str()],
        )?
        .is_some()
        {
            return Err(xianfeng_domain::Invalid::one(
                "id_number",
                "身份证号",
                "该身份证号已登记为群众",
            )
            .into());
        }
    }
    let household = household_for(c, org, d)?;
    let id = c.scalar(
        "INSERT INTO residents (household_id, org_id, org_path, name, relation, gender, id_cipher, id_hash, id_masked, phone_cipher, phone_masked, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vals![household, org.id, org.path.as_str(), d.name.as_str(), d.relation.as_str(), Sex::parse(&d.gender).map_or("", |s| s.code()),
              d.id_number.as_ref().map(|n| vault.encrypt(n)), id_hash,
              d.id_number.as_deref().map(idcard::mask).unwrap_or_default(),
              d.phone.as_ref().map(|p| vault.encrypt(p)),
              d.phone.as_deref().map(phone::mask).unwrap_or_default(), now_text()],
    )?;
    points::open_account(
        c,
        NewAccount {
            kind: PERSON,
            member_id: None,
            resident_id: Some(id),
            household_id: Some(household),
            org_id: org.id,
            org_path: &org.path,
            name: &d.name,
            code: Some(points::new_code()),
        },
    )?;
    crate::engines::rollup::bump(c, &org.path, RESIDENTS, "", 1)?;
    crate::grids::links::place_by_name(c, actor, household, &d.grid)?;
    audit::append(
        c,
        Record {
            actor,
            org_id: Some(org.id),
            action: "resident.create",
            entity: "resident",
            entity_id: Some(id),
            before: json!(null),
            after: json!({"name": d.name, "household": household, "relation": d.relation}),
        },
    )?;
    Ok(id)
}
