//! Sprig: defaults functions.

use crate::funcs::Func;

pub(super) fn register(_out: &mut Vec<Func>) {}
