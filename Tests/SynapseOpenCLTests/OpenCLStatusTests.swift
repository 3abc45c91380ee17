import CSynapseOpenCL
import SynapseTestSupport
import Testing

/// Failing OpenCL statuses become errors that say what went wrong, and what ran out.
@Suite struct OpenCLStatusTests {
    @Test func outOfMemoryStatusesSayWhatRanOut() {
        let cases: [(Int32, [String])] = [
            (CL_OUT_OF_HOST_MEMORY, ["host memory", "CL_OUT_OF_HOST_MEMORY", "launching kernel k"]),
            (CL_OUT_OF_RESOURCES, ["host memory", "CL_OUT_OF_RESOURCES", "launching kernel k"]),
            (CL_MEM_OBJECT_ALLOCATION_FAILURE, ["device memory", "CL_MEM_OBJECT_ALLOCATION_FAILURE", "launching kernel k"]),
        ]
        for (status, mentions) in cases {
            let error = OpenCLStatus.error(for: status, operation: "launching kernel k")
            guard case .outOfMemory = error else {
                Issue.record("\(OpenCLStatus.name(status)) gave \(error)")
                continue
            }
            for text in mentions { #expect(error.description.contains(text), "\(error.description) lacks \(text)") }
        }
    }

    @Test func otherStatusesStayOpenCLErrors() {
        let error = OpenCLStatus.error(for: CL_INVALID_KERNEL_ARGS, operation: "launching kernel k")
        #expect(error == .openCL(status: CL_INVALID_KERNEL_ARGS, name: "CL_INVALID_KERNEL_ARGS", operation: "launching kernel k"))
    }
}
