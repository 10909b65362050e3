//! Page links for paginated lists, in one place.

use sinergi_store::Paged;

use crate::ui::encode_component;

/// What the pager partial needs.
#[derive(Debug, Clone)]
pub struct Pager {
    pub page: u32,
    pub pages: u32,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
}

impl Pager {
    /// Keyset links for a list read after a cursor (`sebelum`/`setelah` carry the id of the
    /// last/first row shown; `hal` only numbers the page): a deep page costs what the first
    /// does. `first`/`last` are the ids of the rows shown.
    pub fn keyset<T>(paged: &Paged<T>, base: &str, first: Option<i64>, last: Option<i64>) -> Pager {
        let pages = paged.pages();
        let prev_href = match (paged.page, first) {
            (0 | 1, _) => None,
            (2, _) | (_, None) => Some(format!("{base}?hal=1")),
            (p, Some(id)) => Some(format!("{base}?hal={}&setelah={id}", p - 1)),
        };
        let next_href = match last {
            Some(id) if paged.has_next() => {
                Some(format!("{base}?hal={}&sebelum={id}", paged.page + 1))
            }
            _ => None,
        };
        Pager {
            page: paged.page,
            pages,
            prev_href,
            next_href,
        }
    }

    /// `base` is the path, `params` the query parameters to keep; `hal` carries the page.
    pub fn new<T>(paged: &Paged<T>, base: &str, params: &[(&str, &str)]) -> Pager {
        let href = |page: u32| {
            let mut q: Vec<String> = params
                .iter()
                .map(|(k, v)| format!("{k}={}", encode_component(v)))
                .collect();
            q.push(format!("hal={page}"));
            format!("{base}?{}", q.join("&"))
        };
        let pages = paged.pages();
        Pager {
            page: paged.page,
            pages,
            prev_href: (paged.page > 1).then(|| href(paged.page - 1)),
            next_href: paged.has_next().then(|| href(paged.page + 1)),
        }
    }
}

/// Links for a keyset-paged list (first, previous, next), which knows where it is by the
/// row keys in the link rather than by a page number.
#[derive(Debug, Clone)]
pub struct KeysetPager {
    pub first_href: Option<String>,
    pub prev_href: Option<String>,
    pub next_href: Option<String>,
}

impl KeysetPager {
    /// `base` is the path, `params` the query parameters to keep; `before` and `after` are
    /// the keys of the page's first and last rows when rows lie beyond them (carried in
    /// `sebelum` and `setelah`); `at_start` is true on the first page.
    pub fn new(
        base: &str,
        params: &[(&str, &str)],
        before: Option<String>,
        after: Option<String>,
        at_start: bool,
    ) -> KeysetPager {
        let href = |extra: Option<(&str, &str)>| {
            let q: Vec<String> = params
                .iter()
                .copied()
                .filter(|(_, v)| !v.is_empty())
                .chain(extra)
                .map(|(k, v)| format!("{k}={}", encode_component(v)))
                .collect();
            if q.is_empty() {
                base.to_string()
            } else {
                format!("{base}?{}", q.join("&"))
            }
        };
        KeysetPager {
            first_href: (!at_start).then(|| href(None)),
            prev_href: before.map(|k| href(Some(("sebelum", &k)))),
            next_href: after.map(|k| href(Some(("setelah", &k)))),
        }
    }

    /// Whether there is any link to show.
    pub fn any(&self) -> bool {
        self.first_href.is_some() || self.prev_href.is_some() || self.next_href.is_some()
    }
}
