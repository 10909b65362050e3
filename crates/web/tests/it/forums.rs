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
        assert!(page.body.contains("09:30 WITA"), "{l}: the region's clock");
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
        let refused = admin.post(&format!("{meeting}/tutup"), &[("notulen", "")]);
        assert_eq!(refused.status, 400, "{l}: no minutes");
        assert!(
            refused.body.contains("tanpa notulen"),
            "{l}: {}",
            refused.body
        );
        let closed = admin.post(
            &format!("{meeting}/tutup"),
            &[("notulen", "Rapat dibuka 09.30.")],
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
