//! The demo's program cycles (issue 20): Baznas's Tunas Negeri scholarship for the children
//! of Masbagik (the list loaded by the demo) run through two cycles — a published rule,
//! enrolment from the list, approval, bank payments with one failure, mentoring notes, an
//! exit and a grievance — so the cycle pages, the payment batch and the donor report have
//! something real-looking to show. Everything goes through the same use cases as the CLI.

use std::collections::BTreeSet;

use anyhow::Context;
use chrono::NaiveDate;
use sinergi_activity::cycles::{
    ExtraFacts, act_on_cycle, create_cycle, create_rule, cycle_duplicates, decide_duplicate,
    enrol_from_registry, evaluate_in_scope, publish_rule,
};
use sinergi_core::cycle::{AmountRule, CycleAction, PaymentResult, SchoolLevel, VerificationStep};
use sinergi_core::eligibility::{Facts, Rule, RuleCase, age_on};
use sinergi_core::program::{
    AidType, FundingSource, ProgramInput, ProgramLocation, ProgramStatus, Reached, Sector,
    TargetGroup,
};
use sinergi_core::{Ppks, RegionCode, Viewer};
use sinergi_store::{NewCycle, NewNote, PersonFacts, Store};
use sinergi_synth::institutions::Scholar;

const RULE: &str =
    r#"desil <= 4 && umur(tanggal_mulai) >= 6 && umur(tanggal_mulai) <= 18 && sekolah == "ya""#;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("tanggal demo")
}

/// School level by age, for a child the list gives no level for.
fn level_by_age(age: i64) -> SchoolLevel {
    match age {
        ..=12 => SchoolLevel::Sd,
        13..=15 => SchoolLevel::Smp,
        _ => SchoolLevel::Sma,
    }
}

pub async fn load(
    store: &Store,
    baznas: i64,
    list_id: i64,
    scholars: &[Scholar],
) -> anyhow::Result<()> {
    let system = Viewer::System("demo");
    let scoped = store.scoped(&system);
    let children = scoped
        .registry_candidates(Some(list_id), None, 0, 10_000)
        .await?;
    if children.is_empty() {
        return Ok(());
    }
    // The list's school columns are facts the registry does not hold: given here, in list order.
    let mut extra = ExtraFacts::new();
    let first_start = day(2025, 7, 14);
    for (i, c) in children.iter().enumerate() {
        let s = scholars.get(i).filter(|_| scholars.len() == children.len());
        let age = c
            .facts
            .birth_date
            .map(|b| age_on(b, first_start))
            .unwrap_or(10);
        extra.insert(
            c.person_id,
            Facts {
                in_school: Some(true),
                level: s
                    .and_then(|s| SchoolLevel::lookup(s.level))
                    .or(Some(level_by_age(age))),
                desil: s.map(|s| s.desil).or(c.facts.desil).or(Some(1)),
                ..Facts::default()
            },
        );
    }
    let desa: BTreeSet<String> = children.iter().map(|c| c.facts.region.clone()).collect();
    let locations = desa
        .iter()
        .map(|d| {
            Ok(ProgramLocation {
                region: RegionCode::parse(d)?,
                planned: (children.len() / desa.len().max(1)) as u64,
                reached: 0,
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let saved = scoped
        .save_programs(&[ProgramInput {
            organisation_id: baznas,
            code: "TUNAS-NEGERI".into(),
            name: "Tunas Negeri — beasiswa anak keluarga miskin".into(),
            sector: Sector::Pendidikan,
            ppks: vec![Ppks::AnakTerlantar],
            aid_type: AidType::Beasiswa,
            funding: FundingSource::Zakat,
            budget_rp: 60_000_000,
            start: first_start,
            end: day(2026, 6, 30),
            status: ProgramStatus::Berjalan,
            target: TargetGroup {
                desil_from: 1,
                desil_to: 4,
                age_min: 6,
                age_max: 18,
                ..TargetGroup::default()
            },
            planned: children.len() as u64,
            reached: Reached::default(),
            locations,
        }])
        .await?;
    let program_id = saved.first().context("program Tunas Negeri")?.id;

    // School participation, level and disability of Masbagik's registry people, as a
    // school census upload would give them (the registry rows hold desil, birth date, sex
    // and desa only): most children of school age attend, their level by age; about one in
    // twenty-five has a disability. The Tunas list's own school columns win for its children.
    let masbagik = scoped
        .registry_candidates(None, Some("52.03.05"), 0, 100_000)
        .await?;
    let facts: Vec<PersonFacts> = masbagik
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let age = c.facts.birth_date.map(|b| age_on(b, first_start));
            let school_age = age.is_some_and(|a| (6..=18).contains(&a));
            let listed = extra.get(&c.person_id);
            PersonFacts {
                person_id: c.person_id,
                in_school: listed
                    .and_then(|f| f.in_school)
                    .or(age.map(|_| school_age && i % 8 != 0)),
                level: listed
                    .and_then(|f| f.level)
                    .or_else(|| age.filter(|_| school_age).map(level_by_age)),
                disability: Some(i % 25 == 0),
            }
        })
        .collect();
    scoped.record_person_facts(&facts).await?;

    // The rule: a case, the count over Masbagik, published.
    let case = RuleCase {
        label: "anak SD desil 1 yang bersekolah".into(),
        facts: Facts {
            desil: Some(1),
            birth_date: Some(day(2015, 3, 2)),
            in_school: Some(true),
            level: Some(SchoolLevel::Sd),
            region: "52.03.05.2001".into(),
            ..Facts::default()
        },
        expected: true,
    };
    let rule_id = create_rule(store, &system, program_id, RULE, &[case]).await?;
    let rule = Rule::parse(RULE).map_err(|m| anyhow::anyhow!("{m:?}"))?;
    let count = evaluate_in_scope(store, &system, &rule, first_start, Some("52.03.05")).await?;
    scoped
        .record_rule_count(rule_id, count.matched, count.checked)
        .await?;
    publish_rule(store, &system, rule_id).await?;

    let amount = AmountRule::ByLevel {
        sd: 300_000,
        smp: 450_000,
        sma: 600_000,
    };
    for (n, (start, end)) in [
        (first_start, day(2025, 12, 31)),
        (day(2026, 1, 12), day(2026, 6, 30)),
    ]
    .into_iter()
    .enumerate()
    {
        let cycle_id = create_cycle(
            store,
            &system,
            &NewCycle {
                program_id,
                name: format!("Semester {}", n + 1),
                start,
                end,
                rule_id: Some(rule_id),
                amount: amount.clone(),
                tranches: 2,
                steps: vec![
                    VerificationStep::Documents,
                    VerificationStep::SchoolConfirmation,
                ],
            },
        )
        .await?;
        let enrolled =
            enrol_from_registry(store, &system, cycle_id, Some(list_id), None, &extra).await?;
        // The synthetic world's children are distinct people: a pair the linkage engine
        // found (siblings with close names, say) is decided "two people", on record.
        if enrolled.duplicates_pending > 0 {
            for pair in cycle_duplicates(store, &system, cycle_id).await? {
                if pair.same.is_none() {
                    decide_duplicate(store, &system, cycle_id, pair.id, false).await?;
                }
            }
        }
        // The documents and the school's confirmation, checked for every child.
        for m in scoped.cycle_members(cycle_id).await? {
            for step in [
                VerificationStep::Documents,
                VerificationStep::SchoolConfirmation,
            ] {
                scoped
                    .add_cycle_note(
                        cycle_id,
                        &NewNote {
                            member_id: m.id,
                            kind: "verifikasi",
                            on_date: start - chrono::Duration::days(7),
                            body: match step {
                                VerificationStep::Documents => "KK, akta dan rapor diperiksa",
                                _ => "Surat keterangan aktif dari sekolah",
                            }
                            .into(),
                            follow_up: None,
                            status: None,
                            entitlement_id: None,
                            step: Some(step),
                            passed: Some(true),
                        },
                    )
                    .await?;
            }
        }
        act_on_cycle(store, &system, cycle_id, CycleAction::Submit).await?;
        act_on_cycle(store, &system, cycle_id, CycleAction::Approve).await?;
        let members = scoped.cycle_members(cycle_id).await?;
        // Tranche 1 paid, one account dormant in the first cycle.
        let first = scoped.entitlements(cycle_id, Some(1)).await?;
        let results: Vec<(i64, PaymentResult)> = first
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let r = if n == 0 && i == 3 {
                    PaymentResult::Failed {
                        reason: "rekening tidak aktif".into(),
                    }
                } else {
                    PaymentResult::Paid {
                        reference: format!("BSI-{cycle_id}-{}", e.id),
                    }
                };
                (e.id, r)
            })
            .collect();
        scoped.record_payments(cycle_id, &results).await?;
        act_on_cycle(store, &system, cycle_id, CycleAction::Distribute).await?;
        // Mentoring notes on the first two children.
        for m in members.iter().take(2) {
            scoped
                .add_cycle_note(
                    cycle_id,
                    &NewNote {
                        member_id: m.id,
                        kind: "pendampingan",
                        on_date: start + chrono::Duration::days(30),
                        body: "Kunjungan rumah: anak rajin masuk sekolah, buku dan seragam sudah dibeli.".into(),
                        follow_up: Some("Cek rapor akhir semester".into()),
                        status: None,
                        entitlement_id: None,
                        step: None,
                        passed: None,
                    },
                )
                .await?;
        }
        if n == 0 {
            // The failed payment's family complains; reviewed and resolved.
            if let Some(failed) = first.get(3) {
                scoped
                    .add_cycle_note(
                        cycle_id,
                        &NewNote {
                            member_id: failed.member_id,
                            kind: "pengaduan",
                            on_date: start + chrono::Duration::days(21),
                            body: "Orang tua melapor dana tahap 1 belum diterima.".into(),
                            follow_up: Some("Rekening diaktifkan ulang di bank".into()),
                            status: Some("selesai".into()),
                            entitlement_id: Some(failed.id),
                            step: None,
                            passed: None,
                        },
                    )
                    .await?;
            }
            // Tranche 2 paid in full, then the cycle ends; one child graduates.
            let second = scoped.entitlements(cycle_id, Some(2)).await?;
            let paid: Vec<(i64, PaymentResult)> = second
                .iter()
                .map(|e| {
                    (
                        e.id,
                        PaymentResult::Paid {
                            reference: format!("BSI-{cycle_id}-{}", e.id),
                        },
                    )
                })
                .collect();
            scoped.record_payments(cycle_id, &paid).await?;
            act_on_cycle(store, &system, cycle_id, CycleAction::End).await?;
            if let Some(m) = members.last() {
                scoped
                    .exit_member(
                        cycle_id,
                        m.id,
                        "lulus",
                        "Lulus SMA, diterima bekerja",
                        day(2025, 12, 20),
                    )
                    .await?;
            }
        }
    }
    tracing::info!(
        "siklus Tunas Negeri dimuat (2 siklus, program {program_id}); aturan cocok untuk {} dari {} orang di Masbagik ({} tidak dapat dinilai)",
        count.matched,
        count.checked,
        count.undecided
    );
    Ok(())
}
