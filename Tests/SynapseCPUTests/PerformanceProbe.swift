import Foundation
import SynapseTestSupport
import Testing

/// Timings of the CPU device on its own (no Tensor layer), printed for tuning. Off unless
/// `SYNAPSE_CPU_BENCH=1`; meaningful only in release builds: `swift test -c release --filter PerformanceProbe`.
extension CPU {
    @Suite(.enabled(if: ProcessInfo.processInfo.environment["SYNAPSE_CPU_BENCH"] == "1"))
    struct PerformanceProbe {
        let device = CPUDevice.shared

        /// Best wall time and best process CPU time (all threads) over `count` runs after a warm-up.
        /// On a loaded machine the CPU time is the steadier figure.
        func seconds(repeat count: Int, _ body: () throws -> Void) rethrows -> (wall: Double, cpu: Double) {
            try body()  // warm-up
            var best = (wall: Double.infinity, cpu: Double.infinity)
            for _ in 0..<count {
                let (wall, cpu) = (DispatchTime.now().uptimeNanoseconds, processCPUSeconds())
                try body()
                best.wall = min(best.wall, Double(DispatchTime.now().uptimeNanoseconds - wall) / 1e9)
                best.cpu = min(best.cpu, processCPUSeconds() - cpu)
            }
            return best
        }

        @Test func sgemm() throws {
            for n in [256, 512, 1024] {
                let a = try Host.upload(Host.randoms(n * n, seed: 1), [1, n, n])
                let b = try Host.upload(Host.randoms(n * n, seed: 2), [1, n, n])
                let c = try Host.empty([1, n, n])
                let t = try seconds(repeat: 5) {
                    try device.execute(.matmul(transposeA: false, transposeB: false), inputs: [a, b], outputs: [c])
                }
                let flop = 2 * Double(n * n * n)
                print("sgemm \(n)³: \(String(format: "%.1f", flop / t.wall / 1e9)) GFLOP/s wall, \(String(format: "%.1f", flop / t.cpu / 1e9)) per CPU-second")
            }
        }

        /// Convolutions of AlexNet-like sizes: these should run near OpenBLAS single-core peak per CPU-second.
        @Test func largeConvolutions() throws {
            for g in [Conv2dGeometry(batch: 32, inChannels: 3, inHeight: 64, inWidth: 64, outChannels: 64, kernelHeight: 5, kernelWidth: 5, stride: (2, 2), padding: (2, 2)),
                      Conv2dGeometry(batch: 32, inChannels: 64, inHeight: 16, inWidth: 16, outChannels: 192, kernelHeight: 5, kernelWidth: 5, padding: (2, 2)),
                      Conv2dGeometry(batch: 32, inChannels: 192, inHeight: 8, inWidth: 8, outChannels: 384, kernelHeight: 3, kernelWidth: 3, padding: (1, 1)),
                      Conv2dGeometry(batch: 1, inChannels: 256, inHeight: 13, inWidth: 13, outChannels: 256, kernelHeight: 3, kernelWidth: 3, padding: (1, 1))] {
                let x = try Host.upload(Host.randoms(g.inputShape.reduce(1, *), seed: 1), g.inputShape)
                let w = try Host.upload(Host.randoms(g.weightShape.reduce(1, *), seed: 1), g.weightShape)
                let y = try Host.upload(Host.randoms(g.outputShape.reduce(1, *), seed: 1), g.outputShape)
                let gx = try Host.empty(g.inputShape), gw = try Host.empty(g.weightShape)
                let f = try seconds(repeat: 3) { try device.execute(.conv2d(g), inputs: [x, w], outputs: [y]) }
                let bi = try seconds(repeat: 3) { try device.execute(.conv2dBackwardInput(g), inputs: [y, w], outputs: [gx]) }
                let bw = try seconds(repeat: 3) { try device.execute(.conv2dBackwardWeight(g), inputs: [x, y], outputs: [gw]) }
                let gf = g.forwardFLOPs / 1e9
                print("conv \(g.inputShape)->\(g.outputShape): GF/cpu-s fwd \(String(format: "%.1f", gf / f.cpu)) bwdIn \(String(format: "%.1f", gf / bi.cpu)) bwdW \(String(format: "%.1f", gf / bw.cpu)); wall ms \(String(format: "%.2f %.2f %.2f", f.wall * 1e3, bi.wall * 1e3, bw.wall * 1e3))")
            }
        }

        @Test func lenet5TrainingStep() throws {
            for batch in [256, 64] {
                let step = try LeNetStep(batch: batch)
                try step.run()
                var timings: [String: Double] = [:]
                let t = try seconds(repeat: 10) { try step.run() }
                try step.run(timings: &timings)
                print("LeNet-5 step, batch \(batch): \(String(format: "%.2f", t.wall * 1e3)) ms wall = \(Int(Double(batch) / t.wall)) img/s; \(String(format: "%.2f", t.cpu * 1e3)) ms CPU")
                for (name, time) in timings.sorted(by: { $0.value > $1.value }).prefix(14) {
                    print("  \(name): \(String(format: "%.3f", time * 1e3)) ms CPU")
                }
            }
        }
    }
}

/// One LeNet-5 training step (conv 5x5 pad 2 → relu → max pool → conv 5x5 → relu → max pool →
/// 400-120-84-10 → cross-entropy → SGD with momentum) as the primitives the Tensor layer would issue.
final class LeNetStep {
    let n: Int
    let device = CPUDevice.shared
    var views: [String: BufferView] = [:]
    let c1 = Conv2dGeometry(batch: 1, inChannels: 1, inHeight: 28, inWidth: 28, outChannels: 6, kernelHeight: 5, kernelWidth: 5, padding: (2, 2))
    let c2 = Conv2dGeometry(batch: 1, inChannels: 6, inHeight: 14, inWidth: 14, outChannels: 16, kernelHeight: 5, kernelWidth: 5)
    var g1: Conv2dGeometry, g2: Conv2dGeometry, p1: Pool2dGeometry, p2: Pool2dGeometry
    let fc = [(400, 120), (120, 84), (84, 10)]

    init(batch: Int) throws {
        n = batch
        g1 = c1; g1.batch = n
        g2 = c2; g2.batch = n
        p1 = Pool2dGeometry(batch: n, channels: 6, inHeight: 28, inWidth: 28, kernel: (2, 2), stride: (2, 2))
        p2 = Pool2dGeometry(batch: n, channels: 16, inHeight: 10, inWidth: 10, kernel: (2, 2), stride: (2, 2))
        func make(_ name: String, _ shape: [Int], dtype: DType = .float32) throws {
            views[name] = BufferView(buffer: try device.allocate(byteCount: shape.reduce(1, *) * 4), shape: shape, dtype: dtype)
            if dtype == .float32 {
                try device.execute(.random(.uniform(low: -0.1, high: 0.1), seed: UInt64(views.count), offset: 0), inputs: [], outputs: [views[name]!])
            }
        }
        try make("x", g1.inputShape)
        try make("labels", [n], dtype: .int32)
        try device.execute(.fill(value: 3), inputs: [], outputs: [views["labels"]!])
        for (name, g) in [("1", g1), ("2", g2)] {
            try make("w" + name, g.weightShape); try make("gw" + name, g.weightShape); try make("mw" + name, g.weightShape)
            try make("b" + name, [g.outChannels]); try make("gb" + name, [g.outChannels]); try make("mb" + name, [g.outChannels])
            try make("y" + name, g.outputShape); try make("a" + name, g.outputShape); try make("r" + name, g.outputShape)
            try make("gy" + name, g.outputShape); try make("gr" + name, g.outputShape); try make("gx" + name, g.inputShape)
            try make("s" + name, [n, g.outChannels])
        }
        for (name, p) in [("1", p1), ("2", p2)] {
            try make("p" + name, p.outputShape); try make("i" + name, p.outputShape, dtype: .int32); try make("gp" + name, p.outputShape)
        }
        for (i, (inputs, outputs)) in fc.enumerated() {
            let k = "\(i + 3)"
            try make("w" + k, [outputs, inputs]); try make("gw" + k, [outputs, inputs]); try make("mw" + k, [outputs, inputs])
            try make("b" + k, [outputs]); try make("gb" + k, [outputs]); try make("mb" + k, [outputs])
            try make("z" + k, [1, n, outputs]); try make("h" + k, [1, n, outputs]); try make("gh" + k, [1, n, outputs])
            try make("gz" + k, [1, n, outputs]); try make("gin" + k, [1, n, inputs])
        }
        try make("loss", [n]); try make("ones", [n])
        try device.execute(.fill(value: 1.0 / Float(n)), inputs: [], outputs: [views["ones"]!])
    }

    func v(_ name: String) -> BufferView { views[name]! }

    func run() throws { var t: [String: Double] = [:]; try run(timings: &t, timed: false) }

    func run(timings: inout [String: Double], timed: Bool = true) throws {
        func exec(_ label: String, _ p: Primitive, _ i: [BufferView], _ o: [BufferView]) throws {
            let start = processCPUSeconds()
            try device.execute(p, inputs: i, outputs: o)
            if timed { timings[label, default: 0] += processCPUSeconds() - start }
        }
        func bias(_ view: BufferView, _ shape: [Int]) -> BufferView {
            shape.count == 4 ? BufferView(buffer: view.buffer, shape: shape, strides: [0, 1, 0, 0])
                : BufferView(buffer: view.buffer, shape: shape, strides: [0, 0, 1])
        }
        // Forward.
        var input = v("x")
        for (k, g, p) in [("1", g1, p1), ("2", g2, p2)] {
            try exec("conv\(k)", .conv2d(g), [input, v("w" + k)], [v("y" + k)])
            try exec("bias add", .binary(.add), [v("y" + k), bias(v("b" + k), g.outputShape)], [v("a" + k)])
            try exec("relu", .unary(.relu), [v("a" + k)], [v("r" + k)])
            try exec("maxpool\(k)", .maxPool2d(p), [v("r" + k)], [v("p" + k), v("i" + k)])
            input = v("p" + k)
        }
        var h = BufferView(buffer: v("p2").buffer, shape: [1, n, 400])
        for (i, (_, outputs)) in fc.enumerated() {
            let k = "\(i + 3)"
            try exec("fc matmul", .matmul(transposeA: false, transposeB: true), [h, v("w" + k).reshaped([1, outputs, fc[i].0])], [v("z" + k)])
            try exec("bias add", .binary(.add), [v("z" + k), bias(v("b" + k), [1, n, outputs])], [v("h" + k)])
            if i < 2 { try exec("relu", .unary(.relu), [v("h" + k)], [v("h" + k)]) }
            h = v("h" + k)
        }
        let logits = v("h5").reshaped([n, 10])
        try exec("cross-entropy", .crossEntropy, [logits, v("labels")], [v("loss")])
        // Backward.
        try exec("cross-entropy backward", .crossEntropyBackward, [logits, v("labels"), v("ones")], [v("gh5").reshaped([n, 10])])
        for i in stride(from: 2, through: 0, by: -1) {
            let k = "\(i + 3)", (inputs, outputs) = fc[i]
            var grad = v("gh" + k)
            if i < 2 { try exec("relu backward", .binary(.reluBackward), [v("gh" + k), v("h" + k)], [v("gz" + k)]); grad = v("gz" + k) }
            let below = i == 0 ? BufferView(buffer: v("p2").buffer, shape: [1, n, 400]) : v("h\(i + 2)")
            try exec("fc matmul", .matmul(transposeA: true, transposeB: false), [grad, below], [v("gw" + k).reshaped([1, outputs, inputs])])
            try exec("bias reduce", .reduce(.sum), [grad.reshaped([1, n, outputs])], [v("gb" + k).reshaped([1, outputs])])
            let target = i == 0 ? v("gp2").reshaped([1, n, 400]) : v("gh\(i + 2)")
            try exec("fc matmul", .matmul(transposeA: false, transposeB: false), [grad, v("w" + k).reshaped([1, outputs, inputs])], [target])
        }
        for (k, g, p) in [("2", g2, p2), ("1", g1, p1)] {
            try exec("maxpool backward", .maxPool2dBackward(p), [v("gp" + k), v("i" + k)], [v("gr" + k)])
            try exec("relu backward", .binary(.reluBackward), [v("gr" + k), v("a" + k)], [v("gy" + k)])
            let hw = g.outHeight * g.outWidth
            try exec("bias reduce", .reduce(.sum), [v("gy" + k).reshaped([n * g.outChannels, hw, 1])], [v("s" + k).reshaped([n * g.outChannels, 1])])
            try exec("bias reduce", .reduce(.sum), [v("s" + k).reshaped([1, n, g.outChannels])], [v("gb" + k).reshaped([1, g.outChannels])])
            try exec("conv\(k) backward weight", .conv2dBackwardWeight(g), [k == "1" ? v("x") : v("p1"), v("gy" + k)], [v("gw" + k)])
            if k == "2" { try exec("conv2 backward input", .conv2dBackwardInput(g), [v("gy2"), v("w2")], [v("gp1")]) }
        }
        for k in ["1", "2", "3", "4", "5"] {
            for (p, gname, m) in [("w" + k, "gw" + k, "mw" + k), ("b" + k, "gb" + k, "mb" + k)] {
                try exec("sgd", .sgdStep(SGDParameters(learningRate: 0.01, momentum: 0.9, firstStep: false)), [v(gname)], [v(p), v(m)])
            }
        }
    }
}

/// CPU time of the whole process (every thread), in seconds.
func processCPUSeconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}
