// swift-tools-version:6.0
// A package that uses Synapse as a user's own package would: it depends on the checkout by path
// (`../synapse`; scripts/consumer-check.sh puts it there) and trains one step of its own model.
import PackageDescription

let package = Package(
    name: "TrainOneStep",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(path: "../synapse"),
    ],
    targets: [
        .executableTarget(name: "TrainOneStep", dependencies: [
            .product(name: "Synapse", package: "synapse"),
            .product(name: "SynapseTraining", package: "synapse"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
