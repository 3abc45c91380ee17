import SynapseBackend
import SynapseCore

extension Module {
    /// A table of the model's layers (name, type, output shape, parameters, forward FLOPs), its
    /// totals, and the device memory one training step takes, measured by running that step.
    ///
    /// The step is forward on `batchSize` random examples of `inputShape` in training mode, a loss
    /// (cross-entropy against class 0 for `[N, classes]` outputs, else the mean square), backward,
    /// then `update` (pass the optimizer's `step()` to include its state). The device's peak memory
    /// is reset first and read after. Layers are the module calls the forward pass made; tensor ops
    /// written directly in a `forward` (LeNet-5's `tanh()`) have no row and no FLOPs here.
    ///
    /// It runs on the device holding the parameters (the current device for a model without
    /// any), leaves the gradients cleared, and restores training or evaluation mode; batch-norm
    /// running statistics take the step, so summarise a fresh model (as `synapse summary` does).
    ///
    /// - Throws: a device failure (such as running out of memory) from the step.
    public func summary(inputShape: [Int], batchSize: Int = 1, update: (() -> Void)? = nil) throws -> ModelSummary {
        let device = parameters().first?.value.device ?? TensorContext.device
        let wasTraining = isTraining
        defer { train(wasTraining) }
        train()
        try Tensor.synchronize(device)
        let heldBefore = device.memory.inUse
        device.resetPeakMemory()
        let observer = ModuleCallObserver()
        try withDevice(device) {
            try withRandomSeed(0) {
                let input = Tensor.uniform([batchSize] + inputShape, on: device)
                let output = ModuleCallObserver.$current.withValue(observer) { self(input) }
                let loss = output.rank == 2
                    ? output.crossEntropy(labels: Tensor(int32: [Int32](repeating: 0, count: output.shape[0]), on: device))
                    : output.square().mean()
                loss.backward()
                update?()
                try Tensor.synchronize(device)
            }
        }
        let peak = device.memory.peak
        zeroGradients()
        let layers = Self.layers(from: observer.calls, names: namedModules())
        let parameterCount = parameterCount
        return ModelSummary(
            model: String(describing: type(of: self)), inputShape: inputShape, layers: layers,
            parameters: parameterCount, parameterBytes: parameterCount * DType.float32.byteSize,
            flops: layers.filter { $0.depth == 1 }.reduce(0) { $0 + ($1.flops ?? 0) },
            stepMemory: .init(device: device.info.spec, batchSize: batchSize, heldBefore: heldBefore, peak: peak))
    }

    /// Rows for every call below the root, each container's FLOPs the sum of its children's.
    private static func layers(from calls: [ModuleCallObserver.Call], names: [(name: String, module: Module)])
        -> [ModelSummary.Layer] {
        var nameOf: [ObjectIdentifier: String] = [:]
        for (name, module) in names where nameOf[ObjectIdentifier(module)] == nil { nameOf[ObjectIdentifier(module)] = name }
        var flops = [Int?](repeating: nil, count: calls.count)
        for index in calls.indices.reversed() {
            let call = calls[index]
            flops[index] = call.children.isEmpty
                ? call.module.forwardFLOPs(input: call.inputShape, output: call.outputShape)
                : call.children.reduce(0) { $0 + (flops[$1] ?? 0) }
        }
        return calls.indices.dropFirst().map { index in
            let call = calls[index]
            return ModelSummary.Layer(
                name: nameOf[ObjectIdentifier(call.module)] ?? "?", type: String(describing: type(of: call.module)),
                depth: call.depth, outputShape: call.outputShape, parameters: call.module.parameterCount, flops: flops[index])
        }
    }

    /// Forward FLOPs for one example of a leaf module of a known type (a multiply-add counts 2),
    /// from its input and output shapes (batch first); nil for other types.
    func forwardFLOPs(input: [Int], output: [Int]) -> Int? {
        let batch = Swift.max(output.first ?? 1, 1)
        let outputs = output.reduce(1, *) / batch
        switch self {
        case let conv as Conv2d:
            return 2 * outputs * (conv.inChannels / conv.groups) * conv.kernelSize.0 * conv.kernelSize.1
        case let linear as Linear:
            return 2 * outputs * linear.inFeatures
        case let pool as MaxPool2d:
            return outputs * pool.kernelSize.0 * pool.kernelSize.1
        case let pool as AvgPool2d:
            return outputs * pool.kernelSize.0 * pool.kernelSize.1
        case let norm as LocalResponseNorm:
            return outputs * (2 * norm.parameters.size + 4)
        case is BatchNorm2d:
            return 2 * outputs
        case is ReLU, is Tanh, is Sigmoid:
            return outputs
        case is Softmax:
            return 3 * outputs
        case is Flatten, is Dropout:
            return 0
        default:
            return nil
        }
    }
}
