//! Sprig: random strings, UUIDs, hashes of passwords, keys and certificates.
//!
//! Randomness comes from the render's seeded generator ([`crate::template::func::Rng`]) and time from the
//! render's clock, never from the OS, so a host can make output reproducible. Helm's output is
//! random too; what must match is the shape: lengths and alphabets, `$2a$10$` bcrypt hashes, PEM
//! block types with 64-column base64, key types and sizes, and certificate fields.

mod der;
mod keys;
mod x509;

use std::any::Any;
use std::rc::Rc;

use aes::cipher::generic_array::GenericArray;
use aes::cipher::{BlockDecrypt as _, BlockEncrypt as _, KeyInit as _};
use hmac::Mac as _;

use crate::go::format_v;
use crate::template::func::{Ctx, Func};
use crate::value::{IntKind, Map, Object, Ty, Value};

use keys::PrivateKey;
use x509::{Issuer, Template};

const INT: Ty = Ty::Int(IntKind::Int);
/// Sprig's unexported `certificate` struct type.
const CERTIFICATE: Ty = Ty::Object("sprig.certificate");

pub(crate) fn register(out: &mut Vec<Func>) {
    out.extend([
        Func::new("randAlphaNum", &[INT], rand_alpha_num),
        Func::new("randAlpha", &[INT], rand_alpha),
        Func::new("randNumeric", &[INT], rand_numeric),
        Func::new("randAscii", &[INT], rand_ascii),
        Func::new("randBytes", &[INT], rand_bytes),
        Func::new("uuidv4", &[], uuidv4),
        Func::new("bcrypt", &[Ty::String], bcrypt),
        Func::new("htpasswd", &[Ty::String, Ty::String], htpasswd),
        Func::new(
            "derivePassword",
            &[
                Ty::Int(IntKind::Uint32),
                Ty::String,
                Ty::String,
                Ty::String,
                Ty::String,
            ],
            derive_password,
        ),
        Func::new("genPrivateKey", &[Ty::String], gen_private_key),
        Func::new(
            "buildCustomCert",
            &[Ty::String, Ty::String],
            build_custom_cert,
        ),
        Func::new("genCA", &[Ty::String, INT], gen_ca),
        Func::new(
            "genCAWithKey",
            &[Ty::String, INT, Ty::String],
            gen_ca_with_key,
        ),
        Func::new(
            "genSelfSignedCert",
            &[Ty::String, Ty::List, Ty::List, INT],
            gen_self_signed_cert,
        ),
        Func::new(
            "genSelfSignedCertWithKey",
            &[Ty::String, Ty::List, Ty::List, INT, Ty::String],
            gen_self_signed_cert_with_key,
        ),
        Func::new(
            "genSignedCert",
            &[Ty::String, Ty::List, Ty::List, INT, CERTIFICATE],
            gen_signed_cert,
        ),
        Func::new(
            "genSignedCertWithKey",
            &[Ty::String, Ty::List, Ty::List, INT, CERTIFICATE, Ty::String],
            gen_signed_cert_with_key,
        ),
        Func::new("encryptAES", &[Ty::String, Ty::String], encrypt_aes),
        Func::new("decryptAES", &[Ty::String, Ty::String], decrypt_aes),
    ]);
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

fn int(v: &Value) -> i64 {
    match v {
        Value::Int(i, _) => *i,
        _ => 0,
    }
}

/// `count` characters drawn uniformly from `alphabet` (goutils' `CryptoRandom*`, which rejects
/// characters outside the class, is uniform over the same set). A negative count is an error
/// Sprig swallows into "".
fn random_string(ctx: &mut Ctx<'_>, count: i64, alphabet: &[u8]) -> Value {
    let n = usize::try_from(count).unwrap_or(0);
    let s: String = (0..n)
        .map(|_| char::from(alphabet[ctx.rng.below(alphabet.len() as u64) as usize]))
        .collect();
    Value::from(s)
}

const DIGITS: &[u8] = b"0123456789";
const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

fn rand_alpha_num(ctx: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let alphabet = [DIGITS, LETTERS].concat();
    Ok(random_string(ctx, int(&args[0]), &alphabet))
}

fn rand_alpha(ctx: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    Ok(random_string(ctx, int(&args[0]), LETTERS))
}

fn rand_numeric(ctx: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    Ok(random_string(ctx, int(&args[0]), DIGITS))
}

/// Printable ASCII, space to `~`.
fn rand_ascii(ctx: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let alphabet: Vec<u8> = (b' '..=b'~').collect();
    Ok(random_string(ctx, int(&args[0]), &alphabet))
}

/// `randBytes n`: base64 of `n` random bytes.
fn rand_bytes(ctx: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let n = usize::try_from(int(&args[0]))
        .map_err(|_| "runtime error: makeslice: len out of range".to_string())?;
    let mut buf = vec![0u8; n];
    ctx.rng.fill(&mut buf);
    Ok(Value::from(der::base64_encode(&buf)))
}

/// A random (version 4, RFC 4122 variant) UUID in lower-case hex.
fn uuidv4(ctx: &mut Ctx<'_>, _: Vec<Value>) -> Result<Value, String> {
    let mut b = [0u8; 16];
    ctx.rng.fill(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    Ok(Value::from(format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )))
}

/// Go's `bcrypt.DefaultCost`.
const BCRYPT_COST: u32 = 10;

fn bcrypt(ctx: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    Ok(Value::from(bcrypt_string(ctx, text(&args[0]))))
}

/// Sprig's `bcrypt`: errors come back as text, not as template errors.
fn bcrypt_string(ctx: &mut Ctx<'_>, password: &str) -> String {
    if password.len() > 72 {
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
            .to_string();
    }
    let mut salt = [0u8; 16];
    ctx.rng.fill(&mut salt);
    bcrypt_hash(password.as_bytes(), BCRYPT_COST, &salt)
}

/// bcrypt as golang.org/x/crypto/bcrypt computes it: EksBlowfish over the password plus a NUL,
/// 64 encryptions of "OrpheanBeholderScryDoubt", version `2a`, bcrypt's base64 alphabet.
fn bcrypt_hash(password: &[u8], cost: u32, salt: &[u8; 16]) -> String {
    let mut key = password.to_vec();
    key.push(0);
    let mut state: blowfish::Blowfish = blowfish::Blowfish::bc_init_state();
    state.salted_expand_key(salt, &key);
    for _ in 0..1u64 << cost {
        state.bc_expand_key(&key);
        state.bc_expand_key(salt);
    }
    let magic = b"OrpheanBeholderScryDoubt";
    let mut words: Vec<u32> = magic
        .chunks(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]))
        .collect();
    for pair in words.chunks_mut(2) {
        let mut lr = [pair[0], pair[1]];
        for _ in 0..64 {
            lr = state.bc_encrypt(lr);
        }
        pair.copy_from_slice(&lr);
    }
    let digest: Vec<u8> = words.iter().flat_map(|w| w.to_be_bytes()).collect();
    format!(
        "$2a${cost:02}${}{}",
        bcrypt_base64(salt),
        bcrypt_base64(&digest[..23])
    )
}

/// bcrypt's base64: its own alphabet, no padding.
fn bcrypt_base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let std = der::base64_encode(data);
    std.trim_end_matches('=')
        .bytes()
        .map(|c| {
            let i = match c {
                b'A'..=b'Z' => c - b'A',
                b'a'..=b'z' => c - b'a' + 26,
                b'0'..=b'9' => c - b'0' + 52,
                b'+' => 62,
                _ => 63,
            };
            char::from(ALPHABET[usize::from(i)])
        })
        .collect()
}

/// `htpasswd user password`: an Apache `user:bcrypt` line.
fn htpasswd(ctx: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let user = text(&args[0]);
    if user.contains(':') {
        return Ok(Value::from(format!("invalid username: {user}")));
    }
    let hash = bcrypt_string(ctx, text(&args[1]));
    Ok(Value::from(format!("{user}:{hash}")))
}

/// Master Password's site password templates, by type.
fn password_templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

/// The characters a template letter stands for.
fn template_characters(c: u8) -> &'static [u8] {
    match c {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        _ => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    }
}

/// `derivePassword counter type password user site`: the Master Password algorithm (scrypt key
/// from password and user, HMAC-SHA256 seed from site and counter). Deterministic, so equal to
/// Helm's output.
fn derive_password(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    const SEED: &[u8] = b"com.lyndir.masterpassword";
    let counter = int(&args[0]) as u32;
    let kind = text(&args[1]);
    let (password, user, site) = (text(&args[2]), text(&args[3]), text(&args[4]));
    let Some(templates) = password_templates(kind) else {
        return Ok(Value::from(format!("cannot find password template {kind}")));
    };
    let mut salt = SEED.to_vec();
    salt.extend((user.len() as u32).to_be_bytes());
    salt.extend(user.as_bytes());
    let mut key = [0u8; 64];
    let params = scrypt::Params::new(15, 8, 2, 64).map_err(|e| e.to_string())?;
    scrypt::scrypt(password.as_bytes(), &salt, &params, &mut key).map_err(|e| e.to_string())?;

    let mut message = SEED.to_vec();
    message.extend((site.len() as u32).to_be_bytes());
    message.extend(site.as_bytes());
    message.extend(counter.to_be_bytes());
    let mut mac = <hmac::Hmac<sha2_10::Sha256> as hmac::Mac>::new_from_slice(&key)
        .map_err(|e| e.to_string())?;
    mac.update(&message);
    let seed = mac.finalize().into_bytes();

    let template = templates[usize::from(seed[0]) % templates.len()];
    let out: String = template
        .bytes()
        .enumerate()
        .map(|(i, c)| {
            let chars = template_characters(c);
            char::from(chars[usize::from(seed[i + 1]) % chars.len()])
        })
        .collect();
    Ok(Value::from(out))
}

/// `genPrivateKey type`: a PEM private key; errors come back as text.
fn gen_private_key(ctx: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let kind = text(&args[0]);
    let key = match kind {
        "" | "rsa" => PrivateKey::generate_rsa(ctx, 4096),
        "dsa" => PrivateKey::generate_dsa(ctx),
        "ecdsa" => Ok(PrivateKey::generate_ec(&mut ctx.rng)),
        "ed25519" => Ok(PrivateKey::generate_ed25519(&mut ctx.rng)),
        _ => return Ok(Value::from(format!("Unknown type {kind}"))),
    };
    let pem = key
        .and_then(|k| k.to_pem())
        .unwrap_or_else(|e| format!("failed to generate private key: {e}"));
    Ok(Value::from(pem))
}

/// Sprig's `certificate` struct: PEM text of a certificate and of its private key.
#[derive(Debug)]
pub(crate) struct Certificate {
    cert: String,
    key: String,
}

impl Object for Certificate {
    fn type_name(&self) -> &'static str {
        "sprig.certificate"
    }

    fn field(&self, name: &str) -> Option<Result<Value, String>> {
        match name {
            "Cert" => Some(Ok(Value::str(&self.cert))),
            "Key" => Some(Ok(Value::str(&self.key))),
            _ => None,
        }
    }

    fn format_v(&self) -> String {
        format!("{{{} {}}}", self.cert, self.key)
    }

    fn to_data(&self) -> Value {
        let m = Map::new();
        m.insert("Cert", Value::str(&self.cert));
        m.insert("Key", Value::str(&self.key));
        Value::Map(m)
    }

    fn as_any(&self) -> &dyn Any {
        self
    }
}

fn certificate(cert: String, key: String) -> Value {
    Value::Object(Rc::new(Certificate { cert, key }))
}

/// The `Certificate` behind a `sprig.certificate` argument.
fn certificate_arg(v: &Value) -> Result<&Certificate, String> {
    match v {
        Value::Object(o) => o.as_any().downcast_ref::<Certificate>(),
        _ => None,
    }
    .ok_or_else(|| {
        format!(
            "wrong type for value; expected sprig.certificate; got {}",
            v.go_type()
        )
    })
}

/// `buildCustomCert b64cert b64key`: a certificate object from existing base64 PEM, checked.
fn build_custom_cert(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let cert = der::base64_decode(text(&args[0]))
        .map_err(|_| "unable to decode base64 certificate".to_string())?;
    let key = der::base64_decode(text(&args[1]))
        .map_err(|_| "unable to decode base64 private key".to_string())?;
    let cert = String::from_utf8_lossy(&cert).into_owned();
    let key = String::from_utf8_lossy(&key).into_owned();
    let (_, der_bytes) = der::pem_decode(&cert).ok_or("unable to decode certificate")?;
    x509::check_certificate(&der_bytes).map_err(|e| {
        format!("error parsing certificate: decodedCert.Bytes: x509: malformed certificate: {e}")
    })?;
    PrivateKey::parse_pem(&key).map_err(|e| format!("error parsing private key: {e}"))?;
    Ok(certificate(cert, key))
}

/// Sprig's `getNetIPs` and `getAlternateDNSStrs` into a template.
fn template(
    ctx: &Ctx<'_>,
    cn: &Value,
    ips: &Value,
    dns: &Value,
    days: &Value,
) -> Result<Template, String> {
    let mut ip_bytes = Vec::new();
    for ip in ips.as_list().map(|l| l.items.to_vec()).unwrap_or_default() {
        let s = ip
            .as_str()
            .ok_or_else(|| format!("error parsing ip: {} is not a string", format_v(&ip)))?;
        let parsed: std::net::IpAddr = s.parse().map_err(|_| format!("error parsing ip: {s}"))?;
        ip_bytes.push(match parsed {
            std::net::IpAddr::V4(v4) => v4.octets().to_vec(),
            std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => v4.octets().to_vec(),
                None => v6.octets().to_vec(),
            },
        });
    }
    let mut names = Vec::new();
    for name in dns.as_list().map(|l| l.items.to_vec()).unwrap_or_default() {
        let s = name.as_str().ok_or_else(|| {
            format!(
                "error processing alternate dns name: {} is not a string",
                format_v(&name)
            )
        })?;
        names.push(s.to_string());
    }
    Ok(Template {
        cn: text(cn).to_string(),
        ips: ip_bytes,
        dns: names,
        days: int(days),
        is_ca: false,
        now: ctx.now,
    })
}

fn parse_key_arg(v: &Value) -> Result<PrivateKey, String> {
    PrivateKey::parse_pem(text(v)).map_err(|e| format!("parsing private key: {e}"))
}

/// Self-signed: the certificate and the PEM of its own key.
fn self_signed(ctx: &mut Ctx<'_>, t: &Template, key: &PrivateKey) -> Result<Value, String> {
    let cert = x509::create(ctx, t, key, None, key)?;
    let key_pem = key
        .to_pem()
        .map_err(|e| format!("error pem-encoding key: {e}"))?;
    Ok(certificate(cert, key_pem))
}

fn ca_template(ctx: &Ctx<'_>, args: &[Value]) -> Result<Template, String> {
    let mut t = template(ctx, &args[0], &Value::Nil, &Value::Nil, &args[1])?;
    t.is_ca = true;
    Ok(t)
}

/// `genCA cn days`: a self-signed CA with a new RSA-2048 key.
fn gen_ca(ctx: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let t = ca_template(ctx, &args)?;
    let key = PrivateKey::generate_rsa(ctx, 2048)?;
    self_signed(ctx, &t, &key)
}

fn gen_ca_with_key(ctx: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let key = parse_key_arg(&args[2])?;
    let t = ca_template(ctx, &args)?;
    self_signed(ctx, &t, &key)
}

fn gen_self_signed_cert(ctx: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let t = template(ctx, &args[0], &args[1], &args[2], &args[3])?;
    let key = PrivateKey::generate_rsa(ctx, 2048)?;
    self_signed(ctx, &t, &key)
}

fn gen_self_signed_cert_with_key(ctx: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let key = parse_key_arg(&args[4])?;
    let t = template(ctx, &args[0], &args[1], &args[2], &args[3])?;
    self_signed(ctx, &t, &key)
}

/// Signed by `ca`: Sprig parses the CA's certificate and key before building the template.
fn signed(
    ctx: &mut Ctx<'_>,
    args: &[Value],
    key: impl FnOnce(&mut Ctx<'_>) -> Result<PrivateKey, String>,
) -> Result<Value, String> {
    let ca = certificate_arg(&args[4])?;
    let issuer = Issuer::parse(&ca.cert)?;
    let signer =
        PrivateKey::parse_pem(&ca.key).map_err(|e| format!("error parsing private key: {e}"))?;
    let t = template(ctx, &args[0], &args[1], &args[2], &args[3])?;
    let key = key(ctx)?;
    let cert = x509::create(ctx, &t, &key, Some(&issuer), &signer)?;
    let key_pem = key
        .to_pem()
        .map_err(|e| format!("error pem-encoding key: {e}"))?;
    Ok(certificate(cert, key_pem))
}

fn gen_signed_cert(ctx: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    signed(ctx, &args, |ctx| PrivateKey::generate_rsa(ctx, 2048))
}

fn gen_signed_cert_with_key(ctx: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let key = parse_key_arg(&args[5])?;
    signed(ctx, &args, |_| Ok(key))
}

/// The AES-256 key Sprig derives from a password: its bytes, zero-padded or cut to 32.
fn aes_key(password: &str) -> aes::Aes256 {
    let mut key = [0u8; 32];
    let n = password.len().min(32);
    key[..n].copy_from_slice(&password.as_bytes()[..n]);
    aes::Aes256::new(GenericArray::from_slice(&key))
}

/// `encryptAES password plaintext`: base64 of a random IV and the AES-256-CBC ciphertext with
/// PKCS#7 padding.
fn encrypt_aes(ctx: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let plaintext = &*crate::value::go_bytes(text(&args[1]));
    if plaintext.is_empty() {
        return Ok(Value::str(""));
    }
    let cipher = aes_key(text(&args[0]));
    let pad = 16 - plaintext.len() % 16;
    let mut data = plaintext.to_vec();
    data.extend(std::iter::repeat_n(pad as u8, pad));
    let mut out = vec![0u8; 16];
    ctx.rng.fill(&mut out);
    let mut prev: [u8; 16] = out[..16].try_into().unwrap_or_default();
    for block in data.chunks(16) {
        let mut b = GenericArray::clone_from_slice(block);
        for (x, p) in b.iter_mut().zip(prev.iter()) {
            *x ^= p;
        }
        cipher.encrypt_block(&mut b);
        prev.copy_from_slice(&b);
        out.extend_from_slice(&b);
    }
    Ok(Value::from(der::base64_encode(&out)))
}

/// `decryptAES password base64`: the inverse of `encryptAES`, failing as Go does (including
/// its runtime panics on short or malformed input).
fn decrypt_aes(_: &mut Ctx<'_>, args: Vec<Value>) -> Result<Value, String> {
    let encoded = text(&args[1]);
    if encoded.is_empty() {
        return Ok(Value::str(""));
    }
    let crypt = der::base64_decode(encoded)?;
    if crypt.len() < 16 {
        return Err(format!(
            "runtime error: slice bounds out of range [:16] with capacity {}",
            crypt.len()
        ));
    }
    let (iv, body) = crypt.split_at(16);
    if body.len() % 16 != 0 {
        return Err("crypto/cipher: input not full blocks".to_string());
    }
    let cipher = aes_key(text(&args[0]));
    let mut prev: &[u8] = iv;
    let mut plain = Vec::with_capacity(body.len());
    for block in body.chunks(16) {
        let mut b = GenericArray::clone_from_slice(block);
        cipher.decrypt_block(&mut b);
        plain.extend(b.iter().zip(prev).map(|(x, p)| x ^ p));
        prev = block;
    }
    let Some(&last) = plain.last() else {
        return Err("runtime error: index out of range [-1]".to_string());
    };
    let keep = plain.len() as i64 - i64::from(last);
    if keep < 0 {
        return Err(format!(
            "runtime error: slice bounds out of range [:{keep}]"
        ));
    }
    plain.truncate(keep as usize);
    Ok(Value::from(crate::value::go_string_from_bytes(&plain)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::host::FixedHost;

    fn call(name: &str, args: Vec<Value>) -> Result<Value, String> {
        let mut funcs = Vec::new();
        register(&mut funcs);
        let f = funcs.iter().find(|f| f.name == name).unwrap();
        let mut h = FixedHost::default();
        let mut ctx = Ctx::new(&mut h);
        (f.call)(&mut ctx, args)
    }

    fn s(x: &str) -> Value {
        Value::str(x)
    }

    fn i(n: i64) -> Value {
        Value::int(n)
    }

    fn string(name: &str, args: Vec<Value>) -> String {
        call(name, args).unwrap().as_str().unwrap().to_string()
    }

    #[test]
    fn random_strings_have_helm_shapes() {
        let an = string("randAlphaNum", vec![i(10)]);
        assert_eq!(an.len(), 10);
        assert!(an.bytes().all(|c| c.is_ascii_alphanumeric()));
        assert!(
            string("randAlpha", vec![i(50)])
                .bytes()
                .all(|c| c.is_ascii_alphabetic())
        );
        assert!(
            string("randNumeric", vec![i(50)])
                .bytes()
                .all(|c| c.is_ascii_digit())
        );
        let ascii = string("randAscii", vec![i(200)]);
        assert!(ascii.bytes().all(|c| (b' '..=b'~').contains(&c)));
        // Oracle: count 0 and -1 give "", randBytes 6 is 8 base64 characters.
        assert_eq!(string("randAlphaNum", vec![i(0)]), "");
        assert_eq!(string("randAlphaNum", vec![i(-1)]), "");
        assert_eq!(string("randBytes", vec![i(6)]).len(), 8);
        assert_eq!(string("randBytes", vec![i(0)]), "");
        let uuid = string("uuidv4", vec![]);
        assert_eq!(uuid.len(), 36);
        assert_eq!(&uuid[14..15], "4");
        assert!("89ab".contains(&uuid[19..20]));
    }

    #[test]
    fn bcrypt_matches_go() {
        // Oracle: `bcrypt "pw"` gave this hash; recompute it from its salt.
        let want = "$2a$10$kaEMZjlABZc69hHLBqGyHOgcpTOSS1J814MYpKHB3VCwSFVTdd0wO";
        let salt = bcrypt_decode(&want[7..29]);
        let salt: [u8; 16] = salt[..16].try_into().unwrap();
        assert_eq!(bcrypt_hash(b"pw", 10, &salt), want);
        assert_eq!(
            string("bcrypt", vec![s(&"0".repeat(73))]),
            "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
        );
        let line = string("htpasswd", vec![s("u"), s("p")]);
        assert!(line.starts_with("u:$2a$10$") && line.len() == 62, "{line}");
        assert_eq!(
            string("htpasswd", vec![s("u:x"), s("p")]),
            "invalid username: u:x"
        );
    }

    fn bcrypt_decode(text: &str) -> Vec<u8> {
        const ALPHABET: &[u8] = b"./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        let mut bits = 0u32;
        let mut n = 0;
        let mut out = Vec::new();
        for c in text.bytes() {
            let v = ALPHABET.iter().position(|&a| a == c).unwrap() as u32;
            bits = bits << 6 | v;
            n += 6;
            if n >= 8 {
                n -= 8;
                out.push((bits >> n) as u8);
            }
        }
        out
    }

    #[test]
    fn derive_password_matches_go() {
        // Oracle answers.
        let dp = |c, kind: &str, pw: &str, user: &str, site: &str| {
            let args = vec![
                Value::Int(c, IntKind::Uint32),
                s(kind),
                s(pw),
                s(user),
                s(site),
            ];
            string("derivePassword", args)
        };
        assert_eq!(
            dp(1, "long", "password", "user", "example.com"),
            "ZedaFaxcZaso9*"
        );
        assert_eq!(dp(3, "maximum", "pw", "u", "s"), "b9$3@lm3FOLUFJ1mTnXS");
        assert_eq!(dp(1, "pin", "a", "b", "c"), "9016");
        assert_eq!(
            dp(1, "nope", "p", "u", "s"),
            "cannot find password template nope"
        );
    }

    #[test]
    fn aes_round_trip_and_go_errors() {
        // Oracle: ciphertext from `encryptAES "secretkey" "plaintext"`.
        let go = "uSXyCY6W6BvCLLNgy5GnENcVdTBPf555YTbc3pKs5zg=";
        assert_eq!(
            string("decryptAES", vec![s("secretkey"), s(go)]),
            "plaintext"
        );
        let mine = string("encryptAES", vec![s("secretkey"), s("plaintext")]);
        assert_eq!(mine.len(), 44);
        assert_eq!(
            string("decryptAES", vec![s("secretkey"), s(&mine)]),
            "plaintext"
        );
        assert_eq!(string("encryptAES", vec![s("k"), s("")]), "");
        assert_eq!(string("decryptAES", vec![s("k"), s("")]), "");
        let long_key = "0123456789abcdef0123456789abcdefXX";
        assert_eq!(string("encryptAES", vec![s(long_key), s("x")]).len(), 44);
        let err = |b64: &str| call("decryptAES", vec![s("k"), s(b64)]).unwrap_err();
        assert_eq!(err("!!!"), "illegal base64 data at input byte 0");
        assert_eq!(
            err("YWJj"),
            "runtime error: slice bounds out of range [:16] with capacity 3"
        );
        assert_eq!(
            err("YWJjZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXo="),
            "crypto/cipher: input not full blocks"
        );
    }

    #[test]
    fn private_keys_have_go_pem_types() {
        let pem = |kind: &str| string("genPrivateKey", vec![s(kind)]);
        assert_eq!(pem("foo"), "Unknown type foo");
        let ec = pem("ecdsa");
        assert!(
            ec.starts_with("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE"),
            "{ec}"
        );
        assert!(ec.ends_with("-----END EC PRIVATE KEY-----\n"));
        // Oracle shape: 121-byte SEC1 key, base64 in 64-column lines.
        assert_eq!(
            ec.lines().map(str::len).collect::<Vec<_>>(),
            [30, 64, 64, 36, 28]
        );
        let ed = pem("ed25519");
        assert!(
            ed.starts_with("-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEI"),
            "{ed}"
        );
        assert_eq!(ed.lines().count(), 3);
    }

    #[test]
    fn certificates_with_ec_keys() {
        let key = string("genPrivateKey", vec![s("ecdsa")]);
        let ca = call("genCAWithKey", vec![s("my-ca"), i(365), s(&key)]).unwrap();
        let Value::Object(o) = &ca else {
            panic!("not an object")
        };
        assert_eq!(o.type_name(), "sprig.certificate");
        assert_eq!(o.kind_name(), "struct");
        let cert = o.field("Cert").unwrap().unwrap();
        assert!(
            cert.as_str()
                .unwrap()
                .starts_with("-----BEGIN CERTIFICATE-----\nMII")
        );
        assert_eq!(
            o.field("Key").unwrap().unwrap().as_str(),
            Some(key.as_str())
        );
        let leaf_key = string("genPrivateKey", vec![s("ed25519")]);
        let ips = Value::list(vec![s("10.0.0.1"), s("::1")]);
        let dns = Value::list(vec![s("a.example")]);
        let leaf = call(
            "genSignedCertWithKey",
            vec![s("svc"), ips, dns, i(30), ca.clone(), s(&leaf_key)],
        )
        .unwrap();
        let Value::Object(leaf) = &leaf else {
            panic!("not an object")
        };
        let (_, der_bytes) =
            der::pem_decode(leaf.field("Cert").unwrap().unwrap().as_str().unwrap()).unwrap();
        let issuer = Issuer::parse(o.field("Cert").unwrap().unwrap().as_str().unwrap()).unwrap();
        // The leaf names the CA as issuer and carries its key id.
        let kid = issuer.key_id.unwrap();
        assert!(
            der_bytes
                .windows(issuer.subject.len())
                .any(|w| w == issuer.subject.as_slice())
        );
        assert!(der_bytes.windows(kid.len()).any(|w| w == kid.as_slice()));
    }

    fn hex(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn ca_extensions_match_go_bytes() {
        let ca = call("genCA", vec![s("my-ca"), i(365)]).unwrap();
        let Value::Object(o) = &ca else {
            panic!("not an object")
        };
        let key = o.field("Key").unwrap().unwrap();
        assert!(
            key.as_str()
                .unwrap()
                .starts_with("-----BEGIN RSA PRIVATE KEY-----\nMIIE")
        );
        let cert = o.field("Cert").unwrap().unwrap();
        let (_, der_bytes) = der::pem_decode(cert.as_str().unwrap()).unwrap();
        // Oracle: the extensions of a Helm genCA certificate up to the subject key id value.
        let go = "300e0603551d0f0101ff0404030202a4301d0603551d250416301406082b06010505070301\
                  06082b06010505070302300f0603551d130101ff040530030101ff301d0603551d0e04160414";
        assert!(hex(&der_bytes).contains(go));
        // "CN=my-ca" as Go writes it (PrintableString), as issuer and subject.
        assert_eq!(
            hex(&der_bytes)
                .matches("310e300c060355040313056d792d6361")
                .count(),
            2
        );
    }

    #[test]
    fn certificate_errors_match_sprig() {
        let err = |name: &str, args| call(name, args).unwrap_err();
        assert_eq!(
            err(
                "genSelfSignedCertWithKey",
                vec![
                    s("x"),
                    Value::list(vec![s("nope")]),
                    Value::Nil,
                    i(3),
                    s("k")
                ]
            ),
            "parsing private key: no PEM data in input"
        );
        let key = string("genPrivateKey", vec![s("ecdsa")]);
        assert_eq!(
            err(
                "genSelfSignedCertWithKey",
                vec![
                    s("x"),
                    Value::list(vec![s("nope")]),
                    Value::Nil,
                    i(3),
                    s(&key)
                ]
            ),
            "error parsing ip: nope"
        );
        assert_eq!(
            err(
                "genSelfSignedCertWithKey",
                vec![s("x"), Value::list(vec![i(1)]), Value::Nil, i(3), s(&key)]
            ),
            "error parsing ip: 1 is not a string"
        );
        assert_eq!(
            err(
                "genSelfSignedCertWithKey",
                vec![s("x"), Value::Nil, Value::list(vec![i(1)]), i(3), s(&key)]
            ),
            "error processing alternate dns name: 1 is not a string"
        );
        assert_eq!(
            err("buildCustomCert", vec![s("!!"), s("x")]),
            "unable to decode base64 certificate"
        );
        assert_eq!(
            err("buildCustomCert", vec![s("eA=="), s("!!")]),
            "unable to decode base64 private key"
        );
        assert_eq!(
            err("buildCustomCert", vec![s("eA=="), s("eA==")]),
            "unable to decode certificate"
        );
        assert_eq!(
            err("genCAWithKey", vec![s("x"), i(3), s("junk")]),
            "parsing private key: no PEM data in input"
        );
    }
}
