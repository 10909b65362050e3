//! Signing in and out, and the user's own account (password change, sign out everywhere).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use sinergi_store::LoginError;

use super::render;
use crate::auth::{
    CSRF_COOKIE, RequestAuth, SESSION_COOKIE, Signed, random_token, safe_return_path, set_cookie,
};
use crate::i18n::Messages;
use crate::{AppError, AppState, Ui};

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage {
    ui: Ui,
    t: Messages,
    ke: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginQuery {
    ke: Option<String>,
}

pub async fn login_form(ui: Ui, Query(q): Query<LoginQuery>) -> Response {
    if ui.user.is_some() {
        return Redirect::to(&safe_return_path(q.ke.as_deref())).into_response();
    }
    render(
        &ui,
        Ok(LoginPage {
            t: ui.t,
            ui: ui.clone(),
            ke: safe_return_path(q.ke.as_deref()),
            username: String::new(),
            error: None,
        }),
    )
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    ke: Option<String>,
}

pub async fn login(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    ui: Ui,
    Form(form): Form<LoginForm>,
) -> Response {
    let outcome = state
        .store
        .login(
            &form.username,
            &form.password,
            &auth.address,
            &state.auth.throttle,
        )
        .await;
    let failed = |key: &'static str, detail: Option<String>| {
        let message = match detail {
            Some(d) => format!("{} {d}", ui.t.get(key)),
            None => ui.t.get(key).to_string(),
        };
        let page = LoginPage {
            t: ui.t,
            ui: ui.clone(),
            ke: safe_return_path(form.ke.as_deref()),
            username: form.username.clone(),
            error: Some(message),
        };
        let mut resp = render(&ui, Ok(page));
        *resp.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
        resp
    };
    match outcome {
        Err(e) => AppError::from(e).page(&ui),
        Ok(Err(LoginError::BadCredentials)) => failed("login.failed", None),
        Ok(Err(LoginError::Disabled)) => failed("login.disabled", None),
        Ok(Err(LoginError::Locked { until })) => failed(
            "login.locked",
            Some(until.get(11..19).unwrap_or("").to_string() + " UTC"),
        ),
        Ok(Ok(session)) => {
            let target = if session.must_change_password {
                "/akun?wajib=1".to_string()
            } else {
                safe_return_path(form.ke.as_deref())
            };
            let mut resp = Redirect::to(&target).into_response();
            let h = resp.headers_mut();
            h.append(
                header::SET_COOKIE,
                set_cookie(SESSION_COOKIE, &session.token, auth.secure, None),
            );
            // A fresh CSRF token for the new session (no token fixation across sign-in).
            h.append(
                header::SET_COOKIE,
                set_cookie(
                    CSRF_COOKIE,
                    &crate::auth::session_csrf(&session.token),
                    auth.secure,
                    None,
                ),
            );
            resp
        }
    }
}

fn signed_out(secure: bool) -> Response {
    let mut resp = Redirect::to("/masuk?keluar=1").into_response();
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(SESSION_COOKIE, "", secure, Some(0)),
    );
    // The signed-out browser gets a fresh token, unrelated to the session that ended.
    resp.headers_mut().append(
        header::SET_COOKIE,
        set_cookie(CSRF_COOKIE, &random_token(), secure, None),
    );
    resp.headers_mut()
        .insert("clear-site-data", HeaderValue::from_static("\"cookies\""));
    resp
}

pub async fn logout(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
) -> Response {
    if let Some(token) = &auth.session_token
        && let Err(e) = state.store.logout(token).await
    {
        tracing::error!(error = %e, "logout");
    }
    signed_out(auth.secure)
}

pub async fn logout_everywhere(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    ui: Ui,
    Signed(user): Signed,
) -> Response {
    match state.store.logout_everywhere(&user.principal).await {
        Ok(_) => signed_out(auth.secure),
        Err(e) => AppError::from(e).page(&ui),
    }
}

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    ui: Ui,
    t: Messages,
    display_name: String,
    role_key: String,
    regions: Vec<String>,
    organisation: Option<String>,
    must_change: bool,
    notice: Option<&'static str>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct AccountQuery {
    wajib: Option<u8>,
    ok: Option<u8>,
}

async fn account_page(
    state: &AppState,
    ui: &Ui,
    user: &sinergi_store::SessionUser,
    notice: Option<&'static str>,
    error: Option<String>,
) -> Result<AccountPage, AppError> {
    let organisation = match user.principal.scope.organisation {
        Some(id) => state.store.organisation(id).await?.map(|o| o.name),
        None => None,
    };
    Ok(AccountPage {
        t: ui.t,
        ui: ui.clone(),
        display_name: user.display_name.clone(),
        role_key: format!("role.{}", user.principal.role.key()),
        regions: user
            .principal
            .scope
            .regions
            .iter()
            .map(|r| r.to_string())
            .collect(),
        organisation,
        must_change: user.must_change_password,
        notice,
        error,
    })
}

pub async fn account(
    State(state): State<AppState>,
    ui: Ui,
    Signed(user): Signed,
    Query(q): Query<AccountQuery>,
) -> Response {
    let notice = match (q.wajib, q.ok) {
        (_, Some(_)) => Some("account.password_changed"),
        (Some(_), _) => Some("account.must_change"),
        _ => None,
    };
    let page = account_page(&state, &ui, &user, notice, None).await;
    render(&ui, page)
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    repeat: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    Extension(auth): Extension<RequestAuth>,
    ui: Ui,
    Signed(user): Signed,
    Form(form): Form<PasswordForm>,
) -> Response {
    let result = if form.new != form.repeat {
        Err(ui.t.get("account.repeat_mismatch").to_string())
    } else {
        match state
            .store
            .change_password(
                &user.principal,
                &form.current,
                &form.new,
                auth.session_token.as_deref().unwrap_or(""),
            )
            .await
        {
            Ok(()) => Ok(()),
            Err(e) => match AppError::from(e) {
                AppError {
                    detail: Some(d), ..
                } => Err(ui.t.render(&d)),
                other => return other.page(&ui),
            },
        }
    };
    match result {
        Ok(()) => Redirect::to("/akun?ok=1").into_response(),
        Err(message) => {
            let page = account_page(&state, &ui, &user, None, Some(message)).await;
            let mut resp = render(&ui, page);
            *resp.status_mut() = axum::http::StatusCode::BAD_REQUEST;
            resp
        }
    }
}
