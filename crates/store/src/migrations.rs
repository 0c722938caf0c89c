//! What a migration may carry besides its SQL: a Rust hook.
//!
//! Each backend keeps its own SQL list (`sqlite::MIGRATIONS`, `postgres::MIGRATIONS`: the same
//! versions in the same order, built into the same schema, as `tests/schema_parity.rs`
//! checks). Some versions also need work that is Rust rather than SQL — recomputing the
//! roll-ups from the records, say. That work is a hook, listed here once for both backends.
//!
//! A hook runs in the transaction that applies its version, right after that version's SQL
//! and before the version is recorded, so SQL, hook and record commit together or not at all.
//! It runs exactly once per database: a store that already has the version never runs it,
//! and a fresh store runs it on its (empty) tables like any other.
//!
//! A hook sees the schema as of its own version: later migrations have not run yet. It may
//! use only tables and columns that its version and the earlier ones created; when a later
//! migration changes what a hook reads, the hook must be changed to match.

use crate::{engines, Conn, Result};

/// Work one migration does in Rust, inside the migration's transaction.
pub type Hook = fn(&mut dyn Conn) -> Result<()>;

/// The hooks of this release, by version (at most one per version).
pub const HOOKS: &[(i64, Hook)] = &[
    // Version 5 came with structural metrics (towns, village branches), and version 9 stores
    // organisations' kinds and members' status as codes: the roll-ups are recounted from the
    // records once, after both, for every store made before version 9.
    (9, engines::rollup::rebuild),
    // Version 11 added public addresses: give one to every organisation already there.
    (11, crate::people::public_slugs::backfill),
];

/// Runs the hook of `version` in `hooks`, if it has one.
pub fn run_hook(c: &mut dyn Conn, hooks: &[(i64, Hook)], version: i64) -> Result<()> {
    match hooks.iter().find(|(v, _)| *v == version) {
        Some((_, hook)) => hook(c),
        None => Ok(()),
    }
}
