//! RSA keys: two primes from a deep sieve and a Baillie-PSW test (Miller-Rabin base 2 with
//! OpenSSL's exponentiation, then `crypto-primes`' strong Lucas test), searched on every core, and
//! the key from `rsa`.
//!
//! Finding a prime is the whole cost of a key, and nearly all of it is the one Miller-Rabin
//! exponentiation that rejects each composite candidate (about three quarters of the CPU with
//! OpenSSL's, the Lucas test of the final prime most of the rest), so that exponentiation is
//! OpenSSL's (see `strong_probable_prime_base_two`) and the search does two things beyond
//! `crypto-primes`' own `sieve_and_find` (which trial-divides by the 2,047 primes below 17,863):
//! - **A deeper sieve.** Candidates are the odd numbers of a window above a random start, and
//!   those with a factor below 2^20 (2^16 for 1024-bit primes, whose tests are eight times
//!   cheaper) are struck out before any test: a 2048-bit prime then takes about 48 tests instead
//!   of 68 (measured; Go's `crypto/rsa` sieves less and tests about 130).
//! - **All cores on one prime.** The window's remaining candidates are tested in order by
//!   several threads, and the answer is the first prime in that order whichever thread finds
//!   it (every earlier candidate has been tested by then), so the key never depends on the
//!   number of threads or their timing. Searching `p` and `q` each on all cores rather than one
//!   on each core finishes in about two thirds of the time, since the slower of two searches
//!   decides otherwise.

use std::num::NonZeroU32;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

use ::rsa::BigUint;
use ::rsa::pkcs1::EncodeRsaPrivateKey as _;
use chacha20::ChaCha20Rng;
use chacha20::rand_core::SeedableRng as _;
use crypto_bigint::{Limb, NonZero, Odd, Reciprocal, U512, U1024, U1536, U2048, Word};
use crypto_primes::hazmat::{AStarBase, LucasCheck, SetBits, lucas_test, random_odd_integer};
use openssl::bn::{BigNum, BigNumContext};
use openssl::error::ErrorStack;

use crate::Error;

/// The public exponent Go (and so Sprig) uses.
const PUBLIC_EXPONENT: u32 = 65_537;

/// Odd numbers per window of the sieve: about six primes' worth at 2048 bits, so that a window
/// without a prime is rare (about 0.3%) while the sieve's setup stays small against the tests.
const WINDOW: usize = 4096;

/// At most this many threads search one prime: the key is the same with any number, and a
/// controller rendering many releases at once should not have one key take every core.
const MAX_THREADS: usize = 4;

/// What the big-number types must offer for a search.
pub(crate) trait Candidate:
    crypto_bigint::Unsigned
    + crypto_bigint::UnsignedWithMontyForm
    + crypto_bigint::RandomBits
    + crypto_bigint::RandomMod
    + crypto_bigint::Encoding
{
}

impl<T> Candidate for T where
    T: crypto_bigint::Unsigned
        + crypto_bigint::UnsignedWithMontyForm
        + crypto_bigint::RandomBits
        + crypto_bigint::RandomMod
        + crypto_bigint::Encoding
{
}

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

/// The two primes, big-endian: `p` from ChaCha20 stream 1 of the seed, then `q` from stream 2.
fn primes<T: Candidate>(
    seed: [u8; 32],
    bits: u32,
    deadline: Option<Instant>,
) -> Result<(Vec<u8>, Vec<u8>), Error> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(MAX_THREADS);
    let p = prime::<T>(seed, 1, bits, threads, deadline)?;
    let q = prime::<T>(seed, 2, bits, threads, deadline)?;
    Ok((
        p.to_be_bytes().as_ref().to_vec(),
        q.to_be_bytes().as_ref().to_vec(),
    ))
}

/// A prime of exactly `bits` bits with its two top bits set (so that the product of two has
/// exactly twice as many) and `p - 1` coprime to the public exponent: the first one after a
/// random start drawn from `stream` of `seed`, searched by `threads` threads.
pub(crate) fn prime<T: Candidate>(
    seed: [u8; 32],
    stream: u64,
    bits: u32,
    threads: usize,
    deadline: Option<Instant>,
) -> Result<T, Error> {
    let mut rng = ChaCha20Rng::from_seed(seed);
    rng.set_stream(stream);
    let bit_length = NonZeroU32::new(bits)
        .ok_or_else(|| Error::Request("crypto/rsa: a prime needs bits".into()))?;
    let groups = small_prime_groups(bits);
    loop {
        if crate::passed(deadline) {
            return Err(Error::Deadline);
        }
        let start: T = random_odd_integer::<T, _>(&mut rng, bit_length, SetBits::TwoMsb)
            .map_err(|e| Error::Request(format!("crypto/rsa: {e}")))?
            .get();
        let offsets = survivors(&start, groups);
        if let Some(p) = first_prime(&start, &offsets, bits, threads, deadline)? {
            return Ok(p);
        }
    }
}

/// The first of `start + 2·offset` (offsets in order) that is a prime of `bits` bits, tested by
/// `threads` threads. Each thread takes the next untested index; one that finds a prime lowers
/// `found`, and no thread takes an index above it. Every index below the final `found` was
/// therefore taken and tested composite, so the answer is the same as a lone thread's.
fn first_prime<T: Candidate>(
    start: &T,
    offsets: &[u32],
    bits: u32,
    threads: usize,
    deadline: Option<Instant>,
) -> Result<Option<T>, Error> {
    let candidate = |i: usize| start.wrapping_add(&T::from(u64::from(offsets[i]) * 2));
    let next = AtomicUsize::new(0);
    let found = AtomicUsize::new(usize::MAX);
    let expired = AtomicBool::new(false);
    let work = || {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= offsets.len() || i > found.load(Ordering::Relaxed) {
                return;
            }
            if expired.load(Ordering::Relaxed) || crate::passed(deadline) {
                expired.store(true, Ordering::Relaxed);
                return;
            }
            let c = candidate(i);
            // Past 2^bits (a start within one window of it) the top bits are no longer ours.
            if c.bit_width_vartime() == bits && is_probable_prime(&c) {
                found.fetch_min(i, Ordering::Relaxed);
            }
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..threads {
            scope.spawn(work);
        }
        work();
    });
    if expired.load(Ordering::Relaxed) {
        return Err(Error::Deadline);
    }
    Ok(match found.load(Ordering::Relaxed) {
        usize::MAX => None,
        i => Some(candidate(i)),
    })
}

/// Baillie-PSW, as `crypto_primes::is_prime` (a strong probable prime to base 2, then a strong
/// Lucas test with Baillie's parameters), for an odd candidate of hundreds of bits.
fn is_probable_prime<T: Candidate>(candidate: &T) -> bool {
    let Some(odd) = Odd::new(candidate.clone()).into_option() else {
        return false;
    };
    strong_probable_prime_base_two(&odd)
        && !lucas_test(odd, AStarBase, LucasCheck::Bpsw21).is_composite()
}

/// Miller-Rabin to base 2, which rejects nearly every composite the sieve lets through and so is
/// the search's whole cost, with OpenSSL's modular exponentiation: with `candidate - 1 = 2^s·d`,
/// `d` odd, a strong probable prime has `2^d = 1` or `2^(2^r·d) = -1` for some `r < s`.
///
/// Why OpenSSL (the `openssl` crate over the system's libcrypto): its Montgomery multiplication
/// is assembly (mulx/adx on x86-64) and does a 2048-bit exponentiation in about a third of the
/// time of `crypto-bigint`'s portable code (numbers in docs/benchmarks.md), and the exponentiation
/// is this search's whole cost: that is the difference between Go's CPU time per key and a third
/// of it. GMP (`rug`) is slower at this size (its `mpz_powm` is variable time and still slower
/// than OpenSSL's constant-time one here) and its static build needs m4; the maintained Rust
/// bignums are portable code. libcrypto is on every Linux distribution and in the build image.
///
/// Why constant time: every candidate tested is either rejected or becomes the secret prime, and a
/// rejected one lies within a window (8,192) of the prime, so learning any candidate would give
/// the prime away. OpenSSL's constant-time exponentiation (`BN_mod_exp_mont_consttime`, chosen by
/// the exponent's `BN_FLG_CONSTTIME`) costs about a fifth more than its variable-time one; a
/// template render's timing is much harder to observe than a TLS server's, but the key may sign
/// for years, so the search keeps the protection Go's `crypto/rsa` has. What stays variable in
/// time, as in Go and in `crypto-primes`: the Montgomery set-up for the modulus and the few
/// squarings after the exponentiation, which depend only on `s` and on the answer.
fn strong_probable_prime_base_two<T: Candidate>(candidate: &Odd<T>) -> bool {
    // OpenSSL's big-number functions fail only to allocate, which aborts a Rust program anyway.
    base_two(candidate.as_ref().to_be_bytes().as_ref())
        .expect("OpenSSL's big-number arithmetic fails only when out of memory")
}

fn base_two(candidate: &[u8]) -> Result<bool, ErrorStack> {
    let mut context = BigNumContext::new()?;
    let n = BigNum::from_slice(candidate)?;
    let one = BigNum::from_u32(1)?;
    let mut minus_one = BigNum::from_slice(candidate)?;
    minus_one.sub_word(1)?;
    let s = (0..minus_one.num_bits())
        .find(|&bit| minus_one.is_bit_set(bit))
        .unwrap_or(0);
    let mut d = BigNum::new()?;
    d.rshift(&minus_one, s)?;
    d.set_const_time();
    let mut x = BigNum::new()?;
    let two = BigNum::from_u32(2)?;
    x.mod_exp(&two, &d, &n, &mut context)?;
    if x == one || x == minus_one {
        return Ok(true);
    }
    let mut square = BigNum::new()?;
    for _ in 1..s {
        square.mod_sqr(&x, &n, &mut context)?;
        std::mem::swap(&mut x, &mut square);
        if x == minus_one {
            return Ok(true);
        }
        if x == one {
            return Ok(false);
        }
    }
    Ok(false)
}

/// Odd primes below the sieve's bound, grouped so that each group's product fits a limb: the
/// big number is divided once per group (with the group's precomputed reciprocal) and the
/// remainder then by each prime in machine words.
struct Group {
    product: Reciprocal,
    primes: Vec<u32>,
}

/// The groups for primes of `bits` bits: below 2^20 for 1536 bits and more, below 2^16 for
/// smaller primes (whose tests cost too little for a deeper sieve to pay). Built once per
/// process (about 10 ms for the larger table).
fn small_prime_groups(bits: u32) -> &'static [Group] {
    static SMALL: OnceLock<Vec<Group>> = OnceLock::new();
    static LARGE: OnceLock<Vec<Group>> = OnceLock::new();
    if bits >= 1536 {
        LARGE.get_or_init(|| groups(1 << 20))
    } else {
        SMALL.get_or_init(|| groups(1 << 16))
    }
}

fn groups(bound: usize) -> Vec<Group> {
    let mut composite = vec![false; bound];
    let mut out = Vec::new();
    let (mut primes, mut product): (Vec<u32>, Word) = (Vec::new(), 1);
    for n in 3..bound {
        if composite[n] {
            continue;
        }
        for multiple in (n * n..bound).step_by(n) {
            composite[multiple] = true;
        }
        if n % 2 == 0 {
            continue;
        }
        let prime = u32::try_from(n).expect("the bound fits 32 bits");
        match product.checked_mul(Word::from(prime)) {
            Some(p) => product = p,
            None => {
                out.push(group(product, std::mem::take(&mut primes)));
                product = Word::from(prime);
            }
        }
        primes.push(prime);
    }
    out.push(group(product, primes));
    out
}

fn group(product: Word, primes: Vec<u32>) -> Group {
    let product = NonZero::new(Limb(product)).expect("a product of primes is not zero");
    Group {
        product: Reciprocal::new(product),
        primes,
    }
}

/// The offsets `i` in `0..WINDOW` for which `start + 2i` (`start` odd) has no factor in
/// `groups` and is not 1 modulo the public exponent, in increasing order.
#[allow(
    clippy::useless_conversion,
    reason = "a limb is a u32 on 32-bit targets"
)]
fn survivors<T: Candidate>(start: &T, groups: &[Group]) -> Vec<u32> {
    let mut struck = vec![false; WINDOW];
    for group in groups {
        let rem = u64::from(start.rem_limb_with_reciprocal(&group.product).0);
        for &p in &group.primes {
            strike(&mut struck, rem % u64::from(p), 0, p);
        }
    }
    let e = NonZero::new(Limb::from(PUBLIC_EXPONENT)).expect("not zero");
    let rem = u64::from(start.rem_limb_with_reciprocal(&Reciprocal::new(e)).0);
    strike(&mut struck, rem, 1, PUBLIC_EXPONENT);
    (0u32..)
        .zip(struck)
        .filter_map(|(i, struck)| (!struck).then_some(i))
        .collect()
}

/// Strikes every `i` with `start + 2i ≡ target (mod p)`, given `start mod p` (`p` odd):
/// `i ≡ (target - start)·2⁻¹`, where `2⁻¹ = (p + 1) / 2`.
fn strike(struck: &mut [bool], start_mod_p: u64, target: u64, p: u32) {
    let p = u64::from(p);
    let first = (target + p - start_mod_p % p) % p * p.div_ceil(2) % p;
    let step = usize::try_from(p).expect("a small prime fits usize");
    let first = usize::try_from(first).expect("below p");
    for i in (first..struck.len()).step_by(step) {
        struck[i] = true;
    }
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
            for p in key.primes() {
                assert_eq!(p.bits(), bits as usize / 2);
                assert_ne!((p - 1u32) % 65_537u32, BigUint::from(0u32));
            }
            assert_eq!(rsa_pkcs1_der(bits, &[7; 32], None).expect("again"), der);
            assert_ne!(rsa_pkcs1_der(bits, &[8; 32], None).expect("other"), der);
        }
    }

    #[test]
    fn keys_are_those_the_portable_search_made_from_the_same_seed() {
        use sha2::Digest as _;
        // SHA-256 of the PKCS#1 DER that the search made before its exponentiation moved to
        // OpenSSL (crypto-bigint's, main at 9c3728f): a seed keeps giving the same key.
        for (bits, seed, digest) in [
            (
                2048,
                7,
                "d890b882972785a67b753f73f47033ad0725cde38fc6652f87e61298306ce9b0",
            ),
            (
                2048,
                42,
                "24ef2464e055664d735b6c1c19ee84bc4e00a84ead9616f110792026713b5425",
            ),
            (
                4096,
                7,
                "a5c01ab5572f9a8d6a1c522b3eefcfebc6ade2ee97ec10369e30705ae8d4b810",
            ),
            (
                4096,
                42,
                "890cc07d1a28a90305adf6367013965c7e1018a83b790cce0f85a23981d8f0b3",
            ),
        ] {
            let der = rsa_pkcs1_der(bits, &[seed; 32], None).expect("key");
            let hex: String = sha2::Sha256::digest(&der)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            assert_eq!(hex, digest, "{bits} bits, seed {seed}");
        }
    }

    #[test]
    fn the_prime_does_not_depend_on_the_number_of_threads() {
        for seed in 0..6u8 {
            let one = prime::<U512>([seed; 32], 1, 512, 1, None).expect("one thread");
            for threads in [2, 3, 5] {
                let many = prime::<U512>([seed; 32], 1, 512, threads, None).expect("threads");
                assert_eq!(many, one, "seed {seed}, {threads} threads");
            }
        }
    }

    #[test]
    fn the_sieve_strikes_exactly_the_multiples_of_small_primes_and_of_the_exponent_plus_one() {
        let groups = small_prime_groups(512);
        let small: Vec<u32> = groups.iter().flat_map(|g| g.primes.clone()).collect();
        assert_eq!(small.first(), Some(&3));
        assert_eq!(small.last(), Some(&65_521), "the last prime below 2^16");
        let start = random_odd_integer::<U512, _>(
            &mut ChaCha20Rng::from_seed([3; 32]),
            NonZeroU32::new(512).expect("bits"),
            SetBits::TwoMsb,
        )
        .expect("start")
        .get();
        let kept = survivors(&start, groups);
        // Residues of the start by bignum division, then of each candidate in machine words.
        let start = BigUint::from_bytes_be(start.to_be_bytes().as_ref());
        let residue = |m: u32| {
            let r = (&start % m).to_bytes_le();
            r.iter().rev().fold(0u64, |acc, &b| acc << 8 | u64::from(b))
        };
        let residues: Vec<(u64, u64)> = small.iter().map(|&p| (u64::from(p), residue(p))).collect();
        let e = u64::from(PUBLIC_EXPONENT);
        let start_mod_e = residue(PUBLIC_EXPONENT);
        for i in 0..WINDOW as u64 {
            let has_factor = residues.iter().any(|&(p, r)| (r + 2 * i) % p == 0);
            let excluded = (start_mod_e + 2 * i) % e == 1;
            assert_eq!(
                kept.binary_search(&(i as u32)).is_ok(),
                !has_factor && !excluded,
                "offset {i}"
            );
        }
    }

    #[test]
    fn the_test_agrees_with_crypto_primes() {
        use crypto_primes::{Flavor, is_prime};
        let mut rng = ChaCha20Rng::from_seed([5; 32]);
        let bits = NonZeroU32::new(512).expect("bits");
        let (mut primes, mut composites) = (0, 0);
        for _ in 0..3000 {
            let n = random_odd_integer::<U512, _>(&mut rng, bits, SetBits::TwoMsb)
                .expect("odd")
                .get();
            let ours = is_probable_prime(&n);
            assert_eq!(ours, is_prime(Flavor::Any, &n), "{n}");
            if ours { primes += 1 } else { composites += 1 }
        }
        assert!(
            primes > 5 && composites > 2000,
            "{primes} primes, {composites} composites"
        );
        // Composites that pass Miller-Rabin to base 2 (strong pseudoprimes) and must be caught
        // by the Lucas test: 3215031751 = 151·751·28351, and 2047 = 23·89.
        for n in [2047u64, 3_215_031_751] {
            let n = U512::from(n);
            assert!(strong_probable_prime_base_two(&Odd::new(n).expect("odd")));
            assert!(!is_probable_prime(&n));
        }
        assert!(
            is_probable_prime(&U512::from(4_294_967_291u64)),
            "the largest prime below 2^32"
        );
    }

    /// The exponentiation before this change (portable, `crypto-bigint`'s Montgomery form, a
    /// squaring and a constant-time doubling per bit), kept as the reference the OpenSSL one
    /// must agree with.
    fn old_strong_probable_prime_base_two<T: Candidate>(candidate: &Odd<T>) -> bool {
        use crypto_bigint::ctutils::CtSelect as _;
        use crypto_bigint::{MontyForm as _, Square as _, UnsignedWithMontyForm};
        let params = <T as UnsignedWithMontyForm>::MontyForm::new_params_vartime(candidate.clone());
        let one = <T as UnsignedWithMontyForm>::MontyForm::one(&params);
        let minus_one = -one.clone();
        let n_minus_one = candidate.as_ref().wrapping_sub(&T::from(1u8));
        let s = n_minus_one.trailing_zeros_vartime();
        let d = n_minus_one.wrapping_shr_vartime(s);
        let mut x = one.clone();
        for bit in (0..candidate.as_ref().bit_width_vartime()).rev() {
            x = x.square();
            x = x.ct_select(&x.double(), d.bit(bit));
        }
        if x == one || x == minus_one {
            return true;
        }
        for _ in 1..s {
            x = x.square();
            if x == minus_one {
                return true;
            }
            if x == one {
                return false;
            }
        }
        false
    }

    /// The candidates the search tests (the sieve's survivors of `windows` random windows), each
    /// tested by the new and the old exponentiation and by `crypto-primes`' Miller-Rabin base 2:
    /// how many passed and how many failed.
    fn agree_on_sieved_candidates<T: Candidate>(bits: u32, windows: usize) -> (usize, usize) {
        use crypto_primes::hazmat::MillerRabin;
        let mut rng = ChaCha20Rng::from_seed([bits as u8; 32]);
        let (mut passed, mut failed) = (0, 0);
        for _ in 0..windows {
            let start: T = random_odd_integer::<T, _>(
                &mut rng,
                NonZeroU32::new(bits).expect("bits"),
                SetBits::TwoMsb,
            )
            .expect("start")
            .get();
            for offset in survivors(&start, small_prime_groups(bits)) {
                let c = start.wrapping_add(&T::from(u64::from(offset) * 2));
                let odd = Odd::new(c).expect("odd");
                let new = strong_probable_prime_base_two(&odd);
                assert_eq!(
                    new,
                    old_strong_probable_prime_base_two(&odd),
                    "{bits} bits, +{offset}"
                );
                let reference = MillerRabin::new(odd).test_base_two().is_probably_prime();
                assert_eq!(new, reference, "{bits} bits, +{offset}");
                if new { passed += 1 } else { failed += 1 }
            }
        }
        (passed, failed)
    }

    #[test]
    fn the_openssl_test_agrees_with_the_old_one_on_sieved_candidates_and_pseudoprimes() {
        // Thousands of the candidates a search tests, at the sizes keys use; a window of 4,096
        // odd numbers holds about 11 primes at 512 bits, 6 at 1024 and 3 at 2048.
        for (bits, windows, (passed, failed)) in [
            (512, 8, agree_on_sieved_candidates::<U512>(512, 8)),
            (1024, 3, agree_on_sieved_candidates::<U1024>(1024, 3)),
            (2048, 1, agree_on_sieved_candidates::<U2048>(2048, 1)),
        ] {
            assert!(
                passed >= windows && failed > 250 * windows,
                "{bits} bits: {passed} passed, {failed} failed"
            );
        }

        // Composites that pass base 2 (strong pseudoprimes), which only the Lucas test catches.
        // Small ones, then products p·(2p - 1) of two primes at each size (found with GMP's
        // `mpz_nextprime`, kept where the product passes base 2).
        let small = [2047u64, 3277, 4033, 4681, 8321, 3_215_031_751];
        for n in small.map(U512::from) {
            let odd = Odd::new(n).expect("odd");
            assert!(old_strong_probable_prime_base_two(&odd), "{n}");
            assert!(strong_probable_prime_base_two(&odd), "{n}");
            assert!(!is_probable_prime(&n), "{n}");
        }
        for (bits, p) in PSEUDOPRIME_FACTORS {
            let p = BigUint::parse_bytes(p.as_bytes(), 16).expect("hex");
            let n = (&p * 2u32 - 1u32) * &p;
            assert_eq!(n.bits(), bits, "{n:x}");
            let bytes = n.to_bytes_be();
            let [old, new, bpsw, crypto_primes] = match bits {
                512 => verdicts(U512::from_be_slice(&bytes)),
                1024 => verdicts(U1024::from_be_slice(&bytes)),
                _ => verdicts(U2048::from_be_slice(&bytes)),
            };
            assert!(old && new, "{bits} bits: a strong pseudoprime to base 2");
            assert!(!bpsw && !crypto_primes, "{bits} bits: composite");
        }
    }

    /// What the old and the new base-2 test, our whole test and crypto-primes' say of `n`.
    fn verdicts<T: Candidate>(n: T) -> [bool; 4] {
        let odd = Odd::new(n.clone()).expect("odd");
        [
            old_strong_probable_prime_base_two(&odd),
            strong_probable_prime_base_two(&odd),
            is_probable_prime(&n),
            crypto_primes::is_prime(crypto_primes::Flavor::Any, &n),
        ]
    }

    /// Primes `p` (hex) with `2p - 1` prime and `p·(2p - 1)` a strong pseudoprime to base 2 of the
    /// given number of bits.
    const PSEUDOPRIME_FACTORS: [(usize, &str); 5] = [
        (
            512,
            "ae351cc2ad55520e13de3fa908a23e38f6745142b79a288a95688de6d6ce7c85",
        ),
        (
            512,
            "8632d31a81070973c2c4b0e4d8f0a4c31a263bad13332ebbfe9dfaf58539623d",
        ),
        (
            1024,
            concat!(
                "b026fffaeb99d7e50680c9279332ea93417faa50ad1e531d5d3a104839e5a5f1",
                "459e0ca5c14f83f03393955fe5b4d6820af2f63307ed89a21494e9753b8ffefd",
            ),
        ),
        (
            1024,
            concat!(
                "a541f0772f39ba7abbb6cba2eb19f430dcb91f855d1f563b88021801e745f761",
                "34e132b4bbbcca9962c7358177678abdba059706c5087bc1d45bf4d37aaf21d9",
            ),
        ),
        (
            2048,
            concat!(
                "ad346e01510bdf8336864cba194e7f3428cca70932f7dab0cae626829b6cce5e",
                "83e1aa6c5e42aaede2ea781efc2de5af38b0473a18bb8d2fe1cd0f90db61e5f0",
                "e120ae4091a0d467a0b6273e64ddd5dc712aa68469106b2837d6c6898ca26316",
                "fef52b228a9fa3da5d22d7bbc86730ee8dec1c868a6adf5e27298b4829f0c275",
            ),
        ),
    ];

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
