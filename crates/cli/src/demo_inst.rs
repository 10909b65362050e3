//! Demo institutions (issue 8): the LKKS network, LKS registry and partner directory of NTB,
//! Jawa Tengah and Kalimantan Selatan from the synthetic world, with formation targets,
//! need figures per PPKS category, and a few monthly reports through the review workflow.
//! Fields the synthetic world lacks are derived deterministically from the LKS's index or left
//! empty; nothing here is real except public bodies' names.

use std::collections::HashMap;

use anyhow::Context;
use chrono::{Datelike, NaiveDate};
use sinergi_core::institution::{
    AgreementInput, BoardMember, BoardPosition, Disaggregation, FormationStatus, Grade, Helix,
    LkksBody, LkksInput, LksInput, PartnerInput, ReportAction, ReportInput, ReportPeriod,
};
use sinergi_core::{Ppks, RegionCode};
use sinergi_store::{Actor, AggregateValue, SourceType, Store, need_element};
use sinergi_synth::institutions;
use sinergi_synth::{Config, World};

/// The other provinces: planned at this scale only for their desa list (no people).
const PLAN_SCALE: f64 = 0.001;

/// Organisation ids the rest of the demo needs.
pub struct Institutions {
    /// The first LKS of the registry seated in Kabupaten Lombok Timur.
    pub lks_lombok_timur: i64,
    /// Partner id (`M01`…) → organisation id (the provincial LKKS is a partner too).
    pub partners: HashMap<String, i64>,
    pub count: usize,
}

fn region(code: &str) -> anyhow::Result<RegionCode> {
    RegionCode::parse(code).map_err(|e| anyhow::anyhow!("wilayah {code}: {e}"))
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// Loads the three provinces' registries; returns NTB's ids for its lists and accounts.
pub async fn load(
    store: &Store,
    ntb: &World,
    ntb_partners: &[institutions::Partner],
) -> anyhow::Result<Institutions> {
    let seed = ntb.config.seed;
    let ntb_ids = load_province(store, ntb, ntb_partners).await?;
    for code in ["33", "63"] {
        let world = World::plan(&Config::new(code, PLAN_SCALE, seed))?;
        let partners = institutions::partners(&world);
        let ids = load_province(store, &world, &partners).await?;
        tracing::info!(
            "lembaga demo {}: {} organisasi",
            world.facts.name,
            ids.count
        );
    }
    Ok(ntb_ids)
}

async fn load_province(
    store: &Store,
    world: &World,
    partners: &[institutions::Partner],
) -> anyhow::Result<Institutions> {
    let p = world.facts;
    // The LKKS network first: each LKS belongs to the LKKS of its kab/kota.
    let network = institutions::lkks_network(world);
    let rows: Vec<(u64, LkksInput)> = network
        .iter()
        .enumerate()
        .map(|(i, l)| -> anyhow::Result<(u64, LkksInput)> {
            let status = FormationStatus::from_key(l.status)
                .with_context(|| format!("status LKKS {}", l.status))?;
            let mut board = Vec::new();
            if !l.chair.is_empty() {
                board.push(member(BoardPosition::KetuaUmum, &l.chair));
            }
            if !l.daily_chair.is_empty() {
                board.push(member(BoardPosition::KetuaHarian, &l.daily_chair));
            }
            Ok((
                i as u64 + 2,
                LkksInput {
                    region: Some(region(&l.region)?),
                    name: l.name.clone(),
                    body: Some(LkksBody::for_province(p.code)),
                    status: Some(status),
                    decree_number: (!l.decree.is_empty()).then(|| l.decree.clone()),
                    decree_date: l.decree_date,
                    decree_signed_by: l.decree_date.map(|_| {
                        if l.level == "provinsi" {
                            format!("Gubernur {}", p.name)
                        } else {
                            format!("Bupati/Wali Kota {}", l.region_name)
                        }
                    }),
                    term_start: l.term.map(|t| t.0),
                    term_end: l.term.map(|t| t.1),
                    board: Some(board),
                    ..LkksInput::default()
                },
            ))
        })
        .collect::<anyhow::Result<_>>()?;
    let out = store.as_system("demo").import_lkks(&rows).await?;
    anyhow::ensure!(
        out.rejected.is_empty(),
        "jaringan LKKS {} ditolak: {:?}",
        p.name,
        out.rejected
    );
    let mut count = out.created as usize;
    let province = region(p.code)?;
    let (lkks_province, _) = store
        .as_system("demo")
        .save_lkks(&rows[0].1, None)
        .await
        .context("LKKS provinsi")?;
    // The formation target each province works to (Jawa Tengah: all 35 active by end 2025).
    let (name, status, due) = match p.code {
        "33" => (
            "Semua kab/kota memiliki BK3S aktif",
            FormationStatus::Aktif,
            date(2025, 12, 31),
        ),
        "63" => (
            "LKKS dikukuhkan di semua kab/kota",
            FormationStatus::Dikukuhkan,
            date(2026, 6, 30),
        ),
        _ => (
            "Semua LKKS kab/kota aktif",
            FormationStatus::Aktif,
            date(2026, 12, 31),
        ),
    };
    store
        .as_system("demo")
        .save_formation_target(&province, name, status, due)
        .await?;

    // The LKS registry.
    let registry = institutions::lks_registry(world);
    let rows: Vec<(u64, LksInput)> = registry
        .iter()
        .enumerate()
        .map(|(i, l)| Ok((i as u64 + 2, lks_input(i, l)?)))
        .collect::<anyhow::Result<_>>()?;
    let out = store.as_system("demo").import_lks(&rows).await?;
    anyhow::ensure!(
        out.rejected.is_empty(),
        "registri LKS {} ditolak: {:?}",
        p.name,
        out.rejected.iter().take(3).collect::<Vec<_>>()
    );
    count += out.created as usize;
    let lks_lombok_timur = match registry.iter().find(|l| l.desa.starts_with("52.03.")) {
        Some(l) => store
            .as_system("demo")
            .lks_id_by_key(&l.id)
            .await?
            .unwrap_or_default(),
        None => 0,
    };

    // Partners: the provincial LKKS is one of them (one organisation, not two).
    let mut ids = HashMap::new();
    let rows: Vec<(u64, PartnerInput)> = partners
        .iter()
        .enumerate()
        .filter(|(_, m)| m.kind != "lkks")
        .map(|(i, m)| -> anyhow::Result<(u64, PartnerInput)> {
            Ok((
                i as u64 + 2,
                PartnerInput {
                    key: format!("{}-{}", p.code, m.id),
                    name: m.name.clone(),
                    region: Some(region(&m.region)?),
                    helix: Helix::from_key(m.helix),
                    kind: Some(m.kind.to_string()),
                    sectors: sectors(m.kind).iter().map(|s| s.to_string()).collect(),
                    areas: world
                        .facts
                        .kabkota
                        .iter()
                        .skip(i % 3)
                        .step_by(3)
                        .map(|k| region(k.code))
                        .collect::<anyhow::Result<_>>()?,
                    ..PartnerInput::default()
                },
            ))
        })
        .collect::<anyhow::Result<_>>()?;
    let out = store.as_system("demo").import_partners(&rows).await?;
    anyhow::ensure!(
        out.rejected.is_empty(),
        "mitra {} ditolak: {:?}",
        p.name,
        out.rejected
    );
    count += out.created as usize;
    for m in partners {
        let id = if m.kind == "lkks" {
            lkks_province
        } else {
            store
                .as_system("demo")
                .partner_id_by_key(&format!("{}-{}", p.code, m.id))
                .await?
                .context("mitra tersimpan")?
        };
        ids.insert(m.id.clone(), id);
    }
    // An agreement with the provincial LKKS for the first few partners.
    for (i, m) in partners
        .iter()
        .filter(|m| m.kind != "lkks")
        .take(6)
        .enumerate()
    {
        store
            .as_system("demo")
            .save_agreement(
                ids[&m.id],
                &AgreementInput {
                    number: format!("{:03}/MoU/LKKS-{}/2025", i + 1, p.code),
                    signed_on: Some(date(2025, 2 + i as u32, 10)),
                    valid_until: Some(date(2027 + (i % 2) as i32, 2 + i as u32, 9)),
                    scope: format!(
                        "Kolaborasi program kesejahteraan sosial {}",
                        sectors(m.kind).join(", ")
                    ),
                },
            )
            .await?;
    }
    store
        .load_aggregates(Actor::system("demo"), &needs(world, &registry)?)
        .await?;
    Ok(Institutions {
        lks_lombok_timur,
        partners: ids,
        count,
    })
}

fn member(position: BoardPosition, name: &str) -> BoardMember {
    BoardMember {
        position,
        title: None,
        name: name.to_string(),
        phone: None,
        email: None,
    }
}

fn sectors(kind: &str) -> &'static [&'static str] {
    match kind {
        "csr" => &["pendidikan", "ekonomi"],
        "zakat" => &["kemiskinan", "pendidikan", "kesehatan"],
        "oms" => &["perlindungan anak", "disabilitas"],
        "universitas" | "pusat_riset" => &["penelitian", "data"],
        "media" => &["komunikasi"],
        _ => &["perencanaan", "perlindungan sosial"],
    }
}

/// An LKS of the synthetic registry with the fields it lacks derived from its index.
fn lks_input(i: usize, l: &institutions::Lks) -> anyhow::Result<LksInput> {
    let clients = l.clients;
    let female = clients / 2 + (i % 2) as u32 * (clients % 2);
    let male = clients - female;
    let serves = |p: &[Ppks]| l.services.iter().any(|s| p.contains(s));
    let (child, elderly) = if serves(&[
        Ppks::AnakTerlantar,
        Ppks::AnakBalitaTerlantar,
        Ppks::AnakJalanan,
        Ppks::AnakDenganKedisabilitasan,
    ]) {
        (clients * 4 / 5, 0)
    } else if serves(&[Ppks::LanjutUsiaTerlantar]) {
        (0, clients * 9 / 10)
    } else {
        (clients / 10, clients / 10)
    };
    let disability = if serves(&[Ppks::PenyandangDisabilitas, Ppks::AnakDenganKedisabilitasan]) {
        clients * 3 / 4
    } else {
        clients / 20
    };
    // Tanda Daftar renewed every five years; some lapse, some are due soon.
    let registration_until = l
        .registered
        .with_year(2025 + (i % 4) as i32)
        .unwrap_or(date(2026, 12, 31));
    let grade = Grade::from_key(l.grade);
    Ok(LksInput {
        key: l.id.clone(),
        name: l.name.clone(),
        region: Some(region(&l.desa)?),
        deed_number: Some(format!("{}/{}", 10 + i % 90, l.registered.format("%Y"))),
        deed_date: Some(l.registered),
        kemenkumham_decree: Some(format!(
            "AHU-{:07}.AH.01.04.{}",
            1000 + i,
            l.registered.format("%Y")
        )),
        npwp: Some(format!(
            "{:02}.{:03}.{:03}.{}-{:03}.000",
            1 + i % 90,
            (i * 37) % 1000,
            (i * 91) % 1000,
            i % 10,
            900 + i % 100
        )),
        registration_number: Some(l.registration.clone()),
        registration_until: Some(registration_until),
        permit_number: Some(format!("IZIN/{}/{:04}", l.registered.format("%Y"), i + 1)),
        permit_until: Some(registration_until),
        accreditation: grade.zip(l.accredited),
        services: l.services.clone(),
        capacity: l.capacity,
        clients: Disaggregation {
            male,
            female,
            child,
            adult: clients - child - elderly,
            elderly,
            disability,
        },
        phone: Some(format!("0{} {:06}", 300 + i % 90, 100_000 + i * 7)),
        ..LksInput::default()
    })
}

/// People per PPKS category in each kab/kota: synthetic estimates from the families in
/// Desil I (the real figures come from Dinas Sosial's PPKS data, loaded as aggregates).
fn needs(world: &World, registry: &[institutions::Lks]) -> anyhow::Result<Vec<AggregateValue>> {
    let mut served: Vec<Ppks> = registry.iter().flat_map(|l| l.services.clone()).collect();
    served.sort();
    served.dedup();
    let mut out = Vec::new();
    for k in &world.kabkota {
        let families = k.desil1 as f64 / world.config.scale;
        for p in &served {
            // Share of Desil I families with someone in the category (assumption).
            let share = match p.group() {
                sinergi_core::PpksGroup::Lansia => 0.12,
                sinergi_core::PpksGroup::Anak => 0.04,
                sinergi_core::PpksGroup::Disabilitas => 0.05,
                sinergi_core::PpksGroup::Kemiskinan => 0.5,
                _ => 0.02,
            };
            out.push(AggregateValue {
                region: region(k.facts.code)?,
                element: need_element(*p),
                period: "2025".into(),
                value: (families * share).round(),
                unit: "orang".into(),
                source: "estimasi sintetis Sinergi dari keluarga Desil I".into(),
                source_type: SourceType::Administrative,
                estimated: true,
                note: Some("dunia sintetis: bukan angka resmi".into()),
            });
        }
    }
    Ok(out)
}

/// A few monthly reports of the Lombok Timur LKS through the review, signed by the demo
/// accounts (after they exist): approved, sent back, submitted and a draft.
pub async fn reports(store: &Store, today: NaiveDate) -> anyhow::Result<()> {
    let lks = store
        .principal_by_username("operator.lks")
        .await?
        .context("akun operator.lks")?;
    let reviewer = store
        .principal_by_username("operator.lotim")
        .await?
        .context("akun operator.lotim")?;
    let own = lks.scope.organisation.context("LKS akun operator.lks")?;
    // Newest first: the overdue month is still a draft; older months moved further.
    let mut period = ReportPeriod::latest_overdue(today);
    for (i, step) in [0, 2, 1, 3].into_iter().enumerate() {
        let input = ReportInput {
            activities: format!(
                "Pendampingan klien, kunjungan rumah ({} kali) dan pemeriksaan kesehatan bersama Puskesmas",
                4 + i
            ),
            obstacles: if i % 2 == 0 {
                "Dana operasional bulan ini terlambat cair".into()
            } else {
                String::new()
            },
            beneficiaries: Disaggregation {
                male: 9 + i as u32,
                female: 12,
                child: 15,
                adult: 4 + i as u32,
                elderly: 2,
                disability: 3,
            },
        };
        let id = store
            .as_user(&lks)
            .save_lks_report(own, period, &input)
            .await?;
        if step >= 1 {
            store
                .as_user(&lks)
                .move_lks_report(id, ReportAction::Submit, "")
                .await?;
        }
        if step == 2 {
            store
                .as_user(&reviewer)
                .move_lks_report(
                    id,
                    ReportAction::RequestRevision,
                    "Lampirkan daftar hadir kegiatan",
                )
                .await?;
        }
        if step == 3 {
            store
                .as_user(&reviewer)
                .move_lks_report(id, ReportAction::Approve, "Lengkap")
                .await?;
        }
        period = period.previous();
    }
    Ok(())
}
