import SynapseTestSupport
import Testing

/// Packed parameters (`Module.packParameters()`): the same training as unpacked, bit for bit, with
/// every gradient written in place and one optimizer launch; and the fallbacks when packing no
/// longer holds.
@Suite struct ParameterArenaTests {
    /// A small net with a convolution, batch norm, fused activations and dense layers.
    static func makeNet() -> Module {
        Sequential {
            Conv2d(1, 3, kernelSize: 3, padding: 1)
            Tanh()
            BatchNorm2d(3)
            ReLU()
            Flatten()
            Linear(3 * 6 * 6, 8)
            Sigmoid()
            Linear(8, 4)
        }
    }

    /// Parameters after `steps` steps of `optimizer` on a fixed batch, packed or not, and the
    /// optimizer's state.
    static func train(on device: any Device, packed: Bool, steps: Int = 3,
                      _ makeOptimizer: ([Parameter]) -> any Optimizer) throws -> (parameters: [[Float]], state: [[Float]]) {
        let net = withDevice(device) { withRandomSeed(5) { makeNet() } }
        if packed { #expect(net.packParameters() != nil) }
        let optimizer = makeOptimizer(net.parameters())
        let x = withRandomSeed(6) { Tensor.uniform([4, 1, 6, 6], on: device) }
        let labels = Tensor(int32: [0, 1, 2, 3], on: device)
        for _ in 0..<steps {
            optimizer.zeroGradients()
            net(x).crossEntropy(labels: labels).backward()
            optimizer.step()
        }
        return (try net.parameters().map { try $0.value.toArray() }, try optimizer.stateDict().map { try $0.tensor.toArray() })
    }

    static let optimizers: [(String, @Sendable ([Parameter]) -> any Optimizer)] = [
        ("sgd", { SGD($0, learningRate: 0.1) }),
        ("sgd momentum nesterov decay", { SGD($0, learningRate: 0.1, momentum: 0.9, weightDecay: 1e-3, nesterov: true) }),
        ("adam", { Adam($0, learningRate: 0.01, weightDecay: 1e-3) }),
        ("adamw", { AdamW($0, learningRate: 0.01) }),
    ]

    @Test(arguments: TestDevices.specs)
    func packedTrainingEqualsUnpackedBitForBit(spec: String) throws {
        let device = TestDevices.device(spec)
        for (name, make) in Self.optimizers {
            let packed = try Self.train(on: device, packed: true, make)
            let unpacked = try Self.train(on: device, packed: false, make)
            #expect(packed.parameters == unpacked.parameters, "\(name) on \(spec): parameters differ")
            #expect(packed.state == unpacked.state, "\(name) on \(spec): optimizer state differs")
        }
    }

    @Test func gradientsAreWrittenInPlaceAndTheUpdateIsOneLaunch() throws {
        let device = CPUDevice.shared
        let net = withDevice(device) { withRandomSeed(5) { Self.makeNet() } }
        let arena = try #require(net.packParameters())
        let optimizer = SGD(net.parameters(), learningRate: 0.1, momentum: 0.9)
        let x = withRandomSeed(6) { Tensor.uniform([4, 1, 6, 6], on: device) }
        let labels = Tensor(int32: [0, 1, 2, 3], on: device)
        #expect(net.parameters().allSatisfy { $0.gradient == nil })
        let counts = countingCommands {
            net(x).crossEntropy(labels: labels).backward()
            optimizer.step()
        }
        for (index, parameter) in net.parameters().enumerated() {
            let gradient = try #require(parameter.gradient)
            #expect(gradient.isSameView(as: arena.view(of: arena.gradients, parameter: index)))
            #expect(parameter.value.isSameView(as: arena.view(of: arena.values, parameter: index)))
        }
        // No gradient is copied into place, and one update covers every parameter.
        #expect(counts.primitives["copy"] == nil, "\(counts.primitives)")
        #expect(counts.primitives["sgdStep"] == 1, "\(counts.primitives)")
        optimizer.zeroGradients()
        #expect(net.parameters().allSatisfy { $0.gradient == nil })
    }

    @Test func gradientsAccumulateAcrossPassesAsUnpacked() throws {
        let device = CPUDevice.shared
        func twoPasses(packed: Bool) throws -> [[Float]] {
            let net = withDevice(device) { withRandomSeed(5) { Self.makeNet() } }
            if packed { net.packParameters() }
            let x = withRandomSeed(6) { Tensor.uniform([4, 1, 6, 6], on: device) }
            let labels = Tensor(int32: [0, 1, 2, 3], on: device)
            for _ in 0..<2 { net(x).crossEntropy(labels: labels).backward() }
            return try net.parameters().map { try #require($0.gradient).toArray() }
        }
        #expect(try twoPasses(packed: true) == twoPasses(packed: false))
    }

    /// A parameter without a gradient is skipped, as unpacked: the update falls back to one launch
    /// per parameter that has one.
    @Test func aParameterWithoutAGradientIsSkipped() throws {
        let device = CPUDevice.shared
        let (a, b) = (Parameter(Tensor([1, 2], on: device)), Parameter(Tensor([3], on: device)))
        final class Pair: Module {
            let a: Parameter, b: Parameter
            init(_ a: Parameter, _ b: Parameter) { self.a = a; self.b = b; super.init() }
        }
        let pair = Pair(a, b)
        #expect(pair.packParameters() != nil)
        let optimizer = SGD(pair.parameters(), learningRate: 0.5, momentum: 0.9)
        (a.value * 2).sum().backward()
        let counts = countingCommands { optimizer.step() }
        #expect(counts.primitives["sgdStep"] == 1)
        #expect(try a.value.toArray() == [0, 1])
        #expect(try b.value.toArray() == [3])
    }

    /// Moving a packed model to another device unpacks it: training goes on per parameter.
    @Test(arguments: TestDevices.openCLSpecs)
    func movingAPackedModelFallsBackToPerParameterUpdates(spec: String) throws {
        let net = withDevice(CPUDevice.shared) { withRandomSeed(5) { Self.makeNet() } }
        let arena = try #require(net.packParameters())
        let device = TestDevices.device(spec)
        try net.move(to: device)
        #expect(!arena.holds(net.parameters()))
        let optimizer = SGD(net.parameters(), learningRate: 0.1)
        let x = withRandomSeed(6) { Tensor.uniform([4, 1, 6, 6], on: device) }
        net(x).crossEntropy(labels: Tensor(int32: [0, 1, 2, 3], on: device)).backward()
        let counts = countingCommands { optimizer.step() }
        #expect(counts.primitives["sgdStep"] == net.parameters().count)
    }

    /// Optimizer state saved from a packed run and loaded into another packed run continues exactly.
    @Test func packedOptimizerStateRoundTrips() throws {
        let device = CPUDevice.shared
        func run(resumeAfter split: Int?) throws -> [[Float]] {
            let net = withDevice(device) { withRandomSeed(5) { Self.makeNet() } }
            net.packParameters()
            var optimizer: any Optimizer = Adam(net.parameters(), learningRate: 0.01)
            let x = withRandomSeed(6) { Tensor.uniform([4, 1, 6, 6], on: device) }
            let labels = Tensor(int32: [0, 1, 2, 3], on: device)
            for step in 0..<4 {
                if step == split {
                    let saved = try optimizer.stateDict().map { ($0.name, Tensor(try $0.tensor.toArray(), shape: $0.tensor.shape, on: device)) }
                    optimizer = Adam(net.parameters(), learningRate: 0.01)
                    try optimizer.loadStateDict(saved)
                }
                optimizer.zeroGradients()
                net(x).crossEntropy(labels: labels).backward()
                optimizer.step()
            }
            return try net.parameters().map { try $0.value.toArray() }
        }
        #expect(try run(resumeAfter: 2) == run(resumeAfter: nil))
    }
}
