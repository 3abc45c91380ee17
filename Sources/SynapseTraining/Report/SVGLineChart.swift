import Foundation

/// A line chart as inline SVG (no scripts, fonts or links): axes with rounded ticks, one polyline
/// with point markers per series, and a legend.
struct SVGLineChart {
    /// One line: its name in the legend, colour, and (x, y) points in x order.
    struct Series {
        var name: String
        var color: String
        var points: [(x: Double, y: Double)]
    }

    var title: String
    var xLabel: String
    var series: [Series]
    /// Formats a y tick (`0.25`, `85%`).
    var yFormat: (Double) -> String = { SVGLineChart.compact($0) }
    /// Whether x ticks fall on whole numbers only (epochs).
    var wholeX = false
    var width = 640.0, height = 300.0

    private let margin = (left: 64.0, right: 16.0, top: 36.0, bottom: 44.0)

    /// The chart as an `<svg>` element.
    var svg: String {
        let points = series.flatMap(\.points).filter { $0.x.isFinite && $0.y.isFinite }
        var out = "<svg class=\"chart\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\""
            + " role=\"img\" aria-label=\"\(Self.escape(title))\">\n"
        out += "<text x=\"\(margin.left)\" y=\"20\" class=\"title\">\(Self.escape(title))</text>\n"
        guard let xs = Self.range(points.map(\.x)), let ys = Self.range(points.map(\.y)) else {
            return out + "<text x=\"\(margin.left)\" y=\"\(height / 2)\">no data</text>\n</svg>"
        }
        let plot = (x: margin.left, y: margin.top, w: width - margin.left - margin.right, h: height - margin.top - margin.bottom)
        let yTicks = Self.ticks(ys.low, ys.high, count: 5), xTicks = Self.ticks(xs.low, xs.high, count: 6, atLeast: wholeX ? 1 : 0)
        let (yLow, yHigh) = (Swift.min(ys.low, yTicks.first!), Swift.max(ys.high, yTicks.last!))
        let (xLow, xHigh) = (Swift.min(xs.low, xTicks.first!), Swift.max(xs.high, xTicks.last!))
        func px(_ x: Double) -> Double { plot.x + (xHigh == xLow ? 0.5 : (x - xLow) / (xHigh - xLow)) * plot.w }
        func py(_ y: Double) -> Double { plot.y + plot.h - (yHigh == yLow ? 0.5 : (y - yLow) / (yHigh - yLow)) * plot.h }

        for tick in yTicks {
            let y = Self.f(py(tick))
            out += "<line x1=\"\(Self.f(plot.x))\" y1=\"\(y)\" x2=\"\(Self.f(plot.x + plot.w))\" y2=\"\(y)\" class=\"grid\"/>\n"
            out += "<text x=\"\(Self.f(plot.x - 6))\" y=\"\(y)\" class=\"ytick\">\(Self.escape(yFormat(tick)))</text>\n"
        }
        for tick in xTicks {
            out += "<text x=\"\(Self.f(px(tick)))\" y=\"\(Self.f(plot.y + plot.h + 16))\" class=\"xtick\">\(Self.compact(tick))</text>\n"
        }
        out += "<rect x=\"\(Self.f(plot.x))\" y=\"\(Self.f(plot.y))\" width=\"\(Self.f(plot.w))\" height=\"\(Self.f(plot.h))\" class=\"frame\"/>\n"
        out += "<text x=\"\(Self.f(plot.x + plot.w / 2))\" y=\"\(Self.f(height - 6))\" class=\"xlabel\">\(Self.escape(xLabel))</text>\n"
        for (index, line) in series.enumerated() {
            let visible = line.points.filter { $0.x.isFinite && $0.y.isFinite }
            let path = visible.map { "\(Self.f(px($0.x))),\(Self.f(py($0.y)))" }.joined(separator: " ")
            if visible.count > 1 {
                out += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"2\"/>\n"
            }
            if visible.count <= 40 {
                for point in visible {
                    out += "<circle cx=\"\(Self.f(px(point.x)))\" cy=\"\(Self.f(py(point.y)))\" r=\"3\" fill=\"\(line.color)\"/>\n"
                }
            }
            // The legend sits in the top margin, right-aligned, so it never covers a line.
            let legendX = width - margin.right - 130 * Double(series.count - index), legendY = 20.0
            out += "<line x1=\"\(Self.f(legendX))\" y1=\"\(Self.f(legendY - 4))\" x2=\"\(Self.f(legendX + 18))\" "
                + "y2=\"\(Self.f(legendY - 4))\" stroke=\"\(line.color)\" stroke-width=\"3\"/>\n"
            out += "<text x=\"\(Self.f(legendX + 24))\" y=\"\(Self.f(legendY))\" class=\"legend\">\(Self.escape(line.name))</text>\n"
        }
        return out + "</svg>"
    }

    // MARK: Helpers

    private static func range(_ values: [Double]) -> (low: Double, high: Double)? {
        guard let low = values.min(), let high = values.max() else { return nil }
        return (low, high)
    }

    /// About `count` round tick values covering `low...high` (1, 2 or 5 times a power of ten apart).
    static func ticks(_ low: Double, _ high: Double, count: Int, atLeast minimumStep: Double = 0) -> [Double] {
        let span = high - low
        guard span > 0, span.isFinite else { return [low] }
        let raw = Swift.max(span / Double(count), minimumStep), magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        let first = floor(low / step) * step
        return stride(from: first, through: high + step * 0.999, by: step).map { ($0 / step).rounded() * step }
    }

    /// `12`, `0.25`, `1.5e+04`: short numbers for ticks.
    static func compact(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e6 { return String(Int(value)) }
        return String(format: "%.4g", value)
    }

    private static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    /// Text safe inside XML and HTML.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
