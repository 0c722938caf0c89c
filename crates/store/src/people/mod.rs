//! Organisation and people: the tree, members, accounts and the household register.

pub mod accounts;
pub mod households;
pub mod members;
pub mod orgs;
pub mod public_slugs;
