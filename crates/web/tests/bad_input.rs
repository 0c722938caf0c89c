//! Bad input gets a clear Chinese message naming the field or row, and changes nothing.

mod common;

use axum::http::StatusCode;
use common::{app, fixture, login, member_input, run, sync, Client};
use xianfeng_store::testing::{backends, TestStore};

fn counts(s: &TestStore) -> (i64, i64, i64) {
    sync(|| {
        s.read(|c| -> xianfeng_store::Result<_> {
            Ok((
                c.scalar("SELECT COUNT(*) FROM orgs", &[])?,
                c.scalar("SELECT COUNT(*) FROM members", &[])?,
                c.scalar("SELECT COUNT(*) FROM audit_log", &[])?,
            ))
        })
        .unwrap()
    })
}

fn member_fields(input: &xianfeng_domain::member::MemberInput) -> Vec<(&'static str, String)> {
    vec![
        ("name", input.name.clone()),
        ("id_number", input.id_number.clone()),
        ("ethnicity", input.ethnicity.clone()),
        ("gender", input.gender.clone()),
        ("birth_date", input.birth_date.clone()),
        ("phone", input.phone.clone()),
        ("joined_on", input.joined_on.clone()),
        ("full_on", input.full_on.clone()),
        ("status", input.status.clone()),
    ]
}

async fn post_member(
    c: &Client,
    app: &axum::Router,
    org: i64,
    input: &xianfeng_domain::member::MemberInput,
) -> common::Resp {
    let fields = member_fields(input);
    let refs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    c.post_form(app, &format!("/orgs/{org}/members/new"), &refs)
        .await
}

#[test]
fn member_form_rejects_bad_ids_mismatched_birth_dates_duplicates_and_blanks() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        run(async {
            let c = login(&app, "branch_secretary").await;
            let before = counts(&s);
            let good = member_input(20, "新党员");

            let mut bad_check = good.clone();
            bad_check.id_number.replace_range(
                17..18,
                if good.id_number.ends_with('1') {
                    "2"
                } else {
                    "1"
                },
            );
            let r = post_member(&c, &app, f.branch_a.id, &bad_check).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            assert!(r.body.contains("校验位不正确"), "{}", r.body);

            let mut wrong_birth = good.clone();
            wrong_birth.birth_date = "1960-01-01".into();
            let r = post_member(&c, &app, f.branch_a.id, &wrong_birth).await;
            assert!(r.body.contains("与身份证号中的出生日期"), "{}", r.body);

            let mut wrong_sex = good.clone();
            wrong_sex.gender = "女".into();
            let r = post_member(&c, &app, f.branch_a.id, &wrong_sex).await;
            assert!(r.body.contains("与身份证号不符"), "{}", r.body);

            let duplicate = xianfeng_domain::member::MemberInput {
                name: "重复者".into(),
                ..member_input(1, "x")
            };
            let r = post_member(&c, &app, f.branch_a.id, &duplicate).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(r.body.contains("与已登记的党员“甲党员”重复"), "{}", r.body);

            let blank = xianfeng_domain::member::MemberInput {
                name: String::new(),
                joined_on: String::new(),
                ..good.clone()
            };
            let r = post_member(&c, &app, f.branch_a.id, &blank).await;
            assert!(
                r.body.contains("e-name"),
                "the name field carries its message"
            );
            assert!(r.body.contains("不能为空"));

            assert_eq!(counts(&s), before, "{}: nothing written", s.name);

            let r = post_member(&c, &app, f.branch_a.id, &good).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        });
    }
}

#[test]
fn api_names_the_bad_fields_in_json() {
    let s = xianfeng_store::testing::sqlite();
    let f = fixture(&s);
    let app = app(&s);
    run(async {
        let c = login(&app, "town_admin").await;
        let mut input = serde_json::to_value(member_input(30, "接口党员")).unwrap();
        input["id_number"] = "123456".into();
        input["phone"] = "12345".into();
        let r = c
            .post_json(
                &app,
                &format!("/api/v1/orgs/{}/members", f.branch_a.id),
                input,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        let fields: Vec<&str> = v["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        assert!(
            fields.contains(&"id_number") && fields.contains(&"phone"),
            "{}",
            r.body
        );
        assert!(v["error"]["message"].as_str().unwrap().contains("身份证号"));

        let r = c
            .post_json(
                &app,
                "/api/v1/orgs/999999/children",
                serde_json::json!({"name": "孤儿", "kind": "党支部"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "unknown parent");
        assert!(r.body.contains("组织不存在或无权访问"));

        let r = c
            .post_json(
                &app,
                &format!("/api/v1/orgs/{}/children", f.branch_a.id),
                serde_json::json!({"name": "", "kind": "党委"}),
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("名称") && r.body.contains("党支部下不能设立党委"),
            "{}",
            r.body
        );
    });
}

#[test]
fn a_move_that_makes_a_cycle_is_refused_on_the_page() {
    let s = xianfeng_store::testing::sqlite();
    let f = fixture(&s);
    let app = app(&s);
    run(async {
        let c = login(&app, "county_admin").await;
        let before = counts(&s);
        let r = c
            .post_form(
                &app,
                &format!("/orgs/{}/move", f.town_a.id),
                &[("parent_id", &f.branch_a.id.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("循环") || r.body.contains("不能设立"),
            "{}",
            r.body
        );
        assert_eq!(counts(&s), before);
        let r = c
            .post_form(
                &app,
                &format!("/orgs/{}/move", f.branch_a.id),
                &[("parent_id", &f.town_b.id.to_string())],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = c.get(&app, &format!("/orgs/{}", f.town_b.id)).await;
        assert!(r.body.contains("甲村党支部"));
    });
}

async fn upload(app: &axum::Router, c: &Client, filename: &str, data: &[u8]) -> common::Resp {
    c.post_file(app, "/roster/import", "file", filename, data)
        .await
}

fn roster(rows: &[[&str; 6]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (i, h) in [
        "所属党组织",
        "姓名",
        "身份证号",
        "民族",
        "入党日期",
        "转正日期",
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

#[test]
fn roster_import_reports_every_bad_row_and_writes_nothing_then_imports_a_good_file() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        run(async {
            let c = login(&app, "town_admin").await;
            let before = counts(&s);

            let r = upload(&app, &c, "名册.csv", b"name,id\n").await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(r.body.contains("不是 .xlsx 文件"), "{}", r.body);

            let r = upload(&app, &c, "名册.xlsx", b"this is not a spreadsheet").await;
            assert!(r.body.contains("不是有效的 .xlsx 表格"), "{}", r.body);

            let big = vec![b'x'; 21 * 1024 * 1024];
            let r = upload(&app, &c, "名册.xlsx", &big).await;
            assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
            assert!(r.body.contains("文件超过20MB"), "{}", r.body);

            let ok1 = member_input(40, "导入一");
            let ok2 = member_input(41, "导入二");
            let bad = roster(&[
                [
                    "甲村党支部",
                    "导入一",
                    &ok1.id_number,
                    "汉族",
                    "2010-07-01",
                    "2011-07-01",
                ],
                [
                    "甲村党支部",
                    "",
                    "110105194912310021",
                    "火星族",
                    "2010-07-01",
                    "",
                ],
                [
                    "乙村党支部",
                    "导入二",
                    &ok2.id_number,
                    "汉族",
                    "2010-07-01",
                    "2011-07-01",
                ],
                [
                    "甲村党支部",
                    "导入三",
                    &ok1.id_number,
                    "汉族",
                    "2010-07-01",
                    "2011-07-01",
                ],
            ]);
            let r = upload(&app, &c, "名册.xlsx", &bad).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            for expected in [
                "第3行",
                "姓名",
                "校验位不正确",
                "不是有效的民族名称",
                "第4行",
                "找不到“乙村党支部”党支部",
                "第5行",
                "与第2行重复",
                "未导入任何数据",
            ] {
                assert!(r.body.contains(expected), "{}: missing {expected}", s.name);
            }
            assert_eq!(counts(&s), before, "{}: nothing written", s.name);

            let good = roster(&[
                [
                    "甲村党支部",
                    "导入一",
                    &ok1.id_number,
                    "汉族",
                    "2010-07-01",
                    "2011-07-01",
                ],
                [
                    "甲村党支部",
                    "导入二",
                    &ok2.id_number,
                    "汉",
                    "2012/7/1",
                    "2013/7/1",
                ],
            ]);
            let r = upload(&app, &c, "名册.xlsx", &good).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert!(r.body.contains("导入成功：共2名党员"), "{}", r.body);
            assert_eq!(counts(&s).1, before.1 + 2);

            // The export reads back through the same parser.
            let r = c
                .get(&app, &format!("/orgs/{}/roster.xlsx", f.town_a.id))
                .await;
            assert_eq!(r.status, StatusCode::OK);
            let rows = xianfeng_web::roster::parse(&r.bytes).unwrap();
            assert_eq!(rows.len(), 4);
            assert!(
                rows.iter().any(|row| row.input.id_number == ok2.id_number),
                "admins export full ID numbers"
            );
        });
    }
}

#[test]
fn login_is_throttled_per_account_and_address_after_repeated_failures() {
    let s = xianfeng_store::testing::sqlite();
    let _f = fixture(&s);
    let app = app(&s);
    run(async {
        let attempt = |pw: &'static str| {
            let app = app.clone();
            async move { common::form_login(&app, "town_admin", pw, "10.1.1.1").await }
        };
        for _ in 0..4 {
            let r = attempt("wrong-password").await;
            assert!(r.body.contains("用户名或密码错误"));
        }
        // the fifth failure says the account is paused at this address
        let r = attempt("wrong-password").await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(
            r.body.contains("登录失败次数过多，请1分钟后再试"),
            "{}",
            r.body
        );
        let r = attempt(common::PASSWORD).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(r.body.contains("登录失败次数过多"), "{}", r.body);
    });
}

#[test]
fn a_transfer_needs_a_branch_in_scope_a_past_date_and_a_reason() {
    let s = xianfeng_store::testing::sqlite();
    let f = fixture(&s);
    let app = app(&s);
    run(async {
        let town = login(&app, "town_admin").await;
        let url = format!("/members/{}/transfer", f.member_a);
        let outside = f.branch_b.id.to_string();
        let r = town
            .post_form(
                &app,
                &url,
                &[
                    ("to_org_id", &outside),
                    ("on_date", "2999-01-01"),
                    ("reason", ""),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        for msg in ["请选择管辖范围内的党支部", "不能晚于今天", "不能为空"] {
            assert!(r.body.contains(msg), "{msg}");
        }
        let before = counts(&s);
        let r = town
            .post_form(
                &app,
                &url,
                &[
                    ("to_org_id", &f.branch_a.id.to_string()),
                    ("on_date", "2020-01-01"),
                    ("reason", "工作调动"),
                ],
            )
            .await;
        assert_eq!(
            r.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "same branch is refused by the store rule"
        );
        assert_eq!(counts(&s), before);
    });
}
