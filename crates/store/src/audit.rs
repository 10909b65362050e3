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

/// The audit keys this process holds, by the fingerprint of the personal-data key they come
/// from (`app_setting.pii_key_fingerprint`). `append_audit!` runs inside a transaction
/// without its store at hand; it reads the database's fingerprint and finds the key here.
/// A store registers its key when the key is attached ([`Store::with_key`]).
static AUDIT_KEYS: std::sync::LazyLock<
    std::sync::RwLock<std::collections::HashMap<String, sinergi_core::audit::AuditKey>>,
> = std::sync::LazyLock::new(Default::default);

pub(crate) fn register_audit_key(fingerprint: &str, key: sinergi_core::audit::AuditKey) {
    if let Ok(mut keys) = AUDIT_KEYS.write() {
        keys.insert(fingerprint.to_string(), key);
    }
}

/// The audit key for a database whose personal-data key has `fingerprint`, if this process
/// holds it.
pub(crate) fn audit_key_for(fingerprint: &str) -> Option<sinergi_core::audit::AuditKey> {
    AUDIT_KEYS.read().ok()?.get(fingerprint).cloned()
}

/// Where the chain became keyed, as recorded in `app_setting.audit_keyed_from`:
/// `"<seq>:<tag>"`, the tag an HMAC of the seq under the audit key, so the switch point
/// cannot be moved without the key.
pub(crate) fn switch_text(seq: i64, key: &sinergi_core::audit::AuditKey) -> String {
    format!("{seq}:{}", key.tag(&format!("keyed-from:{seq}")))
}

/// The switch point recorded in `text`, if its tag is right under `key`.
pub(crate) fn parse_switch(text: &str, key: &sinergi_core::audit::AuditKey) -> Option<i64> {
    let (seq, _) = text.split_once(':')?;
    let seq: i64 = seq.parse().ok()?;
    (switch_text(seq, key) == text).then_some(seq)
}

/// Appends `$event` inside the open transaction `$tx` (either backend). Taking the head row
/// first serialises concurrent appenders on both SQLite and PostgreSQL. Once the chain is
/// keyed (`audit_keyed_from` recorded), entries are HMACs under the audit key; a process
/// without that key cannot append (the write fails rather than break the chain).
macro_rules! append_audit {
    ($tx:expr, $event:expr) => {{
        let event: &$crate::audit::AuditEvent = $event;
        let (seq, previous): (i64, String) =
            sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
                .fetch_one(&mut *$tx)
                .await?;
        let settings: Vec<(String, String)> = sqlx::query_as(
            "SELECT key, value FROM app_setting WHERE key IN ('audit_keyed_from', 'pii_key_fingerprint')",
        )
        .fetch_all(&mut *$tx)
        .await?;
        let setting = |name: &str| {
            settings
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let audit_key = setting("pii_key_fingerprint")
            .and_then(|f| $crate::audit::audit_key_for(&f));
        let keyed = setting("audit_keyed_from").is_some();
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
        let hash = match (keyed, &audit_key) {
            (false, _) => entry.chain_hash(&previous),
            (true, Some(k)) => entry.keyed_hash(&previous, k),
            (true, None) => {
                return Err(sqlx::Error::Configuration(
                    "the audit chain is keyed and this process does not hold its key".into(),
                )
                .into());
            }
        };
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

/// Takes the write lock at the start of a transaction `$tx` that reads before it writes (and
/// appends to the audit log, as every write does). On SQLite a deferred transaction that read
/// first cannot upgrade to a writer once another writer has committed: it fails at once with
/// "database is locked" instead of waiting. Taking the audit head row first makes it a writer
/// from its first statement, waiting its turn (busy timeout), on PostgreSQL too.
macro_rules! lock_for_write {
    ($tx:expr) => {{
        sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
            .execute(&mut *$tx)
            .await?;
    }};
}
pub(crate) use lock_for_write;

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
        // SQLite has one writer at a time; a connection that finds the file taken waits in
        // SQLite's busy handler, which sleeps in steps growing to 100 ms. Under a hundred
        // concurrent by-name views those sleeps, not the appends, made the slowest requests
        // (p99 0.4 s for /penerima). This process's views queue here instead, in arrival
        // order, and meet the lock free. PostgreSQL queues on the head row by itself.
        let _turn = match self.kind() {
            crate::BackendKind::Sqlite => Some(self.audit_turn.lock().await),
            crate::BackendKind::Postgres => None,
        };
        match &self.backend {
            crate::Backend::Sqlite(pool) => {
                let mut tx = pool.begin().await?;
                append_audit!(tx, event);
                tx.commit().await?;
            }
            crate::Backend::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                // The head row is held until commit, so each view's entry waited for the one
                // before it to reach the disk (an fsync per by-name page: 120 pages/s). These
                // entries record views, exports and logins, not data: they are committed as
                // SQLite commits them (WAL, synchronous NORMAL): in order and never torn, and
                // only an operating-system crash can lose the last fraction of a second of
                // them. Data changes append in their own transactions, synchronously.
                sqlx::query("SET LOCAL synchronous_commit = off")
                    .execute(&mut *tx)
                    .await?;
                append_audit!(tx, event);
                tx.commit().await?;
            }
        }
        Ok(())
    }

    /// Keys the chain from the next entry on, once: records the switch point (tagged under
    /// the audit key). Entries before it stay plain SHA-256; a chain started after the key
    /// was first attached is keyed from its first entry.
    pub(crate) async fn key_audit_chain(&self) -> Result<(), StoreError> {
        let key = self.pii_key()?.audit_key();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            // Taking the head row serialises this with concurrent appenders.
            let head: i64 =
                sqlx::query_scalar("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq")
                    .fetch_one(&mut *tx)
                    .await?;
            sqlx::query(
                "INSERT INTO app_setting (key, value) VALUES ('audit_keyed_from', $1) \
                 ON CONFLICT (key) DO NOTHING",
            )
            .bind(switch_text(head + 1, &key))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// The chain's head as stored (sequence number and hash): what to record outside the
    /// database and check later with `sinergi audit verify --kepala HASH`.
    pub async fn audit_head(&self) -> Result<(i64, String), StoreError> {
        Ok(on_pool!(self, |pool| sqlx::query_as(
            "SELECT seq, hash FROM audit_head WHERE id = 1"
        )
        .fetch_one(pool)
        .await)?)
    }

    /// The sequence number of the entry whose hash is `hash`, if the chain holds it.
    pub async fn audit_entry_with_hash(&self, hash: &str) -> Result<Option<i64>, StoreError> {
        Ok(on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT seq FROM audit_log WHERE hash = $1"
        )
        .bind(hash.trim().to_ascii_lowercase())
        .fetch_optional(pool)
        .await)?)
    }

    /// Recomputes every hash in order; reports the first broken link. Keyed entries are
    /// checked with this store's key; a moved or forged switch point, or a switch point
    /// removed from a database that has a key, counts as a break at the first entry.
    pub async fn verify_audit_chain(&self) -> Result<ChainReport, StoreError> {
        let settings: Vec<(String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT key, value FROM app_setting WHERE key IN ('audit_keyed_from', 'pii_key_fingerprint')"
        )
        .fetch_all(pool)
        .await
        })?;
        let setting = |name: &str| {
            settings
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        };
        let key = self
            .pii
            .as_deref()
            .map(|k| k.audit_key())
            .or_else(|| setting("pii_key_fingerprint").and_then(|f| audit_key_for(&f)));
        let mut forged_switch = false;
        let keyed_from = match (setting("audit_keyed_from"), &key) {
            (Some(text), Some(k)) => parse_switch(&text, k).unwrap_or_else(|| {
                forged_switch = true;
                1
            }),
            // Keyed, but no key here: every keyed entry fails (the caller must attach it).
            (Some(_), None) => 1,
            // A database that has held a key and lost its switch point: keyed from the start.
            (None, _) if setting("pii_key_fingerprint").is_some() && key.is_some() => 1,
            (None, _) => i64::MAX,
        };
        let mut verifier = ChainVerifier::keyed(key, keyed_from);
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
        if forged_switch && broken.is_none() {
            broken = Some(ChainBreak::Altered { seq: 1 });
        }
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
            sinergi_core::bounded_search(actor).map_err(StoreError::Refused)?;
            sql_where.push_str(&format!(" AND actor_name = {}", ph.next()));
            binds.push(crate::scope::Bind::Text(actor.to_string()));
        }
        if let Some(action) = query.action.as_deref().filter(|s| !s.is_empty()) {
            let action = sinergi_core::bounded_search(action).map_err(StoreError::Refused)?;
            sql_where.push_str(&format!(" AND action LIKE {} ESCAPE '\\'", ph.next()));
            binds.push(crate::scope::Bind::Text(format!(
                "{}%",
                sinergi_core::like_escape(action)
            )));
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
