import SynapseCore
import SynapseNN

/// LeNet-5 (LeCun et al., 1998) for `1×28×28` input: `conv1` 6@5×5 (padding 2) → tanh → 2×2 average
/// pooling → `conv2` 16@5×5 → tanh → 2×2 average pooling → flatten (400) → `fc1` 120 → tanh → `fc2` 84
/// → tanh → `fc3` classes. 61,706 parameters with 10 classes.
public final class LeNet5: Module {
    /// 1 → 6 channels, 5×5, padding 2.
    public let conv1: Conv2d
    /// 6 → 16 channels, 5×5.
    public let conv2: Conv2d
    /// 400 → 120.
    public let fc1: Linear
    /// 120 → 84.
    public let fc2: Linear
    /// 84 → classes.
    public let fc3: Linear

    /// Input `[N, 1, 28, 28]`.
    public static let inputShape = [1, 28, 28]

    /// LeNet-5 with `classes` outputs, drawn on the current device.
    public init(classes: Int = 10) {
        conv1 = Conv2d(1, 6, kernelSize: 5, padding: 2)
        conv2 = Conv2d(6, 16, kernelSize: 5)
        fc1 = Linear(16 * 5 * 5, 120)
        fc2 = Linear(120, 84)
        fc3 = Linear(84, classes)
        super.init()
    }

    public override func forward(_ input: Tensor) -> Tensor {
        var x = conv1(input, activation: .tanh).avgPool2d(kernel: (2, 2), name: "LeNet5.pool1")
        x = conv2(x, activation: .tanh).avgPool2d(kernel: (2, 2), name: "LeNet5.pool2")
        x = x.flatten()
        x = fc1(x, activation: .tanh)
        x = fc2(x, activation: .tanh)
        return fc3(x)
    }
}
