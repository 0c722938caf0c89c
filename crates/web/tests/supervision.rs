//! 督查 through the web: a town records an inspection with a problem; bad input and targets
//! outside the town write nothing; the branch rectifies with evidence, cannot verify itself,
//! and the town closes the item; members are kept out; the county edits the escalation ladder.

mod common;

use axum::http::StatusCode;
use common::{app, fixture, login, run, sync};
use xianfeng_store::testing::{backends, TestStore};

fn count(s: &TestStore, table: &str) -> i64 {
    sync(|| {
        s.read(|c| c.scalar(&format!("SELECT COUNT(*) FROM {table}"), &[]))
            .unwrap()
    })
}

#[test]
fn a_town_inspects_a_branch_and_closes_the_problem_after_rectification() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        let today = xianfeng_domain::date::today();
        let deadline = (today + chrono::Duration::days(10)).to_string();
        let town = run(login(&app, "town_admin"));
        let uri = format!("/orgs/{}/inspections", f.town_a.id);
        // Future date, no inspectors: refused with the fields named, nothing written.
        let bad = run(town.post_form(
            &app,
            &uri,
            &[
                ("target_id", &f.branch_a.id.to_string()),
                ("held_on", "2099-01-01"),
                ("inspectors", ""),
                ("findings", "台账不全"),
            ],
        ));
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
        assert!(bad.body.contains("不能晚于今天") && bad.body.contains("督查人员"));
        // Another town's branch is outside the town.
        let foreign = run(town.post_form(
            &app,
            &uri,
            &[
                ("target_id", &f.branch_b.id.to_string()),
                ("held_on", &today.to_string()),
                ("inspectors", "组织委员"),
                ("findings", "台账不全"),
            ],
        ));
        assert_eq!(foreign.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(foreign.body.contains("本级以下"), "{}", s.name);
        assert_eq!(count(&s, "inspections"), 0, "{}", s.name);
        let ok = run(town.post_form(
            &app,
            &uri,
            &[
                ("target_id", &f.branch_a.id.to_string()),
                ("held_on", &today.to_string()),
                ("inspectors", "组织委员 王强"),
                ("findings", "三会一课记录不全"),
                ("description", "支委会记录缺少两次"),
                ("deadline", &deadline),
            ],
        ));
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let inspection = run(town.get(&app, &ok.location));
        assert!(inspection.body.contains("支委会记录缺少两次"), "{}", s.name);
        let problem: i64 = sync(|| {
            s.read(|c| c.scalar("SELECT id FROM problems", &[]))
                .unwrap()
        });
        let page = run(town.get(&app, &format!("/orgs/{}/supervision", f.town_a.id)));
        assert!(page.body.contains("支委会记录缺少两次"));
        // The branch rectifies: evidence is required, then it waits for verification.
        let secretary = run(login(&app, "branch_secretary"));
        let steps = format!("/problems/{problem}/steps");
        let bare = run(secretary.post_multipart(
            &app,
            &steps,
            &[("action", "提交整改"), ("note", "已补齐记录")],
            None,
        ));
        assert_eq!(bare.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
        assert!(bare.body.contains("整改佐证"));
        let sent = run(secretary.post_multipart(
            &app,
            &steps,
            &[("action", "提交整改"), ("note", "已补齐记录")],
            Some(("evidence", "记录本.png", b"\x89PNG\r\n\x1a\n\0\0")),
        ));
        assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
        assert!(sent.body.contains("待核验") && sent.body.contains("记录本.png"));
        let own = run(secretary.post_multipart(
            &app,
            &steps,
            &[("action", "核验销号"), ("note", "自己核验")],
            None,
        ));
        assert_eq!(own.status, StatusCode::CONFLICT, "{}", s.name);
        assert_eq!(count(&s, "problem_steps"), 1);
        let closed = run(town.post_multipart(
            &app,
            &steps,
            &[("action", "核验销号"), ("note", "核验属实")],
            None,
        ));
        assert_eq!(closed.status, StatusCode::OK, "{}", closed.body);
        assert!(closed.body.contains("已销号"), "{}", s.name);
        // A member does not reach supervision.
        let member = run(login(&app, "member"));
        let denied = run(member.get(&app, &format!("/orgs/{}/supervision", f.branch_a.id)));
        assert_eq!(denied.status, StatusCode::FORBIDDEN, "{}", s.name);
        // The other town does not see the item.
        let county = run(login(&app, "county_admin"));
        let seen = run(county.get(&app, &format!("/problems/{problem}")));
        assert_eq!(seen.status, StatusCode::OK);
    }
}

#[test]
fn the_county_edits_the_escalation_ladder_and_a_falling_one_is_refused() {
    for s in backends() {
        let _f = fixture(&s);
        let app = app(&s);
        let county = run(login(&app, "county_admin"));
        let bad = run(county.post_form(
            &app,
            "/settings/escalation",
            &[
                ("after0", "3"),
                ("action0", "催办提醒"),
                ("by0", "乡镇党委"),
                ("after1", "2"),
                ("action1", "约谈"),
                ("by1", "县委"),
            ],
        ));
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
        assert!(bad.body.contains("逾期天数应比上一级多"));
        let ok = run(county.post_form(
            &app,
            "/settings/escalation",
            &[
                ("after0", "3"),
                ("action0", "催办提醒"),
                ("by0", "乡镇党委"),
                ("after1", "10"),
                ("action1", "约谈"),
                ("by1", "县委"),
            ],
        ));
        assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
        let ladder = sync(|| {
            s.read(xianfeng_store::campaigns::supervision::escalation)
                .unwrap()
        });
        assert_eq!(ladder.len(), 2);
        assert_eq!(ladder[1].after_days, 10, "{}", s.name);
        let town = run(login(&app, "town_admin"));
        let denied = run(town.get(&app, "/settings/escalation"));
        assert_eq!(denied.status, StatusCode::FORBIDDEN);
    }
}

#[test]
fn the_monthly_bulletin_says_the_same_on_the_page_in_word_and_in_excel() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        let today = xianfeng_domain::date::today();
        let town = run(login(&app, "town_admin"));
        let r = run(town.post_form(
            &app,
            &format!("/orgs/{}/inspections", f.town_a.id),
            &[
                ("target_id", &f.branch_a.id.to_string()),
                ("held_on", &today.to_string()),
                ("inspectors", "组织委员"),
                ("findings", "阵地建设滞后"),
                ("description", "党群服务中心未挂牌"),
                ("deadline", &(today + chrono::Duration::days(5)).to_string()),
            ],
        ));
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        let month = today.format("%Y-%m").to_string();
        let county = run(login(&app, "county_admin"));
        let base = format!("/orgs/{}/bulletin", f.county.id);
        let page = run(county.get(&app, &format!("{base}?month={month}")));
        assert_eq!(page.status, StatusCode::OK, "{}", s.name);
        assert!(page.body.contains("党建工作通报") && page.body.contains("党群服务中心未挂牌"));
        assert!(
            page.body.contains("本月共开展督查1次，发现问题1个"),
            "{}",
            page.body
        );
        assert!(page.body.contains("<svg"), "charts are drawn on the server");
        let word = run(county.get(&app, &format!("{base}.docx?month={month}"))).bytes;
        let text = xianfeng_plan::input::docx_text(&word, Default::default()).unwrap();
        assert!(text.contains("党群服务中心未挂牌") && text.contains("本月共开展督查1次"));
        let excel = run(county.get(&app, &format!("{base}.xlsx?month={month}"))).bytes;
        use calamine::{DataType, Reader};
        let mut wb: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(excel)).unwrap();
        let sheet = wb.worksheet_range("未销号问题").unwrap();
        assert!(sheet.rows().any(|r| r
            .iter()
            .any(|c| c.get_string() == Some("党群服务中心未挂牌"))));
        let bad = run(county.get(&app, &format!("{base}?month=2026-13")));
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
        assert!(bad.body.contains("月份"));
        // The other town's bulletin is out of the town's reach.
        let other = run(town.get(&app, &format!("/orgs/{}/bulletin", f.town_b.id)));
        assert_eq!(other.status, StatusCode::NOT_FOUND);
    }
}
