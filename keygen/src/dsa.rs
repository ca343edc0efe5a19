//! DSA keys: fresh L2048N256 parameters and a key over them from RustCrypto's `dsa`, in Sprig's
//! `DSAKeyFormat`.

use std::panic::{self, AssertUnwindSafe};
use std::time::Instant;

use ::dsa::{Components, KeySize, SigningKey};
use chacha20::ChaCha20Rng;
use chacha20::rand_core::{Rng as _, SeedableRng as _};

use crate::Error;

/// A DSA private key over new L2048N256 parameters (Sprig: `dsa.GenerateParameters(...,
/// dsa.L2048N256)` then `dsa.GenerateKey`), as the DER Sprig prints under `DSA PRIVATE KEY`: a
/// SEQUENCE of the INTEGERs version (0), P, Q, G, Y and X. Derived from the 32 bytes of `seed`
/// alone; stops with [`Error::Deadline`] once `deadline` passes.
pub fn dsa_der(seed: &[u8], deadline: Option<Instant>) -> Result<Vec<u8>, Error> {
    let mut rng = Bounded {
        inner: ChaCha20Rng::from_seed(crate::seed(seed)?),
        deadline,
    };
    // `dsa` draws fresh randomness for every candidate and offers no other way out of its
    // search, so the generator ends it: past the deadline it unwinds with `DeadlinePassed`
    // (through `resume_unwind`, which runs no panic hook and prints nothing), caught here.
    let generated = panic::catch_unwind(AssertUnwindSafe(|| {
        let components = Components::generate(&mut rng, KeySize::DSA_2048_256);
        SigningKey::generate(&mut rng, components)
    }));
    let key = match generated {
        Ok(key) => key,
        Err(payload) if payload.is::<DeadlinePassed>() => return Err(Error::Deadline),
        Err(payload) => panic::resume_unwind(payload),
    };
    let public = key.verifying_key();
    let c = public.components();
    let fields = [
        vec![0],
        c.p().to_bytes_be(),
        c.q().to_bytes_be(),
        c.g().to_bytes_be(),
        public.y().to_bytes_be(),
        key.x().to_bytes_be(),
    ];
    Ok(sequence_of_integers(&fields))
}

/// The unwinding payload that ends a search past its deadline.
struct DeadlinePassed;

/// ChaCha20 for `dsa` (which takes a rand_core 0.6 generator), checking the deadline at every
/// draw.
struct Bounded {
    inner: ChaCha20Rng,
    deadline: Option<Instant>,
}

impl Bounded {
    fn check(&self) {
        if crate::passed(self.deadline) {
            panic::resume_unwind(Box::new(DeadlinePassed));
        }
    }
}

impl rand_core_06::RngCore for Bounded {
    fn next_u32(&mut self) -> u32 {
        self.check();
        self.inner.next_u32()
    }
    fn next_u64(&mut self) -> u64 {
        self.check();
        self.inner.next_u64()
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        self.check();
        self.inner.fill_bytes(dest);
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core_06::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core_06::CryptoRng for Bounded {}

/// DER of a SEQUENCE of non-negative INTEGERs given big-endian: what Go's `asn1.Marshal` writes
/// for Sprig's `DSAKeyFormat` (a struct of an int and five `*big.Int`). Written out because no
/// crate has this ad-hoc type, and it is six tag-length-value triples.
fn sequence_of_integers(values: &[Vec<u8>]) -> Vec<u8> {
    let mut body = Vec::new();
    for value in values {
        let digits = match value.iter().position(|&b| b != 0) {
            Some(first) => &value[first..],
            None => &[][..],
        };
        let mut content = Vec::with_capacity(digits.len() + 1);
        // A leading 0x00 keeps the INTEGER positive when its top bit is set, and zero is one 0x00.
        if digits.first().is_none_or(|&b| b & 0x80 != 0) {
            content.push(0);
        }
        content.extend_from_slice(digits);
        tlv(&mut body, 0x02, &content);
    }
    let mut out = Vec::with_capacity(body.len() + 4);
    tlv(&mut out, 0x30, &body);
    out
}

fn tlv(out: &mut Vec<u8>, tag: u8, content: &[u8]) {
    out.push(tag);
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let first = bytes
            .iter()
            .position(|&b| b != 0)
            .unwrap_or(bytes.len() - 1);
        out.push(0x80 | (bytes.len() - first) as u8);
        out.extend_from_slice(&bytes[first..]);
    }
    out.extend_from_slice(content);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The INTEGERs of the SEQUENCE, big-endian without the sign byte.
    fn integers(der: &[u8]) -> Vec<Vec<u8>> {
        fn read(d: &[u8]) -> (u8, &[u8], &[u8]) {
            let tag = d[0];
            let (len, at) = if d[1] < 0x80 {
                (d[1] as usize, 2)
            } else {
                let n = (d[1] & 0x7f) as usize;
                (
                    d[2..2 + n].iter().fold(0, |a, &b| a << 8 | b as usize),
                    2 + n,
                )
            };
            (tag, &d[at..at + len], &d[at + len..])
        }
        let (tag, mut body, rest) = read(der);
        assert_eq!((tag, rest.len()), (0x30, 0));
        let mut out = Vec::new();
        while !body.is_empty() {
            let (tag, content, rest) = read(body);
            assert_eq!(tag, 0x02);
            assert!(
                content.len() == 1 || content[0] != 0 || content[1] & 0x80 != 0,
                "minimal"
            );
            out.push(content.strip_prefix(&[0]).unwrap_or(content).to_vec());
            body = rest;
        }
        out
    }

    #[test]
    fn keys_are_l2048_n256_in_sprigs_format_and_depend_only_on_the_seed() {
        let der = dsa_der(&[7; 32], None).expect("key");
        let fields = integers(&der);
        assert_eq!(fields.len(), 6);
        assert!(fields[0].is_empty(), "version 0");
        let (p, q, g, y, x) = (&fields[1], &fields[2], &fields[3], &fields[4], &fields[5]);
        assert_eq!((p.len(), q.len()), (256, 32), "L2048 N256");
        assert!(p[0] & 0x80 != 0 && q[0] & 0x80 != 0, "full-size P and Q");
        let big = |b: &[u8]| ::rsa::BigUint::from_bytes_be(b);
        let one = ::rsa::BigUint::from(1u32);
        assert_eq!(
            (big(p) - &one) % big(q),
            ::rsa::BigUint::from(0u32),
            "Q divides P-1"
        );
        assert_eq!(big(g).modpow(&big(q), &big(p)), one, "G has order Q");
        assert_eq!(big(g).modpow(&big(x), &big(p)), big(y), "Y = G^X mod P");
        assert_eq!(dsa_der(&[7; 32], None).expect("again"), der);
        assert_ne!(dsa_der(&[8; 32], None).expect("other"), der);
    }

    #[test]
    fn a_passed_deadline_ends_the_search() {
        assert!(matches!(
            dsa_der(&[1; 32], Some(Instant::now())),
            Err(Error::Deadline)
        ));
        assert!(matches!(dsa_der(&[1; 3], None), Err(Error::Request(_))));
    }

    #[test]
    fn integers_are_minimal_and_positive() {
        assert_eq!(
            sequence_of_integers(&[vec![0], vec![0, 0x7f], vec![0x80], vec![1; 200]])[..11],
            [
                0x30, 0x81, 0xd5, 0x02, 0x01, 0x00, 0x02, 0x01, 0x7f, 0x02, 0x02
            ]
        );
    }
}
