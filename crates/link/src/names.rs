//! Indonesian personal names as written in registers, reduced to comparable tokens.
//!
//! - Academic, religious and courtesy titles are dropped (H., Hj., Drs., S.Pd., Ust., TGH…),
//!   as is everything after the first comma ("Budi, S.Pd., M.Si").
//! - Noble and ethnic prefixes are real parts of the name and stay as their own tokens
//!   (Lalu, Baiq, I, Ni, Ida Bagus, Andi, Daeng, Made…).
//! - Spelling variants collapse to one form (Muhamad/Mohammad/Moh./Muh./M. → muhammad,
//!   Nurul/Noor → nur), so that a variant is an exact agreement, not a typo.

/// Titles and honorifics, as letters only ("S.Pd." → "spd"). Dropped wherever they stand.
const TITLES: &[&str] = &[
    // Religious and pilgrimage titles.
    "hj", "hajjah", "haji", "ust", "ustad", "ustadz", "ustaz", "ustadzah", "ustazah", "kh", "tgh",
    "tgkh", "habib", "kyai", "kiai", // Academic titles before the name.
    "dr", "drs", "dra", "ir", "prof", "drg", "dokter",
    // Degrees after the name (usually after a comma, but not always).
    "spd", "spdi", "se", "sh", "shi", "ssos", "skm", "sag", "skom", "sked", "skep", "sip", "ssi",
    "sst", "sth", "sp", "spt", "sfarm", "shut", "ssit", "mpd", "mpdi", "msi", "mm", "mh", "mag",
    "mkes", "mkom", "msc", "phd", "amd", "amdkeb", "amkeb", "amk", "amdkep", "ked", "mba", "mt",
    "h", // Courtesy words written before names in lists.
    "bapak", "bpk", "ibu", "sdr", "sdri", "saudara", "saudari", "ny", "nyonya", "tn", "almh",
    "alm",
];

/// Titles that are also plausible initials or name parts when written without a dot
/// ("H" may be an initial, "Se" and "Sp" name parts): dropped only when written with a dot
/// or in first position ("H. Lalu Ahmad").
const AMBIGUOUS_TITLES: &[&str] = &["h", "sp", "se", "mt", "ir"];

/// Spelling variants → one canonical token.
const VARIANTS: &[(&str, &[&str])] = &[
    (
        "muhammad",
        &[
            "muhamad",
            "mohammad",
            "mohamad",
            "mohammed",
            "mohamed",
            "muhammed",
            "muhamed",
            "mochammad",
            "mochamad",
            "mochamat",
            "muchammad",
            "muchamad",
            "muhamat",
            "muhammat",
            "moh",
            "moch",
            "muh",
            "mhd",
            "mhmd",
            "md",
            "m",
        ],
    ),
    ("nur", &["nurul", "noor", "nor", "nurl"]),
    ("ahmad", &["achmad", "akhmad", "ahmat", "achmat", "amad"]),
    ("abdul", &["abd", "abdoel", "abdol"]),
    ("siti", &["sitti", "sity"]),
    ("abdurrahman", &["abdurahman"]),
    ("yusuf", &["yusup", "jusuf", "yoesoef"]),
    ("fatimah", &["fatima", "fatmah"]),
];

/// Pre-1972 spelling to today's (Soekarno → sukarno, Djoko → joko, Tjahjo → cahyo).
fn modern_spelling(token: &str) -> String {
    if !token.contains("oe") && !token.contains('j') {
        return token.to_string();
    }
    token
        .replace("oe", "u")
        .replace("dj", "j")
        .replace("tj", "c")
        .replace("nj", "ny")
        .replace("sj", "sy")
        .replace("hj", "hy")
}

fn canonical_token(token: &str) -> &str {
    for (canon, variants) in VARIANTS {
        if variants.contains(&token) {
            return canon;
        }
    }
    token
}

/// The name as canonical tokens in written order. Empty when nothing but titles remains.
pub fn name_tokens(raw: &str) -> Vec<String> {
    // Degrees follow a comma; names themselves never contain one.
    let before_comma = raw.split(',').next().unwrap_or_default();
    let mut out = Vec::new();
    for (position, word) in before_comma.split_whitespace().enumerate() {
        let lower = word.to_lowercase();
        let dotted = lower.contains('.');
        // "S.Pd." and "Muh." are one word; "M.Rizki" is two.
        let letters: String = lower.chars().filter(|c| c.is_alphanumeric()).collect();
        if letters.is_empty() {
            continue;
        }
        if TITLES.contains(&letters.as_str()) && !AMBIGUOUS_TITLES.contains(&letters.as_str()) {
            continue;
        }
        if AMBIGUOUS_TITLES.contains(&letters.as_str()) && (dotted || position == 0) {
            // "H." or a leading "H" is Haji.
            continue;
        }
        // Apostrophes join ("Ma'ruf" → maruf); other punctuation separates ("M.Rizki").
        let cleaned: String = lower
            .chars()
            .filter(|c| !matches!(c, '\'' | '`' | '\u{2019}'))
            .map(|c| if c.is_alphanumeric() { c } else { ' ' })
            .collect();
        let parts: Vec<&str> = cleaned.split_whitespace().collect();
        let is_degree = parts.len() > 1 && TITLES.contains(&letters.as_str());
        if is_degree {
            continue;
        }
        for part in parts {
            let modern = modern_spelling(part);
            out.push(canonical_token(&modern).to_string());
        }
    }
    out
}

/// The canonical name: tokens joined by single spaces.
pub fn normalize_name(raw: &str) -> String {
    name_tokens(raw).join(" ")
}

/// The canonical tokens sorted, for order-insensitive comparison ("Aminah Siti" = "Siti Aminah").
pub fn sorted_name(canonical: &str) -> String {
    let mut tokens: Vec<&str> = canonical.split(' ').filter(|t| !t.is_empty()).collect();
    tokens.sort_unstable();
    tokens.join(" ")
}

/// Whether every token of the shorter name is in the longer one, a one-letter token matching
/// any token with that initial ("A. Rahman" ⊂ "Abdul Rahman", "Siti" ⊂ "Baiq Siti Aminah").
pub fn tokens_contained(a: &str, b: &str) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let mut used = [false; 16];
    let mut any = false;
    for t in short.split(' ').filter(|t| !t.is_empty()) {
        any = true;
        let found = long.split(' ').enumerate().position(|(i, l)| {
            i < used.len()
                && !used[i]
                && (l == t
                    || (t.len() == 1 && l.starts_with(t))
                    || (l.len() == 1 && t.starts_with(l)))
        });
        match found {
            Some(i) => used[i] = true,
            None => return false,
        }
    }
    any && short != long
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indonesian_name_rules() {
        let cases: &[(&str, &str)] = &[
            // Titles, religious and academic, before and after the name.
            ("H. Lalu Muhammad Zaini", "lalu muhammad zaini"),
            ("Hj. Baiq Nurul Aini", "baiq nur aini"),
            ("Drs. Made Sudarsana, M.Si", "made sudarsana"),
            ("Dra Ni Luh Putu Ayu", "ni luh putu ayu"),
            ("Budi Santoso, S.Pd.", "budi santoso"),
            ("Ir. Ida Bagus Oka", "ida bagus oka"),
            ("Ust. Ahmad Fauzi S.Pd.I", "ahmad fauzi"),
            ("TGH. Muh. Zainuddin", "muhammad zainuddin"),
            ("dr. Andi Daeng Matta", "andi daeng matta"),
            ("Bapak I Wayan Sudirta", "i wayan sudirta"),
            // Spelling variants of Muhammad and Nur.
            ("MUHAMAD RIZKI", "muhammad rizki"),
            ("Mohammad Rizki", "muhammad rizki"),
            ("Moh. Rizki", "muhammad rizki"),
            ("M. Rizki", "muhammad rizki"),
            ("M.Rizki", "muhammad rizki"),
            ("Nurul Hidayah", "nur hidayah"),
            ("Noor Hidayah", "nur hidayah"),
            ("Achmad Yani", "ahmad yani"),
            // Old spelling.
            ("Soekarno", "sukarno"),
            ("Djoko Tjahjono", "joko cahyono"),
            // Single names, apostrophes, extra spaces.
            ("Sumarni", "sumarni"),
            ("  Ma'ruf   Amin ", "maruf amin"),
            // An "H" inside a name is an initial, kept.
            ("Lalu H Abdullah", "lalu h abdullah"),
            // Only titles: nothing left.
            ("Hj. Dra.", ""),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize_name(raw), *want, "{raw}");
        }
    }

    #[test]
    fn order_and_containment() {
        assert_eq!(sorted_name("siti aminah"), sorted_name("aminah siti"));
        assert!(tokens_contained("siti aminah", "baiq siti aminah"));
        assert!(tokens_contained("a rahman", "abdul rahman"));
        assert!(tokens_contained("sumarni", "sumarni wati"));
        assert!(!tokens_contained("siti aminah", "siti aminah"));
        assert!(!tokens_contained("siti rohani", "baiq siti aminah"));
        assert!(!tokens_contained("", "siti"));
    }
}
