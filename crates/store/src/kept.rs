//! Person-row reads kept while the rows are unchanged.
//!
//! The person pages ask the same questions again and again: a kab/kota operator's list counts
//! up to the cap over the same scope on every page, and a name search reads every match's key
//! on every page of its results. Both answers depend only on the query (its SQL with the
//! viewer's scope and filter bound into it) and on the person rows, which change only
//! through imports, moves and deletions — each of which bumps the `person_record`
//! generation (migration 0009's triggers, whoever writes). An answer is kept with the
//! generation it was read at and used again only while the generation is the same.
//!
//! The key is the whole query text with its bound values, so two viewers with different
//! scopes can never share an answer: the scope is part of the query.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::scope::Bind;

/// Answers kept at most per kind; past this the map starts again (bounded memory: a name
/// search keeps at most the cap's worth of keys, about 600 KB).
const MAX_KEPT: usize = 256;
const MAX_KEPT_SEARCHES: usize = 32;

/// The keys (region code, id) of a search's matches, in (region, id) order.
pub(crate) type Keys = Arc<Vec<(String, i64)>>;

/// Reads of a missing answer run one at a time per stripe: a hundred requests arriving
/// together at an empty cache wait for one read instead of running a hundred.
const READ_STRIPES: usize = 16;

#[derive(Default)]
pub(crate) struct KeptReads {
    counts: Mutex<HashMap<String, (i64, i64)>>,
    searches: Mutex<HashMap<String, (i64, Keys)>>,
    reading: [tokio::sync::Mutex<()>; READ_STRIPES],
}

/// The cache key of a query: its text and its bound values (scope and filter included).
pub(crate) fn query_key(sql: &str, binds: &[Bind]) -> String {
    format!("{sql}\u{0}{binds:?}")
}

fn get<T: Clone>(map: &Mutex<HashMap<String, (i64, T)>>, key: &str, generation: i64) -> Option<T> {
    let map = map.lock().unwrap_or_else(|e| e.into_inner());
    map.get(key)
        .filter(|(at, _)| *at == generation)
        .map(|(_, v)| v.clone())
}

fn put<T>(map: &Mutex<HashMap<String, (i64, T)>>, max: usize, key: String, generation: i64, v: T) {
    let mut map = map.lock().unwrap_or_else(|e| e.into_inner());
    if map.len() >= max && !map.contains_key(&key) {
        map.clear();
    }
    map.insert(key, (generation, v));
}

impl KeptReads {
    /// Held while reading the answer for `key`: whoever waited on it looks again first.
    pub(crate) async fn reading(&self, key: &str) -> tokio::sync::MutexGuard<'_, ()> {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        let stripe = BuildHasherDefault::<DefaultHasher>::default().hash_one(key) as usize;
        self.reading[stripe % READ_STRIPES].lock().await
    }

    /// A count read at `generation` for `key`, if kept.
    pub(crate) fn count(&self, key: &str, generation: i64) -> Option<i64> {
        get(&self.counts, key, generation)
    }

    /// Keeps a count; `generation` must have been read before the count was.
    pub(crate) fn keep_count(&self, key: String, generation: i64, count: i64) {
        put(&self.counts, MAX_KEPT, key, generation, count);
    }

    /// A search's match keys read at `generation` for `key`, if kept.
    pub(crate) fn search(&self, key: &str, generation: i64) -> Option<Keys> {
        get(&self.searches, key, generation)
    }

    /// Keeps a search's match keys; `generation` must have been read before them.
    pub(crate) fn keep_search(&self, key: String, generation: i64, keys: Keys) {
        put(&self.searches, MAX_KEPT_SEARCHES, key, generation, keys);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_serves_only_its_own_query_and_generation() {
        let kept = KeptReads::default();
        let a = query_key("SELECT 1 WHERE r >= $1", &[Bind::Text("52.03".into())]);
        let b = query_key("SELECT 1 WHERE r >= $1", &[Bind::Text("52.04".into())]);
        kept.keep_count(a.clone(), 7, 42);
        assert_eq!(kept.count(&a, 7), Some(42));
        assert_eq!(kept.count(&a, 8), None, "rows changed since");
        assert_eq!(kept.count(&b, 7), None, "another scope is another query");
        kept.keep_search(b.clone(), 7, Arc::new(vec![("52.04".into(), 1)]));
        assert_eq!(kept.search(&b, 7).map(|k| k.len()), Some(1));
        assert_eq!(kept.search(&a, 7), None);
    }

    #[test]
    fn the_kept_answers_stay_bounded() {
        let kept = KeptReads::default();
        for i in 0..(MAX_KEPT_SEARCHES * 3) {
            kept.keep_search(format!("q{i}"), 1, Arc::new(Vec::new()));
        }
        let n = kept.searches.lock().unwrap().len();
        assert!(n <= MAX_KEPT_SEARCHES, "{n} kept");
    }
}
