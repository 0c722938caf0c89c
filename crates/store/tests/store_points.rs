//! 积分制 on both backends: the ledger stays balanced through random grants, deductions,
//! reversals and redemptions; caps, evidence and balances refuse bad requests with nothing
//! written; concurrent redemptions of the last item never oversell; leaderboards agree with
//! the ledger summed the obvious way.

use chrono::{Datelike, Duration, NaiveDate};
use proptest::prelude::*;
use xianfeng_domain::auth::{Actor, Role};
use xianfeng_domain::date;
use xianfeng_domain::household::ResidentInput;
use xianfeng_domain::org::Org;
use xianfeng_domain::points::{
    Audience, Caps, ClaimStatus, EarnDraft, ItemDraft, RedeemDraft, RuleDraft,
};
use xianfeng_store::points::point_claims::{self, By};
use xianfeng_store::testing::{add_member, admin, backends, org, TestStore};
use xianfeng_store::{
    people::households, points, points::point_board, points::point_rules, points::point_shop, Conn,
    StoreError,
};

struct World {
    county: Org,
    village: Org,
    secretary: Actor,
    grant: i64,
    capped: i64,
    fault: i64,
    evidence_rule: i64,
    shop: point_shop::Shop,
    household: households::Household,
    people: Vec<i64>,
    member: i64,
}

fn rule(action: &str, points: i64, caps: Caps, evidence: bool) -> RuleDraft {
    RuleDraft {
        action: action.into(),
        category: "测试".into(),
        points,
        audience: Audience::All,
        evidence_required: evidence,
        approval_required: false,
        caps,
        valid_from: None,
        valid_to: None,
        trigger: xianfeng_domain::points::Trigger::Manual,
    }
}

fn resident(name: &str, head: &str) -> ResidentInput {
    ResidentInput {
        head_name: head.into(),
        address: "东村1组8号".into(),
        name: name.into(),
        relation: if name == head { "户主" } else { "配偶" }.into(),
        ..ResidentInput::default()
    }
}

fn world(s: &TestStore) -> World {
    let (county, village) = s
        .write(|c| -> xianfeng_store::Result<_> {
            let county = org(c, None, "测试县委", "县委");
            let town = org(c, Some(&county), "甲镇党委", "党委");
            let village = org(c, Some(&town), "东村党支部", "党支部");
            Ok((county, village))
        })
        .unwrap();
    let member_id = add_member(s, &village, 1, "正式党员");
    let county_admin = admin(&county);
    s.write(|c| -> xianfeng_store::Result<_> {
        let grant = point_rules::create(
            c,
            None,
            &county,
            &rule("参加志愿服务", 5, Caps::default(), false),
        )?;
        let capped = point_rules::create(
            c,
            None,
            &county,
            &rule(
                "参加议事会议",
                3,
                Caps {
                    day: Some(6),
                    month: Some(9),
                    year: None,
                },
                false,
            ),
        )?;
        let fault = point_rules::create(
            c,
            None,
            &county,
            &rule("乱堆乱放", -4, Caps::default(), false),
        )?;
        let evidence_rule = point_rules::create(
            c,
            None,
            &county,
            &rule("美丽庭院", 20, Caps::default(), true),
        )?;
        let shop_id = point_shop::open(c, None, &village, "东村积分超市")?;
        let shop = point_shop::get(c, shop_id)?;
        for (name, price, stock) in [("洗衣粉", 10, 50), ("食用油", 40, 1)] {
            point_shop::stock_item(
                c,
                &county_admin,
                &shop,
                &ItemDraft {
                    name: name.into(),
                    price,
                    stock,
                },
            )?;
        }
        let mut people = Vec::new();
        for name in ["王建国", "李秀英"] {
            let d = resident(name, "王建国").validate().unwrap();
            let rid = households::add_resident(c, &s.vault, None, &village, &d)?;
            people.push(c.scalar(
                "SELECT id FROM point_accounts WHERE resident_id = ?",
                &[rid.into()],
            )?);
        }
        let hid = c.scalar("SELECT id FROM households", &[])?;
        let household = households::get(c, hid)?;
        let member = points::member_account(c, member_id)?.id;
        Ok(World {
            secretary: Actor {
                role: Role::BranchSecretary,
                scope_org_id: village.id,
                scope_path: village.path.clone(),
                ..admin(&village)
            },
            county: county.clone(),
            village: village.clone(),
            grant,
            capped,
            fault,
            evidence_rule,
            shop,
            household,
            people,
            member,
        })
    })
    .unwrap()
}

/// Day `n` of the current month (caps and totals then fall in one month and one year).
fn day(n: i64) -> NaiveDate {
    let today = date::today();
    today.with_day(1).unwrap() + Duration::days(n)
}

fn earn(s: &TestStore, w: &World, person: i64, rule: i64, n: i64) -> Result<i64, StoreError> {
    let d = EarnDraft {
        rule_id: rule,
        day: day(n),
        note: String::new(),
    };
    s.write(|c| point_claims::earn(c, By::Cadre(&w.secretary), person, &d, None))
        .map(|(id, _)| id)
}

fn balanced(c: &mut dyn Conn) {
    assert_eq!(points::check(c).unwrap(), xianfeng_store::Check::Sound(()));
}

fn redeem(
    s: &xianfeng_store::Store,
    w: &World,
    code: &str,
    item: &str,
    quantity: i64,
) -> Result<point_shop::Receipt, StoreError> {
    s.write(|c| -> xianfeng_store::Result<_> {
        let item_id = c.scalar("SELECT id FROM point_items WHERE name = ?", &[item.into()])?;
        point_shop::redeem(
            c,
            &w.secretary,
            &w.shop,
            &RedeemDraft {
                code: code.into(),
                item_id,
                quantity,
            },
            date::today(),
        )
    })
}

fn balance(s: &TestStore, account: i64) -> i64 {
    s.read(|c| -> xianfeng_store::Result<_> { Ok(points::account(c, account)?.balance) })
        .unwrap()
}

#[test]
fn caps_evidence_and_balances_refuse_with_nothing_written() {
    for s in backends() {
        let w = world(&s);
        let p = w.people[0];
        earn(&s, &w, p, w.capped, 0).unwrap();
        earn(&s, &w, p, w.capped, 0).unwrap();
        let e = earn(&s, &w, p, w.capped, 0).unwrap_err();
        assert!(e.to_string().contains("每日上限6分"), "{}: {e}", s.name);
        earn(&s, &w, p, w.capped, 1).unwrap();
        let e = earn(&s, &w, p, w.capped, 2).unwrap_err();
        assert!(e.to_string().contains("每月上限9分"), "{}: {e}", s.name);
        let before = s
            .read(|c| c.scalar("SELECT COUNT(*) FROM point_entries", &[]))
            .unwrap();
        let e = earn(&s, &w, p, w.evidence_rule, 0).unwrap_err();
        assert!(e.to_string().contains("佐证"), "{}: {e}", s.name);
        assert_eq!(balance(&s, p), 9);
        // A deduction beyond the balance is refused, not clipped.
        for _ in 0..2 {
            earn(&s, &w, p, w.fault, 0).unwrap();
        }
        let e = earn(&s, &w, p, w.fault, 0).unwrap_err();
        assert!(e.to_string().contains("余额不足"), "{}: {e}", s.name);
        assert_eq!(balance(&s, p), 1);
        let after = s
            .read(|c| c.scalar("SELECT COUNT(*) FROM point_entries", &[]))
            .unwrap();
        assert_eq!(after, before + 2);
        s.read(|c| -> xianfeng_store::Result<_> {
            balanced(c);
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn the_same_evidence_file_earns_once_and_a_rejection_frees_it() {
    for s in backends() {
        let w = world(&s);
        let photo = b"\x89PNG\r\n\x1a\n same photo".to_vec();
        let d = EarnDraft {
            rule_id: w.evidence_rule,
            day: date::today(),
            note: "庭院整洁".into(),
        };
        let claim = |person: i64| {
            s.write(|c| point_claims::earn(c, By::Card, person, &d, Some(("image/png", &photo))))
        };
        let (first, status) = claim(w.people[0]).unwrap();
        assert_eq!(status, ClaimStatus::Approved);
        let e = claim(w.people[1]).unwrap_err();
        assert!(
            e.to_string().contains("不能重复获得积分"),
            "{}: {e}",
            s.name
        );
        // Reverse the grant: the claim stays approved, so the file is still used.
        let entry = s
            .read(|c| -> xianfeng_store::Result<_> {
                c.scalar(
                    "SELECT id FROM point_entries WHERE claim_id = ?",
                    &[first.into()],
                )
            })
            .unwrap();
        let admin = admin(&w.county);
        s.write(|c| point_claims::reverse(c, &admin, entry, "重复申报"))
            .unwrap();
        let e = s
            .write(|c| point_claims::reverse(c, &admin, entry, "再次冲正"))
            .unwrap_err();
        assert!(e.to_string().contains("已冲正"), "{}: {e}", s.name);
        assert_eq!(balance(&s, w.people[0]), 0);
        s.read(|c| -> xianfeng_store::Result<_> {
            balanced(c);
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn a_claim_needing_approval_waits_for_the_branch_and_a_rejection_needs_a_reason() {
    for s in backends() {
        let w = world(&s);
        let mut d = rule("调解邻里纠纷", 10, Caps::default(), false);
        d.approval_required = true;
        let rid = s
            .write(|c| point_rules::create(c, None, &w.county, &d))
            .unwrap();
        let draft = EarnDraft {
            rule_id: rid,
            day: date::today(),
            note: "调解成功".into(),
        };
        let (claim, status) = s
            .write(|c| point_claims::earn(c, By::Card, w.people[1], &draft, None))
            .unwrap();
        assert_eq!(status, ClaimStatus::Pending);
        assert_eq!(balance(&s, w.people[1]), 0);
        let e = s
            .write(|c| point_claims::decide(c, &w.secretary, claim, false, " "))
            .unwrap_err();
        assert!(e.to_string().contains("驳回理由"), "{}: {e}", s.name);
        s.write(|c| point_claims::decide(c, &w.secretary, claim, true, ""))
            .unwrap();
        assert_eq!(balance(&s, w.people[1]), 10);
        let e = s
            .write(|c| point_claims::decide(c, &w.secretary, claim, true, ""))
            .unwrap_err();
        assert!(e.to_string().contains("不能再次审核"), "{}: {e}", s.name);
        let queue = s
            .read(|c| point_claims::in_scope(c, &w.village.path, ClaimStatus::Pending, 10))
            .unwrap();
        assert!(queue.is_empty());
    }
}

#[test]
fn a_household_spends_its_peoples_points_and_redemption_checks_stock_and_balance() {
    for s in backends() {
        let w = world(&s);
        earn(&s, &w, w.people[0], w.grant, 0).unwrap();
        earn(&s, &w, w.people[1], w.grant, 0).unwrap();
        earn(&s, &w, w.people[1], w.grant, 1).unwrap();
        let receipt = redeem(&s, &w, &w.household.code, "洗衣粉", 1).unwrap();
        assert_eq!(receipt.points, 10);
        assert_eq!(receipt.balance_after, 5);
        assert_eq!(balance(&s, w.people[0]) + balance(&s, w.people[1]), 5);
        let e = redeem(&s, &w, &w.household.code, "洗衣粉", 1).unwrap_err();
        assert!(e.to_string().contains("积分不足"), "{}: {e}", s.name);
        let e = redeem(&s, &w, "NOSUCHCODE", "洗衣粉", 1).unwrap_err();
        assert!(e.to_string().contains("积分码无效"), "{}: {e}", s.name);
        // Redemption does not lower what the household earned this month.
        let month = day(0).format("%Y-%m").to_string();
        let board = s
            .read(|c| point_board::top(c, &w.village.path, points::HOUSEHOLD, &month, 5))
            .unwrap();
        assert_eq!(board[0].points, 15, "{}", s.name);
        s.read(|c| -> xianfeng_store::Result<_> {
            balanced(c);
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn concurrent_redemptions_of_the_last_item_never_oversell() {
    for s in backends() {
        let w = world(&s);
        let mut codes = Vec::new();
        for p in [w.people[0], w.people[1], w.member] {
            for _ in 0..8 {
                earn(&s, &w, p, w.grant, 0).unwrap();
            }
            codes.push(
                s.read(|c| -> xianfeng_store::Result<_> {
                    Ok(points::account(c, p)?.code.unwrap())
                })
                .unwrap(),
            );
        }
        let results: Vec<bool> = std::thread::scope(|scope| {
            let handles: Vec<_> = codes
                .iter()
                .flat_map(|code| [code.clone(), code.clone()])
                .map(|code| {
                    let (s, w): (&xianfeng_store::Store, &World) = (&s, &w);
                    scope.spawn(move || redeem(s, w, &code, "食用油", 1).is_ok())
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert_eq!(results.iter().filter(|ok| **ok).count(), 1, "{}", s.name);
        let stock = s
            .read(|c| c.scalar("SELECT stock FROM point_items WHERE name = '食用油'", &[]))
            .unwrap();
        assert_eq!(stock, 0);
        s.read(|c| -> xianfeng_store::Result<_> {
            balanced(c);
            Ok(())
        })
        .unwrap();
    }
}

#[derive(Debug, Clone)]
enum Op {
    Grant(usize, i64),
    Fault(usize),
    Reverse(usize),
    Redeem(usize),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0usize..3, 0i64..28).prop_map(|(p, d)| Op::Grant(p, d)),
        (0usize..3).prop_map(Op::Fault),
        (0usize..50).prop_map(Op::Reverse),
        (0usize..3).prop_map(Op::Redeem),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]
    #[test]
    fn every_step_keeps_the_ledger_balanced_and_no_one_negative(ops in proptest::collection::vec(op(), 1..25)) {
        for s in backends() {
            let w = world(&s);
            let admin = admin(&w.county);
            let persons = [w.people[0], w.people[1], w.member];
            let mut earned_total = 0i64;
            for op in &ops {
                match op {
                    Op::Grant(p, d) => { if earn(&s, &w, persons[*p], w.grant, *d).is_ok() { earned_total += 5; } }
                    Op::Fault(p) => { if earn(&s, &w, persons[*p], w.fault, 0).is_ok() { earned_total -= 4; } }
                    Op::Reverse(n) => {
                        let ids = s.read(|c| c.query("SELECT id, amount, CASE WHEN credit_id = person_id THEN 1 ELSE -1 END FROM point_entries WHERE kind IN ('积分奖励', '积分扣减') ORDER BY id", &[])).unwrap();
                        if let Some(r) = ids.get(*n % ids.len().max(1)) {
                            if s.write(|c| point_claims::reverse(c, &admin, r.i64(0)?, "测试冲正")).is_ok() {
                                earned_total -= r.i64(1)? * r.i64(2)?;
                            }
                        }
                    }
                    Op::Redeem(p) => {
                        let code = s.read(|c| -> xianfeng_store::Result<_> { Ok(points::account(c, persons[*p])?.code.unwrap()) }).unwrap();
                        let _ = redeem(&s, &w, &code, "洗衣粉", 1);
                    }
                }
                let (sum_people, redeemed) = s.read(|c| -> xianfeng_store::Result<_> { Ok((
                    c.scalar("SELECT CAST(COALESCE(SUM(balance), 0) AS BIGINT) FROM point_accounts WHERE kind = 'person'", &[])?,
                    c.scalar("SELECT CAST(COALESCE(SUM(points), 0) AS BIGINT) FROM point_redemptions", &[])?,
                )) }).unwrap();
                prop_assert_eq!(sum_people, earned_total - redeemed, "{}", s.name);
                s.read(|c| -> xianfeng_store::Result<_> { balanced(c); Ok(()) }).unwrap();
            }
        }
    }
}

#[test]
fn leaderboards_agree_with_the_ledger_grouped_and_organisations_roll_up() {
    for s in backends() {
        let w = world(&s);
        for (p, n) in [(w.people[0], 3), (w.people[1], 1), (w.member, 2)] {
            for d in 0..n {
                earn(&s, &w, p, w.grant, d).unwrap();
            }
        }
        let year = day(0).format("%Y").to_string();
        let top = s
            .read(|c| point_board::top(c, &w.county.path, points::PERSON, &year, 10))
            .unwrap();
        let grouped = s
            .read(|c| -> xianfeng_store::Result<_> {
                point_board::top_by_group(
                    c,
                    &w.county.path,
                    &format!("{year}-01-01"),
                    &format!("{year}-12-31"),
                    10,
                )
            })
            .unwrap();
        let from_totals: Vec<(i64, i64)> = top.iter().map(|t| (t.account_id, t.points)).collect();
        assert_eq!(from_totals, grouped, "{}", s.name);
        assert_eq!(top[0].name, "王建国");
        let orgs = s
            .read(|c| -> xianfeng_store::Result<_> {
                let town = xianfeng_store::people::orgs::children(c, w.county.id)?;
                point_board::orgs(c, &town, &year)
            })
            .unwrap();
        assert_eq!(orgs[0].2, top.iter().map(|t| t.points).sum::<i64>());
    }
}

#[test]
fn attendance_at_a_counted_meeting_earns_once_and_a_change_reverses_it() {
    use xianfeng_domain::life::{AttendanceEntry, MeetingDraft, MeetingKind, Presence};
    use xianfeng_domain::points::Trigger;
    use xianfeng_store::life::meetings;
    for s in backends() {
        let w = world(&s);
        let mut d = rule("参加主题党日", 2, Caps::default(), false);
        d.trigger = Trigger::Attendance;
        d.audience = Audience::Members;
        s.write(|c| point_rules::create(c, None, &w.county, &d))
            .unwrap();
        let member_id = s
            .read(|c| -> xianfeng_store::Result<_> {
                Ok(points::account(c, w.member)?.member_id.unwrap())
            })
            .unwrap();
        let entry = |presence| AttendanceEntry {
            member_id,
            presence,
            reason: if presence == Presence::Leave {
                "外出务工".into()
            } else {
                String::new()
            },
        };
        let draft = MeetingDraft {
            kind: MeetingKind::ThemedDay,
            date: date::today(),
            held: true,
            place: "党员活动室".into(),
            host: "书记".into(),
            topic: "重温入党誓词".into(),
            first_topic: true,
            agenda: String::new(),
            minutes: String::new(),
        };
        let m = s
            .write(|c| meetings::create(c, None, &w.village, &draft, &[entry(Presence::Present)]))
            .unwrap();
        assert_eq!(balance(&s, w.member), 2, "{}", s.name);
        // Recounting again does not grant twice.
        s.write(|c| meetings::recount(c, m.id)).unwrap();
        assert_eq!(balance(&s, w.member), 2, "{}", s.name);
        let admin = admin(&w.county);
        s.write(|c| -> xianfeng_store::Result<_> {
            meetings::update_attendance(
                c,
                &admin,
                &m,
                &[entry(Presence::Leave)],
                false,
                date::today(),
            )
        })
        .unwrap();
        assert_eq!(balance(&s, w.member), 0, "{}", s.name);
        s.read(|c| -> xianfeng_store::Result<_> {
            balanced(c);
            Ok(())
        })
        .unwrap();
    }
}

#[test]
fn a_moved_village_and_a_transferred_member_take_their_points_places_along() {
    use xianfeng_store::{people::members, people::orgs};
    for s in backends() {
        let w = world(&s);
        earn(&s, &w, w.people[0], w.grant, 0).unwrap();
        earn(&s, &w, w.member, w.grant, 0).unwrap();
        let year = day(0).format("%Y").to_string();
        let admin = admin(&w.county);
        let (town_b, village_b) = s
            .write(|c| -> xianfeng_store::Result<_> {
                let town_b = org(c, Some(&w.county), "乙镇党委", "党委");
                let village_b = org(c, Some(&town_b), "南村党支部", "党支部");
                Ok((town_b, village_b))
            })
            .unwrap();
        // The member transfers to another village: their account follows.
        let member_id = s
            .read(|c| -> xianfeng_store::Result<_> {
                Ok(points::account(c, w.member)?.member_id.unwrap())
            })
            .unwrap();
        s.write(|c| {
            let m = members::require(c, member_id)?;
            members::transfer(c, &admin, &m, &village_b, "2026-11-01", "工作调动")
        })
        .unwrap();
        let board = |path: &str| {
            s.read(|c| point_board::top(c, path, points::PERSON, &year, 10))
                .unwrap()
                .into_iter()
                .map(|t| t.account_id)
                .collect::<Vec<_>>()
        };
        assert_eq!(board(&village_b.path), vec![w.member], "{}", s.name);
        // The village moves under the other town: its households, store and totals go too.
        let moved = s
            .write(|c| orgs::move_to(c, &admin, &w.village, &town_b))
            .unwrap();
        assert!(board(&town_b.path).contains(&w.people[0]), "{}", s.name);
        let (store_path, household_path) = s
            .read(|c| -> xianfeng_store::Result<_> {
                Ok((
                    point_shop::get(c, w.shop.id)?.org_path,
                    households::get(c, w.household.id)?.org_path,
                ))
            })
            .unwrap();
        assert_eq!(
            (store_path.as_str(), household_path.as_str()),
            (moved.path.as_str(), moved.path.as_str())
        );
        s.read(|c| -> xianfeng_store::Result<_> {
            balanced(c);
            Ok(())
        })
        .unwrap();
    }
}
