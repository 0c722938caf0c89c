//! Demo brands, 示范点 and funds in the demo town: a brand filed with its register number, one
//! returned for revision, one waiting for the town's review and one only proposed; two 示范点
//! (one accepted, one in 限期整改 with problems open in the 问题台账); budget lines with
//! spending. Everything goes through the store's own calls, so the workflow, the register and
//! the roll-ups are as the pages would leave them.

use chrono::{Duration, NaiveDate};
use xianfeng_domain::auth::Role;
use xianfeng_domain::brand::{BrandInput, DeclarationInput, RecordInput};
use xianfeng_domain::demo_site::{AcceptanceInput, SiteInput};
use xianfeng_domain::funds::{BudgetInput, SpendInput};
use xianfeng_domain::workflow::Action;

use crate::seed::supervision::actor;
use xianfeng_store::brands::{funds, projects as brands, sites};
use xianfeng_store::{people::orgs, Result, Store};

#[derive(Debug, Default)]
pub struct Generated {
    pub brands: usize,
    pub sites: usize,
    pub spends: usize,
}

const BRANDS: [(&str, &str, &str, &str); 4] = [
    (
        "红色管家",
        "小事不出网格，大事不出村",
        "基层治理",
        "以网格为单元，党员认领责任区当“红色管家”，收集民情、调解纠纷、代办服务。",
    ),
    (
        "田间课堂",
        "党员带头学技术，群众跟着增收入",
        "产业发展",
        "党员技术骨干在田间地头开课，把种养技术和政策送到群众身边。",
    ),
    (
        "银发先锋",
        "老党员发挥余热，新时代再立新功",
        "服务群众",
        "组织退休老党员参与政策宣讲、关爱留守儿童和邻里互助。",
    ),
    (
        "书香支部",
        "读书学理论，实践促发展",
        "学习教育",
        "建设党员书屋，每月开展读书分享，推动理论学习常态化。",
    ),
];

fn brand_input(i: usize) -> BrandInput {
    let (name, slogan, category, description) = BRANDS[i];
    BrandInput {
        name: name.into(),
        slogan: slogan.into(),
        category: category.into(),
        description: description.into(),
        goals: "三年内建成群众认可、全县叫得响的党建品牌".into(),
        measures: "制定创建方案，明确责任党员，每月开展一次品牌活动，年底总结评估".into(),
        leaders: "支部书记、组织委员".into(),
    }
}

pub fn generate(
    store: &Store,
    county_id: i64,
    town_id: i64,
    today: NaiveDate,
) -> Result<Generated> {
    let mut out = Generated::default();
    let (county, town, branches) = store.read(|c| -> Result<_> {
        let town = orgs::require(c, town_id)?;
        let branches = orgs::branches_in(c, &town.path)?;
        Ok((orgs::require(c, county_id)?, town, branches))
    })?;
    if branches.len() < 4 {
        return Ok(out);
    }
    let county_admin = actor(&county, Role::CountyAdmin);
    let town_admin = actor(&town, Role::TownAdmin);
    let year = chrono::Datelike::year(&today);

    for (i, branch) in branches.iter().take(4).enumerate() {
        let sec = actor(branch, Role::BranchSecretary);
        let input = brand_input(i);
        let id = store.write(|c| brands::propose(c, &sec, branch, &input))?;
        out.brands += 1;
        if i == 3 {
            continue; // only proposed, waiting for the town
        }
        store.write(|c| brands::designate(c, &town_admin, id))?;
        let declaration = DeclarationInput {
            effects: "开展品牌活动二十余次，服务群众六百余人次，化解矛盾纠纷十五起".into(),
            satisfaction: (92 + i).to_string(),
            founded_on: (today - Duration::days(600)).to_string(),
            ..DeclarationInput::from_brand(&input)
        };
        store.write(|c| brands::declare(c, &sec, id, &declaration))?;
        match i {
            0 => {
                store.write(|c| brands::decide(c, &town_admin, id, Action::Approve, "同意上报"))?;
                store
                    .write(|c| brands::decide(c, &county_admin, id, Action::Approve, "同意备案"))?;
                for (days, kind, title) in [
                    (200, "活动", "红色管家进网格集中走访日"),
                    (90, "荣誉", "县级优秀党建品牌"),
                    (20, "活动", "红色管家矛盾纠纷调解会"),
                ] {
                    let r = RecordInput {
                        kind: kind.into(),
                        day: (today - Duration::days(days)).to_string(),
                        title: title.into(),
                    };
                    store.write(|c| brands::add_record(c, &sec, id, &r))?;
                }
            }
            1 => {
                store.write(|c| {
                    brands::decide(
                        c,
                        &town_admin,
                        id,
                        Action::Return,
                        "成效部分请补充增收数据和群众评价",
                    )
                })?;
            }
            _ => {} // waits for the town's review
        }
    }

    // 示范点: the first branch accepted, the second in 限期整改
    let site_input = SiteInput {
        year: year.to_string(),
        leader: "镇党委副书记 周建国".into(),
        plan: "对照九有标准创建基层党建示范点，党委副书记牵头，年底组织验收。".into(),
    };
    for (i, branch) in branches.iter().take(2).enumerate() {
        let sec = actor(branch, Role::BranchSecretary);
        let site = store.write(|c| sites::designate(c, &town_admin, branch, &site_input))?;
        out.sites += 1;
        let items = store.read(|c| sites::items(c, site))?;
        for (n, item) in items.iter().enumerate() {
            if i == 1 && n % 3 == 2 {
                continue; // not yet evidenced
            }
            store.write(|c| {
                sites::evidence(
                    c,
                    &sec,
                    item.id,
                    &format!("“{}”已落实，照片与台账存支部档案盒", item.standard),
                )
            })?;
            store.write(|c| sites::check(c, &town_admin, item.id, true, ""))?;
        }
        let visit = if i == 0 {
            AcceptanceInput {
                held_on: today.to_string(),
                inspectors: "镇党委 周建国、王丽".into(),
                score: "93".into(),
                result: "通过".into(),
                remarks: "阵地规范，制度健全，服务群众成效明显".into(),
                ..Default::default()
            }
        } else {
            AcceptanceInput {
                held_on: today.to_string(),
                inspectors: "镇党委 周建国".into(),
                score: "71".into(),
                result: "限期整改".into(),
                remarks: "部分标准未达到要求".into(),
                problems: "党员责任区未挂牌公示\n双报到台账记录不全".into(),
                deadline: (today + Duration::days(30)).to_string(),
            }
        };
        store.write(|c| sites::accept(c, &town_admin, site, &visit))?;
    }

    // 经费: the first branch's budget lines with spending
    let sec = actor(&branches[0], Role::BranchSecretary);
    for (source, title, amount, spends) in [
        (
            "财政预算",
            "村级组织运转经费",
            "20000",
            &[("3200", "党员活动室桌椅购置"), ("1850.5", "党建宣传栏制作")][..],
        ),
        (
            "党费返还",
            "党费返还用于党员教育",
            "3000",
            &[("600", "购买党员学习书籍")][..],
        ),
    ] {
        let line = store.write(|c| {
            funds::create_line(
                c,
                &town_admin,
                &branches[0],
                &BudgetInput {
                    source: source.into(),
                    year: year.to_string(),
                    title: title.into(),
                    amount: amount.into(),
                },
            )
        })?;
        for (n, (amount, purpose)) in spends.iter().enumerate() {
            let s = SpendInput {
                day: (today - Duration::days(10 * (n as i64 + 1))).to_string(),
                amount: amount.to_string(),
                purpose: purpose.to_string(),
                receipt: format!("凭-{year}-{:03}", out.spends + 1),
            };
            store.write(|c| funds::spend(c, &sec, line, &s))?;
            out.spends += 1;
        }
    }
    Ok(out)
}
