//! Encoded lists for the double-aid check: linkage without names leaving the partner.
//!
//! The scheme follows clkhash/anonlink (Schnell et al. cryptographic long-term keys):
//! - NIK and No. KK become keyed tokens (HMAC-SHA256 under a secret the partners share and
//!   the server never receives), compared for equality;
//! - name, birth date, sex and desa become one Bloom filter of [`RAW_BITS`] bits: each
//!   field's tokens (padded bigrams of the name, date parts, …) set `k` bits chosen by
//!   double hashing keyed by the secret;
//! - the filter is **balanced** (Schnell, Rukasz, Borgs et al. 2016): the filter and its
//!   negation side by side, [`CLK_BITS`] bits, their order permuted by a permutation keyed by
//!   the secret. Every record's filter then has exactly half its bits set, so the number of
//!   set bits no longer tells the length of a name, and a bit's frequency no longer follows
//!   the frequency of the bigrams behind it as directly; two filters are compared by Dice
//!   similarity (on balanced filters, 1 − the share of raw bits that differ);
//! - pairs are scored Fellegi–Sunter style (weights log2(m/u) per comparison level, `u`
//!   estimated on random pairs of the round itself) and blocked on the NIK token, the KK
//!   token, a keyed desa+year token and a keyed bit-sample LSH of the filter.
//!
//! The encoded file holds no names, no original ids and no row order (the encoder shuffles);
//! see `docs/double-aid.md` for the threat model.

use std::fmt::Write as _;
use std::hash::BuildHasher as _;

use base64::Engine as _;
use hmac::{Hmac, Mac};
use rand::RngExt;
use rand::seq::SliceRandom;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use sha2::Sha256;
use thiserror::Error;

use crate::names::normalize_name;

type HmacSha256 = Hmac<Sha256>;

/// Bits in a stored CLK (cryptographic long-term key) Bloom filter: balanced, half of them set.
pub const CLK_BITS: usize = 1024;
/// Bits of the filter before balancing.
pub const RAW_BITS: usize = CLK_BITS / 2;
const WORDS: usize = CLK_BITS / 64;
const RAW_WORDS: usize = RAW_BITS / 64;
/// Tokens are truncated to 128 bits: collisions stay negligible, the file stays small.
const TOKEN_BYTES: usize = 16;
/// A shared secret shorter than this is refused (it must resist guessing).
pub const MIN_SECRET_BYTES: usize = 16;

/// The filter is cut in two parts compared apart (field-level filters, as clkhash's schemas
/// allow): the name's bigrams in raw bits `0..NAME_RAW`, the birth date's parts in the rest.
/// Each part is balanced on its own, so the stored name part is bits `0..2·NAME_RAW`.
const NAME_RAW: usize = 320;
const DATE_RAW: usize = RAW_BITS - NAME_RAW;
const NAME_WORDS: usize = 2 * NAME_RAW / 64;
/// Bits set per token (clkhash's per-field `k`): a name bigram 6; the birth year 16, day
/// 6, month 6, and the unordered day–month pair 10, so a year-only date or a day–month swap
/// differs from the full date less than another date of the same year does.
const K_NAME: u32 = 6;
const K_YEAR: u32 = 16;
const K_DAY_MONTH: u32 = 6;
const K_PAIR: u32 = 10;

/// Bit-sample LSH: bands of sampled filter bits; records sharing a band are compared.
const LSH_BANDS: usize = 16;
const LSH_BITS_PER_BAND: usize = 32;
/// Blocks larger than this are skipped (a desa+year block of a whole town says nothing).
const MAX_BLOCK: usize = 2_000;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum EncodedError {
    #[error("rahasia terlalu pendek: {got} byte, paling sedikit {min}")]
    SecretTooShort { got: usize, min: usize },
    #[error("berkas sandi tidak sah: baris {line}: {reason}")]
    BadFile { line: usize, reason: String },
}

/// The shared secret, with the keys derived from it for each use (so a token of one kind
/// never equals a token of another).
#[derive(Clone)]
pub struct Secret {
    nik: HmacSha256,
    nik_near: HmacSha256,
    kk: HmacSha256,
    desa: HmacSha256,
    sex: HmacSha256,
    block: HmacSha256,
    clk: HmacSha256,
    /// Where each bit of the filter (then of its negation) goes in the balanced filter.
    balance: Vec<u16>,
}

impl Secret {
    /// From the bytes of the secret file (surrounding whitespace ignored).
    pub fn new(bytes: &[u8]) -> Result<Secret, EncodedError> {
        let trimmed = bytes.trim_ascii();
        if trimmed.len() < MIN_SECRET_BYTES {
            return Err(EncodedError::SecretTooShort {
                got: trimmed.len(),
                min: MIN_SECRET_BYTES,
            });
        }
        let derive = |purpose: &str| {
            let mut mac = HmacSha256::new_from_slice(trimmed).expect("any key length");
            mac.update(b"sinergi-sandi/v1/");
            mac.update(purpose.as_bytes());
            let key = mac.finalize().into_bytes();
            HmacSha256::new_from_slice(&key).expect("any key length")
        };
        // Per part: its raw bits and their negations, shuffled over the part's stored bits.
        let balance = {
            use rand::SeedableRng as _;
            let seed: [u8; 32] = derive("balance").finalize().into_bytes().into();
            let mut rng = rand::rngs::ChaCha8Rng::from_seed(seed);
            let mut balance = vec![0u16; CLK_BITS];
            for (raw_start, len) in [(0, NAME_RAW), (NAME_RAW, DATE_RAW)] {
                let stored_start = 2 * raw_start;
                let mut order: Vec<u16> =
                    (stored_start as u16..(stored_start + 2 * len) as u16).collect();
                order.shuffle(&mut rng);
                for j in 0..len {
                    balance[raw_start + j] = order[j];
                    balance[RAW_BITS + raw_start + j] = order[len + j];
                }
            }
            balance
        };
        Ok(Secret {
            nik: derive("nik"),
            nik_near: derive("nik-near"),
            desa: derive("desa"),
            sex: derive("sex"),
            kk: derive("kk"),
            block: derive("block"),
            clk: derive("clk"),
            balance,
        })
    }

    fn token(mac: &HmacSha256, value: &[u8]) -> Token {
        let mut mac = mac.clone();
        mac.update(value);
        let h = mac.finalize().into_bytes();
        let mut t = [0u8; TOKEN_BYTES];
        t.copy_from_slice(&h[..TOKEN_BYTES]);
        t
    }

    /// A short keyed token (desa, sex): compared for equality only.
    fn short_token(mac: &HmacSha256, value: &[u8]) -> u64 {
        let t = Secret::token(mac, value);
        u64::from_le_bytes(t[..8].try_into().expect("8 bytes"))
    }

    /// Sets `k` bits for one token of one field (double hashing, keyed) in the raw bits
    /// `start..start + len`.
    fn set_bits(
        &self,
        clk: &mut [u64; RAW_WORDS],
        (field, start, len): (u8, usize, usize),
        token: &str,
        k: u32,
    ) {
        let mut mac = self.clk.clone();
        mac.update(&[field]);
        mac.update(token.as_bytes());
        let h = mac.finalize().into_bytes();
        let h1 = u64::from_le_bytes(h[0..8].try_into().expect("8 bytes"));
        let h2 = u64::from_le_bytes(h[8..16].try_into().expect("8 bytes")) | 1;
        for i in 0..k as u64 {
            let bit = start + (h1.wrapping_add(i.wrapping_mul(h2)) % len as u64) as usize;
            clk[bit / 64] |= 1 << (bit % 64);
        }
    }

    /// The balanced filter: each raw bit and its negation, placed by the keyed permutation.
    fn balanced(&self, raw: &[u64; RAW_WORDS]) -> Clk {
        let mut clk = [0u64; WORDS];
        for i in 0..RAW_BITS {
            let set = (raw[i / 64] >> (i % 64)) & 1 == 1;
            let at = usize::from(self.balance[if set { i } else { RAW_BITS + i }]);
            clk[at / 64] |= 1 << (at % 64);
        }
        clk
    }
}

pub type Token = [u8; TOKEN_BYTES];
pub type Clk = [u64; WORDS];
/// Bytes kept of each near-NIK token: they are only compared within a pair (16 × 16
/// comparisons), so 64 bits leave chance collisions negligible.
const NEAR_BYTES: usize = 8;
/// The near-NIK tokens of a record, sorted: see [`near_tokens`].
pub type NearNik = [u64; NIK_DIGITS];
const NIK_DIGITS: usize = 16;

/// The near-NIK tokens: one keyed token of the NIK with each of its 16 digits left out (a
/// deletion neighbourhood). Two NIKs one digit apart (a typo, or Excel's 15 significant
/// digits: the last becomes 0) share the token with that digit left out; two NIKs with
/// adjacent digits swapped share one too (left out: the first digit of the pair in one, the
/// second in the other). Equal NIKs share all. `None` for a NIK that is not 16 digits.
fn near_tokens(secret: &Secret, nik: &str) -> Option<NearNik> {
    let digits = nik.as_bytes();
    if digits.len() != NIK_DIGITS || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut out = [0u64; NIK_DIGITS];
    let mut left = [0u8; NIK_DIGITS - 1];
    for (skip, slot) in out.iter_mut().enumerate() {
        left[..skip].copy_from_slice(&digits[..skip]);
        left[skip..].copy_from_slice(&digits[skip + 1..]);
        let t = Secret::token(&secret.nik_near, &left);
        *slot = u64::from_le_bytes(t[..NEAR_BYTES].try_into().expect("8 bytes"));
    }
    out.sort_unstable();
    Some(out)
}

/// Whether two sorted near-NIK token sets share a token.
fn share_near(a: &NearNik, b: &NearNik) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Equal => return true,
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    false
}

/// One person as a partner's list gives it, before encoding.
#[derive(Debug, Clone, Default)]
pub struct PlainRecord<'a> {
    /// 16 digits, already validated (or `None`).
    pub nik: Option<&'a str>,
    pub kk: Option<&'a str>,
    pub name: &'a str,
    /// (year, month, day); month and day 0 when only the year is known.
    pub birth_date: Option<(i32, u32, u32)>,
    /// 'L' or 'P'.
    pub sex: Option<char>,
    /// The desa (or higher) region code, dotted.
    pub region: &'a str,
    pub aid_type: Option<&'a str>,
}

impl<'a> PlainRecord<'a> {
    /// A person as the intake read it (NIK and KK already validated).
    pub fn from_person(p: &'a sinergi_core::PersonInput) -> PlainRecord<'a> {
        use chrono::Datelike as _;
        PlainRecord {
            nik: p.nik.as_ref().map(|n| n.as_str()),
            kk: p.kk.as_ref().map(|k| k.as_str()),
            name: &p.name,
            birth_date: p.birth_date.map(|d| (d.year(), d.month(), d.day())),
            sex: p.sex.map(|s| match s {
                sinergi_core::Sex::Male => 'L',
                sinergi_core::Sex::Female => 'P',
            }),
            region: p.region.as_str(),
            aid_type: p.extra.aid.as_ref().and_then(|a| a.aid_type.as_deref()),
        }
    }
}

/// One encoded record: all the server receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EncodedRecord {
    pub nik: Option<Token>,
    /// The near-NIK tokens (the NIK with each digit left out, keyed), sorted.
    pub nik_near: Option<NearNik>,
    pub kk: Option<Token>,
    /// Keyed desa + birth year, for blocking; present exactly when the birth date is.
    pub block: Option<Token>,
    /// Keyed desa code and sex, compared for equality.
    pub desa: Option<u64>,
    pub sex: Option<u64>,
    pub clk: Clk,
    /// The kecamatan, in clear: the counts the LKKS reads are per kecamatan.
    pub kecamatan: String,
    pub aid_type: String,
}

/// The kecamatan prefix (`52.01.02`) of a dotted region code, or the code as given.
fn kecamatan_of(region: &str) -> &str {
    match region.match_indices('.').nth(2) {
        Some((i, _)) => &region[..i],
        None => region,
    }
}

/// Encodes one record.
pub fn encode(secret: &Secret, r: &PlainRecord<'_>) -> EncodedRecord {
    const NAME: (u8, usize, usize) = (1, 0, NAME_RAW);
    const DATE: (u8, usize, usize) = (2, NAME_RAW, DATE_RAW);
    let mut clk = [0u64; RAW_WORDS];
    let name = normalize_name(r.name);
    if !name.is_empty() {
        // Padded bigrams (clkhash's default): the first and last letters count too.
        let padded: Vec<char> = std::iter::once(' ')
            .chain(name.chars())
            .chain(std::iter::once(' '))
            .collect();
        let mut bigram = String::with_capacity(8);
        for w in padded.windows(2) {
            bigram.clear();
            bigram.push(w[0]);
            bigram.push(w[1]);
            secret.set_bits(&mut clk, NAME, &bigram, K_NAME);
        }
    }
    if let Some((y, m, d)) = r.birth_date {
        // Parts apart, so a day–month swap or a year-only date still agrees in part.
        secret.set_bits(&mut clk, DATE, &format!("y{y}"), K_YEAR);
        if m > 0 && d > 0 {
            secret.set_bits(&mut clk, DATE, &format!("d{d}"), K_DAY_MONTH);
            secret.set_bits(&mut clk, DATE, &format!("m{m}"), K_DAY_MONTH);
            // Day and month as an unordered pair: equal under a swap.
            let (lo, hi) = if d <= m { (d, m) } else { (m, d) };
            secret.set_bits(&mut clk, DATE, &format!("p{lo}-{hi}"), K_PAIR);
        }
    }
    let block = r
        .birth_date
        .map(|(y, _, _)| Secret::token(&secret.block, format!("{}|{y}", r.region).as_bytes()));
    EncodedRecord {
        nik: r.nik.map(|n| Secret::token(&secret.nik, n.as_bytes())),
        nik_near: r.nik.and_then(|n| near_tokens(secret, n)),
        kk: r.kk.map(|k| Secret::token(&secret.kk, k.as_bytes())),
        block,
        desa: (!r.region.is_empty())
            .then(|| Secret::short_token(&secret.desa, r.region.as_bytes())),
        sex: r
            .sex
            .map(|c| Secret::short_token(&secret.sex, c.to_string().as_bytes())),
        clk: secret.balanced(&clk),
        kecamatan: kecamatan_of(r.region).to_string(),
        aid_type: r.aid_type.unwrap_or("").trim().to_lowercase(),
    }
}

/// Raw bits that differ between two balanced filters in the stored words `words`: each
/// raw bit that agrees sets one common stored bit, so this is `raw − |A ∩ B|`.
fn differing(a: &Clk, b: &Clk, words: std::ops::Range<usize>, raw: usize) -> u32 {
    let common: u32 = words.map(|w| (a[w] & b[w]).count_ones()).sum();
    raw as u32 - common
}

/// Dice similarity of two filters: 2|A∩B| / (|A|+|B|).
pub fn dice(a: &Clk, b: &Clk) -> f64 {
    let mut both = 0u32;
    let mut total = 0u32;
    for (x, y) in a.iter().zip(b) {
        both += (x & y).count_ones();
        total += x.count_ones() + y.count_ones();
    }
    if total == 0 {
        0.0
    } else {
        2.0 * both as f64 / total as f64
    }
}

/// The header of an encoded file.
pub const FILE_HEADER: &str =
    "nik_token,nik_dekat,kk_token,blok_token,desa_token,jk_token,clk,kecamatan,jenis_bantuan";

fn hex(t: &Option<Token>) -> String {
    let mut s = String::with_capacity(TOKEN_BYTES * 2);
    if let Some(t) = t {
        for b in t {
            let _ = write!(s, "{b:02x}");
        }
    }
    s
}

fn short_hex(t: Option<u64>) -> String {
    t.map_or_else(String::new, |t| format!("{t:016x}"))
}

fn short_unhex(s: &str) -> Option<Option<u64>> {
    if s.is_empty() {
        return Some(None);
    }
    if s.len() != 16 {
        return None;
    }
    u64::from_str_radix(s, 16).ok().map(Some)
}

fn unhex(s: &str) -> Option<Option<Token>> {
    if s.is_empty() {
        return Some(None);
    }
    if s.len() != TOKEN_BYTES * 2 {
        return None;
    }
    let mut t = [0u8; TOKEN_BYTES];
    for (i, b) in t.iter_mut().enumerate() {
        *b = u8::from_str_radix(s.get(i * 2..i * 2 + 2)?, 16).ok()?;
    }
    Some(Some(t))
}

/// Writes encoded records as CSV (shuffle them first: see [`encode_list`]). The kecamatan and
/// aid type are codes and lower-case words; commas are replaced so no quoting is needed.
pub fn write_file(records: &[EncodedRecord]) -> String {
    let mut out = String::with_capacity(records.len() * 320);
    out.push_str(FILE_HEADER);
    out.push('\n');
    let b64 = base64::engine::general_purpose::STANDARD_NO_PAD;
    let mut bytes = Vec::with_capacity(CLK_BITS / 8);
    let mut near = Vec::with_capacity(NIK_DIGITS * NEAR_BYTES);
    for r in records {
        bytes.clear();
        for w in r.clk {
            bytes.extend_from_slice(&w.to_le_bytes());
        }
        near.clear();
        if let Some(n) = &r.nik_near {
            for t in n {
                near.extend_from_slice(&t.to_le_bytes()[..NEAR_BYTES]);
            }
        }
        let _ = writeln!(
            out,
            "{},{},{},{},{},{},{},{},{}",
            hex(&r.nik),
            b64.encode(&near),
            hex(&r.kk),
            hex(&r.block),
            short_hex(r.desa),
            short_hex(r.sex),
            b64.encode(&bytes),
            r.kecamatan.replace(',', " "),
            r.aid_type.replace(',', " ")
        );
    }
    out
}

/// Reads an encoded file back (what the server does with an upload).
pub fn read_file(text: &str) -> Result<Vec<EncodedRecord>, EncodedError> {
    let bad = |line: usize, reason: &str| EncodedError::BadFile {
        line,
        reason: reason.to_string(),
    };
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, h)) if h.trim_end() == FILE_HEADER => {}
        _ => return Err(bad(1, "judul kolom bukan berkas sandi Sinergi")),
    }
    let b64 = base64::engine::general_purpose::STANDARD_NO_PAD;
    let mut out = Vec::new();
    for (i, line) in lines {
        let line_no = i + 1;
        let line = line.trim_end();
        if line.is_empty() {
            continue;
        }
        let cells: Vec<&str> = line.split(',').collect();
        if cells.len() != 9 {
            return Err(bad(line_no, "jumlah kolom bukan 9"));
        }
        let token = |s: &str| unhex(s).ok_or_else(|| bad(line_no, "token tidak sah"));
        let nik_near = match b64.decode(cells[1]) {
            Ok(b) if b.is_empty() => None,
            Ok(b) if b.len() == NIK_DIGITS * NEAR_BYTES => {
                let mut n = [0u64; NIK_DIGITS];
                for (t, chunk) in n.iter_mut().zip(b.chunks_exact(NEAR_BYTES)) {
                    *t = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
                }
                // Compared by merging: sorted here, whatever order the file had.
                n.sort_unstable();
                Some(n)
            }
            _ => return Err(bad(line_no, "nik_dekat tidak sah")),
        };
        let bytes = b64
            .decode(cells[6])
            .map_err(|_| bad(line_no, "clk tidak sah"))?;
        if bytes.len() != CLK_BITS / 8 {
            return Err(bad(line_no, "panjang clk salah"));
        }
        let mut clk = [0u64; WORDS];
        for (w, chunk) in clk.iter_mut().zip(bytes.chunks_exact(8)) {
            *w = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
        }
        out.push(EncodedRecord {
            nik: token(cells[0])?,
            nik_near,
            kk: token(cells[2])?,
            block: token(cells[3])?,
            desa: short_unhex(cells[4]).ok_or_else(|| bad(line_no, "token tidak sah"))?,
            sex: short_unhex(cells[5]).ok_or_else(|| bad(line_no, "token tidak sah"))?,
            clk,
            kecamatan: cells[7].to_string(),
            aid_type: cells[8].to_string(),
        });
    }
    Ok(out)
}

/// Encodes a whole list and shuffles it, so the file keeps no row order. Returns the
/// records and, for the partner only, where each input row went (`placement[row]` = line
/// of the encoded file, 0-based): the partner keeps this map at home to read its results.
pub fn encode_list(
    secret: &Secret,
    rows: &[PlainRecord<'_>],
    rng: &mut impl rand::Rng,
) -> (Vec<EncodedRecord>, Vec<usize>) {
    let encoded: Vec<EncodedRecord> = rows.par_iter().map(|r| encode(secret, r)).collect();
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.shuffle(rng);
    let mut placement = vec![0; rows.len()];
    let mut shuffled = Vec::with_capacity(rows.len());
    for (line, &row) in order.iter().enumerate() {
        placement[row] = line;
        shuffled.push(encoded[row].clone());
    }
    (shuffled, placement)
}

/// Name levels: raw name bits that differ at most (of [`NAME_RAW`]); more is the last level.
/// A name sets about 6 bits per bigram. Measured: a typo ≈ 20–30, one name of two left out
/// ≈ 35–40, two different short names ≈ 55, longer different names 80 and more.
const NAME_LEVELS: [u32; 4] = [4, 30, 50, 80];
/// Date levels: raw date bits that differ at most (of [`DATE_RAW`]). Measured: equal 0; a
/// year-only date, a day–month swap, a day, month or year off by one ≈ 18–23; another date
/// of the same year ≈ 32–38; other dates ≈ 55–65.
const DATE_LEVELS: [u32; 4] = [3, 26, 45, 56];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum IdLevel {
    Equal,
    /// NIKs only: one digit apart, or two adjacent digits swapped (near-NIK tokens shared).
    Near,
    Differ,
    Missing,
}

fn id_level<T: PartialEq>(a: &Option<T>, b: &Option<T>) -> IdLevel {
    match (a, b) {
        (Some(x), Some(y)) if x == y => IdLevel::Equal,
        (Some(_), Some(_)) => IdLevel::Differ,
        _ => IdLevel::Missing,
    }
}

fn nik_level(a: &EncodedRecord, b: &EncodedRecord) -> IdLevel {
    match id_level(&a.nik, &b.nik) {
        IdLevel::Differ => match (&a.nik_near, &b.nik_near) {
            (Some(x), Some(y)) if share_near(x, y) => IdLevel::Near,
            _ => IdLevel::Differ,
        },
        level => level,
    }
}

fn bucket(differ: u32, levels: &[u32; 4]) -> u8 {
    levels
        .iter()
        .position(|t| differ <= *t)
        .unwrap_or(levels.len()) as u8
}

/// The compared fields, in [`Gamma`] order.
const FIELDS: usize = 6;
/// Levels per field (without "missing"): NIK equal/near/differ; KK equal/differ; name and
/// date 5 each; sex equal/differ; desa equal/same kecamatan/differ.
const LEVELS: [usize; FIELDS] = [3, 2, 5, 5, 2, 3];
/// A pair's comparison vector: per field its level + 1, or 0 when a side lacks the field.
type Gamma = [u8; FIELDS];

fn gamma(a: &EncodedRecord, b: &EncodedRecord) -> Gamma {
    let nik = match nik_level(a, b) {
        IdLevel::Equal => 1,
        IdLevel::Near => 2,
        IdLevel::Differ => 3,
        IdLevel::Missing => 0,
    };
    let id = |l: IdLevel| match l {
        IdLevel::Equal => 1,
        IdLevel::Differ | IdLevel::Near => 2,
        IdLevel::Missing => 0,
    };
    let name = 1 + bucket(
        differing(&a.clk, &b.clk, 0..NAME_WORDS, NAME_RAW),
        &NAME_LEVELS,
    );
    // The block token is there exactly when the birth date is.
    let date = if a.block.is_some() && b.block.is_some() {
        1 + bucket(
            differing(&a.clk, &b.clk, NAME_WORDS..WORDS, DATE_RAW),
            &DATE_LEVELS,
        )
    } else {
        0
    };
    let desa = match id_level(&a.desa, &b.desa) {
        IdLevel::Equal => 1,
        IdLevel::Missing => 0,
        _ if a.kecamatan == b.kecamatan => 2,
        _ => 3,
    };
    [
        nik,
        id(id_level(&a.kk, &b.kk)),
        name,
        date,
        id(id_level(&a.sex, &b.sex)),
        desa,
    ]
}

/// The Fellegi–Sunter model of encoded pairs, shaped as the cleartext engine's: `u` (the
/// chance of each level among different people) measured on random cross-partner pairs of
/// the round, `m` (among the same person) fixed priors. EM on the candidate pairs was tried
/// and dropped: the candidates are blocked on filter similarity, so EM's two classes became
/// "same name" and "other name" (at 170,000 records it took 12.9 M pairs for matches).
#[derive(Debug, Clone)]
pub struct EncodedModel {
    /// Per field and level: m.
    pub m: [Vec<f64>; FIELDS],
    /// Per field and level: u.
    pub u: [Vec<f64>; FIELDS],
    /// Share of true pairs among the candidate pairs (a prior: one in a thousand).
    pub lambda: f64,
}

impl EncodedModel {
    /// `m`: a NIK
    /// agrees on 88% of true pairs with both NIKs, is one digit off or two swapped on 9%
    /// (typing, Excel's 15 digits), differs on 3% (a family member's); a KK agrees on 85%;
    /// most names and dates agree, some with a typo, variant, swap or year only; sex agrees
    /// on 98%; the desa on 90%, the kecamatan on 7% more.
    fn m_prior() -> [Vec<f64>; FIELDS] {
        [
            vec![0.88, 0.09, 0.03],
            vec![0.85, 0.15],
            vec![0.70, 0.20, 0.07, 0.02, 0.01],
            vec![0.85, 0.08, 0.02, 0.03, 0.02],
            vec![0.98, 0.02],
            vec![0.90, 0.07, 0.03],
        ]
    }

    /// `u` when a round is too small to measure it.
    fn u_prior() -> [Vec<f64>; FIELDS] {
        [
            vec![1e-6, 1e-4, 1.0 - 1e-6 - 1e-4],
            vec![1e-2, 0.99],
            vec![1e-3, 4e-3, 2e-2, 0.1, 0.875],
            vec![1e-4, 5e-4, 3e-3, 2e-2, 0.9764],
            vec![0.5, 0.5],
            vec![0.02, 0.1, 0.88],
        ]
    }

    /// Measures `u` on up to `samples` random cross-member pairs of `sets` within one
    /// kecamatan: the pairs the filter bands compare are (see [`link_encoded`]), and within a
    /// kecamatan a shared desa, a near NIK (same birth date, serial 0001) or a common name
    /// are far less telling than across the province.
    pub fn estimate(sets: &[&[EncodedRecord]], samples: usize, rng: &mut impl rand::Rng) -> Self {
        let nonempty: Vec<&[EncodedRecord]> =
            sets.iter().copied().filter(|s| !s.is_empty()).collect();
        let sizes: Vec<f64> = nonempty.iter().map(|s| s.len() as f64).collect();
        let cross_pairs =
            (sizes.iter().sum::<f64>().powi(2) - sizes.iter().map(|n| n * n).sum::<f64>()) / 2.0;
        let mut model = EncodedModel {
            m: Self::m_prior(),
            u: Self::u_prior(),
            lambda: 1e-3,
        };
        // Too few pairs to measure `u` (true pairs would dominate the sample): prior values.
        if cross_pairs < 10_000.0 {
            return model;
        }
        let mut by_kecamatan: FxHashMap<(usize, &str), Vec<u32>> = FxHashMap::default();
        for (m, set) in nonempty.iter().enumerate() {
            for (i, r) in set.iter().enumerate() {
                by_kecamatan
                    .entry((m, r.kecamatan.as_str()))
                    .or_default()
                    .push(i as u32);
            }
        }
        // +1 smoothing per level.
        let mut counts: [Vec<f64>; FIELDS] = std::array::from_fn(|k| vec![1.0; LEVELS[k]]);
        let mut taken = 0;
        for _ in 0..samples * 4 {
            if taken == samples {
                break;
            }
            let i = rng.random_range(0..nonempty.len());
            let mut j = rng.random_range(0..nonempty.len() - 1);
            if j >= i {
                j += 1;
            }
            let a = &nonempty[i][rng.random_range(0..nonempty[i].len())];
            let Some(same) = by_kecamatan.get(&(j, a.kecamatan.as_str())) else {
                continue;
            };
            let b = &nonempty[j][same[rng.random_range(0..same.len())] as usize];
            taken += 1;
            for (k, l) in gamma(a, b).into_iter().enumerate() {
                if l > 0 {
                    counts[k][usize::from(l) - 1] += 1.0;
                }
            }
        }
        for (u, c) in model.u.iter_mut().zip(&counts) {
            let n: f64 = c.iter().sum();
            *u = c.iter().map(|x| x / n).collect();
        }
        // Random pairs almost never agree on NIK; the +1 smoothing would overstate u. Near
        // NIKs among strangers are rare but real (twins: same birth date, serials one
        // apart), so their u is kept at 1e-4 at least.
        model.u[0][0] = model.u[0][0].min(1e-6);
        model.u[0][1] = model.u[0][1].max(1e-4);
        // A shared KK says "same household", not "same person": family members share it, so
        // its weight is capped (u ≥ 1%).
        model.u[1][0] = model.u[1][0].max(1e-2);
        model
    }

    /// log2(m/u) of `level` (1-based) of field `k`; 0 for a missing field.
    fn weight(&self, k: usize, level: u8) -> f64 {
        if level == 0 {
            return 0.0;
        }
        let l = usize::from(level) - 1;
        (self.m[k][l] / self.u[k][l]).log2()
    }

    /// The total weight of a pair and the field weights (NIK, KK, and name, birth date, sex
    /// and desa together) behind it; the name part's Dice similarity.
    pub fn score(&self, a: &EncodedRecord, b: &EncodedRecord) -> (f64, [f64; 3], f64) {
        let g = gamma(a, b);
        let nik = self.weight(0, g[0]);
        let kk = self.weight(1, g[1]);
        // A NIK holds the birth date (DDMMYY): when the NIKs agree or are near, a date that
        // agrees says nothing more (counting it twice made neighbours' twins matches); one
        // that disagrees still counts.
        let nik_holds_date = matches!(g[0], 1 | 2);
        let rest: f64 = (2..FIELDS)
            .map(|k| {
                let w = self.weight(k, g[k]);
                if k == 3 && nik_holds_date {
                    w.min(0.0)
                } else {
                    w
                }
            })
            .sum();
        let prior = (self.lambda / (1.0 - self.lambda)).log2();
        let d =
            1.0 - f64::from(differing(&a.clk, &b.clk, 0..NAME_WORDS, NAME_RAW)) / NAME_RAW as f64;
        (prior + nik + kk + rest, [nik, kk, rest], d)
    }
}

/// A scored cross-member pair: (member, record) on each side.
#[derive(Debug, Clone, PartialEq)]
pub struct EncodedPair {
    pub a: (usize, u32),
    pub b: (usize, u32),
    pub weight: f64,
    pub probability: f64,
    /// NIK, KK and filter weights: the evidence a reviewer sees.
    pub field_weights: [f64; 3],
    /// Dice similarity of the two name parts of the filter.
    pub dice: f64,
}

/// What an encoded round found and how much work it took.
#[derive(Debug, Clone)]
pub struct EncodedOutcome {
    pub pairs: Vec<EncodedPair>,
    pub candidate_pairs: u64,
    /// The model the pairs were scored with (after EM).
    pub model: EncodedModel,
}

/// Links the members' encoded lists with each other (never within one member): blocks,
/// scores every candidate pair, keeps those with probability at or above `floor`.
pub fn link_encoded(sets: &[&[EncodedRecord]], model: &EncodedModel, floor: f64) -> EncodedOutcome {
    // Record ids across members: (member, index) packed as member << 32 | index.
    let mut blocks: FxHashMap<(u8, u128), Vec<u64>> = FxHashMap::default();
    let as_u128 = |t: &Token| u128::from_le_bytes(*t);
    for (m, set) in sets.iter().enumerate() {
        for (i, r) in set.iter().enumerate() {
            let id = ((m as u64) << 32) | i as u64;
            for (kind, t) in [(0u8, &r.nik), (1, &r.kk), (2, &r.block)] {
                if let Some(t) = t {
                    blocks.entry((kind, as_u128(t))).or_default().push(id);
                }
            }
            // Filter bands within a kecamatan: the filter holds name and birth date only, so
            // across the province a common name would fill a band.
            let kecamatan = u128::from(rustc_hash::FxBuildHasher.hash_one(&r.kecamatan)) << 64;
            for (band, key) in lsh_keys(&r.clk).into_iter().enumerate() {
                blocks
                    .entry((3 + band as u8, kecamatan | u128::from(key)))
                    .or_default()
                    .push(id);
            }
        }
    }
    let mut candidates: FxHashSet<(u64, u64)> = FxHashSet::default();
    for ids in blocks.values() {
        if ids.len() < 2 || ids.len() > MAX_BLOCK {
            continue;
        }
        for (x, &p) in ids.iter().enumerate() {
            for &q in &ids[x + 1..] {
                if p >> 32 != q >> 32 {
                    candidates.insert((p.min(q), p.max(q)));
                }
            }
        }
    }
    let candidate_pairs = candidates.len() as u64;
    let candidates: Vec<(u64, u64)> = candidates.into_iter().collect();
    let record = |id: u64| &sets[(id >> 32) as usize][(id & 0xffff_ffff) as usize];
    let mut pairs: Vec<EncodedPair> = candidates
        .par_iter()
        .filter_map(|&(p, q)| {
            let (weight, field_weights, dice) = model.score(record(p), record(q));
            let probability = crate::probability(weight);
            (probability >= floor).then_some(EncodedPair {
                a: ((p >> 32) as usize, (p & 0xffff_ffff) as u32),
                b: ((q >> 32) as usize, (q & 0xffff_ffff) as u32),
                weight,
                probability,
                field_weights,
                dice,
            })
        })
        .collect();
    pairs.sort_by_key(|p| (p.a, p.b));
    EncodedOutcome {
        pairs,
        candidate_pairs,
        model: model.clone(),
    }
}

/// The bit-sample LSH keys of a filter: for each band, the sampled bits packed in a u64.
/// The server has no secret: the positions are fixed, which samples as well as keyed ones
/// because the bit positions a token sets are already keyed.
fn lsh_keys(clk: &Clk) -> [u64; LSH_BANDS] {
    let mut keys = [0u64; LSH_BANDS];
    for (band, key) in keys.iter_mut().enumerate() {
        let mut k = 0u64;
        for i in 0..LSH_BITS_PER_BAND {
            let pos = (band * 61 + i * 31 + i * i * 7) % CLK_BITS;
            k = (k << 1) | ((clk[pos / 64] >> (pos % 64)) & 1);
        }
        *key = k | ((band as u64) << 40);
    }
    keys
}

/// Dice comparisons of `a` against all of `b`, for the benchmark (returns a checksum so the
/// work is not optimised away).
pub fn dice_all(a: &[EncodedRecord], b: &[EncodedRecord]) -> f64 {
    a.par_iter()
        .map(|x| b.iter().map(|y| dice(&x.clk, &y.clk)).sum::<f64>())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn secret() -> Secret {
        Secret::new(b"rahasia-bersama-putaran-2026-01\n").unwrap()
    }

    fn person<'a>(name: &'a str, nik: Option<&'a str>) -> PlainRecord<'a> {
        PlainRecord {
            nik,
            kk: Some("5201020101080001"),
            name,
            birth_date: Some((1980, 3, 14)),
            sex: Some('P'),
            region: "52.01.02.2001",
            aid_type: Some("Tunai"),
        }
    }

    #[test]
    fn near_niks_are_one_digit_or_one_swap_apart() {
        let s = secret();
        let nik = "5201021403800002";
        let rec = |n: &str| encode(&s, &person("Siti Aminah", Some(n)));
        let a = rec(nik);
        for (other, level) in [
            (nik, IdLevel::Equal),
            ("5201021403800000", IdLevel::Near), // Excel: 15 significant digits
            ("5201021403800092", IdLevel::Near), // one digit mistyped
            ("5201024103800002", IdLevel::Near), // two digits swapped
            ("5201021403804321", IdLevel::Differ),
            ("5201021403800013", IdLevel::Differ), // two digits apart
        ] {
            assert_eq!(nik_level(&a, &rec(other)), level, "{other}");
        }
        // The near tokens survive the file, whatever their order there.
        let back = read_file(&write_file(std::slice::from_ref(&a))).unwrap();
        assert_eq!(back[0].nik_near, a.nik_near);
        assert_eq!(nik_level(&back[0], &rec("5201021403800000")), IdLevel::Near);
    }

    #[test]
    fn a_short_secret_is_refused() {
        assert_eq!(
            Secret::new(b"  pendek \n").err(),
            Some(EncodedError::SecretTooShort { got: 6, min: 16 })
        );
    }

    #[test]
    fn tokens_depend_on_the_secret_and_hide_the_nik() {
        let nik = "5201021403800002";
        let a = encode(&secret(), &person("Siti Aminah", Some(nik)));
        let b = encode(
            &Secret::new(b"another-secret-for-another-round").unwrap(),
            &person("Siti Aminah", Some(nik)),
        );
        assert_ne!(a.nik, b.nik);
        assert_ne!(a.clk, b.clk);
        let file = write_file(std::slice::from_ref(&a));
        assert!(!file.contains(nik));
        assert!(!file.to_lowercase().contains("siti"));
        // NIK and KK tokens of the same digits differ (keys derived per purpose).
        let same_digits = encode(
            &secret(),
            &PlainRecord {
                kk: Some(nik),
                ..person("x", Some(nik))
            },
        );
        assert_ne!(same_digits.nik, same_digits.kk);
    }

    #[test]
    fn dice_is_high_for_variants_and_low_for_strangers() {
        let s = secret();
        let a = encode(&s, &person("Siti Aminah", None));
        let same = encode(&s, &person("Siti Aminah", None));
        let variant = encode(&s, &person("Siti Amirah", None));
        let swapped = encode(
            &s,
            &PlainRecord {
                birth_date: Some((1980, 14, 3)),
                ..person("Siti Aminah", None)
            },
        );
        let stranger = encode(
            &s,
            &PlainRecord {
                birth_date: Some((1957, 11, 2)),
                sex: Some('L'),
                region: "52.03.05.1002",
                ..person("Baiq Nurhasanah", None)
            },
        );
        let year_only = encode(
            &s,
            &PlainRecord {
                birth_date: Some((1980, 0, 0)),
                ..person("Siti Aminah", None)
            },
        );
        let same_year = encode(
            &s,
            &PlainRecord {
                birth_date: Some((1980, 9, 23)),
                ..person("Siti Aminah", None)
            },
        );
        assert_eq!(dice(&a.clk, &same.clk), 1.0);
        // [nik, kk, name, date, sex, desa], each level + 1 (0 = missing).
        assert_eq!(gamma(&a, &same), [0, 1, 1, 1, 1, 1]);
        assert_eq!(gamma(&a, &variant)[2], 2, "a typo is the second name level");
        assert_eq!(gamma(&a, &variant)[3], 1, "same date");
        assert_eq!(gamma(&a, &swapped)[3], 2, "a day-month swap agrees in part");
        assert_eq!(gamma(&a, &year_only)[3], 2, "a year-only date too");
        assert_eq!(
            gamma(&a, &same_year)[3],
            3,
            "another date of the same year less"
        );
        assert_eq!(gamma(&a, &stranger), [0, 1, 5, 5, 2, 3]);
        // Balanced: every part of every filter has exactly half its bits set, whatever the
        // name's length.
        for r in [&a, &variant, &stranger, &year_only] {
            let ones = |w: std::ops::Range<usize>| -> u32 {
                r.clk[w].iter().map(|w| w.count_ones()).sum()
            };
            assert_eq!(ones(0..NAME_WORDS) as usize, NAME_RAW);
            assert_eq!(ones(NAME_WORDS..WORDS) as usize, DATE_RAW);
        }
        let short = encode(&s, &person("Ani", None));
        let ones: u32 = short.clk.iter().map(|w| w.count_ones()).sum();
        assert_eq!(
            ones as usize,
            CLK_BITS / 2,
            "a short name sets as many bits"
        );
    }

    #[test]
    fn the_file_round_trips_and_bad_files_are_refused() {
        let s = secret();
        let rows = [
            person("Siti Aminah", Some("5201021403800002")),
            person("Ahmad", None),
        ];
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(7);
        let (records, placement) = encode_list(&s, &rows, &mut rng);
        let back = read_file(&write_file(&records)).unwrap();
        assert_eq!(back, records);
        assert_eq!(back[placement[1]].nik, None);
        assert!(back[placement[0]].nik.is_some());
        assert_eq!(back[0].aid_type, "tunai");
        assert_eq!(back[0].kecamatan, "52.01.02");
        assert!(matches!(
            read_file("nama,nik\nx,y\n"),
            Err(EncodedError::BadFile { line: 1, .. })
        ));
        let broken = format!("{FILE_HEADER}\nzz,,,,,,AAAA,52.01.02,tunai\n");
        assert!(matches!(
            read_file(&broken),
            Err(EncodedError::BadFile { line: 2, .. })
        ));
    }

    #[test]
    fn a_round_finds_the_shared_person_across_members_only() {
        let s = secret();
        let baznas = [
            person("Siti Aminah", Some("5201021403800002")),
            PlainRecord {
                nik: Some("5201020507750001"),
                birth_date: Some((1975, 7, 5)),
                sex: Some('L'),
                ..person("Lalu Ahmad Zaini", None)
            },
        ];
        // The other partner has Siti with a typo'd name and no NIK, and a stranger.
        let other = [
            PlainRecord {
                kk: Some("5201020101080001"),
                ..person("Siti Aminnah", None)
            },
            PlainRecord {
                nik: Some("5201024410900003"),
                kk: Some("5201029999990001"),
                birth_date: Some((1990, 10, 4)),
                region: "52.01.02.2007",
                ..person("Baiq Rohani", None)
            },
        ];
        let a: Vec<_> = baznas.iter().map(|r| encode(&s, r)).collect();
        let b: Vec<_> = other.iter().map(|r| encode(&s, r)).collect();
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(1);
        let model = EncodedModel::estimate(&[&a, &b], 1000, &mut rng);
        let out = link_encoded(&[&a, &b], &model, 0.5);
        assert_eq!(out.pairs.len(), 1, "{:?}", out.pairs);
        assert_eq!((out.pairs[0].a, out.pairs[0].b), ((0, 0), (1, 0)));
        assert!(out.pairs[0].field_weights[2] > 0.0);
        // Within one member nothing is compared: the same list twice as one member.
        let alone = link_encoded(&[&a], &model, 0.0);
        assert!(alone.pairs.is_empty());
    }
}
