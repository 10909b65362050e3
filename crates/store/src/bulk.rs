//! The fast path for big person lists (the demo world, a provincial register): rows arrive in
//! chunks over a channel, sealed beforehand on all cores ([`PersonSealer`]), and are written
//! in one transaction — SQLite with wide prepared INSERTs and bulk-load PRAGMAs for the
//! duration, PostgreSQL with `COPY … FROM STDIN`. The list is stored whole or not at all, and
//! audited as one event, exactly as [`Store::import_person_list`] stores it.

use std::sync::Arc;

use rayon::prelude::*;
use sinergi_core::{AidReceived, LegalBasis, Msg, PersonInput, RegionCode, Sex, fold_text};
use sqlx::{AssertSqlSafe, Connection};
use tokio::sync::mpsc::Receiver;

use crate::audit::{Actor, AuditEvent, append_audit, now_text};
use crate::organisations::Organisation;
use crate::persons::{ImportedList, NewPersonList};
use crate::pii::{Nonces, PiiField, PiiKey};
use crate::scope::Placeholders;
use crate::{Backend, BackendKind, Store, StoreError};

/// Columns of `person_record` written for a list row, in bind order.
pub(crate) const RECORD_COLUMNS: &str = "list_id, organisation_id, region_code, name, name_key, \
     sex, birth_date, nik_cipher, nik_hash, nik_masked, kk_cipher, kk_hash, kk_masked, \
     source_line, created_at, birthplace, address_cipher, desil";
const RECORD_COLUMN_COUNT: usize = 18;
/// SQLite allows 32,766 bound values per statement: 1,800 rows × 18 columns stays below.
const SQLITE_ROWS_PER_STATEMENT: usize = 1_800;
const _: () = assert!(SQLITE_ROWS_PER_STATEMENT * RECORD_COLUMN_COUNT <= 32_766);

/// Inserts the `person_list` row of a list in the open transaction `$tx` (either backend)
/// and evaluates to its id; the row count is set by [`finish_list!`] once the rows are in.
macro_rules! insert_list {
    ($tx:expr, $list:expr, $basis:expr, $org:expr, $created_by:expr, $now:expr) => {{
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO person_list (organisation_id, name, legal_basis, consent_reference, \
             source_file, created_by, created_at, row_count, content_hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8) RETURNING id",
        )
        .bind($org.id)
        .bind(&$list.name)
        .bind($basis.key())
        .bind($list.reference.trim())
        .bind(&$list.source_file)
        .bind($created_by)
        .bind($now)
        .bind(&$list.content_hash)
        .fetch_one(&mut *$tx)
        .await?;
        id
    }};
}
pub(crate) use insert_list;

/// Sets the row count of list `$id` to `$rows` in the open transaction `$tx`.
macro_rules! finish_list {
    ($tx:expr, $id:expr, $rows:expr) => {{
        sqlx::query("UPDATE person_list SET row_count = $1 WHERE id = $2")
            .bind($rows as i64)
            .bind($id)
            .execute(&mut *$tx)
            .await?;
    }};
}
pub(crate) use finish_list;

/// The secondary indexes of `person_record` as the migrations created them (name, SQL),
/// read from each database's catalogue so the definitions live in the migrations only.
const SQLITE_INDEXES: &str = "SELECT name, sql FROM sqlite_master WHERE type = 'index' \
     AND tbl_name = 'person_record' AND sql IS NOT NULL ORDER BY name";
const POSTGRES_INDEXES: &str = "SELECT indexname::text, indexdef::text FROM pg_indexes \
     WHERE schemaname = current_schema() AND tablename = 'person_record' \
     AND indexname NOT IN (SELECT conname FROM pg_constraint \
     WHERE conrelid = 'person_record'::regclass) ORDER BY indexname";

/// Into an empty `person_record`, a bulk load drops the secondary indexes inside its
/// transaction and [`rebuild_indexes!`] creates them again before the commit: one sorted build
/// per index instead of a random B-tree insert per row (about half the load time). Readers
/// never see the table without them. Evaluates to the (name, SQL) pairs set aside.
macro_rules! set_aside_indexes {
    ($tx:expr, $catalogue:expr) => {{
        let empty: bool = sqlx::query_scalar("SELECT NOT EXISTS (SELECT 1 FROM person_record)")
            .fetch_one(&mut *$tx)
            .await?;
        let indexes: Vec<(String, String)> = if empty {
            sqlx::query_as($catalogue).fetch_all(&mut *$tx).await?
        } else {
            Vec::new()
        };
        for (name, _) in &indexes {
            sqlx::query(AssertSqlSafe(format!("DROP INDEX {name}")))
                .execute(&mut *$tx)
                .await?;
        }
        indexes
    }};
}

/// Creates the indexes [`set_aside_indexes!`] dropped, in the same transaction.
macro_rules! rebuild_indexes {
    ($tx:expr, $indexes:expr) => {{
        for (_, sql) in &$indexes {
            sqlx::query(AssertSqlSafe(sql.clone()))
                .execute(&mut *$tx)
                .await?;
        }
    }};
}

/// Binds one [`PreparedPerson`] to the next [`RECORD_COLUMNS`] placeholders of `$q`.
macro_rules! bind_record {
    ($q:expr, $list_id:expr, $org_id:expr, $p:expr, $now:expr) => {{
        let p: PreparedPerson = $p;
        $q.bind($list_id)
            .bind($org_id)
            .bind(p.region.into_string())
            .bind(p.name)
            .bind(p.name_key)
            .bind(p.sex)
            .bind(p.birth_date)
            .bind(p.nik_cipher)
            .bind(p.nik_hash)
            .bind(p.nik_masked)
            .bind(p.kk_cipher)
            .bind(p.kk_hash)
            .bind(p.kk_masked)
            .bind(p.source_line)
            .bind($now)
            .bind(p.birthplace)
            .bind(p.address_cipher)
            .bind(p.desil)
    }};
}

/// A person row as stored: identifiers sealed, hashed and masked; text folded for search.
#[derive(Debug, Clone)]
pub struct PreparedPerson {
    /// The row's desa: the store checks it against the viewer's scope before writing.
    pub(crate) region: RegionCode,
    pub(crate) name: String,
    pub(crate) name_key: String,
    pub(crate) sex: Option<&'static str>,
    pub(crate) birth_date: Option<String>,
    pub(crate) nik_cipher: Option<Vec<u8>>,
    pub(crate) nik_hash: Option<Vec<u8>>,
    pub(crate) nik_masked: Option<String>,
    pub(crate) kk_cipher: Option<Vec<u8>>,
    pub(crate) kk_hash: Option<Vec<u8>>,
    pub(crate) kk_masked: Option<String>,
    pub(crate) source_line: i64,
    pub(crate) birthplace: Option<String>,
    pub(crate) address_cipher: Option<Vec<u8>>,
    pub(crate) desil: Option<i64>,
    /// Stored beside the row: its warnings and the aid it records.
    pub(crate) extras: Option<Box<RowExtras>>,
}

/// What a row says beyond the person: stored in `person_warning` and `distribution`.
#[derive(Debug, Clone)]
pub(crate) struct RowExtras {
    pub(crate) warnings: Vec<String>,
    pub(crate) aid: Option<AidReceived>,
}

pub(crate) fn sex_key(s: Sex) -> &'static str {
    match s {
        Sex::Male => "L",
        Sex::Female => "P",
    }
}

impl PreparedPerson {
    /// The one place a person row becomes its stored form (both write paths use it).
    pub(crate) fn new(key: &PiiKey, r: &PersonInput, nonces: &mut Nonces) -> PreparedPerson {
        let nik = r.nik.as_ref().map(|n| n.as_str());
        let kk = r.kk.as_ref().map(|k| k.as_str());
        PreparedPerson {
            region: r.region.clone(),
            name: r.name.trim().to_string(),
            name_key: fold_text(&r.name),
            sex: r.sex.map(sex_key),
            birth_date: r.birth_date.map(|d| d.format("%Y-%m-%d").to_string()),
            nik_cipher: nik.map(|n| key.seal_next(PiiField::Nik, n, nonces)),
            nik_hash: nik.map(|n| key.blind_index(PiiField::Nik, n)),
            nik_masked: r.nik.as_ref().map(|n| n.mask()),
            kk_cipher: kk.map(|k| key.seal_next(PiiField::Kk, k, nonces)),
            kk_hash: kk.map(|k| key.blind_index(PiiField::Kk, k)),
            kk_masked: r.kk.as_ref().map(|k| k.mask()),
            source_line: r.line as i64,
            birthplace: r
                .extra
                .birthplace
                .as_deref()
                .map(str::trim)
                .map(String::from),
            address_cipher: r
                .extra
                .address
                .as_deref()
                .map(|a| key.seal_next(PiiField::Address, a.trim(), nonces)),
            desil: r.extra.desil.map(|d| i64::from(d.number())),
            extras: RowExtras::of(r),
        }
    }

    /// Takes the row's warnings and aid out, for the tables beside `person_record`.
    pub(crate) fn take_extras(&mut self) -> Option<RowExtrasAt> {
        self.extras.take().map(|e| {
            (
                self.source_line,
                self.region.as_str().to_string(),
                self.nik_hash.clone(),
                e,
            )
        })
    }
}

impl RowExtras {
    fn of(r: &PersonInput) -> Option<Box<RowExtras>> {
        let aid = r.extra.aid.clone().filter(|a| !a.is_empty());
        if aid.is_none() && r.extra.warnings.is_empty() {
            return None;
        }
        Some(Box::new(RowExtras {
            warnings: r
                .extra
                .warnings
                .iter()
                .map(|w| w.to_json().to_string())
                .collect(),
            aid,
        }))
    }
}

/// A row's warnings and aid with where they belong: (line, region, NIK hash, extras).
pub(crate) type RowExtrasAt = (i64, String, Option<Vec<u8>>, Box<RowExtras>);

/// The warnings and aid of one chunk of rows.
pub(crate) type ChunkExtras = Vec<RowExtrasAt>;

/// Inserts a chunk's warnings and distributions in the open transaction `$tx`; evaluates to
/// the number of warnings. Distributions get their `person_id` from [`link_distributions!`].
macro_rules! insert_extras {
    ($tx:expr, $list_id:expr, $org_id:expr, $extras:expr, $now:expr) => {{
        let mut warnings = 0u64;
        for (line, region, nik_hash, e) in $extras {
            for w in &e.warnings {
                sqlx::query(
                    "INSERT INTO person_warning (list_id, source_line, message) VALUES ($1, $2, $3)",
                )
                .bind($list_id)
                .bind(line)
                .bind(w)
                .execute(&mut *$tx)
                .await?;
                warnings += 1;
            }
            if let Some(aid) = &e.aid {
                sqlx::query(
                    "INSERT INTO distribution (list_id, organisation_id, region_code, nik_hash, \
                     program, aid_type, received_on, amount_rupiah, source_line, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind($list_id)
                .bind($org_id)
                .bind(region)
                .bind(nik_hash)
                .bind(aid.program.as_deref())
                .bind(aid.aid_type.as_deref())
                .bind(aid.received_on.map(|d| d.format("%Y-%m-%d").to_string()))
                .bind(aid.amount_rupiah)
                .bind(line)
                .bind($now)
                .execute(&mut *$tx)
                .await?;
            }
        }
        warnings
    }};
}

/// Rows are checked as they stream, so a repeated NIK is only seen on its later rows: this
/// second pass, in the open transaction `$tx` before the commit, warns the first row of each
/// repeated NIK of list `$list_id` too, naming the next line. Evaluates to the warnings added.
macro_rules! warn_earlier_repeats {
    ($tx:expr, $list_id:expr) => {
        sqlx::query(
            "INSERT INTO person_warning (list_id, source_line, message) \
             SELECT $1, d.first, '{\"key\":\"intake.nik_repeated_later\",\"args\":{\"later\":\"' \
             || CAST(MIN(r.source_line) AS TEXT) || '\"}}' \
             FROM (SELECT nik_hash, MIN(source_line) AS first FROM person_record \
                   WHERE list_id = $1 AND nik_hash IS NOT NULL \
                   GROUP BY nik_hash HAVING COUNT(*) > 1) d \
             JOIN person_record r ON r.list_id = $1 AND r.nik_hash = d.nik_hash \
             AND r.source_line > d.first GROUP BY d.first",
        )
        .bind($list_id)
        .execute(&mut *$tx)
        .await?
        .rows_affected()
    };
}
pub(crate) use warn_earlier_repeats;

/// Points the distributions of list `$list_id` at their person rows (same list, same line),
/// once the rows and their indexes are in; sets the list's warning count to `$warnings`.
macro_rules! link_distributions {
    ($tx:expr, $list_id:expr, $warnings:expr) => {{
        sqlx::query(
            "UPDATE distribution SET person_id = (SELECT r.id FROM person_record r \
             WHERE r.list_id = distribution.list_id AND r.source_line = distribution.source_line) \
             WHERE list_id = $1",
        )
        .bind($list_id)
        .execute(&mut *$tx)
        .await?;
        sqlx::query("UPDATE person_list SET warning_count = $1 WHERE id = $2")
            .bind($warnings as i64)
            .bind($list_id)
            .execute(&mut *$tx)
            .await?;
    }};
}
pub(crate) use link_distributions;

/// What a person-list load sets aside while its rows go in, rebuilt before the commit.
pub(crate) struct SetAside {
    /// Secondary indexes of an empty `person_record` (name, SQL).
    indexes: Vec<(String, String)>,
    /// SQLite's per-row insert triggers (name index, data generation), (name, SQL): their
    /// work is done once for the whole list instead.
    triggers: Vec<(String, String)>,
}

/// SQLite's triggers that run once per inserted `person_record` row (migration 0009).
const SQLITE_ROW_TRIGGERS: &str = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' \
     AND tbl_name = 'person_record' \
     AND name IN ('person_name_index_insert', 'person_record_generation_insert') ORDER BY name";

/// The writing half of a person-list load in an open transaction, one implementation per
/// backend: SQLite with wide prepared INSERTs, PostgreSQL with `COPY … FROM STDIN`.
pub(crate) trait ListTx {
    /// Before the rows: sets aside what is cheaper rebuilt once (see [`SetAside`]). Call it
    /// once the transaction holds the write lock (after its first write).
    fn set_aside(&mut self) -> impl Future<Output = Result<SetAside, StoreError>> + Send;

    /// Writes sealed rows of list `list_id`, their warnings and aid beside them; evaluates to
    /// the number of warnings written.
    fn write_rows(
        &mut self,
        list_id: i64,
        org_id: i64,
        rows: Vec<PreparedPerson>,
        now: &str,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;

    /// After the rows: rebuilds what [`ListTx::set_aside`] set aside, for list `list_id`.
    fn restore(
        &mut self,
        list_id: i64,
        aside: SetAside,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// `INSERT` of [`SQLITE_ROWS_PER_STATEMENT`] rows, prepared once per connection.
static SQLITE_FULL_INSERT: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| insert_records_sql(BackendKind::Sqlite, SQLITE_ROWS_PER_STATEMENT));

impl ListTx for sqlx::Transaction<'_, sqlx::Sqlite> {
    async fn set_aside(&mut self) -> Result<SetAside, StoreError> {
        let indexes = set_aside_indexes!((*self), SQLITE_INDEXES);
        let triggers: Vec<(String, String)> = sqlx::query_as(SQLITE_ROW_TRIGGERS)
            .fetch_all(&mut **self)
            .await?;
        for (name, _) in &triggers {
            sqlx::query(AssertSqlSafe(format!("DROP TRIGGER {name}")))
                .execute(&mut **self)
                .await?;
        }
        Ok(SetAside { indexes, triggers })
    }

    async fn write_rows(
        &mut self,
        list_id: i64,
        org_id: i64,
        rows: Vec<PreparedPerson>,
        now: &str,
    ) -> Result<u64, StoreError> {
        let mut warnings = 0u64;
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let mut part: Vec<PreparedPerson> =
                rows.by_ref().take(SQLITE_ROWS_PER_STATEMENT).collect();
            let extras: ChunkExtras = part
                .iter_mut()
                .filter_map(PreparedPerson::take_extras)
                .collect();
            let sql = if part.len() == SQLITE_ROWS_PER_STATEMENT {
                SQLITE_FULL_INSERT.clone()
            } else {
                insert_records_sql(BackendKind::Sqlite, part.len())
            };
            let mut q = sqlx::query(AssertSqlSafe(sql));
            for p in part {
                q = bind_record!(q, list_id, org_id, p, now);
            }
            q.execute(&mut **self).await?;
            warnings += insert_extras!((*self), list_id, org_id, extras, now);
        }
        Ok(warnings)
    }

    async fn restore(&mut self, list_id: i64, aside: SetAside) -> Result<(), StoreError> {
        rebuild_indexes!((*self), aside.indexes);
        let names: Vec<&str> = aside.triggers.iter().map(|(n, _)| n.as_str()).collect();
        if names.contains(&"person_name_index_insert") {
            sqlx::query(
                "INSERT INTO person_name_index (rowid, name_key) \
                 SELECT id, name_key FROM person_record WHERE list_id = $1",
            )
            .bind(list_id)
            .execute(&mut **self)
            .await?;
        }
        if names.contains(&"person_record_generation_insert") {
            sqlx::query(
                "UPDATE data_generation SET value = value + 1 WHERE name = 'person_record'",
            )
            .execute(&mut **self)
            .await?;
        }
        for (_, sql) in &aside.triggers {
            sqlx::query(AssertSqlSafe(sql.clone()))
                .execute(&mut **self)
                .await?;
        }
        Ok(())
    }
}

impl ListTx for sqlx::Transaction<'_, sqlx::Postgres> {
    async fn set_aside(&mut self) -> Result<SetAside, StoreError> {
        // The generation trigger runs once per statement here: nothing to set aside.
        let indexes = set_aside_indexes!((*self), POSTGRES_INDEXES);
        Ok(SetAside {
            indexes,
            triggers: Vec::new(),
        })
    }

    async fn write_rows(
        &mut self,
        list_id: i64,
        org_id: i64,
        mut rows: Vec<PreparedPerson>,
        now: &str,
    ) -> Result<u64, StoreError> {
        let mut buf = Vec::with_capacity(rows.len() * 320);
        let mut extras: ChunkExtras = Vec::new();
        for p in &mut rows {
            copy_row(&mut buf, list_id, org_id, p, now);
            extras.extend(p.take_extras());
        }
        drop(rows);
        // One COPY per batch: the batch's warnings and aid follow it, so they are never
        // gathered for the whole file.
        let mut copy = self
            .copy_in_raw(&format!(
                "COPY person_record ({RECORD_COLUMNS}) FROM STDIN (FORMAT text)"
            ))
            .await?;
        copy.send(buf).await?;
        copy.finish().await?;
        Ok(insert_extras!((*self), list_id, org_id, extras, now))
    }

    async fn restore(&mut self, _list_id: i64, aside: SetAside) -> Result<(), StoreError> {
        rebuild_indexes!((*self), aside.indexes);
        Ok(())
    }
}

/// Seals and hashes person rows, on every core: the CPU half of a bulk load, run while the
/// database writes the previous chunk.
#[derive(Clone)]
pub struct PersonSealer(Arc<PiiKey>);

impl std::fmt::Debug for PersonSealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PersonSealer(…)")
    }
}

impl PersonSealer {
    pub fn prepare(&self, rows: &[PersonInput]) -> Vec<PreparedPerson> {
        rows.par_iter()
            .with_min_len(256)
            .map_init(Nonces::new, |nonces, r| {
                PreparedPerson::new(&self.0, r, nonces)
            })
            .collect()
    }
}

/// What the producer of a bulk list sends: chunks of rows, then `Done`. A channel closed
/// without `Done` means the producer failed, and nothing is stored.
#[derive(Debug)]
pub enum BulkChunk {
    Rows(Vec<PreparedPerson>),
    Done,
}

/// Checks a list's legal basis, reference and owner: the same refusals on both write paths.
impl Store {
    pub(crate) async fn checked_list(
        &self,
        list: &NewPersonList,
    ) -> Result<(LegalBasis, Organisation), StoreError> {
        let Some(basis) = list.legal_basis else {
            return Err(StoreError::Refused(Msg::new("lists.basis_missing")));
        };
        if list.reference.trim().is_empty() {
            return Err(StoreError::Refused(Msg::new("lists.reference_missing")));
        }
        let org = self
            .organisation(list.organisation_id)
            .await?
            .ok_or_else(|| {
                StoreError::Refused(
                    Msg::new("lists.organisation_missing").arg("id", list.organisation_id),
                )
            })?;
        Ok((basis, org))
    }

    /// The sealer for this store's key, to prepare rows for [`Store::bulk_person_list`].
    pub fn person_sealer(&self) -> Result<PersonSealer, StoreError> {
        self.pii
            .clone()
            .map(PersonSealer)
            .ok_or(StoreError::KeyMissing)
    }

    /// Stores a big list for the system (the demo loader, an administrator's command), not
    /// for a signed-in user: a user's upload goes through [`Store::import_person_list`],
    /// which checks the scope row by row. One transaction; one audit event.
    pub async fn bulk_person_list(
        &self,
        actor: Actor,
        list: &NewPersonList,
        mut chunks: Receiver<BulkChunk>,
    ) -> Result<ImportedList, StoreError> {
        let (basis, org) = self.checked_list(list).await?;
        let now = now_text();
        let interrupted =
            || StoreError::Refused(Msg::new("lists.load_interrupted").arg("name", &list.name));
        let (list_id, stored) = match &self.backend {
            Backend::Sqlite(pool) => {
                let mut conn = pool.acquire().await?;
                // Bulk-load settings for this connection only, restored afterwards: a large
                // page cache keeps the index B-trees in memory; the commit still syncs the WAL
                // once the transaction is complete.
                let cache: i64 = sqlx::query_scalar("PRAGMA cache_size")
                    .fetch_one(&mut *conn)
                    .await?;
                sqlx::query("PRAGMA cache_size = -524288")
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("PRAGMA temp_store = MEMORY")
                    .execute(&mut *conn)
                    .await?;
                let result = async {
                    let mut tx = conn.begin().await?;
                    let list_id = insert_list!(tx, list, basis, org, actor.id, &now);
                    let aside = tx.set_aside().await?;
                    let mut stored = 0u64;
                    let mut warnings = 0u64;
                    let mut done = false;
                    while let Some(rows) = next_rows(&mut chunks, &mut done).await {
                        stored += rows.len() as u64;
                        warnings += tx.write_rows(list_id, org.id, rows, &now).await?;
                    }
                    if !done {
                        return Err(interrupted());
                    }
                    tx.restore(list_id, aside).await?;
                    warnings += warn_earlier_repeats!(tx, list_id);
                    link_distributions!(tx, list_id, warnings);
                    finish_list!(tx, list_id, stored);
                    let event = list_event(actor, list, basis, &org, stored).id(list_id);
                    append_audit!(tx, &event);
                    tx.commit().await?;
                    Ok::<_, StoreError>((list_id, stored))
                }
                .await;
                sqlx::query(AssertSqlSafe(format!("PRAGMA cache_size = {cache}")))
                    .execute(&mut *conn)
                    .await?;
                sqlx::query("PRAGMA temp_store = DEFAULT")
                    .execute(&mut *conn)
                    .await?;
                result?
            }
            Backend::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                // Only this transaction: its commit does not wait for the WAL flush.
                sqlx::query("SET LOCAL synchronous_commit = off")
                    .execute(&mut *tx)
                    .await?;
                let list_id = insert_list!(tx, list, basis, org, actor.id, &now);
                let aside = tx.set_aside().await?;
                let mut stored = 0u64;
                let mut warnings = 0u64;
                let mut done = false;
                while let Some(rows) = next_rows(&mut chunks, &mut done).await {
                    stored += rows.len() as u64;
                    warnings += tx.write_rows(list_id, org.id, rows, &now).await?;
                }
                if !done {
                    return Err(interrupted());
                }
                tx.restore(list_id, aside).await?;
                warnings += warn_earlier_repeats!(tx, list_id);
                link_distributions!(tx, list_id, warnings);
                finish_list!(tx, list_id, stored);
                let event = list_event(actor, list, basis, &org, stored).id(list_id);
                append_audit!(tx, &event);
                tx.commit().await?;
                (list_id, stored)
            }
        };
        Ok(ImportedList { list_id, stored })
    }
}

/// The next chunk of rows; `None` at the end, where `done` tells a producer that finished
/// from one that stopped.
async fn next_rows(
    chunks: &mut Receiver<BulkChunk>,
    done: &mut bool,
) -> Option<Vec<PreparedPerson>> {
    match chunks.recv().await {
        Some(BulkChunk::Rows(rows)) => Some(rows),
        Some(BulkChunk::Done) => {
            *done = true;
            None
        }
        None => None,
    }
}

/// The audit event of a stored list (both write paths).
pub(crate) fn list_event(
    actor: Actor,
    list: &NewPersonList,
    basis: LegalBasis,
    org: &Organisation,
    rows: u64,
) -> AuditEvent {
    AuditEvent::new(actor, "person_list.import", "person_list")
        .region(&org.region)
        .after(serde_json::json!({
            "nama": list.name,
            "organisasi": org.name,
            "dasar_hukum": basis.key(),
            "rujukan": list.reference,
            "berkas": list.source_file,
            "baris": rows,
        }))
}

/// `INSERT … VALUES` for `rows` rows of [`RECORD_COLUMNS`]. SQLite gets plain `?`
/// placeholders: it treats `$N` as named parameters and looks each one up in a list, which
/// makes preparing a statement of thousands of them quadratic (seconds for 2,000 rows).
fn insert_records_sql(kind: BackendKind, rows: usize) -> String {
    let mut ph = Placeholders::starting_at(1);
    let mut sql = String::with_capacity(rows * RECORD_COLUMN_COUNT * 8 + 200);
    sql.push_str("INSERT INTO person_record (");
    sql.push_str(RECORD_COLUMNS);
    sql.push_str(") VALUES ");
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 0..RECORD_COLUMN_COUNT {
            if c > 0 {
                sql.push_str(", ");
            }
            match kind {
                BackendKind::Sqlite => sql.push('?'),
                BackendKind::Postgres => sql.push_str(&ph.next()),
            }
        }
        sql.push(')');
    }
    sql
}

/// Appends one row in PostgreSQL's COPY text format: tab-separated, `\N` for NULL, bytea as
/// `\\x` + hex, and backslash, tab, newline and carriage return escaped in text.
fn copy_row(buf: &mut Vec<u8>, list_id: i64, org_id: i64, p: &PreparedPerson, now: &str) {
    fn text(buf: &mut Vec<u8>, s: &str) {
        for b in s.bytes() {
            match b {
                b'\\' => buf.extend_from_slice(b"\\\\"),
                b'\t' => buf.extend_from_slice(b"\\t"),
                b'\n' => buf.extend_from_slice(b"\\n"),
                b'\r' => buf.extend_from_slice(b"\\r"),
                _ => buf.push(b),
            }
        }
    }
    fn opt_text(buf: &mut Vec<u8>, s: Option<&str>) {
        match s {
            Some(s) => text(buf, s),
            None => buf.extend_from_slice(b"\\N"),
        }
    }
    fn bytes(buf: &mut Vec<u8>, b: Option<&[u8]>) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        match b {
            Some(b) => {
                buf.extend_from_slice(b"\\\\x");
                for x in b {
                    buf.push(HEX[usize::from(x >> 4)]);
                    buf.push(HEX[usize::from(x & 15)]);
                }
            }
            None => buf.extend_from_slice(b"\\N"),
        }
    }
    use std::io::Write as _;
    let _ = write!(buf, "{list_id}\t{org_id}");
    for text_cell in [p.region.as_str(), &p.name, &p.name_key] {
        buf.push(b'\t');
        text(buf, text_cell);
    }
    for cell in [p.sex, p.birth_date.as_deref()] {
        buf.push(b'\t');
        opt_text(buf, cell);
    }
    for (cipher, hash, masked) in [
        (&p.nik_cipher, &p.nik_hash, &p.nik_masked),
        (&p.kk_cipher, &p.kk_hash, &p.kk_masked),
    ] {
        buf.push(b'\t');
        bytes(buf, cipher.as_deref());
        buf.push(b'\t');
        bytes(buf, hash.as_deref());
        buf.push(b'\t');
        opt_text(buf, masked.as_deref());
    }
    let _ = write!(buf, "\t{}\t", p.source_line);
    text(buf, now);
    buf.push(b'\t');
    opt_text(buf, p.birthplace.as_deref());
    buf.push(b'\t');
    bytes(buf, p.address_cipher.as_deref());
    buf.push(b'\t');
    match p.desil {
        Some(d) => {
            let _ = write!(buf, "{d}");
        }
        None => buf.extend_from_slice(b"\\N"),
    }
    buf.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_rows_escape_text_and_write_bytea_and_nulls() {
        let p = PreparedPerson {
            region: RegionCode::parse("52.03.05.2001").unwrap(),
            name: "A\tB\\C\nD".into(),
            name_key: "a b".into(),
            sex: None,
            birth_date: Some("1990-07-05".into()),
            nik_cipher: Some(vec![0x00, 0xab]),
            nik_hash: None,
            nik_masked: None,
            kk_cipher: None,
            kk_hash: None,
            kk_masked: None,
            source_line: 7,
            birthplace: Some("Mataram".into()),
            address_cipher: None,
            desil: Some(3),
            extras: None,
        };
        let mut buf = Vec::new();
        copy_row(&mut buf, 1, 2, &p, "t");
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            "1\t2\t52.03.05.2001\tA\\tB\\\\C\\nD\ta b\t\\N\t1990-07-05\t\\\\x00ab\t\\N\t\\N\t\\N\t\\N\t\\N\t7\tt\tMataram\t\\N\t3\n"
        );
    }

    #[test]
    fn placeholders_follow_the_dialect() {
        let sql = insert_records_sql(BackendKind::Postgres, 2);
        assert!(sql.ends_with(
            "($19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36)"
        ));
        let sql = insert_records_sql(BackendKind::Sqlite, 2);
        let row = format!("({})", vec!["?"; RECORD_COLUMN_COUNT].join(", "));
        assert!(sql.ends_with(&format!("VALUES {row}, {row}")));
    }
}
