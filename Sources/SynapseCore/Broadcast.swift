import SynapseBackend
/// NumPy broadcasting of shapes: dimensions are aligned from the right; a dimension of 1 stretches.
enum Broadcast {
    /// The broadcast shape of `a` and `b`, trapping with `op`'s name and both shapes when incompatible.
    static func shape(_ a: [Int], _ b: [Int], op: String) -> [Int] {
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let x = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let y = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            ensure(x == y || x == 1 || y == 1, "\(op): shapes \(a) and \(b) cannot be broadcast together")
            result[i] = x == 1 ? y : x
        }
        return result
    }
}

extension Tensor {
    /// A view of this tensor stretched to `target` (stride 0 on broadcast dimensions), differentiable.
    public func expand(to target: [Int]) -> Tensor {
        if target == shape { return self }
        ensure(target.count >= rank, "expand: cannot expand shape \(shape) to \(target)")
        let lead = target.count - rank
        var newStrides = [Int](repeating: 0, count: target.count)
        for i in 0..<rank {
            ensure(shape[i] == target[lead + i] || shape[i] == 1, "expand: cannot expand shape \(shape) to \(target)")
            newStrides[lead + i] = shape[i] == 1 && target[lead + i] != 1 ? 0 : strides[i]
        }
        return Tensor.record(view(shape: target, strides: newStrides, offset: offset), .expand, [self])
    }
}
