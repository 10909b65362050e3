//! `sinergi bantuan-ganda buka|gabung|tutup|hasil`: stored rounds (see [`stored`]); and
//! `sinergi bantuan-ganda jalankan`: a double-aid round on partners' encoded files, run by the
//! LKKS operator from the shell (the system viewer: unsuppressed counts). Writes the counts,
//! one flag file per partner (to send back to it) and the uncertain pairs.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context as _, bail};
use sinergi_activity::double_aid::{self, Join, Member, RoundView, run_encoded, view_for};
use sinergi_core::{
    Disclosed, Localized as _, Msg, Period, Principal, RegionCode, Role, Scope, Viewer,
};
use sinergi_link::encoded::read_file;
use sinergi_store::{NewRound, RoundResults};

use crate::args::BantuanGandaCommand;

pub fn run(command: BantuanGandaCommand) -> anyhow::Result<()> {
    match command {
        BantuanGandaCommand::Jalankan {
            anggota,
            jenis,
            keluar,
        } => jalankan(&anggota, &jenis, &keluar),
        _ => unreachable!("stored rounds run in the runtime"),
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
        _ => bail!(
            crate::lang::messages()
                .render(&Msg::new("double_aid.cli_member_spec").arg("spec", spec))
        ),
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
    let t = crate::lang::messages();
    let path_msg =
        |key: &'static str, p: &Path| t.render(&Msg::new(key).arg("path", p.display().to_string()));
    if anggota.len() < 2 {
        bail!(t.render(&Msg::new("double_aid.cli_two_members")));
    }
    let started = Instant::now();
    let mut members = Vec::new();
    for (i, spec) in anggota.iter().enumerate() {
        let (name, file, contact) = parse_member(spec)?;
        let text = std::fs::read_to_string(&file)
            .with_context(|| path_msg("double_aid.cli_cannot_read", &file))?;
        let records = read_file(&text).map_err(|e| match e {
            sinergi_link::encoded::EncodedError::BadFile { line, reason } => anyhow::anyhow!(
                "{}: {}",
                file.display(),
                t.render(
                    &Msg::new("double_aid.file_bad_line")
                        .arg("line", line)
                        .arg("reason", reason)
                )
            ),
            other => anyhow::anyhow!("{}: {other}", file.display()),
        })?;
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
        .with_context(|| path_msg("double_aid.cli_cannot_write", keluar))?;
    // The whole province: the CLI operator sees every count.
    let province: RegionCode = "52".parse().expect("valid code");
    let RoundView::Counts(cells) =
        view_for(&Viewer::System("cli"), &province, 0, &members, &result)
    else {
        unreachable!("the system sees counts")
    };
    let mut rekap = String::from("kode_kecamatan,mitra_1,mitra_2,jenis_bantuan,jumlah\n");
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
        "{}",
        t.render(
            &Msg::new("double_aid.cli_round_summary")
                .arg("members", members.len())
                .arg(
                    "records",
                    members.iter().map(|m| m.records.len()).sum::<usize>()
                )
                .arg("overlaps", result.overlaps.len())
                .arg("uncertain", result.uncertain.len())
                .arg("seconds", format!("{:.1}", started.elapsed().as_secs_f64()))
                .arg("path", keluar.display().to_string())
        )
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

/// The stored rounds: `buka`, `gabung`, `tutup`, `hasil`, through the same use cases as the
/// pages, as a named user (`--sebagai`: their scope and role apply) or the system.
pub async fn stored(command: BantuanGandaCommand) -> anyhow::Result<()> {
    let t = crate::lang::messages();
    let said = |e: sinergi_activity::ActivityError| anyhow::anyhow!(t.render(&e.msg()));
    match command {
        BantuanGandaCommand::Jalankan { .. } => unreachable!("offline"),
        BantuanGandaCommand::Buka {
            wilayah,
            periode,
            jenis,
            mitra,
            sebagai,
            db,
        } => {
            let store = crate::setup::open(&db.database).await?;
            let viewer = viewer(&store, sebagai.as_deref(), &t).await?;
            let region = RegionCode::parse(wilayah.trim()).map_err(|_| {
                anyhow::anyhow!(
                    t.render(
                        &Msg::new("double_aid.bad_field")
                            .arg("field", "--wilayah")
                            .arg("value", wilayah.trim())
                    )
                )
            })?;
            let period = Period::parse(periode.trim()).map_err(|_| {
                anyhow::anyhow!(
                    t.render(
                        &Msg::new("double_aid.bad_field")
                            .arg("field", "--periode")
                            .arg("value", periode.trim())
                    )
                )
            })?;
            let mut invite = Vec::new();
            for m in &mitra {
                invite.push((organisation(&store, m, &t).await?, None));
            }
            let input = NewRound {
                region,
                period,
                aid_types: jenis,
                invite,
            };
            let id = double_aid::open_round(&store, &viewer, &input)
                .await
                .map_err(said)?;
            println!(
                "{}",
                t.render(&Msg::new("double_aid.cli_opened").arg("id", id))
            );
        }
        BantuanGandaCommand::Gabung {
            putaran,
            mitra,
            daftar,
            berkas,
            sebagai,
            db,
        } => {
            let store = crate::setup::open(&db.database).await?;
            let viewer = viewer(&store, sebagai.as_deref(), &t).await?;
            let org = organisation(&store, &mitra, &t).await?;
            let input = match (daftar, berkas) {
                (Some(list_id), _) => Join::Held { list_id },
                (None, Some(path)) => Join::Encoded {
                    bytes: read_limited(&path, &t)?,
                },
                (None, None) => {
                    bail!(t.render(&Msg::new("double_aid.join_what")))
                }
            };
            let n = double_aid::join(&store, &viewer, putaran, org, input)
                .await
                .map_err(said)?;
            println!(
                "{}",
                t.render(
                    &Msg::new("double_aid.cli_joined")
                        .arg("id", putaran)
                        .arg("records", n)
                )
            );
        }
        BantuanGandaCommand::Tutup {
            putaran,
            coba,
            sebagai,
            db,
        } => {
            let store = crate::setup::open(&db.database).await?;
            let viewer = viewer(&store, sebagai.as_deref(), &t).await?;
            let started = Instant::now();
            let s = double_aid::run_round(&store, &viewer, putaran, !coba)
                .await
                .map_err(said)?;
            println!(
                "{}",
                t.render(
                    &Msg::new(if coba {
                        "double_aid.cli_ran"
                    } else {
                        "double_aid.cli_closed"
                    })
                    .arg("id", putaran)
                    .arg("members", s.members)
                    .arg("records", s.records)
                    .arg("overlaps", s.overlaps)
                    .arg("uncertain", s.uncertain)
                    .arg("seconds", format!("{:.1}", started.elapsed().as_secs_f64()))
                )
            );
        }
        BantuanGandaCommand::Hasil {
            putaran,
            sebagai,
            db,
        } => {
            let store = crate::setup::open(&db.database).await?;
            let viewer = viewer(&store, sebagai.as_deref(), &t).await?;
            let page = double_aid::round_page(&store, &viewer, putaran)
                .await
                .map_err(said)?
                .ok_or_else(|| anyhow::anyhow!(t.get("double_aid.not_found").to_string()))?;
            print_results(&t, &page.results);
        }
    }
    Ok(())
}

/// The viewer a command runs as: a named user, or the system.
async fn viewer(
    store: &sinergi_store::Store,
    user: Option<&str>,
    t: &sinergi_i18n::Messages,
) -> anyhow::Result<Viewer> {
    match user {
        None => Ok(Viewer::System("cli")),
        Some(u) => {
            let p = store.principal_by_username(u).await?.ok_or_else(|| {
                anyhow::anyhow!(t.render(&Msg::new("programs.cli_no_user").arg("user", u)))
            })?;
            Ok(Viewer::User(p))
        }
    }
}

/// An organisation by its number or its exact name.
async fn organisation(
    store: &sinergi_store::Store,
    given: &str,
    t: &sinergi_i18n::Messages,
) -> anyhow::Result<i64> {
    let given = given.trim();
    let found = match given.parse::<i64>() {
        Ok(id) => store.organisation(id).await?,
        Err(_) => store.organisation_by_name(given).await?,
    };
    found.map(|o| o.id).ok_or_else(|| {
        anyhow::anyhow!(t.render(&Msg::new("double_aid.cli_no_organisation").arg("value", given)))
    })
}

/// Reads a file, refusing one larger than an encoded file may be.
fn read_limited(path: &Path, t: &sinergi_i18n::Messages) -> anyhow::Result<Vec<u8>> {
    let size = std::fs::metadata(path)
        .with_context(|| path.display().to_string())?
        .len();
    if size > double_aid::MAX_ENCODED_BYTES as u64 {
        bail!(t.render(
            &Msg::new("double_aid.file_too_large").arg("mb", double_aid::MAX_ENCODED_BYTES >> 20)
        ));
    }
    std::fs::read(path).with_context(|| path.display().to_string())
}

fn print_results(t: &sinergi_i18n::Messages, results: &RoundResults) {
    let shown = |d: &Disclosed| match d {
        Disclosed::Count(n) => t.num(n),
        Disclosed::Suppressed => t.get("double_aid.suppressed").to_string(),
    };
    match results {
        RoundResults::OwnRows { flags, review } => {
            println!("{}", t.get("double_aid.cli_own_header"));
            for f in flags {
                println!(
                    "{}\t{}\t{}\t{}",
                    f.line, f.aid_type, f.other, f.other_contact
                );
            }
            if !review.is_empty() {
                println!("{}", t.get("double_aid.cli_review_header"));
                for r in review {
                    println!(
                        "{}\t{}\t{:.3}\t{:.2}\t{:.2}\t{:.2}",
                        r.pair_no, r.line, r.probability, r.weights[0], r.weights[1], r.weights[2]
                    );
                }
            }
        }
        RoundResults::Counts {
            cells,
            comparison,
            uncertain,
        } => {
            println!("{}", t.get("double_aid.cli_counts_header"));
            for c in cells {
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    c.kecamatan,
                    c.partners.0,
                    c.partners.1,
                    c.aid_type,
                    shown(&c.count)
                );
            }
            println!("{}: {}", t.get("double_aid.uncertain"), shown(uncertain));
            if !comparison.is_empty() {
                println!("{}", t.get("double_aid.cli_compare_header"));
                for c in comparison {
                    println!(
                        "{}\t{}\t{}\t{}\t{}\t{}\t{}",
                        c.partners.0,
                        c.partners.1,
                        c.aid_type,
                        shown(&c.previous),
                        shown(&c.now),
                        shown(&c.new),
                        shown(&c.resolved)
                    );
                }
            }
        }
        RoundResults::ProvinceTotal(n) => {
            println!("{}: {}", t.get("double_aid.province_total"), shown(n));
        }
        RoundResults::Nothing => println!("{}", t.get("double_aid.nothing")),
    }
}
