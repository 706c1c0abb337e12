//! The allocator for genlab's binaries (feature `mimalloc`).
//!
//! burn's CPU backend allocates a fresh buffer for every tensor operation. glibc's malloc hands
//! large buffers back to the OS and faults them in again; mimalloc with purging turned off keeps
//! and reuses them. Measured on the baby GPT's training step here: page faults over 20 steps
//! fell from about 240,000 to about 300, and training ran 20-35% faster (docs/gpt.md).
//!
//! A binary opts in with
//!
//! ```ignore
//! #[global_allocator]
//! static GLOBAL: genlab_tensor::alloc::Allocator = genlab_tensor::alloc::Allocator;
//!
//! fn main() {
//!     genlab_tensor::alloc::keep_freed_memory();
//!     // ...
//! }
//! ```

/// The global allocator to declare in a binary.
pub use mimalloc::MiMalloc as Allocator;

/// mimalloc's `mi_option_purge_delay` (the enum value in mimalloc v3's `include/mimalloc.h`;
/// the sys crate names no constant for it).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Keeps freed memory for reuse instead of returning it to the OS after a delay. Call it first
/// thing in `main` of a binary that declares [`Allocator`] as its global allocator.
pub fn keep_freed_memory() {
    #[allow(unsafe_code)]
    // SAFETY: `mi_option_set` only stores an integer in mimalloc's option table; it may be
    // called at any time, from any thread.
    unsafe {
        libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1);
    }
}
