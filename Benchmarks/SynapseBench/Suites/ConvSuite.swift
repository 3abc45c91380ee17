import Synapse

/// Every convolution layer of LeNet-5 and AlexNet (2012, grouped), each pass timed on its own:
/// forward through `Tensor.conv2d` (so the framework's result allocation is included), and the two
/// backward passes through the device's `.conv2dBackwardInput` / `.conv2dBackwardWeight`
/// primitives, which is exactly what the derivative table runs for a conv layer.
///
/// Batches are the training batches (LeNet 256, AlexNet 128) on a GPU, smaller on CPU-class devices.
enum ConvSuite {
    /// One conv layer: name and geometry for a given batch.
    struct Layer: Sendable {
        let name: String
        let geometry: @Sendable (Int) -> Conv2dGeometry
    }

    static let lenet: [Layer] = [
        Layer(name: "lenet.conv1") { Conv2dGeometry(batch: $0, inChannels: 1, inHeight: 28, inWidth: 28, outChannels: 6,
                                                    kernelHeight: 5, kernelWidth: 5, padding: (2, 2)) },
        Layer(name: "lenet.conv2") { Conv2dGeometry(batch: $0, inChannels: 6, inHeight: 14, inWidth: 14, outChannels: 16,
                                                    kernelHeight: 5, kernelWidth: 5) },
    ]

    static let alexnet: [Layer] = [
        Layer(name: "alexnet.conv1") { Conv2dGeometry(batch: $0, inChannels: 3, inHeight: 224, inWidth: 224, outChannels: 96,
                                                      kernelHeight: 11, kernelWidth: 11, stride: (4, 4), padding: (2, 2)) },
        Layer(name: "alexnet.conv2") { Conv2dGeometry(batch: $0, inChannels: 96, inHeight: 27, inWidth: 27, outChannels: 256,
                                                      kernelHeight: 5, kernelWidth: 5, padding: (2, 2), groups: 2) },
        Layer(name: "alexnet.conv3") { Conv2dGeometry(batch: $0, inChannels: 256, inHeight: 13, inWidth: 13, outChannels: 384,
                                                      kernelHeight: 3, kernelWidth: 3, padding: (1, 1)) },
        Layer(name: "alexnet.conv4") { Conv2dGeometry(batch: $0, inChannels: 384, inHeight: 13, inWidth: 13, outChannels: 384,
                                                      kernelHeight: 3, kernelWidth: 3, padding: (1, 1), groups: 2) },
        Layer(name: "alexnet.conv5") { Conv2dGeometry(batch: $0, inChannels: 384, inHeight: 13, inWidth: 13, outChannels: 256,
                                                      kernelHeight: 3, kernelWidth: 3, padding: (1, 1), groups: 2) },
    ]

    static func cases(_ context: SuiteContext) -> [BenchCase] {
        let layers: [(Layer, Int)]
        if context.quick {
            layers = lenet.map { ($0, 16) } + [(alexnet[3], 1)]
        } else {
            let lenetBatch = context.isGPU ? 256 : 64
            let alexnetBatch = context.isGPU ? 128 : 16
            layers = lenet.map { ($0, lenetBatch) } + alexnet.map { ($0, alexnetBatch) }
        }
        return layers.flatMap { layer, batch in
            Pass.allCases.map { passCase(layer, batch: batch, pass: $0, context) }
        }
    }

    /// The three passes of a convolution.
    enum Pass: String, CaseIterable {
        case forward, backwardData = "backward-data", backwardWeight = "backward-weight"
    }

    static func passCase(_ layer: Layer, batch: Int, pass: Pass, _ context: SuiteContext) -> BenchCase {
        let g = layer.geometry(batch)
        let shape = "\(g.inputShape) k\(g.kernelHeight) s\(g.strideY) p\(g.padY)" + (g.groups > 1 ? " g\(g.groups)" : "")
            + " → \(g.outputShape)"
        let elements = g.inputShape.reduce(1, *) + g.outputShape.reduce(1, *) + g.weightShape.reduce(1, *)
        let largest = max(g.inputShape.reduce(1, *), g.outputShape.reduce(1, *))
        // The two backward passes do as many multiply-adds as the forward pass.
        return BenchCase(suite: "conv", name: "\(layer.name).\(pass.rawValue).b\(batch)", shape: shape,
                         work: .flops(g.forwardFLOPs),
                         skipReason: context.memoryProblem(bytes: 4 * elements * 2, largest: 4 * largest)) { device in
            let x = Inputs.uniform(g.inputShape, on: device)
            let w = Inputs.uniform(g.weightShape, on: device)
            switch pass {
            case .forward:
                return Workload { _ in
                    _ = x.conv2d(w, stride: (g.strideY, g.strideX), padding: (g.padY, g.padX), groups: g.groups)
                }
            case .backwardData:
                let gradY = Inputs.uniform(g.outputShape, on: device)
                let gradX = Tensor.zeros(g.inputShape, on: device)
                return Workload { _ in
                    try device.execute(.conv2dBackwardInput(g), inputs: [try view(gradY), try view(w)],
                                       outputs: [try view(gradX)])
                }
            case .backwardWeight:
                let gradY = Inputs.uniform(g.outputShape, on: device)
                let gradW = Tensor.zeros(g.weightShape, on: device)
                return Workload { _ in
                    try device.execute(.conv2dBackwardWeight(g), inputs: [try view(x), try view(gradY)],
                                       outputs: [try view(gradW)])
                }
            }
        }
    }
}

/// The buffer view of `tensor`, throwing the device's pending failure when its allocation failed.
func view(_ tensor: Tensor) throws -> BufferView {
    guard let view = tensor.bufferView else {
        try Tensor.synchronize(tensor.device)
        throw BenchError.allocationFailed(tensor.shape)
    }
    return view
}

/// Failures of the benchmark tool itself.
enum BenchError: Error, CustomStringConvertible {
    case allocationFailed([Int])
    case badBaseline(String)
    case unknownFilter(String)
    case notCaptured(String)

    var description: String {
        switch self {
        case let .allocationFailed(shape): "could not allocate a tensor of shape \(shape)"
        case let .notCaptured(reason): "the step could not be captured: \(reason)"
        case let .badBaseline(problem): problem
        case let .unknownFilter(filter): "no suite or case matches --filter '\(filter)' (see --list)"
        }
    }
}
