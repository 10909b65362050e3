//! The web shell through a real HTTP server on a real database, and in a real browser.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::OnceLock;

use crate::common;

use common::{Got, assert_light_and_local, browse, get_with, header, start};
use sinergi_testkit::TestDb;

struct Server {
    base: String,
    kecamatan_with_most_desa: String,
}

/// One SQLite-backed server shared by the tests of this file.
fn server() -> &'static Server {
    static SERVER: OnceLock<Server> = OnceLock::new();
    SERVER.get_or_init(|| {
        let list = sinergi_refdata::wilayah().unwrap();
        let mut per_kec: std::collections::HashMap<String, usize> = Default::default();
        for e in list
            .iter()
            .filter(|e| e.code.level() == sinergi_core::Level::Desa)
        {
            *per_kec
                .entry(e.code.parent().unwrap().to_string())
                .or_default() += 1;
        }
        let biggest = per_kec.into_iter().max_by_key(|(_, n)| *n).unwrap().0;
        let (base, stop) = start(TestDb::sqlite());
        // The shared server lives as long as the test process.
        std::mem::forget(stop);
        Server {
            base,
            kecamatan_with_most_desa: biggest,
        }
    })
}

fn get(path: &str) -> Got {
    get_with(&format!("{}{path}", server().base), None)
}

#[test]
fn home_shows_national_counts_in_indonesian() {
    let page = get("/");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<html lang=\"id\">"));
    for text in [
        "Beranda",
        "83.762",
        "7.285",
        "514",
        "Kepmendagri 300.2.2-2138/2025",
        "25 April 2025",
    ] {
        assert!(page.body.contains(text), "home lacks {text}");
    }
}

#[test]
fn region_browser_walks_down_with_counts() {
    let index = get("/wilayah");
    assert_eq!(index.status, 200);
    assert_eq!(
        index.body.matches("<tr><td><code>").count(),
        38,
        "38 provinces"
    );
    assert!(index.body.contains("Nusa Tenggara Barat"));
    assert!(index.body.contains("1.166"), "NTB's desa count");

    let ntb = get("/wilayah/52");
    assert_eq!(ntb.status, 200);
    assert_eq!(
        ntb.body.matches("<tr><td><code>").count(),
        10,
        "NTB has 10 kab/kota"
    );
    for text in [
        "Kabupaten Lombok Timur",
        "Kota Mataram",
        "117",
        "1.166",
        "href=\"/wilayah/52.03\"",
    ] {
        assert!(ntb.body.contains(text), "NTB page lacks {text}");
    }
    // The map: one linked area per kab/kota (embedded boundaries), its name and desa count
    // on hover, classed by desa, the legend below the map.
    let map = &ntb.body[ntb.body.find("<svg").expect("NTB page has a map")..];
    let map = &map[..map.find("</svg>").unwrap()];
    assert_eq!(map.matches("<path").count(), 10, "an area per kab/kota");
    assert_eq!(map.matches("<circle").count(), 0, "no loose dots");
    // A legend of desa counts (placed below the map: see map.rs tests).
    assert!(map.contains("≥ "), "a legend of desa counts: {map}");
    assert!(map.contains(r#"<a href="/wilayah/52.03">"#));
    assert!(
        map.contains("<title>Kabupaten Lombok Timur: 254 Desa/Kelurahan</title>"),
        "{map}"
    );

    // Undotted codes work; a kecamatan lists its desa; a desa shows where it is.
    let lotim = get("/wilayah/5203");
    assert!(lotim.body.contains("Masbagik") && lotim.body.contains("254"));
    let kec = get("/wilayah/52.03.05");
    // Desa are points inside the kecamatan's outline.
    let map = &kec.body[kec.body.find("<svg").expect("kecamatan page has a map")..];
    let map = &map[..map.find("</svg>").unwrap()];
    assert_eq!(map.matches("<path").count(), 1, "the kecamatan outline");
    assert!(map.matches("<circle").count() >= 10, "a point per desa");
    // Outside the three provinces with kecamatan boundaries, kecamatan are points inside
    // the kab/kota outline.
    let sleman = get("/wilayah/34.04");
    let map = &sleman.body[sleman.body.find("<svg").expect("Sleman has a map")..];
    assert_eq!(
        map[..map.find("</svg>").unwrap()].matches("<path").count(),
        1
    );
    assert!(
        kec.body.contains("Masbagik Utara") && kec.body.contains("Kelurahan")
            || kec.body.contains("Desa")
    );
    let desa = get("/wilayah/52.03.05.2003");
    assert_eq!(desa.status, 200);
    assert!(
        desa.body
            .contains("href=\"/wilayah/52.03.05\">Masbagik</a>"),
        "breadcrumb to the kecamatan"
    );
    assert!(desa.body.contains("Koordinat"));
    assert!(
        desa.body
            .contains("Tidak ada wilayah di bawah tingkat ini.")
    );
}

#[test]
fn search_understands_kota_and_kab() {
    let kota = get("/wilayah/cari?q=Kota+Bima");
    assert_eq!(kota.status, 200);
    assert!(kota.body.contains("/wilayah/52.72\">Kota Bima</a>"));
    assert!(
        !kota.body.contains("/wilayah/52.06\""),
        "Kabupaten Bima is not Kota Bima"
    );
    let kab = get("/wilayah/cari?q=kab.%20bima");
    assert!(kab.body.contains("/wilayah/52.06\">Kabupaten Bima</a>"));
    let none = get("/wilayah/cari?q=tidakadasamasekali");
    assert!(none.body.contains("Tidak ada wilayah yang cocok."));
    let empty = get("/wilayah/cari?q=");
    assert!(empty.body.contains("Ketik nama wilayah yang dicari."));
    // Many results are paged, and page links keep the query.
    let many = get("/wilayah/cari?q=utara");
    assert!(
        many.body
            .contains("rel=\"next\" href=\"/wilayah/cari?q=utara&#38;hal=2\""),
        "pager"
    );
    let p2 = get("/wilayah/cari?q=utara&hal=2");
    assert!(p2.body.contains("rel=\"prev\""));
}

#[test]
fn errors_are_pages_in_the_users_language() {
    let missing = get("/wilayah/52.99");
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("Kode wilayah itu tidak dikenal"));
    let bad = get("/wilayah/52.0X");
    assert_eq!(bad.status, 400);
    assert!(bad.body.contains("Kode wilayah tidak sah") && bad.body.contains("52.0X"));
    let nowhere = get("/tidak/ada");
    assert_eq!(nowhere.status, 404);
    assert!(nowhere.body.contains("tidak ditemukan"));
    let en = get_with(&format!("{}/tidak/ada", server().base), Some("lang=en"));
    assert!(en.body.contains("was not found") && en.body.contains("<html lang=\"en\">"));
    // A query that does not fit its handler: a translated page naming the field, and JSON
    // under the API, never the framework's English text.
    let paged = get("/wilayah/cari?q=bima&hal=dua");
    assert_eq!(paged.status, 400);
    assert!(
        paged.body.contains("<html lang=\"id\">") && paged.body.contains("kolom &#34;hal&#34;"),
        "{}",
        paged.body
    );
    assert!(!paged.body.contains("Failed to deserialize"));
    let api = get("/api/v1/wilayah/cari?q=bima&hal=dua");
    assert_eq!(api.status, 400);
    let json: serde_json::Value = serde_json::from_str(&api.body).expect("JSON error");
    assert_eq!(json["error"]["code"], "error.bad_input", "{}", api.body);
}

#[test]
fn language_switch_sets_a_cookie_and_returns() {
    let switch = get("/bahasa/en?ke=%2Fwilayah%2F52");
    assert_eq!(switch.status, 303);
    assert_eq!(header(&switch, "location"), Some("/wilayah/52"));
    let cookie = header(&switch, "set-cookie").unwrap();
    assert!(
        cookie.starts_with("lang=en;") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let english = get_with(&format!("{}/wilayah/52", server().base), Some("lang=en"));
    for text in [
        "Regions below",
        "Regency",
        "Home",
        "href=\"/bahasa/id?ke=%2Fwilayah%2F52\"",
    ] {
        assert!(english.body.contains(text), "English page lacks {text}");
    }
    assert!(english.body.contains("1,166"), "English digit grouping");
    // Never a redirect to another host.
    let evil = get("/bahasa/en?ke=%2F%2Fevil.example%2F");
    assert_eq!(header(&evil, "location"), Some("/"));
}

#[test]
fn api_answers_json_with_translated_errors() {
    let region = get("/api/v1/wilayah/5203");
    assert_eq!(region.status, 200);
    let v: serde_json::Value = serde_json::from_str(&region.body).unwrap();
    assert_eq!(v["region"]["code"], "52.03");
    assert_eq!(v["region"]["kind"], "kabupaten");
    assert_eq!(v["ancestors"][0]["name"], "Nusa Tenggara Barat");
    assert_eq!(v["children"].as_array().unwrap().len(), 21);
    let provinces: serde_json::Value = serde_json::from_str(&get("/api/v1/wilayah").body).unwrap();
    assert_eq!(provinces.as_array().unwrap().len(), 38);
    let found: serde_json::Value =
        serde_json::from_str(&get("/api/v1/wilayah/cari?q=kota%20bima&per=5").body).unwrap();
    assert_eq!(found["items"][0]["code"], "52.72");
    assert_eq!(found["size"], 5);
    let bad = get("/api/v1/wilayah/xx");
    assert_eq!(bad.status, 400);
    let e: serde_json::Value = serde_json::from_str(&bad.body).unwrap();
    assert_eq!(e["error"]["code"], "error.bad_code");
    assert_eq!(e["error"]["message"], "Kode wilayah tidak sah");
    assert!(e["error"]["detail"].as_str().unwrap().contains("xx"));
}

/// Every page: HTML + CSS under budget, nothing from other hosts.
#[test]
fn every_page_stays_light_and_local() {
    let srv = server();
    let pages = [
        "/".to_string(),
        "/wilayah".into(),
        "/wilayah/52".into(),
        "/wilayah/33".into(),
        "/wilayah/33.01".into(),
        "/wilayah/35".into(),
        "/wilayah/63".into(),
        "/wilayah/63.01".into(),
        "/wilayah/91".into(),
        "/wilayah/34.04".into(),
        "/wilayah/52.03".into(),
        format!("/wilayah/{}", srv.kecamatan_with_most_desa),
        "/wilayah/52.03.05.2003".into(),
        "/wilayah/cari?q=a".into(),
        "/wilayah/cari?q=kota".into(),
        "/wilayah/52.99".into(),
        "/tidak/ada".into(),
    ];
    let css = get("/static/app.css");
    assert_eq!(css.status, 200);
    assert!(!css.body.contains("url("), "the stylesheet loads nothing");
    for lang in [None, Some("lang=en")] {
        for path in &pages {
            let page = get_with(&format!("{}{path}", srv.base), lang);
            assert_eq!(css.body.len(), sinergi_web::css_len());
            assert_light_and_local(&format!("{path} ({lang:?})"), &page.body);
        }
    }
}

fn templates() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut out: Vec<(String, String)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    out.sort();
    assert!(out.len() >= 5);
    out
}

/// Text in templates goes through the catalogue: strip tags and expressions, no words remain.
#[test]
fn templates_hold_no_hard_coded_text() {
    let strip = |s: &str, open: &str, close: &str| {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find(open) {
            out.push_str(&rest[..i]);
            rest = rest[i..]
                .find(close)
                .map_or("", |j| &rest[i + j + close.len()..]);
        }
        out + rest
    };
    for (name, text) in templates() {
        let mut visible = strip(&text, "{{", "}}");
        visible = strip(&visible, "{%", "%}");
        visible = strip(&visible, "<", ">");
        visible = strip(&visible, "&", ";");
        let words: String = visible.chars().filter(|c| c.is_alphabetic()).collect();
        assert!(words.is_empty(), "{name} has hard-coded text: {words:?}");
        // Attribute text a person reads must come from the catalogue too.
        for attr in ["placeholder=\"", "aria-label=\"", "title=\"", "alt=\""] {
            for (i, _) in text.match_indices(attr) {
                let value = &text[i + attr.len()..];
                assert!(value.starts_with("{{"), "{name}: {attr}… is hard-coded");
            }
        }
    }
}

/// Every message key the templates and handlers name exists in both catalogues.
#[test]
fn every_message_key_used_exists() {
    let catalogue = |lang| -> BTreeSet<String> { sinergi_i18n::keys(lang).into_iter().collect() };
    let (id, en) = (
        catalogue(sinergi_i18n::Lang::Id),
        catalogue(sinergi_i18n::Lang::En),
    );
    let groups: BTreeSet<&str> = id.iter().filter_map(|k| k.split('.').next()).collect();
    let mut sources: Vec<(String, String)> = templates();
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    for entry in walk(&src) {
        sources.push((
            entry.display().to_string(),
            std::fs::read_to_string(&entry).unwrap(),
        ));
    }
    let mut used = 0;
    for (name, text) in &sources {
        for literal in text.split('"').skip(1).step_by(2) {
            let is_key = literal.contains('.')
                && !literal.ends_with(".html")
                && literal
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '.' || c == '_')
                && literal
                    .split('.')
                    .next()
                    .is_some_and(|g| groups.contains(g));
            if is_key {
                used += 1;
                assert!(
                    id.contains(literal) && en.contains(literal),
                    "{name} uses unknown key {literal}"
                );
            }
        }
    }
    assert!(used > 40, "only {used} keys found: is the scan broken?");
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

#[test]
fn a_real_browser_walks_the_region_tree() {
    let base = &server().base;
    let Some(dom) = browse(&format!("{base}/wilayah/52"), None) else {
        return;
    };
    assert!(
        dom.contains("Kabupaten Lombok Timur"),
        "browser DOM lacks the kab/kota list"
    );
    // Ten links down in the table, and ten more on the map's points.
    assert_eq!(
        dom.matches("href=\"/wilayah/52.").count(),
        20,
        "ten links down, twice"
    );
    assert_eq!(dom.matches("<path").count(), 10, "a map area per kab/kota");
    let Some(search) = browse(&format!("{base}/wilayah/cari?q=masbagik"), None) else {
        return;
    };
    assert!(search.contains("Masbagik Utara"));
    let shot = std::env::temp_dir().join(format!("sinergi-wilayah-52-{}.png", std::process::id()));
    browse(&format!("{base}/wilayah/52"), Some(&shot));
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "screenshot is a real picture"
    );
    if let Ok(keep) = std::env::var("SINERGI_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
    std::fs::remove_file(shot).ok();
}

/// The same pages answer from PostgreSQL.
#[test]
fn pages_work_on_postgres_too() {
    let db = tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(TestDb::postgres());
    let Some(db) = db else { return };
    let (base, stop) = start(db);
    let ntb = get_with(&format!("{base}/wilayah/52"), None);
    assert_eq!(ntb.status, 200);
    assert_eq!(ntb.body.matches("<tr><td><code>").count(), 10);
    assert!(ntb.body.contains("1.166"));
    let kota = get_with(&format!("{base}/wilayah/cari?q=kota%20bima"), None);
    assert!(kota.body.contains("/wilayah/52.72\">Kota Bima</a>"));
    let home = get_with(&format!("{base}/"), None);
    assert!(home.body.contains("83.762"));
    stop.send(()).ok();
}
