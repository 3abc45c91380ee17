import ArgumentParser
import Synapse
import SynapseTraining

/// `--data`, `--normalize` and the image-folder options, shared by `train` and `eval`.
struct DataOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Data: fashion-mnist, mnist (from --data-dir), synthetic, or imagefolder:PATH (one sub-folder of PNG/JPEG "
            + "images per class, optionally under train/ and val/). Default: synthetic for alexnet, else fashion-mnist.",
        valueName: "source"))
    var data: String?

    @Option(name: .long, help: ArgumentHelp(
        "Pixel preprocessing after scaling to [0,1]: dataset (the data set's statistics), none, MEAN,STD, or "
            + "M1,M2,M3/S1,S2,S3 per channel. eval: default the checkpoint's.", valueName: "spec"))
    var normalize: String?

    @Option(name: .customLong("val-split"), help: ArgumentHelp(
        "Fraction of an image folder without train/ and val/ held out for evaluation (seeded).", valueName: "fraction"))
    var validationSplit: Double?

    @Flag(name: .customLong("skip-bad-images"), help: "Skip (and count) images that cannot be decoded instead of failing.")
    var skipBadImages = false

    @Flag(name: .customLong("no-augment"), help: "Train on image folders without random resized crops and flips.")
    var noAugment = false

    /// `--normalize` read: nil for `dataset` (or absent).
    func normalization() throws -> Normalization? {
        guard let normalize, normalize.lowercased() != "dataset" else { return nil }
        guard let value = Normalization(parsing: normalize) else {
            throw TrainingError.invalidOption(
                option: "--normalize",
                reason: "'\(normalize)' is not dataset, none, MEAN,STD or M1,M2,M3/S1,S2,S3 (stds positive)")
        }
        return value
    }

    /// `--data` read: nil when absent.
    func source() throws -> DataSource? {
        guard let data else { return nil }
        guard let source = DataSource(parsing: data) else {
            throw TrainingError.invalidOption(option: "--data", reason: "'\(data)' is not \(DataSource.spellings)")
        }
        return source
    }

    /// These options written into a configuration.
    func apply(to configuration: inout TrainingConfiguration) throws {
        configuration.data = try source()
        configuration.normalization = try normalization()
        configuration.validationSplit = validationSplit
        configuration.skipBadImages = skipBadImages
        configuration.augment = !noAugment
    }
}

/// What `train` says about image-folder data: images skipped before the run, and after it how many
/// batches had to wait for decoding (none, when decoding keeps ahead of the device).
enum ImageDataReport {
    /// Before training: the images `--skip-bad-images` left out (stderr, so JSON output stays clean).
    static func skipped(_ data: TrainingData) {
        guard data.skippedImages > 0 else { return }
        let count = data.skippedImages
        StandardError.write("synapse: skipped \(count) image\(count == 1 ? "" : "s") that could not be decoded\n")
    }

    /// After training: the decoding wait of the training batches.
    static func decoding(_ data: TrainingData) {
        guard let loader = data.train as? ImageFolderLoader else { return }
        let stats = loader.stats
        var line = "decoding: \(stats.waited) of \(stats.batches) training batches waited for images, "
            + "\(stats.waitedAtEpochStart) of them the first of an epoch (\(Format.fixed(stats.waitSeconds, 2)) s in all)"
        if stats.failures > 0 { line += "; \(stats.failures) failed during the run: \(stats.firstFailure ?? "")" }
        StandardError.write(line + "\n")
    }
}
