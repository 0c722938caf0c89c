//! What every public page (no account: the boards, the commitment report, the notice board,
//! the points card) shares, so each rule is applied in one place:
//!
//! - `Names`: how a person's name shows (the rule `public_name_mask`, `text::mask_name`);
//! - `Paging`: at most `public_page_size` (≤ 50) items a page, with previous and next links;
//! - `org_at`: the organisation a public address names (its slug, or its id while
//!   `public_by_id` allows it);
//! - `cacheable` / `private`: pages without personal data may be cached for a minute; pages
//!   with it (a card, a refused form with what was typed) never.

use axum::http::{header, HeaderValue};
use axum::response::Response;
use xianfeng_domain::org::{is_public_slug, Org};
use xianfeng_domain::rules::Rules;
use xianfeng_domain::text::{mask_name, NameMask};
use xianfeng_store::people::{orgs, public_slugs};
use xianfeng_store::points::HOUSEHOLD;
use xianfeng_store::Conn;

use crate::AppError;

/// The query of a public page.
#[derive(serde::Deserialize, Default)]
pub struct PublicQuery {
    /// Leaderboard period: month (default), quarter or year.
    #[serde(default)]
    pub period: String,
    /// Commitment report half-year (`2026H1`).
    #[serde(default)]
    pub half: String,
    /// Page of a list (from 1).
    #[serde(default)]
    pub page: String,
    /// The notice a redirect after a public form carried (there is no session to read it).
    #[serde(default)]
    pub ok: String,
}

/// How names show on public pages: built from the rules once per request.
#[derive(Debug, Clone, Copy)]
pub struct Names(NameMask);

impl Names {
    pub fn of(rules: &Rules) -> Names {
        Names(NameMask::from_rule(rules.public_name_mask))
    }

    /// A person's name.
    pub fn person(&self, name: &str) -> String {
        mask_name(name, self.0)
    }

    /// A points account's name: a person's, or a household's named after its head (王建国户).
    pub fn account(&self, kind: &str, name: &str) -> String {
        match name.strip_suffix('户') {
            Some(head) if kind == HOUSEHOLD => format!("{}户", self.person(head)),
            _ => self.person(name),
        }
    }

    /// The people of a household on its card, each `(name, relation)`: masked, told apart by
    /// their relation to the head (户主, 配偶 …) and, where that is not enough, by a number, so
    /// the claim form can still name one of them.
    pub fn household(&self, people: &[(String, String)]) -> Vec<String> {
        let mut shown: Vec<String> = people
            .iter()
            .map(|(name, relation)| {
                let n = self.person(name);
                if relation.trim().is_empty() {
                    n
                } else {
                    format!("{n}（{}）", relation.trim())
                }
            })
            .collect();
        let same: Vec<String> = shown.clone();
        for (i, s) in shown.iter_mut().enumerate() {
            if same.iter().filter(|x| *x == s).count() > 1 {
                let nth = same[..=i].iter().filter(|x| *x == s).count();
                s.push_str(&format!("·{nth}"));
            }
        }
        shown
    }

    /// A nominee on the notice board (评选表彰公示) is named in full under every rule: a 公示
    /// exists so that people who know the nominee can object, which a masked name defeats.
    /// Only the nominee's name and the recommending organisation are shown; objectors' names
    /// and contacts never are.
    pub fn nominee(&self, name: &str) -> String {
        name.to_string()
    }
}

/// The largest page a public list has, whatever the rule says.
pub const MAX_PAGE_SIZE: i64 = 50;
/// The furthest page a public list goes to (further pages are empty, not an error).
const MAX_PAGE: i64 = 100_000;

/// One page of a public list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Paging {
    /// From 1.
    pub page: i64,
    pub size: i64,
    /// Whether a next page has items (set by `trim`).
    pub more: bool,
}

impl Paging {
    /// The page asked for (`?page=`, from 1; anything else is the first) of the rule's size.
    pub fn new(page: &str, rules: &Rules) -> Paging {
        Paging {
            page: page.trim().parse::<i64>().unwrap_or(1).clamp(1, MAX_PAGE),
            size: rules.public_page_size.clamp(1, MAX_PAGE_SIZE),
            more: false,
        }
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1) * self.size
    }

    /// How many items to read: one more than the page, to know whether there is a next.
    pub fn fetch(&self) -> i64 {
        self.size + 1
    }

    /// The page's items out of at most `fetch()` read from `offset()` on; notes whether more
    /// follow.
    pub fn trim<T>(&mut self, mut items: Vec<T>) -> Vec<T> {
        if items.len() as i64 > self.size {
            self.more = true;
            items.truncate(self.size as usize);
        }
        items
    }

    /// The page's slice of a list held whole (a level of the tree), noting whether more follow.
    pub fn slice<T>(&mut self, items: Vec<T>) -> Vec<T> {
        let from = self.offset() as usize;
        if items.len() > from + self.size as usize {
            self.more = true;
        }
        items
            .into_iter()
            .skip(from)
            .take(self.size as usize)
            .collect()
    }

    pub fn prev(&self) -> Option<i64> {
        (self.page > 1).then_some(self.page - 1)
    }

    pub fn next(&self) -> Option<i64> {
        self.more.then_some(self.page + 1)
    }
}

/// The active organisation a public address names: its public slug, or its id while the rule
/// `public_by_id` allows it. Anything else is `None` (the page answers 404).
pub fn org_at(c: &mut dyn Conn, key: &str, rules: &Rules) -> Result<Option<Org>, AppError> {
    let org = if is_public_slug(key) {
        public_slugs::find(c, key)?
    } else if rules.public_by_id == 1 {
        match key.parse::<i64>() {
            Ok(id) => orgs::get(c, id)?,
            Err(_) => None,
        }
    } else {
        None
    };
    Ok(org.filter(|o| o.dissolved_on.is_none()))
}

/// Seconds a public page without personal data may be kept by browsers and proxies.
const CACHE_SECONDS: &str = "public, max-age=60";

/// A public page without personal data (names masked): cacheable for a minute.
pub fn cacheable(mut r: Response) -> Response {
    if r.status().is_success() {
        r.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static(CACHE_SECONDS),
        );
    } else {
        r = private(r);
    }
    r
}

/// A public page with personal data (a card, a form's typed input): never stored.
pub fn private(mut r: Response) -> Response {
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_household_of_one_surname_can_still_be_told_apart() {
        let names = Names::of(&Rules::default());
        let people = [
            ("王建国".to_string(), "户主".to_string()),
            ("王建民".to_string(), "子女".to_string()),
            ("王小红".to_string(), "子女".to_string()),
            ("李秀英".to_string(), String::new()),
        ];
        assert_eq!(
            names.household(&people),
            ["王*（户主）", "王*（子女）·1", "王*（子女）·2", "李*"]
        );
        assert_eq!(names.account(HOUSEHOLD, "王建国户"), "王*户");
        assert_eq!(names.account("person", "王建国"), "王*");
    }

    #[test]
    fn pages_hold_at_most_fifty_and_say_whether_more_follow() {
        // A stored value from before the cap.
        let rules = Rules {
            public_page_size: 500,
            ..Rules::default()
        };
        let mut p = Paging::new("2", &rules);
        assert_eq!((p.size, p.offset(), p.fetch()), (50, 50, 51));
        let items = p.trim((0..51).collect::<Vec<_>>());
        assert_eq!(items.len(), 50);
        assert_eq!((p.prev(), p.next()), (Some(1), Some(3)));
        let mut first = Paging::new("x", &rules);
        assert_eq!(first.page, 1);
        assert_eq!(first.slice((0..30).collect::<Vec<_>>()).len(), 30);
        assert_eq!((first.prev(), first.next()), (None, None));
        assert_eq!(Paging::new("-3", &rules).page, 1);
        assert_eq!(Paging::new("99999999999", &rules).page, MAX_PAGE);
    }
}
