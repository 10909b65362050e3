//! `sinergi sandi` through the real binary: the encoded file carries no names, NIKs or row
//! order, the row map stays beside it, and a short secret is refused.

use std::path::Path;
use std::process::{Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_sinergi");

fn sinergi(dir: &Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run sinergi");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const LIST: &str = "nama,kode_desa,nik,no_kk,jenis_kelamin,tanggal_lahir,jenis_bantuan\n\
Siti Aminah,52.01.02.2001,5201025403800002,5201020101080001,P,1980-03-14,Tunai\n\
Lalu Ahmad Zaini,52.01.02.2001,5201020507750001,5201020101080002,L,1975-07-05,Sembako\n\
Baiq Rohani,52.01.02.2007,,5201020101080003,P,1990-10-04,Tunai\n";

#[test]
fn sandi_writes_an_encoded_file_without_names_and_a_map_kept_at_home() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("penerima.csv"), LIST).unwrap();
    std::fs::write(
        dir.path().join("rahasia.txt"),
        "rahasia-putaran-satu-2026\n",
    )
    .unwrap();
    let (code, stdout, stderr) = sinergi(
        dir.path(),
        &["sandi", "penerima.csv", "--rahasia", "rahasia.txt"],
    );
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("3 baris disandikan"), "{stdout}");
    let encoded = std::fs::read_to_string(dir.path().join("penerima.sandi.csv")).unwrap();
    for secret in [
        "Siti",
        "SITI",
        "5201025403800002",
        "5201020101080001",
        "1980",
    ] {
        assert!(!encoded.contains(secret), "{secret} leaked");
    }
    let records = sinergi_link::encoded::read_file(&encoded).unwrap();
    assert_eq!(records.len(), 3);
    // Baiq Rohani has no NIK: exactly one record lacks the NIK token.
    assert_eq!(records.iter().filter(|r| r.nik.is_none()).count(), 1);
    let map = std::fs::read_to_string(dir.path().join("penerima.sandi.peta.csv")).unwrap();
    let mut lines: Vec<&str> = map.lines().skip(1).collect();
    lines.sort();
    assert_eq!(lines.len(), 3);
    // Each source line maps to a distinct encoded line.
    let mut targets: Vec<&str> = lines.iter().map(|l| l.split(',').nth(1).unwrap()).collect();
    targets.sort();
    targets.dedup();
    assert_eq!(targets.len(), 3);
    // Same list, same secret: the same tokens (so partners' lists meet), possibly reordered.
    let (code, ..) = sinergi(
        dir.path(),
        &[
            "sandi",
            "penerima.csv",
            "--rahasia",
            "rahasia.txt",
            "--keluar",
            "lagi.csv",
        ],
    );
    assert_eq!(code, Some(0));
    let again = sinergi_link::encoded::read_file(
        &std::fs::read_to_string(dir.path().join("lagi.csv")).unwrap(),
    )
    .unwrap();
    let mut a: Vec<_> = records.iter().map(|r| r.clk).collect();
    let mut b: Vec<_> = again.iter().map(|r| r.clk).collect();
    a.sort();
    b.sort();
    assert_eq!(a, b);
}

#[test]
fn sandi_refuses_a_short_secret() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("penerima.csv"), LIST).unwrap();
    std::fs::write(dir.path().join("rahasia.txt"), "pendek").unwrap();
    let (code, _, stderr) = sinergi(
        dir.path(),
        &["sandi", "penerima.csv", "--rahasia", "rahasia.txt"],
    );
    assert_eq!(code, Some(1));
    assert!(stderr.contains("rahasia terlalu pendek"), "{stderr}");
    assert!(!dir.path().join("penerima.sandi.csv").exists());
}

const OTHER: &str = "nama,kode_desa,nik,no_kk,jenis_kelamin,tanggal_lahir,jenis_bantuan\n\
Wayan Sudarsana,52.01.02.2003,5201021212700001,5201020101080009,L,1970-12-12,Tunai\n\
Siti Aminnah,52.01.02.2001,,5201020101080001,P,1980-03-14,Tunai\n";

#[test]
fn a_round_on_two_encoded_lists_flags_the_shared_person_for_both_partners() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("baznas.csv"), LIST).unwrap();
    std::fs::write(d.join("ys.csv"), OTHER).unwrap();
    std::fs::write(d.join("rahasia.txt"), "rahasia-putaran-satu-2026\n").unwrap();
    for f in ["baznas.csv", "ys.csv"] {
        let (code, out, err) = sinergi(d, &["sandi", f, "--rahasia", "rahasia.txt"]);
        assert_eq!(code, Some(0), "{out}{err}");
    }
    let (code, out, err) = sinergi(
        d,
        &[
            "bantuan-ganda",
            "jalankan",
            "--anggota",
            "Baznas NTB=baznas.sandi.csv=baznas@example.id",
            "--anggota",
            "Yayasan Sumbawa=ys.sandi.csv",
            "--jenis",
            "Tunai",
            "--keluar",
            "hasil",
        ],
    );
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("1 penerima ganda"), "{out}");
    let rekap = std::fs::read_to_string(d.join("hasil/rekap.csv")).unwrap();
    assert!(
        rekap.contains("52.01.02,Baznas NTB,Yayasan Sumbawa,tunai,1"),
        "{rekap}"
    );
    // Yayasan Sumbawa's flag names Baznas and its contact, and points at its own Siti line.
    let flags = std::fs::read_to_string(d.join("hasil/yayasan-sumbawa.csv")).unwrap();
    let row: Vec<&str> = flags.lines().nth(1).expect("one flag").split(',').collect();
    assert_eq!(row[2..], ["Baznas NTB", "baznas@example.id"]);
    let map = std::fs::read_to_string(d.join("ys.sandi.peta.csv")).unwrap();
    let encoded_line: u64 = row[0].parse().unwrap();
    // Both the map and the flags count lines of the encoded file, header included.
    let source = map
        .lines()
        .skip(1)
        .find(|l| l.split(',').nth(1).unwrap().parse::<u64>().unwrap() == encoded_line)
        .unwrap();
    assert_eq!(
        source.split(',').next(),
        Some("3"),
        "Siti is line 3 of ys.csv"
    );
    // The flag files carry no names of persons.
    assert!(!flags.contains("Siti"));
    let baznas = std::fs::read_to_string(d.join("hasil/baznas-ntb.csv")).unwrap();
    assert_eq!(baznas.lines().count(), 2, "{baznas}");
}
