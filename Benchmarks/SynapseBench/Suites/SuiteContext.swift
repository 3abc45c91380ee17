import Synapse

/// What the suites need to choose sizes: the device and whether `--quick` asked for small ones.
struct SuiteContext {
    let device: any Device
    let quick: Bool

    /// True on a real GPU; CPUs (OpenBLAS or an OpenCL driver such as PoCL) get smaller sizes.
    var isGPU: Bool { device.info.kind == .gpu }

    /// `gpu` or `cpu`-class wording for skip reasons.
    var kindName: String { device.info.kind.rawValue }

    /// A skip reason when `bytes` of working set would not fit comfortably (half the device memory,
    /// or one allocation of `largest` bytes over the device's limit); nil when it fits.
    func memoryProblem(bytes: Int, largest: Int) -> String? {
        let info = device.info
        if largest > info.maxAllocationBytes {
            return "needs a \(Format.bytes(largest)) buffer; \(info.spec) allows \(Format.bytes(info.maxAllocationBytes))"
        }
        if bytes > info.globalMemoryBytes / 2 {
            return "needs \(Format.bytes(bytes)); \(info.spec) has \(Format.bytes(info.globalMemoryBytes))"
        }
        return nil
    }
}

/// The suites in the order they run, each with a one-line description for `--list`.
enum Suites {
    /// A named group of cases built for one device.
    struct Entry: Sendable {
        let name: String
        let summary: String
        let cases: @Sendable (SuiteContext) -> [BenchCase]
    }

    static let all: [Entry] = [
        Entry(name: "gemm", summary: "Tensor.matmul: square SGEMM and the LeNet/AlexNet layer shapes (GFLOP/s)",
              cases: GEMMSuite.cases),
        Entry(name: "conv", summary: "every LeNet-5 and AlexNet conv layer: forward, backward-data, backward-weights (GFLOP/s)",
              cases: ConvSuite.cases),
        Entry(name: "pool", summary: "LeNet avg 2×2 and AlexNet max 3/2 pooling, forward and backward (GB/s)",
              cases: PoolSuite.cases),
        Entry(name: "softmax", summary: "row softmax from 128×10 to 4096×32000 (GB/s)", cases: SoftmaxSuite.cases),
        Entry(name: "elementwise", summary: "add, mul, relu, tanh on 16M floats (GB/s, vs nominal bandwidth where known)",
              cases: ElementwiseSuite.cases),
        Entry(name: "train", summary: "training steps: LeNet-5, AlexNetSmall, AlexNet (images/s, phases, peak memory)",
              cases: TrainSuite.cases),
    ]
}

/// Random device tensors for case inputs.
enum Inputs {
    /// Uniform on [-1, 1), drawn on `device`.
    static func uniform(_ shape: [Int], on device: any Device) -> Tensor {
        Tensor.uniform(shape, low: -1, high: 1, on: device)
    }

    /// `count` class labels in `0..<classes`, from a fixed seed, as an int32 tensor on `device`.
    static func labels(_ count: Int, classes: Int, on device: any Device) -> Tensor {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let values = (0..<count).map { _ -> Int32 in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int32((state >> 33) % UInt64(classes))
        }
        return Tensor(int32: values, on: device)
    }
}
