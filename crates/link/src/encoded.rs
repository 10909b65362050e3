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

/// Bits set per token, per field (clkhash's per-field `k`): the name carries most weight.
const K_NAME: u32 = 8;
const K_DATE_PART: u32 = 20;
const K_SEX: u32 = 6;
const K_REGION: u32 = 16;

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
    kk: HmacSha256,
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
        let balance = {
            use rand::SeedableRng as _;
            let seed: [u8; 32] = derive("balance").finalize().into_bytes().into();
            let mut order: Vec<u16> = (0..CLK_BITS as u16).collect();
            order.shuffle(&mut rand::rngs::ChaCha8Rng::from_seed(seed));
            order
        };
        Ok(Secret {
            nik: derive("nik"),
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

    /// Sets `k` bits for one token of one field (double hashing, keyed).
    fn set_bits(&self, clk: &mut [u64; RAW_WORDS], field: u8, token: &str, k: u32) {
        let mut mac = self.clk.clone();
        mac.update(&[field]);
        mac.update(token.as_bytes());
        let h = mac.finalize().into_bytes();
        let h1 = u64::from_le_bytes(h[0..8].try_into().expect("8 bytes"));
        let h2 = u64::from_le_bytes(h[8..16].try_into().expect("8 bytes")) | 1;
        for i in 0..k as u64 {
            let bit = (h1.wrapping_add(i.wrapping_mul(h2)) % RAW_BITS as u64) as usize;
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
    pub kk: Option<Token>,
    /// Keyed desa + birth year, for blocking only.
    pub block: Option<Token>,
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
            secret.set_bits(&mut clk, 1, &bigram, K_NAME);
        }
    }
    if let Some((y, m, d)) = r.birth_date {
        // Parts apart, so a day–month swap or a year-only date still agrees in part.
        secret.set_bits(&mut clk, 2, &format!("y{y}"), K_DATE_PART);
        if m > 0 && d > 0 {
            secret.set_bits(&mut clk, 2, &format!("d{d}"), K_DATE_PART);
            secret.set_bits(&mut clk, 2, &format!("m{m}"), K_DATE_PART);
            // Day and month as an unordered pair: equal under a swap.
            let (lo, hi) = if d <= m { (d, m) } else { (m, d) };
            secret.set_bits(&mut clk, 2, &format!("p{lo}-{hi}"), K_DATE_PART);
        }
    }
    if let Some(sex) = r.sex {
        secret.set_bits(&mut clk, 3, &sex.to_string(), K_SEX);
    }
    if !r.region.is_empty() {
        secret.set_bits(&mut clk, 4, r.region, K_REGION);
        secret.set_bits(&mut clk, 4, kecamatan_of(r.region), K_REGION);
    }
    let block = r
        .birth_date
        .map(|(y, _, _)| Secret::token(&secret.block, format!("{}|{y}", r.region).as_bytes()));
    EncodedRecord {
        nik: r.nik.map(|n| Secret::token(&secret.nik, n.as_bytes())),
        kk: r.kk.map(|k| Secret::token(&secret.kk, k.as_bytes())),
        block,
        clk: secret.balanced(&clk),
        kecamatan: kecamatan_of(r.region).to_string(),
        aid_type: r.aid_type.unwrap_or("").trim().to_lowercase(),
    }
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
pub const FILE_HEADER: &str = "nik_token,kk_token,blok_token,clk,kecamatan,jenis_bantuan";

fn hex(t: &Option<Token>) -> String {
    let mut s = String::with_capacity(TOKEN_BYTES * 2);
    if let Some(t) = t {
        for b in t {
            let _ = write!(s, "{b:02x}");
        }
    }
    s
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
    for r in records {
        bytes.clear();
        for w in r.clk {
            bytes.extend_from_slice(&w.to_le_bytes());
        }
        let _ = writeln!(
            out,
            "{},{},{},{},{},{}",
            hex(&r.nik),
            hex(&r.kk),
            hex(&r.block),
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
        if cells.len() != 6 {
            return Err(bad(line_no, "jumlah kolom bukan 6"));
        }
        let token = |s: &str| unhex(s).ok_or_else(|| bad(line_no, "token tidak sah"));
        let bytes = b64
            .decode(cells[3])
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
            kk: token(cells[1])?,
            block: token(cells[2])?,
            clk,
            kecamatan: cells[4].to_string(),
            aid_type: cells[5].to_string(),
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

/// Comparison levels of an encoded pair. On balanced filters Dice is 1 − (raw bits that
/// differ) / [`RAW_BITS`]; a raw filter has about 175 of its 512 bits set, so these are the
/// raw Dice levels 0.95, 0.88, 0.80 and 0.70 of unbalanced filters.
const DICE_LEVELS: [f64; 4] = [0.966, 0.918, 0.864, 0.796];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum IdLevel {
    Equal,
    Differ,
    Missing,
}

fn id_level(a: &Option<Token>, b: &Option<Token>) -> IdLevel {
    match (a, b) {
        (Some(x), Some(y)) if x == y => IdLevel::Equal,
        (Some(_), Some(_)) => IdLevel::Differ,
        _ => IdLevel::Missing,
    }
}

fn dice_level(d: f64) -> usize {
    DICE_LEVELS
        .iter()
        .position(|t| d >= *t)
        .unwrap_or(DICE_LEVELS.len())
}

/// The Fellegi–Sunter weights for encoded pairs: `m` from prior knowledge of list errors,
/// `u` measured on random pairs of the round (so a common KK or a crowded desa weighs less).
#[derive(Debug, Clone)]
pub struct EncodedModel {
    /// log2(m/u) for NIK: equal, differ (missing = 0).
    pub nik: [f64; 2],
    pub kk: [f64; 2],
    /// log2(m/u) per Dice level (≥ 0.95, ≥ 0.88, ≥ 0.80, ≥ 0.70, below).
    pub dice: [f64; 5],
    /// log2 of the prior odds that a compared pair matches.
    pub prior: f64,
}

impl EncodedModel {
    /// `m` probabilities: a NIK agrees on 90% of true pairs (mistyped, truncated by Excel,
    /// or missing otherwise); a KK on 85% (families split); the filter of a true pair is
    /// ≥ 0.95 similar for 55%, and below 0.70 for 2%.
    const M_NIK: [f64; 2] = [0.90, 0.10];
    const M_KK: [f64; 2] = [0.85, 0.15];
    const M_DICE: [f64; 5] = [0.55, 0.25, 0.12, 0.06, 0.02];

    /// Estimates `u` on up to `samples` random cross-member pairs of `sets`.
    pub fn estimate(sets: &[&[EncodedRecord]], samples: usize, rng: &mut impl rand::Rng) -> Self {
        let mut nik = [1.0f64, 1.0];
        let mut nik_n = 2.0;
        let mut kk = [1.0f64, 1.0];
        let mut kk_n = 2.0;
        let mut dice_u = [1.0f64; 5];
        let mut dice_n = 5.0;
        let nonempty: Vec<&[EncodedRecord]> =
            sets.iter().copied().filter(|s| !s.is_empty()).collect();
        let sizes: Vec<f64> = nonempty.iter().map(|s| s.len() as f64).collect();
        let cross_pairs =
            (sizes.iter().sum::<f64>().powi(2) - sizes.iter().map(|n| n * n).sum::<f64>()) / 2.0;
        // Too few pairs to measure `u` (true pairs would dominate the sample): prior values.
        if cross_pairs < 10_000.0 {
            return Self::from_u([1e-6, 1.0], [1e-2, 1.0], Self::U_DICE_PRIOR);
        }
        {
            for _ in 0..samples {
                let i = rng.random_range(0..nonempty.len());
                let mut j = rng.random_range(0..nonempty.len() - 1);
                if j >= i {
                    j += 1;
                }
                let a = &nonempty[i][rng.random_range(0..nonempty[i].len())];
                let b = &nonempty[j][rng.random_range(0..nonempty[j].len())];
                let tally = |level: IdLevel, counts: &mut [f64; 2], n: &mut f64| match level {
                    IdLevel::Equal => {
                        counts[0] += 1.0;
                        *n += 1.0;
                    }
                    IdLevel::Differ => {
                        counts[1] += 1.0;
                        *n += 1.0;
                    }
                    IdLevel::Missing => {}
                };
                tally(id_level(&a.nik, &b.nik), &mut nik, &mut nik_n);
                tally(id_level(&a.kk, &b.kk), &mut kk, &mut kk_n);
                dice_u[dice_level(dice(&a.clk, &b.clk))] += 1.0;
                dice_n += 1.0;
            }
        }
        // Random pairs almost never agree on NIK; the +1 smoothing would overstate u.
        let u_nik_equal = (nik[0] / nik_n).min(1e-6);
        // A shared KK says "same household", not "same person": family members share it, so
        // its weight is capped (u ≥ 1%).
        let u_kk_equal = (kk[0] / kk_n).max(1e-2);
        let u_dice: [f64; 5] = std::array::from_fn(|l| dice_u[l] / dice_n);
        Self::from_u(
            [u_nik_equal, nik[1] / nik_n],
            [u_kk_equal, kk[1] / kk_n],
            u_dice,
        )
    }

    /// `u` of the filter levels when a round is too small to measure them.
    const U_DICE_PRIOR: [f64; 5] = [1e-4, 5e-4, 2e-3, 1e-2, 0.9875];

    fn from_u(u_nik: [f64; 2], u_kk: [f64; 2], u_dice: [f64; 5]) -> Self {
        let w = |m: f64, u: f64| (m / u).log2();
        EncodedModel {
            nik: [w(Self::M_NIK[0], u_nik[0]), w(Self::M_NIK[1], u_nik[1])],
            kk: [w(Self::M_KK[0], u_kk[0]), w(Self::M_KK[1], u_kk[1])],
            dice: std::array::from_fn(|l| w(Self::M_DICE[l], u_dice[l])),
            // About one in a thousand blocked pairs is a true double-aid pair.
            prior: (1.0f64 / 1000.0).log2(),
        }
    }

    /// The total weight of a pair and the field weights (NIK, KK, filter) behind it.
    pub fn score(&self, a: &EncodedRecord, b: &EncodedRecord) -> (f64, [f64; 3], f64) {
        let id_weight = |w: &[f64; 2], l: IdLevel| match l {
            IdLevel::Equal => w[0],
            IdLevel::Differ => w[1],
            IdLevel::Missing => 0.0,
        };
        let nik = id_weight(&self.nik, id_level(&a.nik, &b.nik));
        let kk = id_weight(&self.kk, id_level(&a.kk, &b.kk));
        let d = dice(&a.clk, &b.clk);
        let clk = self.dice[dice_level(d)];
        (self.prior + nik + kk + clk, [nik, kk, clk], d)
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
    pub dice: f64,
}

/// What an encoded round found and how much work it took.
#[derive(Debug, Clone, Default)]
pub struct EncodedOutcome {
    pub pairs: Vec<EncodedPair>,
    pub candidate_pairs: u64,
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
            for (band, key) in lsh_keys(&r.clk).into_iter().enumerate() {
                blocks
                    .entry((3 + band as u8, key as u128))
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
        let variant = encode(&s, &person("Siti Aminnah", None));
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
        assert_eq!(dice(&a.clk, &same.clk), 1.0);
        let v = dice(&a.clk, &variant.clk);
        let w = dice(&a.clk, &swapped.clk);
        let x = dice(&a.clk, &stranger.clk);
        assert!(v >= DICE_LEVELS[1], "variant {v}");
        assert!(w >= DICE_LEVELS[2], "day-month swap {w}");
        assert!(x < DICE_LEVELS[3], "stranger {x}");
        // Balanced: every filter has exactly half its bits set, whatever the name's length.
        for r in [&a, &variant, &stranger] {
            let ones: u32 = r.clk.iter().map(|w| w.count_ones()).sum();
            assert_eq!(ones as usize, CLK_BITS / 2);
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
        let broken = format!("{FILE_HEADER}\nzz,,,AAAA,52.01.02,tunai\n");
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
