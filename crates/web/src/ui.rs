//! Per-request presentation context: the language (from the `lang` cookie) and the path,
//! so that every page can offer the language switch back to itself.

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use std::sync::Arc;

use sinergi_store::SessionUser;

use crate::i18n::{Lang, Messages};

#[derive(Clone)]
pub struct Ui {
    pub t: Messages,
    /// Path and query of this request, for "come back here" links.
    pub here: String,
    /// The signed-in user, for the navigation.
    pub user: Option<Arc<SessionUser>>,
    /// This visitor's CSRF token, for every form that changes something.
    pub csrf: String,
}

impl Ui {
    pub fn new(lang: Lang, here: String) -> Ui {
        Ui {
            t: Messages::new(lang),
            here,
            user: None,
            csrf: String::new(),
        }
    }

    pub fn is_admin(&self) -> bool {
        self.user.as_ref().is_some_and(|u| u.principal.is_admin())
    }

    /// Who is asking: the signed-in user, or the public.
    pub fn viewer(&self) -> &sinergi_core::Viewer {
        self.user
            .as_ref()
            .map_or(sinergi_core::Viewer::public(), |u| &u.viewer)
    }

    /// The clock times are shown on: the user's first region's zone, WIB for the public.
    pub fn zone(&self) -> sinergi_core::region::TimeZone {
        self.user
            .as_ref()
            .and_then(|u| u.principal.scope.regions.first())
            .map_or(sinergi_core::region::TimeZone::Wib, |r| {
                sinergi_core::region::TimeZone::of(r)
            })
    }

    pub fn username(&self) -> &str {
        self.user
            .as_ref()
            .map_or("", |u| u.principal.username.as_str())
    }

    pub fn lang(&self) -> Lang {
        self.t.lang
    }

    /// Link that switches the language and returns to this page.
    pub fn switch_href(&self) -> String {
        format!(
            "/bahasa/{}?ke={}",
            self.t.lang.other().code(),
            encode_component(&self.here)
        )
    }
}

#[cfg(test)]
fn lang_from_headers(headers: &HeaderMap) -> Lang {
    lang_cookie(headers).unwrap_or(Lang::Id)
}

fn lang_cookie(headers: &HeaderMap) -> Option<Lang> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().strip_prefix("lang="))
        .find_map(Lang::from_code)
}

/// The language of a request to `path`. Pages: the `lang` cookie, else Bahasa Indonesia (a
/// browser's own preference does not switch the site). The API: the cookie, else the first
/// language of `Accept-Language` that the catalogue has (machines send no cookie).
pub(crate) fn lang_for(headers: &HeaderMap, path: &str) -> Lang {
    if let Some(lang) = lang_cookie(headers) {
        return lang;
    }
    if !path.starts_with("/api/") {
        return Lang::Id;
    }
    headers
        .get_all(header::ACCEPT_LANGUAGE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|item| {
            let tag = item.split(';').next()?.trim();
            Lang::from_code(tag.split('-').next()?.to_ascii_lowercase().as_str())
        })
        .next()
        .unwrap_or(Lang::Id)
}

impl<S: Send + Sync> FromRequestParts<S> for Ui {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let here = parts
            .uri
            .path_and_query()
            .map_or("/".to_string(), |pq| pq.as_str().to_string());
        let mut ui = Ui::new(lang_for(&parts.headers, parts.uri.path()), here);
        if let Some(auth) = crate::auth::request_auth(parts) {
            ui.user = auth.user.clone();
            ui.csrf = auth.csrf.clone();
        }
        Ok(ui)
    }
}

/// Percent-encodes everything but unreserved characters.
pub(crate) fn encode_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[derive(Deserialize)]
pub struct SwitchQuery {
    ke: Option<String>,
}

/// `GET /bahasa/{lang}?ke=/path`: remembers the language in a cookie and goes back.
pub async fn switch_language(Path(lang): Path<String>, Query(q): Query<SwitchQuery>) -> Response {
    // Only same-site paths: never redirect to another host.
    let back = crate::auth::safe_return_path(q.ke.as_deref());
    let Some(lang) = Lang::from_code(&lang) else {
        return Redirect::to(&back).into_response();
    };
    let cookie = format!(
        "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    );
    let mut resp = Redirect::to(&back).into_response();
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_language_cookie_and_encodes_return_path() {
        let mut h = HeaderMap::new();
        assert_eq!(lang_from_headers(&h), Lang::Id);
        h.insert(header::COOKIE, HeaderValue::from_static("a=1; lang=en"));
        assert_eq!(lang_from_headers(&h), Lang::En);
        let mut api = HeaderMap::new();
        api.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_static("en-GB;q=0.9, id;q=0.8"),
        );
        assert_eq!(lang_for(&api, "/api/v1/wilayah"), Lang::En);
        assert_eq!(
            lang_for(&api, "/wilayah"),
            Lang::Id,
            "pages keep the site's language"
        );
        let ui = Ui::new(Lang::Id, "/wilayah/cari?q=kota bima&hal=2".into());
        assert_eq!(
            ui.switch_href(),
            "/bahasa/en?ke=%2Fwilayah%2Fcari%3Fq%3Dkota%20bima%26hal%3D2"
        );
    }
}
