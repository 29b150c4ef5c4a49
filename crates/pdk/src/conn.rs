//! The connection to the host: the line reader and writer, the method table,
//! the calls the guest is waiting on, and the messages waiting to be handled.
//!
//! Everything is single-threaded and re-entrant: while a handler waits for
//! the host, the kit keeps reading messages, and runs the requests among them
//! nested inside that wait (the host may need their answers before it can
//! answer). To keep the stack bounded, at most [`MAX_DEPTH`] messages are
//! handled at once; requests arriving beyond that are queued and run, in
//! order, whenever a handler returns. Responses never wait in the queue: they
//! are routed to their calls as soon as they are read. No `RefCell` borrow is
//! held across reading a line, running a handler or writing a line.

use std::cell::{Cell, OnceCell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::io::{self, BufRead, Write};
use std::rc::Rc;

use serde::Serialize;
use serde_json::Value;

use crate::discover::{self, Catalog};
use crate::message::{classify, Incoming, Request, Response};
use crate::{log, Host, Level, RpcError};

/// How many messages (single requests or batches) may be handled at once,
/// each nested inside the host call (or async handler) of the one below it.
/// Requests arriving when this many are on the stack are queued.
pub(crate) const MAX_DEPTH: usize = 16;

/// A registered method: params in, result out.
pub(crate) type Handler = Box<dyn Fn(&Value, &mut Host) -> Result<Value, RpcError>>;

/// A received message still to be handled: the requests, notifications and
/// invalid items of one line (responses are routed when read), answered with
/// one response or, for a batch, one array.
struct Job {
    items: Vec<Incoming>,
    batch: bool,
}

pub(crate) struct Conn {
    reader: RefCell<Box<dyn BufRead>>,
    writer: RefCell<Box<dyn Write>>,
    /// What `rpc.discover` describes, and its document once built.
    catalog: Catalog<Handler>,
    document: OnceCell<Value>,
    next_id: Cell<u64>,
    /// Calls sent and not yet taken by their caller: `None` until the
    /// response arrives. Responses are routed here by id, so nested and
    /// out-of-order responses reach the right caller.
    pending: RefCell<HashMap<u64, Option<Result<Value, RpcError>>>>,
    /// Messages read but not yet handled, oldest first.
    queue: RefCell<VecDeque<Job>>,
    /// How many jobs are running (nested in each other's waits).
    depth: Cell<usize>,
    /// Stdin reached EOF (or failed): nothing more will arrive.
    closed: Cell<bool>,
}

/// Counts a running job; uncounts it when dropped, even on unwinding.
struct DepthGuard<'a>(&'a Cell<usize>);

impl<'a> DepthGuard<'a> {
    fn enter(depth: &'a Cell<usize>) -> Self {
        depth.set(depth.get() + 1);
        DepthGuard(depth)
    }
}

impl Drop for DepthGuard<'_> {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

impl Conn {
    pub(crate) fn new(
        reader: Box<dyn BufRead>,
        writer: Box<dyn Write>,
        catalog: Catalog<Handler>,
    ) -> Self {
        Conn {
            reader: RefCell::new(reader),
            writer: RefCell::new(writer),
            catalog,
            document: OnceCell::new(),
            next_id: Cell::new(1),
            pending: RefCell::new(HashMap::new()),
            queue: RefCell::new(VecDeque::new()),
            depth: Cell::new(0),
            closed: Cell::new(false),
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.closed.get()
    }

    /// Does one unit of work: runs the oldest queued message if fewer than
    /// [`MAX_DEPTH`] are running, otherwise reads one line (routing the
    /// responses in it, queueing the rest). `Ok(false)` when there was
    /// nothing to do: nothing runnable is queued and stdin is at EOF.
    ///
    /// Never recurses by itself: a job runs nested only inside the wait of
    /// the job below it, so at most [`MAX_DEPTH`] jobs are on the stack.
    pub(crate) fn step(self: &Rc<Self>) -> io::Result<bool> {
        if self.depth.get() < MAX_DEPTH {
            let job = self.queue.borrow_mut().pop_front();
            if let Some(job) = job {
                self.run(job)?;
                return Ok(true);
            }
        }
        self.read()
    }

    /// Reads and sorts one line. `Ok(false)` at EOF.
    fn read(&self) -> io::Result<bool> {
        if self.closed.get() {
            return Ok(false);
        }
        let mut line = Vec::new();
        let read = self.reader.borrow_mut().read_until(b'\n', &mut line);
        match read {
            Ok(0) => {
                self.closed.set(true);
                Ok(false)
            }
            Ok(_) => {
                self.sort_line(&line)?;
                Ok(true)
            }
            Err(error) => {
                self.closed.set(true);
                Err(error)
            }
        }
    }

    /// Parses a line: answers a parse error at once, routes responses to
    /// their calls, and queues everything else as one job.
    fn sort_line(&self, line: &[u8]) -> io::Result<()> {
        if line.trim_ascii().is_empty() {
            return Ok(());
        }
        let value: Value = match serde_json::from_slice(line) {
            Ok(value) => value,
            Err(error) => {
                let outcome = Err(RpcError::parse_error(error));
                return self.write(&Response {
                    id: Value::Null,
                    outcome,
                });
            }
        };
        let (values, batch) = match value {
            Value::Array(items) if !items.is_empty() => (items, true),
            value => (vec![value], false),
        };
        let mut items = Vec::new();
        for value in values {
            match classify(value) {
                Incoming::Response { id, outcome } => self.route(id, outcome),
                item => items.push(item),
            }
        }
        if !items.is_empty() {
            self.queue.borrow_mut().push_back(Job { items, batch });
        }
        Ok(())
    }

    /// Handles a job's items in order and writes the answers.
    fn run(self: &Rc<Self>, job: Job) -> io::Result<()> {
        let _depth = DepthGuard::enter(&self.depth);
        let mut responses: Vec<Response> = job
            .items
            .into_iter()
            .filter_map(|item| self.handle_one(item))
            .collect();
        if job.batch {
            if responses.is_empty() {
                Ok(())
            } else {
                self.write(&responses)
            }
        } else {
            match responses.pop() {
                Some(response) => self.write(&response),
                None => Ok(()),
            }
        }
    }

    /// Handles one request, notification or invalid message; returns the
    /// response to send, if any.
    fn handle_one(self: &Rc<Self>, item: Incoming) -> Option<Response> {
        match item {
            Incoming::Request {
                id: Some(id),
                method,
                params,
            } => {
                let outcome = self.dispatch(&method, &params);
                Some(Response { id, outcome })
            }
            Incoming::Request {
                id: None,
                method,
                params,
            } => {
                if let Err(error) = self.dispatch(&method, &params) {
                    let code = error.code;
                    log(
                        Level::Warn,
                        format_args!("notification {method} failed: {code} {error}"),
                    );
                }
                None
            }
            Incoming::Response { id, outcome } => {
                self.route(id, outcome);
                None
            }
            Incoming::Invalid { id, reason } => Some(Response {
                id,
                outcome: Err(RpcError::invalid_request(reason)),
            }),
        }
    }

    fn dispatch(self: &Rc<Self>, method: &str, params: &Value) -> Result<Value, RpcError> {
        match self.catalog.handler(method) {
            Some(handler) => handler(
                params,
                &mut Host {
                    conn: Rc::clone(self),
                },
            ),
            // The kit's own method, unless a handler replaced it.
            None if method == discover::METHOD => {
                let document = self.document.get_or_init(|| self.catalog.document());
                discover::answer(params, document)
            }
            None => Err(RpcError::method_not_found(method)),
        }
    }

    fn route(&self, id: Value, outcome: Result<Value, RpcError>) {
        let mut pending = self.pending.borrow_mut();
        let slot = id.as_u64().and_then(|key| pending.get_mut(&key));
        let problem = match slot {
            Some(slot @ None) => {
                *slot = Some(outcome);
                return;
            }
            Some(Some(_)) => "a second response",
            None => "a response with unknown id",
        };
        drop(pending);
        match outcome {
            Ok(_) => log(Level::Warn, format_args!("ignoring {problem} {id}")),
            Err(error) => {
                let code = error.code;
                log(
                    Level::Warn,
                    format_args!("ignoring {problem} {id}: error {code} {error}"),
                );
            }
        }
    }

    /// Writes one message as a line and flushes.
    fn write(&self, message: &impl Serialize) -> io::Result<()> {
        let mut line = serde_json::to_vec(message).map_err(io::Error::other)?;
        line.push(b'\n');
        let mut writer = self.writer.borrow_mut();
        writer.write_all(&line)?;
        writer.flush()
    }

    /// Sends a request (with the next id, registered as pending) or, with
    /// `id == false`, a notification.
    pub(crate) fn send(
        &self,
        method: &str,
        params: &Value,
        id: bool,
    ) -> Result<Option<u64>, RpcError> {
        let id = id.then(|| {
            let id = self.next_id.get();
            self.next_id.set(id + 1);
            id
        });
        self.write(&Request { id, method, params })
            .map_err(|error| {
                RpcError::internal(format!("cannot send {method} to the host: {error}"))
            })?;
        if let Some(id) = id {
            self.pending.borrow_mut().insert(id, None);
        }
        Ok(id)
    }

    /// The response to call `id`, if it has arrived (then `id` is forgotten).
    pub(crate) fn take(&self, id: u64) -> Option<Result<Value, RpcError>> {
        let mut pending = self.pending.borrow_mut();
        match pending.get(&id) {
            Some(Some(_)) => pending.remove(&id).flatten(),
            _ => None,
        }
    }

    /// Stops waiting for call `id`; a late response is logged and ignored.
    pub(crate) fn forget(&self, id: u64) {
        self.pending.borrow_mut().remove(&id);
    }

    /// Handles messages (see [`Conn::step`]) until the response to call
    /// `id` arrives.
    pub(crate) fn wait(self: &Rc<Self>, id: u64, method: &str) -> Result<Value, RpcError> {
        loop {
            if let Some(outcome) = self.take(id) {
                return outcome;
            }
            if self.is_closed() {
                self.forget(id);
                return Err(closed_error(method));
            }
            if let Err(error) = self.step() {
                self.forget(id);
                return Err(read_error(error));
            }
        }
    }
}

pub(crate) fn closed_error(method: &str) -> RpcError {
    RpcError::internal(format!("stdin closed before the host answered {method}"))
}

pub(crate) fn read_error(error: io::Error) -> RpcError {
    RpcError::internal(format!("cannot read from the host: {error}"))
}
