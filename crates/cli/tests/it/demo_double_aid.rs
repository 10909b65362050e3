//! The demo's double-aid rounds (issue 19) as its accounts find them: the closed round of
//! NTB for 2025 found persons on two partners' held lists, linked in cleartext by the linkage
//! engine; the admin reads counts per kecamatan and partner pair with the method named, and
//! a partner its own flagged lines with the other partner's name, and the uncertain pairs
//! it has to decide in the open round.

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

/// The numbers in the cells of class `num` of `html`.
fn numbers(html: &str) -> Vec<u64> {
    html.split("<td class=\"num\">")
        .skip(1)
        .filter_map(|s| s.split('<').next()?.replace('.', "").parse().ok())
        .collect()
}

#[test]
fn the_demo_rounds_find_double_aid_on_held_lists() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sinergi.db").display().to_string();
    let mut server = start_demo(&db);
    let addr = server.address();
    let (agent, _, session) = sign_in(&addr, "admin.ntb", "sinergi-demo-2025");
    let session = session.expect("admin.ntb signs in");
    let list = page(&agent, &addr, &session, "/bantuan-ganda");
    let ids: Vec<i64> = list
        .split("href=\"/bantuan-ganda/")
        .skip(1)
        .filter_map(|s| s.split('"').next()?.parse().ok())
        .collect();
    assert!(ids.len() >= 2, "{list}");
    let rounds: Vec<String> = ids
        .iter()
        .map(|id| page(&agent, &addr, &session, &format!("/bantuan-ganda/{id}")))
        .collect();
    let closed = rounds
        .iter()
        .find(|r| r.contains("ditutup (hasil dibekukan)"))
        .expect("a closed round");
    // Counts per kecamatan × partner pair, found in cleartext by the linkage engine.
    assert!(closed.contains("teks asli, mesin tautan"), "{closed}");
    let results = closed.split("<h2>Hasil</h2>").nth(1).unwrap();
    let counts = numbers(results);
    let total: u64 = counts.iter().sum();
    assert!(
        total >= 10,
        "double aid found in the closed round: {counts:?}"
    );
    // A partner sees its own lines flagged, with the other partner named.
    let (agent, _, session) = sign_in(&addr, "mitra.baznas", "sinergi-demo-2025");
    let session = session.expect("mitra.baznas signs in");
    let own = page(
        &agent,
        &addr,
        &session,
        &format!("/bantuan-ganda/{}", ids[ids.len() - 1]),
    );
    assert!(own.contains("Juga dari"), "{own}");
    assert!(own.contains("teks asli, mesin tautan"), "{own}");
    // The open round has uncertain pairs: the partner finds it on its review page, and on
    // the round's page its own lines to decide, with the evidence as field weights.
    let queue = page(&agent, &addr, &session, "/tautan");
    assert!(
        queue.contains("Pasangan ragu pemeriksaan bantuan ganda"),
        "{queue}"
    );
    assert!(own.contains("belum diputuskan"), "{own}");
}
