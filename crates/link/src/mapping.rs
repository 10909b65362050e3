//! Partners' files as they come: each compared column is found by its name or one of its
//! aliases (`nama_lain`), or made from other columns by a `[[sumber]]` transform (a place
//! and date in one cell, an age, region names); a column a file lacks is empty there. The
//! result is a table with the settings' column names that [`crate::Linker`] reads.

use std::collections::HashMap;

use sinergi_core::region_match::{PlaceNames, RegionNameIndex};
use sinergi_core::{Table, TextColumn, fold_text};

use crate::features::parse_date;
use crate::settings::{Settings, SourceSpec, Transform};

/// Where one column of the mapped table came from.
#[derive(Debug, Clone, PartialEq)]
pub enum Choice {
    /// The file's column with this header.
    Column(String),
    /// Made by a transform from these headers.
    Derived {
        transform: Transform,
        headers: Vec<String>,
    },
    /// The record's line in the file (id column absent).
    LineNumber,
    /// Absent: every value missing.
    Absent,
}

/// A file's table under the settings' column names.
pub struct Mapped {
    /// Header: the id column, then the compared columns in settings order.
    pub table: Table,
    /// Per column of `table`: its name and where it came from.
    pub choices: Vec<(String, Choice)>,
    /// Per derived column: non-empty source values the transform could not read (left
    /// empty, so missing).
    pub unread: Vec<(String, usize)>,
}

/// A header folded to letters and digits: "NO. KK", "no_kk" and "No KK" are one key.
fn header_key(header: &str) -> String {
    fold_text(header).replace(' ', "")
}

fn find(keys: &[String], names: &[String]) -> Option<usize> {
    names.iter().find_map(|name| {
        let want = header_key(name);
        keys.iter().position(|k| *k == want)
    })
}

/// Year and month-day (MMDD) of a `YYYY-MM-DD` reference date.
pub fn reference_year(date: &str) -> Option<(u32, u32)> {
    let packed = parse_date(date)?;
    (packed % 10000 != 0).then_some((packed / 10000, packed % 10000))
}

/// The date part of "Selong, 12-05-1980", "Selong 12-05-1980" or "12 Mei 1980", written as
/// the date column reads it; `None` when there is none.
fn place_and_date(value: &str) -> Option<String> {
    let value = value.trim();
    let after_comma = value.rsplit_once(',').map(|(_, d)| d.trim());
    let last_word = value
        .rsplit_once(char::is_whitespace)
        .map(|(_, d)| d.trim());
    // The whole date part first, then the last word ("Selong 12/05/1980").
    for candidate in [after_comma, Some(value), last_word].into_iter().flatten() {
        if parse_date(candidate).is_some() {
            return Some(candidate.to_string());
        }
        // Month names ("12 Mei 1980") through the general date reader.
        if let Ok(d) = sinergi_core::parse_date(candidate) {
            return Some(d.format("%Y-%m-%d").to_string());
        }
    }
    None
}

/// An age in whole years at the reference date → the year-long span of birth dates it
/// allows, written `YYYY-MM-DD/YYYY-MM-DD` (45 on 2025-09-30: born 1979-10-01 to 1980-09-30).
/// The date column compares the span itself, so a birth date late in the year is not a year
/// off as a birth year counted back would be.
fn birth_span(age: &str, (year, month_day): (u32, u32)) -> Option<String> {
    use chrono::{Days, Months, NaiveDate};
    let age: u32 = age.trim().trim_end_matches("tahun").trim().parse().ok()?;
    let on = NaiveDate::from_ymd_opt(year as i32, month_day / 100, month_day % 100)?;
    let last = on.checked_sub_months(Months::new(12 * age.min(120)))?;
    let first = last
        .checked_sub_months(Months::new(12))?
        .checked_add_days(Days::new(1))?;
    (age <= 120).then(|| format!("{}/{}", first.format("%Y-%m-%d"), last.format("%Y-%m-%d")))
}

/// The digits of the deepest region the names resolve to: the desa, else the kecamatan,
/// else the kabupaten (a misspelt desa still leaves the kecamatan for blocking); an
/// unknown kabupaten name ("Lotim") is left out before giving up.
fn region_code(index: &RegionNameIndex, kabkota: &str, kecamatan: &str, desa: &str) -> String {
    for names in [
        PlaceNames {
            kabkota,
            kecamatan,
            desa,
        },
        PlaceNames {
            kabkota,
            kecamatan,
            desa: "",
        },
        PlaceNames {
            kabkota: "",
            kecamatan,
            desa,
        },
        PlaceNames {
            kabkota: "",
            kecamatan,
            desa: "",
        },
        PlaceNames {
            kabkota,
            kecamatan: "",
            desa: "",
        },
    ] {
        if names.kecamatan.trim().is_empty()
            && names.desa.trim().is_empty()
            && names.kabkota.trim().is_empty()
        {
            continue;
        }
        if let Ok(code) = index.resolve(names) {
            return code.digits();
        }
    }
    String::new()
}

/// Compared columns that none of the files has (under any name or source): the settings do
/// not fit these files.
pub fn absent_everywhere<'s>(settings: &'s Settings, mapped: &[Mapped]) -> Vec<&'s str> {
    settings
        .comparisons
        .iter()
        .enumerate()
        .filter(|(k, _)| mapped.iter().all(|m| m.choices[k + 1].1 == Choice::Absent))
        .map(|(_, c)| c.column.as_str())
        .collect()
}

/// Whether mapping `raw` would resolve region names (the region register is then needed):
/// a `wilayah` source's column is not in the file under its name or aliases.
pub fn needs_regions(settings: &Settings, raw: &Table) -> bool {
    let keys: Vec<String> = raw.header.iter().map(|h| header_key(h)).collect();
    settings
        .sources
        .iter()
        .filter(|s| s.transform == Transform::Wilayah)
        .any(|s| {
            settings
                .comparisons
                .iter()
                .find(|c| c.column == s.column)
                .is_some_and(|c| {
                    let mut names = vec![c.column.clone()];
                    names.extend(c.aliases.iter().cloned());
                    find(&keys, &names).is_none()
                })
        })
}

/// Maps `raw` onto the settings' columns. `today` (YYYYMMDD parts as [`reference_year`])
/// counts ages when the settings give no `tanggal_acuan`; `regions` resolves region names
/// (without it a `wilayah` source is not used).
pub fn map_table(
    settings: &Settings,
    raw: &Table,
    today: (u32, u32),
    regions: Option<&RegionNameIndex>,
) -> Mapped {
    let keys: Vec<String> = raw.header.iter().map(|h| header_key(h)).collect();
    let reference = settings
        .reference_date
        .as_deref()
        .and_then(reference_year)
        .unwrap_or(today);
    let rows = raw.rows();
    let mut header = Vec::with_capacity(settings.comparisons.len() + 1);
    let mut columns = Vec::with_capacity(settings.comparisons.len() + 1);
    let mut choices = Vec::new();
    let mut unread = Vec::new();

    header.push(settings.id_column.clone());
    match find(&keys, std::slice::from_ref(&settings.id_column)) {
        Some(i) => {
            columns.push(raw.columns[i].clone());
            choices.push((
                settings.id_column.clone(),
                Choice::Column(raw.header[i].clone()),
            ));
        }
        None => {
            columns.push(raw.lines.iter().map(|l| l.to_string()).collect_column());
            choices.push((settings.id_column.clone(), Choice::LineNumber));
        }
    }

    for spec in &settings.comparisons {
        header.push(spec.column.clone());
        let mut names = vec![spec.column.clone()];
        names.extend(spec.aliases.iter().cloned());
        if let Some(i) = find(&keys, &names) {
            columns.push(raw.columns[i].clone());
            choices.push((spec.column.clone(), Choice::Column(raw.header[i].clone())));
            continue;
        }
        let derived = settings
            .sources
            .iter()
            .filter(|s| s.column == spec.column)
            .find_map(|s| derive(s, raw, &keys, reference, regions));
        match derived {
            Some((column, headers, transform, failed)) => {
                columns.push(column);
                if failed > 0 {
                    unread.push((spec.column.clone(), failed));
                }
                choices.push((spec.column.clone(), Choice::Derived { transform, headers }));
            }
            None => {
                columns.push(std::iter::repeat_n("", rows).collect());
                choices.push((spec.column.clone(), Choice::Absent));
            }
        }
    }
    Mapped {
        table: Table {
            header,
            columns,
            lines: raw.lines.clone(),
        },
        choices,
        unread,
    }
}

/// One source's column, the headers it read, and how many non-empty values it could not
/// read; `None` when the file lacks the source's columns.
fn derive(
    source: &SourceSpec,
    raw: &Table,
    keys: &[String],
    reference: (u32, u32),
    regions: Option<&RegionNameIndex>,
) -> Option<(TextColumn, Vec<String>, Transform, usize)> {
    let mut failed = 0usize;
    let mut count = |out: Option<String>, input: &str| -> String {
        out.unwrap_or_else(|| {
            if !input.trim().is_empty() {
                failed += 1;
            }
            String::new()
        })
    };
    match source.transform {
        Transform::TempatTanggal | Transform::Umur => {
            let i = find(keys, &source.names)?;
            let column = &raw.columns[i];
            let values: Vec<String> = column
                .iter()
                .map(|v| {
                    let out = match source.transform {
                        Transform::TempatTanggal => place_and_date(v),
                        _ => birth_span(v, reference),
                    };
                    count(out, v)
                })
                .collect();
            Some((
                values.collect_column(),
                vec![raw.header[i].clone()],
                source.transform,
                failed,
            ))
        }
        Transform::Wilayah => {
            let index = regions?;
            let desa = find(keys, &source.names);
            let kec = find(keys, &source.kecamatan);
            let kab = find(keys, &source.kabupaten);
            if desa.is_none() && kec.is_none() {
                return None;
            }
            let cell = |c: Option<usize>, r: usize| c.map_or("", |c| raw.columns[c].get(r));
            // Lists repeat a few hundred places; each is resolved once.
            let mut known: HashMap<(&str, &str, &str), String> = HashMap::new();
            let values: Vec<String> = (0..raw.rows())
                .map(|r| {
                    let place = (cell(kab, r), cell(kec, r), cell(desa, r));
                    let code = known
                        .entry(place)
                        .or_insert_with(|| region_code(index, place.0, place.1, place.2))
                        .clone();
                    let written = format!("{}{}{}", place.0, place.1, place.2);
                    count((!code.is_empty()).then_some(code), &written)
                })
                .collect();
            let headers = [kab, kec, desa]
                .into_iter()
                .flatten()
                .map(|i| raw.header[i].clone())
                .collect();
            Some((values.collect_column(), headers, source.transform, failed))
        }
    }
}

trait CollectColumn {
    fn collect_column(self) -> TextColumn;
}

impl<I: IntoIterator<Item = String>> CollectColumn for I {
    fn collect_column(self) -> TextColumn {
        let owned: Vec<String> = self.into_iter().collect();
        owned.iter().map(String::as_str).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_dates_and_ages_are_read() {
        assert_eq!(
            place_and_date("Selong, 12-05-1980").as_deref(),
            Some("12-05-1980")
        );
        assert_eq!(
            place_and_date("Selong 12/05/1980").as_deref(),
            Some("12/05/1980")
        );
        assert_eq!(
            place_and_date("Mataram, 12 Mei 1980").as_deref(),
            Some("1980-05-12")
        );
        assert_eq!(place_and_date("1980").as_deref(), Some("1980"));
        assert_eq!(place_and_date("Selong"), None);
        assert_eq!(
            birth_span("45", (2026, 101)).as_deref(),
            Some("1980-01-02/1981-01-01")
        );
        assert_eq!(
            birth_span("45 tahun", (2025, 930)).as_deref(),
            Some("1979-10-01/1980-09-30")
        );
        // 29 February counted back to a year without one.
        assert_eq!(
            birth_span("1", (2024, 229)).as_deref(),
            Some("2022-03-01/2023-02-28")
        );
        assert_eq!(birth_span("empat", (2026, 101)), None);
        assert_eq!(header_key("NO. KK"), header_key("no_kk"));
    }
}
