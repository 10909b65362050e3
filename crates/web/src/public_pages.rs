//! Rendered public pages kept in memory while the data behind them is unchanged.
//!
//! The public region page gathers a region's tree, counts, profile and map: tens of
//! milliseconds of queries for HTML that is the same for every visitor who is not signed in.
//! It is kept per (path, language, day) and served again until the store's
//! [`PublicVersion`] moves (any audited write, any change of person rows, any recount).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::response::{Html, IntoResponse, Response};
use sinergi_store::PublicVersion;

use crate::i18n::Lang;

/// Pages kept at most; past this the cache starts again (a crawler walking every desa page
/// cannot grow it without bound: about 20 KB a page).
const MAX_PAGES: usize = 2_000;

type Key = (String, Lang, chrono::NaiveDate);
/// A kept page and the data version it was rendered from.
type Kept = (PublicVersion, Bytes);

/// Renders of missing pages run one at a time per stripe: a hundred visitors arriving at an
/// empty cache wait for one render instead of running a hundred.
const RENDER_STRIPES: usize = 16;

#[derive(Clone, Default)]
pub struct PublicPages {
    pages: Arc<Mutex<HashMap<Key, Kept>>>,
    rendering: Arc<[tokio::sync::Mutex<()>; RENDER_STRIPES]>,
}

impl PublicPages {
    /// The page at `path` for an anonymous visitor in `lang`: the kept HTML when the data is
    /// unchanged since it was rendered, otherwise `render`'s (kept when it succeeded). Errors
    /// are never kept.
    pub async fn serve<F>(
        &self,
        store: &sinergi_store::Store,
        path: &str,
        lang: Lang,
        render: F,
    ) -> Response
    where
        F: std::future::Future<Output = Result<String, Response>>,
    {
        // Without a version the page is rendered as if there were no cache.
        let Ok(version) = store.public_version().await else {
            return render
                .await
                .map_or_else(|e| e, |html| Html(html).into_response());
        };
        let key = (path.to_string(), lang, chrono::Utc::now().date_naive());
        if let Some(html) = self.get(&key, version) {
            return Html(html).into_response();
        }
        // The same key lands on the same stripe on every thread: a fixed-key hasher.
        let stripe = {
            use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
            BuildHasherDefault::<DefaultHasher>::default().hash_one(&key) as usize % RENDER_STRIPES
        };
        let _rendering = self.rendering[stripe].lock().await;
        // Rendered by whoever held the stripe before us?
        if let Some(html) = self.get(&key, version) {
            return Html(html).into_response();
        }
        match render.await {
            Ok(html) => {
                // Bytes: every later visitor shares this one copy of the page.
                let html = Bytes::from(html);
                self.put(key, version, html.clone());
                Html(html).into_response()
            }
            Err(response) => response,
        }
    }

    fn get(&self, key: &Key, version: PublicVersion) -> Option<Bytes> {
        let pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        pages
            .get(key)
            .filter(|(kept, _)| *kept == version)
            .map(|(_, html)| html.clone())
    }

    fn put(&self, key: Key, version: PublicVersion, html: Bytes) {
        let mut pages = self.pages.lock().unwrap_or_else(|e| e.into_inner());
        if pages.len() >= MAX_PAGES && !pages.contains_key(&key) {
            pages.clear();
        }
        pages.insert(key, (version, html));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn visitors_arriving_together_wait_for_one_render() {
        let db = sinergi_testkit::TestDb::sqlite();
        let store = db.open().await;
        let pages = PublicPages::default();
        let renders = Arc::new(AtomicUsize::new(0));
        let mut visitors = Vec::new();
        for _ in 0..40 {
            let (pages, store, renders) = (pages.clone(), store.clone(), renders.clone());
            visitors.push(tokio::spawn(async move {
                let response = pages
                    .serve(&store, "/wilayah/52", Lang::Id, async {
                        renders.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        Ok("<p>NTB</p>".to_string())
                    })
                    .await;
                response.status()
            }));
        }
        for v in visitors {
            assert_eq!(v.await.unwrap(), axum::http::StatusCode::OK);
        }
        assert_eq!(
            renders.load(Ordering::SeqCst),
            1,
            "one render for 40 visitors"
        );
        // Another language is another page.
        pages
            .serve(&store, "/wilayah/52", Lang::En, async {
                renders.fetch_add(1, Ordering::SeqCst);
                Ok("<p>NTB</p>".to_string())
            })
            .await;
        assert_eq!(renders.load(Ordering::SeqCst), 2);
    }
}
