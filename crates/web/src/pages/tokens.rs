//! `/admin/token`: API tokens for other systems. An admin issues one (label, service account,
//! role, scope, lifetime), sees its secret once, lists and revokes. The store applies the rule
//! (core's `may_issue_token`); this page only parses the form and renders.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sinergi_core::Role;
use sinergi_store::{ApiTokenSummary, NewApiToken, Organisation};

use super::render;
use crate::auth::Admin;
use crate::i18n::Messages;
use crate::{AppError, AppState, Ui};

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    ui: Ui,
    t: Messages,
    tokens: Vec<ApiTokenSummary>,
    now: String,
    form: TokenForm,
    roles: Vec<(&'static str, String)>,
    organisations: Vec<Organisation>,
    /// The secret of the token just issued: shown this once.
    issued: Option<String>,
    error: Option<String>,
    notice: Option<&'static str>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct TokenForm {
    #[serde(default)]
    label: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    regions: String,
    #[serde(default)]
    organisation: String,
    #[serde(default = "default_days")]
    days: String,
}

fn default_days() -> String {
    "90".into()
}

impl Default for TokenForm {
    fn default() -> Self {
        TokenForm {
            label: String::new(),
            username: String::new(),
            role: Role::Pimpinan.key().into(),
            regions: String::new(),
            organisation: String::new(),
            days: default_days(),
        }
    }
}

impl TokenForm {
    fn is_selected_org(&self, id: &i64) -> bool {
        self.organisation == id.to_string()
    }
}

#[derive(Deserialize)]
pub struct TokensQuery {
    ok: Option<String>,
}

async fn page(
    state: &AppState,
    ui: &Ui,
    admin: &sinergi_store::SessionUser,
    form: TokenForm,
    issued: Option<String>,
    error: Option<String>,
    notice: Option<&'static str>,
) -> Result<TokensPage, AppError> {
    let scoped = state.store.scoped(&admin.viewer);
    Ok(TokensPage {
        tokens: scoped.api_tokens().await?,
        now: chrono::Utc::now()
            .format("%Y-%m-%dT%H:%M:%S%.6fZ")
            .to_string(),
        roles: Role::ALL
            .iter()
            .filter(|r| **r != Role::AdminProvinsi)
            .map(|r| (r.key(), format!("role.{}", r.key())))
            .collect(),
        organisations: scoped.organisations_acting_for().await?,
        t: ui.t,
        ui: ui.clone(),
        form,
        issued,
        error,
        notice,
    })
}

/// `GET /admin/token`
pub async fn list(
    State(state): State<AppState>,
    ui: Ui,
    Admin(admin): Admin,
    Query(q): Query<TokensQuery>,
) -> Response {
    let notice = match q.ok.as_deref() {
        Some("cabut") => Some("api.tokens.revoked"),
        _ => None,
    };
    let result = page(
        &state,
        &ui,
        &admin,
        TokenForm::default(),
        None,
        None,
        notice,
    )
    .await;
    render(&ui, result)
}

/// `POST /admin/token`: issues a token and shows its secret once.
pub async fn issue(
    State(state): State<AppState>,
    ui: Ui,
    Admin(admin): Admin,
    Form(form): Form<TokenForm>,
) -> Response {
    let parsed = super::admin::role_and_scope(&ui.t, &form.role, &form.regions, &form.organisation)
        .and_then(|(role, scope)| {
            let days = form.days.trim().parse::<i64>().map_err(|_| {
                ui.t.render(
                    &sinergi_core::Msg::new("api.token_days_form")
                        .arg("max", sinergi_core::API_TOKEN_MAX_DAYS),
                )
            })?;
            Ok(NewApiToken {
                label: form.label.clone(),
                username: form.username.trim().to_lowercase(),
                role,
                scope,
                days,
            })
        });
    let error = match parsed {
        Err(message) => message,
        Ok(new) => match state.store.scoped(&admin.viewer).issue_api_token(new).await {
            Ok(issued) => {
                let result = page(
                    &state,
                    &ui,
                    &admin,
                    TokenForm::default(),
                    Some(issued.secret),
                    None,
                    None,
                )
                .await;
                return render(&ui, result);
            }
            Err(e) => match AppError::from(e) {
                AppError {
                    detail: Some(d), ..
                } => ui.t.render(&d),
                AppError {
                    status: axum::http::StatusCode::FORBIDDEN,
                    ..
                } => ui.t.get("api.tokens.forbidden").to_string(),
                other => return other.page(&ui),
            },
        },
    };
    let result = page(&state, &ui, &admin, form, None, Some(error), None).await;
    let mut resp = render(&ui, result);
    *resp.status_mut() = axum::http::StatusCode::BAD_REQUEST;
    resp
}

/// `POST /admin/token/{id}/cabut`
pub async fn revoke(
    State(state): State<AppState>,
    ui: Ui,
    Admin(admin): Admin,
    Path(id): Path<i64>,
) -> Response {
    match state.store.scoped(&admin.viewer).revoke_api_token(id).await {
        Ok(true) => Redirect::to("/admin/token?ok=cabut").into_response(),
        Ok(false) => AppError::not_found("error.not_found").page(&ui),
        Err(e) => AppError::from(e).page(&ui),
    }
}
