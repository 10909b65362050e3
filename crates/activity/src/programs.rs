//! Partners' programs and the 4W matrix: importing a 4W sheet, saving one program (form or
//! API), the matrix over the programs a viewer sees, and the overlap/gap analysis. Each is
//! written once here and called by the pages, the JSON API and the CLI.

use std::collections::HashMap;

use sinergi_core::program::{
    DesaNeed, FieldError, PeerProgram, Program, ProgramFilter, ProgramInput, Saved,
    may_edit_program, own_organisation,
};
use sinergi_core::{Level, Localized, Msg, RegionCode, Viewer};
use sinergi_insight::{
    Analysis, CapacityCoverage, Columns, DesaColumns, GapRules, Matrix, Placement, ProgramFacts,
};
use sinergi_intake::programs::read_program_sheet;
use sinergi_intake::{RowError, TableError};
use sinergi_store::{Organisation, Store, StoreError};

use crate::ActivityError;
use crate::jobs::{JobRunner, Progress};
use crate::lists::{FOURW_UPLOAD, ImportReport, off_request_threads, submit_upload};

// ---------------------------------------------------------------------------------------
// Import

/// A 4W sheet (CSV or XLSX) as a face hands it over.
#[derive(Debug, Clone)]
pub struct ProgramUpload {
    /// The file's name; its extension says how to read it.
    pub file_name: String,
    pub bytes: Vec<u8>,
    /// The organisation (id or exact name) for rows whose `mitra` cell is blank; a partner's
    /// own organisation is always used for its rows.
    pub organisation: Option<String>,
}

/// How an import ended: the good programs stored in one transaction, the rest listed.
#[derive(Debug, Default)]
pub struct ProgramImport {
    pub created: usize,
    pub updated: usize,
    /// Rows of the stored programs.
    pub rows: usize,
    /// Every refused row with its reason, by line.
    pub rejected: Vec<RowError>,
    /// Rows refused (a refused program counts all its rows).
    pub rejected_rows: usize,
}

impl ProgramImport {
    /// Nothing stored and something refused: the upload failed as a whole.
    pub fn failed(&self) -> bool {
        self.rows == 0 && !self.rejected.is_empty()
    }

    /// The import as its job keeps it and every face shows it.
    pub fn report(&self) -> ImportReport {
        let mut report = ImportReport::of_rows(self.failed(), self.rows as u64, &self.rejected);
        report.rejected_lines = report.rejected_lines.max(self.rejected_rows);
        report.created = Some(self.created as u64);
        report.updated = Some(self.updated as u64);
        report
    }
}

/// Why a sheet could not be read, as intake says it.
fn table_refused(e: TableError) -> Msg {
    e.msg()
}

/// Starts the import of a 4W sheet for `viewer` as a background job of `runner` (kind
/// [`FOURW_UPLOAD`]) and returns the job's id; its result is the [`ImportReport`] (a sheet
/// that cannot be read, or names an unknown organisation, is a refused report naming why).
/// The role is checked at once.
pub async fn submit_programs(
    store: &Store,
    runner: &JobRunner,
    viewer: &Viewer,
    upload: ProgramUpload,
) -> Result<i64, ActivityError> {
    if !viewer.can_write() {
        return Err(ActivityError::Forbidden);
    }
    let label = upload.file_name.clone();
    let store = store.clone();
    let job_viewer = viewer.clone();
    submit_upload(
        runner,
        viewer,
        FOURW_UPLOAD,
        &label,
        move |progress| async move {
            match import_programs(&store, &job_viewer, upload, &progress).await {
                Ok(import) => Ok(import.report()),
                Err(ActivityError::Refused(m)) => {
                    Ok(ImportReport::of_rows(true, 0, &[RowError::file(m)]))
                }
                Err(e) => Err(e),
            }
        },
    )
    .await
}

/// Reads a 4W sheet and stores the programs it holds for `viewer`: the good ones in one
/// transaction, the rest listed row by row (a program with a place outside the viewer's
/// reach is refused whole, named). The work of a 4W import job; faces call
/// [`submit_programs`].
pub async fn import_programs(
    store: &Store,
    viewer: &Viewer,
    upload: ProgramUpload,
    progress: &Progress,
) -> Result<ProgramImport, ActivityError> {
    if !viewer.can_write() {
        return Err(ActivityError::Forbidden);
    }
    let ProgramUpload {
        file_name,
        bytes,
        organisation,
    } = upload;
    // Decompressing and reading the sheet is CPU work: on a blocking thread.
    let table =
        off_request_threads(move || sinergi_intake::read_table_bytes(&file_name, &bytes)).await?;
    let table = match table {
        Ok(t) => t,
        Err(TableError::Rows { errors, more }) => {
            let rejected_rows = errors.0.len() + more;
            return Ok(ProgramImport {
                rejected: errors.0,
                rejected_rows,
                ..ProgramImport::default()
            });
        }
        Err(e) => return Err(ActivityError::Refused(table_refused(e))),
    };
    progress.set_total(table.rows() as u64);
    let import = save_sheet(store, viewer, &table, organisation).await?;
    progress.set_done(table.rows() as u64);
    Ok(import)
}

async fn save_sheet(
    store: &Store,
    viewer: &Viewer,
    table: &sinergi_core::Table,
    organisation: Option<String>,
) -> Result<ProgramImport, ActivityError> {
    let scoped = store.scoped(viewer);
    let orgs = scoped.organisations_acting_for().await?;
    let own = own_organisation(viewer).and_then(|id| orgs.iter().find(|o| o.id == id).cloned());
    let fallback = match organisation
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(name) => Some(find_organisation(&orgs, name).ok_or_else(|| {
            ActivityError::Refused(Msg::new("programs.organisation_unknown").arg("name", name))
        })?),
    };
    let resolve = |name: &str| -> Result<i64, Msg> {
        let name = name.trim();
        if let Some(o) = &own {
            return if name.is_empty() || name.eq_ignore_ascii_case(&o.name) {
                Ok(o.id)
            } else {
                Err(Msg::new("programs.organisation_not_own")
                    .arg("own", &o.name)
                    .arg("name", name))
            };
        }
        if name.is_empty() {
            return fallback
                .as_ref()
                .map(|o| o.id)
                .ok_or_else(|| Msg::new("programs.organisation_required"));
        }
        find_organisation(&orgs, name)
            .map(|o| o.id)
            .ok_or_else(|| Msg::new("programs.organisation_unknown").arg("name", name))
    };
    let regions = match (viewer.principal(), &own) {
        (Some(p), Some(o)) if p.scope.regions.is_empty() => vec![o.region.clone()],
        (Some(p), _) => p.scope.regions.clone(),
        (None, _) => Vec::new(),
    };
    let index = store.region_name_index(&regions).await?;
    let mut sheet = read_program_sheet(table, &resolve, &index);
    // Programs with a place the viewer may not write are refused, named.
    let mut keep = Vec::new();
    for (p, lines) in sheet.programs.drain(..) {
        match p
            .locations
            .iter()
            .find(|l| !viewer.may_see(&l.region, p.organisation_id))
        {
            Some(l) => {
                sheet.rejected_rows += lines.len();
                for line in lines {
                    sheet.rejected.push(RowError {
                        line,
                        column: Some("kode_wilayah".into()),
                        reason: Msg::new("programs.program_location_outside")
                            .arg("code", &p.code)
                            .arg("region", &l.region),
                    });
                }
            }
            None => keep.push((p, lines)),
        }
    }
    sheet.rejected.sort_by_key(|e| e.line);
    let inputs: Vec<ProgramInput> = keep.iter().map(|(p, _)| p.clone()).collect();
    let rows = keep.iter().map(|(_, l)| l.len()).sum();
    let saved = if inputs.is_empty() {
        Vec::new()
    } else {
        scoped.save_programs(&inputs).await?
    };
    Ok(ProgramImport {
        created: saved.iter().filter(|s| s.created).count(),
        updated: saved.iter().filter(|s| !s.created).count(),
        rows,
        rejected: sheet.rejected,
        rejected_rows: sheet.rejected_rows,
    })
}

/// An organisation by its id or its exact name (case ignored).
fn find_organisation(orgs: &[Organisation], name: &str) -> Option<Organisation> {
    orgs.iter()
        .find(|o| o.id.to_string() == name || o.name.eq_ignore_ascii_case(name))
        .cloned()
}

// ---------------------------------------------------------------------------------------
// Saving one program

/// How a program is being saved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveMode {
    /// A new program from the form: a code the organisation already uses is refused, not
    /// overwritten.
    Create,
    /// The API's push by code: an existing program with the code is updated.
    Upsert,
    /// Changing program `id`, which keeps its code and organisation.
    Update(i64),
}

/// How a save ended. Field refusals are an outcome: the face shows them by field.
#[derive(Debug)]
pub enum SaveOutcome {
    Saved(Saved),
    Refused(Vec<FieldError>),
}

/// A program `viewer` may see and change (a partner or LKS only its own).
pub async fn editable_program(
    store: &Store,
    viewer: &Viewer,
    id: i64,
) -> Result<Option<Program>, ActivityError> {
    if !viewer.can_write() {
        return Err(ActivityError::Forbidden);
    }
    match store.scoped(viewer).program(id).await? {
        None => Ok(None),
        Some(p) if may_edit_program(viewer, p.input.organisation_id) => Ok(Some(p)),
        Some(_) => Err(ActivityError::Forbidden),
    }
}

/// Checks and stores one program for `viewer`. Places outside the viewer's reach, a taken
/// code (when creating), a changed code (when updating) and the store's refusals of a field
/// come back as [`SaveOutcome::Refused`].
pub async fn save_program(
    store: &Store,
    viewer: &Viewer,
    mut input: ProgramInput,
    mode: SaveMode,
) -> Result<SaveOutcome, ActivityError> {
    if !viewer.can_write() {
        return Err(ActivityError::Forbidden);
    }
    let scoped = store.scoped(viewer);
    let mut errors = Vec::new();
    match mode {
        SaveMode::Create => {
            // Named here rather than refused whole by the store, so the user can fix the line.
            for l in &input.locations {
                if !viewer.may_see(&l.region, input.organisation_id) {
                    errors.push(FieldError::new(
                        "lokasi",
                        Msg::new("programs.location_outside").arg("code", &l.region),
                    ));
                }
            }
            if errors.is_empty() && code_taken(store, viewer, &input).await? {
                errors.push(FieldError::new(
                    "kode",
                    Msg::new("programs.code_taken").arg("code", input.code.trim()),
                ));
            }
        }
        SaveMode::Upsert => {}
        SaveMode::Update(id) => {
            let Some(existing) = scoped.program(id).await? else {
                return Err(ActivityError::Refused(Msg::new("program.not_found")));
            };
            if !may_edit_program(viewer, existing.input.organisation_id) {
                return Err(ActivityError::Forbidden);
            }
            if input.code.trim() != existing.input.code
                || input.organisation_id != existing.input.organisation_id
            {
                errors.push(FieldError::new(
                    "kode",
                    Msg::new("programs.code_fixed")
                        .arg("id", id)
                        .arg("code", &existing.input.code),
                ));
            }
            input.code = existing.input.code;
            for l in &input.locations {
                if !viewer.may_see(&l.region, input.organisation_id) {
                    errors.push(FieldError::new(
                        "lokasi",
                        Msg::new("programs.location_outside").arg("code", &l.region),
                    ));
                }
            }
        }
    }
    if !errors.is_empty() {
        return Ok(SaveOutcome::Refused(errors));
    }
    match scoped.save_program(&input).await {
        Ok(saved) => Ok(SaveOutcome::Saved(saved)),
        Err(StoreError::Refused(m)) => match field_of(&m) {
            Some(e) => Ok(SaveOutcome::Refused(vec![e])),
            None => Err(ActivityError::Refused(m)),
        },
        Err(e) => Err(e.into()),
    }
}

/// A store refusal naming one field, as the field error it is.
fn field_of(m: &Msg) -> Option<FieldError> {
    use sinergi_core::MsgArg;
    if m.key != "programs.field_reason" {
        return None;
    }
    let field = match m.get("field") {
        Some(MsgArg::Text(f)) => FIELDS.iter().find(|x| **x == f.as_str())?,
        _ => return None,
    };
    match m.get("reason") {
        Some(MsgArg::Msg(r)) => Some(FieldError::new(field, (**r).clone())),
        _ => None,
    }
}

const FIELDS: [&str; 2] = ["organisasi", "lokasi"];

/// Whether the organisation already has a program with this code: saving by code would
/// overwrite it, which a "new program" form must not do silently.
async fn code_taken(
    store: &Store,
    viewer: &Viewer,
    input: &ProgramInput,
) -> Result<bool, ActivityError> {
    let filter = ProgramFilter {
        organisation: Some(input.organisation_id),
        query: Some(input.code.trim().to_string()),
        ..ProgramFilter::default()
    };
    Ok(store
        .scoped(viewer)
        .programs_all(&filter)
        .await?
        .iter()
        .any(|p| p.input.code == input.code.trim()))
}

// ---------------------------------------------------------------------------------------
// The 4W matrix

/// What the matrix's columns are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatrixColumns {
    Sector,
    Partner,
}

/// One program location placed in the matrix.
#[derive(Debug, Clone)]
pub struct OwnedPlacement {
    pub program: i64,
    pub organisation: i64,
    /// The region code cut to the matrix level (a location above it keeps its own level).
    pub row: String,
    pub column: String,
    pub planned: u64,
    pub reached: u64,
    pub budget: f64,
}

/// The 4W matrix for a viewer and filter: shared by the page, the export and the API.
#[derive(Debug)]
pub struct FourW {
    pub programs: Vec<Program>,
    pub matrix: Matrix,
    pub level: Level,
    pub columns: MatrixColumns,
    /// Row key → (name, lat, lng).
    pub places: HashMap<String, (String, Option<f64>, Option<f64>)>,
    pub placements: Vec<OwnedPlacement>,
}

/// The matrix of `placements` with rows cut to `len` characters of the region code (a
/// parent level), so partner and program counts stay distinct counts, not sums.
pub fn pivot_placements(placements: &[OwnedPlacement], len: usize) -> Matrix {
    sinergi_insight::pivot(placements.iter().map(|p| Placement {
        program: p.program,
        organisation: p.organisation,
        row: &p.row[..len.min(p.row.len())],
        column: &p.column,
        planned: p.planned,
        reached: p.reached,
        budget: p.budget,
    }))
}

/// The programs `viewer` sees through `filter`, as a matrix at `level` by `columns`.
pub async fn fourw(
    store: &Store,
    viewer: &Viewer,
    filter: &ProgramFilter,
    level: Level,
    columns: MatrixColumns,
) -> Result<FourW, ActivityError> {
    let programs = store.scoped(viewer).programs_all(filter).await?;
    let len = level.dotted_len();
    let mut placements: Vec<OwnedPlacement> = Vec::new();
    for p in &programs {
        let planned: Vec<u64> = p.input.locations.iter().map(|l| l.planned).collect();
        let budgets = sinergi_insight::spread_budget(p.input.budget_rp, &planned);
        for (l, budget) in p.input.locations.iter().zip(budgets) {
            if let Some(w) = &filter.within
                && !(w == &l.region || w.contains(&l.region))
            {
                continue;
            }
            let code = l.region.as_str();
            placements.push(OwnedPlacement {
                program: p.id,
                organisation: p.input.organisation_id,
                row: code[..len.min(code.len())].to_string(),
                column: match columns {
                    MatrixColumns::Partner => p.organisation_name.clone(),
                    MatrixColumns::Sector => p.input.sector.key().to_string(),
                },
                planned: l.planned,
                reached: l.reached,
                budget,
            });
        }
    }
    let matrix = pivot_placements(&placements, len);
    let keys: Vec<String> = matrix.rows.iter().map(|r| r.key.clone()).collect();
    let places = store.region_points(&keys).await?;
    Ok(FourW {
        programs,
        matrix,
        level,
        columns,
        places,
        placements,
    })
}

// ---------------------------------------------------------------------------------------
// Overlap and gap analysis

/// Names of regions and of the kab/kota and kecamatan above them, for labels such as
/// "Desa, Kecamatan, Kabupaten".
#[derive(Debug, Default)]
pub struct PlaceNames(HashMap<String, String>);

impl PlaceNames {
    pub async fn fetch<'c>(
        store: &Store,
        codes: impl Iterator<Item = &'c str>,
    ) -> Result<PlaceNames, ActivityError> {
        let mut all: Vec<RegionCode> = Vec::new();
        for code in codes.filter_map(|c| RegionCode::parse(c).ok()) {
            all.extend(Self::above(&code));
            all.push(code);
        }
        all.sort();
        all.dedup();
        Ok(PlaceNames(store.region_names(&all).await?))
    }

    /// The region's kab/kota and kecamatan (none above kab/kota).
    fn above(code: &RegionCode) -> impl DoubleEndedIterator<Item = RegionCode> {
        code.ancestors()
            .into_iter()
            .filter(|a| a.level() >= Level::KabKota)
    }

    pub fn name(&self, code: &str) -> String {
        self.0.get(code).cloned().unwrap_or_default()
    }

    /// The region's name followed by the names above it, nearest first.
    pub fn label(&self, code: &str) -> String {
        let Ok(c) = RegionCode::parse(code) else {
            return String::new();
        };
        let mut parts = vec![self.name(code)];
        parts.extend(
            Self::above(&c)
                .rev()
                .filter_map(|a| self.0.get(a.as_str()).cloned()),
        );
        parts.join(", ")
    }
}

/// Rows shown per analysis list.
pub const SHOWN: usize = 50;
/// Regions shown in the capacity table of the analysis (the LKS pages have the rest).
pub const CAPACITY_SHOWN: usize = 12;

/// The overlap and gap analysis as a viewer may be shown it.
#[derive(Debug)]
pub struct FourWAnalysis {
    /// The region analysed (the filter's, or a user's single region).
    pub within: Option<RegionCode>,
    /// A partner's own view: overlaps of its programs only, no gaps, no capacity.
    pub partner_view: bool,
    pub rules: GapRules,
    /// Overlaps, introductions, gaps and kab/kota figures; for a partner only those
    /// touching its own programs and organisation.
    pub analysis: Analysis,
    pub desa_total: usize,
    /// The need figures of the desa analysed (empty for a partner).
    pub need: Vec<DesaNeed>,
    /// Organisation names of every program taking part.
    pub organisations: HashMap<i64, String>,
    /// Names of the programs the viewer may name (for a partner, its own only).
    pub programs: HashMap<i64, String>,
    /// Labels of the places shown.
    pub places: PlaceNames,
    /// LKS capacity against the vulnerable population, least covered first.
    pub capacity: Vec<CapacityCoverage>,
    /// Need figures no desa analysed holds (`jumlah_ppks`, `desa_sasaran_kemiskinan_ekstrem`):
    /// their columns are empty until `sinergi agregat impor` loads them.
    pub missing_need: Vec<&'static str>,
}

impl FourWAnalysis {
    /// The programs of an overlap the viewer may name, sorted by id.
    pub fn named_programs(&self, o: &sinergi_insight::DesaOverlap) -> Vec<(i64, String)> {
        let mut ids: Vec<i64> = o
            .pairs
            .iter()
            .flat_map(|p| [p.a, p.b])
            .filter(|id| self.programs.contains_key(id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids.into_iter()
            .map(|id| (id, self.programs.get(&id).cloned().unwrap_or_default()))
            .collect()
    }

    pub fn organisation(&self, id: &i64) -> String {
        self.organisations.get(id).cloned().unwrap_or_default()
    }
}

/// Programs and need figures as the analysis columns.
pub fn analysis_columns(programs: &[Program], need: &[DesaNeed]) -> Columns {
    let nan = |v: Option<f64>| v.map_or(f32::NAN, |x| x as f32);
    let desa = DesaColumns {
        codes: need.iter().map(|d| d.code.to_string()).collect(),
        families: need.iter().map(|d| nan(d.families)).collect(),
        desil1: need.iter().map(|d| nan(d.desil1)).collect(),
        extreme_target: need.iter().map(|d| d.extreme_target).collect(),
        ppks: need.iter().map(|d| nan(d.ppks)).collect(),
    };
    let mut cols = Columns {
        desa,
        ..Columns::default()
    };
    for (i, p) in programs.iter().enumerate() {
        cols.programs.push(ProgramFacts {
            id: p.id,
            organisation: p.input.organisation_id,
            sector: p.input.sector,
            start: p.input.start,
            end: p.input.end,
            target: p.input.target,
        });
        for l in &p.input.locations {
            if l.region.level() == Level::Desa
                && let Some(d) = cols.desa.find(l.region.as_str())
            {
                cols.locations.push((i as u32, d as u32));
            }
            if let Some(k) = l.region.at_level(Level::KabKota) {
                *cols.planned_by_kabkota.entry(k.to_string()).or_default() += l.planned;
            }
        }
    }
    cols
}

/// The overlap and gap analysis for `viewer`: for a partner or LKS, its own programs against
/// the peers sharing its desa (see the store's `overlap_peers` exception); for everyone
/// else, every program it sees against the need figures of the desa it covers, with the LKS
/// capacity beside the vulnerable population.
pub async fn analyse_fourw(
    store: &Store,
    viewer: &Viewer,
    filter: &ProgramFilter,
) -> Result<FourWAnalysis, ActivityError> {
    if own_organisation(viewer).is_some() {
        return partner_analysis(store, viewer, filter).await;
    }
    let within = filter.within.clone().or_else(|| {
        viewer
            .principal()
            .filter(|p| p.scope.regions.len() == 1)
            .map(|p| p.scope.regions[0].clone())
    });
    let scoped = store.scoped(viewer);
    let programs = scoped
        .programs_all(&ProgramFilter {
            within: within.clone(),
            ..filter.clone()
        })
        .await?;
    let need = scoped.desa_need(within.as_ref()).await?;
    let capacity = capacity(store, viewer, within.as_ref()).await?;
    let mut missing_need = Vec::new();
    if !need.is_empty() && need.iter().all(|d| d.ppks.is_none()) {
        missing_need.push("jumlah_ppks");
    }
    let extreme = "desa_sasaran_kemiskinan_ekstrem";
    if !need.is_empty()
        && scoped
            .latest_sum_below(within.as_ref(), extreme, sinergi_core::Level::Desa)
            .await?
            .is_none()
    {
        missing_need.push(extreme);
    }
    let rules = GapRules::default();
    let cols = analysis_columns(&programs, &need);
    let desa_total = cols.desa.len();
    let analysis = run(cols, rules).await?;
    let places = PlaceNames::fetch(
        store,
        analysis
            .overlaps
            .iter()
            .take(SHOWN)
            .map(|o| o.code.as_str())
            .chain(analysis.gaps.iter().take(SHOWN).map(|g| g.code.as_str()))
            .chain(analysis.kabkota.iter().map(|k| k.code.as_str())),
    )
    .await?;
    Ok(FourWAnalysis {
        within,
        partner_view: false,
        rules,
        analysis,
        desa_total,
        need,
        organisations: programs
            .iter()
            .map(|p| (p.input.organisation_id, p.organisation_name.clone()))
            .collect(),
        programs: programs
            .iter()
            .map(|p| (p.id, p.input.name.clone()))
            .collect(),
        places,
        capacity,
        missing_need,
    })
}

/// The analysis runs off the async threads (it is parallel, and can take a while).
async fn run(cols: Columns, rules: GapRules) -> Result<Analysis, ActivityError> {
    tokio::task::spawn_blocking(move || sinergi_insight::analyse(&cols, &rules))
        .await
        .map_err(|e| ActivityError::Store(StoreError::Corrupt(format!("analysis: {e}"))))
}

/// LKS capacity per region one level below `within`, least covered first.
async fn capacity(
    store: &Store,
    viewer: &Viewer,
    within: Option<&RegionCode>,
) -> Result<Vec<CapacityCoverage>, ActivityError> {
    let rows = store.scoped(viewer).lks_capacity_by_region(within).await?;
    let mut out = sinergi_insight::capacity_coverage(rows.into_iter().map(|r| {
        (
            r.region.to_string(),
            r.region_name.clone(),
            r.capacity,
            r.need,
        )
    }));
    out.truncate(CAPACITY_SHOWN);
    Ok(out)
}

/// A partner's (or LKS's) own overlaps: its programs against the other organisations'
/// programs in the same desa, of which it learns only the organisation and sector.
async fn partner_analysis(
    store: &Store,
    viewer: &Viewer,
    filter: &ProgramFilter,
) -> Result<FourWAnalysis, ActivityError> {
    let scoped = store.scoped(viewer);
    let own = scoped.programs_all(filter).await?;
    let peers = scoped.overlap_peers(filter).await?;
    let mut codes: Vec<String> = own
        .iter()
        .flat_map(|p| &p.input.locations)
        .filter(|l| l.region.level() == Level::Desa)
        .map(|l| l.region.to_string())
        .collect();
    codes.sort();
    codes.dedup();
    let n = codes.len();
    let mut cols = Columns {
        desa: DesaColumns {
            codes,
            families: vec![f32::NAN; n],
            desil1: vec![f32::NAN; n],
            extreme_target: vec![false; n],
            ppks: vec![f32::NAN; n],
        },
        ..Columns::default()
    };
    let mut organisations: HashMap<i64, String> = HashMap::new();
    let mut add = |facts: ProgramFacts, desa: &mut dyn Iterator<Item = &RegionCode>| {
        let i = cols.programs.len() as u32;
        cols.programs.push(facts);
        for code in desa {
            if let Some(d) = cols.desa.find(code.as_str()) {
                cols.locations.push((i, d as u32));
            }
        }
    };
    for p in &own {
        organisations.insert(p.input.organisation_id, p.organisation_name.clone());
        let i = &p.input;
        add(
            ProgramFacts {
                id: p.id,
                organisation: i.organisation_id,
                sector: i.sector,
                start: i.start,
                end: i.end,
                target: i.target,
            },
            &mut i.locations.iter().map(|l| &l.region),
        );
    }
    for p in &peers {
        let PeerProgram {
            id,
            organisation_id,
            organisation_name,
            sector,
            start,
            end,
            target,
            desa,
        } = p;
        organisations.insert(*organisation_id, organisation_name.clone());
        add(
            ProgramFacts {
                id: *id,
                organisation: *organisation_id,
                sector: *sector,
                start: *start,
                end: *end,
                target: *target,
            },
            &mut desa.iter(),
        );
    }
    let desa_total = cols.desa.len();
    let rules = GapRules::default();
    let mut analysis = run(cols, rules).await?;
    let programs: HashMap<i64, String> = own.iter().map(|p| (p.id, p.input.name.clone())).collect();
    let own_org = own_organisation(viewer).unwrap_or_default();
    analysis.overlaps.retain(|o| {
        o.pairs
            .iter()
            .any(|p| programs.contains_key(&p.a) || programs.contains_key(&p.b))
    });
    analysis
        .introductions
        .retain(|i| i.a == own_org || i.b == own_org);
    analysis.gaps.clear();
    analysis.kabkota.clear();
    analysis.desa_in_need = 0;
    let places = PlaceNames::fetch(
        store,
        analysis
            .overlaps
            .iter()
            .take(SHOWN)
            .map(|o| o.code.as_str()),
    )
    .await?;
    Ok(FourWAnalysis {
        within: filter.within.clone(),
        partner_view: true,
        rules,
        analysis,
        desa_total,
        need: Vec::new(),
        organisations,
        programs,
        places,
        capacity: Vec::new(),
        missing_need: Vec::new(),
    })
}

// ---------------------------------------------------------------------------------------
// Export

/// The 4W template's rows (one per location) for the programs `viewer` sees through
/// `filter`, with region names filled in; the export is audited.
pub async fn export_fourw(
    store: &Store,
    viewer: &Viewer,
    filter: &ProgramFilter,
) -> Result<Vec<Vec<String>>, ActivityError> {
    let programs = store.scoped(viewer).programs_all(filter).await?;
    let mut codes: Vec<RegionCode> = Vec::new();
    for p in &programs {
        for l in &p.input.locations {
            codes.extend(l.region.ancestors());
            codes.push(l.region.clone());
        }
    }
    codes.sort();
    codes.dedup();
    let names = store.region_names(&codes).await?;
    let name_at = |code: &RegionCode, level: Level| {
        code.at_level(level)
            .filter(|_| code.level() >= level)
            .and_then(|c| names.get(c.as_str()).cloned())
            .unwrap_or_default()
    };
    let mut rows = Vec::new();
    for p in &programs {
        rows.extend(sinergi_intake::programs::program_rows(
            &p.organisation_name,
            &p.input,
            &|c| {
                [
                    name_at(c, Level::KabKota),
                    name_at(c, Level::Kecamatan),
                    name_at(c, Level::Desa),
                ]
            },
        ));
    }
    store
        .record(
            &sinergi_store::AuditEvent::new(
                sinergi_store::Actor::from(viewer),
                "program.export",
                "program",
            )
            .after(serde_json::json!({ "program": programs.len(), "baris": rows.len() })),
        )
        .await?;
    Ok(rows)
}
