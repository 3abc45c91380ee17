import CSynapseOpenCL
import SynapseBackend

/// The epilogue of a GEMM or convolution (`Kernels/epilogue.cl`): bias and activation in one
/// elementwise launch; the gradient in one launch that also sums the bias gradient, a work-group
/// per channel. Each layer shape and activation is its own build (constants fold).
extension OpenCLDevice {

    /// `epilogue.cl`'s build-time constants for one layer shape and activation.
    static func epilogueDefines(_ activation: Activation, channels: Int, inner: Int, hasBias: Bool) -> String {
        defines(["C": channels, "INNER": inner, "ACTIVATION": activation.kernelCode, "HAS_BIAS": hasBias ? 1 : 0])
    }

    package func biasActivation(_ activation: Activation, x: BufferView, bias: BufferView?, y: BufferView) throws {
        let op = "biasActivation"
        let xm = try checkedMem(x, op), ym = try checkedMem(y, op)
        let bm = try bias.map { try checkedMem($0, op) } ?? xm
        try launch("bias_activation_f32", defines: Self.epilogueDefines(activation, channels: x.shape[1], inner: x.shape[2],
                                                                       hasBias: bias != nil),
                   global: x.count, [.buffer(ym), .i(y.offset), .buffer(xm), .i(x.offset), .buffer(bm),
                                     .i(bias?.offset ?? 0), .i(x.count)])
    }

    package func biasActivationBackward(_ activation: Activation, gradY gy: BufferView, y: BufferView, gradX gx: BufferView,
                                        gradBias: BufferView?) throws {
        let op = "biasActivationBackward"
        let gym = try checkedMem(gy, op), ym = try checkedMem(y, op), gxm = try checkedMem(gx, op)
        let (outer, channels, inner) = (gy.shape[0], gy.shape[1], gy.shape[2])
        guard let gradBias else {
            try launch("bias_activation_backward_f32", defines: Self.epilogueDefines(activation, channels: 1, inner: 1, hasBias: false),
                       global: gy.count, [.buffer(gxm), .i(gx.offset), .buffer(gym), .i(gy.offset), .buffer(ym),
                                          .i(y.offset), .i(gy.count)])
            return
        }
        let kernel = "bias_activation_backward_bias_f32"
        let group = try rowGroupSize(for: outer * inner, kernel: kernel)
        try launch(kernel, defines: Self.epilogueDefines(activation, channels: channels, inner: inner, hasBias: true),
                   global: channels * group, local: group,
                   [.buffer(gxm), .i(gx.offset), .buffer(gym), .i(gy.offset), .buffer(ym), .i(y.offset),
                    .buffer(try checkedMem(gradBias, op)), .i(gradBias.offset), .i(outer)])
    }
}

extension Activation {
    /// The activation's number in the kernels (`epilogue.cl`, `conv_direct.cl`).
    var kernelCode: Int {
        switch self {
        case .identity: 0
        case .relu: 1
        case .tanh: 2
        case .sigmoid: 3
        }
    }
}
