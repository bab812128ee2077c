//! tree-sitter's memory allocator.
//!
//! A parse allocates and frees a node, a stack entry or a child array for almost every token: with
//! the C library's `malloc`, that work is about an eighth of a go.sum parse, and the nodes of one
//! tree end up scattered over the heap. mimalloc allocates them from pages of their own size class,
//! close together: the largest corpus go.sum parsed at 29 to 53 MB/s instead of 23 to 26 on the
//! same VM (the parse benchmark of `server/syntax`). Only tree-sitter uses it; the rest of the process keeps the
//! system allocator.
//!
//! Memory: mimalloc commits a new arena's memory eagerly by default, which raised the server's
//! peak resident memory with the largest go.mod and go.sum open from 17.3 to 26.7 MiB (budget 20,
//! the stdio benchmark of `server/lsp`). Committing on demand brought it to 18.7 MiB. Purging
//! freed pages at once as well (17.9 MiB) gave the speed back: a parse then faults in again the
//! pages the previous tree freed.

use std::ffi::c_void;
use std::sync::Once;

unsafe extern "C" {
    // The C library's, for memory tree-sitter allocated before [`install`].
    #[link_name = "free"]
    fn system_free(pointer: *mut c_void);
    #[link_name = "realloc"]
    fn system_realloc(pointer: *mut c_void, size: usize) -> *mut c_void;
}

// The number of `mi_option_arena_eager_commit` in mimalloc 3.3's `mimalloc.h` (the version the
// pinned libmimalloc-sys builds), which the crate does not name for version 3.
const OPTION_ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;

unsafe extern "C" fn allocate(size: usize) -> *mut c_void {
    // SAFETY: mimalloc's malloc has C's contract.
    unsafe { libmimalloc_sys::mi_malloc(size) }
}

unsafe extern "C" fn allocate_zeroed(count: usize, size: usize) -> *mut c_void {
    // SAFETY: as calloc; mi_calloc checks the product for overflow.
    unsafe { libmimalloc_sys::mi_calloc(count, size) }
}

unsafe extern "C" fn reallocate(pointer: *mut c_void, size: usize) -> *mut c_void {
    // SAFETY: `pointer` is null or came from tree-sitter's allocator, which was this one or,
    // before [`install`], the C library's: each block goes back to the allocator that made it.
    unsafe {
        if pointer.is_null() || libmimalloc_sys::mi_is_in_heap_region(pointer) {
            libmimalloc_sys::mi_realloc(pointer, size)
        } else {
            system_realloc(pointer, size)
        }
    }
}

unsafe extern "C" fn release(pointer: *mut c_void) {
    // SAFETY: as in `reallocate`.
    unsafe {
        if pointer.is_null() || libmimalloc_sys::mi_is_in_heap_region(pointer) {
            libmimalloc_sys::mi_free(pointer);
        } else {
            system_free(pointer);
        }
    }
}

/// Makes tree-sitter allocate with mimalloc from now on (once per process; later calls do
/// nothing). Call it early, before threads parse: memory allocated before goes back to the C
/// library, so calling it later is correct, only slower for the trees that already exist.
pub fn install() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        // SAFETY: a plain setter; read when mimalloc makes its first arena, which nothing has
        // asked for yet (only tree-sitter allocates with it, from below on).
        unsafe { libmimalloc_sys::mi_option_set(OPTION_ARENA_EAGER_COMMIT, 0) };
        let allocator = tree_sitter::Allocator {
            malloc: allocate,
            calloc: allocate_zeroed,
            realloc: reallocate,
            free: release,
        };
        // SAFETY: the four functions honour C's malloc contract, and every block is freed or
        // resized by the allocator that made it (see `reallocate`), so trees made before this
        // call stay valid. tree-sitter reads the four pointers without synchronisation: `Once`
        // makes this the only write, and the documentation above asks for it before threads parse.
        unsafe { tree_sitter::set_allocator(Some(allocator)) };
    });
}

#[cfg(test)]
mod tests {
    use tree_sitter::{InputEdit, Parser, Point, Tree};

    /// Whether tree-sitter allocated this tree's root record with mimalloc.
    fn made_by_mimalloc(tree: Tree) -> (bool, Tree) {
        let raw = tree.into_raw();
        // SAFETY: `raw` came from `into_raw` just above and is turned back into a tree once.
        let tree = unsafe { Tree::from_raw(raw) };
        // SAFETY: the function only looks the address up in mimalloc's segment map.
        let owned = unsafe { libmimalloc_sys::mi_is_in_heap_region(raw.cast()) };
        (owned, tree)
    }

    #[test]
    fn the_option_number_is_that_of_the_mimalloc_built() {
        // SAFETY: a plain getter.
        let version = unsafe { libmimalloc_sys::mi_version() };
        assert_eq!(
            version / 100,
            303,
            "mimalloc {version}: check OPTION_ARENA_EAGER_COMMIT"
        );
    }

    // Other tests of this binary may parse at the same time, before or after the switch: the
    // routing of frees by owner is what keeps them all valid.
    #[test]
    fn trees_from_before_and_after_the_switch_mix_and_free_cleanly() {
        let text =
            "example.com/a v1.0.0 h1:aaaa=\nexample.com/a v1.0.0/go.mod h1:bbbb=\n".repeat(64);
        let mut parser = Parser::new();
        parser
            .set_language(&super::super::LANGUAGE_GOSUM.into())
            .unwrap();
        // Only this test installs the allocator, so this tree comes from the C library.
        let (before_owned, before) = made_by_mimalloc(parser.parse(&text, None).unwrap());
        assert!(!before_owned);

        super::install();
        super::install();
        // SAFETY: a plain getter.
        let eager = unsafe { libmimalloc_sys::mi_option_get(super::OPTION_ARENA_EAGER_COMMIT) };
        assert_eq!(
            eager, 0,
            "arenas commit on demand (the default, 2, commits eagerly)"
        );
        let (fresh_owned, fresh) = made_by_mimalloc(parser.parse(&text, None).unwrap());
        assert!(
            fresh_owned,
            "a tree parsed after install() comes from mimalloc"
        );

        // A reparse of the old tree after an edit: the new tree shares the old one's unchanged
        // nodes (made by the C library) and adds nodes of its own (made by mimalloc).
        let mut edited_text = text.clone();
        edited_text.insert(3, 'x');
        let mut old = before.clone();
        old.edit(&InputEdit {
            start_byte: 3,
            old_end_byte: 3,
            new_end_byte: 4,
            start_position: Point::new(0, 3),
            old_end_position: Point::new(0, 3),
            new_end_position: Point::new(0, 4),
        });
        let reparsed = parser.parse(&edited_text, Some(&old)).unwrap();
        drop(before);
        drop(old);
        let expected = parser.parse(&edited_text, None).unwrap();
        assert_eq!(
            reparsed.root_node().to_sexp(),
            expected.root_node().to_sexp()
        );
        assert!(!reparsed.root_node().has_error());
        drop(reparsed);
        // The edit changed a path, not the structure.
        assert_eq!(fresh.root_node().to_sexp(), expected.root_node().to_sexp());
    }
}
