import SynapseBackend

/// Walks up to two strided inputs in the row-major order of a contiguous output, one run of the
/// innermost dimension at a time, updating offsets incrementally (no division per element, no
/// allocation per run).
///
/// The shape is collapsed first (`CollapsedLayout`), so a broadcast bias (`[N, C, H, W]` with
/// strides `[0, 1, 0, 0]`) walks as `[N, C, H*W]` with an inner stride of 0, and a contiguous view
/// walks as a single run.
struct StridedWalk {
    /// Extents after dropping 1s and merging; never empty.
    let shape: [Int]
    /// Element strides of the first input, per merged dimension.
    let stridesA: [Int]
    /// Element strides of the second input (all 0 when there is none).
    let stridesB: [Int]

    /// Prepares a walk over `shape` for inputs with strides `a` and `b`.
    init(shape fullShape: [Int], a: [Int], b: [Int]? = nil) {
        let b = b ?? [Int](repeating: 0, count: fullShape.count)
        let layout = CollapsedLayout(shape: fullShape, strides: [a, b])
        if layout.rank == 0 {
            (shape, stridesA, stridesB) = ([1], [0], [0])
        } else {
            (shape, stridesA, stridesB) = (layout.shape, layout.strides[0], layout.strides[1])
        }
    }

    /// Extent of the innermost merged dimension.
    var innerExtent: Int { shape[shape.count - 1] }
    /// Inner stride of the first input.
    var innerStrideA: Int { stridesA[stridesA.count - 1] }
    /// Inner stride of the second input.
    var innerStrideB: Int { stridesB[stridesB.count - 1] }

    /// Calls `body(outputIndex, offsetA, offsetB, count)` for consecutive runs covering output
    /// elements `range`; the inputs advance by `innerStrideA`/`innerStrideB` within a run.
    @inline(__always)
    func forEachRun(in range: Range<Int>, _ body: (Int, Int, Int, Int) -> Void) {
        guard !range.isEmpty else { return }
        let rank = shape.count
        let inner = shape[rank - 1], innerA = stridesA[rank - 1], innerB = stridesB[rank - 1]
        withUnsafeTemporaryAllocation(of: Int.self, capacity: rank) { index in
            var rest = range.lowerBound, offsetA = 0, offsetB = 0
            for axis in stride(from: rank - 1, through: 0, by: -1) {
                index[axis] = rest % shape[axis]
                rest /= shape[axis]
                offsetA += index[axis] * stridesA[axis]
                offsetB += index[axis] * stridesB[axis]
            }
            var position = range.lowerBound
            while position < range.upperBound {
                let count = min(inner - index[rank - 1], range.upperBound - position)
                body(position, offsetA, offsetB, count)
                position += count
                guard position < range.upperBound else { break }
                // The run always ends at the end of the inner dimension here: carry into the outer ones.
                offsetA -= index[rank - 1] * innerA
                offsetB -= index[rank - 1] * innerB
                index[rank - 1] = 0
                var axis = rank - 2
                while axis >= 0 {
                    index[axis] += 1
                    offsetA += stridesA[axis]
                    offsetB += stridesB[axis]
                    if index[axis] < shape[axis] { break }
                    offsetA -= shape[axis] * stridesA[axis]
                    offsetB -= shape[axis] * stridesB[axis]
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
    }
}
