import Foundation
import Testing
import SynapseTestSupport

/// The vectorised activations against libm in Double, over the whole useful range: through the CPU
/// device (the AVX2 kernels where the CPU has them) and through the portable Swift versions.
@Suite struct VectorMathTests {
    /// Runs `op` on the CPU device over `inputs`, or the portable Swift function when `portable`.
    func run(_ op: UnaryOp, _ inputs: [Float], portable: Bool = false) throws -> [Float] {
        if portable {
            switch op {
            case .exp: return inputs.map(VectorMath.exp)
            case .tanh: return inputs.map(VectorMath.tanh)
            default: return inputs.map(VectorMath.sigmoid)
            }
        }
        return try withoutGradient {
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

    @Test(arguments: [false, true])
    func tanhIsAccurateEverywhere(portable: Bool) throws {
        let xs = samples, ys = try run(.tanh, xs, portable: portable)
        let worst = zip(xs, ys).map { relativeError($1, Foundation.tanh(Double($0))) }.max()!
        #expect(worst < 4e-7, "worst relative error \(worst)")
    }

    @Test(arguments: [false, true])
    func expIsAccurateEverywhere(portable: Bool) throws {
        let xs = samples.filter { $0 > -87 && $0 < 88 }, ys = try run(.exp, xs, portable: portable)
        let worst = zip(xs, ys).map { relativeError($1, Foundation.exp(Double($0))) }.max()!
        #expect(worst < 4e-7, "worst relative error \(worst)")
    }

    @Test(arguments: [false, true])
    func sigmoidIsAccurateEverywhere(portable: Bool) throws {
        let xs = samples.filter { $0 > -80 }, ys = try run(.sigmoid, xs, portable: portable)
        let worst = zip(xs, ys).map { relativeError($1, 1 / (1 + Foundation.exp(-Double($0)))) }.max()!
        #expect(worst < 4e-7, "worst relative error \(worst)")
    }

    @Test(arguments: [false, true])
    func edgeValues(portable: Bool) throws {
        // Eleven values: the AVX2 kernels take eight at a time and finish the last three separately.
        let tanh = try run(.tanh, [.infinity, -.infinity, .nan, 100, -100, 0, -0.0, 0.625, -0.625, 1e-30, -1e-30], portable: portable)
        #expect(tanh[0] == 1 && tanh[1] == -1 && tanh[2].isNaN && tanh[3] == 1 && tanh[4] == -1)
        #expect(tanh[5] == 0 && tanh[6] == 0 && tanh[6].sign == .minus, "tanh keeps the sign of zero")
        #expect(tanh[7] == -tanh[8] && tanh[9] == 1e-30 && tanh[10] == -1e-30)
        let exp = try run(.exp, [.infinity, -.infinity, .nan, 89, -104, 0, 88.3, -87.2, 1, -1, 0.5], portable: portable)
        #expect(exp[0] == .infinity && exp[1] == 0 && exp[2].isNaN && exp[3] == .infinity && exp[4] == 0 && exp[5] == 1)
        #expect(exp[6].isFinite && exp[7] > 0)
        let sigmoid = try run(.sigmoid, [.infinity, -.infinity, 0, .nan], portable: portable)
        #expect(sigmoid[0] == 1 && sigmoid[1] == 0 && sigmoid[2] == 0.5 && sigmoid[3].isNaN)
    }

    @Test func avx2KernelsRunWhereTheCPUHasThem() throws {
        // Guards the run-time dispatch: a CPU whose flags list AVX2 and FMA must take the C kernels.
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return }
        let words = Set(flags.split(separator: " ").map(String.init))
        #expect(VectorMath.hasAVX2Kernels == (words.contains("avx2") && words.contains("fma")))
    }

    @Test func avx2KernelsAgreeWithThePortableVersions() throws {
        // On an AVX2 machine (like CI's) the device path is the C kernel: it must match the Swift
        // formulas up to rounding (FMA contracts some steps), tail elements included.
        let xs = Array(samples.prefix(1003))
        for op in [UnaryOp.exp, .tanh, .sigmoid] {
            let device = try run(op, xs), portable = try run(op, xs, portable: true)
            let worst = zip(device, portable).map { relativeError($0, Double($1)) }.max()!
            #expect(worst < 3e-7, "\(op): worst relative difference \(worst)")
        }
    }
}
