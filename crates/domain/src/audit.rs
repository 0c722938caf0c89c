//! The audit log's hash chain: each entry carries the hash of the one before, so altering or
//! removing any row breaks every hash after it.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Hash of the (empty) entry before the first one.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One write, as appended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub org_id: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub before: String,
    pub after: String,
    pub prev_hash: String,
    pub hash: String,
}

fn field(h: &mut Sha256, s: &str) {
    h.update((s.len() as u64).to_be_bytes());
    h.update(s.as_bytes());
}

fn opt(h: &mut Sha256, v: Option<i64>) {
    match v {
        Some(v) => field(h, &v.to_string()),
        None => field(h, ""),
    }
}

/// The hash an entry must carry, given the previous entry's hash. Each field is length-prefixed
/// so no two different entries serialise alike.
pub fn entry_hash(e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    field(&mut h, &e.prev_hash);
    field(&mut h, &e.seq.to_string());
    field(&mut h, &e.at);
    opt(&mut h, e.actor_id);
    field(&mut h, &e.actor_name);
    opt(&mut h, e.org_id);
    field(&mut h, &e.action);
    field(&mut h, &e.entity);
    opt(&mut h, e.entity_id);
    field(&mut h, &e.before);
    field(&mut h, &e.after);
    hex::encode(h.finalize())
}

/// Where the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("第{seq}条记录之前缺少记录（期望序号{expected}）")]
    Gap { seq: i64, expected: i64 },
    #[error("第{seq}条记录的前序哈希与上一条不符（记录被删除或改动）")]
    PrevMismatch { seq: i64 },
    #[error("第{seq}条记录的内容与其哈希不符（记录被改动）")]
    HashMismatch { seq: i64 },
    #[error("日志末尾与记录的链头（第{head_seq}条）不符（末尾记录被删除或改动）")]
    HeadMismatch { head_seq: i64 },
}

/// Incremental verifier: feed entries in sequence order.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
    pub checked: i64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            expected_seq: 1,
            prev_hash: GENESIS.to_string(),
            checked: 0,
        }
    }
}

impl ChainVerifier {
    pub fn feed(&mut self, e: &AuditEntry) -> Result<(), ChainError> {
        if e.seq != self.expected_seq {
            return Err(ChainError::Gap {
                seq: e.seq,
                expected: self.expected_seq,
            });
        }
        if e.prev_hash != self.prev_hash {
            return Err(ChainError::PrevMismatch { seq: e.seq });
        }
        if entry_hash(e) != e.hash {
            return Err(ChainError::HashMismatch { seq: e.seq });
        }
        self.prev_hash = e.hash.clone();
        self.expected_seq += 1;
        self.checked += 1;
        Ok(())
    }

    /// Checks the end of the chain against the separately stored head (last seq and hash).
    pub fn finish(&self, head: Option<(i64, String)>) -> Result<(), ChainError> {
        match head {
            None if self.checked == 0 => Ok(()),
            Some((seq, hash)) if seq == self.expected_seq - 1 && hash == self.prev_hash => Ok(()),
            Some((seq, _)) => Err(ChainError::HeadMismatch { head_seq: seq }),
            None => Err(ChainError::HeadMismatch { head_seq: 0 }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut e = AuditEntry {
                    seq,
                    at: "2026-11-22T08:00:00+08:00".into(),
                    actor_id: Some(1),
                    actor_name: "县级管理员".into(),
                    org_id: Some(seq),
                    action: "member.create".into(),
                    entity: "member".into(),
                    entity_id: Some(seq),
                    before: String::new(),
                    after: format!("{{\"name\":\"党员{seq}\"}}"),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = entry_hash(&e);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn verify(entries: &[AuditEntry], head: Option<(i64, String)>) -> Result<(), ChainError> {
        let mut v = ChainVerifier::default();
        for e in entries {
            v.feed(e)?;
        }
        v.finish(head)
    }

    fn head(entries: &[AuditEntry]) -> Option<(i64, String)> {
        entries.last().map(|e| (e.seq, e.hash.clone()))
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        assert_eq!(verify(&c, head(&c)), Ok(()));
    }

    #[test]
    fn altered_field_is_named_by_seq() {
        let mut c = chain(5);
        let h = head(&c);
        c[2].after = "{\"name\":\"篡改\"}".into();
        assert_eq!(verify(&c, h), Err(ChainError::HashMismatch { seq: 3 }));
    }

    #[test]
    fn deleted_middle_row_is_a_gap_and_deleted_tail_breaks_the_head() {
        let c = chain(5);
        let h = head(&c);
        let mut mid = c.clone();
        mid.remove(1);
        assert_eq!(
            verify(&mid, h.clone()),
            Err(ChainError::Gap {
                seq: 3,
                expected: 2
            })
        );
        let mut tail = c.clone();
        tail.pop();
        assert_eq!(
            verify(&tail, h),
            Err(ChainError::HeadMismatch { head_seq: 5 })
        );
    }

    proptest! {
        #[test]
        fn any_single_change_is_detected(n in 1i64..20, idx in 0usize..20, text in "[a-z]{1,5}") {
            let mut c = chain(n);
            let h = head(&c);
            let i = idx % c.len();
            c[i].before.push_str(&text);
            prop_assert!(verify(&c, h).is_err());
        }
    }
}
