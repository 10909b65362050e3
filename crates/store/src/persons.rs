//! Person-level lists: stored with encrypted identifiers, read only through the access scope,
//! and every by-name view, reveal, export and change audited.

use serde::Serialize;
use sinergi_core::{Disclosed, LegalBasis, Level, Msg, PersonInput, RegionCode, fold_text};
use sqlx::AssertSqlSafe;
use tokio::sync::mpsc::Receiver;

use crate::audit::{AuditEvent, append_audit, now_text};
use crate::bulk::{
    ListTx, PersonSealer, PreparedPerson, finish_list, insert_list, link_distributions, list_event,
    warn_earlier_repeats,
};
use crate::pii::{PiiField, PiiKey};
use crate::scope::{Bind, Placeholders, bind_filter, within_regions};
use crate::{Page, Paged, Scoped, Store, StoreError, on_pool};

/// A person-level list to store; refused without a legal basis and its reference.
#[derive(Debug, Clone)]
pub struct NewPersonList {
    pub organisation_id: i64,
    pub name: String,
    pub legal_basis: Option<LegalBasis>,
    /// Consent register, agreement (PKS) or decree number the basis rests on.
    pub reference: String,
    pub source_file: Option<String>,
    /// SHA-256 of the file's bytes (hex): the same file twice for one organisation is refused.
    pub content_hash: Option<String>,
    /// An earlier list of the same organisation this one replaces, in the same transaction.
    pub replaces: Option<i64>,
}

/// A stored list.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ImportedList {
    pub list_id: i64,
    pub stored: u64,
}

/// A row the scope refused, with its line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutOfScopeRow {
    pub line: u64,
    pub region: RegionCode,
}

/// What the list pages and API show of a person: identifiers masked.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PersonRow {
    pub id: i64,
    pub list_id: i64,
    pub list_name: String,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub region: String,
    pub region_name: Option<String>,
    pub name: String,
    pub sex: Option<String>,
    pub birth_date: Option<String>,
    pub nik_masked: Option<String>,
    pub kk_masked: Option<String>,
}

/// Filters for the person list; all optional.
#[derive(Debug, Clone, Default)]
pub struct PersonFilter {
    /// A name (or part of one), or a full 16-digit NIK matched exactly by its keyed hash.
    pub query: Option<String>,
    pub region: Option<RegionCode>,
    pub list_id: Option<i64>,
}

/// A place in the person list's order (region code, then id). Keyset pages start after one
/// or end before one, so the 200th page costs what the first does on either backend.
/// Written `52.03.05.2003_1234` in links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonKey {
    pub region: RegionCode,
    pub id: i64,
}

impl std::fmt::Display for PersonKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}_{}", self.region, self.id)
    }
}

impl std::str::FromStr for PersonKey {
    type Err = Msg;

    /// A key as written in a link; anything else is refused naming the value.
    fn from_str(s: &str) -> Result<PersonKey, Msg> {
        let bad =
            || Msg::new("security.bad_cursor").arg("value", s.chars().take(40).collect::<String>());
        let (region, id) = s.trim().rsplit_once('_').ok_or_else(bad)?;
        let region = RegionCode::parse(region).map_err(|_| bad())?;
        let id: i64 = id.parse().map_err(|_| bad())?;
        if id <= 0 {
            return Err(bad());
        }
        Ok(PersonKey { region, id })
    }
}

/// Which keyset page of the person list to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PersonCursor {
    #[default]
    First,
    /// The rows after this key.
    After(PersonKey),
    /// The rows before this key (the page before one already shown).
    Before(PersonKey),
}

/// One keyset page of the person list.
#[derive(Debug, Clone, Serialize)]
pub struct PersonPage {
    pub items: Vec<PersonRow>,
    /// Matching rows, counted up to [`PERSON_COUNT_CAP`] + 1 (above the cap: "more than").
    pub total: u64,
    /// The first row's key when rows come before this page (for a "previous" link).
    #[serde(skip)]
    pub before: Option<PersonKey>,
    /// The last row's key when rows follow this page (for a "next" link).
    #[serde(skip)]
    pub after: Option<PersonKey>,
}

/// `(r.region_code, r.id) <op> ($n, $n+1)`: the keyset condition, as a row value both
/// backends answer with a range over the `(region_code, id)` index.
fn keyset_condition(op: &str, first_placeholder: usize) -> String {
    format!(
        "(r.region_code, r.id) {op} (${}, ${})",
        first_placeholder,
        first_placeholder + 1
    )
}

/// An export under way: the scoped condition it was started with and where it has got to.
/// Owns its store handle, so it can be read on another thread while the request returns.
pub struct PersonExport {
    store: Store,
    sql_where: String,
    binds: Vec<Bind>,
    next_placeholder: usize,
    /// The last row read, as the (region code, id) key the rows are ordered by.
    after: Option<(String, i64)>,
    total: u64,
}

impl PersonExport {
    /// The number of rows counted (and audited) when the export started.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The next `limit` rows after the last one read (keyset paging on the scope index's
    /// order, so each chunk costs the same however far in it is); empty at the end.
    pub async fn next_chunk(&mut self, limit: u32) -> Result<Vec<PersonRow>, StoreError> {
        let mut binds = self.binds.clone();
        let mut sql_where = self.sql_where.clone();
        if let Some((region, id)) = &self.after {
            sql_where = format!(
                "{sql_where} AND {}",
                keyset_condition(">", self.next_placeholder)
            );
            binds.push(Bind::Text(region.clone()));
            binds.push(Bind::Int(*id));
        }
        let sql = format!(
            "SELECT {PERSON_COLUMNS} {PERSON_FROM} WHERE {sql_where} ORDER BY r.region_code, r.id LIMIT {}",
            limit.max(1)
        );
        let rows: Vec<PersonDbRow> = on_pool!(self.store, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())),
            binds
        )
        .fetch_all(pool)
        .await)?;
        if let Some(last) = rows.last() {
            self.after = Some((last.5.clone(), last.0));
        }
        Ok(rows.into_iter().map(to_row).collect())
    }
}

/// Which identifier to reveal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identifier {
    Nik,
    Kk,
}

type PersonDbRow = (
    i64,
    i64,
    String,
    i64,
    String,
    String,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

const PERSON_FROM: &str = "FROM person_record r \
     JOIN person_list l ON l.id = r.list_id \
     JOIN organisation o ON o.id = r.organisation_id \
     LEFT JOIN region g ON g.code = r.region_code";

const PERSON_COLUMNS: &str = "r.id, r.list_id, l.name, r.organisation_id, o.name, r.region_code, \
     g.name, r.name, r.sex, r.birth_date, r.nik_masked, r.kk_masked";

fn to_row(r: PersonDbRow) -> PersonRow {
    PersonRow {
        id: r.0,
        list_id: r.1,
        list_name: r.2,
        organisation_id: r.3,
        organisation_name: r.4,
        region: r.5,
        region_name: r.6,
        name: r.7,
        sex: r.8,
        birth_date: r.9,
        nik_masked: r.10,
        kk_masked: r.11,
    }
}

/// The refusal of a file already stored for the organisation, naming the earlier import.
fn same_file(id: i64, name: &str, created_at: &str) -> Msg {
    Msg::new("lists.same_file")
        .arg("id", id)
        .arg("name", name)
        .arg("date", created_at.get(..10).unwrap_or(created_at))
}

/// Retires list `$old` in favour of `$new` in the open transaction `$tx`: its rows, warnings
/// and distributions go; the list row stays, pointing at its replacement.
macro_rules! retire_list {
    ($tx:expr, $old:expr, $new:expr) => {{
        for sql in [
            "DELETE FROM distribution WHERE list_id = $1",
            "DELETE FROM person_warning WHERE list_id = $1",
            "DELETE FROM person_fact WHERE person_id IN \
             (SELECT id FROM person_record WHERE list_id = $1)",
            "DELETE FROM person_record WHERE list_id = $1",
        ] {
            sqlx::query(sql).bind($old).execute(&mut *$tx).await?;
        }
        sqlx::query("UPDATE person_list SET replaced_by = $1 WHERE id = $2")
            .bind($new)
            .bind($old)
            .execute(&mut *$tx)
            .await?;
    }};
}

impl Store {
    pub(crate) fn pii_key(&self) -> Result<&PiiKey, StoreError> {
        self.pii.as_deref().ok_or(StoreError::KeyMissing)
    }
}

/// Person lists count at most this many rows; `Paged::total` above it means "more than".
pub const PERSON_COUNT_CAP: u64 = 10_000;

impl Scoped<'_> {
    /// The scoped WHERE clause for person rows plus the caller's filters.
    fn person_where(&self, filter: &PersonFilter) -> Result<(String, Vec<Bind>), StoreError> {
        self.person_where_numbered(filter)
            .map(|(sql, binds, _)| (sql, binds))
    }

    /// [`Self::person_where`] with the number of the next free placeholder.
    fn person_where_numbered(
        &self,
        filter: &PersonFilter,
    ) -> Result<(String, Vec<Bind>, usize), StoreError> {
        let mut ph = Placeholders::starting_at(1);
        let scope = self.rows("r.region_code", "r.organisation_id", &mut ph);
        let mut sql = scope.sql;
        let mut binds = scope.binds;
        if let Some(region) = &filter.region
            && let Some(f) = within_regions(std::slice::from_ref(region), "r.region_code", &mut ph)
        {
            sql = format!("{sql} AND {}", f.sql);
            binds.extend(f.binds);
        }
        if let Some(list) = filter.list_id {
            sql = format!("{sql} AND r.list_id = {}", ph.next());
            binds.push(Bind::Int(list));
        }
        let query = filter
            .query
            .as_deref()
            .map(sinergi_core::bounded_search)
            .transpose()
            .map_err(StoreError::Refused)?;
        if let Some(q) = query.filter(|q| !q.is_empty()) {
            let digits: String = q.chars().filter(|c| c.is_ascii_digit()).collect();
            if digits.len() == 16 && q.chars().all(|c| c.is_ascii_digit() || " .-".contains(c)) {
                let hash = self.pii_key()?.blind_index(PiiField::Nik, &digits);
                sql = format!("{sql} AND r.nik_hash = {}", ph.next());
                binds.push(Bind::Bytes(hash));
            } else {
                let folded = fold_text(q);
                if folded.is_empty() {
                    // Only punctuation (`%`, `_`, …): no name contains it; never "everyone".
                    sql = format!("{sql} AND 1 = 0");
                } else if self.kind() == crate::BackendKind::Sqlite && folded.chars().count() >= 3 {
                    // Through the trigram index (migration 0009). A phrase of trigrams is a
                    // substring match answered from the index alone; `LIKE` would also read
                    // each match's row back to re-check it (twice the page reads). A folded
                    // name holds only letters, digits and spaces, so the quoted phrase needs
                    // no escaping.
                    sql = format!(
                        "{sql} AND r.id IN (SELECT rowid FROM person_name_index WHERE person_name_index MATCH {})",
                        ph.next()
                    );
                    binds.push(Bind::Text(format!("\"{folded}\"")));
                } else if self.kind() == crate::BackendKind::Sqlite {
                    // One or two letters make no trigram: scan the scoped rows, which the
                    // count cap and the page limit bound.
                    sql = format!("{sql} AND r.name_key LIKE {}", ph.next());
                    binds.push(Bind::Text(format!("%{folded}%")));
                } else {
                    // pg_trgm's index serves this LIKE directly.
                    sql = format!("{sql} AND r.name_key LIKE {} ESCAPE '\\'", ph.next());
                    binds.push(Bind::Text(sinergi_core::like_contains(&folded)));
                }
            }
        }
        Ok((sql, binds, ph.upcoming()))
    }

    /// Stores a person-level list in one transaction: all rows or none, with each row's
    /// details, warnings and the aid it records. The same file again for the organisation is
    /// refused naming the earlier import; `list.replaces` retires an earlier list in the same
    /// transaction. `progress` hears the rows written so far.
    pub async fn import_person_list(
        &self,
        list: &NewPersonList,
        rows: &[PersonInput],
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<Result<ImportedList, Vec<OutOfScopeRow>>, StoreError> {
        self.import_batches(list, Batches::Slice(rows.chunks(5_000)), progress)
            .await
    }

    /// [`Self::import_person_list`] for rows that arrive in batches while the file is still
    /// being read: written as they come, in the one transaction, which commits only after
    /// [`ListBatch::Done`]. A channel closed without it (the file was refused after some
    /// rows) stores nothing. Rows outside the viewer's scope are all gathered, then nothing
    /// is stored.
    pub async fn import_person_batches(
        &self,
        list: &NewPersonList,
        batches: &mut Receiver<ListBatch>,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<Result<ImportedList, Vec<OutOfScopeRow>>, StoreError> {
        self.import_batches(list, Batches::Channel(batches), progress)
            .await
    }

    async fn import_batches(
        &self,
        list: &NewPersonList,
        mut batches: Batches<'_>,
        progress: &(dyn Fn(u64) + Send + Sync),
    ) -> Result<Result<ImportedList, Vec<OutOfScopeRow>>, StoreError> {
        let (basis, org) = self.checked_list(list).await?;
        self.require_write()?;
        let viewer = self.viewer();
        if let Some(p) = viewer.principal()
            && p.role.is_organisation_bound()
            && p.scope.organisation != Some(org.id)
        {
            return Err(StoreError::Forbidden);
        }
        let sealer = self.person_sealer()?;
        let now = now_text();
        let created_by = viewer.principal().map(|p| p.user_id);
        let interrupted =
            || StoreError::Refused(Msg::new("lists.load_interrupted").arg("name", &list.name));
        let written = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            if let Some(old) = list.replaces {
                let owner: Option<(i64, Option<i64>)> = sqlx::query_as(
                    "SELECT organisation_id, replaced_by FROM person_list WHERE id = $1",
                )
                .bind(old)
                .fetch_optional(&mut *tx)
                .await?;
                if owner != Some((org.id, None)) {
                    return Err(StoreError::Refused(
                        Msg::new("lists.replace_unknown").arg("id", old),
                    ));
                }
            }
            if let Some(hash) = &list.content_hash {
                let earlier: Option<(i64, String, String)> = sqlx::query_as(
                    "SELECT id, name, created_at FROM person_list WHERE organisation_id = $1 \
                     AND content_hash = $2 AND replaced_by IS NULL AND id <> $3",
                )
                .bind(org.id)
                .bind(hash)
                .bind(list.replaces.unwrap_or(0))
                .fetch_optional(&mut *tx)
                .await?;
                if let Some((id, name, at)) = earlier {
                    return Err(StoreError::Refused(same_file(id, &name, &at)));
                }
            }
            let list_id = insert_list!(tx, list, basis, org, created_by, &now);
            if let Some(old) = list.replaces {
                retire_list!(tx, old, list_id);
            }
            // Taken after the list row: this transaction already holds the write lock, so
            // no other writer sees the table without its indexes or triggers.
            let aside = tx.set_aside().await?;
            let mut warnings = 0u64;
            let mut written = 0u64;
            // Once a row lies outside the scope nothing more is written, but the rest is
            // still read so the refusal names every such row.
            let mut outside: Vec<OutOfScopeRow> = Vec::new();
            while let Some(batch) = batches.next(&sealer).await {
                outside.extend(
                    batch
                        .iter()
                        .filter(|r| !viewer.may_see(&r.region, org.id))
                        .map(|r| OutOfScopeRow {
                            line: r.source_line as u64,
                            region: r.region.clone(),
                        }),
                );
                if !outside.is_empty() {
                    continue;
                }
                let n = batch.len() as u64;
                warnings += tx.write_rows(list_id, org.id, batch, &now).await?;
                written += n;
                progress(written);
            }
            if !batches.finished() {
                return Err(interrupted());
            }
            if !outside.is_empty() {
                // Dropping the transaction rolls it back.
                return Ok(Err(outside));
            }
            tx.restore(list_id, aside).await?;
            warnings += warn_earlier_repeats!(tx, list_id);
            finish_list!(tx, list_id, written);
            link_distributions!(tx, list_id, warnings);
            let mut event = list_event(self.actor(), list, basis, &org, written);
            if let Some(old) = list.replaces {
                event = event.before(serde_json::json!({ "daftar_diganti": old }));
            }
            let event = event.id(list_id);
            append_audit!(tx, &event);
            tx.commit().await?;
            ImportedList {
                list_id,
                stored: written,
            }
        });
        Ok(Ok(written))
    }

    /// A live list of `organisation_id` stored from a file with this content hash, if any (its
    /// id and the refusal naming it): checked before a file is read, so a second import is
    /// refused at once.
    pub async fn list_with_content(
        &self,
        organisation_id: i64,
        content_hash: &str,
    ) -> Result<Option<(i64, Msg)>, StoreError> {
        let earlier: Option<(i64, String, String)> = on_pool!(self, |pool| sqlx::query_as(
            "SELECT id, name, created_at FROM person_list WHERE organisation_id = $1 \
             AND content_hash = $2 AND replaced_by IS NULL"
        )
        .bind(organisation_id)
        .bind(content_hash)
        .fetch_optional(pool)
        .await)?;
        Ok(earlier.map(|(id, name, at)| (id, same_file(id, &name, &at))))
    }

    /// One page of the persons the principal may see, by region then id (the order the scope
    /// indexes hold, so a page never sorts the whole scope). Showing names is a by-name view:
    /// audited.
    pub async fn persons(
        &self,
        filter: &PersonFilter,
        page: Page,
    ) -> Result<Paged<PersonRow>, StoreError> {
        let (sql_where, binds) = self.person_where(filter)?;
        // Every filter column lives on person_record: count without the display joins.
        // Counting stops past the cap, so a broad scope or a common name never costs a
        // request more than that many rows; the page then says "more than".
        let count_sql = format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM person_record r WHERE {sql_where} LIMIT {}) c",
            PERSON_COUNT_CAP + 1
        );
        let list_sql = format!(
            "SELECT {PERSON_COLUMNS} {PERSON_FROM} WHERE {sql_where} ORDER BY r.region_code, r.id LIMIT {} OFFSET {}",
            // Pages past the cap are not offered; a typed-in one must not skip millions.
            if page.offset() as u64 > PERSON_COUNT_CAP {
                0
            } else {
                page.limit()
            },
            page.offset()
        );
        let (total, rows): (i64, Vec<PersonDbRow>) = on_pool!(self, |pool| {
            let total: i64 =
                bind_filter!(sqlx::query_scalar(AssertSqlSafe(count_sql.clone())), binds)
                    .fetch_one(pool)
                    .await?;
            let rows: Vec<PersonDbRow> =
                bind_filter!(sqlx::query_as(AssertSqlSafe(list_sql.clone())), binds)
                    .fetch_all(pool)
                    .await?;
            (total, rows)
        });
        if !rows.is_empty() {
            self.record(
                &AuditEvent::new(self.actor(), "person.list", "person")
                    .region(
                        filter
                            .region
                            .as_ref()
                            .map(|r| r.to_string())
                            .unwrap_or_else(|| rows[0].5.clone()),
                    )
                    .after(serde_json::json!({
                        "halaman": page.number,
                        "baris": rows.len(),
                        "id": rows.iter().map(|r| r.0).collect::<Vec<_>>(),
                    })),
            )
            .await?;
        }
        Ok(Paged {
            items: rows.into_iter().map(to_row).collect(),
            total: total as u64,
            page: page.number,
            size: page.size,
        })
    }

    /// A keyset page of the people in scope matching the filter, in (region code, id) order,
    /// with the count capped as in [`Self::persons`]. Each page reads only its own rows
    /// through the `(region_code, id)` index, however far into the list it is (no OFFSET),
    /// and is audited as a by-name view.
    pub async fn person_page(
        &self,
        filter: &PersonFilter,
        cursor: &PersonCursor,
        size: u32,
    ) -> Result<PersonPage, StoreError> {
        let size = size.clamp(1, Page::MAX_SIZE);
        let (sql_where, binds, next) = self.person_where_numbered(filter)?;
        let searching = filter
            .query
            .as_deref()
            .is_some_and(|q| !q.trim().is_empty());
        // A name search answers from one pass over its matches when they fit under the
        // cap; otherwise (and without a search) the count and the page are read apart.
        let found = if searching {
            self.search_page(&sql_where, &binds, cursor, size).await?
        } else {
            None
        };
        let (total, rows, has_before, has_after) = match found {
            Some(found) => found,
            None => {
                self.list_page(&sql_where, binds, next, cursor, size)
                    .await?
            }
        };
        let key_of = |r: &PersonDbRow| {
            RegionCode::parse(&r.5)
                .ok()
                .map(|region| PersonKey { region, id: r.0 })
        };
        let before = if has_before {
            rows.first().and_then(key_of)
        } else {
            None
        };
        let after = if has_after {
            rows.last().and_then(key_of)
        } else {
            None
        };
        if !rows.is_empty() {
            let position = match cursor {
                PersonCursor::First => serde_json::Value::Null,
                PersonCursor::After(k) => serde_json::json!({ "setelah": k.to_string() }),
                PersonCursor::Before(k) => serde_json::json!({ "sebelum": k.to_string() }),
            };
            self.record(
                &AuditEvent::new(self.actor(), "person.list", "person")
                    .region(
                        filter
                            .region
                            .as_ref()
                            .map(|r| r.to_string())
                            .unwrap_or_else(|| rows[0].5.clone()),
                    )
                    .after(serde_json::json!({
                        "posisi": position,
                        "baris": rows.len(),
                        "id": rows.iter().map(|r| r.0).collect::<Vec<_>>(),
                    })),
            )
            .await?;
        }
        Ok(PersonPage {
            items: rows.into_iter().map(to_row).collect(),
            total,
            before,
            after,
        })
    }

    /// The count (capped) and a keyset page read apart: the count stops past the cap, the
    /// page reads its rows (one more, to know whether another follows) through the
    /// `(region_code, id)` index. Returns (count, rows in order, rows before, rows after).
    async fn list_page(
        &self,
        sql_where: &str,
        mut binds: Vec<Bind>,
        next: usize,
        cursor: &PersonCursor,
        size: u32,
    ) -> Result<(u64, Vec<PersonDbRow>, bool, bool), StoreError> {
        let count_sql = format!(
            "SELECT COUNT(*) FROM (SELECT 1 FROM person_record r WHERE {sql_where} LIMIT {}) c",
            PERSON_COUNT_CAP + 1
        );
        let count_binds = binds.clone();
        let (list_where, descending, key) = match cursor {
            PersonCursor::First => (sql_where.to_string(), false, None),
            PersonCursor::After(k) => (
                format!("{sql_where} AND {}", keyset_condition(">", next)),
                false,
                Some(k),
            ),
            PersonCursor::Before(k) => (
                format!("{sql_where} AND {}", keyset_condition("<", next)),
                true,
                Some(k),
            ),
        };
        if let Some(k) = key {
            binds.push(Bind::Text(k.region.to_string()));
            binds.push(Bind::Int(k.id));
        }
        let dir = if descending { "DESC" } else { "ASC" };
        let list_sql = format!(
            "SELECT {PERSON_COLUMNS} {PERSON_FROM} WHERE {list_where} \
             ORDER BY r.region_code {dir}, r.id {dir} LIMIT {}",
            size + 1
        );
        // The capped count is the same on every page of the list while the rows are
        // unchanged: kept per query (scope and filter bound in) and generation.
        let count_key = crate::kept::query_key(&count_sql, &count_binds);
        let generation = self.person_generation().await?;
        let total = match self.kept.count(&count_key, generation) {
            Some(total) => total,
            None => {
                let _reading = self.kept.reading(&count_key).await;
                match self.kept.count(&count_key, generation) {
                    Some(total) => total,
                    None => {
                        let total: i64 = on_pool!(self, |pool| bind_filter!(
                            sqlx::query_scalar(AssertSqlSafe(count_sql.clone())),
                            count_binds
                        )
                        .fetch_one(pool)
                        .await)?;
                        self.kept.keep_count(count_key, generation, total);
                        total
                    }
                }
            }
        };
        let mut rows: Vec<PersonDbRow> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(list_sql.clone())),
            binds
        )
        .fetch_all(pool)
        .await)?;
        let more = rows.len() > size as usize;
        rows.truncate(size as usize);
        if descending {
            rows.reverse();
        }
        // Going forward, the rows before are those already passed; going back, the key
        // asked for follows this page.
        let (has_before, has_after) = match cursor {
            PersonCursor::First => (false, more),
            PersonCursor::After(_) => (true, more),
            PersonCursor::Before(_) => (more, true),
        };
        Ok((total as u64, rows, has_before, has_after))
    }

    /// A name search's page from one pass over its matches: the keys of every match in
    /// scope (at most the cap, plus one to tell "more"), so the search index is read once
    /// per request instead of once for the count and again for the page; then only the
    /// page's rows by id. None when the matches pass the cap (the caller reads the count
    /// and the page apart).
    async fn search_page(
        &self,
        sql_where: &str,
        binds: &[Bind],
        cursor: &PersonCursor,
        size: u32,
    ) -> Result<Option<(u64, Vec<PersonDbRow>, bool, bool)>, StoreError> {
        let keys_sql = format!(
            "SELECT r.region_code, r.id FROM person_record r WHERE {sql_where} LIMIT {}",
            PERSON_COUNT_CAP + 1
        );
        // Every page of a search reads the same matches: kept per query (scope and term
        // bound in) while the person rows are unchanged.
        let search_key = crate::kept::query_key(&keys_sql, binds);
        let generation = self.person_generation().await?;
        let mut kept = self.kept.search(&search_key, generation);
        let _reading = match kept {
            Some(_) => None,
            None => {
                let reading = self.kept.reading(&search_key).await;
                kept = self.kept.search(&search_key, generation);
                Some(reading)
            }
        };
        let keys = match kept {
            Some(keys) => keys,
            None => {
                let mut keys: Vec<(String, i64)> = on_pool!(self, |pool| bind_filter!(
                    sqlx::query_as(AssertSqlSafe(keys_sql.clone())),
                    binds
                )
                .fetch_all(pool)
                .await)?;
                // Region codes compare byte by byte, as both backends order them (C
                // collation).
                keys.sort_unstable();
                let keys = std::sync::Arc::new(keys);
                self.kept.keep_search(search_key, generation, keys.clone());
                keys
            }
        };
        drop(_reading);
        if keys.len() as u64 > PERSON_COUNT_CAP {
            return Ok(None);
        }
        let at = |k: &PersonKey, inclusive: bool| {
            keys.partition_point(|(region, id)| {
                let here = (region.as_str(), *id);
                let there = (k.region.as_str(), k.id);
                if inclusive {
                    here <= there
                } else {
                    here < there
                }
            })
        };
        let size = size as usize;
        let (start, end) = match cursor {
            PersonCursor::First => (0, size.min(keys.len())),
            PersonCursor::After(k) => {
                let s = at(k, true);
                (s, (s + size).min(keys.len()))
            }
            PersonCursor::Before(k) => {
                let e = at(k, false);
                (e.saturating_sub(size), e)
            }
        };
        let ids: Vec<i64> = keys[start..end].iter().map(|(_, id)| *id).collect();
        let mut rows: Vec<PersonDbRow> = Vec::with_capacity(ids.len());
        if !ids.is_empty() {
            // The scope again (not the search): the ids came from a scoped read a moment ago.
            let mut ph = Placeholders::starting_at(1);
            let scope = self.rows("r.region_code", "r.organisation_id", &mut ph);
            let list: Vec<String> = ids.iter().map(|id| id.to_string()).collect();
            let sql = format!(
                "SELECT {PERSON_COLUMNS} {PERSON_FROM} WHERE {} AND r.id IN ({}) \
                 ORDER BY r.region_code, r.id",
                scope.sql,
                list.join(", ")
            );
            rows = on_pool!(self, |pool| bind_filter!(
                sqlx::query_as(AssertSqlSafe(sql.clone())),
                scope.binds
            )
            .fetch_all(pool)
            .await)?;
        }
        Ok(Some((keys.len() as u64, rows, start > 0, end < keys.len())))
    }

    async fn scoped_person(&self, id: i64) -> Result<Option<PersonDbRow>, StoreError> {
        let mut ph = Placeholders::starting_at(2);
        let scope = self.rows("r.region_code", "r.organisation_id", &mut ph);
        let sql = format!(
            "SELECT {PERSON_COLUMNS} {PERSON_FROM} WHERE r.id = $1 AND {}",
            scope.sql
        );
        Ok(on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())).bind(id),
            scope.binds
        )
        .fetch_optional(pool)
        .await)?)
    }

    /// One person, if in scope; audited as a by-name view.
    pub async fn person(&self, id: i64) -> Result<Option<PersonRow>, StoreError> {
        let Some(row) = self.scoped_person(id).await? else {
            return Ok(None);
        };
        self.record(
            &AuditEvent::new(self.actor(), "person.view", "person")
                .id(id)
                .region(&row.5),
        )
        .await?;
        Ok(Some(to_row(row)))
    }

    /// The full NIK or No. KK of a person in scope, for roles allowed to reveal; audited.
    pub async fn reveal(&self, id: i64, which: Identifier) -> Result<Option<String>, StoreError> {
        if !self.viewer().can_reveal() {
            return Err(StoreError::Forbidden);
        }
        let Some(row) = self.scoped_person(id).await? else {
            return Ok(None);
        };
        let (col, field, label) = match which {
            Identifier::Nik => ("nik_cipher", PiiField::Nik, "nik"),
            Identifier::Kk => ("kk_cipher", PiiField::Kk, "kk"),
        };
        let sql = format!("SELECT {col} FROM person_record WHERE id = $1");
        let sealed: Option<Vec<u8>> =
            on_pool!(self, |pool| sqlx::query_scalar(AssertSqlSafe(sql.clone()))
                .bind(id)
                .fetch_one(pool)
                .await)?;
        let Some(sealed) = sealed else {
            return Ok(None);
        };
        let plain = self.pii_key()?.open(field, &sealed)?;
        self.record(
            &AuditEvent::new(self.actor(), "person.reveal", "person")
                .id(id)
                .region(&row.5)
                .after(serde_json::json!({ "kolom": label })),
        )
        .await?;
        Ok(Some(plain))
    }

    /// A search term as the audit log may hold it: never the NIK, No. KK or name typed, but
    /// the NIK's keyed hash (the same as the person row's `nik_hash`, hex) with its mask, or a
    /// keyed fingerprint of the text with its length.
    pub(crate) fn audited_search(&self, query: Option<&str>) -> Option<serde_json::Value> {
        let q = query.map(str::trim).filter(|q| !q.is_empty())?;
        let digits: String = q.chars().filter(|c| c.is_ascii_digit()).collect();
        let key = self.pii_key().ok();
        if digits.len() == 16 && q.chars().all(|c| c.is_ascii_digit() || " .-".contains(c)) {
            // The screen's mask (`5203********0001`), whether or not the number is valid.
            let masked = format!("{}********{}", &digits[..4], &digits[12..]);
            return Some(serde_json::json!({
                "nik": masked,
                "nik_hash": key.map(|k| sinergi_core::audit::hex(&k.blind_index(PiiField::Nik, &digits))),
            }));
        }
        Some(serde_json::json!({
            "teks_sidik": key.map(|k| k.search_fingerprint(q)),
            "panjang": q.chars().count(),
        }))
    }

    /// Every person in scope matching the filter, for export, read in one go: for callers
    /// that know the list is small (tests, the CLI). Large downloads use
    /// [`Self::start_person_export`] and read it chunk by chunk.
    pub async fn export_persons(
        &self,
        filter: &PersonFilter,
    ) -> Result<Vec<PersonRow>, StoreError> {
        let mut export = self.start_person_export(filter).await?;
        let mut rows = Vec::new();
        loop {
            let chunk = export.next_chunk(5_000).await?;
            if chunk.is_empty() {
                return Ok(rows);
            }
            rows.extend(chunk);
        }
    }

    /// Starts an export of every person in scope matching the filter: checks the role may
    /// export by name, counts the rows and audits the export with that count and the search
    /// term's fingerprint ([`Self::audited_search`]), never the term itself. The rows are
    /// then read in keyset chunks, so memory stays bounded whatever the list's size.
    pub async fn start_person_export(
        &self,
        filter: &PersonFilter,
    ) -> Result<PersonExport, StoreError> {
        if !self.viewer().may_export_by_name() {
            return Err(StoreError::Forbidden);
        }
        let (sql_where, binds, next_placeholder) = self.person_where_numbered(filter)?;
        let count_sql = format!("SELECT COUNT(*) FROM person_record r WHERE {sql_where}");
        let total: i64 = on_pool!(self, |pool| bind_filter!(
            sqlx::query_scalar(AssertSqlSafe(count_sql.clone())),
            binds
        )
        .fetch_one(pool)
        .await)?;
        let mut event = AuditEvent::new(self.actor(), "person.export", "person").after(
            serde_json::json!({ "baris": total, "saring": self.audited_search(filter.query.as_deref()), "daftar": filter.list_id }),
        );
        event.region = filter
            .region
            .as_ref()
            .or(self
                .viewer()
                .principal()
                .and_then(|p| p.scope.regions.first()))
            .map(|r| r.to_string());
        self.record(&event).await?;
        Ok(PersonExport {
            store: self.store().clone(),
            sql_where,
            binds,
            next_placeholder,
            after: None,
            total: total as u64,
        })
    }
    /// Moves a person to another region (a new domicile); both must be in scope.
    pub async fn move_person(&self, id: i64, to: &RegionCode) -> Result<bool, StoreError> {
        self.require_write()?;
        let Some(row) = self.scoped_person(id).await? else {
            return Ok(false);
        };
        if !self.viewer().may_see(to, row.3) {
            return Err(StoreError::Forbidden);
        }
        let event = AuditEvent::new(self.actor(), "person.move", "person")
            .id(id)
            .region(to)
            .before(serde_json::json!({ "wilayah": row.5 }))
            .after(serde_json::json!({ "wilayah": to.to_string() }));
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query("UPDATE person_record SET region_code = $1 WHERE id = $2")
                .bind(to.to_string())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(true)
    }

    /// Person counts per region at `level` under `within`, across all organisations: for
    /// the public with small counts suppressed, for users within their aggregate regions,
    /// for the system everywhere.
    pub async fn person_counts(
        &self,
        level: Level,
        within: Option<&RegionCode>,
    ) -> Result<Vec<(String, Disclosed)>, StoreError> {
        // A trusted integer from the level, written inline: PostgreSQL's SUBSTR wants int4.
        let len = level.dotted_len();
        let mut ph = Placeholders::starting_at(1);
        let mut conditions = vec![format!("LENGTH(r.region_code) >= {len}")];
        let mut binds = Vec::new();
        if let Some(w) = within
            && let Some(f) = within_regions(std::slice::from_ref(w), "r.region_code", &mut ph)
        {
            conditions.push(f.sql);
            binds.extend(f.binds);
        }
        if let Some(p) = self.viewer().principal() {
            let Some(regions) = p.aggregate_regions() else {
                return Err(StoreError::Forbidden);
            };
            match within_regions(regions, "r.region_code", &mut ph) {
                Some(f) => {
                    conditions.push(f.sql);
                    binds.extend(f.binds);
                }
                // A partner without regions: aggregates everywhere.
                None if p.role.is_organisation_bound() => {}
                None => return Ok(Vec::new()),
            }
        }
        let sql = format!(
            "SELECT SUBSTR(r.region_code, 1, {len}) AS code, COUNT(*) FROM person_record r \
             WHERE {} GROUP BY SUBSTR(r.region_code, 1, {len}) ORDER BY code",
            conditions.join(" AND ")
        );
        // Without a principal (the public, the system) the counts depend only on the level
        // and region asked and the rows: they come from the published cache.
        if self.viewer().principal().is_none() {
            let rows = self
                .store()
                .published_counts(len, within.map(|w| w.to_string()), sql, binds)
                .await?;
            return Ok(rows
                .iter()
                .map(|(c, n)| (c.clone(), self.disclose(*n as u64)))
                .collect());
        }
        let rows: Vec<(String, i64)> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())),
            binds
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows
            .into_iter()
            .map(|(c, n)| (c, self.disclose(n as u64)))
            .collect())
    }
}

impl Store {
    /// Published counts for `key`: the last computed ones, at once. When the rows changed
    /// since (an import bumped the generation) they are recounted in the background and the
    /// previous figures answer meanwhile, so no request waits on a full count; only a key
    /// never counted before is counted in the request (once, however many ask together).
    async fn published_counts(
        &self,
        len: usize,
        within: Option<String>,
        sql: String,
        binds: Vec<Bind>,
    ) -> Result<CountRows, StoreError> {
        let key = (len, within);
        let generation = self.person_generation().await?;
        match self.published.get(&key) {
            Some((counted, rows)) if counted == generation => return Ok(rows),
            Some((_, rows)) => {
                self.spawn_published_refresh();
                return Ok(rows);
            }
            None => {}
        }
        let _computing = self.published.computing.lock().await;
        if let Some((_, rows)) = self.published.get(&key) {
            return Ok(rows);
        }
        let generation = self.person_generation().await?;
        let rows = self.count_published(&sql, &binds).await?;
        Ok(self
            .published
            .put(key, Published { sql, binds }, generation, rows))
    }

    async fn count_published(
        &self,
        sql: &str,
        binds: &[Bind],
    ) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.to_string())),
            binds.to_vec()
        )
        .fetch_all(pool)
        .await)?)
    }

    /// Starts a background recount unless one is running (it then sees the new rows too).
    fn spawn_published_refresh(&self) {
        if self
            .published
            .refreshing
            .swap(true, std::sync::atomic::Ordering::AcqRel)
        {
            return;
        }
        let store = self.clone();
        tokio::spawn(async move {
            if let Err(e) = store.refresh_published_counts().await {
                tracing::warn!("published counts not refreshed: {e}");
            }
            store
                .published
                .refreshing
                .store(false, std::sync::atomic::Ordering::Release);
        });
    }

    /// Recounts every cached published entry older than the rows' generation; returns when
    /// they are current (used at start-up, after imports and by tests).
    pub async fn refresh_published_counts(&self) -> Result<(), StoreError> {
        let _computing = self.published.computing.lock().await;
        loop {
            let generation = self.person_generation().await?;
            let stale = self.published.stale(generation);
            if stale.is_empty() {
                return Ok(());
            }
            for (key, query) in stale {
                let rows = self.count_published(&query.sql, &query.binds).await?;
                self.published.put(key, query, generation, rows);
            }
        }
    }

    /// Counts what `/statistik` shows first (provinces, and the kab/kota of each) so the
    /// first visitors after start-up do not wait; run in the background after the demo load.
    pub async fn warm_published_counts(&self) -> Result<(), StoreError> {
        let public = self.scoped(sinergi_core::Viewer::public());
        let provinces = public.person_counts(Level::Provinsi, None).await?;
        for (code, _) in provinces {
            if let Ok(code) = RegionCode::parse(&code) {
                public.person_counts(Level::KabKota, Some(&code)).await?;
            }
        }
        Ok(())
    }

    /// A value that changes whenever something a public page shows may have changed: the
    /// audit chain's head (every write is audited), the person rows' generation (bumped by
    /// their triggers) and the published counts recounted in the background since.
    pub async fn public_version(&self) -> Result<PublicVersion, StoreError> {
        let (audit_seq, persons): (i64, i64) = on_pool!(self, |pool| sqlx::query_as(
            "SELECT (SELECT seq FROM audit_head WHERE id = 1), \
             (SELECT value FROM data_generation WHERE name = 'person_record')"
        )
        .fetch_one(pool)
        .await)?;
        Ok(PublicVersion {
            audit_seq,
            persons,
            recounted: self
                .published
                .recounted
                .load(std::sync::atomic::Ordering::Acquire),
        })
    }

    /// The counter the person_record triggers bump on every change (migration 0009).
    pub(crate) async fn person_generation(&self) -> Result<i64, StoreError> {
        Ok(on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT value FROM data_generation WHERE name = 'person_record'"
        )
        .fetch_one(pool)
        .await)?)
    }
}

/// Published person counts by (prefix length, region asked), each with the generation of
/// the rows it was counted from and the query that recounts it.
#[derive(Default)]
pub(crate) struct PublishedCounts {
    entries: std::sync::Mutex<std::collections::HashMap<CountKey, PublishedEntry>>,
    /// Held while counts are computed: one full count at a time.
    computing: tokio::sync::Mutex<()>,
    /// A background refresh is queued or running.
    refreshing: std::sync::atomic::AtomicBool,
    /// Bumped on every stored count, so a page rendered from older counts is known stale.
    recounted: std::sync::atomic::AtomicU64,
}

/// See [`Store::public_version`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PublicVersion {
    audit_seq: i64,
    persons: i64,
    recounted: u64,
}

type CountKey = (usize, Option<String>);
type CountRows = std::sync::Arc<Vec<(String, i64)>>;

#[derive(Clone)]
struct Published {
    sql: String,
    binds: Vec<Bind>,
}

struct PublishedEntry {
    generation: i64,
    query: Published,
    rows: CountRows,
}

impl PublishedCounts {
    /// Regions anyone may ask about are many (every village): past this many entries the
    /// cache starts again, so a crawl of codes cannot grow it without bound.
    const MAX_ENTRIES: usize = 4_096;

    fn get(&self, key: &CountKey) -> Option<(i64, CountRows)> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries.get(key).map(|e| (e.generation, e.rows.clone()))
    }

    fn stale(&self, generation: i64) -> Vec<(CountKey, Published)> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .iter()
            .filter(|(_, e)| e.generation < generation)
            .map(|(k, e)| (k.clone(), e.query.clone()))
            .collect()
    }

    fn put(
        &self,
        key: CountKey,
        query: Published,
        generation: i64,
        rows: Vec<(String, i64)>,
    ) -> CountRows {
        let rows = std::sync::Arc::new(rows);
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= Self::MAX_ENTRIES && !entries.contains_key(&key) {
            entries.clear();
        }
        // An older count never replaces a newer one.
        if entries.get(&key).is_some_and(|e| e.generation > generation) {
            return rows;
        }
        entries.insert(
            key,
            PublishedEntry {
                generation,
                query,
                rows: rows.clone(),
            },
        );
        self.recounted
            .fetch_add(1, std::sync::atomic::Ordering::AcqRel);
        rows
    }
}

/// What a reader hands the import while it reads: rows, then `Done`. A channel closed
/// without `Done` means the file was refused or the reader failed: nothing is stored.
#[derive(Debug)]
pub enum ListBatch {
    /// Rows as read: the store seals them.
    Rows(Vec<PersonInput>),
    /// Rows the store's [`crate::PersonSealer`] already sealed, on the reader's threads, so
    /// the writer only writes.
    Sealed(Vec<PreparedPerson>),
    Done,
}

/// Where an import's rows come from: all in memory, or batches from a reader.
enum Batches<'a> {
    Slice(std::slice::Chunks<'a, PersonInput>),
    Channel(&'a mut Receiver<ListBatch>),
    Finished,
}

impl<'a> Batches<'a> {
    async fn next(&mut self, sealer: &PersonSealer) -> Option<Vec<PreparedPerson>> {
        match self {
            Batches::Slice(chunks) => match chunks.next() {
                Some(c) => Some(sealer.prepare(c)),
                None => {
                    *self = Batches::Finished;
                    None
                }
            },
            Batches::Channel(rx) => match rx.recv().await {
                Some(ListBatch::Rows(rows)) => Some(sealer.prepare(&rows)),
                Some(ListBatch::Sealed(rows)) => Some(rows),
                Some(ListBatch::Done) => {
                    *self = Batches::Finished;
                    None
                }
                None => None,
            },
            Batches::Finished => None,
        }
    }

    /// Whether every batch arrived (not a channel closed early).
    fn finished(&self) -> bool {
        matches!(self, Batches::Finished)
    }
}
