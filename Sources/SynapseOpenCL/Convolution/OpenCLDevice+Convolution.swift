import Foundation
import SynapseBackend

/// The convolution primitives: each pass runs with the algorithm `kernelTuning` picks for
/// its geometry (tuned, tuned now with `tunesOnFirstUse`, or the device class's default).
extension OpenCLDevice {
    package func conv2d(_ g: Conv2dGeometry, x: BufferView, weight: BufferView, bias: BufferView?, y: BufferView) throws {
        try run(ConvolutionProblem(.forward, g), x, weight, bias, into: y)
    }

    /// With the direct kernel the bias and activation are its epilogue; with im2col + CLBlast they
    /// are one more launch.
    package func conv2dActivation(_ g: Conv2dGeometry, _ activation: Activation, x: BufferView, weight: BufferView,
                                  bias: BufferView?, y: BufferView) throws {
        let problem = ConvolutionProblem(.forward, g)
        switch try convolutionAlgorithm(for: problem) {
        case let .direct(blocking):
            try directConv2d(g, blocking, x: x, weight: weight, bias: bias, activation: activation, y: y)
        case .im2colGEMM:
            try im2colConv2d(g, x: x, weight: weight, bias: nil, y: y)
            let planes = BufferView(buffer: y.buffer, shape: g.epilogueShape, offset: y.offset)
            try biasActivation(activation, x: planes, bias: bias, y: planes)
        }
    }

    package func conv2dBackwardInput(_ g: Conv2dGeometry, gradY: BufferView, weight: BufferView, gradX: BufferView) throws {
        try run(ConvolutionProblem(.inputGradient, g), gradY, weight, nil, into: gradX)
    }

    package func conv2dBackwardWeight(_ g: Conv2dGeometry, x: BufferView, gradY: BufferView, gradWeight: BufferView) throws {
        try run(ConvolutionProblem(.weightGradient, g), x, gradY, nil, into: gradWeight)
    }

    /// `problem` with the algorithm chosen for it.
    private func run(_ problem: ConvolutionProblem, _ first: BufferView, _ second: BufferView, _ bias: BufferView?,
                     into output: BufferView) throws {
        try runConvolution(problem, with: try convolutionAlgorithm(for: problem), first, second, bias, into: output)
    }

    /// Replaces the chosen algorithm for convolutions enqueued inside `$forcedConvolutionAlgorithm.withValue`
    /// (tests run every candidate, and im2col's chunking, this way). A direct blocking the problem
    /// cannot use falls back to im2col + CLBlast.
    @TaskLocal package static var forcedConvolutionAlgorithm: ConvolutionAlgorithm?

    /// Whether `SYNAPSE_OPENCL_KERNELS=clblast` asks for CLBlast-based convolutions and GEMMs only
    /// (no kernels of our own, tuned or not): a way around a driver that miscompiles ours.
    static let clblastOnly = ProcessInfo.processInfo.environment["SYNAPSE_OPENCL_KERNELS"] == "clblast"

    /// The algorithm `problem` runs with, tuning it first when that is asked for and not done yet.
    func convolutionAlgorithm(for problem: ConvolutionProblem) throws -> ConvolutionAlgorithm {
        if Self.forcedConvolutionAlgorithm == nil && Self.clblastOnly { return .im2colGEMM }
        if let forced = Self.forcedConvolutionAlgorithm {
            return ConvolutionCandidates.canRun(forced, problem) ? forced : .im2colGEMM
        }
        let (algorithm, needsTuning) = kernelTuning.algorithm(for: problem)
        guard needsTuning, case let .convolution(winner) = try tune(.convolution(problem)).winner else { return algorithm }
        return winner
    }

    /// Enqueues one pass of `problem` with `algorithm`. Operands in the primitives' order: forward
    /// (x, weight, bias), input gradient (gradY, weight), weight gradient (x, gradY).
    package func runConvolution(_ problem: ConvolutionProblem, with algorithm: ConvolutionAlgorithm,
                                _ first: BufferView, _ second: BufferView, _ bias: BufferView?,
                                into output: BufferView) throws {
        let g = problem.geometry
        switch (problem.pass, algorithm) {
        case (.forward, .im2colGEMM):
            try im2colConv2d(g, x: first, weight: second, bias: bias, y: output)
        case let (.forward, .direct(blocking)):
            try directConv2d(g, blocking, x: first, weight: second, bias: bias, y: output)
        case (.inputGradient, .im2colGEMM):
            try im2colConv2dBackwardInput(g, gradY: first, weight: second, gradX: output)
        case let (.inputGradient, .direct(blocking)):
            guard problem.directIsSupported else {
                throw DeviceError.unsupported("conv2dBackwardInput: the direct kernel covers stride 1 only, got stride (\(g.strideY), \(g.strideX))")
            }
            try directConv2dBackwardInput(g, blocking, gradY: first, weight: second, gradX: output)
        case (.weightGradient, .im2colGEMM):
            try im2colConv2dBackwardWeight(g, x: first, gradY: second, gradWeight: output)
        case let (.weightGradient, .direct(blocking)):
            try directConv2dBackwardWeight(g, blocking, x: first, gradY: second, gradWeight: output)
        }
    }
}
