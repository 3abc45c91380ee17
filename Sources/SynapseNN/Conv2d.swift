import SynapseBackend
import SynapseCore

/// 2-D convolution over `[N, C, H, W]`, PyTorch's `nn.Conv2d`: `weight` `[out, in/groups, kh, kw]`,
/// `bias` `[out]`.
public final class Conv2d: Module, ActivationFusing {
    /// `[outChannels, inChannels / groups, kernelHeight, kernelWidth]`
    public let weight: Parameter
    /// `[outChannels]`, or nil without a bias.
    public let bias: Parameter?
    /// Input and output channels.
    public let inChannels: Int, outChannels: Int
    /// Geometry, each (height, width).
    public let kernelSize: (Int, Int), stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int)
    /// Channel groups convolved separately.
    public let groups: Int

    /// A convolution drawn on `device` (default: the current device). The default initialisation is
    /// PyTorch's: `U(±1/√fanIn)` for weight and bias, `fanIn = inChannels/groups · kh · kw`.
    public init(_ inChannels: Int, _ outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
                padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1, bias: Bool = true,
                weightInitializer: Initializer = .pytorchDefault, biasInitializer: Initializer = .pytorchDefault,
                on device: (any Device)? = nil) {
        ensure(groups >= 1 && inChannels % groups == 0 && outChannels % groups == 0,
               "Conv2d: \(inChannels) input and \(outChannels) output channels must be divisible by groups=\(groups)")
        ensure(kernelSize.0 > 0 && kernelSize.1 > 0, "Conv2d: kernel size \(kernelSize) must be positive")
        self.inChannels = inChannels; self.outChannels = outChannels
        self.kernelSize = kernelSize; self.stride = stride; self.padding = padding; self.dilation = dilation
        self.groups = groups
        let shape = [outChannels, inChannels / groups, kernelSize.0, kernelSize.1]
        weight = Parameter(weightInitializer.makeWeight(shape, on: device))
        let (fanIn, fanOut) = Initializer.fans(of: shape)
        self.bias = bias ? Parameter(biasInitializer.makeTensor([outChannels], fanIn: fanIn, fanOut: fanOut,
                                                               on: device)) : nil
        super.init()
    }

    /// A convolution with square kernel, stride, padding and dilation.
    public convenience init(_ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                            dilation: Int = 1, groups: Int = 1, bias: Bool = true,
                            weightInitializer: Initializer = .pytorchDefault,
                            biasInitializer: Initializer = .pytorchDefault, on device: (any Device)? = nil) {
        self.init(inChannels, outChannels, kernelSize: (kernelSize, kernelSize), stride: (stride, stride),
                  padding: (padding, padding), dilation: (dilation, dilation), groups: groups, bias: bias,
                  weightInitializer: weightInitializer, biasInitializer: biasInitializer, on: device)
    }

    public override func forward(_ input: Tensor) -> Tensor { forward(input, activation: .identity) }

    /// `activation(conv(x) + b)`, the activation applied in the launch that adds the bias.
    public func forward(_ input: Tensor, activation: Activation) -> Tensor {
        input.conv2d(weight.value, bias: bias?.value, stride: stride, padding: padding, dilation: dilation,
                     groups: groups, activation: activation, name: "Conv2d(\(inChannels) → \(outChannels))")
    }
}
