/// Which data a run trains or evaluates on, as `--data` names it: `fashion-mnist`, `mnist`,
/// `synthetic` (random ImageNet-shaped images) or `imagefolder:PATH` (torchvision's `ImageFolder`
/// layout: one sub-folder of PNG and JPEG files per class, optionally under `train/` and `val/`).
public enum DataSource: Sendable, Hashable, Codable, CustomStringConvertible {
    case fashionMNIST
    case mnist
    case synthetic
    case imageFolder(String)

    /// Reads a `--data` value; nil for anything else (or `imagefolder:` without a path).
    public init?(parsing text: String) {
        let lowered = text.lowercased()
        switch lowered {
        case "fashion-mnist", "fashionmnist": self = .fashionMNIST
        case "mnist": self = .mnist
        case "synthetic": self = .synthetic
        default:
            let prefix = "imagefolder:"
            guard lowered.hasPrefix(prefix), text.count > prefix.count else { return nil }
            self = .imageFolder(String(text.dropFirst(prefix.count)))
        }
    }

    /// The `--data` spellings, for messages.
    public static let spellings = "fashion-mnist, mnist, synthetic or imagefolder:PATH"

    /// The text `init(parsing:)` reads back (`imagefolder:/data/shapes`).
    public var description: String {
        switch self {
        case .fashionMNIST: "fashion-mnist"
        case .mnist: "mnist"
        case .synthetic: "synthetic"
        case let .imageFolder(path): "imagefolder:\(path)"
        }
    }

    /// The statistics `--normalize dataset` means for this source: the published ones for the
    /// IDX sets, nil where they must be measured (image folders) or do not apply (synthetic).
    public var knownNormalization: Normalization? {
        switch self {
        case .fashionMNIST: .fashionMNIST
        case .mnist: .mnist
        case .synthetic: .unit
        case .imageFolder: nil
        }
    }
}
