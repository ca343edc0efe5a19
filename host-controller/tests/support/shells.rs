//! Syntax checks of completion scripts by the real shells (`bash -n`, `zsh -n`,
//! `fish --no-execute`, PowerShell's parser), shared by the CLI tests of both binaries
//! (`host-cli/tests/cli.rs` includes this file with `#[path]`). scripts/setup.sh installs
//! zsh and fish; a shell that is still missing is skipped with a line that says so.

use std::path::Path;
use std::process::Command;

/// The shells checked: `clap_complete`'s name, and the command that parses a file without running
/// it (the file's path is appended).
pub const SHELLS: &[(&str, &[&str])] = &[
    ("bash", &["bash", "-n"]),
    ("zsh", &["zsh", "-n"]),
    ("fish", &["fish", "--no-execute"]),
    (
        "powershell",
        &[
            "pwsh",
            "-NoProfile",
            "-Command",
            "$e = $null; [System.Management.Automation.Language.Parser]::ParseFile($args[0], \
             [ref]$null, [ref]$e) > $null; if ($e) { $e; exit 1 }",
        ],
    ),
];

/// Whether `program` can be run.
fn installed(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Generates the completion script of `binary` for every shell, checks that it completes the
/// binary's subcommands, and has each installed shell parse it. Returns the shells checked.
pub fn check_completions(
    binary: &Path,
    name: &str,
    subcommands: &[&str],
    dir: &Path,
) -> Vec<String> {
    let mut checked = Vec::new();
    for (shell, parse) in SHELLS {
        let out = Command::new(binary)
            .args(["completion", shell])
            .output()
            .expect("run the binary");
        assert_eq!(out.status.code(), Some(0), "completion {shell}: {out:?}");
        let script = String::from_utf8(out.stdout).expect("UTF-8 script");
        assert!(
            script.contains(name),
            "{shell}: the script does not name {name}"
        );
        for sub in subcommands {
            assert!(script.contains(sub), "{shell}: {sub} is not completed");
        }
        let path = dir.join(format!("{name}.{shell}"));
        std::fs::write(&path, &script).expect("write the script");
        if !installed(parse[0]) {
            println!(
                "skipped: {} is not installed, the {shell} script is not parsed",
                parse[0]
            );
            continue;
        }
        let out = Command::new(parse[0])
            .args(&parse[1..])
            .arg(&path)
            .output()
            .expect("run the shell");
        assert!(
            out.status.success() && out.stderr.is_empty(),
            "{shell} rejects the completion script of {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        checked.push(shell.to_string());
    }
    checked
}
