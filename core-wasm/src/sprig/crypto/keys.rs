//! Private keys as Sprig handles them: generation, Go's PEM forms (`RSA PRIVATE KEY` PKCS#1,
//! `EC PRIVATE KEY` SEC1, `DSA PRIVATE KEY`, `PRIVATE KEY` PKCS#8 for Ed25519), parsing those
//! back, and what certificate signing needs (public key info, signature algorithm, signing).
//!
//! RSA keys are made and used by the host (`generate-rsa-key`, `sign-rsa`): the guest keeps a
//! key the host made as the host's DER and never does bignum arithmetic on it. Only a key a
//! template passes in as PEM is parsed and checked here, with the `rsa` crate as before.

use p256::ecdsa::signature::Signer as _;
use rsa::pkcs1::{DecodeRsaPrivateKey as _, EncodeRsaPrivateKey as _};
use rsa::traits::PublicKeyParts as _;
use sha2_10::{Digest as _, Sha256};

use super::der::{self, Reader, bits, oid, seq, tlv, uint};
use crate::api::host::Host;
use crate::template::func::{Ctx, Rng};

const OID_RSA: &[u64] = &[1, 2, 840, 113_549, 1, 1, 1];
const OID_SHA256_RSA: &[u64] = &[1, 2, 840, 113_549, 1, 1, 11];
const OID_EC_PUBLIC_KEY: &[u64] = &[1, 2, 840, 10_045, 2, 1];
const OID_P256: &[u64] = &[1, 2, 840, 10_045, 3, 1, 7];
const OID_ECDSA_SHA256: &[u64] = &[1, 2, 840, 10_045, 4, 3, 2];
const OID_ED25519: &[u64] = &[1, 3, 101, 112];

/// `rand_core` over the render's seeded generator, so key generation is reproducible and the
/// sandbox needs no OS randomness.
pub(super) struct RngAdapter<'a>(pub(super) &'a mut Rng);

impl rand_core::RngCore for RngAdapter<'_> {
    fn next_u32(&mut self) -> u32 {
        (self.0.next_u64() >> 32) as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.0.fill(dest);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.0.fill(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for RngAdapter<'_> {}

/// A private key of one of the types Sprig generates or accepts.
pub(super) enum PrivateKey {
    Rsa(RsaKey),
    /// ECDSA on P-256, the only curve Sprig generates. The signing key carries its public
    /// point, computed once (a scalar multiplication, ~2 ms in the sandbox) for the key's PEM,
    /// its certificate's public key and the signatures it makes.
    Ec(p256::ecdsa::SigningKey),
    Ed25519(ed25519_dalek::SigningKey),
    /// DSA is only generated and printed: Go cannot sign certificates with it. Kept as its DER.
    Dsa(Vec<u8>),
}

impl PrivateKey {
    /// An RSA key from 32 bytes of the render's random source, made by the host (natively,
    /// reproducibly from those bytes: the sandbox takes tens of seconds for a 4096-bit key).
    pub(super) fn generate_rsa(ctx: &mut Ctx<'_>, bits: u32) -> Result<PrivateKey, String> {
        let seed = key_seed(ctx);
        ctx.host
            .generate_rsa_key(bits, &seed)
            .and_then(RsaKey::made)
            .map(PrivateKey::Rsa)
            .map_err(|e| format!("error generating rsa key: {e}"))
    }

    pub(super) fn generate_ec(rng: &mut Rng) -> PrivateKey {
        PrivateKey::Ec(p256::ecdsa::SigningKey::from(p256::SecretKey::random(
            &mut RngAdapter(rng),
        )))
    }

    pub(super) fn generate_ed25519(rng: &mut Rng) -> PrivateKey {
        let mut seed = [0u8; 32];
        rng.fill(&mut seed);
        PrivateKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed))
    }

    /// Go's `dsa.GenerateParameters(L2048N256)` then `dsa.GenerateKey`, in Sprig's
    /// `DSAKeyFormat` (version, P, Q, G, Y, X), made by the host as RSA keys are (the parameter
    /// search takes the sandbox 30 s and more).
    pub(super) fn generate_dsa(ctx: &mut Ctx<'_>) -> Result<PrivateKey, String> {
        let seed = key_seed(ctx);
        ctx.host
            .generate_dsa_key(&seed)
            .and_then(|der| parse_dsa(&der))
    }

    /// Sprig's `pemBlockForKey`.
    pub(super) fn to_pem(&self) -> Result<String, String> {
        Ok(match self {
            PrivateKey::Rsa(k) => der::pem_encode("RSA PRIVATE KEY", &k.pkcs1_der()?),
            PrivateKey::Ec(k) => der::pem_encode("EC PRIVATE KEY", &sec1_der(k)),
            PrivateKey::Ed25519(k) => {
                // PKCS#8 v1 without the public key, as Go's MarshalPKCS8PrivateKey writes it.
                let der = seq(&[
                    uint(&[0]),
                    seq(&[oid(OID_ED25519)]),
                    tlv(der::OCTET_STRING, &tlv(der::OCTET_STRING, k.as_bytes())),
                ]);
                der::pem_encode("PRIVATE KEY", &der)
            }
            PrivateKey::Dsa(der) => der::pem_encode("DSA PRIVATE KEY", der),
        })
    }

    /// Sprig's `parsePrivateKeyPEM`.
    pub(super) fn parse_pem(text: &str) -> Result<PrivateKey, String> {
        let (kind, bytes) = der::pem_decode(text).ok_or("no PEM data in input")?;
        if kind == "PRIVATE KEY" {
            return parse_pkcs8(&bytes).map_err(|e| format!("decoding PEM as PKCS#8: {e}"));
        }
        let Some(algo) = kind.strip_suffix(" PRIVATE KEY") else {
            return Err(format!("no private key data in PEM block of type {kind}"));
        };
        match algo {
            "RSA" => {
                parse_pkcs1(&bytes).map_err(|e| format!("parsing RSA private key from PEM: {e}"))
            }
            "EC" => parse_sec1(&bytes, None)
                .map_err(|e| format!("parsing EC private key from PEM: {e}")),
            "DSA" => {
                parse_dsa(&bytes).map_err(|e| format!("parsing DSA private key from PEM: {e}"))
            }
            _ => Err(format!("invalid private key type {kind}")),
        }
    }

    /// The DER `SubjectPublicKeyInfo` and the raw public key bits inside it.
    pub(super) fn public_key_info(&self) -> Result<(Vec<u8>, Vec<u8>), String> {
        let (algorithm, key_bits) = match self {
            PrivateKey::Rsa(k) => {
                let (n, e) = k.public();
                (
                    seq(&[oid(OID_RSA), tlv(der::NULL, &[])]),
                    seq(&[uint(&n), uint(&e)]),
                )
            }
            PrivateKey::Ec(k) => {
                let point = k.verifying_key().to_encoded_point(false);
                (
                    seq(&[oid(OID_EC_PUBLIC_KEY), oid(OID_P256)]),
                    point.as_bytes().to_vec(),
                )
            }
            PrivateKey::Ed25519(k) => (
                seq(&[oid(OID_ED25519)]),
                k.verifying_key().to_bytes().to_vec(),
            ),
            PrivateKey::Dsa(_) => {
                return Err("x509: unsupported public key type: *dsa.PublicKey".to_string());
            }
        };
        Ok((seq(&[algorithm, bits(&key_bits)]), key_bits))
    }

    /// The signature `AlgorithmIdentifier` Go picks for this signing key.
    pub(super) fn signature_algorithm(&self) -> Result<Vec<u8>, String> {
        match self {
            PrivateKey::Rsa(_) => Ok(seq(&[oid(OID_SHA256_RSA), tlv(der::NULL, &[])])),
            PrivateKey::Ec(_) => Ok(seq(&[oid(OID_ECDSA_SHA256)])),
            PrivateKey::Ed25519(_) => Ok(seq(&[oid(OID_ED25519)])),
            PrivateKey::Dsa(_) => {
                Err("x509: certificate private key does not implement crypto.Signer".to_string())
            }
        }
    }

    /// Sign `tbs` as Go does for certificates: RSA PKCS#1 v1.5 (by the host, `sign-rsa`) and
    /// ECDSA over SHA-256 (DER signature), Ed25519 over the message itself.
    pub(super) fn sign(&self, host: &mut dyn Host, tbs: &[u8]) -> Result<Vec<u8>, String> {
        match self {
            PrivateKey::Rsa(k) => host
                .sign_rsa(k.signing_der(), &Sha256::digest(tbs))
                .map_err(|e| format!("x509: signing: {e}")),
            PrivateKey::Ec(k) => {
                let sig: p256::ecdsa::Signature = k.sign(tbs);
                Ok(sig.to_der().as_bytes().to_vec())
            }
            PrivateKey::Ed25519(k) => {
                use ed25519_dalek::Signer as _;
                Ok(k.sign(tbs).to_bytes().to_vec())
            }
            PrivateKey::Dsa(_) => {
                Err("x509: certificate private key does not implement crypto.Signer".to_string())
            }
        }
    }
}

/// The 32 bytes a host derives a key from: the next ones of the render's seeded random source,
/// so a fixed seed gives the same keys.
fn key_seed(ctx: &mut Ctx<'_>) -> [u8; 32] {
    let mut seed = [0u8; 32];
    ctx.rng.fill(&mut seed);
    seed
}

/// SEC1 `ECPrivateKey` with the curve and public key, as Go's `MarshalECPrivateKey`.
fn sec1_der(k: &p256::ecdsa::SigningKey) -> Vec<u8> {
    let point = k.verifying_key().to_encoded_point(false);
    seq(&[
        uint(&[1]),
        tlv(der::OCTET_STRING, &k.to_bytes()),
        tlv(0xa0, &oid(OID_P256)),
        tlv(0xa1, &bits(point.as_bytes())),
    ])
}

/// An RSA private key, in the form that spares the guest bignum work.
pub(super) enum RsaKey {
    /// Made by the host (`generate-rsa-key`): its PKCS#1 DER, which is already what Go's
    /// `MarshalPKCS1PrivateKey` writes for it (the `rsa` crate encodes every field, CRT values
    /// included, as a key parsed from it would re-encode them), and the public key's
    /// magnitudes read from it.
    Made {
        der: Vec<u8>,
        n: Vec<u8>,
        e: Vec<u8>,
    },
    /// Parsed from a template's PEM: checked by the `rsa` crate as Go's parser checks it, and
    /// printed as that crate re-encodes it (CRT values recomputed), as before; `der` is
    /// the PKCS#1 as given, which the host checks and signs with the same way.
    Parsed {
        key: Box<rsa::RsaPrivateKey>,
        der: Vec<u8>,
    },
}

impl RsaKey {
    /// The host's DER of a key it made. Read for its modulus and exponent only: the host's
    /// answer is trusted as much as the key itself (it signs with it too).
    fn made(der: Vec<u8>) -> Result<RsaKey, String> {
        let mut outer = Reader::new(&der);
        let body = outer.expect(der::SEQUENCE, "RSAPrivateKey")?;
        let mut r = Reader::new(body.content);
        r.expect(der::INTEGER, "Version")?;
        let n = magnitude(r.expect(der::INTEGER, "N")?.content);
        let e = magnitude(r.expect(der::INTEGER, "E")?.content);
        Ok(RsaKey::Made { der, n, e })
    }

    /// Go's `MarshalPKCS1PrivateKey` of the key.
    fn pkcs1_der(&self) -> Result<Vec<u8>, String> {
        match self {
            RsaKey::Made { der, .. } => Ok(der.clone()),
            RsaKey::Parsed { key, .. } => key
                .to_pkcs1_der()
                .map(|doc| doc.as_bytes().to_vec())
                .map_err(|e| e.to_string()),
        }
    }

    /// The modulus and public exponent, big-endian.
    fn public(&self) -> (Vec<u8>, Vec<u8>) {
        match self {
            RsaKey::Made { n, e, .. } => (n.clone(), e.clone()),
            RsaKey::Parsed { key, .. } => (key.n().to_bytes_be(), key.e().to_bytes_be()),
        }
    }

    /// The PKCS#1 DER the host signs with.
    fn signing_der(&self) -> &[u8] {
        match self {
            RsaKey::Made { der, .. } | RsaKey::Parsed { der, .. } => der,
        }
    }
}

/// A DER INTEGER's content as a non-negative magnitude (its sign byte dropped).
fn magnitude(content: &[u8]) -> Vec<u8> {
    let start = content.iter().take_while(|&&b| b == 0).count();
    content[start..].to_vec()
}

fn parse_pkcs1(bytes: &[u8]) -> Result<PrivateKey, String> {
    rsa::RsaPrivateKey::from_pkcs1_der(bytes)
        .map(|key| {
            PrivateKey::Rsa(RsaKey::Parsed {
                key: Box::new(key),
                der: bytes.to_vec(),
            })
        })
        .map_err(|e| format!("x509: failed to parse private key: {e}"))
}

/// SEC1 `ECPrivateKey`; `curve` is the OID from a PKCS#8 wrapper, if any.
fn parse_sec1(bytes: &[u8], curve: Option<&[u8]>) -> Result<PrivateKey, String> {
    let mut outer = Reader::new(bytes);
    let body = outer.expect(der::SEQUENCE, "ECPrivateKey")?;
    let mut r = Reader::new(body.content);
    r.expect(der::INTEGER, "version")?;
    let secret = r.expect(der::OCTET_STRING, "privateKey")?;
    let named = match r.optional(0xa0)? {
        Some(params) => Some(Reader::new(params.content).expect(der::OID, "curve")?.raw),
        None => None,
    };
    let p256_oid = oid(OID_P256);
    if named.or(curve).is_some_and(|c| c != p256_oid.as_slice()) {
        return Err("x509: unknown elliptic curve".to_string());
    }
    p256::SecretKey::from_slice(secret.content)
        .map(|k| PrivateKey::Ec(p256::ecdsa::SigningKey::from(k)))
        .map_err(|_| "x509: invalid elliptic curve private key value".to_string())
}

/// PKCS#8 `PrivateKeyInfo` holding an RSA, P-256 or Ed25519 key.
fn parse_pkcs8(bytes: &[u8]) -> Result<PrivateKey, String> {
    let mut outer = Reader::new(bytes);
    let body = outer.expect(der::SEQUENCE, "PrivateKeyInfo")?;
    let mut r = Reader::new(body.content);
    r.expect(der::INTEGER, "version")?;
    let algorithm = r.expect(der::SEQUENCE, "AlgorithmIdentifier")?;
    let key = r.expect(der::OCTET_STRING, "PrivateKey")?;
    let mut alg = Reader::new(algorithm.content);
    let alg_oid = alg.expect(der::OID, "algorithm")?;
    if alg_oid.raw == oid(OID_RSA).as_slice() {
        parse_pkcs1(key.content)
    } else if alg_oid.raw == oid(OID_EC_PUBLIC_KEY).as_slice() {
        let curve = if alg.is_empty() {
            None
        } else {
            Some(alg.expect(der::OID, "namedCurve")?.raw)
        };
        parse_sec1(key.content, curve)
    } else if alg_oid.raw == oid(OID_ED25519).as_slice() {
        let seed = Reader::new(key.content).expect(der::OCTET_STRING, "ed25519 seed")?;
        let seed: [u8; 32] = seed.content.try_into().map_err(|_| {
            format!(
                "x509: invalid Ed25519 private key length: {}",
                seed.content.len()
            )
        })?;
        Ok(PrivateKey::Ed25519(ed25519_dalek::SigningKey::from_bytes(
            &seed,
        )))
    } else {
        Err("x509: PKCS#8 wrapping contained private key with unknown algorithm".to_string())
    }
}

/// Sprig's `DSAKeyFormat`: a SEQUENCE of six INTEGERs.
fn parse_dsa(bytes: &[u8]) -> Result<PrivateKey, String> {
    let mut outer = Reader::new(bytes);
    let body = outer.expect(der::SEQUENCE, "DSAKeyFormat")?;
    let mut r = Reader::new(body.content);
    for field in ["Version", "P", "Q", "G", "Y", "X"] {
        r.expect(der::INTEGER, field)?;
    }
    Ok(PrivateKey::Dsa(body.raw.to_vec()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::host::FixedHost;

    fn made(bits: u32, seed: u8) -> Vec<u8> {
        FixedHost::default()
            .generate_rsa_key(bits, &[seed; 32])
            .expect("key")
    }

    /// What the guest did with every RSA key before the host signed: parse and check it with the
    /// `rsa` crate, print it re-encoded, sign with it.
    fn parsed(der: &[u8]) -> rsa::RsaPrivateKey {
        rsa::RsaPrivateKey::from_pkcs1_der(der).expect("parse")
    }

    #[test]
    fn a_key_the_host_made_prints_and_signs_as_the_parsed_key_did() {
        let mut host = FixedHost::default();
        for (bits, seed) in [(2048, 1), (4096, 2)] {
            let der = made(bits, seed);
            let old = parsed(&der);
            let key = RsaKey::made(der.clone()).expect("read");
            assert_eq!(key.pkcs1_der().expect("der"), der);
            assert_eq!(old.to_pkcs1_der().expect("encode").as_bytes(), der);
            assert_eq!(key.public(), (old.n().to_bytes_be(), old.e().to_bytes_be()));
            let key = PrivateKey::Rsa(key);
            let tbs = b"a certificate's to-be-signed bytes";
            let want = old
                .sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(tbs))
                .expect("sign");
            assert_eq!(key.sign(&mut host, tbs).expect("host signs"), want);
            assert_eq!(
                key.public_key_info().expect("spki"),
                PrivateKey::Rsa(RsaKey::Parsed {
                    key: Box::new(old),
                    der: der.clone()
                })
                .public_key_info()
                .expect("old spki")
            );
        }
    }

    #[test]
    fn a_key_from_pem_is_checked_printed_and_signed_as_before() {
        let mut host = FixedHost::default();
        let der = made(2048, 3);
        let old = parsed(&der);
        // PKCS#1 and the PKCS#8 wrapping of it.
        let pkcs8 = seq(&[
            uint(&[0]),
            seq(&[oid(OID_RSA), tlv(der::NULL, &[])]),
            tlv(der::OCTET_STRING, &der),
        ]);
        let tbs = b"tbs";
        let want = old
            .sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &Sha256::digest(tbs))
            .expect("sign");
        for pem in [
            der::pem_encode("RSA PRIVATE KEY", &der),
            der::pem_encode("PRIVATE KEY", &pkcs8),
        ] {
            let key = PrivateKey::parse_pem(&pem).expect("parse");
            assert_eq!(
                key.to_pem().expect("pem"),
                der::pem_encode("RSA PRIVATE KEY", &der)
            );
            assert_eq!(key.sign(&mut host, tbs).expect("host signs"), want);
        }
        // A key whose primes do not make its modulus is still refused when parsed.
        let mut bad = rsa::pkcs1::RsaPrivateKey::try_from(der.as_slice()).expect("decode");
        bad.prime1 = bad.prime2;
        let bad = rsa::pkcs1::der::Encode::to_der(&bad).expect("encode");
        let err = PrivateKey::parse_pem(&der::pem_encode("RSA PRIVATE KEY", &bad))
            .err()
            .expect("refused");
        assert!(
            err.starts_with("parsing RSA private key from PEM: x509: failed to parse private key"),
            "{err}"
        );
    }
}
