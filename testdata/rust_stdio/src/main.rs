//! Test guest for the WASI host: a plain Rust std program built for
//! wasm32-wasip1 by scripts/build_guests.sh. The first argument picks the
//! behaviour; see `usage()`.

use std::io::{self, BufRead, Read, Write};
use std::process;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

const USAGE: &str = "usage: rust_stdio <command> [arg]
commands:
  echo              copy stdin to stdout until EOF
  lines             print `got: <line>` for each stdin line, flushing each
  args              print each argv element (argv[0] included) on its own line
  env               print every environment variable as K=V
  sleep MS          sleep MS milliseconds, then print `slept MS`
  clocks            print `realtime <ns>` and `monotonic_ok <bool>`
  random N          print N random bytes as lowercase hex
  exit N            exit with status N
  stderr TEXT       write TEXT and a newline to stderr
  panic             panic
  stdout_flood N    write N bytes of 'x' to stdout in 64 KiB chunks";

fn usage() -> ! {
    eprintln!("{USAGE}");
    process::exit(2);
}

fn number_arg<T: std::str::FromStr>(arg: Option<&String>) -> T {
    match arg.and_then(|s| s.parse().ok()) {
        Some(n) => n,
        None => usage(),
    }
}

fn echo() -> io::Result<()> {
    let mut stdin = io::stdin().lock();
    let mut stdout = io::stdout().lock();
    let mut buf = [0u8; 4096];
    loop {
        let n = stdin.read(&mut buf)?;
        if n == 0 {
            return Ok(());
        }
        stdout.write_all(&buf[..n])?;
        stdout.flush()?;
    }
}

fn lines() -> io::Result<()> {
    let mut stdin = io::stdin().lock();
    let mut stdout = io::stdout().lock();
    let mut line = String::new();
    loop {
        line.clear();
        if stdin.read_line(&mut line)? == 0 {
            return Ok(());
        }
        let text = line.strip_suffix('\n').unwrap_or(&line);
        let text = text.strip_suffix('\r').unwrap_or(text);
        writeln!(stdout, "got: {text}")?;
        stdout.flush()?;
    }
}

fn clocks() {
    let realtime = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    println!("realtime {realtime}");
    let start = Instant::now();
    thread::sleep(Duration::from_millis(5));
    let elapsed = Instant::now().duration_since(start);
    println!("monotonic_ok {}", elapsed >= Duration::from_millis(5));
}

#[cfg(target_os = "wasi")]
fn fill_random(buf: &mut [u8]) -> Result<(), i32> {
    #[link(wasm_import_module = "wasi_snapshot_preview1")]
    extern "C" {
        // Same wasm signature as std's own import: (i32, i32) -> i32 errno.
        fn random_get(buf: *mut u8, len: usize) -> i32;
    }
    // SAFETY: the pointer and length describe a live, writable buffer.
    match unsafe { random_get(buf.as_mut_ptr(), buf.len()) } {
        0 => Ok(()),
        errno => Err(errno),
    }
}

/// Native builds (for `cargo clippy` / tests on the host) read the OS source.
#[cfg(not(target_os = "wasi"))]
fn fill_random(buf: &mut [u8]) -> Result<(), i32> {
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(buf))
        .map_err(|_| 5)
}

fn random(n: usize) {
    let mut buf = vec![0u8; n];
    if let Err(errno) = fill_random(&mut buf) {
        eprintln!("random_get failed: errno {errno}");
        process::exit(1);
    }
    let hex: String = buf.iter().map(|b| format!("{b:02x}")).collect();
    println!("{hex}");
}

fn stdout_flood(mut n: u64) -> io::Result<()> {
    let chunk = [b'x'; 64 * 1024];
    let mut stdout = io::stdout().lock();
    while n > 0 {
        let len = n.min(chunk.len() as u64) as usize;
        stdout.write_all(&chunk[..len])?;
        n -= len as u64;
    }
    stdout.flush()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let result = match args.get(1).map(String::as_str) {
        Some("echo") => echo(),
        Some("lines") => lines(),
        Some("args") => {
            for arg in &args {
                println!("{arg}");
            }
            Ok(())
        }
        Some("env") => {
            for (key, value) in std::env::vars() {
                println!("{key}={value}");
            }
            Ok(())
        }
        Some("sleep") => {
            let ms: u64 = number_arg(args.get(2));
            thread::sleep(Duration::from_millis(ms));
            println!("slept {ms}");
            Ok(())
        }
        Some("clocks") => {
            clocks();
            Ok(())
        }
        Some("random") => {
            random(number_arg(args.get(2)));
            Ok(())
        }
        Some("exit") => process::exit(number_arg(args.get(2))),
        Some("stderr") => {
            let text = args.get(2).map(String::as_str).unwrap_or("");
            eprintln!("{text}");
            Ok(())
        }
        Some("panic") => panic!("boom from guest"),
        Some("stdout_flood") => stdout_flood(number_arg(args.get(2))),
        _ => usage(),
    };
    if let Err(err) = result {
        eprintln!("rust_stdio: {err}");
        process::exit(1);
    }
}
