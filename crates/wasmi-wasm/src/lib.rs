//! The Wasmi interpreter behind a small, boring C ABI.
//!
//! This crate is compiled to `wasm32-unknown-unknown` and loaded by the
//! TypeScript executor. It keeps compiled guest modules and running guest
//! instances in handle tables and exposes plain functions over those handles.
//! Every import of a guest is forwarded to one host dispatcher imported from
//! JavaScript (`host.call`), which either answers at once or asks the guest to
//! suspend; suspended and out-of-fuel guests are resumed with [`guest_run`].
//!
//! Data crosses the boundary through three places the host reads directly:
//! the guest's linear memory (its location comes with every host call), a
//! small scratch array of `u64` slots (see [`scratch`]) and a text buffer for
//! messages and module descriptions (see [`text_ptr`]).

mod alloc;
mod describe;
mod guest;
mod handles;
mod host;
mod limits;
mod start;
mod steps;
mod text;

use guest::{Guest, RunStatus};
use handles::Handles;
use std::cell::RefCell;

/// Number of `u64` slots in the scratch array shared with the host.
pub const SCRATCH_SLOTS: usize = 64;
/// First scratch slot the host fills with a suspended host call's results.
pub const SCRATCH_RESULTS: usize = 32;

thread_local! {
    static ENGINE: wasmi::Engine = guest::new_engine();
    static MODULES: RefCell<Handles<Compiled>> = const { RefCell::new(Handles::new()) };
    static GUESTS: RefCell<Handles<Guest>> = const { RefCell::new(Handles::new()) };
}

/// A compiled module, with what its rewrite (see [`steps`]) changed in how it
/// describes itself.
#[derive(Clone)]
struct Compiled {
    module: wasmi::Module,
    /// The memory's declared initial pages, where the rewrite lowered them.
    declared_initial: Option<u32>,
}

static mut SCRATCH: [u64; SCRATCH_SLOTS] = [0; SCRATCH_SLOTS];

fn scratch_mut() -> &'static mut [u64; SCRATCH_SLOTS] {
    // SAFETY: the engine is single-threaded and the host never calls back into
    // the engine while a reference obtained here is alive.
    unsafe { &mut *std::ptr::addr_of_mut!(SCRATCH) }
}

/// Returns the address of the scratch array of [`SCRATCH_SLOTS`] `u64` slots.
#[no_mangle]
pub extern "C" fn scratch() -> *mut u64 {
    scratch_mut().as_mut_ptr()
}

/// Allocates `len` bytes for the host to fill (for example module bytes).
#[no_mangle]
pub extern "C" fn buffer_alloc(len: usize) -> *mut u8 {
    let mut buffer = std::mem::ManuallyDrop::new(vec![0u8; len]);
    buffer.as_mut_ptr()
}

/// Frees a buffer returned by [`buffer_alloc`].
///
/// # Safety
///
/// `ptr` and `len` must come from one [`buffer_alloc`] call.
#[no_mangle]
pub unsafe extern "C" fn buffer_free(ptr: *mut u8, len: usize) {
    drop(Vec::from_raw_parts(ptr, len, len));
}

/// Returns the number of bytes the engine's heap holds right now.
#[no_mangle]
pub extern "C" fn heap_bytes() -> usize {
    alloc::live_bytes()
}

/// Returns the most bytes the engine's heap ever held at once.
#[no_mangle]
pub extern "C" fn heap_peak_bytes() -> usize {
    alloc::peak_bytes()
}

/// Returns the address of the text buffer (an error message or a description).
#[no_mangle]
pub extern "C" fn text_ptr() -> *const u8 {
    text::ptr()
}

/// Returns the length in bytes of the text buffer.
#[no_mangle]
pub extern "C" fn text_len() -> usize {
    text::len()
}

/// Compiles and validates a module from `len` bytes at `ptr` (a buffer from
/// [`buffer_alloc`], which this call frees).
///
/// Returns a module handle, or 0 with the error in the text buffer.
///
/// # Safety
///
/// `ptr` and `len` must come from one [`buffer_alloc`] call.
#[no_mangle]
pub unsafe extern "C" fn module_compile(ptr: *mut u8, len: usize) -> u32 {
    let mut bytes = Vec::from_raw_parts(ptr, len, len);
    if let Some(problem) = limits::table_problem(&bytes) {
        text::set(&problem);
        return 0;
    }
    let mut declared_initial = None;
    if let Some(stepped) = steps::rewrite(&bytes) {
        bytes = stepped.bytes;
        declared_initial = stepped.declared_initial;
    }
    if let Some(rewritten) = start::export_start(&bytes) {
        bytes = rewritten;
    }
    let compiled = ENGINE.with(|engine| wasmi::Module::new(engine, &bytes));
    drop(bytes);
    match compiled.and_then(guest::check_start) {
        Ok(module) => MODULES.with_borrow_mut(|modules| {
            modules.insert(Compiled {
                module,
                declared_initial,
            })
        }),
        Err(error) => {
            text::set(&error.to_string());
            0
        }
    }
}

/// Writes a JSON description of a module's imports, exports and memories to
/// the text buffer. Returns 1, or 0 if the handle is not a module.
#[no_mangle]
pub extern "C" fn module_describe(module: u32) -> u32 {
    MODULES.with_borrow(|modules| match modules.get(module) {
        Some(module) => {
            text::set(&describe::describe(&module.module, module.declared_initial));
            1
        }
        None => 0,
    })
}

/// Frees a module handle. Instances created from it stay valid.
#[no_mangle]
pub extern "C" fn module_free(module: u32) {
    MODULES.with_borrow_mut(|modules| modules.remove(module));
}

/// Instantiates a module with at most `max_memory` bytes of linear memory.
///
/// Returns a guest handle, or 0 with the error in the text buffer and its kind
/// in scratch slot 0 (a [`RunStatus`] value).
#[no_mangle]
pub extern "C" fn guest_new(module: u32, max_memory: usize) -> u32 {
    let Some(module) = MODULES.with_borrow(|modules| modules.get(module).cloned()) else {
        text::set("unknown module handle");
        scratch_mut()[0] = RunStatus::Error as u64;
        return 0;
    };
    let id = GUESTS.with_borrow_mut(|guests| guests.reserve());
    match Guest::new(&module.module, id, max_memory) {
        Ok(guest) => {
            GUESTS.with_borrow_mut(|guests| guests.fill(id, guest));
            id
        }
        Err((status, message)) => {
            GUESTS.with_borrow_mut(|guests| guests.remove(id));
            text::set(&message);
            scratch_mut()[0] = status as u64;
            0
        }
    }
}

/// Frees a guest handle and everything the guest holds.
#[no_mangle]
pub extern "C" fn guest_free(guest: u32) {
    GUESTS.with_borrow_mut(|guests| guests.remove(guest));
}

/// Runs a guest's `_start` for at most `fuel` units of fuel, or resumes it
/// after it ran out of fuel or suspended in a host call (whose results the
/// host has written to the scratch slots from [`SCRATCH_RESULTS`] on).
///
/// Returns a [`RunStatus`]; scratch slot 0 holds the fuel consumed, slot 1
/// the fuel the next step needs at least (after `OutOfFuel`). Messages of
/// traps and errors are in the text buffer.
#[no_mangle]
pub extern "C" fn guest_run(guest: u32, fuel: u64) -> u32 {
    // The guest leaves its table while it runs, so that host calls made during
    // the run may use the engine's other handles.
    let Some(mut running) = GUESTS.with_borrow_mut(|guests| guests.take(guest)) else {
        text::set("unknown or busy guest handle");
        return RunStatus::Error as u32;
    };
    let scratch = scratch_mut();
    let mut results = [0u64; SCRATCH_SLOTS - SCRATCH_RESULTS];
    results.copy_from_slice(&scratch[SCRATCH_RESULTS..]);
    let step = running.run(fuel, &results);
    GUESTS.with_borrow_mut(|guests| guests.put_back(guest, running));
    scratch[0] = step.fuel_consumed;
    scratch[1] = step.fuel_required;
    if let Some(message) = step.message {
        text::set(&message);
    }
    step.status as u32
}
