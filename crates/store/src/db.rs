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

/// One result row. Every accessor is strict: NULL where a value is required, a value of another
/// type, or a column that is not there is an error naming the column, never a default — so a
/// difference between what SQLite and PostgreSQL return shows up instead of reading as `0`/`""`.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// The result set's column names, shared by all of its rows.
    names: Arc<[String]>,
    values: Vec<Value>,
}

impl Value {
    /// How a value is named in an error.
    fn kind(&self) -> &'static str {
        match self {
            Value::Null => "空值",
            Value::Int(_) => "整数",
            Value::Real(_) => "小数",
            Value::Text(_) => "文本",
            Value::Blob(_) => "二进制数据",
        }
    }
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

    fn wrong(&self, c: impl Column, wanted: &str) -> StoreError {
        match c.index(self) {
            Err(e) => e,
            Ok(i) => StoreError::Db(format!(
                "列{i}「{}」应为{wanted}，实际为{}",
                self.names.get(i).map_or("", String::as_str),
                self.values[i].kind()
            )),
        }
    }

    /// An integer (PostgreSQL's `SMALLINT`, `INTEGER`, `BIGINT` and `BOOLEAN` read as one).
    pub fn i64(&self, c: impl Column) -> Result<i64, StoreError> {
        match self.value(c)? {
            Value::Int(v) => Ok(*v),
            _ => Err(self.wrong(c, "整数")),
        }
    }

    /// An integer or NULL.
    pub fn opt_i64(&self, c: impl Column) -> Result<Option<i64>, StoreError> {
        match self.value(c)? {
            Value::Null => Ok(None),
            Value::Int(v) => Ok(Some(*v)),
            _ => Err(self.wrong(c, "整数或空值")),
        }
    }

    /// A number: a real, or an integer widened to one.
    pub fn f64(&self, c: impl Column) -> Result<f64, StoreError> {
        match self.value(c)? {
            Value::Real(v) => Ok(*v),
            Value::Int(v) => Ok(*v as f64),
            _ => Err(self.wrong(c, "数值")),
        }
    }

    /// A number or NULL.
    pub fn opt_f64(&self, c: impl Column) -> Result<Option<f64>, StoreError> {
        match self.value(c)? {
            Value::Null => Ok(None),
            Value::Real(v) => Ok(Some(*v)),
            Value::Int(v) => Ok(Some(*v as f64)),
            _ => Err(self.wrong(c, "数值或空值")),
        }
    }

    /// Text (an integer is not text: `CAST` it in the query if text is wanted).
    pub fn text(&self, c: impl Column) -> Result<String, StoreError> {
        match self.value(c)? {
            Value::Text(s) => Ok(s.clone()),
            _ => Err(self.wrong(c, "文本")),
        }
    }

    /// Text or NULL.
    pub fn opt_text(&self, c: impl Column) -> Result<Option<String>, StoreError> {
        match self.value(c)? {
            Value::Null => Ok(None),
            Value::Text(s) => Ok(Some(s.clone())),
            _ => Err(self.wrong(c, "文本或空值")),
        }
    }

    /// Bytes (`BLOB` / `BYTEA`).
    pub fn blob(&self, c: impl Column) -> Result<Vec<u8>, StoreError> {
        match self.value(c)? {
            Value::Blob(b) => Ok(b.clone()),
            _ => Err(self.wrong(c, "二进制数据")),
        }
    }

    /// Bytes or NULL.
    pub fn opt_blob(&self, c: impl Column) -> Result<Option<Vec<u8>>, StoreError> {
        match self.value(c)? {
            Value::Null => Ok(None),
            Value::Blob(b) => Ok(Some(b.clone())),
            _ => Err(self.wrong(c, "二进制数据或空值")),
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
        self.query_one(sql, params)?.i64(0)
    }
}

/// The value a stored code names (`OrgKind::from_code`, …): an unknown code is an error naming
/// what it should have been, never a guessed default.
pub fn decode<T>(
    code: &str,
    from_code: fn(&str) -> Option<T>,
    what: &str,
) -> Result<T, StoreError> {
    from_code(code).ok_or_else(|| StoreError::Db(format!("未知{what}代码「{code}」")))
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

    fn row(cols: &[(&str, Value)]) -> Row {
        Row::new(
            cols.iter().map(|(n, _)| n.to_string()).collect(),
            cols.iter().map(|(_, v)| v.clone()).collect(),
        )
    }

    fn sample() -> Row {
        row(&[
            ("id", Value::Int(7)),
            ("name", Value::Text("向阳村党总支".into())),
            ("score", Value::Real(92.5)),
            ("note", Value::Null),
            ("photo", Value::Blob(vec![1, 2, 3])),
        ])
    }

    fn message(e: StoreError) -> String {
        match e {
            StoreError::Db(m) => m,
            other => panic!("expected a database error, got {other:?}"),
        }
    }

    #[test]
    fn i64_reads_integers_only() {
        let r = sample();
        assert_eq!(r.i64(0).unwrap(), 7);
        assert_eq!(
            message(r.i64(3).unwrap_err()),
            "列3「note」应为整数，实际为空值"
        );
        assert_eq!(
            message(r.i64(1).unwrap_err()),
            "列1「name」应为整数，实际为文本"
        );
        assert_eq!(
            message(r.i64(2).unwrap_err()),
            "列2「score」应为整数，实际为小数"
        );
        assert_eq!(message(r.i64(5).unwrap_err()), "列5不存在（结果只有5列）");
        // numeric text is still text: a query that needs a number says so with CAST
        let digits = row(&[("n", Value::Text("12".into()))]);
        assert!(digits.i64(0).is_err());
    }

    #[test]
    fn opt_i64_reads_null_as_none_and_refuses_other_types() {
        let r = sample();
        assert_eq!(r.opt_i64(0).unwrap(), Some(7));
        assert_eq!(r.opt_i64(3).unwrap(), None);
        assert_eq!(
            message(r.opt_i64(1).unwrap_err()),
            "列1「name」应为整数或空值，实际为文本"
        );
        assert!(r.opt_i64(9).is_err());
    }

    #[test]
    fn f64_reads_reals_and_widens_integers() {
        let r = sample();
        assert_eq!(r.f64(2).unwrap(), 92.5);
        assert_eq!(r.f64(0).unwrap(), 7.0);
        assert_eq!(
            message(r.f64(3).unwrap_err()),
            "列3「note」应为数值，实际为空值"
        );
        assert!(r.f64(1).is_err());
        assert!(r.f64(5).is_err());
        assert_eq!(r.opt_f64(3).unwrap(), None);
        assert_eq!(r.opt_f64(2).unwrap(), Some(92.5));
        assert!(r.opt_f64(4).is_err());
    }

    #[test]
    fn text_reads_text_only() {
        let r = sample();
        assert_eq!(r.text(1).unwrap(), "向阳村党总支");
        assert_eq!(
            message(r.text(3).unwrap_err()),
            "列3「note」应为文本，实际为空值"
        );
        assert_eq!(
            message(r.text(0).unwrap_err()),
            "列0「id」应为文本，实际为整数"
        );
        assert!(r.text(4).is_err());
        assert!(r.text(5).is_err());
        assert_eq!(r.opt_text(3).unwrap(), None);
        assert_eq!(r.opt_text(1).unwrap().as_deref(), Some("向阳村党总支"));
        assert_eq!(
            message(r.opt_text(0).unwrap_err()),
            "列0「id」应为文本或空值，实际为整数"
        );
    }

    #[test]
    fn blob_reads_bytes_only() {
        let r = sample();
        assert_eq!(r.blob(4).unwrap(), vec![1, 2, 3]);
        assert_eq!(
            message(r.blob(3).unwrap_err()),
            "列3「note」应为二进制数据，实际为空值"
        );
        assert!(r.blob(1).is_err());
        assert!(r.blob(5).is_err());
        assert_eq!(r.opt_blob(3).unwrap(), None);
        assert_eq!(r.opt_blob(4).unwrap(), Some(vec![1, 2, 3]));
        assert!(r.opt_blob(0).is_err());
    }

    #[test]
    fn columns_read_by_name() {
        let r = sample();
        assert_eq!(r.col("score").unwrap(), 2);
        assert_eq!(r.i64("id").unwrap(), 7);
        assert_eq!(r.text("name").unwrap(), "向阳村党总支");
        assert_eq!(r.opt_text("note").unwrap(), None);
        assert_eq!(r.f64("score").unwrap(), 92.5);
        assert_eq!(r.blob("photo").unwrap(), vec![1, 2, 3]);
        assert_eq!(
            message(r.i64("name").unwrap_err()),
            "列1「name」应为整数，实际为文本"
        );
        assert_eq!(
            message(r.i64("members").unwrap_err()),
            "结果中没有名为「members」的列"
        );
        // two columns called `name` (o.name, m.name without aliases) cannot be told apart
        let twice = row(&[
            ("name", Value::Text("a".into())),
            ("name", Value::Text("b".into())),
        ]);
        assert_eq!(
            message(twice.text("name").unwrap_err()),
            "结果中有不止一列名为「name」，请起别名"
        );
        assert_eq!(twice.text(1).unwrap(), "b");
    }

    /// What each backend returns for the same query: the same names (a qualified column by its
    /// bare name, an expression by its alias) and the same value types.
    #[test]
    fn both_backends_name_and_type_columns_alike() {
        for s in crate::testing::backends() {
            s.write(|c| -> crate::Result<()> {
                c.execute(
                    "INSERT INTO orgs (id, parent_id, root_id, path, depth, name, kind, domain, committee_size, created_at)
                     VALUES (1, NULL, 1, '/1/', 0, '县委', 'committee', 'government', 5, '2026-01-01T00:00:00+08:00')",
                    &[],
                )?;
                let r = c.query_one(
                    "SELECT o.id, o.name, o.parent_id, CAST(o.committee_size AS DOUBLE PRECISION) * 1.5 AS half_again,
                            COUNT(*) AS n, CAST(SUM(o.committee_size) AS BIGINT) AS total
                     FROM orgs o WHERE o.id = ? GROUP BY o.id, o.name, o.parent_id, o.committee_size",
                    vals![1],
                )?;
                assert_eq!(
                    r.names(),
                    ["id", "name", "parent_id", "half_again", "n", "total"],
                    "{}",
                    s.name
                );
                assert_eq!(r.i64("id")?, 1);
                assert_eq!(r.text("name")?, "县委");
                assert_eq!(r.opt_i64("parent_id")?, None);
                assert!(r.i64("parent_id").is_err(), "{}", s.name);
                assert_eq!(r.f64("half_again")?, 7.5);
                assert!(r.i64("half_again").is_err(), "{}", s.name);
                assert_eq!(r.i64("n")?, 1);
                assert_eq!(r.i64("total")?, 5);
                assert!(r.text("n").is_err(), "{}", s.name);
                if c.dialect() == Dialect::Postgres {
                    // SUM of a BIGINT is NUMERIC there: named, not read as text or zero
                    let e = c
                        .query("SELECT SUM(committee_size) AS total FROM orgs", &[])
                        .unwrap_err();
                    assert_eq!(
                        message(e),
                        "列0「total」的类型numeric无法读取，请在查询中 CAST"
                    );
                }
                Ok(())
            })
            .unwrap();
        }
    }

    #[test]
    fn placeholders_are_numbered_outside_quotes() {
        assert_eq!(
            number_placeholders("SELECT a FROM t WHERE b = ? AND c = '?' AND d = ?"),
            "SELECT a FROM t WHERE b = $1 AND c = '?' AND d = $2"
        );
    }
}
