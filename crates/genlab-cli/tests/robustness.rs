//! The robustness harness: every subcommand `genlab --help` lists, every flag its own `--help`
//! lists, fed values a user might type by mistake (0, -1, NaN, inf, 1e30, an empty string;
//! for paths a missing file, a folder, an empty file, random bytes, a run of every family and
//! a run with a truncated checkpoint; for names a made-up one).
//! Whatever the value, genlab must answer with a result or an error message, never a panic
//! and never a hang; an error names the flag, the value or the file. Each call starts from a
//! quick base command (one step, one epoch, tiny runs made here), so an accepted value costs
//! seconds.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
#[path = "robustness/values.rs"]
mod values;

use values::{Fixtures, OUTPUTS, must_refuse};

const BIN: &str = env!("CARGO_BIN_EXE_genlab");
/// Far above any base command here (a few seconds); a call still running is a hang.
const LIMIT: Duration = Duration::from_secs(120);

/// `genlab <cmd> --help`, parsed: subcommand names, and (flag, value name) pairs.
fn help(cmd: &[&str]) -> (Vec<String>, Vec<(String, String)>) {
    let out = Command::new(BIN).args(cmd).arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let mut subs = Vec::new();
    let mut in_commands = false;
    for line in text.lines() {
        if line.starts_with("Commands:") {
            in_commands = true;
            continue;
        }
        if in_commands {
            match line.split_whitespace().next() {
                Some(name) if line.starts_with("  ") && name != "help" => {
                    subs.push(name.to_string())
                }
                Some(_) => {}
                None => in_commands = false,
            }
        }
    }
    let mut flags = Vec::new();
    for line in text.lines() {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix("--") {
            let mut parts = rest.split_whitespace();
            let (Some(flag), Some(value)) = (parts.next(), parts.next()) else { continue };
            if let Some(value) = value.strip_prefix('<').and_then(|v| v.strip_suffix('>'))
                && flag != "device"
            {
                flags.push((flag.to_string(), value.to_string()));
            }
        }
    }
    (subs, flags)
}

/// A leaf subcommand's path (`["gpt", "train"]`) and its value flags (name, placeholder).
type Leaf = (Vec<String>, Vec<(String, String)>);

/// Every leaf subcommand with its value flags.
fn leaves() -> Vec<Leaf> {
    let mut out = Vec::new();
    let (top, _) = help(&[]);
    for c in top {
        let (subs, flags) = help(&[&c]);
        if subs.is_empty() {
            out.push((vec![c.clone()], flags));
        }
        for s in subs {
            let (_, flags) = help(&[&c, &s]);
            out.push((vec![c.clone(), s], flags));
        }
    }
    out
}

/// Every regular file under `dir`: a refused command must leave none behind.
fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path.strip_prefix(dir).unwrap_or(&path).display().to_string());
            }
        }
    }
    out
}

/// Runs genlab with `args`, killing it past [`LIMIT`]: (exit code, stderr, seconds).
fn run_limited(args: &[String], cwd: &Path) -> (Option<i32>, String, f64) {
    let started = Instant::now();
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(cwd)
        .env("GENLAB_NO_PROGRESS", "1")
        .env_remove("GENLAB_DEVICE")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let err = reader.join().unwrap();
            return (status.code(), err, started.elapsed().as_secs_f64());
        }
        if started.elapsed() > LIMIT {
            child.kill().unwrap();
            child.wait().unwrap();
            return (None, reader.join().unwrap(), started.elapsed().as_secs_f64());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn every_flag_survives_bad_values() {
    let fixtures = Fixtures::new();
    let mut problems = Vec::new();
    let mut calls = 0usize;
    for (cmd, flags) in leaves() {
        let cmd_ref: Vec<&str> = cmd.iter().map(String::as_str).collect();
        // Where the base command itself fails (ae attribute needs a faces run), only panics
        // and hangs are looked for: its error is about the run, not the flag.
        let base_ok = {
            let work = tempfile::tempdir().unwrap();
            let out = work.path().join("out").to_string_lossy().into_owned();
            let mut args = cmd.clone();
            args.extend(fixtures.base(&cmd_ref, &out));
            run_limited(&args, work.path()).0 == Some(0)
        };
        for (flag, value_name) in &flags {
            for value in fixtures.bad_values(value_name) {
                let work = tempfile::tempdir().unwrap();
                let out = work.path().join("out").to_string_lossy().into_owned();
                // Output flags get a folder in a missing folder: written, or refused by name.
                let value = if OUTPUTS.contains(&value_name.as_str()) {
                    work.path().join("new/folder/out").to_string_lossy().into_owned()
                } else {
                    value
                };
                let mut args: Vec<String> = cmd.clone();
                let base = fixtures.base(&cmd_ref, &out);
                // The flag under test replaces its value in the base command.
                let mut skip = false;
                for a in base {
                    if skip {
                        skip = false;
                        continue;
                    }
                    if a == format!("--{flag}") {
                        skip = true;
                        continue;
                    }
                    args.push(a);
                }
                args.push(format!("--{flag}"));
                args.push(value.clone());
                let (code, err, secs) = run_limited(&args, work.path());
                calls += 1;
                let shown = format!("genlab {} ({secs:.1} s)", args.join(" "));
                match code {
                    None => problems.push(format!("HANG past {LIMIT:?}: {shown}")),
                    Some(101) => problems.push(format!("PANIC: {shown}\n{err}")),
                    _ if err.contains("panicked at") => {
                        problems.push(format!("PANIC: {shown}\n{err}"))
                    }
                    Some(0) if must_refuse(value_name, &value, &fixtures) => {
                        problems.push(format!("ACCEPTED: {shown}"));
                    }
                    Some(0) => {}
                    Some(_) if !base_ok || err.contains("loss became") => {}
                    Some(_) if !files_under(work.path()).is_empty() => {
                        let left = files_under(work.path());
                        problems.push(format!("LEFT FILES {left:?}: {shown}\n{err}"));
                    }
                    Some(_) => {
                        let snake = flag.replace('-', "_");
                        let names = err.contains(flag.as_str())
                            || err.contains(&snake)
                            || (!value.is_empty() && err.contains(value.as_str()))
                            || err.contains(&format!(
                                "`{}`",
                                flag.split('-').next_back().unwrap_or("")
                            ));
                        if !names {
                            problems.push(format!("UNNAMED: {shown}\n{err}"));
                        }
                    }
                }
            }
        }
    }
    eprintln!("robustness: {calls} calls, {} problems", problems.len());
    assert!(calls >= 500, "only {calls} bad invocations");
    assert!(problems.is_empty(), "{} problems:\n{}", problems.len(), problems.join("\n\n"));
}
