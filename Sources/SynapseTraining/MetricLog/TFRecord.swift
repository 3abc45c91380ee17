/// TFRecord framing, the container of TensorBoard event files: each record is its length
/// (little-endian UInt64), the masked CRC-32C of those 8 bytes, the data, and the data's masked CRC-32C.
enum TFRecord {
    /// `data` framed as one record.
    static func frame(_ data: [UInt8]) -> [UInt8] {
        let length = littleEndian(UInt64(data.count))
        return length + littleEndian(CRC32C.masked(length)) + data + littleEndian(CRC32C.masked(data))
    }

    static func littleEndian<Value: FixedWidthInteger>(_ value: Value) -> [UInt8] {
        (0..<Value.bitWidth / 8).map { UInt8(truncatingIfNeeded: value >> ($0 * 8)) }
    }
}
