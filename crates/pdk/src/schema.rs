//! JSON Schemas of params and results for `rpc.discover` (feature
//! `schemars`), and how a params schema becomes OpenRPC content descriptors.
//!
//! Schemas are generated when the document is first asked for, not at
//! registration, so a plugin that is never asked pays nothing at start-up.
//! They follow JSON Schema draft 7 (as OpenRPC's Schema Object does); named
//! types go to `components.schemas`, referenced as `#/components/schemas/Name`.

use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::{JsonSchema, Schema};
use serde_json::{json, Map, Value};

use crate::discover::{descriptor, Params};

/// Where named schemas go in the document.
const COMPONENTS: &str = "/components/schemas";

/// At most this many positional params are listed for an array type of
/// fixed length (such as `[u8; 4]`); longer ones are described as a whole.
const MAX_POSITIONS: u64 = 16;

/// The description of a descriptor standing for a method's params as a
/// whole, when they do not split into named or positional params.
pub(crate) const WHOLE_PARAMS: &str =
    "The request's params as a whole (they do not split into named or positional params)";

/// A method's schema generators: its params type `P` and its result type `R`.
pub(crate) struct Schemas {
    params: fn(&mut SchemaGenerator) -> Schema,
    result: fn(&mut SchemaGenerator) -> Schema,
}

impl Schemas {
    pub(crate) fn of<P: JsonSchema, R: JsonSchema>() -> Self {
        Schemas {
            // Inline, so that a struct's properties can become descriptors.
            params: P::json_schema,
            result: |generator| generator.subschema_for::<R>(),
        }
    }

    /// The params descriptors and the result descriptor. `takes_no_params`
    /// tells whether the handler accepts absent params.
    pub(crate) fn describe(
        &self,
        generator: &mut SchemaGenerator,
        takes_no_params: fn() -> bool,
    ) -> (Params, Value) {
        let params = (self.params)(generator);
        let params = split(finish(generator, params), takes_no_params);
        let result = (self.result)(generator);
        let result = finish(generator, result);
        (params, descriptor("result", None, result, false))
    }
}

/// The generator for one document: draft 7, named schemas under
/// `components.schemas`, describing how types deserialize (for results,
/// how they serialize matches that except where serde attributes make the
/// two differ).
pub(crate) fn generator() -> SchemaGenerator {
    SchemaSettings::draft07()
        .with(|settings| {
            settings.definitions_path = COMPONENTS.into();
            settings.meta_schema = None;
        })
        .into_generator()
}

/// The named schemas generated so far (draft 7 transforms applied), with
/// names OpenRPC allows as keys (`[a-zA-Z0-9._-]+`); references to renamed
/// ones are rewritten in `methods` and in the schemas themselves.
pub(crate) fn components(
    mut generator: SchemaGenerator,
    methods: &mut Value,
) -> Map<String, Value> {
    let mut schemas = generator.take_definitions(true);
    let renames: Vec<(String, String)> = schemas
        .keys()
        .filter(|name| !is_component_name(name))
        .cloned()
        .collect::<Vec<_>>()
        .into_iter()
        .map(|old| {
            let base: String = old
                .chars()
                .map(|c| if is_component_char(c) { c } else { '_' })
                .collect();
            let mut new = base.clone();
            for i in 2.. {
                if !schemas.contains_key(&new) {
                    break;
                }
                new = format!("{base}{i}");
            }
            let schema = schemas.remove(&old).unwrap_or_default();
            schemas.insert(new.clone(), schema);
            (old, new)
        })
        .collect();
    if !renames.is_empty() {
        rename_refs(methods, &renames);
        for schema in schemas.values_mut() {
            rename_refs(schema, &renames);
        }
    }
    schemas
}

fn is_component_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_')
}

fn is_component_name(name: &str) -> bool {
    !name.is_empty() && name.chars().all(is_component_char)
}

/// Rewrites `$ref`s to renamed components, everywhere in `value`.
fn rename_refs(value: &mut Value, renames: &[(String, String)]) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(reference)) = object.get_mut("$ref") {
                let prefix = format!("#{COMPONENTS}/");
                if let Some(name) = reference.strip_prefix(&prefix).and_then(decode_ref_name) {
                    if let Some((_, new)) = renames.iter().find(|(old, _)| *old == name) {
                        *reference = format!("{prefix}{new}");
                    }
                }
            }
            object.values_mut().for_each(|v| rename_refs(v, renames));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| rename_refs(v, renames)),
        _ => {}
    }
}

/// A JSON pointer segment from a URI fragment: `%XX` decoded, then `~1`
/// read as `/` and `~0` as `~`. `None` if that is not UTF-8.
fn decode_ref_name(segment: &str) -> Option<String> {
    let hex = |byte: Option<&u8>| byte.and_then(|b| (*b as char).to_digit(16));
    let bytes = segment.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match (bytes[i], hex(bytes.get(i + 1)), hex(bytes.get(i + 2))) {
            (b'%', Some(high), Some(low)) => {
                decoded.push((high * 16 + low) as u8);
                i += 3;
            }
            (byte, _, _) => {
                decoded.push(byte);
                i += 1;
            }
        }
    }
    let mut name = Vec::with_capacity(decoded.len());
    let mut i = 0;
    while i < decoded.len() {
        match (decoded[i], decoded.get(i + 1)) {
            (b'~', Some(b'1')) => name.push(b'/'),
            (b'~', Some(b'0')) => name.push(b'~'),
            (byte, _) => {
                name.push(byte);
                i += 1;
                continue;
            }
        }
        i += 2;
    }
    String::from_utf8(name).ok()
}

/// A generated schema as draft 7 JSON, with the top-level `true` schema
/// written `{}` (and `false` as `{"not": {}}`).
fn finish(generator: &mut SchemaGenerator, mut schema: Schema) -> Value {
    for transform in generator.transforms_mut() {
        transform.transform(&mut schema);
    }
    match schema.to_value() {
        Value::Bool(true) => json!({}),
        Value::Bool(false) => json!({ "not": {} }),
        value => value,
    }
}

/// Content descriptors for a params schema, as the kit decodes params
/// (see the crate docs, "Params"):
///
/// - `null` only (`()`): no params, by position (`[]` or no params; the
///   kit does not take `{}` for `()`).
/// - an array of fixed positions (a tuple, `[T; N]`): one descriptor per
///   position, named `param0`, `param1`, ..., by position; required as far
///   as `minItems` says.
/// - an object with `properties` (a struct): one descriptor per property,
///   by name (serde also takes a struct's fields by position, but their
///   order is not in the schema); required as its `required` says.
/// - a string, number, integer or boolean (possibly also null): one
///   positional descriptor `param0`, as the kit tries `[x]` as `x`.
/// - anything else (`Vec<T>`, maps, enums, `Value`, ...): one descriptor
///   named `params` for the params as a whole, without `paramStructure`.
///
/// Where a descriptor's `required` is not in the schema, it is whether the
/// handler refuses absent params (`takes_no_params`).
fn split(schema: Value, takes_no_params: fn() -> bool) -> Params {
    let by_position = |descriptors| Params {
        descriptors,
        structure: Some("by-position"),
    };
    let Value::Object(object) = &schema else {
        return whole(schema, takes_no_params);
    };
    let number = |key: &str| object.get(key).and_then(Value::as_u64);
    let types: Vec<&str> = match object.get("type") {
        Some(Value::String(name)) => vec![name.as_str()],
        Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    // Anything that combines or conditions schemas is described as a whole.
    let combined = ["anyOf", "oneOf", "allOf", "not", "if", "$ref"]
        .iter()
        .any(|key| object.contains_key(*key));
    if combined {
        return whole(schema, takes_no_params);
    }
    match types.as_slice() {
        ["null"] => by_position(Vec::new()),
        ["array"] => {
            let min = number("minItems").unwrap_or(0);
            let positions: Vec<Value> = match object.get("items") {
                // A tuple: one schema per position, and no more items.
                Some(Value::Array(items))
                    if matches!(object.get("additionalItems"), Some(Value::Bool(false)))
                        || number("maxItems") == Some(items.len() as u64) =>
                {
                    items.clone()
                }
                // A fixed-length array, such as [T; N].
                Some(item @ (Value::Object(_) | Value::Bool(_)))
                    if number("maxItems").is_some_and(|max| max <= MAX_POSITIONS) =>
                {
                    let max = number("maxItems").unwrap_or(0);
                    (0..max).map(|_| item.clone()).collect()
                }
                _ => return whole(schema, takes_no_params),
            };
            let descriptors = positions
                .into_iter()
                .enumerate()
                .map(|(i, item)| {
                    let required = (i as u64) < min;
                    descriptor(&format!("param{i}"), None, empty_if_true(item), required)
                })
                .collect();
            by_position(descriptors)
        }
        ["object"] => {
            let Some(Value::Object(properties)) = object.get("properties") else {
                return whole(schema, takes_no_params);
            };
            let required: Vec<&str> = object
                .get("required")
                .and_then(Value::as_array)
                .map(|names| names.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            // OpenRPC: optional params after all required ones.
            let (mut descriptors, mut optional) = (Vec::new(), Vec::new());
            for (name, property) in properties {
                let is_required = required.contains(&name.as_str());
                let property = descriptor(name, None, empty_if_true(property.clone()), is_required);
                if is_required {
                    descriptors.push(property);
                } else {
                    optional.push(property);
                }
            }
            descriptors.append(&mut optional);
            Params {
                descriptors,
                structure: Some("by-name"),
            }
        }
        scalars
            if !scalars.is_empty()
                && scalars.iter().all(|t| {
                    matches!(*t, "string" | "number" | "integer" | "boolean" | "null")
                }) =>
        {
            let required = !takes_no_params();
            by_position(vec![descriptor("param0", None, schema, required)])
        }
        _ => whole(schema, takes_no_params),
    }
}

fn whole(schema: Value, takes_no_params: fn() -> bool) -> Params {
    Params {
        descriptors: vec![descriptor(
            "params",
            Some(WHOLE_PARAMS),
            schema,
            !takes_no_params(),
        )],
        structure: None,
    }
}

fn empty_if_true(schema: Value) -> Value {
    match schema {
        Value::Bool(true) => json!({}),
        schema => schema,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::params::decode;
    use serde::de::DeserializeOwned;
    use std::collections::HashMap;

    /// The params, `paramStructure` and result of a method taking `P` and
    /// returning `R`, and the components generated.
    fn describe<P: JsonSchema + DeserializeOwned, R: JsonSchema>() -> (Value, Value, Value, Value) {
        let mut generator = generator();
        let (params, result) =
            Schemas::of::<P, R>().describe(&mut generator, || decode::<P>(&Value::Null).is_ok());
        let mut document = json!({
            "params": params.descriptors,
            "structure": params.structure,
            "result": result,
        });
        let components = components(generator, &mut document);
        (
            document["params"].take(),
            document["structure"].take(),
            document["result"].take(),
            Value::Object(components),
        )
    }

    fn params_of<P: JsonSchema + DeserializeOwned>() -> (Value, Value) {
        let (params, structure, _, _) = describe::<P, ()>();
        (params, structure)
    }

    #[test]
    fn unit_is_no_params() {
        assert_eq!(params_of::<()>(), (json!([]), json!("by-position")));
    }

    #[test]
    fn tuples_are_positional() {
        let (params, structure) = params_of::<(i64, Option<String>)>();
        assert_eq!(structure, "by-position");
        assert_eq!(
            params,
            json!([
                {"name": "param0", "schema": {"type": "integer", "format": "int64"}, "required": true},
                {"name": "param1", "schema": {"type": ["string", "null"]}, "required": true},
            ])
        );
    }

    #[test]
    fn fixed_arrays_are_positional() {
        let (params, structure) = params_of::<[String; 2]>();
        assert_eq!(structure, "by-position");
        assert_eq!(
            params,
            json!([
                {"name": "param0", "schema": {"type": "string"}, "required": true},
                {"name": "param1", "schema": {"type": "string"}, "required": true},
            ])
        );
        let (params, structure) = params_of::<[u8; 17]>();
        assert_eq!(structure, Value::Null);
        assert_eq!(params[0]["name"], "params");
    }

    #[test]
    fn a_scalar_is_one_positional_param() {
        let (params, structure) = params_of::<u64>();
        assert_eq!(structure, "by-position");
        assert_eq!(params[0]["name"], "param0");
        assert_eq!(params[0]["required"], true);
        assert_eq!(params[0]["schema"]["type"], "integer");
        // Option<u64> takes absent params (None).
        let (params, _) = params_of::<Option<u64>>();
        assert_eq!(params[0]["schema"]["type"], json!(["integer", "null"]));
        assert!(params[0].get("required").is_none());
    }

    #[test]
    fn other_params_are_described_as_a_whole() {
        let (params, structure) = params_of::<Value>();
        assert_eq!(structure, Value::Null);
        assert_eq!(
            params,
            json!([{"name": "params", "description": WHOLE_PARAMS, "schema": {}}])
        );
        // Vec<u64> takes absent params (as []); a map does not.
        let (params, _) = params_of::<Vec<u64>>();
        assert_eq!(params[0]["schema"]["type"], "array");
        assert!(params[0].get("required").is_none());
        let (params, _) = params_of::<HashMap<String, u64>>();
        assert_eq!(params[0]["schema"]["type"], "object");
        assert_eq!(params[0]["required"], true);
    }

    #[derive(serde::Deserialize, serde::Serialize, JsonSchema)]
    #[allow(dead_code)]
    struct Point {
        /// Across.
        x: f64,
        y: f64,
        label: Option<String>,
        #[serde(default)]
        weight: u32,
    }

    #[test]
    fn a_struct_is_named_params_required_first() {
        let (params, structure, result, components) = describe::<Point, Point>();
        assert_eq!(structure, "by-name");
        let names: Vec<&str> = params
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["x", "y", "label", "weight"]);
        assert_eq!(params[0]["required"], true);
        assert_eq!(params[0]["schema"]["description"], "Across.");
        assert!(params[2].get("required").is_none());
        assert!(params[3].get("required").is_none());
        // The result refers to the named schema in components.
        assert_eq!(
            result,
            json!({"name": "result", "schema": {"$ref": "#/components/schemas/Point"}})
        );
        assert_eq!(components["Point"]["type"], "object");
    }

    #[derive(serde::Deserialize, JsonSchema)]
    #[serde(rename = "odd name/1")]
    #[allow(dead_code)]
    struct Odd {
        n: u8,
    }

    #[test]
    fn component_names_are_made_valid_and_references_follow() {
        let (params, _, result, components) = describe::<Vec<Odd>, Option<Odd>>();
        let keys: Vec<&String> = components.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["odd_name_1"]);
        let reference = json!({"$ref": "#/components/schemas/odd_name_1"});
        assert_eq!(params[0]["schema"]["items"], reference);
        assert_eq!(result["schema"]["anyOf"][0], reference);
    }

    #[test]
    fn ref_names_decode() {
        let decoded = |segment| decode_ref_name(segment).unwrap();
        assert_eq!(decoded("a%20b~1c~0d"), "a b/c~d");
        assert_eq!(decoded("100%"), "100%");
        assert_eq!(decoded("~001"), "~01");
        assert_eq!(decoded("%C3%A9t%C3%A9"), "été");
        assert_eq!(decode_ref_name("%FF"), None);
    }
}
