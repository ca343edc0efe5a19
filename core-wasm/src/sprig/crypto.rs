//! Sprig: random strings, UUIDs, hashes of passwords, keys and certificates.

use crate::funcs::Func;

pub(super) fn register(_out: &mut Vec<Func>) {}
