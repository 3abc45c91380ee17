import SynapseBackend
import SynapseCore

/// A fully connected layer, `y = x Wᵀ + b`, with PyTorch's layout: `weight` `[out, in]`, `bias` `[out]`.
///
/// Accepts `[in]`, `[N, in]` or any `[..., in]` input.
public final class Linear: Module, ActivationFusing {
    /// `[outFeatures, inFeatures]`
    public let weight: Parameter
    /// `[outFeatures]`, or nil without a bias.
    public let bias: Parameter?
    /// Size of each input sample.
    public let inFeatures: Int
    /// Size of each output sample.
    public let outFeatures: Int

    /// A layer from `inFeatures` to `outFeatures`, drawn on `device` (default: the current device).
    /// The defaults are PyTorch's: `U(±1/√inFeatures)` for weight and bias.
    public init(_ inFeatures: Int, _ outFeatures: Int, bias: Bool = true,
                weightInitializer: Initializer = .pytorchDefault, biasInitializer: Initializer = .pytorchDefault,
                on device: (any Device)? = nil) {
        ensure(inFeatures > 0 && outFeatures > 0, "Linear: sizes must be positive, got \(inFeatures) → \(outFeatures)")
        self.inFeatures = inFeatures
        self.outFeatures = outFeatures
        let shape = [outFeatures, inFeatures]
        weight = Parameter(weightInitializer.makeWeight(shape, on: device))
        self.bias = bias ? Parameter(biasInitializer.makeTensor([outFeatures], fanIn: inFeatures, fanOut: outFeatures,
                                                               on: device)) : nil
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor { forward(input, activation: .identity) }

    /// `activation(x Wᵀ + b)`: one GEMM and one launch for bias and activation together.
    public func forward(_ input: Tensor, activation: Activation) -> Tensor {
        ensure(input.rank >= 1 && input.shape.last == inFeatures,
               "Linear(\(inFeatures) → \(outFeatures)): input shape \(input.shape) must end in \(inFeatures)")
        let rows = input.rank == 2 ? input : input.reshape([-1, inFeatures])
        let output = rows.linear(weight: weight.value, bias: bias?.value, activation: activation,
                                 name: "Linear(\(inFeatures) → \(outFeatures))")
        return input.rank == 2 ? output : output.reshape(Array(input.shape.dropLast()) + [outFeatures])
    }
}
