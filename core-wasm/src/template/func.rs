//! What a template function is: its Go signature, its implementation and the context it runs
//! in ([`Ctx`]: the host, the render's random source and clock), and the map the executor looks
//! names up in.
//!
//! A function declares its parameters as Go types ([`Ty`]); the executor checks and converts the
//! arguments exactly as text/template's reflection does (so `nindent (add 1 1) "x"` fails with
//! `wrong type for value; expected int; got int64`, as in Helm) before calling it. A function's
//! `Err(msg)` becomes `error calling <name>: <msg>`.
//!
//! Functions that need the executor itself (`include`, `tpl`, `template`, `and`, `or`, `call`) are
//! implemented in the executor, not here.

use std::collections::HashMap;

use rustc_hash::FxBuildHasher;

use crate::api::host::Host;
use crate::value::{Sig, Ty, Value};

/// A small, fast, seedable generator (xoshiro256**). Not cryptographic: the sandbox's output only
/// needs Helm's shapes, and reproducibility when the host fixes the seed.
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        // SplitMix64 expands the seed so that nearby seeds give unrelated streams.
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng {
            s: [next(), next(), next(), next()],
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        let result = self.s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = self.s[1] << 17;
        self.s[2] ^= self.s[0];
        self.s[3] ^= self.s[1];
        self.s[1] ^= self.s[2];
        self.s[0] ^= self.s[3];
        self.s[2] ^= t;
        self.s[3] = self.s[3].rotate_left(45);
        result
    }

    /// A uniform integer in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        // Rejection sampling keeps the distribution uniform.
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let v = self.next_u64();
            if v < zone {
                return v % n;
            }
        }
    }

    pub fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}

/// What a function gets besides its arguments.
pub struct Ctx<'a> {
    pub host: &'a mut dyn Host,
    pub rng: Rng,
    /// The render's clock reading, taken once so that one render sees one time.
    pub now: (i64, u32),
}

impl<'a> Ctx<'a> {
    pub fn new(host: &'a mut dyn Host) -> Ctx<'a> {
        let seed = host.random_seed();
        let now = host.now();
        Ctx {
            host,
            rng: Rng::new(seed),
            now,
        }
    }
}

/// A function's implementation: arguments already checked against its [`Sig`].
pub type FuncImpl = fn(&mut Ctx<'_>, Vec<Value>) -> Result<Value, String>;

/// One entry of the function map.
#[derive(Clone, Copy)]
pub struct Func {
    pub name: &'static str,
    pub sig: Sig,
    pub call: FuncImpl,
}

impl Func {
    /// A function with fixed parameters.
    pub const fn new(name: &'static str, params: &'static [Ty], call: FuncImpl) -> Func {
        Func {
            name,
            sig: Sig {
                params,
                variadic: None,
            },
            call,
        }
    }

    /// A function whose last parameter is `...variadic`.
    pub const fn variadic(
        name: &'static str,
        params: &'static [Ty],
        variadic: Ty,
        call: FuncImpl,
    ) -> Func {
        Func {
            name,
            sig: Sig {
                params,
                variadic: Some(variadic),
            },
            call,
        }
    }
}

/// A function map: the functions a template may call by name. The registry (`funcs.rs`) builds the one
/// Helm gives charts.
pub struct FuncMap {
    funcs: HashMap<&'static str, Func, FxBuildHasher>,
}

impl FuncMap {
    /// The map of `all`; of two functions with one name, the later registered wins.
    pub fn from_funcs(all: Vec<Func>) -> FuncMap {
        let mut funcs = HashMap::with_capacity_and_hasher(all.len(), FxBuildHasher);
        for f in all {
            // Later registrations win, so Helm's own functions can override Sprig's.
            funcs.insert(f.name, f);
        }
        FuncMap { funcs }
    }

    pub fn get(&self, name: &str) -> Option<&Func> {
        self.funcs.get(name)
    }

    pub fn contains(&self, name: &str) -> bool {
        self.funcs.contains_key(name)
    }

    /// Every name in the map (unordered).
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.funcs.keys().copied()
    }
}

/// Helm's `warnWrap`: the markers its error formatting looks for to print `execution error at
/// (file:line:col): msg` instead of the whole chain.
pub fn warn_wrap(msg: &str) -> String {
    format!("HELM_ERR_START{msg}HELM_ERR_END")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_is_reproducible_and_spread() {
        let mut a = Rng::new(7);
        let mut b = Rng::new(7);
        let xs: Vec<u64> = (0..4).map(|_| a.next_u64()).collect();
        let ys: Vec<u64> = (0..4).map(|_| b.next_u64()).collect();
        assert_eq!(xs, ys);
        assert_ne!(Rng::new(8).next_u64(), xs[0]);
        let mut c = Rng::new(1);
        assert!((0..1000).all(|_| c.below(10) < 10));
    }
}
