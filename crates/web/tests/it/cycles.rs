//! Program cycles through the pages (issue 20), on SQLite and PostgreSQL: the partner
//! writes a rule (refused with a typo, named in the user's language), adds a test case
//! (a bad desil is refused naming the field), counts it in scope and publishes it; creates a
//! cycle with a verification step, enrols from the registry, adds one person by hand with a
//! reason, verifies one beneficiary only, submits and approves: only the verified one gets
//! entitlements, the others are left out saying which step is missing. The bank file and
//! the results upload (bad rows reported by line), a note, an exit and the donor report
//! follow. Another partner and the board cannot act; the board sees figures, no names.

use crate::common;

use chrono::NaiveDate;
use common::{Client, Got, assert_light_and_local, header, start_keyed};
use sinergi_core::Ppks;
use sinergi_core::program::{
    AidType, FundingSource, ProgramInput, ProgramLocation, ProgramStatus, Reached, Sector,
    TargetGroup,
};
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{PASSWORD, build, code};

fn signed(base: &str, user: &str) -> Client {
    let mut c = Client::new(base);
    assert_eq!(c.login(user, PASSWORD).status, 303, "{user} signs in");
    c
}

fn location(got: &Got) -> String {
    header(got, "location").unwrap_or_default().to_string()
}

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The value of the `<option>` whose text is `name`.
fn option_for(body: &str, name: &str) -> String {
    let end = body
        .find(&format!("\">{name}</option>"))
        .unwrap_or_else(|| panic!("no option for {name}"));
    let start = body[..end].rfind("value=\"").unwrap() + 7;
    body[start..end].to_string()
}

#[test]
fn a_cycle_is_run_through_the_pages_by_its_partner_only() {
    let dbs = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(TestDb::all());
    for db in dbs {
        let l = db.label;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let world = rt.block_on(build(&db));
        let saved = rt
            .block_on(world.store.as_system("test").save_programs(&[ProgramInput {
                organisation_id: world.orgs[0],
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
            }]))
            .unwrap();
        let program = saved[0].id;
        let a3 = world.who("A3").id;
        let key = world.key.clone();
        rt.block_on(world.store.close());
        drop(world);
        let (base, _stop) = start_keyed(db, Some(key));
        let root = format!("/program/{program}/siklus");

        let mut mitra = signed(&base, "mitra.a");
        let page = mitra.get(&root);
        assert_eq!(page.status, 200, "{l}");
        assert!(
            page.body.contains(&format!("{root}/aturan\"")),
            "{l}: the rule form"
        );
        assert_light_and_local("cycles page", &page.body);

        // The rule: a typo is refused naming it; the draft is saved.
        let typo = mitra.post(&format!("{root}/aturan"), &[("aturan", "desli <= 2")]);
        assert_eq!(typo.status, 400, "{l}");
        assert!(
            typo.body.contains("desli"),
            "{l}: the unknown name is named"
        );
        let made = mitra.post(
            &format!("{root}/aturan"),
            &[("aturan", r#"di_wilayah("52.03")"#)],
        );
        assert_eq!(made.status, 303, "{l}: {}", made.body);
        let rule = location(&made)
            .rsplit("aturan-")
            .next()
            .unwrap()
            .to_string();
        let rule_url = format!("{root}/aturan/{rule}");
        let early = mitra.post(&format!("{rule_url}/terbitkan"), &[]);
        assert_eq!(early.status, 400, "{l}: no case yet");
        assert!(early.body.contains("kasus uji"), "{l}: {}", early.body);
        // A bad desil names the field, in English for an English reader.
        mitra.get("/bahasa/en?ke=%2F");
        let bad = mitra.post(
            &format!("{rule_url}/kasus"),
            &[("label", "x"), ("harapan", "ya"), ("desil", "11")],
        );
        assert_eq!(bad.status, 400, "{l}");
        assert!(
            bad.body.contains("Desil: &#34;11&#34; cannot be read")
                || bad.body.contains("Desil: &quot;11&quot; cannot be read"),
            "{l}: {}",
            bad.body
        );
        mitra.get("/bahasa/id?ke=%2F");
        let case = mitra.post(
            &format!("{rule_url}/kasus"),
            &[
                ("label", "Masbagik"),
                ("harapan", "ya"),
                ("wilayah", "52.03.05.2003"),
                ("desil", ""),
            ],
        );
        assert_eq!(case.status, 303, "{l}: {}", case.body);
        let not_counted = mitra.post(&format!("{rule_url}/terbitkan"), &[]);
        assert_eq!(not_counted.status, 400, "{l}: count first");
        assert_eq!(mitra.post(&format!("{rule_url}/hitung"), &[]).status, 303);
        let page = mitra.get(&root);
        assert!(
            page.body.contains("<strong>2</strong> / 3"),
            "{l}: 2 of the 3 people in scope match"
        );
        assert!(page.body.contains("✓ Masbagik"), "{l}: the case passes");
        assert_eq!(
            mitra.post(&format!("{rule_url}/terbitkan"), &[]).status,
            303
        );

        // School facts through an upload: bad rows named by line, a NIK outside the scope
        // refused; the rule then reads them.
        let facts = "nik,sekolah,jenjang\n5203054507900001,ya,SD\n5203051203850002,ya,TK\n5203050101800004,tidak,\n";
        let got = mitra.post_upload(
            &format!("{root}/fakta"),
            &[],
            ("berkas", "fakta.csv", facts.as_bytes()),
        );
        assert_eq!(got.status, 200, "{l}: {}", got.body);
        assert!(
            got.body
                .contains("1 catatan orang diperbarui, 2 baris ditolak"),
            "{l}: {}",
            got.body
        );
        assert!(got.body.contains("TK"), "{l}: the bad level is named");
        assert!(
            got.body
                .contains("tidak ada di registri dalam cakupan Anda"),
            "{l}: another partner's person is not reached"
        );
        let school = mitra.post(
            &format!("{root}/aturan"),
            &[("aturan", r#"sekolah == "ya""#)],
        );
        assert_eq!(school.status, 303, "{l}");
        let school_rule = location(&school)
            .rsplit("aturan-")
            .next()
            .unwrap()
            .to_string();
        assert_eq!(
            mitra
                .post(&format!("{root}/aturan/{school_rule}/hitung"), &[])
                .status,
            303
        );
        assert!(
            mitra.get(&root).body.contains("<strong>1</strong> / 3"),
            "{l}: the uploaded fact makes one person match"
        );

        // Another partner and the board cannot write.
        let mut other = signed(&base, "mitra.b");
        assert_ne!(
            other
                .post(&format!("{root}/aturan"), &[("aturan", "desil <= 2")])
                .status,
            303,
            "{l}: another partner"
        );
        let mut board = signed(&base, "pimpinan52");
        let board_page = board.get(&root);
        assert_eq!(board_page.status, 200, "{l}");
        assert!(
            !board_page.body.contains("name=\"aturan\""),
            "{l}: no forms"
        );

        // The cycle: a bad amount names its field; then created with one step.
        let cycle_fields = |sd: &'static str| {
            vec![
                ("nama", "Semester 1"),
                ("mulai", "2026-07-13"),
                ("selesai", "2026-12-31"),
                ("aturan", ""),
                ("jenis_jumlah", "tetap"),
                ("jumlah_tetap", sd),
                ("tahap", "2"),
                ("langkah_dokumen", "1"),
            ]
        };
        let bad = mitra.post(&root, &cycle_fields("tiga ratus"));
        assert_eq!(bad.status, 400, "{l}");
        assert!(bad.body.contains("Jumlah tetap"), "{l}: {}", bad.body);
        let mut fields = cycle_fields("300000");
        fields[3] = ("aturan", rule.as_str());
        let made = mitra.post(&root, &fields);
        assert_eq!(made.status, 303, "{l}: {}", made.body);
        let cycle = location(&made);
        let page = mitra.get(&cycle);
        assert!(
            page.body
                .contains("Rp 300.000 per penerima per tahap; 2 tahap"),
            "{l}: the amount in words"
        );
        assert!(page.body.contains("dokumen diperiksa"), "{l}: the step");

        // Enrolment: the registry in scope through the rule; by hand needs a reason.
        assert_ne!(
            other.post(&format!("{cycle}/daftarkan"), &[]).status,
            303,
            "{l}: another partner cannot enrol"
        );
        assert_eq!(mitra.post(&format!("{cycle}/daftarkan"), &[]).status, 303);
        let short = mitra.post(
            &format!("{cycle}/tambah"),
            &[("orang", &a3.to_string()), ("alasan", "x")],
        );
        assert_eq!(short.status, 400, "{l}");
        assert!(short.body.contains("alasan"), "{l}: {}", short.body);
        assert_eq!(
            mitra
                .post(
                    &format!("{cycle}/tambah"),
                    &[
                        ("orang", &a3.to_string()),
                        ("alasan", "rujukan kepala desa")
                    ]
                )
                .status,
            303
        );
        let page = mitra.get(&cycle);
        for name in ["Siti Aminah", "Lalu Ahmad", "Baiq Siti Hajar"] {
            assert!(page.body.contains(name), "{l}: {name} enrolled");
        }
        assert!(page.body.contains("rujukan kepala desa"), "{l}: the reason");

        // One beneficiary verified; approval leaves the others out.
        let siti = option_for(&page.body, "Siti Aminah");
        let bad_step = mitra.post(
            &format!("{cycle}/verifikasi"),
            &[
                ("penerima", &siti),
                ("langkah", "foto"),
                ("hasil", "lulus"),
                ("tanggal", "2026-07-01"),
                ("catatan", "KK diperiksa"),
            ],
        );
        assert_eq!(bad_step.status, 400, "{l}: an unknown step");
        let verified = mitra.post(
            &format!("{cycle}/verifikasi"),
            &[
                ("penerima", &siti),
                ("langkah", "dokumen"),
                ("hasil", "lulus"),
                ("tanggal", "2026-07-01"),
                ("catatan", "KK dan akta diperiksa"),
            ],
        );
        assert_eq!(verified.status, 303, "{l}: {}", verified.body);
        assert_ne!(
            board
                .post(&format!("{cycle}/langkah"), &[("aksi", "ajukan")])
                .status,
            303,
            "{l}: the board cannot submit"
        );
        for aksi in ["ajukan", "setujui"] {
            let moved = mitra.post(&format!("{cycle}/langkah"), &[("aksi", aksi)]);
            assert_eq!(moved.status, 303, "{l}: {aksi}: {}", moved.body);
        }
        let again = mitra.post(&format!("{cycle}/langkah"), &[("aksi", "setujui")]);
        assert_eq!(again.status, 400, "{l}: approved once only");
        let page = mitra.get(&cycle);
        assert!(page.body.contains("disetujui"), "{l}: approved");
        assert!(
            page.body
                .contains("verifikasi belum lulus: dokumen diperiksa"),
            "{l}: the unverified are left out, saying why"
        );
        assert_light_and_local("cycle page", &page.body);

        // The bank file holds the verified beneficiary only.
        let csv = mitra.get(&format!("{cycle}/bayar/1.csv"));
        assert_eq!(csv.status, 200, "{l}");
        let rows: Vec<&str> = csv.body.lines().skip(1).collect();
        assert_eq!(rows.len(), 1, "{l}: {}", csv.body);
        assert!(rows[0].contains("Siti Aminah"), "{l}");
        let entitlement = rows[0]
            .trim_start_matches('\u{feff}')
            .split(',')
            .next()
            .unwrap();

        // The bank's results: one paid, bad rows reported by line.
        let file = format!(
            "id_hak,status,keterangan\n{entitlement},berhasil,BSI-1\nabc,berhasil,x\n{entitlement},gagal,\n"
        );
        let result = mitra.post_upload(
            &format!("{cycle}/hasil"),
            &[],
            ("berkas", "hasil.csv", file.as_bytes()),
        );
        assert_eq!(result.status, 200, "{l}: {}", result.body);
        assert!(
            result
                .body
                .contains("1 hak diperbarui (1 berhasil, 0 gagal), 2 baris ditolak"),
            "{l}: {}",
            result.body
        );
        assert!(result.body.contains("abc"), "{l}: the bad id is named");
        let page = mitra.get(&cycle);
        assert!(page.body.contains("BSI-1"), "{l}: the bank reference");

        // A note and an exit.
        assert_eq!(
            mitra
                .post(
                    &format!("{cycle}/catatan"),
                    &[
                        ("penerima", &siti),
                        ("jenis", "pengaduan"),
                        ("tanggal", "2026-08-01"),
                        ("catatan", "Dana belum diterima"),
                        ("status", "ditinjau"),
                    ],
                )
                .status,
            303
        );
        let bad_date = mitra.post(
            &format!("{cycle}/keluar"),
            &[
                ("penerima", &siti),
                ("jenis", "lulus"),
                ("alasan", "Lulus SMA"),
                ("tanggal", "kemarin"),
            ],
        );
        assert_eq!(bad_date.status, 400, "{l}");
        assert!(bad_date.body.contains("Tanggal"), "{l}: the field named");
        assert_eq!(
            mitra
                .post(
                    &format!("{cycle}/keluar"),
                    &[
                        ("penerima", &siti),
                        ("jenis", "lulus"),
                        ("alasan", "Lulus SMA"),
                        ("tanggal", "2026-12-20"),
                    ],
                )
                .status,
            303
        );
        let page = mitra.get(&cycle);
        assert!(page.body.contains("Dana belum diterima"), "{l}: the note");
        assert!(page.body.contains("lulus: Lulus SMA"), "{l}: the exit");
        assert!(page.body.contains("Pengaduan"), "{l}: figures in words");
        assert!(!page.body.contains("tahap_1"), "{l}: no machine words");

        // The board: figures, no names, no forms.
        let seen = board.get(&cycle);
        assert_eq!(seen.status, 200, "{l}");
        assert!(
            !seen.body.contains("Siti Aminah"),
            "{l}: no names for the board"
        );
        assert!(
            !seen.body.contains("/langkah\""),
            "{l}: no actions for the board"
        );
        let report = mitra.get(&format!("{root}/laporan.xlsx"));
        assert_eq!(report.status, 200, "{l}");
        assert!(report.bytes.starts_with(b"PK"), "{l}: a workbook");
        let pdf = mitra.get(&format!("{root}/laporan.pdf"));
        assert_eq!(pdf.status, 200, "{l}");
        assert!(pdf.bytes.starts_with(b"%PDF"), "{l}: a PDF");
        let text = sinergi_report::pdf::extract_text(&pdf.bytes);
        assert!(
            text.contains("1 dari target 3 orang"),
            "{l}: reach against the plan: {text}"
        );
        assert!(text.contains("Rp 300.000"), "{l}: rupiah in words: {text}");
    }
}

/// The cycle page pages its beneficiaries by key (50 a page), on both backends: 120
/// beneficiaries are three pages; next and previous links carry the id of the last or
/// first row shown, each beneficiary appears on exactly one page, and a page stays light.
#[test]
fn the_cycle_page_pages_its_beneficiaries() {
    use sinergi_activity::cycles::{ExtraFacts, create_cycle, enrol_from_registry};
    use sinergi_core::cycle::AmountRule;
    use sinergi_core::{LegalBasis, PersonExtra, PersonInput, Sex, Viewer};
    use sinergi_store::{Actor, BulkChunk, NewCycle, NewPersonList};

    let dbs = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(TestDb::all());
    for db in dbs {
        let l = db.label;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let world = rt.block_on(build(&db));
        let (cycle_url, key) = rt.block_on(async {
            let w = &world;
            let (sender, receiver) = tokio::sync::mpsc::channel(2);
            let rows: Vec<PersonInput> = (0..120)
                .map(|i| PersonInput {
                    line: i + 2,
                    name: format!("Anak Halaman {i:03}"),
                    sex: Some(Sex::Female),
                    birth_date: NaiveDate::from_ymd_opt(2014, 1, 1),
                    nik: None,
                    kk: None,
                    region: code("52.03.05.2003"),
                    extra: PersonExtra::default(),
                })
                .collect();
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
                        name: "Daftar anak".into(),
                        legal_basis: Some(LegalBasis::Persetujuan),
                        reference: "uji halaman".into(),
                        source_file: None,
                        content_hash: None,
                        replaces: None,
                    },
                    receiver,
                )
                .await
                .unwrap();
            let program = w
                .store
                .as_system("test")
                .save_programs(&[ProgramInput {
                    organisation_id: w.orgs[0],
                    code: "HAL".into(),
                    name: "Beasiswa halaman".into(),
                    sector: Sector::Pendidikan,
                    ppks: vec![Ppks::FakirMiskin],
                    aid_type: AidType::Beasiswa,
                    funding: FundingSource::Filantropi,
                    budget_rp: 100_000_000,
                    start: day("2026-07-13"),
                    end: day("2027-06-30"),
                    status: ProgramStatus::Berjalan,
                    target: TargetGroup::default(),
                    planned: 120,
                    reached: Reached::default(),
                    locations: vec![ProgramLocation {
                        region: code("52.03.05.2003"),
                        planned: 120,
                        reached: 0,
                    }],
                }])
                .await
                .unwrap()[0]
                .id;
            let mitra = Viewer::User(w.principal("mitra.a").await);
            let cycle = create_cycle(
                &w.store,
                &mitra,
                &NewCycle {
                    program_id: program,
                    name: "Putaran besar".into(),
                    start: day("2026-07-13"),
                    end: day("2026-12-31"),
                    rule_id: None,
                    amount: AmountRule::Flat { rupiah: 300_000 },
                    tranches: 1,
                    steps: Vec::new(),
                },
            )
            .await
            .unwrap();
            let done = enrol_from_registry(
                &w.store,
                &mitra,
                cycle,
                Some(list.list_id),
                None,
                &ExtraFacts::new(),
            )
            .await
            .unwrap();
            assert_eq!(done.added, 120, "{l}");
            (format!("/program/{program}/siklus/{cycle}"), w.key.clone())
        });
        rt.block_on(world.store.close());
        drop(world);
        let (base, _stop) = start_keyed(db, Some(key));
        let mut mitra = signed(&base, "mitra.a");

        let names = |body: &str| -> Vec<String> {
            body.split("<tr><td>Anak Halaman ")
                .skip(1)
                .map(|s| s[..3].to_string())
                .collect()
        };
        let link = |body: &str, rel: &str| -> Option<String> {
            let at = body.find(&format!("rel=\"{rel}\" href=\""))?;
            let rest = &body[at + rel.len() + 13..];
            Some(rest[..rest.find('"')?].replace("&amp;", "&"))
        };
        let first = mitra.get(&cycle_url);
        assert_eq!(first.status, 200, "{l}");
        assert_light_and_local(&format!("{l} cycle page 1"), &first.body);
        let page1 = names(&first.body);
        assert_eq!(page1.len(), 50, "{l}: {page1:?}");
        assert_eq!(page1[0], "000", "{l}");
        assert!(link(&first.body, "prev").is_none(), "{l}");
        let next = link(&first.body, "next").expect("a next link");
        assert!(next.contains("setelah="), "{l}: {next}");
        let second = mitra.get(&next);
        let page2 = names(&second.body);
        assert_eq!(page2.len(), 50, "{l}");
        assert_eq!(page2[0], "050", "{l}");
        let third = mitra.get(&link(&second.body, "next").expect("a next link"));
        let page3 = names(&third.body);
        assert_eq!(page3.len(), 20, "{l}");
        assert_eq!(page3.last().map(String::as_str), Some("119"), "{l}");
        assert!(link(&third.body, "next").is_none(), "{l}: the last page");
        // Back from the last page: the second page again, then the first.
        let back = mitra.get(&link(&third.body, "prev").expect("a prev link"));
        assert_eq!(names(&back.body), page2, "{l}");
        let back = mitra.get(&link(&back.body, "prev").expect("a prev link"));
        assert_eq!(names(&back.body), page1, "{l}");
        assert!(
            link(&back.body, "prev").is_none(),
            "{l}: at the start again"
        );
        let mut all: Vec<String> = [page1, page2, page3].concat();
        all.dedup();
        assert_eq!(all.len(), 120, "{l}: each beneficiary on one page");
    }
}
