import Foundation
import SynapseTestSupport
import Testing

/// Tuned CLBlast parameters: reading tuner files, choosing a tuning for a device, and applying one.
@Suite struct CLBlastTuningTests {
    /// A tuner output file as `clblast_tuner_*` writes it (results list shortened).
    static func tunerFile(family: String, precision: String = "32", device: String = "Test GPU",
                          parameters: String, time: String = "0.49") -> Data {
        Data("""
        {
          "kernel_family": "\(family)", "precision": "\(precision)", "best_kernel": "Xgemm",
          "best_time": "\(time)", "best_parameters": "\(parameters)", "device": "\(device)",
          "results": [ {"kernel": "Xgemm", "time": 0.9, "parameters": {"GEMMK": 0}} ]
        }
        """.utf8)
    }

    static let xgemmParameters = "GEMMK=0 KREG=1 KWG=32 KWI=2 MDIMA=16 MDIMC=16 MWG=64 NDIMB=8 NDIMC=8 NWG=64 "
        + "PRECISION=32 SA=1 SB=1 STRM=0 STRN=0 VWM=4 VWN=4"

    static func temporaryDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("synapse-tuning-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func readsATunerFile() throws {
        let result = try CLBlastTuning.parseTunerOutput(Self.tunerFile(family: "xgemm_1", parameters: Self.xgemmParameters),
                                                        file: "clblast_xgemm_1_32.json")
        #expect(result.kernel == "Xgemm")
        #expect(result.precision == 32)
        #expect(result.device == "Test GPU")
        #expect(result.bestTime == 0.49)
        #expect(result.parameters.count == 16, "PRECISION is not a kernel parameter")
        #expect(result.parameters["MWG"] == 64 && result.parameters["VWN"] == 4 && result.parameters["PRECISION"] == nil)
        // Families name the kernel: the variant number goes, snake case becomes camel case.
        for (family, kernel) in [("xgemm_direct_1", "XgemmDirect"), ("copy", "Copy"), ("padtranspose", "Padtranspose")] {
            let parsed = try CLBlastTuning.parseTunerOutput(Self.tunerFile(family: family, parameters: "WGD=8"), file: "f.json")
            #expect(parsed.kernel == kernel, "family \(family)")
        }
    }

    @Test func corruptTunerFilesNameTheFileAndTheProblem() {
        let cases: [(Data, String)] = [
            (Data("not json".utf8), "not JSON: invalid literal at byte 1"),
            (Data("[1, 2]".utf8), "not a JSON object"),
            // The strict parser safetensors headers use: a repeated key is refused, not resolved.
            (Data(#"{"kernel_family": "xgemm_1", "kernel_family": "xgemv_1"}"#.utf8), "not JSON"),
            (Data(#"{"kernel_family": "xgemm_1", "precision": "32"}"#.utf8), "missing \"best_parameters\""),
            (Self.tunerFile(family: "xgemm_1", parameters: "MWG=64 KWG"), "cannot read parameter \"KWG\""),
            (Self.tunerFile(family: "xgemm_1", precision: "single", parameters: "MWG=64"), "\"precision\" is not a number"),
        ]
        for (data, problem) in cases {
            #expect {
                _ = try CLBlastTuning.parseTunerOutput(data, file: "/tmp/clblast_bad.json")
            } throws: { error in
                let message = String(describing: error)
                return message.contains("/tmp/clblast_bad.json") && message.contains(problem)
            }
        }
    }

    /// Values CLBlast would receive as size_t, names it would receive through strdup: a damaged
    /// file must be refused here, naming the file, rather than reach CLBlast's kernel compiler.
    @Test func damagedParametersAreRefused() {
        let cases: [(String, String)] = [
            ("MWG=-1 KWG=32", "MWG=-1 is outside 0...65536"),
            ("MWG=99999999999 KWG=32", "outside"),
            ("MWG=64 MWG=32", "MWG is given more than once"),
            ("mwg=64", "cannot read parameter \"mwg=64\""),
            ("=64", "cannot read parameter \"=64\""),
            ("MWG==64", "cannot read parameter \"MWG==64\""),
            ("M\\u0000G=64", "cannot read parameter"),
            ("1MWG=64", "cannot read parameter"),
        ]
        for (parameters, problem) in cases {
            #expect("\(parameters)", performing: {
                _ = try CLBlastTuning.parseTunerOutput(Self.tunerFile(family: "xgemm_1", parameters: parameters),
                                                       file: "/tmp/clblast_damaged.json")
            }, throws: { error in
                let message = String(describing: error)
                return message.contains("/tmp/clblast_damaged.json") && message.contains(problem)
            })
        }
        #expect(throws: (any Error).self) {
            _ = try CLBlastTuning.parseTunerOutput(Self.tunerFile(family: "_", parameters: "MWG=64"), file: "f.json")
        }
    }

    @Test func aFIFOInTheTuningDirectoryIsRefusedWithoutBlocking() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.appendingPathComponent("clblast_xgemm_1_32.json").path
        try #require(mkfifo(fifo, 0o600) == 0)
        // Were the FIFO opened, the read would block until a writer came: after 60 s this one
        // comes (a hang guard, not a time limit), so the test fails instead of hanging.
        let unblocked = UnblockFlag()
        DispatchQueue.global().asyncAfter(deadline: .now() + 60) {
            guard unblocked.set() else { return }
            let fd = open(fifo, O_WRONLY | O_NONBLOCK)
            if fd >= 0 { close(fd) }
        }
        #expect {
            _ = try CLBlastTuning.forDevice(named: "Test GPU", environment: [CLBlastTuning.environmentKey: directory.path])
        } throws: { String(describing: $0).contains(fifo) && String(describing: $0).contains("not a regular file") }
        #expect(unblocked.set(), "reading the FIFO blocked until a writer appeared")
    }

    @Test func aTuningDirectoryGivesEachKernelItsFastestSinglePrecisionResult() throws {
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let files: [(String, Data)] = [
            ("clblast_xgemm_1_32.json", Self.tunerFile(family: "xgemm_1", parameters: Self.xgemmParameters, time: "0.49")),
            ("clblast_xgemm_2_32.json", Self.tunerFile(family: "xgemm_2", parameters: "MWG=128", time: "0.70")),
            ("clblast_xgemm_1_64.json", Self.tunerFile(family: "xgemm_1", precision: "64", parameters: "MWG=32", time: "0.10")),
            ("clblast_copy_32.json", Self.tunerFile(family: "copy", device: "Other GPU", parameters: "COPY_DIMX=8")),
            ("notes.txt", Data("ignored".utf8)),
        ]
        for (name, data) in files { try data.write(to: directory.appendingPathComponent(name)) }
        let environment = [CLBlastTuning.environmentKey: directory.path]

        let tuning = try #require(try CLBlastTuning.forDevice(named: "Test GPU", environment: environment))
        #expect(tuning.kernels.keys.sorted() == ["Xgemm"], "the copy file was tuned on another device")
        #expect(tuning.kernels["Xgemm"]?["MWG"] == 64, "xgemm_1 (0.49 ms) beats xgemm_2 (0.70 ms); the fp64 file does not count")
        #expect(tuning.origin.contains(directory.path))
        // Nothing in the directory was tuned on this device: no tuning at all.
        #expect(try CLBlastTuning.forDevice(named: "Third GPU", environment: environment) == nil)
    }

    @Test func unsetOrOffMeansCLBlastsOwnParameters() throws {
        #expect(try CLBlastTuning.forDevice(named: "Test GPU", environment: [:]) == nil)
        #expect(try CLBlastTuning.forDevice(named: "Test GPU", environment: [CLBlastTuning.environmentKey: "off"]) == nil)
        #expect {
            _ = try CLBlastTuning.forDevice(named: "Test GPU", environment: [CLBlastTuning.environmentKey: "/nonexistent/tuning"])
        } throws: { String(describing: $0).contains("/nonexistent/tuning") }
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func clblastRefusesIncompleteOrUnknownKernels(spec: String) throws {
        let device = try #require(TestDevices.device(spec) as? OpenCLDevice)
        let incomplete = CLBlastTuning(kernels: ["Xgemm": ["MWG": 64]], origin: "test")
        #expect { try device.applyCLBlastTuning(incomplete) } throws: {
            let message = String(describing: $0)
            return message.contains("Xgemm") && message.contains("MissingOverrideParameter")
        }
        let unknown = CLBlastTuning(kernels: ["NoSuchKernel": ["X": 1]], origin: "test")
        #expect { try device.applyCLBlastTuning(unknown) } throws: { String(describing: $0).contains("NoSuchKernel") }
    }

    /// What the H100's tuners found (clblast_tuner_xgemm at 2048³, clblast_tuner_xgemm_direct at 256³).
    static let h100Tuning = CLBlastTuning(kernels: [
        "Xgemm": ["GEMMK": 0, "KREG": 1, "KWG": 32, "KWI": 2, "MDIMA": 16, "MDIMC": 16, "MWG": 64, "NDIMB": 8,
                  "NDIMC": 8, "NWG": 64, "SA": 1, "SB": 1, "STRM": 0, "STRN": 0, "VWM": 4, "VWN": 4],
        "XgemmDirect": ["KWID": 2, "MDIMAD": 8, "MDIMCD": 8, "NDIMBD": 32, "NDIMCD": 32, "PADA": 1, "PADB": 1,
                        "VWMD": 4, "VWND": 1, "WGD": 32],
    ], origin: "test")

    /// Complete parameter sets are accepted, and products computed with them still match the CPU.
    /// (The test's OpenCL devices keep them for the rest of the process: they are valid on any
    /// device, only tuned for the H100.)
    @Test(arguments: TestDevices.openCLSpecs)
    func appliedParametersAreUsedAndCorrect(spec: String) throws {
        let device = try #require(TestDevices.device(spec) as? OpenCLDevice)
        try device.applyCLBlastTuning(Self.h100Tuning)
        var random = TestRandom(25)
        // A large product (the indirect Xgemm kernel on GPUs) and a small one (XgemmDirect).
        for (m, n, k) in [(257, 130, 300), (9, 7, 13)] {
            let a = Operand.floats(random.floats(m * k), [1, m, k])
            let b = Operand.floats(random.floats(k * n), [1, k, n])
            try Harness.compare(.matmul(transposeA: false, transposeB: false), on: spec, inputs: [a, b],
                                outputs: [Output(shape: [1, m, n])], tolerance: .accumulation, "\(m)x\(n)x\(k) tuned")
        }
    }
}

/// Set once, by whoever comes first: the test finishing or its hang guard.
private final class UnblockFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var isSet = false

    /// Sets the flag; returns whether this call was the one that set it.
    func set() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        defer { isSet = true }
        return !isSet
    }
}
