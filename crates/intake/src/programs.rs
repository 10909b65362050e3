//! The 4W spreadsheet partners fill in: one row per program location, the program's own
//! columns repeated (or left blank after its first row). Region names are matched to codes
//! (ambiguous names refused with the candidates, unknown ones with suggestions). A program
//! with any bad row is refused whole, every one of its rows listed; the others are accepted.

use sinergi_core::Msg;
use std::collections::BTreeMap;

use sinergi_core::program::{
    AidType, FundingSource, ProgramInput, ProgramLocation, ProgramStatus, Reached, Sector,
    SexTarget, TargetGroup, parse_date,
};
use sinergi_core::region_match::{PlaceNames, RegionNameIndex};
use sinergi_core::{DesilRange, Ppks, RegionCode, Table};

use crate::RowError;

/// The template's columns, in order, each with its instruction (the "Petunjuk" sheet).
pub const TEMPLATE_COLUMNS: [(&str, &str); 27] = [
    (
        "mitra",
        "Nama organisasi pemilik program persis seperti di Sinergi. Akun mitra boleh mengosongkannya (organisasi sendiri).",
    ),
    (
        "kode_program",
        "Kode program milik mitra (wajib). Unggah ulang dengan kode yang sama memperbarui program, tidak menggandakan.",
    ),
    (
        "nama_program",
        "Nama program (wajib pada baris pertama program).",
    ),
    (
        "sektor",
        "perlindungan_sosial, rehabilitasi_sosial, pemberdayaan_ekonomi, pendidikan, kesehatan, perumahan, perlindungan_anak, penanggulangan_bencana, lainnya",
    ),
    (
        "ppks",
        "Kategori PPKS sasaran: nomor 1–26, singkatan atau nama, dipisah titik koma (mis. 1; LUT).",
    ),
    (
        "jenis_bantuan",
        "tunai, barang, layanan, beasiswa, perumahan, pelatihan, pendampingan",
    ),
    (
        "sumber_dana",
        "apbn, apbd, apbdes, csr, zakat_infak_sedekah, filantropi, hibah, swadaya, lainnya",
    ),
    (
        "anggaran_rp",
        "Anggaran seluruh program dalam rupiah, angka saja (mis. 150000000).",
    ),
    ("mulai", "Tanggal mulai: TTTT-BB-HH atau HH/BB/TTTT."),
    ("selesai", "Tanggal selesai: TTTT-BB-HH atau HH/BB/TTTT."),
    ("status", "rencana, berjalan, selesai, dihentikan"),
    ("desil", "Rentang desil sasaran, mis. 1-4 (kosong = semua)."),
    (
        "usia",
        "Rentang usia sasaran, mis. 6-18 atau 60+ (kosong = semua).",
    ),
    ("jenis_kelamin", "semua, laki_laki, perempuan"),
    (
        "khusus_disabilitas",
        "ya jika hanya untuk penyandang disabilitas; kosong atau tidak jika bukan.",
    ),
    (
        "sasaran_program",
        "Jumlah penerima yang direncanakan seluruh program (kosong = jumlah sasaran_lokasi).",
    ),
    (
        "tercapai",
        "Jumlah penerima yang sudah dijangkau seluruh program.",
    ),
    ("tercapai_laki_laki", "Dari yang tercapai: laki-laki."),
    ("tercapai_perempuan", "Dari yang tercapai: perempuan."),
    (
        "tercapai_anak",
        "Dari yang tercapai: anak (di bawah 18 tahun).",
    ),
    (
        "tercapai_disabilitas",
        "Dari yang tercapai: penyandang disabilitas.",
    ),
    (
        "kabupaten_kota",
        "Nama kabupaten/kota lokasi, dengan awalan Kabupaten/Kota bila namanya kembar (Kota Bima, Kabupaten Bima).",
    ),
    (
        "kecamatan",
        "Nama kecamatan lokasi (wajib bila nama desa ada kembarannya).",
    ),
    (
        "desa",
        "Nama desa/kelurahan lokasi; kosong bila program berlaku untuk seluruh kecamatan atau kab/kota.",
    ),
    (
        "kode_wilayah",
        "Kode Kemendagri lokasi (mis. 52.03.05.2003); bila diisi, kolom nama wilayah tidak dipakai.",
    ),
    (
        "sasaran_lokasi",
        "Jumlah penerima yang direncanakan di lokasi ini.",
    ),
    (
        "tercapai_lokasi",
        "Jumlah penerima yang sudah dijangkau di lokasi ini.",
    ),
];

/// Programs read from a 4W sheet, with the lines each came from.
#[derive(Debug, Default)]
pub struct ProgramSheet {
    pub programs: Vec<(ProgramInput, Vec<u64>)>,
    pub rejected: Vec<RowError>,
    /// Rows refused (each program refused counts all its rows).
    pub rejected_rows: usize,
}

struct Row<'a> {
    line: u64,
    get: Box<dyn Fn(&str) -> &'a str + 'a>,
}

fn number(v: &str, column: &'static str) -> Result<u64, (Option<String>, Msg)> {
    let cleaned: String = v
        .trim()
        .trim_start_matches("Rp")
        .chars()
        .filter(|c| !matches!(c, '.' | ',' | ' ' | '\u{a0}'))
        .collect();
    if cleaned.is_empty() {
        return Ok(0);
    }
    cleaned.parse::<u64>().map_err(|_| {
        (
            Some(column.to_string()),
            Msg::new("programs.not_whole_number").arg("value", v.trim()),
        )
    })
}

/// Reads the sheet. `organisation` turns the `mitra` cell into an organisation id (or says
/// why not); `index` matches region names.
pub fn read_program_sheet(
    table: &Table,
    organisation: &dyn Fn(&str) -> Result<i64, Msg>,
    index: &RegionNameIndex,
) -> ProgramSheet {
    let mut out = ProgramSheet::default();
    let missing: Vec<&str> = ["kode_program"]
        .into_iter()
        .filter(|c| table.column_index(c).is_none())
        .collect();
    if !missing.is_empty() {
        out.rejected.push(RowError {
            line: 1,
            column: None,
            reason: Msg::new("programs.sheet_columns_missing").arg("columns", missing.join(", ")),
        });
        out.rejected_rows = table.rows();
        return out;
    }
    let cols: BTreeMap<&str, usize> = TEMPLATE_COLUMNS
        .iter()
        .filter_map(|(name, _)| table.column_index(name).map(|i| (*name, i)))
        .collect();
    let cell = |r: usize, name: &str| -> &str {
        cols.get(name)
            .map(|&i| table.columns[i].get(r))
            .unwrap_or("")
    };
    // Group rows by (mitra, kode_program), keeping file order.
    let mut groups: Vec<((String, String), Vec<usize>)> = Vec::new();
    for r in 0..table.rows() {
        let key = (
            cell(r, "mitra").trim().to_string(),
            cell(r, "kode_program").trim().to_string(),
        );
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, rows)) => rows.push(r),
            None => groups.push((key, vec![r])),
        }
    }
    for ((_, code), rows) in groups {
        let lines: Vec<u64> = rows.iter().map(|&r| u64::from(table.lines[r])).collect();
        let rows: Vec<Row<'_>> = rows
            .iter()
            .map(|&r| Row {
                line: u64::from(table.lines[r]),
                get: Box::new(move |name: &str| cell(r, name)),
            })
            .collect();
        match read_program(&code, &rows, organisation, index) {
            Ok(p) => out.programs.push((p, lines)),
            Err(errors) => {
                let bad_lines: Vec<u64> = errors.iter().map(|e| e.line).collect();
                out.rejected.extend(errors);
                for &line in &lines {
                    if !bad_lines.contains(&line) {
                        out.rejected.push(RowError {
                            line,
                            column: None,
                            reason: Msg::new("programs.sibling_row_refused").arg("code", &code),
                        });
                    }
                }
                out.rejected_rows += lines.len();
            }
        }
    }
    out.rejected.sort_by_key(|e| e.line);
    out
}

/// A reason a shared parser gives (desil, PPKS, region code or name) as a message.
// Transitional until those parsers return catalogue messages themselves (their areas).
fn detail(e: impl std::fmt::Display) -> Msg {
    Msg::new("programs.value_refused").arg("reason", e)
}

fn read_program(
    code: &str,
    rows: &[Row<'_>],
    organisation: &dyn Fn(&str) -> Result<i64, Msg>,
    index: &RegionNameIndex,
) -> Result<ProgramInput, Vec<RowError>> {
    let mut errors = Vec::new();
    let first = rows[0].line;
    // Program columns: the first non-blank value among its rows.
    let field = |name: &str| -> (&str, u64) {
        rows.iter()
            .map(|r| ((r.get)(name).trim(), r.line))
            .find(|(v, _)| !v.is_empty())
            .unwrap_or(("", first))
    };
    let mut fail = |line: u64, column: Option<&str>, reason: Msg| {
        errors.push(RowError {
            line,
            column: column.map(str::to_string),
            reason,
        })
    };
    let organisation_id = match organisation(field("mitra").0) {
        Ok(id) => id,
        Err(e) => {
            fail(field("mitra").1, Some("mitra"), e);
            0
        }
    };
    macro_rules! vocab {
        ($ty:ty, $col:literal, $default:expr) => {{
            let (v, line) = field($col);
            if v.is_empty() {
                match $default {
                    Some(d) => d,
                    None => {
                        fail(line, Some($col), Msg::new("programs.required"));
                        <$ty>::ALL[0]
                    }
                }
            } else {
                match <$ty>::lookup(v) {
                    Some(x) => x,
                    None => {
                        fail(line, Some($col), <$ty>::unknown(v));
                        <$ty>::ALL[0]
                    }
                }
            }
        }};
    }
    let sector = vocab!(Sector, "sektor", None::<Sector>);
    let aid_type = vocab!(AidType, "jenis_bantuan", None::<AidType>);
    let funding = vocab!(FundingSource, "sumber_dana", Some(FundingSource::Lainnya));
    let status = vocab!(ProgramStatus, "status", Some(ProgramStatus::Berjalan));
    let sex = vocab!(SexTarget, "jenis_kelamin", Some(SexTarget::Semua));
    let mut ppks = Vec::new();
    let (pv, pl) = field("ppks");
    for part in pv
        .split([';', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match Ppks::lookup(part) {
            Ok(p) if !ppks.contains(&p) => ppks.push(p),
            Ok(_) => {}
            Err(e) => fail(pl, Some("ppks"), detail(e)),
        }
    }
    let mut date = |col: &'static str| {
        let (v, line) = field(col);
        match parse_date(v) {
            Some(d) => Some(d),
            None => {
                let reason = if v.is_empty() {
                    Msg::new("programs.required")
                } else {
                    Msg::new("programs.not_a_date").arg("value", v)
                };
                fail(line, Some(col), reason);
                None
            }
        }
    };
    let start = date("mulai");
    let end = date("selesai");
    let mut target = TargetGroup {
        sex,
        ..TargetGroup::default()
    };
    let (dv, dl) = field("desil");
    if !dv.is_empty() {
        match DesilRange::parse(dv) {
            Ok(r) => {
                target.desil_from = r.from.into();
                target.desil_to = r.to.into();
            }
            Err(e) => fail(dl, Some("desil"), detail(e)),
        }
    }
    let (uv, ul) = field("usia");
    match TargetGroup::parse_ages(uv) {
        Ok((lo, hi)) => {
            target.age_min = lo;
            target.age_max = hi;
        }
        Err(e) => fail(ul, Some("usia"), e),
    }
    let (kv, _) = field("khusus_disabilitas");
    target.disability_only = matches!(
        kv.to_lowercase().as_str(),
        "ya" | "y" | "yes" | "1" | "true" | "benar"
    );
    let mut count = |col: &'static str| {
        let (v, line) = field(col);
        number(v, col).unwrap_or_else(|(c, reason)| {
            fail(line, c.as_deref().or(Some(col)), reason);
            0
        })
    };
    let budget_rp = count("anggaran_rp");
    let planned = count("sasaran_program");
    let reached = Reached {
        total: count("tercapai"),
        male: count("tercapai_laki_laki"),
        female: count("tercapai_perempuan"),
        children: count("tercapai_anak"),
        disability: count("tercapai_disabilitas"),
    };
    let name = field("nama_program").0.to_string();
    let mut locations: Vec<ProgramLocation> = Vec::new();
    for r in rows {
        let raw_code = (r.get)("kode_wilayah").trim();
        let region = if !raw_code.is_empty() {
            match RegionCode::parse(raw_code) {
                Ok(c) if index.get(&c).is_some() => Some(c),
                Ok(c) => {
                    fail(
                        r.line,
                        Some("kode_wilayah"),
                        Msg::new("programs.region_not_yours").arg("code", c),
                    );
                    None
                }
                Err(e) => {
                    fail(r.line, Some("kode_wilayah"), detail(e));
                    None
                }
            }
        } else {
            match index.resolve(PlaceNames {
                kabkota: (r.get)("kabupaten_kota"),
                kecamatan: (r.get)("kecamatan"),
                desa: (r.get)("desa"),
            }) {
                Ok(c) => Some(c),
                Err(e) => {
                    fail(r.line, Some(e.column()), detail(e));
                    None
                }
            }
        };
        let planned = number((r.get)("sasaran_lokasi"), "sasaran_lokasi");
        let reached = number((r.get)("tercapai_lokasi"), "tercapai_lokasi");
        let (planned, reached) = match (planned, reached) {
            (Ok(p), Ok(q)) => (p, q),
            (Err((c, reason)), _) | (_, Err((c, reason))) => {
                fail(r.line, c.as_deref(), reason);
                (0, 0)
            }
        };
        if let Some(region) = region {
            if locations.iter().any(|l| l.region == region) {
                fail(
                    r.line,
                    Some("desa"),
                    Msg::new("programs.location_repeated").arg("code", &region),
                );
            } else {
                locations.push(ProgramLocation {
                    region,
                    planned,
                    reached,
                });
            }
        }
    }
    let (Some(start), Some(end)) = (start, end) else {
        return Err(errors);
    };
    let input = ProgramInput {
        organisation_id,
        code: code.to_string(),
        name,
        sector,
        ppks,
        aid_type,
        funding,
        budget_rp,
        start,
        end,
        status,
        target,
        planned,
        reached,
        locations,
    };
    if errors.is_empty()
        && let Err(field_errors) = input.validate()
    {
        for e in field_errors {
            errors.push(RowError {
                line: first,
                column: Some(e.field.to_string()),
                reason: e.reason,
            });
        }
    }
    if errors.is_empty() {
        Ok(input)
    } else {
        Err(errors)
    }
}

/// The template's rows for programs (one per location), the inverse of
/// [`read_program_sheet`]: what the export writes and a re-import reads back.
pub fn program_rows(
    organisation_name: &str,
    p: &ProgramInput,
    region_names: &dyn Fn(&RegionCode) -> [String; 3],
) -> Vec<Vec<String>> {
    let ppks = p
        .ppks
        .iter()
        .map(|x| x.number().to_string())
        .collect::<Vec<_>>()
        .join("; ");
    let t = &p.target;
    let desil = if (t.desil_from, t.desil_to) == (1, 10) {
        String::new()
    } else {
        format!("{}-{}", t.desil_from, t.desil_to)
    };
    p.locations
        .iter()
        .map(|l| {
            let [kab, kec, desa] = region_names(&l.region);
            vec![
                organisation_name.to_string(),
                p.code.clone(),
                p.name.clone(),
                p.sector.key().to_string(),
                ppks.clone(),
                p.aid_type.key().to_string(),
                p.funding.key().to_string(),
                p.budget_rp.to_string(),
                p.start.to_string(),
                p.end.to_string(),
                p.status.key().to_string(),
                desil.clone(),
                t.ages_text(),
                t.sex.key().to_string(),
                if t.disability_only { "ya" } else { "" }.to_string(),
                p.planned.to_string(),
                p.reached.total.to_string(),
                p.reached.male.to_string(),
                p.reached.female.to_string(),
                p.reached.children.to_string(),
                p.reached.disability.to_string(),
                kab,
                kec,
                desa,
                l.region.to_string(),
                l.planned.to_string(),
                l.reached.to_string(),
            ]
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sinergi_core::RegionKind;
    use sinergi_core::region_match::NamedRegion;

    fn index() -> RegionNameIndex {
        RegionNameIndex::new(
            [
                ("52.03", "Kabupaten Lombok Timur"),
                ("52.03.05", "Masbagik"),
                ("52.03.05.2003", "Masbagik Selatan"),
                ("52.03.05.2010", "Danger"),
                ("52.03.06", "Sukamulia"),
                ("52.03.06.2001", "Danger"),
                ("52.06", "Kabupaten Bima"),
                ("52.72", "Kota Bima"),
            ]
            .iter()
            .map(|(c, n)| {
                let code = RegionCode::parse(c).unwrap();
                NamedRegion {
                    kind: RegionKind::infer(&code, n),
                    code,
                    name: n.to_string(),
                }
            })
            .collect(),
        )
    }

    fn header() -> Vec<&'static str> {
        TEMPLATE_COLUMNS.iter().map(|(c, _)| *c).collect()
    }

    fn row(code: &str, kab: &str, kec: &str, desa: &str, kode: &str) -> Vec<String> {
        let mut r = vec![String::new(); TEMPLATE_COLUMNS.len()];
        let set = |r: &mut Vec<String>, col: &str, v: &str| {
            let i = TEMPLATE_COLUMNS
                .iter()
                .position(|(c, _)| *c == col)
                .unwrap();
            r[i] = v.to_string();
        };
        set(&mut r, "kode_program", code);
        set(&mut r, "nama_program", &format!("Program {code}"));
        set(&mut r, "sektor", "Perlindungan Sosial");
        set(&mut r, "ppks", "1; LUT");
        set(&mut r, "jenis_bantuan", "sembako");
        set(&mut r, "anggaran_rp", "Rp 150.000.000");
        set(&mut r, "mulai", "01/02/2025");
        set(&mut r, "selesai", "2025-12-31");
        set(&mut r, "desil", "1-4");
        set(&mut r, "usia", "60+");
        set(&mut r, "kabupaten_kota", kab);
        set(&mut r, "kecamatan", kec);
        set(&mut r, "desa", desa);
        set(&mut r, "kode_wilayah", kode);
        set(&mut r, "sasaran_lokasi", "25");
        r
    }

    fn table(rows: &[Vec<String>]) -> Table {
        let refs: Vec<Vec<&str>> = rows
            .iter()
            .map(|r| r.iter().map(String::as_str).collect())
            .collect();
        let slices: Vec<&[&str]> = refs.iter().map(|r| r.as_slice()).collect();
        Table::from_rows(&header(), &slices)
    }

    #[test]
    fn reads_programs_and_refuses_ambiguous_places_with_candidates() {
        let t = table(&[
            row("A", "Lombok Timur", "Masbagik", "Masbagik Selatan", ""),
            row("A", "", "", "", "52.03.06.2001"),
            row("B", "Lombok Timur", "", "Danger", ""),
            row("B", "Lombok Timur", "Masbagik", "Masbagik Selatan", ""),
            row("C", "Bima", "", "", ""),
        ]);
        let sheet = read_program_sheet(&t, &|_| Ok(7), &index());
        assert_eq!(sheet.programs.len(), 1);
        let (a, lines) = &sheet.programs[0];
        assert_eq!(lines, &[2, 3]);
        assert_eq!(a.organisation_id, 7);
        assert_eq!(a.budget_rp, 150_000_000);
        assert_eq!(a.aid_type, AidType::Barang);
        assert_eq!(
            a.ppks,
            [Ppks::AnakBalitaTerlantar, Ppks::LanjutUsiaTerlantar]
        );
        assert_eq!(
            (a.target.desil_from, a.target.desil_to, a.target.age_min),
            (1, 4, 60)
        );
        assert_eq!(a.start.to_string(), "2025-02-01");
        assert_eq!(
            a.locations
                .iter()
                .map(|l| l.region.as_str())
                .collect::<Vec<_>>(),
            ["52.03.05.2003", "52.03.06.2001"]
        );
        // B: line 4 is ambiguous (two desa Danger), line 5 fine but refused with its program.
        assert_eq!(sheet.rejected_rows, 3);
        let r4 = sheet.rejected.iter().find(|e| e.line == 4).unwrap();
        assert_eq!(r4.column.as_deref(), Some("desa"));
        assert!(
            r4.reason.to_string().contains("52.03.05.2010")
                && r4.reason.to_string().contains("52.03.06.2001"),
            "{}",
            r4.reason
        );
        let r5 = sheet.rejected.iter().find(|e| e.line == 5).unwrap();
        assert_eq!(
            r5.reason,
            Msg::new("programs.sibling_row_refused").arg("code", "B"),
            "{}",
            r5.reason
        );
        let r6 = sheet.rejected.iter().find(|e| e.line == 6).unwrap();
        assert!(
            r6.reason.to_string().contains("Kota Bima (52.72)"),
            "{}",
            r6.reason
        );
    }

    #[test]
    fn names_every_bad_cell() {
        let mut bad = row("D", "Lombok Timur", "Masbgik", "", "");
        bad[3] = "astronomi".into();
        bad[8] = "kemarin".into();
        bad[7] = "banyak".into();
        let t = table(&[bad]);
        let sheet = read_program_sheet(
            &t,
            &|m| Err(Msg::new("programs.organisation_unknown").arg("name", m)),
            &index(),
        );
        assert!(sheet.programs.is_empty());
        let cols: Vec<&str> = sheet
            .rejected
            .iter()
            .filter_map(|e| e.column.as_deref())
            .collect();
        for c in ["mitra", "sektor", "mulai", "anggaran_rp", "kecamatan"] {
            assert!(cols.contains(&c), "{c} missing from {cols:?}");
        }
        let kec = sheet
            .rejected
            .iter()
            .find(|e| e.column.as_deref() == Some("kecamatan"))
            .unwrap();
        assert!(
            kec.reason.to_string().contains("Masbagik"),
            "{}",
            kec.reason
        );
        let no_code = Table::from_rows(&["nama"], &[&["x"]]);
        let sheet = read_program_sheet(&no_code, &|_| Ok(1), &index());
        assert!(
            sheet.rejected[0]
                .reason
                .to_string()
                .contains("kode_program")
        );
        assert_eq!(sheet.rejected_rows, 1);
    }

    #[test]
    fn exported_rows_read_back_the_same() {
        let t = table(&[
            row("A", "Lombok Timur", "Masbagik", "Masbagik Selatan", ""),
            row("A", "", "", "", "52.03.06.2001"),
        ]);
        let sheet = read_program_sheet(&t, &|_| Ok(7), &index());
        let (a, _) = &sheet.programs[0];
        let rows = program_rows("Mitra A", a, &|_| {
            [String::new(), String::new(), String::new()]
        });
        let back = read_program_sheet(
            &table(&rows),
            &|m| {
                if m == "Mitra A" {
                    Ok(7)
                } else {
                    Err(Msg::new("programs.organisation_unknown").arg("name", m))
                }
            },
            &index(),
        );
        assert!(back.rejected.is_empty(), "{:?}", back.rejected);
        assert_eq!(&back.programs[0].0, a);
    }
}
