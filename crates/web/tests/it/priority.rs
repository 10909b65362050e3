//! Issue 22 through a real server on SQLite and PostgreSQL: `/prioritas` ranks the kab/kota
//! from the figures held, with contributions and the sensitivity range; "why ranked here";
//! the XLSX download; publishing (which names the saved method version); and who may see it.

use crate::common;

use common::{Client, assert_light_and_local, header, start_keyed};
use sinergi_core::Level;
use sinergi_store::{Actor, AggregateValue, SourceType};
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{PASSWORD, build, code};

fn figure(region: &str, element: &str, value: f64) -> AggregateValue {
    AggregateValue {
        region: code(region),
        element: element.into(),
        period: "2025".into(),
        value,
        unit: "persen".into(),
        source: "uji".into(),
        source_type: SourceType::Administrative,
        estimated: false,
        note: None,
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn priority_pages_rank_explain_download_and_publish() {
    let rt = runtime();
    for db in rt.block_on(TestDb::all()) {
        let l = db.label;
        let key = rt.block_on(async {
            let w = build(&db).await;
            // Lombok Timur is poorer on both figures than Lombok Tengah.
            w.store
                .load_aggregates(
                    Actor::system("uji"),
                    &[
                        figure("52.03", "kemiskinan_p0", 15.0),
                        figure("52.02", "kemiskinan_p0", 12.0),
                        figure("52.03", "stunting", 30.0),
                        figure("52.02", "stunting", 20.0),
                    ],
                )
                .await
                .unwrap();
            w.key
        });
        let (base, stop) = start_keyed(db, Some(key));
        let mut c = Client::new(&base);
        // Not for the public.
        let public = c.get("/prioritas");
        assert_ne!(public.status, 200, "{l}");

        c.login("admin52", PASSWORD);
        let page = c.get("/prioritas?tingkat=kabkota&wilayah=52");
        assert_eq!(page.status, 200, "{l}: {}", page.body);
        assert_light_and_local("/prioritas", &page.body);
        let lotim = page
            .body
            .find("Kabupaten Lombok Timur")
            .expect("Lombok Timur listed");
        let loteng = page
            .body
            .find("Kabupaten Lombok Tengah")
            .expect("Lombok Tengah listed");
        assert!(lotim < loteng, "{l}: the poorer kab/kota ranks first");
        assert!(
            page.body.contains("metode bawaan"),
            "{l}: the unsaved default is named"
        );
        assert!(
            page.body.contains("href=\"/prioritas\""),
            "{l}: linked from the nav"
        );
        // Nothing saved yet: no publish button.
        assert!(!page.body.contains("/prioritas/terbitkan"), "{l}");

        let why = c.get("/prioritas/wilayah/52.03?tingkat=kabkota&wilayah=52");
        assert_eq!(why.status, 200, "{l}");
        // Lombok Timur has the highest figure of both: 100 on each, score 100.
        assert!(why.body.contains("<b>100</b>"), "{l}: {}", why.body);
        assert!(
            why.body.contains("tidak ada"),
            "{l}: missing figures are named"
        );

        let xlsx = c.get("/prioritas/unduh?tingkat=kabkota&wilayah=52");
        assert_eq!(xlsx.status, 200, "{l}");
        assert!(
            header(&xlsx, "content-type")
                .unwrap()
                .contains("spreadsheetml")
        );
        assert_eq!(&xlsx.bytes[..2], b"PK", "{l}: a workbook");

        stop.send(()).ok();
    }
}

#[test]
fn publishing_needs_a_saved_method_and_names_its_version() {
    let rt = runtime();
    for db in rt.block_on(TestDb::all()) {
        let l = db.label;
        let (store, key) = rt.block_on(async {
            let w = build(&db).await;
            w.store
                .load_aggregates(
                    Actor::system("uji"),
                    &[
                        figure("52.03", "stunting", 30.0),
                        figure("52.02", "stunting", 20.0),
                    ],
                )
                .await
                .unwrap();
            let admin = w.principal("admin52").await;
            let def =
                serde_json::to_string(&sinergi_activity::priority::default_definition()).unwrap();
            sinergi_activity::priority::save_method(
                &w.store,
                &sinergi_core::Viewer::User(admin),
                &def,
                None,
            )
            .await
            .unwrap();
            (w.store.clone(), w.key.clone())
        });
        let (base, stop) = start_keyed(db, Some(key));
        let mut c = Client::new(&base);
        c.login("op5203", PASSWORD);
        let page = c.get("/prioritas?tingkat=kecamatan");
        assert_eq!(page.status, 200, "{l}");
        assert!(
            page.body.contains("<b>Indeks Prioritas</b> · versi 1"),
            "{l}"
        );
        let done = c.post(
            "/prioritas/terbitkan",
            &[("tingkat", "kabkota"), ("wilayah", "52.03")],
        );
        assert!(done.status < 400, "{l}: {}", done.body);
        let published = rt.block_on(async {
            store
                .as_system("uji")
                .latest_ranking(Level::KabKota, Some(&code("52.03")))
                .await
                .unwrap()
        });
        let published = published.expect("published");
        assert_eq!(published.method.version, 1, "{l}");
        assert_eq!(published.periods["stunting"], "2025", "{l}");
        // The page now reads the published ranking; a draft is recomputed only when asked.
        let shown = c.get("/prioritas?tingkat=kabkota&wilayah=52.03");
        assert_eq!(shown.status, 200, "{l}");
        assert!(
            shown.body.contains("Peringkat yang diterbitkan"),
            "{l}: {}",
            shown.body
        );
        assert!(shown.body.contains("op5203"), "{l}: who published it");
        assert!(
            shown.body.contains("draf=1"),
            "{l}: a draft can be asked for"
        );
        let draft = c.get("/prioritas?tingkat=kabkota&wilayah=52.03&draf=1");
        assert!(draft.body.contains("Draf:"), "{l}");
        assert!(!draft.body.contains("Peringkat yang diterbitkan"), "{l}");
        stop.send(()).ok();
    }
}
