//! 积分制 through the pages on both backends: the catalogue within the county's bounds,
//! resident import with a row report, a household's claim from its card approved by the
//! secretary, redemption at the counter, the reconciliation, and scope.

mod common;

use axum::http::StatusCode;
use common::{app, fixture, login, run, sync, Client};
use xianfeng_store::testing::backends;

fn sheet(rows: &[[&str; 5]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (i, h) in [
        "所属村（社区）党组织",
        "户主姓名",
        "家庭住址",
        "姓名",
        "身份证号",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, i as u16, *h).unwrap();
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, c as u16, *v).unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

fn png(tag: &str) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    b.extend_from_slice(tag.as_bytes());
    b
}

fn anonymous() -> Client {
    Client {
        cookie: String::new(),
        csrf: String::new(),
    }
}

#[test]
fn rules_stay_within_bounds_and_only_administrators_write_them() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        run(async {
            let county = login(&app, "county_admin").await;
            let uri = format!("/orgs/{}/points/rules", f.county.id);
            let r = county
                .post_form(
                    &app,
                    &uri,
                    &[
                        ("category", "志愿服务"),
                        ("action", "参加志愿服务"),
                        ("points", "5"),
                        ("cap_day", "-1"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            assert!(r.body.contains("上限不能小于0"));
            let r = county
                .post_form(
                    &app,
                    &uri,
                    &[
                        ("category", "志愿服务"),
                        ("action", "参加志愿服务"),
                        ("points", "5"),
                        ("evidence_required", "on"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}: {}", s.name, r.body);
            let town = login(&app, "town_admin").await;
            let r = town
                .post_form(
                    &app,
                    &format!("/orgs/{}/points/rules", f.town_a.id),
                    &[("action", "镇级事项"), ("points", "50")],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(r.body.contains("不能超过20分"), "{}", r.body);
            let r = town
                .post_form(
                    &app,
                    &format!("/orgs/{}/points/rules", f.town_b.id),
                    &[("action", "越权事项"), ("points", "5")],
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN);
            let secretary = login(&app, "branch_secretary").await;
            let r = secretary
                .post_form(
                    &app,
                    &format!("/orgs/{}/points/rules", f.branch_a.id),
                    &[("action", "支部事项"), ("points", "5")],
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN);
            let rule = sync(|| {
                s.read(|c| {
                    c.scalar(
                        "SELECT id FROM point_rules WHERE action = '参加志愿服务'",
                        &[],
                    )
                })
            })
            .unwrap();
            let edit = format!("/point-rules/{rule}/edit");
            let form = county.get(&app, &edit).await;
            assert!(
                form.body.contains("value=\"参加志愿服务\""),
                "{}",
                form.body
            );
            let r = county
                .post_form(
                    &app,
                    &edit,
                    &[
                        ("action", "参加志愿服务"),
                        ("points", "6"),
                        ("cap_day", "-1"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(r.body.contains("上限不能小于0"));
            let r = county
                .post_form(
                    &app,
                    &edit,
                    &[
                        ("action", "参加志愿服务"),
                        ("category", "志愿服务"),
                        ("points", "6"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let town_edit = town.get(&app, &edit).await;
            assert_eq!(town_edit.status, StatusCode::NOT_FOUND);
            let page = secretary
                .get(&app, &format!("/orgs/{}/points/rules", f.branch_a.id))
                .await;
            assert!(page.body.contains("参加志愿服务"));
            let member = login(&app, "member").await;
            let r = member
                .get(&app, &format!("/orgs/{}/points", f.branch_a.id))
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN);
        });
    }
}

#[test]
fn a_households_claim_is_approved_redeemed_and_reconciled() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        run(async {
            let county = login(&app, "county_admin").await;
            county
                .post_form(
                    &app,
                    &format!("/orgs/{}/points/rules", f.county.id),
                    &[
                        ("category", "环境整治"),
                        ("action", "美丽庭院"),
                        ("points", "20"),
                        ("evidence_required", "on"),
                        ("approval_required", "on"),
                    ],
                )
                .await;
            let secretary = login(&app, "branch_secretary").await;
            let r = secretary.get(&app, "/households/template.xlsx").await;
            assert_eq!(r.status, StatusCode::OK);
            let bad = sheet(&[
                ["甲村党支部", "王建国", "一组1号", "王建国", ""],
                [
                    "甲村党支部",
                    "王建国",
                    "一组1号",
                    "李秀英",
                    "110101199001011234",
                ],
                ["不存在村", "张三", "二组2号", "张三", ""],
            ]);
            let import = format!("/orgs/{}/households/import", f.branch_a.id);
            let r = secretary
                .post_file(&app, &import, "file", "群众.xlsx", &bad)
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}: {}",
                s.name,
                r.body
            );
            assert!(
                r.body.contains("身份证号") && r.body.contains("不存在村"),
                "{}",
                r.body
            );
            let count =
                sync(|| s.read(|c| c.scalar("SELECT COUNT(*) FROM residents", &[]))).unwrap();
            assert_eq!(count, 0, "a bad file writes nothing");
            let good = sheet(&[
                ["甲村党支部", "王建国", "一组1号", "王建国", ""],
                ["甲村党支部", "王建国", "一组1号", "李秀英", ""],
            ]);
            let r = secretary
                .post_file(&app, &import, "file", "群众.xlsx", &good)
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let (code, person, rule) = sync(|| {
                s.read(|c| -> xianfeng_store::Result<_> {
                    Ok((
                        c.query_one("SELECT code FROM households", &[])?.text(0)?,
                        c.scalar("SELECT id FROM point_accounts WHERE name = '李秀英'", &[])?,
                        c.scalar("SELECT id FROM point_rules WHERE action = '美丽庭院'", &[])?,
                    ))
                })
            })
            .unwrap();
            let public = anonymous();
            let card = public.get(&app, &format!("/c/{code}")).await;
            assert_eq!(card.status, StatusCode::OK);
            assert!(card.body.contains("美丽庭院"));
            let claim_uri = format!("/c/{code}/claims");
            let today = xianfeng_domain::date::today().to_string();
            let fields = [
                ("person", person.to_string()),
                ("rule", rule.to_string()),
                ("day", today.clone()),
                ("note", "庭院整洁".into()),
            ];
            let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = public.post_multipart(&app, &claim_uri, &fields, None).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(r.body.contains("需要上传佐证"), "{}", r.body);
            let photo = png("garden");
            let r = public
                .post_multipart(
                    &app,
                    &claim_uri,
                    &fields,
                    Some(("evidence", "院子.png", &photo)),
                )
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert!(r.body.contains("等待村（社区）党组织审核"));
            let r = public
                .post_multipart(
                    &app,
                    &claim_uri,
                    &fields,
                    Some(("evidence", "院子.png", &photo)),
                )
                .await;
            assert!(r.body.contains("不能重复获得积分"), "{}", r.body);
            let queue = secretary
                .get(&app, &format!("/orgs/{}/points", f.branch_a.id))
                .await;
            assert!(
                queue.body.contains("李秀英") && queue.body.contains("美丽庭院"),
                "{}: {}",
                queue.status,
                queue.body
            );
            let claim = sync(|| s.read(|c| c.scalar("SELECT id FROM point_claims", &[]))).unwrap();
            let r = secretary
                .post_form(
                    &app,
                    &format!("/point-claims/{claim}/decide"),
                    &[("decision", "approve")],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            // The store: open, stock, redeem by the household code.
            let r = secretary
                .post_form(
                    &app,
                    &format!("/orgs/{}/stores", f.branch_a.id),
                    &[("name", "甲村积分超市")],
                )
                .await;
            let store_uri = r.location.clone();
            assert!(store_uri.starts_with("/stores/"), "{}", r.body);
            secretary
                .post_form(
                    &app,
                    &format!("{store_uri}/items"),
                    &[("name", "洗衣粉"), ("price", "15"), ("stock", "3")],
                )
                .await;
            let item = sync(|| s.read(|c| c.scalar("SELECT id FROM point_items", &[])))
                .unwrap()
                .to_string();
            let redeem = format!("{store_uri}/redeem");
            let r = secretary
                .post_form(
                    &app,
                    &redeem,
                    &[("code", &code), ("item", &item), ("quantity", "2")],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(r.body.contains("积分不足"), "{}", r.body);
            let r = secretary
                .post_form(
                    &app,
                    &redeem,
                    &[("code", &code), ("item", &item), ("quantity", "1")],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let receipt = secretary.get(&app, &r.location).await;
            assert!(
                receipt.body.contains("洗衣粉") && receipt.body.contains("5分"),
                "{}",
                receipt.body
            );
            let month = xianfeng_domain::date::today().format("%Y-%m").to_string();
            let x = secretary
                .get(&app, &format!("{store_uri}/reconcile.xlsx?month={month}"))
                .await;
            assert_eq!(x.status, StatusCode::OK);
            assert!(x.bytes.starts_with(b"PK"));
            // A member cannot work the counter or read someone else's account.
            let member = login(&app, "member").await;
            assert_eq!(
                member.get(&app, &store_uri).await.status,
                StatusCode::NOT_FOUND
            );
            let account = member.get(&app, &format!("/point-accounts/{person}")).await;
            assert_eq!(account.status, StatusCode::NOT_FOUND);
            let balance = sync(|| {
                s.read(|c| {
                    c.scalar(
                        "SELECT balance FROM point_accounts WHERE id = ?",
                        &[person.into()],
                    )
                })
            })
            .unwrap();
            assert_eq!(balance, 5);
            let board = public.get(&app, &format!("/board/{}", f.county.id)).await;
            // One masking rule for public pages: the surname and a star.
            assert!(board.body.contains("李*"), "{}", board.body);
            assert!(!board.body.contains("李秀英") && !board.body.contains("李*英"));
            let api = county
                .get(
                    &app,
                    &format!("/api/v1/orgs/{}/points/board?period=year", f.county.id),
                )
                .await;
            assert_eq!(api.status, StatusCode::OK, "{}", api.body);
            let v: serde_json::Value = serde_json::from_str(&api.body).unwrap();
            assert_eq!(v["people"][0]["name"], "李秀英");
            assert_eq!(v["people"][0]["points"], 20);
            let bad = county
                .get(
                    &app,
                    &format!("/api/v1/orgs/{}/points/board?period=week", f.county.id),
                )
                .await;
            assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
            let r = member
                .get(
                    &app,
                    &format!("/api/v1/orgs/{}/points/board", f.branch_a.id),
                )
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN);
        });
    }
}
