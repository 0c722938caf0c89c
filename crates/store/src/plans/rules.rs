//! Publishing the parts of a plan that are not tasks: its cadences become cadence rules of the
//! campaign, its criteria lists evaluation schemes, its quotas award kinds. `apply` is called
//! by `publish` after the tasks are made and again when a published draft updates its campaign,
//! so it adds what is new and never duplicates what exists.

use serde::Serialize;
use serde_json::Value as Json;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::org::Org;

use crate::db::Conn;
use crate::Result;

/// A cadence rule made from the plan (一周一报告 → report, week, 1, 各责任单位).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublishedCadence {
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
// Filled in by the plan-to-work rules branch; until it lands nothing is made.
pub fn apply(
    _c: &mut dyn Conn,
    _actor: &Actor,
    _org: &Org,
    _campaign_id: i64,
    _plan: &Json,
    _year: i32,
) -> Result<PublishedRules> {
    Ok(PublishedRules::default())
}
