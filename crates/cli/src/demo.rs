//! The demo, created on the first `serve --demo`: the synthetic NTB world (organisations, the
//! person register, partners' beneficiary lists, Tunas Negeri, Desil counts and indicators)
//! and the demo accounts bound to its organisations. Their credentials are listed in the
//! README; they exist only in demo databases, which hold synthetic data only.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use anyhow::Context;
use sinergi_core::{LegalBasis, Nik, NoKk, PersonInput, RegionCode, RegionPrefixes, Role, Scope};
use sinergi_store::{
    Actor, AggregateValue, BulkChunk, NationalValue, NewPersonList, NewUser, PersonSealer,
    SourceType, Store,
};
use sinergi_synth::institutions::{self, Beneficiary, Scholar};
use sinergi_synth::linkage::RECORD_COLUMNS;
use sinergi_synth::output::{LIST_EXTRA_COLUMNS, TUNAS_EXTRA_COLUMNS, as_strs, push_row};
use sinergi_synth::{Config, Tally, World};

/// The one demo password (also in the README). Demo databases hold synthetic data only.
pub const DEMO_PASSWORD: &str = "sinergi-demo-2025";
/// Scale of the demo world when `--skala-demo` is not given (1.0 = NTB's 5.75 M people).
/// Chosen by measurement: see BENCHMARKS.md, "demo load".
pub const DEFAULT_DEMO_SCALE: f64 = 0.1;
/// The seed of the demo world (the same world on every machine).
pub const DEMO_SEED: u64 = 2025;
const PROVINCE: &str = "52";
/// Chunks of the register in flight between the generator and the database.
const CHANNEL_CHUNKS: usize = 4;

/// Which synthetic organisation a demo account acts for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DemoOrganisation {
    /// Baznas Provinsi NTB.
    Baznas,
    /// The first LKS of the registry seated in Kabupaten Lombok Timur.
    LksLombokTimur,
    /// A partner with a program in Kabupaten Sumbawa.
    PartnerInSumbawa,
}

pub struct DemoAccount {
    pub username: &'static str,
    pub display_name: &'static str,
    pub role: Role,
    pub regions: &'static [&'static str],
    pub organisation: Option<DemoOrganisation>,
}

pub const DEMO_ACCOUNTS: [DemoAccount; 6] = [
    DemoAccount {
        username: "admin.ntb",
        display_name: "Admin LKKS NTB",
        role: Role::AdminProvinsi,
        regions: &["52"],
        organisation: None,
    },
    DemoAccount {
        username: "operator.lotim",
        display_name: "Operator Lombok Timur",
        role: Role::OperatorKabKota,
        regions: &["52.03"],
        organisation: None,
    },
    DemoAccount {
        username: "operator.lks",
        display_name: "Operator LKS Lombok Timur",
        role: Role::OperatorLks,
        regions: &[],
        organisation: Some(DemoOrganisation::LksLombokTimur),
    },
    DemoAccount {
        username: "mitra.baznas",
        display_name: "Baznas Provinsi NTB",
        role: Role::Mitra,
        regions: &[],
        organisation: Some(DemoOrganisation::Baznas),
    },
    DemoAccount {
        username: "mitra.sumbawa",
        display_name: "Mitra di Sumbawa",
        role: Role::Mitra,
        regions: &[],
        organisation: Some(DemoOrganisation::PartnerInSumbawa),
    },
    DemoAccount {
        username: "pimpinan.ntb",
        display_name: "Pengurus LKKS NTB",
        role: Role::Pimpinan,
        regions: &["52"],
        organisation: None,
    },
];

/// What the demo load stored.
#[derive(Debug, Default)]
pub struct DemoSummary {
    pub organisations: usize,
    pub lists: usize,
    pub person_rows: u64,
    pub refused_rows: usize,
    pub aggregates: u64,
}

/// Organisation ids the lists and accounts need.
struct DemoOrganisations {
    dinas_sosial: i64,
    baznas: i64,
    lks_lombok_timur: i64,
    partner_in_sumbawa: i64,
    /// Partner id (`M01`…) → organisation id.
    partners: HashMap<String, i64>,
    count: usize,
}

/// Loads the demo world and creates the demo accounts when the database has no accounts yet.
pub async fn ensure_demo(store: &Store, scale: f64) -> anyhow::Result<Option<DemoSummary>> {
    if store.user_count().await? > 0 {
        return Ok(None);
    }
    let world = World::plan(&Config::new(PROVINCE, scale, DEMO_SEED))?;
    let lkks_name = format!("LKKS Provinsi {}", world.facts.name);
    if store.organisation_by_name(&lkks_name).await?.is_some() {
        anyhow::bail!(
            "basis data ini berisi sisa pemuatan demo yang terputus (organisasi ada, akun belum): \
             hapus berkas atau basis datanya lalu jalankan `sinergi serve --demo` lagi"
        );
    }
    let started = Instant::now();
    tracing::info!(
        "memuat dunia demo: Nusa Tenggara Barat, skala {scale} ({} orang dalam {} keluarga; ubah dengan --skala-demo)",
        world.people(),
        world.families()
    );
    let steps = crate::progress::Steps::new(DEMO_STEPS, "demo");
    let summary = load_world(store, world, &steps).await?;
    drop(steps);
    let elapsed = started.elapsed().as_secs_f64();
    tracing::info!(
        "dunia demo dimuat dalam {elapsed:.1} dtk: {} organisasi, {} daftar dengan {} baris perorangan ({:.0} baris/dtk), {} baris ditolak (rinciannya dengan --verbose), {} angka agregat",
        summary.organisations,
        summary.lists,
        summary.person_rows,
        summary.person_rows as f64 / elapsed.max(1e-9),
        summary.refused_rows,
        summary.aggregates
    );
    Ok(Some(summary))
}

/// The steps of [`load_world`] named on the progress bar.
const DEMO_STEPS: u64 = 11;

async fn load_world(
    store: &Store,
    world: World,
    steps: &crate::progress::Steps,
) -> anyhow::Result<DemoSummary> {
    let actor = || Actor::system("demo");
    steps.step("organisasi dan lembaga");
    let partners = institutions::partners(&world);
    let programs = institutions::programs(&world, &partners);
    let started = Instant::now();
    let orgs = create_organisations(store, &world, &partners, &programs).await?;
    tracing::info!(
        "{} organisasi dibuat dalam {:.1} dtk",
        orgs.count,
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    let mut summary = DemoSummary {
        organisations: orgs.count,
        ..DemoSummary::default()
    };
    let sealer = store.person_sealer()?;
    steps.step("register penduduk");

    // The register streams from the generator (worker threads: generate, build rows, seal)
    // into the database while the next kecamatan are generated.
    let world = std::sync::Arc::new(world);
    let (sender, receiver) = tokio::sync::mpsc::channel(CHANNEL_CHUNKS);
    let producer = {
        let world = world.clone();
        let sealer = sealer.clone();
        let programs = programs.clone();
        tokio::task::spawn_blocking(move || produce_register(&world, &programs, &sealer, sender))
    };
    let register = NewPersonList {
        organisation_id: orgs.dinas_sosial,
        name: format!("Register penduduk {} (DTSEN 2025-Q3)", world.facts.name),
        legal_basis: Some(LegalBasis::KewajibanHukum),
        reference: "UU 13/2011 pasal 8 dan Permensos 3/2021 — berbagi data DTSEN (dunia sintetis)"
            .into(),
        source_file: Some("penduduk.csv".into()),
        content_hash: None,
        replaces: None,
    };
    let stored = store.bulk_person_list(actor(), &register, receiver).await;
    let produced = producer.await.context("pembuat dunia demo berhenti")?;
    // When the database stopped taking rows, its error is the cause; otherwise the producer's.
    let (tally, beneficiaries, scholars) = match produced {
        Ok(produced) => produced,
        Err(ProduceError::Stopped) => {
            stored?;
            anyhow::bail!("basis data berhenti menerima baris register");
        }
        Err(ProduceError::Failed(e)) => return Err(e),
    };
    let stored = stored?;
    let seconds = started.elapsed().as_secs_f64();
    tracing::info!(
        "register penduduk dimuat: {} orang dalam {seconds:.1} dtk ({:.0} baris/dtk; dibuat, disegel dan disimpan bersamaan)",
        stored.stored,
        stored.stored as f64 / seconds.max(1e-9)
    );
    summary.lists += 1;
    summary.person_rows += stored.stored;

    steps.step("daftar penerima mitra");
    // Partners' beneficiary lists, read as a partner's file would be: rows the intake refuses
    // (a damaged NIK, a swapped date) are reported, not stored.
    let known: HashSet<&str> = world.desa.iter().map(|d| d.code.as_str()).collect();
    let mut by_program: Vec<Vec<&Beneficiary>> = vec![Vec::new(); programs.len()];
    for b in &beneficiaries {
        by_program[b.program].push(b);
    }
    // Persons on two partners' lists, for the double-aid rounds.
    let shared = crate::demo_double_aid::shared_beneficiaries(&programs, &by_program);
    for (program, b) in &shared {
        by_program[*program].push(b);
    }
    for (program, rows) in programs.iter().zip(by_program) {
        if rows.is_empty() {
            continue;
        }
        let mut csv = Vec::new();
        push_row(&mut csv, &header(&LIST_EXTRA_COLUMNS));
        for (i, b) in rows.iter().enumerate() {
            push_row(&mut csv, &as_strs(&b.csv_row(i as u64 + 1, program)));
        }
        let owner = *orgs
            .partners
            .get(&program.partner)
            .context("program tanpa mitra")?;
        let list = NewPersonList {
            organisation_id: owner,
            name: format!("Penerima {} ({})", program.name, program.id),
            legal_basis: Some(LegalBasis::Persetujuan),
            reference: format!("REG-PERSETUJUAN/{}/2025", program.id),
            source_file: Some(format!("penerima/{}.csv", program.id)),
            content_hash: None,
            replaces: None,
        };
        let (stored, refused, _) = load_small_list(store, &sealer, &list, &csv, &known).await?;
        summary.lists += 1;
        summary.person_rows += stored;
        summary.refused_rows += refused;
    }
    let mut tunas_list = None;
    if !scholars.is_empty() {
        let csv = tunas_csv(&scholars);
        let list = NewPersonList {
            organisation_id: orgs.baznas,
            name: "Tunas Negeri — beasiswa anak Masbagik, putaran 1".into(),
            legal_basis: Some(LegalBasis::Persetujuan),
            reference: "REG-PERSETUJUAN/TUNAS-NEGERI/2025".into(),
            source_file: Some("tunas_negeri.csv".into()),
            content_hash: None,
            replaces: None,
        };
        let (stored, refused, list_id) =
            load_small_list(store, &sealer, &list, &csv, &known).await?;
        summary.lists += 1;
        summary.person_rows += stored;
        summary.refused_rows += refused;
        tunas_list = Some((list_id, orgs.baznas));
        // The district's Baznas already gives two of the children a scholarship: Tunas Negeri's
        // enrolment flags them through the double-aid check (held lists).
        let other = partners
            .iter()
            .filter(|p| p.kind == "zakat")
            .nth(1)
            .and_then(|p| orgs.partners.get(&p.id).copied());
        if let Some(other) = other.filter(|_| scholars.len() >= 2) {
            let mut csv = Vec::new();
            push_row(&mut csv, &header(&["jenis_bantuan", "tanggal_terima"]));
            for (i, s) in scholars.iter().take(2).enumerate() {
                let mut row = vec![(i + 1).to_string()];
                row.extend(s.record.fields().map(str::to_string));
                row.extend(["beasiswa".to_string(), "2025-08-15".to_string()]);
                push_row(&mut csv, &as_strs(&row));
            }
            let list = NewPersonList {
                organisation_id: other,
                name: "Beasiswa prestasi Masbagik 2025".into(),
                legal_basis: Some(LegalBasis::Persetujuan),
                reference: "REG-PERSETUJUAN/BEASISWA-PRESTASI/2025".into(),
                source_file: Some("beasiswa_prestasi.csv".into()),
                content_hash: None,
                replaces: None,
            };
            let (stored, refused, _) = load_small_list(store, &sealer, &list, &csv, &known).await?;
            summary.lists += 1;
            summary.person_rows += stored;
            summary.refused_rows += refused;
        }
    }

    steps.step("angka agregat");
    let (regional, national) = aggregates(&world, &tally)?;
    let groups = group_figures(&world, &tally)?;
    summary.aggregates = store
        .load_figures(
            actor(),
            sinergi_store::FigureLoad {
                regional: &regional,
                national: &national,
                groups: &groups,
            },
        )
        .await?;
    steps.step("program mitra (4W)");
    let loaded = crate::demo_programs::load(store, &world, &programs, &orgs.partners).await?;
    tracing::info!("{loaded} program mitra dimuat (matriks 4W)");
    steps.step("akun demo");
    create_accounts(store, &orgs).await?;
    steps.step("laporan bulanan LKS");
    crate::demo_inst::reports(store, chrono::Utc::now().date_naive()).await?;
    steps.step("strategi dan realisasi");
    crate::demo_strategy::load(store).await?;
    if let Some((list_id, baznas)) = tunas_list {
        crate::demo_cycles::load(store, baznas, list_id, &scholars).await?;
    }
    steps.step("indeks prioritas");
    crate::demo_priority::load(store).await?;
    steps.step("forum dan rapat");
    crate::demo_forums::load(
        store,
        chrono::Utc::now().date_naive(),
        &crate::demo_forums::Registered {
            dinas_sosial: orgs.dinas_sosial,
            baznas: orgs.baznas,
        },
    )
    .await?;
    steps.step("bantuan ganda");
    crate::demo_double_aid::load(
        store,
        &[orgs.baznas, orgs.partner_in_sumbawa],
        orgs.dinas_sosial,
    )
    .await?;
    Ok(summary)
}

type Produced = (Tally, Vec<Beneficiary>, Vec<Scholar>);

/// Why the register producer stopped early.
enum ProduceError {
    /// The database side stopped receiving (its own error says why).
    Stopped,
    Failed(anyhow::Error),
}

/// Generates the world kecamatan by kecamatan and sends the sealed register rows; keeps the
/// tally, the beneficiaries and the Tunas Negeri children for afterwards. Stops at the first
/// problem without sending `Done`, so nothing of the register is stored.
fn produce_register(
    world: &World,
    programs: &[institutions::Program],
    sealer: &PersonSealer,
    sender: tokio::sync::mpsc::Sender<BulkChunk>,
) -> Result<Produced, ProduceError> {
    let by_desa = institutions::programs_by_desa(programs);
    let mut tally = Tally::new(world);
    let mut beneficiaries = Vec::new();
    let mut scholars = Vec::new();
    let mut failure: Option<ProduceError> = None;
    world.for_each_batch(
        |batch| {
            let rows = register_rows(world, &batch).map(|rows| sealer.prepare(&rows));
            let listed = institutions::beneficiaries(world, programs, &by_desa, &batch);
            let tunas = institutions::tunas_negeri(world, &batch);
            (rows, listed, tunas, Tally::count(world, &batch))
        },
        |(rows, listed, tunas, counts)| {
            if failure.is_some() {
                return;
            }
            match rows {
                Ok(rows) => {
                    if sender.blocking_send(BulkChunk::Rows(rows)).is_err() {
                        failure = Some(ProduceError::Stopped);
                    }
                }
                Err(e) => failure = Some(ProduceError::Failed(e)),
            }
            tally.add(counts);
            beneficiaries.extend(listed);
            scholars.extend(tunas);
        },
    );
    if let Some(e) = failure {
        return Err(e);
    }
    sender
        .blocking_send(BulkChunk::Done)
        .map_err(|_| ProduceError::Stopped)?;
    Ok((tally, beneficiaries, scholars))
}

/// The register rows of one kecamatan: every member of every family, exactly as generated.
fn register_rows(world: &World, batch: &sinergi_synth::Batch) -> anyhow::Result<Vec<PersonInput>> {
    let mut rows = Vec::with_capacity(batch.families.len() * 4);
    for f in &batch.families {
        let desa = region(&world.desa[f.desa].code)?;
        let kk = NoKk::parse(f.no_kk.as_str(), None)
            .map_err(|e| anyhow::anyhow!("No. KK {} dunia demo tidak sah: {e:?}", f.no_kk))?
            .no_kk;
        for p in &f.members {
            let nik = Nik::parse(p.nik.as_str(), None)
                .map_err(|e| anyhow::anyhow!("NIK orang {} dunia demo tidak sah: {e:?}", p.id))?
                .nik;
            rows.push(PersonInput {
                // The line of this person in `penduduk.csv` (header on line 1).
                line: p.id + 1,
                name: p.name.clone(),
                sex: Some(p.sex),
                birth_date: Some(p.birth_date),
                nik: Some(nik),
                kk: Some(kk.clone()),
                region: desa.clone(),
                extra: Default::default(),
            });
        }
    }
    Ok(rows)
}

fn header<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    RECORD_COLUMNS.iter().chain(extra).copied().collect()
}

fn tunas_csv(scholars: &[Scholar]) -> Vec<u8> {
    let mut csv = Vec::new();
    push_row(&mut csv, &header(&TUNAS_EXTRA_COLUMNS));
    for (i, s) in scholars.iter().enumerate() {
        push_row(&mut csv, &as_strs(&s.csv_row(i + 1)));
    }
    csv
}

/// Reads a list CSV through the intake (as an upload would be) and stores the accepted rows
/// with the bulk path. Returns (stored, refused rows); refusals are logged with their reasons.
async fn load_small_list(
    store: &Store,
    sealer: &PersonSealer,
    list: &NewPersonList,
    csv: &[u8],
    known: &HashSet<&str>,
) -> anyhow::Result<(u64, usize, i64)> {
    let exists = |r: &RegionCode| known.contains(r.as_str());
    let ctx = sinergi_intake::PersonContext {
        region_exists: &exists,
        prefixes: None::<&dyn RegionPrefixes>,
        region_names: None,
        today: chrono::Utc::now().date_naive(),
        limits: sinergi_intake::Limits::default(),
    };
    let read = sinergi_intake::read_person_list(csv, &ctx)
        .map_err(|e| anyhow::anyhow!("daftar {}: {e}", list.name))?;
    let mut refused_lines: Vec<u64> = read.rejected.iter().map(|r| r.line).collect();
    refused_lines.dedup();
    if !read.rejected.is_empty() {
        // Counts per column only: the reasons quote the values, and values are personal data
        // that must not reach the log.
        let mut per_column = std::collections::BTreeMap::<&str, usize>::new();
        for r in &read.rejected {
            *per_column
                .entry(r.column.as_deref().unwrap_or("-"))
                .or_default() += 1;
        }
        let columns: Vec<String> = per_column.iter().map(|(c, n)| format!("{c} {n}")).collect();
        // Detail for --verbose; the summary counts them.
        tracing::debug!(
            "{}: {} baris ditolak saat dibaca (galat pencatatan dalam daftar mitra; per kolom: {})",
            list.name,
            refused_lines.len(),
            columns.join(", ")
        );
    }
    let (sender, receiver) = tokio::sync::mpsc::channel(2);
    sender
        .send(BulkChunk::Rows(sealer.prepare(&read.rows)))
        .await
        .ok();
    sender.send(BulkChunk::Done).await.ok();
    drop(sender);
    let stored = store
        .bulk_person_list(Actor::system("demo"), list, receiver)
        .await?;
    Ok((stored.stored, refused_lines.len(), stored.list_id))
}

/// The LKKS network, the LKS registry and the partners with their registry records, for all
/// three provinces (demo_inst.rs). The provincial LKKS is also a partner: one organisation.
async fn create_organisations(
    store: &Store,
    world: &World,
    partners: &[institutions::Partner],
    programs: &[institutions::Program],
) -> anyhow::Result<DemoOrganisations> {
    let inst = crate::demo_inst::load(store, world, partners).await?;
    let (count, ids) = (inst.count, inst.partners);
    let lks_lombok_timur = (inst.lks_lombok_timur > 0).then_some(inst.lks_lombok_timur);
    let by_kind = |kind: &str| {
        partners
            .iter()
            .find(|p| p.kind == kind)
            .and_then(|p| ids.get(&p.id).copied())
    };
    let baznas_name = partners
        .iter()
        .find(|p| p.kind == "zakat")
        .map(|p| p.id.clone());
    // A partner (other than the provincial Baznas) running a program in Sumbawa.
    let sumbawa = programs
        .iter()
        .filter(|p| Some(&p.partner) != baznas_name.as_ref())
        .find(|p| {
            p.locations
                .iter()
                .any(|(d, _)| world.desa[*d].code.starts_with("52.04."))
        })
        .and_then(|p| ids.get(&p.partner).copied());
    Ok(DemoOrganisations {
        dinas_sosial: by_kind("dinas_sosial").context("mitra Dinas Sosial tidak ada")?,
        baznas: by_kind("zakat").context("mitra Baznas tidak ada")?,
        lks_lombok_timur: lks_lombok_timur.context("tidak ada LKS di Lombok Timur")?,
        partner_in_sumbawa: sumbawa.context("tidak ada mitra dengan program di Sumbawa")?,
        partners: ids,
        count,
    })
}

fn region(code: &str) -> anyhow::Result<RegionCode> {
    RegionCode::parse(code).map_err(|e| anyhow::anyhow!("wilayah {code}: {e}"))
}

/// Desil counts per desa (DTSEN 2025-Q3) and the province's and kab/kota's indicators, and
/// the figures for Indonesia as a whole (child marriage 5,90 %, shown beside the province's).
fn aggregates(
    world: &World,
    tally: &Tally,
) -> anyhow::Result<(Vec<AggregateValue>, Vec<NationalValue>)> {
    let code = region;
    let source = sinergi_synth::desil_source(world);
    let mut out = Vec::with_capacity(world.desa.len() * 13 + 64);
    for (d, counts) in world.desa.iter().zip(&tally.desil) {
        let region = code(&d.code)?;
        let total: u32 = counts.iter().sum();
        let families = std::iter::once(("jumlah_keluarga".to_string(), total))
            .chain((1..=10).map(|i| (format!("keluarga_desil_{i}"), counts[i - 1])));
        for (element, n) in families {
            out.push(AggregateValue {
                region: region.clone(),
                element,
                period: "2025-Q3".into(),
                value: f64::from(n),
                unit: "keluarga".into(),
                source: source.clone(),
                source_type: SourceType::Administrative,
                estimated: false,
                note: None,
            });
        }
    }
    // PPKS people per desa from the synthetic register (proxies, see `PPKS_PROXIES`), and the
    // extreme-poverty target desa: the fifth of desa with the largest share of Desil I
    // families. Both are synthetic and say so in their source.
    let ppks_source = format!(
        "proksi PPKS dari register sintetis Sinergi (skala {}, benih {})",
        world.config.scale, world.config.seed
    );
    // A person in two proxies (a disabled elder in Desil I) is counted in both, as category
    // counts are.
    let ppks_note = sinergi_synth::PPKS_PROXIES
        .iter()
        .map(|(slug, how)| format!("{slug}: {how}"))
        .collect::<Vec<_>>()
        .join("; ");
    let share = |c: &[u32; 10]| {
        let total: u32 = c.iter().sum();
        (total > 0).then(|| f64::from(c[0]) / f64::from(total))
    };
    let mut shares: Vec<f64> = tally.desil.iter().filter_map(share).collect();
    shares.sort_by(f64::total_cmp);
    let cut = shares
        .get(shares.len() * 4 / 5)
        .copied()
        .unwrap_or(f64::INFINITY);
    let synthetic =
        |region: &RegionCode, element: String, value: f64, unit: &str, source: &str, note: &str| {
            AggregateValue {
                region: region.clone(),
                element,
                period: "2025-Q3".into(),
                value,
                unit: unit.into(),
                source: source.to_string(),
                source_type: SourceType::Administrative,
                estimated: true,
                note: Some(note.to_string()),
            }
        };
    for ((d, ppks), desil) in world.desa.iter().zip(&tally.ppks).zip(&tally.desil) {
        let region = code(&d.code)?;
        out.push(synthetic(
            &region,
            "jumlah_ppks".into(),
            f64::from(ppks.iter().sum::<u32>()),
            "orang",
            &ppks_source,
            &ppks_note,
        ));
        let target = share(desil).is_some_and(|s| s >= cut);
        out.push(synthetic(
            &region,
            "desa_sasaran_kemiskinan_ekstrem".into(),
            if target { 1.0 } else { 0.0 },
            "desa",
            "penetapan sintetis Sinergi",
            "seperlima desa dengan porsi keluarga Desil I tertinggi di provinsi",
        ));
    }
    // National figures ("ID") have no region in the register: they are kept apart.
    let mut national = Vec::new();
    for i in tally.indicators(world) {
        let source_type = if i.kind == "survei" {
            SourceType::Survey
        } else {
            SourceType::Administrative
        };
        if i.region == "ID" {
            national.push(NationalValue {
                element: i.indicator.to_string(),
                period: i.period,
                value: i.value,
                unit: i.unit.to_string(),
                source: i.source,
                source_type,
                estimated: i.estimated,
                note: (!i.note.is_empty()).then(|| i.note.to_string()),
            });
            continue;
        }
        out.push(AggregateValue {
            region: code(&i.region)?,
            element: i.indicator.to_string(),
            period: i.period,
            value: i.value,
            unit: i.unit.to_string(),
            source: i.source,
            source_type,
            estimated: i.estimated,
            note: (!i.note.is_empty()).then(|| i.note.to_string()),
        });
    }
    Ok((out, national))
}

/// Per kab/kota: the members of Desil I–IV families (the people social assistance reaches)
/// by sex × age band × disability, as a synthetic cross-table labelled so.
fn group_figures(world: &World, tally: &Tally) -> anyhow::Result<Vec<sinergi_store::GroupValue>> {
    let mut out = Vec::new();
    for (k, counts) in world.kabkota.iter().zip(&tally.groups) {
        let region = region(k.facts.code)?;
        for (group, n) in sinergi_core::groups::grid_groups().into_iter().zip(counts) {
            out.push(sinergi_store::GroupValue {
                region: region.clone(),
                element: "penerima_manfaat".into(),
                period: "2025-Q3".into(),
                group,
                value: f64::from(*n),
                unit: "orang".into(),
                source: "register sintetis Sinergi".into(),
                source_type: SourceType::Administrative,
                estimated: true,
                note: Some("anggota keluarga Desil I–IV".into()),
            });
        }
    }
    Ok(out)
}

async fn create_accounts(store: &Store, orgs: &DemoOrganisations) -> anyhow::Result<()> {
    for a in &DEMO_ACCOUNTS {
        store
            .as_system("demo")
            .create_user(NewUser {
                username: a.username.into(),
                display_name: a.display_name.into(),
                password: DEMO_PASSWORD.into(),
                role: a.role,
                scope: Scope {
                    regions: a
                        .regions
                        .iter()
                        .map(|r| RegionCode::parse(r))
                        .collect::<Result<_, _>>()?,
                    organisation: a.organisation.map(|o| match o {
                        DemoOrganisation::Baznas => orgs.baznas,
                        DemoOrganisation::LksLombokTimur => orgs.lks_lombok_timur,
                        DemoOrganisation::PartnerInSumbawa => orgs.partner_in_sumbawa,
                    }),
                },
            })
            .await?;
    }
    tracing::info!(
        "akun demo dibuat: {} (kata sandi: lihat README)",
        DEMO_ACCOUNTS
            .iter()
            .map(|a| a.username)
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}
