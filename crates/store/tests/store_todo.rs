//! 待办 on both backends: each source's item appears when it is due, disappears once cleared,
//! and never appears for an actor whose subtree does not hold it; the navigation's count
//! equals the list's total.

use chrono::NaiveDate;
use xianfeng_domain::auth::{Actor, Role};
use xianfeng_domain::award::AwardKindInput;
use xianfeng_domain::commitment::{CommitmentInput, CommitmentStep};
use xianfeng_domain::date;
use xianfeng_domain::life::{AttendanceEntry, MeetingDraft, MeetingKind, Presence};
use xianfeng_domain::org::Org;
use xianfeng_domain::points::{Audience, Caps, ClaimStatus, EarnDraft, RuleDraft};
use xianfeng_domain::supervision::{InspectionDraft, ProblemAction, ProblemDraft};
use xianfeng_domain::todo::Kind;
use xianfeng_domain::workflow::Action;
use xianfeng_store::points::point_claims::{self, By};
use xianfeng_store::testing::{add_member, admin, backends, org, TestStore};
use xianfeng_store::{
    campaigns::supervision, engines::workflow, life::meetings, points, points::point_rules,
    recognition::awards, recognition::commitments, todo, vals,
};

struct Tree {
    county: Org,
    town: Org,
    other_town: Org,
    branch: Org,
    member: i64,
}

/// A county with two towns and a branch under the first, all set up long ago (so this
/// period's obligations bind them), and one member of the branch.
fn tree(s: &TestStore) -> Tree {
    let (county, town, other_town, branch) = s
        .write(|c| -> xianfeng_store::Result<_> {
            let county = org(c, None, "测试县委", "县委");
            let town = org(c, Some(&county), "甲镇党委", "党委");
            let other_town = org(c, Some(&county), "乙镇党委", "党委");
            let branch = org(c, Some(&town), "东村党支部", "党支部");
            c.execute("UPDATE orgs SET created_at = '2020-01-01T00:00:00Z'", &[])?;
            Ok((county, town, other_town, branch))
        })
        .unwrap();
    let member = add_member(s, &branch, 1, "正式党员");
    Tree {
        county,
        town,
        other_town,
        branch,
        member,
    }
}

fn actor(at: &Org, role: Role) -> Actor {
    Actor {
        role,
        scope_org_id: at.id,
        scope_path: at.path.clone(),
        display_name: format!("{}经办人", at.name),
        ..admin(at)
    }
}

fn member_actor(t: &Tree) -> Actor {
    Actor {
        member_id: Some(t.member),
        ..actor(&t.branch, Role::Member)
    }
}

/// The items of `kind` the actor sees today, as (what, href); and checks the count.
fn items(s: &TestStore, who: &Actor, kind: Kind) -> Vec<(String, String)> {
    let today = date::today();
    let list = s.read(|c| todo::list(c, who, today, 50)).unwrap();
    let count = s.read(|c| todo::count(c, who, today)).unwrap();
    assert_eq!(
        count, list.total,
        "{}: the count is the list's total",
        s.name
    );
    let shown = list.items.len() as i64;
    assert_eq!(
        shown, list.total,
        "{}: everything fits the limit here",
        s.name
    );
    list.items
        .into_iter()
        .filter(|i| i.kind == kind)
        .map(|i| (i.what, i.href))
        .collect()
}

#[test]
fn a_claim_waits_for_the_branch_and_its_superiors_and_leaves_once_decided() {
    for s in backends() {
        let t = tree(&s);
        let rule = s
            .write(|c| {
                point_rules::create(
                    c,
                    None,
                    &t.county,
                    &RuleDraft {
                        action: "调解邻里纠纷".into(),
                        category: "测试".into(),
                        points: 10,
                        audience: Audience::All,
                        evidence_required: false,
                        approval_required: true,
                        caps: Caps::default(),
                        valid_from: None,
                        valid_to: None,
                        trigger: xianfeng_domain::points::Trigger::Manual,
                    },
                )
            })
            .unwrap();
        let account = s.write(|c| points::member_account(c, t.member)).unwrap().id;
        let draft = EarnDraft {
            rule_id: rule,
            day: date::today(),
            note: "调解成功".into(),
        };
        let (claim, status) = s
            .write(|c| point_claims::earn(c, By::Card, account, &draft, None))
            .unwrap();
        assert_eq!(status, ClaimStatus::Pending);
        let sec = actor(&t.branch, Role::BranchSecretary);
        for who in [
            &sec,
            &actor(&t.town, Role::TownAdmin),
            &actor(&t.county, Role::CountyAdmin),
        ] {
            let got = items(&s, who, Kind::Claim);
            assert_eq!(got.len(), 1, "{}: {got:?}", s.name);
            assert!(got[0].0.contains("调解邻里纠纷"), "{}: {got:?}", s.name);
            assert!(got[0].1.ends_with(&format!("#claim-{claim}")), "{}", s.name);
        }
        assert!(items(&s, &actor(&t.other_town, Role::TownAdmin), Kind::Claim).is_empty());
        let mine = items(&s, &member_actor(&t), Kind::MyClaim);
        assert_eq!(
            mine.len(),
            1,
            "{}: the member sees their own claim waiting",
            s.name
        );
        assert!(items(&s, &member_actor(&t), Kind::Claim).is_empty());

        s.write(|c| point_claims::decide(c, &sec, claim, true, ""))
            .unwrap();
        assert!(items(&s, &sec, Kind::Claim).is_empty(), "{}", s.name);
        assert!(items(&s, &member_actor(&t), Kind::MyClaim).is_empty());
    }
}

fn raise(s: &TestStore, t: &Tree) -> i64 {
    let today = date::today();
    s.write(|c| {
        let id = supervision::inspect(
            c,
            &actor(&t.town, Role::TownAdmin),
            &t.town,
            &t.branch,
            None,
            &InspectionDraft {
                held_on: today,
                inspectors: "镇组织委员".into(),
                findings: "三会一课记录不全".into(),
            },
            &[ProblemDraft {
                description: "支委会记录缺少两次".into(),
                deadline: today + chrono::Duration::days(5),
            }],
        )?;
        c.scalar("SELECT id FROM problems WHERE inspection_id = ?", vals![id])
    })
    .unwrap()
}

#[test]
fn a_problem_is_the_branch_s_to_rectify_then_the_raising_town_s_to_verify() {
    for s in backends() {
        let t = tree(&s);
        let id = raise(&s, &t);
        let sec = actor(&t.branch, Role::BranchSecretary);
        let town = actor(&t.town, Role::TownAdmin);
        let got = items(&s, &sec, Kind::Rectify);
        assert_eq!(
            got,
            vec![(
                "整改：支委会记录缺少两次".to_string(),
                format!("/problems/{id}")
            )],
            "{}",
            s.name
        );
        assert!(
            items(&s, &town, Kind::Rectify).is_empty(),
            "{}: the town raised it",
            s.name
        );
        assert!(items(&s, &town, Kind::Verify).is_empty());

        let p = s.read(|c| supervision::problem(c, id)).unwrap().unwrap();
        let photo = vec![(
            "整改照片.png".to_string(),
            "image/png".to_string(),
            b"\x89PNG\r\n\x1a\n0000".to_vec(),
        )];
        s.write(|c| {
            supervision::act(
                c,
                &sec,
                &p,
                ProblemAction::Submit,
                "已补齐支委会记录并整改到位",
                &photo,
            )
        })
        .unwrap();
        assert!(items(&s, &sec, Kind::Rectify).is_empty(), "{}", s.name);
        assert_eq!(items(&s, &town, Kind::Verify).len(), 1, "{}", s.name);
        assert!(items(&s, &actor(&t.other_town, Role::TownAdmin), Kind::Verify).is_empty());
        assert!(
            items(&s, &sec, Kind::Verify).is_empty(),
            "{}: secretaries do not verify",
            s.name
        );

        let p = s.read(|c| supervision::problem(c, id)).unwrap().unwrap();
        s.write(|c| supervision::act(c, &town, &p, ProblemAction::Verify, "经核查已整改到位", &[]))
            .unwrap();
        assert!(items(&s, &town, Kind::Verify).is_empty(), "{}", s.name);
    }
}

#[test]
fn a_member_s_commitment_is_approved_by_the_branch_and_then_waits_for_fulfilment() {
    for s in backends() {
        let t = tree(&s);
        let me = member_actor(&t);
        let year = date::today()
            .format("%Y")
            .to_string()
            .parse::<i32>()
            .unwrap();
        let id = s
            .write(|c| {
                commitments::add(
                    c,
                    &me,
                    &t.branch,
                    Some(t.member),
                    year,
                    &CommitmentInput {
                        content: "每月走访联系户两次".into(),
                        category: String::new(),
                        due: format!("{year}-12-31"),
                    },
                )
            })
            .unwrap();
        let sec = actor(&t.branch, Role::BranchSecretary);
        let got = items(&s, &sec, Kind::CommitmentApprove);
        assert_eq!(got.len(), 1, "{}: {got:?}", s.name);
        assert!(
            got[0].0.contains("“每月走访联系户两次”待审核"),
            "{}: {got:?}",
            s.name
        );
        assert_eq!(got[0].1, format!("/commitments/{id}"));
        assert!(items(
            &s,
            &actor(&t.other_town, Role::TownAdmin),
            Kind::CommitmentApprove
        )
        .is_empty());
        assert!(
            items(
                &s,
                &actor(&t.town, Role::TownAdmin),
                Kind::CommitmentApprove
            )
            .is_empty(),
            "{}: the branch approves its members' commitments, not the town",
            s.name
        );
        assert!(items(&s, &me, Kind::MyCommitment)[0]
            .0
            .contains("等待支部审核"));

        s.write(|c| commitments::step(c, &sec, id, CommitmentStep::Approve, None))
            .unwrap();
        assert!(
            items(&s, &sec, Kind::CommitmentApprove).is_empty(),
            "{}",
            s.name
        );
        assert!(items(&s, &me, Kind::MyCommitment)[0].0.contains("记录践诺"));
        s.write(|c| {
            commitments::fulfil(
                c,
                &me,
                id,
                &date::today().to_string(),
                "走访联系户两户",
                None,
            )
        })
        .unwrap();
        assert!(items(&s, &me, Kind::MyCommitment).is_empty(), "{}", s.name);
    }
}

fn themed_day(on: NaiveDate) -> MeetingDraft {
    MeetingDraft {
        kind: MeetingKind::ThemedDay,
        date: on,
        held: true,
        place: "党员活动室".into(),
        host: "书记".into(),
        topic: "学习会议精神".into(),
        first_topic: true,
        agenda: String::new(),
        minutes: String::new(),
    }
}

#[test]
fn this_month_s_themed_day_is_due_until_held_and_today_s_check_in_until_done() {
    for s in backends() {
        let t = tree(&s);
        let sec = actor(&t.branch, Role::BranchSecretary);
        let due = items(&s, &sec, Kind::Meeting);
        assert!(
            due.iter()
                .any(|(w, h)| w.starts_with("主题党日：") && h.contains("/meetings/new?kind=")),
            "{}: {due:?}",
            s.name
        );
        assert!(
            !due.iter().any(|(w, _)| w.starts_with("领导点评")),
            "{}: the town writes leader reviews",
            s.name
        );
        let town = items(&s, &actor(&t.town, Role::TownAdmin), Kind::Meeting);
        assert!(
            town.iter()
                .any(|(w, _)| w.starts_with("主题党日：1个党支部")),
            "{}: {town:?}",
            s.name
        );
        let other = items(&s, &actor(&t.other_town, Role::TownAdmin), Kind::Meeting);
        assert!(
            !other.iter().any(|(w, _)| w.contains("党支部")),
            "{}: {other:?}",
            s.name
        );

        // a themed day held today, the member absent so far
        let m = s
            .write(|c| {
                meetings::create(
                    c,
                    None,
                    &t.branch,
                    &themed_day(date::today()),
                    &[AttendanceEntry {
                        member_id: t.member,
                        presence: Presence::Absent,
                        reason: String::new(),
                    }],
                )
            })
            .unwrap();
        let me = member_actor(&t);
        assert_eq!(items(&s, &me, Kind::CheckIn).len(), 1, "{}", s.name);
        assert_eq!(items(&s, &sec, Kind::CheckIn).len(), 1, "{}", s.name);
        s.write(|c| meetings::check_in(c, &m, t.member)).unwrap();
        assert!(items(&s, &me, Kind::CheckIn).is_empty(), "{}", s.name);
        assert!(items(&s, &sec, Kind::CheckIn).is_empty(), "{}", s.name);
        let due = items(&s, &sec, Kind::Meeting);
        assert!(
            !due.iter().any(|(w, _)| w.starts_with("主题党日：")),
            "{}: held this month, so no longer due: {due:?}",
            s.name
        );
    }
}

#[test]
fn a_nomination_is_on_the_list_of_the_level_whose_turn_it_is() {
    for s in backends() {
        let t = tree(&s);
        let county = actor(&t.county, Role::CountyAdmin);
        let town = actor(&t.town, Role::TownAdmin);
        let sec = actor(&t.branch, Role::BranchSecretary);
        let kind_id = s
            .write(|c| {
                awards::create_kind(
                    c,
                    &county,
                    &t.county,
                    &AwardKindInput {
                        name: "优秀共产党员".into(),
                        subject: "党员".into(),
                        year: "2026".into(),
                        branch_quota: "2".into(),
                        town_quota: "1".into(),
                        county_quota: String::new(),
                        notice_days: "7".into(),
                    },
                )
            })
            .unwrap();
        let kind = s.read(|c| awards::kind(c, kind_id)).unwrap();
        let id = s
            .write(|c| {
                awards::nominate(
                    c,
                    &sec,
                    &kind,
                    &t.branch,
                    Some(t.member),
                    "",
                    "带领群众发展特色种植，带动20户增收，群众评价高。",
                )
            })
            .unwrap();
        let at_branch = items(&s, &sec, Kind::Nomination);
        assert_eq!(at_branch.len(), 1, "{}: {at_branch:?}", s.name);
        assert_eq!(at_branch[0].1, format!("/nominations/{id}"));
        assert!(
            items(&s, &town, Kind::Nomination).is_empty(),
            "{}: not the town's turn",
            s.name
        );
        assert!(items(&s, &county, Kind::Nomination).is_empty());

        s.write(|c| workflow::act(c, Some(&sec), "", id, Action::Approve, ""))
            .unwrap();
        assert!(items(&s, &sec, Kind::Nomination).is_empty(), "{}", s.name);
        assert_eq!(items(&s, &town, Kind::Nomination).len(), 1, "{}", s.name);
        assert!(items(&s, &actor(&t.other_town, Role::TownAdmin), Kind::Nomination).is_empty());
    }
}

#[test]
fn a_round_past_its_closing_day_is_to_close_until_closed() {
    use xianfeng_store::recognition::evaluations::{self, RoundInput};
    for s in backends() {
        let t = tree(&s);
        let sec = actor(&t.branch, Role::BranchSecretary);
        let round = s
            .write(|c| {
                evaluations::open_round(
                    c,
                    &sec,
                    &t.branch,
                    &RoundInput {
                        name: "东村民主评议党员".into(),
                        scheme: xianfeng_domain::evaluation::Scheme::five_leads().name,
                        closes_on: date::today().to_string(),
                    },
                )
            })
            .unwrap();
        let got = items(&s, &sec, Kind::RoundClose);
        assert_eq!(
            got,
            vec![(
                "“东村民主评议党员”已到截止日期，请结束评议并公布结果".to_string(),
                format!("/evaluations/{round}")
            )],
            "{}",
            s.name
        );
        assert!(items(&s, &actor(&t.other_town, Role::TownAdmin), Kind::RoundClose).is_empty());
        s.write(|c| evaluations::close(c, &sec, round)).unwrap();
        assert!(items(&s, &sec, Kind::RoundClose).is_empty(), "{}", s.name);
    }
}
