import Synapse

/// `add`, `mul` (two inputs, one output), `relu` and `tanh` (one in, one out) on 16M contiguous
/// floats through the Tensor operators: a memory-bandwidth test (`tanh` shows when a transcendental
/// makes an elementwise op compute-bound instead). Where the device's nominal bandwidth is
/// known (by name) the result carries it, and the table shows the fraction reached.
enum ElementwiseSuite {
    static func cases(_ context: SuiteContext) -> [BenchCase] {
        let count = context.quick ? 1 << 20 : 16 << 20
        let nominal = nominalBandwidth(deviceName: context.device.info.name)
        let label = count >= 1 << 20 ? "\(count >> 20)M" : "\(count)"
        let ops: [(String, Int, (Tensor, Tensor) -> Tensor)] = [
            ("add", 3, { $0 + $1 }),
            ("mul", 3, { $0 * $1 }),
            ("relu", 2, { a, _ in a.relu() }),
            // LeNet-5's activation: a transcendental, so compute- rather than memory-bound on CPUs.
            ("tanh", 2, { a, _ in a.tanh() }),
        ]
        return ops.map { name, tensors, op in
            BenchCase(suite: "elementwise", name: "\(name).\(label)", shape: "[\(count)] float32",
                      work: .bytes(4 * Double(tensors * count)),
                      notes: nominal.map { ["nominal bandwidth \(Int($0)) GB/s"] } ?? []) { device in
                let a = Inputs.uniform([count], on: device), b = Inputs.uniform([count], on: device)
                return Workload(facts: nominal.map { ["nominalGBps": $0] } ?? [:]) { _ in _ = op(a, b) }
            }
        }
    }

    /// Published peak memory bandwidth in GB/s for devices recognised by name; nil when unknown.
    static func nominalBandwidth(deviceName name: String) -> Double? {
        let upper = name.uppercased()
        if upper.contains("H200") { return 4800 }
        if upper.contains("H100") { return upper.contains("PCIE") ? 2000 : 3350 }
        if upper.contains("A100") { return upper.contains("80GB") ? 2039 : 1555 }
        return nil
    }
}
