//! Example plugin in Rust on the guest kit `wasmi_plugin_pdk`: the scenario
//! every plugin under examples/ implements (see examples/README.md).
//!
//! The kit does the protocol: reading lines, echoing ids, answering unknown
//! methods with -32601 ("Method not found: NAME"), matching the host's
//! response to a host call, and returning when stdin reaches EOF. It also
//! answers `rpc.discover` with the plugin's OpenRPC document: `info` names
//! the plugin, `typed_method` (the kit's feature `schemars`) adds each
//! method's params and result schemas, `summary` describes the method
//! registered just before it.

use wasmi_plugin_pdk::{info, Host, Plugin, RpcError};

fn main() {
    Plugin::new()
        .info("rust-example", env!("CARGO_PKG_VERSION"))
        .info_description(
            "The example plugin in Rust: the methods every plugin under examples/ serves",
        )
        .typed_method("ping", |_: (), _host: &mut Host| Ok("pong"))
        .summary("Answers pong")
        .typed_method("add", |(a, b): (i64, i64), _host| {
            a.checked_add(b)
                .ok_or_else(|| RpcError::invalid_params("integer overflow"))
        })
        .summary("Adds two integers")
        .param_names(["a", "b"])
        .typed_method("greet", |(name,): (String,), host| {
            // The host's error, if any, is passed on unchanged by `?`.
            let greeting: String = host.call("greeting", [name])?;
            Ok(format!("{greeting}!"))
        })
        .summary("Answers the result of the host method greeting with ! appended")
        .param_names(["name"])
        .typed_method("log", |(message,): (String,), _host| {
            info(message);
            Ok(())
        })
        .summary("Writes INFO and the message as one line to stderr")
        .param_names(["message"])
        .typed_method("fail", |_: (), _host| {
            Err::<(), _>(RpcError::new(-32000, "failed on purpose"))
        })
        .summary("Answers the error -32000 every time")
        .typed_method("exit", |(code,): (i32,), _host| -> Result<(), RpcError> {
            std::process::exit(code)
        })
        .summary("Exits with the given code at once, without answering")
        .param_names(["code"])
        .serve(); // until stdin reaches EOF; returning from main exits with 0
}
