//! The message catalogue: every user-visible string comes from here, Bahasa Indonesia first.
//! Pages, the JSON API, the CLI and reports render [`Msg`]s and labels through it.
//!
//! The catalogue is cut into files by area (`catalogue/{id,en}/<area>.json`) so that each
//! part of the product keeps its own messages; a key may appear in one file only.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate};
use sinergi_core::Period;
pub use sinergi_core::msg::{Localized, Msg, MsgArg};
use sinergi_core::region::TimeZone;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Id,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }

    pub fn from_code(code: &str) -> Option<Lang> {
        match code {
            "id" => Some(Lang::Id),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Id => Lang::En,
            Lang::En => Lang::Id,
        }
    }
}

/// The catalogue's files: (area, Indonesian, English). Add an area here when it gets a file.
macro_rules! areas {
    ($($area:literal),* $(,)?) => {
        &[$((
            $area,
            include_str!(concat!("../catalogue/id/", $area, ".json")),
            include_str!(concat!("../catalogue/en/", $area, ".json")),
        )),*]
    };
}
pub const AREAS: &[(&str, &str, &str)] = areas![
    "ui",
    "errors",
    "accounts",
    "lists",
    "core",
    "intake",
    "programs",
    "strategy",
    "institutions",
    "security",
    "templates",
    "home",
    "audit",
    "cycles",
    "priority",
    "forums",
    "api",
    "double_aid",
    "linkage",
    "quality",
];

fn parse_area(area: &str, text: &str) -> Result<Vec<(String, String)>, String> {
    let map: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(text).map_err(|e| format!("{area}: {e}"))?;
    map.into_iter()
        .map(|(k, v)| match v {
            serde_json::Value::String(s) => Ok((k, s)),
            _ => Err(format!("{area}: {k} is not a string")),
        })
        .collect()
}

/// Every entry of one language, or what is wrong with the files (a key in two areas).
fn load(lang: Lang) -> Result<HashMap<String, String>, String> {
    let mut all = HashMap::new();
    for (area, id, en) in AREAS {
        let text = match lang {
            Lang::Id => id,
            Lang::En => en,
        };
        for (k, v) in parse_area(area, text)? {
            if all.insert(k.clone(), v).is_some() {
                return Err(format!("{k} appears in more than one area ({area})"));
            }
        }
    }
    Ok(all)
}

fn catalogue(lang: Lang) -> &'static HashMap<String, String> {
    static CATALOGUES: OnceLock<[HashMap<String, String>; 2]> = OnceLock::new();
    let all = CATALOGUES.get_or_init(|| {
        let load = |lang| load(lang).expect("message catalogue is valid (checked by a test)");
        [load(Lang::Id), load(Lang::En)]
    });
    &all[lang as usize]
}

/// The messages of one language, handed to every template as `t`.
#[derive(Debug, Clone, Copy)]
pub struct Messages {
    pub lang: Lang,
}

impl Messages {
    pub fn new(lang: Lang) -> Messages {
        Messages { lang }
    }

    /// The message for `key`; an unknown key shows itself, so a gap is visible, not blank.
    pub fn get<'a>(&self, key: &'a str) -> &'a str
    where
        'static: 'a,
    {
        catalogue(self.lang)
            .get(key)
            .map(String::as_str)
            .unwrap_or(key)
    }

    /// A message with its arguments, in this language.
    pub fn render(&self, msg: &Msg) -> String {
        let table = catalogue(self.lang);
        msg.render_with(&|k: &str| table.get(k).map(String::as_str))
    }

    /// A message stored as data ([`Msg::to_json`], e.g. a row's warnings), in this language.
    pub fn render_stored(&self, stored: &serde_json::Value) -> String {
        let table = catalogue(self.lang);
        sinergi_core::render_stored_with(stored, &|k: &str| table.get(k).map(String::as_str))
    }

    /// Integers with the thousands separator of the language (83.762 / 83,762).
    pub fn num(&self, n: &u64) -> String {
        let sep = match self.lang {
            Lang::Id => '.',
            Lang::En => ',',
        };
        let digits = n.to_string();
        let mut out = String::with_capacity(digits.len() + digits.len() / 3);
        for (i, ch) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(sep);
            }
            out.push(ch);
        }
        out
    }

    /// A figure with at most two decimals, trailing zeros dropped, in the language's
    /// notation (12,91 / 12.91; 233.849 / 233,849).
    pub fn decimal(&self, v: &f64) -> String {
        let text = format!("{:.2}", v.abs());
        let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
        let frac = frac.trim_end_matches('0');
        let mut out = String::new();
        if *v < 0.0 && text != "0.00" {
            out.push('-');
        }
        out.push_str(&self.num(&int.parse().unwrap_or(0)));
        if !frac.is_empty() {
            out.push(match self.lang {
                Lang::Id => ',',
                Lang::En => '.',
            });
            out.push_str(frac);
        }
        out
    }

    pub fn date(&self, d: &NaiveDate) -> String {
        let month = self.get(MONTH_KEYS[d.month0() as usize]);
        match self.lang {
            Lang::Id => format!("{} {} {}", d.day(), month, d.year()),
            Lang::En => format!("{} {}, {}", month, d.day(), d.year()),
        }
    }
}

impl Messages {
    /// A period in words: "Triwulan IV 2025", "November 2026", "Tahun 2025".
    pub fn period(&self, p: &Period) -> String {
        const ROMAN: [&str; 4] = ["I", "II", "III", "IV"];
        match *p {
            Period::Year(y) => format!("{} {y}", self.get("period.year")),
            Period::Quarter(y, q) => {
                let roman = ROMAN.get(usize::from(q).saturating_sub(1)).unwrap_or(&"?");
                format!("{} {roman} {y}", self.get("period.quarter"))
            }
            Period::Month(y, m) => {
                let month = MONTH_KEYS.get(usize::from(m).saturating_sub(1));
                format!("{} {y}", month.map_or("?", |k| self.get(k)))
            }
        }
    }

    /// A period stored as text (`2025-Q4`, `2026-10`) in words; text that is no period is
    /// shown as it is.
    pub fn period_text(&self, text: &str) -> String {
        text.parse::<Period>()
            .map_or_else(|_| text.to_string(), |p| self.period(&p))
    }

    /// A date with the short month: "7 Des 2026" / "Dec 7, 2026".
    pub fn date_short(&self, d: &NaiveDate) -> String {
        let month = self.get(MONTH_SHORT_KEYS[d.month0() as usize]);
        match self.lang {
            Lang::Id => format!("{} {} {}", d.day(), month, d.year()),
            Lang::En => format!("{} {}, {}", month, d.day(), d.year()),
        }
    }

    /// A stored moment (RFC 3339, UTC) on the region's clock: "7 Des 2026 19.49 WITA". Text
    /// that is no moment is shown as it is.
    pub fn moment(&self, text: &str, zone: TimeZone) -> String {
        let Ok(at) = chrono::DateTime::parse_from_rfc3339(text.trim()) else {
            return text.to_string();
        };
        let offset = chrono::FixedOffset::east_opt(zone.offset_hours() * 3600)
            .expect("a whole-hour offset is valid");
        let local = at.with_timezone(&offset);
        let clock = match self.lang {
            Lang::Id => local.format("%H.%M"),
            Lang::En => local.format("%H:%M"),
        };
        format!(
            "{} {clock} {}",
            self.date_short(&local.date_naive()),
            zone.name()
        )
    }

    /// A stored date (`2000-02-03`) as "3 Feb 2000"; text that is no date is shown as it is.
    pub fn date_text(&self, text: &str) -> String {
        chrono::NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map_or_else(|_| text.to_string(), |d| self.date_short(&d))
    }

    /// A wall-clock moment already on the region's clock: "18 Nov 2025 09.00".
    pub fn local_time(&self, at: &chrono::NaiveDateTime) -> String {
        let clock = match self.lang {
            Lang::Id => at.format("%H.%M"),
            Lang::En => at.format("%H:%M"),
        };
        format!("{} {clock}", self.date_short(&at.date()))
    }

    /// A coordinate with five decimals in the language's notation: "-8,58148".
    pub fn coordinate(&self, v: &f64) -> String {
        let text = format!("{v:.5}");
        match self.lang {
            Lang::Id => text.replace('.', ","),
            Lang::En => text,
        }
    }

    /// A share in percent with the language's decimal mark: "14,96 %".
    pub fn percent(&self, v: &f64) -> String {
        format!("{} %", self.decimal(v))
    }
}

const MONTH_SHORT_KEYS: [&str; 12] = [
    "month.short.1",
    "month.short.2",
    "month.short.3",
    "month.short.4",
    "month.short.5",
    "month.short.6",
    "month.short.7",
    "month.short.8",
    "month.short.9",
    "month.short.10",
    "month.short.11",
    "month.short.12",
];

const MONTH_KEYS: [&str; 12] = [
    "month.1", "month.2", "month.3", "month.4", "month.5", "month.6", "month.7", "month.8",
    "month.9", "month.10", "month.11", "month.12",
];

/// Every key of one language, sorted (for tests that check keys used in code exist).
pub fn keys(lang: Lang) -> Vec<String> {
    let mut k: Vec<String> = catalogue(lang).keys().cloned().collect();
    k.sort();
    k
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_dates_and_moments_read_as_words() {
        let id = Messages::new(Lang::Id);
        let en = Messages::new(Lang::En);
        assert_eq!(id.period(&Period::Quarter(2025, 4)), "Triwulan IV 2025");
        assert_eq!(en.period(&Period::Quarter(2025, 4)), "Quarter IV 2025");
        assert_eq!(id.period_text("2026-11"), "November 2026");
        assert_eq!(id.period_text("2025"), "Tahun 2025");
        assert_eq!(id.period_text("bukan periode"), "bukan periode");
        let d = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        assert_eq!(id.date_short(&d), "7 Des 2026");
        assert_eq!(en.date_short(&d), "Dec 7, 2026");
        assert_eq!(id.percent(&14.96), "14,96 %");
        assert_eq!(id.coordinate(&-8.581481), "-8,58148");
        let at = "2026-12-07T16:30:00.000000Z";
        assert_eq!(id.moment(at, TimeZone::Wita), "8 Des 2026 00.30 WITA");
        assert_eq!(en.moment(at, TimeZone::Wib), "Dec 7, 2026 23:30 WIB");
        assert_eq!(id.moment("kemarin", TimeZone::Wit), "kemarin");
    }

    #[test]
    fn both_languages_have_the_same_keys_and_no_empty_text() {
        for lang in [Lang::Id, Lang::En] {
            load(lang).unwrap();
        }
        for (area, id, en) in AREAS {
            let keys = |t| {
                let mut k: Vec<String> = parse_area(area, t)
                    .unwrap()
                    .into_iter()
                    .map(|(k, _)| k)
                    .collect();
                k.sort();
                k
            };
            assert_eq!(
                keys(id),
                keys(en),
                "area {area}: the languages differ in keys"
            );
        }
        assert_eq!(keys(Lang::Id), keys(Lang::En));
        for lang in [Lang::Id, Lang::En] {
            for (k, v) in catalogue(lang) {
                assert!(!v.trim().is_empty(), "{k} is empty in {lang:?}");
            }
        }
    }

    #[test]
    fn formats_numbers_and_dates_per_language() {
        let id = Messages::new(Lang::Id);
        let en = Messages::new(Lang::En);
        assert_eq!(id.num(&83_762), "83.762");
        assert_eq!(en.num(&83_762), "83,762");
        assert_eq!(id.num(&38), "38");
        assert_eq!(id.num(&1_234_567), "1.234.567");
        assert_eq!(id.decimal(&12.91), "12,91");
        assert_eq!(id.decimal(&32.70), "32,7");
        assert_eq!(en.decimal(&233_849.0), "233,849");
        assert_eq!(id.decimal(&-0.5), "-0,5");
        let d = NaiveDate::from_ymd_opt(2025, 4, 25).unwrap();
        assert_eq!(id.date(&d), "25 April 2025");
        assert_eq!(en.date(&d), "April 25, 2025");
        assert_eq!(id.get("nav.home"), "Beranda");
        assert_eq!(en.get("nav.home"), "Home");
        assert_eq!(id.get("no.such.key"), "no.such.key");
    }

    #[test]
    fn renders_messages_in_each_language() {
        let m = Msg::new("error.row")
            .arg("line", 7)
            .arg_msg("reason", Msg::new("error.forbidden"));
        let id = Messages::new(Lang::Id).render(&m);
        let en = Messages::new(Lang::En).render(&m);
        assert!(id.starts_with("baris 7: "), "{id}");
        assert!(en.starts_with("row 7: "), "{en}");
        assert_ne!(id, en);
    }
}
