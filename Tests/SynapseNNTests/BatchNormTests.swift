import Foundation
import SynapseTestSupport
import Testing

/// Batch normalisation in training mode on the host, in Double: `[N, C, H, W]` row-major.
private func hostBatchNorm(_ x: [Double], shape: [Int], weight: [Double], bias: [Double], eps: Double = 1e-5)
    -> (output: [Double], mean: [Double], biasedVariance: [Double]) {
    let (n, c, hw) = (shape[0], shape[1], shape[2] * shape[3])
    var output = x, means = [Double](repeating: 0, count: c), variances = means
    for ch in 0..<c {
        let indices = (0..<n).flatMap { b in (0..<hw).map { (b * c + ch) * hw + $0 } }
        let mean = indices.reduce(0) { $0 + x[$1] } / Double(indices.count)
        let variance = indices.reduce(0) { $0 + (x[$1] - mean) * (x[$1] - mean) } / Double(indices.count)
        for i in indices { output[i] = (x[i] - mean) / (variance + eps).squareRoot() * weight[ch] + bias[ch] }
        means[ch] = mean; variances[ch] = variance
    }
    return (output, means, variances)
}

@Suite("BatchNorm2d")
struct BatchNormTests {
    static let shape = [2, 3, 3, 2]
    static let input: [Float] = (0..<36).map { Float(sin(Double($0) * 1.7) * 2 + Double($0 % 3)) }
    static let weight: [Float] = [1.5, -0.5, 2]
    static let bias: [Float] = [0.1, 0.2, -0.3]

    /// `num_batches_tracked` as a state-dict export reports it.
    private func tracked(_ layer: Module) throws -> [Int32] {
        try layer.stateDict().first { $0.name == "num_batches_tracked" }!.tensor.toInt32Array()
    }

    private func makeLayer(on device: any Device) throws -> BatchNorm2d {
        let layer = withDevice(device) { BatchNorm2d(3) }
        layer.weight!.value.load(Self.weight)
        layer.bias!.value.load(Self.bias)
        return layer
    }

    @Test(arguments: TestDevices.specs)
    func trainingNormalisesWithBatchStatisticsAndUpdatesRunningOnes(spec: String) throws {
        let device = TestDevices.device(spec)
        let layer = try makeLayer(on: device)
        let output = layer(Tensor(Self.input, shape: Self.shape, on: device))
        let host = hostBatchNorm(Self.input.map(Double.init), shape: Self.shape,
                                 weight: Self.weight.map(Double.init), bias: Self.bias.map(Double.init))
        expectClose(hostValues(output), host.output.map { Float($0) }, tolerance: 1e-4)

        let count = Double(2 * 3 * 2)
        expectClose(hostValues(layer.runningMean.value), host.mean.map { Float(0.1 * $0) })
        expectClose(hostValues(layer.runningVar.value), host.biasedVariance.map { Float(0.9 + 0.1 * $0 * count / (count - 1)) })
        #expect(try tracked(layer) == [1])
        _ = layer(Tensor(Self.input, shape: Self.shape, on: device))
        #expect(try tracked(layer) == [2])
        expectClose(hostValues(layer.runningMean.value), host.mean.map { Float(0.19 * $0) })
    }

    @Test(arguments: TestDevices.specs)
    func evaluationUsesRunningStatistics(spec: String) throws {
        let device = TestDevices.device(spec)
        let layer = try makeLayer(on: device)
        layer.runningMean.value.load([1, -1, 0.5])
        layer.runningVar.value.load([4, 0.25, 1])
        layer.eval()
        let output = hostValues(layer(Tensor(Self.input, shape: Self.shape, on: device)))
        let mean: [Float] = [1, -1, 0.5], variance: [Float] = [4, 0.25, 1]
        let expected = Self.input.enumerated().map { i, x -> Float in
            let c = (i / 6) % 3
            return (x - mean[c]) / (variance[c] + 1e-5).squareRoot() * Self.weight[c] + Self.bias[c]
        }
        expectClose(output, expected, tolerance: 1e-5)
        expectClose(hostValues(layer.runningMean.value), mean)   // untouched in evaluation
        #expect(try tracked(layer) == [0])
    }

    /// The batch counter continues from values loaded either way: `loadStateDict`, or writing into the
    /// tensors of a `stateDict()` export (as a checkpoint reader may).
    @Test(arguments: TestDevices.specs)
    func batchCounterContinuesFromLoadedState(spec: String) throws {
        let device = TestDevices.device(spec)
        let layer = try makeLayer(on: device)
        let x = Tensor(Self.input, shape: Self.shape, on: device)
        _ = layer(x)
        _ = layer(x)
        let export = layer.stateDict()
        #expect(try tracked(layer) == [2])
        export.first { $0.name == "num_batches_tracked" }!.tensor.load(int32: [10])
        _ = layer(x)
        #expect(try tracked(layer) == [11])

        _ = layer(x)
        var state = layer.stateDict().filter { $0.name != "num_batches_tracked" }
        state.append((name: "num_batches_tracked", tensor: Tensor(int32: [5], shape: [])))
        _ = layer(x)   // counted on the host, then dropped: the load replaces the counter
        try layer.loadStateDict(state)
        #expect(try tracked(layer) == [5])
        _ = layer(x)
        #expect(try tracked(layer) == [6])
    }

    /// d(sum(bn(x) · r))/d(x, γ, β) from `backward()` against central differences of the host function.
    @Test(arguments: TestDevices.specs)
    func gradientsMatchFiniteDifferences(spec: String) throws {
        let device = TestDevices.device(spec)
        let layer = try makeLayer(on: device)
        let r: [Float] = (0..<36).map { Float(cos(Double($0) * 0.9)) }
        let x = Tensor(Self.input, shape: Self.shape, on: device, requiresGradient: true)
        (layer(x) * Tensor(r, shape: Self.shape, on: device)).sum().backward()

        func loss(_ x: [Double], _ w: [Double], _ b: [Double]) -> Double {
            let y = hostBatchNorm(x, shape: Self.shape, weight: w, bias: b).output
            return zip(y, r).reduce(0) { $0 + $1.0 * Double($1.1) }
        }
        func numeric(_ point: [Double], _ f: ([Double]) -> Double) -> [Float] {
            let h = 1e-5
            return point.indices.map { i in
                var plus = point, minus = point
                plus[i] += h; minus[i] -= h
                return Float((f(plus) - f(minus)) / (2 * h))
            }
        }
        let (x0, w0, b0) = (Self.input.map(Double.init), Self.weight.map(Double.init), Self.bias.map(Double.init))
        expectClose(hostValues(x.gradient!), numeric(x0) { loss($0, w0, b0) }, tolerance: 2e-3)
        expectClose(hostValues(layer.weight!.gradient!), numeric(w0) { loss(x0, $0, b0) }, tolerance: 2e-3)
        expectClose(hostValues(layer.bias!.gradient!), numeric(b0) { loss(x0, w0, $0) }, tolerance: 2e-3)
    }

    /// In evaluation the running statistics are constants: `dL/dx = r·γ/√(σ²+ε)`,
    /// `dL/dγ = Σ r·(x-μ)/√(σ²+ε)`, `dL/dβ = Σ r`, per channel.
    @Test(arguments: TestDevices.specs)
    func evaluationGradientsTreatRunningStatisticsAsConstants(spec: String) throws {
        let device = TestDevices.device(spec)
        let layer = try makeLayer(on: device)
        let (runningMean, runningVar): ([Float], [Float]) = ([0.5, -1, 2], [4, 0.25, 1.5])
        layer.runningMean.value.load(runningMean)
        layer.runningVar.value.load(runningVar)
        layer.eval()
        let r: [Float] = (0..<36).map { Float(cos(Double($0) * 0.9)) }
        let x = Tensor(Self.input, shape: Self.shape, on: device, requiresGradient: true)
        (layer(x) * Tensor(r, shape: Self.shape, on: device)).sum().backward()

        var gradX = [Float](repeating: 0, count: 36), gradW = [Float](repeating: 0, count: 3), gradB = gradW
        for i in 0..<36 {
            let c = (i / 6) % 3
            let invStd = 1 / (Double(runningVar[c]) + 1e-5).squareRoot()
            gradX[i] = Float(Double(r[i]) * Double(Self.weight[c]) * invStd)
            gradW[c] += Float(Double(r[i]) * (Double(Self.input[i]) - Double(runningMean[c])) * invStd)
            gradB[c] += r[i]
        }
        expectClose(hostValues(x.gradient!), gradX, tolerance: 1e-4)
        expectClose(hostValues(layer.weight!.gradient!), gradW, tolerance: 1e-4)
        expectClose(hostValues(layer.bias!.gradient!), gradB, tolerance: 1e-4)
        // Evaluation leaves the running statistics as they were.
        expectClose(hostValues(layer.runningMean.value), runningMean)
    }

    /// One primitive each way replaces the ~20 tensor operations batch norm was built from.
    @Test(arguments: TestDevices.specs)
    func layerIsOnePrimitiveEachWay(spec: String) throws {
        let device = TestDevices.device(spec)
        let layer = try makeLayer(on: device)
        let x = Tensor(Self.input, shape: Self.shape, on: device, requiresGradient: true)
        let y = layer(x)
        #expect(y.node?.op == .batchNorm(BatchNormParameters(epsilon: 1e-5, momentum: 0.1, training: true)))
        #expect(y.node?.inputs.first === x)
    }

    /// Channels of more values than a work-group has items (M = 8·9·7 = 504), against the CPU.
    @Test(arguments: TestDevices.openCLSpecs)
    func largeChannelsMatchTheCPU(spec: String) throws {
        let shape = [8, 4, 9, 7]
        let count = 8 * 4 * 9 * 7
        let values: [Float] = (0..<count).map { (i: Int) -> Float in Float(sin(Double(i) * 0.37) * 3 + Double(i % 5)) }
        let r: [Float] = (0..<count).map { (i: Int) -> Float in Float(cos(Double(i) * 0.61)) }
        func run(_ device: any Device) throws -> [[Float]] {
            let layer = withDevice(device) { BatchNorm2d(4) }
            let x = Tensor(values, shape: shape, on: device, requiresGradient: true)
            let y = layer(x)
            (y * Tensor(r, shape: shape, on: device)).sum().backward()
            return [hostValues(y), hostValues(x.gradient!), hostValues(layer.weight!.gradient!),
                    hostValues(layer.bias!.gradient!), hostValues(layer.runningMean.value), hostValues(layer.runningVar.value)]
        }
        let expected = try run(CPUDevice.shared), actual = try run(TestDevices.device(spec))
        for (a, e) in zip(actual, expected) { expectClose(a, e, tolerance: 1e-3) }
    }
}

