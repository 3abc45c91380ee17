import CVectorMath

/// Branch-free exp, tanh and sigmoid written so that a plain loop over them auto-vectorises with
/// baseline SSE2 (no libm call per element; scalar `tanhf` was 40% of a LeNet-5 step).
///
/// `exp`: `x = k·ln2 + r` with `|r| ≤ ln2/2` (Cody–Waite, two-part ln2), then a degree-7 Taylor
/// polynomial (truncation below 6e-9 relative) times `2^k`. `k` is rounded by adding 1.5·2²³, which
/// also leaves `k` in the low mantissa bits, so neither a rounding instruction nor a checked
/// float-to-int conversion is needed. About 1 ulp.
/// `tanh`: `1 - 2/(e^{2|x|} + 1)` for `|x| ≥ 0.625`; below that an odd polynomial `x·P(x²)` fitted by
/// least squares to relative error 4e-9, so tiny inputs keep full precision.
/// Out-of-range inputs saturate as libm does; NaN propagates.
///
/// On CPUs with AVX2 and FMA, contiguous arrays go to the same formulas in C (`CVectorMath`), eight
/// lanes at a time; these Swift versions serve strided views and every other CPU.
public enum VectorMath {
    /// Whether this CPU runs the AVX2 kernels of `CVectorMath`.
    public static var hasAVX2Kernels: Bool { synapse_vector_math_available() != 0 }

    private static let roundingShift: Float = 12_582_912  // 1.5 · 2^23

    @inline(__always)
    public static func exp(_ x: Float) -> Float {
        var c = x < -87.3 ? -87.3 : x
        c = c > 88.3 ? 88.3 : c
        let shifted = c * 1.442_695_040_888_963_4 + roundingShift
        let k = shifted - roundingShift
        let r = (c - k * 0.693_145_751_953_125) - k * 1.428_606_765_330_187_0e-6
        var p: Float = 1.0 / 5040
        p = p * r + 1.0 / 720
        p = p * r + 1.0 / 120
        p = p * r + 1.0 / 24
        p = p * r + 1.0 / 6
        p = p * r + 0.5
        p = p * r + 1
        p = p * r + 1
        // The low bits of `shifted` hold k (two's complement); 0x4B40_0000 is the bit pattern of 1.5·2^23.
        let scale = Float(bitPattern: (shifted.bitPattern &- 0x4B40_0000 &+ 127) &<< 23)
        var result = p * scale
        result = x < -87.3 ? 0 : result
        result = x > 88.72 ? .infinity : result
        return x.isNaN ? x : result
    }

    @inline(__always)
    public static func tanh(_ x: Float) -> Float {
        let a = x.magnitude
        let e = exp((a < 20 ? a : 20) * 2)
        let large = 1 - 2 / (e + 1)
        let s = x * x
        var p: Float = -0.005_697_453_394_532_204
        p = p * s + 0.020_630_232_989_788_055
        p = p * s - 0.053_735_837_340_354_92
        p = p * s + 0.133_313_655_853_271_48
        p = p * s - 0.333_332_747_220_993_04
        p = p * s + 1
        let result = a < 0.625 ? x * p : (x < 0 ? -large : large)
        return x.isNaN ? x : result
    }

    @inline(__always)
    public static func sigmoid(_ x: Float) -> Float {
        1 / (1 + exp(-x))
    }
}
