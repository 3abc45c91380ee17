import SynapseBackend

/// In-place updates outside the graph: fused optimizer steps and loading values.
extension Tensor {
    /// One fused SGD step on this parameter in place, reading `gradient` and updating `momentumBuffer`
    /// (same shape; ignored when momentum is 0).
    public func applySGD(gradient: Tensor, momentumBuffer: Tensor, _ parameters: SGDParameters) {
        requireUpdatable("applySGD", [gradient, momentumBuffer])
        let g = gradient.contiguous()
        ExecutionLatch.run(.sgdStep(parameters), on: device, inputs: [g.bufferView],
                   outputs: [bufferView, momentumBuffer.bufferView], retaining: [g])
    }

    /// One fused Adam/AdamW step on this parameter in place, updating both moment tensors.
    public func applyAdam(gradient: Tensor, firstMoment: Tensor, secondMoment: Tensor, _ parameters: AdamParameters) {
        requireUpdatable("applyAdam", [gradient, firstMoment, secondMoment])
        let g = gradient.contiguous()
        ExecutionLatch.run(.adamStep(parameters), on: device, inputs: [g.bufferView],
                   outputs: [bufferView, firstMoment.bufferView, secondMoment.bufferView], retaining: [g])
    }

    /// Multiplies every element by the one value of `factor` in place, outside the graph (gradient
    /// clipping).
    public func multiply(inPlaceBy factor: Tensor) {
        ensure(factor.count == 1 && isContiguous && dtype == .float32 && storage.constant == nil,
               "multiply(inPlaceBy:): needs a contiguous float32 tensor and a one-element factor, got \(shape) and \(factor.shape)")
        _ = Tensor.commonDevice("multiply(inPlaceBy:)", [self, factor])
        let broadcast = withoutGradient { factor.reshape(Array(repeating: 1, count: rank)).expand(to: shape) }
        ExecutionLatch.run(.binary(.mul), on: device, inputs: [bufferView, broadcast.bufferView], outputs: [bufferView],
                           retaining: [broadcast])
    }

    /// Adds to `count` (a one-element float tensor) how many rows of these logits `[N, C]` have their
    /// first maximal value at the row's int32 label: a running accuracy in one launch, no host read.
    public func addCorrectPredictions(labels: Tensor, to count: Tensor) {
        ensure(rank == 2 && dtype == .float32 && labels.dtype == .int32 && labels.shape == [shape[0]],
               "addCorrectPredictions: expects logits [N, C] and int32 labels [N], got \(shape) and \(labels.dtype) \(labels.shape)")
        ensure(count.count == 1 && count.isContiguous && count.dtype == .float32 && count.storage.constant == nil,
               "addCorrectPredictions: the count must be a one-element float32 tensor, got \(count.shape)")
        _ = Tensor.commonDevice("addCorrectPredictions", [self, labels, count])
        let logits = withoutGradient { contiguous() }
        let target = count.storage.buffer.map { BufferView(buffer: $0, shape: [1], offset: count.offset) }
        ExecutionLatch.run(.countCorrect, on: device, inputs: [logits.bufferView, labels.bufferView], outputs: [target],
                           retaining: [logits])
    }

    /// Overwrites the elements with host `values` (row-major), e.g. from a checkpoint.
    public func load(_ values: [Float]) {
        ensure(dtype == .float32 && isContiguous && values.count == count,
               "load: \(values.count) values for a \(dtype) tensor of shape \(shape)")
        values.withUnsafeBytes { upload($0) }
    }

    /// Overwrites the elements with host int32 `values` (row-major).
    public func load(int32 values: [Int32]) {
        ensure(dtype == .int32 && isContiguous && values.count == count,
               "load: \(values.count) int32 values for a \(dtype) tensor of shape \(shape)")
        values.withUnsafeBytes { upload($0) }
    }

    private func requireUpdatable(_ op: String, _ others: [Tensor]) {
        ensure(isContiguous && dtype == .float32, "\(op): parameter of shape \(shape) must be contiguous float32")
        for other in others {
            ensure(other.shape == shape, "\(op): shape \(other.shape) differs from the parameter's \(shape)")
            ensure(other !== self, "\(op): state tensor aliases the parameter")
        }
        _ = Tensor.commonDevice(op, [self] + others)
        for state in others.dropFirst() {
            ensure(state.isContiguous, "\(op): optimizer state of shape \(state.shape) must be contiguous")
        }
    }
}
