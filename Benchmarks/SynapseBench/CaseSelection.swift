import Foundation

/// Which cases `--filter` and `--all-sizes` select, and which of those run.
///
/// A filter is a comma-separated list of terms; a case is selected when any term is a
/// case-insensitive substring of its `suite.name` id (so `gemm`, `conv2`, `lenet5.b256`,
/// `gemm.square.1024` all work). A case with a skip reason (too large for a CPU, GPU only) runs only
/// with `--all-sizes` or when a term equals its id exactly.
struct CaseSelection {
    let terms: [String]
    let allSizes: Bool

    init(filter: String?, allSizes: Bool) {
        terms = (filter ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            .filter { !$0.isEmpty }
        self.allSizes = allSizes
    }

    /// Whether the filter selects `benchCase`.
    func selects(_ benchCase: BenchCase) -> Bool {
        terms.isEmpty || terms.contains { benchCase.id.lowercased().contains($0) }
    }

    /// Why a selected case will not run, or nil when it runs.
    func skipReason(_ benchCase: BenchCase) -> String? {
        guard let reason = benchCase.skipReason else { return nil }
        if allSizes || terms.contains(benchCase.id.lowercased()) { return nil }
        return reason + " (run with --all-sizes or --filter \(benchCase.id))"
    }
}
