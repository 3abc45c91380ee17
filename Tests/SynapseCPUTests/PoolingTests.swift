import SynapseTestSupport
import Testing

extension CPU {
    @Suite struct Pooling {
        let x4: [Float] = [1, 2, 5, 3,
                           4, 0, 1, 8,
                           9, 7, 2, 2,
                           3, 6, 4, 1]

        func maxPool(_ g: Pool2dGeometry, _ x: [Float]) throws -> ([Float], [Int32]) {
            let y = try Host.empty(g.outputShape), at = try Host.empty(g.outputShape, dtype: .int32)
            try Host.device.execute(.maxPool2d(g), inputs: [try Host.upload(x, g.inputShape)], outputs: [y, at])
            return (try Host.download(y), try Host.download(ints: at))
        }

        func avgPool(_ g: Pool2dGeometry, _ x: [Float]) throws -> [Float] {
            try Host.run1(.avgPool2d(g), [try Host.upload(x, g.inputShape)], g.outputShape)
        }

        @Test func maxPoolWithArgmax() throws {
            let plain = Pool2dGeometry(batch: 1, channels: 1, inHeight: 4, inWidth: 4, kernel: (2, 2), stride: (2, 2))
            let (y, at) = try maxPool(plain, x4)
            #expect(y == [4, 8, 9, 4])
            #expect(at == [4, 7, 8, 14])
            let padded = Pool2dGeometry(batch: 1, channels: 1, inHeight: 4, inWidth: 4, kernel: (3, 3), stride: (2, 2), padding: (1, 1))
            let (yp, atp) = try maxPool(padded, x4)
            #expect(yp == [4, 8, 9, 8])
            #expect(atp == [4, 7, 8, 7])
        }

        /// Widths that take the 8-lane, 4-lane (both with an overlapping last block) and scalar paths
        /// of the 2×2 pool, plus an odd width whose last column is dropped.
        @Test(arguments: [28, 16, 10, 9, 6, 7])
        func twoByTwoPoolMatchesTheDefinition(_ width: Int) throws {
            let g = Pool2dGeometry(batch: 2, channels: 3, inHeight: 6, inWidth: width, kernel: (2, 2), stride: (2, 2))
            let x = Host.randoms(g.inputShape.reduce(1, *), seed: UInt64(width)).map { ($0 * 4).rounded() }  // many ties
            let (y, at) = try maxPool(g, x)
            var expectedY: [Float] = [], expectedAt: [Int32] = []
            for plane in 0..<(g.batch * g.channels) {
                for oy in 0..<g.outHeight { for ox in 0..<g.outWidth {
                    var best = -Float.infinity, index = 0
                    for h in (2 * oy)..<(2 * oy + 2) { for w in (2 * ox)..<(2 * ox + 2) {
                        let v = x[plane * 6 * width + h * width + w]
                        if v > best { best = v; index = h * width + w }
                    } }
                    expectedY.append(best); expectedAt.append(Int32(index))
                } }
            }
            #expect(y == expectedY)
            #expect(at == expectedAt)
        }

        @Test func paddingNeverWinsAMax() throws {
            let g = Pool2dGeometry(batch: 1, channels: 1, inHeight: 2, inWidth: 2, kernel: (2, 2), stride: (1, 1), padding: (1, 1))
            let (y, at) = try maxPool(g, [-1, -2, -3, -4])
            #expect(y == [-1, -1, -2, -1, -1, -2, -3, -3, -4])
            #expect(at == [0, 0, 1, 0, 0, 1, 2, 2, 3])
        }

        @Test func nanWinsAMaxAsInPyTorch() throws {
            let x: [Float] = [1, .nan, 3, 4, 5, 6, 7, 8, 9]
            let vectorised = Pool2dGeometry(batch: 1, channels: 1, inHeight: 2, inWidth: 16, kernel: (2, 2), stride: (2, 2))
            var wide = [Float](repeating: 0, count: 32)
            wide[3] = .nan; wide[20] = 5; wide[21] = .infinity
            let (yw, atw) = try maxPool(vectorised, wide)
            #expect(yw[1].isNaN && atw[1] == 3)
            #expect(yw[2] == .infinity && atw[2] == 21)
            #expect(atw[0] == 0, "ties keep the first element")
            let general = Pool2dGeometry(batch: 1, channels: 1, inHeight: 3, inWidth: 3, kernel: (2, 2), stride: (1, 1))
            let (y, at) = try maxPool(general, x)
            #expect(y[0].isNaN && at[0] == 1)
            #expect(y[1].isNaN && at[1] == 1)
            #expect(y[2] == 8 && at[2] == 7)
            #expect(y[3] == 9 && at[3] == 8)
        }

        /// Unpadded windows other than 2×2 stride 2 (AlexNet's 3×3 stride 2 on odd planes, an
        /// asymmetric one) against a direct scan, with ties and NaNs planted.
        @Test(arguments: [
            Pool2dGeometry(batch: 2, channels: 3, inHeight: 15, inWidth: 15, kernel: (3, 3), stride: (2, 2)),
            Pool2dGeometry(batch: 1, channels: 2, inHeight: 7, inWidth: 10, kernel: (2, 3), stride: (3, 2)),
        ])
        func unpaddedMaxPoolMatchesADirectScan(_ g: Pool2dGeometry) throws {
            let plane = g.inHeight * g.inWidth, count = g.batch * g.channels * plane
            var x = (0..<count).map { Float(($0 * 5) % 4) }   // a tie for the maximum in most windows
            x[5] = .nan; x[plane + 17] = .nan
            let (y, at) = try maxPool(g, x)
            var expected: [Float] = [], expectedAt: [Int32] = []
            for p in 0..<(g.batch * g.channels) {
                for oy in 0..<g.outHeight {
                    for ox in 0..<g.outWidth {
                        var best = -Float.infinity, index = oy * g.strideY * g.inWidth + ox * g.strideX
                        for h in 0..<g.kernelHeight {
                            for w in 0..<g.kernelWidth {
                                let position = (oy * g.strideY + h) * g.inWidth + ox * g.strideX + w
                                let v = x[p * plane + position]
                                if v > best || v.isNaN { best = v; index = position }
                            }
                        }
                        expected.append(best); expectedAt.append(Int32(index))
                    }
                }
            }
            #expect(at == expectedAt)
            #expect(zip(y, expected).allSatisfy { $0 == $1 || ($0.isNaN && $1.isNaN) })
        }

        @Test func averagePoolWithAndWithoutPaddingInTheCount() throws {
            let plain = Pool2dGeometry(batch: 1, channels: 1, inHeight: 4, inWidth: 4, kernel: (2, 2), stride: (2, 2))
            #expect(try avgPool(plain, x4) == [1.75, 4.25, 6.25, 2.25])
            let x: [Float] = [1, 2, 3, 4]
            let including = Pool2dGeometry(batch: 1, channels: 1, inHeight: 2, inWidth: 2, kernel: (2, 2), stride: (1, 1), padding: (1, 1))
            #expect(try avgPool(including, x) == [0.25, 0.75, 0.5, 1, 2.5, 1.5, 0.75, 1.75, 1])
            var excluding = including
            excluding.countIncludePad = false
            #expect(try avgPool(excluding, x) == [1, 1.5, 2, 2, 2.5, 3, 3, 3.5, 4])
        }

        /// Overlapping windows (kernel 3, stride 2) with padding, two images of two channels.
        static let overlapping = Pool2dGeometry(batch: 2, channels: 2, inHeight: 5, inWidth: 6, kernel: (3, 3), stride: (2, 2), padding: (1, 1))

        @Test func maxPoolBackwardMatchesFiniteDifferences() throws {
            let g = Self.overlapping
            let count = g.inputShape.reduce(1, *)
            // Distinct values 0.05 apart, so a 0.01 nudge never changes a winner.
            let x = (0..<count).map { Float(($0 * 37) % count) * 0.05 - 3 }
            let gy = Host.randoms(g.outputShape.reduce(1, *), seed: 51)
            let (_, at) = try maxPool(g, x)
            let gx = try Host.run1(.maxPool2dBackward(g), [try Host.upload(gy, g.outputShape), try Host.upload(ints: at, g.outputShape)], g.inputShape)
            let numeric = try Host.numericGradient(x, weights: gy) { try maxPool(g, $0).0 }
            expectClose(gx, numeric, absolute: 1e-3, relative: 1e-3, "max pool gradient")
        }

        @Test(arguments: [true, false])
        func avgPoolBackwardMatchesFiniteDifferences(_ countIncludePad: Bool) throws {
            var g = Self.overlapping
            g.countIncludePad = countIncludePad
            let x = Host.randoms(g.inputShape.reduce(1, *), seed: 52)
            let gy = Host.randoms(g.outputShape.reduce(1, *), seed: 53)
            let gx = try Host.run1(.avgPool2dBackward(g), [try Host.upload(gy, g.outputShape)], g.inputShape)
            let numeric = try Host.numericGradient(x, weights: gy) { try avgPool(g, $0) }
            expectClose(gx, numeric, absolute: 1e-3, relative: 1e-3, "avg pool gradient")
        }
    }

    @Suite struct LocalResponseNorm {
        func lrn(_ p: LRNParameters, _ x: [Float], _ shape: [Int]) throws -> [Float] {
            try Host.run1(.localResponseNorm(p), [try Host.upload(x, shape)], shape)
        }

        @Test func handWorkedWindows() throws {
            // size 2: the window of channel c is [c-1, c] (PyTorch pads size/2 before, (size-1)/2 after).
            // With beta 1, y = x / scale: scales 1.5, 3.5, 7.5.
            let even = try lrn(LRNParameters(size: 2, alpha: 1, beta: 1, k: 1), [1, 2, 3], [1, 3, 1, 1])
            expectClose(even, [1 / 1.5, 2 / 3.5, 3 / 7.5], absolute: 1e-6, "y, size 2")
            // size 3, beta 0.5: scales 7, 16, 15.
            let odd = try lrn(LRNParameters(size: 3, alpha: 3, beta: 0.5, k: 2), [1, 2, 3], [1, 3, 1, 1])
            expectClose(odd, [1 / 7.0.squareRoot(), 0.5, 3 / 15.0.squareRoot()], absolute: 1e-6, "y, size 3")
        }

        @Test(arguments: [3, 4])
        func backwardMatchesFiniteDifferences(_ size: Int) throws {
            let p = LRNParameters(size: size, alpha: 0.5, beta: 0.75, k: 1)
            let shape = [2, 5, 2, 3]
            let x = Host.randoms(shape.reduce(1, *), seed: 61).map { $0 * 2 }
            let gy = Host.randoms(shape.reduce(1, *), seed: 62)
            let y = try lrn(p, x, shape)
            let gx = try Host.run1(.localResponseNormBackward(p),
                                   [try Host.upload(x, shape), try Host.upload(y, shape), try Host.upload(gy, shape)], shape)
            let numeric = try Host.numericGradient(x, weights: gy, epsilon: 5e-3) { try lrn(p, $0, shape) }
            expectClose(gx, numeric, absolute: 2e-3, relative: 2e-3, "LRN gradient, size \(size)")
        }
    }
}
