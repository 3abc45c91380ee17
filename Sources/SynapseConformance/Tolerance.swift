import Foundation

/// How close a device's result must be to the reference: `|a - b| <= abs + rel * |b|` element by
/// element, NaN only matching NaN. `bitExact` demands identical bit patterns (NaN payloads, -0).
public struct Tolerance: Sendable, Hashable, Codable, CustomStringConvertible {
    public var abs: Float
    public var rel: Float
    public var bitExact: Bool

    public init(abs: Float, rel: Float, bitExact: Bool = false) {
        self.abs = abs; self.rel = rel; self.bitExact = bitExact
    }

    /// Equal values (and NaN where the reference has NaN).
    public static let exact = Tolerance(abs: 0, rel: 0)
    /// The same bits: a copy must move NaN payloads and negative zero unchanged.
    public static let identical = Tolerance(abs: 0, rel: 0, bitExact: true)
    /// A few rounding steps apart (fused multiply-add, a different association).
    public static let arithmetic = Tolerance(abs: 1e-6, rel: 2e-6)
    /// OpenCL's exp/log/tanh/pow may be a few ulp (pow up to 16) from libm.
    public static let transcendental = Tolerance(abs: 1e-6, rel: 1e-5)
    /// Sums in another order (the CPU sums in Double).
    public static let accumulation = Tolerance(abs: 1e-4, rel: 1e-4)
    /// Finite differences with step 1e-2 against `backward()`.
    public static let finiteDifference = Tolerance(abs: 1e-2, rel: 1e-2)
    /// A tensor op's forward result or gradient on a device against the CPU's.
    public static let tensorOp = Tolerance(abs: 1e-5, rel: 1e-4)

    /// Whether `actual` is close enough to `expected`.
    public func accepts(_ actual: Float, _ expected: Float) -> Bool {
        if bitExact { return actual.bitPattern == expected.bitPattern }
        if actual.isNaN || expected.isNaN { return actual.isNaN && expected.isNaN }
        return actual == expected || Swift.abs(actual - expected) <= abs + rel * Swift.abs(expected)
    }

    /// The looser of two tolerances in each component.
    public func union(_ other: Tolerance) -> Tolerance {
        Tolerance(abs: Swift.max(abs, other.abs), rel: Swift.max(rel, other.rel), bitExact: bitExact && other.bitExact)
    }

    public var description: String {
        if bitExact { return "bit-exact" }
        if abs == 0 && rel == 0 { return "exact" }
        return "abs \(abs.formatted) rel \(rel.formatted)"
    }
}

extension Float {
    /// `1e-06` style: short and unambiguous for tolerances and errors.
    var formatted: String {
        if self == 0 { return "0" }
        if !isFinite { return isNaN ? "nan" : (self < 0 ? "-inf" : "inf") }
        return String(format: "%.0e", Double(self))
    }
}
