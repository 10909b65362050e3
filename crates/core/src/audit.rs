//! The audit chain: each entry's hash covers its fields and the previous entry's hash, so
//! editing or deleting any entry breaks every hash after it.
//!
//! From the chain's switch point on, the hash is an HMAC-SHA256 under a key kept outside the
//! database (derived from the personal-data key), so someone who can write the database but
//! does not hold the key cannot rewrite an entry and recompute the chain. Entries before the
//! switch point (written before the chain was keyed) are plain SHA-256.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash before the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One audit event as stored; every field takes part in the hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    /// RFC 3339, UTC, microseconds: stored as text so both databases return the same bytes.
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<String>,
    pub region: Option<String>,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// The key of a keyed audit chain (HMAC-SHA256), 32 bytes. Its Debug output hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey(pub [u8; 32]);

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AuditKey(…)")
    }
}

impl AuditKey {
    /// A short tag over `text` under this key (the chain's recorded switch point).
    pub fn tag(&self, text: &str) -> String {
        use hmac::Mac;
        let mut mac = <hmac::Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("any key length");
        mac.update(b"sinergi-audit-tag:");
        mac.update(text.as_bytes());
        hex(&mac.finalize().into_bytes())
    }
}

impl AuditEntry {
    /// The entry's hash given the previous one: SHA-256 over length-prefixed fields, hex.
    pub fn chain_hash(&self, previous: &str) -> String {
        let mut h = Sha256::new();
        self.feed(previous, |b| h.update(b));
        hex(&h.finalize())
    }

    /// The keyed hash: HMAC-SHA256 under `key` over the same length-prefixed fields, hex.
    pub fn keyed_hash(&self, previous: &str, key: &AuditKey) -> String {
        use hmac::Mac;
        let mut mac = <hmac::Hmac<Sha256> as Mac>::new_from_slice(&key.0).expect("any key length");
        self.feed(previous, |b| mac.update(b));
        hex(&mac.finalize().into_bytes())
    }

    /// The hash of this entry in a chain keyed from `keyed_from` on (plain before it).
    pub fn hash_in_chain(
        &self,
        previous: &str,
        key: Option<&AuditKey>,
        keyed_from: i64,
    ) -> Option<String> {
        if self.seq >= keyed_from {
            key.map(|k| self.keyed_hash(previous, k))
        } else {
            Some(self.chain_hash(previous))
        }
    }

    fn feed(&self, previous: &str, mut update: impl FnMut(&[u8])) {
        let mut field = |bytes: &[u8]| {
            update(&(bytes.len() as u64).to_be_bytes());
            update(bytes);
        };
        field(previous.as_bytes());
        field(&self.seq.to_be_bytes());
        field(self.at.as_bytes());
        let optional = |v: Option<&str>| v.map(|s| format!("+{s}")).unwrap_or_default();
        field(optional(self.actor_id.map(|a| a.to_string()).as_deref()).as_bytes());
        field(self.actor_name.as_bytes());
        field(self.action.as_bytes());
        field(self.entity.as_bytes());
        field(optional(self.entity_id.as_deref()).as_bytes());
        field(optional(self.region.as_deref()).as_bytes());
        field(optional(self.before.as_deref()).as_bytes());
        field(optional(self.after.as_deref()).as_bytes());
    }
}

/// What checking a chain found: the first broken link, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// An entry's stored hash does not match its contents: it was edited.
    Altered { seq: i64 },
    /// Sequence numbers jump: entries were deleted before `seq`.
    Missing { after: i64, seq: i64 },
    /// The entry does not point at its predecessor's hash.
    Relinked { seq: i64 },
}

/// Walks entries in sequence order with their stored (previous, own) hashes.
#[derive(Debug)]
pub struct ChainVerifier {
    last_seq: i64,
    last_hash: Option<String>,
    pub checked: u64,
    key: Option<AuditKey>,
    keyed_from: i64,
}

impl Default for ChainVerifier {
    /// A verifier for a plain (unkeyed) chain.
    fn default() -> Self {
        ChainVerifier {
            last_seq: 0,
            last_hash: None,
            checked: 0,
            key: None,
            keyed_from: i64::MAX,
        }
    }
}

impl ChainVerifier {
    /// A verifier for a chain keyed with `key` from entry `keyed_from` on. Without the key,
    /// keyed entries cannot be checked and count as altered.
    pub fn keyed(key: Option<AuditKey>, keyed_from: i64) -> ChainVerifier {
        ChainVerifier {
            key,
            keyed_from,
            ..ChainVerifier::default()
        }
    }

    pub fn push(
        &mut self,
        entry: &AuditEntry,
        stored_previous: &str,
        stored_hash: &str,
    ) -> Result<(), ChainBreak> {
        let expected_previous = self.last_hash.as_deref().unwrap_or(GENESIS_HASH);
        if entry.seq != self.last_seq + 1 {
            return Err(ChainBreak::Missing {
                after: self.last_seq,
                seq: entry.seq,
            });
        }
        if stored_previous != expected_previous {
            return Err(ChainBreak::Relinked { seq: entry.seq });
        }
        if entry
            .hash_in_chain(stored_previous, self.key.as_ref(), self.keyed_from)
            .as_deref()
            != Some(stored_hash)
        {
            return Err(ChainBreak::Altered { seq: entry.seq });
        }
        self.last_seq = entry.seq;
        self.last_hash = Some(stored_hash.to_string());
        self.checked += 1;
        Ok(())
    }

    /// The hash of the newest entry checked: record it elsewhere to detect a cut-off tail.
    pub fn head(&self) -> &str {
        self.last_hash.as_deref().unwrap_or(GENESIS_HASH)
    }

    pub fn last_seq(&self) -> i64 {
        self.last_seq
    }
}

/// SHA-256 of `bytes` in hex: a file's content hash (the same file imported twice).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(seq: i64, action: &str) -> AuditEntry {
        AuditEntry {
            seq,
            at: "2026-11-22T10:00:00.000000Z".into(),
            actor_id: Some(1),
            actor_name: "admin".into(),
            action: action.into(),
            entity: "user".into(),
            entity_id: Some("2".into()),
            region: Some("52".into()),
            before: None,
            after: Some("{\"role\":\"mitra\"}".into()),
        }
    }

    fn chain(n: i64) -> Vec<(AuditEntry, String, String)> {
        let mut prev = GENESIS_HASH.to_string();
        (1..=n)
            .map(|seq| {
                let e = entry(seq, "user.create");
                let h = e.chain_hash(&prev);
                let row = (e, prev.clone(), h.clone());
                prev = h;
                row
            })
            .collect()
    }

    fn verify(rows: &[(AuditEntry, String, String)]) -> Result<u64, ChainBreak> {
        let mut v = ChainVerifier::default();
        for (e, p, h) in rows {
            v.push(e, p, h)?;
        }
        Ok(v.checked)
    }

    #[test]
    fn intact_chain_verifies() {
        assert_eq!(verify(&chain(5)), Ok(5));
    }

    #[test]
    fn an_edit_is_found() {
        let mut rows = chain(5);
        rows[2].0.after = Some("{\"role\":\"admin_provinsi\"}".into());
        assert_eq!(verify(&rows), Err(ChainBreak::Altered { seq: 3 }));
    }

    #[test]
    fn a_deletion_is_found() {
        let mut rows = chain(5);
        rows.remove(1);
        assert_eq!(verify(&rows), Err(ChainBreak::Missing { after: 1, seq: 3 }));
    }

    #[test]
    fn a_rewritten_and_renumbered_tail_is_found() {
        let mut rows = chain(5);
        rows.remove(1);
        for (i, r) in rows.iter_mut().enumerate() {
            r.0.seq = i as i64 + 1;
        }
        assert!(verify(&rows).is_err());
    }

    #[test]
    fn none_and_empty_hash_differently() {
        let mut a = entry(1, "x");
        let h1 = a.chain_hash(GENESIS_HASH);
        a.entity_id = Some(String::new());
        assert_ne!(h1, a.chain_hash(GENESIS_HASH));
    }
}
