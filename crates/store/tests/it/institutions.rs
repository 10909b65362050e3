//! Institutions on both backends: the LKS registry (import, re-import by key, rejects,
//! filters, paging, public directory, access), accreditation history and expiries, capacity
//! against need, the LKKS network with formation status and targets, monthly reports through
//! their workflow, and the partner directory.

use chrono::NaiveDate;
use sinergi_core::institution::{
    AgreementInput, BoardMember, BoardPosition, Disaggregation, FormationStatus, Grade, Helix,
    LkksInput, LksInput, PartnerInput, ReportAction, ReportInput, ReportPeriod, ReportState,
};
use sinergi_core::{Localized, Ppks, Principal, RegionCode, Viewer};
use sinergi_store::{
    Actor, AggregateValue, GradeFilter, LKKS_SORTS, LKS_SORTS, LkksFilter, LksFilter,
    PARTNER_SORTS, Page, PartnerFilter, Refusal, ReportFilter, Sort, SourceType, StoreError,
    need_element,
};
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{build, code};

/// A message as an Indonesian user reads it.
fn id(m: &sinergi_core::Msg) -> String {
    sinergi_i18n::Messages::new(sinergi_i18n::Lang::Id).render(m)
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn lks(key: &str, name: &str, region: &str) -> LksInput {
    LksInput {
        key: key.into(),
        name: name.into(),
        region: Some(code(region)),
        services: vec![Ppks::LanjutUsiaTerlantar, Ppks::PenyandangDisabilitas],
        capacity: 21,
        clients: Disaggregation {
            male: 8,
            female: 10,
            child: 0,
            adult: 6,
            elderly: 12,
            disability: 4,
        },
        registration_number: Some("12/460/DINSOS/2020".into()),
        registration_until: Some(d(2027, 1, 10)),
        accreditation: Some((Grade::B, d(2024, 1, 15))),
        phone: Some("0370 123456".into()),
        ..LksInput::default()
    }
}

#[tokio::test]
async fn lks_registry_imports_updates_by_key_and_rejects_with_reasons() {
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let s = &w.store;
        let admin = w.principal("admin52").await;
        let op5202 = w.principal("op5202").await;
        let mut bad = lks("LKS-3", "", "52.03.05.2003");
        bad.email = Some("bukan surel".into());
        let rows = vec![
            (2, lks("LKS-1", "Panti Werdha Kasih", "52.03.05.2003")),
            (3, lks("LKS-2", "LKSA Harapan", "52.02.01.2001")),
            (4, bad),
            (5, lks("LKS-4", "LKS Tanpa Wilayah", "52.09.99.2099")),
            (6, lks("LKS-5", "LKS Jateng", "33.01.01.2001")),
        ];
        let out = s.as_user(&admin).import_lks(&rows).await.unwrap();
        assert_eq!((out.created, out.updated), (2, 0), "{l}");
        let lines: Vec<(u64, Option<&str>)> = out
            .rejected
            .iter()
            .map(|r| (r.line, r.column.as_deref()))
            .collect();
        assert_eq!(
            lines,
            vec![
                (4, Some("nama")),
                (4, Some("surel")),
                (5, Some("kode_wilayah")),
                (6, Some("kode_lks")),
            ],
            "{l}"
        );
        assert!(
            id(&out.rejected[3].reason).contains("di luar wilayah"),
            "{l}"
        );
        assert_eq!(out.rejected[3].refusal, Refusal::OutOfScope, "{l}");
        assert_eq!(out.rejected[0].refusal, Refusal::Invalid, "{l}");
        // Re-import: the same key updates, never duplicates; a new accreditation joins the history.
        let mut again = lks("LKS-1", "Panti Werdha Kasih Ibu", "52.03.05.2004");
        again.accreditation = Some((Grade::A, d(2025, 6, 1)));
        let out = s.as_user(&admin).import_lks(&[(2, again)]).await.unwrap();
        assert_eq!(
            (out.created, out.updated, out.rejected.len()),
            (0, 1, 0),
            "{l}"
        );
        let all = s
            .as_user(&admin)
            .lks_list(
                &LksFilter::default(),
                Sort::parse(None, &LKS_SORTS),
                Page::new(None, None, 50),
            )
            .await
            .unwrap();
        // Two imported plus the fixture's bare "LKS Masbagik".
        assert_eq!(all.total, 3, "{l}");
        let kasih = all
            .items
            .iter()
            .find(|r| r.key.as_deref() == Some("LKS-1"))
            .unwrap();
        assert_eq!(kasih.name, "Panti Werdha Kasih Ibu");
        assert_eq!(kasih.region, "52.03.05.2004");
        assert_eq!(kasih.grade.as_deref(), Some("A"));
        assert_eq!(kasih.accreditation_until, Some(d(2030, 6, 1)));
        let full = s.as_user(&admin).lks(kasih.id).await.unwrap().unwrap();
        assert_eq!(full.history.len(), 2, "{l}: history kept");
        assert_eq!(full.history[1].valid_until, d(2027, 1, 15), "B: 3 years");
        assert_eq!(
            full.services.iter().map(|s| s.capacity).sum::<i64>(),
            21,
            "{l}: capacity split adds up"
        );
        assert_eq!(full.clients.elderly, 12);
        // A kab/kota operator cannot change an LKS of the neighbouring kab/kota.
        let out = s
            .as_user(&op5202)
            .import_lks(&[(2, lks("LKS-1", "Dibajak", "52.03.05.2004"))])
            .await
            .unwrap();
        assert_eq!(out.rejected.len(), 1, "{l}");
        let e = s
            .as_user(&op5202)
            .save_lks(&lks("LKS-1", "Dibajak", "52.02.01.2001"))
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Forbidden), "{l}: {e}");
        // The audit chain still verifies after all this.
        assert!(
            s.verify_audit_chain().await.unwrap().broken.is_none(),
            "{l}"
        );
    }
}

#[tokio::test]
async fn lks_list_filters_sorts_pages_and_respects_every_scope() {
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let s = &w.store;
        let admin = w.principal("admin52").await;
        let mut rows = Vec::new();
        for i in 0..12 {
            let mut r = lks(
                &format!("LKS-{i:02}"),
                &format!("LKS Nomor {i:02}"),
                if i % 3 == 0 {
                    "52.02.01.2001"
                } else {
                    "52.03.05.2003"
                },
            );
            if i % 4 == 0 {
                r.services = vec![Ppks::AnakTerlantar];
                r.accreditation = None;
                r.registration_number = None;
                r.registration_until = None;
            }
            rows.push((i + 2, r));
        }
        assert_eq!(
            s.as_user(&admin).import_lks(&rows).await.unwrap().created,
            12
        );
        // The public directory for `None`, else the user's rows.
        let list = |p: Option<&Principal>, f: LksFilter, sort: &str, n: u32| {
            let sort = Sort::parse(Some(sort), &LKS_SORTS);
            let viewer = p.map_or(Viewer::Public, |p| Viewer::User(p.clone()));
            async move {
                s.scoped(&viewer)
                    .lks_list(&f, sort, Page::new(Some(n), Some(5), 5))
                    .await
                    .unwrap()
            }
        };
        let anak = list(
            Some(&admin),
            LksFilter {
                ppks: Some(Ppks::AnakTerlantar),
                ..LksFilter::default()
            },
            "nama",
            1,
        )
        .await;
        assert_eq!(anak.total, 3, "{l}: LKS 0, 4, 8 serve AT");
        let ungraded = list(
            Some(&admin),
            LksFilter {
                grade: Some(GradeFilter::None),
                ..LksFilter::default()
            },
            "nama",
            1,
        )
        .await;
        assert_eq!(ungraded.total, 4, "{l}: three plus the bare fixture LKS");
        let found = list(
            Some(&admin),
            LksFilter {
                query: Some("nomor 07".into()),
                ..LksFilter::default()
            },
            "nama",
            1,
        )
        .await;
        assert_eq!(found.items.len(), 1, "{l}");
        assert_eq!(found.items[0].key.as_deref(), Some("LKS-07"));
        // Pages never overlap, descending name order holds across them.
        let mut seen = Vec::new();
        for n in 1..=3 {
            let p = list(Some(&admin), LksFilter::default(), "-nama", n).await;
            assert_eq!(p.total, 13);
            seen.extend(p.items.into_iter().map(|r| r.name));
        }
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.reverse();
        assert_eq!(seen, sorted, "{l}");
        // Scopes: the neighbouring kab/kota, the LKS's own operator, a partner, the public.
        let op5202 = w.principal("op5202").await;
        assert_eq!(
            list(Some(&op5202), LksFilter::default(), "nama", 1)
                .await
                .total,
            4
        );
        let own = w.principal("lks").await;
        let mine = list(Some(&own), LksFilter::default(), "nama", 1).await;
        assert_eq!(mine.total, 1, "{l}");
        assert_eq!(mine.items[0].id, w.orgs[2]);
        let mitra = w.principal("mitra.a").await;
        assert_eq!(
            list(Some(&mitra), LksFilter::default(), "nama", 1)
                .await
                .total,
            0
        );
        let public = list(None, LksFilter::default(), "nama", 1).await;
        assert_eq!(public.total, 9, "{l}: registered LKS only");
        let admin33 = w.principal("admin33").await;
        assert_eq!(
            list(Some(&admin33), LksFilter::default(), "nama", 1)
                .await
                .total,
            0
        );
        // An LKS operator edits its own record only.
        let mut own_row = lks("LKS-MSB", "LKS Masbagik", "52.03.05.2003");
        own_row.key = "LKS-MSB".into();
        let e = s.as_user(&own).save_lks(&own_row).await.unwrap_err();
        assert!(
            matches!(e, StoreError::Forbidden),
            "{l}: creating is for LKKS staff"
        );
        let pimpinan = w.principal("pimpinan52").await;
        let e = s
            .as_user(&pimpinan)
            .save_lks(&lks("LKS-00", "x", "52.02.01.2001"))
            .await
            .unwrap_err();
        assert!(
            matches!(e, StoreError::Forbidden),
            "{l}: the board reads only"
        );
    }
}

#[tokio::test]
async fn expiries_and_capacity_against_need() {
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let s = &w.store;
        let admin = w.principal("admin52").await;
        let mut soon = lks("LKS-A", "LKS Segera", "52.03.05.2003");
        soon.accreditation = Some((Grade::C, d(2024, 12, 20))); // until 2026-12-20
        let mut later = lks("LKS-B", "LKS Nanti", "52.03.05.2004");
        later.accreditation = Some((Grade::A, d(2024, 12, 20)));
        later.registration_until = None;
        later.registration_number = None;
        let mut lotim2 = lks("LKS-C", "LKS Lansia", "52.02.01.2001");
        lotim2.services = vec![Ppks::LanjutUsiaTerlantar];
        lotim2.capacity = 40;
        s.as_user(&admin)
            .import_lks(&[(2, soon), (3, later), (4, lotim2)])
            .await
            .unwrap();
        let today = d(2026, 11, 22);
        let due = s.as_user(&admin).lks_expiries(today, false).await.unwrap();
        let what: Vec<(&str, &str, i64)> = due
            .iter()
            .map(|e| (e.name.as_str(), e.what, e.days_left))
            .collect();
        // C lasts 2 years; the default Tanda Daftar ends 10 Jan 2027; B (2024-01-15) lasts 3.
        assert_eq!(
            what,
            vec![
                ("LKS Segera", "akreditasi", 28),
                ("LKS Segera", "tanda_daftar", 49),
                ("LKS Lansia", "tanda_daftar", 49),
                ("LKS Lansia", "akreditasi", 54),
            ],
            "{l}"
        );
        let listed = s
            .as_user(&admin)
            .lks_list(
                &LksFilter {
                    accreditation_ends: Some((today, today + chrono::Duration::days(90))),
                    ..LksFilter::default()
                },
                Sort::parse(None, &LKS_SORTS),
                Page::new(None, None, 50),
            )
            .await
            .unwrap();
        assert_eq!(
            listed.total, 2,
            "{l}: Segera and Lansia, not Nanti (A until 2029)"
        );
        s.load_aggregates(
            Actor::system("uji"),
            &[AggregateValue {
                region: code("52.03"),
                element: need_element(Ppks::LanjutUsiaTerlantar),
                period: "2025".into(),
                value: 300.0,
                unit: "orang".into(),
                source: "uji".into(),
                source_type: SourceType::Administrative,
                estimated: true,
                note: None,
            }],
        )
        .await
        .unwrap();
        let rows = s
            .as_user(&admin)
            .lks_capacity_by_region(Some(&code("52")))
            .await
            .unwrap();
        let lut_5203 = rows
            .iter()
            .find(|r| r.region.as_str() == "52.03" && r.ppks == Ppks::LanjutUsiaTerlantar)
            .unwrap();
        // Two LKS serving LUT and PD, 21 each: 11 + 11 for LUT.
        assert_eq!((lut_5203.lks, lut_5203.capacity), (2, 22), "{l}");
        assert_eq!(lut_5203.need, Some(300.0));
        assert_eq!(lut_5203.region_name, "Kabupaten Lombok Timur");
        let lut_5202 = rows
            .iter()
            .find(|r| r.region.as_str() == "52.02" && r.ppks == Ppks::LanjutUsiaTerlantar)
            .unwrap();
        assert_eq!(
            (lut_5202.lks, lut_5202.capacity, lut_5202.need),
            (1, 40, None)
        );
        // A kab/kota operator counts only the LKS of their kab/kota.
        let op = w.principal("op5202").await;
        let theirs = s
            .as_user(&op)
            .lks_capacity_by_region(Some(&code("52")))
            .await
            .unwrap();
        assert!(
            theirs.iter().all(|r| r.region.as_str() == "52.02"),
            "{l}: {theirs:?}"
        );
    }
}

fn lkks_input(region: &str, status: FormationStatus, decree: bool) -> LkksInput {
    LkksInput {
        region: Some(code(region)),
        name: format!("LKKS {region}"),
        status: Some(status),
        decree_number: decree.then(|| "123/Bup/52/2024".to_string()),
        decree_date: decree.then(|| d(2024, 3, 1)),
        term_start: Some(d(2024, 3, 1)),
        term_end: Some(d(2029, 3, 1)),
        board: Some(vec![BoardMember {
            position: BoardPosition::KetuaUmum,
            title: None,
            name: "Ny. Baiq Rahmi".into(),
            phone: Some("0812 3456 789".into()),
            email: None,
        }]),
        ..LkksInput::default()
    }
}

#[tokio::test]
async fn lkks_network_status_history_board_and_formation_target() {
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let s = &w.store;
        let admin = w.principal("admin52").await;
        let out = s
            .as_user(&admin)
            .import_lkks(&[
                (2, lkks_input("52", FormationStatus::Aktif, true)),
                (3, lkks_input("52.03", FormationStatus::Aktif, false)),
                (
                    4,
                    lkks_input("52.02", FormationStatus::DalamPembentukan, false),
                ),
                (5, lkks_input("52.03.05", FormationStatus::Aktif, true)),
            ])
            .await
            .unwrap();
        assert_eq!(out.created, 2, "{l}: {:?}", out.rejected);
        let cols: Vec<_> = out
            .rejected
            .iter()
            .map(|r| (r.line, r.column.clone().unwrap()))
            .collect();
        assert_eq!(
            cols,
            vec![(3, "no_sk".to_string()), (5, "kode_wilayah".to_string())]
        );
        // Forming → active skips the decree: refused; → confirmed with decree: accepted.
        let op = w.principal("op5202").await;
        let e = s
            .as_user(&op)
            .save_lkks(&lkks_input("52.02", FormationStatus::Aktif, true), None)
            .await
            .unwrap_err();
        assert!(id(&e.msg()).contains("tidak bisa berpindah"), "{l}: {e}");
        let (id, created) = s
            .as_user(&op)
            .save_lkks(
                &lkks_input("52.02", FormationStatus::Dikukuhkan, true),
                Some("SK bupati terbit"),
            )
            .await
            .unwrap();
        assert!(!created);
        let rec = s.as_user(&admin).lkks(id).await.unwrap().unwrap();
        assert_eq!(rec.lkks.status, FormationStatus::Dikukuhkan);
        assert_eq!(rec.history.len(), 2, "{l}");
        assert_eq!(rec.history[0].note.as_deref(), Some("SK bupati terbit"));
        assert_eq!(
            rec.seat(BoardPosition::KetuaUmum).unwrap().name,
            "Ny. Baiq Rahmi"
        );
        assert_eq!(rec.board.len(), 1, "{l}: re-saving replaces the seat");
        // The neighbouring operator can neither see nor edit it.
        let op5203 = w.principal("op5203").await;
        assert!(s.as_user(&op5203).lkks(id).await.unwrap().is_none());
        let e = s
            .as_user(&op5203)
            .add_board_member(
                id,
                &BoardMember {
                    position: BoardPosition::Bidang,
                    title: Some("Bidang Anak".into()),
                    name: "X".into(),
                    phone: None,
                    email: None,
                },
            )
            .await
            .unwrap_err();
        assert!(matches!(e, StoreError::Forbidden));
        s.as_user(&op)
            .set_lkks_year(
                id,
                &sinergi_store::LkksYear {
                    year: 2025,
                    report_received_on: Some(d(2026, 2, 1)),
                    program_synced_on: None,
                    note: None,
                },
            )
            .await
            .unwrap();
        assert_eq!(
            s.as_user(&op).lkks(id).await.unwrap().unwrap().years.len(),
            1
        );
        let page = s
            .as_user(&admin)
            .lkks_list(
                &LkksFilter::default(),
                Sort::parse(None, &LKKS_SORTS),
                Page::new(None, None, 50),
            )
            .await
            .unwrap();
        assert_eq!(page.total, 2, "{l}");
        // Target: every kab/kota (52.02, 52.03) active by 31 Dec 2025.
        let t = s
            .as_user(&admin)
            .save_formation_target(
                &code("52"),
                "Semua kab/kota aktif",
                FormationStatus::Aktif,
                d(2025, 12, 31),
            )
            .await
            .unwrap();
        assert!(matches!(
            s.as_user(&op)
                .save_formation_target(&code("52"), "x", FormationStatus::Aktif, d(2025, 12, 31))
                .await,
            Err(StoreError::Forbidden)
        ));
        let p = s
            .as_user(&admin)
            .formation_progress(t)
            .await
            .unwrap()
            .unwrap();
        assert_eq!((p.total(), p.reached), (2, 0), "{l}");
        let missing: Vec<&str> = p.missing().map(|e| e.region.as_str()).collect();
        assert_eq!(missing, vec!["52.02", "52.03"]);
        assert_eq!(p.entries[0].status, Some(FormationStatus::Dikukuhkan));
        assert_eq!(p.entries[1].status, None);
        assert!(
            s.as_user(&w.principal("admin33").await)
                .formation_progress(t)
                .await
                .unwrap()
                .is_none()
        );
        // The exception (store/src/exceptions.rs): a target's progress shows every kab/kota's
        // formation status, also to viewers whose rows do not include those LKKS.
        let lkks_5202 = p.entries[0].lkks_id.expect("52.02 has an LKKS");
        let public = s.scoped(Viewer::public());
        let seen = public.formation_progress(t).await.unwrap().unwrap();
        assert_eq!(
            seen.entries[0].status,
            Some(FormationStatus::Dikukuhkan),
            "{l}"
        );
        assert!(
            public.lkks(lkks_5202).await.unwrap().is_none(),
            "{l}: record stays hidden"
        );
        let op5203 = s.as_user(&w.principal("op5203").await);
        let seen = op5203.formation_progress(t).await.unwrap().unwrap();
        assert_eq!(seen.entries[0].lkks_id, Some(lkks_5202), "{l}");
        assert!(
            op5203.lkks(lkks_5202).await.unwrap().is_none(),
            "{l}: not in its rows"
        );
    }
}

#[tokio::test]
async fn monthly_reports_move_through_review_and_overdue_is_listed() {
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let s = &w.store;
        let own = w.principal("lks").await;
        let reviewer = w.principal("op5203").await;
        let other = w.principal("op5202").await;
        let october = ReportPeriod::parse("2026-10").unwrap();
        let input = ReportInput {
            activities: "Pendampingan 20 lansia".into(),
            obstacles: "Dana terlambat".into(),
            beneficiaries: Disaggregation {
                male: 9,
                female: 11,
                child: 0,
                adult: 2,
                elderly: 18,
                disability: 3,
            },
        };
        let overdue = s
            .as_user(&reviewer)
            .overdue_lks_reports(october, None)
            .await
            .unwrap();
        assert_eq!(overdue.len(), 1, "{l}");
        assert_eq!(overdue[0].lks_id, w.orgs[2]);
        // Reviewers do not write reports; sums must agree.
        assert!(matches!(
            s.as_user(&reviewer)
                .save_lks_report(w.orgs[2], october, &input)
                .await,
            Err(StoreError::Forbidden)
        ));
        let mut wrong = input.clone();
        wrong.beneficiaries.elderly = 5;
        let e = s
            .as_user(&own)
            .save_lks_report(w.orgs[2], october, &wrong)
            .await
            .unwrap_err();
        assert!(id(&e.msg()).contains("kelompok umur"), "{l}: {e}");
        let id = s
            .as_user(&own)
            .save_lks_report(w.orgs[2], october, &input)
            .await
            .unwrap();
        assert_eq!(
            s.as_user(&own)
                .save_lks_report(w.orgs[2], october, &input)
                .await
                .unwrap(),
            id,
            "same month, same report"
        );
        assert_eq!(
            s.as_user(&reviewer)
                .overdue_lks_reports(october, None)
                .await
                .unwrap()[0]
                .state,
            Some(ReportState::Draft),
            "{l}: a draft is not received"
        );
        assert_eq!(
            s.as_user(&own)
                .move_lks_report(id, ReportAction::Submit, "")
                .await
                .unwrap(),
            ReportState::Submitted
        );
        assert!(
            s.as_user(&reviewer)
                .overdue_lks_reports(october, None)
                .await
                .unwrap()
                .is_empty()
        );
        assert!(
            s.as_user(&own)
                .save_lks_report(w.orgs[2], october, &input)
                .await
                .is_err(),
            "locked once submitted"
        );
        assert!(
            matches!(
                s.as_user(&other)
                    .move_lks_report(id, ReportAction::Approve, "")
                    .await,
                Err(StoreError::Forbidden)
            ),
            "{l}: another kab/kota cannot review"
        );
        assert!(
            s.as_user(&reviewer)
                .move_lks_report(id, ReportAction::RequestRevision, "")
                .await
                .is_err()
        );
        assert_eq!(
            s.as_user(&reviewer)
                .move_lks_report(id, ReportAction::RequestRevision, "Lampirkan daftar hadir")
                .await
                .unwrap(),
            ReportState::RevisionRequested
        );
        s.as_user(&own)
            .save_lks_report(w.orgs[2], october, &input)
            .await
            .unwrap();
        s.as_user(&own)
            .move_lks_report(id, ReportAction::Submit, "Sudah dilampirkan")
            .await
            .unwrap();
        assert_eq!(
            s.as_user(&reviewer)
                .move_lks_report(id, ReportAction::Approve, "")
                .await
                .unwrap(),
            ReportState::Approved
        );
        let r = s.as_user(&own).lks_report(id).await.unwrap().unwrap();
        assert_eq!(r.comments.len(), 4, "{l}");
        assert_eq!(r.comments[1].body, "Lampirkan daftar hadir");
        assert!(r.submitted_at.is_some());
        let page = s
            .as_user(&w.principal("pimpinan52").await)
            .lks_reports(
                &ReportFilter {
                    period: Some(october),
                    ..ReportFilter::default()
                },
                Page::new(None, None, 50),
            )
            .await
            .unwrap();
        assert_eq!(page.total, 1, "{l}: the board reads");
        assert_eq!(
            s.as_user(&other)
                .lks_reports(&ReportFilter::default(), Page::new(None, None, 50))
                .await
                .unwrap()
                .total,
            0
        );
    }
}

fn partner(key: &str, name: &str, region: &str, helix: Helix) -> PartnerInput {
    PartnerInput {
        key: key.into(),
        name: name.into(),
        region: Some(code(region)),
        helix: Some(helix),
        kind: Some("csr".into()),
        sectors: vec!["Pendidikan".into(), "lansia".into()],
        areas: vec![code("52.03")],
        contact_name: Some("Budi".into()),
        phone: Some("0370 654321".into()),
        email: Some("csr@contoh.id".into()),
        address: None,
    }
}

#[tokio::test]
async fn partner_directory_with_helix_agreements_and_scopes() {
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let s = &w.store;
        let admin = w.principal("admin52").await;
        // "Mitra A" exists as a bare organisation at 52: the directory takes it over.
        let out = s
            .as_user(&admin)
            .import_partners(&[
                (2, partner("M01", "Mitra A", "52", Helix::DuniaUsaha)),
                (
                    3,
                    partner("M02", "Universitas Uji", "52.03", Helix::Akademisi),
                ),
                (
                    4,
                    PartnerInput {
                        helix: None,
                        ..partner("M03", "Tanpa Peran", "52", Helix::Media)
                    },
                ),
                (
                    5,
                    PartnerInput {
                        areas: vec![code("52.99")],
                        ..partner("M04", "Salah", "52", Helix::Media)
                    },
                ),
            ])
            .await
            .unwrap();
        assert_eq!(
            (out.created, out.updated),
            (1, 1),
            "{l}: {:?}",
            out.rejected
        );
        let cols: Vec<_> = out
            .rejected
            .iter()
            .map(|r| r.column.clone().unwrap())
            .collect();
        assert_eq!(cols, ["peran", "wilayah_kerja"]);
        let sort = Sort::parse(None, &PARTNER_SORTS);
        let csr = s
            .as_user(&admin)
            .partners_list(
                &PartnerFilter {
                    helix: Some(Helix::DuniaUsaha),
                    ..PartnerFilter::default()
                },
                sort,
                Page::new(None, None, 50),
            )
            .await
            .unwrap();
        assert_eq!(csr.total, 1, "{l}");
        assert_eq!(csr.items[0].id, w.orgs[0], "{l}: one organisation, not two");
        assert_eq!(csr.items[0].sectors, ["pendidikan", "lansia"]);
        // The partner's own account edits its record; another partner cannot.
        let a = w.principal("mitra.a").await;
        let b = w.principal("mitra.b").await;
        let mut mine = partner("M01", "Mitra A", "52", Helix::DuniaUsaha);
        mine.contact_name = Some("Sari".into());
        s.as_user(&a).save_partner(&mine).await.unwrap();
        assert!(matches!(
            s.as_user(&b).save_partner(&mine).await,
            Err(StoreError::Forbidden)
        ));
        assert!(s.as_user(&b).partner(w.orgs[0]).await.unwrap().is_none());
        let agreement = AgreementInput {
            number: "MoU/01/LKKS/2025".into(),
            signed_on: Some(d(2025, 2, 1)),
            valid_until: Some(d(2027, 2, 1)),
            scope: "Beasiswa anak".into(),
        };
        s.as_user(&a)
            .save_agreement(w.orgs[0], &agreement)
            .await
            .unwrap();
        s.as_user(&a)
            .save_agreement(w.orgs[0], &agreement)
            .await
            .unwrap();
        let rec = s.as_user(&a).partner(w.orgs[0]).await.unwrap().unwrap();
        assert_eq!(rec.agreements.len(), 1, "{l}: same number replaces");
        assert_eq!(rec.contact_name.as_deref(), Some("Sari"));
        assert!(matches!(
            s.as_user(&b).save_agreement(w.orgs[0], &agreement).await,
            Err(StoreError::Forbidden)
        ));
        // A kab/kota operator sees partners of its kab/kota and the provincial ones, not others.
        let op = w.principal("op5202").await;
        let seen = s
            .as_user(&op)
            .partners_list(&PartnerFilter::default(), sort, Page::new(None, None, 50))
            .await
            .unwrap();
        let names: Vec<&str> = seen.items.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["Mitra A", "Mitra B"], "{l}");
        let _ = RegionCode::parse("52").unwrap();
    }
}

#[tokio::test]
async fn a_bare_lks_organisation_gets_its_record_not_a_twin() {
    for db in TestDb::all().await {
        let w = build(&db).await;
        let admin = w.principal("admin52").await;
        // The fixture's "LKS Masbagik" at 52.03 exists as a bare organisation.
        let (id, created) = w
            .store
            .as_user(&admin)
            .save_lks(&lks("LKS-MSB", "LKS Masbagik", "52.03"))
            .await
            .unwrap();
        assert_eq!(id, w.orgs[2], "{}", db.label);
        assert!(!created);
        let own = w.principal("lks").await;
        assert_eq!(
            w.store
                .as_user(&own)
                .lks(id)
                .await
                .unwrap()
                .unwrap()
                .key
                .as_deref(),
            Some("LKS-MSB")
        );
    }
}

/// The strategy's computed realisation "LKS accredited" counts valid accreditations only, per
/// kab/kota of the LKS's seat.
#[tokio::test]
async fn accredited_lks_are_computed_for_the_strategy() {
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let s = &w.store;
        let admin = w.principal("admin52").await;
        let today = chrono::Local::now().date_naive();
        let mut valid_a = lks("AK-1", "LKS A", "52.03.05.2003");
        valid_a.accreditation = Some((Grade::A, today - chrono::Days::new(400)));
        // C lasts two years: granted three years ago, it has lapsed.
        let mut lapsed_c = lks("AK-2", "LKS C lama", "52.03.05.2004");
        lapsed_c.accreditation = Some((Grade::C, today - chrono::Days::new(3 * 366)));
        let mut none = lks("AK-3", "LKS belum", "52.03.05.2004");
        none.accreditation = None;
        let mut valid_b = lks("AK-4", "LKS B", "52.02.01.2001");
        valid_b.accreditation = Some((Grade::B, today - chrono::Days::new(30)));
        let rows = vec![(2, valid_a), (3, lapsed_c), (4, none), (5, valid_b)];
        let out = s.as_user(&admin).import_lks(&rows).await.unwrap();
        assert_eq!(
            (out.created, out.rejected.len()),
            (4, 0),
            "{l}: {:?}",
            out.rejected
        );
        let values = s
            .as_system("test")
            .run_computation("lks_terakreditasi", "52")
            .await
            .unwrap();
        let got: Vec<(&str, f64)> = values
            .iter()
            .map(|v| (v.region.as_str(), v.value))
            .collect();
        assert_eq!(
            got,
            vec![("52.02", 1.0), ("52.03", 1.0), ("52", 2.0)],
            "{l}"
        );
    }
}

/// Issue 17: registry exports carry people's contacts (LKS phones, LKKS board members,
/// partners' contact persons), so each is audited like a by-name export: the registry, the
/// number of records, who and where, and a search term only as its fingerprint.
#[tokio::test]
async fn registry_exports_with_contacts_are_audited_like_by_name_exports() {
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let s = &w.store;
        let admin = w.principal("admin52").await;
        let scoped = s.as_user(&admin);
        let out = scoped
            .import_lks(&[(2, lks("L01", "Panti Rahmi", "52.03.05.2003"))])
            .await
            .unwrap();
        assert_eq!(out.created, 1, "{l}: {:?}", out.rejected);
        let out = scoped
            .import_lkks(&[(2, lkks_input("52", FormationStatus::Aktif, true))])
            .await
            .unwrap();
        assert_eq!(out.created, 1, "{l}: {:?}", out.rejected);
        let out = scoped
            .import_partners(&[(2, partner("M01", "Mitra Rahmi", "52", Helix::DuniaUsaha))])
            .await
            .unwrap();
        assert_eq!(out.created + out.updated, 1, "{l}: {:?}", out.rejected);

        let lks_rows = scoped
            .export_lks(&LksFilter {
                query: Some("Rahmi".into()),
                ..LksFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(lks_rows.len(), 1, "{l}");
        let lkks_rows = scoped.export_lkks(&LkksFilter::default()).await.unwrap();
        assert!(
            lkks_rows.iter().any(|r| !r.board.is_empty()),
            "{l}: the LKKS export carries its board"
        );
        let partner_rows = scoped
            .export_partners(&PartnerFilter {
                query: Some("Rahmi".into()),
                ..PartnerFilter::default()
            })
            .await
            .unwrap();
        assert_eq!(partner_rows.len(), 1, "{l}");

        for (action, rows, searched) in [
            ("lks.export", lks_rows.len(), true),
            ("lkks.export", lkks_rows.len(), false),
            ("partner.export", partner_rows.len(), true),
        ] {
            let entries = scoped
                .audit_entries(
                    &sinergi_store::AuditQuery {
                        action: Some(action.into()),
                        ..Default::default()
                    },
                    Page::new(None, None, 50),
                )
                .await
                .unwrap();
            assert_eq!(entries.total, 1, "{l}: one {action} entry");
            let e = &entries.items[0];
            assert_eq!(e.actor_name, "admin52", "{l}: {action}");
            assert_eq!(e.region.as_deref(), Some("52"), "{l}: {action}");
            let after: serde_json::Value =
                serde_json::from_str(e.after.as_deref().unwrap()).unwrap();
            assert_eq!(after["baris"], rows, "{l}: {action} counts its records");
            assert_eq!(
                after["saring"].is_object(),
                searched,
                "{l}: {action} keeps the search as a fingerprint"
            );
            assert!(
                !e.after.as_deref().unwrap().to_lowercase().contains("rahmi"),
                "{l}: {action}: the typed term is not in the audit log"
            );
        }
        // The public directory gets no export, and nothing is audited for it.
        assert!(
            s.scoped(&Viewer::Public)
                .export_lks(&LksFilter::default())
                .await
                .is_err()
        );
        w.store.close().await;
    }
}
