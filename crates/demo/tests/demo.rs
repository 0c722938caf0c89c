//! The generators end to end: the demo county as `xianfeng demo` builds it, and the benchmark
//! data as `xianfeng bench` builds it, where every question must get the same answer from the
//! maintained roll-ups as from the recursive walk of the tree, on SQLite and on PostgreSQL.

use xianfeng_demo::{bench, seed};
use xianfeng_store::testing::{backends, sqlite};

#[test]
fn every_benchmark_question_agrees_with_the_naive_query_on_both_backends() {
    for s in backends() {
        let (name, store) = (s.name, &s.store);
        let g = seed::generate(store, seed::Scale::County, 7).unwrap();
        assert!(
            g.orgs > 500 && g.members > 10_000,
            "{name}: {} orgs, {} members",
            g.orgs,
            g.members
        );
        let today = xianfeng_domain::date::today();
        let life = seed::life::generate(store, 7, 12, today, None).unwrap();
        assert!(life.meetings > 0 && life.attendance > 0, "{name}: life");
        let (indicator, task) = bench::indicator::prepare(store, 500, 7)
            .unwrap()
            .expect("the indicator is prepared once");
        let writes = bench::points::prepare(store, 100, 25, today).unwrap();
        assert!(writes.is_some(), "{name}: ledger writes measured");
        let homes = bench::coverage::prepare(store, 3).unwrap();
        assert!(homes > 0, "{name}: benchmark households written");
        assert_eq!(
            bench::coverage::prepare(store, 3).unwrap(),
            0,
            "{name}: once"
        );

        let levels = [
            ("全域", g.county_id),
            ("乡镇", g.town_id),
            ("支部", g.branch_id),
        ];
        let mut lines = bench::run(store, &levels, 1).unwrap();
        lines.extend(bench::run_life(store, &levels, 1, today).unwrap());
        lines.extend(bench::indicator::run(store, &levels, 1, indicator, task).unwrap());
        lines.extend(bench::points::run(store, &levels, 1, today).unwrap());
        lines.extend(bench::publish::run(store, ("全域", g.county_id), 1).unwrap());
        lines.extend(bench::coverage::run(store, &levels, 1).unwrap());
        assert!(lines.len() >= 15, "{name}: {} lines", lines.len());
        for l in &lines {
            assert!(
                l.agree,
                "{name}: {} at {} disagrees with the naive query",
                l.query, l.level
            );
        }
    }
}

/// SQLite only: the points and awards generators write through the repositories one
/// transaction at a time, which takes minutes on PostgreSQL.
#[test]
fn the_demo_county_generates_every_area_and_lists_its_logins() {
    let s = sqlite();
    let store = &s.store;
    assert!(seed::is_empty(store).unwrap());
    let g = seed::generate(store, seed::Scale::County, 1).unwrap();
    let today = xianfeng_domain::date::today();
    let life = seed::life::generate(store, 1, 12, today, Some(g.branch_id)).unwrap();
    assert!(life.meetings > 0 && life.trainings > 0);
    seed::life::contact_points(store, g.town_id, today).unwrap();

    let plan = xianfeng_plan::parse_text(include_str!("../../plan/tests/fixtures/demo_plan.txt"));
    let plan_json = serde_json::to_value(&plan).unwrap();
    let campaign = seed::campaign::generate(
        store,
        g.county_id,
        &plan.title,
        &plan.text,
        &plan_json,
        today,
        Some(g.branch_id),
    )
    .unwrap();
    assert!(campaign > 0);
    // Its 定性 tasks: most towns reported the first, the county accepted most and returned one.
    let reviews: Vec<String> = store
        .read(|c| {
            c.query(
                "SELECT a.review FROM assignments a JOIN tasks t ON t.id = a.task_id
                 WHERE t.campaign_id = ? AND t.kind = '定性' ORDER BY a.org_id",
                xianfeng_store::vals![campaign],
            )?
            .into_iter()
            .map(|r| r.text(0))
            .collect()
        })
        .unwrap();
    for (state, at_least) in [("已验收", 5), ("已退回", 1), ("待验收", 1), ("", 1)] {
        let n = reviews.iter().filter(|r| *r == state).count();
        assert!(n >= at_least, "{state:?}: {n} in {reviews:?}");
    }
    let sup = seed::supervision::generate(store, g.county_id, 4, today).unwrap();
    assert!(sup.inspections > 0 && sup.problems > 0 && sup.titles > 0);
    let dec = seed::decisions::generate(store, g.county_id, today).unwrap();
    assert!(
        dec.matters >= 6 && dec.stopped >= 1 && dec.objections >= 1,
        "{dec:?}"
    );
    let pts = seed::points::generate(store, g.county_id, g.branch_id, today).unwrap();
    assert!(pts.households > 0 && pts.entries > 0 && pts.redemptions > 0);
    let grids = seed::grids::generate(store, g.county_id, today).unwrap();
    assert!(grids.grids > 0 && grids.placed > 0 && grids.linked > 0 && grids.visits > 0);
    let cov = store
        .read(|c| xianfeng_store::grids::coverage::of(c, g.county_id))
        .unwrap();
    let county_path = store
        .read(|c| xianfeng_store::people::orgs::require(c, g.county_id))
        .unwrap()
        .path;
    let counted = store
        .read(|c| xianfeng_store::grids::coverage::counted(c, &county_path))
        .unwrap();
    assert_eq!(
        cov, counted,
        "the demo's coverage roll-ups agree with its records"
    );
    let aw = seed::awards::generate(store, g.county_id, g.town_id, g.branch_id, today).unwrap();
    assert!(aw.commitments > 0 && aw.ballots > 0 && aw.ratings > 0);
    let br = seed::brands::generate(store, g.county_id, g.town_id, today).unwrap();
    assert_eq!((br.brands, br.sites), (4, 2));
    let (filed, sites) = store
        .read(|c| -> xianfeng_store::Result<_> {
            let county = xianfeng_store::people::orgs::require(c, g.county_id)?;
            let brands = xianfeng_store::brands::projects::list(c, &county.path)?;
            let sites = xianfeng_store::brands::sites::list(c, &county.path)?;
            Ok((
                brands.iter().filter(|b| b.register_no.is_some()).count(),
                sites.iter().map(|s| s.status.label()).collect::<Vec<_>>(),
            ))
        })
        .unwrap();
    assert_eq!(filed, 1);
    assert!(
        sites.contains(&"已通过验收") && sites.contains(&"限期整改"),
        "{sites:?}"
    );

    let logins = seed::demo_accounts(store, &g).unwrap();
    assert!(!logins.is_empty());
    assert!(!seed::is_empty(store).unwrap());
    let listed = seed::existing_accounts(store).unwrap();
    for login in &logins {
        assert!(
            listed.contains(login),
            "{login:?} is listed on the next start"
        );
    }
}

/// Every county department seed 001 (the 立行先锋 通知) names as a responsible unit is one
/// organisation of the demo tree, so its measures are assigned there, not to the county.
#[test]
fn the_departments_seed_001_names_are_organisations_of_the_demo_county() {
    use xianfeng_domain::units::{match_unit, OrgRef, UnitMatch};
    let s = sqlite();
    let g = seed::generate(&s.store, seed::Scale::County, 3).unwrap();
    let refs: Vec<OrgRef> = s
        .store
        .read(|c| {
            let county = xianfeng_store::people::orgs::require(c, g.county_id)?;
            xianfeng_store::people::orgs::active_in(c, &county, 20_000)
        })
        .unwrap()
        .into_iter()
        .map(|o| OrgRef {
            depth: o.depth() - 1,
            id: o.id,
            name: o.name,
            kind: o.kind,
        })
        .collect();
    for unit in [
        "县委组织部",
        "县民政局",
        "县直机关工委",
        "县委教育工委",
        "县委两新工委",
        "县卫健局",
        "县总工会",
        "县妇联",
        "团县委",
        "县文联",
        "县科工贸局",
        "县委政法委",
        "县委宣传部",
        "县农业农村局",
    ] {
        match match_unit(unit, &refs) {
            UnitMatch::Exact(ids) | UnitMatch::Fuzzy(ids) => {
                assert_eq!(ids.len(), 1, "{unit}: {ids:?}")
            }
            other => panic!("{unit}: {other:?}"),
        }
    }
}
