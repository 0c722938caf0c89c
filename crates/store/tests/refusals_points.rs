//! 积分制 refusals on both backends: every way earning, deciding, reversing and redeeming can
//! be refused, each shown to leave every table and the audit log as they were — including
//! the refusals that come after a first write (a cadre's record is inserted before its cap is
//! checked, an approval's status before its grant). And the scenario of issue 14: a claim
//! filed, its rule stopped by the county, the secretary's approval refused with the claim
//! still waiting, then approved once the rule is resumed.

mod common;

use chrono::{Datelike, NaiveDate};
use common::{actor, conflict, invalid, not_found, refuse, snapshot};
use xianfeng_domain::auth::{Actor, Role};
use xianfeng_domain::date;
use xianfeng_domain::household::ResidentInput;
use xianfeng_domain::org::Org;
use xianfeng_domain::points::{
    Audience, Caps, ClaimStatus, EarnDraft, EntryKind, ItemDraft, RedeemDraft, RuleDraft, Trigger,
};
use xianfeng_store::points::point_claims::{self, By};
use xianfeng_store::testing::{add_member, admin, backends, org, TestStore};
use xianfeng_store::{
    people::households, points, points::point_rules, points::point_shop, vals, Conn,
};

struct World {
    county: Org,
    other_town: Org,
    village: Org,
    county_admin: Actor,
    secretary: Actor,
    shop: point_shop::Shop,
    other_shop: point_shop::Shop,
    /// The two people of the 王建国 household (accounts), and the household itself.
    people: Vec<i64>,
    household: households::Household,
    /// A resident of another town's village.
    stranger: i64,
    member: i64,
}

fn rule(action: &str, points: i64) -> RuleDraft {
    RuleDraft {
        action: action.into(),
        category: "测试".into(),
        points,
        audience: Audience::All,
        evidence_required: false,
        approval_required: false,
        caps: Caps::default(),
        valid_from: None,
        valid_to: None,
        trigger: Trigger::Manual,
    }
}

fn resident(name: &str, head: &str, address: &str) -> ResidentInput {
    ResidentInput {
        head_name: head.into(),
        address: address.into(),
        name: name.into(),
        relation: if name == head { "户主" } else { "配偶" }.into(),
        ..ResidentInput::default()
    }
}

fn world(s: &TestStore) -> World {
    let (county, other_town, village, other_village) = s
        .write(|c| -> xianfeng_store::Result<_> {
            let county = org(c, None, "测试县委", "县委");
            let town = org(c, Some(&county), "甲镇党委", "党委");
            let village = org(c, Some(&town), "东村党支部", "党支部");
            let other_town = org(c, Some(&county), "乙镇党委", "党委");
            let other_village = org(c, Some(&other_town), "西村党支部", "党支部");
            Ok((county, other_town, village, other_village))
        })
        .unwrap();
    let member_id = add_member(s, &village, 1, "正式党员");
    let county_admin = admin(&county);
    s.write(|c| -> xianfeng_store::Result<_> {
        let id = point_shop::open(c, None, &village, "东村积分超市")?;
        let shop = point_shop::get(c, id)?;
        let id = point_shop::open(c, None, &other_village, "西村积分超市")?;
        let other_shop = point_shop::get(c, id)?;
        for (at, name, price, stock) in [
            (&shop, "洗衣粉", 10, 50),
            (&shop, "食用油", 40, 1),
            (&other_shop, "毛巾", 5, 10),
        ] {
            point_shop::stock_item(
                c,
                &county_admin,
                at,
                &ItemDraft {
                    name: name.into(),
                    price,
                    stock,
                },
            )?;
        }
        let mut people = Vec::new();
        for name in ["王建国", "李秀英"] {
            let d = resident(name, "王建国", "东村1组8号").validate().unwrap();
            let rid = households::add_resident(c, &s.vault, None, &village, &d)?;
            people.push(c.scalar(
                "SELECT id FROM point_accounts WHERE resident_id = ?",
                vals![rid],
            )?);
        }
        let hid = c.scalar("SELECT id FROM households", &[])?;
        let household = households::get(c, hid)?;
        let d = resident("赵四", "赵四", "西村2组1号").validate().unwrap();
        let rid = households::add_resident(c, &s.vault, None, &other_village, &d)?;
        let stranger = c.scalar(
            "SELECT id FROM point_accounts WHERE resident_id = ?",
            vals![rid],
        )?;
        let member = points::member_account(c, member_id)?.id;
        Ok(World {
            secretary: actor(&village, Role::BranchSecretary),
            county_admin: county_admin.clone(),
            county: county.clone(),
            other_town: other_town.clone(),
            village: village.clone(),
            shop,
            other_shop,
            people,
            household,
            stranger,
            member,
        })
    })
    .unwrap()
}

fn add_rule(s: &TestStore, at: &Org, d: RuleDraft) -> i64 {
    s.write(|c| point_rules::create(c, None, at, &d)).unwrap()
}

fn draft(rule_id: i64, day: NaiveDate) -> EarnDraft {
    EarnDraft {
        rule_id,
        day,
        note: "测试".into(),
    }
}

/// A cadre's record (granted at once).
fn record(s: &TestStore, w: &World, person: i64, rule_id: i64, day: NaiveDate) -> i64 {
    s.write(|c| {
        point_claims::earn(
            c,
            By::Cadre(&w.secretary),
            person,
            &draft(rule_id, day),
            None,
        )
    })
    .unwrap()
    .0
}

/// A claim from a points card (waits when the rule needs approval).
fn claim(s: &TestStore, person: i64, rule_id: i64, day: NaiveDate) -> (i64, ClaimStatus) {
    s.write(|c| point_claims::earn(c, By::Card, person, &draft(rule_id, day), None))
        .unwrap()
}

fn status(s: &TestStore, claim_id: i64) -> ClaimStatus {
    s.read(|c| point_claims::get(c, claim_id)).unwrap().status
}

fn entries_of_claim(s: &TestStore, claim_id: i64) -> i64 {
    s.read(|c| {
        c.scalar(
            "SELECT COUNT(*) FROM point_entries WHERE claim_id = ?",
            vals![claim_id],
        )
    })
    .unwrap()
}

fn balance(s: &TestStore, account: i64) -> i64 {
    s.read(|c| -> xianfeng_store::Result<_> { Ok(points::account(c, account)?.balance) })
        .unwrap()
}

fn set_active(s: &TestStore, who: &Actor, rule_id: i64, active: bool) {
    s.write(|c| {
        let r = point_rules::get(c, rule_id)?;
        point_rules::set_active(c, who, &r, active)
    })
    .unwrap();
}

/// Day `n` (0-based) of the current month: caps per day and month then fall in one month.
fn day(n: u64) -> NaiveDate {
    date::today().with_day(1).unwrap() + chrono::Days::new(n)
}

fn ledger_sound(s: &TestStore) {
    assert_eq!(
        s.read(points::check).unwrap(),
        xianfeng_store::Check::Sound(()),
        "{}",
        s.name
    );
}

#[test]
fn a_claim_whose_rule_was_stopped_is_refused_at_approval_and_waits_until_the_rule_resumes() {
    for s in backends() {
        let w = world(&s);
        let rule_id = add_rule(
            &s,
            &w.county,
            RuleDraft {
                approval_required: true,
                ..rule("参加村级议事会", 5)
            },
        );
        let today = date::today();
        // 李秀英 files a claim from the household card: it waits for the branch.
        let person = w.people[1];
        let (id, filed) = claim(&s, person, rule_id, today);
        assert_eq!(filed, ClaimStatus::Pending, "{}", s.name);
        // The county stops the rule.
        set_active(&s, &w.county_admin, rule_id, false);
        let audit_before = snapshot(&s).audit_head;
        // The secretary presses 通过: refused, and nothing changed anywhere.
        let e = refuse(&s, |c| point_claims::decide(c, &w.secretary, id, true, ""));
        invalid(e, "不适用");
        assert_eq!(status(&s, id), ClaimStatus::Pending, "{}", s.name);
        assert_eq!(entries_of_claim(&s, id), 0, "{}", s.name);
        assert_eq!(balance(&s, person), 0, "{}", s.name);
        assert_eq!(snapshot(&s).audit_head, audit_before, "{}", s.name);
        // The county resumes the rule: the waiting claim is approved, once.
        set_active(&s, &w.county_admin, rule_id, true);
        assert_eq!(
            s.write(|c| point_claims::decide(c, &w.secretary, id, true, ""))
                .unwrap(),
            ClaimStatus::Approved,
            "{}",
            s.name
        );
        assert_eq!(entries_of_claim(&s, id), 1, "{}", s.name);
        assert_eq!(balance(&s, person), 5, "{}", s.name);
        // Approved once: a second approval (or a rejection) is refused and changes nothing.
        conflict(
            refuse(&s, |c| point_claims::decide(c, &w.secretary, id, true, "")),
            "已通过",
        );
        conflict(
            refuse(&s, |c| {
                point_claims::decide(c, &w.secretary, id, false, "材料不实")
            }),
            "不能再次审核",
        );
        assert_eq!(entries_of_claim(&s, id), 1, "{}", s.name);
        ledger_sound(&s);

        // The same with a member's own card and a rejection while the rule is stopped: a
        // rejection needs no rule in force and goes through.
        let (mid, _) = claim(&s, w.member, rule_id, today);
        set_active(&s, &w.county_admin, rule_id, false);
        invalid(
            refuse(&s, |c| point_claims::decide(c, &w.secretary, mid, true, "")),
            "不适用",
        );
        assert_eq!(
            s.write(|c| point_claims::decide(c, &w.secretary, mid, false, "该事项已停用"))
                .unwrap(),
            ClaimStatus::Rejected
        );
        assert_eq!(entries_of_claim(&s, mid), 0, "{}", s.name);
    }
}

#[test]
fn earning_is_refused_for_rules_that_do_not_apply_and_writes_nothing() {
    for s in backends() {
        let w = world(&s);
        let today = date::today();
        let person = w.people[0];
        let stopped = add_rule(&s, &w.county, rule("清理河道", 5));
        set_active(&s, &w.county_admin, stopped, false);
        let elsewhere = add_rule(&s, &w.other_town, rule("乙镇环境整治", 5));
        let members_only = add_rule(
            &s,
            &w.county,
            RuleDraft {
                audience: Audience::Members,
                ..rule("参加党员志愿服务", 3)
            },
        );
        let expired = add_rule(
            &s,
            &w.county,
            RuleDraft {
                valid_from: NaiveDate::from_ymd_opt(2000, 1, 1),
                valid_to: NaiveDate::from_ymd_opt(2000, 12, 31),
                ..rule("千禧年活动", 3)
            },
        );
        let evidence = add_rule(
            &s,
            &w.county,
            RuleDraft {
                evidence_required: true,
                ..rule("美丽庭院", 20)
            },
        );
        let fault = add_rule(&s, &w.county, rule("乱堆乱放", -4));
        let sec = w.secretary.clone();
        for (rule_id, needle) in [
            (stopped, "不适用"),
            (elsewhere, "不适用"),
            (members_only, "只适用于党员"),
            (expired, "不在有效期内"),
            (evidence, "需要上传佐证"),
        ] {
            let e = refuse(&s, |c| {
                point_claims::earn(c, By::Cadre(&sec), person, &draft(rule_id, today), None)
            });
            invalid(e, needle);
            let e = refuse(&s, |c| {
                point_claims::earn(c, By::Card, person, &draft(rule_id, today), None)
            });
            invalid(e, needle);
        }
        // A deduction larger than the balance: the claim row is written first, then the
        // ledger refuses the debit — the transaction takes the claim back with it.
        invalid(
            refuse(&s, |c| {
                point_claims::earn(c, By::Cadre(&sec), person, &draft(fault, today), None)
            }),
            "余额不足",
        );
        // The same evidence file twice: the file is stored before the check, and unstored.
        let photo = ("image/png", &b"\x89PNG\r\n\x1a\n\0\0\0\rIHDRgarden"[..]);
        s.write(|c| point_claims::earn(c, By::Card, person, &draft(evidence, today), Some(photo)))
            .unwrap();
        invalid(
            refuse(&s, |c| {
                point_claims::earn(
                    c,
                    By::Card,
                    w.people[1],
                    &draft(evidence, today),
                    Some(photo),
                )
            }),
            "不能重复获得积分",
        );
        // Points are for people, not for a household's or a rule's account.
        conflict(
            refuse(&s, |c| {
                point_claims::earn(
                    c,
                    By::Cadre(&sec),
                    w.household.account_id,
                    &draft(members_only, today),
                    None,
                )
            }),
            "只能为个人记积分",
        );
        not_found(
            refuse(&s, |c| {
                point_claims::earn(c, By::Cadre(&sec), person, &draft(999_999, today), None)
            }),
            "积分事项",
        );
        not_found(
            refuse(&s, |c| {
                point_claims::earn(
                    c,
                    By::Cadre(&sec),
                    999_999,
                    &draft(members_only, today),
                    None,
                )
            }),
            "积分账户",
        );
        // The controls: the same rules where they do apply.
        record(&s, &w, w.member, members_only, today);
        ledger_sound(&s);
    }
}

#[test]
fn caps_per_day_month_and_year_refuse_and_write_nothing() {
    for s in backends() {
        let w = world(&s);
        let person = w.people[0];
        let capped = add_rule(
            &s,
            &w.county,
            RuleDraft {
                caps: Caps {
                    day: Some(6),
                    month: Some(9),
                    year: None,
                },
                ..rule("参加议事会议", 3)
            },
        );
        record(&s, &w, person, capped, day(0));
        record(&s, &w, person, capped, day(0));
        // Third time the same day: over the day's 6. The cadre's claim row is inserted
        // before the cap is checked at posting; nothing of it stays.
        let sec = w.secretary.clone();
        invalid(
            refuse(&s, |c| {
                point_claims::earn(c, By::Cadre(&sec), person, &draft(capped, day(0)), None)
            }),
            "每日上限6分",
        );
        record(&s, &w, person, capped, day(1));
        invalid(
            refuse(&s, |c| {
                point_claims::earn(c, By::Cadre(&sec), person, &draft(capped, day(2)), None)
            }),
            "每月上限9分",
        );
        // A card claim that could never be granted is refused when filed.
        let waits = add_rule(
            &s,
            &w.county,
            RuleDraft {
                approval_required: true,
                caps: Caps {
                    day: Some(3),
                    month: None,
                    year: None,
                },
                ..rule("参加村民说事", 3)
            },
        );
        let (a, _) = claim(&s, person, waits, day(3));
        let (b, _) = claim(&s, person, waits, day(3));
        s.write(|c| point_claims::decide(c, &w.secretary, a, true, ""))
            .unwrap();
        // Approving the second one the same day: the status is set before the grant finds
        // the cap reached; the claim is still waiting afterwards.
        invalid(
            refuse(&s, |c| point_claims::decide(c, &w.secretary, b, true, "")),
            "每日上限3分",
        );
        assert_eq!(status(&s, b), ClaimStatus::Pending, "{}", s.name);
        invalid(
            refuse(&s, |c| {
                point_claims::earn(c, By::Card, person, &draft(waits, day(3)), None)
            }),
            "每日上限3分",
        );
        // A yearly cap, reached in another month of the same year.
        let yearly = add_rule(
            &s,
            &w.county,
            RuleDraft {
                caps: Caps {
                    day: None,
                    month: None,
                    year: Some(4),
                },
                ..rule("年度优秀志愿者", 4)
            },
        );
        let year = date::today().year();
        let jan = NaiveDate::from_ymd_opt(year, 1, 10).unwrap();
        let feb = NaiveDate::from_ymd_opt(year, 2, 10).unwrap();
        record(&s, &w, person, yearly, jan);
        invalid(
            refuse(&s, |c| {
                point_claims::earn(c, By::Cadre(&sec), person, &draft(yearly, feb), None)
            }),
            "每年上限4分",
        );
        // Next year the cap starts again.
        record(
            &s,
            &w,
            person,
            yearly,
            NaiveDate::from_ymd_opt(year + 1, 1, 10).unwrap(),
        );
        ledger_sound(&s);
    }
}

#[test]
fn decisions_are_refused_without_a_reason_twice_or_beyond_the_balance() {
    for s in backends() {
        let w = world(&s);
        let today = date::today();
        let person = w.people[0];
        let waits = add_rule(
            &s,
            &w.county,
            RuleDraft {
                approval_required: true,
                ..rule("参加志愿服务", 5)
            },
        );
        let (id, _) = claim(&s, person, waits, today);
        invalid(
            refuse(&s, |c| {
                point_claims::decide(c, &w.secretary, id, false, "  ")
            }),
            "驳回时请写明理由",
        );
        let long = "理".repeat(201);
        invalid(
            refuse(&s, |c| {
                point_claims::decide(c, &w.secretary, id, true, &long)
            }),
            "不能超过200个字",
        );
        not_found(
            refuse(&s, |c| {
                point_claims::decide(c, &w.secretary, 999_999, true, "")
            }),
            "积分申报",
        );
        assert_eq!(
            s.write(|c| point_claims::decide(c, &w.secretary, id, false, "照片不清楚"))
                .unwrap(),
            ClaimStatus::Rejected
        );
        conflict(
            refuse(&s, |c| point_claims::decide(c, &w.secretary, id, true, "")),
            "已驳回",
        );
        // A deduction claimed (reported) from a card and approved when the person's balance
        // cannot carry it: refused after the status was set, and the claim still waits.
        let fault = add_rule(
            &s,
            &w.county,
            RuleDraft {
                approval_required: true,
                ..rule("违规焚烧秸秆", -6)
            },
        );
        let (d, _) = claim(&s, person, fault, today);
        invalid(
            refuse(&s, |c| point_claims::decide(c, &w.secretary, d, true, "")),
            "余额不足",
        );
        assert_eq!(status(&s, d), ClaimStatus::Pending, "{}", s.name);
        // With points to take, it goes through.
        let grant = add_rule(&s, &w.county, rule("清扫街道", 10));
        record(&s, &w, person, grant, today);
        s.write(|c| point_claims::decide(c, &w.secretary, d, true, ""))
            .unwrap();
        assert_eq!(balance(&s, person), 4, "{}", s.name);
        ledger_sound(&s);
    }
}

#[test]
fn reversals_are_refused_for_what_cannot_or_need_not_be_reversed() {
    for s in backends() {
        let w = world(&s);
        let today = date::today();
        let person = w.people[0];
        let grant = add_rule(&s, &w.county, rule("参加志愿服务", 10));
        let claim_id = record(&s, &w, person, grant, today);
        let entry = s
            .read(|c| {
                c.scalar(
                    "SELECT id FROM point_entries WHERE claim_id = ?",
                    vals![claim_id],
                )
            })
            .unwrap();
        let sec = w.secretary.clone();
        invalid(
            refuse(&s, |c| point_claims::reverse(c, &sec, entry, " ")),
            "冲正理由",
        );
        not_found(
            refuse(&s, |c| point_claims::reverse(c, &sec, 999_999, "录入错误")),
            "积分记录",
        );
        // Spent at the shop: reversing the grant would take the balance below zero.
        let code = s
            .read(|c| -> xianfeng_store::Result<_> {
                Ok(points::account(c, person)?.code.unwrap())
            })
            .unwrap();
        let soap = s
            .read(|c| c.scalar("SELECT id FROM point_items WHERE name = '洗衣粉'", &[]))
            .unwrap();
        let receipt = s
            .write(|c| {
                point_shop::redeem(
                    c,
                    &sec,
                    &w.shop,
                    &RedeemDraft {
                        code: code.clone(),
                        item_id: soap,
                        quantity: 1,
                    },
                    today,
                )
            })
            .unwrap();
        invalid(
            refuse(&s, |c| point_claims::reverse(c, &sec, entry, "录入错误")),
            "余额不足",
        );
        // A redemption is not reversed with 冲正.
        let redemption_entry = s
            .read(|c| {
                c.scalar(
                    "SELECT id FROM point_entries WHERE redemption_id = ?",
                    vals![receipt.id],
                )
            })
            .unwrap();
        conflict(
            refuse(&s, |c| {
                point_claims::reverse(c, &sec, redemption_entry, "退货")
            }),
            EntryKind::Redemption.label(),
        );
        // Earn again, reverse once; the second reversal and the reversal of the reversal
        // are refused.
        record(&s, &w, person, grant, today);
        let reversal = s
            .write(|c| point_claims::reverse(c, &sec, entry, "录入错误"))
            .unwrap();
        conflict(
            refuse(&s, |c| point_claims::reverse(c, &sec, entry, "录入错误")),
            "已冲正",
        );
        conflict(
            refuse(&s, |c| point_claims::reverse(c, &sec, reversal, "撤销冲正")),
            EntryKind::Reversal.label(),
        );
        ledger_sound(&s);
    }
}

#[test]
fn the_shop_refuses_bad_codes_items_stock_and_balances_and_nothing_moves() {
    for s in backends() {
        let w = world(&s);
        let today = date::today();
        let sec = w.secretary.clone();
        invalid(
            refuse(&s, |c| point_shop::open(c, Some(&sec), &w.village, "  ")),
            "超市名称",
        );
        let grant = add_rule(&s, &w.county, rule("参加志愿服务", 50));
        let person = w.people[0];
        record(&s, &w, person, grant, today);
        let code_of = |account: i64| {
            s.read(|c| -> xianfeng_store::Result<_> {
                Ok(points::account(c, account)?.code.unwrap())
            })
            .unwrap()
        };
        let item = |name: &str| {
            s.read(|c| c.scalar("SELECT id FROM point_items WHERE name = ?", vals![name]))
                .unwrap()
        };
        let redeem = |code: &str, item_id: i64, quantity: i64| {
            let d = RedeemDraft {
                code: code.into(),
                item_id,
                quantity,
            };
            let shop = w.shop.clone();
            let sec = sec.clone();
            move |c: &mut dyn Conn| point_shop::redeem(c, &sec, &shop, &d, today)
        };
        let code = code_of(person);
        let soap = item("洗衣粉");
        let oil = item("食用油");
        invalid(refuse(&s, redeem("NOSUCHCODE", soap, 1)), "积分码无效");
        invalid(
            refuse(&s, redeem(&code_of(w.stranger), soap, 1)),
            "不属于本超市服务范围",
        );
        invalid(
            refuse(&s, redeem(&code, item("毛巾"), 1)),
            "本超市没有该商品",
        );
        // …and the other village's shop does not take this village's code.
        let towel = RedeemDraft {
            code: code.clone(),
            item_id: item("毛巾"),
            quantity: 1,
        };
        invalid(
            refuse(&s, |c| {
                point_shop::redeem(c, &sec, &w.other_shop, &towel, today)
            }),
            "不属于本超市服务范围",
        );
        not_found(refuse(&s, redeem(&code, 999_999, 1)), "商品");
        invalid(refuse(&s, redeem(&code, soap, i64::MAX)), "数量过大");
        // 50 points: six packets of soap cost 60.
        invalid(refuse(&s, redeem(&code, soap, 6)), "积分不足");
        // Enough points for two bottles of oil (80)? No — and with enough, the one bottle
        // in stock cannot be sold twice.
        record(&s, &w, person, grant, today);
        invalid(refuse(&s, redeem(&code, oil, 2)), "库存不足");
        s.write(redeem(&code, oil, 1)).unwrap();
        invalid(refuse(&s, redeem(&code, oil, 1)), "库存不足");
        // The household pays with its people's points together: 60 left, 70 asked.
        invalid(refuse(&s, redeem(&w.household.code, soap, 7)), "积分不足");
        s.write(redeem(&w.household.code, soap, 6)).unwrap();
        // The ledger itself refuses a movement of nothing, or one that does not touch the
        // person it is posted for.
        let (a, b) = s
            .read(|c| -> xianfeng_store::Result<_> {
                Ok((
                    points::account(c, person)?,
                    points::account(c, w.people[1])?,
                ))
            })
            .unwrap();
        let movement = |amount: i64, debit: i64, credit: i64| points::Movement {
            kind: EntryKind::Grant,
            debit,
            credit,
            amount,
            person: &a,
            day: today,
            rule_id: None,
            claim_id: None,
            redemption_id: None,
            reverses: None,
            actor_id: None,
            note: "",
            source_ref: None,
        };
        conflict(
            refuse(&s, |c| {
                points::post_one(c, &movement(0, w.shop.account_id, a.id))
            }),
            "必须为正",
        );
        conflict(
            refuse(&s, |c| {
                points::post_one(c, &movement(5, w.shop.account_id, b.id))
            }),
            "必须涉及本人账户",
        );
        ledger_sound(&s);
    }
}

/// The fingerprint is not blind: the shape issue 14 removed — a refusal returned inside a
/// successful transaction (`Ok(Err(..))`) after the status was set — commits a change that the
/// snapshot sees, though no row was added.
#[test]
fn the_fingerprint_sees_a_refusal_that_was_committed() {
    for s in backends() {
        let w = world(&s);
        let rule_id = add_rule(
            &s,
            &w.county,
            RuleDraft {
                approval_required: true,
                ..rule("参加村级议事会", 5)
            },
        );
        let (id, _) = claim(&s, w.people[0], rule_id, date::today());
        let before = snapshot(&s);
        let committed: Result<xianfeng_store::Result<()>, xianfeng_store::StoreError> =
            s.write(|c| {
                c.execute(
                    "UPDATE point_claims SET status = '已通过' WHERE id = ?",
                    vals![id],
                )?;
                Ok(Err(xianfeng_store::StoreError::Conflict(
                    "该事项已停用".into(),
                )))
            });
        assert!(matches!(committed, Ok(Err(_))));
        let after = snapshot(&s);
        assert_eq!(before.tables.len(), after.tables.len());
        assert_eq!(
            before.tables["point_claims"].0, after.tables["point_claims"].0,
            "same row count"
        );
        assert_ne!(
            before.tables["point_claims"], after.tables["point_claims"],
            "{}: the changed status must show",
            s.name
        );
        let diff: Vec<&String> = before
            .tables
            .iter()
            .filter(|(t, f)| after.tables.get(*t) != Some(*f))
            .map(|(t, _)| t)
            .collect();
        assert_eq!(diff, ["point_claims"], "{}", s.name);
    }
}
