//! The one host dispatcher every guest import is forwarded to.

/// What the host answered to a forwarded import call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// The results are written; the guest continues.
    Done,
    /// The guest must suspend; the results come with the next `guest_run`.
    Suspend,
}

#[cfg(target_arch = "wasm32")]
#[link(wasm_import_module = "host")]
extern "C" {
    /// Calls import number `import` of guest `guest` with `args` (one `u64`
    /// slot per parameter); results go to `results`. `memory` and
    /// `memory_len` locate the guest's linear memory. Returns 0 or 1 (see
    /// [`Answer`]).
    #[link_name = "call"]
    fn host_call(
        guest: u32,
        import: u32,
        args: *const u64,
        results: *mut u64,
        memory: *mut u8,
        memory_len: usize,
    ) -> u32;

    /// Asks whether guest `guest` may hold `bytes` more of linear memory or
    /// tables (a budget shared with other guests). Returns 1 if it may. A
    /// negative `bytes` gives back a grant whose growth did not happen.
    #[link_name = "grow"]
    fn host_grow(guest: u32, bytes: f64) -> u32;
}

/// Stand-in for native builds (unit tests): every call completes with zeros.
#[cfg(not(target_arch = "wasm32"))]
unsafe fn host_call(
    _guest: u32,
    _import: u32,
    _args: *const u64,
    _results: *mut u64,
    _memory: *mut u8,
    _memory_len: usize,
) -> u32 {
    0
}

/// Stand-in for native builds (unit tests): every growth is allowed.
#[cfg(not(target_arch = "wasm32"))]
unsafe fn host_grow(_guest: u32, _bytes: f64) -> u32 {
    1
}

/// Asks the host whether `guest` may grow by `bytes` (see `host_grow`).
pub fn may_grow(guest: u32, bytes: u64) -> bool {
    // SAFETY: a plain call with two numbers. A u64 of bytes within wasm32's
    // limits is exact as an f64.
    unsafe { host_grow(guest, bytes as f64) == 1 }
}

/// Gives back `bytes` granted by [`may_grow`] whose growth did not happen.
pub fn release(guest: u32, bytes: u64) {
    if bytes > 0 {
        // SAFETY: as in `may_grow`; a negative amount gives bytes back.
        unsafe { host_grow(guest, -(bytes as f64)) };
    }
}

/// Forwards one import call to the host.
pub fn call(
    guest: u32,
    import: u32,
    args: &[u64],
    results: &mut [u64],
    memory: (*mut u8, usize),
) -> Answer {
    // SAFETY: the pointers are valid for the lengths the host is told or can
    // derive from the import's signature.
    let answer = unsafe {
        host_call(
            guest,
            import,
            args.as_ptr(),
            results.as_mut_ptr(),
            memory.0,
            memory.1,
        )
    };
    if answer == 0 {
        Answer::Done
    } else {
        Answer::Suspend
    }
}
