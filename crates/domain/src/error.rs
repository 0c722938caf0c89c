//! Validation errors: every message is Chinese and names the field it is about.

use serde::Serialize;

/// One problem with one field of an input, e.g. `身份证号: 校验位不正确`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// Machine name of the field (`id_number`), used by forms to place the message.
    pub field: String,
    /// Chinese label of the field (`身份证号`).
    pub label: String,
    /// Chinese reason.
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, label: &str, message: impl Into<String>) -> Self {
        FieldError {
            field: field.to_string(),
            label: label.to_string(),
            message: message.into(),
        }
    }
}

impl std::fmt::Display for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}：{}", self.label, self.message)
    }
}

/// A rejected input: every field error found, not only the first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{}", summary(.0))]
pub struct Invalid(pub Vec<FieldError>);

fn summary(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| e.to_string())
        .collect::<Vec<_>>()
        .join("；")
}

impl Invalid {
    pub fn one(field: &str, label: &str, message: impl Into<String>) -> Self {
        Invalid(vec![FieldError::new(field, label, message)])
    }

    pub fn for_field(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.message.as_str())
    }
}

/// Collects field errors while validating a whole input.
#[derive(Debug, Default)]
pub struct Collector(Vec<FieldError>);

impl Collector {
    pub fn push(&mut self, field: &str, label: &str, message: impl Into<String>) {
        self.0.push(FieldError::new(field, label, message));
    }

    pub fn finish<T>(self, value: T) -> Result<T, Invalid> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(Invalid(self.0))
        }
    }
}
