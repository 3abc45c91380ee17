import SynapseBackend

extension Tensor {
    /// Sum over `axes` (all when nil).
    public func sum(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        reduction(.sum, axes: axes, keepDims: keepDims, name: "sum") { .sum(axes: $0, keepDims: $1) }
    }

    /// Sum over one axis.
    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { sum(axes: [axis], keepDims: keepDims) }

    /// Mean over `axes` (all when nil).
    public func mean(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        reduction(.mean, axes: axes, keepDims: keepDims, name: "mean") { .mean(axes: $0, keepDims: $1) }
    }

    /// Mean over one axis.
    public func mean(axis: Int, keepDims: Bool = false) -> Tensor { mean(axes: [axis], keepDims: keepDims) }

    /// Maximum over `axes` (all when nil). The gradient is shared evenly among tied maxima.
    public func max(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        reduction(.max, axes: axes, keepDims: keepDims, name: "max", saveOutput: true) { .max(axes: $0, keepDims: $1) }
    }

    /// Maximum over one axis.
    public func max(axis: Int, keepDims: Bool = false) -> Tensor { max(axes: [axis], keepDims: keepDims) }

    /// Index of the first maximum along `axis`, as int32 (not differentiable).
    public func argmax(axis: Int, keepDims: Bool = false) -> Tensor {
        requireFloat("argmax")
        let a = self.axis(axis, op: "argmax")
        let result = reducedKeepingDims(.argmax, axes: [a])
        return keepDims ? result : result.reshape(Self.dropping([a], from: shape))
    }

    /// Normalised, sorted, unique axes (all axes when nil).
    func normalizedAxes(_ axes: [Int]?, op: String) -> [Int] {
        guard let axes else { return Array(0..<rank) }
        return Array(Set(axes.map { axis($0, op: op) })).sorted()
    }

    static func dropping(_ axes: [Int], from shape: [Int]) -> [Int] {
        shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
    }

    private func reduction(_ reduce: ReduceOp, axes: [Int]?, keepDims: Bool, name: String, saveOutput: Bool = false,
                           op: ([Int], Bool) -> Op) -> Tensor {
        requireFloat(name)
        let normalized = normalizedAxes(axes, op: name)
        let kept = withoutGradient { () -> Tensor in
            let full = reducedKeepingDims(reduce, axes: normalized)
            return keepDims ? full : full.reshape(Self.dropping(normalized, from: shape))
        }
        return Tensor.record(kept, op(normalized, keepDims), [self], saved: saveOutput ? [kept.detached()] : [])
    }

    /// Runs the reduce primitive once per run of adjacent axes; the result keeps reduced dims as 1.
    func reducedKeepingDims(_ reduce: ReduceOp, axes: [Int]) -> Tensor {
        var current = withoutGradient { contiguous() }
        // Always a new tensor object: the caller records a node on the result.
        if axes.isEmpty { return current.view(shape: current.shape, strides: current.strides, offset: current.offset) }
        var runs: [[Int]] = []
        for a in axes {
            if let last = runs.last?.last, last == a - 1 { runs[runs.count - 1].append(a) } else { runs.append([a]) }
        }
        ensure(reduce != .argmax || runs.count == 1, "argmax: reduces one axis at a time, got \(axes)")
        for run in runs {
            let outer = current.shape[..<run[0]].reduce(1, *)
            let reduced = current.shape[run[0]...run[run.count - 1]].reduce(1, *)
            let inner = current.shape[(run[run.count - 1] + 1)...].reduce(1, *)
            var outShape = current.shape
            for a in run { outShape[a] = 1 }
            let out = Tensor(empty: outShape, dtype: reduce == .argmax ? .int32 : .float32, on: device)
            let input = current.storage.buffer.map {
                BufferView(buffer: $0, shape: [outer, reduced, inner], strides: [reduced * inner, inner, 1],
                           offset: current.offset)
            }
            let output = out.storage.buffer.map { BufferView(buffer: $0, shape: [outer, inner], dtype: out.dtype) }
            ExecutionLatch.run(.reduce(reduce), on: device, inputs: [input], outputs: [output], retaining: [current])
            current = out
        }
        return current
    }
}
