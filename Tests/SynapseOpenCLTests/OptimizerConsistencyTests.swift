import Foundation
import SynapseTestSupport
import Testing

/// Fused SGD and Adam/AdamW steps against the CPU (PyTorch semantics), several steps in a row.
@Suite struct OptimizerConsistencyTests {
    static let count = 1003

    @Test(arguments: TestDevices.openCLSpecs)
    func sgd(spec: String) throws {
        let settings: [(String, Float, Float, Float, Bool)] = [
            ("plain", 0, 0, 0, false),
            ("momentum", 0.9, 0, 0, false),
            ("momentum, dampening, decay", 0.9, 0.1, 0.01, false),
            ("nesterov with decay", 0.8, 0, 0.05, true),
        ]
        for (name, momentum, dampening, decay, nesterov) in settings {
            var random = TestRandom(50)
            var param = random.floats(Self.count), buffer = random.floats(Self.count)
            for step in 0..<3 {
                let p = SGDParameters(learningRate: 0.1, momentum: momentum, dampening: dampening, weightDecay: decay,
                                      nesterov: nesterov, firstStep: step == 0)
                let grad = Operand.floats(random.floats(Self.count), [Self.count])
                let results = try Harness.compare(.sgdStep(p), on: spec, inputs: [grad],
                                                  outputs: [Output(shape: [Self.count], offset: 1, initial: param),
                                                            Output(shape: [Self.count], offset: 2, initial: buffer)],
                                                  tolerance: Tolerance(abs: 1e-6, rel: 1e-6), "\(name) step \(step)")
                guard case let .float(newParam) = results[0], case let .float(newBuffer) = results[1] else { return }
                param = Array(newParam[1..<(1 + Self.count)])
                buffer = Array(newBuffer[2..<(2 + Self.count)])
            }
        }
        // Without momentum the buffer may be left out.
        let p = SGDParameters(learningRate: 0.5, firstStep: true)
        var random = TestRandom(51)
        try Harness.compare(.sgdStep(p), on: spec, inputs: [.floats(random.floats(7), [7])],
                            outputs: [Output(shape: [7], initial: random.floats(7))], tolerance: .arithmetic, "no buffer")
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func adam(spec: String) throws {
        let settings: [(String, Float, Bool)] = [("adam", 0, false), ("adam with L2", 0.01, false), ("adamw", 0.1, true)]
        for (name, decay, decoupled) in settings {
            var random = TestRandom(52)
            var param = random.floats(Self.count)
            var m = [Float](repeating: 0, count: Self.count), v = [Float](repeating: 0, count: Self.count)
            for step in 1...4 {
                let p = AdamParameters(learningRate: 0.01, weightDecay: decay, decoupledWeightDecay: decoupled, step: step)
                let grad = Operand.floats(random.floats(Self.count), [Self.count])
                let results = try Harness.compare(.adamStep(p), on: spec, inputs: [grad],
                                                  outputs: [Output(shape: [Self.count], initial: param),
                                                            Output(shape: [Self.count], offset: 1, initial: m),
                                                            Output(shape: [Self.count], offset: 2, initial: v)],
                                                  tolerance: Tolerance(abs: 1e-6, rel: 1e-5), "\(name) step \(step)")
                guard case let .float(a) = results[0], case let .float(b) = results[1], case let .float(c) = results[2] else { return }
                param = Array(a[0..<Self.count]); m = Array(b[1..<(1 + Self.count)]); v = Array(c[2..<(2 + Self.count)])
            }
        }
        // Adam with beta1 = 0.2 takes ATen's other lerp branch.
        var random = TestRandom(53)
        let p = AdamParameters(learningRate: 0.1, beta1: 0.2, beta2: 0.9, step: 3)
        try Harness.compare(.adamStep(p), on: spec, inputs: [.floats(random.floats(9), [9])],
                            outputs: [Output(shape: [9], initial: random.floats(9)), Output(shape: [9], initial: random.floats(9)),
                                      Output(shape: [9], initial: random.floats(9, 0...1))],
                            tolerance: Tolerance(abs: 1e-6, rel: 1e-5), "beta1 0.2")
    }
}
