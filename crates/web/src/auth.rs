//! Sessions and CSRF, as one middleware every request passes through, and the extractors
//! handlers use to require a signed-in user. Access to rows is not decided here: the store
//! applies the scope; this only says who is asking.

use std::sync::Arc;

use axum::body::{Body, to_bytes};
use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use sinergi_store::SessionUser;

use crate::ui::{encode_component, lang_for};
use crate::{AppError, AppState, Ui};

pub const SESSION_COOKIE: &str = "sinergi_sesi";
pub const CSRF_COOKIE: &str = "sinergi_csrf";
pub const CSRF_FIELD: &str = "_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Forms are small; person lists go through the command line or a multipart upload.
const MAX_FORM_BYTES: usize = 256 * 1024;

/// How the server sits on the network.
#[derive(Debug, Clone, Default)]
pub struct AuthConfig {
    /// Trust `X-Forwarded-For` / `X-Forwarded-Proto` from a reverse proxy in front.
    pub trust_proxy: bool,
    /// Served over TLS directly (cookies get `Secure`).
    pub tls: bool,
    pub throttle: sinergi_store::ThrottlePolicy,
    /// Requests per API token (see `api::limit`).
    pub api_rate: crate::api::limit::RateLimiter,
}

/// Who is asking, resolved once per request by [`layer`].
#[derive(Clone)]
pub struct RequestAuth {
    pub user: Option<Arc<SessionUser>>,
    pub session_token: Option<String>,
    pub csrf: String,
    pub secure: bool,
    pub address: String,
}

pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A fresh 256-bit token, URL-safe base64 (CSRF tokens).
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A `Set-Cookie` value: always HttpOnly and SameSite=Strict, Secure when over TLS.
pub(crate) fn set_cookie(
    name: &str,
    value: &str,
    secure: bool,
    max_age: Option<i64>,
) -> HeaderValue {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict");
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if secure {
        c.push_str("; Secure");
    }
    HeaderValue::from_str(&c).expect("cookie values are URL-safe base64")
}

/// The CSRF token of a session: HMAC-SHA256 keyed with the session token (which never
/// leaves the HttpOnly cookie), so a token is good for its own session only.
pub(crate) fn session_csrf(session_token: &str) -> String {
    use hmac::Mac;
    let mut mac = <hmac::Hmac<sha2::Sha256> as Mac>::new_from_slice(session_token.as_bytes())
        .expect("any key length");
    mac.update(b"sinergi-csrf-v1");
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// A body whose first bytes were read ahead (to find the CSRF field), put back in front.
struct Prefixed {
    prefix: Option<axum::body::Bytes>,
    rest: Body,
}

impl http_body::Body for Prefixed {
    type Data = axum::body::Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        if let Some(p) = self.prefix.take() {
            return std::task::Poll::Ready(Some(Ok(http_body::Frame::data(p))));
        }
        std::pin::Pin::new(&mut self.rest).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.prefix.is_none() && self.rest.is_end_stream()
    }
}

/// What the first part of a multipart body says, as far as read.
#[derive(Debug, PartialEq, Eq)]
enum FirstPart {
    NeedMore,
    Csrf(String),
    /// The first part is something else (or the body is not multipart as announced).
    Other,
}

fn find(hay: &[u8], needle: &[u8], from: usize) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

fn first_part(buf: &[u8], boundary: &str) -> FirstPart {
    let delimiter = format!("--{boundary}");
    let Some(start) = find(buf, delimiter.as_bytes(), 0) else {
        return if buf.len() > 1024 {
            FirstPart::Other
        } else {
            FirstPart::NeedMore
        };
    };
    let headers_from = start + delimiter.len();
    let Some(headers_end) = find(buf, b"\r\n\r\n", headers_from) else {
        return FirstPart::NeedMore;
    };
    let headers = String::from_utf8_lossy(&buf[headers_from..headers_end]).to_ascii_lowercase();
    let is_csrf = headers.lines().any(|l| {
        l.starts_with("content-disposition:")
            && l.contains(&format!("name=\"{CSRF_FIELD}\""))
            && !l.contains("filename")
    });
    if !is_csrf {
        return FirstPart::Other;
    }
    let value_from = headers_end + 4;
    let Some(value_end) = find(buf, format!("\r\n{delimiter}").as_bytes(), value_from) else {
        return FirstPart::NeedMore;
    };
    match std::str::from_utf8(&buf[value_from..value_end]) {
        Ok(v) => FirstPart::Csrf(v.trim().to_string()),
        Err(_) => FirstPart::Other,
    }
}

/// Reads only as much of a multipart body as its first part needs (at most 8 KiB) and gives
/// back the `_csrf` value if that first part is it, with the body intact for the handler.
async fn multipart_csrf(mut body: Body, boundary: &str) -> (Option<String>, Body) {
    use http_body::Body as _;
    let mut buf: Vec<u8> = Vec::new();
    let found = loop {
        match first_part(&buf, boundary) {
            FirstPart::Csrf(v) => break Some(v),
            FirstPart::Other => break None,
            FirstPart::NeedMore if buf.len() > 8 * 1024 => break None,
            FirstPart::NeedMore => {}
        }
        let frame = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await;
        match frame {
            Some(Ok(frame)) => {
                if let Ok(data) = frame.into_data() {
                    buf.extend_from_slice(&data);
                }
            }
            // The end of the body or a broken upload: no token from here.
            _ => break None,
        }
    };
    let body = Body::new(Prefixed {
        prefix: (!buf.is_empty()).then(|| axum::body::Bytes::from(buf)),
        rest: body,
    });
    (found, body)
}

fn multipart_boundary(headers: &HeaderMap) -> Option<String> {
    let ct = headers.get(header::CONTENT_TYPE)?.to_str().ok()?;
    if !ct.to_ascii_lowercase().starts_with("multipart/form-data") {
        return None;
    }
    ct.split(';')
        .filter_map(|p| p.trim().split_once('='))
        .find(|(k, _)| k.eq_ignore_ascii_case("boundary"))
        .map(|(_, v)| v.trim_matches('"').to_string())
        .filter(|b| !b.is_empty() && b.len() <= 200)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The client's address. Behind a trusted reverse proxy, the address that proxy saw: the
/// rightmost `X-Forwarded-For` hop (the proxy appends it; every hop to its left came from the
/// client and may be forged).
pub(crate) fn client_address(req: &Request, trust_proxy: bool) -> String {
    if trust_proxy
        && let Some(last) = req
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .rfind(|v| !v.is_empty())
    {
        return last.to_string();
    }
    req.extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "tidak-diketahui".into())
}

pub(crate) fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    form_urlencoded_pairs(body)
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

/// Decodes `application/x-www-form-urlencoded` (as serde_urlencoded does for axum's Form).
fn form_urlencoded_pairs(body: &[u8]) -> Vec<(String, String)> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body).unwrap_or_default()
}

/// Resolves the session, checks CSRF on every state-changing request, sets security headers.
pub async fn layer(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let headers = req.headers().clone();
    let path = req.uri().path().to_string();
    let secure = state.auth.tls
        || (state.auth.trust_proxy
            && headers
                .get("x-forwarded-proto")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|p| p.eq_ignore_ascii_case("https")));
    let address = client_address(&req, state.auth.trust_proxy);
    let ui = Ui::new(lang_for(&headers, &path), path.clone());

    // Machines: a bearer token, never a session; no CSRF (no browser carries it by itself).
    if is_api(&path) && headers.contains_key(header::AUTHORIZATION) {
        return crate::api::bearer::authenticate(&state, req, next, ui, secure, address).await;
    }

    let session_token = cookie(&headers, SESSION_COOKIE).map(str::to_string);
    let user = match &session_token {
        Some(token) => match state.store.session_user(token).await {
            Ok(user) => user.map(Arc::new),
            Err(e) => return respond_error(AppError::from(e), &ui, &path),
        },
        None => None,
    };
    let existing_csrf = cookie(&headers, CSRF_COOKIE)
        .filter(|c| c.len() == 43)
        .map(str::to_string);
    // Signed in: the token is bound to the session. Before sign-in (the login form), the
    // cookie's random token (double submit). The cookie carries the current token either way.
    let bound = match (&user, &session_token) {
        (Some(_), Some(token)) => Some(session_csrf(token)),
        _ => None,
    };
    let csrf = bound
        .clone()
        .or_else(|| existing_csrf.clone())
        .unwrap_or_else(random_token);
    let cookie_stale = existing_csrf.as_deref() != Some(csrf.as_str());

    let mut req = req;
    if !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        let (parts, body) = req.into_parts();
        let is_form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let (presented, body) = if is_form {
            let Ok(bytes) = to_bytes(body, MAX_FORM_BYTES).await else {
                return respond_error(
                    AppError {
                        status: axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                        key: "error.form_too_large",
                        detail: None,
                    },
                    &ui,
                    &path,
                );
            };
            (form_field(&bytes, CSRF_FIELD), Body::from(bytes))
        } else {
            let from_header = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            match (from_header, multipart_boundary(&parts.headers)) {
                (Some(h), _) => (Some(h), body),
                // Uploads: `_csrf` as the first multipart field, read ahead alone.
                (None, Some(boundary)) => multipart_csrf(body, &boundary).await,
                (None, None) => (None, body),
            }
        };
        let origin_ok = match parts.headers.get(header::ORIGIN) {
            Some(origin) => same_origin(
                origin.to_str().unwrap_or(""),
                parts
                    .headers
                    .get(header::HOST)
                    .and_then(|h| h.to_str().ok()),
                secure,
            ),
            None => true,
        };
        // Signed in: the session's own token. Otherwise: the cookie's.
        let expected = bound.as_ref().or(existing_csrf.as_ref());
        let token_ok = match (expected, &presented) {
            (Some(expected), Some(given)) => {
                constant_time_eq(expected.as_bytes(), given.as_bytes())
            }
            _ => false,
        };
        if !(token_ok && origin_ok) {
            let e = AppError {
                status: StatusCode::FORBIDDEN,
                key: "error.csrf",
                detail: None,
            };
            let mut resp = respond_error(e, &ui, &path);
            if cookie_stale {
                resp.headers_mut().append(
                    header::SET_COOKIE,
                    set_cookie(CSRF_COOKIE, &csrf, secure, None),
                );
            }
            return resp;
        }
        req = Request::from_parts(parts, body);
    }

    let stale_session = session_token.is_some() && user.is_none();
    let signed_in = user.is_some();
    req.extensions_mut().insert(RequestAuth {
        user,
        session_token,
        csrf: csrf.clone(),
        secure,
        address,
    });
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    // A response that signs in or out sets its own token cookie.
    let sets_own_token = h
        .get_all(header::SET_COOKIE)
        .iter()
        .any(|v| v.as_bytes().starts_with(CSRF_COOKIE.as_bytes()));
    if cookie_stale && !sets_own_token {
        h.append(
            header::SET_COOKIE,
            set_cookie(CSRF_COOKIE, &csrf, secure, None),
        );
    }
    if stale_session && !h.contains_key(header::SET_COOKIE.as_str()) {
        h.append(
            header::SET_COOKIE,
            set_cookie(SESSION_COOKIE, "", secure, Some(0)),
        );
    }
    security_headers(h);
    // Every response to a signed-in user is private, as is anything setting a cookie.
    if signed_in || h.contains_key(header::SET_COOKIE) || is_private(&path) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}

/// The headers every response carries, whoever asked.
pub(crate) fn security_headers(h: &mut HeaderMap) {
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; style-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
}

/// Whether a browser's `Origin` is this site: same scheme (https exactly when the request came
/// over TLS, directly or through the trusted proxy), same host and same port (the scheme's
/// default when none is written).
pub(crate) fn same_origin(origin: &str, host: Option<&str>, secure: bool) -> bool {
    let Some(host) = host else {
        return false;
    };
    let Some((scheme, rest)) = origin.split_once("://") else {
        return false;
    };
    let expected_scheme = if secure { "https" } else { "http" };
    if !scheme.eq_ignore_ascii_case(expected_scheme) {
        return false;
    }
    let default_port = if secure { "443" } else { "80" };
    let split = |hp: &str| -> (String, String) {
        match hp.rsplit_once(':') {
            Some((h, p))
                if !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && !h.ends_with(':') =>
            {
                (h.to_ascii_lowercase(), p.to_string())
            }
            _ => (hp.to_ascii_lowercase(), default_port.to_string()),
        }
    };
    !rest.contains('/') && split(rest) == split(host)
}

/// Pages with personal or account data are never cached.
fn is_private(path: &str) -> bool {
    [
        "/penerima",
        "/akun",
        "/admin",
        "/api/v1/penerima",
        "/masuk",
        "/tautan",
        "/daftar",
    ]
    .iter()
    .any(|p| path.starts_with(p))
}

fn respond_error(e: AppError, ui: &Ui, path: &str) -> Response {
    if is_api(path) {
        e.json(ui.t)
    } else {
        e.page(ui)
    }
}

/// The request's auth facts (always present behind [`layer`]).
pub(crate) fn request_auth(parts: &Parts) -> Option<&RequestAuth> {
    parts.extensions.get::<RequestAuth>()
}

/// A signed-in user. Pages redirect to the login page without one; the API answers 401.
pub struct Signed(pub Arc<SessionUser>);

impl<S: Send + Sync> FromRequestParts<S> for Signed {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let path = parts.uri.path().to_string();
        let here = parts
            .uri
            .path_and_query()
            .map_or("/".to_string(), |pq| pq.as_str().to_string());
        let ui = Ui::new(lang_for(&parts.headers, &path), here.clone());
        match request_auth(parts).and_then(|a| a.user.clone()) {
            Some(user) => {
                // A temporary password must be replaced before anything else.
                if user.must_change_password
                    && !is_api(&path)
                    && !["/akun", "/akun/sandi", "/keluar", "/keluar/semua"]
                        .contains(&path.as_str())
                {
                    return Err(Redirect::to("/akun?wajib=1").into_response());
                }
                Ok(Signed(user))
            }
            None if is_api(&path) => Err(AppError {
                status: StatusCode::UNAUTHORIZED,
                key: "error.login_required",
                detail: None,
            }
            .json(ui.t)),
            None => {
                Err(Redirect::to(&format!("/masuk?ke={}", encode_component(&here))).into_response())
            }
        }
    }
}

/// A signed-in admin (user management, audit log). The store checks again.
pub struct Admin(pub Arc<SessionUser>);

impl<S: Send + Sync> FromRequestParts<S> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Signed(user) = Signed::from_request_parts(parts, state).await?;
        if user.principal.is_admin() {
            Ok(Admin(user))
        } else {
            let ui = Ui::new(
                lang_for(&parts.headers, parts.uri.path()),
                parts.uri.path().to_string(),
            );
            Err(respond_error(AppError::forbidden(), &ui, parts.uri.path()))
        }
    }
}

/// Same-site paths only: never send a user to another host after login or a language switch.
/// The one check both use. A path must start with one `/` followed by neither `/` nor `\\`;
/// backslashes and control characters (tab, CR, LF, NUL, …, which browsers strip or which
/// would break the `Location` header) anywhere refuse it; spaces and non-ASCII characters are
/// percent-encoded so the header is always valid. Anything else gives `/`.
pub(crate) fn safe_return_path(ke: Option<&str>) -> String {
    let Some(p) = ke else {
        return "/".into();
    };
    let mut chars = p.chars();
    let ok = chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && !p.chars().any(|c| c == '\\' || c.is_control())
        && p.len() <= 2000;
    if !ok {
        return "/".into();
    }
    let mut out = String::with_capacity(p.len());
    for c in p.chars() {
        if c.is_ascii_graphic() {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_and_tokens() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("lang=en; sinergi_sesi=abc; sinergi_csrf=xyz"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&h, "nope"), None);
        let t = random_token();
        assert_eq!(t.len(), 43);
        assert_ne!(t, random_token());
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"abc", b"ab"));
    }

    #[test]
    fn return_paths_stay_on_site() {
        assert_eq!(safe_return_path(Some("/penerima?q=x")), "/penerima?q=x");
        assert_eq!(safe_return_path(Some("//evil.example")), "/");
        assert_eq!(safe_return_path(Some("https://evil.example")), "/");
        assert_eq!(safe_return_path(None), "/");
        for evil in [
            "/\t/evil.example/x",
            "/\\evil.example",
            "/\\/evil.example",
            "\\\\evil.example",
            "/x\r\nSet-Cookie: a=b",
            "/x\0",
            "/x\n",
            "/%09/evil.example",
            "evil.example",
            "",
        ] {
            let back = safe_return_path(Some(evil));
            if evil == "/%09/evil.example" {
                // Still percent-encoded: a path on this site.
                assert_eq!(back, evil);
            } else {
                assert_eq!(back, "/", "{evil:?}");
            }
            assert!(HeaderValue::from_str(&back).is_ok());
        }
        assert_eq!(
            safe_return_path(Some("/wilayah/cari?q=kota bima")),
            "/wilayah/cari?q=kota%20bima"
        );
        assert_eq!(safe_return_path(Some("/cari?q=é")), "/cari?q=%C3%A9");
    }

    #[test]
    fn behind_a_trusted_proxy_the_rightmost_forwarded_hop_counts() {
        let req = |xff: &[&str]| {
            let mut r = Request::builder().uri("/masuk");
            for v in xff {
                r = r.header("x-forwarded-for", *v);
            }
            let mut r = r.body(Body::empty()).unwrap();
            r.extensions_mut()
                .insert(axum::extract::ConnectInfo(std::net::SocketAddr::from((
                    [10, 0, 0, 9],
                    4000,
                ))));
            r
        };
        // The client wrote "1.2.3.4"; the proxy appended the address it saw.
        assert_eq!(
            client_address(&req(&["1.2.3.4, 203.0.113.7"]), true),
            "203.0.113.7"
        );
        assert_eq!(
            client_address(&req(&["1.2.3.4", "203.0.113.8"]), true),
            "203.0.113.8"
        );
        assert_eq!(client_address(&req(&["203.0.113.9 "]), true), "203.0.113.9");
        // Without the proxy flag the header is ignored.
        assert_eq!(client_address(&req(&["1.2.3.4"]), false), "10.0.0.9");
        assert_eq!(client_address(&req(&[]), true), "10.0.0.9");
    }

    #[test]
    fn the_first_multipart_part_gives_the_token() {
        let body = "--b\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\ntok\r\n--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--b--\r\n";
        assert_eq!(
            first_part(body.as_bytes(), "b"),
            FirstPart::Csrf("tok".into())
        );
        assert_eq!(first_part(&body.as_bytes()[..30], "b"), FirstPart::NeedMore);
        let other = "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--b--\r\n";
        assert_eq!(first_part(other.as_bytes(), "b"), FirstPart::Other);
        let file = "--b\r\nContent-Disposition: form-data; name=\"_csrf\"; filename=\"a\"\r\n\r\ntok\r\n--b--";
        assert_eq!(first_part(file.as_bytes(), "b"), FirstPart::Other);
        let mut h = HeaderMap::new();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("multipart/form-data; boundary=\"abc\""),
        );
        assert_eq!(multipart_boundary(&h).as_deref(), Some("abc"));
        assert_ne!(session_csrf("a"), session_csrf("b"));
        assert_eq!(session_csrf("a").len(), 43);
    }

    #[test]
    fn origins_compare_scheme_host_and_port() {
        assert!(same_origin(
            "http://a.example:8080",
            Some("a.example:8080"),
            false
        ));
        assert!(same_origin(
            "https://a.example",
            Some("a.example:443"),
            true
        ));
        assert!(same_origin("https://A.example", Some("a.example"), true));
        assert!(!same_origin(
            "https://a.example:8080",
            Some("a.example:8080"),
            false
        ));
        assert!(!same_origin(
            "http://a.example:8080",
            Some("a.example:8080"),
            true
        ));
        assert!(!same_origin(
            "http://a.example:8081",
            Some("a.example:8080"),
            false
        ));
        assert!(!same_origin("http://b.example", Some("a.example"), false));
        assert!(!same_origin("null", Some("a.example"), false));
        assert!(!same_origin("http://a.example", None, false));
    }

    #[test]
    fn cookie_flags() {
        let v = set_cookie(SESSION_COOKIE, "t", true, None);
        assert_eq!(
            v.to_str().unwrap(),
            "sinergi_sesi=t; Path=/; HttpOnly; SameSite=Strict; Secure"
        );
        let v = set_cookie(SESSION_COOKIE, "", false, Some(0));
        assert!(v.to_str().unwrap().contains("Max-Age=0"));
        assert!(!v.to_str().unwrap().contains("Secure"));
    }
}
