//! A global allocator that counts the bytes its callers hold (the sizes they
//! asked for, not the room or headers below), so that the host can check
//! that the engine's heap stays flat over many runs, and that gives large
//! byte buffers room to grow in place.
//!
//! A guest's linear memory is a `Vec<u8>` here (Wasmi's `ByteBuffer`). When
//! the guest grows it, the `Vec` asks for twice its capacity; with other
//! instances' memories right after it in the heap, the allocator must move
//! it: a copy of the whole memory (≈ 1 MiB for a Rust guest, once per
//! instance; 6% of the CPU time of 16 concurrent stateless calls of the
//! test plugin). So a large byte buffer gets as much room again as its size
//! (at most [`MAX_ROOM`]) behind it, and a growth that fits stays in place.
//! The room is address space of the engine's memory that nothing touches
//! until the guest grows into it.
//!
//! A memory that grows past [`LARGE`] moves once more, into a chunk with
//! room for all the growth its guest's cap allows (see [`with_room_for`]):
//! the `Vec` doubles its capacity until it holds the cap, and without that
//! room each doubling would copy the whole memory in one step (128 MiB at
//! once on the way to 256 MiB). So no copy is over [`LARGE`] plus its room,
//! as long as the memory grows by less than its size at a time (the engine's
//! rewrite, `steps`, grows it 1 MiB at a time). The room is less than twice
//! the cap, what the host counts per guest when it places guests in an
//! engine instance (src/executor/wasmi/_engine_pool.ts).

use std::alloc::{GlobalAlloc, Layout, System};
use std::ptr;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Byte buffers (alignment 1) of at least this many bytes get room to grow.
const ROOMY: usize = 64 * 1024;
/// The most room a buffer gets.
const MAX_ROOM: usize = 2 * 1024 * 1024;
/// A buffer that grows past this many bytes moves into a chunk with room for
/// the capacity its doublings reach at its guest's cap (less than twice it).
const LARGE: usize = 8 * 1024 * 1024;

/// The most bytes a large buffer's chunk may give it, while a guest runs.
static ROOM_LIMIT: AtomicUsize = AtomicUsize::new(0);

/// Runs `body` with large byte buffers given room for growing to `limit`
/// bytes (the running guest's cap).
pub fn with_room_for<T>(limit: usize, body: impl FnOnce() -> T) -> T {
    let before = ROOM_LIMIT.swap(limit, Ordering::Relaxed);
    let result = body();
    ROOM_LIMIT.store(before, Ordering::Relaxed);
    result
}

/// A roomy buffer's chunk starts with its total size, in this many bytes,
/// and the buffer after it is aligned to as many: a guest's memory less
/// than 16-byte aligned runs guests ≈ 10% slower (measured: sieve 100,000
/// 3.9 ms at 16 or 64, 4.35 ms at 8, 4.4 ms at 4).
const HEADER: usize = 16;

fn is_roomy(size: usize, align: usize) -> bool {
    align == 1 && size >= ROOMY
}

/// The layout of a roomy buffer's chunk, `total` bytes with the header.
fn chunk_layout(total: usize) -> Layout {
    // A size that `alloc_roomy` allocated is a valid layout.
    Layout::from_size_align(total, HEADER).expect("a roomy chunk's layout")
}

/// Allocates a roomy buffer of `size` bytes; null if that fails.
unsafe fn alloc_roomy(size: usize) -> *mut u8 {
    let limit = ROOM_LIMIT.load(Ordering::Relaxed);
    if size > LARGE && limit > size {
        // The capacities the `Vec` will ask for double from here: room for
        // the first of them that reaches the cap is room for all it needs.
        let mut usable = size;
        while usable < limit {
            usable = usable.saturating_mul(2);
        }
        let base = alloc_chunk(usable.saturating_add(HEADER));
        if !base.is_null() {
            return base;
        }
    }
    let Some(total) = size.checked_add(size.min(MAX_ROOM) + HEADER) else {
        return ptr::null_mut();
    };
    alloc_chunk(total)
}

/// A chunk of `total` bytes with its size in the header; null if that fails.
unsafe fn alloc_chunk(total: usize) -> *mut u8 {
    let Ok(layout) = Layout::from_size_align(total, HEADER) else {
        return ptr::null_mut();
    };
    let base = System.alloc(layout);
    if base.is_null() {
        return base;
    }
    base.cast::<usize>().write(total);
    base.add(HEADER)
}

/// Whether roomy buffer `ptr` of `old_size` bytes can take `new_size` bytes
/// where it is: while they fit, unless it shrank to under half its chunk
/// (then it moves, and gives the rest back).
unsafe fn stays_in_place(ptr: *mut u8, old_size: usize, new_size: usize) -> bool {
    let usable = chunk_of(ptr).1 - HEADER;
    new_size <= usable && (new_size >= old_size || new_size >= usable / 2)
}

/// The chunk of a roomy buffer: its start and total size.
unsafe fn chunk_of(ptr: *mut u8) -> (*mut u8, usize) {
    let base = ptr.sub(HEADER);
    (base, base.cast::<usize>().read())
}

static LIVE: AtomicUsize = AtomicUsize::new(0);
/// The most bytes [`GLOBAL`]'s callers ever held at once.
static PEAK: AtomicUsize = AtomicUsize::new(0);

struct Counting(&'static AtomicUsize);

impl Counting {
    fn add(&self, bytes: usize) {
        let live = self.0.fetch_add(bytes, Ordering::Relaxed) + bytes;
        if std::ptr::eq(self.0, &LIVE) {
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
    }
}

// SAFETY: every block is `System`'s, except roomy buffers (alignment 1, at
// least ROOMY bytes), which live inside a larger `System` chunk after a
// header holding the chunk's size. Whether a block is roomy follows from
// the layout it is used with, which is the one it was allocated (or last
// reallocated) with. The counter counts the sizes the callers asked for.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = if is_roomy(layout.size(), layout.align()) {
            alloc_roomy(layout.size())
        } else {
            System.alloc(layout)
        };
        if !ptr.is_null() {
            self.add(layout.size());
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if !is_roomy(layout.size(), layout.align()) {
            let ptr = System.alloc_zeroed(layout);
            if !ptr.is_null() {
                self.add(layout.size());
            }
            return ptr;
        }
        let ptr = self.alloc(layout);
        if !ptr.is_null() {
            ptr.write_bytes(0, layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if is_roomy(layout.size(), layout.align()) {
            let (base, total) = chunk_of(ptr);
            System.dealloc(base, chunk_layout(total));
        } else {
            System.dealloc(ptr, layout);
        }
        self.0.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let was_roomy = is_roomy(layout.size(), layout.align());
        let roomy = is_roomy(new_size, layout.align());
        let new = if !was_roomy && !roomy {
            System.realloc(ptr, layout, new_size)
        } else if was_roomy && roomy && stays_in_place(ptr, layout.size(), new_size) {
            ptr
        } else {
            // Into a new block of the kind its new size asks for.
            let new = if roomy {
                alloc_roomy(new_size)
            } else {
                System.alloc(Layout::from_size_align_unchecked(new_size, layout.align()))
            };
            if !new.is_null() {
                ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                if was_roomy {
                    let (base, total) = chunk_of(ptr);
                    System.dealloc(base, chunk_layout(total));
                } else {
                    System.dealloc(ptr, layout);
                }
            }
            new
        };
        if !new.is_null() {
            self.0.fetch_sub(layout.size(), Ordering::Relaxed);
            self.add(new_size);
        }
        new
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting(&LIVE);

/// Bytes the global allocator's callers currently hold (the sizes they asked
/// for).
pub fn live_bytes() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// The most bytes the global allocator's callers ever held at once: about
/// what the engine's memory has been written to (the room behind buffers is
/// address space, untouched until used).
pub fn peak_bytes() -> usize {
    PEAK.load(Ordering::Relaxed)
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

    #[test]
    fn grows_a_large_byte_buffer_in_place_and_keeps_its_bytes() {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let counting = Counting(&COUNTER);
        let size = 1 << 20;
        let layout = layout_of(size);
        // SAFETY: the pointers come from the same allocator with these layouts.
        unsafe {
            let ptr = counting.alloc_zeroed(layout);
            assert!((0..size).all(|i| *ptr.add(i) == 0));
            ptr.add(size - 1).write(7);
            // Twice the size fits in its room: the same block.
            let grown = counting.realloc(ptr, layout, 2 * size);
            assert_eq!(grown, ptr);
            assert_eq!(*grown.add(size - 1), 7);
            // Beyond the room: a new block, with the bytes.
            let layout = layout_of(2 * size);
            let moved = counting.realloc(grown, layout, 8 * size);
            assert_eq!(*moved.add(size - 1), 7);
            // Shrunk below the roomy size: an ordinary block, with the bytes.
            let layout = layout_of(8 * size);
            let small = counting.realloc(moved, layout, 100);
            assert_eq!(COUNTER.load(Ordering::Relaxed), 100);
            counting.dealloc(small, layout_of(100));
            // A small buffer grown past the roomy size becomes roomy.
            let tiny = counting.alloc(layout_of(10));
            tiny.write(3);
            let big = counting.realloc(tiny, layout_of(10), size);
            assert_eq!(*big, 3);
            let again = counting.realloc(big, layout_of(size), size + 4096);
            assert_eq!(again, big);
            counting.dealloc(again, layout_of(size + 4096));
        }
        assert_eq!(COUNTER.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn moves_a_large_byte_buffer_that_shrank_to_under_half_its_chunk() {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let counting = Counting(&COUNTER);
        // SAFETY: the pointers come from the same allocator with these layouts.
        unsafe {
            let ptr = counting.alloc(layout_of(1 << 20));
            ptr.write(9);
            let same = counting.realloc(ptr, layout_of(1 << 20), 3 << 19);
            assert_eq!(same, ptr);
            let moved = counting.realloc(same, layout_of(3 << 19), 1 << 17);
            assert_ne!(moved, ptr);
            assert_eq!(*moved, 9);
            counting.dealloc(moved, layout_of(1 << 17));
        }
        assert_eq!(COUNTER.load(Ordering::Relaxed), 0);
    }

    #[test]
    fn a_large_buffer_moves_once_into_room_for_its_cap() {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let counting = Counting(&COUNTER);
        let mib = 1 << 20;
        // SAFETY: the pointers come from the same allocator with these layouts.
        super::with_room_for(256 * mib, || unsafe {
            let mut size = mib;
            let mut ptr = counting.alloc(layout_of(size));
            ptr.write(5);
            let mut moves = 0;
            // Doubling as a growing `Vec` does, up to 256 MiB.
            while size < 256 * mib {
                let grown = counting.realloc(ptr, layout_of(size), 2 * size);
                if grown != ptr {
                    moves += 1;
                    // Every move is of a buffer of at most `LARGE` bytes.
                    assert!(size <= super::LARGE, "moved at {size}");
                }
                (ptr, size) = (grown, 2 * size);
            }
            assert_eq!(*ptr, 5);
            assert!(moves >= 1);
            counting.dealloc(ptr, layout_of(size));
        });
        assert_eq!(COUNTER.load(Ordering::Relaxed), 0);
    }

    fn layout_of(size: usize) -> Layout {
        Layout::from_size_align(size, 1).unwrap()
    }
}
