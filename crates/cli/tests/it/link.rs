//! `sinergi link` through the real binary: results on a synthetic list, reviewer decisions on
//! the next run, model reuse, explanations, and every kind of bad input with its Indonesian
//! message and no output left behind.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_sinergi");
const OUTPUTS: [&str; 3] = ["pasangan.csv", "klaster.csv", "tinjauan.csv"];

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn sinergi(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run sinergi");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

fn read_csv(path: &Path) -> Vec<Vec<String>> {
    let mut r = csv::Reader::from_path(path).unwrap();
    r.records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect()
}

/// Runs a bad input and checks the message and that no output file exists.
fn refused(dir: &Path, args: &[&str], expected: &[&str]) {
    let r = sinergi(dir, args);
    assert_eq!(
        r.code,
        Some(1),
        "stdout: {}\nstderr: {}",
        r.stdout,
        r.stderr
    );
    for e in expected {
        assert!(r.stderr.contains(e), "{e:?} missing from: {}", r.stderr);
    }
    let out = dir.join("hasil_link");
    for f in OUTPUTS {
        assert!(!out.join(f).exists(), "{f} left behind");
    }
    if out.exists() {
        assert_eq!(
            std::fs::read_dir(&out).unwrap().count(),
            0,
            "temporary files left behind"
        );
    }
}

#[test]
fn deduplicates_and_honours_decisions_on_the_next_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (records, truth) = sinergi_testkit::people::people_csv(500, 21);
    write(d, "records.csv", records.as_bytes());
    write(d, "truth.csv", truth.as_bytes());
    let r = sinergi(
        d,
        &[
            "link",
            "records.csv",
            "--kebenaran",
            "truth.csv",
            "--simpan-model",
            "model.json",
        ],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stdout.contains("500 catatan") && r.stdout.contains("F1"),
        "{}",
        r.stdout
    );
    let eval: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("hasil_link/evaluasi.json")).unwrap())
            .unwrap();
    assert!(eval["f1"].as_f64().unwrap() > 0.95, "{eval}");
    let pairs = read_csv(&d.join("hasil_link/pasangan.csv"));
    let header = csv::Reader::from_path(d.join("hasil_link/pasangan.csv"))
        .unwrap()
        .headers()
        .unwrap()
        .clone();
    assert_eq!(
        header.iter().take(4).collect::<Vec<_>>(),
        ["id_kiri", "id_kanan", "probabilitas", "bobot"]
    );
    assert!(header.iter().any(|h| h == "bobot_nik") && header.iter().any(|h| h == "bobot_nama"));
    let clusters = read_csv(&d.join("hasil_link/klaster.csv"));
    assert_eq!(clusters.len(), 500);
    let cluster_of = |clusters: &[Vec<String>], id: &str| {
        clusters.iter().find(|c| c[0] == id).unwrap()[1].clone()
    };
    let (a, b) = (pairs[0][0].clone(), pairs[0][1].clone());
    assert_eq!(cluster_of(&clusters, &a), cluster_of(&clusters, &b));

    // The reviewer rejects the first matched pair; the next run (same saved model) keeps the
    // two apart and says so in the pairs file.
    write(
        d,
        "keputusan.csv",
        format!("id_kiri,id_kanan,keputusan\n{a},{b},tolak\n").as_bytes(),
    );
    let r = sinergi(
        d,
        &[
            "link",
            "records.csv",
            "--model",
            "model.json",
            "--keputusan",
            "keputusan.csv",
            "--keluar",
            "lagi",
        ],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.contains("dimuat dari berkas"), "{}", r.stdout);
    let clusters2 = read_csv(&d.join("lagi/klaster.csv"));
    assert_ne!(cluster_of(&clusters2, &a), cluster_of(&clusters2, &b));
    let pairs2 = read_csv(&d.join("lagi/pasangan.csv"));
    assert!(
        !pairs2.iter().any(|p| p[0] == a && p[1] == b),
        "a rejected pair is no match"
    );

    // Explanation of that pair, field by field.
    let r = sinergi(
        d,
        &[
            "link",
            "records.csv",
            "--model",
            "model.json",
            "--jelaskan",
            &a,
            &b,
        ],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    for word in [
        "nik",
        "nama",
        "tanggal_lahir",
        "jumlah bobot",
        "probabilitas",
    ] {
        assert!(r.stdout.contains(word), "{word} missing: {}", r.stdout);
    }
    let r = sinergi(d, &["link", "records.csv", "--jelaskan", &a, "TIDAK-ADA"]);
    assert_eq!(r.code, Some(1));
    assert!(
        r.stderr.contains("id \"TIDAK-ADA\" tidak ada"),
        "{}",
        r.stderr
    );
}

#[test]
fn links_two_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (records, _) = sinergi_testkit::people::people_csv(400, 9);
    let mut lines = records.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    // Semicolons in the second file, as Excel writes them in an Indonesian locale.
    write(
        d,
        "a.csv",
        format!("{header}\n{}\n", rows[..250].join("\n")).as_bytes(),
    );
    write(
        d,
        "b.csv",
        format!("{header}\n{}\n", rows[150..].join("\n"))
            .replace(',', ";")
            .as_bytes(),
    );
    let r = sinergi(d, &["link", "a.csv", "b.csv"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let pairs = read_csv(&d.join("hasil_link/pasangan.csv"));
    let a_ids: Vec<&str> = rows[..250]
        .iter()
        .map(|r| r.split(',').next().unwrap())
        .collect();
    // Records 150..250 are in both files under the same id: each must be found.
    for id in &a_ids[150..] {
        assert!(
            pairs.iter().any(|p| p[0] == *id && p[1] == *id),
            "{id} not linked to itself"
        );
    }
    assert!(
        pairs.iter().all(|p| a_ids.contains(&p[0].as_str())),
        "left ids come from the first file"
    );
    let clusters = read_csv(&d.join("hasil_link/klaster.csv"));
    assert_eq!(clusters.len(), 500);
    assert!(clusters.iter().all(|c| c[0] == "1" || c[0] == "2"));
}

#[test]
fn bad_input_is_refused_in_indonesian_without_output() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let head = "id,nik,nama,jenis_kelamin,tanggal_lahir,no_kk,kode_desa\n";
    write(
        d,
        "ganda.csv",
        format!("{head}7,,Ani,P,,,\n8,,Budi,L,,,\n7,,Citra,P,,,\n").as_bytes(),
    );
    refused(
        d,
        &["link", "ganda.csv"],
        &["id ganda", "\"7\" di baris 2 dan 4"],
    );
    write(
        d,
        "campur.csv",
        // UTF-8 ("Añi") and Windows-1252 ("José") in one file: no single reading is right.
        [
            head.as_bytes(),
            "1,,Añi,P,,,\n".as_bytes(),
            b"2,,Jos\xe9,L,,,\n",
        ]
        .concat()
        .as_slice(),
    );
    refused(d, &["link", "campur.csv"], &["mencampur dua pengodean"]);
    write(
        d,
        "baik.csv",
        format!("{head}1,,Ani,P,,,\n2,,Budi,L,,,\n").as_bytes(),
    );
    write(d, "kolom.toml", b"kolom_id = \"id\"\n[[perbandingan]]\nkolom = \"alamat\"\njenis = \"teks\"\n[[blok]]\nkunci = [\"alamat\"]\n");
    refused(
        d,
        &["link", "baik.csv", "--pengaturan", "kolom.toml"],
        &["kolom \"alamat\"", "tidak ada", "kolom yang ada: id, nik"],
    );
    write(d, "kunci.toml", b"kolom_id = \"id\"\nambang_baru = 1\n[[perbandingan]]\nkolom = \"nama\"\njenis = \"nama\"\n[[blok]]\nkunci = [\"nama\"]\n");
    refused(
        d,
        &["link", "baik.csv", "--pengaturan", "kunci.toml"],
        &["kunci \"ambang_baru\"", "tidak dikenal"],
    );
    refused(
        d,
        &["link", "baik.csv", "--ambang", "1.5"],
        &["--ambang", "di antara 0 dan 1"],
    );
    write(d, "model.json", b"{\"versi\": 1}");
    refused(
        d,
        &["link", "baik.csv", "--model", "model.json"],
        &["berkas model", "bukan model yang sah"],
    );
    write(
        d,
        "keputusan.csv",
        b"id_kiri,id_kanan,keputusan\n1,9,terima\n1,2,mungkin\n",
    );
    refused(
        d,
        &["link", "baik.csv", "--keputusan", "keputusan.csv"],
        &[
            "baris 2: id \"9\" tidak ada",
            "baris 3, kolom keputusan",
            "\"mungkin\"",
        ],
    );
    refused(d, &["link", "tidak_ada.csv"], &["tidak bisa dibaca"]);
}

#[test]
fn double_aid_check_between_two_partners_xlsx_lists() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = sinergi(
        d,
        &[
            "generate",
            "--province",
            "52",
            "--scale",
            "0.005",
            "--out",
            "dunia",
        ],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let (a, b) = ("dunia/penerima/P001.xlsx", "dunia/penerima/P002.xlsx");
    assert!(d.join(a).exists() && d.join(b).exists());
    let r = sinergi(d, &["link", a, b, "--keluar", "ganda"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let clusters = read_csv(&d.join("ganda/klaster.csv"));
    let rows = |f: &str| sinergi_intake::read_table_file(&d.join(f)).unwrap().rows();
    // Every row of both spreadsheets has its cluster; none is dropped.
    assert_eq!(clusters.len(), rows(a) + rows(b));
    let pairs = read_csv(&d.join("ganda/pasangan.csv"));
    assert!(pairs.iter().all(|p| p[2].parse::<f64>().unwrap() >= 0.9));
}

/// The web review queue reads exactly the file the engine writes, and the verdicts it gives
/// back steer the next run: engine → queue (store, scoped) → verdicts → engine.
#[test]
fn review_queue_verdicts_are_used_on_the_next_run() {
    use sinergi_core::review::Decision;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A synthetic beneficiary list with the recording errors real lists have.
    let r = sinergi(
        d,
        &[
            "generate",
            "--province",
            "52",
            "--scale",
            "0.001",
            "--out",
            "dunia",
            "--linkage",
            "500",
        ],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    std::fs::copy(d.join("dunia/linkage/records.csv"), d.join("records.csv")).unwrap();
    // The preset with a wide review band, so even this small list has pairs to review.
    let preset = include_str!("../../../link/src/preset_orang.toml");
    assert!(preset.contains("tinjauan_bawah = 0.5") && preset.contains("ambang = 0.9\n"));
    let wide = preset
        .replace("tinjauan_bawah = 0.5", "tinjauan_bawah = 0.000000001")
        .replace("ambang = 0.9\n", "ambang = 0.9999999999\n");
    write(d, "lebar.toml", wide.as_bytes());
    let r = sinergi(d, &["link", "records.csv", "--pengaturan", "lebar.toml"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let review = std::fs::read(d.join("hasil_link/tinjauan.csv")).unwrap();
    let parsed =
        sinergi_intake::read_review_file(&review).expect("the queue reads the engine's file");
    assert!(
        !parsed.pairs.is_empty(),
        "no uncertain pairs to review: {}",
        r.stdout
    );
    assert!(parsed.columns.iter().any(|c| c == "nik"));
    let db = sinergi_testkit::TestDb::sqlite();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let verdicts = rt.block_on(async {
        let w = sinergi_testkit::world::build(&db).await;
        let op = w.principal("op5203").await;
        let region = sinergi_core::RegionCode::parse("52.03").unwrap();
        let q = w
            .store
            .as_user(&op)
            .create_review_queue(w.orgs[0], &region, "uji", &parsed.columns, &parsed.pairs)
            .await
            .unwrap();
        for no in 1..=parsed.pairs.len() as i64 {
            assert!(
                w.store
                    .as_user(&op)
                    .decide_review_pair(q, no, Decision::Reject)
                    .await
                    .unwrap()
            );
        }
        w.store
            .as_user(&op)
            .review_decisions(q)
            .await
            .unwrap()
            .unwrap()
    });
    assert_eq!(verdicts.len(), parsed.pairs.len());
    let mut file = String::from("id_kiri,id_kanan,keputusan\n");
    for (l, r, v) in &verdicts {
        file.push_str(&format!("{l},{r},{}\n", v.label()));
    }
    write(d, "keputusan.csv", file.as_bytes());
    let r = sinergi(
        d,
        &[
            "link",
            "records.csv",
            "--ambang",
            "0.999",
            "--keputusan",
            "keputusan.csv",
            "--keluar",
            "lagi",
        ],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let rejected: std::collections::BTreeSet<(String, String)> = verdicts
        .iter()
        .map(|(l, r, _)| (l.clone(), r.clone()))
        .collect();
    let again =
        sinergi_intake::read_review_file(&std::fs::read(d.join("lagi/tinjauan.csv")).unwrap())
            .unwrap();
    assert!(
        again
            .pairs
            .iter()
            .all(|p| !rejected.contains(&(p.left_id.clone(), p.right_id.clone()))),
        "decided pairs came back for review"
    );
    let pairs = read_csv(&d.join("lagi/pasangan.csv"));
    assert!(
        pairs
            .iter()
            .all(|p| !rejected.contains(&(p[0].clone(), p[1].clone()))),
        "a rejected pair was matched"
    );
}

/// A Baznas-style list (no id, "Nama Mustahik", "NO. KK", place and date in one cell, region
/// names, NIK placeholders) against an NGO-style one (age only, "Lotim"): linked with the
/// preset as they come, the mapping shown by `--periksa`.
#[test]
fn links_partner_layouts_as_they_come() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "baznas.csv",
        "No,Nama Mustahik,NIK,NO. KK,\"Tempat, Tgl Lahir\",JK,Desa,Kecamatan,Kabupaten\n\
         1,H. Muhammad Saleh,5203011205800001,5203010101100001,\"Selong, 12-05-1980\",L,Pancor,Selong,Lombok Timur\n\
         2,Baiq Nurul Aini,belum ada,5203010101100002,\"Selong, 03-07-1985\",P,Pancor,Selong,Lombok Timur\n\
         3,Amaq Rudi,-,,\"Masbagik, 1970\",L,Masbagik Utara,Masbagik,Lombok Timur\n"
            .as_bytes(),
    );
    write(
        d,
        "lsm.csv",
        b"nama_lengkap,nik,jk,umur,desa,kecamatan,kabupaten_kota\n\
          Moh. Saleh,5203011205800001,L,46,Pancor,Selong,Kabupaten Lombok Timur\n\
          Baiq Nurul Aini S.Pd.,0,P,41,Pancor,Selong,Lotim\n",
    );
    write(
        d,
        "acuan.toml",
        format!(
            "tanggal_acuan = \"2026-12-01\"\n{}",
            sinergi_link::settings::PERSON_PRESET
        )
        .as_bytes(),
    );
    let r = sinergi(d, &["link", "baznas.csv", "lsm.csv", "--periksa"]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    for shown in [
        "id             ← nomor baris di berkas",
        "nama           ← kolom \"Nama Mustahik\"",
        "no_kk          ← kolom \"NO. KK\"",
        "tanggal_lahir  ← dibuat dari \"Tempat, Tgl Lahir\" (ubah = tempat_tanggal)",
        "tanggal_lahir  ← dibuat dari \"umur\" (ubah = umur)",
        "kode_desa      ← dibuat dari \"Kabupaten\", \"Kecamatan\", \"Desa\" (ubah = wilayah)",
        "no_kk          ← tidak ada di berkas ini: dianggap kosong",
    ] {
        assert!(
            r.stdout.contains(shown),
            "{shown:?} missing from:\n{}",
            r.stdout
        );
    }
    assert!(!d.join("hasil_link").exists(), "--periksa writes nothing");
    let r = sinergi(
        d,
        &[
            "link",
            "baznas.csv",
            "lsm.csv",
            "--pengaturan",
            "acuan.toml",
        ],
    );
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    // No NIK placeholder is counted as an unreadable NIK.
    assert!(!r.stdout.contains("kolom nik:"), "{}", r.stdout);
    let pairs = read_csv(&d.join("hasil_link/pasangan.csv"));
    let ids: Vec<(&str, &str)> = pairs
        .iter()
        .map(|p| (p[0].as_str(), p[1].as_str()))
        .collect();
    // Line numbers as ids: Saleh (line 2 both) and Baiq Nurul Aini (line 3 both).
    assert_eq!(ids, [("2", "2"), ("3", "3")], "{}", r.stdout);
}
