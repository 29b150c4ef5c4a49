//! A complete plugin: three methods, one of which calls the host back.
use wasmi_plugin_pdk::{info, Host, Plugin, RpcError};

fn main() {
    Plugin::new()
        // Name and version for rpc.discover, which the kit answers.
        .info(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
        // typed_method (feature "schemars"): rpc.discover gets the schemas.
        .typed_method("add", |(a, b): (i64, i64), _host: &mut Host| Ok(a + b))
        .param_names(["a", "b"])
        .typed_method("greet", |[name]: [String; 1], host| {
            // Ask the host for the hour, log, then answer.
            let hour: u32 = host.call("hour", ())?;
            info(format_args!("greeting {name} at {hour}h"));
            let greeting = if hour < 12 { "Good morning" } else { "Hello" };
            Ok(format!("{greeting}, {name}!"))
        })
        .summary("Greets by name, by the host's hour")
        .param_names(["name"])
        .typed_method("divide", |(a, b): (f64, f64), _host| {
            if b == 0.0 {
                return Err(RpcError::new(1, "division by zero"));
            }
            Ok(a / b)
        })
        .param_names(["dividend", "divisor"])
        .serve(); // until stdin closes
}
