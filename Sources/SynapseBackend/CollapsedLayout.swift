/// A shape walked by several operands at once, simplified: dimensions of extent 1 dropped and
/// neighbours merged where every operand steps through them as one.
///
/// A broadcast bias (`[N, C, H, W]` with strides `[0, 1, 0, 0]`) next to a contiguous output
/// collapses to `[N, C, H·W]`; two contiguous operands collapse to a single run. Backends walk the
/// collapsed layout instead of the original (the CPU's `StridedWalk`, OpenCL's strided kernels).
package struct CollapsedLayout: Sendable, Equatable {
    /// Extents after dropping 1s and merging (empty for a single element).
    package var shape: [Int]
    /// Element strides of each operand, one per collapsed dimension.
    package var strides: [[Int]]

    /// Collapses `shape` as seen by operands with the given `strides` (one array per operand).
    package init(shape: [Int], strides: [[Int]]) {
        var outShape: [Int] = []
        var outStrides: [[Int]] = strides.map { _ in [] }
        for axis in shape.indices where shape[axis] != 1 {
            if let last = outShape.indices.last,
               strides.indices.allSatisfy({ outStrides[$0][last] == strides[$0][axis] * shape[axis] }) {
                outShape[last] *= shape[axis]
                for operand in strides.indices { outStrides[operand][last] = strides[operand][axis] }
            } else {
                outShape.append(shape[axis])
                for operand in strides.indices { outStrides[operand].append(strides[operand][axis]) }
            }
        }
        self.shape = outShape
        self.strides = outStrides
    }

    /// Number of collapsed dimensions.
    package var rank: Int { shape.count }

    /// Whether operand `index` walks its elements in one contiguous run (stride 1, or one element).
    package func isContiguous(_ index: Int) -> Bool {
        rank == 0 || (rank == 1 && strides[index][0] == 1)
    }
}
