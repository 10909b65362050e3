//! Issue 23: machines call the API with `Authorization: Bearer …`. No CSRF for them, no
//! cookies with them, every use audited with the label, a rate limit per token, one JSON error
//! shape in the caller's language; issued, listed and revoked on the admin page. Both backends.

use crate::common;

use common::{Client, Got, agent, header, read_response, start_configured};
use sinergi_core::{Role, Scope};
use sinergi_store::NewApiToken;
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{PASSWORD, build, code};

pub fn call(method: &str, url: &str, headers: &[(&str, &str)]) -> Got {
    call_body(method, url, headers, &[])
}

/// A request with a body (empty: none).
pub fn call_body(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> Got {
    let mut req = ureq::http::Request::builder().method(method).uri(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let req = req.body(body).unwrap();
    let mut resp = agent()
        .run(req)
        .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
    read_response(&mut resp)
}

fn json(got: &Got) -> serde_json::Value {
    serde_json::from_str(&got.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", got.body))
}

/// The world, plus a token for a kab/kota operator of Lombok Timur, issued by admin52.
pub fn serve_with_token(
    db: TestDb,
    label: &str,
) -> (String, String, tokio::sync::oneshot::Sender<()>) {
    // A small bucket that hardly refills, so the limit shows at once on any machine.
    serve_with_token_limited(
        db,
        label,
        sinergi_web::api::RatePolicy {
            burst: 30,
            per_second: 0.2,
        },
    )
}

/// [`serve_with_token`] with the given rate limit per token.
pub fn serve_with_token_limited(
    db: TestDb,
    label: &str,
    policy: sinergi_web::api::RatePolicy,
) -> (String, String, tokio::sync::oneshot::Sender<()>) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let world = rt.block_on(build(&db));
    let admin = rt.block_on(world.principal("admin52"));
    let issued = rt
        .block_on(world.store.as_user(&admin).issue_api_token(NewApiToken {
            label: label.into(),
            username: "svc.lotim".into(),
            role: Role::OperatorKabKota,
            scope: Scope {
                regions: vec![code("52.03")],
                organisation: None,
            },
            days: 30,
        }))
        .unwrap();
    let key = world.key.clone();
    rt.block_on(world.store.close());
    drop(world);
    let (base, stop) = start_configured(db, Some(key), move |state| {
        state.auth.api_rate = sinergi_web::api::RateLimiter::new(policy);
    });
    (base, issued.secret, stop)
}

#[test]
fn tokens_work_without_csrf_refuse_cookies_are_audited_limited_and_revocable() {
    let dbs = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(TestDb::all());
    for db in dbs {
        let l = db.label;
        let (base, secret, _stop) = serve_with_token(db, "SIKS Lotim");
        let bearer = format!("Bearer {secret}");
        let url = format!("{base}/api/v1/penerima");

        // The token's scope: the five persons of 52.03, as the operator's session sees them.
        let got = call("GET", &url, &[("Authorization", &bearer)]);
        assert_eq!(got.status, 200, "{l}: {}", got.body);
        assert_eq!(json(&got)["total"], 5, "{l}: {}", got.body);
        assert_eq!(header(&got, "cache-control"), Some("no-store"), "{l}");
        // A method the address does not take: the one error shape, with Allow.
        let got = call("DELETE", &url, &[("Authorization", &bearer)]);
        assert_eq!(got.status, 405, "{l}");
        assert_eq!(json(&got)["error"]["code"], "api.method_not_allowed", "{l}");
        assert!(header(&got, "allow").is_some(), "{l}");

        // A session cookie with a token: refused, in the error shape.
        let mut admin = Client::new(&base);
        admin.login("admin52", PASSWORD);
        let cookies = admin
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ");
        let got = call(
            "GET",
            &url,
            &[("Authorization", &bearer), ("Cookie", &cookies)],
        );
        assert_eq!(got.status, 400, "{l}");
        assert_eq!(json(&got)["error"]["code"], "api.token_and_cookie", "{l}");

        // A wrong token or scheme: 401 with WWW-Authenticate, translated.
        let got = call(
            "GET",
            &url,
            &[
                ("Authorization", "Bearer snrg_nope"),
                ("Accept-Language", "en"),
            ],
        );
        assert_eq!(got.status, 401, "{l}");
        assert!(header(&got, "www-authenticate").is_some_and(|v| v.starts_with("Bearer")));
        let e = json(&got);
        assert_eq!(e["error"]["code"], "api.token_invalid", "{l}");
        assert!(
            e["error"]["message"].as_str().unwrap().contains("revoked"),
            "{l}: {e}"
        );
        let got = call("GET", &url, &[("Authorization", "Basic YTpi")]);
        assert_eq!(got.status, 401, "{l}");
        assert!(
            json(&got)["error"]["message"]
                .as_str()
                .unwrap()
                .contains("Bearer"),
            "{l}"
        );

        // A POST with the token and no CSRF token reaches the handler (which wants a file).
        let got = call(
            "POST",
            &format!("{base}/api/v1/daftar"),
            &[
                ("Authorization", &bearer),
                ("Content-Type", "multipart/form-data; boundary=b"),
            ],
        );
        assert_ne!(
            json(&got)["error"]["code"],
            "error.csrf",
            "{l}: {}",
            got.body
        );
        assert_eq!(got.status, 400, "{l}: {}", got.body);

        // Every use is in the audit log with the label.
        let audit = admin.get("/admin/audit?aksi=api.use");
        assert_eq!(audit.status, 200, "{l}");
        assert!(audit.body.contains("svc.lotim"), "{l}");
        assert!(audit.body.contains("SIKS Lotim"), "{l}");

        // The rate limit: a burst, then 429 with Retry-After.
        let mut limited = None;
        for _ in 0..40 {
            let got = call(
                "GET",
                &format!("{base}/api/v1/wilayah"),
                &[("Authorization", &bearer)],
            );
            if got.status == 429 {
                limited = Some(got);
                break;
            }
            assert_eq!(got.status, 200, "{l}");
        }
        let limited = limited.unwrap_or_else(|| panic!("{l}: never limited"));
        assert!(header(&limited, "retry-after").is_some(), "{l}");
        assert_eq!(json(&limited)["error"]["code"], "api.rate_limited", "{l}");

        // Listed on the admin page, revoked there: refused at once.
        let page = admin.get("/admin/token");
        assert_eq!(page.status, 200, "{l}");
        assert!(page.body.contains("SIKS Lotim"), "{l}");
        assert!(
            !page.body.contains(&secret),
            "{l}: the secret is never shown again"
        );
        let id = page
            .body
            .split("/admin/token/")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap()
            .to_string();
        let done = admin.post(&format!("/admin/token/{id}/cabut"), &[]);
        assert_eq!(done.status, 303, "{l}: {}", done.body);
        let got = call("GET", &url, &[("Authorization", &bearer)]);
        assert_eq!(got.status, 401, "{l}");

        // Issued on the page: the secret shown once, and it works.
        let issued = admin.post(
            "/admin/token",
            &[
                ("label", "Portal Satu Data"),
                ("username", "svc.satudata"),
                ("role", "pimpinan"),
                ("regions", "52"),
                ("organisation", ""),
                ("days", "30"),
            ],
        );
        assert_eq!(issued.status, 200, "{l}: {}", issued.body);
        let new_secret = issued
            .body
            .split("<code>snrg_")
            .nth(1)
            .and_then(|rest| rest.split('<').next())
            .map(|s| format!("snrg_{s}"))
            .unwrap_or_else(|| panic!("{l}: no secret shown"));
        let got = call(
            "GET",
            &url,
            &[("Authorization", &format!("Bearer {new_secret}"))],
        );
        assert_eq!(got.status, 200, "{l}");
        assert_eq!(
            json(&got)["total"],
            6,
            "{l}: the province's board sees all six"
        );
        // An admin token is refused with a message on the form.
        let refused = admin.post(
            "/admin/token",
            &[
                ("label", "x"),
                ("username", "svc.admin"),
                ("role", "admin_provinsi"),
                ("regions", "52"),
                ("days", "30"),
            ],
        );
        assert_eq!(refused.status, 400, "{l}");
        common::assert_light_and_local("/admin/token", &admin.get("/admin/token").body);
    }
}

/// Every error under /api/v1 has one shape, in the caller's language: an unknown address, a
/// method the address does not take, a bad query value, no login.
#[test]
fn every_api_error_has_the_one_translated_shape() {
    let (base, _stop) = common::start(TestDb::sqlite());
    let cases = [
        ("GET", "/api/v1/tidak-ada", 404, "error.not_found"),
        (
            "GET",
            "/api/v1/wilayah/cari?q=bima&hal=x",
            400,
            "error.bad_input",
        ),
        ("GET", "/api/v1/penerima", 401, "error.login_required"),
        ("GET", "/api/v1/wilayah/99", 404, "error.region_not_found"),
    ];
    for (lang, header_value) in [("id", "id-ID"), ("en", "en-US,en;q=0.9")] {
        for (method, path, status, code) in cases {
            let got = call(
                method,
                &format!("{base}{path}"),
                &[("Accept-Language", header_value)],
            );
            assert_eq!(got.status, status, "{method} {path}: {}", got.body);
            let e = json(&got);
            assert_eq!(e["error"]["code"], code, "{method} {path}");
            let message = e["error"]["message"].as_str().unwrap();
            let t = sinergi_web::i18n::Messages::new(if lang == "en" {
                sinergi_web::i18n::Lang::En
            } else {
                sinergi_web::i18n::Lang::Id
            });
            assert_eq!(message, t.get(code), "{lang} {method} {path}");
            assert!(e["error"].get("detail").is_some(), "{method} {path}");
        }
    }
}

/// The served spec is the committed one (`docs/openapi.json`): a change to the API shows in
/// review. `SINERGI_UPDATE_OPENAPI=1` rewrites the committed file instead of failing.
#[test]
fn the_served_openapi_spec_is_the_committed_one_and_the_docs_page_lists_it() {
    let (base, _stop) = common::start(TestDb::sqlite());
    let got = call("GET", &format!("{base}/api/v1/openapi.json"), &[]);
    assert_eq!(got.status, 200);
    let spec = json(&got);
    assert_eq!(spec["openapi"], "3.1.0");
    assert!(spec["paths"]["/api/v1/penerima"]["get"].is_object());
    assert_eq!(
        spec["components"]["securitySchemes"]["token"]["scheme"],
        "bearer"
    );
    let committed =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/openapi.json");
    if std::env::var("SINERGI_UPDATE_OPENAPI").is_ok_and(|v| v == "1") {
        std::fs::write(&committed, &got.body).unwrap();
    }
    let on_disk = std::fs::read_to_string(&committed).unwrap_or_default();
    assert!(
        on_disk == got.body,
        "docs/openapi.json differs from the served spec: review the API change, then run \
         SINERGI_UPDATE_OPENAPI=1 cargo test -p sinergi-web --test it openapi"
    );
    let docs = call("GET", &format!("{base}/api/v1/docs"), &[]);
    assert_eq!(docs.status, 200);
    assert!(docs.body.contains("/api/v1/penerima/{id}"));
    assert!(docs.body.contains("/api/v1/openapi.json"));
    common::assert_light_and_local("/api/v1/docs", &docs.body);
}
