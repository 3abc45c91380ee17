import SynapseCore

/// Collapses dimensions `startAxis...` into one (PyTorch's `nn.Flatten`, default `[N, ...]` → `[N, -1]`).
public final class Flatten: Module {
    public let startAxis: Int

    public init(startAxis: Int = 1) { self.startAxis = startAxis; super.init() }

    public override func forward(_ input: Tensor) -> Tensor { input.flatten(startAxis: startAxis) }
}
