//! Key generation and RSA signing for the Sprig functions of planton-helm's core, natively and
//! reproducibly.
//!
//! Sprig's `genPrivateKey "rsa"` makes a 4096-bit RSA key, `genCA`, `genSelfSignedCert` and
//! `genSignedCert` 2048-bit ones, and `genPrivateKey "dsa"` a DSA key over fresh L2048N256
//! parameters. Finding the primes is the whole cost, and it is the one computation the sandbox
//! is too slow for: in the wasm core (32-bit, a portable bignum) one 4096-bit RSA key took 35
//! to 50 s and one DSA key 30 to 100 s, against 1 to 3 s for Helm. The core therefore asks its
//! host for these keys (the WIT imports `generate-rsa-key` and `generate-dsa-key`), and every
//! host answers with this crate: the CLI and the controller through `host-runtime`, the native
//! test hosts (`core_wasm::funcs::FixedHost`) directly, so that the differential suite runs the
//! same code as the product. ECDSA P-256 and Ed25519 keys cost the guest well under a
//! millisecond and stay there.
//!
//! The certificates Sprig signs with an RSA key need one RSA private-key operation each, 12 to
//! 18 ms in the sandbox for a 2048-bit key and 2 to 3 ms natively, so the core asks for those
//! too (`sign-rsa`, [`rsa_sign_sha256`]): PKCS#1 v1.5 signatures are deterministic, so the
//! host's signature is the one the guest would have computed.
//!
//! The arithmetic comes from maintained libraries: RSA primes pass a Baillie-PSW test (FIPS 186-5)
//! made of Miller-Rabin base 2 with OpenSSL's constant-time modular exponentiation (the `openssl`
//! crate over the system's libcrypto: assembly, a third of `crypto-bigint`'s CPU) and
//! `crypto-primes`' strong Lucas test over `crypto-bigint`, with `rsa` building and encoding the
//! key; the search around it is ours, for speed (a deeper sieve, every core on one prime: see
//! `rsa.rs`). DSA comes from RustCrypto's `dsa`
//! (FIPS 186-4's construction of `p = k·2q + 1`, as Go's `dsa.GenerateParameters` does).
//!
//! Guarantees:
//! - **Reproducible.** A key depends only on what is asked and on the caller's 32-byte seed
//!   (ChaCha20 streams of it), never on the machine, the number of threads or their timing, so
//!   a render with a fixed `--seed` gives the same keys every time and on every host.
//! - **Bounded.** Only the sizes Sprig uses are served, and the search stops once `deadline`
//!   passes (checked before every candidate), so the time counts against the render's deadline.
//!   A signature is one exponentiation with a key of at most [`MAX_SIGNING_KEY_BITS`], started
//!   only before `deadline`.
//!
//! Keys are exactly as unpredictable as the seed the caller passes: the core derives it from the
//! render's random source (OS randomness unless the embedder fixed a seed).

mod dsa;
mod rsa;
mod sign;

use std::time::Instant;

pub use crate::dsa::dsa_der;
pub use crate::rsa::rsa_pkcs1_der;
pub use crate::sign::{MAX_SIGNING_KEY_BITS, rsa_sign_sha256};

/// Why no key came back.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A request this crate does not serve (for the template to print, as Go's error would be).
    #[error("{0}")]
    Request(String),
    /// The deadline passed during the search, or before a signature.
    #[error("the deadline passed while generating a key or signing")]
    Deadline,
}

/// The 32-byte seed, or the error for a caller that sent something else.
fn seed(seed: &[u8]) -> Result<[u8; 32], Error> {
    seed.try_into()
        .map_err(|_| Error::Request(format!("the key seed must be 32 bytes, not {}", seed.len())))
}

/// Whether `deadline` (none: never) has passed.
fn passed(deadline: Option<Instant>) -> bool {
    deadline.is_some_and(|d| Instant::now() >= d)
}
