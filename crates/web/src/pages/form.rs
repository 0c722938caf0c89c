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

/// A form body larger than this is refused before it is parsed (uploads use multipart); it is
/// also the limit of every other body (`lib.rs`).
pub const FORM_LIMIT: usize = 2 * 1024 * 1024;

/// What a multipart body may carry beyond the upload limit: its text fields and part headers.
pub const FIELDS_ALLOWANCE: usize = 64 * 1024;

/// The error a multipart body gives once it passes the configured upload limit
/// (`upload_body`), carrying the limit for the message.
#[derive(Debug, thiserror::Error)]
#[error("文件超过{mb}MB")]
pub struct BodyTooLarge {
    pub mb: i64,
}

/// The upload limit a multipart error was caused by, if it was the body passing it.
pub fn too_large_mb(e: &axum::extract::multipart::MultipartError) -> Option<i64> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(e);
    while let Some(c) = cause {
        if let Some(t) = c.downcast_ref::<BodyTooLarge>() {
            return Some(t.mb);
        }
        cause = c.source();
    }
    None
}

/// Why a multipart body could not be read: past the upload limit (413, 文件超过20MB), or
/// damaged on the way.
pub fn multipart_failed(e: axum::extract::multipart::MultipartError) -> AppError {
    match too_large_mb(&e) {
        Some(mb) => AppError::TooLarge(format!("文件超过{mb}MB，请压缩或分批后重新上传")),
        None => AppError::Invalid(Invalid::one(
            "file",
            "上传内容",
            "上传未完成或内容已损坏，请重新选择文件上传",
        )),
    }
}

/// The middleware on every route that takes a multipart body: the body may carry at most the
/// configured `upload_max_bytes` plus `FIELDS_ALLOWANCE`, and a body past it fails with
/// `BodyTooLarge` as it is read (nothing more is read or held). It wraps the body only: the
/// handler still checks role, scope or code before it reads any of it.
pub async fn upload_body(
    axum::extract::State(state): axum::extract::State<AppState>,
    req: Request,
    next: axum::middleware::Next,
) -> Response {
    use http_body_util::BodyExt;
    let rules = match super::read(&state, |c| Ok(xianfeng_store::settings::rules(c)?)).await {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let mb = rules.upload_max_mb();
    let limit = (rules.upload_max_bytes.max(0) as usize).saturating_add(FIELDS_ALLOWANCE);
    let req = req.map(|body| {
        axum::body::Body::new(http_body_util::Limited::new(body, limit).map_err(
            move |e| -> axum::BoxError {
                if e.is::<http_body_util::LengthLimitError>() {
                    Box::new(BodyTooLarge { mb })
                } else {
                    e
                }
            },
        ))
    });
    next.run(req).await
}

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

/// A multipart form that could not be read whole: why (past the upload limit: 413 with
/// 文件超过20MB; a damaged body; a bad token), and what was read of it, for showing the form
/// again. `?` turns it into the error page.
pub struct Refused {
    pub error: AppError,
    pub kept: Kept,
}

impl From<Refused> for AppError {
    fn from(r: Refused) -> AppError {
        r.error
    }
}

impl Upload {
    /// Reads a signed-in multipart form whose files come under `file_field` and checks its
    /// CSRF token. A body past the upload limit is refused with the fields read before it
    /// (the refusal changes nothing, so it needs no token).
    pub async fn read(
        s: &Session,
        form: axum::extract::Multipart,
        file_field: &str,
    ) -> Result<Upload, Refused> {
        let upload = Upload::public(form, file_field).await?;
        s.check_csrf(&super::field(&upload.fields, "_csrf"))
            .map_err(|error| Refused {
                error,
                kept: Kept::default(),
            })?;
        Ok(upload)
    }

    /// Reads a public multipart form (a card holder's claim: no session, no token).
    pub async fn public(
        form: axum::extract::Multipart,
        file_field: &str,
    ) -> Result<Upload, Refused> {
        let (fields, files) =
            super::read_multipart(form, file_field)
                .await
                .map_err(|(error, fields, names)| {
                    let chosen: Vec<(String, String)> = names
                        .into_iter()
                        .map(|n| (file_field.to_string(), n))
                        .collect();
                    Refused {
                        error,
                        kept: Kept::multipart(&fields, &chosen),
                    }
                })?;
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
    let mut name = String::new();
    // The body passing the upload limit is refused beside the field (with the chosen file's
    // name when it was read). It may pass the limit before its token has been read; the
    // refusal changes nothing, so it needs none. Anything else is a damaged upload, answered
    // only to a genuine form.
    let failed = |e: axum::extract::multipart::MultipartError,
                  csrf: &str,
                  name: &str|
     -> Result<Received, AppError> {
        match too_large_mb(&e) {
            Some(_) => Ok(Received::Refused {
                error: AppError::TooLarge(rule.too_large.clone()),
                kept: chosen(name),
            }),
            None => {
                s.check_csrf(csrf)?;
                Err(multipart_failed(e))
            }
        }
    };
    loop {
        let mut field = match form.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => return failed(e, &csrf, &name),
        };
        match field.name() {
            Some("_csrf") => csrf = field.text().await.unwrap_or_default(),
            Some("file") => {
                name = field.file_name().unwrap_or("").to_string();
                let mut data = Vec::new();
                loop {
                    let chunk = match field.chunk().await {
                        Ok(Some(c)) => c,
                        Ok(None) => break,
                        Err(e) => return failed(e, &csrf, &name),
                    };
                    data.extend_from_slice(&chunk);
                    if data.len() > rule.limit {
                        s.check_csrf(&csrf)?;
                        return Ok(Received::Refused {
                            error: AppError::TooLarge(rule.too_large.clone()),
                            kept: chosen(&name),
                        });
                    }
                }
                file = Some((name.clone(), data));
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
