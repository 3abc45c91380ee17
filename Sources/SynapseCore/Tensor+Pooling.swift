import SynapseBackend

extension Tensor {
    /// Max pooling over `[N, C, H, W]` (PyTorch's `max_pool2d`, floor mode). `stride` defaults to the kernel.
    public func maxPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                          name: String = "maxPool2d") -> Tensor {
        let geometry = poolGeometry(kernel: kernel, stride: stride ?? kernel, padding: padding, countIncludePad: true, name: name)
        let x = withoutGradient { contiguous() }
        let result = Tensor(empty: geometry.outputShape, on: device)
        let argmax = Tensor(empty: geometry.outputShape, dtype: .int32, on: device)
        ExecutionLatch.run(.maxPool2d(geometry), on: device, inputs: [x.bufferView],
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
        ExecutionLatch.run(.avgPool2d(geometry), on: device, inputs: [x.bufferView], outputs: [result.bufferView],
                   retaining: [x])
        return Tensor.record(result, .avgPool2d(geometry), [self])
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
}
