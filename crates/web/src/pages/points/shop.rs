//! 积分超市 pages: opening a store, stocking items, redeeming at the counter by scanning a
//! code, the printable receipt, and the monthly reconciliation (.xlsx).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{Format, Workbook};
use serde::Deserialize;
use xianfeng_domain::date;
use xianfeng_domain::points::{ItemInput, RedeemInput};
use xianfeng_store::points::point_shop::{self, Item, Receipt, Shop};
use xianfeng_store::StoreError;

use crate::pages::form::CsrfForm;
use crate::pages::{render, render_as, visible_org, Ctx};
use crate::session::Session;
use crate::{blocking, AppError, AppState};

#[derive(Deserialize)]
pub struct OpenForm {
    #[serde(default)]
    name: String,
}

/// Opens a store at a village (or other non-committee) organisation.
pub async fn open(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(f, kept): CsrfForm<OpenForm>,
) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let name = f.name;
    let result = crate::pages::write(&state, move |c| {
        let org = match visible_org(c, &actor, id) {
            Ok(o) if actor.can_record_life(&o.path) && !o.kind.is_committee() => o,
            _ => return Err(AppError::Forbidden),
        };
        Ok(point_shop::open(c, Some(&actor), &org, &name)?)
    })
    .await;
    match result {
        Ok(store) => Ok(Redirect::to(&format!("/stores/{store}")).into_response()),
        Err(e) => {
            let ctx = Ctx::new(&s, "points").refusal(e, &kept)?;
            crate::pages::points::overview(
                &state,
                &s,
                id,
                Default::default(),
                ctx,
                Default::default(),
            )
            .await
        }
    }
}

#[derive(Template)]
#[template(path = "points/store.html")]
struct StorePage {
    ctx: Ctx,
    shop: Shop,
    items: Vec<Item>,
    recent: Vec<Receipt>,
    month: String,
    code: String,
}

fn month_bounds(month: &str) -> Option<(NaiveDate, NaiveDate)> {
    let first = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d").ok()?;
    let next = if first.month() == 12 {
        NaiveDate::from_ymd_opt(first.year() + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1)?
    };
    Some((first, next.pred_opt()?))
}

async fn load_shop(state: &AppState, s: &Session, id: i64) -> Result<Shop, AppError> {
    let actor = s.actor.clone();
    blocking(state, move |st| {
        let shop = st.read(|c| point_shop::get(c, id))?;
        if actor.can_record_life(&shop.org_path) {
            Ok(shop)
        } else {
            Err(AppError::NotFound("积分超市"))
        }
    })
    .await
}

/// The counter page; `ctx` carries a refused form's message and input, `code` the code
/// scanned for a refused redemption.
async fn store_page(
    state: &AppState,
    s: &Session,
    id: i64,
    code: String,
    ctx: Ctx,
) -> Result<Response, AppError> {
    let shop = load_shop(state, s, id).await?;
    let today = date::today();
    let (items, recent) = crate::pages::read(state, move |c| {
        Ok((
            point_shop::items(c, id)?,
            point_shop::redemptions(c, id, today - chrono::Duration::days(30), today)?,
        ))
    })
    .await?;
    let status = ctx.status();
    let page = StorePage {
        ctx,
        shop,
        items,
        recent: recent.into_iter().rev().take(20).collect(),
        month: today.format("%Y-%m").to_string(),
        code,
    };
    render_as(status, &page)
}

#[derive(Deserialize, Default)]
pub struct StoreQuery {
    #[serde(default)]
    month: String,
}

pub async fn show(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let ctx = Ctx::new(&s, "points");
    store_page(&state, &s, id, String::new(), ctx).await
}

/// Adds an item or restocks one.
pub async fn stock(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(input, kept): CsrfForm<ItemInput>,
) -> Result<Response, AppError> {
    let shop = load_shop(&state, &s, id).await?;
    let actor = s.actor.clone();
    let result = crate::pages::write(&state, move |c| {
        let d = input.validate()?;
        point_shop::stock_item(c, &actor, &shop, &d)?;
        Ok(d.name)
    })
    .await;
    match result {
        Ok(name) => Ok(crate::pages::done(
            &format!("/stores/{id}"),
            &format!("“{name}”已入库"),
        )),
        Err(e) => {
            let ctx = Ctx::new(&s, "points").refusal(e, &kept)?;
            store_page(&state, &s, id, String::new(), ctx).await
        }
    }
}

/// Redeems at the counter; on success the receipt, otherwise the store page with the reason.
pub async fn redeem(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    CsrfForm(input, kept): CsrfForm<RedeemInput>,
) -> Result<Response, AppError> {
    let shop = load_shop(&state, &s, id).await?;
    let typed_code = input.code.clone();
    let actor = s.actor.clone();
    let result = crate::pages::write(&state, move |c| {
        let d = input.validate()?;
        Ok(point_shop::redeem(c, &actor, &shop, &d, date::today())?)
    })
    .await;
    match result {
        Ok(r) => Ok(Redirect::to(&format!("/receipts/{}", r.id)).into_response()),
        Err(e) => {
            let ctx = Ctx::new(&s, "points").refusal(e, &kept)?;
            store_page(&state, &s, id, typed_code, ctx).await
        }
    }
}

#[derive(Template)]
#[template(path = "points/receipt.html")]
struct ReceiptPage {
    ctx: Ctx,
    shop: Shop,
    r: Receipt,
    balance: i64,
}

pub async fn receipt(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
) -> Result<Response, AppError> {
    let r = crate::pages::read(&state, move |c| Ok(point_shop::receipt(c, id)?)).await?;
    let shop = load_shop(&state, &s, r.store_id).await?;
    let account = r.account_id;
    let balance = crate::pages::read(&state, move |c| {
        let a = xianfeng_store::points::account(c, account)?;
        Ok(xianfeng_store::points::spendable(c, &a)?)
    })
    .await?;
    render(&ReceiptPage {
        ctx: Ctx::new(&s, "points"),
        shop,
        r,
        balance,
    })
}

fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> AppError {
    AppError::Internal(format!("生成表格失败：{e}"))
}

/// The month's reconciliation: per item out and stock now, each redemption, and the ledger's
/// total for the store beside the redemptions' total.
pub async fn reconcile(
    State(state): State<AppState>,
    s: Session,
    Path(id): Path<i64>,
    Query(q): Query<StoreQuery>,
) -> Result<Response, AppError> {
    let shop = load_shop(&state, &s, id).await?;
    let month = if q.month.is_empty() {
        date::today().format("%Y-%m").to_string()
    } else {
        q.month.clone()
    };
    let (from, to) = month_bounds(&month).ok_or_else(|| {
        AppError::Invalid(xianfeng_domain::Invalid::one(
            "month",
            "月份",
            "格式应为2026-11",
        ))
    })?;
    let (lines, ledger, list) = crate::pages::read(&state, move |c| {
        let (lines, ledger) = point_shop::reconcile(c, id, from, to)?;
        Ok(Ok::<_, StoreError>((
            lines,
            ledger,
            point_shop::redemptions(c, id, from, to)?,
        ))?)
    })
    .await?;
    let mut wb = Workbook::new();
    let bold = Format::new().set_bold();
    {
        let ws = wb.add_worksheet().set_name("商品汇总").map_err(xlsx_err)?;
        ws.write_string_with_format(0, 0, format!("{} {} 积分兑换对账", shop.name, month), &bold)
            .map_err(xlsx_err)?;
        for (i, h) in ["商品", "兑换数量", "兑换积分", "当前库存"]
            .iter()
            .enumerate()
        {
            ws.write_string_with_format(2, i as u16, *h, &bold)
                .map_err(xlsx_err)?;
        }
        let mut row = 3;
        for l in &lines {
            ws.write_string(row, 0, &l.item).map_err(xlsx_err)?;
            ws.write_number(row, 1, l.quantity as f64)
                .map_err(xlsx_err)?;
            ws.write_number(row, 2, l.points as f64).map_err(xlsx_err)?;
            ws.write_number(row, 3, l.stock_now as f64)
                .map_err(xlsx_err)?;
            row += 1;
        }
        let total: i64 = lines.iter().map(|l| l.points).sum();
        ws.write_string_with_format(row + 1, 0, "兑换单合计积分", &bold)
            .map_err(xlsx_err)?;
        ws.write_number(row + 1, 2, total as f64)
            .map_err(xlsx_err)?;
        ws.write_string_with_format(row + 2, 0, "积分账本入账合计", &bold)
            .map_err(xlsx_err)?;
        ws.write_number(row + 2, 2, ledger as f64)
            .map_err(xlsx_err)?;
        ws.write_string(
            row + 3,
            0,
            if total == ledger {
                "核对一致"
            } else {
                "不一致，请核查"
            },
        )
        .map_err(xlsx_err)?;
        ws.set_column_width(0, 24).map_err(xlsx_err)?;
    }
    {
        let ws = wb.add_worksheet().set_name("兑换明细").map_err(xlsx_err)?;
        for (i, h) in ["兑换单号", "时间", "兑换人", "商品", "数量", "积分"]
            .iter()
            .enumerate()
        {
            ws.write_string_with_format(0, i as u16, *h, &bold)
                .map_err(xlsx_err)?;
        }
        for (i, r) in list.iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_string(row, 0, &r.receipt).map_err(xlsx_err)?;
            ws.write_string(row, 1, &r.at).map_err(xlsx_err)?;
            ws.write_string(row, 2, &r.holder).map_err(xlsx_err)?;
            ws.write_string(row, 3, &r.item_name).map_err(xlsx_err)?;
            ws.write_number(row, 4, r.quantity as f64)
                .map_err(xlsx_err)?;
            ws.write_number(row, 5, r.points as f64).map_err(xlsx_err)?;
        }
        ws.set_column_width(0, 22).map_err(xlsx_err)?;
        ws.set_column_width(1, 26).map_err(xlsx_err)?;
    }
    let bytes = wb.save_to_buffer().map_err(xlsx_err)?;
    Ok(crate::pages::download(
        &format!("{}-{month}-对账.xlsx", shop.name),
        crate::pages::XLSX,
        bytes,
    ))
}
