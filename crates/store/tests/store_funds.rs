//! 经费 on both backends: budget lines roll up the tree, spending moves the balance, a spend
//! beyond the balance is refused and writes nothing, two spends racing for the last of a line
//! never both pass, and a reversal restores the balance once; the ledger is append-only.

use xianfeng_domain::auth::{Actor, Role};
use xianfeng_domain::funds::{BudgetInput, SpendInput};
use xianfeng_domain::org::Org;
use xianfeng_store::brands::funds;
use xianfeng_store::testing::{admin, backends, differences, org, snapshot, TestStore};
use xianfeng_store::StoreError;

struct Tree {
    county: Org,
    town: Org,
    other_town: Org,
    east: Org,
}

fn tree(s: &TestStore) -> Tree {
    s.write(|c| -> xianfeng_store::Result<_> {
        let county = org(c, None, "测试县委", "县委");
        let town = org(c, Some(&county), "甲镇党委", "党委");
        let other_town = org(c, Some(&county), "乙镇党委", "党委");
        let east = org(c, Some(&town), "东村党支部", "党支部");
        Ok(Tree {
            county,
            town,
            other_town,
            east,
        })
    })
    .unwrap()
}

fn actor(at: &Org, role: Role) -> Actor {
    Actor {
        role,
        scope_org_id: at.id,
        scope_path: at.path.clone(),
        ..admin(at)
    }
}

fn year() -> i32 {
    chrono::Datelike::year(&xianfeng_domain::date::today())
}

fn line(s: &TestStore, by: &Actor, at: &Org, amount: &str) -> i64 {
    s.write(|c| {
        funds::create_line(
            c,
            by,
            at,
            &BudgetInput {
                source: "财政预算".into(),
                year: year().to_string(),
                title: "村级组织活动经费".into(),
                amount: amount.into(),
            },
        )
    })
    .unwrap()
}

fn spend_input(amount: &str) -> SpendInput {
    SpendInput {
        day: xianfeng_domain::date::today().to_string(),
        amount: amount.into(),
        purpose: "购置党员活动室桌椅".into(),
        receipt: "凭-2026-018".into(),
    }
}

#[test]
fn spending_moves_the_balance_and_rolls_up_and_a_reversal_restores_it_once() {
    for s in backends() {
        let t = tree(&s);
        let town = actor(&t.town, Role::TownAdmin);
        let sec = actor(&t.east, Role::BranchSecretary);
        let id = line(&s, &town, &t.east, "10000");
        let spent = s
            .write(|c| funds::spend(c, &sec, id, &spend_input("2500.50")))
            .unwrap();
        let l = s.read(|c| funds::get(c, id)).unwrap();
        assert_eq!((l.amount_fen, l.spent_fen), (1_000_000, 250_050));
        assert_eq!(l.balance(), "7,499.50");
        for at in [t.east.id, t.town.id, t.county.id] {
            assert_eq!(
                s.read(|c| funds::totals(c, at, year())).unwrap(),
                (1_000_000, 250_050)
            );
        }
        assert_eq!(
            s.read(|c| funds::totals(c, t.other_town.id, year()))
                .unwrap(),
            (0, 0)
        );
        s.write(|c| funds::reverse(c, &town, spent, "金额录错"))
            .unwrap();
        assert_eq!(s.read(|c| funds::get(c, id)).unwrap().spent_fen, 0);
        assert_eq!(
            s.read(|c| funds::totals(c, t.county.id, year())).unwrap(),
            (1_000_000, 0)
        );
        let entries = s.read(|c| funds::entries(c, id)).unwrap();
        assert_eq!(entries.len(), 2);
        assert!(entries[0].reversed);
        assert_eq!(entries[1].amount_fen, -250_050);

        let before = snapshot(&s);
        let again = s.write(|c| funds::reverse(c, &town, spent, "再冲一次"));
        assert!(matches!(again, Err(StoreError::Conflict(_))), "{again:?}");
        assert_eq!(differences(&before, &snapshot(&s)), Vec::<String>::new());
        let tampered = s.write(|c| {
            c.execute(
                "UPDATE fund_entries SET amount_fen = 1 WHERE id = ?",
                xianfeng_store::vals![spent],
            )
        });
        assert!(tampered.is_err(), "the ledger is append-only");
    }
}

#[test]
fn refused_fund_actions_change_nothing() {
    for s in backends() {
        let t = tree(&s);
        let town = actor(&t.town, Role::TownAdmin);
        let other_town = actor(&t.other_town, Role::TownAdmin);
        let sec = actor(&t.east, Role::BranchSecretary);
        let id = line(&s, &town, &t.east, "100");
        s.write(|c| funds::spend(c, &sec, id, &spend_input("60")))
            .unwrap();
        let before = snapshot(&s);
        let over = s.write(|c| funds::spend(c, &sec, id, &spend_input("40.01")));
        match over {
            Err(StoreError::Invalid(i)) => {
                assert!(
                    i.for_field("amount").unwrap().contains("余 40.00 元"),
                    "{i}"
                )
            }
            other => panic!("expected a refusal, got {other:?}"),
        }
        assert!(s
            .write(|c| funds::spend(c, &sec, id, &SpendInput::default()))
            .is_err());
        assert!(matches!(
            s.write(|c| funds::spend(c, &other_town, id, &spend_input("1"))),
            Err(StoreError::NotFound(_))
        ));
        assert!(s
            .write(|c| funds::create_line(c, &sec, &t.east, &BudgetInput::default()))
            .is_err());
        assert!(matches!(
            s.write(|c| funds::create_line(c, &other_town, &t.east, &BudgetInput::default())),
            Err(StoreError::NotFound(_))
        ));
        assert_eq!(differences(&before, &snapshot(&s)), Vec::<String>::new());
        s.write(|c| funds::spend(c, &sec, id, &spend_input("40")))
            .unwrap();
        assert_eq!(s.read(|c| funds::get(c, id)).unwrap().balance_fen(), 0);
    }
}

#[test]
fn concurrent_spends_for_the_last_of_a_line_never_overspend() {
    for s in backends() {
        let t = tree(&s);
        let town = actor(&t.town, Role::TownAdmin);
        let sec = actor(&t.east, Role::BranchSecretary);
        let id = line(&s, &town, &t.east, "100");
        let results: Vec<bool> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..6)
                .map(|_| {
                    let (s, sec): (&xianfeng_store::Store, &Actor) = (&s, &sec);
                    scope.spawn(move || {
                        s.write(|c| funds::spend(c, sec, id, &spend_input("60")))
                            .is_ok()
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(results.iter().filter(|ok| **ok).count(), 1, "{}", s.name);
        let l = s.read(|c| funds::get(c, id)).unwrap();
        assert_eq!(l.spent_fen, 6000);
        assert_eq!(
            s.read(|c| funds::totals(c, t.county.id, year())).unwrap().1,
            6000
        );
    }
}
