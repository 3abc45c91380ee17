import Foundation
import SynapseTestSupport
import Testing

extension CPU {
    /// OpenBLAS's kernel family: never the SSE3 fallback on a processor with AVX2.
    @Suite struct OpenBLASCoreChoice {
        static let avx2: Set<String> = ["sse3", "avx", "avx2", "fma"]
        static let avx512 = avx2.union(["avx512f", "avx512bw", "avx512dq", "avx512vl"])

        @Test func fallbackFamiliesAreReplacedByWhatTheProcessorSupports() {
            #expect(OpenBLASCore.replacement(detected: "Prescott", flags: Self.avx512) == "SkylakeX")
            #expect(OpenBLASCore.replacement(detected: "prescott", flags: Self.avx2) == "Haswell")
            #expect(OpenBLASCore.replacement(detected: "Sandybridge", flags: Self.avx2) == "Haswell")
            // AVX-512F alone is not what the SkylakeX kernels need.
            #expect(OpenBLASCore.replacement(detected: "Prescott", flags: Self.avx2.union(["avx512f"])) == "Haswell")
        }

        @Test func knowingChoicesAndOlderProcessorsAreLeftAlone() {
            #expect(OpenBLASCore.replacement(detected: "Zen", flags: Self.avx512) == nil)
            #expect(OpenBLASCore.replacement(detected: "Haswell", flags: Self.avx512) == nil)
            #expect(OpenBLASCore.replacement(detected: "SkylakeX", flags: Self.avx512) == nil)
            #expect(OpenBLASCore.replacement(detected: "Prescott", flags: ["sse3", "avx"]) == nil)
            #expect(OpenBLASCore.replacement(detected: "Prescott", flags: []) == nil)
        }

        /// On this machine: the device reports the family in use, and it is not a fallback when
        /// the processor has AVX2 and FMA (unless the user forced one with OPENBLAS_CORETYPE).
        @Test func theDeviceRunsKernelsMatchingTheProcessor() throws {
            let family = try #require(CPUDevice.shared.info.gemmLibrary.split(separator: " ").last.map(String.init))
            let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
            let flagsLine = cpuinfo.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
            let flags = Set(flagsLine.split(separator: " ").map(String.init))
            guard ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] == nil,
                  flags.isSuperset(of: ["avx2", "fma"]) else { return }
            #expect(!OpenBLASCore.withoutAVX2.contains(family.lowercased()), "OpenBLAS runs \(family) kernels")
        }
    }
}
