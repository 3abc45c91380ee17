import Testing
import SynapseTestSupport

// The README quotes this test word for word.
@Test("A 2-layer MLP learns XOR", arguments: TestDevices.specs)
func mlpLearnsXOR(device spec: String) throws {
    try withDevice(TestDevices.device(spec)) {
        try withRandomSeed(42) {
            // XOR: no single line separates the classes, so a hidden layer is needed.
            let inputs = Tensor([0, 0, 0, 1, 1, 0, 1, 1], shape: [4, 2])
            let labels = Tensor(int32: [0, 1, 1, 0])

            let w1 = Tensor.normal([2, 8], std: 1, requiresGradient: true)
            let b1 = Tensor.zeros([8], requiresGradient: true)
            let w2 = Tensor.normal([8, 2], std: 1, requiresGradient: true)
            let b2 = Tensor.zeros([2], requiresGradient: true)
            func model(_ x: Tensor) -> Tensor {
                (x.matmul(w1) + b1).tanh().matmul(w2) + b2
            }

            for _ in 0..<300 {
                let loss = model(inputs).crossEntropy(labels: labels)
                loss.backward()
                withoutGradient {
                    for p in [w1, b1, w2, b2] {
                        p.assign(p - p.gradient! * 0.5)
                        p.zeroGradient()
                    }
                }
            }

            let predictions = try model(inputs).argmax(axis: 1).toInt32Array()
            #expect(predictions == [0, 1, 1, 0])
            #expect(try model(inputs).crossEntropy(labels: labels).item() < 0.05)
        }
    }
}
