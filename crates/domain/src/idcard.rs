//! 居民身份证号 (GB 11643-1999): 18 characters, the last a check digit; birth date and sex are
//! encoded inside.

use chrono::NaiveDate;

use crate::text::compact;

const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Male,
    Female,
}

impl Sex {
    pub fn label(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }

    /// The stable code stored in the database.
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "male",
            Sex::Female => "female",
        }
    }

    pub fn from_code(s: &str) -> Option<Sex> {
        [Sex::Male, Sex::Female].into_iter().find(|v| v.code() == s)
    }

    pub fn parse(s: &str) -> Option<Sex> {
        match crate::text::normalize(s).as_str() {
            "男" | "男性" | "M" | "m" | "male" => Some(Sex::Male),
            "女" | "女性" | "F" | "f" | "female" => Some(Sex::Female),
            _ => None,
        }
    }
}

/// A valid ID number with what it encodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdNumber {
    pub value: String,
    pub birth_date: NaiveDate,
    pub sex: Sex,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("应为18位")]
    Length,
    #[error("前17位应为数字，最后一位为数字或X")]
    Characters,
    #[error("出生日期部分不是有效日期")]
    BirthDate,
    #[error("校验位不正确")]
    CheckDigit,
}

/// The check character for the first 17 digits.
pub fn check_char(first17: &[u8]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize]
}

/// Parses and validates an ID number typed by a person (spaces, full-width and a lower-case x
/// are accepted).
pub fn parse(input: &str) -> Result<IdNumber, IdError> {
    let value = compact(input).to_uppercase();
    if value.chars().count() != 18 {
        return Err(IdError::Length);
    }
    let bytes = value.as_bytes();
    if !bytes[..17].iter().all(u8::is_ascii_digit)
        || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
    {
        return Err(IdError::Characters);
    }
    let birth = std::str::from_utf8(&bytes[6..14]).map_err(|_| IdError::Characters)?;
    let birth_date = NaiveDate::parse_from_str(birth, "%Y%m%d").map_err(|_| IdError::BirthDate)?;
    if check_char(&bytes[..17]) != bytes[17] as char {
        return Err(IdError::CheckDigit);
    }
    let sex = if (bytes[16] - b'0') % 2 == 1 {
        Sex::Male
    } else {
        Sex::Female
    };
    Ok(IdNumber {
        value,
        birth_date,
        sex,
    })
}

/// `440106199001011234` → `4401**********1234`.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..4].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 8))
}

/// Builds a valid ID number from a region code, birth date and sequence (for demo data and
/// tests): `seq` odd for men, even for women.
pub fn build(region: u32, birth: NaiveDate, seq: u32) -> String {
    let first17 = format!(
        "{:06}{}{:03}",
        region % 1_000_000,
        birth.format("%Y%m%d"),
        seq % 1000
    );
    let check = check_char(first17.as_bytes());
    format!("{first17}{check}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_a_known_valid_number() {
        // Sample from GB 11643's own worked example.
        let id = parse("11010519491231002X").unwrap();
        assert_eq!(
            id.birth_date,
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert_eq!(id.sex, Sex::Female);
    }

    #[test]
    fn accepts_lower_case_x_and_full_width_digits() {
        assert!(parse("11010519491231002x").is_ok());
        assert!(parse("１１０１０５１９４９１２３１００２Ｘ").is_ok());
    }

    #[test]
    fn rejects_wrong_check_digit_length_and_date() {
        assert_eq!(parse("110105194912310021"), Err(IdError::CheckDigit));
        assert_eq!(parse("1101051949123100"), Err(IdError::Length));
        assert_eq!(parse("11010519491331002X"), Err(IdError::BirthDate));
        assert_eq!(parse("1101051949123100AX"), Err(IdError::Characters));
    }

    #[test]
    fn masks_all_but_first_and_last_four() {
        assert_eq!(mask("440106199001011234"), "4401**********1234");
    }

    proptest! {
        #[test]
        fn built_numbers_parse_back_to_their_parts(region in 110000u32..660000, days in 0i64..30000, seq in 0u32..1000) {
            let birth = NaiveDate::from_ymd_opt(1930, 1, 1).unwrap() + chrono::Days::new(days as u64);
            let id = build(region, birth, seq);
            let parsed = parse(&id).unwrap();
            prop_assert_eq!(parsed.birth_date, birth);
            prop_assert_eq!(parsed.sex == Sex::Male, seq % 2 == 1);
        }

        #[test]
        fn changing_one_digit_breaks_the_check(region in 110000u32..660000, days in 0i64..30000, seq in 0u32..1000, pos in 0usize..17, delta in 1u8..10) {
            let birth = NaiveDate::from_ymd_opt(1930, 1, 1).unwrap() + chrono::Days::new(days as u64);
            let mut id = build(region, birth, seq).into_bytes();
            id[pos] = b'0' + (id[pos] - b'0' + delta) % 10;
            let s = String::from_utf8(id).unwrap();
            prop_assert!(parse(&s).is_err());
        }

        #[test]
        fn never_panics_on_arbitrary_text(s in ".{0,40}") {
            let _ = parse(&s);
        }
    }
}
