//! Pagination, in one place for every list.

use serde::Serialize;

/// A requested page: 1-based number and size, clamped to sane bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    pub number: u32,
    pub size: u32,
}

impl Page {
    pub const MAX_SIZE: u32 = 500;

    pub fn new(number: Option<u32>, size: Option<u32>, default_size: u32) -> Page {
        Page {
            number: number.unwrap_or(1).max(1),
            size: size.unwrap_or(default_size).clamp(1, Self::MAX_SIZE),
        }
    }

    pub fn offset(&self) -> i64 {
        i64::from(self.number - 1) * i64::from(self.size)
    }

    pub fn limit(&self) -> i64 {
        i64::from(self.size)
    }
}

/// One page of results and the total they were cut from.
#[derive(Debug, Clone, Serialize)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: u64,
    pub page: u32,
    pub size: u32,
}

impl<T> Paged<T> {
    pub fn empty(page: Page) -> Paged<T> {
        Paged {
            items: Vec::new(),
            total: 0,
            page: page.number,
            size: page.size,
        }
    }

    pub fn pages(&self) -> u32 {
        (self.total.div_ceil(u64::from(self.size.max(1)))).max(1) as u32
    }

    pub fn has_next(&self) -> bool {
        self.page < self.pages()
    }
}

/// A requested sort order for a list: `nama` ascending, `-nama` descending. Only keys the
/// list names are accepted, each mapped to its SQL expression, so a query string never
/// reaches SQL; an unknown key falls back to the list's default (the first key).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    /// Index into the list's allowed keys.
    pub key: usize,
    pub descending: bool,
}

impl Sort {
    pub fn parse(value: Option<&str>, allowed: &[(&str, &str)]) -> Sort {
        let value = value.map(str::trim).unwrap_or("");
        let (descending, name) = match value.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, value),
        };
        match allowed.iter().position(|(k, _)| *k == name) {
            Some(key) => Sort { key, descending },
            None => Sort {
                key: 0,
                descending: false,
            },
        }
    }

    /// `ORDER BY` body: the chosen expression, then `tiebreak` (a unique column) so pages
    /// never overlap.
    pub fn order_by(&self, allowed: &[(&str, &str)], tiebreak: &str) -> String {
        let expr = allowed.get(self.key).map_or(tiebreak, |(_, e)| e);
        let dir = if self.descending { "DESC" } else { "ASC" };
        format!("{expr} {dir}, {tiebreak} {dir}")
    }

    /// The query-string value that names this order (for links and forms).
    pub fn param(&self, allowed: &[(&str, &str)]) -> String {
        let key = allowed.get(self.key).map_or("", |(k, _)| k);
        if self.descending {
            format!("-{key}")
        } else {
            key.to_string()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sort_accepts_only_named_keys() {
        let allowed = [("nama", "o.name"), ("wilayah", "o.region_code")];
        let s = Sort::parse(Some("-wilayah"), &allowed);
        assert_eq!(
            s,
            Sort {
                key: 1,
                descending: true
            }
        );
        assert_eq!(
            s.order_by(&allowed, "o.id"),
            "o.region_code DESC, o.id DESC"
        );
        assert_eq!(s.param(&allowed), "-wilayah");
        let hostile = Sort::parse(Some("name; DROP TABLE x"), &allowed);
        assert_eq!(hostile.order_by(&allowed, "o.id"), "o.name ASC, o.id ASC");
    }

    #[test]
    fn clamps_and_counts() {
        let p = Page::new(Some(0), Some(10_000), 50);
        assert_eq!((p.number, p.size), (1, Page::MAX_SIZE));
        let p = Page::new(Some(3), None, 50);
        assert_eq!(p.offset(), 100);
        let paged = Paged::<u8> {
            items: vec![],
            total: 101,
            page: 3,
            size: 50,
        };
        assert_eq!(paged.pages(), 3);
        assert!(!paged.has_next());
        let empty = Paged::<u8> {
            items: vec![],
            total: 0,
            page: 1,
            size: 50,
        };
        assert_eq!(empty.pages(), 1);
    }
}
