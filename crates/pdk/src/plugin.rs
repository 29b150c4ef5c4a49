//! [`Plugin`]: the method table and the serve loop.

use std::borrow::Cow;
use std::fmt;
use std::future::Future;
use std::io::{self, BufRead, Write};
use std::rc::Rc;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::conn::{Conn, Handler};
use crate::discover::{takes_no_params, Catalog};
use crate::executor::block_on;
use crate::params::{decode, encode};
use crate::{log, Host, Level, RpcError};

/// A plugin: a table of methods, served to the host over stdin/stdout.
///
/// Register methods with [`method`](Plugin::method) and
/// [`async_method`](Plugin::async_method) (or, with the `schemars` feature,
/// `typed_method` and `async_typed_method`), then call
/// [`serve`](Plugin::serve). Registering a name again replaces the handler
/// (and its description). The kit answers `rpc.discover` with an OpenRPC
/// document of the methods (see the crate docs, "rpc.discover"); name the
/// plugin in it with [`info`](Plugin::info).
#[derive(Default)]
pub struct Plugin {
    catalog: Catalog<Handler>,
}

impl fmt::Debug for Plugin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.catalog.names().collect();
        f.debug_struct("Plugin")
            .field("title", &self.catalog.title)
            .field("version", &self.catalog.version)
            .field("methods", &names)
            .finish()
    }
}

impl Plugin {
    /// A plugin with no methods.
    pub fn new() -> Self {
        Self::default()
    }

    /// Names the plugin in its `rpc.discover` document: `info.title` and
    /// `info.version`. Without it they are `"unnamed plugin"` and
    /// `"unknown"`. The crate's own name and version are the usual choice:
    ///
    /// ```
    /// # use wasmi_plugin_pdk::Plugin;
    /// let plugin = Plugin::new().info(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"));
    /// ```
    pub fn info(
        mut self,
        title: impl Into<Cow<'static, str>>,
        version: impl Into<Cow<'static, str>>,
    ) -> Self {
        self.catalog.title = Some(title.into());
        self.catalog.version = Some(version.into());
        self
    }

    /// Describes the plugin in its `rpc.discover` document
    /// (`info.description`; Markdown may be used).
    pub fn info_description(mut self, text: impl Into<Cow<'static, str>>) -> Self {
        self.catalog.description = Some(text.into());
        self
    }

    /// Gives the method registered just before this call a `summary` (a
    /// short line) in the `rpc.discover` document.
    ///
    /// ```
    /// # use wasmi_plugin_pdk::{Host, Plugin};
    /// let plugin = Plugin::new()
    ///     .method("ping", |_: (), _host: &mut Host| Ok("pong"))
    ///     .summary("Answers \"pong\"")
    ///     .description("A liveness check: no params, no side effects.");
    /// ```
    ///
    /// # Panics
    ///
    /// If no method has been registered yet.
    pub fn summary(mut self, text: impl Into<Cow<'static, str>>) -> Self {
        self.catalog.last_mut("summary").summary = Some(text.into());
        self
    }

    /// Gives the method registered just before this call a `description`
    /// (longer, Markdown may be used) in the `rpc.discover` document.
    ///
    /// # Panics
    ///
    /// If no method has been registered yet.
    pub fn description(mut self, text: impl Into<Cow<'static, str>>) -> Self {
        self.catalog.last_mut("description").description = Some(text.into());
        self
    }

    /// Names the positional params of the method registered just before
    /// this call, in order, in the `rpc.discover` document (a tuple's
    /// elements have no names of their own: they are listed as `param0`,
    /// `param1`, ... otherwise). Applies to methods whose params are
    /// described by position (see the crate docs, "rpc.discover"); extra
    /// names are ignored.
    ///
    /// # Panics
    ///
    /// If no method has been registered yet.
    pub fn param_names<T: Into<Cow<'static, str>>, const N: usize>(
        mut self,
        names: [T; N],
    ) -> Self {
        self.catalog.last_mut("param_names").param_names =
            names.into_iter().map(Into::into).collect();
        self
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
    ///
    /// The method is listed in the `rpc.discover` document without params
    /// or result schemas; `typed_method` (feature `schemars`) adds them.
    pub fn method<P, R, F>(self, name: impl Into<Cow<'static, str>>, handler: F) -> Self
    where
        P: DeserializeOwned,
        R: Serialize,
        F: Fn(P, &mut Host) -> Result<R, RpcError> + 'static,
    {
        let handler: Handler = Box::new(move |params, host| {
            let params = decode(params)?;
            encode(handler(params, host)?, "result")
        });
        self.register::<P>(name.into(), handler)
    }

    /// Registers an async `handler` as method `name`.
    ///
    /// As [`method`](Plugin::method), but the handler gets an owned [`Host`]
    /// and returns a future, which the kit's executor polls to completion
    /// before the response is sent (see the crate docs, "Async handlers").
    pub fn async_method<P, R, F, Fut>(self, name: impl Into<Cow<'static, str>>, handler: F) -> Self
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
        self.register::<P>(name.into(), handler)
    }

    /// As [`method`](Plugin::method), and the `rpc.discover` document
    /// describes the params and the result with the JSON Schemas of `P` and
    /// `R` (see the crate docs, "rpc.discover"). Feature `schemars`.
    ///
    /// ```
    /// # use wasmi_plugin_pdk::{Host, Plugin};
    /// let plugin = Plugin::new()
    ///     .typed_method("add", |(a, b): (i64, i64), _host: &mut Host| Ok(a + b))
    ///     .summary("Adds two integers");
    /// ```
    #[cfg(feature = "schemars")]
    pub fn typed_method<P, R, F>(self, name: impl Into<Cow<'static, str>>, handler: F) -> Self
    where
        P: DeserializeOwned + schemars::JsonSchema,
        R: Serialize + schemars::JsonSchema,
        F: Fn(P, &mut Host) -> Result<R, RpcError> + 'static,
    {
        self.method(name, handler).with_schemas::<P, R>()
    }

    /// As [`async_method`](Plugin::async_method), and the `rpc.discover`
    /// document describes the params and the result with the JSON Schemas
    /// of `P` and `R`. Feature `schemars`.
    #[cfg(feature = "schemars")]
    pub fn async_typed_method<P, R, F, Fut>(
        self,
        name: impl Into<Cow<'static, str>>,
        handler: F,
    ) -> Self
    where
        P: DeserializeOwned + schemars::JsonSchema,
        R: Serialize + schemars::JsonSchema,
        F: Fn(P, Host) -> Fut + 'static,
        Fut: Future<Output = Result<R, RpcError>>,
    {
        self.async_method(name, handler).with_schemas::<P, R>()
    }

    #[cfg(feature = "schemars")]
    fn with_schemas<P: schemars::JsonSchema, R: schemars::JsonSchema>(mut self) -> Self {
        let schemas = crate::schema::Schemas::of::<P, R>();
        self.catalog.last_mut("typed_method").schemas = Some(schemas);
        self
    }

    fn register<P: DeserializeOwned>(mut self, name: Cow<'static, str>, handler: Handler) -> Self {
        self.catalog.register(name, handler, takes_no_params::<P>);
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
        let conn = Rc::new(Conn::new(Box::new(reader), Box::new(writer), self.catalog));
        while conn.step()? {}
        Ok(())
    }
}
