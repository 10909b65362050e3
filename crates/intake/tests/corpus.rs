//! A corpus of the files partners really send, damaged the ways they really are, each built
//! here and read through the one intake path with its expected stored / refused / warned
//! counts. Hostile files (dimension and zip bombs) must be refused fast.

use std::io::Write;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use sinergi_core::region_match::{NamedRegion, RegionNameIndex};
use sinergi_core::{Localized, Msg, PrefixStatus, RegionCode, RegionKind, RegionPrefixes, Sex};
use sinergi_i18n::{Lang, Messages};
use sinergi_intake::{Limits, PersonContext, PersonList, read_person_list};

const HEADER: &str = "nama,nik,no_kk,jenis_kelamin,tanggal_lahir,kode_desa";
// 52.03.01: current; 91.01.01: only in an old list; 99.99.99: in no list.
const NIK_F: &str = "5203014507900001"; // female, 05-07-1990
const NIK_M: &str = "5203010101800002"; // male, 01-01-1980
const NIK_OLD: &str = "9101010101800003";
const NIK_NOWHERE: &str = "9999010101800004";

fn prefixes(k: &RegionCode) -> PrefixStatus {
    match &k.as_str()[..2] {
        "52" => PrefixStatus::Current,
        "91" => PrefixStatus::Historical,
        _ => PrefixStatus::Unknown,
    }
}

fn known(r: &RegionCode) -> bool {
    r.as_str().starts_with("52")
}

fn index() -> RegionNameIndex {
    let rows = [
        ("52", "Nusa Tenggara Barat"),
        ("33", "Jawa Tengah"),
        ("52.03", "Kabupaten Lombok Timur"),
        ("52.03.05", "Masbagik"),
        ("52.03.05.2003", "Masbagik Selatan"),
        ("52.03.05.2010", "Danger"),
        ("52.03.06", "Sukamulia"),
        ("52.03.06.2001", "Danger"),
        ("52.07", "Kabupaten Sumbawa Barat"),
        ("52.07.01", "Jereweh"),
        ("52.07.01.2001", "Beru"),
    ];
    RegionNameIndex::new(
        rows.iter()
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

fn read_with(bytes: &[u8], limits: Limits) -> Result<PersonList, String> {
    let index = index();
    let prefixes: &dyn RegionPrefixes = &prefixes;
    let ctx = PersonContext {
        region_exists: &known,
        prefixes: Some(prefixes),
        region_names: Some(&index),
        today: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
        limits,
    };
    read_person_list(bytes, &ctx).map_err(|e| {
        assert_eq!(e.0.len(), 1, "a file is refused with one message: {e:?}");
        let id = Messages::new(Lang::Id).render(&e.0[0].msg());
        let en = Messages::new(Lang::En).render(&e.0[0].msg());
        assert_ne!(id, en, "both languages: {id}");
        assert!(!id.contains("intake."), "rendered: {id}");
        id
    })
}

fn read(bytes: &[u8]) -> Result<PersonList, String> {
    read_with(bytes, Limits::default())
}

/// (stored, refused lines, stored rows with warnings).
fn counts(l: &PersonList) -> (usize, usize, usize) {
    let lines: std::collections::BTreeSet<u64> = l.rejected.iter().map(|e| e.line).collect();
    let warned = l
        .rows
        .iter()
        .filter(|r| !r.extra.warnings.is_empty())
        .count();
    (l.rows.len(), lines.len(), warned)
}

fn reason(l: &PersonList, line: u64) -> String {
    let t = Messages::new(Lang::Id);
    l.rejected
        .iter()
        .filter(|e| e.line == line)
        .map(|e| t.render(&e.msg()))
        .collect::<Vec<_>>()
        .join(" / ")
}

fn warnings(l: &PersonList, line: u64) -> Vec<String> {
    let t = Messages::new(Lang::Id);
    let row = l.rows.iter().find(|r| r.line == line).expect("stored");
    row.extra.warnings.iter().map(|w| t.render(w)).collect()
}

fn keys(msgs: &[Msg]) -> Vec<&str> {
    msgs.iter().map(|m| m.key).collect()
}

#[test]
fn the_plain_good_file_with_bom_and_semicolons() {
    let csv = format!(
        "\u{feff}{};\r\nAni;{NIK_F};;P;05-07-1990;52.03.05.2003\r\nBudi;{NIK_M};;L;1980-01-01;52.03.05.2003\r\n",
        HEADER.replace(',', ";")
    );
    let l = read(csv.as_bytes()).unwrap();
    assert_eq!(counts(&l), (2, 0, 0), "{:?}", l.rejected);
    assert!(l.report.table.format.contains("UTF-8") && l.report.table.format.contains(';'));
    assert_eq!(l.rows[1].sex, Some(Sex::Male));
}

#[test]
fn registers_headers_extra_columns_and_what_is_not_stored() {
    let csv = format!(
        "No.,NAMA LENGKAP,NIK KTP,NO. KK,JENIS KELAMIN,\"Tempat, Tgl Lahir\",Alamat,Desil,Program,Jenis Bantuan,Tgl Penyaluran,Nominal,Desa/Kelurahan,Kecamatan,Kabupaten/Kota,Nama Ibu Kandung,No HP,Keterangan\n\
         1,Baiq Nur,{NIK_F},-,P,\"Mataram, 5 Juli 1990\",Jl. Pejanggik 3,III,PKH,tunai,3 Agt 2024,\"Rp 1.500.000,00\",Masbagik Selatan,Masbagik,Kab. Lombok Timur,Inaq,0812,ok\n\
         2,Lalu Amir,{NIK_M},belum ada,L,Selong 01/01/1980,,Desil 2,BPNT,sembako,12 Mei 2024,\"1,500,000.00\",Danger,Masbagik,,,,\n\
         3,Inaq Sri,,,P,,,04,,,,300.000,Danger,,,,,\n"
    );
    let l = read(csv.as_bytes()).unwrap();
    // Row 4: "Danger" is a desa in two kecamatan and none is named: refused with candidates.
    assert_eq!(counts(&l), (2, 1, 0), "{:?}", l.rejected);
    let r = reason(&l, 4);
    assert!(r.contains("Danger") && r.contains("52.03.06.2001"), "{r}");
    let a = &l.rows[0];
    assert_eq!(a.region.as_str(), "52.03.05.2003");
    assert_eq!(a.extra.birthplace.as_deref(), Some("Mataram"));
    assert_eq!(a.birth_date, NaiveDate::from_ymd_opt(1990, 7, 5));
    assert_eq!(a.extra.address.as_deref(), Some("Jl. Pejanggik 3"));
    assert_eq!(a.extra.desil.map(|d| d.number()), Some(3));
    assert_eq!(a.kk, None, "'-' is no KK, not an error");
    let aid = a.extra.aid.as_ref().unwrap();
    assert_eq!(aid.program.as_deref(), Some("PKH"));
    assert_eq!(aid.aid_type.as_deref(), Some("tunai"));
    assert_eq!(aid.received_on, NaiveDate::from_ymd_opt(2024, 8, 3));
    assert_eq!(aid.amount_rupiah, Some(1_500_000));
    let b = &l.rows[1];
    assert_eq!(b.region.as_str(), "52.03.05.2010");
    assert_eq!(b.extra.birthplace.as_deref(), Some("Selong"));
    assert_eq!(b.extra.desil.map(|d| d.number()), Some(2));
    assert_eq!(b.extra.aid.as_ref().unwrap().amount_rupiah, Some(1_500_000));
    assert_eq!(l.report.not_stored, ["Keterangan"]);
    assert_eq!(l.report.sensitive_not_stored, ["Nama Ibu Kandung", "No HP"]);
}

#[test]
fn warnings_are_kept_and_the_nik_is_never_corrected() {
    let csv = format!(
        "{HEADER}\n\
         Ani;{NIK_F};;L;06-07-1991;52.03.05.2003\n\
         Tua;{NIK_OLD};;L;01-01-1980;52.03.05.2003\n\
         Ani lagi;{NIK_F};;P;05-07-1990;52.03.05.2003\n\
         Salah;{NIK_NOWHERE};;L;01-01-1980;52.03.05.2003\n"
    )
    .replace(';', ",");
    let l = read(csv.as_bytes()).unwrap();
    assert_eq!(counts(&l), (3, 1, 3), "{:?}", l.rejected);
    let w2 = keys(&l.rows[0].extra.warnings);
    assert!(
        w2.contains(&"nik.sex_mismatch")
            && w2.contains(&"nik.birth_day_month_mismatch")
            && w2.contains(&"nik.birth_year_mismatch"),
        "{w2:?}"
    );
    assert_eq!(l.rows[0].nik.as_ref().unwrap().as_str(), NIK_F);
    assert_eq!(keys(&l.rows[1].extra.warnings), ["nik.prefix_historical"]);
    assert!(
        warnings(&l, 4).iter().any(|w| w.contains("baris 2")),
        "{:?}",
        warnings(&l, 4)
    );
    assert!(reason(&l, 5).contains("99.99.01"), "{}", reason(&l, 5));
}

#[test]
fn short_kabupaten_names_resolve_and_a_misspelt_desa_is_kept_with_a_warning() {
    let csv = format!(
        "nama,nik,desa,kecamatan,kabupaten\n\
         Ani,{NIK_F},Masbagik Selatan,Masbagik,Lotim\n\
         Budi,{NIK_M},Beru,Jereweh,KSB\n\
         Cici,,Masbagk Selatan,Masbagik,Lombok Timur\n\
         Dedi,,Tidak Ada Sama Sekali,Masbagik,Lotim\n"
    );
    let l = read(csv.as_bytes()).unwrap();
    assert_eq!(counts(&l), (3, 1, 1), "{:?}", l.rejected);
    assert_eq!(l.rows[0].region.as_str(), "52.03.05.2003");
    assert!(
        l.rows[0].extra.warnings.is_empty(),
        "an alias is no misspelling"
    );
    assert_eq!(l.rows[1].region.as_str(), "52.07.01.2001");
    assert_eq!(l.rows[2].region.as_str(), "52.03.05.2003");
    assert_eq!(keys(&l.rows[2].extra.warnings), ["region_match.spelling"]);
    let w = warnings(&l, 4).join(" ");
    assert!(w.contains("Masbagk Selatan"), "{w}");
    assert!(
        reason(&l, 5).contains("Tidak Ada Sama Sekali"),
        "{}",
        reason(&l, 5)
    );
}

#[test]
fn dates_two_digit_years_future_births_and_month_names() {
    let csv = format!(
        "{HEADER}\n\
         A,,,P,12 Mei 1985,52.03.05.2003\n\
         B,,,P,3 Agt 1990,52.03.05.2003\n\
         C,,,P,17 Agustus 1945,52.03.05.2003\n\
         D,,,P,1 Des 2000,52.03.05.2003\n\
         E,,,P,12-05-85,52.03.05.2003\n\
         F,,,P,01/01/2030,52.03.05.2003\n\
         G,,,P,31/02/1990,52.03.05.2003\n\
         H,,,P,1985-05-12 00:00:00,52.03.05.2003\n"
    );
    let l = read(csv.as_bytes()).unwrap();
    assert_eq!(counts(&l), (5, 3, 0), "{:?}", l.rejected);
    assert_eq!(l.rows[3].birth_date, NaiveDate::from_ymd_opt(2000, 12, 1));
    assert!(reason(&l, 6).contains("dua angka"), "{}", reason(&l, 6));
    assert!(reason(&l, 7).contains("masa depan"), "{}", reason(&l, 7));
    assert!(reason(&l, 8).contains("tidak ada di kalender"));
}

#[test]
fn desil_sex_and_amount_variants() {
    let csv = "nama,nik,kode_desa,desil,jk,nilai_bantuan\n\
               A,,52.03.05.2003,III,Laki-laki,Rp 1.500.000\n\
               B,,52.03.05.2003,Desil 2,Perempuan,1.500.000\n\
               C,,52.03.05.2003,04,l,600000\n\
               D,,52.03.05.2003,0,P,\n\
               E,,52.03.05.2003,11,P,\n\
               F,,52.03.05.2003,1.5,P,\n\
               G,,52.03.05.2003,,1,\n\
               H,,52.03.05.2003,,P,\"1.500.000,50\"\n\
               I,,52.03.05.2003,,P,-20.000\n";
    let l = read(csv.as_bytes()).unwrap();
    assert_eq!(counts(&l), (3, 6, 0), "{:?}", l.rejected);
    let d: Vec<u8> = l
        .rows
        .iter()
        .map(|r| r.extra.desil.unwrap().number())
        .collect();
    assert_eq!(d, [3, 2, 4]);
    assert_eq!(
        l.rows[2].extra.aid.as_ref().unwrap().amount_rupiah,
        Some(600_000)
    );
    assert!(
        reason(&l, 5).contains("di luar rentang"),
        "{}",
        reason(&l, 5)
    );
    assert!(reason(&l, 9).contains("sen"), "{}", reason(&l, 9));
    assert!(reason(&l, 10).contains("negatif"), "{}", reason(&l, 10));
}

#[test]
fn excel_damage_in_text_nul_bytes_long_fields_and_ragged_rows() {
    let long = "x".repeat(1_001);
    let csv = format!(
        "{HEADER}\n\
         A,5.20301E+15,,P,,52.03.05.2003\n\
         B,5203014507900001.0,,P,,52.03.05.2003\n\
         C\0,,,P,,52.03.05.2003\n\
         {long},,,P,,52.03.05.2003\n\
         E,,,P,52.03.05.2003\n\
         F,,,P,,52.03.05.2003,extra\n\
         G,,,P,,52.03.05.2003,\n"
    );
    let l = read(csv.as_bytes()).unwrap();
    assert_eq!(counts(&l), (1, 6, 0), "{:?}", l.rejected);
    assert!(reason(&l, 2).contains("notasi ilmiah"), "{}", reason(&l, 2));
    assert!(reason(&l, 4).contains("NUL"));
    assert!(reason(&l, 5).contains("1001 karakter"), "{}", reason(&l, 5));
    // Short and long rows name the field count, never another column.
    let short = l.rejected.iter().find(|e| e.line == 6).unwrap();
    assert_eq!(short.column, None);
    assert!(reason(&l, 6).contains("5 kolom"), "{}", reason(&l, 6));
    assert!(reason(&l, 7).contains("7 kolom"), "{}", reason(&l, 7));
}

#[test]
fn total_rows_are_recognised_and_not_stored() {
    let csv = "nama,nik,kode_desa,nilai_bantuan\nA,,52.03.05.2003,100000\nB,,52.03.05.2003,200000\nJUMLAH,,,300000\n,Jumlah Total,,300000\n";
    let l = read(csv.as_bytes()).unwrap();
    assert_eq!(counts(&l), (2, 0, 0));
    assert_eq!(l.report.total_lines, [4, 5]);
    assert_eq!(l.report.rows_read, 2);
}

#[test]
fn whole_file_refusals_name_the_cause_once() {
    let cases: &[(&[u8], &str)] = &[
        (b"nik,nama,kode_desa,nik\n1,a,52,2\n", "muncul dua kali"),
        (
            b"nama,nik,kode_desa,Nama \nA,,52.03.05.2003,B\n",
            "muncul dua kali",
        ),
        (
            b"nama,nik,NIK KTP,kode_desa\nA,,,52.03.05.2003\n",
            "sama-sama berarti nik",
        ),
        (
            b"nama,kode_desa\nA,52.03.05.2003\n",
            "kolom wajib tidak ada: nik",
        ),
        (b"nama,nik\nA,\n", "kode_desa / desa"),
        (b"nama,nik,kode_desa\n", "hanya berisi judul kolom"),
        (
            b"nama,nik,kode_desa\nJUMLAH,,\n",
            "hanya berisi judul kolom",
        ),
        (b"id,x,y\n1,2,3\n", "kolom wajib tidak ada"),
        (b"", "berkas kosong"),
        (
            b"nama,nik,kode_desa\nA,,52.03.05.2003\nB,,\"52.03\nC,,52.03.05.2003\n",
            "tidak pernah ditutup",
        ),
        (b"%PDF-1.7\n", "PDF"),
    ];
    for (bytes, want) in cases {
        let e = read(bytes).expect_err(want);
        assert!(e.contains(want), "{want}: {e}");
    }
}

#[test]
fn encodings_line_ends_and_delimiters() {
    // UTF-16 LE "Unicode Text" as Excel saves it: BOM, TAB, CRLF.
    let text =
        format!("nama\tnik\tkode_desa\r\nJosé\t{NIK_F}\t52.03.05.2003\r\nAni\t\t52.03.05.2003\r\n");
    let mut utf16 = vec![0xff, 0xfe];
    utf16.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let l = read(&utf16).unwrap();
    assert_eq!(counts(&l), (2, 0, 0), "{:?}", l.rejected);
    assert_eq!(l.rows[0].name, "José");
    assert!(l.report.table.format.starts_with("TSV UTF-16LE"));
    // Windows-1252 for the whole file, CR-only line ends (old Mac Excel).
    let cp1252 =
        b"nama;nik;kode_desa\rJos\xe9 D\x92Costa;;52.03.05.2003\r\rAni;;52.03.05.2003\rX;;99\r";
    let l = read(cp1252).unwrap();
    assert_eq!(counts(&l), (2, 1, 0));
    assert_eq!(l.rows[0].name, "José D’Costa");
    assert_eq!(l.rows[1].line, 4, "bare CR counts as a line end");
    assert_eq!(l.rejected[0].line, 5);
    // Gzip of a CSV: unpacked, then sniffed again.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(b"nama,nik,kode_desa\nAni,,52.03.05.2003\n")
        .unwrap();
    let l = read(&gz.finish().unwrap()).unwrap();
    assert_eq!(counts(&l), (1, 0, 0));
    // Part UTF-8, part Windows-1252: no single reading is right.
    let e = read(b"nama,nik,kode_desa\nJos\xc3\xa9,,52.03.05.2003\nJos\xe9,,52.03.05.2003\n")
        .unwrap_err();
    assert!(e.contains("mencampur"), "{e}");
}

/// A workbook as Dinas Sosial sends it: an instructions sheet first, a hidden old sheet, then
/// the list under title rows and merged group labels, a NIK typed as a number, date cells,
/// serial dates, and a total row.
fn register_workbook() -> Vec<u8> {
    let mut wb = Workbook::new();
    let help = wb.add_worksheet().set_name("Petunjuk").unwrap();
    help.write_string(0, 0, "Petunjuk pengisian").unwrap();
    help.write_string(1, 0, "Isi NIK sebagai teks, 16 angka")
        .unwrap();
    let old = wb.add_worksheet().set_name("Data Lama").unwrap();
    old.write_string(0, 0, "nama").unwrap();
    old.write_string(0, 1, "nik").unwrap();
    old.write_string(0, 2, "kode_desa").unwrap();
    old.write_string(1, 0, "Tersembunyi").unwrap();
    old.set_hidden(true);
    let ws = wb.add_worksheet().set_name("Penerima").unwrap();
    let date = Format::new().set_num_format("dd/mm/yyyy");
    ws.write_string(0, 0, "DAFTAR PENERIMA BANTUAN 2024")
        .unwrap();
    ws.merge_range(2, 0, 2, 2, "IDENTITAS", &Format::new())
        .unwrap();
    ws.merge_range(2, 3, 2, 4, "BANTUAN", &Format::new())
        .unwrap();
    for (c, h) in [
        "No",
        "Nama Mustahik",
        "NIK",
        "Tgl Lahir",
        "Nilai Bantuan",
        "Kode Desa",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(3, c as u16, *h).unwrap();
    }
    let mut row = 4;
    let mut put = |name: &str,
                   nik: Option<Result<&str, f64>>,
                   born: Option<Result<(u16, u8, u8), f64>>,
                   amount: f64| {
        ws.write_number(row, 0, f64::from(row - 3)).unwrap();
        ws.write_string(row, 1, name).unwrap();
        match nik {
            Some(Ok(s)) => {
                ws.write_string(row, 2, s).unwrap();
            }
            Some(Err(n)) => {
                ws.write_number(row, 2, n).unwrap();
            }
            None => {}
        }
        match born {
            Some(Ok((y, m, d))) => {
                let dt = ExcelDateTime::from_ymd(y, m, d).unwrap();
                ws.write_datetime_with_format(row, 3, &dt, &date).unwrap();
            }
            Some(Err(serial)) => {
                ws.write_number(row, 3, serial).unwrap();
            }
            None => {}
        }
        ws.write_number(row, 4, amount).unwrap();
        ws.write_string(row, 5, "52.03.05.2003").unwrap();
        row += 1;
    };
    put(
        "Baiq Nur",
        Some(Ok(NIK_F)),
        Some(Ok((1990, 7, 5))),
        300000.0,
    );
    put(
        "Lalu Amir",
        Some(Err(5203010101800002.0)),
        Some(Ok((1980, 1, 1))),
        300000.0,
    );
    put("Inaq Sri", None, Some(Err(32874.0)), 300000.0); // 1990-01-01 as a plain number
    put(
        "Amaq Ali",
        Some(Ok(NIK_M)),
        Some(Ok((1980, 1, 1))),
        300000.5,
    );
    ws.write_string(row, 1, "JUMLAH").unwrap();
    ws.write_number(row, 4, 1200000.5).unwrap();
    wb.save_to_buffer().unwrap()
}

#[test]
fn a_real_register_workbook() {
    let l = read(&register_workbook()).unwrap();
    assert_eq!(l.report.table.sheet.as_deref(), Some("Penerima"));
    assert_eq!(l.report.table.header_line, 4);
    // Line 6: the NIK was typed as a number; line 8: half a rupiah.
    assert_eq!(counts(&l), (2, 2, 0), "{:?}", l.rejected);
    assert!(
        reason(&l, 6).contains("sel berformat angka"),
        "{}",
        reason(&l, 6)
    );
    assert!(reason(&l, 8).contains("sen"), "{}", reason(&l, 8));
    assert_eq!(l.rows[0].birth_date, NaiveDate::from_ymd_opt(1990, 7, 5));
    assert_eq!(l.rows[1].birth_date, NaiveDate::from_ymd_opt(1990, 1, 1));
    assert_eq!(l.report.total_lines, [9]);
    assert!(l.report.not_stored.is_empty(), "{:?}", l.report.not_stored);
}

#[test]
fn a_workbook_without_a_list_names_its_sheets() {
    let mut wb = Workbook::new();
    wb.add_worksheet()
        .set_name("Catatan")
        .unwrap()
        .write_string(0, 0, "tidak ada daftar di sini")
        .unwrap();
    let e = read(&wb.save_to_buffer().unwrap()).unwrap_err();
    assert!(e.contains("\"Catatan\""), "{e}");
}

/// Rewrites one entry of a zip (deflated), keeping the others.
fn replace_entry(zip_bytes: &[u8], name: &str, content: &[u8]) -> Vec<u8> {
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .large_file(true);
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let entry = f.name().to_string();
        out.start_file(&entry, opts).unwrap();
        if entry == name {
            out.write_all(content).unwrap();
        } else {
            std::io::copy(&mut f, &mut out).unwrap();
        }
    }
    out.finish().unwrap().into_inner()
}

fn tiny_list_workbook() -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in ["nama", "nik", "kode_desa"].iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "Ani").unwrap();
    ws.write_string(1, 2, "52.03.05.2003").unwrap();
    wb.save_to_buffer().unwrap()
}

#[test]
fn the_dimension_bomb_is_refused_at_once() {
    // 1.6 KB that claims A1:XFD1048576: readers that allocate the range die.
    let sheet = br#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><dimension ref="A1:XFD1048576"/><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>nama</t></is></c><c r="B1" t="inlineStr"><is><t>nik</t></is></c><c r="C1" t="inlineStr"><is><t>kode_desa</t></is></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>"#;
    let bomb = replace_entry(&tiny_list_workbook(), "xl/worksheets/sheet1.xml", sheet);
    assert!(bomb.len() < 8_000, "{}", bomb.len());
    let started = Instant::now();
    let e = read(&bomb).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(e.contains("A1:XFD1048576"), "{e}");
    // Without the dimension, the cell far out is caught while streaming.
    let sneaky = String::from_utf8_lossy(sheet).replace(r#"<dimension ref="A1:XFD1048576"/>"#, "");
    let e = read(&replace_entry(
        &tiny_list_workbook(),
        "xl/worksheets/sheet1.xml",
        sneaky.as_bytes(),
    ))
    .unwrap_err();
    assert!(e.contains("kolom ke-16384"), "{e}");
}

#[test]
fn zip_bombs_are_refused_before_inflating() {
    // 32 MB of XML compresses to a few dozen KB; with a 4 MB budget it is refused from the
    // zip's central directory alone.
    let mut strings =
        b"<sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">".to_vec();
    strings.resize(32 << 20, b' ');
    strings.extend_from_slice(b"</sst>");
    let bomb = replace_entry(&tiny_list_workbook(), "xl/sharedStrings.xml", &strings);
    assert!(bomb.len() < 200_000, "{}", bomb.len());
    let limits = Limits {
        max_inflated_bytes: 4 << 20,
        ..Limits::default()
    };
    let started = Instant::now();
    let e = read_with(&bomb, limits).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert!(
        e.contains("sharedStrings.xml") && e.contains("32 MB"),
        "{e}"
    );
    // The same in gzip.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&strings).unwrap();
    let e = read_with(&gz.finish().unwrap(), limits).unwrap_err();
    assert!(e.contains("4 MB"), "{e}");
    // A zip that is no workbook says what it holds.
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    z.start_file("daftar.csv", zip::write::SimpleFileOptions::default())
        .unwrap();
    z.write_all(b"nama,nik,kode_desa\n").unwrap();
    let e = read(&z.finish().unwrap().into_inner()).unwrap_err();
    assert!(e.contains("daftar.csv"), "{e}");
}

#[test]
fn rows_stream_one_at_a_time_with_the_same_results() {
    let mut csv = String::from("nama,nik,kode_desa\n");
    for i in 0..2_000 {
        csv.push_str(&format!("Orang {i},,52.03.05.2003\n"));
    }
    csv.push_str("Salah,,99\n");
    let index = index();
    let ctx = PersonContext {
        region_exists: &known,
        prefixes: None,
        region_names: Some(&index),
        today: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
        limits: Limits::default(),
    };
    let (mut ok, mut bad) = (0, 0);
    let report = sinergi_intake::read_person_rows(csv.as_bytes(), &ctx, &mut |r| match r {
        Ok(_) => ok += 1,
        Err(_) => bad += 1,
    })
    .unwrap();
    assert_eq!((ok, bad), (2_000, 1));
    assert_eq!(report.rows_read, 2_001);
    let whole = read_person_list(csv.as_bytes(), &ctx).unwrap();
    assert_eq!(counts(&whole), (2_000, 1, 0));
}

/// An ODS workbook as LibreOffice writes it: `rows` of `<table:table-row>` XML inside one
/// sheet named "Daftar".
fn ods(rows: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Daftar"><table:table-column table:number-columns-repeated="1024"/>{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    z.start_file("mimetype", stored).unwrap();
    z.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    z.start_file("META-INF/manifest.xml", deflated).unwrap();
    z.write_all(br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#).unwrap();
    z.start_file("content.xml", deflated).unwrap();
    z.write_all(content.as_bytes()).unwrap();
    z.finish().unwrap().into_inner()
}

fn ods_cell(text: &str) -> String {
    format!(
        r#"<table:table-cell office:value-type="string"><text:p>{text}</text:p></table:table-cell>"#
    )
}

fn ods_row(cells: &[&str]) -> String {
    let cells: String = cells.iter().map(|c| ods_cell(c)).collect();
    // LibreOffice ends every row with the rest of its columns, empty, as one repeated cell.
    format!(
        r#"<table:table-row>{cells}<table:table-cell table:number-columns-repeated="1021"/></table:table-row>"#
    )
}

#[test]
fn ods_repeats_are_counted_before_they_are_expanded() {
    let header = ods_row(&["nama", "nik", "kode_desa"]);
    let good = ods_row(&["Baiq Nurul", NIK_F, "52.03.05.2003"]);
    let bad = ods_row(&["Lalu", "123", "52.03.05.2003"]);
    // The sheet's million empty rows after its last value: every real ODS file has them.
    let tail = r#"<table:table-row table:number-rows-repeated="1048573"><table:table-cell table:number-columns-repeated="1024"/></table:table-row>"#;
    let list = read(&ods(&format!("{header}{good}{bad}{tail}"))).unwrap();
    assert_eq!(counts(&list), (1, 1, 0));
    assert_eq!(list.report.table.format, "ODS");

    let refused_fast = |rows: String| {
        let file = ods(&rows);
        assert!(file.len() < 4_000, "a small file: {}", file.len());
        let started = Instant::now();
        let e = read(&file).unwrap_err();
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{:?}",
            started.elapsed()
        );
        e
    };
    // One cell with a value repeated a billion times across.
    let wide = format!(
        r#"{header}<table:table-row><table:table-cell office:value-type="string" table:number-columns-repeated="1000000000"><text:p>x</text:p></table:table-cell></table:table-row>"#
    );
    let e = refused_fast(wide);
    assert!(e.contains("Daftar") && e.contains("1000000000"), "{e}");
    // A row with values repeated a billion times down.
    let tall = format!(
        r#"{header}<table:table-row table:number-rows-repeated="1000000000">{}{}{}</table:table-row>"#,
        ods_cell("Ani"),
        ods_cell(NIK_F),
        ods_cell("52.03.05.2003")
    );
    let e = refused_fast(tall);
    assert!(e.contains("40000000") || e.contains("40.000.000"), "{e}");
    // Empty rows between two values are expanded by the reader too: counted.
    let gap = format!(
        r#"{header}<table:table-row table:number-rows-repeated="50000000"><table:table-cell table:number-columns-repeated="3"/></table:table-row>{good}"#
    );
    let e = refused_fast(gap);
    assert!(e.contains("sel"), "{e}");
    // Empty cells before a value, repeated past the column limit, are expanded as well.
    let far = format!(
        r#"{header}<table:table-row><table:table-cell table:number-columns-repeated="5000000"/>{}</table:table-row>"#,
        ods_cell("x")
    );
    let e = refused_fast(far);
    assert!(e.contains("5000001"), "{e}");
}

#[test]
fn a_provinsi_column_is_checked_against_the_desa() {
    let csv = format!(
        "nama,nik,kode_desa,provinsi\n\
         Ani,{NIK_F},52.03.05.2003,Nusa Tenggara Barat\n\
         Budi,,52.03.05.2003,PROV. NUSA TENGGARA BARAT\n\
         Cici,,52.03.05.2003,Jawa Tengah\n\
         Dodi,,52.03.05.2003,Atlantis\n\
         Eka,,52.03.05.2003,\n"
    );
    let list = read(csv.as_bytes()).unwrap();
    assert_eq!(counts(&list), (3, 2, 0), "{:?}", list.rejected);
    let at = |line: u64| {
        list.rejected
            .iter()
            .filter(|e| e.line == line)
            .map(|e| e.column.clone().unwrap_or_default())
            .collect::<Vec<_>>()
    };
    assert_eq!(at(4), ["provinsi"]);
    assert!(reason(&list, 4).contains("Jawa Tengah") && reason(&list, 4).contains("52.03.05.2003"));
    assert_eq!(at(5), ["provinsi"]);
    assert!(
        reason(&list, 5).contains("Atlantis"),
        "{}",
        reason(&list, 5)
    );
    // By name: the provinsi leads the way down, and a wrong one is refused, never ignored.
    let by_name = "nama,nik,desa,kecamatan,kabupaten,provinsi\n\
                   Fitri,,Masbagik Selatan,Masbagik,Lombok Timur,Nusa Tenggara Barat\n\
                   Gita,,Masbagik Selatan,Masbagik,Lombok Timur,Jawa Tengah\n";
    let list = read(by_name.as_bytes()).unwrap();
    assert_eq!(counts(&list), (1, 1, 0), "{:?}", list.rejected);
    assert_eq!(list.rows[0].region.as_str(), "52.03.05.2003");
    assert!(list.rejected.iter().all(|e| e.line == 3));
}
