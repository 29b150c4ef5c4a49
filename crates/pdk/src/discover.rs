//! `rpc.discover`: the plugin's OpenRPC document (<https://spec.open-rpc.org>),
//! built from what was registered: the plugin's name and version, and each
//! method with its summary, description and, where known, its params and
//! result schemas.

use std::borrow::Cow;

use serde_json::{json, Map, Value};

use crate::params::decode;
use crate::RpcError;

/// Whether a handler taking params of type `P` accepts absent params, as
/// the kit decodes them (so it is exactly what a call without params does).
pub(crate) fn takes_no_params<P: serde::de::DeserializeOwned>() -> bool {
    decode::<P>(&Value::Null).is_ok()
}

/// The method the kit answers with the document (unless a handler of that
/// name is registered).
pub(crate) const METHOD: &str = "rpc.discover";

/// The OpenRPC specification version the document follows.
const OPENRPC_VERSION: &str = "1.3.2";

/// `info.title` when the plugin set none.
const DEFAULT_TITLE: &str = "unnamed plugin";

/// `info.version` when the plugin set none.
const DEFAULT_VERSION: &str = "unknown";

/// The registered methods, in registration order: each one's handler (of
/// type `H`, which only the connection calls) and what the document says
/// about it.
pub(crate) struct Catalog<H> {
    pub title: Option<Cow<'static, str>>,
    pub version: Option<Cow<'static, str>>,
    pub description: Option<Cow<'static, str>>,
    methods: Vec<Entry<H>>,
    /// The method registered last, which `summary`/`description` describe.
    last: Option<usize>,
}

/// One method's entry: its handler and what the document says of it.
/// (Strings the plugin gives as `&'static str` are borrowed, not copied:
/// every stateless call pays for registering anew.)
pub(crate) struct Entry<H> {
    name: Cow<'static, str>,
    handler: H,
    pub summary: Option<Cow<'static, str>>,
    pub description: Option<Cow<'static, str>>,
    /// Names for positional params, in order (`Plugin::param_names`).
    pub param_names: Vec<Cow<'static, str>>,
    /// Whether the handler takes absent params ([`takes_no_params`]).
    takes_no_params: fn() -> bool,
    #[cfg(feature = "schemars")]
    pub schemas: Option<crate::schema::Schemas>,
}

impl<H> Default for Catalog<H> {
    fn default() -> Self {
        Catalog {
            title: None,
            version: None,
            description: None,
            methods: Vec::new(),
            last: None,
        }
    }
}

impl<H> Catalog<H> {
    /// Adds an entry for method `name`, or replaces the entry of that name
    /// in its place. `takes_no_params` tells whether its handler accepts
    /// absent params. (Not inlined: registration code is per method.)
    #[inline(never)]
    pub(crate) fn register(
        &mut self,
        name: Cow<'static, str>,
        handler: H,
        takes_no_params: fn() -> bool,
    ) {
        let index = self.methods.iter().position(|e| e.name == name);
        let entry = Entry {
            name,
            handler,
            summary: None,
            description: None,
            param_names: Vec::new(),
            takes_no_params,
            #[cfg(feature = "schemars")]
            schemas: None,
        };
        let index = match index {
            Some(index) => {
                self.methods[index] = entry;
                index
            }
            None => {
                self.methods.push(entry);
                self.methods.len() - 1
            }
        };
        self.last = Some(index);
    }

    /// The handler of method `name`, if one is registered.
    pub(crate) fn handler(&self, name: &str) -> Option<&H> {
        self.methods
            .iter()
            .find(|e| e.name == name)
            .map(|e| &e.handler)
    }

    /// The registered names, in registration order.
    pub(crate) fn names(&self) -> impl Iterator<Item = &str> {
        self.methods.iter().map(|e| e.name.as_ref())
    }

    /// The entry of the method registered last.
    ///
    /// # Panics
    ///
    /// If no method is registered yet (`caller` names the builder call).
    #[inline(never)]
    pub(crate) fn last_mut(&mut self, caller: &str) -> &mut Entry<H> {
        match self.last {
            Some(index) => &mut self.methods[index],
            None => panic!(
                "Plugin::{caller} describes the method registered before it; register one first"
            ),
        }
    }

    /// The OpenRPC document.
    pub(crate) fn document(&self) -> Value {
        #[cfg(feature = "schemars")]
        let mut generator = crate::schema::generator();
        let methods: Value = self
            .methods
            .iter()
            .map(|entry| {
                #[cfg(feature = "schemars")]
                if let Some(schemas) = &entry.schemas {
                    let (params, result) = schemas.describe(&mut generator, entry.takes_no_params);
                    return method_object(entry, params, result);
                }
                method_object(entry, undescribed_params(entry), undescribed_result())
            })
            .collect();
        #[cfg(feature = "schemars")]
        let (methods, schemas) = {
            let mut methods = methods;
            let schemas = crate::schema::components(generator, &mut methods);
            (methods, schemas)
        };
        let mut info = Map::new();
        let title = self.title.as_deref().unwrap_or(DEFAULT_TITLE);
        info.insert("title".into(), title.into());
        let version = self.version.as_deref().unwrap_or(DEFAULT_VERSION);
        info.insert("version".into(), version.into());
        if let Some(description) = &self.description {
            info.insert("description".into(), description.as_ref().into());
        }
        let mut document = Map::new();
        document.insert("openrpc".into(), OPENRPC_VERSION.into());
        document.insert("info".into(), info.into());
        document.insert("methods".into(), methods);
        #[cfg(feature = "schemars")]
        if !schemas.is_empty() {
            document.insert("components".into(), json!({ "schemas": schemas }));
        }
        Value::Object(document)
    }
}

/// How a method's params are described.
pub(crate) struct Params {
    /// The content descriptors, required ones first.
    pub descriptors: Vec<Value>,
    /// `paramStructure`, if not the default `"either"`.
    pub structure: Option<&'static str>,
}

/// The answer to `rpc.discover` given `params`: the document, or -32602
/// when the params are not absent, `null` or `[]`.
pub(crate) fn answer(params: &Value, document: &Value) -> Result<Value, RpcError> {
    decode::<()>(params)?;
    Ok(document.clone())
}

/// A content descriptor: `name`, optional `description`, `schema`, and
/// `required` when true (it defaults to false).
pub(crate) fn descriptor(
    name: &str,
    description: Option<&str>,
    schema: Value,
    required: bool,
) -> Value {
    let mut object = Map::new();
    object.insert("name".into(), name.into());
    if let Some(description) = description {
        object.insert("description".into(), description.into());
    }
    object.insert("schema".into(), schema);
    if required {
        object.insert("required".into(), true.into());
    }
    Value::Object(object)
}

/// The description of a descriptor standing for the whole params of a
/// method registered without schemas.
const UNDESCRIBED_PARAMS: &str =
    "The request's params as a whole; not described (the method was registered without schemas)";

/// A method registered without schemas: one descriptor for the params as a
/// whole, with the empty schema (any value), required if absent params are
/// refused. No `paramStructure`: the default, `"either"`.
fn undescribed_params<H>(entry: &Entry<H>) -> Params {
    Params {
        descriptors: vec![descriptor(
            "params",
            Some(UNDESCRIBED_PARAMS),
            json!({}),
            !(entry.takes_no_params)(),
        )],
        structure: None,
    }
}

/// A method registered without schemas: a result of any value. (A method
/// object without `result` would mean a notification-only method.)
fn undescribed_result() -> Value {
    descriptor("result", None, json!({}), false)
}

fn method_object<H>(entry: &Entry<H>, params: Params, result: Value) -> Value {
    let mut object = Map::new();
    object.insert("name".into(), entry.name.as_ref().into());
    if let Some(summary) = &entry.summary {
        object.insert("summary".into(), summary.as_ref().into());
    }
    if let Some(description) = &entry.description {
        object.insert("description".into(), description.as_ref().into());
    }
    let mut descriptors = params.descriptors;
    if params.structure == Some("by-position") {
        for (descriptor, name) in descriptors.iter_mut().zip(&entry.param_names) {
            descriptor["name"] = name.as_ref().into();
        }
    }
    object.insert("params".into(), descriptors.into());
    if let Some(structure) = params.structure {
        object.insert("paramStructure".into(), structure.into());
    }
    object.insert("result".into(), result);
    Value::Object(object)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn catalog() -> Catalog<()> {
        let mut catalog = Catalog::default();
        catalog.register("ping".into(), (), takes_no_params::<()>);
        catalog.register("add".into(), (), takes_no_params::<(i64, i64)>);
        catalog.register("echo".into(), (), takes_no_params::<Value>);
        catalog
    }

    #[test]
    fn lists_methods_in_registration_order() {
        let document = catalog().document();
        let names: Vec<&str> = document["methods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["ping", "add", "echo"]);
        assert_eq!(document["openrpc"], "1.3.2");
        assert!(document.get("components").is_none());
    }

    #[test]
    fn registering_a_name_again_replaces_its_entry_in_place() {
        let mut catalog = catalog();
        catalog.last_mut("summary").summary = Some("echoes".into());
        catalog.register("ping".into(), (), takes_no_params::<u64>);
        catalog.last_mut("summary").summary = Some("new ping".into());
        let document = catalog.document();
        let methods = document["methods"].as_array().unwrap();
        assert_eq!(methods.len(), 3);
        assert_eq!(methods[0]["summary"], "new ping");
        assert_eq!(methods[0]["params"][0]["required"], true);
        assert_eq!(methods[2]["summary"], "echoes");
    }

    #[test]
    fn undescribed_methods_take_any_params_and_return_any_result() {
        let document = catalog().document();
        let ping = &document["methods"][0];
        assert_eq!(
            ping,
            &json!({
                "name": "ping",
                "params": [{
                    "name": "params",
                    "description": UNDESCRIBED_PARAMS,
                    "schema": {},
                }],
                "result": {"name": "result", "schema": {}},
            })
        );
        // (i64, i64) refuses absent params: the one descriptor is required.
        assert_eq!(document["methods"][1]["params"][0]["required"], true);
        assert!(document["methods"][2]["params"][0]
            .get("required")
            .is_none());
    }

    #[test]
    #[should_panic(expected = "register one first")]
    fn describing_before_registering_panics() {
        Catalog::<()>::default().last_mut("summary");
    }

    #[test]
    fn answers_with_no_params_only() {
        let document = json!({"openrpc": "1.3.2"});
        for params in [Value::Null, json!([])] {
            assert_eq!(answer(&params, &document), Ok(document.clone()));
        }
        for params in [json!([1]), json!({"a": 1}), json!(5)] {
            let error = answer(&params, &document).unwrap_err();
            assert_eq!(error.code, RpcError::INVALID_PARAMS);
        }
    }
}
