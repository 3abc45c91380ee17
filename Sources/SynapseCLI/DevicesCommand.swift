import ArgumentParser
import Foundation
import Synapse

/// `synapse devices`: every device with its facts, and which ones `--device opencl` and the
/// default pick.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices", abstract: "List every device of every backend, and what the default picks.")

    @OptionGroup var output: OutputOptions

    /// The JSON document `--json` prints (one line).
    struct Listing: Codable {
        var devices: [DeviceInfo]
        /// What `--device opencl` selects (nil without OpenCL devices).
        var openCLDefault: String?
        /// What a command without `--device` selects (nil when `SYNAPSE_DEVICE` names no device).
        var defaultDevice: String?
        /// Why `SYNAPSE_DEVICE` names no device, if it doesn't.
        var defaultDeviceError: String?
        /// Why discovering OpenCL failed, if it did.
        var openCLError: String?
        /// Every backend whose discovery failed, with why.
        var discoveryErrors: [String: String]
        /// Convolution passes and products with a tuning result (`synapse tune`), by OpenCL device spec.
        var tunedShapes: [String: Int]
    }

    func run() throws {
        let discovery = Devices.discover()
        var errors: [String: String] = [:]
        for failure in discovery.failures { errors[failure.backend] = String(describing: failure.error) }
        var defaultDevice: String?, defaultDeviceError: String?
        do { defaultDevice = try Devices.defaultDevice().info.spec } catch { defaultDeviceError = String(describing: error) }
        let listing = Listing(
            devices: discovery.devices.map(\.info), openCLDefault: (try? Devices.resolve("opencl"))?.info.spec,
            defaultDevice: defaultDevice, defaultDeviceError: defaultDeviceError, openCLError: errors["opencl"],
            discoveryErrors: errors,
            tunedShapes: Dictionary(uniqueKeysWithValues: discovery.devices.compactMap { device in
                (device as? OpenCLDevice).map { ($0.info.spec, $0.kernelTuning.tunedProblemCount) }
            }))
        if output.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            StandardOutput.write(String(decoding: try encoder.encode(listing), as: UTF8.self) + "\n")
            return
        }
        var text = ""
        for info in listing.devices {
            text += "\(info.spec)  \(info.name)\n"
            var rows: [(String, String)] = [
                ("kind", info.kind.rawValue), ("platform", info.platform), ("vendor", info.vendor),
                ("compute units", String(info.computeUnits)), ("memory", Format.bytes(info.globalMemoryBytes)),
                ("max allocation", Format.bytes(info.maxAllocationBytes)), ("driver", info.driverVersion),
                ("GEMM", info.gemmLibrary),
            ]
            if let tuned = listing.tunedShapes[info.spec] {
                rows.append(("kernel tuning", tuned == 0 ? "none (untuned defaults; see synapse tune)" : "\(tuned) shapes tuned"))
            }
            for (label, value) in rows { text += "    " + label.padding(toLength: 15, withPad: " ", startingAt: 0) + value + "\n" }
        }
        text += "--device opencl selects: \(listing.openCLDefault ?? "none (no OpenCL device)")\n"
        if let defaultDevice {
            text += "default device: \(defaultDevice)"
            if let env = ProcessInfo.processInfo.environment["SYNAPSE_DEVICE"], !env.isEmpty { text += " (SYNAPSE_DEVICE=\(env))" }
            text += "\n"
        } else if let defaultDeviceError {
            text += "default device: none: \(defaultDeviceError.split(separator: "\n").first ?? "")\n"
        }
        for (backend, error) in errors.sorted(by: { $0.key < $1.key }) {
            text += "\(backend) discovery failed: \(error.split(separator: "\n").first ?? "")\n"
        }
        StandardOutput.write(text)
    }
}
