import Testing
import SynapseTestSupport

/// Impossible layer geometry is a clear error naming the layer and the shapes.
@Suite("Bad geometry")
struct GeometryErrorTests {
    func conv(_ input: [Int], out: Int, kernel: Int, stride: Int = 1, padding: Int = 0, groups: Int = 1) -> String? {
        Conv2dGeometry(batch: input[0], inChannels: input[1], inHeight: input[2], inWidth: input[3], outChannels: out,
                       kernelHeight: kernel, kernelWidth: kernel, stride: (stride, stride), padding: (padding, padding),
                       groups: groups).validationError(layer: "conv2")
    }

    @Test func convolution() throws {
        #expect(conv([1, 3, 8, 8], out: 4, kernel: 3) == nil)
        let tooLarge = try #require(conv([1, 3, 4, 4], out: 4, kernel: 7, padding: 1))
        #expect(tooLarge.hasPrefix("conv2:") && tooLarge.contains("larger than the padded input 6x6") && tooLarge.contains("[1, 3, 4, 4]"))
        let groups = try #require(conv([1, 3, 8, 8], out: 4, kernel: 3, groups: 2))
        #expect(groups.contains("3 input and 4 output channels must both be divisible by groups=2"))
        #expect(conv([1, 3, 8, 8], out: 4, kernel: 3, stride: 0)?.contains("stride (0, 0) must be positive") == true)
        #expect(conv([1, 3, 8, 8], out: 4, kernel: 3, stride: -1)?.contains("must be positive") == true)
        #expect(conv([1, 3, 8, 8], out: 4, kernel: 3, padding: -1)?.contains("must not be negative") == true)
    }

    @Test func pooling() throws {
        func pool(_ kernel: Int, stride: Int, padding: Int = 0) -> String? {
            Pool2dGeometry(batch: 2, channels: 3, inHeight: 5, inWidth: 5, kernel: (kernel, kernel), stride: (stride, stride),
                           padding: (padding, padding)).validationError(layer: "pool1")
        }
        #expect(pool(3, stride: 2, padding: 1) == nil)
        #expect(pool(7, stride: 1)?.contains("pool1: kernel 7x7 is larger than the padded input 5x5 of input shape [2, 3, 5, 5]") == true)
        #expect(pool(2, stride: 0)?.contains("stride (0, 0) must be positive") == true)
        #expect(pool(2, stride: 2, padding: 2)?.contains("at most half the kernel") == true)
    }

    @Test("a conv2d call with impossible geometry stops with the message")
    func trapsWithMessage() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor.zeros([1, 3, 4, 4]).conv2d(Tensor.zeros([4, 3, 7, 7]), name: "features.0")
        }.map { result in
            let stderr = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(stderr.contains("features.0: kernel 7x7"), "stderr: \(stderr)")
        }
    }
}
