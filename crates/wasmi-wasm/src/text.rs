//! The text buffer: the last error message or module description.

use std::cell::RefCell;

thread_local! {
    static TEXT: RefCell<String> = const { RefCell::new(String::new()) };
}

/// Replaces the text buffer's contents.
pub fn set(text: &str) {
    TEXT.with_borrow_mut(|buffer| {
        buffer.clear();
        buffer.push_str(text);
        buffer.shrink_to(4096);
    });
}

/// Address of the text buffer's bytes.
pub fn ptr() -> *const u8 {
    TEXT.with_borrow(|buffer| buffer.as_ptr())
}

/// Length of the text buffer in bytes.
pub fn len() -> usize {
    TEXT.with_borrow(|buffer| buffer.len())
}
