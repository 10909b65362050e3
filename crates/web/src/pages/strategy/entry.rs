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
    period: String,
    can_enter: bool,
    can_manage: bool,
    locks: Vec<PeriodLock>,
    rules: Vec<ValidationRule>,
    violations: Vec<Violation>,
    recent: Vec<Realisation>,
    notice: Option<String>,
    error: Option<String>,
    refused: Vec<RefusedRealisation>,
    computations: Vec<(String, String, String)>,
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
    let keyed: HashMap<ValueKey, f64> = values
        .iter()
        .filter(|v| v.disaggregation.is_empty() && v.period == period)
        .map(|v| {
            (
                (v.indicator_code.clone(), v.region.clone(), v.period.clone()),
                v.value,
            )
        })
        .collect();
    let violations = evaluate_rules(&rules, &keyed);
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
    Ok(DataPage {
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
        computations,
    })
}

pub async fn data_page(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Query(q): Query<PeriodQuery>,
) -> Response {
    let result = data_view(&state, &ui, &user, id, q.periode.as_deref()).await;
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
        let mut view = data_view(
            &state,
            &ui,
            &user,
            id,
            period.map(|p| p.to_string()).as_deref(),
        )
        .await?;
        let Some(period) = period else {
            view.error = Some(format!(
                "{}: {}",
                ui.t.get("strategy.period"),
                Period::parse(&f.periode)
                    .err()
                    .map(|e| e.to_string())
                    .unwrap_or_default()
            ));
            return Ok(view);
        };
        let Some(value) = sinergi_intake::realisation::parse_figure(&f.nilai) else {
            view.error = Some(format!(
                "{}: \"{}\" {}",
                ui.t.get("strategy.actual"),
                f.nilai.trim(),
                ui.t.get("strategy.not_a_number")
            ));
            return Ok(view);
        };
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
        apply(&state, &ui, &user, id, &mut view, EntryMethod::Form, &[row]).await?;
        Ok(view)
    }
    .await;
    outcome(&ui, result)
}

/// Saves rows and refreshes the view with the outcome.
pub(super) async fn apply(
    state: &AppState,
    ui: &Ui,
    user: &SessionUser,
    id: i64,
    view: &mut DataPage,
    method: EntryMethod,
    rows: &[NewRealisation],
) -> Result<(), AppError> {
    match state
        .store
        .scoped(&user.viewer)
        .save_realisations(id, method, rows)
        .await
    {
        Ok(Ok(n)) => {
            let period = view.period.clone();
            *view = data_view(state, ui, user, id, Some(&period)).await?;
            view.notice = Some(format!("{} {}", n, ui.t.get("strategy.saved")));
        }
        Ok(Err(refused)) => {
            view.error = Some(ui.t.get("strategy.refused").to_string());
            view.refused = refused;
        }
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
    let result = async {
        let mut view = data_view(&state, &ui, &user, id, None).await?;
        let mut file: Option<(String, Vec<u8>)> = None;
        while let Ok(Some(field)) = multipart.next_field().await {
            if field.name() == Some("berkas") {
                let name = field.file_name().unwrap_or("realisasi.csv").to_string();
                let bytes = field.bytes().await.map_err(|e| bad(e.to_string()))?;
                file = Some((name, bytes.to_vec()));
            }
        }
        let Some((name, bytes)) = file.filter(|(_, b)| !b.is_empty()) else {
            view.error = Some(ui.t.get("lists.no_file").to_string());
            return Ok(view);
        };
        let table = if name.to_lowercase().ends_with(".xlsx") {
            let dir = tempfile_dir()?;
            let path = dir.join("realisasi.xlsx");
            std::fs::write(&path, &bytes).map_err(AppError::internal)?;
            let t = sinergi_intake::read_table_file(&path);
            let _ = std::fs::remove_dir_all(&dir);
            t
        } else {
            sinergi_intake::read_csv_table(&bytes)
        };
        let table = match table {
            Ok(t) => t,
            Err(e) => {
                view.error = Some(e.to_string());
                return Ok(view);
            }
        };
        let (rows, errors) = sinergi_intake::realisation::read_realisations(&table);
        if !errors.is_empty() {
            view.error = Some(ui.t.get("strategy.refused").to_string());
            view.refused = errors
                .into_iter()
                .map(|e| RefusedRealisation {
                    line: e.line,
                    column: column_name(e.column.as_deref()),
                    reason: ui.t.render(&e.reason),
                })
                .collect();
            return Ok(view);
        }
        let rows: Vec<NewRealisation> = rows
            .into_iter()
            .map(|r| NewRealisation {
                line: r.line,
                indicator_code: r.indicator_code,
                disaggregation: r.disaggregation,
                region: r.region,
                period: r.period,
                source: r.source,
                value: r.value,
                drivers: r.drivers,
                obstacles: r.obstacles,
                follow_up: r.follow_up,
            })
            .collect();
        if rows.is_empty() {
            view.error = Some(ui.t.get("strategy.empty_file").to_string());
            return Ok(view);
        }
        apply(
            &state,
            &ui,
            &user,
            id,
            &mut view,
            EntryMethod::Import,
            &rows,
        )
        .await?;
        Ok(view)
    }
    .await;
    outcome(&ui, result)
}

pub(super) fn column_name(c: Option<&str>) -> &'static str {
    sinergi_intake::realisation::COLUMNS
        .iter()
        .find(|k| Some(**k) == c)
        .copied()
        .unwrap_or("")
}

pub(super) fn tempfile_dir() -> Result<std::path::PathBuf, AppError> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).map_err(AppError::internal)?;
    let dir = std::env::temp_dir().join(format!(
        "sinergi-impor-{}",
        bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()
    ));
    std::fs::create_dir_all(&dir).map_err(AppError::internal)?;
    Ok(dir)
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
                    tree.strategy.region.clone(),
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
        let period = Period::parse(&f.periode).map_err(|e| bad(e.to_string()))?;
        let mut view = data_view(&state, &ui, &user, id, Some(&period.to_string())).await?;
        match state
            .store
            .scoped(&user.viewer)
            .compute_realisations(id, period)
            .await
        {
            Ok(Ok(n)) => {
                view = data_view(&state, &ui, &user, id, Some(&period.to_string())).await?;
                view.notice = Some(format!("{n} {}", ui.t.get("strategy.computed")));
            }
            Ok(Err(refused)) => {
                view.error = Some(ui.t.get("strategy.refused").to_string());
                view.refused = refused;
            }
            Err(e) => return Err(e.into()),
        }
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
        let period = Period::parse(&f.periode).map_err(|e| bad(e.to_string()))?;
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
                op: CompareOp::parse(&f.operator)
                    .ok_or_else(|| bad(format!("operator \"{}\" tidak dikenal", f.operator)))?,
                right: f.kanan.trim().to_string(),
            }
        } else {
            RuleCheck::Range {
                min: opt_figure("batas bawah", &f.min)?,
                max: opt_figure("batas atas", &f.max)?,
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
