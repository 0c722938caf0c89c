//! Migrations on both backends: each version's hook runs once, in its version's transaction,
//! and a store made before migration 5 gets its roll-ups rebuilt.

use std::sync::Mutex;

use xianfeng_store::engines::rollup;
use xianfeng_store::migrations::{self, Hook};
use xianfeng_store::testing::unmigrated_backends;
use xianfeng_store::{vals, Conn, StoreError, Value};

fn versions() -> Vec<i64> {
    xianfeng_store::sqlite::MIGRATIONS
        .iter()
        .map(|(v, _)| *v)
        .collect()
}

fn after(v: i64) -> Vec<i64> {
    versions().into_iter().filter(|x| *x > v).collect()
}

/// What the version-3 hook saw each time it ran: the latest version recorded.
static SEEN_BY_HOOK: Mutex<Vec<i64>> = Mutex::new(Vec::new());

fn hook_3(c: &mut dyn Conn) -> xianfeng_store::Result<()> {
    // Its version's SQL has run (0003 creates `files`); the version is not recorded yet.
    c.scalar("SELECT COUNT(*) FROM files", &[])?;
    let recorded = c.scalar("SELECT MAX(version) FROM schema_migrations", &[])?;
    SEEN_BY_HOOK.lock().unwrap().push(recorded);
    Ok(())
}

#[test]
fn a_hook_runs_once_right_after_its_version_is_applied() {
    for s in unmigrated_backends() {
        SEEN_BY_HOOK.lock().unwrap().clear();
        let hooks: &[(i64, Hook)] = &[(3, hook_3)];
        assert_eq!(s.migrate_to(2, hooks).unwrap(), vec![1, 2], "{}", s.name);
        assert!(SEEN_BY_HOOK.lock().unwrap().is_empty(), "{}", s.name);
        assert_eq!(
            s.migrate_to(i64::MAX, hooks).unwrap(),
            after(2),
            "{}",
            s.name
        );
        assert_eq!(*SEEN_BY_HOOK.lock().unwrap(), vec![2], "{}", s.name);
        // Nothing left to apply: the hook does not run again.
        assert_eq!(s.migrate_to(i64::MAX, hooks).unwrap(), Vec::<i64>::new());
        s.migrate().unwrap();
        assert_eq!(*SEEN_BY_HOOK.lock().unwrap(), vec![2], "{}", s.name);
    }
}

fn refusing_hook(_: &mut dyn Conn) -> xianfeng_store::Result<()> {
    Err(StoreError::Conflict("hook refused".into()))
}

#[test]
fn a_failing_hook_leaves_its_version_unapplied() {
    for s in unmigrated_backends() {
        let err = s.migrate_to(i64::MAX, &[(3, refusing_hook)]).unwrap_err();
        assert!(
            err.to_string().contains("hook refused"),
            "{}: {err}",
            s.name
        );
        // Version 3 was not recorded and its SQL did not stay: applying again applies it.
        let applied = s.migrate_to(i64::MAX, &[]).unwrap();
        assert!(applied.contains(&3), "{}: {applied:?}", s.name);
        s.read(|c| c.scalar("SELECT COUNT(*) FROM files", &[]))
            .unwrap();
    }
}

/// A tree as a release before migration 5 left it: a county, a town, a village branch with
/// two members, and only the members roll-up (no towns or village-branch metrics).
fn old_tree(c: &mut dyn Conn) -> xianfeng_store::Result<()> {
    let now = "2025-01-01T00:00:00+08:00";
    for (id, parent, path, name, kind, domain) in [
        (1, None, "/1/", "测试县委", "县委", "机关"),
        (2, Some(1), "/1/2/", "甲镇党委", "党委", "机关"),
        (3, Some(2), "/1/2/3/", "东村党支部", "党支部", "农村"),
    ] {
        c.execute(
            "INSERT INTO orgs (id, parent_id, root_id, path, depth, name, kind, domain, committee_size, created_at)
             VALUES (?, ?, 1, ?, ?, ?, ?, ?, 0, ?)",
            vals![id, parent, path, path.matches('/').count() as i64 - 1, name, kind, domain, now],
        )?;
    }
    for n in 1..=2i64 {
        c.execute(
            "INSERT INTO members (id, org_id, root_id, org_path, name, gender, ethnicity, birth_date,
                 id_cipher, id_hash, id_masked, joined_on, status, created_at, updated_at)
             VALUES (?, 3, 1, '/1/2/3/', ?, '男', '汉族', '1970-01-01', ?, ?, '', '2015-07-01', '正式党员', ?, ?)",
            &[
                n.into(),
                format!("党员{n}").into(),
                Value::Blob(vec![0]),
                format!("hash{n}").into(),
                now.into(),
                now.into(),
            ],
        )?;
    }
    for (org, direct, subtree) in [(1, 0, 2), (2, 0, 2), (3, 2, 2)] {
        c.execute(
            "INSERT INTO rollups (org_id, metric, period, direct, subtree) VALUES (?, 'members', '', ?, ?)",
            vals![org, direct, subtree],
        )?;
    }
    Ok(())
}

#[test]
fn a_store_made_before_migration_5_gets_its_rollups_rebuilt_once() {
    for s in unmigrated_backends() {
        assert_eq!(
            s.migrate_to(4, migrations::HOOKS).unwrap(),
            vec![1, 2, 3, 4]
        );
        s.write(old_tree).unwrap();
        s.migrate().unwrap();
        s.read(|c| -> xianfeng_store::Result<_> {
            assert_eq!(rollup::get(c, 1, rollup::TOWNS, "")?, (0, 1), "{}", s.name);
            assert_eq!(rollup::get(c, 2, rollup::RURAL_BRANCHES, "")?, (0, 1));
            assert_eq!(rollup::get(c, 1, rollup::FULL_MEMBERS, "")?, (0, 2));
            assert_eq!(rollup::stored(c)?, rollup::compute(c)?, "{}", s.name);
            Ok(())
        })
        .unwrap();
        // Once: migrating an up-to-date store again does not rebuild.
        s.write(|c| c.execute("DELETE FROM rollups WHERE metric = ?", vals![rollup::TOWNS]))
            .unwrap();
        s.migrate().unwrap();
        s.read(|c| -> xianfeng_store::Result<_> {
            assert_eq!(rollup::get(c, 1, rollup::TOWNS, "")?, (0, 0), "{}", s.name);
            Ok(())
        })
        .unwrap();
    }
}
