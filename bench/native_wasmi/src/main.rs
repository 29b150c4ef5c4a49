//! Native Wasmi 2.0 with fuel metering on, running the same wasm32-wasip1
//! guests as `bench/report.ts`, so that BENCHMARKS.md can compare the bundled
//! engine (Wasmi compiled to wasm, in V8) with Wasmi compiled natively.
//!
//! ```text
//! native_wasmi run GUEST.wasm RUNS ARGS...      # e.g. bench_guest.wasm 7 sieve 100000
//! native_wasmi session PLUGIN.wasm CALLS METHOD PARAMS_JSON
//! ```
//!
//! `run` runs `_start` RUNS times (a fresh instance each time) and prints
//! the milliseconds of each run and the guest's stdout as JSON. `session`
//! feeds a plugin one JSON-RPC request per `fd_read` (a `ping`, then CALLS
//! times METHOD), and prints the milliseconds between consecutive reads of the
//! METHOD requests, that is the time of each call inside one instance.
//!
//! The WASI layer is the minimum these guests import: args, an empty
//! environment, stdin from memory, stdout kept, stderr dropped, a monotonic
//! clock, fixed random bytes, and `poll_oneoff` answering ENOSYS.

use std::collections::VecDeque;
use std::time::Instant;
use wasmi::{Caller, Config, Engine, Error, Extern, Linker, Memory, Module, Store};

const WASI: &str = "wasi_snapshot_preview1";
const ERRNO_BADF: i32 = 8;
const ERRNO_NOSYS: i32 = 52;

#[derive(Default)]
struct Host {
    args: Vec<Vec<u8>>,
    stdin: VecDeque<Vec<u8>>,
    stdout: Vec<u8>,
    reads: Vec<Instant>,
    started: Option<Instant>,
}

fn memory(caller: &Caller<'_, Host>) -> Memory {
    match caller.get_export("memory") {
        Some(Extern::Memory(memory)) => memory,
        _ => panic!("the guest exports no memory"),
    }
}

fn u32_at(data: &[u8], ptr: u32) -> u32 {
    let p = ptr as usize;
    u32::from_le_bytes(data[p..p + 4].try_into().unwrap())
}

fn put_u32(data: &mut [u8], ptr: i32, value: u32) {
    let p = ptr as usize;
    data[p..p + 4].copy_from_slice(&value.to_le_bytes());
}

fn linker(engine: &Engine) -> Result<Linker<Host>, Error> {
    let mut linker = Linker::<Host>::new(engine);
    linker.func_wrap(
        WASI,
        "args_sizes_get",
        |c: Caller<'_, Host>, count: i32, size: i32| {
            let (n, bytes) = (
                c.data().args.len(),
                c.data().args.iter().map(|a| a.len() + 1).sum::<usize>(),
            );
            let mem = memory(&c);
            let mut c = c;
            let data = mem.data_mut(&mut c);
            put_u32(data, count, n as u32);
            put_u32(data, size, bytes as u32);
            0i32
        },
    )?;
    linker.func_wrap(
        WASI,
        "args_get",
        |mut c: Caller<'_, Host>, argv: i32, buf: i32| {
            let args = c.data().args.clone();
            let mem = memory(&c);
            let data = mem.data_mut(&mut c);
            let mut at = buf as usize;
            for (i, arg) in args.iter().enumerate() {
                put_u32(data, argv + 4 * i as i32, at as u32);
                data[at..at + arg.len()].copy_from_slice(arg);
                data[at + arg.len()] = 0;
                at += arg.len() + 1;
            }
            0i32
        },
    )?;
    linker.func_wrap(
        WASI,
        "environ_sizes_get",
        |c: Caller<'_, Host>, count: i32, size: i32| {
            let mem = memory(&c);
            let mut c = c;
            let data = mem.data_mut(&mut c);
            put_u32(data, count, 0);
            put_u32(data, size, 0);
            0i32
        },
    )?;
    linker.func_wrap(
        WASI,
        "environ_get",
        |_: Caller<'_, Host>, _: i32, _: i32| 0i32,
    )?;
    linker.func_wrap(
        WASI,
        "fd_write",
        |mut c: Caller<'_, Host>, fd: i32, iovs: i32, len: i32, written: i32| {
            if fd != 1 && fd != 2 {
                return ERRNO_BADF;
            }
            let mem = memory(&c);
            let mut out = Vec::new();
            {
                let data = mem.data(&c);
                for i in 0..len as u32 {
                    let ptr = u32_at(data, iovs as u32 + 8 * i) as usize;
                    let n = u32_at(data, iovs as u32 + 8 * i + 4) as usize;
                    out.extend_from_slice(&data[ptr..ptr + n]);
                }
            }
            let n = out.len() as u32;
            if fd == 1 {
                c.data_mut().stdout.extend_from_slice(&out);
            }
            put_u32(mem.data_mut(&mut c), written, n);
            0
        },
    )?;
    linker.func_wrap(
        WASI,
        "fd_read",
        |mut c: Caller<'_, Host>, fd: i32, iovs: i32, len: i32, read: i32| {
            if fd != 0 {
                return ERRNO_BADF;
            }
            c.data_mut().reads.push(Instant::now());
            // One request line per read (a partly read line goes back first).
            let mut line = c.data_mut().stdin.pop_front().unwrap_or_default();
            let mem = memory(&c);
            let data = mem.data_mut(&mut c);
            let mut total = 0usize;
            for i in 0..len as u32 {
                let ptr = u32_at(data, iovs as u32 + 8 * i) as usize;
                let cap = u32_at(data, iovs as u32 + 8 * i + 4) as usize;
                let n = cap.min(line.len() - total);
                data[ptr..ptr + n].copy_from_slice(&line[total..total + n]);
                total += n;
            }
            put_u32(data, read, total as u32);
            let rest = line.split_off(total);
            if !rest.is_empty() {
                c.data_mut().stdin.push_front(rest);
            }
            0
        },
    )?;
    linker.func_wrap(
        WASI,
        "clock_time_get",
        |mut c: Caller<'_, Host>, _id: i32, _precision: i64, time: i32| {
            let started = *c.data_mut().started.get_or_insert_with(Instant::now);
            let nanos = started.elapsed().as_nanos() as u64;
            let mem = memory(&c);
            let p = time as usize;
            mem.data_mut(&mut c)[p..p + 8].copy_from_slice(&nanos.to_le_bytes());
            0i32
        },
    )?;
    linker.func_wrap(
        WASI,
        "random_get",
        |mut c: Caller<'_, Host>, buf: i32, len: i32| {
            let mem = memory(&c);
            let (p, n) = (buf as usize, len as usize);
            for (i, byte) in mem.data_mut(&mut c)[p..p + n].iter_mut().enumerate() {
                *byte = (i as u8).wrapping_mul(151).wrapping_add(7);
            }
            0i32
        },
    )?;
    linker.func_wrap(
        WASI,
        "poll_oneoff",
        |_: Caller<'_, Host>, _: i32, _: i32, _: i32, _: i32| ERRNO_NOSYS,
    )?;
    linker.func_wrap(
        WASI,
        "proc_exit",
        |_: Caller<'_, Host>, code: i32| -> Result<(), Error> { Err(Error::i32_exit(code)) },
    )?;
    Ok(linker)
}

/// Instantiates the guest and runs `_start` to its end, with fuel on.
fn run(engine: &Engine, module: &Module, host: Host) -> Result<Host, Error> {
    let mut store = Store::new(engine, host);
    store.set_fuel(u64::MAX / 2)?;
    let instance = linker(engine)?.instantiate_and_start(&mut store, module)?;
    let start = instance.get_typed_func::<(), ()>(&store, "_start")?;
    match start.call(&mut store, ()) {
        Ok(()) => {}
        Err(error) if error.i32_exit_status() == Some(0) => {}
        Err(error) => return Err(error),
    }
    Ok(store.into_data())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: native_wasmi run GUEST.wasm RUNS ARGS... | session PLUGIN.wasm CALLS METHOD PARAMS_JSON";
    let (mode, path, count) = match &args[..] {
        [mode, path, count, ..] => (mode.as_str(), path, count.parse::<usize>()?),
        _ => return Err(usage.into()),
    };
    let mut config = Config::default();
    config.consume_fuel(true);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, &std::fs::read(path)?)?;
    match mode {
        "run" => {
            let guest_args: Vec<Vec<u8>> = std::iter::once("guest")
                .chain(args[3..].iter().map(String::as_str))
                .map(|a| a.as_bytes().to_vec())
                .collect();
            let mut times = Vec::new();
            let mut stdout = Vec::new();
            for _ in 0..count {
                let started = Instant::now();
                let host = run(
                    &engine,
                    &module,
                    Host {
                        args: guest_args.clone(),
                        ..Host::default()
                    },
                )?;
                times.push(started.elapsed().as_secs_f64() * 1000.0);
                stdout = host.stdout;
            }
            println!(
                "{{\"ms\":{times:?},\"stdout\":{:?}}}",
                String::from_utf8_lossy(&stdout)
            );
        }
        "session" => {
            let [method, params] = &args[3..] else {
                return Err(usage.into());
            };
            let mut stdin = VecDeque::new();
            stdin.push_back(b"{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"ping\"}\n".to_vec());
            for id in 1..=count {
                let line = format!("{{\"jsonrpc\":\"2.0\",\"id\":{id},\"method\":\"{method}\",\"params\":{params}}}\n");
                stdin.push_back(line.into_bytes());
            }
            let host = run(
                &engine,
                &module,
                Host {
                    args: vec![b"plugin".to_vec()],
                    stdin,
                    ..Host::default()
                },
            )?;
            let answers = host
                .stdout
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .count();
            if answers != count + 1 {
                return Err(format!("expected {} answers, got {answers}", count + 1).into());
            }
            // Read k + 1 hands over request k; read k + 2 comes once it is answered.
            let times: Vec<f64> = host
                .reads
                .windows(2)
                .skip(1)
                .take(count)
                .map(|w| (w[1] - w[0]).as_secs_f64() * 1000.0)
                .collect();
            println!("{{\"ms\":{times:?}}}");
        }
        _ => return Err(usage.into()),
    }
    Ok(())
}
