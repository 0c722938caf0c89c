//! The one way a page reads a form: `CsrfForm<T>` checks the session's CSRF token, then
//! deserialises a typed `T`, and keeps what was typed (`Kept`) so a refused form comes back
//! filled in, with each field's message beside the field.

use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use xianfeng_domain::Invalid;

use crate::session::Session;
use crate::{AppError, AppState};

/// A form body larger than this is refused before it is parsed (uploads use multipart).
const FORM_LIMIT: usize = 2 * 1024 * 1024;

/// A submitted form whose CSRF token matched: the typed fields, and the raw values for
/// showing the form again.
pub struct CsrfForm<T>(pub T, pub Kept);

/// What the user typed (and the names of the files they chose), for re-rendering a refused
/// form. The CSRF token and passwords are never kept: they are not sent back in a page.
#[derive(Debug, Clone, Default)]
pub struct Kept {
    pub fields: Vec<(String, String)>,
    pub files: Vec<(String, String)>,
    /// The path the form was posted to: only that form is filled in again (a page may hold
    /// many forms with the same field names, one per row).
    pub action: String,
}

impl Kept {
    /// The fields of a multipart form and the names of the files chosen in it.
    pub fn multipart(fields: &[(String, String)], files: &[(String, String)]) -> Kept {
        Kept {
            fields: fields.iter().filter(|(k, _)| keeps(k)).cloned().collect(),
            files: files.to_vec(),
            action: String::new(),
        }
    }

    /// The same input, posted to `action`.
    pub fn posted_to(mut self, action: impl Into<String>) -> Kept {
        self.action = action.into();
        self
    }

    /// The first value typed into `name`, or "".
    pub fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    }
}

/// Whether a field's value may be sent back in a page.
fn keeps(name: &str) -> bool {
    name != "_csrf" && !name.contains("password")
}

/// A form that could not be read at all (a malformed body).
fn unreadable() -> AppError {
    AppError::Invalid(Invalid::one(
        "form",
        "表单",
        "内容无法识别，请刷新页面后重新填写",
    ))
}

/// Reads `T` from a form body; a value that does not fit its field (a tampered id, a number
/// that is not one) is refused naming that field, never read as 0.
pub fn typed<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, AppError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(bytes));
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        if field.is_empty() || field == "." {
            unreadable()
        } else {
            AppError::Invalid(Invalid::one(
                &field,
                "所选项",
                "内容无效，请从页面上重新选择或填写",
            ))
        }
    })
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let session = Session::from_request_parts(&mut parts, state).await?;
        let bytes = axum::body::to_bytes(body, FORM_LIMIT)
            .await
            .map_err(|_| AppError::TooLarge("表单内容过大".into()).into_response())?;
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(&bytes).map_err(|_| unreadable().into_response())?;
        let token = pairs
            .iter()
            .find(|(k, _)| k == "_csrf")
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        session.check_csrf(token).map_err(|e| e.into_response())?;
        let typed: T = typed(&bytes).map_err(|e| e.into_response())?;
        let kept = Kept {
            fields: pairs.into_iter().filter(|(k, _)| keeps(k)).collect(),
            files: Vec::new(),
            action: parts.uri.path().to_string(),
        };
        Ok(CsrfForm(typed, kept))
    }
}

/// For optional typed fields: an empty or blank value is `None`; anything else must parse.
/// Use with `#[serde(default, deserialize_with = "empty_as_none")]`.
pub fn empty_as_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: std::str::FromStr,
    T::Err: std::fmt::Display,
{
    let raw: Option<String> = Option::deserialize(d)?;
    match raw.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => v.parse().map(Some).map_err(serde::de::Error::custom),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct Picked {
        #[serde(default, deserialize_with = "empty_as_none")]
        id: Option<i64>,
    }

    #[test]
    fn empty_and_blank_ids_are_none_and_numbers_parse() {
        let read = |q: &str| serde_urlencoded::from_str::<Picked>(q).map(|p| p.id);
        assert_eq!(read("id=").unwrap(), None);
        assert_eq!(read("id=+").unwrap(), None);
        assert_eq!(read("").unwrap(), None);
        assert_eq!(read("id=12").unwrap(), Some(12));
        assert!(
            read("id=12abc").is_err(),
            "a tampered id is refused, not read as 0"
        );
    }

    #[test]
    fn a_value_that_does_not_fit_is_refused_naming_its_field() {
        let Err(AppError::Invalid(e)) = typed::<Picked>(b"id=12abc") else {
            panic!("a tampered id must be refused");
        };
        assert!(e.for_field("id").is_some(), "{e}");
        assert!(typed::<Picked>(b"id=7").is_ok());
    }

    #[test]
    fn kept_input_never_holds_the_csrf_token() {
        let k = Kept::multipart(
            &[
                ("_csrf".into(), "secret".into()),
                ("name".into(), "张三".into()),
            ],
            &[("photo".into(), "会议.jpg".into())],
        );
        assert_eq!(k.get("_csrf"), "");
        let secret = Kept::multipart(&[("password".into(), "秘密123".into())], &[]);
        assert!(secret.fields.is_empty(), "passwords are never kept");
        assert_eq!(k.get("name"), "张三");
        assert_eq!(k.files[0].1, "会议.jpg");
    }
}
