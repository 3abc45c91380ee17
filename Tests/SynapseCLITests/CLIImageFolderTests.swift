import Foundation
import SynapseTestSupport
import SynapseTraining
import Testing

/// `train`, `eval` and `predict` on a folder of images, as a user would run them.
@Suite struct CLIImageFolderTests {
    static let scratch: String = {
        let path = NSTemporaryDirectory() + "synapse-cli-images-\(UUID().uuidString)"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()
    static let shapes: String = try! ShapesImageFolder.write(in: scratch, name: "shapes", seed: 4)
    static let damaged: String = try! ShapesImageFolder.write(in: scratch, name: "damaged", trainPerClass: 6,
                                                              valPerClass: 2, corrupt: true)

    /// Trains on `cpu` and the first OpenCL device; `predict` on every validation image agrees with `eval`.
    @Test(arguments: ["cpu"] + TestDevices.openCLSpecs.prefix(1))
    func trainEvalAndPredictAgree(device: String) throws {
        let checkpoint = Self.scratch + "/shapes-\(device.replacingOccurrences(of: ":", with: "-")).safetensors"
        let train = try CLI.run(["train", "--device", device, "--model", "lenet5", "--data", "imagefolder:" + Self.shapes,
                                 "--batch-size", "16", "--epochs", "15", "--lr", "0.05", "--seed", "1", "--save", checkpoint])
        try #require(train.status == 0, "train failed: \(train.stderr)")
        #expect(train.stderr.contains("training batches waited for images"), "\(train.stderr)")

        let eval = try CLI.run(["eval", "--device", device, "--checkpoint", checkpoint, "--json"])
        try #require(eval.status == 0, "eval failed: \(eval.stderr)")
        let record = try #require(try CLI.records(eval.stdout).first)
        let accuracy = try #require((record["accuracy"] as? NSNumber)?.doubleValue)
        #expect(accuracy > 0.6, "accuracy \(accuracy); chance is 0.33")
        #expect((record["examples"] as? NSNumber)?.intValue == 24)

        let folder = try ImageFolder.scan(Self.shapes)
        let predict = try CLI.run(["predict", "--device", device, "--checkpoint", checkpoint, "--json", "--top", "2",
                                   "--batch-size", "5"] + folder.validation.map(\.path))
        try #require(predict.status == 0, "predict failed: \(predict.stderr)")
        let results = try CLI.records(predict.stdout)
        try #require(results.count == folder.validation.count)
        var correct = 0
        for (result, item) in zip(results, folder.validation) {
            #expect(result["file"] as? String == item.path)
            let top = try #require(result["top"] as? [[String: Any]])
            #expect(top.count == 2)
            let best = try #require(top.first?["label"] as? String)
            if best == ShapesImageFolder.classNames[Int(item.label)] { correct += 1 }
        }
        #expect(abs(Double(correct) / Double(results.count) - accuracy) < 1e-9, "predict \(correct)/\(results.count), eval \(accuracy)")
    }

    @Test func damagedImagesAreNamedOrSkipped() throws {
        let common = ["train", "--device", "cpu", "--model", "lenet5", "--data", "imagefolder:" + Self.damaged,
                      "--batch-size", "4", "--epochs", "1"]
        expectOneLineError(try CLI.run(common), mentions: [Self.damaged + "/train/circle/zz-garbage.png"])
        let skipping = try CLI.run(common + ["--skip-bad-images"])
        #expect(skipping.status == 0, "\(skipping.stderr)")
        #expect(skipping.stderr.contains("skipped 3 images"))

        let checkpoint = Self.scratch + "/damaged.safetensors"
        let saved = try CLI.run(common + ["--skip-bad-images", "--save", checkpoint])
        try #require(saved.status == 0)
        let bad = Self.damaged + "/train/square/zz-truncated.jpg", good = Self.damaged + "/val/circle/circle-0.png"
        expectOneLineError(try CLI.run(["predict", "--device", "cpu", "--checkpoint", checkpoint, good, bad]),
                           mentions: [bad])
        let skipped = try CLI.run(["predict", "--device", "cpu", "--checkpoint", checkpoint, "--skip-bad-images", good, bad])
        #expect(skipped.status == 0 && skipped.stdout.hasPrefix(good + ": ") && skipped.stdout.split(separator: "\n").count == 1)
        let fromStdin = try Self.run(["predict", "--device", "cpu", "--checkpoint", checkpoint, "--top", "1", "-"],
                                     stdin: "\(good)\n\n\(good)\n")
        #expect(fromStdin.status == 0 && fromStdin.stdout.split(separator: "\n").filter { $0.hasPrefix(good + ": ") }.count == 2,
                "\(fromStdin.stdout)")
        expectOneLineError(try CLI.run(["eval", "--device", "cpu", "--checkpoint", checkpoint, "--data", "fashion-mnist",
                                        "--data-dir", CLIEvalExportTests.data]),
                           mentions: ["--data", "10 classes", checkpoint, "circle"])
        expectOneLineError(try CLI.run(["predict", "--device", "cpu", "--checkpoint", checkpoint, "--top", "0", good]),
                           mentions: ["--top"])
        expectOneLineError(try CLI.run(["train", "--device", "cpu", "--data", "imagefolder:" + Self.scratch + "/nowhere"]),
                           mentions: [Self.scratch + "/nowhere"])
    }

    /// Runs `synapse arguments…` with `stdin` as its standard input; returns the status and stdout.
    static func run(_ arguments: [String], stdin: String) throws -> (status: Int32, stdout: String) {
        let process = Process(), input = Pipe(), output = Pipe()
        process.executableURL = URL(fileURLWithPath: try #require(CLI.binary))
        process.arguments = arguments
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
