import Foundation
import Synapse

/// Runs conformance and gradient cases on a device and measures every result against the
/// reference (the CPU). Device errors fail the case they happen in; the run goes on.
public enum ConformanceRunner {
    /// Runs `cases` and then `gradients` on `device`, comparing with `reference`.
    ///
    /// `progress` is called before each case. Gradient cases add a `gradient.<family>` row
    /// (finite differences on `device`) and, unless `device` is `reference`, a
    /// `tensor-op.<family>` row (forward results and gradients against `reference`).
    public static func run(on device: any Device, reference: any Device = CPUDevice.shared,
                           cases: [ConformanceCase] = ConformanceSuite.cases, gradients: [GradientCase] = [],
                           progress: ((ConformanceProgress) -> Void)? = nil) -> ConformanceReport {
        let start = ContinuousClock.now
        let total = cases.count + gradients.count
        var results: [ConformanceResult] = []
        for (index, conformanceCase) in cases.enumerated() {
            progress?(ConformanceProgress(completed: index, total: total, current: conformanceCase.name, row: conformanceCase.family))
            results.append(evaluate(conformanceCase, on: device, reference: reference))
        }
        for (index, gradientCase) in gradients.enumerated() {
            progress?(ConformanceProgress(completed: cases.count + index, total: total, current: "gradient \(gradientCase.name)",
                                          row: "gradient.\(gradientCase.family)"))
            results += evaluate(gradientCase, on: device, reference: reference)
        }
        let elapsed = ContinuousClock.now - start
        return ConformanceReport(device: device.info.spec, deviceName: device.info.name, reference: reference.info.spec,
                                 results: results,
                                 seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }

    /// One primitive case: its outputs on `device` against the reference, and the words around
    /// each output left as they were.
    public static func evaluate(_ conformanceCase: ConformanceCase, on device: any Device,
                                reference: any Device = CPUDevice.shared) -> ConformanceResult {
        let c = conformanceCase
        func result(_ measure: ErrorMeasure, _ problems: [String]) -> ConformanceResult {
            ConformanceResult(name: c.name, row: c.family, check: .primitive, measure: measure, tolerance: c.tolerance, problems: problems)
        }
        let actual: [ConformanceOperand.Storage]
        do { actual = try execute(c.primitive, inputs: c.inputs, outputs: c.outputs, on: device) } catch {
            return result(ErrorMeasure(), ["\(device.info.spec) failed: \(error)"])
        }
        let expected: [ConformanceOperand.Storage]
        var problems: [String] = []
        do {
            switch c.reference {
            case .referenceDevice, .referenceDeviceWith:
                var inputs = c.inputs
                if case let .referenceDeviceWith(alternative) = c.reference { inputs = alternative }
                let stored = try execute(c.primitive, inputs: inputs, outputs: c.outputs, on: reference)
                problems += guardProblems(stored, c.outputs, who: "reference \(reference.info.spec)")
                expected = zip(stored, c.outputs).map { $0.slice($1.offset, $1.count) }
            case let .values(values):
                expected = values
            }
        } catch {
            return result(ErrorMeasure(), ["reference \(reference.info.spec) failed: \(error)"])
        }
        problems += guardProblems(actual, c.outputs, who: device.info.spec)
        var measure = ErrorMeasure()
        for (index, (output, wanted)) in zip(c.outputs, expected).enumerated() {
            let m = ErrorMeasure(actual[index].slice(output.offset, output.count), wanted, c.tolerance)
            if m.mismatches > 0 {
                problems.append("output \(index): \(m.mismatches) of \(m.elements) elements outside \(c.tolerance), "
                    + "first \(m.examples.joined(separator: ", "))")
            }
            measure = measure.merged(with: m)
        }
        return result(measure, problems)
    }

    /// Uploads `inputs`, runs `primitive` on `device` and returns each output's whole buffer
    /// (the view and the guard words around it).
    public static func execute(_ primitive: Primitive, inputs: [ConformanceOperand], outputs: [ConformanceOutput],
                               on device: any Device) throws -> [ConformanceOperand.Storage] {
        var buffers: [DeviceBuffer] = []
        defer { buffers.forEach(device.release) }
        func upload(_ storage: ConformanceOperand.Storage) throws -> DeviceBuffer {
            let buffer = try device.allocate(byteCount: max(storage.count, 1) * 4)
            buffers.append(buffer)
            switch storage {
            case let .float(values): try values.withUnsafeBytes { try device.write($0, to: buffer, byteOffset: 0) }
            case let .int(values): try values.withUnsafeBytes { try device.write($0, to: buffer, byteOffset: 0) }
            }
            return buffer
        }
        let inputViews = try inputs.map { operand in
            BufferView(buffer: try upload(operand.storage), shape: operand.shape, strides: operand.strides,
                       offset: operand.offset, dtype: operand.dtype)
        }
        let outputViews = try outputs.map { output in
            BufferView(buffer: try upload(output.initialStorage), shape: output.shape, offset: output.offset, dtype: output.dtype)
        }
        try device.execute(primitive, inputs: inputViews, outputs: outputViews)
        return try zip(outputs, outputViews).map { output, view in
            switch output.dtype {
            case .float32:
                var values = [Float](repeating: 0, count: output.storageCount)
                try values.withUnsafeMutableBytes { try device.read(view.buffer, byteOffset: 0, into: $0) }
                return .float(values)
            case .int32:
                var values = [Int32](repeating: 0, count: output.storageCount)
                try values.withUnsafeMutableBytes { try device.read(view.buffer, byteOffset: 0, into: $0) }
                return .int(values)
            }
        }
    }

    /// Lines naming each output whose guard words (before and after the view) changed.
    static func guardProblems(_ stored: [ConformanceOperand.Storage], _ outputs: [ConformanceOutput], who: String) -> [String] {
        zip(stored, outputs).enumerated().compactMap { index, pair in
            let (storage, output) = pair
            let guards = Array(0..<output.offset) + Array((output.offset + output.count)..<output.storageCount)
            let changed: Int = switch (storage, output.initialStorage) {
            case let (.float(a), .float(e)): guards.filter { a[$0].bitPattern != e[$0].bitPattern }.count
            case let (.int(a), .int(e)): guards.filter { a[$0] != e[$0] }.count
            default: guards.count
            }
            return changed == 0 ? nil : "\(who) wrote \(changed) words outside output \(index)"
        }
    }
}
