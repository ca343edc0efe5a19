//! The component's memory allocator: size classes carved from a bump region, nothing merged.
//!
//! Every call into the component runs in a fresh instance whose memory is thrown away whole when
//! the call returns, so the allocator never has to give memory back, and a render's garbage is
//! mostly blocks of the sizes it keeps asking for (map nodes, values, short strings). A freed
//! block goes on the list of its size class and the next request of that class takes it; a
//! class with none takes the next bytes of the region, which grows the linear memory as needed.
//! Requests, frees and in-place growth are a few instructions each, where the general-purpose
//! allocators (wasi-libc's dlmalloc, 16-18% of a render's guest time; `talc`, 16%) split,
//! merge and search bins (numbers in docs/benchmarks.md).
//!
//! Guarantees: blocks are 16-byte aligned (larger alignments are honoured too); a failed
//! `memory.grow` (the sandbox's memory cap) returns null, which Rust turns into the abort the
//! host reports as the cap. Caveats: memory freed in one class is only reused by requests of
//! that class (classes are at most a quarter apart, so a block wastes under 25%); blocks with an
//! alignment above 16 bytes are never reused; near the cap a refused growth step is retried
//! with only what the request needs, and the host's record of the refusal stands even when that
//! succeeds (it only names the cause of a later trap). Native builds keep the system allocator.
#![allow(unsafe_code)] // a global allocator is unsafe by definition

use std::alloc::{GlobalAlloc, Layout};
use std::arch::wasm32;
use std::cell::UnsafeCell;
use std::ptr::null_mut;

const PAGE: usize = 64 * 1024;
/// Pages the region grows by at least: fewer `memory.grow` calls, at most this much unused.
const GROW_PAGES: usize = 8;
/// The alignment every block has.
const ALIGN: usize = 16;
/// 16-byte steps up to 128 bytes (8 classes), then four classes per power of two up to 2^31.
const CLASSES: usize = 8 + 24 * 4;

/// The allocator's state: the free list of each class (a freed block holds the next one's
/// address) and the region's unused bytes `[bump, end)`.
struct State {
    free: [*mut u8; CLASSES],
    bump: usize,
    end: usize,
}

/// The component's `#[global_allocator]`.
pub struct Allocator(UnsafeCell<State>);

// SAFETY: the component is single-threaded WebAssembly (wasm32-wasip2 without the atomics
// feature has no threads), so the state is never reached from two threads.
unsafe impl Sync for Allocator {}

impl Allocator {
    /// An allocator with an empty region: the first request grows the memory.
    pub const fn new() -> Allocator {
        Allocator(UnsafeCell::new(State {
            free: [null_mut(); CLASSES],
            bump: 0,
            end: 0,
        }))
    }
}

/// The class of a request of `size` bytes and the size of its blocks.
fn class(size: usize) -> (usize, usize) {
    if size <= 128 {
        let block = size.max(1).div_ceil(ALIGN) * ALIGN;
        return (block / ALIGN - 1, block);
    }
    // 2^(p-1) < size <= 2^p, split into four classes.
    let p = (usize::BITS - (size - 1).leading_zeros()) as usize;
    let base = 1usize << (p - 1);
    let step = base >> 2;
    let k = (size - base).div_ceil(step);
    (8 + (p - 8) * 4 + (k - 1), base + k * step)
}

impl State {
    /// `size` bytes at `align` from the region, grown when short; null when the memory cannot
    /// grow.
    fn carve(&mut self, size: usize, align: usize) -> *mut u8 {
        let start = self.bump.next_multiple_of(align);
        match start.checked_add(size) {
            Some(end) if end <= self.end => {
                self.bump = end;
                start as *mut u8
            }
            _ => self.grow_and_carve(size, align),
        }
    }

    #[cold]
    fn grow_and_carve(&mut self, size: usize, align: usize) -> *mut u8 {
        // Another user of `memory.grow` (wasi-libc's own malloc) may have grown the memory since:
        // the region then restarts at the memory's end, leaving the rest of the old one unused.
        let memory_end = wasm32::memory_size(0) * PAGE;
        if memory_end != self.end {
            self.bump = memory_end;
            self.end = memory_end;
        }
        let start = self.bump.next_multiple_of(align);
        let Some(need) = start
            .checked_add(size)
            .map(|end| end.saturating_sub(self.end))
        else {
            return null_mut();
        };
        let least = need.div_ceil(PAGE);
        let grown = if wasm32::memory_grow(0, least.max(GROW_PAGES)) != usize::MAX {
            least.max(GROW_PAGES)
        } else if least < GROW_PAGES && wasm32::memory_grow(0, least) != usize::MAX {
            least
        } else {
            return null_mut();
        };
        self.end += grown * PAGE;
        self.bump = start + size;
        start as *mut u8
    }
}

// SAFETY: blocks never overlap (each comes from the region once, and a freed block is handed
// out again only after its owner gave it back); every block is at least its class's size and
// aligned as asked; the state is only touched by one thread (see `Sync` above).
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: single-threaded, and no reference to the state outlives this call.
        let state = unsafe { &mut *self.0.get() };
        if layout.align() > ALIGN {
            return state.carve(layout.size(), layout.align());
        }
        let (c, block) = class(layout.size());
        let head = state.free[c];
        if head.is_null() {
            return state.carve(block, ALIGN);
        }
        // SAFETY: a block on a free list holds the address of the next one.
        state.free[c] = unsafe { head.cast::<*mut u8>().read() };
        head
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if layout.align() > ALIGN {
            return;
        }
        // SAFETY: as in `alloc`.
        let state = unsafe { &mut *self.0.get() };
        let (c, _) = class(layout.size());
        // SAFETY: the block is ours again, at least 16 bytes and 16-byte aligned.
        unsafe { ptr.cast::<*mut u8>().write(state.free[c]) };
        state.free[c] = ptr;
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= ALIGN {
            let (old_class, old_block) = class(layout.size());
            let (new_class, new_block) = class(new_size);
            // A block of a class at least as large as asked serves as is; freed later under the
            // new size, it joins that smaller class, whose size it still has.
            if new_class <= old_class {
                return ptr;
            }
            // SAFETY: as in `alloc`.
            let state = unsafe { &mut *self.0.get() };
            // The region's last block grows in place (strings built piece by piece).
            let at = ptr as usize;
            if at + old_block == state.bump && at + new_block <= state.end {
                state.bump = at + new_block;
                return ptr;
            }
        }
        // SAFETY: the caller's layout is valid and `new_size` does not overflow it (GlobalAlloc's
        // contract for realloc).
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: as for any allocation.
        let new = unsafe { self.alloc(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks are at least this long and do not overlap.
            unsafe {
                std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
        }
        new
    }
}
