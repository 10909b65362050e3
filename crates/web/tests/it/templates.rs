//! Import templates through the real HTTP stack: each import page's "Unduh templat" gives an
//! XLSX whose header the importer reads and whose example row it stores as it is.

use std::io::Cursor;

use calamine::{Reader, SheetVisible, Xlsx};

use crate::common::{self, Client, start_keyed};
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{PASSWORD, build};

fn serve(db: TestDb) -> (String, tokio::sync::oneshot::Sender<()>) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let world = rt.block_on(build(&db));
    let key = world.key.clone();
    rt.block_on(world.store.close());
    drop(world);
    start_keyed(db, Some(key))
}

/// The template's sheets as text rows, and which are hidden.
fn sheets(bytes: &[u8]) -> Vec<(String, bool, Vec<Vec<String>>)> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("an XLSX file");
    let meta: Vec<(String, bool)> = book
        .sheets_metadata()
        .iter()
        .map(|s| (s.name.clone(), s.visible != SheetVisible::Visible))
        .collect();
    meta.into_iter()
        .map(|(name, hidden)| {
            let range = book.worksheet_range(&name).unwrap();
            let rows = range
                .rows()
                .map(|r| r.iter().map(|c| c.to_string()).collect())
                .collect();
            (name, hidden, rows)
        })
        .collect()
}

fn template(c: &mut Client, path: &str) -> Vec<(String, bool, Vec<Vec<String>>)> {
    let got = c.get(path);
    assert_eq!(got.status, 200, "{path}: {}", got.body);
    assert_eq!(&got.bytes[..2], b"PK", "{path}");
    let sheets = sheets(&got.bytes);
    let names: Vec<&str> = sheets.iter().map(|s| s.0.as_str()).collect();
    assert_eq!(names, ["Data", "Petunjuk", "Pilihan"], "{path}");
    assert!(
        !sheets[0].1 && !sheets[1].1 && sheets[2].1,
        "{path}: only Pilihan hidden"
    );
    assert_eq!(sheets[0].2.len(), 2, "{path}: header and one example row");
    sheets
}

#[test]
fn every_import_template_stores_its_own_example_row() {
    let dbs = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(TestDb::all());
    for db in dbs {
        let l = db.label;
        let (base, _stop) = serve(db);

        // Person list, as an operator of Lombok Timur: its desa are the drop-down.
        let mut op = Client::new(&base);
        assert_eq!(op.login("op5203", PASSWORD).status, 303);
        let form = op.get("/daftar/impor");
        assert!(
            form.body.contains("/daftar/templat.xlsx"),
            "{l}: link on the import page"
        );
        let s = template(&mut op, "/daftar/templat.xlsx");
        let (header, example) = (&s[0].2[0], &s[0].2[1]);
        assert_eq!(header[..3], ["nik", "no_kk", "nama"], "{l}");
        let desa = &example[header.iter().position(|h| h == "kode_desa").unwrap()];
        assert!(desa.starts_with("52.03."), "{l}: {desa}");
        let lists = &s[2].2;
        assert_eq!(lists[0][..2], ["jenis_kelamin", "desil"], "{l}");
        assert_eq!(lists[1][..2], ["L", "1"], "{l}");
        assert!(
            lists.iter().any(|r| r.contains(desa)),
            "{l}: {desa} offered"
        );
        assert!(
            s[1].2
                .iter()
                .any(|r| r.iter().any(|c| c.contains("baris contoh")))
        );
        assert!(
            s[1].2
                .iter()
                .any(|r| r.iter().any(|c| c.contains("example row")))
        );
        let org = form
            .body
            .split("<option value=\"")
            .find_map(|o| o.split_once("\">Mitra A<").map(|(id, _)| id.to_string()))
            .expect("Mitra A offered");
        let xlsx = op.get("/daftar/templat.xlsx").bytes;
        let r = op.post_upload(
            "/daftar/impor",
            &[
                ("organisasi", &org),
                ("dasar_hukum", "tugas_publik"),
                ("rujukan", "PKS 1"),
            ],
            ("berkas", "templat.xlsx", &xlsx),
        );
        assert_eq!(r.status, 303, "{l}: {}", r.body);
        let done = common::finished_job(&mut op, &r);
        assert!(done.body.contains("1 orang disimpan"), "{l}: {}", done.body);

        // 4W, as a partner.
        let mut b = Client::new(&base);
        assert_eq!(b.login("mitra.b", PASSWORD).status, 303);
        b.get("/4w/impor");
        let bytes = b.get("/4w/templat.xlsx").bytes;
        let token = b.csrf();
        let up = common::upload_job(
            &mut b,
            &format!("/4w/impor?_csrf={token}"),
            &[],
            ("berkas", "templat_program.xlsx", &bytes),
        );
        assert!(
            up.body.contains("baru: 1, diperbarui: 0"),
            "{l}: {}",
            up.body
        );

        // The registries, as the provincial admin.
        let mut admin = Client::new(&base);
        assert_eq!(admin.login("admin52", PASSWORD).status, 303);
        for registry in ["lks", "lkks", "mitra"] {
            let s = template(&mut admin, &format!("/{registry}/templat.xlsx"));
            assert!(!s[0].2[1].iter().all(String::is_empty), "{l} {registry}");
            let bytes = admin.get(&format!("/{registry}/templat.xlsx")).bytes;
            let path = format!("/{registry}/impor?_csrf={}", admin.csrf());
            let out =
                common::upload_job(&mut admin, &path, &[], ("berkas", "templat.xlsx", &bytes));
            let stored = out.body.contains("baru: 1, diperbarui: 0")
                || out.body.contains("baru: 0, diperbarui: 1");
            assert!(
                stored && !out.body.contains("Baris yang tidak disimpan"),
                "{l} {registry}: {}",
                out.body
            );
        }
        common::assert_light_and_local("/daftar/impor", &form.body);
    }
}
