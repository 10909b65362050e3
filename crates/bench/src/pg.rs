//! The benchmark's own PostgreSQL databases (`sinergi_bench_*`): created empty, dropped at the end.

use anyhow::Context;
use sqlx::{Connection, PgConnection};
use tokio::runtime::Runtime;

/// The server's version, or why it cannot be reached.
pub async fn server_version(url: &str) -> anyhow::Result<String> {
    let connect = PgConnection::connect(url);
    let mut conn = tokio::time::timeout(std::time::Duration::from_secs(10), connect)
        .await
        .context("timed out after 10 s")??;
    let version: String = sqlx::query_scalar("SHOW server_version")
        .fetch_one(&mut conn)
        .await?;
    conn.close().await.ok();
    Ok(version)
}

/// `url` with its database name replaced by `db`.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let server = match base.split_once("://") {
        Some((_, rest)) if rest.contains('/') => base.rsplit_once('/').map_or(base, |(s, _)| s),
        _ => base,
    };
    match query {
        Some(q) => format!("{server}/{db}?{q}"),
        None => format!("{server}/{db}"),
    }
}

/// Creates fresh databases on one server and drops every one of them when dropped.
pub struct PgDatabases<'rt> {
    rt: &'rt Runtime,
    url: String,
    created: Vec<String>,
    /// Names are never reused, even after a database is discarded.
    next: u32,
}

impl<'rt> PgDatabases<'rt> {
    pub fn new(rt: &'rt Runtime, url: &str) -> PgDatabases<'rt> {
        PgDatabases {
            rt,
            url: url.to_string(),
            created: Vec::new(),
            next: 0,
        }
    }

    /// A new empty database; returns its URL.
    pub fn fresh(&mut self) -> anyhow::Result<String> {
        let name = format!("sinergi_bench_{}_{}", std::process::id(), self.next);
        self.next += 1;
        self.rt
            .block_on(async {
                let mut admin = PgConnection::connect(&self.url).await?;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                )))
                .execute(&mut admin)
                .await?;
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut admin)
                    .await?;
                admin.close().await.ok();
                Ok::<_, sqlx::Error>(())
            })
            .with_context(|| format!("CREATE DATABASE {name}"))?;
        self.created.push(name.clone());
        Ok(with_database(&self.url, &name))
    }

    /// Drops the database behind `db_url` now, if it is one of ours.
    pub fn discard(&mut self, db_url: &str) {
        let Some(pos) = self
            .created
            .iter()
            .position(|n| with_database(&self.url, n) == db_url)
        else {
            return;
        };
        let name = self.created.remove(pos);
        self.drop_database(&name);
    }

    fn drop_database(&self, name: &str) {
        let result = self.rt.block_on(async {
            let mut admin = PgConnection::connect(&self.url).await?;
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
            )))
            .execute(&mut admin)
            .await?;
            admin.close().await.ok();
            Ok::<_, sqlx::Error>(())
        });
        if let Err(e) = result {
            eprintln!("sinergi-bench: could not drop database {name}: {e}");
        }
    }
}

impl Drop for PgDatabases<'_> {
    fn drop(&mut self) {
        for name in std::mem::take(&mut self.created) {
            self.drop_database(&name);
        }
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
        assert_eq!(
            super::with_database("postgres://p@h:5432", "x"),
            "postgres://p@h:5432/x"
        );
    }
}
