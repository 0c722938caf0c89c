//! Shared by the refusal tests: a fingerprint of the whole database, taken before and after a
//! refused write. Every table is listed from the catalogue (so a table added later is covered
//! without touching this file) and fingerprinted by its row count and a digest of its rows;
//! the audit log's head (sequence and hash) is kept beside them. A refusal must leave all of
//! it exactly as it was — an UPDATE that slipped through shows as much as an INSERT.

#![allow(dead_code)]

use xianfeng_store::testing::TestStore;
use xianfeng_store::{Conn, StoreError};

pub use xianfeng_store::testing::{differences, snapshot, Snapshot};

/// Panics naming every table that differs.
#[track_caller]
pub fn assert_unchanged(s: &TestStore, before: &Snapshot, after: &Snapshot, what: &str) {
    assert!(
        before.tables.len() > 30,
        "{}: only {} tables listed",
        s.name,
        before.tables.len()
    );
    let diff = differences(before, after);
    assert!(
        diff.is_empty(),
        "{}: the refused write “{what}” changed the database:\n{}",
        s.name,
        diff.join("\n")
    );
}

/// Runs `f` in a write transaction, expects a refusal, and proves nothing changed: every
/// table's rows and the audit log are as they were. Returns the refusal for its kind.
#[track_caller]
pub fn refuse<T: std::fmt::Debug>(
    s: &TestStore,
    f: impl FnOnce(&mut dyn Conn) -> xianfeng_store::Result<T>,
) -> StoreError {
    let before = snapshot(s);
    let result = s.write(f);
    let after = snapshot(s);
    let e = match result {
        Ok(v) => panic!(
            "{}: expected a refusal, got Ok({v:?}), which changed:\n{}",
            s.name,
            differences(&before, &after).join("\n")
        ),
        Err(e) => e,
    };
    assert_unchanged(s, &before, &after, &e.to_string());
    e
}

/// A refusal of bad input (422) whose message contains `needle`.
#[track_caller]
pub fn invalid(e: StoreError, needle: &str) {
    match &e {
        StoreError::Invalid(_) if e.to_string().contains(needle) => {}
        _ => panic!("expected Invalid containing “{needle}”, got {e:?} ({e})"),
    }
}

/// A refusal by a rule of the data (409) whose message contains `needle`.
#[track_caller]
pub fn conflict(e: StoreError, needle: &str) {
    match &e {
        StoreError::Conflict(m) if m.contains(needle) => {}
        _ => panic!("expected Conflict containing “{needle}”, got {e:?} ({e})"),
    }
}

/// A refusal because `what` does not exist (404).
#[track_caller]
pub fn not_found(e: StoreError, what: &str) {
    match &e {
        StoreError::NotFound(w) if *w == what => {}
        _ => panic!("expected NotFound(“{what}”), got {e:?} ({e})"),
    }
}

/// An actor of `role` scoped at `at`.
pub fn actor(
    at: &xianfeng_domain::org::Org,
    role: xianfeng_domain::auth::Role,
) -> xianfeng_domain::auth::Actor {
    xianfeng_domain::auth::Actor {
        role,
        scope_org_id: at.id,
        scope_path: at.path.clone(),
        display_name: format!("{}经办人", at.name),
        ..xianfeng_store::testing::admin(at)
    }
}
