//! Cutting an array into disjoint runs, so that each can be written by its own
//! thread.

/// `slice` cut into consecutive disjoint runs of the given lengths (which must
/// not add up to more than its length), to be filled in parallel.
pub(crate) fn split_runs<T>(slice: &mut [T], lens: impl Iterator<Item = usize>) -> Vec<&mut [T]> {
    let mut rest = slice;
    lens.map(|len| {
        let (run, tail) = std::mem::take(&mut rest).split_at_mut(len);
        rest = tail;
        run
    })
    .collect()
}
