import Synapse

/// The pooling layers of LeNet-5 (2×2 average) and AlexNet (3×3 max, stride 2), forward through
/// `Tensor.avgPool2d` / `Tensor.maxPool2d` and backward through the device primitives the
/// derivative table uses. Memory-bound, so the rate is GB/s: every input and output (the max
/// pool's int32 winner indices included) counted once.
enum PoolSuite {
    static func cases(_ context: SuiteContext) -> [BenchCase] {
        let lenetBatch = context.quick ? 16 : 256
        let alexnetBatch = context.quick ? 1 : (context.isGPU ? 128 : 32)
        let lenet = [("lenet.pool1", 6, 28), ("lenet.pool2", 16, 10)].map { name, channels, side in
            Pool2dGeometry(batch: lenetBatch, channels: channels, inHeight: side, inWidth: side, kernel: (2, 2),
                           stride: (2, 2)).named(name)
        }
        let alexnet = [("alexnet.pool1", 96, 55), ("alexnet.pool2", 256, 27), ("alexnet.pool3", 256, 13)]
            .map { name, channels, side in
                Pool2dGeometry(batch: alexnetBatch, channels: channels, inHeight: side, inWidth: side, kernel: (3, 3),
                               stride: (2, 2)).named(name)
            }
        let chosen = context.quick ? [lenet[0], alexnet[2]] : lenet + alexnet
        return chosen.flatMap { entry in
            let isMax = entry.name.hasPrefix("alexnet")
            return [poolCase(entry, max: isMax, backward: false), poolCase(entry, max: isMax, backward: true)]
        }
    }

    static func poolCase(_ entry: (name: String, geometry: Pool2dGeometry), max: Bool, backward: Bool) -> BenchCase {
        let g = entry.geometry
        let inCount = g.inputShape.reduce(1, *), outCount = g.outputShape.reduce(1, *)
        // forward: x in, y (+ argmax) out; backward: dy (+ argmax) in, dx out.
        let bytes = 4 * (inCount + outCount + (max ? outCount : 0))
        let kind = max ? "max \(g.kernelHeight)/\(g.strideY)" : "avg \(g.kernelHeight)×\(g.kernelWidth)"
        return BenchCase(suite: "pool", name: "\(entry.name).\(backward ? "backward" : "forward").b\(g.batch)",
                         shape: "\(g.inputShape) \(kind) → \(g.outputShape)", work: .bytes(Double(bytes))) { device in
            let x = Inputs.uniform(g.inputShape, on: device)
            switch (max, backward) {
            case (true, false):
                return Workload { _ in _ = x.maxPool2d(kernel: (g.kernelHeight, g.kernelWidth), stride: (g.strideY, g.strideX)) }
            case (false, false):
                return Workload { _ in _ = x.avgPool2d(kernel: (g.kernelHeight, g.kernelWidth), stride: (g.strideY, g.strideX)) }
            case (true, true):
                let y = Tensor.zeros(g.outputShape, on: device)
                let argmax = Tensor.zeros(g.outputShape, dtype: .int32, on: device)
                try device.execute(.maxPool2d(g), inputs: [try view(x)], outputs: [try view(y), try view(argmax)])
                let gradY = Inputs.uniform(g.outputShape, on: device), gradX = Tensor.zeros(g.inputShape, on: device)
                return Workload { _ in
                    try device.execute(.maxPool2dBackward(g), inputs: [try view(gradY), try view(argmax)],
                                       outputs: [try view(gradX)])
                }
            case (false, true):
                let gradY = Inputs.uniform(g.outputShape, on: device), gradX = Tensor.zeros(g.inputShape, on: device)
                return Workload { _ in
                    try device.execute(.avgPool2dBackward(g), inputs: [try view(gradY)], outputs: [try view(gradX)])
                }
            }
        }
    }
}

extension Pool2dGeometry {
    /// This geometry paired with a layer name.
    func named(_ name: String) -> (name: String, geometry: Pool2dGeometry) { (name, self) }
}
