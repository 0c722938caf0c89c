//! Accounts, database-stored sessions and login throttling (per user name and address pair,
//! decided by `xianfeng_domain::login`).

use rand::RngCore;
use serde_json::json;
use sha2::{Digest, Sha256};
use xianfeng_domain::auth::{Actor, Role};
use xianfeng_domain::login::{self, AfterFailure, Pair};
use xianfeng_domain::rules::Rules;

use crate::db::{Conn, Row};
use crate::people::orgs;
use crate::{audit, now_text, vals, Result, StoreError};

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

/// The user name a pair is kept under: accounts' names are at most 32 characters, so a longer
/// name (which cannot be an account) is cut rather than stored whole.
fn pair_name(username: &str) -> String {
    username.chars().take(64).collect()
}

fn unknown_key(address: &str) -> String {
    format!("unknown:{address}")
}

/// What is remembered about the pair (`username`, `address`); failures before `since` are
/// forgotten.
pub fn login_pair(c: &mut dyn Conn, username: &str, address: &str, since: i64) -> Result<Pair> {
    let name = pair_name(username);
    let failures = c.scalar(
        "SELECT COALESCE(MAX(failures), 0) FROM login_pairs WHERE username = ? AND ip = ? AND last_failure_at >= ?",
        vals![name.as_str(), address, since],
    )?;
    let locked_until = c.scalar(
        "SELECT COALESCE(MAX(locked_until), 0) FROM login_pairs WHERE username = ? AND ip = ?",
        vals![name.as_str(), address],
    )?;
    Ok(Pair {
        failures,
        locked_until,
    })
}

/// Failed logins with user names that do not exist from `address` since `since`.
pub fn unknown_failures(c: &mut dyn Conn, address: &str, since: i64) -> Result<i64> {
    c.scalar(
        "SELECT COUNT(*) FROM login_failures WHERE key = ? AND at > ?",
        vals![unknown_key(address), since],
    )
}

/// A failed login: the user name as typed (normalised), the address it came from (see
/// `login::network_of`) and the account, when the name is one.
pub struct Failure<'a> {
    pub username: &'a str,
    pub address: &'a str,
    pub account_id: Option<i64>,
}

/// Records a failed login in the caller's transaction: the pair's next failure in a row (the
/// first again once its failures are forgotten), the address's count when the user name does
/// not exist, the refusal the pair earns, an audit entry for each refusal of an account and
/// one when the address reaches its limit. Returns what to answer.
pub fn login_failed(
    c: &mut dyn Conn,
    rules: &Rules,
    f: &Failure<'_>,
    now: i64,
) -> Result<AfterFailure> {
    let forget_before = now - rules.login_forget_hours * 3600;
    let window_start = now - rules.login_window_minutes * 60;
    c.execute(
        "DELETE FROM login_pairs WHERE last_failure_at < ? AND locked_until < ?",
        vals![forget_before, now],
    )?;
    c.execute(
        "DELETE FROM login_failures WHERE at <= ?",
        vals![window_start.min(now - 86_400)],
    )?;
    let name = pair_name(f.username);
    // A pair refused meanwhile (by a request alongside this one) is not counted again.
    let counted = c.query(
        "INSERT INTO login_pairs (username, ip, failures, last_failure_at, locked_until) VALUES (?, ?, 1, ?, 0)
         ON CONFLICT (username, ip) DO UPDATE SET
             failures = CASE WHEN login_pairs.last_failure_at < ? THEN 1 ELSE login_pairs.failures + 1 END,
             last_failure_at = excluded.last_failure_at
         WHERE login_pairs.locked_until <= ?
         RETURNING failures",
        vals![name.as_str(), f.address, now, forget_before, now],
    )?;
    let Some(failures) = counted.first().map(|r| r.i64(0)).transpose()? else {
        let pair = login_pair(c, &name, f.address, forget_before)?;
        return Ok(AfterFailure {
            lock_minutes: 0,
            refuse_minutes: Some(login::minutes_until(pair.locked_until, now)),
            address_now_limited: false,
        });
    };
    let unknown_name = f.account_id.is_none();
    if unknown_name {
        c.execute(
            "INSERT INTO login_failures (key, at) VALUES (?, ?)",
            vals![unknown_key(f.address), now],
        )?;
    }
    let unknown = unknown_failures(c, f.address, window_start)?;
    let after = login::after_failure(rules, failures, unknown, unknown_name);
    if after.lock_minutes > 0 {
        c.execute(
            "UPDATE login_pairs SET locked_until = ? WHERE username = ? AND ip = ?",
            vals![now + after.lock_minutes * 60, name.as_str(), f.address],
        )?;
        if let Some(id) = f.account_id {
            let org_id = c.scalar("SELECT org_id FROM accounts WHERE id = ?", vals![id])?;
            audit::append(
                c,
                audit::Record {
                    actor: None,
                    org_id: Some(org_id),
                    action: "account.lockout",
                    entity: "account",
                    entity_id: Some(id),
                    before: json!(null),
                    after: json!({"username": name, "ip": f.address, "failures": failures,
                                  "minutes": after.lock_minutes}),
                },
            )?;
        }
    }
    if after.address_now_limited {
        let root = orgs::roots(c)?.first().map(|o| o.id);
        audit::append(
            c,
            audit::Record {
                actor: None,
                org_id: root,
                action: "login.address_limit",
                entity: "address",
                entity_id: None,
                before: json!(null),
                after: json!({"ip": f.address, "unknown_failures": unknown,
                              "minutes": rules.login_window_minutes}),
            },
        )?;
    }
    Ok(after)
}

/// A successful login forgets the pair's failures (those from other addresses stay).
pub fn login_succeeded(c: &mut dyn Conn, username: &str, address: &str) -> Result<()> {
    c.execute(
        "DELETE FROM login_pairs WHERE username = ? AND ip = ?",
        vals![pair_name(username), address],
    )?;
    Ok(())
}

/// Forgets every failure of `username` from every address (an administrator's 解除锁定);
/// returns how many pairs there were.
pub fn unlock(c: &mut dyn Conn, username: &str) -> Result<u64> {
    c.execute(
        "DELETE FROM login_pairs WHERE username = ?",
        vals![pair_name(username)],
    )
}

/// Accounts under `root_path` with a pair that has been refused (`login_free_failures` or more
/// failures still remembered): `(account id, until when refused: a past time when not now)`.
pub fn restricted_in(
    c: &mut dyn Conn,
    root_path: &str,
    rules: &Rules,
    now: i64,
) -> Result<Vec<(i64, i64)>> {
    let rows = c.query(
        "SELECT a.id, MAX(p.locked_until) FROM accounts a
         JOIN orgs o ON o.id = a.org_id
         JOIN login_pairs p ON p.username = a.username
         WHERE o.path >= ? AND o.path < ? AND p.failures >= ? AND p.last_failure_at >= ?
         GROUP BY a.id",
        vals![
            root_path,
            xianfeng_domain::path::upper(root_path),
            rules.login_free_failures.max(1),
            now - rules.login_forget_hours * 3600
        ],
    )?;
    rows.iter().map(|r| Ok((r.i64(0)?, r.i64(1)?))).collect()
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
