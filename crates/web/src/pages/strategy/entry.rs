//! Data entry: form, import with a reject report, computation, period locks and validation
//! rules.

#[allow(unused_imports)]
use super::*;

// ---------------------------------------------------------------- data entry

#[derive(Template)]
#[template(path = "strategy_data.html")]
pub(super) struct DataPage {
    ui: Ui,
    t: Messages,
    tree: StrategyTree,
    period: Period,
    can_enter: bool,
    can_manage: bool,
    locks: Vec<PeriodLock>,
    rules: Vec<ValidationRule>,
    violations: Vec<Violation>,
    recent: Vec<Realisation>,
    notice: Option<String>,
    error: Option<String>,
    refused: Vec<RefusedRow>,
    /// A typed value held back by a range or rule, waiting to be confirmed or corrected.
    pending: Option<PendingValue>,
    computations: Vec<(String, String, String)>,
    /// The indicator whose breakdown grid is shown (picked by reload, no script).
    chosen: Option<String>,
    periods: Vec<(String, String, bool)>,
    /// The region whose held values fill the grid.
    grid_region: String,
    grid: Grid,
    /// The strategy's region and those one level below, for the entry forms.
    region_picker: crate::picker::RegionPicker,
}

/// The breakdown grid: the full cross of the groups the indicator asks for (one dimension
/// across, the combinations of the others down), and, for an indicator whose groups do not
/// add up (a rate), a box per group of each dimension.
#[derive(Default)]
pub(super) struct Grid {
    /// The dimension across, then its groups.
    pub column_label: String,
    pub columns: Vec<String>,
    pub rows: Vec<GridRow>,
    /// Group figures typed apart (empty when they are summed from the cells).
    pub margins: Vec<GridRow>,
    pub additive: bool,
}

impl Grid {
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// One row of the grid: its words and a box per column.
pub(super) struct GridRow {
    pub label: String,
    pub cells: Vec<GridCell>,
}

pub(super) struct GridCell {
    /// The disaggregation key the box is sent under
    /// (`jenis_kelamin=perempuan;kelompok_umur=0_17;disabilitas=ya`).
    pub key: String,
    /// The cell's groups in words, for the box's label.
    pub label: String,
    /// The value already held for the region this quarter, to correct in place.
    pub held: String,
}

/// A figure as a box holds it: no thousands dots, "1.550" would read back as 1,55.
fn held_text(v: Option<f64>) -> String {
    v.map(|v| v.to_string().replace('.', ","))
        .unwrap_or_default()
}

fn groups_words(t: Messages, groups: &[(&str, &str)]) -> String {
    groups
        .iter()
        .map(|(d, g)| t.get(sinergi_core::strategy::group_label_key(d, g)))
        .collect::<Vec<_>>()
        .join(" · ")
}

impl DataPage {
    /// Shows the grid of `code` (or of the first indicator asking for a breakdown).
    pub(super) fn choose(&mut self, code: Option<&str>, region: Option<&str>) {
        let asked = |i: &&sinergi_store::Indicator| !i.fields.disaggregations.is_empty();
        let picked = match code.map(str::trim).filter(|c| !c.is_empty()) {
            Some(c) => self.tree.indicator(c),
            None => self.tree.indicators().find(asked),
        };
        let Some(ind) = picked else {
            return;
        };
        let region = region
            .and_then(|r| StrategyArea::parse(r.trim()).ok())
            .unwrap_or_else(|| self.tree.strategy.region.clone());
        let t = self.t;
        let cross =
            sinergi_core::strategy::indicator_cross(&ind.fields, &self.recent, &region, None);
        let cell = |groups: &[(&'static str, &'static str)], v: Option<f64>| GridCell {
            key: sinergi_core::strategy::cell_key(groups),
            label: groups_words(t, groups),
            held: held_text(v),
        };
        self.grid = match cross.layout() {
            Some(layout) => Grid {
                column_label: t.get(dis_key(layout.column_dimension)).to_string(),
                columns: layout
                    .columns
                    .iter()
                    .map(|g| {
                        t.get(sinergi_core::strategy::group_label_key(
                            layout.column_dimension,
                            g,
                        ))
                        .to_string()
                    })
                    .collect(),
                rows: layout
                    .rows
                    .iter()
                    .map(|(row, values)| GridRow {
                        label: groups_words(t, row),
                        cells: layout
                            .columns
                            .iter()
                            .zip(values)
                            .map(|(col, v)| {
                                // The cell's groups in the canonical order of its key.
                                let mut groups = row.clone();
                                groups.push((layout.column_dimension, col));
                                groups.sort_by_key(|(d, _)| {
                                    sinergi_core::strategy::DISAGGREGATIONS
                                        .iter()
                                        .position(|x| x == d)
                                });
                                cell(&groups, *v)
                            })
                            .collect(),
                    })
                    .collect(),
                margins: if cross.additive {
                    Vec::new()
                } else {
                    cross
                        .margins
                        .iter()
                        .map(|m| GridRow {
                            label: t.get(dis_key(&m.dimension)).to_string(),
                            cells: m
                                .groups
                                .iter()
                                .map(|(g, v)| {
                                    let dim = sinergi_core::strategy::DISAGGREGATIONS
                                        .iter()
                                        .copied()
                                        .find(|d| *d == m.dimension)
                                        .unwrap_or("jenis_kelamin");
                                    cell(&[(dim, g)], *v)
                                })
                                .collect(),
                        })
                        .collect()
                },
                additive: cross.additive,
            },
            // One dimension: its groups are the cells.
            None => Grid {
                column_label: cross
                    .dimensions
                    .first()
                    .map(|d| t.get(dis_key(d)).to_string())
                    .unwrap_or_default(),
                columns: cross
                    .cells
                    .iter()
                    .map(|c| groups_words(t, &c.groups))
                    .collect(),
                rows: if cross.cells.is_empty() {
                    Vec::new()
                } else {
                    vec![GridRow {
                        label: t.get("strategy.grid.value").to_string(),
                        cells: cross
                            .cells
                            .iter()
                            .map(|c| cell(&c.groups, c.value))
                            .collect(),
                    }]
                },
                margins: Vec::new(),
                additive: cross.additive,
            },
        };
        self.chosen = Some(ind.fields.code.clone());
        self.grid_region = region.to_string();
    }
}

/// A value held back at saving: the warnings, and the form's fields to send again.
pub(super) struct PendingValue {
    pub warnings: Vec<String>,
    pub fields: Vec<(&'static str, String)>,
}

/// A refused row as the page shows it.
pub(super) struct RefusedRow {
    pub line: u64,
    pub column: &'static str,
    pub reason: String,
}

pub(super) fn refused_rows(t: Messages, rows: &[RefusedRealisation]) -> Vec<RefusedRow> {
    rows.iter()
        .map(|r| RefusedRow {
            line: r.line,
            column: r.column,
            reason: t.render(&r.reason),
        })
        .collect()
}

pub(super) async fn data_view(
    state: &AppState,
    ui: &Ui,
    user: &SessionUser,
    id: i64,
    period: Option<&str>,
) -> Result<DataPage, AppError> {
    let tree = load_tree(state, ui, id, None).await?;
    let scoped = state.store.scoped(&user.viewer);
    let values = scoped.realisations(&tree.strategy, None, None).await?;
    let period = chosen_period(period, &values)?;
    let rules = scoped.validation_rules(id).await?;
    let violations = sinergi_activity::strategy::violations_of(&rules, &values, period);
    let mut recent: Vec<Realisation> = values.into_iter().filter(|v| v.period == period).collect();
    recent.sort_by(|a, b| b.entered_at.cmp(&a.entered_at));
    recent.truncate(30);
    let computations = tree
        .indicators()
        .filter_map(|i| {
            let key = i.fields.computation.as_deref()?;
            let c = sinergi_store::computation(key)?;
            Some((i.fields.code.clone(), c.name.to_string(), c.sql.to_string()))
        })
        .collect();
    let region_picker =
        crate::picker::RegionPicker::for_strategy(state, ui, &tree.strategy.region).await?;
    Ok(DataPage {
        periods: period_choices(ui.t, &tree.strategy, period),
        t: ui.t,
        ui: ui.clone(),
        can_enter: scoped.enters_realisation() && tree.version.status == VersionStatus::Published,
        can_manage: scoped.may_manage(&tree.strategy),
        locks: scoped.period_locks(id).await?,
        tree,
        period,
        rules,
        violations,
        recent,
        notice: None,
        error: None,
        refused: Vec::new(),
        pending: None,
        computations,
        chosen: None,
        grid_region: String::new(),
        grid: Grid::default(),
        region_picker,
    })
}

pub async fn data_page(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let result = data_view(&state, &ui, &user, id, q.periode.as_deref())
        .await
        .map(|mut v| {
            v.choose(q.indikator.as_deref(), q.wilayah.as_deref());
            v
        });
    render(&ui, result)
}

/// Renders the data page with the outcome of a change (400 when something was refused).
pub(super) fn outcome(ui: &Ui, result: Result<DataPage, AppError>) -> Response {
    let failed = matches!(&result, Ok(v) if v.error.is_some());
    let mut resp = render(ui, result);
    if failed {
        *resp.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    }
    resp
}

#[derive(Deserialize)]
pub struct ValueForm {
    kode_indikator: String,
    #[serde(default)]
    rincian: String,
    kode_wilayah: String,
    periode: String,
    sumber: String,
    nilai: String,
    #[serde(default)]
    faktor_pendorong: String,
    #[serde(default)]
    faktor_penghambat: String,
    #[serde(default)]
    tindak_lanjut: String,
    /// Set when the user confirms a value the checks held back.
    #[serde(default)]
    konfirmasi: String,
}

pub async fn save_value(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<ValueForm>,
) -> Response {
    let result = async {
        let period = Period::parse(&f.periode).ok();
        let shown = period.map(|p| p.to_string());
        let mut view = data_view(&state, &ui, &user, id, shown.as_deref()).await?;
        let Some(period) = period else {
            view.error = Some(
                ui.t.render(
                    &Msg::new("strategy.refuse.field")
                        .arg_msg("field", Msg::new("strategy.f.period"))
                        .arg_msg(
                            "reason",
                            Msg::new("strategy.refuse.period_bad").arg("period", f.periode.trim()),
                        ),
                ),
            );
            return Ok(view);
        };
        let Some(value) = sinergi_intake::realisation::parse_figure(&f.nilai) else {
            view.error = Some(
                ui.t.render(
                    &Msg::new("strategy.refuse.field")
                        .arg_msg("field", Msg::new("strategy.f.value"))
                        .arg_msg(
                            "reason",
                            Msg::new("strategy.refuse.figure").arg("value", f.nilai.trim()),
                        ),
                ),
            );
            return Ok(view);
        };
        let fields = vec![
            ("kode_indikator", f.kode_indikator.clone()),
            ("rincian", f.rincian.clone()),
            ("kode_wilayah", f.kode_wilayah.clone()),
            ("periode", f.periode.clone()),
            ("sumber", f.sumber.clone()),
            ("nilai", f.nilai.clone()),
            ("faktor_pendorong", f.faktor_pendorong.clone()),
            ("faktor_penghambat", f.faktor_penghambat.clone()),
            ("tindak_lanjut", f.tindak_lanjut.clone()),
        ];
        let row = NewRealisation {
            line: 0,
            indicator_code: f.kode_indikator,
            disaggregation: f.rincian,
            region: f.kode_wilayah,
            period,
            source: f.sumber,
            value,
            drivers: f.faktor_pendorong,
            obstacles: f.faktor_penghambat,
            follow_up: f.tindak_lanjut,
        };
        let confirmed = !f.konfirmasi.trim().is_empty();
        let outcome = sinergi_activity::realisation::enter_form_value(
            &state.store,
            &user.viewer,
            id,
            row,
            confirmed,
        )
        .await;
        match outcome {
            Ok(FormOutcome::NeedsConfirmation { warnings }) => {
                view.pending = Some(PendingValue {
                    warnings: warnings.iter().map(|w| ui.t.render(w)).collect(),
                    fields,
                });
            }
            Ok(FormOutcome::Entered(done)) => {
                apply(
                    &state,
                    &ui,
                    &user,
                    id,
                    &mut view,
                    Ok(done),
                    "strategy.saved",
                )
                .await?
            }
            Err(e) => apply(&state, &ui, &user, id, &mut view, Err(e), "strategy.saved").await?,
        }
        Ok(view)
    }
    .await;
    outcome(&ui, result)
}

/// The breakdown grid as sent: the shared fields, then `r:<key>` boxes.
pub async fn save_grid(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let result = async {
        let field = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        let code = field("kode_indikator");
        let period = asked_period(Some(&field("periode")))?
            .ok_or_else(|| bad(Msg::new("strategy.refuse.period_bad").arg("period", "")))?;
        let mut view = data_view(&state, &ui, &user, id, Some(&period.to_string())).await?;
        let entry = sinergi_activity::realisation::BreakdownEntry {
            indicator_code: code.clone(),
            region: field("kode_wilayah"),
            period,
            source: field("sumber"),
            cells: fields
                .iter()
                .filter_map(|(k, v)| Some((k.strip_prefix("r:")?.to_string(), v.clone())))
                .collect(),
        };
        let outcome =
            sinergi_activity::realisation::enter_breakdown(&state.store, &user.viewer, id, entry)
                .await;
        apply(&state, &ui, &user, id, &mut view, outcome, "strategy.saved").await?;
        view.choose(Some(&code), Some(&field("kode_wilayah")));
        Ok(view)
    }
    .await;
    outcome(&ui, result)
}

/// Shows how an entry ended: refreshed with a notice, or the refused rows, or the refusal.
async fn apply(
    state: &AppState,
    ui: &Ui,
    user: &SessionUser,
    id: i64,
    view: &mut DataPage,
    outcome: Result<RealisationOutcome, sinergi_activity::ActivityError>,
    done_key: &'static str,
) -> Result<(), AppError> {
    match outcome {
        Ok(RealisationOutcome::Stored { count }) => {
            let period = view.period.to_string();
            *view = data_view(state, ui, user, id, Some(&period)).await?;
            view.notice = Some(format!("{} {}", count, ui.t.get(done_key)));
        }
        Ok(RealisationOutcome::Refused { rows }) => {
            view.error = Some(ui.t.get("strategy.refused").to_string());
            view.refused = refused_rows(ui.t, &rows);
        }
        Ok(RealisationOutcome::Unreadable(m)) => view.error = Some(ui.t.render(&m)),
        Err(e) => match AppError::from(e) {
            AppError {
                detail: Some(d), ..
            } => view.error = Some(ui.t.render(&d)),
            other => return Err(other),
        },
    }
    Ok(())
}

pub async fn import(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    mut multipart: Multipart,
) -> Response {
    // The role before the body: an account that may not enter realisation never gets a
    // file parsed.
    if !sinergi_core::strategy::enters_realisation(&user.viewer) {
        return AppError::forbidden().page(&ui);
    }
    let result = async {
        let mut view = data_view(&state, &ui, &user, id, None).await?;
        let mut file: Option<(String, Vec<u8>)> = None;
        while let Ok(Some(field)) = multipart.next_field().await {
            if field.name() == Some("berkas") {
                let name = field.file_name().unwrap_or("realisasi.csv").to_string();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|_| bad(Msg::new("strategy.refuse.upload_broken")))?;
                file = Some((name, bytes.to_vec()));
            }
        }
        let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
            view.error = Some(ui.t.get("lists.no_file").to_string());
            return Ok(Err(view));
        };
        // Read and stored as a background job; the browser goes to its progress page.
        let job = sinergi_activity::realisation::submit_realisation_file(
            &state.store,
            &state.jobs,
            &user.viewer,
            id,
            name,
            bytes,
        )
        .await?;
        Ok(Ok(job))
    }
    .await;
    match result {
        Ok(Ok(job)) => axum::response::Redirect::to(&format!("/tugas/{job}")).into_response(),
        Ok(Err(view)) => outcome(&ui, Ok(view)),
        Err(e) => outcome(&ui, Err(e)),
    }
}

pub async fn template(
    State(state): State<AppState>,
    ui: Ui,
    Signed(_user): Signed,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        let tree = load_tree(&state, &ui, id, None).await?;
        let columns = sinergi_intake::realisation::COLUMNS;
        let example: Vec<Vec<String>> = tree
            .indicators()
            .take(3)
            .map(|i| {
                vec![
                    i.fields.code.clone(),
                    String::new(),
                    tree.strategy.region.to_string(),
                    "2025-Q3".into(),
                    i.fields.data_source.clone(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ]
            })
            .collect();
        let table = crate::export::Table::new("realisasi", &columns, example)
            .with_column_notes(&ui.t, "strategy.column.{}");
        crate::export::table_download(crate::export::TableFormat::Xlsx, "templat-realisasi", table)
    }
    .await;
    match result {
        Ok(r) => r,
        Err(e) => e.page(&ui),
    }
}

#[derive(Deserialize)]
pub struct ComputeForm {
    periode: String,
}

pub async fn compute(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<ComputeForm>,
) -> Response {
    let result = async {
        let period = asked_period(Some(&f.periode))?
            .ok_or_else(|| bad(Msg::new("strategy.refuse.period_bad").arg("period", "")))?;
        let mut view = data_view(&state, &ui, &user, id, Some(&period.to_string())).await?;
        let outcome = sinergi_activity::realisation::compute_realisation(
            &state.store,
            &user.viewer,
            id,
            period,
        )
        .await
        .map_err(AppError::from)?;
        apply(
            &state,
            &ui,
            &user,
            id,
            &mut view,
            Ok(outcome),
            "strategy.computed",
        )
        .await?;
        Ok(view)
    }
    .await;
    outcome(&ui, result)
}

#[derive(Deserialize)]
pub struct LockForm {
    periode: String,
    aksi: String,
    #[serde(default)]
    alasan: String,
}

pub async fn lock(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<LockForm>,
) -> Response {
    let result: Result<Period, AppError> = async {
        let period = asked_period(Some(&f.periode))?
            .ok_or_else(|| bad(Msg::new("strategy.refuse.period_bad").arg("period", "")))?;
        let scoped = state.store.scoped(&user.viewer);
        match f.aksi.as_str() {
            "kunci" => scoped.lock_period(id, period).await?,
            _ => scoped.reopen_period(id, period, &f.alasan).await?,
        }
        Ok(period)
    }
    .await;
    match result {
        Ok(p) => Redirect::to(&format!("/strategi/{id}/data?periode={p}")).into_response(),
        Err(e) => e.page(&ui),
    }
}

#[derive(Deserialize)]
pub struct RuleForm {
    nama: String,
    kiri: String,
    jenis: String,
    #[serde(default)]
    operator: String,
    #[serde(default)]
    kanan: String,
    #[serde(default)]
    min: String,
    #[serde(default)]
    max: String,
}

pub async fn add_rule(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<RuleForm>,
) -> Response {
    let result: Result<(), AppError> = async {
        let check = if f.jenis == "bandingkan" {
            RuleCheck::Compare {
                op: CompareOp::parse(&f.operator).ok_or_else(|| {
                    bad(Msg::new("strategy.refuse.operator").arg("op", f.operator.trim()))
                })?,
                right: f.kanan.trim().to_string(),
            }
        } else {
            RuleCheck::Range {
                min: opt_figure("strategy.f.range_min", &f.min)?,
                max: opt_figure("strategy.f.range_max", &f.max)?,
            }
        };
        state
            .store
            .scoped(&user.viewer)
            .add_validation_rule(id, &f.nama, &f.kiri, &check)
            .await?;
        Ok(())
    }
    .await;
    match result {
        Ok(()) => Redirect::to(&format!("/strategi/{id}/data")).into_response(),
        Err(e) => e.page(&ui),
    }
}

/// One row of `POST /api/v1/strategi/{id}/realisasi`.
#[derive(Deserialize, utoipa::ToSchema)]
pub struct ApiRow {
    kode_indikator: String,
    #[serde(default)]
    rincian: String,
    kode_wilayah: String,
    periode: String,
    sumber: String,
    nilai: f64,
    #[serde(default)]
    faktor_pendorong: String,
    #[serde(default)]
    faktor_penghambat: String,
    #[serde(default)]
    tindak_lanjut: String,
}

#[derive(Deserialize, utoipa::ToSchema)]
pub struct ApiRows {
    baris: Vec<ApiRow>,
}

/// A refused row list as one message: every row with its line, column and reason.
fn refused_msg(rows: &[RefusedRealisation]) -> Msg {
    Msg::new("strategy.refuse.rows").arg_list(
        "rows",
        rows.iter()
            .map(|r| {
                Msg::new("error.row_column")
                    .arg("line", r.line)
                    .arg("column", r.column)
                    .arg_msg("reason", r.reason.clone())
            })
            .collect(),
    )
}

/// `POST /api/v1/strategi/{id}/realisasi`: JSON rows (`{"baris": [...]}`, lines numbered
/// from 1), entered through the same use case as the form and the file import.
#[utoipa::path(post, path = "/api/v1/strategi/{id}/realisasi", tag = "strategi", operation_id = "realisation_save",
    summary = "Masukkan nilai realisasi (baris JSON), lewat use case yang sama dengan formulir dan impor",
    params(("id" = i64, Path, description = "Id strategi")),
    request_body(content = ApiRows, content_type = "application/json"),
    responses((status = 200, description = "Jumlah nilai tersimpan", body = crate::api::openapi::Document),
        (status = 422, description = "Badan JSON tidak berbentuk `{\"baris\": [...]}`", body = crate::api::openapi::ErrorBody),
        (status = 400, description = "Permintaan tidak sah", body = crate::api::openapi::ErrorBody), (status = 401, description = "Tanpa token atau sesi", body = crate::api::openapi::ErrorBody), (status = 403, description = "Peran atau cakupan tidak mengizinkan", body = crate::api::openapi::ErrorBody), (status = 404, description = "Tidak ada dalam cakupan", body = crate::api::openapi::ErrorBody), (status = 500, description = "Kesalahan server", body = crate::api::openapi::ErrorBody)))]
pub async fn api_realisation(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    axum::Json(body): axum::Json<ApiRows>,
) -> Response {
    let result: Result<u64, AppError> = async {
        let mut rows = Vec::with_capacity(body.baris.len());
        let mut bad_periods = Vec::new();
        for (i, r) in body.baris.into_iter().enumerate() {
            let line = i as u64 + 1;
            let Ok(period) = Period::parse(&r.periode) else {
                bad_periods.push(RefusedRealisation {
                    line,
                    column: "periode",
                    reason: Msg::new("strategy.refuse.period_bad").arg("period", r.periode.trim()),
                });
                continue;
            };
            rows.push(NewRealisation {
                line,
                indicator_code: r.kode_indikator,
                disaggregation: r.rincian,
                region: r.kode_wilayah,
                period,
                source: r.sumber,
                value: r.nilai,
                drivers: r.faktor_pendorong,
                obstacles: r.faktor_penghambat,
                follow_up: r.tindak_lanjut,
            });
        }
        if !bad_periods.is_empty() {
            return Err(AppError::bad_request(
                "strategy.refused",
                refused_msg(&bad_periods),
            ));
        }
        match sinergi_activity::realisation::enter_realisation(
            &state.store,
            &user.viewer,
            id,
            EntryMethod::Import,
            &rows,
        )
        .await?
        {
            RealisationOutcome::Stored { count } => Ok(count),
            RealisationOutcome::Refused { rows } => Err(AppError::bad_request(
                "strategy.refused",
                refused_msg(&rows),
            )),
            RealisationOutcome::Unreadable(m) => Err(AppError::bad_request("strategy.refused", m)),
        }
    }
    .await;
    match result {
        Ok(n) => axum::Json(serde_json::json!({ "disimpan": n })).into_response(),
        Err(e) => e.json(ui.t),
    }
}
