import Foundation
import SynapseBackend
import SynapseCore

/// How a weight or bias tensor is filled when a layer is created. All draws happen on the device
/// from the seeded stream of `TensorRandom`, so the same seed gives the same weights on every device.
///
/// Fans follow PyTorch's `_calculate_fan_in_and_fan_out` for the *weight*: `fanIn = shape[1] * k`,
/// `fanOut = shape[0] * k` with `k` the product of the kernel dimensions (`[out, in/groups, kh, kw]`
/// for convolutions, `[out, in]` for linear layers). A layer passes its weight's fans for the bias too.
public enum Initializer: Sendable, Hashable {
    /// PyTorch's default for `Linear` and `Conv2d`: `kaiming_uniform_(a: √5)` for weights and
    /// `U(-1/√fanIn, 1/√fanIn)` for biases — both the same bound, `1/√fanIn`.
    case pytorchDefault
    /// Glorot/Xavier uniform: `U(±gain·√(6 / (fanIn + fanOut)))`.
    case xavierUniform(gain: Float = 1)
    /// Glorot/Xavier normal: `N(0, gain·√(2 / (fanIn + fanOut)))`.
    case xavierNormal(gain: Float = 1)
    /// He/Kaiming uniform: `U(±gain·√(3 / fan))` with `gain` from `nonlinearity` and `fan` from `mode`.
    case kaimingUniform(nonlinearity: Nonlinearity = .relu, mode: FanMode = .fanIn)
    /// He/Kaiming normal: `N(0, gain / √fan)`.
    case kaimingNormal(nonlinearity: Nonlinearity = .relu, mode: FanMode = .fanIn)
    /// `U(low, high)`.
    case uniform(low: Float, high: Float)
    /// `N(mean, std)`.
    case normal(mean: Float, std: Float)
    /// Every element `value` (`zeros` is `constant(0)`).
    case constant(Float)

    /// Zeros.
    public static let zeros = Initializer.constant(0)

    /// Which fan Kaiming initialisation preserves the variance of.
    public enum FanMode: Sendable, Hashable { case fanIn, fanOut }

    /// The activation that follows, for the recommended gain (PyTorch's `calculate_gain`).
    public enum Nonlinearity: Sendable, Hashable {
        case linear, sigmoid, tanh, relu
        case leakyReLU(negativeSlope: Float)

        /// `1` (linear, sigmoid), `5/3` (tanh), `√2` (relu), `√(2 / (1 + slope²))` (leaky relu).
        public var gain: Float {
            switch self {
            case .linear, .sigmoid: 1
            case .tanh: 5.0 / 3.0
            case .relu: Float(2).squareRoot()
            case let .leakyReLU(slope): (2 / (1 + slope * slope)).squareRoot()
            }
        }
    }

    /// `(fanIn, fanOut)` of a weight of `shape`, as PyTorch computes them (rank ≥ 2).
    public static func fans(of shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        ensure(shape.count >= 2, "Initializer: fans need a weight of rank ≥ 2, got shape \(shape)")
        let receptive = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptive, shape[0] * receptive)
    }

    /// A tensor of `shape` drawn on `device` (default: the current device) with the given fans.
    public func makeTensor(_ shape: [Int], fanIn: Int, fanOut: Int, on device: (any Device)? = nil) -> Tensor {
        func bound(_ b: Float) -> Tensor { Tensor.uniform(shape, low: -b, high: b, on: device) }
        switch self {
        case .pytorchDefault:
            return fanIn > 0 ? bound(1 / Float(fanIn).squareRoot()) : Tensor.zeros(shape, on: device)
        case let .xavierUniform(gain):
            return bound(gain * (6 / Float(fanIn + fanOut)).squareRoot())
        case let .xavierNormal(gain):
            return Tensor.normal(shape, mean: 0, std: gain * (2 / Float(fanIn + fanOut)).squareRoot(), on: device)
        case let .kaimingUniform(nonlinearity, mode):
            let fan = Float(mode == .fanIn ? fanIn : fanOut)
            return bound(nonlinearity.gain * (3 / fan).squareRoot())
        case let .kaimingNormal(nonlinearity, mode):
            let fan = Float(mode == .fanIn ? fanIn : fanOut)
            return Tensor.normal(shape, mean: 0, std: nonlinearity.gain / fan.squareRoot(), on: device)
        case let .uniform(low, high):
            return Tensor.uniform(shape, low: low, high: high, on: device)
        case let .normal(mean, std):
            return Tensor.normal(shape, mean: mean, std: std, on: device)
        case let .constant(value):
            return Tensor.full(shape, value: value, on: device)
        }
    }

    /// A tensor for a weight of `shape`, with fans computed from that shape.
    public func makeWeight(_ shape: [Int], on device: (any Device)? = nil) -> Tensor {
        let (fanIn, fanOut) = Initializer.fans(of: shape)
        return makeTensor(shape, fanIn: fanIn, fanOut: fanOut, on: device)
    }
}
