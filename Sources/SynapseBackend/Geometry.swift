/// Shape arithmetic for 2-D convolution, as in PyTorch's `nn.Conv2d` (NCHW input,
/// `[out, in/groups, kh, kw]` weight).
public struct Conv2dGeometry: Sendable, Hashable {
    public var batch: Int, inChannels: Int, inHeight: Int, inWidth: Int
    public var outChannels: Int, kernelHeight: Int, kernelWidth: Int
    public var strideY: Int, strideX: Int, padY: Int, padX: Int
    public var dilationY: Int, dilationX: Int, groups: Int

    public init(batch: Int, inChannels: Int, inHeight: Int, inWidth: Int,
                outChannels: Int, kernelHeight: Int, kernelWidth: Int,
                stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
                dilation: (Int, Int) = (1, 1), groups: Int = 1) {
        self.batch = batch; self.inChannels = inChannels; self.inHeight = inHeight; self.inWidth = inWidth
        self.outChannels = outChannels; self.kernelHeight = kernelHeight; self.kernelWidth = kernelWidth
        self.strideY = stride.0; self.strideX = stride.1; self.padY = padding.0; self.padX = padding.1
        self.dilationY = dilation.0; self.dilationX = dilation.1; self.groups = groups
    }

    public var outHeight: Int { (inHeight + 2 * padY - dilationY * (kernelHeight - 1) - 1) / strideY + 1 }
    public var outWidth: Int { (inWidth + 2 * padX - dilationX * (kernelWidth - 1) - 1) / strideX + 1 }
    public var inChannelsPerGroup: Int { inChannels / groups }
    public var outChannelsPerGroup: Int { outChannels / groups }
    public var inputShape: [Int] { [batch, inChannels, inHeight, inWidth] }
    public var weightShape: [Int] { [outChannels, inChannelsPerGroup, kernelHeight, kernelWidth] }
    public var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }
    /// The output as the bias-and-activation epilogue sees it: `[N, C, H·W]`.
    public var epilogueShape: [Int] { [batch, outChannels, outHeight * outWidth] }
    /// Multiply-adds of the forward pass times two.
    public var forwardFLOPs: Double {
        2 * Double(batch * outChannels * outHeight * outWidth) * Double(inChannelsPerGroup * kernelHeight * kernelWidth)
    }

    /// Why this geometry cannot run, or nil when it can. `layer` names the caller in the message.
    public func validationError(layer: String = "conv2d") -> String? {
        if batch < 1 || inChannels < 1 || inHeight < 1 || inWidth < 1 {
            return "\(layer): input shape \(inputShape) must be positive in every dimension"
        }
        if groups < 1 { return "\(layer): groups must be at least 1, got \(groups)" }
        if inChannels % groups != 0 || outChannels % groups != 0 {
            return "\(layer): \(inChannels) input and \(outChannels) output channels must both be divisible by groups=\(groups)"
        }
        if kernelHeight < 1 || kernelWidth < 1 { return "\(layer): kernel \(kernelHeight)x\(kernelWidth) must be positive" }
        if strideY < 1 || strideX < 1 { return "\(layer): stride (\(strideY), \(strideX)) must be positive" }
        if padY < 0 || padX < 0 { return "\(layer): padding (\(padY), \(padX)) must not be negative" }
        if dilationY < 1 || dilationX < 1 { return "\(layer): dilation (\(dilationY), \(dilationX)) must be positive" }
        if outHeight < 1 || outWidth < 1 {
            return "\(layer): kernel \(kernelHeight)x\(kernelWidth) (dilation \(dilationY),\(dilationX)) is larger than the padded input \(inHeight + 2 * padY)x\(inWidth + 2 * padX) of input shape \(inputShape)"
        }
        return nil
    }
}

/// Shape arithmetic for 2-D max and average pooling over NCHW input, as in PyTorch
/// (`ceil_mode=False`; `countIncludePad` is `count_include_pad`, PyTorch's default true).
public struct Pool2dGeometry: Sendable, Hashable {
    public var batch: Int, channels: Int, inHeight: Int, inWidth: Int
    public var kernelHeight: Int, kernelWidth: Int, strideY: Int, strideX: Int, padY: Int, padX: Int
    public var countIncludePad: Bool

    public init(batch: Int, channels: Int, inHeight: Int, inWidth: Int, kernel: (Int, Int),
                stride: (Int, Int), padding: (Int, Int) = (0, 0), countIncludePad: Bool = true) {
        self.batch = batch; self.channels = channels; self.inHeight = inHeight; self.inWidth = inWidth
        self.kernelHeight = kernel.0; self.kernelWidth = kernel.1; self.strideY = stride.0; self.strideX = stride.1
        self.padY = padding.0; self.padX = padding.1; self.countIncludePad = countIncludePad
    }

    public var outHeight: Int { (inHeight + 2 * padY - kernelHeight) / strideY + 1 }
    public var outWidth: Int { (inWidth + 2 * padX - kernelWidth) / strideX + 1 }
    public var inputShape: [Int] { [batch, channels, inHeight, inWidth] }
    public var outputShape: [Int] { [batch, channels, outHeight, outWidth] }

    /// Why this geometry cannot run, or nil when it can.
    public func validationError(layer: String = "pool2d") -> String? {
        if batch < 1 || channels < 1 || inHeight < 1 || inWidth < 1 {
            return "\(layer): input shape \(inputShape) must be positive in every dimension"
        }
        if kernelHeight < 1 || kernelWidth < 1 { return "\(layer): kernel \(kernelHeight)x\(kernelWidth) must be positive" }
        if strideY < 1 || strideX < 1 { return "\(layer): stride (\(strideY), \(strideX)) must be positive" }
        if padY < 0 || padX < 0 { return "\(layer): padding (\(padY), \(padX)) must not be negative" }
        if padY * 2 > kernelHeight || padX * 2 > kernelWidth {
            return "\(layer): padding (\(padY), \(padX)) must be at most half the kernel \(kernelHeight)x\(kernelWidth)"
        }
        if outHeight < 1 || outWidth < 1 {
            return "\(layer): kernel \(kernelHeight)x\(kernelWidth) is larger than the padded input \(inHeight + 2 * padY)x\(inWidth + 2 * padX) of input shape \(inputShape)"
        }
        return nil
    }
}

/// Local response normalisation across channels, PyTorch's convention:
/// `y = x / (k + alpha/size * sum over the window of x²)^beta`, window centred on the channel
/// (from `c - size/2` to `c + (size-1)/2`, clipped at the edges).
public struct LRNParameters: Sendable, Hashable {
    public var size: Int, alpha: Float, beta: Float, k: Float
    public init(size: Int = 5, alpha: Float = 1e-4, beta: Float = 0.75, k: Float = 2) {
        self.size = size; self.alpha = alpha; self.beta = beta; self.k = k
    }
}

/// Batch normalisation settings, PyTorch's `eps` and `momentum`, and whether batch statistics
/// (training) or running statistics (evaluation) normalise.
public struct BatchNormParameters: Sendable, Hashable {
    public var epsilon: Float, momentum: Float
    public var training: Bool
    public init(epsilon: Float = 1e-5, momentum: Float = 0.1, training: Bool) {
        self.epsilon = epsilon; self.momentum = momentum; self.training = training
    }
}

/// One SGD step with PyTorch's `torch.optim.SGD` semantics.
public struct SGDParameters: Sendable, Hashable {
    public var learningRate: Float, momentum: Float, dampening: Float, weightDecay: Float
    public var nesterov: Bool
    /// True on the first step: the momentum buffer is set to the gradient instead of blended.
    public var firstStep: Bool
    public init(learningRate: Float, momentum: Float = 0, dampening: Float = 0, weightDecay: Float = 0,
                nesterov: Bool = false, firstStep: Bool) {
        self.learningRate = learningRate; self.momentum = momentum; self.dampening = dampening
        self.weightDecay = weightDecay; self.nesterov = nesterov; self.firstStep = firstStep
    }
}

/// One Adam or AdamW step with PyTorch's semantics (bias-corrected moments).
public struct AdamParameters: Sendable, Hashable {
    public var learningRate: Float, beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    /// AdamW: decay the weights directly instead of adding `weightDecay * param` to the gradient.
    public var decoupledWeightDecay: Bool
    /// 1-based step count, for bias correction.
    public var step: Int
    public init(learningRate: Float, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
                weightDecay: Float = 0, decoupledWeightDecay: Bool = false, step: Int) {
        self.learningRate = learningRate; self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        self.weightDecay = weightDecay; self.decoupledWeightDecay = decoupledWeightDecay; self.step = step
    }
}
