import SynapseBackend

extension Tensor {
    /// Local response normalisation across channels (AlexNet 2012; PyTorch's `local_response_norm`).
    public func localResponseNorm(_ parameters: LRNParameters = LRNParameters()) -> Tensor {
        requireFloat("localResponseNorm")
        ensure(rank == 4, "localResponseNorm: expects [N, C, H, W], got \(shape)")
        ensure(parameters.size >= 1, "localResponseNorm: size must be positive, got \(parameters.size)")
        let x = withoutGradient { contiguous() }
        let result = Tensor(empty: shape, on: device)
        ExecutionLatch.run(.localResponseNorm(parameters), on: device, inputs: [x.bufferView],
                   outputs: [result.bufferView], retaining: [x])
        return Tensor.record(result, .localResponseNorm(parameters), [self], saved: [result.detached()])
    }

    /// Batch normalisation of each channel of this `[N, C, H, W]` tensor (PyTorch's `batch_norm`), in
    /// one primitive. Training normalises with the batch statistics and updates `runningMean` and
    /// `runningVar` (contiguous `[C]` tensors on the same device) in place; evaluation normalises with
    /// them. `weight` and `bias` are `[C]`; pass ones and zeros for a layer without affine parameters.
    /// Inside `withBatchNormGroup`, training uses the statistics of the group's global batch.
    public func batchNorm(weight: Tensor, bias: Tensor, runningMean: Tensor, runningVar: Tensor,
                          _ parameters: BatchNormParameters) -> Tensor {
        let name = "batchNorm"
        ensure(rank == 4, "\(name): expects input [N, C, H, W], got \(shape)")
        let channels = [shape[1]]
        for (tensor, role) in [(weight, "weight"), (bias, "bias"), (runningMean, "runningMean"), (runningVar, "runningVar")] {
            tensor.requireFloat(name)
            ensure(tensor.shape == channels, "\(name): \(role) shape \(tensor.shape) must be \(channels) for input \(shape)")
        }
        ensure(runningMean.isContiguous && runningVar.isContiguous, "\(name): running statistics must be contiguous")
        ensure(!parameters.training || count / Swift.max(shape[1], 1) > 1,
               "\(name): needs more than one value per channel in training, got input \(shape)")
        let device = Tensor.commonDevice(name, [self, weight, bias, runningMean, runningVar])
        let operands = withoutGradient { [self, weight, bias].map { $0.contiguous() } }
        let result = Tensor(empty: shape, on: device)
        guard parameters.training else {
            ExecutionLatch.run(.batchNorm(parameters), on: device,
                               inputs: operands.map(\.bufferView) + [runningMean.bufferView, runningVar.bufferView],
                               outputs: [result.bufferView], retaining: operands)
            // The chain rule in evaluation treats the running statistics as constants.
            let invStd = withoutGradient { (runningVar + parameters.epsilon).pow(-0.5) }
            return Tensor.record(result, .batchNorm(parameters), [self, weight, bias], saved: [runningMean.detached(), invStd])
        }
        if let group = BatchNormGroupScope.current {
            return syncBatchNorm(operands: operands, runningMean: runningMean, runningVar: runningVar, parameters, group: group)
        }
        let mean = Tensor(empty: channels, on: device), invStd = Tensor(empty: channels, on: device)
        ExecutionLatch.run(.batchNorm(parameters), on: device, inputs: operands.map(\.bufferView),
                           outputs: [result.bufferView, mean.bufferView, invStd.bufferView, runningMean.bufferView,
                                     runningVar.bufferView],
                           retaining: operands)
        return Tensor.record(result, .batchNorm(parameters), [self, weight, bias], saved: [mean, invStd])
    }
}
