import Foundation
import SynapseTestSupport
import Testing

@Suite("Layers and initialisers")
struct LayerTests {
    @Test(arguments: TestDevices.specs)
    func linearMatchesAHostComputation(spec: String) throws {
        let device = TestDevices.device(spec)
        let layer = withDevice(device) { Linear(3, 2) }
        try layer.loadStateDict(["weight": Tensor([1, 2, 3, -1, 0, 1], shape: [2, 3]), "bias": Tensor([0.5, -0.5])])
        let x = Tensor([1, 0, -1, 2, 1, 0], shape: [2, 3], on: device)
        expectClose(hostValues(layer(x)), [1 - 3 + 0.5, -1 - 1 - 0.5, 2 + 2 + 0.5, -2 - 0.5])
        #expect(layer(Tensor.ones([4, 5, 3], on: device)).shape == [4, 5, 2])
        #expect(layer(Tensor.ones([3], on: device)).shape == [2])
    }

    @Test(arguments: TestDevices.specs)
    func defaultInitialisationIsPyTorchs(spec: String) throws {
        let device = TestDevices.device(spec)
        let linear = withDevice(device) { Linear(100, 60) }
        let conv = withDevice(device) { Conv2d(8, 32, kernelSize: (3, 5), groups: 2) }
        for (parameter, fanIn) in [(linear.weight, 100), (linear.bias!, 100), (conv.weight, 4 * 15), (conv.bias!, 4 * 15)] {
            let bound = 1 / Float(fanIn).squareRoot()
            let v = hostValues(parameter.value)
            #expect(v.allSatisfy { abs($0) <= bound })
            #expect(v.map(abs).max()! > 0.8 * bound)
            #expect(Set(v).count > v.count / 2)
        }
        #expect(conv.weight.shape == [32, 4, 3, 5])
    }

    @Test func initialisersHaveTheirBoundsAndSpreads() throws {
        let shape = [200, 100]
        let (fanIn, fanOut) = Initializer.fans(of: shape)
        #expect(fanIn == 100 && fanOut == 200)
        let convFans = Initializer.fans(of: [16, 3, 5, 5])
        #expect(convFans.fanIn == 75 && convFans.fanOut == 400)

        func stats(_ initializer: Initializer) -> (maxAbs: Float, std: Float) {
            let v = hostValues(initializer.makeWeight(shape))
            let mean = v.reduce(0, +) / Float(v.count)
            let variance = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(v.count)
            return (v.map(abs).max()!, variance.squareRoot())
        }
        let xavierBound = (6 / Float(300)).squareRoot()
        let xavier = stats(.xavierUniform())
        #expect(xavier.maxAbs <= xavierBound && xavier.maxAbs > 0.95 * xavierBound)
        #expect(abs(stats(.xavierNormal(gain: 2)).std - 2 * (2 / Float(300)).squareRoot()) < 0.05 * 2 * (2 / Float(300)).squareRoot())

        let heBound = Float(2).squareRoot() * (3 / Float(100)).squareRoot()
        let he = stats(.kaimingUniform())
        #expect(he.maxAbs <= heBound && he.maxAbs > 0.95 * heBound)
        let heOut = stats(.kaimingUniform(nonlinearity: .tanh, mode: .fanOut))
        #expect(heOut.maxAbs <= 5 / 3 * (3 / Float(200)).squareRoot())
        let heNormal = stats(.kaimingNormal()).std
        #expect(abs(heNormal - (2 / Float(100)).squareRoot()) < 0.05 * (2 / Float(100)).squareRoot())

        #expect(hostValues(Initializer.constant(0.25).makeWeight([2, 2])) == [0.25, 0.25, 0.25, 0.25])
        let slope = Float(5).squareRoot()
        #expect(abs(Initializer.Nonlinearity.leakyReLU(negativeSlope: slope).gain - (1 / Float(3)).squareRoot()) < 1e-6)
    }

    @Test func sameSeedGivesTheSameWeightsOnEveryDevice() throws {
        let reference = withRandomSeed(42) { withDevice(CPUDevice.shared) { Conv2d(3, 4, kernelSize: 3) } }
        for spec in TestDevices.specs {
            let other = withRandomSeed(42) { withDevice(TestDevices.device(spec)) { Conv2d(3, 4, kernelSize: 3) } }
            expectClose(hostValues(other.weight.value), hostValues(reference.weight.value), tolerance: 1e-6)
            expectClose(hostValues(other.bias!.value), hostValues(reference.bias!.value), tolerance: 1e-6)
        }
        let different = withRandomSeed(43) { Conv2d(3, 4, kernelSize: 3) }
        #expect(hostValues(different.weight.value) != hostValues(reference.weight.value))
    }

    @Test(arguments: TestDevices.specs)
    func layerOutputShapes(spec: String) {
        withDevice(TestDevices.device(spec)) {
            let x = Tensor.normal([2, 4, 9, 9])
            #expect(Conv2d(4, 6, kernelSize: 3, stride: 2, padding: 1)(x).shape == [2, 6, 5, 5])
            #expect(Conv2d(4, 6, kernelSize: 3, dilation: 2, groups: 2, bias: false)(x).shape == [2, 6, 5, 5])
            #expect(MaxPool2d(kernelSize: 3, stride: 2)(x).shape == [2, 4, 4, 4])
            #expect(AvgPool2d(kernelSize: 2)(x).shape == [2, 4, 4, 4])
            #expect(AvgPool2d(kernelSize: 3, stride: 1, padding: 1)(x).shape == [2, 4, 9, 9])
            #expect(LocalResponseNorm(size: 3)(x).shape == [2, 4, 9, 9])
            #expect(Flatten()(x).shape == [2, 324])
            #expect(Softmax()(Flatten()(x)).shape == [2, 324])
            #expect(BatchNorm2d(4)(x).shape == [2, 4, 9, 9])
        }
    }

    @Test(arguments: TestDevices.specs)
    func activationsAndLosses(spec: String) throws {
        try withDevice(TestDevices.device(spec)) {
            let x = Tensor([-1, 0, 2], shape: [1, 3])
            expectClose(hostValues(ReLU()(x)), [0, 0, 2])
            expectClose(hostValues(Tanh()(x)), [tanh(-1), 0, tanh(2)])
            expectClose(hostValues(Sigmoid()(x)), [1 / (1 + exp(1)), 0.5, 1 / (1 + exp(-2))])
            let e: [Float] = [exp(-1), 1, exp(2)], total = e.reduce(0, +)
            expectClose(hostValues(Softmax()(x)), e.map { $0 / total })
            let loss = try CrossEntropyLoss()(x, Tensor(int32: [2])).item()
            #expect(abs(loss - (log(total) - 2)) < 1e-5)
            let mse = try MSELoss()(x, Tensor([0, 0, 0], shape: [1, 3])).item()
            #expect(abs(mse - 5 / 3) < 1e-6)
        }
    }

    @Test(arguments: TestDevices.specs)
    func dropoutFollowsTheTrainingFlag(spec: String) {
        withDevice(TestDevices.device(spec)) {
            let model = Sequential { Dropout(probability: 0.25) }
            let x = Tensor.ones([4000])
            let trained = hostValues(model(x))
            let kept = trained.filter { $0 != 0 }
            #expect(kept.allSatisfy { abs($0 - 1 / 0.75) < 1e-5 })
            #expect(abs(Float(trained.count - kept.count) / 4000 - 0.25) < 0.04)
            model.eval()
            #expect(hostValues(model(x)) == [Float](repeating: 1, count: 4000))
        }
    }
}
