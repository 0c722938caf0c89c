//! Campaigns: 定性 tasks the scope still has to report done (or report again after a return),
//! reports waiting for this level's acceptance, and the campaign's own cadence rules
//! (一周一报告、一月一督查、月通报、季评比 …) not yet met this period.

use xianfeng_domain::cadence::{Period, Status};
use xianfeng_domain::campaign::{Review, TaskKind};
use xianfeng_domain::plan_rules::Binds;
use xianfeng_domain::todo::{Item, Kind};

use super::{Ask, Found};
use crate::campaigns::OPEN;
use crate::db::{Conn, Value};
use crate::engines::cadence;
use crate::life::compliance::org_since;
use crate::plans::rules;
use crate::{vals, Result};

/// The most campaigns one organisation's rules are read for; a county runs a handful a year.
const CAMPAIGNS_READ: i64 = 50;

/// 定性 assignments of the scope itself in open campaigns, not yet reported done or returned
/// for another report, soonest due first.
pub fn reports_due(c: &mut dyn Conn, ask: &Ask<'_>, limit: i64) -> Result<Found> {
    let mut found = Found::default();
    if !ask.actor.can_report_task(&ask.scope.path) {
        return Ok(found);
    }
    let kind = TaskKind::Qualitative.label();
    let returned = Review::Returned.label();
    let filter = "FROM assignments a JOIN tasks t ON t.id = a.task_id JOIN campaigns cp ON cp.id = t.campaign_id
         WHERE a.org_id = ? AND cp.status = ? AND t.kind = ? AND t.removed_on IS NULL
           AND a.review IN ('', ?)";
    let count = c.scalar(
        &format!("SELECT COUNT(*) {filter}"),
        vals![ask.scope.id, OPEN, kind, returned],
    )?;
    let mut items = Vec::new();
    if count > 0 && limit > 0 {
        for r in c.query(
            &format!(
                "SELECT a.id, cp.title AS campaign, t.title AS task, t.due_on, a.review, a.review_reason {filter}
                 ORDER BY CASE WHEN t.due_on IS NULL THEN 1 ELSE 0 END, t.due_on, a.id LIMIT ?"
            ),
            vals![ask.scope.id, OPEN, kind, returned, limit],
        )? {
            let again = r.text("review")? == returned;
            items.push(Item {
                kind: Kind::TaskReport,
                what: if again {
                    format!(
                        "《{}》{}：已退回（{}），请重新报送",
                        r.text("campaign")?,
                        r.text("task")?,
                        r.text("review_reason")?
                    )
                } else {
                    format!("《{}》{}：报送完成情况", r.text("campaign")?, r.text("task")?)
                },
                org: ask.scope.name.clone(),
                due: r
                    .opt_text("due_on")?
                    .and_then(|d| xianfeng_domain::date::parse(&d)),
                href: format!("/assignments/{}", r.i64("id")?),
            });
        }
    }
    found.add(Kind::TaskReport, count, items);
    Ok(found)
}

/// 定性 reports waiting for acceptance by this level: those of the organisations directly
/// below the scope, and the scope's own share of a campaign it runs itself. (Any level above
/// may accept — `Actor::can_accept_task` — but the to-do list asks the one right above.)
pub fn acceptances(c: &mut dyn Conn, ask: &Ask<'_>, limit: i64) -> Result<Found> {
    let mut found = Found::default();
    let scope = &ask.scope.path;
    if !ask.actor.can_accept_task(scope, scope) {
        return Ok(found);
    }
    let (lo, hi) = ask.range();
    let pending = Review::Pending.label();
    let filter = "FROM assignments a JOIN tasks t ON t.id = a.task_id JOIN campaigns cp ON cp.id = t.campaign_id
         JOIN orgs o ON o.id = a.org_id
         WHERE a.org_path >= ? AND a.org_path < ? AND a.review = ? AND cp.status = ?
           AND t.removed_on IS NULL AND (o.parent_id = ? OR (a.org_id = ? AND cp.org_id = ?))";
    let id = ask.scope.id;
    let args: Vec<Value> = vals![lo.as_str(), hi.as_str(), pending, OPEN, id, id, id].to_vec();
    let count = c.scalar(&format!("SELECT COUNT(*) {filter}"), &args)?;
    let mut items = Vec::new();
    if count > 0 && limit > 0 {
        let mut params = args.clone();
        params.push(Value::from(limit));
        for r in c.query(
            &format!(
                "SELECT a.id, a.org_path, cp.org_path AS campaign_path, cp.title, t.title AS task, o.name {filter}
                 ORDER BY a.id LIMIT ?"
            ),
            &params,
        )? {
            if !ask
                .actor
                .can_accept_task(&r.text("campaign_path")?, &r.text("org_path")?)
            {
                continue;
            }
            items.push(Item {
                kind: Kind::TaskAccept,
                what: format!(
                    "《{}》{}：已报送完成，待验收",
                    r.text("title")?,
                    r.text("task")?
                ),
                org: r.text("name")?,
                due: None,
                href: format!("/assignments/{}", r.i64("id")?),
            });
        }
    }
    found.add(Kind::TaskAccept, count, items);
    Ok(found)
}

/// The campaign rules binding the scope this period and not yet met: as an assignee (一周一
/// 报告) or as the organisation running the campaign (督查、通报、评比 …). Due at the period's end.
pub fn cadences_due(c: &mut dyn Conn, ask: &Ask<'_>, limit: i64) -> Result<Found> {
    let mut found = Found::default();
    let scope = ask.scope;
    if !ask.actor.can_report_task(&scope.path) {
        return Ok(found);
    }
    let campaigns = c.query(
        "SELECT cp.id, cp.title, cp.org_id FROM campaigns cp
         WHERE cp.status = ? AND (cp.org_id = ? OR EXISTS (
             SELECT 1 FROM assignments a JOIN tasks t ON t.id = a.task_id
             WHERE t.campaign_id = cp.id AND a.org_id = ?))
           AND EXISTS (SELECT 1 FROM campaign_cadences cc WHERE cc.campaign_id = cp.id)
         ORDER BY cp.id DESC LIMIT ?",
        vals![OPEN, scope.id, scope.id, CAMPAIGNS_READ],
    )?;
    let since = org_since(scope);
    let mut items = Vec::new();
    for camp in campaigns {
        let (id, title) = (camp.i64("id")?, camp.text("title")?);
        let runs_it = camp.i64("org_id")? == scope.id;
        for cad in rules::cadences(c, id)? {
            let binds = cad.occurrence.binds();
            let bound = match binds {
                Binds::CampaignOrg => runs_it,
                Binds::Assignees => !runs_it || assigned(c, id, scope.id)?,
            };
            if !bound {
                continue;
            }
            let period = Period::containing(cad.rule.frequency, ask.today);
            let n = cadence::counts_many(
                c,
                &[scope.id],
                &cad.rule.activity,
                &period,
                cad.occurrence.counted_in_subtree(),
            )?
            .get(&scope.id)
            .copied()
            .unwrap_or(0);
            if !matches!(
                cad.rule.status(&period, n, ask.today, since),
                Status::Open | Status::DueSoon
            ) {
                continue;
            }
            items.push(Item {
                kind: Kind::CampaignCadence,
                what: format!("《{title}》{}：{}已{}次", cad.describe(), period.label(), n),
                org: scope.name.clone(),
                due: Some(period.end),
                href: format!("/campaigns/{id}"),
            });
        }
    }
    found.add_all(Kind::CampaignCadence, items, limit);
    Ok(found)
}

fn assigned(c: &mut dyn Conn, campaign_id: i64, org_id: i64) -> Result<bool> {
    Ok(c.scalar(
        "SELECT COUNT(*) FROM assignments a JOIN tasks t ON t.id = a.task_id WHERE t.campaign_id = ? AND a.org_id = ?",
        vals![campaign_id, org_id],
    )? > 0)
}
