//! The `sinergi` binary: wires the crates together. Errors end here, printed in Bahasa Indonesia.

mod accounts;
mod agregat;
mod args;
mod audit;
mod bantuan_ganda;
mod daftar;
mod demo;
mod demo_cycles;
mod demo_double_aid;
mod demo_forums;
mod demo_inst;
mod demo_priority;
mod demo_programs;
mod demo_strategy;
mod forum;
mod generate;
mod geo;
mod key;
mod lang;
mod link;
mod programs;
mod progress;
mod realisasi;
mod registri;
mod sandi;
mod serve;
mod setup;
mod siklus;
mod templat;
mod token;
mod wilayah;

use args::{
    AdminCommand, AgregatCommand, AuditCommand, Command, DaftarCommand, ForumCommand, GeoCommand,
    KunciCommand, ProgramCommand, RealisasiCommand, RegistriCommand, TokenCommand, WilayahCommand,
};
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

/// A calm terminal by default: our own lines without timestamps or levels, nothing from the
/// database driver or the web stack below a warning (sqlx reports every PostgreSQL NOTICE and
/// slow statement, which would interleave with command output). `--verbose` shows it all.
fn init_logging(verbose: bool) {
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let targets = if verbose {
        Targets::new()
            .with_default(tracing::Level::DEBUG)
            .with_target("sqlx", tracing::Level::INFO)
    } else {
        Targets::new()
            .with_default(tracing::Level::WARN)
            .with_target("sinergi", tracing::Level::INFO)
            .with_target("sqlx", tracing::level_filters::LevelFilter::OFF)
    };
    let fmt = tracing_subscriber::fmt::layer()
        .with_writer(progress::log_writer)
        .with_target(verbose)
        // Colour codes only on a terminal, not in redirected logs.
        .with_ansi(ansi);
    if verbose {
        tracing_subscriber::registry()
            .with(fmt.with_filter(targets))
            .init();
    } else {
        tracing_subscriber::registry()
            .with(fmt.without_time().with_level(false).with_filter(targets))
            .init();
    }
}

fn main() {
    let cli = args::parse();
    init_logging(cli.verbose.verbose);
    // Linkage is synchronous and uses its own thread pool; no runtime needed.
    if let Command::Link(args) = cli.command {
        if let Err(e) = link::run(args) {
            fail(e);
        }
        return;
    }
    if let Command::BantuanGanda(command) = &cli.command
        && command.is_offline()
    {
        let Command::BantuanGanda(command) = cli.command else {
            unreachable!("matched above")
        };
        if let Err(e) = bantuan_ganda::run(command) {
            fail(e);
        }
        return;
    }
    if let Command::Sandi(args) = cli.command {
        if let Err(e) = sandi::run(&args) {
            fail(e);
        }
        return;
    }
    if matches!(cli.command, Command::Serve { .. }) {
        // Before the runtime's threads exist, so none of them gets an arena of its own.
        serve::tune_allocator();
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => fail(anyhow::anyhow!("tidak bisa memulai runtime: {e}")),
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Serve {
                bind,
                db,
                demo,
                skala_demo,
                proxy_tepercaya,
                ambang_sensor,
                laju_token,
                key,
            } => {
                let options = serve::Options {
                    bind,
                    demo: demo.then_some(skala_demo),
                    trust_proxy: proxy_tepercaya,
                    suppression_threshold: ambang_sensor,
                    token_rate: laju_token,
                };
                serve::run(options, &db.database, &key).await
            }
            Command::Admin(AdminCommand::Create {
                username,
                nama,
                regions,
                db,
            }) => accounts::create_admin(&username, nama, &regions, &db.database).await,
            Command::Audit(AuditCommand::Verify { db, kepala, key }) => {
                audit::verify(&db.database, &key, kepala.as_deref()).await
            }
            Command::Daftar(DaftarCommand::Impor {
                file,
                sebagai,
                organisasi,
                dasar_hukum,
                rujukan,
                nama,
                ganti,
                key,
                db,
            }) => {
                daftar::import(
                    &file,
                    &sebagai,
                    &organisasi,
                    dasar_hukum,
                    rujukan,
                    nama,
                    ganti,
                    &key,
                    &db.database,
                )
                .await
            }
            Command::Siklus(cmd) => siklus::run(cmd).await,
            Command::Program(ProgramCommand::Impor {
                file,
                sebagai,
                organisasi,
                db,
            }) => programs::import(&file, &sebagai, organisasi, &db.database).await,
            Command::Forum(ForumCommand::Impor {
                file,
                rapat,
                forum: forum_id,
                judul,
                tanggal,
                jam,
                jenis,
                sebagai,
                db,
            }) => {
                forum::import(
                    &file,
                    forum::Target {
                        meeting: rapat,
                        forum: forum_id,
                        title: judul,
                        date: tanggal,
                        time: jam,
                        kind: jenis,
                    },
                    &sebagai,
                    &db.database,
                )
                .await
            }
            Command::Realisasi(RealisasiCommand::Impor {
                file,
                strategi,
                sebagai,
                db,
            }) => realisasi::import(&file, strategi, &sebagai, &db.database).await,
            Command::Agregat(AgregatCommand::Impor { file, db }) => {
                agregat::import(&file, &db.database).await
            }
            Command::Registri(RegistriCommand::Impor {
                registry,
                file,
                sebagai,
                db,
            }) => registri::import(&registry, &file, sebagai.as_deref(), &db.database).await,
            Command::Token(TokenCommand::Buat {
                label,
                akun,
                peran,
                regions,
                organisasi,
                hari,
                db,
                key,
            }) => {
                token::issue(
                    token::Request {
                        label,
                        username: akun,
                        role: peran,
                        regions,
                        organisation: organisasi,
                        days: hari,
                    },
                    &db.database,
                    &key,
                )
                .await
            }
            Command::Token(TokenCommand::Daftar { db }) => token::list(&db.database).await,
            Command::Token(TokenCommand::Cabut { id, db, key }) => {
                token::revoke(id, &db.database, &key).await
            }
            Command::Kunci(KunciCommand::Buat) => {
                accounts::new_key();
                Ok(())
            }
            Command::Wilayah(WilayahCommand::Import {
                file,
                berlaku,
                sumber,
                db,
            }) => wilayah::import(&file, berlaku, sumber, &db.database).await,
            Command::Wilayah(WilayahCommand::Lihat { code, db }) => {
                wilayah::show(&code, &db.database).await
            }
            Command::Wilayah(WilayahCommand::Cari { name, batas, db }) => {
                wilayah::search(&name.join(" "), batas, &db.database).await
            }
            Command::Geo(GeoCommand::Import { file, sumber, db }) => {
                geo::import(&file, sumber, &db.database).await
            }
            Command::Templat {
                jenis,
                keluaran,
                wilayah,
                db,
            } => templat::write(&jenis, &keluaran, wilayah.as_deref(), &db.database).await,
            Command::BantuanGanda(cmd) if !cmd.is_offline() => bantuan_ganda::stored(cmd).await,
            Command::Link(_) | Command::Sandi(_) | Command::BantuanGanda(_) => {
                unreachable!("handled before the runtime starts")
            }
            Command::Generate(args) => generate::run(&args),
        }
    });
    if let Err(e) = result {
        fail(e);
    }
}

fn fail(e: anyhow::Error) -> ! {
    eprintln!("galat: {}", lang::explain(&e));
    std::process::exit(1);
}
