import Foundation
import SynapseTestSupport
import Testing

extension CPU {
    @Suite struct DeviceBasics {
        let device = CPUDevice.shared

        @Test func describesItself() {
            let info = device.info
            #expect(info.spec == "cpu")
            #expect(info.backend == "cpu")
            #expect(info.kind == .cpu)
            #expect(!info.name.isEmpty)
            #expect(info.computeUnits == ProcessInfo.processInfo.activeProcessorCount)
            #expect(info.globalMemoryBytes > 0)
            #expect(info.gemmLibrary.hasPrefix("OpenBLAS"))
            #expect(device.description.hasPrefix("cpu ("))
        }

        @Test func releasedBufferIsReusedWithoutTheDriver() throws {
            // Other tests share this device concurrently: check identity here; the exact
            // accounting is tested on a private pool in BufferPoolTests.
            let size = 3_333_333  // a bucket no other test uses
            let first = try device.allocate(byteCount: size)
            #expect(first.byteCount >= size)
            #expect(device.memory.peak >= first.byteCount)
            device.release(first)
            let second = try device.allocate(byteCount: size)
            #expect(second === first)
            device.release(second)
            device.trimPool()
            let third = try device.allocate(byteCount: size)
            #expect(third !== first, "trimPool gives pooled buffers back to the system")
            device.release(third)
        }

        @Test func writeThenReadRoundTrips() throws {
            let buffer = try device.allocate(byteCount: 64)
            defer { device.release(buffer) }
            let values: [Float] = [1, 2, 3, 4]
            try values.withUnsafeBytes { try device.write($0, to: buffer, byteOffset: 8) }
            var back = [Float](repeating: 0, count: 3)
            try back.withUnsafeMutableBytes { try device.read(buffer, byteOffset: 12, into: $0) }
            #expect(back == [2, 3, 4])
            #expect(throws: DeviceError.self) {
                try values.withUnsafeBytes { try device.write($0, to: buffer, byteOffset: buffer.byteCount - 8) }
            }
            try device.synchronize()
        }

        @Test func rejectsBadArgumentsWithReadableErrors() throws {
            let x = try Host.upload([1, 2, 3, 4], [2, 2])
            let y = try Host.empty([2, 2])
            #expect(throws: DeviceError.self) { try device.execute(.unary(.exp), inputs: [], outputs: [y]) }
            #expect(throws: DeviceError.self) {
                try device.execute(.unary(.exp), inputs: [x.reshaped([4])], outputs: [y])
            }
            // A view that reaches past the end of its buffer must not run.
            let tooFar = BufferView(buffer: x.buffer, shape: [2, 2], offset: 1000)
            #expect(throws: DeviceError.self) { try device.execute(.unary(.exp), inputs: [tooFar], outputs: [y]) }
            let bad = Conv2dGeometry(batch: 1, inChannels: 3, inHeight: 4, inWidth: 4, outChannels: 2,
                                     kernelHeight: 3, kernelWidth: 3, groups: 2)
            do {
                try device.execute(.conv2d(bad), inputs: [x, x], outputs: [y])
                Issue.record("conv2d with channels not divisible by groups ran")
            } catch let error as DeviceError {
                #expect(error.description.contains("groups"))
            }
            let labels = try Host.upload(ints: [0, 1], [2])
            #expect(throws: DeviceError.self) {
                try device.execute(.crossEntropy, inputs: [x, labels], outputs: [labels])  // int32 loss
            }
        }
    }
}
