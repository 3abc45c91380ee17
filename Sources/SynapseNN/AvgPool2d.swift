import SynapseCore

/// Average pooling over `[N, C, H, W]` (PyTorch's `nn.AvgPool2d`, floor mode). Stride defaults to the kernel.
public final class AvgPool2d: Module {
    /// Window, step and zero padding, each (height, width).
    public let kernelSize: (Int, Int), stride: (Int, Int), padding: (Int, Int)
    /// Whether padding counts in the divisor (PyTorch's `count_include_pad`, default true).
    public let countIncludePad: Bool

    /// Pooling with a (height, width) kernel; `stride` defaults to the kernel.
    public init(kernelSize: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
                countIncludePad: Bool = true) {
        self.kernelSize = kernelSize; self.stride = stride ?? kernelSize; self.padding = padding
        self.countIncludePad = countIncludePad
        super.init()
    }

    /// Square kernel, stride (default: the kernel) and padding.
    public convenience init(kernelSize: Int, stride: Int? = nil, padding: Int = 0, countIncludePad: Bool = true) {
        self.init(kernelSize: (kernelSize, kernelSize), stride: stride.map { ($0, $0) }, padding: (padding, padding),
                  countIncludePad: countIncludePad)
    }

    public override func forward(_ input: Tensor) -> Tensor {
        input.avgPool2d(kernel: kernelSize, stride: stride, padding: padding, countIncludePad: countIncludePad,
                        name: "AvgPool2d")
    }
}
