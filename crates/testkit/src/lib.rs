//! Fresh databases for tests, on both backends.
//!
//! PostgreSQL: `SINERGI_TEST_POSTGRES` names a server URL (default
//! `postgres://postgres@127.0.0.1:5432/test`); each test gets a database of its own, dropped
//! afterwards. If the server cannot be reached the test **fails**, unless
//! `SINERGI_TEST_POSTGRES=skip` says to skip, which `scripts/test.sh` announces in a banner.
//! Nothing passes silently.

pub mod browser;
pub mod people;
pub mod world;

use std::sync::atomic::{AtomicU32, Ordering};

use sinergi_store::{DatabaseTarget, Store};
use sqlx::Connection;

pub const DEFAULT_POSTGRES: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A database that exists for one test.
pub struct TestDb {
    pub target: DatabaseTarget,
    pub label: &'static str,
    _dir: Option<tempfile::TempDir>,
    pg_drop: Option<(String, String)>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// The PostgreSQL server URL to test against, or `None` when skipping was asked for.
pub fn postgres_url() -> Option<String> {
    match std::env::var("SINERGI_TEST_POSTGRES") {
        Ok(v) if v == "skip" => {
            eprintln!("!!! PostgreSQL tests SKIPPED (SINERGI_TEST_POSTGRES=skip) !!!");
            None
        }
        Ok(v) if !v.is_empty() => Some(v),
        _ => Some(DEFAULT_POSTGRES.to_string()),
    }
}

fn with_database(url: &str, db: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let server = base.rsplit_once('/').map_or(base, |(s, _)| s);
    match query {
        Some(q) => format!("{server}/{db}?{q}"),
        None => format!("{server}/{db}"),
    }
}

impl TestDb {
    /// A new SQLite file in a temporary folder.
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temporary folder");
        let target = DatabaseTarget::Sqlite(dir.path().join("sinergi.db"));
        TestDb {
            target,
            label: "sqlite",
            _dir: Some(dir),
            pg_drop: None,
        }
    }

    /// A new, empty PostgreSQL database, or `None` when PostgreSQL tests are skipped.
    pub async fn postgres() -> Option<TestDb> {
        let url = postgres_url()?;
        let mut admin = sqlx::PgConnection::connect(&url).await.unwrap_or_else(|e| {
            panic!(
                "PostgreSQL is not reachable at {url}: {e}\n\
                 Start it (see README), point SINERGI_TEST_POSTGRES at a server, \
                 or set SINERGI_TEST_POSTGRES=skip to skip these tests loudly."
            )
        });
        let name = format!(
            "sinergi_t_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        );
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut admin)
            .await
            .expect("CREATE DATABASE");
        admin.close().await.ok();
        Some(TestDb {
            target: DatabaseTarget::Postgres(with_database(&url, &name)),
            label: "postgres",
            _dir: None,
            pg_drop: Some((url, name)),
        })
    }

    /// SQLite always, and PostgreSQL unless skipped.
    pub async fn all() -> Vec<TestDb> {
        let mut out = vec![TestDb::sqlite()];
        out.extend(TestDb::postgres().await);
        out
    }

    pub async fn open(&self) -> Store {
        Store::open(self.target.clone())
            .await
            .unwrap_or_else(|e| panic!("open {}: {e}", self.label))
    }

    /// Opens the database and loads the embedded region register (91,599 regions) if empty.
    pub async fn open_seeded(&self) -> Store {
        let store = self.open().await;
        if store.region_count().await.expect("count regions") == 0 {
            let list = sinergi_refdata::wilayah().expect("embedded regions");
            store
                .apply_region_list(
                    &list,
                    sinergi_refdata::wilayah_effective_date(),
                    sinergi_refdata::WILAYAH_SOURCE,
                )
                .await
                .unwrap_or_else(|e| panic!("seed {}: {e}", self.label));
        }
        // Boundaries as a first start loads them (cli setup), so tests see the real maps.
        if store
            .boundary_counts()
            .await
            .expect("count boundaries")
            .is_empty()
        {
            let boundaries = sinergi_refdata::boundaries().expect("embedded boundaries");
            store
                .seed_boundaries(&boundaries, sinergi_refdata::BOUNDARY_SOURCE)
                .await
                .unwrap_or_else(|e| panic!("boundaries {}: {e}", self.label));
        }
        store
    }

    /// Runs SQL behind the store's back (to tamper with data, as an attacker with file or
    /// server access could). Returns the rows' first column as bytes, if any.
    pub async fn raw(&self, sql: &str) -> Vec<Option<Vec<u8>>> {
        self.try_raw(sql)
            .await
            .unwrap_or_else(|e| panic!("raw SQL on {}: {e}", self.label))
    }

    /// Like [`TestDb::raw`], returning the database's refusal instead of panicking.
    pub async fn try_raw(&self, sql: &str) -> Result<Vec<Option<Vec<u8>>>, sqlx::Error> {
        use sqlx::Row;
        let sql = sqlx::AssertSqlSafe(sql.to_string());
        let rows = match &self.target {
            DatabaseTarget::Sqlite(p) => {
                let mut c =
                    sqlx::SqliteConnection::connect(&format!("sqlite://{}", p.display())).await?;
                let rows = sqlx::query(sql).fetch_all(&mut c).await?;
                rows.iter()
                    .map(|r| r.try_get::<Option<Vec<u8>>, _>(0).ok().flatten())
                    .collect()
            }
            DatabaseTarget::Postgres(url) => {
                let mut c = sqlx::PgConnection::connect(url).await?;
                let rows = sqlx::query(sql).fetch_all(&mut c).await?;
                rows.iter()
                    .map(|r| r.try_get::<Option<Vec<u8>>, _>(0).ok().flatten())
                    .collect()
            }
        };
        Ok(rows)
    }

    /// The database as a `--database` argument.
    pub fn arg(&self) -> String {
        match &self.target {
            DatabaseTarget::Sqlite(p) => p.display().to_string(),
            DatabaseTarget::Postgres(url) => url.clone(),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Some((url, name)) = self.pg_drop.take() else {
            return;
        };
        // Drop runs outside any runtime; a short-lived thread owns one.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .ok()?;
            rt.block_on(async {
                let mut admin = sqlx::PgConnection::connect(&url).await.ok()?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut admin)
                .await
                .ok()
            })
        })
        .join();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn replaces_the_database_name() {
        assert_eq!(
            super::with_database("postgres://p@h:5432/test", "x"),
            "postgres://p@h:5432/x"
        );
        assert_eq!(
            super::with_database("postgres://p@h/test?sslmode=disable", "x"),
            "postgres://p@h/x?sslmode=disable"
        );
    }
}
