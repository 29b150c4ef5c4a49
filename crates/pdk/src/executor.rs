//! The executor for async handlers: polls one future to completion.

use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use crate::conn::{read_error, Conn};
use crate::RpcError;

/// Polls `future` until it completes, doing one step of the connection's
/// work each time it is pending: running a queued message, or reading one
/// (see [`Conn::step`]; at most [`MAX_DEPTH`](crate::conn::MAX_DEPTH)
/// messages are handled at once, so this never nests deeper).
///
/// The waker does nothing: in a wasip1 guest, the only thing a kit future
/// ([`HostCall`](crate::HostCall)) can wait for is a message on stdin, and
/// reading stdin blocks the guest (the host suspends it) until one arrives.
/// So "pending" always means "handle the next message", then poll again.
///
/// # Errors
///
/// An internal error if stdin fails, or if stdin has closed and the future is
/// still pending (it can then never complete).
pub(crate) fn block_on<F: Future>(conn: &Rc<Conn>, future: F) -> Result<F::Output, RpcError> {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return Ok(output);
        }
        if conn.is_closed() {
            return Err(RpcError::internal(
                "async handler still pending after stdin closed",
            ));
        }
        conn.step().map_err(read_error)?;
    }
}
