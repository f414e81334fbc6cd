//! The global allocator of the radcheck binary, and of xtask's timed runs (`xtask/src/main.rs`
//! includes this file, so that `bench-run` times the library as radcheck runs it).
//!
//! mimalloc keeps freed memory for reuse. The filters (IBSI 2) allocate and free volume-sized
//! buffers per orientation and per transform; the system allocator gave each back to the
//! operating system and took fresh zeroed pages for the next (3.2 million page faults, about 8 s
//! of system time, in the `ibsi2-phase2` suite).
//!
//! mimalloc itself still returns ("purges") free memory to the operating system (its default
//! delay is 1 s, yet a 0.1 s run of the 128³ GLSZM benchmark purged 31 MiB in 65 purges). A short
//! extraction frees the buffers it read its inputs into and then allocates its working volumes:
//! where those pages had been given back, every one was faulted in and zeroed again by the
//! kernel. On a virtual machine whose host reclaims freed guest memory that costs about 2 ms
//! per MB (the 128³ GLSZM benchmark on one thread, 10 runs each: 3 runs with 0.13-0.21 s of
//! system time and 67-94 ms of work before, none after, 34-57 ms). [`keep_freed_memory`] turns
//! purging off for the process: freed memory stays with radcheck, for reuse, until it exits.
//! Peak memory rises a little (`ibsi2-phase2` on 2 threads: 1.28-1.29 GB before, 1.43-1.44 GB
//! after; a 22-subject x 10-perturbation cohort study: 330-347 MiB before, 373-379 MiB after).
//!
//! Transparent huge pages stay as mimalloc has them (allowed). With them a run touches more
//! memory than it uses (whole 2 MiB pages: the 128³ GLDZM benchmark's peak resident memory is
//! 52.6 MiB on one thread and 56.8-58.8 MiB on two, against 46.4 and 47.2 MiB without), yet it
//! is faster: `MIMALLOC_ALLOW_THP=0`, 10 alternated cold runs each, took GLDZM from 70.1 to
//! 76.4 ms on one thread and 38.4 to 40.9 ms on two, GLSZM from 50.0 to 55.8 ms and 29.9 to
//! 29.9 ms (medians): fewer, larger page faults for the volume-sized buffers.

/// The allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// `mi_option_purge_delay` in `mimalloc.h` (the sixteenth option; libmimalloc-sys names only
/// the options before it). Its default is 1000 (milliseconds); -1 never purges.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// The environment variable with which a user still chooses mimalloc's purge delay.
const PURGE_DELAY_VARIABLE: &str = "MIMALLOC_PURGE_DELAY";

/// Keeps freed memory for reuse until the process exits, unless `MIMALLOC_PURGE_DELAY` says
/// otherwise. Call first thing in `main`.
pub fn keep_freed_memory() {
    if std::env::var_os(PURGE_DELAY_VARIABLE).is_none() {
        // SAFETY: mi_option_set stores the value of a valid option index (checked by the test
        // below against the option's documented default); mimalloc allows it at any time.
        #[allow(unsafe_code)]
        unsafe {
            libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1)
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The option index names the purge delay: without the environment variable its value is
    /// mimalloc's documented default, 1000 ms (no other option of mimalloc 3 defaults to 1000),
    /// and `keep_freed_memory` sets it to -1; with the variable, the user's value is left alone.
    #[test]
    #[allow(unsafe_code)]
    fn the_purge_delay_option_is_the_one_set() {
        // SAFETY: reading an option by a valid index.
        let before = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        let user_set = std::env::var_os(PURGE_DELAY_VARIABLE).is_some();
        if !user_set {
            assert_eq!(before, 1000);
        }
        keep_freed_memory();
        // SAFETY: as above.
        let after = unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        assert_eq!(after, if user_set { before } else { -1 });
    }
}
