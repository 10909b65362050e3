//! The double-aid check through the real HTTP stack on SQLite and PostgreSQL: the admin opens
//! a round for NTB from the form, a partner joins with its held list and the admin joins the
//! other on its behalf, the admin runs it; the partner sees its own line flagged with the
//! other organisation's name (never a person's name), the admin the count per kecamatan, the
//! partner's download carries only its own lines; another province's partner and the public
//! (while the round is open) get nothing. Pages stay light and local.

use crate::common;

use common::{Client, assert_light_and_local, header, start_keyed};
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{PASSWORD, build};

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
