//! Example plugin in Rust on the guest kit `wasmi_plugin_pdk`: the scenario
//! every plugin under examples/ implements (see examples/README.md).
//!
//! The kit does the protocol: reading lines, echoing ids, answering unknown
//! methods with -32601 ("Method not found: NAME"), matching the host's
//! response to a host call, and returning when stdin reaches EOF.

use wasmi_plugin_pdk::{info, Host, Plugin, RpcError};

fn main() {
    Plugin::new()
        .method("ping", |_: (), _host: &mut Host| Ok("pong"))
        .method("add", |(a, b): (i64, i64), _host| {
            a.checked_add(b)
                .ok_or_else(|| RpcError::invalid_params("integer overflow"))
        })
        .method("greet", |(name,): (String,), host| {
            // The host's error, if any, is passed on unchanged by `?`.
            let greeting: String = host.call("greeting", [name])?;
            Ok(format!("{greeting}!"))
        })
        .method("log", |(message,): (String,), _host| {
            info(message);
            Ok(())
        })
        .method("fail", |_: (), _host| {
            Err::<(), _>(RpcError::new(-32000, "failed on purpose"))
        })
        .method("exit", |(code,): (i32,), _host| -> Result<(), RpcError> {
            std::process::exit(code)
        })
        .serve(); // until stdin reaches EOF; returning from main exits with 0
}
