//! [`Host`]: calling the host's methods, blocking or async.

use std::fmt;
use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::conn::{closed_error, Conn};
use crate::params::{decode_result, encode};
use crate::RpcError;

/// The host, as seen from a handler: call its methods and send it
/// notifications.
///
/// Handlers registered with [`Plugin::method`](crate::Plugin::method) get a
/// `&mut Host`, those registered with
/// [`Plugin::async_method`](crate::Plugin::async_method) an owned `Host`
/// (a cheap handle: clones share the one connection). A `Host` is only
/// meaningful while [`Plugin::serve`](crate::Plugin::serve) runs.
///
/// Calls carry the guest's own ids: increasing integers from 1.
#[derive(Clone)]
pub struct Host {
    pub(crate) conn: Rc<Conn>,
}

impl fmt::Debug for Host {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Host").finish_non_exhaustive()
    }
}

impl Host {
    /// Calls host method `method` and waits for its answer.
    ///
    /// Writes the request (without `params` when `params` serializes to
    /// `null`, as `()` does), then reads stdin until the response with its
    /// id arrives. Requests and notifications from the host that arrive
    /// meanwhile are handled and answered, nested inside this call or, with
    /// 16 handlers already on the stack, after a handler returns (see the
    /// crate docs, "Re-entrancy"); responses to other pending calls are kept
    /// for them; responses with unknown ids are logged to stderr and ignored.
    ///
    /// # Errors
    ///
    /// The host's error object, unchanged, when the host answers with one;
    /// otherwise an internal error (-32603) when params or result do not
    /// (de)serialize, stdin closes first, or stdin/stdout fail.
    pub fn call<P: Serialize, R: DeserializeOwned>(
        &self,
        method: &str,
        params: P,
    ) -> Result<R, RpcError> {
        let params = encode(params, "params")?;
        let id = self
            .conn
            .send(method, &params, true)?
            .expect("requests have an id");
        let result = self.conn.wait(id, method)?;
        decode_result(method, result)
    }

    /// The async form of [`Host::call`], for async handlers: sends the
    /// request when first polled and completes when the response arrives.
    ///
    /// Inside a handler registered with
    /// [`Plugin::async_method`](crate::Plugin::async_method), the kit's
    /// executor reads the next message from stdin whenever the handler's
    /// future is pending (see the crate docs, "Async handlers"). Polled by
    /// any other executor, the future stays pending until something else
    /// reads the response.
    pub fn call_async<P: Serialize, R: DeserializeOwned>(
        &self,
        method: &str,
        params: P,
    ) -> HostCall<R> {
        HostCall {
            conn: Rc::clone(&self.conn),
            method: method.to_owned(),
            state: match encode(params, "params") {
                Ok(params) => State::Unsent(params),
                Err(error) => State::Failed(error),
            },
            result: PhantomData,
        }
    }

    /// Sends host method `method` a notification (a request without id: the
    /// host does not answer).
    ///
    /// # Errors
    ///
    /// An internal error (-32603) when params do not serialize or stdout fails.
    pub fn notify<P: Serialize>(&self, method: &str, params: P) -> Result<(), RpcError> {
        let params = encode(params, "params")?;
        self.conn.send(method, &params, false).map(drop)
    }

    /// Sleeps for `duration`, for async handlers.
    ///
    /// This blocks the guest like [`std::thread::sleep`] (WASI's
    /// `poll_oneoff`); the host suspends the guest meanwhile, so the host
    /// is not blocked. It is async only so that async handlers read
    /// naturally.
    pub async fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }
}

/// The future returned by [`Host::call_async`]; resolves to the host's
/// result as `R`, or to an error as [`Host::call`] does.
///
/// Dropping it before completion stops waiting: a response arriving later
/// is logged and ignored.
#[must_use = "futures do nothing unless awaited; the request is sent when first polled"]
pub struct HostCall<R> {
    conn: Rc<Conn>,
    method: String,
    state: State,
    result: PhantomData<fn() -> R>,
}

enum State {
    Unsent(Value),
    Waiting(u64),
    Failed(RpcError),
    Done,
}

impl<R> fmt::Debug for HostCall<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HostCall")
            .field("method", &self.method)
            .finish_non_exhaustive()
    }
}

impl<R: DeserializeOwned> Future for HostCall<R> {
    type Output = Result<R, RpcError>;

    fn poll(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let id = match std::mem::replace(&mut this.state, State::Done) {
            State::Unsent(params) => match this.conn.send(&this.method, &params, true) {
                Ok(id) => id.expect("requests have an id"),
                Err(error) => return Poll::Ready(Err(error)),
            },
            State::Waiting(id) => id,
            State::Failed(error) => return Poll::Ready(Err(error)),
            State::Done => panic!("HostCall polled after completion"),
        };
        if let Some(outcome) = this.conn.take(id) {
            return Poll::Ready(outcome.and_then(|result| decode_result(&this.method, result)));
        }
        if this.conn.is_closed() {
            this.conn.forget(id);
            return Poll::Ready(Err(closed_error(&this.method)));
        }
        this.state = State::Waiting(id);
        Poll::Pending
    }
}

impl<R> Drop for HostCall<R> {
    fn drop(&mut self) {
        if let State::Waiting(id) = self.state {
            self.conn.forget(id);
        }
    }
}
