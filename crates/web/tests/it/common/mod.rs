//! Shared by the web test files: a real server on a real database, a small HTTP client
//! with a cookie jar, and headless Chromium.
#![allow(dead_code)]

use sinergi_testkit::TestDb;
pub use sinergi_testkit::browser::{Browser, browse};
use sinergi_web::AppState;

/// Page budget: HTML plus the stylesheet it loads.
pub const PAGE_BUDGET: usize = 60 * 1024;

/// A page stays within the budget, loads nothing from other hosts and needs no script.
pub fn assert_light_and_local(what: &str, body: &str) {
    let total = body.len() + sinergi_web::css_len();
    assert!(total < PAGE_BUDGET, "{what} weighs {total} bytes");
    assert!(body.len() > 500, "{what} is suspiciously small");
    for external in ["http://", "https://", "src=\"//", "href=\"//"] {
        assert!(
            !body.contains(external),
            "{what} refers to another host ({external})"
        );
    }
    assert!(!body.contains("<script"), "{what} needs no JavaScript");
}

/// Starts the app on 127.0.0.1:0 in a thread of its own; returns the base URL and a
/// switch that stops it (and drops its database).
pub fn start(db: TestDb) -> (String, tokio::sync::oneshot::Sender<()>) {
    start_keyed(db, None)
}

/// Like [`start`], with the key for personal data attached to the server's store.
pub fn start_keyed(
    db: TestDb,
    key: Option<sinergi_store::PiiKey>,
) -> (String, tokio::sync::oneshot::Sender<()>) {
    start_configured(db, key, |_| {})
}

/// Like [`start_keyed`], with the server's settings changed by `configure` first.
pub fn start_configured(
    db: TestDb,
    key: Option<sinergi_store::PiiKey>,
    configure: impl FnOnce(&mut AppState) + Send + 'static,
) -> (String, tokio::sync::oneshot::Sender<()>) {
    let (tx, rx) = std::sync::mpsc::channel();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let handle = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let mut store = db.open_seeded().await;
            if let Some(key) = key {
                store = store.with_key(key).await.unwrap();
            }
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            tx.send(format!("http://{}", listener.local_addr().unwrap()))
                .unwrap();
            let shutdown = async move {
                let _ = stopped.await;
            };
            let mut state = AppState::new(store.clone());
            configure(&mut state);
            sinergi_web::serve(listener, state, shutdown).await.unwrap();
            store.close().await;
            drop(db);
        });
    });
    let base = rx
        .recv()
        .unwrap_or_else(|_| panic!("server failed to start: {:?}", handle.join().err()));
    (base, stop)
}

pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

pub struct Got {
    pub status: u16,
    pub body: String,
    /// The body as sent, for binary downloads (XLSX, PDF).
    pub bytes: Vec<u8>,
    pub headers: Vec<(String, String)>,
}

pub fn read_response(resp: &mut ureq::http::Response<ureq::Body>) -> Got {
    let headers = resp
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_string(),
                v.to_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let status = resp.status().as_u16();
    let bytes = resp
        .body_mut()
        .with_config()
        .limit(256 * 1024 * 1024)
        .read_to_vec()
        .unwrap_or_default();
    let body = String::from_utf8_lossy(&bytes).into_owned();
    Got {
        status,
        body,
        bytes,
        headers,
    }
}

pub fn get_with(url: &str, cookie: Option<&str>) -> Got {
    let mut req = agent().get(url);
    if let Some(c) = cookie {
        req = req.header("Cookie", c);
    }
    let mut resp = req.call().unwrap_or_else(|e| panic!("GET {url}: {e}"));
    read_response(&mut resp)
}

pub fn header<'a>(got: &'a Got, name: &str) -> Option<&'a str> {
    got.headers
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// A browser-like HTTP client: keeps cookies, sends the CSRF token with forms.
pub struct Client {
    pub base: String,
    pub cookies: std::collections::BTreeMap<String, String>,
}

impl Client {
    pub fn new(base: &str) -> Client {
        Client {
            base: base.to_string(),
            cookies: Default::default(),
        }
    }

    fn cookie_header(&self) -> Option<String> {
        (!self.cookies.is_empty()).then(|| {
            self.cookies
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join("; ")
        })
    }

    fn absorb(&mut self, got: &Got) {
        for (k, v) in &got.headers {
            if !k.eq_ignore_ascii_case("set-cookie") {
                continue;
            }
            let first = v.split(';').next().unwrap_or("");
            let Some((name, value)) = first.split_once('=') else {
                continue;
            };
            if v.contains("Max-Age=0") {
                self.cookies.remove(name);
            } else {
                self.cookies.insert(name.to_string(), value.to_string());
            }
        }
    }

    pub fn get(&mut self, path: &str) -> Got {
        let got = get_with(
            &format!("{}{path}", self.base),
            self.cookie_header().as_deref(),
        );
        self.absorb(&got);
        got
    }

    pub fn csrf(&self) -> String {
        self.cookies
            .get("sinergi_csrf")
            .cloned()
            .unwrap_or_default()
    }

    /// Posts a form exactly as given (no token added).
    pub fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Got {
        let url = format!("{}{path}", self.base);
        let mut req = agent().post(&url);
        if let Some(c) = self.cookie_header() {
            req = req.header("Cookie", &c);
        }
        let mut resp = req
            .send_form(fields.iter().copied())
            .unwrap_or_else(|e| panic!("POST {url}: {e}"));
        let got = read_response(&mut resp);
        self.absorb(&got);
        got
    }

    /// Posts a form with this client's CSRF token, as the page's own forms do.
    pub fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Got {
        let token = self.csrf();
        let mut all = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all)
    }

    /// Posts `multipart/form-data` (text fields and one file) to `path`. A `_csrf=` in the
    /// path's query is sent as the body's first field instead, as the upload forms send it
    /// (the server takes no token from a URL).
    pub fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &[u8]),
    ) -> Got {
        let (path, token) = match path.split_once('?') {
            Some((p, q)) => {
                let mut token = None;
                let rest: Vec<&str> = q
                    .split('&')
                    .filter(|kv| match kv.strip_prefix("_csrf=") {
                        Some(t) => {
                            token = Some(t.to_string());
                            false
                        }
                        None => true,
                    })
                    .collect();
                let path = if rest.is_empty() {
                    p.to_string()
                } else {
                    format!("{p}?{}", rest.join("&"))
                };
                (path, token)
            }
            None => (path.to_string(), None),
        };
        let path = path.as_str();
        let mut all: Vec<(&str, &str)> = Vec::new();
        if let Some(t) = token.as_deref() {
            all.push(("_csrf", t));
        }
        all.extend_from_slice(fields);
        let fields = &all[..];
        let boundary = "----sinergi-uji-7b1d";
        let mut body = Vec::new();
        for (k, v) in fields {
            body.extend_from_slice(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n"
                )
                .as_bytes(),
            );
        }
        let (field, filename, bytes) = file;
        body.extend_from_slice(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"; filename=\"{filename}\"\r\nContent-Type: text/csv\r\n\r\n").as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let url = format!("{}{path}", self.base);
        let mut req = agent().post(&url).header(
            "Content-Type",
            &format!("multipart/form-data; boundary={boundary}"),
        );
        if let Some(c) = self.cookie_header() {
            req = req.header("Cookie", &c);
        }
        let mut resp = req
            .send(&body[..])
            .unwrap_or_else(|e| panic!("POST {url}: {e}"));
        let got = read_response(&mut resp);
        self.absorb(&got);
        got
    }

    /// Posts an upload as the page's own upload forms do: the CSRF token as the first
    /// multipart field, then `fields`, then the file.
    pub fn post_upload(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: (&str, &str, &[u8]),
    ) -> Got {
        let token = self.csrf();
        let mut all = vec![("_csrf", token.as_str())];
        all.extend_from_slice(fields);
        self.post_multipart(path, &all, file)
    }

    pub fn login(&mut self, username: &str, password: &str) -> Got {
        let page = self.get("/masuk");
        assert_eq!(page.status, 200);
        self.post(
            "/masuk",
            &[
                ("username", username),
                ("password", password),
                ("ke", "/penerima"),
            ],
        )
    }
}

/// Follows an import's job page (it refreshes itself until the job ends) and returns the
/// finished page.
pub fn finished_job(c: &mut Client, redirect: &Got) -> Got {
    let job = header(redirect, "location").unwrap().to_string();
    for _ in 0..200 {
        let page = c.get(&job);
        assert_eq!(page.status, 200, "{}", page.body);
        if !page.body.contains("http-equiv=\"refresh\"") {
            return page;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    panic!("job {job} did not finish");
}

/// Posts an upload that runs as a background job (the answer is 303 to the job's page) and
/// returns the job's page once it has finished.
pub fn upload_job(
    c: &mut Client,
    path: &str,
    fields: &[(&str, &str)],
    file: (&str, &str, &[u8]),
) -> Got {
    let posted = c.post_multipart(path, fields, file);
    assert_eq!(posted.status, 303, "{path}: {}", posted.body);
    finished_job(c, &posted)
}

/// Every path given to `.route(` anywhere under `crates/web/src`.
pub fn route_paths() -> Vec<String> {
    fn walk(dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for rest in text.split(".route(").skip(1) {
                    let rest = rest.trim_start();
                    if let Some(lit) = rest.strip_prefix('"') {
                        out.push(lit[..lit.find('"').unwrap()].to_string());
                    }
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut out,
    );
    out.sort();
    out.dedup();
    out
}
