//! `sinergi siklus` for verification steps and person facts (issue 20), through the real
//! binary on both backends: a cycle made with a verification step (an unknown step is
//! refused, named), one beneficiary verified from the shell (a bad outcome and another
//! partner refused), approval keeps only the verified one; a facts file gives a registry
//! person school facts, and an unknown NIK is refused by line.

use chrono::NaiveDate;
use sinergi_core::Ppks;
use sinergi_core::Viewer;
use sinergi_core::program::{
    AidType, FundingSource, ProgramInput, ProgramLocation, ProgramStatus, Reached, Sector,
    TargetGroup,
};
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{build, code};

/// `sinergi siklus <args>` with the world's key: (exit code, stdout + stderr).
fn siklus(db: &TestDb, key: &str, dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sinergi"))
        .arg("siklus")
        .args(args)
        .args(["--database", &db.arg()])
        .env_remove("DATABASE_URL")
        .env("SINERGI_KUNCI", key)
        .env("SINERGI_BAHASA", "id")
        .current_dir(dir)
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

#[test]
fn verification_steps_and_facts_from_the_shell() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    for db in rt.block_on(TestDb::all()) {
        let l = db.label;
        let (program, key, nik, person) = rt.block_on(async {
            let w = build(&db).await;
            let program = w
                .store
                .as_system("cli")
                .save_programs(&[ProgramInput {
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
                    locations: vec![ProgramLocation {
                        region: code("52.03.05.2003"),
                        planned: 3,
                        reached: 0,
                    }],
                }])
                .await
                .unwrap()[0]
                .id;
            let a1 = w.who("A1");
            let out = (program, w.key_text.clone(), a1.nik.to_string(), a1.id);
            w.store.close().await;
            out
        });
        let program = program.to_string();
        let make = |steps: &str| {
            siklus(
                &db,
                &key,
                dir.path(),
                &[
                    "buat",
                    "--program",
                    &program,
                    "--nama",
                    "Putaran 1",
                    "--mulai",
                    "2026-07-13",
                    "--selesai",
                    "2026-12-31",
                    "--jumlah",
                    "flat:300000",
                    "--verifikasi",
                    steps,
                    "--sebagai",
                    "mitra.a",
                ],
            )
        };
        let (code, out) = make("dokumen,rapor");
        assert_ne!(code, 0, "{l}: {out}");
        assert!(out.contains("\"rapor\" tidak dikenal"), "{l}: {out}");
        let (code, out) = make("dokumen");
        assert_eq!(code, 0, "{l}: {out}");
        let cycle: i64 = out
            .split("siklus ")
            .nth(1)
            .and_then(|s| s.split(' ').next())
            .and_then(|s| s.parse().ok())
            .unwrap_or_else(|| panic!("{l}: no cycle id in {out}"));
        let c = cycle.to_string();
        let (code, out) = siklus(
            &db,
            &key,
            dir.path(),
            &["daftarkan", "--siklus", &c, "--sebagai", "mitra.a"],
        );
        assert_eq!(code, 0, "{l}: {out}");
        let members = rt.block_on(async {
            let store = db.open().await;
            let m = store
                .scoped(&Viewer::System("test"))
                .cycle_members(cycle)
                .await
                .unwrap();
            store.close().await;
            m
        });
        assert!(members.len() >= 2, "{l}: {} enrolled", members.len());
        let first = members[0].id.to_string();
        let verify = |outcome: &str, user: &str| {
            siklus(
                &db,
                &key,
                dir.path(),
                &[
                    "verifikasi",
                    "--siklus",
                    &c,
                    "--penerima",
                    &first,
                    "--langkah",
                    "dokumen",
                    "--hasil",
                    outcome,
                    "--catatan",
                    "KK dan akta lahir diperiksa",
                    "--tanggal",
                    "2026-07-20",
                    "--sebagai",
                    user,
                ],
            )
        };
        let (code, out) = verify("mungkin", "mitra.a");
        assert_ne!(code, 0, "{l}: {out}");
        assert!(out.contains("\"mungkin\" tidak dikenal"), "{l}: {out}");
        let (code, out) = verify("lulus", "mitra.b");
        assert_ne!(code, 0, "{l}: another partner may not verify: {out}");
        let (code, out) = verify("lulus", "mitra.a");
        assert_eq!(code, 0, "{l}: {out}");
        assert!(out.contains("dokumen diperiksa — lulus"), "{l}: {out}");
        for step in ["ajukan", "setujui"] {
            let (code, out) = siklus(
                &db,
                &key,
                dir.path(),
                &["langkah", step, "--siklus", &c, "--sebagai", "mitra.a"],
            );
            assert_eq!(code, 0, "{l}: {step}: {out}");
        }
        let members = rt.block_on(async {
            let store = db.open().await;
            let m = store
                .scoped(&Viewer::System("test"))
                .cycle_members(cycle)
                .await
                .unwrap();
            store.close().await;
            m
        });
        let kept: Vec<i64> = members
            .iter()
            .filter(|m| m.included)
            .map(|m| m.id)
            .collect();
        assert_eq!(
            kept,
            vec![members[0].id],
            "{l}: only the verified one is approved"
        );

        // Facts: one registry person's school facts; an unknown NIK is refused by line.
        let file = dir.path().join("sekolah.csv");
        std::fs::write(
            &file,
            format!("nik,sekolah,jenjang\n{nik},ya,SMP\n5203050101100099,ya,SD\n"),
        )
        .unwrap();
        let (code, out) = siklus(
            &db,
            &key,
            dir.path(),
            &["fakta", file.to_str().unwrap(), "--sebagai", "mitra.a"],
        );
        assert_ne!(code, 0, "{l}: a refused row is reported: {out}");
        assert!(
            out.contains("1 catatan orang diberi fakta, 1 baris ditolak"),
            "{l}: {out}"
        );
        assert!(out.contains("  3: "), "{l}: the refused line: {out}");
        let facts = rt.block_on(async {
            let store = db.open().await;
            let c = store
                .scoped(&Viewer::System("test"))
                .registry_candidates(None, None, person - 1, 1)
                .await
                .unwrap();
            store.close().await;
            c
        });
        assert_eq!(facts[0].person_id, person, "{l}");
        assert_eq!(facts[0].facts.in_school, Some(true), "{l}");
        assert_eq!(
            facts[0].facts.level.map(|v| v.key()),
            Some("SMP"),
            "{l}: the level recorded"
        );
    }
}
