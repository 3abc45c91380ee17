import Foundation
import SynapseBackend

/// Row softmax / log-softmax and cross-entropy with its gradient (`Kernels/softmax.cl` on OpenCL).
///
/// Each row subtracts its maximum before exponentiating and sums in `Double`.
extension CPUDevice {
    /// Runs `.softmax`: row-wise softmax or log-softmax of a contiguous `[rows, cols]` matrix.
    package func softmax(log: Bool, x: BufferView, y: BufferView) throws {
        let (rows, cols) = (x.shape[0], x.shape[1])
        let xp = try floats(x), yp = try floats(y)
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
    package func crossEntropy(logits: BufferView, labels: BufferView, loss: BufferView) throws {
        let (n, classes) = (logits.shape[0], logits.shape[1])
        let lp = try floats(logits), yp = try floats(loss)
        let tp = try int32s(labels), labelStride = labels.strides[0]
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
    package func countCorrect(logits: BufferView, labels: BufferView, count: BufferView) throws {
        let (n, classes) = (logits.shape[0], logits.shape[1])
        let lp = try floats(logits), tp = try int32s(labels), labelStride = labels.strides[0]
        var correct = 0
        for i in 0..<n {
            let row = lp + i * classes
            var best = row[0], index = 0
            for k in 1..<max(classes, 1) where row[k] > best || (row[k].isNaN && !best.isNaN) {
                best = row[k]
                index = k
            }
            if Int(tp[i * labelStride]) == index { correct += 1 }
        }
        try floats(count)[0] += Float(correct)
    }

    package func crossEntropyBackward(logits: BufferView, labels: BufferView, gradLoss: BufferView, gradLogits: BufferView) throws {
        let (n, classes) = (logits.shape[0], logits.shape[1])
        let lp = try floats(logits), yp = try floats(gradLogits)
        let tp = try int32s(labels), labelStride = labels.strides[0]
        let gp = try floats(gradLoss), gradStride = gradLoss.strides[0]
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
