import SynapseBackend

extension Tensor {
    /// 2-D convolution of this `[N, C, H, W]` input with `weight` `[O, C/groups, kh, kw]`, as PyTorch's
    /// `conv2d`. Traps with the layer's name and the shapes when the geometry cannot work.
    public func conv2d(_ weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1),
                       padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1,
                       name: String = "conv2d") -> Tensor {
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
        // The bias is added inside the primitive: an unbiased output kept alive by the graph
        // would cost a second activation tensor per layer.
        let inputs = [self, weight] + (bias.map { [$0] } ?? [])
        let device = Tensor.commonDevice(name, inputs)
        let operands = withoutGradient { inputs.map { $0.contiguous() } }
        let result = Tensor(empty: geometry.outputShape, on: device)
        Engine.run(.conv2d(geometry), on: device, inputs: operands.map(\.bufferView), outputs: [result.bufferView],
                   retaining: operands)
        return Tensor.record(result, .conv2d(geometry), inputs)
    }

    /// Max pooling over `[N, C, H, W]` (PyTorch's `max_pool2d`, floor mode). `stride` defaults to the kernel.
    public func maxPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                          name: String = "maxPool2d") -> Tensor {
        let geometry = poolGeometry(kernel: kernel, stride: stride ?? kernel, padding: padding, countIncludePad: true, name: name)
        let x = withoutGradient { contiguous() }
        let result = Tensor(empty: geometry.outputShape, on: device)
        let argmax = Tensor(empty: geometry.outputShape, dtype: .int32, on: device)
        Engine.run(.maxPool2d(geometry), on: device, inputs: [x.bufferView],
                   outputs: [result.bufferView, argmax.bufferView], retaining: [x])
        return Tensor.record(result, .maxPool2d(geometry), [self], saved: [argmax])
    }

    /// Average pooling over `[N, C, H, W]` (PyTorch's `avg_pool2d`, floor mode, `count_include_pad`).
    public func avgPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                          countIncludePad: Bool = true, name: String = "avgPool2d") -> Tensor {
        let geometry = poolGeometry(kernel: kernel, stride: stride ?? kernel, padding: padding,
                                    countIncludePad: countIncludePad, name: name)
        let x = withoutGradient { contiguous() }
        let result = Tensor(empty: geometry.outputShape, on: device)
        Engine.run(.avgPool2d(geometry), on: device, inputs: [x.bufferView], outputs: [result.bufferView],
                   retaining: [x])
        return Tensor.record(result, .avgPool2d(geometry), [self])
    }

    /// Local response normalisation across channels (AlexNet 2012; PyTorch's `local_response_norm`).
    public func localResponseNorm(_ parameters: LRNParameters = LRNParameters()) -> Tensor {
        requireFloat("localResponseNorm")
        ensure(rank == 4, "localResponseNorm: expects [N, C, H, W], got \(shape)")
        ensure(parameters.size >= 1, "localResponseNorm: size must be positive, got \(parameters.size)")
        let x = withoutGradient { contiguous() }
        let result = Tensor(empty: shape, on: device)
        Engine.run(.localResponseNorm(parameters), on: device, inputs: [x.bufferView],
                   outputs: [result.bufferView], retaining: [x])
        return Tensor.record(result, .localResponseNorm(parameters), [self], saved: [result.detached()])
    }

    /// Zeroes each element with probability `probability` and scales the rest by `1/(1-p)` while
    /// `training`; identity otherwise. The mask is drawn on the device.
    public func dropout(probability: Float, training: Bool) -> Tensor {
        ensure(probability >= 0 && probability <= 1, "dropout: probability \(probability) must be in [0, 1]")
        guard training, probability > 0 else { return self }
        if probability == 1 { return self * 0 }
        return self * Tensor.random(shape, .dropoutMask(keep: 1 - probability), on: device)
    }

    private func poolGeometry(kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), countIncludePad: Bool,
                              name: String) -> Pool2dGeometry {
        requireFloat(name)
        ensure(rank == 4, "\(name): expects input [N, C, H, W], got \(shape)")
        let geometry = Pool2dGeometry(batch: shape[0], channels: shape[1], inHeight: shape[2], inWidth: shape[3],
                                      kernel: kernel, stride: stride, padding: padding, countIncludePad: countIncludePad)
        if let problem = geometry.validationError(layer: name) { fatalError(problem) }
        return geometry
    }

    // MARK: Chain rules (used by the derivative table; no graph is recorded)

    /// Runs `primitive` into a fresh float tensor of `shape`.
    static func backwardPrimitive(_ primitive: Primitive, shape: [Int], inputs: [Tensor]) -> Tensor {
        let device = inputs[0].device
        let result = Tensor(empty: shape, on: device)
        let operands = inputs.map { $0.contiguous() }
        Engine.run(primitive, on: device, inputs: operands.map(\.bufferView), outputs: [result.bufferView],
                   retaining: operands)
        return result
    }
}
