import Synapse

/// Row softmax through `Tensor.softmax` from classifier-sized (128×10) to vocabulary-sized
/// (4096×32000) inputs. Rate in GB/s with the input read once and the output written once, which
/// is the floor for any implementation; more passes over memory show as a lower rate.
enum SoftmaxSuite {
    /// Elements above which a CPU-class device skips a case unless asked (two 512 MB tensors).
    static let cpuElementCap = 32 << 20

    static func cases(_ context: SuiteContext) -> [BenchCase] {
        let sizes = context.quick ? [(128, 10), (256, 1000)]
            : [(128, 10), (1024, 10), (256, 1000), (4096, 1000), (1024, 32000), (4096, 32000)]
        return sizes.map { rows, cols in
            let count = rows * cols
            var skip = context.memoryProblem(bytes: 8 * count, largest: 4 * count)
            if skip == nil && !context.isGPU && count > cpuElementCap {
                skip = "above \(cpuElementCap >> 20)M elements on a \(context.kindName) device"
            }
            return BenchCase(suite: "softmax", name: "\(rows)x\(cols)", shape: "[\(rows), \(cols)] rows",
                             work: .bytes(8 * Double(count)), skipReason: skip) { device in
                let x = Inputs.uniform([rows, cols], on: device)
                return Workload { _ in _ = x.softmax() }
            }
        }
    }
}
