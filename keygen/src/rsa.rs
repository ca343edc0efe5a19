//! RSA keys: two primes from `crypto-primes`, searched in parallel, and the key from `rsa`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use ::rsa::BigUint;
use ::rsa::pkcs1::EncodeRsaPrivateKey as _;
use chacha20::ChaCha20Rng;
use chacha20::rand_core::SeedableRng as _;
use crypto_bigint::{U512, U1024, U1536, U2048};
use crypto_primes::hazmat::{SetBits, SmallFactorsSieveFactory};
use crypto_primes::{Flavor, is_prime, sieve_and_find};

use crate::Error;

/// The public exponent Go (and so Sprig) uses.
const PUBLIC_EXPONENT: u32 = 65_537;

/// An RSA private key of `bits` bits (1024, 2048, 3072 or 4096), public exponent 65537, as
/// PKCS#1 DER, derived from the 32 bytes of `seed` alone. Stops with [`Error::Deadline`] once
/// `deadline` passes.
pub fn rsa_pkcs1_der(bits: u32, seed: &[u8], deadline: Option<Instant>) -> Result<Vec<u8>, Error> {
    let seed = crate::seed(seed)?;
    let (p, q) = match bits {
        1024 => primes::<U512>(seed, bits / 2, deadline)?,
        2048 => primes::<U1024>(seed, bits / 2, deadline)?,
        3072 => primes::<U1536>(seed, bits / 2, deadline)?,
        4096 => primes::<U2048>(seed, bits / 2, deadline)?,
        _ => {
            return Err(Error::Request(format!(
                "crypto/rsa: {bits}-bit keys are not supported (1024, 2048, 3072 or 4096)"
            )));
        }
    };
    if p == q {
        // Two independent searches meeting is a 2^-1000 event; refuse rather than loop.
        return Err(Error::Request("crypto/rsa: generated equal primes".into()));
    }
    let key = ::rsa::RsaPrivateKey::from_p_q(
        BigUint::from_bytes_be(&p),
        BigUint::from_bytes_be(&q),
        BigUint::from(PUBLIC_EXPONENT),
    )
    .map_err(|e| Error::Request(format!("crypto/rsa: {e}")))?;
    let der = key
        .to_pkcs1_der()
        .map_err(|e| Error::Request(format!("crypto/rsa: {e}")))?;
    Ok(der.as_bytes().to_vec())
}

/// The two primes, big-endian, searched on two threads (ChaCha20 streams 1 and 2 of the seed,
/// so the result does not depend on which thread finishes first).
fn primes<T>(
    seed: [u8; 32],
    bits: u32,
    deadline: Option<Instant>,
) -> Result<(Vec<u8>, Vec<u8>), Error>
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
        let q = q.join().unwrap_or(Err(Error::Deadline));
        Ok((p?, q?))
    })
}

/// A prime of exactly `bits` bits with its two top bits set (so that the product of two has
/// exactly twice as many) and `p - 1` coprime to the public exponent.
fn prime<T>(
    rng: &mut ChaCha20Rng,
    bits: u32,
    deadline: Option<Instant>,
    stop: &AtomicBool,
) -> Result<Vec<u8>, Error>
where
    T: crypto_bigint::Unsigned
        + crypto_bigint::UnsignedWithMontyForm
        + crypto_bigint::RandomBits
        + crypto_bigint::RandomMod
        + crypto_bigint::Encoding,
{
    let factory = SmallFactorsSieveFactory::<T>::new(Flavor::Any, bits, SetBits::TwoMsb)
        .map_err(|e| Error::Request(format!("crypto/rsa: {e}")))?;
    let expired = AtomicBool::new(false);
    let found = sieve_and_find(rng, factory, |_, candidate: &T| {
        if stop.load(Ordering::Relaxed) || crate::passed(deadline) {
            expired.store(true, Ordering::Relaxed);
            // Ends the search; the result is discarded below.
            return true;
        }
        is_prime(Flavor::Any, candidate) && coprime_to_exponent(candidate)
    })
    .map_err(|e| Error::Request(format!("crypto/rsa: {e}")))?;
    match found {
        Some(p) if !expired.load(Ordering::Relaxed) => Ok(p.to_be_bytes().as_ref().to_vec()),
        _ => Err(Error::Deadline),
    }
}

/// `gcd(p - 1, 65537) == 1`: 65537 is prime, so `p - 1` must not be a multiple of it.
fn coprime_to_exponent<T: crypto_bigint::Encoding>(p: &T) -> bool {
    let p = BigUint::from_bytes_be(p.to_be_bytes().as_ref());
    (p - 1u32) % PUBLIC_EXPONENT != BigUint::from(0u32)
}

#[cfg(test)]
mod tests {
    use ::rsa::pkcs1::DecodeRsaPrivateKey as _;
    use ::rsa::traits::{PrivateKeyParts as _, PublicKeyParts as _};

    use super::*;

    #[test]
    fn keys_have_the_size_and_exponent_go_gives_and_depend_only_on_the_seed() {
        for bits in [2048, 4096] {
            let der = rsa_pkcs1_der(bits, &[7; 32], None).expect("key");
            let key = ::rsa::RsaPrivateKey::from_pkcs1_der(&der).expect("parse");
            key.validate().expect("valid key");
            assert_eq!(key.n().bits(), bits as usize);
            assert_eq!(key.e(), &BigUint::from(65_537u32));
            assert_eq!(key.primes().len(), 2);
            assert_eq!(rsa_pkcs1_der(bits, &[7; 32], None).expect("again"), der);
            assert_ne!(rsa_pkcs1_der(bits, &[8; 32], None).expect("other"), der);
        }
    }

    #[test]
    fn bad_requests_and_a_passed_deadline_are_errors() {
        assert!(matches!(
            rsa_pkcs1_der(2048, &[1; 31], None),
            Err(Error::Request(m)) if m.contains("32 bytes")
        ));
        assert!(matches!(
            rsa_pkcs1_der(100_000, &[1; 32], None),
            Err(Error::Request(m)) if m.contains("not supported")
        ));
        assert!(matches!(
            rsa_pkcs1_der(4096, &[1; 32], Some(Instant::now())),
            Err(Error::Deadline)
        ));
    }
}
