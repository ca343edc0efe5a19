//! X.509 certificates as Sprig builds them through Go's `x509.CreateCertificate`: v3, a random
//! 128-bit serial, `CN=<cn>` only, validity from the render's clock, key usage, server+client
//! extended key usage, basic constraints, a SHA-256-based subject key id on CAs, the CA's key id
//! as authority key id, and DNS/IP subject alternative names. Extensions come in Go's order.

use sha2_10::{Digest as _, Sha256};

use super::der::{self, Reader, oid, seq, tlv, uint};
use super::keys::PrivateKey;
use crate::template::func::Ctx;

const OID_CN: &[u64] = &[2, 5, 4, 3];
const OID_KEY_USAGE: &[u64] = &[2, 5, 29, 15];
const OID_EXT_KEY_USAGE: &[u64] = &[2, 5, 29, 37];
const OID_BASIC_CONSTRAINTS: &[u64] = &[2, 5, 29, 19];
const OID_SUBJECT_KEY_ID: &[u64] = &[2, 5, 29, 14];
const OID_AUTHORITY_KEY_ID: &[u64] = &[2, 5, 29, 35];
const OID_SAN: &[u64] = &[2, 5, 29, 17];
const OID_SERVER_AUTH: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 1];
const OID_CLIENT_AUTH: &[u64] = &[1, 3, 6, 1, 5, 5, 7, 3, 2];

/// Sprig's `getBaseCertTemplate`, plus `IsCA` for `genCA`.
pub(super) struct Template {
    pub(super) cn: String,
    /// IP addresses as Go stores them in the SAN: 4 bytes for IPv4 (and IPv4-mapped), else 16.
    pub(super) ips: Vec<Vec<u8>>,
    pub(super) dns: Vec<String>,
    pub(super) days: i64,
    pub(super) is_ca: bool,
    /// The render's clock: seconds and nanoseconds since the epoch.
    pub(super) now: (i64, u32),
}

/// What signing needs from an issuing certificate.
pub(super) struct Issuer {
    pub(super) subject: Vec<u8>,
    pub(super) key_id: Option<Vec<u8>>,
}

impl Issuer {
    /// Parse a PEM certificate as Sprig's `genSignedCert` does (`pem.Decode`, then
    /// `x509.ParseCertificate`).
    pub(super) fn parse(pem: &str) -> Result<Issuer, String> {
        let (_, bytes) = der::pem_decode(pem).ok_or("unable to decode certificate")?;
        parse_certificate(&bytes).map_err(|e| {
            format!("error parsing certificate: decodedSignerCert.Bytes: x509: malformed certificate: {e}")
        })
    }
}

/// Whether `ParseCertificate` would accept these bytes (as far as Sprig's callers care).
pub(super) fn check_certificate(bytes: &[u8]) -> Result<(), String> {
    parse_certificate(bytes).map(|_| ())
}

fn parse_certificate(bytes: &[u8]) -> Result<Issuer, String> {
    let cert = Reader::new(bytes).expect(der::SEQUENCE, "certificate")?;
    let tbs = Reader::new(cert.content).expect(der::SEQUENCE, "tbsCertificate")?;
    let mut r = Reader::new(tbs.content);
    r.optional(0xa0)?;
    r.expect(der::INTEGER, "serialNumber")?;
    r.expect(der::SEQUENCE, "signature")?;
    r.expect(der::SEQUENCE, "issuer")?;
    r.expect(der::SEQUENCE, "validity")?;
    let subject = r.expect(der::SEQUENCE, "subject")?.raw.to_vec();
    r.expect(der::SEQUENCE, "subjectPublicKeyInfo")?;
    let mut key_id = None;
    while !r.is_empty() {
        let e = r.next()?;
        if e.tag != 0xa3 {
            continue;
        }
        let list = Reader::new(e.content).expect(der::SEQUENCE, "extensions")?;
        let mut exts = Reader::new(list.content);
        while !exts.is_empty() {
            let ext = exts.expect(der::SEQUENCE, "extension")?;
            let mut f = Reader::new(ext.content);
            let id = f.expect(der::OID, "extnID")?;
            f.optional(der::BOOLEAN)?;
            let value = f.expect(der::OCTET_STRING, "extnValue")?;
            if id.raw == oid(OID_SUBJECT_KEY_ID).as_slice() {
                let kid = Reader::new(value.content).expect(der::OCTET_STRING, "keyid")?;
                key_id = Some(kid.content.to_vec());
            }
        }
    }
    Ok(Issuer { subject, key_id })
}

/// `x509.CreateCertificate(template, parent, signee's public key, signer)` as PEM. `issuer` is
/// `None` for a self-signed certificate.
pub(super) fn create(
    ctx: &mut Ctx<'_>,
    t: &Template,
    signee: &PrivateKey,
    issuer: Option<&Issuer>,
    signer: &PrivateKey,
) -> Result<String, String> {
    let fail = |e: String| format!("error creating certificate: {e}");
    let signature_algorithm = signer.signature_algorithm().map_err(fail)?;
    let (spki, key_bits) = signee.public_key_info().map_err(fail)?;
    let subject = name(&t.cn);
    let issuer_name = issuer.map_or_else(|| subject.clone(), |i| i.subject.clone());

    let mut serial = [0u8; 16];
    ctx.rng.fill(&mut serial);

    let mut extensions = Vec::new();
    // Key usage bits in ASN.1 order: digitalSignature (0), keyEncipherment (2), keyCertSign (5).
    let (usage, unused) = if t.is_ca { (0xa4, 2) } else { (0xa0, 5) };
    extensions.push(extension(
        OID_KEY_USAGE,
        true,
        tlv(der::BIT_STRING, &[unused, usage]),
    ));
    extensions.push(extension(
        OID_EXT_KEY_USAGE,
        false,
        seq(&[oid(OID_SERVER_AUTH), oid(OID_CLIENT_AUTH)]),
    ));
    let constraints = if t.is_ca {
        seq(&[tlv(der::BOOLEAN, &[0xff])])
    } else {
        seq(&[])
    };
    extensions.push(extension(OID_BASIC_CONSTRAINTS, true, constraints));
    if t.is_ca {
        // Go 1.25+: the first 160 bits of SHA-256 over the public key bits (RFC 7093).
        let key_id = &Sha256::digest(&key_bits)[..20];
        extensions.push(extension(
            OID_SUBJECT_KEY_ID,
            false,
            tlv(der::OCTET_STRING, key_id),
        ));
    }
    if let Some(kid) = issuer
        .filter(|i| i.subject != subject)
        .and_then(|i| i.key_id.as_ref())
        .filter(|k| !k.is_empty())
    {
        extensions.push(extension(
            OID_AUTHORITY_KEY_ID,
            false,
            seq(&[tlv(0x80, kid)]),
        ));
    }
    if !t.dns.is_empty() || !t.ips.is_empty() {
        let mut names = Vec::new();
        for d in &t.dns {
            if !d.is_ascii() {
                return Err(fail(format!(
                    "x509: {} cannot be encoded as an IA5String",
                    crate::go::quote(d)
                )));
            }
            names.push(tlv(0x82, d.as_bytes()));
        }
        for ip in &t.ips {
            names.push(tlv(0x87, ip));
        }
        // Go marks the SAN critical when the subject is empty.
        extensions.push(extension(OID_SAN, t.cn.is_empty(), seq(&names)));
    }

    let (not_before, not_after) = validity(t.now, t.days);
    let tbs = seq(&[
        tlv(0xa0, &uint(&[2])),
        uint(&serial),
        signature_algorithm.clone(),
        issuer_name,
        seq(&[not_before, not_after]),
        subject,
        spki,
        tlv(0xa3, &seq(&extensions)),
    ]);
    let signature = signer.sign(&mut *ctx.host, &tbs).map_err(fail)?;
    let cert = seq(&[tbs, signature_algorithm, der::bits(&signature)]);
    Ok(der::pem_encode("CERTIFICATE", &cert))
}

fn extension(id: &[u64], critical: bool, value: Vec<u8>) -> Vec<u8> {
    let mut parts = vec![oid(id)];
    if critical {
        parts.push(tlv(der::BOOLEAN, &[0xff]));
    }
    parts.push(tlv(der::OCTET_STRING, &value));
    seq(&parts)
}

/// `pkix.Name{CommonName: cn}` as an RDN sequence: PrintableString when Go's restricted set
/// allows it, else UTF8String; no attribute at all for an empty name.
fn name(cn: &str) -> Vec<u8> {
    if cn.is_empty() {
        return seq(&[]);
    }
    let printable = cn
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b" '()+,-./:=?".contains(&b));
    let tag = if printable {
        der::PRINTABLE_STRING
    } else {
        der::UTF8_STRING
    };
    let attribute = seq(&[oid(OID_CN), tlv(tag, cn.as_bytes())]);
    seq(&[tlv(der::SET, &attribute)])
}

/// NotBefore = now, NotAfter = now + days × 24h, where Go's `time.Duration` arithmetic wraps.
fn validity(now: (i64, u32), days: i64) -> (Vec<u8>, Vec<u8>) {
    const DAY_NANOS: i64 = 86_400_000_000_000;
    let start = i128::from(now.0) * 1_000_000_000 + i128::from(now.1);
    let end = start + i128::from(DAY_NANOS.wrapping_mul(days));
    let secs = |ns: i128| ns.div_euclid(1_000_000_000) as i64;
    (time(secs(start)), time(secs(end)))
}

/// UTCTime for 1950..2049, GeneralizedTime otherwise, as Go's x509 encodes validity.
fn time(unix: i64) -> Vec<u8> {
    let days = unix.div_euclid(86_400);
    let rem = unix.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let (hh, mm, ss) = (rem / 3600, rem / 60 % 60, rem % 60);
    if (1950..2050).contains(&y) {
        let text = format!("{:02}{m:02}{d:02}{hh:02}{mm:02}{ss:02}Z", y % 100);
        tlv(der::UTC_TIME, text.as_bytes())
    } else {
        let text = format!("{y:04}{m:02}{d:02}{hh:02}{mm:02}{ss:02}Z");
        tlv(der::GENERALIZED_TIME, text.as_bytes())
    }
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_encoding() {
        // 2026-11-24T00:30:56Z, as in an oracle certificate (UTCTime 261124003056Z).
        let now = (1_795_480_256, 0);
        let (nb, na) = validity(now, 30);
        assert_eq!(&nb[2..], b"261124003056Z");
        assert_eq!(&na[2..], b"261224003056Z");
        assert_eq!(nb[0], der::UTC_TIME);
        let (_, far) = validity(now, 36_500);
        assert_eq!(far[0], der::GENERALIZED_TIME);
        assert_eq!(&far[2..], b"21261031003056Z");
    }

    #[test]
    fn names_pick_go_string_types() {
        assert_eq!(name("my-ca")[6..11], oid(OID_CN)[..]);
        assert_eq!(name("my-ca")[11], der::PRINTABLE_STRING);
        assert_eq!(name("*.example.com")[11], der::UTF8_STRING);
        assert_eq!(name(""), vec![0x30, 0x00]);
    }
}
