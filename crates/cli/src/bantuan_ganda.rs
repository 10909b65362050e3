//! `sinergi bantuan-ganda jalankan`: a double-aid round on partners' encoded files, run by the
//! LKKS operator from the shell (the system viewer: unsuppressed counts). Writes the counts,
//! one flag file per partner (to send back to it) and the uncertain pairs.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context as _, bail};
use sinergi_activity::double_aid::{Member, RoundView, run_encoded, view_for};
use sinergi_core::{Disclosed, Principal, RegionCode, Role, Scope, Viewer};
use sinergi_link::encoded::read_file;

use crate::args::BantuanGandaCommand;

pub fn run(command: BantuanGandaCommand) -> anyhow::Result<()> {
    match command {
        BantuanGandaCommand::Jalankan {
            anggota,
            jenis,
            keluar,
        } => jalankan(&anggota, &jenis, &keluar),
    }
}

/// `NAMA=BERKAS[=KONTAK]`.
fn parse_member(spec: &str) -> anyhow::Result<(String, PathBuf, String)> {
    let mut parts = spec.splitn(3, '=');
    match (parts.next(), parts.next()) {
        (Some(name), Some(file)) if !name.trim().is_empty() && !file.trim().is_empty() => Ok((
            name.trim().to_string(),
            PathBuf::from(file.trim()),
            parts.next().unwrap_or("").trim().to_string(),
        )),
        _ => bail!("--anggota \"{spec}\": tulis NAMA=BERKAS"),
    }
}

/// A file name from a partner's name: `Baznas NTB` → `baznas-ntb.csv`.
fn slug(name: &str) -> String {
    let s: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    s.split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-")
}

fn jalankan(anggota: &[String], jenis: &[String], keluar: &Path) -> anyhow::Result<()> {
    if anggota.len() < 2 {
        bail!("satu putaran membutuhkan paling sedikit dua mitra (--anggota)");
    }
    let started = Instant::now();
    let mut members = Vec::new();
    for (i, spec) in anggota.iter().enumerate() {
        let (name, file, contact) = parse_member(spec)?;
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("tidak bisa membaca {}", file.display()))?;
        let records = read_file(&text).map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
        members.push(Member {
            organisation: i as i64 + 1,
            name,
            contact,
            records,
        });
    }
    let aid_types: Vec<String> = jenis.iter().map(|j| j.trim().to_lowercase()).collect();
    let result = run_encoded(&members, &aid_types, 19);
    std::fs::create_dir_all(keluar)
        .with_context(|| format!("tidak bisa membuat {}", keluar.display()))?;
    // The whole province: the CLI operator sees every count.
    let province: RegionCode = "52".parse().expect("valid code");
    let RoundView::Counts(cells) =
        view_for(&Viewer::System("cli"), &province, 0, &members, &result)
    else {
        unreachable!("the system sees counts")
    };
    let mut rekap = String::from("kecamatan,mitra_1,mitra_2,jenis_bantuan,jumlah\n");
    for c in &cells {
        let n = match c.count {
            Disclosed::Count(n) => n.to_string(),
            Disclosed::Suppressed => "<".into(),
        };
        let _ = writeln!(
            rekap,
            "{},{},{},{},{n}",
            c.kecamatan,
            csv_cell(&c.partners.0),
            csv_cell(&c.partners.1),
            csv_cell(&c.aid_type)
        );
    }
    std::fs::write(keluar.join("rekap.csv"), rekap)?;
    // Each partner's own flags, as its own view gives them.
    for m in &members {
        let partner = Viewer::User(Principal {
            user_id: 0,
            username: "cli".into(),
            role: Role::Mitra,
            scope: Scope {
                regions: Vec::new(),
                organisation: Some(m.organisation),
            },
        });
        let RoundView::OwnRows(flags) = view_for(&partner, &province, 0, &members, &result) else {
            unreachable!("a partner sees its own rows")
        };
        let mut out = String::from("baris_sandi,jenis_bantuan,juga_dari,kontak\n");
        for f in flags {
            let _ = writeln!(
                out,
                "{},{},{},{}",
                f.line + 2, // the file's line: header first, 1-based
                csv_cell(&f.aid_type),
                csv_cell(&f.other),
                csv_cell(&f.other_contact)
            );
        }
        std::fs::write(keluar.join(format!("{}.csv", slug(&m.name))), out)?;
    }
    let mut review =
        String::from("mitra_1,baris_1,mitra_2,baris_2,probabilitas,bobot_nik,bobot_kk,bobot_clk\n");
    for o in &result.uncertain {
        let _ = writeln!(
            review,
            "{},{},{},{},{:.4},{:.2},{:.2},{:.2}",
            csv_cell(&members[o.a.member].name),
            o.a.line + 2,
            csv_cell(&members[o.b.member].name),
            o.b.line + 2,
            o.probability,
            o.field_weights[0],
            o.field_weights[1],
            o.field_weights[2]
        );
    }
    std::fs::write(keluar.join("tinjauan.csv"), review)?;
    println!(
        "{} mitra, {} rekaman; {} penerima ganda, {} pasangan perlu ditinjau ({:.1} detik). Hasil di {}.",
        members.len(),
        members.iter().map(|m| m.records.len()).sum::<usize>(),
        result.overlaps.len(),
        result.uncertain.len(),
        started.elapsed().as_secs_f64(),
        keluar.display()
    );
    Ok(())
}

/// Quotes a CSV cell when it needs it.
fn csv_cell(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
