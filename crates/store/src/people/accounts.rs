//! Accounts, database-stored sessions and login throttling.

use rand::RngCore;
use sha2::{Digest, Sha256};
use xianfeng_domain::auth::{Actor, Role};

use crate::db::{Conn, Row};
use crate::{now_text, vals, Result, StoreError};

fn random_hex(bytes: usize) -> String {
    let mut b = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn epoch() -> i64 {
    chrono::Utc::now().timestamp()
}

pub struct NewAccount<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub role: Role,
    pub org_id: i64,
    pub member_id: Option<i64>,
}

pub fn create(c: &mut dyn Conn, a: &NewAccount<'_>) -> Result<i64> {
    if c.query_opt(
        "SELECT id FROM accounts WHERE username = ?",
        vals![a.username],
    )?
    .is_some()
    {
        return Err(xianfeng_domain::Invalid::one("username", "用户名", "已被使用").into());
    }
    c.scalar(
        "INSERT INTO accounts (username, display_name, password_hash, role, org_id, member_id, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vals![a.username, a.display_name, a.password_hash, a.role.code(), a.org_id, a.member_id, now_text()],
    )
}

/// `(account id, password hash)` of an enabled account.
pub fn credentials(c: &mut dyn Conn, username: &str) -> Result<Option<(i64, String)>> {
    c.query_opt(
        "SELECT id, password_hash FROM accounts WHERE username = ? AND disabled = 0",
        vals![username],
    )?
    .map(|r| -> Result<_> { Ok((r.i64(0)?, r.text(1)?)) })
    .transpose()
}

/// The role stored in the `role` column; a code this version does not know is an error, not
/// a missing account.
fn role_of(r: &Row) -> Result<Role> {
    let code = r.text("role")?;
    Role::from_code(&code).ok_or_else(|| StoreError::Db(format!("未知角色代码「{code}」")))
}

fn actor_from(r: &Row) -> Result<Actor> {
    Ok(Actor {
        account_id: r.i64("id")?,
        username: r.text("username")?,
        display_name: r.text("display_name")?,
        role: role_of(r)?,
        scope_org_id: r.i64("org_id")?,
        scope_path: r.text("scope_path")?,
        member_id: r.opt_i64("member_id")?,
    })
}

const ACTOR_SQL: &str =
    "SELECT a.id, a.username, a.display_name, a.role, a.org_id, o.path AS scope_path, a.member_id
     FROM accounts a JOIN orgs o ON o.id = a.org_id";

pub fn actor(c: &mut dyn Conn, account_id: i64) -> Result<Actor> {
    let r = c
        .query_opt(&format!("{ACTOR_SQL} WHERE a.id = ?"), vals![account_id])?
        .ok_or(StoreError::NotFound("账号"))?;
    actor_from(&r)
}

/// A new session: returns `(token for the cookie, CSRF token)`. Only the token's hash is stored.
pub fn start_session(
    c: &mut dyn Conn,
    account_id: i64,
    hours: i64,
    ip: &str,
) -> Result<(String, String)> {
    let token = random_hex(32);
    let csrf = random_hex(16);
    let now = epoch();
    c.execute("DELETE FROM sessions WHERE expires_at < ?", vals![now])?;
    c.execute(
        "INSERT INTO sessions (token_hash, account_id, csrf, created_at, expires_at, ip) VALUES (?, ?, ?, ?, ?, ?)",
        vals![token_hash(&token), account_id, csrf.as_str(), now, now + hours * 3600, ip],
    )?;
    Ok((token, csrf))
}

/// The actor and CSRF token of a live session.
pub fn session(c: &mut dyn Conn, token: &str) -> Result<Option<(Actor, String)>> {
    let row = c.query_opt(
        &format!(
            "{ACTOR_SQL} JOIN sessions s ON s.account_id = a.id WHERE s.token_hash = ? AND s.expires_at > ? AND a.disabled = 0"
        ),
        vals![token_hash(token), epoch()],
    )?;
    let Some(r) = row else { return Ok(None) };
    let csrf = c
        .query_one(
            "SELECT csrf FROM sessions WHERE token_hash = ?",
            vals![token_hash(token)],
        )?
        .text(0)?;
    Ok(Some((actor_from(&r)?, csrf)))
}

pub fn end_session(c: &mut dyn Conn, token: &str) -> Result<()> {
    c.execute(
        "DELETE FROM sessions WHERE token_hash = ?",
        vals![token_hash(token)],
    )?;
    Ok(())
}

/// Failed logins for `key` (`user:NAME` or `ip:ADDR`) in the last `minutes`.
pub fn recent_failures(c: &mut dyn Conn, key: &str, minutes: i64) -> Result<i64> {
    c.scalar(
        "SELECT COUNT(*) FROM login_failures WHERE key = ? AND at > ?",
        vals![key, epoch() - minutes * 60],
    )
}

pub fn record_failure(c: &mut dyn Conn, keys: &[&str]) -> Result<()> {
    let now = epoch();
    c.execute(
        "DELETE FROM login_failures WHERE at < ?",
        vals![now - 86_400],
    )?;
    for k in keys {
        c.execute(
            "INSERT INTO login_failures (key, at) VALUES (?, ?)",
            vals![*k, now],
        )?;
    }
    Ok(())
}

pub fn clear_failures(c: &mut dyn Conn, key: &str) -> Result<()> {
    c.execute("DELETE FROM login_failures WHERE key = ?", vals![key])?;
    Ok(())
}

/// An account as listed for administrators.
#[derive(Debug, Clone, serde::Serialize)]
pub struct AccountRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub disabled: bool,
}

const ROW_SQL: &str =
    "SELECT a.id, a.username, a.display_name, a.role, a.org_id, o.name AS org_name, o.path AS org_path, a.disabled
     FROM accounts a JOIN orgs o ON o.id = a.org_id";

fn account_row(r: &Row) -> Result<AccountRow> {
    Ok(AccountRow {
        id: r.i64("id")?,
        username: r.text("username")?,
        display_name: r.text("display_name")?,
        role: role_of(r)?,
        org_id: r.i64("org_id")?,
        org_name: r.text("org_name")?,
        org_path: r.text("org_path")?,
        disabled: r.i64("disabled")? != 0,
    })
}

/// Accounts whose scope lies inside `root_path`.
pub fn list_in(c: &mut dyn Conn, root_path: &str) -> Result<Vec<AccountRow>> {
    let rows = c.query(
        &format!("{ROW_SQL} WHERE o.path >= ? AND o.path < ? ORDER BY o.path, a.id LIMIT 1000"),
        vals![root_path, xianfeng_domain::path::upper(root_path)],
    )?;
    rows.iter().map(account_row).collect()
}

pub fn get_row(c: &mut dyn Conn, id: i64) -> Result<Option<AccountRow>> {
    c.query_opt(&format!("{ROW_SQL} WHERE a.id = ?"), vals![id])?
        .as_ref()
        .map(account_row)
        .transpose()
}

/// Sets a new password hash and ends the account's sessions.
pub fn set_password(c: &mut dyn Conn, id: i64, hash: &str) -> Result<()> {
    c.execute(
        "UPDATE accounts SET password_hash = ? WHERE id = ?",
        vals![hash, id],
    )?;
    c.execute("DELETE FROM sessions WHERE account_id = ?", vals![id])?;
    Ok(())
}

/// Enables or disables an account; disabling ends its sessions.
pub fn set_disabled(c: &mut dyn Conn, id: i64, disabled: bool) -> Result<()> {
    c.execute(
        "UPDATE accounts SET disabled = ? WHERE id = ?",
        vals![i64::from(disabled), id],
    )?;
    if disabled {
        c.execute("DELETE FROM sessions WHERE account_id = ?", vals![id])?;
    }
    Ok(())
}
