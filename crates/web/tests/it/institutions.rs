//! Institutions through the real HTTP stack on SQLite and PostgreSQL: LKS forms with
//! server-side validation, import with a reject report and re-import by key, export that
//! imports back, the public directory, scopes, the monthly report workflow, the LKKS network
//! with its formation target, the partner directory, and the page budget.

use crate::common;

use common::{Client, assert_light_and_local, get_with, header, start_keyed, upload_job};
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{PASSWORD, build};

struct Fixture {
    base: String,
    orgs: Vec<i64>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

fn serve(db: TestDb) -> Fixture {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let world = rt.block_on(build(&db));
    let key = world.key.clone();
    let orgs = world.orgs.clone();
    rt.block_on(world.store.close());
    drop(world);
    let (base, stop) = start_keyed(db, Some(key));
    Fixture {
        base,
        orgs,
        _stop: stop,
    }
}

fn databases() -> Vec<TestDb> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(TestDb::all())
}

fn signed(f: &Fixture, user: &str) -> Client {
    let mut c = Client::new(&f.base);
    assert_eq!(c.login(user, PASSWORD).status, 303, "{user} signs in");
    c
}

fn location(got: &common::Got) -> String {
    header(got, "location").unwrap_or_default().to_string()
}

const LKS_CSV: &str = "kode_lks,nama,kode_wilayah,layanan_ppks,kapasitas,klien_laki_laki,klien_perempuan,klien_lansia,tanda_daftar,akreditasi,tanggal_akreditasi,telepon\n\
LKS-T1,Panti Werdha Uji,52.03.05.2003,LUT,30,10,10,20,1/460/2024,B,2024-01-15,0370 111222\n\
LKS-T2,LKS Wilayah Salah,52.99.99.2999,LUT,10,,,,,,,\n\
LKS-T3,LKS PPKS Salah,52.03.05.2004,XYZ,10,,,,,,,\n\
LKS-T4,LKSA Belum Terdaftar,52.03.05.2004,AT,12,,,,,,,\n";

#[test]
fn lks_registry_over_http() {
    for db in databases() {
        let l = db.label;
        let f = serve(db);
        let mut admin = signed(&f, "admin52");

        // A form with problems comes back with every reason and the values typed.
        let bad = admin.post(
            "/lks/baru",
            &[
                ("kode_lks", "LKS-F1"),
                ("nama", ""),
                ("kode_wilayah", "52.03.05.2003"),
                ("surel", "bukan-surel"),
                ("klien_laki_laki", "3"),
                ("klien_lansia", "5"),
            ],
        );
        assert_eq!(bad.status, 400, "{l}");
        for text in [
            "nama: wajib diisi",
            "surel:",
            "kelompok umur",
            "value=\"bukan-surel\"",
        ] {
            assert!(bad.body.contains(text), "{l}: form lacks {text}");
        }
        let made = admin.post(
            "/lks/baru",
            &[
                ("kode_lks", "LKS-F1"),
                ("nama", "LKS Formulir"),
                ("kode_wilayah", "52.03.05.2003"),
                ("layanan_ppks", "8"),
                ("layanan_ppks", "9"),
                ("kapasitas", "20"),
                ("tanda_daftar", "9/460/2025"),
                ("akreditasi", "A"),
                ("tanggal_akreditasi", "2025-01-02"),
            ],
        );
        assert_eq!(made.status, 303, "{l}: {}", made.body);
        let detail_path = location(&made).replace("?ok=1", "");
        let detail = admin.get(&detail_path);
        assert_eq!(detail.status, 200);
        for text in ["LKS Formulir", "Lanjut Usia Terlantar", "2 Januari 2030"] {
            assert!(detail.body.contains(text), "{l}: detail lacks {text}");
        }
        assert_light_and_local("LKS detail", &detail.body);

        // Import (a job): good rows stored, bad ones listed by line and column; again: updates.
        let path = format!("/lks/impor?_csrf={}", admin.csrf());
        let imported = upload_job(
            &mut admin,
            &path,
            &[],
            ("berkas", "lks.csv", LKS_CSV.as_bytes()),
        );
        assert!(
            imported.body.contains("baru: 2, diperbarui: 0"),
            "{l}: {}",
            imported.body
        );
        assert!(
            imported.body.contains("Baris yang tidak disimpan: 2"),
            "{l}"
        );
        assert!(
            imported.body.contains("<td>3</td><td>kode_wilayah</td>"),
            "{l}: {}",
            imported.body
        );
        assert!(
            imported.body.contains("<td>4</td><td>layanan_ppks</td>"),
            "{l}"
        );
        let path = format!("/lks/impor?_csrf={}", admin.csrf());
        let again = upload_job(
            &mut admin,
            &path,
            &[],
            ("berkas", "lks.csv", LKS_CSV.as_bytes()),
        );
        assert!(again.body.contains("baru: 0, diperbarui: 2"), "{l}");

        // Export, then import the export: everything updates, nothing is added.
        let csv = admin.get("/lks/ekspor.csv");
        assert_eq!(csv.status, 200);
        let text = csv.body.trim_start_matches('\u{feff}');
        assert!(text.starts_with("kode_lks,nama,kode_wilayah,"), "{l}");
        assert!(
            text.contains("LKS-T1,Panti Werdha Uji,52.03.05.2003"),
            "{l}"
        );
        let rows = text.lines().count() - 1;
        assert_eq!(rows, 4, "{l}: three with keys plus the fixture's bare LKS");
        let keyed: String = text
            .lines()
            .filter(|line| !line.starts_with(','))
            .collect::<Vec<_>>()
            .join("\n");
        let path = format!("/lks/impor?_csrf={}", admin.csrf());
        let round = upload_job(
            &mut admin,
            &path,
            &[],
            ("berkas", "ekspor.csv", keyed.as_bytes()),
        );
        assert!(
            round.body.contains("baru: 0, diperbarui: 3"),
            "{l}: {}",
            round.body
        );
        assert!(!round.body.contains("Baris yang tidak disimpan"), "{l}");
        let xlsx = admin.get("/lks/ekspor.xlsx");
        assert_eq!(&xlsx.bytes[..2], b"PK", "{l}");
        let path = format!("/lks/impor?_csrf={}", admin.csrf());
        let back = upload_job(&mut admin, &path, &[], ("berkas", "lks.xlsx", &xlsx.bytes));
        assert!(
            back.body.contains("baru: 0, diperbarui: 3"),
            "{l}: XLSX imports back"
        );
        assert_eq!(&admin.get("/lks/templat.xlsx").bytes[..2], b"PK");

        // Filters and the list.
        let lut = admin.get("/lks?ppks=8&urut=-nama");
        assert!(
            lut.body.contains("LKS Formulir") && lut.body.contains("Panti Werdha Uji"),
            "{l}"
        );
        assert!(!lut.body.contains("LKSA Belum Terdaftar"), "{l}");
        assert_light_and_local("LKS list", &lut.body);

        // The public directory: registered LKS, no contacts, no links to records.
        let public = get_with(&format!("{}/lks", f.base), None);
        assert_eq!(public.status, 200);
        assert!(public.body.contains("Panti Werdha Uji"), "{l}");
        assert!(
            !public.body.contains("LKSA Belum Terdaftar"),
            "{l}: unregistered hidden"
        );
        assert!(
            !public.body.contains("0370 111222") && !public.body.contains("href=\"/lks/"),
            "{l}"
        );
        assert_light_and_local("public LKS directory", &public.body);
        assert_eq!(
            get_with(&format!("{}/lks/ekspor.csv", f.base), None).status,
            303
        );

        // Another kab/kota: neither sees nor changes it.
        let mut op = signed(&f, "op5202");
        assert_eq!(op.get(&detail_path).status, 404, "{l}");
        let denied = op.post(
            &detail_path,
            &[("nama", "Dibajak"), ("kode_wilayah", "52.02.01.2001")],
        );
        assert_eq!(denied.status, 404, "{l}");
        assert!(!op.get("/lks/ekspor.csv").body.contains("LKS-T1"), "{l}");

        // Expiries and capacity pages answer in both languages within the budget.
        for path in ["/lks/kedaluwarsa?lewat=1", "/lks/kapasitas?wilayah=52"] {
            let page = admin.get(path);
            assert_eq!(page.status, 200, "{l} {path}");
            assert_light_and_local(path, &page.body);
        }
        let cap = admin.get("/lks/kapasitas?wilayah=52");
        assert!(
            cap.body.contains("Kabupaten Lombok Timur")
                && cap.body.contains("Lanjut Usia Terlantar"),
            "{l}"
        );
        // The 4W gap analysis shows the same capacity beside the need, per kab/kota.
        let analysis = admin.get("/4w/analisis");
        assert_eq!(analysis.status, 200, "{l}");
        let section = &analysis.body[analysis.body.find("id=\"kapasitas-lks\"").unwrap()..];
        assert!(
            section
                .contains(r#"<a href="/lks/kapasitas?wilayah=52.03">Kabupaten Lombok Timur</a>"#),
            "{l}: {section}"
        );
        assert_light_and_local("/4w/analisis", &analysis.body);
        admin.cookies.insert("lang".into(), "en".into());
        let en = admin.get("/lks");
        assert!(
            en.body.contains("LKS registry") && en.body.contains("Download CSV"),
            "{l}"
        );
        let _ = f.orgs.len();
    }
}

#[test]
fn monthly_report_workflow_over_http() {
    for db in databases() {
        let l = db.label;
        let f = serve(db);
        let lks_id = f.orgs[2];
        let mut own = signed(&f, "lks");
        let started = own.post(&format!("/lks/{lks_id}/laporan"), &[("periode", "2026-10")]);
        assert_eq!(started.status, 303, "{l}: {}", started.body);
        let report = location(&started);
        assert!(report.starts_with("/lks/laporan/"), "{l}: {report}");
        let wrong = own.post(
            &report,
            &[
                ("kegiatan", "Pendampingan"),
                ("laki_laki", "2"),
                ("perempuan", "3"),
                ("dewasa", "4"),
            ],
        );
        assert_eq!(wrong.status, 400, "{l}");
        assert!(wrong.body.contains("kelompok umur"), "{l}");
        let saved = own.post(
            &report,
            &[
                ("kegiatan", "Pendampingan 5 lansia"),
                ("laki_laki", "2"),
                ("perempuan", "3"),
                ("lansia", "5"),
                ("kendala", "Hujan"),
            ],
        );
        assert_eq!(saved.status, 303, "{l}");
        let mut reviewer = signed(&f, "op5203");
        let list = reviewer.get("/lks/laporan?periode=2026-10");
        assert!(list.body.contains("LKS Masbagik"), "{l}");
        assert!(list.body.contains("Draf"), "{l}: still a draft: overdue");
        assert!(reviewer.get(&report).body.contains("Pendampingan 5 lansia"));
        assert!(
            !reviewer.get(&report).body.contains("value=\"setujui\""),
            "{l}: nothing to approve yet"
        );
        let submit = own.post(
            &format!("{report}/tindakan"),
            &[("tindakan", "ajukan"), ("catatan", "")],
        );
        assert_eq!(submit.status, 303, "{l}");
        // Sending back needs a comment.
        let refused = reviewer.post(
            &format!("{report}/tindakan"),
            &[("tindakan", "minta_perbaikan"), ("catatan", "")],
        );
        assert_eq!(refused.status, 400, "{l}");
        assert!(refused.body.contains("wajib disertai catatan"), "{l}");
        let mut other = signed(&f, "op5202");
        assert_eq!(
            other
                .post(&format!("{report}/tindakan"), &[("tindakan", "setujui")])
                .status,
            403,
            "{l}"
        );
        let approve = reviewer.post(
            &format!("{report}/tindakan"),
            &[("tindakan", "setujui"), ("catatan", "Lengkap")],
        );
        assert_eq!(approve.status, 303, "{l}");
        let done = own.get(&report);
        assert!(
            done.body.contains("Disetujui") && done.body.contains("Lengkap"),
            "{l}"
        );
        assert!(
            !done.body.contains("name=\"kegiatan\""),
            "{l}: locked once approved"
        );
        assert_light_and_local("report", &done.body);
        let overdue = reviewer.get("/lks/laporan?periode=2026-10");
        assert!(overdue.body.contains("Semua LKS sudah melapor"), "{l}");
    }
}

const LKKS_CSV: &str = "kode_wilayah,nama,status,no_sk,tanggal_sk,ketua_umum\n\
52,LKKS Provinsi NTB,aktif,1/Gub/2024,2024-02-01,Ny. Uji\n\
52.03,LKKS Lombok Timur,aktif,2/Bup/2024,2024-03-01,Ny. Timur\n\
52.02,LKKS Lombok Tengah,aktif,,,\n";

#[test]
fn lkks_network_target_and_partners_over_http() {
    for db in databases() {
        let l = db.label;
        let f = serve(db);
        let mut admin = signed(&f, "admin52");
        let path = format!("/lkks/impor?_csrf={}", admin.csrf());
        let out = upload_job(
            &mut admin,
            &path,
            &[],
            ("berkas", "lkks.csv", LKKS_CSV.as_bytes()),
        );
        assert!(
            out.body.contains("baru: 2, diperbarui: 0") && out.body.contains("<td>no_sk</td>"),
            "{l}: {}",
            out.body
        );
        let made = admin.post(
            "/lkks/target",
            &[
                ("provinsi", "52"),
                ("nama", "Semua aktif"),
                ("status", "aktif"),
                ("tenggat", "2025-12-31"),
            ],
        );
        assert_eq!(made.status, 303, "{l}");
        let target = admin.get(&location(&made));
        assert!(
            target.body.contains("<b>1</b> dari <b>2</b>"),
            "{l}: {}",
            target.body
        );
        assert!(
            target.body.contains("Kabupaten Lombok Tengah"),
            "{l}: the one missing"
        );
        assert_light_and_local("target", &target.body);
        let list = admin.get("/lkks?status=aktif");
        assert!(list.body.contains("LKKS Lombok Timur"), "{l}");
        assert_light_and_local("LKKS list", &list.body);
        // Status moves the domain refuses come back as a message.
        let id: String = list
            .body
            .split("href=\"/lkks/")
            .filter_map(|s| s.split('"').next())
            .find(|s| s.chars().all(|c| c.is_ascii_digit()))
            .unwrap()
            .to_string();
        let refused = admin.post(
            &format!("/lkks/{id}"),
            &[("nama", "LKKS X"), ("status", "belum_dibentuk")],
        );
        assert_eq!(refused.status, 400, "{l}");
        assert!(refused.body.contains("tidak bisa berpindah"), "{l}");
        let seat = admin.post(
            &format!("/lkks/{id}/pengurus"),
            &[
                ("jabatan", "bidang"),
                ("bidang", "Bidang Anak"),
                ("nama", "Bapak Bidang"),
            ],
        );
        assert_eq!(seat.status, 303, "{l}");
        assert!(
            admin
                .get(&format!("/lkks/{id}"))
                .body
                .contains("Bidang Anak"),
            "{l}"
        );

        // Partners: created by the LKKS, edited by the partner itself, hidden from others.
        let made = admin.post(
            "/mitra/baru",
            &[
                ("kode_mitra", "M-UJI"),
                ("nama", "PT Uji Peduli"),
                ("kode_wilayah", "52"),
                ("peran", "dunia_usaha"),
                ("sektor", "pendidikan"),
            ],
        );
        assert_eq!(made.status, 303, "{l}: {}", made.body);
        let csr = admin.get("/mitra?peran=dunia_usaha");
        assert!(csr.body.contains("PT Uji Peduli"), "{l}");
        assert_light_and_local("partners", &csr.body);
        let mut b = signed(&f, "mitra.b");
        assert!(!b.get("/mitra").body.contains("PT Uji Peduli"), "{l}");
        let mine = b.get(&format!("/mitra/{}", f.orgs[1]));
        assert_eq!(mine.status, 200, "{l}");
        let adopt = b.post(
            &format!("/mitra/{}", f.orgs[1]),
            &[
                ("kode_mitra", "M-B"),
                ("nama", "Mitra B"),
                ("kode_wilayah", "52"),
                ("peran", "filantropi"),
            ],
        );
        assert_eq!(adopt.status, 303, "{l}: {}", adopt.body);
        let mou = b.post(
            &format!("/mitra/{}/kesepakatan", f.orgs[1]),
            &[
                ("nomor", "MoU/9/2025"),
                ("tanggal", "2025-01-01"),
                ("berlaku_sampai", "2026-12-31"),
                ("ruang_lingkup", "Beasiswa"),
            ],
        );
        assert_eq!(mou.status, 303, "{l}");
        assert!(
            b.get(&format!("/mitra/{}", f.orgs[1]))
                .body
                .contains("MoU/9/2025"),
            "{l}"
        );
        let csv = admin.get("/mitra/ekspor.csv");
        assert!(
            csv.body.contains("M-B,Mitra B,52,filantropi") && csv.body.contains("MoU/9/2025"),
            "{l}"
        );
    }
}

/// Posts `body` as the raw request body (the JSON API's file upload), with the client's
/// cookies and CSRF header.
fn post_body(c: &mut Client, path: &str, body: &[u8]) -> common::Got {
    let url = format!("{}{path}", c.base);
    let cookies = c
        .cookies
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("; ");
    let mut resp = common::agent()
        .post(&url)
        .header("Cookie", &cookies)
        .header("x-csrf-token", &c.csrf())
        .header("Content-Type", "text/csv")
        .send(body)
        .unwrap_or_else(|e| panic!("POST {url}: {e}"));
    common::read_response(&mut resp)
}

#[test]
fn registry_refusals_in_the_users_language_and_the_import_api() {
    const LKKS_BAD: &str = "kode_wilayah,nama,status\n\
        52.03,LKKS Tanpa SK,aktif\n\
        52.99,LKKS Wilayah Salah,dalam_pembentukan\n";
    for db in databases() {
        let l = db.label;
        let f = serve(db);
        let mut admin = signed(&f, "admin52");
        admin.get("/lks");
        let upload = |c: &mut Client| {
            let path = format!("/lkks/impor?_csrf={}", c.csrf());
            upload_job(c, &path, &[], ("berkas", "lkks.csv", LKKS_BAD.as_bytes()))
        };
        let form = |c: &mut Client| {
            c.post(
                "/lks/baru",
                &[
                    ("kode_lks", "LKS-EN1"),
                    ("nama", "LKS Bahasa"),
                    ("kode_wilayah", "52.03.05.2003"),
                    ("telepon", "abc"),
                ],
            )
        };
        // Indonesian by default.
        let id = upload(&mut admin);
        assert!(
            id.body.contains("Baris yang tidak disimpan: 2"),
            "{l}: {}",
            id.body
        );
        assert!(
            id.body
                .contains("status aktif membutuhkan nomor dan tanggal SK pengukuhan"),
            "{l}: {}",
            id.body
        );
        assert!(
            id.body
                .contains("kode 52.99 tidak ada dalam daftar wilayah"),
            "{l}"
        );
        let id_form = form(&mut admin);
        assert_eq!(id_form.status, 400, "{l}");
        assert!(
            id_form.body.contains("bukan nomor telepon"),
            "{l}: {}",
            id_form.body
        );
        // The same refusals in English with a lang=en cookie.
        admin.cookies.insert("lang".into(), "en".into());
        let en = upload(&mut admin);
        assert!(
            en.body
                .contains("status aktif needs the number and date of the confirmation decree (SK)"),
            "{l}: {}",
            en.body
        );
        assert!(
            en.body.contains("code 52.99 is not in the region register"),
            "{l}"
        );
        assert!(!en.body.contains("tidak ada dalam daftar wilayah"), "{l}");
        let en_form = form(&mut admin);
        assert_eq!(en_form.status, 400, "{l}");
        assert!(
            en_form.body.contains("is not a telephone number"),
            "{l}: {}",
            en_form.body
        );
        assert!(!en_form.body.contains("bukan nomor telepon"), "{l}");

        // The JSON API: the body is the file; refused rows come back with their reasons.
        admin.cookies.remove("lang");
        let api = post_body(
            &mut admin,
            "/api/v1/registri/mitra/impor",
            b"kode_mitra,nama,kode_wilayah,peran\nM-API1,PT Uji API,52,dunia usaha\nM-API2,Tanpa Peran,52,\n",
        );
        assert_eq!(api.status, 200, "{l}: {}", api.body);
        let json: serde_json::Value = serde_json::from_str(&api.body).unwrap();
        assert_eq!(json["dibuat"], 1, "{l}: {json}");
        // It ran as a job, kept on the uploads page with its report.
        let job = json["tugas"].as_i64().expect("job id");
        let kept = admin.get(&format!("/api/v1/tugas/{job}"));
        let kept: serde_json::Value = serde_json::from_str(&kept.body).unwrap();
        assert_eq!(kept["status"], "done", "{l}: {kept}");
        assert_eq!(kept["laporan"]["dibuat"], 1, "{l}: {kept}");
        assert_eq!(json["ditolak"][0]["baris"], 3, "{l}: {json}");
        assert_eq!(json["ditolak"][0]["kolom"], "peran", "{l}: {json}");
        assert!(
            json["ditolak"][0]["alasan"]
                .as_str()
                .unwrap()
                .starts_with("wajib diisi"),
            "{l}: {json}"
        );
        assert!(admin.get("/mitra").body.contains("PT Uji API"), "{l}");
        let unknown = post_body(&mut admin, "/api/v1/registri/panti/impor", b"a,b\n");
        assert_eq!(unknown.status, 400, "{l}");
        let json: serde_json::Value = serde_json::from_str(&unknown.body).unwrap();
        assert_eq!(json["error"]["code"], "error.invalid", "{l}");
        assert!(
            json["error"]["detail"]
                .as_str()
                .unwrap()
                .contains("\"panti\""),
            "{l}: {json}"
        );
        let missing = post_body(&mut admin, "/api/v1/registri/lks/impor", b"nama\nX\n");
        assert_eq!(missing.status, 400, "{l}: {}", missing.body);
        assert!(missing.body.contains("kode_lks"), "{l}: {}", missing.body);
    }
}

/// Every message key the institution code outside the web crate names (core rules, intake
/// reasons, store refusals, the import use case) exists in both catalogues.
#[test]
fn institution_message_keys_exist_in_both_languages() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let (id, en) = (
        sinergi_i18n::keys(sinergi_i18n::Lang::Id),
        sinergi_i18n::keys(sinergi_i18n::Lang::En),
    );
    let mut used = 0;
    for file in [
        "core/src/institution.rs",
        "intake/src/institutions.rs",
        "store/src/institutions.rs",
        "store/src/lks.rs",
        "store/src/lkks.rs",
        "store/src/partners.rs",
        "store/src/lks_reports.rs",
        "store/src/exceptions.rs",
        "activity/src/registries.rs",
        "cli/src/registri.rs",
    ] {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        for piece in text.split("Msg::new(\"").skip(1) {
            let key = piece.split('"').next().unwrap().to_string();
            used += 1;
            assert!(
                id.contains(&key) && en.contains(&key),
                "{file} uses unknown key {key}"
            );
        }
    }
    assert!(used > 40, "only {used} keys found: is the scan broken?");
}
