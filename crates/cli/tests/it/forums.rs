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
    assert!(history.contains("2025-11-18 09:00 WITA"), "{history}");
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
}
