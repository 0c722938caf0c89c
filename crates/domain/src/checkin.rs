//! QR check-in tokens: `meeting_id.expires.signature`, signed with a server key (HMAC-SHA256)
//! so a code cannot be forged for another meeting or used after it expires.

use hmac::{Hmac, Mac};
use sha2::Sha256;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CheckinError {
    #[error("签到码格式不正确")]
    Malformed,
    #[error("签到码无效（签名不符）")]
    Forged,
    #[error("签到码已过期")]
    Expired,
}

fn signature(key: &[u8; 32], meeting_id: i64, expires: i64) -> String {
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
    mac.update(format!("checkin:{meeting_id}:{expires}").as_bytes());
    hex::encode(&mac.finalize().into_bytes()[..16])
}

/// A token for `meeting_id`, valid until the Unix time `expires`.
pub fn sign(key: &[u8; 32], meeting_id: i64, expires: i64) -> String {
    format!(
        "{meeting_id}.{expires}.{}",
        signature(key, meeting_id, expires)
    )
}

/// The meeting a token is for, if it is genuine and not expired at `now` (Unix seconds).
pub fn verify(key: &[u8; 32], token: &str, now: i64) -> Result<i64, CheckinError> {
    let mut parts = token.trim().split('.');
    let (Some(id), Some(exp), Some(sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(CheckinError::Malformed);
    };
    let (Ok(id), Ok(exp)) = (id.parse::<i64>(), exp.parse::<i64>()) else {
        return Err(CheckinError::Malformed);
    };
    // Compare in constant time: the MAC crate's verify does this on bytes.
    let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(key).expect("any key length");
    mac.update(format!("checkin:{id}:{exp}").as_bytes());
    let ok = hex::decode(sig)
        .ok()
        .filter(|b| b.len() == 16)
        .is_some_and(|b| mac.verify_truncated_left(&b).is_ok());
    if !ok {
        return Err(CheckinError::Forged);
    }
    if now > exp {
        return Err(CheckinError::Expired);
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const KEY: [u8; 32] = [7; 32];

    #[test]
    fn genuine_token_verifies_until_it_expires() {
        let t = sign(&KEY, 42, 1_000);
        assert_eq!(verify(&KEY, &t, 999), Ok(42));
        assert_eq!(verify(&KEY, &t, 1_000), Ok(42));
        assert_eq!(verify(&KEY, &t, 1_001), Err(CheckinError::Expired));
    }

    #[test]
    fn altered_or_foreign_tokens_are_forged() {
        let t = sign(&KEY, 42, 1_000);
        let other_meeting = t.replacen("42.", "43.", 1);
        assert_eq!(verify(&KEY, &other_meeting, 0), Err(CheckinError::Forged));
        let later = t.replacen(".1000.", ".9999.", 1);
        assert_eq!(verify(&KEY, &later, 0), Err(CheckinError::Forged));
        assert_eq!(verify(&[8; 32], &t, 0), Err(CheckinError::Forged));
        assert_eq!(verify(&KEY, "abc", 0), Err(CheckinError::Malformed));
    }

    proptest! {
        #[test]
        fn verify_never_panics_and_accepts_only_signed(s in "\\PC{0,80}") {
            if let Ok(id) = verify(&KEY, &s, 0) {
                let exp: i64 = s.split('.').nth(1).unwrap().parse().unwrap();
                prop_assert_eq!(sign(&KEY, id, exp), s.trim());
            }
        }
    }
}
