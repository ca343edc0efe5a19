//! Shell words: splitting case-file lines, and checking completion scripts with real shells.
//!
//! Syntax checks of completion scripts by the real shells (`bash -n`, `zsh -n`,
//! `fish --no-execute`, PowerShell's parser), shared by the CLI tests of both binaries
//! (`host-cli/tests/cli.rs`, `host-controller/tests/cli.rs`). scripts/setup.sh installs
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

/// Splits a line into words as a POSIX shell does, without expansions: whitespace separates,
/// `'...'` quotes literally, `"..."` quotes with `\` escaping, and `\` escapes outside quotes.
/// Enough to write `--set 'a=x y'` in a case file.
pub fn shell_words(line: &str) -> Result<Vec<String>, String> {
    split(line, true)
}

/// Splits a line at whitespace with `'...'` and `"..."` quoting (`\` escapes inside `"..."`
/// only): the differential case files' `@flags`, where a `\` outside quotes is Helm's own
/// escape (`--set a\.b=x`) and must reach helm as written.
pub fn quoted_words(line: &str) -> Result<Vec<String>, String> {
    split(line, false)
}

fn split(line: &str, escape_outside_quotes: bool) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => cur.push(c),
                        None => return Err("unterminated '".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => cur.push(chars.next().ok_or("trailing \\")?),
                        Some(c) => cur.push(c),
                        None => return Err("unterminated \"".into()),
                    }
                }
            }
            '\\' if escape_outside_quotes => {
                in_word = true;
                cur.push(chars.next().ok_or("trailing \\")?);
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_words_quote_like_sh() {
        assert_eq!(
            shell_words(r#"a 'b c' "d \" e" f\ g --set x={a,b}"#).unwrap(),
            ["a", "b c", "d \" e", "f g", "--set", "x={a,b}"]
        );
        assert_eq!(
            shell_words(r#"a 'b c' "d\"e" f\ g 'h\,i'"#).unwrap(),
            ["a", "b c", "d\"e", "f g", "h\\,i"]
        );
        assert!(shell_words("'open").is_err());
        assert!(shell_words("end\\").is_err());
    }

    #[test]
    fn quoted_words_keep_helms_backslashes() {
        assert_eq!(
            quoted_words(r#"--set arr={a\,b} --set 'c\,d=2' "e\"f""#).unwrap(),
            ["--set", "arr={a\\,b}", "--set", "c\\,d=2", "e\"f"]
        );
        assert_eq!(quoted_words("'open"), Err("unterminated '".to_string()));
        assert_eq!(quoted_words("\"open"), Err("unterminated \"".to_string()));
    }
}
