/// The random stream every device implements identically: a counter-based generator
/// (SplitMix64 finaliser over `seed + (counter + 1) * golden`), so element `i` of a tensor drawn with
/// seed `s` is the same number on the CPU and on any OpenCL device, and no state lives on the host.
///
/// `Kernels/random.cl` mirrors these functions bit for bit (transcendentals aside).
public enum CounterRandom {
    /// 64 random bits for `counter` in stream `seed`.
    @inlinable
    public static func bits(seed: UInt64, counter: UInt64) -> UInt64 {
        var z = seed &+ (counter &+ 1) &* 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform on `[0, 1)` with 24 random bits.
    @inlinable
    public static func unit(seed: UInt64, counter: UInt64) -> Float {
        Float(bits(seed: seed, counter: counter) >> 40) * (1.0 / 16_777_216.0)
    }

    /// Element `index` of a tensor drawn from `distribution`.
    @inlinable
    public static func sample(_ distribution: RandomDistribution, seed: UInt64, index: UInt64) -> Float {
        switch distribution {
        case let .uniform(low, high):
            return low + (high - low) * unit(seed: seed, counter: index)
        case let .normal(mean, std):
            // u1 in (0, 1] so the log is finite.
            let u1 = Float((bits(seed: seed, counter: 2 * index) >> 40) + 1) * (1.0 / 16_777_216.0)
            let u2 = unit(seed: seed, counter: 2 * index + 1)
            let radius = (-2 * logf(u1)).squareRoot()
            return mean + std * radius * cosf(2 * Float.pi * u2)
        case let .dropoutMask(keep):
            return unit(seed: seed, counter: index) < keep ? 1 / keep : 0
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
