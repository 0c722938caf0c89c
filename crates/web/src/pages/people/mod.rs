//! Organisation and people pages: the tree, members, accounts, the roster.

pub mod accounts;
pub mod members;
pub mod orgs;
pub mod roster_pages;
