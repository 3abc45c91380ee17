import CSynapseOpenCL
import SynapseBackend

/// The direct convolution kernels of `Kernels/conv_direct.cl`, each built for one geometry and
/// blocking (their `-D` defines), so the compiler folds the index arithmetic and unrolls the taps.
extension OpenCLDevice {
    /// The defines of `problem`'s kernel with `blocking` (the kernel-side names of `conv_direct.cl`).
    static func directDefines(_ problem: ConvolutionProblem, _ blocking: DirectConvolutionBlocking,
                              hasBias: Bool = false, activation: Activation = .identity) -> String {
        let g = problem.geometry
        var values: [(String, Int)]
        switch problem.pass {
        case .forward, .weightGradient:
            values = [("C", g.inChannels), ("H", g.inHeight), ("W", g.inWidth), ("OC", g.outChannels),
                      ("OH", g.outHeight), ("OW", g.outWidth), ("SY", g.strideY), ("SX", g.strideX),
                      ("PY", g.padY), ("PX", g.padX), ("FLIP", 0)]
        case .inputGradient:
            // A stride-1 correlation of dy with the rotated kernel, padded so every tap that reached
            // an input pixel in the forward pass is met again.
            values = [("C", g.outChannels), ("H", g.outHeight), ("W", g.outWidth), ("OC", g.inChannels),
                      ("OH", g.inHeight), ("OW", g.inWidth), ("SY", 1), ("SX", 1),
                      ("PY", g.dilationY * (g.kernelHeight - 1) - g.padY),
                      ("PX", g.dilationX * (g.kernelWidth - 1) - g.padX), ("FLIP", 1)]
        }
        values += [("KH", g.kernelHeight), ("KW", g.kernelWidth), ("DY", g.dilationY), ("DX", g.dilationX),
                   ("G", g.groups), ("TM", blocking.outputsPerItem), ("TN", blocking.columnsPerItem),
                   ("SPLIT", blocking.slices), ("HAS_BIAS", hasBias ? 1 : 0), ("ACTIVATION", activation.kernelCode),
                   ("DELIBERATELY_WRONG", blocking.deliberatelyWrong ? 1 : 0)]
        return values.map { "-D\($0.0)=\($0.1)" }.joined(separator: " ")
    }

    /// Forward pass: `y = activation(conv(x, w) + bias)`.
    func directConv2d(_ g: Conv2dGeometry, _ blocking: DirectConvolutionBlocking, x: BufferView, weight w: BufferView,
                      bias: BufferView?, activation: Activation = .identity, y: BufferView) throws {
        let op = "conv2d"
        let problem = ConvolutionProblem(.forward, g)
        let kernel = try kernels.kernel(named: "conv_direct_f32",
                                        defines: Self.directDefines(problem, blocking, hasBias: bias != nil, activation: activation))
        let xm = try checkedMem(x, op), wm = try checkedMem(w, op), ym = try checkedMem(y, op)
        let bm = try bias.map { try checkedMem($0, op) } ?? wm
        try launchDirect(kernel, problem, blocking, [.buffer(ym), .i(y.offset), .buffer(xm), .i(x.offset), .buffer(wm),
                                                     .i(w.offset), .buffer(bm), .i(bias?.offset ?? 0), .i(g.batch)])
    }

    /// Input gradient: `gx = conv_transpose(gy, w)`, stride 1 only (`directIsSupported`).
    func directConv2dBackwardInput(_ g: Conv2dGeometry, _ blocking: DirectConvolutionBlocking, gradY gy: BufferView,
                                   weight w: BufferView, gradX gx: BufferView) throws {
        let op = "conv2dBackwardInput"
        let problem = ConvolutionProblem(.inputGradient, g)
        let kernel = try kernels.kernel(named: "conv_direct_f32", defines: Self.directDefines(problem, blocking))
        let gym = try checkedMem(gy, op), wm = try checkedMem(w, op), gxm = try checkedMem(gx, op)
        try launchDirect(kernel, problem, blocking, [.buffer(gxm), .i(gx.offset), .buffer(gym), .i(gy.offset), .buffer(wm),
                                                     .i(w.offset), .buffer(wm), .i(0), .i(g.batch)])
    }

    /// Weight gradient: each of `blocking.slices` image slices sums into its own partial result,
    /// added up by one more launch (none with a single slice).
    func directConv2dBackwardWeight(_ g: Conv2dGeometry, _ blocking: DirectConvolutionBlocking, x: BufferView,
                                    gradY gy: BufferView, gradWeight gw: BufferView) throws {
        let op = "conv2dBackwardWeight"
        let problem = ConvolutionProblem(.weightGradient, g)
        let kernel = try kernels.kernel(named: "conv_direct_weight_f32", defines: Self.directDefines(problem, blocking))
        let xm = try checkedMem(x, op), gym = try checkedMem(gy, op), gwm = try checkedMem(gw, op)
        let count = g.outChannels * g.inChannelsPerGroup * g.kernelHeight * g.kernelWidth
        let partial = blocking.slices > 1 ? try scratch(blocking.slices * count) : nil
        defer { partial.map(release) }
        let target = try partial.map { try mem($0, op) } ?? gwm
        let items = g.groups * ((g.outChannelsPerGroup + blocking.outputsPerItem - 1) / blocking.outputsPerItem)
            * g.inChannelsPerGroup * g.kernelHeight
        let group = min(blocking.groupSize, maxWorkGroupSize)
        try launch(kernel, "conv_direct_weight_f32", global: [items, blocking.slices], local: [group, 1],
                   [.buffer(target), .i(partial == nil ? gw.offset : 0), .buffer(xm), .i(x.offset), .buffer(gym),
                    .i(gy.offset), .i(g.batch)])
        if partial != nil {
            try launch("sum_slices_f32", global: count,
                       [.buffer(gwm), .i(gw.offset), .buffer(target), .i(blocking.slices), .i(count), .float(0)])
        }
    }

    /// The forward-shaped launch: dim 0 over (image, output row, column block), dim 1 over channel blocks.
    private func launchDirect(_ kernel: cl_kernel, _ problem: ConvolutionProblem, _ blocking: DirectConvolutionBlocking,
                              _ arguments: [KernelArgument]) throws {
        let g = problem.geometry
        let (rows, columns, channels) = problem.pass == .forward
            ? (g.outHeight, g.outWidth, g.outChannelsPerGroup)
            : (g.inHeight, g.inWidth, g.inChannelsPerGroup)
        let items = g.batch * rows * ((columns + blocking.columnsPerItem - 1) / blocking.columnsPerItem)
        let blocks = g.groups * ((channels + blocking.outputsPerItem - 1) / blocking.outputsPerItem)
        let group = min(blocking.groupSize, maxWorkGroupSize)
        try launch(kernel, "conv_direct_f32", global: [items, blocks], local: [group, 1], arguments)
    }
}
