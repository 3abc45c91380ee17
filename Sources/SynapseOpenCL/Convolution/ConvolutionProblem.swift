import SynapseBackend

/// One pass of one convolution geometry (batch included): what tuning results are keyed on.
public struct ConvolutionProblem: Sendable, Hashable, CustomStringConvertible {
    public var pass: ConvolutionPass
    public var geometry: Conv2dGeometry

    public init(_ pass: ConvolutionPass, _ geometry: Conv2dGeometry) {
        self.pass = pass
        self.geometry = geometry
    }

    /// The stable text key of the tuning file: `forward n256 c1 28x28 oc6 k5x5 s1x1 p2x2 d1x1 g1`.
    public var key: String {
        let g = geometry
        return "\(pass.rawValue) n\(g.batch) c\(g.inChannels) \(g.inHeight)x\(g.inWidth) oc\(g.outChannels) "
            + "k\(g.kernelHeight)x\(g.kernelWidth) s\(g.strideY)x\(g.strideX) p\(g.padY)x\(g.padX) "
            + "d\(g.dilationY)x\(g.dilationX) g\(g.groups)"
    }

    public var description: String { key }

    /// Whether the direct kernels cover this problem: the input gradient only at stride 1 (a
    /// strided one keeps im2col; AlexNet's only strided layer is the first, which needs none).
    public var directIsSupported: Bool {
        pass != .inputGradient || (geometry.strideY == 1 && geometry.strideX == 1)
    }

    /// Multiply-adds times two: the same for all three passes.
    public var flops: Double { geometry.forwardFLOPs }
}
