//! Demo commitments, leader reviews, evaluations, stars and awards in the demo town: every
//! member commits 2–3 things that are published and partly fulfilled; the town reviews each
//! branch quarterly (one branch missed this quarter); the demo branch's 民主评议 is closed with
//! results while the town's 五个好 round is still open; stars for every month so far; and
//! awards climbing the levels, one in public notice. Deterministic for a seed.

use chrono::{Datelike, Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use xianfeng_domain::auth::Role;
use xianfeng_domain::award::AwardKindInput;
use xianfeng_domain::commitment::{
    suggested, CommitmentInput, CommitmentResult, CommitmentStep, Reviewer,
};
use xianfeng_domain::evaluation::{Choice, Scheme};
use xianfeng_domain::workflow::Action;

use crate::seed::supervision::actor;
use xianfeng_store::recognition::evaluations::RoundInput;
use xianfeng_store::{
    engines::workflow, people::orgs, recognition::awards, recognition::commitments,
    recognition::evaluations, recognition::leader_reviews, recognition::stars, Result, Store,
};

const PROMISES: [(&str, &str); 8] = [
    (
        "产业振兴",
        "帮助{n}户群众发展特色种植，年底前每户增收2000元以上",
    ),
    ("乡风文明", "带头开展移风易俗，劝导红白喜事简办{n}次"),
    ("生态宜居", "包干所在组人居环境整治，每月参加义务清扫{n}次"),
    ("服务群众", "结对联系{n}户困难群众，每月走访一次"),
    ("矛盾调解", "参与调解邻里纠纷，全年化解矛盾{n}起"),
    ("学习教育", "全年参加集中学习不少于{n}次，撰写心得体会"),
    ("志愿服务", "参加志愿服务活动{n}次以上"),
    ("产业振兴", "带动{n}名群众参加技能培训并实现就业"),
];

const DEEDS: [&str; 5] = [
    "入户走访，了解生产生活困难并帮助解决",
    "参加组里人居环境整治，清理垃圾杂物",
    "协调农技员上门指导，现场解决技术问题",
    "组织召开院坝会，宣传政策并收集意见",
    "帮助联系销路，销售农产品",
];

#[derive(Debug, Default)]
pub struct Generated {
    pub commitments: usize,
    pub entries: usize,
    pub leader_reviews: usize,
    pub ballots: usize,
    pub ratings: usize,
    pub nominations: usize,
}

fn choice(rng: &mut StdRng) -> Choice {
    match rng.gen_range(0..20) {
        0..=14 => Choice::Satisfied,
        15..=18 => Choice::Basic,
        _ => Choice::Unsatisfied,
    }
}

pub fn generate(
    store: &Store,
    county_id: i64,
    town_id: i64,
    branch_id: i64,
    today: NaiveDate,
) -> Result<Generated> {
    let mut rng = StdRng::seed_from_u64(0xa3a2_2026);
    let mut out = Generated::default();
    let year = today.year();
    let (county, town, branch, branches) = store.read(|c| -> xianfeng_store::Result<_> {
        let town = orgs::require(c, town_id)?;
        let branches = orgs::branches_in(c, &town.path)?;
        Ok((
            orgs::require(c, county_id)?,
            town,
            orgs::require(c, branch_id)?,
            branches,
        ))
    })?;
    let town_admin = actor(&town, Role::TownAdmin);
    let county_admin = actor(&county, Role::CountyAdmin);

    // 承诺践诺 and 领导点评
    store.write(|c| -> xianfeng_store::Result<_> {
        for b in &branches {
            let sec = actor(b, Role::BranchSecretary);
            let members: Vec<i64> = c
                .query("SELECT id FROM members WHERE org_id = ? ORDER BY id", &[b.id.into()])?
                .iter()
                .map(|r| r.i64(0))
                .collect::<Result<_>>()?;
            for m in members {
                for k in 0..rng.gen_range(2..=3) {
                    let (category, text) = PROMISES[rng.gen_range(0..PROMISES.len())];
                    let input = CommitmentInput {
                        content: text.replace("{n}", &rng.gen_range(2..=6).to_string()),
                        category: category.into(),
                        due: format!("{year}-12-31"),
                    };
                    let id = commitments::add(c, &sec, b, Some(m), year, &input)?;
                    out.commitments += 1;
                    if k == 2 && rng.gen_bool(0.5) {
                        continue; // left for the branch to approve
                    }
                    commitments::step(c, &sec, id, CommitmentStep::Approve, None)?;
                    for _ in 0..rng.gen_range(0..=3) {
                        let day = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(today)
                            + Duration::days(rng.gen_range(0..=today.ordinal0() as i64));
                        commitments::fulfil(c, &sec, id, &day.to_string(), DEEDS[rng.gen_range(0..DEEDS.len())], None)?;
                        out.entries += 1;
                    }
                    // the demo branch has already reviewed and settled some (一诺三评)
                    if b.id == branch.id && k == 0 && rng.gen_bool(0.4) {
                        commitments::step(c, &sec, id, CommitmentStep::StartReview, None)?;
                        let mut given = Vec::new();
                        for r in Reviewer::ALL {
                            let ch = choice(&mut rng);
                            given.push(ch);
                            commitments::review(c, &sec, id, *r, ch, "")?;
                        }
                        let result = suggested(&given).unwrap_or(CommitmentResult::Kept);
                        commitments::step(c, &sec, id, CommitmentStep::Settle, Some(result))?;
                    }
                }
            }
            for q in 0..4u32 {
                let day = NaiveDate::from_ymd_opt(year, q * 3 + 2, 15).unwrap_or(today);
                let this_quarter = day.month0() / 3 == today.month0() / 3;
                if day > today || (this_quarter && b.id != branch.id && rng.gen_bool(0.3)) {
                    continue;
                }
                leader_reviews::add(
                    c,
                    &town_admin,
                    b,
                    "镇党委书记 刘建华",
                    &day.min(today).to_string(),
                    "本季度三会一课开展规范，主题党日结合产业发展，党员作用发挥较好；下步要加强对年轻党员的培养。",
                )?;
                out.leader_reviews += 1;
            }
        }
        Ok(())
    })?;

    // 民主评议: the demo branch's round is closed; the town's 五个好 round is open
    let sec = actor(&branch, Role::BranchSecretary);
    let round = store.write(|c| {
        evaluations::open_round(
            c,
            &sec,
            &branch,
            &RoundInput {
                name: format!("{year}年度民主评议党员"),
                scheme: Scheme::five_leads().name,
                closes_on: today.to_string(),
            },
        )
    })?;
    store.write(|c| -> xianfeng_store::Result<_> {
        let subjects = evaluations::subjects(c, round)?;
        for code in evaluations::codes(c, round)? {
            if rng.gen_bool(0.15) {
                continue; // some households and members did not take part
            }
            let ballot: Vec<(i64, Choice)> =
                subjects.iter().map(|s| (s.id, choice(&mut rng))).collect();
            evaluations::vote_with_code(c, &code.code, &ballot)?;
            out.ballots += 1;
        }
        for s in &subjects {
            let scores: Vec<String> = (0..5).map(|_| rng.gen_range(14..=20).to_string()).collect();
            evaluations::score(c, &town_admin, round, s.id, &scores)?;
            out.ballots += 1;
        }
        evaluations::close(c, &sec, round)?;
        Ok(())
    })?;
    let open = store.write(|c| {
        evaluations::open_round(
            c,
            &town_admin,
            &town,
            &RoundInput {
                name: format!("{year}年度村级党组织“五个好”评议"),
                scheme: Scheme::five_goods().name,
                closes_on: (today + Duration::days(20)).to_string(),
            },
        )
    })?;
    store.write(|c| -> xianfeng_store::Result<_> {
        let subjects = evaluations::subjects(c, open)?;
        for code in evaluations::codes(c, open)?
            .iter()
            .filter(|k| !k.household)
            .take(40)
        {
            let ballot: Vec<(i64, Choice)> =
                subjects.iter().map(|s| (s.id, choice(&mut rng))).collect();
            evaluations::vote_with_code(c, &code.code, &ballot)?;
            out.ballots += 1;
        }
        Ok(())
    })?;

    // 评星定级: every month so far, then the year
    store.write(|c| -> xianfeng_store::Result<_> {
        for b in &branches {
            for m in 1..=today.month() {
                let day = NaiveDate::from_ymd_opt(year, m, 1).unwrap_or(today);
                out.ratings += stars::rate_month(c, b, day)?;
            }
            out.ratings += stars::rate_year(c, Some(&actor(b, Role::BranchSecretary)), b, year)?;
        }
        Ok(())
    })?;

    // 评选表彰
    store.write(|c| -> xianfeng_store::Result<_> {
        let input = |name: &str, subject: &str, quotas: [&str; 3]| AwardKindInput {
            name: name.into(),
            subject: subject.into(),
            year: year.to_string(),
            branch_quota: quotas[0].into(),
            town_quota: quotas[1].into(),
            county_quota: quotas[2].into(),
            notice_days: "7".into(),
        };
        let excellent = awards::create_kind(c, &county_admin, &county, &input("优秀共产党员", "党员", ["2", "10", "45"]))?;
        let advanced = awards::create_kind(c, &county_admin, &county, &input("先进基层党组织", "党组织", ["", "3", "10"]))?;
        let town_kinds = [
            awards::create_kind(c, &town_admin, &town, &input("优秀共产党员（镇级）", "党员", ["", "45", ""]))?,
            awards::create_kind(c, &town_admin, &town, &input("先进工作者", "个人", ["", "3", ""]))?,
            awards::create_kind(c, &town_admin, &town, &input("优秀团员", "个人", ["", "4", ""]))?,
            awards::create_kind(c, &town_admin, &town, &input("巾帼标兵", "个人", ["", "5", ""]))?,
        ];
        let excellent = awards::kind(c, excellent)?;
        let advanced = awards::kind(c, advanced)?;
        let summary = "该同志任职以来带头落实“三会一课”，带领群众发展特色产业，主动联系服务困难群众，群众评价好。";
        for (i, b) in branches.iter().enumerate().take(6) {
            let bsec = actor(b, Role::BranchSecretary);
            let members: Vec<i64> = c
                .query("SELECT id FROM members WHERE org_id = ? AND status = 'full' ORDER BY id LIMIT 2", &[b.id.into()])?
                .iter()
                .map(|r| r.i64(0))
                .collect::<Result<_>>()?;
            for (j, m) in members.iter().enumerate() {
                let id = awards::nominate(c, &bsec, &excellent, b, Some(*m), "", summary)?;
                out.nominations += 1;
                workflow::act(c, Some(&bsec), "", id, Action::Approve, "支委会研究同意推荐")?;
                match (i, j) {
                    (0, 0) => {
                        workflow::act(c, Some(&town_admin), "", id, Action::Approve, "镇党委会议研究同意")?;
                        workflow::act(c, Some(&county_admin), "", id, Action::Approve, "县委常委会审定")?;
                    }
                    (0, 1) => {
                        workflow::act(c, Some(&town_admin), "", id, Action::Return, "请补充近三年具体事迹和群众评价")?;
                    }
                    (_, 0) if i < 4 => {
                        workflow::act(c, Some(&town_admin), "", id, Action::Approve, "镇党委会议研究同意")?;
                    }
                    _ => {}
                }
            }
            if i < 3 {
                let id = awards::nominate(c, &bsec, &advanced, b, None, "", "支部班子团结有力，三会一课规范，村集体经济收入稳步增长。")?;
                out.nominations += 1;
                workflow::act(c, Some(&bsec), "", id, Action::Approve, "支部党员大会推荐")?;
                if i == 0 {
                    workflow::act(c, Some(&town_admin), "", id, Action::Approve, "镇党委会议研究同意")?;
                }
            }
        }
        let women = awards::kind(c, town_kinds[3])?;
        for (i, (b, person)) in branches.iter().zip(["李秀兰", "张桂芳", "王红梅"]).enumerate() {
            let bsec = actor(b, Role::BranchSecretary);
            let id = awards::nominate(c, &bsec, &women, b, None, person, "带头发展庭院经济，组织妇女开展志愿服务，热心调解家庭矛盾。")?;
            out.nominations += 1;
            workflow::act(c, Some(&bsec), "", id, Action::Approve, "支委会研究同意推荐")?;
            if i < 2 {
                workflow::act(c, Some(&town_admin), "", id, Action::Approve, "镇党委会议研究同意")?;
            }
        }
        Ok(())
    })?;
    Ok(out)
}
