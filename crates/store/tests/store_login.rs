//! Login throttling on both backends, with the clock passed in: a pair's refusals grow and are
//! audited once each, other accounts and other addresses are untouched, user names that do
//! not exist are counted per address, failures are forgotten in time, and an administrator's
//! unlock clears every address of one account.

use xianfeng_domain::auth::Role;
use xianfeng_domain::login::{self, Gate};
use xianfeng_domain::rules::Rules;
use xianfeng_store::people::accounts::{self, Failure};
use xianfeng_store::testing::{backends, org, TestStore};
use xianfeng_store::Conn;

const T0: i64 = 1_800_000_000;

/// A county with a town; accounts `town_admin` (id returned) and `county_admin`.
fn setup(s: &TestStore) -> (i64, i64, String) {
    s.write(|c| -> xianfeng_store::Result<_> {
        let county = org(c, None, "测试县委", "县委");
        let town = org(c, Some(&county), "甲镇党委", "党委");
        let mk = |c: &mut dyn Conn, name: &str, role: Role, org_id: i64| {
            accounts::create(
                c,
                &accounts::NewAccount {
                    username: name,
                    display_name: name,
                    password_hash: "x",
                    role,
                    org_id,
                    member_id: None,
                },
            )
        };
        let town_admin = mk(c, "town_admin", Role::TownAdmin, town.id)?;
        let county_admin = mk(c, "county_admin", Role::CountyAdmin, county.id)?;
        Ok((town_admin, county_admin, county.path))
    })
    .unwrap()
}

fn fail(
    s: &TestStore,
    rules: &Rules,
    user: &str,
    ip: &str,
    account: Option<i64>,
    now: i64,
) -> login::AfterFailure {
    let f = Failure {
        username: user,
        address: ip,
        account_id: account,
    };
    s.write(|c| accounts::login_failed(c, rules, &f, now))
        .unwrap()
}

fn gate(s: &TestStore, rules: &Rules, user: &str, ip: &str, now: i64) -> Gate {
    let (pair, unknown) = s
        .read(|c| -> xianfeng_store::Result<_> {
            let pair = accounts::login_pair(c, user, ip, now - rules.login_forget_hours * 3600)?;
            let unknown = accounts::unknown_failures(c, ip, now - rules.login_window_minutes * 60)?;
            Ok((pair, unknown))
        })
        .unwrap();
    login::gate(rules, pair, unknown, now)
}

fn audited(s: &TestStore, action: &str) -> i64 {
    s.read(|c| {
        c.scalar(
            "SELECT COUNT(*) FROM audit_log WHERE action = ?",
            xianfeng_store::vals![action],
        )
    })
    .unwrap()
}

#[test]
fn a_pairs_refusals_double_up_to_the_cap_and_each_is_audited_once() {
    for s in backends() {
        let (town_admin, _, _) = setup(&s);
        let rules = Rules {
            login_delay_max_minutes: 8,
            ..Rules::default()
        };
        let ip = "10.0.0.1";
        let mut now = T0;
        for n in 1..=4 {
            let a = fail(&s, &rules, "town_admin", ip, Some(town_admin), now);
            assert_eq!(a.refuse_minutes, None, "{} failure {n}", s.name);
            assert_eq!(gate(&s, &rules, "town_admin", ip, now), Gate::Open);
        }
        assert_eq!(audited(&s, "account.lockout"), 0);
        // the fifth failure refuses the pair for 1 minute, then 2, 4, 8, 8 …
        for (n, minutes) in [(5, 1), (6, 2), (7, 4), (8, 8), (9, 8)] {
            let a = fail(&s, &rules, "town_admin", ip, Some(town_admin), now);
            assert_eq!(a.refuse_minutes, Some(minutes), "{} failure {n}", s.name);
            assert_eq!(
                gate(&s, &rules, "town_admin", ip, now),
                Gate::Refuse { minutes },
                "{}",
                s.name
            );
            // refused until the time is up: still refused a second before, open after
            assert_eq!(
                gate(&s, &rules, "town_admin", ip, now + minutes * 60 - 1),
                Gate::Refuse { minutes: 1 }
            );
            now += minutes * 60;
            assert_eq!(gate(&s, &rules, "town_admin", ip, now), Gate::Open);
            assert_eq!(audited(&s, "account.lockout"), n - 4, "{}", s.name);
        }
        // the last entry says which address, after how many failures, for how long
        let last = s
            .read(|c| {
                c.scalar(
                    "SELECT COUNT(*) FROM audit_log WHERE action = 'account.lockout'
                     AND after_json LIKE ? AND after_json LIKE ? AND after_json LIKE ?",
                    xianfeng_store::vals![
                        "%\"failures\":9%",
                        format!("%\"ip\":\"{ip}\"%"),
                        "%\"minutes\":8%"
                    ],
                )
            })
            .unwrap();
        assert_eq!(last, 1, "{}", s.name);
    }
}

#[test]
fn one_address_failing_one_account_leaves_other_accounts_and_addresses_alone() {
    for s in backends() {
        let (town_admin, _, _) = setup(&s);
        let rules = Rules::default();
        let office = "203.0.113.7";
        for _ in 0..40 {
            fail(&s, &rules, "town_admin", office, Some(town_admin), T0);
        }
        assert!(matches!(
            gate(&s, &rules, "town_admin", office, T0),
            Gate::Refuse { .. }
        ));
        // another account behind the same address, and the same account elsewhere
        assert_eq!(gate(&s, &rules, "county_admin", office, T0), Gate::Open);
        assert_eq!(
            gate(&s, &rules, "town_admin", "198.51.100.9", T0),
            Gate::Open
        );
        // and no address limit: the failures were on an account that exists
        assert_eq!(
            s.read(|c| accounts::unknown_failures(c, office, T0 - 900))
                .unwrap(),
            0
        );
    }
}

#[test]
fn unknown_user_names_are_counted_per_address_and_limit_it_once() {
    for s in backends() {
        let (town_admin, _, _) = setup(&s);
        let rules = Rules::default();
        let limit = rules.login_max_unknown_per_ip;
        let ip = "192.0.2.1";
        for n in 1..limit {
            let a = fail(&s, &rules, &format!("guess{n}"), ip, None, T0);
            assert_eq!(a.refuse_minutes, None, "{} guess {n}", s.name);
        }
        let a = fail(&s, &rules, "guess-last", ip, None, T0);
        assert_eq!(a.refuse_minutes, Some(rules.login_window_minutes));
        assert!(a.address_now_limited);
        let more = fail(&s, &rules, "guess-more", ip, None, T0);
        assert_eq!(more.refuse_minutes, Some(rules.login_window_minutes));
        assert_eq!(audited(&s, "login.address_limit"), 1, "{}", s.name);
        // a known account's wrong password from there is answered the same way
        let known = fail(&s, &rules, "town_admin", ip, Some(town_admin), T0);
        assert_eq!(known.refuse_minutes, more.refuse_minutes);
        // pairs that failed from the limited address are refused unchecked; fresh ones open
        assert!(matches!(
            gate(&s, &rules, "guess1", ip, T0),
            Gate::Refuse { .. }
        ));
        assert!(matches!(
            gate(&s, &rules, "town_admin", ip, T0),
            Gate::Refuse { .. }
        ));
        assert_eq!(gate(&s, &rules, "county_admin", ip, T0), Gate::Open);
        // other addresses are not limited, and the limit passes with the window
        assert_eq!(gate(&s, &rules, "guess1", "192.0.2.2", T0), Gate::Open);
        let later = T0 + rules.login_window_minutes * 60;
        assert_eq!(gate(&s, &rules, "guess1", ip, later), Gate::Open);
    }
}

#[test]
fn failures_are_forgotten_after_the_forget_hours_and_by_an_unlock() {
    for s in backends() {
        let (town_admin, county_admin, county_path) = setup(&s);
        let rules = Rules::default();
        for ip in ["10.0.0.1", "10.0.0.2"] {
            for _ in 0..5 {
                fail(&s, &rules, "town_admin", ip, Some(town_admin), T0);
            }
        }
        fail(
            &s,
            &rules,
            "county_admin",
            "10.0.0.1",
            Some(county_admin),
            T0,
        );
        let restricted = s
            .read(|c| accounts::restricted_in(c, &county_path, &rules, T0))
            .unwrap();
        assert_eq!(restricted, vec![(town_admin, T0 + 60)], "{}", s.name);
        // an unlock clears every address of that account, and only that account
        assert_eq!(s.write(|c| accounts::unlock(c, "town_admin")).unwrap(), 2);
        for ip in ["10.0.0.1", "10.0.0.2"] {
            assert_eq!(gate(&s, &rules, "town_admin", ip, T0), Gate::Open);
        }
        assert_eq!(s.write(|c| accounts::unlock(c, "town_admin")).unwrap(), 0);
        assert_eq!(
            s.read(|c| accounts::login_pair(c, "county_admin", "10.0.0.1", 0))
                .unwrap()
                .failures,
            1
        );
        // a day later the pair starts again from its first failure
        let next_day = T0 + rules.login_forget_hours * 3600 + 1;
        fail(
            &s,
            &rules,
            "county_admin",
            "10.0.0.1",
            Some(county_admin),
            next_day,
        );
        assert_eq!(
            s.read(|c| accounts::login_pair(c, "county_admin", "10.0.0.1", 0))
                .unwrap()
                .failures,
            1,
            "{}",
            s.name
        );
        // a success forgets its own pair only
        s.write(|c| accounts::login_succeeded(c, "county_admin", "10.0.0.1"))
            .unwrap();
        assert_eq!(
            s.read(|c| accounts::login_pair(c, "county_admin", "10.0.0.1", 0))
                .unwrap(),
            login::Pair::default()
        );
    }
}

#[test]
fn a_failure_arriving_after_the_pair_was_refused_is_not_counted_again() {
    for s in backends() {
        let (town_admin, _, _) = setup(&s);
        let rules = Rules::default();
        let ip = "10.0.0.9";
        for _ in 0..5 {
            fail(&s, &rules, "town_admin", ip, Some(town_admin), T0);
        }
        // a request that passed the gate just before the refusal was written
        let late = fail(&s, &rules, "town_admin", ip, Some(town_admin), T0 + 10);
        assert_eq!(late.refuse_minutes, Some(1), "{}", s.name);
        assert_eq!(late.lock_minutes, 0);
        let pair = s
            .read(|c| accounts::login_pair(c, "town_admin", ip, 0))
            .unwrap();
        assert_eq!(
            pair,
            login::Pair {
                failures: 5,
                locked_until: T0 + 60
            },
            "{}",
            s.name
        );
        assert_eq!(audited(&s, "account.lockout"), 1);
    }
}
