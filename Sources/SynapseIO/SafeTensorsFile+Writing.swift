// Serializing safetensors files and saving them crash-safely.

extension SafeTensorsFile {
    /// The file's bytes: header length, JSON header, tensor data in `names` order.
    ///
    /// `__metadata__` comes first (omitted when empty, keys sorted for reproducible output);
    /// the header is padded with spaces so the data section starts on an 8-byte boundary,
    /// which lets readers that map the file view F64/I64 tensors in place.
    public func serialized() -> [UInt8] {
        var header = "{"
        var fields: [String] = []
        if !metadata.isEmpty {
            let pairs = metadata.keys.sorted().map { "\(Self.quoted($0)):\(Self.quoted(metadata[$0]!))" }
            fields.append("\(Self.quoted(Self.metadataKey)):{\(pairs.joined(separator: ","))}")
        }
        var offset = 0
        for name in names {
            let tensor = stored(name)
            let end = offset + tensor.bytes.count
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            fields.append("\(Self.quoted(name)):{\"dtype\":\"\(tensor.dtype.rawValue)\",\"shape\":[\(shape)],"
                          + "\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        header += fields.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        headerBytes += repeatElement(UInt8(ascii: " "), count: (8 - headerBytes.count % 8) % 8)

        var out: [UInt8] = []
        out.reserveCapacity(8 + headerBytes.count + offset)
        let length = UInt64(headerBytes.count)
        for shift in stride(from: 0, to: 64, by: 8) { out.append(UInt8(truncatingIfNeeded: length >> UInt64(shift))) }
        out += headerBytes
        for name in names { out += stored(name).bytes }
        return out
    }

    /// Saves the file to `path` atomically: the bytes go to a temporary file in the same
    /// directory, are flushed to disk, and the temporary file is renamed over `path`. A crash
    /// or error at any point leaves the previous file (if any) intact; an error leaves no
    /// temporary behind, and a temporary left by a killed save is removed by the next save.
    ///
    /// - Throws: `DataError.io` naming `path` and the failed step.
    public func write(to path: String) throws {
        try HostFile.writeAtomically(serialized(), to: path)
    }

    /// Removes the temporary files that saves of `path` killed midway (SIGKILL, power loss) left
    /// behind, keeping any a live writer holds. `write(to:)` does this itself before saving; call
    /// it at start-up to free the space before the first save.
    public static func removeStaleTemporaries(of path: String) {
        HostFile.removeStaleTemporaries(of: path)
    }

    /// The stored tensor for a name known to be present.
    private func stored(_ name: String) -> SafeTensor {
        self[name]!
    }

    /// `text` as a JSON string literal (quotes, backslashes and control characters escaped).
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
