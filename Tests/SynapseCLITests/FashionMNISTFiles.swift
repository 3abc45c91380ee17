import Foundation
import Testing

/// The real Fashion-MNIST files. Tests that need them skip when they are absent — except in CI
/// (`CI` set), where absence is a failure.
enum FashionMNISTFiles {
    static let defaultDirectory = "/usr/share/datasets/fashion-mnist"

    static var available: Bool {
        FileManager.default.fileExists(atPath: defaultDirectory + "/t10k-labels-idx1-ubyte.gz")
            || FileManager.default.fileExists(atPath: defaultDirectory + "/t10k-labels-idx1-ubyte")
    }

    /// Whether a test that needs the files should run (it then fails if they are missing).
    static var shouldRun: Bool { available || CLI.isCI }

    /// The directory, or a thrown failure naming the package to install.
    static func directory() throws -> String {
        guard available else {
            throw CLIError("Fashion-MNIST is not installed at \(defaultDirectory) (apt-get install dataset-fashion-mnist)")
        }
        return defaultDirectory
    }
}
