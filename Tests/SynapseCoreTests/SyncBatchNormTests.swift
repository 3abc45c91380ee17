import Dispatch
import Foundation
import SynapseTestSupport
import Testing

/// Batch norm synchronised over a group: two members, each with half a batch, normalise, update
/// their running statistics and take gradients as one process with the whole batch does.
@Suite struct SyncBatchNormTests {
    /// Two members of a group in two threads of this process: `sum` waits for both and gives each the total.
    final class Pair: @unchecked Sendable {
        private let condition = NSCondition()
        private var deposits: [[Float]?] = [nil, nil], total: [Float] = [], round = 0, taken = 0
        private(set) var sums = 0

        final class Member: BatchNormGroup {
            let pair: Pair, rank: Int
            var size: Int { 2 }
            init(_ pair: Pair, _ rank: Int) { self.pair = pair; self.rank = rank }
            func sum(_ values: UnsafeMutableBufferPointer<Float>) throws { pair.sum(values, from: rank) }
        }

        func sum(_ values: UnsafeMutableBufferPointer<Float>, from rank: Int) {
            condition.lock(); defer { condition.unlock() }
            while deposits[rank] != nil { condition.wait() }
            deposits[rank] = Array(values)
            let mine = round
            if let first = deposits[0], let second = deposits[1] {
                total = zip(first, second).map { $0 + $1 }
                round += 1
                sums += 1
                condition.broadcast()
            } else {
                while round == mine { condition.wait() }
            }
            for i in values.indices { values[i] = total[i] }
            taken += 1
            if taken == 2 { taken = 0; deposits = [nil, nil]; condition.broadcast() }
        }
    }

    /// Output, running statistics and gradients (x, weight, bias) of one batch norm step on rows
    /// `rows` of `x`, with `seed` (rows `rows`) as the output's gradient, scaled to the rows' own units.
    static func step(_ x: [Float], seed: [Float], shape: [Int], rows: Range<Int>, device: any Device,
                     group: (any BatchNormGroup)?) -> [[Float]] {
        let perRow = shape.dropFirst().reduce(1, *), channels = shape[1]
        let part = Array(x[rows.lowerBound * perRow ..< rows.upperBound * perRow])
        let share = Float(rows.count) / Float(shape[0])
        let gradient = seed[rows.lowerBound * perRow ..< rows.upperBound * perRow].map { $0 / share }
        let input = Tensor(part, shape: [rows.count] + shape.dropFirst(), on: device, requiresGradient: true)
        let weight = Tensor((0..<channels).map { 1 + Float($0) / 4 }, shape: [channels], on: device, requiresGradient: true)
        let bias = Tensor((0..<channels).map { Float($0) / 8 }, shape: [channels], on: device, requiresGradient: true)
        let runningMean = Tensor.zeros([channels], on: device), runningVar = Tensor.ones([channels], on: device)
        let slice = BatchSlice(start: rows.lowerBound, count: rows.count, globalCount: shape[0])
        let y = withBatchSlice(slice) {
            withBatchNormGroup(group) {
                let y = input.batchNorm(weight: weight, bias: bias, runningMean: runningMean, runningVar: runningVar,
                                        BatchNormParameters(training: true))
                y.backward(seed: Tensor(gradient, shape: y.shape, on: device))
                return y
            }
        }
        // Gradients back in the units of the whole batch's loss.
        let scaled = { (t: Tensor) in (try! t.gradient!.toArray()).map { $0 * share } }
        return [try! y.toArray(), try! runningMean.toArray(), try! runningVar.toArray(),
                scaled(input), scaled(weight), scaled(bias)]
    }

    @Test(arguments: TestDevices.specs)
    func twoMembersWithHalfABatchEachStepAsOneProcessWithTheWholeBatch(spec: String) throws {
        let device = TestDevices.device(spec)
        let shape = [6, 3, 4, 5], count = shape.reduce(1, *)
        var random = SeededRandom(7)
        // Halves with different means, so that unsynchronised statistics would differ.
        let x = random.floats(count, -2...2).enumerated().map { $1 + ($0 < count / 2 ? 1.5 : -0.5) }
        let seed = random.floats(count)
        let whole = Self.step(x, seed: seed, shape: shape, rows: 0..<6, device: device, group: nil)
        let pair = Pair()
        final class Halves: @unchecked Sendable {
            let lock = NSLock()
            var results: [[[Float]]] = [[], []]
        }
        let box = Halves()
        DispatchQueue.concurrentPerform(iterations: 2) { rank in
            let result = Self.step(x, seed: seed, shape: shape, rows: rank * 3 ..< rank * 3 + 3, device: device,
                                   group: Pair.Member(pair, rank))
            box.lock.withLock { box.results[rank] = result }
        }
        let halves = box.results
        #expect(pair.sums == 2, "one sum forward, one backward")
        func close(_ a: [Float], _ b: [Float], _ what: String) {
            let largest = zip(a, b).map { abs($0 - $1) }.max() ?? .infinity
            #expect(a.count == b.count && largest <= 2e-5, "\(what): largest difference \(largest) on \(spec)")
        }
        close(halves[0][0] + halves[1][0], whole[0], "output")
        for (index, name) in [(1, "running mean"), (2, "running variance")] {
            #expect(halves[0][index] == halves[1][index], "\(name) differs between the members")
            close(halves[0][index], whole[index], name)
        }
        close(halves[0][3] + halves[1][3], whole[3], "input gradient")
        for (index, name) in [(4, "weight gradient"), (5, "bias gradient")] {
            close(zip(halves[0][index], halves[1][index]).map { $0 + $1 }, whole[index], name)
        }
    }

    @Test(arguments: TestDevices.specs)
    func aCapturedStepReplaysTheSynchronisedStatisticsAndGradients(spec: String) throws {
        let device = TestDevices.device(spec)
        final class Counting: BatchNormGroup, @unchecked Sendable {
            var rank: Int { 0 }
            var size: Int { 1 }
            var calls = 0
            func sum(_ values: UnsafeMutableBufferPointer<Float>) throws { calls += 1 }
        }
        let group = Counting()
        let net = withDevice(device) { withRandomSeed(2) { Sequential { Conv2d(1, 2, kernelSize: 3, padding: 1); BatchNorm2d(2) } } }
        net.packParameters()
        let captured = Tensor.uniform([3, 1, 4, 4], low: -1, high: 1, on: device)
        func pass(_ x: Tensor) -> [Tensor] {
            let loss = withBatchNormGroup(group) { net(x).square().mean() }
            loss.backward()
            return [loss.detached()]
        }
        let (_, recording, whyNot) = CapturedStep.capture(on: device) { pass(captured) }
        let step = try #require(recording, "\(whyNot ?? "")")
        #expect(group.calls == 2)
        let next = Tensor.uniform([3, 1, 4, 4], low: -1, high: 1, on: device)
        try step.replay(substituting: [(captured, next)])
        #expect(group.calls == 4, "the replay sums the statistics and the gradient sums again")
        let replayed = try net.parameters().map { try #require($0.value.gradient).toArray() }
        let replayedState = try net.stateDict().filter { $0.tensor.dtype == .float32 }.map { try $0.tensor.toArray() }
        // The same two steps eagerly, from the same start.
        let eagerNet = withDevice(device) { withRandomSeed(2) { Sequential { Conv2d(1, 2, kernelSize: 3, padding: 1); BatchNorm2d(2) } } }
        eagerNet.packParameters()
        for x in [captured, next] {
            for parameter in eagerNet.parameters() { parameter.value.zeroGradient() }
            let loss = withBatchNormGroup(group) { eagerNet(x).square().mean() }
            loss.backward()
        }
        #expect(try eagerNet.parameters().map { try #require($0.value.gradient).toArray() } == replayed)
        #expect(try eagerNet.stateDict().filter { $0.tensor.dtype == .float32 }.map { try $0.tensor.toArray() } == replayedState)
    }
}
