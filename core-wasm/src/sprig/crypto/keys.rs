//! Private keys as Sprig handles them: generation, Go's PEM forms (`RSA PRIVATE KEY` PKCS#1,
//! `EC PRIVATE KEY` SEC1, `DSA PRIVATE KEY`, `PRIVATE KEY` PKCS#8 for Ed25519), parsing those
//! back, and what certificate signing needs (public key info, signature algorithm, signing).

use p256::ecdsa::signature::Signer as _;
use p256::elliptic_curve::sec1::ToEncodedPoint as _;
use rsa::pkcs1::{DecodeRsaPrivateKey as _, EncodeRsaPrivateKey as _};
use rsa::traits::PublicKeyParts as _;
use sha2_10::{Digest as _, Sha256};

use super::der::{self, Reader, bits, oid, seq, tlv, uint};
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
    Rsa(Box<rsa::RsaPrivateKey>),
    /// ECDSA on P-256, the only curve Sprig generates.
    Ec(p256::SecretKey),
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
            .and_then(|der| parse_pkcs1(&der))
            .map_err(|e| format!("error generating rsa key: {e}"))
    }

    pub(super) fn generate_ec(rng: &mut Rng) -> PrivateKey {
        PrivateKey::Ec(p256::SecretKey::random(&mut RngAdapter(rng)))
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
            PrivateKey::Rsa(k) => {
                let doc = k.to_pkcs1_der().map_err(|e| e.to_string())?;
                der::pem_encode("RSA PRIVATE KEY", doc.as_bytes())
            }
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
                let pk = seq(&[uint(&k.n().to_bytes_be()), uint(&k.e().to_bytes_be())]);
                (seq(&[oid(OID_RSA), tlv(der::NULL, &[])]), pk)
            }
            PrivateKey::Ec(k) => {
                let point = k.public_key().to_encoded_point(false);
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

    /// Sign `tbs` as Go does for certificates: RSA PKCS#1 v1.5 and ECDSA over SHA-256 (DER
    /// signature), Ed25519 over the message itself.
    pub(super) fn sign(&self, tbs: &[u8]) -> Result<Vec<u8>, String> {
        match self {
            PrivateKey::Rsa(k) => {
                let digest = Sha256::digest(tbs);
                k.sign(rsa::Pkcs1v15Sign::new::<Sha256>(), &digest)
                    .map_err(|e| format!("x509: signing: {e}"))
            }
            PrivateKey::Ec(k) => {
                let signing = p256::ecdsa::SigningKey::from(k);
                let sig: p256::ecdsa::Signature = signing.sign(tbs);
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
fn sec1_der(k: &p256::SecretKey) -> Vec<u8> {
    let point = k.public_key().to_encoded_point(false);
    seq(&[
        uint(&[1]),
        tlv(der::OCTET_STRING, &k.to_bytes()),
        tlv(0xa0, &oid(OID_P256)),
        tlv(0xa1, &bits(point.as_bytes())),
    ])
}

fn parse_pkcs1(bytes: &[u8]) -> Result<PrivateKey, String> {
    rsa::RsaPrivateKey::from_pkcs1_der(bytes)
        .map(|k| PrivateKey::Rsa(Box::new(k)))
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
        .map(PrivateKey::Ec)
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
