import Foundation
import SynapseTestSupport
import Testing

// The conformance suite (SynapseConformance) holds the cases every device must pass; these names
// keep the OpenCL-only tests below (strided inputs beyond the contract, chunking and split-K
// overrides, CLBlast tuning) short.
typealias Operand = ConformanceOperand
typealias Output = ConformanceOutput
typealias TestRandom = SeededRandom

/// Runs primitives on devices and compares devices with the CPU reference.
enum Harness {
    /// The OpenCL device of a test spec.
    static func openCL(_ spec: String) throws -> OpenCLDevice {
        guard let device = try OpenCLDevice.all().first(where: { $0.info.spec == spec }) else {
            throw DeviceError.noDevice(requested: spec, available: try OpenCLDevice.all().map(\.info.spec))
        }
        return device
    }

    /// Uploads the operands, runs `primitive`, and returns the whole storage of every output.
    static func run(_ primitive: Primitive, on device: any Device, inputs: [Operand], outputs: [Output]) throws -> [Operand.Storage] {
        try ConformanceRunner.execute(primitive, inputs: inputs, outputs: outputs, on: device)
    }

    /// Runs `primitive` on the CPU and on `spec` and expects every output (and the words around
    /// it) to agree within `tolerance`; with `reference` inputs the CPU gets those instead.
    static func compare(_ primitive: Primitive, on spec: String, inputs: [Operand], reference: [Operand]? = nil,
                        outputs: [Output], tolerance: Tolerance, _ label: String = "",
                        sourceLocation: SourceLocation = #_sourceLocation) throws {
        let check = ConformanceCase(label, primitive, inputs: inputs, outputs: outputs, tolerance: tolerance,
                                    reference: reference.map { .referenceDeviceWith(inputs: $0) } ?? .referenceDevice)
        let result = ConformanceRunner.evaluate(check, on: TestDevices.device(spec))
        #expect(result.passed, "\(check.name) on \(spec): \(result.problems.joined(separator: "; "))", sourceLocation: sourceLocation)
    }
}
