import SynapseCore

/// Collapses dimensions `startAxis...` into one (PyTorch's `nn.Flatten`, default `[N, ...]` → `[N, -1]`).
public final class Flatten: Module {
    /// First dimension folded in.
    public let startAxis: Int

    /// Flattens from `startAxis` (default 1, keeping the batch) to the end.
    public init(startAxis: Int = 1) { self.startAxis = startAxis; super.init() }

    public override func forward(_ input: Tensor) -> Tensor { input.flatten(startAxis: startAxis) }
}
