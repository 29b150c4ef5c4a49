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
