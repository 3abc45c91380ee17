import ArgumentParser
import Foundation
import Synapse

/// `synapse devices`: every device with its facts, and which ones `--device opencl` and the
/// default pick.
struct DevicesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices", abstract: "List the CPU and every OpenCL device.")

    @OptionGroup var output: OutputOptions

    /// The JSON document `--json` prints (one line).
    struct Listing: Codable {
        var devices: [DeviceInfo]
        /// What `--device opencl` selects (nil without OpenCL devices).
        var openCLDefault: String?
        /// What a command without `--device` selects.
        var defaultDevice: String
        /// Why discovering OpenCL failed, if it did.
        var openCLError: String?
    }

    func run() throws {
        var openCLError: String?
        let openCL: [OpenCLDevice]
        do { openCL = try OpenCLDevice.all() } catch {
            openCL = []
            openCLError = String(describing: error)
        }
        let devices: [any Device] = [CPUDevice.shared] + openCL
        let listing = Listing(
            devices: devices.map(\.info), openCLDefault: (try? Devices.resolve("opencl"))?.info.spec,
            defaultDevice: try Devices.defaultDevice().info.spec, openCLError: openCLError)
        if output.json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            StandardOutput.write(String(decoding: try encoder.encode(listing), as: UTF8.self) + "\n")
            return
        }
        var text = ""
        for info in listing.devices {
            text += "\(info.spec)  \(info.name)\n"
            let rows: [(String, String)] = [
                ("kind", info.kind.rawValue), ("platform", info.platform), ("vendor", info.vendor),
                ("compute units", String(info.computeUnits)), ("memory", Format.bytes(info.globalMemoryBytes)),
                ("max allocation", Format.bytes(info.maxAllocationBytes)), ("driver", info.driverVersion),
                ("GEMM", info.gemmLibrary),
            ]
            for (label, value) in rows { text += "    " + label.padding(toLength: 15, withPad: " ", startingAt: 0) + value + "\n" }
        }
        text += "--device opencl selects: \(listing.openCLDefault ?? "none (no OpenCL device)")\n"
        text += "default device: \(listing.defaultDevice)"
        if let env = ProcessInfo.processInfo.environment["SYNAPSE_DEVICE"], !env.isEmpty { text += " (SYNAPSE_DEVICE=\(env))" }
        text += "\n"
        if let openCLError { text += "OpenCL: \(openCLError.split(separator: "\n").first ?? "")\n" }
        StandardOutput.write(text)
    }
}
