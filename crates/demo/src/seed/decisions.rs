//! Demo 四议两公开: in the first towns, villages with matters at every step — one finished with
//! its result public, one on the board with a resident's objection, one 一肩挑 village that
//! merged steps 1 and 2, one stopped by a 党员大会 without a quorum, one decided but not
//! published in time, and one carried out without the steps (a problem in the 问题台账).

use chrono::{Duration, NaiveDate};
use xianfeng_domain::auth::Role;
use xianfeng_domain::cadence::Applies;
use xianfeng_domain::decision::{MatterDraft, StepDraft, StepKind, Tally, VillageForm};
use xianfeng_domain::life::{AttendanceEntry, Presence};
use xianfeng_domain::org::Org;
use xianfeng_store::decisions::{categories, matters};
use xianfeng_store::life::meetings;
use xianfeng_store::{people::orgs, Conn, Result, Store};

use super::supervision::{actor, DEMO_PHOTO};

/// What was generated.
#[derive(Debug, Default)]
pub struct Generated {
    pub matters: usize,
    pub steps: usize,
    pub stopped: usize,
    pub objections: usize,
}

fn meeting(kind: StepKind, on: NaiveDate, expected: i64, present: i64, yes: i64) -> StepDraft {
    StepDraft {
        kind,
        date: on,
        form: (kind == StepKind::VillageMeeting).then_some(VillageForm::Representatives),
        tally: Tally {
            expected,
            present,
            yes,
            no: present - yes,
            abstain: 0,
        },
        minutes: format!("{}：与会人员逐项讨论，形成意见。", kind.label()),
        text: String::new(),
        amount_fen: None,
        final_result: false,
    }
}

fn notice(
    kind: StepKind,
    on: NaiveDate,
    text: &str,
    amount_fen: Option<i64>,
    last: bool,
) -> StepDraft {
    StepDraft {
        kind,
        date: on,
        form: None,
        tally: Tally::default(),
        minutes: String::new(),
        text: text.into(),
        amount_fen,
        final_result: last,
    }
}

struct Village<'a> {
    c: &'a mut dyn Conn,
    org: Org,
    town: Org,
    out: &'a mut Generated,
}

impl Village<'_> {
    fn matter(&mut self, title: &str, category: &str, amount_fen: Option<i64>) -> Result<i64> {
        let a = actor(&self.town, Role::TownAdmin);
        let m = matters::create(
            self.c,
            &a,
            &self.org,
            &MatterDraft {
                title: title.into(),
                category: category.into(),
                amount_fen,
                summary: format!("{}：{}", self.org.name, title),
            },
        )?;
        self.out.matters += 1;
        Ok(m.id)
    }

    /// Records `d`; for the 党员大会 the first `share` of the roster (in thousandths) attends.
    fn step(&mut self, id: i64, d: StepDraft, share: i64) -> Result<bool> {
        let a = actor(&self.town, Role::TownAdmin);
        let roster = meetings::roster_at(self.c, &self.org, &d.date.to_string())?;
        let n = (roster.len() as i64 * share + 999) / 1000;
        let attendance: Vec<AttendanceEntry> = roster
            .iter()
            .take(n as usize)
            .map(|(member_id, _)| AttendanceEntry {
                member_id: *member_id,
                presence: Presence::Present,
                reason: String::new(),
            })
            .collect();
        let mut d = d;
        if d.kind == StepKind::PartyAssembly {
            d.tally.yes = n;
            d.tally.no = 0;
        }
        let m = matters::get(self.c, id)?.ok_or(xianfeng_store::StoreError::NotFound("事项"))?;
        let s = matters::record_step(self.c, &a, &m, &d, &attendance)?;
        if d.kind == StepKind::ResultNotice {
            matters::add_file(
                self.c,
                &a,
                &m,
                Some(s.id),
                "施工现场.png",
                "image/png",
                DEMO_PHOTO,
            )?;
        }
        self.out.steps += 1;
        if !s.passed {
            self.out.stopped += 1;
        }
        Ok(s.passed)
    }

    /// Steps 1 to `last` (merged 1–2 when `merged`), the meetings a few days apart from `from`.
    fn through(&mut self, id: i64, last: i64, from: NaiveDate, merged: bool) -> Result<()> {
        let day = |n: i64| from + Duration::days(n * 3);
        if merged {
            self.step(id, meeting(StepKind::Merged, day(0), 9, 9, 9), 0)?;
        } else {
            self.step(id, meeting(StepKind::Proposal, day(0), 5, 5, 5), 0)?;
            if last >= 2 {
                self.step(id, meeting(StepKind::Consultation, day(1), 9, 8, 8), 0)?;
            }
        }
        if last >= 3 {
            self.step(id, meeting(StepKind::PartyAssembly, day(2), 0, 0, 0), 800)?;
        }
        if last >= 4 {
            self.step(id, meeting(StepKind::VillageMeeting, day(3), 31, 25, 22), 0)?;
        }
        Ok(())
    }
}

/// Generates matters in the villages of the first three towns under `county_id`.
pub fn generate(store: &Store, county_id: i64, today: NaiveDate) -> Result<Generated> {
    let mut out = Generated::default();
    let towns: Vec<Org> = store.read(|c| -> Result<_> {
        Ok(orgs::children(c, county_id)?
            .into_iter()
            .filter(|o| o.dissolved_on.is_none() && Applies::Towns.fits(o.kind, o.committee_size))
            .take(3)
            .collect())
    })?;
    for town in towns {
        store.write(|c| -> Result<()> {
            let villages: Vec<Org> = orgs::branches_in(c, &town.path)?
                .into_iter()
                .filter(matters::is_village)
                .take(4)
                .collect();
            for (i, org) in villages.into_iter().enumerate() {
                if meetings::roster_at(c, &org, &today.to_string())?.len() < 3 {
                    continue;
                }
                if i == 1 {
                    categories::set_one_shoulder(c, &actor(&town, Role::TownAdmin), &org, true)?;
                }
                let mut v = Village {
                    c,
                    org,
                    town: town.clone(),
                    out: &mut out,
                };
                match i {
                    0 => {
                        let id = v.matter("村道硬化工程", "工程立项与发包", Some(48_600_000))?;
                        v.through(id, 4, today - Duration::days(60), false)?;
                        v.step(id, notice(StepKind::Resolution, today - Duration::days(45), "村道硬化工程经村民代表会议表决通过，由镇公共资源交易平台公开招标。", None, false), 0)?;
                        v.step(id, notice(StepKind::ResultNotice, today - Duration::days(20), "工程已开工，完成路基平整。", Some(20_000_000), false), 0)?;
                        v.step(id, notice(StepKind::ResultNotice, today - Duration::days(3), "工程已完工并通过验收，实际支出如下。", Some(47_920_000), true), 0)?;
                        let id = v.matter("村集体厂房出租", "集体资产处置", Some(3_600_000))?;
                        v.through(id, 4, today - Duration::days(16), false)?;
                        v.step(id, notice(StepKind::Resolution, today - Duration::days(2), "村集体厂房对外出租三年，年租金3.6万元，经村民代表会议表决通过。", None, false), 0)?;
                        let m = matters::get(v.c, id)?.ok_or(xianfeng_store::StoreError::NotFound("事项"))?;
                        matters::object(v.c, &m, "张建华", "", "租金是否低于周边市场价？希望公开评估结果。", today)?;
                        v.out.objections += 1;
                    }
                    1 => {
                        let id = v.matter("修订村规民约", "村规民约", None)?;
                        v.through(id, 3, today - Duration::days(10), true)?;
                        let id = v.matter("山林承包经营权流转", "集体土地/山林承包流转", Some(12_000_000))?;
                        v.step(id, meeting(StepKind::Merged, today - Duration::days(12), 9, 9, 9), 0)?;
                        // Half of the branch came: below two thirds, the matter stops.
                        v.step(id, meeting(StepKind::PartyAssembly, today - Duration::days(8), 0, 0, 0), 500)?;
                    }
                    2 => {
                        let id = v.matter("村级公益设施筹资筹劳", "公益事业筹资筹劳", Some(800_000))?;
                        v.through(id, 1, today - Duration::days(2), false)?;
                        let id = v.matter("低保对象民主评议", "低保/救助对象评议", None)?;
                        v.through(id, 4, today - Duration::days(30), false)?;
                    }
                    _ => {
                        let id = v.matter("集体借款修建冷库", "集体借贷", Some(30_000_000))?;
                        v.through(id, 2, today - Duration::days(20), false)?;
                        let m = matters::get(v.c, id)?.ok_or(xianfeng_store::StoreError::NotFound("事项"))?;
                        matters::mark_implemented(v.c, &actor(&town, Role::TownAdmin), &m, today)?;
                    }
                }
            }
            Ok(())
        })?;
    }
    Ok(out)
}
