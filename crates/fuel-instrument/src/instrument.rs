//! The rewrite: a fuel counter, charges at function entries and loop
//! headers, size-proportional charges for bulk memory and table operations,
//! growth through the host, the memory maximum clamped, a module's one
//! defined memory imported from the host, and the start function moved into
//! an export.
//!
//! What the rewritten module gets:
//!
//! - a mutable `i64` global, exported as [`FUEL_EXPORT`]: the fuel left in
//!   the current slice. The host sets it before it runs or resumes the guest
//!   and reads it when the guest stops.
//! - two function imports from [`IMPORT_MODULE`]: [`OUT_OF_FUEL`]
//!   `() -> ()`, called when a charge makes the counter negative (the host
//!   suspends the guest until it gives it a new slice, or never resumes
//!   it), and [`GROW`] `(target, current, delta) -> proceed` called before
//!   every `memory.grow` (target `-1 - memory`) and `table.grow` (target =
//!   the table), so that the host can count memory and tables together
//!   against its limit. Added after the module's own imports: the module's
//!   function indices above its imports move up by two.
//! - one wrapper function per memory and per table that charges for the
//!   growth, asks the host and grows, appended after the module's own
//!   functions; then two per memory that run its `memory.fill` and its
//!   `memory.copy` in chunks of [`BULK_CHUNK`] bytes, each charged before it
//!   runs, so that one large operation (and the page faults of fresh memory
//!   it takes) spans many slices instead of holding one for all of it.
//! - a module that defines one memory (neither shared nor with a custom
//!   page size) and imports none imports it instead, as [`MEMORY`] from
//!   [`IMPORT_MODULE`] after the two function imports, with the same
//!   limits (the maximum clamped): the host may then give a new instance a
//!   memory it used before, zeroed, rather than a fresh one (which costs a
//!   page fault for every page the guest touches). Its index, 0, is the
//!   same either way. The description ([`Instrumented::description`]) gives
//!   the host its limits.

use crate::cost::{
    region_costs, BULK_CHUNK, BYTES_PER_FUEL_SHIFT, ENTRIES_PER_FUEL_SHIFT,
    FUEL_PER_GROWN_ENTRY_SHIFT, PAGE_FUEL_SHIFT,
};
use crate::scan::Module;
use std::convert::Infallible;
use wasm_encoder::reencode::Reencode;
use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, EntityType, ExportKind, ExportSection, Function,
    FunctionSection, GlobalSection, GlobalType, ImportSection, Instruction, MemorySection,
    MemoryType, RawSection, TypeSection, ValType,
};
use wasmparser::{Operator, Parser, Payload};

/// The module name of the imports the rewrite adds.
pub const IMPORT_MODULE: &str = "wasmi_plugins";
/// `() -> ()`: the slice's fuel is spent.
pub const OUT_OF_FUEL: &str = "out_of_fuel";
/// `(target: i32, current: i32, delta: i32) -> i32`: may a memory or table
/// grow? 0 makes the growth fail with -1.
pub const GROW: &str = "grow";
/// The memory a module that defines one memory imports instead.
pub const MEMORY: &str = "memory";
/// The export name of the fuel counter.
pub const FUEL_EXPORT: &str = "\u{0}wasmi-plugins:fuel";
/// The export name of the module's start function (the Wasmi engine uses
/// the same name, see crates/wasmi-wasm/src/start.rs).
pub const START_EXPORT: &str = "\u{0}wasmi-plugins:start";
/// Pages of a 32-bit memory at most.
const MAX_PAGES: u64 = 1 << 16;

/// The rewritten module and the original's description.
pub struct Instrumented {
    pub wasm: Vec<u8>,
    /// [`Module::describe`]'s JSON, plus
    /// `"memoryImport":{"initial":pages,"maximum":pages}` when the rewritten
    /// module imports its memory (see the [module docs](self)): the limits
    /// the host creates that memory with.
    pub description: String,
}

/// Validates and rewrites `bytes`, clamping the maximum of every memory the
/// module defines to `max_memory_pages` (never below its initial size); a
/// module's one defined memory becomes an import (see the [module
/// docs](self)), described in [`Instrumented::description`].
pub fn instrument(bytes: &[u8], max_memory_pages: u64) -> Result<Instrumented, String> {
    // wasmparser's default proposals, plus the legacy encoding of
    // exceptions (try/catch, which clang 16's -fwasm-exceptions emits). The
    // host refuses what the V8 engine does not run before it gets here
    // (crate::features, src/executor/features.ts).
    let features =
        wasmparser::WasmFeatures::default() | wasmparser::WasmFeatures::LEGACY_EXCEPTIONS;
    wasmparser::Validator::new_with_features(features)
        .validate_all(bytes)
        .map_err(|e| e.to_string())?;
    instrument_valid(bytes, max_memory_pages)
}

/// [`instrument`] for a module validated before (by
/// [`features::scan`](crate::features::scan)): an invalid one gets a
/// parse error or an invalid rewrite, which the engine's own validator
/// refuses.
pub fn instrument_valid(bytes: &[u8], max_memory_pages: u64) -> Result<Instrumented, String> {
    let module = Module::scan(bytes)?;
    let mut description = module.describe();
    let rewrite = Rewrite::new(module, max_memory_pages)?;
    if let Some(memory) = rewrite.memory_import() {
        // The imported memory's limits, for the host to create it.
        let maximum = memory.maximum.unwrap_or(MAX_PAGES);
        description.pop(); // the closing brace
        description.push_str(&format!(
            ",\"memoryImport\":{{\"initial\":{},\"maximum\":{maximum}}}}}",
            memory.minimum
        ));
    }
    let wasm = rewrite.run(bytes)?;
    Ok(Instrumented { wasm, description })
}

/// Shifts the module's own function indices past the two added function
/// imports (an added memory import moves no function index).
struct Shift {
    imported_funcs: u32,
}

impl Reencode for Shift {
    type Error = Infallible;

    fn function_index(&mut self, func: u32) -> Result<u32, wasm_encoder::reencode::Error> {
        Ok(if func < self.imported_funcs {
            func
        } else {
            func + 2
        })
    }
}

/// Section order of the binary format, as positions.
const TYPE: usize = 0;
const IMPORT: usize = 1;
const FUNCTION: usize = 2;
const MEMORY_SECTION: usize = 4;
const GLOBAL: usize = 6;
const EXPORT: usize = 7;
const ELEMENT: usize = 9;
const CODE: usize = 11;
const END: usize = 13;

struct Rewrite {
    module: Module,
    max_pages: u64,
    shift: Shift,
    out: wasm_encoder::Module,
    emitted: [bool; END],
    // Indices of what the rewrite adds.
    fuel_global: u32,
    out_of_fuel: u32,
    grow_hook: u32,
    void_type: u32,
    hook_type: u32,
    memory_grow_type: u32,
    /// The first table wrapper's type; one type per table follows.
    table_grow_type: u32,
    /// `(i32, i32, i32) -> ()`, the type of the bulk wrappers.
    bulk_type: u32,
    /// The first wrapper function: memories' growth, tables' growth, then
    /// per memory its `memory.fill` and its `memory.copy`.
    first_wrapper: u32,
    /// Whether the module's one defined memory becomes an import.
    import_memory: bool,
}

impl Rewrite {
    fn new(module: Module, max_pages: u64) -> Result<Self, String> {
        if module.wide {
            return Err(String::from(
                "64-bit memories and tables are not supported by the v8 engine",
            ));
        }
        let defined_funcs = module.func_types.len() as u32;
        Ok(Self {
            shift: Shift {
                imported_funcs: module.imported_funcs,
            },
            fuel_global: module.imported_globals + module.defined_globals,
            out_of_fuel: module.imported_funcs,
            grow_hook: module.imported_funcs + 1,
            void_type: module.types,
            hook_type: module.types + 1,
            memory_grow_type: module.types + 2,
            table_grow_type: module.types + 3,
            bulk_type: module.types + 3 + module.tables.len() as u32,
            first_wrapper: module.imported_funcs + 2 + defined_funcs,
            max_pages: max_pages.min(MAX_PAGES),
            import_memory: module.memories.len() == 1
                && module.imported_memories == 0
                && !module.unusual_memory,
            module,
            out: wasm_encoder::Module::new(),
            emitted: [false; END],
        })
    }

    fn run(mut self, bytes: &[u8]) -> Result<Vec<u8>, String> {
        let parser = Parser::new(0);
        for payload in parser.clone().parse_all(bytes) {
            let payload = payload.map_err(|e| e.to_string())?;
            match payload {
                Payload::TypeSection(reader) => self.types(Some(reader))?,
                Payload::ImportSection(reader) => self.imports(Some(reader))?,
                Payload::FunctionSection(reader) => self.functions(Some(reader))?,
                Payload::MemorySection(reader) => self.memories(reader)?,
                Payload::GlobalSection(reader) => self.globals(Some(reader))?,
                Payload::ExportSection(reader) => self.exports(Some(reader))?,
                Payload::ElementSection(reader) => {
                    self.fill(ELEMENT)?;
                    let mut section = wasm_encoder::ElementSection::new();
                    self.shift
                        .parse_element_section(&mut section, reader)
                        .map_err(|e| e.to_string())?;
                    self.out.section(&section);
                    self.emitted[ELEMENT] = true;
                }
                // The start function becomes an export (see `exports`).
                Payload::StartSection { .. } => self.fill(EXPORT + 1)?,
                Payload::CodeSectionStart {
                    unchecked_range: range,
                    ..
                } => {
                    let start = range.start as usize;
                    let end = (range.end as usize).min(bytes.len());
                    let reader = wasmparser::CodeSectionReader::new(
                        parser.binary_reader(&bytes[start..end], range.start),
                    )
                    .map_err(|e| e.to_string())?;
                    self.code(Some(reader))?;
                }
                Payload::CodeSectionEntry(_) | Payload::Version { .. } | Payload::End(_) => {}
                Payload::CustomSection(section) => {
                    // Only the name section is kept (V8 names functions in
                    // traps with it); a broken one is dropped.
                    if let wasmparser::KnownCustom::Name(names) = section.as_known() {
                        if let Ok(names) = self.shift.custom_name_section(names) {
                            self.out.section(&names);
                        }
                    }
                }
                other => {
                    let Some((id, range)) = other.as_section() else {
                        continue;
                    };
                    let position = match id {
                        4 => 3,   // table
                        13 => 5,  // tag
                        12 => 10, // data count
                        11 => 12, // data
                        _ => return Err(format!("unexpected section {id}")),
                    };
                    self.fill(position)?;
                    self.out.section(&RawSection {
                        id,
                        data: &bytes[range.start as usize..range.end as usize],
                    });
                    self.emitted[position] = true;
                }
            }
        }
        self.fill(END)?;
        Ok(self.out.finish())
    }

    /// Emits the sections the rewrite needs that the module lacks, up to
    /// (not including) section position `before`.
    fn fill(&mut self, before: usize) -> Result<(), String> {
        for position in 0..before {
            if self.emitted[position] {
                continue;
            }
            match position {
                TYPE => self.types(None)?,
                IMPORT => self.imports(None)?,
                FUNCTION => self.functions(None)?,
                GLOBAL => self.globals(None)?,
                EXPORT => self.exports(None)?,
                CODE => self.code(None)?,
                _ => {}
            }
            self.emitted[position] = true;
        }
        Ok(())
    }

    fn begin(&mut self, position: usize) -> Result<(), String> {
        self.fill(position)?;
        self.emitted[position] = true;
        Ok(())
    }

    fn types(&mut self, reader: Option<wasmparser::TypeSectionReader<'_>>) -> Result<(), String> {
        self.begin(TYPE)?;
        let mut section = TypeSection::new();
        if let Some(reader) = reader {
            self.shift
                .parse_type_section(&mut section, reader)
                .map_err(|e| e.to_string())?;
        }
        section.ty().function([], []);
        section
            .ty()
            .function([ValType::I32, ValType::I32, ValType::I32], [ValType::I32]);
        section.ty().function([ValType::I32], [ValType::I32]);
        for &(_, element) in &self.module.tables {
            let element = self.shift.ref_type(element).map_err(|e| e.to_string())?;
            section
                .ty()
                .function([ValType::Ref(element), ValType::I32], [ValType::I32]);
        }
        section
            .ty()
            .function([ValType::I32, ValType::I32, ValType::I32], []);
        self.out.section(&section);
        Ok(())
    }

    fn imports(
        &mut self,
        reader: Option<wasmparser::ImportSectionReader<'_>>,
    ) -> Result<(), String> {
        self.begin(IMPORT)?;
        let mut section = ImportSection::new();
        if let Some(reader) = reader {
            self.shift
                .parse_import_section(&mut section, reader)
                .map_err(|e| e.to_string())?;
        }
        section.import(
            IMPORT_MODULE,
            OUT_OF_FUEL,
            EntityType::Function(self.void_type),
        );
        section.import(IMPORT_MODULE, GROW, EntityType::Function(self.hook_type));
        if let Some(memory) = self.memory_import() {
            section.import(IMPORT_MODULE, MEMORY, EntityType::Memory(memory));
        }
        self.out.section(&section);
        Ok(())
    }

    /// The type of the memory the rewritten module imports, if it does: a
    /// plain 32-bit memory (see `import_memory`) with the module's initial
    /// size and its maximum clamped.
    fn memory_import(&self) -> Option<MemoryType> {
        let limits = self.module.memories.first()?;
        self.import_memory.then(|| MemoryType {
            minimum: limits.initial,
            maximum: Some(self.clamp_maximum(limits.initial, limits.maximum)),
            memory64: false,
            shared: false,
            page_size_log2: None,
        })
    }

    /// A memory's maximum in pages, clamped to the rewrite's (a memory
    /// without one gets the rewrite's), never below its `initial` size.
    fn clamp_maximum(&self, initial: u64, maximum: Option<u64>) -> u64 {
        maximum
            .unwrap_or(MAX_PAGES)
            .min(self.max_pages)
            .max(initial)
    }

    fn functions(
        &mut self,
        reader: Option<wasmparser::FunctionSectionReader<'_>>,
    ) -> Result<(), String> {
        self.begin(FUNCTION)?;
        let mut section = FunctionSection::new();
        if let Some(reader) = reader {
            self.shift
                .parse_function_section(&mut section, reader)
                .map_err(|e| e.to_string())?;
        }
        for _ in 0..self.module.memories.len() {
            section.function(self.memory_grow_type);
        }
        for table in 0..self.module.tables.len() as u32 {
            section.function(self.table_grow_type + table);
        }
        for _ in 0..self.module.memories.len() {
            section.function(self.bulk_type);
            section.function(self.bulk_type);
        }
        self.out.section(&section);
        Ok(())
    }

    fn memories(&mut self, reader: wasmparser::MemorySectionReader<'_>) -> Result<(), String> {
        self.begin(MEMORY_SECTION)?;
        if self.import_memory {
            return Ok(()); // imported instead (see `imports`)
        }
        let mut section = MemorySection::new();
        for memory in reader {
            let memory = memory.map_err(|e| e.to_string())?;
            section.memory(MemoryType {
                minimum: memory.initial,
                maximum: Some(self.clamp_maximum(memory.initial, memory.maximum)),
                memory64: memory.memory64,
                shared: memory.shared,
                page_size_log2: memory.page_size_log2,
            });
        }
        self.out.section(&section);
        Ok(())
    }

    fn globals(
        &mut self,
        reader: Option<wasmparser::GlobalSectionReader<'_>>,
    ) -> Result<(), String> {
        self.begin(GLOBAL)?;
        let mut section = GlobalSection::new();
        if let Some(reader) = reader {
            self.shift
                .parse_global_section(&mut section, reader)
                .map_err(|e| e.to_string())?;
        }
        section.global(
            GlobalType {
                val_type: ValType::I64,
                mutable: true,
                shared: false,
            },
            &ConstExpr::i64_const(0),
        );
        self.out.section(&section);
        Ok(())
    }

    fn exports(
        &mut self,
        reader: Option<wasmparser::ExportSectionReader<'_>>,
    ) -> Result<(), String> {
        self.begin(EXPORT)?;
        let mut section = ExportSection::new();
        if let Some(reader) = reader {
            self.shift
                .parse_export_section(&mut section, reader)
                .map_err(|e| e.to_string())?;
        }
        section.export(FUEL_EXPORT, ExportKind::Global, self.fuel_global);
        if let Some(start) = self.module.start {
            let start = self
                .shift
                .function_index(start)
                .map_err(|e| e.to_string())?;
            section.export(START_EXPORT, ExportKind::Func, start);
        }
        self.out.section(&section);
        Ok(())
    }

    fn code(&mut self, reader: Option<wasmparser::CodeSectionReader<'_>>) -> Result<(), String> {
        self.begin(CODE)?;
        let mut section = CodeSection::new();
        if let Some(reader) = reader {
            for (index, body) in reader.into_iter().enumerate() {
                let body = body.map_err(|e| e.to_string())?;
                let function = self.body(index, &body)?;
                section.function(&function);
            }
        }
        for memory in 0..self.module.memories.len() as u32 {
            section.function(&self.memory_grow_wrapper(memory));
        }
        for table in 0..self.module.tables.len() as u32 {
            section.function(&self.table_grow_wrapper(table));
        }
        for memory in 0..self.module.memories.len() as u32 {
            section.function(&self.fill_wrapper(memory));
            section.function(&self.copy_wrapper(memory));
        }
        self.out.section(&section);
        Ok(())
    }

    /// Rewrites one function body.
    fn body(
        &mut self,
        index: usize,
        body: &wasmparser::FunctionBody<'_>,
    ) -> Result<Function, String> {
        let err = |e: wasmparser::BinaryReaderError| e.to_string();
        let mut locals = Vec::new();
        let ty = self
            .module
            .func_types
            .get(index)
            .map(|&ty| ty as usize)
            .ok_or("function without a function type")?;
        let mut local_count = self
            .module
            .params
            .get(ty)
            .copied()
            .flatten()
            .ok_or("function without a function type")?;
        for pair in body.get_locals_reader().map_err(err)? {
            let (count, ty) = pair.map_err(err)?;
            locals.push((count, self.shift.val_type(ty).map_err(|e| e.to_string())?));
            local_count = local_count.saturating_add(count);
        }
        let mut reader = body.get_operators_reader().map_err(err)?;
        let mut ops = Vec::new();
        while !reader.eof() {
            ops.push(reader.read().map_err(err)?);
        }
        let costs = region_costs(&ops);
        let needs_scratch = ops.iter().any(|op| is_bulk(op).is_some());
        // The scratch local holds a bulk operation's length while it is charged.
        let scratch = local_count;
        if needs_scratch {
            locals.push((1, ValType::I32));
            local_count = local_count.saturating_add(1);
        }
        // A function with a loop keeps the counter in a local between
        // checks (see `Counter`), inside a block that every way out of the
        // function passes through, so the local is written back on return.
        let results = self.module.results.get(ty).cloned().flatten();
        let wrap = match results.as_deref() {
            Some([]) if uses_local_counter(&ops) => Some(BlockType::Empty),
            Some(&[result]) if uses_local_counter(&ops) => Some(BlockType::Result(
                self.shift.val_type(result).map_err(|e| e.to_string())?,
            )),
            _ => None,
        };
        let counter = if wrap.is_some() {
            locals.push((1, ValType::I64));
            Counter::Local(local_count)
        } else {
            Counter::Global
        };
        let mut f = Function::new(locals);
        self.reload(&mut f, counter);
        self.charge(&mut f, counter, costs[0]);
        if let Some(blockty) = wrap {
            f.instruction(&Instruction::Block(blockty));
        }
        // With a local counter, a loop that runs out of fuel leaves itself
        // through a branch and calls the host outside (see `exit_loop`):
        // V8 optimizes (unrolls) only loops without calls.
        let exits = wrap.is_some() && !ops.iter().any(is_cast_branch);
        // Per open block, loop and `if`: the cost of a loop that exits, 0
        // for the rest (an exiting loop adds 3 labels around itself).
        let mut frames: Vec<u64> = Vec::new();
        let mut region = 0;
        let last = ops.len().saturating_sub(1);
        for (at, op) in ops.into_iter().enumerate() {
            match op {
                Operator::Loop { blockty } => {
                    let blockty = self.shift.block_type(blockty).map_err(|e| e.to_string())?;
                    region += 1;
                    let cost = costs[region];
                    if exits && cost > 0 && !matches!(blockty, BlockType::FunctionType(_)) {
                        f.instruction(&Instruction::Block(blockty));
                        f.instruction(&Instruction::Loop(BlockType::Empty));
                        f.instruction(&Instruction::Block(BlockType::Empty));
                        f.instruction(&Instruction::Loop(blockty));
                        self.get(&mut f, counter);
                        f.instruction(&Instruction::I64Const(cost as i64));
                        f.instruction(&Instruction::I64Sub);
                        self.set(&mut f, counter, true);
                        f.instruction(&Instruction::I64Const(0));
                        f.instruction(&Instruction::I64LtS);
                        f.instruction(&Instruction::BrIf(1));
                        frames.push(cost);
                    } else {
                        f.instruction(&Instruction::Loop(blockty));
                        self.charge(&mut f, counter, cost);
                        frames.push(0);
                    }
                }
                Operator::Block { .. } | Operator::If { .. } if exits => {
                    frames.push(0);
                    let instruction = self.shift.instruction(op).map_err(|e| e.to_string())?;
                    f.instruction(&instruction);
                }
                Operator::End if exits && at != last => {
                    f.instruction(&Instruction::End);
                    let cost = frames.pop().unwrap_or(0);
                    if cost > 0 {
                        self.exit_loop(&mut f, counter, cost);
                    }
                }
                Operator::Br { relative_depth } if exits => {
                    f.instruction(&Instruction::Br(relabel(&frames, relative_depth)));
                }
                Operator::BrIf { relative_depth } if exits => {
                    f.instruction(&Instruction::BrIf(relabel(&frames, relative_depth)));
                }
                Operator::BrTable { targets } if exits => {
                    let labels = targets
                        .targets()
                        .map(|t| t.map(|t| relabel(&frames, t)))
                        .collect::<Result<Vec<u32>, _>>()
                        .map_err(err)?;
                    let default = relabel(&frames, targets.default());
                    f.instruction(&Instruction::BrTable(labels.into(), default));
                }
                Operator::MemoryGrow { mem } => {
                    self.sync(&mut f, counter);
                    f.instruction(&Instruction::Call(self.first_wrapper + mem));
                    self.reload(&mut f, counter);
                }
                Operator::TableGrow { table } => {
                    let wrapper = self.first_wrapper + self.module.memories.len() as u32 + table;
                    self.sync(&mut f, counter);
                    f.instruction(&Instruction::Call(wrapper));
                    self.reload(&mut f, counter);
                }
                // A fill or copy within one memory runs in chunks, each
                // charged before it runs (see `fill_wrapper`).
                Operator::MemoryFill { mem } => {
                    self.sync(&mut f, counter);
                    f.instruction(&Instruction::Call(self.bulk_wrapper(mem, false)));
                    self.reload(&mut f, counter);
                }
                Operator::MemoryCopy { dst_mem, src_mem } if dst_mem == src_mem => {
                    self.sync(&mut f, counter);
                    f.instruction(&Instruction::Call(self.bulk_wrapper(dst_mem, true)));
                    self.reload(&mut f, counter);
                }
                Operator::End if at == last && wrap.is_some() => {
                    f.instruction(&Instruction::End);
                    self.sync(&mut f, counter);
                    f.instruction(&Instruction::End);
                }
                Operator::Call { .. }
                | Operator::CallIndirect { .. }
                | Operator::CallRef { .. } => {
                    self.sync(&mut f, counter);
                    let instruction = self.shift.instruction(op).map_err(|e| e.to_string())?;
                    f.instruction(&instruction);
                    self.reload(&mut f, counter);
                }
                Operator::Return
                | Operator::ReturnCall { .. }
                | Operator::ReturnCallIndirect { .. }
                | Operator::ReturnCallRef { .. }
                | Operator::Unreachable => {
                    self.sync(&mut f, counter);
                    let instruction = self.shift.instruction(op).map_err(|e| e.to_string())?;
                    f.instruction(&instruction);
                }
                op => {
                    if let Some(shift) = is_bulk(&op) {
                        f.instruction(&Instruction::LocalTee(scratch));
                        self.charge_dynamic(&mut f, counter, scratch, shift, 0);
                    }
                    let instruction = self.shift.instruction(op).map_err(|e| e.to_string())?;
                    f.instruction(&instruction);
                }
            }
        }
        Ok(f)
    }

    /// Pushes the counter's value.
    fn get(&self, f: &mut Function, counter: Counter) {
        f.instruction(&match counter {
            Counter::Global => Instruction::GlobalGet(self.fuel_global),
            Counter::Local(local) => Instruction::LocalGet(local),
        });
    }

    /// Pops a new counter value into the counter (`tee`: and leaves it).
    fn set(&self, f: &mut Function, counter: Counter, tee: bool) {
        match (counter, tee) {
            (Counter::Global, false) => f.instruction(&Instruction::GlobalSet(self.fuel_global)),
            (Counter::Global, true) => {
                f.instruction(&Instruction::GlobalSet(self.fuel_global));
                f.instruction(&Instruction::GlobalGet(self.fuel_global))
            }
            (Counter::Local(local), false) => f.instruction(&Instruction::LocalSet(local)),
            (Counter::Local(local), true) => f.instruction(&Instruction::LocalTee(local)),
        };
    }

    /// Closes the labels around an exiting loop (just ended):
    ///
    /// ```text
    /// block $done (type)         ;; the loop's type
    ///   loop $retry
    ///     block $spent
    ///       loop (type)          ;; the original loop
    ///         charge; br_if $spent (if the counter < 0)
    ///         ...
    ///       end
    ///       br $done
    ///     end
    ///     out_of_fuel; refund the charge; br $retry
    ///   end
    ///   unreachable
    /// end
    /// ```
    ///
    /// The header charges again after the refund, so the counter ends as if
    /// the host had been called inside the loop.
    fn exit_loop(&self, f: &mut Function, counter: Counter, cost: u64) {
        f.instruction(&Instruction::Br(2));
        f.instruction(&Instruction::End);
        self.sync(f, counter);
        f.instruction(&Instruction::Call(self.out_of_fuel));
        self.reload(f, counter);
        self.get(f, counter);
        f.instruction(&Instruction::I64Const(cost as i64));
        f.instruction(&Instruction::I64Add);
        self.set(f, counter, false);
        f.instruction(&Instruction::Br(0));
        f.instruction(&Instruction::End);
        f.instruction(&Instruction::Unreachable);
        f.instruction(&Instruction::End);
    }

    /// Writes a local counter back to the global, where callees, the host
    /// and the out-of-fuel import see it.
    fn sync(&self, f: &mut Function, counter: Counter) {
        if let Counter::Local(local) = counter {
            f.instruction(&Instruction::LocalGet(local));
            f.instruction(&Instruction::GlobalSet(self.fuel_global));
        }
    }

    /// Reads the global into a local counter (after anything that may have
    /// charged or refilled it).
    fn reload(&self, f: &mut Function, counter: Counter) {
        if let Counter::Local(local) = counter {
            f.instruction(&Instruction::GlobalGet(self.fuel_global));
            f.instruction(&Instruction::LocalSet(local));
        }
    }

    /// Charges `cost` and calls the host if the counter went negative.
    fn charge(&self, f: &mut Function, counter: Counter, cost: u64) {
        if cost == 0 {
            return;
        }
        self.get(f, counter);
        f.instruction(&Instruction::I64Const(cost as i64));
        f.instruction(&Instruction::I64Sub);
        self.settle(f, counter);
    }

    /// Charges `base + (local >> shift)` (local: an unsigned i32).
    fn charge_dynamic(
        &self,
        f: &mut Function,
        counter: Counter,
        local: u32,
        shift: i64,
        base: i64,
    ) {
        self.get(f, counter);
        f.instruction(&Instruction::LocalGet(local));
        f.instruction(&Instruction::I64ExtendI32U);
        f.instruction(&Instruction::I64Const(shift.abs()));
        f.instruction(if shift >= 0 {
            &Instruction::I64ShrU
        } else {
            &Instruction::I64Shl
        });
        f.instruction(&Instruction::I64Sub);
        if base != 0 {
            f.instruction(&Instruction::I64Const(base));
            f.instruction(&Instruction::I64Sub);
        }
        self.settle(f, counter);
    }

    /// Stores the charged counter on top of the stack and calls the host if
    /// it is negative.
    fn settle(&self, f: &mut Function, counter: Counter) {
        match counter {
            Counter::Global => {
                f.instruction(&Instruction::GlobalSet(self.fuel_global));
                f.instruction(&Instruction::GlobalGet(self.fuel_global));
            }
            Counter::Local(local) => {
                f.instruction(&Instruction::LocalTee(local));
            }
        }
        f.instruction(&Instruction::I64Const(0));
        f.instruction(&Instruction::I64LtS);
        f.instruction(&Instruction::If(BlockType::Empty));
        self.sync(f, counter);
        f.instruction(&Instruction::Call(self.out_of_fuel));
        self.reload(f, counter);
        f.instruction(&Instruction::End);
    }

    /// `(delta) -> old size or -1`: charges a unit per 64 bytes, asks the
    /// host, grows.
    fn memory_grow_wrapper(&self, memory: u32) -> Function {
        let mut f = Function::new([]);
        self.charge_dynamic(&mut f, Counter::Global, 0, -PAGE_FUEL_SHIFT, 1);
        f.instruction(&Instruction::I32Const(-1 - memory as i32));
        f.instruction(&Instruction::MemorySize(memory));
        f.instruction(&Instruction::LocalGet(0));
        f.instruction(&Instruction::Call(self.grow_hook));
        f.instruction(&Instruction::If(BlockType::Result(ValType::I32)));
        f.instruction(&Instruction::LocalGet(0));
        f.instruction(&Instruction::MemoryGrow(memory));
        f.instruction(&Instruction::Else);
        f.instruction(&Instruction::I32Const(-1));
        f.instruction(&Instruction::End);
        f.instruction(&Instruction::End);
        f
    }

    /// The wrapper of `memory.fill` (or `memory.copy`) on `memory`.
    fn bulk_wrapper(&self, memory: u32, copy: bool) -> u32 {
        let tables = self.module.tables.len() as u32;
        let memories = self.module.memories.len() as u32;
        self.first_wrapper + memories + tables + 2 * memory + u32::from(copy)
    }

    /// `(dst, value, len)`: `memory.fill` in chunks of [`BULK_CHUNK`]
    /// bytes, each charged before it is written, so that filling a large
    /// memory (whose pages the system faults in as they are first
    /// touched) takes many short slices instead of one long one. The
    /// charges add up to what one `memory.fill` is charged. Out of bounds,
    /// it is charged in full and traps before writing, as `memory.fill`.
    fn fill_wrapper(&self, memory: u32) -> Function {
        let mut f = Function::new([]);
        self.bulk_bounds(&mut f, memory, &[0]);
        f.instruction(&Instruction::If(BlockType::Empty));
        self.bulk_rest(&mut f, memory, false);
        f.instruction(&Instruction::Return);
        f.instruction(&Instruction::End);
        self.bulk_chunks(&mut f, memory, false, true);
        self.bulk_rest(&mut f, memory, false);
        f.instruction(&Instruction::End);
        f
    }

    /// `(dst, src, len)`: `memory.copy` in chunks, as [`Self::fill_wrapper`];
    /// forwards when `dst <= src`, else backwards from the end, so that an
    /// overlapping copy reads every byte before it is overwritten.
    fn copy_wrapper(&self, memory: u32) -> Function {
        let mut f = Function::new([]);
        self.bulk_bounds(&mut f, memory, &[0, 1]);
        f.instruction(&Instruction::If(BlockType::Empty));
        self.bulk_rest(&mut f, memory, true);
        f.instruction(&Instruction::Return);
        f.instruction(&Instruction::End);
        f.instruction(&Instruction::LocalGet(0));
        f.instruction(&Instruction::LocalGet(1));
        f.instruction(&Instruction::I32LeU);
        f.instruction(&Instruction::If(BlockType::Empty));
        self.bulk_chunks(&mut f, memory, true, true);
        f.instruction(&Instruction::Else);
        self.bulk_chunks(&mut f, memory, true, false);
        f.instruction(&Instruction::End);
        self.bulk_rest(&mut f, memory, true);
        f.instruction(&Instruction::End);
        f
    }

    /// Pushes whether `local + len` (local 2) passes the end of `memory`
    /// for any of `locals`.
    fn bulk_bounds(&self, f: &mut Function, memory: u32, locals: &[u32]) {
        for (i, &local) in locals.iter().enumerate() {
            f.instruction(&Instruction::LocalGet(local));
            f.instruction(&Instruction::I64ExtendI32U);
            f.instruction(&Instruction::LocalGet(2));
            f.instruction(&Instruction::I64ExtendI32U);
            f.instruction(&Instruction::I64Add);
            f.instruction(&Instruction::MemorySize(memory));
            f.instruction(&Instruction::I64ExtendI32U);
            f.instruction(&Instruction::I64Const(16));
            f.instruction(&Instruction::I64Shl);
            f.instruction(&Instruction::I64GtU);
            if i > 0 {
                f.instruction(&Instruction::I32Or);
            }
        }
    }

    /// While more than a chunk is left: charge a chunk, write it (from the
    /// start if `forwards`, else from the end), and step past it.
    fn bulk_chunks(&self, f: &mut Function, memory: u32, copy: bool, forwards: bool) {
        let chunk = BULK_CHUNK as i32;
        f.instruction(&Instruction::Block(BlockType::Empty));
        f.instruction(&Instruction::Loop(BlockType::Empty));
        f.instruction(&Instruction::LocalGet(2));
        f.instruction(&Instruction::I32Const(chunk));
        f.instruction(&Instruction::I32LeU);
        f.instruction(&Instruction::BrIf(1));
        f.instruction(&Instruction::LocalGet(2));
        f.instruction(&Instruction::I32Const(chunk));
        f.instruction(&Instruction::I32Sub);
        f.instruction(&Instruction::LocalSet(2));
        self.charge(f, Counter::Global, BULK_CHUNK >> BYTES_PER_FUEL_SHIFT);
        // Where the chunk starts: the first `len` bytes' end, or their start.
        let at = |f: &mut Function, local: u32| {
            f.instruction(&Instruction::LocalGet(local));
            if !forwards {
                f.instruction(&Instruction::LocalGet(2));
                f.instruction(&Instruction::I32Add);
            }
        };
        at(f, 0);
        if copy {
            at(f, 1);
        } else {
            f.instruction(&Instruction::LocalGet(1));
        }
        f.instruction(&Instruction::I32Const(chunk));
        f.instruction(&Self::bulk_op(memory, copy));
        if forwards {
            for local in if copy { &[0, 1][..] } else { &[0][..] } {
                f.instruction(&Instruction::LocalGet(*local));
                f.instruction(&Instruction::I32Const(chunk));
                f.instruction(&Instruction::I32Add);
                f.instruction(&Instruction::LocalSet(*local));
            }
        }
        f.instruction(&Instruction::Br(0));
        f.instruction(&Instruction::End);
        f.instruction(&Instruction::End);
    }

    /// Charges what is left (local 2) and writes it from locals 0 and 1.
    fn bulk_rest(&self, f: &mut Function, memory: u32, copy: bool) {
        self.charge_dynamic(f, Counter::Global, 2, BYTES_PER_FUEL_SHIFT, 0);
        f.instruction(&Instruction::LocalGet(0));
        f.instruction(&Instruction::LocalGet(1));
        f.instruction(&Instruction::LocalGet(2));
        f.instruction(&Self::bulk_op(memory, copy));
    }

    fn bulk_op(memory: u32, copy: bool) -> Instruction<'static> {
        if copy {
            Instruction::MemoryCopy {
                dst_mem: memory,
                src_mem: memory,
            }
        } else {
            Instruction::MemoryFill(memory)
        }
    }

    /// `(init, delta) -> old size or -1`, as for memories.
    fn table_grow_wrapper(&self, table: u32) -> Function {
        let mut f = Function::new([]);
        self.charge_dynamic(&mut f, Counter::Global, 1, -FUEL_PER_GROWN_ENTRY_SHIFT, 1);
        f.instruction(&Instruction::I32Const(table as i32));
        f.instruction(&Instruction::TableSize(table));
        f.instruction(&Instruction::LocalGet(1));
        f.instruction(&Instruction::Call(self.grow_hook));
        f.instruction(&Instruction::If(BlockType::Result(ValType::I32)));
        f.instruction(&Instruction::LocalGet(0));
        f.instruction(&Instruction::LocalGet(1));
        f.instruction(&Instruction::TableGrow(table));
        f.instruction(&Instruction::Else);
        f.instruction(&Instruction::I32Const(-1));
        f.instruction(&Instruction::End);
        f.instruction(&Instruction::End);
        f
    }
}

/// Where a function body keeps the fuel counter between checks.
#[derive(Clone, Copy)]
enum Counter {
    /// In the global: every charge loads and stores it.
    Global,
    /// In this local, loaded from the global at entry and after every call,
    /// written back before every call, return and trap instruction and
    /// before the out-of-fuel import (so callees and the host see exactly
    /// what the global alone would hold). A trap the engine raises (an
    /// out-of-bounds access, a division by zero) leaves the global without
    /// the charges since the function's last write-back.
    Local(u32),
}

/// Whether a body gains from a local counter: it has a loop (so it charges
/// often between calls), and no exception handling (an exception caught
/// would land with a stale local).
fn uses_local_counter(ops: &[Operator<'_>]) -> bool {
    ops.iter().any(|op| matches!(op, Operator::Loop { .. }))
        && !ops.iter().any(|op| {
            matches!(
                op,
                Operator::Try { .. }
                    | Operator::TryTable { .. }
                    | Operator::Catch { .. }
                    | Operator::CatchAll
                    | Operator::Delegate { .. }
                    | Operator::Throw { .. }
                    | Operator::ThrowRef
                    | Operator::Rethrow { .. }
            )
        })
}

/// A branch on a reference cast or null test (left without exiting loops).
fn is_cast_branch(op: &Operator<'_>) -> bool {
    matches!(
        op,
        Operator::BrOnNull { .. }
            | Operator::BrOnNonNull { .. }
            | Operator::BrOnCast { .. }
            | Operator::BrOnCastFail { .. }
    )
}

/// A branch's depth once the labels around exiting loops are counted: a
/// branch out of an exiting loop crosses its three extra labels.
fn relabel(frames: &[u64], depth: u32) -> u32 {
    let crossed = frames.len().saturating_sub(depth as usize);
    let extra = frames[crossed..].iter().filter(|&&cost| cost > 0).count() as u32;
    depth + 3 * extra
}

/// The size shift of a bulk operation whose length is on top of the stack.
fn is_bulk(op: &Operator<'_>) -> Option<i64> {
    match op {
        Operator::MemoryFill { .. } | Operator::MemoryCopy { .. } | Operator::MemoryInit { .. } => {
            Some(BYTES_PER_FUEL_SHIFT)
        }
        Operator::TableFill { .. } | Operator::TableCopy { .. } | Operator::TableInit { .. } => {
            Some(ENTRIES_PER_FUEL_SHIFT)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::Limits;
    use wasmi::{Caller, Engine, Extern, Linker, Memory, Store, Val};

    /// What the host saw: out-of-fuel calls and growth requests.
    #[derive(Default)]
    struct Host {
        refills: u32,
        /// Fuel given per refill.
        slice: i64,
        /// Total fuel charged (given minus left).
        given: i64,
        grows: Vec<(i32, i32, i32)>,
        allow_grow: bool,
    }

    fn fuel(caller: &Caller<'_, Host>) -> wasmi::Global {
        caller
            .get_export(FUEL_EXPORT)
            .and_then(Extern::into_global)
            .unwrap()
    }

    /// Runs `export` of the instrumented `wat` with slices of `slice` fuel;
    /// returns the host's record and the fuel used.
    fn run(wat: &str, export: &str, slice: i64) -> (Host, i64, Vec<Val>) {
        // Wasmi's debug build needs more stack than a test thread has.
        let (wat, export) = (wat.to_owned(), export.to_owned());
        std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn(move || run_on_this_thread(&wat, &export, slice))
            .unwrap()
            .join()
            .unwrap()
    }

    fn run_on_this_thread(wat: &str, export: &str, slice: i64) -> (Host, i64, Vec<Val>) {
        let bytes = wat::parse_str(wat).unwrap();
        let out = instrument(&bytes, 4).unwrap();
        wasmparser::Validator::new()
            .validate_all(&out.wasm)
            .unwrap();
        let engine = Engine::default();
        let module = wasmi::Module::new(&engine, &out.wasm).unwrap();
        let host = Host {
            slice,
            given: slice,
            allow_grow: true,
            ..Host::default()
        };
        let mut store = Store::new(&engine, host);
        let mut linker = Linker::<Host>::new(&engine);
        linker
            .func_wrap(
                IMPORT_MODULE,
                OUT_OF_FUEL,
                |mut caller: Caller<'_, Host>| {
                    let global = fuel(&caller);
                    let slice = caller.data().slice;
                    let left = global.get(&caller).i64().unwrap();
                    global.set(&mut caller, Val::I64(left + slice)).unwrap();
                    caller.data_mut().refills += 1;
                    caller.data_mut().given += slice;
                },
            )
            .unwrap();
        linker
            .func_wrap(
                IMPORT_MODULE,
                GROW,
                |mut caller: Caller<'_, Host>, target: i32, current: i32, delta: i32| -> i32 {
                    caller.data_mut().grows.push((target, current, delta));
                    i32::from(caller.data().allow_grow)
                },
            )
            .unwrap();
        for import in module.imports() {
            if let wasmi::ExternType::Memory(ty) = import.ty() {
                assert_eq!((import.module(), import.name()), (IMPORT_MODULE, MEMORY));
                let memory = Memory::new(&mut store, *ty).unwrap();
                linker.define(IMPORT_MODULE, MEMORY, memory).unwrap();
            }
        }
        let instance = linker.instantiate_and_start(&mut store, &module).unwrap();
        let global = instance.get_global(&store, FUEL_EXPORT).unwrap();
        global.set(&mut store, Val::I64(slice)).unwrap();
        if let Some(start) = instance.get_func(&store, START_EXPORT) {
            start.call(&mut store, &[], &mut []).unwrap();
        }
        let func = instance.get_func(&store, export).unwrap();
        let mut results = vec![Val::I32(0); func.ty(&store).results().len()];
        func.call(&mut store, &[], &mut results).unwrap();
        let left = global.get(&store).i64().unwrap();
        let used = store.data().given - left;
        (std::mem::take(store.data_mut()), used, results)
    }

    const COUNT_DOWN: &str = r#"(module
      (func (export "run") (result i32) (local $i i32)
        (local.set $i (i32.const 1000))
        (loop $l
          (local.set $i (i32.sub (local.get $i) (i32.const 1)))
          (br_if $l (local.get $i)))
        (local.get $i)))"#;

    #[test]
    fn a_loop_is_charged_per_iteration_and_calls_the_host_when_fuel_runs_out() {
        let (host, used, results) = run(COUNT_DOWN, "run", 300);
        // 1000 iterations of sub + br_if.
        assert_eq!(used, 2000);
        assert_eq!(host.refills, 6);
        assert_eq!(results[0].i32(), Some(0));
    }

    #[test]
    fn branches_out_of_nested_loops_land_where_they_did_whatever_the_slice() {
        let wat = r#"(module
          (func (export "run") (result i32) (local $i i32) (local $j i32) (local $sum i32)
            (block $out
              (loop $outer
                (local.set $j (i32.const 0))
                (loop $inner
                  (local.set $sum (i32.add (local.get $sum) (i32.const 1)))
                  (br_if $out (i32.eq (local.get $sum) (i32.const 333)))
                  (local.set $j (i32.add (local.get $j) (i32.const 1)))
                  (br_if $inner (i32.lt_u (local.get $j) (i32.const 10))))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br_table $outer $out (i32.ge_u (local.get $i) (i32.const 50)))))
            (local.get $sum)))"#;
        let (few, used_few, results_few) = run(wat, "run", 7);
        let (many, used_many, results_many) = run(wat, "run", 1 << 20);
        assert_eq!(results_few[0].i32(), Some(333));
        assert_eq!(results_many[0].i32(), Some(333));
        assert_eq!(used_few, used_many);
        assert!(few.refills > 100 && many.refills == 0);
    }

    #[test]
    fn fuel_counts_are_deterministic() {
        let a = run(COUNT_DOWN, "run", 77);
        let b = run(COUNT_DOWN, "run", 77);
        assert_eq!((a.0.refills, a.1), (b.0.refills, b.1));
    }

    #[test]
    fn bulk_memory_is_charged_by_length() {
        let (_, used, _) = run(
            r#"(module (memory 1)
              (func (export "run")
                (memory.fill (i32.const 0) (i32.const 7) (i32.const 64000))))"#,
            "run",
            1 << 20,
        );
        // memory.fill itself, plus a unit per byte.
        assert_eq!(used, 1 + 64000);
    }

    /// Memory 0..4 pages: bytes 0..100,000 hold 1, 100,000..200,000 hold 2,
    /// then `op` runs; returns the bytes at `at` as decimal digits.
    fn after_bulk(op: &str, at: [i32; 4], slice: i64) -> (Host, i64, i32) {
        let probe: String = at
            .iter()
            .map(|a| format!("(i32.mul (local.get 0) (i32.const 10)) (i32.load8_u (i32.const {a})) i32.add local.set 0 "))
            .collect();
        let wat = format!(
            r#"(module (memory 4)
              (func (export "run") (result i32) (local i32)
                (memory.fill (i32.const 0) (i32.const 1) (i32.const 100000))
                (memory.fill (i32.const 100000) (i32.const 2) (i32.const 100000))
                {op}
                {probe}
                (local.get 0)))"#
        );
        let (host, used, results) = run(&wat, "run", slice);
        (host, used, results[0].i32().unwrap())
    }

    #[test]
    fn a_large_fill_runs_in_chunks_each_charged_before_it_runs() {
        let fill = "(memory.fill (i32.const 10) (i32.const 3) (i32.const 200000))";
        let (few, used_few, digits) = after_bulk(fill, [9, 10, 200009, 200010], 70_000);
        let (many, used_many, _) = after_bulk(fill, [9, 10, 200009, 200010], 1 << 30);
        assert_eq!(digits, 1330);
        // Charged as one operation would be, whatever the slices; a slice
        // of 70,000 ends between the chunks of 65,536 bytes.
        assert_eq!(used_few, used_many);
        assert_eq!(few.refills, 5);
        assert_eq!(many.refills, 0);
    }

    #[test]
    fn an_overlapping_copy_moves_every_byte_as_memory_copy_does() {
        // Backwards (dst > src): dst 50,000.. gets what was at 0..
        let up = "(memory.copy (i32.const 50000) (i32.const 0) (i32.const 200000))";
        let (_, _, digits) = after_bulk(up, [49999, 149999, 150000, 249999], 70_000);
        assert_eq!(digits, 1122);
        // Forwards (dst < src): 0.. gets what was at 50,000..
        let down = "(memory.copy (i32.const 0) (i32.const 50000) (i32.const 200000))";
        let (few, used_few, digits) = after_bulk(down, [49999, 50000, 149999, 150000], 70_000);
        assert_eq!(digits, 1220);
        let (_, used_many, _) = after_bulk(down, [49999, 50000, 149999, 150000], 1 << 30);
        assert_eq!(used_few, used_many);
        assert!(few.refills >= 5);
    }

    #[test]
    fn memory_grow_asks_the_host_and_is_charged_per_page() {
        let (host, used, results) = run(
            r#"(module (memory 1)
              (func (export "run") (result i32) (memory.grow (i32.const 2))))"#,
            "run",
            1 << 20,
        );
        assert_eq!(host.grows, [(-1, 1, 2)]);
        assert_eq!(results[0].i32(), Some(1));
        // The call, then 1 + a unit per byte of the 2 pages.
        assert_eq!(used, 1 + 1 + 2 * 65536);
    }

    #[test]
    fn the_memory_maximum_is_clamped_but_never_below_the_initial_size() {
        let clamp = |wat: &str, pages: u64| {
            let out = instrument(&wat::parse_str(wat).unwrap(), pages).unwrap();
            let module = Module::scan(&out.wasm).unwrap();
            module.memories[0]
        };
        assert_eq!(clamp("(module (memory 2))", 4).maximum, Some(4));
        assert_eq!(clamp("(module (memory 2 3))", 4).maximum, Some(3));
        assert_eq!(clamp("(module (memory 8))", 4).maximum, Some(8));
        // A memory the module keeps defining (a shared one) is clamped too.
        assert_eq!(clamp("(module (memory 2 8 shared))", 4).maximum, Some(4));
        assert_eq!(clamp("(module (memory 8 9 shared))", 4).maximum, Some(8));
    }

    #[test]
    fn a_module_s_one_defined_memory_becomes_an_import_with_the_same_limits() {
        let rewrite = |wat: &str| {
            let out = instrument(&wat::parse_str(wat).unwrap(), 4).unwrap();
            let module = Module::scan(&out.wasm).unwrap();
            (module.imported_memories, module.memories)
        };
        let initial = |initial| Limits {
            initial,
            maximum: Some(4),
        };
        assert_eq!(rewrite("(module (memory 2))"), (1, vec![initial(2)]));
        let described = instrument(&wat::parse_str("(module (memory 2 3))").unwrap(), 4).unwrap();
        assert!(described
            .description
            .ends_with(r#""memoryImport":{"initial":2,"maximum":3}}"#));
        // Data segments still land in it, and it is still memory 0.
        let (_, _, results) = run(
            r#"(module (memory 1) (data (i32.const 8) "*")
              (func (export "run") (result i32) (i32.load8_u (i32.const 8))))"#,
            "run",
            1000,
        );
        assert_eq!(results[0].i32(), Some(42));
        // A module without memory, or with several, keeps its own.
        assert_eq!(rewrite("(module)"), (0, vec![]));
        let shared = "(module (memory 1 2 shared))";
        assert_eq!(rewrite(shared).0, 0);
    }

    #[test]
    fn the_start_function_becomes_an_export_and_indices_move_with_the_imports() {
        let (_, _, results) = run(
            r#"(module
              (import "env" "f" (func $f))
              (global $g (mut i32) (i32.const 0))
              (table 2 funcref)
              (elem (i32.const 0) $set $get)
              (type $t (func (result i32)))
              (func $set (type $t) (global.set $g (i32.const 42)) (i32.const 0))
              (func $get (type $t) (global.get $g))
              (func $init (drop (call_indirect (type $t) (i32.const 0))))
              (start $init)
              (func (export "run") (result i32) (call_indirect (type $t) (i32.const 1))))"#
                .replace(r#"(import "env" "f" (func $f))"#, "")
                .as_str(),
            "run",
            1000,
        );
        assert_eq!(results[0].i32(), Some(42));
    }

    #[test]
    fn invalid_modules_are_rejected_with_the_validator_message() {
        let error = instrument(b"\0asm\x01\0\0\0\x01", 1).err().unwrap();
        assert!(error.contains("unexpected end"), "{error}");
    }

    #[test]
    fn the_project_test_plugin_is_rewritten_into_a_valid_module() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../testdata/test_plugin.wasm"
        );
        let bytes = std::fs::read(path).unwrap();
        let out = instrument(&bytes, 512).unwrap();
        wasmparser::Validator::new()
            .validate_all(&out.wasm)
            .unwrap();
        assert!(out.description.contains("\"name\":\"_start\""));
    }
}
