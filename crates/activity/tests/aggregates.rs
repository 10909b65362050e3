//! Published figures load from a file row by row: good rows are stored (and read back by the
//! region profile), every refused row is named with its line and reason, an administrator
//! loads only within its scope, and a kab/kota operator not at all. Both backends.

use sinergi_activity::ActivityError;
use sinergi_activity::aggregates::{AggregateOutcome, import_aggregates};
use sinergi_activity::profile::region_profile;
use sinergi_core::{RegionCode, Viewer};
use sinergi_testkit::TestDb;
use sinergi_testkit::world::build;

const FILE: &str = "kode_wilayah;indikator;periode;nilai;satuan;sumber;jenis;estimasi\n\
52.03.05.2003;jumlah_ppks;2025-Q3;41;orang;Dinsos NTB;administratif;tidak\n\
52.03.05.2003;desa_sasaran_kemiskinan_ekstrem;2025-Q3;1;desa;Kemenko PMK;administratif;\n\
52.03;stunting;2022;29,1;persen;SSGI 2022;survei;\n\
52.03;stunting;2023;24,6;persen;SKI 2023;survei;\n\
52.99;stunting;2023;20;persen;SKI 2023;survei;\n\
33.01;stunting;2023;20;persen;SKI 2023;survei;\n\
52.03;stunting;2023;20;persen;SKI 2023;sensus;\n";

#[tokio::test]
async fn figures_load_row_by_row_within_the_admins_scope() {
    for db in TestDb::all().await {
        let w = build(&db).await;
        let operator = Viewer::User(w.principal("op5203").await);
        assert!(matches!(
            import_aggregates(&w.store, &operator, "agregat.csv", FILE.as_bytes()).await,
            Err(ActivityError::Forbidden)
        ));
        let admin = Viewer::User(w.principal("admin52").await);
        let outcome = import_aggregates(&w.store, &admin, "agregat.csv", FILE.as_bytes())
            .await
            .unwrap();
        let AggregateOutcome::Stored {
            stored,
            rejected,
            upload,
        } = outcome
        else {
            panic!("{outcome:?}")
        };
        assert_eq!(stored, 4);
        // The upload is listed with its rejected rows, as the home page counts them.
        let uploads = sinergi_activity::lists::recent_uploads(
            &w.store,
            &admin,
            chrono::Utc::now().date_naive(),
            true,
        )
        .await
        .unwrap();
        let listed = uploads
            .iter()
            .find(|u| Some(u.job.id) == upload)
            .expect("aggregate upload listed");
        assert_eq!(listed.rejected_lines(), 3);
        assert_eq!(listed.kind_key(), "uploads.kind.aggregate");
        let refused: Vec<(u64, &str)> = rejected.iter().map(|e| (e.line, e.reason.key)).collect();
        assert_eq!(
            refused,
            vec![
                (6, "aggregate.region_unknown"),
                (7, "aggregate.region_outside"),
                (8, "aggregate.kind_bad"),
            ]
        );
        // The profile reads them back: the desa counts summed, a trend from two periods.
        let kab = RegionCode::parse("52.03").unwrap();
        let p = region_profile(&w.store, &kab).await.unwrap();
        assert!(p.ppks_desa.is_some() && p.extreme_desa.is_some());
        let stunting = p
            .trends
            .iter()
            .find(|t| t.element == "stunting")
            .expect("stunting trend");
        assert_eq!(
            stunting
                .points
                .iter()
                .map(|p| (p.0.as_str(), p.1))
                .collect::<Vec<_>>(),
            vec![("2022", 29.1), ("2023", 24.6)]
        );
        // Indonesia's figure sits beside the province's of the same measure and period; a
        // national row with groups is refused; group rows make a cross-table, suppressed
        // below the threshold for the public profile and summed over the kab/kota for the
        // province.
        let more = "kode_wilayah;indikator;periode;nilai;satuan;sumber;jenis;jenis_kelamin;kelompok_umur;disabilitas\n\
52;perkawinan_anak;2024;14,96;persen;BPS Susenas 2024;survei;;;\n\
ID;perkawinan_anak;2024;5,90;persen;BPS Susenas 2024;survei;;;\n\
ID;perkawinan_anak;2024;5,90;persen;BPS Susenas 2024;survei;perempuan;;\n\
52.03;klien_lks;2025;120;orang;Dinsos;administratif;perempuan;;\n\
52.03;klien_lks;2025;80;orang;Dinsos;administratif;laki_laki;;\n\
52.02;klien_lks;2025;3;orang;Dinsos;administratif;laki_laki;;\n";
        let AggregateOutcome::Stored {
            stored, rejected, ..
        } = import_aggregates(&w.store, &admin, "lagi.csv", more.as_bytes())
            .await
            .unwrap()
        else {
            panic!("stored")
        };
        assert_eq!(stored, 5);
        assert_eq!(
            rejected
                .iter()
                .map(|e| (e.line, e.reason.key))
                .collect::<Vec<_>>(),
            vec![(4, "aggregate.national_groups")]
        );
        let ntb = RegionCode::parse("52").unwrap();
        let p = region_profile(&w.store, &ntb).await.unwrap();
        let marriage = p
            .figures
            .iter()
            .find(|f| f.element == "perkawinan_anak")
            .expect("province figure");
        assert_eq!(p.national_for(marriage).map(|n| n.value), Some(5.90));
        let clients = p
            .group_tables
            .iter()
            .find(|g| g.element == "klien_lks")
            .expect("cross-table");
        assert_eq!(clients.regions, 2);
        let sex = &clients.table.margins[0];
        assert_eq!(
            sex.groups.iter().map(|g| g.2).collect::<Vec<_>>(),
            vec![
                sinergi_core::Disclosed::Count(83),
                sinergi_core::Disclosed::Count(120)
            ]
        );
        assert_eq!(sex.gap, Some(37));
        let kab = region_profile(&w.store, &RegionCode::parse("52.02").unwrap())
            .await
            .unwrap();
        assert_eq!(
            kab.group_tables[0].table.margins[0].groups[0].2,
            sinergi_core::Disclosed::Suppressed
        );
        // A file without the value column stores nothing.
        let outcome = import_aggregates(
            &w.store,
            &admin,
            "rusak.csv",
            b"kode_wilayah,indikator\n52,x\n",
        )
        .await
        .unwrap();
        assert!(matches!(outcome, AggregateOutcome::Refused { .. }));
    }
}
