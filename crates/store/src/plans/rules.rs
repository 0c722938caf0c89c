//! Publishing the parts of a plan that are not tasks: its cadences become cadence rules of the
//! campaign, its criteria lists evaluation schemes, its quotas award kinds. `apply` is called
//! by `publish` after the tasks are made and again when a published draft updates its campaign,
//! so it adds what is new and never duplicates what exists.
//!
//! A campaign rule is checked by the cadence engine: each occurrence is a `cadence::record` of
//! the activity the rule counts (`plan_rules::Occurrence::activity`), made where it happens —
//! a progress report (报告), an inspection (督查), an issued bulletin (月通报), a leader review
//! (点评), an evaluation round (评议、考评), a kept quarterly ranking (评比, `record_ranking`
//! here) — and `compliance` judges the bound organisations with `CadenceRule::status`.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::{json, Value as Json};
use xianfeng_domain::auth::Actor;
use xianfeng_domain::award::{AwardKindInput, AwardSubject};
use xianfeng_domain::cadence::{Applies, CadenceRule, Frequency, Period, Status};
use xianfeng_domain::evaluation::Scheme;
use xianfeng_domain::org::Org;
use xianfeng_domain::plan_rules::{
    frequency_of, percent_quota, period_word, scheme_from_criteria, Binds, Occurrence,
};
use xianfeng_domain::workflow::Level;
use xianfeng_domain::{path, Invalid};

use crate::audit::{self, Record};
use crate::campaigns::{self, Campaign};
use crate::db::Conn;
use crate::engines::{cadence, rollup};
use crate::life::compliance::org_since;
use crate::{now_text, people::orgs, vals, Result, StoreError};

/// A cadence rule made from the plan (一周一报告 → report, week, 1, 各责任单位).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedCadence {
    /// The plan's action word (报告, 督查, 点评, 评议, 考评, 通报, 评比); what counts as one is
    /// `plan_rules::Occurrence::of_action` of it.
    pub activity: String,
    /// week / month / quarter / half_year / year
    pub frequency: String,
    pub count: u32,
    pub applies_to: String,
}

/// An evaluation scheme made from a criteria list (五个好 and its five items).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedScheme {
    pub name: String,
    pub items: Vec<String>,
}

/// An award kind made from a quota (3个先进党组织; 15%党员).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedAward {
    pub name: String,
    /// org / member
    pub subject: String,
    pub quota: Option<u32>,
    pub quota_percent: Option<f64>,
    pub level: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct PublishedRules {
    pub cadences: Vec<PublishedCadence>,
    pub schemes: Vec<PublishedScheme>,
    pub awards: Vec<PublishedAward>,
}

/// Makes the campaign's cadence rules, schemes and award kinds from the draft's plan JSON.
/// What already exists (from an earlier call on the same campaign) is kept as it is and listed
/// again, so the answer is the same however often it is called; only what is new is written.
/// Cadences whose action is not something the system records (党务公开, a meeting the county's
/// own rules already cover) and unreadable entries are left out.
pub fn apply(
    c: &mut dyn Conn,
    actor: &Actor,
    org: &Org,
    campaign_id: i64,
    plan: &Json,
    year: i32,
) -> Result<PublishedRules> {
    let mut out = PublishedRules::default();
    // What this call wrote, for the audit log (nothing on a repeated call).
    let mut added: Vec<Json> = Vec::new();
    let today = xianfeng_domain::date::today();
    for cad in plan["cadences"].as_array().into_iter().flatten() {
        let action = xianfeng_domain::text::normalize(cad["action"].as_str().unwrap_or(""));
        let Some(occ) = Occurrence::of_action(&action) else {
            continue;
        };
        let Some(frequency) = frequency_of(cad["period"].as_str().unwrap_or("")) else {
            continue;
        };
        let count = cad["times"].as_u64().unwrap_or(1).clamp(1, 31) as u32;
        let activity = occ.activity(campaign_id);
        let made = PublishedCadence {
            activity: action.chars().take(20).collect(),
            frequency: period_word(frequency).to_string(),
            count,
            applies_to: occ.binds().label().to_string(),
        };
        if out.cadences.iter().any(|m| {
            m.frequency == made.frequency && Occurrence::of_action(&m.activity) == Some(occ)
        }) {
            continue;
        }
        let exists = c
            .query_opt(
                "SELECT 1 FROM campaign_cadences WHERE campaign_id = ? AND activity = ? AND frequency = ?",
                vals![campaign_id, activity.as_str(), period_word(frequency)],
            )?
            .is_some();
        if !exists {
            c.execute(
                "INSERT INTO campaign_cadences (campaign_id, occurrence, activity, frequency, min_count, warn_days, since, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                vals![campaign_id, occ.label(), activity.as_str(), period_word(frequency), count as i64,
                      occ.warn_days(frequency), today.to_string(), cad["text"].as_str().unwrap_or("").chars().take(300).collect::<String>()],
            )?;
            added.push(json!({"cadence": made}));
        }
        out.cadences.push(made);
    }
    for cr in plan["criteria"].as_array().into_iter().flatten() {
        let items: Vec<String> = cr["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| i.as_str().map(str::to_string))
            .collect();
        let Some(scheme) = scheme_from_criteria(cr["name"].as_str().unwrap_or(""), &items) else {
            continue;
        };
        if out.schemes.iter().any(|s| s.name == scheme.name) {
            continue;
        }
        let exists = c
            .query_opt(
                "SELECT 1 FROM campaign_schemes WHERE campaign_id = ? AND name = ?",
                vals![campaign_id, scheme.name.as_str()],
            )?
            .is_some();
        if !exists {
            let body = serde_json::to_string(&scheme).map_err(|e| StoreError::Db(e.to_string()))?;
            c.execute(
                "INSERT INTO campaign_schemes (campaign_id, name, scheme) VALUES (?, ?, ?)",
                vals![campaign_id, scheme.name.as_str(), body],
            )?;
            added.push(json!({"scheme": scheme.name}));
        }
        out.schemes.push(PublishedScheme {
            name: scheme.name.clone(),
            items: scheme.criteria.iter().map(|k| k.name.clone()).collect(),
        });
    }
    let publishing = Level::of(org.kind);
    for q in plan["quotas"].as_array().into_iter().flatten() {
        if let Some((a, new)) = award_kind(c, actor, org, campaign_id, q, year, publishing)? {
            if new {
                added.push(json!({"award": a}));
            }
            if !out.awards.contains(&a) {
                out.awards.push(a);
            }
        }
    }
    if !added.is_empty() {
        audit::append(
            c,
            Record {
                actor: Some(actor),
                org_id: Some(org.id),
                action: "campaign.rules",
                entity: "campaign",
                entity_id: Some(campaign_id),
                before: json!(null),
                after: json!(added),
            },
        )?;
    }
    Ok(out)
}

/// The level a quota's places are counted at: the one written when it is below the
/// publishing level (镇级 in a county's plan: each town's share), else the publishing level.
fn quota_level(written: Option<&str>, publishing: Level) -> Level {
    let town = written.is_some_and(|w| w.contains('镇') || w.contains('乡') || w.contains("街道"));
    if town && publishing == Level::County {
        Level::Town
    } else {
        publishing
    }
}

/// One quota as an award kind of the publishing organisation for `year` (made once: a kind of
/// the same name and year is the same kind), and whether this call made it.
fn award_kind(
    c: &mut dyn Conn,
    actor: &Actor,
    org: &Org,
    campaign_id: i64,
    q: &Json,
    year: i32,
    publishing: Level,
) -> Result<Option<(PublishedAward, bool)>> {
    let name = xianfeng_domain::text::normalize(q["name"].as_str().unwrap_or(""));
    if name.is_empty() || name.chars().count() > 40 || publishing == Level::Branch {
        return Ok(None);
    }
    let subject = match q["subject"].as_str() {
        Some("org") => AwardSubject::Org,
        _ => AwardSubject::Member,
    };
    let count = q["count"]
        .as_u64()
        .filter(|n| (1..=10_000).contains(n))
        .map(|n| n as u32);
    let percent = q["percent"].as_f64().filter(|p| *p > 0.0 && *p <= 100.0);
    if count.is_none() && percent.is_none() {
        return Ok(None);
    }
    let level = quota_level(q["level"].as_str(), publishing);
    let made = PublishedAward {
        name: name.clone(),
        subject: if subject == AwardSubject::Org {
            "org"
        } else {
            "member"
        }
        .to_string(),
        quota: count,
        quota_percent: if count.is_some() { None } else { percent },
        level: level.label().to_string(),
    };
    let exists = c
        .query_opt(
            "SELECT 1 FROM award_kinds WHERE org_id = ? AND year = ? AND name = ?",
            vals![org.id, year as i64, name.as_str()],
        )?
        .is_some();
    if exists {
        return Ok(Some((made, false)));
    }
    let fixed = |l: Level| {
        if count.is_some() && level == l {
            count.map(|n| n.to_string()).unwrap_or_default()
        } else {
            String::new()
        }
    };
    let input = AwardKindInput {
        name: name.clone(),
        subject: subject.label().to_string(),
        year: year.to_string(),
        branch_quota: String::new(),
        town_quota: fixed(Level::Town),
        county_quota: fixed(Level::County),
        notice_days: String::new(),
    };
    let id = crate::recognition::awards::create_kind(c, actor, org, &input)?;
    c.execute(
        "UPDATE award_kinds SET campaign_id = ?, quota_percent = ?, quota_level = ? WHERE id = ?",
        &[
            crate::Value::Int(campaign_id),
            made.quota_percent
                .map_or(crate::Value::Null, crate::Value::Real),
            level.label().into(),
            crate::Value::Int(id),
        ],
    )?;
    Ok(Some((made, true)))
}

/// A cadence rule of a campaign, as stored.
#[derive(Debug, Clone)]
pub struct CampaignCadence {
    pub id: i64,
    pub occurrence: Occurrence,
    pub text: String,
    /// The rule the cadence engine checks (its `activity` is the counter's).
    pub rule: CadenceRule,
}

impl CampaignCadence {
    /// 每周至少1次报告（各责任单位）.
    pub fn describe(&self) -> String {
        format!(
            "{}至少{}次{}（{}）",
            self.rule.frequency.label(),
            self.rule.min_count,
            self.occurrence.label(),
            self.occurrence.binds().label()
        )
    }
}

pub fn cadences(c: &mut dyn Conn, campaign_id: i64) -> Result<Vec<CampaignCadence>> {
    c.query(
        "SELECT id, occurrence, activity, frequency, min_count, warn_days, since, text FROM campaign_cadences WHERE campaign_id = ? ORDER BY id",
        vals![campaign_id],
    )?
    .into_iter()
    .map(|r| {
        let occurrence = crate::db::decode(&r.text(1)?, Occurrence::parse, "频次事项")?;
        let frequency = crate::db::decode(&r.text(3)?, frequency_of, "频次")?;
        Ok(CampaignCadence {
            id: r.i64(0)?,
            occurrence,
            text: r.text(7)?,
            rule: CadenceRule {
                activity: r.text(2)?,
                frequency,
                min_count: r.i64(4)?,
                // Not read for a campaign rule: whom it binds is `occurrence.binds()`.
                applies: Applies::Branches,
                warn_days: r.i64(5)?,
                since: xianfeng_domain::date::parse(&r.text(6)?),
            },
        })
    })
    .collect()
}

/// The organisations a campaign rule binds: every assignee of the campaign, or its own
/// organisation.
fn bound(c: &mut dyn Conn, campaign: &Campaign, binds: Binds) -> Result<Vec<Org>> {
    match binds {
        Binds::CampaignOrg => Ok(vec![orgs::require(c, campaign.org_id)?]),
        Binds::Assignees => {
            let ids: Vec<i64> = c
                .query(
                    "SELECT DISTINCT a.org_id FROM assignments a JOIN tasks t ON t.id = a.task_id WHERE t.campaign_id = ? ORDER BY a.org_id",
                    vals![campaign.id],
                )?
                .iter()
                .map(|r| r.i64(0))
                .collect::<Result<_>>()?;
            let mut out = Vec::new();
            for id in ids {
                let o = orgs::require(c, id)?;
                if o.dissolved_on.is_none() {
                    out.push(o);
                }
            }
            out.sort_by(|a, b| a.path.cmp(&b.path));
            Ok(out)
        }
    }
}

/// One campaign rule's standing: this period's bound organisations and how many have done it,
/// the worst status among them (the rule's 红黄绿), last period's, and who is still missing.
#[derive(Debug, Clone)]
pub struct RuleStanding {
    pub cadence: CampaignCadence,
    pub period: Period,
    pub bound: i64,
    pub done: i64,
    pub status: Status,
    pub prev_period: Period,
    pub prev_missed: i64,
    pub prev_status: Status,
    /// Bound organisations not done this period (name, count, status), at most 50.
    pub missing: Vec<(String, i64, Status)>,
}

fn worst(statuses: &[Status]) -> Status {
    let rank = |s: &Status| match s {
        Status::Missed => 0,
        Status::DueSoon => 1,
        Status::Open => 2,
        Status::Done => 3,
        Status::Exempt => 4,
    };
    statuses
        .iter()
        .copied()
        .min_by_key(rank)
        .unwrap_or(Status::Exempt)
}

/// Each rule of the campaign checked by the cadence engine on `today`, for the organisations
/// it binds inside `root_path` (a town sees its own assignees, the campaign's organisation
/// all of them).
pub fn compliance(
    c: &mut dyn Conn,
    campaign: &Campaign,
    root_path: &str,
    today: NaiveDate,
) -> Result<Vec<RuleStanding>> {
    let mut out = Vec::new();
    for cad in cadences(c, campaign.id)? {
        let mut orgs = bound(c, campaign, cad.occurrence.binds())?;
        if cad.occurrence.binds() == Binds::Assignees {
            orgs.retain(|o| path::within(&o.path, root_path));
        }
        let ids: Vec<i64> = orgs.iter().map(|o| o.id).collect();
        let subtree = cad.occurrence.counted_in_subtree();
        let period = Period::containing(cad.rule.frequency, today);
        let prev = period.prev();
        let now = cadence::counts_many(c, &ids, &cad.rule.activity, &period, subtree)?;
        let before = cadence::counts_many(c, &ids, &cad.rule.activity, &prev, subtree)?;
        let mut statuses = Vec::new();
        let mut prev_statuses = Vec::new();
        let mut missing = Vec::new();
        for o in &orgs {
            let since = org_since(o);
            let n = now.get(&o.id).copied().unwrap_or(0);
            let s = cad.rule.status(&period, n, today, since);
            let p = cad
                .rule
                .status(&prev, before.get(&o.id).copied().unwrap_or(0), today, since);
            if !matches!(s, Status::Done | Status::Exempt) && missing.len() < 50 {
                missing.push((o.name.clone(), n, s));
            }
            statuses.push(s);
            prev_statuses.push(p);
        }
        out.push(RuleStanding {
            bound: orgs.len() as i64,
            done: statuses.iter().filter(|s| **s == Status::Done).count() as i64,
            status: worst(&statuses),
            prev_missed: prev_statuses
                .iter()
                .filter(|s| **s == Status::Missed)
                .count() as i64,
            prev_status: worst(&prev_statuses),
            period,
            prev_period: prev,
            missing,
            cadence: cad,
        });
    }
    Ok(out)
}

/// A quarterly ranking (季评比) as it was recorded.
#[derive(Debug, Clone)]
pub struct KeptRanking {
    pub id: i64,
    pub quarter: Period,
    pub recorded_at: String,
    pub lines: Vec<RankLine>,
}

/// One organisation's place in a kept ranking: indicators met out of those assigned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RankLine {
    pub position: i64,
    pub org_name: String,
    pub done: i64,
    pub assigned: i64,
}

impl RankLine {
    pub fn pct(&self) -> i64 {
        if self.assigned == 0 {
            0
        } else {
            self.done * 100 / self.assigned
        }
    }
}

/// `2026-Q4` → the quarter, else a message for the field.
pub fn parse_quarter(key: &str) -> std::result::Result<Period, Invalid> {
    match Period::parse_key(key.trim()) {
        Some(p) if p.frequency == Frequency::Quarterly => Ok(p),
        _ => Err(Invalid::one("quarter", "季度", "格式应为 2026-Q4")),
    }
}

/// Keeps the campaign's ranking of the organisations directly under its own (as its page
/// ranks them now) for `quarter`, so later changes do not rewrite it, and counts it as the
/// quarter's 评比. Only the campaign's organisation records it; once per quarter; not for a
/// quarter that has not begun.
pub fn record_ranking(
    c: &mut dyn Conn,
    actor: &Actor,
    campaign: &Campaign,
    quarter: Period,
    today: NaiveDate,
) -> Result<i64> {
    if !actor.can_manage_town(&campaign.org_path) {
        return Err(Invalid::one("quarter", "季度评比", "只有活动的组织单位能记录评比").into());
    }
    if quarter.frequency != Frequency::Quarterly {
        return Err(Invalid::one("quarter", "季度", "格式应为 2026-Q4").into());
    }
    if quarter.start > today {
        return Err(
            Invalid::one("quarter", "季度", format!("{}还没有开始", quarter.label())).into(),
        );
    }
    if c.query_opt(
        "SELECT 1 FROM campaign_rankings WHERE campaign_id = ? AND quarter = ?",
        vals![campaign.id, quarter.key()],
    )?
    .is_some()
    {
        return Err(StoreError::Conflict(format!(
            "{}的评比已经记录，不能重复记录",
            quarter.label()
        )));
    }
    let org = orgs::require(c, campaign.org_id)?;
    let tasks = campaigns::tasks(c, campaign.id)?;
    let ranking = campaigns::ranking(c, &tasks, &org)?;
    if ranking.is_empty() {
        return Err(Invalid::one(
            "quarter",
            "季度评比",
            "还没有下级组织承担本活动的任务，无可排名",
        )
        .into());
    }
    let id = c.scalar(
        "INSERT INTO campaign_rankings (campaign_id, quarter, recorded_by, recorded_at) VALUES (?, ?, ?, ?) RETURNING id",
        vals![campaign.id, quarter.key(), actor.account_id, now_text()],
    )?;
    for (i, (o, s)) in ranking.iter().enumerate() {
        c.execute(
            "INSERT INTO campaign_ranking_lines (ranking_id, place, org_id, org_name, done, assigned) VALUES (?, ?, ?, ?, ?, ?)",
            vals![id, i as i64 + 1, o.id, o.name.as_str(), s.done, s.assigned],
        )?;
    }
    cadence::record(
        c,
        &org,
        &Occurrence::Ranking.activity(campaign.id),
        quarter.end.min(today),
        1,
    )?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(org.id),
            action: "campaign.ranking",
            entity: "campaign",
            entity_id: Some(campaign.id),
            before: json!(null),
            after: json!({"quarter": quarter.key(), "lines": ranking.iter().map(|(o, s)| json!([o.name, s.done, s.assigned])).collect::<Vec<_>>()}),
        },
    )?;
    Ok(id)
}

/// The kept rankings of a campaign, latest quarter first.
pub fn rankings(c: &mut dyn Conn, campaign_id: i64) -> Result<Vec<KeptRanking>> {
    let mut out: Vec<KeptRanking> = Vec::new();
    for r in c.query(
        "SELECT id, quarter, recorded_at FROM campaign_rankings WHERE campaign_id = ? ORDER BY quarter DESC",
        vals![campaign_id],
    )? {
        out.push(KeptRanking {
            id: r.i64(0)?,
            quarter: crate::db::decode(&r.text(1)?, Period::parse_key, "季度")?,
            recorded_at: r.text(2)?,
            lines: vec![],
        });
    }
    for k in &mut out {
        k.lines = c
            .query(
                "SELECT place, org_name, done, assigned FROM campaign_ranking_lines WHERE ranking_id = ? ORDER BY place",
                vals![k.id],
            )?
            .iter()
            .map(|r| {
                Ok(RankLine {
                    position: r.i64(0)?,
                    org_name: r.text(1)?,
                    done: r.i64(2)?,
                    assigned: r.i64(3)?,
                })
            })
            .collect::<Result<_>>()?;
    }
    Ok(out)
}

/// The evaluation schemes a campaign's criteria lists made.
pub fn schemes(c: &mut dyn Conn, campaign_id: i64) -> Result<Vec<Scheme>> {
    c.query(
        "SELECT scheme FROM campaign_schemes WHERE campaign_id = ? ORDER BY id",
        vals![campaign_id],
    )?
    .iter()
    .map(|r| {
        serde_json::from_str(&r.text(0)?).map_err(|e| StoreError::Db(format!("评议方案损坏：{e}")))
    })
    .collect()
}

/// The schemes of the open campaigns an organisation at `org_path` takes part in (run by it or
/// above it), offered beside the county's when it opens an evaluation round.
pub fn schemes_offered_at(c: &mut dyn Conn, org_path: &str) -> Result<Vec<Scheme>> {
    let mut out: Vec<Scheme> = Vec::new();
    let rows = c.query(
        "SELECT s.scheme, c.org_path FROM campaign_schemes s JOIN campaigns c ON c.id = s.campaign_id WHERE c.status = ? ORDER BY s.id",
        vals![campaigns::OPEN],
    )?;
    for r in rows {
        if !path::within(org_path, &r.text(1)?) {
            continue;
        }
        let s: Scheme = serde_json::from_str(&r.text(0)?)
            .map_err(|e| StoreError::Db(format!("评议方案损坏：{e}")))?;
        if !out.iter().any(|o| o.name == s.name) {
            out.push(s);
        }
    }
    Ok(out)
}

/// An award kind made from a quota, with its share when the quota is a percentage.
#[derive(Debug, Clone)]
pub struct PercentQuota {
    pub percent: f64,
    pub level: Level,
}

/// The percentage quota of an award kind, when it has one.
pub fn percent_of(c: &mut dyn Conn, kind_id: i64) -> Result<Option<PercentQuota>> {
    let Some(r) = c.query_opt(
        "SELECT quota_percent, quota_level FROM award_kinds WHERE id = ? AND quota_percent IS NOT NULL",
        vals![kind_id],
    )?
    else {
        return Ok(None);
    };
    Ok(Some(PercentQuota {
        percent: r.f64(0)?,
        level: Level::parse(&r.opt_text(1)?.unwrap_or_default()).unwrap_or(Level::County),
    }))
}

/// A percentage quota as places for the holder (the nominating branch's town, or the whole
/// kind's organisation) now: the share of its members (an award to members) or branches (to
/// organisations), read from one roll-up row.
pub fn places(c: &mut dyn Conn, holder: &Org, subject: AwardSubject, percent: f64) -> Result<u32> {
    let metric = match subject {
        AwardSubject::Org => rollup::BRANCHES,
        _ => rollup::MEMBERS,
    };
    let base = rollup::get(c, holder.id, metric, "")?.1;
    Ok(percent_quota(percent, base))
}
