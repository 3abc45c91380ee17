import SynapseBackend

extension Tensor {
    /// 2-D convolution of this `[N, C, H, W]` input with `weight` `[O, C/groups, kh, kw]`, as PyTorch's
    /// `conv2d`, followed by `activation` in the launch that adds the bias. Traps with the layer's name
    /// and the shapes when the geometry cannot work.
    public func conv2d(_ weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
                       padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1,
                       activation: Activation = .identity, name: String = "conv2d") -> Tensor {
        requireFloat(name); weight.requireFloat(name)
        ensure(rank == 4 && weight.rank == 4, "\(name): expects input [N, C, H, W] and weight [O, C/groups, kh, kw], got \(shape) and \(weight.shape)")
        let geometry = Conv2dGeometry(batch: shape[0], inChannels: shape[1], inHeight: shape[2], inWidth: shape[3],
                                      outChannels: weight.shape[0], kernelHeight: weight.shape[2],
                                      kernelWidth: weight.shape[3], stride: stride, padding: padding,
                                      dilation: dilation, groups: groups)
        if let problem = geometry.validationError(layer: name) { fatalError(problem) }
        ensure(weight.shape == geometry.weightShape,
               "\(name): weight shape \(weight.shape) does not fit input \(shape) with groups=\(groups); expected \(geometry.weightShape)")
        if let bias {
            bias.requireFloat(name)
            ensure(bias.shape == [geometry.outChannels], "\(name): bias shape \(bias.shape) must be [\(geometry.outChannels)]")
        }
        // Bias and activation go into the primitive, which applies them in place (an unbiased
        // output kept alive by the graph would cost a second activation tensor per layer).
        let inputs = [self, weight] + (bias.map { [$0] } ?? [])
        let device = Tensor.commonDevice(name, inputs)
        let operands = withoutGradient { inputs.map { $0.contiguous() } }
        let result = Tensor(empty: geometry.outputShape, on: device)
        let primitive: Primitive = activation == .identity ? .conv2d(geometry) : .conv2dActivation(geometry, activation)
        ExecutionLatch.run(primitive, on: device, inputs: operands.map(\.bufferView), outputs: [result.bufferView],
                           retaining: operands)
        return Tensor.record(result, .conv2d(geometry, activation), inputs,
                             saved: activation == .identity ? [] : [result.detached()])
    }
}
