//! `sinergi bantuan-ganda buka|gabung|tutup|hasil` through the real binary on both backends:
//! a round opened for two partners of the access fixture, joined with their held lists,
//! closed; each user reads its own share (a partner its own line and the other's name, a
//! partner of another province nothing); a closed round refuses a join, in the catalogue's
//! words.

use std::process::{Command, Stdio};

use sinergi_testkit::TestDb;
use sinergi_testkit::world::build;

const BIN: &str = env!("CARGO_BIN_EXE_sinergi");

fn run(db: &TestDb, key: &str, args: &[&str]) -> (i32, String) {
    let out = Command::new(BIN)
        .arg("bantuan-ganda")
        .args(args)
        .args(["--database", &db.arg()])
        .env_remove("DATABASE_URL")
        .env("SINERGI_KUNCI", key)
        .env("SINERGI_BAHASA", "id")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

#[test]
fn a_stored_round_is_opened_joined_closed_and_read_from_the_shell() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for db in rt.block_on(TestDb::all()) {
        let l = db.label;
        let w = rt.block_on(build(&db));
        let key = w.key_text.clone();
        let (code, out) = run(
            &db,
            &key,
            &[
                "buka",
                "--wilayah",
                "52",
                "--periode",
                "2025",
                "--mitra",
                "Mitra A",
                "--mitra",
                "Mitra B",
            ],
        );
        assert_eq!(code, 0, "{l}: {out}");
        let round: i64 = out
            .lines()
            .find_map(|line| {
                line.strip_prefix("Putaran ")?
                    .strip_suffix(" dibuka.")?
                    .parse()
                    .ok()
            })
            .unwrap_or_else(|| panic!("{l}: round number in {out}"));
        let lists = rt
            .block_on(w.store.as_system("test").double_aid_joinable_lists(round))
            .unwrap();
        assert_eq!(lists.len(), 2, "{l}");
        let r = round.to_string();
        for (org, name) in [(w.orgs[0], "Mitra A"), (w.orgs[1], "Mitra B")] {
            let list = lists.iter().find(|x| x.organisation_id == org).unwrap();
            let (code, out) = run(
                &db,
                &key,
                &[
                    "gabung",
                    &r,
                    "--mitra",
                    name,
                    "--daftar",
                    &list.id.to_string(),
                ],
            );
            assert_eq!(code, 0, "{l}: {out}");
            assert!(out.contains("Bergabung ke putaran"), "{l}: {out}");
        }
        let (code, out) = run(&db, &key, &["tutup", &r]);
        assert_eq!(code, 0, "{l}: {out}");
        assert!(out.contains("1 penerima ganda"), "{l}: {out}");
        let (code, out) = run(&db, &key, &["hasil", &r, "--sebagai", "mitra.a"]);
        assert_eq!(code, 0, "{l}: {out}");
        assert!(
            out.contains("2\t\tMitra B"),
            "{l}: its line 2, the other partner: {out}"
        );
        assert!(!out.contains("Siti"), "{l}: no person's name: {out}");
        let (code, out) = run(&db, &key, &["hasil", &r]);
        assert_eq!(code, 0, "{l}: {out}");
        assert!(
            out.contains("52.03.05\tMitra A\tMitra B\t\t1"),
            "{l}: {out}"
        );
        let (code, out) = run(&db, &key, &["hasil", &r, "--sebagai", "mitra.jateng"]);
        assert_ne!(code, 0, "{l}: {out}");
        assert!(out.contains("Putaran tidak ditemukan"), "{l}: {out}");
        let (code, out) = run(
            &db,
            &key,
            &[
                "gabung",
                &r,
                "--mitra",
                "Mitra A",
                "--daftar",
                &lists[0].id.to_string(),
            ],
        );
        assert_ne!(code, 0, "{l}: {out}");
        assert!(out.contains("putaran ini sudah ditutup"), "{l}: {out}");
        rt.block_on(w.store.close());
    }
}
