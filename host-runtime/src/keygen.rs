//! RSA key generation for the guest (the WIT import `generate-rsa-key`), at native speed.
//!
//! Sprig's `genPrivateKey "rsa"` makes a 4096-bit key and `genCA`, `genSelfSignedCert` and
//! `genSignedCert` 2048-bit ones. Finding the primes is the whole cost: in the sandbox (32-bit
//! wasm, a portable bignum) one 4096-bit key took ~14 s of CPU, against ~1 s for Helm. Here the
//! host does it with a maintained native crate (`crypto-primes` over `crypto-bigint`: a sieve,
//! then Miller-Rabin base 2 and a strong Lucas test per candidate, FIPS 186-5's Baillie-PSW),
//! the two primes searched in parallel, and `rsa` builds and encodes the key.
//!
//! Guarantees:
//! - The key depends only on `bits` and the guest's 32-byte seed (ChaCha20 streams 1 and 2 of
//!   that seed feed the two prime searches), so a render with a fixed `--seed` is reproducible
//!   on any host that embeds this crate.
//! - Bounded: only the sizes Sprig uses are served, and the search stops at the call's deadline
//!   (checked before every candidate's primality test), which the guest then sees as the same
//!   deadline trap as a runaway template.
//!
//! Caveats: keys are exactly as strong as the seed the guest passes, which comes from the
//! render's seed (OS randomness unless the embedder fixed it), as in the rest of Sprig's random
//! functions here.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use chacha20::ChaCha20Rng;
use chacha20::rand_core::SeedableRng as _;
use crypto_bigint::{U1024, U1536, U2048};
use crypto_primes::hazmat::{SetBits, SmallFactorsSieveFactory};
use crypto_primes::{Flavor, is_prime, sieve_and_find};
use rsa::BigUint;
use rsa::pkcs1::EncodeRsaPrivateKey as _;

/// The public exponent Go (and so Sprig) uses.
const PUBLIC_EXPONENT: u32 = 65_537;

/// Why no key came back.
#[derive(Debug, thiserror::Error)]
pub(crate) enum KeygenError {
    /// The guest asked for something this host does not serve (an error for the template).
    #[error("{0}")]
    Request(String),
    /// The call's deadline passed during the search.
    #[error("the call's deadline passed while generating an RSA key")]
    Deadline,
}

/// An RSA private key of `bits` bits, public exponent 65537, as PKCS#1 DER, derived from `seed`.
pub(crate) fn rsa_pkcs1_der(
    bits: u32,
    seed: &[u8],
    deadline: Instant,
) -> Result<Vec<u8>, KeygenError> {
    let seed: [u8; 32] = seed.try_into().map_err(|_| {
        KeygenError::Request(format!("the key seed must be 32 bytes, not {}", seed.len()))
    })?;
    let (p, q) = match bits {
        1024 => primes::<crypto_bigint::U512>(seed, bits / 2, deadline)?,
        2048 => primes::<U1024>(seed, bits / 2, deadline)?,
        3072 => primes::<U1536>(seed, bits / 2, deadline)?,
        4096 => primes::<U2048>(seed, bits / 2, deadline)?,
        _ => {
            return Err(KeygenError::Request(format!(
                "crypto/rsa: {bits}-bit keys are not supported (1024, 2048, 3072 or 4096)"
            )));
        }
    };
    if p == q {
        // Two independent searches meeting is a 2^-1000 event; refuse rather than loop.
        return Err(KeygenError::Request(
            "crypto/rsa: generated equal primes".into(),
        ));
    }
    let key = rsa::RsaPrivateKey::from_p_q(
        BigUint::from_bytes_be(&p),
        BigUint::from_bytes_be(&q),
        BigUint::from(PUBLIC_EXPONENT),
    )
    .map_err(|e| KeygenError::Request(format!("crypto/rsa: {e}")))?;
    let der = key
        .to_pkcs1_der()
        .map_err(|e| KeygenError::Request(format!("crypto/rsa: {e}")))?;
    Ok(der.as_bytes().to_vec())
}

/// The two primes, big-endian, searched on two threads.
fn primes<T>(
    seed: [u8; 32],
    bits: u32,
    deadline: Instant,
) -> Result<(Vec<u8>, Vec<u8>), KeygenError>
where
    T: crypto_bigint::Unsigned
        + crypto_bigint::UnsignedWithMontyForm
        + crypto_bigint::RandomBits
        + crypto_bigint::RandomMod
        + crypto_bigint::Encoding,
{
    let stop = AtomicBool::new(false);
    let search = |stream: u64| {
        let mut rng = ChaCha20Rng::from_seed(seed);
        rng.set_stream(stream);
        let found = prime::<T>(&mut rng, bits, deadline, &stop);
        if found.is_err() {
            stop.store(true, Ordering::Relaxed);
        }
        found
    };
    std::thread::scope(|scope| {
        let q = scope.spawn(|| search(2));
        let p = search(1);
        let q = q.join().unwrap_or(Err(KeygenError::Deadline));
        Ok((p?, q?))
    })
}

/// A prime of exactly `bits` bits with its two top bits set (so that the product of two has
/// exactly twice as many) and `p - 1` coprime to the public exponent.
fn prime<T>(
    rng: &mut ChaCha20Rng,
    bits: u32,
    deadline: Instant,
    stop: &AtomicBool,
) -> Result<Vec<u8>, KeygenError>
where
    T: crypto_bigint::Unsigned
        + crypto_bigint::UnsignedWithMontyForm
        + crypto_bigint::RandomBits
        + crypto_bigint::RandomMod
        + crypto_bigint::Encoding,
{
    let factory = SmallFactorsSieveFactory::<T>::new(Flavor::Any, bits, SetBits::TwoMsb)
        .map_err(|e| KeygenError::Request(format!("crypto/rsa: {e}")))?;
    let expired = AtomicBool::new(false);
    let found = sieve_and_find(rng, factory, |_, candidate: &T| {
        if stop.load(Ordering::Relaxed) || Instant::now() >= deadline {
            expired.store(true, Ordering::Relaxed);
            // Ends the search; the result is discarded below.
            return true;
        }
        is_prime(Flavor::Any, candidate) && coprime_to_exponent(candidate)
    })
    .map_err(|e| KeygenError::Request(format!("crypto/rsa: {e}")))?;
    match found {
        Some(p) if !expired.load(Ordering::Relaxed) => Ok(p.to_be_bytes().as_ref().to_vec()),
        _ => Err(KeygenError::Deadline),
    }
}

/// `gcd(p - 1, 65537) == 1`: 65537 is prime, so `p - 1` must not be a multiple of it.
fn coprime_to_exponent<T: crypto_bigint::Encoding>(p: &T) -> bool {
    let p = BigUint::from_bytes_be(p.to_be_bytes().as_ref());
    (p - 1u32) % PUBLIC_EXPONENT != BigUint::from(0u32)
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use rsa::pkcs1::DecodeRsaPrivateKey as _;
    use rsa::traits::{PrivateKeyParts as _, PublicKeyParts as _};

    use super::*;

    fn far() -> Instant {
        Instant::now() + Duration::from_secs(600)
    }

    #[test]
    fn keys_have_the_size_and_exponent_go_gives_and_depend_only_on_the_seed() {
        let der = rsa_pkcs1_der(2048, &[7; 32], far()).expect("key");
        let key = rsa::RsaPrivateKey::from_pkcs1_der(&der).expect("parse");
        key.validate().expect("valid key");
        assert_eq!(key.n().bits(), 2048);
        assert_eq!(key.e(), &BigUint::from(65_537u32));
        assert_eq!(key.primes().len(), 2);
        assert_eq!(rsa_pkcs1_der(2048, &[7; 32], far()).expect("again"), der);
        assert_ne!(rsa_pkcs1_der(2048, &[8; 32], far()).expect("other"), der);
    }

    #[test]
    fn bad_requests_and_a_passed_deadline_are_errors() {
        assert!(matches!(
            rsa_pkcs1_der(2048, &[1; 31], far()),
            Err(KeygenError::Request(m)) if m.contains("32 bytes")
        ));
        assert!(matches!(
            rsa_pkcs1_der(100_000, &[1; 32], far()),
            Err(KeygenError::Request(m)) if m.contains("not supported")
        ));
        assert!(matches!(
            rsa_pkcs1_der(4096, &[1; 32], Instant::now()),
            Err(KeygenError::Deadline)
        ));
    }
}
