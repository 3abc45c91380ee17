#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which of OpenBLAS's kernel families (its "core", e.g. `Haswell`, `SkylakeX`) runs the GEMMs,
/// and the repair for a library too old to recognise the processor.
///
/// An OpenBLAS built for many processors (`DYNAMIC_ARCH`, as Debian ships it) picks its kernels
/// from the CPU model number when it loads. A model newer than the library (0.3.21 and the Xeon
/// model 207 "Emerald Rapids", say) falls back to `Prescott`: SSE3 kernels, about a tenth of the
/// speed of the AVX-512 ones on the same chip. `CPUDevice` then switches to the best family the
/// processor's feature flags allow, unless the user chose one with `OPENBLAS_CORETYPE`.
package enum OpenBLASCore {
    /// Kernel families without AVX2: OpenBLAS's fallbacks for processors it does not know.
    package static let withoutAVX2: Set<String> = [
        "prescott", "katmai", "coppermine", "northwood", "banias", "core2", "penryn", "dunnington",
        "nehalem", "sandybridge", "atom", "nano", "athlon", "opteron", "opteron_sse3", "barcelona", "bobcat",
    ]

    /// The family to switch to when OpenBLAS picked `detected` on a processor with `flags` (as
    /// `/proc/cpuinfo` spells them), or nil to keep it: only a family without AVX2 on a
    /// processor that has AVX2 and FMA is replaced, by `SkylakeX` where AVX-512 (F, BW, DQ, VL)
    /// is there too, else by `Haswell`. A family OpenBLAS chose knowingly is left alone.
    package static func replacement(detected: String, flags: Set<String>) -> String? {
        guard withoutAVX2.contains(detected.lowercased()), flags.isSuperset(of: ["avx2", "fma"]) else { return nil }
        return flags.isSuperset(of: ["avx512f", "avx512bw", "avx512dq", "avx512vl"]) ? "SkylakeX" : "Haswell"
    }

    /// The family in use, e.g. `SkylakeX`, or nil when the library does not say.
    static var current: String? {
        typealias GetCoreName = @convention(c) () -> UnsafeMutablePointer<CChar>?
        guard let address = OpenBLASRuntime.symbol("openblas_get_corename"),
              let name = unsafeBitCast(address, to: GetCoreName.self)() else { return nil }
        return String(cString: name)
    }

    /// Switches to `replacement(detected:flags:)` when there is one, through OpenBLAS's own
    /// start-up path (`OPENBLAS_CORETYPE` read by `gotoblas_dynamic_init`), then restores the
    /// environment. Call before any GEMM runs; does nothing for a library built for one processor
    /// or when `OPENBLAS_CORETYPE` is already set.
    static func upgradeIfUnrecognised(flags: Set<String>) {
        typealias Hook = @convention(c) () -> Void
        let variable = "OPENBLAS_CORETYPE"
        guard getenv(variable) == nil, let detected = current,
              let better = replacement(detected: detected, flags: flags),
              let quit = OpenBLASRuntime.symbol("gotoblas_dynamic_quit"),
              let initialise = OpenBLASRuntime.symbol("gotoblas_dynamic_init") else { return }
        setenv(variable, better, 1)
        unsafeBitCast(quit, to: Hook.self)()
        unsafeBitCast(initialise, to: Hook.self)()
        unsetenv(variable)
    }
}
