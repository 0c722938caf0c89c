//! Awards through the workflow engine on both backends: a nomination climbs branch → town →
//! county within quotas, refusals (wrong level, over quota, out of scope) write nothing, the
//! history is appended per transition and is append-only, and public notice takes objections
//! and ends in a final decision.

use xianfeng_domain::auth::{Actor, Role};
use xianfeng_domain::award::AwardKindInput;
use xianfeng_domain::org::Org;
use xianfeng_domain::workflow::{Action, Stage};
use xianfeng_store::testing::{add_member, admin, backends, org, TestStore};
use xianfeng_store::{engines::workflow, recognition::awards, StoreError};

struct Tree {
    county: Org,
    town: Org,
    other_town: Org,
    east: Org,
    west: Org,
}

fn tree(s: &TestStore) -> Tree {
    s.write(|c| -> xianfeng_store::Result<_> {
        let county = org(c, None, "测试县委", "县委");
        let town = org(c, Some(&county), "甲镇党委", "党委");
        let other_town = org(c, Some(&county), "乙镇党委", "党委");
        let east = org(c, Some(&town), "东村党支部", "党支部");
        let west = org(c, Some(&town), "西村党支部", "党支部");
        Ok(Tree {
            county,
            town,
            other_town,
            east,
            west,
        })
    })
    .unwrap()
}

pub fn actor(at: &Org, role: Role) -> Actor {
    Actor {
        role,
        scope_org_id: at.id,
        scope_path: at.path.clone(),
        display_name: format!("{}经办人", at.name),
        ..admin(at)
    }
}

fn kind_input(name: &str, branch: &str, town: &str, county: &str) -> AwardKindInput {
    AwardKindInput {
        name: name.into(),
        subject: "党员".into(),
        year: "2026".into(),
        branch_quota: branch.into(),
        town_quota: town.into(),
        county_quota: county.into(),
        notice_days: "7".into(),
    }
}

fn stage(s: &TestStore, id: i64) -> Stage {
    s.read(|c| workflow::instance(c, id)).unwrap().stage
}

fn refused(r: Result<Stage, StoreError>) -> String {
    match r {
        Err(StoreError::Invalid(i)) => i.to_string(),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_nomination_climbs_within_quotas_and_ends_in_public_notice() {
    for s in backends() {
        let t = tree(&s);
        let county_admin = actor(&t.county, Role::CountyAdmin);
        let town_admin = actor(&t.town, Role::TownAdmin);
        let east_sec = actor(&t.east, Role::BranchSecretary);
        let west_sec = actor(&t.west, Role::BranchSecretary);
        let members: Vec<i64> = (1..=3)
            .map(|n| add_member(&s, &t.east, n, "正式党员"))
            .collect();
        let west_member = add_member(&s, &t.west, 4, "正式党员");
        let kind_id = s
            .write(|c| {
                awards::create_kind(
                    c,
                    &county_admin,
                    &t.county,
                    &kind_input("优秀共产党员", "2", "1", ""),
                )
            })
            .unwrap();
        let kind = s.read(|c| awards::kind(c, kind_id)).unwrap();
        assert_eq!(kind.definition.steps.len(), 3);
        let summary = "带领群众发展特色种植，带动20户增收，群众评价高。";
        let nominate = |who: &Actor, at: &Org, m: i64| {
            s.write(|c| awards::nominate(c, who, &kind, at, Some(m), "", summary))
        };
        let a = nominate(&east_sec, &t.east, members[0]).unwrap();
        let b = nominate(&east_sec, &t.east, members[1]).unwrap();
        // a third nomination from the branch is over its quota of 2: refused, nothing written
        let over = nominate(&east_sec, &t.east, members[2]).unwrap_err();
        assert!(over.to_string().contains("超出名额"), "{over}");
        assert_eq!(
            s.read(|c| c.scalar("SELECT COUNT(*) FROM workflow_instances", &[]))
                .unwrap(),
            2
        );
        // the same member twice is refused too
        assert!(nominate(&east_sec, &t.east, members[0]).is_err());
        // a secretary cannot nominate for another branch
        assert!(nominate(&east_sec, &t.west, west_member).is_err());
        let w = nominate(&west_sec, &t.west, west_member).unwrap();

        let act = |who: &Actor, id: i64, action: Action, comment: &str| {
            s.write(|c| workflow::act(c, Some(who), "", id, action, comment))
        };
        // approving at the wrong level: the town cannot take the branch's step
        let wrong = refused(act(&town_admin, a, Action::Approve, ""));
        assert!(
            wrong.contains("支部推荐") && wrong.contains("支部层级"),
            "{wrong}"
        );
        let history_before = s.read(|c| workflow::history(c, a)).unwrap().len();
        assert_eq!(
            act(&east_sec, a, Action::Approve, "").unwrap(),
            Stage::Pending(1)
        );
        assert_eq!(
            act(&east_sec, b, Action::Approve, "").unwrap(),
            Stage::Pending(1)
        );
        assert_eq!(
            act(&west_sec, w, Action::Approve, "").unwrap(),
            Stage::Pending(1)
        );
        // another town's administrator is out of scope
        let other = actor(&t.other_town, Role::TownAdmin);
        assert!(refused(act(&other, a, Action::Approve, "")).contains("管辖范围"));
        // the town's quota is 1: the second approval is refused and nothing moves
        assert_eq!(
            act(&town_admin, a, Action::Approve, "").unwrap(),
            Stage::Pending(2)
        );
        let quota = refused(act(&town_admin, b, Action::Approve, ""));
        assert!(quota.contains("名额上限（1 个）"), "{quota}");
        assert_eq!(stage(&s, b), Stage::Pending(1));
        // returning needs a reason; a return frees nothing and goes back one step
        assert!(refused(act(&town_admin, b, Action::Return, " ")).contains("意见"));
        assert_eq!(
            act(&town_admin, b, Action::Return, "事迹材料过于简单").unwrap(),
            Stage::Pending(0)
        );
        assert_eq!(
            act(&town_admin, w, Action::Reject, "名额已满").unwrap(),
            Stage::Rejected
        );
        // the county approves: public notice of 7 days starts
        assert_eq!(
            act(&county_admin, a, Action::Approve, "").unwrap(),
            Stage::Notice
        );
        let inst = s.read(|c| workflow::instance(c, a)).unwrap();
        assert_eq!(
            inst.notice_until.unwrap() - inst.notice_from.unwrap(),
            chrono::Duration::days(7)
        );
        let finish = refused(act(&county_admin, a, Action::Finalize, ""));
        assert!(finish.contains("公示期到"), "{finish}");
        // an objection from the public, dismissed after checking; then a second, upheld
        let o1 = s
            .write(|c| workflow::object(c, a, "张三", "", "反映该同志去年有违规操办酒席的情况"))
            .unwrap();
        assert_eq!(stage(&s, a), Stage::Objected);
        assert!(s.write(|c| workflow::object(c, a, "", "", "x")).is_err());
        assert_eq!(
            s.write(|c| workflow::resolve(c, &county_admin, o1, false, "经核查，反映情况不属实"))
                .unwrap(),
            Stage::Notice
        );
        assert_eq!(
            s.read(|c| workflow::in_notice(c, &t.town.path, 0, 50))
                .unwrap()
                .len(),
            1
        );
        let history = s.read(|c| workflow::history(c, a)).unwrap();
        assert_eq!(history.len(), history_before + 5);
        assert_eq!(history.last().unwrap().action, "异议不成立");
        assert_eq!(history[0].action, "发起");
        // the history is append-only in the database itself
        assert!(s
            .write(|c| c.execute("UPDATE workflow_history SET comment = 'x'", &[]))
            .is_err());
        assert!(s
            .write(|c| c.execute("DELETE FROM workflow_history", &[]))
            .is_err());
        // every transition is in the audit log
        let audited = s
            .read(|c| {
                c.scalar(
                    "SELECT COUNT(*) FROM audit_log WHERE action = 'workflow.transition'",
                    &[],
                )
            })
            .unwrap();
        let transitions = s
            .read(|c| {
                c.scalar(
                    "SELECT COUNT(*) FROM workflow_history WHERE action <> '发起'",
                    &[],
                )
            })
            .unwrap();
        assert_eq!(audited, transitions);
    }
}

#[test]
fn a_town_award_ends_at_the_town_and_a_branch_cannot_set_one() {
    for s in backends() {
        let t = tree(&s);
        let town_admin = actor(&t.town, Role::TownAdmin);
        let east_sec = actor(&t.east, Role::BranchSecretary);
        let m = add_member(&s, &t.east, 1, "正式党员");
        assert!(s
            .write(|c| awards::create_kind(
                c,
                &east_sec,
                &t.east,
                &kind_input("优秀党员", "1", "", "")
            ))
            .is_err());
        let id = s
            .write(|c| {
                awards::create_kind(
                    c,
                    &town_admin,
                    &t.town,
                    &kind_input("优秀共产党员", "", "45", ""),
                )
            })
            .unwrap();
        let kind = s.read(|c| awards::kind(c, id)).unwrap();
        assert_eq!(kind.definition.steps.len(), 2);
        let n = s
            .write(|c| {
                awards::nominate(
                    c,
                    &east_sec,
                    &kind,
                    &t.east,
                    Some(m),
                    "",
                    "扎根基层十年，带头调解矛盾纠纷三十余起。",
                )
            })
            .unwrap();
        s.write(|c| workflow::act(c, Some(&east_sec), "", n, Action::Approve, ""))
            .unwrap();
        let st = s
            .write(|c| workflow::act(c, Some(&town_admin), "", n, Action::Approve, ""))
            .unwrap();
        assert_eq!(st, Stage::Notice);
        assert_eq!(
            s.read(|c| awards::kinds_for(c, &t.east.path))
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            s.read(|c| awards::quota_lines(c, &kind, &t.town)).unwrap(),
            vec![("镇党委审核".to_string(), 1, 45)]
        );
    }
}

#[test]
fn a_moved_branch_takes_its_nominations_and_commitments_along() {
    for s in backends() {
        let t = tree(&s);
        let county_admin = actor(&t.county, Role::CountyAdmin);
        let east_sec = actor(&t.east, Role::BranchSecretary);
        let m = add_member(&s, &t.east, 1, "正式党员");
        let kind_id = s
            .write(|c| {
                awards::create_kind(
                    c,
                    &county_admin,
                    &t.county,
                    &kind_input("优秀共产党员", "", "", ""),
                )
            })
            .unwrap();
        let kind = s.read(|c| awards::kind(c, kind_id)).unwrap();
        let n = s
            .write(|c| {
                awards::nominate(
                    c,
                    &east_sec,
                    &kind,
                    &t.east,
                    Some(m),
                    "",
                    "带头调解矛盾纠纷三十余起，群众信任。",
                )
            })
            .unwrap();
        let year = chrono::Datelike::year(&xianfeng_domain::date::today());
        let input = xianfeng_domain::commitment::CommitmentInput {
            content: "结对联系3户困难群众".into(),
            category: String::new(),
            due: format!("{year}-12-31"),
        };
        s.write(|c| {
            xianfeng_store::recognition::commitments::add(
                c,
                &east_sec,
                &t.east,
                Some(m),
                year,
                &input,
            )
        })
        .unwrap();
        let moved = s
            .write(|c| {
                xianfeng_store::people::orgs::move_to(c, &county_admin, &t.east, &t.other_town)
            })
            .unwrap();
        assert_eq!(
            s.read(|c| workflow::instance(c, n)).unwrap().origin_path,
            moved.path
        );
        assert_eq!(
            s.read(|c| workflow::list(c, kind.definition_id, &t.other_town.path))
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            s.read(|c| workflow::list(c, kind.definition_id, &t.town.path))
                .unwrap()
                .len(),
            0
        );
        assert_eq!(
            s.read(|c| xianfeng_store::recognition::commitments::list(
                c,
                &t.other_town.path,
                year as i64
            ))
            .unwrap()
            .len(),
            1
        );
    }
}
