import Testing
import SynapseTestSupport

/// One input of an op case.
struct CaseInput: Sendable {
    let values: [Float]
    let shape: [Int]
}

/// A differentiable tensor function with fixed inputs, used by the gradient and consistency suites.
struct OpCase: Sendable, CustomTestStringConvertible {
    let name: String
    let inputs: [CaseInput]
    let function: @Sendable ([Tensor]) -> Tensor

    var testDescription: String { name }
    var gradientCheck: GradientCheck { GradientCheck(inputs: inputs.map { ($0.values, $0.shape) }) }
}

/// Every differentiable operation, with shapes chosen to hit broadcasting, strided views, padding,
/// stride, dilation and groups. Values for kinked functions (relu, max, pooling) stay clear of the kinks.
enum OpCases {
    static let all: [OpCase] = {
        var random = HostRandom(seed: 2024)
        func u(_ shape: [Int], _ low: Float = -1, _ high: Float = 1) -> CaseInput {
            CaseInput(values: random.array(shape.reduce(1, *), low, high), shape: shape)
        }
        func distinct(_ shape: [Int]) -> CaseInput {
            CaseInput(values: random.distinct(shape.reduce(1, *)), shape: shape)
        }
        /// Values at least 0.2 away from zero, for abs and relu.
        func awayFromZero(_ shape: [Int]) -> CaseInput {
            CaseInput(values: random.array(shape.reduce(1, *), 0.2, 1.5).enumerated().map { $0.offset % 2 == 0 ? $0.element : -$0.element }, shape: shape)
        }
        /// Two inputs whose elements never tie (for maximum/minimum).
        func untied(_ a: [Int], _ b: [Int]) -> [CaseInput] {
            let pool = random.distinct(a.reduce(1, *) + b.reduce(1, *))
            return [CaseInput(values: Array(pool.prefix(a.reduce(1, *))), shape: a),
                    CaseInput(values: Array(pool.suffix(b.reduce(1, *))), shape: b)]
        }
        let lrn = LRNParameters(size: 3, alpha: 0.5, beta: 0.75, k: 2)
        return [
            // Elementwise with broadcasting
            OpCase(name: "add broadcast [2,3]+[3]", inputs: [u([2, 3]), u([3])]) { $0[0] + $0[1] },
            OpCase(name: "sub broadcast [2,1,4]-[3,1]", inputs: [u([2, 1, 4]), u([3, 1])]) { $0[0] - $0[1] },
            OpCase(name: "mul broadcast [2,3]*[2,1]", inputs: [u([2, 3]), u([2, 1])]) { $0[0] * $0[1] },
            OpCase(name: "div", inputs: [u([2, 3]), u([2, 3], 0.5, 2)]) { $0[0] / $0[1] },
            OpCase(name: "maximum broadcast", inputs: untied([2, 3], [3])) { Tensor.maximum($0[0], $0[1]) },
            OpCase(name: "minimum", inputs: untied([2, 3], [2, 3])) { Tensor.minimum($0[0], $0[1]) },
            // Elementwise, one input
            OpCase(name: "negate", inputs: [u([5])]) { -$0[0] },
            OpCase(name: "exp", inputs: [u([2, 3])]) { $0[0].exp() },
            OpCase(name: "log", inputs: [u([2, 3], 0.5, 2)]) { $0[0].log() },
            OpCase(name: "sqrt", inputs: [u([2, 3], 0.5, 2)]) { $0[0].sqrt() },
            OpCase(name: "abs", inputs: [awayFromZero([6])]) { $0[0].abs() },
            OpCase(name: "relu", inputs: [awayFromZero([2, 4])]) { $0[0].relu() },
            OpCase(name: "tanh", inputs: [u([2, 3], -2, 2)]) { $0[0].tanh() },
            OpCase(name: "sigmoid", inputs: [u([2, 3], -3, 3)]) { $0[0].sigmoid() },
            OpCase(name: "square", inputs: [u([4])]) { $0[0].square() },
            OpCase(name: "reciprocal", inputs: [u([4], 0.5, 2)]) { $0[0].reciprocal() },
            OpCase(name: "pow 3", inputs: [u([4])]) { $0[0].pow(3) },
            OpCase(name: "pow 0.5", inputs: [u([4], 0.5, 2)]) { $0[0].pow(0.5) },
            OpCase(name: "scalar arithmetic", inputs: [u([4])]) { (2 - $0[0] * 3 + 1) / 4 },
            // Reductions
            OpCase(name: "sum all", inputs: [u([2, 3, 4])]) { $0[0].sum() },
            OpCase(name: "sum axis 1", inputs: [u([2, 3, 4])]) { $0[0].sum(axis: 1) },
            OpCase(name: "sum axes 0,2 keepDims", inputs: [u([2, 3, 4])]) { $0[0].sum(axes: [0, 2], keepDims: true) },
            OpCase(name: "mean axes 0,2", inputs: [u([2, 3, 4])]) { $0[0].mean(axes: [0, 2]) },
            OpCase(name: "max axis -1", inputs: [distinct([3, 5])]) { $0[0].max(axis: -1) },
            OpCase(name: "max all", inputs: [distinct([3, 5])]) { $0[0].max() },
            // Layout
            OpCase(name: "permute then reshape (copy)", inputs: [u([2, 3, 4])]) { $0[0].permute([1, 0, 2]).reshape([3, 8]) },
            OpCase(name: "transpose contiguous", inputs: [u([3, 4])]) { $0[0].transpose(0, 1).contiguous() * 2 },
            OpCase(name: "expand", inputs: [u([3, 1])]) { $0[0].expand(to: [2, 3, 4]) * 1.5 },
            OpCase(name: "slice batch axis", inputs: [u([4, 3])]) { $0[0].slice(1..<3) * 3 },
            OpCase(name: "slice axis 1", inputs: [u([2, 5, 2])]) { $0[0].slice(axis: 1, 1..<4).exp() },
            OpCase(name: "flatten", inputs: [u([2, 2, 3])]) { $0[0].flatten().tanh() },
            // Linear algebra
            OpCase(name: "matmul 2-D", inputs: [u([3, 4]), u([4, 2])]) { $0[0].matmul($0[1]) },
            OpCase(name: "matmul transposed views", inputs: [u([4, 3]), u([2, 4])]) { $0[0].transposed.matmul($0[1].transposed) },
            OpCase(name: "matmul batched", inputs: [u([2, 3, 4]), u([2, 4, 5])]) { $0[0].matmul($0[1]) },
            OpCase(name: "matmul batch @ shared", inputs: [u([2, 3, 4]), u([4, 2])]) { $0[0].matmul($0[1]) },
            // Softmax family and losses
            OpCase(name: "softmax last axis", inputs: [u([3, 5], -2, 2)]) { $0[0].softmax() },
            OpCase(name: "softmax axis 0", inputs: [u([3, 4], -2, 2)]) { $0[0].softmax(axis: 0) },
            OpCase(name: "logSoftmax", inputs: [u([3, 5], -2, 2)]) { $0[0].logSoftmax() },
            OpCase(name: "crossEntropy mean", inputs: [u([4, 5], -2, 2)]) {
                $0[0].crossEntropy(labels: Tensor(int32: [1, 0, 4, 2], on: $0[0].device))
            },
            OpCase(name: "crossEntropy none", inputs: [u([3, 4], -2, 2)]) {
                $0[0].crossEntropy(labels: Tensor(int32: [3, 3, 0], on: $0[0].device), reduction: .none)
            },
            OpCase(name: "meanSquaredError", inputs: [u([2, 3]), u([2, 3])]) { $0[0].meanSquaredError($0[1]) },
            // Convolutional networks
            OpCase(name: "conv2d with bias", inputs: [u([2, 3, 5, 5]), u([4, 3, 3, 3]), u([4])]) {
                $0[0].conv2d($0[1], bias: $0[2])
            },
            OpCase(name: "conv2d stride 2 pad 1", inputs: [u([1, 2, 6, 5]), u([3, 2, 3, 2])]) {
                $0[0].conv2d($0[1], stride: (2, 2), padding: (1, 1))
            },
            OpCase(name: "conv2d dilation 2", inputs: [u([1, 2, 7, 7]), u([2, 2, 3, 3])]) {
                $0[0].conv2d($0[1], dilation: (2, 2))
            },
            OpCase(name: "conv2d groups 2", inputs: [u([2, 4, 5, 5]), u([6, 2, 3, 3])]) {
                $0[0].conv2d($0[1], padding: (1, 1), groups: 2)
            },
            OpCase(name: "conv2d stride > kernel", inputs: [u([1, 1, 7, 7]), u([2, 1, 2, 2])]) {
                $0[0].conv2d($0[1], stride: (3, 3))
            },
            OpCase(name: "maxPool2d 2/2", inputs: [distinct([2, 2, 4, 5])]) { $0[0].maxPool2d(kernel: (2, 2)) },
            OpCase(name: "maxPool2d 3/2 pad 1", inputs: [distinct([1, 2, 5, 5])]) {
                $0[0].maxPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1))
            },
            OpCase(name: "avgPool2d 2/2", inputs: [u([2, 2, 4, 4])]) { $0[0].avgPool2d(kernel: (2, 2)) },
            OpCase(name: "avgPool2d 3/2 pad 1 include pad", inputs: [u([1, 2, 5, 5])]) {
                $0[0].avgPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1))
            },
            OpCase(name: "avgPool2d 3/2 pad 1 exclude pad", inputs: [u([1, 2, 5, 5])]) {
                $0[0].avgPool2d(kernel: (3, 3), stride: (2, 2), padding: (1, 1), countIncludePad: false)
            },
            OpCase(name: "localResponseNorm", inputs: [u([2, 5, 2, 3])]) { $0[0].localResponseNorm(lrn) },
            // A small composition: a conv layer, pooling and a dense head.
            OpCase(name: "conv-pool-linear chain", inputs: [u([2, 1, 6, 6]), u([2, 1, 3, 3]), u([8, 3])]) {
                $0[0].conv2d($0[1], padding: (1, 1)).tanh().avgPool2d(kernel: (2, 2)).flatten()
                    .slice(axis: 1, 0..<8).matmul($0[2]).logSoftmax()
            },
        ]
    }()
}
