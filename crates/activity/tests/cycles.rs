//! Issue 20: a program cycle from its eligibility rule to the donor report, on both
//! backends: the rule is counted in scope before it is published; enrolment checks each
//! candidate, a manual addition needs its reason; entitlements wait for their cycle's
//! approval, which freezes amounts; bank results update each entitlement; the board sees
//! aggregates only, a district LKKS only its rows, another partner nothing.

use chrono::NaiveDate;
use sinergi_activity::ActivityError;
use sinergi_activity::cycles::{
    ExtraFacts, act_on_cycle, count_rule, create_cycle, create_rule, donor_report,
    enrol_from_registry, enrol_manually, import_payment_results, payment_batch, publish_rule,
};
use sinergi_core::cycle::{AmountRule, CycleAction, CycleState, EntitlementState, PaymentResult};
use sinergi_core::eligibility::{Facts, RuleCase};
use sinergi_core::program::{
    AidType, FundingSource, ProgramInput, ProgramLocation, ProgramStatus, Reached, Sector,
    TargetGroup,
};
use sinergi_core::{Ppks, Viewer};
use sinergi_store::{AuditQuery, NewCycle, Page, StoreError};
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{build, code};

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn refused_key(e: ActivityError) -> &'static str {
    match e {
        ActivityError::Refused(m) => m.key,
        ActivityError::Store(StoreError::Refused(m)) => m.key,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_cycle_runs_from_rule_to_donor_report_in_scope() {
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let program = ProgramInput {
            organisation_id: w.orgs[0],
            code: "TUNAS".into(),
            name: "Beasiswa uji".into(),
            sector: Sector::Pendidikan,
            ppks: vec![Ppks::FakirMiskin],
            aid_type: AidType::Beasiswa,
            funding: FundingSource::Filantropi,
            budget_rp: 10_000_000,
            start: day("2026-07-13"),
            end: day("2027-06-30"),
            status: ProgramStatus::Berjalan,
            target: TargetGroup::default(),
            planned: 3,
            reached: Reached::default(),
            locations: vec![
                ProgramLocation {
                    region: code("52.03.05.2003"),
                    planned: 2,
                    reached: 0,
                },
                ProgramLocation {
                    region: code("52.02.01.2001"),
                    planned: 1,
                    reached: 0,
                },
            ],
        };
        let saved = w
            .store
            .as_system("test")
            .save_programs(&[program])
            .await
            .unwrap();
        let program_id = saved[0].id;
        let mitra = Viewer::User(w.principal("mitra.a").await);
        let other = Viewer::User(w.principal("mitra.b").await);
        let board = Viewer::User(w.principal("pimpinan52").await);
        let lkks = Viewer::User(w.principal("op5202").await);

        // The rule: a draft, refused for publishing without cases, then without a count.
        let text = r#"di_wilayah("52.03")"#;
        assert_eq!(
            refused_key(
                create_rule(&w.store, &mitra, program_id, "desli <= 2", &[])
                    .await
                    .unwrap_err()
            ),
            "cycles.rule_unknown_name",
            "{l}"
        );
        let bare = create_rule(&w.store, &mitra, program_id, text, &[])
            .await
            .unwrap();
        assert_eq!(
            refused_key(publish_rule(&w.store, &mitra, bare).await.unwrap_err()),
            "cycles.rule_needs_cases",
            "{l}"
        );
        let case = RuleCase {
            label: "Masbagik".into(),
            facts: Facts {
                region: "52.03.05.2003".into(),
                ..Facts::default()
            },
            expected: true,
        };
        let rule_id = create_rule(&w.store, &mitra, program_id, text, &[case])
            .await
            .unwrap();
        assert_eq!(
            refused_key(publish_rule(&w.store, &mitra, rule_id).await.unwrap_err()),
            "cycles.rule_count_first",
            "{l}"
        );
        let count = count_rule(&w.store, &mitra, rule_id).await.unwrap();
        assert_eq!((count.checked, count.matched), (3, 2), "{l}: A1, A2 of 3");
        publish_rule(&w.store, &mitra, rule_id).await.unwrap();
        assert!(
            create_rule(&w.store, &other, program_id, text, &[])
                .await
                .is_err(),
            "{l}: another partner cannot write the rule"
        );

        // The cycle: enrol the eligible, add one by hand with a reason.
        let cycle_id = create_cycle(
            &w.store,
            &mitra,
            &NewCycle {
                program_id,
                name: "Putaran 1".into(),
                start: day("2026-07-13"),
                end: day("2026-12-31"),
                rule_id: Some(rule_id),
                amount: AmountRule::Flat { rupiah: 300_000 },
                tranches: 2,
                steps: Vec::new(),
            },
        )
        .await
        .unwrap();
        let enrolled =
            enrol_from_registry(&w.store, &mitra, cycle_id, None, None, &ExtraFacts::new())
                .await
                .unwrap();
        assert_eq!((enrolled.added, enrolled.not_eligible), (2, 1), "{l}");
        let a3 = w.who("A3").id;
        assert_eq!(
            refused_key(
                enrol_manually(&w.store, &mitra, cycle_id, a3, None, "")
                    .await
                    .unwrap_err()
            ),
            "cycles.manual_reason_required",
            "{l}"
        );
        enrol_manually(&w.store, &mitra, cycle_id, a3, None, "rujukan kepala desa")
            .await
            .unwrap();

        // Entitlements cannot be paid before the cycle is approved.
        let early = w
            .store
            .scoped(&mitra)
            .record_payments(
                cycle_id,
                &[(
                    1,
                    PaymentResult::Paid {
                        reference: "x".into(),
                    },
                )],
            )
            .await
            .unwrap_err();
        assert!(
            matches!(early, StoreError::Refused(m) if m.key == "cycles.not_payable"),
            "{l}"
        );
        assert!(
            payment_batch(&w.store, &mitra, cycle_id, 1).await.is_err(),
            "{l}"
        );
        assert_eq!(
            refused_key(
                act_on_cycle(&w.store, &mitra, cycle_id, CycleAction::Approve)
                    .await
                    .unwrap_err()
            ),
            "cycles.state_refused",
            "{l}: approve only from to_approve"
        );
        act_on_cycle(&w.store, &mitra, cycle_id, CycleAction::Submit)
            .await
            .unwrap();
        // Submitted: the list is closed.
        assert!(
            enrol_manually(&w.store, &mitra, cycle_id, a3, None, "sekali lagi ya")
                .await
                .is_err(),
            "{l}"
        );
        act_on_cycle(&w.store, &mitra, cycle_id, CycleAction::Approve)
            .await
            .unwrap();
        assert_eq!(
            refused_key(
                act_on_cycle(&w.store, &mitra, cycle_id, CycleAction::Cancel)
                    .await
                    .unwrap_err()
            ),
            "cycles.transition_refused",
            "{l}: no cancel after approval"
        );
        let members = w
            .store
            .scoped(&mitra)
            .cycle_members(cycle_id)
            .await
            .unwrap();
        assert_eq!(members.len(), 3, "{l}");
        assert!(
            members
                .iter()
                .all(|m| m.included && m.amount == Some(300_000)),
            "{l}"
        );
        let manual = members.iter().find(|m| m.source == "manual").unwrap();
        assert_eq!(manual.reason.as_deref(), Some("rujukan kepala desa"), "{l}");

        // The bank batch, then the bank's results (one paid, one failed with its reason).
        let batch = payment_batch(&w.store, &mitra, cycle_id, 1).await.unwrap();
        assert_eq!(batch.len(), 3, "{l}");
        let csv = format!(
            "id_hak,status,keterangan\n{},berhasil,TRX-1\n{},gagal,rekening tidak aktif\nabc,berhasil,\n",
            batch[0][0], batch[1][0]
        );
        let result =
            import_payment_results(&w.store, &mitra, cycle_id, "hasil.csv", csv.as_bytes())
                .await
                .unwrap();
        assert_eq!(
            (result.updated, result.paid, result.failed),
            (2, 1, 1),
            "{l}"
        );
        assert_eq!(result.rejected.len(), 1, "{l}: the bad id is reported");
        let ents = w
            .store
            .scoped(&mitra)
            .entitlements(cycle_id, Some(1))
            .await
            .unwrap();
        let failed = ents
            .iter()
            .find(|e| e.state == EntitlementState::Failed)
            .unwrap();
        assert_eq!(failed.note.as_deref(), Some("rekening tidak aktif"), "{l}");
        // A paid entitlement leaves the next batch of its tranche.
        assert_eq!(
            payment_batch(&w.store, &mitra, cycle_id, 1)
                .await
                .unwrap()
                .len(),
            2,
            "{l}"
        );

        // Scope: the board sees aggregates only; the Lombok Tengah LKKS only A3; another
        // partner nothing.
        assert!(
            w.store
                .scoped(&board)
                .cycle_members(cycle_id)
                .await
                .is_err(),
            "{l}"
        );
        let report = donor_report(&w.store, &board, program_id).await.unwrap();
        let total = report.total.clone();
        assert_eq!(total.beneficiaries, 3, "{l}");
        assert_eq!(total.tranches.get(&1).unwrap().1, 300_000, "{l}");
        assert_eq!(
            (report.plan.target_reach, report.plan.reached),
            (3, 3),
            "{l}: reach against the plan"
        );
        assert_eq!(report.plan.budget_rp, 10_000_000, "{l}");
        assert_eq!(report.plan.paid_rp, 300_000, "{l}");
        let lkks_rows = w.store.scoped(&lkks).cycle_members(cycle_id).await.unwrap();
        assert_eq!(lkks_rows.len(), 1, "{l}");
        assert!(
            w.store
                .scoped(&other)
                .cycle(cycle_id)
                .await
                .unwrap()
                .is_none(),
            "{l}"
        );
        assert!(
            donor_report(&w.store, &other, program_id).await.is_err(),
            "{l}"
        );
        assert_eq!(
            w.store
                .scoped(&mitra)
                .cycle(cycle_id)
                .await
                .unwrap()
                .unwrap()
                .state,
            CycleState::Approved,
            "{l}"
        );

        // Someone who left the program is not enrolled again from the registry in the next
        // cycle, only by hand with a reason; the enrolment says how many were left out.
        let a1 = w.who("A1").id;
        let a1_member = members.iter().find(|m| m.person_id == Some(a1)).unwrap();
        w.store
            .scoped(&mitra)
            .exit_member(
                cycle_id,
                a1_member.id,
                "pindah",
                "pindah ke Sumbawa",
                day("2026-09-01"),
            )
            .await
            .unwrap();
        // The figures counted in SQL equal the row-by-row tally, for every viewer.
        for v in [&mitra, &board, &lkks] {
            let scoped = w.store.scoped(v);
            let (m, e, n) = scoped.cycle_for_report(cycle_id).await.unwrap();
            let rows = sinergi_activity::cycles::DonorTally::of(&m, &e, &n);
            let sql = sinergi_activity::cycles::DonorTally::from_figures(
                &scoped.cycle_figures(cycle_id).await.unwrap(),
            );
            assert_eq!(sql, rows, "{l}");
            assert!(rows.beneficiaries > 0, "{l}");
        }
        let next_cycle = create_cycle(
            &w.store,
            &mitra,
            &NewCycle {
                program_id,
                name: "Putaran 2".into(),
                start: day("2027-01-11"),
                end: day("2027-06-30"),
                rule_id: Some(rule_id),
                amount: AmountRule::Flat { rupiah: 300_000 },
                tranches: 1,
                steps: Vec::new(),
            },
        )
        .await
        .unwrap();
        let again =
            enrol_from_registry(&w.store, &mitra, next_cycle, None, None, &ExtraFacts::new())
                .await
                .unwrap();
        assert_eq!(
            (again.added, again.exited_before, again.not_eligible),
            (1, 1, 1),
            "{l}: A2 enrolled, A1 left out as exited, A3 not eligible"
        );
        enrol_manually(
            &w.store,
            &mitra,
            next_cycle,
            a1,
            None,
            "kembali ke Masbagik",
        )
        .await
        .unwrap();
        let second = w
            .store
            .scoped(&mitra)
            .cycle_members(next_cycle)
            .await
            .unwrap();
        assert_eq!(second.len(), 2, "{l}: A2 and, by hand, A1");

        // Audited.
        let admin = w.principal("admin52").await;
        let audit = w
            .store
            .as_user(&admin)
            .audit_entries(&AuditQuery::default(), Page::new(None, Some(500), 500))
            .await
            .unwrap()
            .items;
        for action in [
            "rule.publish",
            "cycle.enrol",
            "cycle.approve",
            "cycle.payments",
        ] {
            assert!(
                audit.iter().any(|r| r.action == action),
                "{l}: {action} audited"
            );
        }
    }
}

/// A rule counted in one SQL query gives exactly what evaluating every registry row gives,
/// on both backends, over people with missing facts, birthdays on the cycle's first day and
/// school facts for some.
#[tokio::test]
async fn a_rule_counted_in_sql_agrees_with_the_rows() {
    use sinergi_activity::cycles::{evaluate_in_scope, evaluate_rows_in_scope};
    use sinergi_core::eligibility::Rule;
    use sinergi_core::{Desil, LegalBasis, PersonExtra, PersonInput, Sex};
    use sinergi_store::{Actor, BulkChunk, NewPersonList, PersonFacts};
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let mitra = Viewer::User(w.principal("mitra.a").await);
        let rows: Vec<PersonInput> = (0..600u32)
            .map(|i| PersonInput {
                line: u64::from(i) + 2,
                name: format!("Orang {i}"),
                sex: match i % 3 {
                    0 => Some(Sex::Female),
                    1 => Some(Sex::Male),
                    _ => None,
                },
                // Some born on 13 July (the start's day), some with no date.
                birth_date: (i % 7 != 0)
                    .then(|| {
                        NaiveDate::from_ymd_opt(2000 + (i % 27) as i32, 1 + (i % 12), 1 + (i % 28))
                            .unwrap()
                    })
                    .map(|d| {
                        if i % 11 == 0 {
                            NaiveDate::from_ymd_opt(2008 + (i % 3) as i32, 7, 13).unwrap()
                        } else {
                            d
                        }
                    }),
                nik: None,
                kk: None,
                region: code(if i % 2 == 0 {
                    "52.03.05.2003"
                } else {
                    "52.02.01.2001"
                }),
                extra: PersonExtra {
                    desil: (i % 5 != 0).then(|| Desil::new((i % 10) as u8 + 1).unwrap()),
                    ..PersonExtra::default()
                },
            })
            .collect();
        let (sender, receiver) = tokio::sync::mpsc::channel(2);
        sender
            .send(BulkChunk::Rows(
                w.store.person_sealer().unwrap().prepare(&rows),
            ))
            .await
            .unwrap();
        sender.send(BulkChunk::Done).await.unwrap();
        drop(sender);
        let list = w
            .store
            .bulk_person_list(
                Actor::system("test"),
                &NewPersonList {
                    organisation_id: w.orgs[0],
                    name: "Daftar fakta".into(),
                    legal_basis: Some(LegalBasis::Persetujuan),
                    reference: "uji".into(),
                    source_file: None,
                    content_hash: None,
                    replaces: None,
                },
                receiver,
            )
            .await
            .unwrap();
        let ids: Vec<i64> = w
            .store
            .scoped(&mitra)
            .registry_candidates(Some(list.list_id), None, 0, 10_000)
            .await
            .unwrap()
            .into_iter()
            .map(|c| c.person_id)
            .collect();
        let facts: Vec<PersonFacts> = ids
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 4 != 3)
            .map(|(i, id)| PersonFacts {
                person_id: *id,
                in_school: (i % 4 != 2).then_some(i % 3 != 0),
                level: [
                    None,
                    Some(sinergi_core::cycle::SchoolLevel::Sd),
                    Some(sinergi_core::cycle::SchoolLevel::Smp),
                ][i % 3],
                disability: (i % 5 != 4).then_some(i % 2 == 0),
            })
            .collect();
        w.store
            .scoped(&mitra)
            .record_person_facts(&facts)
            .await
            .unwrap();
        let start = day("2026-07-13");
        for text in [
            r#"desil <= 2 && umur(tanggal_mulai) >= 6 && umur(tanggal_mulai) <= 18 && sekolah == "ya""#,
            r#"desil > 3 || jk == "P""#,
            r#"!(umur(tanggal_mulai) < 17) && umur("2030-01-01") != 20"#,
            r#"umur() == 17 || umur(tanggal_mulai) > 24"#,
            // Birthdays on the first day: on the bound, one at a time (counts must not
            // compensate).
            "umur() >= 17",
            "umur(tanggal_mulai) <= 16",
            r#"di_wilayah("52.03") && jenjang == "SMP" && desil != 4"#,
            r#"disabilitas && !ikut("PKH") || sekolah != "tidak""#,
            r#"3 >= desil && wilayah == "52.02.01.2001" && jk != 1"#,
        ] {
            let rule = Rule::parse(text).unwrap();
            let lowered = rule.lowered().expect("lowers");
            assert!(
                w.store
                    .scoped(&mitra)
                    .count_rule_in_sql(lowered, start, None)
                    .await
                    .unwrap()
                    .is_some(),
                "{l}: {text} is counted in SQL"
            );
            let by_sql = evaluate_in_scope(&w.store, &mitra, &rule, start, None)
                .await
                .unwrap();
            let by_rows = evaluate_rows_in_scope(&w.store, &mitra, &rule, start, None)
                .await
                .unwrap();
            assert_eq!(by_sql, by_rows, "{l}: {text}");
            assert!(
                by_rows.matched > 0 && by_rows.checked > 600,
                "{l}: {text}: {by_rows:?}"
            );
            let in_region = evaluate_in_scope(&w.store, &mitra, &rule, start, Some("52.03"))
                .await
                .unwrap();
            let rows_region = evaluate_rows_in_scope(&w.store, &mitra, &rule, start, Some("52.03"))
                .await
                .unwrap();
            assert_eq!(in_region, rows_region, "{l}: {text} under 52.03");
        }
        // A rule with a built-in is not translated: the rows answer.
        let rule = Rule::parse("min(desil, 3) == 2").unwrap();
        assert!(rule.lowered().is_none());
    }
}

/// Enrolment's checks, on both backends: the linkage engine finds the same person enrolled
/// twice (a second list with her NIK mistyped) and the pair waits for the partner's decision
/// (no submitting meanwhile; decided "one person", the later record leaves the list and is
/// left out at approval); a beneficiary another partner already gives the same aid type to
/// (its held list) is flagged with that partner's name, not one receiving another type; the
/// cycle's figures, counted in SQL, equal the row-by-row tally for every viewer and count
/// the flag.
#[tokio::test]
async fn enrolment_finds_duplicates_and_double_aid_and_figures_match_rows() {
    use sinergi_activity::cycles::{
        DonorTally, MemberCursor, cycle_duplicates, cycle_view, decide_duplicate,
    };
    use sinergi_core::person::{AidReceived, PersonExtra};
    use sinergi_core::{Nik, PersonInput};
    use sinergi_store::NewPersonList;
    use sinergi_testkit::world::basis;
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let admin = w.principal("admin52").await;
        let row = |line: u64, name: &str, nik: &str, region: &str, aid: Option<&str>| PersonInput {
            line,
            name: name.into(),
            sex: None,
            birth_date: None,
            nik: Some(Nik::parse(nik, None).unwrap().nik),
            kk: None,
            region: code(region),
            extra: PersonExtra {
                aid: aid.map(|t| AidReceived {
                    aid_type: Some(t.into()),
                    received_on: Some(day("2026-08-01")),
                    ..AidReceived::default()
                }),
                ..PersonExtra::default()
            },
        };
        let import = |org: i64, name: &str, rows: Vec<PersonInput>| {
            let list = NewPersonList {
                organisation_id: org,
                name: name.into(),
                legal_basis: basis(),
                reference: "PKS 2/2026".into(),
                source_file: None,
                content_hash: None,
                replaces: None,
            };
            let store = w.store.clone();
            let admin = admin.clone();
            async move {
                store
                    .as_user(&admin)
                    .import_person_list(&list, &rows, &|_| {})
                    .await
                    .unwrap()
                    .unwrap();
            }
        };
        // Mitra A holds Siti Aminah (A1) a second time, her NIK's last two digits swapped,
        // among thirty other children of the desa (the engine learns its model from the
        // list: a handful of records is too few).
        let first = ["Ahmad", "Baiq", "Lalu", "Nurul", "Muhammad", "Dewi"];
        let last = ["Hidayat", "Rahman", "Sari", "Fitri", "Hakim", "Wulan"];
        let mut school = vec![row(
            2,
            "Siti Aminah",
            "5203054507900010",
            "52.03.05.2003",
            None,
        )];
        let niks: Vec<String> = (0..30usize)
            .map(|i| format!("520305{:02}{:02}10{:04}", 41 + i % 28, 1 + i % 12, 100 + i))
            .collect();
        for (i, nik) in niks.iter().enumerate() {
            let name = format!("{} {}", first[i % 6], last[i / 6]);
            school.push(row(i as u64 + 3, &name, nik, "52.03.05.2003", None));
        }
        import(w.orgs[0], "daftar sekolah", school).await;
        // Mitra B gives Lalu Ahmad (A2) a scholarship and Siti Aminah food parcels.
        import(
            w.orgs[1],
            "penerima mitra B",
            vec![
                row(
                    2,
                    "Lalu Ahmad",
                    "5203051203850002",
                    "52.03.05.2003",
                    Some("beasiswa"),
                ),
                row(
                    3,
                    "Siti Aminah",
                    "5203054507900001",
                    "52.03.05.2003",
                    Some("sembako"),
                ),
            ],
        )
        .await;
        let program = ProgramInput {
            organisation_id: w.orgs[0],
            code: "TUNAS2".into(),
            name: "Beasiswa cek".into(),
            sector: Sector::Pendidikan,
            ppks: vec![Ppks::FakirMiskin],
            aid_type: AidType::Beasiswa,
            funding: FundingSource::Filantropi,
            budget_rp: 5_000_000,
            start: day("2026-07-13"),
            end: day("2027-06-30"),
            status: ProgramStatus::Berjalan,
            target: TargetGroup::default(),
            planned: 4,
            reached: Reached::default(),
            locations: vec![ProgramLocation {
                region: code("52.03.05.2003"),
                planned: 4,
                reached: 0,
            }],
        };
        let program_id = w
            .store
            .as_system("test")
            .save_programs(&[program])
            .await
            .unwrap()[0]
            .id;
        let mitra = Viewer::User(w.principal("mitra.a").await);
        let board = Viewer::User(w.principal("pimpinan52").await);
        let lkks = Viewer::User(w.principal("op5203").await);
        let cycle_id = create_cycle(
            &w.store,
            &mitra,
            &NewCycle {
                program_id,
                name: "Putaran cek".into(),
                start: day("2026-07-13"),
                end: day("2026-12-31"),
                rule_id: None,
                amount: AmountRule::Flat { rupiah: 250_000 },
                tranches: 1,
                steps: Vec::new(),
            },
        )
        .await
        .unwrap();
        let enrolled = enrol_from_registry(
            &w.store,
            &mitra,
            cycle_id,
            None,
            Some("52.03"),
            &ExtraFacts::new(),
        )
        .await
        .unwrap();
        assert_eq!(
            enrolled.added, 33,
            "{l}: A1, A2, A1's second record, 30 others"
        );
        assert_eq!(enrolled.duplicates_pending, 1, "{l}");
        assert_eq!(
            enrolled.double_aid, 1,
            "{l}: A2 only (A1's aid is another type)"
        );

        let pairs = cycle_duplicates(&w.store, &mitra, cycle_id).await.unwrap();
        assert_eq!(pairs.len(), 1, "{l}");
        let pair = &pairs[0];
        assert_eq!(
            (pair.name_a.as_str(), pair.name_b.as_str()),
            ("Siti Aminah", "Siti Aminah"),
            "{l}"
        );
        assert!(pair.member_a < pair.member_b && pair.same.is_none(), "{l}");
        assert!(
            cycle_duplicates(&w.store, &board, cycle_id).await.is_err(),
            "{l}: the board sees no names"
        );
        let members = w
            .store
            .scoped(&mitra)
            .cycle_members(cycle_id)
            .await
            .unwrap();
        let a2 = members
            .iter()
            .find(|m| m.person_id == Some(w.who("A2").id))
            .unwrap();
        assert_eq!(a2.double_aid, vec!["Mitra B".to_string()], "{l}");
        let a1 = members
            .iter()
            .find(|m| m.person_id == Some(w.who("A1").id))
            .unwrap();
        assert!(a1.double_aid.is_empty(), "{l}");

        // Enrolling again finds the same pair, still waiting: not a second one.
        let again = enrol_from_registry(
            &w.store,
            &mitra,
            cycle_id,
            None,
            Some("52.03"),
            &ExtraFacts::new(),
        )
        .await
        .unwrap();
        assert_eq!((again.added, again.duplicates_pending), (0, 1), "{l}");

        assert_eq!(
            refused_key(
                act_on_cycle(&w.store, &mitra, cycle_id, CycleAction::Submit)
                    .await
                    .unwrap_err()
            ),
            "cycles.duplicates_pending",
            "{l}: no submitting while a pair waits"
        );
        assert!(
            decide_duplicate(&w.store, &board, cycle_id, pair.id, true)
                .await
                .is_err(),
            "{l}: only the partner decides"
        );
        decide_duplicate(&w.store, &mitra, cycle_id, pair.id, true)
            .await
            .unwrap();
        act_on_cycle(&w.store, &mitra, cycle_id, CycleAction::Submit)
            .await
            .unwrap();
        act_on_cycle(&w.store, &mitra, cycle_id, CycleAction::Approve)
            .await
            .unwrap();
        let members = w
            .store
            .scoped(&mitra)
            .cycle_members(cycle_id)
            .await
            .unwrap();
        let second = members.iter().find(|m| m.id == pair.member_b).unwrap();
        assert_eq!(second.duplicate_of, Some(pair.member_a), "{l}");
        assert!(!second.included, "{l}");
        assert_eq!(
            second.verdict_note.as_deref(),
            Some(format!("duplikat:{}", pair.member_a).as_str()),
            "{l}"
        );
        assert_eq!(members.iter().filter(|m| m.included).count(), 32, "{l}");

        // The figures in SQL equal the row-by-row tally for each viewer, flag included.
        for v in [&mitra, &board, &lkks] {
            let scoped = w.store.scoped(v);
            let (m, e, n) = scoped.cycle_for_report(cycle_id).await.unwrap();
            let rows = DonorTally::of(&m, &e, &n);
            let sql = DonorTally::from_figures(&scoped.cycle_figures(cycle_id).await.unwrap());
            assert_eq!(sql, rows, "{l}");
            assert_eq!((sql.beneficiaries, sql.double_aid), (32, 1), "{l}");
        }
        let view = cycle_view(
            &w.store,
            &mitra,
            program_id,
            cycle_id,
            MemberCursor::default(),
        )
        .await
        .unwrap()
        .unwrap();
        assert_eq!(view.tally.double_aid, 1, "{l}");
        assert_eq!(view.duplicates.len(), 1, "{l}");
        let report = donor_report(&w.store, &board, program_id).await.unwrap();
        assert_eq!(
            (report.total.double_aid, report.plan.reached),
            (1, 32),
            "{l}"
        );
    }
}
