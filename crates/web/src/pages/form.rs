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

/// A multipart form read whole: its text fields, the files sent under one field, and what to
/// keep for showing the form again (the fields and the chosen files' names).
pub struct Upload {
    pub fields: super::Pairs,
    pub files: Vec<(String, Vec<u8>)>,
    pub kept: Kept,
}

impl Upload {
    /// Reads a signed-in multipart form whose files come under `file_field` and checks its
    /// CSRF token.
    pub async fn read(
        s: &Session,
        form: axum::extract::Multipart,
        file_field: &str,
    ) -> Result<Upload, AppError> {
        let upload = Upload::public(form, file_field).await?;
        s.check_csrf(&super::field(&upload.fields, "_csrf"))?;
        Ok(upload)
    }

    /// Reads a public multipart form (a card holder's claim: no session, no token).
    pub async fn public(
        form: axum::extract::Multipart,
        file_field: &str,
    ) -> Result<Upload, AppError> {
        let (fields, files) = super::read_multipart(form, file_field).await?;
        let chosen: Vec<(String, String)> = files
            .iter()
            .map(|(name, _)| (file_field.to_string(), name.clone()))
            .collect();
        let kept = Kept::multipart(&fields, &chosen);
        Ok(Upload {
            fields,
            files,
            kept,
        })
    }
}

/// What a one-file upload (an import, a plan document) accepts.
pub struct FileRule {
    /// The field's Chinese name in messages (名册文件, 文件).
    pub label: &'static str,
    /// The most bytes read before the upload is refused.
    pub limit: usize,
    /// The message when the file passes `limit`.
    pub too_large: String,
    /// Accepted endings, lower case (".xlsx").
    pub endings: &'static [&'static str],
    /// The message for a file with another ending (given its name).
    pub wrong_type: fn(&str) -> String,
    /// The message when no file was chosen.
    pub missing: &'static str,
}

/// A one-file upload as received: the file, or why it was refused with what to keep.
pub enum Received {
    File { name: String, bytes: Vec<u8> },
    Refused { error: AppError, kept: Kept },
}

/// Reads a signed-in form that sends one file under `file`: the file is read in chunks and
/// refused once it passes the rule's limit (before the rest arrives), then the CSRF token is
/// checked, then a missing or empty file and a wrong ending are refused beside the field, with
/// the chosen file's name kept for the page.
pub async fn one_file(
    s: &Session,
    mut form: axum::extract::Multipart,
    rule: &FileRule,
) -> Result<Received, AppError> {
    let failed =
        |e: axum::extract::multipart::MultipartError| AppError::Conflict(format!("上传失败：{e}"));
    let chosen = |name: &str| {
        let files: Vec<(String, String)> = [("file".to_string(), name.to_string())]
            .into_iter()
            .filter(|(_, n)| !n.is_empty())
            .collect();
        Kept::multipart(&[], &files)
    };
    let refused = |message: String, name: &str| Received::Refused {
        error: AppError::Invalid(Invalid::one("file", rule.label, message)),
        kept: chosen(name),
    };
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(mut field) = form.next_field().await.map_err(failed)? {
        match field.name() {
            Some("_csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("file") => {
                let name = field.file_name().unwrap_or("").to_string();
                let mut data = Vec::new();
                while let Some(chunk) = field.chunk().await.map_err(failed)? {
                    data.extend_from_slice(&chunk);
                    if data.len() > rule.limit {
                        s.check_csrf(&csrf)?;
                        return Ok(Received::Refused {
                            error: AppError::TooLarge(rule.too_large.clone()),
                            kept: chosen(&name),
                        });
                    }
                }
                file = Some((name, data));
            }
            _ => {}
        }
    }
    s.check_csrf(&csrf)?;
    let Some((name, bytes)) = file.filter(|(_, d)| !d.is_empty()) else {
        return Ok(refused(rule.missing.to_string(), ""));
    };
    let lower = name.to_lowercase();
    if !rule.endings.iter().any(|e| lower.ends_with(e)) {
        return Ok(refused((rule.wrong_type)(&name), &name));
    }
    Ok(Received::File { name, bytes })
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
