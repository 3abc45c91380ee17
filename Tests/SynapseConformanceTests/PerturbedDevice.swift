import Foundation
import SynapseTestSupport

/// A deliberately wrong device: it forwards everything to the CPU but gets one primitive family
/// (`unary.exp`, say) wrong, the way a miscompiled kernel would.
final class PerturbedDevice: Device, @unchecked Sendable {
    /// What goes wrong in the family's results.
    enum Fault: Sendable, CustomStringConvertible {
        /// Every float output element off by this much.
        case offBy(Float)
        /// The word after each output overwritten.
        case writesPastTheEnd
        /// `execute` throws.
        case fails

        var description: String {
            switch self {
            case let .offBy(error): "off by \(error)"
            case .writesPastTheEnd: "writes past the end"
            case .fails: "fails"
            }
        }
    }

    let base: any Device = CPUDevice.shared
    let family: String
    let fault: Fault

    init(family: String, fault: Fault = .offBy(1e-2)) {
        self.family = family
        self.fault = fault
    }

    var info: DeviceInfo {
        var info = base.info
        info.spec = "perturbed"
        info.name = "CPU whose \(family) \(fault)"
        return info
    }

    func allocate(byteCount: Int) throws -> DeviceBuffer { try base.allocate(byteCount: byteCount) }
    func release(_ buffer: DeviceBuffer) { base.release(buffer) }
    func write(_ source: UnsafeRawBufferPointer, to buffer: DeviceBuffer, byteOffset: Int) throws {
        try base.write(source, to: buffer, byteOffset: byteOffset)
    }
    func read(_ buffer: DeviceBuffer, byteOffset: Int, into destination: UnsafeMutableRawBufferPointer) throws {
        try base.read(buffer, byteOffset: byteOffset, into: destination)
    }
    func synchronize() throws { try base.synchronize() }
    var memory: MemoryStats { base.memory }
    func resetPeakMemory() { base.resetPeakMemory() }
    func trimPool() { base.trimPool() }

    func execute(_ primitive: Primitive, inputs: [BufferView], outputs: [BufferView]) throws {
        let faulty = primitive.familyName == family
        if faulty, case .fails = fault { throw DeviceError.unsupported("\(family) is broken on purpose") }
        try base.execute(primitive, inputs: inputs, outputs: outputs)
        guard faulty else { return }
        for output in outputs where output.dtype == .float32 && output.isContiguous {
            switch fault {
            case let .offBy(error):
                let bytes = output.offset * 4
                var values = [Float](repeating: 0, count: output.count)
                try values.withUnsafeMutableBytes { try base.read(output.buffer, byteOffset: bytes, into: $0) }
                values = values.map { $0 + error }
                try values.withUnsafeBytes { try base.write($0, to: output.buffer, byteOffset: bytes) }
            case .writesPastTheEnd:
                let stray: [Float] = [42]
                try stray.withUnsafeBytes { try base.write($0, to: output.buffer, byteOffset: (output.offset + output.count) * 4) }
            case .fails:
                break
            }
        }
    }
}
