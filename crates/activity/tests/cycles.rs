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
