import Foundation

/// Everything one `synapse-bench` run measured, as written by `--json` and read by `--compare`.
struct BenchReport: Codable {
    /// Format tag; bump when fields change meaning.
    var schema = "synapse-bench/1"
    var environment: RunEnvironment
    var results: [CaseResult]
    /// Cases selected by the filter but not run, with the reason.
    var skipped: [SkippedCase]
    /// Cases that threw (out of memory, a driver error), with the error.
    var failed: [SkippedCase]
}

/// Where and how the numbers were taken.
struct RunEnvironment: Codable {
    /// What `--device` asked for (`best` when nothing).
    var requestedDevice: String
    /// The resolved device's spec (`cpu`, `opencl:0`).
    var deviceSpec: String
    var deviceName: String
    /// `cpu`, `gpu`, …
    var deviceKind: String
    var backend: String
    var platform: String
    var vendor: String
    var driverVersion: String
    /// `OpenBLAS 0.3.21`, `CLBlast 1.5.3`.
    var gemmLibrary: String
    var computeUnits: Int
    var globalMemoryBytes: Int
    /// Cores the host offers this process.
    var hostCores: Int
    /// ISO 8601, UTC, when the run started.
    var date: String
    /// `git rev-parse --short HEAD` (with `-dirty` when the tree has changes), or nil outside a checkout.
    var gitRevision: String?
    /// `release` or `debug` (debug numbers are meaningless).
    var buildConfiguration: String
    /// `/proc/loadavg` 1, 5 and 15-minute figures before the first case and after the last.
    var loadAverageBefore: [Double]?
    var loadAverageAfter: [Double]?
    var iterations: Int
    var warmup: Int
    /// Upper bound on timed seconds per case (fewer iterations are run past it, never fewer than 3).
    var maxSecondsPerCase: Double
    var quick: Bool
    var filter: String?
    /// OpenCL kernel programs built from source and loaded from the disk cache during the run.
    var kernelBuildsFromSource: Int?
    var kernelBuildsFromBinary: Int?
}

/// Timings of one case.
struct CaseResult: Codable {
    /// `suite.name`, the key `--compare` matches on.
    var id: String
    var suite: String
    var name: String
    var shape: String
    /// Timed iterations actually run.
    var iterations: Int
    var warmup: Int
    var medianSeconds: Double
    var minSeconds: Double
    var maxSeconds: Double
    /// The very first run, which includes kernel builds or program-cache loads and pool misses.
    var firstRunSeconds: Double
    /// Work per run and its unit (`FLOP`, `byte`, `image`).
    var work: Double
    var workUnit: String
    /// Rate at the median time, in `rateUnit` (`GFLOP/s`, `GB/s`, `images/s`).
    var rate: Double
    var rateUnit: String
    /// Rate at the fastest run.
    var bestRate: Double
    /// Median seconds of each phase, in order, for cases split into phases.
    var phases: [PhaseResult]?
    /// Peak bytes held by live device buffers from setup to the last run.
    var peakMemoryBytes: Int
    /// Buffers the pool had to get from the driver during the timed runs (0 in a steady loop).
    var driverAllocationsTimed: Int
    /// Kernel programs built from source during the first run (OpenCL only).
    var kernelBuildsFirstRun: Int?
    /// Kernel programs loaded from the on-disk program cache during the first run (OpenCL only).
    var kernelCacheLoadsFirstRun: Int?
    /// Extra figures of the case (parameters, FLOP per step).
    var facts: [String: Double]?
    var notes: [String]?
}

/// Median time of one phase of a split case.
struct PhaseResult: Codable {
    var name: String
    var medianSeconds: Double
}

/// A case that was selected but not run, or failed.
struct SkippedCase: Codable {
    var id: String
    var reason: String
}
