//! Figures per region on both backends: stored with source and kind, summed below a region for
//! the latest period, replaced (not doubled) when loaded again, and the load audited.

use sinergi_core::{Disclosed, Level, RegionCode, Viewer};
use sinergi_store::{Actor, AggregateValue, SourceType};
use sinergi_testkit::TestDb;

fn value(region: &str, element: &str, period: &str, v: f64, kind: SourceType) -> AggregateValue {
    AggregateValue {
        region: RegionCode::parse(region).unwrap(),
        element: element.into(),
        period: period.into(),
        value: v,
        unit: if element.starts_with("keluarga") {
            "keluarga".into()
        } else {
            "persen".into()
        },
        source: format!("sumber {period}"),
        source_type: kind,
        estimated: false,
        note: None,
    }
}

#[tokio::test]
async fn figures_keep_their_kind_and_desil_sums_follow_the_region_tree() {
    for db in TestDb::all().await {
        let l = db.label;
        let store = db.open().await;
        let admin = SourceType::Administrative;
        let values = vec![
            value("52.03.05.2003", "keluarga_desil_1", "2025-Q3", 120.0, admin),
            value("52.03.05.2004", "keluarga_desil_1", "2025-Q3", 30.0, admin),
            value("52.02.01.2001", "keluarga_desil_1", "2025-Q3", 7.0, admin),
            // An older period is not added to the latest one.
            value("52.03.05.2003", "keluarga_desil_1", "2025-Q2", 999.0, admin),
            // Nor is a figure held at a higher level.
            value("52.03", "keluarga_desil_1", "2025-Q3", 5000.0, admin),
            value("52", "stunting", "2022", 32.7, SourceType::Survey),
            value("52", "stunting", "2023", 24.6, SourceType::Survey),
            AggregateValue {
                source: "e-PPGBM 2022".into(),
                ..value("52", "stunting", "2022", 16.84, admin)
            },
        ];
        assert_eq!(
            store
                .load_aggregates(Actor::system("uji"), &values)
                .await
                .unwrap(),
            8,
            "{l}"
        );
        let sum = |code: &str| {
            let store = store.clone();
            let code = RegionCode::parse(code).unwrap();
            async move {
                store
                    .scoped(&Viewer::System("uji"))
                    .latest_sum_below(Some(&code), "keluarga_desil_1", Level::Desa)
                    .await
                    .unwrap()
            }
        };
        let ntb = sum("52").await.unwrap();
        assert_eq!(
            (ntb.value, ntb.regions, ntb.period.as_str()),
            (Disclosed::Count(157), 3, "2025-Q3"),
            "{l}"
        );
        assert_eq!(
            sum("52.03").await.unwrap().value,
            Disclosed::Count(150),
            "{l}"
        );
        assert_eq!(
            sum("52.03.05.2004").await.unwrap().value,
            Disclosed::Count(30),
            "{l}"
        );
        assert_eq!(sum("33").await, None, "{l}");
        // The public gets the same sums through the scoped handle, small ones suppressed.
        let public = |code: &str| {
            let store = store.clone();
            let code = RegionCode::parse(code).unwrap();
            async move {
                store
                    .scoped(Viewer::public())
                    .latest_sum_below(Some(&code), "keluarga_desil_1", Level::Desa)
                    .await
                    .unwrap()
                    .unwrap()
                    .value
            }
        };
        assert_eq!(public("52.02").await, Disclosed::Suppressed, "{l}");
        assert_eq!(public("52.03").await, Disclosed::Count(150), "{l}");

        let figures = store
            .region_figures(&RegionCode::parse("52").unwrap())
            .await
            .unwrap();
        assert_eq!(figures.len(), 3, "{l}");
        let survey: Vec<f64> = figures
            .iter()
            .filter(|f| f.source_type == SourceType::Survey)
            .map(|f| f.value)
            .collect();
        assert_eq!(survey, vec![32.7, 24.6], "{l}");
        assert!(
            figures
                .iter()
                .any(|f| f.source_type == admin && f.value == 16.84 && f.source == "e-PPGBM 2022"),
            "{l}"
        );

        // Loading again replaces the same figure instead of adding a second one.
        store
            .load_aggregates(
                Actor::system("uji"),
                &[value(
                    "52.03.05.2004",
                    "keluarga_desil_1",
                    "2025-Q3",
                    40.0,
                    admin,
                )],
            )
            .await
            .unwrap();
        assert_eq!(sum("52").await.unwrap().value, Disclosed::Count(167), "{l}");
        let chain = store.verify_audit_chain().await.unwrap();
        assert!(
            chain.broken.is_none() && chain.checked == 2,
            "{l}: {chain:?}"
        );
    }
}
