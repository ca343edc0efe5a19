//! Helpers shared by the cross-crate tests: the oracle `helm`, test servers.

#![forbid(unsafe_code)]

pub mod differential;
