import Testing
import SynapseTestSupport

/// The README's layer-and-optimizer example, on every device: it compiles and one step lowers the loss.
@Test("README library example trains", arguments: TestDevices.specs)
func readmeLibraryExample(device spec: String) throws {
    try withRandomSeed(3) {
        let device = TestDevices.device(spec)
        let images = Tensor.uniform([8, 1, 28, 28], on: device)
        let labels = Tensor(int32: [0, 1, 2, 3, 4, 5, 6, 7], on: device)

        let model = Sequential {
            Conv2d(1, 6, kernelSize: 5, padding: 2); Tanh(); AvgPool2d(kernelSize: 2)
            Flatten(); Linear(6 * 14 * 14, 10)
        }
        try model.move(to: device)
        let optimizer = SGD(model.parameters(), learningRate: 0.1, momentum: 0.9)
        let loss = model(images).crossEntropy(labels: labels)
        loss.backward()
        optimizer.step()
        optimizer.zeroGradients()

        let after = try model(images).crossEntropy(labels: labels).item()
        #expect(after < (try loss.item()))
    }
}
