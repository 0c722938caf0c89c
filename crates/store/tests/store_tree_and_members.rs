//! Store behaviour on both backends: tree moves, roll-ups, members, audit chain, sessions.

use chrono::NaiveDate;
use xianfeng_domain::auth::Role;
use xianfeng_domain::org::{structural_warnings, Org};
use xianfeng_domain::rules::Rules;
use xianfeng_domain::{idcard, Invalid};
use xianfeng_store::testing::{admin, backends, TestStore};
use xianfeng_store::{
    audit, engines::rollup, people::accounts, people::members, people::orgs, StoreError,
};

use xianfeng_store::testing::{add_member, member_input, org};

struct Tree {
    county: Org,
    town_a: Org,
    town_b: Org,
    branch_a1: Org,
    branch_a2: Org,
}

fn tree(s: &TestStore) -> Tree {
    s.write(|c| -> xianfeng_store::Result<_> {
        let county = org(c, None, "测试县委", "县委");
        let town_a = org(c, Some(&county), "甲镇党委", "党委");
        let town_b = org(c, Some(&county), "乙镇党委", "党委");
        let branch_a1 = org(c, Some(&town_a), "甲一村党支部", "党支部");
        let branch_a2 = org(c, Some(&town_a), "甲二村党支部", "党支部");
        Ok(Tree {
            county,
            town_a,
            town_b,
            branch_a1,
            branch_a2,
        })
    })
    .unwrap()
}

#[test]
fn rollups_follow_member_creation_transfer_and_subtree_move() {
    for s in backends() {
        let t = tree(&s);
        for n in 0..4 {
            add_member(&s, &t.branch_a1, n, "正式党员");
        }
        let m5 = add_member(&s, &t.branch_a2, 5, "预备党员");
        s.read(|c| -> xianfeng_store::Result<_> {
            assert_eq!(orgs::totals(c, t.county.id)?.members, 5, "{}", s.name);
            assert_eq!(orgs::totals(c, t.county.id)?.full_members, 4);
            assert_eq!(orgs::totals(c, t.town_a.id)?.branches, 2);
            assert_eq!(orgs::totals(c, t.county.id)?.orgs, 5);
            Ok(())
        })
        .unwrap();

        let actor = admin(&t.county);
        s.write(|c| {
            let m = members::require(c, m5)?;
            members::transfer(c, &actor, &m, &t.branch_a1, "2026-11-01", "工作调动")
        })
        .unwrap();
        s.write(|c| orgs::move_to(c, &actor, &t.branch_a1, &t.town_b))
            .unwrap();

        s.read(|c| -> xianfeng_store::Result<_> {
            assert_eq!(orgs::totals(c, t.town_a.id)?.members, 0, "{}", s.name);
            assert_eq!(orgs::totals(c, t.town_b.id)?.members, 5);
            assert_eq!(orgs::totals(c, t.town_b.id)?.branches, 1);
            assert_eq!(orgs::totals(c, t.county.id)?.members, 5);
            let moved = orgs::require(c, t.branch_a1.id)?;
            assert_eq!(moved.path, format!("{}{}/", t.town_b.path, t.branch_a1.id));
            let page = members::list(c, &t.town_b.path, &members::Filter::default(), 0, 20)?;
            assert_eq!(page.items.len(), 5);
            assert!(page.items.iter().all(|m| m.org_path == moved.path));
            assert_eq!(members::transfers(c, m5)?.len(), 1);
            // The incremental figures equal a full recomputation.
            assert_eq!(rollup::stored(c)?, rollup::compute(c)?);
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn moving_an_organisation_under_its_own_descendant_is_refused_and_changes_nothing() {
    for s in backends() {
        let t = tree(&s);
        let actor = admin(&t.county);
        let err = s
            .write(|c| orgs::move_to(c, &actor, &t.town_a, &t.branch_a1))
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Invalid(ref i) if i.to_string().contains("循环")),
            "{err}"
        );
        s.read(|c| -> xianfeng_store::Result<_> {
            assert_eq!(orgs::require(c, t.town_a.id)?.path, t.town_a.path);
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn duplicate_id_number_is_refused_with_the_existing_name() {
    for s in backends() {
        let t = tree(&s);
        add_member(&s, &t.branch_a1, 1, "正式党员");
        let d = member_input(1, "正式党员")
            .validate(
                &Rules::default(),
                NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
                None,
            )
            .unwrap();
        let err = s
            .write(|c| members::create(c, &s.vault, None, &t.branch_a2, &d))
            .unwrap_err();
        match err {
            StoreError::Invalid(Invalid(e)) => {
                assert_eq!(e[0].field, "id_number");
                assert!(e[0].message.contains("党员1"), "{}", e[0].message);
            }
            other => panic!("{other}"),
        }
        s.read(|c| -> xianfeng_store::Result<_> {
            assert_eq!(orgs::totals(c, t.county.id)?.members, 1, "{}", s.name);
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn members_can_only_join_active_branches() {
    for s in backends() {
        let t = tree(&s);
        let d = member_input(1, "正式党员")
            .validate(
                &Rules::default(),
                NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
                None,
            )
            .unwrap();
        let err = s
            .write(|c| members::create(c, &s.vault, None, &t.town_a, &d))
            .unwrap_err();
        assert!(err.to_string().contains("党支部"), "{err}");
    }
}

#[test]
fn personal_data_is_encrypted_at_rest_and_revealed_only_through_the_vault() {
    for s in backends() {
        let t = tree(&s);
        let id = add_member(&s, &t.branch_a1, 3, "正式党员");
        let expected = member_input(3, "正式党员").id_number;
        s.read(|c| -> xianfeng_store::Result<_> {
            let r = c.query_one(
                "SELECT id_cipher, id_masked FROM members WHERE id = ?",
                &[id.into()],
            )?;
            let cipher = r.blob(0)?;
            assert!(!String::from_utf8_lossy(&cipher).contains(&expected));
            assert_eq!(r.text(1)?, idcard::mask(&expected));
            Ok(())
        })
        .unwrap();
        let actor = admin(&t.county);
        let (shown, phone) = s
            .write(|c| {
                let m = members::require(c, id)?;
                members::reveal(c, &s.vault, &actor, &m)
            })
            .unwrap();
        assert_eq!(shown, expected);
        assert_eq!(phone.as_deref(), Some("13900000003"));
    }
}

#[test]
fn dissolving_needs_an_empty_organisation_and_keeps_the_row() {
    for s in backends() {
        let t = tree(&s);
        add_member(&s, &t.branch_a1, 1, "正式党员");
        let actor = admin(&t.county);
        let err = s
            .write(|c| orgs::dissolve(c, &actor, &t.branch_a1, "2026-11-22"))
            .unwrap_err();
        assert!(err.to_string().contains("党员"), "{err}");
        let err = s
            .write(|c| orgs::dissolve(c, &actor, &t.town_a, "2026-11-22"))
            .unwrap_err();
        assert!(err.to_string().contains("下级组织"), "{err}");
        s.write(|c| orgs::dissolve(c, &actor, &t.branch_a2, "2026-11-22"))
            .unwrap();
        s.read(|c| -> xianfeng_store::Result<_> {
            assert_eq!(
                orgs::require(c, t.branch_a2.id)?.dissolved_on.as_deref(),
                Some("2026-11-22")
            );
            assert_eq!(orgs::totals(c, t.town_a.id)?.branches, 1);
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn member_list_filters_by_name_and_tag_within_the_subtree() {
    for s in backends() {
        let t = tree(&s);
        let mut input = member_input(7, "正式党员");
        input.name = "王秀英".into();
        input.tags = "老党员、困难党员".into();
        let d = input
            .validate(
                &Rules::default(),
                NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
                None,
            )
            .unwrap();
        s.write(|c| members::create(c, &s.vault, None, &t.branch_a2, &d))
            .unwrap();
        add_member(&s, &t.branch_a1, 8, "正式党员");
        s.read(|c| -> xianfeng_store::Result<_> {
            let f = members::Filter {
                q: "秀".into(),
                tag: String::new(),
            };
            assert_eq!(members::list(c, &t.county.path, &f, 0, 20)?.items.len(), 1);
            let f = members::Filter {
                q: String::new(),
                tag: "老党员".into(),
            };
            assert_eq!(
                members::list(c, &t.town_a.path, &f, 0, 20)?.items[0]
                    .member
                    .name,
                "王秀英"
            );
            assert!(members::list(c, &t.branch_a1.path, &f, 0, 20)?
                .items
                .is_empty());
            assert!(
                members::list(c, &t.town_b.path, &members::Filter::default(), 0, 20)?
                    .items
                    .is_empty()
            );
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn audit_chain_verifies_and_tampering_is_detected() {
    for s in backends() {
        let t = tree(&s);
        let id = add_member(&s, &t.branch_a1, 1, "正式党员");
        add_member(&s, &t.branch_a1, 2, "正式党员");
        let n = s.read(audit::verify).unwrap().sound().unwrap();
        assert_eq!(n, 7, "{}", s.name);

        // An ordinary UPDATE is refused by the database itself.
        assert!(s
            .write(|c| c.execute("UPDATE audit_log SET actor_name = 'x' WHERE seq = 1", &[]))
            .is_err());

        // Someone with raw access drops the guard and alters a member's entry.
        let drop_guard = match s.dialect() {
            xianfeng_store::Dialect::Sqlite => "DROP TRIGGER audit_log_no_update",
            xianfeng_store::Dialect::Postgres => "DROP TRIGGER audit_log_no_change ON audit_log",
        };
        s.write(|c| c.execute(drop_guard, &[])).unwrap();
        s.write(|c| {
            c.execute(
                "UPDATE audit_log SET after_json = REPLACE(after_json, '党员1', '张三') WHERE entity = 'member' AND entity_id = ?",
                &[id.into()],
            )
        })
        .unwrap();
        let err = s.read(audit::verify).unwrap().broken().unwrap();
        assert_eq!(
            err,
            xianfeng_domain::audit::ChainError::HashMismatch { seq: 6 },
            "{}",
            s.name
        );
    }
}

#[test]
fn deleting_an_audit_row_is_detected() {
    for s in backends() {
        let t = tree(&s);
        add_member(&s, &t.branch_a1, 1, "正式党员");
        let drop_guard = match s.dialect() {
            xianfeng_store::Dialect::Sqlite => "DROP TRIGGER audit_log_no_delete",
            xianfeng_store::Dialect::Postgres => "DROP TRIGGER audit_log_no_change ON audit_log",
        };
        s.write(|c| c.execute(drop_guard, &[])).unwrap();
        s.write(|c| c.execute("DELETE FROM audit_log WHERE seq = 3", &[]))
            .unwrap();
        let err = s.read(audit::verify).unwrap().broken().unwrap();
        assert!(
            matches!(
                err,
                xianfeng_domain::audit::ChainError::Gap {
                    seq: 4,
                    expected: 3
                }
            ),
            "{err}"
        );
    }
}

#[test]
fn a_failed_write_leaves_nothing_behind() {
    for s in backends() {
        let t = tree(&s);
        let before = s
            .read(|c| c.scalar("SELECT COUNT(*) FROM audit_log", &[]))
            .unwrap();
        let result: Result<(), StoreError> = s.write(|c| {
            let d = member_input(1, "正式党员")
                .validate(
                    &Rules::default(),
                    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
                    None,
                )
                .unwrap();
            members::create(c, &s.vault, None, &t.branch_a1, &d)?;
            Err(StoreError::Conflict("中途失败".into()))
        });
        assert!(result.is_err());
        s.read(|c| -> xianfeng_store::Result<_> {
            assert_eq!(
                c.scalar("SELECT COUNT(*) FROM members", &[])?,
                0,
                "{}",
                s.name
            );
            assert_eq!(c.scalar("SELECT COUNT(*) FROM audit_log", &[])?, before);
            assert_eq!(orgs::totals(c, t.county.id)?.members, 0);
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn sessions_resolve_to_the_scoped_actor_and_end_on_logout() {
    for s in backends() {
        let t = tree(&s);
        let hash = xianfeng_domain::auth::hash_password("xianfeng-demo").unwrap();
        let id = s
            .write(|c| {
                accounts::create(
                    c,
                    &accounts::NewAccount {
                        username: "town_admin",
                        display_name: "甲镇党建办",
                        password_hash: &hash,
                        role: Role::TownAdmin,
                        org_id: t.town_a.id,
                        member_id: None,
                    },
                )
            })
            .unwrap();
        let (token, csrf) = s
            .write(|c| accounts::start_session(c, id, 12, "127.0.0.1"))
            .unwrap();
        let (actor, got_csrf) = s.read(|c| accounts::session(c, &token)).unwrap().unwrap();
        assert_eq!(actor.scope_path, t.town_a.path);
        assert_eq!(actor.role, Role::TownAdmin);
        assert_eq!(got_csrf, csrf);
        assert!(s
            .read(|c| accounts::session(c, "forged"))
            .unwrap()
            .is_none());
        s.write(|c| accounts::end_session(c, &token)).unwrap();
        assert!(s.read(|c| accounts::session(c, &token)).unwrap().is_none());

        let failure = accounts::Failure {
            username: "town_admin",
            address: "1.2.3.4",
            account_id: None,
        };
        let rules = xianfeng_domain::rules::Rules::default();
        let now = accounts::epoch();
        s.write(|c| accounts::login_failed(c, &rules, &failure, now))
            .unwrap();
        assert_eq!(
            s.read(|c| accounts::login_pair(c, "town_admin", "1.2.3.4", 0))
                .unwrap()
                .failures,
            1
        );
        assert_eq!(
            s.read(|c| accounts::unknown_failures(c, "1.2.3.4", now - 60))
                .unwrap(),
            1
        );
        let dup = s.write(|c| {
            accounts::create(
                c,
                &accounts::NewAccount {
                    username: "town_admin",
                    display_name: "x",
                    password_hash: &hash,
                    role: Role::Member,
                    org_id: t.town_a.id,
                    member_id: None,
                },
            )
        });
        assert!(dup.is_err());
    }
}

#[test]
fn same_named_branches_get_qualified_labels_and_resolve_by_ancestry() {
    for s in backends() {
        let t = tree(&s);
        s.write(|c| -> xianfeng_store::Result<_> {
            org(c, Some(&t.town_a), "新村党支部", "党支部");
            org(c, Some(&t.town_b), "新村党支部", "党支部");
            Ok(())
        })
        .unwrap();
        s.read(|c| -> xianfeng_store::Result<_> {
            let labels: std::collections::HashMap<String, i64> =
                orgs::qualified_branch_names(c, &t.county)?
                    .into_iter()
                    .map(|(id, l)| (l, id))
                    .collect();
            assert!(labels.contains_key("甲镇党委/新村党支部"), "{labels:?}");
            assert!(labels.contains_key("乙镇党委/新村党支部"));
            assert!(
                labels.contains_key("甲一村党支部"),
                "unique names stay short"
            );
            let err = orgs::resolve_branch(c, &t.county, "新村党支部")?
                .missing()
                .unwrap();
            assert!(err.contains("2个同名党支部"), "{err}");
            let found = orgs::resolve_branch(c, &t.county, "乙镇党委 / 新村党支部")?
                .found()
                .unwrap();
            assert_eq!(Some(found.id), labels.get("乙镇党委/新村党支部").copied());
            // Inside one town the short name is enough.
            assert!(orgs::resolve_branch(c, &t.town_a, "新村党支部")?
                .found()
                .is_some());
            assert!(orgs::resolve_branch(c, &t.town_a, "乙镇党委/新村党支部")?
                .missing()
                .is_some());
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn general_branch_size_counts_the_members_of_its_branches() {
    for s in backends() {
        let t = tree(&s);
        let (big, small, big_branches, small_branch) = s
            .write(|c| -> xianfeng_store::Result<_> {
                let big = org(c, Some(&t.town_a), "东村党总支", "党总支");
                let small = org(c, Some(&t.town_a), "西村党总支", "党总支");
                let big_branches: Vec<Org> = ["第一党支部", "第二党支部", "第三党支部"]
                    .iter()
                    .map(|n| org(c, Some(&big), &format!("东村{n}"), "党支部"))
                    .collect();
                let small_branch = org(c, Some(&small), "西村第一党支部", "党支部");
                Ok((big, small, big_branches, small_branch))
            })
            .unwrap();
        let mut n = 100;
        for b in &big_branches {
            for _ in 0..20 {
                add_member(&s, b, n, "正式党员");
                n += 1;
            }
        }
        // Two full members and eight probationary ones.
        for i in 0..10 {
            let status = if i < 2 {
                "正式党员"
            } else {
                "预备党员"
            };
            add_member(&s, &small_branch, n, status);
            n += 1;
        }
        s.read(|c| -> xianfeng_store::Result<_> {
            let rules = xianfeng_store::settings::rules(c)?;
            let size = |w: &[xianfeng_domain::org::StructuralWarning]| {
                w.iter()
                    .find(|w| w.code == "general_branch_size")
                    .map(|w| w.message.clone())
            };
            // One organisation at a time (its page, the API).
            let own = structural_warnings(&big, orgs::counts(c, big.id)?, &rules);
            assert_eq!(size(&own), None, "{}: {own:?}", s.name);
            let own = structural_warnings(&small, orgs::counts(c, small.id)?, &rules);
            assert_eq!(
                size(&own).as_deref(),
                Some("党员10名，党总支一般应为50至100名"),
                "{}",
                s.name
            );
            // The subtree list (dashboard, warning page).
            let (list, _) = orgs::subtree_warnings(c, &t.county, &rules, 1000)?;
            let of = |id: i64| {
                list.iter()
                    .find(|(o, _)| o.id == id)
                    .and_then(|(_, w)| size(w))
            };
            assert_eq!(of(big.id), None, "{}", s.name);
            assert_eq!(
                of(small.id).as_deref(),
                Some("党员10名，党总支一般应为50至100名"),
                "{}",
                s.name
            );
            // A branch still counts its own members and its own full members.
            let (_, w) = list
                .iter()
                .find(|(o, _)| o.id == small_branch.id)
                .expect("branch of two full members is flagged");
            assert!(
                w.iter().any(
                    |w| w.code == "branch_too_few_full" && w.message.starts_with("正式党员2名")
                ),
                "{}: {w:?}",
                s.name
            );
            // 20 members without a committee is flagged.
            let (_, w) = list
                .iter()
                .find(|(o, _)| o.id == big_branches[0].id)
                .expect("branch of 20 without a committee is flagged");
            assert!(
                w.iter()
                    .any(|w| w.code == "committee_missing" && w.message.starts_with("党员20名")),
                "{w:?}"
            );
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn an_account_with_an_unknown_role_code_is_an_error_not_left_out() {
    for s in backends() {
        let t = tree(&s);
        s.write(|c| {
            c.execute(
                "INSERT INTO accounts (username, display_name, password_hash, role, org_id, created_at)
                 VALUES ('future', '新版本的角色', 'x', 'regional_admin', ?, '2026-01-01T00:00:00+08:00')",
                &[t.town_a.id.into()],
            )
        })
        .unwrap();
        let listed = s.read(|c| accounts::list_in(c, &t.county.path));
        match listed {
            Err(StoreError::Db(m)) => assert!(m.contains("regional_admin"), "{}: {m}", s.name),
            other => panic!("{}: {other:?}", s.name),
        }
    }
}
