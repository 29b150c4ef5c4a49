//! A JSON description of a module's imports, exports and memories.

use crate::start::START_EXPORT;

use std::fmt::Write;
use wasmi::{ExternType, FuncType, Module, ValType};

/// Describes `module` as JSON:
/// `{"imports":[{"module","name","kind","params"?,"results"?,"minimum"?,"maximum"?}],"exports":[...]}`.
/// A memory's minimum is `declared_initial` where given (the module's own,
/// before the engine lowered it, see `steps`).
pub fn describe(module: &Module, declared_initial: Option<u32>) -> String {
    let mut out = String::from("{\"imports\":[");
    for (i, import) in module.imports().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"module\":");
        string(&mut out, import.module());
        out.push_str(",\"name\":");
        string(&mut out, import.name());
        extern_type(&mut out, import.ty(), declared_initial);
        out.push('}');
    }
    out.push_str("],\"exports\":[");
    // The start function's export (see `start`) is the engine's, not the module's.
    let exports = module.exports().filter(|e| e.name() != START_EXPORT);
    for (i, export) in exports.enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str("{\"name\":");
        string(&mut out, export.name());
        extern_type(&mut out, export.ty(), declared_initial);
        out.push('}');
    }
    out.push_str("]}");
    out
}

fn extern_type(out: &mut String, ty: &ExternType, declared_initial: Option<u32>) {
    match ty {
        ExternType::Func(func) => {
            out.push_str(",\"kind\":\"func\"");
            signature(out, func);
        }
        ExternType::Memory(memory) => {
            let minimum = declared_initial.map_or(memory.minimum(), u64::from);
            let _ = write!(out, ",\"kind\":\"memory\",\"minimum\":{minimum}");
            if let Some(maximum) = memory.maximum() {
                let _ = write!(out, ",\"maximum\":{maximum}");
            }
        }
        ExternType::Table(_) => out.push_str(",\"kind\":\"table\""),
        ExternType::Global(_) => out.push_str(",\"kind\":\"global\""),
    }
}

fn signature(out: &mut String, func: &FuncType) {
    out.push_str(",\"params\":[");
    types(out, func.params());
    out.push_str("],\"results\":[");
    types(out, func.results());
    out.push(']');
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
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
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
    use super::string;

    #[test]
    fn strings_are_escaped_as_json() {
        let mut out = String::new();
        string(&mut out, "a\"b\\c\nd");
        assert_eq!(out, r#""a\"b\\c\u000ad""#);
    }
}
