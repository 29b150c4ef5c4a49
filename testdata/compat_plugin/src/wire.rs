//! The wire format of the original framework's guest kit, spoken the way
//! that kit speaks it: one JSON-RPC 2.0 object per line on stdin and
//! stdout, number ids only, and a `params` member on every request (any
//! JSON value: a bare number, a string, `null` when there is nothing to
//! pass). A request without `params` is a line it cannot parse.

use std::fmt;
use std::io::{self, BufRead, Write};

use serde_json::{json, Value};

/// A message from the host.
#[derive(Debug, PartialEq)]
pub enum Incoming {
    /// A request (with an id) or a notification (without).
    Request {
        id: Option<u64>,
        method: String,
        params: Value,
    },
    /// The answer to one of our host calls: its result or its error object.
    Response {
        id: u64,
        outcome: Result<Value, Value>,
    },
}

/// Parses one line the way the original kit does: strictly.
pub fn parse(line: &str) -> Result<Incoming, String> {
    let value: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
    let Value::Object(mut object) = value else {
        return Err("expected a JSON object".into());
    };
    if object.get("jsonrpc") != Some(&json!("2.0")) {
        return Err("field `jsonrpc` must be \"2.0\"".into());
    }
    let id = match object.remove("id") {
        None => None,
        Some(id) => Some(
            id.as_u64()
                .ok_or("field `id` must be an unsigned integer")?,
        ),
    };
    if let Some(method) = object.remove("method") {
        let Value::String(method) = method else {
            return Err("field `method` must be a string".into());
        };
        let params = object.remove("params").ok_or("missing field `params`")?;
        return Ok(Incoming::Request { id, method, params });
    }
    let id = id.ok_or("missing field `id`")?;
    let outcome = match (object.remove("result"), object.remove("error")) {
        (Some(result), None) => Ok(result),
        (None, Some(error)) => Err(error),
        _ => return Err("a response needs exactly one of `result` and `error`".into()),
    };
    Ok(Incoming::Response { id, outcome })
}

/// A JSON-RPC error, ours or the host's.
#[derive(Debug, PartialEq)]
pub struct RpcError {
    pub code: i64,
    pub message: String,
}

impl RpcError {
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    pub fn invalid_params(detail: impl fmt::Display) -> Self {
        Self::new(-32602, format!("Invalid params: {detail}"))
    }

    /// The host's error object, as an error.
    fn from_value(error: &Value) -> Self {
        let code = error["code"].as_i64().unwrap_or(-32603);
        let message = error["message"].as_str().unwrap_or("(no message)");
        Self::new(code, message)
    }
}

impl From<io::Error> for RpcError {
    fn from(error: io::Error) -> Self {
        Self::new(-32603, error.to_string())
    }
}

/// Our end of the connection: reads the host's lines, writes ours.
pub struct Conn<R, W> {
    input: R,
    output: W,
    next_id: u64,
}

impl<R: BufRead, W: Write> Conn<R, W> {
    pub fn new(input: R, output: W) -> Self {
        Self {
            input,
            output,
            next_id: 1,
        }
    }

    /// The next message; `None` at end of input; `Err` for a line that
    /// cannot be read or parsed. Blank lines are skipped.
    pub fn next_message(&mut self) -> Result<Option<Incoming>, String> {
        let mut line = String::new();
        loop {
            line.clear();
            if self.input.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
                return Ok(None);
            }
            if !line.trim().is_empty() {
                return parse(&line).map(Some);
            }
        }
    }

    /// Writes one message as a line and flushes it.
    fn write(&mut self, message: &Value) -> io::Result<()> {
        serde_json::to_writer(&mut self.output, message)?;
        self.output.write_all(b"\n")?;
        self.output.flush()
    }

    /// Answers a request of the host's.
    pub fn respond(&mut self, id: u64, outcome: Result<Value, RpcError>) -> io::Result<()> {
        self.write(&match outcome {
            Ok(result) => json!({ "jsonrpc": "2.0", "id": id, "result": result }),
            Err(RpcError { code, message }) => json!({
                "jsonrpc": "2.0",
                "id": id,
                "error": { "code": code, "message": message },
            }),
        })
    }

    /// Calls a host method with `params` exactly as given (a bare number
    /// stays a bare number) and waits for its answer. Requests the host
    /// sends meanwhile are refused: this plugin handles one at a time.
    pub fn call(&mut self, method: &str, params: Value) -> Result<Value, RpcError> {
        let id = self.next_id;
        self.next_id += 1;
        self.write(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }))?;
        loop {
            match self.next_message() {
                Ok(Some(Incoming::Response { id: got, outcome })) if got == id => {
                    return outcome.map_err(|error| RpcError::from_value(&error));
                }
                Ok(Some(Incoming::Response { id: other, .. })) => {
                    eprintln!("WARN a response to unknown id {other}");
                }
                Ok(Some(Incoming::Request {
                    id: Some(other), ..
                })) => {
                    let busy = RpcError::new(-32603, "busy: waiting for a host call");
                    self.respond(other, Err(busy))?;
                }
                Ok(Some(Incoming::Request { id: None, .. })) => {}
                Ok(None) => return Err(RpcError::new(-32603, "stdin ended during a host call")),
                Err(reason) => return Err(RpcError::new(-32700, reason)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_need_params_and_number_ids() {
        assert_eq!(
            parse(r#"{"jsonrpc":"2.0","id":1,"method":"sleep","params":5}"#),
            Ok(Incoming::Request {
                id: Some(1),
                method: "sleep".into(),
                params: json!(5)
            })
        );
        assert_eq!(
            parse(r#"{"jsonrpc":"2.0","id":2,"method":"ping","params":null}"#),
            Ok(Incoming::Request {
                id: Some(2),
                method: "ping".into(),
                params: Value::Null
            })
        );
        assert_eq!(
            parse(r#"{"jsonrpc":"2.0","id":3,"method":"ping"}"#),
            Err("missing field `params`".into())
        );
        assert!(parse(r#"{"jsonrpc":"2.0","id":"a","method":"ping","params":null}"#).is_err());
        assert!(parse(r#"{"id":1,"method":"ping","params":null}"#).is_err());
    }

    #[test]
    fn responses_carry_a_result_or_an_error() {
        assert_eq!(
            parse(r#"{"jsonrpc":"2.0","id":4,"result":18446744073709551615}"#),
            Ok(Incoming::Response {
                id: 4,
                outcome: Ok(json!(u64::MAX))
            })
        );
        assert!(matches!(
            parse(r#"{"jsonrpc":"2.0","id":5,"error":{"code":1,"message":"no"}}"#),
            Ok(Incoming::Response {
                id: 5,
                outcome: Err(_)
            })
        ));
        assert!(parse(r#"{"jsonrpc":"2.0","id":6}"#).is_err());
    }

    #[test]
    fn host_calls_send_bare_params_and_wait_for_their_answer() {
        let input = concat!(
            r#"{"jsonrpc":"2.0","id":9,"method":"other","params":null}"#,
            "\n",
            r#"{"jsonrpc":"2.0","id":1,"result":7}"#,
            "\n"
        );
        let mut output = Vec::new();
        let mut conn = Conn::new(input.as_bytes(), &mut output);
        assert_eq!(conn.call("echo", json!(7)), Ok(json!(7)));
        let lines: Vec<Value> = String::from_utf8(output)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(
            lines,
            [
                json!({"jsonrpc": "2.0", "id": 1, "method": "echo", "params": 7}),
                json!({"jsonrpc": "2.0", "id": 9, "error": {"code": -32603, "message": "busy: waiting for a host call"}}),
            ]
        );
    }
}
