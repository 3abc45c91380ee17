import Foundation
import SynapseTestSupport
import Testing

extension CPU {
    @Suite struct Reductions {
        @Test func sumMeanMaxArgmaxOverTheMiddleAxis() throws {
            let x = try Host.upload((0..<12).map(Float.init), [2, 3, 2])
            #expect(try Host.run1(.reduce(.sum), [x], [2, 2]) == [6, 9, 24, 27])
            #expect(try Host.run1(.reduce(.mean), [x], [2, 2]) == [2, 3, 8, 9])
            #expect(try Host.run1(.reduce(.max), [x], [2, 2]) == [4, 5, 10, 11])
            let indices = try Host.empty([2, 2], dtype: .int32)
            try Host.device.execute(.reduce(.argmax), inputs: [x], outputs: [indices])
            #expect(try Host.download(ints: indices) == [2, 2, 2, 2])
        }

        @Test func argmaxTiesGoToTheFirstIndex() throws {
            let x = try Host.upload([3, 7, 7, 1, 5, 5, 5, 5], [2, 4, 1])
            let indices = try Host.empty([2, 1], dtype: .int32)
            try Host.device.execute(.reduce(.argmax), inputs: [x], outputs: [indices])
            #expect(try Host.download(ints: indices) == [1, 0])
            #expect(try Host.run1(.reduce(.max), [x], [2, 1]) == [7, 5])
        }

        @Test func stridedInputAndLargeReductions() throws {
            // Reduce a transposed [4, 3] matrix over its rows: column sums of the original.
            let m = try Host.view((0..<12).map(Float.init), shape: [1, 4, 3], strides: [0, 1, 4])
            #expect(try Host.run1(.reduce(.sum), [m], [1, 3]) == [6, 22, 38])
            // Many outputs, long axis: the threaded path, checked against Double sums.
            let (outer, reduced, inner) = (7, 501, 37)
            let values = Host.randoms(outer * reduced * inner, seed: 11)
            let x = try Host.upload(values, [outer, reduced, inner])
            var sums = [Double](repeating: 0, count: outer * inner), maxima = [Float](repeating: -.infinity, count: outer * inner)
            for o in 0..<outer { for r in 0..<reduced { for j in 0..<inner {
                let v = values[(o * reduced + r) * inner + j]
                sums[o * inner + j] += Double(v)
                maxima[o * inner + j] = max(maxima[o * inner + j], v)
            } } }
            expectClose(try Host.run1(.reduce(.sum), [x], [outer, inner]), sums, "sum")
            expectClose(try Host.run1(.reduce(.mean), [x], [outer, inner]), sums.map { $0 / Double(reduced) }, "mean")
            #expect(try Host.run1(.reduce(.max), [x], [outer, inner]) == maxima)
        }

        @Test func softmaxAndLogSoftmax() throws {
            let x = try Host.upload([1, 2, 3, 1000, 1000, -1000], [2, 3])
            expectClose(try Host.run1(.softmax(log: false), [x], [2, 3]),
                        [0.09003057, 0.24472847, 0.66524096, 0.5, 0.5, 0], absolute: 1e-7, "softmax")
            let logs = try Host.run1(.softmax(log: true), [x], [2, 3])
            expectClose(Array(logs[0..<5]), [-2.40760596, -1.40760596, -0.40760596, -0.69314718, -0.69314718],
                        absolute: 1e-6, "log-softmax")
            expectClose([logs[5]], [-2000 - Foundation.log(2.0)], absolute: 1e-3, "log-softmax far below the max")
        }

        @Test func crossEntropyWithOutOfRangeLabels() throws {
            let logits = try Host.upload([1, 2, 3, 1000, 1000, 1000, 0, 0, 0, 5, 5, 5], [4, 3])
            let labels = try Host.upload(ints: [2, 0, 3, -1], [4])
            let loss = try Host.run1(.crossEntropy, [logits, labels], [4])
            expectClose(Array(loss[0..<2]), [0.40760596, 1.09861229], absolute: 1e-6, "loss")
            #expect(loss[2].isNaN && loss[3].isNaN, "labels outside 0..<C give NaN")
        }

        @Test func crossEntropyBackwardMatchesFiniteDifferences() throws {
            let (n, c) = (3, 5)
            let logits = Host.randoms(n * c, seed: 5).map { $0 * 3 }
            let labelValues: [Int32] = [4, 0, 2]
            let labels = try Host.upload(ints: labelValues, [n])
            let gradLoss: [Float] = [0.5, -1.5, 2]
            let analytic = try Host.run1(.crossEntropyBackward, [try Host.upload(logits, [n, c]), labels, try Host.upload(gradLoss, [n])], [n, c])
            let numeric = try Host.numericGradient(logits, weights: gradLoss, epsilon: 1e-2) { v in
                try Host.run1(.crossEntropy, [try Host.upload(v, [n, c]), labels], [n])
            }
            expectClose(analytic, numeric, absolute: 2e-3, relative: 1e-3, "gradLogits")
            // Broadcast gradLoss (stride 0, as for a mean) and a bad label.
            let shared = try Host.view([0.25], shape: [n], strides: [0])
            let bad = try Host.upload(ints: [1, 7, 0], [n])
            let grad = try Host.run1(.crossEntropyBackward, [try Host.upload(logits, [n, c]), bad, shared], [n, c])
            #expect(grad[c..<(2 * c)].allSatisfy { $0.isNaN })
            let row0 = Array(grad[0..<c])
            #expect(Swift.abs(row0.reduce(0, +)) < 1e-6, "softmax minus one-hot sums to zero")
            #expect(row0[1] < 0 && row0[0] > 0)
        }
    }

    @Suite struct MatMul {
        let a: [Float] = [1, 2, 3, 4, 5, 6]            // 2x3
        let b: [Float] = [7, 8, 9, 10, 11, 12]         // 3x2
        let product: [Float] = [58, 64, 139, 154]

        @Test func everyTransposeCombination() throws {
            let aT: [Float] = [1, 4, 2, 5, 3, 6], bT: [Float] = [7, 9, 11, 8, 10, 12]
            let plain = try Host.run1(.matmul(transposeA: false, transposeB: false),
                                      [try Host.upload(a, [1, 2, 3]), try Host.upload(b, [1, 3, 2])], [1, 2, 2])
            #expect(plain == product)
            #expect(try Host.run1(.matmul(transposeA: true, transposeB: false),
                                  [try Host.upload(aT, [1, 3, 2]), try Host.upload(b, [1, 3, 2])], [1, 2, 2]) == product)
            #expect(try Host.run1(.matmul(transposeA: false, transposeB: true),
                                  [try Host.upload(a, [1, 2, 3]), try Host.upload(bT, [1, 2, 3])], [1, 2, 2]) == product)
            #expect(try Host.run1(.matmul(transposeA: true, transposeB: true),
                                  [try Host.upload(aT, [1, 3, 2]), try Host.upload(bT, [1, 2, 3])], [1, 2, 2]) == product)
        }

        @Test func batchStrideZeroAndLeadingDimension() throws {
            // Two different left matrices, one shared right matrix (batch stride 0).
            let left = try Host.upload(a + a.map { -$0 }, [2, 2, 3])
            let shared = try Host.view(b, shape: [2, 3, 2], strides: [0, 2, 1])
            let c = try Host.run1(.matmul(transposeA: false, transposeB: false), [left, shared], [2, 2, 2])
            #expect(c == product + product.map { -$0 })
            // `a` stored with a padding column: leading dimension 4.
            let padded = try Host.view([1, 2, 3, 99, 4, 5, 6, 99], shape: [1, 2, 3], strides: [8, 4, 1])
            #expect(try Host.run1(.matmul(transposeA: false, transposeB: false), [padded, try Host.upload(b, [1, 3, 2])], [1, 2, 2]) == product)
        }

        /// Shapes for the threaded paths: one product split by rows (m > n) or by columns (n > m), and
        /// batches split across threads; each with every transpose combination and `b` shared.
        @Test(arguments: [(1, 150, 300, 70), (1, 40, 50, 300), (3, 64, 65, 129), (5, 17, 9, 23)], [false, true])
        func largeProductsMatchDoubleReference(_ shape: (Int, Int, Int, Int), _ transposeA: Bool) throws {
            let (batch, m, k, n) = shape
            let av = Host.randoms(batch * m * k, seed: 21), bv = Host.randoms(k * n, seed: 22)
            var expected = [Double](repeating: 0, count: batch * m * n)
            for i in 0..<batch { for r in 0..<m { for j in 0..<n {
                var s = 0.0
                for t in 0..<k { s += Double(av[(i * m + r) * k + t]) * Double(bv[t * n + j]) }
                expected[(i * m + r) * n + j] = s
            } } }
            // Stored transposes of the same logical operands.
            var aT = av, bT = bv
            for i in 0..<batch { for r in 0..<m { for t in 0..<k { aT[(i * k + t) * m + r] = av[(i * m + r) * k + t] } } }
            for t in 0..<k { for j in 0..<n { bT[j * k + t] = bv[t * n + j] } }
            let a = transposeA ? try Host.upload(aT, [batch, k, m]) : try Host.upload(av, [batch, m, k])
            for transposeB in [false, true] {
                let b = transposeB ? try Host.view(bT, shape: [batch, n, k], strides: [0, k, 1])
                                   : try Host.view(bv, shape: [batch, k, n], strides: [0, n, 1])
                let c = try Host.run1(.matmul(transposeA: transposeA, transposeB: transposeB), [a, b], [batch, m, n])
                expectClose(c, expected, absolute: 1e-4, relative: 1e-4, "matmul \(shape) tA \(transposeA) tB \(transposeB)")
            }
        }
    }
}
