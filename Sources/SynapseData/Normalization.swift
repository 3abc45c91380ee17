import SynapseBackend
/// Per-channel affine normalisation applied to pixels scaled to `[0, 1]`:
/// `(pixel / 255 - mean[c]) / std[c]`, as `torchvision.transforms.Normalize` after `ToTensor`.
///
/// One mean and std apply to every channel; three (or one per channel) apply channel by channel.
/// The text form, used by `--normalize` and checkpoint metadata, is `MEAN,STD` for one pair or
/// `M1,M2,M3/S1,S2,S3` per channel (`none` is `0,1`: only the scaling to `[0, 1]`).
public struct Normalization: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Subtracted from each pixel in `[0, 1]`, per channel (one value: every channel).
    public let means: [Float]
    /// Divides the centred pixel, per channel; positive.
    public let stds: [Float]

    /// A normalisation with one mean and std for every channel.
    public init(mean: Float, std: Float) {
        self.init(means: [mean], stds: [std])
    }

    /// A normalisation per channel (`means` and `stds` of equal, non-zero length).
    public init(means: [Float], stds: [Float]) {
        ensure(!means.isEmpty && means.count == stds.count && stds.allSatisfy { $0 > 0 && $0.isFinite }
                   && means.allSatisfy(\.isFinite),
               "Normalization: need as many means as stds, stds positive and finite (got \(means), \(stds))")
        self.means = means
        self.stds = stds
    }

    /// The single mean (for one-pair normalisations).
    public var mean: Float { means[0] }
    /// The single std (for one-pair normalisations).
    public var std: Float { stds[0] }

    /// Fashion-MNIST's training-set statistics (mean 0.2860, std 0.3530).
    public static let fashionMNIST = Normalization(mean: 0.2860, std: 0.3530)
    /// MNIST's training-set statistics (mean 0.1307, std 0.3081).
    public static let mnist = Normalization(mean: 0.1307, std: 0.3081)
    /// Only the scaling to `[0, 1]`.
    public static let unit = Normalization(mean: 0, std: 1)

    /// Whether these statistics can apply to images of `channels` channels (one pair fits all).
    public func fits(channels: Int) -> Bool { means.count == 1 || means.count == channels }

    /// The normalised value of every possible byte in channel `channel`, so a batch is normalised
    /// by table look-up.
    public func table(channel: Int = 0) -> [Float] {
        let c = means.count == 1 ? 0 : channel
        ensure(c >= 0 && c < means.count, "Normalization: no statistics for channel \(channel) of \(means.count)")
        let mean = means[c], std = stds[c]
        return (0...255).map { (Float($0) / 255 - mean) / std }
    }

    /// The normalised value of every byte (one-pair normalisations).
    public var table: [Float] { table(channel: 0) }

    /// The text form: `MEAN,STD` or `M1,M2,M3/S1,S2,S3`, which `init(parsing:)` reads back exactly.
    public var description: String {
        if means.count == 1 { return "\(means[0]),\(stds[0])" }
        return means.map { "\($0)" }.joined(separator: ",") + "/" + stds.map { "\($0)" }.joined(separator: ",")
    }

    /// Reads `none`, `MEAN,STD`, `MEAN/STD` or `M1,M2,…/S1,S2,…`; nil for anything else or for
    /// values `init(means:stds:)` rejects (a std that is not positive, a non-finite value).
    public init?(parsing text: String) {
        let trimmed = text.trimmingWhitespace
        if trimmed.lowercased() == "none" { self = .unit; return }
        func numbers(_ part: Substring) -> [Float]? {
            let values = part.split(separator: ",", omittingEmptySubsequences: false)
                .map { Float(String($0).trimmingWhitespace) }
            return values.contains(nil) || values.isEmpty ? nil : values.map { $0! }
        }
        let halves = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        let means: [Float], stds: [Float]
        if halves.count == 2, let m = numbers(halves[0]), let s = numbers(halves[1]) {
            (means, stds) = (m, s)
        } else if halves.count == 1, let pair = numbers(halves[0]), pair.count == 2 {
            (means, stds) = ([pair[0]], [pair[1]])
        } else {
            return nil
        }
        guard means.count == stds.count, stds.allSatisfy({ $0 > 0 && $0.isFinite }), means.allSatisfy(\.isFinite)
        else { return nil }
        self.init(means: means, stds: stds)
    }
}

extension Normalization {
    /// Decodes the text form, rejecting what `init(parsing:)` rejects.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = Normalization(parsing: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a normalization: \(text)")
        }
        self = value
    }

    /// Encodes the text form.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    var trimmingWhitespace: String {
        String(drop(while: { $0 == " " || $0 == "\t" }).reversed().drop(while: { $0 == " " || $0 == "\t" }).reversed())
    }
}
