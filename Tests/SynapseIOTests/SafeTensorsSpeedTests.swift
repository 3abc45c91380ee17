import SynapseTestSupport
import Testing

/// A Fashion-MNIST-sized tensor (60 000 × 784 floats) must round trip quickly: no per-byte
/// Swift work on the F32 path.
@Suite struct SafeTensorsSpeedTests {
    @Test func sixtyThousandImagesRoundTripFast() throws {
        let count = 60_000 * 784
        let values = [Float](unsafeUninitializedCapacity: count) { out, initialized in
            for i in 0..<count { out[i] = Float(i & 255) }
            initialized = count
        }
        let clock = ContinuousClock()
        let start = clock.now
        let file = SafeTensorsFile(["images": SafeTensor(values, shape: [60_000, 1, 28, 28])])
        let read = try SafeTensorsFile(bytes: file.serialized(), file: "big")
        let back = try read.floats(named: "images")
        let elapsed = clock.now - start
        #expect(back == values)
        #expect(elapsed < .seconds(10), "round trip of \(count) floats took \(elapsed)")
        print("safetensors: \(count) F32 values serialized and parsed in \(elapsed)")
    }
}
