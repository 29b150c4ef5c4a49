//! What the rewrite needs to know about a module before it starts: index
//! spaces, signatures, memories and tables, and a JSON description of its
//! imports and exports for the host.

use std::fmt::Write;
use wasmparser::{CompositeInnerType, ExternalKind, Parser, Payload, TypeRef, ValType};

/// One memory's limits in pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub initial: u64,
    pub maximum: Option<u64>,
}

/// Facts about a module, gathered in one pass over its sections.
#[derive(Default, Debug)]
pub struct Module {
    /// Number of entries in the type index space.
    pub types: u32,
    /// Parameter count of each type that is a function type.
    pub params: Vec<Option<u32>>,
    /// Result types of each type that is a function type.
    pub results: Vec<Option<Vec<ValType>>>,
    pub imported_funcs: u32,
    pub imported_globals: u32,
    pub defined_globals: u32,
    /// Type index of each defined function.
    pub func_types: Vec<u32>,
    /// Every memory (imported first), with its limits.
    pub memories: Vec<Limits>,
    /// How many of `memories` are imported.
    pub imported_memories: u32,
    /// Whether a memory is shared or has a custom page size.
    pub unusual_memory: bool,
    /// Every table (imported first): initial entries and element type.
    pub tables: Vec<(u64, wasmparser::RefType)>,
    pub start: Option<u32>,
    /// Whether a memory or table is 64-bit.
    pub wide: bool,
    /// The imports and exports as JSON (see [`Module::describe`]).
    imports_json: String,
    exports_json: String,
}

impl Module {
    /// Scans a module that was validated before.
    pub fn scan(bytes: &[u8]) -> Result<Self, String> {
        let mut module = Module::default();
        let mut sigs: Vec<Option<(Vec<ValType>, Vec<ValType>)>> = Vec::new();
        let mut import_count = 0;
        // The type of each imported function, for exports that re-export one.
        let mut imported_func_types: Vec<u32> = Vec::new();
        for payload in Parser::new(0).parse_all(bytes) {
            match payload.map_err(|e| e.to_string())? {
                Payload::TypeSection(reader) => {
                    for group in reader {
                        for sub in group.map_err(|e| e.to_string())?.into_types() {
                            let sig = match &sub.composite_type.inner {
                                CompositeInnerType::Func(f) => {
                                    Some((f.params().to_vec(), f.results().to_vec()))
                                }
                                _ => None,
                            };
                            module
                                .params
                                .push(sig.as_ref().map(|(p, _)| p.len() as u32));
                            module.results.push(sig.as_ref().map(|(_, r)| r.clone()));
                            sigs.push(sig);
                            module.types += 1;
                        }
                    }
                }
                Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        let import = import.map_err(|e| e.to_string())?;
                        if import_count > 0 {
                            module.imports_json.push(',');
                        }
                        import_count += 1;
                        module.imports_json.push_str("{\"module\":");
                        string(&mut module.imports_json, import.module);
                        module.imports_json.push_str(",\"name\":");
                        string(&mut module.imports_json, import.name);
                        match import.ty {
                            TypeRef::Func(ty) | TypeRef::FuncExact(ty) => {
                                module.imported_funcs += 1;
                                imported_func_types.push(ty);
                                func(&mut module.imports_json, sigs.get(ty as usize));
                            }
                            TypeRef::Memory(m) => {
                                let limits = limits(&m);
                                module.wide |= m.memory64;
                                module.imported_memories += 1;
                                memory(&mut module.imports_json, limits);
                                module.memories.push(limits);
                            }
                            TypeRef::Table(t) => {
                                module.imports_json.push_str(",\"kind\":\"table\"");
                                module.wide |= t.table64;
                                module.tables.push((t.initial, t.element_type));
                            }
                            TypeRef::Global(_) => {
                                module.imports_json.push_str(",\"kind\":\"global\"");
                                module.imported_globals += 1;
                            }
                            TypeRef::Tag(_) => module.imports_json.push_str(",\"kind\":\"tag\""),
                        }
                        module.imports_json.push('}');
                    }
                }
                Payload::FunctionSection(reader) => {
                    for ty in reader {
                        module.func_types.push(ty.map_err(|e| e.to_string())?);
                    }
                }
                Payload::TableSection(reader) => {
                    for table in reader {
                        let table = table.map_err(|e| e.to_string())?;
                        module.wide |= table.ty.table64;
                        module
                            .tables
                            .push((table.ty.initial, table.ty.element_type));
                    }
                }
                Payload::MemorySection(reader) => {
                    for m in reader {
                        let m = m.map_err(|e| e.to_string())?;
                        module.wide |= m.memory64;
                        module.unusual_memory |= m.shared || m.page_size_log2.is_some();
                        module.memories.push(limits(&m));
                    }
                }
                Payload::GlobalSection(reader) => module.defined_globals = reader.count(),
                Payload::ExportSection(reader) => {
                    for (i, export) in reader.into_iter().enumerate() {
                        let export = export.map_err(|e| e.to_string())?;
                        let json = &mut module.exports_json;
                        if i > 0 {
                            json.push(',');
                        }
                        json.push_str("{\"name\":");
                        string(json, export.name);
                        match export.kind {
                            ExternalKind::Func | ExternalKind::FuncExact => {
                                let index = export.index as usize;
                                let ty = match index.checked_sub(module.imported_funcs as usize) {
                                    Some(defined) => module.func_types.get(defined),
                                    None => imported_func_types.get(index),
                                };
                                let sig = ty.and_then(|&t| sigs.get(t as usize));
                                func(json, sig);
                            }
                            ExternalKind::Memory => {
                                let limits = module.memories.get(export.index as usize);
                                memory(
                                    json,
                                    limits.copied().unwrap_or(Limits {
                                        initial: 0,
                                        maximum: None,
                                    }),
                                );
                            }
                            ExternalKind::Table => json.push_str(",\"kind\":\"table\""),
                            ExternalKind::Global => json.push_str(",\"kind\":\"global\""),
                            ExternalKind::Tag => json.push_str(",\"kind\":\"tag\""),
                        }
                        json.push('}');
                    }
                }
                Payload::StartSection { func, .. } => module.start = Some(func),
                _ => {}
            }
        }
        Ok(module)
    }

    /// `{"imports":[...],"exports":[...],"memories":[pages],"tables":[entries]}`,
    /// imports and exports as the Wasmi engine's `module_describe` gives them.
    pub fn describe(&self) -> String {
        let mut out = format!(
            "{{\"imports\":[{}],\"exports\":[{}],\"memories\":[",
            self.imports_json, self.exports_json
        );
        for (i, m) in self.memories.iter().enumerate() {
            let _ = write!(out, "{}{}", if i > 0 { "," } else { "" }, m.initial);
        }
        out.push_str("],\"tables\":[");
        for (i, (entries, _)) in self.tables.iter().enumerate() {
            let _ = write!(out, "{}{entries}", if i > 0 { "," } else { "" });
        }
        out.push_str("]}");
        out
    }
}

fn limits(m: &wasmparser::MemoryType) -> Limits {
    Limits {
        initial: m.initial,
        maximum: m.maximum,
    }
}

fn memory(out: &mut String, limits: Limits) {
    let _ = write!(out, ",\"kind\":\"memory\",\"minimum\":{}", limits.initial);
    if let Some(maximum) = limits.maximum {
        let _ = write!(out, ",\"maximum\":{maximum}");
    }
}

fn func(out: &mut String, sig: Option<&Option<(Vec<ValType>, Vec<ValType>)>>) {
    out.push_str(",\"kind\":\"func\"");
    if let Some(Some((params, results))) = sig {
        out.push_str(",\"params\":[");
        types(out, params);
        out.push_str("],\"results\":[");
        types(out, results);
        out.push(']');
    }
}

fn types(out: &mut String, types: &[ValType]) {
    for (i, ty) in types.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let name = match ty {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::V128 => "v128",
            ValType::Ref(r) if r.is_func_ref() => "funcref",
            ValType::Ref(r) if r.is_extern_ref() => "externref",
            ValType::Ref(_) => "ref",
        };
        let _ = write!(out, "\"{name}\"");
    }
}

fn string(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_a_re_exported_import_with_its_signature() {
        let bytes = wat::parse_str(
            r#"(module
              (import "wasi_snapshot_preview1" "clock_time_get" (func $f (param i32 i64 i32) (result i32)))
              (export "_start" (func $f)))"#,
        )
        .unwrap();
        let description = Module::scan(&bytes).unwrap().describe();
        assert!(
            description.contains(
                r#"{"name":"_start","kind":"func","params":["i32","i64","i32"],"results":["i32"]}"#
            ),
            "{description}"
        );
    }

    #[test]
    fn describes_imports_exports_memories_and_tables() {
        let bytes = wat::parse_str(
            r#"(module
              (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 2 10)
              (table 3 funcref)
              (func (export "_start")))"#,
        )
        .unwrap();
        let module = Module::scan(&bytes).unwrap();
        assert_eq!(
            module.describe(),
            concat!(
                r#"{"imports":[{"module":"wasi_snapshot_preview1","name":"fd_write","kind":"func","#,
                r#""params":["i32","i32","i32","i32"],"results":["i32"]}],"#,
                r#""exports":[{"name":"memory","kind":"memory","minimum":2,"maximum":10},"#,
                r#"{"name":"_start","kind":"func","params":[],"results":[]}],"#,
                r#""memories":[2],"tables":[3]}"#
            )
        );
        assert_eq!((module.imported_funcs, module.func_types.len()), (1, 1));
    }
}
