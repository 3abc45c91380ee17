import SynapseTestSupport
import Testing

/// `Module.summary`: rows per module call with output shapes, parameters and FLOPs worked out by
/// hand, totals, and the memory of a training step measured on each device.
@Suite struct ModelSummaryTests {
    @Test(arguments: TestDevices.specs)
    func leNet5(spec: String) throws {
        let device = TestDevices.device(spec)
        let model = withDevice(device) { withRandomSeed(1) { LeNet5() } }
        let optimizer = SGD(model.parameters(), learningRate: 0.01, momentum: 0.9)
        let summary = try model.summary(inputShape: [1, 28, 28], batchSize: 4) { optimizer.step() }

        #expect(summary.parameters == 61_706 && summary.parameterBytes == 61_706 * 4)
        #expect(summary.layers.map(\.name) == ["conv1", "conv2", "fc1", "fc2", "fc3"])
        #expect(summary.layers.map(\.type) == ["Conv2d", "Conv2d", "Linear", "Linear", "Linear"])
        #expect(summary.layers.map(\.outputShape) == [[4, 6, 28, 28], [4, 16, 10, 10], [4, 120], [4, 84], [4, 10]])
        #expect(summary.layers.map(\.parameters) == [156, 2_416, 48_120, 10_164, 850])
        // 2 × outputs × (inputs per output): 6·28·28·25, 16·10·10·150, 120·400, 84·120, 10·84.
        #expect(summary.layers.map(\.flops) == [235_200, 480_000, 96_000, 20_160, 1_680])
        #expect(summary.flops == 833_040)
        let memory = try #require(summary.stepMemory)
        #expect(memory.device == spec && memory.batchSize == 4)
        // Parameters were there before; the step adds at least gradients and momentum of the same size.
        #expect(memory.heldBefore >= summary.parameterBytes)
        #expect(memory.peak >= memory.heldBefore + 2 * summary.parameterBytes, "\(memory)")
        #expect(summary.description.contains("Total parameters: 61,706"))
        #expect(model.parameters().allSatisfy { $0.gradient == nil || (try? $0.gradient!.toArray().allSatisfy { $0 == 0 }) == true })
    }

    @Test func nestedModulesSumTheirChildrenAndKeepTheirMode() throws {
        let model = withRandomSeed(2) {
            Sequential {
                Sequential { Linear(8, 16); ReLU() }
                Dropout(probability: 0.5)
                Linear(16, 3)
            }
        }
        model.eval()
        let summary = try model.summary(inputShape: [8], batchSize: 2)
        #expect(summary.layers.map(\.name) == ["0", "0.0", "0.1", "1", "2"])
        #expect(summary.layers.map(\.depth) == [1, 2, 2, 1, 1])
        #expect(summary.layers.map(\.flops) == [2 * 16 * 8 + 16, 2 * 16 * 8, 16, 0, 2 * 3 * 16])
        #expect(summary.layers[0].parameters == 8 * 16 + 16)
        #expect(summary.flops == 2 * 16 * 8 + 16 + 2 * 3 * 16)
        #expect(!model.isTraining, "summary() restores evaluation mode")
    }
}
