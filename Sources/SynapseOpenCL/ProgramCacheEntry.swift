import Foundation

/// One file of the on-disk program cache: a 48-byte header that says which build the binary belongs
/// to and how long it is, with a checksum of it, then the driver's program binary.
///
/// A binary is handed to the driver only when every header field matches: a truncated, bit-flipped,
/// empty or foreign file would otherwise reach `clCreateProgramWithBinary`, where drivers (PoCL)
/// crash on it instead of refusing it.
///
/// Layout, integers little-endian: magic `SYNCLPRG` (8 bytes), format version (UInt32), header size
/// (UInt32), digest of the build key (UInt64), length of the build key in bytes (UInt64), binary
/// length (UInt64), checksum of the binary (UInt64), binary. The build key is the device name, driver
/// version, build options and source text; digests and checksums are 64-bit FNV-1a.
public struct ProgramCacheEntry: Equatable, Sendable {
    public static let magic: [UInt8] = Array("SYNCLPRG".utf8)
    public static let formatVersion: UInt32 = 1
    public static let headerSize = 48
    /// Entries above this size are refused unread (real programs are a few hundred KiB).
    public static let maximumBinarySize = 256 << 20

    /// FNV-1a digest of the build key the binary was compiled for.
    public var keyDigest: UInt64
    /// Length in bytes of that build key (a second, independent check of the key).
    public var keyLength: UInt64
    /// The driver's program binary.
    public var binary: [UInt8]

    public init(keyDigest: UInt64, keyLength: UInt64, binary: [UInt8]) {
        self.keyDigest = keyDigest
        self.keyLength = keyLength
        self.binary = binary
    }

    /// An entry for `binary`, built from the build key `key`.
    public init(key: String, binary: [UInt8]) {
        self.init(keyDigest: Self.digest(Array(key.utf8)), keyLength: UInt64(key.utf8.count), binary: binary)
    }

    /// Why a file is not a usable entry.
    public struct Invalid: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// Reads an entry, checking magic, version, header size, binary length and checksum.
    /// Throws `Invalid` naming the first check that fails.
    public init(decoding data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.count >= Self.headerSize else {
            throw Invalid(description: "\(bytes.count) bytes, shorter than the \(Self.headerSize)-byte header")
        }
        guard Array(bytes[0..<8]) == Self.magic else { throw Invalid(description: "not a Synapse program cache file") }
        let version = UInt32(truncatingIfNeeded: Self.read(bytes, at: 8, width: 4))
        guard version == Self.formatVersion else { throw Invalid(description: "format version \(version), expected \(Self.formatVersion)") }
        let headerSize = Self.read(bytes, at: 12, width: 4)
        guard headerSize == UInt64(Self.headerSize) else { throw Invalid(description: "header size \(headerSize)") }
        let length = Self.read(bytes, at: 32, width: 8)
        guard length == UInt64(bytes.count - Self.headerSize) else {
            throw Invalid(description: "binary of \(bytes.count - Self.headerSize) bytes, the header says \(length)")
        }
        let binary = Array(bytes[Self.headerSize...])
        guard Self.digest(binary) == Self.read(bytes, at: 40, width: 8) else {
            throw Invalid(description: "checksum mismatch (the binary is damaged)")
        }
        self.init(keyDigest: Self.read(bytes, at: 16, width: 8), keyLength: Self.read(bytes, at: 24, width: 8), binary: binary)
    }

    /// Whether this entry was built from the build key `key`.
    public func matches(key: String) -> Bool {
        keyLength == UInt64(key.utf8.count) && keyDigest == Self.digest(Array(key.utf8))
    }

    /// The file contents: header, then binary.
    public func encoded() -> Data {
        var bytes = Self.magic
        bytes.reserveCapacity(Self.headerSize + binary.count)
        Self.append(UInt64(Self.formatVersion), width: 4, to: &bytes)
        Self.append(UInt64(Self.headerSize), width: 4, to: &bytes)
        for value in [keyDigest, keyLength, UInt64(binary.count), Self.digest(binary)] {
            Self.append(value, width: 8, to: &bytes)
        }
        bytes += binary
        return Data(bytes)
    }

    /// 64-bit FNV-1a of `bytes`. Any change confined to one byte, and any change of length, changes it.
    public static func digest(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        bytes.withUnsafeBufferPointer { buffer in
            for byte in buffer {
                hash ^= UInt64(byte)
                hash = hash &* 0x0000_0100_0000_01b3
            }
        }
        return hash
    }

    private static func read(_ bytes: [UInt8], at offset: Int, width: Int) -> UInt64 {
        var value: UInt64 = 0
        for index in (0..<width).reversed() { value = value << 8 | UInt64(bytes[offset + index]) }
        return value
    }

    private static func append(_ value: UInt64, width: Int, to bytes: inout [UInt8]) {
        for index in 0..<width { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * index))) }
    }
}
