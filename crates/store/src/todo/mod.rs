//! 待办: what the signed-in person must do now, read from the engines. Each source is one small
//! function over a BOUNDED read scoped to the actor's subtree (an indexed range on the path, a
//! status, a LIMIT): it returns how many items it has and at most `limit` of them. The page
//! asks every source for a few items; the navigation asks only for the counts (`limit` 0).
//!
//! A new engine adds one function to `SOURCES` (and, if it needs one, a kind to
//! `domain::todo::Kind`); nothing else changes.

mod campaigns;
mod life;
mod points;
mod recognition;
mod supervision;

use chrono::NaiveDate;
use xianfeng_domain::auth::Actor;
use xianfeng_domain::org::Org;
use xianfeng_domain::todo::{sort, Item, Kind};

use crate::db::Conn;
use crate::{people::orgs, Result};

/// Who asks, over which organisation, on which day.
pub struct Ask<'a> {
    pub actor: &'a Actor,
    /// The actor's scope organisation.
    pub scope: &'a Org,
    pub today: NaiveDate,
}

impl Ask<'_> {
    /// The path range of the actor's subtree, for `org_path >= ? AND org_path < ?`.
    fn range(&self) -> (String, String) {
        (
            self.scope.path.clone(),
            xianfeng_domain::path::upper(&self.scope.path),
        )
    }
}

/// What one source found: how many items of each kind in all, and at most `limit` of them.
#[derive(Debug, Default)]
pub struct Found {
    pub counts: Vec<(Kind, i64)>,
    pub items: Vec<Item>,
}

impl Found {
    /// Adds `count` items of `kind`, of which `items` are shown.
    fn add(&mut self, kind: Kind, count: i64, items: Vec<Item>) {
        if count > 0 {
            self.counts.push((kind, count));
        }
        self.items.extend(items);
    }

    /// Adds items all read (a short list computed from rules), keeping `limit` of them.
    fn add_all(&mut self, kind: Kind, items: Vec<Item>, limit: i64) {
        let count = items.len() as i64;
        self.add(
            kind,
            count,
            items.into_iter().take(limit.max(0) as usize).collect(),
        );
    }

    pub fn total(&self) -> i64 {
        self.counts.iter().map(|(_, n)| n).sum()
    }
}

/// A source of to-do items: reads at most `limit` items (none when 0) and counts them all.
pub type Source = fn(&mut dyn Conn, &Ask<'_>, i64) -> Result<Found>;

/// Every source, in the order their kinds are listed when equally urgent.
pub const SOURCES: &[Source] = &[
    life::meetings_due,
    life::check_ins,
    points::claims,
    recognition::commitments,
    supervision::problems,
    recognition::workflow,
    recognition::rounds,
    recognition::my_commitments,
    points::my_claims,
    campaigns::reports_due,
    campaigns::acceptances,
    campaigns::cadences_due,
];

/// The to-do list: the most urgent first, at most `per_source` items from each source, and
/// each kind's full count.
#[derive(Debug, Default)]
pub struct Todo {
    pub items: Vec<Item>,
    pub counts: Vec<(Kind, i64)>,
    pub total: i64,
}

pub fn list(c: &mut dyn Conn, actor: &Actor, today: NaiveDate, per_source: i64) -> Result<Todo> {
    let scope = orgs::require(c, actor.scope_org_id)?;
    let ask = Ask {
        actor,
        scope: &scope,
        today,
    };
    let mut todo = Todo::default();
    for source in SOURCES {
        let found = source(c, &ask, per_source)?;
        todo.total += found.total();
        for (kind, n) in found.counts {
            match todo.counts.iter_mut().find(|(k, _)| *k == kind) {
                Some((_, total)) => *total += n,
                None => todo.counts.push((kind, n)),
            }
        }
        todo.items.extend(found.items);
    }
    sort(&mut todo.items, today);
    Ok(todo)
}

/// How many items are open, for the navigation: counts only.
pub fn count(c: &mut dyn Conn, actor: &Actor, today: NaiveDate) -> Result<i64> {
    let scope = orgs::require(c, actor.scope_org_id)?;
    let ask = Ask {
        actor,
        scope: &scope,
        today,
    };
    let mut total = 0;
    for source in SOURCES {
        total += source(c, &ask, 0)?.total();
    }
    Ok(total)
}

/// `s` percent-encoded for a query string value in a link.
fn query_value(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
