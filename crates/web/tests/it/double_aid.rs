//! The double-aid check through the real HTTP stack on SQLite and PostgreSQL: the admin opens
//! a round for NTB from the form, a partner joins with its held list and the admin joins the
//! other on its behalf, the admin runs it; the partner sees its own line flagged with the
//! other organisation's name (never a person's name), the admin the count per kecamatan, the
//! partner's download carries only its own lines; another province's partner and the public
//! (while the round is open) get nothing. Pages stay light and local.

use crate::common;

use common::{Client, assert_light_and_local, header, start_keyed};
use sinergi_core::{Nik, PersonInput, Sex};
use sinergi_store::NewPersonList;
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{PASSWORD, basis, build, code};

fn signed(base: &str, user: &str) -> Client {
    let mut c = Client::new(base);
    assert_eq!(c.login(user, PASSWORD).status, 303, "{user} signs in");
    c
}

/// The value of the `<option>` whose label starts with `label`.
fn option_value(body: &str, label: &str) -> String {
    let at = body
        .find(&format!("\">{label}"))
        .unwrap_or_else(|| panic!("no option {label}"));
    let start = body[..at].rfind("value=\"").unwrap() + 7;
    body[start..at].to_string()
}

#[test]
fn a_round_is_opened_joined_run_and_read_through_the_pages() {
    let dbs = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(TestDb::all());
    for db in dbs {
        let l = db.label;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let world = rt.block_on(build(&db));
        let orgs = world.orgs.clone();
        let key = world.key.clone();
        rt.block_on(world.store.close());
        drop(world);
        let (base, _stop) = start_keyed(db, Some(key));

        let mut admin = signed(&base, "admin52");
        let list = admin.get("/bantuan-ganda");
        assert_eq!(list.status, 200, "{l}");
        assert!(list.body.contains("Mitra A"), "{l}: partners to invite");
        assert_light_and_local("double-aid list", &list.body);
        let bad = admin.post(
            "/bantuan-ganda",
            &[("wilayah", "52"), ("periode", "kemarin"), ("mitra", "1")],
        );
        assert_eq!(bad.status, 400, "{l}: a bad period is named");
        assert!(bad.body.contains("kemarin"), "{l}");
        let made = admin.post(
            "/bantuan-ganda",
            &[
                ("wilayah", "52"),
                ("periode", "2025"),
                ("jenis", ""),
                ("mitra", &orgs[0].to_string()),
                ("mitra", &orgs[1].to_string()),
            ],
        );
        assert_eq!(made.status, 303, "{l}: {}", made.body);
        let round = header(&made, "location").unwrap().to_string();
        assert!(round.starts_with("/bantuan-ganda/"), "{l}: {round}");

        // The partner joins with its own held list.
        let mut mitra = signed(&base, "mitra.a");
        let page = mitra.get(&round);
        assert_eq!(page.status, 200, "{l}");
        assert!(!page.body.contains("Mitra B"), "{l}: no other member shown");
        let own_list = option_value(&page.body, "daftar 0");
        let joined = mitra.post_upload(
            &format!("{round}/gabung"),
            &[("organisasi", &orgs[0].to_string()), ("daftar", &own_list)],
            ("berkas", "", b""),
        );
        assert_eq!(joined.status, 303, "{l}: {}", joined.body);
        // The admin joins the other partner on its behalf.
        let page = admin.get(&round);
        let other_list = option_value(&page.body, "daftar 1");
        let joined = admin.post_upload(
            &format!("{round}/gabung"),
            &[
                ("organisasi", &orgs[1].to_string()),
                ("daftar", &other_list),
            ],
            ("berkas", "", b""),
        );
        assert_eq!(joined.status, 303, "{l}: {}", joined.body);
        // A partner cannot run it; the admin can.
        assert_eq!(
            mitra.post(&format!("{round}/jalankan"), &[]).status,
            403,
            "{l}"
        );
        let ran = admin.post(&format!("{round}/jalankan"), &[]);
        assert_eq!(ran.status, 303, "{l}: {}", ran.body);

        let page = mitra.get(&round);
        assert!(
            page.body.contains("Mitra B"),
            "{l}: the other partner named"
        );
        assert!(
            !page.body.contains("Siti Aminah") && !page.body.contains("Muhammad Zain"),
            "{l}: no person's name"
        );
        assert_light_and_local("double-aid round (partner)", &page.body);
        assert!(
            page.body.contains("teks asli, mesin tautan"),
            "{l}: the method of the pair is named"
        );
        let review = mitra.get("/tautan");
        assert_eq!(review.status, 200, "{l}");
        assert!(
            !review
                .body
                .contains("Pasangan ragu pemeriksaan bantuan ganda"),
            "{l}: no uncertain pair to decide"
        );
        let csv = mitra.get(&format!("{round}/hasil.csv"));
        assert_eq!(csv.status, 200, "{l}");
        assert!(csv.body.starts_with('\u{feff}'), "{l}: CSV with BOM");
        assert!(csv.body.contains("Mitra B"), "{l}: {}", csv.body);
        assert_eq!(csv.body.lines().count(), 2, "{l}: header and its one line");
        let page = admin.get(&round);
        assert!(page.body.contains("52.03.05"), "{l}: the kecamatan count");
        assert_light_and_local("double-aid round (admin)", &page.body);

        let mut jateng = signed(&base, "mitra.jateng");
        assert_eq!(jateng.get(&round).status, 404, "{l}");
        let mut public = Client::new(&base);
        assert_eq!(
            public.get(&round).status,
            404,
            "{l}: open rounds are not public"
        );
    }
}

/// The name B gave the person of the uncertain pair.
const B_NAME: &str = "Siti Rohani";

/// One NIK as two partners recorded it: A for Nurul Hidayah, B (same birth date and desa)
/// under another name — a relative's NIK, or the same woman under another name. The linkage
/// engine cannot be sure (probability ≈ 0.5): an uncertain pair, for the partners to decide.
fn uncertain_case() -> (PersonInput, PersonInput) {
    let a = PersonInput {
        line: 0,
        name: "Nurul Hidayah".into(),
        sex: Some(Sex::Female),
        birth_date: chrono::NaiveDate::from_ymd_opt(1988, 8, 26),
        nik: Some(Nik::parse("5203056608880004", None).unwrap().nik),
        kk: None,
        region: code("52.03.05.2004"),
        extra: Default::default(),
    };
    let b = PersonInput {
        name: B_NAME.into(),
        ..a.clone()
    };
    (a, b)
}

/// A partner's list for the review test: `strangers` people of desa 52.03.05.2004 (NIKs
/// valid and distinct per `offset`) and `extra` first.
fn review_list(extra: PersonInput, offset: i64) -> Vec<PersonInput> {
    let first = [
        "Ahmad", "Baiq", "Lalu", "Made", "Nyoman", "Ketut", "Wayan", "Putu",
    ];
    let last = [
        "Hasan", "Rahma", "Sudirman", "Wati", "Saputra", "Yani", "Kurnia", "Fauzi",
    ];
    let mut rows = vec![extra];
    for k in 0..100i64 {
        let i = 2 * k + offset;
        let nik = format!(
            "520305{:02}{:02}{:02}{:04}",
            1 + i % 28,
            1 + i % 12,
            50 + i % 45,
            100 + i
        );
        rows.push(PersonInput {
            line: 0,
            name: format!("{} {}", first[(i % 8) as usize], last[(i / 8 % 8) as usize]),
            sex: Some(Sex::Female),
            birth_date: chrono::NaiveDate::from_ymd_opt(
                1900 + 50 + (i % 45) as i32,
                1 + (i % 12) as u32,
                1 + (i % 28) as u32,
            ),
            nik: Some(Nik::parse(&nik, None).unwrap().nik),
            kk: None,
            region: code("52.03.05.2004"),
            extra: Default::default(),
        });
    }
    for (i, r) in rows.iter_mut().enumerate() {
        r.line = i as u64 + 2;
    }
    rows
}

/// Uncertain pairs reach the partners' review: each partner finds the round on `/tautan`,
/// decides its own side on the round's page (seeing its own line and the field weights,
/// never the other record), the item leaves its queue, and its verdict carries into the
/// next round of the region — while the other partner, who has not decided, still has it.
#[test]
fn an_uncertain_pair_is_decided_by_each_partner_and_carries_into_the_next_round() {
    let dbs = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(TestDb::all());
    for db in dbs {
        let l = db.label;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let world = rt.block_on(build(&db));
        let orgs = world.orgs.clone();
        let key = world.key.clone();
        // One NIK under two names on the two partners' lists (`uncertain_case`).
        let (a_row, b_row) = uncertain_case();
        let admin52 = rt.block_on(world.principal("admin52"));
        for (org, name, rows) in [
            (orgs[0], "ragu A", review_list(a_row, 0)),
            (orgs[1], "ragu B", review_list(b_row, 1)),
        ] {
            let list = NewPersonList {
                organisation_id: org,
                name: name.into(),
                legal_basis: basis(),
                reference: "PKS 2/2025".into(),
                source_file: None,
                content_hash: None,
                replaces: None,
            };
            rt.block_on(
                world
                    .store
                    .as_user(&admin52)
                    .import_person_list(&list, &rows, &|_| {}),
            )
            .unwrap()
            .unwrap();
        }
        rt.block_on(world.store.close());
        drop(world);
        let (base, _stop) = start_keyed(db, Some(key));
        let mut admin = signed(&base, "admin52");
        let mut mitra_a = signed(&base, "mitra.a");
        let mut mitra_b = signed(&base, "mitra.b");

        let round = |admin: &mut Client| {
            let made = admin.post(
                "/bantuan-ganda",
                &[
                    ("wilayah", "52"),
                    ("periode", "2025"),
                    ("jenis", ""),
                    ("mitra", &orgs[0].to_string()),
                    ("mitra", &orgs[1].to_string()),
                ],
            );
            assert_eq!(made.status, 303, "{l}: {}", made.body);
            let round = header(&made, "location").unwrap().to_string();
            let page = admin.get(&round);
            for (org, list) in [(orgs[0], "ragu A"), (orgs[1], "ragu B")] {
                let joined = admin.post_upload(
                    &format!("{round}/gabung"),
                    &[
                        ("organisasi", &org.to_string()),
                        ("daftar", &option_value(&page.body, list)),
                    ],
                    ("berkas", "", b""),
                );
                assert_eq!(joined.status, 303, "{l}: {}", joined.body);
            }
            let ran = admin.post(&format!("{round}/jalankan"), &[]);
            assert_eq!(ran.status, 303, "{l}: {}", ran.body);
            round
        };
        let pending = |c: &mut Client, round: &str| {
            let queue = c.get("/tautan");
            assert_eq!(queue.status, 200, "{l}");
            queue
                .body
                .contains("Pasangan ragu pemeriksaan bantuan ganda")
                && queue.body.contains(&format!("href=\"{round}\""))
        };
        let first = round(&mut admin);
        assert!(pending(&mut mitra_a, &first), "{l}: A has a pair to decide");
        assert!(pending(&mut mitra_b, &first), "{l}: B has a pair to decide");
        assert!(
            pending(&mut admin, &first),
            "{l}: the admin sees it waiting"
        );

        // A's page: its own line, the evidence as field weights, the two buttons; nothing
        // of B's record.
        let page = mitra_a.get(&first);
        assert!(page.body.contains("belum diputuskan"), "{l}: {}", page.body);
        assert!(!page.body.contains(B_NAME), "{l}: never the other's record");
        assert_light_and_local("double-aid review (partner)", &page.body);
        let action = format!("{first}/tinjau/");
        let at = page.body.find(&action).expect("a decide form");
        let pair: String = page.body[at + action.len()..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        let decided = mitra_a.post(
            &format!("{first}/tinjau/{pair}"),
            &[("keputusan", "terima")],
        );
        assert_eq!(decided.status, 303, "{l}: {}", decided.body);
        assert!(!pending(&mut mitra_a, &first), "{l}: A has decided");
        assert!(pending(&mut mitra_b, &first), "{l}: B has not");
        let page = mitra_a.get(&first);
        assert!(
            page.body.contains("orang yang sama"),
            "{l}: the verdict shown"
        );
        // B cannot decide A's side, and A's verdict is not B's.
        assert!(mitra_b.get(&first).body.contains("belum diputuskan"), "{l}");

        // Closed; the next round of the region finds the pair again: A's verdict carries,
        // B still has to decide.
        let closed = admin.post(&format!("{first}/tutup"), &[]);
        assert_eq!(closed.status, 303, "{l}: {}", closed.body);
        let next = round(&mut admin);
        assert_ne!(next, first);
        assert!(!pending(&mut mitra_a, &next), "{l}: A's verdict carried");
        let page = mitra_a.get(&next);
        assert!(page.body.contains("orang yang sama"), "{l}: {}", page.body);
        assert!(pending(&mut mitra_b, &next), "{l}: B still to decide");
    }
}
