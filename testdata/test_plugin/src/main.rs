//! Test plugin for the host's plugin layer: a wasm32-wasip1 program built on
//! `wasmi_plugin_pdk` by scripts/build_guests.sh. It serves JSON-RPC 2.0 on
//! stdio until stdin closes.
//!
//! Params: the kit accepts a single value bare or in a one-element array, so
//! `sleep`, `many_echo`, `prime_sieve`, `async_sleep` and `log` take both
//! `[x]` (the documented form) and `x`.
//!
//! `rpc.discover` (answered by the kit) describes the methods below with
//! their params and result schemas (feature `schemars`, `typed_method`).
//!
//! | method                     | params      | result / behaviour                                       |
//! | -------------------------- | ----------- | -------------------------------------------------------- |
//! | `ping`                     | none        | `"pong"`                                                 |
//! | `get_random_number`        | none        | a u64 from WASI `random_get`                             |
//! | `get_time`                 | none        | Unix time in seconds (u64)                               |
//! | `sleep`                    | `[ms]`      | sleeps `ms` milliseconds, returns `ms`                   |
//! | `many_echo`                | `[n]`       | calls host `echo` with `[i]` for i in 0..n, expects `i`; returns `n` |
//! | `prime_sieve`              | `[limit]`   | `{"count": primes <= limit, "limit": limit}`             |
//! | `counter`                  | none        | increments a process-global counter: 1, 2, 3, ...        |
//! | `echo`                     | any         | the params unchanged (`null` when absent)                |
//! | `async_sleep`              | `[ms]`      | async: sleeps, awaits host `echo` `["slept"]` (expects `"slept"`), returns `"slept"` |
//! | `panic`                    | none        | panics (traps: panic = abort)                            |
//! | `infinite_loop`            | none        | never returns                                            |
//! | `memory_hog`               | none        | allocates 1 MiB blocks until allocation fails, then error -32000 |
//! | `invalid_output`           | none        | writes `this is not json` to stdout, returns `"done"`    |
//! | `exit_without_answer`      | none        | exits with status 3                                      |
//! | `call_unknown_host_method` | none        | calls host `no_such_method`, returns the host's error    |
//! | `call_failing_host_method` | none        | calls host `fail` `["boom"]`, returns the host's error   |
//! | `call_host`                | `[method, params]` | calls host `method` with `params` (`null`: `[]`), returns its result or error |
//! | `log`                      | `[message]` | writes `INFO <message>` to stderr, returns `null`        |
//! | `stderr_flood`             | none        | writes 1 MiB of log lines to stderr, returns `"done"`    |
//! | `rpc.discover`             | none        | the OpenRPC document (answered by the kit)               |

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;
use wasmi_plugin_pdk::schemars::JsonSchema;
use wasmi_plugin_pdk::serde_json::json;
use wasmi_plugin_pdk::{info, Host, Plugin, RpcError, Value};

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// What `prime_sieve` answers.
#[derive(Serialize, JsonSchema)]
#[schemars(crate = "wasmi_plugin_pdk::schemars")]
struct Sieve {
    /// How many primes are <= `limit`.
    count: usize,
    limit: usize,
}

#[cfg(target_os = "wasi")]
fn fill_random(buf: &mut [u8]) -> Result<(), RpcError> {
    #[link(wasm_import_module = "wasi_snapshot_preview1")]
    extern "C" {
        fn random_get(buf: *mut u8, len: usize) -> i32;
    }
    // SAFETY: the pointer and length describe a live, writable buffer.
    match unsafe { random_get(buf.as_mut_ptr(), buf.len()) } {
        0 => Ok(()),
        errno => Err(format!("random_get failed: errno {errno}").into()),
    }
}

/// Native builds (for `cargo clippy` / tests on the host) read the OS source.
#[cfg(not(target_os = "wasi"))]
fn fill_random(buf: &mut [u8]) -> Result<(), RpcError> {
    use std::io::Read;
    std::fs::File::open("/dev/urandom")?.read_exact(buf)?;
    Ok(())
}

fn random_number() -> Result<u64, RpcError> {
    let mut buf = [0u8; 8];
    fill_random(&mut buf)?;
    Ok(u64::from_le_bytes(buf))
}

fn unix_seconds() -> Result<u64, RpcError> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH);
    now.map(|d| d.as_secs())
        .map_err(|e| format!("clock before 1970: {e}").into())
}

/// Counts the primes <= `limit` with a sieve of Eratosthenes.
fn count_primes(limit: usize) -> usize {
    if limit < 2 {
        return 0;
    }
    let mut composite = vec![false; limit + 1];
    let mut count = 0;
    for n in 2..=limit {
        if composite[n] {
            continue;
        }
        count += 1;
        let mut multiple = n.saturating_mul(n);
        while multiple <= limit {
            composite[multiple] = true;
            multiple += n;
        }
    }
    count
}

fn many_echo(n: u64, host: &mut Host) -> Result<u64, RpcError> {
    for i in 0..n {
        let echoed: Value = host.call("echo", [i])?;
        if echoed != json!(i) {
            return Err(format!("echo mismatch at {i}").into());
        }
    }
    Ok(n)
}

/// Keeps allocating 1 MiB blocks, each written to, until allocation fails.
fn memory_hog() -> Result<(), RpcError> {
    const MIB: usize = 1 << 20;
    let mut blocks: Vec<Vec<u8>> = Vec::new();
    loop {
        let mut block = Vec::new();
        if block.try_reserve_exact(MIB).is_err() || blocks.try_reserve(1).is_err() {
            break;
        }
        block.resize(MIB, 0xa5);
        blocks.push(std::hint::black_box(block));
    }
    let allocated = blocks.len();
    drop(blocks);
    Err(format!("memory_hog: allocation failed after {allocated} MiB").into())
}

fn stderr_flood() {
    const LINE: usize = 1024; // bytes per line, with "INFO " and "\n"
    const LINES: usize = 1024; // 1 MiB in all
    for i in 0..LINES {
        let prefix = format!("stderr_flood line {i:04} ");
        info(format_args!(
            "{prefix}{}",
            "x".repeat(LINE - "INFO \n".len() - prefix.len())
        ));
    }
}

fn main() {
    Plugin::new()
        .info(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
        .info_description(env!("CARGO_PKG_DESCRIPTION"))
        .typed_method("ping", |_: (), _| Ok("pong"))
        .summary("Answers pong")
        .typed_method("get_random_number", |_: (), _| random_number())
        .summary("A random u64 from WASI random_get")
        .typed_method("get_time", |_: (), _| unix_seconds())
        .summary("Unix time in seconds")
        .typed_method("sleep", |ms: u64, _| {
            std::thread::sleep(Duration::from_millis(ms));
            Ok(ms)
        })
        .summary("Sleeps ms milliseconds, then answers ms")
        .param_names(["ms"])
        .typed_method("many_echo", |n: u64, host| many_echo(n, host))
        .summary("Calls the host's echo n times, then answers n")
        .param_names(["n"])
        .description("Calls host `echo` with `[i]` for i in 0..n and expects `i` back.")
        .typed_method("prime_sieve", |limit: usize, _| {
            Ok(Sieve {
                count: count_primes(limit),
                limit,
            })
        })
        .summary("Counts the primes up to limit")
        .param_names(["limit"])
        .typed_method("counter", |_: (), _| {
            Ok(COUNTER.fetch_add(1, Ordering::Relaxed) + 1)
        })
        .summary("Increments a process-wide counter and answers it: 1, 2, 3, ...")
        .typed_method("echo", |params: Value, _| Ok(params))
        .summary("Answers the params unchanged (null when absent)")
        .async_typed_method("async_sleep", |ms: u64, host: Host| async move {
            host.sleep(Duration::from_millis(ms)).await;
            let echoed: Value = host.call_async("echo", ["slept"]).await?;
            if echoed != "slept" {
                return Err(RpcError::from(format!("echo mismatch: {echoed}")));
            }
            Ok("slept")
        })
        .summary("Sleeps ms milliseconds, then has the host echo \"slept\"")
        .param_names(["ms"])
        .typed_method("panic", |_: (), _| -> Result<(), RpcError> {
            panic!("test plugin panicked")
        })
        .summary("Panics: the guest traps")
        .typed_method("infinite_loop", |_: (), _| -> Result<(), RpcError> {
            loop {
                std::hint::black_box(());
            }
        })
        .summary("Never returns")
        .typed_method("memory_hog", |_: (), _| memory_hog())
        .summary("Allocates 1 MiB blocks until allocation fails, then answers an error")
        .typed_method("invalid_output", |_: (), _| {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(b"this is not json\n")?;
            stdout.flush()?;
            Ok("done")
        })
        .summary("Writes a line that is not JSON to stdout, then answers done")
        .typed_method("exit_without_answer", |_: (), _| -> Result<(), RpcError> {
            std::process::exit(3)
        })
        .summary("Exits with status 3 without answering")
        .typed_method("call_unknown_host_method", |_: (), host| {
            host.call::<_, Value>("no_such_method", ())
        })
        .summary("Calls the host's no_such_method and passes its answer on")
        .typed_method("call_failing_host_method", |_: (), host| {
            host.call::<_, Value>("fail", ["boom"])
        })
        .summary("Calls the host's fail with [\"boom\"] and passes its answer on")
        .typed_method(
            "call_host",
            |(method, params): (String, Option<Value>), host| {
                host.call::<_, Value>(&method, params.unwrap_or(Value::Array(Vec::new())))
            },
        )
        .summary("Calls a host method with params (null: []) and passes its answer on")
        .param_names(["method", "params"])
        .typed_method("log", |message: String, _| {
            info(message);
            Ok(())
        })
        .summary("Writes INFO and the message to stderr")
        .param_names(["message"])
        .typed_method("stderr_flood", |_: (), _| {
            stderr_flood();
            Ok("done")
        })
        .summary("Writes 1 MiB of log lines to stderr, then answers done")
        .serve();
}

#[cfg(test)]
mod tests {
    use super::count_primes;

    #[test]
    fn sieve_counts_primes() {
        assert_eq!(count_primes(0), 0);
        assert_eq!(count_primes(1), 0);
        assert_eq!(count_primes(2), 1);
        assert_eq!(count_primes(10), 4);
        assert_eq!(count_primes(1000), 168);
        assert_eq!(count_primes(7919), 1000);
    }
}
