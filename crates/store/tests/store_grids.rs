//! 网格化 on both backends: grids and 微网格 of a village with their staff, households of the
//! one register placed and 建档, 党员联户 within the bounds of the rules, coverage kept by the
//! roll-ups (checked against a count of the records), and refusals that change nothing.

mod common;

use chrono::NaiveDate;
use common::{conflict, invalid, not_found, refuse};
use xianfeng_domain::auth::{Actor, Role};
use xianfeng_domain::grid::GridRole;
use xianfeng_domain::household::ResidentInput;
use xianfeng_domain::org::Org;
use xianfeng_domain::rules::Rules;
use xianfeng_store::grids::{self, coverage, links, registry};
use xianfeng_store::people::{households, members};
use xianfeng_store::testing::{admin, backends, member_input, org, TestStore};
use xianfeng_store::{settings, StoreError};

struct Village {
    county: Org,
    town: Org,
    village: Org,
    other: Org,
    households: Vec<i64>,
    members: Vec<i64>,
    secretary: i64,
}

fn member(s: &TestStore, at: &Org, n: u32, post: &str) -> i64 {
    let mut i = member_input(n, "正式党员");
    i.post = post.into();
    let d = i
        .validate(
            &Rules::default(),
            NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(),
            None,
        )
        .unwrap();
    s.write(|c| members::create(c, &s.vault, None, at, &d))
        .unwrap()
}

fn village(s: &TestStore) -> Village {
    let (county, town, village, other) = s
        .write(|c| -> xianfeng_store::Result<_> {
            let county = org(c, None, "测试县委", "县委");
            let town = org(c, Some(&county), "甲镇党委", "党委");
            let village = org(c, Some(&town), "东村党支部", "党支部");
            let other = org(c, Some(&town), "西村党支部", "党支部");
            Ok((county, town, village, other))
        })
        .unwrap();
    let a = admin(&county);
    let mut hh = Vec::new();
    for n in 1..=6 {
        let d = ResidentInput {
            head_name: format!("户主{n}"),
            address: format!("东村{n}号"),
            name: format!("户主{n}"),
            ..ResidentInput::default()
        }
        .validate()
        .unwrap();
        let rid = s
            .write(|c| households::add_resident(c, &s.vault, Some(&a), &village, &d))
            .unwrap();
        let h: i64 = s
            .read(|c| {
                c.scalar(
                    "SELECT household_id FROM residents WHERE id = ?",
                    xianfeng_store::vals![rid],
                )
            })
            .unwrap();
        hh.push(h);
    }
    let members = (1..=3).map(|n| member(s, &village, n, "")).collect();
    let secretary = member(s, &village, 9, "村党支部书记");
    Village {
        county,
        town,
        village,
        other,
        households: hh,
        members,
        secretary,
    }
}

fn town_admin(town: &Org) -> Actor {
    Actor {
        role: Role::TownAdmin,
        ..admin(town)
    }
}

#[test]
fn coverage_follows_grids_staff_placement_and_links_as_one_row_per_figure() {
    for s in backends() {
        let v = village(&s);
        let a = admin(&v.county);
        let (g1, g2) = s
            .write(|c| -> xianfeng_store::Result<_> {
                let g1 = registry::create(c, &a, &v.village, None, "第一网格")?;
                let g2 = registry::create(c, &a, &v.village, None, "第二网格")?;
                registry::create(c, &a, &v.village, Some(g1), "第一网格一组")?;
                registry::add_staff(c, &a, g1, GridRole::Leader, Some(v.secretary), "")?;
                registry::add_staff(c, &a, g1, GridRole::Staff, None, "妇联执委李芳")?;
                for h in &v.households[..4] {
                    links::place(c, &a, *h, Some(g1))?;
                }
                links::place_by_name(c, Some(&a), v.households[4], "第二网格")?;
                links::link(c, &a, v.households[0], v.members[0])?;
                links::link(c, &a, v.households[0], v.members[1])?;
                links::link(c, &a, v.households[1], v.members[0])?;
                Ok((g1, g2))
            })
            .unwrap();
        let got = s.read(|c| coverage::of(c, v.town.id)).unwrap();
        assert_eq!(got.households, 6, "{}", s.name);
        assert_eq!(got.placed, 5, "{}", s.name);
        assert_eq!(
            got.linked, 2,
            "{}: a household linked twice counts once",
            s.name
        );
        assert_eq!(got.grids, 3, "{}", s.name);
        assert_eq!(got.unstaffed, 2, "{}: only 第一网格 has a 网格员", s.name);
        assert_eq!(got.pct, 33.3, "{}", s.name);
        let counted = s.read(|c| coverage::counted(c, &v.town.path)).unwrap();
        assert_eq!(
            got, counted,
            "{}: the roll-ups agree with the records",
            s.name
        );

        // Moving and unlinking move the figures back.
        s.write(|c| -> xianfeng_store::Result<()> {
            links::place(c, &a, v.households[0], Some(g2))?;
            links::place(c, &a, v.households[1], None)?;
            links::unlink(c, &a, v.households[0], v.members[0])?;
            links::unlink(c, &a, v.households[1], v.members[0])
        })
        .unwrap();
        let after = s.read(|c| coverage::of(c, v.town.id)).unwrap();
        assert_eq!((after.placed, after.linked), (4, 1), "{}", s.name);
        assert_eq!(
            after,
            s.read(|c| coverage::counted(c, &v.town.path)).unwrap()
        );

        let list = s.read(|c| registry::list(c, &v.town.path, 100)).unwrap();
        let first = list.iter().find(|g| g.id == g1).unwrap();
        assert_eq!(first.leader.as_deref(), Some("党员9"), "{}", s.name);
        assert_eq!(first.staff, vec!["妇联执委李芳".to_string()]);
        let h = s.read(|c| households::get(c, v.households[0])).unwrap();
        assert_eq!(h.grid_name.as_deref(), Some("第二网格"), "{}", s.name);
    }
}

#[test]
fn categories_are_checked_against_the_county_list_and_counted() {
    for s in backends() {
        let v = village(&s);
        let a = admin(&v.county);
        s.write(|c| links::set_categories(c, &a, v.households[0], "独居老人、脱贫户"))
            .unwrap();
        s.write(|c| links::set_categories(c, &a, v.households[1], "独居老人"))
            .unwrap();
        s.write(|c| links::set_categories(c, &a, v.households[1], "留守儿童"))
            .unwrap();
        let n = |metric: &str| {
            s.read(|c| xianfeng_store::engines::rollup::get(c, v.county.id, metric, ""))
                .unwrap()
                .1
        };
        assert_eq!(n(&grids::category_metric("独居老人")), 1, "{}", s.name);
        assert_eq!(n(&grids::category_metric("留守儿童")), 1, "{}", s.name);
        let h = s.read(|c| households::get(c, v.households[0])).unwrap();
        assert_eq!(h.categories, vec!["脱贫户", "独居老人"], "{}", s.name);

        invalid(
            refuse(&s, |c| {
                links::set_categories(c, &a, v.households[0], "富裕户")
            }),
            "富裕户",
        );
        // The county edits its list; a category it adds can then be used.
        s.write(|c| grids::save_categories(c, &a, "脱贫户、低保户"))
            .unwrap();
        s.write(|c| links::set_categories(c, &a, v.households[2], "低保户"))
            .unwrap();
        invalid(
            refuse(&s, |c| grids::save_categories(c, &a, "、")),
            "1到30个类别",
        );
    }
}

#[test]
fn a_member_beyond_the_upper_bound_is_refused_by_name_and_nothing_changes() {
    for s in backends() {
        let v = village(&s);
        let a = admin(&v.county);
        s.write(|c| {
            let r = Rules {
                link_member_max: 2,
                ..Default::default()
            };
            settings::save_rules(c, &r)
        })
        .unwrap();
        s.write(|c| -> xianfeng_store::Result<()> {
            links::link(c, &a, v.households[0], v.members[0])?;
            links::link(c, &a, v.households[1], v.members[0])?;
            // 两委成员: 2–3 by default.
            for h in &v.households[..3] {
                links::link(c, &a, *h, v.secretary)?;
            }
            Ok(())
        })
        .unwrap();
        conflict(
            refuse(&s, |c| links::link(c, &a, v.households[2], v.members[0])),
            "党员1已联系2户，党员联户上限为2户",
        );
        conflict(
            refuse(&s, |c| links::link(c, &a, v.households[3], v.secretary)),
            "两委成员联户上限为3户",
        );
        conflict(
            refuse(&s, |c| links::link(c, &a, v.households[0], v.members[0])),
            "已联系户主1户",
        );
        // A member of another village is not offered.
        let stranger = member(&s, &v.other, 20, "");
        invalid(
            refuse(&s, |c| links::link(c, &a, v.households[4], stranger)),
            "不在东村党支部",
        );
        // Under the lower bound (3 for members, 2 for 两委): 党员1 has 2, 党员2 and 党员3 none.
        let under = s.read(|c| links::loads(c, &v.village.path, true)).unwrap();
        let names: Vec<_> = under.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, vec!["党员1", "党员2", "党员3"], "{}", s.name);
        let mine = s.read(|c| links::households_of(c, v.members[0])).unwrap();
        assert_eq!(mine.len(), 2, "{}", s.name);
    }
}

#[test]
fn grid_refusals_name_the_field_and_change_nothing() {
    for s in backends() {
        let v = village(&s);
        let a = admin(&v.county);
        let (g1, micro, west) = s
            .write(|c| -> xianfeng_store::Result<_> {
                let g1 = registry::create(c, &a, &v.village, None, "第一网格")?;
                let micro = registry::create(c, &a, &v.village, Some(g1), "一组")?;
                let west = registry::create(c, &a, &v.other, None, "西村网格")?;
                registry::add_staff(c, &a, g1, GridRole::Leader, None, "张网格")?;
                Ok((g1, micro, west))
            })
            .unwrap();
        conflict(
            refuse(&s, |c| {
                registry::create(c, &a, &v.village, None, "第一网格")
            }),
            "东村党支部已有网格“第一网格”",
        );
        invalid(
            refuse(&s, |c| {
                registry::create(c, &a, &v.village, Some(micro), "再分")
            }),
            "已是微网格",
        );
        invalid(
            refuse(&s, |c| {
                registry::create(c, &a, &v.village, Some(west), "借用")
            }),
            "不是东村党支部的网格",
        );
        invalid(
            refuse(&s, |c| registry::create(c, &a, &v.town, None, "镇网格")),
            "不是村（社区）级组织",
        );
        conflict(
            refuse(&s, |c| {
                registry::add_staff(c, &a, g1, GridRole::Leader, None, "王五")
            }),
            "已有网格长张网格",
        );
        invalid(
            refuse(&s, |c| {
                registry::add_staff(c, &a, g1, GridRole::Staff, None, " ")
            }),
            "请选择党员或填写姓名",
        );
        invalid(
            refuse(&s, |c| links::place(c, &a, v.households[0], Some(west))),
            "不是东村党支部的网格",
        );
        invalid(
            refuse(&s, |c| {
                links::place_by_name(c, Some(&a), v.households[0], "第九网格")
            }),
            "没有名为“第九网格”的网格",
        );
    }
}

#[test]
fn grids_and_households_outside_the_scope_are_not_found() {
    for s in backends() {
        let v = village(&s);
        let a = admin(&v.county);
        let g = s
            .write(|c| registry::create(c, &a, &v.village, None, "第一网格"))
            .unwrap();
        let other_town = s
            .write(|c| Ok::<_, StoreError>(org(c, Some(&v.county), "乙镇党委", "党委")))
            .unwrap();
        let outsider = town_admin(&other_town);
        not_found(refuse(&s, |c| registry::get(c, &outsider, g)), "网格");
        not_found(
            refuse(&s, |c| links::place(c, &outsider, v.households[0], Some(g))),
            "农户",
        );
        not_found(
            refuse(&s, |c| {
                links::link(c, &outsider, v.households[0], v.members[0])
            }),
            "农户",
        );
        not_found(
            refuse(&s, |c| {
                registry::create(c, &outsider, &v.village, None, "越界网格")
            }),
            "组织",
        );
        not_found(refuse(&s, |c| registry::get(c, &a, g + 1000)), "网格");
    }
}

#[test]
fn full_contact_coverage_is_a_computed_indicator_that_follows_the_links() {
    use xianfeng_domain::campaign::{Comparator, Measure, Target};
    use xianfeng_store::campaigns;
    use xianfeng_store::engines::rollup;
    for s in backends() {
        let v = village(&s);
        let a = admin(&v.county);
        let indicator = s
            .write(|c| -> xianfeng_store::Result<_> {
                let year = xianfeng_domain::date::today().format("%Y").to_string();
                let id = campaigns::create(
                    c,
                    &a,
                    &v.county,
                    "联系群众全覆盖",
                    year.parse().unwrap_or(2026),
                    None,
                    &[],
                )?;
                let camp = campaigns::get(c, id)?.ok_or(StoreError::NotFound("活动"))?;
                let task = campaigns::add_task(
                    c,
                    &camp,
                    &campaigns::NewTask {
                        category: "党员联户".into(),
                        title: "党员联系群众全覆盖".into(),
                        detail: String::new(),
                        lead: String::new(),
                        due_on: None,
                        indicators: vec![(
                            "联户覆盖率".into(),
                            Target {
                                quantity: 100.0,
                                quantity_max: None,
                                unit: "%".into(),
                                comparator: Comparator::AtLeast,
                            },
                            Measure::Coverage,
                        )],
                        assignees: vec![v.town.id],
                        ..Default::default()
                    },
                )?;
                let tasks = campaigns::tasks(c, id)?;
                Ok(tasks
                    .into_iter()
                    .find(|t| t.id == task)
                    .map(|t| t.indicators[0].id)
                    .unwrap_or(0))
            })
            .unwrap();
        let figure = || {
            s.read(|c| rollup::get(c, v.county.id, &campaigns::value_metric(indicator), ""))
                .unwrap()
                .1
        };
        let done = || {
            s.read(|c| rollup::get(c, v.county.id, &campaigns::done_metric(indicator), ""))
                .unwrap()
                .1
        };
        s.write(|c| links::link(c, &a, v.households[0], v.members[0]))
            .unwrap();
        assert_eq!(
            figure(),
            1667,
            "{}: 1 of 6 households, in hundredths",
            s.name
        );
        s.write(|c| -> xianfeng_store::Result<()> {
            for (i, h) in v.households.iter().enumerate().skip(1) {
                links::link(c, &a, *h, v.members[i % 3])?;
            }
            Ok(())
        })
        .unwrap();
        assert_eq!((figure(), done()), (10000, 1), "{}", s.name);
    }
}

#[test]
fn visits_count_in_the_month_roll_up_and_turn_a_members_light_green() {
    use xianfeng_domain::grid::{Light, VisitInput};
    use xianfeng_store::engines::rollup;
    use xianfeng_store::grids::visits;
    for s in backends() {
        let v = village(&s);
        let a = admin(&v.county);
        let today = xianfeng_domain::date::today();
        s.write(|c| -> xianfeng_store::Result<()> {
            links::set_categories(c, &a, v.households[0], "独居老人")?;
            links::link(c, &a, v.households[0], v.members[0])?;
            links::link(c, &a, v.households[1], v.members[0])
        })
        .unwrap();
        // 独居老人 monthly: not visited yet this month.
        let due = s.read(|c| visits::due(c, v.members[0], today)).unwrap();
        assert_eq!(
            due.len(),
            1,
            "{}: only the household with a rule is due",
            s.name
        );
        let light = |s: &TestStore| {
            s.read(|c| visits::lights(c, &v.village.path, today))
                .unwrap()
                .into_iter()
                .find(|l| l.0 == v.members[0])
                .unwrap()
                .2
        };
        assert_ne!(light(&s), Light::Green, "{}", s.name);

        let member = Actor {
            role: Role::Member,
            member_id: Some(v.members[0]),
            ..admin(&v.village)
        };
        let d = VisitInput {
            visited_on: today.to_string(),
            found: "身体尚好，独自居住".into(),
            needs: "冬季取暖".into(),
            help: "联系村委送取暖器".into(),
        }
        .validate(today)
        .unwrap();
        s.write(|c| visits::record(c, &member, v.households[0], None, "", &d))
            .unwrap();
        assert_eq!(light(&s), Light::Green, "{}", s.name);
        let month = today.format("%Y-%m").to_string();
        let n = s
            .read(|c| rollup::get(c, v.county.id, &visits::month_metric(), &month))
            .unwrap()
            .1;
        assert_eq!(n, 1, "{}: visits this month, one row at the county", s.name);
        let list = s
            .read(|c| visits::of_household(c, v.households[0]))
            .unwrap();
        assert_eq!(list[0].visitor, "党员1", "{}", s.name);

        // A member not linked to the household cannot record a visit to it; a cadre must name
        // the visitor.
        let other = Actor {
            member_id: Some(v.members[1]),
            ..member.clone()
        };
        not_found(
            refuse(&s, |c| {
                visits::record(c, &other, v.households[0], None, "", &d)
            }),
            "农户",
        );
        invalid(
            refuse(&s, |c| {
                visits::record(c, &a, v.households[0], None, " ", &d)
            }),
            "请选择党员或填写走访人姓名",
        );
    }
}

#[test]
fn the_post_register_feeds_a_computed_count_and_lists_members_without_a_post() {
    use xianfeng_domain::grid::PostInput;
    use xianfeng_store::engines::rollup;
    use xianfeng_store::grids::posts;
    for s in backends() {
        let v = village(&s);
        let a = admin(&v.county);
        let today = xianfeng_domain::date::today();
        let post = |kind: &str, name: &str| {
            PostInput {
                kind: kind.into(),
                name: name.into(),
                duties: "为群众代办事项".into(),
                place: "村党群服务中心".into(),
                starts_on: today.to_string(),
            }
            .validate(today)
            .unwrap()
        };
        s.write(|c| -> xianfeng_store::Result<()> {
            posts::create(
                c,
                &a,
                &v.village,
                &post("党员先锋岗", "便民服务岗"),
                Some(v.members[0]),
            )?;
            posts::create(
                c,
                &a,
                &v.village,
                &post("党员先锋岗", "环境卫生岗"),
                Some(v.members[1]),
            )?;
            posts::create(c, &a, &v.village, &post("示范户", "美丽庭院示范户"), None)?;
            Ok(())
        })
        .unwrap();
        let month = today.format("%Y-%m").to_string();
        let count = s
            .read(|c| {
                rollup::get(
                    c,
                    v.county.id,
                    &xianfeng_store::engines::cadence::count_metric("党员先锋岗"),
                    &month,
                )
            })
            .unwrap()
            .1;
        assert_eq!(
            count, 2,
            "{}: the register counts for a 活动次数 indicator",
            s.name
        );
        let list = s.read(|c| posts::list(c, &v.town.path, 50)).unwrap();
        assert_eq!(list.len(), 3, "{}", s.name);
        // 党员3 holds no post and has no 职务; the secretary has a 职务.
        let free = s
            .read(|c| posts::without_post(c, &v.village.path, 50))
            .unwrap();
        let names: Vec<_> = free.iter().map(|f| f.1.as_str()).collect();
        assert_eq!(names, vec!["党员3"], "{}", s.name);

        invalid(
            refuse(&s, |c| {
                posts::create(c, &a, &v.village, &post("党员责任区", "一组责任区"), None)
            }),
            "党员责任区须明确一名党员",
        );
        let stranger = member(&s, &v.other, 30, "");
        invalid(
            refuse(&s, |c| {
                posts::create(
                    c,
                    &a,
                    &v.village,
                    &post("党员先锋岗", "借来的岗"),
                    Some(stranger),
                )
            }),
            "不在东村党支部",
        );
        let outsider = town_admin(&v.other);
        not_found(
            refuse(&s, |c| {
                posts::create(c, &outsider, &v.village, &post("示范户", "越界"), None)
            }),
            "组织",
        );
    }
}
