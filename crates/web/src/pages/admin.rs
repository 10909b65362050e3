//! Administration: accounts (create, role, scope, disable, reset password) and the audit log.

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use sinergi_core::{RegionCode, Role, Scope};
use sinergi_store::{
    AuditQuery, AuditRecord, NewUser, Organisation, Page, UserChange, UserSummary,
};

use super::render;
use crate::auth::Admin;
use crate::i18n::Messages;
use crate::pager::Pager;
use crate::{AppError, AppState, Ui};

const USERS_PAGE_SIZE: u32 = 50;
const AUDIT_PAGE_SIZE: u32 = 50;

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    ui: Ui,
    t: Messages,
    users: Vec<UserSummary>,
    total: u64,
    pager: Option<Pager>,
    notice: Option<&'static str>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    hal: Option<u32>,
    ok: Option<String>,
}

pub async fn users(
    State(state): State<AppState>,
    ui: Ui,
    Admin(admin): Admin,
    Query(q): Query<ListQuery>,
) -> Response {
    let result = async {
        let page = Page::new(q.hal, None, USERS_PAGE_SIZE);
        let paged = state.store.scoped(&admin.viewer).users(page).await?;
        Ok(UsersPage {
            t: ui.t,
            ui: ui.clone(),
            total: paged.total,
            pager: (paged.pages() > 1).then(|| Pager::new(&paged, "/admin/pengguna", &[])),
            users: paged.items,
            notice: match q.ok.as_deref() {
                Some("baru") => Some("users.created"),
                Some("ubah") => Some("users.updated"),
                Some("sandi") => Some("users.password_reset"),
                Some("lepas") => Some("security.login_released"),
                _ => None,
            },
        })
    }
    .await;
    render(&ui, result)
}

/// The account form, for a new account or an existing one.
#[derive(Template)]
#[template(path = "user_form.html")]
struct UserFormPage {
    ui: Ui,
    t: Messages,
    existing: Option<UserSummary>,
    form: UserFormValues,
    roles: Vec<(&'static str, String)>,
    organisations: Vec<Organisation>,
    error: Option<String>,
    /// Until when failed logins delay this account, if they do (an admin may release it).
    login_delay: Option<String>,
}

#[derive(Debug, Default, Clone, Deserialize)]
pub struct UserFormValues {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    role: String,
    /// Region codes separated by commas or spaces.
    #[serde(default)]
    regions: String,
    #[serde(default)]
    organisation: String,
    #[serde(default)]
    disabled: Option<String>,
}

impl UserFormValues {
    fn from_user(u: &UserSummary) -> UserFormValues {
        UserFormValues {
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            password: String::new(),
            role: u.role.key().to_string(),
            regions: u
                .scope
                .regions
                .iter()
                .map(|r| r.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            organisation: u
                .scope
                .organisation
                .map(|o| o.to_string())
                .unwrap_or_default(),
            disabled: u.disabled.then(|| "1".into()),
        }
    }

    fn is_selected_org(&self, id: &i64) -> bool {
        self.organisation == id.to_string()
    }

    /// Role and scope from the form, with a message naming the field that is wrong.
    fn role_and_scope(&self, t: &Messages) -> Result<(Role, Scope), String> {
        role_and_scope(t, &self.role, &self.regions, &self.organisation)
    }
}

/// Role and scope from form fields (accounts and API tokens), with a message naming the
/// field that is wrong.
pub(crate) fn role_and_scope(
    t: &Messages,
    role: &str,
    regions: &str,
    organisation: &str,
) -> Result<(Role, Scope), String> {
    let role = Role::from_key(role)
        .ok_or_else(|| format!("{}: {}", t.get("users.role"), t.get("users.role_missing")))?;
    let regions = regions
        .split([',', ' ', ';', '\n'])
        .filter(|s| !s.trim().is_empty())
        .map(|s| {
            RegionCode::parse(s.trim())
                .map_err(|e| format!("{} \"{}\": {e}", t.get("users.regions"), s.trim()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let organisation = match organisation.trim() {
        "" => None,
        s => Some(s.parse::<i64>().map_err(|_| {
            format!(
                "{}: {}",
                t.get("users.organisation"),
                t.get("users.organisation_bad")
            )
        })?),
    };
    Ok((
        role,
        Scope {
            regions,
            organisation,
        },
    ))
}

async fn form_page(
    state: &AppState,
    ui: &Ui,
    admin: &sinergi_store::SessionUser,
    existing: Option<UserSummary>,
    form: UserFormValues,
    error: Option<String>,
) -> Result<UserFormPage, AppError> {
    let login_delay = match &existing {
        Some(u) => state.store.scoped(&admin.viewer).login_delay(u.id).await?,
        None => None,
    };
    Ok(UserFormPage {
        login_delay,
        t: ui.t,
        ui: ui.clone(),
        existing,
        form,
        roles: Role::ALL
            .iter()
            .map(|r| (r.key(), format!("role.{}", r.key())))
            .collect(),
        organisations: state
            .store
            .scoped(&admin.viewer)
            .organisations_acting_for()
            .await?,
        error,
    })
}

fn with_status(mut resp: Response, status: axum::http::StatusCode) -> Response {
    *resp.status_mut() = status;
    resp
}

pub async fn new_user_form(State(state): State<AppState>, ui: Ui, Admin(admin): Admin) -> Response {
    let page = form_page(&state, &ui, &admin, None, UserFormValues::default(), None).await;
    render(&ui, page)
}

/// A store error the admin can correct becomes a message on the form; others a page.
fn correctable(ui: &Ui, e: sinergi_store::StoreError) -> Result<String, AppError> {
    match AppError::from(e) {
        AppError {
            detail: Some(d), ..
        } => Ok(ui.t.render(&d)),
        other => Err(other),
    }
}

pub async fn create_user(
    State(state): State<AppState>,
    ui: Ui,
    Admin(admin): Admin,
    Form(form): Form<UserFormValues>,
) -> Response {
    let message = match form.role_and_scope(&ui.t) {
        Err(message) => message,
        Ok((role, scope)) => {
            let new = NewUser {
                username: form.username.trim().to_lowercase(),
                display_name: form.display_name.trim().to_string(),
                password: form.password.clone(),
                role,
                scope,
            };
            match state.store.scoped(&admin.viewer).create_user(new).await {
                Ok(_) => return Redirect::to("/admin/pengguna?ok=baru").into_response(),
                Err(e) => match correctable(&ui, e) {
                    Ok(message) => message,
                    Err(page) => return page.page(&ui),
                },
            }
        }
    };
    let mut values = form;
    values.password.clear();
    let page = form_page(&state, &ui, &admin, None, values, Some(message)).await;
    with_status(render(&ui, page), axum::http::StatusCode::BAD_REQUEST)
}

pub async fn edit_user_form(
    State(state): State<AppState>,
    ui: Ui,
    Admin(admin): Admin,
    Path(id): Path<i64>,
) -> Response {
    let result = async {
        let user = state
            .store
            .scoped(&admin.viewer)
            .account(id)
            .await?
            .ok_or_else(|| AppError::not_found("error.not_found"))?;
        let values = UserFormValues::from_user(&user);
        form_page(&state, &ui, &admin, Some(user), values, None).await
    }
    .await;
    render(&ui, result)
}

pub async fn update_user(
    State(state): State<AppState>,
    ui: Ui,
    Admin(admin): Admin,
    Path(id): Path<i64>,
    Form(form): Form<UserFormValues>,
) -> Response {
    let existing = match state.store.scoped(&admin.viewer).account(id).await {
        Ok(Some(u)) => u,
        Ok(None) => return AppError::not_found("error.not_found").page(&ui),
        Err(e) => return AppError::from(e).page(&ui),
    };
    let message = match form.role_and_scope(&ui.t) {
        Err(message) => message,
        Ok((role, scope)) => {
            let change = UserChange {
                display_name: form.display_name.trim().to_string(),
                role,
                scope,
                disabled: form.disabled.is_some(),
            };
            match state
                .store
                .scoped(&admin.viewer)
                .update_user(id, change)
                .await
            {
                Ok(()) => return Redirect::to("/admin/pengguna?ok=ubah").into_response(),
                Err(e) => match correctable(&ui, e) {
                    Ok(m) => m,
                    Err(page) => return page.page(&ui),
                },
            }
        }
    };
    let page = form_page(&state, &ui, &admin, Some(existing), form, Some(message)).await;
    with_status(render(&ui, page), axum::http::StatusCode::BAD_REQUEST)
}

#[derive(Deserialize)]
pub struct ResetForm {
    password: String,
}

pub async fn reset_password(
    State(state): State<AppState>,
    ui: Ui,
    Admin(admin): Admin,
    Path(id): Path<i64>,
    Form(form): Form<ResetForm>,
) -> Response {
    match state
        .store
        .scoped(&admin.viewer)
        .reset_password(id, &form.password)
        .await
    {
        Ok(()) => Redirect::to("/admin/pengguna?ok=sandi").into_response(),
        Err(e) => AppError::from(e).page(&ui),
    }
}

/// `POST /admin/pengguna/{id}/lepas`: releases the account's login delays (audited).
pub async fn release_login(
    State(state): State<AppState>,
    ui: Ui,
    Admin(admin): Admin,
    Path(id): Path<i64>,
) -> Response {
    match state
        .store
        .scoped(&admin.viewer)
        .release_login_delay(id)
        .await
    {
        Ok(_) => Redirect::to("/admin/pengguna?ok=lepas").into_response(),
        Err(e) => AppError::from(e).page(&ui),
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    ui: Ui,
    t: Messages,
    entries: Vec<AuditRecord>,
    total: u64,
    pager: Option<Pager>,
    actor: String,
    action: String,
    /// The chain's current head (sequence number, keyed hash): to record outside the database.
    head: (i64, String),
    region_picker: crate::picker::RegionPicker,
}

#[derive(Deserialize)]
pub struct AuditFilter {
    pengguna: Option<String>,
    aksi: Option<String>,
    wilayah: Option<String>,
    hal: Option<u32>,
}

pub async fn audit(
    State(state): State<AppState>,
    ui: Ui,
    Admin(admin): Admin,
    Query(q): Query<AuditFilter>,
) -> Response {
    let result = async {
        let region = super::optional_region(q.wilayah.as_deref())?;
        let region_picker = crate::picker::RegionPicker::load(&state, &ui, region.as_ref()).await?;
        let query = AuditQuery {
            actor: q.pengguna.clone(),
            action: q.aksi.clone(),
            region,
        };
        let page = Page::new(q.hal, None, AUDIT_PAGE_SIZE);
        let paged = state
            .store
            .scoped(&admin.viewer)
            .audit_entries(&query, page)
            .await?;
        let actor = q.pengguna.clone().unwrap_or_default();
        let action = q.aksi.clone().unwrap_or_default();
        let region = q.wilayah.clone().unwrap_or_default();
        let pager = (paged.pages() > 1).then(|| {
            Pager::new(
                &paged,
                "/admin/audit",
                &[
                    ("pengguna", &actor),
                    ("aksi", &action),
                    ("wilayah", &region),
                ],
            )
        });
        Ok(AuditPage {
            t: ui.t,
            ui: ui.clone(),
            total: paged.total,
            entries: paged.items,
            pager,
            actor,
            action,
            head: state.store.audit_head().await?,
            region_picker,
        })
    }
    .await;
    render(&ui, result)
}

/// An audit action in words ("impor daftar penerima"); an action without words shows its code.
pub(crate) fn action_words(t: &Messages, action: &str) -> String {
    let key = format!("audit.act.{action}");
    let words = t.get(&key);
    if words == key {
        action.to_string()
    } else {
        words.to_string()
    }
}

/// An audit detail as "field: value" pairs instead of raw JSON.
pub(crate) fn readable_detail(detail: &str) -> String {
    let scalar = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => "–".to_string(),
        other => other.to_string(),
    };
    match serde_json::from_str::<serde_json::Value>(detail) {
        Ok(serde_json::Value::Object(fields)) => fields
            .iter()
            .map(|(k, v)| format!("{}: {}", k.replace('_', " "), scalar(v)))
            .collect::<Vec<_>>()
            .join("; "),
        Ok(v) => scalar(&v),
        Err(_) => detail.to_string(),
    }
}
