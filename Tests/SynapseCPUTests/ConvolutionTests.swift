import SynapseTestSupport
import Testing

extension CPU {
    @Suite struct Convolution {
        let image: [Float] = [1, 2, 3, 4, 5, 6, 7, 8, 9]   // 3x3
        let kernel: [Float] = [1, 2, 3, 4]                 // 2x2

        func conv(_ g: Conv2dGeometry, _ x: [Float], _ w: [Float]) throws -> [Float] {
            try Host.run1(.conv2d(g), [try Host.upload(x, g.inputShape), try Host.upload(w, g.weightShape)], g.outputShape)
        }

        func single(padding: (Int, Int) = (0, 0), stride: (Int, Int) = (1, 1), dilation: (Int, Int) = (1, 1)) -> Conv2dGeometry {
            Conv2dGeometry(batch: 1, inChannels: 1, inHeight: 3, inWidth: 3, outChannels: 1, kernelHeight: 2, kernelWidth: 2,
                           stride: stride, padding: padding, dilation: dilation)
        }

        @Test func handWorkedCases() throws {
            #expect(try conv(single(), image, kernel) == [37, 47, 67, 77])
            #expect(try conv(single(padding: (1, 1)), image, kernel) == [4, 11, 18, 9, 18, 37, 47, 21, 36, 67, 77, 33, 14, 23, 26, 9])
            #expect(try conv(single(padding: (1, 1), stride: (2, 2)), image, kernel) == [4, 18, 36, 77])
            #expect(try conv(single(dilation: (2, 2)), image, kernel) == [64])
            // groups = 2: channel 1 (10x the image) meets only the identity-diagonal kernel.
            let grouped = Conv2dGeometry(batch: 1, inChannels: 2, inHeight: 3, inWidth: 3, outChannels: 2,
                                         kernelHeight: 2, kernelWidth: 2, groups: 2)
            #expect(try conv(grouped, image + image.map { $0 * 10 }, kernel + [1, 0, 0, 1]) == [37, 47, 67, 77, 60, 80, 120, 140])
            // A bias per output channel.
            let biased = try Host.run1(.conv2d(grouped), [try Host.upload(image + image.map { $0 * 10 }, grouped.inputShape),
                                                          try Host.upload(kernel + [1, 0, 0, 1], grouped.weightShape),
                                                          try Host.upload([0.5, -100], [2])], grouped.outputShape)
            #expect(biased == [37.5, 47.5, 67.5, 77.5, -40, -20, 20, 40])
        }

        static let geometries: [Conv2dGeometry] = [
            // Threads over images, several images unfolded per block.
            Conv2dGeometry(batch: 8, inChannels: 3, inHeight: 16, inWidth: 16, outChannels: 8, kernelHeight: 3, kernelWidth: 3,
                           padding: (1, 1)),
            // One image: the GEMM itself is split across cores.
            Conv2dGeometry(batch: 1, inChannels: 16, inHeight: 20, inWidth: 20, outChannels: 32, kernelHeight: 3, kernelWidth: 3,
                           stride: (2, 2)),
            // 1x1 kernels read the input directly.
            Conv2dGeometry(batch: 3, inChannels: 8, inHeight: 5, inWidth: 5, outChannels: 6, kernelHeight: 1, kernelWidth: 1, groups: 2),
            // Everything at once, asymmetric.
            Conv2dGeometry(batch: 5, inChannels: 6, inHeight: 9, inWidth: 11, outChannels: 9, kernelHeight: 3, kernelWidth: 2,
                           stride: (2, 3), padding: (2, 1), dilation: (2, 1), groups: 3),
            // Weights over `columnBudgetBytes` on tiny images: blocks widened to a thread's whole
            // share of an odd batch (3 and 4 images), strided and padded.
            Conv2dGeometry(batch: 7, inChannels: 32, inHeight: 5, inWidth: 6, outChannels: 240, kernelHeight: 3, kernelWidth: 3,
                           stride: (2, 1), padding: (1, 1)),
            // The same with groups, dilation and a padded, non-square kernel.
            Conv2dGeometry(batch: 5, inChannels: 32, inHeight: 4, inWidth: 7, outChannels: 560, kernelHeight: 3, kernelWidth: 5,
                           padding: (1, 2), dilation: (1, 2), groups: 2),
            // Large weights with one image: the GEMM is split instead.
            Conv2dGeometry(batch: 1, inChannels: 32, inHeight: 3, inWidth: 3, outChannels: 240, kernelHeight: 3, kernelWidth: 3,
                           padding: (1, 1)),
        ]

        @Test(arguments: geometries)
        func allThreePassesMatchDirectLoops(_ g: Conv2dGeometry) throws {
            let x = Host.randoms(g.inputShape.reduce(1, *), seed: 31)
            let w = Host.randoms(g.weightShape.reduce(1, *), seed: 32)
            let gy = Host.randoms(g.outputShape.reduce(1, *), seed: 33)
            let reference = Reference.conv2d(g, x, w)
            expectClose(try conv(g, x, w), reference, absolute: 1e-4, relative: 1e-4, "forward")
            // With a bias input, each channel's value is added to every pixel of that channel.
            let bias = Host.randoms(g.outChannels, seed: 34)
            let biased = try Host.run1(.conv2d(g), [try Host.upload(x, g.inputShape), try Host.upload(w, g.weightShape),
                                                    try Host.upload(bias, [g.outChannels])], g.outputShape)
            let pixels = g.outHeight * g.outWidth
            expectClose(biased, reference.enumerated().map { $0.element + Double(bias[($0.offset / pixels) % g.outChannels]) },
                        absolute: 1e-4, relative: 1e-4, "forward with bias")
            let gx = try Host.run1(.conv2dBackwardInput(g), [try Host.upload(gy, g.outputShape), try Host.upload(w, g.weightShape)], g.inputShape)
            expectClose(gx, Reference.conv2dBackwardInput(g, gy, w), absolute: 1e-4, relative: 1e-4, "backward input")
            let gw = try Host.run1(.conv2dBackwardWeight(g), [try Host.upload(x, g.inputShape), try Host.upload(gy, g.outputShape)], g.weightShape)
            expectClose(gw, Reference.conv2dBackwardWeight(g, x, gy), absolute: 1e-3, relative: 1e-4, "backward weight")
        }

        @Test func backwardPassesMatchFiniteDifferences() throws {
            let g = Conv2dGeometry(batch: 2, inChannels: 4, inHeight: 5, inWidth: 6, outChannels: 4, kernelHeight: 3, kernelWidth: 2,
                                   stride: (2, 1), padding: (1, 1), dilation: (1, 2), groups: 2)
            let x = Host.randoms(g.inputShape.reduce(1, *), seed: 41)
            let w = Host.randoms(g.weightShape.reduce(1, *), seed: 42)
            let gy = Host.randoms(g.outputShape.reduce(1, *), seed: 43)
            let gx = try Host.run1(.conv2dBackwardInput(g), [try Host.upload(gy, g.outputShape), try Host.upload(w, g.weightShape)], g.inputShape)
            expectClose(gx, try Host.numericGradient(x, weights: gy) { try conv(g, $0, w) }, absolute: 1e-3, relative: 1e-3, "gradInput")
            let gw = try Host.run1(.conv2dBackwardWeight(g), [try Host.upload(x, g.inputShape), try Host.upload(gy, g.outputShape)], g.weightShape)
            expectClose(gw, try Host.numericGradient(w, weights: gy) { try conv(g, x, $0) }, absolute: 1e-3, relative: 1e-3, "gradWeight")
        }
    }
}

extension Conv2dGeometry: CustomTestStringConvertible {
    public var testDescription: String {
        "\(inputShape)->\(outputShape) k\(kernelHeight)x\(kernelWidth) s\(strideY),\(strideX) p\(padY),\(padX) d\(dilationY),\(dilationX) g\(groups)"
    }
}
