//! 文件导入 in the web app: upload, type and size checks, scope, review edits, unit mapping.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{app, fixture, login, run, send, sync, Client};

const PLAN: &str = "关于开展先锋创建的实施方案\n一、主要任务\n（一）建强堡垒。全镇建成2个示范点，领导点评每季度不少于一次。〔县委组织部、各镇党委〕\n（二）选树典型。创建党员先锋岗60个以上。\n";

async fn upload(app: &axum::Router, c: &Client, name: &str, data: &[u8]) -> common::Resp {
    let boundary = "PLANBOUNDARY";
    let mut body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{}\r\n",
        c.csrf
    )
    .into_bytes();
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n\r\n").as_bytes());
    body.extend(data);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    send(
        app,
        Request::post("/plans")
            .header(header::COOKIE, &c.cookie)
            .header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            )
            .body(Body::from(body))
            .unwrap(),
    )
    .await
}

fn drafts(s: &xianfeng_store::testing::TestStore) -> i64 {
    sync(|| {
        s.read(|c| c.scalar("SELECT COUNT(*) FROM plan_drafts", &[]))
            .unwrap()
    })
}

#[test]
fn upload_reads_the_plan_and_the_review_page_marks_what_was_found() {
    for s in xianfeng_store::testing::backends() {
        let f = fixture(&s);
        let app = app(&s);
        run(async {
            let town = login(&app, "town_admin").await;
            let r = upload(&app, &town, "方案.pdf", b"%PDF-1.4").await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(r.body.contains("不是 .txt 或 .docx 文件"), "{}", r.body);
            let big = vec![b'a'; 10 * 1024 * 1024 + 10];
            let r = upload(&app, &town, "大文件.txt", &big).await;
            assert!(r.body.contains("文件超过10MB"));
            assert_eq!(drafts(&s), 0, "{}: nothing written", s.name);

            let r = upload(&app, &town, "方案.txt", PLAN.as_bytes()).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let url = r.location.clone();
            let page = town.get(&app, &url).await;
            assert_eq!(page.status, StatusCode::OK);
            assert!(
                page.body
                    .contains(r#"<mark class="k-targets">创建党员先锋岗60个以上</mark>"#),
                "{}",
                page.body
            );
            assert!(page.body.contains("党员先锋岗 &#62;= 60个"));
            assert!(page.body.contains("领导点评：每季度 &#62;= 1次"));
            // 各镇党委 means every town committee in scope; 县委组织部 is not in the tree.
            assert!(
                page.body.contains("全部（1个）") && page.body.contains("甲镇党委"),
                "town scope has one town"
            );
            assert!(page.body.contains("未匹配"));

            // The branch secretary of a branch in this town does not own the town's drafts.
            let sec = login(&app, "branch_secretary").await;
            assert_eq!(sec.get(&app, &url).await.status, StatusCode::NOT_FOUND);
            let county = login(&app, "county_admin").await;
            assert_eq!(county.get(&app, &url).await.status, StatusCode::OK);

            // Delete a target, add one by selected text, refuse text not in the document, map a unit.
            let items = format!("{url}/items");
            let r = town
                .post_form(
                    &app,
                    &items,
                    &[("op", "delete"), ("kind", "targets"), ("index", "0")],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER);
            let r = town
                .post_form(
                    &app,
                    &items,
                    &[
                        ("op", "add"),
                        ("kind", "targets"),
                        ("text", "全镇建成2个示范点"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER);
            let r = town
                .post_form(
                    &app,
                    &items,
                    &[
                        ("op", "add"),
                        ("kind", "targets"),
                        ("text", "凭空捏造的目标100个"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(r.body.contains("不在文件原文中"));
            // Edit the remaining target: bad values are named, good ones saved.
            let bad: [(&str, &str); 8] = [
                ("op", "edit"),
                ("kind", "targets"),
                ("index", "0"),
                ("subject", ""),
                ("quantity", "很多"),
                ("quantity_max", ""),
                ("unit_name", "个"),
                ("comparator", "≈"),
            ];
            let r = town.post_form(&app, &items, &bad).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            for msg in ["对象", "数量", "比较"] {
                assert!(r.body.contains(msg), "{msg}");
            }
            let good: [(&str, &str); 8] = [
                ("op", "edit"),
                ("kind", "targets"),
                ("index", "0"),
                ("subject", "市级党员先锋岗"),
                ("quantity", "八十"),
                ("quantity_max", ""),
                ("unit_name", "个"),
                ("comparator", ">="),
            ];
            let r = town.post_form(&app, &items, &good).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
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
            assert!(
                r.body.contains("请选择管辖范围内的组织"),
                "cannot map to an organisation outside scope"
            );
            let r = town
                .post_form(
                    &app,
                    &items,
                    &[
                        ("op", "map"),
                        ("unit", "县委组织部"),
                        ("org_id", &f.branch_a.id.to_string()),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER);
            let page = town.get(&app, &url).await;
            assert!(page.body.contains("已指定"));
            let plan = sync(|| {
                s.read(|c| -> xianfeng_store::Result<_> {
                    c.query_one("SELECT plan_json FROM plan_drafts", &[])?
                        .text(0)
                })
                .unwrap()
            });
            let v: serde_json::Value = serde_json::from_str(&plan).unwrap();
            let subjects: Vec<&str> = v["targets"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|t| t["subject"].as_str())
                .collect();
            assert!(
                subjects.contains(&"示范点") && subjects.contains(&"市级党员先锋岗"),
                "{subjects:?}"
            );
            assert!(v["targets"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["quantity"] == 80.0));
            let audited = sync(|| {
                s.read(|c| {
                    c.scalar(
                        "SELECT COUNT(*) FROM audit_log WHERE entity = 'plan_draft'",
                        &[],
                    )
                })
                .unwrap()
            });
            assert_eq!(audited, 5, "{}", s.name);
        });
    }
}

const PLAN_MEASURES: &str = "关于开展创先争优活动的实施方案\n一、主要任务\n（一）开展主题党日。各支部11月底前完成党员积分评定。〔县委组织部、各镇党委〕\n（二）培树先进典型。每年培树3个先进党组织和45名优秀共产党员。\n二、考核奖惩\n（一）严肃纪律。推进不力的村扣800元绩效奖金。\n";

fn draft_json(s: &xianfeng_store::testing::TestStore) -> serde_json::Value {
    let plan = sync(|| {
        s.read(|c| -> xianfeng_store::Result<_> {
            c.query_one("SELECT plan_json FROM plan_drafts", &[])?
                .text(0)
        })
        .unwrap()
    });
    serde_json::from_str(&plan).unwrap()
}

#[test]
fn the_review_page_shows_measures_quotas_and_ignored_and_corrects_them() {
    for s in xianfeng_store::testing::backends() {
        fixture(&s);
        let app = app(&s);
        run(async {
            let town = login(&app, "town_admin").await;
            let r = upload(&app, &town, "方案.txt", PLAN_MEASURES.as_bytes()).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let url = r.location.clone();
            let page = town.get(&app, &url).await;
            assert_eq!(page.status, StatusCode::OK);
            for shown in [
                "措施",
                "开展主题党日 〔县委组织部、各镇党委〕 时限：11月底前",
                "名额",
                "先进党组织（组织） 3个",
                "优秀共产党员（党员） 45名",
                "非目标",
                "未作为目标：扣款或扣分",
                "转为目标",
            ] {
                assert!(page.body.contains(shown), "{}: {shown}", s.name);
            }
            let items = format!("{url}/items");
            // A measure's units and deadline.
            let r = town
                .post_form(
                    &app,
                    &items,
                    &[
                        ("op", "edit"),
                        ("kind", "measures"),
                        ("index", "0"),
                        ("units", "县委组织部、县民政局"),
                        ("deadline", "12月底前"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            // A quota with both a count and a share is refused, the fields named.
            let r = town
                .post_form(
                    &app,
                    &items,
                    &[
                        ("op", "edit"),
                        ("kind", "quotas"),
                        ("index", "1"),
                        ("name", "优秀共产党员"),
                        ("who", "member"),
                        ("count", "45"),
                        ("percent", "15"),
                        ("level", ""),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(r.body.contains("名额和比例只填一项"), "{}", r.body);
            let r = town
                .post_form(
                    &app,
                    &items,
                    &[
                        ("op", "edit"),
                        ("kind", "quotas"),
                        ("index", "1"),
                        ("name", "优秀共产党员"),
                        ("who", "member"),
                        ("count", ""),
                        ("percent", "15"),
                        ("level", "镇级"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            // Delete the org quota; turn the deduction into a target.
            let r = town
                .post_form(
                    &app,
                    &items,
                    &[("op", "delete"), ("kind", "quotas"), ("index", "0")],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER);
            let r = town
                .post_form(&app, &items, &[("op", "promote"), ("index", "0")])
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let r = town
                .post_form(&app, &items, &[("op", "promote"), ("index", "0")])
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "nothing left");

            let v = draft_json(&s);
            assert_eq!(
                v["measures"][0]["units"],
                serde_json::json!(["县委组织部", "县民政局"])
            );
            assert_eq!(v["measures"][0]["deadline"], "12月底前");
            let quotas = v["quotas"].as_array().unwrap();
            assert_eq!(quotas.len(), 1, "{quotas:?}");
            assert_eq!(
                (quotas[0]["percent"].as_f64(), quotas[0]["level"].as_str()),
                (Some(15.0), Some("镇级"))
            );
            assert!(v["ignored"].as_array().unwrap().is_empty());
            assert!(v["targets"]
                .as_array()
                .unwrap()
                .iter()
                .any(|t| t["quantity"] == 800.0 && t["unit"] == "元"));
            let page = town.get(&app, &url).await;
            assert!(page.body.contains("时限：12月底前"));
            assert!(page.body.contains("镇级优秀共产党员（党员） 15%"));
        });
    }
}
