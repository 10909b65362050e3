//! `sinergi realisasi impor`: the realisation file goes through the same use case as the data
//! page, as the named user (whose scope applies), on both backends.

use std::process::{Command, Stdio};

use sinergi_core::Period;
use sinergi_core::strategy::{Direction, IndicatorFields, SourceType, StrategyArea, Target};
use sinergi_testkit::TestDb;
use sinergi_testkit::world::build;

const BIN: &str = env!("CARGO_BIN_EXE_sinergi");

fn indicator() -> IndicatorFields {
    IndicatorFields {
        code: "IK1".into(),
        name: "Perkawinan anak".into(),
        definition: "Definisi".into(),
        formula: "a / b × 100".into(),
        unit: "persen".into(),
        direction: Direction::Lower,
        reference_code: None,
        data_source: "BPS".into(),
        source_type: SourceType::Survey,
        concept: String::new(),
        disaggregations: vec![],
        baseline_year: Some(2024),
        baseline_value: Some(14.96),
        baseline_source: None,
        pic: "LKKS".into(),
        pic_organisation_id: None,
        computation: None,
    }
}

/// Imports as `user`, with the world's personal-data key (the audit chain is keyed with it).
fn import(
    db: &TestDb,
    key: &str,
    dir: &std::path::Path,
    sid: i64,
    user: &str,
    csv: &str,
) -> (i32, String) {
    let file = dir.join(format!("realisasi-{user}.csv"));
    std::fs::write(&file, csv).unwrap();
    let out = Command::new(BIN)
        .args(["realisasi", "impor"])
        .arg(&file)
        .args(["--strategi", &sid.to_string(), "--sebagai", user])
        .args(["--database", &db.arg()])
        .env_remove("DATABASE_URL")
        .env("SINERGI_KUNCI", key)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn realisation_file_is_imported_as_a_user_within_their_scope() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    for db in rt.block_on(TestDb::all()) {
        let l = db.label;
        let (sid, key) = rt.block_on(async {
            let w = build(&db).await;
            let s = w.store.as_system("test");
            let (sid, vid) = s
                .create_strategy("52", "Strategi CLI", (2025, 2030), "Visi", &[])
                .await
                .unwrap();
            let o = s.add_objective(vid, "SS1", "Sasaran").await.unwrap();
            let ik = s.add_indicator(o, &indicator()).await.unwrap();
            s.set_targets(
                ik,
                &[Target {
                    region: StrategyArea::parse("52").unwrap(),
                    year: 2025,
                    value: 13.0,
                }],
            )
            .await
            .unwrap();
            s.publish_version(vid).await.unwrap();
            w.store.close().await;
            (sid, w.key_text.clone())
        });
        let header = "kode_indikator,rincian,kode_wilayah,periode,sumber,nilai\n";
        // Outside the operator's kab/kota: refused with line and column, nothing stored.
        let (code, out) = import(
            &db,
            &key,
            dir.path(),
            sid,
            "op5203",
            &format!("{header}IK1,,52.03,2025-Q1,BPS,\"13,5\"\nIK1,,52.02,2025-Q1,BPS,12\n"),
        );
        assert_ne!(code, 0, "{l}: {out}");
        assert!(out.contains("baris 3, kolom kode_wilayah"), "{l}: {out}");
        assert!(
            out.contains("di luar wilayah kewenangan Anda"),
            "{l}: {out}"
        );
        // Within it: stored.
        let (code, out) = import(
            &db,
            &key,
            dir.path(),
            sid,
            "op5203",
            &format!("{header}IK1,,52.03,2025-Q1,BPS,\"13,5\"\n"),
        );
        assert_eq!(code, 0, "{l}: {out}");
        assert!(out.contains("1 nilai realisasi disimpan"), "{l}: {out}");
        // An unknown user is refused.
        let (code, out) = import(&db, &key, dir.path(), sid, "tidak.ada", header);
        assert_ne!(code, 0, "{l}: {out}");
        assert!(out.contains("tidak.ada"), "{l}: {out}");
        let values = rt.block_on(async {
            let store = db.open().await;
            let s = store.as_system("test");
            let strategy = s.strategy(sid).await.unwrap().unwrap();
            let v = s
                .realisations(&strategy, Some(Period::parse("2025-Q1").unwrap()), None)
                .await
                .unwrap();
            store.close().await;
            v
        });
        assert_eq!(values.len(), 1, "{l}: {values:?}");
        assert_eq!(values[0].region.as_str(), "52.03");
        assert_eq!(values[0].value, 13.5);
    }
}
