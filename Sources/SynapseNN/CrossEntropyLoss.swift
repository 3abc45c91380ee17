import SynapseCore

/// Cross-entropy of logits `[N, C]` against int32 class labels `[N]`, fused with the log-softmax
/// (PyTorch's `nn.CrossEntropyLoss`).
public struct CrossEntropyLoss: Sendable {
    /// How per-sample losses combine (mean by default).
    public var reduction: Tensor.Reduction

    /// A loss with `reduction`.
    public init(reduction: Tensor.Reduction = .mean) { self.reduction = reduction }

    /// The loss of `logits` `[N, C]` for int32 `labels` `[N]`.
    public func callAsFunction(_ logits: Tensor, _ labels: Tensor) -> Tensor {
        logits.crossEntropy(labels: labels, reduction: reduction)
    }
}
