//! The C ABI the host calls: copy the module into a buffer from
//! [`buffer_alloc`], call [`instrument_module`], read the result from
//! [`output_ptr`]/[`output_len`] (the rewritten module) and
//! [`text_ptr`]/[`text_len`] (the description, or the error message).

use std::cell::RefCell;

thread_local! {
    static OUTPUT: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    static TEXT: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Allocates `len` bytes for the host to fill with a module.
#[no_mangle]
pub extern "C" fn buffer_alloc(len: usize) -> *mut u8 {
    let mut buffer = std::mem::ManuallyDrop::new(vec![0u8; len]);
    buffer.as_mut_ptr()
}

/// Rewrites the `len` bytes at `ptr` (from [`buffer_alloc`], freed here),
/// a module [`module_features`] validated, with memories clamped to
/// `max_memory_pages`. Returns 1 on success (the
/// module in the output, its description in the text: see
/// [`Instrumented::description`](crate::Instrumented::description), which
/// has the limits of the memory the module imports, if it does), 0 on
/// failure (the message in the text).
///
/// # Safety
///
/// `ptr` and `len` must come from one call of [`buffer_alloc`].
#[no_mangle]
pub unsafe extern "C" fn instrument_module(ptr: *mut u8, len: usize, max_memory_pages: u32) -> u32 {
    // SAFETY: the caller passes a buffer from `buffer_alloc` of `len` bytes.
    let bytes = unsafe { Vec::from_raw_parts(ptr, len, len) };
    let rewritten = crate::instrument::instrument_valid(&bytes, u64::from(max_memory_pages));
    let (status, output, text) = match rewritten {
        Ok(done) => (1, done.wasm, done.description),
        Err(message) => (0, Vec::new(), message),
    };
    OUTPUT.with(|o| *o.borrow_mut() = output);
    TEXT.with(|t| *t.borrow_mut() = text);
    status
}

/// Scans the `len` bytes at `ptr` (from [`buffer_alloc`], freed here) for
/// the post-MVP proposals they use. Bit 0 of `flags` validates the module
/// first; bit 1 adds its description. Returns 1 on success, the text then a
/// JSON object with `proposals` (the sorted names from
/// [`features::scan`](crate::features::scan)) and, with bit 1, the fields of
/// [`instrument_module`]'s description but `memoryImport`; returns 0 on
/// failure, with the message in the text.
///
/// # Safety
///
/// `ptr` and `len` must come from one call of [`buffer_alloc`].
#[no_mangle]
pub unsafe extern "C" fn module_features(ptr: *mut u8, len: usize, flags: u32) -> u32 {
    // SAFETY: the caller passes a buffer from `buffer_alloc` of `len` bytes.
    let bytes = unsafe { Vec::from_raw_parts(ptr, len, len) };
    let result = crate::features::scan(&bytes, flags & 1 != 0).and_then(|proposals| {
        let proposals = crate::features::to_json(&proposals);
        if flags & 2 == 0 {
            return Ok(format!("{{\"proposals\":{proposals}}}"));
        }
        let mut description = crate::scan::Module::scan(&bytes)?.describe();
        description.pop(); // the closing brace
        Ok(format!("{description},\"proposals\":{proposals}}}"))
    });
    let (status, text) = match result {
        Ok(text) => (1, text),
        Err(message) => (0, message),
    };
    OUTPUT.with(|o| *o.borrow_mut() = Vec::new());
    TEXT.with(|t| *t.borrow_mut() = text);
    status
}

/// The rewritten module of the last successful call.
#[no_mangle]
pub extern "C" fn output_ptr() -> *const u8 {
    OUTPUT.with(|o| o.borrow().as_ptr())
}

/// Length of [`output_ptr`].
#[no_mangle]
pub extern "C" fn output_len() -> usize {
    OUTPUT.with(|o| o.borrow().len())
}

/// The description or error message of the last call (UTF-8).
#[no_mangle]
pub extern "C" fn text_ptr() -> *const u8 {
    TEXT.with(|t| t.borrow().as_ptr())
}

/// Length of [`text_ptr`].
#[no_mangle]
pub extern "C" fn text_len() -> usize {
    TEXT.with(|t| t.borrow().len())
}

/// Frees the last output and text.
#[no_mangle]
pub extern "C" fn output_free() {
    OUTPUT.with(|o| *o.borrow_mut() = Vec::new());
    TEXT.with(|t| *t.borrow_mut() = String::new());
}
