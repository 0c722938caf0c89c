//! The monthly bulletin (月通报) of a subtree: summary numbers, ranking of the organisations
//! directly below, overdue tasks, open problems and commended organisations. One gathering
//! feeds the print page, the .docx and the .xlsx, so they always say the same thing.

use chrono::NaiveDate;
use xianfeng_domain::cadence::Period;
use xianfeng_domain::campaign::TaskStatus;
use xianfeng_domain::org::Org;
use xianfeng_domain::path;

use crate::campaigns::measures::Title;
use crate::campaigns::supervision::{self, Filter, Problem};
use crate::campaigns::{self, Share};
use crate::db::Conn;
use crate::life::compliance::{self, Summary};
use crate::{vals, Result};

/// One campaign's part of the bulletin.
#[derive(Debug, Clone)]
pub struct CampaignPart {
    pub title: String,
    pub overall: Share,
    pub ranking: Vec<(String, Share)>,
    pub overdue: Vec<campaigns::Standing>,
}

#[derive(Debug, Clone)]
pub struct Bulletin {
    pub org: Org,
    pub month: Period,
    pub title: String,
    /// Organisational life this month: each rule's done / bound.
    pub life: Vec<Summary>,
    pub inspections: i64,
    pub problems_raised: i64,
    pub problems_closed: i64,
    pub campaigns: Vec<CampaignPart>,
    pub open_problems: Vec<Problem>,
    pub overdue_problems: i64,
    pub commended: Vec<Title>,
}

/// `2026-11` → the month; anything else is refused by the caller.
pub fn parse_month(s: &str) -> Option<Period> {
    match Period::parse_key(s.trim()) {
        Some(p) if p.frequency == xianfeng_domain::cadence::Frequency::Monthly => Some(p),
        _ => None,
    }
}

/// Gathers the bulletin of `org`'s subtree for `month`, as things stand at the end of the
/// month (or today, for the current month).
pub fn gather(c: &mut dyn Conn, org: &Org, month: Period, today: NaiveDate) -> Result<Bulletin> {
    let asof = month.end.min(today);
    let (from, to) = (month.start.to_string(), month.end.to_string());
    let (lo, hi) = (org.path.clone(), path::upper(&org.path));
    let life = compliance::summary(c, org, month.start)?
        .into_iter()
        .filter(|s| s.bound > 0 && s.period.start >= month.start && s.period.end <= month.end)
        .collect();
    let inspections = c.scalar(
        "SELECT COUNT(*) FROM inspections WHERE target_path >= ? AND target_path < ? AND held_on >= ? AND held_on <= ?",
        vals![lo.as_str(), hi.as_str(), from.as_str(), to.as_str()],
    )?;
    let problems_raised = c.scalar(
        "SELECT COUNT(*) FROM problems WHERE org_path >= ? AND org_path < ? AND found_on >= ? AND found_on <= ?",
        vals![lo.as_str(), hi.as_str(), from.as_str(), to.as_str()],
    )?;
    let problems_closed = c.scalar(
        "SELECT COUNT(*) FROM problems WHERE org_path >= ? AND org_path < ? AND closed_on >= ? AND closed_on <= ?",
        vals![lo.as_str(), hi.as_str(), from.as_str(), to.as_str()],
    )?;
    let mut parts = Vec::new();
    let year = i64::from(chrono::Datelike::year(&month.start));
    for camp in campaigns::visible(c, &org.path)?
        .into_iter()
        .filter(|x| x.year == year)
        .take(3)
    {
        let tasks = campaigns::tasks(c, camp.id)?;
        let root = if path::within(&org.path, &camp.org_path) {
            org.clone()
        } else {
            crate::people::orgs::require(c, camp.org_id)?
        };
        let cats = campaigns::categories(c, &tasks, &root)?;
        let overall = Share {
            label: camp.title.clone(),
            done: cats.iter().map(|s| s.done).sum(),
            assigned: cats.iter().map(|s| s.assigned).sum(),
        };
        let ranking = campaigns::ranking(c, &tasks, &root)?
            .into_iter()
            .map(|(o, s)| (o.name, s))
            .collect();
        let overdue = campaigns::standings(c, camp.id, &tasks, &org.path, asof, 2000)?
            .into_iter()
            .filter(|s| s.status == TaskStatus::Overdue)
            .take(50)
            .collect();
        parts.push(CampaignPart {
            title: camp.title,
            overall,
            ranking,
            overdue,
        });
    }
    let open_problems = supervision::problems(c, &org.path, Filter::Unclosed, asof, 50)?;
    let overdue_problems = supervision::counts(c, org, asof)?.overdue;
    let commended = crate::campaigns::measures::titles(c, &org.path, 2000)?
        .into_iter()
        .filter(|t| t.granted_on.as_str() >= from.as_str() && t.granted_on.as_str() <= to.as_str())
        .take(100)
        .collect();
    Ok(Bulletin {
        title: format!("{}{}党建工作通报", org.name, month.label()),
        org: org.clone(),
        month,
        life,
        inspections,
        problems_raised,
        problems_closed,
        campaigns: parts,
        open_problems,
        overdue_problems,
        commended,
    })
}

impl Bulletin {
    /// One sentence per rule: `主题党日：已完成 95/120（79%）`.
    pub fn life_lines(&self) -> Vec<String> {
        self.life
            .iter()
            .map(|s| {
                format!(
                    "{}：{}/{}个组织已完成（{}%）",
                    s.rule.activity,
                    s.done,
                    s.bound,
                    s.pct()
                )
            })
            .collect()
    }
}

/// A bulletin issued (印发) for a month.
#[derive(Debug, Clone)]
pub struct Issued {
    pub id: i64,
    pub month: String,
    pub title: String,
    pub issued_at: String,
}

/// Issues `org`'s bulletin for `month`: recorded once per month, and counted as the month's
/// 月通报 of the organisation (a campaign's 月通报 rule follows). Only the organisation's own
/// town or county administrators issue it; not for a month that has not begun.
pub fn issue(
    c: &mut dyn Conn,
    actor: &xianfeng_domain::auth::Actor,
    org: &Org,
    month: Period,
    today: NaiveDate,
) -> Result<i64> {
    if !actor.can_manage_town(&org.path) {
        return Err(xianfeng_domain::Invalid::one(
            "month",
            "月通报",
            "只有乡镇（街道）或县级管理员能印发本级通报",
        )
        .into());
    }
    if month.frequency != xianfeng_domain::cadence::Frequency::Monthly {
        return Err(xianfeng_domain::Invalid::one("month", "月份", "格式应为 2026-11").into());
    }
    if month.start > today {
        return Err(xianfeng_domain::Invalid::one(
            "month",
            "月份",
            format!("{}还没有开始", month.label()),
        )
        .into());
    }
    if c.query_opt(
        "SELECT 1 FROM bulletins WHERE org_id = ? AND month = ?",
        vals![org.id, month.key()],
    )?
    .is_some()
    {
        return Err(crate::StoreError::Conflict(format!(
            "{}的通报已经印发，不能重复印发",
            month.label()
        )));
    }
    let title = format!("{}{}党建工作通报", org.name, month.label());
    let id = c.scalar(
        "INSERT INTO bulletins (org_id, org_path, month, title, issued_by, issued_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
        vals![org.id, org.path.as_str(), month.key(), title.as_str(), actor.account_id, crate::now_text()],
    )?;
    crate::engines::cadence::record(
        c,
        org,
        xianfeng_domain::plan_rules::BULLETIN,
        month.end.min(today),
        1,
    )?;
    crate::audit::append(
        c,
        crate::audit::Record {
            actor: Some(actor),
            org_id: Some(org.id),
            action: "bulletin.issue",
            entity: "bulletin",
            entity_id: Some(id),
            before: serde_json::json!(null),
            after: serde_json::json!({"month": month.key(), "title": title}),
        },
    )?;
    Ok(id)
}

/// The bulletins `org` has issued, latest month first.
pub fn issued(c: &mut dyn Conn, org_id: i64, limit: i64) -> Result<Vec<Issued>> {
    c.query(
        "SELECT id, month, title, issued_at FROM bulletins WHERE org_id = ? ORDER BY month DESC LIMIT ?",
        vals![org_id, limit],
    )?
    .iter()
    .map(|r| {
        Ok(Issued {
            id: r.i64(0)?,
            month: r.text(1)?,
            title: r.text(2)?,
            issued_at: r.text(3)?,
        })
    })
    .collect()
}
