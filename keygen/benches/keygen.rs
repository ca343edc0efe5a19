//! RSA key generation against Go's (`cargo bench --workspace --bench keygen`).
//!
//! Times `keygen::rsa_pkcs1_der` for 2048- and 4096-bit keys, one key per seed, side by side
//! with Go's `crypto/rsa.GenerateKey` (what Sprig's `genPrivateKey "rsa"` and `genCA` call, and so
//! helm): the two take turns key by key, so that both see the same machine. Go's side is the
//! small program in `bench/keygen`, built here with the installed Go toolchain (`PLANTON_GO`, else
//! `go` on the PATH, else /usr/local/go/bin/go) and kept running, so that neither side pays a
//! process start. Prints, per key size, the medians and the totals of wall and CPU time (user +
//! system of the whole process, every thread) and Go's over ours. A prime search's length is
//! random (the first prime after a random start), so a key's time varies by several times from
//! seed to seed, on both sides: the totals are the steadier comparison.
//!
//! `KEYGEN_BENCH_KEYS=N` sets the number of keys per size (default 24 at 2048 bits and a third as
//! many at 4096); `KEYGEN_BENCH_BITS=2048` (or 4096) keeps one size.

use std::io::{BufRead as _, BufReader, Write as _};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn main() {
    let keys: usize = std::env::var("KEYGEN_BENCH_KEYS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(24);
    let only: Option<u32> = std::env::var("KEYGEN_BENCH_BITS")
        .ok()
        .and_then(|n| n.parse().ok());
    let go = build_go();
    let mut child = Command::new(&go)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", go.display()));
    let mut to_go = child.stdin.take().expect("stdin");
    let mut from_go = BufReader::new(child.stdout.take().expect("stdout"));
    let mut go_key = |bits: u32| {
        writeln!(to_go, "{bits}").expect("write to Go");
        let mut line = String::new();
        from_go.read_line(&mut line).expect("read from Go");
        let mut times = line.split_whitespace().map(|n| {
            Duration::from_nanos(n.parse().unwrap_or_else(|_| panic!("Go said {line:?}")))
        });
        (times.next().expect("wall"), times.next().expect("cpu"))
    };

    println!(
        "| key | keys | ours wall median / total | Go wall median / total | Go/ours wall (median, total) | ours CPU median / total | Go CPU median / total | Go/ours CPU (median, total) |"
    );
    println!("| --- | --- | --- | --- | --- | --- | --- | --- |");
    for (bits, n) in [(2048u32, keys), (4096, keys.div_ceil(3))] {
        if only.is_some_and(|only| only != bits) {
            continue;
        }
        // One key each first, so that the sieve's table and Go's first allocations are not timed.
        keygen::rsa_pkcs1_der(bits, &[0xff; 32], None).expect("warm-up key");
        go_key(bits);
        let (mut ours, mut theirs) = (Times::default(), Times::default());
        for i in 0..n {
            let mut seed = [0u8; 32];
            seed[..8].copy_from_slice(&(i as u64).to_le_bytes());
            seed[8..12].copy_from_slice(&bits.to_le_bytes());
            let (wall, cpu) = (Instant::now(), cpu());
            keygen::rsa_pkcs1_der(bits, &seed, None).expect("key");
            ours.push(wall.elapsed(), self::cpu() - cpu);
            let (wall, cpu) = go_key(bits);
            theirs.push(wall, cpu);
        }
        let (ow, oc) = ours.summary();
        let (gw, gc) = theirs.summary();
        println!(
            "| RSA {bits} | {n} | {} | {} |",
            side_by_side(ow, gw),
            side_by_side(oc, gc)
        );
    }
    drop(to_go);
    child.wait().expect("Go exits");
}

#[derive(Default)]
struct Times {
    wall: Vec<Duration>,
    cpu: Vec<Duration>,
}

impl Times {
    fn push(&mut self, wall: Duration, cpu: Duration) {
        self.wall.push(wall);
        self.cpu.push(cpu);
    }

    /// (median, total) of wall and of CPU time.
    fn summary(mut self) -> ((Duration, Duration), (Duration, Duration)) {
        let summary = |v: &mut Vec<Duration>| {
            v.sort();
            (v[v.len() / 2], v.iter().sum())
        };
        (summary(&mut self.wall), summary(&mut self.cpu))
    }
}

/// Ours and Go's (median, total), then Go/ours of each: three columns of the table.
fn side_by_side(ours: (Duration, Duration), go: (Duration, Duration)) -> String {
    format!(
        "{} / {} | {} / {} | {:.2}x, {:.2}x",
        ms(ours.0),
        ms(ours.1),
        ms(go.0),
        ms(go.1),
        ratio(go.0, ours.0),
        ratio(go.1, ours.1),
    )
}

fn ratio(a: Duration, b: Duration) -> f64 {
    a.as_secs_f64() / b.as_secs_f64()
}

fn ms(d: Duration) -> String {
    format!("{:.0} ms", d.as_secs_f64() * 1e3)
}

/// The process's user plus system time so far, every thread's (the search's threads have been
/// joined when a key returns, and their time stays counted).
fn cpu() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a `rusage` into the pointer it is given, which is valid and
    // large enough; RUSAGE_SELF cannot fail.
    #[allow(unsafe_code)]
    let usage = unsafe {
        assert_eq!(libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr()), 0);
        usage.assume_init()
    };
    let time = |t: libc::timeval| {
        Duration::from_secs(t.tv_sec as u64) + Duration::from_micros(t.tv_usec as u64)
    };
    time(usage.ru_utime) + time(usage.ru_stime)
}

/// Builds bench/keygen into the bench's scratch directory with the installed Go toolchain.
fn build_go() -> PathBuf {
    let go = std::env::var_os("PLANTON_GO")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("PATH").and_then(|path| {
                std::env::split_paths(&path)
                    .map(|dir| dir.join("go"))
                    .find(|go| go.is_file())
            })
        })
        .unwrap_or_else(|| PathBuf::from("/usr/local/go/bin/go"));
    let source = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../bench/keygen");
    let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("keygen-go");
    let status = Command::new(&go)
        .args(["build", "-trimpath", "-o"])
        .arg(&out)
        .arg(".")
        .current_dir(&source)
        // The module asks for the installed toolchain's version; never download another.
        .env("GOTOOLCHAIN", "local")
        .status()
        .unwrap_or_else(|e| {
            panic!(
                "{}: {e} (install Go or set PLANTON_GO to the go binary)",
                go.display()
            )
        });
    assert!(status.success(), "go build of {} failed", source.display());
    out
}
