//! Benchmark of program cycles on the store (issue 20), on both backends: an eligibility rule
//! counted over the registry in scope (SINERGI_BENCH_PEOPLE people, default 3,000), and a
//! cycle of SINERGI_BENCH_BENEFICIARIES beneficiaries (default 1,000) enrolled, submitted,
//! approved (re-check, amounts frozen, entitlements written) and its payment batch built.
//! The suite runs it small so the path stays checked; `scripts/bench-cycles.sh` runs it at
//! 5.75 M people and 100,000 beneficiaries and records the peak memory.

use std::time::Instant;

use chrono::NaiveDate;
use sinergi_activity::cycles::{
    ExtraFacts, act_on_cycle, count_rule, create_cycle, create_rule, enrol_from_registry,
    payment_batch,
};
use sinergi_core::cycle::{AmountRule, CycleAction};
use sinergi_core::program::{
    AidType, FundingSource, ProgramInput, ProgramLocation, ProgramStatus, Reached, Sector,
    TargetGroup,
};
use sinergi_core::{Desil, LegalBasis, PersonExtra, PersonInput, Ppks, Sex, Viewer};
use sinergi_store::{Actor, BulkChunk, NewCycle, NewPersonList};
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{build, code};

fn size(var: &str, default: usize) -> usize {
    std::env::var(var)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Person `i`: the first `beneficiaries` in Masbagik (enrolled), the rest in another desa.
fn person(i: usize, beneficiaries: usize) -> PersonInput {
    PersonInput {
        line: i as u64 + 2,
        name: format!("Orang Uji {i}"),
        sex: Some(if i.is_multiple_of(2) {
            Sex::Female
        } else {
            Sex::Male
        }),
        birth_date: NaiveDate::from_ymd_opt(1950 + (i % 75) as i32, 1 + (i % 12) as u32, 1),
        nik: None,
        kk: None,
        region: code(if i < beneficiaries {
            "52.03.05.2003"
        } else {
            "52.02.01.2001"
        }),
        extra: PersonExtra {
            // One person in ten has no desil: the rule cannot decide for them.
            desil: (i % 10 != 9).then(|| Desil::new((i % 10) as u8 + 1).unwrap()),
            ..PersonExtra::default()
        },
    }
}

#[tokio::test]
async fn bench_cycles_on_the_store() {
    let people = size("SINERGI_BENCH_PEOPLE", 3_000);
    let beneficiaries = size("SINERGI_BENCH_BENEFICIARIES", 1_000).min(people);
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let mitra = Viewer::User(w.principal("mitra.a").await);

        // The registry: `people` rows in one list of the partner, loaded in chunks.
        let t = Instant::now();
        let sealer = w.store.person_sealer().unwrap();
        let (sender, receiver) = tokio::sync::mpsc::channel(2);
        let producer = tokio::spawn(async move {
            let mut i = 0;
            while i < people {
                let rows: Vec<PersonInput> = (i..people.min(i + 20_000))
                    .map(|n| person(n, beneficiaries))
                    .collect();
                i += rows.len();
                sender
                    .send(BulkChunk::Rows(sealer.prepare(&rows)))
                    .await
                    .unwrap();
            }
            sender.send(BulkChunk::Done).await.unwrap();
        });
        let list = w
            .store
            .bulk_person_list(
                Actor::system("bench"),
                &NewPersonList {
                    organisation_id: w.orgs[0],
                    name: "Daftar tolok ukur".into(),
                    legal_basis: Some(LegalBasis::Persetujuan),
                    reference: "tolok ukur siklus".into(),
                    source_file: None,
                    content_hash: None,
                    replaces: None,
                },
                receiver,
            )
            .await
            .unwrap();
        producer.await.unwrap();
        let load_s = t.elapsed().as_secs_f64();

        let program = ProgramInput {
            organisation_id: w.orgs[0],
            code: "BENCH".into(),
            name: "Beasiswa tolok ukur".into(),
            sector: Sector::Pendidikan,
            ppks: vec![Ppks::FakirMiskin],
            aid_type: AidType::Beasiswa,
            funding: FundingSource::Filantropi,
            budget_rp: 1_000_000_000_000,
            start: NaiveDate::from_ymd_opt(2026, 7, 13).unwrap(),
            end: NaiveDate::from_ymd_opt(2027, 6, 30).unwrap(),
            status: ProgramStatus::Berjalan,
            target: TargetGroup::default(),
            planned: beneficiaries as u64,
            reached: Reached::default(),
            locations: vec![ProgramLocation {
                region: code("52.03.05.2003"),
                planned: beneficiaries as u64,
                reached: 0,
            }],
        };
        let program_id = w
            .store
            .as_system("bench")
            .save_programs(&[program])
            .await
            .unwrap()[0]
            .id;

        // The rule counted over everyone in scope (the count is kept with the draft).
        let rule = r#"desil <= 2 && umur(tanggal_mulai) >= 6 && umur(tanggal_mulai) <= 18"#;
        let rule_id = create_rule(&w.store, &mitra, program_id, rule, &[])
            .await
            .unwrap();
        let t = Instant::now();
        let count = count_rule(&w.store, &mitra, rule_id).await.unwrap();
        let rule_s = t.elapsed().as_secs_f64();
        assert!(count.checked >= people as i64, "{l}: {count:?}");
        assert!(count.matched > 0 && count.undecided > 0, "{l}: {count:?}");

        // A cycle without a rule enrols everyone in Masbagik; approval re-checks, prices and
        // writes the entitlements of two tranches.
        let cycle_id = create_cycle(
            &w.store,
            &mitra,
            &NewCycle {
                program_id,
                name: "Putaran tolok ukur".into(),
                start: NaiveDate::from_ymd_opt(2026, 7, 13).unwrap(),
                end: NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
                rule_id: None,
                amount: AmountRule::Flat { rupiah: 300_000 },
                tranches: 2,
                steps: Vec::new(),
            },
        )
        .await
        .unwrap();
        let t = Instant::now();
        let enrolled = enrol_from_registry(
            &w.store,
            &mitra,
            cycle_id,
            Some(list.list_id),
            Some("52.03.05.2003"),
            &ExtraFacts::new(),
        )
        .await
        .unwrap();
        let enrol_s = t.elapsed().as_secs_f64();
        assert_eq!(enrolled.added, beneficiaries as u64, "{l}");
        act_on_cycle(&w.store, &mitra, cycle_id, CycleAction::Submit)
            .await
            .unwrap();
        // What approval reads, timed on its own.
        let t = Instant::now();
        let read = w
            .store
            .scoped(&mitra)
            .cycle_members(cycle_id)
            .await
            .unwrap();
        let read_s = t.elapsed().as_secs_f64();
        assert_eq!(read.len(), beneficiaries, "{l}");
        drop(read);
        let t = Instant::now();
        act_on_cycle(&w.store, &mitra, cycle_id, CycleAction::Approve)
            .await
            .unwrap();
        let approve_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let batch = payment_batch(&w.store, &mitra, cycle_id, 1).await.unwrap();
        let batch_s = t.elapsed().as_secs_f64();
        assert_eq!(batch.len(), beneficiaries, "{l}");
        println!(
            "BENCH cycles backend={l} people={people} load_s={load_s:.1} \
             rule_checked={} rule_matched={} rule_s={rule_s:.2} beneficiaries={beneficiaries} \
             enrol_s={enrol_s:.2} read_members_s={read_s:.2} approve_s={approve_s:.2} batch_s={batch_s:.2} \
             approve_and_batch_s={:.2}",
            count.checked,
            count.matched,
            approve_s + batch_s
        );
    }
}
