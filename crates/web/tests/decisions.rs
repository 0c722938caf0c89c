//! 四议两公开 pages: a secretary records steps 1–5 from the forms, the resolution shows on the
//! public notice board and a resident objects from there; a refused step keeps its input and
//! names the field; matter routes outside the scope answer exactly like missing ones.

mod common;

use axum::http::StatusCode;
use common::{app, fixture, login, run, sync, Client};
use xianfeng_store::testing::backends;

fn matter_id(r: &common::Resp) -> String {
    r.location
        .trim_start_matches("/matters/")
        .split('?')
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn a_secretary_records_the_steps_and_a_resident_objects_from_the_public_board() {
    let s = xianfeng_store::testing::sqlite();
    let f = fixture(&s);
    let app = app(&s);
    let members = sync(|| {
        s.read(|c| {
            c.query(
                "SELECT id FROM members WHERE org_id = ? ORDER BY id",
                xianfeng_store::vals![f.branch_a.id],
            )
        })
        .unwrap()
    });
    let ids: Vec<String> = members
        .iter()
        .map(|r| r.i64(0).unwrap().to_string())
        .collect();
    run(async {
        let sec = login(&app, "branch_secretary").await;
        let home = sec
            .get(&app, &format!("/orgs/{}/decisions", f.branch_a.id))
            .await;
        assert_eq!(home.status, StatusCode::OK, "{}", home.body);
        assert!(home.body.contains("登记重大事项") && home.body.contains("集体资产处置"));
        let created = sec
            .post_multipart(
                &app,
                &format!("/orgs/{}/matters", f.branch_a.id),
                &[
                    ("title", "村集体厂房出租"),
                    ("category", "集体资产处置"),
                    ("amount", "36000"),
                    ("summary", "厂房对外出租三年"),
                ],
                None,
            )
            .await;
        assert_eq!(created.status, StatusCode::SEE_OTHER, "{}", created.body);
        let id = matter_id(&created);
        let today = xianfeng_domain::date::today().to_string();
        let step = |fields: Vec<(String, String)>| {
            let sec = &sec;
            let app = &app;
            let id = id.clone();
            async move {
                let f: Vec<(&str, &str)> = fields
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_str()))
                    .collect();
                sec.post_multipart(app, &format!("/matters/{id}/steps"), &f, None)
                    .await
            }
        };
        let meeting = |kind: &str, expected: &str, present: &str, yes: &str| {
            [
                ("step", kind),
                ("date", today.as_str()),
                ("expected", expected),
                ("present", present),
                ("yes", yes),
                ("no", "0"),
                ("abstain", "0"),
                ("minutes", "与会人员一致同意"),
                ("form", "村民代表会议"),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<Vec<_>>()
        };
        let r = step(meeting("村党组织提议", "5", "5", "5")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = step(meeting("村“两委”会议商议", "9", "8", "8")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = sec.get(&app, &format!("/matters/{id}")).await;
        assert!(
            page.body.contains("甲党员二"),
            "the roster is offered: {}",
            page.body
        );
        let mut assembly = meeting("党员大会审议", "", "", "2");
        for i in &ids {
            assembly.push((format!("a{i}"), "出席".to_string()));
        }
        let r = step(assembly).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = step(meeting("村民（代表）会议决议", "30", "21", "15")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let r = step(vec![
            ("step".to_string(), "决议公开".to_string()),
            ("date".to_string(), today.clone()),
            (
                "text".to_string(),
                "村集体厂房出租事项经村民代表会议通过，现予公开".to_string(),
            ),
        ])
        .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

        let public = Client {
            cookie: String::new(),
            csrf: String::new(),
        };
        let board = public.get(&app, &format!("/notice/{}", f.town_a.id)).await;
        assert_eq!(board.status, StatusCode::OK);
        assert!(board.body.contains("村集体厂房出租"), "{}", board.body);
        assert!(
            !board.body.contains("甲党员"),
            "no personal data on the board"
        );
        let empty = public
            .post_form(
                &app,
                &format!("/notice/{}/matters", f.town_a.id),
                &[("matter", &id), ("name", "赵六"), ("content", " ")],
            )
            .await;
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(empty.body.contains("异议内容"));
        let filed = public
            .post_form(
                &app,
                &format!("/notice/{}/matters", f.town_a.id),
                &[
                    ("matter", &id),
                    ("name", "赵六"),
                    ("content", "租金是否低于市场价？"),
                ],
            )
            .await;
        assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
        let elsewhere = public
            .post_form(
                &app,
                &format!("/notice/{}/matters", f.town_b.id),
                &[
                    ("matter", &id),
                    ("name", "赵六"),
                    ("content", "别处的异议内容"),
                ],
            )
            .await;
        assert_eq!(elsewhere.status, StatusCode::NOT_FOUND);
        let page = sec.get(&app, &format!("/matters/{id}")).await;
        assert!(page.body.contains("租金是否低于市场价"));
        let result = |text: &str| {
            vec![
                ("step".to_string(), "实施结果公开".to_string()),
                ("date".to_string(), today.clone()),
                ("text".to_string(), text.to_string()),
                ("amount".to_string(), "36000".to_string()),
            ]
        };
        let early = step(result("厂房已出租")).await;
        assert_eq!(early.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(early.body.contains("尚未答复"), "{}", early.body);
        let objection = sync(|| {
            s.read(|c| c.scalar("SELECT MAX(id) FROM workflow_objections", &[]))
                .unwrap()
        });
        let answered = sec
            .post_form(
                &app,
                &format!("/matters/{id}/objections/{objection}/answer"),
                &[
                    ("answer", "租金经第三方评估，高于周边均价"),
                    ("decision", "dismiss"),
                ],
            )
            .await;
        assert_eq!(answered.status, StatusCode::SEE_OTHER, "{}", answered.body);
        let r = step(result("厂房已出租，首年租金已入账")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let page = sec.get(&app, &format!("/matters/{id}")).await;
        assert!(page.body.contains("异议不成立") && page.body.contains("首年租金已入账"));

        let town = login(&app, "town_admin").await;
        let view = town
            .get(&app, &format!("/orgs/{}/decisions", f.town_a.id))
            .await;
        assert!(view.body.contains("各村事项") && view.body.contains("甲村党支部"));
    });
}

#[test]
fn a_refused_step_keeps_its_input_and_names_the_field() {
    let s = xianfeng_store::testing::sqlite();
    let f = fixture(&s);
    let app = app(&s);
    run(async {
        let sec = login(&app, "branch_secretary").await;
        let created = sec
            .post_multipart(
                &app,
                &format!("/orgs/{}/matters", f.branch_a.id),
                &[("title", "修缮祠堂"), ("category", "其他"), ("amount", "")],
                None,
            )
            .await;
        let id = matter_id(&created);
        let before = sync(|| {
            s.read(|c| c.scalar("SELECT COUNT(*) FROM audit_log", &[]))
                .unwrap()
        });
        let today = xianfeng_domain::date::today().to_string();
        let r = sec
            .post_multipart(
                &app,
                &format!("/matters/{id}/steps"),
                &[
                    ("step", "村党组织提议"),
                    ("date", &today),
                    ("expected", "5"),
                    ("present", "4"),
                    ("yes", "6"),
                    ("minutes", "讨论修缮方案"),
                ],
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("赞成票"), "{}", r.body);
        assert!(
            r.body.contains("讨论修缮方案"),
            "the typed minutes come back"
        );
        let skipped = sec
            .post_multipart(
                &app,
                &format!("/matters/{id}/steps"),
                &[("step", "决议公开"), ("date", &today), ("text", "公开")],
                None,
            )
            .await;
        assert_eq!(skipped.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(skipped.body.contains("第1步"), "{}", skipped.body);
        let after = sync(|| {
            s.read(|c| c.scalar("SELECT COUNT(*) FROM audit_log", &[]))
                .unwrap()
        });
        assert_eq!(before, after, "refusals write nothing");
    });
}

#[test]
fn matter_routes_outside_the_scope_answer_like_missing_ones() {
    use xianfeng_domain::decision::MatterDraft;
    use xianfeng_store::decisions::matters;
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        let county = xianfeng_store::testing::admin(&f.county);
        let id = s
            .write(|c| {
                matters::create(
                    c,
                    &county,
                    &f.branch_b,
                    &MatterDraft {
                        title: "乙村事项".into(),
                        category: "其他".into(),
                        amount_fen: None,
                        summary: String::new(),
                    },
                )
            })
            .unwrap()
            .id;
        run(async {
            let town = login(&app, "town_admin").await;
            let mut failures = Vec::new();
            for (outside, missing) in [
                (format!("/matters/{id}"), "/matters/999999".to_string()),
                (
                    format!("/matters/{id}/files/abc"),
                    "/matters/999999/files/abc".into(),
                ),
                (
                    format!("/orgs/{}/decisions", f.town_b.id),
                    "/orgs/999999/decisions".into(),
                ),
            ] {
                let r = town.get(&app, &outside).await;
                let m = town.get(&app, &missing).await;
                if r.status != StatusCode::NOT_FOUND || r.body != m.body {
                    failures.push(format!("{} GET {outside}: {}", s.name, r.status));
                }
                if r.body.contains("乙村") {
                    failures.push(format!("{} GET {outside} leaked", s.name));
                }
            }
            for (outside, missing, fields) in [
                (
                    format!("/matters/{id}/implement"),
                    "/matters/999999/implement".to_string(),
                    vec![],
                ),
                (
                    format!("/matters/{id}/objections/1/answer"),
                    "/matters/999999/objections/1/answer".into(),
                    vec![("answer", "答复")],
                ),
                (
                    format!("/orgs/{}/decisions/one-shoulder", f.branch_b.id),
                    "/orgs/999999/decisions/one-shoulder".into(),
                    vec![("one_shoulder", "1")],
                ),
            ] {
                let r = town.post_form(&app, &outside, &fields).await;
                let m = town.post_form(&app, &missing, &fields).await;
                if r.status != StatusCode::NOT_FOUND || r.body != m.body {
                    failures.push(format!("{} POST {outside}: {}", s.name, r.status));
                }
            }
            for (outside, missing) in [
                (
                    format!("/matters/{id}/steps"),
                    "/matters/999999/steps".to_string(),
                ),
                (
                    format!("/orgs/{}/matters", f.branch_b.id),
                    "/orgs/999999/matters".into(),
                ),
            ] {
                let fields = [
                    ("step", "村党组织提议"),
                    ("title", "x"),
                    ("category", "其他"),
                ];
                let r = town.post_multipart(&app, &outside, &fields, None).await;
                let m = town.post_multipart(&app, &missing, &fields, None).await;
                if r.status != StatusCode::NOT_FOUND || r.body != m.body {
                    failures.push(format!("{} POST {outside}: {}", s.name, r.status));
                }
            }
            let member = login(&app, "member").await;
            let r = member
                .get(&app, &format!("/orgs/{}/decisions", f.branch_a.id))
                .await;
            if r.status != StatusCode::FORBIDDEN {
                failures.push(format!("{} member decisions: {}", s.name, r.status));
            }
            let town_cats = town
                .post_form(&app, "/decisions/categories", &[("name_1", "只有县里能改")])
                .await;
            if town_cats.status != StatusCode::FORBIDDEN {
                failures.push(format!(
                    "{} town edits categories: {}",
                    s.name, town_cats.status
                ));
            }
            assert!(failures.is_empty(), "{}", failures.join("\n"));
        });
        let steps = s
            .read(|c| c.scalar("SELECT COUNT(*) FROM matter_steps", &[]))
            .unwrap();
        assert_eq!(steps, 0, "{}: nothing recorded", s.name);
    }
}
