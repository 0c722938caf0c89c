//! The command line end to end: demo, audit verify (and tampering), backup, export, import.

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

#[test]
fn audit_verify_passes_on_a_fresh_demo_and_names_the_entry_after_tampering() {
    let dir = std::env::temp_dir().join(format!("xianfeng-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db_path = dir.join("t.db");
    let db = format!("sqlite://{}", db_path.display());

    let o = run(&db, &["demo", "--no-serve"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("county_admin"));
    let again = run(&db, &["demo", "--no-serve"]);
    assert!(
        text(&again).contains("复用已有数据"),
        "demo reuses the data"
    );

    // Export the first town's roster, then import it back into a fresh database: the export
    // is in the import layout.
    let export = dir.join("roster.xlsx");
    let o = run(
        &db,
        &["export", "members", "--org", "2", export.to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", text(&o));
    let o = run(&db, &["import", "members", export.to_str().unwrap()]);
    assert!(
        !o.status.success(),
        "re-importing the same people is refused"
    );
    assert!(text(&o).contains("与已登记的党员"), "{}", text(&o));
    assert!(text(&o).contains("未导入任何数据"));
    for other in ["所属党组织", "入党日期", "出生日期", "民族", "手机号"] {
        assert!(
            !text(&o).contains(other),
            "generated data and export pass every other rule: {}",
            text(&o)
        );
    }

    let backup = dir.join("backup.db");
    let o = run(&db, &["backup", backup.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    let o = run(
        &format!("sqlite://{}", backup.display()),
        &["audit", "verify"],
    );
    assert!(
        o.status.success(),
        "the backup is a consistent copy: {}",
        text(&o)
    );

    let o = run(&db, &["audit", "verify"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("积分账本平衡"), "{}", text(&o));

    // In the backup, someone with raw access inflates one points entry: the ledger no longer
    // matches its balances.
    let copy = xianfeng_store::Store::open(
        &format!("sqlite://{}", backup.display()),
        xianfeng_store::Vault::load_or_create(&dir.join("secret.key")).unwrap(),
    )
    .unwrap();
    copy.with_sqlite(|c| {
        c.execute_batch("DROP TRIGGER point_entries_no_update; UPDATE point_entries SET amount = amount + 100 WHERE id = 1;")?;
        Ok(())
    })
    .unwrap()
    .unwrap();
    let o = run(
        &format!("sqlite://{}", backup.display()),
        &["audit", "verify"],
    );
    assert!(!o.status.success());
    assert!(text(&o).contains("积分账本不一致"), "{}", text(&o));

    // Someone with raw access raises one evaluation score: its digest no longer matches the
    // audit entry that recorded it.
    let store = xianfeng_store::Store::open(
        &db,
        xianfeng_store::Vault::load_or_create(&dir.join("secret.key")).unwrap(),
    )
    .unwrap();
    store
        .with_sqlite(|c| {
            c.execute_batch("DROP TRIGGER evaluation_scores_no_update; UPDATE evaluation_scores SET scores = '[0,0,0,0,1]' WHERE id = (SELECT MIN(id) FROM evaluation_scores);")?;
            Ok(())
        })
        .unwrap()
        .unwrap();
    let o = run(&db, &["audit", "verify"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("评议打分被篡改"), "{}", text(&o));

    // Someone with raw access drops the guard trigger and alters the generation entry.
    store
        .with_sqlite(|c| {
            c.execute_batch("DROP TRIGGER audit_log_no_update; UPDATE audit_log SET after_json = '{}' WHERE seq = 1;")?;
            Ok(())
        })
        .unwrap()
        .unwrap();
    let o = run(&db, &["audit", "verify"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("第1条记录"), "{}", text(&o));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn gen_refuses_a_database_that_already_has_data() {
    let dir = std::env::temp_dir().join(format!("xianfeng-gen-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}/g.db", dir.display());
    let o = run(&db, &["gen", "--scale", "county"]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("行/秒"));
    let o = run(&db, &["gen", "--scale", "county"]);
    assert!(!o.status.success());
    assert!(text(&o).contains("空数据库"), "{}", text(&o));
    let o = run(&db, &["gen", "--scale", "city"]);
    assert!(text(&o).contains("county 或 province"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn init_bootstraps_an_empty_deployment_once() {
    let dir = std::env::temp_dir().join(format!("xianfeng-init-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}/i.db", dir.display());
    let init = |pw: &str| {
        Command::new(env!("CARGO_BIN_EXE_xianfeng"))
            .args(["init", "--name", "示范县委", "--admin", "admin"])
            .env("XIANFENG_DATABASE_URL", &db)
            .env("XIANFENG_ADMIN_PASSWORD", pw)
            .output()
            .unwrap()
    };
    let o = init("short");
    assert!(!o.status.success());
    assert!(text(&o).contains("至少10位"), "{}", text(&o));
    let o = init("a-long-admin-password");
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("示范县委"));
    let o = init("a-long-admin-password");
    assert!(!o.status.success(), "only into an empty database");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn plan_parse_prints_json_and_a_text_outline() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../plan/tests/fixtures/demo_plan.txt"
    );
    let o = Command::new(env!("CARGO_BIN_EXE_xianfeng"))
        .args(["plan", "parse", file])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["title"], "关于开展“红旗先锋”创建活动的实施方案");
    assert!(v["targets"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["subject"] == "党员先锋岗" && t["comparator"] == ">="));
    let o = Command::new(env!("CARGO_BIN_EXE_xianfeng"))
        .args(["plan", "parse", file, "--format", "text"])
        .output()
        .unwrap();
    assert!(text(&o).contains("【频次】"));
    let o = Command::new(env!("CARGO_BIN_EXE_xianfeng"))
        .args(["plan", "parse", "/nonexistent.txt"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(text(&o).contains("无法读取"));
}

#[test]
fn plan_parse_says_in_chinese_when_it_cannot_outline_a_file_and_exits_non_zero() {
    let dir = std::env::temp_dir().join(format!("xianfeng-plan-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let parse = |file: &std::path::Path| {
        Command::new(env!("CARGO_BIN_EXE_xianfeng"))
            .args(["plan", "parse"])
            .arg(file)
            .output()
            .unwrap()
    };
    // One line of 17 million characters: no paragraphs, no headings.
    let line = dir.join("one-line.txt");
    std::fs::write(&line, "加强基层党组织建设，".repeat(1_700_000)).unwrap();
    let started = std::time::Instant::now();
    let o = parse(&line);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(o.stdout.is_empty(), "no empty outline is printed");
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("无法识别提纲"), "{err}");
    assert!(err.contains("17000000字"), "{err}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "refused without outlining 17 million characters: {:?}",
        started.elapsed()
    );
    // Paragraphs, but not one heading (一、（一）1.（1）).
    let flat = dir.join("flat.txt");
    std::fs::write(
        &flat,
        "各党支部：\n请认真组织学习，按时报送材料。\n特此通知。\n",
    )
    .unwrap();
    let o = parse(&flat);
    assert!(!o.status.success(), "{}", text(&o));
    assert!(o.stdout.is_empty());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("没有找到"),
        "{}",
        text(&o)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[path = "../../web/tests/common/bombs.rs"]
mod bombs;

#[test]
fn import_members_refuses_every_spreadsheet_bomb_naming_its_limit_and_writes_nothing() {
    let dir = std::env::temp_dir().join(format!("xianfeng-bombs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = format!("sqlite://{}/b.db", dir.display());
    let o = Command::new(env!("CARGO_BIN_EXE_xianfeng"))
        .args(["init", "--name", "示范县委", "--admin", "admin"])
        .env("XIANFENG_DATABASE_URL", &db)
        .env("XIANFENG_ADMIN_PASSWORD", "a-long-admin-password")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let store = || {
        xianfeng_store::Store::open(
            &db,
            xianfeng_store::Vault::load_or_create(&dir.join("secret.key")).unwrap(),
        )
        .unwrap()
    };
    let counts = || {
        store()
            .read(|c| -> xianfeng_store::Result<_> {
                Ok((
                    c.scalar("SELECT COUNT(*) FROM members", &[])?,
                    c.scalar("SELECT COUNT(*) FROM audit_log", &[])?,
                ))
            })
            .unwrap()
    };
    let before = counts();
    for bomb in bombs::spreadsheets() {
        let file = dir.join("bomb.xlsx");
        std::fs::write(&file, &bomb.bytes).unwrap();
        let o = run(&db, &["import", "members", file.to_str().unwrap()]);
        assert!(!o.status.success(), "{}: {}", bomb.name, text(&o));
        assert!(
            text(&o).contains(bomb.message),
            "{} should say {}: {}",
            bomb.name,
            bomb.message,
            text(&o)
        );
    }
    // A file past the upload limit is refused before it is read.
    let file = dir.join("big.xlsx");
    std::fs::write(&file, vec![b'x'; 21 * 1024 * 1024]).unwrap();
    let o = run(&db, &["import", "members", file.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(text(&o).contains("文件超过20MB"), "{}", text(&o));
    assert_eq!(counts(), before, "nothing written");
    let _ = std::fs::remove_dir_all(&dir);
}
