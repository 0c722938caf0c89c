//! 积分超市: stores run by a village or town, items with a points price and stock, and
//! redemption at the counter by a person's or household's code. Stock and balance change in
//! one transaction with conditional updates, so the last item is never sold twice.

use chrono::NaiveDate;
use serde_json::json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::org::Org;
use xianfeng_domain::path;
use xianfeng_domain::points::{split_debit, EntryKind, ItemDraft, RedeemDraft};
use xianfeng_domain::Invalid;

use crate::audit::{self, Record};
use crate::db::{Conn, Row};
use crate::points::{self, Account, Ledger, Movement, NewAccount, HOUSEHOLD, STORE};
use crate::{now_text, vals, Result, StoreError};

#[derive(Debug, Clone)]
pub struct Shop {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub org_path: String,
    pub name: String,
    pub account_id: i64,
}

const SHOP_COLS: &str = "s.id, s.org_id, o.name AS org_name, s.org_path, s.name, s.account_id";
const SHOP_FROM: &str = "point_stores s JOIN orgs o ON o.id = s.org_id";

fn shop_row(r: &Row) -> Result<Shop> {
    Ok(Shop {
        id: r.i64("id")?,
        org_id: r.i64("org_id")?,
        org_name: r.text("org_name")?,
        org_path: r.text("org_path")?,
        name: r.text("name")?,
        account_id: r.i64("account_id")?,
    })
}

pub fn get(c: &mut dyn Conn, id: i64) -> Result<Shop> {
    c.query_opt(
        &format!("SELECT {SHOP_COLS} FROM {SHOP_FROM} WHERE s.id = ?"),
        vals![id],
    )?
    .map(|r| shop_row(&r))
    .ok_or(StoreError::NotFound("积分超市"))?
}

/// Stores in a subtree.
pub fn in_scope(c: &mut dyn Conn, scope_path: &str) -> Result<Vec<Shop>> {
    c
        .query(
            &format!("SELECT {SHOP_COLS} FROM {SHOP_FROM} WHERE s.org_path >= ? AND s.org_path < ? ORDER BY s.org_path, s.id"),
            vals![scope_path, path::upper(scope_path)],
        )?
        .iter()
        .map(shop_row)
        .collect::<Result<Vec<_>>>()
}

pub fn open(c: &mut dyn Conn, actor: Option<&Actor>, org: &Org, name: &str) -> Result<i64> {
    let name = xianfeng_domain::text::normalize(name);
    if name.is_empty() || name.chars().count() > 40 {
        return Err(Invalid::one("name", "超市名称", "应为1到40个字").into());
    }
    let account = points::open_account(
        c,
        NewAccount {
            kind: STORE,
            member_id: None,
            resident_id: None,
            household_id: None,
            org_id: org.id,
            org_path: &org.path,
            name: &name,
            code: None,
        },
    )?;
    let id = c.scalar(
        "INSERT INTO point_stores (org_id, org_path, name, account_id, created_at) VALUES (?, ?, ?, ?, ?) RETURNING id",
        vals![org.id, org.path.as_str(), name.as_str(), account, now_text()],
    )?;
    audit::append(
        c,
        Record {
            actor,
            org_id: Some(org.id),
            action: "points.store.open",
            entity: "point_store",
            entity_id: Some(id),
            before: json!(null),
            after: json!({"name": name}),
        },
    )?;
    Ok(id)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub id: i64,
    pub store_id: i64,
    pub name: String,
    pub price: i64,
    pub stock: i64,
    pub active: bool,
}

const ITEM_COLS: &str = "id, store_id, name, price, stock, active";

fn item_row(r: &Row) -> Result<Item> {
    Ok(Item {
        id: r.i64("id")?,
        store_id: r.i64("store_id")?,
        name: r.text("name")?,
        price: r.i64("price")?,
        stock: r.i64("stock")?,
        active: r.i64("active")? != 0,
    })
}

pub fn items(c: &mut dyn Conn, store_id: i64) -> Result<Vec<Item>> {
    c
        .query(
            &format!("SELECT {ITEM_COLS} FROM point_items WHERE store_id = ? ORDER BY active DESC, price, id"),
            vals![store_id],
        )?
        .iter()
        .map(item_row)
        .collect::<Result<Vec<_>>>()
}

pub fn item(c: &mut dyn Conn, id: i64) -> Result<Item> {
    c.query_opt(
        &format!("SELECT {ITEM_COLS} FROM point_items WHERE id = ?"),
        vals![id],
    )?
    .map(|r| item_row(&r))
    .ok_or(StoreError::NotFound("商品"))?
}

/// Adds an item, or restocks and reprices one of the same name.
pub fn stock_item(c: &mut dyn Conn, actor: &Actor, shop: &Shop, d: &ItemDraft) -> Result<i64> {
    let existing = c.query_opt(
        "SELECT id, stock, price FROM point_items WHERE store_id = ? AND name = ?",
        vals![shop.id, d.name.as_str()],
    )?;
    let (id, before) = match existing {
        Some(r) => {
            c.execute(
                "UPDATE point_items SET price = ?, stock = stock + ?, active = 1 WHERE id = ?",
                vals![d.price, d.stock, r.i64(0)?],
            )?;
            (r.i64(0)?, json!({"stock": r.i64(1)?, "price": r.i64(2)?}))
        }
        None => (
            c.scalar(
                "INSERT INTO point_items (store_id, name, price, stock) VALUES (?, ?, ?, ?) RETURNING id",
                vals![shop.id, d.name.as_str(), d.price, d.stock],
            )?,
            json!(null),
        ),
    };
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(shop.org_id),
            action: "points.item.stock",
            entity: "point_item",
            entity_id: Some(id),
            before,
            after: json!({"name": d.name, "price": d.price, "added": d.stock}),
        },
    )?;
    Ok(id)
}

#[derive(Debug, Clone)]
pub struct Receipt {
    pub id: i64,
    pub receipt: String,
    pub store_id: i64,
    pub item_name: String,
    pub quantity: i64,
    pub points: i64,
    pub holder: String,
    /// The person's or household's account that paid.
    pub account_id: i64,
    pub at: String,
    pub day: String,
    /// What the holder has left after this redemption (for the printed receipt).
    pub balance_after: i64,
}

/// Redeems `quantity` of an item for the holder of `code` (a person, or a household whose
/// people pay together, largest balance first). Refused, with nothing written, when the code
/// is unknown or outside the store's area, the item is out of stock, or points fall short.
pub fn redeem(
    c: &mut dyn Conn,
    clerk: &Actor,
    shop: &Shop,
    d: &RedeemDraft,
    today: NaiveDate,
) -> Result<Receipt> {
    let holder = points::by_code(c, &d.code)?
        .ok_or_else(|| Invalid::one("code", "积分码", "积分码无效，请核对后重新扫描"))?;
    if !path::within(&holder.org_path, &shop.org_path) {
        return Err(Invalid::one("code", "积分码", "该积分码不属于本超市服务范围").into());
    }
    let it = item(c, d.item_id)?;
    if it.store_id != shop.id || !it.active {
        return Err(Invalid::one("item", "商品", "本超市没有该商品").into());
    }
    let total = it
        .price
        .checked_mul(d.quantity)
        .ok_or_else(|| Invalid::one("quantity", "数量", "数量过大"))?;
    let payers: Vec<Account> = if holder.kind == HOUSEHOLD {
        let id = holder.household_id.unwrap_or(0);
        let mut people = Vec::new();
        for p in points::household_people(c, id)? {
            people.push(points::lock(c, p.id)?);
        }
        people
    } else {
        vec![points::lock(c, holder.id)?]
    };
    let balances: Vec<(i64, i64)> = payers.iter().map(|p| (p.id, p.balance)).collect();
    let have: i64 = balances.iter().map(|(_, b)| b).sum();
    let Some(parts) = split_debit(&balances, total) else {
        return Err(Invalid::one(
            "quantity",
            "积分",
            format!("积分不足：{}现有{have}分，兑换需要{total}分", holder.name),
        )
        .into());
    };
    let taken = c.execute(
        "UPDATE point_items SET stock = stock - ? WHERE id = ? AND stock >= ?",
        vals![d.quantity, it.id, d.quantity],
    )?;
    if taken != 1 {
        let left = item(c, it.id)?.stock;
        return Err(Invalid::one(
            "quantity",
            "数量",
            format!("库存不足：“{}”只剩{left}件", it.name),
        )
        .into());
    }
    let seq = c.scalar(
        "SELECT COUNT(*) FROM point_redemptions WHERE store_id = ? AND day = ?",
        vals![shop.id, today.to_string()],
    )? + 1;
    let receipt = format!("DH{}-{}-{seq:04}", shop.id, today.format("%Y%m%d"));
    let at = now_text();
    let id = c.scalar(
        "INSERT INTO point_redemptions (receipt, store_id, item_id, item_name, quantity, points, account_id, holder, clerk_id, at, day)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        vals![receipt.as_str(), shop.id, it.id, it.name.as_str(), d.quantity, total, holder.id, holder.name.as_str(),
              clerk.account_id, at.as_str(), today.to_string()],
    )?;
    let mut ledger = Ledger::default();
    let note = format!("{}×{}", it.name, d.quantity);
    for (payer, amount) in parts {
        let person = payers
            .iter()
            .find(|p| p.id == payer)
            .ok_or(StoreError::Db("兑换账户丢失".into()))?;
        ledger.post(
            c,
            &Movement {
                kind: EntryKind::Redemption,
                debit: person.id,
                credit: shop.account_id,
                amount,
                person,
                day: today,
                rule_id: None,
                claim_id: None,
                redemption_id: Some(id),
                reverses: None,
                actor_id: Some(clerk.account_id),
                note: &note,
                source_ref: None,
            },
        )?;
    }
    ledger.finish(c)?;
    audit::append(
        c,
        Record {
            actor: Some(clerk),
            org_id: Some(shop.org_id),
            action: "points.redeem",
            entity: "point_redemption",
            entity_id: Some(id),
            before: json!({"balance": have, "stock": it.stock}),
            after: json!({"receipt": receipt, "item": it.name, "quantity": d.quantity, "points": total}),
        },
    )?;
    Ok(Receipt {
        id,
        receipt,
        store_id: shop.id,
        item_name: it.name,
        quantity: d.quantity,
        points: total,
        holder: holder.name,
        account_id: holder.id,
        at,
        day: today.to_string(),
        balance_after: have - total,
    })
}

impl Receipt {
    /// The time as shown on a receipt: `2026-11-22 14:05`.
    pub fn when(&self) -> String {
        self.at.get(..16).unwrap_or(&self.at).replace('T', " ")
    }
}

fn receipt_row(r: &Row) -> Result<Receipt> {
    Ok(Receipt {
        id: r.i64("id")?,
        receipt: r.text("receipt")?,
        store_id: r.i64("store_id")?,
        item_name: r.text("item_name")?,
        quantity: r.i64("quantity")?,
        points: r.i64("points")?,
        holder: r.text("holder")?,
        at: r.text("at")?,
        day: r.text("day")?,
        account_id: r.i64("account_id")?,
        balance_after: 0,
    })
}

const RECEIPT_COLS: &str =
    "id, receipt, store_id, item_name, quantity, points, holder, at, day, account_id";

pub fn receipt(c: &mut dyn Conn, id: i64) -> Result<Receipt> {
    c.query_opt(
        &format!("SELECT {RECEIPT_COLS} FROM point_redemptions WHERE id = ?"),
        vals![id],
    )?
    .map(|r| receipt_row(&r))
    .ok_or(StoreError::NotFound("兑换单"))?
}

/// Redemptions of a store between two days (inclusive), oldest first.
pub fn redemptions(
    c: &mut dyn Conn,
    store_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Receipt>> {
    c
        .query(
            &format!("SELECT {RECEIPT_COLS} FROM point_redemptions WHERE store_id = ? AND day >= ? AND day <= ? ORDER BY id"),
            vals![store_id, from.to_string(), to.to_string()],
        )?
        .iter()
        .map(receipt_row)
        .collect::<Result<Vec<_>>>()
}

/// One line of the monthly reconciliation (对账): per item, how many went out for how many
/// points, and the stock left now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reconciliation {
    pub item: String,
    pub quantity: i64,
    pub points: i64,
    pub stock_now: i64,
}

pub fn reconcile(
    c: &mut dyn Conn,
    store_id: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(Vec<Reconciliation>, i64)> {
    let lines: Vec<Reconciliation> = c
        .query(
            "SELECT i.name, CAST(COALESCE(SUM(r.quantity), 0) AS BIGINT), CAST(COALESCE(SUM(r.points), 0) AS BIGINT), i.stock
             FROM point_items i LEFT JOIN point_redemptions r ON r.item_id = i.id AND r.day >= ? AND r.day <= ?
             WHERE i.store_id = ? GROUP BY i.id, i.name, i.stock ORDER BY i.name",
            vals![from.to_string(), to.to_string(), store_id],
        )?
        .iter()
        .map(|r| Ok(Reconciliation {
            item: r.text(0)?,
            quantity: r.i64(1)?,
            points: r.i64(2)?,
            stock_now: r.i64(3)?,
        }))
        .collect::<Result<_>>()?;
    // The ledger's side of the same month: what the store's account received.
    let ledger = c.scalar(
        "SELECT CAST(COALESCE(SUM(e.amount), 0) AS BIGINT) FROM point_entries e JOIN point_stores s ON s.account_id = e.credit_id
         WHERE s.id = ? AND e.kind = '积分兑换' AND e.day >= ? AND e.day <= ?",
        vals![store_id, from.to_string(), to.to_string()],
    )?;
    Ok((lines, ledger))
}
