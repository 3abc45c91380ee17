import SynapseBackend
import SynapseCore

/// Local response normalisation across channels, PyTorch's `nn.LocalResponseNorm`:
/// `y = x / (k + alpha/size · Σ x²)^beta` over `size` neighbouring channels.
///
/// PyTorch divides `alpha` by `size`; the AlexNet paper does not, so the paper's `α = 1e-4` with
/// `n = 5` is `alpha: 5e-4` here.
public final class LocalResponseNorm: Module {
    /// Window size, α, β and k.
    public let parameters: LRNParameters

    /// PyTorch's defaults: `alpha 1e-4`, `beta 0.75`, `k 1`.
    public init(size: Int, alpha: Float = 1e-4, beta: Float = 0.75, k: Float = 1) {
        ensure(size >= 1, "LocalResponseNorm: size must be positive, got \(size)")
        parameters = LRNParameters(size: size, alpha: alpha, beta: beta, k: k)
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor { input.localResponseNorm(parameters) }
}
