//! The demo strategy: *Strategi Kolaborasi Kesejahteraan Sosial NTB 2025–2030* from the synthetic
//! skeleton (`sinergi_synth::institutions::ntb_strategy`) with the figures — child
//! marriage 14.96 % (2024; national 5.90 %) → 13 %, poverty 12.91 % → below 10 % by 2029,
//! extreme poverty → 0 %, stunting from a survey and from village weighing side by side, Desil I
//! families reached — and quarterly realisation for 2025 per kab/kota, so the dashboard has
//! something to say. The realisation figures are synthetic (deterministic), like the world.

use anyhow::Context;
use sinergi_core::strategy::StrategyArea;
use sinergi_core::strategy::{CompareOp, Direction, RuleCheck};
use sinergi_core::{Period, RegionCode};
use sinergi_store::{
    EntryMethod, IndicatorFields, Letterhead, NewRealisation, SourceType, Store, Target,
};
use sinergi_synth::institutions::{OBJECTIVES, STRATEGY_TITLE, STRATEGY_VISION, ntb_strategy};

const PROVINCE: &str = "52";
const YEARS: (i32, i32) = (2025, 2030);

/// A small deterministic spread per kab/kota and quarter, in [-1, 1].
fn wobble(region: usize, code: &str, q: u8) -> f64 {
    let mut h: u64 = 1469598103934665603;
    for b in code.bytes().chain([region as u8, q]) {
        h = (h ^ u64::from(b)).wrapping_mul(1099511628211);
    }
    (h % 2001) as f64 / 1000.0 - 1.0
}

#[allow(clippy::too_many_arguments)] // one call per indicator reads like the table it is
fn fields(
    code: &str,
    name: &str,
    definition: &str,
    unit: &str,
    direction: Direction,
    source: &str,
    kind: SourceType,
    baseline: Option<(i32, f64, &str)>,
    pic: &str,
) -> IndicatorFields {
    IndicatorFields {
        code: code.into(),
        name: name.into(),
        definition: definition.into(),
        formula: definition.into(),
        unit: unit.into(),
        direction,
        reference_code: None,
        data_source: source.into(),
        source_type: kind,
        concept: String::new(),
        disaggregations: Vec::new(),
        baseline_year: baseline.map(|b| b.0),
        baseline_value: baseline.map(|b| b.1),
        baseline_source: baseline.map(|b| b.2.to_string()),
        pic: pic.into(),
        pic_organisation_id: None,
        computation: None,
    }
}

/// Creates, publishes and fills the demo strategy. Returns how many realisation values.
pub async fn load(store: &Store) -> anyhow::Result<u64> {
    let store = &store.as_system("demo");
    let province = StrategyArea::parse(PROVINCE)?;
    let missions: Vec<String> = [
        "Menyatukan data kesejahteraan sosial sampai ke desa sebagai dasar perencanaan bersama",
        "Menyelaraskan program penta-helix agar tidak tumpang tindih dan menjangkau desa termiskin",
        "Melindungi anak, perempuan, penyandang disabilitas dan lansia dari kemiskinan dan kekerasan",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let (sid, vid) = store
        .create_strategy(PROVINCE, STRATEGY_TITLE, YEARS, STRATEGY_VISION, &missions)
        .await?;
    let mut objective = std::collections::HashMap::new();
    for (code, name) in OBJECTIVES {
        objective.insert(code, store.add_objective(vid, code, name).await?);
    }
    let kabkota: Vec<String> = store
        .region_children(Some(&RegionCode::parse(PROVINCE)?))
        .await?
        .into_iter()
        .map(|c| c.region.code.to_string())
        .collect();
    anyhow::ensure!(!kabkota.is_empty(), "wilayah NTB belum dimuat");

    for s in ntb_strategy() {
        let kind = if s.source_kind == "survei" {
            SourceType::Survey
        } else {
            SourceType::Administrative
        };
        let direction = Direction::parse(s.direction).context("arah indikator kerangka")?;
        let baseline_year: Option<i32> = s.baseline_year.parse().ok();
        let mut f = fields(
            s.code,
            s.name,
            s.definition,
            s.unit,
            direction,
            s.source,
            kind,
            baseline_year.zip(s.baseline).map(|(y, b)| (y, b, s.source)),
            s.responsible,
        );
        match s.code {
            "IK1.1" => {
                f.reference_code = Some("RPJMD NTB 2025–2029: kemiskinan < 10 % (2029)".into())
            }
            "IK1.2" => {
                f.reference_code = Some("RPJMD NTB 2025–2029: kemiskinan ekstrem 0 % (2029)".into())
            }
            "IK2.1" => {
                f.reference_code = Some("SDGs 5.3.1".into());
                f.baseline_source =
                    Some("BPS Susenas 2024 (2023: 17,32 %; nasional 2024: 5,90 %)".into());
                f.disaggregations = vec!["disabilitas".into()];
            }
            "IK1.3" => f.computation = Some("keluarga_desil_1".into()),
            "IK3.1" => f.concept = "stunting".into(),
            _ => {}
        }
        let id = store.add_indicator(objective[s.objective], &f).await?;
        let targets: Vec<Target> = s
            .targets
            .iter()
            .enumerate()
            .filter_map(|(i, t)| {
                t.map(|value| Target {
                    region: province.clone(),
                    year: 2025 + i as i32,
                    value,
                })
            })
            .collect();
        if !targets.is_empty() {
            store.set_targets(id, &targets).await?;
        }
    }
    // Stunting from village weighing, beside the survey (never merged with it).
    let mut admin_stunting = fields(
        "IK3.2",
        "Prevalensi tengkes (stunting) balita menurut penimbangan desa",
        "Balita tengkes hasil penimbangan dan pengukuran di posyandu dibagi balita diukur × 100",
        "persen",
        Direction::Lower,
        "e-PPGBM (Dinas Kesehatan)",
        SourceType::Administrative,
        Some((2022, 16.84, "e-PPGBM 2022 (penimbangan desa)")),
        "Dinas Kesehatan Provinsi NTB; TP PKK",
    );
    admin_stunting.concept = "stunting".into();
    let ik32 = store
        .add_indicator(objective["SS3"], &admin_stunting)
        .await?;
    store
        .set_targets(
            ik32,
            &(2025..=2030)
                .map(|y| Target {
                    region: province.clone(),
                    year: y,
                    value: 16.0 - f64::from(y - 2025) * 0.8,
                })
                .collect::<Vec<_>>(),
        )
        .await?;
    // Desil I families reached by at least one program: entered by the LKKS until the
    // programs issue computes it (then it becomes one entry of the computation registry).
    let reached = fields(
        "IK1.4",
        "Keluarga Desil I yang dijangkau paling sedikit satu program mitra",
        "Keluarga Desil I DTSEN yang menerima paling sedikit satu program mitra pada tahun berjalan",
        "keluarga",
        Direction::Higher,
        "Pemetaan program mitra LKKS",
        SourceType::Administrative,
        None,
        "LKKS Provinsi NTB; seluruh mitra penta-helix",
    );
    // Read by the head of the family's sex, age group and disability, as the boards ask.
    let mut reached = reached;
    reached.disaggregations = sinergi_core::strategy::DISAGGREGATIONS
        .iter()
        .map(|d| d.to_string())
        .collect();
    let ik14 = store.add_indicator(objective["SS1"], &reached).await?;
    // Targets per kab/kota: half of the province's Desil I families in 2025, rising.
    let desil = store.run_computation("keluarga_desil_1", PROVINCE).await?;
    let mut reach_targets = Vec::new();
    for v in &desil {
        for y in 2025..=2030 {
            reach_targets.push(Target {
                region: StrategyArea::parse(&v.region)?,
                year: y,
                value: (v.value * (0.5 + f64::from(y - 2025) * 0.08)).round(),
            });
        }
    }
    if !reach_targets.is_empty() {
        store.set_targets(ik14, &reach_targets).await?;
    }
    store.publish_version(vid).await?;

    // Quarterly realisation for 2025: each kab/kota on its own path toward the target.
    let tree = store
        .strategy_tree(sid, None)
        .await?
        .context("strategi demo belum terbit")?;
    let mut rows = Vec::new();
    let mut regions = vec![PROVINCE.to_string()];
    regions.extend(kabkota.iter().cloned());
    for q in 1..=4u8 {
        let period = Period::quarter(2025, q)?;
        for ind in tree.indicators() {
            let f = &ind.fields;
            if f.computation.is_some() {
                continue;
            }
            for (r, region) in regions.iter().enumerate() {
                let w = wobble(r, &f.code, q);
                let progress = f64::from(q) / 4.0;
                let value = match f.code.as_str() {
                    "IK1.1" => 12.91 - 0.45 * progress + if r > 0 { 3.0 * w } else { 0.0 },
                    "IK1.2" => (1.6 - 0.3 * progress + if r > 0 { 0.8 * w } else { 0.0 }).max(0.0),
                    "IK2.1" => 14.96 - 0.4 * progress + if r > 0 { 4.0 * w } else { 0.0 },
                    "IK3.1" if q == 4 => 24.6 - 0.9 + if r > 0 { 3.5 * w } else { 0.0 },
                    "IK3.1" => continue,
                    "IK3.2" => 16.84 - 1.2 * progress + if r > 0 { 3.0 * w } else { 0.0 },
                    "IK4.1" if r == 0 => (8.0 + f64::from(q).min(2.0)).round(),
                    "IK4.1" => continue,
                    "IK1.4" => {
                        let base = desil
                            .iter()
                            .find(|d| &d.region == region)
                            .map_or(0.0, |d| d.value);
                        (base * (0.12 + 0.1 * f64::from(q) + 0.06 * w)).round()
                    }
                    _ => continue,
                };
                let mut row = NewRealisation {
                    line: 0,
                    indicator_code: f.code.clone(),
                    disaggregation: String::new(),
                    region: region.clone(),
                    period,
                    source: f.data_source.clone(),
                    value: (value * 100.0).round() / 100.0,
                    drivers: String::new(),
                    obstacles: String::new(),
                    follow_up: String::new(),
                };
                if r == 0 && f.code == "IK2.1" {
                    row.drivers = "Forum anak desa dan KUA aktif menolak dispensasi kawin".into();
                    row.obstacles =
                        "Dispensasi kawin masih dikabulkan; data KUA belum terpadu".into();
                    row.follow_up =
                        "Kesepakatan LKKS–Pengadilan Agama–Kemenag untuk pendampingan keluarga"
                            .into();
                }
                if r == 0 && f.code == "IK1.4" {
                    row.drivers = "Pemetaan program mitra sampai desa".into();
                    row.obstacles = "Sebagian mitra CSR belum melaporkan lokasi penerima".into();
                    row.follow_up = "Pendampingan pelaporan mitra oleh LKKS kab/kota".into();
                }
                let breakdown = by_group(&row, r == 0);
                rows.push(row);
                rows.extend(breakdown);
            }
        }
    }
    let mut stored = match store
        .save_realisations(sid, EntryMethod::Import, &rows)
        .await?
    {
        Ok(n) => n,
        Err(refused) => anyhow::bail!(
            "realisasi demo ditolak: {}",
            refused
                .iter()
                .take(3)
                .map(|r| format!("{}: {}", r.column, r.reason))
                .collect::<Vec<_>>()
                .join("; ")
        ),
    };
    // Desil I families per kab/kota, computed from the loaded DTSEN counts.
    match store
        .compute_realisations(sid, Period::quarter(2025, 3)?)
        .await?
    {
        Ok(n) => stored += n,
        Err(refused) => anyhow::bail!("perhitungan demo ditolak: {refused:?}"),
    }
    store
        .add_validation_rule(
            sid,
            "Keluarga Desil I terjangkau tidak melebihi seluruh keluarga Desil I",
            "IK1.4",
            &RuleCheck::Compare {
                op: CompareOp::Le,
                right: "IK1.3".into(),
            },
        )
        .await?;
    store
        .add_validation_rule(
            sid,
            "Persentase perkawinan anak 0–100",
            "IK2.1",
            &RuleCheck::Range {
                min: Some(0.0),
                max: Some(100.0),
            },
        )
        .await?;
    for q in 1..=2 {
        store.lock_period(sid, Period::quarter(2025, q)?).await?;
    }
    store
        .set_strategy_settings(
            &store.rating_bands().await?,
            &Letterhead {
                lines: vec![
                    "LEMBAGA KOORDINASI KESEJAHTERAAN SOSIAL (LKKS) PROVINSI NUSA TENGGARA BARAT"
                        .into(),
                    "Sekretariat: Mataram, Nusa Tenggara Barat · data demo sintetis".into(),
                ],
                logo_jpeg_base64: None,
            },
        )
        .await?;
    tracing::info!(
        "strategi demo dimuat: {STRATEGY_TITLE}, {} indikator, {stored} nilai realisasi 2025",
        tree.indicators().count()
    );
    Ok(stored)
}

/// The demo's breakdown of a total: families reached (IK1.4) by the head's sex × age group ×
/// disability, the cells adding up to the total; child marriage (IK2.1, a rate) among girls
/// with and without disability, for the province.
fn by_group(total: &NewRealisation, province: bool) -> Vec<NewRealisation> {
    let row = |key: String, value: f64| NewRealisation {
        disaggregation: key,
        value,
        drivers: String::new(),
        obstacles: String::new(),
        follow_up: String::new(),
        ..total.clone()
    };
    match total.indicator_code.as_str() {
        "IK1.4" => {
            let sexes = [("laki_laki", 0.81), ("perempuan", 0.19)];
            let ages = [("0_17", 0.01), ("18_59", 0.70), ("60_plus", 0.29)];
            let disability = [("ya", 0.07), ("tidak", 0.93)];
            let mut out = Vec::new();
            let mut left = total.value;
            for (sex, s) in sexes {
                for (age, a) in ages {
                    for (dis, d) in disability {
                        let v = (total.value * s * a * d).round();
                        left -= v;
                        out.push(row(
                            format!("jenis_kelamin={sex};kelompok_umur={age};disabilitas={dis}"),
                            v,
                        ));
                    }
                }
            }
            // Rounding: the largest cell takes what is left, so the cells add up.
            if let Some(big) = out.iter_mut().max_by(|a, b| a.value.total_cmp(&b.value)) {
                big.value = (big.value + left).max(0.0);
            }
            out
        }
        "IK2.1" if province => vec![
            row(
                "disabilitas=ya".into(),
                (total.value * 1.45 * 100.0).round() / 100.0,
            ),
            row(
                "disabilitas=tidak".into(),
                (total.value * 0.97 * 100.0).round() / 100.0,
            ),
        ],
        _ => Vec::new(),
    }
}
