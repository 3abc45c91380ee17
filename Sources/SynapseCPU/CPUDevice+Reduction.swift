import Foundation
import SynapseBackend

/// Reductions over the middle axis of `[outer, reduced, inner]`, row softmax / log-softmax, and
/// cross-entropy with its gradient.
///
/// Sums accumulate in `Double`, so the reference is more accurate than any float32 device it is
/// compared with; softmax-like ops subtract the row maximum before exponentiating.
extension CPUDevice {
    /// Runs `.reduce`: sum, mean, max or first argmax over the middle axis of `[outer, reduced, inner]`.
    func reduce(_ op: ReduceOp, _ inputs: [BufferView], _ outputs: [BufferView]) throws {
        let name = "reduce(\(op))"
        try expectArity(name, inputs, 1, outputs, 1)
        let (x, y) = (inputs[0], outputs[0])
        guard x.rank == 3 else { throw failure(name, "input must be viewed as [outer, reduced, inner], has shape \(x.shape)") }
        let (outer, reduced, inner) = (x.shape[0], x.shape[1], x.shape[2])
        let (strideO, strideR, strideI) = (x.strides[0], x.strides[1], x.strides[2])
        try expectContiguous(name, "output", y)
        guard y.count == outer * inner else {
            throw failure(name, "output has shape \(y.shape), expected [\(outer), \(inner)] for input \(x.shape)")
        }
        if reduced == 0 && (op == .max || op == .argmax) && y.count > 0 {
            throw failure(name, "cannot take \(op) over an empty axis of input \(x.shape)")
        }
        let xp = try floats(name, "input", x)
        var floatOut: UnsafeMutablePointer<Float>?, intOut: UnsafeMutablePointer<Int32>?
        if op == .argmax { intOut = try int32s(name, "output", y) } else { floatOut = try floats(name, "output", y) }
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

    /// Runs `.softmax`: row-wise softmax or log-softmax of a contiguous `[rows, cols]` matrix.
    func softmax(log: Bool, _ inputs: [BufferView], _ outputs: [BufferView]) throws {
        let name = log ? "logSoftmax" : "softmax"
        try expectArity(name, inputs, 1, outputs, 1)
        let x = inputs[0]
        guard x.rank == 2 else { throw failure(name, "input must have shape [rows, cols], has \(x.shape)") }
        let (rows, cols) = (x.shape[0], x.shape[1])
        let xp = try contiguousFloats(name, "input", x, x.shape)
        let yp = try contiguousFloats(name, "output", outputs[0], x.shape)
        guard cols > 0 else { return }
        ParallelFor.run(rows, costPerItem: cols * 24) { range in
            for r in range {
                let row = xp + r * cols, out = yp + r * cols
                let (peak, sum) = rowMaxAndSumExp(row, cols)
                if log {
                    // (x - max) - log(sum), never x - (max + log(sum)), which loses the small term.
                    let logSum = Float(Foundation.log(sum))
                    for c in 0..<cols { out[c] = (row[c] - peak) - logSum }
                } else {
                    let inverse = Float(1 / sum)
                    for c in 0..<cols { out[c] = Foundation.exp(row[c] - peak) * inverse }
                }
            }
        }
    }

    /// Runs `.crossEntropy`: `logsumexp(logits[n]) - logits[n, label]`, NaN for labels outside `0..<C`.
    func crossEntropy(_ inputs: [BufferView], _ outputs: [BufferView]) throws {
        let name = "crossEntropy"
        try expectArity(name, inputs, 2, outputs, 1)
        let (logits, labels, loss) = (inputs[0], inputs[1], outputs[0])
        guard logits.rank == 2 else { throw failure(name, "logits must have shape [N, C], has \(logits.shape)") }
        let (n, classes) = (logits.shape[0], logits.shape[1])
        let lp = try contiguousFloats(name, "logits", logits, logits.shape)
        try expectShape(name, "labels", labels, [n])
        let tp = try int32s(name, "labels", labels), labelStride = labels.strides[0]
        let yp = try contiguousFloats(name, "loss", loss, [n])
        ParallelFor.run(n, costPerItem: classes * 24) { range in
            for i in range {
                let label = Int(tp[i * labelStride])
                guard label >= 0 && label < classes else { yp[i] = .nan; continue }
                let row = lp + i * classes
                let (peak, sum) = rowMaxAndSumExp(row, classes)
                yp[i] = Float(Double(peak) + Foundation.log(sum) - Double(row[label]))
            }
        }
    }

    /// Runs `.crossEntropyBackward`: `(softmax - onehot) * gradLoss[n]`, NaN rows for bad labels.
    func crossEntropyBackward(_ inputs: [BufferView], _ outputs: [BufferView]) throws {
        let name = "crossEntropyBackward"
        try expectArity(name, inputs, 3, outputs, 1)
        let (logits, labels, gradLoss) = (inputs[0], inputs[1], inputs[2])
        guard logits.rank == 2 else { throw failure(name, "logits must have shape [N, C], has \(logits.shape)") }
        let (n, classes) = (logits.shape[0], logits.shape[1])
        let lp = try contiguousFloats(name, "logits", logits, logits.shape)
        try expectShape(name, "labels", labels, [n])
        try expectShape(name, "gradLoss", gradLoss, [n])
        let tp = try int32s(name, "labels", labels), labelStride = labels.strides[0]
        let gp = try floats(name, "gradLoss", gradLoss), gradStride = gradLoss.strides[0]
        let yp = try contiguousFloats(name, "gradLogits", outputs[0], logits.shape)
        ParallelFor.run(n, costPerItem: classes * 24) { range in
            for i in range {
                let row = lp + i * classes, out = yp + i * classes
                let label = Int(tp[i * labelStride])
                guard label >= 0 && label < classes else {
                    out.update(repeating: .nan, count: classes)
                    continue
                }
                let g = gp[i * gradStride]
                let (peak, sum) = rowMaxAndSumExp(row, classes)
                let inverse = Float(1 / sum)
                for c in 0..<classes { out[c] = Foundation.exp(row[c] - peak) * inverse * g }
                out[label] = (Foundation.exp(row[label] - peak) * inverse - 1) * g
            }
        }
    }
}

/// The maximum of a row and `sum(exp(x - max))` (accumulated in `Double`).
@inline(__always)
private func rowMaxAndSumExp(_ row: UnsafePointer<Float>, _ count: Int) -> (Float, Double) {
    var peak = row[0]
    for c in 1..<max(count, 1) where row[c] > peak || row[c].isNaN { peak = row[c] }
    var sum = 0.0
    for c in 0..<count { sum += Double(Foundation.exp(row[c] - peak)) }
    return (peak, sum)
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
