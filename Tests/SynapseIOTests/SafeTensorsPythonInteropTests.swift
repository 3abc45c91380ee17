import Foundation
import SynapseTestSupport
import Testing

/// Files move both ways between Synapse and Python's `safetensors` package (the reference
/// implementation PyTorch uses). Skipped without python3 + safetensors + numpy, except in
/// CI, where their absence fails.
@Suite struct SafeTensorsPythonInteropTests {
    static let pythonReady: Bool = {
        (try? TestEnvironment.run(["python3", "-c", "import numpy, safetensors.numpy"]).status) == 0
    }()

    /// Records a failure (CI) when Python is not usable; returns whether to go on.
    func requirePython() -> Bool {
        if !Self.pythonReady {
            Issue.record("python3 with the safetensors and numpy packages is required in CI (pip install safetensors numpy)")
        }
        return Self.pythonReady
    }

    @Test(.enabled(if: pythonReady || TestEnvironment.isCI, "python3 safetensors/numpy not installed"))
    func readsAFileWrittenByPython() throws {
        guard requirePython() else { return }
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/from-python.safetensors"
        let script = """
            import sys, numpy as np
            from safetensors.numpy import save_file
            save_file({
                "layer.weight": (np.arange(6, dtype=np.float32).reshape(2, 3) - 2.5) * 0.5,
                "steps": np.array([1, -2, 2**40], dtype=np.int64),
                "half": np.array([1.5, -2.25, 65504.0], dtype=np.float16),
                "scalar": np.array(3.25, dtype=np.float64),
                "pixels": np.array([[0, 128], [200, 255]], dtype=np.uint8),
                "empty": np.zeros((0, 4), dtype=np.float32),
            }, sys.argv[1], metadata={"format": "np", "source": "python"})
            """
        let result = try TestEnvironment.run(["python3", "-c", script, path])
        try #require(result.status == 0, "python failed: \(result.output)")

        let file = try SafeTensorsFile(contentsOf: path)
        #expect(Set(file.names) == ["layer.weight", "steps", "half", "scalar", "pixels", "empty"])
        #expect(file.metadata == ["format": "np", "source": "python"])
        let weight = try file.tensor(named: "layer.weight")
        #expect(weight.dtype == .float32 && weight.shape == [2, 3])
        #expect(weight.floatValues() == [-1.25, -0.75, -0.25, 0.25, 0.75, 1.25])
        #expect(try file.int64s(named: "steps") == [1, -2, 1 << 40])
        #expect(try file.floats(named: "half") == [1.5, -2.25, 65504])
        #expect(try file.tensor(named: "scalar").shape == [])
        #expect(try file.floats(named: "scalar") == [3.25])
        #expect(try file.int32s(named: "pixels") == [0, 128, 200, 255])
        #expect(try file.tensor(named: "empty").shape == [0, 4])
    }

    @Test(.enabled(if: pythonReady || TestEnvironment.isCI, "python3 safetensors/numpy not installed"))
    func pythonReadsAFileWrittenBySwift() throws {
        guard requirePython() else { return }
        let directory = try TestEnvironment.scratchDirectory()
        defer { TestEnvironment.remove(directory) }
        let path = directory + "/from-swift.safetensors"
        try SafeTensorsFile([
            "fc.weight": SafeTensor([0.5, -1, 2.25, 1e-7, -3e9, 0], shape: [3, 2]),
            "labels": SafeTensor([Int32(-7), 0, 9], shape: [3]),
            "step": SafeTensor([Int64(1) << 40], shape: []),
            "none": SafeTensor([Float](), shape: [2, 0]),
        ], metadata: ["format": "pt", "epoch": "3"]).write(to: path)

        let script = """
            import sys, numpy as np
            from safetensors import safe_open
            from safetensors.numpy import load_file
            t = load_file(sys.argv[1])
            assert set(t) == {"fc.weight", "labels", "step", "none"}, sorted(t)
            w = t["fc.weight"]
            assert w.dtype == np.float32 and w.shape == (3, 2), (w.dtype, w.shape)
            assert np.array_equal(w, np.array([[0.5, -1], [2.25, 1e-7], [-3e9, 0]], dtype=np.float32)), w
            assert t["labels"].dtype == np.int32 and t["labels"].tolist() == [-7, 0, 9], t["labels"]
            assert t["step"].dtype == np.int64 and t["step"].shape == () and int(t["step"]) == 2**40
            assert t["none"].dtype == np.float32 and t["none"].shape == (2, 0)
            with safe_open(sys.argv[1], framework="np") as f:
                assert f.metadata() == {"format": "pt", "epoch": "3"}, f.metadata()
            print("python ok")
            """
        let result = try TestEnvironment.run(["python3", "-c", script, path])
        #expect(result.status == 0, "python rejected the Swift file: \(result.output)")
        #expect(result.output.contains("python ok"))
    }
}
