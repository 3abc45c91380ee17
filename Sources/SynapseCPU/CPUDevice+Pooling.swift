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

    /// Runs `.maxPool2d`: window maxima and the flat in-plane index of each winner.
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
                if g.kernelHeight == 2 && g.kernelWidth == 2 && g.strideY == 2 && g.strideX == 2 && g.padY == 0 && g.padX == 0 {
                    CPUDevice.maxPool2x2(source, g.inWidth, out, at, g.outHeight, g.outWidth)
                    continue
                }
                for oy in 0..<g.outHeight {
                    let rows = CPUDevice.window(oy, stride: g.strideY, pad: g.padY, kernel: g.kernelHeight, extent: g.inHeight)
                    for ox in 0..<g.outWidth {
                        let cols = CPUDevice.window(ox, stride: g.strideX, pad: g.padX, kernel: g.kernelWidth, extent: g.inWidth)
                        var best = -Float.infinity, index = rows.lo * g.inWidth + cols.lo
                        for h in rows.lo..<rows.hi {
                            for w in cols.lo..<cols.hi {
                                let at = h * g.inWidth + w, v = source[at]
                                // As in PyTorch: strictly greater wins, and a NaN always wins. Selects,
                                // not branches: on real data the outcome is a coin toss.
                                let wins = v > best || v.isNaN
                                best = wins ? v : best
                                index = wins ? at : index
                            }
                        }
                        out[oy * g.outWidth + ox] = best
                        at[oy * g.outWidth + ox] = Int32(truncatingIfNeeded: index)
                    }
                }
            }
        }
    }

    /// The common 2×2, stride 2, unpadded max pool of one plane, with the general path's tie and
    /// NaN rules (scan order row by row; strictly greater or NaN replaces). Eight outputs at a time
    /// with vector selects: on random data the branches of the scalar loop mispredict half the time.
    @inline(__always)
    private static func maxPool2x2(_ source: UnsafePointer<Float>, _ width: Int, _ out: UnsafeMutablePointer<Float>,
                                   _ at: UnsafeMutablePointer<Int32>, _ outHeight: Int, _ outWidth: Int) {
        let lanes = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14)
        let below = Int32(truncatingIfNeeded: width)
        @inline(__always) func challenge(_ best: inout SIMD8<Float>, _ index: inout SIMD8<Int32>,
                                         _ candidate: SIMD8<Float>, _ position: SIMD8<Int32>) {
            let wins = (candidate .> best) .| (candidate .!= candidate)
            best.replace(with: candidate, where: wins)
            index.replace(with: position, where: wins)
        }
        @inline(__always) func challenge(_ best: inout Float, _ index: inout Int, _ position: Int) {
            let v = source[position]
            let wins = v > best || v.isNaN
            best = wins ? v : best
            index = wins ? position : index
        }
        for oy in 0..<outHeight {
            let top = 2 * oy * width
            let upper = UnsafeRawPointer(source + top), lower = UnsafeRawPointer(source + top + width)
            let outRow = out + oy * outWidth, atRow = at + oy * outWidth
            var ox = 0
            // 2 * outWidth <= width, so the 16 floats from column 2 * ox stay inside the row.
            while ox + 8 <= outWidth {
                let r0 = upper.loadUnaligned(fromByteOffset: 8 * ox, as: SIMD16<Float>.self)
                let r1 = lower.loadUnaligned(fromByteOffset: 8 * ox, as: SIMD16<Float>.self)
                let first = lanes &+ Int32(truncatingIfNeeded: top + 2 * ox)
                var best = r0.evenHalf, index = first
                challenge(&best, &index, r0.oddHalf, first &+ 1)
                challenge(&best, &index, r1.evenHalf, first &+ below)
                challenge(&best, &index, r1.oddHalf, first &+ (below + 1))
                UnsafeMutableRawPointer(outRow + ox).storeBytes(of: best, as: SIMD8<Float>.self)
                UnsafeMutableRawPointer(atRow + ox).storeBytes(of: index, as: SIMD8<Int32>.self)
                ox += 8
            }
            while ox < outWidth {
                let i0 = top + 2 * ox
                var best = source[i0], index = i0
                challenge(&best, &index, i0 + 1)
                challenge(&best, &index, i0 + width)
                challenge(&best, &index, i0 + width + 1)
                outRow[ox] = best
                atRow[ox] = Int32(truncatingIfNeeded: index)
                ox += 1
            }
        }
    }

    /// Runs `.maxPool2dBackward`: each output gradient added to its recorded winner.
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

    /// Runs `.avgPool2d`: window means, dividing as `count_include_pad` says.
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

    /// Runs `.avgPool2dBackward`: each output gradient spread evenly over its window.
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
