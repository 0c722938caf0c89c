//! Leader reviews (领导点评): a town or county leader's written review of a branch below them,
//! which counts toward the quarterly `领导点评` cadence rule.

use serde_json::json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::cadence::LEADER_REVIEW;
use xianfeng_domain::life::LeaderReviewInput;
use xianfeng_domain::org::Org;
use xianfeng_domain::{path, Invalid};

use crate::audit::{self, Record};
use crate::db::Conn;
use crate::{engines::cadence, now_text, vals, Result};

#[derive(Debug, Clone)]
pub struct LeaderReview {
    pub org_id: i64,
    pub org_name: String,
    pub reviewer: String,
    pub day: String,
    pub content: String,
}

/// Records a review of `org` by a level above it.
pub fn add(
    c: &mut dyn Conn,
    actor: &Actor,
    org: &Org,
    reviewer: &str,
    day: &str,
    content: &str,
) -> Result<()> {
    if !actor.can_inspect(&org.path) {
        return Err(Invalid::one("org", "被点评组织", "只有上级党组织能点评本级以下的组织").into());
    }
    let draft = LeaderReviewInput {
        reviewer: reviewer.into(),
        day: day.into(),
        content: content.into(),
    }
    .validate(xianfeng_domain::date::today())?;
    let (reviewer, day, content) = (draft.reviewer, draft.day, draft.content);
    c.execute(
        "INSERT INTO leader_reviews (org_id, org_path, reviewer, day, content, recorded_by, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        vals![org.id, org.path.as_str(), reviewer.as_str(), day.to_string(), content.as_str(), actor.account_id, now_text()],
    )?;
    cadence::record(c, org, LEADER_REVIEW, day, 1)?;
    audit::append(
        c,
        Record {
            actor: Some(actor),
            org_id: Some(org.id),
            action: "leader_review.add",
            entity: "org",
            entity_id: Some(org.id),
            before: json!(null),
            after: json!({"reviewer": reviewer, "day": day, "content": content}),
        },
    )?;
    Ok(())
}

pub fn list(c: &mut dyn Conn, scope: &str, limit: i64) -> Result<Vec<LeaderReview>> {
    c
        .query(
            "SELECT l.org_id, o.name, l.reviewer, l.day, l.content FROM leader_reviews l JOIN orgs o ON o.id = l.org_id
             WHERE l.org_path >= ? AND l.org_path < ? ORDER BY l.day DESC, l.id DESC LIMIT ?",
            vals![scope, path::upper(scope), limit],
        )?
        .iter()
        .map(|r| Ok(LeaderReview {
            org_id: r.i64(0)?,
            org_name: r.text(1)?,
            reviewer: r.text(2)?,
            day: r.text(3)?,
            content: r.text(4)?,
        }))
        .collect::<Result<_>>()
}
