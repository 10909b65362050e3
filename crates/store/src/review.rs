//! Clerical review queues for record linkage: stored uncertain pairs, read and decided only
//! within the access scope (queue region + owning organisation), every verdict audited.

use base64::Engine;
use serde::Serialize;
use sinergi_core::review::{Decision, ReviewPair};
use sinergi_core::{Msg, RegionCode};
use sqlx::AssertSqlSafe;

use crate::audit::{AuditEvent, append_audit, now_text};
use crate::pii::PiiField;
use crate::scope::{Placeholders, bind_filter};
use crate::{Page, Paged, Scoped, StoreError, on_pool};

/// A queue as lists show it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReviewQueue {
    pub id: i64,
    pub name: String,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub region: String,
    pub columns: Vec<String>,
    pub pair_count: i64,
    pub decided: i64,
    pub created_at: String,
}

/// A stored pair with its verdict, if any. NIK and No. KK values in `pair.fields` are masked;
/// `identifiers[i]` says which sides of field `i` hold one (revealable with
/// [`Scoped::reveal_review_value`] by roles that may reveal).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ReviewedPair {
    pub pair_no: i64,
    pub pair: ReviewPair,
    pub decision: Option<Decision>,
    pub decided_by: Option<String>,
    pub identifiers: Vec<[bool; 2]>,
}

/// Which identifier a compared value is: by its column's name (`nik`, `no_kk`, …), or, in any
/// other column, a value of exactly 16 digits (read as a NIK).
fn identifier_of(column: Option<&str>, value: &str) -> Option<PiiField> {
    let name: String = column
        .unwrap_or("")
        .to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    if name.contains("nik") {
        return Some(PiiField::Nik);
    }
    if name == "kk" || name.contains("nokk") || name.contains("nomorkk") || name.ends_with("kk") {
        return Some(PiiField::Kk);
    }
    let digits = value
        .chars()
        .filter(|c| !" .-".contains(*c))
        .collect::<String>();
    (digits.len() == 16 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(PiiField::Nik)
}

/// The screen's mask (`5203********0001`) for a 16-digit identifier; other lengths keep only
/// their last four characters.
fn mask_identifier(value: &str) -> String {
    let chars: Vec<char> = value.trim().chars().collect();
    if chars.is_empty() {
        return String::new();
    }
    if chars.len() >= 12 {
        let head: String = chars[..4].iter().collect();
        let tail: String = chars[chars.len() - 4..].iter().collect();
        format!("{head}{}{tail}", "*".repeat(chars.len() - 8))
    } else {
        let keep = chars.len().min(4) / 2;
        let tail: String = chars[chars.len() - keep..].iter().collect();
        format!("{}{tail}", "*".repeat(chars.len() - keep))
    }
}

fn field_label(field: PiiField) -> &'static str {
    match field {
        PiiField::Nik => "nik",
        PiiField::Kk => "kk",
        PiiField::Address => "address",
    }
}

/// One compared value as stored in `review_pair.fields_json`: plain text, or an identifier
/// sealed like a person record's (`{"f": "nik", "m": mask, "s": base64 sealed}`). Rows stored
/// before sealing hold identifiers as plain strings; they are masked when read all the same.
fn seal_cell(
    key: Option<&crate::PiiKey>,
    column: Option<&str>,
    value: &str,
) -> Result<serde_json::Value, StoreError> {
    match identifier_of(column, value) {
        Some(field) if !value.trim().is_empty() => {
            let key = key.ok_or(StoreError::KeyMissing)?;
            Ok(serde_json::json!({
                "f": field_label(field),
                "m": mask_identifier(value),
                "s": base64::engine::general_purpose::STANDARD.encode(key.seal(field, value.trim())),
            }))
        }
        _ => Ok(serde_json::Value::String(value.to_string())),
    }
}

/// A stored cell as shown on screen (masked when an identifier) and whether it is one.
fn shown_cell(column: Option<&str>, cell: &serde_json::Value) -> (String, bool) {
    match cell {
        serde_json::Value::String(v) => match identifier_of(column, v) {
            Some(_) if !v.trim().is_empty() => (mask_identifier(v), true),
            _ => (v.clone(), false),
        },
        serde_json::Value::Object(o) => (
            o.get("m")
                .and_then(|m| m.as_str())
                .unwrap_or("")
                .to_string(),
            true,
        ),
        other => (other.to_string(), false),
    }
}

type StoredField = (serde_json::Value, serde_json::Value, f64);

fn stored_fields(json: &str) -> Vec<StoredField> {
    serde_json::from_str(json).unwrap_or_default()
}

type QueueRow = (i64, String, i64, String, String, String, i64, i64, String);

const QUEUE_SELECT: &str = "SELECT q.id, q.name, q.organisation_id, o.name, q.region_code, q.columns_json, \
     q.pair_count, (SELECT COUNT(*) FROM review_pair p WHERE p.queue_id = q.id AND p.decision IS NOT NULL), \
     q.created_at FROM review_queue q JOIN organisation o ON o.id = q.organisation_id";

fn to_queue(r: QueueRow) -> ReviewQueue {
    ReviewQueue {
        id: r.0,
        name: r.1,
        organisation_id: r.2,
        organisation_name: r.3,
        region: r.4,
        columns: serde_json::from_str(&r.5).unwrap_or_default(),
        pair_count: r.6,
        decided: r.7,
        created_at: r.8,
    }
}

fn decision_from(s: Option<String>) -> Option<Decision> {
    s.and_then(|s| Decision::parse(&s).ok().flatten())
}

impl Scoped<'_> {
    /// Stores the uncertain pairs of a run as a queue owned by `organisation_id` in `region`.
    pub async fn create_review_queue(
        &self,
        organisation_id: i64,
        region: &RegionCode,
        name: &str,
        columns: &[String],
        pairs: &[ReviewPair],
    ) -> Result<i64, StoreError> {
        // Queues are a reviewer's work: a signed-in user's, never the public's or the shell's.
        let user_id = self.user()?.user_id;
        if !self.viewer().can_write() || !self.viewer().may_see(region, organisation_id) {
            return Err(StoreError::Forbidden);
        }
        if self.organisation(organisation_id).await?.is_none() {
            return Err(StoreError::Refused(
                Msg::new("review.organisation_missing").arg("id", organisation_id),
            ));
        }
        let now = now_text();
        let columns_json = serde_json::to_string(columns).unwrap_or_default();
        // NIK and No. KK are sealed before they reach the database, as in person records.
        let key = self.pii.as_deref();
        let sealed: Vec<String> = pairs
            .iter()
            .map(|p| {
                let cells = p
                    .fields
                    .iter()
                    .enumerate()
                    .map(|(i, (l, r, w))| {
                        let column = columns.get(i).map(String::as_str);
                        Ok(serde_json::json!([
                            seal_cell(key, column, l)?,
                            seal_cell(key, column, r)?,
                            w
                        ]))
                    })
                    .collect::<Result<Vec<_>, StoreError>>()?;
                Ok(serde_json::Value::Array(cells).to_string())
            })
            .collect::<Result<_, StoreError>>()?;
        let event = AuditEvent::new(self.actor(), "review.create", "review_queue")
            .region(region)
            .after(serde_json::json!({ "nama": name, "pasangan": pairs.len() }));
        let id = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO review_queue (name, organisation_id, region_code, columns_json, pair_count, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(name)
            .bind(organisation_id)
            .bind(region.to_string())
            .bind(&columns_json)
            .bind(pairs.len() as i64)
            .bind(user_id)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            for (no, (p, fields_json)) in pairs.iter().zip(&sealed).enumerate() {
                sqlx::query(
                    "INSERT INTO review_pair (queue_id, pair_no, left_id, right_id, probability, weight, fields_json) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(id)
                .bind(no as i64 + 1)
                .bind(&p.left_id)
                .bind(&p.right_id)
                .bind(p.probability)
                .bind(p.weight)
                .bind(fields_json)
                .execute(&mut *tx)
                .await?;
            }
            let event = event.clone().id(id);
            append_audit!(tx, &event);
            tx.commit().await?;
            id
        });
        Ok(id)
    }

    /// The queues the viewer may see, newest first.
    pub async fn review_queues(&self) -> Result<Vec<ReviewQueue>, StoreError> {
        let mut ph = Placeholders::starting_at(1);
        let scope = self.rows("q.region_code", "q.organisation_id", &mut ph);
        let sql = format!("{QUEUE_SELECT} WHERE {} ORDER BY q.id DESC", scope.sql);
        let rows: Vec<QueueRow> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())),
            scope.binds
        )
        .fetch_all(pool)
        .await)?;
        Ok(rows.into_iter().map(to_queue).collect())
    }

    /// One queue, if in scope.
    pub async fn review_queue(&self, id: i64) -> Result<Option<ReviewQueue>, StoreError> {
        let mut ph = Placeholders::starting_at(2);
        let scope = self.rows("q.region_code", "q.organisation_id", &mut ph);
        let sql = format!("{QUEUE_SELECT} WHERE q.id = $1 AND {}", scope.sql);
        let row: Option<QueueRow> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())).bind(id),
            scope.binds
        )
        .fetch_optional(pool)
        .await)?;
        Ok(row.map(to_queue))
    }

    /// A page of a queue's pairs (undecided first when `open_only`), audited as a by-name view.
    pub async fn review_pairs(
        &self,
        queue_id: i64,
        open_only: bool,
        page: Page,
    ) -> Result<Option<Paged<ReviewedPair>>, StoreError> {
        let Some(queue) = self.review_queue(queue_id).await? else {
            return Ok(None);
        };
        let filter = if open_only {
            " AND p.decision IS NULL"
        } else {
            ""
        };
        let count_sql = format!("SELECT COUNT(*) FROM review_pair p WHERE p.queue_id = $1{filter}");
        let list_sql = format!(
            "SELECT p.pair_no, p.left_id, p.right_id, p.probability, p.weight, p.fields_json, p.decision, u.username \
             FROM review_pair p LEFT JOIN app_user u ON u.id = p.decided_by \
             WHERE p.queue_id = $1{filter} ORDER BY p.probability DESC, p.pair_no LIMIT {} OFFSET {}",
            page.limit(),
            page.offset()
        );
        type PairRow = (
            i64,
            String,
            String,
            f64,
            f64,
            String,
            Option<String>,
            Option<String>,
        );
        let (total, rows): (i64, Vec<PairRow>) = on_pool!(self, |pool| {
            let total: i64 = sqlx::query_scalar(AssertSqlSafe(count_sql.clone()))
                .bind(queue_id)
                .fetch_one(pool)
                .await?;
            let rows: Vec<PairRow> = sqlx::query_as(AssertSqlSafe(list_sql.clone()))
                .bind(queue_id)
                .fetch_all(pool)
                .await?;
            (total, rows)
        });
        if !rows.is_empty() {
            self.record(
                &AuditEvent::new(self.actor(), "review.view", "review_queue")
                    .id(queue_id)
                    .region(&queue.region)
                    .after(serde_json::json!({ "halaman": page.number, "pasangan": rows.len() })),
            )
            .await?;
        }
        Ok(Some(Paged {
            items: rows
                .into_iter()
                .map(|r| {
                    let mut identifiers = Vec::new();
                    let fields = stored_fields(&r.5)
                        .into_iter()
                        .enumerate()
                        .map(|(i, (left, right, w))| {
                            let column = queue.columns.get(i).map(String::as_str);
                            let (l, l_id) = shown_cell(column, &left);
                            let (rt, r_id) = shown_cell(column, &right);
                            identifiers.push([l_id, r_id]);
                            (l, rt, w)
                        })
                        .collect();
                    ReviewedPair {
                        pair_no: r.0,
                        pair: ReviewPair {
                            line: 0,
                            left_id: r.1,
                            right_id: r.2,
                            probability: r.3,
                            weight: r.4,
                            fields,
                        },
                        decision: decision_from(r.6),
                        decided_by: r.7,
                        identifiers,
                    }
                })
                .collect(),
            total: total as u64,
            page: page.number,
            size: page.size,
        }))
    }

    /// The full NIK or No. KK on one side (`right`) of field `field` of a pair, for roles
    /// allowed to reveal; audited as `review.reveal`. `None` when the queue or pair is not in
    /// scope or the value is not an identifier.
    pub async fn reveal_review_value(
        &self,
        queue_id: i64,
        pair_no: i64,
        field: usize,
        right: bool,
    ) -> Result<Option<String>, StoreError> {
        if !self.viewer().can_reveal() {
            return Err(StoreError::Forbidden);
        }
        let Some(queue) = self.review_queue(queue_id).await? else {
            return Ok(None);
        };
        let json: Option<String> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT fields_json FROM review_pair WHERE queue_id = $1 AND pair_no = $2"
        )
        .bind(queue_id)
        .bind(pair_no)
        .fetch_optional(pool)
        .await)?;
        let Some(json) = json else {
            return Ok(None);
        };
        let Some((left, right_cell, _)) = stored_fields(&json).into_iter().nth(field) else {
            return Ok(None);
        };
        let column = queue.columns.get(field).map(String::as_str);
        let cell = if right { right_cell } else { left };
        let (plain, label) = match &cell {
            serde_json::Value::Object(o) => {
                let which = match o.get("f").and_then(|f| f.as_str()) {
                    Some("kk") => PiiField::Kk,
                    _ => PiiField::Nik,
                };
                let sealed = o
                    .get("s")
                    .and_then(|s| s.as_str())
                    .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
                    .ok_or(crate::KeyError::Undecryptable)?;
                (self.pii_key()?.open(which, &sealed)?, field_label(which))
            }
            serde_json::Value::String(v) => match identifier_of(column, v) {
                Some(which) if !v.trim().is_empty() => (v.clone(), field_label(which)),
                _ => return Ok(None),
            },
            _ => return Ok(None),
        };
        self.record(
            &AuditEvent::new(self.actor(), "review.reveal", "review_pair")
                .id(format!("{queue_id}/{pair_no}"))
                .region(&queue.region)
                .after(serde_json::json!({
                    "kolom": column.unwrap_or(label),
                    "jenis": label,
                    "sisi": if right { "kanan" } else { "kiri" },
                })),
        )
        .await?;
        Ok(Some(plain))
    }

    /// Records (or changes) a verdict; audited with the verdict before and after.
    pub async fn decide_review_pair(
        &self,
        queue_id: i64,
        pair_no: i64,
        decision: Decision,
    ) -> Result<bool, StoreError> {
        let user_id = self.user()?.user_id;
        self.require_write()?;
        let Some(queue) = self.review_queue(queue_id).await? else {
            return Ok(false);
        };
        let before: Option<Option<String>> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT decision FROM review_pair WHERE queue_id = $1 AND pair_no = $2"
        )
        .bind(queue_id)
        .bind(pair_no)
        .fetch_optional(pool)
        .await)?;
        let Some(before) = before else {
            return Ok(false);
        };
        let event = AuditEvent::new(self.actor(), "review.decide", "review_pair")
            .id(format!("{queue_id}/{pair_no}"))
            .region(&queue.region)
            .before(serde_json::json!({ "keputusan": before }))
            .after(serde_json::json!({ "keputusan": decision.label() }));
        let now = now_text();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "UPDATE review_pair SET decision = $1, decided_by = $2, decided_at = $3 WHERE queue_id = $4 AND pair_no = $5",
            )
            .bind(decision.label())
            .bind(user_id)
            .bind(&now)
            .bind(queue_id)
            .bind(pair_no)
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(true)
    }

    /// The verdicts of a queue as (left id, right id, decision), for the next linkage run.
    pub async fn review_decisions(
        &self,
        queue_id: i64,
    ) -> Result<Option<Vec<(String, String, Decision)>>, StoreError> {
        let Some(queue) = self.review_queue(queue_id).await? else {
            return Ok(None);
        };
        let rows: Vec<(String, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT left_id, right_id, decision FROM review_pair WHERE queue_id = $1 AND decision IS NOT NULL ORDER BY pair_no"
        )
        .bind(queue_id)
        .fetch_all(pool)
        .await
        })?;
        self.record(
            &AuditEvent::new(self.actor(), "review.export", "review_queue")
                .id(queue_id)
                .region(&queue.region)
                .after(serde_json::json!({ "keputusan": rows.len() })),
        )
        .await?;
        Ok(Some(
            rows.into_iter()
                .filter_map(|(l, r, d)| decision_from(Some(d)).map(|d| (l, r, d)))
                .collect(),
        ))
    }
}
