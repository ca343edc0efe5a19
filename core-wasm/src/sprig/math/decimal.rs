//! Just enough of shopspring/decimal for Sprig's `addf`/`subf`/`mulf`/`divf`: arbitrary
//! precision decimals, so that `addf 0.1 0.2` is exactly `0.3` as in Helm, and division rounded
//! half away from zero at 16 decimal places (shopspring's `DivisionPrecision`).

use std::cmp::Ordering;

/// shopspring's `DivisionPrecision`: digits kept after the decimal point by `Div`.
const DIVISION_PRECISION: i64 = 16;

/// `±digits × 10^exp`, digits little-endian base 10 without leading zeros (empty is zero).
#[derive(Clone, Debug)]
pub(super) struct Decimal {
    neg: bool,
    digits: Vec<u8>,
    exp: i64,
}

impl Decimal {
    /// shopspring's `NewFromFloat`: the shortest decimal that reads back as `f`.
    pub(super) fn from_f64(f: f64) -> Result<Decimal, String> {
        if !f.is_finite() {
            return Err(format!(
                "Cannot create a Decimal from {}",
                crate::go::format_v(&crate::value::Value::Float(f))
            ));
        }
        // Rust's `{:e}` prints the shortest round-trip digits, as Go's `FormatFloat(f, 'e', -1)`.
        let text = format!("{:e}", f.abs());
        let (mant, exp) = text.split_once('e').unwrap_or((&text, "0"));
        let exp: i64 = exp.parse().unwrap_or(0);
        let (int_part, frac) = mant.split_once('.').unwrap_or((mant, ""));
        let digits: Vec<u8> = int_part
            .bytes()
            .chain(frac.bytes())
            .rev()
            .map(|c| c - b'0')
            .collect();
        Ok(Decimal {
            neg: f.is_sign_negative(),
            digits: trim(digits),
            exp: exp - frac.len() as i64,
        }
        .normal())
    }

    /// The nearest `float64` (shopspring's `Float64`, through an exact rational); overflow gives
    /// an infinity as in Go.
    pub(super) fn to_f64(&self) -> f64 {
        if self.digits.is_empty() {
            return 0.0;
        }
        let mut text = String::with_capacity(self.digits.len() + 24);
        if self.neg {
            text.push('-');
        }
        text.extend(self.digits.iter().rev().map(|d| char::from(b'0' + d)));
        text.push('e');
        text.push_str(&self.exp.to_string());
        text.parse().unwrap_or(0.0)
    }

    pub(super) fn add(&self, other: &Decimal) -> Decimal {
        let exp = self.exp.min(other.exp);
        let a = shift(&self.digits, self.exp - exp);
        let b = shift(&other.digits, other.exp - exp);
        let (neg, digits) = if self.neg == other.neg {
            (self.neg, mag_add(&a, &b))
        } else {
            match mag_cmp(&a, &b) {
                Ordering::Less => (other.neg, mag_sub(&b, &a)),
                _ => (self.neg, mag_sub(&a, &b)),
            }
        };
        Decimal { neg, digits, exp }.normal()
    }

    pub(super) fn sub(&self, other: &Decimal) -> Decimal {
        let mut negated = other.clone();
        negated.neg = !negated.neg;
        self.add(&negated)
    }

    pub(super) fn mul(&self, other: &Decimal) -> Decimal {
        Decimal {
            neg: self.neg != other.neg,
            digits: mag_mul(&self.digits, &other.digits),
            exp: self.exp + other.exp,
        }
        .normal()
    }

    /// shopspring's `Div`: the quotient rounded half away from zero to 16 decimal places.
    pub(super) fn div(&self, other: &Decimal) -> Result<Decimal, String> {
        if other.digits.is_empty() {
            return Err("decimal division by 0".to_string());
        }
        // q = a / b scaled by 10^16, so that an integer division gives the wanted digits.
        let scale = self.exp - other.exp + DIVISION_PRECISION;
        let (num, den) = if scale >= 0 {
            (shift(&self.digits, scale), other.digits.clone())
        } else {
            (self.digits.clone(), shift(&other.digits, -scale))
        };
        let (mut q, r) = mag_divmod(&num, &den);
        if mag_cmp(&mag_add(&r, &r), &den) != Ordering::Less {
            q = mag_add(&q, &[1]);
        }
        Ok(Decimal {
            neg: self.neg != other.neg,
            digits: q,
            exp: -DIVISION_PRECISION,
        }
        .normal())
    }

    /// Zero is never negative, so that its float is +0 as in Go.
    fn normal(mut self) -> Decimal {
        if self.digits.is_empty() {
            self.neg = false;
        }
        self
    }
}

fn trim(mut digits: Vec<u8>) -> Vec<u8> {
    while digits.last() == Some(&0) {
        digits.pop();
    }
    digits
}

/// `digits × 10^n`.
fn shift(digits: &[u8], n: i64) -> Vec<u8> {
    if digits.is_empty() {
        return Vec::new();
    }
    let mut out = vec![0; n as usize];
    out.extend_from_slice(digits);
    out
}

fn mag_cmp(a: &[u8], b: &[u8]) -> Ordering {
    a.len()
        .cmp(&b.len())
        .then_with(|| a.iter().rev().cmp(b.iter().rev()))
}

fn mag_add(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len().max(b.len()) + 1);
    let mut carry = 0;
    for i in 0..a.len().max(b.len()) {
        let s = a.get(i).copied().unwrap_or(0) + b.get(i).copied().unwrap_or(0) + carry;
        out.push(s % 10);
        carry = s / 10;
    }
    if carry > 0 {
        out.push(carry);
    }
    trim(out)
}

/// `a - b` for `a >= b`.
fn mag_sub(a: &[u8], b: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(a.len());
    let mut borrow = 0i8;
    for (i, &x) in a.iter().enumerate() {
        let mut d = x as i8 - b.get(i).copied().unwrap_or(0) as i8 - borrow;
        borrow = 0;
        if d < 0 {
            d += 10;
            borrow = 1;
        }
        out.push(d as u8);
    }
    trim(out)
}

fn mag_mul(a: &[u8], b: &[u8]) -> Vec<u8> {
    if a.is_empty() || b.is_empty() {
        return Vec::new();
    }
    let mut acc = vec![0u32; a.len() + b.len()];
    for (i, &x) in a.iter().enumerate() {
        for (j, &y) in b.iter().enumerate() {
            acc[i + j] += u32::from(x) * u32::from(y);
        }
        // Normalise per row so that the accumulators cannot overflow on long inputs.
        let mut carry = 0;
        for slot in acc.iter_mut() {
            let v = *slot + carry;
            *slot = v % 10;
            carry = v / 10;
        }
    }
    trim(acc.into_iter().map(|d| d as u8).collect())
}

/// Schoolbook long division: `(a / b, a % b)` for `b > 0`.
fn mag_divmod(a: &[u8], b: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let mut quotient = Vec::with_capacity(a.len());
    let mut rem: Vec<u8> = Vec::new();
    for &d in a.iter().rev() {
        rem.insert(0, d);
        rem = trim(rem);
        let mut count = 0;
        while mag_cmp(&rem, b) != Ordering::Less {
            rem = mag_sub(&rem, b);
            count += 1;
        }
        quotient.push(count);
    }
    quotient.reverse();
    (trim(quotient), rem)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(f: f64) -> Decimal {
        Decimal::from_f64(f).unwrap()
    }

    #[test]
    fn exact_decimal_arithmetic() {
        assert_eq!(d(0.1).add(&d(0.2)).to_f64(), 0.3);
        assert_eq!(d(1.0).sub(&d(0.9)).to_f64(), 0.1);
        assert_eq!(d(1.1).mul(&d(3.0)).to_f64(), 3.3);
        assert_eq!(d(1e300).mul(&d(1e300)).to_f64(), f64::INFINITY);
        assert_eq!(d(-2.5).add(&d(2.5)).to_f64().to_bits(), 0f64.to_bits());
    }

    #[test]
    fn division_rounds_at_sixteen_places() {
        assert_eq!(d(1.0).div(&d(3.0)).unwrap().to_f64(), 0.3333333333333333);
        assert_eq!(d(2.0).div(&d(3.0)).unwrap().to_f64(), 0.6666666666666667);
        assert_eq!(d(-2.0).div(&d(3.0)).unwrap().to_f64(), -0.6666666666666667);
        assert_eq!(d(1e-20).div(&d(3.0)).unwrap().to_f64(), 0.0);
        assert_eq!(d(10.0).div(&d(4.0)).unwrap().to_f64(), 2.5);
        assert_eq!(d(1.0).div(&d(0.0)).unwrap_err(), "decimal division by 0");
    }
}
