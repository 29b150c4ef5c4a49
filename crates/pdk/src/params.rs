//! Converting params to handler types and results to JSON.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::RpcError;

/// Deserializes `params` into `P`, leniently (see the crate docs, "Params"):
/// `params` as given first; if that fails, one alternative form:
///
/// - `[x]` (one element) is retried as `x`, so a `u64` handler takes `[5]`;
/// - `[]` is retried as `null`, so a `()` handler takes `[]`;
/// - `null` (or absent) is retried as `[]`, so a `Vec<T>` handler takes no params;
/// - any other non-array `x` is retried as `[x]`, so a `(u64,)` handler takes `5`.
///
/// If both fail, the error describes the first attempt, except that for `[x]`
/// given to a type that takes no arrays it describes `x`'s.
pub(crate) fn decode<P: DeserializeOwned>(params: &Value) -> Result<P, RpcError> {
    let first = match P::deserialize(params) {
        Ok(value) => return Ok(value),
        Err(error) => error,
    };
    let retried = match params {
        Value::Array(items) if items.len() == 1 => {
            // If `P` takes no arrays at all, the element's error says more.
            let element = P::deserialize(&items[0]);
            if first.to_string().starts_with("invalid type: sequence") {
                return element.map_err(RpcError::invalid_params);
            }
            element
        }
        Value::Array(items) if items.is_empty() => P::deserialize(&Value::Null),
        Value::Array(_) => return Err(RpcError::invalid_params(first)),
        Value::Null => P::deserialize(&Value::Array(Vec::new())),
        other => P::deserialize(&Value::Array(vec![other.clone()])),
    };
    retried.map_err(|_| RpcError::invalid_params(first))
}

/// Serializes a handler's result (or a call's params).
pub(crate) fn encode<T: Serialize>(value: T, what: &str) -> Result<Value, RpcError> {
    serde_json::to_value(value)
        .map_err(|error| RpcError::internal(format!("cannot serialize the {what}: {error}")))
}

/// Converts a host's result to the caller's type.
pub(crate) fn decode_result<R: DeserializeOwned>(
    method: &str,
    result: Value,
) -> Result<R, RpcError> {
    R::deserialize(&result).map_err(|error| {
        RpcError::internal(format!(
            "unexpected result from host method {method}: {error}"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::collections::HashMap;

    fn ok<P: DeserializeOwned>(params: Value) -> P {
        decode(&params).unwrap_or_else(|e| panic!("{params}: {e}"))
    }

    fn err<P: DeserializeOwned + std::fmt::Debug>(params: Value) -> RpcError {
        decode::<P>(&params).expect_err(&params.to_string())
    }

    #[test]
    fn unit_takes_no_params() {
        ok::<()>(Value::Null);
        ok::<()>(json!([]));
        assert_eq!(err::<()>(json!([1])).code, RpcError::INVALID_PARAMS);
        assert_eq!(err::<()>(json!({"a": 1})).code, RpcError::INVALID_PARAMS);
    }

    #[test]
    fn positional_params_are_tuples() {
        assert_eq!(ok::<(i64, i64)>(json!([2, 3])), (2, 3));
        assert_eq!(ok::<(String,)>(json!(["x"])), ("x".to_string(),));
        assert_eq!(ok::<(u64,)>(json!(5)), (5,));
        assert_eq!(ok::<Vec<u8>>(json!([1, 2])), vec![1, 2]);
        assert_eq!(ok::<Vec<u8>>(Value::Null), Vec::<u8>::new());
        assert_eq!(err::<(i64, i64)>(json!([1])).code, RpcError::INVALID_PARAMS);
        assert_eq!(
            err::<(i64, i64)>(json!([1, 2, 3])).code,
            RpcError::INVALID_PARAMS
        );
    }

    #[test]
    fn a_single_value_is_bare_or_in_an_array() {
        assert_eq!(ok::<u64>(json!(5)), 5);
        assert_eq!(ok::<u64>(json!([5])), 5);
        let error = err::<u64>(json!(["x"]));
        assert_eq!(error.code, RpcError::INVALID_PARAMS);
        assert_eq!(
            error.message,
            r#"Invalid params: invalid type: string "x", expected u64"#
        );
        let error = err::<(u64, u64)>(json!([1]));
        assert!(
            error.message.contains("invalid length 1"),
            "{}",
            error.message
        );
        assert_eq!(err::<u64>(json!([5, 6])).code, RpcError::INVALID_PARAMS);
        assert_eq!(err::<u64>(Value::Null).code, RpcError::INVALID_PARAMS);
    }

    #[test]
    fn named_params_are_maps_or_structs() {
        let map: HashMap<String, i64> = ok(json!({"a": 1}));
        assert_eq!(map["a"], 1);
        let map: HashMap<String, i64> = ok(json!([{"a": 1}]));
        assert_eq!(map["a"], 1);
    }

    #[test]
    fn value_takes_anything_unchanged() {
        for params in [Value::Null, json!([]), json!([1]), json!({"k": [1]})] {
            assert_eq!(ok::<Value>(params.clone()), params);
        }
    }
}
