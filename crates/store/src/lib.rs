//! Sinergi's database: one interface over SQLite (embedded default) and PostgreSQL.
//!
//! SQL is written once with `$N` placeholders and runs on both; only the migrations are
//! per dialect. The backend is chosen at run time by an enum, so the layers above compile once.

mod accounts;
mod aggregates;
mod api_tokens;
mod audit;
mod bulk;
mod computed;
mod connect;
mod cycle_checks;
mod cycles;
mod double_aid;
mod error;
mod exceptions;
mod forums;
mod geo;
mod institutions;
mod jobs;
mod kept;
mod lists;
mod lkks;
mod lks;
mod lks_reports;
mod organisations;
mod page;
mod partners;
mod persons;
pub mod pii;
mod priority;
mod programs;
mod quality;
mod quality_kept;
mod regions;
mod review;
mod scope;
mod scoped;
mod strategy;

pub use accounts::{
    ARGON2_LANES, ARGON2_MEMORY_KIB, ARGON2_PASSES, LoginError, MIN_PASSWORD_CHARS, NewSession,
    NewUser, SessionUser, ThrottlePolicy, UserChange, UserSummary, hash_password, verify_password,
};
pub use aggregates::{
    AggregateSum, AggregateValue, FigureLoad, GroupValue, NationalValue, SourceType,
};
pub use api_tokens::{ApiTokenSummary, IssuedToken, NewApiToken, TOKEN_PREFIX, TokenUser};
pub use audit::{Actor, AuditEvent, AuditQuery, AuditRecord, ChainReport};
pub use bulk::{BulkChunk, PersonSealer, PreparedPerson};
pub use computed::{COMPUTATIONS, Computation, ComputedValue, computation};
pub use connect::{DEFAULT_SQLITE_PATH, DatabaseTarget};
pub use cycle_checks::{CycleFigures, DuplicatePair, MemberGroup, NewDuplicate};
pub use cycles::{
    ApprovalDecision, Candidate, CycleRecord, Enrolled, EntitlementRecord, MemberRecord, NewCycle,
    NewMember, NewNote, NoteRecord, PersonFacts, RuleRecord,
};
pub use double_aid::{
    CompareRow, CountRow, FlagRow, HeldRecord, JoinWith, JoinableList, NewPair, NewRound,
    PendingReview, ReviewRow, RoundMember, RoundRecord, RoundResults, RunMember,
    normalise_aid_types,
};
pub use error::{RejectedCode, StoreError};
pub use forums::{
    ActionFilter, ActionRow, AgendaItem, AttendanceCounts, Decision, Forum, HistoryCursor,
    Invitation, LkksCapacity, Meeting, MeetingRecord, MeetingSummary, MinutesFile, NewAction,
    NewDecision, NewForum, NewInvitee, NewMeeting, OwnInvitation, RegistryOrganisation, RsvpCounts,
    SheetOutcome, StoredMinutesFile,
};
pub use geo::Polygon;
pub use institutions::{Refusal, RegistryBatch, RegistryImport, RejectedRow};
pub use jobs::{JobRecord, JobState};
pub use lists::{Distribution, DistributionFilter, ListSummary, RowWarning};
pub use lkks::{
    BoardSeat, FormationEntry, FormationProgress, FormationTarget, LKKS_SORTS, LkksFilter,
    LkksRecord, LkksRow, LkksYear, StatusChange,
};
pub use lks::{
    Accreditation, CapacityRow, Expiry, GradeFilter, LKS_SORTS, LksFilter, LksRecord, LksRow,
    LksService, PPKS_NEED_PREFIX, need_element, services_label,
};
pub use lks_reports::{LksReport, OverdueReport, ReportComment, ReportFilter, report_due};
pub use organisations::{Organisation, OrganisationKind};
pub use page::{Page, Paged, Sort};
pub use partners::{Agreement, PARTNER_SORTS, PartnerFilter, PartnerRecord};
pub use persons::{
    Identifier, ImportedList, ListBatch, NewPersonList, OutOfScopeRow, PERSON_COUNT_CAP,
    PersonCursor, PersonExport, PersonFilter, PersonKey, PersonPage, PersonRow, PublicVersion,
};
pub use pii::{KeyError, PiiKey};
pub use priority::{
    FOLLOWUP_STATUSES, Followup, NewRanking, PriorityColumns, PriorityMethodVersion,
    PublishedRanking, RankingRow,
};
pub use programs::{
    DesaNeed, NEED_ELEMENTS, PROGRAM_SORTS, PeerProgram, Program, ProgramFilter, Saved,
};
pub use quality::{
    COUNT_UNITS, DETAIL_ROWS, FlaggedRow, QualityAsk, QualityCounts, QualityGap, QualityInputs,
    QualityReference, QualitySeries, RefusedNiks, RowFlag,
};
pub use quality_kept::{KeptKey, KeptScorecard, QualityRulesVersion, scope_key};
pub use regions::{ChildCounts, ImportSummary, LevelCounts, RegionPrefixTable, RegionVersion};
pub use review::{ReviewQueue, ReviewedPair};
pub use scoped::Scoped;
pub use sinergi_core::geo::Boundary;
pub use strategy::{
    EntryMethod, Indicator, IndicatorFields, Letterhead, NATIONAL, NewRealisation, Objective,
    PeriodLock, Realisation, RefusedRealisation, Strategy, StrategyTree, StrategyVersion, Target,
};

use sqlx::{PgPool, SqlitePool};

/// Runs the same body against whichever pool this store holds.
macro_rules! on_pool {
    ($store:expr, |$pool:ident| $body:expr) => {
        match &$store.backend {
            $crate::Backend::Sqlite($pool) => $body,
            $crate::Backend::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

#[derive(Clone)]
pub(crate) enum Backend {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pub(crate) backend: Backend,
    target: DatabaseTarget,
    pii: Option<std::sync::Arc<PiiKey>>,
    /// Published counts from 1 to this minus one are suppressed for the public.
    disclosure_threshold: u64,
    /// Published aggregates, shared by every clone of this store.
    published: std::sync::Arc<persons::PublishedCounts>,
    /// Person-row counts and search matches kept while the rows are unchanged.
    kept: std::sync::Arc<kept::KeptReads>,
    /// Audit appends of this process take turns here on SQLite (see [`Store::record`]).
    audit_turn: std::sync::Arc<tokio::sync::Mutex<()>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    Sqlite,
    Postgres,
}

impl Store {
    /// Opens (creating and migrating when needed) the database named by `target`.
    pub async fn open(target: DatabaseTarget) -> Result<Store, StoreError> {
        let backend = connect::connect(&target).await?;
        let store = Store {
            backend,
            target,
            pii: None,
            disclosure_threshold: sinergi_core::access::DEFAULT_SUPPRESSION_THRESHOLD,
            published: Default::default(),
            kept: Default::default(),
            audit_turn: Default::default(),
        };
        store.migrate().await?;
        Ok(store)
    }

    /// Attaches the key for personal data. The first key used with a database is recorded
    /// (by fingerprint); a different key later is refused rather than writing unreadable data.
    pub async fn with_key(mut self, key: PiiKey) -> Result<Store, StoreError> {
        let fingerprint = key.fingerprint();
        let stored: Option<String> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT value FROM app_setting WHERE key = 'pii_key_fingerprint'"
        )
        .fetch_optional(pool)
        .await)?;
        match stored {
            Some(s) if s != fingerprint => return Err(KeyError::Mismatch.into()),
            Some(_) => {}
            None => {
                on_pool!(self, |pool| sqlx::query(
                    "INSERT INTO app_setting (key, value) VALUES ('pii_key_fingerprint', $1)"
                )
                .bind(&fingerprint)
                .execute(pool)
                .await
                .map(|_| ()))?;
            }
        }
        audit::register_audit_key(&fingerprint, key.audit_key());
        self.pii = Some(std::sync::Arc::new(key));
        self.key_audit_chain().await?;
        Ok(self)
    }

    /// Sets the deployment's threshold for published counts (`--ambang-sensor`).
    pub fn with_disclosure_threshold(mut self, threshold: u64) -> Store {
        self.disclosure_threshold = threshold.max(1);
        self
    }

    pub fn disclosure_threshold(&self) -> u64 {
        self.disclosure_threshold
    }

    pub fn kind(&self) -> BackendKind {
        match self.backend {
            Backend::Sqlite(_) => BackendKind::Sqlite,
            Backend::Postgres(_) => BackendKind::Postgres,
        }
    }

    /// Where the data lives, with any password removed: safe to print.
    pub fn describe(&self) -> String {
        self.target.to_string()
    }

    async fn migrate(&self) -> Result<(), StoreError> {
        let result = match &self.backend {
            Backend::Sqlite(pool) => migrations(SQLITE_MIGRATIONS).run(pool).await,
            Backend::Postgres(pool) => migrations(POSTGRES_MIGRATIONS).run(pool).await,
        };
        result.map_err(|e| connect::classify_migrate_error(&self.target, e))
    }

    pub async fn close(&self) {
        on_pool!(self, |pool| pool.close().await)
    }
}

type MigrationFile = (i64, &'static str, &'static str);

/// The migrations, written once: each entry names `NNNN_name` and includes both dialects'
/// files, `migrations/sqlite/NNNN_name.sql` and `migrations/postgres/NNNN_name.sql`, so a
/// migration missing from one dialect does not compile.
macro_rules! migration_list {
    ($(($number:literal, $name:literal)),* $(,)?) => {
        const SQLITE_MIGRATIONS: &[MigrationFile] = &[$((
            version_of($number),
            $name,
            include_str!(concat!("../migrations/sqlite/", $number, "_", $name, ".sql")),
        )),*];
        const POSTGRES_MIGRATIONS: &[MigrationFile] = &[$((
            version_of($number),
            $name,
            include_str!(concat!("../migrations/postgres/", $number, "_", $name, ".sql")),
        )),*];
    };
}

migration_list![
    ("0001", "regions"),
    ("0002", "access"),
    ("0003", "aggregates"),
    ("0004", "review"),
    ("0005", "institutions"),
    ("0006", "programs"),
    ("0007", "strategy"),
    ("0008", "lists"),
    ("0009", "harden"),
    ("0010", "cycles"),
    ("0011", "forums"),
    ("0012", "priority"),
    ("0013", "api_tokens"),
    ("0014", "double_aid"),
    ("0015", "cycle_steps"),
    ("0016", "forum_files"),
    ("0017", "figure_groups"),
    ("0018", "cycle_checks"),
    ("0019", "quality_results"),
];

/// The version a file number such as `"0007"` stands for (a compile error if not digits).
const fn version_of(number: &str) -> i64 {
    let bytes = number.as_bytes();
    let mut i = 0;
    let mut v = 0i64;
    while i < bytes.len() {
        assert!(
            bytes[i].is_ascii_digit(),
            "a migration number is digits only"
        );
        v = v * 10 + (bytes[i] - b'0') as i64;
        i += 1;
    }
    v
}

fn migrations(files: &[MigrationFile]) -> sqlx::migrate::Migrator {
    use sqlx::SqlSafeStr;
    use sqlx::migrate::{Migration, MigrationType, Migrator};
    Migrator::with_migrations(
        files
            .iter()
            .map(|(version, name, sql)| {
                Migration::new(
                    *version,
                    (*name).into(),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    /// Every file in either dialect's folder is in the list (a file added to one folder but
    /// not listed would never run), and the versions count up from 1.
    #[test]
    fn every_migration_file_is_listed_for_both_dialects() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let listed: Vec<String> = super::SQLITE_MIGRATIONS
            .iter()
            .map(|(v, n, _)| format!("{v:04}_{n}.sql"))
            .collect();
        for dialect in ["sqlite", "postgres"] {
            let mut files: Vec<String> = std::fs::read_dir(dir.join(dialect))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .filter(|f| f.ends_with(".sql"))
                .collect();
            files.sort();
            assert_eq!(
                files, listed,
                "{dialect}: files and the migration list differ"
            );
        }
        for (i, (v, _, _)) in super::SQLITE_MIGRATIONS.iter().enumerate() {
            assert_eq!(*v, i as i64 + 1, "versions count up from 1 without gaps");
        }
    }

    #[test]
    fn both_dialects_have_the_same_migrations() {
        let names =
            |m: &[super::MigrationFile]| m.iter().map(|(v, n, _)| (*v, *n)).collect::<Vec<_>>();
        assert_eq!(
            names(super::SQLITE_MIGRATIONS),
            names(super::POSTGRES_MIGRATIONS)
        );
    }
}
