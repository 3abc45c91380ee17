import SynapseTestSupport
import Testing

@Suite("Model architectures")
struct ModelArchitectureTests {
    @Test func leNet5NamesShapesAndCountMatchPyTorch() {
        let model = LeNet5()
        let named = model.namedParameters().map { ($0.name, $0.parameter.shape) }
        let expected: [(String, [Int])] = [
            ("conv1.weight", [6, 1, 5, 5]), ("conv1.bias", [6]), ("conv2.weight", [16, 6, 5, 5]), ("conv2.bias", [16]),
            ("fc1.weight", [120, 400]), ("fc1.bias", [120]), ("fc2.weight", [84, 120]), ("fc2.bias", [84]),
            ("fc3.weight", [10, 84]), ("fc3.bias", [10]),
        ]
        #expect(named.map(\.0) == expected.map(\.0))
        #expect(named.map(\.1) == expected.map(\.1))
        // 156 + 2,416 + 48,120 + 10,164 + 850
        #expect(model.parameterCount == 61_706)
    }

    /// By hand: conv1 96·3·11·11+96 = 34,944; conv2 256·48·25+256 = 307,456; conv3 384·256·9+384 = 885,120;
    /// conv4 384·192·9+384 = 663,936; conv5 256·192·9+256 = 442,624; fc6 9216·4096+4096 = 37,752,832;
    /// fc7 4096·4096+4096 = 16,781,312; fc8 4096·1000+1000 = 4,097,000 — 60,965,224 in all.
    @Test func alexNet2012NamesShapesAndCount() {
        let model = AlexNet(classes: 1000)
        let named = model.namedParameters().map { ($0.name, $0.parameter.shape) }
        let expected: [(String, [Int])] = [
            ("features.0.weight", [96, 3, 11, 11]), ("features.0.bias", [96]),
            ("features.4.weight", [256, 48, 5, 5]), ("features.4.bias", [256]),
            ("features.8.weight", [384, 256, 3, 3]), ("features.8.bias", [384]),
            ("features.10.weight", [384, 192, 3, 3]), ("features.10.bias", [384]),
            ("features.12.weight", [256, 192, 3, 3]), ("features.12.bias", [256]),
            ("classifier.1.weight", [4096, 9216]), ("classifier.1.bias", [4096]),
            ("classifier.4.weight", [4096, 4096]), ("classifier.4.bias", [4096]),
            ("classifier.6.weight", [1000, 4096]), ("classifier.6.bias", [1000]),
        ]
        #expect(named.map(\.0) == expected.map(\.0))
        #expect(named.map(\.1) == expected.map(\.1))
        #expect(model.parameterCount == 60_965_224)
        #expect(model.features[2] is LocalResponseNorm && model.features[14] is MaxPool2d)
        #expect(AlexNet.featureSide(inputSize: 224) == 6)
    }

    /// Without LRN and groups the indices are torchvision's (0, 3, 6, 8, 10) and conv2/4/5 double:
    /// 614,656 + 1,327,488 + 884,992 replace 307,456 + 663,936 + 442,624 — 62,378,344 in all.
    @Test func alexNetWithoutPaperOptions() {
        let model = AlexNet(classes: 1000, localResponseNorm: false, groupedConvolutions: false)
        #expect(model.namedParameters().map(\.name).filter { $0.hasPrefix("features") && $0.hasSuffix("weight") }
            == ["features.0.weight", "features.3.weight", "features.6.weight", "features.8.weight", "features.10.weight"])
        #expect(model.parameterCount == 62_378_344)
    }

    @Test func alexNetSmallNamesIncludeBatchNormBuffers() {
        let model = AlexNetSmall()
        let keys = model.stateDict().map(\.name)
        #expect(Array(keys.prefix(6)) == ["features.0.weight", "features.1.weight", "features.1.bias",
                                          "features.1.running_mean", "features.1.running_var",
                                          "features.1.num_batches_tracked"])
        #expect(keys.suffix(4) == ["classifier.1.weight", "classifier.1.bias", "classifier.4.weight", "classifier.4.bias"])
        #expect(model.namedModules().filter { $0.module is Conv2d }.count == 4)
        let plain = AlexNetSmall(batchNorm: false)
        #expect(plain.namedParameters().map(\.name).prefix(2) == ["features.0.weight", "features.0.bias"])
    }

    @Test func mlpNamesAndActivation() {
        let model = MLP(sizes: [4, 8, 3], activation: .tanh)
        #expect(model.namedParameters().map(\.name) == ["layers.1.weight", "layers.1.bias", "layers.3.weight", "layers.3.bias"])
        #expect(model.layers[2] is Tanh)
        #expect(model.parameterCount == 4 * 8 + 8 + 8 * 3 + 3)
    }

    @Test(arguments: TestDevices.specs)
    func outputShapes(spec: String) {
        withDevice(TestDevices.device(spec)) {
            #expect(LeNet5()(Tensor.normal([3, 1, 28, 28])).shape == [3, 10])
            #expect(AlexNetSmall(classes: 7)(Tensor.normal([2, 1, 28, 28])).shape == [2, 7])
            #expect(MLP(sizes: [784, 32, 10])(Tensor.normal([5, 1, 28, 28])).shape == [5, 10])
            let alexNet = AlexNet(classes: 10)
            alexNet.eval()
            #expect(alexNet(Tensor.normal([1, 3, 224, 224])).shape == [1, 10])
        }
    }

    @Test func zooBuildsEveryModelByName() throws {
        #expect(ModelZoo.names == ["mlp", "lenet5", "alexnet-small", "alexnet", "alexnet-torchvision"])
        #expect(try ModelZoo.make(name: "lenet5", classes: 10) is LeNet5)
        #expect(try ModelZoo.make(name: "MLP", classes: 3) is MLP)
        #expect(try ModelZoo.make(name: "alexnet-small", classes: 10) is AlexNetSmall)
        #expect(try ModelZoo.inputShape(name: "alexnet") == [3, 224, 224])
        #expect(try ModelZoo.inputShape(name: "mlp") == [1, 28, 28])
        #expect(throws: ModelZooError.unknownModel("resnet", valid: ModelZoo.names)) {
            try ModelZoo.make(name: "resnet", classes: 10)
        }
        #expect(ModelZooError.unknownModel("resnet", valid: ModelZoo.names).description
            == "unknown model 'resnet'; valid models: mlp, lenet5, alexnet-small, alexnet, alexnet-torchvision")
        #expect(throws: ModelZooError.invalidClasses(0)) { try ModelZoo.make(name: "mlp", classes: 0) }
    }
}

@Suite("Models learn")
struct LearningTests {
    /// XOR — the problem a single perceptron cannot solve — with a two-layer MLP.
    @Test(arguments: TestDevices.specs)
    func mlpLearnsXOR(spec: String) throws {
        try withRandomSeed(7) { try withDevice(TestDevices.device(spec)) {
            let x = Tensor([0, 0, 0, 1, 1, 0, 1, 1], shape: [4, 2])
            let labels = Tensor(int32: [0, 1, 1, 0])
            let model = MLP(sizes: [2, 16, 2], activation: .tanh)
            let optimizer = Adam(model.parameters(), learningRate: 0.05)
            var loss: Float = .infinity
            for _ in 0..<150 {
                optimizer.zeroGradients()
                let l = CrossEntropyLoss()(model(x), labels)
                l.backward()
                optimizer.step()
                loss = try l.item()
            }
            #expect(loss < 0.05)
            #expect(try model(x).argmax(axis: 1).toInt32Array() == [0, 1, 1, 0])
        } }
    }

    /// LeNet-5 fits 16 fixed random images with random labels: the loss falls over 30 SGD steps.
    @Test(arguments: TestDevices.specs)
    func leNet5LossFalls(spec: String) throws {
        try withRandomSeed(5) { try withDevice(TestDevices.device(spec)) {
            let images = Tensor.normal([16, 1, 28, 28])
            let labels = Tensor(int32: (0..<16).map { Int32(($0 * 7 + 3) % 10) })
            let model = LeNet5()
            let optimizer = SGD(model.parameters(), learningRate: 0.05, momentum: 0.9)
            var losses: [Float] = []
            for _ in 0..<30 {
                optimizer.zeroGradients()
                let loss = CrossEntropyLoss()(model(images), labels)
                loss.backward()
                optimizer.step()
                losses.append(try loss.item())
            }
            #expect(losses.allSatisfy { $0.isFinite })
            #expect(losses.suffix(5).reduce(0, +) / 5 < 0.5 * losses[0], "losses: \(losses)")
        } }
    }
}
