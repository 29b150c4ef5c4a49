//! A guest: one instance of a module in its own store, run in fuel slices.

use crate::host::{self, Answer};
use crate::limits::{MAX_TABLE_ENTRIES, TABLE_ENTRY_BYTES};
use crate::start::START_EXPORT;
use std::fmt;
use wasmi::{
    CompilationMode, Config, CustomFuelCosts, Engine, Error, Extern, ExternType, Func, Instance,
    Memory, Module, ResourceLimiter, ResumableCall, ResumableCallHostTrap, ResumableCallOutOfFuel,
    Store, Val, ValType,
};
use wasmi_core::{LimiterError, MemoryError, TableError};

/// The only import module whose functions guests may import.
pub const WASI_MODULE: &str = "wasi_snapshot_preview1";

/// Most parameters or results an import may have.
const MAX_VALUES: usize = 16;

/// How a call into a guest (`guest_new`, `guest_run`) ended.
#[repr(u32)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunStatus {
    /// `_start` returned.
    Finished = 0,
    /// The fuel slice is used up; run again to continue.
    OutOfFuel = 1,
    /// A host call asked to suspend; run again with its results to continue.
    Suspended = 2,
    /// The guest trapped (the message says why).
    Trap = 3,
    /// The guest tried to grow its memory past its limit.
    MemoryLimit = 4,
    /// The engine was misused (unknown handle, finished guest).
    Error = 5,
    /// The module cannot be linked (unsupported import, no `_start`).
    Link = 6,
}

/// The result of one [`Guest::run`].
pub struct Step {
    pub status: RunStatus,
    pub fuel_consumed: u64,
    pub fuel_required: u64,
    pub message: Option<String>,
}

/// Creates the engine every module and guest shares.
pub fn new_engine() -> Engine {
    let mut config = Config::default();
    // Compiling a module parses and checks its sections only; each
    // function body is validated and translated when first called, so that
    // compiling a large module does not hold the host's event loop. (The
    // host has the platform validate the bodies off its main thread first,
    // see src/executor/guest_module.ts.) Translation is not charged fuel:
    // running out of fuel while translating a callee cannot be resumed in
    // Wasmi 2.0 (wasmi-labs/wasmi#2032), and eager translation was never
    // charged either.
    // The proposals this engine runs are those of the wasmi column of the
    // host's feature table (src/executor/features.ts), which refuses the
    // others before Wasmi sees a module: Wasmi 2.0's defaults, less
    // multi-memory (refused on both engines: no wasm32-wasip1 toolchain
    // emits it, and the V8 engine has no tests of it under its limits).
    config
        .wasm_multi_memory(false)
        .consume_fuel(true)
        .compilation_mode(CompilationMode::Lazy)
        .fuel_cost(CustomFuelCosts {
            bytes_copied_per_fuel: 64,
            fuel_per_bytes_translated: 0,
            fuel_per_bytes_validated: 0,
        });
    Engine::new(&config)
}

/// The host error a forwarded import returns to suspend the guest.
#[derive(Debug)]
struct Suspend;

impl fmt::Display for Suspend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("guest suspended by a host call")
    }
}

impl wasmi::errors::HostError for Suspend {}

/// Caps what a guest makes the engine allocate (linear memory and tables,
/// together) and remembers whether the cap was hit.
struct Limiter {
    /// The guest, as the host knows it.
    id: u32,
    max_memory: u64,
    /// Bytes of linear memory and tables granted to the guest.
    held: u64,
    /// The last grant, until the growth it was for has happened.
    pending: u64,
    hit: bool,
    /// A growth failed because the engine's own memory is exhausted.
    exhausted: bool,
}

impl Limiter {
    /// Grants `more` bytes if the guest's own cap and the host's shared
    /// budget both allow them.
    fn grow(&mut self, more: u64) -> Result<bool, LimiterError> {
        match self.held.checked_add(more) {
            Some(held)
                if held <= self.max_memory && (more == 0 || host::may_grow(self.id, more)) =>
            {
                self.held = held;
                self.pending = more;
                Ok(true)
            }
            _ => {
                self.hit = true;
                Err(LimiterError::ResourceLimiterDeniedAllocation)
            }
        }
    }

    /// Takes back the last grant: its growth did not happen (out of fuel,
    /// to be retried after a refill, or out of engine memory).
    fn failed(&mut self) {
        self.held -= self.pending;
        host::release(self.id, self.pending);
        self.pending = 0;
    }
}

impl ResourceLimiter for Limiter {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> Result<bool, LimiterError> {
        self.grow(desired.saturating_sub(current) as u64)
    }

    fn memory_grow_failed(&mut self, error: &MemoryError) -> Result<(), LimiterError> {
        self.failed();
        if matches!(error, MemoryError::OutOfSystemMemory) {
            // memory.grow answers -1; if the guest then traps, say why.
            self.hit = true;
            self.exhausted = true;
        }
        Ok(())
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> Result<bool, LimiterError> {
        if desired > MAX_TABLE_ENTRIES {
            return Ok(false);
        }
        self.grow(desired.saturating_sub(current) as u64 * TABLE_ENTRY_BYTES)
    }

    fn table_grow_failed(&mut self, _error: &TableError) -> Result<(), LimiterError> {
        self.failed();
        Ok(())
    }

    fn instances(&self) -> usize {
        1
    }

    fn tables(&self) -> usize {
        16
    }

    fn memories(&self) -> usize {
        1
    }
}

struct GuestData {
    id: u32,
    memory: Option<Memory>,
    limiter: Limiter,
}

enum State {
    /// Not started: the start function (if any), then `_start`.
    Ready(Option<Func>, Func),
    OutOfFuel(ResumableCallOutOfFuel),
    Suspended(ResumableCallHostTrap),
    Done,
}

/// One instance of a module with the state of its `_start` call.
pub struct Guest {
    store: Store<GuestData>,
    state: State,
    /// `_start`, while the module's start function runs.
    then: Option<Func>,
}

impl Guest {
    /// Instantiates `module`, forwarding every import to the host as guest `id`.
    pub fn new(module: &Module, id: u32, max_memory: usize) -> Result<Self, (RunStatus, String)> {
        let data = GuestData {
            id,
            memory: None,
            limiter: Limiter {
                id,
                max_memory: max_memory as u64,
                held: 0,
                pending: 0,
                hit: false,
                exhausted: false,
            },
        };
        let mut store = Store::new(module.engine(), data);
        store.limiter(|data| &mut data.limiter);
        let mut imports = Vec::with_capacity(module.imports().len());
        for (index, import) in module.imports().enumerate() {
            let name = format!("{}::{}", import.module(), import.name());
            let ExternType::Func(ty) = import.ty() else {
                return Err((
                    RunStatus::Link,
                    format!("unsupported import `{name}`: only functions can be imported"),
                ));
            };
            if import.module() != WASI_MODULE {
                return Err((
                    RunStatus::Link,
                    format!(
                        "unsupported import `{name}`: only {WASI_MODULE} functions are provided"
                    ),
                ));
            }
            if ty.params().len() > MAX_VALUES || ty.results().len() > MAX_VALUES {
                return Err((
                    RunStatus::Link,
                    format!("unsupported import `{name}`: too many parameters or results"),
                ));
            }
            let index = u32::try_from(index)
                .map_err(|_| (RunStatus::Link, String::from("too many imports")))?;
            let result_types: Box<[ValType]> = ty.results().into();
            let func = Func::new(&mut store, ty.clone(), move |caller, params, results| {
                forward(caller, index, &result_types, params, results)
            });
            imports.push(Extern::Func(func));
        }
        // The module's start function was turned into an export (see
        // `start`): instantiation runs no guest code.
        let instance = Instance::new(&mut store, module, &imports).map_err(|error| {
            let status = if store.data().limiter.hit {
                RunStatus::MemoryLimit
            } else {
                RunStatus::Trap
            };
            (status, error.to_string())
        })?;
        let start = instance.get_func(&store, "_start").ok_or_else(|| {
            (
                RunStatus::Link,
                String::from("the module exports no `_start` function"),
            )
        })?;
        let ty = start.ty(&store);
        if !ty.params().is_empty() || !ty.results().is_empty() {
            return Err((
                RunStatus::Link,
                String::from("the module's `_start` must take and return nothing"),
            ));
        }
        let init = instance.get_func(&store, START_EXPORT);
        store.data_mut().memory = instance.get_memory(&store, "memory");
        Ok(Self {
            store,
            state: State::Ready(init, start),
            then: None,
        })
    }

    /// Runs or resumes `_start` with `fuel` units of fuel; `host_results`
    /// are the results of the host call the guest is suspended in, if any.
    pub fn run(&mut self, fuel: u64, host_results: &[u64]) -> Step {
        // A memory growing large gets room for all its cap allows (see `alloc`).
        let cap = self.store.data().limiter.max_memory;
        let cap = usize::try_from(cap).unwrap_or(usize::MAX);
        crate::alloc::with_room_for(cap, || self.step(fuel, host_results))
    }

    fn step(&mut self, fuel: u64, host_results: &[u64]) -> Step {
        let mut step = Step {
            status: RunStatus::Error,
            fuel_consumed: 0,
            fuel_required: 0,
            message: None,
        };
        if let Err(error) = self.store.set_fuel(fuel) {
            step.message = Some(error.to_string());
            return step;
        }
        let mut outcome = match std::mem::replace(&mut self.state, State::Done) {
            State::Ready(Some(init), start) => {
                self.then = Some(start);
                init.call_resumable(&mut self.store, &[], &mut [])
            }
            State::Ready(None, start) => start.call_resumable(&mut self.store, &[], &mut []),
            State::OutOfFuel(call) => call.resume(&mut self.store, &mut []),
            State::Suspended(call) => {
                let ty = call.host_func().ty(&self.store);
                let inputs: Vec<Val> = ty
                    .results()
                    .iter()
                    .zip(host_results)
                    .map(|(ty, bits)| from_bits(*ty, *bits))
                    .collect();
                call.resume(&mut self.store, &inputs, &mut [])
            }
            State::Done => {
                step.message = Some(String::from("the guest has already finished"));
                return step;
            }
        };
        // The start function returned: `_start` follows in the same slice.
        while let Ok(ResumableCall::Finished) = outcome {
            let Some(start) = self.then.take() else {
                break;
            };
            outcome = start.call_resumable(&mut self.store, &[], &mut []);
        }
        step.fuel_consumed = fuel.saturating_sub(self.store.get_fuel().unwrap_or(0));
        step.status = match outcome {
            Ok(ResumableCall::Finished) => RunStatus::Finished,
            Ok(ResumableCall::OutOfFuel(call)) => {
                step.fuel_required = call.required_fuel();
                self.state = State::OutOfFuel(call);
                RunStatus::OutOfFuel
            }
            Ok(ResumableCall::HostTrap(call)) => {
                if call.host_error().downcast_ref::<Suspend>().is_some() {
                    self.state = State::Suspended(call);
                    RunStatus::Suspended
                } else {
                    step.message = Some(call.host_error().to_string());
                    RunStatus::Trap
                }
            }
            Err(error) => {
                step.message = Some(if self.store.data().limiter.exhausted {
                    format!("the engine's own memory is exhausted; then: {error}")
                } else {
                    error.to_string()
                });
                if self.store.data().limiter.hit {
                    RunStatus::MemoryLimit
                } else {
                    RunStatus::Trap
                }
            }
        };
        step
    }
}

/// Checks that a module's start function, now exported as [`START_EXPORT`],
/// takes and returns nothing, as its start section had to.
pub fn check_start(module: Module) -> Result<Module, Error> {
    if let Some(ExternType::Func(ty)) = module.get_export(START_EXPORT) {
        if !ty.params().is_empty() || !ty.results().is_empty() {
            return Err(Error::new(
                "the start function must take and return nothing",
            ));
        }
    }
    Ok(module)
}

fn forward(
    caller: wasmi::Caller<'_, GuestData>,
    import: u32,
    result_types: &[ValType],
    params: &[Val],
    results: &mut [Val],
) -> Result<(), Error> {
    let mut args = [0u64; MAX_VALUES];
    for (slot, value) in args.iter_mut().zip(params) {
        *slot = to_bits(value);
    }
    let mut out = [0u64; MAX_VALUES];
    let data = caller.data();
    let memory = match data.memory {
        Some(memory) => (memory.data_ptr(&caller), memory.data_size(&caller)),
        None => (std::ptr::null_mut(), 0),
    };
    match host::call(
        data.id,
        import,
        &args[..params.len()],
        &mut out[..results.len()],
        memory,
    ) {
        Answer::Done => {
            for ((result, ty), bits) in results.iter_mut().zip(result_types).zip(out) {
                *result = from_bits(*ty, bits);
            }
            Ok(())
        }
        Answer::Suspend => Err(Error::host(Suspend)),
    }
}

fn to_bits(value: &Val) -> u64 {
    match value {
        Val::I32(v) => u64::from(*v as u32),
        Val::I64(v) => *v as u64,
        Val::F32(v) => u64::from(v.to_bits()),
        Val::F64(v) => v.to_bits(),
        _ => 0,
    }
}

fn from_bits(ty: ValType, bits: u64) -> Val {
    match ty {
        ValType::I64 => Val::I64(bits as i64),
        ValType::F32 => Val::F32(wasmi::F32::from_bits(bits as u32)),
        ValType::F64 => Val::F64(wasmi::F64::from_bits(bits)),
        _ => Val::I32(bits as u32 as i32),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_survive_the_round_trip_through_bits() {
        for value in [Val::I32(-7), Val::I64(-1), Val::F64(wasmi::F64::from(1.5))] {
            let ty = value.ty();
            assert_eq!(to_bits(&from_bits(ty, to_bits(&value))), to_bits(&value));
        }
    }

    #[test]
    fn the_engine_refuses_what_the_feature_table_refuses_it() {
        // src/executor/features.ts: multi_memory is "no" on wasmi.
        let memories = |count: u8| {
            let mut bytes = b"\0asm\x01\0\0\0".to_vec();
            bytes.extend([5, 1 + 2 * count, count]);
            for _ in 0..count {
                bytes.extend([0, 1]);
            }
            bytes
        };
        let engine = new_engine();
        assert!(Module::new(&engine, memories(1)).is_ok());
        assert!(Module::new(&engine, memories(2)).is_err());
    }
}
