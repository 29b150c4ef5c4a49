//! Guest kit for wasmi-plugins: write a plugin as a plain Rust `main` for
//! `wasm32-wasip1` that serves JSON-RPC 2.0 methods to the host and calls
//! the host's methods.
//!
//! # Example
//!
//! ```no_run
//! use std::time::Duration;
//! use wasmi_plugin_pdk::{info, serde_json::json, Host, Plugin, RpcError, Value};
//!
//! fn main() {
//!     Plugin::new()
//!         // Name and version in the `rpc.discover` document.
//!         .info(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
//!         // No params: `()` takes absent, null or [] params.
//!         .method("ping", |_: (), _host: &mut Host| Ok("pong"))
//!         .summary("Answers \"pong\"") // describes the method above
//!         // Positional params: a tuple takes [2, 3].
//!         .method("add", |(a, b): (i64, i64), _host| Ok(a + b))
//!         // Calling the host; its error (if any) is passed on by `?`.
//!         .method("greet", |_: (), host| {
//!             let name: String = host.call("get_name", ())?;
//!             info(format_args!("greeting {name}"));
//!             Ok(format!("hi {name}"))
//!         })
//!         // Failing: `&str`/`String` errors answer code -32000.
//!         .method("div", |(a, b): (i64, i64), _host| {
//!             if b == 0 {
//!                 return Err(RpcError::new(1, "division by zero").with_data(json!({ "a": a })));
//!             }
//!             Ok(a / b)
//!         })
//!         // Any JSON: `Value` takes the params unchanged.
//!         .method("echo", |params: Value, _host| Ok(params))
//!         // Async: one handle to the host, async host calls.
//!         .async_method("slow_echo", |(ms, text): (u64, String), host: Host| async move {
//!             host.sleep(Duration::from_millis(ms)).await;
//!             let echoed: String = host.call_async("echo", [text]).await?;
//!             Ok::<_, RpcError>(echoed)
//!         })
//!         .serve(); // until stdin closes; then `main` returns: exit status 0
//! }
//! ```
//!
//! Build it like any std program for `wasm32-wasip1`, with `panic = "abort"`
//! (a panicking handler then traps, and the host reports the trap).
//!
//! # The wire protocol
//!
//! Newline-delimited JSON-RPC 2.0 over stdio: one message per line (UTF-8,
//! ending in `\n`), host to guest on stdin, guest to host on stdout (flushed
//! after every message). stderr carries human-readable log lines
//! ([`log`], [`info`], ...: `LEVEL message`).
//!
//! - A request `{"jsonrpc":"2.0","id":1,"method":"ping"}` is answered
//!   `{"jsonrpc":"2.0","id":1,"result":"pong"}` or with an `error` object;
//!   the id (number, string or null) is echoed exactly.
//! - Notifications (no `id`) run their handler and are never answered
//!   (a failing one is logged to stderr).
//! - A batch (a JSON array) is answered with an array of the responses, in
//!   order; if it holds only notifications and responses, nothing is sent.
//!   An empty array is an invalid request.
//! - Blank lines are ignored. A line that is not JSON is answered with
//!   -32700 and id null; a message that is not a valid request object with
//!   -32600 ([`RpcError::invalid_request`]), with its id if it has a valid one.
//! - Error codes: -32601 for methods not registered, -32602 when the params
//!   do not deserialize into the handler's type, -32603 when the kit itself
//!   fails, -32000 for handler errors made from a `String`/`&str`;
//!   a handler may return any [`RpcError`] (code, message, data).
//! - The guest calls the host the same way ([`Host::call`]), with ids 1, 2,
//!   3, ... While it waits for a response, requests and notifications from
//!   the host are handled, nested inside the wait, up to a fixed depth (see
//!   "Re-entrancy" below); responses to other pending calls are kept for
//!   them, so out-of-order responses are fine; responses with unknown ids are
//!   logged to stderr and ignored. Params that serialize to null (such as
//!   `()`) are left out of the request.
//! - Lifecycle: [`Plugin::serve`] handles messages until stdin reaches EOF,
//!   then returns, and `main` returning exits with status 0. A stateless call
//!   (one request, then EOF) and a session (many requests over time, then
//!   EOF) are the same loop.
//!
//! # Re-entrancy
//!
//! A guest is single-threaded, with one call stack. While a handler waits
//! for the host (in [`Host::call`], or while an async handler's future is
//! pending), the kit keeps reading stdin:
//!
//! - **Responses** are routed to their calls as soon as they are read, always:
//!   a waiting handler gets its answer whatever else is going on.
//! - **Requests and notifications** (and batches) run nested inside the wait,
//!   so a host that needs the guest's answer to another request before it can
//!   answer (a host method that calls back into the plugin) gets it. At most
//!   16 messages are handled at once. Requests arriving while 16 are on the
//!   stack are queued, and run in arrival order whenever a handler returns
//!   (nested in the wait of the handler then on top, or from the serve loop).
//!   The stack depth is thus bounded however many requests are pending: a
//!   host may start thousands of concurrent calls on one session; the queue
//!   costs heap memory only.
//! - A handler returns only after every handler nested above it has
//!   returned (they share the stack). A handler whose answer has arrived
//!   resumes as soon as those return, before any queued request runs.
//! - Deadlock: a handler waiting for a host answer that the host gives only
//!   after the guest answers another request (a host method calling back
//!   into the plugin) is fine while fewer than 16 handlers are on the
//!   stack: that request runs nested. If the 16th, top-most handler waits
//!   like that, the request waits in the queue for ever (until the host's
//!   timeout). So callbacks may nest 16 deep. Host answers that depend on
//!   nothing from the guest (the common case) never deadlock: the top-most
//!   handler gets its answer, returns, and the queue moves on.
//! - At EOF, queued requests still run: their host calls fail with -32603
//!   (stdin closed), and their answers are written.
//!
//! # Params
//!
//! A handler's params type `P` is any `DeserializeOwned` type. The request's
//! params may be absent, `null`, an array or an object, and, beyond JSON-RPC
//! 2.0 (which wants them structured), a bare number, string or boolean. They
//! are deserialized into `P` as given, and if that fails, once more in one
//! alternative form:
//!
//! | params given         | tried as    | so that                                      |
//! | -------------------- | ----------- | -------------------------------------------- |
//! | `[x]` (one element)  | `x`         | a `u64` handler takes `5` and `[5]`          |
//! | `[]`                 | `null`      | a `()` handler takes absent, `null` and `[]` |
//! | absent or `null`     | `[]`        | a `Vec<T>` handler takes no params           |
//! | any other non-array  | `[x]`       | a `(u64,)` handler takes `5` and `[5]`       |
//!
//! Arrays deserialize into tuples, arrays, `Vec`s and (with serde's derive)
//! structs by position; objects into maps and structs by name; [`Value`]
//! takes the params unchanged (absent params are `null`). If neither form
//! fits, the answer is -32602 with serde's message for the form as given.
//!
//! # Async handlers
//!
//! [`Plugin::async_method`] takes handlers that return a future. Each call's
//! future is run to completion by a minimal single-threaded executor before
//! the response is written: it polls the future, and whenever the future is
//! pending it handles the next message (routing responses to waiting
//! [`HostCall`]s, answering requests, as described in "Re-entrancy"), then
//! polls again.
//! Its waker does nothing, and it needs none: in a wasip1 guest all I/O
//! blocks (the host suspends the guest on blocking reads and sleeps, so the
//! host's event loop is not blocked), and the only thing a kit future can
//! wait for is a message on stdin. Consequently:
//!
//! - [`Host::call_async`] sends its request when first polled; several
//!   polled together (by a hand-written join) are all sent before waiting,
//!   and complete as their responses arrive, in any order.
//! - [`Host::sleep`] blocks the guest for the duration ([`std::thread::sleep`]).
//! - Handlers do not run concurrently with each other: requests arriving
//!   while a handler waits are handled to completion inside that wait, or
//!   queued (see "Re-entrancy").
//! - A future waiting on anything other than the kit's futures is just polled
//!   again after each message from the host; if stdin closes while it is
//!   still pending, the call fails with -32603.
//!
//! # rpc.discover
//!
//! The kit answers `rpc.discover` with an [OpenRPC](https://spec.open-rpc.org)
//! 1.3.2 document describing the plugin: `info` from [`Plugin::info`] (title
//! and version; `"unnamed plugin"` and `"unknown"` when not set) and
//! [`Plugin::info_description`], and every registered method, in
//! registration order, with the `summary` and `description` given by
//! [`Plugin::summary`] and [`Plugin::description`] right after registering
//! it. `rpc.discover` itself is not listed (OpenRPC's discovery method
//! describes the others). Its params must be absent, `null` or `[]`
//! (otherwise -32602). The document is built when first asked for, then
//! kept. A handler registered under the name `rpc.discover` replaces the
//! kit's.
//!
//! ```
//! # #[cfg(feature = "schemars")] {
//! use wasmi_plugin_pdk::{Host, Plugin};
//!
//! let plugin = Plugin::new()
//!     .info(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
//!     .typed_method("add", |(a, b): (i64, i64), _host: &mut Host| Ok(a + b))
//!     .summary("Adds two integers")
//!     .param_names(["a", "b"]);
//! # }
//! ```
//!
//! Params and result schemas (JSON Schema draft 7, as OpenRPC wants) need
//! the cargo feature `schemars` and a method registered with
//! `Plugin::typed_method` or `Plugin::async_typed_method`, which take
//! the same handlers as [`Plugin::method`] and [`Plugin::async_method`]
//! but require `schemars::JsonSchema` of the params type `P` and the
//! result type `R` (derive it for your own types; the kit re-exports the
//! `schemars` crate it uses). Methods registered with `method` or
//! `async_method` are listed all the same, without schemas, so turning the
//! feature on never breaks a plugin whose types lack `JsonSchema`.
//!
//! How a typed method's params are described follows what the kit accepts
//! (see "Params" above), and claims no more:
//!
//! | params type `P`                        | `params`                                             | `paramStructure` |
//! | -------------------------------------- | ---------------------------------------------------- | ---------------- |
//! | `()`                                   | `[]`                                                 | `"by-position"`  |
//! | a tuple, `[T; N]` (N <= 16)            | one per position: `param0`, `param1`, ..., required  | `"by-position"`  |
//! | a struct (named fields)                | one per field, required as in its schema, required first | `"by-name"`  |
//! | a string, number or boolean type       | one, `param0` (the kit takes `[x]` as `x`)           | `"by-position"`  |
//! | anything else (`Vec`, maps, enums, [`Value`]) | one named `params`: the params as a whole     | (none: `"either"`) |
//!
//! - Positional params are named `param0`, `param1`, ... unless
//!   [`Plugin::param_names`] names them.
//! - `()` is `"by-position"` because the kit takes no params, `null` or
//!   `[]` for it, but not `{}`.
//! - Structs are `"by-name"` only: serde also takes their fields by
//!   position, but the schema does not keep the fields' order. Send `{}`
//!   rather than no params when all fields are optional.
//! - A descriptor whose `required` the schema does not give (a scalar, the
//!   params as a whole) is required exactly when the handler refuses absent
//!   params.
//! - Named types (structs, enums) go to `components.schemas` and are
//!   referenced as `#/components/schemas/Name`; names outside
//!   `[A-Za-z0-9._-]` have those characters replaced by `_`.
//! - Schemas describe how types deserialize (for results too, which is
//!   how they serialize unless serde attributes make the two differ).
//!
//! A method without schemas says "unknown" the way OpenRPC allows: one
//! descriptor named `params` with the empty schema `{}` (any value),
//! `required` when the handler refuses absent params, no
//! `paramStructure`, and a `result` with the schema `{}`. (`params: []`
//! would claim the method takes none; a method object without `result`
//! would claim it is for notifications only.)
//!
//! Schemas are generated when the document is first asked for, not at
//! start-up; the generating code (schemars and the types' `JsonSchema`
//! impls) is part of the plugin's binary, only when the feature is on.
//! What is registered (names, summaries, descriptions, param names) is
//! recorded at start-up, which every instance runs again, so every
//! stateless call pays for it. Registering allocates little (an allocation
//! costs a wasm32 guest thousands of instructions): the methods are one
//! list, names and texts given as `&'static str` (literals, `env!`) are
//! borrowed, not copied, and `param_names` makes one allocation. (The test
//! plugin's start-up fuel is measured in BENCHMARKS.md.)
//!
//! # Logging
//!
//! [`log`], [`debug`], [`info`], [`warn`] and [`error`] write one line
//! `LEVEL message` to stderr per record.

mod conn;
mod discover;
mod error;
mod executor;
mod host;
mod logging;
mod message;
mod params;
mod plugin;
#[cfg(feature = "schemars")]
mod schema;

pub use crate::error::RpcError;
pub use crate::host::{Host, HostCall};
pub use crate::logging::{debug, error, info, log, warn, Level};
pub use crate::plugin::Plugin;
/// The schemars version the kit uses (feature `schemars`: for the
/// [`JsonSchema`](schemars::JsonSchema) bound of [`Plugin::typed_method`]).
#[cfg(feature = "schemars")]
pub use schemars;
/// The serde version the kit uses (for `Serialize`/`Deserialize` bounds).
pub use serde;
/// The serde_json version the kit uses (for [`json!`](serde_json::json) and [`Value`]).
pub use serde_json;
/// Any JSON value: as params type, it takes the params unchanged.
pub use serde_json::Value;
