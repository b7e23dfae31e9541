//! Managed API keys: `lf_live_` + 32 random base62 characters + a 6-character CRC32
//! checksum, the shape GitHub gave its tokens so that secret scanners can recognise a
//! leaked key and check it offline. Only a SHA-256 of the key is stored; the first 16
//! characters (`lf_live_` and 8 random ones) find the row and let staff tell keys apart.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use secrecy::SecretString;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

pub const KEY_PREFIX: &str = "lf_live_";
const RANDOM_CHARS: usize = 32;
const CHECKSUM_CHARS: usize = 6;
const LOOKUP_CHARS: usize = KEY_PREFIX.len() + 8;
const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// A key just made: shown to its creator once, then only its hash remains.
pub struct NewKey {
    pub key: SecretString,
    pub lookup: String,
    pub hash: Vec<u8>,
}

/// A presented key that has the right shape and checksum.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresentedKey {
    pub lookup: String,
    pub hash: [u8; 32],
}

fn checksum(body: &str) -> String {
    let mut n = u64::from(crc32fast::hash(body.as_bytes()));
    let mut out = [b'0'; CHECKSUM_CHARS];
    for slot in out.iter_mut().rev() {
        *slot = BASE62[(n % 62) as usize];
        n /= 62;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub fn generate() -> NewKey {
    let mut body = String::from(KEY_PREFIX);
    while body.len() < KEY_PREFIX.len() + RANDOM_CHARS {
        let mut bytes = [0u8; 64];
        aws_lc_rs::rand::fill(&mut bytes).expect("the system random source works");
        // 248 = 4 × 62: dropping the bytes above keeps every character equally likely.
        for b in bytes.into_iter().filter(|b| *b < 248) {
            if body.len() == KEY_PREFIX.len() + RANDOM_CHARS {
                break;
            }
            body.push(BASE62[usize::from(b % 62)] as char);
        }
    }
    let key = format!("{body}{}", checksum(&body));
    NewKey {
        lookup: key[..LOOKUP_CHARS].to_owned(),
        hash: Sha256::digest(key.as_bytes()).to_vec(),
        key: SecretString::from(key),
    }
}

/// Reads a presented key; `None` when it is not one of ours (a typo fails the checksum
/// here, before any database work).
pub fn parse(presented: &str) -> Option<PresentedKey> {
    let key = presented.trim();
    let body = key.strip_prefix(KEY_PREFIX)?;
    if body.len() != RANDOM_CHARS + CHECKSUM_CHARS || !body.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    let (head, sum) = key.split_at(KEY_PREFIX.len() + RANDOM_CHARS);
    if checksum(head) != sum {
        return None;
    }
    Some(PresentedKey { lookup: key[..LOOKUP_CHARS].to_owned(), hash: Sha256::digest(key.as_bytes()).into() })
}

/// Whether a presented key's hash is the stored one, in constant time.
pub fn hash_matches(presented: &PresentedKey, stored: &[u8]) -> bool {
    bool::from(presented.hash.as_slice().ct_eq(stored))
}

/// What a lookup found, kept for [`CACHE_TTL`]: a revoked key stops working on every
/// Lambda within that time, and a busy integration costs one query a half-minute.
pub const CACHE_TTL: Duration = Duration::from_secs(30);
/// Beyond this many cached keys the cache starts over (a flood of made-up keys).
const CACHE_CAP: usize = 10_000;

/// Per key hash: when it was looked up, and what was found.
type Entries<T> = HashMap<[u8; 32], (Instant, Option<T>)>;

pub struct KeyCache<T> {
    entries: Mutex<Entries<T>>,
    ttl: Duration,
    /// Moves on every [`KeyCache::clear`]: a lookup that began before a revocation on this
    /// instance must not put back what it read before the revocation committed.
    generation: AtomicU64,
}

impl<T: Clone> KeyCache<T> {
    pub fn new(ttl: Duration) -> Self {
        Self { entries: Mutex::new(HashMap::new()), ttl, generation: AtomicU64::new(0) }
    }

    /// The cached answer for a key (`Some(None)`: known not to be a live key).
    pub fn get(&self, key: &PresentedKey, now: Instant) -> Option<Option<T>> {
        let entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        entries.get(&key.hash).filter(|(at, _)| now.duration_since(*at) < self.ttl).map(|(_, v)| v.clone())
    }

    /// The generation to pass to [`KeyCache::put`], taken before the lookup.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Keeps what a lookup found, unless the cache was cleared since it began.
    pub fn put(&self, key: &PresentedKey, value: Option<T>, now: Instant, generation: u64) {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if entries.len() >= CACHE_CAP {
            entries.retain(|_, (at, _)| now.duration_since(*at) < self.ttl);
            if entries.len() >= CACHE_CAP {
                entries.clear();
            }
        }
        entries.insert(key.hash, (now, value));
    }

    /// Forgets everything: this instance revoked a key and should not wait out the TTL.
    pub fn clear(&self) {
        let mut entries = self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        self.generation.fetch_add(1, Ordering::AcqRel);
        entries.clear();
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn generated_keys_parse_and_typos_do_not() {
        let k = generate();
        let key = k.key.expose_secret();
        assert_eq!(key.len(), 8 + 32 + 6);
        assert!(key.starts_with("lf_live_"));
        let p = parse(key).unwrap();
        assert_eq!(p.lookup, k.lookup);
        assert!(hash_matches(&p, &k.hash));
        let mut typo = key.to_owned().into_bytes();
        typo[20] = if typo[20] == b'a' { b'b' } else { b'a' };
        assert_eq!(parse(&String::from_utf8(typo).unwrap()), None, "the checksum catches a changed character");
        assert_eq!(parse("lf_live_short"), None);
        assert_eq!(parse("sk_live_0123456789"), None);
        assert_ne!(generate().lookup, k.lookup);
    }

    #[test]
    fn the_cache_expires_and_remembers_misses() {
        let cache = KeyCache::<u8>::new(Duration::from_secs(30));
        let p = parse(generate().key.expose_secret()).unwrap();
        let t0 = Instant::now();
        assert_eq!(cache.get(&p, t0), None);
        cache.put(&p, None, t0, cache.generation());
        assert_eq!(cache.get(&p, t0), Some(None));
        cache.put(&p, Some(7), t0, cache.generation());
        assert_eq!(cache.get(&p, t0 + Duration::from_secs(29)), Some(Some(7)));
        assert_eq!(cache.get(&p, t0 + Duration::from_secs(31)), None);
        cache.clear();
        assert_eq!(cache.get(&p, t0), None);
        let before_revocation = cache.generation();
        cache.clear();
        cache.put(&p, Some(7), t0, before_revocation);
        assert_eq!(cache.get(&p, t0), None, "a lookup older than the last clear is not kept");
    }
}
