//! `xianfeng plan publish`: a plan file becomes a campaign in one command, printed as JSON, and
//! the same file published again answers `already_published` and makes nothing.

use std::process::{Command, Output};

fn run(db: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xianfeng"))
        .args(args)
        .env("XIANFENG_DATABASE_URL", db)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn publish(db: &str, file: &std::path::Path) -> serde_json::Value {
    let o = run(
        db,
        &[
            "plan",
            "publish",
            file.to_str().unwrap(),
            "--org",
            "1",
            "--year",
            "2026",
            "--format",
            "json",
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&o)))
}

#[test]
fn a_plan_file_is_published_once_and_the_second_run_makes_nothing() {
    let dir = std::env::temp_dir().join(format!("xianfeng-plan-publish-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}", dir.join("t.db").display());
    let o = run(&db, &["gen", "--scale", "county", "--seed", "2"]);
    assert!(o.status.success(), "{}", text(&o));

    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../plan/tests/fixtures/demo_plan.txt");
    let first = publish(&db, &fixture);
    assert_eq!(first["already_published"], false, "{first:#}");
    assert_eq!(first["campaign"]["year"], 2026);
    assert_eq!(first["campaign"]["org"], "红旗县委");
    let tasks = first["tasks"].as_array().unwrap();
    assert!(tasks.len() >= 3, "{first:#}");
    for t in tasks {
        for key in [
            "title",
            "section",
            "kind",
            "indicator",
            "assignees",
            "lead",
            "due",
        ] {
            assert!(t.get(key).is_some(), "{key} missing in {t}");
        }
        assert!(
            ["定量", "自动", "定性"].contains(&t["kind"].as_str().unwrap()),
            "{t}"
        );
        assert!(!t["assignees"].as_array().unwrap().is_empty(), "{t}");
    }
    // 县委组织部 is a party branch of the demo county: a task it leads is assigned there.
    let posts = tasks
        .iter()
        .find(|t| {
            t["title"].as_str().unwrap().contains("党员先锋岗60个")
                || t["indicator"].as_str().unwrap_or("").contains("党员先锋岗")
        })
        .expect("the 60 posts target");
    assert_eq!(posts["kind"], "定量");
    assert_eq!(posts["due"], "2026-11-30");
    for key in ["cadences", "schemes", "awards", "ignored"] {
        assert!(first[key].is_array(), "{key}: {first:#}");
    }

    // The same file again: recognised by its bytes, nothing made.
    let second = publish(&db, &fixture);
    assert_eq!(second["already_published"], true, "{second:#}");
    assert_eq!(second["campaign"]["id"], first["campaign"]["id"]);
    assert_eq!(second["tasks"], first["tasks"]);

    // A copy under another name is the same file.
    let copy = dir.join("复制的方案.txt");
    std::fs::copy(&fixture, &copy).unwrap();
    let third = publish(&db, &copy);
    assert_eq!(third["already_published"], true);
    assert_eq!(third["campaign"]["id"], first["campaign"]["id"]);

    // Seed 001 (a county 通知 of measures without numbers), when the shared seeds are here.
    let seeds = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/seeds");
    if let Some(seed) = std::fs::read_dir(&seeds).ok().and_then(|d| {
        d.flatten().map(|e| e.path()).find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("001_"))
        })
    }) {
        let parsed = run(&db, &["plan", "parse", seed.to_str().unwrap()]);
        let parsed: serde_json::Value = serde_json::from_slice(&parsed.stdout).unwrap();
        let measures = parsed["measures"].as_array().map_or(0, Vec::len);
        let r = publish(&db, &seed);
        assert_eq!(r["already_published"], false);
        assert_ne!(r["campaign"]["id"], first["campaign"]["id"]);
        let tasks = r["tasks"].as_array().unwrap();
        // Every measure the reader finds is a task (none yet, until the reader fills them);
        // 001's measures carry no numbers, so those are 定性 tasks.
        assert!(tasks.len() >= measures, "{measures} measures: {r:#}");
        if measures > 0 {
            assert!(tasks.iter().any(|t| t["kind"] == "定性"), "{r:#}");
        }
    }

    // Bad input: an organisation that does not exist, a format not offered.
    let o = run(
        &db,
        &[
            "plan",
            "publish",
            fixture.to_str().unwrap(),
            "--org",
            "999999",
        ],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("不存在"), "{}", text(&o));
    let o = run(
        &db,
        &[
            "plan",
            "publish",
            fixture.to_str().unwrap(),
            "--org",
            "1",
            "--format",
            "xml",
        ],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("json"), "{}", text(&o));
    let _ = std::fs::remove_dir_all(&dir);
}
