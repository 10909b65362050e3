//! The organisations around the people: the LKKS network, LKS registries, penta-helix partners
//! and their programs (with locations, budgets and beneficiary lists), the Tunas Negeri
//! scholarship round, and the NTB collaboration strategy skeleton.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use rand::RngExt;
use sinergi_core::{Ppks, Sex};

use crate::linkage::{ListRecord, corrupt};
use crate::names::{Culture, cultures_of, person_name};
use crate::people::{Batch, Family, Person, School, reference_date};
use crate::rng::{Rng, apportion, stream};
use crate::world::World;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

fn some_date(rng: &mut Rng, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    from + Duration::days(rng.random_range(0..(to - from).num_days().max(1)))
}

fn main_culture(kabkota: &str) -> Culture {
    cultures_of(kabkota)[0].0
}

/// LKKS formation status per kab/kota (DOMAIN: not formed, forming, confirmed by decree,
/// active, inactive).
#[derive(Debug, Clone)]
pub struct Lkks {
    pub region: String,
    pub region_name: String,
    pub name: String,
    pub level: &'static str,
    pub status: &'static str,
    pub decree: String,
    pub decree_date: Option<NaiveDate>,
    pub term: Option<(NaiveDate, NaiveDate)>,
    pub chair: String,
    pub daily_chair: String,
}

/// The LKKS network of the province: the provincial body and one per kab/kota.
pub fn lkks_network(world: &World) -> Vec<Lkks> {
    let p = world.facts;
    let body = if p.code == "33" { "BK3S" } else { "LKKS" };
    let mut rng = stream(world.config.seed, p.code, "lkks");
    // Jawa Tengah works toward an active LKKS in every kab/kota by 31 Dec 2025; Kalimantan
    // Selatan's Tanah Bumbu and Kotabaru had none in October 2025; NTB's ten are formed.
    let statuses: Vec<&'static str> = p
        .kabkota
        .iter()
        .enumerate()
        .map(|(i, k)| match p.code {
            "63" if k.code == "63.10" || k.code == "63.02" => "belum_dibentuk",
            "63" => ["aktif", "aktif", "dikukuhkan", "aktif", "tidak_aktif"][i % 5],
            "33" => match i % 12 {
                0 => "belum_dibentuk",
                1 | 6 => "dalam_pembentukan",
                4 | 9 => "dikukuhkan",
                _ => "aktif",
            },
            _ => {
                if i % 4 == 3 {
                    "dikukuhkan"
                } else {
                    "aktif"
                }
            }
        })
        .collect();
    let mut out = Vec::new();
    let mut one = |rng: &mut Rng,
                   region: &str,
                   region_name: &str,
                   level: &'static str,
                   status: &'static str| {
        let formed = status != "belum_dibentuk" && status != "dalam_pembentukan";
        let decree_date = formed.then(|| some_date(rng, date(2019, 1, 1), date(2025, 6, 30)));
        let culture = main_culture(if region.len() > 2 {
            region
        } else {
            p.kabkota[0].code
        });
        let chair = if formed {
            format!(
                "Ny. {}",
                person_name(rng, culture, Sex::Female, 1972, false)
            )
        } else {
            String::new()
        };
        let daily_chair = if formed {
            person_name(rng, culture, Sex::Male, 1965, false)
        } else {
            String::new()
        };
        let decree = decree_date.map_or(String::new(), |d| {
            format!(
                "{}/{}/{}/{}",
                rng.random_range(100..999),
                if level == "provinsi" { "Gub" } else { "Bup" },
                p.code,
                d.format("%Y")
            )
        });
        out.push(Lkks {
            region: region.to_string(),
            region_name: region_name.to_string(),
            name: format!("{body} {region_name}"),
            level,
            status,
            decree,
            term: decree_date.map(|d| (d, d + Duration::days(5 * 365))),
            decree_date,
            chair,
            daily_chair,
        });
    };
    one(
        &mut rng,
        p.code,
        &format!("Provinsi {}", p.name),
        "provinsi",
        "aktif",
    );
    for (k, status) in p.kabkota.iter().zip(statuses) {
        one(&mut rng, k.code, k.name, "kabkota", status);
    }
    out
}

#[derive(Debug, Clone)]
pub struct Lks {
    pub id: String,
    pub name: String,
    pub desa: String,
    pub services: Vec<Ppks>,
    pub registration: String,
    pub registered: NaiveDate,
    pub grade: &'static str,
    pub accredited: Option<NaiveDate>,
    pub accreditation_until: Option<NaiveDate>,
    pub capacity: u32,
    pub clients: u32,
}

/// Number of LKS in the registry: Jawa Tengah more than 876, Kalimantan Selatan 199. NTB's is
/// not published; 240 is an assumption of the synthetic world.
pub fn lks_count(province: &str) -> usize {
    match province {
        "33" => 881,
        "63" => 199,
        _ => 240,
    }
}

pub fn lks_registry(world: &World) -> Vec<Lks> {
    const KINDS: [(&str, &[Ppks]); 7] = [
        (
            "LKSA Panti Asuhan",
            &[Ppks::AnakTerlantar, Ppks::AnakBalitaTerlantar],
        ),
        ("Panti Sosial Lanjut Usia", &[Ppks::LanjutUsiaTerlantar]),
        (
            "LKS Disabilitas",
            &[Ppks::PenyandangDisabilitas, Ppks::AnakDenganKedisabilitasan],
        ),
        (
            "Rumah Singgah",
            &[Ppks::AnakJalanan, Ppks::Gelandangan, Ppks::Pengemis],
        ),
        (
            "LKS Pemberdayaan Perempuan",
            &[
                Ppks::PerempuanRawanSosialEkonomi,
                Ppks::KorbanTindakKekerasan,
            ],
        ),
        ("IPWL Rehabilitasi", &[Ppks::KorbanNapza]),
        (
            "Yayasan Kesejahteraan Keluarga",
            &[Ppks::FakirMiskin, Ppks::KeluargaBermasalahSosialPsikologis],
        ),
    ];
    const NAMES: [&str; 16] = [
        "Al-Ikhlas",
        "Nurul Huda",
        "Darul Aitam",
        "Kasih Ibu",
        "Harapan Bangsa",
        "Mutiara Hati",
        "Bina Sejahtera",
        "Al-Hidayah",
        "Insan Mandiri",
        "Tunas Harapan",
        "Cahaya Ummat",
        "Budi Mulia",
        "Pelita",
        "Amanah",
        "Raudhatul Jannah",
        "Bhakti Luhur",
    ];
    let mut rng = stream(world.config.seed, world.facts.code, "lks");
    let weights: Vec<f64> = world
        .desa
        .iter()
        .map(|d| f64::from(d.people).max(1.0) * if d.kelurahan { 3.0 } else { 1.0 })
        .collect();
    let total: f64 = weights.iter().sum();
    (0..lks_count(world.facts.code))
        .map(|i| {
            let mut r = rng.random::<f64>() * total;
            let mut desa = 0;
            for (j, w) in weights.iter().enumerate() {
                if r < *w {
                    desa = j;
                    break;
                }
                r -= w;
            }
            let (kind, services) = KINDS[rng.random_range(0..KINDS.len())];
            let registered = some_date(&mut rng, date(2005, 1, 1), date(2025, 6, 30));
            let grade = ["A", "B", "B", "C", "C", "belum"][rng.random_range(0..6)];
            let accredited = (grade != "belum")
                .then(|| some_date(&mut rng, registered.max(date(2017, 1, 1)), date(2025, 9, 1)));
            // A/B/C are valid 5/3/2 years.
            let years = match grade {
                "A" => 5,
                "B" => 3,
                _ => 2,
            };
            let capacity = rng.random_range(10..80);
            Lks {
                id: format!("LKS-{}-{:04}", world.facts.code, i + 1),
                name: format!("{kind} {}", NAMES[rng.random_range(0..NAMES.len())]),
                desa: world.desa[desa].code.clone(),
                services: services.to_vec(),
                registration: format!(
                    "{}/{}/DINSOS/{}",
                    rng.random_range(1..999),
                    460 + i % 10,
                    registered.format("%Y")
                ),
                registered,
                grade,
                accredited,
                accreditation_until: accredited.map(|d| d + Duration::days(years * 365)),
                capacity,
                clients: rng.random_range(capacity / 2..=capacity + 5),
            }
        })
        .collect()
}

#[derive(Debug, Clone)]
pub struct Partner {
    pub id: String,
    pub name: String,
    /// pemerintah, dunia_usaha, akademisi, masyarakat, media, filantropi
    pub helix: &'static str,
    pub kind: &'static str,
    pub region: String,
}

/// Partners across the penta-helix. Public bodies carry their real names; companies, NGOs
/// and the research centre are fictitious.
pub fn partners(world: &World) -> Vec<Partner> {
    let p = world.facts;
    let short = match p.code {
        "52" => "NTB",
        "33" => "Jawa Tengah",
        _ => "Kalimantan Selatan",
    };
    let list: Vec<(String, &'static str, &'static str)> = vec![
        (
            format!("Dinas Sosial Provinsi {short}"),
            "pemerintah",
            "dinas_sosial",
        ),
        (format!("Bappeda Provinsi {short}"), "pemerintah", "bappeda"),
        (format!("Baznas Provinsi {short}"), "filantropi", "zakat"),
        (
            format!("Baznas {}", p.kabkota[2 % p.kabkota.len()].name),
            "filantropi",
            "zakat",
        ),
        (
            format!("PT Tambang Nusa {short} (fiktif)"),
            "dunia_usaha",
            "csr",
        ),
        (
            format!("PT Bank Pembangunan Daerah {short} (fiktif)"),
            "dunia_usaha",
            "csr",
        ),
        (
            "PT Semen Lestari Indonesia (fiktif)".to_string(),
            "dunia_usaha",
            "csr",
        ),
        (
            "Yayasan Peduli Anak Nusantara (fiktif)".to_string(),
            "masyarakat",
            "oms",
        ),
        (
            "Perkumpulan Perempuan Berdaya (fiktif)".to_string(),
            "masyarakat",
            "oms",
        ),
        (
            "Lembaga Advokasi Disabilitas (fiktif)".to_string(),
            "masyarakat",
            "oms",
        ),
        (
            match p.code {
                "52" => "Universitas Mataram".to_string(),
                "33" => "Universitas Diponegoro".to_string(),
                _ => "Universitas Lambung Mangkurat".to_string(),
            },
            "akademisi",
            "universitas",
        ),
        (
            format!("Pusat Riset Kesejahteraan Sosial {short} (fiktif)"),
            "akademisi",
            "pusat_riset",
        ),
        (format!("Radio Suara {short} (fiktif)"), "media", "media"),
        (
            format!(
                "{} Provinsi {}",
                if p.code == "33" { "BK3S" } else { "LKKS" },
                p.name
            ),
            "masyarakat",
            "lkks",
        ),
    ];
    list.into_iter()
        .enumerate()
        .map(|(i, (name, helix, kind))| Partner {
            id: format!("M{:02}", i + 1),
            name,
            helix,
            kind,
            region: p.code.to_string(),
        })
        .collect()
}

/// Who in a family a program reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The head of family, for family-level aid.
    Family,
    /// Children 6–18.
    Children,
    /// People 60 and over.
    Elderly,
    /// People with a disability (Washington Group).
    Disability,
    /// Women 18–59.
    Women,
}

impl Target {
    pub fn key(self) -> &'static str {
        match self {
            Target::Family => "keluarga",
            Target::Children => "anak",
            Target::Elderly => "lansia",
            Target::Disability => "disabilitas",
            Target::Women => "perempuan",
        }
    }

    fn fits(self, p: &Person) -> bool {
        let age = p.age();
        match self {
            Target::Family => p.relationship == crate::people::Relationship::Head,
            Target::Children => (6..=18).contains(&age),
            Target::Elderly => age >= 60,
            Target::Disability => p.has_disability(),
            Target::Women => p.sex == Sex::Female && (18..=59).contains(&age),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Program {
    pub id: String,
    pub partner: String,
    pub name: String,
    pub sector: &'static str,
    pub ppks: Ppks,
    pub target: Target,
    pub desil: (u8, u8),
    pub aid: &'static str,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub budget_rp: u64,
    pub funding: &'static str,
    pub aid_per_person_rp: u64,
    /// (desa index, planned beneficiaries), in code order.
    pub locations: Vec<(usize, u32)>,
}

impl Program {
    pub fn planned(&self) -> u64 {
        self.locations.iter().map(|l| u64::from(l.1)).sum()
    }
}

/// A kind of program partners run.
struct Template {
    name: &'static str,
    sector: &'static str,
    ppks: Ppks,
    target: Target,
    desil: (u8, u8),
    aid: &'static str,
    per_person_rp: u64,
}

const fn template(
    name: &'static str,
    sector: &'static str,
    ppks: Ppks,
    target: Target,
    desil: (u8, u8),
    aid: &'static str,
    per_person_rp: u64,
) -> Template {
    Template {
        name,
        sector,
        ppks,
        target,
        desil,
        aid,
        per_person_rp,
    }
}

const TEMPLATES: [Template; 10] = [
    template(
        "Bantuan Pangan Keluarga Miskin",
        "perlindungan_sosial",
        Ppks::FakirMiskin,
        Target::Family,
        (1, 2),
        "sembako",
        600_000,
    ),
    template(
        "Rehab Rumah Tidak Layak Huni",
        "perumahan",
        Ppks::FakirMiskin,
        Target::Family,
        (1, 1),
        "barang",
        20_000_000,
    ),
    template(
        "Beasiswa Anak Sekolah",
        "pendidikan",
        Ppks::AnakTerlantar,
        Target::Children,
        (1, 3),
        "uang",
        1_500_000,
    ),
    template(
        "Paket Gizi Cegah Tengkes",
        "kesehatan",
        Ppks::AnakBalitaTerlantar,
        Target::Women,
        (1, 4),
        "barang",
        450_000,
    ),
    template(
        "Permakanan Lansia",
        "perlindungan_sosial",
        Ppks::LanjutUsiaTerlantar,
        Target::Elderly,
        (1, 3),
        "makanan",
        900_000,
    ),
    template(
        "Alat Bantu Disabilitas",
        "rehabilitasi_sosial",
        Ppks::PenyandangDisabilitas,
        Target::Disability,
        (1, 5),
        "barang",
        2_500_000,
    ),
    template(
        "Modal Usaha Perempuan",
        "pemberdayaan_ekonomi",
        Ppks::PerempuanRawanSosialEkonomi,
        Target::Women,
        (1, 3),
        "uang",
        2_000_000,
    ),
    template(
        "Santunan Zakat Fakir Miskin",
        "perlindungan_sosial",
        Ppks::FakirMiskin,
        Target::Family,
        (1, 1),
        "uang",
        750_000,
    ),
    template(
        "Pencegahan Perkawinan Anak",
        "perlindungan_anak",
        Ppks::AnakPerlindunganKhusus,
        Target::Children,
        (1, 4),
        "pendampingan",
        300_000,
    ),
    template(
        "Pelatihan Kerja Pemuda",
        "pemberdayaan_ekonomi",
        Ppks::FakirMiskin,
        Target::Women,
        (1, 4),
        "pelatihan",
        1_200_000,
    ),
];

/// Whether a partner would run a program of this kind: zakat is paid out by a zakat body
/// only; a civil-society organisation runs programs for the people it works with; campuses
/// and research centres run prevention, training and nutrition; the LKKS runs care for the
/// elderly, food aid and child protection; government and companies run the rest.
fn runs(partner: &Partner, t: &Template) -> bool {
    let zakat = t.name.contains("Zakat");
    match partner.kind {
        "zakat" => {
            zakat
                || matches!(
                    t.ppks,
                    Ppks::FakirMiskin
                        | Ppks::AnakTerlantar
                        | Ppks::LanjutUsiaTerlantar
                        | Ppks::PerempuanRawanSosialEkonomi
                )
        }
        _ if zakat => false,
        "oms" => {
            let name = partner.name.to_lowercase();
            (name.contains("anak") && t.target == Target::Children)
                || (name.contains("perempuan") && t.target == Target::Women)
                || (name.contains("disabilitas") && t.target == Target::Disability)
        }
        "universitas" | "pusat_riset" => {
            matches!(
                t.ppks,
                Ppks::AnakPerlindunganKhusus | Ppks::AnakBalitaTerlantar
            ) || t.aid == "pelatihan"
        }
        "lkks" => {
            matches!(
                t.ppks,
                Ppks::LanjutUsiaTerlantar | Ppks::AnakPerlindunganKhusus
            ) || t.aid == "sembako"
        }
        _ => true,
    }
}

/// Partners' programs. Locations favour poor desa near the towns, so some desa get several
/// programs (*tumpang tindih*), while a set of poor desa is reached by none.
pub fn programs(world: &World, partners: &[Partner]) -> Vec<Program> {
    let mut rng = stream(world.config.seed, world.facts.code, "program");
    let count = match world.facts.code {
        "33" => 40,
        _ => 24,
    };
    let doers: Vec<&Partner> = partners
        .iter()
        .filter(|p| p.helix != "media" && p.kind != "bappeda")
        .collect();
    // A tenth of the poorest desa are blind spots: no program reaches them.
    let mut by_poverty: Vec<usize> = (0..world.desa.len()).collect();
    by_poverty.sort_by(|&a, &b| {
        let share =
            |i: usize| f64::from(world.desa[i].desil1) / f64::from(world.desa[i].families.max(1));
        share(b).total_cmp(&share(a)).then(a.cmp(&b))
    });
    let poorest = &by_poverty[..world.desa.len() / 4];
    let mut unreached = vec![false; world.desa.len()];
    for &i in poorest.iter().step_by(2) {
        unreached[i] = true;
    }
    (0..count)
        .map(|i| {
            let Template {
                name,
                sector,
                ppks,
                target,
                desil,
                aid,
                per_person_rp: per_person,
            } = TEMPLATES[i % TEMPLATES.len()];
            // The spread of earlier worlds, moved on to the next partner that runs this kind
            // of program (a bank does not pay out zakat).
            let partner = (0..doers.len())
                .map(|k| doers[(i * 7 + 3 + k) % doers.len()])
                .find(|p| runs(p, &TEMPLATES[i % TEMPLATES.len()]))
                .unwrap_or(doers[(i * 7 + 3) % doers.len()]);
            let kabkota = rng.random_range(0..world.kabkota.len());
            let kk = &world.kabkota[kabkota];
            let desa_range = world.kecamatan[kk.kecamatan.start].desa.start
                ..world.kecamatan[kk.kecamatan.end - 1].desa.end;
            // The first kecamatan of a kab/kota (usually the seat) and kelurahan are easier to
            // reach: programs crowd there.
            let candidates: Vec<usize> = desa_range
                .filter(|&d| !unreached[d] && world.desa[d].people > 0)
                .collect();
            let wanted = rng.random_range(3..12).min(candidates.len());
            let mut weights: Vec<f64> = candidates
                .iter()
                .map(|&d| {
                    let near = if world.kecamatan_of_desa(d) < kk.kecamatan.start + 2 {
                        4.0
                    } else {
                        1.0
                    };
                    (1.0 + f64::from(world.desa[d].desil1)) * near
                })
                .collect();
            let mut chosen = Vec::new();
            for _ in 0..wanted {
                let total: f64 = weights.iter().sum();
                if total <= 0.0 {
                    break;
                }
                let mut r = rng.random::<f64>() * total;
                for (j, w) in weights.iter_mut().enumerate() {
                    if r < *w {
                        chosen.push(candidates[j]);
                        *w = 0.0;
                        break;
                    }
                    r -= *w;
                }
            }
            chosen.sort_unstable();
            // Real programs reach hundreds to a few thousand people, fewer for costly aid; tiny
            // worlds get proportionally smaller lists.
            let costly = if per_person >= 10_000_000 { 0.1 } else { 1.0 };
            let size =
                rng.random_range(200..3000) as f64 * costly * (world.config.scale * 20.0).min(1.0);
            let planned_total = size.round().max(chosen.len() as f64) as u64;
            let w: Vec<f64> = chosen
                .iter()
                .map(|&d| f64::from(world.desa[d].families))
                .collect();
            let per_desa = apportion(planned_total, &w, None);
            let start = some_date(&mut rng, date(2024, 1, 1), date(2025, 7, 1));
            let end = start + Duration::days(rng.random_range(180..720));
            let locations: Vec<(usize, u32)> = chosen
                .into_iter()
                .zip(per_desa)
                .map(|(d, n)| (d, n as u32))
                .collect();
            let planned: u64 = locations.iter().map(|l| u64::from(l.1)).sum();
            let overhead = 1.0 + rng.random_range(5..20) as f64 / 100.0;
            Program {
                id: format!("P{:03}", i + 1),
                partner: partner.id.clone(),
                name: format!("{name} {}", kk.facts.name.trim_start_matches("Kabupaten ")),
                sector,
                ppks,
                target,
                desil,
                aid,
                start,
                end,
                budget_rp: ((planned * per_person) as f64 * overhead / 1000.0).round() as u64
                    * 1000,
                funding: match partner.helix {
                    "pemerintah" => "APBD",
                    "filantropi" => "zakat_infak_sedekah",
                    "dunia_usaha" => "csr",
                    _ => "hibah",
                },
                aid_per_person_rp: per_person,
                locations,
            }
        })
        .collect()
}

/// Which programs reach each desa: desa index → (program index, planned count).
pub fn programs_by_desa(programs: &[Program]) -> HashMap<usize, Vec<(usize, u32)>> {
    let mut map: HashMap<usize, Vec<(usize, u32)>> = HashMap::new();
    for (pi, p) in programs.iter().enumerate() {
        for &(d, n) in &p.locations {
            map.entry(d).or_default().push((pi, n));
        }
    }
    map
}

/// One beneficiary as a partner's list records them.
pub struct Beneficiary {
    pub program: usize,
    pub person_id: u64,
    pub record: ListRecord,
    pub received: NaiveDate,
}

impl Beneficiary {
    /// The row of `penerima/<id_program>.csv`; `id` is the row's number in its list.
    pub fn csv_row(&self, id: u64, program: &Program) -> Vec<String> {
        let mut row = vec![id.to_string()];
        row.extend(self.record.fields().map(str::to_string));
        row.push(self.received.format("%Y-%m-%d").to_string());
        row.push(program.aid_per_person_rp.to_string());
        row
    }
}

/// Beneficiaries in this batch for every program reaching its desa: eligible people of
/// eligible families, recorded with the errors real lists have.
pub fn beneficiaries(
    world: &World,
    programs: &[Program],
    by_desa: &HashMap<usize, Vec<(usize, u32)>>,
    batch: &Batch,
) -> Vec<Beneficiary> {
    let mut out = Vec::new();
    for (desa, families) in batch.by_desa() {
        let Some(list) = by_desa.get(&desa) else {
            continue;
        };
        for &(pi, planned) in list {
            let program = &programs[pi];
            let mut rng = stream(world.config.seed, &world.desa[desa].code, &program.id);
            let mut eligible: Vec<(&Family, &Person)> = families
                .iter()
                .filter(|f| (program.desil.0..=program.desil.1).contains(&f.desil))
                .flat_map(|f| {
                    f.members
                        .iter()
                        .filter(|p| program.target.fits(p))
                        .map(move |p| (f, p))
                })
                .collect();
            // Lists also reach some families just above the threshold (inclusion error).
            if eligible.len() < planned as usize {
                eligible.extend(
                    families
                        .iter()
                        .filter(|f| f.desil == program.desil.1 + 1)
                        .flat_map(|f| {
                            f.members
                                .iter()
                                .filter(|p| program.target.fits(p))
                                .map(move |p| (f, p))
                        }),
                );
            }
            let take = (planned as usize).min(eligible.len());
            for k in 0..take {
                let j = rng.random_range(k..eligible.len());
                eligible.swap(k, j);
            }
            for &(f, p) in &eligible[..take] {
                let mut record = ListRecord::exact(p, f, world);
                corrupt(&mut rng, &mut record, p, f, &crate::linkage::LIGHT);
                out.push(Beneficiary {
                    program: pi,
                    person_id: p.id,
                    record,
                    received: some_date(&mut rng, program.start, program.end.min(reference_date())),
                });
            }
        }
    }
    out
}

/// Masbagik, Lombok Timur: the first Tunas Negeri round.
pub const MASBAGIK: &str = "52.03.05";

/// The 14 schools of the first round, by level.
pub const TUNAS_NEGERI_SCHOOLS: [(&str, &str); 14] = [
    ("SDN 1 Masbagik", "SD"),
    ("SDN 3 Masbagik", "SD"),
    ("SDN 2 Masbagik Utara", "SD"),
    ("SDN 1 Masbagik Timur", "SD"),
    ("SDN 4 Masbagik Selatan", "SD"),
    ("MI NW Masbagik", "SD"),
    ("SMPN 1 Masbagik", "SMP"),
    ("SMPN 2 Masbagik", "SMP"),
    ("MTs NW Masbagik", "SMP"),
    ("SMP Islam Masbagik", "SMP"),
    ("SMAN 1 Masbagik", "SMA"),
    ("SMKN 1 Masbagik", "SMA"),
    ("MA NW Masbagik", "SMA"),
    ("SMK Kesehatan Masbagik", "SMA"),
];

pub struct Scholar {
    pub person_id: u64,
    pub record: ListRecord,
    pub school: &'static str,
    pub level: &'static str,
    pub grade: u32,
    pub desil: u8,
}

impl Scholar {
    /// The row of `tunas_negeri.csv`; `id` is the row's number in the list.
    pub fn csv_row(&self, id: usize) -> Vec<String> {
        let mut row = vec![id.to_string()];
        row.extend(self.record.fields().map(str::to_string));
        row.extend([
            self.school.to_string(),
            self.level.to_string(),
            self.grade.to_string(),
            self.desil.to_string(),
        ]);
        row
    }
}

/// The Tunas Negeri round: 40 school children of the poorest families of Masbagik (20 in
/// primary, 12 in junior and 8 in senior secondary school), spread over the 14 schools.
/// Fewer when a very small world has fewer such children.
pub fn tunas_negeri(world: &World, batch: &Batch) -> Vec<Scholar> {
    if world.kecamatan[batch.kecamatan].code != MASBAGIK {
        return Vec::new();
    }
    let mut rng = stream(world.config.seed, MASBAGIK, "tunas_negeri");
    let mut out = Vec::new();
    for (level, lo, hi, wanted, schools) in [
        ("SD", 7, 12, 20, 0..6),
        ("SMP", 13, 15, 12, 6..10),
        ("SMA", 16, 18, 8, 10..14),
    ] {
        let mut pool: Vec<(&Family, &Person)> = batch
            .families
            .iter()
            .flat_map(|f| f.members.iter().map(move |p| (f, p)))
            .filter(|(_, p)| (lo..=hi).contains(&p.age()) && p.school == Some(School::Attending))
            .collect();
        // Poorest first; a random order within each desil.
        for k in 0..pool.len() {
            let j = rng.random_range(k..pool.len());
            pool.swap(k, j);
        }
        pool.sort_by_key(|(f, _)| f.desil);
        for (k, (f, p)) in pool.into_iter().take(wanted).enumerate() {
            let school = schools.start + k % schools.len();
            let mut record = ListRecord::exact(p, f, world);
            corrupt(&mut rng, &mut record, p, f, &crate::linkage::LIGHT);
            let age = p.age();
            out.push(Scholar {
                person_id: p.id,
                record,
                school: TUNAS_NEGERI_SCHOOLS[school].0,
                level,
                grade: match level {
                    "SD" => (age - 6).clamp(1, 6),
                    "SMP" => (age - 6).clamp(7, 9),
                    _ => (age - 6).clamp(10, 12),
                },
                desil: f.desil,
            });
        }
    }
    out
}

/// One indicator of the strategy skeleton.
pub struct StrategyIndicator {
    pub objective: &'static str,
    pub code: &'static str,
    pub name: &'static str,
    pub definition: &'static str,
    pub unit: &'static str,
    pub direction: &'static str,
    pub baseline_year: &'static str,
    pub baseline: Option<f64>,
    pub source: &'static str,
    pub source_kind: &'static str,
    /// Targets 2025…2030; `None` = still to be agreed.
    pub targets: [Option<f64>; 6],
    pub responsible: &'static str,
}

pub const STRATEGY_TITLE: &str = "Strategi Kolaborasi Kesejahteraan Sosial NTB 2025–2030";
pub const STRATEGY_VISION: &str = "Masyarakat NTB yang sejahtera, terlindungi dan berdaya melalui kolaborasi penta-helix sampai ke desa";

pub const OBJECTIVES: [(&str, &str); 4] = [
    (
        "SS1",
        "Menurunkan kemiskinan dan menghapus kemiskinan ekstrem",
    ),
    ("SS2", "Mencegah perkawinan anak dan melindungi anak"),
    ("SS3", "Menurunkan tengkes (stunting) pada balita"),
    (
        "SS4",
        "Memperkuat data terpadu dan kolaborasi program sampai ke desa",
    ),
];

/// Baselines are the facts in DOMAIN.md; targets from the RPJMD where named, else empty.
pub fn ntb_strategy() -> Vec<StrategyIndicator> {
    vec![
        StrategyIndicator {
            objective: "SS1",
            code: "IK1.1",
            name: "Persentase penduduk miskin (P0)",
            definition: "Penduduk di bawah garis kemiskinan dibagi jumlah penduduk × 100",
            unit: "persen",
            direction: "turun",
            baseline_year: "2024",
            baseline: Some(12.91),
            source: "BPS Susenas Maret 2024",
            source_kind: "survei",
            targets: [
                Some(12.4),
                Some(11.8),
                Some(11.2),
                Some(10.6),
                Some(9.9),
                Some(9.5),
            ],
            responsible: "Bappeda Provinsi NTB; Dinas Sosial Provinsi NTB",
        },
        StrategyIndicator {
            objective: "SS1",
            code: "IK1.2",
            name: "Persentase penduduk miskin ekstrem",
            definition: "Penduduk dengan pengeluaran di bawah US$2,15 PPP (2017) per hari dibagi jumlah penduduk × 100",
            unit: "persen",
            direction: "turun",
            baseline_year: "",
            baseline: None,
            source: "belum ada angka dasar; isi dari BPS",
            source_kind: "survei",
            targets: [None, None, None, None, Some(0.0), Some(0.0)],
            responsible: "Bappeda Provinsi NTB",
        },
        StrategyIndicator {
            objective: "SS1",
            code: "IK1.3",
            name: "Jumlah keluarga Desil I",
            definition: "Keluarga pada desil 1 DTSEN",
            unit: "keluarga",
            direction: "turun",
            baseline_year: "2025",
            baseline: Some(233_849.0),
            source: "DTSEN 2025",
            source_kind: "administratif",
            targets: [None; 6],
            responsible: "Dinas Sosial Provinsi NTB",
        },
        StrategyIndicator {
            objective: "SS2",
            code: "IK2.1",
            name: "Proporsi perempuan 20–24 tahun yang kawin sebelum 18 tahun",
            definition: "Perempuan 20–24 tahun yang kawin atau hidup bersama sebelum umur 18 dibagi perempuan 20–24 tahun × 100",
            unit: "persen",
            direction: "turun",
            baseline_year: "2024",
            baseline: Some(14.96),
            source: "BPS Susenas 2024",
            source_kind: "survei",
            targets: [
                Some(14.6),
                Some(14.3),
                Some(14.0),
                Some(13.6),
                Some(13.3),
                Some(13.0),
            ],
            responsible: "LKKS Provinsi NTB; DP3AP2KB Provinsi NTB",
        },
        StrategyIndicator {
            objective: "SS3",
            code: "IK3.1",
            name: "Prevalensi tengkes (stunting) balita",
            definition: "Balita dengan tinggi badan menurut umur < −2 SD dibagi balita diukur × 100",
            unit: "persen",
            direction: "turun",
            baseline_year: "2023",
            baseline: Some(24.6),
            source: "SKI 2023 (Kemenkes)",
            source_kind: "survei",
            targets: [None; 6],
            responsible: "Dinas Kesehatan Provinsi NTB",
        },
        StrategyIndicator {
            objective: "SS4",
            code: "IK4.1",
            name: "Kab/kota dengan LKKS aktif",
            definition: "Kab/kota yang LKKS-nya dikukuhkan dan aktif",
            unit: "kab/kota",
            direction: "naik",
            baseline_year: "2025",
            baseline: Some(10.0),
            source: "LKKS Provinsi NTB",
            source_kind: "administratif",
            targets: [Some(10.0); 6],
            responsible: "LKKS Provinsi NTB",
        },
    ]
}
