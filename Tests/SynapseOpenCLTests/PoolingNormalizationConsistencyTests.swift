import Foundation
import SynapseTestSupport
import Testing

/// Pooling and local response normalisation, forward and backward, against the CPU.
@Suite struct PoolingNormalizationConsistencyTests {
    static let geometries: [(String, Pool2dGeometry)] = [
        ("3x3 s2 pad 1 (overlapping)", Pool2dGeometry(batch: 2, channels: 3, inHeight: 7, inWidth: 9, kernel: (3, 3), stride: (2, 2), padding: (1, 1))),
        ("2x2 s2", Pool2dGeometry(batch: 1, channels: 5, inHeight: 8, inWidth: 6, kernel: (2, 2), stride: (2, 2))),
        ("3x3 s1 (heavy overlap)", Pool2dGeometry(batch: 2, channels: 2, inHeight: 6, inWidth: 7, kernel: (3, 3), stride: (1, 1))),
        ("stride > kernel, asymmetric", Pool2dGeometry(batch: 1, channels: 3, inHeight: 11, inWidth: 10, kernel: (2, 3), stride: (3, 4), padding: (1, 1))),
        ("pad, exclude pad", Pool2dGeometry(batch: 2, channels: 3, inHeight: 5, inWidth: 5, kernel: (3, 2), stride: (2, 1), padding: (1, 1),
                                            countIncludePad: false)),
    ]

    @Test(arguments: TestDevices.openCLSpecs)
    func maxPool(spec: String) throws {
        var random = TestRandom(40)
        for (name, g) in Self.geometries {
            let inCount = g.inputShape.reduce(1, *), outCount = g.outputShape.reduce(1, *)
            // Coarse values: ties inside windows must pick the first element in window order.
            let x = Operand.floats(random.coarse(inCount, levels: 3), g.inputShape)
            let forward = try Harness.compare(.maxPool2d(g), on: spec, inputs: [x],
                                              outputs: [Output(shape: g.outputShape, offset: 1), Output(shape: g.outputShape, dtype: .int32, offset: 2)],
                                              tolerance: .exact, name)
            // Backward with the CPU's winners, so both devices scatter the same way.
            guard case let .int(stored) = forward[1] else { continue }
            let argmax = Operand.ints(Array(stored[2..<(2 + outCount)]), g.outputShape)
            let gy = Operand.floats(random.floats(outCount), g.outputShape)
            try Harness.compare(.maxPool2dBackward(g), on: spec, inputs: [gy, argmax], outputs: [Output(shape: g.inputShape, offset: 1)],
                                tolerance: .arithmetic, name)
        }
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func avgPool(spec: String) throws {
        var random = TestRandom(41)
        for (name, g) in Self.geometries {
            for includePad in [true, false] {
                var geometry = g
                geometry.countIncludePad = includePad
                let x = Operand.floats(random.floats(g.inputShape.reduce(1, *)), g.inputShape)
                let gy = Operand.floats(random.floats(g.outputShape.reduce(1, *)), g.outputShape)
                try Harness.compare(.avgPool2d(geometry), on: spec, inputs: [x], outputs: [Output(shape: g.outputShape, offset: 1)],
                                    tolerance: .arithmetic, "\(name) includePad \(includePad)")
                try Harness.compare(.avgPool2dBackward(geometry), on: spec, inputs: [gy], outputs: [Output(shape: g.inputShape, offset: 2)],
                                    tolerance: .arithmetic, "\(name) includePad \(includePad)")
            }
        }
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func localResponseNorm(spec: String) throws {
        var random = TestRandom(42)
        let cases: [([Int], LRNParameters)] = [
            ([2, 7, 3, 4], LRNParameters()),
            ([1, 5, 2, 3], LRNParameters(size: 4, alpha: 0.01, beta: 0.5, k: 1)),
            ([3, 3, 1, 5], LRNParameters(size: 1, alpha: 0.1, beta: 0.75, k: 2)),
            ([1, 9, 4, 4], LRNParameters(size: 11, alpha: 0.2, beta: 1.5, k: 0.5)),
        ]
        for (shape, p) in cases {
            let count = shape.reduce(1, *)
            let x = Operand.floats(random.floats(count, -3...3), shape)
            let forward = try Harness.compare(.localResponseNorm(p), on: spec, inputs: [x],
                                              outputs: [Output(shape: shape, offset: 1)],
                                              tolerance: .transcendental, "\(shape) \(p)")
            // Backward from the CPU's forward result (each device recomputes the scale from x).
            guard case let .float(y) = forward[0] else { continue }
            let yOperand = Operand.floats(Array(y[1..<(1 + count)]), shape)
            let gy = Operand.floats(random.floats(count), shape)
            try Harness.compare(.localResponseNormBackward(p), on: spec, inputs: [x, yOperand, gy],
                                outputs: [Output(shape: shape, offset: 3)], tolerance: .transcendental, "\(shape) \(p)")
        }
    }
}
