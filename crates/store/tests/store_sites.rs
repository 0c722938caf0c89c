//! 示范点 on both backends: the level above designates a site with the county's standards, the
//! site evidences each, the level above checks them, and acceptance passes only with every
//! standard 合格; 限期整改 opens problems in the 问题台账; accepted sites count in the subtree's
//! roll-up as a computed indicator reads them. Refusals write nothing.

use xianfeng_domain::auth::{Actor, Role};
use xianfeng_domain::demo_site::{AcceptanceInput, ItemState, SiteInput, SiteStatus};
use xianfeng_domain::org::Org;
use xianfeng_store::brands::sites;
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
        display_name: format!("{}经办人", at.name),
        ..admin(at)
    }
}

fn site_input() -> SiteInput {
    SiteInput {
        year: chrono::Datelike::year(&xianfeng_domain::date::today()).to_string(),
        leader: "党委副书记 李明".into(),
        plan: "按九有标准创建基层党建示范点，年底验收。".into(),
    }
}

fn visit(result: &str, problems: &str) -> AcceptanceInput {
    let today = xianfeng_domain::date::today();
    AcceptanceInput {
        held_on: today.to_string(),
        inspectors: "镇党委 王委员".into(),
        score: "90".into(),
        result: result.into(),
        remarks: String::new(),
        problems: problems.into(),
        deadline: (today + chrono::Duration::days(30)).to_string(),
    }
}

fn refusal<T: std::fmt::Debug>(r: Result<T, StoreError>) -> String {
    match r {
        Err(StoreError::Invalid(i)) => i.to_string(),
        Err(StoreError::NotFound(w)) => format!("不存在：{w}"),
        Err(StoreError::Conflict(m)) => m,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_site_is_evidenced_checked_rectified_and_accepted_and_counts_in_the_rollup() {
    for s in backends() {
        let t = tree(&s);
        let sec = actor(&t.east, Role::BranchSecretary);
        let town = actor(&t.town, Role::TownAdmin);
        let county = actor(&t.county, Role::CountyAdmin);
        s.write(|c| sites::save_standards(c, &county, &t.county, "活动有阵地\n制度上墙\n双报到"))
            .unwrap();
        let id = s
            .write(|c| sites::designate(c, &town, &t.east, &site_input()))
            .unwrap();
        let items = s.read(|c| sites::items(c, id)).unwrap();
        assert_eq!(
            items
                .iter()
                .map(|i| i.standard.as_str())
                .collect::<Vec<_>>(),
            ["活动有阵地", "制度上墙", "双报到"]
        );
        for i in &items {
            s.write(|c| sites::evidence(c, &sec, i.id, "已落实，照片见村务公开栏"))
                .unwrap();
        }
        s.write(|c| sites::check(c, &town, items[0].id, true, ""))
            .unwrap();
        s.write(|c| sites::check(c, &town, items[1].id, false, "缺制度上墙照片"))
            .unwrap();
        assert_eq!(
            s.read(|c| sites::items(c, id)).unwrap()[1].state,
            ItemState::Returned
        );

        // 通过 is refused while a standard is not 合格; 限期整改 opens problems
        let before = snapshot(&s);
        let r = refusal(s.write(|c| sites::accept(c, &town, id, &visit("通过", ""))));
        assert!(r.contains("未核查合格"), "{r}");
        assert_eq!(differences(&before, &snapshot(&s)), Vec::<String>::new());
        s.write(|c| {
            sites::accept(
                c,
                &town,
                id,
                &visit("限期整改", "制度未上墙\n双报到台账不全"),
            )
        })
        .unwrap();
        let site = s.read(|c| sites::get(c, id)).unwrap();
        assert_eq!(site.status, SiteStatus::Rectifying);
        let open = s
            .read(|c| {
                c.scalar(
                    "SELECT COUNT(*) FROM problems WHERE org_id = ? AND status = '整改中'",
                    xianfeng_store::vals![t.east.id],
                )
            })
            .unwrap();
        assert_eq!(open, 2);
        assert_eq!(
            s.read(|c| sites::visits(c, id)).unwrap()[0]
                .problem_ids
                .len(),
            2
        );

        s.write(|c| sites::evidence(c, &sec, items[1].id, "制度已上墙，补拍照片"))
            .unwrap();
        for i in &items[1..] {
            s.write(|c| sites::check(c, &town, i.id, true, "")).unwrap();
        }
        let year = chrono::Datelike::year(&xianfeng_domain::date::today());
        assert_eq!(
            s.read(|c| sites::accepted_in(c, t.county.id, year, None))
                .unwrap(),
            0
        );
        s.write(|c| sites::accept(c, &town, id, &visit("通过", "")))
            .unwrap();
        let site = s.read(|c| sites::get(c, id)).unwrap();
        assert_eq!(site.status, SiteStatus::Accepted);
        assert_eq!(site.score, Some(90));
        for at in [t.east.id, t.town.id, t.county.id] {
            assert_eq!(
                s.read(|c| sites::accepted_in(c, at, year, None)).unwrap(),
                1
            );
            assert_eq!(
                s.read(|c| sites::accepted_in(c, at, year, Some("农村")))
                    .unwrap(),
                1
            );
        }
        assert_eq!(
            s.read(|c| sites::accepted_in(c, t.other_town.id, year, None))
                .unwrap(),
            0
        );
        assert_eq!(
            s.read(|c| sites::accepted_in(c, t.county.id, year, Some("社区")))
                .unwrap(),
            0
        );
        let tampered = s.write(|c| {
            c.execute(
                "DELETE FROM site_acceptances WHERE site_id = ?",
                xianfeng_store::vals![id],
            )
        });
        assert!(tampered.is_err(), "acceptances are append-only");
    }
}

#[test]
fn refused_site_actions_change_nothing() {
    for s in backends() {
        let t = tree(&s);
        let sec = actor(&t.east, Role::BranchSecretary);
        let town = actor(&t.town, Role::TownAdmin);
        let other_town = actor(&t.other_town, Role::TownAdmin);
        let id = s
            .write(|c| sites::designate(c, &town, &t.east, &site_input()))
            .unwrap();
        let items = s.read(|c| sites::items(c, id)).unwrap();
        assert_eq!(items.len(), 9, "the defaults of seed 003");
        let before = snapshot(&s);
        let refusals = [
            // only a county administrator edits the standards
            refusal(s.write(|c| sites::save_standards(c, &town, &t.county, "制度上墙"))),
            // a branch does not designate itself; another town cannot see it; twice a year
            refusal(s.write(|c| sites::designate(c, &sec, &t.east, &site_input()))),
            refusal(s.write(|c| sites::designate(c, &other_town, &t.east, &site_input()))),
            refusal(s.write(|c| sites::designate(c, &town, &t.east, &site_input()))),
            refusal(s.write(|c| sites::designate(c, &town, &t.east, &SiteInput::default()))),
            // evidence too short; another town's evidence; checking what was not submitted
            refusal(s.write(|c| sites::evidence(c, &sec, items[0].id, "有"))),
            refusal(s.write(|c| sites::evidence(c, &other_town, items[0].id, "已落实阵地建设"))),
            refusal(s.write(|c| sites::check(c, &town, items[0].id, true, ""))),
            // the site checks nor accepts itself
            refusal(s.write(|c| sites::check(c, &sec, items[0].id, true, ""))),
            refusal(s.write(|c| sites::accept(c, &sec, id, &visit("不通过", "")))),
            refusal(s.write(|c| sites::accept(c, &town, id, &visit("限期整改", "")))),
        ];
        assert!(refusals[2].contains("不存在"), "{}", refusals[2]);
        assert!(refusals[3].contains("已是"), "{}", refusals[3]);
        assert!(refusals[6].contains("不存在"), "{}", refusals[6]);
        assert!(refusals[10].contains("整改问题"), "{}", refusals[10]);
        assert_eq!(differences(&before, &snapshot(&s)), Vec::<String>::new());
    }
}
