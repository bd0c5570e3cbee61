//! A bounded max-heap that keeps the `capacity` smallest `(distance, index)` pairs.

/// The `capacity` best candidates seen so far for one query row.
///
/// Ordering is lexicographic on `(distance, index)`, so ties between equal distances are
/// resolved towards the smaller index and the result never depends on the order in which
/// candidates are offered (the search's blocking or thread count).
#[derive(Debug, Clone)]
pub(crate) struct TopK {
    capacity: usize,
    /// Max-heap on `(distance, index)`: the worst kept candidate is at position 0.
    heap: Vec<(f32, u32)>,
}

fn worse(a: (f32, u32), b: (f32, u32)) -> bool {
    a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)) == std::cmp::Ordering::Greater
}

impl TopK {
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            capacity,
            heap: Vec::with_capacity(capacity),
        }
    }

    /// Offers a candidate; it is kept when it beats the worst kept one (or there is room).
    #[inline]
    pub(crate) fn offer(&mut self, distance: f32, index: u32) {
        let item = (distance, index);
        if self.heap.len() < self.capacity {
            self.heap.push(item);
            self.sift_up(self.heap.len() - 1);
        } else if self.capacity > 0 && worse(self.heap[0], item) {
            self.heap[0] = item;
            self.sift_down(0);
        }
    }

    /// The distance a candidate must beat to be kept (∞ while there is room).
    #[inline]
    pub(crate) fn threshold(&self) -> f32 {
        if self.heap.len() < self.capacity {
            f32::INFINITY
        } else {
            self.heap.first().map_or(f32::NEG_INFINITY, |w| w.0)
        }
    }

    /// The kept indices, in no particular order.
    pub(crate) fn indices(&self) -> impl Iterator<Item = u32> + '_ {
        self.heap.iter().map(|&(_, i)| i)
    }

    fn sift_up(&mut self, mut pos: usize) {
        while pos > 0 {
            let parent = (pos - 1) / 2;
            if worse(self.heap[pos], self.heap[parent]) {
                self.heap.swap(pos, parent);
                pos = parent;
            } else {
                break;
            }
        }
    }

    fn sift_down(&mut self, mut pos: usize) {
        let len = self.heap.len();
        loop {
            let left = 2 * pos + 1;
            if left >= len {
                break;
            }
            let right = left + 1;
            let child = if right < len && worse(self.heap[right], self.heap[left]) {
                right
            } else {
                left
            };
            if worse(self.heap[child], self.heap[pos]) {
                self.heap.swap(child, pos);
                pos = child;
            } else {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_smallest_with_index_tie_break() {
        let mut t = TopK::new(3);
        for (d, i) in [(5.0, 0), (1.0, 1), (3.0, 2), (1.0, 7), (1.0, 3), (0.5, 9)] {
            t.offer(d, i);
        }
        let mut kept: Vec<u32> = t.indices().collect();
        kept.sort_unstable();
        assert_eq!(kept, vec![1, 3, 9]);
        assert!((t.threshold() - 1.0).abs() < f32::EPSILON);
    }
}
