import SynapseBackend

/// Max and average pooling over NCHW planes and their gradients, with PyTorch's window rules
/// (`ceil_mode=False`; padding never wins a max; `count_include_pad` for averages).
///
/// Planes are independent, so threads take disjoint ranges of `batch * channels` planes and the
/// backward passes scatter without races.
extension CPUDevice {
    /// The clipped window of one output position along one axis: `lo..<hi` in input coordinates,
    /// plus the window length before clipping to the input (but after clipping to the padded input).
    @inline(__always)
    private static func window(_ o: Int, stride: Int, pad: Int, kernel: Int, extent: Int) -> (lo: Int, hi: Int, padded: Int) {
        let start = o * stride - pad
        let end = min(start + kernel, extent + pad)
        return (max(start, 0), min(end, extent), end - start)
    }

    private func checkedPool(_ name: String, _ g: Pool2dGeometry) throws {
        if let problem = g.validationError(layer: name) { throw failure(name, problem) }
    }

    func maxPool2d(_ g: Pool2dGeometry, _ inputs: [BufferView], _ outputs: [BufferView]) throws {
        let name = "maxPool2d"
        try checkedPool(name, g)
        try expectArity(name, inputs, 1, outputs, 2)
        let x = try contiguousFloats(name, "input", inputs[0], g.inputShape)
        let y = try contiguousFloats(name, "output", outputs[0], g.outputShape)
        let arg = try contiguousInt32s(name, "argmax", outputs[1], g.outputShape)
        let (inPlane, outPlane) = (g.inHeight * g.inWidth, g.outHeight * g.outWidth)
        ParallelFor.run(g.batch * g.channels, costPerItem: outPlane * g.kernelHeight * g.kernelWidth) { planes in
            for p in planes {
                let source = x + p * inPlane, out = y + p * outPlane, at = arg + p * outPlane
                for oy in 0..<g.outHeight {
                    let rows = CPUDevice.window(oy, stride: g.strideY, pad: g.padY, kernel: g.kernelHeight, extent: g.inHeight)
                    for ox in 0..<g.outWidth {
                        let cols = CPUDevice.window(ox, stride: g.strideX, pad: g.padX, kernel: g.kernelWidth, extent: g.inWidth)
                        var best = -Float.infinity, index = rows.lo * g.inWidth + cols.lo
                        for h in rows.lo..<rows.hi {
                            for w in cols.lo..<cols.hi {
                                let v = source[h * g.inWidth + w]
                                // As in PyTorch: strictly greater wins, and a NaN always wins.
                                if v > best || v.isNaN { best = v; index = h * g.inWidth + w }
                            }
                        }
                        out[oy * g.outWidth + ox] = best
                        at[oy * g.outWidth + ox] = Int32(truncatingIfNeeded: index)
                    }
                }
            }
        }
    }

    func maxPool2dBackward(_ g: Pool2dGeometry, _ inputs: [BufferView], _ outputs: [BufferView]) throws {
        let name = "maxPool2dBackward"
        try checkedPool(name, g)
        try expectArity(name, inputs, 2, outputs, 1)
        let gy = try contiguousFloats(name, "gradOutput", inputs[0], g.outputShape)
        let arg = try contiguousInt32s(name, "argmax", inputs[1], g.outputShape)
        let gx = try contiguousFloats(name, "gradInput", outputs[0], g.inputShape)
        let (inPlane, outPlane) = (g.inHeight * g.inWidth, g.outHeight * g.outWidth)
        // Indices come from memory the caller wrote: check them before scattering through them.
        let total = g.batch * g.channels * outPlane
        for i in 0..<total where arg[i] < 0 || Int(arg[i]) >= inPlane {
            throw failure(name, "argmax[\(i)] = \(arg[i]) is outside the input plane of \(inPlane) elements")
        }
        ParallelFor.run(g.batch * g.channels, costPerItem: inPlane + outPlane) { planes in
            for p in planes {
                let target = gx + p * inPlane, grad = gy + p * outPlane, at = arg + p * outPlane
                target.update(repeating: 0, count: inPlane)
                for o in 0..<outPlane { target[Int(at[o])] += grad[o] }
            }
        }
    }

    func avgPool2d(_ g: Pool2dGeometry, _ inputs: [BufferView], _ outputs: [BufferView]) throws {
        let name = "avgPool2d"
        try checkedPool(name, g)
        try expectArity(name, inputs, 1, outputs, 1)
        let x = try contiguousFloats(name, "input", inputs[0], g.inputShape)
        let y = try contiguousFloats(name, "output", outputs[0], g.outputShape)
        let (inPlane, outPlane) = (g.inHeight * g.inWidth, g.outHeight * g.outWidth)
        ParallelFor.run(g.batch * g.channels, costPerItem: outPlane * g.kernelHeight * g.kernelWidth) { planes in
            for p in planes {
                let source = x + p * inPlane, out = y + p * outPlane
                for oy in 0..<g.outHeight {
                    let rows = CPUDevice.window(oy, stride: g.strideY, pad: g.padY, kernel: g.kernelHeight, extent: g.inHeight)
                    for ox in 0..<g.outWidth {
                        let cols = CPUDevice.window(ox, stride: g.strideX, pad: g.padX, kernel: g.kernelWidth, extent: g.inWidth)
                        var sum: Float = 0
                        for h in rows.lo..<rows.hi {
                            for w in cols.lo..<cols.hi { sum += source[h * g.inWidth + w] }
                        }
                        let divisor = g.countIncludePad ? rows.padded * cols.padded : (rows.hi - rows.lo) * (cols.hi - cols.lo)
                        out[oy * g.outWidth + ox] = sum / Float(divisor)
                    }
                }
            }
        }
    }

    func avgPool2dBackward(_ g: Pool2dGeometry, _ inputs: [BufferView], _ outputs: [BufferView]) throws {
        let name = "avgPool2dBackward"
        try checkedPool(name, g)
        try expectArity(name, inputs, 1, outputs, 1)
        let gy = try contiguousFloats(name, "gradOutput", inputs[0], g.outputShape)
        let gx = try contiguousFloats(name, "gradInput", outputs[0], g.inputShape)
        let (inPlane, outPlane) = (g.inHeight * g.inWidth, g.outHeight * g.outWidth)
        ParallelFor.run(g.batch * g.channels, costPerItem: inPlane + outPlane * g.kernelHeight * g.kernelWidth) { planes in
            for p in planes {
                let target = gx + p * inPlane, grad = gy + p * outPlane
                target.update(repeating: 0, count: inPlane)
                for oy in 0..<g.outHeight {
                    let rows = CPUDevice.window(oy, stride: g.strideY, pad: g.padY, kernel: g.kernelHeight, extent: g.inHeight)
                    for ox in 0..<g.outWidth {
                        let cols = CPUDevice.window(ox, stride: g.strideX, pad: g.padX, kernel: g.kernelWidth, extent: g.inWidth)
                        let divisor = g.countIncludePad ? rows.padded * cols.padded : (rows.hi - rows.lo) * (cols.hi - cols.lo)
                        let share = grad[oy * g.outWidth + ox] / Float(divisor)
                        for h in rows.lo..<rows.hi {
                            for w in cols.lo..<cols.hi { target[h * g.inWidth + w] += share }
                        }
                    }
                }
            }
        }
    }
}
