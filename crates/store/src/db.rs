//! The thin portable layer both backends implement: values, rows, and a connection inside a
//! transaction. SQL is written once with `?` placeholders where the dialects agree; the
//! PostgreSQL side numbers them (`$1`, `$2`, …).

use std::sync::Arc;

use crate::StoreError;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(i64),
    Real(f64),
    Text(String),
    Blob(Vec<u8>),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_string())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::Text(v)
    }
}
impl From<&String> for Value {
    fn from(v: &String) -> Self {
        Value::Text(v.clone())
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Blob(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map(Into::into).unwrap_or(Value::Null)
    }
}

/// `vals![a, b, c]` builds a parameter slice.
#[macro_export]
macro_rules! vals {
    ($($v:expr),* $(,)?) => { &[$($crate::db::Value::from($v)),*][..] };
}

/// Which column to read: its position in the select list (from 0) or its name there.
///
/// Read by name wherever a query's column list is shared or extended (a `COLS` const followed by
/// more columns): a name cannot silently shift when the list grows. The name is what the
/// database reports, so give an expression or a repeated name (`o.name`, `m.name`) an alias.
pub trait Column: Copy {
    fn index(self, row: &Row) -> Result<usize, StoreError>;
}

impl Column for usize {
    fn index(self, row: &Row) -> Result<usize, StoreError> {
        if self < row.values.len() {
            Ok(self)
        } else {
            Err(StoreError::Db(format!(
                "列{self}不存在（结果只有{}列）",
                row.values.len()
            )))
        }
    }
}

impl Column for &str {
    fn index(self, row: &Row) -> Result<usize, StoreError> {
        let mut found = row.names.iter().enumerate().filter(|(_, n)| *n == self);
        match (found.next(), found.next()) {
            (Some((i, _)), None) => Ok(i),
            (None, _) => Err(StoreError::Db(format!("结果中没有名为「{self}」的列"))),
            (Some(_), Some(_)) => Err(StoreError::Db(format!(
                "结果中有不止一列名为「{self}」，请起别名"
            ))),
        }
    }
}

/// One result row with its result set's column names.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The result set's column names, shared by all of its rows.
    names: Arc<[String]>,
    values: Vec<Value>,
}

impl Row {
    /// A row of `values` under the result set's column `names` (one per value).
    pub fn new(names: Arc<[String]>, values: Vec<Value>) -> Row {
        debug_assert_eq!(names.len(), values.len(), "one name per column");
        Row { names, values }
    }

    /// The column names, in select-list order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The values, in select-list order.
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// The position of the column called `name` (an error if it is missing or repeated).
    pub fn col(&self, name: &str) -> Result<usize, StoreError> {
        name.index(self)
    }

    /// The raw value of a column.
    pub fn value(&self, c: impl Column) -> Result<&Value, StoreError> {
        Ok(&self.values[c.index(self)?])
    }

    fn get(&self, c: impl Column) -> Option<&Value> {
        c.index(self).ok().map(|i| &self.values[i])
    }

    pub fn i64(&self, c: impl Column) -> i64 {
        match self.get(c) {
            Some(Value::Int(v)) => *v,
            Some(Value::Real(v)) => *v as i64,
            Some(Value::Text(s)) => s.parse().unwrap_or(0),
            _ => 0,
        }
    }

    pub fn opt_i64(&self, c: impl Column) -> Option<i64> {
        match self.get(c) {
            Some(Value::Null) | None => None,
            _ => Some(self.i64(c)),
        }
    }

    pub fn f64(&self, c: impl Column) -> f64 {
        match self.get(c) {
            Some(Value::Int(v)) => *v as f64,
            Some(Value::Real(v)) => *v,
            _ => 0.0,
        }
    }

    pub fn text(&self, c: impl Column) -> String {
        self.opt_text(c).unwrap_or_default()
    }

    pub fn opt_text(&self, c: impl Column) -> Option<String> {
        match self.get(c) {
            Some(Value::Text(s)) => Some(s.clone()),
            Some(Value::Int(v)) => Some(v.to_string()),
            _ => None,
        }
    }

    pub fn blob(&self, c: impl Column) -> Option<Vec<u8>> {
        match self.get(c) {
            Some(Value::Blob(b)) => Some(b.clone()),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// A connection inside one transaction.
pub trait Conn {
    fn dialect(&self) -> Dialect;
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError>;
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError>;

    fn query_opt(&mut self, sql: &str, params: &[Value]) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    fn query_one(&mut self, sql: &str, params: &[Value]) -> Result<Row, StoreError> {
        self.query_opt(sql, params)?
            .ok_or_else(|| StoreError::Db("查询没有返回结果".into()))
    }

    fn scalar(&mut self, sql: &str, params: &[Value]) -> Result<i64, StoreError> {
        Ok(self.query_one(sql, params)?.i64(0))
    }
}

/// Rewrites `?` placeholders (outside quotes) to `$1`, `$2`, … for PostgreSQL.
pub fn number_placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 16);
    let mut n = 0;
    let mut in_quote = false;
    for ch in sql.chars() {
        match ch {
            '\'' => {
                in_quote = !in_quote;
                out.push(ch);
            }
            '?' if !in_quote => {
                n += 1;
                out.push('$');
                out.push_str(&n.to_string());
            }
            _ => out.push(ch),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_numbered_outside_quotes() {
        assert_eq!(
            number_placeholders("SELECT a FROM t WHERE b = ? AND c = '?' AND d = ?"),
            "SELECT a FROM t WHERE b = $1 AND c = '?' AND d = $2"
        );
    }
}
