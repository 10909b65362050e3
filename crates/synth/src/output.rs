//! Writing a world to a folder: every file goes to a temporary name in the target folder and
//! is renamed only when all files are complete, so a failed run leaves the old files intact.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::SynthError;
use crate::institutions::{self, Program};
use crate::linkage::{self, Drawn, LinkagePlan, RECORD_COLUMNS};
use crate::people::{Batch, WG_ITEMS};
use crate::world::{Config, World};

/// What a run wrote.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub people: u64,
    pub families: u64,
    pub desil1_families: u64,
    pub desa: usize,
    pub linkage_records: u64,
    /// Scale of the world the linkage records come from (bigger than `--scale` when needed).
    pub linkage_scale: Option<f64>,
    /// How the linkage records were split into the register and the partner lists
    /// (`linkage/mitra/`).
    pub partner_lists: Option<crate::partners::PartnerCounts>,
    pub programs: usize,
    /// Rows over all beneficiary lists.
    pub beneficiaries: u64,
    /// Children in the Tunas Negeri list (NTB only; 40 unless the world is tiny).
    pub tunas_negeri: usize,
    /// Files written, relative to the output folder, in writing order.
    pub files: Vec<String>,
    pub elapsed: Duration,
}

/// Files in progress: temporary names, renamed together by [`Files::commit`].
pub(crate) struct Files {
    dir: PathBuf,
    pending: Vec<(PathBuf, PathBuf, String)>,
}

impl Files {
    pub(crate) fn new(dir: &Path) -> Result<Files, SynthError> {
        std::fs::create_dir_all(dir).map_err(|source| SynthError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        Ok(Files {
            dir: dir.to_path_buf(),
            pending: Vec::new(),
        })
    }

    /// Opens `relative` (e.g. `linkage/records.csv`) under a temporary name.
    pub(crate) fn create(&mut self, relative: &str) -> Result<Out, SynthError> {
        self.create_with(relative, 1 << 20)
    }

    /// Like [`Files::create`] with a smaller buffer, for the many small lists.
    pub(crate) fn create_with(&mut self, relative: &str, buffer: usize) -> Result<Out, SynthError> {
        let target = self.dir.join(relative);
        let parent = target.parent().unwrap_or(&self.dir).to_path_buf();
        std::fs::create_dir_all(&parent).map_err(|source| SynthError::Io {
            path: parent.clone(),
            source,
        })?;
        let name = target
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = parent.join(format!(".{name}.{}.tmp", std::process::id()));
        let file = File::create(&tmp).map_err(|source| SynthError::Io {
            path: tmp.clone(),
            source,
        })?;
        self.pending
            .push((tmp.clone(), target.clone(), relative.to_string()));
        Ok(Out {
            path: target,
            inner: BufWriter::with_capacity(buffer, file),
        })
    }

    /// The temporary path of a file already created (to read it back, e.g. for XLSX).
    pub(crate) fn tmp_of(&self, relative: &str) -> Option<&Path> {
        self.pending
            .iter()
            .find(|p| p.2 == relative)
            .map(|p| p.0.as_path())
    }

    pub(crate) fn commit(mut self) -> Result<Vec<String>, SynthError> {
        let pending = std::mem::take(&mut self.pending);
        let mut names = Vec::new();
        for (tmp, target, relative) in pending {
            std::fs::rename(&tmp, &target).map_err(|source| SynthError::Io {
                path: target.clone(),
                source,
            })?;
            names.push(relative);
        }
        Ok(names)
    }
}

impl Drop for Files {
    fn drop(&mut self) {
        for (tmp, _, _) in &self.pending {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

/// A buffered file that reports errors with its final path.
pub(crate) struct Out {
    path: PathBuf,
    inner: BufWriter<File>,
}

impl Out {
    pub(crate) fn write(&mut self, bytes: &[u8]) -> Result<(), SynthError> {
        self.inner
            .write_all(bytes)
            .map_err(|source| SynthError::Io {
                path: self.path.clone(),
                source,
            })
    }

    /// Copies everything from `reader` to the end of this file.
    pub(crate) fn append(&mut self, reader: &mut impl std::io::Read) -> Result<(), SynthError> {
        std::io::copy(reader, &mut self.inner)
            .map(|_| ())
            .map_err(|source| SynthError::Io {
                path: self.path.clone(),
                source,
            })
    }

    pub(crate) fn line(&mut self, fields: &[&str]) -> Result<(), SynthError> {
        let mut buf = Vec::with_capacity(128);
        push_row(&mut buf, fields);
        self.write(&buf)
    }

    pub(crate) fn finish(mut self) -> Result<(), SynthError> {
        self.inner.flush().map_err(|source| SynthError::Io {
            path: self.path.clone(),
            source,
        })?;
        Ok(())
    }
}

/// Borrowed cells of an owned row, for [`push_row`].
pub fn as_strs(row: &[String]) -> Vec<&str> {
    row.iter().map(String::as_str).collect()
}

/// Appends one CSV row (RFC 4180 quoting where needed) to `buf`.
pub fn push_row(buf: &mut Vec<u8>, fields: &[&str]) {
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            buf.push(b',');
        }
        if f.bytes().any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r')) {
            buf.push(b'"');
            buf.extend_from_slice(f.replace('"', "\"\"").as_bytes());
            buf.push(b'"');
        } else {
            buf.extend_from_slice(f.as_bytes());
        }
    }
    buf.push(b'\n');
}

pub const PEOPLE_COLUMNS: [&str; 19] = [
    "id_orang",
    "nik",
    "no_kk",
    "nama",
    "jenis_kelamin",
    "tanggal_lahir",
    "hubungan_keluarga",
    "status_kawin",
    "umur_kawin_pertama",
    "partisipasi_sekolah",
    WG_ITEMS[0],
    WG_ITEMS[1],
    WG_ITEMS[2],
    WG_ITEMS[3],
    WG_ITEMS[4],
    WG_ITEMS[5],
    "disabilitas",
    "kode_kecamatan_nik",
    "kode_desa",
];

pub const FAMILY_COLUMNS: [&str; 8] = [
    "no_kk",
    "kode_desa",
    "nik_kepala_keluarga",
    "jumlah_anggota",
    "desil",
    "periode_dtsen",
    "tanggal_terbit_kk",
    "no_kk_lama",
];

/// The CSV rows of a batch: people and families.
pub fn encode_batch(world: &World, batch: &Batch) -> (Vec<u8>, Vec<u8>) {
    let mut people = Vec::with_capacity(batch.families.len() * 400);
    let mut families = Vec::with_capacity(batch.families.len() * 90);
    let mut itoa = String::new();
    for f in &batch.families {
        let desa = world.desa[f.desa].code.as_str();
        let head = f.members.first().map_or("", |p| p.nik.as_str());
        let size = f.members.len().to_string();
        let desil = f.desil.to_string();
        let issued = f.kk_issued.format("%Y-%m-%d").to_string();
        push_row(
            &mut families,
            &[
                &f.no_kk,
                desa,
                head,
                &size,
                &desil,
                f.dtsen_period,
                &issued,
                f.old_no_kk.as_deref().unwrap_or(""),
            ],
        );
        for p in &f.members {
            use std::fmt::Write as _;
            itoa.clear();
            let _ = write!(itoa, "{}", p.id);
            let birth = p.birth_date.format("%Y-%m-%d").to_string();
            let afm = p
                .age_first_marriage
                .map(|a| a.to_string())
                .unwrap_or_default();
            let wg: [String; 6] = match p.wg {
                Some(w) => w.map(|x| x.to_string()),
                None => Default::default(),
            };
            let disability = match p.wg {
                Some(_) if p.has_disability() => "ya",
                Some(_) => "tidak",
                None => "",
            };
            let nik_kec = format!("{}.{}.{}", &p.nik[0..2], &p.nik[2..4], &p.nik[4..6]);
            push_row(
                &mut people,
                &[
                    &itoa,
                    &p.nik,
                    &f.no_kk,
                    &p.name,
                    linkage::sex_code(p.sex),
                    &birth,
                    p.relationship.key(),
                    p.marital.key(),
                    &afm,
                    p.school.map_or("", |s| s.key()),
                    &wg[0],
                    &wg[1],
                    &wg[2],
                    &wg[3],
                    &wg[4],
                    &wg[5],
                    disability,
                    &nik_kec,
                    desa,
                ],
            );
        }
    }
    (people, families)
}

fn encode_drawn(plan: &LinkagePlan, drawn: &[Drawn]) -> (Vec<u8>, Vec<u8>) {
    let mut records = Vec::with_capacity(drawn.len() * 110);
    let mut truth = Vec::with_capacity(drawn.len() * 20);
    for d in drawn {
        let id = plan.id(d.position).to_string();
        let [nik, name, sex, birth, kk, desa] = d.record.fields();
        push_row(&mut records, &[&id, nik, name, sex, birth, kk, desa]);
        push_row(&mut truth, &[&id, &d.person_id.to_string()]);
    }
    (records, truth)
}

/// Linkage output in progress: distinct people stream straight to the files, copies to
/// side files appended at the end (so a person's copies are not next to them).
struct LinkageFiles {
    records: Out,
    truth: Out,
    copy_records: Out,
    copy_truth: Out,
}

impl LinkageFiles {
    fn open(files: &mut Files) -> Result<LinkageFiles, SynthError> {
        let mut records = files.create("linkage/records.csv")?;
        records.line(&RECORD_COLUMNS)?;
        let mut truth = files.create("linkage/truth.csv")?;
        truth.line(&["id", "person_id"])?;
        Ok(LinkageFiles {
            records,
            truth,
            copy_records: files.create("linkage/.copies.csv")?,
            copy_truth: files.create("linkage/.copies_truth.csv")?,
        })
    }

    fn add(
        &mut self,
        plan: &LinkagePlan,
        originals: &[Drawn],
        copies: &[Drawn],
    ) -> Result<(), SynthError> {
        let (r, t) = encode_drawn(plan, originals);
        self.records.write(&r)?;
        self.truth.write(&t)?;
        let (r, t) = encode_drawn(plan, copies);
        self.copy_records.write(&r)?;
        self.copy_truth.write(&t)
    }

    fn finish(self, files: &mut Files) -> Result<(), SynthError> {
        let LinkageFiles {
            mut records,
            mut truth,
            copy_records,
            copy_truth,
        } = self;
        copy_records.finish()?;
        copy_truth.finish()?;
        for (out, side) in [
            (&mut records, "linkage/.copies.csv"),
            (&mut truth, "linkage/.copies_truth.csv"),
        ] {
            let path = files
                .tmp_of(side)
                .map(Path::to_path_buf)
                .unwrap_or_default();
            // Streamed, not read whole: the copies of 5 M records are ~75 MB.
            let mut side = File::open(&path).map_err(|source| SynthError::Io {
                path: path.clone(),
                source,
            })?;
            out.append(&mut side)?;
            let _ = std::fs::remove_file(&path);
        }
        files.pending.retain(|p| !p.2.starts_with("linkage/."));
        records.finish()?;
        truth.finish()
    }
}

/// Generates the world of `config` into `out_dir`; with `linkage`, also that many linkage
/// records. Returns what was written.
pub fn write_world(
    config: &Config,
    out_dir: &Path,
    linkage: Option<u64>,
) -> Result<Summary, SynthError> {
    let started = Instant::now();
    let world = World::plan(config)?;
    let mut files = Files::new(out_dir)?;
    let mut people_out = files.create("penduduk.csv")?;
    people_out.line(&PEOPLE_COLUMNS)?;
    let mut family_out = files.create("keluarga.csv")?;
    family_out.line(&FAMILY_COLUMNS)?;

    let mut summary = Summary {
        people: world.people(),
        families: world.families(),
        desil1_families: world.desil1(),
        desa: world.desa.len(),
        ..Summary::default()
    };

    // Linkage records come from this world when it has enough people, else from a bigger one.
    let link_world = match linkage {
        Some(n) if n > 0 => {
            let scale = linkage::linkage_scale(config, world.people(), n)?;
            summary.linkage_records = n;
            summary.linkage_scale = Some(scale);
            if (scale - config.scale).abs() < f64::EPSILON {
                None
            } else {
                Some(World::plan(&Config {
                    scale,
                    ..config.clone()
                })?)
            }
        }
        _ => None,
    };
    let same_world_plan = match (linkage, &link_world) {
        (Some(n), None) if n > 0 => Some(LinkagePlan::new(&world, n)),
        _ => None,
    };
    let mut link_files = match linkage {
        Some(n) if n > 0 => Some(LinkageFiles::open(&mut files)?),
        _ => None,
    };

    let partners = institutions::partners(&world);
    let programs = institutions::programs(&world, &partners);
    let by_desa = institutions::programs_by_desa(&programs);
    let mut lists = Vec::with_capacity(programs.len());
    for p in &programs {
        let mut out = files.create_with(&format!("penerima/{}.csv", p.id), 64 << 10)?;
        out.line(&record_header(&LIST_EXTRA_COLUMNS))?;
        lists.push((out, 0u64));
    }
    let mut list_truth = files.create("penerima/kebenaran.csv")?;
    list_truth.line(&["daftar", "id", "person_id"])?;
    let mut tally = Tally::new(&world);
    let mut scholars = Vec::new();

    let mut failure: Option<SynthError> = None;
    world.for_each_batch(
        |batch| {
            let (people, families) = encode_batch(&world, &batch);
            let drawn = same_world_plan
                .as_ref()
                .map(|plan| linkage::draw_batch(&world, plan, &batch));
            let listed = institutions::beneficiaries(&world, &programs, &by_desa, &batch);
            let tunas = institutions::tunas_negeri(&world, &batch);
            let counts = Tally::count(&world, &batch);
            (people, families, drawn, listed, tunas, counts)
        },
        |(people, families, drawn, listed, tunas, counts)| {
            if failure.is_some() {
                return;
            }
            tally.add(counts);
            scholars.extend(tunas);
            let step = || -> Result<(), SynthError> {
                people_out.write(&people)?;
                family_out.write(&families)?;
                if let (Some(lf), Some((o, c)), Some(plan)) =
                    (link_files.as_mut(), drawn, same_world_plan.as_ref())
                {
                    lf.add(plan, &o, &c)?;
                }
                for b in listed {
                    let program = &programs[b.program];
                    let (out, next) = &mut lists[b.program];
                    *next += 1;
                    out.line(&as_strs(&b.csv_row(*next, program)))?;
                    list_truth.line(&[&program.id, &next.to_string(), &b.person_id.to_string()])?;
                }
                Ok(())
            };
            if let Err(e) = step() {
                failure = Some(e);
            }
        },
    );
    if let Some(e) = failure {
        return Err(e);
    }
    if let (Some(lw), Some(n)) = (&link_world, linkage) {
        let plan = LinkagePlan::new(lw, n);
        let lf = link_files.as_mut().expect("opened with linkage");
        let mut failure = None;
        lw.for_each_batch(
            |batch| linkage::draw_batch(lw, &plan, &batch),
            |(o, c)| {
                if failure.is_none()
                    && let Err(e) = lf.add(&plan, &o, &c)
                {
                    failure = Some(e);
                }
            },
        );
        if let Some(e) = failure {
            return Err(e);
        }
    }
    people_out.finish()?;
    family_out.finish()?;
    if let Some(lf) = link_files {
        lf.finish(&mut files)?;
        let lw = link_world.as_ref().unwrap_or(&world);
        summary.partner_lists = Some(crate::partners::write(&mut files, lw, config.seed)?);
    }
    summary.beneficiaries = lists.iter().map(|l| l.1).sum();
    for (out, _) in lists {
        out.finish()?;
    }
    if world.facts.code == "52" {
        let mut out = files.create("tunas_negeri.csv")?;
        out.line(&record_header(&TUNAS_EXTRA_COLUMNS))?;
        for (i, s) in scholars.iter().enumerate() {
            let id = (i + 1).to_string();
            out.line(&as_strs(&s.csv_row(i + 1)))?;
            list_truth.line(&["tunas_negeri", &id, &s.person_id.to_string()])?;
        }
        out.finish()?;
        summary.tunas_negeri = scholars.len();
        write_strategy(&mut files)?;
    }
    list_truth.finish()?;
    tally.write(&world, &mut files)?;
    write_organisations(&world, &partners, &programs, &mut files)?;
    summary.programs = programs.len();
    for name in PARTNER_FACING {
        let lists_of = |prefix: &str| -> Vec<String> {
            programs
                .iter()
                .map(|p| format!("{prefix}{}.csv", p.id))
                .collect()
        };
        let names = if name == "penerima/" {
            lists_of(name)
        } else {
            vec![name.to_string()]
        };
        for csv_name in names {
            if files.tmp_of(&csv_name).is_some() {
                crate::xlsx::copy_csv(&mut files, &csv_name)?;
            }
        }
    }
    summary.files = files.commit()?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}

/// Files partners would open in a spreadsheet: written as XLSX copies too.
/// `penerima/` stands for every beneficiary list.
const PARTNER_FACING: [&str; 5] = [
    "program.csv",
    "mitra.csv",
    "lks.csv",
    "tunas_negeri.csv",
    "penerima/",
];

/// Extra columns of the beneficiary lists and of the Tunas Negeri list, after the linkage
/// record columns.
pub const LIST_EXTRA_COLUMNS: [&str; 2] = ["tanggal_terima", "nilai_bantuan_rp"];
pub const TUNAS_EXTRA_COLUMNS: [&str; 4] = ["sekolah", "jenjang", "kelas", "desil"];

fn record_header<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    RECORD_COLUMNS
        .iter()
        .copied()
        .chain(extra.iter().copied())
        .collect()
}

/// Counts gathered while the people stream past: desil per desa, child marriage per kab/kota.
/// Also used by the demo loader, so the database holds the same figures as the files.
pub struct Tally {
    /// Families per desil (index 0 = Desil I), per desa in [`World::desa`] order.
    pub desil: Vec<[u32; 10]>,
    /// Per kab/kota: women 20–24, of whom married before 18.
    pub child_marriage: Vec<(u32, u32)>,
    /// People per PPKS proxy of [`PPKS_PROXIES`], per desa in [`World::desa`] order.
    pub ppks: Vec<[u32; PPKS_PROXIES.len()]>,
    /// Per kab/kota: members of Desil I–IV families by group, in
    /// [`sinergi_core::groups::grid_groups`] order (sex, then disability, then age band).
    pub groups: Vec<[u32; 12]>,
}

/// A person's box in [`sinergi_core::groups::grid_groups`] order.
fn group_index(p: &crate::people::Person) -> usize {
    let sex = usize::from(p.sex == sinergi_core::Sex::Female);
    let disability = usize::from(!p.has_disability());
    let age = match p.age() {
        0..=17 => 0,
        18..=59 => 1,
        _ => 2,
    };
    sex * 6 + disability * 3 + age
}

/// PPKS categories the synthetic register can stand in for, by what it records of a person:
/// (PPKS slug, how the register decides it). The demo's PPKS counts per desa come from these;
/// they are synthetic proxies, never official PPKS data.
pub const PPKS_PROXIES: [(&str, &str); 4] = [
    (
        "anak_dengan_kedisabilitasan",
        "di bawah 18 tahun dengan disabilitas (Washington Group), keluarga Desil I–IV",
    ),
    (
        "penyandang_disabilitas",
        "18 tahun ke atas dengan disabilitas (Washington Group), keluarga Desil I–IV",
    ),
    (
        "lanjut_usia_terlantar",
        "60 tahun ke atas, keluarga Desil I",
    ),
    (
        "anak_terlantar",
        "7–17 tahun tidak bersekolah, keluarga Desil I",
    ),
];

/// Which [`PPKS_PROXIES`] a person of a family in `desil` counts for.
fn ppks_proxies(p: &crate::people::Person, desil: u8) -> [bool; PPKS_PROXIES.len()] {
    let age = p.age();
    let disabled = p.has_disability() && desil <= 4;
    [
        disabled && age < 18,
        disabled && age >= 18,
        desil == 1 && age >= 60,
        desil == 1
            && (7..=17).contains(&age)
            && matches!(
                p.school,
                Some(crate::people::School::Left | crate::people::School::Never)
            ),
    ]
}

/// One batch's share of a [`Tally`]; counted on worker threads.
pub struct BatchCounts {
    desil: Vec<(usize, [u32; 10])>,
    ppks: Vec<(usize, [u32; PPKS_PROXIES.len()])>,
    kabkota: usize,
    women: u32,
    child_married: u32,
    groups: [u32; 12],
}

/// One row of `indikator_wilayah.csv`: a figure for a province or kab/kota with its source.
#[derive(Debug, Clone, PartialEq)]
pub struct Indicator {
    pub region: String,
    pub region_name: String,
    pub indicator: &'static str,
    pub period: String,
    pub value: f64,
    /// Decimals the CSV shows (0 for counts, 2 for percentages).
    pub decimals: usize,
    pub unit: &'static str,
    pub source: String,
    /// `survei` or `administratif`.
    pub kind: &'static str,
    pub estimated: bool,
    pub note: &'static str,
}

/// Source text of the synthetic Desil counts (DTSEN period 2025-Q3).
pub fn desil_source(world: &World) -> String {
    format!(
        "DTSEN 2025-Q3 (dunia sintetis Sinergi, skala {}, benih {})",
        world.config.scale, world.config.seed
    )
}

impl Tally {
    pub fn new(world: &World) -> Tally {
        Tally {
            desil: vec![[0; 10]; world.desa.len()],
            child_marriage: vec![(0, 0); world.kabkota.len()],
            ppks: vec![[0; PPKS_PROXIES.len()]; world.desa.len()],
            groups: vec![[0; 12]; world.kabkota.len()],
        }
    }

    pub fn count(world: &World, batch: &Batch) -> BatchCounts {
        let mut desil: Vec<(usize, [u32; 10])> = Vec::new();
        let mut ppks: Vec<(usize, [u32; PPKS_PROXIES.len()])> = Vec::new();
        let (mut women, mut child_married) = (0, 0);
        let mut groups = [0u32; 12];
        for f in &batch.families {
            if desil.last().is_none_or(|d| d.0 != f.desa) {
                desil.push((f.desa, [0; 10]));
                ppks.push((f.desa, [0; PPKS_PROXIES.len()]));
            }
            if let Some(last) = desil.last_mut() {
                last.1[usize::from(f.desil - 1)] += 1;
            }
            for p in &f.members {
                if f.desil <= 4 {
                    groups[group_index(p)] += 1;
                }
                if let Some(last) = ppks.last_mut() {
                    for (n, yes) in last.1.iter_mut().zip(ppks_proxies(p, f.desil)) {
                        *n += u32::from(yes);
                    }
                }
                if p.sex == sinergi_core::Sex::Female && (20..=24).contains(&p.age()) {
                    women += 1;
                    if p.age_first_marriage.is_some_and(|a| a < 18) {
                        child_married += 1;
                    }
                }
            }
        }
        BatchCounts {
            desil,
            ppks,
            kabkota: world.kecamatan[batch.kecamatan].kabkota,
            women,
            child_married,
            groups,
        }
    }

    pub fn add(&mut self, c: BatchCounts) {
        for (d, counts) in c.desil {
            self.desil[d] = counts;
        }
        for (d, counts) in c.ppks {
            self.ppks[d] = counts;
        }
        let k = &mut self.child_marriage[c.kabkota];
        k.0 += c.women;
        k.1 += c.child_married;
        for (n, add) in self.groups[c.kabkota].iter_mut().zip(c.groups) {
            *n += add;
        }
    }

    /// The figures of `indikator_wilayah.csv`, in file order.
    pub fn indicators(&self, world: &World) -> Vec<Indicator> {
        let source = desil_source(world);
        let p = world.facts;
        let mut out = Vec::new();
        let mut regions: Vec<(&str, &str, f64, bool)> =
            vec![(p.code, p.name, p.poverty_pct, p.poverty_estimated)];
        regions.extend(
            p.kabkota
                .iter()
                .map(|k| (k.code, k.name, k.poverty_pct, k.poverty_estimated)),
        );
        let row = |region: &str,
                   name: &str,
                   indicator: &'static str,
                   period: &str,
                   value: f64,
                   decimals: usize,
                   unit: &'static str,
                   source: &str,
                   kind: &'static str,
                   estimated: bool,
                   note: &'static str| Indicator {
            region: region.to_string(),
            region_name: name.to_string(),
            indicator,
            period: period.to_string(),
            value,
            decimals,
            unit,
            source: source.to_string(),
            kind,
            estimated,
            note,
        };
        for (i, (code, name, poverty, estimated)) in regions.iter().enumerate() {
            let note = if *estimated {
                "nilai kab/kota tidak ditemukan di sumber: memakai nilai provinsi atau batas bawah + 0,5"
            } else {
                ""
            };
            out.push(row(
                code,
                name,
                "kemiskinan_p0",
                "2024-03",
                *poverty,
                2,
                "persen",
                "BPS Susenas Maret 2024",
                "survei",
                *estimated,
                note,
            ));
            let (desil1, women, married) = if i == 0 {
                let women: u32 = self.child_marriage.iter().map(|c| c.0).sum();
                let married: u32 = self.child_marriage.iter().map(|c| c.1).sum();
                (world.desil1(), women, married)
            } else {
                let c = self.child_marriage[i - 1];
                (world.kabkota[i - 1].desil1, c.0, c.1)
            };
            out.push(row(
                code,
                name,
                "keluarga_desil_1",
                "2025-Q3",
                desil1 as f64,
                0,
                "keluarga",
                &source,
                "administratif",
                true,
                "dikalibrasi ke DTSEN 2025 dan P0 kab/kota",
            ));
            if women > 0 {
                let share = f64::from(married) / f64::from(women) * 100.0;
                out.push(row(
                    code,
                    name,
                    "perkawinan_anak",
                    "2025",
                    share,
                    2,
                    "persen",
                    "register penduduk sintetis Sinergi",
                    "administratif",
                    true,
                    "perempuan 20–24 tahun yang kawin sebelum 18 tahun, dari register sintetis",
                ));
            }
        }
        if let Some(d1) = p.desil1_families {
            out.push(row(
                p.code,
                p.name,
                "keluarga_desil_1",
                "2025",
                f64::from(d1),
                0,
                "keluarga",
                "DTSEN 2025",
                "administratif",
                false,
                "",
            ));
        }
        let name_of = |code: &str| -> String {
            if code == "ID" {
                "Indonesia".to_string()
            } else if code == p.code {
                p.name.to_string()
            } else {
                p.kabkota
                    .iter()
                    .find(|k| k.code == code)
                    .map_or(String::new(), |k| k.name.to_string())
            }
        };
        for f in crate::facts::FIGURES.iter().filter(|f| {
            f.region == "ID" || f.region == p.code || f.region.starts_with(&format!("{}.", p.code))
        }) {
            out.push(Indicator {
                unit: f.unit,
                ..row(
                    f.region,
                    &name_of(f.region),
                    f.indicator,
                    f.period,
                    f.value,
                    2,
                    "persen",
                    f.source,
                    f.kind,
                    false,
                    f.note,
                )
            });
        }
        out
    }

    /// `agregat_desil_desa.csv` and `indikator_wilayah.csv`.
    fn write(&self, world: &World, files: &mut Files) -> Result<(), SynthError> {
        let source = desil_source(world);
        let mut out = files.create("agregat_desil_desa.csv")?;
        let mut header = vec!["kode_desa", "nama_desa", "periode_dtsen", "jumlah_keluarga"];
        let names: Vec<String> = (1..=10).map(|d| format!("desil_{d}")).collect();
        header.extend(names.iter().map(String::as_str));
        header.extend(["sumber", "jenis"]);
        out.line(&header)?;
        for (d, counts) in world.desa.iter().zip(&self.desil) {
            let total = counts.iter().sum::<u32>().to_string();
            let cells: Vec<String> = counts.iter().map(u32::to_string).collect();
            let mut row: Vec<&str> = vec![&d.code, &d.name, "2025-Q3", &total];
            row.extend(cells.iter().map(String::as_str));
            row.extend([source.as_str(), "administratif"]);
            out.line(&row)?;
        }
        out.finish()?;

        let mut out = files.create("indikator_wilayah.csv")?;
        out.line(&[
            "kode_wilayah",
            "nama_wilayah",
            "indikator",
            "periode",
            "nilai",
            "satuan",
            "sumber",
            "jenis",
            "estimasi",
            "catatan",
        ])?;
        for i in self.indicators(world) {
            out.line(&[
                &i.region,
                &i.region_name,
                i.indicator,
                &i.period,
                &format!("{:.*}", i.decimals, i.value),
                i.unit,
                &i.source,
                i.kind,
                if i.estimated { "ya" } else { "tidak" },
                i.note,
            ])?;
        }
        out.finish()
    }
}

fn date_or_empty(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// `lkks.csv`, `lks.csv`, `mitra.csv`, `program.csv`, `program_lokasi.csv`.
fn write_organisations(
    world: &World,
    partners: &[institutions::Partner],
    programs: &[Program],
    files: &mut Files,
) -> Result<(), SynthError> {
    let mut out = files.create("lkks.csv")?;
    out.line(&[
        "kode_wilayah",
        "nama_wilayah",
        "nama_lembaga",
        "tingkat",
        "status_pembentukan",
        "nomor_sk",
        "tanggal_sk",
        "masa_bakti_mulai",
        "masa_bakti_selesai",
        "ketua_umum",
        "ketua_harian",
    ])?;
    for l in institutions::lkks_network(world) {
        let (from, to) = (
            date_or_empty(l.term.map(|t| t.0)),
            date_or_empty(l.term.map(|t| t.1)),
        );
        out.line(&[
            &l.region,
            &l.region_name,
            &l.name,
            l.level,
            l.status,
            &l.decree,
            &date_or_empty(l.decree_date),
            &from,
            &to,
            &l.chair,
            &l.daily_chair,
        ])?;
    }
    out.finish()?;

    let mut out = files.create("lks.csv")?;
    out.line(&[
        "id_lks",
        "nama_lks",
        "kode_desa",
        "layanan_ppks",
        "nomor_tanda_daftar",
        "tanggal_daftar",
        "akreditasi",
        "tanggal_akreditasi",
        "akreditasi_berlaku_sampai",
        "kapasitas",
        "jumlah_klien",
    ])?;
    for l in institutions::lks_registry(world) {
        let services: Vec<&str> = l.services.iter().map(|s| s.slug()).collect();
        out.line(&[
            &l.id,
            &l.name,
            &l.desa,
            &services.join(";"),
            &l.registration,
            &l.registered.format("%Y-%m-%d").to_string(),
            l.grade,
            &date_or_empty(l.accredited),
            &date_or_empty(l.accreditation_until),
            &l.capacity.to_string(),
            &l.clients.to_string(),
        ])?;
    }
    out.finish()?;

    let mut out = files.create("mitra.csv")?;
    out.line(&[
        "id_mitra",
        "nama_mitra",
        "peran_pentahelix",
        "jenis",
        "kode_wilayah",
    ])?;
    for p in partners {
        out.line(&[&p.id, &p.name, p.helix, p.kind, &p.region])?;
    }
    out.finish()?;

    let mut out = files.create("program.csv")?;
    out.line(&[
        "id_program",
        "id_mitra",
        "nama_program",
        "sektor",
        "ppks_sasaran",
        "kelompok_sasaran",
        "desil_min",
        "desil_maks",
        "jenis_bantuan",
        "tanggal_mulai",
        "tanggal_selesai",
        "anggaran_rp",
        "sumber_dana",
        "nilai_per_penerima_rp",
        "target_penerima",
        "jumlah_desa",
    ])?;
    for p in programs {
        out.line(&[
            &p.id,
            &p.partner,
            &p.name,
            p.sector,
            p.ppks.slug(),
            p.target.key(),
            &p.desil.0.to_string(),
            &p.desil.1.to_string(),
            p.aid,
            &p.start.format("%Y-%m-%d").to_string(),
            &p.end.format("%Y-%m-%d").to_string(),
            &p.budget_rp.to_string(),
            p.funding,
            &p.aid_per_person_rp.to_string(),
            &p.planned().to_string(),
            &p.locations.len().to_string(),
        ])?;
    }
    out.finish()?;

    let mut out = files.create("program_lokasi.csv")?;
    out.line(&["id_program", "kode_desa", "target_penerima"])?;
    for p in programs {
        for &(d, n) in &p.locations {
            out.line(&[&p.id, &world.desa[d].code, &n.to_string()])?;
        }
    }
    out.finish()
}

/// `strategi.csv`, `strategi_sasaran.csv`, `strategi_indikator.csv` (NTB).
fn write_strategy(files: &mut Files) -> Result<(), SynthError> {
    let mut out = files.create("strategi.csv")?;
    out.line(&["judul", "periode_mulai", "periode_selesai", "visi"])?;
    out.line(&[
        institutions::STRATEGY_TITLE,
        "2025",
        "2030",
        institutions::STRATEGY_VISION,
    ])?;
    out.finish()?;
    let mut out = files.create("strategi_sasaran.csv")?;
    out.line(&["kode_sasaran", "sasaran_strategis"])?;
    for (code, text) in institutions::OBJECTIVES {
        out.line(&[code, text])?;
    }
    out.finish()?;
    let mut out = files.create("strategi_indikator.csv")?;
    let mut header = vec![
        "kode_sasaran",
        "kode_indikator",
        "indikator",
        "definisi",
        "satuan",
        "arah",
        "tahun_baseline",
        "baseline",
        "sumber_baseline",
        "jenis_sumber",
    ];
    let years: Vec<String> = (2025..=2030).map(|y| format!("target_{y}")).collect();
    header.extend(years.iter().map(String::as_str));
    header.push("penanggung_jawab");
    out.line(&header)?;
    let num = |v: Option<f64>| {
        v.map(|v| {
            if v.fract() == 0.0 {
                format!("{v:.0}")
            } else {
                format!("{v}")
            }
        })
        .unwrap_or_default()
    };
    for i in institutions::ntb_strategy() {
        let targets: Vec<String> = i.targets.iter().map(|t| num(*t)).collect();
        let baseline = num(i.baseline);
        let mut row: Vec<&str> = vec![
            i.objective,
            i.code,
            i.name,
            i.definition,
            i.unit,
            i.direction,
            i.baseline_year,
            &baseline,
            i.source,
            i.source_kind,
        ];
        row.extend(targets.iter().map(String::as_str));
        row.push(i.responsible);
        out.line(&row)?;
    }
    out.finish()
}
