//! [`Plugin`]: the method table and the serve loop.

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::io::{self, BufRead, Write};
use std::rc::Rc;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::conn::{Conn, Handler};
use crate::executor::block_on;
use crate::params::{decode, encode};
use crate::{log, Host, Level, RpcError};

/// A plugin: a table of methods, served to the host over stdin/stdout.
///
/// Register methods with [`method`](Plugin::method) and
/// [`async_method`](Plugin::async_method), then call
/// [`serve`](Plugin::serve). Registering a name again replaces the handler.
#[derive(Default)]
pub struct Plugin {
    methods: HashMap<String, Handler>,
}

impl fmt::Debug for Plugin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut names: Vec<&str> = self.methods.keys().map(String::as_str).collect();
        names.sort_unstable();
        f.debug_struct("Plugin").field("methods", &names).finish()
    }
}

impl Plugin {
    /// A plugin with no methods.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `handler` as method `name`.
    ///
    /// The params are deserialized into `P` (leniently, see the crate docs,
    /// "Params"; failure answers -32602 without running the handler) and
    /// `Ok` results are serialized as the response's `result`. An `Err`
    /// answers with that error. The handler may call the host through the
    /// `&mut Host`. Handlers are `Fn` because they may run re-entrantly
    /// (the host may call a method while that method waits for a host call;
    /// see the crate docs, "Re-entrancy"); keep state in a `Cell`, `RefCell`
    /// or `static`, and do not hold a `RefCell` borrow across a host call.
    pub fn method<P, R, F>(mut self, name: impl Into<String>, handler: F) -> Self
    where
        P: DeserializeOwned,
        R: Serialize,
        F: Fn(P, &mut Host) -> Result<R, RpcError> + 'static,
    {
        let handler: Handler = Box::new(move |params, host| {
            let params = decode(params)?;
            encode(handler(params, host)?, "result")
        });
        self.methods.insert(name.into(), handler);
        self
    }

    /// Registers an async `handler` as method `name`.
    ///
    /// As [`method`](Plugin::method), but the handler gets an owned [`Host`]
    /// and returns a future, which the kit's executor polls to completion
    /// before the response is sent (see the crate docs, "Async handlers").
    pub fn async_method<P, R, F, Fut>(mut self, name: impl Into<String>, handler: F) -> Self
    where
        P: DeserializeOwned,
        R: Serialize,
        F: Fn(P, Host) -> Fut + 'static,
        Fut: Future<Output = Result<R, RpcError>>,
    {
        let handler: Handler = Box::new(move |params, host| {
            let params = decode(params)?;
            let result = block_on(&host.conn, handler(params, host.clone()))??;
            encode(result, "result")
        });
        self.methods.insert(name.into(), handler);
        self
    }

    /// Serves the methods on stdin/stdout until stdin closes, then returns
    /// (so returning from `main` exits with status 0).
    ///
    /// If stdin or stdout fails, logs the error and exits with status 1.
    pub fn serve(self) {
        let stdin = io::stdin().lock();
        if let Err(error) = self.serve_with(stdin, io::stdout()) {
            log(Level::Error, format_args!("wasmi_plugin_pdk: {error}"));
            std::process::exit(1);
        }
    }

    /// Serves the methods, reading messages from `reader` and writing
    /// messages to `writer` (flushed after each), until `reader` reaches EOF.
    /// [`serve`](Plugin::serve) is this on stdin/stdout; tests feed bytes.
    ///
    /// # Errors
    ///
    /// The first error reading `reader` or writing `writer`.
    pub fn serve_with<R, W>(self, reader: R, writer: W) -> io::Result<()>
    where
        R: BufRead + 'static,
        W: Write + 'static,
    {
        let conn = Rc::new(Conn::new(Box::new(reader), Box::new(writer), self.methods));
        while conn.step()? {}
        Ok(())
    }
}
