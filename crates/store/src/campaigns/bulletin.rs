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
