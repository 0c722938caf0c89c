//! Demo supervision: each town inspects a few of its branches every month (one town lets the
//! current month slip), problems with deadlines, most rectified and verified, some left
//! overdue and escalated; and 镇级先进基层党组织 honours for about half the village branches, so
//! the share indicator of the demo plan has a real figure. Deterministic for a seed.

use chrono::{Datelike, Duration, NaiveDate};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use xianfeng_domain::auth::{Actor, Role};
use xianfeng_domain::cadence::Applies;
use xianfeng_domain::org::{Org, OrgDomain};
use xianfeng_domain::supervision::{InspectionDraft, ProblemAction, ProblemDraft};

use xianfeng_store::{campaigns::measures, campaigns::supervision, people::orgs, Result, Store};

const FINDINGS: [&str; 5] = [
    "三会一课记录基本完整，个别会议签到不全",
    "党员先锋岗挂牌到位，岗位职责公示不够醒目",
    "党建阵地整洁规范，学习资料更新不及时",
    "主题党日活动开展正常，活动照片留存不全",
    "党费收缴及时，台账登记有漏项",
];

const PROBLEMS: [&str; 6] = [
    "支委会记录缺少两次会议签到",
    "党员先锋岗职责未上墙公示",
    "学习资料未按月更新",
    "主题党日活动照片未归档",
    "党费收缴台账漏登两名党员",
    "党群服务中心开放时间未公示",
];

/// A 4×4 red PNG standing in for a rectification photo.
pub(crate) const DEMO_PHOTO: &[u8] = &[
    137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 13, 73, 72, 68, 82, 0, 0, 0, 4, 0, 0, 0, 4, 8, 2, 0,
    0, 0, 38, 147, 9, 41, 0, 0, 0, 16, 73, 68, 65, 84, 120, 156, 99, 56, 33, 39, 7, 71, 12, 196,
    113, 0, 177, 99, 16, 65, 59, 75, 99, 130, 0, 0, 0, 0, 73, 69, 78, 68, 174, 66, 96, 130,
];

pub const TITLE: &str = "镇级先进基层党组织";

pub(crate) fn actor(at: &Org, role: Role) -> Actor {
    Actor {
        account_id: 0,
        username: "demo".into(),
        display_name: at.name.clone(),
        role,
        scope_org_id: at.id,
        scope_path: at.path.clone(),
        member_id: None,
    }
}

/// What was generated.
#[derive(Debug, Default)]
pub struct Generated {
    pub inspections: usize,
    pub problems: usize,
    pub escalations: usize,
    pub titles: usize,
}

/// Generates `months` of supervision for every town under `county_id`, up to `today`.
pub fn generate(store: &Store, county_id: i64, months: u32, today: NaiveDate) -> Result<Generated> {
    let mut rng = StdRng::seed_from_u64(0x5e1f_2026);
    let mut out = Generated::default();
    let towns: Vec<Org> = store.read(|c| -> xianfeng_store::Result<_> {
        Ok(orgs::children(c, county_id)?
            .into_iter()
            .filter(|o| o.dissolved_on.is_none() && Applies::Towns.fits(o.kind, o.committee_size))
            .collect())
    })?;
    for (ti, town) in towns.iter().enumerate() {
        store.write(|c| -> xianfeng_store::Result<_> {
            let branches = orgs::branches_in(c, &town.path)?;
            if branches.is_empty() {
                return Ok(());
            }
            let town_admin = actor(town, Role::TownAdmin);
            for back in (0..months).rev() {
                // The last town lets the current month's inspection slip.
                if back == 0 && ti + 1 == towns.len() {
                    continue;
                }
                let month_start = first_of_month(today, back);
                for _ in 0..rng.gen_range(1..=2) {
                    let day = rng.gen_range(0..25);
                    let held_on = (month_start + Duration::days(day)).min(today);
                    let target = &branches[rng.gen_range(0..branches.len())];
                    let problems: Vec<ProblemDraft> = (0..rng.gen_range(0..=2))
                        .map(|_| ProblemDraft {
                            description: PROBLEMS[rng.gen_range(0..PROBLEMS.len())].into(),
                            deadline: held_on + Duration::days(rng.gen_range(10..=30)),
                        })
                        .collect();
                    supervision::inspect(
                        c,
                        &town_admin,
                        town,
                        target,
                        None,
                        &InspectionDraft {
                            held_on,
                            inspectors: "镇党委组织委员、党建办工作人员".into(),
                            findings: FINDINGS[rng.gen_range(0..FINDINGS.len())].into(),
                        },
                        &problems,
                    )?;
                    out.inspections += 1;
                    out.problems += problems.len();
                }
            }
            // Most items whose deadline has passed were rectified and verified; a few were
            // left with the branch (they escalate below), and some wait for verification.
            let open =
                supervision::problems(c, &town.path, supervision::Filter::Unclosed, today, 500)?;
            for p in open {
                let secretary = actor(&orgs::require(c, p.org_id)?, Role::BranchSecretary);
                let roll: f64 = rng.gen();
                if p.deadline >= today && roll < 0.6 {
                    continue;
                }
                if p.deadline < today && roll < 0.15 {
                    continue;
                }
                let photo = vec![(
                    "整改照片.png".to_string(),
                    "image/png".to_string(),
                    DEMO_PHOTO.to_vec(),
                )];
                supervision::act(
                    c,
                    &secretary,
                    &p,
                    ProblemAction::Submit,
                    "已按要求完成整改，附整改前后照片",
                    &photo,
                )?;
                if roll < 0.85 || p.deadline < today {
                    let p = supervision::problem(c, p.id)?
                        .ok_or(xianfeng_store::StoreError::NotFound("问题"))?;
                    supervision::act(
                        c,
                        &town_admin,
                        &p,
                        ProblemAction::Verify,
                        "经实地核验，整改到位，予以销号",
                        &[],
                    )?;
                }
            }
            // Honours: about half of the village branches.
            for b in branches.iter().filter(|b| b.domain == OrgDomain::Rural) {
                if rng.gen_bool(0.45 + 0.03 * (ti % 5) as f64) {
                    let on = today - Duration::days(rng.gen_range(0..200));
                    measures::grant(c, &town_admin, town, b, TITLE, i64::from(on.year()), on)?;
                    out.titles += 1;
                }
            }
            Ok(())
        })?;
    }
    out.escalations = store.write(|c| supervision::escalate(c, today))?;
    Ok(out)
}

fn first_of_month(today: NaiveDate, back: u32) -> NaiveDate {
    let months = today.year() * 12 + today.month0() as i32 - back as i32;
    NaiveDate::from_ymd_opt(months.div_euclid(12), months.rem_euclid(12) as u32 + 1, 1)
        .unwrap_or(today)
}
