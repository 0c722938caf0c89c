//! The fault suite: the real binary on SQLite and on PostgreSQL, hurt the ways a deployment gets
//! hurt. `kill -9` in the middle of a write load; the database going away while a request is
//! in flight (an SQLite file that turns read-only, PostgreSQL ending the server's connections);
//! a full disk while evidence is written; a backup restored into a fresh place. Each test is
//! bounded (loopback only, a few hundred requests at most, seconds not minutes).

mod support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use support::*;

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
