//! The HTML program form over real HTTP on SQLite and PostgreSQL: a partner creates a program
//! with every field the issue names, bad input comes back with each field named in Indonesian
//! and nothing stored, CSRF is required, a partner writes only its own organisation and
//! regions, edits keep code and owner, the LKKS admin edits within its regions, the board
//! reads only; each change is audited.

use crate::common;

use common::{Client, assert_light_and_local, start_keyed};
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{PASSWORD, build};

fn databases() -> Vec<TestDb> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(TestDb::all())
}

fn good<'a>() -> Vec<(&'a str, &'a str)> {
    vec![
        ("kode", "F-1"),
        ("nama", "Pendampingan Lansia Masbagik"),
        ("sektor", "rehabilitasi_sosial"),
        ("ppks", "1"),
        ("ppks", "5"),
        ("jenis_bantuan", "pendampingan"),
        ("sumber_dana", "csr"),
        ("anggaran_rp", "250.000.000"),
        ("mulai", "2025-02-01"),
        ("selesai", "2025-11-30"),
        ("status", "berjalan"),
        ("desil", "1-3"),
        ("usia", "60+"),
        ("jenis_kelamin", "semua"),
        ("khusus_disabilitas", "1"),
        ("sasaran", "80"),
        ("tercapai_total", "30"),
        ("tercapai_laki_laki", "12"),
        ("tercapai_perempuan", "18"),
        ("tercapai_anak", "0"),
        ("tercapai_disabilitas", "30"),
        (
            "lokasi",
            "52.03.05.2003 50 20 # Masbagik Selatan\n52.03.05.2004;30;10\n",
        ),
    ]
}

fn with<'a>(
    mut fields: Vec<(&'a str, &'a str)>,
    key: &'a str,
    value: &'a str,
) -> Vec<(&'a str, &'a str)> {
    fields.retain(|(k, _)| *k != key);
    fields.push((key, value));
    fields
}

fn total(c: &mut Client) -> u64 {
    let v: serde_json::Value = serde_json::from_str(&c.get("/api/v1/program").body).unwrap();
    v["total"].as_u64().unwrap()
}

#[test]
fn a_partner_creates_and_edits_its_program_through_the_html_form() {
    for db in databases() {
        let label = db.label;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let world = rt.block_on(build(&db));
        let key = world.key.clone();
        let org_b = world.orgs[1].to_string();
        rt.block_on(world.store.close());
        drop(world);
        let (base, _stop) = start_keyed(db, Some(key));

        let mut a = Client::new(&base);
        assert_eq!(a.login("mitra.a", PASSWORD).status, 303, "{label}");
        let form = a.get("/program/baru");
        assert_eq!(form.status, 200, "{label}");
        assert_light_and_local("/program/baru", &form.body);
        assert!(form.body.contains("name=\"_csrf\""), "{label}");
        // The partner's own organisation is the only choice.
        assert!(
            form.body.contains("Mitra A") && !form.body.contains("Mitra B"),
            "{label}"
        );

        // Bad input: every wrong field named, what was typed kept, nothing stored.
        let bad = with(
            with(
                with(with(good(), "sektor", "astronomi"), "mulai", "kemarin"),
                "anggaran_rp",
                "sejuta",
            ),
            "lokasi",
            "52.03.05.2003 banyak\n99.99.99\n",
        );
        let bad = with(with(bad, "tercapai_laki_laki", "40"), "desil", "3-1");
        let got = a.post("/program/baru", &bad);
        assert_eq!(got.status, 422, "{label}: {}", got.body);
        for field in [
            "sektor",
            "mulai",
            "anggaran_rp",
            "lokasi",
            "tercapai",
            "desil",
        ] {
            assert!(
                got.body.contains(&format!("<code>{field}</code>")),
                "{label}: {field} not named in {}",
                got.body
            );
        }
        assert!(got.body.contains("tidak dikenal"), "{label}");
        assert!(got.body.contains("bukan bilangan"), "{label}");
        assert!(got.body.contains("Pendampingan Lansia Masbagik"), "{label}");
        assert_eq!(total(&mut a), 0, "{label}: a refused form stored something");

        // Another organisation, or a place outside the account's regions: named, refused.
        let got = a.post("/program/baru", &with(good(), "organisasi", &org_b));
        assert_eq!(got.status, 422, "{label}");
        assert!(got.body.contains("<code>organisasi</code>"), "{label}");
        let mut lotim = Client::new(&base);
        lotim.login("mitra.a.lotim", PASSWORD);
        lotim.get("/program/baru");
        let got = lotim.post(
            "/program/baru",
            &with(good(), "lokasi", "52.02.01.2001 10 0"),
        );
        assert_eq!(got.status, 422, "{label}: {}", got.body);
        assert!(got.body.contains("di luar wilayah akun Anda"), "{label}");
        assert_eq!(total(&mut a), 0, "{label}");

        // Without the CSRF token: refused.
        let mut raw = good();
        raw.push(("_csrf", "salah"));
        assert_eq!(a.post_raw("/program/baru", &raw).status, 403, "{label}");
        assert_eq!(total(&mut a), 0, "{label}");

        // The good form: stored with every field, then shown.
        let got = a.post("/program/baru", &good());
        assert_eq!(got.status, 303, "{label}: {}", got.body);
        let to = common::header(&got, "location").unwrap().to_string();
        let id: i64 = to
            .trim_start_matches("/program/")
            .split('?')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        let shown = a.get(&to);
        assert!(shown.body.contains("Program tersimpan"), "{label}");
        assert!(
            shown.body.contains(&format!("/program/{id}/ubah")),
            "{label}"
        );
        assert_light_and_local(&to, &shown.body);
        let v: serde_json::Value =
            serde_json::from_str(&a.get(&format!("/api/v1/program/{id}")).body).unwrap();
        let i = &v;
        assert_eq!(i["budget_rp"], 250_000_000, "{label}: {v}");
        assert_eq!(i["sector"], "rehabilitasi_sosial", "{label}");
        assert_eq!(i["ppks"].as_array().unwrap().len(), 2, "{label}: {v}");
        assert_eq!(i["aid_type"], "pendampingan", "{label}");
        assert_eq!(i["funding"], "csr", "{label}");
        assert_eq!(i["target"]["age_min"], 60, "{label}");
        assert_eq!(i["target"]["disability_only"], true, "{label}");
        assert_eq!(i["reached"]["female"], 18, "{label}");
        assert_eq!(i["reached"]["disability"], 30, "{label}");
        let locations = i["locations"].as_array().unwrap();
        assert_eq!(locations.len(), 2, "{label}");
        assert_eq!(locations[1]["planned"], 30, "{label}");
        assert_eq!(locations[1]["reached"], 10, "{label}");

        // A second "new" program with the same code does not overwrite the first.
        let got = a.post("/program/baru", &with(good(), "nama", "Tiruan"));
        assert_eq!(got.status, 422, "{label}");
        assert!(got.body.contains("<code>kode</code>") && got.body.contains("sudah dipakai"));
        assert_eq!(total(&mut a), 1, "{label}");

        // Editing: the form comes filled in; code and owner stay even if the post says else.
        let edit = a.get(&format!("/program/{id}/ubah"));
        assert_eq!(edit.status, 200, "{label}");
        assert_light_and_local("edit", &edit.body);
        assert!(
            edit.body.contains("52.03.05.2004 30 10") && edit.body.contains("value=\"F-1\""),
            "{label}"
        );
        let changed = with(
            with(
                with(good(), "nama", "Pendampingan Lansia (diperbarui)"),
                "kode",
                "F-LAIN",
            ),
            "tercapai_total",
            "45",
        );
        let got = a.post(&format!("/program/{id}/ubah"), &changed);
        assert_eq!(got.status, 303, "{label}: {}", got.body);
        let v: serde_json::Value =
            serde_json::from_str(&a.get(&format!("/api/v1/program/{id}")).body).unwrap();
        assert_eq!(v["code"], "F-1", "{label}");
        assert_eq!(v["reached"]["total"], 45, "{label}");
        assert_eq!(total(&mut a), 1, "{label}");
        // A bad edit leaves the program as it was.
        let got = a.post(
            &format!("/program/{id}/ubah"),
            &with(good(), "selesai", "2024-01-01"),
        );
        assert_eq!(got.status, 422, "{label}");
        assert!(got.body.contains("<code>selesai</code>"), "{label}");
        let v: serde_json::Value =
            serde_json::from_str(&a.get(&format!("/api/v1/program/{id}")).body).unwrap();
        assert_eq!(v["end"], "2025-11-30", "{label}");

        // Partner B neither sees nor edits A's program; the board reads only; the admin edits.
        let mut b = Client::new(&base);
        b.login("mitra.b", PASSWORD);
        assert_eq!(b.get(&format!("/program/{id}/ubah")).status, 404, "{label}");
        b.get("/program/baru");
        assert_eq!(
            b.post(&format!("/program/{id}/ubah"), &good()).status,
            404,
            "{label}"
        );
        let mut board = Client::new(&base);
        board.login("pimpinan52", PASSWORD);
        assert_eq!(board.get("/program/baru").status, 403, "{label}");
        assert_eq!(
            board.get(&format!("/program/{id}/ubah")).status,
            403,
            "{label}"
        );
        assert!(
            !board
                .get(&format!("/program/{id}"))
                .body
                .contains("/ubah\""),
            "{label}: the board sees an edit link"
        );
        let mut admin = Client::new(&base);
        admin.login("admin52", PASSWORD);
        assert_eq!(
            admin.get(&format!("/program/{id}/ubah")).status,
            200,
            "{label}"
        );
        let got = admin.post(
            &format!("/program/{id}/ubah"),
            &with(good(), "status", "selesai"),
        );
        assert_eq!(got.status, 303, "{label}: {}", got.body);
        // Every change is in the audit log: one create, two updates.
        let audit = admin.get("/admin/audit");
        assert!(audit.body.contains("program.create"), "{label}");
        assert!(
            audit.body.matches("program.update").count() >= 2,
            "{label}: {}",
            audit.body
        );
    }
}
