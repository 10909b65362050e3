//! Schema parity: a fresh SQLite database and a fresh PostgreSQL database, each migrated by
//! the store, have the same tables with the same columns, each of the same type family and
//! the same nullability. A difference fails with a readable list of every drift.

use std::collections::BTreeMap;

use sinergi_store::DatabaseTarget;
use sinergi_testkit::TestDb;
use sqlx::{Connection, Row};

/// What a column holds, independent of the dialect's spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Integer,
    Real,
    Text,
    Bytes,
    /// PostgreSQL BOOLEAN; SQLite has none and stores 0/1 in an INTEGER column.
    Boolean,
    /// PostgreSQL DATE/TIMESTAMPTZ; SQLite has none and stores ISO text.
    DateTime,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Column {
    family: Family,
    not_null: bool,
}

type Schema = BTreeMap<String, BTreeMap<String, (String, Column)>>;

fn sqlite_family(declared: &str) -> Family {
    // SQLite's own affinity rules (https://sqlite.org/datatype3.html §3.1), in their order.
    let t = declared.to_uppercase();
    if t.contains("INT") {
        Family::Integer
    } else if t.contains("CHAR") || t.contains("CLOB") || t.contains("TEXT") {
        Family::Text
    } else if t.contains("BLOB") || t.is_empty() {
        Family::Bytes
    } else if t.contains("REAL") || t.contains("FLOA") || t.contains("DOUB") {
        Family::Real
    } else {
        Family::Other
    }
}

fn postgres_family(data_type: &str) -> Family {
    match data_type {
        "bigint" | "integer" | "smallint" => Family::Integer,
        "double precision" | "real" | "numeric" => Family::Real,
        "text" | "character varying" | "character" => Family::Text,
        "bytea" => Family::Bytes,
        "boolean" => Family::Boolean,
        "date" | "timestamp with time zone" | "timestamp without time zone" => Family::DateTime,
        _ => Family::Other,
    }
}

/// The same family, or the spelling SQLite must use for a type it does not have.
fn compatible(sqlite: Family, postgres: Family) -> bool {
    sqlite == postgres
        && sqlite != Family::Other
        && sqlite != Family::Boolean
        && sqlite != Family::DateTime
        || matches!(
            (sqlite, postgres),
            (Family::Integer, Family::Boolean) | (Family::Text, Family::DateTime)
        )
}

/// Tables that are not data: sqlx's bookkeeping and SQLite's name-search index (an FTS5
/// virtual table and its shadow tables; PostgreSQL's counterpart is an index, not a table).
const INTERNAL: [&str; 6] = [
    "_sqlx_migrations",
    "person_name_index",
    "person_name_index_config",
    "person_name_index_data",
    "person_name_index_docsize",
    "person_name_index_idx",
];

async fn sqlite_schema(db: &TestDb) -> Schema {
    let DatabaseTarget::Sqlite(path) = &db.target else {
        unreachable!()
    };
    let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    let tables: Vec<String> = sqlx::query(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name",
    )
    .fetch_all(&mut c)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get::<String, _>(0))
    .filter(|t| !INTERNAL.contains(&t.as_str()))
    .collect();
    let mut out = Schema::new();
    for table in tables {
        let rows = sqlx::query("SELECT name, type, \"notnull\", pk FROM pragma_table_info(?)")
            .bind(&table)
            .fetch_all(&mut c)
            .await
            .unwrap();
        let columns = rows
            .iter()
            .map(|r| {
                let declared: String = r.get(1);
                let column = Column {
                    family: sqlite_family(&declared),
                    // A primary key column holds no NULL (SQLite reports notnull 0 for it).
                    not_null: r.get::<i64, _>(2) != 0 || r.get::<i64, _>(3) != 0,
                };
                (r.get::<String, _>(0), (declared, column))
            })
            .collect();
        out.insert(table, columns);
    }
    out
}

async fn postgres_schema(db: &TestDb) -> Schema {
    let DatabaseTarget::Postgres(url) = &db.target else {
        unreachable!()
    };
    let mut c = sqlx::PgConnection::connect(url).await.unwrap();
    let rows = sqlx::query(
        "SELECT c.table_name::text, c.column_name::text, c.data_type::text, c.is_nullable::text
           FROM information_schema.columns c
           JOIN information_schema.tables t
             ON t.table_schema = c.table_schema AND t.table_name = c.table_name
          WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'
          ORDER BY c.table_name, c.ordinal_position",
    )
    .fetch_all(&mut c)
    .await
    .unwrap();
    let mut out = Schema::new();
    for r in rows {
        let table: String = r.get(0);
        if INTERNAL.contains(&table.as_str()) {
            continue;
        }
        let data_type: String = r.get(2);
        let column = Column {
            family: postgres_family(&data_type),
            not_null: r.get::<String, _>(3) == "NO",
        };
        out.entry(table)
            .or_default()
            .insert(r.get(1), (data_type, column));
    }
    out
}

/// Every difference between the two schemas, one line each.
fn drifts(sqlite: &Schema, postgres: &Schema) -> Vec<String> {
    let mut out = Vec::new();
    for table in sqlite.keys().filter(|t| !postgres.contains_key(*t)) {
        out.push(format!("table {table}: only in SQLite"));
    }
    for table in postgres.keys().filter(|t| !sqlite.contains_key(*t)) {
        out.push(format!("table {table}: only in PostgreSQL"));
    }
    for (table, s_cols) in sqlite {
        let Some(p_cols) = postgres.get(table) else {
            continue;
        };
        for name in s_cols.keys().filter(|c| !p_cols.contains_key(*c)) {
            out.push(format!("{table}.{name}: only in SQLite"));
        }
        for name in p_cols.keys().filter(|c| !s_cols.contains_key(*c)) {
            out.push(format!("{table}.{name}: only in PostgreSQL"));
        }
        for (name, (s_type, s)) in s_cols {
            let Some((p_type, p)) = p_cols.get(name) else {
                continue;
            };
            if !compatible(s.family, p.family) {
                out.push(format!(
                    "{table}.{name}: type SQLite {s_type} ({:?}) ≠ PostgreSQL {p_type} ({:?})",
                    s.family, p.family
                ));
            }
            if s.not_null != p.not_null {
                let null = |n: bool| if n { "NOT NULL" } else { "nullable" };
                out.push(format!(
                    "{table}.{name}: SQLite {} ≠ PostgreSQL {}",
                    null(s.not_null),
                    null(p.not_null)
                ));
            }
        }
    }
    out
}

#[tokio::test]
async fn sqlite_and_postgres_have_the_same_schema() {
    let sqlite_db = TestDb::sqlite();
    sqlite_db.open().await;
    let Some(pg_db) = TestDb::postgres().await else {
        return; // announced loudly by the testkit
    };
    pg_db.open().await;
    let (sqlite, postgres) = (
        sqlite_schema(&sqlite_db).await,
        postgres_schema(&pg_db).await,
    );
    assert!(
        sqlite.len() > 20,
        "the SQLite schema was not read: {:?}",
        sqlite.keys()
    );
    let columns: usize = sqlite.values().map(BTreeMap::len).sum();
    eprintln!("compared {} tables, {columns} columns", sqlite.len());
    let found = drifts(&sqlite, &postgres);
    assert!(
        found.is_empty(),
        "{} schema drift(s) between SQLite and PostgreSQL:\n  {}",
        found.len(),
        found.join("\n  ")
    );
}

#[test]
fn the_comparison_names_every_kind_of_drift() {
    let col = |family, not_null| Column { family, not_null };
    let schema = |cols: &[(&str, &str, Column)]| -> Schema {
        let mut s = Schema::new();
        for (table, name, c) in cols {
            s.entry(table.to_string())
                .or_default()
                .insert(name.to_string(), ("t".into(), *c));
        }
        s
    };
    let sqlite = schema(&[
        ("a", "id", col(Family::Integer, true)),
        ("a", "flag", col(Family::Integer, true)),
        ("a", "at", col(Family::Text, false)),
        ("a", "n", col(Family::Integer, false)),
        ("a", "only_s", col(Family::Text, false)),
        ("s", "x", col(Family::Text, false)),
    ]);
    let postgres = schema(&[
        ("a", "id", col(Family::Integer, true)),
        ("a", "flag", col(Family::Boolean, true)),
        ("a", "at", col(Family::DateTime, false)),
        ("a", "n", col(Family::Real, true)),
        ("p", "x", col(Family::Text, false)),
    ]);
    let found = drifts(&sqlite, &postgres);
    assert_eq!(found.len(), 5, "{found:#?}");
    for expected in [
        "table s: only in SQLite",
        "table p: only in PostgreSQL",
        "a.only_s: only in SQLite",
        "a.n: type",
        "a.n: SQLite nullable ≠ PostgreSQL NOT NULL",
    ] {
        assert!(
            found.iter().any(|f| f.starts_with(expected)),
            "{expected} missing from {found:#?}"
        );
    }
    assert!(!compatible(Family::Boolean, Family::Integer));
    assert!(!compatible(Family::Other, Family::Other));
    assert_eq!(sqlite_family("INTEGER"), Family::Integer);
    assert_eq!(sqlite_family("DOUBLE PRECISION"), Family::Real);
    assert_eq!(
        postgres_family("timestamp with time zone"),
        Family::DateTime
    );
}
