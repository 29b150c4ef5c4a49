//! Fresh memory in bounded steps.
//!
//! Wasmi runs one instruction, and one instantiation, as one step that
//! cannot be sliced: a module whose initial memory is 256 MiB makes
//! instantiation write 256 MiB of zeros (and the kernel fault in every page),
//! and one `memory.grow` or `memory.fill` over 256 MiB does as much inside
//! one instruction, however little fuel the call has. So before compiling,
//! the engine rewrites a module so that no step touches more than
//! [`STEP_BYTES`] of memory:
//!
//! - `memory.grow`, `memory.fill` and `memory.copy` become calls of added
//!   functions that do the same work in steps of at most [`STEP_BYTES`]
//!   (each step charged by Wasmi's fuel, so a slice can end between them);
//!   an access out of bounds runs the original instruction, which traps
//!   before writing anything, as it would have;
//! - an initial memory over [`KEPT_PAGES`] pages starts at that size, and an
//!   added start function grows it to the declared size in steps, then
//!   writes the data segments that no longer fit (made passive) in steps,
//!   in their order, before the module's own start function. The engine
//!   runs start functions resumably, under the call's fuel slices (see
//!   `start`).
//!
//! Only functions are added, after the module's own, and only types after
//! its own: every index the module uses keeps its meaning. A module the
//! rewrite cannot read is compiled as it is (the engine reports its errors).

use crate::start::{push_section, sections, write_u32, Section};
use wasmparser::{
    BinaryReader, CodeSectionReader, DataKind, DataSectionReader, FunctionSectionReader,
    ImportSectionReader, MemorySectionReader, Operator, TypeRef, TypeSectionReader,
};

/// The most bytes of memory one step grows, fills, copies or initialises.
pub const STEP_BYTES: u32 = 1 << 20;
const STEP_PAGES: u32 = STEP_BYTES / PAGE;
/// Initial memory pages a module keeps at instantiation; beyond them, its
/// start function grows the memory in steps.
pub const KEPT_PAGES: u32 = 64;
const PAGE: u32 = 1 << 16;
/// Pages a 32-bit memory may have.
const MAX_PAGES: u64 = 1 << 16;

const TYPE: u8 = 1;
const FUNCTION: u8 = 3;
const MEMORY: u8 = 5;
const START: u8 = 8;
const DATA_COUNT: u8 = 12;
const CODE: u8 = 10;
const DATA: u8 = 11;

/// A module rewritten to touch memory in steps.
pub struct Stepped {
    pub bytes: Vec<u8>,
    /// The memory's declared initial size in pages, if the rewrite lowered it.
    pub declared_initial: Option<u32>,
}

/// Returns the module rewritten as the module documentation says, or `None`
/// if nothing in it needs steps or it cannot be read.
pub fn rewrite(bytes: &[u8]) -> Option<Stepped> {
    let sections = sections(bytes)?;
    let find = |id: u8| sections.iter().find(|s| s.id == id);
    let reader = |s: &Section| BinaryReader::new(&bytes[s.body.clone()], s.body.start);

    let memory = match find(MEMORY) {
        Some(section) => {
            let memories = MemorySectionReader::new(reader(section)).ok()?;
            if memories.count() != 1 {
                return None;
            }
            let memory = memories.into_iter().next()?.ok()?;
            if memory.memory64 || memory.shared || memory.page_size_log2.is_some() {
                return None;
            }
            memory
        }
        None => return None,
    };
    let initial = u32::try_from(memory.initial).ok()?;
    let max_pages = memory.maximum.unwrap_or(MAX_PAGES).min(MAX_PAGES);

    let mut imported_funcs = 0u32;
    if let Some(section) = find(2) {
        for import in ImportSectionReader::new(reader(section)).ok()? {
            match import.ok()?.ty {
                TypeRef::Func(_) => imported_funcs += 1,
                TypeRef::Memory(_) => return None,
                _ => {}
            }
        }
    }
    let mut types = 0u32;
    if let Some(section) = find(TYPE) {
        for group in TypeSectionReader::new(reader(section)).ok()? {
            types += u32::try_from(group.ok()?.types().len()).ok()?;
        }
    }
    let defined_funcs = match find(FUNCTION) {
        Some(section) => FunctionSectionReader::new(reader(section)).ok()?.count(),
        None => 0,
    };
    let grow_fn = imported_funcs.checked_add(defined_funcs)?;
    let (fill_fn, copy_fn, prologue_fn) = (grow_fn + 1, grow_fn + 2, grow_fn + 3);

    // The data segments. Instantiation writes the active ones while they fit
    // in the kept memory and in KEPT_PAGES of bytes in all; from the first
    // that does not (or whose offset is not a constant, when the memory is
    // lowered) on, they are made passive and written by the start function.
    let lowers = initial > KEPT_PAGES;
    let kept_pages = initial.min(KEPT_PAGES);
    let kept_bytes = u64::from(kept_pages) * u64::from(PAGE);
    let data_bound = u64::from(KEPT_PAGES) * u64::from(PAGE);
    let mut segments = Vec::new();
    let mut data_count = 0u32;
    if let Some(section) = find(DATA) {
        let mut written = 0u64;
        let mut moving = false;
        for (index, data) in DataSectionReader::new(reader(section))
            .ok()?
            .into_iter()
            .enumerate()
        {
            let data = data.ok()?;
            let index = u32::try_from(index).ok()?;
            data_count = index + 1;
            let offset = match &data.kind {
                DataKind::Active {
                    memory_index: 0,
                    offset_expr,
                } => {
                    let range = offset_expr.get_binary_reader().range();
                    // The expression without its `end`.
                    range.start..range.end.checked_sub(1)?
                }
                DataKind::Active { .. } => return None,
                DataKind::Passive => {
                    segments.push(Segment::Kept(data.range.clone()));
                    continue;
                }
            };
            let len = data.data.len() as u64;
            written += len;
            let end = constant_offset(&bytes[offset.clone()]).map(|at| u64::from(at) + len);
            moving =
                moving || written > data_bound || lowers && end.is_none_or(|end| end > kept_bytes);
            if moving {
                let start = data.data.as_ptr() as usize - bytes.as_ptr() as usize;
                segments.push(Segment::Moved {
                    index,
                    offset,
                    data: start..start + data.data.len(),
                });
            } else {
                segments.push(Segment::Kept(data.range.clone()));
            }
        }
    }
    let moves = segments.iter().any(|s| matches!(s, Segment::Moved { .. }));
    let prologue = lowers || moves;

    // The code, with each memory.grow/fill/copy turned into a call.
    let mut code = Vec::new();
    let mut calls = 0usize;
    let mut bodies = 0u32;
    if let Some(section) = find(CODE) {
        for body in CodeSectionReader::new(reader(section)).ok()? {
            let body = body.ok()?;
            let range = body.range();
            if !may_work_memory(&bytes[range.clone()]) {
                write_u32(&mut code, u32::try_from(range.len()).ok()?);
                code.extend_from_slice(&bytes[range]);
                bodies += 1;
                continue;
            }
            let mut ops = body.get_operators_reader().ok()?;
            let mut out = Vec::with_capacity(range.len());
            let mut copied = range.start;
            while !ops.eof() {
                let (op, at) = ops.read_with_offset().ok()?;
                let target = match op {
                    Operator::MemoryGrow { mem: 0 } => Some(grow_fn),
                    Operator::MemoryFill { mem: 0 } => Some(fill_fn),
                    Operator::MemoryCopy {
                        dst_mem: 0,
                        src_mem: 0,
                    } => Some(copy_fn),
                    _ => None,
                };
                if let Some(func) = target {
                    out.extend_from_slice(&bytes[copied..at]);
                    out.push(0x10);
                    write_u32(&mut out, func);
                    copied = ops.original_position();
                    calls += 1;
                }
            }
            out.extend_from_slice(&bytes[copied..range.end]);
            write_u32(&mut code, u32::try_from(out.len()).ok()?);
            code.extend_from_slice(&out);
            bodies += 1;
        }
    }
    if calls == 0 && !prologue {
        return None;
    }

    // Added types: (i32) -> i32, (i32 i32 i32) -> (), () -> ().
    let (grow_ty, bulk_ty, void_ty) = (types, types + 1, types + 2);
    let added_types: &[u8] = &[
        0x60, 1, 0x7f, 1, 0x7f, // grow
        0x60, 3, 0x7f, 0x7f, 0x7f, 0, // fill, copy
        0x60, 0, 0, // prologue
    ];
    let old_start = find(START).and_then(|s| {
        let mut cursor = s.body.clone();
        crate::start::read_u32(bytes, &mut cursor)
    });
    let mut added_bodies = vec![grow_body(max_pages), fill_body(), copy_body()];
    let mut added_funcs = vec![grow_ty, bulk_ty, bulk_ty];
    if prologue {
        added_bodies.push(prologue_body(
            bytes, initial, kept_pages, &segments, grow_fn, old_start,
        ));
        added_funcs.push(void_ty);
    }
    for body in &added_bodies {
        write_u32(&mut code, u32::try_from(body.len()).ok()?);
        code.extend_from_slice(body);
    }
    let code_count = bodies + added_bodies.len() as u32;

    // The module, section by section, in the standard order.
    let rank = |id: u8| -> u8 {
        match id {
            1..=5 => id,
            13 => 6,
            6..=9 => id + 1,
            DATA_COUNT => 11,
            CODE => 12,
            DATA => 13,
            _ => 0,
        }
    };
    let mut synthesized: Vec<(u8, Vec<u8>)> = Vec::new();
    let section_body = |count: u32, old: Option<&Section>, added: &[u8]| {
        let mut body = Vec::new();
        write_u32(&mut body, count);
        if let Some(old) = old {
            let mut cursor = old.body.clone();
            crate::start::read_u32(bytes, &mut cursor);
            body.extend_from_slice(&bytes[cursor]);
        }
        body.extend_from_slice(added);
        body
    };
    synthesized.push((TYPE, section_body(types + 3, find(TYPE), added_types)));
    let mut func_entries = Vec::new();
    for ty in &added_funcs {
        write_u32(&mut func_entries, *ty);
    }
    synthesized.push((
        FUNCTION,
        section_body(
            defined_funcs + added_funcs.len() as u32,
            find(FUNCTION),
            &func_entries,
        ),
    ));
    {
        let mut body = vec![1];
        let pages = if lowers { kept_pages } else { initial };
        match memory.maximum {
            Some(max) => {
                body.push(1);
                write_u32(&mut body, pages);
                write_u32(&mut body, u32::try_from(max).ok()?);
            }
            None => {
                body.push(0);
                write_u32(&mut body, pages);
            }
        }
        synthesized.push((MEMORY, body));
    }
    if prologue {
        let mut body = Vec::new();
        write_u32(&mut body, prologue_fn);
        synthesized.push((START, body));
        if find(DATA_COUNT).is_none() {
            let mut body = Vec::new();
            write_u32(&mut body, data_count);
            synthesized.push((DATA_COUNT, body));
        }
        let mut body = Vec::new();
        write_u32(&mut body, data_count);
        for segment in &segments {
            match segment {
                Segment::Kept(range) => body.extend_from_slice(&bytes[range.clone()]),
                Segment::Moved { data, .. } => {
                    body.push(1);
                    write_u32(&mut body, u32::try_from(data.len()).ok()?);
                    body.extend_from_slice(&bytes[data.clone()]);
                }
            }
        }
        synthesized.push((DATA, body));
    }
    let mut code_body = Vec::new();
    write_u32(&mut code_body, code_count);
    code_body.extend_from_slice(&code);
    synthesized.push((CODE, code_body));
    synthesized.sort_by_key(|(id, _)| rank(*id));

    let mut out = Vec::with_capacity(bytes.len() + 1024);
    out.extend_from_slice(&bytes[..8]);
    let mut next = synthesized.into_iter().peekable();
    for section in &sections {
        let own = rank(section.id);
        if own != 0 {
            while let Some((id, _)) = next.peek() {
                if rank(*id) > own {
                    break;
                }
                let (id, body) = next.next()?;
                push_section(&mut out, id, &body);
            }
            if matches!(section.id, TYPE | FUNCTION | MEMORY | CODE)
                || prologue && matches!(section.id, START | DATA)
            {
                continue;
            }
        }
        out.extend_from_slice(&bytes[section.whole.clone()]);
    }
    for (id, body) in next {
        push_section(&mut out, id, &body);
    }
    Some(Stepped {
        bytes: out,
        declared_initial: lowers.then_some(initial),
    })
}

enum Segment {
    /// Kept as it is: its whole entry.
    Kept(std::ops::Range<usize>),
    /// Made passive and written by the added start function.
    Moved {
        index: u32,
        offset: std::ops::Range<usize>,
        data: std::ops::Range<usize>,
    },
}

/// Whether a function body's bytes may hold `memory.grow` (0x40 0x00) or a
/// bulk instruction (0xfc): bodies with neither are copied without decoding
/// their instructions (most of a large module's, so that the rewrite costs
/// little more than a copy).
fn may_work_memory(body: &[u8]) -> bool {
    body.windows(2)
        .any(|pair| pair[0] == 0xfc || pair == [0x40, 0])
        || body.last() == Some(&0xfc)
}

/// The value of an offset expression that is one `i32.const`.
fn constant_offset(expr: &[u8]) -> Option<u32> {
    let mut reader = BinaryReader::new(expr, 0);
    if reader.read_u8().ok()? != 0x41 {
        return None;
    }
    let value = reader.read_var_i32().ok()?;
    reader.eof().then_some(value as u32)
}

/// An i32 operand: a local, a constant or a constant expression's bytes.
enum Value<'a> {
    Local(u8),
    Const(u32),
    Expr(&'a [u8]),
}

/// Function body bytes, written instruction by instruction.
struct Body(Vec<u8>);

impl Body {
    fn new(locals: &[(u32, u8)]) -> Self {
        let mut bytes = Vec::new();
        write_u32(&mut bytes, locals.len() as u32);
        for (count, ty) in locals {
            write_u32(&mut bytes, *count);
            bytes.push(*ty);
        }
        Body(bytes)
    }
    fn op(&mut self, bytes: &[u8]) -> &mut Self {
        self.0.extend_from_slice(bytes);
        self
    }
    fn get(&mut self, local: u8) -> &mut Self {
        self.op(&[0x20, local])
    }
    fn set(&mut self, local: u8) -> &mut Self {
        self.op(&[0x21, local])
    }
    fn tee(&mut self, local: u8) -> &mut Self {
        self.op(&[0x22, local])
    }
    fn i32(&mut self, value: i32) -> &mut Self {
        self.0.push(0x41);
        write_i64(&mut self.0, i64::from(value));
        self
    }
    fn i64(&mut self, value: i64) -> &mut Self {
        self.0.push(0x42);
        write_i64(&mut self.0, value);
        self
    }
    fn push(&mut self, value: &Value) -> &mut Self {
        match value {
            Value::Local(local) => self.get(*local),
            Value::Const(value) => self.i32(*value as i32),
            Value::Expr(expr) => self.op(expr),
        }
    }
    /// Pushes whether `address + len` (both i32, unsigned) lies past the
    /// memory's end.
    fn past_end(&mut self, address: Value, len: Value) -> &mut Self {
        self.push(&address).op(&[0xad]); // i64.extend_i32_u
        self.push(&len).op(&[0xad, 0x7c]); // i64.extend_i32_u, i64.add
        self.op(&[0x3f, 0, 0xad]).i64(16).op(&[0x86]); // memory.size << 16
        self.op(&[0x56]) // i64.gt_u
    }
    /// `local -= STEP`, then back to the enclosing loop's start while
    /// `local > STEP`.
    fn next_step(&mut self, local: u8) -> &mut Self {
        self.get(local).i32(STEP).op(I32_SUB).tee(local);
        self.i32(STEP).op(I32_GT_U).op(BR_IF_LOOP)
    }
    fn finish(&mut self) -> Vec<u8> {
        self.0.push(0x0b);
        std::mem::take(&mut self.0)
    }
}

const STEP: i32 = STEP_BYTES as i32;
const MEMORY_GROW: &[u8] = &[0x40, 0];
const MEMORY_FILL: &[u8] = &[0xfc, 0x0b, 0];
const MEMORY_COPY: &[u8] = &[0xfc, 0x0a, 0, 0];
const IF: &[u8] = &[0x04, 0x40];
const LOOP: &[u8] = &[0x03, 0x40];
const END: &[u8] = &[0x0b];
const RETURN: &[u8] = &[0x0f];
const I32_GT_U: &[u8] = &[0x4b];
const I32_ADD: &[u8] = &[0x6a];
const I32_SUB: &[u8] = &[0x6b];
const BR_IF_LOOP: &[u8] = &[0x0d, 0];

/// `(func (param $n i32) (result i32))`: `memory.grow $n` in steps of
/// [`STEP_PAGES`]. Past `max_pages` it answers -1 and grows nothing; past
/// the guest's cap the engine traps (kind `memory`) as for one growth. If the
/// engine itself runs out of memory part-way, it answers -1 with the steps
/// before kept.
fn grow_body(max_pages: u64) -> Vec<u8> {
    let (n, old, step) = (0, 1, 2);
    let mut f = Body::new(&[(2, 0x7f)]);
    f.get(n).i32(STEP_PAGES as i32).op(&[0x4d]).op(IF); // i32.le_u
    f.get(n).op(MEMORY_GROW).op(RETURN).op(END);
    f.op(&[0x3f, 0]).set(old);
    f.get(old).op(&[0xad]).get(n).op(&[0xad, 0x7c]);
    f.i64(max_pages as i64).op(&[0x56]).op(IF);
    f.i32(-1).op(RETURN).op(END);
    f.op(LOOP);
    f.i32(STEP_PAGES as i32)
        .get(n)
        .get(n)
        .i32(STEP_PAGES as i32)
        .op(I32_GT_U);
    f.op(&[0x1b]); // select: the smaller of a step and what is left
    f.tee(step).op(MEMORY_GROW).i32(-1).op(&[0x46]).op(IF); // i32.eq
    f.i32(-1).op(RETURN).op(END);
    f.get(n).get(step).op(I32_SUB).tee(n).op(BR_IF_LOOP);
    f.op(END);
    f.get(old);
    f.finish()
}

/// `(func (param $d i32) (param $value i32) (param $n i32))`: `memory.fill`
/// in steps of [`STEP_BYTES`].
fn fill_body() -> Vec<u8> {
    let (d, value, n) = (0, 1, 2);
    let mut f = Body::new(&[]);
    f.get(n).i32(STEP).op(I32_GT_U).op(IF);
    f.past_end(Value::Local(d), Value::Local(n)).op(IF);
    f.get(d)
        .get(value)
        .get(n)
        .op(MEMORY_FILL)
        .op(RETURN)
        .op(END);
    f.op(LOOP);
    f.get(d).get(value).i32(STEP).op(MEMORY_FILL);
    f.get(d).i32(STEP).op(I32_ADD).set(d);
    f.next_step(n);
    f.op(END);
    f.op(END);
    f.get(d).get(value).get(n).op(MEMORY_FILL);
    f.finish()
}

/// `(func (param $d i32) (param $s i32) (param $n i32))`: `memory.copy` in
/// steps of [`STEP_BYTES`], forwards when the destination is below the
/// source and backwards otherwise, so that overlapping ranges copy as one
/// `memory.copy` would.
fn copy_body() -> Vec<u8> {
    let (d, s, n) = (0, 1, 2);
    let mut f = Body::new(&[]);
    f.get(n).i32(STEP).op(I32_GT_U).op(IF);
    f.past_end(Value::Local(d), Value::Local(n));
    f.past_end(Value::Local(s), Value::Local(n));
    f.op(&[0x72]).op(IF); // i32.or
    f.get(d).get(s).get(n).op(MEMORY_COPY).op(RETURN).op(END);
    f.get(d).get(s).op(&[0x4d]).op(IF); // i32.le_u: forwards
    f.op(LOOP);
    f.get(d).get(s).i32(STEP).op(MEMORY_COPY);
    f.get(d).i32(STEP).op(I32_ADD).set(d);
    f.get(s).i32(STEP).op(I32_ADD).set(s);
    f.next_step(n);
    f.op(END);
    f.op(&[0x05]); // else: backwards, the last step first
    f.op(LOOP);
    f.get(n).i32(STEP).op(I32_SUB).set(n);
    f.get(d)
        .get(n)
        .op(I32_ADD)
        .get(s)
        .get(n)
        .op(I32_ADD)
        .i32(STEP)
        .op(MEMORY_COPY);
    f.get(n).i32(STEP).op(I32_GT_U).op(BR_IF_LOOP);
    f.op(END);
    f.op(END);
    f.op(END);
    f.get(d).get(s).get(n).op(MEMORY_COPY);
    f.finish()
}

/// The added start function: grows the memory to its declared initial size,
/// writes the moved data segments in steps, then calls the module's own
/// start function, if any.
fn prologue_body(
    bytes: &[u8],
    initial: u32,
    kept_pages: u32,
    segments: &[Segment],
    grow_fn: u32,
    old_start: Option<u32>,
) -> Vec<u8> {
    let mut f = Body::new(&[]);
    if initial > kept_pages {
        f.i32((initial - kept_pages) as i32).op(&[0x10]);
        write_u32(&mut f.0, grow_fn);
        // -1 only if the engine ran out of memory: trap, as instantiation would.
        f.i32(-1).op(&[0x46]).op(IF).op(&[0x00]).op(END);
    }
    for segment in segments {
        let Segment::Moved {
            index,
            offset,
            data,
        } = segment
        else {
            continue;
        };
        let expr = &bytes[offset.clone()];
        let len = data.len() as u32;
        let init = |f: &mut Body, at: u32, n: u32| {
            f.op(expr);
            if at > 0 {
                f.i32(at as i32).op(I32_ADD);
            }
            f.i32(at as i32).i32(n as i32).op(&[0xfc, 0x08]);
            write_u32(&mut f.0, *index);
            f.op(&[0]);
        };
        // Out of bounds: the whole segment at once traps before writing.
        f.past_end(Value::Expr(expr), Value::Const(len)).op(IF);
        init(&mut f, 0, len);
        f.op(END);
        let mut at = 0;
        loop {
            let n = (len - at).min(STEP_BYTES);
            init(&mut f, at, n);
            at += n;
            if at >= len {
                break;
            }
        }
        f.op(&[0xfc, 0x09]);
        write_u32(&mut f.0, *index);
    }
    if let Some(start) = old_start {
        f.op(&[0x10]);
        write_u32(&mut f.0, start);
    }
    f.finish()
}

fn write_i64(out: &mut Vec<u8>, mut value: i64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        let done = value == 0 && byte & 0x40 == 0 || value == -1 && byte & 0x40 != 0;
        out.push(if done { byte } else { byte | 0x80 });
        if done {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmi::{Config, Engine, Instance, Linker, Module, Store, TypedFunc};

    const MIB: u32 = 1 << 20;

    fn rewritten(wat: &str) -> Vec<u8> {
        rewrite(&wat::parse_str(wat).unwrap()).unwrap().bytes
    }

    fn instance(bytes: &[u8]) -> (Store<()>, Instance) {
        let engine = Engine::default();
        let module = Module::new(&engine, bytes).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate_and_start(&mut store, &module)
            .unwrap();
        (store, instance)
    }

    fn func<P: wasmi::WasmParams, R: wasmi::WasmResults>(
        store: &Store<()>,
        instance: &Instance,
        name: &str,
    ) -> TypedFunc<P, R> {
        instance.get_typed_func(store, name).unwrap()
    }

    fn byte(store: &Store<()>, instance: &Instance, at: usize) -> u8 {
        instance.get_memory(store, "memory").unwrap().data(store)[at]
    }

    #[test]
    fn modules_without_memory_work_are_left_alone() {
        let plain = wat::parse_str(r#"(module (memory 17) (func (export "f")))"#).unwrap();
        assert!(rewrite(&plain).is_none());
        assert!(rewrite(&wat::parse_str("(module)").unwrap()).is_none());
        assert!(rewrite(b"\0asm\x01\0\0\0\x05\x03\x01").is_none());
    }

    #[test]
    fn a_large_initial_memory_is_grown_and_written_by_the_start_function() {
        let stepped = rewrite(
            &wat::parse_str(
                r#"(module
                  (memory (export "memory") 4096)
                  (data (i32.const 16) "kept")
                  (data (i32.const 0x800000) "moved")
                  (data (i32.const 0x800001) "V")
                  (global $seen (mut i32) (i32.const 0))
                  (func $start (global.set $seen (i32.load8_u (i32.const 0x800000))))
                  (start $start)
                  (func (export "seen") (result i32) (global.get $seen)))"#,
            )
            .unwrap(),
        )
        .unwrap();
        assert_eq!(stepped.declared_initial, Some(4096));
        let engine = Engine::default();
        let module = Module::new(&engine, &stepped.bytes).unwrap();
        let ty = module.exports().find(|e| e.name() == "memory").unwrap();
        assert_eq!(ty.ty().memory().unwrap().minimum(), u64::from(KEPT_PAGES));
        let (mut store, instance) = instance(&stepped.bytes);
        let memory = instance.get_memory(&store, "memory").unwrap();
        assert_eq!(memory.size(&store), 4096);
        assert_eq!(&memory.data(&store)[16..20], b"kept");
        // In order: the later segment overwrote the earlier one's second byte.
        assert_eq!(&memory.data(&store)[0x800000..0x800005], b"mVved");
        // The module's own start function ran after the data was written.
        let seen = func::<(), i32>(&store, &instance, "seen");
        assert_eq!(seen.call(&mut store, ()).unwrap(), i32::from(b'm'));
    }

    #[test]
    fn a_segment_out_of_bounds_traps_before_writing() {
        let bytes = rewritten(
            r#"(module (memory (export "memory") 100)
                 (data (i32.const 0x700000) "a")
                 (data (i32.const 0x63FFFF) "bc"))"#,
        );
        let engine = Engine::default();
        let module = Module::new(&engine, &bytes).unwrap();
        let mut store = Store::new(&engine, ());
        let error = Linker::new(&engine)
            .instantiate_and_start(&mut store, &module)
            .unwrap_err();
        assert!(error.to_string().contains("out of bounds"), "{error}");
    }

    const BULK: &str = r#"(module
      (memory (export "memory") 1 300)
      (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
      (func (export "size") (result i32) (memory.size))
      (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
      (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2))))"#;

    #[test]
    fn memory_grow_in_steps_answers_as_one_growth() {
        let (mut store, instance) = instance(&rewritten(BULK));
        let grow = func::<i32, i32>(&store, &instance, "grow");
        let size = func::<(), i32>(&store, &instance, "size");
        assert_eq!(grow.call(&mut store, 3).unwrap(), 1);
        assert_eq!(grow.call(&mut store, 100).unwrap(), 4);
        assert_eq!(size.call(&mut store, ()).unwrap(), 104);
        // Past the declared maximum: -1, and nothing grew.
        assert_eq!(grow.call(&mut store, 197).unwrap(), -1);
        assert_eq!(grow.call(&mut store, -1).unwrap(), -1);
        assert_eq!(size.call(&mut store, ()).unwrap(), 104);
        assert_eq!(grow.call(&mut store, 196).unwrap(), 104);
        assert_eq!(size.call(&mut store, ()).unwrap(), 300);
    }

    #[test]
    fn fill_and_copy_in_steps_write_what_one_instruction_would() {
        let (mut store, instance) = instance(&rewritten(BULK));
        func::<i32, i32>(&store, &instance, "grow")
            .call(&mut store, 99)
            .unwrap();
        let fill = func::<(i32, i32, i32), ()>(&store, &instance, "fill");
        let copy = func::<(i32, i32, i32), ()>(&store, &instance, "copy");
        let memory = instance.get_memory(&store, "memory").unwrap();
        let len = 3 * MIB + 5;
        fill.call(&mut store, (7, 0xab, len as i32)).unwrap();
        let data = memory.data(&store);
        assert_eq!(
            (
                data[6],
                data[7],
                data[len as usize + 6],
                data[len as usize + 7]
            ),
            (0, 0xab, 0xab, 0)
        );
        // A pattern, then overlapping copies both ways.
        let pattern: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        memory.data_mut(&mut store)[..len as usize].copy_from_slice(&pattern);
        copy.call(&mut store, (1000, 0, len as i32)).unwrap();
        assert_eq!(
            &memory.data(&store)[1000..1000 + len as usize],
            &pattern[..]
        );
        copy.call(&mut store, (0, 1000, len as i32)).unwrap();
        assert_eq!(&memory.data(&store)[..len as usize], &pattern[..]);
        // Out of bounds: a trap, and nothing written.
        let end = 100 * 65536;
        assert!(fill
            .call(&mut store, (end - MIB as i32, 1, 2 * MIB as i32))
            .is_err());
        assert!(copy
            .call(&mut store, (end - MIB as i32, 0, 2 * MIB as i32))
            .is_err());
        assert!(copy
            .call(&mut store, (0, end - MIB as i32, 2 * MIB as i32))
            .is_err());
        assert_eq!(byte(&store, &instance, end as usize - 1), 0);
        assert_eq!(byte(&store, &instance, 0), pattern[0]);
    }

    #[test]
    fn no_step_needs_more_fuel_than_one_step_of_bytes() {
        let wat = r#"(module
          (memory (export "memory") 2048)
          (data (i32.const 0x1000000) "x")
          (func (export "run")
            (drop (memory.grow (i32.const 2048)))
            (memory.fill (i32.const 0) (i32.const 1) (i32.const 0x8000000))
            (memory.copy (i32.const 0) (i32.const 0x4000000) (i32.const 0x4000000))))"#;
        let most = |bytes: &[u8]| {
            let mut config = Config::default();
            config.consume_fuel(true);
            let engine = Engine::new(&config);
            let module = Module::new(&engine, bytes).unwrap();
            let mut store = Store::new(&engine, ());
            store.set_fuel(u64::MAX).unwrap();
            let instance = Linker::new(&engine)
                .instantiate_and_start(&mut store, &module)
                .unwrap();
            let run = instance.get_func(&store, "run").unwrap();
            store.set_fuel(1000).unwrap();
            let mut most = 0;
            let mut call = run.call_resumable(&mut store, &[], &mut []).unwrap();
            while let wasmi::ResumableCall::OutOfFuel(out) = call {
                most = most.max(out.required_fuel());
                store.set_fuel(out.required_fuel() + 10_000).unwrap();
                call = out.resume(&mut store, &mut []).unwrap();
            }
            most
        };
        let original = wat::parse_str(wat).unwrap();
        let stepped = rewrite(&original).unwrap().bytes;
        assert!(most(&original) >= 0x8000000 / 64);
        assert!(
            most(&stepped) <= u64::from(STEP_BYTES / 64) + 64,
            "{}",
            most(&stepped)
        );
    }
}
