import SynapseIO

/// One row of `metrics.csv`: a progress reading (`kind` `step`) or a finished epoch (`epoch`).
/// Cells a row does not have (test metrics of a step) are empty in the file and nil here.
public struct MetricRow: Sendable, Hashable {
    public enum Kind: String, Sendable { case step, epoch }
    public var kind: Kind
    /// 1-based epoch.
    public var epoch: Int
    /// Steps of the epoch done.
    public var step: Int
    /// Optimizer steps since the run began.
    public var globalStep: Int
    public var trainLoss: Double?
    public var trainAccuracy: Double?
    public var testLoss: Double?
    public var testAccuracy: Double?
    public var learningRate: Double?
    public var imagesPerSecond: Double?
    /// Seconds of the epoch so far (step rows) or of its training (epoch rows).
    public var seconds: Double?

    public init(kind: Kind, epoch: Int, step: Int, globalStep: Int, trainLoss: Double? = nil,
                trainAccuracy: Double? = nil, testLoss: Double? = nil, testAccuracy: Double? = nil,
                learningRate: Double? = nil, imagesPerSecond: Double? = nil, seconds: Double? = nil) {
        self.kind = kind; self.epoch = epoch; self.step = step; self.globalStep = globalStep
        self.trainLoss = trainLoss; self.trainAccuracy = trainAccuracy
        self.testLoss = testLoss; self.testAccuracy = testAccuracy
        self.learningRate = learningRate; self.imagesPerSecond = imagesPerSecond; self.seconds = seconds
    }
}

/// The `metrics.csv` format: a fixed header, then one `MetricRow` per line.
public enum MetricsCSV {
    /// The header line's columns.
    public static let columns = ["kind", "epoch", "step", "global_step", "train_loss", "train_accuracy", "test_loss",
                                 "test_accuracy", "learning_rate", "images_per_second", "seconds"]
    static var header: String { columns.joined(separator: ",") + "\n" }

    /// `row` as one line.
    static func line(_ row: MetricRow) -> String {
        let numbers = [row.trainLoss, row.trainAccuracy, row.testLoss, row.testAccuracy, row.learningRate,
                       row.imagesPerSecond, row.seconds].map { value in value.map { "\($0)" } ?? "" }
        return ([row.kind.rawValue, "\(row.epoch)", "\(row.step)", "\(row.globalStep)"] + numbers)
            .joined(separator: ",") + "\n"
    }

    /// Parses the text of a `metrics.csv` read from `file`.
    ///
    /// - Throws: `DataError.malformed` naming `file` and the line when the header or a row is not
    ///   what this format writes.
    public static func parse(_ text: String, file: String) throws -> [MetricRow] {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        guard let first = lines.first, first == columns.joined(separator: ",") else {
            throw DataError.malformed(file: file, reason: "line 1 is not the header \(columns.joined(separator: ","))")
        }
        return try lines.dropFirst().enumerated().map { offset, line in
            try row(line, file: file, lineNumber: offset + 2)
        }
    }

    private static func row(_ line: String, file: String, lineNumber: Int) throws -> MetricRow {
        func bad(_ reason: String) -> DataError { .malformed(file: file, reason: "line \(lineNumber): \(reason)") }
        let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        guard cells.count == columns.count else { throw bad("\(cells.count) cells, expected \(columns.count)") }
        guard let kind = MetricRow.Kind(rawValue: cells[0]) else { throw bad("kind '\(cells[0])' is not step or epoch") }
        func integer(_ index: Int) throws -> Int {
            guard let value = Int(cells[index]), value >= 0 else { throw bad("\(columns[index]) '\(cells[index])' is not a count") }
            return value
        }
        func number(_ index: Int) throws -> Double? {
            if cells[index].isEmpty { return nil }
            guard let value = Double(cells[index]) else { throw bad("\(columns[index]) '\(cells[index])' is not a number") }
            return value
        }
        return MetricRow(kind: kind, epoch: try integer(1), step: try integer(2), globalStep: try integer(3),
                         trainLoss: try number(4), trainAccuracy: try number(5), testLoss: try number(6),
                         testAccuracy: try number(7), learningRate: try number(8), imagesPerSecond: try number(9),
                         seconds: try number(10))
    }
}
