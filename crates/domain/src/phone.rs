//! Mainland mobile numbers: 11 digits starting 13–19.

use crate::text::compact;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("应为11位数字")]
    Length,
    #[error("不是有效的大陆手机号段（应以13–19开头）")]
    Prefix,
}

/// Parses a mobile number; `+86`/`86` prefixes, spaces and dashes are accepted.
pub fn parse(input: &str) -> Result<String, PhoneError> {
    let mut s = compact(input);
    if let Some(rest) = s.strip_prefix("+86") {
        s = rest.to_string();
    } else if s.len() == 13 && s.starts_with("86") {
        s = s[2..].to_string();
    }
    if s.len() != 11 || !s.chars().all(|c| c.is_ascii_digit()) {
        return Err(PhoneError::Length);
    }
    let b = s.as_bytes();
    if b[0] != b'1' || !(b'3'..=b'9').contains(&b[1]) {
        return Err(PhoneError::Prefix);
    }
    Ok(s)
}

/// `13800138000` → `138****8000`.
pub fn mask(value: &str) -> String {
    if value.len() != 11 {
        return "*".repeat(value.chars().count());
    }
    format!("{}****{}", &value[..3], &value[7..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_plain_and_prefixed_numbers() {
        assert_eq!(parse("138 0013 8000").unwrap(), "13800138000");
        assert_eq!(parse("+86 13800138000").unwrap(), "13800138000");
        assert_eq!(parse("１３８００１３８０００").unwrap(), "13800138000");
    }

    #[test]
    fn rejects_landlines_and_bad_prefixes() {
        assert_eq!(parse("020-12345678"), Err(PhoneError::Prefix));
        assert_eq!(parse("1380013800"), Err(PhoneError::Length));
        assert_eq!(parse("12800138000"), Err(PhoneError::Prefix));
        assert_eq!(parse("23800138000"), Err(PhoneError::Prefix));
    }

    #[test]
    fn masks_the_middle_four() {
        assert_eq!(mask("13800138000"), "138****8000");
    }

    proptest! {
        #[test]
        fn valid_numbers_round_trip(second in 3u8..10, rest in 0u64..1_000_000_000) {
            let n = format!("1{second}{rest:09}");
            prop_assert_eq!(parse(&n).unwrap(), n);
        }

        #[test]
        fn never_panics(s in ".{0,30}") {
            let _ = parse(&s);
        }
    }
}
