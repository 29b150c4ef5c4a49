//! A global allocator that counts the bytes it holds, so that the host can
//! check that the engine's heap stays flat over many runs.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

static LIVE: AtomicUsize = AtomicUsize::new(0);

struct Counting(&'static AtomicUsize);

// SAFETY: every call is forwarded to `System`; only a counter is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc(layout);
        if !ptr.is_null() {
            self.0.fetch_add(layout.size(), Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc_zeroed(layout);
        if !ptr.is_null() {
            self.0.fetch_add(layout.size(), Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        self.0.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new = System.realloc(ptr, layout, new_size);
        if !new.is_null() {
            self.0.fetch_sub(layout.size(), Ordering::Relaxed);
            self.0.fetch_add(new_size, Ordering::Relaxed);
        }
        new
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting(&LIVE);

/// Bytes currently allocated through the global allocator.
pub fn live_bytes() -> usize {
    LIVE.load(Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::Counting;
    use std::alloc::{GlobalAlloc, Layout};
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn counts_allocations_reallocations_and_frees() {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let counting = Counting(&COUNTER);
        let layout = Layout::from_size_align(1000, 8).unwrap();
        // SAFETY: the pointers come from the same allocator with these layouts.
        unsafe {
            let ptr = counting.alloc(layout);
            assert_eq!(COUNTER.load(Ordering::Relaxed), 1000);
            let ptr = counting.realloc(ptr, layout, 3000);
            assert_eq!(COUNTER.load(Ordering::Relaxed), 3000);
            counting.dealloc(ptr, Layout::from_size_align(3000, 8).unwrap());
        }
        assert_eq!(COUNTER.load(Ordering::Relaxed), 0);
    }
}
