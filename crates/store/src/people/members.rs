//! Members: create, edit, transfer (history kept), subtree lists by index range, export.
//! 身份证号 and 手机号 are stored encrypted with a masked copy for display and a blind index.

use serde_json::json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::idcard::Sex;
use xianfeng_domain::member::{Education, Member, MemberDraft, MemberStatus};
use xianfeng_domain::org::Org;
use xianfeng_domain::{idcard, path, phone, Invalid};

use crate::audit::{self, Record};
use crate::crypto::Vault;
use crate::db::{decode, Conn, Row, Value};
use crate::{engines::rollup, now_text, vals, Result, StoreError};

/// Columns of a member list row (shared with the benchmark's naive query).
pub const COLS: &str = "m.id, m.org_id, o.name AS org_name, m.name, m.gender, m.ethnicity, m.birth_date, m.id_masked, m.phone_masked,
     m.joined_on, m.full_on, m.status, m.education, m.post, m.tags, m.org_path";

/// A stored member with what scope checks need.
#[derive(Debug, Clone)]
pub struct MemberRecord {
    pub member: Member,
    pub org_path: String,
}

fn from_row(r: &Row) -> Result<MemberRecord> {
    Ok(MemberRecord {
        member: Member {
            id: r.i64("id")?,
            org_id: r.i64("org_id")?,
            org_name: r.text("org_name")?,
            name: r.text("name")?,
            gender: decode(&r.text("gender")?, Sex::from_code, "性别")?
                .label()
                .to_string(),
            ethnicity: r.text("ethnicity")?,
            birth_date: r.text("birth_date")?,
            id_masked: r.text("id_masked")?,
            phone_masked: r.text("phone_masked")?,
            joined_on: r.text("joined_on")?,
            full_on: r.opt_text("full_on")?,
            status: decode(&r.text("status")?, MemberStatus::from_code, "党员类别")?
                .label()
                .to_string(),
            education: match r.text("education")?.as_str() {
                "" => String::new(),
                code => decode(code, Education::from_code, "学历")?
                    .label()
                    .to_string(),
            },
            post: r.text("post")?,
            tags: r
                .text("tags")?
                .split('|')
                .filter(|t| !t.is_empty())
                .map(str::to_string)
                .collect(),
        },
        org_path: r.text("org_path")?,
    })
}

fn snapshot(m: &Member) -> serde_json::Value {
    json!({"name": m.name, "org_id": m.org_id, "gender": m.gender, "ethnicity": m.ethnicity, "birth_date": m.birth_date,
           "id_number": m.id_masked, "phone": m.phone_masked, "joined_on": m.joined_on, "full_on": m.full_on,
           "status": m.status, "education": m.education, "post": m.post, "tags": m.tags})
}

fn tags_text(tags: &[String]) -> String {
    if tags.is_empty() {
        String::new()
    } else {
        format!("|{}|", tags.join("|"))
    }
}

pub fn get(c: &mut dyn Conn, id: i64) -> Result<Option<MemberRecord>> {
    c.query_opt(
        &format!("SELECT {COLS} FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.id = ?"),
        vals![id],
    )?
    .map(|r| from_row(&r))
    .transpose()
}

pub fn require(c: &mut dyn Conn, id: i64) -> Result<MemberRecord> {
    get(c, id)?.ok_or(StoreError::NotFound("党员"))
}

fn check_target(org: &Org) -> Result<()> {
    if !org.kind.is_branch() {
        return Err(Invalid::one(
            "org_id",
            "所属党组织",
            format!("党员应编入党支部，“{}”是{}", org.name, org.kind.label()),
        )
        .into());
    }
    if org.dissolved_on.is_some() {
        return Err(Invalid::one("org_id", "所属党组织", format!("“{}”已撤销", org.name)).into());
    }
    Ok(())
}

fn check_duplicate(c: &mut dyn Conn, id_hash: &str, except: Option<i64>) -> Result<()> {
    if let Some(r) = c.query_opt(
        "SELECT id, name FROM members WHERE id_hash = ?",
        vals![id_hash],
    )? {
        if Some(r.i64(0)?) != except {
            return Err(Invalid::one(
                "id_number",
                "身份证号",
                format!("与已登记的党员“{}”重复", r.text(1)?),
            )
            .into());
        }
    }
    Ok(())
}

fn replace_tags(c: &mut dyn Conn, member_id: i64, org_path: &str, tags: &[String]) -> Result<()> {
    c.execute(
        "DELETE FROM member_tags WHERE member_id = ?",
        vals![member_id],
    )?;
    for t in tags {
        c.execute(
            "INSERT INTO member_tags (member_id, tag, org_path) VALUES (?, ?, ?)",
            vals![member_id, t.as_str(), org_path],
        )?;
    }
    Ok(())
}

/// Columns written from a draft, in order, with their values.
fn draft_values(vault: &Vault, d: &MemberDraft) -> Vec<(&'static str, Value)> {
    vec![
        ("name", d.name.clone().into()),
        ("gender", d.sex.code().into()),
        ("ethnicity", d.ethnicity.clone().into()),
        ("birth_date", d.birth_date.to_string().into()),
        ("id_cipher", vault.encrypt(&d.id_number).into()),
        ("id_hash", vault.blind_index(&d.id_number).into()),
        ("id_masked", idcard::mask(&d.id_number).into()),
        (
            "phone_cipher",
            d.phone.as_ref().map(|p| vault.encrypt(p)).into(),
        ),
        (
            "phone_masked",
            d.phone
                .as_deref()
                .map(phone::mask)
                .unwrap_or_default()
                .into(),
        ),
        ("joined_on", d.joined_on.to_string().into()),
        ("full_on", d.full_on.map(|f| f.to_string()).into()),
        ("status", d.status.code().into()),
        (
            "education",
            d.education.map(|e| e.code()).unwrap_or("").into(),
        ),
        ("post", d.post.clone().into()),
        ("tags", tags_text(&d.tags).into()),
        ("updated_at", now_text().into()),
    ]
}

fn is_full(d: &MemberDraft) -> i64 {
    i64::from(d.status == MemberStatus::Full)
}

/// Adds a member to a branch.
pub fn create(
    c: &mut dyn Conn,
    vault: &Vault,
    actor: Option<&Actor>,
    org: &Org,
    d: &MemberDraft,
) -> Result<i64> {
    check_target(org)?;
    let id_hash = vault.blind_index(&d.id_number);
    check_duplicate(c, &id_hash, None)?;
    let mut cols = draft_values(vault, d);
    cols.push(("org_id", org.id.into()));
    cols.push((
        "root_id",
        path::ids(&org.path)
            .first()
            .copied()
            .unwrap_or(org.id)
            .into(),
    ));
    cols.push(("org_path", org.path.clone().into()));
    cols.push(("created_at", now_text().into()));
    let names = cols.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(", ");
    let marks = vec!["?"; cols.len()].join(", ");
    let params: Vec<Value> = cols.into_iter().map(|(_, v)| v).collect();
    let id = c.scalar(
        &format!("INSERT INTO members ({names}) VALUES ({marks}) RETURNING id"),
        &params,
    )?;
    replace_tags(c, id, &org.path, &d.tags)?;
    rollup::bump(c, &org.path, rollup::MEMBERS, "", 1)?;
    rollup::bump(c, &org.path, rollup::FULL_MEMBERS, "", is_full(d))?;
    let after = require(c, id)?;
    audit::append(
        c,
        Record {
            actor,
            org_id: Some(org.id),
            action: "member.create",
            entity: "member",
            entity_id: Some(id),
            before: json!(null),
            after: snapshot(&after.member),
        },
    )?;
    Ok(id)
}

/// Replaces a member's fields with a validated draft.
pub fn update(
    c: &mut dyn Conn,
    vault: &Vault,
    actor: &Actor,
    before: &MemberRecord,
    d: &MemberDraft,
) -> Result<()> {
    let id = before.member.id;
    check_duplicate(c, &vault.blind_index(&d.id_number), Some(id))?;
    let cols = draft_values(vault, d);
    let sets = cols
        .iter()
        .map(|(n, _)| format!("{n} = ?"))
        .collect::<Vec<_>>()
        .join(", ");
    let mut params: Vec<Value> = cols.into_iter().map(|(_, v)| v).collect();
    params.push(id.into());
    c.execute(&format!("UPDATE members SET {sets} WHERE id = ?"), &params)?;
    replace_tags(c, id, &before.org_path, &d.tags)?;
    let was_full = i64::from(before.member.status == MemberStatus::Full.label());
    rollup::bump(
        c,
        &before.org_path,
        rollup::FULL_MEMBERS,
        "",
        is_full(d) - was_full,
    )?;
    let after = require(c, id)?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(before.member.org_id),
            action: "member.update",
            entity: "member",
            entity_id: Some(id),
            before: snapshot(&before.member),
            after: snapshot(&after.member),
        },
    )?;
    Ok(())
}

/// The full ID number and phone; the caller has checked the role and this is audited.
pub fn reveal(
    c: &mut dyn Conn,
    vault: &Vault,
    actor: &Actor,
    m: &MemberRecord,
) -> Result<(String, Option<String>)> {
    let r = c.query_one(
        "SELECT id_cipher, phone_cipher FROM members WHERE id = ?",
        vals![m.member.id],
    )?;
    let id_number = vault.decrypt(&r.blob(0)?)?;
    let phone = match r.opt_blob(1)? {
        Some(b) => Some(vault.decrypt(&b)?),
        None => None,
    };
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(m.member.org_id),
            action: "member.reveal",
            entity: "member",
            entity_id: Some(m.member.id),
            before: json!(null),
            after: json!({"fields": ["id_number", "phone"]}),
        },
    )?;
    Ok((id_number, phone))
}

/// Decrypts the stored ID number without auditing (validation on edit needs it).
pub fn stored_id_number(c: &mut dyn Conn, vault: &Vault, member_id: i64) -> Result<String> {
    let r = c.query_one(
        "SELECT id_cipher FROM members WHERE id = ?",
        vals![member_id],
    )?;
    vault.decrypt(&r.blob(0)?)
}

/// Moves a member to another branch; the move is kept in `member_transfers`.
pub fn transfer(
    c: &mut dyn Conn,
    actor: &Actor,
    m: &MemberRecord,
    to: &Org,
    on: &str,
    reason: &str,
) -> Result<()> {
    check_target(to)?;
    if to.id == m.member.org_id {
        return Err(Invalid::one("to_org_id", "转入党组织", "与当前所属党组织相同").into());
    }
    c.execute(
        "UPDATE members SET org_id = ?, org_path = ?, root_id = ?, updated_at = ? WHERE id = ?",
        vals![
            to.id,
            to.path.as_str(),
            path::ids(&to.path).first().copied().unwrap_or(to.id),
            now_text(),
            m.member.id
        ],
    )?;
    c.execute(
        "UPDATE member_tags SET org_path = ? WHERE member_id = ?",
        vals![to.path.as_str(), m.member.id],
    )?;
    for follow in crate::TRANSFER_FOLLOWERS {
        follow(c, m.member.id, to)?;
    }
    c.execute(
        "INSERT INTO member_transfers (member_id, from_org_id, to_org_id, on_date, reason, actor_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        vals![m.member.id, m.member.org_id, to.id, on, reason, actor.account_id, now_text()],
    )?;
    let full = i64::from(m.member.status == MemberStatus::Full.label());
    rollup::bump(c, &m.org_path, rollup::MEMBERS, "", -1)?;
    rollup::bump(c, &m.org_path, rollup::FULL_MEMBERS, "", -full)?;
    rollup::bump(c, &to.path, rollup::MEMBERS, "", 1)?;
    rollup::bump(c, &to.path, rollup::FULL_MEMBERS, "", full)?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(to.id),
            action: "member.transfer",
            entity: "member",
            entity_id: Some(m.member.id),
            before: json!({"org_id": m.member.org_id}),
            after: json!({"org_id": to.id, "on": on, "reason": reason}),
        },
    )?;
    Ok(())
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Transfer {
    pub from_org: String,
    pub to_org: String,
    pub on_date: String,
    pub reason: String,
}

pub fn transfers(c: &mut dyn Conn, member_id: i64) -> Result<Vec<Transfer>> {
    c.query(
        "SELECT f.name, t.name, x.on_date, x.reason FROM member_transfers x
             JOIN orgs f ON f.id = x.from_org_id JOIN orgs t ON t.id = x.to_org_id
             WHERE x.member_id = ? ORDER BY x.id",
        vals![member_id],
    )?
    .iter()
    .map(|r| {
        Ok(Transfer {
            from_org: r.text(0)?,
            to_org: r.text(1)?,
            on_date: r.text(2)?,
            reason: r.text(3)?,
        })
    })
    .collect::<Result<_>>()
}

/// A subtree list query.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Part of a name.
    pub q: String,
    pub tag: String,
}

#[derive(Debug, Clone)]
pub struct Page {
    pub items: Vec<MemberRecord>,
    pub has_more: bool,
}

/// One page of members under `root_path`, in tree order: an index range on `org_path`.
pub fn list(
    c: &mut dyn Conn,
    root_path: &str,
    f: &Filter,
    page: i64,
    per_page: i64,
) -> Result<Page> {
    let mut sql = format!("SELECT {COLS} FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.org_path >= ? AND m.org_path < ?");
    let mut params: Vec<Value> = vec![root_path.into(), path::upper(root_path).into()];
    if !f.q.trim().is_empty() {
        sql.push_str(" AND m.name LIKE ?");
        params.push(
            format!(
                "%{}%",
                xianfeng_domain::text::normalize(&f.q).replace(['%', '_'], "")
            )
            .into(),
        );
    }
    if !f.tag.trim().is_empty() {
        sql.push_str(" AND m.id IN (SELECT member_id FROM member_tags WHERE tag = ? AND org_path >= ? AND org_path < ?)");
        params.push(f.tag.trim().into());
        params.push(root_path.into());
        params.push(path::upper(root_path).into());
    }
    sql.push_str(" ORDER BY m.org_path, m.id LIMIT ? OFFSET ?");
    params.push((per_page + 1).into());
    params.push((page.max(0) * per_page).into());
    let mut items: Vec<MemberRecord> = c
        .query(&sql, &params)?
        .iter()
        .map(from_row)
        .collect::<Result<Vec<_>>>()?;
    let has_more = items.len() as i64 > per_page;
    items.truncate(per_page as usize);
    Ok(Page { items, has_more })
}

/// Tags in use in the subtree, most common first.
pub fn tags_in(c: &mut dyn Conn, root_path: &str) -> Result<Vec<(String, i64)>> {
    c
        .query(
            "SELECT tag, COUNT(*) FROM member_tags WHERE org_path >= ? AND org_path < ? GROUP BY tag ORDER BY COUNT(*) DESC, tag LIMIT 30",
            vals![root_path, path::upper(root_path)],
        )?
        .iter()
        .map(|r| Ok((r.text(0)?, r.i64(1)?)))
        .collect::<Result<_>>()
}

/// Every member under `root_path` with personal data in clear when `reveal` (admins), masked
/// otherwise — the roster export.
pub fn export(
    c: &mut dyn Conn,
    vault: &Vault,
    root_path: &str,
    reveal: bool,
) -> Result<Vec<(Member, String, String)>> {
    let rows = c.query(
        &format!("SELECT {COLS}, m.id_cipher, m.phone_cipher FROM members m JOIN orgs o ON o.id = m.org_id WHERE m.org_path >= ? AND m.org_path < ? ORDER BY m.org_path, m.id"),
        vals![root_path, path::upper(root_path)],
    )?;
    let mut out = Vec::with_capacity(rows.len());
    for r in &rows {
        let rec = from_row(r)?;
        let (id_number, phone) = if reveal {
            let id = vault.decrypt(&r.blob("id_cipher")?)?;
            let ph = match r.opt_blob("phone_cipher")? {
                Some(b) => vault.decrypt(&b)?,
                None => String::new(),
            };
            (id, ph)
        } else {
            (
                rec.member.id_masked.clone(),
                rec.member.phone_masked.clone(),
            )
        };
        out.push((rec.member, id_number, phone));
    }
    Ok(out)
}

/// Decrypts the stored phone number (validation on edit keeps it when the form leaves it blank).
pub fn stored_phone(c: &mut dyn Conn, vault: &Vault, member_id: i64) -> Result<Option<String>> {
    let r = c.query_one(
        "SELECT phone_cipher FROM members WHERE id = ?",
        vals![member_id],
    )?;
    r.opt_blob(0)?.map(|b| vault.decrypt(&b)).transpose()
}

/// The members of one organisation (not its subtree) as (id, name), in registration order:
/// for pickers and for per-member work such as star ratings.
pub fn names_at(c: &mut dyn Conn, org_id: i64, limit: i64) -> Result<Vec<(i64, String)>> {
    c.query(
        "SELECT id, name FROM members WHERE org_id = ? ORDER BY id LIMIT ?",
        vals![org_id, limit],
    )?
    .iter()
    .map(|r| Ok((r.i64(0)?, r.text(1)?)))
    .collect::<Result<_>>()
}
