//! Published figures through the web, on SQLite and PostgreSQL: an administrator uploads a
//! file of figures (per region, for Indonesia as a whole, by group) on `/agregat`; the
//! upload and its refused rows land on the uploads page beside 4W and registry uploads; the
//! cross-table grid stores a quarter's figures by sex × age × disability all or nothing; the
//! public profile shows the national figure beside the province's and the cross-table with
//! small counts suppressed; the dashboard picks regions from the shared picker.

use crate::common;

use common::{Client, header, start_keyed};
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{PASSWORD, World, build};

fn databases() -> Vec<TestDb> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(TestDb::all())
}

const FIGURES: &str = "kode_wilayah;indikator;periode;nilai;satuan;sumber;jenis;jenis_kelamin;kelompok_umur;disabilitas\n\
52;perkawinan_anak;2024;14,96;persen;BPS Susenas 2024;survei;;;\n\
ID;perkawinan_anak;2024;5,90;persen;BPS Susenas 2024;survei;;;\n\
52.03;klien_lks;2025;140;orang;Dinsos NTB;administratif;perempuan;;\n\
52.03;klien_lks;2025;4;orang;Dinsos NTB;administratif;perempuan;0-17;ya\n\
52.03;klien_lks;2025;9;orang;Dinsos NTB;administratif;P;balita;\n\
33.01;stunting;2023;20;persen;SKI 2023;survei;;;\n";

/// The twelve boxes of the grid, each filled with `value(i)`.
fn grid_cells(value: impl Fn(usize) -> String) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut i = 0;
    for sex in ["laki_laki", "perempuan"] {
        for dis in ["ya", "tidak"] {
            for age in ["0_17", "18_59", "60_plus"] {
                out.push((format!("c:{sex}.{age}.{dis}"), value(i)));
                i += 1;
            }
        }
    }
    out
}

#[test]
fn figures_upload_national_beside_regional_and_the_cross_table_reach_their_pages() {
    for db in databases() {
        let label = db.label;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let world: World = rt.block_on(build(&db));
        let key = world.key.clone();
        rt.block_on(world.store.close());
        drop(world);
        let (base, _stop) = start_keyed(db, Some(key));

        // An operator may not load figures; the page refuses before a file is read.
        let mut op = Client::new(&base);
        op.login("op5203", PASSWORD);
        assert_eq!(op.get("/agregat").status, 403, "{label}");

        let mut admin = Client::new(&base);
        assert_eq!(admin.login("admin52", PASSWORD).status, 303, "{label}");
        let form = admin.get("/agregat");
        assert_eq!(form.status, 200, "{label}: {}", form.body);
        common::assert_light_and_local("/agregat", &form.body);
        let up = admin.post_upload(
            "/agregat/impor",
            &[],
            ("berkas", "angka.csv", FIGURES.as_bytes()),
        );
        assert_eq!(up.status, 303, "{label}: {}", up.body);
        let job = header(&up, "location").unwrap().to_string();
        assert!(job.starts_with("/tugas/"), "{label}: {job}");
        let report = admin.get(&job);
        assert_eq!(report.status, 200, "{label}");
        assert!(
            report.body.contains("Impor angka agregat: angka.csv")
                && report.body.contains("4 angka disimpan."),
            "{label}: {}",
            report.body
        );
        assert!(
            report.body.contains("kelompok_umur"),
            "{label}: {}",
            report.body
        );
        assert!(
            report.body.contains("«balita» bukan kelompok"),
            "{label}: {}",
            report.body
        );
        assert!(
            report.body.contains("di luar cakupan Anda"),
            "{label}: {}",
            report.body
        );
        let rejected = admin.get("/tugas?ditolak=1");
        assert!(
            rejected.body.contains(&format!("href=\"{job}\"")),
            "{label}: {}",
            rejected.body
        );
        assert!(rejected.body.contains("(angka agregat)"), "{label}");

        // The province profile: child marriage beside Indonesia's figure, same period.
        let mut public = Client::new(&base);
        let ntb = public.get("/wilayah/52");
        assert_eq!(ntb.status, 200, "{label}");
        assert!(ntb.body.contains("14,96 %"), "{label}: {}", ntb.body);
        assert!(
            ntb.body.contains("<td>5,9 % (BPS Susenas 2024)</td>")
                || ntb.body.contains("<td>5,90 % (BPS Susenas 2024)</td>"),
            "{label}: {}",
            ntb.body
        );
        assert!(ntb.body.contains(">Nasional</th>"), "{label}");

        // Seen by an anonymous visitor before the grid is saved (the page is then kept):
        // saving must show through, not the kept page.
        let kept = public.get("/wilayah/52.03");
        assert_eq!(kept.status, 200, "{label}");
        assert!(!kept.body.contains("<h3>Penerima manfaat</h3>"), "{label}");
        assert_eq!(public.get("/wilayah/52.03").body, kept.body, "{label}");

        // The grid: what the file held sits in its box; a bad box refuses the whole grid.
        let grid = admin.get("/agregat/kelompok?wilayah=52.03&unsur=klien_lks&periode=2025");
        assert_eq!(grid.status, 200, "{label}: {}", grid.body);
        common::assert_light_and_local("/agregat/kelompok", &grid.body);
        assert!(
            grid.body
                .contains("name=\"c:perempuan.0_17.ya\" value=\"4\""),
            "{label}: {}",
            grid.body
        );
        assert!(
            grid.body.contains("<select id=\"wilayah\"")
                || grid.body.contains("<select name=\"wilayah\">")
        );
        let mut fields: Vec<(String, String)> = vec![
            ("kode_wilayah".into(), "52.03".into()),
            ("unsur".into(), "penerima_manfaat".into()),
            ("periode".into(), "2025-Q3".into()),
            ("sumber".into(), "Dinsos NTB".into()),
            ("jenis".into(), "administratif".into()),
        ];
        let bad: Vec<(String, String)> = grid_cells(|i| {
            if i == 7 {
                "dua".into()
            } else {
                (20 + i).to_string()
            }
        });
        let mut bad_fields = fields.clone();
        bad_fields.extend(bad);
        let refs: Vec<(&str, &str)> = bad_fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let refused = admin.post("/agregat/kelompok", &refs);
        assert_eq!(refused.status, 400, "{label}: {}", refused.body);
        assert!(
            refused
                .body
                .contains("perempuan, 18–59 tahun, disabilitas: «dua» bukan jumlah orang")
                || refused.body.contains("«dua» bukan jumlah orang"),
            "{label}: {}",
            refused.body
        );
        // What was typed stays in the boxes.
        assert!(refused.body.contains("value=\"dua\""), "{label}");
        fields.extend(grid_cells(|i| (20 + i).to_string()));
        let refs: Vec<(&str, &str)> = fields
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        let saved = admin.post("/agregat/kelompok", &refs);
        assert_eq!(saved.status, 200, "{label}: {}", saved.body);
        assert!(
            saved.body.contains("12 angka per kelompok disimpan"),
            "{label}: {}",
            saved.body
        );

        // The public kab/kota profile: the cross-table with margins, gap and total; the
        // LKS client count of 4 stays suppressed.
        let kab = public.get("/wilayah/52.03");
        assert_eq!(kab.status, 200, "{label}");
        common::assert_light_and_local("/wilayah/52.03", &kab.body);
        assert!(
            kab.body
                .contains("Menurut jenis kelamin, umur dan disabilitas"),
            "{label}: {}",
            kab.body
        );
        assert!(kab.body.contains("<h3>Penerima manfaat</h3>"), "{label}");
        // Men are the first six boxes (20–25), women the last six (26–31).
        let men: u64 = (20..26).sum();
        let women: u64 = (26..32).sum();
        assert!(
            kab.body
                .contains(&format!("<strong>{}</strong>", men + women)),
            "{label}: {}",
            kab.body
        );
        assert!(
            kab.body
                .contains(&format!("<strong>{}</strong>", women - men)),
            "gap between women and men: {label}"
        );
        assert!(kab.body.contains("<h3>Klien LKS</h3>"), "{label}");
        assert!(
            kab.body.contains("disembunyikan") || kab.body.contains("ditekan"),
            "{label}: the count of 4 is shown: {}",
            kab.body
        );

        // A partner's 4W sheet with a refused row is listed among its rejected uploads.
        let mut mitra = Client::new(&base);
        mitra.login("mitra.a", PASSWORD);
        mitra.get("/4w/impor");
        let sheet = "kode_program,nama_program,sektor,jenis_bantuan,mulai,selesai,kode_wilayah\n\
                     X-1,Program Astronomi,astronomi,barang,2025-01-01,2025-12-31,52.03.05.2003\n";
        let token = mitra.csrf();
        let up = common::upload_job(
            &mut mitra,
            &format!("/4w/impor?_csrf={token}"),
            &[],
            ("berkas", "4w-salah.csv", sheet.as_bytes()),
        );
        assert!(
            up.body.contains("Berkas ditolak seluruhnya"),
            "{label}: {}",
            up.body
        );
        let theirs = mitra.get("/tugas?ditolak=1");
        assert!(
            theirs.body.contains("4w-salah.csv"),
            "{label}: {}",
            theirs.body
        );
        assert!(theirs.body.contains("(program 4W)"), "{label}");
        assert!(
            mitra.get("/").body.contains("/tugas?ditolak=1"),
            "{label}: the partner's home names the rejected upload"
        );

        // A registry upload with refused rows too, for the administrator.
        admin.get("/lks/impor");
        let lks = "kode_lks,nama,kode_wilayah,layanan_ppks,kapasitas,klien_laki_laki,klien_perempuan,klien_lansia,tanda_daftar,akreditasi,tanggal_akreditasi,telepon\n\
                   LKS-F1,Panti Uji Angka,52.03.05.2003,LUT,30,,,,,,,\n\
                   LKS-F2,LKS Wilayah Salah,52.99.99.2999,LUT,10,,,,,,,\n";
        let token = admin.csrf();
        let up = common::upload_job(
            &mut admin,
            &format!("/lks/impor?_csrf={token}"),
            &[],
            ("berkas", "lks-angka.csv", lks.as_bytes()),
        );
        assert!(
            up.body.contains("Baris yang tidak disimpan: 1"),
            "{label}: {}",
            up.body
        );
        let rejected = admin.get("/tugas?ditolak=1");
        assert!(
            rejected.body.contains("LKS · lks-angka.csv"),
            "{label}: {}",
            rejected.body
        );
        assert!(rejected.body.contains("(registri lembaga)"), "{label}");
        let job = rejected
            .body
            .split("<a href=\"/tugas/")
            .find(|s| s.contains("lks-angka.csv"))
            .and_then(|s| s.split('"').next())
            .unwrap()
            .to_string();
        let report = admin.get(&format!("/tugas/{job}"));
        assert!(
            report.body.contains("52.99.99.2999"),
            "{label}: {}",
            report.body
        );

        // The audit page filters by the shared region picker, not a typed code.
        let audit = admin.get("/admin/audit?wilayah=52.03");
        assert!(
            audit.body.contains("<select name=\"wilayah\">")
                && audit.body.contains("<option value=\"52.03\" selected>"),
            "{label}: {}",
            audit.body
        );
        let queues = admin.get("/tautan");
        assert!(
            queues
                .body
                .contains("<select id=\"wilayah\" name=\"wilayah\" required>"),
            "{label}: {}",
            queues.body
        );
    }
}
