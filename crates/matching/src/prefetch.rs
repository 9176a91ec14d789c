//! A cache hint for the hot loops of the solvers and the candidate scan.

/// Asks the processor to bring the cache line holding the start of `data` closer,
/// so that a load the caller will make soon overlaps with other work. A hint only:
/// it changes nothing the program can observe (a no-op off x86-64).
#[inline]
#[allow(unsafe_code)]
pub(crate) fn prefetch<T>(data: &[T]) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch never faults, whatever the address, and writes no memory;
    // it reads nothing the program sees. SSE, which provides it, is part of every
    // x86-64 target. The pointer comes from a live slice in any case.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(
            data.as_ptr().cast::<i8>(),
        );
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = data;
}
