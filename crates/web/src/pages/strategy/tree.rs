//! The strategy list, creating a strategy, and its tree per version with the draft editor
//! (objectives, indicators, targets, publication, amendment).

#[allow(unused_imports)]
use super::*;

// ---------------------------------------------------------------- index and creation

#[derive(Template)]
#[template(path = "strategy_index.html")]
pub(super) struct IndexPage {
    ui: Ui,
    t: Messages,
    strategies: Vec<(Strategy, Option<i64>)>,
    can_create: bool,
    error: Option<String>,
    /// The region a new strategy is for: the viewer's provinces (or Indonesia).
    region_picker: crate::picker::RegionPicker,
}

pub async fn index(State(state): State<AppState>, ui: Ui) -> Response {
    let result = index_page(&state, &ui, None).await;
    render(&ui, result)
}

pub(super) async fn index_page(
    state: &AppState,
    ui: &Ui,
    error: Option<String>,
) -> Result<IndexPage, AppError> {
    let scoped = state.store.scoped(ui.viewer());
    let mut strategies = Vec::new();
    for s in scoped.strategies().await? {
        let published = scoped.published_number(s.id).await?;
        strategies.push((s, published));
    }
    // The viewer's own regions first; Indonesia as a whole only for an unscoped account.
    let region_picker = if ui.viewer().is_admin() {
        let mut p = crate::picker::RegionPicker::load(state, ui, None).await?;
        if ui.viewer().picker_roots().is_none() {
            p.options.push((
                sinergi_core::strategy::NATIONAL.to_string(),
                ui.t.get("wilayah.indonesia").to_string(),
                false,
            ));
        }
        p
    } else {
        crate::picker::RegionPicker::default()
    };
    Ok(IndexPage {
        t: ui.t,
        ui: ui.clone(),
        strategies,
        can_create: ui.viewer().is_admin(),
        error,
        region_picker,
    })
}

/// A new strategy: the form's fields, and the JSON body of `POST /api/v1/strategi`.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"wilayah": "52", "judul": "RAD Kesejahteraan Sosial", "tahun_awal": "2025", "tahun_akhir": "2029", "visi": "NTB sejahtera", "misi": "Misi satu\nMisi dua"}))]
pub struct NewStrategyForm {
    wilayah: String,
    judul: String,
    tahun_awal: String,
    tahun_akhir: String,
    visi: String,
    #[serde(default)]
    misi: String,
}

pub(super) fn year(field: &'static str, s: &str) -> Result<i32, AppError> {
    s.trim().parse().map_err(|_| {
        bad(field_msg(
            field,
            Msg::new("strategy.refuse.not_a_year").arg("value", s.trim()),
        ))
    })
}

pub(super) fn lines(s: &str) -> Vec<String> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// Creates a strategy with its first draft (the page's form, or the API's JSON body).
pub(crate) async fn create_strategy(
    state: &AppState,
    user: &SessionUser,
    f: &NewStrategyForm,
) -> Result<i64, AppError> {
    let years = (
        year("strategy.f.year_from", &f.tahun_awal)?,
        year("strategy.f.year_to", &f.tahun_akhir)?,
    );
    let (id, _) = state
        .store
        .scoped(&user.viewer)
        .create_strategy(f.wilayah.trim(), &f.judul, years, &f.visi, &lines(&f.misi))
        .await?;
    Ok(id)
}

pub async fn create(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Form(f): Form<NewStrategyForm>,
) -> Response {
    let result = create_strategy(&state, &user, &f).await;
    match result {
        Ok(id) => Redirect::to(&format!("/strategi/{id}")).into_response(),
        Err(e) => e.page(&ui),
    }
}

// ---------------------------------------------------------------- the tree

#[derive(Template)]
#[template(path = "strategy_tree.html")]
pub(super) struct TreePage {
    ui: Ui,
    t: Messages,
    tree: StrategyTree,
    years: Vec<i32>,
    /// Indicator id → province targets per year (formatted).
    targets: HashMap<i64, Vec<String>>,
    editable: bool,
    can_amend: bool,
    can_report: bool,
    directions: Vec<(&'static str, &'static str)>,
    disaggregations: Vec<&'static str>,
    computations: Vec<(&'static str, &'static str)>,
    /// Partners the editor may name as an indicator's PIC: they then see its realisation.
    partners: Vec<(i64, String)>,
    /// The strategy's region and those one level below, for targets.
    region_picker: crate::picker::RegionPicker,
}

#[derive(Deserialize)]
pub struct TreeQuery {
    versi: Option<i64>,
}

pub async fn tree_page(
    State(state): State<AppState>,
    ui: Ui,
    Path(id): Path<i64>,
    Query(q): Query<TreeQuery>,
) -> Response {
    let result = async {
        let tree = load_tree(&state, &ui, id, q.versi).await?;
        let years: Vec<i32> = (tree.strategy.year_from..=tree.strategy.year_to).collect();
        let targets = tree
            .indicators()
            .map(|i| {
                (
                    i.id,
                    years
                        .iter()
                        .map(|y| {
                            i.targets
                                .iter()
                                .find(|t| t.region == tree.strategy.region && t.year == *y)
                                .map_or("–".into(), |t| ui.t.decimal(&t.value))
                        })
                        .collect(),
                )
            })
            .collect();
        let manage = state.store.scoped(ui.viewer()).may_manage(&tree.strategy);
        let editable = manage && tree.version.status == VersionStatus::Draft;
        let partners = match (&ui.user, editable) {
            (Some(u), true) => state
                .store
                .scoped(&u.viewer)
                .organisations_acting_for()
                .await?
                .into_iter()
                .filter(|o| o.kind == OrganisationKind::Mitra)
                .map(|o| (o.id, o.name))
                .collect(),
            _ => Vec::new(),
        };
        let has_draft = tree
            .versions
            .iter()
            .any(|v| v.status == VersionStatus::Draft);
        let region_picker =
            crate::picker::RegionPicker::for_strategy(&state, &ui, &tree.strategy.region).await?;
        Ok(TreePage {
            region_picker,
            t: ui.t,
            ui: ui.clone(),
            editable,
            partners,
            can_amend: manage && !has_draft,
            can_report: ui.user.is_some(),
            years,
            targets,
            tree,
            directions: vec![
                ("turun", "strategy.direction.lower"),
                ("naik", "strategy.direction.higher"),
            ],
            disaggregations: sinergi_core::strategy::DISAGGREGATIONS.to_vec(),
            computations: sinergi_store::COMPUTATIONS
                .iter()
                .map(|c| (c.key, c.name))
                .collect(),
        })
    }
    .await;
    render(&ui, result)
}

pub(super) async fn draft_of(
    state: &AppState,
    user: &SessionUser,
    id: i64,
) -> Result<i64, AppError> {
    state
        .store
        .scoped(&user.viewer)
        .strategy_versions(id)
        .await?
        .into_iter()
        .find(|v| v.status == VersionStatus::Draft)
        .map(|v| v.id)
        .ok_or_else(|| bad(Msg::new("strategy.refuse.no_draft")))
}

pub(super) fn back_to_tree(id: i64, result: Result<(), AppError>, ui: &Ui) -> Response {
    match result {
        Ok(()) => Redirect::to(&format!("/strategi/{id}")).into_response(),
        Err(e) => e.page(ui),
    }
}

/// An objective: the form's fields, and the JSON body of `POST /api/v1/strategi/{id}/sasaran`.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"kode": "S1", "nama": "Menurunkan kemiskinan ekstrem"}))]
pub struct ObjectiveForm {
    kode: String,
    nama: String,
}

/// Adds an objective to the strategy's draft; its id.
pub(crate) async fn add_objective_to(
    state: &AppState,
    user: &SessionUser,
    id: i64,
    f: &ObjectiveForm,
) -> Result<i64, AppError> {
    let draft = draft_of(state, user, id).await?;
    Ok(state
        .store
        .scoped(&user.viewer)
        .add_objective(draft, &f.kode, &f.nama)
        .await?)
}

pub async fn add_objective(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<ObjectiveForm>,
) -> Response {
    let result = add_objective_to(&state, &user, id, &f).await.map(|_| ());
    back_to_tree(id, result, &ui)
}

/// An indicator: the form's fields, and the JSON body of `POST /api/v1/strategi/{id}/indikator`.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"sasaran": 1, "kode": "I1", "nama": "Persentase PPKS tertangani", "definisi": "PPKS yang menerima layanan dibagi PPKS terdata", "satuan": "persen", "arah": "naik", "sumber_data": "Dinas Sosial", "jenis_sumber": "administrative"}))]
pub struct IndicatorForm {
    sasaran: i64,
    kode: String,
    nama: String,
    definisi: String,
    #[serde(default)]
    rumus: String,
    satuan: String,
    arah: String,
    #[serde(default)]
    kode_rujukan: String,
    sumber_data: String,
    jenis_sumber: String,
    #[serde(default)]
    konsep: String,
    #[serde(default)]
    rincian: Vec<String>,
    #[serde(default)]
    tahun_dasar: String,
    #[serde(default)]
    nilai_dasar: String,
    #[serde(default)]
    sumber_dasar: String,
    #[serde(default)]
    pic: String,
    /// Organisation id of the partner responsible; empty for none.
    #[serde(default)]
    pic_organisasi: String,
    #[serde(default)]
    perhitungan: String,
}

pub(super) fn opt_figure(field: &'static str, s: &str) -> Result<Option<f64>, AppError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    sinergi_intake::realisation::parse_figure(s)
        .map(Some)
        .ok_or_else(|| {
            bad(field_msg(
                field,
                Msg::new("strategy.refuse.figure").arg("value", s),
            ))
        })
}

/// Adds an indicator under an objective of a draft (the page's form, or the API's JSON
/// body); its id.
pub(crate) async fn add_indicator_to(
    state: &AppState,
    user: &SessionUser,
    f: IndicatorForm,
) -> Result<i64, AppError> {
    let direction = Direction::parse(&f.arah).ok_or_else(|| {
        bad(field_msg(
            "strategy.f.direction",
            Msg::new("strategy.refuse.direction"),
        ))
    })?;
    let source_type = SourceType::from_key(&f.jenis_sumber).ok_or_else(|| {
        bad(field_msg(
            "strategy.f.source_type",
            Msg::new("strategy.refuse.source_type"),
        ))
    })?;
    let baseline_year = match f.tahun_dasar.trim() {
        "" => None,
        y => Some(year("strategy.f.baseline_year", y)?),
    };
    // A named partner must be a partner organisation the editor may act for.
    let pic_organisation_id = match f.pic_organisasi.trim() {
        "" => None,
        text => {
            let known = state
                .store
                .scoped(&user.viewer)
                .organisations_acting_for()
                .await?
                .into_iter()
                .find(|o| o.kind == OrganisationKind::Mitra && o.id.to_string() == text);
            Some(
                known
                    .ok_or_else(|| {
                        bad(field_msg(
                            "strategy.f.pic_partner",
                            Msg::new("strategy.refuse.not_your_partner").arg("id", text),
                        ))
                    })?
                    .id,
            )
        }
    };
    let fields = IndicatorFields {
        code: f.kode,
        name: f.nama,
        definition: f.definisi,
        formula: f.rumus,
        unit: f.satuan,
        direction,
        reference_code: Some(f.kode_rujukan),
        data_source: f.sumber_data,
        source_type,
        concept: f.konsep,
        disaggregations: f.rincian,
        baseline_year,
        baseline_value: opt_figure("strategy.f.baseline_value", &f.nilai_dasar)?,
        baseline_source: Some(f.sumber_dasar).filter(|s| !s.trim().is_empty()),
        pic: f.pic,
        pic_organisation_id,
        computation: Some(f.perhitungan).filter(|s| !s.trim().is_empty()),
    };
    Ok(state
        .store
        .scoped(&user.viewer)
        .add_indicator(f.sasaran, &fields)
        .await?)
}

pub async fn add_indicator(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    axum::extract::RawForm(body): axum::extract::RawForm,
) -> Response {
    let result = async {
        // serde_urlencoded reads repeated checkboxes (rincian) only as a list of pairs.
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body)
            .map_err(|_| bad(Msg::new("strategy.refuse.form_broken")))?;
        let mut map = serde_json::Map::new();
        let mut rincian = Vec::new();
        for (k, v) in pairs {
            if k == "rincian" {
                rincian.push(serde_json::Value::String(v));
            } else if k == "sasaran" {
                map.insert(
                    k,
                    serde_json::Value::from(v.trim().parse::<i64>().unwrap_or(0)),
                );
            } else {
                map.insert(k, serde_json::Value::String(v));
            }
        }
        map.insert("rincian".into(), serde_json::Value::Array(rincian));
        let f: IndicatorForm = serde_json::from_value(serde_json::Value::Object(map))
            .map_err(|e| bad(Msg::new("strategy.refuse.form_incomplete").arg("detail", e)))?;
        add_indicator_to(&state, &user, f).await?;
        Ok(())
    }
    .await;
    back_to_tree(id, result, &ui)
}

/// A target: the form's fields, and the JSON body of `POST /api/v1/strategi/{id}/target`.
#[derive(Deserialize, utoipa::ToSchema)]
#[schema(example = json!({"indikator": 1, "wilayah": "52", "tahun": "2026", "nilai": "75"}))]
pub struct TargetForm {
    indikator: i64,
    wilayah: String,
    tahun: String,
    nilai: String,
}

/// Sets one target of an indicator (the page's form, or the API's JSON body).
pub(crate) async fn set_target_of(
    state: &AppState,
    user: &SessionUser,
    f: &TargetForm,
) -> Result<(), AppError> {
    let value = opt_figure("strategy.f.target_value", &f.nilai)?.ok_or_else(|| {
        bad(field_msg(
            "strategy.f.target_value",
            Msg::new("strategy.refuse.required"),
        ))
    })?;
    state
        .store
        .scoped(&user.viewer)
        .set_targets(
            f.indikator,
            &[Target {
                region: StrategyArea::parse(&f.wilayah).map_err(|_| {
                    bad(field_msg(
                        "strategy.f.target_region",
                        Msg::new("strategy.refuse.region_bad").arg("region", f.wilayah.trim()),
                    ))
                })?,
                year: year("strategy.f.target_year", &f.tahun)?,
                value,
            }],
        )
        .await?;
    Ok(())
}

pub async fn set_target(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<TargetForm>,
) -> Response {
    let result = set_target_of(&state, &user, &f).await;
    back_to_tree(id, result, &ui)
}

/// Publishes the strategy's draft.
pub(crate) async fn publish_draft(
    state: &AppState,
    user: &SessionUser,
    id: i64,
) -> Result<(), AppError> {
    let draft = draft_of(state, user, id).await?;
    state
        .store
        .scoped(&user.viewer)
        .publish_version(draft)
        .await?;
    Ok(())
}

pub async fn publish(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
) -> Response {
    let result = publish_draft(&state, &user, id).await;
    back_to_tree(id, result, &ui)
}

#[derive(Deserialize)]
pub struct AmendForm {
    alasan: String,
}

pub async fn amend(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Path(id): Path<i64>,
    Form(f): Form<AmendForm>,
) -> Response {
    let result = state
        .store
        .scoped(&user.viewer)
        .amend_strategy(id, &f.alasan)
        .await
        .map(|_| ())
        .map_err(AppError::from);
    back_to_tree(id, result, &ui)
}
