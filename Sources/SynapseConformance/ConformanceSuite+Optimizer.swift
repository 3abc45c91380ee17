import SynapseBackend

/// Fused SGD and Adam/AdamW steps (PyTorch semantics), updating parameters and optimizer state in
/// place. Each step of a run is its own case; later steps start from state of a typical magnitude.
extension ConformanceSuite {
    static let optimizerCount = 1003

    /// `.sgdStep`: plain, momentum, dampening with decay, Nesterov; a first step and two later
    /// ones each; and a step without a momentum buffer.
    public static let sgd: [ConformanceCase] = {
        let count = optimizerCount
        let settings: [(String, Float, Float, Float, Bool)] = [
            ("plain", 0, 0, 0, false),
            ("momentum", 0.9, 0, 0, false),
            ("momentum, dampening, decay", 0.9, 0.1, 0.01, false),
            ("nesterov with decay", 0.8, 0, 0.05, true),
        ]
        var cases: [ConformanceCase] = []
        for (name, momentum, dampening, decay, nesterov) in settings {
            var random = SeededRandom(50)
            for step in 0..<3 {
                let p = SGDParameters(learningRate: 0.1, momentum: momentum, dampening: dampening, weightDecay: decay,
                                      nesterov: nesterov, firstStep: step == 0)
                let param = random.floats(count), buffer = random.floats(count)
                let grad = ConformanceOperand.floats(random.floats(count), [count])
                cases.append(ConformanceCase("\(name) step \(step)", .sgdStep(p), inputs: [grad],
                                             outputs: [ConformanceOutput(shape: [count], offset: 1, initial: param),
                                                       ConformanceOutput(shape: [count], offset: 2, initial: buffer)],
                                             tolerance: Tolerance(abs: 1e-6, rel: 1e-6)))
            }
        }
        // Without momentum the buffer may be left out.
        var random = SeededRandom(51)
        cases.append(ConformanceCase("no buffer", .sgdStep(SGDParameters(learningRate: 0.5, firstStep: true)),
                                     inputs: [.floats(random.floats(7), [7])],
                                     outputs: [ConformanceOutput(shape: [7], initial: random.floats(7))], tolerance: .arithmetic))
        return cases
    }()

    /// `.adamStep`: Adam, Adam with L2 decay and AdamW over steps 1 to 4 (bias correction), and
    /// `beta1 = 0.2`, which takes ATen's other lerp branch.
    public static let adam: [ConformanceCase] = {
        let count = optimizerCount
        let tolerance = Tolerance(abs: 1e-6, rel: 1e-5)
        let settings: [(String, Float, Bool)] = [("adam", 0, false), ("adam with L2", 0.01, false), ("adamw", 0.1, true)]
        var cases: [ConformanceCase] = []
        for (name, decay, decoupled) in settings {
            var random = SeededRandom(52)
            for step in 1...4 {
                let p = AdamParameters(learningRate: 0.01, weightDecay: decay, decoupledWeightDecay: decoupled, step: step)
                let param = random.floats(count)
                // The moments a few steps of gradients in [-1, 1] leave; zero before the first.
                let m = step == 1 ? [Float](repeating: 0, count: count) : random.floats(count, -0.3...0.3)
                let v = step == 1 ? [Float](repeating: 0, count: count) : random.floats(count, 0...0.002)
                let grad = ConformanceOperand.floats(random.floats(count), [count])
                cases.append(ConformanceCase("\(name) step \(step)", .adamStep(p), inputs: [grad],
                                             outputs: [ConformanceOutput(shape: [count], initial: param),
                                                       ConformanceOutput(shape: [count], offset: 1, initial: m),
                                                       ConformanceOutput(shape: [count], offset: 2, initial: v)],
                                             tolerance: tolerance))
            }
        }
        var random = SeededRandom(53)
        let p = AdamParameters(learningRate: 0.1, beta1: 0.2, beta2: 0.9, step: 3)
        cases.append(ConformanceCase("beta1 0.2", .adamStep(p), inputs: [.floats(random.floats(9), [9])],
                                     outputs: [ConformanceOutput(shape: [9], initial: random.floats(9)),
                                               ConformanceOutput(shape: [9], initial: random.floats(9)),
                                               ConformanceOutput(shape: [9], initial: random.floats(9, 0...1))],
                                     tolerance: tolerance))
        return cases
    }()
}
