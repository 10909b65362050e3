//! API tokens for machines. A token acts as its own service account (an `app_user` row marked
//! `service`, which cannot sign in with a password) holding the role and scope the token was
//! issued with, so everything a token does goes through the same scoped store as a person.
//! Only the SHA-256 of a token is stored (tokens are 256 random bits: a slow hash adds nothing).

use serde::Serialize;
use sinergi_core::{Msg, Principal, Role, Scope, validate_scope};

use crate::accounts::{SessionUser, new_token, time_text, token_hash};
use crate::audit::{AuditEvent, append_audit, now_text};
use crate::{Scoped, Store, StoreError, on_pool};

/// Tokens start with this, so a leaked one is recognisable (secret scanners, logs).
pub const TOKEN_PREFIX: &str = "snrg_";

/// What an admin asks for.
#[derive(Debug, Clone)]
pub struct NewApiToken {
    /// What the token is for, e.g. "SIKS Dinsos Lombok Timur" (shown in lists and the audit).
    pub label: String,
    /// The service account's username (new; lower-case letters, digits, `.`, `_`, `-`).
    pub username: String,
    pub role: Role,
    pub scope: Scope,
    /// How long the token lives, in days (see `sinergi_core::token_lifetime_ok`).
    pub days: i64,
}

/// A token just issued: the secret is shown once and never again.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub id: i64,
    pub secret: String,
}

/// A token as the admin list shows it (never the secret or its hash).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ApiTokenSummary {
    pub id: i64,
    pub label: String,
    pub prefix: String,
    pub username: String,
    pub role: Role,
    pub scope: Scope,
    pub created_at: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
    pub last_used_at: Option<String>,
}

impl ApiTokenSummary {
    /// Neither revoked nor expired at `now` (stored time text).
    pub fn is_live(&self, now: &str) -> bool {
        self.revoked_at.is_none() && self.expires_at.as_str() > now
    }
}

/// The machine behind a live token.
#[derive(Debug, Clone)]
pub struct TokenUser {
    pub token_id: i64,
    pub label: String,
    pub user: SessionUser,
}

fn refused(reason: Msg) -> StoreError {
    StoreError::Refused(reason)
}

type TokenRow = (
    i64,
    String,
    String,
    i64,
    String,
    String,
    Option<String>,
    Option<String>,
);

impl Scoped<'_> {
    /// Where the organisation of `scope` sits, for the access rule (refused if unknown).
    async fn token_seat(
        &self,
        scope: &Scope,
    ) -> Result<Option<sinergi_core::RegionCode>, StoreError> {
        match scope.organisation {
            None => Ok(None),
            Some(org) => match self.organisation_region(org).await? {
                Some(seat) => Ok(Some(seat)),
                None => Err(refused(
                    Msg::new("accounts.organisation_missing").arg("id", org),
                )),
            },
        }
    }

    /// Issues a token with its own service account, in one transaction with its audit entry
    /// (`api_token.issue`, naming the label, never the secret).
    pub async fn issue_api_token(&self, new: NewApiToken) -> Result<IssuedToken, StoreError> {
        let label = new.label.trim().to_string();
        if label.is_empty() || label.chars().count() > 100 {
            return Err(refused(Msg::new("api.token_label_form")));
        }
        if !sinergi_core::token_lifetime_ok(new.days) {
            return Err(refused(
                Msg::new("api.token_days_form").arg("max", sinergi_core::API_TOKEN_MAX_DAYS),
            ));
        }
        crate::accounts::check_username(&new.username)?;
        validate_scope(new.role, &new.scope).map_err(|e| {
            use sinergi_core::Localized;
            refused(e.msg())
        })?;
        let seat = self.token_seat(&new.scope).await?;
        if !self
            .viewer()
            .may_issue_token(new.role, &new.scope, seat.as_ref())
        {
            return Err(StoreError::Forbidden);
        }
        let secret = format!("{TOKEN_PREFIX}{}", new_token());
        let hash = token_hash(&secret);
        let prefix: String = secret.chars().take(TOKEN_PREFIX.len() + 6).collect();
        let now_t = chrono::Utc::now();
        let now = time_text(now_t);
        let expires = time_text(now_t + chrono::Duration::days(new.days));
        let created_by = self.viewer().principal().map(|p| p.user_id);
        let actor = self.actor();
        let region = new.scope.regions.first().map(|r| r.to_string());
        let result: Result<i64, sqlx::Error> = on_pool!(self, |pool| {
            async {
                let mut tx = pool.begin().await?;
                // The password hash is not a PHC string: no password ever verifies against it.
                let user_id: i64 = sqlx::query_scalar(
                    "INSERT INTO app_user (username, display_name, password_hash, role, organisation_id, \
                     disabled, must_change_password, created_at, password_changed_at, service) \
                     VALUES ($1, $2, '!', $3, $4, $5, $5, $6, $6, $7) RETURNING id",
                )
                .bind(&new.username)
                .bind(&label)
                .bind(new.role.key())
                .bind(new.scope.organisation)
                .bind(false)
                .bind(&now)
                .bind(true)
                .fetch_one(&mut *tx)
                .await?;
                for r in &new.scope.regions {
                    sqlx::query("INSERT INTO user_region (user_id, region_code) VALUES ($1, $2)")
                        .bind(user_id)
                        .bind(r.to_string())
                        .execute(&mut *tx)
                        .await?;
                }
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO api_token (user_id, label, token_hash, prefix, created_by, created_at, expires_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(user_id)
                .bind(&label)
                .bind(&hash)
                .bind(&prefix)
                .bind(created_by)
                .bind(&now)
                .bind(&expires)
                .fetch_one(&mut *tx)
                .await?;
                let mut event = AuditEvent::new(actor.clone(), "api_token.issue", "api_token")
                    .id(id)
                    .after(serde_json::json!({
                        "label": label,
                        "akun": new.username,
                        "peran": new.role.key(),
                        "cakupan": new.scope,
                        "berlaku_sampai": expires,
                    }));
                event.region = region.clone();
                append_audit!(tx, &event);
                tx.commit().await?;
                Ok(id)
            }
            .await
        });
        let id = result.map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                StoreError::UsernameTaken(new.username.clone())
            }
            e => StoreError::Query(e),
        })?;
        Ok(IssuedToken { id, secret })
    }

    /// The tokens this viewer may manage (an admin: those whose scope lies in theirs), newest
    /// first. Few per deployment, so filtered in Rust with the same rule as issuing.
    pub async fn api_tokens(&self) -> Result<Vec<ApiTokenSummary>, StoreError> {
        self.require_admin()?;
        let rows: Vec<TokenRow> = on_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT t.id, t.label, t.prefix, t.user_id, t.created_at, t.expires_at, t.revoked_at, t.last_used_at \
             FROM api_token t ORDER BY t.id DESC"
        )
        .fetch_all(pool)
        .await
        })?;
        let mut out = Vec::new();
        for row in rows {
            if let Some(summary) = self.token_summary(row).await? {
                out.push(summary);
            }
        }
        Ok(out)
    }

    async fn token_summary(&self, row: TokenRow) -> Result<Option<ApiTokenSummary>, StoreError> {
        let Some(user) = self.load_account(row.3).await? else {
            return Ok(None);
        };
        let seat = self.token_seat(&user.scope).await.ok().flatten();
        if !self
            .viewer()
            .may_issue_token(user.role, &user.scope, seat.as_ref())
        {
            return Ok(None);
        }
        Ok(Some(ApiTokenSummary {
            id: row.0,
            label: row.1,
            prefix: row.2,
            username: user.username,
            role: user.role,
            scope: user.scope,
            created_at: row.4,
            expires_at: row.5,
            revoked_at: row.6,
            last_used_at: row.7,
        }))
    }

    /// One token this viewer may manage.
    pub async fn api_token(&self, id: i64) -> Result<Option<ApiTokenSummary>, StoreError> {
        self.require_admin()?;
        let row: Option<TokenRow> = on_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT t.id, t.label, t.prefix, t.user_id, t.created_at, t.expires_at, t.revoked_at, t.last_used_at \
             FROM api_token t WHERE t.id = $1"
        )
        .bind(id)
        .fetch_optional(pool)
        .await
        })?;
        match row {
            Some(row) => self.token_summary(row).await,
            None => Ok(None),
        }
    }

    /// Revokes a token at once (audited as `api_token.revoke`); revoking twice changes nothing.
    /// False when there is no such token this viewer may manage.
    pub async fn revoke_api_token(&self, id: i64) -> Result<bool, StoreError> {
        let Some(token) = self.api_token(id).await? else {
            return Ok(false);
        };
        if token.revoked_at.is_some() {
            return Ok(true);
        }
        let now = now_text();
        let mut event = AuditEvent::new(self.actor(), "api_token.revoke", "api_token")
            .id(id)
            .after(serde_json::json!({ "label": token.label }));
        event.region = token.scope.regions.first().map(|r| r.to_string());
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "UPDATE api_token SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
            )
            .bind(&now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(true)
    }
}

impl Store {
    /// The service account behind a live (not revoked, not expired) token; `last_used_at` is
    /// refreshed at most once a minute so reads stay reads.
    pub async fn token_user(&self, secret: &str) -> Result<Option<TokenUser>, StoreError> {
        if !secret.starts_with(TOKEN_PREFIX) || secret.len() > 200 {
            return Ok(None);
        }
        let hash = token_hash(secret);
        let now_t = chrono::Utc::now();
        let now = time_text(now_t);
        let row: Option<(i64, String, i64, Option<String>)> = on_pool!(self, |pool| {
            sqlx::query_as(
                "SELECT id, label, user_id, last_used_at FROM api_token \
                 WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2",
            )
            .bind(&hash)
            .bind(&now)
            .fetch_optional(pool)
            .await
        })?;
        let Some((token_id, label, user_id, last_used)) = row else {
            return Ok(None);
        };
        let Some(user) = self.load_session_user(user_id).await? else {
            return Ok(None);
        };
        if last_used.is_none_or(|t| t < time_text(now_t - chrono::Duration::minutes(1))) {
            on_pool!(self, |pool| sqlx::query(
                "UPDATE api_token SET last_used_at = $1 WHERE id = $2"
            )
            .bind(&now)
            .bind(token_id)
            .execute(pool)
            .await
            .map(|_| ()))?;
        }
        Ok(Some(TokenUser {
            token_id,
            label,
            user,
        }))
    }

    /// Records one use of a token: who (the service account), which token (its label), what
    /// was asked. Every request with a token is audited, reads included.
    pub async fn record_token_use(
        &self,
        token: &TokenUser,
        method: &str,
        path: &str,
    ) -> Result<(), StoreError> {
        let principal: &Principal = &token.user.principal;
        let mut event = AuditEvent::new(principal, "api.use", "api_token")
            .id(token.token_id)
            .after(serde_json::json!({
                "label": token.label,
                "metode": method,
                "jalur": path,
            }));
        event.region = principal.scope.regions.first().map(|r| r.to_string());
        self.record(&event).await
    }
}
