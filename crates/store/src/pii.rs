//! Personal identifiers at rest: NIK and No. KK are sealed with XChaCha20-Poly1305 and stored
//! beside a keyed hash (HMAC-SHA256) that allows exact matching without decrypting.
//!
//! One 32-byte master key, from a file or an environment variable, derives both subkeys.

use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use thiserror::Error;

const NONCE_LEN: usize = 24;

/// Unique nonces for many seals: 16 random bytes from the operating system, then a counter
/// (8 bytes). XChaCha20-Poly1305 needs only that a nonce never repeats under one key; a fresh
/// random prefix per `Nonces` (2^128 choices) and a counter that never wraps give that, without
/// a system call per value.
#[derive(Debug)]
pub struct Nonces {
    prefix: [u8; 16],
    counter: u64,
}

impl Nonces {
    pub fn new() -> Nonces {
        let mut prefix = [0u8; 16];
        getrandom::fill(&mut prefix).expect("the operating system's random source");
        Nonces { prefix, counter: 0 }
    }

    fn next_nonce(&mut self) -> [u8; NONCE_LEN] {
        if self.counter == u64::MAX {
            *self = Nonces::new();
        }
        let mut nonce = [0u8; NONCE_LEN];
        nonce[..16].copy_from_slice(&self.prefix);
        nonce[16..].copy_from_slice(&self.counter.to_le_bytes());
        self.counter += 1;
        nonce
    }
}

impl Default for Nonces {
    fn default() -> Nonces {
        Nonces::new()
    }
}

/// Which identifier a value is: bound into the ciphertext, so a NIK cannot be moved into the
/// KK column unnoticed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PiiField {
    Nik,
    Kk,
    /// A person's address as a list gives it.
    Address,
}

impl PiiField {
    fn label(self) -> &'static [u8] {
        match self {
            PiiField::Nik => b"nik",
            PiiField::Kk => b"kk",
            PiiField::Address => b"address",
        }
    }
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum KeyError {
    #[error(
        "kunci data pribadi tidak sah: harus 32 bita, ditulis sebagai 64 karakter heksadesimal atau 44 karakter base64 (buat dengan `sinergi kunci buat`)"
    )]
    Malformed,
    #[error(
        "kunci data pribadi tidak cocok dengan basis data ini: data yang sudah ada dienkripsi dengan kunci lain. Pakai kunci yang benar (SINERGI_KUNCI atau SINERGI_KUNCI_BERKAS)."
    )]
    Mismatch,
    #[error("data pribadi tidak bisa didekripsi: kunci salah atau data rusak")]
    Undecryptable,
}

impl sinergi_core::Localized for KeyError {
    fn msg(&self) -> sinergi_core::Msg {
        sinergi_core::Msg::new(match self {
            KeyError::Malformed => "store.key_malformed",
            KeyError::Mismatch => "store.key_mismatch",
            KeyError::Undecryptable => "store.key_undecryptable",
        })
    }
}

/// The deployment's key for personal data. Its Debug output never shows the key.
#[derive(Clone)]
pub struct PiiKey {
    cipher: XChaCha20Poly1305,
    mac_key: [u8; 32],
    /// HMAC already keyed with `mac_key` (its inner and outer pads hashed once): cloned per
    /// value, which halves the hashing of a blind index.
    mac: Hmac<Sha256>,
    audit_key: [u8; 32],
}

impl std::fmt::Debug for PiiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PiiKey(…)")
    }
}

impl PiiKey {
    pub fn from_master(master: &[u8; 32]) -> PiiKey {
        let hk = hkdf::Hkdf::<Sha256>::new(Some(b"sinergi-pii-v1"), master);
        let mut enc = [0u8; 32];
        let mut mac = [0u8; 32];
        // Output lengths of 32 bytes are always valid for HKDF-SHA256.
        hk.expand(b"encrypt", &mut enc).expect("hkdf length");
        hk.expand(b"match", &mut mac).expect("hkdf length");
        // The audit chain's key: the same master, its own label, so it never equals the
        // matching key and lives outside the database like the master itself.
        let mut audit = [0u8; 32];
        hk.expand(b"audit-chain", &mut audit).expect("hkdf length");
        PiiKey {
            cipher: XChaCha20Poly1305::new((&enc).into()),
            mac_key: mac,
            mac: <Hmac<Sha256> as Mac>::new_from_slice(&mac).expect("any key length"),
            audit_key: audit,
        }
    }

    /// Reads a key written as 64 hex digits or standard base64 (surrounding spaces ignored).
    pub fn parse(text: &str) -> Result<PiiKey, KeyError> {
        let text = text.trim();
        let bytes = if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) {
            (0..32)
                .map(|i| u8::from_str_radix(&text[2 * i..2 * i + 2], 16))
                .collect::<Result<Vec<u8>, _>>()
                .map_err(|_| KeyError::Malformed)?
        } else {
            base64::engine::general_purpose::STANDARD
                .decode(text)
                .map_err(|_| KeyError::Malformed)?
        };
        let master: [u8; 32] = bytes.try_into().map_err(|_| KeyError::Malformed)?;
        Ok(PiiKey::from_master(&master))
    }

    /// A fresh random key and its base64 text, for `sinergi kunci buat` and development.
    pub fn generate() -> (PiiKey, String) {
        let mut master = [0u8; 32];
        getrandom::fill(&mut master).expect("the operating system's random source");
        let text = base64::engine::general_purpose::STANDARD.encode(master);
        (PiiKey::from_master(&master), text)
    }

    pub fn seal(&self, field: PiiField, plain: &str) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).expect("the operating system's random source");
        self.seal_with(field, plain, nonce)
    }

    /// [`Self::seal`] with a nonce from `nonces`: for many values at once (a list's rows),
    /// without a call to the operating system per value.
    pub fn seal_next(&self, field: PiiField, plain: &str, nonces: &mut Nonces) -> Vec<u8> {
        self.seal_with(field, plain, nonces.next_nonce())
    }

    fn seal_with(&self, field: PiiField, plain: &str, nonce: [u8; NONCE_LEN]) -> Vec<u8> {
        let sealed = self
            .cipher
            .encrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: plain.as_bytes(),
                    aad: field.label(),
                },
            )
            .expect("encryption of a short value cannot fail");
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&sealed);
        out
    }

    pub fn open(&self, field: PiiField, blob: &[u8]) -> Result<String, KeyError> {
        if blob.len() <= NONCE_LEN {
            return Err(KeyError::Undecryptable);
        }
        let (nonce, sealed) = blob.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| KeyError::Undecryptable)?;
        let plain = self
            .cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: sealed,
                    aad: field.label(),
                },
            )
            .map_err(|_| KeyError::Undecryptable)?;
        String::from_utf8(plain).map_err(|_| KeyError::Undecryptable)
    }

    /// The keyed hash used for exact matching: equal values give equal hashes under one key.
    pub fn blind_index(&self, field: PiiField, value: &str) -> Vec<u8> {
        let mut mac = self.mac.clone();
        mac.update(field.label());
        mac.update(b":");
        mac.update(value.as_bytes());
        mac.finalize().into_bytes().to_vec()
    }

    /// A keyed fingerprint of a free-text search term (folded), for the audit log: equal terms
    /// give equal fingerprints under one key, and the term itself is never stored.
    pub fn search_fingerprint(&self, term: &str) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.mac_key).expect("any key length");
        mac.update(b"search:");
        mac.update(sinergi_core::fold_text(term).as_bytes());
        sinergi_core::audit::hex(&mac.finalize().into_bytes()[..16])
    }

    /// The key of the audit chain's HMAC (HKDF of the master key, label `audit-chain`).
    pub fn audit_key(&self) -> sinergi_core::audit::AuditKey {
        sinergi_core::audit::AuditKey(self.audit_key)
    }

    /// A short value stored with the data to tell the right key from a wrong one.
    pub fn fingerprint(&self) -> String {
        let mut mac = <Hmac<Sha256> as Mac>::new_from_slice(&self.mac_key).expect("any key length");
        mac.update(b"sinergi-key-check");
        sinergi_core::audit::hex(&mac.finalize().into_bytes()[..16])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens_with_random_nonces() {
        let (key, text) = PiiKey::generate();
        let a = key.seal(PiiField::Nik, "5203014507900001");
        let b = key.seal(PiiField::Nik, "5203014507900001");
        assert_ne!(a, b, "each value gets its own nonce");
        assert!(!a.windows(16).any(|w| w == b"5203014507900001"));
        assert_eq!(key.open(PiiField::Nik, &a).unwrap(), "5203014507900001");
        let again = PiiKey::parse(&text).unwrap();
        assert_eq!(again.open(PiiField::Nik, &b).unwrap(), "5203014507900001");
    }

    #[test]
    fn counted_nonces_never_repeat_and_open_like_random_ones() {
        let (key, _) = PiiKey::generate();
        let mut nonces = Nonces::new();
        let mut other = Nonces::new();
        let a = key.seal_next(PiiField::Nik, "5203014507900001", &mut nonces);
        let b = key.seal_next(PiiField::Nik, "5203014507900001", &mut nonces);
        let c = key.seal_next(PiiField::Nik, "5203014507900001", &mut other);
        assert_ne!(a[..NONCE_LEN], b[..NONCE_LEN]);
        assert_ne!(a[..16], c[..16], "each generator has its own random prefix");
        assert_ne!(a, b);
        for sealed in [&a, &b, &c] {
            assert_eq!(key.open(PiiField::Nik, sealed).unwrap(), "5203014507900001");
        }
    }

    #[test]
    fn field_and_key_are_bound() {
        let (key, _) = PiiKey::generate();
        let (other, _) = PiiKey::generate();
        let sealed = key.seal(PiiField::Nik, "5203014507900001");
        assert_eq!(
            key.open(PiiField::Kk, &sealed),
            Err(KeyError::Undecryptable)
        );
        assert_eq!(
            other.open(PiiField::Nik, &sealed),
            Err(KeyError::Undecryptable)
        );
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(
            key.open(PiiField::Nik, &tampered),
            Err(KeyError::Undecryptable)
        );
    }

    #[test]
    fn blind_index_matches_exactly_and_depends_on_key() {
        let (key, _) = PiiKey::generate();
        let (other, _) = PiiKey::generate();
        let h = key.blind_index(PiiField::Nik, "5203014507900001");
        assert_eq!(h, key.blind_index(PiiField::Nik, "5203014507900001"));
        assert_ne!(h, key.blind_index(PiiField::Nik, "5203014507900002"));
        assert_ne!(h, key.blind_index(PiiField::Kk, "5203014507900001"));
        assert_ne!(h, other.blind_index(PiiField::Nik, "5203014507900001"));
        assert_ne!(key.fingerprint(), other.fingerprint());
    }

    #[test]
    fn parses_hex_and_base64_and_refuses_the_rest() {
        let hex = "00".repeat(32);
        let b64 = base64::engine::general_purpose::STANDARD.encode([0u8; 32]);
        assert_eq!(
            PiiKey::parse(&hex).unwrap().fingerprint(),
            PiiKey::parse(&format!(" {b64}\n")).unwrap().fingerprint()
        );
        assert_eq!(PiiKey::parse("rahasia").unwrap_err(), KeyError::Malformed);
        assert_eq!(
            PiiKey::parse(&"0".repeat(63)).unwrap_err(),
            KeyError::Malformed
        );
        assert!(format!("{:?}", PiiKey::parse(&hex).unwrap()) == "PiiKey(…)");
    }
}
