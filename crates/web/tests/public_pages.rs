//! Public pages show only what a public board should (issue 15): every name masked by the one
//! rule (surname and a star by default), lists paged at most 50 to a page, organisations
//! addressed by their unguessable public address (the id form switched off by a setting), and
//! code guessing slowed per address and per code with a 429 page.

mod common;

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, StatusCode};
use common::{app, fixture, login, run, send, sync, Client, Fixture, Resp};
use xianfeng_domain::household::ResidentInput;
use xianfeng_domain::rules::Rules;
use xianfeng_store::people::{households, public_slugs};
use xianfeng_store::testing::{backends, TestStore};
use xianfeng_store::{settings, vals, Conn};

/// Full names of the fixture's people and of the household added here: none may appear on a
/// public page.
const FULL_NAMES: [&str; 6] = ["甲党员", "甲党员二", "乙党员", "王建国", "王建民", "李秀英"];

fn anonymous() -> Client {
    Client {
        cookie: String::new(),
        csrf: String::new(),
    }
}

/// A request from `ip`, as the server sees a connection (`ConnectInfo`, what `client_ip` reads).
fn from(ip: [u8; 4], method: &str, uri: &str) -> Request<Body> {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .extension(ConnectInfo(SocketAddr::from((ip, 40000))));
    if method == "POST" {
        req = req.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    }
    req.body(Body::empty()).unwrap()
}

fn slug(s: &TestStore, org_id: i64) -> String {
    s.read(|c| public_slugs::of(c, org_id)).unwrap()
}

fn half() -> String {
    xianfeng_domain::commitment::half_of(xianfeng_domain::date::today())
}

/// `n` published commitments of `member` (or of the branch) in the branch, this year.
fn commitments(s: &TestStore, f: &Fixture, member: Option<i64>, n: usize) {
    let year = chrono::Datelike::year(&xianfeng_domain::date::today()) as i64;
    s.write(|c| -> xianfeng_store::Result<()> {
        for k in 0..n {
            c.execute(
                "INSERT INTO commitments (org_id, org_path, member_id, year, category, content, due, stage, created_at)
                 VALUES (?, ?, ?, ?, '服务群众', ?, '年底前', '已公示', '2026-01-01T00:00:00+08:00')",
                vals![f.branch_a.id, f.branch_a.path.as_str(), member, year, format!("承诺事项第{k}项")],
            )?;
        }
        Ok(())
    })
    .unwrap();
}

/// A household of three in branch A (王建国 the head, his son 王建民, his wife 李秀英); its
/// card's code.
fn household(s: &TestStore, f: &Fixture) -> String {
    s.write(|c| -> xianfeng_store::Result<String> {
        for (name, relation) in [("王建国", "户主"), ("王建民", "子女"), ("李秀英", "配偶")]
        {
            let d = ResidentInput {
                head_name: "王建国".into(),
                address: "一组1号".into(),
                name: name.into(),
                relation: relation.into(),
                ..ResidentInput::default()
            }
            .validate()
            .unwrap();
            households::add_resident(c, &s.vault, None, &f.branch_a, &d)?;
        }
        c.query_one("SELECT code FROM households", &[])?.text(0)
    })
    .unwrap()
}

fn set_rules(s: &TestStore, change: impl FnOnce(&mut Rules)) {
    s.write(|c| -> xianfeng_store::Result<()> {
        let mut rules = settings::rules(c)?;
        change(&mut rules);
        settings::save_rules(c, &rules)
    })
    .unwrap();
}

fn no_full_name(page: &str, r: &Resp) {
    assert_eq!(r.status, StatusCode::OK, "{page}: {}", r.body);
    for name in FULL_NAMES {
        assert!(
            !r.body.contains(name),
            "{page} shows the full name {name}: {}",
            r.body
        );
    }
}

#[test]
fn anonymous_board_commitments_and_card_pages_show_only_masked_names() {
    for s in backends() {
        let f = fixture(&s);
        let code = household(&s, &f);
        commitments(&s, &f, Some(f.member_a), 1);
        commitments(&s, &f, Some(f.member_a2), 1);
        let app = app(&s);
        run(async {
            // Points for a member and two of the household, recorded by the secretary.
            let county = login(&app, "county_admin").await;
            let r = county
                .post_form(
                    &app,
                    &format!("/orgs/{}/points/rules", f.county.id),
                    &[
                        ("category", "志愿服务"),
                        ("action", "参加志愿服务"),
                        ("points", "10"),
                    ],
                )
                .await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            let (rule, wang, li) = sync(|| {
                s.read(|c| -> xianfeng_store::Result<_> {
                    Ok((
                        c.scalar(
                            "SELECT id FROM point_rules WHERE action = '参加志愿服务'",
                            &[],
                        )?,
                        c.scalar("SELECT id FROM point_accounts WHERE name = '王建国'", &[])?,
                        c.scalar("SELECT id FROM point_accounts WHERE name = '李秀英'", &[])?,
                    ))
                })
            })
            .unwrap();
            let secretary = login(&app, "branch_secretary").await;
            let today = xianfeng_domain::date::today().to_string();
            for person in [
                format!("m{}", f.member_a),
                format!("a{wang}"),
                format!("a{li}"),
            ] {
                let r = secretary
                    .post_multipart(
                        &app,
                        &format!("/orgs/{}/points/record", f.branch_a.id),
                        &[
                            ("person", &person),
                            ("rule", &rule.to_string()),
                            ("day", &today),
                            ("note", "打扫村道"),
                        ],
                        None,
                    )
                    .await;
                assert_eq!(r.status, StatusCode::SEE_OTHER, "{person}: {}", r.body);
            }
            let member_code = sync(|| {
                s.read(|c| {
                    c.query_one(
                        "SELECT code FROM point_accounts WHERE member_id = ?",
                        vals![f.member_a],
                    )?
                    .text(0)
                })
            })
            .unwrap();
            let county_slug = sync(|| slug(&s, f.county.id));
            let public = anonymous();

            let page = format!("/board/{county_slug}?period=year");
            let board = public.get(&app, &page).await;
            no_full_name(&page, &board);
            assert!(board.body.contains("甲*"), "{}", board.body);
            assert!(board.body.contains("王*"), "{}", board.body);
            assert!(board.body.contains("李*"), "{}", board.body);
            assert!(board.body.contains("王*户"), "{}", board.body);

            let page = format!("/board/{county_slug}/commitments?half={}", half());
            let report = public.get(&app, &page).await;
            no_full_name(&page, &report);
            assert_eq!(report.body.matches("<h2>甲* <small>").count(), 2);

            let page = format!("/c/{code}");
            let card = public.get(&app, &page).await;
            no_full_name(&page, &card);
            // The household's people stay told apart for the claim form.
            for shown in ["王*户", "王*（户主）", "王*（子女）", "李*（配偶）"] {
                assert!(card.body.contains(shown), "{shown}: {}", card.body);
            }
            let page = format!("/c/{member_code}");
            let card = public.get(&app, &page).await;
            no_full_name(&page, &card);
            assert!(card.body.contains("<h1>甲* <small>"), "{}", card.body);

            // Signed-in cadres still see full names on their own pages.
            let staff = secretary
                .get(&app, &format!("/orgs/{}/points?period=year", f.branch_a.id))
                .await;
            assert!(staff.body.contains("甲党员"), "{}", staff.body);

            // The county may choose full names: the same single rule, on every public page.
            sync(|| set_rules(&s, |r| r.public_name_mask = 0));
            let report = public
                .get(
                    &app,
                    &format!("/board/{county_slug}/commitments?half={}", half()),
                )
                .await;
            assert!(report.body.contains("甲党员"), "{}", report.body);
            let card = public.get(&app, &format!("/c/{code}")).await;
            assert!(card.body.contains("李秀英"), "{}", card.body);
        });
    }
}

#[test]
fn boards_may_be_cached_for_a_minute_but_cards_never() {
    let s = xianfeng_store::testing::sqlite();
    let f = fixture(&s);
    let code = household(&s, &f);
    let app = app(&s);
    let town = slug(&s, f.town_a.id);
    run(async {
        let public = anonymous();
        for page in [
            format!("/board/{town}"),
            format!("/board/{town}/commitments"),
            format!("/notice/{town}"),
        ] {
            let r = public.get(&app, &page).await;
            assert_eq!(r.status, StatusCode::OK, "{page}");
            assert_eq!(
                r.headers[header::CACHE_CONTROL],
                "public, max-age=60",
                "{page}"
            );
        }
        let card = public.get(&app, &format!("/c/{code}")).await;
        assert_eq!(card.status, StatusCode::OK);
        assert_eq!(card.headers[header::CACHE_CONTROL], "no-store");
        let missing = public.get(&app, "/board/aaaaaaaaaaaaaaaa").await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert_ne!(
            missing
                .headers
                .get(header::CACHE_CONTROL)
                .map(|v| v.as_bytes()),
            Some(&b"public, max-age=60"[..])
        );
    });
}

/// `<section class="card">` opens each commitment of the report.
fn items(r: &Resp) -> usize {
    r.body.matches(r#"<section class="card">"#).count()
}

#[test]
fn public_lists_hold_at_most_fifty_a_page_with_links_between_pages() {
    for s in backends() {
        let f = fixture(&s);
        commitments(&s, &f, None, 60);
        // A page size saved before the cap (or by hand) is still held to 50.
        set_rules(&s, |r| r.public_page_size = 500);
        let app = app(&s);
        let branch = slug(&s, f.branch_a.id);
        run(async {
            let public = anonymous();
            let base = format!("/board/{branch}/commitments?half={}", half());
            let first = public.get(&app, &base).await;
            assert_eq!(first.status, StatusCode::OK, "{}", first.body);
            assert_eq!(items(&first), 50, "{}", s.name);
            assert!(first.body.contains("公开承诺 60 项"), "{}", first.body);
            // The next link keeps the half (`&` is written as an HTML entity).
            let next = first.body.split("rel=\"next\"").next().unwrap_or("");
            assert!(
                next.ends_with("page=2\" ") && next.contains(&format!("?half={}&", half())),
                "{}",
                first.body
            );
            assert!(!first.body.contains("rel=\"prev\""));
            let second = public.get(&app, &format!("{base}&page=2")).await;
            assert_eq!(items(&second), 10, "{}", s.name);
            assert!(second.body.contains("page=1\" rel=\"prev\""));
            assert!(!second.body.contains("rel=\"next\""));
            assert!(second.body.contains("承诺事项第59项"));
            assert!(!second.body.contains("承诺事项第0项（"));
            let beyond = public.get(&app, &format!("{base}&page=99")).await;
            assert_eq!((beyond.status, items(&beyond)), (StatusCode::OK, 0));

            // The county cannot set a page above 50: said beside the field, nothing saved.
            let county = login(&app, "county_admin").await;
            let values: Vec<(&str, String)> = Rules::default()
                .labelled()
                .into_iter()
                .map(|(k, _, v)| {
                    let v = if k == "public_page_size" { 51 } else { v };
                    (k, v.to_string())
                })
                .collect();
            let fields: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = county.post_form(&app, "/settings", &fields).await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            assert!(r.body.contains("须在1到50之间"), "{}", r.body);
            let saved = sync(|| s.read(settings::rules)).unwrap();
            assert_eq!(saved.public_page_size, 500, "nothing saved");
        });
    }
}

#[test]
fn public_pages_answer_at_the_public_address_and_at_the_id_only_while_the_setting_allows() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        let (county_slug, town_slug, branch_slug) = (
            slug(&s, f.county.id),
            slug(&s, f.town_a.id),
            slug(&s, f.branch_a.id),
        );
        assert!(xianfeng_domain::org::is_public_slug(&county_slug));
        run(async {
            let public = anonymous();
            let county = login(&app, "county_admin").await;
            let ok = |r: &Resp, page: &str| assert_eq!(r.status, StatusCode::OK, "{page}");
            // Both forms answer by default (links printed before keep working).
            for page in [
                format!("/board/{county_slug}"),
                format!("/board/{}", f.county.id),
                format!("/notice/{town_slug}"),
            ] {
                ok(&public.get(&app, &page).await, &page);
            }
            // Pages that link to public pages use the public address.
            let board = public.get(&app, &format!("/board/{county_slug}")).await;
            assert!(
                board.body.contains(&format!("/board/{town_slug}?")),
                "{}",
                board.body
            );
            assert!(!board.body.contains(&format!("/board/{}?", f.town_a.id)));
            let points = county
                .get(&app, &format!("/orgs/{}/points", f.county.id))
                .await;
            assert!(points
                .body
                .contains(&format!("href=\"/board/{county_slug}\"")));
            let list = county
                .get(&app, &format!("/orgs/{}/commitments", f.branch_a.id))
                .await;
            assert!(list
                .body
                .contains(&format!("/board/{branch_slug}/commitments")));
            let awards = county
                .get(&app, &format!("/orgs/{}/awards", f.town_a.id))
                .await;
            assert!(awards.body.contains(&format!("/notice/{town_slug}\"")));

            // The county switches the id form off.
            let values: Vec<(&str, String)> = Rules::default()
                .labelled()
                .into_iter()
                .map(|(k, _, v)| {
                    let v = if k == "public_by_id" { 0 } else { v };
                    (k, v.to_string())
                })
                .collect();
            let fields: Vec<(&str, &str)> = values.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let r = county.post_form(&app, "/settings", &fields).await;
            assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
            for page in [
                format!("/board/{}", f.county.id),
                format!("/board/{}/commitments", f.branch_a.id),
                format!("/notice/{}", f.town_a.id),
            ] {
                let r = public.get(&app, &page).await;
                assert_eq!(r.status, StatusCode::NOT_FOUND, "{page}: {}", r.body);
            }
            let object = public
                .post_form(
                    &app,
                    &format!("/notice/{}/object", f.town_a.id),
                    &[
                        ("instance", "1"),
                        ("name", "张三"),
                        ("content", "反映情况说明"),
                    ],
                )
                .await;
            assert_eq!(object.status, StatusCode::NOT_FOUND);
            for page in [
                format!("/board/{county_slug}"),
                format!("/board/{branch_slug}/commitments"),
                format!("/notice/{town_slug}"),
            ] {
                ok(&public.get(&app, &page).await, &page);
            }
            // A dissolved organisation's address answers no more; an unknown one never did.
            sync(|| {
                s.write(|c: &mut dyn Conn| {
                    c.execute(
                        "UPDATE orgs SET dissolved_on = '2026-01-01' WHERE id = ?",
                        vals![f.branch_b.id],
                    )
                })
            })
            .unwrap();
            let gone = sync(|| slug(&s, f.branch_b.id));
            assert_eq!(
                public.get(&app, &format!("/board/{gone}")).await.status,
                StatusCode::NOT_FOUND
            );
            assert_eq!(
                public.get(&app, "/board/zzzzzzzzzzzzzzzz").await.status,
                StatusCode::NOT_FOUND
            );
        });
        // Every organisation has its own address.
        let all = s
            .read(|c| public_slugs::of_many(c, &[f.county.id, f.town_a.id, f.town_b.id]))
            .unwrap();
        let distinct: std::collections::BTreeSet<_> = all.values().collect();
        assert_eq!(distinct.len(), 3);
    }
}

#[test]
fn rapid_guesses_at_a_card_get_429_from_one_address_while_another_still_gets_through() {
    let s = xianfeng_store::testing::sqlite();
    let f = fixture(&s);
    let code = household(&s, &f);
    let app = app(&s);
    let rules = Rules::default();
    let (per_ip, per_code) = (
        rules.public_code_per_ip_minute,
        rules.public_code_per_code_minute,
    );
    run(async {
        let guesser = [203, 0, 113, 7];
        for n in 0..per_ip {
            let r = send(&app, from(guesser, "GET", &format!("/c/GUESS{n:05}"))).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "guess {n}");
        }
        let refused = send(&app, from(guesser, "GET", "/c/GUESS99999")).await;
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(
            refused.body.contains("操作过于频繁，请稍后再试"),
            "{}",
            refused.body
        );
        assert!(refused.headers.contains_key(header::RETRY_AFTER));
        assert_eq!(refused.headers[header::CACHE_CONTROL], "no-store");
        // The real card is refused to the guesser too, before anything is read.
        let r = send(&app, from(guesser, "GET", &format!("/c/{code}"))).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
        let claim = send(&app, from(guesser, "POST", &format!("/c/{code}/claims"))).await;
        assert_ne!(
            claim.status,
            StatusCode::TOO_MANY_REQUESTS,
            "claims are counted on their own"
        );
        // Someone else is not held up by the guesser.
        let r = send(&app, from([203, 0, 113, 8], "GET", "/c/GUESS99999")).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND);
        let r = send(&app, from([203, 0, 113, 8], "GET", &format!("/c/{code}"))).await;
        assert_eq!(r.status, StatusCode::OK);

        // One code hammered from many addresses: its own limit.
        for n in 1..per_code {
            let r = send(
                &app,
                from([198, 51, 100, n as u8], "GET", &format!("/c/{code}")),
            )
            .await;
            assert_eq!(r.status, StatusCode::OK, "visit {n}");
        }
        let r = send(
            &app,
            from([198, 51, 100, 250], "GET", &format!("/c/{code}")),
        )
        .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);

        // Rating codes and objections are limited the same way.
        for n in 0..per_ip {
            let r = send(&app, from([192, 0, 2, 1], "GET", &format!("/r/X{n:05}"))).await;
            assert_eq!(r.status, StatusCode::NOT_FOUND, "rating guess {n}");
        }
        let r = send(&app, from([192, 0, 2, 1], "GET", "/r/X99999")).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    });
    // The numbers are the county's: a lower one takes effect at once.
    set_rules(&s, |r| r.public_code_per_ip_minute = 2);
    let town = slug(&s, f.town_a.id);
    run(async {
        let objector = [192, 0, 2, 9];
        for _ in 0..2 {
            let r = send(
                &app,
                from(objector, "POST", &format!("/notice/{town}/object")),
            )
            .await;
            assert_ne!(r.status, StatusCode::TOO_MANY_REQUESTS);
        }
        let r = send(
            &app,
            from(objector, "POST", &format!("/notice/{town}/object")),
        )
        .await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    });
}
