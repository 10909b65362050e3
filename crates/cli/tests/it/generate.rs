//! Black-box tests of `sinergi generate`: the real binary, real files, Indonesian messages.

use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_sinergi");

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run(args: &[&str]) -> Run {
    let out = Command::new(BIN)
        .args(args)
        .env_remove("DATABASE_URL")
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::null())
        .output()
        .expect("run sinergi");
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn failed(r: &Run, code: i32) -> &str {
    assert_eq!(
        r.code,
        Some(code),
        "stdout:\n{}\nstderr:\n{}",
        r.stdout,
        r.stderr
    );
    assert!(r.stderr.starts_with("galat: "), "{}", r.stderr);
    &r.stderr
}

#[test]
fn generates_a_small_world_and_rewrites_it_identically() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("dunia");
    let out_s = out.to_str().unwrap();
    let args = [
        "generate",
        "--province",
        "52",
        "--scale",
        "0.002",
        "--seed",
        "11",
        "--out",
        out_s,
        "--linkage",
        "300",
    ];
    let r = run(&args);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stdout.contains("Dunia sintetis Nusa Tenggara Barat"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("penduduk dalam") && r.stdout.contains("keluarga Desil I"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("300 rekaman uji pencocokan"),
        "{}",
        r.stdout
    );
    let people = std::fs::read(out.join("penduduk.csv")).unwrap();
    let records = std::fs::read(out.join("linkage/records.csv")).unwrap();
    assert_eq!(records.iter().filter(|&&b| b == b'\n').count(), 301);
    // A second run over the same folder replaces the files with the same bytes.
    let again = run(&args);
    assert_eq!(again.code, Some(0), "{}", again.stderr);
    assert_eq!(std::fs::read(out.join("penduduk.csv")).unwrap(), people);
    assert_eq!(
        std::fs::read(out.join("linkage/records.csv")).unwrap(),
        records
    );
    // Indonesian aliases work as well.
    let alias = run(&[
        "generate",
        "--provinsi",
        "52",
        "--skala",
        "0.002",
        "--benih",
        "11",
        "--keluaran",
        out_s,
    ]);
    assert_eq!(alias.code, Some(0), "{}", alias.stderr);
    assert_eq!(std::fs::read(out.join("penduduk.csv")).unwrap(), people);
    let leftovers: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn bad_arguments_are_explained_in_indonesian() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("x");
    let out_s = out.to_str().unwrap();

    let r = run(&["generate", "--province", "51", "--out", out_s]);
    let msg = failed(&r, 1);
    assert!(
        msg.contains("provinsi \"51\" belum didukung") && msg.contains("52 (Nusa Tenggara Barat)"),
        "{msg}"
    );
    assert!(
        !out.exists(),
        "nothing may be written for a refused province"
    );

    let r = run(&[
        "generate",
        "--province",
        "52",
        "--scale",
        "3",
        "--out",
        out_s,
    ]);
    let msg = failed(&r, 1);
    assert!(msg.contains("skala 3 tidak sah"), "{msg}");

    let r = run(&[
        "generate",
        "--province",
        "52",
        "--scale",
        "0,5",
        "--out",
        out_s,
    ]);
    let msg = failed(&r, 2);
    assert!(
        msg.contains("\"0,5\"") && msg.contains("titik desimal"),
        "{msg}"
    );

    let r = run(&["generate", "--province", "52"]);
    let msg = failed(&r, 2);
    assert!(
        msg.contains("argumen wajib belum diberikan") && msg.contains("--out"),
        "{msg}"
    );

    let r = run(&[
        "generate",
        "--province",
        "52",
        "--seed",
        "-1",
        "--out",
        out_s,
    ]);
    failed(&r, 2);

    // The output folder is a file: the error names it, in Indonesian.
    let file = tmp.path().join("berkas");
    std::fs::write(&file, "bukan folder").unwrap();
    let r = run(&[
        "generate",
        "--province",
        "52",
        "--scale",
        "0.001",
        "--out",
        file.to_str().unwrap(),
    ]);
    let msg = failed(&r, 1);
    assert!(
        msg.contains("tidak bisa ditulis") && msg.contains("berkas"),
        "{msg}"
    );
}

#[test]
fn help_is_in_indonesian() {
    let r = run(&["generate", "--help"]);
    assert_eq!(r.code, Some(0));
    for word in [
        "Pemakaian:",
        "--province",
        "Skala penduduk",
        "Benih acak",
        "Folder tujuan",
        "--linkage",
        "Contoh:",
    ] {
        assert!(r.stdout.contains(word), "{word} missing:\n{}", r.stdout);
    }
    assert!(!r.stdout.contains("Options:"), "{}", r.stdout);
    let top = run(&["--help"]);
    assert!(top.stdout.contains("generate"), "{}", top.stdout);
}
