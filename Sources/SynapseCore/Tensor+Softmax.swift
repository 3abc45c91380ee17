import SynapseBackend

extension Tensor {
    /// Softmax along `axis` (max-subtracted, so large logits do not overflow).
    public func softmax(axis: Int = -1) -> Tensor { softmaxFamily(axis: axis, log: false) }

    /// Log-softmax along `axis`, computed stably as `x - max - log(sum(exp(x - max)))`.
    public func logSoftmax(axis: Int = -1) -> Tensor { softmaxFamily(axis: axis, log: true) }

    private func softmaxFamily(axis: Int, log: Bool) -> Tensor {
        let name = log ? "logSoftmax" : "softmax"
        requireFloat(name)
        let a = self.axis(axis, op: name)
        if a != rank - 1 { return transpose(a, rank - 1).softmaxFamily(axis: -1, log: log).transpose(a, rank - 1) }
        let input = withoutGradient { contiguous() }
        let cols = Swift.max(shape.last ?? 1, 1)
        let result = Tensor(empty: shape, on: device)
        ExecutionLatch.run(.softmax(log: log), on: device,
                   inputs: [input.bufferView?.reshaped([count / cols, cols])],
                   outputs: [result.bufferView?.reshaped([count / cols, cols])], retaining: [input])
        return Tensor.record(result, log ? .logSoftmax : .softmax, [self], saved: [result.detached()])
    }

    /// How a loss combines the per-sample values.
    public enum Reduction: Sendable { case mean, sum, none }

    /// Cross-entropy of `logits` `[N, C]` against int32 class `labels` `[N]`, fused with the log-softmax.
    /// A label outside `0..<C` makes that sample's loss NaN.
    public func crossEntropy(labels: Tensor, reduction: Reduction = .mean) -> Tensor {
        requireFloat("crossEntropy")
        ensure(rank == 2 && labels.rank == 1 && labels.shape[0] == shape[0] && labels.dtype == .int32,
               "crossEntropy: expects logits [N, C] and int32 labels [N], got \(shape) and \(labels.dtype) \(labels.shape)")
        let device = Tensor.commonDevice("crossEntropy", [self, labels])
        let logits = withoutGradient { contiguous() }
        let labelsView = withoutGradient { labels.contiguous() }
        let losses = Tensor(empty: [shape[0]], on: device)
        ExecutionLatch.run(.crossEntropy, on: device, inputs: [logits.bufferView, labelsView.bufferView],
                   outputs: [losses.bufferView], retaining: [logits, labelsView])
        let perSample = Tensor.record(losses, .crossEntropy, [self], saved: [labelsView])
        switch reduction {
        case .mean: return perSample.mean()
        case .sum: return perSample.sum()
        case .none: return perSample
        }
    }

    /// Mean squared error between this tensor and `target` (same shape).
    public func meanSquaredError(_ target: Tensor) -> Tensor {
        ensure(shape == target.shape, "meanSquaredError: shapes \(shape) and \(target.shape) differ")
        return (self - target).square().mean()
    }
}
