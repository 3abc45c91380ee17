import SynapseTestSupport
import Testing

/// `SyntheticImages`: drawn on the device, deterministic from the seed.
@Suite struct SyntheticImagesTests {
    @Test func sameSeedSameBatchesAndShapes() throws {
        let a = SyntheticImages(imageShape: [3, 8, 8], classCount: 5, batchSize: 4, batchCount: 3, seed: 9,
                                device: CPUDevice.shared)
        let b = SyntheticImages(imageShape: [3, 8, 8], classCount: 5, batchSize: 4, batchCount: 3, seed: 9,
                                device: CPUDevice.shared)
        for k in 0..<3 {
            let x = a.batch(k), y = b.batch(k)
            #expect(x.images.shape == [4, 3, 8, 8] && x.labels.shape == [4])
            #expect(try x.images.toArray() == y.images.toArray())
            #expect(try x.labels.toInt32Array() == y.labels.toInt32Array())
            #expect(try x.labels.toInt32Array().allSatisfy { (0..<5).contains($0) })
        }
        #expect(try a.batch(0).images.toArray() != a.batch(1).images.toArray())
        #expect(a.epoch().map(\.count) == [4, 4, 4])
    }

    @Test func differentSeedsDifferAndBatchesRepeatAcrossEpochs() throws {
        let a = SyntheticImages(imageShape: [1, 4, 4], classCount: 1000, batchSize: 64, batchCount: 2, seed: 1,
                                device: CPUDevice.shared)
        let b = SyntheticImages(imageShape: [1, 4, 4], classCount: 1000, batchSize: 64, batchCount: 2, seed: 2,
                                device: CPUDevice.shared)
        #expect(try a.batch(0).images.toArray() != b.batch(0).images.toArray())
        #expect(try a.batch(0).labels.toInt32Array() != b.batch(0).labels.toInt32Array())
        #expect(try a.batch(1).images.toArray() == a.batch(3).images.toArray())
        let labels = try a.batch(0).labels.toInt32Array() + a.batch(1).labels.toInt32Array()
        #expect(Set(labels).count > 50)
    }

    @Test func drawingDoesNotMoveTheCallersRandomStream() throws {
        let data = SyntheticImages(imageShape: [1, 4, 4], classCount: 10, batchSize: 2, batchCount: 2,
                                   device: CPUDevice.shared)
        try withRandomSeed(5) {
            let before = TensorRandom.current.state
            _ = try data.batch(0).images.toArray()
            #expect(TensorRandom.current.state == before)
        }
    }

    @Test func imageNetShape() {
        let data = SyntheticImages.imageNet(batchSize: 2, batchCount: 1, device: CPUDevice.shared)
        #expect(data.imageShape == [3, 224, 224] && data.classCount == 1000)
        #expect(data.batch(0).images.shape == [2, 3, 224, 224])
    }
}
