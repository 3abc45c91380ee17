import SynapseCore

/// Max pooling over `[N, C, H, W]` (PyTorch's `nn.MaxPool2d`, floor mode). Stride defaults to the kernel.
public final class MaxPool2d: Module {
    /// Window, step and padding (never chosen as a maximum), each (height, width).
    public let kernelSize: (Int, Int), stride: (Int, Int), padding: (Int, Int)

    /// Pooling with a (height, width) kernel; `stride` defaults to the kernel.
    public init(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) {
        self.kernelSize = kernelSize; self.stride = stride ?? kernelSize; self.padding = padding
        super.init()
    }

    /// Square kernel, stride (default: the kernel) and padding.
    public convenience init(kernelSize: Int, stride: Int? = nil, padding: Int = 0) {
        self.init(kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) }, padding: (padding, padding))
    }

    public override func forward(_ input: Tensor) -> Tensor {
        input.maxPool2d(kernel: kernelSize, stride: stride, padding: padding, name: "MaxPool2d")
    }
}
