//! Refusals of the organisation tree, members, residents and accounts on both backends: each
//! refused write leaves every table and the audit log as they were. Dissolving an
//! organisation that still has members or sub-organisations, moving one under its own
//! subtree, a kind the tree does not allow, duplicate or misplaced members and residents.

mod common;

use chrono::NaiveDate;
use common::{conflict, invalid, refuse};
use xianfeng_domain::auth::Role;
use xianfeng_domain::household::ResidentInput;
use xianfeng_domain::idcard;
use xianfeng_domain::member::MemberDraft;
use xianfeng_domain::org::{Org, OrgDraft, OrgInput};
use xianfeng_domain::rules::Rules;
use xianfeng_store::testing::{add_member, admin, backends, member_input, org, TestStore};
use xianfeng_store::{people::accounts, people::households, people::members, people::orgs};

struct Tree {
    county: Org,
    town: Org,
    other_town: Org,
    /// A 党总支 with one branch under it.
    general: Org,
    sub_branch: Org,
    /// A branch with members, and an empty one.
    branch: Org,
    empty: Org,
    dissolved: Org,
    members: Vec<i64>,
}

fn tree(s: &TestStore) -> Tree {
    let mut t = s
        .write(|c| -> xianfeng_store::Result<_> {
            let county = org(c, None, "测试县委", "县委");
            let town = org(c, Some(&county), "甲镇党委", "党委");
            let other_town = org(c, Some(&county), "乙镇党委", "党委");
            let general = org(c, Some(&town), "向阳村党总支", "党总支");
            let sub_branch = org(c, Some(&general), "向阳村第一党支部", "党支部");
            let branch = org(c, Some(&town), "东村党支部", "党支部");
            let empty = org(c, Some(&town), "西村党支部", "党支部");
            let mut dissolved = org(c, Some(&town), "南村党支部", "党支部");
            orgs::dissolve(c, &admin(&county), &dissolved, "2026-01-01")?;
            dissolved = orgs::require(c, dissolved.id)?;
            Ok(Tree {
                county,
                town,
                other_town,
                general,
                sub_branch,
                branch,
                empty,
                dissolved,
                members: Vec::new(),
            })
        })
        .unwrap();
    t.members = (1..=2)
        .map(|n| add_member(s, &t.branch, n, "正式党员"))
        .collect();
    t
}

fn org_draft(name: &str, kind: &str) -> OrgDraft {
    OrgInput {
        name: name.into(),
        kind: kind.into(),
        domain: "农村".into(),
        committee_size: String::new(),
    }
    .validate(None)
    .unwrap()
}

fn member_draft(n: u32) -> MemberDraft {
    member_input(n, "正式党员")
        .validate(
            &Rules::default(),
            NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
            None,
        )
        .unwrap()
}

fn current(s: &TestStore, id: i64) -> Org {
    s.read(|c| orgs::require(c, id)).unwrap()
}

#[test]
fn the_tree_refuses_kinds_cycles_and_dissolving_what_is_not_empty() {
    for s in backends() {
        let t = tree(&s);
        let a = admin(&t.county);
        // Creating under a dissolved organisation, or a kind its parent cannot hold.
        invalid(
            refuse(&s, |c| {
                orgs::create(
                    c,
                    Some(&a),
                    Some(&t.dissolved),
                    &org_draft("一组", "党小组"),
                )
            }),
            "已撤销",
        );
        invalid(
            refuse(&s, |c| {
                orgs::create(c, Some(&a), Some(&t.town), &org_draft("一组", "党小组"))
            }),
            "党委下不能设立党小组",
        );
        // Changing a kind the parent, the children or the members do not allow.
        invalid(
            refuse(&s, |c| {
                orgs::update(c, &a, &t.branch, &org_draft("东村", "县委"))
            }),
            "党委下不能设立县委",
        );
        invalid(
            refuse(&s, |c| {
                orgs::update(c, &a, &t.general, &org_draft("向阳村党支部", "党支部"))
            }),
            "不能隶属于党支部",
        );
        invalid(
            refuse(&s, |c| {
                orgs::update(c, &a, &t.branch, &org_draft("东村党总支", "党总支"))
            }),
            "仍有党员",
        );
        // Moving under itself, its own subtree, a dissolved organisation, or a kind that
        // cannot hold it.
        invalid(
            refuse(&s, |c| orgs::move_to(c, &a, &t.town, &t.town)),
            "不能移到自身或其下级组织之下",
        );
        invalid(
            refuse(&s, |c| orgs::move_to(c, &a, &t.town, &t.general)),
            "不能移到自身或其下级组织之下",
        );
        invalid(
            refuse(&s, |c| orgs::move_to(c, &a, &t.general, &t.sub_branch)),
            "会形成循环",
        );
        invalid(
            refuse(&s, |c| orgs::move_to(c, &a, &t.empty, &t.dissolved)),
            "已撤销",
        );
        invalid(
            refuse(&s, |c| orgs::move_to(c, &a, &t.empty, &t.branch)),
            "党支部下不能设立党支部",
        );
        // Dissolving twice, with a branch below, with members.
        conflict(
            refuse(&s, |c| orgs::dissolve(c, &a, &t.dissolved, "2026-02-01")),
            "已撤销",
        );
        conflict(
            refuse(&s, |c| orgs::dissolve(c, &a, &t.general, "2026-02-01")),
            "1个下级组织",
        );
        conflict(
            refuse(&s, |c| orgs::dissolve(c, &a, &t.town, "2026-02-01")),
            "下级组织",
        );
        conflict(
            refuse(&s, |c| orgs::dissolve(c, &a, &t.branch, "2026-02-01")),
            "2名党员",
        );
        // The controls: what the tree allows goes through.
        s.write(|c| orgs::move_to(c, &a, &t.empty, &t.other_town))
            .unwrap();
        let empty = current(&s, t.empty.id);
        s.write(|c| orgs::dissolve(c, &a, &empty, "2026-02-01"))
            .unwrap();
        s.write(|c| orgs::update(c, &a, &t.general, &org_draft("向阳村党总支", "党总支")))
            .unwrap();
    }
}

#[test]
fn members_are_refused_outside_branches_and_when_duplicated() {
    for s in backends() {
        let t = tree(&s);
        let a = admin(&t.county);
        let v = &s.vault;
        invalid(
            refuse(&s, |c| {
                members::create(c, v, Some(&a), &t.town, &member_draft(7))
            }),
            "党员应编入党支部",
        );
        invalid(
            refuse(&s, |c| {
                members::create(c, v, Some(&a), &t.general, &member_draft(7))
            }),
            "党员应编入党支部",
        );
        invalid(
            refuse(&s, |c| {
                members::create(c, v, Some(&a), &t.dissolved, &member_draft(7))
            }),
            "已撤销",
        );
        // The same ID number as 党员1, in another branch.
        invalid(
            refuse(&s, |c| {
                members::create(c, v, Some(&a), &t.empty, &member_draft(1))
            }),
            "与已登记的党员“党员1”重复",
        );
        // 党员2 edited to 党员1's ID number.
        let second = s.read(|c| members::require(c, t.members[1])).unwrap();
        invalid(
            refuse(&s, |c| members::update(c, v, &a, &second, &member_draft(1))),
            "重复",
        );
        // Transfers to a non-branch, a dissolved branch, the same branch.
        for (to, needle) in [
            (&t.town, "党员应编入党支部"),
            (&t.dissolved, "已撤销"),
            (&t.branch, "与当前所属党组织相同"),
        ] {
            invalid(
                refuse(&s, |c| {
                    members::transfer(c, &a, &second, to, "2026-03-01", "工作调动")
                }),
                needle,
            );
        }
        // The controls.
        s.write(|c| members::create(c, v, Some(&a), &t.empty, &member_draft(7)))
            .unwrap();
        s.write(|c| members::transfer(c, &a, &second, &t.sub_branch, "2026-03-01", "工作调动"))
            .unwrap();
    }
}

#[test]
fn residents_and_accounts_are_refused_when_misplaced_or_taken() {
    for s in backends() {
        let t = tree(&s);
        let a = admin(&t.county);
        let v = &s.vault;
        let birth = NaiveDate::from_ymd_opt(1980, 5, 1).unwrap();
        let resident = |name: &str, head: &str, address: &str, id: u32| {
            ResidentInput {
                head_name: head.into(),
                address: address.into(),
                name: name.into(),
                relation: if name == head { "户主" } else { "配偶" }.into(),
                id_number: if id == 0 {
                    String::new()
                } else {
                    idcard::build(330100, birth, id)
                },
                ..ResidentInput::default()
            }
            .validate()
            .unwrap()
        };
        s.write(|c| {
            households::add_resident(
                c,
                v,
                Some(&a),
                &t.branch,
                &resident("王建国", "王建国", "东村1组8号", 11),
            )
        })
        .unwrap();
        invalid(
            refuse(&s, |c| {
                households::add_resident(
                    c,
                    v,
                    Some(&a),
                    &t.town,
                    &resident("李四", "李四", "镇上1号", 0),
                )
            }),
            "不是村（社区）级组织",
        );
        invalid(
            refuse(&s, |c| {
                households::add_resident(
                    c,
                    v,
                    Some(&a),
                    &t.dissolved,
                    &resident("李四", "李四", "南村1号", 0),
                )
            }),
            "不是村（社区）级组织",
        );
        invalid(
            refuse(&s, |c| {
                households::add_resident(
                    c,
                    v,
                    Some(&a),
                    &t.branch,
                    &resident("王五", "王五", "东村2组1号", 11),
                )
            }),
            "该身份证号已登记为群众",
        );
        invalid(
            refuse(&s, |c| {
                households::add_resident(
                    c,
                    v,
                    Some(&a),
                    &t.branch,
                    &resident("赵六", "赵六", "东村1组8号", 0),
                )
            }),
            "已登记户主“王建国”",
        );
        // The household grows with its head's name.
        s.write(|c| {
            households::add_resident(
                c,
                v,
                Some(&a),
                &t.branch,
                &resident("李秀英", "王建国", "东村1组8号", 0),
            )
        })
        .unwrap();

        let new = |username: &'static str| accounts::NewAccount {
            username,
            display_name: "东村书记",
            password_hash: "x",
            role: Role::BranchSecretary,
            org_id: t.branch.id,
            member_id: None,
        };
        s.write(|c| accounts::create(c, &new("dongcun"))).unwrap();
        invalid(
            refuse(&s, |c| accounts::create(c, &new("dongcun"))),
            "已被使用",
        );
    }
}
