//! The PostgreSQL backend. Statements are prepared once per connection and cached.

use std::collections::HashMap;
use std::error::Error;
use std::sync::Arc;

use bytes::BytesMut;
use postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use postgres::{Client, NoTls, Statement};

use crate::db::{number_placeholders, Conn, Dialect, Row, Value};
use crate::migrations::{run_hook, Hook};
use crate::StoreError;

pub const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/0001_base.sql")),
    (2, include_str!("migrations/0002_plan_drafts.sql")),
    (3, include_str!("migrations/0003_life.sql")),
    (4, include_str!("migrations/0004_campaigns.sql")),
    (5, include_str!("migrations/0005_supervision.sql")),
    (6, include_str!("migrations/0006_points.sql")),
    (7, include_str!("migrations/0007_awards.sql")),
    (8, include_str!("migrations/0008_text_keys_not_null.sql")),
    (9, include_str!("migrations/0009_codes.sql")),
    (10, include_str!("migrations/0010_login_pairs.sql")),
    (11, include_str!("migrations/0011_public_slugs.sql")),
    (12, include_str!("migrations/0012_plan_tasks.sql")),
    (13, include_str!("migrations/0013_plan_rules.sql")),
    (15, include_str!("migrations/0015_brands.sql")),
    (16, include_str!("migrations/0016_grids.sql")),
    (17, include_str!("migrations/0017_decisions.sql")),
];

/// A pooled client with its statement cache.
pub struct PgClient {
    pub client: Client,
    cache: HashMap<String, Statement>,
}

pub struct Manager {
    config: postgres::Config,
    /// Schema to use (tests run each in a schema of its own).
    schema: Option<String>,
}

impl Manager {
    pub fn new(url: &str, schema: Option<String>) -> Result<Manager, StoreError> {
        let config: postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Db(format!("数据库地址无效：{e}")))?;
        Ok(Manager { config, schema })
    }
}

impl r2d2::ManageConnection for Manager {
    type Connection = PgClient;
    type Error = postgres::Error;

    fn connect(&self) -> Result<PgClient, postgres::Error> {
        let mut client = self.config.connect(NoTls)?;
        if let Some(schema) = &self.schema {
            client.batch_execute(&format!("SET search_path TO {schema}"))?;
        }
        client.batch_execute("SET TIME ZONE 'Asia/Shanghai'")?;
        Ok(PgClient {
            client,
            cache: HashMap::new(),
        })
    }

    fn is_valid(&self, c: &mut PgClient) -> Result<(), postgres::Error> {
        c.client.simple_query("").map(|_| ())
    }

    fn has_broken(&self, c: &mut PgClient) -> bool {
        c.client.is_closed()
    }
}

impl ToSql for Value {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        match self {
            Value::Null => Ok(IsNull::Yes),
            Value::Int(i) => match *ty {
                Type::INT2 => (*i as i16).to_sql(ty, out),
                Type::INT4 => (*i as i32).to_sql(ty, out),
                Type::BOOL => (*i != 0).to_sql(ty, out),
                Type::FLOAT8 => (*i as f64).to_sql(ty, out),
                Type::TEXT | Type::VARCHAR => i.to_string().to_sql(ty, out),
                _ => i.to_sql(ty, out),
            },
            Value::Real(f) => match *ty {
                Type::FLOAT4 => (*f as f32).to_sql(ty, out),
                _ => f.to_sql(ty, out),
            },
            Value::Text(s) => s.as_str().to_sql(ty, out),
            Value::Blob(b) => b.as_slice().to_sql(ty, out),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// One value as the portable layer sees it. A type with no portable reading (`NUMERIC` from
/// `SUM` of a `BIGINT`, a date, a timestamp …) is an error naming the column: `CAST` it in the
/// query to `BIGINT`, `DOUBLE PRECISION` or `TEXT`, which SQLite also returns.
fn read(row: &postgres::Row, i: usize) -> Result<Value, StoreError> {
    let column = &row.columns()[i];
    let ty = column.type_().clone();
    Ok(match ty {
        Type::INT8 => row
            .try_get::<_, Option<i64>>(i)?
            .map_or(Value::Null, Value::Int),
        Type::INT4 => row
            .try_get::<_, Option<i32>>(i)?
            .map_or(Value::Null, |v| Value::Int(v.into())),
        Type::INT2 => row
            .try_get::<_, Option<i16>>(i)?
            .map_or(Value::Null, |v| Value::Int(v.into())),
        Type::BOOL => row
            .try_get::<_, Option<bool>>(i)?
            .map_or(Value::Null, |v| Value::Int(v.into())),
        Type::FLOAT8 => row
            .try_get::<_, Option<f64>>(i)?
            .map_or(Value::Null, Value::Real),
        Type::FLOAT4 => row
            .try_get::<_, Option<f32>>(i)?
            .map_or(Value::Null, |v| Value::Real(v.into())),
        Type::VOID => Value::Null,
        Type::BYTEA => row
            .try_get::<_, Option<Vec<u8>>>(i)?
            .map_or(Value::Null, Value::Blob),
        _ if <String as postgres::types::FromSql>::accepts(&ty) => row
            .try_get::<_, Option<String>>(i)?
            .map_or(Value::Null, Value::Text),
        _ => {
            return Err(StoreError::Db(format!(
                "列{i}「{}」的类型{ty}无法读取，请在查询中 CAST",
                column.name()
            )))
        }
    })
}

/// A PostgreSQL transaction with the owning client's statement cache.
pub struct PgConn<'a, 'b> {
    pub tx: &'a mut postgres::Transaction<'b>,
    pub cache: &'a mut HashMap<String, Statement>,
}

impl PgConn<'_, '_> {
    fn statement(&mut self, sql: &str) -> Result<Statement, StoreError> {
        if let Some(st) = self.cache.get(sql) {
            return Ok(st.clone());
        }
        let st = self.tx.prepare(&number_placeholders(sql))?;
        self.cache.insert(sql.to_string(), st.clone());
        Ok(st)
    }
}

fn refs(params: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

impl Conn for PgConn<'_, '_> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, StoreError> {
        let st = self.statement(sql)?;
        Ok(self.tx.execute(&st, &refs(params))?)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, StoreError> {
        let st = self.statement(sql)?;
        let rows = self.tx.query(&st, &refs(params))?;
        let names: Arc<[String]> = st.columns().iter().map(|c| c.name().to_string()).collect();
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let mut vals = Vec::with_capacity(r.len());
            for i in 0..r.len() {
                vals.push(read(r, i)?);
            }
            out.push(Row::new(names.clone(), vals));
        }
        Ok(out)
    }
}

pub fn split(c: &mut PgClient) -> (&mut Client, &mut HashMap<String, Statement>) {
    (&mut c.client, &mut c.cache)
}

/// Applies, in order, the migrations up to version `last` that are not yet recorded, each with
/// its hook from `hooks` right after its SQL, all in one transaction; an advisory lock keeps
/// two servers from racing. Returns the versions it applied.
pub fn migrate(c: &mut Client, last: i64, hooks: &[(i64, Hook)]) -> Result<Vec<i64>, StoreError> {
    let mut tx = c.transaction()?;
    tx.batch_execute("SELECT pg_advisory_xact_lock(7050)")?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)")?;
    // Statements a hook prepares live only as long as the migration: the schema changes under them.
    let mut cache = HashMap::new();
    let mut applied = Vec::new();
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v <= last) {
        let done: i64 = tx
            .query_one(
                "SELECT COUNT(*) FROM schema_migrations WHERE version = $1",
                &[version],
            )?
            .get(0);
        if done == 0 {
            tx.batch_execute(sql)?;
            run_hook(
                &mut PgConn {
                    tx: &mut tx,
                    cache: &mut cache,
                },
                hooks,
                *version,
            )?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)",
                &[version, &xianfeng_domain::date::now().to_rfc3339()],
            )?;
            applied.push(*version);
        }
    }
    tx.commit()?;
    Ok(applied)
}
