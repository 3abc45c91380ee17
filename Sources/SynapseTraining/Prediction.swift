import Synapse

/// Class probabilities of single images under a saved model: each file decoded, sized and normalised
/// as the model was trained (`SavedModel`), run in batches, softmax, the `top` most likely classes.
public enum Prediction {
    /// One class and its probability.
    public struct Guess: Sendable, Equatable, Encodable {
        /// The class name.
        public let label: String
        /// Its index.
        public let index: Int
        /// Softmax probability.
        public let probability: Float
    }

    /// The guesses for one file, most likely first.
    public struct Result: Sendable, Equatable, Encodable {
        /// The image file.
        public let file: String
        /// The `top` most likely classes.
        public let top: [Guess]
        /// The model's raw outputs for every class, when asked for.
        public let logits: [Float]?
    }

    /// Predicts `files` (PNG or JPEG) with `saved`, `batchSize` at a time, calling `each` per file in
    /// order. A file that cannot be decoded throws `DataError` naming it, or with `skipBad` is passed
    /// to `skipped` and left out.
    public static func run(_ saved: SavedModel, files: [String], top: Int, batchSize: Int, device: any Device,
                           skipBad: Bool = false, logits: Bool = false, skipped: (String, String) -> Void = { _, _ in },
                           each: (Result) -> Void) throws {
        let transform = ImageTransform(shape: saved.inputShape, augment: false)
        let tables = (0..<saved.inputShape[0]).map { saved.normalization.table(channel: $0) }
        let perImage = saved.inputShape.reduce(1, *), plane = saved.inputShape[1] * saved.inputShape[2]
        var start = 0
        while start < files.count {
            var chunk: [String] = [], values: [Float] = []
            while chunk.count < batchSize, start < files.count {
                let file = files[start]
                start += 1
                let image: DecodedImage
                do { image = try DecodedImage.read(file) } catch {
                    if !skipBad { throw error }
                    skipped(file, "\(error)")
                    continue
                }
                let bytes = transform.apply(image, seed: 0)
                values += (0..<perImage).map { tables[$0 / plane][Int(bytes[$0])] }
                chunk.append(file)
            }
            guard !chunk.isEmpty else { continue }
            let (raw, probabilities) = try withDevice(device) {
                try withoutGradient {
                    let output = saved.model(Tensor(values, shape: [chunk.count] + saved.inputShape, on: device))
                    return (try output.toArray(), try output.softmax(axis: 1).toArray())
                }
            }
            let classes = saved.classNames.count
            for (row, file) in chunk.enumerated() {
                let scores = probabilities[row * classes ..< (row + 1) * classes]
                let ranked = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
                let guesses = ranked.prefix(top).map {
                    Guess(label: saved.classNames[$0 - row * classes], index: $0 - row * classes, probability: scores[$0])
                }
                each(Result(file: file, top: guesses,
                            logits: logits ? Array(raw[row * classes ..< (row + 1) * classes]) : nil))
            }
        }
    }
}
