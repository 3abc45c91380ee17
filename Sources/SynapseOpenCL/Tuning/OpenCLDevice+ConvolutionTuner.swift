import Foundation
import SynapseBackend

/// What tuning one convolution problem found.
public struct ConvolutionTuningReport: Sendable {
    /// One candidate's outcome: its median time, or why it was rejected.
    public struct Trial: Sendable {
        public var algorithm: ConvolutionAlgorithm
        public var milliseconds: Double?
        public var rejection: String?
    }

    public var problem: ConvolutionProblem
    public var winner: ConvolutionAlgorithm
    public var milliseconds: Double
    /// The untuned default's and im2col + CLBlast's times (nil when not measured).
    public var defaultMilliseconds: Double?
    public var im2colMilliseconds: Double?
    public var trials: [Trial]
    /// Whether the budget ran out before every candidate was tried.
    public var budgetExhausted: Bool
}

extension OpenCLDevice {
    /// Per-problem results and tuning state of this device.
    public var convolutionTuning: ConvolutionTuning { tuningState }

    /// Tunes one convolution pass: on seeded random operands, runs im2col + CLBlast as the
    /// reference, then each candidate (the untuned default first): one run that builds it and is
    /// checked against the reference, then timed runs; the fastest candidate within tolerance wins
    /// and is recorded in the tuning file. Candidates are tried until `budget` seconds have passed
    /// (the reference and the default always are). Commands it enqueues are not counted. The
    /// result goes to `recording` (nil: this device's `convolutionTuning`).
    @discardableResult
    public func tuneConvolution(_ problem: ConvolutionProblem, budget: Double = 30,
                                candidates: [ConvolutionAlgorithm]? = nil,
                                recordingIn recording: ConvolutionTuning? = nil) throws -> ConvolutionTuningReport {
        try CommandCounter.$current.withValue(nil) {
            try Self.$forcedConvolutionAlgorithm.withValue(nil) {
                try tune(problem, budget: budget, candidates: candidates, recording: recording ?? convolutionTuning)
            }
        }
    }

    private func tune(_ problem: ConvolutionProblem, budget: Double, candidates: [ConvolutionAlgorithm]?,
                      recording: ConvolutionTuning) throws -> ConvolutionTuningReport {
        let start = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        let operands = try TuningOperands(problem, on: self)
        defer { operands.release(on: self) }

        try runConvolution(problem, with: .im2colGEMM, operands.first, operands.second, nil, into: operands.output)
        let reference = try operands.readOutput(on: self)
        let tolerance = Self.tolerance(problem, reference)

        let untuned = ConvolutionCandidates.untuned(for: problem, deviceKind: info.kind)
        var order = candidates ?? ConvolutionCandidates.all(for: problem, deviceKind: info.kind)
        if candidates == nil, let index = order.firstIndex(of: untuned) { order.remove(at: index) }
        if candidates == nil { order.insert(untuned, at: order.first == .im2colGEMM ? 1 : 0) }

        var trials: [ConvolutionTuningReport.Trial] = []
        var exhausted = false
        for (index, algorithm) in order.enumerated() {
            let mandatory = algorithm == .im2colGEMM || algorithm == untuned || index == 0
            if !mandatory && elapsed() > budget { exhausted = true; break }
            do {
                try fillWords(operands.output, bits: Float.nan.bitPattern, "tuning")
                try runConvolution(problem, with: algorithm, operands.first, operands.second, nil, into: operands.output)
                let result = try operands.readOutput(on: self)
                let error = zip(result, reference).map { abs($0 - $1) }.max() ?? 0
                guard error <= tolerance, !result.contains(where: { $0.isNaN }) else {
                    trials.append(.init(algorithm: algorithm, milliseconds: nil,
                                        rejection: String(format: "wrong result: max difference %.3g from im2col + CLBlast (tolerance %.3g)",
                                                          error.isNaN ? Float.infinity : error, tolerance)))
                    continue
                }
                trials.append(.init(algorithm: algorithm, milliseconds: try time(problem, algorithm, operands), rejection: nil))
            } catch {
                trials.append(.init(algorithm: algorithm, milliseconds: nil, rejection: "\(error)"))
            }
        }
        let measured = trials.compactMap { trial in trial.milliseconds.map { (trial.algorithm, $0) } }
        guard let best = measured.min(by: { $0.1 < $1.1 }) else {
            throw DeviceError.unsupported("tuning \(problem): no candidate gave a correct result")
        }
        let report = ConvolutionTuningReport(
            problem: problem, winner: best.0, milliseconds: best.1,
            defaultMilliseconds: measured.first { $0.0 == untuned }?.1,
            im2colMilliseconds: measured.first { $0.0 == .im2colGEMM }?.1, trials: trials, budgetExhausted: exhausted)
        recording.record(.init(algorithm: report.winner, milliseconds: report.milliseconds,
                                       defaultMilliseconds: report.defaultMilliseconds,
                                       im2colMilliseconds: report.im2colMilliseconds), for: problem)
        return report
    }

    /// Median wall time of a few synchronised runs, in milliseconds (more runs for fast kernels).
    private func time(_ problem: ConvolutionProblem, _ algorithm: ConvolutionAlgorithm, _ operands: TuningOperands) throws -> Double {
        var samples: [Double] = []
        var spent = 0.0
        while samples.count < 3 || (samples.count < 15 && spent < 0.05) {
            let start = DispatchTime.now().uptimeNanoseconds
            try runConvolution(problem, with: algorithm, operands.first, operands.second, nil, into: operands.output)
            try synchronize()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            samples.append(seconds * 1000)
            spent += seconds
        }
        return samples.sorted()[samples.count / 2]
    }

    /// How far a candidate may differ from the reference: float32 sums of `n` products of
    /// operands in [-1, 1] drift by about √n rounding steps of the largest partial sum.
    static func tolerance(_ problem: ConvolutionProblem, _ reference: [Float]) -> Float {
        let g = problem.geometry
        let n: Int
        switch problem.pass {
        case .forward: n = g.inChannelsPerGroup * g.kernelHeight * g.kernelWidth
        case .inputGradient: n = g.outChannelsPerGroup * g.kernelHeight * g.kernelWidth
        case .weightGradient: n = g.batch * g.outHeight * g.outWidth
        }
        let largest = reference.map { abs($0) }.max() ?? 0
        return 1e-5 * Float(n).squareRoot() * max(1, largest)
    }
}

/// Seeded random operands of one problem, and its output buffer.
private struct TuningOperands {
    let first: BufferView, second: BufferView, output: BufferView

    init(_ problem: ConvolutionProblem, on device: OpenCLDevice) throws {
        let g = problem.geometry
        let shapes: [[Int]]
        switch problem.pass {
        case .forward: shapes = [g.inputShape, g.weightShape, g.outputShape]
        case .inputGradient: shapes = [g.outputShape, g.weightShape, g.inputShape]
        case .weightGradient: shapes = [g.inputShape, g.outputShape, g.weightShape]
        }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var views: [BufferView] = []
        for (index, shape) in shapes.enumerated() {
            let count = shape.reduce(1, *)
            let buffer = try device.allocate(byteCount: count * 4)
            if index < 2 {
                var values = [Float](repeating: 0, count: count)
                for i in values.indices {
                    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                    values[i] = Float(Int32(truncatingIfNeeded: state >> 32)) / Float(Int32.max)
                }
                try values.withUnsafeBytes { try device.write($0, to: buffer, byteOffset: 0) }
            }
            views.append(BufferView(buffer: buffer, shape: shape))
        }
        (first, second, output) = (views[0], views[1], views[2])
    }

    func readOutput(on device: OpenCLDevice) throws -> [Float] {
        var values = [Float](repeating: 0, count: output.count)
        try values.withUnsafeMutableBytes { try device.read(output.buffer, byteOffset: 0, into: $0) }
        return values
    }

    func release(on device: OpenCLDevice) {
        for view in [first, second, output] { device.release(view.buffer) }
    }
}

extension OpenCLDevice {
    /// The algorithms the tuner tries for `problem` on this device, im2col + CLBlast first.
    public func convolutionCandidates(for problem: ConvolutionProblem) -> [ConvolutionAlgorithm] {
        ConvolutionCandidates.all(for: problem, deviceKind: info.kind)
    }

    /// What `problem` runs with on this device when it has no tuning result.
    public func untunedConvolutionAlgorithm(for problem: ConvolutionProblem) -> ConvolutionAlgorithm {
        ConvolutionCandidates.untuned(for: problem, deviceKind: info.kind)
    }
}
