import SynapseBackend

extension Tensor {
    /// The same elements with a new shape; one dimension may be -1 (inferred). A view when the
    /// tensor is contiguous, otherwise a copy.
    public func reshape(_ newShape: [Int]) -> Tensor {
        var target = newShape
        if let inferred = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != inferred }.map(\.element).reduce(1, *)
            ensure(known > 0 && count % known == 0, "reshape: cannot reshape \(shape) to \(newShape)")
            target[inferred] = count / known
        }
        ensure(target.reduce(1, *) == count && target.allSatisfy { $0 >= 0 },
               "reshape: cannot reshape \(shape) (\(count) elements) to \(newShape)")
        if target == shape { return self }
        let source = withoutGradient { contiguous() }
        let result = source.view(shape: target, strides: BufferView.contiguousStrides(for: target), offset: source.offset)
        return Tensor.record(result, .reshape, [self])
    }

    /// Collapses dimensions `startAxis...` into one (`[N, C, H, W]` → `[N, C*H*W]` by default).
    public func flatten(startAxis: Int = 1) -> Tensor {
        let start = axis(startAxis, op: "flatten")
        return reshape(Array(shape[..<start]) + [shape[start...].reduce(1, *)])
    }

    /// Reorders dimensions: result dimension `i` is input dimension `order[i]`. A view.
    public func permute(_ order: [Int]) -> Tensor {
        ensure(order.count == rank && Set(order) == Set(0..<rank),
               "permute: \(order) is not a permutation of the \(rank) dimensions of shape \(shape)")
        let result = view(shape: order.map { shape[$0] }, strides: order.map { strides[$0] }, offset: offset)
        return Tensor.record(result, .permute(order), [self])
    }

    /// Swaps two dimensions. A view.
    public func transpose(_ first: Int, _ second: Int) -> Tensor {
        var order = Array(0..<rank)
        order.swapAt(axis(first, op: "transpose"), axis(second, op: "transpose"))
        return permute(order)
    }

    /// The matrix transpose of a 2-D tensor. A view.
    public var transposed: Tensor {
        ensure(rank == 2, "transposed: needs a 2-D tensor, got shape \(shape)")
        return transpose(0, 1)
    }

    /// Elements `range` along `axis` (by default the batch axis). A view.
    public func slice(axis: Int = 0, _ range: Range<Int>) -> Tensor {
        let a = self.axis(axis, op: "slice")
        ensure(range.lowerBound >= 0 && range.upperBound <= shape[a],
               "slice: range \(range) out of bounds for axis \(a) of shape \(shape)")
        var newShape = shape
        newShape[a] = range.count
        let result = view(shape: newShape, strides: strides, offset: offset + range.lowerBound * strides[a])
        return Tensor.record(result, .slice(axis: a, start: range.lowerBound), [self])
    }

    /// A new row-major tensor with this one's elements (never `self`), outside the graph.
    func copied() -> Tensor {
        let result = Tensor(empty: shape, dtype: dtype, on: device)
        ExecutionLatch.run(.copy, on: device, inputs: [bufferView], outputs: [result.bufferView])
        return result
    }

    /// A row-major copy, or `self` when already contiguous.
    public func contiguous() -> Tensor {
        if isContiguous { return self }
        let result = Tensor(empty: shape, dtype: dtype, on: device)
        ExecutionLatch.run(.copy, on: device, inputs: [bufferView], outputs: [result.bufferView])
        return Tensor.record(result, .contiguous, [self])
    }

    /// Overwrites this tensor's elements with `source`'s (same shape), outside the graph. For
    /// optimizer state, running statistics and loading checkpoints.
    public func assign(_ source: Tensor) {
        ensure(source.shape == shape, "assign: source shape \(source.shape) differs from \(shape)")
        ensure(isContiguous, "assign: target of shape \(shape) must be contiguous")
        ensure(storage.constant == nil, "assign: a shared constant cannot be overwritten")
        _ = Tensor.commonDevice("assign", [self, source])
        ExecutionLatch.run(.copy, on: device, inputs: [source.bufferView], outputs: [bufferView])
    }
}
