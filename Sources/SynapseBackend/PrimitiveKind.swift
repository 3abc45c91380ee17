// The cases of `Primitive` and of the enums it carries, without their payloads, as `CaseIterable`
// lists. Code that must cover every primitive (the conformance suite's coverage test) iterates
// these. Each `kind` property is an exhaustive `switch`, so adding a case to `Primitive`, `UnaryOp`,
// `BinaryOp`, `ReduceOp` or `RandomDistribution` does not compile until its kind is added here too.

extension Primitive {
    /// A `Primitive` case without its parameters.
    public enum Kind: String, CaseIterable, Sendable {
        case unary, binary, copy, fill, random
        case reduce, softmax, crossEntropy, crossEntropyBackward, countCorrect
        case matmul
        case conv2d, conv2dActivation, conv2dBackwardInput, conv2dBackwardWeight
        case maxPool2d, maxPool2dBackward, avgPool2d, avgPool2dBackward, localResponseNorm, localResponseNormBackward
        case batchNorm, batchNormBackward, batchNormStatistics, batchNormBackwardReduce, batchNormBackwardInput
        case biasActivation, biasActivationBackward
        case sgdStep, adamStep
    }

    /// Which case this is.
    public var kind: Kind {
        switch self {
        case .unary: .unary
        case .binary: .binary
        case .copy: .copy
        case .fill: .fill
        case .random: .random
        case .reduce: .reduce
        case .softmax: .softmax
        case .crossEntropy: .crossEntropy
        case .crossEntropyBackward: .crossEntropyBackward
        case .countCorrect: .countCorrect
        case .matmul: .matmul
        case .conv2d: .conv2d
        case .conv2dActivation: .conv2dActivation
        case .conv2dBackwardInput: .conv2dBackwardInput
        case .conv2dBackwardWeight: .conv2dBackwardWeight
        case .maxPool2d: .maxPool2d
        case .maxPool2dBackward: .maxPool2dBackward
        case .avgPool2d: .avgPool2d
        case .avgPool2dBackward: .avgPool2dBackward
        case .localResponseNorm: .localResponseNorm
        case .localResponseNormBackward: .localResponseNormBackward
        case .batchNorm: .batchNorm
        case .batchNormBackward: .batchNormBackward
        case .batchNormStatistics: .batchNormStatistics
        case .batchNormBackwardReduce: .batchNormBackwardReduce
        case .batchNormBackwardInput: .batchNormBackwardInput
        case .biasActivation: .biasActivation
        case .biasActivationBackward: .biasActivationBackward
        case .sgdStep: .sgdStep
        case .adamStep: .adamStep
        }
    }
}

extension UnaryOp {
    /// A `UnaryOp` case without its scalar.
    public enum Kind: String, CaseIterable, Sendable {
        case negate, exp, log, sqrt, abs, relu, tanh, sigmoid, square, reciprocal
        case addScalar, mulScalar, powScalar, reverseSubScalar
    }

    /// Which case this is.
    public var kind: Kind {
        switch self {
        case .negate: .negate
        case .exp: .exp
        case .log: .log
        case .sqrt: .sqrt
        case .abs: .abs
        case .relu: .relu
        case .tanh: .tanh
        case .sigmoid: .sigmoid
        case .square: .square
        case .reciprocal: .reciprocal
        case .addScalar: .addScalar
        case .mulScalar: .mulScalar
        case .powScalar: .powScalar
        case .reverseSubScalar: .reverseSubScalar
        }
    }
}

extension BinaryOp {
    /// A `BinaryOp` case without its exponent.
    public enum Kind: String, CaseIterable, Sendable {
        case add, sub, mul, div, maximum, minimum, equal
        case reluBackward, tanhBackward, sigmoidBackward, powBackward
    }

    /// Which case this is.
    public var kind: Kind {
        switch self {
        case .add: .add
        case .sub: .sub
        case .mul: .mul
        case .div: .div
        case .maximum: .maximum
        case .minimum: .minimum
        case .equal: .equal
        case .reluBackward: .reluBackward
        case .tanhBackward: .tanhBackward
        case .sigmoidBackward: .sigmoidBackward
        case .powBackward: .powBackward
        }
    }
}

extension ReduceOp {
    /// A `ReduceOp` case, listable.
    public enum Kind: String, CaseIterable, Sendable {
        case sum, mean, max, argmax
    }

    /// Which case this is.
    public var kind: Kind {
        switch self {
        case .sum: .sum
        case .mean: .mean
        case .max: .max
        case .argmax: .argmax
        }
    }
}

extension RandomDistribution {
    /// A `RandomDistribution` case without its parameters.
    public enum Kind: String, CaseIterable, Sendable {
        case uniform, normal, dropoutMask
    }

    /// Which case this is.
    public var kind: Kind {
        switch self {
        case .uniform: .uniform
        case .normal: .normal
        case .dropoutMask: .dropoutMask
        }
    }
}
