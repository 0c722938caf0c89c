//! Evaluation rounds on both backends: codes count once per round and can be revoked,
//! scores outside the scale are refused, results stay hidden until close and then explain
//! themselves, and `evaluations::check` finds a score altered behind the application's back.
//! Commitments, leader reviews and stars are here too: they feed on the same records.

use xianfeng_domain::auth::{Actor, Role};
use xianfeng_domain::cadence::LEADER_REVIEW;
use xianfeng_domain::commitment::{CommitmentInput, CommitmentResult, CommitmentStep, Reviewer};
use xianfeng_domain::date;
use xianfeng_domain::evaluation::{Choice, Grade, RaterGroup, Scheme};
use xianfeng_domain::household::ResidentInput;
use xianfeng_domain::org::Org;
use xianfeng_store::recognition::evaluations::RoundInput;
use xianfeng_store::testing::{add_member, admin, backends, org, TestStore};
use xianfeng_store::{
    life::compliance, people::households, recognition::commitments, recognition::evaluations,
    recognition::leader_reviews, recognition::stars, StoreError,
};

fn actor(at: &Org, role: Role) -> Actor {
    Actor {
        role,
        scope_org_id: at.id,
        scope_path: at.path.clone(),
        ..admin(at)
    }
}

struct World {
    town: Org,
    branch: Org,
    members: Vec<i64>,
}

fn world(s: &TestStore) -> World {
    let (town, branch) = s
        .write(|c| -> xianfeng_store::Result<_> {
            let county = org(c, None, "测试县委", "县委");
            let town = org(c, Some(&county), "甲镇党委", "党委");
            let branch = org(c, Some(&town), "东村党支部", "党支部");
            Ok((town, branch))
        })
        .unwrap();
    let members = (1..=3)
        .map(|n| add_member(s, &branch, n, "正式党员"))
        .collect();
    s.write(|c| -> xianfeng_store::Result<_> {
        for (i, head) in ["王建国", "李卫东"].iter().enumerate() {
            let d = ResidentInput {
                head_name: head.to_string(),
                address: format!("东村1组{}号", i + 1),
                name: head.to_string(),
                relation: "户主".into(),
                ..ResidentInput::default()
            }
            .validate()
            .unwrap();
            households::add_resident(c, &s.vault, None, &branch, &d)?;
        }
        Ok(())
    })
    .unwrap();
    World {
        town,
        branch,
        members,
    }
}

fn open(s: &TestStore, w: &World) -> i64 {
    let sec = actor(&w.branch, Role::BranchSecretary);
    s.write(|c| {
        evaluations::open_round(
            c,
            &sec,
            &w.branch,
            &RoundInput {
                name: "2026年度民主评议党员".into(),
                scheme: Scheme::five_leads().name,
                closes_on: date::today().to_string(),
            },
        )
    })
    .unwrap()
}

#[test]
fn a_round_counts_each_code_once_hides_results_until_close_and_explains_them() {
    for s in backends() {
        let w = world(&s);
        let id = open(&s, &w);
        let codes = s.read(|c| evaluations::codes(c, id)).unwrap();
        assert_eq!(codes.iter().filter(|c| c.household).count(), 2);
        assert_eq!(codes.iter().filter(|c| !c.household).count(), 3);
        let house = codes.iter().find(|c| c.household).unwrap();
        let all_good: Vec<(i64, Choice)> =
            w.members.iter().map(|m| (*m, Choice::Satisfied)).collect();
        s.write(|c| evaluations::vote_with_code(c, &house.code.to_lowercase(), &all_good))
            .unwrap();
        // a second vote with the same code: refused, nothing written
        let before = s
            .read(|c| c.scalar("SELECT COUNT(*) FROM evaluation_scores", &[]))
            .unwrap();
        let again = s
            .write(|c| evaluations::vote_with_code(c, &house.code, &all_good))
            .unwrap_err();
        assert!(again.to_string().contains("已使用过"), "{again}");
        assert_eq!(
            s.read(|c| c.scalar("SELECT COUNT(*) FROM evaluation_scores", &[]))
                .unwrap(),
            before
        );
        // a revoked code cannot vote
        let other_house = codes.iter().filter(|c| c.household).nth(1).unwrap();
        let sec = actor(&w.branch, Role::BranchSecretary);
        s.write(|c| evaluations::revoke(c, &sec, other_house.id))
            .unwrap();
        assert!(s
            .write(|c| evaluations::vote_with_code(c, &other_house.code, &all_good))
            .unwrap_err()
            .to_string()
            .contains("作废"));
        // members: the first rates everyone (self for themselves, peers for the others)
        let first = codes
            .iter()
            .find(|c| c.member_id == Some(w.members[0]))
            .unwrap();
        let mixed = vec![
            (w.members[0], Choice::Satisfied),
            (w.members[1], Choice::Basic),
            (w.members[2], Choice::Unsatisfied),
        ];
        s.write(|c| evaluations::vote_with_code(c, &first.code, &mixed))
            .unwrap();
        // the town scores as the organisation; a score outside the scale names the criterion
        let town = actor(&w.town, Role::TownAdmin);
        let bad: Vec<String> = ["20", "25", "20", "20", "20"]
            .iter()
            .map(|v| v.to_string())
            .collect();
        let e = s
            .write(|c| evaluations::score(c, &town, id, w.members[1], &bad))
            .unwrap_err();
        assert!(
            matches!(&e, StoreError::Invalid(i) if i.0[0].label == "带头争创佳绩"),
            "{e}"
        );
        let full: Vec<String> = vec!["20".into(); 5];
        let low: Vec<String> = vec!["10".into(); 5];
        s.write(|c| evaluations::score(c, &town, id, w.members[1], &low))
            .unwrap();
        // a changed score is a new version; the latest counts
        s.write(|c| evaluations::score(c, &town, id, w.members[1], &full))
            .unwrap();
        let versions = s
            .read(|c| {
                c.scalar(
                    "SELECT MAX(version) FROM evaluation_scores WHERE rater_key LIKE 'account:%'",
                    &[],
                )
            })
            .unwrap();
        assert_eq!(versions, 2);
        // hidden while open
        let round = s.read(|c| evaluations::round(c, id)).unwrap();
        assert!(s.read(|c| evaluations::results(c, &round)).is_err());
        // a branch member cannot close it; the secretary can
        let member = actor(&w.branch, Role::Member);
        assert!(s.write(|c| evaluations::close(c, &member, id)).is_err());
        s.write(|c| evaluations::close(c, &sec, id)).unwrap();
        assert!(s
            .write(|c| evaluations::vote_with_code(c, &first.code, &mixed))
            .is_err());
        let round = s.read(|c| evaluations::round(c, id)).unwrap();
        let results = s.read(|c| evaluations::results(c, &round)).unwrap();
        assert_eq!(results.len(), 3);
        let second = results
            .iter()
            .find(|r| r.subject_id == w.members[1])
            .unwrap();
        // peers 75 × 40 + residents 100 × 20 + organisation 100 × 20, over the 80 present
        let peers = second
            .parts
            .iter()
            .find(|p| p.group == RaterGroup::Peers)
            .unwrap();
        assert_eq!((peers.raters, peers.mean), (1, 7500));
        assert_eq!(second.total, 3750 + 2500 + 2500);
        assert_eq!(
            second.total,
            second.parts.iter().map(|p| p.contribution).sum::<i64>()
        );
        // 3 rated: at most one 优秀
        assert!(
            results
                .iter()
                .filter(|r| r.grade == Some(Grade::Excellent))
                .count()
                <= 1
        );
        assert!(s.read(evaluations::check).unwrap().sound().is_some());
        // the stars' year-end review reads the closed result
        assert!(s
            .read(|c| evaluations::member_result(c, w.members[1], round.year))
            .unwrap()
            .is_some());
    }
}

#[test]
fn an_altered_score_is_found_by_the_check() {
    let s = xianfeng_store::testing::sqlite();
    let w = world(&s);
    let id = open(&s, &w);
    let code = s.read(|c| evaluations::codes(c, id)).unwrap().remove(0);
    s.write(|c| evaluations::vote_with_code(c, &code.code, &[(w.members[0], Choice::Unsatisfied)]))
        .unwrap();
    assert_eq!(
        s.read(evaluations::check).unwrap(),
        xianfeng_store::Check::Sound(1)
    );
    s.with_sqlite(|c| {
        Ok(c.execute_batch(
            "DROP TRIGGER evaluation_scores_no_update; UPDATE evaluation_scores SET scores = '[20,20,20,20,20]';",
        )?)
    })
    .unwrap()
    .unwrap();
    let found = s.read(evaluations::check).unwrap().broken().unwrap();
    assert!(found.contains("与审计记录不符"), "{found}");
}

#[test]
fn commitments_run_their_cycle_and_leader_reviews_meet_the_quarterly_rule() {
    for s in backends() {
        let w = world(&s);
        let sec = actor(&w.branch, Role::BranchSecretary);
        let today = date::today();
        let year = chrono::Datelike::year(&today);
        let input = |n: usize| CommitmentInput {
            content: format!("帮助{n}户困难群众发展庭院经济"),
            category: "产业振兴".into(),
            due: format!("{year}-12-31"),
        };
        let m = w.members[0];
        let ids: Vec<i64> = (1..=5)
            .map(|n| {
                s.write(|c| commitments::add(c, &sec, &w.branch, Some(m), year, &input(n)))
                    .unwrap()
            })
            .collect();
        let sixth = s
            .write(|c| commitments::add(c, &sec, &w.branch, Some(m), year, &input(6)))
            .unwrap_err();
        assert!(sixth.to_string().contains("最多 5 项"), "{sixth}");
        // a member writes their own, not someone else's
        let own = Actor {
            member_id: Some(w.members[1]),
            ..actor(&w.branch, Role::Member)
        };
        assert!(s
            .write(|c| commitments::add(c, &own, &w.branch, Some(w.members[1]), year, &input(1)))
            .is_ok());
        assert!(s
            .write(|c| commitments::add(c, &own, &w.branch, Some(m), year, &input(1)))
            .is_err());
        let k = ids[0];
        let early =
            s.write(|c| commitments::fulfil(c, &sec, k, &today.to_string(), "走访困难户3户", None));
        assert!(early.unwrap_err().to_string().contains("公示后"));
        s.write(|c| commitments::step(c, &sec, k, CommitmentStep::Approve, None))
            .unwrap();
        s.write(|c| {
            commitments::fulfil(
                c,
                &sec,
                k,
                &today.to_string(),
                "走访困难户3户，送去鸡苗",
                None,
            )
        })
        .unwrap();
        assert!(s
            .write(|c| commitments::step(c, &sec, k, CommitmentStep::Settle, None))
            .is_err());
        s.write(|c| commitments::step(c, &sec, k, CommitmentStep::StartReview, None))
            .unwrap();
        s.write(|c| {
            commitments::review(
                c,
                &sec,
                k,
                Reviewer::Residents,
                Choice::Satisfied,
                "说到做到",
            )
        })
        .unwrap();
        s.write(|c| {
            commitments::step(
                c,
                &sec,
                k,
                CommitmentStep::Settle,
                Some(CommitmentResult::Excellent),
            )
        })
        .unwrap();
        let got = s.read(|c| commitments::get(c, k)).unwrap();
        assert_eq!(got.result, Some(CommitmentResult::Excellent));
        assert_eq!(got.entries, 1);
        let (from, to) =
            xianfeng_domain::commitment::half_range(&xianfeng_domain::commitment::half_of(today))
                .unwrap();
        let report = s
            .read(|c| commitments::report_page(c, &w.branch.path, from, to, 0, 50))
            .unwrap();
        assert_eq!(report.items.len(), 1);
        assert_eq!(report.items[0].1.len(), 1);
        assert_eq!((report.total, report.kept, report.settled), (1, 1, 1));
        let beyond = s
            .read(|c| commitments::report_page(c, &w.branch.path, from, to, 1, 50))
            .unwrap();
        assert!(beyond.items.is_empty());
        assert_eq!(beyond.total, 1, "totals are of every page");

        // 领导点评: only from above; it meets the branch's quarterly rule
        assert!(s
            .write(|c| leader_reviews::add(
                c,
                &sec,
                &w.branch,
                "支部书记",
                &today.to_string(),
                "本季度工作扎实有效，继续保持。"
            ))
            .is_err());
        let town = actor(&w.town, Role::TownAdmin);
        s.write(|c| {
            leader_reviews::add(
                c,
                &town,
                &w.branch,
                "镇党委书记 王明",
                &today.to_string(),
                "本季度主题党日形式新颖，群众参与度高。",
            )
        })
        .unwrap();
        let standing = s
            .read(|c| compliance::standing(c, &w.branch, today))
            .unwrap();
        let rule = standing
            .iter()
            .find(|st| st.rule.activity == LEADER_REVIEW)
            .unwrap();
        assert_eq!(rule.count, 1);

        // stars: the month counts the fulfilment entry; history keeps every computation
        s.write(|c| stars::rate_month(c, &w.branch, today)).unwrap();
        s.write(|c| stars::rate_month(c, &w.branch, today)).unwrap();
        s.write(|c| stars::rate_year(c, Some(&sec), &w.branch, year))
            .unwrap();
        let board = s
            .read(|c| stars::board(c, &w.town.path, "member_year", year))
            .unwrap();
        assert_eq!(board.len(), 3);
        assert!(board.iter().all(|r| (1..=5).contains(&r.stars)));
        let history = s
            .read(|c| stars::history(c, &["member_month", "member_year"], m))
            .unwrap();
        assert_eq!(history.len(), 3);
        let month = history.iter().find(|r| r.kind == "member_month").unwrap();
        assert_eq!(month.parts[1]["points"], 20);
        let branch = s
            .read(|c| stars::board(c, &w.town.path, "branch_year", year))
            .unwrap();
        assert_eq!(branch.len(), 1);
        assert!(s
            .write(|c| stars::grant(c, &sec, m, "2026-11", "义务", "9"))
            .is_err());
        s.write(|c| stars::grant(c, &sec, m, "2026-11", "义务", "5"))
            .unwrap();
    }
}
