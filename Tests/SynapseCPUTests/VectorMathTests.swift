import Foundation
import Testing
import SynapseTestSupport

/// The vectorised activations against libm in Double, over the whole useful range.
@Suite struct VectorMathTests {
    /// Runs `op` on the CPU device over `inputs`.
    func run(_ op: UnaryOp, _ inputs: [Float]) throws -> [Float] {
        try withoutGradient {
            let x = Tensor(inputs, on: CPUDevice.shared)
            switch op {
            case .exp: return try x.exp().toArray()
            case .tanh: return try x.tanh().toArray()
            default: return try x.sigmoid().toArray()
            }
        }
    }

    var samples: [Float] {
        var values: [Float] = [0, -0, 1e-30, -1e-30, 1e-7, 0.624_999, 0.625, -0.625, 0.3, 1, -1, 5, -5, 9, 10, 20, -20, 80, -80]
        var x: Float = -30
        while x <= 30 { values.append(x); x += 0.001_37 }
        return values
    }

    func relativeError(_ got: Float, _ want: Double) -> Double {
        want == 0 ? Double(Swift.abs(got)) : Swift.abs(Double(got) - want) / Swift.abs(want)
    }

    @Test func tanhIsAccurateEverywhere() throws {
        let xs = samples, ys = try run(.tanh, xs)
        let worst = zip(xs, ys).map { relativeError($1, Foundation.tanh(Double($0))) }.max()!
        #expect(worst < 4e-7, "worst relative error \(worst)")
    }

    @Test func expIsAccurateEverywhere() throws {
        let xs = samples.filter { $0 > -87 && $0 < 88 }, ys = try run(.exp, xs)
        let worst = zip(xs, ys).map { relativeError($1, Foundation.exp(Double($0))) }.max()!
        #expect(worst < 4e-7, "worst relative error \(worst)")
    }

    @Test func sigmoidIsAccurateEverywhere() throws {
        let xs = samples.filter { $0 > -80 }, ys = try run(.sigmoid, xs)
        let worst = zip(xs, ys).map { relativeError($1, 1 / (1 + Foundation.exp(-Double($0)))) }.max()!
        #expect(worst < 4e-7, "worst relative error \(worst)")
    }

    @Test func edgeValues() throws {
        let tanh = try run(.tanh, [.infinity, -.infinity, .nan, 100, -100])
        #expect(tanh[0] == 1 && tanh[1] == -1 && tanh[2].isNaN && tanh[3] == 1 && tanh[4] == -1)
        let exp = try run(.exp, [.infinity, -.infinity, .nan, 89, -104, 0])
        #expect(exp[0] == .infinity && exp[1] == 0 && exp[2].isNaN && exp[3] == .infinity && exp[4] == 0 && exp[5] == 1)
        let sigmoid = try run(.sigmoid, [.infinity, -.infinity, 0])
        #expect(sigmoid == [1, 0, 0.5])
    }
}
