//! The wire format: classifying received JSON values, and serializing the
//! messages the guest sends (members in the order `jsonrpc`, `id`, then the
//! rest, as people write them).

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

use crate::RpcError;

/// A received JSON value, classified.
#[derive(Debug, PartialEq)]
pub(crate) enum Incoming {
    /// A request (`id` is `Some`, possibly `Some(Value::Null)`) or a
    /// notification (`id` is `None`). Absent params are `Value::Null`.
    Request {
        id: Option<Value>,
        method: String,
        params: Value,
    },
    /// A response to one of the guest's calls.
    Response {
        id: Value,
        outcome: Result<Value, RpcError>,
    },
    /// Not a valid request: answered with -32600 and this id.
    Invalid { id: Value, reason: &'static str },
}

fn is_id(value: &Value) -> bool {
    matches!(value, Value::String(_) | Value::Number(_) | Value::Null)
}

/// Classifies one message (a batch's items are classified one by one).
///
/// Objects with a `method` member are requests; objects without one but with
/// `result` or `error` are responses (`error` wins if both are present);
/// anything else is invalid.
pub(crate) fn classify(value: Value) -> Incoming {
    let Value::Object(mut object) = value else {
        return invalid(&Map::new(), "not an object");
    };
    if object.contains_key("method") {
        let valid_id = object.get("id").is_none_or(is_id);
        if !valid_id {
            return Incoming::Invalid {
                id: Value::Null,
                reason: "id must be a string, a number or null",
            };
        }
        if object.get("jsonrpc").and_then(Value::as_str) != Some("2.0") {
            return invalid(&object, "jsonrpc must be \"2.0\"");
        }
        // JSON-RPC 2.0 wants params structured (array or object); a scalar
        // is accepted too, so a one-number method can take `5` as well as `[5]`.
        let params = object.remove("params").unwrap_or(Value::Null);
        let Some(Value::String(method)) = object.remove("method") else {
            return invalid(&object, "method must be a string");
        };
        return Incoming::Request {
            id: object.remove("id"),
            method,
            params,
        };
    }
    if object.contains_key("result") || object.contains_key("error") {
        let id = object.remove("id").unwrap_or(Value::Null);
        let outcome = match (object.remove("error"), object.remove("result")) {
            (Some(error), _) => Err(RpcError::from_wire(&error)),
            (None, Some(result)) => Ok(result),
            (None, None) => unreachable!("checked above"),
        };
        return Incoming::Response { id, outcome };
    }
    invalid(&object, "not a request or a response")
}

fn invalid(object: &Map<String, Value>, reason: &'static str) -> Incoming {
    let id = object
        .get("id")
        .filter(|id| is_id(id))
        .cloned()
        .unwrap_or(Value::Null);
    Incoming::Invalid { id, reason }
}

/// A request or notification the guest sends. Null params are left out.
pub(crate) struct Request<'a> {
    pub id: Option<u64>,
    pub method: &'a str,
    pub params: &'a Value,
}

impl Serialize for Request<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("jsonrpc", "2.0")?;
        if let Some(id) = self.id {
            map.serialize_entry("id", &id)?;
        }
        map.serialize_entry("method", self.method)?;
        if !self.params.is_null() {
            map.serialize_entry("params", self.params)?;
        }
        map.end()
    }
}

/// A response the guest sends.
#[derive(Debug)]
pub(crate) struct Response {
    pub id: Value,
    pub outcome: Result<Value, RpcError>,
}

impl Serialize for Response {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(3))?;
        map.serialize_entry("jsonrpc", "2.0")?;
        map.serialize_entry("id", &self.id)?;
        match &self.outcome {
            Ok(result) => map.serialize_entry("result", result)?,
            Err(error) => map.serialize_entry("error", error)?,
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(id: Option<Value>, method: &str, params: Value) -> Incoming {
        Incoming::Request {
            id,
            method: method.into(),
            params,
        }
    }

    #[test]
    fn requests_and_notifications() {
        let ping = json!({"jsonrpc": "2.0", "id": 1, "method": "ping"});
        assert_eq!(classify(ping), request(Some(json!(1)), "ping", Value::Null));
        let named = json!({"jsonrpc": "2.0", "id": "a", "method": "m", "params": {"k": 1}});
        assert_eq!(
            classify(named),
            request(Some(json!("a")), "m", json!({"k": 1}))
        );
        let null_id = json!({"jsonrpc": "2.0", "id": null, "method": "m", "params": null});
        assert_eq!(
            classify(null_id),
            request(Some(Value::Null), "m", Value::Null)
        );
        let notification = json!({"jsonrpc": "2.0", "method": "n", "params": [1]});
        assert_eq!(classify(notification), request(None, "n", json!([1])));
        let scalar = json!({"jsonrpc": "2.0", "id": 2, "method": "m", "params": 5});
        assert_eq!(classify(scalar), request(Some(json!(2)), "m", json!(5)));
    }

    #[test]
    fn responses() {
        let ok = json!({"jsonrpc": "2.0", "id": 3, "result": null});
        let expected = Incoming::Response {
            id: json!(3),
            outcome: Ok(Value::Null),
        };
        assert_eq!(classify(ok), expected);
        let failed = json!({"jsonrpc": "2.0", "id": 4, "error": {"code": -1, "message": "m"}});
        let expected = Incoming::Response {
            id: json!(4),
            outcome: Err(RpcError::new(-1, "m")),
        };
        assert_eq!(classify(failed), expected);
    }

    #[test]
    fn invalid_messages_keep_a_valid_id() {
        let cases = [
            (json!(1), Value::Null),
            (json!([]), Value::Null),
            (json!({"foo": "bar"}), Value::Null),
            (json!({"id": 5, "foo": "bar"}), json!(5)),
            (json!({"jsonrpc": "1.0", "id": 6, "method": "m"}), json!(6)),
            (json!({"id": 7, "method": "m"}), json!(7)),
            (
                json!({"jsonrpc": "2.0", "id": "x", "method": 1}),
                json!("x"),
            ),
            (
                json!({"jsonrpc": "2.0", "id": [1], "method": "m"}),
                Value::Null,
            ),
            (
                json!({"jsonrpc": "2.0", "id": {}, "method": "m"}),
                Value::Null,
            ),
        ];
        for (message, expected_id) in cases {
            match classify(message.clone()) {
                Incoming::Invalid { id, .. } => assert_eq!(id, expected_id, "{message}"),
                other => panic!("{message} classified as {other:?}"),
            }
        }
    }

    #[test]
    fn serializes_members_in_conventional_order() {
        let params = json!([1]);
        let call = Request {
            id: Some(1),
            method: "echo",
            params: &params,
        };
        let call = serde_json::to_string(&call).unwrap();
        assert_eq!(
            call,
            r#"{"jsonrpc":"2.0","id":1,"method":"echo","params":[1]}"#
        );
        let notification = Request {
            id: None,
            method: "n",
            params: &Value::Null,
        };
        let notification = serde_json::to_string(&notification).unwrap();
        assert_eq!(notification, r#"{"jsonrpc":"2.0","method":"n"}"#);
        let ok = Response {
            id: json!("x"),
            outcome: Ok(Value::Null),
        };
        let ok = serde_json::to_string(&ok).unwrap();
        assert_eq!(ok, r#"{"jsonrpc":"2.0","id":"x","result":null}"#);
        let failed = Response {
            id: Value::Null,
            outcome: Err(RpcError::new(-32700, "p")),
        };
        let failed = serde_json::to_string(&failed).unwrap();
        assert_eq!(
            failed,
            r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"p"}}"#
        );
    }
}
