//! Forms of 组织生活, campaigns and supervision through the one form path: a refused form comes
//! back 422 (or 409) with what was typed and each field's message in the page's kept input
//! (and the chosen file's name), drawn once by the layout; an id that is not a number is
//! refused with a Chinese message and writes nothing, never read as 0; a success notice is
//! the layout's.

mod common;

use axum::http::StatusCode;
use common::{app, fixture, login, run, sync, Client, Resp};
use xianfeng_domain::date;
use xianfeng_store::testing::{backends, TestStore};

fn count(s: &TestStore, table: &str) -> i64 {
    sync(|| {
        s.read(|c| c.scalar(&format!("SELECT COUNT(*) FROM {table}"), &[]))
            .unwrap()
    })
}

/// The refused form's kept input the layout hands to app.js.
fn kept(r: &Resp) -> serde_json::Value {
    let start = r
        .body
        .find("id=\"kept-input\">")
        .unwrap_or_else(|| panic!("no kept input in {}", r.body))
        + "id=\"kept-input\">".len();
    let end = start + r.body[start..].find("</script>").unwrap();
    serde_json::from_str(&r.body[start..end]).unwrap()
}

/// The value typed into `name`, as kept.
fn typed<'a>(k: &'a serde_json::Value, name: &str) -> Option<&'a str> {
    k["fields"]
        .as_array()?
        .iter()
        .find(|p| p[0] == name)
        .and_then(|p| p[1].as_str())
}

/// The message kept for field `name`.
fn message<'a>(k: &'a serde_json::Value, name: &str) -> Option<&'a str> {
    k["errors"]
        .as_array()?
        .iter()
        .find(|p| p[0] == name)
        .and_then(|p| p[1].as_str())
}

#[test]
fn a_refused_meeting_comes_back_with_what_was_typed_and_the_date_named() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        run(async {
            let sec = login(&app, "branch_secretary").await;
            let future = (date::today() + chrono::Duration::days(5)).to_string();
            let r = sec
                .post_form(
                    &app,
                    &format!("/orgs/{}/meetings/new", f.branch_a.id),
                    &[
                        ("kind", "主题党日"),
                        ("date", &future),
                        ("held", "1"),
                        ("topic", "重温入党誓词"),
                        ("place", "村党群服务中心"),
                        ("host", "支部书记"),
                        (&format!("a{}", f.member_a), "出席"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            let k = kept(&r);
            assert_eq!(typed(&k, "topic"), Some("重温入党誓词"), "{}", s.name);
            assert_eq!(typed(&k, "date"), Some(future.as_str()));
            assert!(
                message(&k, "date").is_some_and(|m| m.contains("不能登记为已召开")),
                "{k}"
            );
            assert!(
                r.body.contains("id=\"form-error\""),
                "the layout draws the refusal once"
            );
            assert!(
                !r.body.contains("_csrf\",\""),
                "the CSRF token is never kept"
            );
        });
        assert_eq!(count(&s, "meetings"), 0, "{}", s.name);
    }
}

#[test]
fn attendance_saved_shows_the_layouts_notice_and_a_refusal_keeps_the_choices() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        run(async {
            let sec = login(&app, "branch_secretary").await;
            let today = date::today().to_string();
            let r = sec
                .post_form(
                    &app,
                    &format!("/orgs/{}/meetings/new", f.branch_a.id),
                    &[
                        ("kind", "主题党日"),
                        ("date", &today),
                        ("held", "1"),
                        ("topic", "学习党章"),
                        ("place", "活动室"),
                        ("host", "书记"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let uri = format!("{}/attendance", r.location);
            let a = format!("a{}", f.member_a);
            let bad = sec.post_form(&app, &uri, &[(&a, "迟到")]).await;
            assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            let k = kept(&bad);
            assert_eq!(typed(&k, &a), Some("迟到"));
            assert!(message(&k, &a).is_some_and(|m| m.contains("应为出席、请假或缺席")));
            let ok = sec.post_form(&app, &uri, &[(&a, "出席")]).await;
            assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
            assert!(ok.location.contains("?ok="), "{}", ok.location);
            let page = sec.get(&app, &ok.location).await;
            assert!(page.body.contains("id=\"notice\">已保存。"), "{}", s.name);
        });
    }
}

#[test]
fn a_tampered_member_id_on_a_training_is_refused_not_dropped() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        run(async {
            let sec = login(&app, "branch_secretary").await;
            let r = sec
                .post_form(
                    &app,
                    &format!("/orgs/{}/training", f.branch_a.id),
                    &[
                        ("title", "党章党规专题培训"),
                        ("date", &date::today().to_string()),
                        ("hours", "8"),
                        ("member", &f.member_a.to_string()),
                        ("member", "12abc"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            assert!(r.body.contains("参训党员有误"), "{}", s.name);
            let k = kept(&r);
            assert_eq!(typed(&k, "title"), Some("党章党规专题培训"));
        });
        assert_eq!(count(&s, "trainings"), 0, "{}", s.name);
        assert_eq!(count(&s, "training_hours"), 0, "{}", s.name);
    }
}

#[test]
fn an_inspection_without_a_target_or_with_a_tampered_one_writes_nothing() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        let audit = count(&s, "audit_log");
        run(async {
            let town = login(&app, "town_admin").await;
            let uri = format!("/orgs/{}/inspections", f.town_a.id);
            let today = date::today().to_string();
            let none = town
                .post_form(
                    &app,
                    &uri,
                    &[
                        ("target_id", ""),
                        ("held_on", &today),
                        ("inspectors", "组织委员"),
                        ("findings", "台账不全"),
                    ],
                )
                .await;
            assert_eq!(none.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            let k = kept(&none);
            assert_eq!(typed(&k, "findings"), Some("台账不全"));
            assert_eq!(
                message(&k, "target_id"),
                Some("请选择本级以下的组织"),
                "{k}"
            );
            let tampered = town
                .post_form(
                    &app,
                    &uri,
                    &[
                        ("target_id", &format!("{}abc", f.branch_a.id)),
                        ("held_on", &today),
                        ("inspectors", "组织委员"),
                        ("findings", "台账不全"),
                    ],
                )
                .await;
            assert_eq!(
                tampered.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}",
                s.name
            );
            assert!(
                tampered.body.contains("内容无效，请从页面上重新选择或填写"),
                "{}",
                tampered.body
            );
        });
        assert_eq!(count(&s, "inspections"), 0, "{}", s.name);
        assert_eq!(count(&s, "audit_log"), audit, "{}", s.name);
    }
}

#[test]
fn an_honour_needs_an_organisation_and_a_year_and_keeps_the_title_typed() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        run(async {
            let town = login(&app, "town_admin").await;
            let uri = format!("/orgs/{}/titles", f.town_a.id);
            let r = town
                .post_form(
                    &app,
                    &uri,
                    &[
                        ("org_id", ""),
                        ("title", "镇级先进基层党组织"),
                        ("year", "2026"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            let k = kept(&r);
            assert_eq!(typed(&k, "title"), Some("镇级先进基层党组织"));
            assert_eq!(message(&k, "org_id"), Some("请选择组织"));
            let r = town
                .post_form(
                    &app,
                    &uri,
                    &[
                        ("org_id", "x1"),
                        ("title", "镇级先进基层党组织"),
                        ("year", "2026"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            assert!(
                r.body.contains("内容无效，请从页面上重新选择或填写"),
                "{}",
                s.name
            );
            let r = town
                .post_form(
                    &app,
                    &uri,
                    &[
                        ("org_id", &f.branch_a.id.to_string()),
                        ("title", "镇级先进基层党组织"),
                        ("year", "明年"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            assert_eq!(message(&kept(&r), "year"), Some("应为年份，如2026"));
        });
        assert_eq!(count(&s, "org_titles"), 0, "{}", s.name);
    }
}

#[test]
fn a_contact_link_without_a_village_is_refused_with_the_field_named() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        run(async {
            let town = login(&app, "town_admin").await;
            let r = town
                .post_form(
                    &app,
                    &format!("/orgs/{}/contacts", f.town_a.id),
                    &[
                        ("village_id", ""),
                        ("member_id", &f.member_a.to_string()),
                        ("role", "指导员"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            let k = kept(&r);
            assert_eq!(typed(&k, "role"), Some("指导员"));
            assert_eq!(message(&k, "village_id"), Some("请选择村"));
        });
        assert_eq!(count(&s, "contact_links"), 0, "{}", s.name);
    }
}

#[test]
fn a_refused_county_cadence_keeps_the_figures_typed() {
    for s in backends() {
        let _f = fixture(&s);
        let app = app(&s);
        run(async {
            let county = login(&app, "county_admin").await;
            let page = county.get(&app, "/settings/cadence").await;
            assert_eq!(page.status, StatusCode::OK);
            // The figures of the nine rules as shown, with one of them not a number.
            let mut form: Vec<(String, String)> = Vec::new();
            for i in 0..9 {
                for key in ["min", "warn"] {
                    let name = format!("name=\"{key}{i}\" value=\"");
                    let at = page.body.find(&name).unwrap() + name.len();
                    let end = at + page.body[at..].find('"').unwrap();
                    form.push((format!("{key}{i}"), page.body[at..end].to_string()));
                }
            }
            form.iter_mut().find(|(k, _)| k == "min4").unwrap().1 = "两次".into();
            let refs: Vec<(&str, &str)> =
                form.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let r = county.post_form(&app, "/settings/cadence", &refs).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            let k = kept(&r);
            assert_eq!(typed(&k, "min4"), Some("两次"));
            assert_eq!(message(&k, "min4"), Some("应为整数"));
        });
    }
}

#[test]
fn the_escalation_ladder_saved_and_run_show_the_layouts_notice() {
    for s in backends() {
        let _f = fixture(&s);
        let app = app(&s);
        run(async {
            let county = login(&app, "county_admin").await;
            let bad = county
                .post_form(
                    &app,
                    "/settings/escalation",
                    &[("after0", "三天"), ("action0", "催办提醒"), ("by0", "县委")],
                )
                .await;
            assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            let k = kept(&bad);
            assert_eq!(typed(&k, "after0"), Some("三天"));
            assert_eq!(typed(&k, "by0"), Some("县委"));
            let ok = county
                .post_form(
                    &app,
                    "/settings/escalation",
                    &[
                        ("after0", "3"),
                        ("action0", "催办提醒"),
                        ("by0", "乡镇党委"),
                    ],
                )
                .await;
            assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
            assert!(ok.body.contains("id=\"notice\">已保存。"), "{}", s.name);
            let run_now = county
                .post_form(&app, "/settings/escalation/run", &[])
                .await;
            assert_eq!(run_now.status, StatusCode::OK, "{}", run_now.body);
            assert!(run_now.body.contains("id=\"notice\">已升级0项。"));
        });
    }
}

#[test]
fn a_forged_check_in_code_is_the_layouts_error() {
    for s in backends() {
        let _f = fixture(&s);
        let app = app(&s);
        run(async {
            let member = login(&app, "member").await;
            let forged = xianfeng_domain::checkin::sign(&[1; 32], 1, date::now().timestamp() + 60);
            let r = member.get(&app, &format!("/checkin?t={forged}")).await;
            assert_eq!(r.status, StatusCode::OK);
            assert!(r.body.contains("id=\"form-error\""), "{}", r.body);
            assert!(r.body.contains("签名不符") && !r.body.contains("确认签到"));
        });
    }
}

/// A campaign of the county with one task assigned to town A (through the web).
async fn campaign_with_task(app: &axum::Router, county: &Client, town_a: i64) -> i64 {
    let year = xianfeng_store::plans::publish::this_year().to_string();
    let r = county
        .post_form(
            app,
            "/campaigns",
            &[("title", "红旗先锋创建"), ("year", &year)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = r.location.rsplit('/').next().unwrap().parse().unwrap();
    let r = county
        .post_form(
            app,
            &format!("/campaigns/{id}/tasks"),
            &[
                ("category", "组织建设"),
                ("title", "建立党员先锋岗"),
                ("quantity", "3"),
                ("unit", "个"),
                ("org", &town_a.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    id
}

#[test]
fn campaign_forms_refuse_years_and_ids_that_are_not_numbers() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        let campaign = run(async {
            let county = login(&app, "county_admin").await;
            let r = county
                .post_form(
                    &app,
                    "/campaigns",
                    &[("title", "先锋引领"), ("year", "今年")],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            let k = kept(&r);
            assert_eq!(typed(&k, "title"), Some("先锋引领"));
            assert_eq!(message(&k, "year"), Some("应为2000–2100之间的年份"));
            let id = campaign_with_task(&app, &county, f.town_a.id).await;
            let r = county
                .post_form(
                    &app,
                    &format!("/campaigns/{id}/tasks"),
                    &[
                        ("title", "建设党员活动室"),
                        ("quantity", "1"),
                        ("unit", "个"),
                        ("org", "甲镇"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            let k = kept(&r);
            assert_eq!(typed(&k, "title"), Some("建设党员活动室"));
            assert!(r.body.contains("责任单位有误"), "{}", s.name);
            let r = county
                .post_form(&app, &format!("/campaigns/{id}/copy"), &[("year", "明年")])
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            assert!(message(&kept(&r), "year").is_some_and(|m| m.starts_with("应为年份")));
            id
        });
        assert_eq!(count(&s, "campaigns"), 1, "{}", s.name);
        assert_eq!(count(&s, "tasks"), 1, "{}", s.name);
        let assignment = sync(|| {
            s.read(|c| xianfeng_store::campaigns::assignments_in(c, campaign, &f.county.path))
                .unwrap()
        })
        .into_iter()
        .find(|a| a.org_id == f.town_a.id)
        .unwrap()
        .id;
        run(async {
            let town = login(&app, "town_admin").await;
            let uri = format!("/assignments/{assignment}/reports");
            let r = town
                .post_multipart(
                    &app,
                    &uri,
                    &[
                        ("indicator", "0x1"),
                        ("quantity", "2"),
                        ("narrative", "建成两个"),
                    ],
                    Some(("evidence", "现场.png", b"\x89PNG\r\n\x1a\n\0\0")),
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            let k = kept(&r);
            assert_eq!(message(&k, "indicator"), Some("请选择指标"));
            assert_eq!(typed(&k, "narrative"), Some("建成两个"));
            assert_eq!(k["files"][0], serde_json::json!(["evidence", "现场.png"]));
            let ok = town
                .post_multipart(
                    &app,
                    &uri,
                    &[("quantity", "2"), ("narrative", "建成两个")],
                    None,
                )
                .await;
            assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
            assert!(ok.body.contains("id=\"notice\">进展已报送。"));
        });
        assert_eq!(count(&s, "progress_reports"), 1, "{}", s.name);
    }
}

#[test]
fn a_refused_rectification_names_the_chosen_file() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        let today = date::today();
        run(async {
            let town = login(&app, "town_admin").await;
            let r = town
                .post_form(
                    &app,
                    &format!("/orgs/{}/inspections", f.town_a.id),
                    &[
                        ("target_id", &f.branch_a.id.to_string()),
                        ("held_on", &today.to_string()),
                        ("inspectors", "组织委员"),
                        ("findings", "台账不全"),
                        ("description", "支委会记录缺少两次"),
                        (
                            "deadline",
                            &(today + chrono::Duration::days(10)).to_string(),
                        ),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        });
        let problem: i64 = sync(|| {
            s.read(|c| c.scalar("SELECT id FROM problems", &[]))
                .unwrap()
        });
        run(async {
            let sec = login(&app, "branch_secretary").await;
            let r = sec
                .post_multipart(
                    &app,
                    &format!("/problems/{problem}/steps"),
                    &[("action", "提交整改"), ("note", "已补齐记录")],
                    Some(("evidence", "记录.exe", b"MZ\x90\x00")),
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            let k = kept(&r);
            assert_eq!(typed(&k, "note"), Some("已补齐记录"));
            assert_eq!(k["files"][0], serde_json::json!(["evidence", "记录.exe"]));
        });
        assert_eq!(count(&s, "problem_steps"), 0, "{}", s.name);
    }
}
