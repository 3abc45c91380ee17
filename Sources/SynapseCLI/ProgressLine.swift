/// One live status line that fits a terminal: fields with priorities, laid out in display order;
/// when the line is too wide the lowest-priority fields go first, and the bar (if any) takes the
/// width left over. The result is never wider than the width given.
struct ProgressLine {
    struct Field {
        var text: String
        /// Higher is kept longer.
        var priority: Int
    }

    private var fields: [Field] = []
    private var bar: (fraction: Double, priority: Int, index: Int)?

    /// Appends a text field.
    mutating func add(_ text: String, priority: Int) { fields.append(Field(text: text, priority: priority)) }

    /// Appends a progress bar filled to `fraction`, as wide as the line allows (10 to 30 columns).
    mutating func addBar(_ fraction: Double, priority: Int) {
        bar = (fraction, priority, fields.count)
        fields.append(Field(text: "", priority: priority))
    }

    static let minimumBar = 10, maximumBar = 30

    /// The line, at most `width` columns.
    func render(width: Int) -> String {
        var kept = fields.indices.map { ($0, fields[$0]) }
        func length(_ kept: [(Int, Field)]) -> Int {
            kept.reduce(0) { $0 + ($1.0 == bar?.index ? Self.minimumBar : $1.1.text.count) } + 2 * Swift.max(kept.count - 1, 0)
        }
        while kept.count > 1 && length(kept) > width {
            let weakest = kept.indices.min { kept[$0].1.priority < kept[$1].1.priority }!
            kept.remove(at: weakest)
        }
        if let bar, let slot = kept.firstIndex(where: { $0.0 == bar.index }) {
            let spare = width - length(kept)
            kept[slot].1.text = Self.bar(bar.fraction, width: Swift.min(Self.minimumBar + spare, Self.maximumBar))
        }
        let line = kept.map(\.1.text).joined(separator: "  ")
        return line.count <= width ? line : String(line.prefix(Swift.max(width - 1, 0))) + "…"
    }

    /// `[=======>......]` of `width` columns.
    static func bar(_ fraction: Double, width: Int) -> String {
        let inside = Swift.max(width - 2, 1)
        let filled = Int((Swift.min(Swift.max(fraction, 0), 1) * Double(inside)).rounded(.down))
        let head = filled < inside ? ">" : ""
        let rest = inside - filled - head.count
        return "[" + String(repeating: "=", count: filled) + head + String(repeating: ".", count: Swift.max(rest, 0)) + "]"
    }
}
