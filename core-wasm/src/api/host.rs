//! The native mirror of `wit/core.wit`'s `host` interface: all the core may ask of the world.

/// What a function may ask of the world outside the template: randomness, time and `lookup`.
/// Everything goes through the host, so that a render can be made reproducible.
pub trait Host {
    /// `lookup`: the object as JSON text, or `None`; a `name` of `None` asks for a list, a
    /// `namespace` of `None` means every namespace (or a cluster-scoped kind).
    fn lookup(
        &mut self,
        api_version: &str,
        kind: &str,
        namespace: Option<&str>,
        name: Option<&str>,
    ) -> Option<String>;
    /// The seed for this render's random source.
    fn random_seed(&mut self) -> u64;
    /// Seconds and nanoseconds since the Unix epoch, UTC.
    fn now(&mut self) -> (i64, u32);
    /// An RSA private key of `bits` bits as PKCS#1 DER, derived from `seed` alone (WIT
    /// `generate-rsa-key`: every host generates keys natively, with the `keygen` crate).
    fn generate_rsa_key(&mut self, bits: u32, seed: &[u8; 32]) -> Result<Vec<u8>, String>;
    /// A DSA private key over fresh L2048N256 parameters as Sprig's `DSAKeyFormat` DER, derived
    /// from `seed` alone (WIT `generate-dsa-key`).
    fn generate_dsa_key(&mut self, seed: &[u8; 32]) -> Result<Vec<u8>, String>;
    /// The PKCS#1 v1.5 signature of the SHA-256 `digest` with the RSA key `key` (PKCS#1 DER)
    /// (WIT `sign-rsa`: every host signs natively, with the `keygen` crate).
    fn sign_rsa(&mut self, key: &[u8], digest: &[u8]) -> Result<Vec<u8>, String>;
}

/// A host for pure unit tests: fixed seed and time, `lookup` answers nothing (as `helm template`),
/// keys and RSA signatures from the `keygen` crate as the product's hosts make them. Native only: the component's
/// host is the WIT import.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug, Clone)]
pub struct FixedHost {
    pub seed: u64,
    pub now: (i64, u32),
}

#[cfg(not(target_arch = "wasm32"))]
impl Default for FixedHost {
    fn default() -> Self {
        // 2026-01-02T03:04:05.123456789Z: every field distinct, so date layouts are checkable.
        FixedHost {
            seed: 42,
            now: (1_767_323_045, 123_456_789),
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl Host for FixedHost {
    fn lookup(&mut self, _: &str, _: &str, _: Option<&str>, _: Option<&str>) -> Option<String> {
        None
    }
    fn random_seed(&mut self) -> u64 {
        self.seed
    }
    fn now(&mut self) -> (i64, u32) {
        self.now
    }
    fn generate_rsa_key(&mut self, bits: u32, seed: &[u8; 32]) -> Result<Vec<u8>, String> {
        keygen::rsa_pkcs1_der(bits, seed, None).map_err(|e| e.to_string())
    }
    fn generate_dsa_key(&mut self, seed: &[u8; 32]) -> Result<Vec<u8>, String> {
        keygen::dsa_der(seed, None).map_err(|e| e.to_string())
    }
    fn sign_rsa(&mut self, key: &[u8], digest: &[u8]) -> Result<Vec<u8>, String> {
        keygen::rsa_sign_sha256(key, digest, None).map_err(|e| e.to_string())
    }
}
