//! Issue 17: every private page and download is `Cache-Control: no-store`, and registry
//! exports that carry contacts are audited like by-name exports. The routes are read from the
//! web crate's own source, so a route added later is walked too: every route asked by a
//! signed-in account (a GET, whatever it answers: page, download, redirect, refusal, 405), and
//! every API route asked with a bearer token, answers `no-store`. Both backends.

use crate::common;

use common::{Client, header, route_paths};
use sinergi_core::{Role, Scope};
use sinergi_store::NewApiToken;
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{PASSWORD, build, code};

/// A route with its parameters filled in: a region code, a language, else an id.
fn concrete(route: &str) -> String {
    route
        .split('/')
        .map(|seg| match seg {
            "{code}" | "{kode}" => "52.03",
            "{lang}" => "en",
            s if s.starts_with('{') => "1",
            s => s,
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[test]
fn every_private_route_and_download_is_no_store_for_sessions_and_tokens() {
    let routes = route_paths();
    // The extraction itself must work: the site has well over a hundred routes.
    assert!(routes.len() > 100, "only {} routes found", routes.len());
    for needed in [
        "/penerima/ekspor.csv",
        "/lks/ekspor.xlsx",
        "/api/v1/penerima",
    ] {
        assert!(routes.iter().any(|r| r == needed), "{needed} not found");
    }
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
        let admin = rt.block_on(world.principal("admin52"));
        let token = rt
            .block_on(world.store.as_user(&admin).issue_api_token(NewApiToken {
                label: "cache check".into(),
                username: "svc.cache".into(),
                role: Role::OperatorKabKota,
                scope: Scope {
                    regions: vec![code("52.03")],
                    organisation: None,
                },
                days: 30,
            }))
            .unwrap()
            .secret;
        let key = world.key.clone();
        rt.block_on(world.store.close());
        drop(world);
        let (base, _stop) = common::start_keyed(db, Some(key));

        for username in ["admin52", "op5203"] {
            let mut c = Client::new(&base);
            assert_eq!(c.login(username, PASSWORD).status, 303, "{l}: {username}");
            for route in &routes {
                // Signing out or switching the language would end or change the session
                // mid-walk; they are POST or cookie-only routes, checked at the end.
                if route.starts_with("/keluar") || route.starts_with("/bahasa") {
                    continue;
                }
                // Outside the session layer on purpose, the same for everyone: the health
                // check ("ok") and the stylesheet (cached an hour).
                if route == "/healthz" || route == "/static/app.css" {
                    continue;
                }
                let path = concrete(route);
                let got = c.get(&path);
                assert_eq!(
                    header(&got, "cache-control"),
                    Some("no-store"),
                    "{l}: {username} GET {path} ({}) may be cached",
                    got.status
                );
            }
            let lang = c.get("/bahasa/en");
            assert_eq!(header(&lang, "cache-control"), Some("no-store"), "{l}");
        }

        // A machine with a bearer token: every API route, no cookies anywhere.
        let bearer = format!("Bearer {token}");
        let mut api_routes = 0;
        for route in routes.iter().filter(|r| r.starts_with("/api/")) {
            api_routes += 1;
            let path = concrete(route);
            let got = crate::api_tokens::call(
                "GET",
                &format!("{base}{path}"),
                &[("Authorization", &bearer)],
            );
            assert_eq!(
                header(&got, "cache-control"),
                Some("no-store"),
                "{l}: token GET {path} ({}) may be cached",
                got.status
            );
        }
        assert!(api_routes > 5, "{l}: {api_routes} API routes");

        // Registry exports carry contacts: each download is audited, the search term only
        // as its fingerprint.
        let mut admin = Client::new(&base);
        admin.login("admin52", PASSWORD);
        for (path, action) in [
            ("/lks/ekspor.csv?q=Kasih", "lks.export"),
            ("/lkks/ekspor.xlsx", "lkks.export"),
            ("/mitra/ekspor.csv?q=Kasih", "partner.export"),
        ] {
            let got = admin.get(path);
            assert_eq!(got.status, 200, "{l}: {path}: {}", got.body);
            assert_eq!(header(&got, "cache-control"), Some("no-store"), "{l}");
            let audit = admin.get(&format!("/admin/audit?aksi={action}"));
            assert_eq!(audit.status, 200, "{l}");
            assert!(
                audit.body.contains(&format!("title=\"{action}\"")),
                "{l}: {path} is not in the audit log"
            );
            assert!(
                !audit.body.contains("Kasih"),
                "{l}: {path}: the search term is in the audit log"
            );
        }
    }
}
