//! Forums through the real HTTP stack on SQLite and PostgreSQL: an admin opens a forum for
//! the Lombok Timur LKKS, plans a meeting on the WITA clock, invites, checks in by code,
//! records a decision and an overdue action, is refused closing without minutes, closes with
//! them (the hash shows on the page), sees the overdue action on the overview, the home page
//! and in the XLSX; a neighbouring operator sees none of it. Pages stay light and local.

use crate::common;

use common::{Client, assert_light_and_local, header, start_keyed};
use sinergi_core::institution::{FormationStatus, LkksInput};
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{PASSWORD, build, code};

fn signed(base: &str, user: &str) -> Client {
    let mut c = Client::new(base);
    assert_eq!(c.login(user, PASSWORD).status, 303, "{user} signs in");
    c
}

fn location(got: &common::Got) -> String {
    header(got, "location").unwrap_or_default().to_string()
}

#[test]
fn a_forum_meeting_is_run_and_followed_up_through_the_pages() {
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
        let (lkks, _) = rt
            .block_on(world.store.as_system("cli").save_lkks(
                &LkksInput {
                    region: Some(code("52.03")),
                    name: "LKKS Kabupaten Lombok Timur".into(),
                    status: Some(FormationStatus::DalamPembentukan),
                    ..LkksInput::default()
                },
                None,
            ))
            .unwrap();
        let key = world.key.clone();
        rt.block_on(world.store.close());
        drop(world);
        let (base, _stop) = start_keyed(db, Some(key));

        let mut admin = signed(&base, "admin52");
        let page = admin.get("/forum");
        assert_eq!(page.status, 200, "{l}");
        assert!(
            page.body.contains("LKKS Kabupaten Lombok Timur"),
            "{l}: the owner choice"
        );
        assert_light_and_local("forum list", &page.body);
        let made = admin.post(
            "/forum",
            &[
                ("lkks", &lkks.to_string()),
                ("nama", "Rapat Koordinasi LKKS Kab/Kota"),
                ("jenis", "koordinasi"),
            ],
        );
        assert_eq!(made.status, 303, "{l}: {}", made.body);
        let forum = location(&made);
        let planned = admin.post(
            &forum,
            &[
                ("judul", "Rakor 25 Juni"),
                ("jenis", "koordinasi"),
                ("tanggal", "2025-06-25"),
                ("jam", "09:30"),
                ("tempat", "Selong"),
                ("komisi", "Komisi A; Komisi B"),
                ("agenda", "Komisi A: Pembentukan LKKS\nSinergi dengan pemda"),
            ],
        );
        assert_eq!(planned.status, 303, "{l}: {}", planned.body);
        let meeting = location(&planned);
        let invited = admin.post(
            &format!("{meeting}/undang"),
            &[
                ("organisasi", "Baznas NTB"),
                ("peran", "filantropi"),
                ("nama", "Hj. Nurhayati"),
                ("jenis_kelamin", "P"),
            ],
        );
        assert_eq!(invited.status, 303, "{l}");
        let page = admin.get(&meeting);
        assert!(
            page.body.contains("09.30 WITA"),
            "{l}: the region's clock, in Indonesian notation"
        );
        assert!(
            page.body.contains("(Komisi A)"),
            "{l}: the item's commission"
        );
        let code_at = page.body.find("<code>").unwrap() + 6;
        let checkin = page.body[code_at..code_at + 6].to_string();
        assert_eq!(
            admin
                .post(&format!("{meeting}/hadir"), &[("kode", "ZZZZZZ")])
                .status,
            400,
            "{l}: a code not of this meeting"
        );
        assert_eq!(
            admin
                .post(
                    &format!("{meeting}/hadir"),
                    &[("kode", &checkin.to_lowercase())]
                )
                .status,
            303
        );
        // An attendance sheet: a wrong row refuses the file with its line, a good one records
        // the invitee (by name) and a walk-in.
        assert!(
            page.body.contains("/daftar-hadir\""),
            "{l}: the upload form"
        );
        let bad = admin.post_upload(
            &format!("{meeting}/daftar-hadir"),
            &[],
            ("berkas", "hadir.csv", b"nama,jk\nBaiq Nurul,X\n"),
        );
        assert_eq!(bad.status, 400, "{l}: {}", bad.body);
        assert!(
            bad.body.contains("<td>2</td><td>jenis_kelamin</td>"),
            "{l}: {}",
            bad.body
        );
        let sheet = "Nama Peserta;Instansi;Unsur;L/P\nHj. Nurhayati;Baznas NTB;filantropi;P\n\
                     Baiq Nurul;OMS Lombok;oms;P\n";
        let good = admin.post_upload(
            &format!("{meeting}/daftar-hadir"),
            &[],
            ("berkas", "hadir.csv", sheet.as_bytes()),
        );
        assert_eq!(good.status, 200, "{l}: {}", good.body);
        assert!(
            good.body.contains("Cocok dengan undangan: <b>1</b>")
                && good.body.contains("(tidak diundang): <b>1</b>"),
            "{l}: {}",
            good.body
        );
        assert_light_and_local("attendance sheet", &good.body);
        let page = admin.get(&meeting);
        assert!(
            page.body.contains("Baiq Nurul"),
            "{l}: the walk-in is listed"
        );
        assert_eq!(
            admin
                .post(
                    &format!("{meeting}/keputusan"),
                    &[
                        (
                            "teks",
                            "Semua kab/kota membentuk LKKS paling lambat 31 Desember 2025"
                        ),
                        ("kaitan", "target_pembentukan"),
                        ("rujukan", "1")
                    ]
                )
                .status,
            303
        );
        assert_eq!(
            admin
                .post(
                    &format!("{meeting}/tindak-lanjut"),
                    &[
                        ("judul", "Surat edaran ke bupati"),
                        ("tenggat", "2025-07-31"),
                        ("penanggung_jawab", "Sekretaris LKKS")
                    ]
                )
                .status,
            303
        );
        assert_eq!(
            admin.post(&format!("{meeting}/terlaksana"), &[]).status,
            303
        );
        // The closing form is multipart (it carries the minutes PDF); no file is sent here.
        let refused = admin.post_upload(
            &format!("{meeting}/tutup"),
            &[("notulen", "")],
            ("berkas", "", b""),
        );
        assert_eq!(refused.status, 400, "{l}: no minutes");
        assert!(
            refused.body.contains("tanpa notulen"),
            "{l}: {}",
            refused.body
        );
        let closed = admin.post_upload(
            &format!("{meeting}/tutup"),
            &[("notulen", "Rapat dibuka 09.30.")],
            ("berkas", "", b""),
        );
        assert_eq!(closed.status, 303, "{l}: {}", closed.body);
        let page = admin.get(&meeting);
        assert!(page.body.contains("ditutup"), "{l}");
        assert!(
            page.body
                .contains(&sinergi_core::forum::minutes_hash("Rapat dibuka 09.30.\n"))
        );
        assert!(
            !page.body.contains("/tutup\""),
            "{l}: no closing form once closed"
        );
        assert_light_and_local("meeting page", &page.body);
        let pdf = admin.get(&format!("{meeting}/notulen.pdf"));
        assert_eq!(pdf.status, 200, "{l}");
        assert!(pdf.bytes.starts_with(b"%PDF"), "{l}: a PDF");
        let text = sinergi_report::pdf::extract_text(&pdf.bytes);
        assert!(
            text.contains("Rapat dibuka 09.30.") && text.contains("Baiq Nurul"),
            "{l}: the minutes and the participants present: {text}"
        );

        let overdue = admin.get("/forum/tindak-lanjut?terlambat=1");
        assert!(overdue.body.contains("Surat edaran ke bupati"), "{l}");
        assert!(
            overdue.body.contains("class=\"overdue\""),
            "{l}: highlighted"
        );
        assert_light_and_local("actions overview", &overdue.body);
        let home = admin.get("/");
        assert!(
            home.body.contains("/forum/tindak-lanjut?terlambat=1"),
            "{l}: on the home page"
        );
        let xlsx = admin.get("/forum/tindak-lanjut.xlsx?terlambat=1");
        assert_eq!(xlsx.status, 200);
        assert!(xlsx.bytes.starts_with(b"PK"), "{l}: an XLSX");
        let sheet = admin.get(&format!("{meeting}/kehadiran.xlsx"));
        assert!(sheet.bytes.starts_with(b"PK"));
        let history = admin.get(&forum);
        assert!(history.body.contains("Rakor 25 Juni"), "{l}");
        let counts = admin.get("/forum/kehadiran?tahun=2025");
        assert!(
            counts.body.contains("Zakat") || counts.body.contains("ilantropi"),
            "{l}"
        );
        assert_eq!(admin.get("/forum/kalender").status, 200);

        let mut other = signed(&base, "op5202");
        assert_eq!(other.get(&meeting).status, 404, "{l}: out of scope");
        assert!(!other.get("/forum").body.contains("Rakor"), "{l}");
    }
}

/// The LEFT items of issue 21 through the pages, on both backends: invitations picked from
/// the registries (scoped to the meeting's province, with the registry's penta-helix role in
/// the counts), answers given by the invited partner on its own page and by the secretary on
/// the meeting page, and minutes closed as an uploaded PDF (refused when not a PDF), kept,
/// hashed into the audit chain and handed out (audited) to those who see the meeting.
#[test]
fn invitations_from_the_registries_answers_and_minutes_as_a_pdf() {
    use sinergi_core::forum::{closing_hash, file_hash};
    use sinergi_core::institution::{Helix, PartnerInput};
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
        let system = world.store.as_system("cli");
        let (lkks, _) = rt
            .block_on(system.save_lkks(
                &LkksInput {
                    region: Some(code("52")),
                    name: "LKKS Provinsi NTB".into(),
                    status: Some(FormationStatus::DalamPembentukan),
                    ..LkksInput::default()
                },
                None,
            ))
            .unwrap();
        let (unram, _) = rt
            .block_on(system.save_partner(&PartnerInput {
                key: "MTR-UNRAM".into(),
                name: "Universitas Mataram".into(),
                region: Some(code("52")),
                helix: Some(Helix::Akademisi),
                ..PartnerInput::default()
            }))
            .unwrap();
        let org = |name: &str| {
            rt.block_on(world.store.organisation_by_name(name))
                .unwrap()
                .unwrap()
                .id
        };
        let (mitra_a, lks, jateng) = (org("Mitra A"), org("LKS Masbagik"), org("Mitra Jateng"));
        let key = world.key.clone();
        rt.block_on(world.store.close());
        drop(world);
        let (base, _stop) = start_keyed(db, Some(key));

        let mut admin = signed(&base, "admin52");
        let made = admin.post(
            "/forum",
            &[
                ("lkks", &lkks.to_string()),
                ("nama", "Forum Multipihak NTB"),
                ("jenis", "forum"),
            ],
        );
        assert_eq!(made.status, 303, "{l}: {}", made.body);
        let planned = admin.post(
            &location(&made),
            &[
                ("judul", "Forum 18 November"),
                ("jenis", "forum"),
                ("tanggal", "2030-11-18"),
                ("jam", "09:00"),
            ],
        );
        assert_eq!(planned.status, 303, "{l}: {}", planned.body);
        let meeting = location(&planned);
        let id: i64 = meeting.rsplit('/').next().unwrap().parse().unwrap();

        // The registry search: partners and LKS of the province, not another province's.
        let found = admin.get(&format!("{meeting}?cari_organisasi=mitra"));
        assert_eq!(found.status, 200, "{l}");
        assert!(
            found
                .body
                .contains(&format!("<option value=\"{mitra_a}\">Mitra A"))
                && !found.body.contains("Mitra Jateng"),
            "{l}: {}",
            found.body
        );
        assert_light_and_local("meeting page with registry search", &found.body);
        let found = admin.get(&format!("{meeting}?cari_organisasi=mataram"));
        assert!(found.body.contains("Universitas Mataram"), "{l}");
        let refused = admin.post(
            &format!("{meeting}/undang"),
            &[("organisasi_id", &jateng.to_string())],
        );
        assert_eq!(refused.status, 400, "{l}: another province's partner");
        assert!(refused.body.contains("tidak ada di registri"), "{l}");
        for (o, person) in [(mitra_a, "Ir. Made"), (unram, ""), (lks, "")] {
            let invited = admin.post(
                &format!("{meeting}/undang"),
                &[
                    ("organisasi_id", &o.to_string()),
                    ("nama", person),
                    ("jenis_kelamin", "L"),
                ],
            );
            assert_eq!(invited.status, 303, "{l}: {}", invited.body);
        }
        let page = admin.get(&meeting);
        assert!(
            page.body.contains("Universitas Mataram") && page.body.contains("LKS Masbagik"),
            "{l}: the registered names"
        );
        assert!(
            page.body.contains("belum menjawab <b>3</b>"),
            "{l}: nobody answered yet"
        );

        // The invited partner answers on its own page; another partner may not.
        let mut partner = signed(&base, "mitra.a");
        assert!(
            partner.get("/").body.contains("/forum/undangan"),
            "{l}: an unanswered invitation on the partner's home"
        );
        let mine = partner.get("/forum/undangan");
        assert_eq!(mine.status, 200, "{l}");
        assert!(
            mine.body.contains("Forum 18 November"),
            "{l}: {}",
            mine.body
        );
        assert_light_and_local("invitations", &mine.body);
        let marker = "name=\"undangan\" value=\"";
        let inv_at = mine.body.find(marker).unwrap() + marker.len();
        let inv: String = mine.body[inv_at..]
            .chars()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let answer = format!("/forum/rapat/{id}/jawab");
        let no_name = partner.post(&answer, &[("undangan", &inv), ("jawaban", "diwakili")]);
        assert_eq!(no_name.status, 400, "{l}: represented by nobody");
        assert!(no_name.body.contains("nama wakilnya"), "{l}");
        let ok = partner.post(
            &answer,
            &[
                ("undangan", &inv),
                ("jawaban", "diwakili"),
                ("diwakili", "Baiq Rina"),
                ("kembali", "/forum/undangan"),
            ],
        );
        assert_eq!(ok.status, 303, "{l}: {}", ok.body);
        assert_eq!(location(&ok), "/forum/undangan");
        assert!(
            partner.get("/forum/undangan").body.contains("Baiq Rina"),
            "{l}"
        );
        assert!(
            !partner.get("/").body.contains("/forum/undangan"),
            "{l}: answered, off the home page"
        );
        let mut other = signed(&base, "mitra.b");
        assert!(
            !other
                .get("/forum/undangan")
                .body
                .contains("Forum 18 November"),
            "{l}"
        );
        assert_eq!(
            other
                .post(&answer, &[("undangan", &inv), ("jawaban", "tidak")])
                .status,
            403,
            "{l}: not its invitation"
        );

        // The secretary answers for the university on the meeting page.
        let page = admin.get(&meeting);
        let option_end = page.body.find("\">Universitas Mataram</option>").unwrap();
        let unram_inv = page.body[..option_end]
            .rsplit('"')
            .next()
            .unwrap()
            .to_string();
        assert_eq!(
            admin
                .post(
                    &format!("{meeting}/jawab"),
                    &[("undangan", &unram_inv), ("jawaban", "hadir")]
                )
                .status,
            303
        );
        let page = admin.get(&meeting);
        for (label, n) in [
            ("hadir", 1),
            ("diwakili", 1),
            ("tidak hadir", 0),
            ("belum menjawab", 1),
        ] {
            assert!(
                page.body.contains(&format!("{label} <b>{n}</b>")),
                "{l}: {label} {n}"
            );
        }
        assert_light_and_local("meeting page with answers", &page.body);

        // At the door: the university and the partner's representative come.
        for code_of in ["Universitas Mataram", "Mitra A"] {
            let at = page.body.find(code_of).unwrap();
            let c = page.body[at..].find("<code>").unwrap() + at + 6;
            let code = page.body[c..c + 6].to_string();
            assert_eq!(
                admin
                    .post(&format!("{meeting}/hadir"), &[("kode", &code)])
                    .status,
                303
            );
        }
        let page = admin.get(&meeting);
        assert!(
            page.body.contains("diwakili Baiq Rina"),
            "{l}: the answer's representative kept at the door"
        );
        let counts = admin.get("/forum/kehadiran?tahun=2030");
        assert!(
            counts.body.contains("Akademisi"),
            "{l}: the registry's role counts: {}",
            counts.body
        );

        // An action owned by the invited partner (picked from the invited organisations): the
        // partner sees it, overdue, on its home page and its actions overview.
        let page = admin.get(&meeting);
        assert!(
            page.body
                .contains(&format!("<option value=\"{mitra_a}\">Mitra A</option>")),
            "{l}: the invited organisation as an owner"
        );
        assert_eq!(
            admin
                .post(
                    &format!("{meeting}/tindak-lanjut"),
                    &[
                        ("judul", "Pemetaan program CSR 2026"),
                        ("organisasi_id", &mitra_a.to_string()),
                        ("tenggat", "2025-01-31"),
                    ],
                )
                .status,
            303
        );
        assert_eq!(
            admin
                .post(
                    &format!("{meeting}/tindak-lanjut"),
                    &[
                        ("judul", "x"),
                        ("organisasi_id", &jateng.to_string()),
                        ("tenggat", "2025-01-31"),
                    ],
                )
                .status,
            400,
            "{l}: an owner from outside the registries near the meeting"
        );
        assert!(
            partner
                .get("/")
                .body
                .contains("/forum/tindak-lanjut?terlambat=1"),
            "{l}: overdue on the owner's home"
        );
        let own = partner.get("/forum/tindak-lanjut?terlambat=1");
        assert!(
            own.body.contains("Pemetaan program CSR 2026") && own.body.contains("Mitra A"),
            "{l}: {}",
            own.body
        );

        // Closing with minutes as a file: not a PDF is refused, a PDF is kept and hashed.
        assert_eq!(
            admin.post(&format!("{meeting}/terlaksana"), &[]).status,
            303
        );
        let not_pdf = admin.post_upload(
            &format!("{meeting}/tutup"),
            &[("notulen", "")],
            ("berkas", "notulen.pdf", b"PK\x03\x04 a word file"),
        );
        assert_eq!(not_pdf.status, 400, "{l}");
        assert!(not_pdf.body.contains("harus PDF"), "{l}: {}", not_pdf.body);
        assert!(
            admin.get(&meeting).body.contains("/tutup\""),
            "{l}: still open"
        );
        let pdf: &[u8] = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer <<>>\n%%EOF\n";
        let closed = admin.post_upload(
            &format!("{meeting}/tutup"),
            &[("notulen", "")],
            ("berkas", "scan/notulen-forum.pdf", pdf),
        );
        assert_eq!(closed.status, 303, "{l}: {}", closed.body);
        let page = admin.get(&meeting);
        assert!(
            page.body.contains(">notulen-forum.pdf</a>"),
            "{l}: the kept file, its name without the path"
        );
        let hash = closing_hash(None, Some(&file_hash(pdf)));
        assert!(page.body.contains(&hash), "{l}: the closing hash");
        let got = admin.get(&format!("{meeting}/notulen-berkas.pdf"));
        assert_eq!(got.status, 200, "{l}");
        assert_eq!(got.bytes, pdf, "{l}: the bytes as uploaded");
        assert_eq!(header(&got, "content-type"), Some("application/pdf"), "{l}");
        let audit = admin.get("/admin/audit?aksi=meeting.minutes_file");
        assert!(
            audit.body.contains(&file_hash(pdf)),
            "{l}: the hand-out is audited"
        );
        let audit = admin.get("/admin/audit?aksi=meeting.close");
        assert!(
            audit.body.contains(&hash),
            "{l}: the hash in the audit chain"
        );
        assert_eq!(
            partner
                .post(&answer, &[("undangan", &inv), ("jawaban", "tidak")])
                .status,
            400,
            "{l}: a closed meeting's answers are frozen"
        );
        let mut outside = signed(&base, "op5202");
        assert_eq!(
            outside.get(&format!("{meeting}/notulen-berkas.pdf")).status,
            404,
            "{l}: out of scope"
        );
    }
}
