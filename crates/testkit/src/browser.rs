//! Headless Chromium for tests: a page's DOM as the browser built it, and a WebDriver session
//! for clicking through forms. Shared by the web and CLI tests (the CLI's run the demo world).

use std::path::PathBuf;

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// The binary of headless Chromium, or `None` when browser tests are explicitly skipped.
pub fn chromium() -> Option<PathBuf> {
    if std::env::var("SINERGI_TEST_BROWSER").is_ok_and(|v| v == "skip") {
        eprintln!("!!! browser tests SKIPPED (SINERGI_TEST_BROWSER=skip) !!!");
        return None;
    }
    let candidates = [
        std::env::var("SINERGI_CHROMIUM").unwrap_or_default(),
        "/usr/bin/chromium".into(),
        "/usr/bin/chromium-browser".into(),
    ];
    let found = candidates
        .into_iter()
        .filter(|c| !c.is_empty())
        .map(PathBuf::from)
        .find(|p| p.exists());
    Some(found.unwrap_or_else(|| {
        panic!("Chromium not found: install Debian's `chromium` (scripts/test.sh does), or set SINERGI_TEST_BROWSER=skip to skip loudly")
    }))
}

/// Renders a page in headless Chromium; returns the DOM it built. (`--dump-dom` needs
/// script to serialise the DOM, so it stays on; the pages carry no script, which
/// `every_page_stays_light_and_local` asserts.)
pub fn browse(url: &str, screenshot: Option<&std::path::Path>) -> Option<String> {
    let bin = chromium()?;
    let profile = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(bin);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1280,900",
    ]);
    cmd.arg(format!("--user-data-dir={}", profile.path().display()));
    match screenshot {
        Some(path) => cmd.arg(format!("--screenshot={}", path.display())),
        None => cmd.arg("--dump-dom"),
    };
    let out = cmd.arg(url).output().expect("run chromium");
    assert!(
        out.status.success(),
        "chromium failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// A real Chromium driven through WebDriver (Debian's chromium-driver), or `None` when
/// browser tests are explicitly skipped.
pub struct Browser {
    driver: std::process::Child,
    endpoint: String,
    session: String,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Browser {
    pub fn start() -> Option<Browser> {
        let chromium = chromium()?;
        let driver_bin = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"]
            .into_iter()
            .find(|p| std::path::Path::new(p).exists())
            .unwrap_or_else(|| panic!("chromedriver not found: install Debian's `chromium-driver` (scripts/test.sh does), or set SINERGI_TEST_BROWSER=skip to skip loudly"));
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = std::process::Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let endpoint = format!("http://127.0.0.1:{port}");
        for _ in 0..100 {
            if agent().get(&format!("{endpoint}/status")).call().is_ok() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        let caps = serde_json::json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium.display().to_string(),
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1200,900"]
            }
        }}});
        let mut b = Browser {
            driver,
            endpoint,
            session: String::new(),
        };
        let v = b.call("POST", "/session", Some(caps));
        b.session = v["sessionId"]
            .as_str()
            .expect("webdriver session")
            .to_string();
        Some(b)
    }

    fn call(&self, method: &str, path: &str, body: Option<serde_json::Value>) -> serde_json::Value {
        let url = format!("{}{path}", self.endpoint);
        let mut resp = match (method, body) {
            ("POST", Some(b)) => agent().post(&url).send_json(b),
            ("POST", None) => agent().post(&url).send_json(serde_json::json!({})),
            ("DELETE", _) => agent().delete(&url).call(),
            _ => agent().get(&url).call(),
        }
        .unwrap_or_else(|e| panic!("webdriver {method} {path}: {e}"));
        let v: serde_json::Value = resp.body_mut().read_json().expect("webdriver json");
        assert!(
            v["value"].get("error").is_none(),
            "webdriver {method} {path}: {v}"
        );
        v["value"].clone()
    }

    fn s(&self, rest: &str) -> String {
        format!("/session/{}{rest}", self.session)
    }

    pub fn open(&self, url: &str) {
        self.call(
            "POST",
            &self.s("/url"),
            Some(serde_json::json!({ "url": url })),
        );
    }

    fn find(&self, css: &str) -> String {
        let v = self.call(
            "POST",
            &self.s("/element"),
            Some(serde_json::json!({"using": "css selector", "value": css})),
        );
        v[ELEMENT].as_str().unwrap().to_string()
    }

    pub fn type_into(&self, css: &str, text: &str) {
        let e = self.find(css);
        self.call(
            "POST",
            &self.s(&format!("/element/{e}/value")),
            Some(serde_json::json!({ "text": text })),
        );
    }

    pub fn click(&self, css: &str) {
        let e = self.find(css);
        self.call("POST", &self.s(&format!("/element/{e}/click")), None);
    }

    pub fn source(&self) -> String {
        self.call("GET", &self.s("/source"), None)
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Waits (up to 10 s) until the current URL satisfies `ok`: a click's navigation may still
    /// be under way when the click returns.
    pub fn wait_for_url(&self, ok: impl Fn(&str) -> bool) -> String {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            let url = self.url();
            if ok(&url) || std::time::Instant::now() > deadline {
                return url;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    pub fn url(&self) -> String {
        self.call("GET", &self.s("/url"), None)
            .as_str()
            .unwrap()
            .to_string()
    }

    pub fn screenshot(&self, path: &std::path::Path) {
        use base64::Engine;
        let v = self.call("GET", &self.s("/screenshot"), None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap())
            .unwrap();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = agent()
                .delete(&format!("{}{}", self.endpoint, self.s("")))
                .call();
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}
