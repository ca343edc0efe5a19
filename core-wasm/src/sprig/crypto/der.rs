//! The little ASN.1 DER, PEM and base64 the certificate functions need, written out so that the
//! encoding (field order, string types, bit string lengths) is exactly what Go's crypto/x509
//! produces.

/// Universal tags used here.
pub(super) const BOOLEAN: u8 = 0x01;
pub(super) const INTEGER: u8 = 0x02;
pub(super) const BIT_STRING: u8 = 0x03;
pub(super) const OCTET_STRING: u8 = 0x04;
pub(super) const NULL: u8 = 0x05;
pub(super) const OID: u8 = 0x06;
pub(super) const UTF8_STRING: u8 = 0x0c;
pub(super) const PRINTABLE_STRING: u8 = 0x13;
pub(super) const UTC_TIME: u8 = 0x17;
pub(super) const GENERALIZED_TIME: u8 = 0x18;
pub(super) const SEQUENCE: u8 = 0x30;
pub(super) const SET: u8 = 0x31;

/// One TLV with a definite length.
pub(super) fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .into_iter()
            .skip_while(|&b| b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

pub(super) fn seq(parts: &[Vec<u8>]) -> Vec<u8> {
    tlv(SEQUENCE, &parts.concat())
}

/// A non-negative INTEGER from big-endian magnitude bytes (minimal, with a 0 pad when the high
/// bit is set).
pub(super) fn uint(magnitude: &[u8]) -> Vec<u8> {
    let trimmed: Vec<u8> = magnitude.iter().copied().skip_while(|&b| b == 0).collect();
    let mut content = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|&b| b & 0x80 != 0) {
        content.push(0);
    }
    content.extend(trimmed);
    tlv(INTEGER, &content)
}

/// A BIT STRING whose last byte is fully used.
pub(super) fn bits(content: &[u8]) -> Vec<u8> {
    let mut body = vec![0];
    body.extend_from_slice(content);
    tlv(BIT_STRING, &body)
}

/// An OBJECT IDENTIFIER from its arcs.
pub(super) fn oid(arcs: &[u64]) -> Vec<u8> {
    let mut body = Vec::new();
    let mut push = |mut v: u64| {
        let mut chunk = vec![(v & 0x7f) as u8];
        v >>= 7;
        while v > 0 {
            chunk.push(0x80 | (v & 0x7f) as u8);
            v >>= 7;
        }
        chunk.reverse();
        body.extend(chunk);
    };
    push(arcs[0] * 40 + arcs[1]);
    for &a in &arcs[2..] {
        push(a);
    }
    tlv(OID, &body)
}

/// A cursor over DER bytes.
pub(super) struct Reader<'a> {
    data: &'a [u8],
}

/// One parsed element: its tag, content and the whole encoding.
pub(super) struct Element<'a> {
    pub(super) tag: u8,
    pub(super) content: &'a [u8],
    pub(super) raw: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(super) fn new(data: &'a [u8]) -> Reader<'a> {
        Reader { data }
    }

    pub(super) fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The next element, or an error shaped like Go's `asn1: syntax error` messages.
    pub(super) fn next(&mut self) -> Result<Element<'a>, String> {
        const TRUNCATED: &str = "asn1: syntax error: data truncated";
        let tag = *self.data.first().ok_or(TRUNCATED)?;
        let first = *self.data.get(1).ok_or(TRUNCATED)?;
        let (len, header) = if first < 0x80 {
            (usize::from(first), 2)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 {
                return Err("asn1: syntax error: unsupported length".to_string());
            }
            let bytes = self.data.get(2..2 + n).ok_or(TRUNCATED)?;
            let len = bytes
                .iter()
                .fold(0usize, |acc, &b| acc << 8 | usize::from(b));
            (len, 2 + n)
        };
        let end = header.checked_add(len).ok_or(TRUNCATED)?;
        let raw = self.data.get(..end).ok_or(TRUNCATED)?;
        self.data = &self.data[end..];
        Ok(Element {
            tag,
            content: &raw[header..],
            raw,
        })
    }

    /// The next element, which must have `tag`.
    pub(super) fn expect(&mut self, tag: u8, what: &str) -> Result<Element<'a>, String> {
        let e = self.next()?;
        if e.tag != tag {
            return Err(format!("asn1: structure error: tags don't match ({what})"));
        }
        Ok(e)
    }

    /// The next element if it has `tag`.
    pub(super) fn optional(&mut self, tag: u8) -> Result<Option<Element<'a>>, String> {
        if self.data.first() == Some(&tag) {
            self.next().map(Some)
        } else {
            Ok(None)
        }
    }
}

const STD_ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Go's `base64.StdEncoding.EncodeToString`.
pub(crate) fn base64_encode(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(STD_ALPHABET[(n >> (18 - 6 * i) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Go's `base64.StdEncoding.DecodeString`: padding required, `\r` and `\n` ignored, errors as
/// `illegal base64 data at input byte N`.
pub(crate) fn base64_decode(text: &str) -> Result<Vec<u8>, String> {
    let illegal = |i: usize| format!("illegal base64 data at input byte {i}");
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let mut quad = [0u8; 4];
    let mut have = 0;
    let mut pad = 0;
    // Go reports an incomplete final group at the index where the group starts.
    let mut group_start = 0;
    for (i, c) in text.bytes().enumerate() {
        if c == b'\r' || c == b'\n' {
            continue;
        }
        if have == 0 {
            group_start = i;
        }
        if c == b'=' {
            if have < 2 {
                return Err(illegal(i));
            }
            pad += 1;
            quad[have] = 0;
            have += 1;
        } else {
            if pad > 0 {
                return Err(illegal(i));
            }
            let v = STD_ALPHABET
                .iter()
                .position(|&a| a == c)
                .ok_or_else(|| illegal(i))?;
            quad[have] = v as u8;
            have += 1;
        }
        if have == 4 {
            let n = u32::from(quad[0]) << 18
                | u32::from(quad[1]) << 12
                | u32::from(quad[2]) << 6
                | u32::from(quad[3]);
            let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            out.extend_from_slice(&bytes[..3 - pad]);
            have = 0;
            if pad > 0 {
                // Nothing may follow the padding.
                if let Some(j) = text[i + 1..].bytes().position(|c| c != b'\r' && c != b'\n') {
                    return Err(illegal(i + 1 + j));
                }
                return Ok(out);
            }
        }
    }
    if have != 0 {
        return Err(illegal(group_start));
    }
    Ok(out)
}

/// Go's `pem.EncodeToMemory` of a block without headers: base64 in 64-column lines.
pub(super) fn pem_encode(kind: &str, der: &[u8]) -> String {
    let b64 = base64_encode(der);
    let mut out = format!("-----BEGIN {kind}-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {kind}-----\n"));
    out
}

/// Go's `pem.Decode` for the first block: its type and bytes (headers are skipped).
pub(super) fn pem_decode(text: &str) -> Option<(String, Vec<u8>)> {
    let mut rest = text;
    while let Some(start) = rest.find("-----BEGIN ") {
        let after = &rest[start + 11..];
        let type_end = after.find("-----")?;
        let kind = &after[..type_end];
        let body_start = &after[type_end + 5..];
        let end_marker = format!("-----END {kind}-----");
        if let Some(end) = body_start.find(&end_marker) {
            let body: String = body_start[..end]
                .lines()
                .filter(|l| !l.contains(':'))
                .flat_map(|l| l.chars().filter(|c| !c.is_whitespace()))
                .collect();
            if let Ok(bytes) = base64_decode(&body) {
                return Some((kind.to_string(), bytes));
            }
        }
        rest = body_start;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip_and_errors() {
        assert_eq!(base64_encode(b"ab"), "YWI=");
        assert_eq!(base64_decode("YWJj").unwrap(), b"abc");
        assert_eq!(base64_decode("YW\nI=").unwrap(), b"ab");
        // Oracle: `decryptAES "k" "!!!"`.
        assert_eq!(
            base64_decode("!!!").unwrap_err(),
            "illegal base64 data at input byte 0"
        );
    }

    #[test]
    fn der_primitives() {
        assert_eq!(uint(&[0x80]), vec![0x02, 0x02, 0x00, 0x80]);
        assert_eq!(uint(&[0, 0, 5]), vec![0x02, 0x01, 0x05]);
        assert_eq!(oid(&[2, 5, 4, 3]), vec![0x06, 0x03, 0x55, 0x04, 0x03]);
        assert_eq!(tlv(OCTET_STRING, &[0; 200])[..3], [0x04, 0x81, 200]);
    }
}
