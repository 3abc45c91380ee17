import Synapse

/// Every differentiable tensor operation as a gradient case, with shapes chosen to hit
/// broadcasting, strided views, padding, stride, dilation and groups. Values for kinked functions
/// (relu, abs, max, pooling) stay clear of the kinks.
public enum GradientSuite {
    /// Every case.
    public static let cases: [GradientCase] = {
        var random = SeededRandom(2024)
        typealias Input = GradientCase.Input
        func u(_ shape: [Int], _ low: Float = -1, _ high: Float = 1) -> Input {
            Input(values: random.floats(shape.reduce(1, *), low...high), shape: shape)
        }
        func distinct(_ shape: [Int]) -> Input { Input(values: random.distinct(shape.reduce(1, *)), shape: shape) }
        /// Values at least 0.2 away from zero, for abs and relu.
        func awayFromZero(_ shape: [Int]) -> Input {
            Input(values: random.floats(shape.reduce(1, *), 0.2...1.5).enumerated().map { $0.offset % 2 == 0 ? $0.element : -$0.element },
                  shape: shape)
        }
        /// Two inputs whose elements never tie (for maximum/minimum).
        func untied(_ a: [Int], _ b: [Int]) -> [Input] {
            let pool = random.distinct(a.reduce(1, *) + b.reduce(1, *))
            return [Input(values: Array(pool.prefix(a.reduce(1, *))), shape: a), Input(values: Array(pool.suffix(b.reduce(1, *))), shape: b)]
        }
        let lrn = LRNParameters(size: 3, alpha: 0.5, beta: 0.75, k: 2)
        return [
            // Elementwise with broadcasting
            GradientCase("add broadcast [2,3]+[3]", "elementwise", inputs: [u([2, 3]), u([3])]) { $0[0] + $0[1] },
            GradientCase("sub broadcast [2,1,4]-[3,1]", "elementwise", inputs: [u([2, 1, 4]), u([3, 1])]) { $0[0] - $0[1] },
            GradientCase("mul broadcast [2,3]*[2,1]", "elementwise", inputs: [u([2, 3]), u([2, 1])]) { $0[0] * $0[1] },
            GradientCase("div", "elementwise", inputs: [u([2, 3]), u([2, 3], 0.5, 2)]) { $0[0] / $0[1] },
            GradientCase("maximum broadcast", "elementwise", inputs: untied([2, 3], [3])) { Tensor.maximum($0[0], $0[1]) },
            GradientCase("minimum", "elementwise", inputs: untied([2, 3], [2, 3])) { Tensor.minimum($0[0], $0[1]) },
            // Elementwise, one input
            GradientCase("negate", "elementwise", inputs: [u([5])]) { -$0[0] },
            GradientCase("exp", "elementwise", inputs: [u([2, 3])]) { $0[0].exp() },
            GradientCase("log", "elementwise", inputs: [u([2, 3], 0.5, 2)]) { $0[0].log() },
            GradientCase("sqrt", "elementwise", inputs: [u([2, 3], 0.5, 2)]) { $0[0].sqrt() },
            GradientCase("abs", "elementwise", inputs: [awayFromZero([6])]) { $0[0].abs() },
            GradientCase("relu", "elementwise", inputs: [awayFromZero([2, 4])]) { $0[0].relu() },
            GradientCase("tanh", "elementwise", inputs: [u([2, 3], -2, 2)]) { $0[0].tanh() },
            GradientCase("sigmoid", "elementwise", inputs: [u([2, 3], -3, 3)]) { $0[0].sigmoid() },
            GradientCase("square", "elementwise", inputs: [u([4])]) { $0[0].square() },
            GradientCase("reciprocal", "elementwise", inputs: [u([4], 0.5, 2)]) { $0[0].reciprocal() },
            GradientCase("pow 3", "elementwise", inputs: [u([4])]) { $0[0].pow(3) },
            GradientCase("pow 0.5", "elementwise", inputs: [u([4], 0.5, 2)]) { $0[0].pow(0.5) },
            GradientCase("scalar arithmetic", "elementwise", inputs: [u([4])]) { (2 - $0[0] * 3 + 1) / 4 },
            // Reductions
            GradientCase("sum all", "reduction", inputs: [u([2, 3, 4])]) { $0[0].sum() },
            GradientCase("sum axis 1", "reduction", inputs: [u([2, 3, 4])]) { $0[0].sum(axis: 1) },
            GradientCase("sum axes 0,2 keepDims", "reduction", inputs: [u([2, 3, 4])]) { $0[0].sum(axes: [0, 2], keepDims: true) },
            GradientCase("mean axes 0,2", "reduction", inputs: [u([2, 3, 4])]) { $0[0].mean(axes: [0, 2]) },
            GradientCase("max axis -1", "reduction", inputs: [distinct([3, 5])]) { $0[0].max(axis: -1) },
            GradientCase("max all", "reduction", inputs: [distinct([3, 5])]) { $0[0].max() },
            // Layout
            GradientCase("permute then reshape (copy)", "layout", inputs: [u([2, 3, 4])]) { $0[0].permute([1, 0, 2]).reshape([3, 8]) },
            GradientCase("transpose contiguous", "layout", inputs: [u([3, 4])]) { $0[0].transpose(0, 1).contiguous() * 2 },
            GradientCase("expand", "layout", inputs: [u([3, 1])]) { $0[0].expand(to: [2, 3, 4]) * 1.5 },
            GradientCase("slice batch axis", "layout", inputs: [u([4, 3])]) { $0[0].slice(1..<3) * 3 },
            GradientCase("slice axis 1", "layout", inputs: [u([2, 5, 2])]) { $0[0].slice(axis: 1, 1..<4).exp() },
            GradientCase("flatten", "layout", inputs: [u([2, 2, 3])]) { $0[0].flatten().tanh() },
            // Linear algebra
            GradientCase("matmul 2-D", "matmul", inputs: [u([3, 4]), u([4, 2])]) { $0[0].matmul($0[1]) },
            GradientCase("matmul transposed views", "matmul", inputs: [u([4, 3]), u([2, 4])]) { $0[0].transposed.matmul($0[1].transposed) },
            GradientCase("matmul batched", "matmul", inputs: [u([2, 3, 4]), u([2, 4, 5])]) { $0[0].matmul($0[1]) },
            GradientCase("matmul batch @ shared", "matmul", inputs: [u([2, 3, 4]), u([4, 2])]) { $0[0].matmul($0[1]) },
            GradientCase("linear with bias", "linear", inputs: [u([3, 4]), u([5, 4]), u([5])]) {
                $0[0].linear(weight: $0[1], bias: $0[2])
            },
            // Pre-activations stay within ±0.36 of the bias ±1, so no finite difference crosses the kink.
            GradientCase("linear relu", "linear", inputs: [u([3, 4], -0.3, 0.3), u([2, 4], -0.3, 0.3),
                                                           Input(values: [1, -1], shape: [2])]) {
                $0[0].linear(weight: $0[1], bias: $0[2], activation: .relu)
            },
            GradientCase("linear without bias", "linear", inputs: [u([3, 4]), u([2, 4])]) { $0[0].linear(weight: $0[1]) },
            GradientCase("linear tanh", "linear", inputs: [u([3, 4]), u([5, 4]), u([5])]) {
                $0[0].linear(weight: $0[1], bias: $0[2], activation: .tanh)
            },
            GradientCase("linear sigmoid", "linear", inputs: [u([2, 3]), u([4, 3]), u([4])]) {
                $0[0].linear(weight: $0[1], bias: $0[2], activation: .sigmoid)
            },
            // Softmax and losses
            GradientCase("softmax last axis", "softmax", inputs: [u([3, 5], -2, 2)]) { $0[0].softmax() },
            GradientCase("softmax axis 0", "softmax", inputs: [u([3, 4], -2, 2)]) { $0[0].softmax(axis: 0) },
            GradientCase("logSoftmax", "softmax", inputs: [u([3, 5], -2, 2)]) { $0[0].logSoftmax() },
            GradientCase("crossEntropy mean", "loss", inputs: [u([4, 5], -2, 2)]) {
                $0[0].crossEntropy(labels: Tensor(int32: [1, 0, 4, 2], on: $0[0].device))
            },
            GradientCase("crossEntropy none", "loss", inputs: [u([3, 4], -2, 2)]) {
                $0[0].crossEntropy(labels: Tensor(int32: [3, 3, 0], on: $0[0].device), reduction: .none)
            },
            GradientCase("meanSquaredError", "loss", inputs: [u([2, 3]), u([2, 3])]) { $0[0].meanSquaredError($0[1]) },
            // Convolution, pooling, normalization
            GradientCase("conv2d with bias", "convolution", inputs: [u([2, 3, 5, 5]), u([4, 3, 3, 3]), u([4])]) {
                $0[0].conv2d($0[1], bias: $0[2])
            },
            GradientCase("conv2d with bias, tanh", "convolution", inputs: [u([2, 3, 5, 5]), u([4, 3, 3, 3]), u([4])]) {
                $0[0].conv2d($0[1], bias: $0[2], activation: .tanh)
            },
            GradientCase("conv2d without bias, sigmoid", "convolution", inputs: [u([1, 2, 4, 4]), u([3, 2, 3, 3])]) {
                $0[0].conv2d($0[1], padding: (1, 1), activation: .sigmoid)
            },
            GradientCase("conv2d stride 2 pad 1", "convolution", inputs: [u([1, 2, 6, 5]), u([3, 2, 3, 2])]) {
                $0[0].conv2d($0[1], stride: (2, 2), padding: (1, 1))
            },
            GradientCase("conv2d dilation 2", "convolution", inputs: [u([1, 2, 7, 7]), u([2, 2, 3, 3])]) {
                $0[0].conv2d($0[1], dilation: (2, 2))
            },
            GradientCase("conv2d groups 2", "convolution", inputs: [u([2, 4, 5, 5]), u([6, 2, 3, 3])]) {
                $0[0].conv2d($0[1], padding: (1, 1), groups: 2)
            },
            GradientCase("conv2d stride > kernel", "convolution", inputs: [u([1, 1, 7, 7]), u([2, 1, 2, 2])]) {
                $0[0].conv2d($0[1], stride: (3, 3))
            },
            GradientCase("maxPool2d 2/2", "pooling", inputs: [distinct([2, 2, 4, 5])]) { $0[0].maxPool2d(kernel: (2, 2)) },
            GradientCase("maxPool2d 3/2 pad 1", "pooling", inputs: [distinct([1, 2, 5, 5])]) {
                $0[0].maxPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1))
            },
            GradientCase("avgPool2d 2/2", "pooling", inputs: [u([2, 2, 4, 4])]) { $0[0].avgPool2d(kernel: (2, 2)) },
            GradientCase("avgPool2d 3/2 pad 1 include pad", "pooling", inputs: [u([1, 2, 5, 5])]) {
                $0[0].avgPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1))
            },
            GradientCase("avgPool2d 3/2 pad 1 exclude pad", "pooling", inputs: [u([1, 2, 5, 5])]) {
                $0[0].avgPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1), countIncludePad: false)
            },
            GradientCase("localResponseNorm", "normalization", inputs: [u([2, 5, 2, 3])]) { $0[0].localResponseNorm(lrn) },
            // Through the batch statistics (training) and with running statistics as constants.
            GradientCase("batchNorm training", "normalization", inputs: [u([3, 2, 2, 3]), u([2]), u([2])]) {
                $0[0].batchNorm(weight: $0[1], bias: $0[2], runningMean: Tensor.zeros([2], on: $0[0].device),
                                runningVar: Tensor.ones([2], on: $0[0].device), BatchNormParameters(training: true))
            },
            GradientCase("batchNorm evaluation", "normalization", inputs: [u([3, 2, 2, 3]), u([2]), u([2])]) {
                $0[0].batchNorm(weight: $0[1], bias: $0[2], runningMean: Tensor([0.1, -0.2], shape: [2], on: $0[0].device),
                                runningVar: Tensor([0.8, 1.5], shape: [2], on: $0[0].device), BatchNormParameters(training: false))
            },
            // Synchronised over a group of one: the split statistics, apply and backward primitives.
            GradientCase("batchNorm training synchronised", "normalization", inputs: [u([3, 2, 2, 3]), u([2]), u([2])]) { t in
                withBatchNormGroup(LoneBatchNormGroup()) {
                    t[0].batchNorm(weight: t[1], bias: t[2], runningMean: Tensor.zeros([2], on: t[0].device),
                                   runningVar: Tensor.ones([2], on: t[0].device), BatchNormParameters(training: true))
                }
            },
            // A small network: a conv layer, pooling and a dense head.
            GradientCase("conv-pool-linear chain", "network", inputs: [u([2, 1, 6, 6]), u([2, 1, 3, 3]), u([8, 3])]) {
                $0[0].conv2d($0[1], padding: (1, 1)).tanh().avgPool2d(kernel: (2, 2)).flatten()
                    .slice(axis: 1, 0..<8).matmul($0[2]).logSoftmax()
            },
        ]
    }()
}

/// A batch-norm group of this process alone (its sums are its own values).
final class LoneBatchNormGroup: BatchNormGroup {
    var rank: Int { 0 }
    var size: Int { 1 }
    func sum(_ values: UnsafeMutableBufferPointer<Float>) throws {}
}
