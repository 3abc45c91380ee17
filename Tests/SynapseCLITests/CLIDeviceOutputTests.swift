import Foundation
import SynapseTestSupport
import Testing

/// What reaches the user when the OpenCL device fails: the start of a kernel's build log in the
/// error, and nothing but JSON on stdout under `--json`, whatever a library prints.
@Suite(.serialized) struct CLIDeviceOutputTests {
    /// CLBlast prints the compiler log of a kernel that does not build (here: zeroed tuning
    /// parameters) with printf; under `--json` that must not reach stdout.
    @Test(.enabled(if: CLI.openCL != nil, "no OpenCL device"))
    func jsonStdoutStaysJSONWhenALibraryPrints() throws {
        let spec = try #require(CLI.openCL)
        let tuning = try CLI.temporaryDirectory("zeroed-tuning")
        let files = [
            ("clblast_xgemm_1_32.json", "xgemm_1", "GEMMK=0 KREG=0 KWG=0 KWI=0 MDIMA=0 MDIMC=0 MWG=0 NDIMB=0 NDIMC=0 NWG=0 SA=0 SB=0 STRM=0 STRN=0 VWM=0 VWN=0"),
            ("clblast_xgemm_direct_1_32.json", "xgemm_direct_1", "KWID=0 MDIMAD=0 MDIMCD=0 NDIMBD=0 NDIMCD=0 PADA=0 PADB=0 VWMD=0 VWND=0 WGD=0"),
        ]
        for (name, family, parameters) in files {
            let json = #"{"kernel_family": "\#(family)", "precision": "32", "best_time": "0.5", "best_parameters": "\#(parameters) PRECISION=32", "device": ""}"#
            try json.write(toFile: tuning + "/" + name, atomically: true, encoding: .utf8)
        }
        var environment = try CLI.coldProgramCaches()
        environment["SYNAPSE_CLBLAST_TUNING"] = tuning
        environment["SYNAPSE_OPENCL_KERNELS"] = "clblast"  // CLBlast for every convolution and GEMM
        let result = try CLI.run(["train", "--model", "alexnet", "--device", spec, "--batch-size", "2", "--steps", "1",
                                  "--epochs", "1", "--json"], environment: environment)
        #expect(result.status != 0, "zeroed tuning parameters trained: \(result.stdout)")
        for line in result.stdout.split(separator: "\n") {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "stdout line is not JSON: \(line)")
        }
        #expect(result.stderrLines.contains { $0.hasPrefix("synapse: error: ") }, "stderr: \(result.stderr)")
    }

    /// A kernel file that does not compile: the error shows the start of the compiler's log and how
    /// to see the rest; `SYNAPSE_VERBOSE=1` shows all of it.
    @Test(.enabled(if: CLI.openCL != nil, "no OpenCL device"))
    func kernelBuildErrorShowsTheStartOfTheLog() throws {
        let spec = try #require(CLI.openCL)
        let kernels = try CLI.temporaryDirectory("broken-kernels")
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Kernels")
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) where name.hasSuffix(".cl") {
            try FileManager.default.copyItem(atPath: source.path + "/" + name, toPath: kernels + "/" + name)
        }
        // Parameter initialisation runs random.cl first; twelve errors give a log of more than ten lines.
        let body = (1...12).map { "    p[\($0)] = undeclared_identifier_\($0);" }.joined(separator: "\n")
        try FileManager.default.removeItem(atPath: kernels + "/random.cl")
        try "__kernel void uniform_f32(__global float* p) {\n\(body)\n}\n"
            .write(toFile: kernels + "/random.cl", atomically: true, encoding: .utf8)
        var environment = try CLI.coldProgramCaches()
        environment["SYNAPSE_KERNELS_DIR"] = kernels
        let arguments = ["train", "--model", "alexnet", "--device", spec, "--batch-size", "2", "--steps", "1", "--epochs", "1"]

        let result = try CLI.run(arguments, environment: environment)
        #expect(result.status == 1)
        // PoCL's compiler may print its own summary to stderr first; Synapse's report follows.
        let start = try #require(result.stderrLines.firstIndex { $0.hasPrefix("synapse: error: OpenCL kernel file random.cl failed to build") },
                                 "no build error line:\n\(result.stderr)")
        let report = result.stderrLines[start...]
        #expect(report.count == 12, "error line, ten log lines, a note; got:\n\(result.stderr)")
        #expect(report.joined().contains("undeclared_identifier_1'"), "the log's first error is not shown:\n\(result.stderr)")
        #expect(report.last?.contains("SYNAPSE_VERBOSE=1") == true, "no word on how to see the rest:\n\(result.stderr)")

        environment["SYNAPSE_VERBOSE"] = "1"
        let verbose = try CLI.run(arguments, environment: environment)
        #expect(verbose.status == 1)
        #expect(verbose.stderr.contains("undeclared_identifier_12"), "the whole log is not shown:\n\(verbose.stderr)")
        #expect(!verbose.stderr.contains("SYNAPSE_VERBOSE=1"))
    }
}
