import Foundation
import SynapseBackend

/// Reductions over the middle axis of `[outer, reduced, inner]`.
///
/// Sums accumulate in `Double`, so the reference is more accurate than any float32 device it is
/// compared with.
extension CPUDevice {
    /// Runs `.reduce`: sum, mean, max or first argmax over the middle axis of `[outer, reduced, inner]`.
    package func reduce(_ op: ReduceOp, x: BufferView, y: BufferView) throws {
        let (outer, reduced, inner) = (x.shape[0], x.shape[1], x.shape[2])
        let (strideO, strideR, strideI) = (x.strides[0], x.strides[1], x.strides[2])
        let xp = try floats(x)
        var floatOut: UnsafeMutablePointer<Float>?, intOut: UnsafeMutablePointer<Int32>?
        if op == .argmax { intOut = try int32s(y) } else { floatOut = try floats(y) }
        // Work in segments (o, j0..<j1) of the flattened output; each segment walks the reduced axis
        // once, accumulating a strip of up to `inner` outputs side by side.
        ParallelFor.run(outer * inner, costPerItem: max(reduced, 1)) { range in
            var strip = [Double](), best = [Float](), at = [Int32]()
            var index = range.lowerBound
            while index < range.upperBound {
                let o = index / inner, j0 = index % inner
                let width = min(inner - j0, range.upperBound - index)
                let base = xp + o * strideO + j0 * strideI
                switch op {
                case .sum, .mean:
                    if strip.count < width { strip = [Double](repeating: 0, count: width) }
                    strip.withUnsafeMutableBufferPointer { acc in
                        sumStrip(base, strideR, strideI, reduced, width, acc.baseAddress!)
                        let scale = op == .mean ? 1 / Double(reduced) : 1
                        let target = floatOut! + index
                        for j in 0..<width { target[j] = Float(acc[j] * scale) }
                    }
                case .max, .argmax:
                    if best.count < width { best = [Float](repeating: 0, count: width); at = [Int32](repeating: 0, count: width) }
                    best.withUnsafeMutableBufferPointer { m in
                        at.withUnsafeMutableBufferPointer { a in
                            maxStrip(base, strideR, strideI, reduced, width, m.baseAddress!, a.baseAddress!)
                            if let target = floatOut { (target + index).update(from: m.baseAddress!, count: width) }
                            if let target = intOut { (target + index).update(from: a.baseAddress!, count: width) }
                        }
                    }
                }
                index += width
            }
        }
    }
}

/// `acc[j] = sum over r of base[r * strideR + j * strideI]` for `j < width`, in `Double`.
@inline(__always)
private func sumStrip(_ base: UnsafePointer<Float>, _ strideR: Int, _ strideI: Int, _ reduced: Int, _ width: Int,
                      _ acc: UnsafeMutablePointer<Double>) {
    if width == 1 {
        // Four independent partial sums hide the latency of each add (and fix the order).
        var (s0, s1, s2, s3) = (0.0, 0.0, 0.0, 0.0)
        var r = 0
        while r + 4 <= reduced {
            s0 += Double(base[r * strideR]); s1 += Double(base[(r + 1) * strideR])
            s2 += Double(base[(r + 2) * strideR]); s3 += Double(base[(r + 3) * strideR])
            r += 4
        }
        while r < reduced { s0 += Double(base[r * strideR]); r += 1 }
        acc[0] = (s0 + s1) + (s2 + s3)
        return
    }
    acc.update(repeating: 0, count: width)
    for r in 0..<reduced {
        let row = base + r * strideR
        if strideI == 1 {
            for j in 0..<width { acc[j] += Double(row[j]) }
        } else {
            for j in 0..<width { acc[j] += Double(row[j * strideI]) }
        }
    }
}

/// Maximum and first index of the maximum along the reduced axis for a strip of `width` outputs.
/// A NaN counts as larger than everything, as in PyTorch.
@inline(__always)
private func maxStrip(_ base: UnsafePointer<Float>, _ strideR: Int, _ strideI: Int, _ reduced: Int, _ width: Int,
                      _ best: UnsafeMutablePointer<Float>, _ at: UnsafeMutablePointer<Int32>) {
    for j in 0..<width { best[j] = base[j * strideI]; at[j] = 0 }
    guard reduced > 1 else { return }
    for r in 1..<reduced {
        let row = base + r * strideR
        for j in 0..<width {
            let v = row[j * strideI]
            if v > best[j] || (v.isNaN && !best[j].isNaN) { best[j] = v; at[j] = Int32(truncatingIfNeeded: r) }
        }
    }
}
