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

    /// Runs `.maxPool2d`: window maxima and the flat in-plane index of each winner.
    package func maxPool2d(_ g: Pool2dGeometry, x input: BufferView, y output: BufferView, argmax: BufferView) throws {
        let x = try floats(input), y = try floats(output), arg = try int32s(argmax)
        let (inPlane, outPlane) = (g.inHeight * g.inWidth, g.outHeight * g.outWidth)
        ParallelFor.run(g.batch * g.channels, costPerItem: outPlane * g.kernelHeight * g.kernelWidth) { planes in
            for p in planes {
                let source = x + p * inPlane, out = y + p * outPlane, at = arg + p * outPlane
                if g.kernelHeight == 2 && g.kernelWidth == 2 && g.strideY == 2 && g.strideX == 2 && g.padY == 0 && g.padX == 0 {
                    CPUDevice.maxPool2x2(source, g.inWidth, out, at, g.outHeight, g.outWidth)
                    continue
                }
                if g.padY == 0 && g.padX == 0 {
                    CPUDevice.maxPoolUnpadded(g, source, out, at)
                    continue
                }
                for oy in 0..<g.outHeight {
                    let rows = CPUDevice.window(oy, stride: g.strideY, pad: g.padY, kernel: g.kernelHeight, extent: g.inHeight)
                    for ox in 0..<g.outWidth {
                        let cols = CPUDevice.window(ox, stride: g.strideX, pad: g.padX, kernel: g.kernelWidth, extent: g.inWidth)
                        var best = -Float.infinity, index = rows.lo * g.inWidth + cols.lo
                        for h in rows.lo..<rows.hi {
                            for w in cols.lo..<cols.hi {
                                let position = h * g.inWidth + w, v = source[position]
                                // As in PyTorch: strictly greater wins, and a NaN always wins. Selects,
                                // not branches: on real data the outcome is a coin toss.
                                let wins = v > best || v.isNaN
                                best = wins ? v : best
                                index = wins ? position : index
                            }
                        }
                        out[oy * g.outWidth + ox] = best
                        at[oy * g.outWidth + ox] = Int32(truncatingIfNeeded: index)
                    }
                }
            }
        }
    }

    /// One plane's max pool without padding, where every window lies wholly inside the input
    /// (AlexNet's 3×3, stride 2): the general path's scan order and tie and NaN rules, without
    /// clipping each window to the plane.
    @inline(__always)
    private static func maxPoolUnpadded(_ g: Pool2dGeometry, _ source: UnsafePointer<Float>,
                                        _ out: UnsafeMutablePointer<Float>, _ at: UnsafeMutablePointer<Int32>) {
        let (width, kh, kw) = (g.inWidth, g.kernelHeight, g.kernelWidth)
        var o = 0
        for oy in 0..<g.outHeight {
            for ox in 0..<g.outWidth {
                let first = oy &* g.strideY &* width &+ ox &* g.strideX
                var best = -Float.infinity, index = first
                for h in 0..<kh {
                    let row = first &+ h &* width
                    for w in 0..<kw {
                        let position = row &+ w, v = source[position]
                        let wins = v > best || v.isNaN
                        best = wins ? v : best
                        index = wins ? position : index
                    }
                }
                out[o] = best
                at[o] = Int32(truncatingIfNeeded: index)
                o &+= 1
            }
        }
    }

    /// The common 2×2, stride 2, unpadded max pool of one plane, with the general path's tie and
    /// NaN rules (scan order row by row; strictly greater or NaN replaces). Eight (or four) outputs
    /// at a time with vector selects, since on real data the branches of a scalar loop mispredict
    /// half the time; a row's last block overlaps the previous one instead of falling back to scalars.
    @inline(__always)
    private static func maxPool2x2(_ source: UnsafePointer<Float>, _ width: Int, _ out: UnsafeMutablePointer<Float>,
                                   _ at: UnsafeMutablePointer<Int32>, _ outHeight: Int, _ outWidth: Int) {
        let below = Int32(truncatingIfNeeded: width)
        for oy in 0..<outHeight {
            let top = 2 * oy * width
            let upper = UnsafeRawPointer(source + top), lower = UnsafeRawPointer(source + top + width)
            let outRow = UnsafeMutableRawPointer(out + oy * outWidth), atRow = UnsafeMutableRawPointer(at + oy * outWidth)
            // 2 * outWidth <= width: a block of n outputs from column ox reads 2n floats inside the row.
            if outWidth >= 8 {
                let lanes = SIMD8<Int32>(0, 2, 4, 6, 8, 10, 12, 14)
                var ox = 0
                while true {
                    let r0 = upper.loadUnaligned(fromByteOffset: 8 * ox, as: SIMD16<Float>.self)
                    let r1 = lower.loadUnaligned(fromByteOffset: 8 * ox, as: SIMD16<Float>.self)
                    let first = lanes &+ Int32(truncatingIfNeeded: top + 2 * ox)
                    var best = r0.evenHalf, index = first
                    challenge(&best, &index, r0.oddHalf, first &+ 1)
                    challenge(&best, &index, r1.evenHalf, first &+ below)
                    challenge(&best, &index, r1.oddHalf, first &+ (below + 1))
                    outRow.storeBytes(of: best, toByteOffset: 4 * ox, as: SIMD8<Float>.self)
                    atRow.storeBytes(of: index, toByteOffset: 4 * ox, as: SIMD8<Int32>.self)
                    if ox + 8 == outWidth { break }
                    ox = min(ox + 8, outWidth - 8)
                }
            } else if outWidth >= 4 {
                let lanes = SIMD4<Int32>(0, 2, 4, 6)
                var ox = 0
                while true {
                    let r0 = upper.loadUnaligned(fromByteOffset: 8 * ox, as: SIMD8<Float>.self)
                    let r1 = lower.loadUnaligned(fromByteOffset: 8 * ox, as: SIMD8<Float>.self)
                    let first = lanes &+ Int32(truncatingIfNeeded: top + 2 * ox)
                    var best = r0.evenHalf, index = first
                    challenge(&best, &index, r0.oddHalf, first &+ 1)
                    challenge(&best, &index, r1.evenHalf, first &+ below)
                    challenge(&best, &index, r1.oddHalf, first &+ (below + 1))
                    outRow.storeBytes(of: best, toByteOffset: 4 * ox, as: SIMD4<Float>.self)
                    atRow.storeBytes(of: index, toByteOffset: 4 * ox, as: SIMD4<Int32>.self)
                    if ox + 4 == outWidth { break }
                    ox = min(ox + 4, outWidth - 4)
                }
            } else {
                for ox in 0..<outWidth {
                    let i0 = top + 2 * ox
                    var best = source[i0], index = i0
                    for step in 1...3 {
                        let position = i0 + (step == 1 ? 1 : width + step - 2)
                        let v = source[position]
                        if v > best || v.isNaN { best = v; index = position }
                    }
                    out[oy * outWidth + ox] = best
                    at[oy * outWidth + ox] = Int32(truncatingIfNeeded: index)
                }
            }
        }
    }

    /// Lanes where `candidate` is larger than `best`, or NaN, take the candidate and its index.
    /// (Concrete overloads: generic SIMD code does not get the vector instructions.)
    @inline(__always)
    private static func challenge(_ best: inout SIMD8<Float>, _ index: inout SIMD8<Int32>, _ candidate: SIMD8<Float>, _ position: SIMD8<Int32>) {
        let wins = (candidate .> best) .| (candidate .!= candidate)
        best.replace(with: candidate, where: wins)
        // A float comparison mask is all-ones or all-zeros per lane: blend the indices with bit
        // operations rather than a lane-by-lane mask conversion.
        let mask = unsafeBitCast(wins, to: SIMD8<Int32>.self)
        index = (position & mask) | (index & ~mask)
    }

    /// Four-lane version of the above.
    @inline(__always)
    private static func challenge(_ best: inout SIMD4<Float>, _ index: inout SIMD4<Int32>, _ candidate: SIMD4<Float>, _ position: SIMD4<Int32>) {
        let wins = (candidate .> best) .| (candidate .!= candidate)
        best.replace(with: candidate, where: wins)
        let mask = unsafeBitCast(wins, to: SIMD4<Int32>.self)
        index = (position & mask) | (index & ~mask)
    }

    /// Runs `.maxPool2dBackward`: each output gradient added to its recorded winner.
    package func maxPool2dBackward(_ g: Pool2dGeometry, gradY: BufferView, argmax: BufferView, gradX: BufferView) throws {
        let name = "maxPool2dBackward"
        let gy = try floats(gradY), arg = try int32s(argmax), gx = try floats(gradX)
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
    package func avgPool2d(_ g: Pool2dGeometry, x input: BufferView, y output: BufferView) throws {
        let x = try floats(input), y = try floats(output)
        let (inPlane, outPlane) = (g.inHeight * g.inWidth, g.outHeight * g.outWidth)
        if CPUDevice.isTiled(g) { return avgPool2dTiled(g, x, y) }
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
    package func avgPool2dBackward(_ g: Pool2dGeometry, gradY: BufferView, gradX: BufferView) throws {
        let gy = try floats(gradY), gx = try floats(gradX)
        let (inPlane, outPlane) = (g.inHeight * g.inWidth, g.outHeight * g.outWidth)
        if CPUDevice.isTiled(g) { return avgPool2dBackwardTiled(g, gy, gx) }
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

    // MARK: Non-overlapping windows without padding (LeNet's 2×2/2): no window arithmetic per output

    /// Whether windows tile the input: stride equal to the kernel and no padding.
    static func isTiled(_ g: Pool2dGeometry) -> Bool {
        g.padY == 0 && g.padX == 0 && g.strideY == g.kernelHeight && g.strideX == g.kernelWidth
    }

    private func avgPool2dTiled(_ g: Pool2dGeometry, _ x: UnsafeMutablePointer<Float>, _ y: UnsafeMutablePointer<Float>) {
        let (kh, kw, width, oh, ow) = (g.kernelHeight, g.kernelWidth, g.inWidth, g.outHeight, g.outWidth)
        let (inPlane, outPlane, divisor) = (g.inHeight * width, oh * ow, Float(kh * kw))
        ParallelFor.run(g.batch * g.channels, costPerItem: outPlane * kh * kw) { planes in
            for p in planes {
                let source = x + p * inPlane, out = y + p * outPlane
                for oy in 0..<oh {
                    let top = source + oy * kh * width
                    for ox in 0..<ow {
                        var sum: Float = 0
                        for h in 0..<kh {
                            for w in 0..<kw { sum += top[h * width + ox * kw + w] }
                        }
                        out[oy * ow + ox] = sum / divisor
                    }
                }
            }
        }
    }

    private func avgPool2dBackwardTiled(_ g: Pool2dGeometry, _ gy: UnsafeMutablePointer<Float>,
                                        _ gx: UnsafeMutablePointer<Float>) {
        let (kh, kw, width, oh, ow) = (g.kernelHeight, g.kernelWidth, g.inWidth, g.outHeight, g.outWidth)
        let (inPlane, outPlane, divisor) = (g.inHeight * width, oh * ow, Float(kh * kw))
        let covered = oh * kh == g.inHeight && ow * kw == width
        ParallelFor.run(g.batch * g.channels, costPerItem: inPlane) { planes in
            for p in planes {
                let target = gx + p * inPlane, grad = gy + p * outPlane
                if !covered { target.update(repeating: 0, count: inPlane) }
                for oy in 0..<oh {
                    let top = target + oy * kh * width
                    for ox in 0..<ow {
                        let share = grad[oy * ow + ox] / divisor
                        for h in 0..<kh {
                            for w in 0..<kw { top[h * width + ox * kw + w] = share }
                        }
                    }
                }
            }
        }
    }
}
