//! The demo's forums (issue 21) as its accounts find them: the NTB forum of 18 November 2025
//! closed with its penta-helix participants, the Lombok capacity-building session of
//! 8 December 2026, and Jawa Tengah's coordination meeting of 25 June 2025 with its three
//! decisions linked to the formation target.

use crate::cli::{sign_in, start_demo};

fn page(agent: &ureq::Agent, addr: &str, session: &str, path: &str) -> String {
    agent
        .get(&format!("http://{addr}{path}"))
        .header("Cookie", &format!("sinergi_sesi={session}"))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap()
}

#[test]
fn the_demo_forums_are_on_their_pages() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sinergi.db").display().to_string();
    let mut server = start_demo(&db);
    let addr = server.address();
    let (agent, _, session) = sign_in(&addr, "admin.ntb", "sinergi-demo-2025");
    let session = session.expect("admin.ntb signs in");
    let forums = page(&agent, &addr, &session, "/forum");
    assert!(
        forums.contains("Forum Multi-Pihak Kesejahteraan Sosial NTB"),
        "{forums}"
    );
    assert!(
        !forums.contains("Jawa Tengah"),
        "another province's forum is not NTB's"
    );
    let id = forums
        .split("href=\"/forum/")
        .filter_map(|s| s.split('"').next()?.parse::<i64>().ok())
        .next()
        .unwrap();
    let history = page(&agent, &addr, &session, &format!("/forum/{id}"));
    assert!(history.contains("18 Nov 2025 09.00 WITA"), "{history}");
    let meeting = history
        .split("href=\"/forum/rapat/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let meeting = page(&agent, &addr, &session, &format!("/forum/rapat/{meeting}"));
    for who in [
        "Baznas",
        "Bappeda",
        "DPRD NTB Komisi V",
        "Universitas Mataram",
        "Tim Percepatan",
    ] {
        assert!(meeting.contains(who), "{who} at the NTB forum");
    }
    assert!(meeting.contains("ditutup"));
    assert!(forums.contains("Peningkatan Kapasitas Pengurus LKKS Kab/Kota Lombok"));
    // The session of 8 December 2026 is on the calendar until it has begun.
    let calendar = page(&agent, &addr, &session, "/forum/kalender");
    if chrono::Utc::now().date_naive() < chrono::NaiveDate::from_ymd_opt(2026, 12, 8).unwrap() {
        assert!(calendar.contains("Peningkatan kapasitas"), "{calendar}");
    }
    let counts = page(&agent, &addr, &session, "/forum/kehadiran?tahun=2025");
    assert!(counts.contains("Zakat dan filantropi"), "{counts}");

    // The Lombok session's answers are counted on its page, which stays within the budget
    // with fifty-one invitees and their answer forms.
    let lombok = forums
        .split("href=\"/forum/")
        .filter_map(|s| s.split('"').next()?.parse::<i64>().ok())
        .map(|id| page(&agent, &addr, &session, &format!("/forum/{id}")))
        .find(|h| h.contains("Peningkatan kapasitas dan sinkronisasi"))
        .expect("the Lombok forum's history");
    let id = lombok
        .split("href=\"/forum/rapat/")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let session_page = page(&agent, &addr, &session, &format!("/forum/rapat/{id}"));
    for counted in [
        "hadir <b>30</b>",
        "diwakili <b>5</b>",
        "tidak hadir <b>5</b>",
        "belum menjawab <b>11</b>",
    ] {
        assert!(session_page.contains(counted), "{counted}");
    }
    assert!(
        session_page.len() < 50 * 1024,
        "{} bytes with the answer forms",
        session_page.len()
    );

    // Baznas NTB, invited as its registered organisation, answers on its own page.
    let (agent, _, baznas) = sign_in(&addr, "mitra.baznas", "sinergi-demo-2025");
    let baznas = baznas.expect("mitra.baznas signs in");
    assert!(page(&agent, &addr, &baznas, "/").contains("/forum/undangan"));
    let invitations = page(&agent, &addr, &baznas, "/forum/undangan");
    assert!(
        invitations.contains("Peningkatan kapasitas dan sinkronisasi program 2026"),
        "{invitations}"
    );
}

/// `sinergi forum impor` as `user`, with the world's personal-data key.
fn import_sheet(
    db: &sinergi_testkit::TestDb,
    key: &str,
    dir: &std::path::Path,
    args: &[&str],
    csv: &str,
) -> (i32, String) {
    let file = dir.join("hadir.csv");
    std::fs::write(&file, csv).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sinergi"))
        .args(["forum", "impor"])
        .arg(&file)
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

#[test]
fn a_past_meeting_is_entered_from_its_attendance_sheet() {
    use sinergi_core::forum::MeetingKind;
    use sinergi_core::institution::{FormationStatus, LkksInput};
    use sinergi_store::NewForum;
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    for db in rt.block_on(sinergi_testkit::TestDb::all()) {
        let l = db.label;
        let (forum, key) = rt.block_on(async {
            let w = sinergi_testkit::world::build(&db).await;
            let (lkks, _) = w
                .store
                .as_system("cli")
                .save_lkks(
                    &LkksInput {
                        region: Some(sinergi_testkit::world::code("52.03")),
                        name: "LKKS Kabupaten Lombok Timur".into(),
                        status: Some(FormationStatus::DalamPembentukan),
                        ..LkksInput::default()
                    },
                    None,
                )
                .await
                .unwrap();
            let forum = w
                .store
                .as_system("cli")
                .create_forum(&NewForum {
                    lkks_id: lkks,
                    name: "Rakor Kab/Kota".into(),
                    kind: MeetingKind::Koordinasi,
                    description: None,
                })
                .await
                .unwrap();
            w.store.close().await;
            (forum, w.key_text.clone())
        });
        let forum = forum.to_string();
        let past = [
            "--forum",
            forum.as_str(),
            "--judul",
            "Rakor Maret",
            "--tanggal",
            "2025-03-12",
            "--sebagai",
        ];
        // A refused row: nothing is created.
        let mut args = past.to_vec();
        args.push("op5203");
        let (code, out) = import_sheet(
            &db,
            &key,
            dir.path(),
            &args,
            "nama,instansi,jk\nSiti,Baznas,P\nAhmad,Dinsos,Q\n",
        );
        assert_ne!(code, 0, "{l}: {out}");
        assert!(out.contains("baris 3, kolom jenis_kelamin"), "{l}: {out}");
        // Another kab/kota's operator may not.
        let mut args = past.to_vec();
        args.push("op5202");
        let (code, out) = import_sheet(&db, &key, dir.path(), &args, "nama\nSiti\n");
        assert_ne!(code, 0, "{l}: {out}");
        // Stored: a held meeting with both present.
        let mut args = past.to_vec();
        args.push("op5203");
        let (code, out) = import_sheet(
            &db,
            &key,
            dir.path(),
            &args,
            "nama,instansi,jk\nSiti,Baznas,P\nAhmad,Dinsos,L\n",
        );
        assert_eq!(code, 0, "{l}: {out}");
        assert!(
            out.contains("0 cocok dengan undangan, 2 peserta baru, 2 hadir"),
            "{l}: {out}"
        );
        let meetings = rt.block_on(async {
            let store = db.open().await;
            let s = store.as_system("test");
            let h = s
                .forum_history(
                    forum.parse().unwrap(),
                    sinergi_store::Page::new(None, None, 50),
                    None,
                )
                .await
                .unwrap();
            store.close().await;
            h.items
        });
        assert_eq!(meetings.len(), 1, "{l}: the refused sheets created nothing");
        assert_eq!(meetings[0].present, 2);
        assert_eq!(
            meetings[0].status,
            sinergi_core::forum::MeetingStatus::Terlaksana
        );
        // A second sheet for that meeting by its id matches the same people.
        let id = meetings[0].id.to_string();
        let (code, out) = import_sheet(
            &db,
            &key,
            dir.path(),
            &["--rapat", &id, "--sebagai", "op5203"],
            "nama;hadir\nsiti;ya\nAhmad;tidak\n",
        );
        assert_eq!(code, 0, "{l}: {out}");
        assert!(
            out.contains("2 cocok dengan undangan, 0 peserta baru, 1 hadir"),
            "{l}: {out}"
        );
    }
}
