import SynapseTestSupport
import Testing

/// A module with members of every kind, to check discovery and PyTorch's ordering.
private final class Composite: Module {
    let encoder = Linear(4, 3)
    let scale = Parameter(Tensor.ones([3]))
    let blocks: [Module] = [Linear(3, 3), ReLU(), Linear(3, 2, bias: false)]
    let head: Linear? = Linear(2, 2)
    let absent: Linear? = nil
    let counter = Buffer(Tensor.zeros([1]))

    override func forward(_ input: Tensor) -> Tensor {
        var x = encoder(input) * scale.value
        for block in blocks { x = block(x) }
        return head!(x)
    }
}

@Suite("Module discovery, modes and state dicts")
struct ModuleTests {
    static let useSigmoid = false

    @Test func ownMembersComeFirstThenChildrenInDeclarationOrder() {
        let model = Composite()
        #expect(model.namedParameters().map(\.name) == [
            "scale", "encoder.weight", "encoder.bias", "blocks.0.weight", "blocks.0.bias", "blocks.2.weight",
            "head.weight", "head.bias",
        ])
        #expect(model.namedBuffers().map(\.name) == ["counter"])
        #expect(model.stateDict().map(\.name) == [
            "scale", "counter", "encoder.weight", "encoder.bias", "blocks.0.weight", "blocks.0.bias",
            "blocks.2.weight", "head.weight", "head.bias",
        ])
        #expect(model.namedModules().map(\.name) == ["", "encoder", "blocks.0", "blocks.1", "blocks.2", "head"])
        #expect(model.parameterCount == 3 + 15 + 12 + 6 + 6)
    }

    @Test func sequentialNamesChildrenByPositionWhenNested() {
        let model = Sequential {
            Sequential {
                Linear(2, 3)
                ReLU()
                Linear(3, 3)
            }
            Tanh()
            for _ in 0..<2 { Linear(3, 3) }
            if Self.useSigmoid { Sigmoid() } else { ReLU() }
            Linear(3, 1, bias: false)
        }
        #expect(model.namedParameters().map(\.name) == [
            "0.0.weight", "0.0.bias", "0.2.weight", "0.2.bias", "2.weight", "2.bias", "3.weight", "3.bias", "5.weight",
        ])
        #expect(model.count == 6)
        #expect(model(Tensor.ones([4, 2])).shape == [4, 1])
    }

    @Test func batchNormRegistersPyTorchBuffers() {
        let model = Sequential {
            Conv2d(1, 2, kernelSize: 3, bias: false)
            BatchNorm2d(2)
        }
        #expect(model.stateDict().map(\.name) == [
            "0.weight", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked",
        ])
        #expect(model.namedParameters().map(\.name) == ["0.weight", "1.weight", "1.bias"])
        #expect(model.stateDict().last?.tensor.dtype == .int32)
    }

    @Test func sharedParametersAreListedOnce() {
        let shared = Linear(2, 2)
        let model = Sequential([shared, ReLU(), shared])
        #expect(model.namedParameters().map(\.name) == ["0.weight", "0.bias"])
        #expect(model.stateDict().map(\.name) == ["0.weight", "0.bias", "2.weight", "2.bias"])
    }

    @Test func trainAndEvalReachEveryDescendant() {
        let model = Composite()
        #expect(model.namedModules().allSatisfy { $0.module.isTraining })
        model.eval()
        #expect(model.namedModules().allSatisfy { !$0.module.isTraining })
        model.train()
        #expect(model.namedModules().allSatisfy { $0.module.isTraining })
    }

    @Test(arguments: TestDevices.specs)
    func stateDictRoundTripReproducesTheModel(spec: String) throws {
        let device = TestDevices.device(spec)
        let (source, target) = withDevice(device) { (Composite(), Composite()) }
        let input = Tensor.uniform([5, 4], low: -1, high: 1, on: device)
        try target.loadStateDict(source.stateDict())
        for ((name, a), (_, b)) in zip(source.stateDict(), target.stateDict()) where a.dtype == .float32 {
            #expect(try a.toArray() == b.toArray(), "\(name)")
        }
        #expect(try source(input).toArray() == target(input).toArray())
    }

    @Test(arguments: TestDevices.specs)
    func stateDictLoadsAcrossDevicesAndDictionaries(spec: String) throws {
        let device = TestDevices.device(spec)
        let source = withDevice(CPUDevice.shared) { Sequential { Conv2d(1, 2, kernelSize: 3); BatchNorm2d(2) } }
        source(Tensor.normal([2, 1, 5, 5])).sum().backward()   // moves running stats and the counter
        let target = withDevice(device) { Sequential { Conv2d(1, 2, kernelSize: 3); BatchNorm2d(2) } }
        try target.loadStateDict(Dictionary(uniqueKeysWithValues: source.stateDict().map { ($0.name, $0.tensor) }))
        for ((name, a), (_, b)) in zip(source.stateDict(), target.stateDict()) {
            #expect(b.device === device)
            if a.dtype == .int32 {
                #expect(try a.toInt32Array() == b.toInt32Array(), "\(name)")
            } else {
                #expect(try a.toArray() == b.toArray(), "\(name)")
            }
        }
        #expect(try target.stateDict().last!.tensor.toInt32Array() == [1])
    }

    @Test func loadStateDictNamesTheOffendingKey() throws {
        let model = Composite()
        let good = model.stateDict()
        let before = try model.encoder.weight.value.toArray()

        var missing = good
        missing.removeAll { $0.name == "blocks.2.weight" }
        #expect(throws: StateDictError.missingKey("blocks.2.weight")) { try model.loadStateDict(missing) }

        let unexpected = good + [(name: "blocks.2.bias", tensor: Tensor.zeros([2]))]
        #expect(throws: StateDictError.unexpectedKey("blocks.2.bias")) { try model.loadStateDict(unexpected) }

        let wrongShape = good.map { $0.name == "head.weight" ? (name: $0.name, tensor: Tensor.zeros([2, 3])) : $0 }
        #expect(throws: StateDictError.shapeMismatch(key: "head.weight", expected: [2, 2], found: [2, 3])) {
            try model.loadStateDict(wrongShape)
        }
        #expect(StateDictError.shapeMismatch(key: "head.weight", expected: [2, 2], found: [2, 3]).description
            .contains("'head.weight'"))

        // Nothing is written when a later key fails.
        let partial = good.map { $0.name == "encoder.weight" ? (name: $0.name, tensor: Tensor.zeros([3, 4])) : $0 }
            .filter { $0.name != "head.bias" }
        #expect(throws: StateDictError.missingKey("head.bias")) { try model.loadStateDict(partial) }
        #expect(try model.encoder.weight.value.toArray() == before)
    }

    @Test(arguments: TestDevices.specs)
    func moveKeepsTheBoxesAndValues(spec: String) throws {
        let device = TestDevices.device(spec)
        let model = withDevice(CPUDevice.shared) { Composite() }
        let weight = model.encoder.weight
        let before = try weight.value.toArray()
        try model.move(to: device)
        #expect(model.encoder.weight === weight)
        #expect(model.parameters().allSatisfy { $0.value.device === device && $0.value.requiresGradient })
        #expect(model.namedBuffers().allSatisfy { $0.buffer.value.device === device })
        #expect(try weight.value.toArray() == before)
        #expect(model.device === device)
    }
}
