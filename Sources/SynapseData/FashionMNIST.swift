import SynapseIO
/// Fashion-MNIST (Zalando): 70 000 grayscale 28×28 images of clothing in 10 classes,
/// a drop-in replacement for MNIST that is harder to score well on.
public enum FashionMNIST {
    /// Where the Debian package `dataset-fashion-mnist` installs the files.
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"

    /// The class names, indexed by label.
    public static let classNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// The dataset description used by `load`.
    public static let dataset = IDXImageDataset(
        name: "Fashion-MNIST", defaultDirectory: defaultDirectory,
        installHint: "Install the Debian package dataset-fashion-mnist (apt-get install dataset-fashion-mnist), "
            + "which puts the four IDX files in \(defaultDirectory), or pass the directory holding them.",
        classNames: classNames)

    /// Loads one split (60 000 train or 10 000 test images) from `directory`, or only its first
    /// `maxItems` images.
    ///
    /// - Throws: `DataError` naming the file and the problem (see `IDXImageDataset.load`).
    public static func load(directory: String = defaultDirectory, split: DatasetSplit,
                            maxItems: Int? = nil) throws -> LabeledImages {
        try dataset.load(split: split, directory: directory, maxItems: maxItems)
    }
}
