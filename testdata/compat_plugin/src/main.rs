//! Compatibility test plugin: a wasm32-wasip1 plugin that speaks the wire
//! format of the original Rust plugin framework's guest kit, written from
//! scratch on serde_json alone (not on crates/pdk). It checks that plugins
//! built for that framework run here unchanged:
//!
//! - every request must carry `params`; a request without it is a line the
//!   plugin cannot parse: it logs `ERROR Failed to parse line: ...` and
//!   exits with status 0 without answering (run it with the host setting
//!   `missingParams: "null"`, CLI `--missing-params null`);
//! - ids are numbers; params are bare values (`5`, not `[5]`);
//! - host calls send bare params too (`echo` with `i`, `ping` with `null`);
//! - `get_random_number` answers a u64 beyond 2^53, which a double cannot
//!   hold exactly.
//!
//! | method              | params  | result / behaviour                                             |
//! | ------------------- | ------- | -------------------------------------------------------------- |
//! | `ping`              | any     | `"pong"`                                                       |
//! | `get_random_number` | any     | a random u64 with the top bit set (>= 2^63), also logged to stderr as `INFO get_random_number: N` |
//! | `get_time`          | any     | Unix time in seconds                                           |
//! | `sleep`             | `ms`    | sleeps `ms` milliseconds (WASI `poll_oneoff`), returns `null`  |
//! | `many_echo`         | `n`     | calls host `echo` with `i` for i in 0..n, expects `i` back; returns `n` |
//! | `host_ping`         | any     | calls host `ping` with `null`, returns its answer              |
//! | `prime_sieve`       | `limit` | `{"count": primes <= limit, "limit": limit}`                   |
//!
//! Unknown methods get -32601, params of the wrong type -32602.

mod wire;

use std::io::{self, BufRead, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use wire::{Conn, Incoming, RpcError};

fn main() {
    let mut conn = Conn::new(io::stdin().lock(), io::stdout().lock());
    loop {
        match conn.next_message() {
            Ok(None) => return,
            Err(reason) => {
                eprintln!("ERROR Failed to parse line: {reason}");
                return;
            }
            Ok(Some(Incoming::Request { id, method, params })) => {
                let outcome = dispatch(&mut conn, &method, params);
                if let Some(id) = id {
                    if let Err(error) = conn.respond(id, outcome) {
                        eprintln!("ERROR cannot write the answer: {error}");
                        return;
                    }
                }
            }
            Ok(Some(Incoming::Response { id, .. })) => {
                eprintln!("WARN a response to unknown id {id}");
            }
        }
    }
}

fn dispatch<R: BufRead, W: Write>(
    conn: &mut Conn<R, W>,
    method: &str,
    params: Value,
) -> Result<Value, RpcError> {
    match method {
        "ping" => Ok(json!("pong")),
        "get_random_number" => {
            let n = random_u64()? | 1 << 63;
            eprintln!("INFO get_random_number: {n}");
            Ok(json!(n))
        }
        "get_time" => Ok(json!(unix_seconds()?)),
        "sleep" => {
            std::thread::sleep(Duration::from_millis(u64_param(&params)?));
            Ok(Value::Null)
        }
        "many_echo" => {
            let n = u64_param(&params)?;
            for i in 0..n {
                let echoed = conn.call("echo", json!(i))?;
                if echoed != json!(i) {
                    return Err(RpcError::new(
                        -32000,
                        format!("echo mismatch at {i}: {echoed}"),
                    ));
                }
            }
            Ok(json!(n))
        }
        "host_ping" => conn.call("ping", Value::Null),
        "prime_sieve" => {
            let limit = u64_param(&params)?;
            let limit = usize::try_from(limit).map_err(RpcError::invalid_params)?;
            Ok(json!({ "count": count_primes(limit), "limit": limit }))
        }
        _ => Err(RpcError::new(-32601, "Method not found")),
    }
}

/// Bare unsigned integer params, as the original kit's methods take them.
fn u64_param(params: &Value) -> Result<u64, RpcError> {
    params.as_u64().ok_or_else(|| {
        RpcError::invalid_params(format!("expected an unsigned integer, got {params}"))
    })
}

#[cfg(target_os = "wasi")]
fn random_u64() -> Result<u64, RpcError> {
    #[link(wasm_import_module = "wasi_snapshot_preview1")]
    extern "C" {
        fn random_get(buf: *mut u8, len: usize) -> i32;
    }
    let mut buf = [0u8; 8];
    // SAFETY: the pointer and length describe a live, writable buffer.
    match unsafe { random_get(buf.as_mut_ptr(), buf.len()) } {
        0 => Ok(u64::from_le_bytes(buf)),
        errno => Err(RpcError::new(
            -32000,
            format!("random_get failed: errno {errno}"),
        )),
    }
}

/// Native builds (clippy, unit tests) read the OS's source.
#[cfg(not(target_os = "wasi"))]
fn random_u64() -> Result<u64, RpcError> {
    use std::io::Read;
    let mut buf = [0u8; 8];
    std::fs::File::open("/dev/urandom")?.read_exact(&mut buf)?;
    Ok(u64::from_le_bytes(buf))
}

fn unix_seconds() -> Result<u64, RpcError> {
    let now = SystemTime::now().duration_since(UNIX_EPOCH);
    now.map(|d| d.as_secs())
        .map_err(|e| RpcError::new(-32000, format!("clock before 1970: {e}")))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_primes() {
        assert_eq!(count_primes(1000), 168);
        assert_eq!(count_primes(1), 0);
    }

    #[test]
    fn takes_bare_numbers_only() {
        assert_eq!(u64_param(&json!(5)), Ok(5));
        assert!(u64_param(&json!([5])).is_err());
        assert!(u64_param(&Value::Null).is_err());
    }
}
