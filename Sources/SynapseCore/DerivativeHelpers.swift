import SynapseBackend

/// The helpers the derivative table (`Derivatives.swift`) calls: chain rules that run a backward
/// primitive or undo a view. They run with the graph off and record nothing.
extension Tensor {

    /// Runs `primitive` into a fresh float tensor of `shape`.
    static func backwardPrimitive(_ primitive: Primitive, shape: [Int], inputs: [Tensor]) -> Tensor {
        backwardPrimitive(primitive, shapes: [shape], inputs: inputs)[0]
    }

    /// Runs `primitive` into float tensors of `shapes` (one per output): `destinations` where given
    /// (contiguous, of that shape), else fresh ones.
    static func backwardPrimitive(_ primitive: Primitive, shapes: [[Int]], inputs: [Tensor],
                                  into destinations: [Tensor?] = []) -> [Tensor] {
        let device = inputs[0].device
        let results = shapes.enumerated().map { index, shape in
            index < destinations.count ? destinations[index] ?? Tensor(empty: shape, on: device) : Tensor(empty: shape, on: device)
        }
        let operands = inputs.map { $0.contiguous() }
        ExecutionLatch.run(primitive, on: device, inputs: operands.map(\.bufferView), outputs: results.map(\.bufferView),
                           retaining: operands)
        return results
    }

    /// The chain rule of `crossEntropy`: `(softmax(logits) - onehot(labels)) * gradient`.
    static func crossEntropyBackward(logits: Tensor, labels: Tensor, gradient: Tensor) -> Tensor {
        // The per-sample gradient may be strided: a mean's gradient arrives as one value broadcast.
        let input = logits.contiguous()
        let result = Tensor(empty: logits.shape, on: logits.device)
        ExecutionLatch.run(.crossEntropyBackward, on: logits.device, inputs: [input.bufferView, labels.bufferView, gradient.bufferView],
                   outputs: [result.bufferView], retaining: [input, gradient])
        return result
    }

    /// The chain rule of `slice`: a zero tensor of `inputShape` with `gradient` placed at `start` along `axis`.
    static func unslice(_ gradient: Tensor, into inputShape: [Int], axis: Int, start: Int) -> Tensor {
        // Work in a layout where `axis` comes first, so the target region is one contiguous block.
        let order = [axis] + (0..<inputShape.count).filter { $0 != axis }
        let padded = Tensor.zeros(order.map { inputShape[$0] }, on: gradient.device)
        let source = gradient.permute(order)
        let region = padded.view(shape: source.shape, strides: BufferView.contiguousStrides(for: source.shape),
                                 offset: start * padded.strides[0])
        ExecutionLatch.run(.copy, on: padded.device, inputs: [source.bufferView], outputs: [region.bufferView],
                   retaining: [source])
        var inverse = [Int](repeating: 0, count: order.count)
        for (i, o) in order.enumerated() { inverse[o] = i }
        return padded.permute(inverse)
    }

    /// Sums this gradient down to `target`, undoing a broadcast (the chain rule of `expand`).
    func sum(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        var axes = Array(0..<lead)
        for i in 0..<target.count where target[i] == 1 && shape[lead + i] != 1 { axes.append(lead + i) }
        let reduced = axes.isEmpty ? self : sum(axes: axes, keepDims: true)
        return reduced.reshape(target)
    }

    /// `t` reshaped so the reduced `axes` of `input` are present with size 1 (undoing `keepDims: false`).
    static func keptDims(_ t: Tensor, _ axes: [Int], _ keepDims: Bool, _ input: Tensor) -> Tensor {
        if keepDims { return t }
        var shape = input.shape
        for a in axes { shape[a] = 1 }
        return t.reshape(shape)
    }
}
