import Foundation
import PackagePlugin

/// Turns every `Kernels/*.cl` file of the package into a Swift string literal at build time,
/// so the OpenCL sources travel inside the binary (fast to compile; no resource bundle to lose).
@main
struct EmbedKernels: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let kernelsDir = context.package.directoryURL.appendingPathComponent("Kernels")
        let files = try FileManager.default.contentsOfDirectory(at: kernelsDir, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "cl" }
            .sorted { $0.lastPathComponent < $1.lastPathComponent }
        let output = context.pluginWorkDirectoryURL.appendingPathComponent("EmbeddedKernels.swift")
        return [.buildCommand(
            displayName: "Embedding \(files.count) OpenCL kernel files",
            executable: try context.tool(named: "EmbedKernelsTool").url,
            arguments: [output.path] + files.map(\.path),
            inputFiles: files,
            outputFiles: [output])]
    }
}
