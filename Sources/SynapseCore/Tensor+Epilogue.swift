import SynapseBackend

/// Fully connected layers and the bias-plus-activation epilogue that linear and convolution layers
/// share: the activation is applied in the launch that adds the bias, and its gradient in the launch
/// that sums the bias gradient.
extension Tensor {
    /// A fully connected layer as one recorded operation: `activation(self @ weightᵀ + bias)` for an
    /// `[N, in]` input, `weight` `[out, in]` and `bias` `[out]` (PyTorch's layout). One GEMM and one
    /// epilogue launch (none without bias and activation); the backward pass is one epilogue launch
    /// and a GEMM per input that needs a gradient.
    public func linear(weight: Tensor, bias: Tensor? = nil, activation: Activation = .identity,
                       name: String = "linear") -> Tensor {
        requireFloat(name); weight.requireFloat(name)
        ensure(rank == 2 && weight.rank == 2 && shape[1] == weight.shape[1],
               "\(name): expects input [N, in] and weight [out, in], got \(shape) and \(weight.shape)")
        if let bias {
            bias.requireFloat(name)
            ensure(bias.shape == [weight.shape[0]], "\(name): bias shape \(bias.shape) must be [\(weight.shape[0])]")
        }
        let inputs = [self, weight] + (bias.map { [$0] } ?? [])
        _ = Tensor.commonDevice(name, inputs)
        let y = withoutGradient { matmul(weight.transposed) }
        if bias != nil || activation != .identity {
            Tensor.epilogue(y, bias: bias, activation, layout: [shape[0], weight.shape[0], 1])
        }
        return Tensor.record(y, .linear(activation), inputs, saved: activation == .identity ? [] : [y.detached()])
    }

    /// `y = activation(y + bias)` in place, with `y` viewed as `[outer, channels, inner]`.
    static func epilogue(_ y: Tensor, bias: Tensor?, _ activation: Activation, layout: [Int]) {
        let b = bias.map { bias in withoutGradient { bias.contiguous() } }
        let view = y.storage.buffer.map { BufferView(buffer: $0, shape: layout, offset: y.offset) }
        ExecutionLatch.run(.biasActivation(activation), on: y.device, inputs: [view] + (b.map { [$0.bufferView] } ?? []),
                           outputs: [view], retaining: b.map { [$0] } ?? [])
    }

    /// The epilogue's gradient in one launch: the gradient before the activation (a new tensor of
    /// `g`'s shape) and, when `biasGradient`, the bias gradient, written into `destination` when given.
    /// `output` is the epilogue's output (ignored by the identity).
    static func epilogueBackward(_ g: Tensor, output: Tensor, _ activation: Activation, layout: [Int],
                                 biasGradient: Bool, into destination: Tensor?) -> (input: Tensor, bias: Tensor?) {
        let gc = g.contiguous(), yc = output.contiguous()
        let gradInput = Tensor(empty: g.shape, on: g.device)
        let gradBias = biasGradient ? destination ?? Tensor(empty: [layout[1]], on: g.device) : nil
        func view(_ t: Tensor) -> BufferView? { t.storage.buffer.map { BufferView(buffer: $0, shape: layout, offset: t.offset) } }
        ExecutionLatch.run(.biasActivationBackward(activation), on: g.device, inputs: [view(gc), view(yc)],
                           outputs: [view(gradInput)] + (gradBias.map { [$0.bufferView] } ?? []), retaining: [gc, yc])
        return (gradInput, gradBias)
    }
}
