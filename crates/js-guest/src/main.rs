//! The JavaScript guest runtime: QuickJS (through `rquickjs`) serving
//! JSON-RPC 2.0 over stdio, as a wasm32-wasip1 command module.
//!
//! The JSON-RPC model lives in `prelude.js` (`plugin`, `host`, `console`,
//! `RpcError`); this file gives it four natives (read a line of stdin,
//! write a line to stdout or stderr, exit) and runs its loop: read a line,
//! hand it to the prelude, run the pending promise jobs, until end of input.
//!
//! # Phases
//!
//! The committed runtime carries no script. `build` (src/build/) runs it once
//! with the bundled script on stdin and the phase as its argument, then writes
//! a new module whose memory starts from the memory the run left (see
//! src/build/_snapshot.ts). The phase reached is kept in [`PHASE`], so the
//! built module's `_start` resumes from it:
//!
//! | argument  | build run does                         | built module's `_start`           |
//! | --------- | -------------------------------------- | --------------------------------- |
//! | `--eval`  | starts QuickJS, evaluates the script   | serves at once (pre-initialised)  |
//! | `--load`  | only keeps the script's text           | starts QuickJS, evaluates, serves |
//!
//! At the build run the prelude refuses host calls and stdout writes; an
//! error thrown by the script's top level fails the build (exit status 1,
//! the error on stderr). The build run is bounded, the same on every
//! machine: its top level may take [`BUILD_STEPS`] of QuickJS's interrupt
//! checks (one per about 10,000 branches and calls) and allocate
//! [`BUILD_MEMORY`] bytes; past either the build fails, naming the bound.
#![cfg_attr(target_os = "wasi", no_main)]

mod envelope;

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::sync::atomic::{AtomicU32, AtomicU8, Ordering};

use rquickjs::{Context, Ctx, Function, Object, Persistent, Runtime, Value};

use envelope::Envelope;

/// Nothing done yet: this is the runtime as committed, run by `build`.
const FRESH: u8 = 0;
/// The build run kept the script's text ([`SCRIPT`]) and nothing else.
const LOADED: u8 = 1;
/// The build run evaluated the script: [`GUEST`] is ready to serve.
const EVALUATED: u8 = 2;

/// The phase this module's memory is in (see the module docs).
static PHASE: AtomicU8 = AtomicU8::new(FRESH);

/// QuickJS interrupt checks the build run's top level may take: a count,
/// not a time, so that a build succeeds or fails alike everywhere.
const BUILD_STEPS: u32 = 100_000;
/// Bytes QuickJS may allocate while the build run evaluates the script.
const BUILD_MEMORY: usize = 256 << 20;
/// Interrupt checks taken so far by the build run.
static BUILD_STEPS_TAKEN: AtomicU32 = AtomicU32::new(0);

/// The state that outlives the build run. wasm32-wasip1 without threads:
/// thread-locals are plain statics in linear memory, which the snapshot keeps.
struct Guest {
    // Dropped never: the snapshot keeps them alive across `_start`s.
    _runtime: Runtime,
    context: Context,
    /// The prelude's functions the loop calls.
    prelude: Prelude<Persistent<Function<'static>>>,
    /// `{ result }`: what [`fast_call`] serializes a result in (so that a
    /// `toJSON(key)` sees the key it saw in the prelude's response object).
    holder: Persistent<Object<'static>>,
    /// The prelude's `pending`: the host calls waiting for an answer.
    pending: Persistent<Object<'static>>,
}

/// The prelude's functions the runtime calls (see prelude.js).
#[derive(Clone)]
struct Prelude<F> {
    /// `handleLine(line)`: the whole of a line's handling.
    handle_line: F,
    /// `answer(id, result)`: the response to a result [`fast_call`] leaves
    /// to the prelude (a promise, or one `JSON.stringify` did not write).
    answer: F,
    /// `fail(id, error)`: the response to a handler's exception.
    fail: F,
    /// `finish()`: stdin has closed (called only while host calls wait).
    finish: F,
}

thread_local! {
    /// Leaked, never dropped: a thread-local with drop glue would free all of
    /// QuickJS's heap at every exit (most of a short call's cost).
    static GUEST: Cell<Option<&'static Guest>> = const { Cell::new(None) };
    static SCRIPT: RefCell<String> = const { RefCell::new(String::new()) };
    static INPUT: RefCell<Input> = const { RefCell::new(Input { buffer: Vec::new(), start: 0, eof: false }) };
    /// The registered handlers by method name, as the prelude's
    /// `plugin.method` registers them (`__native.register`).
    static HANDLERS: RefCell<BTreeMap<String, Persistent<Function<'static>>>> =
        const { RefCell::new(BTreeMap::new()) };
}

/// The most one read of stdin takes.
const READ_SIZE: usize = 4096;

/// stdin, split into lines.
struct Input {
    buffer: Vec<u8>,
    /// Where the unread bytes begin in `buffer`.
    start: usize,
    eof: bool,
}

/// What reading one line gave.
enum Line {
    Text(String),
    /// The line is not UTF-8 (answered with -32700 by the prelude).
    NotUtf8,
    Eof,
}

impl Input {
    fn line(&mut self) -> Line {
        loop {
            if let Some(at) = self.buffer[self.start..].iter().position(|&b| b == b'\n') {
                let end = self.start + at;
                let line = &self.buffer[self.start..end];
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                let line = match std::str::from_utf8(line) {
                    Ok(text) => Line::Text(text.to_owned()),
                    Err(_) => Line::NotUtf8,
                };
                self.start = end + 1;
                return line;
            }
            if self.eof {
                if self.start == self.buffer.len() {
                    return Line::Eof;
                }
                // A last line without a newline.
                self.buffer.push(b'\n');
                continue;
            }
            self.buffer.drain(..self.start);
            self.start = 0;
            // A small chunk: a large one costs a heap allocation (and its
            // zeroing) in every instance, the largest cost of a short call.
            let mut chunk = [0u8; READ_SIZE];
            match std::io::stdin().read(&mut chunk) {
                Ok(0) | Err(_) => self.eof = true,
                Ok(n) => self.buffer.extend_from_slice(&chunk[..n]),
            }
        }
    }
}

fn write_line(out: impl Write, line: &str) {
    let mut bytes = Vec::with_capacity(line.len() + 1);
    bytes.extend_from_slice(line.as_bytes());
    bytes.push(b'\n');
    write_bytes(out, &bytes);
}

/// Writes `bytes` (lines, with their newlines) in one write where it can.
fn write_bytes(mut out: impl Write, bytes: &[u8]) {
    // A closed stdout or stderr leaves nothing to tell: the host has gone.
    let _ = out.write_all(bytes).and_then(|()| out.flush());
}

/// Whether `text` has a run of 16 digits: only then can it hold an integer
/// outside the safe range (2^53), which the prelude's exact parser reads.
fn has_long_digits(text: &str) -> bool {
    let mut run = 0;
    for byte in text.bytes() {
        run = if byte.is_ascii_digit() { run + 1 } else { 0 };
        if run == 16 {
            return true;
        }
    }
    false
}

/// A line as the prelude's `handleLine` takes it: a string, `{ exact: text }`
/// when it needs the exact parser, `false` when it is not UTF-8; `None` at EOF.
fn line_value<'js>(ctx: &Ctx<'js>, line: Line) -> rquickjs::Result<Option<Value<'js>>> {
    Ok(Some(match line {
        Line::Eof => return Ok(None),
        Line::NotUtf8 => Value::new_bool(ctx.clone(), false),
        Line::Text(text) => {
            let string = rquickjs::String::from_str(ctx.clone(), &text)?.into_value();
            if !has_long_digits(&text) {
                return Ok(Some(string));
            }
            let exact = Object::new(ctx.clone())?;
            exact.set("exact", string)?;
            exact.into_value()
        }
    }))
}

/// The natives the prelude uses, on the global `__native` until the prelude
/// takes them.
fn install_natives<'js>(ctx: &Ctx<'js>, building: bool) -> rquickjs::Result<()> {
    let native = Object::new(ctx.clone())?;
    native.set(
        "readLine",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>| -> rquickjs::Result<Value<'js>> {
                let line = INPUT.with_borrow_mut(Input::line);
                Ok(line_value(&ctx, line)?.unwrap_or_else(|| Value::new_null(ctx)))
            },
        )?,
    )?;
    native.set(
        "writeOut",
        Function::new(ctx.clone(), |line: String| {
            write_line(std::io::stdout().lock(), &line)
        })?,
    )?;
    native.set(
        "writeErr",
        Function::new(ctx.clone(), |line: String| {
            write_line(std::io::stderr().lock(), &line)
        })?,
    )?;
    native.set(
        "exit",
        Function::new(ctx.clone(), |code: i32| -> rquickjs::Result<()> {
            let _ = std::io::stdout().flush();
            std::process::exit(code)
        })?,
    )?;
    native.set("random", Function::new(ctx.clone(), random)?)?;
    native.set(
        "register",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'js>, name: String, handler: Function<'js>| {
                let handler = Persistent::save(&ctx, handler);
                // The one replaced is dropped after the borrow.
                let _replaced = HANDLERS.with_borrow_mut(|handlers| handlers.insert(name, handler));
            },
        )?,
    )?;
    native.set("building", building)?;
    ctx.globals().set("__native", native)?;
    Ok(())
}

#[cfg(target_os = "wasi")]
#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    #[link_name = "random_get"]
    fn wasi_random_get(buf: *mut u8, len: usize) -> u16;
}

/// `Math.random()` from WASI's random bytes: QuickJS's own generator is
/// seeded once, at build time, so every call of a pre-initialised plugin
/// would replay the same numbers.
fn random() -> f64 {
    (u64::from_le_bytes(random_bytes()) >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(target_os = "wasi")]
fn random_bytes() -> [u8; 8] {
    let mut bytes = [0u8; 8];
    // SAFETY: the buffer is 8 writable bytes.
    unsafe { wasi_random_get(bytes.as_mut_ptr(), bytes.len()) };
    bytes
}

/// Only for checking and testing the crate on the build machine.
#[cfg(not(target_os = "wasi"))]
fn random_bytes() -> [u8; 8] {
    use std::hash::BuildHasher;
    std::collections::hash_map::RandomState::new()
        .hash_one(0u8)
        .to_le_bytes()
}

/// The error a script's evaluation threw, as text for stderr.
fn describe_exception(ctx: &Ctx<'_>) -> String {
    let value = ctx.catch();
    if let Some(exception) = value.as_exception() {
        let name: String = exception.get("name").unwrap_or_else(|_| "Error".to_owned());
        let message = exception.message().unwrap_or_default();
        let stack = exception.stack().unwrap_or_default();
        return format!("{name}: {message}\n{stack}").trim_end().to_owned();
    }
    let text: Option<String> = ctx
        .globals()
        .get::<_, Function>("String")
        .and_then(|f| f.call((value,)))
        .ok();
    text.unwrap_or_else(|| "an exception".to_owned())
}

/// The pending exception as text, or the build bound it ran into.
fn over_build_bounds(ctx: &Ctx<'_>) -> String {
    let text = describe_exception(ctx);
    if BUILD_STEPS_TAKEN.load(Ordering::Relaxed) >= BUILD_STEPS {
        format!(
            "its top level ran past the build's bound of {BUILD_STEPS} interrupt checks \
             (about {} million branches and calls): do the work in a handler",
            BUILD_STEPS / 100
        )
    } else if text.starts_with("InternalError: out of memory") {
        format!(
            "its top level allocated more than the build's bound of {} MiB",
            BUILD_MEMORY >> 20
        )
    } else {
        text
    }
}

/// Runs every pending promise job (the reactions of settled promises).
fn run_jobs(ctx: &Ctx<'_>) {
    while ctx.execute_pending_job() {}
}

/// Starts QuickJS and evaluates the prelude, then the script; `Err` holds
/// the error for stderr.
fn start(script: &str, building: bool) -> Result<Guest, String> {
    let runtime = Runtime::new().map_err(|e| format!("QuickJS did not start: {e}"))?;
    let context = Context::full(&runtime).map_err(|e| format!("QuickJS did not start: {e}"))?;
    if building {
        runtime.set_memory_limit(BUILD_MEMORY);
        runtime.set_interrupt_handler(Some(Box::new(|| {
            BUILD_STEPS_TAKEN.fetch_add(1, Ordering::Relaxed) >= BUILD_STEPS
        })));
    }
    let functions = context.with(|ctx| -> Result<_, String> {
        install_natives(&ctx, building).map_err(|e| e.to_string())?;
        let prelude: Object = ctx
            .eval(include_str!("prelude.js"))
            .map_err(|_| format!("the prelude failed: {}", describe_exception(&ctx)))?;
        let get = |name: &str| -> Result<Persistent<Function<'static>>, String> {
            let f: Function = prelude.get(name).map_err(|e| e.to_string())?;
            Ok(Persistent::save(&ctx, f))
        };
        let functions = (
            Prelude {
                handle_line: get("handleLine")?,
                answer: get("answer")?,
                fail: get("fail")?,
                finish: get("finish")?,
            },
            get("ready")?,
        );
        let evaluated: rquickjs::Result<Value> = ctx.eval(script);
        if evaluated.is_err() {
            return Err(format!("the script failed: {}", over_build_bounds(&ctx)));
        }
        run_jobs(&ctx);
        // The prelude checks what the top level left (a rejected promise,
        // a host call) and ends the build phase.
        let ready = functions
            .1
            .clone()
            .restore(&ctx)
            .map_err(|e| e.to_string())?;
        if ready.call::<_, ()>(()).is_err() {
            return Err(format!("the script failed: {}", over_build_bounds(&ctx)));
        }
        let holder = Object::new(ctx.clone()).map_err(|e| e.to_string())?;
        let pending: Object = prelude.get("pending").map_err(|e| e.to_string())?;
        Ok((
            functions.0,
            Persistent::save(&ctx, holder),
            Persistent::save(&ctx, pending),
        ))
    })?;
    // The bounds hold for the build run only: the snapshot keeps the
    // runtime's settings, and a plugin's limits are the host's.
    runtime.set_interrupt_handler(None);
    runtime.set_memory_limit(0);
    // Collect what evaluating left, and let the heap grow by half before
    // the next collection: a collection is the largest cost a short call
    // could meet (a stateless call never needs one).
    runtime.run_gc();
    let size = usize::try_from(runtime.memory_usage().malloc_size).unwrap_or(0);
    runtime.set_gc_threshold(size + size / 2);
    Ok(Guest {
        _runtime: runtime,
        context,
        prelude: functions.0,
        holder: functions.1,
        pending: functions.2,
    })
}

/// Serves messages until end of input, then lets the prelude answer what is
/// still pending (a stateless call, which has nothing pending, does not
/// enter JavaScript once more to learn so).
fn serve(guest: &Guest) {
    guest.context.with(|ctx| {
        let restore = |f: &Persistent<Function<'static>>| f.clone().restore(&ctx).expect("prelude");
        let prelude = Prelude {
            handle_line: restore(&guest.prelude.handle_line),
            answer: restore(&guest.prelude.answer),
            fail: restore(&guest.prelude.fail),
            finish: restore(&guest.prelude.finish),
        };
        let holder = guest.holder.clone().restore(&ctx).expect("holder");
        loop {
            let line = INPUT.with_borrow_mut(Input::line);
            if let Line::Text(text) = &line {
                if fast_call(&ctx, &prelude, &holder, text) {
                    run_jobs(&ctx);
                    continue;
                }
            }
            let Some(line) = line_value(&ctx, line).expect("a line as a JS value") else {
                break;
            };
            if prelude.handle_line.call::<_, ()>((line,)).is_err() {
                report(&ctx);
            }
            run_jobs(&ctx);
        }
        let pending = guest.pending.clone().restore(&ctx).expect("pending");
        if pending.get::<_, u32>("size").map_or(true, |size| size > 0) {
            if prelude.finish.call::<_, ()>(()).is_err() {
                report(&ctx);
            }
            run_jobs(&ctx);
        }
    });
}

/// Answers `line` when it is a plain request (see [`Envelope`]) for a
/// registered method, entering JavaScript only to parse its params, run its
/// handler and serialize its result; `false` leaves the line to the
/// prelude's `handleLine`, which answers it as it does any line.
fn fast_call<'js>(
    ctx: &Ctx<'js>,
    prelude: &Prelude<Function<'js>>,
    holder: &Object<'js>,
    line: &str,
) -> bool {
    // Lines that may hold integers outside the safe range take the exact parser.
    if has_long_digits(line) {
        return false;
    }
    let Some(request) = Envelope::read(line) else {
        return false;
    };
    let handler = HANDLERS.with_borrow(|handlers| handlers.get(request.method).cloned());
    let Some(Ok(handler)) = handler.map(|h| h.restore(ctx)) else {
        return false;
    };
    let params = match request.params {
        None => Value::new_undefined(ctx.clone()),
        Some(text) => match ctx.json_parse(text) {
            Ok(params) => params,
            Err(_) => {
                ctx.catch();
                return false;
            }
        },
    };
    // From here on the line is answered here (or by the prelude's answer or fail).
    let id = || ctx.json_parse(request.id).expect("a plain id");
    let result: Value = match handler.call((params,)) {
        Ok(result) => result,
        Err(_) => {
            let error = ctx.catch();
            if prelude.fail.call::<_, ()>((id(), error)).is_err() {
                report(ctx);
            }
            return true;
        }
    };
    match result_json(ctx, holder, &result) {
        Some(json) => {
            let mut response = Vec::with_capacity(json.len() + request.id.len() + 40);
            response.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":");
            response.extend_from_slice(request.id.as_bytes());
            response.extend_from_slice(b",\"result\":");
            response.extend_from_slice(json.as_bytes());
            response.extend_from_slice(b"}\n");
            write_bytes(std::io::stdout().lock(), &response);
        }
        None => {
            if prelude.answer.call::<_, ()>((id(), result)).is_err() {
                report(ctx);
            }
        }
    }
    true
}

/// A handler's result as JSON, as the prelude's response would hold it;
/// `None` for what the prelude must answer: a promise (or other thenable),
/// a function, a `bigint` (the exact serializer's) and what `JSON.stringify`
/// refuses (a circular value answers -32603) or leaves out.
///
/// Strings, booleans and integers are written here, objects by QuickJS's
/// `JSON.stringify` (an object with its own `toJSON` inside `holder`, so
/// that `toJSON` is called with the key `"result"`, as in the prelude).
fn result_json<'js>(ctx: &Ctx<'js>, holder: &Object<'js>, result: &Value<'js>) -> Option<String> {
    use rquickjs::Type;
    match result.type_of() {
        Type::Undefined | Type::Null => return Some("null".to_owned()),
        Type::Bool => return Some(result.as_bool()?.to_string()),
        Type::Int => return Some(result.as_int()?.to_string()),
        Type::String => {
            // Not UTF-8 (a lone surrogate): JSON.stringify escapes it.
            if let Ok(text) = result.as_string()?.to_string() {
                let mut json = String::with_capacity(text.len() + 2);
                quote_json(&mut json, &text);
                return Some(json);
            }
        }
        Type::Float | Type::Array | Type::Object => {}
        _ => return None,
    }
    let mut wrap = false;
    if let Some(object) = result.as_object() {
        let then: Value = member(ctx, object, "then")?;
        if then.is_function() {
            return None;
        }
        wrap = !member::<Value>(ctx, object, "toJSON")?.is_undefined();
    }
    let json = if wrap {
        holder.set("result", result.clone()).ok()?;
        let json = ctx.json_stringify(holder.clone());
        let _ = holder.set("result", Value::new_undefined(ctx.clone()));
        json
    } else {
        ctx.json_stringify(result.clone())
    };
    let json = match json {
        Ok(Some(json)) => json.to_string().ok()?,
        Ok(None) => return None,
        Err(_) => {
            ctx.catch();
            return None;
        }
    };
    if !wrap {
        return Some(json);
    }
    let json = json.strip_prefix("{\"result\":")?.strip_suffix('}')?;
    Some(json.to_owned())
}

/// `object[name]`; `None` (the exception cleared) when reading it threw.
fn member<'js, T: rquickjs::FromJs<'js>>(
    ctx: &Ctx<'js>,
    object: &Object<'js>,
    name: &str,
) -> Option<T> {
    match object.get(name) {
        Ok(value) => Some(value),
        Err(_) => {
            ctx.catch();
            None
        }
    }
}

/// Appends `text` as a JSON string, escaped as `JSON.stringify` escapes it.
fn quote_json(out: &mut String, text: &str) {
    out.push('"');
    let mut plain = 0;
    for (at, byte) in text.bytes().enumerate() {
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0x08 => "\\b",
            0x0c => "\\f",
            0..=0x1f => "",
            _ => continue,
        };
        out.push_str(&text[plain..at]);
        if escape.is_empty() {
            out.push_str(&format!("\\u{byte:04x}"));
        } else {
            out.push_str(escape);
        }
        plain = at + 1;
    }
    out.push_str(&text[plain..]);
    out.push('"');
}

/// An exception that escaped the prelude: a bug in it, logged.
fn report(ctx: &Ctx<'_>) {
    let text = describe_exception(ctx);
    write_line(std::io::stderr().lock(), &format!("ERROR {text}"));
}

fn fail(message: &str) -> i32 {
    write_line(std::io::stderr().lock(), message);
    1
}

fn run() -> i32 {
    match PHASE.load(Ordering::Relaxed) {
        FRESH => {
            let mode = std::env::args().nth(1).unwrap_or_default();
            if mode != "--eval" && mode != "--load" {
                return fail(
                    "this is the JavaScript plugin runtime without a script: \
                     build a plugin with `cli.ts build plugin.ts -o plugin.wasm`",
                );
            }
            let mut script = String::new();
            if std::io::stdin().read_to_string(&mut script).is_err() {
                return fail("the script is not UTF-8");
            }
            if mode == "--load" {
                SCRIPT.set(script);
                PHASE.store(LOADED, Ordering::Relaxed);
                return 0;
            }
            match start(&script, true) {
                Ok(guest) => GUEST.set(Some(Box::leak(Box::new(guest)))),
                Err(message) => return fail(&message),
            }
            PHASE.store(EVALUATED, Ordering::Relaxed);
            0
        }
        LOADED => {
            let script = SCRIPT.take();
            match start(&script, false) {
                Ok(guest) => GUEST.set(Some(Box::leak(Box::new(guest)))),
                Err(message) => return fail(&message),
            }
            serve(GUEST.get().expect("started"));
            0
        }
        _ => {
            serve(GUEST.get().expect("evaluated"));
            0
        }
    }
}

/// The program's entry, called by wasi-libc's `_start` (crt1-command.o).
/// Not Rust's `main`: Rust's start-up records the main thread once per
/// process, and a pre-initialised module's `_start` runs again on memory
/// where that already happened.
#[cfg(target_os = "wasi")]
#[no_mangle]
pub extern "C" fn __main_void() -> i32 {
    run()
}

/// Elsewhere (the crate is checked and tested on the build machine), a plain `main`.
#[cfg(not(target_os = "wasi"))]
fn main() {
    std::process::exit(run())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the prelude would write as the response's `result`.
    fn prelude_json<'js>(ctx: &Ctx<'js>, result: &Value<'js>) -> Option<String> {
        let stringify: Function = ctx
            .eval("(r) => { try { return JSON.stringify({ result: r ?? null }) } catch { return undefined } }")
            .unwrap();
        let json: Option<String> = stringify.call((result.clone(),)).unwrap();
        Some(
            json?
                .strip_prefix("{\"result\":")?
                .strip_suffix('}')?
                .to_owned(),
        )
    }

    #[test]
    fn result_json_writes_what_json_stringify_writes() {
        let runtime = Runtime::new().unwrap();
        let context = Context::full(&runtime).unwrap();
        context.with(|ctx| {
            let holder = Object::new(ctx.clone()).unwrap();
            for source in [
                "undefined",
                "null",
                "true",
                "false",
                "0",
                "-0",
                "-17",
                "2147483647",
                "1.5",
                "1e21",
                "NaN",
                "Infinity",
                "'pong'",
                "''",
                r#"'quote " backslash \\ / slash'"#,
                r"'\b\f\n\r\t\u0000\u001f\u007f é \u2028 𝄞'",
                "[1, 'a', [null, undefined, () => 1]]",
                "({ a: 1, b: [true], c: undefined, d: { e: 'f' } })",
                "({ toJSON(key) { return key } })",
                "({ then: 1 })",
                "new Date(0)",
                "new String('boxed')",
                "Object.create(null)",
                // Not UTF-8: JSON.stringify escapes it.
                r"'\ud800'",
            ] {
                let value: Value = ctx.eval(format!("({source})")).unwrap();
                assert_eq!(
                    result_json(&ctx, &holder, &value),
                    prelude_json(&ctx, &value),
                    "{source}"
                );
            }
        });
    }

    #[test]
    fn result_json_leaves_the_rest_to_the_prelude() {
        let runtime = Runtime::new().unwrap();
        let context = Context::full(&runtime).unwrap();
        context.with(|ctx| {
            let holder = Object::new(ctx.clone()).unwrap();
            for source in [
                "Promise.resolve(1)",
                "({ then() {} })",
                "() => 1",
                "1n",
                "[1n]",
                "Symbol()",
                "(() => { const a = []; a.push(a); return a })()",
                "({ get then() { throw new Error('no') } })",
                "({ toJSON() { return undefined } })",
            ] {
                let value: Value = ctx.eval(format!("({source})")).unwrap();
                assert_eq!(result_json(&ctx, &holder, &value), None, "{source}");
                assert!(!ctx.has_exception(), "{source}");
            }
        });
    }
}
