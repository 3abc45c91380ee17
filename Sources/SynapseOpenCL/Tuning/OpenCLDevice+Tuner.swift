import Foundation
import SynapseBackend

/// What tuning one problem found.
public struct KernelTuningReport: Sendable {
    /// One candidate's outcome: its median time, or why it was rejected.
    public struct Trial: Sendable {
        public var algorithm: TunedAlgorithm
        public var milliseconds: Double?
        public var rejection: String?
    }

    public var problem: TunableProblem
    public var winner: TunedAlgorithm
    public var milliseconds: Double
    /// The untuned default's and the CLBlast-based algorithm's times (nil when not measured).
    public var defaultMilliseconds: Double?
    public var libraryMilliseconds: Double?
    public var trials: [Trial]
    /// Whether the budget ran out before every candidate was tried.
    public var budgetExhausted: Bool
}

extension OpenCLDevice {
    /// Per-problem results and tuning state of this device.
    public var kernelTuning: KernelTuning { tuningState }

    /// The algorithms the tuner tries for `problem` on this device, the CLBlast-based one first.
    public func tuningCandidates(for problem: TunableProblem) -> [TunedAlgorithm] {
        switch problem {
        case let .convolution(p): ConvolutionCandidates.all(for: p, deviceKind: info.kind).map(TunedAlgorithm.convolution)
        case let .matmul(p): GemmCandidates.all(for: p, deviceKind: info.kind).map(TunedAlgorithm.matmul)
        }
    }

    /// What `problem` runs with on this device when it has no tuning result.
    public func untunedAlgorithm(for problem: TunableProblem) -> TunedAlgorithm {
        switch problem {
        case let .convolution(p): .convolution(ConvolutionCandidates.untuned(for: p, deviceKind: info.kind))
        case let .matmul(p): .matmul(GemmCandidates.untuned(for: p, deviceKind: info.kind))
        }
    }

    /// Tunes one problem: on seeded random operands, runs the CLBlast-based algorithm as the
    /// reference, then each candidate (the untuned default first): one run that builds it and is
    /// checked against the reference, then timed runs; the fastest candidate within tolerance wins
    /// and is recorded in the tuning file. Candidates are tried until `budget` seconds have passed
    /// (the reference and the default always are). Commands it enqueues are not counted. The
    /// result goes to `recording` (nil: this device's `kernelTuning`).
    @discardableResult
    public func tune(_ problem: TunableProblem, budget: Double = 30, candidates: [TunedAlgorithm]? = nil,
                     recordingIn recording: KernelTuning? = nil) throws -> KernelTuningReport {
        try CommandCounter.$current.withValue(nil) {
            try Self.$forcedConvolutionAlgorithm.withValue(nil) {
                try Self.$forcedMatMulAlgorithm.withValue(nil) {
                    try measure(problem, budget: budget, candidates: candidates, recording: recording ?? kernelTuning)
                }
            }
        }
    }

    private func measure(_ problem: TunableProblem, budget: Double, candidates: [TunedAlgorithm]?,
                         recording: KernelTuning) throws -> KernelTuningReport {
        let start = DispatchTime.now().uptimeNanoseconds
        func elapsed() -> Double { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        let operands = try TuningOperands(problem, on: self)
        defer { operands.release(on: self) }
        func run(_ algorithm: TunedAlgorithm) throws {
            switch (problem, algorithm) {
            case let (.convolution(p), .convolution(a)):
                try runConvolution(p, with: a, operands.first, operands.second, nil, into: operands.output)
            case let (.matmul(p), .matmul(a)):
                try runMatMul(p, with: a, a: operands.first, b: operands.second, c: operands.output)
            default:
                throw DeviceError.unsupported("tuning \(problem): \(algorithm) is not an algorithm for it")
            }
        }

        let library = tuningCandidates(for: problem)[0]
        try run(library)
        let reference = try operands.readOutput(on: self)
        let tolerance = Self.tolerance(problem, reference)

        let untuned = untunedAlgorithm(for: problem)
        var order = candidates ?? tuningCandidates(for: problem)
        if candidates == nil {
            order.removeAll { $0 == untuned }
            order.insert(untuned, at: order.first == library ? 1 : 0)
        }

        var trials: [KernelTuningReport.Trial] = []
        var exhausted = false
        for (index, algorithm) in order.enumerated() {
            let mandatory = algorithm == library || algorithm == untuned || index == 0
            if !mandatory && elapsed() > budget { exhausted = true; break }
            do {
                try fillWords(operands.output, bits: Float.nan.bitPattern, "tuning")
                try run(algorithm)
                let result = try operands.readOutput(on: self)
                let error = zip(result, reference).map { abs($0 - $1) }.max() ?? 0
                guard error <= tolerance, !result.contains(where: { $0.isNaN }) else {
                    trials.append(.init(algorithm: algorithm, milliseconds: nil,
                                        rejection: String(format: "wrong result: max difference %.3g from %@ (tolerance %.3g)",
                                                          error.isNaN ? Float.infinity : error, library.description, tolerance)))
                    continue
                }
                trials.append(.init(algorithm: algorithm, milliseconds: try time { try run(algorithm) }, rejection: nil))
            } catch {
                trials.append(.init(algorithm: algorithm, milliseconds: nil, rejection: "\(error)"))
            }
        }
        let measured = trials.compactMap { trial in trial.milliseconds.map { (trial.algorithm, $0) } }
        guard let best = measured.min(by: { $0.1 < $1.1 }) else {
            throw DeviceError.unsupported("tuning \(problem): no candidate gave a correct result")
        }
        let report = KernelTuningReport(
            problem: problem, winner: best.0, milliseconds: best.1,
            defaultMilliseconds: measured.first { $0.0 == untuned }?.1,
            libraryMilliseconds: measured.first { $0.0 == library }?.1, trials: trials, budgetExhausted: exhausted)
        recording.record(.init(algorithm: report.winner, milliseconds: report.milliseconds,
                               defaultMilliseconds: report.defaultMilliseconds,
                               libraryMilliseconds: report.libraryMilliseconds), for: problem)
        return report
    }

    /// Median wall time of a few synchronised runs, in milliseconds (more runs for fast kernels).
    private func time(_ run: () throws -> Void) throws -> Double {
        var samples: [Double] = []
        var spent = 0.0
        while samples.count < 3 || (samples.count < 15 && spent < 0.05) {
            let start = DispatchTime.now().uptimeNanoseconds
            try run()
            try synchronize()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            samples.append(seconds * 1000)
            spent += seconds
        }
        return samples.sorted()[samples.count / 2]
    }

    /// How far a candidate may differ from the reference: float32 sums of `n` products of
    /// operands in [-1, 1] drift by about √n rounding steps of the largest partial sum.
    static func tolerance(_ problem: TunableProblem, _ reference: [Float]) -> Float {
        let n: Int
        switch problem {
        case let .convolution(p):
            let g = p.geometry
            switch p.pass {
            case .forward: n = g.inChannelsPerGroup * g.kernelHeight * g.kernelWidth
            case .inputGradient: n = g.outChannelsPerGroup * g.kernelHeight * g.kernelWidth
            case .weightGradient: n = g.batch * g.outHeight * g.outWidth
            }
        case let .matmul(p):
            n = p.k
        }
        let largest = reference.map { abs($0) }.max() ?? 0
        return 1e-5 * Float(max(n, 1)).squareRoot() * max(1, largest)
    }
}

/// Seeded random operands of one problem, and its output buffer (dense layouts).
private struct TuningOperands {
    let first: BufferView, second: BufferView, output: BufferView

    init(_ problem: TunableProblem, on device: OpenCLDevice) throws {
        let shapes: [[Int]]
        switch problem {
        case let .convolution(p):
            let g = p.geometry
            switch p.pass {
            case .forward: shapes = [g.inputShape, g.weightShape, g.outputShape]
            case .inputGradient: shapes = [g.outputShape, g.weightShape, g.inputShape]
            case .weightGradient: shapes = [g.inputShape, g.outputShape, g.weightShape]
            }
        case let .matmul(p):
            shapes = [[p.batch] + (p.transposeA ? [p.k, p.m] : [p.m, p.k]),
                      [p.batch] + (p.transposeB ? [p.n, p.k] : [p.k, p.n]), [p.batch, p.m, p.n]]
        }
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        var views: [BufferView] = []
        for (index, shape) in shapes.enumerated() {
            let count = shape.reduce(1, *)
            let buffer = try device.allocate(byteCount: max(count, 1) * 4)
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
