//! The strategy pages through a real server on SQLite and PostgreSQL: the tree, the indicator
//! page with its chart, the dashboard red first, the public seeing only the province, forms
//! with bad input, the import reject report, locks, and reports made in the background (the
//! PDF's text names the indicators; the XLSX is a workbook).

use crate::common;

use common::{Client, assert_light_and_local, header, start_keyed};
use sinergi_core::Period;
use sinergi_core::strategy::Direction;
use sinergi_store::{EntryMethod, IndicatorFields, NewRealisation, SourceType, Target};
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{PASSWORD, build};

fn fields(code: &str, name: &str, unit: &str, direction: Direction) -> IndicatorFields {
    IndicatorFields {
        code: code.into(),
        name: name.into(),
        definition: format!("Definisi {name}"),
        formula: "a / b × 100".into(),
        unit: unit.into(),
        direction,
        reference_code: None,
        data_source: "BPS".into(),
        source_type: SourceType::Survey,
        concept: String::new(),
        disaggregations: vec![],
        baseline_year: Some(2024),
        baseline_value: Some(14.96),
        baseline_source: None,
        pic: "LKKS".into(),
        pic_organisation_id: None,
        computation: None,
    }
}

fn value(code: &str, region: &str, v: f64) -> NewRealisation {
    NewRealisation {
        line: 0,
        indicator_code: code.into(),
        disaggregation: String::new(),
        region: region.into(),
        period: Period::parse("2025-Q1").unwrap(),
        source: "BPS".into(),
        value: v,
        drivers: "Posyandu aktif".into(),
        obstacles: String::new(),
        follow_up: String::new(),
    }
}

const RED: &str = "Perkawinan anak di bawah umur";
const GREEN: &str = "Kab/kota dengan LKKS aktif";

fn serve(db: TestDb) -> (String, tokio::sync::oneshot::Sender<()>) {
    serve_with(db, None)
}

/// The test strategy, with `extra` as a third indicator when given.
fn serve_with(
    db: TestDb,
    extra: Option<IndicatorFields>,
) -> (String, tokio::sync::oneshot::Sender<()>) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let key = rt.block_on(async {
        let w = build(&db).await;
        let admin = w.principal("admin52").await;
        let s = &w.store;
        let (sid, vid) = s
            .as_user(&admin)
            .create_strategy("52", "Strategi Uji NTB", (2025, 2030), "Visi uji", &[])
            .await
            .unwrap();
        let o = s
            .as_user(&admin)
            .add_objective(vid, "SS1", "Sasaran uji")
            .await
            .unwrap();
        let red = s
            .as_user(&admin)
            .add_indicator(o, &fields("IK1", RED, "persen", Direction::Lower))
            .await
            .unwrap();
        let green = s
            .as_user(&admin)
            .add_indicator(o, &fields("IK2", GREEN, "kab/kota", Direction::Higher))
            .await
            .unwrap();
        let t = |v| Target {
            region: sinergi_core::strategy::StrategyArea::parse("52").unwrap(),
            year: 2025,
            value: v,
        };
        s.as_user(&admin)
            .set_targets(red, &[t(13.0)])
            .await
            .unwrap();
        s.as_user(&admin)
            .set_targets(green, &[t(10.0)])
            .await
            .unwrap();
        if let Some(f) = &extra {
            s.as_user(&admin).add_indicator(o, f).await.unwrap();
        }
        s.as_user(&admin).publish_version(vid).await.unwrap();
        s.as_user(&admin)
            .save_realisations(
                sid,
                EntryMethod::Form,
                &[
                    value("IK1", "52", 19.0),
                    value("IK2", "52", 10.0),
                    value("IK1", "52.03", 11.5),
                ],
            )
            .await
            .unwrap()
            .unwrap();
        let key = w.key.clone();
        w.store.close().await;
        key
    });
    start_keyed(db, Some(key))
}

fn databases() -> Vec<TestDb> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(TestDb::all())
}

#[test]
fn strategy_pages_forms_imports_and_reports() {
    for db in databases() {
        let l = db.label;
        let (base, _stop) = serve(db);
        let mut public = Client::new(&base);

        // The tree and the indicator page, for everyone, light and local, in both languages.
        let tree = public.get("/strategi/1");
        assert_eq!(tree.status, 200, "{l}");
        assert!(tree.body.contains(RED) && tree.body.contains(GREEN), "{l}");
        assert_light_and_local("tree", &tree.body);
        let ind = public.get("/strategi/1/indikator/IK1");
        assert_eq!(ind.status, 200);
        assert!(ind.body.contains("<svg"), "{l}: trend chart");
        assert_light_and_local("indicator", &ind.body);
        let en = common::get_with(&format!("{base}/strategi/1/dasbor"), Some("lang=en"));
        assert!(en.body.contains("Quarter dashboard"), "{l}");

        // The dashboard lists the worst first; the public sees only the province.
        let dash = public.get("/strategi/1/dasbor?periode=2025-Q1");
        assert_eq!(dash.status, 200);
        assert_light_and_local("dashboard", &dash.body);
        let (red, green) = (dash.body.find(RED).unwrap(), dash.body.find(GREEN).unwrap());
        assert!(red < green, "{l}: red first");
        assert!(
            dash.body.contains("Sangat Rendah"),
            "{l}: 19 % against 13 % is rated very low"
        );
        let kab = public.get("/strategi/1/dasbor?periode=2025-Q1&wilayah=52.03");
        assert_eq!(kab.status, 400, "{l}: kab/kota figures are not public");
        let bad_period = public.get("/strategi/1/dasbor?periode=2025-Q9");
        assert_eq!(bad_period.status, 400);
        assert!(bad_period.body.contains("triwulan"), "{l}");

        // The operator sees Lombok Timur and enters realisation; bad input is named.
        let mut op = Client::new(&base);
        op.login("op5203", PASSWORD);
        let kab = op.get("/strategi/1/dasbor?periode=2025-Q1&wilayah=52.03");
        assert_eq!(kab.status, 200, "{l}");
        let form = |v: &str, region: &str| {
            vec![
                ("kode_indikator", "IK1".to_string()),
                ("kode_wilayah", region.to_string()),
                ("periode", "Triwulan II 2025".to_string()),
                ("sumber", "Dinas Sosial".to_string()),
                ("nilai", v.to_string()),
            ]
        };
        let post_to = |c: &mut Client, path: &str, f: Vec<(&str, String)>| {
            let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
            c.post(path, &f)
        };
        let post = |c: &mut Client, f: Vec<(&str, String)>| post_to(c, "/strategi/1/data", f);
        let r = post(&mut op, form("banyak", "52.03"));
        assert_eq!(r.status, 400, "{l}");
        assert!(r.body.contains("bukan angka"), "{l}");
        let r = post(&mut op, form("12", "52.02"));
        assert_eq!(r.status, 400);
        assert!(r.body.contains("di luar wilayah kewenangan"), "{l}");
        let r = post(&mut op, form("12,5", "52.03"));
        assert_eq!(r.status, 200, "{l}: {}", r.body);
        assert!(r.body.contains("tersimpan"), "{l}");
        // 112 for a percentage is held back at saving with the rule, until confirmed.
        let r = post(&mut op, form("112", "52.03"));
        assert_eq!(r.status, 200, "{l}");
        assert!(r.body.contains("belum disimpan"), "{l}: {}", r.body);
        assert!(r.body.contains("di luar rentang 0–100"), "{l}");
        assert!(!r.body.contains("tersimpan"), "{l}: nothing stored yet");
        let mut confirmed = form("112", "52.03");
        confirmed.push(("konfirmasi", "1".to_string()));
        let r = post(&mut op, confirmed);
        assert_eq!(r.status, 200, "{l}");
        assert!(r.body.contains("tersimpan"), "{l}: confirmed and stored");
        let r = post(&mut op, form("12,5", "52.03"));
        assert!(r.body.contains("tersimpan"), "{l}: corrected");

        // Import: one bad row refuses the file, with line and column; nothing is stored.
        let csv = "kode_indikator,kode_wilayah,periode,sumber,nilai\nIK1,52.03,2025-Q3,BPS,12\nIK1,52.03,2025-Q3,BPS,dua belas\nIK404,52.03,2025-Q3,BPS,1\n";
        let path = format!("/strategi/1/data/impor?_csrf={}", op.csrf());
        let r = common::upload_job(
            &mut op,
            &path,
            &[],
            ("berkas", "realisasi.csv", csv.as_bytes()),
        );
        assert!(
            r.body.contains("Berkas ditolak seluruhnya"),
            "{l}: {}",
            r.body
        );
        assert!(
            r.body.contains("<td>3</td><td>nilai</td>"),
            "{l}: {}",
            r.body
        );
        let fixed = "kode_indikator,kode_wilayah,periode,sumber,nilai\nIK1,52.03,2025-Q3,BPS,12\nIK404,52.03,2025-Q3,BPS,1\n";
        let path = format!("/strategi/1/data/impor?_csrf={}", op.csrf());
        let r = common::upload_job(
            &mut op,
            &path,
            &[],
            ("berkas", "realisasi.csv", fixed.as_bytes()),
        );
        assert!(
            r.body.contains("<td>3</td><td>kode_indikator</td>"),
            "{l}: {}",
            r.body
        );
        assert!(
            r.body.contains("Impor realisasi"),
            "{l}: titled as a realisation import"
        );
        let page = op.get("/strategi/1/data?periode=2025-Q3");
        assert!(page.body.contains("Belum ada nilai"), "{l}: all or nothing");
        let template = op.get("/strategi/1/data/templat.xlsx");
        assert!(template.bytes.starts_with(b"PK"), "{l}");

        // The admin locks the quarter; the operator's change is refused until reopened.
        let mut admin = Client::new(&base);
        admin.login("admin52", PASSWORD);
        let r = admin.post(
            "/strategi/1/kunci",
            &[("periode", "2025-Q2"), ("aksi", "kunci")],
        );
        assert_eq!(r.status, 303, "{l}");
        let r = post(&mut op, form("12,6", "52.03"));
        assert_eq!(r.status, 400);
        assert!(r.body.contains("dikunci"), "{l}");
        let r = admin.post(
            "/strategi/1/kunci",
            &[
                ("periode", "2025-Q2"),
                ("aksi", "buka"),
                ("alasan", "koreksi"),
            ],
        );
        assert_eq!(r.status, 303);
        assert_eq!(post(&mut op, form("12,6", "52.03")).status, 200, "{l}");
        // Board members read only.
        let mut board = Client::new(&base);
        board.login("pimpinan52", PASSWORD);
        assert_ne!(post(&mut board, form("1", "52")).status, 200, "{l}");

        // Reports in the background: PDF and XLSX.
        for (format, magic) in [("pdf", &b"%PDF"[..]), ("xlsx", &b"PK"[..])] {
            let r = admin.post(
                "/strategi/1/laporan",
                &[
                    ("jenis", "triwulan"),
                    ("format", format),
                    ("periode", "2025-Q1"),
                ],
            );
            assert_eq!(r.status, 303, "{l}: {}", r.body);
            let job = header(&r, "location").unwrap().to_string();
            let mut done = None;
            for _ in 0..120 {
                let p = admin.get(&job);
                assert_eq!(p.status, 200, "{l}");
                if p.body.contains("/unduh") {
                    done = Some(p);
                    break;
                }
                assert!(
                    p.body.contains("http-equiv=\"refresh\""),
                    "{l}: progress refreshes"
                );
                std::thread::sleep(std::time::Duration::from_millis(250));
            }
            assert!(done.is_some(), "{l}: {format} report finished");
            let file = admin.get(&format!("{job}/unduh"));
            assert!(file.bytes.starts_with(magic), "{l} {format}");
            if format == "xlsx" {
                // Targets, realisation and achievement are number cells a spreadsheet sums.
                use calamine::{Data, Reader};
                let mut book: calamine::Xlsx<_> =
                    calamine::open_workbook_from_rs(std::io::Cursor::new(file.bytes.clone()))
                        .unwrap();
                let first = book.sheet_names()[0].clone();
                let range = book.worksheet_range(&first).unwrap();
                let numbers = range
                    .used_cells()
                    .filter(|(_, _, d)| matches!(d, Data::Float(_)))
                    .count();
                assert!(numbers >= 3, "{l}: {numbers} number cells in {first}");
                // The data-quality scorecard of the strategy's province (issue 22).
                assert!(
                    book.sheet_names().iter().any(|s| s == "Mutu data"),
                    "{l}: {:?}",
                    book.sheet_names()
                );
                let quality = book.worksheet_range("Mutu data").unwrap();
                let names: Vec<String> = quality
                    .rows()
                    .filter_map(|r| r.get(1).map(|c| c.to_string()))
                    .collect();
                assert!(
                    names.iter().any(|n| n == "Kabupaten Lombok Timur"),
                    "{l}: {names:?}"
                );
            }
            if format == "pdf" {
                let text = sinergi_report::pdf::extract_text(&file.bytes);
                assert!(text.contains(RED) && text.contains(GREEN), "{l}: {text}");
                assert!(text.contains("Laporan Monitoring dan Evaluasi"), "{l}");
                assert!(
                    text.contains("Kartu skor mutu data tahun 2025"),
                    "{l}: the scorecard is in the report"
                );
                // Another user cannot fetch it.
                assert_eq!(op.get(&format!("{job}/unduh")).status, 404, "{l}");
            }
        }

        // An amendment opens a draft; a new indicator names its responsible partner from the
        // partners the admin may act for, and an unknown one is refused by name.
        let r = admin.post("/strategi/1/amandemen", &[]);
        assert_eq!(r.status, 422, "{l}");
        assert!(
            r.body.contains("kolom &#34;alasan&#34; wajib diisi"),
            "{l}: {}",
            r.body
        );
        let r = admin.post(
            "/strategi/1/amandemen",
            &[("alasan", "Tambah indikator dampingan mitra")],
        );
        assert_eq!(r.status, 303, "{l}: {}", r.body);
        let draft = admin.get("/strategi/1?versi=2");
        let select = &draft.body[draft
            .body
            .find("name=\"pic_organisasi\"")
            .expect("PIC partner select")..];
        let select = &select[..select.find("</select>").unwrap()];
        let partner = select
            .split("<option value=\"")
            .filter_map(|o| o.split('"').next())
            .find(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit()))
            .expect("at least one partner to choose")
            .to_string();
        let objective = draft.body[draft.body.find("name=\"sasaran\"").unwrap()..]
            .split("<option value=\"")
            .nth(1)
            .and_then(|o| o.split('"').next())
            .unwrap()
            .to_string();
        let indicator = |pic: &str| {
            vec![
                ("sasaran", objective.clone()),
                ("kode", "IK9".to_string()),
                ("nama", "Keluarga dampingan mitra".to_string()),
                ("definisi", "Keluarga yang didampingi".to_string()),
                ("rumus", String::new()),
                ("satuan", "keluarga".to_string()),
                ("arah", "naik".to_string()),
                ("kode_rujukan", String::new()),
                ("sumber_data", "Laporan mitra".to_string()),
                ("jenis_sumber", "administrative".to_string()),
                ("pic", "Mitra".to_string()),
                ("pic_organisasi", pic.to_string()),
            ]
        };
        let r = post_to(&mut admin, "/strategi/1/indikator", indicator("999999"));
        assert_eq!(r.status, 400, "{l}");
        assert!(
            r.body.contains("bukan mitra di wilayah Anda"),
            "{l}: {}",
            r.body
        );
        assert!(
            !admin.get("/strategi/1").body.contains("IK9"),
            "{l}: nothing stored"
        );
        let r = post_to(&mut admin, "/strategi/1/indikator", indicator(&partner));
        assert_eq!(r.status, 303, "{l}: {}", r.body);
        assert!(admin.get("/strategi/1?versi=2").body.contains("IK9"), "{l}");
        // The published version stays as it was.
        assert!(
            !admin.get("/strategi/1?versi=1").body.contains("IK9"),
            "{l}"
        );
    }
}

/// Posts JSON as `c` (its cookies and CSRF token in the header).
fn post_json(c: &mut Client, path: &str, body: &str) -> common::Got {
    let mut req = common::agent()
        .post(&format!("{}{path}", c.base))
        .header("Content-Type", "application/json")
        .header("x-csrf-token", &c.csrf());
    let cookies: Vec<String> = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
    req = req.header("Cookie", &cookies.join("; "));
    let mut resp = req.send(body).unwrap();
    common::read_response(&mut resp)
}

#[test]
fn refusals_are_given_in_the_users_language() {
    for db in databases() {
        let l = db.label;
        let (base, _stop) = serve(db);
        let mut op = Client::new(&base);
        op.login("op5203", PASSWORD);
        let mut admin = Client::new(&base);
        admin.login("admin52", PASSWORD);
        let csv = "kode_indikator,kode_wilayah,periode,sumber,nilai\nIK1,52.02,2025-Q3,BPS,12\n";
        // The upload runs as a job: its refusal is on the job's page.
        let upload = |c: &mut Client| {
            let path = format!("/strategi/1/data/impor?_csrf={}", c.csrf());
            common::upload_job(c, &path, &[], ("berkas", "realisasi.csv", csv.as_bytes()))
        };
        let json = r#"{"baris": [{"kode_indikator": "IK1", "kode_wilayah": "52.02", "periode": "2025-Q3", "sumber": "BPS", "nilai": 12}]}"#;

        // Indonesian by default.
        let r = upload(&mut op);
        assert!(
            r.body
                .contains("wilayah 52.02 di luar wilayah kewenangan Anda"),
            "{l}: {}",
            r.body
        );
        let r = admin.post("/strategi/1/amandemen", &[("alasan", " ")]);
        assert_eq!(r.status, 400, "{l}");
        assert!(
            r.body.contains("alasan amandemen: wajib diisi"),
            "{l}: {}",
            r.body
        );
        let r = post_json(&mut op, "/api/v1/strategi/1/realisasi", json);
        assert_eq!(r.status, 400, "{l}: {}", r.body);
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["error"]["code"], "strategy.refused", "{l}");
        let detail = v["error"]["detail"].as_str().unwrap_or("");
        assert!(
            detail.contains(
                "baris 1, kolom kode_wilayah: wilayah 52.02 di luar wilayah kewenangan Anda"
            ),
            "{l}: {detail}"
        );

        // English for a user whose language cookie says so.
        op.cookies.insert("lang".into(), "en".into());
        admin.cookies.insert("lang".into(), "en".into());
        let r = upload(&mut op);
        assert!(
            r.body.contains("region 52.02 is outside your scope"),
            "{l}: {}",
            r.body
        );
        assert!(!r.body.contains("kewenangan"), "{l}: no Indonesian left");
        let r = admin.post("/strategi/1/amandemen", &[("alasan", " ")]);
        assert_eq!(r.status, 400, "{l}");
        assert!(
            r.body.contains("amendment reason: is required"),
            "{l}: {}",
            r.body
        );
        let r = post_json(&mut op, "/api/v1/strategi/1/realisasi", json);
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        let detail = v["error"]["detail"].as_str().unwrap_or("");
        assert!(
            detail.contains("region 52.02 is outside your scope"),
            "{l}: {detail}"
        );

        // Within scope, the API stores through the same use case.
        let ok = json.replace("52.02", "52.03");
        let r = post_json(&mut op, "/api/v1/strategi/1/realisasi", &ok);
        assert_eq!(r.status, 200, "{l}: {}", r.body);
        assert!(r.body.contains("\"disimpan\":1"), "{l}: {}", r.body);
    }
}

#[test]
fn breakdown_is_entered_in_a_grid_and_shown_with_its_gap() {
    for db in databases() {
        let l = db.label;
        let mut by_group = fields("IK3", "Penerima bansos", "orang", Direction::Higher);
        by_group.disaggregations = vec!["jenis_kelamin".into(), "kelompok_umur".into()];
        let (base, _stop) = serve_with(db, Some(by_group));
        let mut op = Client::new(&base);
        op.login("op5203", PASSWORD);

        // The grid is the full cross of the indicator's disaggregations: a box per sex ×
        // age group, none for the disability it does not ask for, no typed key.
        let page = op.get("/strategi/1/data?periode=2025-Q2&indikator=IK3");
        assert_eq!(page.status, 200, "{l}");
        for sex in ["laki_laki", "perempuan"] {
            for age in ["0_17", "18_59", "60_plus"] {
                let name = format!(r#"name="r:jenis_kelamin={sex};kelompok_umur={age}""#);
                assert!(page.body.contains(&name), "{l}: {name}");
            }
        }
        assert!(
            page.body
                .contains(r#"aria-label="perempuan · anak (0–17 tahun)""#),
            "{l}: each box says which cell it is"
        );
        assert!(
            !page.body.contains(r#"name="r:jenis_kelamin=perempuan""#),
            "{l}: a count is not typed group by group, it is summed from the cells"
        );
        assert!(!page.body.contains("disabilitas="), "{l}: not asked");
        assert!(
            !page.body.contains(r#"name="rincian""#),
            "{l}: no typed key"
        );
        // Periods are picked from the strategy's quarters, not typed.
        assert!(
            page.body
                .contains(r#"<option value="2025-Q2" selected>Triwulan II 2025</option>"#),
            "{l}"
        );
        assert!(page.body.contains(r#"<option value="2030-Q4">"#), "{l}");
        let dash = op.get("/strategi/1/dasbor?periode=2025-Q1");
        assert!(
            dash.body
                .contains(r#"<select id="wilayah" name="wilayah">"#)
                && dash.body.contains(r#"<option value="52.03">"#),
            "{l}: the kab/kota with figures are offered"
        );
        let none = op.get("/strategi/1/data?periode=2025-Q2&indikator=IK1");
        assert!(none.body.contains("tidak meminta rincian"), "{l}");

        let cells = |female_adults: &str| {
            let key = |sex: &str, age: &str| format!("r:jenis_kelamin={sex};kelompok_umur={age}");
            vec![
                ("kode_indikator".to_string(), "IK3".to_string()),
                ("periode".to_string(), "2025-Q2".to_string()),
                ("kode_wilayah".to_string(), "52.03".to_string()),
                ("sumber".to_string(), "Dinas Sosial".to_string()),
                (key("laki_laki", "0_17"), "300".to_string()),
                (key("laki_laki", "18_59"), "700".to_string()),
                (key("laki_laki", "60_plus"), "200".to_string()),
                (key("perempuan", "0_17"), "400".to_string()),
                (key("perempuan", "18_59"), female_adults.to_string()),
                (key("perempuan", "60_plus"), "150".to_string()),
            ]
        };
        let post = |c: &mut Client, f: Vec<(String, String)>| {
            let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            c.post("/strategi/1/data/rincian", &f)
        };
        // A bad cell refuses the whole grid, naming the cell's groups.
        let r = post(&mut op, cells("banyak"));
        assert_eq!(r.status, 400, "{l}");
        assert!(
            r.body.contains("perempuan · 18–59 tahun"),
            "{l}: {}",
            r.body
        );
        let held = op.get("/strategi/1/data?periode=2025-Q2");
        assert!(
            held.body.contains("Belum ada nilai"),
            "{l}: nothing half-written"
        );
        let r = post(&mut op, cells("1000,5"));
        assert_eq!(r.status, 200, "{l}: {}", r.body);
        assert!(r.body.contains("6 nilai"), "{l}: six cells stored");

        // Stored under the canonical keys, and shown back in the grid.
        let page = op.get("/strategi/1/data?periode=2025-Q2&indikator=IK3&wilayah=52.03");
        assert!(
            page.body
                .contains(r#"name="r:jenis_kelamin=perempuan;kelompok_umur=18_59" value="1000,5""#),
            "{l}: the held value, ready to correct"
        );

        // The indicator page shows the cross-table, the gap between the highest and lowest
        // cell (1.000,5 − 150 = 850,5), each dimension summed from the cells with its gap
        // (women 1.550,5 − men 1.200 = 350,5; adults 1.700,5 − elderly 350 = 1.350,5), the
        // total 2.750,5, and bars.
        let ind = op.get("/strategi/1/indikator/IK3?periode=2025-Q2&wilayah=52.03");
        assert_eq!(ind.status, 200, "{l}");
        assert!(ind.body.contains(r#"class="cross""#), "{l}");
        assert!(
            ind.body
                .contains("<td class=\"num\"><strong>1.000,5</strong></td>"),
            "{l}"
        );
        assert!(
            ind.body.contains(
                "perempuan · 18–59 tahun (1.000,5) − perempuan · 60 tahun ke atas (150) = 850,5"
            ),
            "{l}"
        );
        for gap in ["350,5", "1.350,5", "2.750,5"] {
            assert!(
                ind.body
                    .contains(&format!("<td class=\"num\"><strong>{gap}</strong>")),
                "{l}: {gap}"
            );
        }
        assert!(ind.body.contains("anak (0–17 tahun)"), "{l}");
        assert!(
            ind.body.contains(r#"<rect width="120""#),
            "{l}: longest bar"
        );
        assert_light_and_local("indicator breakdown", &ind.body);

        // The dashboard of the kab/kota shows the same breakdown.
        let dash = op.get("/strategi/1/dasbor?periode=2025-Q2&wilayah=52.03");
        assert_eq!(dash.status, 200, "{l}");
        assert!(
            dash.body.contains("Rincian indikator menurut kelompok"),
            "{l}"
        );
        assert!(dash.body.contains("= 850,5"), "{l}");
        assert_light_and_local("dashboard breakdown", &dash.body);

        // The M&E report carries the breakdown: in print, the cross-table and its gaps; in
        // the workbook, a sheet of every figure by group and a sheet of the gaps, as numbers.
        let mut admin = Client::new(&base);
        admin.login("admin52", PASSWORD);
        let mut province = cells("1000,5");
        province[2].1 = "52".to_string();
        province[4].1 = "320".to_string();
        let r = post(&mut admin, province);
        assert_eq!(r.status, 200, "{l}: {}", r.body);
        let pdf = report_file(&mut admin, "pdf", "2025-Q2", l);
        let text = sinergi_report::pdf::extract_text(&pdf);
        // The strategy's area is printed: its cell gap and the sex gap (1.550,5 − 1.220).
        assert!(text.contains("= 850,5"), "{l}: {text}");
        assert!(text.contains("330,5"), "{l}: {text}");
        let xlsx = report_file(&mut admin, "xlsx", "2025-Q2", l);
        use calamine::{Data, Reader};
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx)).unwrap();
        let sheet = book.worksheet_range("Rincian kelompok").unwrap();
        let rows: Vec<Vec<String>> = sheet
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert!(
            rows.iter().any(|r| r[..7]
                == [
                    "IK3",
                    "Penerima bansos",
                    "52.03",
                    "Kabupaten Lombok Timur (52.03)",
                    "perempuan",
                    "18–59 tahun",
                    "semua"
                ]
                .map(String::from)
                && r[7] == "1000.5"),
            "{l}: {rows:?}"
        );
        assert!(
            sheet.used_cells().any(
                |(_, c, d)| c == 7 && matches!(d, Data::Float(v) if (*v - 2750.5).abs() < 1e-9)
            ),
            "{l}: the total is a number cell"
        );
        let gaps = book.worksheet_range("Selisih kelompok").unwrap();
        let gap_rows: Vec<Vec<String>> = gaps
            .rows()
            .map(|r| r.iter().map(|c| c.to_string()).collect())
            .collect();
        assert!(
            gap_rows.iter().any(|r| r[4] == "jenis kelamin"
                && r[5] == "perempuan"
                && r[7] == "laki-laki"
                && r[9] == "350.5"),
            "{l}: {gap_rows:?}"
        );
        assert!(
            gaps.used_cells()
                .any(|(_, c, d)| c == 9 && matches!(d, Data::Float(v) if (*v - 850.5).abs() < 1e-9)),
            "{l}: the gap between cells"
        );
    }
}

/// Asks for the quarterly report in `format` and waits for the file.
fn report_file(c: &mut Client, format: &str, period: &str, l: &str) -> Vec<u8> {
    let r = c.post(
        "/strategi/1/laporan",
        &[
            ("jenis", "triwulan"),
            ("format", format),
            ("periode", period),
        ],
    );
    assert_eq!(r.status, 303, "{l}: {}", r.body);
    let job = header(&r, "location").unwrap().to_string();
    for _ in 0..120 {
        if c.get(&job).body.contains("/unduh") {
            return c.get(&format!("{job}/unduh")).bytes;
        }
        std::thread::sleep(std::time::Duration::from_millis(250));
    }
    panic!("{l}: {format} report did not finish");
}
