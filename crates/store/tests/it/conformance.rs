//! One suite, both backends: every test runs on SQLite and on PostgreSQL
//! (see sinergi-testkit for how PostgreSQL is found, and when it may be skipped).

use chrono::NaiveDate;
use sinergi_core::{
    Level, Nik, NikError, NikWarning, RegionCode, RegionEntry, RegionKind, RegionQuery,
};
use sinergi_store::{Page, Store, StoreError};
use sinergi_testkit::TestDb;

fn code(s: &str) -> RegionCode {
    RegionCode::parse(s).unwrap()
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn entry(c: &str, name: &str) -> RegionEntry {
    RegionEntry {
        code: code(c),
        name: name.to_string(),
        latitude: None,
        longitude: None,
    }
}

async fn seeded(db: &TestDb) -> Store {
    let store = db.open().await;
    let list = sinergi_refdata::wilayah().unwrap();
    let summary = store
        .apply_region_list(
            &list,
            sinergi_refdata::wilayah_effective_date(),
            sinergi_refdata::WILAYAH_SOURCE,
        )
        .await
        .unwrap();
    assert_eq!(summary.added, 91_599, "{}", db.label);
    store
}

/// A small register: NTB with two kab, one kecamatan each, a few desa.
fn mini_list() -> Vec<RegionEntry> {
    vec![
        entry("52", "Nusa Tenggara Barat"),
        entry("52.03", "Kabupaten Lombok Timur"),
        entry("52.03.05", "Masbagik"),
        entry("52.03.05.2001", "Masbagik Utara"),
        entry("52.03.05.2002", "Masbagik Selatan"),
        entry("52.03.05.2003", "Kumbang"),
        entry("52.72", "Kota Bima"),
        entry("52.72.01", "Rasanae Barat"),
        entry("52.72.01.1001", "Dara"),
        entry("33", "Jawa Tengah"),
        entry("33.01", "Kabupaten Cilacap"),
    ]
}

#[tokio::test]
async fn embedded_register_loads_with_official_counts_and_lookups() {
    for db in TestDb::all().await {
        let store = seeded(&db).await;
        let l = db.label;
        let all = store.region_counts_below(None).await.unwrap();
        assert_eq!(
            (all.provinsi, all.kabkota, all.kecamatan, all.desa),
            (38, 514, 7_285, 83_762),
            "{l}"
        );

        let ntb = store.region_counts_below(Some(&code("52"))).await.unwrap();
        assert_eq!(
            (ntb.kabkota, ntb.kecamatan, ntb.desa),
            (10, 117, 1_166),
            "{l}"
        );

        let provinces = store.region_children(None).await.unwrap();
        assert_eq!(provinces.len(), 38, "{l}");
        let p52 = provinces
            .iter()
            .find(|c| c.region.code.as_str() == "52")
            .unwrap();
        assert_eq!(p52.below.desa, 1_166, "{l}");
        assert_eq!(p52.below.kabkota, 10, "{l}");

        let kabs = store.region_children(Some(&code("52"))).await.unwrap();
        assert_eq!(kabs.len(), 10, "{l}");
        let lotim = kabs
            .iter()
            .find(|c| c.region.code.as_str() == "52.03")
            .unwrap();
        assert_eq!(lotim.region.name, "Kabupaten Lombok Timur");
        assert_eq!(lotim.region.kind, RegionKind::Kabupaten);
        assert_eq!((lotim.below.kecamatan, lotim.below.desa), (21, 254), "{l}");
        let kota = kabs
            .iter()
            .filter(|c| c.region.kind == RegionKind::Kota)
            .count();
        assert_eq!(kota, 2, "{l}");

        // By code, dotted or not; ancestors; a leaf has no children.
        let desa = store.region(&code("5203052003")).await.unwrap().unwrap();
        assert_eq!(desa.level(), Level::Desa);
        assert!(desa.latitude.is_some() && desa.is_current());
        let trail: Vec<String> = store
            .region_ancestors(&desa.code)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.name)
            .collect();
        assert_eq!(
            trail,
            ["Nusa Tenggara Barat", "Kabupaten Lombok Timur", "Masbagik"],
            "{l}"
        );
        assert!(
            store
                .region_children(Some(&desa.code))
                .await
                .unwrap()
                .is_empty()
        );
        assert!(store.region(&code("52.99")).await.unwrap().is_none());

        let names = store
            .region_names(&[code("52"), code("52.72"), code("99")])
            .await
            .unwrap();
        assert_eq!(names.len(), 2);
        assert_eq!(names["52.72"], "Kota Bima");
    }
}

#[tokio::test]
async fn name_search_understands_kab_and_kota_and_pages() {
    for db in TestDb::all().await {
        let store = seeded(&db).await;
        let l = db.label;
        let search = |q: &str, page: u32| {
            let store = store.clone();
            let q = RegionQuery::parse(q).unwrap();
            async move {
                store
                    .search_regions(&q, Page::new(Some(page), Some(10), 10))
                    .await
                    .unwrap()
            }
        };
        let kota = search("Kota Bima", 1).await;
        assert_eq!(kota.items[0].code.as_str(), "52.72", "{l}");
        assert!(
            kota.items.iter().all(|r| r.code.as_str() != "52.06"),
            "{l}: Kab. Bima must not match Kota Bima"
        );

        let kab = search("kab. bima", 1).await;
        assert_eq!(kab.items[0].code.as_str(), "52.06", "{l}");
        let kab_long = search("KABUPATEN BIMA", 1).await;
        assert_eq!(kab_long.items[0].code.as_str(), "52.06", "{l}");

        let plain = search("bima", 1).await;
        let codes: Vec<&str> = plain.items.iter().map(|r| r.code.as_str()).collect();
        assert!(
            codes.contains(&"52.06") && codes.contains(&"52.72"),
            "{l}: {codes:?}"
        );

        let lotim = search("lombok TIMUR", 1).await;
        assert_eq!(lotim.items[0].code.as_str(), "52.03", "{l}");

        // Exact names before partial ones; pages cut the same total.
        let masbagik = search("masbagik", 1).await;
        assert_eq!(masbagik.items[0].code.as_str(), "52.03.05", "{l}");
        assert!(masbagik.total >= 5, "{l}");

        let utara = search("utara", 1).await;
        let expected = sinergi_refdata::wilayah()
            .unwrap()
            .iter()
            .filter(|e| sinergi_core::fold_text(&e.name).contains("utara"))
            .count() as u64;
        assert_eq!(utara.total, expected, "{l}");
        assert!(expected > 100);
        let page2 = search("utara", 2).await;
        assert_eq!(page2.total, utara.total);
        assert_eq!(page2.items.len(), 10);
        assert!(
            page2.items.iter().all(|r| !utara.items.contains(r)),
            "{l}: pages overlap"
        );

        assert_eq!(search("zzzz tidak ada", 1).await.total, 0);
    }
}

#[tokio::test]
async fn an_update_retires_codes_keeps_names_and_follows_successors() {
    for db in TestDb::all().await {
        let store = db.open().await;
        let l = db.label;
        store
            .apply_region_list(&mini_list(), date(2025, 4, 25), "dasar")
            .await
            .unwrap();

        // 2026: Kumbang is recoded (2003 → 2004), Masbagik renamed, a new kecamatan split off.
        let mut next: Vec<RegionEntry> = mini_list()
            .into_iter()
            .filter(|e| e.code.as_str().starts_with("52"))
            .collect();
        next.retain(|e| e.code.as_str() != "52.03.05.2003");
        next.push(entry("52.03.05.2004", "Kumbang"));
        next.push(entry("52.03.06", "Masbagik Baru"));
        for e in &mut next {
            if e.code.as_str() == "52.03.05" {
                e.name = "Masbagik Raya".into();
            }
        }
        let summary = store
            .apply_region_list(&next, date(2026, 1, 1), "Kepmendagri 2026")
            .await
            .unwrap();
        assert_eq!(
            (
                summary.added,
                summary.renamed,
                summary.retired,
                summary.reactivated,
                summary.historical
            ),
            (2, 1, 1, 0, false),
            "{l}"
        );

        let old = store.region(&code("52.03.05.2003")).await.unwrap().unwrap();
        assert_eq!(old.valid_to, Some(date(2026, 1, 1)), "{l}");
        assert_eq!(old.replaced_by, Some(code("52.03.05.2004")), "{l}");
        assert!(!old.is_current());

        let kec = store.region(&code("52.03.05")).await.unwrap().unwrap();
        assert_eq!(kec.name, "Masbagik Raya");
        let former = store.region_former_names(&code("52.03.05")).await.unwrap();
        assert_eq!(former.len(), 1, "{l}");
        assert_eq!(former[0].0, "Masbagik");
        assert_eq!(former[0].2, Some(date(2026, 1, 1)));

        // Jawa Tengah was not in the file: untouched.
        assert!(
            store
                .region(&code("33.01"))
                .await
                .unwrap()
                .unwrap()
                .is_current(),
            "{l}"
        );

        // Counts and children see current codes only; search lists the retired one last.
        let below = store
            .region_counts_below(Some(&code("52.03")))
            .await
            .unwrap();
        assert_eq!((below.kecamatan, below.desa), (2, 3), "{l}");
        let kids = store
            .region_children(Some(&code("52.03.05")))
            .await
            .unwrap();
        assert!(
            kids.iter()
                .all(|c| c.region.code.as_str() != "52.03.05.2003")
        );
        let found = store
            .search_regions(
                &RegionQuery::parse("kumbang").unwrap(),
                Page::new(None, None, 10),
            )
            .await
            .unwrap();
        let codes: Vec<&str> = found.items.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, ["52.03.05.2004", "52.03.05.2003"], "{l}");

        // Bringing the old code back reactivates it.
        let mut again = next.clone();
        again.push(entry("52.03.05.2003", "Kumbang Lama"));
        let s = store
            .apply_region_list(&again, date(2026, 6, 1), "ralat")
            .await
            .unwrap();
        assert_eq!((s.reactivated, s.added), (1, 0), "{l}");
        let back = store.region(&code("52.03.05.2003")).await.unwrap().unwrap();
        assert!(back.is_current() && back.replaced_by.is_none(), "{l}");
        assert_eq!(back.name, "Kumbang Lama");

        let versions = store.region_versions().await.unwrap();
        let sources: Vec<&str> = versions.iter().map(|v| v.source.as_str()).collect();
        assert_eq!(sources, ["ralat", "Kepmendagri 2026", "dasar"], "{l}");
    }
}

#[tokio::test]
async fn an_older_list_adds_history_only() {
    for db in TestDb::all().await {
        let store = db.open().await;
        let l = db.label;
        let base = vec![
            entry("91", "Papua"),
            entry("93", "Papua Selatan"),
            entry("93.01", "Kabupaten Merauke"),
            entry("93.01.01", "Merauke"),
            entry("91.03", "Kabupaten Jayapura"),
        ];
        store
            .apply_region_list(&base, date(2025, 4, 25), "2025")
            .await
            .unwrap();
        let old = vec![
            entry("91", "PAPUA"),
            entry("91.01", "KAB. MERAUKE"),
            entry("91.01.01", "Merauke"),
            entry("91.03", "KAB. JAYAPURA SENTANI"),
        ];
        let s = store
            .apply_region_list(&old, date(2020, 1, 1), "2020")
            .await
            .unwrap();
        assert!(s.historical, "{l}");
        assert_eq!((s.added, s.renamed, s.retired), (2, 1, 0), "{l}");

        let merauke = store.region(&code("91.01")).await.unwrap().unwrap();
        assert_eq!(merauke.valid_from, Some(date(2020, 1, 1)), "{l}");
        assert_eq!(merauke.valid_to, Some(date(2025, 4, 25)), "{l}");
        assert_eq!(merauke.replaced_by, Some(code("93.01")), "{l}");
        let kec = store.region(&code("91.01.01")).await.unwrap().unwrap();
        assert_eq!(kec.replaced_by, Some(code("93.01.01")), "{l}");

        // Codes in both lists now reach back to 2020 and keep their current name.
        let jayapura = store.region(&code("91.03")).await.unwrap().unwrap();
        assert_eq!(jayapura.valid_from, Some(date(2020, 1, 1)), "{l}");
        assert_eq!(jayapura.name, "Kabupaten Jayapura");
        let former = store.region_former_names(&code("91.03")).await.unwrap();
        assert_eq!(former[0].0, "KAB. JAYAPURA SENTANI", "{l}");
        // A mere change of spelling ("PAPUA") is not a rename.
        assert!(
            store
                .region_former_names(&code("91"))
                .await
                .unwrap()
                .is_empty(),
            "{l}"
        );
        // Retired codes stay out of current counts.
        assert_eq!(
            store.region_counts_below(None).await.unwrap().kabkota,
            2,
            "{l}"
        );

        // The NIK of someone first registered in old 91.01.01 gets a "historical prefix" warning.
        let prefixes = store.region_prefix_table().await.unwrap();
        let parsed = Nik::parse("9101011205900001", Some(&prefixes)).unwrap();
        assert!(
            parsed
                .warnings
                .iter()
                .any(|w| matches!(w, NikWarning::PrefixHistorical { .. })),
            "{l}: {:?}",
            parsed.warnings
        );
        let current = Nik::parse("9301011205900001", Some(&prefixes)).unwrap();
        assert!(current.warnings.is_empty(), "{l}: {:?}", current.warnings);
        let unknown = Nik::parse("5201011205900001", Some(&prefixes)).unwrap_err();
        assert!(
            unknown
                .iter()
                .any(|e| matches!(e, NikError::PrefixUnknown { .. })),
            "{l}"
        );
    }
}

#[tokio::test]
async fn a_refused_list_writes_nothing() {
    for db in TestDb::all().await {
        let store = db.open().await;
        let l = db.label;
        store
            .apply_region_list(&mini_list(), date(2025, 4, 25), "dasar")
            .await
            .unwrap();
        let before = store.region_count().await.unwrap();
        let mut bad = mini_list();
        bad.push(entry("52.03.07", "Baru Tanpa Masalah"));
        bad.push(entry("52.09.01.2001", "Yatim")); // parent 52.09.01 exists nowhere
        bad.push(entry("52.72", "Kota Bima Ganda"));
        let err = store
            .apply_region_list(&bad, date(2026, 1, 1), "salah")
            .await
            .unwrap_err();
        let StoreError::RegionListRejected(refused) = &err else {
            panic!("{l}: {err}")
        };
        let codes: Vec<&str> = refused.iter().map(|r| r.code.as_str()).collect();
        assert_eq!(codes, ["52.09.01.2001", "52.72"], "{l}");
        let text = sinergi_i18n::Messages::new(sinergi_i18n::Lang::Id)
            .render(&sinergi_core::Localized::msg(&err));
        assert!(
            text.contains("induknya 52.09.01") && text.contains("lebih dari sekali"),
            "{l}: {text}"
        );
        assert_eq!(store.region_count().await.unwrap(), before, "{l}");
        assert!(
            store.region(&code("52.03.07")).await.unwrap().is_none(),
            "{l}"
        );
        assert_eq!(store.region_versions().await.unwrap().len(), 1, "{l}");
    }
}

#[tokio::test]
async fn reopening_keeps_data_and_does_not_migrate_twice() {
    for db in TestDb::all().await {
        let store = db.open().await;
        store
            .apply_region_list(&mini_list(), date(2025, 4, 25), "dasar")
            .await
            .unwrap();
        store.close().await;
        let again = db.open().await;
        assert_eq!(
            again.region_count().await.unwrap(),
            mini_list().len() as u64,
            "{}",
            db.label
        );
    }
}

#[tokio::test]
async fn sqlite_failures_get_clear_messages() {
    let dir = tempfile::tempdir().unwrap();
    let corrupt = dir.path().join("rusak.db");
    std::fs::write(
        &corrupt,
        b"ini bukan basis data SQLite, hanya teks biasa yang cukup panjang untuk satu halaman",
    )
    .unwrap();
    let err = Store::open(sinergi_store::DatabaseTarget::Sqlite(corrupt.clone()))
        .await
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::SqliteCorrupt { .. }), "{err}");
    assert!(err.to_string().contains("rusak.db"));

    let missing = dir.path().join("tidak-ada").join("x.db");
    let err = Store::open(sinergi_store::DatabaseTarget::Sqlite(missing))
        .await
        .err()
        .unwrap();
    assert!(matches!(err, StoreError::SqliteCannotOpen { .. }), "{err}");
}

#[tokio::test]
async fn postgres_failures_get_clear_messages_without_secrets() {
    let target =
        sinergi_store::DatabaseTarget::parse("postgres://postgres:rahasia@127.0.0.1:1/x").unwrap();
    let err = Store::open(target).await.err().unwrap();
    assert!(matches!(err, StoreError::Unreachable { .. }), "{err}");
    assert!(!err.to_string().contains("rahasia"), "{err}");
    assert!(err.to_string().contains("127.0.0.1:1"), "{err}");

    let Some(url) = sinergi_testkit::postgres_url() else {
        return;
    };
    let base = url.rsplit_once('/').unwrap().0;
    let target =
        sinergi_store::DatabaseTarget::parse(&format!("{base}/sinergi_tidak_ada_sama_sekali"))
            .unwrap();
    let err = Store::open(target).await.err().unwrap();
    assert!(matches!(err, StoreError::DatabaseMissing { .. }), "{err}");
}

/// The real Kemendagri lists of 2016 and 2023 (from ../shared, when present) applied as
/// history over the embedded 2025 register.
#[tokio::test]
async fn real_historical_lists_resolve_retired_codes() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/wilayah/cahyadsn");
    if !dir.exists() {
        eprintln!(
            "!!! real_historical_lists_resolve_retired_codes SKIPPED: {} not present !!!",
            dir.display()
        );
        return;
    }
    let read = |file: &str| -> Vec<RegionEntry> {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        sinergi_intake::wilayah::read_region_list(&bytes)
            .unwrap()
            .into_iter()
            .map(|(_, e)| e)
            .collect()
    };
    let (list_2023, list_2016) = (read("wilayah_2023.csv"), read("wilayah_2016.csv"));
    for db in TestDb::all().await {
        let store = seeded(&db).await;
        let l = db.label;
        let s = store
            .apply_region_list(
                &list_2023,
                date(2022, 12, 31),
                "Kepmendagri 100.1.1-6117/2022",
            )
            .await
            .unwrap();
        assert!(s.historical && s.added > 0, "{l}");
        store
            .apply_region_list(&list_2016, date(2016, 1, 1), "Permendagri 56/2015")
            .await
            .unwrap();

        let successor = |c: &'static str| {
            let store = store.clone();
            async move {
                store
                    .region(&code(c))
                    .await
                    .unwrap()
                    .unwrap()
                    .replaced_by
                    .map(String::from)
            }
        };
        assert_eq!(
            successor("91.01").await.as_deref(),
            Some("93.01"),
            "{l}: Merauke"
        );
        assert_eq!(
            successor("92.01").await.as_deref(),
            Some("96.01"),
            "{l}: Kabupaten Sorong"
        );
        assert_eq!(
            successor("92.71").await.as_deref(),
            Some("96.71"),
            "{l}: Kota Sorong"
        );
        let sorong = store.region(&code("92.01")).await.unwrap().unwrap();
        assert_eq!(
            (sorong.valid_from, sorong.valid_to),
            (Some(date(2016, 1, 1)), Some(date(2025, 4, 25))),
            "{l}"
        );

        let toba = store.region_former_names(&code("12.12")).await.unwrap();
        assert!(
            toba.iter().any(|(n, _, _)| n == "KAB. TOBA SAMOSIR"),
            "{l}: {toba:?}"
        );
        let current = store.region_counts_below(None).await.unwrap();
        assert_eq!(
            (current.kabkota, current.desa),
            (514, 83_762),
            "{l}: history does not change today's register"
        );
    }
}
