// swift-tools-version:6.0
// Synapse: a deep-learning framework in Swift whose GPU path is OpenCL.
import PackageDescription

let package = Package(
    name: "Synapse",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Synapse", targets: ["Synapse"]),
        // The training loop (`Trainer`: any `Module`, any `BatchSource`), checkpoints and exact resume.
        .library(name: "SynapseTraining", targets: ["SynapseTraining"]),
        .library(name: "SynapseConformance", targets: ["SynapseConformance"]),
        .executable(name: "synapse", targets: ["SynapseCLI"]),
        .executable(name: "synapse-bench", targets: ["SynapseBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.6.0"),
    ],
    targets: [
        // MARK: System libraries
        // Prefixed names, so they cannot collide with another package's shims in a dependency graph;
        // pkg-config finds the flags, and SwiftPM names the Debian package when the library is missing.
        .systemLibrary(name: "CSynapseOpenCL", path: "Sources/CSynapseOpenCL", pkgConfig: "OpenCL",
                       providers: [.apt(["ocl-icd-opencl-dev", "opencl-headers", "libclblast-dev"])]),
        .systemLibrary(name: "CSynapseBLAS", path: "Sources/CSynapseBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CSynapseZlib", path: "Sources/CSynapseZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        // Open MPI, plus static inline wrappers for the macros Swift cannot import (MPI_COMM_WORLD…).
        .systemLibrary(name: "CSynapseMPI", path: "Sources/CSynapseMPI", pkgConfig: "ompi-c",
                       providers: [.apt(["libopenmpi-dev", "openmpi-bin"])]),
        .systemLibrary(name: "CSynapsePNG", path: "Sources/CSynapsePNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CSynapseJPEG", path: "Sources/CSynapseJPEG", pkgConfig: "libjpeg",
                       providers: [.apt(["libjpeg62-turbo-dev"])]),
        // PNG/JPEG from memory with error handlers of our own (setjmp/longjmp), so a damaged file is an error.
        .target(name: "CSynapseImageCodecs", dependencies: ["CSynapsePNG", "CSynapseJPEG"]),

        // MARK: Kernel embedding (Kernels/*.cl -> Swift string literals at build time)
        .executableTarget(name: "EmbedKernelsTool", path: "Sources/EmbedKernelsTool"),
        .plugin(name: "EmbedKernels", capability: .buildTool(), dependencies: ["EmbedKernelsTool"]),

        // MARK: Version (the release and the git revision, embedded at build time from .git)
        .executableTarget(name: "EmbedRevisionTool", path: "Sources/EmbedRevisionTool"),
        .plugin(name: "EmbedRevision", capability: .buildTool(), dependencies: ["EmbedRevisionTool"]),
        .target(name: "SynapseVersion", plugins: [.plugin(name: "EmbedRevision")]),

        // MARK: Backends
        .target(name: "SynapseBackend"),
        .target(name: "CVectorMath"),
        .target(name: "SynapseCPU", dependencies: ["SynapseBackend", "CSynapseBLAS", "CVectorMath"]),
        .target(name: "SynapseOpenCL", dependencies: ["SynapseBackend", "SynapseJSON", "SynapseIO", "CSynapseOpenCL"],
                plugins: [.plugin(name: "EmbedKernels")]),

        // MARK: Framework
        .target(name: "SynapseCore", dependencies: ["SynapseBackend"]),
        .target(name: "SynapseNN", dependencies: ["SynapseCore"]),
        .target(name: "SynapseOptimizers", dependencies: ["SynapseCore", "SynapseNN"]),
        // The one JSON parser (strict: duplicate keys and invalid UTF-8 are errors), for safetensors
        // headers and CLBlast tuner files.
        .target(name: "SynapseJSON"),
        .target(name: "SynapseIO", dependencies: ["SynapseBackend", "SynapseJSON"]),
        .target(name: "SynapseData", dependencies: ["SynapseCore", "SynapseIO", "CSynapseZlib", "CSynapseImageCodecs"]),
        .target(name: "SynapseModels", dependencies: ["SynapseNN"]),
        // Registers the built-in device providers at load time (Swift has no module initialisers).
        .target(name: "SynapseRegistration"),
        .target(name: "Synapse", dependencies: [
            "SynapseRegistration", "SynapseBackend", "SynapseCPU", "SynapseOpenCL", "SynapseCore", "SynapseNN",
            "SynapseOptimizers", "SynapseIO", "SynapseData", "SynapseModels",
        ]),

        // MARK: Training loop (library, so tests drive it without the CLI)
        .target(name: "SynapseTraining", dependencies: ["Synapse", "SynapseDistributed"]),

        // MARK: Data-parallel training over MPI (communicator, bucketed gradient exchange, batch shards)
        .target(name: "SynapseDistributed", dependencies: ["CSynapseMPI"]),

        // MARK: Conformance suite (every primitive vs the CPU, gradients; tests and `synapse check`)
        .target(name: "SynapseConformance", dependencies: ["Synapse"]),

        // MARK: Executables
        .executableTarget(name: "SynapseCLI", dependencies: [
            "Synapse", "SynapseTraining", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            "SynapseConformance", "SynapseVersion", "SynapseDistributed",
        ]),
        .executableTarget(name: "SynapseBench", dependencies: [
            "Synapse", "SynapseVersion", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            "SynapseDistributed", "SynapseTraining",
        ], path: "Benchmarks/SynapseBench"),

        // MARK: Tests
        // Not a product: the multi-process checks that SynapseDistributedTests run under mpirun.
        .executableTarget(name: "SynapseMPISelftest", dependencies: ["SynapseDistributed", "SynapseData", "SynapseTraining"],
                          path: "Tests/SynapseMPISelftest"),
        .target(name: "SynapseTestSupport", dependencies: ["Synapse", "SynapseConformance"], path: "Tests/SynapseTestSupport"),
        .testTarget(name: "SynapseBackendTests", dependencies: ["SynapseTestSupport"]),
        .testTarget(name: "SynapseCPUTests", dependencies: ["SynapseTestSupport"]),
        .testTarget(name: "SynapseOpenCLTests", dependencies: ["SynapseTestSupport"]),
        .testTarget(name: "SynapseCoreTests", dependencies: ["SynapseTestSupport"]),
        .testTarget(name: "SynapseNNTests", dependencies: ["SynapseTestSupport"]),
        .testTarget(name: "SynapseOptimizersTests", dependencies: ["SynapseTestSupport"]),
        .testTarget(name: "SynapseIOTests", dependencies: ["SynapseTestSupport"]),
        .testTarget(name: "SynapseDataTests", dependencies: ["SynapseTestSupport", "SynapseTraining"]),
        .testTarget(name: "SynapseTrainingTests", dependencies: ["SynapseTestSupport", "SynapseTraining"]),
        .testTarget(name: "SynapseModelsTests", dependencies: ["SynapseTestSupport"]),
        .testTarget(name: "SynapseCLITests", dependencies: ["SynapseTestSupport", "SynapseTraining", "SynapseVersion"]),
        .testTarget(name: "SynapseConformanceTests", dependencies: ["SynapseTestSupport"]),
        .testTarget(name: "SynapseDistributedTests", dependencies: ["SynapseDistributed", "SynapseTestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
