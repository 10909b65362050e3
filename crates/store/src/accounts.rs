//! Accounts, sessions and login throttling. Passwords are argon2id hashes; session tokens are
//! kept only as SHA-256 hashes. Nothing here logs a password, a token or a hash.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sinergi_core::{Localized, Msg, Principal, RegionCode, Role, Scope, validate_scope};
use sqlx::AssertSqlSafe;

use crate::audit::{Actor, AuditEvent, append_audit, now_text};
use crate::{Page, Paged, Scoped, Store, StoreError, on_pool};

/// argon2id with OWASP's first recommended setting: 19 MiB, 2 passes, 1 lane. On the 2-core
/// reference machine one hash costs ≈ 20–30 ms (see BENCHMARKS.md): slow for guessing,
/// cheap enough that a small server handles a room full of users signing in at once.
pub const ARGON2_MEMORY_KIB: u32 = 19 * 1024;
pub const ARGON2_PASSES: u32 = 2;
pub const ARGON2_LANES: u32 = 1;

pub const MIN_PASSWORD_CHARS: usize = 10;

/// Sessions end after this long without a request, and after `SESSION_ABSOLUTE` regardless.
pub const SESSION_IDLE: chrono::Duration = chrono::Duration::hours(8);
pub const SESSION_ABSOLUTE: chrono::Duration = chrono::Duration::days(7);

/// Failed logins are slowed down, never locked out for a fixed time (OWASP authentication
/// guidance): past a number of free failures within the window, each further failure makes
/// the next attempt wait twice as long, from `first_delay` up to a cap. Counted per account
/// and address together (an attacker elsewhere cannot shut the owner out), per address (one
/// address guessing many accounts), and per account from anywhere (distributed guessing;
/// its cap is short). An admin can release an account's delays.
#[derive(Debug, Clone, Copy)]
pub struct ThrottlePolicy {
    /// Free failures on one account from one address.
    pub per_account: i64,
    /// Free failures from one address, on any accounts.
    pub per_address: i64,
    /// Free failures on one account, from any addresses.
    pub per_account_anywhere: i64,
    pub window: chrono::Duration,
    /// The first delay; each further failure doubles it.
    pub first_delay: chrono::Duration,
    /// The longest delay for an account and address, or for an address.
    pub lockout: chrono::Duration,
    /// The longest delay for an account from any address.
    pub account_max_delay: chrono::Duration,
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy {
            per_account: 5,
            per_address: 20,
            per_account_anywhere: 20,
            window: chrono::Duration::minutes(15),
            first_delay: chrono::Duration::seconds(1),
            lockout: chrono::Duration::minutes(15),
            account_max_delay: chrono::Duration::minutes(1),
        }
    }
}

impl ThrottlePolicy {
    /// The wait after the `failures`-th failure when `free` are allowed, at most `cap`.
    pub fn delay(
        &self,
        failures: i64,
        free: i64,
        cap: chrono::Duration,
    ) -> Option<chrono::Duration> {
        if failures < free {
            return None;
        }
        let doublings = (failures - free).clamp(0, 30) as u32;
        let ms = self
            .first_delay
            .num_milliseconds()
            .saturating_mul(1i64 << doublings);
        Some(chrono::Duration::milliseconds(ms).min(cap))
    }
}

fn pair_key(username: &str, address: &str) -> String {
    format!("akun-alamat:{username}|{address}")
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(ARGON2_MEMORY_KIB, ARGON2_PASSES, ARGON2_LANES, None)
        .expect("valid argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Hashes a password (blocking; call from `spawn_blocking` or via the async wrappers).
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).expect("the operating system's random source");
    let salt = SaltString::encode_b64(&salt).expect("16-byte salt");
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashing")
        .to_string()
}

/// Verifies a password against a stored PHC string (blocking).
pub fn verify_password(password: &str, phc: &str) -> bool {
    PasswordHash::new(phc)
        .map(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
        .unwrap_or(false)
}

async fn hash_password_async(password: String) -> String {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .expect("hashing task")
}

async fn verify_password_async(password: String, phc: String) -> bool {
    tokio::task::spawn_blocking(move || verify_password(&password, &phc))
        .await
        .expect("verification task")
}

/// A hash with the same cost as a real one, checked when the account does not exist so the
/// response time does not tell which usernames exist.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| hash_password("sinergi-dummy-password"))
}

pub fn check_password_policy(password: &str, username: &str) -> Result<(), StoreError> {
    let reason = if password.chars().count() < MIN_PASSWORD_CHARS {
        Some(Msg::new("accounts.password_too_short").arg("min", MIN_PASSWORD_CHARS))
    } else if password.eq_ignore_ascii_case(username) {
        Some(Msg::new("accounts.password_is_username"))
    } else {
        None
    };
    match reason {
        Some(reason) => Err(field_refused("accounts.field_password", reason)),
        None => Ok(()),
    }
}

pub(crate) fn check_username(username: &str) -> Result<(), StoreError> {
    let ok = (3..=40).contains(&username.len())
        && username
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"._-".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(field_refused(
            "accounts.field_username",
            Msg::new("accounts.username_form"),
        ))
    }
}

/// A refused field: the field's label and the reason, both catalogue messages.
fn field_refused(field: &'static str, reason: Msg) -> StoreError {
    StoreError::Refused(
        Msg::new("error.field_labelled")
            .arg_msg("field", Msg::new(field))
            .arg_msg("reason", reason),
    )
}

pub(crate) fn token_hash(token: &str) -> String {
    sinergi_core::audit::hex(&Sha256::digest(token.as_bytes()))
}

pub(crate) fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub(crate) fn time_text(t: chrono::DateTime<chrono::Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub password: String,
    pub role: Role,
    pub scope: Scope,
}

/// An account as the admin pages show it (never the hash).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UserSummary {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub scope: Scope,
    pub organisation_name: Option<String>,
    pub disabled: bool,
    pub must_change_password: bool,
    pub created_at: String,
}

/// The changeable part of an account.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UserChange {
    pub display_name: String,
    pub role: Role,
    pub scope: Scope,
    pub disabled: bool,
}

/// Why a login failed. Wrong name and wrong password are one case on purpose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginError {
    BadCredentials,
    Locked { until: String },
    Disabled,
}

/// A new session: the token goes into the cookie and is never stored.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub token: String,
    pub principal: Principal,
    pub must_change_password: bool,
}

/// A signed-in request's user and session facts.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub principal: Principal,
    /// The same user as the viewer that scoped data is read for.
    pub viewer: sinergi_core::Viewer,
    pub display_name: String,
    pub must_change_password: bool,
}

type UserRow = (
    i64,
    String,
    String,
    String,
    Option<i64>,
    bool,
    bool,
    String,
    Option<String>,
);

const USER_COLUMNS: &str = "u.id, u.username, u.display_name, u.role, u.organisation_id, \
                            u.disabled, u.must_change_password, u.created_at, o.name";

impl Store {
    async fn user_row(&self, id: i64) -> Result<Option<UserRow>, StoreError> {
        let sql = AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM app_user u LEFT JOIN organisation o ON o.id = u.organisation_id WHERE u.id = $1"
        ));
        Ok(on_pool!(self, |pool| sqlx::query_as(sql)
            .bind(id)
            .fetch_optional(pool)
            .await)?)
    }

    async fn user_regions(&self, user_id: i64) -> Result<Vec<RegionCode>, StoreError> {
        let codes: Vec<String> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT region_code FROM user_region WHERE user_id = $1 ORDER BY region_code"
        )
        .bind(user_id)
        .fetch_all(pool)
        .await)?;
        codes
            .iter()
            .map(|c| {
                RegionCode::parse(c).map_err(|e| StoreError::Corrupt(format!("wilayah {c}: {e}")))
            })
            .collect()
    }

    async fn summary(&self, row: UserRow) -> Result<UserSummary, StoreError> {
        let role = Role::from_key(&row.3)
            .ok_or_else(|| StoreError::Corrupt(format!("peran {}", row.3)))?;
        Ok(UserSummary {
            scope: Scope {
                regions: self.user_regions(row.0).await?,
                organisation: row.4,
            },
            id: row.0,
            username: row.1,
            display_name: row.2,
            role,
            disabled: row.5,
            must_change_password: row.6,
            created_at: row.7,
            organisation_name: row.8,
        })
    }

    /// An account by id, whoever may manage it (callers apply the rule).
    pub(crate) async fn load_account(&self, id: i64) -> Result<Option<UserSummary>, StoreError> {
        match self.user_row(id).await? {
            Some(row) => Ok(Some(self.summary(row).await?)),
            None => Ok(None),
        }
    }

    pub(crate) async fn organisation_region(
        &self,
        id: i64,
    ) -> Result<Option<RegionCode>, StoreError> {
        let code: Option<String> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT region_code FROM organisation WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(pool)
        .await)?;
        Ok(code.and_then(|c| RegionCode::parse(&c).ok()))
    }
}

impl Scoped<'_> {
    /// Whether this viewer may give an account this scope (the rule is core's
    /// `Viewer::may_manage_account`; the store supplies the organisation's seat).
    async fn check_manageable(&self, scope: &Scope) -> Result<(), StoreError> {
        let seat = match scope.organisation {
            Some(org) => match self.organisation_region(org).await? {
                Some(seat) => Some(seat),
                None => {
                    return Err(field_refused(
                        "accounts.field_organisation",
                        Msg::new("accounts.organisation_missing").arg("id", org),
                    ));
                }
            },
            None => None,
        };
        if self.viewer().may_manage_account(scope, seat.as_ref()) {
            Ok(())
        } else {
            Err(StoreError::Forbidden)
        }
    }

    /// Creates an account, by an admin within their scope or by the system (the CLI).
    /// Accounts made by an admin must choose a new password at first login.
    pub async fn create_user(&self, new: NewUser) -> Result<i64, StoreError> {
        check_username(&new.username)?;
        check_password_policy(&new.password, &new.username)?;
        validate_scope(new.role, &new.scope)
            .map_err(|e| field_refused("accounts.field_scope", e.msg()))?;
        self.check_manageable(&new.scope).await?;
        let by_admin = !self.viewer().is_system();
        let hash = hash_password_async(new.password.clone()).await;
        let now = now_text();
        let actor = self.actor();
        let region = new.scope.regions.first().map(|r| r.to_string());
        let result: Result<i64, sqlx::Error> = on_pool!(self, |pool| {
            async {
            let mut tx = pool.begin().await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO app_user (username, display_name, password_hash, role, organisation_id, \
                 disabled, must_change_password, created_at, password_changed_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
            )
            .bind(&new.username)
            .bind(&new.display_name)
            .bind(&hash)
            .bind(new.role.key())
            .bind(new.scope.organisation)
            .bind(false)
            .bind(by_admin)
            .bind(&now)
            .fetch_one(&mut *tx)
            .await?;
            for r in &new.scope.regions {
                sqlx::query("INSERT INTO user_region (user_id, region_code) VALUES ($1, $2)")
                    .bind(id)
                    .bind(r.to_string())
                    .execute(&mut *tx)
                    .await?;
            }
            let mut event = AuditEvent::new(actor.clone(), "user.create", "user")
                .id(id)
                .after(UserChange {
                    display_name: new.display_name.clone(),
                    role: new.role,
                    scope: new.scope.clone(),
                    disabled: false,
                });
            event.region = region.clone();
            append_audit!(tx, &event);
            tx.commit().await?;
            Ok(id)
        }
        .await
        });
        result.map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => {
                StoreError::UsernameTaken(new.username.clone())
            }
            e => StoreError::Query(e),
        })
    }

    /// Accounts this viewer may manage, by username.
    pub async fn users(&self, page: Page) -> Result<Paged<UserSummary>, StoreError> {
        self.require_admin()?;
        // Few accounts per deployment: filter in Rust with the same rule as create/update.
        let rows: Vec<UserRow> = on_pool!(self, |pool| {
            sqlx::query_as(AssertSqlSafe(format!(
            "SELECT {USER_COLUMNS} FROM app_user u LEFT JOIN organisation o ON o.id = u.organisation_id ORDER BY u.username"
        )))
        .fetch_all(pool)
        .await
        })?;
        let mut visible = Vec::new();
        for row in rows {
            let s = self.summary(row).await?;
            if self.manages(&s.scope).await? {
                visible.push(s);
            }
        }
        let total = visible.len() as u64;
        let items = visible
            .into_iter()
            .skip(page.offset() as usize)
            .take(page.limit() as usize)
            .collect();
        Ok(Paged {
            items,
            total,
            page: page.number,
            size: page.size,
        })
    }

    async fn manages(&self, scope: &Scope) -> Result<bool, StoreError> {
        Ok(self.check_manageable(scope).await.is_ok())
    }

    /// One account, if this viewer may manage it.
    pub async fn account(&self, id: i64) -> Result<Option<UserSummary>, StoreError> {
        self.require_admin()?;
        let row = self.user_row(id).await?;
        let Some(row) = row else { return Ok(None) };
        let s = self.summary(row).await?;
        Ok(self.manages(&s.scope).await?.then_some(s))
    }

    /// Changes role, scope, name or disabled state; ends the account's sessions when its
    /// access changes.
    pub async fn update_user(&self, id: i64, change: UserChange) -> Result<(), StoreError> {
        let Some(before) = self.account(id).await? else {
            return Err(StoreError::Forbidden);
        };
        validate_scope(change.role, &change.scope)
            .map_err(|e| field_refused("accounts.field_scope", e.msg()))?;
        self.check_manageable(&change.scope).await?;
        let is_self = self.viewer().principal().is_some_and(|p| p.user_id == id);
        if is_self && (change.disabled || change.role != before.role) {
            return Err(StoreError::Refused(Msg::new("accounts.not_yourself")));
        }
        let before_change = UserChange {
            display_name: before.display_name.clone(),
            role: before.role,
            scope: before.scope.clone(),
            disabled: before.disabled,
        };
        let access_changed = before_change.role != change.role
            || before_change.scope != change.scope
            || change.disabled;
        let event = AuditEvent::new(self.actor(), "user.update", "user")
            .id(id)
            .region(
                change
                    .scope
                    .regions
                    .first()
                    .or(before.scope.regions.first())
                    .map(|r| r.to_string())
                    .unwrap_or_default(),
            )
            .before(&before_change)
            .after(&change);
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "UPDATE app_user SET display_name = $1, role = $2, organisation_id = $3, disabled = $4 WHERE id = $5",
            )
            .bind(&change.display_name)
            .bind(change.role.key())
            .bind(change.scope.organisation)
            .bind(change.disabled)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM user_region WHERE user_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            for r in &change.scope.regions {
                sqlx::query("INSERT INTO user_region (user_id, region_code) VALUES ($1, $2)")
                    .bind(id)
                    .bind(r.to_string())
                    .execute(&mut *tx)
                    .await?;
            }
            if access_changed {
                sqlx::query("DELETE FROM user_session WHERE user_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
            }
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(())
    }

    /// When the account may next try to sign in, if failed logins delay it (from any address).
    pub async fn login_delay(&self, id: i64) -> Result<Option<String>, StoreError> {
        let Some(target) = self.account(id).await? else {
            return Err(StoreError::Forbidden);
        };
        let pattern = format!(
            "{}%",
            sinergi_core::like_escape(&pair_key(&target.username, ""))
        );
        let until: Option<Option<String>> = on_pool!(self, |pool| {
            sqlx::query_scalar(
            "SELECT MAX(locked_until) FROM login_throttle WHERE throttle_key = $1 OR throttle_key LIKE $2 ESCAPE '\\'"
        )
        .bind(format!("akun:{}", target.username))
        .bind(&pattern)
        .fetch_optional(pool)
        .await
        })?;
        let now = now_text();
        Ok(until.flatten().filter(|u| u.as_str() > now.as_str()))
    }

    /// An admin releases an account's login delays (per account, and per account and address;
    /// an address's own delay stays); audited as `user.login_release`.
    pub async fn release_login_delay(&self, id: i64) -> Result<u64, StoreError> {
        let Some(target) = self.account(id).await? else {
            return Err(StoreError::Forbidden);
        };
        self.require_admin()?;
        let pattern = format!(
            "{}%",
            sinergi_core::like_escape(&pair_key(&target.username, ""))
        );
        let mut event = AuditEvent::new(self.actor(), "user.login_release", "user").id(id);
        event.region = target.scope.regions.first().map(|r| r.to_string());
        let released = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let done = sqlx::query(
                "DELETE FROM login_throttle WHERE throttle_key = $1 OR throttle_key LIKE $2 ESCAPE '\\'",
            )
            .bind(format!("akun:{}", target.username))
            .bind(&pattern)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let event = event.clone().after(serde_json::json!({ "dilepas": done }));
            append_audit!(tx, &event);
            tx.commit().await?;
            done
        });
        Ok(released)
    }

    /// An admin sets a temporary password; the user must change it at next login, and all
    /// their sessions end.
    pub async fn reset_password(&self, id: i64, temporary: &str) -> Result<(), StoreError> {
        let Some(target) = self.account(id).await? else {
            return Err(StoreError::Forbidden);
        };
        check_password_policy(temporary, &target.username)?;
        let hash = hash_password_async(temporary.to_string()).await;
        let mut event = AuditEvent::new(self.actor(), "user.password_reset", "user").id(id);
        event.region = target.scope.regions.first().map(|r| r.to_string());
        self.set_password(id, &hash, true, None, &event).await
    }
}

impl Store {
    /// The user changes their own password; every other session of theirs ends.
    pub async fn change_password(
        &self,
        user: &Principal,
        current: &str,
        new: &str,
        keep_session_token: &str,
    ) -> Result<(), StoreError> {
        let stored: String = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT password_hash FROM app_user WHERE id = $1"
        )
        .bind(user.user_id)
        .fetch_one(pool)
        .await)?;
        if !verify_password_async(current.to_string(), stored).await {
            return Err(field_refused(
                "accounts.field_current_password",
                Msg::new("accounts.password_wrong"),
            ));
        }
        check_password_policy(new, &user.username)?;
        if new == current {
            return Err(field_refused(
                "accounts.field_new_password",
                Msg::new("accounts.password_unchanged"),
            ));
        }
        let hash = hash_password_async(new.to_string()).await;
        let event = AuditEvent::new(user, "user.password_change", "user").id(user.user_id);
        self.set_password(
            user.user_id,
            &hash,
            false,
            Some(&token_hash(keep_session_token)),
            &event,
        )
        .await
    }

    async fn set_password(
        &self,
        id: i64,
        hash: &str,
        must_change: bool,
        keep_session: Option<&str>,
        event: &AuditEvent,
    ) -> Result<(), StoreError> {
        let now = now_text();
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "UPDATE app_user SET password_hash = $1, must_change_password = $2, password_changed_at = $3 WHERE id = $4",
            )
            .bind(hash)
            .bind(must_change)
            .bind(&now)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            sqlx::query("DELETE FROM user_session WHERE user_id = $1 AND token_hash <> $2")
                .bind(id)
                .bind(keep_session.unwrap_or(""))
                .execute(&mut *tx)
                .await?;
            append_audit!(tx, event);
            tx.commit().await?;
        });
        Ok(())
    }

    async fn throttle_lock(&self, key: &str, now: &str) -> Result<Option<String>, StoreError> {
        let until: Option<Option<String>> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT locked_until FROM login_throttle WHERE throttle_key = $1"
        )
        .bind(key)
        .fetch_optional(pool)
        .await)?;
        Ok(until.flatten().filter(|u| u.as_str() > now))
    }

    /// Counts a failure under `key` and, past `free` failures in the window, sets the next
    /// allowed attempt `delay` later (doubling per failure, at most `cap`). True when delayed.
    async fn throttle_fail(
        &self,
        key: &str,
        free: i64,
        cap: chrono::Duration,
        policy: &ThrottlePolicy,
    ) -> Result<bool, StoreError> {
        let now = chrono::Utc::now();
        let window_floor = time_text(now - policy.window);
        let now_t = now;
        let now = time_text(now);
        // Reset the count when the window has passed, then count this failure.
        let failures: i64 = on_pool!(self, |pool| {
            sqlx::query_scalar(
            "INSERT INTO login_throttle (throttle_key, failures, window_start, locked_until) \
             VALUES ($1, 1, $2, NULL) \
             ON CONFLICT (throttle_key) DO UPDATE SET \
               failures = CASE WHEN login_throttle.window_start < $3 THEN 1 ELSE login_throttle.failures + 1 END, \
               window_start = CASE WHEN login_throttle.window_start < $3 THEN $2 ELSE login_throttle.window_start END \
             RETURNING failures"
        )
        .bind(key)
        .bind(&now)
        .bind(&window_floor)
        .fetch_one(pool)
        .await
        })?;
        if let Some(delay) = policy.delay(failures, free, cap) {
            let until = time_text(now_t + delay);
            on_pool!(self, |pool| {
                sqlx::query("UPDATE login_throttle SET locked_until = $1 WHERE throttle_key = $2")
                    .bind(&until)
                    .bind(key)
                    .execute(pool)
                    .await
                    .map(|_| ())
            })?;
            return Ok(true);
        }
        Ok(false)
    }

    /// Signs in: checks throttles, the password, and the account; opens a session.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        address: &str,
        policy: &ThrottlePolicy,
    ) -> Result<Result<NewSession, LoginError>, StoreError> {
        let username = username.trim().to_lowercase();
        let now = now_text();
        let account_key = format!("akun:{username}");
        let address_key = format!("alamat:{address}");
        let both_key = pair_key(&username, address);
        let mut waiting: Option<String> = None;
        for key in [&both_key, &address_key, &account_key] {
            if let Some(until) = self.throttle_lock(key, &now).await? {
                waiting = waiting.max(Some(until));
            }
        }
        if let Some(until) = waiting {
            return Ok(Err(LoginError::Locked { until }));
        }
        let row: Option<(i64, String, bool)> = on_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT id, password_hash, disabled FROM app_user WHERE username = $1 AND service = $2"
        )
        .bind(&username)
        // Service accounts (API tokens) never sign in with a password.
        .bind(false)
        .fetch_optional(pool)
        .await
        })?;
        let stored = row
            .as_ref()
            .map(|r| r.1.clone())
            .unwrap_or_else(|| dummy_hash().to_string());
        let ok = verify_password_async(password.to_string(), stored).await && row.is_some();
        let Some((id, _, disabled)) = row.filter(|_| ok) else {
            let locked_both = self
                .throttle_fail(&both_key, policy.per_account, policy.lockout, policy)
                .await?;
            let locked_address = self
                .throttle_fail(&address_key, policy.per_address, policy.lockout, policy)
                .await?;
            let locked_account = self
                .throttle_fail(
                    &account_key,
                    policy.per_account_anywhere,
                    policy.account_max_delay,
                    policy,
                )
                .await?;
            let action = if locked_both || locked_account || locked_address {
                "login.locked"
            } else {
                "login.failed"
            };
            self.record(
                &AuditEvent::new(Actor::system(&username), action, "session")
                    .after(serde_json::json!({ "alamat": address })),
            )
            .await?;
            return Ok(Err(LoginError::BadCredentials));
        };
        if disabled {
            return Ok(Err(LoginError::Disabled));
        }
        on_pool!(self, |pool| sqlx::query(
            "DELETE FROM login_throttle WHERE throttle_key = $1 OR throttle_key = $2"
        )
        .bind(&account_key)
        .bind(&both_key)
        .execute(pool)
        .await
        .map(|_| ()))?;
        let token = new_token();
        let now_t = chrono::Utc::now();
        let created = time_text(now_t);
        let expires = time_text(now_t + SESSION_IDLE);
        let user = self
            .load_session_user(id)
            .await?
            .ok_or(StoreError::Forbidden)?;
        let event = AuditEvent::new(&user.principal, "login", "session")
            .after(serde_json::json!({ "alamat": address }));
        let hash = token_hash(&token);
        on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            sqlx::query(
                "INSERT INTO user_session (token_hash, user_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $3, $4)",
            )
            .bind(&hash)
            .bind(id)
            .bind(&created)
            .bind(&expires)
            .execute(&mut *tx)
            .await?;
            append_audit!(tx, &event);
            tx.commit().await?;
        });
        Ok(Ok(NewSession {
            token,
            must_change_password: user.must_change_password,
            principal: user.principal,
        }))
    }

    pub(crate) async fn load_session_user(
        &self,
        id: i64,
    ) -> Result<Option<SessionUser>, StoreError> {
        let row = self.user_row(id).await?;
        let Some(row) = row else { return Ok(None) };
        let s = self.summary(row).await?;
        if s.disabled {
            return Ok(None);
        }
        let principal = Principal {
            user_id: s.id,
            username: s.username,
            role: s.role,
            scope: s.scope,
        };
        Ok(Some(SessionUser {
            viewer: sinergi_core::Viewer::User(principal.clone()),
            principal,
            display_name: s.display_name,
            must_change_password: s.must_change_password,
        }))
    }

    /// The user behind a session token, if the session is live; extends its idle timeout.
    pub async fn session_user(&self, token: &str) -> Result<Option<SessionUser>, StoreError> {
        let hash = token_hash(token);
        let now_t = chrono::Utc::now();
        let now = time_text(now_t);
        let row: Option<(i64, String, String)> = on_pool!(self, |pool| {
            sqlx::query_as(
            "SELECT user_id, created_at, last_seen_at FROM user_session WHERE token_hash = $1 AND expires_at > $2"
        )
        .bind(&hash)
        .bind(&now)
        .fetch_optional(pool)
        .await
        })?;
        let Some((user_id, created, last_seen)) = row else {
            return Ok(None);
        };
        let absolute_end = time_text(
            chrono::DateTime::parse_from_rfc3339(&created)
                .map(|t| t.with_timezone(&chrono::Utc))
                .unwrap_or(now_t)
                + SESSION_ABSOLUTE,
        );
        if absolute_end <= now {
            self.logout(token).await?;
            return Ok(None);
        }
        // Extend at most once a minute to keep requests read-only most of the time.
        if last_seen < time_text(now_t - chrono::Duration::minutes(1)) {
            let expires = time_text(now_t + SESSION_IDLE).min(absolute_end);
            on_pool!(self, |pool| sqlx::query(
                "UPDATE user_session SET last_seen_at = $1, expires_at = $2 WHERE token_hash = $3"
            )
            .bind(&now)
            .bind(&expires)
            .bind(&hash)
            .execute(pool)
            .await
            .map(|_| ()))?;
        }
        self.load_session_user(user_id).await
    }

    pub async fn logout(&self, token: &str) -> Result<(), StoreError> {
        on_pool!(self, |pool| sqlx::query(
            "DELETE FROM user_session WHERE token_hash = $1"
        )
        .bind(token_hash(token))
        .execute(pool)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// Ends every session of the user, on every device.
    pub async fn logout_everywhere(&self, user: &Principal) -> Result<u64, StoreError> {
        let event = AuditEvent::new(user, "logout.everywhere", "session").id(user.user_id);
        let n = on_pool!(self, |pool| {
            let mut tx = pool.begin().await?;
            let n = sqlx::query("DELETE FROM user_session WHERE user_id = $1")
                .bind(user.user_id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            append_audit!(tx, &event);
            tx.commit().await?;
            n
        });
        Ok(n)
    }

    pub async fn user_count(&self) -> Result<u64, StoreError> {
        let n: i64 = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT COUNT(*) FROM app_user"
        )
        .fetch_one(pool)
        .await)?;
        Ok(n as u64)
    }
}

impl Store {
    /// The principal of an active account, for commands run on its behalf.
    pub async fn principal_by_username(
        &self,
        username: &str,
    ) -> Result<Option<Principal>, StoreError> {
        let id: Option<i64> = on_pool!(self, |pool| sqlx::query_scalar(
            "SELECT id FROM app_user WHERE username = $1"
        )
        .bind(username.trim().to_lowercase())
        .fetch_optional(pool)
        .await)?;
        let Some(id) = id else { return Ok(None) };
        Ok(self.load_session_user(id).await?.map(|u| u.principal))
    }
}
