import SynapseTestSupport
import Testing

/// Dropout inside `withBatchSlice` draws the slice's rows of the global batch's mask and advances
/// the random stream as the global draw does, on every device.
@Suite struct BatchSliceTests {
    @Test(arguments: TestDevices.specs)
    func aSliceDrawsItsRowsOfTheGlobalMask(spec: String) throws {
        let device = TestDevices.device(spec)
        func draw(rows: Int, slice: BatchSlice?) throws -> (mask: [Float], counter: UInt64) {
            try withDevice(device) {
                try withRandomSeed(9) {
                    let mask = withBatchSlice(slice) {
                        Tensor.ones([rows, 5], on: device).dropout(probability: 0.5, training: true)
                    }
                    return (try mask.toArray(), TensorRandom.current.state.counter)
                }
            }
        }
        let global = try draw(rows: 10, slice: nil)
        let slice = try draw(rows: 4, slice: BatchSlice(start: 3, count: 4, globalCount: 10))
        #expect(slice.mask == Array(global.mask[15..<35]))
        #expect(slice.counter == global.counter)
        #expect(global.mask.contains(0) && global.mask.contains(2), "\(global.mask)")
    }

    @Test func aTensorOfOtherRowsIsDrawnAsUsual() throws {
        let device = TestDevices.device("cpu")
        let (plain, sliced) = try withDevice(device) {
            (try withRandomSeed(4) { try Tensor.ones([6, 3]).dropout(probability: 0.5, training: true).toArray() },
             try withRandomSeed(4) {
                try withBatchSlice(BatchSlice(start: 1, count: 2, globalCount: 4)) {
                    try Tensor.ones([6, 3]).dropout(probability: 0.5, training: true).toArray()
                }
             })
        }
        #expect(plain == sliced)
    }
}
