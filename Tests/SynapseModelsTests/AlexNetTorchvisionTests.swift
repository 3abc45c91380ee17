import SynapseTestSupport
import Testing

/// `alexnet-torchvision` has exactly the state dict of `torchvision.models.alexnet()`.
@Suite struct AlexNetTorchvisionTests {
    /// torchvision's names and shapes; by hand: conv1 64·3·121+64 = 23,296; conv2 192·64·25+192 = 307,392;
    /// conv3 384·192·9+384 = 663,936; conv4 256·384·9+256 = 884,992; conv5 256·256·9+256 = 590,080;
    /// fc6 9216·4096+4096 = 37,752,832; fc7 16,781,312; fc8 4096·1000+1000 = 4,097,000 — 61,100,840 in all.
    static let torchvisionShapes: [(String, [Int])] = [
        ("features.0.weight", [64, 3, 11, 11]), ("features.0.bias", [64]),
        ("features.3.weight", [192, 64, 5, 5]), ("features.3.bias", [192]),
        ("features.6.weight", [384, 192, 3, 3]), ("features.6.bias", [384]),
        ("features.8.weight", [256, 384, 3, 3]), ("features.8.bias", [256]),
        ("features.10.weight", [256, 256, 3, 3]), ("features.10.bias", [256]),
        ("classifier.1.weight", [4096, 9216]), ("classifier.1.bias", [4096]),
        ("classifier.4.weight", [4096, 4096]), ("classifier.4.bias", [4096]),
        ("classifier.6.weight", [1000, 4096]), ("classifier.6.bias", [1000]),
    ]

    @Test func namesShapesAndCountAreTorchvisions() throws {
        let model = try withDevice(CPUDevice.shared) { try ModelZoo.make(name: "alexnet-torchvision", classes: 1000) }
        let state = model.stateDict()
        #expect(state.map(\.name) == Self.torchvisionShapes.map(\.0))
        #expect(state.map(\.tensor.shape) == Self.torchvisionShapes.map(\.1))
        #expect(model.parameterCount == 61_100_840)
        #expect(try ModelZoo.inputShape(name: "alexnet-torchvision") == [3, 224, 224])
    }

    @Test func classifiesA224Image() throws {
        try withDevice(CPUDevice.shared) {
            let model = try ModelZoo.make(name: "alexnet-torchvision", classes: 5)
            model.eval()
            #expect(model(Tensor.normal([1, 3, 224, 224])).shape == [1, 5])
        }
    }
}
