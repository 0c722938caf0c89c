//! Refused forms in the points and recognition pages come back with what was typed (the page's
//! kept-input JSON, or the row's own input where several forms share field names) and each
//! field's message; a tampered id is refused in Chinese, never read as 0. Both backends.

mod common;

use axum::http::StatusCode;
use common::{app, fixture, login, run, sync, Client};
use serde_json::Value;
use xianfeng_store::testing::{backends, TestStore};

fn count(s: &TestStore, sql: &str) -> i64 {
    sync(|| s.read(|c| c.scalar(sql, &[])).unwrap())
}

fn anonymous() -> Client {
    Client {
        cookie: String::new(),
        csrf: String::new(),
    }
}

fn png(tag: &str) -> Vec<u8> {
    let mut b = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    b.extend_from_slice(tag.as_bytes());
    b
}

/// The kept-input JSON a refused page carries for app.js, or panics.
fn kept(body: &str) -> Value {
    let start = r#"<script type="application/json" id="kept-input">"#;
    let from = body
        .find(start)
        .unwrap_or_else(|| panic!("no kept input in {body}"))
        + start.len();
    let to = from + body[from..].find("</script>").unwrap();
    serde_json::from_str(&body[from..to]).unwrap()
}

/// One subject's scores with the second criterion out of range.
fn scores(subject: &str) -> Vec<(&str, &str)> {
    vec![
        ("subject", subject),
        ("score_0", "18"),
        ("score_1", "25"),
        ("score_2", "18"),
        ("score_3", "18"),
        ("score_4", "18"),
    ]
}

fn has_pair(v: &Value, list: &str, name: &str, value: &str) -> bool {
    v[list]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p[0] == name && p[1].as_str().unwrap_or("").contains(value))
}

fn names(v: &Value, list: &str) -> Vec<String> {
    v[list]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p[0].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn refused_points_forms_come_back_with_what_was_typed() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        run(async {
            let county = login(&app, "county_admin").await;
            let rules = format!("/orgs/{}/points/rules", f.county.id);
            let r = county
                .post_form(
                    &app,
                    &rules,
                    &[
                        ("category", "环境整治"),
                        ("action", "美丽庭院"),
                        ("points", "20"),
                        ("cap_day", "-1"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            let k = kept(&r.body);
            assert!(has_pair(&k, "fields", "action", "美丽庭院"), "{k}");
            assert!(has_pair(&k, "fields", "cap_day", "-1"), "{k}");
            assert!(has_pair(&k, "errors", "cap_day", "上限不能小于0"), "{k}");
            assert!(!names(&k, "fields").contains(&"_csrf".to_string()));
            assert!(r.body.contains(r#"id="form-error""#), "{}", r.body);
            let r = county
                .post_form(
                    &app,
                    &rules,
                    &[
                        ("category", "环境整治"),
                        ("action", "美丽庭院"),
                        ("points", "20"),
                        ("evidence_required", "on"),
                        ("approval_required", "on"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            // The success notice is drawn once, by the layout.
            let page = county.get(&app, &r.location).await;
            assert_eq!(page.body.matches("已添加“美丽庭院”").count(), 1);
            assert!(page.body.contains(r#"id="notice""#));
            let rule = count(&s, "SELECT id FROM point_rules WHERE action = '美丽庭院'");

            // Recording with a photo but nobody picked: the note and the file's name return.
            let secretary = login(&app, "branch_secretary").await;
            let today = xianfeng_domain::date::today().to_string();
            let photo = png("yard");
            let rule_id = rule.to_string();
            let r = secretary
                .post_multipart(
                    &app,
                    &format!("/orgs/{}/points/record", f.branch_a.id),
                    &[
                        ("person", ""),
                        ("rule", &rule_id),
                        ("day", &today),
                        ("note", "打扫村道"),
                    ],
                    Some(("evidence", "村道.png", &photo)),
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            let k = kept(&r.body);
            assert!(has_pair(&k, "fields", "note", "打扫村道"), "{k}");
            assert!(has_pair(&k, "fields", "rule", &rule_id), "{k}");
            assert!(has_pair(&k, "files", "evidence", "村道.png"), "{k}");
            assert!(has_pair(&k, "errors", "person", "请选择"), "{k}");
            assert_eq!(count(&s, "SELECT COUNT(*) FROM point_claims"), 0);

            // A resident refused for a bad id number: typed values come back in the form.
            let households = format!("/orgs/{}/households", f.branch_a.id);
            let resident = |id_number: &'static str| {
                vec![
                    ("head_name", "王建国"),
                    ("address", "一组1号"),
                    ("name", "李秀英"),
                    ("relation", "配偶"),
                    ("id_number", id_number),
                ]
            };
            let r = secretary
                .post_form(&app, &households, &resident("123"))
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            assert!(r.body.contains(r#"value="一组1号""#), "{}", r.body);
            let k = kept(&r.body);
            assert!(has_pair(&k, "fields", "name", "李秀英"), "{k}");
            assert!(
                names(&k, "errors").contains(&"id_number".to_string()),
                "{k}"
            );
            let r = secretary.post_form(&app, &households, &resident("")).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let (code, person) = sync(|| {
                s.read(|c| -> xianfeng_store::Result<_> {
                    Ok((
                        c.query_one("SELECT code FROM households", &[])?.text(0)?,
                        c.scalar("SELECT id FROM point_accounts WHERE name = '李秀英'", &[])?,
                    ))
                })
            })
            .unwrap();

            // The public card: a tampered person is refused in Chinese, the input kept.
            let public = anonymous();
            let claim = format!("/c/{code}/claims");
            let claim_fields = |who: &str| {
                vec![
                    ("person".to_string(), who.to_string()),
                    ("rule".to_string(), rule_id.clone()),
                    ("day".to_string(), today.clone()),
                    ("note".to_string(), "庭院整洁".to_string()),
                ]
            };
            let tampered = claim_fields("12abc");
            let tampered: Vec<(&str, &str)> = tampered
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect();
            let r = public
                .post_multipart(
                    &app,
                    &claim,
                    &tampered,
                    Some(("evidence", "院子.png", &photo)),
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            assert!(r.body.contains("请选择户里的申报人"), "{}", r.body);
            let k = kept(&r.body);
            assert!(has_pair(&k, "fields", "note", "庭院整洁"), "{k}");
            assert!(has_pair(&k, "files", "evidence", "院子.png"), "{k}");
            assert!(
                has_pair(&k, "errors", "person", "请选择户里的申报人"),
                "{k}"
            );
            assert_eq!(count(&s, "SELECT COUNT(*) FROM point_claims"), 0);
            let good = claim_fields(&person.to_string());
            let good: Vec<(&str, &str)> =
                good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            let r = public
                .post_multipart(&app, &claim, &good, Some(("evidence", "院子.png", &photo)))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);

            // Rejecting without a reason, or with one too long: the message (and the reason)
            // go back into that claim's row only, and the claim still waits.
            let claim_id = count(&s, "SELECT id FROM point_claims");
            let decide = format!("/point-claims/{claim_id}/decide");
            let r = secretary
                .post_form(&app, &decide, &[("decision", "reject"), ("reason", "")])
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            assert!(
                r.body
                    .contains(r#"<span class="error">驳回时请写明理由</span>"#),
                "{}",
                r.body
            );
            assert!(!r.body.contains("kept-input"), "rows share field names");
            let long = "理".repeat(201);
            let r = secretary
                .post_form(&app, &decide, &[("decision", "reject"), ("reason", &long)])
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            assert!(r.body.contains(&format!(r#"value="{long}""#)), "{}", r.body);
            assert_eq!(
                count(
                    &s,
                    "SELECT COUNT(*) FROM point_claims WHERE status = '待审核'"
                ),
                1
            );

            // The counter: a bad price comes back with the item as typed.
            let r = secretary
                .post_form(
                    &app,
                    &format!("/orgs/{}/stores", f.branch_a.id),
                    &[("name", "甲村积分超市")],
                )
                .await;
            let store = r.location.clone();
            assert!(store.starts_with("/stores/"), "{}", r.body);
            let r = secretary
                .post_form(
                    &app,
                    &format!("{store}/items"),
                    &[("name", "洗衣粉"), ("price", "十五"), ("stock", "3")],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            let k = kept(&r.body);
            assert!(has_pair(&k, "fields", "name", "洗衣粉"), "{k}");
            assert!(has_pair(&k, "fields", "price", "十五"), "{k}");
            assert!(has_pair(&k, "errors", "price", "整数"), "{k}");
            assert_eq!(count(&s, "SELECT COUNT(*) FROM point_items"), 0);
        });
    }
}

#[test]
fn recognition_forms_keep_input_and_refuse_tampered_ids() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        run(async {
            let county = login(&app, "county_admin").await;
            let town = login(&app, "town_admin").await;
            let sec = login(&app, "branch_secretary").await;
            let kinds = format!("/orgs/{}/awards/kinds", f.county.id);
            let kind = |town_quota: &'static str| {
                vec![
                    ("name", "优秀共产党员"),
                    ("subject", "党员"),
                    ("year", "2026"),
                    ("branch_quota", "1"),
                    ("town_quota", town_quota),
                    ("notice_days", "7"),
                ]
            };
            let r = county.post_form(&app, &kinds, &kind("-1")).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            let k = kept(&r.body);
            assert!(has_pair(&k, "fields", "name", "优秀共产党员"), "{k}");
            assert!(
                names(&k, "errors").contains(&"town_quota".to_string()),
                "{k}"
            );
            let r = county.post_form(&app, &kinds, &kind("3")).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let kind_id = count(&s, "SELECT MAX(id) FROM award_kinds").to_string();

            // Nominating: a tampered kind is refused in Chinese and writes nothing; no kind
            // chosen is refused beside the field, with the 事迹 kept.
            let nominate = format!("/orgs/{}/awards/nominate", f.branch_a.id);
            let summary = "带领群众发展特色种植，带动20户增收，群众评价高。";
            let member = f.member_a.to_string();
            let r = sec
                .post_form(
                    &app,
                    &nominate,
                    &[
                        ("kind", "1 OR 1=1"),
                        ("member", &member),
                        ("summary", summary),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            assert!(
                r.body.contains("内容无效，请从页面上重新选择或填写"),
                "{}",
                r.body
            );
            let r = sec
                .post_form(
                    &app,
                    &nominate,
                    &[("kind", ""), ("member", &member), ("summary", summary)],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            let k = kept(&r.body);
            assert!(has_pair(&k, "fields", "summary", summary), "{k}");
            assert!(has_pair(&k, "errors", "kind", "请选择表彰项目"), "{k}");
            assert_eq!(count(&s, "SELECT COUNT(*) FROM workflow_instances"), 0);
            let r = sec
                .post_form(
                    &app,
                    &nominate,
                    &[
                        ("kind", &kind_id),
                        ("member", &member),
                        ("summary", summary),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let id = count(&s, "SELECT MAX(id) FROM workflow_instances");

            // A refused step keeps the comment but never the pressed button's value (the
            // buttons share their name).
            let act = format!("/nominations/{id}/act");
            let r = town
                .post_form(
                    &app,
                    &act,
                    &[("action", "同意"), ("comment", "镇党委研究同意")],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            let k = kept(&r.body);
            assert!(has_pair(&k, "fields", "comment", "镇党委研究同意"), "{k}");
            assert!(!names(&k, "fields").contains(&"action".to_string()), "{k}");
            for (who, comment) in [(&sec, "同意"), (&town, "同意"), (&county, "同意")] {
                let r = who
                    .post_form(&app, &act, &[("action", "同意"), ("comment", comment)])
                    .await;
                assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            }

            // The public board: a tampered nomination id is refused in Chinese; a refused
            // objection comes back in its own item's form, opened.
            let public = anonymous();
            let object = format!("/notice/{}/object", f.town_a.id);
            let r = public
                .post_form(
                    &app,
                    &object,
                    &[
                        ("instance", "x1"),
                        ("name", "张三"),
                        ("content", "反映问题"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            assert!(
                r.body.contains("内容无效，请从页面上重新选择或填写"),
                "{}",
                r.body
            );
            let instance = id.to_string();
            let r = public
                .post_form(
                    &app,
                    &object,
                    &[
                        ("instance", &instance),
                        ("name", ""),
                        ("contact", "13800000000"),
                        ("content", "该同志有违规操办酒席的情况"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            assert!(r.body.contains("<details open>"), "{}", r.body);
            assert!(r.body.contains(r#"value="13800000000""#), "{}", r.body);
            assert!(r.body.contains(">该同志有违规操办酒席的情况</textarea>"));
            assert_eq!(count(&s, "SELECT COUNT(*) FROM workflow_objections"), 0);

            // Commitments: a tampered member is refused, not taken as the branch's own; a short
            // commitment comes back in its own form (it shares `content` with the review form).
            let list = format!("/orgs/{}/commitments", f.branch_a.id);
            let year = chrono::Datelike::year(&xianfeng_domain::date::today());
            let due = format!("{year}-12-31");
            let r = sec
                .post_form(
                    &app,
                    &list,
                    &[
                        ("member", "abc"),
                        ("content", "全年开展移风易俗宣传4次"),
                        ("due", &due),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            assert!(
                r.body.contains("内容无效，请从页面上重新选择或填写"),
                "{}",
                r.body
            );
            assert_eq!(count(&s, "SELECT COUNT(*) FROM commitments"), 0);
            let r = sec
                .post_form(
                    &app,
                    &list,
                    &[
                        ("member", &member),
                        ("category", "产业振兴"),
                        ("content", "种"),
                        ("due", &due),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            assert!(r.body.contains(r#"value="产业振兴""#), "{}", r.body);
            assert!(r.body.contains(">种</textarea>"), "{}", r.body);
            assert!(
                r.body.contains(&format!(r#"value="{member}" selected"#)),
                "{}",
                r.body
            );
            assert!(r.body.contains(r#"<span class="error">至少 4 个字"#));
            assert!(!r.body.contains("kept-input"));
            assert_eq!(count(&s, "SELECT COUNT(*) FROM commitments"), 0);

            // Stars: a tampered member is refused; none chosen is named beside the field.
            let grant = format!("/orgs/{}/stars/grant", f.branch_a.id);
            let r = sec
                .post_form(
                    &app,
                    &grant,
                    &[
                        ("member", "0x1"),
                        ("month", "2026-11"),
                        ("item", "义务"),
                        ("points", "5"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            assert!(
                r.body.contains("内容无效，请从页面上重新选择或填写"),
                "{}",
                r.body
            );
            let r = sec
                .post_form(
                    &app,
                    &grant,
                    &[
                        ("member", ""),
                        ("month", "2026-11"),
                        ("item", "义务"),
                        ("points", "5"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            let k = kept(&r.body);
            assert!(has_pair(&k, "errors", "member", "请选择党员"), "{k}");
            assert!(has_pair(&k, "fields", "month", "2026-11"), "{k}");

            // Scoring: a tampered subject is not found (never subject 0); refused scores come
            // back in their subject's row.
            let rounds = format!("/orgs/{}/evaluations", f.branch_a.id);
            let today = xianfeng_domain::date::today().to_string();
            let r = sec
                .post_form(
                    &app,
                    &rounds,
                    &[
                        ("name", "2026年度民主评议党员"),
                        ("scheme", "民主评议党员（五带头）"),
                        ("closes_on", "2020-01-01"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
            let k = kept(&r.body);
            assert!(
                has_pair(&k, "fields", "name", "2026年度民主评议党员"),
                "{k}"
            );
            let r = sec
                .post_form(
                    &app,
                    &rounds,
                    &[
                        ("name", "2026年度民主评议党员"),
                        ("scheme", "民主评议党员（五带头）"),
                        ("closes_on", &today),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let round = r.location.clone();
            let score = format!("{}/score", round.split('?').next().unwrap());
            let r = town.post_form(&app, &score, &scores("abc")).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
            assert!(r.body.contains("评议对象不存在"), "{}", r.body);
            let r = town.post_form(&app, &score, &scores(&member)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            assert!(r.body.contains(r#"value="25""#), "{}", r.body);
            assert_eq!(r.body.matches(r#"value="25""#).count(), 1, "only that row");
            assert!(!r.body.contains("kept-input"));
        });
    }
}

#[test]
fn a_refused_scheme_comes_back_in_its_own_form() {
    let s = xianfeng_store::testing::sqlite();
    fixture(&s);
    let app = app(&s);
    run(async {
        let county = login(&app, "county_admin").await;
        // Editing the first saved scheme with weights that add to 110%.
        let r = county
            .post_form(
                &app,
                "/settings/schemes/evaluation",
                &[
                    ("index", "0"),
                    ("name", "改过的方案名"),
                    ("subject", "党员"),
                    ("criteria", "履职尽责 50\n为民服务 50"),
                    ("w0", "0"),
                    ("w1", "50"),
                    ("w2", "40"),
                    ("w3", "20"),
                    ("t0", "90"),
                    ("t1", "75"),
                    ("t2", "60"),
                    ("cap", "1/3"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
        assert!(r.body.contains("现为 110%"), "{}", r.body);
        assert_eq!(r.body.matches(r#"value="改过的方案名""#).count(), 1);
        assert!(
            !r.body.contains("kept-input"),
            "the scheme forms share names"
        );
        let first = r.body.find(r#"name="index" value="0""#).unwrap();
        let typed = r.body.find(r#"value="改过的方案名""#).unwrap();
        let second = r.body[first..].find("</form>").unwrap() + first;
        assert!(first < typed && typed < second, "typed into the first form");
        // A tampered index is refused, not taken as a new scheme.
        let r = county
            .post_form(
                &app,
                "/settings/schemes/evaluation",
                &[("index", "first"), ("name", "新方案")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            r.body.contains("内容无效，请从页面上重新选择或填写"),
            "{}",
            r.body
        );
    });
}
