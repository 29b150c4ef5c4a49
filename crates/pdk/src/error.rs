//! [`RpcError`]: the `error` member of a JSON-RPC 2.0 response.

use std::fmt;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::Value;

/// A JSON-RPC 2.0 error: what a handler answers with when it fails, and
/// what [`Host::call`](crate::Host::call) returns when the host answers with
/// an error (or the call cannot be made).
///
/// Handlers return `Result<_, RpcError>`, so `?` works on host calls (the
/// host's error is passed on unchanged: code, message and data) and on
/// anything that converts into an `RpcError`: `String` and `&str` (code
/// [`RpcError::SERVER_ERROR`], -32000, with the text as the message) and
/// [`std::io::Error`] (the same, with the error's `Display` text).
///
/// ```
/// use wasmi_plugin_pdk::{serde_json::json, RpcError};
///
/// let plain = RpcError::from("disk full");
/// assert_eq!((plain.code, plain.message.as_str()), (-32000, "disk full"));
///
/// let custom = RpcError::new(42, "not ready").with_data(json!({ "retry_ms": 100 }));
/// assert_eq!(custom.to_string(), "not ready");
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct RpcError {
    /// The error code (see the associated constants for the reserved ones).
    pub code: i64,
    /// A short description; also the error's `Display` text.
    pub message: String,
    /// Additional information, sent as `data` when present.
    pub data: Option<Value>,
}

impl RpcError {
    /// -32700: a line from the other side is not valid JSON.
    pub const PARSE_ERROR: i64 = -32700;
    /// -32600: a message is not a valid request object.
    pub const INVALID_REQUEST: i64 = -32600;
    /// -32601: no handler is registered for the method.
    pub const METHOD_NOT_FOUND: i64 = -32601;
    /// -32602: the params do not deserialize into the handler's type.
    pub const INVALID_PARAMS: i64 = -32602;
    /// -32603: the kit itself failed (I/O, serialization, stdin closed, ...).
    pub const INTERNAL_ERROR: i64 = -32603;
    /// -32000: a handler failed (the code used for `String`/`&str` errors).
    pub const SERVER_ERROR: i64 = -32000;

    /// An error with this code and message and no data.
    pub fn new(code: i64, message: impl Into<String>) -> Self {
        RpcError {
            code,
            message: message.into(),
            data: None,
        }
    }

    /// The same error with `data` attached.
    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    /// A handler failure: code -32000 ([`RpcError::SERVER_ERROR`]).
    pub fn server_error(message: impl Into<String>) -> Self {
        Self::new(Self::SERVER_ERROR, message)
    }

    /// Code -32700 with the message `Parse error: <detail>`.
    pub fn parse_error(detail: impl fmt::Display) -> Self {
        Self::new(Self::PARSE_ERROR, format!("Parse error: {detail}"))
    }

    /// Code -32600 with the message `Invalid request: <detail>`.
    pub fn invalid_request(detail: impl fmt::Display) -> Self {
        Self::new(Self::INVALID_REQUEST, format!("Invalid request: {detail}"))
    }

    /// Code -32601 with the message `Method not found: <method>`.
    pub fn method_not_found(method: &str) -> Self {
        Self::new(
            Self::METHOD_NOT_FOUND,
            format!("Method not found: {method}"),
        )
    }

    /// Code -32602 with the message `Invalid params: <detail>`.
    pub fn invalid_params(detail: impl fmt::Display) -> Self {
        Self::new(Self::INVALID_PARAMS, format!("Invalid params: {detail}"))
    }

    /// Code -32603 with the message `Internal error: <detail>`.
    pub fn internal(detail: impl fmt::Display) -> Self {
        Self::new(Self::INTERNAL_ERROR, format!("Internal error: {detail}"))
    }

    /// Reads an `error` member received from the other side. A malformed one
    /// (no integer `code` or no string `message`) becomes an internal error.
    pub(crate) fn from_wire(error: &Value) -> Self {
        let code = error.get("code").and_then(Value::as_i64);
        let message = error.get("message").and_then(Value::as_str);
        match (code, message) {
            (Some(code), Some(message)) => RpcError {
                code,
                message: message.to_owned(),
                data: error.get("data").cloned(),
            },
            _ => Self::internal(format!("malformed error object in a response: {error}")),
        }
    }
}

impl fmt::Display for RpcError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RpcError {}

impl From<String> for RpcError {
    fn from(message: String) -> Self {
        Self::server_error(message)
    }
}

impl From<&str> for RpcError {
    fn from(message: &str) -> Self {
        Self::server_error(message)
    }
}

impl From<std::io::Error> for RpcError {
    fn from(error: std::io::Error) -> Self {
        Self::server_error(error.to_string())
    }
}

/// Serializes as the wire's error object: `{"code", "message", "data"?}`.
impl Serialize for RpcError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2 + usize::from(self.data.is_some())))?;
        map.serialize_entry("code", &self.code)?;
        map.serialize_entry("message", &self.message)?;
        if let Some(data) = &self.data {
            map.serialize_entry("data", data)?;
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn conversions_use_the_server_error_code() {
        assert_eq!(RpcError::from("x"), RpcError::new(-32000, "x"));
        assert_eq!(
            RpcError::from(String::from("y")),
            RpcError::new(-32000, "y")
        );
        let io = std::io::Error::other("z");
        assert_eq!(RpcError::from(io), RpcError::new(-32000, "z"));
    }

    #[test]
    fn serializes_data_only_when_present() {
        let plain = serde_json::to_string(&RpcError::new(1, "m")).unwrap();
        assert_eq!(plain, r#"{"code":1,"message":"m"}"#);
        let with = RpcError::new(1, "m").with_data(json!([null]));
        let with = serde_json::to_string(&with).unwrap();
        assert_eq!(with, r#"{"code":1,"message":"m","data":[null]}"#);
    }

    #[test]
    fn reads_error_objects_from_the_wire() {
        let error = RpcError::from_wire(&json!({"code": -32601, "message": "nope", "data": 7}));
        assert_eq!(error, RpcError::new(-32601, "nope").with_data(json!(7)));
        let malformed = RpcError::from_wire(&json!({"message": "no code"}));
        assert_eq!(malformed.code, RpcError::INTERNAL_ERROR);
    }
}
