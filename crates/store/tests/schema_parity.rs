//! The two migration lists build the same schema: every table, every column (name, type
//! family, nullability), every table's primary key and indexes (columns, uniqueness, partial
//! or not, and the name of every index a migration names itself).
//!
//! Type families: SQLite by its affinity rules (a declared type containing INT is integer;
//! CHAR, CLOB or TEXT is text; REAL, FLOA or DOUB is real; BLOB is blob), PostgreSQL by its
//! type (smallint, integer, bigint → integer; text, varchar, char → text; real, double → real;
//! bytea → blob). A boolean is compared as it is declared and stored: `BOOLEAN` on either side
//! is "boolean", so a PostgreSQL boolean facing a SQLite 0/1 INTEGER is a difference.
//!
//! Indexes are matched on what they index, not on the names each database makes up for the
//! indexes behind a primary key or a UNIQUE constraint (`orgs_pkey`, `sqlite_autoindex_orgs_1`).
//! Primary keys are compared on their own, as column lists.

use std::collections::{BTreeMap, BTreeSet};

use xianfeng_store::{testing, Conn, Store};

#[derive(Debug, Clone, PartialEq, Eq)]
struct Column {
    family: String,
    not_null: bool,
}

impl std::fmt::Display for Column {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let null = if self.not_null { "NOT NULL" } else { "NULL" };
        write!(f, "{} {null}", self.family)
    }
}

/// What an index indexes; two indexes are the same index when this is the same.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct IndexShape {
    columns: Vec<String>,
    unique: bool,
    partial: bool,
}

impl std::fmt::Display for IndexShape {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.unique {
            f.write_str("UNIQUE ")?;
        }
        write!(f, "({})", self.columns.join(", "))?;
        if self.partial {
            f.write_str(" WHERE …")?;
        }
        Ok(())
    }
}

#[derive(Debug, Default)]
struct Table {
    /// Column name → its shape (compared by name; both backends append new columns last).
    columns: BTreeMap<String, Column>,
    primary_key: Vec<String>,
    /// Index shape → the names a migration gave it (`None`: made up by the database).
    indexes: BTreeMap<IndexShape, Vec<Option<String>>>,
}

type Schema = BTreeMap<String, Table>;

fn sqlite_family(declared: &str) -> String {
    let t = declared.to_ascii_uppercase();
    if t.starts_with("BOOL") {
        "boolean".into()
    } else if t.contains("INT") {
        "integer".into()
    } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        "text".into()
    } else if t.contains("BLOB") || t.is_empty() {
        "blob".into()
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        "real".into()
    } else {
        format!("numeric ({declared})")
    }
}

fn postgres_family(typname: &str) -> String {
    match typname {
        "int2" | "int4" | "int8" => "integer".into(),
        "text" | "varchar" | "bpchar" => "text".into(),
        "float4" | "float8" => "real".into(),
        "bytea" => "blob".into(),
        "bool" => "boolean".into(),
        other => other.into(),
    }
}

fn sqlite_schema(c: &mut dyn Conn) -> xianfeng_store::Result<Schema> {
    let mut schema = Schema::new();
    let tables = c.query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
        &[],
    )?;
    for t in tables {
        let name = t.text(0)?;
        let mut table = Table::default();
        let mut key = Vec::new();
        let columns = c.query(
            "SELECT name, type, \"notnull\", pk FROM pragma_table_info(?)",
            &[name.as_str().into()],
        )?;
        let mut key_columns = 0;
        for col in &columns {
            key_columns += usize::from(col.i64(3)? > 0);
        }
        for col in columns {
            let pk = col.i64(3)?;
            // A lone INTEGER PRIMARY KEY is the rowid: it cannot hold NULL whatever it declares.
            // (Any other primary key column of a rowid table can, unless it says NOT NULL.)
            let rowid = pk > 0 && key_columns == 1 && col.text(1)?.eq_ignore_ascii_case("INTEGER");
            if pk > 0 {
                key.push((pk, col.text(0)?));
            }
            table.columns.insert(
                col.text(0)?,
                Column {
                    family: sqlite_family(&col.text(1)?),
                    not_null: col.i64(2)? != 0 || rowid,
                },
            );
        }
        key.sort();
        table.primary_key = key.into_iter().map(|(_, c)| c).collect();
        for ix in c.query(
            "SELECT name, \"unique\", origin, partial FROM pragma_index_list(?)",
            &[name.as_str().into()],
        )? {
            let origin = ix.text(2)?;
            if origin == "pk" {
                continue; // compared as the primary key
            }
            let columns = c
                .query(
                    "SELECT name FROM pragma_index_info(?) ORDER BY seqno",
                    &[ix.text(0)?.into()],
                )?
                .into_iter()
                .map(|r| Ok(r.opt_text(0)?.unwrap_or_else(|| "<expression>".into())))
                .collect::<xianfeng_store::Result<_>>()?;
            let shape = IndexShape {
                columns,
                unique: ix.i64(1)? != 0,
                partial: ix.i64(3)? != 0,
            };
            let named = if origin == "c" {
                Some(ix.text(0)?)
            } else {
                None
            };
            table.indexes.entry(shape).or_default().push(named);
        }
        schema.insert(name, table);
    }
    Ok(schema)
}

fn postgres_schema(c: &mut dyn Conn) -> xianfeng_store::Result<Schema> {
    let mut schema = Schema::new();
    let tables = c.query(
        "SELECT c.relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') ORDER BY 1",
        &[],
    )?;
    for t in tables {
        let name = t.text(0)?;
        let mut table = Table::default();
        for col in c.query(
            "SELECT a.attname::text, ty.typname::text, a.attnotnull::int
             FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid
             WHERE a.attrelid = (quote_ident(current_schema()) || '.' || quote_ident(?))::regclass
               AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum",
            &[name.as_str().into()],
        )? {
            table.columns.insert(
                col.text(0)?,
                Column {
                    family: postgres_family(&col.text(1)?),
                    not_null: col.i64(2)? != 0,
                },
            );
        }
        for ix in c.query(
            "SELECT i.relname::text, x.indisunique::int, x.indisprimary::int,
                    (x.indpred IS NOT NULL)::int,
                    EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid)::int,
                    (SELECT string_agg(pg_get_indexdef(x.indexrelid, k, true), ',' ORDER BY k)
                     FROM generate_series(1, x.indnkeyatts) k)
             FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
             WHERE x.indrelid = (quote_ident(current_schema()) || '.' || quote_ident(?))::regclass",
            &[name.as_str().into()],
        )? {
            let columns: Vec<String> = ix.text(5)?.split(',').map(str::to_string).collect();
            if ix.i64(2)? != 0 {
                table.primary_key = columns;
                continue;
            }
            let shape = IndexShape {
                columns,
                unique: ix.i64(1)? != 0,
                partial: ix.i64(3)? != 0,
            };
            let named = if ix.i64(4)? == 0 {
                Some(ix.text(0)?)
            } else {
                None
            };
            table.indexes.entry(shape).or_default().push(named);
        }
        schema.insert(name, table);
    }
    Ok(schema)
}

fn schema_of(store: &Store) -> Schema {
    let f = match store.dialect() {
        xianfeng_store::Dialect::Sqlite => sqlite_schema,
        xianfeng_store::Dialect::Postgres => postgres_schema,
    };
    store.read(f).expect("read the schema")
}

/// Every difference between the two schemas, one readable line each.
fn differences(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    let names: BTreeSet<&String> = sqlite.keys().chain(postgres.keys()).collect();
    for name in names {
        let (s, p) = match (sqlite.get(name), postgres.get(name)) {
            (Some(s), Some(p)) => (s, p),
            (Some(_), None) => {
                out.push(format!("table {name}: only in SQLite"));
                continue;
            }
            (None, _) => {
                out.push(format!("table {name}: only in PostgreSQL"));
                continue;
            }
        };
        let columns: BTreeSet<&String> = s.columns.keys().chain(p.columns.keys()).collect();
        for col in columns {
            match (s.columns.get(col), p.columns.get(col)) {
                (Some(a), Some(b)) if a != b => {
                    out.push(format!("{name}.{col}: SQLite {a}, PostgreSQL {b}"))
                }
                (Some(a), None) => out.push(format!("{name}.{col}: only in SQLite ({a})")),
                (None, Some(b)) => out.push(format!("{name}.{col}: only in PostgreSQL ({b})")),
                _ => {}
            }
        }
        if s.primary_key != p.primary_key {
            out.push(format!(
                "{name} primary key: SQLite ({}), PostgreSQL ({})",
                s.primary_key.join(", "),
                p.primary_key.join(", ")
            ));
        }
        let shapes: BTreeSet<&IndexShape> = s.indexes.keys().chain(p.indexes.keys()).collect();
        for shape in shapes {
            let label = |names: &[Option<String>]| {
                names
                    .iter()
                    .map(|n| n.clone().unwrap_or_else(|| "(constraint)".into()))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            match (s.indexes.get(shape), p.indexes.get(shape)) {
                (Some(a), None) => out.push(format!(
                    "{name} index {shape}: only in SQLite ({})",
                    label(a)
                )),
                (None, Some(b)) => out.push(format!(
                    "{name} index {shape}: only in PostgreSQL ({})",
                    label(b)
                )),
                (Some(a), Some(b)) => {
                    // Names count only where both migrations name the index.
                    let named = |v: &[Option<String>]| -> BTreeSet<String> {
                        v.iter().flatten().cloned().collect()
                    };
                    let (na, nb) = (named(a), named(b));
                    if a.len() != b.len() || (!na.is_empty() && !nb.is_empty() && na != nb) {
                        out.push(format!(
                            "{name} index {shape}: SQLite {}, PostgreSQL {}",
                            label(a),
                            label(b)
                        ));
                    }
                }
                (None, None) => {}
            }
        }
    }
    out
}

#[test]
fn schemas_match() {
    let sqlite = testing::sqlite();
    let Some(postgres) = testing::postgres() else {
        return; // no PostgreSQL configured (and none required): nothing to compare with
    };
    let (a, b) = (schema_of(&sqlite), schema_of(&postgres));
    assert!(a.len() > 20, "SQLite schema read: {} tables", a.len());
    let diff = differences(&a, &b);
    assert!(
        diff.is_empty(),
        "the SQLite and PostgreSQL migrations build different schemas ({} differences):\n  {}",
        diff.len(),
        diff.join("\n  ")
    );
}

#[test]
fn migration_lists_have_the_same_versions() {
    let versions = |m: &[(i64, &str)]| m.iter().map(|(v, _)| *v).collect::<Vec<_>>();
    assert_eq!(
        versions(xianfeng_store::sqlite::MIGRATIONS),
        versions(xianfeng_store::postgres::MIGRATIONS)
    );
}

#[test]
fn a_difference_is_reported_readably() {
    // The comparison itself, on two small hand-made schemas.
    let mut a = Schema::new();
    let mut b = Schema::new();
    let col = |family: &str, not_null| Column {
        family: family.into(),
        not_null,
    };
    let mut t = Table::default();
    t.columns.insert("id".into(), col("integer", true));
    t.columns.insert("name".into(), col("text", true));
    t.primary_key = vec!["id".into()];
    t.indexes.insert(
        IndexShape {
            columns: vec!["name".into()],
            unique: true,
            partial: false,
        },
        vec![None],
    );
    a.insert("orgs".into(), t);
    let mut t = Table::default();
    t.columns.insert("id".into(), col("integer", true));
    t.columns.insert("name".into(), col("text", false));
    t.columns.insert("extra".into(), col("blob", false));
    t.primary_key = vec!["id".into()];
    t.indexes.insert(
        IndexShape {
            columns: vec!["name".into()],
            unique: true,
            partial: false,
        },
        vec![Some("orgs_name".into())],
    );
    b.insert("orgs".into(), t);
    b.insert("ghosts".into(), Table::default());
    assert_eq!(
        differences(&a, &b),
        vec![
            "table ghosts: only in PostgreSQL",
            "orgs.extra: only in PostgreSQL (blob NULL)",
            "orgs.name: SQLite text NOT NULL, PostgreSQL text NULL",
        ]
    );
    assert!(differences(&a, &a).is_empty());
}
