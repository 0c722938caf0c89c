//! Forms of the people pages (members, organisations, accounts, settings, roster, plan drafts)
//! on the one form path: a refused form comes back with what was typed and each field's
//! message; a tampered id is refused in Chinese, never read as 0; nothing is written.

mod common;

use axum::http::StatusCode;
use common::{app, fixture, login, member_input, run, sync};
use serde_json::Value;
use xianfeng_store::testing::{backends, TestStore};

/// The kept-input JSON the layout writes for a refused form, if any.
fn kept(body: &str) -> Option<Value> {
    let start = body.find(r#"<script type="application/json" id="kept-input">"#)?;
    let rest = &body[start..];
    let open = rest.find('>')? + 1;
    let close = rest.find("</script>")?;
    Some(serde_json::from_str(&rest[open..close]).expect("kept input is JSON"))
}

/// The value typed into `name`, as kept for the refused form.
fn kept_field(k: &Value, name: &str) -> Option<String> {
    k["fields"]
        .as_array()?
        .iter()
        .find(|p| p[0] == name)
        .and_then(|p| p[1].as_str())
        .map(str::to_string)
}

/// The message kept for field `name`.
fn kept_error(k: &Value, name: &str) -> Option<String> {
    k["errors"]
        .as_array()?
        .iter()
        .find(|p| p[0] == name)
        .and_then(|p| p[1].as_str())
        .map(str::to_string)
}

fn counts(s: &TestStore) -> (i64, i64, i64, i64) {
    sync(|| {
        s.read(|c| -> xianfeng_store::Result<_> {
            Ok((
                c.scalar("SELECT COUNT(*) FROM orgs", &[])?,
                c.scalar("SELECT COUNT(*) FROM members", &[])?,
                c.scalar("SELECT COUNT(*) FROM accounts", &[])?,
                c.scalar("SELECT COUNT(*) FROM audit_log", &[])?,
            ))
        })
        .unwrap()
    })
}

/// "not a number" for a form's id field: refused with a Chinese message naming that field.
fn refused_as_unreadable(r: &common::Resp) {
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains("内容无效，请从页面上重新选择或填写"),
        "{}",
        r.body
    );
    assert!(
        !r.body.contains("invalid digit"),
        "no English parser text: {}",
        r.body
    );
}

#[test]
fn a_refused_member_form_comes_back_with_what_was_typed_and_the_field_message() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        run(async {
            let c = login(&app, "branch_secretary").await;
            let before = counts(&s);
            let input = member_input(50, "王小明");
            let r = c
                .post_form(
                    &app,
                    &format!("/orgs/{}/members/new", f.branch_a.id),
                    &[
                        ("name", "王小明"),
                        ("id_number", &input.id_number),
                        ("ethnicity", "汉族"),
                        ("phone", "12345"),
                        ("joined_on", "2005-07-01"),
                        ("full_on", "2006-07-01"),
                        ("status", "正式党员"),
                        ("post", "网格员"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            let k = kept(&r.body).expect("kept input");
            assert_eq!(kept_field(&k, "name").as_deref(), Some("王小明"));
            assert_eq!(kept_field(&k, "post").as_deref(), Some("网格员"));
            assert_eq!(kept_field(&k, "_csrf"), None, "the token is never kept");
            assert!(kept_error(&k, "phone").is_some(), "{k}");
            // The form is filled in on the server too, the message beside its field.
            assert!(r.body.contains(r#"value="王小明""#));
            assert!(r.body.contains(r#"id="e-phone""#));
            assert!(
                r.body.contains(r#"id="form-error""#),
                "the layout's message"
            );
            assert!(
                !r.body.contains("请改正标红的项目后再提交"),
                "no second banner"
            );
            assert_eq!(counts(&s), before, "{}: nothing written", s.name);
        });
    }
}

#[test]
fn an_edit_refused_does_not_send_the_typed_id_number_back() {
    let s = xianfeng_store::testing::sqlite();
    let f = fixture(&s);
    let app = app(&s);
    run(async {
        let c = login(&app, "branch_secretary").await;
        let r = c
            .post_form(
                &app,
                &format!("/members/{}/edit", f.member_a),
                &[
                    ("name", ""),
                    ("id_number", "110105194912310021"),
                    ("ethnicity", "汉族"),
                    ("joined_on", "2005-07-01"),
                    ("full_on", "2006-07-01"),
                    ("status", "正式党员"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let k = kept(&r.body).expect("kept input");
        assert_eq!(kept_field(&k, "id_number"), None);
        assert!(!r.body.contains("110105194912310021"));
        assert!(kept_error(&k, "name").is_some());
    });
}

#[test]
fn a_refused_transfer_keeps_its_input_and_a_tampered_branch_id_is_not_zero() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        run(async {
            let town = login(&app, "town_admin").await;
            let url = format!("/members/{}/transfer", f.member_a);
            let before = counts(&s);
            let r = town
                .post_form(
                    &app,
                    &url,
                    &[
                        ("to_org_id", ""),
                        ("on_date", "2020-03-01"),
                        ("reason", "工作调动"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            let k = kept(&r.body).expect("kept input");
            assert_eq!(kept_field(&k, "reason").as_deref(), Some("工作调动"));
            assert_eq!(
                kept_error(&k, "to_org_id").as_deref(),
                Some("请选择管辖范围内的党支部")
            );
            assert!(r.body.contains(r#"value="2020-03-01""#), "the date typed");

            for tampered in ["abc", "0x1", "1 OR 1=1"] {
                let r = town
                    .post_form(
                        &app,
                        &url,
                        &[
                            ("to_org_id", tampered),
                            ("on_date", "2020-03-01"),
                            ("reason", "工作调动"),
                        ],
                    )
                    .await;
                refused_as_unreadable(&r);
            }
            assert_eq!(counts(&s), before, "{}: nothing written", s.name);
            let still = sync(|| {
                s.read(|c| {
                    c.scalar(
                        "SELECT org_id FROM members WHERE id = ?",
                        &[xianfeng_store::Value::Int(f.member_a)],
                    )
                })
                .unwrap()
            });
            assert_eq!(still, f.branch_a.id);
        });
    }
}

#[test]
fn a_tampered_parent_or_organisation_id_is_refused_in_chinese() {
    let s = xianfeng_store::testing::sqlite();
    let f = fixture(&s);
    let app = app(&s);
    run(async {
        let county = login(&app, "county_admin").await;
        let before = counts(&s);
        let r = county
            .post_form(
                &app,
                &format!("/orgs/{}/move", f.branch_a.id),
                &[("parent_id", "town")],
            )
            .await;
        refused_as_unreadable(&r);
        let r = county
            .post_form(
                &app,
                &format!("/orgs/{}/move", f.branch_a.id),
                &[("parent_id", "")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let k = kept(&r.body).expect("kept input");
        assert_eq!(
            kept_error(&k, "parent_id").as_deref(),
            Some("请选择管辖范围内的组织")
        );

        let town = login(&app, "town_admin").await;
        let r = town
            .post_form(
                &app,
                "/accounts",
                &[
                    ("username", "sec_x"),
                    ("display_name", "某书记"),
                    ("role", "branch_secretary"),
                    ("org_id", &format!("{}abc", f.branch_a.id)),
                    ("password", "long-enough-pw"),
                ],
            )
            .await;
        refused_as_unreadable(&r);
        assert_eq!(counts(&s), before, "nothing written");
    });
}

#[test]
fn a_refused_organisation_form_keeps_what_was_typed() {
    let s = xianfeng_store::testing::sqlite();
    let f = fixture(&s);
    let app = app(&s);
    run(async {
        let town = login(&app, "town_admin").await;
        let before = counts(&s);
        let r = town
            .post_form(
                &app,
                &format!("/orgs/{}/new", f.town_a.id),
                &[
                    ("name", "新村党支部"),
                    ("kind", "党支部"),
                    ("domain", "农村"),
                    ("committee_size", "很多"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        let k = kept(&r.body).expect("kept input");
        assert_eq!(kept_field(&k, "name").as_deref(), Some("新村党支部"));
        assert!(kept_error(&k, "committee_size").is_some(), "{k}");
        assert!(r.body.contains(r#"value="新村党支部""#));
        assert!(r.body.contains(r#"id="e-committee_size""#));
        assert_eq!(counts(&s), before);
    });
}

#[test]
fn a_refused_account_keeps_the_user_name_but_never_the_password() {
    let s = xianfeng_store::testing::sqlite();
    let f = fixture(&s);
    let app = app(&s);
    run(async {
        let town = login(&app, "town_admin").await;
        let before = counts(&s);
        let r = town
            .post_form(
                &app,
                "/accounts",
                &[
                    ("username", "sec_new"),
                    ("display_name", "新书记"),
                    ("role", "branch_secretary"),
                    ("org_id", &f.branch_a.id.to_string()),
                    ("password", "short-pw"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let k = kept(&r.body).expect("kept input");
        assert_eq!(kept_field(&k, "username").as_deref(), Some("sec_new"));
        assert_eq!(kept_field(&k, "password"), None);
        assert!(!r.body.contains("short-pw"), "the password is not echoed");
        assert!(kept_error(&k, "password").is_some(), "{k}");
        assert!(r.body.contains(r#"value="sec_new""#));

        // From the member page: the member page again, the user name kept.
        let r = town
            .post_form(
                &app,
                &format!("/members/{}/account", f.member_a2),
                &[("username", "dangyuan_x"), ("password", "short-pw")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("甲党员二"), "the member page");
        let k = kept(&r.body).expect("kept input");
        assert_eq!(kept_field(&k, "username").as_deref(), Some("dangyuan_x"));
        assert_eq!(kept_field(&k, "password"), None);
        assert!(!r.body.contains("short-pw"));
        assert_eq!(counts(&s), before, "nothing written");

        // Success: back with a notice drawn once by the layout.
        let r = town
            .post_form(
                &app,
                &format!("/members/{}/account", f.member_a2),
                &[("username", "dangyuan_x"), ("password", "long-enough-pw")],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(
            r.location
                .starts_with(&format!("/members/{}?ok=", f.member_a2)),
            "{}",
            r.location
        );
        let page = town.get(&app, &r.location).await;
        assert_eq!(page.body.matches(r#"id="notice""#).count(), 1);
        assert!(page.body.contains("党员账号已开通"));

        let r = town
            .post_form(
                &app,
                "/accounts",
                &[
                    ("username", "sec_new"),
                    ("display_name", "新书记"),
                    ("role", "branch_secretary"),
                    ("org_id", &f.branch_a.id.to_string()),
                    ("password", "long-enough-pw"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        let page = town.get(&app, &r.location).await;
        assert!(page.body.contains("账号已创建"), "{}", page.body);
        assert_eq!(page.body.matches(r#"id="notice""#).count(), 1);

        // A refused password reset says so at the top, not beside another row's box.
        let id = sync(|| {
            s.read(|c| c.scalar("SELECT id FROM accounts WHERE username = 'sec_new'", &[]))
                .unwrap()
        });
        let r = town
            .post_form(
                &app,
                &format!("/accounts/{id}/password"),
                &[("password", "short")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("未重置"), "{}", r.body);
        assert!(kept(&r.body).is_none());
    });
}

#[test]
fn refused_settings_keep_the_values_typed_and_saved_ones_say_so_once() {
    let s = xianfeng_store::testing::sqlite();
    let _f = fixture(&s);
    let app = app(&s);
    run(async {
        let county = login(&app, "county_admin").await;
        let rules = xianfeng_domain::rules::Rules::default().labelled();
        let values: Vec<(&str, String)> = rules
            .iter()
            .map(|(k, _, v)| {
                let v = if *k == "committee_min_size" {
                    "很多".to_string()
                } else {
                    v.to_string()
                };
                (*k, v)
            })
            .collect();
        let fields: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let before = counts(&s);
        let r = county.post_form(&app, "/settings", &fields).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        let k = kept(&r.body).expect("kept input");
        assert_eq!(
            kept_field(&k, "committee_min_size").as_deref(),
            Some("很多")
        );
        assert_eq!(
            kept_error(&k, "committee_min_size").as_deref(),
            Some("应为非负整数")
        );
        assert!(r.body.contains(r#"value="很多""#));
        assert_eq!(counts(&s), before);

        let good: Vec<(String, String)> = rules
            .iter()
            .map(|(k, _, v)| (k.to_string(), v.to_string()))
            .collect();
        let fields: Vec<(&str, &str)> =
            good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = county.post_form(&app, "/settings", &fields).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        assert!(r.location.starts_with("/settings?ok="), "{}", r.location);
        let page = county.get(&app, &r.location).await;
        assert_eq!(page.body.matches("已保存，立即生效").count(), 1);
    });
}

#[test]
fn a_refused_upload_names_the_file_that_was_chosen() {
    for s in backends() {
        let _f = fixture(&s);
        let app = app(&s);
        run(async {
            let town = login(&app, "town_admin").await;
            let r = town
                .post_file(&app, "/roster/import", "file", "名册.csv", b"name,id\n")
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            let k = kept(&r.body).expect("kept input");
            assert_eq!(k["files"][0][0], "file");
            assert_eq!(k["files"][0][1], "名册.csv");
            assert!(kept_error(&k, "file").unwrap().contains("不是 .xlsx 文件"));

            let r = town
                .post_file(&app, "/plans", "file", "方案.pdf", b"%PDF-1.4")
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            let k = kept(&r.body).expect("kept input");
            assert_eq!(k["files"][0][1], "方案.pdf");
            assert!(kept_error(&k, "file")
                .unwrap()
                .contains("不是 .txt 或 .docx 文件"));
        });
    }
}

const PLAN: &str = "关于开展先锋创建的实施方案\n一、主要任务\n（一）建强堡垒。全镇建成2个示范点，领导点评每季度不少于一次。〔县委组织部、各镇党委〕\n（二）选树典型。创建党员先锋岗60个以上。\n";

#[test]
fn a_refused_plan_correction_comes_back_in_the_form_it_came_from() {
    let s = xianfeng_store::testing::sqlite();
    let f = fixture(&s);
    let app = app(&s);
    run(async {
        let town = login(&app, "town_admin").await;
        let r = town
            .post_file(&app, "/plans", "file", "方案.txt", PLAN.as_bytes())
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let items = format!("{}/items", r.location);
        let r = town
            .post_form(
                &app,
                &items,
                &[
                    ("op", "edit"),
                    ("kind", "targets"),
                    ("index", "1"),
                    ("subject", "党员先锋岗"),
                    ("quantity", "好几十"),
                    ("quantity_max", ""),
                    ("unit_name", "个"),
                    ("comparator", ">="),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        // Every item has an edit form with the same field names: the typed values go back
        // into the one that was edited, with its message, and no script spreads them.
        assert!(kept(&r.body).is_none());
        assert_eq!(r.body.matches("<details open>").count(), 1, "{}", r.body);
        assert_eq!(r.body.matches(r#"value="好几十""#).count(), 1);
        assert!(r.body.contains(r#"id="form-error""#));

        // A tampered organisation id in a unit mapping is refused, not read as 0.
        let r = town
            .post_form(
                &app,
                &items,
                &[("op", "map"), ("unit", "县委组织部"), ("org_id", "x1")],
            )
            .await;
        refused_as_unreadable(&r);
        // One outside scope is named beside that unit's choice.
        let r = town
            .post_form(
                &app,
                &items,
                &[
                    ("op", "map"),
                    ("unit", "县委组织部"),
                    ("org_id", &f.town_b.id.to_string()),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            r.body
                .matches(r#"<span class="error">请选择管辖范围内的组织</span>"#)
                .count(),
            1,
            "{}",
            r.body
        );
    });
}
