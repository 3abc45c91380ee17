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
}
