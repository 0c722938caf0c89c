//! 网格 pages on both backends: a village's grid, its staff, households placed and linked
//! through the forms; a refused link names the member and the bound and changes nothing; a
//! town administrator reaches another town's grids and households exactly like missing ones.

mod common;

use axum::http::StatusCode;
use common::{app, fixture, login, run, sync, Fixture};
use xianfeng_domain::household::ResidentInput;
use xianfeng_store::grids::registry;
use xianfeng_store::people::households;
use xianfeng_store::testing::{admin, backends, TestStore};

/// Two households in each village and a grid in each (甲村 in 甲镇, 乙村 in 乙镇).
fn villages(s: &TestStore, f: &Fixture) -> (Vec<i64>, Vec<i64>, i64, i64) {
    let a = admin(&f.county);
    let add = |org: &xianfeng_domain::org::Org, n: u32| -> i64 {
        let d = ResidentInput {
            head_name: format!("户主{n}"),
            address: format!("{}{n}号", org.name),
            name: format!("户主{n}"),
            ..ResidentInput::default()
        }
        .validate()
        .unwrap();
        let rid = s
            .write(|c| households::add_resident(c, &s.vault, Some(&a), org, &d))
            .unwrap();
        s.read(|c| {
            c.scalar(
                "SELECT household_id FROM residents WHERE id = ?",
                xianfeng_store::vals![rid],
            )
        })
        .unwrap()
    };
    let ha = vec![add(&f.branch_a, 1), add(&f.branch_a, 2)];
    let hb = vec![add(&f.branch_b, 3), add(&f.branch_b, 4)];
    let ga = s
        .write(|c| registry::create(c, &a, &f.branch_a, None, "甲村第一网格"))
        .unwrap();
    let gb = s
        .write(|c| registry::create(c, &a, &f.branch_b, None, "乙村第一网格"))
        .unwrap();
    (ha, hb, ga, gb)
}

#[test]
fn a_village_builds_its_grid_through_the_pages_and_the_town_sees_the_coverage() {
    for s in backends() {
        let f = fixture(&s);
        let (ha, _, ga, _) = villages(&s, &f);
        let app = app(&s);
        run(async {
            let town = login(&app, "town_admin").await;
            for p in [
                format!("/orgs/{}/grids", f.county.id),
                format!("/orgs/{}/grids", f.town_a.id),
                format!("/orgs/{}/grids", f.branch_a.id),
                format!("/grids/{ga}"),
            ] {
                let c = login(&app, "county_admin").await;
                let r = c.get(&app, &p).await;
                assert_eq!(r.status, StatusCode::OK, "{} {p}: {}", s.name, r.body);
            }
            let r = town
                .post_form(
                    &app,
                    &format!("/orgs/{}/grids", f.branch_a.id),
                    &[("name", "甲村第二网格"), ("parent_id", "")],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}: {}", s.name, r.body);
            let ga_s = ga.to_string();
            let m = f.member_a.to_string();
            let h0 = ha[0].to_string();
            for (url, fields) in [
                (
                    format!("/grids/{ga}/staff"),
                    vec![("role", "网格员"), ("member_id", m.as_str()), ("name", "")],
                ),
                (
                    format!("/grids/{ga}/place"),
                    vec![("household_id", h0.as_str())],
                ),
                (
                    format!("/grid-households/{h0}"),
                    vec![("categories", "独居老人")],
                ),
                (
                    format!("/grid-households/{h0}"),
                    vec![("member_id", m.as_str())],
                ),
            ] {
                let r = town.post_form(&app, &url, &fields).await;
                assert_eq!(
                    r.status,
                    StatusCode::SEE_OTHER,
                    "{} {url}: {}",
                    s.name,
                    r.body
                );
                assert!(
                    r.location.starts_with(&format!("/grids/{ga_s}")),
                    "{}",
                    r.location
                );
            }
            let page = town.get(&app, &format!("/grids/{ga}")).await;
            assert!(
                page.body.contains("独居老人") && page.body.contains("甲党员"),
                "{}",
                page.body
            );
            let overview = town
                .get(&app, &format!("/orgs/{}/grids", f.town_a.id))
                .await;
            assert!(overview.body.contains("甲村第二网格"), "{}", overview.body);
            assert!(
                overview.body.contains("50%"),
                "one of two households linked: {}",
                overview.body
            );
        });
    }
}

#[test]
fn refused_grid_forms_name_the_field_and_change_nothing() {
    for s in backends() {
        let f = fixture(&s);
        let (ha, _, ga, _) = villages(&s, &f);
        s.write(|c| {
            let r = xianfeng_domain::rules::Rules {
                link_member_max: 1,
                ..Default::default()
            };
            xianfeng_store::settings::save_rules(c, &r)
        })
        .unwrap();
        let a = admin(&f.county);
        s.write(|c| xianfeng_store::grids::links::place(c, &a, ha[1], Some(ga)))
            .unwrap();
        s.write(|c| xianfeng_store::grids::links::link(c, &a, ha[1], f.member_a))
            .unwrap();
        s.write(|c| xianfeng_store::grids::links::place(c, &a, ha[0], Some(ga)))
            .unwrap();
        let app = app(&s);
        let audit = || {
            sync(|| {
                s.read(|c| c.scalar("SELECT COUNT(*) FROM audit_log", &[]))
                    .unwrap()
            })
        };
        let before = audit();
        run(async {
            let town = login(&app, "town_admin").await;
            let m = f.member_a.to_string();
            let cases = [
                (
                    format!("/grid-households/{}", ha[1]),
                    vec![("categories", "富裕户")],
                    "富裕户",
                ),
                (
                    format!("/grids/{ga}/staff"),
                    vec![("role", "村长"), ("name", "张三")],
                    "请选择网格长或网格员",
                ),
                (
                    format!("/orgs/{}/grids", f.branch_a.id),
                    vec![("name", "甲村第一网格")],
                    "已有网格",
                ),
                (
                    format!("/orgs/{}/grids", f.town_a.id),
                    vec![("name", "镇网格")],
                    "不是村（社区）级组织",
                ),
            ];
            for (url, fields, needle) in cases {
                let r = town.post_form(&app, &url, &fields).await;
                assert!(r.status.is_client_error(), "{} {url}: {}", s.name, r.status);
                assert!(
                    r.body.contains(needle),
                    "{} {url}: {needle} not in {}",
                    s.name,
                    r.body
                );
            }
            // Beyond the bound: the member and the bound are named.
            let r = town
                .post_form(
                    &app,
                    &format!("/grid-households/{}", ha[0]),
                    &[("member_id", m.as_str())],
                )
                .await;
            assert_eq!(r.status, StatusCode::CONFLICT, "{}: {}", s.name, r.body);
            assert!(
                r.body.contains("甲党员已联系1户，党员联户上限为1户"),
                "{}",
                r.body
            );
        });
        assert_eq!(audit(), before, "{}: nothing written", s.name);
    }
}

#[test]
fn grid_routes_outside_the_scope_answer_like_missing_ones() {
    for s in backends() {
        let f = fixture(&s);
        let (_, hb, _, gb) = villages(&s, &f);
        let app = app(&s);
        let audit = || {
            sync(|| {
                s.read(|c| c.scalar("SELECT COUNT(*) FROM audit_log", &[]))
                    .unwrap()
            })
        };
        let before = audit();
        run(async {
            let town = login(&app, "town_admin").await;
            for (outside, missing) in [
                (format!("/grids/{gb}"), "/grids/999999".to_string()),
                (
                    format!("/orgs/{}/grids", f.branch_b.id),
                    "/orgs/999999/grids".into(),
                ),
            ] {
                let r = town.get(&app, &outside).await;
                let m = town.get(&app, &missing).await;
                assert_eq!(
                    (r.status, m.status),
                    (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND),
                    "{} {outside}",
                    s.name
                );
            }
            let h = hb[0].to_string();
            type Route = (String, String, Vec<(&'static str, String)>);
            let routes: Vec<Route> = vec![
                (
                    format!("/grids/{gb}/staff"),
                    "/grids/999999/staff".into(),
                    vec![("role", "网格员".into()), ("name", "张三".into())],
                ),
                (
                    format!("/grids/{gb}/place"),
                    "/grids/999999/place".into(),
                    vec![("household_id", h.clone())],
                ),
                (
                    format!("/grid-households/{h}"),
                    "/grid-households/999999".into(),
                    vec![("categories", "独居老人".into())],
                ),
                (
                    format!("/orgs/{}/grids", f.branch_b.id),
                    "/orgs/999999/grids".into(),
                    vec![("name", "越界网格".into())],
                ),
            ];
            for (outside, missing, fields) in &routes {
                let fields: Vec<(&str, &str)> =
                    fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
                let r = town.post_form(&app, outside, &fields).await;
                let m = town.post_form(&app, missing, &fields).await;
                assert_eq!(
                    (r.status, m.status),
                    (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND),
                    "{} POST {outside}: {}",
                    s.name,
                    r.body
                );
                assert_eq!(
                    r.body, m.body,
                    "{} POST {outside}: differs from a missing id's",
                    s.name
                );
            }
            // A member has no grid pages; the county edits the categories, a town may not.
            let member = login(&app, "member").await;
            let r = member
                .get(&app, &format!("/orgs/{}/grids", f.branch_a.id))
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", s.name);
            let r = town
                .post_form(&app, "/grids/categories", &[("categories", "脱贫户")])
                .await;
            assert_eq!(r.status, StatusCode::FORBIDDEN, "{}", s.name);
        });
        assert_eq!(audit(), before, "{}: nothing written", s.name);
    }
}

fn sheet(rows: &[[&str; 5]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (i, h) in [
        "所属村（社区）党组织",
        "户主姓名",
        "家庭住址",
        "姓名",
        "所属网格",
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
fn the_household_import_places_households_by_the_optional_grid_column_all_or_nothing() {
    for s in backends() {
        let f = fixture(&s);
        let (_, _, ga, _) = villages(&s, &f);
        let app = app(&s);
        let count = |sql: &'static str| sync(|| s.read(|c| c.scalar(sql, &[])).unwrap());
        let households_before = count("SELECT COUNT(*) FROM households");
        run(async {
            let secretary = login(&app, "branch_secretary").await;
            let import = format!("/orgs/{}/households/import", f.branch_a.id);
            let bad = sheet(&[
                ["甲村党支部", "赵大", "三组1号", "赵大", "甲村第一网格"],
                ["甲村党支部", "钱二", "三组2号", "钱二", "第九网格"],
            ]);
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
                r.body.contains("<td>3</td><td>所属网格</td>")
                    && r.body.contains("没有名为“第九网格”的网格"),
                "{}",
                r.body
            );
            assert_eq!(
                count("SELECT COUNT(*) FROM households"),
                households_before,
                "{}: nothing imported",
                s.name
            );
            let good = sheet(&[
                ["甲村党支部", "赵大", "三组1号", "赵大", "甲村第一网格"],
                ["甲村党支部", "钱二", "三组2号", "钱二", ""],
            ]);
            let r = secretary
                .post_file(&app, &import, "file", "群众.xlsx", &good)
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}: {}", s.name, r.body);
        });
        let placed: i64 = s
            .read(|c| {
                c.scalar(
                    "SELECT COUNT(*) FROM households WHERE grid_id = ?",
                    xianfeng_store::vals![ga],
                )
            })
            .unwrap();
        assert_eq!(placed, 1, "{}: 赵大 placed, 钱二 left unplaced", s.name);
        let cov = s
            .read(|c| xianfeng_store::grids::coverage::of(c, f.town_a.id))
            .unwrap();
        assert_eq!(cov.placed, 1, "{}", s.name);
    }
}

#[test]
fn a_member_sees_their_households_due_and_records_visits_only_to_them() {
    for s in backends() {
        let f = fixture(&s);
        let (ha, hb, ga, _) = villages(&s, &f);
        let a = admin(&f.county);
        s.write(|c| -> xianfeng_store::Result<()> {
            use xianfeng_store::grids::links;
            links::place(c, &a, ha[0], Some(ga))?;
            links::set_categories(c, &a, ha[0], "独居老人")?;
            links::link(c, &a, ha[0], f.member_a)
        })
        .unwrap();
        let app = app(&s);
        let today = xianfeng_domain::date::today().to_string();
        let visits = || {
            sync(|| {
                s.read(|c| c.scalar("SELECT COUNT(*) FROM household_visits", &[]))
                    .unwrap()
            })
        };
        run(async {
            let member = login(&app, "member").await;
            let r = member.get(&app, "/my/households").await;
            assert_eq!(r.status, StatusCode::OK, "{}: {}", s.name, r.body);
            assert!(
                r.body.contains("户主1") && r.body.contains("独居老人"),
                "{}",
                r.body
            );
            let fields = [
                ("visited_on", today.as_str()),
                ("found", "身体尚好"),
                ("needs", "冬季取暖"),
                ("help", "送取暖器"),
            ];
            let r = member
                .post_form(&app, &format!("/grid-households/{}/visits", ha[0]), &fields)
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}: {}", s.name, r.body);
            assert!(r.location.starts_with("/my/households"), "{}", r.location);
            assert_eq!(visits(), 1, "{}", s.name);
            // Not linked, out of scope, missing: all the same 404, nothing written.
            for h in [ha[1], hb[0], 999_999] {
                let r = member
                    .post_form(&app, &format!("/grid-households/{h}/visits"), &fields)
                    .await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{} household {h}", s.name);
            }
            let town = login(&app, "town_admin").await;
            let r = town
                .post_form(
                    &app,
                    &format!("/grid-households/{}/visits", hb[0]),
                    &[
                        ("visitor", "张三"),
                        ("visited_on", today.as_str()),
                        ("found", "好"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", s.name);
            let r = town
                .post_form(
                    &app,
                    &format!("/grid-households/{}/visits", ha[0]),
                    &[
                        ("visitor", "张三"),
                        ("visited_on", "2999-01-01"),
                        ("found", "好"),
                    ],
                )
                .await;
            assert_eq!(
                r.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{}: {}",
                s.name,
                r.body
            );
            assert!(r.body.contains("不能晚于今天"), "{}", r.body);
            assert_eq!(visits(), 1, "{}: refusals write nothing", s.name);
            let overview = town
                .get(&app, &format!("/orgs/{}/grids", f.branch_a.id))
                .await;
            assert!(overview.body.contains("党员走访"), "{}", overview.body);
        });
    }
}

#[test]
fn the_post_register_page_enters_a_post_and_refuses_outside_the_scope() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        let today = xianfeng_domain::date::today().to_string();
        run(async {
            let town = login(&app, "town_admin").await;
            let m = f.member_a.to_string();
            let fields = [
                ("kind", "党员先锋岗"),
                ("name", "便民服务岗"),
                ("member_id", m.as_str()),
                ("duties", "为群众代办事项"),
                ("place", "村党群服务中心"),
                ("starts_on", today.as_str()),
            ];
            let url = format!("/orgs/{}/posts", f.branch_a.id);
            let r = town.post_form(&app, &url, &fields).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}: {}", s.name, r.body);
            let page = town.get(&app, &url).await;
            assert!(page.body.contains("便民服务岗"), "{}", page.body);
            // 甲党员二 has no 职务 and no post yet.
            assert!(page.body.contains("甲党员二"), "{}", page.body);
            let r = town
                .post_form(
                    &app,
                    &url,
                    &[
                        ("kind", "党员责任区"),
                        ("name", "一组"),
                        ("duties", "卫生"),
                        ("starts_on", today.as_str()),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            assert!(r.body.contains("党员责任区须明确一名党员"), "{}", r.body);
            let outside = town
                .post_form(&app, &format!("/orgs/{}/posts", f.branch_b.id), &fields)
                .await;
            let missing = town.post_form(&app, "/orgs/999999/posts", &fields).await;
            assert_eq!(
                (outside.status, missing.status),
                (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND),
                "{}",
                s.name
            );
            assert_eq!(outside.body, missing.body, "{}", s.name);
        });
        let n: i64 = s
            .read(|c| c.scalar("SELECT COUNT(*) FROM pioneer_posts", &[]))
            .unwrap();
        assert_eq!(n, 1, "{}: only the good form wrote", s.name);
    }
}
