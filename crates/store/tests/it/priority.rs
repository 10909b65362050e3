//! Issue 22 on both backends: method versions, indicator columns from the figures held,
//! published rankings that name their method and periods, follow-up marks that are never
//! deleted; every change audited; access by the rules in core.

use std::collections::BTreeMap;

use sinergi_core::{Level, Viewer};
use sinergi_store::{
    Actor, AggregateValue, AuditQuery, NewRanking, Page, RankingRow, SourceType, StoreError,
};
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{build, code};

fn figure(region: &str, element: &str, period: &str, value: f64) -> AggregateValue {
    AggregateValue {
        region: code(region),
        element: element.into(),
        period: period.into(),
        value,
        unit: "persen".into(),
        source: "uji".into(),
        source_type: SourceType::Administrative,
        estimated: false,
        note: None,
    }
}

#[tokio::test]
async fn methods_rankings_and_followups_on_both_backends() {
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let admin = w.principal("admin52").await;
        let op = w.principal("op5203").await;
        let board = w.principal("pimpinan52").await;
        let lks = w.principal("lks").await;
        let s_admin = w.store.as_user(&admin);

        // Methods: versioned by name; only the admin defines them.
        let v1 = s_admin
            .save_priority_method("Indeks NTB", r#"{"v":1}"#, None)
            .await
            .unwrap();
        let v2 = s_admin
            .save_priority_method("Indeks NTB", r#"{"v":2}"#, Some("bobot baru"))
            .await
            .unwrap();
        assert_eq!((v1.version, v2.version), (1, 2), "{l}");
        assert!(matches!(
            w.store
                .as_user(&op)
                .save_priority_method("Indeks NTB", "{}", None)
                .await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            w.store.as_user(&lks).priority_methods().await,
            Err(StoreError::Forbidden)
        ));
        let methods = w.store.as_user(&board).priority_methods().await.unwrap();
        assert_eq!(methods[0].version, 2, "{l}");

        // Columns: the latest period per element at the desa level, below the region asked.
        w.store
            .load_aggregates(
                Actor::system("uji"),
                &[
                    figure("52.03.05.2003", "desil12", "2025-Q3", 40.0),
                    figure("52.03.05.2004", "desil12", "2025-Q3", 20.0),
                    figure("52.03.05.2004", "desil12", "2025-Q2", 99.0),
                    figure("52.02.01.2001", "desil12", "2025-Q3", 10.0),
                    figure("52.03.05.2003", "stunting", "2024", 30.0),
                ],
            )
            .await
            .unwrap();
        let elements = vec!["desil12".to_string(), "stunting".to_string()];
        let cols = s_admin
            .priority_columns(Level::Desa, Some(&code("52.03")), &elements)
            .await
            .unwrap();
        assert_eq!(
            cols.regions,
            vec![code("52.03.05.2003"), code("52.03.05.2004")],
            "{l}"
        );
        assert_eq!(
            cols.periods,
            vec![Some("2025-Q3".into()), Some("2024".into())]
        );
        assert_eq!(cols.columns[0], vec![Some(40.0), Some(20.0)], "{l}");
        assert_eq!(cols.columns[1], vec![Some(30.0), None], "{l}");

        // Publishing names the method version and periods; rows come back best first.
        let ranking = NewRanking {
            method_id: v2.id,
            level: Level::Desa,
            within: Some(code("52.03")),
            periods: BTreeMap::from([("desil12".into(), "2025-Q3".into())]),
            rows: vec![
                RankingRow {
                    region: "52.03.05.2004".into(),
                    score: Some(10.0),
                    rank: 2,
                    median_rank: Some(2),
                    p5_rank: Some(1),
                    p95_rank: Some(2),
                    unstable: true,
                    contributions: vec![10.0, 0.0],
                },
                RankingRow {
                    region: "52.03.05.2003".into(),
                    score: Some(90.5),
                    rank: 1,
                    median_rank: Some(1),
                    p5_rank: Some(1),
                    p95_rank: Some(2),
                    unstable: false,
                    contributions: vec![50.0, 40.5],
                },
            ],
        };
        assert!(matches!(
            w.store.as_user(&board).publish_ranking(&ranking).await,
            Err(StoreError::Forbidden)
        ));
        w.store
            .as_user(&op)
            .publish_ranking(&ranking)
            .await
            .unwrap();
        let got = w
            .store
            .as_user(&board)
            .latest_ranking(Level::Desa, Some(&code("52.03")))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got.method.version, 2, "{l}");
        assert_eq!(got.periods["desil12"], "2025-Q3");
        assert_eq!(got.rows[0].region, "52.03.05.2003", "{l}");
        assert_eq!(got.rows[0].contributions, vec![50.0, 40.5]);
        assert!(got.rows[1].unstable, "{l}");
        assert!(
            w.store
                .as_user(&board)
                .latest_ranking(Level::Desa, None)
                .await
                .unwrap()
                .is_none()
        );

        // Follow-up: inside the operator's scope only; status moves, the mark stays.
        let s_op = w.store.as_user(&op);
        assert!(matches!(
            s_op.mark_followup(&code("52.02"), "outliers", "", "Budi")
                .await,
            Err(StoreError::Forbidden)
        ));
        let id = s_op
            .mark_followup(&code("52.03"), "outliers", "PPKS 2027-Q1", "Budi")
            .await
            .unwrap();
        s_op.update_followup(id, "ditangani", "").await.unwrap();
        assert!(matches!(
            s_op.update_followup(id, "dihapus", "").await,
            Err(StoreError::Refused(_))
        ));
        let marks = s_op.followups(None).await.unwrap();
        assert_eq!(marks.len(), 1, "{l}");
        assert_eq!(
            (marks[0].status.as_str(), marks[0].owner.as_str()),
            ("ditangani", "Budi")
        );
        let other = w.principal("op5202").await;
        assert!(
            w.store
                .as_user(&other)
                .followups(None)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(matches!(
            w.store
                .as_user(&other)
                .update_followup(id, "selesai", "")
                .await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            w.store.scoped(&Viewer::Public).followups(None).await,
            Err(StoreError::Forbidden)
        ));

        let chain = w.store.verify_audit_chain().await.unwrap();
        assert!(chain.broken.is_none(), "{l}: {chain:?}");
        let entries = w
            .store
            .as_system("uji")
            .audit_entries(
                &AuditQuery {
                    actor: None,
                    action: None,
                    region: None,
                },
                Page::new(None, Some(100), 100),
            )
            .await
            .unwrap();
        let actions: Vec<&str> = entries.items.iter().map(|e| e.action.as_str()).collect();
        for action in [
            "priority_method.save",
            "priority_ranking.publish",
            "quality_followup.mark",
            "quality_followup.update",
        ] {
            assert!(actions.contains(&action), "{l}: {action} in {actions:?}");
        }
    }
}
