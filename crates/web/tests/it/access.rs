//! Roles and scopes through the real HTTP stack, on SQLite and PostgreSQL: every fixture
//! account against every person endpoint (pages, API, export, reveal), the admin pages,
//! CSRF, sign-out; and a real browser that logs in, is refused, and logs out.

use crate::common;

use std::collections::BTreeSet;

use common::{Browser, Client, start_keyed};
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{PASSWORD, World, build};

/// Who sees whom in the fixture (see sinergi_testkit::world).
const MATRIX: [(&str, &[&str]); 10] = [
    ("admin52", &["A1", "A2", "A3", "B1", "B2", "L1"]),
    ("admin33", &["D1"]),
    ("op5203", &["A1", "A2", "B1", "B2", "L1"]),
    ("op5202", &["A3"]),
    ("lks", &["L1"]),
    ("mitra.a", &["A1", "A2", "A3"]),
    ("mitra.a.lotim", &["A1", "A2"]),
    ("mitra.b", &["B1", "B2"]),
    ("pimpinan52", &["A1", "A2", "A3", "B1", "B2", "L1"]),
    ("pimpinan5203", &["A1", "A2", "B1", "B2", "L1"]),
];

struct Fixture {
    base: String,
    people: Vec<(String, i64, String)>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

fn serve(db: TestDb) -> Fixture {
    serve_with_tokens(db).0
}

/// The fixture served, with an API token for every account of [`MATRIX`] that is not an
/// administrator (no token carries the admin role): the account's role and scope, on its
/// own service account, issued as the CLI issues them. (username, secret) pairs.
fn serve_with_tokens(db: TestDb) -> (Fixture, Vec<(&'static str, String)>) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let world: World = rt.block_on(build(&db));
    let mut tokens = Vec::new();
    for (username, _) in MATRIX {
        let p = rt.block_on(world.principal(username));
        if p.role == sinergi_core::Role::AdminProvinsi {
            continue;
        }
        let issued = rt
            .block_on(
                world
                    .store
                    .as_system("uji")
                    .issue_api_token(sinergi_store::NewApiToken {
                        label: format!("Token {username}"),
                        username: format!("svc.{username}"),
                        role: p.role,
                        scope: p.scope.clone(),
                        days: 30,
                    }),
            )
            .unwrap_or_else(|e| panic!("token for {username}: {e}"));
        tokens.push((username, issued.secret));
    }
    let key = world.key.clone();
    let people = world
        .people
        .iter()
        .map(|p| (p.label.to_string(), p.id, p.nik.to_string()))
        .collect();
    rt.block_on(world.store.close());
    drop(world);
    let (base, stop) = start_keyed(db, Some(key));
    (
        Fixture {
            base,
            people,
            _stop: stop,
        },
        tokens,
    )
}

/// The person ids on a list page, in the page's order.
fn person_ids(body: &str) -> Vec<i64> {
    body.split("<a href=\"/penerima/")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect()
}

/// A page link (`rel="next"` or `rel="prev"`) as a path, if the page has one.
fn rel_link(body: &str, rel: &str) -> Option<String> {
    let start = body.find(&format!("rel=\"{rel}\" href=\""))? + rel.len() + 13;
    let end = start + body[start..].find('"')?;
    Some(body[start..end].replace("&#38;", "&").replace("&amp;", "&"))
}

/// Follows `rel` links from `first`, gathering each page's person ids, pages in the order read.
fn walk_person_pages(c: &mut Client, first: &str, rel: &str, who: &str) -> Vec<Vec<i64>> {
    let mut ids = Vec::new();
    let mut path = first.to_string();
    for _ in 0..50 {
        let page = c.get(&path);
        assert_eq!(page.status, 200, "{who}: {path}");
        let on_page = person_ids(&page.body);
        assert!(
            !on_page.is_empty() && on_page.len() <= 2,
            "{who}: {path}: {on_page:?}"
        );
        ids.push(on_page);
        match rel_link(&page.body, rel) {
            Some(next) => path = next,
            None => return ids,
        }
    }
    panic!("{who}: more than 50 pages from {first}");
}

/// The path of the last keyset page, reached by following "next" links.
fn last_keyset_page(c: &mut Client, first: &str, who: &str) -> String {
    let mut path = first.to_string();
    for _ in 0..50 {
        match rel_link(&c.get(&path).body, "next") {
            Some(next) => path = next,
            None => return path,
        }
    }
    panic!("{who}: more than 50 pages from {first}");
}

fn databases() -> Vec<TestDb> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(TestDb::all())
}

fn ids_of(f: &Fixture, labels: &[&str]) -> BTreeSet<i64> {
    f.people
        .iter()
        .filter(|(l, _, _)| labels.contains(&l.as_str()))
        .map(|(_, id, _)| *id)
        .collect()
}

#[test]
fn every_account_reaches_exactly_its_scope_over_http() {
    for db in databases() {
        let label = db.label;
        let f = serve(db);
        for (username, labels) in MATRIX {
            let who = format!("{label} as {username}");
            let expected = ids_of(&f, labels);
            let mut c = Client::new(&f.base);
            let login = c.login(username, PASSWORD);
            assert_eq!(login.status, 303, "{who}: login");
            // API list.
            let api = c.get("/api/v1/penerima?ukuran=500");
            assert_eq!(api.status, 200, "{who}");
            let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
            let listed: BTreeSet<i64> = json["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_i64().unwrap())
                .collect();
            assert_eq!(listed, expected, "{who}: API list");
            assert!(!api.body.contains("nik_cipher") && !api.body.contains("nik_hash"));
            // Private responses are never cached.
            assert_eq!(
                common::header(&api, "cache-control"),
                Some("no-store"),
                "{who}: API no-store"
            );
            // The board gets aggregates, never a bulk by-name export: 403 in both formats.
            if username.starts_with("pimpinan") {
                for path in ["/penerima/ekspor.csv", "/penerima/ekspor.xlsx"] {
                    let r = c.get(path);
                    assert_eq!(r.status, 403, "{who}: {path}");
                    assert!(!r.body.contains("Siti"), "{who}: {path} leaked rows");
                }
            } else {
                // CSV export.
                let csv = c.get("/penerima/ekspor.csv");
                assert_eq!(csv.status, 200, "{who}");
                assert_eq!(
                    common::header(&csv, "cache-control"),
                    Some("no-store"),
                    "{who}: download no-store"
                );
                let exported: BTreeSet<i64> = csv
                    .body
                    .trim_start_matches('\u{feff}')
                    .lines()
                    .skip(1)
                    .map(|l| l.split(',').next().unwrap().parse().unwrap())
                    .collect();
                assert_eq!(exported, expected, "{who}: export");
                // The same rows as XLSX, read back as a partner's spreadsheet would be.
                let xlsx = c.get("/penerima/ekspor.xlsx");
                assert_eq!(xlsx.status, 200, "{who}");
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("penerima.xlsx");
                std::fs::write(&path, &xlsx.bytes).unwrap();
                let sheet = sinergi_intake::columns::read_table_file(&path).unwrap();
                let ids = sheet.column("id").expect("id column");
                let from_xlsx: BTreeSet<i64> = ids.iter().map(|v| v.parse().unwrap()).collect();
                assert_eq!(from_xlsx, expected, "{who}: XLSX export");
            }
            // HTML list shows the count.
            let page = c.get("/penerima");
            assert_eq!(page.status, 200);
            assert!(
                page.body.contains(&format!("<b>{}</b>", expected.len())),
                "{who}: list page count"
            );
            // Keyset pages of two: forward by "next" and back by "previous", every row in
            // scope exactly once, the same pages both ways.
            let forward = walk_person_pages(&mut c, "/penerima?ukuran=2", "next", &who);
            let forward_ids: Vec<i64> = forward.concat();
            assert_eq!(
                forward_ids.iter().copied().collect::<BTreeSet<_>>(),
                expected,
                "{who}: keyset pages forward"
            );
            assert_eq!(
                forward_ids.len(),
                expected.len(),
                "{who}: a row on two pages"
            );
            let last_page = last_keyset_page(&mut c, "/penerima?ukuran=2", &who);
            let mut backward = walk_person_pages(&mut c, &last_page, "prev", &who);
            backward.reverse();
            assert_eq!(backward, forward, "{who}: keyset pages backward");
            for (l, id, nik) in &f.people {
                let visible = expected.contains(id);
                let want = if visible { 200 } else { 404 };
                assert_eq!(
                    c.get(&format!("/penerima/{id}")).status,
                    want,
                    "{who}: page {l}"
                );
                assert_eq!(
                    c.get(&format!("/api/v1/penerima/{id}")).status,
                    want,
                    "{who}: API {l}"
                );
                let detail = c.get(&format!("/penerima/{id}"));
                assert!(!detail.body.contains(nik.as_str()), "{who}: {l} unmasked");
                let reveal = c.post(&format!("/penerima/{id}/buka"), &[("kolom", "nik")]);
                match (visible, username.starts_with("pimpinan")) {
                    (true, true) => assert_eq!(reveal.status, 403, "{who}: reveal {l}"),
                    (true, false) => {
                        assert_eq!(reveal.status, 200, "{who}: reveal {l}");
                        assert!(reveal.body.contains(nik.as_str()), "{who}: revealed {l}");
                    }
                    (false, _) => {
                        assert_ne!(reveal.status, 200, "{who}: reveal {l} outside scope");
                        assert!(!reveal.body.contains(nik.as_str()));
                    }
                }
            }
            let admin = username.starts_with("admin");
            let first = expected.iter().next().unwrap();
            let mut pages = vec![
                "/penerima".to_string(),
                format!("/penerima/{first}"),
                "/akun".into(),
            ];
            if admin {
                pages.extend([
                    "/admin/pengguna".into(),
                    "/admin/audit".into(),
                    "/admin/pengguna/baru".into(),
                ]);
            }
            for path in pages {
                let page = c.get(&path);
                assert_eq!(page.status, 200, "{who}: {path}");
                common::assert_light_and_local(&format!("{who}: {path}"), &page.body);
            }
            for path in ["/admin/pengguna", "/admin/audit", "/admin/pengguna/baru"] {
                assert_eq!(
                    c.get(path).status,
                    if admin { 200 } else { 403 },
                    "{who}: {path}"
                );
            }
            // Sign out: the session is gone on the server, not just in the cookie jar.
            let old_session = c.cookies.get("sinergi_sesi").cloned().unwrap();
            assert_eq!(c.post("/keluar", &[]).status, 303);
            assert!(!c.cookies.contains_key("sinergi_sesi"));
            c.cookies.insert("sinergi_sesi".into(), old_session);
            assert_eq!(
                c.get("/penerima").status,
                303,
                "{who}: old session still works"
            );
        }
    }
}

/// The scope matrix over the API with tokens instead of sessions: each token reaches exactly
/// the persons its account reaches (list and by id: 404 outside), and nothing by name
/// without a token.
#[test]
fn every_token_reaches_exactly_its_accounts_scope_over_the_api() {
    for db in databases() {
        let label = db.label;
        let (f, tokens) = serve_with_tokens(db);
        assert_eq!(
            tokens.len(),
            MATRIX.len() - 2,
            "{label}: one token per non-admin"
        );
        for (username, secret) in &tokens {
            let who = format!("{label} as a token for {username}");
            let labels = MATRIX.iter().find(|(u, _)| u == username).unwrap().1;
            let expected = ids_of(&f, labels);
            let auth = format!("Bearer {secret}");
            let bearer = [("Authorization", auth.as_str())];
            let list = crate::api_tokens::call(
                "GET",
                &format!("{}/api/v1/penerima?ukuran=500", f.base),
                &bearer,
            );
            assert_eq!(list.status, 200, "{who}: {}", list.body);
            let json: serde_json::Value = serde_json::from_str(&list.body).unwrap();
            let listed: BTreeSet<i64> = json["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_i64().unwrap())
                .collect();
            assert_eq!(listed, expected, "{who}: API list");
            assert_eq!(json["total"], expected.len(), "{who}: API total");
            assert!(!list.body.contains("nik_cipher") && !list.body.contains("nik_hash"));
            // Keyset pages of two, following `setelah`: every row in scope once.
            let mut walked = Vec::new();
            let mut next = String::new();
            for _ in 0..10 {
                let got = crate::api_tokens::call(
                    "GET",
                    &format!("{}/api/v1/penerima?ukuran=2{next}", f.base),
                    &bearer,
                );
                assert_eq!(got.status, 200, "{who}: {}", got.body);
                let page: serde_json::Value = serde_json::from_str(&got.body).unwrap();
                let items = page["items"].as_array().unwrap();
                assert!(items.len() <= 2, "{who}");
                walked.extend(items.iter().map(|r| r["id"].as_i64().unwrap()));
                match page["setelah"].as_str() {
                    Some(key) => next = format!("&setelah={key}"),
                    None => break,
                }
            }
            assert_eq!(walked.len(), expected.len(), "{who}: keyset pages");
            assert_eq!(
                walked.into_iter().collect::<BTreeSet<_>>(),
                expected,
                "{who}"
            );
            for (person, id, nik) in &f.people {
                let got = crate::api_tokens::call(
                    "GET",
                    &format!("{}/api/v1/penerima/{id}", f.base),
                    &bearer,
                );
                let want = if expected.contains(id) { 200 } else { 404 };
                assert_eq!(got.status, want, "{who}: person {person}");
                assert!(
                    !got.body.contains(nik.as_str()),
                    "{who}: {person}'s NIK unmasked"
                );
            }
        }
        // Without a token or session: nothing by name.
        for (_, id, _) in &f.people {
            let got =
                crate::api_tokens::call("GET", &format!("{}/api/v1/penerima/{id}", f.base), &[]);
            assert_eq!(got.status, 401, "{label}");
        }
    }
}

#[test]
fn anonymous_visitors_get_only_published_aggregates() {
    for db in databases() {
        let f = serve(db);
        let mut c = Client::new(&f.base);
        let page = c.get("/penerima");
        assert_eq!(page.status, 303);
        assert!(
            common::header(&page, "location")
                .unwrap()
                .starts_with("/masuk?ke=%2Fpenerima")
        );
        let api = c.get("/api/v1/penerima");
        assert_eq!(api.status, 401);
        assert!(api.body.contains("\"code\":\"error.login_required\""));
        assert_eq!(c.get("/penerima/ekspor.csv").status, 303);
        assert_eq!(c.get("/admin/audit").status, 303);
        // Published counts: small numbers are suppressed (threshold 10).
        let stats: serde_json::Value =
            serde_json::from_str(&c.get("/api/v1/statistik?wilayah=52.03").body).unwrap();
        assert_eq!(stats[0]["code"], "52.03.05");
        assert_eq!(stats[0]["suppressed"], true);
        assert!(stats[0]["count"].is_null());
        for path in ["/masuk", "/statistik", "/statistik/52"] {
            let page = c.get(path);
            assert_eq!(page.status, 200, "{path}");
            common::assert_light_and_local(path, &page.body);
        }
        let page = c.get("/statistik/52");
        assert!(page.body.contains("&lt; 10"));
        assert!(!page.body.contains("Siti"));
        // Every public count, on every level of every page and of the API, comes out of the
        // scoped store already suppressed: the test world holds fewer than 10 people per
        // region, so no count from 1 to 9 may be published anywhere. Signed-in or not.
        let mut signed = Client::new(&f.base);
        signed.login("admin52", PASSWORD);
        for who in [&mut c, &mut signed] {
            for within in ["", "52", "33", "52.03", "52.02", "52.03.05", "52.02.01"] {
                let q = if within.is_empty() {
                    String::new()
                } else {
                    format!("?wilayah={within}")
                };
                let api = who.get(&format!("/api/v1/statistik{q}"));
                assert_eq!(api.status, 200, "{within}: {}", api.body);
                let rows: serde_json::Value = serde_json::from_str(&api.body).unwrap();
                for row in rows.as_array().unwrap() {
                    let n = row["count"].as_u64();
                    assert!(
                        row["suppressed"] == true || n == Some(0) || n.is_some_and(|n| n >= 10),
                        "{within}: {row}"
                    );
                }
                let path = if within.is_empty() {
                    "/statistik".to_string()
                } else {
                    format!("/statistik/{within}")
                };
                let page = who.get(&path);
                assert_eq!(page.status, 200, "{path}");
                for cell in page.body.split("<td class=\"num\">").skip(1) {
                    let shown = cell.split("</td>").next().unwrap_or("");
                    let digits: String = shown.chars().filter(|ch| ch.is_ascii_digit()).collect();
                    assert!(
                        shown.contains("&lt; 10") || digits == "0" || digits.len() >= 2,
                        "{path}: a small count is shown: {shown}"
                    );
                }
            }
            for code in ["52", "52.03", "52.03.05", "52.03.05.2003"] {
                let page = who.get(&format!("/wilayah/{code}"));
                assert_eq!(page.status, 200, "/wilayah/{code}");
                assert!(!page.body.contains("Siti"), "/wilayah/{code}");
            }
        }
    }
}

#[test]
fn state_changes_need_the_csrf_token_and_moves_are_scoped() {
    for db in databases() {
        let label = db.label;
        let f = serve(db);
        let a1 = f.people.iter().find(|p| p.0 == "A1").unwrap().1;
        // Login itself needs the token.
        let mut c = Client::new(&f.base);
        c.get("/masuk");
        let no_token = c.post_raw("/masuk", &[("username", "admin52"), ("password", PASSWORD)]);
        assert_eq!(no_token.status, 403, "{label}");
        assert!(no_token.body.contains("kedaluwarsa"));
        assert_eq!(c.login("admin52", PASSWORD).status, 303);
        for bad in ["", "palsu"] {
            let r = c.post_raw(
                &format!("/penerima/{a1}/pindah"),
                &[("_csrf", bad), ("wilayah", "52.02.01.2001")],
            );
            assert_eq!(r.status, 403, "{label}: token {bad:?}");
        }
        let moved = c.post(
            &format!("/penerima/{a1}/pindah"),
            &[("wilayah", "52.02.01.2001")],
        );
        assert_eq!(moved.status, 303, "{label}: {}", moved.body);
        let mut lotim = Client::new(&f.base);
        lotim.login("op5203", PASSWORD);
        assert_eq!(lotim.get(&format!("/penerima/{a1}")).status, 404, "{label}");
        let mut loteng = Client::new(&f.base);
        loteng.login("op5202", PASSWORD);
        assert_eq!(
            loteng.get(&format!("/penerima/{a1}")).status,
            200,
            "{label}"
        );
        // The audit page shows the move with before and after.
        let audit = c.get("/admin/audit?aksi=person.move");
        assert!(audit.body.contains("52.03.05.2003"), "{label}");
        assert!(audit.body.contains("52.02.01.2001"));
        // The action in words, the detail as fields rather than raw JSON.
        assert!(audit.body.contains("pindah wilayah orang"), "{label}");
        assert!(!audit.body.contains("{&quot;"), "{label}: {}", audit.body);
        // Wrong password: a clear message, status 401, no session.
        let mut wrong = Client::new(&f.base);
        let r = wrong.login("admin52", "bukan-sandinya");
        assert_eq!(r.status, 401);
        assert!(r.body.contains("Nama pengguna atau kata sandi salah"));
        assert!(!wrong.cookies.contains_key("sinergi_sesi"));
    }
}

#[test]
fn admin_creates_an_account_who_must_change_the_password() {
    let f = serve(TestDb::sqlite());
    let mut admin = Client::new(&f.base);
    admin.login("admin52", PASSWORD);
    let bad = admin.post(
        "/admin/pengguna/baru",
        &[
            ("username", "op.kota"),
            ("display_name", "Operator Kota Mataram"),
            ("password", "sementara-123"),
            ("role", "operator_kabkota"),
            ("regions", "33.01"),
        ],
    );
    assert_eq!(bad.status, 403, "a scope outside the province");
    let bad = admin.post(
        "/admin/pengguna/baru",
        &[
            ("username", "op.kota"),
            ("display_name", "Operator"),
            ("password", "pendek"),
            ("role", "operator_kabkota"),
            ("regions", "52.03"),
        ],
    );
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("kata sandi: paling sedikit 10 karakter"));
    let ok = admin.post(
        "/admin/pengguna/baru",
        &[
            ("username", "op.kota"),
            ("display_name", "Operator"),
            ("password", "sementara-123"),
            ("role", "operator_kabkota"),
            ("regions", "52.03"),
        ],
    );
    assert_eq!(ok.status, 303, "{}", ok.body);
    let mut user = Client::new(&f.base);
    let login = user.login("op.kota", "sementara-123");
    assert_eq!(common::header(&login, "location"), Some("/akun?wajib=1"));
    // Everything else waits until the password is changed.
    let blocked = user.get("/penerima");
    assert_eq!(common::header(&blocked, "location"), Some("/akun?wajib=1"));
    let changed = user.post(
        "/akun/sandi",
        &[
            ("current", "sementara-123"),
            ("new", "sandi-milik-sendiri"),
            ("repeat", "sandi-milik-sendiri"),
        ],
    );
    assert_eq!(changed.status, 303);
    assert_eq!(user.get("/penerima").status, 200);
}

#[test]
fn a_real_browser_logs_in_is_refused_outside_its_scope_and_logs_out() {
    let Some(browser) = Browser::start() else {
        return;
    };
    let f = serve(TestDb::sqlite());
    let d1 = f.people.iter().find(|p| p.0 == "D1").unwrap().1;
    browser.open(&format!("{}/penerima", f.base));
    assert!(browser.url().contains("/masuk"), "not sent to login");
    browser.type_into("#username", "op5203");
    browser.type_into("#password", PASSWORD);
    browser.click("form.stack button[type=submit]");
    let url = browser.wait_for_url(|u| u.ends_with("/penerima"));
    assert!(url.ends_with("/penerima"), "{url}");
    let page = browser.source();
    assert!(page.contains("Penerima manfaat"));
    assert!(page.contains("<b>5</b>"), "five people in Lombok Timur");
    assert!(page.contains("5203********0001"), "masked NIK");
    let shots = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    browser.screenshot(&shots.join("penerima-op5203.png"));
    // A person in Jawa Tengah and the admin pages are refused.
    browser.open(&format!("{}/penerima/{d1}", f.base));
    assert!(browser.source().contains("di luar cakupan Anda"));
    browser.open(&format!("{}/admin/pengguna", f.base));
    assert!(browser.source().contains("tidak berwenang"));
    browser.screenshot(&shots.join("ditolak-op5203.png"));
    // Sign out with the navigation's button; the list is then behind the login again.
    browser.open(&format!("{}/akun", f.base));
    browser.click("header form button");
    let url = browser.wait_for_url(|u| u.contains("/masuk"));
    assert!(url.contains("/masuk"), "{url}");
    browser.open(&format!("{}/penerima", f.base));
    assert!(browser.url().contains("/masuk?ke="), "{}", browser.url());
    eprintln!("screenshots in {}", shots.display());
}

#[test]
fn an_operator_uploads_a_list_with_its_legal_basis_in_the_browser_form() {
    let f = serve(TestDb::sqlite());
    let mut c = Client::new(&f.base);
    c.login("op5203", PASSWORD);
    let form = c.get("/daftar/impor");
    assert_eq!(form.status, 200);
    common::assert_light_and_local("/daftar/impor", &form.body);
    let org_a = form
        .body
        .split("<option value=\"")
        .find_map(|o| o.split_once("\">Mitra A<").map(|(id, _)| id.to_string()))
        .expect("Mitra A offered");
    let csv = "nama;nik;jenis_kelamin;tanggal_lahir;kode_desa\n\
               Baiq Nurhasanah;5203054507900011;P;05-07-1990;52.03.05.2003\n\
               Lalu Zainudin;5.2E+15;L;1985-03-12;52.03.05.2003\n";
    let post = |c: &mut Client, fields: &[(&str, &str)], csv: &str| {
        c.post_upload(
            "/daftar/impor",
            fields,
            ("berkas", "penerima.csv", csv.as_bytes()),
        )
    };
    // No legal basis: refused, nothing stored.
    let r = post(&mut c, &[("organisasi", &org_a), ("rujukan", "PKS 1")], csv);
    assert_eq!(r.status, 400);
    assert!(r.body.contains("UU 27/2022"), "{}", r.body);
    // No CSRF token: refused before anything is read.
    let r = c.post_multipart(
        "/daftar/impor",
        &[
            ("organisasi", &org_a),
            ("dasar_hukum", "tugas_publik"),
            ("rujukan", "PKS 1"),
        ],
        ("berkas", "penerima.csv", csv.as_bytes()),
    );
    assert_eq!(r.status, 403);
    // A row outside Lombok Timur refuses the whole list.
    let outside = "nama,nik,kode_desa\nSiti,,52.03.05.2003\nAhmad,,52.02.01.2001\n";
    let fields = [
        ("organisasi", org_a.as_str()),
        ("dasar_hukum", "tugas_publik"),
        ("rujukan", "PKS 045/2025"),
    ];
    let r = post(&mut c, &fields, outside);
    assert_eq!(r.status, 303, "{}", r.body);
    let page = common::finished_job(&mut c, &r);
    assert!(page.body.contains("di luar cakupan"), "{}", page.body);
    // The good file runs as a job: its page refreshes itself (no JavaScript) until done,
    // then shows one row stored and the Excel-damaged NIK with its line and reason.
    let r = post(&mut c, &fields, csv);
    assert_eq!(r.status, 303, "{}", r.body);
    let job = common::header(&r, "location").unwrap().to_string();
    assert!(job.starts_with("/tugas/"), "{job}");
    let page = common::finished_job(&mut c, &r);
    common::assert_light_and_local(&job, &page.body);
    assert!(page.body.contains("1 orang disimpan"), "{}", page.body);
    assert!(
        page.body.contains("<td>3</td><td>nik</td>"),
        "{}",
        page.body
    );
    assert!(page.body.contains("notasi ilmiah"));
    // The reject report downloads as CSV and XLSX, in the user's language.
    let report = c.get(&format!("{job}/ditolak.csv"));
    assert_eq!(report.status, 200);
    assert!(
        report.body.contains("notasi ilmiah") && report.body.contains("3,nik,"),
        "{}",
        report.body
    );
    let xlsx = c.get(&format!("{job}/ditolak.xlsx"));
    assert_eq!((xlsx.status, &xlsx.bytes[..2]), (200, &b"PK"[..]));
    let list_link = page
        .body
        .split("href=\"/daftar/")
        .filter_map(|r| r.split('"').next())
        .find(|id| id.parse::<i64>().is_ok())
        .expect("link to the stored list")
        .to_string();
    let list = c.get("/penerima?q=Nurhasanah");
    assert!(list.body.contains("<b>1</b>"), "{}", list.body);
    // The same file again: refused at once, naming the earlier import.
    let r = post(&mut c, &fields, csv);
    assert_eq!(r.status, 400, "{}", r.body);
    assert!(
        r.body.contains("sudah diimpor") && r.body.contains(&format!("id {list_link}")),
        "{}",
        r.body
    );
    // A corrected list replaces it ("ganti daftar"): one person, the new list's page.
    let corrected = "nama;nik;jenis_kelamin;tanggal_lahir;kode_desa\n\
                     Baiq Nurhasanah;5203054507900011;P;05-07-1990;52.03.05.2003\n\
                     Lalu Zainudin;;L;1985-03-12;52.03.05.2003\n";
    let mut replace = fields.to_vec();
    replace.push(("ganti", &list_link));
    let r = post(&mut c, &replace, corrected);
    assert_eq!(r.status, 303, "{}", r.body);
    let page = common::finished_job(&mut c, &r);
    assert!(page.body.contains("2 orang disimpan"), "{}", page.body);
    let old = c.get(&format!("/daftar/{list_link}"));
    assert!(old.body.contains("sudah diganti"), "{}", old.body);
    let list = c.get("/penerima?q=Nurhasanah");
    assert!(
        list.body.contains("<b>1</b>"),
        "never doubled: {}",
        list.body
    );
    // The home page counts the uploads with rows not stored (the out-of-scope file and the
    // damaged NIK, not the clean correction) and links to them; each links to its report.
    let home = c.get("/");
    assert!(
        home.body
            .contains("<a href=\"/tugas?ditolak=1\"><b>2</b> unggahan dengan baris ditolak"),
        "{}",
        home.body
    );
    let rejected = c.get("/tugas?ditolak=1");
    assert_eq!(rejected.status, 200);
    common::assert_light_and_local("/tugas?ditolak=1", &rejected.body);
    let rows = |body: &str| body.matches("<tr><td><a href=\"/tugas/").count();
    assert_eq!(rows(&rejected.body), 2, "{}", rejected.body);
    assert!(rejected.body.contains(&format!("href=\"{job}\"")));
    assert!(rejected.body.contains("di luar cakupan, tidak disimpan"));
    assert_eq!(rows(&c.get("/tugas").body), 3);
    // Another user may not see the job.
    let mut other = Client::new(&f.base);
    other.login("op5202", PASSWORD);
    assert_eq!(other.get(&job).status, 404);
    // The region picker starts at the operator's kab/kota and cascades by reload: choosing
    // Masbagik lists its desa, with the way up still offered.
    let picker = |body: &str| -> Vec<String> {
        let start = body
            .find("<select name=\"wilayah\">")
            .expect("region picker");
        let end = start + body[start..].find("</select>").unwrap();
        body[start..end]
            .split("<option value=\"")
            .skip(1)
            .map(|o| o.split('"').next().unwrap().to_string())
            .collect()
    };
    let top = c.get("/penerima");
    assert_eq!(picker(&top.body), ["", "52.03", "52.03.05"]);
    let down = c.get("/penerima?wilayah=52.03.05");
    assert_eq!(
        picker(&down.body),
        ["", "52.03", "52.03.05", "52.03.05.2003", "52.03.05.2004"]
    );
    assert!(down.body.contains("<option value=\"52.03.05\" selected>"));
    assert!(!other.get("/").body.contains("/tugas?ditolak=1"));
    let theirs = other.get("/tugas");
    assert_eq!((theirs.status, rows(&theirs.body)), (200, 0));
    // A board member may not upload at all: refused before the body is read.
    let mut board = Client::new(&f.base);
    board.login("pimpinan52", PASSWORD);
    assert_eq!(board.get("/daftar/impor").status, 403);
    let r = board.post_upload(
        "/daftar/impor",
        &fields,
        ("berkas", "x.csv", csv.as_bytes()),
    );
    assert_eq!(r.status, 403, "{}", r.body);
    let r = board.post_upload(
        "/api/v1/daftar",
        &fields,
        ("berkas", "x.csv", csv.as_bytes()),
    );
    assert_eq!(r.status, 403, "{}", r.body);
    for registry in ["/lks/impor", "/lkks/impor", "/tautan"] {
        let r = board.post_upload(registry, &[], ("berkas", "x.csv", csv.as_bytes()));
        assert_eq!(r.status, 403, "{registry}: {}", r.body);
    }
}

/// Follows an import's redirect to its job page and reloads it (as the page's own refresh
/// does) until the job has finished.
#[test]
fn reviewers_decide_uncertain_pairs_within_their_scope_and_download_the_verdicts() {
    let f = serve(TestDb::sqlite());
    let mut c = Client::new(&f.base);
    c.login("op5203", PASSWORD);
    let page = c.get("/tautan");
    assert_eq!(page.status, 200);
    let org_a = page
        .body
        .split("<option value=\"")
        .find_map(|o| o.split_once("\">Mitra A<").map(|(id, _)| id.to_string()))
        .expect("Mitra A offered");
    let review = "id_kiri,id_kanan,probabilitas,bobot,nama_kiri,nama_kanan,bobot_nama,nik_kiri,nik_kanan,bobot_nik,keputusan\n\
                  a1,b7,0.71,1.3,Siti Aminah,Siti Aminah,4.2,5203054507900001,,0,\n\
                  a2,b9,0.55,0.2,Lalu Ahmad,L. Ahmad,2.1,5203051203850002,5203051203850020,-1.5,\n";
    let action = "/tautan";
    let fields = [
        ("organisasi", org_a.as_str()),
        ("wilayah", "52.03"),
        ("nama", "Tinjauan bantuan sembako"),
    ];
    // Not a review file: refused with the reason.
    let r = c.post_upload(
        action,
        &fields,
        ("berkas", "x.csv", b"nama,nik,kode_desa\nA,,52\n"),
    );
    assert_eq!(r.status, 400);
    assert!(r.body.contains("bukan berkas tinjauan"), "{}", r.body);
    let r = c.post_upload(
        action,
        &fields,
        ("berkas", "tinjauan.csv", review.as_bytes()),
    );
    assert_eq!(r.status, 303, "{}", r.body);
    let queue = common::header(&r, "location").unwrap().to_string();
    let pairs = c.get(&queue);
    assert_eq!(pairs.status, 200);
    common::assert_light_and_local(&queue, &pairs.body);
    assert!(pairs.body.contains("L. Ahmad") && pairs.body.contains("-1.50"));
    assert!(
        pairs.body.find("b7").unwrap() < pairs.body.find("b9").unwrap(),
        "most likely first"
    );
    // Another partner cannot see it; a board member sees it but cannot decide.
    let mut other = Client::new(&f.base);
    other.login("mitra.b", PASSWORD);
    assert_eq!(other.get(&queue).status, 404);
    assert_eq!(other.get(&format!("{queue}/keputusan.csv")).status, 404);
    let mut board = Client::new(&f.base);
    board.login("pimpinan52", PASSWORD);
    let seen = board.get(&queue);
    assert_eq!(seen.status, 200);
    // NIKs are masked for everyone, and the board cannot reveal them.
    for body in [&seen.body, &pairs.body] {
        assert!(!body.contains("5203054507900001") && !body.contains("5203051203850020"));
        assert!(body.contains("5203********0001") && body.contains("5203********0020"));
    }
    assert!(
        !seen.body.contains("/buka"),
        "no reveal button for the board"
    );
    assert!(
        pairs.body.contains("/buka"),
        "a reveal button for the operator"
    );
    let refused = board.post(
        &format!("{queue}/2/buka"),
        &[("kolom", "1"), ("sisi", "kanan")],
    );
    assert_eq!(refused.status, 403);
    assert!(!refused.body.contains("5203051203850020"));
    let revealed = c.post(
        &format!("{queue}/2/buka"),
        &[("kolom", "1"), ("sisi", "kanan")],
    );
    assert_eq!(revealed.status, 200);
    assert!(revealed.body.contains("5203051203850020"));
    assert!(
        !revealed.body.contains("5203051203850002"),
        "only the one asked for"
    );
    assert_eq!(
        board
            .post(&format!("{queue}/1"), &[("keputusan", "terima")])
            .status,
        403
    );
    // The operator decides both pairs; the verdicts come back in the engine's format.
    assert_eq!(
        c.post(
            &format!("{queue}/1"),
            &[("keputusan", "terima"), ("kembali", &queue)]
        )
        .status,
        303
    );
    assert_eq!(
        c.post(&format!("{queue}/2"), &[("keputusan", "tolak")])
            .status,
        303
    );
    assert!(
        c.get(&queue)
            .body
            .contains("Semua pasangan sudah diputuskan")
    );
    let csv = c.get(&format!("{queue}/keputusan.csv"));
    assert_eq!(
        csv.body.trim_start_matches('\u{feff}').trim(),
        "id_kiri,id_kanan,keputusan\na1,b7,terima\na2,b9,tolak"
    );
    let mut admin = Client::new(&f.base);
    admin.login("admin52", PASSWORD);
    let audit = admin.get("/admin/audit?aksi=review.decide");
    assert!(audit.body.contains("<b>2</b>"), "{}", audit.body);
}

/// Error details follow the user's language: a refused form field, a refused upload row and
/// an API error come out in English for a user who chose English, in Indonesian otherwise.
#[test]
fn error_details_come_in_the_language_the_user_chose() {
    let f = serve(TestDb::sqlite());
    let api_upload = |c: &mut Client, fields: &[(&str, &str)], csv: &str| {
        c.post_upload(
            "/api/v1/daftar",
            fields,
            ("berkas", "penerima.csv", csv.as_bytes()),
        )
    };
    let json = |body: &str| -> serde_json::Value {
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
    };
    for (lang, basis_word, row_word, field_word) in [
        ("en", "legal basis", "outside your scope", "at least"),
        ("id", "dasar hukum", "di luar cakupan", "paling sedikit"),
    ] {
        let mut c = Client::new(&f.base);
        if lang == "en" {
            c.cookies.insert("lang".into(), "en".into());
        }
        c.login("op5203", PASSWORD);
        let form = c.get("/daftar/impor");
        let org = form
            .body
            .split("<option value=\"")
            .find_map(|o| o.split_once("\">Mitra A<").map(|(id, _)| id.to_string()))
            .expect("Mitra A offered");
        // An API error: no legal basis. The detail is in the user's language.
        let r = api_upload(
            &mut c,
            &[("organisasi", &org), ("rujukan", "PKS 1")],
            "nama,nik,kode_desa\nSiti,,52.03.05.2003\n",
        );
        assert_eq!(r.status, 400, "{}", r.body);
        let detail = json(&r.body)["error"]["detail"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(detail.contains(basis_word), "{lang}: {detail}");
        // A refused upload row: outside the operator's kab/kota; nothing stored.
        let r = api_upload(
            &mut c,
            &[
                ("organisasi", &org),
                ("dasar_hukum", "tugas_publik"),
                ("rujukan", "PKS 1"),
            ],
            "nama,nik,kode_desa\nSiti,,52.03.05.2003\nAhmad,,52.02.01.2001\n",
        );
        assert_eq!(r.status, 202, "{}", r.body);
        let url = json(&r.body)["url"].as_str().unwrap().to_string();
        assert_eq!(common::header(&r, "location"), Some(url.as_str()));
        let body = loop {
            let got = c.get(&url);
            assert_eq!(got.status, 200, "{}", got.body);
            let body = json(&got.body);
            if body["status"] == "done" || body["status"] == "failed" {
                break body;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        };
        assert_eq!(body["laporan"]["hasil"], "outside_scope", "{body}");
        assert_eq!(body["laporan"]["disimpan"], 0, "{body}");
        let row = &body["laporan"]["ditolak"][0];
        assert_eq!(row["baris"], 3, "{body}");
        let reason = row["alasan"].as_str().unwrap_or_default();
        assert!(
            reason.contains(row_word) && reason.contains("52.02.01.2001"),
            "{lang}: {reason}"
        );
        // The same upload through the page names the row the same way, on its job page.
        let page = c.post_upload(
            "/daftar/impor",
            &[
                ("organisasi", &org),
                ("dasar_hukum", "tugas_publik"),
                ("rujukan", "PKS 1"),
            ],
            (
                "berkas",
                "penerima.csv",
                b"nama,nik,kode_desa\nSiti,,52.03.05.2003\nAhmad,,52.02.01.2001\n",
            ),
        );
        assert_eq!(page.status, 303);
        let page = common::finished_job(&mut c, &page);
        assert!(page.body.contains(row_word), "{lang}: {}", page.body);
        // A refused form field: a new password that is too short.
        let r = c.post(
            "/akun/sandi",
            &[
                ("current", PASSWORD),
                ("new", "pendek"),
                ("repeat", "pendek"),
            ],
        );
        assert!(r.body.contains(field_word), "{lang}: {}", r.body);
        if lang == "en" {
            assert!(!r.body.contains("paling sedikit"), "{}", r.body);
        }
    }
}

/// Issue 17: the login return path never leaves the site and never fails; a huge search term
/// is a 400 with a message, not a 500; an exported search for a NIK leaves neither the NIK nor
/// the name in the audit log; private pages are never cached.
#[test]
fn hardening_redirects_search_terms_and_audit_entries() {
    for db in databases() {
        let label = db.label;
        let f = serve(db);
        let mut c = Client::new(&f.base);
        // Open redirects and control characters in `ke`, before and after signing in.
        let evil = [
            "/%09/evil.example/x",
            "//evil.example",
            "/%5Cevil.example",
            "%5C%5Cevil.example",
            "/x%0D%0ASet-Cookie:%20a=b",
            "/x%00",
            "https://evil.example",
        ];
        for ke in evil {
            let page = c.get(&format!("/masuk?ke={ke}"));
            assert_eq!(page.status, 200, "{label}: /masuk?ke={ke}");
            assert!(
                page.body.contains("name=\"ke\" value=\"/\""),
                "{label}: {ke} kept as the return path"
            );
            let back = c.get(&format!("/bahasa/en?ke={ke}"));
            assert_eq!(back.status, 303, "{label}: /bahasa?ke={ke}");
            assert_eq!(common::header(&back, "location"), Some("/"), "{ke}");
        }
        // The form sends the value decoded (the form encoding is the client's).
        let decoded = |ke: &str| -> String {
            ke.replace("%09", "\t")
                .replace("%0D%0A", "\r\n")
                .replace("%5C", "\\")
                .replace("%00", "\0")
        };
        c.get("/masuk");
        for ke in evil {
            let token = c.csrf();
            let login = c.post_raw(
                "/masuk",
                &[
                    ("_csrf", token.as_str()),
                    ("username", "admin52"),
                    ("password", PASSWORD),
                    ("ke", &decoded(ke)),
                ],
            );
            assert_eq!(login.status, 303, "{label}: login with ke={ke}");
            assert_eq!(common::header(&login, "location"), Some("/"), "{ke}");
            c.post("/keluar", &[]);
        }
        let mut admin = Client::new(&f.base);
        assert_eq!(admin.login("admin52", PASSWORD).status, 303);
        let ok = admin.get("/masuk?ke=/wilayah/52");
        assert_eq!(common::header(&ok, "location"), Some("/wilayah/52"));
        // Search terms: bounded, answered 400 with a message; wildcards are literal.
        let huge = "a".repeat(50_000);
        for path in [
            format!("/penerima?q={huge}"),
            format!("/api/v1/penerima?q={huge}"),
            format!("/penerima/ekspor.csv?q={huge}"),
            format!("/wilayah/cari?q={huge}"),
            format!("/api/v1/wilayah/cari?q={huge}"),
        ] {
            let r = admin.get(&path);
            assert_eq!(r.status, 400, "{label}: {}", &path[..30]);
            assert!(r.body.contains("200"), "{label}: message names the limit");
        }
        let wild = admin.get("/api/v1/penerima?q=%25");
        assert_eq!(wild.status, 200);
        let json: serde_json::Value = serde_json::from_str(&wild.body).unwrap();
        assert_eq!(json["total"], 0, "{label}: % matched everyone");
        // An export filtered by a NIK and one by a name: the audit log holds neither.
        let (_, _, nik) = f.people.iter().find(|(l, _, _)| l == "A1").unwrap();
        let by_nik = admin.get(&format!("/penerima/ekspor.csv?q={nik}"));
        assert_eq!(by_nik.status, 200);
        // A1's NIK is also in B1's list (the overlap): both rows, nobody else.
        assert_eq!(
            by_nik.body.trim_start_matches('\u{feff}').lines().count(),
            3
        );
        assert_eq!(
            admin.get("/penerima/ekspor.csv?q=Siti%20Aminah").status,
            200
        );
        let audit = admin.get("/admin/audit?aksi=person.export");
        assert_eq!(audit.status, 200);
        assert!(audit.body.contains("person.export"));
        assert!(
            !audit.body.contains(nik.as_str()),
            "{label}: NIK in the audit log"
        );
        assert!(
            audit
                .body
                .contains(&format!("{}********{}", &nik[..4], &nik[12..])),
            "{label}: the mask is kept"
        );
        assert!(
            !audit.body.to_lowercase().contains("aminah"),
            "{label}: name in audit"
        );
        assert_eq!(common::header(&audit, "cache-control"), Some("no-store"));
        // The admin audit page shows the chain's head to record outside the database.
        let head = audit
            .body
            .split("<code id=\"kepala\">")
            .nth(1)
            .and_then(|r| r.split('<').next())
            .expect("head shown");
        assert_eq!(head.len(), 64, "{label}: {head}");

        // CSRF tokens are bound to the session: another session's token is refused, even
        // with that session's token copied into this browser's cookie.
        let a1 = f.people.iter().find(|p| p.0 == "A1").unwrap().1;
        let mut other = Client::new(&f.base);
        assert_eq!(other.login("op5203", PASSWORD).status, 303);
        let theirs = other.csrf();
        assert_ne!(theirs, admin.csrf(), "{label}: one token for two sessions");
        let mut forged = Client::new(&f.base);
        forged.cookies = admin.cookies.clone();
        forged.cookies.insert("sinergi_csrf".into(), theirs.clone());
        let r = forged.post_raw(
            &format!("/penerima/{a1}/pindah"),
            &[("_csrf", theirs.as_str()), ("wilayah", "52.03.05.2003")],
        );
        assert_eq!(r.status, 403, "{label}: a token from another session");
        // The session's own token is the one its pages carry.
        let page = admin.get(&format!("/penerima/{a1}"));
        assert!(page.body.contains(&admin.csrf()), "{label}: page token");
        // Tokens come from a form field or the header, not the URL.
        let r = admin.post_raw(
            &format!("/penerima/{a1}/pindah?_csrf={}", admin.csrf()),
            &[("wilayah", "52.03.05.2003")],
        );
        assert_eq!(r.status, 403, "{label}: URL token on a form");
        // Uploads: `_csrf` is read as the first multipart field; later is too late.
        let csv = "nama;nik;kode_desa\nUji;;52.03.05.2003\n";
        let token = admin.csrf();
        let late = admin.post_multipart(
            "/daftar/impor",
            &[("organisasi", "1"), ("_csrf", token.as_str())],
            ("berkas", "p.csv", csv.as_bytes()),
        );
        assert_eq!(late.status, 403, "{label}: token after other fields");
        let first = admin.post_upload(
            "/daftar/impor",
            &[("organisasi", "999999")],
            ("berkas", "p.csv", csv.as_bytes()),
        );
        assert_ne!(first.status, 403, "{label}: token as the first field");
        // The Origin must match scheme, host and port.
        let host = f.base.trim_start_matches("http://").to_string();
        let cookies = admin
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        for (origin, want) in [
            (format!("https://{host}"), 403),
            (format!("http://{host}0"), 403),
            (format!("http://{host}"), 303),
        ] {
            let url = format!("{}/penerima/{a1}/pindah", f.base);
            let mut resp = common::agent()
                .post(&url)
                .header("Cookie", &cookies)
                .header("Origin", &origin)
                .send_form([("_csrf", token.as_str()), ("wilayah", "52.03.05.2003")])
                .unwrap();
            let got = common::read_response(&mut resp);
            assert_eq!(got.status, want, "{label}: Origin {origin}");
        }

        // An admin releases a delayed account from its page (audited).
        let mut guesser = Client::new(&f.base);
        for _ in 0..5 {
            guesser.login("mitra.b", "salah-salah-salah");
        }
        let users = admin.get("/admin/pengguna");
        let id = users
            .body
            .split("href=\"/admin/pengguna/")
            .filter_map(|r| r.split_once('"'))
            .find(|(_, rest)| rest.starts_with(">mitra.b<"))
            .map(|(id, _)| id.to_string())
            .expect("mitra.b listed");
        let page = admin.get(&format!("/admin/pengguna/{id}"));
        assert!(page.body.contains(&format!("/admin/pengguna/{id}/lepas")));
        let r = admin.post(&format!("/admin/pengguna/{id}/lepas"), &[]);
        assert_eq!(r.status, 303, "{label}");
        assert_eq!(guesser.login("mitra.b", PASSWORD).status, 303, "{label}");
        let audit = admin.get("/admin/audit?aksi=user.login_release");
        assert!(audit.body.contains("user.login_release"), "{label}");
    }
}

/// Issue 16: the list page shows its rows' warnings (rendered through the catalogue) with
/// their count and the aid the rows record, only within the viewer's scope; a job a stopped
/// server left running shows as failed with the reason after the restart. Both backends.
#[test]
fn list_page_shows_warnings_and_distributions_and_restart_fails_stale_jobs() {
    use sinergi_core::{AidReceived, Msg, PersonExtra, PersonInput, Viewer};
    for db in databases() {
        let label = db.label;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let (list_id, job_id, key) = rt.block_on(async {
            let w = build(&db).await;
            let op = w.principal("op5203").await;
            let row = |line: u64, warnings: Vec<Msg>| PersonInput {
                line,
                name: format!("Warga {line}"),
                sex: None,
                birth_date: None,
                nik: None,
                kk: None,
                region: sinergi_testkit::world::code("52.03.05.2003"),
                extra: PersonExtra {
                    aid: Some(AidReceived {
                        program: Some("Sembako Lebaran".into()),
                        amount_rupiah: Some(250_000),
                        ..AidReceived::default()
                    }),
                    warnings,
                    ..PersonExtra::default()
                },
            };
            let rows = vec![
                row(
                    2,
                    vec![
                        Msg::new("intake.code_repeated")
                            .arg("code", "X1")
                            .arg("first", 9),
                    ],
                ),
                row(3, Vec::new()),
            ];
            let list = sinergi_store::NewPersonList {
                organisation_id: w.orgs[0],
                name: "Penerima sembako".into(),
                legal_basis: sinergi_testkit::world::basis(),
                reference: "PKS 1".into(),
                source_file: Some("sembako.csv".into()),
                content_hash: Some("abc".into()),
                replaces: None,
            };
            let stored = w
                .store
                .as_user(&op)
                .import_person_list(&list, &rows, &|_| {})
                .await
                .unwrap()
                .unwrap();
            // A job the previous server was running when it stopped.
            let viewer = Viewer::User(op.clone());
            let job = w
                .store
                .scoped(&viewer)
                .create_job("daftar.impor", "besar.csv")
                .await
                .unwrap();
            w.store.job_started(job).await.unwrap();
            let key = w.key.clone();
            w.store.close().await;
            (stored.list_id, job, key)
        });
        let (base, _stop) = common::start_keyed(db, Some(key));
        let mut c = Client::new(&base);
        c.login("op5203", PASSWORD);
        let page = c.get(&format!("/daftar/{list_id}"));
        assert_eq!(page.status, 200, "{label}: {}", page.body);
        common::assert_light_and_local("/daftar/{id}", &page.body);
        assert!(
            page.body.contains("Peringatan: 1"),
            "{label}: {}",
            page.body
        );
        assert!(
            page.body
                .contains("<td>2</td><td>kode X1 sudah muncul di baris 9</td>"),
            "{label}: {}",
            page.body
        );
        assert!(
            page.body.contains("Penyaluran bantuan: 2"),
            "{label}: {}",
            page.body
        );
        assert!(page.body.contains("Sembako Lebaran"), "{label}");
        let mut other = Client::new(&base);
        other.login("op5202", PASSWORD);
        assert_eq!(
            other.get(&format!("/daftar/{list_id}")).status,
            404,
            "{label}"
        );
        // The restarted server marked the stale job failed, with the reason.
        let job = c.get(&format!("/tugas/{job_id}"));
        assert_eq!(job.status, 200, "{label}");
        assert!(!job.body.contains("http-equiv=\"refresh\""), "{label}");
        assert!(
            job.body.contains("server dimulai ulang"),
            "{label}: {}",
            job.body
        );
    }
}

/// (name, bytes, outcome, stored, refused lines, warnings kept)
type CorpusFile = (&'static str, Vec<u8>, &'static str, u64, u64, u64);

/// Issue 16: damaged files through both doors a browser and a machine use — the upload page
/// and the API — on both backends, each with its stored / refused / warned counts; the job
/// page lists the warnings kept with the stored rows.
#[test]
fn damaged_files_through_the_page_and_the_api_give_the_same_counts() {
    // (name, bytes, outcome, stored, refused lines, warnings kept)
    let utf16: Vec<u8> = b"\xff\xfe"
        .iter()
        .copied()
        .chain(
            "nama\tnik\tkode_desa\r\nSiti Ä\t\t52.03.05.2003\r\nDewi\t-\t52.03.05.2003\r\n"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    let corpus: Vec<CorpusFile> = vec![
        (
            // A repeated NIK (both rows warned), a NIK whose sex disagrees, a NIK of five
            // digits, a birth date in the future and a short row.
            "warnings.csv",
            b"nama;nik;jenis_kelamin;tanggal_lahir;kode_desa\n\
              Baiq A;5203054507900021;P;05-07-1990;52.03.05.2003\n\
              Baiq B;5203054507900021;P;05-07-1990;52.03.05.2003\n\
              Lalu C;5203050101800031;P;01-01-1980;52.03.05.2003\n\
              Rusak;12345;L;01-01-1980;52.03.05.2003\n\
              Masa Depan;;L;01-01-2099;52.03.05.2003\n\
              Pendek;;L\n"
                .to_vec(),
            "stored",
            3,
            3,
            3,
        ),
        ("utf16.txt", utf16, "stored", 2, 0, 0),
        (
            "no_nik.csv",
            b"nama,kode_desa\nSiti,52.03.05.2003\n".to_vec(),
            "refused",
            0,
            1,
            0,
        ),
        (
            "quote.csv",
            b"nama,nik,kode_desa\nSiti,,52.03.05.2003\n\"Ani,,52.03.05.2003\nBudi,,52.03.05.2003\n"
                .to_vec(),
            "refused",
            0,
            1,
            0,
        ),
        (
            "header_only.csv",
            b"nama,nik,kode_desa\n".to_vec(),
            "refused",
            0,
            1,
            0,
        ),
    ];
    for db in databases() {
        let label = db.label;
        let f = serve(db);
        let mut c = Client::new(&f.base);
        c.login("op5203", PASSWORD);
        let form = c.get("/daftar/impor");
        let org = form
            .body
            .split("<option value=\"")
            .find_map(|o| o.split_once("\">Mitra A<").map(|(id, _)| id.to_string()))
            .expect("Mitra A offered");
        let fields = [
            ("organisasi", org.as_str()),
            ("dasar_hukum", "tugas_publik"),
            ("rujukan", "PKS 16"),
        ];
        for (name, bytes, outcome, stored, refused, warned) in &corpus {
            // The page.
            let r = c.post_upload("/daftar/impor", &fields, ("berkas", name, bytes));
            assert_eq!(r.status, 303, "{label} {name}: {}", r.body);
            let page = common::finished_job(&mut c, &r);
            let body = &page.body;
            match *outcome {
                "stored" => assert!(
                    body.contains(&format!("{stored} orang disimpan")),
                    "{label} {name}: {body}"
                ),
                _ => assert!(body.contains("class=\"error\""), "{label} {name}: {body}"),
            }
            if *refused > 0 && *outcome == "stored" {
                assert!(
                    body.contains(&format!("Baris yang tidak disimpan: {refused}")),
                    "{label} {name}: {body}"
                );
            }
            if *warned > 0 {
                assert!(
                    body.contains(&format!("Peringatan: {warned}")),
                    "{label} {name}: {body}"
                );
                assert!(body.contains("<td>2</td><td>NIK"), "{label} {name}: {body}");
            } else {
                assert!(!body.contains("Peringatan:"), "{label} {name}: {body}");
            }
            // The API, with the same rows (a blank line more, so not the same file).
            let mut again = bytes.clone();
            if name.ends_with(".txt") {
                again.extend("\r\n".encode_utf16().flat_map(u16::to_le_bytes));
            } else {
                again.push(b'\n');
            }
            let r = c.post_upload("/api/v1/daftar", &fields, ("berkas", name, &again));
            assert_eq!(r.status, 202, "{label} {name}: {}", r.body);
            let url = serde_json::from_str::<serde_json::Value>(&r.body).unwrap()["url"]
                .as_str()
                .unwrap()
                .to_string();
            let job = loop {
                let got = c.get(&url);
                let job: serde_json::Value = serde_json::from_str(&got.body).unwrap();
                if job["status"] == "done" || job["status"] == "failed" {
                    break job;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            };
            let report = &job["laporan"];
            assert_eq!(report["hasil"], *outcome, "{label} {name}: {job}");
            assert_eq!(report["disimpan"], *stored, "{label} {name}: {job}");
            assert_eq!(report["baris_ditolak"], *refused, "{label} {name}: {job}");
        }
    }
}
