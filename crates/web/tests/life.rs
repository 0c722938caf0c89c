//! 组织生活 through the web: recording a meeting turns the branch green; bad input (a meeting in
//! the future marked held, attendance for a non-member, a photo that is not an image, a forged,
//! expired or repeated check-in, a town loosening a county rule) is refused and writes nothing;
//! nobody sees another subtree's records.

mod common;

use axum::http::StatusCode;
use common::{app, fixture, login, run, sync, Fixture};
use xianfeng_domain::{checkin, date};
use xianfeng_store::testing::{backends, TestStore};

fn meetings(s: &TestStore) -> i64 {
    sync(|| {
        s.read(|c| c.scalar("SELECT COUNT(*) FROM meetings", &[]))
            .unwrap()
    })
}

fn themed_day<'a>(f: &Fixture, day: &'a str, held: &'a str) -> Vec<(String, String)> {
    vec![
        ("kind".into(), "主题党日".into()),
        ("date".into(), day.into()),
        ("held".into(), held.into()),
        ("topic".into(), "重温入党誓词".into()),
        ("place".into(), "村党群服务中心".into()),
        ("host".into(), "支部书记".into()),
        (format!("a{}", f.member_a), "出席".into()),
        (format!("a{}", f.member_a2), "请假".into()),
        (format!("r{}", f.member_a2), "外出务工".into()),
    ]
}

fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

#[test]
fn secretary_records_a_themed_day_and_the_branch_turns_green() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        run(async {
            let c = login(&app, "branch_secretary").await;
            let page = c.get(&app, &format!("/orgs/{}/life", f.branch_a.id)).await;
            assert_eq!(page.status, StatusCode::OK, "{}", s.name);
            let today = date::today().to_string();
            let form = themed_day(&f, &today, "1");
            let r = c
                .post_form(
                    &app,
                    &format!("/orgs/{}/meetings/new", f.branch_a.id),
                    &pairs(&form),
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}: {}", s.name, r.body);
            let page = c.get(&app, &format!("/orgs/{}/life", f.branch_a.id)).await;
            let themed = page
                .body
                .split("data-activity=\"主题党日\"")
                .nth(1)
                .unwrap();
            assert!(
                themed[..300].contains("data-status=\"green\""),
                "{}",
                s.name
            );
            let town = login(&app, "town_admin").await;
            let heat = town
                .get(&app, &format!("/orgs/{}/heatmap", f.town_a.id))
                .await;
            assert!(
                heat.body.contains("甲村党支部") && heat.body.contains("cell green"),
                "{}",
                s.name
            );
            let member = c.get(&app, &format!("/members/{}", f.member_a2)).await;
            assert!(member.body.contains("请假1次"), "{}", s.name);
        });
    }
}

#[test]
fn bad_meetings_are_refused_with_the_field_named_and_nothing_written() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        run(async {
            let c = login(&app, "branch_secretary").await;
            let uri = format!("/orgs/{}/meetings/new", f.branch_a.id);
            let future = (date::today() + chrono::Duration::days(5)).to_string();
            let r = c
                .post_form(&app, &uri, &pairs(&themed_day(&f, &future, "1")))
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            assert!(r.body.contains("不能登记为已召开"), "{}", s.name);
            let mut outsider = themed_day(&f, &date::today().to_string(), "1");
            outsider.push((format!("a{}", f.member_b), "出席".into()));
            let r = c.post_form(&app, &uri, &pairs(&outsider)).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            assert!(r.body.contains("不是本组织在册党员"), "{}", s.name);
            let mut no_reason = themed_day(&f, &date::today().to_string(), "1");
            no_reason.retain(|(k, _)| !k.starts_with('r'));
            let r = c.post_form(&app, &uri, &pairs(&no_reason)).await;
            assert!(r.body.contains("请假须填写事由"), "{}", s.name);
        });
        assert_eq!(meetings(&s), 0, "{}", s.name);
    }
}

#[test]
fn qr_check_in_marks_present_once_and_refuses_forged_or_expired_codes() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        let key = s.vault.derive_key("checkin");
        run(async {
            let sec = login(&app, "branch_secretary").await;
            let today = date::today().to_string();
            let mut form = themed_day(&f, &today, "");
            form.retain(|(k, _)| !k.starts_with('a') && !k.starts_with('r'));
            let r = sec
                .post_form(
                    &app,
                    &format!("/orgs/{}/meetings/new", f.branch_a.id),
                    &pairs(&form),
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let id: i64 = r.location.rsplit('/').next().unwrap().parse().unwrap();
            let qr = sec.get(&app, &format!("/meetings/{id}/qr.svg")).await;
            assert!(
                qr.body.starts_with("<?xml") && qr.body.contains("<svg"),
                "{}",
                s.name
            );
            let member = login(&app, "member").await;
            let exp = date::now().timestamp() + 3600;
            let token = checkin::sign(&key, id, exp);
            let page = member.get(&app, &format!("/checkin?t={token}")).await;
            assert!(page.body.contains("确认签到"), "{}", s.name);
            let ok = member.post_form(&app, "/checkin", &[("t", &token)]).await;
            assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);
            assert!(ok.body.contains("签到成功"));
            let again = member.post_form(&app, "/checkin", &[("t", &token)]).await;
            assert_eq!(
                again.status,
                StatusCode::OK,
                "a second check-in is a notice"
            );
            assert!(again.body.contains("您已签到"), "{}", again.body);
            let page = member.get(&app, &format!("/checkin?t={token}")).await;
            assert!(page.body.contains("您已签到") && !page.body.contains("确认签到"));
            let forged = checkin::sign(&[1; 32], id, exp);
            let r = member.post_form(&app, "/checkin", &[("t", &forged)]).await;
            assert!(r.body.contains("签名不符"), "{}", s.name);
            let expired = checkin::sign(&key, id, date::now().timestamp() - 10);
            let r = member.post_form(&app, "/checkin", &[("t", &expired)]).await;
            assert!(r.body.contains("已过期"), "{}", s.name);
            let shown = sec.get(&app, &format!("/meetings/{id}")).await;
            assert!(shown.body.contains("扫码"), "{}", s.name);
        });
        let present = sync(|| {
            s.read(|c| {
                c.scalar(
                    "SELECT COUNT(*) FROM attendance WHERE presence = '出席'",
                    &[],
                )
            })
            .unwrap()
        });
        assert_eq!(present, 1, "{}", s.name);
    }
}

#[test]
fn photos_must_be_images() {
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
                    &pairs(&themed_day(&f, &today, "1")),
                )
                .await;
            let id: i64 = r.location.rsplit('/').next().unwrap().parse().unwrap();
            let bad = sec
                .post_file(
                    &app,
                    &format!("/meetings/{id}/photos"),
                    "photo",
                    "现场.jpg",
                    b"%PDF-1.7 fake",
                )
                .await;
            assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", s.name);
            assert!(bad.body.contains("不是图片"), "{}", s.name);
            let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
            let ok = sec
                .post_file(
                    &app,
                    &format!("/meetings/{id}/photos"),
                    "photo",
                    "现场.png",
                    png,
                )
                .await;
            assert_eq!(ok.status, StatusCode::SEE_OTHER, "{}", ok.body);
        });
        let files = sync(|| {
            s.read(|c| c.scalar("SELECT COUNT(*) FROM files", &[]))
                .unwrap()
        });
        assert_eq!(files, 1, "{}", s.name);
    }
}

#[test]
fn life_records_stay_inside_the_callers_subtree() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        run(async {
            let county = login(&app, "county_admin").await;
            let today = date::today().to_string();
            let form = vec![
                ("kind", "主题党日"),
                ("date", today.as_str()),
                ("held", "1"),
                ("topic", "乙村主题党日"),
                ("place", "活动室"),
                ("host", "书记"),
            ];
            let r = county
                .post_form(
                    &app,
                    &format!("/orgs/{}/meetings/new", f.branch_b.id),
                    &form,
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let other = r.location.clone();
            let town = login(&app, "town_admin").await;
            assert_eq!(
                town.get(&app, &format!("/orgs/{}/life", f.town_b.id))
                    .await
                    .status,
                StatusCode::NOT_FOUND
            );
            assert_eq!(town.get(&app, &other).await.status, StatusCode::NOT_FOUND);
            let sec = login(&app, "branch_secretary").await;
            assert_eq!(sec.get(&app, &other).await.status, StatusCode::NOT_FOUND);
            let r = sec
                .post_form(
                    &app,
                    &format!("/orgs/{}/meetings/new", f.branch_b.id),
                    &form,
                )
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND);
            assert_eq!(
                sec.get(&app, &format!("/orgs/{}/contacts", f.town_a.id))
                    .await
                    .status,
                StatusCode::NOT_FOUND
            );
            let member = login(&app, "member").await;
            assert_eq!(
                member
                    .get(&app, &format!("/orgs/{}/life", f.branch_a.id))
                    .await
                    .status,
                StatusCode::FORBIDDEN
            );
            assert_eq!(
                town.get(&app, "/settings/cadence").await.status,
                StatusCode::FORBIDDEN
            );
        });
        assert_eq!(meetings(&s), 1, "{}", s.name);
    }
}

#[test]
fn town_can_tighten_but_not_loosen_the_county_cadence() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        run(async {
            let town = login(&app, "town_admin").await;
            let page = town
                .get(&app, &format!("/orgs/{}/cadence", f.town_a.id))
                .await;
            assert_eq!(page.status, StatusCode::OK);
            // Nine rules: index 4 is 主题党日, index 7 the towns' 督查, index 8 领导点评.
            let mut form: Vec<(String, String)> = (0..9)
                .flat_map(|i| {
                    [
                        (format!("min{i}"), "1".to_string()),
                        (format!("warn{i}"), "30".to_string()),
                    ]
                })
                .collect();
            for (k, v) in form.iter_mut() {
                if k.starts_with("warn") {
                    *v = match k.as_str() {
                        "warn0" | "warn3" | "warn8" => "15".into(),
                        "warn1" | "warn2" | "warn4" | "warn7" => "7".into(),
                        _ => "30".into(),
                    };
                }
            }
            form.iter_mut().find(|(k, _)| k == "min4").unwrap().1 = "0".into();
            let r = town
                .post_form(
                    &app,
                    &format!("/orgs/{}/cadence", f.town_a.id),
                    &pairs(&form),
                )
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            assert!(r.body.contains("不能少于县级要求"), "{}", s.name);
            form.iter_mut().find(|(k, _)| k == "min4").unwrap().1 = "2".into();
            let r = town
                .post_form(
                    &app,
                    &format!("/orgs/{}/cadence", f.town_a.id),
                    &pairs(&form),
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let page = town
                .get(&app, &format!("/orgs/{}/life", f.branch_a.id))
                .await;
            assert!(page.body.contains("每月至少2次"), "{}", s.name);
        });
    }
}

#[test]
fn compliance_api_reports_colours_and_stays_in_scope() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        run(async {
            let sec = login(&app, "branch_secretary").await;
            let today = date::today().to_string();
            sec.post_form(
                &app,
                &format!("/orgs/{}/meetings/new", f.branch_a.id),
                &pairs(&themed_day(&f, &today, "1")),
            )
            .await;
            let r = sec
                .get(&app, &format!("/api/v1/orgs/{}/compliance", f.branch_a.id))
                .await;
            assert_eq!(r.status, StatusCode::OK, "{}", r.body);
            let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
            let themed = v["own"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["activity"] == "主题党日")
                .unwrap();
            assert_eq!(themed["colour"], "green", "{}", s.name);
            let county = login(&app, "county_admin").await;
            let r = county
                .get(&app, &format!("/api/v1/orgs/{}/compliance", f.county.id))
                .await;
            let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
            let themed = v["subtree"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["activity"] == "主题党日")
                .unwrap();
            assert_eq!(
                (themed["organisations"].as_i64(), themed["done"].as_i64()),
                (Some(2), Some(1)),
                "{}",
                s.name
            );
            let r = sec
                .get(&app, &format!("/api/v1/orgs/{}/compliance", f.branch_b.id))
                .await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", s.name);
        });
    }
}
