import Foundation

/// What `Module.summary` found: one row per module call, totals, and the device memory one
/// training step took. Its `description` is the table `synapse summary` prints.
public struct ModelSummary: Sendable, Hashable, CustomStringConvertible {
    /// One module call.
    public struct Layer: Sendable, Hashable {
        /// Path in the model (`conv1`, `features.3`).
        public var name: String
        /// The module's type (`Conv2d`).
        public var type: String
        /// Depth below the model (1: called by the model itself).
        public var depth: Int
        /// Output shape, batch dimension first.
        public var outputShape: [Int]
        /// Trainable scalars in the module and its children.
        public var parameters: Int
        /// Floating-point operations of the forward pass for one example (a multiply-add counts
        /// 2); nil for a module whose cost is not known (a custom leaf module).
        public var flops: Int?
    }

    /// Memory of one training step, measured on the device.
    public struct StepMemory: Sendable, Hashable {
        /// The device's spec (`cpu`, `opencl:0`).
        public var device: String
        public var batchSize: Int
        /// Bytes the device held before the step (the model's parameters and buffers, and anything else alive).
        public var heldBefore: Int
        /// The highest bytes in use during the step: forward, loss, backward and the update.
        public var peak: Int
    }

    /// The model's type name.
    public var model: String
    /// Shape of one input example.
    public var inputShape: [Int]
    public var layers: [Layer]
    /// Trainable scalars of the whole model, and their bytes (float32).
    public var parameters: Int
    public var parameterBytes: Int
    /// Forward FLOPs for one example, over the layers whose cost is known.
    public var flops: Int
    /// Measured memory of one training step (nil when not measured).
    public var stepMemory: StepMemory?

    public var description: String {
        let header = ["Layer", "Type", "Output shape", "Params", "FLOPs/example"]
        let body = layers.map { layer in
            [String(repeating: "  ", count: Swift.max(layer.depth - 1, 0)) + layer.name, layer.type,
             "[" + layer.outputShape.map(String.init).joined(separator: ", ") + "]",
             Self.grouped(layer.parameters), layer.flops.map(Self.grouped) ?? "—"]
        }
        let widths = header.indices.map { column in ([header] + body).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column >= 3 ? pad + cell : cell + pad
            }.joined(separator: "  ").replacingOccurrences(of: " +$", with: "", options: .regularExpression)
        }
        let rule = String(repeating: "─", count: widths.reduce(0, +) + 2 * (widths.count - 1))
        var text = "\(model), input [" + inputShape.map(String.init).joined(separator: ", ") + "] per example\n"
        text += line(header) + "\n" + rule + "\n" + body.map(line).joined(separator: "\n") + "\n" + rule + "\n"
        text += "Total parameters: \(Self.grouped(parameters)) (\(Self.bytes(parameterBytes)))\n"
        text += "Forward FLOPs per example: \(Self.grouped(flops)) (modules only; a multiply-add counts 2)\n"
        if let m = stepMemory {
            text += "Training step at batch \(m.batchSize) on \(m.device): peak device memory \(Self.bytes(m.peak))"
                + " (\(Self.bytes(m.heldBefore)) held before the step), measured\n"
        }
        return text
    }

    /// `61,706`.
    public static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out += "," }
            out.append(digit)
        }
        return (value < 0 ? "-" : "") + out
    }

    /// `241.0 KiB`.
    static func bytes(_ count: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count), unit = 0
        while value >= 1024 && unit < units.count - 1 { value /= 1024; unit += 1 }
        return unit == 0 ? "\(count) B" : String(format: value < 10 ? "%.2f" : "%.1f", value) + " " + units[unit]
    }
}
