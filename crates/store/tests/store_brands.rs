//! 党建品牌 on both backends: a branch proposes, the town designates it 培育项目, the branch
//! declares (登记备案) and the declaration climbs through the workflow engine — returned with a
//! reason, revised and re-declared, approved by the town, filed by the county with a unique
//! register number — or is rejected. Refusals write nothing; the history is append-only.

use xianfeng_domain::auth::{Actor, Role};
use xianfeng_domain::brand::{BrandInput, BrandStatus, DeclarationInput, RecordInput};
use xianfeng_domain::org::Org;
use xianfeng_domain::workflow::{Action, Stage};
use xianfeng_store::brands::projects as brands;
use xianfeng_store::testing::{admin, backends, differences, org, snapshot, TestStore};
use xianfeng_store::{engines::workflow, StoreError};

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

fn actor(at: &Org, role: Role) -> Actor {
    Actor {
        role,
        scope_org_id: at.id,
        scope_path: at.path.clone(),
        display_name: format!("{}经办人", at.name),
        ..admin(at)
    }
}

fn brand_input(name: &str) -> BrandInput {
    BrandInput {
        name: name.into(),
        slogan: "小事不出网格".into(),
        category: "基层治理".into(),
        description: "以网格为单元，党员当管家，服务群众零距离。".into(),
        goals: "三年建成全县知名品牌".into(),
        measures: "党员认领网格，每周走访".into(),
        leaders: "张书记、李委员".into(),
    }
}

fn declaration(name: &str) -> DeclarationInput {
    DeclarationInput {
        effects: "化解矛盾三十余件，群众满意度明显提升".into(),
        satisfaction: "95".into(),
        founded_on: "2024-03-01".into(),
        ..DeclarationInput::from_brand(&brand_input(name))
    }
}

/// A designated brand of `at`, proposed by its secretary and designated by the town.
fn cultivated(s: &TestStore, t: &Tree, at: &Org, name: &str) -> i64 {
    let sec = actor(at, Role::BranchSecretary);
    let town = actor(&t.town, Role::TownAdmin);
    let id = s
        .write(|c| brands::propose(c, &sec, at, &brand_input(name)))
        .unwrap();
    s.write(|c| brands::designate(c, &town, id)).unwrap();
    id
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
fn a_declaration_is_returned_revised_approved_and_filed_with_a_register_number() {
    for s in backends() {
        let t = tree(&s);
        let sec = actor(&t.east, Role::BranchSecretary);
        let town = actor(&t.town, Role::TownAdmin);
        let county = actor(&t.county, Role::CountyAdmin);
        let id = cultivated(&s, &t, &t.east, "红色管家");
        assert_eq!(
            s.read(|c| brands::get(c, id)).unwrap().status,
            BrandStatus::Cultivating
        );

        s.write(|c| brands::declare(c, &sec, id, &declaration("红色管家")))
            .unwrap();
        let b = s.read(|c| brands::get(c, id)).unwrap();
        assert_eq!(b.stage, Some(Stage::Pending(1)));
        assert_eq!(s.read(|c| brands::progress(c, &b)).unwrap(), "待镇党委审核");

        s.write(|c| brands::decide(c, &town, id, Action::Return, "请补充成效数据"))
            .unwrap();
        let b = s.read(|c| brands::get(c, id)).unwrap();
        assert_eq!(b.stage, Some(Stage::Pending(0)));
        assert_eq!(s.read(|c| brands::progress(c, &b)).unwrap(), "退回修改");

        let mut revised = declaration("红色管家·网格");
        revised.effects = "化解矛盾三十二件，办理民生实事十五件".into();
        s.write(|c| brands::declare(c, &sec, id, &revised)).unwrap();
        let b = s.read(|c| brands::get(c, id)).unwrap();
        assert_eq!(b.name, "红色管家·网格");
        assert_eq!(b.stage, Some(Stage::Pending(1)));
        let d = s.read(|c| brands::declaration(c, id)).unwrap().unwrap();
        assert_eq!(
            d.effects,
            xianfeng_domain::text::normalize("化解矛盾三十二件，办理民生实事十五件")
        );

        s.write(|c| brands::decide(c, &town, id, Action::Approve, ""))
            .unwrap();
        let st = s
            .write(|c| brands::decide(c, &county, id, Action::Approve, "同意备案"))
            .unwrap();
        assert_eq!(st, Stage::Final);
        let b = s.read(|c| brands::get(c, id)).unwrap();
        assert_eq!(b.status, BrandStatus::Filed);
        let year = chrono::Datelike::year(&xianfeng_domain::date::today());
        assert_eq!(b.register_no, Some(format!("县-{year}-001")));
        assert_eq!(s.read(|c| brands::filed_of(c, t.east.id)).unwrap().len(), 1);

        let inst = b.instance_id.unwrap();
        let actions: Vec<String> = s
            .read(|c| workflow::history(c, inst))
            .unwrap()
            .into_iter()
            .map(|h| h.action)
            .collect();
        assert_eq!(
            actions,
            ["发起", "同意", "退回修改", "修改", "同意", "同意", "同意"]
        );
        let tampered = s.write(|c| {
            c.execute(
                "UPDATE workflow_history SET comment = 'x' WHERE instance_id = ?",
                xianfeng_store::vals![inst],
            )
        });
        assert!(tampered.is_err(), "history must be append-only");
    }
}

#[test]
fn register_numbers_are_unique_and_sequential_within_the_year() {
    for s in backends() {
        let t = tree(&s);
        let town = actor(&t.town, Role::TownAdmin);
        let county = actor(&t.county, Role::CountyAdmin);
        let mut numbers = Vec::new();
        for (at, name) in [
            (&t.east, "红色管家"),
            (&t.west, "田间党课"),
            (&t.east, "银发先锋"),
        ] {
            let id = cultivated(&s, &t, at, name);
            let sec = actor(at, Role::BranchSecretary);
            s.write(|c| brands::declare(c, &sec, id, &declaration(name)))
                .unwrap();
            s.write(|c| brands::decide(c, &town, id, Action::Approve, ""))
                .unwrap();
            s.write(|c| brands::decide(c, &county, id, Action::Approve, ""))
                .unwrap();
            numbers.push(s.read(|c| brands::get(c, id)).unwrap().register_no.unwrap());
        }
        let year = chrono::Datelike::year(&xianfeng_domain::date::today());
        assert_eq!(
            numbers,
            (1..=3)
                .map(|n| format!("县-{year}-{n:03}"))
                .collect::<Vec<_>>()
        );
        let dup = s.write(|c| {
            c.execute(
                "UPDATE brands SET register_no = ? WHERE name = '田间党课'",
                xianfeng_store::vals![numbers[0].as_str()],
            )
        });
        assert!(dup.is_err(), "a register number is unique");
    }
}

#[test]
fn a_rejected_declaration_leaves_a_cultivated_brand_that_may_declare_again() {
    for s in backends() {
        let t = tree(&s);
        let sec = actor(&t.east, Role::BranchSecretary);
        let town = actor(&t.town, Role::TownAdmin);
        let id = cultivated(&s, &t, &t.east, "红色管家");
        s.write(|c| brands::declare(c, &sec, id, &declaration("红色管家")))
            .unwrap();
        let st = s
            .write(|c| brands::decide(c, &town, id, Action::Reject, "特色不鲜明"))
            .unwrap();
        assert_eq!(st, Stage::Rejected);
        let b = s.read(|c| brands::get(c, id)).unwrap();
        assert_eq!(b.status, BrandStatus::Cultivating);
        assert_eq!(
            s.read(|c| brands::progress(c, &b)).unwrap(),
            "登记备案未通过"
        );
        let again = s
            .write(|c| brands::declare(c, &sec, id, &declaration("红色管家")))
            .unwrap();
        assert_ne!(Some(again), b.instance_id);
        assert_eq!(
            s.read(|c| brands::get(c, id)).unwrap().stage,
            Some(Stage::Pending(1))
        );
    }
}

#[test]
fn refused_brand_actions_change_nothing() {
    for s in backends() {
        let t = tree(&s);
        let sec = actor(&t.east, Role::BranchSecretary);
        let west_sec = actor(&t.west, Role::BranchSecretary);
        let town = actor(&t.town, Role::TownAdmin);
        let other_town = actor(&t.other_town, Role::TownAdmin);
        let county = actor(&t.county, Role::CountyAdmin);
        let proposed = s
            .write(|c| brands::propose(c, &sec, &t.east, &brand_input("书香支部")))
            .unwrap();
        let id = cultivated(&s, &t, &t.east, "红色管家");

        let before = snapshot(&s);
        let refusals = [
            // a proposal with nothing filled in names its fields
            refusal(s.write(|c| brands::propose(c, &sec, &t.east, &BrandInput::default()))),
            // the same name twice in one organisation
            refusal(s.write(|c| brands::propose(c, &sec, &t.east, &brand_input("红色管家")))),
            // the county does not create brands of its own
            refusal(s.write(|c| brands::propose(c, &county, &t.county, &brand_input("县级品牌")))),
            // a branch cannot designate its own brand, nor a town outside its subtree
            refusal(s.write(|c| brands::designate(c, &sec, proposed))),
            refusal(s.write(|c| brands::designate(c, &other_town, proposed))),
            // designating twice
            refusal(s.write(|c| brands::designate(c, &town, id))),
            // declaring before designation
            refusal(s.write(|c| brands::declare(c, &sec, proposed, &declaration("书香支部")))),
            // a bad form
            refusal(s.write(|c| brands::declare(c, &sec, id, &DeclarationInput::default()))),
            // another branch, and the town in the branch's place
            refusal(s.write(|c| brands::declare(c, &west_sec, id, &declaration("红色管家")))),
            refusal(s.write(|c| brands::declare(c, &town, id, &declaration("红色管家")))),
            // nothing under review yet
            refusal(s.write(|c| brands::decide(c, &town, id, Action::Approve, ""))),
        ];
        assert!(refusals[0].contains("品牌名称"), "{}", refusals[0]);
        assert!(refusals[4].contains("不存在"), "{}", refusals[4]);
        assert!(refusals[6].contains("培育项目"), "{}", refusals[6]);
        assert!(refusals[7].contains("群众满意度"), "{}", refusals[7]);
        assert!(refusals[8].contains("不存在"), "{}", refusals[8]);
        assert_eq!(differences(&before, &snapshot(&s)), Vec::<String>::new());

        s.write(|c| brands::declare(c, &sec, id, &declaration("红色管家")))
            .unwrap();
        let before = snapshot(&s);
        let refusals = [
            // declaring again while under review
            refusal(s.write(|c| brands::declare(c, &sec, id, &declaration("红色管家")))),
            // returning without a reason
            refusal(s.write(|c| brands::decide(c, &town, id, Action::Return, " "))),
            // the county before the town, the branch in the town's place, another town
            refusal(s.write(|c| brands::decide(c, &county, id, Action::Approve, ""))),
            refusal(s.write(|c| brands::decide(c, &sec, id, Action::Approve, ""))),
            refusal(s.write(|c| brands::decide(c, &other_town, id, Action::Approve, ""))),
            // an objection is no brand action
            refusal(s.write(|c| brands::decide(c, &town, id, Action::Object, "异议"))),
            // a record line with nothing in it
            refusal(s.write(|c| brands::add_record(c, &sec, id, &RecordInput::default()))),
        ];
        assert!(refusals[1].contains("理由"), "{}", refusals[1]);
        assert!(refusals[4].contains("不存在"), "{}", refusals[4]);
        assert_eq!(differences(&before, &snapshot(&s)), Vec::<String>::new());
    }
}

#[test]
fn the_yearly_record_keeps_activities_and_honours_and_flags_a_quiet_year() {
    for s in backends() {
        let t = tree(&s);
        let sec = actor(&t.east, Role::BranchSecretary);
        let id = cultivated(&s, &t, &t.east, "红色管家");
        let today = xianfeng_domain::date::today();
        let b = s.read(|c| brands::get(c, id)).unwrap();
        assert!(!b.inactive(today));
        assert!(b.inactive(today + chrono::Duration::days(400)));
        for (kind, title) in [("活动", "网格走访日"), ("荣誉", "县级优秀党建品牌")]
        {
            s.write(|c| {
                brands::add_record(
                    c,
                    &sec,
                    id,
                    &RecordInput {
                        kind: kind.into(),
                        day: today.to_string(),
                        title: title.into(),
                    },
                )
            })
            .unwrap();
        }
        let b = s.read(|c| brands::get(c, id)).unwrap();
        assert_eq!(b.last_activity, Some(today.to_string()));
        let lines = s.read(|c| brands::records(c, id)).unwrap();
        assert_eq!(
            brands::year_counts(&lines, chrono::Datelike::year(&today)),
            (1, 1)
        );
        assert!(!b.inactive(today + chrono::Duration::days(300)));
        assert!(b.inactive(today + chrono::Duration::days(366)));
    }
}
