//! The fault suite: the real binary on SQLite and on PostgreSQL, hurt the ways a deployment gets
//! hurt. `kill -9` in the middle of a write load; the database going away while a request is
//! in flight (an SQLite file that turns read-only, PostgreSQL ending the server's connections);
//! a full disk while evidence is written; a backup restored into a fresh place. Each test is
//! bounded (loopback only, a few hundred requests at most, seconds not minutes).

mod support;

use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use support::*;

/// What one write touches, counted before and after a refused request.
const TABLES: &[&str] = &[
    "meetings",
    "attendance",
    "rollups",
    "point_claims",
    "point_entries",
    "point_accounts",
    "files",
    "audit_log",
];

fn audit_verify_passes(db: &Db) -> String {
    let o = db.run(&["audit", "verify"]);
    assert!(
        o.status.success(),
        "{}: audit verify: {}",
        db.kind,
        text(&o)
    );
    assert!(text(&o).contains("积分账本平衡"), "{}", text(&o));
    text(&o)
}

// ---------------------------------------------------------------------------------------------
// kill -9 during a write load

/// One write the load sent: a meeting (by topic) or a points record (by note).
#[derive(Debug, Clone)]
enum Sent {
    Meeting(String),
    Points(String),
}

fn kill_9_during_writes(db: &Db) {
    const THREADS: usize = 4;
    const PER_THREAD: usize = 75;
    let store = db.store();
    let county = Arc::new(county(&store));
    let mut server = Server::start(db);
    let client = Client::login(&server.base, SECRETARY);

    let answered: Arc<Mutex<Vec<Sent>>> = Arc::default();
    let in_doubt: Arc<Mutex<Vec<Sent>>> = Arc::default();
    let refused: Arc<Mutex<Vec<String>>> = Arc::default();
    let ok = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..THREADS)
        .map(|t| {
            let (client, county) = (client.clone(), county.clone());
            let (answered, in_doubt, refused, ok) = (
                answered.clone(),
                in_doubt.clone(),
                refused.clone(),
                ok.clone(),
            );
            std::thread::spawn(move || {
                for i in 0..PER_THREAD {
                    let marker = format!("负载{t}-{i}");
                    let (sent, result) = if i % 2 == 0 {
                        let r = client.form(
                            &format!("/orgs/{}/meetings/new", county.branch.id),
                            &meeting_form(&county, &marker),
                        );
                        (Sent::Meeting(marker), r)
                    } else {
                        let member = county.members[(t + i) % county.members.len()];
                        let r = client.multipart(
                            &format!("/orgs/{}/points/record", county.branch.id),
                            &points_form(&county, member, &marker),
                            None,
                        );
                        (Sent::Points(marker), r)
                    };
                    match result {
                        Ok(a) if a.succeeded() => {
                            answered.lock().unwrap().push(sent);
                            ok.fetch_add(1, Ordering::SeqCst);
                        }
                        Ok(a) => refused
                            .lock()
                            .unwrap()
                            .push(format!("{sent:?}: {} {}", a.status, a.body)),
                        // The server died with this request in flight: it may or may not
                        // have committed. This thread stops here.
                        Err(_) => {
                            in_doubt.lock().unwrap().push(sent);
                            return;
                        }
                    }
                }
            })
        })
        .collect();

    // Kill once the load is well under way (a third of it answered), or after 20 s.
    let started = Instant::now();
    while ok.load(Ordering::SeqCst) < THREADS * PER_THREAD / 3
        && started.elapsed() < Duration::from_secs(20)
    {
        std::thread::sleep(Duration::from_millis(5));
    }
    server.kill9();
    for t in threads {
        t.join().unwrap();
    }
    let answered = answered.lock().unwrap().clone();
    let in_doubt = in_doubt.lock().unwrap().clone();
    let refused = refused.lock().unwrap().clone();
    assert!(
        refused.is_empty(),
        "{}: every write of the load is valid: {refused:?}",
        db.kind
    );
    assert!(
        answered.len() >= THREADS * PER_THREAD / 3 && answered.len() < THREADS * PER_THREAD,
        "{}: the kill came in the middle of the load ({} answered)",
        db.kind,
        answered.len()
    );
    eprintln!(
        "{}: killed after {} answered writes, {} in flight",
        db.kind,
        answered.len(),
        in_doubt.len()
    );

    // Restart on the same database.
    let server = Server::start(db);
    let topics = column(&store, "SELECT topic FROM meetings");
    let notes = column(&store, "SELECT note FROM point_claims");
    for sent in &answered {
        match sent {
            Sent::Meeting(t) => assert!(
                topics.contains(t),
                "{}: answered meeting {t} lost after kill -9",
                db.kind
            ),
            Sent::Points(n) => assert!(
                notes.contains(n),
                "{}: answered points record {n} lost after kill -9",
                db.kind
            ),
        }
    }
    // Nothing appears that was never sent: at most the requests in flight are extra.
    let meetings_sent = |v: &[Sent]| v.iter().filter(|s| matches!(s, Sent::Meeting(_))).count();
    assert!(topics.len() >= meetings_sent(&answered));
    assert!(topics.len() <= meetings_sent(&answered) + meetings_sent(&in_doubt));
    assert!(notes.len() <= answered.len() - meetings_sent(&answered) + in_doubt.len());
    // Every meeting that is there is whole: its attendance and its attendance points.
    let per_meeting = county.members.len();
    assert_eq!(
        column(&store, "SELECT COUNT(*) FROM attendance"),
        vec![(topics.len() * per_meeting).to_string()],
        "{}: attendance of every stored meeting, and no other",
        db.kind
    );
    assert_eq!(
        column(
            &store,
            &format!(
                "SELECT COUNT(*) FROM point_entries WHERE rule_id = {}",
                county.attendance_rule
            )
        ),
        vec![(topics.len() * per_meeting).to_string()],
        "{}: the attendance points of every stored meeting",
        db.kind
    );
    assert_eq!(
        column(&store, "SELECT COUNT(*) FROM point_entries"),
        vec![(topics.len() * per_meeting + notes.len()).to_string()],
        "{}: one grant per stored points record",
        db.kind
    );
    // The hash chain holds and the ledger reconciles.
    audit_verify_passes(db);
    // The restarted server takes writes.
    let client = Client::login(&server.base, SECRETARY);
    let a = client
        .form(
            &format!("/orgs/{}/meetings/new", county.branch.id),
            &meeting_form(&county, "重启之后"),
        )
        .unwrap();
    assert!(a.succeeded(), "{}: {a:?}", db.kind);
}

#[test]
fn kill_9_during_a_write_load_loses_no_answered_write_on_either_database() {
    for db in Db::both("kill9") {
        kill_9_during_writes(&db);
    }
}

// ---------------------------------------------------------------------------------------------
// The database goes away while a request is in flight

const UNAVAILABLE: &str = "系统暂时不可用，请稍后重试";

/// Everything a write would change: row counts, every roll-up figure, every points balance and
/// the audit chain's head.
fn state(store: &xianfeng_store::Store) -> Vec<String> {
    let mut v: Vec<String> = counts(store, TABLES)
        .into_iter()
        .map(|(t, n)| format!("{t}={n}"))
        .collect();
    v.extend(column(store, ROLLUPS));
    v.extend(column(store, BALANCES));
    v.extend(column(store, "SELECT seq || ':' || hash FROM audit_head"));
    v
}

const ROLLUPS: &str = "SELECT org_id || ':' || metric || ':' || period || ':' || direct || ':' || subtree FROM rollups ORDER BY org_id, metric, period";
const BALANCES: &str = "SELECT id || ':' || balance FROM point_accounts ORDER BY id";

/// `chattr` on `files`; false when this file system or user cannot (not root, tmpfs, overlay).
fn chattr(flag: &str, files: &[&std::path::Path]) -> bool {
    Command::new("chattr")
        .arg(flag)
        .args(files)
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Makes the files immutable until dropped (root cannot write them either).
struct Immutable(Vec<std::path::PathBuf>);

impl Immutable {
    fn lift(&mut self) {
        let files: Vec<&std::path::Path> = self.0.iter().map(|p| p.as_path()).collect();
        if !files.is_empty() {
            assert!(chattr("-i", &files), "chattr -i");
        }
        self.0.clear();
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        let files: Vec<&std::path::Path> = self.0.iter().map(|p| p.as_path()).collect();
        if !files.is_empty() {
            chattr("-i", &files);
        }
    }
}

#[test]
fn sqlite_turning_read_only_mid_request_answers_503_writes_nothing_and_recovers_without_restart() {
    let db = Db::sqlite("readonly");
    let store = db.store();
    let county = county(&store);
    // As root, permission bits do not stop writes; the immutable attribute does. It needs a
    // file system that keeps it (ext4, xfs, btrfs) and CAP_LINUX_IMMUTABLE.
    let probe = db.dir.join("probe");
    std::fs::write(&probe, "").unwrap();
    if !chattr("+i", &[&probe]) {
        eprintln!(
            "skipped: cannot make a file immutable here (chattr +i needs root on ext4/xfs/btrfs)"
        );
        return;
    }
    chattr("-i", &[&probe]);
    let server = Server::start(&db);
    let client = Client::login(&server.base, SECRETARY);
    let meeting = |topic: &str| {
        client
            .form(
                &format!("/orgs/{}/meetings/new", county.branch.id),
                &meeting_form(&county, topic),
            )
            .unwrap()
    };
    assert!(meeting("之前").succeeded());
    let before = state(&store);

    // Hold the write lock so the request waits inside the server, then make the database
    // read-only and let it go: the request meets the read-only file in the middle.
    let (locked_tx, locked_rx) = std::sync::mpsc::channel();
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let holder_store = db.store();
    let holder = std::thread::spawn(move || {
        holder_store
            .with_sqlite(|c| {
                c.execute_batch("BEGIN IMMEDIATE")?;
                locked_tx.send(()).unwrap();
                release_rx.recv().unwrap();
                c.execute_batch("ROLLBACK")?;
                Ok(())
            })
            .unwrap()
            .unwrap();
    });
    locked_rx.recv().unwrap();
    let in_flight = {
        let (client, form) = (client.clone(), meeting_form(&county, "途中"));
        let path = format!("/orgs/{}/meetings/new", county.branch.id);
        std::thread::spawn(move || client.form(&path, &form).unwrap())
    };
    std::thread::sleep(Duration::from_millis(300));
    let file = db.file();
    let wal = std::path::PathBuf::from(format!("{}-wal", file.display()));
    let mut frozen = Immutable(vec![file.clone(), wal.clone()]);
    assert!(chattr("+i", &[&file, &wal]), "chattr +i");
    release_tx.send(()).unwrap();
    holder.join().unwrap();
    let a = in_flight.join().unwrap();
    assert_eq!(a.status, 503, "the request in flight: {a:?}");
    assert!(a.body.contains(UNAVAILABLE), "{}", a.body);
    // While it stays read-only, every write gets the same page; reads still work.
    let a = meeting("期间");
    assert_eq!(a.status, 503, "{a:?}");
    assert!(a.body.contains(UNAVAILABLE), "{}", a.body);
    assert_eq!(
        client
            .get(&format!("/orgs/{}/meetings", county.branch.id))
            .unwrap()
            .status,
        200
    );
    assert_eq!(state(&store), before, "nothing half-written");

    // The file is writable again: the same server takes the next write.
    frozen.lift();
    let a = meeting("之后");
    assert!(a.succeeded(), "recovers without a restart: {a:?}");
    let topics = column(&store, "SELECT topic FROM meetings ORDER BY id");
    assert_eq!(topics, vec!["之前", "之后"]);
    audit_verify_passes(&db);
}

#[test]
fn postgres_ending_the_servers_connections_mid_request_answers_503_and_the_pool_recovers() {
    let Some(db) = Db::postgres("terminate") else {
        return;
    };
    let store = db.store();
    let county = county(&store);
    let server = Server::start(&db);
    let client = Client::login(&server.base, SECRETARY);
    let meeting = |topic: &str| {
        client
            .form(
                &format!("/orgs/{}/meetings/new", county.branch.id),
                &meeting_form(&county, topic),
            )
            .unwrap()
    };
    assert!(meeting("之前").succeeded());
    let before = state(&store);

    // Lock the meetings table from outside, so the request waits inside its transaction.
    let mut outside = db.admin();
    let mut lock = outside.transaction().unwrap();
    lock.batch_execute("LOCK TABLE meetings IN EXCLUSIVE MODE")
        .unwrap();
    let in_flight = {
        let (client, form) = (client.clone(), meeting_form(&county, "途中"));
        let path = format!("/orgs/{}/meetings/new", county.branch.id);
        std::thread::spawn(move || client.form(&path, &form).unwrap())
    };
    let mut watcher = db.admin();
    let started = Instant::now();
    loop {
        let waiting: i64 = watcher
            .query_one(
                "SELECT COUNT(*) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
                &[&db.app()],
            )
            .unwrap()
            .get(0);
        if waiting > 0 {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the request never reached the lock"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    // The database ends every connection of the server (as a restart or failover would),
    // the one in the middle of the request included.
    let ended: i64 = watcher
        .query_one(
            "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1) t",
            &[&db.app()],
        )
        .unwrap()
        .get(0);
    assert!(ended >= 1);
    lock.rollback().unwrap();
    let a = in_flight.join().unwrap();
    assert_eq!(a.status, 503, "the request in flight: {a:?}");
    assert!(a.body.contains(UNAVAILABLE), "{}", a.body);
    assert_eq!(state(&store), before, "nothing half-written");

    // The pool replaces the dead connections: the next request goes through.
    let a = meeting("之后");
    assert!(a.succeeded(), "recovers without a restart: {a:?}");
    assert_eq!(
        column(&store, "SELECT topic FROM meetings ORDER BY id"),
        vec!["之前", "之后"]
    );
    audit_verify_passes(&db);
}

// ---------------------------------------------------------------------------------------------
// A full disk while evidence is written

/// A small tmpfs, unmounted when dropped.
struct Tmpfs(std::path::PathBuf);

impl Tmpfs {
    /// `None` (with the reason printed) when mounting is not permitted here.
    fn mount(at: std::path::PathBuf, size: &str) -> Option<Tmpfs> {
        std::fs::create_dir_all(&at).unwrap();
        let o = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(&at)
            .output();
        match o {
            Ok(o) if o.status.success() => Some(Tmpfs(at)),
            Ok(o) => {
                eprintln!("skipped: cannot mount a tmpfs here: {}", text(&o));
                let _ = std::fs::remove_dir(&at);
                None
            }
            Err(e) => {
                eprintln!("skipped: cannot run mount: {e}");
                let _ = std::fs::remove_dir(&at);
                None
            }
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).output();
        let _ = std::fs::remove_dir(&self.0);
    }
}

/// Fills the file system under `file` until it refuses, then frees `spare` bytes.
fn fill(file: &std::path::Path, spare: u64) {
    use std::io::Write;
    let mut f = std::fs::File::create(file).unwrap();
    let chunk = vec![0x55u8; 64 * 1024];
    let mut written = 0u64;
    loop {
        match f.write(&chunk) {
            Ok(0) | Err(_) => break,
            Ok(n) => written += n as u64,
        }
    }
    let _ = f.flush();
    f.set_len(written.saturating_sub(spare)).unwrap();
    f.sync_all().unwrap();
}

#[test]
fn a_full_disk_refuses_evidence_with_a_chinese_message_and_leaves_no_orphan_rows() {
    let Some(mount) = Tmpfs::mount(scratch("full-mnt"), "16m") else {
        return;
    };
    let db = Db::sqlite_at(scratch("full"), mount.0.join("x.db"));
    let store = db.store();
    let county = county(&store);
    let server = Server::start(&db);
    let client = Client::login(&server.base, SECRETARY);
    let record = |note: &str, size: usize| {
        let photo = jpeg(size);
        client
            .multipart(
                &format!("/orgs/{}/points/record", county.branch.id),
                &points_form(&county, county.members[0], note),
                Some(("evidence", "现场.jpg", "image/jpeg", &photo)),
            )
            .unwrap()
    };
    assert!(record("有空间", 64 * 1024).succeeded());
    // Start the write-ahead log from empty, so the next write needs fresh blocks.
    store
        .with_sqlite(|c| {
            c.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")?;
            Ok(())
        })
        .unwrap()
        .unwrap();
    let before = state(&store);
    let filler = mount.0.join("filler");
    fill(&filler, 128 * 1024);

    let a = record("磁盘已满", 1024 * 1024);
    assert_eq!(a.status, 507, "{a:?}");
    assert!(a.body.contains("存储空间已满"), "{}", a.body);
    assert_eq!(
        state(&store),
        before,
        "no file without its record, no record without its file"
    );

    // Space again: the same server takes the upload.
    std::fs::remove_file(&filler).unwrap();
    assert!(record("空间恢复", 1024 * 1024).succeeded());
    assert_eq!(
        column(&store, "SELECT note FROM point_claims ORDER BY id"),
        vec!["有空间", "空间恢复"]
    );
    assert_eq!(
        column(
            &store,
            "SELECT COUNT(*) FROM point_claims WHERE evidence_sha IN (SELECT sha256 FROM files)"
        ),
        vec!["2"]
    );
    audit_verify_passes(&db);
    drop(server);
    drop(store);
}

// ---------------------------------------------------------------------------------------------
// Backup and restore

/// The `链尾` line of `audit verify`.
fn audit_head(db: &Db) -> String {
    let out = audit_verify_passes(db);
    out.lines()
        .find(|l| l.contains("链尾"))
        .unwrap_or_else(|| panic!("audit verify names the chain's head: {out}"))
        .to_string()
}

/// Three meetings and three points records through the server.
fn some_writes(server: &Server, county: &County, tag: &str) {
    let client = Client::login(&server.base, SECRETARY);
    for i in 0..3 {
        let a = client
            .form(
                &format!("/orgs/{}/meetings/new", county.branch.id),
                &meeting_form(county, &format!("{tag}{i}")),
            )
            .unwrap();
        assert!(a.succeeded(), "{a:?}");
        let a = client
            .multipart(
                &format!("/orgs/{}/points/record", county.branch.id),
                &points_form(county, county.members[i], &format!("{tag}{i}")),
                None,
            )
            .unwrap();
        assert!(a.succeeded(), "{a:?}");
    }
}

#[test]
fn backup_restored_into_a_fresh_database_has_the_same_audit_head_and_roll_ups() {
    let db = Db::sqlite("backup");
    let store = db.store();
    let county = county(&store);
    {
        let server = Server::start(&db);
        some_writes(&server, &county, "备份前");
        // The backup is taken while the server runs.
        let file = db.dir.join("backup.db");
        let o = db.run(&["backup", file.to_str().unwrap()]);
        assert!(o.status.success(), "{}", text(&o));
    }

    // Restore: the backup file becomes the database of a fresh folder, with the same key.
    let fresh = scratch("restored");
    std::fs::copy(db.dir.join("backup.db"), fresh.join("x.db")).unwrap();
    let restored = Db::sqlite_in(fresh);
    assert_eq!(audit_head(&restored), audit_head(&db));
    let copy = restored.store();
    assert_eq!(column(&copy, ROLLUPS), column(&store, ROLLUPS));
    assert!(!column(&copy, ROLLUPS).is_empty());
    assert_eq!(column(&copy, BALANCES), column(&store, BALANCES));
    assert_eq!(counts(&copy, TABLES), counts(&store, TABLES));

    // The restored database serves, with personal data readable.
    let server = Server::start(&restored);
    let client = Client::login(&server.base, SECRETARY);
    let a = client
        .get(&format!("/members/{}", county.members[0]))
        .unwrap();
    assert_eq!(a.status, 200, "{}", a.body);
    assert!(!a.body.contains("无法解密"), "{}", a.body);
}

/// A database created for the test, dropped (its connections ended) when dropped.
struct FreshDatabase {
    admin: String,
    name: String,
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// The README's PostgreSQL procedure: `pg_dump -Fc`, a fresh database, `pg_restore`.
#[test]
fn pg_dump_restored_into_a_fresh_database_has_the_same_audit_head_and_roll_ups() {
    let Some(db) = Db::postgres("pgdump") else {
        return;
    };
    let tool = |name: &str| {
        Command::new(name)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if !tool("pg_dump") || !tool("pg_restore") {
        eprintln!(
            "skipped: pg_dump / pg_restore not installed (apt-get install postgresql-client)"
        );
        return;
    }
    let store = db.store();
    let county = county(&store);
    let dump = db.dir.join("xianfeng.dump");
    {
        let server = Server::start(&db);
        some_writes(&server, &county, "转储前");
        // The dump is taken while the server runs (one consistent snapshot).
        let o = Command::new("pg_dump")
            .args(["-Fc", "-n", db.schema(), "-f"])
            .arg(&dump)
            .arg(db.admin_url())
            .output()
            .unwrap();
        assert!(o.status.success(), "pg_dump: {}", text(&o));
    }
    let fresh = FreshDatabase {
        admin: db.admin_url().to_string(),
        name: format!(
            "xf_restore_{}_{:08x}",
            std::process::id(),
            rand::random::<u32>()
        ),
    };
    db.admin()
        .batch_execute(&format!("CREATE DATABASE {}", fresh.name))
        .unwrap();
    let o = Command::new("pg_restore")
        .args(["--no-owner", "-d", &db.admin_url_for(&fresh.name)])
        .arg(&dump)
        .output()
        .unwrap();
    assert!(o.status.success(), "pg_restore: {}", text(&o));
    let restored = db.moved_to(&fresh.name);
    assert_eq!(audit_head(&restored), audit_head(&db));
    let copy = restored.store();
    assert_eq!(column(&copy, ROLLUPS), column(&store, ROLLUPS));
    assert!(!column(&copy, ROLLUPS).is_empty());
    assert_eq!(column(&copy, BALANCES), column(&store, BALANCES));
    assert_eq!(counts(&copy, TABLES), counts(&store, TABLES));
    // The restored database serves and takes writes.
    let server = Server::start(&restored);
    some_writes(&server, &county, "恢复后");
    drop(server);
    drop(copy);
    drop(restored);
}

// ---------------------------------------------------------------------------------------------
// A backup restored without its key

#[test]
fn a_restored_database_without_its_key_is_refused_instead_of_given_a_new_key() {
    let db = Db::sqlite("nokey");
    let store = db.store();
    county(&store);
    let file = db.dir.join("backup.db");
    let o = db.run(&["backup", file.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    // Restored into a fresh folder, the key file forgotten and no key in the environment.
    let fresh = scratch("nokey-restored");
    std::fs::copy(&file, fresh.join("x.db")).unwrap();
    let url = format!("sqlite://{}", fresh.join("x.db").display());
    for args in [
        &["audit", "verify"][..],
        &["serve", "--bind", "127.0.0.1:0"],
    ] {
        // Bounded: a server that starts anyway is stopped after ten seconds and fails the test.
        let mut child = Command::new(env!("CARGO_BIN_EXE_xianfeng"))
            .args(args)
            .env("XIANFENG_DATABASE_URL", &url)
            .env_remove("XIANFENG_SECRET_KEY")
            .env_remove("XIANFENG_KEY_FILE")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let started = Instant::now();
        while child.try_wait().unwrap().is_none() && started.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(50));
        }
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
        }
        let o = child.wait_with_output().unwrap();
        assert!(!o.status.success(), "{args:?}: {}", text(&o));
        assert!(
            text(&o).contains("密钥与数据库不符"),
            "{args:?}: {}",
            text(&o)
        );
    }
    assert!(
        !fresh.join("secret.key").exists(),
        "no new key is made up for a database that already has personal data"
    );
    let _ = std::fs::remove_dir_all(&fresh);
}
