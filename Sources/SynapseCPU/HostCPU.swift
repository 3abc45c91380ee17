import Foundation

/// What the host says about its processor, for `DeviceInfo`.
struct HostCPU {
    /// Marketing name, e.g. `AMD EPYC 7B13`.
    var model: String
    /// Vendor, e.g. `AuthenticAMD`.
    var vendor: String
    /// Feature flags as the kernel lists them (`avx2`, `fma`, `avx512f`, …); empty where unknown.
    var flags: Set<String> = []

    /// Reads `/proc/cpuinfo` (its first processor) where it exists; falls back to generic names elsewhere.
    static func describe() -> HostCPU {
        var result = HostCPU(model: "CPU", vendor: "unknown")
        guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return result }
        var haveModel = false, haveVendor = false, haveFlags = false
        for line in text.split(separator: "\n") where !(haveModel && haveVendor && haveFlags) {
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let key = parts[0].trimmingCharacters(in: .whitespaces)
            let value = parts[1].trimmingCharacters(in: .whitespaces)
            if !haveModel && key == "model name" && !value.isEmpty { result.model = value; haveModel = true }
            if !haveVendor && key == "vendor_id" && !value.isEmpty { result.vendor = value; haveVendor = true }
            if !haveFlags && key == "flags" { result.flags = Set(value.split(separator: " ").map(String.init)); haveFlags = true }
        }
        return result
    }
}
