//! The institution registries as users bring them (CSV or XLSX, the same columns as the
//! export): LKS, LKKS and partners. A row whose cells cannot be read is listed with its line,
//! column and reason; the store checks the rest and lists what it refuses in turn.

use chrono::NaiveDate;
use sinergi_core::institution::{
    BoardMember, BoardPosition, Disaggregation, FormationStatus, Grade, Helix, LkksBody, LkksInput,
    LksInput, PartnerInput,
};
use sinergi_core::{Msg, Ppks, RegionCode, Table};

use crate::table::RowError;

/// LKS registry columns, in export order (import accepts any order; extra columns such as
/// the region name are ignored).
pub const LKS_COLUMNS: [&str; 27] = [
    "kode_lks",
    "nama",
    "kode_wilayah",
    "alamat",
    "lintang",
    "bujur",
    "layanan_ppks",
    "kapasitas",
    "klien_laki_laki",
    "klien_perempuan",
    "klien_anak",
    "klien_dewasa",
    "klien_lansia",
    "klien_disabilitas",
    "akta_notaris",
    "tanggal_akta",
    "sk_kemenkumham",
    "npwp",
    "tanda_daftar",
    "tanda_daftar_berlaku",
    "izin_operasional",
    "izin_berlaku",
    "akreditasi",
    "tanggal_akreditasi",
    "narahubung",
    "telepon",
    "surel",
];

pub const LKKS_COLUMNS: [&str; 16] = [
    "kode_wilayah",
    "nama",
    "sebutan",
    "status",
    "no_sk",
    "tanggal_sk",
    "ditandatangani_oleh",
    "periode_mulai",
    "periode_selesai",
    "alamat",
    "telepon",
    "surel",
    "ketua_umum",
    "ketua_harian",
    "sekretaris",
    "bendahara",
];

pub const PARTNER_COLUMNS: [&str; 11] = [
    "kode_mitra",
    "nama",
    "kode_wilayah",
    "peran",
    "jenis",
    "sektor",
    "wilayah_kerja",
    "narahubung",
    "telepon",
    "surel",
    "alamat",
];

/// Rows read, each with its line, and the rows refused while reading.
#[derive(Debug, Clone, Default)]
pub struct RegistryRows<T> {
    pub rows: Vec<(u64, T)>,
    pub rejected: Vec<RowError>,
}

/// One data row, read by column name.
struct Cells<'a> {
    table: &'a Table,
    index: &'a [(String, usize)],
    row: usize,
    line: u64,
    errors: Vec<RowError>,
}

impl Cells<'_> {
    fn get(&self, name: &str) -> &str {
        self.index
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, i)| self.table.columns[*i].get(self.row).trim())
    }

    fn text(&self, name: &str) -> Option<String> {
        Some(self.get(name).to_string()).filter(|s| !s.is_empty())
    }

    fn fail(&mut self, column: &str, reason: Msg) {
        self.errors.push(RowError {
            line: self.line,
            column: Some(column.to_string()),
            reason,
        });
    }

    fn region(&mut self, name: &str) -> Option<RegionCode> {
        let v = self.get(name).to_string();
        if v.is_empty() {
            return None;
        }
        match RegionCode::parse(&v) {
            Ok(c) => Some(c),
            Err(_) => {
                self.fail(
                    name,
                    Msg::new("institution.region_malformed").arg("value", &v),
                );
                None
            }
        }
    }

    fn date(&mut self, name: &str) -> Option<NaiveDate> {
        let v = self.get(name).to_string();
        if v.is_empty() {
            return None;
        }
        match parse_date(&v) {
            Some(d) => Some(d),
            None => {
                self.fail(
                    name,
                    Msg::new("institution.date_malformed").arg("value", &v),
                );
                None
            }
        }
    }

    fn count(&mut self, name: &str) -> u32 {
        let v = self.get(name).to_string();
        if v.is_empty() {
            return 0;
        }
        match v.replace('.', "").parse::<u32>() {
            Ok(n) => n,
            Err(_) => {
                self.fail(
                    name,
                    Msg::new("institution.count_malformed").arg("value", &v),
                );
                0
            }
        }
    }

    fn decimal(&mut self, name: &str) -> Option<f64> {
        let v = self.get(name).to_string();
        if v.is_empty() {
            return None;
        }
        match v.replace(',', ".").parse::<f64>() {
            Ok(n) if n.is_finite() => Some(n),
            _ => {
                self.fail(
                    name,
                    Msg::new("institution.decimal_malformed").arg("value", &v),
                );
                None
            }
        }
    }

    fn list(&self, name: &str) -> Vec<String> {
        self.get(name)
            .split([';', ','])
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }
}

/// A date in any form `sinergi_core::parse_date` knows (`2025-03-31`, `31/03/2025`, …).
pub fn parse_date(v: &str) -> Option<NaiveDate> {
    sinergi_core::parse_date(v).ok()
}

/// Reads every data row with `read`, after checking that the `required` columns exist.
fn read_rows<T>(
    table: &Table,
    known: &[&str],
    required: &[&str],
    read: impl Fn(&mut Cells) -> T,
) -> Result<RegistryRows<T>, Vec<RowError>> {
    let index: Vec<(String, usize)> = table
        .header
        .iter()
        .enumerate()
        .map(|(i, h)| (crate::table::fold_header(h), i))
        .filter(|(h, _)| known.contains(&h.as_str()))
        .collect();
    let missing: Vec<RowError> = required
        .iter()
        .filter(|r| !index.iter().any(|(h, _)| h == *r))
        .map(|r| RowError {
            line: 1,
            column: Some(r.to_string()),
            reason: Msg::new("institution.column_missing"),
        })
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    let mut out = RegistryRows {
        rows: Vec::new(),
        rejected: Vec::new(),
    };
    let rows = table.columns.first().map_or(0, |c| c.len());
    for row in 0..rows {
        let mut cells = Cells {
            table,
            index: &index,
            row,
            line: u64::from(table.lines[row]),
            errors: Vec::new(),
        };
        let value = read(&mut cells);
        if cells.errors.is_empty() {
            out.rows.push((cells.line, value));
        } else {
            out.rejected.extend(cells.errors);
        }
    }
    Ok(out)
}

/// The LKS registry.
pub fn read_lks(table: &Table) -> Result<RegistryRows<LksInput>, Vec<RowError>> {
    read_rows(
        table,
        &LKS_COLUMNS,
        &["kode_lks", "nama", "kode_wilayah"],
        |c| {
            let mut services = Vec::new();
            for s in c.list("layanan_ppks") {
                match Ppks::lookup(&s) {
                    Ok(p) => services.push(p),
                    Err(_) => c.fail(
                        "layanan_ppks",
                        Msg::new("institution.ppks_unknown").arg("value", &s),
                    ),
                }
            }
            let grade = c
                .text("akreditasi")
                .filter(|g| !g.eq_ignore_ascii_case("belum"));
            let grade = match grade {
                None => None,
                Some(g) => match Grade::from_key(&g) {
                    Some(g) => Some(g),
                    None => {
                        c.fail(
                            "akreditasi",
                            Msg::new("institution.grade_unknown").arg("value", &g),
                        );
                        None
                    }
                },
            };
            let accredited_on = c.date("tanggal_akreditasi");
            let accreditation = match (grade, accredited_on) {
                (Some(g), Some(d)) => Some((g, d)),
                (None, None) => None,
                (Some(_), None) => {
                    c.fail(
                        "tanggal_akreditasi",
                        Msg::new("institution.grade_date_required"),
                    );
                    None
                }
                (None, Some(_)) => {
                    c.fail("akreditasi", Msg::new("institution.grade_missing"));
                    None
                }
            };
            LksInput {
                key: c.get("kode_lks").to_string(),
                name: c.get("nama").to_string(),
                region: c.region("kode_wilayah"),
                address: c.text("alamat"),
                latitude: c.decimal("lintang"),
                longitude: c.decimal("bujur"),
                deed_number: c.text("akta_notaris"),
                deed_date: c.date("tanggal_akta"),
                kemenkumham_decree: c.text("sk_kemenkumham"),
                npwp: c.text("npwp"),
                registration_number: c.text("tanda_daftar"),
                registration_until: c.date("tanda_daftar_berlaku"),
                permit_number: c.text("izin_operasional"),
                permit_until: c.date("izin_berlaku"),
                accreditation,
                services,
                capacity: c.count("kapasitas"),
                clients: Disaggregation {
                    male: c.count("klien_laki_laki"),
                    female: c.count("klien_perempuan"),
                    child: c.count("klien_anak"),
                    adult: c.count("klien_dewasa"),
                    elderly: c.count("klien_lansia"),
                    disability: c.count("klien_disabilitas"),
                },
                contact_name: c.text("narahubung"),
                phone: c.text("telepon"),
                email: c.text("surel"),
            }
        },
    )
}

/// The LKKS network (keyed by region).
pub fn read_lkks(table: &Table) -> Result<RegistryRows<LkksInput>, Vec<RowError>> {
    read_rows(
        table,
        &LKKS_COLUMNS,
        &["kode_wilayah", "nama", "status"],
        |c| {
            let status_text = c.get("status").to_string();
            let status = FormationStatus::from_key(&status_text.replace(' ', "_"));
            if status.is_none() && !status_text.is_empty() {
                c.fail(
                    "status",
                    Msg::new("institution.status_unknown").arg("value", &status_text),
                );
            }
            let body = c.text("sebutan").and_then(|b| {
                let found = LkksBody::from_key(&b);
                if found.is_none() {
                    c.fail(
                        "sebutan",
                        Msg::new("institution.body_unknown").arg("value", &b),
                    );
                }
                found
            });
            let board: Vec<BoardMember> = [
                ("ketua_umum", BoardPosition::KetuaUmum),
                ("ketua_harian", BoardPosition::KetuaHarian),
                ("sekretaris", BoardPosition::Sekretaris),
                ("bendahara", BoardPosition::Bendahara),
            ]
            .into_iter()
            .filter_map(|(col, position)| {
                c.text(col).map(|name| BoardMember {
                    position,
                    title: None,
                    name,
                    phone: None,
                    email: None,
                })
            })
            .collect();
            LkksInput {
                region: c.region("kode_wilayah"),
                name: c.get("nama").to_string(),
                body,
                status,
                decree_number: c.text("no_sk"),
                decree_date: c.date("tanggal_sk"),
                decree_signed_by: c.text("ditandatangani_oleh"),
                term_start: c.date("periode_mulai"),
                term_end: c.date("periode_selesai"),
                address: c.text("alamat"),
                phone: c.text("telepon"),
                email: c.text("surel"),
                board: Some(board),
            }
        },
    )
}

/// The partner directory.
pub fn read_partners(table: &Table) -> Result<RegistryRows<PartnerInput>, Vec<RowError>> {
    read_rows(
        table,
        &PARTNER_COLUMNS,
        &["kode_mitra", "nama", "kode_wilayah", "peran"],
        |c| {
            let helix_text = c.get("peran").to_string();
            let helix = Helix::from_key(&helix_text.replace([' ', '/'], "_"));
            if helix.is_none() && !helix_text.is_empty() {
                c.fail(
                    "peran",
                    Msg::new("institution.helix_unknown").arg("value", &helix_text),
                );
            }
            let mut areas = Vec::new();
            for a in c.list("wilayah_kerja") {
                match RegionCode::parse(&a) {
                    Ok(code) => areas.push(code),
                    Err(_) => c.fail(
                        "wilayah_kerja",
                        Msg::new("institution.region_malformed").arg("value", &a),
                    ),
                }
            }
            PartnerInput {
                key: c.get("kode_mitra").to_string(),
                name: c.get("nama").to_string(),
                region: c.region("kode_wilayah"),
                helix,
                kind: c.text("jenis"),
                sectors: c.list("sektor"),
                areas,
                contact_name: c.text("narahubung"),
                phone: c.text("telepon"),
                email: c.text("surel"),
                address: c.text("alamat"),
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::columns::read_csv_table;

    #[test]
    fn reads_lks_rows_and_names_bad_cells() {
        let csv = "kode_lks;nama;kode_wilayah;layanan_ppks;kapasitas;klien_laki_laki;klien_perempuan;klien_lansia;akreditasi;tanggal_akreditasi;lintang;bujur;wilayah\n\
                   LKS-1;Panti Kasih;52.03.05.2003;LUT, 9;20;5;5;10;B;15/01/2024;-8,65;116,5;Masbagik Selatan\n\
                   LKS-2;Rusak;52.03.05;XYZ;dua;;;;D;;;;\n";
        let t = read_csv_table(csv.as_bytes()).unwrap();
        let read = read_lks(&t).unwrap();
        assert_eq!(read.rows.len(), 1);
        let (line, lks) = &read.rows[0];
        assert_eq!(*line, 2);
        assert_eq!(
            lks.services,
            vec![Ppks::LanjutUsiaTerlantar, Ppks::PenyandangDisabilitas]
        );
        assert_eq!(
            lks.accreditation,
            Some((Grade::B, NaiveDate::from_ymd_opt(2024, 1, 15).unwrap()))
        );
        assert_eq!(lks.latitude, Some(-8.65));
        assert_eq!(lks.clients.total(), 10);
        let cols: Vec<&str> = read
            .rejected
            .iter()
            .map(|e| e.column.as_deref().unwrap())
            .collect();
        assert_eq!(cols, ["layanan_ppks", "akreditasi", "kapasitas"]);
        assert_eq!(
            read.rejected[0].reason,
            Msg::new("institution.ppks_unknown").arg("value", "XYZ")
        );
        assert_eq!(read.rejected[2].reason.key, "institution.count_malformed");
        assert!(read.rejected.iter().all(|e| e.line == 3));
    }

    #[test]
    fn missing_required_columns_refuse_the_file() {
        let t = read_csv_table(b"nama,kode_wilayah\nA,52\n").unwrap();
        let e = read_lks(&t).unwrap_err();
        assert_eq!(e[0].column.as_deref(), Some("kode_lks"));
        assert_eq!(e[0].line, 1);
    }

    #[test]
    fn reads_lkks_and_partners() {
        let t = read_csv_table(
            "kode_wilayah,nama,status,no_sk,tanggal_sk,ketua_umum\n52.03,LKKS Lombok Timur,aktif,1/2024,2024-03-01,Ny. Rahmi\n52.04,LKKS Sumbawa,hidup,,,\n".as_bytes(),
        )
        .unwrap();
        let r = read_lkks(&t).unwrap();
        assert_eq!(r.rows.len(), 1);
        assert_eq!(r.rows[0].1.board.as_ref().unwrap()[0].name, "Ny. Rahmi");
        assert_eq!(r.rejected[0].column.as_deref(), Some("status"));
        let t = read_csv_table(
            "kode_mitra,nama,kode_wilayah,peran,sektor,wilayah_kerja\nM01,PT A,52,dunia usaha,pendidikan;lansia,52.03;52.04\n".as_bytes(),
        )
        .unwrap();
        let r = read_partners(&t).unwrap();
        assert_eq!(r.rows[0].1.helix, Some(Helix::DuniaUsaha));
        assert_eq!(r.rows[0].1.areas.len(), 2);
        assert_eq!(r.rows[0].1.sectors, ["pendidikan", "lansia"]);
    }
}
