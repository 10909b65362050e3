//! Writing a world to a folder: every file goes to a temporary name in the target folder and
//! is renamed only when all files are complete, so a failed run leaves the old files intact.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::SynthError;
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
            tmp,
            inner: BufWriter::with_capacity(1 << 20, file),
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
    tmp: PathBuf,
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
        let _ = &self.tmp;
        Ok(())
    }
}

/// Appends one CSV row (RFC 4180 quoting where needed) to `buf`.
pub(crate) fn push_row(buf: &mut Vec<u8>, fields: &[&str]) {
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
            let bytes = std::fs::read(&path).map_err(|source| SynthError::Io {
                path: path.clone(),
                source,
            })?;
            out.write(&bytes)?;
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

    let mut failure: Option<SynthError> = None;
    world.for_each_batch(
        |batch| {
            let (people, families) = encode_batch(&world, &batch);
            let drawn = same_world_plan
                .as_ref()
                .map(|plan| linkage::draw_batch(&world, plan, &batch));
            (people, families, drawn)
        },
        |(people, families, drawn)| {
            if failure.is_some() {
                return;
            }
            let step = || -> Result<(), SynthError> {
                people_out.write(&people)?;
                family_out.write(&families)?;
                if let (Some(lf), Some((o, c)), Some(plan)) =
                    (link_files.as_mut(), drawn, same_world_plan.as_ref())
                {
                    lf.add(plan, &o, &c)?;
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
    }
    summary.files = files.commit()?;
    summary.elapsed = started.elapsed();
    Ok(summary)
}
