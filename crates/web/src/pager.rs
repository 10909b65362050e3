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
