//! Choosing and opening a backend, and turning driver failures into clear messages.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};

use crate::{Backend, StoreError};

pub const DEFAULT_SQLITE_PATH: &str = "sinergi.db";

/// Which database to use: a SQLite file (the default) or a PostgreSQL URL.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseTarget {
    Sqlite(PathBuf),
    Postgres(String),
}

impl DatabaseTarget {
    /// Accepts `postgres://…`, `postgresql://…`, `sqlite:PATH`, `sqlite://PATH` or a plain path.
    pub fn parse(input: &str) -> Result<DatabaseTarget, StoreError> {
        let s = input.trim();
        let bad = |reason: &str| StoreError::BadUrl {
            input: redact(s),
            reason: reason.to_string(),
        };
        if s.is_empty() {
            return Err(bad("kosong"));
        }
        if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            PgConnectOptions::from_str(s).map_err(|e| bad(&e.to_string()))?;
            return Ok(DatabaseTarget::Postgres(s.to_string()));
        }
        if let Some(rest) = s
            .strip_prefix("sqlite://")
            .or_else(|| s.strip_prefix("sqlite:"))
        {
            if rest.is_empty() || rest == ":memory:" {
                return Err(bad("sebutkan nama berkas SQLite, mis. sqlite:./sinergi.db"));
            }
            return Ok(DatabaseTarget::Sqlite(PathBuf::from(rest)));
        }
        if let Some((scheme, _)) = s.split_once("://") {
            return Err(bad(&format!(
                "skema \"{scheme}\" tidak didukung; pakai postgres://… atau path berkas SQLite"
            )));
        }
        Ok(DatabaseTarget::Sqlite(PathBuf::from(s)))
    }
}

impl Default for DatabaseTarget {
    fn default() -> Self {
        DatabaseTarget::Sqlite(PathBuf::from(DEFAULT_SQLITE_PATH))
    }
}

/// Drops the password from a URL so it can be printed or logged.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (auth, host) = match rest.rsplit_once('@') {
        Some((auth, host)) => (Some(auth), host),
        None => (None, rest),
    };
    match auth {
        Some(auth) => {
            let user = auth.split(':').next().unwrap_or_default();
            let masked = if auth.contains(':') {
                format!("{user}:***")
            } else {
                user.to_string()
            };
            format!("{scheme}://{masked}@{host}")
        }
        None => url.to_string(),
    }
}

impl fmt::Display for DatabaseTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DatabaseTarget::Sqlite(path) => write!(f, "SQLite {}", path.display()),
            DatabaseTarget::Postgres(url) => write!(f, "{}", redact(url)),
        }
    }
}

impl fmt::Debug for DatabaseTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

pub(crate) async fn connect(target: &DatabaseTarget) -> Result<Backend, StoreError> {
    match target {
        DatabaseTarget::Sqlite(path) => {
            // SQLite only notices a write-protected file when the process cannot write it,
            // and root can write anything: check the permission bits ourselves so a file
            // marked read-only is never modified, whoever runs the program.
            if std::fs::metadata(path).is_ok_and(|m| m.permissions().readonly()) {
                return Err(StoreError::SqliteReadOnly {
                    path: path.display().to_string(),
                });
            }
            let opts = SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(8)
                .connect_with(opts)
                .await
                .map_err(|e| classify(target, e))?;
            // A file that is not SQLite only fails once a page is read.
            sqlx::query("SELECT count(*) FROM sqlite_master")
                .execute(&pool)
                .await
                .map_err(|e| classify(target, e))?;
            Ok(Backend::Sqlite(pool))
        }
        DatabaseTarget::Postgres(url) => {
            let opts = PgConnectOptions::from_str(url).map_err(|e| StoreError::BadUrl {
                input: redact(url),
                reason: e.to_string(),
            })?;
            // One direct attempt first: the pool would retry a refused connection until its
            // timeout and report only that, hiding the cause (refused, unknown host, …).
            sqlx::PgConnection::connect_with(&opts)
                .await
                .map_err(|e| classify(target, e))?
                .close()
                .await
                .map_err(|e| classify(target, e))?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(opts)
                .await
                .map_err(|e| classify(target, e))?;
            Ok(Backend::Postgres(pool))
        }
    }
}

/// Maps a driver error to the message a user can act on.
pub(crate) fn classify(target: &DatabaseTarget, err: sqlx::Error) -> StoreError {
    match target {
        DatabaseTarget::Sqlite(path) => {
            let path = path.display().to_string();
            let code = match &err {
                sqlx::Error::Database(db) => db.code().and_then(|c| c.parse::<i32>().ok()),
                _ => None,
            };
            // Primary result codes: the low byte of SQLite's extended code.
            match code.map(|c| c & 0xff) {
                Some(11) | Some(26) => StoreError::SqliteCorrupt { path },
                Some(8) => StoreError::SqliteReadOnly { path },
                Some(14) => StoreError::SqliteCannotOpen { path },
                _ => StoreError::Query(err),
            }
        }
        DatabaseTarget::Postgres(_) => {
            let shown = target.to_string();
            match &err {
                sqlx::Error::Database(db) => {
                    let detail = db.message().to_string();
                    match db.code().as_deref() {
                        Some("28P01") | Some("28000") => StoreError::AuthFailed {
                            target: shown,
                            detail,
                        },
                        Some("3D000") => StoreError::DatabaseMissing {
                            target: shown,
                            detail,
                        },
                        _ => StoreError::Query(err),
                    }
                }
                sqlx::Error::Io(e) => StoreError::Unreachable {
                    target: shown,
                    detail: e.to_string(),
                },
                sqlx::Error::PoolTimedOut => StoreError::Unreachable {
                    target: shown,
                    detail: "waktu tunggu habis".to_string(),
                },
                sqlx::Error::Tls(e) => StoreError::Unreachable {
                    target: shown,
                    detail: e.to_string(),
                },
                _ => StoreError::Query(err),
            }
        }
    }
}

pub(crate) fn classify_migrate_error(
    target: &DatabaseTarget,
    err: sqlx::migrate::MigrateError,
) -> StoreError {
    use sqlx::migrate::MigrateError;
    match err {
        MigrateError::Execute(e) => classify(target, e),
        MigrateError::ExecuteMigration(e, _) => classify(target, e),
        other => StoreError::Migration {
            target: target.to_string(),
            detail: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_targets() {
        assert_eq!(
            DatabaseTarget::parse("data/x.db").unwrap(),
            DatabaseTarget::Sqlite("data/x.db".into())
        );
        assert_eq!(
            DatabaseTarget::parse("sqlite:./a.db").unwrap(),
            DatabaseTarget::Sqlite("./a.db".into())
        );
        assert!(matches!(
            DatabaseTarget::parse("postgres://u@localhost/db"),
            Ok(DatabaseTarget::Postgres(_))
        ));
        let err = DatabaseTarget::parse("mysql://root@localhost/db")
            .unwrap_err()
            .to_string();
        assert!(err.contains("mysql"), "{err}");
        assert!(DatabaseTarget::parse("sqlite::memory:").is_err());
        assert!(DatabaseTarget::parse("postgres://u@localhost:notaport/db").is_err());
    }

    #[test]
    fn never_prints_a_password() {
        let t =
            DatabaseTarget::parse("postgres://sinergi:rahasia123@db.local:5432/sinergi").unwrap();
        let shown = format!("{t} {t:?}");
        assert!(!shown.contains("rahasia123"), "{shown}");
        assert!(
            shown.contains("sinergi:***@db.local:5432/sinergi"),
            "{shown}"
        );
        let err = DatabaseTarget::parse("postgres://u:rahasia@h:xx/db")
            .unwrap_err()
            .to_string();
        assert!(!err.contains("rahasia"), "{err}");
    }
}
