//! 经费: budget lines per organisation and year and the spending against them, in fen. A spend
//! moves `budget_lines.spent_fen` by a conditional UPDATE (`… AND amount_fen - spent_fen >= ?`),
//! after `FOR UPDATE` on PostgreSQL, so two spends racing for the last of a line cannot both
//! pass; the ledger (`fund_entries`) is append-only and a reversal (冲正) undoes one entry once.
//! Budgets and spending roll up the tree (`fund:budget`, `fund:spent` per year) through the
//! roll-up engine, so a subtree's balance is one row read.

use serde_json::json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::funds::{fits, fmt_fen, BudgetInput, FundEntryKind, FundSource, SpendInput};
use xianfeng_domain::org::Org;
use xianfeng_domain::path;
use xianfeng_domain::text::normalize;
use xianfeng_domain::Invalid;

use crate::audit::{self, Record};
use crate::db::{Conn, Dialect, Row};
use crate::engines::rollup;
use crate::{now_text, vals, Result, StoreError};

/// Roll-up metrics, per year.
pub const BUDGET: &str = "fund:budget";
pub const SPENT: &str = "fund:spent";

#[derive(Debug, Clone)]
pub struct Line {
    pub id: i64,
    pub org_id: i64,
    pub org_path: String,
    pub org_name: String,
    pub year: i64,
    pub source: FundSource,
    pub title: String,
    pub amount_fen: i64,
    pub spent_fen: i64,
}

impl Line {
    pub fn balance_fen(&self) -> i64 {
        self.amount_fen - self.spent_fen
    }
    pub fn amount(&self) -> String {
        fmt_fen(self.amount_fen)
    }
    pub fn spent(&self) -> String {
        fmt_fen(self.spent_fen)
    }
    pub fn balance(&self) -> String {
        fmt_fen(self.balance_fen())
    }
}

const COLUMNS: &str = "l.id, l.org_id, l.org_path, o.name AS org_name, l.year, l.source, l.title, l.amount_fen, l.spent_fen";

fn row(r: &Row) -> Result<Line> {
    Ok(Line {
        id: r.i64("id")?,
        org_id: r.i64("org_id")?,
        org_path: r.text("org_path")?,
        org_name: r.text("org_name")?,
        year: r.i64("year")?,
        source: FundSource::parse(&r.text("source")?).unwrap_or(FundSource::Budget),
        title: r.text("title")?,
        amount_fen: r.i64("amount_fen")?,
        spent_fen: r.i64("spent_fen")?,
    })
}

pub fn get(c: &mut dyn Conn, id: i64) -> Result<Line> {
    c.query_opt(
        &format!(
            "SELECT {COLUMNS} FROM budget_lines l JOIN orgs o ON o.id = l.org_id WHERE l.id = ?"
        ),
        vals![id],
    )?
    .map(|r| row(&r))
    .ok_or(StoreError::NotFound("经费预算"))?
}

/// A line `actor` may see; out of scope reads exactly like a missing one.
pub fn visible(c: &mut dyn Conn, actor: &Actor, id: i64) -> Result<Line> {
    let l = get(c, id)?;
    if !actor.can_read_org(&l.org_path) {
        return Err(StoreError::NotFound("经费预算"));
    }
    Ok(l)
}

/// Lines of organisations under `scope` for `year`.
pub fn list(c: &mut dyn Conn, scope: &str, year: i32) -> Result<Vec<Line>> {
    c.query(
        &format!(
            "SELECT {COLUMNS} FROM budget_lines l JOIN orgs o ON o.id = l.org_id
             WHERE l.org_path >= ? AND l.org_path < ? AND l.year = ? ORDER BY l.org_path, l.id LIMIT 1000"
        ),
        vals![scope, path::upper(scope), year as i64],
    )?
    .iter()
    .map(row)
    .collect()
}

/// The subtree's (budget, spent) in fen for `year`, from the roll-up.
pub fn totals(c: &mut dyn Conn, org_id: i64, year: i32) -> Result<(i64, i64)> {
    let y = year.to_string();
    Ok((
        rollup::get(c, org_id, BUDGET, &y)?.1,
        rollup::get(c, org_id, SPENT, &y)?.1,
    ))
}

/// A town or county administrator sets a budget line for an organisation in its subtree.
pub fn create_line(c: &mut dyn Conn, actor: &Actor, org: &Org, input: &BudgetInput) -> Result<i64> {
    if !actor.can_read_org(&org.path) {
        return Err(StoreError::NotFound("组织"));
    }
    if !actor.can_manage_town(&org.path) {
        return Err(
            Invalid::one("org", "预算单位", "经费预算由乡镇（街道）或县级管理员设立").into(),
        );
    }
    let d = input.validate(xianfeng_domain::date::today())?;
    let id = c.scalar(
        "INSERT INTO budget_lines (org_id, org_path, year, source, title, amount_fen, created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vals![org.id, org.path.as_str(), d.year as i64, d.source.label(), d.title.as_str(), d.amount_fen,
              actor.account_id, now_text()],
    )?;
    rollup::bump(c, &org.path, BUDGET, &d.year.to_string(), d.amount_fen)?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(org.id),
            action: "fund.line",
            entity: "budget_line",
            entity_id: Some(id),
            before: json!(null),
            after: json!({"year": d.year, "source": d.source.label(), "title": d.title, "amount_fen": d.amount_fen}),
        },
    )?;
    Ok(id)
}

/// The organisation records a spend with its receipt; beyond the line's balance it is refused.
pub fn spend(c: &mut dyn Conn, actor: &Actor, line_id: i64, input: &SpendInput) -> Result<i64> {
    let line = visible(c, actor, line_id)?;
    if !actor.can_record_life(&line.org_path) {
        return Err(StoreError::NotFound("经费预算"));
    }
    let d = input.validate(xianfeng_domain::date::today())?;
    if c.dialect() == Dialect::Postgres {
        c.query(
            "SELECT id FROM budget_lines WHERE id = ? FOR UPDATE",
            vals![line_id],
        )?;
    }
    let changed = c.execute(
        "UPDATE budget_lines SET spent_fen = spent_fen + ? WHERE id = ? AND amount_fen - spent_fen >= ?",
        vals![d.amount_fen, line_id, d.amount_fen],
    )?;
    if changed != 1 {
        let now = get(c, line_id)?;
        debug_assert!(!fits(now.amount_fen, now.spent_fen, d.amount_fen));
        return Err(Invalid::one(
            "amount",
            "金额",
            format!(
                "超出“{}”的余额（余 {} 元），不能支出 {} 元",
                now.title,
                now.balance(),
                fmt_fen(d.amount_fen)
            ),
        )
        .into());
    }
    let id = c.scalar(
        "INSERT INTO fund_entries (line_id, kind, amount_fen, day, purpose, receipt, recorded_by, at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vals![line_id, FundEntryKind::Spend.label(), d.amount_fen, d.day.to_string(), d.purpose.as_str(),
              d.receipt.as_str(), actor.account_id, now_text()],
    )?;
    rollup::bump(
        c,
        &line.org_path,
        SPENT,
        &line.year.to_string(),
        d.amount_fen,
    )?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(line.org_id),
            action: "fund.spend",
            entity: "fund_entry",
            entity_id: Some(id),
            before: json!({"spent_fen": line.spent_fen}),
            after: json!({"line": line_id, "amount_fen": d.amount_fen, "purpose": d.purpose, "receipt": d.receipt}),
        },
    )?;
    Ok(id)
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub id: i64,
    pub kind: String,
    pub amount_fen: i64,
    pub day: String,
    pub purpose: String,
    pub receipt: String,
    pub reverses: Option<i64>,
    pub reversed: bool,
}

impl Entry {
    pub fn amount(&self) -> String {
        fmt_fen(self.amount_fen)
    }
}

pub fn entries(c: &mut dyn Conn, line_id: i64) -> Result<Vec<Entry>> {
    c.query(
        "SELECT e.id, e.kind, e.amount_fen, e.day, e.purpose, e.receipt, e.reverses,
                (SELECT COUNT(*) FROM fund_entries r WHERE r.reverses = e.id) AS reversed
         FROM fund_entries e WHERE e.line_id = ? ORDER BY e.id",
        vals![line_id],
    )?
    .iter()
    .map(|r| {
        Ok(Entry {
            id: r.i64("id")?,
            kind: r.text("kind")?,
            amount_fen: r.i64("amount_fen")?,
            day: r.text("day")?,
            purpose: r.text("purpose")?,
            receipt: r.text("receipt")?,
            reverses: r.opt_i64("reverses")?,
            reversed: r.i64("reversed")? > 0,
        })
    })
    .collect()
}

/// The level above (a town or county administrator) reverses one spend, once, with a reason:
/// a new entry, the line's balance restored.
pub fn reverse(c: &mut dyn Conn, actor: &Actor, entry_id: i64, reason: &str) -> Result<i64> {
    let r = c
        .query_opt(
            "SELECT line_id, kind, amount_fen FROM fund_entries WHERE id = ?",
            vals![entry_id],
        )?
        .ok_or(StoreError::NotFound("支出记录"))?;
    let line = visible(c, actor, r.i64(0)?).map_err(|_| StoreError::NotFound("支出记录"))?;
    if !actor.can_manage_town(&line.org_path) {
        return Err(
            Invalid::one("reason", "冲正理由", "冲正由乡镇（街道）或县级管理员办理").into(),
        );
    }
    if r.text(1)? != FundEntryKind::Spend.label() {
        return Err(Invalid::one("reason", "冲正理由", "只能冲正支出记录").into());
    }
    let reason = normalize(reason);
    if reason.chars().count() < 2 {
        return Err(Invalid::one("reason", "冲正理由", "请写明冲正理由").into());
    }
    let done = c.scalar(
        "SELECT COUNT(*) FROM fund_entries WHERE reverses = ?",
        vals![entry_id],
    )?;
    if done > 0 {
        return Err(StoreError::Conflict("该支出已冲正".into()));
    }
    let amount = r.i64(2)?;
    c.execute(
        "UPDATE budget_lines SET spent_fen = spent_fen - ? WHERE id = ?",
        vals![amount, line.id],
    )?;
    let id = c.scalar(
        "INSERT INTO fund_entries (line_id, kind, amount_fen, day, purpose, receipt, reverses, recorded_by, at)
         VALUES (?, ?, ?, ?, ?, '', ?, ?, ?) RETURNING id",
        vals![line.id, FundEntryKind::Reversal.label(), -amount, xianfeng_domain::date::today().to_string(),
              reason.as_str(), entry_id, actor.account_id, now_text()],
    )?;
    rollup::bump(c, &line.org_path, SPENT, &line.year.to_string(), -amount)?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(line.org_id),
            action: "fund.reverse",
            entity: "fund_entry",
            entity_id: Some(id),
            before: json!({"entry": entry_id, "amount_fen": amount}),
            after: json!({"reason": reason}),
        },
    )?;
    Ok(id)
}
