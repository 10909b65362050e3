//! Person-level lists (beneficiaries, registers) in any file partners have: each row becomes a
//! validated [`PersonInput`] with its warnings, or a rejection naming its line, column and
//! reason. One path: decode → table → typed rows, streamed so that a million rows never sit
//! in memory at once ([`read_person_rows`]); [`read_person_list`] collects the same rows.

use std::cell::RefCell;
use std::collections::HashMap;

use chrono::NaiveDate;
use sinergi_core::region_match::{CachedResolver, RegionNameIndex, Resolution, RowPlace};
use sinergi_core::{
    AidReceived, Desil, IdInput, Localized, Msg, Nik, NoKk, PersonExtra, PersonInput, RegionCode,
    RegionPrefixes, Sex, is_id_placeholder, parse_date, parse_rupiah,
};

use crate::decode::{FileRefusal, Limits, decode};
use crate::header::{FieldSpec, ResolvedHeader, field_of, fold_key, resolve};
use crate::source::{Cell, RawRow, TableInfo, read_table};
use crate::table::{RowError, RowErrors};

/// What a column of a person list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonField {
    Nik,
    Kk,
    Name,
    Sex,
    BirthDate,
    Birthplace,
    /// `Tempat, Tgl Lahir` in one cell.
    BirthplaceAndDate,
    Address,
    Desil,
    Program,
    AidType,
    ReceivedOn,
    Amount,
    RegionCode,
    Desa,
    Kecamatan,
    KabKota,
    /// The province's name: checked against the row's desa, never used to guess it.
    Provinsi,
    /// `No`, `No. Urut`: the row's number in the list, not data.
    RowNumber,
    /// Data the platform has no use for and does not keep (mother's name, phone…).
    Sensitive,
}

const fn spec(
    field: PersonField,
    name: &'static str,
    aliases: &'static [&'static str],
) -> FieldSpec<PersonField> {
    FieldSpec {
        field,
        name,
        aliases,
        many: matches!(field, PersonField::Sensitive),
    }
}

/// Aliases folded by [`fold_key`]: lower case, letters and digits only.
pub const PERSON_FIELDS: &[FieldSpec<PersonField>] = &[
    spec(
        PersonField::Nik,
        "nik",
        &[
            "nik",
            "nonik",
            "nomornik",
            "nomorindukkependudukan",
            "nikktp",
            "noktp",
            "nomorktp",
            "nikpenerima",
            "nikkpm",
            "niksesuaiktp",
        ],
    ),
    spec(
        PersonField::Kk,
        "no_kk",
        &[
            "nokk",
            "kk",
            "nomorkk",
            "nomorkartukeluarga",
            "nokartukeluarga",
            "nikk",
            "nokkpenerima",
        ],
    ),
    spec(
        PersonField::Name,
        "nama",
        &[
            "nama",
            "namalengkap",
            "name",
            "namamustahik",
            "namapenerima",
            "namapenerimamanfaat",
            "namakpm",
            "namaanggota",
            "namapeserta",
            "namasesuaiktp",
            "namabenefisiari",
        ],
    ),
    spec(
        PersonField::Sex,
        "jenis_kelamin",
        &[
            "jeniskelamin",
            "jk",
            "sex",
            "kelamin",
            "lp",
            "gender",
            "jnskelamin",
        ],
    ),
    spec(
        PersonField::BirthDate,
        "tanggal_lahir",
        &[
            "tanggallahir",
            "tgllahir",
            "birthdate",
            "tanggallahiryyyymmdd",
            "tgllhr",
            "tanggallhr",
            "tgllahirddmmyyyy",
            "tanggallahirddmmyyyy",
        ],
    ),
    spec(
        PersonField::Birthplace,
        "tempat_lahir",
        &[
            "tempatlahir",
            "tmplahir",
            "tptlahir",
            "tmptlahir",
            "tempatlhr",
        ],
    ),
    spec(
        PersonField::BirthplaceAndDate,
        "tempat_tgl_lahir",
        &[
            "ttl",
            "tempattanggallahir",
            "tempattgllahir",
            "tempattgllhr",
            "tmptgllahir",
            "tempatdantanggallahir",
            "tmptgllhr",
            "tempattanggallahirttl",
        ],
    ),
    spec(
        PersonField::Address,
        "alamat",
        &[
            "alamat",
            "alamatlengkap",
            "alamatktp",
            "alamatdomisili",
            "address",
            "alamatrumah",
        ],
    ),
    spec(
        PersonField::Desil,
        "desil",
        &[
            "desil",
            "peringkatdesil",
            "desilkesejahteraan",
            "kelompokdesil",
        ],
    ),
    spec(
        PersonField::Program,
        "program",
        &["program", "namaprogram", "programbantuan"],
    ),
    spec(
        PersonField::AidType,
        "jenis_bantuan",
        &["jenisbantuan", "bentukbantuan", "jenisbansos"],
    ),
    spec(
        PersonField::ReceivedOn,
        "tanggal_terima",
        &[
            "tanggalterima",
            "tglterima",
            "tanggalpenyaluran",
            "tglpenyaluran",
            "tanggalditerima",
            "tglditerima",
            "tanggalsalur",
            "tglsalur",
            "tanggalbantuan",
        ],
    ),
    spec(
        PersonField::Amount,
        "nilai_bantuan",
        &[
            "nilaibantuan",
            "nominal",
            "nominalbantuan",
            "besaranbantuan",
            "jumlahbantuan",
            "nilai",
            "nilairp",
            "nominalrp",
        ],
    ),
    spec(
        PersonField::RegionCode,
        "kode_desa",
        &[
            "kodedesa",
            "kodewilayah",
            "kodekelurahan",
            "desakode",
            "kodedesakelurahan",
            "kodekel",
            "kodedesakel",
        ],
    ),
    spec(
        PersonField::Desa,
        "desa",
        &[
            "desa",
            "kelurahan",
            "desakelurahan",
            "kelurahandesa",
            "namadesa",
            "namakelurahan",
            "desakel",
            "kel",
            "namadesakelurahan",
        ],
    ),
    spec(
        PersonField::Kecamatan,
        "kecamatan",
        &["kecamatan", "kec", "namakecamatan"],
    ),
    spec(
        PersonField::KabKota,
        "kabupaten_kota",
        &[
            "kabupatenkota",
            "kabkota",
            "kabupaten",
            "kota",
            "kab",
            "namakabupaten",
            "namakabupatenkota",
        ],
    ),
    spec(
        PersonField::Provinsi,
        "provinsi",
        &["provinsi", "propinsi", "prov", "prop", "namaprovinsi"],
    ),
    spec(
        PersonField::RowNumber,
        "no",
        &["no", "nourut", "nomorurut", "urut"],
    ),
    spec(
        PersonField::Sensitive,
        "sensitif",
        &[
            "namaibukandung",
            "ibukandung",
            "namaibu",
            "nohp",
            "nomorhp",
            "hp",
            "notelp",
            "notelepon",
            "telepon",
            "telp",
            "nomortelepon",
            "notlp",
            "nohape",
            "email",
            "norekening",
            "nomorrekening",
            "rekening",
            "nowa",
            "nomorwa",
            "whatsapp",
            "nohpwa",
        ],
    ),
];

/// What the reader checks rows against.
pub struct PersonContext<'a> {
    /// Whether a region code is in the register.
    pub region_exists: &'a dyn Fn(&RegionCode) -> bool,
    /// NIK/KK kecamatan prefixes: historical → warning, in no list → refused.
    pub prefixes: Option<&'a dyn RegionPrefixes>,
    /// Region names, for rows that name their desa instead of giving its code.
    pub region_names: Option<&'a RegionNameIndex>,
    /// Birth dates after this are refused.
    pub today: NaiveDate,
    pub limits: Limits,
}

/// One row read: stored as given, or refused with every reason found.
pub type PersonRow = Result<PersonInput, Vec<RowError>>;

/// What the import report needs beyond the rows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IntakeReport {
    /// Where the table was found (sheet, header line, format).
    pub table: TableInfo,
    /// Columns as written that were not read (unknown to the platform): not stored.
    pub not_stored: Vec<String>,
    /// Sensitive columns deliberately not stored (mother's name, phone, account…).
    pub sensitive_not_stored: Vec<String>,
    /// Lines of total rows (`JUMLAH`, `TOTAL`) recognised and skipped.
    pub total_lines: Vec<u64>,
    /// Data rows read (stored + refused), total rows excluded.
    pub rows_read: u64,
}

/// What a list produced: accepted rows and the rows refused, both with their lines.
#[derive(Debug, Default)]
pub struct PersonList {
    pub rows: Vec<PersonInput>,
    pub rejected: Vec<RowError>,
    pub report: IntakeReport,
}

/// Reads a whole person list into memory (small files, tests); see [`read_person_rows`].
pub fn read_person_list(bytes: &[u8], ctx: &PersonContext<'_>) -> Result<PersonList, RowErrors> {
    let mut rows = Vec::new();
    let mut rejected = Vec::new();
    let report = read_person_rows(bytes, ctx, &mut |row| match row {
        Ok(p) => rows.push(p),
        Err(e) => rejected.extend(e),
    })?;
    Ok(PersonList {
        rows,
        rejected,
        report,
    })
}

/// Reads a person list row by row, handing each to `on_row` as soon as it is read. A file
/// that cannot be read as a whole (format, encoding, bombs, a missing, duplicated or
/// colliding column, no data rows, an unterminated quote) gives one refusal — possibly after
/// some rows were handed on, so a caller storing as it goes must do so in one transaction.
pub fn read_person_rows(
    bytes: &[u8],
    ctx: &PersonContext<'_>,
    on_row: &mut dyn FnMut(PersonRow),
) -> Result<IntakeReport, RowErrors> {
    let refuse = |f: FileRefusal| RowErrors(vec![RowError::file(f.msg())]);
    let decoded = decode(bytes, &ctx.limits).map_err(refuse)?;
    // Resolved by the header callback, read by the row callback.
    let header = RefCell::new(None::<(ResolvedHeader<PersonField>, bool)>);
    let mut seen_nik: HashMap<u64, u64> = HashMap::new();
    // A million rows name a few thousand places: each distinct tuple is matched once.
    let mut places = ctx.region_names.map(RegionNameIndex::cached);
    let mut total_lines = Vec::new();
    let mut rows_read = 0u64;
    let is_header = |cells: &[Cell]| {
        let fields: Vec<PersonField> = cells
            .iter()
            .filter_map(|c| field_of(PERSON_FIELDS, &c.text))
            .filter(|f| !matches!(f, PersonField::RowNumber | PersonField::Sensitive))
            .collect();
        fields.contains(&PersonField::Name) && fields.len() >= 2
    };
    let mut on_header = |info: &TableInfo| {
        let h = resolve(&info.header, PERSON_FIELDS)?;
        let mut missing = Vec::new();
        if !h.has(PersonField::Nik) {
            missing.push("nik");
        }
        let names_region = h.has(PersonField::Desa)
            || h.has(PersonField::Kecamatan)
            || h.has(PersonField::KabKota);
        if !h.has(PersonField::RegionCode) && !names_region {
            missing.push("kode_desa / desa");
        }
        if !missing.is_empty() {
            return Err(FileRefusal::MissingColumns {
                missing: missing.join(", "),
                found: h.found(),
            });
        }
        // Text rows must have every field; a sheet leaves trailing empty cells out.
        let text = info.sheet.is_none();
        *header.borrow_mut() = Some((h, text));
        Ok(())
    };
    let mut on_raw = |row: RawRow| {
        let guard = header.borrow();
        let Some(h) = guard.as_ref() else { return };
        match check_row(row, h, ctx, places.as_mut(), &mut seen_nik) {
            Checked::Total(line) => total_lines.push(line),
            Checked::Row(r) => {
                rows_read += 1;
                on_row(r);
            }
        }
    };
    let info = match read_table(
        &decoded,
        &ctx.limits,
        &is_header,
        &mut on_header,
        &mut on_raw,
    ) {
        Ok(info) => info,
        Err(FileRefusal::NoHeader { first }) => {
            return Err(refuse(FileRefusal::MissingColumns {
                missing: "nama, nik, kode_desa / desa".into(),
                found: first,
            }));
        }
        Err(e) => return Err(refuse(e)),
    };
    let (h, _) = header.into_inner().expect("a table has a header");
    let mut report = IntakeReport {
        table: info,
        total_lines,
        rows_read,
        ..IntakeReport::default()
    };
    for (name, field) in h.names.iter().zip(&h.fields) {
        match field {
            None => report.not_stored.push(name.clone()),
            Some(PersonField::Sensitive) => report.sensitive_not_stored.push(name.clone()),
            _ => {}
        }
    }
    if report.rows_read == 0 {
        return Err(refuse(FileRefusal::HeaderOnly { found: h.found() }));
    }
    Ok(report)
}

// Rows are the common case and are handed on at once; boxing them would cost an allocation
// per row for the rare total row's sake.
#[allow(clippy::large_enum_variant)]
enum Checked {
    Total(u64),
    Row(PersonRow),
}

/// Words of a total row, folded.
const TOTAL_WORDS: &[&str] = &[
    "jumlah",
    "total",
    "jumlahtotal",
    "grandtotal",
    "totalkeseluruhan",
    "jumlahkeseluruhan",
    "jumlahseluruhnya",
    "subtotal",
];

fn check_row(
    row: RawRow,
    (h, strict): &(ResolvedHeader<PersonField>, bool),
    ctx: &PersonContext<'_>,
    mut places: Option<&mut CachedResolver<'_>>,
    seen_nik: &mut HashMap<u64, u64>,
) -> Checked {
    let line = row.line;
    let width = h.fields.len();
    let mut cells = row.cells;
    let fail = |column: Option<String>, reason: Msg| {
        Checked::Row(Err(vec![RowError {
            line,
            column,
            reason,
        }]))
    };
    // A long or short row: its fields cannot be told apart, so no column is blamed.
    let extra_filled =
        cells.len() > width && cells[width..].iter().any(|c| !c.text.trim().is_empty());
    if extra_filled || (*strict && cells.len() < width) {
        let found = if extra_filled {
            cells
                .iter()
                .rposition(|c| !c.text.trim().is_empty())
                .map_or(0, |i| i + 1)
        } else {
            cells.len()
        };
        return fail(
            None,
            Msg::new("intake.field_count")
                .arg("found", found)
                .arg("expected", width),
        );
    }
    cells.resize(width, Cell::default());
    // A total row has no NIK (or carries its label in the NIK column, left of the sums). A
    // NIK is looked at first: folding the first words is needed only when it is missing.
    let nik_blank = h.position(PersonField::Nik).is_none_or(|i| {
        let t = &cells[i].text;
        let t = t.trim();
        t.is_empty()
            || is_id_placeholder(t)
            || (!t.starts_with(|c: char| c.is_ascii_digit())
                && TOTAL_WORDS.contains(&fold_key(t).as_str()))
    });
    if nik_blank
        && cells
            .iter()
            .filter(|c| !c.text.trim().is_empty())
            .take(3)
            .any(|c| TOTAL_WORDS.contains(&fold_key(&c.text).as_str()))
    {
        return Checked::Total(line);
    }
    let mut errors = Vec::new();
    for (i, c) in cells.iter().enumerate() {
        if c.text.contains('\0') {
            errors.push(RowError {
                line,
                column: Some(h.names[i].clone()),
                reason: Msg::new("intake.nul"),
            });
        } else if c.text.chars().count() > ctx.limits.max_field_chars {
            errors.push(RowError {
                line,
                column: Some(h.names[i].clone()),
                reason: Msg::new("intake.too_long")
                    .arg("chars", c.text.chars().count())
                    .arg("limit", ctx.limits.max_field_chars),
            });
        }
    }
    if !errors.is_empty() {
        return Checked::Row(Err(errors));
    }
    let get = |f: PersonField| h.position(f).map(|i| (&cells[i], h.names[i].as_str()));
    let text = |f: PersonField| get(f).map(|(c, _)| c.text.trim()).filter(|t| !t.is_empty());
    let column = |f: PersonField| {
        get(f).map_or_else(
            || {
                PERSON_FIELDS
                    .iter()
                    .find(|s| s.field == f)
                    .map_or("", |s| s.name)
                    .to_string()
            },
            |(_, n)| n.to_string(),
        )
    };
    let mut warnings: Vec<Msg> = Vec::new();
    let mut err = |f: PersonField, reason: Msg| {
        errors.push(RowError {
            line,
            column: Some(column(f)),
            reason,
        })
    };
    let name = text(PersonField::Name).unwrap_or("").to_string();
    if name.is_empty() {
        err(PersonField::Name, Msg::new("intake.required"));
    }
    let sex = match text(PersonField::Sex) {
        None => None,
        Some(s) => Sex::parse(s).or_else(|| {
            err(
                PersonField::Sex,
                Msg::new("intake.sex_unknown").arg("value", s),
            );
            None
        }),
    };
    let mut birthplace = text(PersonField::Birthplace).map(str::to_string);
    let mut birth_text =
        text(PersonField::BirthDate).map(|t| (t.to_string(), PersonField::BirthDate));
    let mut birth_cell_numeric = get(PersonField::BirthDate).is_some_and(|(c, _)| c.numeric);
    if let Some(ttl) = text(PersonField::BirthplaceAndDate) {
        match split_place_date(ttl) {
            Some((place, date)) => {
                if birthplace.is_none() && !place.is_empty() {
                    birthplace = Some(place.to_string());
                }
                if birth_text.is_none() {
                    birth_text = Some((date.to_string(), PersonField::BirthplaceAndDate));
                    birth_cell_numeric = false;
                }
            }
            None => err(
                PersonField::BirthplaceAndDate,
                Msg::new("intake.ttl_unrecognized").arg("value", ttl),
            ),
        }
    }
    let birth_date = birth_text.and_then(|(t, f)| match read_date(&t, birth_cell_numeric) {
        Ok(d) if d > ctx.today => {
            err(f, Msg::new("intake.birth_future").arg("value", t));
            None
        }
        Ok(d) => Some(d),
        Err(m) => {
            err(f, m);
            None
        }
    });
    let nik = match get(PersonField::Nik) {
        Some((c, _)) if !c.text.trim().is_empty() && !is_id_placeholder(&c.text) => {
            let input = IdInput {
                text: c.text.trim(),
                from_numeric_cell: c.numeric,
            };
            match Nik::parse(input, ctx.prefixes) {
                Ok(p) => {
                    // A prefix in no list is already an error of the parser.
                    warnings.extend(p.warnings.iter().map(Localized::msg));
                    warnings.extend(
                        p.nik
                            .check_recorded(birth_date, sex)
                            .iter()
                            .map(Localized::msg),
                    );
                    Some(p.nik)
                }
                Err(es) => {
                    err(PersonField::Nik, reasons(&es));
                    None
                }
            }
        }
        _ => None,
    };
    let kk = match get(PersonField::Kk) {
        Some((c, _)) if !c.text.trim().is_empty() && !is_id_placeholder(&c.text) => {
            let input = IdInput {
                text: c.text.trim(),
                from_numeric_cell: c.numeric,
            };
            match NoKk::parse(input, ctx.prefixes) {
                Ok(p) => {
                    warnings.extend(p.warnings.iter().map(Localized::msg));
                    Some(p.no_kk)
                }
                Err(es) => {
                    err(PersonField::Kk, reasons(&es));
                    None
                }
            }
        }
        _ => None,
    };
    let desil = text(PersonField::Desil).and_then(|t| {
        Desil::parse(t)
            .map_err(|e| err(PersonField::Desil, e.msg()))
            .ok()
    });
    let received_on = text(PersonField::ReceivedOn).and_then(|t| {
        let numeric = get(PersonField::ReceivedOn).is_some_and(|(c, _)| c.numeric);
        read_date(t, numeric)
            .map_err(|m| err(PersonField::ReceivedOn, m))
            .ok()
    });
    let amount_rupiah = text(PersonField::Amount).and_then(|t| {
        parse_rupiah(t)
            .map_err(|e| err(PersonField::Amount, e.msg()))
            .ok()
    });
    let region = match text(PersonField::RegionCode) {
        Some(code) => match RegionCode::parse(code) {
            Ok(r) if (ctx.region_exists)(&r) => Some(r),
            Ok(r) => {
                err(
                    PersonField::RegionCode,
                    Msg::new("intake.region_unknown").arg("code", r),
                );
                None
            }
            Err(e) => {
                err(PersonField::RegionCode, e.msg());
                None
            }
        },
        None => {
            let names = RowPlace {
                provinsi: text(PersonField::Provinsi).unwrap_or(""),
                kabkota: text(PersonField::KabKota).unwrap_or(""),
                kecamatan: text(PersonField::Kecamatan).unwrap_or(""),
                desa: text(PersonField::Desa).unwrap_or(""),
            };
            let named =
                !(names.kabkota.is_empty() && names.kecamatan.is_empty() && names.desa.is_empty());
            match places.as_deref_mut() {
                _ if !named => {
                    let f = if h.has(PersonField::RegionCode) {
                        PersonField::RegionCode
                    } else {
                        PersonField::Desa
                    };
                    err(f, Msg::new("intake.region_required"));
                    None
                }
                None => {
                    err(
                        PersonField::Desa,
                        Msg::new("intake.region_names_unavailable"),
                    );
                    None
                }
                // A misspelling read generously keeps its warning with the row.
                Some(places) => match places.resolve(names).into_result() {
                    Ok((code, spelling)) => {
                        warnings.extend(spelling);
                        Some(code)
                    }
                    Err(e) => {
                        let f = match e.column() {
                            "provinsi" => PersonField::Provinsi,
                            "kabupaten_kota" => PersonField::KabKota,
                            "kecamatan" => PersonField::Kecamatan,
                            _ => PersonField::Desa,
                        };
                        err(f, e.msg());
                        None
                    }
                },
            }
        }
    };
    // A provinsi given must be the desa's province, whether the desa came by code or by name.
    if let (Some(code), Some(given)) = (&region, text(PersonField::Provinsi)) {
        match places.as_deref_mut().map(|p| {
            p.resolve(RowPlace {
                provinsi: given,
                ..RowPlace::default()
            })
        }) {
            Some(Resolution::Resolved {
                code: province,
                warnings: spelling,
            }) => {
                // By name, the same reading's warning is already kept.
                if text(PersonField::RegionCode).is_some() {
                    warnings.extend(spelling);
                }
                if province != code.province() {
                    err(
                        PersonField::Provinsi,
                        Msg::new("intake.province_mismatch")
                            .arg("value", given)
                            .arg("region", code),
                    );
                }
            }
            // An index without provinces cannot check one: the row cannot be vouched for.
            Some(Resolution::Unknown { .. })
                if places.as_ref().is_some_and(|p| !p.knows_provinces()) =>
            {
                err(
                    PersonField::Provinsi,
                    Msg::new("intake.region_names_unavailable"),
                )
            }
            Some(other) => {
                if let Err(e) = other.into_result() {
                    err(PersonField::Provinsi, e.msg());
                }
            }
            // No register at all (a partner's own machine): regions are taken as given.
            None => {}
        }
    }
    if let Some(nik) = &nik
        && let Ok(key) = nik.as_str().parse::<u64>()
    {
        match seen_nik.get(&key) {
            Some(first) => warnings.push(Msg::new("intake.nik_repeated").arg("first", first)),
            None => {
                seen_nik.insert(key, line);
            }
        }
    }
    let (Some(region), true) = (region, errors.is_empty()) else {
        return Checked::Row(Err(errors));
    };
    let aid = AidReceived {
        program: text(PersonField::Program).map(str::to_string),
        aid_type: text(PersonField::AidType).map(str::to_string),
        received_on,
        amount_rupiah,
    };
    Checked::Row(Ok(PersonInput {
        line,
        name,
        sex,
        birth_date,
        nik,
        kk,
        region,
        extra: PersonExtra {
            birthplace,
            address: text(PersonField::Address).map(str::to_string),
            desil,
            aid: (!aid.is_empty()).then_some(aid),
            warnings,
        },
    }))
}

/// A date as written, or an Excel serial day when the cell held a plain number.
fn read_date(text: &str, numeric: bool) -> Result<NaiveDate, Msg> {
    match parse_date(text) {
        Ok(d) => Ok(d),
        Err(e) => {
            if numeric
                && let Ok(serial) = text.parse::<f64>()
                && (1.0..=2_958_465.0).contains(&serial)
            {
                let iso = crate::source::excel_date_text(serial);
                return parse_date(&iso).map_err(|e| e.msg());
            }
            Err(e.msg())
        }
    }
}

/// `Mataram, 12-05-1985`, `MATARAM 12 Mei 1985`, `Lombok Timur,12/05/1985` → place and date:
/// the date starts at the last comma, or else at the first digit.
fn split_place_date(value: &str) -> Option<(&str, &str)> {
    if let Some((place, date)) = value.rsplit_once(',')
        && date.trim().starts_with(|c: char| c.is_ascii_digit())
    {
        return Some((place.trim(), date.trim()));
    }
    let at = value.find(|c: char| c.is_ascii_digit())?;
    let (place, date) = value.split_at(at);
    Some((
        place.trim().trim_end_matches([',', '/', '-']).trim(),
        date.trim(),
    ))
}

/// Every reason a number was refused, as one message.
fn reasons<E: Localized>(errors: &[E]) -> Msg {
    Msg::new("intake.reasons").arg_list("reasons", errors.iter().map(Localized::msg).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(r: &RegionCode) -> bool {
        !r.as_str().starts_with("99")
    }

    fn ctx() -> PersonContext<'static> {
        PersonContext {
            region_exists: &known,
            prefixes: None,
            region_names: None,
            today: NaiveDate::from_ymd_opt(2026, 12, 7).unwrap(),
            limits: Limits::default(),
        }
    }

    #[test]
    fn accepts_good_rows_and_names_every_bad_one() {
        let csv = "nama;nik;no_kk;jk;tgl_lahir;kode_desa\n\
                   Baiq Nurul;5203014507900001;5203011201150003;P;05-07-1990;52.03.05.2001\n\
                   ;5203014507900002;;L;1990-07-05;52.03.05.2001\n\
                   Lalu Ahmad;5.2E+15;;X;31-02-1990;52.03.05.2001\n\
                   Siti;;;P;;99.99\n";
        let list = read_person_list(csv.as_bytes(), &ctx()).unwrap();
        assert_eq!(list.rows.len(), 1);
        assert_eq!(list.rows[0].line, 2);
        assert_eq!(list.rows[0].sex, Some(Sex::Female));
        assert_eq!(list.rows[0].birth_date, NaiveDate::from_ymd_opt(1990, 7, 5));
        let at = |line: u64, col: &str| {
            list.rejected
                .iter()
                .any(|e| e.line == line && e.column.as_deref() == Some(col))
        };
        assert!(at(3, "nama"));
        assert!(at(4, "nik"), "{:?}", list.rejected);
        assert!(at(4, "jk"));
        assert!(at(4, "tgl_lahir"));
        assert!(at(5, "kode_desa"));
        let reason = |line: u64, col: &str| {
            let e = list
                .rejected
                .iter()
                .find(|e| e.line == line && e.column.as_deref() == Some(col))
                .unwrap();
            sinergi_i18n::Messages::new(sinergi_i18n::Lang::Id).render(&e.reason)
        };
        assert_eq!(reason(3, "nama"), "wajib diisi");
        assert!(
            reason(4, "nik").contains("notasi ilmiah"),
            "{}",
            reason(4, "nik")
        );
        assert_eq!(reason(4, "jk"), "\"X\" tidak dikenal; pakai L atau P");
        assert_eq!(
            reason(4, "tgl_lahir"),
            "\"31-02-1990\": tanggal itu tidak ada di kalender"
        );
        assert_eq!(reason(5, "kode_desa"), "kode wilayah 99.99 tidak dikenal");
        let rejected_lines: std::collections::BTreeSet<u64> =
            list.rejected.iter().map(|e| e.line).collect();
        assert_eq!(list.rows.len() + rejected_lines.len(), 4);
    }

    #[test]
    fn places_and_dates_in_one_cell_are_split() {
        assert_eq!(
            split_place_date("Mataram, 12-05-1985"),
            Some(("Mataram", "12-05-1985"))
        );
        assert_eq!(
            split_place_date("MATARAM 12 Mei 1985"),
            Some(("MATARAM", "12 Mei 1985"))
        );
        assert_eq!(
            split_place_date("Lombok Timur,12/05/1985"),
            Some(("Lombok Timur", "12/05/1985"))
        );
        assert_eq!(split_place_date("Mataram"), None);
    }
}
