//! RSA signatures: the private-key operation behind every certificate Sprig signs with an RSA
//! key (`genCA`, `genSelfSignedCert`, `genSignedCert` and their `WithKey` forms).
//!
//! Go's `x509.CreateCertificate` signs with an RSA key as PKCS#1 v1.5 over SHA-256. The
//! signature is one exponentiation modulo the key's primes, which the sandbox (wasm32, the
//! `rsa` crate's portable bignum on 32-bit limbs) takes 12 to 18 ms for at 2048 bits, and the
//! same crate natively 2 to 3 ms. So the core hashes the certificate itself and asks its host to
//! sign the digest (the WIT import `sign-rsa`).
//!
//! The `rsa` crate rather than `ring` (3 to 4 times faster at 3072 and 4096 bits): it checks and
//! uses a key exactly as the guest's parser does, CRT values recomputed, any size, so every key
//! the guest accepts signs the same; `ring` takes only 2048- to 4096-bit keys whose encoded CRT
//! values are right.
//!
//! PKCS#1 v1.5 is deterministic, and for a key and a digest there is exactly one signature (the
//! padded digest raised to the private exponent modulo `n`): the host's is byte for byte the one
//! the guest computed before, and a render with a fixed seed stays reproducible.

use std::time::Instant;

use ::rsa::pkcs1::DecodeRsaPrivateKey as _;
use ::rsa::traits::PublicKeyParts as _;
use ::rsa::{Pkcs1v15Sign, RsaPrivateKey};

use crate::Error;

/// The largest modulus signed. Go sets none, but a host call cannot be interrupted the way guest
/// code is, so its length must be bounded: a 16,384-bit signature takes about a second natively
/// (a 4,096-bit one, the largest key Sprig makes, about 18 ms).
pub const MAX_SIGNING_KEY_BITS: usize = 16_384;

/// A PKCS#1 DER longer than this cannot hold a key of [`MAX_SIGNING_KEY_BITS`] (whose nine
/// INTEGERs take about 9.3 KB) and is refused before it is parsed.
const MAX_KEY_DER: usize = 12 * 1024;

/// The PKCS#1 v1.5 signature (RSASSA-PKCS1-v1_5 with SHA-256, as Go's `rsa.SignPKCS1v15(...,
/// crypto.SHA256, ...)`) of the 32-byte `digest` with the two-prime RSA key `key` (PKCS#1 DER),
/// as big-endian bytes of the modulus' length.
///
/// Guarantees: deterministic (no blinding randomness, which the signature would not depend on
/// anyway); the key is checked as the `rsa` crate checks a parsed key (its primes multiply to
/// `n`, `d·e ≡ 1` modulo each `p - 1`), so a malformed key is an error, never a wrong signature.
/// Bounded: keys above [`MAX_SIGNING_KEY_BITS`] are refused, and a call that starts after
/// `deadline` does no work and returns [`Error::Deadline`].
pub fn rsa_sign_sha256(
    key: &[u8],
    digest: &[u8],
    deadline: Option<Instant>,
) -> Result<Vec<u8>, Error> {
    if digest.len() != 32 {
        return Err(Error::Request(format!(
            "crypto/rsa: a SHA-256 digest is 32 bytes, not {}",
            digest.len()
        )));
    }
    if key.len() > MAX_KEY_DER {
        return Err(too_large());
    }
    if crate::passed(deadline) {
        return Err(Error::Deadline);
    }
    let key = RsaPrivateKey::from_pkcs1_der(key)
        .map_err(|e| Error::Request(format!("crypto/rsa: invalid private key: {e}")))?;
    if key.n().bits() > MAX_SIGNING_KEY_BITS {
        return Err(too_large());
    }
    key.sign(Pkcs1v15Sign::new::<sha2::Sha256>(), digest)
        .map_err(|e| Error::Request(format!("crypto/rsa: {e}")))
}

fn too_large() -> Error {
    Error::Request(format!(
        "crypto/rsa: keys of more than {MAX_SIGNING_KEY_BITS} bits are not signed"
    ))
}

#[cfg(test)]
mod tests {
    use ::rsa::RsaPublicKey;
    use sha2::Digest as _;

    use super::*;

    /// Verifies with `ring` (BoringSSL's RSA, nothing shared with the `rsa` crate).
    fn ring_verifies(key: &RsaPrivateKey, message: &[u8], signature: &[u8]) -> bool {
        ring::signature::RsaPublicKeyComponents {
            n: key.n().to_bytes_be(),
            e: key.e().to_bytes_be(),
        }
        .verify(
            &ring::signature::RSA_PKCS1_2048_8192_SHA256,
            message,
            signature,
        )
        .is_ok()
    }

    #[test]
    fn signatures_are_the_unique_pkcs1_v15_ones_the_guest_computed() {
        let messages: [&[u8]; 3] = [b"", b"tbsCertificate", &[0xa5; 1500]];
        for (bits, seed) in [(2048, 1u8), (2048, 2), (3072, 3), (4096, 4)] {
            let der = crate::rsa_pkcs1_der(bits, &[seed; 32], None).expect("key");
            let key = RsaPrivateKey::from_pkcs1_der(&der).expect("parse");
            for message in messages {
                let digest = sha2::Sha256::digest(message);
                let ours = rsa_sign_sha256(&der, &digest, None).expect("sign");
                assert_eq!(ours.len(), bits as usize / 8);
                // What the core ran in the sandbox before the host signed.
                let guest = key
                    .sign(Pkcs1v15Sign::new::<sha2::Sha256>(), &digest)
                    .expect("guest's signature");
                assert_eq!(ours, guest, "{bits} bits");
                assert!(ring_verifies(&key, message, &ours), "{bits} bits");
            }
        }
    }

    #[test]
    fn a_key_from_outside_is_signed_as_parsed() {
        // A 1024-bit key (below `ring`'s verification minimum, so checked by the public key).
        let der = crate::rsa_pkcs1_der(1024, &[9; 32], None).expect("key");
        let key = RsaPrivateKey::from_pkcs1_der(&der).expect("parse");
        let digest = sha2::Sha256::digest(b"m");
        let sig = rsa_sign_sha256(&der, &digest, None).expect("sign");
        RsaPublicKey::from(&key)
            .verify(Pkcs1v15Sign::new::<sha2::Sha256>(), &digest, &sig)
            .expect("verifies");
    }

    #[test]
    fn bad_requests_and_a_passed_deadline_are_errors() {
        let der = crate::rsa_pkcs1_der(2048, &[1; 32], None).expect("key");
        let digest = [7u8; 32];
        assert!(matches!(
            rsa_sign_sha256(&der, &digest[..31], None),
            Err(Error::Request(m)) if m.contains("32 bytes")
        ));
        assert!(matches!(
            rsa_sign_sha256(b"\x30\x03\x02\x01\x00", &digest, None),
            Err(Error::Request(m)) if m.contains("invalid private key")
        ));
        assert!(matches!(
            rsa_sign_sha256(&der, &digest, Some(Instant::now())),
            Err(Error::Deadline)
        ));
        assert!(matches!(
            rsa_sign_sha256(&vec![0x30; MAX_KEY_DER + 1], &digest, None),
            Err(Error::Request(m)) if m.contains("not signed")
        ));
        // A key whose primes do not make its modulus: refused, not signed wrongly.
        let mut forged = ::rsa::pkcs1::RsaPrivateKey::try_from(der.as_slice()).expect("decode");
        forged.prime1 = forged.prime2;
        let forged = ::rsa::pkcs1::der::Encode::to_der(&forged).expect("encode");
        assert!(matches!(
            rsa_sign_sha256(&forged, &digest, None),
            Err(Error::Request(m)) if m.contains("invalid private key")
        ));
    }
}
