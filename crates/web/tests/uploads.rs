//! Bounded uploads (issue 15): every spreadsheet and document bomb is refused on every route
//! that parses one, naming the limit, and changes nothing; role, scope and public codes are
//! checked before a byte of the body is read; a body past the configured limit is 413 with
//! the configured figure.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::bombs::{self, Bomb};
use common::{app, fixture, login, run, send, sync, Client};
use xianfeng_store::testing::{backends, TestStore};

fn spreadsheets() -> &'static [Bomb] {
    static B: OnceLock<Vec<Bomb>> = OnceLock::new();
    B.get_or_init(bombs::spreadsheets)
}

fn documents() -> &'static [Bomb] {
    static B: OnceLock<Vec<Bomb>> = OnceLock::new();
    B.get_or_init(bombs::documents)
}

/// Rows that an upload could have written: members, residents, plan drafts, the audit log.
fn counts(s: &TestStore) -> [i64; 4] {
    sync(|| {
        s.read(|c| -> xianfeng_store::Result<_> {
            Ok([
                c.scalar("SELECT COUNT(*) FROM members", &[])?,
                c.scalar("SELECT COUNT(*) FROM residents", &[])?,
                c.scalar("SELECT COUNT(*) FROM plan_drafts", &[])?,
                c.scalar("SELECT COUNT(*) FROM audit_log", &[])?,
            ])
        })
        .unwrap()
    })
}

/// Sets one rule as the 设置 page would (call outside `run`, or inside `sync`).
fn set_rule(s: &TestStore, key: &str, value: i64) {
    s.write(|c| -> xianfeng_store::Result<()> {
        let mut rules = xianfeng_store::settings::rules(c)?;
        rules.set(key, value)?;
        xianfeng_store::settings::save_rules(c, &rules)
    })
    .unwrap()
}

#[test]
fn every_spreadsheet_bomb_is_refused_on_both_imports_naming_its_limit_and_writes_nothing() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        run(async {
            let c = login(&app, "town_admin").await;
            let households = format!("/orgs/{}/households/import", f.branch_a.id);
            let before = counts(&s);
            for bomb in spreadsheets() {
                for uri in ["/roster/import", households.as_str()] {
                    let r = c
                        .post_file(&app, uri, "file", "名册.xlsx", &bomb.bytes)
                        .await;
                    assert_eq!(
                        r.status,
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "{}: {} on {uri}: {}",
                        s.name,
                        bomb.name,
                        r.body
                    );
                    assert!(
                        r.body.contains(bomb.message),
                        "{}: {} on {uri} should say {}: {}",
                        s.name,
                        bomb.name,
                        bomb.message,
                        r.body
                    );
                    assert!(r.body.contains("名册.xlsx"), "the chosen file is kept");
                }
            }
            assert_eq!(counts(&s), before, "{}: nothing written", s.name);
        });
    }
}

#[test]
fn every_document_bomb_is_refused_on_the_plan_upload_and_writes_nothing() {
    for s in backends() {
        let _f = fixture(&s);
        let app = app(&s);
        run(async {
            let c = login(&app, "county_admin").await;
            let before = counts(&s);
            for bomb in documents() {
                let r = c
                    .post_file(&app, "/plans", "file", "方案.docx", &bomb.bytes)
                    .await;
                assert_eq!(
                    r.status,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "{}: {}: {}",
                    s.name,
                    bomb.name,
                    r.body
                );
                assert!(
                    r.body.contains(bomb.message),
                    "{}: {} should say {}: {}",
                    s.name,
                    bomb.name,
                    bomb.message,
                    r.body
                );
            }
            assert_eq!(counts(&s), before, "{}: nothing written", s.name);
        });
    }
}

#[test]
fn county_rules_tighten_the_bounds_at_once() {
    for s in backends() {
        let _f = fixture(&s);
        let app = app(&s);
        set_rule(&s, "import_max_rows", 2);
        set_rule(&s, "import_max_cell_chars", 10);
        run(async {
            let c = login(&app, "town_admin").await;
            let mut wb = rust_xlsxwriter::Workbook::new();
            let ws = wb.add_worksheet();
            for (i, h) in bombs::HEADERS.iter().enumerate() {
                ws.write_string(0, i as u16, *h).unwrap();
            }
            for r in 1..=3 {
                ws.write_string(r, 1, "张三").unwrap();
            }
            let three_rows = wb.save_to_buffer().unwrap();
            let r = c
                .post_file(&app, "/roster/import", "file", "名册.xlsx", &three_rows)
                .await;
            assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
            assert!(r.body.contains("数据行过多（超过2行）"), "{}", r.body);

            let mut wb = rust_xlsxwriter::Workbook::new();
            let ws = wb.add_worksheet();
            for (i, h) in bombs::HEADERS.iter().enumerate() {
                ws.write_string(0, i as u16, *h).unwrap();
            }
            ws.write_string(1, 1, "一二三四五六七八九十甲").unwrap();
            let long_name = wb.save_to_buffer().unwrap();
            let r = c
                .post_file(&app, "/roster/import", "file", "名册.xlsx", &long_name)
                .await;
            assert!(
                r.body.contains("单元格B2内容过长（超过10字）"),
                "{}: {}",
                s.name,
                r.body
            );
        });
    }
}

/// A multipart body that records whether anything read it: its one chunk is made only when
/// the body is polled.
fn watched_body(read: Arc<AtomicBool>) -> Body {
    let chunk = format!(
        "--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"名册.xlsx\"\r\n\r\n{}\r\n--B--\r\n",
        "x".repeat(1024)
    );
    Body::from_stream(futures_util::stream::once(async move {
        read.store(true, Ordering::SeqCst);
        Ok::<_, std::convert::Infallible>(chunk.into_bytes())
    }))
}

async fn post_watched(app: &axum::Router, c: Option<&Client>, uri: &str) -> (StatusCode, bool) {
    let read = Arc::new(AtomicBool::new(false));
    let mut req =
        Request::post(uri).header(header::CONTENT_TYPE, "multipart/form-data; boundary=B");
    if let Some(c) = c {
        req = req.header(header::COOKIE, &c.cookie);
    }
    let r = send(app, req.body(watched_body(read.clone())).unwrap()).await;
    (r.status, read.load(Ordering::SeqCst))
}

#[test]
fn role_scope_and_public_codes_are_checked_before_the_body_is_read() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        run(async {
            let member = login(&app, "member").await;
            let town = login(&app, "town_admin").await;
            let out_of_scope = format!("/orgs/{}/households/import", f.branch_b.id);
            let own = format!("/orgs/{}/households/import", f.branch_a.id);
            let cases: Vec<(&str, Option<&Client>, String, StatusCode)> = vec![
                (
                    "member, households outside scope",
                    Some(&member),
                    out_of_scope.clone(),
                    StatusCode::NOT_FOUND,
                ),
                (
                    "member, own branch's households",
                    Some(&member),
                    own.clone(),
                    StatusCode::FORBIDDEN,
                ),
                (
                    "member, roster import",
                    Some(&member),
                    "/roster/import".into(),
                    StatusCode::FORBIDDEN,
                ),
                (
                    "town, households outside scope",
                    Some(&town),
                    out_of_scope.clone(),
                    StatusCode::NOT_FOUND,
                ),
                (
                    "town, points outside scope",
                    Some(&town),
                    format!("/orgs/{}/points/record", f.branch_b.id),
                    StatusCode::NOT_FOUND,
                ),
                (
                    "member, plan upload",
                    Some(&member),
                    "/plans".into(),
                    StatusCode::FORBIDDEN,
                ),
                (
                    "unknown card",
                    None,
                    "/c/NOSUCHCODE/claims".into(),
                    StatusCode::NOT_FOUND,
                ),
            ];
            for (what, client, uri, status) in cases {
                let (got, read) = post_watched(&app, client, &uri).await;
                assert_eq!(got, status, "{}: {what}", s.name);
                assert!(
                    !read,
                    "{}: {what}: the body was read before the refusal",
                    s.name
                );
            }
        });
    }
}

#[test]
fn a_body_past_the_upload_limit_is_413_with_the_configured_figure() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        run(async {
            let c = login(&app, "town_admin").await;
            let before = counts(&s);
            // The default: 20 MB.
            let big = vec![b'x'; 21 * 1024 * 1024];
            let r = c
                .post_file(&app, "/roster/import", "file", "大名册.xlsx", &big)
                .await;
            assert_eq!(
                r.status,
                StatusCode::PAYLOAD_TOO_LARGE,
                "{}: {}",
                s.name,
                r.body
            );
            assert!(r.body.contains("文件超过20MB"), "{}", r.body);
            assert!(!r.body.contains("上传失败"), "{}", r.body);

            // A county that lowers the limit: the body itself is cut at that figure.
            sync(|| set_rule(&s, "upload_max_bytes", 1024 * 1024));
            let two_mb = vec![b'x'; 2 * 1024 * 1024];
            for uri in [
                "/roster/import".to_string(),
                format!("/orgs/{}/households/import", f.branch_a.id),
            ] {
                let r = c.post_file(&app, &uri, "file", "名册.xlsx", &two_mb).await;
                assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{uri}: {}", r.body);
                assert!(r.body.contains("文件超过1MB"), "{uri}: {}", r.body);
            }
            // Evidence: the body limit cuts it as it arrives.
            let r = c
                .post_multipart(
                    &app,
                    &format!("/orgs/{}/points/record", f.branch_a.id),
                    &[("note", "照片太大")],
                    Some(("evidence", "照片.jpg", &two_mb)),
                )
                .await;
            assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
            assert!(r.body.contains("文件超过1MB"), "{}", r.body);
            assert!(!r.body.contains("上传失败"), "{}", r.body);
            assert_eq!(counts(&s), before, "{}: nothing written", s.name);
        });
    }
}

/// A multipart body sent in chunks, as a browser's arrives: the text fields, then a file of
/// `file_kb` kilobytes in 64 KB pieces.
fn chunked_body(c: &Client, fields: &[(&str, &str)], file: (&str, &str), file_kb: usize) -> Body {
    let mut head = String::new();
    for (k, v) in [("_csrf", c.csrf.as_str())].iter().chain(fields) {
        head.push_str(&format!(
            "--B\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
        ));
    }
    head.push_str(&format!(
        "--B\r\nContent-Disposition: form-data; name=\"{}\"; filename=\"{}\"\r\nContent-Type: image/jpeg\r\n\r\n",
        file.0, file.1
    ));
    let mut chunks: Vec<Vec<u8>> = vec![head.into_bytes()];
    chunks.extend((0..file_kb / 64).map(|_| vec![b'x'; 64 * 1024]));
    chunks.push(b"\r\n--B--\r\n".to_vec());
    // Each chunk after a pause, as from a network (a stream always ready is read whole
    // before the first field is seen).
    use futures_util::StreamExt;
    Body::from_stream(futures_util::stream::iter(chunks).then(|c| async move {
        tokio::task::yield_now().await;
        Ok::<_, std::convert::Infallible>(c)
    }))
}

#[test]
fn a_body_cut_at_the_limit_shows_the_form_again_with_what_was_typed() {
    for s in backends() {
        let f = fixture(&s);
        let app = app(&s);
        sync_free_set_rule(&s);
        run(async {
            let c = login(&app, "town_admin").await;
            let before = counts(&s);
            let post = |uri: String, body: Body| {
                Request::post(uri)
                    .header(header::COOKIE, &c.cookie)
                    .header(header::CONTENT_TYPE, "multipart/form-data; boundary=B")
                    .body(body)
                    .unwrap()
            };
            let record = format!("/orgs/{}/points/record", f.branch_a.id);
            let body = chunked_body(
                &c,
                &[("note", "打扫村道三次")],
                ("evidence", "村道.jpg"),
                2048,
            );
            let r = send(&app, post(record, body)).await;
            assert_eq!(
                r.status,
                StatusCode::PAYLOAD_TOO_LARGE,
                "{}: {}",
                s.name,
                r.body
            );
            assert!(r.body.contains("文件超过1MB"), "{}", r.body);
            assert!(
                r.body.contains("打扫村道三次"),
                "the note is kept: {}",
                r.body
            );
            assert!(
                r.body.contains("积分"),
                "the points page, not an error page"
            );

            let body = chunked_body(&c, &[], ("file", "名册.xlsx"), 2048);
            let r = send(&app, post("/roster/import".into(), body)).await;
            assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body);
            assert!(r.body.contains("文件超过1MB"), "{}", r.body);
            assert!(
                r.body.contains("名册.xlsx"),
                "the chosen file is kept: {}",
                r.body
            );
            assert_eq!(counts(&s), before, "{}: nothing written", s.name);
        });
    }
}

fn sync_free_set_rule(s: &TestStore) {
    set_rule(s, "upload_max_bytes", 1024 * 1024);
}
