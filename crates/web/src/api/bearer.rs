//! Requests from machines: `Authorization: Bearer snrg_…`. The token names a service account
//! (its role and scope); from here on the request is that account's, through the same scoped
//! store as a person's. A session cookie on the same request is refused rather than ignored,
//! so a browser page can never ride on a token or a token on a browser's session.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::auth::{RequestAuth, SESSION_COOKIE, cookie, security_headers};
use crate::{AppError, AppState, Ui};

/// The token in an `Authorization` value, if it is the bearer scheme.
fn bearer_token(value: &str) -> Option<&str> {
    let (scheme, token) = value.trim().split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

fn refuse(ui: &Ui, status: StatusCode, key: &'static str) -> Response {
    let mut resp = AppError {
        status,
        key,
        detail: None,
    }
    .json(ui.t);
    if status == StatusCode::UNAUTHORIZED {
        resp.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"sinergi\""),
        );
    }
    finish(&mut resp);
    resp
}

fn finish(resp: &mut Response) {
    let h = resp.headers_mut();
    security_headers(h);
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// Resolves the token, applies its rate limit, audits the use, and runs the handler as the
/// token's service account.
pub async fn authenticate(
    state: &AppState,
    mut req: Request,
    next: Next,
    ui: Ui,
    secure: bool,
    address: String,
) -> Response {
    let headers = req.headers();
    let Some(secret) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(bearer_token)
        .map(str::to_string)
    else {
        return refuse(&ui, StatusCode::UNAUTHORIZED, "api.token_scheme");
    };
    if cookie(headers, SESSION_COOKIE).is_some() {
        return refuse(&ui, StatusCode::BAD_REQUEST, "api.token_and_cookie");
    }
    let token = match state.store.token_user(&secret).await {
        Ok(Some(token)) => token,
        Ok(None) => return refuse(&ui, StatusCode::UNAUTHORIZED, "api.token_invalid"),
        Err(e) => return AppError::from(e).json(ui.t),
    };
    if let Err(wait) = state.auth.api_rate.take(token.token_id, Instant::now()) {
        let mut resp = refuse(&ui, StatusCode::TOO_MANY_REQUESTS, "api.rate_limited");
        let seconds = wait.as_secs_f64().ceil().max(1.0) as u64;
        resp.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from_str(&seconds.to_string()).expect("digits"),
        );
        return resp;
    }
    let asked = req.uri().path_and_query().map_or_else(
        || req.uri().path().to_string(),
        |pq| pq.as_str().to_string(),
    );
    if let Err(e) = state
        .store
        .record_token_use(&token, req.method().as_str(), &asked)
        .await
    {
        // Unaudited use is no use: refuse rather than serve.
        return AppError::from(e).json(ui.t);
    }
    req.extensions_mut().insert(RequestAuth {
        user: Some(Arc::new(token.user)),
        session_token: None,
        csrf: String::new(),
        secure,
        address,
    });
    let mut resp = next.run(req).await;
    finish(&mut resp);
    resp
}

#[cfg(test)]
mod tests {
    use super::bearer_token;

    #[test]
    fn only_the_bearer_scheme_gives_a_token() {
        assert_eq!(bearer_token("Bearer snrg_abc"), Some("snrg_abc"));
        assert_eq!(bearer_token("bearer  snrg_abc "), Some("snrg_abc"));
        assert_eq!(bearer_token("Basic dXNlcjpwdw=="), None);
        assert_eq!(bearer_token("Bearer "), None);
        assert_eq!(bearer_token("snrg_abc"), None);
    }
}
