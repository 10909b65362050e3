//! Issue 23: the spec and the router agree. Every `/api/v1` route in the web crate's source is
//! in the OpenAPI spec and every operation of the spec is routed; asked with a token, every
//! operation answers a status the spec documents for it, errors in the one error shape, never
//! a server error. The read endpoints give the same rows as the pages, in the token's scope.
//! Both backends.

use std::collections::BTreeSet;

use crate::api_tokens::{call, call_body, serve_with_token_limited};
use crate::common::route_paths;
use sinergi_testkit::TestDb;

fn databases() -> Vec<TestDb> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(TestDb::all())
}

fn spec() -> serde_json::Value {
    serde_json::from_str(&sinergi_web::api::openapi::spec_json()).unwrap()
}

fn json(got: &crate::common::Got) -> serde_json::Value {
    serde_json::from_str(&got.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", got.body))
}

/// A path of the spec with its parameters filled in.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|seg| match seg {
            "{code}" => "52.03",
            "{registry}" => "lks",
            s if s.starts_with('{') => "1",
            s => s,
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// Enough requests for every operation at once.
fn roomy() -> sinergi_web::api::RatePolicy {
    sinergi_web::api::RatePolicy {
        burst: 1000,
        per_second: 100.0,
    }
}

#[test]
fn every_api_route_is_in_the_spec_and_every_operation_answers_as_documented() {
    let spec = spec();
    let paths = spec["paths"].as_object().unwrap();
    let in_spec: BTreeSet<String> = paths.keys().cloned().collect();
    let routed: BTreeSet<String> = route_paths()
        .into_iter()
        // The reference page is HTML for people, not an operation.
        .filter(|p| p.starts_with("/api/v1/") && p != "/api/v1/docs")
        .collect();
    assert!(routed.len() >= 23, "only {} API routes found", routed.len());
    let missing: Vec<_> = routed.difference(&in_spec).collect();
    assert!(
        missing.is_empty(),
        "routed but not in the spec: {missing:?}"
    );
    let unrouted: Vec<_> = in_spec.difference(&routed).collect();
    assert!(
        unrouted.is_empty(),
        "in the spec but not routed: {unrouted:?}"
    );

    // Operation ids are unique (links and clients name operations by them), and every
    // operation documents what any token may get: 401 and 429 with Retry-After.
    let mut ids = BTreeSet::new();
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let id = op["operationId"].as_str().unwrap_or_default().to_string();
            assert!(
                ids.insert(id.clone()),
                "{method} {path}: operationId {id} twice"
            );
            assert!(
                op["responses"]["401"].is_object(),
                "{method} {path}: no 401"
            );
            assert!(
                op["responses"]["429"]["headers"]["Retry-After"].is_object(),
                "{method} {path}: no 429 with Retry-After"
            );
        }
    }
    // The stateful link: a saved program is read back by the id it answers.
    assert_eq!(
        paths["/api/v1/program"]["post"]["responses"]["201"]["links"]["ProgramBaca"]["operationId"],
        "program_detail"
    );

    for db in databases() {
        let l = db.label;
        let (base, secret, _stop) = serve_with_token_limited(db, "Uji spesifikasi", roomy());
        let bearer = format!("Bearer {secret}");
        let mut operations = 0;
        for (path, item) in paths {
            for method in ["get", "post"] {
                let Some(op) = item.get(method) else { continue };
                operations += 1;
                let url = format!("{base}{}", concrete(path));
                let m = method.to_uppercase();
                let got = call_body(
                    &m,
                    &url,
                    &[
                        ("Authorization", &bearer),
                        ("Content-Type", "application/json"),
                        ("Accept-Language", "en"),
                    ],
                    if method == "post" { b"{}" } else { b"" },
                );
                let who = format!("{l}: {m} {path}");
                assert!(got.status < 500, "{who}: {} {}", got.status, got.body);
                let documented = &op["responses"][got.status.to_string()];
                assert!(
                    documented.is_object(),
                    "{who}: status {} is not documented: {}",
                    got.status,
                    got.body
                );
                let schema = documented["content"]["application/json"]["schema"]["$ref"]
                    .as_str()
                    .unwrap_or_default();
                let body = json(&got);
                if schema.ends_with("ErrorBody") {
                    assert!(body["error"]["code"].is_string(), "{who}: {body}");
                    assert!(body["error"]["message"].is_string(), "{who}: {body}");
                } else if schema.contains("PageOf") {
                    assert!(body["items"].is_array(), "{who}: {body}");
                    assert!(body["total"].is_u64(), "{who}: {body}");
                }
            }
        }
        assert!(operations >= 26, "{l}: only {operations} operations");
    }
}

/// A kab/kota operator's token (52.03) stores LKS through the registry import API and reads
/// them back from `/api/v1/lks` exactly as the `/lks` page lists them; the board and
/// partner registries need a token or session; the strategy, double-aid, forum and upload
/// lists answer JSON arrays.
#[test]
fn read_endpoints_answer_what_the_pages_show_in_the_tokens_scope() {
    const LKS_CSV: &[u8] = b"kode_lks,nama,kode_wilayah,layanan_ppks,kapasitas,tanda_daftar\n\
LKS-A1,Panti Werdha Api,52.03.05.2003,LUT,30,1/460/2024\n\
LKS-A2,LKSA Api Dua,52.03.05.2004,AT,12,\n\
LKS-A3,LKS Di Luar Cakupan,52.02.01.2001,LUT,10,\n";
    for db in databases() {
        let l = db.label;
        let (base, secret, _stop) = serve_with_token_limited(db, "SIKS Lotim", roomy());
        let auth = format!("Bearer {secret}");
        let bearer = [("Authorization", auth.as_str())];
        let got = call_body(
            "POST",
            &format!("{base}/api/v1/registri/lks/impor?berkas=lks.csv"),
            &[("Authorization", &auth), ("Content-Type", "text/csv")],
            LKS_CSV,
        );
        assert_eq!(got.status, 200, "{l}: {}", got.body);
        let imported = json(&got);
        assert_eq!(imported["dibuat"], 2, "{l}: {imported}");
        // The row outside the token's scope is refused, naming its line.
        assert_eq!(imported["ditolak"][0]["baris"], 4, "{l}: {imported}");

        let got = call(
            "GET",
            &format!("{base}/api/v1/lks?q=Api&urut=nama&ukuran=1"),
            &bearer,
        );
        assert_eq!(got.status, 200, "{l}: {}", got.body);
        let page = json(&got);
        assert_eq!(page["total"], 2, "{l}: {page}");
        assert_eq!(page["size"], 1, "{l}: {page}");
        assert_eq!(page["items"].as_array().unwrap().len(), 1, "{l}: {page}");
        assert_eq!(page["items"][0]["name"], "LKSA Api Dua", "{l}: {page}");
        let got = call(
            "GET",
            &format!("{base}/api/v1/lks?q=Api&urut=nama&hal=2&ukuran=1"),
            &bearer,
        );
        assert_eq!(json(&got)["items"][0]["name"], "Panti Werdha Api", "{l}");
        // Without a token: the public directory, registered LKS only, as the page shows it.
        let got = call("GET", &format!("{base}/api/v1/lks?q=Api"), &[]);
        let public = json(&got);
        assert_eq!(public["total"], 1, "{l}: {public}");
        assert_eq!(
            public["items"][0]["name"], "Panti Werdha Api",
            "{l}: {public}"
        );
        let html = call("GET", &format!("{base}/lks?q=Api"), &[]);
        assert!(html.body.contains("Panti Werdha Api"), "{l}");
        assert!(!html.body.contains("LKSA Api Dua"), "{l}");
        // A filter the page refuses is refused here too, in the error shape.
        let got = call("GET", &format!("{base}/api/v1/lks?wilayah=xx"), &bearer);
        assert_eq!(got.status, 400, "{l}: {}", got.body);
        assert!(json(&got)["error"]["code"].is_string(), "{l}");

        // LKKS and partners are not public: 401 without a token, a page with one.
        for path in [
            "/api/v1/lkks",
            "/api/v1/mitra",
            "/api/v1/forum",
            "/api/v1/tugas",
        ] {
            let got = call("GET", &format!("{base}{path}"), &[]);
            assert_eq!(got.status, 401, "{l}: {path}");
            assert!(json(&got)["error"]["code"].is_string(), "{l}: {path}");
            let got = call("GET", &format!("{base}{path}"), &bearer);
            assert_eq!(got.status, 200, "{l}: {path}: {}", got.body);
        }
        for path in [
            "/api/v1/strategi",
            "/api/v1/bantuan-ganda",
            "/api/v1/forum",
            "/api/v1/tugas",
        ] {
            let got = call("GET", &format!("{base}{path}"), &bearer);
            assert!(json(&got).is_array(), "{l}: {path}: {}", got.body);
        }
        let got = call("GET", &format!("{base}/api/v1/strategi/999999"), &bearer);
        assert_eq!(got.status, 404, "{l}");
        assert_eq!(json(&got)["error"]["code"], "strategy.not_found", "{l}");
        let got = call(
            "GET",
            &format!("{base}/api/v1/strategi/1/realisasi?periode=kemarin"),
            &bearer,
        );
        assert_eq!(got.status, 400, "{l}: {}", got.body);
    }
}

/// Machines retry and run in parallel: eight saves of the same program at once all succeed
/// (one creates it, the others update it), none fails with "database is locked". Both
/// backends.
#[test]
fn concurrent_saves_of_one_program_all_succeed() {
    for db in databases() {
        let l = db.label;
        let (base, secret, _stop) = serve_with_token_limited(db, "Paralel", roomy());
        let auth = format!("Bearer {secret}");
        // The fixture's one LKS (LKS Masbagik, 52.03) owns the program.
        let lks = call(
            "GET",
            &format!("{base}/api/v1/lks"),
            &[("Authorization", &auth)],
        );
        let org = json(&lks)["items"][0]["id"]
            .as_i64()
            .expect("an LKS in scope");
        let body = serde_json::json!({
            "organisasi": org,
            "kode": "PARALEL-1",
            "nama": "Program paralel",
            "sektor": "perlindungan_sosial",
            "jenis_bantuan": "sembako",
            "mulai": "2025-01-01",
            "selesai": "2025-12-31",
            "lokasi": [{"kode_wilayah": "52.03.05.2003", "sasaran": 10}],
        })
        .to_string();
        let statuses: Vec<(u16, String)> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    s.spawn(|| {
                        let got = call_body(
                            "POST",
                            &format!("{base}/api/v1/program"),
                            &[
                                ("Authorization", &auth),
                                ("Content-Type", "application/json"),
                            ],
                            body.as_bytes(),
                        );
                        (got.status, got.body)
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).collect()
        });
        let created = statuses.iter().filter(|(s, _)| *s == 201).count();
        assert_eq!(created, 1, "{l}: {statuses:?}");
        assert!(
            statuses.iter().all(|(s, _)| *s == 200 || *s == 201),
            "{l}: {statuses:?}"
        );
        let ids: BTreeSet<i64> = statuses
            .iter()
            .map(|(_, b)| {
                serde_json::from_str::<serde_json::Value>(b).unwrap()["id"]
                    .as_i64()
                    .unwrap()
            })
            .collect();
        assert_eq!(ids.len(), 1, "{l}: one program, saved eight times");
    }
}
