//! The points ledger (积分账本): accounts, append-only double entries, balances, per-period
//! totals. Every movement goes through [`Ledger::post`], which is the one place a balance
//! changes: a person's balance can never go below zero, and each movement that earns or costs
//! points moves the person's (and household's) period totals and the organisation roll-up
//! `points` for the month, quarter and year of the day it happened.

pub mod point_board;
pub mod point_claims;
pub mod point_rules;
pub mod point_shop;
pub mod point_triggers;

use std::collections::HashMap;

use chrono::NaiveDate;
use rand::Rng;
use xianfeng_domain::points::{BoardPeriod, EntryKind, PersonKind};

use crate::db::{Conn, Dialect, Row};
use crate::{engines::rollup, now_text, vals, Result, StoreError};

/// Roll-up metric: net points earned in an organisation's subtree, per period key.
pub const METRIC: &str = "points";

pub const PERSON: &str = "person";
pub const HOUSEHOLD: &str = "household";
pub const RULE: &str = "rule";
pub const STORE: &str = "store";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: i64,
    pub kind: String,
    pub member_id: Option<i64>,
    pub resident_id: Option<i64>,
    pub household_id: Option<i64>,
    pub org_id: i64,
    pub org_path: String,
    pub name: String,
    pub code: Option<String>,
    pub balance: i64,
}

impl Account {
    pub fn person_kind(&self) -> Option<PersonKind> {
        match (self.member_id, self.resident_id) {
            (Some(_), _) => Some(PersonKind::Member),
            (_, Some(_)) => Some(PersonKind::Resident),
            _ => None,
        }
    }
}

const COLS: &str =
    "id, kind, member_id, resident_id, household_id, org_id, org_path, name, code, balance";

fn account_row(r: &Row) -> Result<Account> {
    Ok(Account {
        id: r.i64("id")?,
        kind: r.text("kind")?,
        member_id: r.opt_i64("member_id")?,
        resident_id: r.opt_i64("resident_id")?,
        household_id: r.opt_i64("household_id")?,
        org_id: r.i64("org_id")?,
        org_path: r.text("org_path")?,
        name: r.text("name")?,
        code: r.opt_text("code")?,
        balance: r.i64("balance")?,
    })
}

pub fn account(c: &mut dyn Conn, id: i64) -> Result<Account> {
    c.query_opt(
        &format!("SELECT {COLS} FROM point_accounts WHERE id = ?"),
        vals![id],
    )?
    .map(|r| account_row(&r))
    .ok_or(StoreError::NotFound("积分账户"))?
}

/// Reads an account for update: on PostgreSQL the row is locked until the transaction ends,
/// so caps and balances are checked against what no one else is changing (SQLite writers are
/// already serialised).
pub fn lock(c: &mut dyn Conn, id: i64) -> Result<Account> {
    let sql = match c.dialect() {
        Dialect::Postgres => format!("SELECT {COLS} FROM point_accounts WHERE id = ? FOR UPDATE"),
        Dialect::Sqlite => format!("SELECT {COLS} FROM point_accounts WHERE id = ?"),
    };
    c.query_opt(&sql, vals![id])?
        .map(|r| account_row(&r))
        .ok_or(StoreError::NotFound("积分账户"))?
}

/// A code for a QR card: ten characters without the easily confused ones.
pub fn new_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    (0..10)
        .map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char)
        .collect()
}

pub struct NewAccount<'a> {
    pub kind: &'a str,
    pub member_id: Option<i64>,
    pub resident_id: Option<i64>,
    pub household_id: Option<i64>,
    pub org_id: i64,
    pub org_path: &'a str,
    pub name: &'a str,
    pub code: Option<String>,
}

pub fn open_account(c: &mut dyn Conn, a: NewAccount<'_>) -> Result<i64> {
    c.scalar(
        "INSERT INTO point_accounts (kind, member_id, resident_id, household_id, org_id, org_path, name, code)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vals![a.kind, a.member_id, a.resident_id, a.household_id, a.org_id, a.org_path, a.name, a.code],
    )
}

/// A member's account, opened on first use (with a QR code of its own).
pub fn member_account(c: &mut dyn Conn, member_id: i64) -> Result<Account> {
    if let Some(r) = c.query_opt(
        &format!("SELECT {COLS} FROM point_accounts WHERE member_id = ?"),
        vals![member_id],
    )? {
        return account_row(&r);
    }
    let m = crate::people::members::require(c, member_id)?;
    let id = open_account(
        c,
        NewAccount {
            kind: PERSON,
            member_id: Some(member_id),
            resident_id: None,
            household_id: None,
            org_id: m.member.org_id,
            org_path: &m.org_path,
            name: &m.member.name,
            code: Some(new_code()),
        },
    )?;
    account(c, id)
}

/// A transferred member's account and period totals move with them (what they earned keeps
/// counting where it was earned in the organisations' roll-up).
pub fn follow_member(
    c: &mut dyn Conn,
    member_id: i64,
    to: &xianfeng_domain::org::Org,
) -> Result<()> {
    let Some(r) = c.query_opt(
        "SELECT id FROM point_accounts WHERE member_id = ?",
        vals![member_id],
    )?
    else {
        return Ok(());
    };
    let account = r.i64(0)?;
    c.execute(
        "UPDATE point_accounts SET org_id = ?, org_path = ? WHERE id = ?",
        vals![to.id, to.path.as_str(), account],
    )?;
    c.execute(
        "UPDATE point_totals SET org_path = ? WHERE account_id = ?",
        vals![to.path.as_str(), account],
    )?;
    Ok(())
}

/// `(id, name)` pairs.
pub type Named = Vec<(i64, String)>;

/// Who can be given points at one organisation: its members `(member id, name)` (their
/// accounts open when first used) and its residents' accounts `(account id, name)`.
pub fn people_at(c: &mut dyn Conn, org_id: i64) -> Result<(Named, Named)> {
    let members = crate::people::members::names_at(c, org_id, 300)?;
    let residents = c
        .query(
            "SELECT id, name FROM point_accounts WHERE kind = 'person' AND resident_id IS NOT NULL AND org_id = ? ORDER BY id LIMIT 700",
            vals![org_id],
        )?
        .iter()
        .map(|r| Ok((r.i64(0)?, r.text(1)?)))
        .collect::<Result<_>>()?;
    Ok((members, residents))
}

/// The account holding a person's or household's QR code.
pub fn by_code(c: &mut dyn Conn, code: &str) -> Result<Option<Account>> {
    c.query_opt(
        &format!("SELECT {COLS} FROM point_accounts WHERE code = ?"),
        vals![code],
    )?
    .map(|r| account_row(&r))
    .transpose()
}

/// The people of a household, with their balances.
pub fn household_people(c: &mut dyn Conn, household_id: i64) -> Result<Vec<Account>> {
    c
        .query(
            &format!("SELECT {COLS} FROM point_accounts WHERE kind = 'person' AND household_id = ? ORDER BY id"),
            vals![household_id],
        )?
        .iter()
        .map(account_row)
        .collect::<Result<Vec<_>>>()
}

/// What a holder can spend: a person's balance, or a household's people together.
pub fn spendable(c: &mut dyn Conn, a: &Account) -> Result<i64> {
    if a.kind == HOUSEHOLD {
        let id = a.household_id.unwrap_or(0);
        c.scalar(
            "SELECT CAST(COALESCE(SUM(balance), 0) AS BIGINT) FROM point_accounts WHERE kind = 'person' AND household_id = ?",
            vals![id],
        )
    } else {
        Ok(a.balance)
    }
}

/// One movement to post.
#[derive(Debug, Clone)]
pub struct Movement<'a> {
    pub kind: EntryKind,
    pub debit: i64,
    pub credit: i64,
    pub amount: i64,
    pub person: &'a Account,
    pub day: NaiveDate,
    pub rule_id: Option<i64>,
    pub claim_id: Option<i64>,
    pub redemption_id: Option<i64>,
    pub reverses: Option<i64>,
    pub actor_id: Option<i64>,
    pub note: &'a str,
    /// The record that triggered an automatic grant (`meeting:12`).
    pub source_ref: Option<&'a str>,
}

/// Posts movements and gathers their effect on totals and roll-ups, written once by
/// [`Ledger::finish`] (a batch of many grants touches each total row once).
#[derive(Default)]
pub struct Ledger {
    totals: HashMap<(i64, String), (&'static str, String, i64)>,
    rollups: HashMap<(String, String), i64>,
    households: HashMap<i64, i64>,
    /// Balance changes of rule and store accounts, written once.
    others: HashMap<i64, i64>,
}

impl Ledger {
    /// Appends one entry and moves both balances. A person's balance never goes below zero:
    /// the debit is refused instead, and the caller's transaction rolls back.
    pub fn post(&mut self, c: &mut dyn Conn, m: &Movement<'_>) -> Result<i64> {
        if m.amount <= 0 {
            return Err(StoreError::Conflict("积分数额必须为正".into()));
        }
        let person = m.person.id;
        if m.debit != person && m.credit != person {
            return Err(StoreError::Conflict("积分记录必须涉及本人账户".into()));
        }
        // The person's side moves now (a debit that would go below zero is refused); the
        // other side, a rule's or a store's account, is settled once in `finish`.
        if m.debit == person {
            let moved = c.execute(
                "UPDATE point_accounts SET balance = balance - ? WHERE id = ? AND balance >= ?",
                vals![m.amount, m.debit, m.amount],
            )?;
            if moved != 1 {
                let have = account(c, m.debit)?.balance;
                return Err(xianfeng_domain::Invalid::one(
                    "points",
                    "积分",
                    format!("余额不足：现有{have}分，需要{}分", m.amount),
                )
                .into());
            }
        } else {
            *self.others.entry(m.debit).or_default() -= m.amount;
        }
        if m.credit == person {
            c.execute(
                "UPDATE point_accounts SET balance = balance + ? WHERE id = ?",
                vals![m.amount, m.credit],
            )?;
        } else {
            *self.others.entry(m.credit).or_default() += m.amount;
        }
        let id = c.scalar(
            "INSERT INTO point_entries (at, day, kind, debit_id, credit_id, amount, person_id, org_path, rule_id, claim_id, redemption_id, reverses_id, actor_id, note, source_ref)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            vals![now_text(), m.day.to_string(), m.kind.label(), m.debit, m.credit, m.amount, m.person.id,
                  m.person.org_path.as_str(), m.rule_id, m.claim_id, m.redemption_id, m.reverses, m.actor_id, m.note, m.source_ref],
        )?;
        let earned = earned_delta(m);
        if earned != 0 {
            let household = match m.person.household_id {
                Some(h) => Some(self.household_account(c, h)?),
                None => None,
            };
            self.earn(m.person, household, m.day, earned);
        }
        Ok(id)
    }

    fn household_account(&mut self, c: &mut dyn Conn, household_id: i64) -> Result<i64> {
        if let Some(a) = self.households.get(&household_id) {
            return Ok(*a);
        }
        let a = c.scalar(
            "SELECT account_id FROM households WHERE id = ?",
            vals![household_id],
        )?;
        self.households.insert(household_id, a);
        Ok(a)
    }

    fn earn(&mut self, person: &Account, household: Option<i64>, day: NaiveDate, delta: i64) {
        for key in BoardPeriod::keys(day) {
            let accounts =
                std::iter::once((person.id, PERSON)).chain(household.map(|h| (h, HOUSEHOLD)));
            for (account, kind) in accounts {
                let e = self
                    .totals
                    .entry((account, key.clone()))
                    .or_insert_with(|| (kind, person.org_path.clone(), 0));
                e.2 += delta;
            }
            *self
                .rollups
                .entry((person.org_path.clone(), key.clone()))
                .or_default() += delta;
        }
    }

    /// Writes the gathered totals and roll-ups.
    pub fn finish(self, c: &mut dyn Conn) -> Result<()> {
        for (account, delta) in self.others {
            if delta != 0 {
                c.execute(
                    "UPDATE point_accounts SET balance = balance + ? WHERE id = ?",
                    vals![delta, account],
                )?;
            }
        }
        for ((account, period), (kind, org_path, delta)) in self.totals {
            if delta != 0 {
                c.execute(
                    "INSERT INTO point_totals (account_id, period, kind, org_path, points) VALUES (?, ?, ?, ?, ?)
                     ON CONFLICT (account_id, period) DO UPDATE SET points = point_totals.points + excluded.points",
                    vals![account, period, kind, org_path, delta],
                )?;
            }
        }
        for ((org_path, period), delta) in self.rollups {
            rollup::bump(c, &org_path, METRIC, &period, delta)?;
        }
        Ok(())
    }
}

/// How a movement changes what the person has earned (redemptions spend, they do not unearn).
fn earned_delta(m: &Movement<'_>) -> i64 {
    let to_person = m.credit == m.person.id;
    match m.kind {
        EntryKind::Grant => m.amount,
        EntryKind::Deduction => -m.amount,
        EntryKind::Redemption => 0,
        EntryKind::Reversal if m.redemption_id.is_some() => 0,
        EntryKind::Reversal if to_person => m.amount,
        EntryKind::Reversal => -m.amount,
    }
}

/// Posts one movement and writes its totals.
pub fn post_one(c: &mut dyn Conn, m: &Movement<'_>) -> Result<i64> {
    let mut l = Ledger::default();
    let id = l.post(c, m)?;
    l.finish(c)?;
    Ok(id)
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub id: i64,
    pub at: String,
    pub day: String,
    pub kind: String,
    pub debit_id: i64,
    pub credit_id: i64,
    pub amount: i64,
    pub person_id: i64,
    pub rule_id: Option<i64>,
    pub claim_id: Option<i64>,
    pub redemption_id: Option<i64>,
    pub reverses_id: Option<i64>,
    pub note: String,
    /// The rule's action, the store's name, or what was reversed.
    pub what: String,
    pub reversed: bool,
}

const ENTRY_COLS: &str = "e.id, e.at, e.day, e.kind, e.debit_id, e.credit_id, e.amount, e.person_id, e.rule_id, e.claim_id, e.redemption_id, e.reverses_id, e.note,
     COALESCE(r.action, s.name, '') AS what, (SELECT COUNT(*) FROM point_entries x WHERE x.reverses_id = e.id) AS reversals";
const ENTRY_FROM: &str = "point_entries e LEFT JOIN point_rules r ON r.id = e.rule_id
     LEFT JOIN point_redemptions d ON d.id = e.redemption_id LEFT JOIN point_stores s ON s.id = d.store_id";

fn entry_row(r: &Row) -> Result<Entry> {
    Ok(Entry {
        id: r.i64("id")?,
        at: r.text("at")?,
        day: r.text("day")?,
        kind: r.text("kind")?,
        debit_id: r.i64("debit_id")?,
        credit_id: r.i64("credit_id")?,
        amount: r.i64("amount")?,
        person_id: r.i64("person_id")?,
        rule_id: r.opt_i64("rule_id")?,
        claim_id: r.opt_i64("claim_id")?,
        redemption_id: r.opt_i64("redemption_id")?,
        reverses_id: r.opt_i64("reverses_id")?,
        note: r.text("note")?,
        what: r.text("what")?,
        reversed: r.i64("reversals")? > 0,
    })
}

impl Entry {
    /// The signed change to the person's balance.
    pub fn signed(&self) -> i64 {
        if self.credit_id == self.person_id {
            self.amount
        } else {
            -self.amount
        }
    }
}

pub fn entry(c: &mut dyn Conn, id: i64) -> Result<Entry> {
    c.query_opt(
        &format!("SELECT {ENTRY_COLS} FROM {ENTRY_FROM} WHERE e.id = ?"),
        vals![id],
    )?
    .map(|r| entry_row(&r))
    .ok_or(StoreError::NotFound("积分记录"))?
}

/// A person's latest movements, newest first.
pub fn history(c: &mut dyn Conn, person_id: i64, limit: i64) -> Result<Vec<Entry>> {
    c
        .query(
            &format!("SELECT {ENTRY_COLS} FROM {ENTRY_FROM} WHERE e.person_id = ? ORDER BY e.id DESC LIMIT ?"),
            vals![person_id, limit],
        )?
        .iter()
        .map(entry_row)
        .collect::<Result<Vec<_>>>()
}

/// Points earned by a person under a rule between two days (inclusive), net of reversals.
pub fn earned_between(
    c: &mut dyn Conn,
    person_id: i64,
    rule_id: Option<i64>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<i64> {
    let mut params = vec![crate::Value::Int(person_id)];
    let rule_clause = match rule_id {
        Some(r) => {
            params.push(crate::Value::Int(r));
            "AND e.rule_id = ?"
        }
        None => "",
    };
    params.push(from.to_string().into());
    params.push(to.to_string().into());
    c.scalar(
        &format!(
            "SELECT CAST(COALESCE(SUM(CASE WHEN e.credit_id = e.person_id THEN e.amount ELSE -e.amount END), 0) AS BIGINT)
             FROM point_entries e WHERE e.person_id = ? {rule_clause} AND e.day >= ? AND e.day <= ?
             AND e.redemption_id IS NULL"
        ),
        &params,
    )
}

/// The ledger's own consistency, for tests and `audit verify`: all balances sum to zero,
/// every balance equals its entries, no person is negative, totals match the entries.
pub fn check(c: &mut dyn Conn) -> Result<crate::Check<()>> {
    let sum = c.scalar(
        "SELECT CAST(COALESCE(SUM(balance), 0) AS BIGINT) FROM point_accounts",
        &[],
    )?;
    if sum != 0 {
        return Ok(crate::Check::Broken(format!(
            "账户余额合计应为0，实际为{sum}"
        )));
    }
    let negative = c.scalar(
        "SELECT COUNT(*) FROM point_accounts WHERE kind = 'person' AND balance < 0",
        &[],
    )?;
    if negative > 0 {
        return Ok(crate::Check::Broken(format!(
            "{negative}个个人账户余额为负"
        )));
    }
    let mismatched = c.scalar(
        "SELECT COUNT(*) FROM point_accounts a WHERE a.balance <>
           COALESCE((SELECT SUM(amount) FROM point_entries WHERE credit_id = a.id), 0)
         - COALESCE((SELECT SUM(amount) FROM point_entries WHERE debit_id = a.id), 0)",
        &[],
    )?;
    if mismatched > 0 {
        return Ok(crate::Check::Broken(format!(
            "{mismatched}个账户余额与账目不符"
        )));
    }
    let year_totals = c.query(
        "SELECT account_id, points FROM point_totals WHERE kind = 'person' AND LENGTH(period) = 4",
        &[],
    )?;
    let mut derived: HashMap<i64, i64> = HashMap::new();
    for r in c.query(
        "SELECT person_id, CAST(SUM(CASE WHEN credit_id = person_id THEN amount ELSE -amount END) AS BIGINT)
         FROM point_entries WHERE redemption_id IS NULL GROUP BY person_id",
        &[],
    )? {
        derived.insert(r.i64(0)?, r.i64(1)?);
    }
    let stored: i64 = year_totals.iter().map(|r| r.i64(1)).sum::<Result<i64>>()?;
    let expected: i64 = derived.values().sum();
    if stored != expected {
        return Ok(crate::Check::Broken(format!(
            "年度积分合计{stored}与账目{expected}不符"
        )));
    }
    Ok(crate::Check::Sound(()))
}
