//! Sprig: base64/base32 encodings and the checksum functions (`sha1sum`, `sha256sum`,
//! `sha512sum`, `adler32sum`).
//!
//! The decoders follow Go's `encoding/base64` and `encoding/base32` standard encodings, because
//! Sprig returns the decoder's error text as the result (`illegal base64 data at input byte 4`),
//! so the reported offset must be Go's.

use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

use super::strings::{from_go_bytes, str_arg};
use crate::template::func::Func;
use crate::value::{Ty, Value};

const S: Ty = Ty::String;

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

pub(crate) fn register(out: &mut Vec<Func>) {
    out.extend([
        Func::new("b64enc", &[S], |_, a| {
            Ok(b64_encode(&crate::value::go_bytes(str_arg(&a[0]))).into())
        }),
        Func::new("b64dec", &[S], |_, a| {
            Ok(match b64_decode(&crate::value::go_bytes(str_arg(&a[0]))) {
                Ok(data) => from_go_bytes(&data),
                Err(at) => format!("illegal base64 data at input byte {at}"),
            }
            .into())
        }),
        Func::new("b32enc", &[S], |_, a| {
            Ok(b32_encode(&crate::value::go_bytes(str_arg(&a[0]))).into())
        }),
        Func::new("b32dec", &[S], |_, a| {
            Ok(match b32_decode(&crate::value::go_bytes(str_arg(&a[0]))) {
                Ok(data) => from_go_bytes(&data),
                Err(at) => format!("illegal base32 data at input byte {at}"),
            }
            .into())
        }),
        Func::new("sha1sum", &[S], |_, a| {
            Ok(hex(&Sha1::digest(crate::value::go_bytes(str_arg(&a[0])))).into())
        }),
        Func::new("sha256sum", &[S], |_, a| {
            Ok(hex(&Sha256::digest(crate::value::go_bytes(str_arg(&a[0])))).into())
        }),
        Func::new("sha512sum", &[S], |_, a| {
            Ok(hex(&Sha512::digest(crate::value::go_bytes(str_arg(&a[0])))).into())
        }),
        Func::new("adler32sum", &[S], |_, a| {
            Ok(Value::from(
                adler32(&crate::value::go_bytes(str_arg(&a[0]))).to_string(),
            ))
        }),
    ]);
}

/// Lower-case hex, as `hex.EncodeToString`.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `hash/adler32.Checksum`.
fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    for chunk in data.chunks(5552) {
        for &x in chunk {
            a += u32::from(x);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    (b << 16) | a
}

/// `base64.StdEncoding.EncodeToString`.
fn b64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(B64[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn b64_value(c: u8) -> Option<u8> {
    B64.iter().position(|&x| x == c).map(|p| p as u8)
}

/// `base64.StdEncoding.DecodeString`: `\r` and `\n` are skipped; the error is the input offset
/// Go reports.
fn b64_decode(src: &[u8]) -> Result<Vec<u8>, usize> {
    let is_nl = |c: u8| c == b'\n' || c == b'\r';
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    let mut si = 0;
    loop {
        let mut quad = [0u8; 4];
        let mut len = 4;
        let mut j = 0;
        let mut done = false;
        while j < 4 {
            if si == src.len() {
                if j == 0 {
                    return Ok(out);
                }
                // Standard encoding requires padding, so a short final quantum is corrupt.
                return Err(si - j);
            }
            let c = src[si];
            si += 1;
            if let Some(v) = b64_value(c) {
                quad[j] = v;
                j += 1;
                continue;
            }
            if is_nl(c) {
                continue;
            }
            if c != b'=' || j < 2 {
                return Err(si - 1);
            }
            if j == 2 {
                // "==": the second '=' must follow, newlines allowed between.
                while si < src.len() && is_nl(src[si]) {
                    si += 1;
                }
                if si == src.len() {
                    return Err(src.len());
                }
                if src[si] != b'=' {
                    return Err(si - 1);
                }
                si += 1;
            }
            while si < src.len() && is_nl(src[si]) {
                si += 1;
            }
            if si < src.len() {
                return Err(si);
            }
            len = j;
            done = true;
            break;
        }
        let n = quad.iter().fold(0u32, |n, &v| n << 6 | u32::from(v));
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..len - 1]);
        if done {
            return Ok(out);
        }
    }
}

/// `base32.StdEncoding.EncodeToString`.
fn b32_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(5) * 8);
    for chunk in data.chunks(5) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u64, |n, (i, &b)| n | u64::from(b) << (32 - 8 * i));
        // Characters carrying at least one input bit: ceil(bits / 5).
        let used = (chunk.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < used {
                out.push(char::from(B32[(n >> (35 - 5 * i) & 31) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// `base32.StdEncoding.DecodeString`: newlines are removed first, so offsets count without them.
fn b32_decode(input: &[u8]) -> Result<Vec<u8>, usize> {
    let src: Vec<u8> = input
        .iter()
        .copied()
        .filter(|&c| c != b'\n' && c != b'\r')
        .collect();
    let olen = src.len();
    let mut out = Vec::with_capacity(olen / 8 * 5);
    let mut pos = 0;
    let mut end = false;
    while pos < olen && !end {
        let mut buf = [0u8; 8];
        let mut len = 8;
        let mut j = 0;
        while j < 8 {
            if pos == olen {
                return Err(olen - j);
            }
            let c = src[pos];
            pos += 1;
            let left = olen - pos;
            if c == b'=' && j >= 2 && left < 8 {
                if left + j < 7 {
                    return Err(olen);
                }
                for k in 0..7 - j {
                    if left > k && src[pos + k] != b'=' {
                        return Err(pos + k - 1);
                    }
                }
                len = j;
                end = true;
                // RFC 4648: 1, 3 and 6 characters cannot carry a whole byte.
                if matches!(len, 1 | 3 | 6) {
                    return Err(pos - 1);
                }
                break;
            }
            match B32.iter().position(|&x| x == c) {
                Some(v) => buf[j] = v as u8,
                None => return Err(pos - 1),
            }
            j += 1;
        }
        let n = buf.iter().fold(0u64, |n, &v| n << 5 | u64::from(v));
        let bytes = n.to_be_bytes();
        let produced = match len {
            8 => 5,
            7 => 4,
            5 => 3,
            4 => 2,
            _ => 1,
        };
        out.extend_from_slice(&bytes[3..3 + produced]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, arg: &str) -> String {
        match super::super::strings::call_fn(register, name, vec![Value::str(arg)]) {
            Ok(Value::String(s)) => s.to_string(),
            other => panic!("{name}: {other:?}"),
        }
    }

    #[test]
    fn base64_matches_go() {
        assert_eq!(call("b64enc", "hello"), "aGVsbG8=");
        let cases = [
            ("aGVsbG8=", "hello"),
            ("aGVsbG8", "illegal base64 data at input byte 4"),
            ("a", "illegal base64 data at input byte 0"),
            ("aGV$", "illegal base64 data at input byte 3"),
            ("aGVsbG8=x", "illegal base64 data at input byte 8"),
            ("aG\nVs", "hel"),
            ("aGVsbA==", "hell"),
            ("aGVsbA=", "illegal base64 data at input byte 7"),
            ("=", "illegal base64 data at input byte 0"),
            ("", ""),
        ];
        for (input, want) in cases {
            assert_eq!(call("b64dec", input), want, "{input:?}");
        }
    }

    #[test]
    fn base32_matches_go() {
        assert_eq!(call("b32enc", "hello"), "NBSWY3DP");
        let cases = [
            ("NBSWY3DP", "hello"),
            ("NBSWY3D", "illegal base32 data at input byte 0"),
            ("NBSWY3DPEE======", "hello!"),
            ("nbswy3dp", "illegal base32 data at input byte 0"),
            ("NB=", "illegal base32 data at input byte 3"),
            ("NBSWY===", "hel"),
            ("NBSWY3DP\nNBSWY3DP", "hellohello"),
            ("MY======MY======", "illegal base32 data at input byte 2"),
            ("MZXW6===", "foo"),
            ("M1", "illegal base32 data at input byte 1"),
        ];
        for (input, want) in cases {
            assert_eq!(call("b32dec", input), want, "{input:?}");
        }
    }

    #[test]
    fn checksums_match_go() {
        assert_eq!(
            call("sha1sum", "abc"),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            call("sha256sum", "abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(call("adler32sum", "abc"), "38600999");
        assert_eq!(call("adler32sum", ""), "1");
        assert_eq!(
            call("sha512sum", ""),
            "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
        );
    }
}
