//! Migrations on both backends: each version's hook runs once, in its version's transaction;
//! a store made before migration 5 gets its roll-ups rebuilt; migration 8 keeps the data of
//! the tables it rebuilds; migration 10 starts login throttling afresh, per pair.

use std::sync::Mutex;

use xianfeng_domain::auth::Role;
use xianfeng_domain::rules::Rules;
use xianfeng_store::engines::rollup;
use xianfeng_store::migrations::{self, Hook};
use xianfeng_store::people::{accounts, orgs, public_slugs};
use xianfeng_store::testing::{org, unmigrated_backends};
use xianfeng_store::{files, settings, vals, Conn, Dialect, StoreError, Value};

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
            // Migration 9 stored the labels as codes; the organisations read back as they were.
            let kinds: Vec<String> = c
                .query("SELECT kind FROM orgs ORDER BY id", &[])?
                .iter()
                .map(|r| r.text(0))
                .collect::<xianfeng_store::Result<_>>()?;
            assert_eq!(kinds, ["county", "committee", "branch"], "{}", s.name);
            let m = c.query_one("SELECT gender, status FROM members WHERE id = 1", &[])?;
            assert_eq!((m.text(0)?, m.text(1)?), ("male".into(), "full".into()));
            let branch = xianfeng_store::people::orgs::require(c, 3)?;
            assert_eq!(branch.kind, xianfeng_domain::org::OrgKind::Branch);
            assert_eq!(branch.domain, xianfeng_domain::org::OrgDomain::Rural);
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

#[test]
fn migration_8_keeps_sessions_settings_and_attached_files() {
    for s in unmigrated_backends() {
        assert_eq!(s.migrate_to(7, migrations::HOOKS).unwrap(), after(0)[..7]);
        let (token, sha) = s
            .write(|c| -> xianfeng_store::Result<_> {
                // As a release of version 7 made it (today's `orgs::create` writes later columns).
                c.execute(
                    "INSERT INTO orgs (id, parent_id, root_id, path, depth, name, kind, domain, committee_size, created_at)
                     VALUES (1, NULL, 1, '/1/', 1, '测试县委', 'county', 'government', 0, '2025-01-01T00:00:00+08:00')",
                    &[],
                )?;
                let county = orgs::require(c, 1)?;
                let account = accounts::create(
                    c,
                    &accounts::NewAccount {
                        username: "county_admin",
                        display_name: "县委组织部",
                        password_hash: "x",
                        role: Role::CountyAdmin,
                        org_id: county.id,
                        member_id: None,
                    },
                )?;
                let (token, _) = accounts::start_session(c, account, 8, "127.0.0.1")?;
                let rules = Rules {
                    branch_max_members: 40,
                    ..Rules::default()
                };
                settings::save_rules(c, &rules)?;
                let sha = files::put(c, "image/png", b"photo")?;
                c.execute(
                    "INSERT INTO meetings (id, org_id, org_path, kind, held_on, topic, created_at, updated_at)
                     VALUES (1, ?, ?, '支委会', '2026-01-05', '学习', '', '')",
                    vals![county.id, county.path.as_str()],
                )?;
                c.execute(
                    "INSERT INTO meeting_photos (meeting_id, sha256, name) VALUES (1, ?, 'a.png')",
                    vals![sha.as_str()],
                )?;
                Ok((token, sha))
            })
            .unwrap();
        assert_eq!(s.migrate_to(8, migrations::HOOKS).unwrap(), vec![8]);
        s.read(|c| -> xianfeng_store::Result<_> {
            assert!(accounts::session(c, &token)?.is_some(), "{}", s.name);
            assert_eq!(settings::rules(c)?.branch_max_members, 40);
            assert_eq!(files::get(c, &sha)?.map(|f| f.1), Some(b"photo".to_vec()));
            assert_eq!(
                c.scalar(
                    "SELECT COUNT(*) FROM meeting_photos WHERE sha256 = ?",
                    vals![sha.as_str()]
                )?,
                1
            );
            if c.dialect() == Dialect::Sqlite {
                assert!(c.query("PRAGMA foreign_key_check", &[])?.is_empty());
            }
            Ok(())
        })
        .unwrap();
        // A NULL key is refused on both backends now.
        for sql in [
            "INSERT INTO settings (key, value) VALUES (NULL, 'x')",
            "INSERT INTO files (sha256, mime, size, bytes, created_at) VALUES (NULL, 'x', 0, X'00', '')",
        ] {
            let sql = if s.dialect() == Dialect::Postgres {
                sql.replace("X'00'", "'\\x00'::bytea")
            } else {
                sql.to_string()
            };
            let err = s.write(|c| c.execute(&sql, &[])).unwrap_err().to_string();
            // (PostgreSQL's message here is only "db error".)
            if s.dialect() == Dialect::Sqlite {
                assert!(err.contains("NOT NULL constraint failed"), "{sql}: {err}");
            }
        }
        // And an attachment still needs its file.
        let orphan = s.write(|c| {
            c.execute(
                "INSERT INTO meeting_photos (meeting_id, sha256, name) VALUES (1, 'missing', 'b.png')",
                &[],
            )
        });
        assert!(orphan.is_err(), "{}", s.name);
    }
}

#[test]
fn migration_10_drops_the_old_per_account_and_per_address_counts() {
    for s in unmigrated_backends() {
        s.migrate_to(8, migrations::HOOKS).unwrap();
        s.write(|c| -> xianfeng_store::Result<_> {
            for key in ["user:county_admin", "ip:203.0.113.7"] {
                c.execute(
                    "INSERT INTO login_failures (key, at) VALUES (?, ?)",
                    vals![key, accounts::epoch()],
                )?;
            }
            Ok(())
        })
        .unwrap();
        assert!(s.migrate_to(10, migrations::HOOKS).unwrap().contains(&10));
        s.read(|c| -> xianfeng_store::Result<_> {
            // the county administrator is no longer locked by failures counted the old way
            assert_eq!(
                c.scalar("SELECT COUNT(*) FROM login_failures", &[])?,
                0,
                "{}",
                s.name
            );
            assert_eq!(c.scalar("SELECT COUNT(*) FROM login_pairs", &[])?, 0);
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn a_store_made_before_migration_11_gets_a_public_address_for_every_organisation() {
    for s in unmigrated_backends() {
        s.migrate_to(4, migrations::HOOKS).unwrap();
        s.write(old_tree).unwrap();
        s.migrate().unwrap();
        s.read(|c| -> xianfeng_store::Result<_> {
            let slugs = public_slugs::of_many(c, &[1, 2, 3])?;
            assert_eq!(slugs.len(), 3, "{}", s.name);
            let distinct: std::collections::BTreeSet<&String> = slugs.values().collect();
            assert_eq!(distinct.len(), 3, "{}: {slugs:?}", s.name);
            for (id, slug) in &slugs {
                assert!(
                    xianfeng_domain::org::is_public_slug(slug),
                    "{}: {slug}",
                    s.name
                );
                assert_eq!(public_slugs::find(c, slug)?.map(|o| o.id), Some(*id));
            }
            Ok(())
        })
        .unwrap();
        // New organisations get theirs when they are made.
        let town = s
            .write(|c| {
                if c.dialect() == Dialect::Postgres {
                    // The old tree was written with its ids; the identity goes on after them.
                    c.query(
                        "SELECT setval(pg_get_serial_sequence('orgs', 'id'), 3)",
                        &[],
                    )?;
                }
                let county = orgs::require(c, 1)?;
                Ok::<_, StoreError>(org(c, Some(&county), "乙镇党委", "党委"))
            })
            .unwrap();
        let slug = s.read(|c| public_slugs::of(c, town.id)).unwrap();
        assert!(xianfeng_domain::org::is_public_slug(&slug), "{}", s.name);
        assert_eq!(
            s.read(|c| public_slugs::find(c, &slug))
                .unwrap()
                .map(|o| o.id),
            Some(town.id)
        );
        // A unique column: a second organisation cannot take the same address.
        let taken = s.write(|c| {
            c.execute(
                "UPDATE orgs SET public_slug = ? WHERE id = 1",
                vals![slug.as_str()],
            )
        });
        assert!(taken.is_err(), "{}", s.name);
    }
}
