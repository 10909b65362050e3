//! Programs and the 4W matrix through the real HTTP stack on SQLite and PostgreSQL: a partner
//! pushes programs through the API (validation errors name fields, in Indonesian), uploads a
//! 4W sheet with an ambiguous desa (refused with candidates), exports XLSX and re-imports it
//! without duplicating; the LKKS sees the matrix, overlaps and gaps; pages stay light.

use crate::common;

use common::{Browser, Client, agent, assert_light_and_local, read_response, start_keyed};
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{PASSWORD, build};

fn databases() -> Vec<TestDb> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(TestDb::all())
}

fn post_json(
    c: &Client,
    path: &str,
    body: &serde_json::Value,
    csrf: bool,
) -> (u16, serde_json::Value) {
    let url = format!("{}{path}", c.base);
    let cookies = c
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let mut req = agent().post(&url).header("Cookie", &cookies);
    if csrf {
        req = req.header("x-csrf-token", &c.csrf());
    }
    let mut resp = req.send_json(body).unwrap();
    let got = read_response(&mut resp);
    (
        got.status,
        serde_json::from_str(&got.body).unwrap_or(serde_json::Value::Null),
    )
}

fn program_json(code: &str, desa: &[&str]) -> serde_json::Value {
    serde_json::json!({
        "kode": code,
        "nama": format!("Bantuan Pangan {code}"),
        "sektor": "perlindungan_sosial",
        "ppks": ["1"],
        "jenis_bantuan": "sembako",
        "sumber_dana": "csr",
        "anggaran_rp": 120000000,
        "mulai": "2025-01-01",
        "selesai": "2025-12-31",
        "desil": "1-3",
        "tercapai": {"total": 10, "laki_laki": 4, "perempuan": 6},
        "lokasi": desa.iter().map(|d| serde_json::json!({"kode_wilayah": d, "sasaran": 30})).collect::<Vec<_>>(),
    })
}

#[test]
fn partners_push_and_upload_programs_and_the_lkks_sees_the_4w() {
    for db in databases() {
        let label = db.label;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let world = rt.block_on(build(&db));
        let key = world.key.clone();
        rt.block_on(world.store.close());
        drop(world);
        let (base, _stop) = start_keyed(db, Some(key));

        // Partner A pushes a program through the API.
        let mut a = Client::new(&base);
        assert_eq!(a.login("mitra.a", PASSWORD).status, 303, "{label}");
        a.get("/program");
        let (status, body) = post_json(
            &a,
            "/api/v1/program",
            &program_json("A-1", &["52.03.05.2003", "52.03.05.2004"]),
            true,
        );
        assert_eq!(status, 201, "{label}: {body}");
        let id = body["id"].as_i64().unwrap();
        // Without the CSRF header: refused.
        let (status, _) = post_json(
            &a,
            "/api/v1/program",
            &program_json("A-2", &["52.03.05.2003"]),
            false,
        );
        assert_eq!(status, 403, "{label}");
        // Bad fields are named, in Indonesian.
        let mut bad = program_json("A-3", &[]);
        bad["sektor"] = "astronomi".into();
        bad["mulai"] = "kemarin".into();
        let (status, body) = post_json(&a, "/api/v1/program", &bad, true);
        assert_eq!(status, 422, "{label}: {body}");
        let fields: Vec<&str> = body["error"]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["field"].as_str().unwrap())
            .collect();
        for f in ["sektor", "mulai", "lokasi"] {
            assert!(fields.contains(&f), "{label}: {f} not in {fields:?}");
        }
        assert!(
            body["error"]["detail"]
                .as_str()
                .unwrap()
                .contains("tidak dikenal"),
            "{label}"
        );
        // Posting the same code again updates.
        let mut again = program_json("A-1", &["52.03.05.2003"]);
        again["nama"] = "Bantuan Pangan Diperbarui".into();
        let (status, body) = post_json(&a, "/api/v1/program", &again, true);
        assert_eq!((status, body["id"].as_i64()), (200, Some(id)), "{label}");
        let got = a.get(&format!("/api/v1/program/{id}"));
        assert!(got.body.contains("Bantuan Pangan Diperbarui"), "{label}");

        // Partner B uploads a 4W sheet: one good program, one with an ambiguous place.
        let mut b = Client::new(&base);
        b.login("mitra.b", PASSWORD);
        b.get("/4w/impor");
        let csv = "kode_program,nama_program,sektor,jenis_bantuan,mulai,selesai,desil,kabupaten_kota,kecamatan,desa,sasaran_lokasi\n\
                   B-1,Paket Sembako,perlindungan sosial,barang,2025-03-01,2025-09-30,1-2,Lombok Timur,Masbagik,Masbagik Selatan,40\n\
                   B-2,Beasiswa,pendidikan,beasiswa,2025-01-01,2025-12-31,,Lombok,,,10\n";
        let token = b.csrf();
        let up = common::upload_job(
            &mut b,
            &format!("/4w/impor?_csrf={token}"),
            &[],
            ("berkas", "4w.csv", csv.as_bytes()),
        );
        assert!(
            up.body.contains("baru: 1, diperbarui: 0"),
            "{label}: {}",
            up.body
        );
        assert!(
            up.body.contains("kabupaten_kota") && up.body.contains("tidak ditemukan"),
            "{label}"
        );
        // B sees only its own programs.
        let mine = b.get("/api/v1/program");
        let v: serde_json::Value = serde_json::from_str(&mine.body).unwrap();
        assert_eq!(v["total"], 1, "{label}: {}", mine.body);

        // B exports its 4W as XLSX and uploads it again: updated, not duplicated.
        let x = b.get("/4w/ekspor.xlsx");
        assert_eq!(x.status, 200, "{label}");
        assert_eq!(&x.bytes[..2], b"PK", "{label}");
        let token = b.csrf();
        let up = common::upload_job(
            &mut b,
            &format!("/4w/impor?_csrf={token}"),
            &[],
            ("berkas", "4w.xlsx", &x.bytes),
        );
        assert!(
            up.body.contains("baru: 0, diperbarui: 1"),
            "{label}: {}",
            up.body
        );
        let v: serde_json::Value = serde_json::from_str(&b.get("/api/v1/program").body).unwrap();
        assert_eq!(v["total"], 1, "{label}");

        // The LKKS admin sees both partners in the matrix, the overlap in Masbagik Selatan
        // (same sector, overlapping time and desil), and the analysis page.
        let mut admin = Client::new(&base);
        admin.login("admin52", PASSWORD);
        let m = admin.get("/4w");
        assert_eq!(m.status, 200, "{label}");
        assert!(
            m.body.contains("Kabupaten Lombok Timur") && m.body.contains("Perlindungan sosial"),
            "{label}"
        );
        assert_light_and_local("/4w", &m.body);
        let api: serde_json::Value =
            serde_json::from_str(&admin.get("/api/v1/4w?tingkat=desa").body).unwrap();
        let row = api["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == "52.03.05.2003")
            .unwrap();
        assert_eq!(row["total"]["partners"], 2, "{label}: {api}");
        let an = admin.get("/4w/analisis");
        assert_eq!(an.status, 200, "{label}");
        assert!(
            an.body.contains("Masbagik Selatan")
                && an.body.contains("Mitra A")
                && an.body.contains("Mitra B"),
            "{label}"
        );
        assert_light_and_local("/4w/analisis", &an.body);
        for path in [
            "/program",
            &format!("/program/{id}"),
            "/4w/impor",
            "/4w?tingkat=desa&kolom=mitra&nilai=anggaran",
        ] {
            let page = admin.get(path);
            assert_eq!(page.status, 200, "{label}: {path}");
            assert_light_and_local(path, &page.body);
        }
        // A partner sees the overlaps of its own programs: the other partner's name and
        // sector, not its program's name or page.
        let own = b.get("/4w/analisis");
        assert_eq!(own.status, 200, "{label}");
        assert_light_and_local("partner /4w/analisis", &own.body);
        assert!(
            own.body.contains("Masbagik Selatan")
                && own.body.contains("Mitra A")
                && own.body.contains("Paket Sembako")
                && own.body.contains("Perlindungan sosial"),
            "{label}: {}",
            own.body
        );
        assert!(
            !own.body.contains("Bantuan Pangan") && !own.body.contains(&format!("/program/{id}\"")),
            "{label}: partner B sees partner A's program"
        );
        assert!(
            !own.body.contains("id=\"kesenjangan\""),
            "{label}: gaps shown to a partner"
        );
        // An organisation without programs has no overlaps.
        let mut lks = Client::new(&base);
        lks.login("lks", PASSWORD);
        let none = lks.get("/4w/analisis");
        assert_eq!(none.status, 200, "{label}");
        assert!(!none.body.contains("Masbagik Selatan"), "{label}");
        // The board may not upload.
        let mut board = Client::new(&base);
        board.login("pimpinan52", PASSWORD);
        assert_eq!(board.get("/4w/impor").status, 403, "{label}");
        let t = board.get("/4w/templat.xlsx");
        assert_eq!((t.status, &t.bytes[..2]), (200, &b"PK"[..]), "{label}");
    }
}

/// A real browser: the admin walks /4w → a row's programs → a program → the analysis page;
/// a partner enters a program through the HTML form and finds it among its overlaps.
#[test]
fn a_real_browser_walks_the_4w_to_a_program_and_the_analysis() {
    let Some(browser) = Browser::start() else {
        return;
    };
    let db = TestDb::sqlite();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let world = rt.block_on(build(&db));
    let key = world.key.clone();
    rt.block_on(world.store.close());
    drop(world);
    let (base, _stop) = start_keyed(db, Some(key));
    // Partner B has a program in Masbagik Selatan already.
    let mut b = Client::new(&base);
    b.login("mitra.b", PASSWORD);
    b.get("/program");
    let (status, _) = post_json(
        &b,
        "/api/v1/program",
        &program_json("B-9", &["52.03.05.2003"]),
        true,
    );
    assert_eq!(status, 201);
    let shots = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    let login = |user: &str| {
        browser.open(&format!("{base}/masuk"));
        browser.type_into("#username", user);
        browser.type_into("#password", PASSWORD);
        browser.click("form.stack button[type=submit]");
        browser.wait_for_url(|u| !u.contains("/masuk"));
    };
    let logout = || {
        browser.open(&format!("{base}/akun"));
        browser.click("header form button");
        browser.wait_for_url(|u| u.contains("/masuk"));
    };

    // Partner A enters a program through the form, in the browser, without script.
    login("mitra.a");
    browser.open(&format!("{base}/program/baru"));
    browser.type_into("#kode", "A-WEB");
    browser.type_into("#nama", "Sembako Lewat Formulir");
    browser.click("#sektor option[value=perlindungan_sosial]");
    browser.click("#jenis_bantuan option[value=barang]");
    browser.click("input[name=ppks][value='1']");
    // Date inputs take digits in the locale's order: day and month alike work in any.
    browser.type_into("#desil", "1-3");
    browser.type_into("#lokasi", "52.03.05.2003 25 0");
    browser.type_into("#mulai", "01012025");
    browser.type_into("#selesai", "12122025");
    browser.click("form.stack button[type=submit]");
    // The form stays at /program/baru until the post answers: wait for the saved page.
    let url = browser.wait_for_url(|u| u.contains("ok=1"));
    let page = browser.source();
    assert!(
        url.contains("ok=1") && page.contains("Sembako Lewat Formulir"),
        "{url}: {page}"
    );
    browser.screenshot(&shots.join("program-baru-mitra-a.png"));

    // The admin: /4w → the row of Lombok Timur → a program → back → the analysis.
    logout();
    login("admin52");
    browser.open(&format!("{base}/4w"));
    let page = browser.source();
    assert!(page.contains("Kabupaten Lombok Timur"), "{page}");
    browser.screenshot(&shots.join("4w-admin52.png"));
    browser.click("table.matrix a[href='/program?wilayah=52.03']");
    let url = browser.wait_for_url(|u| u.contains("wilayah=52.03"));
    assert!(url.contains("/program?wilayah=52.03"), "{url}");
    assert!(browser.source().contains("Sembako Lewat Formulir"));
    browser.click("table a[href^='/program/']");
    let url = browser.wait_for_url(|u| {
        u.split("/program/")
            .nth(1)
            .is_some_and(|id| id.chars().all(|c| c.is_ascii_digit()) && !id.is_empty())
    });
    let page = browser.source();
    assert!(page.contains("Masbagik Selatan"), "{url}: {page}");
    browser.open(&format!("{base}/4w"));
    browser.click("a[href^='/4w/analisis']");
    let url = browser.wait_for_url(|u| u.contains("/4w/analisis"));
    assert!(url.contains("/4w/analisis"), "{url}");
    let page = browser.source();
    assert!(
        page.contains("Masbagik Selatan") && page.contains("Mitra A") && page.contains("Mitra B"),
        "{page}"
    );
    browser.screenshot(&shots.join("4w-analisis-admin52.png"));

    // Partner A's own analysis: B's organisation named, B's program not.
    logout();
    login("mitra.a");
    browser.open(&format!("{base}/4w/analisis"));
    let page = browser.source();
    assert!(
        page.contains("Mitra B") && page.contains("Sembako Lewat Formulir"),
        "{page}"
    );
    assert!(!page.contains("Bantuan Pangan B-9"), "{page}");
    eprintln!("screenshots in {}", shots.display());
}

/// POSTs `body` as the raw request body (with the CSRF header), answering status and JSON.
fn post_raw_body(c: &Client, path: &str, body: &[u8]) -> (u16, serde_json::Value) {
    let url = format!("{}{path}", c.base);
    let cookies = c
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let mut resp = agent()
        .post(&url)
        .header("Cookie", &cookies)
        .header("x-csrf-token", &c.csrf())
        .header("Content-Type", "text/csv")
        .send(body)
        .unwrap();
    let got = read_response(&mut resp);
    (
        got.status,
        serde_json::from_str(&got.body).unwrap_or(serde_json::Value::Null),
    )
}

#[test]
fn refusals_of_a_4w_upload_and_of_the_program_form_follow_the_language() {
    for db in databases() {
        let label = db.label;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let world = rt.block_on(build(&db));
        let key = world.key.clone();
        rt.block_on(world.store.close());
        drop(world);
        let (base, _stop) = start_keyed(db, Some(key));
        let sheet = "kode_program,nama_program,sektor,jenis_bantuan,mulai,selesai,kode_wilayah\n\
                     X-1,Program Astronomi,astronomi,barang,2025-01-01,2025-12-31,52.03.05.2003\n";
        let form = [
            ("kode", "F-9"),
            ("nama", "Program Formulir"),
            ("sektor", "astronomi"),
            ("jenis_bantuan", "barang"),
            ("mulai", "2025-01-01"),
            ("selesai", "2025-12-31"),
            ("lokasi", "52.03.05.2003 10"),
        ];
        // (language cookie, what a refusal says in it, what it must not say)
        for (lang, says, not) in [
            (None, "tidak dikenal; pilih:", "is not known"),
            (Some("en"), "is not known; choose:", "tidak dikenal"),
        ] {
            let mut a = Client::new(&base);
            if let Some(l) = lang {
                a.cookies.insert("lang".into(), l.into());
            }
            assert_eq!(a.login("mitra.a", PASSWORD).status, 303, "{label}");
            a.get("/4w/impor");
            let token = a.csrf();
            let up = common::upload_job(
                &mut a,
                &format!("/4w/impor?_csrf={token}"),
                &[],
                ("berkas", "4w.csv", sheet.as_bytes()),
            );
            assert!(
                up.body.contains(says) && !up.body.contains(not),
                "{label} {lang:?}: {}",
                up.body
            );
            // The API import answers the same refusal as JSON, in the same language.
            let (status, body) =
                post_raw_body(&a, "/api/v1/program/impor?nama=4w.csv", sheet.as_bytes());
            assert_eq!(status, 400, "{label} {lang:?}: {body}");
            assert_eq!(body["stored"], 0, "{label}: {body}");
            assert_eq!(body["rejected_rows"], 1, "{label}: {body}");
            let reason = body["rejected"][0]["reason"].as_str().unwrap();
            assert!(reason.contains(says), "{label} {lang:?}: {body}");
            assert_eq!(body["rejected"][0]["column"], "sektor", "{label}: {body}");

            a.get("/program/baru");
            let got = a.post("/program/baru", &form);
            assert_eq!(got.status, 422, "{label} {lang:?}: {}", got.body);
            assert!(got.body.contains("<code>sektor</code>"), "{label}");
            assert!(
                got.body.contains(says) && !got.body.contains(not),
                "{label} {lang:?}: {}",
                got.body
            );
        }
        // A good sheet through the API is stored, and updated the second time.
        let mut a = Client::new(&base);
        a.login("mitra.a", PASSWORD);
        a.get("/program");
        let good = sheet.replace("astronomi", "kesehatan");
        let (status, body) = post_raw_body(&a, "/api/v1/program/impor", good.as_bytes());
        assert_eq!(status, 200, "{label}: {body}");
        assert_eq!(
            (body["stored"].as_u64(), body["updated"].as_u64()),
            (Some(1), Some(0))
        );
        let (_, body) = post_raw_body(&a, "/api/v1/program/impor", good.as_bytes());
        assert_eq!(
            (body["stored"].as_u64(), body["updated"].as_u64()),
            (Some(0), Some(1))
        );
        // An empty body is refused with the JSON error shape.
        let (status, body) = post_raw_body(&a, "/api/v1/program/impor", b"");
        assert_eq!(status, 400, "{label}: {body}");
        assert!(body["error"]["code"].is_string(), "{label}: {body}");
        assert!(body["error"]["detail"].is_string(), "{label}: {body}");
    }
}
