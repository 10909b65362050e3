//! Programs and the 4W store on both backends: who sees and writes which program, re-saving by
//! code updates instead of duplicating, filters, audit, region-name matching, desa need
//! figures and boundaries.

use chrono::NaiveDate;
use sinergi_core::geo::Boundary;
use sinergi_core::program::{
    AidType, FundingSource, ProgramInput, ProgramLocation, ProgramStatus, Reached, Sector,
    TargetGroup,
};
use sinergi_core::region_match::PlaceNames;
use sinergi_core::{Level, Localized, Ppks, RegionCode};
use sinergi_store::{
    Actor, AggregateValue, AuditQuery, PROGRAM_SORTS, Page, ProgramFilter, Sort, SourceType,
    StoreError,
};
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{build, code};

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn program(org: i64, key: &str, sector: Sector, places: &[&str]) -> ProgramInput {
    ProgramInput {
        organisation_id: org,
        code: key.into(),
        name: format!("Program {key}"),
        sector,
        ppks: vec![Ppks::FakirMiskin],
        aid_type: AidType::Barang,
        funding: FundingSource::Csr,
        budget_rp: 50_000_000,
        start: d("2025-01-01"),
        end: d("2025-12-31"),
        status: ProgramStatus::Berjalan,
        target: TargetGroup {
            desil_from: 1,
            desil_to: 3,
            ..TargetGroup::default()
        },
        planned: 0,
        reached: Reached {
            total: 10,
            male: 4,
            female: 6,
            children: 3,
            disability: 1,
        },
        locations: places
            .iter()
            .map(|p| ProgramLocation {
                region: code(p),
                planned: 20,
                reached: 5,
            })
            .collect(),
    }
}

fn codes_of(programs: &[sinergi_store::Program]) -> Vec<String> {
    let mut v: Vec<String> = programs.iter().map(|p| p.input.code.clone()).collect();
    v.sort();
    v
}

#[tokio::test]
async fn programs_follow_the_scope_for_reading_and_writing() {
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let s = &w.store;
        let mitra_a = w.principal("mitra.a").await;
        let mitra_b = w.principal("mitra.b").await;
        let admin52 = w.principal("admin52").await;
        let op5202 = w.principal("op5202").await;
        let pimpinan = w.principal("pimpinan52").await;

        let a1 = s
            .as_user(&mitra_a)
            .save_program(&program(
                w.orgs[0],
                "A-1",
                Sector::PerlindunganSosial,
                &["52.03.05.2003", "52.03.05.2004"],
            ))
            .await
            .unwrap();
        assert!(a1.created, "{l}");
        s.as_user(&mitra_a)
            .save_program(&program(
                w.orgs[0],
                "A-2",
                Sector::Pendidikan,
                &["52.02.01.2001"],
            ))
            .await
            .unwrap();
        s.as_user(&mitra_b)
            .save_program(&program(
                w.orgs[1],
                "B-1",
                Sector::PerlindunganSosial,
                &["52.03.05.2003"],
            ))
            .await
            .unwrap();
        // An admin enters a program for an organisation in their province.
        s.as_user(&admin52)
            .save_program(&program(w.orgs[2], "L-1", Sector::Kesehatan, &["52.03"]))
            .await
            .unwrap();

        // Partners write only their own organisation's programs.
        let e = s
            .as_user(&mitra_a)
            .save_program(&program(
                w.orgs[1],
                "X",
                Sector::Pendidikan,
                &["52.03.05.2003"],
            ))
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Forbidden), "{l}: {e}");
        // An operator writes only within their kab/kota; the board only reads.
        let e = s
            .as_user(&op5202)
            .save_program(&program(
                w.orgs[0],
                "X",
                Sector::Pendidikan,
                &["52.03.05.2003"],
            ))
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Forbidden), "{l}: {e}");
        let e = s
            .as_user(&pimpinan)
            .save_program(&program(
                w.orgs[0],
                "X",
                Sector::Pendidikan,
                &["52.03.05.2003"],
            ))
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Forbidden), "{l}: {e}");

        let all = |who: &'static str| {
            let w = &w;
            async move {
                let p = w.principal(who).await;
                codes_of(
                    &w.store
                        .as_user(&p)
                        .programs_all(&ProgramFilter::default())
                        .await
                        .unwrap(),
                )
            }
        };
        assert_eq!(all("admin52").await, ["A-1", "A-2", "B-1", "L-1"], "{l}");
        assert_eq!(all("pimpinan52").await, ["A-1", "A-2", "B-1", "L-1"], "{l}");
        assert_eq!(all("op5203").await, ["A-1", "B-1", "L-1"], "{l}");
        assert_eq!(all("op5202").await, ["A-2"], "{l}");
        assert_eq!(all("mitra.a").await, ["A-1", "A-2"], "{l}");
        assert_eq!(all("mitra.a.lotim").await, ["A-1"], "{l}");
        assert_eq!(all("mitra.b").await, ["B-1"], "{l}");
        assert_eq!(all("lks").await, ["L-1"], "{l}");
        assert!(all("admin33").await.is_empty(), "{l}");
        assert!(all("mitra.jateng").await.is_empty(), "{l}");

        // Detail: the same rule; out of scope is "not found", not "forbidden".
        assert!(
            s.as_user(&mitra_b).program(a1.id).await.unwrap().is_none(),
            "{l}"
        );
        let got = s.as_user(&admin52).program(a1.id).await.unwrap().unwrap();
        assert_eq!(got.organisation_name, "Mitra A", "{l}");
        assert_eq!(got.input.locations.len(), 2, "{l}");
        assert_eq!(
            got.input.planned, 40,
            "{l}: planned is the sum over locations"
        );
        assert_eq!(got.input.reached.female, 6, "{l}");
        assert_eq!(got.input.target.desil_to, 3, "{l}");
        assert_eq!(got.region, Some(code("52.03.05")), "{l}");
        assert_eq!(
            got.region_names.get("52.03.05.2004").map(String::as_str),
            Some("Masbagik Timur"),
            "{l}"
        );

        // A provincial operator of another kab/kota cannot update a Lombok Timur program.
        let op5203 = w.principal("op5203").await;
        let spanning = s
            .as_user(&admin52)
            .save_program(&program(
                w.orgs[0],
                "A-3",
                Sector::Pendidikan,
                &["52.02.01.2001", "52.03.05.2003"],
            ))
            .await
            .unwrap();
        let mut changed = program(w.orgs[0], "A-3", Sector::Pendidikan, &["52.03.05.2003"]);
        changed.name = "Diubah".into();
        let e = s.as_user(&op5203).save_program(&changed).await.unwrap_err();
        assert!(matches!(e, StoreError::Forbidden), "{l}: {e}");
        assert!(
            s.as_user(&op5203)
                .program(spanning.id)
                .await
                .unwrap()
                .is_some(),
            "{l}"
        );
        w.store.close().await;
    }
}

#[tokio::test]
async fn saving_again_by_code_updates_and_everything_is_audited() {
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let s = &w.store;
        let mitra_a = w.principal("mitra.a").await;
        let first = s
            .as_user(&mitra_a)
            .save_program(&program(
                w.orgs[0],
                "A-1",
                Sector::PerlindunganSosial,
                &["52.03.05.2003", "52.03.05.2004"],
            ))
            .await
            .unwrap();
        let mut again = program(w.orgs[0], "A-1", Sector::Kesehatan, &["52.02.01.2001"]);
        again.name = "Nama baru".into();
        let second = s.as_user(&mitra_a).save_program(&again).await.unwrap();
        assert_eq!(second.id, first.id, "{l}");
        assert!(!second.created, "{l}");
        let got = s
            .as_user(&mitra_a)
            .program(first.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(got.input.name, "Nama baru", "{l}");
        assert_eq!(got.input.sector, Sector::Kesehatan, "{l}");
        assert_eq!(
            got.input
                .locations
                .iter()
                .map(|l| l.region.as_str())
                .collect::<Vec<_>>(),
            ["52.02.01.2001"],
            "{l}: locations replaced"
        );
        assert_eq!(
            s.as_user(&mitra_a)
                .programs_all(&ProgramFilter::default())
                .await
                .unwrap()
                .len(),
            1
        );

        // Bad input: named fields, nothing stored.
        let mut bad = program(w.orgs[0], "A-9", Sector::Kesehatan, &["52.03.05.9999"]);
        let e = s.as_user(&mitra_a).save_program(&bad).await.unwrap_err();
        assert!(matches!(e, StoreError::Refused(_)), "{l}: {e}");
        assert!(e.msg().to_string().contains("52.03.05.9999"), "{l}: {e}");
        bad.locations.clear();
        bad.end = d("2020-01-01");
        let e = s
            .as_user(&mitra_a)
            .save_program(&bad)
            .await
            .unwrap_err()
            .msg()
            .to_string();
        assert!(e.contains("selesai") && e.contains("lokasi"), "{l}: {e}");
        // A batch with one bad program stores none of it.
        let batch = [
            program(w.orgs[0], "OK-1", Sector::Kesehatan, &["52.03.05.2003"]),
            program(w.orgs[0], "BAD", Sector::Kesehatan, &["52.03.05.9999"]),
        ];
        assert!(
            s.as_user(&mitra_a).save_programs(&batch).await.is_err(),
            "{l}"
        );
        assert_eq!(
            s.as_user(&mitra_a)
                .programs_all(&ProgramFilter::default())
                .await
                .unwrap()
                .len(),
            1
        );

        assert!(
            s.as_user(&mitra_a).delete_program(first.id).await.unwrap(),
            "{l}"
        );
        assert!(
            s.as_user(&mitra_a)
                .program(first.id)
                .await
                .unwrap()
                .is_none(),
            "{l}"
        );

        let admin = w.principal("admin52").await;
        let entries = s
            .as_user(&admin)
            .audit_entries(&AuditQuery::default(), Page::new(None, Some(100), 100))
            .await
            .unwrap();
        let actions: Vec<&str> = entries
            .items
            .iter()
            .filter(|e| e.entity == "program")
            .map(|e| e.action.as_str())
            .collect();
        assert!(actions.contains(&"program.create"), "{l}: {actions:?}");
        assert!(actions.contains(&"program.update"), "{l}: {actions:?}");
        assert!(actions.contains(&"program.delete"), "{l}: {actions:?}");
        assert!(
            s.verify_audit_chain().await.unwrap().broken.is_none(),
            "{l}"
        );
        w.store.close().await;
    }
}

#[tokio::test]
async fn filters_sorting_and_paging() {
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let s = &w.store;
        let admin = w.principal("admin52").await;
        let mut early = program(w.orgs[0], "E", Sector::Pendidikan, &["52.03.05.2003"]);
        early.start = d("2023-01-01");
        early.end = d("2023-06-30");
        early.budget_rp = 1;
        let inputs = [
            early,
            program(
                w.orgs[0],
                "P",
                Sector::PerlindunganSosial,
                &["52.02.01.2001"],
            ),
            program(
                w.orgs[1],
                "Q",
                Sector::PerlindunganSosial,
                &["52.03.05.2004"],
            ),
        ];
        let saved = s.as_user(&admin).save_programs(&inputs).await.unwrap();
        assert_eq!(saved.len(), 3, "{l}");
        let f = |filter: ProgramFilter| {
            let s = s.clone();
            let admin = admin.clone();
            async move { codes_of(&s.as_user(&admin).programs_all(&filter).await.unwrap()) }
        };
        assert_eq!(
            f(ProgramFilter {
                sector: Some(Sector::PerlindunganSosial),
                ..Default::default()
            })
            .await,
            ["P", "Q"],
            "{l}"
        );
        assert_eq!(
            f(ProgramFilter {
                within: Some(code("52.03")),
                ..Default::default()
            })
            .await,
            ["E", "Q"],
            "{l}"
        );
        assert_eq!(
            f(ProgramFilter {
                from: Some(d("2024-01-01")),
                ..Default::default()
            })
            .await,
            ["P", "Q"],
            "{l}"
        );
        assert_eq!(
            f(ProgramFilter {
                to: Some(d("2024-01-01")),
                ..Default::default()
            })
            .await,
            ["E"],
            "{l}"
        );
        assert_eq!(
            f(ProgramFilter {
                organisation: Some(w.orgs[1]),
                ..Default::default()
            })
            .await,
            ["Q"],
            "{l}"
        );
        assert_eq!(
            f(ProgramFilter {
                query: Some("program q".into()),
                ..Default::default()
            })
            .await,
            ["Q"],
            "{l}"
        );
        let page = s
            .as_user(&admin)
            .programs(
                &ProgramFilter::default(),
                Sort::parse(Some("-anggaran"), &PROGRAM_SORTS),
                Page::new(Some(2), Some(2), 2),
            )
            .await
            .unwrap();
        assert_eq!(page.total, 3, "{l}");
        assert_eq!(codes_of(&page.items), ["E"], "{l}: the cheapest comes last");
        let orgs = s.as_user(&admin).program_organisations().await.unwrap();
        assert_eq!(orgs.len(), 2, "{l}");
        w.store.close().await;
    }
}

#[tokio::test]
async fn names_need_figures_and_boundaries() {
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let s = &w.store;
        let ix = s.region_name_index(&[code("52")]).await.unwrap();
        assert_eq!(
            ix.resolve(PlaceNames {
                kabkota: "Kab. Lombok Timur",
                kecamatan: "masbagik",
                desa: "Masbagik Timur"
            })
            .unwrap()
            .as_str(),
            "52.03.05.2004",
            "{l}"
        );
        // Jawa Tengah is outside the index asked for.
        assert!(
            ix.resolve(PlaceNames {
                kabkota: "Cilacap",
                ..Default::default()
            })
            .is_err(),
            "{l}"
        );

        let value = |region: &str, element: &str, v: f64| AggregateValue {
            region: RegionCode::parse(region).unwrap(),
            element: element.into(),
            period: "2025-Q3".into(),
            value: v,
            unit: "keluarga".into(),
            source: "uji".into(),
            source_type: SourceType::Administrative,
            estimated: false,
            note: None,
        };
        s.load_aggregates(
            Actor::system("uji"),
            &[
                value("52.03.05.2003", "keluarga_desil_1", 40.0),
                value("52.03.05.2003", "jumlah_keluarga", 100.0),
                value("52.03.05.2004", "desa_sasaran_kemiskinan_ekstrem", 1.0),
                value("52.03.05.2004", "jumlah_ppks", 12.0),
            ],
        )
        .await
        .unwrap();
        let need = s
            .as_system("test")
            .desa_need(Some(&code("52.03")))
            .await
            .unwrap();
        assert_eq!(need.len(), 2, "{l}");
        assert_eq!(need[0].desil1, Some(40.0), "{l}");
        assert_eq!(need[0].families, Some(100.0), "{l}");
        assert!(!need[0].extreme_target && need[1].extreme_target, "{l}");
        assert_eq!(need[1].ppks, Some(12.0), "{l}");
        assert_eq!(
            s.as_system("test").desa_need(None).await.unwrap().len(),
            4,
            "{l}"
        );
        // A user is given the need of the desa its regions cover, the public none.
        let op5203 = w.principal("op5203").await;
        let theirs = s.as_user(&op5203).desa_need(None).await.unwrap();
        assert_eq!(theirs.len(), 2, "{l}: {theirs:?}");
        assert!(
            theirs.iter().all(|d| d.code.as_str().starts_with("52.03.")),
            "{l}: {theirs:?}"
        );
        assert!(
            s.scoped(sinergi_core::Viewer::public())
                .desa_need(None)
                .await
                .unwrap()
                .is_empty(),
            "{l}"
        );

        let square = vec![vec![
            [116.0, -8.0],
            [117.0, -8.0],
            [117.0, -9.0],
            [116.0, -8.0],
        ]];
        let b = |c: &str| Boundary {
            code: code(c),
            polygons: vec![square.clone()],
        };
        assert_eq!(
            s.save_boundaries(
                Actor::system("uji"),
                &[b("52.02"), b("52.03"), b("33.01")],
                "uji"
            )
            .await
            .unwrap(),
            3
        );
        // Importing again replaces, not duplicates.
        s.save_boundaries(Actor::system("uji"), &[b("52.03")], "uji 2")
            .await
            .unwrap();
        let got = s
            .boundaries(Some(&code("52")), Level::KabKota)
            .await
            .unwrap();
        assert_eq!(got.len(), 2, "{l}");
        assert_eq!(got[1].polygons[0][0][1], [117.0, -8.0], "{l}");
        assert_eq!(s.boundary_counts().await.unwrap(), [(2, 3)], "{l}");
        let e = s
            .save_boundaries(Actor::system("uji"), &[b("52.99")], "uji")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("52.99"), "{l}: {e}");
        // The embedded boundaries on first start: a code the register lacks is skipped, not
        // refused, and no audit entry is written (reference data, like the region list).
        let entries = s.verify_audit_chain().await.unwrap().checked;
        assert_eq!(
            s.seed_boundaries(&[b("52"), b("52.99")], "bawaan")
                .await
                .unwrap(),
            1,
            "{l}"
        );
        assert_eq!(s.boundary_counts().await.unwrap(), [(1, 1), (2, 3)], "{l}");
        assert_eq!(
            s.verify_audit_chain().await.unwrap().checked,
            entries,
            "{l}"
        );
        w.store.close().await;
    }
}

#[tokio::test]
async fn a_partner_learns_only_who_and_what_of_programs_sharing_its_desa() {
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let s = &w.store;
        let mitra_a = w.principal("mitra.a").await;
        let mitra_b = w.principal("mitra.b").await;
        let admin52 = w.principal("admin52").await;
        s.as_user(&mitra_a)
            .save_program(&program(
                w.orgs[0],
                "A-1",
                Sector::PerlindunganSosial,
                &["52.03.05.2003"],
            ))
            .await
            .unwrap();
        s.as_user(&mitra_a)
            .save_program(&program(
                w.orgs[0],
                "A-2",
                Sector::Pendidikan,
                &["52.02.01.2001"],
            ))
            .await
            .unwrap();
        let b1 = s
            .as_user(&mitra_b)
            .save_program(&program(
                w.orgs[1],
                "B-1",
                Sector::Kesehatan,
                &["52.03.05.2003", "52.03.05.2004"],
            ))
            .await
            .unwrap();
        // B-2 shares no desa with A: not a peer.
        s.as_user(&mitra_b)
            .save_program(&program(
                w.orgs[1],
                "B-2",
                Sector::Kesehatan,
                &["52.03.05.2004"],
            ))
            .await
            .unwrap();
        let peers = s
            .as_user(&mitra_a)
            .overlap_peers(&ProgramFilter::default())
            .await
            .unwrap();
        assert_eq!(peers.len(), 1, "{l}: {peers:?}");
        assert_eq!(peers[0].id, b1.id, "{l}");
        assert_eq!(peers[0].organisation_name, "Mitra B", "{l}");
        assert_eq!(peers[0].sector, Sector::Kesehatan, "{l}");
        // Only the shared desa, not B-1's other places.
        assert_eq!(peers[0].desa, vec![code("52.03.05.2003")], "{l}");
        // The filter narrows the partner's own programs, so the peers too.
        let only_education = ProgramFilter {
            sector: Some(Sector::Pendidikan),
            ..ProgramFilter::default()
        };
        assert!(
            s.as_user(&mitra_a)
                .overlap_peers(&only_education)
                .await
                .unwrap()
                .is_empty(),
            "{l}"
        );
        // Never the partner's own programs; nothing for accounts not bound to an organisation.
        let peers_b = s
            .as_user(&mitra_b)
            .overlap_peers(&ProgramFilter::default())
            .await
            .unwrap();
        assert_eq!(
            peers_b
                .iter()
                .map(|p| p.organisation_name.as_str())
                .collect::<Vec<_>>(),
            vec!["Mitra A"],
            "{l}"
        );
        assert!(
            s.as_user(&admin52)
                .overlap_peers(&ProgramFilter::default())
                .await
                .unwrap()
                .is_empty(),
            "{l}"
        );
        // Nor for the system or the public: the exception is a partner's alone.
        for viewer in [
            sinergi_core::Viewer::System("uji"),
            sinergi_core::Viewer::Public,
        ] {
            assert!(
                s.scoped(&viewer)
                    .overlap_peers(&ProgramFilter::default())
                    .await
                    .unwrap()
                    .is_empty(),
                "{l}: {viewer:?}"
            );
        }
    }
}

/// The strategy's computed realisation reads the 4W data: the Desil I families of desa that a
/// running or finished Desil I program reaches, per kab/kota, nothing from planned, stopped or
/// better-off programs.
#[tokio::test]
async fn desil_1_families_in_reached_desa_are_computed_from_programs() {
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let s = &w.store;
        let admin52 = w.principal("admin52").await;
        let figure = |c: &str, v: f64| AggregateValue {
            region: code(c),
            element: "keluarga_desil_1".into(),
            period: "2025-Q3".into(),
            value: v,
            unit: "keluarga".into(),
            source: "DTSEN".into(),
            source_type: SourceType::Administrative,
            estimated: false,
            note: None,
        };
        s.load_aggregates(
            Actor::system("uji"),
            &[
                figure("52.03.05.2003", 120.0),
                figure("52.03.05.2004", 30.0),
                figure("52.02.01.2001", 7.0),
            ],
        )
        .await
        .unwrap();
        let reached = program(
            w.orgs[0],
            "D1",
            Sector::PerlindunganSosial,
            &["52.03.05.2003"],
        );
        let mut planned = program(w.orgs[0], "D2", Sector::Pendidikan, &["52.03.05.2004"]);
        planned.status = ProgramStatus::Rencana;
        let mut better_off = program(w.orgs[0], "D3", Sector::Pendidikan, &["52.03.05.2004"]);
        better_off.target.desil_from = 3;
        better_off.target.desil_to = 5;
        let mut finished = program(w.orgs[0], "D4", Sector::Kesehatan, &["52.02.01.2001"]);
        finished.status = ProgramStatus::Selesai;
        // Two programs in one desa count its families once.
        let twice = program(w.orgs[0], "D5", Sector::Kesehatan, &["52.03.05.2003"]);
        s.as_user(&admin52)
            .save_programs(&[reached, planned, better_off, finished, twice])
            .await
            .unwrap();
        let values = s
            .as_system("test")
            .run_computation("keluarga_desil_1_desa_terjangkau", "52")
            .await
            .unwrap();
        let got: Vec<(&str, f64)> = values
            .iter()
            .map(|v| (v.region.as_str(), v.value))
            .collect();
        assert_eq!(
            got,
            vec![("52.02", 7.0), ("52.03", 120.0), ("52", 127.0)],
            "{l}"
        );
    }
}
