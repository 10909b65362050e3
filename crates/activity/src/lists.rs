//! Importing a person-level list (a partner's beneficiaries, a register): read by intake,
//! checked against the region register, stored through the viewer's scoped handle.

use sinergi_core::{LegalBasis, Msg, Viewer};
use sinergi_intake::RowError;
use sinergi_store::{NewPersonList, Organisation, OutOfScopeRow, Store};

use crate::ActivityError;

/// What a face hands over: the file and what the user said about it.
#[derive(Debug, Clone)]
pub struct PersonListUpload<'a> {
    pub bytes: &'a [u8],
    /// The file's name, for the list's default name and its provenance.
    pub file_name: String,
    pub organisation_id: i64,
    /// The list's name; the file's name when empty.
    pub name: Option<String>,
    pub legal_basis: Option<LegalBasis>,
    /// The consent register, agreement or decree the basis rests on.
    pub reference: String,
}

/// How an import ended. Refusals are outcomes, not errors: the face shows their rows.
#[derive(Debug)]
pub enum PersonListOutcome {
    /// Stored in one transaction; `rejected` rows were left out, each with its reason.
    Stored {
        list_id: i64,
        list_name: String,
        organisation: Organisation,
        stored: u64,
        rejected: Vec<RowError>,
    },
    /// The file as a whole was refused (unreadable, or missing required columns); nothing
    /// was stored.
    Refused { errors: Vec<RowError> },
    /// Rows lie outside the viewer's scope or organisation; nothing was stored.
    OutsideScope { rows: Vec<OutOfScopeRow> },
}

impl PersonListOutcome {
    /// Distinct lines that were not stored.
    pub fn rejected_lines(&self) -> usize {
        let lines: std::collections::BTreeSet<u64> = match self {
            PersonListOutcome::Stored { rejected, .. } => rejected.iter().map(|e| e.line).collect(),
            PersonListOutcome::Refused { errors } => errors.iter().map(|e| e.line).collect(),
            PersonListOutcome::OutsideScope { rows } => rows.iter().map(|r| r.line).collect(),
        };
        lines.len()
    }
}

/// The organisations `viewer` may file a list for.
pub async fn organisations_for(
    store: &Store,
    viewer: &Viewer,
) -> Result<Vec<Organisation>, ActivityError> {
    Ok(store.scoped(viewer).organisations_acting_for().await?)
}

/// Reads, checks and stores a person list for `viewer`.
pub async fn import_person_list(
    store: &Store,
    viewer: &Viewer,
    upload: PersonListUpload<'_>,
) -> Result<PersonListOutcome, ActivityError> {
    if !viewer.can_write() {
        return Err(ActivityError::Forbidden);
    }
    let organisation = store
        .scoped(viewer)
        .organisations_acting_for()
        .await?
        .into_iter()
        .find(|o| o.id == upload.organisation_id)
        .ok_or_else(|| {
            ActivityError::Refused(
                Msg::new("lists.organisation_not_yours").arg("id", upload.organisation_id),
            )
        })?;
    // Regions known to the register, current or retired.
    let known = store.region_code_set().await?;
    let prefixes = store.region_prefix_table().await?;
    // Rows may name their desa instead of its code: names are matched within the viewer's
    // scope (everywhere for an account without one).
    let within = viewer
        .principal()
        .map(|p| p.scope.regions.clone())
        .unwrap_or_default();
    let region_names = store.region_name_index(&within).await?;
    // Read in a block: the context borrows non-Send callbacks that must not live across
    // an await.
    let read = {
        let ctx = sinergi_intake::PersonContext {
            region_exists: &|code| known.contains(code.as_str()),
            prefixes: Some(&prefixes),
            region_names: Some(&region_names),
            today: chrono::Utc::now().date_naive(),
            limits: sinergi_intake::Limits::default(),
        };
        sinergi_intake::read_person_list(upload.bytes, &ctx)
    };
    let list = match read {
        Ok(list) => list,
        Err(errors) => return Ok(PersonListOutcome::Refused { errors: errors.0 }),
    };
    let name = upload
        .name
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| upload.file_name.clone());
    let new = NewPersonList {
        organisation_id: organisation.id,
        name: name.clone(),
        legal_basis: upload.legal_basis,
        reference: upload.reference,
        source_file: Some(upload.file_name),
    };
    match store
        .scoped(viewer)
        .import_person_list(&new, &list.rows)
        .await?
    {
        Ok(imported) => Ok(PersonListOutcome::Stored {
            list_id: imported.list_id,
            list_name: name,
            organisation,
            stored: imported.stored,
            rejected: list.rejected,
        }),
        Err(rows) => Ok(PersonListOutcome::OutsideScope { rows }),
    }
}
