//! Which post-MVP WebAssembly proposals a module uses, so that the host can
//! refuse what an engine does not run (or does not meter) before it compiles
//! anything: the host's feature table (src/executor/features.ts) decides per
//! engine.
//!
//! Proposals are named as wasmparser names them (`threads`, `gc`,
//! `exceptions`, `legacy_exceptions`, `simd`, ...), plus `memory64`,
//! `multi_memory` and `custom_page_sizes`, which no instruction of their own
//! gives away. An instruction's proposal comes from wasmparser's own list of
//! operators (`for_each_visit_operator!`), so a proposal wasmparser learns is
//! reported under its name, never missed. Proposals that only extend the MVP
//! in ways both engines run (multi-value, mutable globals, extended constant
//! expressions) are not reported.

use std::collections::BTreeSet;
use wasmparser::{
    AbstractHeapType, CompositeInnerType, ConstExpr, ElementItems, HeapType, OperatorsReader,
    Parser, Payload, RefType, TableInit, TypeRef, ValType, Validator, WasmFeatures,
};

/// The proposals a module uses, by name, sorted.
pub type Proposals = BTreeSet<&'static str>;

/// The proposals `bytes` uses. With `validate`, the module is validated
/// first with every proposal enabled, so that an invalid module gets the
/// validator's message rather than a list of proposals.
pub fn scan(bytes: &[u8], validate: bool) -> Result<Proposals, String> {
    if validate {
        Validator::new_with_features(WasmFeatures::all())
            .validate_all(bytes)
            .map_err(|e| e.to_string())?;
    }
    let mut found = Proposals::new();
    let mut memories = 0u32;
    let err = |e: wasmparser::BinaryReaderError| e.to_string();
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.map_err(err)? {
            Payload::TypeSection(reader) => {
                for group in reader {
                    let group = group.map_err(err)?;
                    if group.is_explicit_rec_group() {
                        found.insert("gc");
                    }
                    for sub in group.into_types() {
                        if !sub.is_final || !sub.supertype_idxs.is_empty() {
                            found.insert("gc");
                        }
                        let composite = &sub.composite_type;
                        if composite.shared {
                            found.insert("shared_everything_threads");
                        }
                        if composite.descriptor_idx.is_some() || composite.describes_idx.is_some() {
                            found.insert("custom_descriptors");
                        }
                        match &composite.inner {
                            CompositeInnerType::Func(f) => {
                                for ty in f.params().iter().chain(f.results()) {
                                    val_type(&mut found, *ty);
                                }
                            }
                            CompositeInnerType::Array(_) | CompositeInnerType::Struct(_) => {
                                found.insert("gc");
                            }
                            CompositeInnerType::Cont(_) => {
                                found.insert("stack_switching");
                            }
                        }
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    match import.map_err(err)?.ty {
                        TypeRef::Memory(m) => {
                            memories += 1;
                            memory(&mut found, &m);
                        }
                        TypeRef::Table(t) => table(&mut found, &t),
                        TypeRef::Global(g) => global(&mut found, &g),
                        TypeRef::Tag(_) => {
                            found.insert("exceptions");
                        }
                        TypeRef::FuncExact(_) => {
                            found.insert("custom_descriptors");
                        }
                        TypeRef::Func(_) => {}
                    }
                }
            }
            Payload::TableSection(reader) => {
                for t in reader {
                    let t = t.map_err(err)?;
                    table(&mut found, &t.ty);
                    if let TableInit::Expr(expr) = t.init {
                        // A table with an initialiser expression is the
                        // typed function references encoding, whatever the
                        // expression holds.
                        found.insert("function_references");
                        const_expr(&mut found, &expr)?;
                    }
                }
            }
            Payload::MemorySection(reader) => {
                for m in reader {
                    memories += 1;
                    memory(&mut found, &m.map_err(err)?);
                }
            }
            Payload::TagSection(_) => {
                found.insert("exceptions");
            }
            Payload::GlobalSection(reader) => {
                for g in reader {
                    let g = g.map_err(err)?;
                    global(&mut found, &g.ty);
                    const_expr(&mut found, &g.init_expr)?;
                }
            }
            Payload::ElementSection(reader) => {
                for element in reader {
                    let element = element.map_err(err)?;
                    if let wasmparser::ElementKind::Active { offset_expr, .. } = &element.kind {
                        const_expr(&mut found, offset_expr)?;
                    }
                    if let ElementItems::Expressions(ty, items) = element.items {
                        ref_type(&mut found, ty);
                        for item in items {
                            const_expr(&mut found, &item.map_err(err)?)?;
                        }
                    }
                }
            }
            Payload::DataSection(reader) => {
                for data in reader {
                    if let wasmparser::DataKind::Active { offset_expr, .. } =
                        data.map_err(err)?.kind
                    {
                        const_expr(&mut found, &offset_expr)?;
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                for local in body.get_locals_reader().map_err(err)? {
                    val_type(&mut found, local.map_err(err)?.1);
                }
                operators(&mut found, body.get_operators_reader().map_err(err)?)?;
            }
            _ => {}
        }
    }
    if memories > 1 {
        found.insert("multi_memory");
    }
    Ok(found)
}

fn operators(found: &mut Proposals, mut reader: OperatorsReader<'_>) -> Result<(), String> {
    // A visitor rather than `read()`: no `Operator` is built per
    // instruction (the scan of a large module is mostly this loop).
    let mut visitor = Visitor { found, last: "mvp" };
    while !reader.eof() {
        reader
            .visit_operator(&mut visitor)
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Notes each instruction's proposal, and the types some immediates carry.
struct Visitor<'f> {
    found: &'f mut Proposals,
    /// The proposal noted last (most instructions repeat it).
    last: &'static str,
}

impl Visitor<'_> {
    fn note(&mut self, proposal: &'static str) {
        if proposal != self.last {
            self.last = proposal;
            if proposal != "mvp" {
                self.found.insert(proposal);
            }
        }
    }

    fn block_type(&mut self, ty: wasmparser::BlockType) {
        if let wasmparser::BlockType::Type(ty) = ty {
            val_type(self.found, ty);
        }
    }
}

/// One `visit_*` per operator that notes its proposal; the few whose
/// immediates name a type also look at it.
macro_rules! define_visit {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*) )*) => {
        $( define_visit!(one $proposal $visit $($($arg: $argty),*)?); )*
    };
    (one $proposal:ident visit_ref_null $arg:ident: $argty:ty) => {
        fn visit_ref_null(&mut self, $arg: $argty) {
            self.note(stringify!($proposal));
            heap_type(self.found, $arg);
        }
    };
    (one $proposal:ident visit_block $arg:ident: $argty:ty) => {
        fn visit_block(&mut self, $arg: $argty) { self.block_type($arg) }
    };
    (one $proposal:ident visit_loop $arg:ident: $argty:ty) => {
        fn visit_loop(&mut self, $arg: $argty) { self.block_type($arg) }
    };
    (one $proposal:ident visit_if $arg:ident: $argty:ty) => {
        fn visit_if(&mut self, $arg: $argty) { self.block_type($arg) }
    };
    (one $proposal:ident visit_try $arg:ident: $argty:ty) => {
        fn visit_try(&mut self, $arg: $argty) {
            self.note(stringify!($proposal));
            self.block_type($arg);
        }
    };
    (one $proposal:ident visit_try_table $arg:ident: $argty:ty) => {
        fn visit_try_table(&mut self, $arg: $argty) {
            self.note(stringify!($proposal));
            self.block_type($arg.ty);
        }
    };
    (one $proposal:ident visit_typed_select $arg:ident: $argty:ty) => {
        fn visit_typed_select(&mut self, $arg: $argty) {
            self.note(stringify!($proposal));
            val_type(self.found, $arg);
        }
    };
    (one $proposal:ident visit_typed_select_multi $arg:ident: $argty:ty) => {
        fn visit_typed_select_multi(&mut self, $arg: $argty) {
            self.note(stringify!($proposal));
            for ty in $arg {
                val_type(self.found, ty);
            }
        }
    };
    (one $proposal:ident $visit:ident $($arg:ident: $argty:ty),*) => {
        fn $visit(&mut self $(, _: $argty)*) { self.note(stringify!($proposal)) }
    };
}

impl<'a> wasmparser::VisitOperator<'a> for Visitor<'_> {
    type Output = ();

    fn simd_visitor(
        &mut self,
    ) -> Option<&mut dyn wasmparser::VisitSimdOperator<'a, Output = Self::Output>> {
        Some(self)
    }

    wasmparser::for_each_visit_operator!(define_visit);
}

impl<'a> wasmparser::VisitSimdOperator<'a> for Visitor<'_> {
    wasmparser::for_each_visit_simd_operator!(define_visit);
}

fn const_expr(found: &mut Proposals, expr: &ConstExpr<'_>) -> Result<(), String> {
    operators(found, expr.get_operators_reader())
}

fn memory(found: &mut Proposals, m: &wasmparser::MemoryType) {
    if m.shared {
        found.insert("threads");
    }
    if m.memory64 {
        found.insert("memory64");
    }
    if m.page_size_log2.is_some() {
        found.insert("custom_page_sizes");
    }
}

fn table(found: &mut Proposals, t: &wasmparser::TableType) {
    if t.table64 {
        found.insert("memory64");
    }
    if t.shared {
        found.insert("shared_everything_threads");
    }
    ref_type(found, t.element_type);
}

fn global(found: &mut Proposals, g: &wasmparser::GlobalType) {
    if g.shared {
        found.insert("shared_everything_threads");
    }
    val_type(found, g.content_type);
}

fn val_type(found: &mut Proposals, ty: ValType) {
    match ty {
        ValType::V128 => {
            found.insert("simd");
        }
        ValType::Ref(r) => ref_type(found, r),
        _ => {}
    }
}

/// `funcref` and `externref` are reference types; other references come
/// from GC, typed function references or exceptions (`exnref`).
fn ref_type(found: &mut Proposals, r: RefType) {
    if !r.is_nullable() {
        found.insert("function_references");
    }
    heap_type(found, r.heap_type());
}

fn heap_type(found: &mut Proposals, heap: HeapType) {
    match heap {
        HeapType::Abstract { shared, ty } => {
            if shared {
                found.insert("shared_everything_threads");
            }
            found.insert(match ty {
                AbstractHeapType::Func | AbstractHeapType::Extern => "reference_types",
                AbstractHeapType::Exn | AbstractHeapType::NoExn => "exceptions",
                AbstractHeapType::Cont | AbstractHeapType::NoCont => "stack_switching",
                _ => "gc",
            });
        }
        HeapType::Concrete(_) => {
            found.insert("function_references");
        }
        HeapType::Exact(_) => {
            found.insert("custom_descriptors");
        }
    }
}

/// [`scan`]'s answer as JSON: `["exceptions","simd"]`.
pub fn to_json(proposals: &Proposals) -> String {
    let names: Vec<String> = proposals.iter().map(|p| format!("\"{p}\"")).collect();
    format!("[{}]", names.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_wat(wat: &str) -> Vec<&'static str> {
        scan(&wat::parse_str(wat).unwrap(), true)
            .unwrap()
            .into_iter()
            .collect()
    }

    #[test]
    fn an_mvp_module_uses_no_proposal() {
        let found = scan_wat(
            r#"(module (memory 1) (func (export "_start") (local i32)
              (loop $l (br_if $l (i32.eqz (local.get 0)))) (drop (i32.load (i32.const 0)))))"#,
        );
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn a_table_with_an_initialiser_is_function_references() {
        let found = scan_wat(r#"(module (table 1 funcref (ref.null func)))"#);
        assert!(found.contains(&"function_references"), "{found:?}");
    }

    #[test]
    fn atomics_and_a_shared_memory_are_threads() {
        let found = scan_wat(
            r#"(module (memory 1 1 shared) (func
              (drop (memory.atomic.wait32 (i32.const 0) (i32.const 0) (i64.const -1)))))"#,
        );
        assert_eq!(found, ["threads"]);
    }

    #[test]
    fn structs_and_arrays_are_gc() {
        let found = scan_wat(
            r#"(module (type $a (array (mut i8))) (type $s (struct (field i32)))
              (func (drop (array.new $a (i32.const 0) (i32.const 10)))
                    (drop (struct.new $s (i32.const 1)))))"#,
        );
        assert!(found.contains(&"gc"), "{found:?}");
    }

    #[test]
    fn tags_throw_and_try_table_are_exceptions() {
        let found = scan_wat(
            r#"(module (tag $e) (func
              (block $h (try_table (catch_all $h) (throw $e)))))"#,
        );
        assert_eq!(found, ["exceptions"]);
    }

    #[test]
    fn memory64_multi_memory_and_simd_are_named() {
        assert_eq!(scan_wat("(module (memory i64 1))"), ["memory64"]);
        assert_eq!(scan_wat("(module (memory 1) (memory 1))"), ["multi_memory"]);
        assert_eq!(
            scan_wat("(module (func (drop (v128.const i32x4 0 0 0 0))))"),
            ["simd"]
        );
    }

    #[test]
    fn an_invalid_module_gets_the_validator_message() {
        // i32.add with one operand, using a shared memory.
        let bytes = wat::parse_str(
            "(module (memory 1 1 shared) (func (result i32) (i32.add (i32.const 1))))",
        );
        let error = scan(&bytes.unwrap(), true).unwrap_err();
        assert!(error.contains("type mismatch"), "{error}");
    }

    #[test]
    fn typed_immediates_are_looked_at() {
        // `ref.null any` (GC's heap type), a block of a v128 (SIMD), and a
        // sign-extension operator among MVP ones.
        assert_eq!(
            scan_wat("(module (func (drop (ref.null any))))"),
            ["gc", "reference_types"]
        );
        assert_eq!(
            scan_wat("(module (func (block (result v128) unreachable) drop))"),
            ["simd"]
        );
        assert_eq!(
            scan_wat(
                "(module (func (drop (i32.add (i32.extend8_s (i32.const 1)) (i32.const 2)))))"
            ),
            ["sign_extension"]
        );
    }
}
