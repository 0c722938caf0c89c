//! 评议表彰 through the web on both backends: an award kind with quotas, a nomination climbing
//! the levels (over quota and wrong level refused with nothing written), public notice with an
//! objection; an evaluation round rated through a one-time code, hidden until close, then
//! explained; commitments, leader reviews and stars.

mod common;

use axum::http::StatusCode;
use common::{app, fixture, login, run, sync, Client};
use xianfeng_store::testing::{backends, TestStore};

fn count(s: &TestStore, sql: &str) -> i64 {
    sync(|| s.read(|c| c.scalar(sql, &[])).unwrap())
}

fn id_after(location: &str, prefix: &str) -> i64 {
    location
        .strip_prefix(prefix)
        .and_then(|r| r.split(['?', '/']).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no id in {location}"))
}

#[test]
fn a_nomination_climbs_to_public_notice_and_takes_an_objection() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        let county = run(login(&app, "county_admin"));
        let town = run(login(&app, "town_admin"));
        let sec = run(login(&app, "branch_secretary"));
        let kinds = format!("/orgs/{}/awards/kinds", f.county.id);
        let kind = |quota: &'static str| {
            vec![
                ("name", "优秀共产党员"),
                ("subject", "党员"),
                ("year", "2026"),
                ("branch_quota", "1"),
                ("town_quota", quota),
                ("county_quota", ""),
                ("notice_days", "7"),
            ]
        };
        let bad = run(county.post_form(&app, &kinds, &kind("-1")));
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
        assert!(bad.body.contains("每个乡镇推荐名额"), "{}", bad.body);
        assert_eq!(count(&s, "SELECT COUNT(*) FROM award_kinds"), 0);
        let ok = run(county.post_form(&app, &kinds, &kind("3")));
        assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        let kind_id = count(&s, "SELECT MAX(id) FROM award_kinds").to_string();
        // a town cannot set a kind in the county's name
        let foreign = run(town.post_form(&app, &kinds, &kind("3")));
        assert_ne!(foreign.status, StatusCode::SEE_OTHER);

        let nominate = format!("/orgs/{}/awards/nominate", f.branch_a.id);
        let summary = "带领群众发展特色种植，带动20户增收，群众评价高。";
        let first = run(sec.post_form(
            &app,
            &nominate,
            &[
                ("kind", &kind_id),
                ("member", &f.member_a.to_string()),
                ("summary", summary),
            ],
        ));
        assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
        let over = run(sec.post_form(
            &app,
            &nominate,
            &[
                ("kind", &kind_id),
                ("member", &f.member_a2.to_string()),
                ("summary", summary),
            ],
        ));
        assert_eq!(over.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(over.body.contains("超出名额"), "{}", over.body);
        assert_eq!(count(&s, "SELECT COUNT(*) FROM workflow_instances"), 1);
        let id = count(&s, "SELECT MAX(id) FROM workflow_instances");
        let act = |c: &Client, action: &str, comment: &str| {
            run(c.post_form(
                &app,
                &format!("/nominations/{id}/act"),
                &[("action", action), ("comment", comment)],
            ))
        };
        // the town cannot take the branch's step: refused, history unchanged
        let history = count(&s, "SELECT COUNT(*) FROM workflow_history");
        let wrong = act(&town, "同意", "");
        assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(wrong.body.contains("支部推荐"), "{}", wrong.body);
        assert_eq!(count(&s, "SELECT COUNT(*) FROM workflow_history"), history);
        assert_eq!(
            act(&sec, "同意", "支委会研究同意").status,
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            act(&town, "同意", "镇党委研究同意").status,
            StatusCode::SEE_OTHER
        );
        let page = run(county.get(&app, &format!("/nominations/{id}")));
        assert!(
            page.body.contains("待县委审定") && page.body.contains("镇党委研究同意"),
            "{}",
            page.body
        );
        assert_eq!(act(&county, "同意", "").status, StatusCode::SEE_OTHER);

        // public notice: no sign-in; an objection moves it to 异议处理中
        let public = Client {
            cookie: String::new(),
            csrf: String::new(),
        };
        let notice = run(public.get(&app, &format!("/notice/{}", f.town_a.id)));
        assert_eq!(notice.status, StatusCode::OK);
        assert!(
            notice.body.contains("甲党员") && notice.body.contains("公示期"),
            "{}",
            notice.body
        );
        let empty = run(public.post_form(
            &app,
            &format!("/notice/{}/object", f.town_a.id),
            &[
                ("instance", &id.to_string()),
                ("name", ""),
                ("content", "反映问题"),
            ],
        ));
        assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
        let filed = run(public.post_form(
            &app,
            &format!("/notice/{}/object", f.town_a.id),
            &[
                ("instance", &id.to_string()),
                ("name", "张三"),
                ("content", "该同志有违规操办酒席的情况"),
            ],
        ));
        assert_eq!(filed.status, StatusCode::SEE_OTHER, "{}", filed.body);
        let objection = count(&s, "SELECT MAX(id) FROM workflow_objections");
        let page = run(county.get(&app, &format!("/nominations/{id}")));
        assert!(page.body.contains("异议处理中") && page.body.contains("违规操办酒席"));
        let resolved = run(county.post_form(
            &app,
            &format!("/nominations/{id}/objections/{objection}"),
            &[("decision", "dismiss"), ("resolution", "经核查不属实")],
        ));
        assert_eq!(resolved.status, StatusCode::SEE_OTHER);
        let page = run(town.get(&app, &format!("/orgs/{}/awards", f.town_a.id)));
        assert!(page.body.contains("公示中"), "{}", page.body);
        // members do not run awards
        let member = run(login(&app, "member"));
        assert_eq!(
            run(member.get(&app, &format!("/nominations/{id}"))).status,
            StatusCode::FORBIDDEN
        );
        assert!(
            count(
                &s,
                "SELECT COUNT(*) FROM audit_log WHERE action = 'workflow.transition'"
            ) >= 5
        );
    }
}

#[test]
fn a_round_is_rated_by_code_hidden_until_close_and_explained() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        let sec = run(login(&app, "branch_secretary"));
        let town = run(login(&app, "town_admin"));
        let rounds = format!("/orgs/{}/evaluations", f.branch_a.id);
        let past = run(sec.post_form(
            &app,
            &rounds,
            &[
                ("name", "2026年度民主评议党员"),
                ("scheme", "民主评议党员（五带头）"),
                ("closes_on", "2020-01-01"),
            ],
        ));
        assert_eq!(past.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(past.body.contains("截止日期"));
        let today = xianfeng_domain::date::today().to_string();
        let opened = run(sec.post_form(
            &app,
            &rounds,
            &[
                ("name", "2026年度民主评议党员"),
                ("scheme", "民主评议党员（五带头）"),
                ("closes_on", &today),
            ],
        ));
        assert_eq!(opened.status, StatusCode::SEE_OTHER, "{}", opened.body);
        let id = id_after(&opened.location, "/evaluations/");
        let sheet = run(sec.get(&app, &format!("/evaluations/{id}/codes")));
        assert!(sheet.body.contains("qr.svg"));
        let code = sync(|| {
            s.read(|c| {
                c.query_one(
                    "SELECT code FROM evaluation_codes WHERE round_id = ? ORDER BY id LIMIT 1",
                    &[id.into()],
                )
            })
            .unwrap()
            .text(0)
            .unwrap()
        });
        let public = Client {
            cookie: String::new(),
            csrf: String::new(),
        };
        let form = run(public.get(&app, &format!("/r/{code}")));
        assert!(
            form.body.contains("甲党员二") && form.body.contains("基本满意"),
            "{}",
            form.body
        );
        let qr = run(public.get(&app, &format!("/r/{code}/qr.svg")));
        assert!(qr.body.contains("<svg"));
        let vote = [
            (format!("s{}", f.member_a), "满意"),
            (format!("s{}", f.member_a2), "不满意"),
        ];
        let fields: Vec<(&str, &str)> = vote.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        let done = run(public.post_form(&app, &format!("/r/{code}"), &fields));
        assert_eq!(done.status, StatusCode::OK);
        assert!(done.body.contains("感谢您参与评议"));
        let again = run(public.post_form(&app, &format!("/r/{code}"), &fields));
        assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(again.body.contains("已使用过"));
        // the organisation scores; out of scale is refused naming the criterion
        let subject = f.member_a.to_string();
        let mut scores = vec![("subject", subject.as_str())];
        let names = ["score_0", "score_1", "score_2", "score_3", "score_4"];
        scores.extend(names.iter().map(|n| (*n, "18")));
        scores[2].1 = "25";
        let bad = run(town.post_form(&app, &format!("/evaluations/{id}/score"), &scores));
        assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(bad.body.contains("带头争创佳绩"), "{}", bad.body);
        scores[2].1 = "19";
        assert_eq!(
            run(town.post_form(&app, &format!("/evaluations/{id}/score"), &scores)).status,
            StatusCode::SEE_OTHER
        );
        // nothing of the results while open
        let open = run(sec.get(&app, &format!("/evaluations/{id}")));
        assert!(open.body.contains("评议进行中") && !open.body.contains("综合得分"));
        assert_eq!(
            run(sec.get(&app, &format!("/evaluations/{id}/results/{}", f.member_a))).status,
            StatusCode::CONFLICT
        );
        let county = run(login(&app, "county_admin"));
        let audit = run(county.get(&app, "/audit"));
        assert!(audit.body.contains("evaluation.open") && !audit.body.contains("evaluation.score"));
        let closed = run(sec.post_form(&app, &format!("/evaluations/{id}/close"), &[]));
        assert_eq!(closed.status, StatusCode::SEE_OTHER);
        assert!(run(county.get(&app, "/audit"))
            .body
            .contains("evaluation.score"));
        let results = run(sec.get(&app, &format!("/evaluations/{id}")));
        assert!(results.body.contains("综合得分") && results.body.contains("得分构成"));
        let why = run(sec.get(&app, &format!("/evaluations/{id}/results/{}", f.member_a)));
        assert_eq!(why.status, StatusCode::OK);
        // the first code is member A's own (自评 100 × 20) and the town's 91 × 20, over the
        // 40 present; two rated, so no 优秀 place: the cap is explained
        assert!(
            why.body.contains("50.00%") && why.body.contains("95.50"),
            "{}",
            why.body
        );
        assert!(why.body.contains("位于优秀名额之外"));
        assert_eq!(count(&s, "SELECT COUNT(*) FROM evaluation_results"), 2);
    }
}

#[test]
fn commitments_leader_reviews_and_stars_through_the_pages() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        let sec = run(login(&app, "branch_secretary"));
        let member = run(login(&app, "member"));
        let town = run(login(&app, "town_admin"));
        let year = chrono::Datelike::year(&xianfeng_domain::date::today()).to_string();
        let list = format!("/orgs/{}/commitments", f.branch_a.id);
        let due = format!("{year}-12-31");
        let own = run(member.post_form(
            &app,
            &list,
            &[
                ("member", &f.member_a.to_string()),
                ("category", "服务群众"),
                ("content", "结对联系3户困难群众"),
                ("due", &due),
            ],
        ));
        assert_eq!(own.status, StatusCode::SEE_OTHER, "{}", own.body);
        let others = run(member.post_form(
            &app,
            &list,
            &[
                ("member", &f.member_a2.to_string()),
                ("content", "结对联系3户困难群众"),
                ("due", &due),
            ],
        ));
        assert_eq!(others.status, StatusCode::UNPROCESSABLE_ENTITY);
        let k = count(&s, "SELECT MAX(id) FROM commitments");
        let page = run(sec.get(&app, &list));
        assert!(page.body.contains("承诺不足 2 项的党员"), "{}", page.body);
        let approve = run(sec.post_form(
            &app,
            &format!("/commitments/{k}/step"),
            &[("step", "审核通过")],
        ));
        assert_eq!(approve.status, StatusCode::SEE_OTHER);
        // the branch's own commitment, approved with every other draft at once
        let branch_own = run(sec.post_form(
            &app,
            &list,
            &[
                ("member", ""),
                ("category", "乡风文明"),
                ("content", "全年开展移风易俗宣传4次"),
                ("due", &due),
            ],
        ));
        assert_eq!(
            branch_own.status,
            StatusCode::SEE_OTHER,
            "{}",
            branch_own.body
        );
        let all = run(sec.post_form(&app, &format!("{list}/approve"), &[("year", &year)]));
        assert!(
            all.location.contains(&common::enc("已审核通过 1 项")),
            "{}",
            all.location
        );
        let published = run(sec.get(
            &app,
            &format!("{list}?year={year}&stage={}", common::enc("已公示")),
        ));
        assert!(
            published.body.contains("全年开展移风易俗宣传4次"),
            "{}",
            published.body
        );
        assert!(!published.body.contains("<td>待审核"));
        let entry = run(member.post_multipart(
            &app,
            &format!("/commitments/{k}/entries"),
            &[
                ("day", &xianfeng_domain::date::today().to_string()),
                ("content", "走访困难户3户，送去米面油"),
            ],
            Some(("photo", "走访.png", b"\x89PNG\r\n\x1a\n\0\0")),
        ));
        assert_eq!(entry.status, StatusCode::SEE_OTHER, "{}", entry.body);
        let half = xianfeng_domain::commitment::half_of(xianfeng_domain::date::today());
        let public = Client {
            cookie: String::new(),
            csrf: String::new(),
        };
        let report = run(public.get(
            &app,
            &format!("/board/{}/commitments?half={half}", f.town_a.id),
        ));
        assert!(
            report.body.contains("结对联系3户困难群众") && report.body.contains("送去米面油"),
            "{}",
            report.body
        );
        let review = run(town.post_form(
            &app,
            &format!("/orgs/{}/leader-reviews", f.branch_a.id),
            &[
                ("reviewer", "镇党委书记 王明"),
                ("day", &xianfeng_domain::date::today().to_string()),
                ("content", "本季度主题党日形式新颖，群众参与度高。"),
            ],
        ));
        assert_eq!(review.status, StatusCode::SEE_OTHER, "{}", review.body);
        let secs_own = run(sec.post_form(
            &app,
            &format!("/orgs/{}/leader-reviews", f.branch_a.id),
            &[
                ("reviewer", "书记"),
                ("day", "2026-01-01"),
                ("content", "自己点评自己，不应允许。"),
            ],
        ));
        assert_eq!(secs_own.status, StatusCode::UNPROCESSABLE_ENTITY);
        let rated = run(sec.post_form(&app, &format!("/orgs/{}/stars/rate", f.branch_a.id), &[]));
        assert_eq!(rated.status, StatusCode::SEE_OTHER, "{}", rated.body);
        let stars = run(town.get(&app, &format!("/orgs/{}/stars", f.town_a.id)));
        assert!(
            stars.body.contains("★") && stars.body.contains("甲村党支部"),
            "{}",
            stars.body
        );
        let history = run(sec.get(&app, &format!("/members/{}/stars", f.member_a)));
        assert!(
            history.body.contains("本月践诺记录 1 条"),
            "{}",
            history.body
        );
        let grant = run(sec.post_form(
            &app,
            &format!("/orgs/{}/stars/grant", f.branch_a.id),
            &[
                ("member", &f.member_a.to_string()),
                ("month", "2026-11"),
                ("item", "义务"),
                ("points", "99"),
            ],
        ));
        assert_eq!(grant.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(grant.body.contains("0–8"));
    }
}

#[test]
fn the_county_configures_schemes_and_rounds_use_them() {
    let s = xianfeng_store::testing::sqlite();
    let f = fixture(&s);
    let app = app(&s);
    let county = run(login(&app, "county_admin"));
    let town = run(login(&app, "town_admin"));
    assert_eq!(
        run(town.get(&app, "/settings/schemes")).status,
        StatusCode::FORBIDDEN
    );
    let page = run(county.get(&app, "/settings/schemes"));
    assert!(
        page.body.contains("带头学习提高 20") && page.body.contains("组织生活 30 组织生活出勤")
    );
    let mut scheme = vec![
        ("name", "村干部述职评议"),
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
        ("tie_breaks", "群众评议"),
    ];
    let bad = run(county.post_form(&app, "/settings/schemes/evaluation", &scheme));
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("现为 110%"), "{}", bad.body);
    scheme[6].1 = "10";
    let ok = run(county.post_form(&app, "/settings/schemes/evaluation", &scheme));
    assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
    let rounds = run(town.get(&app, &format!("/orgs/{}/evaluations", f.branch_a.id)));
    assert!(rounds.body.contains("村干部述职评议"));
    let stars = [
        (
            "items",
            "组织生活 50 组织生活出勤\n承诺践诺 40 承诺践诺记录",
        ),
        ("review_percent", "30"),
        ("m0", "90"),
        ("m1", "80"),
        ("m2", "70"),
        ("m3", "60"),
        ("base", "100"),
        ("per_honour", "5"),
        ("per_overdue_problem", "-5"),
        ("per_missed_obligation", "-2"),
        ("b0", "110"),
        ("b1", "100"),
        ("b2", "90"),
        ("b3", "80"),
    ];
    let short = run(county.post_form(&app, "/settings/schemes/stars", &stars));
    assert_eq!(short.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(short.body.contains("现为 90"), "{}", short.body);
    let mut fixed = stars.to_vec();
    fixed[0].1 = "组织生活 60 组织生活出勤\n承诺践诺 40 承诺践诺记录";
    assert_eq!(
        run(county.post_form(&app, "/settings/schemes/stars", &fixed)).status,
        StatusCode::SEE_OTHER
    );
    let page = run(town.get(&app, &format!("/orgs/{}/stars", f.town_a.id)));
    assert!(page.body.contains("组织生活 60分"), "{}", page.body);
}
