//! Reading back what a stored person list said beyond its persons: the list itself, its rows'
//! warnings, and the distributions (who received what, when, from whom) its rows record —
//! the raw material of the double-aid check and of program cycles. All scoped like persons.

use serde::Serialize;
use sqlx::AssertSqlSafe;

use crate::scope::{Bind, Placeholders, bind_filter};
use crate::{Page, Paged, Scoped, StoreError, on_pool};

/// A stored list as its page shows it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ListSummary {
    pub id: i64,
    pub name: String,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub source_file: Option<String>,
    pub created_at: String,
    pub row_count: i64,
    pub warning_count: i64,
    pub distribution_count: i64,
    /// The list that replaced this one, if any (its rows are gone).
    pub replaced_by: Option<i64>,
}

/// One warning of one stored row: the message as stored data ([`sinergi_core::Msg::to_json`]),
/// rendered by the face through the catalogue.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RowWarning {
    pub line: i64,
    pub message: serde_json::Value,
}

/// One distribution in scope.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Distribution {
    pub id: i64,
    pub list_id: i64,
    pub person_id: Option<i64>,
    pub organisation_id: i64,
    pub region: String,
    pub program: Option<String>,
    pub aid_type: Option<String>,
    pub received_on: Option<String>,
    pub amount_rupiah: Option<i64>,
    pub source_line: i64,
}

/// Filters for distributions; all optional.
#[derive(Debug, Clone, Default)]
pub struct DistributionFilter {
    pub list_id: Option<i64>,
    pub person_id: Option<i64>,
}

type SummaryRow = (
    i64,
    String,
    i64,
    String,
    Option<String>,
    String,
    i64,
    i64,
    Option<i64>,
    Option<i64>,
);

type DistributionRow = (
    i64,
    i64,
    Option<i64>,
    i64,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    i64,
);

impl Scoped<'_> {
    /// A list, if the viewer made it or sees any of its rows or distributions.
    pub async fn person_list(&self, id: i64) -> Result<Option<ListSummary>, StoreError> {
        let mut ph = Placeholders::starting_at(2);
        let records = self.rows("r.region_code", "r.organisation_id", &mut ph);
        let dists = self.rows("d.region_code", "d.organisation_id", &mut ph);
        let mut binds = records.binds;
        binds.extend(dists.binds);
        let creator = match self.viewer().principal() {
            Some(p) => {
                let c = format!("l.created_by = {}", ph.next());
                binds.push(Bind::Int(p.user_id));
                c
            }
            None if self.viewer().is_system() => "1 = 1".to_string(),
            None => "1 = 0".to_string(),
        };
        let sql = format!(
            "SELECT l.id, l.name, l.organisation_id, o.name, l.source_file, l.created_at, \
             l.row_count, l.warning_count, \
             (SELECT COUNT(*) FROM distribution d WHERE d.list_id = l.id AND {dists}), \
             l.replaced_by \
             FROM person_list l JOIN organisation o ON o.id = l.organisation_id \
             WHERE l.id = $1 AND ({creator} \
             OR EXISTS (SELECT 1 FROM person_record r WHERE r.list_id = l.id AND {records}))",
            dists = dists.sql,
            records = records.sql,
        );
        let row: Option<SummaryRow> = on_pool!(self, |pool| bind_filter!(
            sqlx::query_as(AssertSqlSafe(sql.clone())).bind(id),
            binds
        )
        .fetch_optional(pool)
        .await)?;
        Ok(row.map(|r| ListSummary {
            id: r.0,
            name: r.1,
            organisation_id: r.2,
            organisation_name: r.3,
            source_file: r.4,
            created_at: r.5,
            row_count: r.6,
            warning_count: r.7,
            distribution_count: r.8.unwrap_or(0),
            replaced_by: r.9,
        }))
    }

    /// The warnings of a list's rows the viewer may see, by line; one page.
    pub async fn list_warnings(
        &self,
        list_id: i64,
        page: Page,
    ) -> Result<Paged<RowWarning>, StoreError> {
        let mut ph = Placeholders::starting_at(2);
        let scope = self.rows("r.region_code", "r.organisation_id", &mut ph);
        let from = format!(
            "FROM person_warning w JOIN person_record r \
             ON r.list_id = w.list_id AND r.source_line = w.source_line \
             WHERE w.list_id = $1 AND {}",
            scope.sql
        );
        let count_sql = format!("SELECT COUNT(*) {from}");
        let list_sql = format!(
            "SELECT w.source_line, w.message {from} ORDER BY w.source_line, w.id LIMIT {} OFFSET {}",
            page.limit(),
            page.offset()
        );
        let (total, rows): (i64, Vec<(i64, String)>) = on_pool!(self, |pool| {
            let total: i64 = bind_filter!(
                sqlx::query_scalar(AssertSqlSafe(count_sql.clone())).bind(list_id),
                scope.binds
            )
            .fetch_one(pool)
            .await?;
            let rows = bind_filter!(
                sqlx::query_as(AssertSqlSafe(list_sql.clone())).bind(list_id),
                scope.binds
            )
            .fetch_all(pool)
            .await?;
            (total, rows)
        });
        Ok(Paged {
            items: rows
                .into_iter()
                .map(|(line, message)| RowWarning {
                    line,
                    message: serde_json::from_str(&message)
                        .unwrap_or(serde_json::Value::String(message)),
                })
                .collect(),
            total: total as u64,
            page: page.number,
            size: page.size,
        })
    }

    /// One page of the distributions the viewer may see, by region then id.
    pub async fn distributions(
        &self,
        filter: &DistributionFilter,
        page: Page,
    ) -> Result<Paged<Distribution>, StoreError> {
        let mut ph = Placeholders::starting_at(1);
        let scope = self.rows("d.region_code", "d.organisation_id", &mut ph);
        let mut sql_where = scope.sql;
        let mut binds = scope.binds;
        if let Some(list) = filter.list_id {
            sql_where = format!("{sql_where} AND d.list_id = {}", ph.next());
            binds.push(Bind::Int(list));
        }
        if let Some(person) = filter.person_id {
            sql_where = format!("{sql_where} AND d.person_id = {}", ph.next());
            binds.push(Bind::Int(person));
        }
        let count_sql = format!("SELECT COUNT(*) FROM distribution d WHERE {sql_where}");
        let list_sql = format!(
            "SELECT d.id, d.list_id, d.person_id, d.organisation_id, d.region_code, d.program, \
             d.aid_type, d.received_on, d.amount_rupiah, d.source_line FROM distribution d \
             WHERE {sql_where} ORDER BY d.region_code, d.id LIMIT {} OFFSET {}",
            page.limit(),
            page.offset()
        );
        let (total, rows): (i64, Vec<DistributionRow>) = on_pool!(self, |pool| {
            let total: i64 =
                bind_filter!(sqlx::query_scalar(AssertSqlSafe(count_sql.clone())), binds)
                    .fetch_one(pool)
                    .await?;
            let rows = bind_filter!(sqlx::query_as(AssertSqlSafe(list_sql.clone())), binds)
                .fetch_all(pool)
                .await?;
            (total, rows)
        });
        Ok(Paged {
            items: rows
                .into_iter()
                .map(|r| Distribution {
                    id: r.0,
                    list_id: r.1,
                    person_id: r.2,
                    organisation_id: r.3,
                    region: r.4,
                    program: r.5,
                    aid_type: r.6,
                    received_on: r.7,
                    amount_rupiah: r.8,
                    source_line: r.9,
                })
                .collect(),
            total: total as u64,
            page: page.number,
            size: page.size,
        })
    }
}
