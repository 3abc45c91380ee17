import SynapseIO
import SynapseBackend
/// An image-classification dataset stored as MNIST-style IDX files in one directory:
/// `train-images-idx3-ubyte(.gz)`, `train-labels-idx1-ubyte(.gz)`, `t10k-images-…`,
/// `t10k-labels-…`.
///
/// `MNIST` and `FashionMNIST` are the two well-known instances; any dataset in the same
/// layout (KMNIST, EMNIST splits) can be described by a value of this type.
public struct IDXImageDataset: Sendable {
    /// Human-readable name used in errors (`Fashion-MNIST`).
    public let name: String
    /// Where the files live when no directory is given, if there is a conventional place.
    public let defaultDirectory: String?
    /// Tells how to obtain the files; appended to missing-file errors.
    public let installHint: String
    /// The class names, indexed by label; its count is the number of classes.
    public let classNames: [String]

    /// Describes a dataset; `classNames.count` labels are accepted (`0..<classNames.count`).
    public init(name: String, defaultDirectory: String?, installHint: String, classNames: [String]) {
        ensure(!classNames.isEmpty, "IDXImageDataset \(name): needs at least one class")
        self.name = name
        self.defaultDirectory = defaultDirectory
        self.installHint = installHint
        self.classNames = classNames
    }

    /// Loads one split: images `[N, 1, H, W]` as bytes and labels in `0..<classNames.count`.
    ///
    /// - Parameters:
    ///   - directory: the folder holding the files; `defaultDirectory` when `nil`.
    ///   - maxItems: load only the first `maxItems` images and labels (all when `nil`); the rest
    ///     of a compressed file is not even decompressed.
    /// - Throws: `DataError` naming the file: missing (with the names tried and `installHint`),
    ///   not a regular file, truncated, bad magic, not 3-D images / 1-D labels, non-byte
    ///   elements, count mismatch, label out of range, corrupt gzip, more data than the header
    ///   describes, or a header whose sizes overflow or exceed physical memory.
    public func load(split: DatasetSplit, directory: String? = nil, maxItems: Int? = nil) throws -> LabeledImages {
        guard let directory = directory ?? defaultDirectory else {
            throw DataError.missingFile(directory: "<no directory given>", tried: [],
                                        hint: "\(name) has no default directory. \(installHint)")
        }
        let imagesPath = try locate(directory, "\(split.filePrefix)-images", "idx3-ubyte")
        let labelsPath = try locate(directory, "\(split.filePrefix)-labels", "idx1-ubyte")

        let images = try IDXFile(contentsOf: imagesPath, maxItems: maxItems)
        try Self.requireBytes(images, file: imagesPath, rank: 3)
        let labels = try IDXFile(contentsOf: labelsPath, maxItems: maxItems)
        try Self.requireBytes(labels, file: labelsPath, rank: 1)
        guard images.fileItemCount == labels.fileItemCount else {
            throw DataError.countMismatch(images: imagesPath, imageCount: images.fileItemCount,
                                          labels: labelsPath, labelCount: labels.fileItemCount)
        }
        return try LabeledImages(
            pixels: images.data, labels: labels.data.map { Int32($0) }, channels: 1,
            height: images.dimensions[1], width: images.dimensions[2],
            classCount: classNames.count, source: labelsPath)
    }

    /// The first existing file among the usual spellings of `stem` + `suffix`.
    private func locate(_ directory: String, _ stem: String, _ suffix: String) throws -> String {
        let names = ["\(stem)-\(suffix).gz", "\(stem)-\(suffix)", "\(stem).\(suffix).gz", "\(stem).\(suffix)"]
        let folder = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        for name in names where HostFile.exists("\(folder)/\(name)") {
            return "\(folder)/\(name)"
        }
        throw DataError.missingFile(directory: directory, tried: names,
                                    hint: "\(name) is not there. \(installHint)")
    }

    /// Checks that an IDX file holds unsigned bytes with `rank` dimensions.
    private static func requireBytes(_ idx: IDXFile, file: String, rank: Int) throws {
        guard idx.dimensions.count == rank else {
            throw DataError.wrongDimensionality(file: file, expected: rank, found: idx.dimensions)
        }
        guard idx.elementType == .uint8 else {
            throw DataError.unsupportedElementType(
                file: file, code: idx.elementType.rawValue,
                detail: "expected unsigned bytes (0x08), found \(idx.elementType)")
        }
    }
}
