//! The append-only, hash-chained audit log: every change and every by-name view or export.
//!
//! Entries are appended inside the transaction of the change they record, so a change and
//! its audit entry are stored together or not at all.

use serde::Serialize;
use sinergi_core::audit::{AuditEntry, ChainBreak, ChainVerifier};
use sinergi_core::{Principal, RegionCode};
use sqlx::AssertSqlSafe;

use crate::scope::{Placeholders, audit_filter, bind_filter};
use crate::{Page, Paged, Scoped, Store, StoreError, on_pool};

/// Now, as stored: RFC 3339 UTC with microseconds (sorts as text, same bytes on both backends).
pub(crate) fn now_text() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.6fZ")
        .to_string()
}

/// Who did it: a signed-in user, or the system itself (CLI, start-up, a failed login).
#[derive(Debug, Clone)]
pub struct Actor {
    pub id: Option<i64>,
    pub name: String,
}

impl Actor {
    pub fn system(name: &str) -> Actor {
        Actor {
            id: None,
            name: name.to_string(),
        }
    }
}

impl From<&sinergi_core::Viewer> for Actor {
    fn from(v: &sinergi_core::Viewer) -> Actor {
        match v {
            sinergi_core::Viewer::User(p) => Actor::from(p),
            sinergi_core::Viewer::System(name) => Actor::system(name),
            sinergi_core::Viewer::Public => Actor::system("publik"),
        }
    }
}

impl From<&Principal> for Actor {
    fn from(p: &Principal) -> Actor {
        Actor {
            id: Some(p.user_id),
            name: p.username.clone(),
        }
    }
}

/// One event to record.
#[derive(Debug, Clone)]
pub struct AuditEvent {
    pub actor: Actor,
    pub action: &'static str,
    pub entity: &'static str,
    pub entity_id: Option<String>,
    pub region: Option<String>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl AuditEvent {
    pub fn new(actor: impl Into<Actor>, action: &'static str, entity: &'static str) -> AuditEvent {
        AuditEvent {
            actor: actor.into(),
            action,
            entity,
            entity_id: None,
            region: None,
            before: None,
            after: None,
        }
    }

    pub fn id(mut self, id: impl ToString) -> Self {
        self.entity_id = Some(id.to_string());
        self
    }

    pub fn region(mut self, region: impl ToString) -> Self {
        self.region = Some(region.to_string());
        self
    }

    pub fn before(mut self, v: impl Serialize) -> Self {
        self.before = serde_json::to_value(v).ok();
        self
    }

    pub fn after(mut self, v: impl Serialize) -> Self {
        self.after = serde_json::to_value(v).ok();
        self
    }
}

/// Appends `$event` inside the open transaction `$tx` (either backend). Taking the head row
/// first serialises concurrent appenders on both SQLite and PostgreSQL.
macro_rules! append_audit {
    ($tx:expr, $event:expr) => {{
        let event: &$crate::audit::AuditEvent = $event;
        let (seq, previous): (i64, String) =
            sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
                .fetch_one(&mut *$tx)
                .await?;
        let entry = sinergi_core::audit::AuditEntry {
            seq,
            at: $crate::audit::now_text(),
            actor_id: event.actor.id,
            actor_name: event.actor.name.clone(),
            action: event.action.to_string(),
            entity: event.entity.to_string(),
            entity_id: event.entity_id.clone(),
            region: event.region.clone(),
            before: event.before.as_ref().map(|v| v.to_string()),
            after: event.after.as_ref().map(|v| v.to_string()),
        };
        let hash = entry.chain_hash(&previous);
        sqlx::query(
            "INSERT INTO audit_log (seq, at, actor_id, actor_name, action, entity, entity_id, \
             region_code, before_json, after_json, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(entry.seq)
        .bind(&entry.at)
        .bind(entry.actor_id)
        .bind(&entry.actor_name)
        .bind(&entry.action)
        .bind(&entry.entity)
        .bind(&entry.entity_id)
        .bind(&entry.region)
        .bind(&entry.before)
        .bind(&entry.after)
        .bind(&previous)
        .bind(&hash)
        .execute(&mut *$tx)
        .await?;
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
            .bind(&hash)
            .execute(&mut *$tx)
            .await?;
    }};
}
pub(crate) use append_audit;

/// An audit entry as the admin page and API show it: exactly what the chain hashes.
pub type AuditRecord = AuditEntry;

/// Filters for the audit page.
#[derive(Debug, Clone, Default)]
pub struct AuditQuery {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub region: Option<RegionCode>,
}

/// What `sinergi audit verify` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub checked: u64,
    pub head_seq: i64,
    pub head_hash: String,
    pub broken: Option<ChainBreak>,
    /// The head row disagrees with the last entry: the tail was cut off.
    pub head_mismatch: bool,
}

type AuditRow = (
    i64,
    String,
    Option<i64>,
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

const AUDIT_COLUMNS: &str = "seq, at, actor_id, actor_name, action, entity, entity_id, \
                             region_code, before_json, after_json";

fn to_entry(r: AuditRow) -> AuditEntry {
    AuditEntry {
        seq: r.0,
        at: r.1,
        actor_id: r.2,
        actor_name: r.3,
        action: r.4,
        entity: r.5,
        entity_id: r.6,
        region: r.7,
        before: r.8,
        after: r.9,
    }
}

impl Store {
    /// Records an event on its own (views, exports, logins); changes record theirs in their
    /// own transaction.
    pub async fn record(&self, event: &AuditEvent) -> Result<(), StoreError> {
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            append_audit!(tx, event);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Recomputes every hash in order; reports the first broken link.
    pub async fn verify_audit_chain(&self) -> Result<ChainReport, StoreError> {
        let mut verifier = ChainVerifier::default();
        let mut broken = None;
        let mut after = 0i64;
        'pages: loop {
            let sql = format!(
                "SELECT {AUDIT_COLUMNS}, prev_hash, hash FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT 5000"
            );
            type Row = (
                i64,
                String,
                Option<i64>,
                String,
                String,
                String,
                Option<String>,
                Option<String>,
                Option<String>,
                Option<String>,
                String,
                String,
            );
            let rows: Vec<Row> = on_pool!(self, |pool| sqlx::query_as(AssertSqlSafe(sql.clone()))
                .bind(after)
                .fetch_all(pool)
                .await)?;
            if rows.is_empty() {
                break;
            }
            for r in rows {
                after = r.0;
                let (prev, hash) = (r.10.clone(), r.11.clone());
                let entry = to_entry((r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8, r.9));
                if let Err(b) = verifier.push(&entry, &prev, &hash) {
                    broken = Some(b);
                    break 'pages;
                }
            }
        }
        let (head_seq, head_hash): (i64, String) = on_pool!(self, |pool| sqlx::query_as(
            "SELECT seq, hash FROM audit_head WHERE id = 1"
        )
        .fetch_one(pool)
        .await)?;
        let head_mismatch =
            broken.is_none() && (head_seq != verifier.last_seq() || head_hash != verifier.head());
        Ok(ChainReport {
            checked: verifier.checked,
            head_seq,
            head_hash,
            broken,
            head_mismatch,
        })
    }
}

impl Scoped<'_> {
    /// Audit entries this viewer may read (`scope::audit_filter`), newest first.
    pub async fn audit_entries(
        &self,
        query: &AuditQuery,
        page: Page,
    ) -> Result<Paged<AuditRecord>, StoreError> {
        self.require_admin()?;
        let mut ph = Placeholders::starting_at(1);
        let Some(visible) = audit_filter(self.viewer(), query.region.as_ref(), &mut ph) else {
            return Ok(Paged::empty(page));
        };
        let mut sql_where = visible.sql;
        let mut binds = visible.binds;
        if let Some(actor) = query.actor.as_deref().filter(|s| !s.is_empty()) {
            sql_where.push_str(&format!(" AND actor_name = {}", ph.next()));
            binds.push(crate::scope::Bind::Text(actor.to_string()));
        }
        if let Some(action) = query.action.as_deref().filter(|s| !s.is_empty()) {
            sql_where.push_str(&format!(" AND action LIKE {}", ph.next()));
            binds.push(crate::scope::Bind::Text(format!("{action}%")));
        }
        let count_sql = format!("SELECT COUNT(*) FROM audit_log WHERE {sql_where}");
        let list_sql = format!(
            "SELECT {AUDIT_COLUMNS} FROM audit_log WHERE {sql_where} ORDER BY seq DESC LIMIT {} OFFSET {}",
            page.limit(),
            page.offset()
        );
        let (total, rows): (i64, Vec<AuditRow>) = on_pool!(self, |pool| {
            let total: i64 =
                bind_filter!(sqlx::query_scalar(AssertSqlSafe(count_sql.clone())), binds)
                    .fetch_one(pool)
                    .await?;
            let rows: Vec<AuditRow> =
                bind_filter!(sqlx::query_as(AssertSqlSafe(list_sql.clone())), binds)
                    .fetch_all(pool)
                    .await?;
            Ok::<_, sqlx::Error>((total, rows))
        })?;
        Ok(Paged {
            items: rows.into_iter().map(to_entry).collect(),
            total: total as u64,
            page: page.number,
            size: page.size,
        })
    }
}
