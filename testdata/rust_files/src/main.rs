//! Test guest for the WASI host's opt-in directory (`files`): a plain Rust
//! std program built for wasm32-wasip1 by scripts/build_guests.sh. It runs
//! the operations its arguments name, in turn, one output line each.

use std::io;
use std::process;

const USAGE: &str = "usage: rust_files OP ARGS... [OP ARGS...]...
operations (one output line each; errors as `OP P: errno N`):
  cat P             print the file as text (std::fs::read_to_string)
  write P TEXT      create or truncate P and write TEXT (std::fs::write)
  ls P              list the directory, sorted; directories end in /
  mkdir P           std::fs::create_dir
  rm P              std::fs::remove_file";

fn usage() -> ! {
    eprintln!("{USAGE}");
    process::exit(2);
}

/// The WASI errno of an I/O error (wasi-libc's errno values are WASI's).
fn errno(err: &io::Error) -> i32 {
    err.raw_os_error().unwrap_or(-1)
}

fn list(path: &str) -> io::Result<String> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(path)? {
        let entry = entry?;
        let slash = if entry.file_type()?.is_dir() { "/" } else { "" };
        names.push(format!("{}{slash}", entry.file_name().to_string_lossy()));
    }
    names.sort();
    Ok(names.join(" "))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.is_empty() {
        usage();
    }
    let mut ok = true;
    let mut ops = args.iter();
    while let Some(op) = ops.next() {
        let path = ops.next().unwrap_or_else(|| usage());
        let result = match op.as_str() {
            "cat" => std::fs::read_to_string(path),
            "write" => {
                let text = ops.next().unwrap_or_else(|| usage());
                std::fs::write(path, text).map(|()| format!("{} bytes", text.len()))
            }
            "ls" => list(path),
            "mkdir" => std::fs::create_dir(path).map(|()| "ok".to_string()),
            "rm" => std::fs::remove_file(path).map(|()| "ok".to_string()),
            _ => usage(),
        };
        match result {
            Ok(text) => println!("{op} {path}: {text}"),
            Err(err) => {
                println!("{op} {path}: errno {}", errno(&err));
                ok = false;
            }
        }
    }
    if !ok {
        process::exit(1);
    }
}
