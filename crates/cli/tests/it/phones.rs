//! Every page each demo account reaches, walked on the demo world: within the page budget
//! (maps included), no wider than a 390 px phone in headless Chromium, and every download a
//! spreadsheet can use (XLSX numbers as numbers, CSV with a BOM).

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::PathBuf;

use crate::cli::{sign_in, start_demo};

/// HTML plus the stylesheet it loads.
const PAGE_BUDGET: usize = 60 * 1024;
const PHONE_WIDTH: u32 = 390;
/// Enough for every kind of page; the walk stops early rather than wander a long list.
const MAX_PAGES_PER_ACCOUNT: usize = 90;
const ACCOUNTS: [Option<&str>; 7] = [
    None,
    Some("admin.ntb"),
    Some("pimpinan.ntb"),
    Some("operator.lotim"),
    Some("operator.lks"),
    Some("mitra.baznas"),
    Some("mitra.sumbawa"),
];

fn fetch(url: &str, cookie: Option<&str>) -> (u16, Option<String>, Vec<u8>) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let mut req = agent.get(url);
    if let Some(c) = cookie {
        req = req.header("Cookie", c);
    }
    let mut resp = req.call().unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let kind = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let status = resp.status().as_u16();
    let body = resp
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_vec()
        .unwrap();
    (status, kind, body)
}

/// One page per kind: digits in the path and query values do not make a new kind (a
/// region code's depth does: `/wilayah/#.#` is a kab/kota page).
fn shape(href: &str) -> String {
    let (path, query) = href.split_once('?').unwrap_or((href, ""));
    let mut out = String::new();
    let mut in_digits = false;
    for c in path.chars() {
        if c.is_ascii_digit() {
            if !in_digits {
                out.push('#');
            }
            in_digits = true;
        } else {
            in_digits = false;
            out.push(c);
        }
    }
    let mut keys: Vec<&str> = query
        .split('&')
        .filter_map(|kv| kv.split('=').next())
        .filter(|k| !k.is_empty())
        .collect();
    keys.sort_unstable();
    keys.dedup();
    format!("{out}?{}", keys.join("&"))
}

fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|h| h.starts_with('/') && !h.starts_with("//"))
        .map(|h| h.replace("&amp;", "&").replace("&#38;", "&"))
        .collect()
}

#[derive(Default)]
struct Walk {
    /// href → HTML of each page visited.
    pages: BTreeMap<String, String>,
    downloads: BTreeSet<String>,
}

fn walk(base: &str, cookie: Option<&str>) -> Walk {
    let mut walk = Walk::default();
    let mut seen_shapes = BTreeSet::new();
    // The home page, then the map pages that weigh most: the country, the largest
    // provinces, kab/kota with kecamatan boundaries, and NTB down to a desa.
    let mut queue: VecDeque<String> = [
        "/",
        "/wilayah",
        "/wilayah/52",
        "/wilayah/33",
        "/wilayah/35",
        "/wilayah/94",
        "/wilayah/33.01",
        "/wilayah/63.01",
        "/wilayah/52.03",
        "/wilayah/52.03.05",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let seeds = queue.len();
    while let Some(href) = queue.pop_front() {
        if walk.pages.len() >= MAX_PAGES_PER_ACCOUNT {
            break;
        }
        let path = href.split('?').next().unwrap_or_default();
        if path.starts_with("/static/")
            || path.starts_with("/api/")
            || path.starts_with("/bahasa/")
            || path == "/keluar"
        {
            continue;
        }
        if [".csv", ".xlsx", ".pdf", ".json"]
            .iter()
            .any(|e| path.ends_with(e))
        {
            walk.downloads.insert(href);
            continue;
        }
        if !seen_shapes.insert(shape(&href)) && walk.pages.len() >= seeds {
            continue;
        }
        let (status, kind, body) = fetch(&format!("{base}{href}"), cookie);
        if !(200..300).contains(&status) || !kind.is_some_and(|k| k.starts_with("text/html")) {
            continue;
        }
        let html = String::from_utf8(body).unwrap();
        queue.extend(links(&html));
        walk.pages.insert(href, html);
    }
    walk
}

fn chromium() -> Option<PathBuf> {
    if std::env::var("SINERGI_TEST_BROWSER").is_ok_and(|v| v == "skip") {
        eprintln!("!!! browser tests SKIPPED (SINERGI_TEST_BROWSER=skip) !!!");
        return None;
    }
    let found = [
        std::env::var("SINERGI_CHROMIUM").unwrap_or_default(),
        "/usr/bin/chromium".into(),
        "/usr/bin/chromium-browser".into(),
    ]
    .into_iter()
    .filter(|c| !c.is_empty())
    .map(PathBuf::from)
    .find(|p| p.exists());
    Some(found.expect("Chromium not found: install `chromium` or set SINERGI_TEST_BROWSER=skip"))
}

/// The document width of each page in a 390 px frame, measured by Chromium in one run: the
/// pages are saved with their stylesheet inlined, framed side by side in a harness page
/// whose own script reads each frame's `scrollWidth` (the pages themselves carry none).
fn phone_widths(
    pages: &BTreeMap<String, String>,
    css: &str,
) -> Option<BTreeMap<String, (u32, String)>> {
    let bin = chromium()?;
    let dir = tempfile::tempdir().unwrap();
    let mut frames = String::new();
    let names: Vec<&String> = pages.keys().collect();
    for (i, html) in pages.values().enumerate() {
        let inlined = html.replace(
            r#"<link rel="stylesheet" href="/static/app.css">"#,
            &format!("<style>{css}</style>"),
        );
        std::fs::write(dir.path().join(format!("p{i}.html")), inlined).unwrap();
        frames.push_str(&format!(
            r#"<iframe src="p{i}.html" style="width:{PHONE_WIDTH}px;height:700px;border:0"></iframe>"#
        ));
    }
    let harness = format!(
        r#"<!doctype html><html><body>{frames}<script>
window.addEventListener("load", () => {{
  // Each frame's width, and for a frame too wide the deepest element that sticks out.
  const out = [...document.querySelectorAll("iframe")].map(f => {{
    const d = f.contentDocument;
    if (!d) return f.getAttribute("src") + " -1";
    const w = d.documentElement.scrollWidth;
    let culprit = "";
    if (w > {PHONE_WIDTH}) {{
      for (const e of d.body.querySelectorAll("*")) {{
        if (e.getBoundingClientRect().right > {PHONE_WIDTH} + 1) {{
          culprit = " " + e.tagName.toLowerCase() + (e.className ? "." + String(e.className).replace(/ /g, ".") : "");
        }}
      }}
    }}
    return f.getAttribute("src") + " " + w + culprit;
  }});
  const pre = document.createElement("pre");
  pre.id = "widths";
  pre.textContent = out.join(";");
  document.body.appendChild(pre);
}});
</script></body></html>"#
    );
    let index = dir.path().join("index.html");
    std::fs::write(&index, harness).unwrap();
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(bin)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--allow-file-access-from-files",
            "--virtual-time-budget=30000",
            "--window-size=1280,900",
            "--dump-dom",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("file://{}", index.display()))
        .output()
        .expect("run chromium");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dom = String::from_utf8_lossy(&out.stdout);
    let widths = dom
        .split(r#"<pre id="widths">"#)
        .nth(1)
        .and_then(|r| r.split("</pre>").next())
        .unwrap_or_else(|| panic!("harness wrote no widths: {dom}"));
    let mut result = BTreeMap::new();
    for entry in widths.split(';') {
        let (file, rest) = entry.split_once(' ').unwrap();
        let (width, culprit) = rest.split_once(' ').unwrap_or((rest, ""));
        let i: usize = file
            .trim_start_matches('p')
            .trim_end_matches(".html")
            .parse()
            .unwrap();
        let width: i64 = width.parse().unwrap();
        assert!(width > 0, "{} did not load in its frame", names[i]);
        result.insert(names[i].clone(), (width as u32, culprit.to_string()));
    }
    assert_eq!(result.len(), pages.len(), "every page measured");
    Some(result)
}

/// Headers of columns that hold codes, text by design.
fn is_code_header(h: &str) -> bool {
    let h = h.to_lowercase();
    h.starts_with("kode")
        || h.starts_with("no_")
        || h.contains("nik")
        || h == "id"
        || h.ends_with("_id")
}

/// Every column whose filled cells all read as numbers must hold number cells, and ISO
/// dates must be date cells. Returns how many number and date cells were found.
fn check_xlsx(href: &str, bytes: &[u8]) -> (usize, usize) {
    use calamine::{Data, Reader};
    let mut book: calamine::Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes))
        .unwrap_or_else(|e| panic!("{href} is not an XLSX workbook: {e}"));
    let mut numbers = 0;
    let mut dates = 0;
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        let rows: Vec<&[Data]> = range.rows().collect();
        let Some((header, body)) = rows.split_first() else {
            continue;
        };
        for (c, h) in header.iter().enumerate() {
            let h = h.to_string();
            let cells: Vec<&Data> = body.iter().filter_map(|r| r.get(c)).collect();
            dates += cells
                .iter()
                .filter(|d| matches!(d, Data::DateTime(_)))
                .count();
            numbers += cells
                .iter()
                .filter(|d| matches!(d, Data::Float(_) | Data::Int(_)))
                .count();
            if is_code_header(&h) || name.starts_with("Petunjuk") {
                continue;
            }
            let text_dates: Vec<&str> = cells
                .iter()
                .filter_map(|d| match d {
                    Data::String(s) if is_iso_date(s) => Some(s.as_str()),
                    _ => None,
                })
                .collect();
            assert!(
                text_dates.is_empty(),
                "{href}, sheet {name}, column {h}: dates stored as text, e.g. {:?}",
                &text_dates[..text_dates.len().min(3)]
            );
            let text_numbers: Vec<&str> = cells
                .iter()
                .filter_map(|d| match d {
                    Data::String(s) if reads_as_number(s) => Some(s.as_str()),
                    _ => None,
                })
                .collect();
            // A column is numeric when every filled cell reads as a number (a list such as
            // "17;8" makes it a code column).
            let filled = cells
                .iter()
                .filter(|d| {
                    !matches!(d, Data::Empty) && !matches!(d, Data::String(s) if s.is_empty())
                })
                .count();
            assert!(
                text_numbers.is_empty() || text_numbers.len() < filled,
                "{href}, sheet {name}, column {h}: numbers stored as text, e.g. {:?}",
                &text_numbers[..text_numbers.len().min(3)]
            );
        }
    }
    (numbers, dates)
}

/// A number as a machine writes it ("1166", "12.5") or as Indonesian text does ("1.166",
/// "12,91", "12,91 %").
fn reads_as_number(s: &str) -> bool {
    let t = s.trim().trim_end_matches('%').trim_end();
    let t = t.strip_prefix('-').unwrap_or(t);
    !t.is_empty()
        && t.starts_with(|c: char| c.is_ascii_digit())
        && t.chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        && t.matches(',').count() <= 1
}

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

#[test]
fn every_page_of_every_account_fits_a_phone_and_the_budget_and_exports_are_typed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sinergi.db").display().to_string();
    let mut server = start_demo(&db);
    let addr = server.address();
    let base = format!("http://{addr}");
    let (_, _, css) = fetch(&format!("{base}/static/app.css"), None);
    let css = String::from_utf8(css).unwrap();

    let mut all_pages: BTreeMap<String, String> = BTreeMap::new();
    let mut heaviest: Vec<(usize, String)> = Vec::new();
    let mut number_cells = 0;
    let mut date_cells = 0;
    let mut xlsx_files = 0;
    let mut over_budget: Vec<String> = Vec::new();
    for account in ACCOUNTS {
        let cookie = account.map(|user| {
            let (_, _, session) = sign_in(&addr, user, "sinergi-demo-2025");
            format!(
                "sinergi_sesi={}",
                session.unwrap_or_else(|| panic!("{user} signs in"))
            )
        });
        let who = account.unwrap_or("publik");
        let walk = walk(&base, cookie.as_deref());
        assert!(
            walk.pages.len() >= 8,
            "{who} reached only {:?}",
            walk.pages.keys()
        );
        eprintln!(
            "{who}: {} pages, {} downloads",
            walk.pages.len(),
            walk.downloads.len()
        );
        if who == "admin.ntb" {
            // The pages that once broke the budget or the phone width are among those walked.
            for page in [
                "/admin/audit",
                "/lks/kedaluwarsa?lewat=1",
                "/4w/analisis",
                "/wilayah/52",
                "/mutu-data",
                "/bantuan-ganda",
                "/agregat",
                "/agregat/kelompok",
            ] {
                assert!(
                    walk.pages.keys().any(|p| p.starts_with(page)),
                    "walk missed {page}"
                );
            }
        }
        for (href, html) in &walk.pages {
            let total = html.len() + css.len();
            heaviest.push((total, format!("{who} {href}")));
            if total >= PAGE_BUDGET {
                over_budget.push(format!("{who} {href}: {total} bytes"));
            }
            all_pages.insert(format!("{who} {href}"), html.clone());
        }
        for href in &walk.downloads {
            let (status, _, bytes) = fetch(&format!("{base}{href}"), cookie.as_deref());
            if status != 200 {
                continue;
            }
            let path = href.split('?').next().unwrap();
            if path.ends_with(".xlsx") {
                xlsx_files += 1;
                let (numbers, dates) = check_xlsx(&format!("{who} {href}"), &bytes);
                number_cells += numbers;
                date_cells += dates;
            } else if path.ends_with(".csv") {
                assert!(
                    bytes.starts_with("\u{feff}".as_bytes()),
                    "{who} {href}: CSV without BOM"
                );
            }
        }
    }
    heaviest.sort_by(|a, b| b.cmp(a));
    eprintln!("heaviest pages (HTML + CSS bytes):");
    for (bytes, page) in heaviest.iter().take(10) {
        eprintln!("  {bytes:>6}  {page}");
    }
    assert!(
        xlsx_files >= 3,
        "the walk found {xlsx_files} XLSX downloads"
    );
    eprintln!("{xlsx_files} XLSX downloads: {number_cells} number cells, {date_cells} date cells");
    assert!(number_cells > 0, "no XLSX download holds a number cell");
    assert!(date_cells > 0, "no XLSX download holds a date cell");

    let widths = phone_widths(&all_pages, &css);
    assert!(
        over_budget.is_empty(),
        "over the {PAGE_BUDGET}-byte budget with CSS:\n{}",
        over_budget.join("\n")
    );
    let Some(widths) = widths else {
        return;
    };
    let too_wide: Vec<String> = widths
        .iter()
        .filter(|(_, (w, _))| *w > PHONE_WIDTH)
        .map(|(p, (w, culprit))| format!("{p}: {w} px, widest: {culprit}"))
        .collect();
    eprintln!("{} pages measured at {PHONE_WIDTH} px", widths.len());
    assert!(
        too_wide.is_empty(),
        "wider than a phone:\n{}",
        too_wide.join("\n")
    );
}
