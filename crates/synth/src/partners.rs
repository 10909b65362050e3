//! Partner lists as they come (`linkage/mitra/`): the linkage records split into a DTSEN-like
//! register and three partner lists, each in its own layout and with the further errors real
//! lists have, so that `sinergi link` is tried on files nobody prepared for it.
//!
//! - `register.csv`: `id,nik,nama,jenis_kelamin,tanggal_lahir,no_kk,kode_desa` (ids `R…`);
//! - `baznas.csv`: `No, Nama Mustahik, NIK, NO. KK, "Tempat, Tgl Lahir", JK, Desa, Kecamatan,
//!   Kabupaten`; no id column (records are numbered by line); NIK placeholders (`belum ada`,
//!   `-`, `0`, empty), the No. KK or another family member's (usually the head's) NIK in the
//!   NIK field, H./Hj. titles, Amaq/Inaq teknonyms, Lalu/Baiq dropped;
//! - `csr.csv`: `nama_lengkap, nik, jk, umur, desa, kecamatan, kabupaten_kota`; age only,
//!   scientific-notation NIKs, kabupaten aliases (Lotim, KSB, Loteng, Lobar);
//! - `lsm.csv`: `id_lsm, nama, nik, jenis_kelamin, tgl_lahir, no_kk, kode_wilayah`; dates
//!   DD/MM/YYYY or a year alone, `, S.Pd.` degrees, Muh./Moh., people who moved desa within
//!   their kecamatan, families that split their KK (a new number);
//! - `truth_register_<list>.csv`: `id,person_id` for the register's ids and the list's line
//!   numbers, for `sinergi link mitra/register.csv mitra/<list>.csv --kebenaran …`.
//!
//! The records already carry the errors of [`crate::linkage`] (typos, name variants,
//! transposed and Excel-damaged NIKs, day/month swaps, old KK numbers, 20 % copies). Ages
//! are counted at [`crate::reference_date`].

use std::collections::HashMap;
use std::path::Path;

use chrono::{Datelike, NaiveDate};
use rand::RngExt;

use crate::SynthError;
use crate::output::{Files, Out, push_row};
use crate::rng::{Rng, stream};
use crate::world::World;

/// Kabupaten names as partners shorten them.
const ALIASES: [(&str, &str); 4] = [
    ("52.03", "Lotim"),
    ("52.07", "KSB"),
    ("52.02", "Loteng"),
    ("52.01", "Lobar"),
];

/// How many records went to each list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PartnerCounts {
    pub register: u64,
    pub baznas: u64,
    pub csr: u64,
    pub lsm: u64,
}

/// Region names by dotted desa code, and the desa of each kecamatan.
struct Places<'w> {
    desa: HashMap<&'w str, (&'w str, &'w str, &'w str)>,
    by_kecamatan: HashMap<&'w str, Vec<&'w str>>,
}

impl<'w> Places<'w> {
    fn of(world: &'w World) -> Places<'w> {
        let mut desa = HashMap::new();
        let mut by_kecamatan: HashMap<&str, Vec<&str>> = HashMap::new();
        for kec in &world.kecamatan {
            let kab = world.kabkota[kec.kabkota].facts.name;
            for d in &world.desa[kec.desa.clone()] {
                desa.insert(d.code.as_str(), (kab, kec.name.as_str(), d.name.as_str()));
                by_kecamatan
                    .entry(kec.code.as_str())
                    .or_default()
                    .push(d.code.as_str());
            }
        }
        Places { desa, by_kecamatan }
    }
}

/// A full `YYYY-MM-DD` birth date, if the record has one.
fn birth(date: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()
}

/// Age in whole years at `on`.
fn age(born: NaiveDate, on: NaiveDate) -> i32 {
    on.year() - born.year() - i32::from((born.month(), born.day()) > (on.month(), on.day()))
}

fn adult(date: &str, on: NaiveDate) -> bool {
    birth(date).is_some_and(|b| age(b, on) >= 30)
}

struct Writers {
    register: Out,
    baznas: Out,
    csr: Out,
    lsm: Out,
    truth_register: Vec<u8>,
    truth: [Vec<u8>; 3],
}

/// Splits `linkage/records.csv` (already written, under its temporary name in `files`) into
/// the register and the three partner lists under `linkage/mitra/`.
pub(crate) fn write(
    files: &mut Files,
    world: &World,
    seed: u64,
) -> Result<PartnerCounts, SynthError> {
    let records = files
        .tmp_of("linkage/records.csv")
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let truth = files
        .tmp_of("linkage/truth.csv")
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let read = |path: &Path| -> Result<Vec<Vec<String>>, SynthError> {
        let io = |e: csv::Error| SynthError::Io {
            path: path.to_path_buf(),
            source: std::io::Error::other(e.to_string()),
        };
        let mut r = csv::Reader::from_path(path).map_err(io)?;
        r.records()
            .map(|row| row.map(|row| row.iter().map(str::to_string).collect()))
            .collect::<Result<_, _>>()
            .map_err(io)
    };
    let rows = read(&records)?;
    let people = read(&truth)?;
    let on = crate::reference_date();
    let places = Places::of(world);
    // The first NIK seen for each No. KK: usually the head of the family's.
    let mut family_nik: HashMap<&str, &str> = HashMap::new();
    for r in &rows {
        if r[5].len() == 16 && r[1].len() == 16 {
            family_nik.entry(r[5].as_str()).or_insert(r[1].as_str());
        }
    }
    let mut w = Writers {
        register: files.create("linkage/mitra/register.csv")?,
        baznas: files.create("linkage/mitra/baznas.csv")?,
        csr: files.create("linkage/mitra/csr.csv")?,
        lsm: files.create("linkage/mitra/lsm.csv")?,
        truth_register: Vec::new(),
        truth: Default::default(),
    };
    w.register.line(&[
        "id",
        "nik",
        "nama",
        "jenis_kelamin",
        "tanggal_lahir",
        "no_kk",
        "kode_desa",
    ])?;
    w.baznas.line(&[
        "No",
        "Nama Mustahik",
        "NIK",
        "NO. KK",
        "Tempat, Tgl Lahir",
        "JK",
        "Desa",
        "Kecamatan",
        "Kabupaten",
    ])?;
    w.csr.line(&[
        "nama_lengkap",
        "nik",
        "jk",
        "umur",
        "desa",
        "kecamatan",
        "kabupaten_kota",
    ])?;
    w.lsm.line(&[
        "id_lsm",
        "nama",
        "nik",
        "jenis_kelamin",
        "tgl_lahir",
        "no_kk",
        "kode_wilayah",
    ])?;
    let mut rng = stream(seed, "mitra", "linkage");
    let mut counts = PartnerCounts::default();
    let mut buf = Vec::with_capacity(1 << 16);
    for (r, p) in rows.iter().zip(&people) {
        let person = p[1].as_str();
        let [id, nik, nama, sex, date, kk, desa] = [
            r[0].as_str(),
            r[1].as_str(),
            r[2].as_str(),
            r[3].as_str(),
            r[4].as_str(),
            r[5].as_str(),
            r[6].as_str(),
        ];
        buf.clear();
        let which = rng.random_range(0..10u8);
        match which {
            0..=3 => {
                counts.register += 1;
                let rid = format!("R{id}");
                push_row(&mut buf, &[&rid, nik, nama, sex, date, kk, desa]);
                w.register.write(&buf)?;
                push_row(&mut w.truth_register, &[&rid, person]);
                continue;
            }
            4 | 5 => {
                counts.baznas += 1;
                let line = counts.baznas;
                let row = baznas(
                    &mut rng,
                    &places,
                    &family_nik,
                    on,
                    [nik, nama, sex, date, kk, desa],
                );
                let no = line.to_string();
                let mut cells = vec![no.as_str()];
                cells.extend(row.iter().map(String::as_str));
                push_row(&mut buf, &cells);
                w.baznas.write(&buf)?;
                push_row(&mut w.truth[0], &[&(line + 1).to_string(), person]);
            }
            6 | 7 => {
                counts.csr += 1;
                let row = csr(&mut rng, &places, on, [nik, nama, sex, date, desa]);
                push_row(
                    &mut buf,
                    &row.iter().map(String::as_str).collect::<Vec<_>>(),
                );
                w.csr.write(&buf)?;
                push_row(&mut w.truth[1], &[&(counts.csr + 1).to_string(), person]);
            }
            _ => {
                counts.lsm += 1;
                let row = lsm(&mut rng, &places, [id, nik, nama, sex, date, kk, desa]);
                push_row(
                    &mut buf,
                    &row.iter().map(String::as_str).collect::<Vec<_>>(),
                );
                w.lsm.write(&buf)?;
                push_row(&mut w.truth[2], &[&(counts.lsm + 1).to_string(), person]);
            }
        }
    }
    let Writers {
        register,
        baznas,
        csr,
        lsm,
        truth_register,
        truth,
    } = w;
    for out in [register, baznas, csr, lsm] {
        out.finish()?;
    }
    for (list, body) in ["baznas", "csr", "lsm"].iter().zip(truth) {
        let mut out = files.create(&format!("linkage/mitra/truth_register_{list}.csv"))?;
        out.line(&["id", "person_id"])?;
        out.write(&truth_register)?;
        out.write(&body)?;
        out.finish()?;
    }
    Ok(counts)
}

fn pick<'a>(rng: &mut Rng, options: &[&'a str]) -> &'a str {
    options[rng.random_range(0..options.len())]
}

/// Baznas: names of places, "Tempat, Tgl Lahir" in one cell, NIK placeholders and other
/// numbers in the NIK field, titles and teknonyms.
fn baznas(
    rng: &mut Rng,
    places: &Places<'_>,
    family_nik: &HashMap<&str, &str>,
    on: NaiveDate,
    [nik, nama, sex, date, kk, desa]: [&str; 6],
) -> Vec<String> {
    let u: f64 = rng.random();
    let nik = if u < 0.30 {
        pick(rng, &["belum ada", "-", "0", ""]).to_string()
    } else if u < 0.34 && !kk.is_empty() {
        kk.to_string() // the No. KK written in the NIK field
    } else if u < 0.37
        && let Some(head) = family_nik.get(kk).filter(|h| **h != nik)
    {
        head.to_string() // the head of the family's NIK
    } else {
        nik.to_string()
    };
    let mut nama = nama.to_string();
    if adult(date, on) && rng.random_bool(0.15) {
        nama = format!("{} {nama}", if sex == "L" { "H." } else { "Hj." });
    } else if adult(date, on) && rng.random_bool(0.05) {
        // Known by their child's name: "Amaq Rudi", "Inaq Rudi".
        let last = nama.rsplit(' ').next().unwrap_or("").to_string();
        nama = format!("{} {last}", if sex == "L" { "Amaq" } else { "Inaq" });
    } else if let Some(rest) = nama
        .strip_prefix("Lalu ")
        .or_else(|| nama.strip_prefix("Baiq "))
        && rng.random_bool(0.2)
    {
        nama = rest.to_string();
    }
    let (kab, kec, ds) = places.desa.get(desa).copied().unwrap_or(("", "", ""));
    let ttl = birth(date).map_or(String::new(), |d| {
        format!(
            "{}, {}",
            if kec.is_empty() { "Selong" } else { kec },
            d.format("%d-%m-%Y")
        )
    });
    vec![
        nama,
        nik,
        kk.to_string(),
        ttl,
        sex.to_string(),
        ds.to_string(),
        kec.to_string(),
        kab.to_string(),
    ]
}

/// CSR: age only, NIKs missing or in scientific notation, kabupaten aliases.
fn csr(
    rng: &mut Rng,
    places: &Places<'_>,
    on: NaiveDate,
    [nik, nama, sex, date, desa]: [&str; 5],
) -> Vec<String> {
    let nik = if rng.random_bool(0.20) {
        String::new()
    } else if nik.len() == 16 && rng.random_bool(0.10) {
        format!("{}.{}E+15", &nik[..1], &nik[1..6])
    } else {
        nik.to_string()
    };
    let (mut kab, kec, ds) = places.desa.get(desa).copied().unwrap_or(("", "", ""));
    if !kab.is_empty() && rng.random_bool(0.5) {
        kab = ALIASES
            .iter()
            .find(|(code, _)| desa.starts_with(code))
            .map_or(kab, |(_, alias)| alias);
    }
    let years = birth(date).map_or(String::new(), |b| age(b, on).to_string());
    let sex = match sex {
        "L" => "Laki-laki",
        "P" => "Perempuan",
        _ => "",
    };
    [nama, &nik, sex, &years, ds, kec, kab]
        .map(str::to_string)
        .to_vec()
}

/// NGO: a year alone for some dates, degrees and Muhammad spellings, moved desa, split KK.
fn lsm(
    rng: &mut Rng,
    places: &Places<'_>,
    [id, nik, nama, sex, date, kk, desa]: [&str; 7],
) -> Vec<String> {
    let nik = if rng.random_bool(0.25) { "" } else { nik };
    let mut nama = nama.to_string();
    if rng.random_bool(0.03) {
        nama.push_str(", S.Pd.");
    }
    if nama.contains("Muhammad ") {
        let spelling = pick(rng, &["Muh. ", "Moh. ", "Muhammad "]);
        nama = nama.replace("Muhammad ", spelling);
    }
    let tgl = match birth(date) {
        Some(d) if rng.random_bool(0.2) => d.year().to_string(),
        Some(d) => d.format("%d/%m/%Y").to_string(),
        None => String::new(),
    };
    let mut code = desa.to_string();
    if desa.len() == 13 && rng.random_bool(0.05) {
        // Moved to another desa of the same kecamatan.
        if let Some(others) = places.by_kecamatan.get(&desa[..8]) {
            code = others[rng.random_range(0..others.len())].to_string();
        }
    }
    let code = code.replace('.', "");
    let mut kk = kk.to_string();
    if kk.len() == 16 && rng.random_bool(0.05) {
        // A new KK after the family split.
        kk = format!("{}{:04}", &kk[..12], rng.random_range(0..10_000));
    }
    vec![
        format!("L{id}"),
        nama,
        nik.to_string(),
        sex.to_string(),
        tgl,
        kk,
        code,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_count_whole_years() {
        let on = NaiveDate::from_ymd_opt(2025, 9, 30).unwrap();
        let born = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(age(born("1980-09-30"), on), 45);
        assert_eq!(age(born("1980-10-01"), on), 44);
        assert!(adult("1990-01-01", on) && !adult("2000-01-01", on) && !adult("1990", on));
    }
}
