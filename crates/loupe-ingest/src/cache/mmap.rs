//! A cache file as one Arrow [`Buffer`], memory-mapped so that opening costs no copy: Arrow's
//! IPC decoder then slices its arrays out of the mapping, and only the pages that are read
//! are ever loaded. Falls back to reading the file into memory where mapping fails.
//!
//! # Why the one `unsafe` block is sound
//!
//! Mapping a file is `unsafe` because the mapped bytes are handed out as `&[u8]`, which Rust
//! assumes never changes, while another process could change the file underneath (and
//! truncating it makes reads fault with `SIGBUS`). Cache entries are never changed after they
//! appear:
//!
//! * an entry is written under a temporary name, synced, made read-only and only then renamed
//!   to its final name ([`super::write_entry`]); nothing in Loupe ever opens an entry for
//!   writing again;
//! * a new version of an entry is a *new* file renamed over the old name, and stale or corrupt
//!   entries are deleted with `unlink`; both leave the inode already mapped untouched, so
//!   existing mappings keep seeing the bytes they mapped;
//! * the file is opened read-only and mapped read-only (`PROT_READ`).
//!
//! What remains is a user or another program writing into Loupe's private cache directory
//! behind its back, through a read-only file — the same trust every cache places in its own
//! directory. The mapping is validated like any other input (footer, header, Arrow's checks),
//! and decoding runs under `catch_unwind`, so corrupt *contents* are an error, never UB.

use std::fs::File;
use std::io;
use std::path::Path;

use arrow_buffer::Buffer;

/// The whole file as one buffer: mapped when possible, read into memory otherwise.
pub(crate) fn load(path: &Path) -> io::Result<Buffer> {
    let file = File::open(path)?;
    // Some file systems (and platforms) cannot map; a plain read always works.
    map(&file).or_else(|_| Ok(Buffer::from_vec(std::fs::read(path)?)))
}

/// Maps `file` read-only; the mapping lives as long as the returned buffer and any slice of
/// it (Arrow arrays keep their buffers alive through reference counts).
fn map(file: &File) -> io::Result<Buffer> {
    if file.metadata()?.len() == 0 {
        // Mapping zero bytes is an error on some platforms; the caller rejects empty files.
        return Ok(Buffer::from_vec(Vec::<u8>::new()));
    }
    #[allow(
        unsafe_code,
        reason = "memory-mapping an immutable cache entry; soundness argued in the module docs"
    )]
    // SAFETY: see the module documentation: cache entries are never modified after their
    // atomic rename, are read-only, and replacement or deletion does not alter a mapped inode.
    let map = unsafe { memmap2::Mmap::map(file)? };
    Ok(Buffer::from(bytes::Bytes::from_owner(map)))
}
