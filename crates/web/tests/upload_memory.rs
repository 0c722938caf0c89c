//! Peak memory while parsing every bomb (issue 15: a 613 KB .xlsx took the server from 314 MB
//! to 3.4 GB). One test in its own process: the peak resident size (VmHWM) is reset after
//! the bombs are built, then every bomb goes through the readers the routes and the CLI use;
//! the peak may rise at most 300 MB above where it started.

mod common;

use common::bombs;

fn status_kb(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|n| n.parse().ok())
        .unwrap()
}

#[test]
fn parsing_every_bomb_keeps_the_peak_within_300_mb_of_idle() {
    if !std::path::Path::new("/proc/self/clear_refs").exists() {
        eprintln!("skipped: no /proc/self/clear_refs to reset the peak");
        return;
    }
    let sheets = bombs::spreadsheets();
    let docs = bombs::documents();
    // Reset the peak to the present size: what building the bombs took does not count.
    std::fs::write("/proc/self/clear_refs", "5").unwrap();
    let idle = status_kb("VmRSS:");
    for bomb in &sheets {
        let roster = xianfeng_web::roster::parse(&bomb.bytes);
        let residents = xianfeng_web::residents::parse(&bomb.bytes);
        for (what, refused) in [
            ("roster", roster.err().map(|e| e.to_string())),
            ("residents", residents.err().map(|e| e.to_string())),
        ] {
            let refused = refused.unwrap_or_default();
            assert!(
                refused.contains(bomb.message),
                "{what}: {}: {refused}",
                bomb.name
            );
        }
    }
    for bomb in &docs {
        let e = xianfeng_plan::parse_bytes(&bomb.bytes)
            .unwrap_err()
            .to_string();
        assert!(e.contains(bomb.message), "{}: {e}", bomb.name);
    }
    let peak = status_kb("VmHWM:");
    let rise_mb = peak.saturating_sub(idle) / 1024;
    eprintln!(
        "idle {} MB, peak {} MB, rise {rise_mb} MB",
        idle / 1024,
        peak / 1024
    );
    assert!(
        rise_mb < 300,
        "the peak rose {rise_mb} MB while parsing bombs"
    );
}
