//! The 4W page at province scale, on SQLite and PostgreSQL: 2,000 generated programs of 40
//! partners over every NTB desa. Every level (kab/kota, kecamatan, desa) stays under the page
//! budget, the matrix rows are paged with every row on exactly one page, the totals under the
//! table are those of all rows on every page, and the map stays light (grouped one level up
//! when there are too many places).

use crate::common;

use std::collections::BTreeSet;

use chrono::NaiveDate;
use common::{Client, assert_light_and_local, start};
use sinergi_core::program::{
    AidType, FundingSource, ProgramInput, ProgramLocation, ProgramStatus, Reached, Sector,
    TargetGroup,
};
use sinergi_core::{Level, RegionCode, Role, Scope};
use sinergi_store::{NewUser, OrganisationKind};
use sinergi_testkit::TestDb;

const PASSWORD: &str = "kata-sandi-uji-4w-1";

/// Deterministic draws (xorshift), so both backends get the same world.
struct Draw(u64);

impl Draw {
    fn below(&mut self, n: usize) -> usize {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x % n as u64) as usize
    }
}

async fn province_world(db: &TestDb) {
    let store = db.open_seeded().await;
    let ntb = RegionCode::parse("52").unwrap();
    let desa: Vec<RegionCode> = sinergi_refdata::wilayah()
        .unwrap()
        .iter()
        .filter(|e| e.code.level() == Level::Desa && ntb.contains(&e.code))
        .map(|e| e.code.clone())
        .collect();
    assert!(desa.len() > 1000, "NTB has {} desa", desa.len());
    let mut orgs = Vec::new();
    for i in 0..40 {
        orgs.push(
            store
                .as_system("cli")
                .create_organisation(OrganisationKind::Mitra, &format!("Mitra {i:02}"), &ntb)
                .await
                .unwrap(),
        );
    }
    let mut d = Draw(7);
    let inputs: Vec<ProgramInput> = (0..2_000)
        .map(|i| {
            let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()
                + chrono::Duration::days(d.below(700) as i64);
            let first = d.below(desa.len() - 40);
            let mut locations: Vec<ProgramLocation> = (0..3 + d.below(10))
                .map(|_| ProgramLocation {
                    region: desa[first + d.below(40)].clone(),
                    planned: 10 + d.below(200) as u64,
                    reached: 0,
                })
                .collect();
            locations.sort_by(|a, b| a.region.cmp(&b.region));
            locations.dedup_by(|a, b| a.region == b.region);
            ProgramInput {
                organisation_id: orgs[d.below(orgs.len())],
                code: format!("P{i:04}"),
                name: format!("Program {i}"),
                sector: Sector::ALL[d.below(Sector::ALL.len())],
                ppks: vec![],
                aid_type: AidType::Barang,
                funding: FundingSource::ALL[d.below(FundingSource::ALL.len())],
                budget_rp: 1_000_000 * (1 + d.below(500) as u64),
                start,
                end: start + chrono::Duration::days(180),
                status: ProgramStatus::Berjalan,
                target: TargetGroup::default(),
                planned: 0,
                reached: Reached::default(),
                locations,
            }
        })
        .collect();
    store
        .as_system("test")
        .save_programs(&inputs)
        .await
        .unwrap();
    store
        .as_system("cli")
        .create_user(NewUser {
            username: "admin.ntb".into(),
            display_name: "Admin NTB".into(),
            password: PASSWORD.into(),
            role: Role::AdminProvinsi,
            scope: Scope {
                regions: vec![ntb],
                organisation: None,
            },
        })
        .await
        .unwrap();
    store.close().await;
}

/// Region codes of the matrix rows on a page (`<code>` inside a row header).
fn row_codes(body: &str) -> Vec<String> {
    body.split("<th scope=\"row\"><a href=\"/program?wilayah=")
        .skip(1)
        .map(|s| s.split('"').next().unwrap().to_string())
        .collect()
}

/// The footer row of the matrix (the totals), as text.
fn footer(body: &str) -> String {
    let start = body.find("<tfoot>").expect("matrix footer");
    let end = body[start..].find("</tfoot>").unwrap();
    body[start..start + end].to_string()
}

#[test]
fn every_level_of_the_4w_page_is_paged_and_light_at_2000_programs() {
    let dbs = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let dbs = TestDb::all().await;
            for db in &dbs {
                province_world(db).await;
            }
            dbs
        });
    for db in dbs {
        let label = db.label;
        let (base, _stop) = start(db);
        let mut admin = Client::new(&base);
        assert_eq!(admin.login("admin.ntb", PASSWORD).status, 303, "{label}");
        // By partner (40 columns) a page holds fewer rows; its 130 pages are not all walked.
        for (level, path, walk) in [
            ("kabkota", "/4w", true),
            ("kecamatan", "/4w?tingkat=kecamatan", true),
            ("desa", "/4w?tingkat=desa", true),
            ("desa", "/4w?tingkat=desa&kolom=mitra&nilai=anggaran", false),
        ] {
            // The API pages the rows too (`hal`, `per`); its pages together are every row,
            // and each page carries the totals of the whole matrix.
            let mut all: Vec<String> = Vec::new();
            let mut api_page = 1;
            let total_rows = loop {
                let api: serde_json::Value = serde_json::from_str(
                    &admin
                        .get(&format!(
                            "/api/v1/4w?per=500&hal={api_page}&{}",
                            path.split_once('?').map_or("", |p| p.1)
                        ))
                        .body,
                )
                .unwrap();
                assert_eq!(api["total"]["programs"], 2000, "{label} {path}");
                let rows = api["rows"].as_array().unwrap();
                assert!(rows.len() <= 500, "{label} {path}");
                all.extend(rows.iter().map(|r| r["code"].as_str().unwrap().to_string()));
                if rows.is_empty() {
                    break api["total_rows"].as_u64().unwrap();
                }
                api_page += 1;
            };
            assert_eq!(all.len() as u64, total_rows, "{label} {path}: API pages");
            // Walk every page: each row once, in order, totals the same on each page.
            let sep = if path.contains('?') { '&' } else { '?' };
            let mut seen = Vec::new();
            let mut page = 1;
            let mut first = String::new();
            let mut last_codes;
            loop {
                let got = admin.get(&format!("{path}{sep}hal={page}"));
                assert_eq!(got.status, 200, "{label} {path} page {page}");
                assert_light_and_local(&format!("{label} {path} page {page}"), &got.body);
                if page == 1 {
                    assert!(got.body.contains("<svg"), "{label} {path}: no map");
                    first = got.body.clone();
                }
                assert_eq!(
                    footer(&got.body),
                    footer(&first),
                    "{label} {path} page {page}"
                );
                let codes = row_codes(&got.body);
                assert!(!codes.is_empty(), "{label} {path} page {page} has no rows");
                assert!(codes.len() <= 40, "{label} {path} page {page}");
                seen.extend(codes.iter().cloned());
                last_codes = codes;
                if !got.body.contains("rel=\"next\"") {
                    break;
                }
                if !walk {
                    // Jump to the last page (past the end shows it) and stop there.
                    let last = admin.get(&format!("{path}{sep}hal=999"));
                    assert_light_and_local(&format!("{label} {path} last page"), &last.body);
                    assert_eq!(footer(&last.body), footer(&first), "{label} {path}");
                    assert!(!row_codes(&last.body).is_empty(), "{label} {path}");
                    break;
                }
                page += 1;
                assert!(page < 100, "{label} {path}: pages never end");
            }
            if walk {
                assert_eq!(seen, all, "{label} {path}: pages hold every row once");
                let unique: BTreeSet<&String> = seen.iter().collect();
                assert_eq!(unique.len(), all.len(), "{label} {path}");
                // A page past the end (an old link) shows the last page.
                let past = admin.get(&format!("{path}{sep}hal=999"));
                assert_eq!(past.status, 200, "{label} {path}");
                assert_eq!(row_codes(&past.body), last_codes, "{label} {path}");
            }
            if level != "kabkota" {
                assert!(
                    first.contains("rel=\"next\""),
                    "{label} {path}: {} rows on one page",
                    all.len()
                );
            }
            if level == "desa" {
                // Over a thousand desa: the map draws their kecamatan and says so.
                assert!(all.len() > 1000, "{label}: {} desa rows", all.len());
                assert!(
                    first.contains("menggabungkannya per tingkat: Kecamatan"),
                    "{label} {path}: no note on the grouped map"
                );
            }
        }
    }
}
