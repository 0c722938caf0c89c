//! 党建品牌 through the pages on both backends: a branch secretary proposes, the town
//! designates, the secretary declares with the 登记表, the town returns it with a reason, the
//! secretary revises and re-declares, the town approves and the county files it with a register
//! number. A bad declaration comes back with each field's message and what was typed.

mod common;

use axum::http::StatusCode;
use common::{app, fixture, login, run, sync};
use xianfeng_store::testing::{backends, snapshot};

fn brand_fields(name: &'static str) -> Vec<(&'static str, &'static str)> {
    vec![
        ("name", name),
        ("slogan", "小事不出网格"),
        ("category", "基层治理"),
        ("description", "以网格为单元，党员当管家，服务群众零距离。"),
        ("goals", "三年建成全县知名品牌"),
        ("measures", "党员认领网格，每周走访"),
        ("leaders", "张书记"),
    ]
}

fn declaration_fields(name: &'static str) -> Vec<(&'static str, &'static str)> {
    let mut v = brand_fields(name);
    v.extend([
        ("effects", "化解矛盾三十余件，群众满意度明显提升"),
        ("satisfaction", "95"),
        ("founded_on", "2024-03-01"),
    ]);
    v
}

#[test]
fn a_brand_is_proposed_designated_declared_returned_revised_and_filed_through_the_pages() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        run(async {
            let sec = login(&app, "branch_secretary").await;
            let town = login(&app, "town_admin").await;
            let county = login(&app, "county_admin").await;
            let r = sec
                .post_form(
                    &app,
                    &format!("/orgs/{}/brands", f.branch_a.id),
                    &brand_fields("红色管家"),
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let page = r.location.split('?').next().unwrap().to_string();
            let id = page.trim_start_matches("/brands/").to_string();

            let r = sec.get(&app, &page).await;
            assert!(r.body.contains("申报培育（待上级确定）"), "{}", r.body);
            assert!(!r.body.contains("确定为品牌培育项目</button>"));
            let r = town
                .post_form(&app, &format!("/brands/{id}/designate"), &[])
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

            let r = sec.get(&app, &format!("/brands/{id}/declare")).await;
            assert_eq!(r.status, StatusCode::OK);
            assert!(r.body.contains("党建品牌创建申报登记表") && r.body.contains("红色管家"));
            let r = sec
                .post_form(
                    &app,
                    &format!("/brands/{id}/declare"),
                    &declaration_fields("红色管家"),
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let r = town.get(&app, &page).await;
            assert!(r.body.contains("待镇党委审核"), "{}", r.body);
            assert!(r.body.contains("value=\"退回修改\""));

            let r = town
                .post_form(
                    &app,
                    &format!("/brands/{id}/act"),
                    &[("action", "退回修改"), ("comment", "请补充成效数据")],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let r = sec.get(&app, &format!("/brands/{id}/declare")).await;
            assert!(
                r.body.contains("上级退回意见：请补充成效数据"),
                "{}",
                r.body
            );
            let mut revised = declaration_fields("红色管家");
            revised[7] = ("effects", "化解矛盾三十二件，办理民生实事十五件");
            let r = sec
                .post_form(&app, &format!("/brands/{id}/declare"), &revised)
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

            for who in [&town, &county] {
                let r = who
                    .post_form(&app, &format!("/brands/{id}/act"), &[("action", "同意")])
                    .await;
                assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            }
            let year = chrono::Datelike::year(&xianfeng_domain::date::today());
            let number = format!("县-{year}-001");
            let r = county
                .get(&app, &format!("/orgs/{}/brands", f.county.id))
                .await;
            assert!(r.body.contains(&number), "{}", r.body);
            let r = sec.get(&app, &format!("/brands/{id}/form")).await;
            assert_eq!(r.status, StatusCode::OK);
            assert!(r.body.contains(&number) && r.body.contains("镇党委审核意见"));
            assert!(r.body.contains("请补充成效数据"));

            // the filed brand shows on the public page, with its register number
            let slug = sync(|| {
                s.read(|c| xianfeng_store::people::public_slugs::of(c, f.town_a.id))
                    .unwrap()
            });
            let anon = common::Client {
                cookie: "xf_session=nothing".into(),
                csrf: String::new(),
            };
            let r = anon.get(&app, &format!("/board/{slug}/brands")).await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            assert!(
                r.body.contains(&number) && r.body.contains("红色管家"),
                "{}",
                r.body
            );
            assert!(!r.body.contains("甲党员"), "no members' names");
            let r = anon.get(&app, "/board/nosuchslugatallxx/brands").await;
            assert_eq!(r.status, StatusCode::NOT_FOUND);
        });
    }
}

#[test]
fn a_bad_declaration_is_refused_with_field_messages_and_kept_input_and_changes_nothing() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        let id = s
            .write(|c| -> xianfeng_store::Result<_> {
                let sec = xianfeng_domain::auth::Actor {
                    role: xianfeng_domain::auth::Role::BranchSecretary,
                    ..xianfeng_store::testing::admin(&f.branch_a)
                };
                let town = xianfeng_domain::auth::Actor {
                    role: xianfeng_domain::auth::Role::TownAdmin,
                    ..xianfeng_store::testing::admin(&f.town_a)
                };
                let input = xianfeng_domain::brand::BrandInput {
                    name: "红色管家".into(),
                    slogan: "小事不出网格".into(),
                    category: "基层治理".into(),
                    description: "以网格为单元，党员当管家，服务群众零距离。".into(),
                    goals: "三年建成全县知名品牌".into(),
                    measures: "党员认领网格，每周走访".into(),
                    leaders: "张书记".into(),
                };
                let id = xianfeng_store::brands::projects::propose(c, &sec, &f.branch_a, &input)?;
                xianfeng_store::brands::projects::designate(c, &town, id)?;
                Ok(id)
            })
            .unwrap();
        run(async {
            let sec = login(&app, "branch_secretary").await;
            let town = login(&app, "town_admin").await;
            let before = sync(|| snapshot(&s));
            let mut bad = declaration_fields("红色管家");
            bad[8] = ("satisfaction", "一百二");
            bad[9] = ("founded_on", "去年");
            let r = sec
                .post_form(&app, &format!("/brands/{id}/declare"), &bad)
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            assert!(r.body.contains("群众满意度"), "{}", r.body);
            assert!(r.body.contains("创建时间"), "{}", r.body);
            assert!(r.body.contains("kept-input") && r.body.contains("一百二"));
            // a town may not declare in the branch's place
            let r = town
                .post_form(
                    &app,
                    &format!("/brands/{id}/declare"),
                    &declaration_fields("红色管家"),
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            assert!(r.body.contains("支部"), "{}", r.body);
            let after = sync(|| snapshot(&s));
            assert_eq!(
                xianfeng_store::testing::differences(&before, &after),
                Vec::<String>::new()
            );
        });
    }
}

/// The town designates a 示范点 through the page, the branch evidences a standard, the town
/// checks it; an acceptance of 限期整改 with no problems listed is refused with the field's
/// message and changes nothing, and 不通过 is recorded.
#[test]
fn a_site_is_designated_evidenced_checked_and_visited_through_the_pages() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        run(async {
            let sec = login(&app, "branch_secretary").await;
            let town = login(&app, "town_admin").await;
            let year = chrono::Datelike::year(&xianfeng_domain::date::today()).to_string();
            let branch = f.branch_a.id.to_string();
            let r = town
                .post_form(
                    &app,
                    &format!("/orgs/{}/sites", f.town_a.id),
                    &[
                        ("org", branch.as_str()),
                        ("year", year.as_str()),
                        ("leader", "党委副书记 李明"),
                        ("plan", "按九有标准创建示范点，年底验收。"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let page = r.location.split('?').next().unwrap().to_string();
            let site: i64 = page.trim_start_matches("/sites/").parse().unwrap();
            let item = sync(|| {
                s.read(|c| xianfeng_store::brands::sites::items(c, site))
                    .unwrap()[0]
                    .id
            });
            let r = sec.get(&app, &page).await;
            assert!(
                r.body.contains("活动有阵地") && r.body.contains("提交佐证"),
                "{}",
                r.body
            );
            let r = sec
                .post_form(
                    &app,
                    &format!("/site-items/{item}/evidence"),
                    &[("evidence", "党群服务中心已建成，照片见附件")],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let r = town
                .post_form(
                    &app,
                    &format!("/site-items/{item}/check"),
                    &[("decision", "pass")],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);

            let before = sync(|| snapshot(&s));
            let today = xianfeng_domain::date::today().to_string();
            let r = town
                .post_form(
                    &app,
                    &format!("/sites/{site}/accept"),
                    &[
                        ("held_on", today.as_str()),
                        ("inspectors", "镇党委 王委员"),
                        ("score", "70"),
                        ("result", "限期整改"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            assert!(r.body.contains("整改问题"), "{}", r.body);
            assert!(r.body.contains("镇党委 王委员"), "typed input kept");
            let after = sync(|| snapshot(&s));
            assert_eq!(
                xianfeng_store::testing::differences(&before, &after),
                Vec::<String>::new()
            );
            let r = town
                .post_form(
                    &app,
                    &format!("/sites/{site}/accept"),
                    &[
                        ("held_on", today.as_str()),
                        ("inspectors", "镇党委 王委员"),
                        ("score", "40"),
                        ("result", "不通过"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let r = town
                .get(&app, &format!("/orgs/{}/sites", f.town_a.id))
                .await;
            assert!(r.body.contains("未通过验收"), "{}", r.body);
        });
    }
}

/// A spend beyond the line's balance comes back with the amount's message and the typed input,
/// and writes nothing; within the balance it is recorded and the list shows the balance.
#[test]
fn a_spend_beyond_the_balance_is_refused_on_the_page() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        run(async {
            let town = login(&app, "town_admin").await;
            let sec = login(&app, "branch_secretary").await;
            let year = chrono::Datelike::year(&xianfeng_domain::date::today()).to_string();
            let r = town
                .post_form(
                    &app,
                    &format!("/orgs/{}/funds", f.branch_a.id),
                    &[
                        ("source", "财政预算"),
                        ("year", year.as_str()),
                        ("title", "村级组织活动经费"),
                        ("amount", "1000"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let page = r.location.split('?').next().unwrap().to_string();
            let today = xianfeng_domain::date::today().to_string();
            let before = sync(|| snapshot(&s));
            let r = sec
                .post_form(
                    &app,
                    &format!("{page}/spend"),
                    &[
                        ("day", today.as_str()),
                        ("amount", "1000.01"),
                        ("purpose", "购置桌椅"),
                        ("receipt", "凭-018"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            assert!(
                r.body.contains("超出") && r.body.contains("凭-018"),
                "{}",
                r.body
            );
            let after = sync(|| snapshot(&s));
            assert_eq!(
                xianfeng_store::testing::differences(&before, &after),
                Vec::<String>::new()
            );
            let r = sec
                .post_form(
                    &app,
                    &format!("{page}/spend"),
                    &[
                        ("day", today.as_str()),
                        ("amount", "250"),
                        ("purpose", "购置桌椅"),
                        ("receipt", "凭-018"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let r = town
                .get(&app, &format!("/orgs/{}/funds", f.town_a.id))
                .await;
            assert!(r.body.contains("750.00"), "{}", r.body);
        });
    }
}
