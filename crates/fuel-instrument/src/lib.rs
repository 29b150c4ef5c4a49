//! Fuel metering for guests that run on V8's own WebAssembly.
//!
//! [`instrument()`] rewrites a wasm32 module so that it counts its own work
//! in a fuel counter, calls the host when a slice's fuel is spent and before
//! a memory or table grows, and imports its one defined memory from the
//! host (see [`instrument`](mod@instrument) for what exactly changes, and
//! [`cost`] for what things cost). Built for `wasm32-unknown-unknown`, the
//! crate is bundled with the TypeScript host and called through the small C
//! ABI in [`abi`], so the rewrite runs the same in Deno, browsers and edge
//! runtimes. [`features`] tells the host which post-MVP proposals a module
//! uses, before it instruments or compiles anything.

pub mod abi;
pub mod cost;
pub mod features;
pub mod instrument;
pub mod scan;

pub use instrument::{instrument, Instrumented};
