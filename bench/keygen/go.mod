// Bench-only: Go's crypto/rsa.GenerateKey as the peer of the keygen crate's benchmark
// (keygen/benches/keygen.rs builds and drives it; docs/benchmarks.md). Never built by the test
// command or CI.
module planton-helm/bench/keygen

go 1.26
