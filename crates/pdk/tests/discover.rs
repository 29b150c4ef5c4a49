//! `rpc.discover` over the wire: the kit answers it with an OpenRPC 1.3
//! document of the registered methods.

use std::cell::RefCell;
use std::io::{self, Cursor, Write};
use std::rc::Rc;

use wasmi_plugin_pdk::serde_json::{self, json};
use wasmi_plugin_pdk::{Host, Plugin, RpcError, Value};

#[derive(Clone, Default)]
struct Output(Rc<RefCell<Vec<u8>>>);

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Serves `plugin` on `input` lines and returns the output lines as JSON.
fn serve(plugin: Plugin, input: &[Value]) -> Vec<Value> {
    let input: String = input.iter().map(|m| format!("{m}\n")).collect();
    let output = Output::default();
    plugin
        .serve_with(Cursor::new(input.into_bytes()), output.clone())
        .expect("serve_with");
    let text = String::from_utf8(output.0.borrow().clone()).expect("UTF-8");
    text.lines()
        .map(|line| serde_json::from_str(line).expect(line))
        .collect()
}

/// The document `plugin` answers.
fn discover(plugin: Plugin) -> Value {
    let request = json!({"jsonrpc": "2.0", "id": 1, "method": "rpc.discover"});
    let mut out = serve(plugin, &[request]);
    assert_eq!(out.len(), 1);
    let document = out.remove(0)["result"].take();
    assert_openrpc(&document);
    document
}

fn plugin() -> Plugin {
    Plugin::new()
        .info("calc", "1.2.3")
        .info_description("A calculator.")
        .method("ping", |_: (), _: &mut Host| Ok("pong"))
        .summary("Answers pong")
        .method("add", |(a, b): (i64, i64), _| Ok(a + b))
        .description("Adds `a` and `b`.")
        .method("echo", |params: Value, _| Ok(params))
        .async_method("later", |ms: u64, _host: Host| async move {
            Ok::<_, RpcError>(ms)
        })
}

/// Checks what OpenRPC 1.3's meta-schema and text require of what the kit
/// writes: the members and their types, no other members, unique names,
/// required params before optional ones, valid component names, and
/// `$ref`s that resolve within the document.
fn assert_openrpc(document: &Value) {
    let keys = |value: &Value| -> Vec<String> {
        value
            .as_object()
            .unwrap_or_else(|| panic!("not an object: {value}"))
            .keys()
            .cloned()
            .collect()
    };
    let only = |value: &Value, allowed: &[&str]| {
        for key in keys(value) {
            assert!(
                allowed.contains(&key.as_str()),
                "unexpected {key} in {value}"
            );
        }
    };
    let is_text = |value: &Value| value.as_str().is_some_and(|s| !s.is_empty());
    only(document, &["openrpc", "info", "methods", "components"]);
    assert_eq!(document["openrpc"], "1.3.2");
    only(&document["info"], &["title", "version", "description"]);
    assert!(document["info"]["title"].is_string());
    assert!(document["info"]["version"].is_string());
    let descriptor = |d: &Value| {
        only(d, &["name", "summary", "description", "schema", "required"]);
        assert!(is_text(&d["name"]), "{d}");
        assert!(d["schema"].is_object() || d["schema"].is_boolean(), "{d}");
        assert!(d.get("required").is_none_or(Value::is_boolean), "{d}");
    };
    let mut names = Vec::new();
    for method in document["methods"].as_array().expect("methods") {
        only(
            method,
            &[
                "name",
                "summary",
                "description",
                "params",
                "result",
                "paramStructure",
            ],
        );
        assert!(is_text(&method["name"]), "{method}");
        names.push(method["name"].as_str().unwrap());
        let params = method["params"].as_array().expect("params");
        params.iter().for_each(descriptor);
        let mut param_names: Vec<&str> =
            params.iter().map(|p| p["name"].as_str().unwrap()).collect();
        param_names.sort_unstable();
        param_names.dedup();
        assert_eq!(
            param_names.len(),
            params.len(),
            "duplicate params in {method}"
        );
        let required: Vec<bool> = params.iter().map(|p| p["required"] == true).collect();
        assert!(
            required.windows(2).all(|w| w[0] || !w[1]),
            "optional before required: {method}"
        );
        if let Some(structure) = method.get("paramStructure") {
            assert!(["by-name", "by-position", "either"].contains(&structure.as_str().unwrap()));
        }
        descriptor(&method["result"]);
    }
    let count = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), count, "duplicate method names");
    if let Some(components) = document.get("components") {
        only(components, &["schemas"]);
        for name in keys(&components["schemas"]) {
            let valid = name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-_".contains(c));
            assert!(valid && !name.is_empty(), "component name {name:?}");
        }
    }
    assert_refs_resolve(document, document);
}

fn assert_refs_resolve(document: &Value, value: &Value) {
    match value {
        Value::Object(object) => {
            if let Some(Value::String(reference)) = object.get("$ref") {
                let pointer = reference.strip_prefix('#').expect("a local $ref");
                assert!(
                    document.pointer(pointer).is_some(),
                    "dangling $ref {reference}"
                );
            }
            object
                .values()
                .for_each(|v| assert_refs_resolve(document, v));
        }
        Value::Array(items) => items.iter().for_each(|v| assert_refs_resolve(document, v)),
        _ => {}
    }
}

#[test]
fn answers_rpc_discover_with_no_params_given_any_way() {
    let requests = [
        json!({"jsonrpc": "2.0", "id": 1, "method": "rpc.discover"}),
        json!({"jsonrpc": "2.0", "id": "b", "method": "rpc.discover", "params": null}),
        json!({"jsonrpc": "2.0", "id": null, "method": "rpc.discover", "params": []}),
    ];
    let out = serve(plugin(), &requests);
    assert_eq!(out.len(), 3);
    let expected = discover(plugin());
    for (response, request) in out.iter().zip(&requests) {
        assert_eq!(response["jsonrpc"], "2.0");
        assert_eq!(response["id"], request["id"]);
        assert_eq!(response["result"], expected);
        assert!(response.get("error").is_none());
    }
}

#[test]
fn refuses_params_and_answers_in_batches_but_not_notifications() {
    let out = serve(
        plugin(),
        &[
            json!({"jsonrpc": "2.0", "id": 1, "method": "rpc.discover", "params": {"a": 1}}),
            json!({"jsonrpc": "2.0", "method": "rpc.discover"}),
            json!([
                {"jsonrpc": "2.0", "id": 2, "method": "rpc.discover"},
                {"jsonrpc": "2.0", "id": 3, "method": "ping"},
            ]),
        ],
    );
    assert_eq!(out.len(), 2);
    assert_eq!(out[0]["error"]["code"], RpcError::INVALID_PARAMS);
    assert_eq!(out[1][0]["result"]["openrpc"], "1.3.2");
    assert_eq!(out[1][1]["result"], "pong");
}

#[test]
fn lists_every_method_with_the_plugins_info() {
    let document = discover(plugin());
    assert_eq!(
        document["info"],
        json!({"title": "calc", "version": "1.2.3", "description": "A calculator."})
    );
    let methods = document["methods"].as_array().unwrap();
    let names: Vec<&str> = methods
        .iter()
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ping", "add", "echo", "later"]);
    assert_eq!(methods[0]["summary"], "Answers pong");
    assert_eq!(methods[1]["description"], "Adds `a` and `b`.");
    assert!(methods[2].get("summary").is_none());
}

#[test]
fn without_info_the_title_and_version_say_so() {
    let document = discover(Plugin::new());
    assert_eq!(
        document["info"],
        json!({"title": "unnamed plugin", "version": "unknown"})
    );
    assert_eq!(document["methods"], json!([]));
}

#[test]
fn methods_registered_without_schemas_have_none() {
    let document = discover(plugin());
    for method in document["methods"].as_array().unwrap() {
        let params = method["params"].as_array().unwrap();
        assert_eq!(params.len(), 1, "{method}");
        assert_eq!(params[0]["name"], "params");
        assert_eq!(params[0]["schema"], json!({}));
        assert!(method.get("paramStructure").is_none());
        assert_eq!(method["result"], json!({"name": "result", "schema": {}}));
    }
    // Required exactly when the handler refuses absent params.
    let required: Vec<&Value> = document["methods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["params"][0]["required"])
        .collect();
    assert_eq!(
        required,
        [&Value::Null, &json!(true), &Value::Null, &json!(true)]
    );
    assert!(document.get("components").is_none());
}

#[test]
fn a_registered_rpc_discover_replaces_the_kits() {
    let plugin = plugin().method("rpc.discover", |_: (), _| Ok("mine"));
    let request = json!({"jsonrpc": "2.0", "id": 1, "method": "rpc.discover"});
    let out = serve(plugin, &[request]);
    assert_eq!(out[0]["result"], "mine");
}

#[cfg(feature = "schemars")]
mod typed {
    use super::*;
    use wasmi_plugin_pdk::schemars::JsonSchema;

    /// A point on the plane.
    #[derive(serde::Deserialize, serde::Serialize, JsonSchema)]
    #[schemars(crate = "wasmi_plugin_pdk::schemars")]
    struct Point {
        x: f64,
        y: f64,
        /// Shown beside the point.
        label: Option<String>,
    }

    fn plugin() -> Plugin {
        Plugin::new()
            .info("geometry", "0.1.0")
            .typed_method("ping", |_: (), _: &mut Host| Ok("pong"))
            .typed_method("add", |(a, b): (i64, i64), _| Ok(a + b))
            .summary("Adds two integers")
            .typed_method("scale", |(k, p): (f64, Point), _| {
                Ok(Point {
                    x: k * p.x,
                    y: k * p.y,
                    ..p
                })
            })
            .param_names(["factor", "point", "ignored"])
            .typed_method("norm", |p: Point, _| Ok((p.x * p.x + p.y * p.y).sqrt()))
            .async_typed_method("mirror", |p: Point, _host: Host| async move {
                Ok::<_, RpcError>(Point { x: -p.x, ..p })
            })
            .typed_method("sum", |numbers: Vec<f64>, _| {
                Ok(numbers.iter().sum::<f64>())
            })
            .method("untyped", |params: Value, _| Ok(params))
    }

    fn method<'a>(document: &'a Value, name: &str) -> &'a Value {
        let methods = document["methods"].as_array().unwrap();
        methods.iter().find(|m| m["name"] == name).unwrap()
    }

    #[test]
    fn typed_methods_have_params_and_result_schemas() {
        let document = discover(plugin());
        assert_eq!(
            method(&document, "ping"),
            &json!({
                "name": "ping",
                "params": [],
                "paramStructure": "by-position",
                "result": {"name": "result", "schema": {"type": "string"}},
            })
        );
        assert_eq!(
            method(&document, "add"),
            &json!({
                "name": "add",
                "summary": "Adds two integers",
                "params": [
                    {"name": "param0", "schema": {"type": "integer", "format": "int64"}, "required": true},
                    {"name": "param1", "schema": {"type": "integer", "format": "int64"}, "required": true},
                ],
                "paramStructure": "by-position",
                "result": {"name": "result", "schema": {"type": "integer", "format": "int64"}},
            })
        );
        assert_eq!(
            method(&document, "norm"),
            &json!({
                "name": "norm",
                "params": [
                    {"name": "x", "schema": {"type": "number", "format": "double"}, "required": true},
                    {"name": "y", "schema": {"type": "number", "format": "double"}, "required": true},
                    {"name": "label", "schema": {"description": "Shown beside the point.", "type": ["string", "null"]}},
                ],
                "paramStructure": "by-name",
                "result": {"name": "result", "schema": {"type": "number", "format": "double"}},
            })
        );
        let mirror = method(&document, "mirror");
        assert_eq!(mirror["paramStructure"], "by-name");
        assert_eq!(
            mirror["result"]["schema"],
            json!({"$ref": "#/components/schemas/Point"})
        );
        let point = &document["components"]["schemas"]["Point"];
        assert_eq!(point["description"], "A point on the plane.");
        assert_eq!(point["required"], json!(["x", "y"]));
        let sum = method(&document, "sum");
        assert!(sum.get("paramStructure").is_none());
        assert_eq!(sum["params"][0]["name"], "params");
        assert_eq!(sum["params"][0]["schema"]["items"]["type"], "number");
    }

    #[test]
    fn untyped_methods_beside_typed_ones_still_have_no_schemas() {
        let document = discover(plugin());
        let untyped = method(&document, "untyped");
        assert_eq!(untyped["params"][0]["schema"], json!({}));
        assert_eq!(untyped["result"]["schema"], json!({}));
    }

    #[test]
    fn typed_methods_serve_as_untyped_ones_do() {
        let out = serve(
            plugin(),
            &[
                json!({"jsonrpc": "2.0", "id": 1, "method": "add", "params": [2, 3]}),
                json!({"jsonrpc": "2.0", "id": 2, "method": "norm", "params": {"x": 3, "y": 4}}),
                json!({"jsonrpc": "2.0", "id": 3, "method": "mirror", "params": {"x": 1, "y": 2}}),
                json!({"jsonrpc": "2.0", "id": 4, "method": "add", "params": [2]}),
            ],
        );
        assert_eq!(out[0]["result"], 5);
        assert_eq!(out[1]["result"], 5.0);
        assert_eq!(
            out[2]["result"],
            json!({"x": -1.0, "y": 2.0, "label": null})
        );
        assert_eq!(out[3]["error"]["code"], RpcError::INVALID_PARAMS);
    }

    #[test]
    fn param_names_name_positional_params() {
        let document = discover(plugin());
        let names = |method_name: &str| -> Vec<Value> {
            method(&document, method_name)["params"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["name"].clone())
                .collect()
        };
        assert_eq!(names("scale"), [json!("factor"), json!("point")]);
        assert_eq!(names("add"), [json!("param0"), json!("param1")]);
    }
}
