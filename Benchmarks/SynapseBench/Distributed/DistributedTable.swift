import Foundation

/// The rows `synapse-bench --distributed` prints: per model, one process's and the job's median
/// step, the exchange per step split into hidden and exposed, and the scaling efficiency.
struct DistributedTable {
    let ranks: Int
    private(set) var lines: [String] = []

    var header: String {
        row(["model", "batch/rank", "1 process", "\(ranks) ranks", "exchange", "hidden", "exposed", "copies", "efficiency"])
    }

    static let legend = """
        exchange: the communication thread's work per step (device↔host copies of the gradient buckets, which wait \
        for the device to finish them, and their allreduces, which wait for the slowest rank); hidden: the part \
        overlapped with the step; exposed: the part the step waited for after backward; copies: the step's own \
        copies of the buffers and loss; efficiency: 1-process step / N-rank step \
        (the job's images/s over N × one process's, each rank keeping its batch).
        """

    mutating func add(model: String, batch: Int, alone: [Double], together: StepSamples) {
        let one = Self.median(alone), job = Self.median(together.steps)
        let efficiency = job > 0 ? String(format: "%.0f%%", one / job * 100) : "-"
        lines.append(row([model, "\(batch)", Self.ms(one), Self.ms(job), Self.ms(Self.median(together.exchange)),
                          Self.ms(Self.median(together.hidden)), Self.ms(Self.median(together.exposed)),
                          Self.ms(Self.median(together.copies)), efficiency]))
    }

    private func row(_ cells: [String]) -> String {
        let widths = [14, 10, 11, 11, 10, 10, 10, 10, 10]
        return zip(cells, widths).enumerated().map { index, pair in
            let (cell, width) = pair
            let pad = String(repeating: " ", count: max(width - cell.count, 0))
            return index == 0 ? cell + pad : pad + cell
        }.joined(separator: "  ")
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted(), middle = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
    }

    static func ms(_ seconds: Double) -> String { String(format: "%.3f ms", seconds * 1000) }
}
