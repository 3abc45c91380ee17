import Foundation
import SynapseBackend

/// Synchronised batch normalisation (PyTorch's `SyncBatchNorm`): training statistics over the
/// global batch of a `BatchNormGroup`, in split primitives with host steps between them.
///
/// Forward: `.batchNormStatistics` gives each process's per-channel mean and sum of squared
/// deviations; the group sums them into one table (each process fills its own row), and every
/// process combines the rows in `Double` (Chan et al.'s parallel variance) into the global mean and
/// variance; `.batchNorm` in evaluation mode then normalises with them. Backward:
/// `.batchNormBackwardReduce` gives the per-channel sums of the gradient, the group adds them up,
/// and `.batchNormBackwardInput` forms the input gradient. The host steps read and write device
/// buffers directly, and are replayed at the same place by a captured step.
extension Tensor {
    /// The training forward pass of `batchNorm` synchronised over `group`.
    func syncBatchNorm(operands: [Tensor], runningMean: Tensor, runningVar: Tensor, _ parameters: BatchNormParameters,
                       group: any BatchNormGroup) -> Tensor {
        let device = operands[0].device, channels = shape[1]
        let local = Tensor(empty: [channels], on: device), squares = Tensor(empty: [channels], on: device)
        ExecutionLatch.run(.batchNormStatistics, on: device, inputs: [operands[0].bufferView],
                           outputs: [local.bufferView, squares.bufferView], retaining: operands)
        let mean = Tensor(empty: [channels], on: device), variance = Tensor(empty: [channels], on: device)
        let invStd = Tensor(empty: [channels], on: device)
        let combine = StatisticsCombination(group: group, count: count / channels, parameters: parameters,
                                            local: (local, squares), global: (mean, variance, invStd),
                                            running: (runningMean, runningVar))
        let globalCount = Self.onHost(on: device) { try combine.run() } ?? count / channels
        CapturedStep.atThisPoint(on: device) { _ = Self.onHost(on: device) { try combine.run() } }
        let result = Tensor(empty: shape, on: device)
        let apply = BatchNormParameters(epsilon: parameters.epsilon, momentum: parameters.momentum, training: false)
        ExecutionLatch.run(.batchNorm(apply), on: device,
                           inputs: operands.map(\.bufferView) + [mean.bufferView, variance.bufferView],
                           outputs: [result.bufferView], retaining: operands)
        return Tensor.record(result, .syncBatchNorm(parameters, count: globalCount, group: BatchNormGroupReference(group)),
                             [self, operands[1], operands[2]], saved: [mean, invStd])
    }

    /// The chain rule of `syncBatchNorm`: `[gradX, gradWeight, gradBias]` (nil where not needed).
    static func syncBatchNormBackward(x: Tensor, gradient g: Tensor, weight: Tensor, mean: Tensor, invStd: Tensor,
                                      count: Int, group: any BatchNormGroup, needs: [Bool],
                                      into destinations: (weight: Tensor?, bias: Tensor?)) -> [Tensor?] {
        let channels = [x.shape[1]]
        let sums = backwardPrimitive(.batchNormBackwardReduce, shapes: [channels, channels], inputs: [x, g, mean, invStd],
                                     into: [destinations.bias, destinations.weight])
        let (gradBias, gradWeight) = (needs[2] ? sums[0] : nil, needs[1] ? sums[1] : nil)
        guard needs[0] else { return [nil, gradWeight, gradBias] }
        let device = x.device
        let global = [Tensor(empty: channels, on: device), Tensor(empty: channels, on: device)]
        let reduce = GradientSumReduction(group: group, local: (sums[0], sums[1]), global: (global[0], global[1]))
        _ = onHost(on: device) { try reduce.run() }
        CapturedStep.atThisPoint(on: device) { _ = onHost(on: device) { try reduce.run() } }
        let gradX = backwardPrimitive(.batchNormBackwardInput(count: count), shape: x.shape,
                                      inputs: [x, g, weight, mean, invStd, global[0], global[1]])
        return [gradX, gradWeight, gradBias]
    }

    /// Runs a host step unless `device` already failed; a failure is kept for the device (it
    /// surfaces at the next read, as a primitive's would).
    static func onHost<R>(on device: any Device, _ body: () throws -> R) -> R? {
        guard !ExecutionLatch.hasFailure(on: device) else { return nil }
        do { return try body() } catch {
            ExecutionLatch.recordFailure(error, on: device)
            return nil
        }
    }
}

/// Copies between a contiguous float32 tensor's device buffer and host memory, outside the tensor
/// API (so a captured step records them as host steps rather than refusing them).
enum HostCopy {
    static func read(_ tensor: Tensor, into values: UnsafeMutableBufferPointer<Float>) throws {
        guard let buffer = tensor.storage.buffer else { throw DeviceError.unsupported("syncBatchNorm: a tensor without storage") }
        try tensor.device.read(buffer, byteOffset: tensor.offset * MemoryLayout<Float>.stride,
                               into: UnsafeMutableRawBufferPointer(values))
    }

    static func write(_ values: [Float], to tensor: Tensor) throws {
        guard let buffer = tensor.storage.buffer else { throw DeviceError.unsupported("syncBatchNorm: a tensor without storage") }
        try values.withUnsafeBytes { try tensor.device.write($0, to: buffer, byteOffset: tensor.offset * MemoryLayout<Float>.stride) }
    }

    static func read(_ tensor: Tensor) throws -> [Float] {
        var values = [Float](repeating: 0, count: tensor.count)
        try values.withUnsafeMutableBufferPointer { try read(tensor, into: $0) }
        return values
    }
}

/// The forward host step: every process's (mean, squared deviations, count) per channel, summed
/// over the group into one table, combined into the global mean, variance and invStd; the running
/// statistics updated from them as `.batchNorm` updates them (the variance unbiased).
private struct StatisticsCombination {
    let group: any BatchNormGroup
    let count: Int
    let parameters: BatchNormParameters
    let local: (mean: Tensor, squares: Tensor)
    let global: (mean: Tensor, variance: Tensor, invStd: Tensor)
    let running: (mean: Tensor, variance: Tensor)

    /// Returns the values per channel over the global batch.
    func run() throws -> Int {
        let channels = local.mean.count, row = 2 * channels + 1
        var table = [Float](repeating: 0, count: group.size * row)
        try table.withUnsafeMutableBufferPointer { table in
            let mine = group.rank * row
            try HostCopy.read(local.mean, into: UnsafeMutableBufferPointer(rebasing: table[mine ..< mine + channels]))
            try HostCopy.read(local.squares, into: UnsafeMutableBufferPointer(rebasing: table[mine + channels ..< mine + 2 * channels]))
            table[mine + 2 * channels] = Float(count)
            try group.sum(table)
        }
        let counts = (0..<group.size).map { Double(table[$0 * row + 2 * channels]) }
        let total = counts.reduce(0, +)
        var mean = [Float](repeating: 0, count: channels), variance = mean, invStd = mean
        var runningMean = try HostCopy.read(running.mean), runningVar = try HostCopy.read(running.variance)
        let momentum = parameters.momentum
        for c in 0..<channels {
            let means = (0..<group.size).map { Double(table[$0 * row + c]) }
            let m = zip(counts, means).reduce(0) { $0 + $1.0 * $1.1 } / total
            var squares = 0.0
            for r in 0..<group.size {
                let d = means[r] - m
                squares += Double(table[r * row + channels + c]) + counts[r] * d * d
            }
            mean[c] = Float(m)
            variance[c] = Float(squares / total)
            invStd[c] = 1 / (variance[c] + parameters.epsilon).squareRoot()
            runningMean[c] = runningMean[c] * (1 - momentum) + Float(m) * momentum
            runningVar[c] = runningVar[c] * (1 - momentum) + Float(squares / (total - 1)) * momentum
        }
        try HostCopy.write(mean, to: global.mean)
        try HostCopy.write(variance, to: global.variance)
        try HostCopy.write(invStd, to: global.invStd)
        try HostCopy.write(runningMean, to: running.mean)
        try HostCopy.write(runningVar, to: running.variance)
        return Int(total)
    }
}

/// The backward host step: this process's per-channel gradient sums, weighted by its share of the
/// global batch (`BatchSlice`), summed over the group and taken back to its own units.
private struct GradientSumReduction {
    let group: any BatchNormGroup
    let local: (sumGradY: Tensor, sumGradYXhat: Tensor)
    let global: (sumGradY: Tensor, sumGradYXhat: Tensor)

    func run() throws {
        let share = BatchSlice.current.map { Float($0.count) / Float($0.globalCount) } ?? 1
        var sums = try HostCopy.read(local.sumGradY) + HostCopy.read(local.sumGradYXhat)
        for i in sums.indices { sums[i] *= share }
        try sums.withUnsafeMutableBufferPointer { try group.sum($0) }
        for i in sums.indices { sums[i] /= share }
        let channels = local.sumGradY.count
        try HostCopy.write(Array(sums[..<channels]), to: global.sumGradY)
        try HostCopy.write(Array(sums[channels...]), to: global.sumGradYXhat)
    }
}
