import ArgumentParser
import Synapse
import SynapseTraining

/// `--device`, shared by the commands that run a model.
struct DeviceOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Device: cpu, opencl (the first GPU, else the first OpenCL device), opencl:N or opencl:P:D. "
            + "Default: $SYNAPSE_DEVICE, else the best device.", valueName: "spec"),
            completion: .custom { _, _, _ in DeviceOptions.completions() })
    var device: String?

    /// What `--device` completes to: the general specs and every device `synapse devices` lists.
    static func completions() -> [String] {
        var specs = ["cpu", "opencl"]
        for device in Devices.discover().devices where !specs.contains(device.info.spec) { specs.append(device.info.spec) }
        return specs
    }

    /// The device asked for, or the default. Throws `DeviceError.noDevice` listing what exists.
    func resolve() throws -> any Device {
        if let device { return try Devices.resolve(device) }
        return try Devices.defaultDevice()
    }
}

/// `--json`, shared by every command.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Write results to stdout as JSON, one object per line.")
    var json = false
}

/// Model and data options shared by `train` and `eval`.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "Model: \(ModelZoo.names.joined(separator: ", ")) (default lenet5; eval: the checkpoint's).", valueName: "name"),
            completion: .list(ModelZoo.names))
    var model: String?

    @Option(name: .customLong("data-dir"), help: ArgumentHelp(
        "Folder with the Fashion-MNIST IDX files.", valueName: "dir"), completion: .directory)
    var dataDirectory = FashionMNIST.defaultDirectory

    @Option(name: .customLong("batch-size"), help: "Examples per batch (default 128).")
    var batchSize: Int?

    @Option(name: .customLong("limit-test"), help: "Evaluate on the first N test images only.")
    var limitTest: Int?

    /// These options written into a configuration.
    func apply(to configuration: inout TrainingConfiguration) {
        configuration.model = (model ?? "lenet5").lowercased()
        configuration.dataDirectory = dataDirectory
        configuration.batchSize = batchSize
        configuration.limitTest = limitTest
    }
}
