//! `/mutu-data` (issue 22) through a real server on SQLite and PostgreSQL: the scorecard of
//! the kab/kota in the viewer's scope, a region's drill-down to the offending values and rows,
//! follow-up marks (marked, moved, never deleted, only by those who may), the XLSX download,
//! bad input refused with its reason, and the link from the home page.

use crate::common;

use common::{Client, assert_light_and_local, header, start_keyed};
use sinergi_store::{Actor, AggregateValue, SourceType};
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{PASSWORD, build, code};

fn families(region: &str, value: f64) -> AggregateValue {
    AggregateValue {
        region: code(region),
        element: "keluarga_desil_1".into(),
        period: "2025-Q3".into(),
        value,
        unit: "keluarga".into(),
        source: "DTSEN".into(),
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
fn scorecard_drills_down_and_follows_up() {
    let rt = runtime();
    for db in rt.block_on(TestDb::all()) {
        let l = db.label;
        let (store, key) = rt.block_on(async {
            let w = build(&db).await;
            // Lombok Timur holds 100 Desil I families; its desa add up to 70.
            w.store
                .load_aggregates(
                    Actor::system("uji"),
                    &[
                        families("52.03", 100.0),
                        families("52.03.05.2003", 40.0),
                        families("52.03.05.2004", 30.0),
                    ],
                )
                .await
                .unwrap();
            (w.store.clone(), w.key.clone())
        });
        let (base, stop) = start_keyed(db, Some(key));
        let mut c = Client::new(&base);
        assert_ne!(c.get("/mutu-data").status, 200, "{l}: not for the public");
        c.login("lks", PASSWORD);
        assert_ne!(
            c.get("/mutu-data").status,
            200,
            "{l}: not for LKS operators"
        );

        let mut c = Client::new(&base);
        c.login("admin52", PASSWORD);
        let home = c.get("/");
        assert!(
            home.body.contains("href=\"/mutu-data\""),
            "{l}: linked from home"
        );
        let page = c.get("/mutu-data");
        assert_eq!(page.status, 200, "{l}: {}", page.body);
        assert_light_and_local("/mutu-data", &page.body);
        for text in [
            "Kartu mutu data",
            "Kabupaten Lombok Timur",
            "Kabupaten Lombok Tengah",
            "Realisasi lengkap",
            "Cocok dengan angka rujukan",
            "/mutu-data/wilayah/52.03?tahun=",
        ] {
            assert!(page.body.contains(text), "{l}: page lacks {text}");
        }
        // Not Jawa Tengah: outside the admin's province.
        assert!(!page.body.contains("Cilacap"), "{l}");
        // The fixture's rows have no birth date or sex: every NTB list row is incomplete.
        assert!(
            page.body.contains("class=\"num g-fail\""),
            "{l}: failing cells are marked"
        );

        // Drill-down: the figure against the sum of its desa…
        let refs = c.get("/mutu-data/wilayah/52.03?cek=reference_agreement");
        assert_eq!(refs.status, 200, "{l}: {}", refs.body);
        assert!(refs.body.contains("keluarga_desil_1 2025-Q3"), "{l}");
        assert!(
            refs.body.contains("<td>70</td><td>100</td>"),
            "{l}: {}",
            refs.body
        );
        // … and the incomplete list rows, each linked to its list.
        let rows = c.get("/mutu-data/wilayah/52.03?cek=required_fields_filled");
        assert!(rows.body.contains("tanggal_lahir, jenis_kelamin"), "{l}");
        assert!(rows.body.contains("href=\"/daftar/"), "{l}");

        // Mark for follow-up, then move it; it is never deleted.
        let marked = c.post(
            "/mutu-data/tindak-lanjut",
            &[
                ("wilayah", "52.03"),
                ("cek", "reference_agreement"),
                ("rincian", "keluarga_desil_1 2025-Q3"),
                ("penanggung_jawab", "Dinas Sosial Lombok Timur"),
            ],
        );
        assert!(marked.status < 400, "{l}: {}", marked.body);
        let marks = rt.block_on(store.as_system("uji").followups(None)).unwrap();
        assert_eq!(marks.len(), 1, "{l}");
        assert_eq!(marks[0].status, "terbuka", "{l}");
        let id = marks[0].id;
        let region = c.get("/mutu-data/wilayah/52.03");
        assert!(region.body.contains("Dinas Sosial Lombok Timur"), "{l}");
        assert!(
            region
                .body
                .contains(&format!("action=\"/mutu-data/tindak-lanjut/{id}\"")),
            "{l}"
        );
        let moved = c.post(
            &format!("/mutu-data/tindak-lanjut/{id}"),
            &[("status", "selesai"), ("penanggung_jawab", "")],
        );
        assert!(moved.status < 400, "{l}: {}", moved.body);
        let marks = rt.block_on(store.as_system("uji").followups(None)).unwrap();
        assert_eq!(marks.len(), 1, "{l}");
        assert_eq!(
            (marks[0].status.as_str(), marks[0].owner.as_str()),
            ("selesai", "Dinas Sosial Lombok Timur"),
            "{l}"
        );

        // Bad input: named, nothing stored.
        let bad_level = c.get("/mutu-data?tingkat=desa");
        assert_eq!(bad_level.status, 400, "{l}");
        assert!(bad_level.body.contains("desa"), "{l}");
        assert_eq!(c.get("/mutu-data?tahun=dua").status, 400, "{l}");
        assert_eq!(c.get("/mutu-data?tahun=2999").status, 400, "{l}");
        assert_eq!(
            c.get("/mutu-data/wilayah/52.03?cek=tidak_ada").status,
            400,
            "{l}"
        );
        let unknown = c.post(
            "/mutu-data/tindak-lanjut",
            &[
                ("wilayah", "52.03"),
                ("cek", "tidak_ada"),
                ("penanggung_jawab", "X"),
            ],
        );
        assert!(unknown.status >= 400, "{l}");
        assert!(unknown.body.contains("tidak_ada"), "{l}");
        let long = "x".repeat(121);
        let too_long = c.post(
            "/mutu-data/tindak-lanjut",
            &[
                ("wilayah", "52.03"),
                ("cek", "outliers"),
                ("penanggung_jawab", long.as_str()),
            ],
        );
        assert!(too_long.status >= 400, "{l}");
        assert!(too_long.body.contains("120"), "{l}");
        let status = c.post(
            &format!("/mutu-data/tindak-lanjut/{id}"),
            &[("status", "dihapus")],
        );
        assert!(status.status >= 400, "{l}");
        let marks = rt.block_on(store.as_system("uji").followups(None)).unwrap();
        assert_eq!(marks.len(), 1, "{l}: nothing half-written");
        assert_eq!(marks[0].status, "selesai", "{l}");

        let xlsx = c.get("/mutu-data/unduh");
        assert_eq!(xlsx.status, 200, "{l}");
        assert!(
            header(&xlsx, "content-type")
                .unwrap()
                .contains("spreadsheetml")
        );
        assert_eq!(&xlsx.bytes[..2], b"PK", "{l}: a workbook");

        // The Lombok Tengah operator sees its own kab/kota and may not move Lombok Timur's mark.
        let mut op = Client::new(&base);
        op.login("op5202", PASSWORD);
        let own = op.get("/mutu-data");
        assert_eq!(own.status, 200, "{l}");
        assert!(own.body.contains("Kabupaten Lombok Tengah"), "{l}");
        assert!(!own.body.contains("Kabupaten Lombok Timur"), "{l}");
        let refused = op.post(
            &format!("/mutu-data/tindak-lanjut/{id}"),
            &[("status", "terbuka"), ("penanggung_jawab", "saya")],
        );
        assert!(refused.status >= 400, "{l}");
        let marks = rt.block_on(store.as_system("uji").followups(None)).unwrap();
        assert_eq!(marks[0].status, "selesai", "{l}");
        stop.send(()).ok();
    }
}

/// The scorecard is kept: the second view reads it, a change to what it judges (a figure
/// loaded) or to the thresholds makes the next view compute it again, and "compute again"
/// does so on demand. The thresholds are the admin's to set (audited, bad input refused,
/// nothing half-saved); the board reads them.
#[test]
fn scorecard_is_kept_and_thresholds_are_the_deployments() {
    let rt = runtime();
    for db in rt.block_on(TestDb::all()) {
        let l = db.label;
        let (store, key) = rt.block_on(async {
            let w = build(&db).await;
            w.store
                .load_aggregates(
                    Actor::system("uji"),
                    &[
                        families("52.03", 100.0),
                        families("52.03.05.2003", 40.0),
                        families("52.03.05.2004", 30.0),
                    ],
                )
                .await
                .unwrap();
            (w.store.clone(), w.key.clone())
        });
        let (base, stop) = start_keyed(db, Some(key));
        let mut c = Client::new(&base);
        c.login("admin52", PASSWORD);
        let fresh = "Dihitung sekarang";
        let kept = "tersimpan: tidak ada data";
        let first = c.get("/mutu-data");
        assert_eq!(first.status, 200, "{l}: {}", first.body);
        assert!(first.body.contains(fresh), "{l}: {}", first.body);
        let second = c.get("/mutu-data");
        assert!(second.body.contains(kept), "{l}: {}", second.body);
        assert!(
            second.body.contains("Kabupaten Lombok Timur")
                && second.body.contains("class=\"num g-fail\""),
            "{l}: the kept scorecard shows the same regions and grades"
        );
        // Another year is kept apart.
        let year = c.get("/mutu-data?tahun=2025");
        assert!(year.body.contains(fresh), "{l}");

        // A figure loaded: the next view computes again.
        rt.block_on(store.load_aggregates(Actor::system("uji"), &[families("52.02", 5.0)]))
            .unwrap();
        assert!(c.get("/mutu-data").body.contains(fresh), "{l}");
        assert!(c.get("/mutu-data").body.contains(kept), "{l}");
        // On demand.
        let again = c.post(
            "/mutu-data/hitung-ulang",
            &[("tingkat", "kabkota"), ("wilayah", ""), ("tahun", "")],
        );
        assert!(again.status < 400, "{l}: {}", again.body);
        assert!(c.get("/mutu-data").body.contains(kept), "{l}");

        // The thresholds: Lombok Timur's figure (100) is 30 % off the sum of its desa (70).
        let form = c.get("/mutu-data/ambang");
        assert_eq!(form.status, 200, "{l}: {}", form.body);
        assert_light_and_local("/mutu-data/ambang", &form.body);
        assert!(
            form.body.contains("name=\"batas_rujukan\" value=\"10\""),
            "{l}"
        );
        assert!(form.body.contains("nilai bawaan"), "{l}");
        let offending = "<td>70</td><td>100</td>";
        let drill = "/mutu-data/wilayah/52.03?cek=reference_agreement";
        assert!(c.get(drill).body.contains(offending), "{l}");
        let mut fields: Vec<(String, String)> = Vec::new();
        for check in sinergi_insight::quality::Check::ALL {
            let t = sinergi_insight::quality::QualityRules::default().thresholds[&check];
            fields.push((
                format!("lulus_{}", check.key()),
                format!("{}", t.pass * 100.0),
            ));
            fields.push((
                format!("waspada_{}", check.key()),
                format!("{}", t.warn * 100.0),
            ));
        }
        fields.push(("pencilan".into(), "modified_z".into()));
        fields.push(("batas_pencilan".into(), "3,5".into()));
        fields.push(("batas_perubahan".into(), "33".into()));
        fields.push(("batas_rujukan".into(), "50".into()));
        let as_refs = |f: &[(String, String)]| -> Vec<(String, String)> { f.to_vec() };
        let post = |c: &mut Client, f: &[(String, String)]| {
            let pairs: Vec<(&str, &str)> =
                f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            c.post("/mutu-data/ambang", &pairs)
        };
        // Refused: not a number; warn above pass for a completeness check; not the board's.
        let mut bad = as_refs(&fields);
        bad.iter_mut()
            .find(|(k, _)| k == "batas_rujukan")
            .unwrap()
            .1 = "lima".into();
        let refused = post(&mut c, &bad);
        assert_eq!(refused.status, 400, "{l}");
        assert!(refused.body.contains("lima"), "{l}");
        let mut bad = as_refs(&fields);
        bad.iter_mut()
            .find(|(k, _)| k == "waspada_realisation_complete")
            .unwrap()
            .1 = "95".into();
        let refused = post(&mut c, &bad);
        assert!(refused.status >= 400, "{l}");
        assert!(refused.body.contains("realisation_complete"), "{l}");
        let mut board = Client::new(&base);
        board.login("pimpinan52", PASSWORD);
        let read = board.get("/mutu-data/ambang");
        assert_eq!(read.status, 200, "{l}");
        assert!(read.body.contains("readonly"), "{l}");
        assert!(post(&mut board, &fields).status >= 400, "{l}");
        let none = rt.block_on(store.as_system("uji").quality_rules()).unwrap();
        assert!(none.is_none(), "{l}: nothing saved by refused forms");

        let saved = post(&mut c, &fields);
        assert!(saved.status < 400, "{l}: {}", saved.body);
        let v = rt
            .block_on(store.as_system("uji").quality_rules())
            .unwrap()
            .expect("saved");
        assert!(
            v.rules.contains("\"reference_limit\":0.5"),
            "{l}: {}",
            v.rules
        );
        assert!(
            c.get("/mutu-data/ambang")
                .body
                .contains("name=\"batas_rujukan\" value=\"50\""),
            "{l}"
        );
        // Graded again with the new thresholds: within 50 %, the figure no longer offends.
        assert!(c.get("/mutu-data").body.contains(fresh), "{l}");
        assert!(!c.get(drill).body.contains(offending), "{l}");
        let admin = rt
            .block_on(store.principal_by_username("admin52"))
            .unwrap()
            .unwrap();
        let audit = rt
            .block_on(store.as_user(&admin).audit_entries(
                &sinergi_store::AuditQuery {
                    action: Some("quality_rules.save".into()),
                    ..Default::default()
                },
                sinergi_store::Page::new(None, Some(50), 50),
            ))
            .unwrap()
            .items;
        assert_eq!(audit.len(), 1, "{l}: audited once");
        stop.send(()).ok();
    }
}
