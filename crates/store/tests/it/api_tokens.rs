//! Issue 23: API tokens. Only the hash is stored; a token acts as its service account with the
//! role and scope it was issued with; revoked and expired tokens open nothing; the admin rule
//! is core's. On both backends.

use sinergi_core::{Role, Scope, Viewer};
use sinergi_store::{AuditQuery, NewApiToken, Page, StoreError, TOKEN_PREFIX};
use sinergi_testkit::TestDb;
use sinergi_testkit::world::{build, code};

fn new_token(username: &str, role: Role, regions: &[&str], org: Option<i64>) -> NewApiToken {
    NewApiToken {
        label: format!("Sistem {username}"),
        username: username.into(),
        role,
        scope: Scope {
            regions: regions.iter().map(|r| code(r)).collect(),
            organisation: org,
        },
        days: 30,
    }
}

#[tokio::test]
async fn tokens_are_hashed_scoped_revocable_and_audited() {
    for db in TestDb::all().await {
        let l = db.label;
        let w = build(&db).await;
        let admin = w.principal("admin52").await;
        let as_admin = w.store.as_user(&admin);

        let issued = as_admin
            .issue_api_token(new_token(
                "svc.lotim",
                Role::OperatorKabKota,
                &["52.03"],
                None,
            ))
            .await
            .unwrap();
        assert!(issued.secret.starts_with(TOKEN_PREFIX), "{l}");
        // Only the hash is stored: the secret appears in no column of the table.
        let s = &issued.secret;
        let found = db
            .raw(&format!(
                "SELECT 1 FROM api_token WHERE token_hash = '{s}' OR prefix = '{s}' OR label = '{s}'"
            ))
            .await;
        assert!(found.is_empty(), "{l}: secret stored");
        let hashed = db
            .raw("SELECT 1 FROM api_token WHERE length(token_hash) = 64")
            .await;
        assert_eq!(hashed.len(), 1, "{l}: a SHA-256 in hex");

        let user = w.store.token_user(&issued.secret).await.unwrap().unwrap();
        assert_eq!(user.label, "Sistem svc.lotim", "{l}");
        assert_eq!(user.user.principal.role, Role::OperatorKabKota, "{l}");
        assert_eq!(
            user.user.principal.scope.regions,
            vec![code("52.03")],
            "{l}"
        );
        assert!(
            w.store.token_user("snrg_wrong").await.unwrap().is_none(),
            "{l}"
        );
        assert!(
            w.store.token_user("no-prefix").await.unwrap().is_none(),
            "{l}"
        );
        // The service account cannot sign in with a password.
        let login = w
            .store
            .login("svc.lotim", "!", "127.0.0.1", &Default::default())
            .await
            .unwrap();
        assert!(login.is_err(), "{l}");

        // Every use is audited with the label.
        w.store
            .record_token_use(&user, "GET", "/api/v1/wilayah")
            .await
            .unwrap();
        let entries = as_admin
            .audit_entries(
                &AuditQuery {
                    action: Some("api.use".into()),
                    ..Default::default()
                },
                Page::new(None, None, 10),
            )
            .await
            .unwrap();
        assert_eq!(entries.items.len(), 1, "{l}");
        let after = format!("{:?}", entries.items[0]);
        assert!(after.contains("Sistem svc.lotim"), "{l}: {after}");
        assert!(after.contains("/api/v1/wilayah"), "{l}: {after}");

        // Listed for the admin of 52, not for the admin of 33 nor an operator.
        let listed = as_admin.api_tokens().await.unwrap();
        assert_eq!(listed.len(), 1, "{l}");
        assert_eq!(listed[0].username, "svc.lotim", "{l}");
        assert!(listed[0].last_used_at.is_some(), "{l}");
        let admin33 = w.principal("admin33").await;
        assert!(
            w.store
                .as_user(&admin33)
                .api_tokens()
                .await
                .unwrap()
                .is_empty(),
            "{l}"
        );
        assert!(
            !w.store
                .as_user(&admin33)
                .revoke_api_token(issued.id)
                .await
                .unwrap(),
            "{l}: another province's token"
        );
        let op = w.principal("op5203").await;
        assert!(matches!(
            w.store.as_user(&op).api_tokens().await,
            Err(StoreError::Forbidden)
        ));

        // Refused: an admin token, outside the scope, an unknown lifetime, a taken name.
        let refusals = [
            new_token("svc.admin", Role::AdminProvinsi, &["52"], None),
            new_token("svc.jateng", Role::OperatorKabKota, &["33.01"], None),
            NewApiToken {
                days: 0,
                ..new_token("svc.forever", Role::Pimpinan, &["52"], None)
            },
            new_token("svc.lotim", Role::Pimpinan, &["52"], None),
        ];
        for r in refusals {
            let name = r.username.clone();
            assert!(
                as_admin.issue_api_token(r).await.is_err(),
                "{l}: {name} should be refused"
            );
        }
        // A partner token for an organisation in the province.
        let partner = as_admin
            .issue_api_token(new_token("svc.mitra", Role::Mitra, &[], Some(w.orgs[0])))
            .await
            .unwrap();
        let p = w.store.token_user(&partner.secret).await.unwrap().unwrap();
        assert_eq!(p.user.principal.scope.organisation, Some(w.orgs[0]), "{l}");

        // Revoked: opens nothing, and the revocation is audited.
        assert!(as_admin.revoke_api_token(issued.id).await.unwrap(), "{l}");
        assert!(
            w.store.token_user(&issued.secret).await.unwrap().is_none(),
            "{l}"
        );
        let revoked = as_admin.api_token(issued.id).await.unwrap().unwrap();
        assert!(revoked.revoked_at.is_some(), "{l}");
        // Expired: opens nothing either.
        db.raw("UPDATE api_token SET expires_at = '2000-01-01T00:00:00.000000Z'")
            .await;
        assert!(
            w.store.token_user(&partner.secret).await.unwrap().is_none(),
            "{l}"
        );

        // The system (CLI) may issue too.
        let cli = w
            .store
            .scoped(&Viewer::System("cli"))
            .issue_api_token(new_token("svc.cli", Role::Pimpinan, &["52"], None))
            .await;
        assert!(cli.is_ok(), "{l}");
        let chain = w.store.verify_audit_chain().await.unwrap();
        assert!(chain.broken.is_none() && !chain.head_mismatch, "{l}");
    }
}
