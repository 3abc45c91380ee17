import SynapseIO
/// MNIST (LeCun, Cortes, Burges): 70 000 grayscale 28×28 handwritten digits, labels 0…9.
///
/// No system package ships it here, so the directory is always given explicitly.
public enum MNIST {
    /// The class names, indexed by label: the digits themselves.
    public static let classNames = (0...9).map(String.init)

    /// The dataset description used by `load`.
    public static let dataset = IDXImageDataset(
        name: "MNIST", defaultDirectory: nil,
        installHint: "Put the four MNIST IDX files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
            + "t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz; compressed or not) in that directory.",
        classNames: classNames)

    /// Loads one split (60 000 train or 10 000 test images) from `directory`, or only its first
    /// `maxItems` images.
    ///
    /// - Throws: `DataError` naming the file and the problem (see `IDXImageDataset.load`).
    public static func load(directory: String, split: DatasetSplit, maxItems: Int? = nil) throws -> LabeledImages {
        try dataset.load(split: split, directory: directory, maxItems: maxItems)
    }
}
