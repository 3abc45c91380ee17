import SynapseBackend
/// Per-channel affine normalisation applied to pixels scaled to `[0, 1]`:
/// `(pixel / 255 - mean) / std`, as `torchvision.transforms.Normalize` after `ToTensor`.
public struct Normalization: Sendable, Hashable, CustomStringConvertible {
    /// Subtracted from each pixel in `[0, 1]`.
    public var mean: Float
    /// Divides the centred pixel; must be positive.
    public var std: Float

    /// A normalisation with the given statistics.
    public init(mean: Float, std: Float) {
        ensure(std > 0 && std.isFinite && mean.isFinite,
               "Normalization: std must be positive and finite, mean finite (got mean \(mean), std \(std))")
        self.mean = mean
        self.std = std
    }

    /// Fashion-MNIST's training-set statistics (mean 0.2860, std 0.3530).
    public static let fashionMNIST = Normalization(mean: 0.2860, std: 0.3530)
    /// MNIST's training-set statistics (mean 0.1307, std 0.3081).
    public static let mnist = Normalization(mean: 0.1307, std: 0.3081)
    /// Only the scaling to `[0, 1]`.
    public static let unit = Normalization(mean: 0, std: 1)

    /// The normalised value of every possible byte, so a batch is normalised by table look-up.
    public var table: [Float] {
        (0...255).map { (Float($0) / 255 - mean) / std }
    }

    public var description: String { "mean \(mean), std \(std)" }
}
