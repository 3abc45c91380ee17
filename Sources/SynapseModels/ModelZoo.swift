import SynapseCore
import SynapseNN

/// The models the command line can build by name.
public enum ModelZoo {
    /// One buildable model.
    public struct Entry: Sendable {
        /// The name the CLI takes.
        public let name: String
        /// Shape of one input sample, `[C, H, W]`.
        public let inputShape: [Int]
        /// One line for listings.
        public let summary: String
        let make: @Sendable (Int) -> Module
    }

    /// Every model, in the order `synapse` lists them.
    public static let entries: [Entry] = [
        Entry(name: "mlp", inputShape: [1, 28, 28], summary: "784-256-128-classes perceptron with ReLU") {
            MLP(sizes: [784, 256, 128, $0])
        },
        Entry(name: "lenet5", inputShape: LeNet5.inputShape, summary: "LeNet-5 (tanh, average pooling)") {
            LeNet5(classes: $0)
        },
        Entry(name: "alexnet-small", inputShape: AlexNetSmall.inputShape,
              summary: "4-conv AlexNet-style network with batch norm and dropout for 28×28") {
            AlexNetSmall(classes: $0)
        },
        Entry(name: "alexnet", inputShape: AlexNet.inputShape, summary: "AlexNet 2012 (LRN, grouped convolutions)") {
            AlexNet(classes: $0)
        },
        Entry(name: "alexnet-torchvision", inputShape: AlexNetTorchvision.inputShape,
              summary: "AlexNet as torchvision has it (64-192-384-256-256 channels; loads its state dict)") {
            AlexNetTorchvision(classes: $0)
        },
    ]

    /// The valid names.
    public static var names: [String] { entries.map(\.name) }

    /// The entry called `name` (case-insensitive). Throws `ModelZooError.unknownModel` listing valid names.
    public static func entry(_ name: String) throws -> Entry {
        guard let entry = entries.first(where: { $0.name == name.lowercased() }) else {
            throw ModelZooError.unknownModel(name, valid: names)
        }
        return entry
    }

    /// A new model called `name` with `classes` outputs, drawn on the current device.
    public static func make(name: String, classes: Int) throws -> Module {
        guard classes > 0 else { throw ModelZooError.invalidClasses(classes) }
        return try entry(name).make(classes)
    }

    /// The per-sample input shape `[C, H, W]` of model `name`.
    public static func inputShape(name: String) throws -> [Int] { try entry(name).inputShape }
}
