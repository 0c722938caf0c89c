//! 待办: each role's first page, the items of every to-do source (`store::todo`), most urgent
//! first, each linking to the page that clears it; and 更多, every menu entry of the role
//! (the phone's bottom bar shows only four).

use askama::Template;
use axum::extract::State;
use axum::response::Response;
use xianfeng_domain::todo::{Item, Kind};

use super::{read, render, Ctx};
use crate::session::Session;
use crate::{AppError, AppState};

/// How many items each source shows; the rest are counted and reached from the kind's page.
const PER_SOURCE: i64 = 20;

/// One line as drawn.
pub struct Line {
    pub kind: &'static str,
    pub what: String,
    pub org: String,
    pub urgency: String,
    pub colour: &'static str,
    pub href: String,
}

#[derive(Template)]
#[template(path = "todo/page.html")]
struct Page {
    ctx: Ctx,
    lines: Vec<Line>,
    counts: Vec<(&'static str, i64)>,
    total: i64,
    /// Items counted but not listed (beyond each source's limit).
    hidden: i64,
}

fn line(item: Item, today: chrono::NaiveDate) -> Line {
    let u = item.urgency(today);
    Line {
        kind: item.kind.label(),
        what: item.what,
        org: item.org,
        urgency: u.label(),
        colour: u.colour(7),
        href: item.href,
    }
}

pub async fn page(State(state): State<AppState>, s: Session) -> Result<Response, AppError> {
    let actor = s.actor.clone();
    let today = xianfeng_domain::date::today();
    let todo = read(&state, move |c| {
        Ok(xianfeng_store::todo::list(c, &actor, today, PER_SOURCE)?)
    })
    .await?;
    let hidden = todo.total - todo.items.len() as i64;
    let counts = Kind::ALL
        .iter()
        .filter_map(|k| {
            todo.counts
                .iter()
                .find(|(x, _)| x == k)
                .map(|(_, n)| (k.label(), *n))
        })
        .collect();
    let mut ctx = Ctx::new(&s, "todo");
    // the list just read is the freshest count
    ctx.todo_count = Some(todo.total);
    render(&Page {
        ctx,
        total: todo.total,
        hidden,
        counts,
        lines: todo.items.into_iter().map(|i| line(i, today)).collect(),
    })
}

#[derive(Template)]
#[template(path = "todo/more.html")]
struct More {
    ctx: Ctx,
}

pub async fn more(s: Session) -> Result<Response, AppError> {
    render(&More {
        ctx: Ctx::new(&s, "more"),
    })
}
