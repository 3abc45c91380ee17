import Foundation
import SynapseTestSupport
import Testing

/// `synapse tune`, `synapse train --tune` and the tuned-shape count of `synapse devices`, each in
/// its own cache directory so the tuning file starts absent.
@Suite struct CLITuneTests {
    @Test(.enabled(if: CLI.openCL != nil, "no OpenCL device"))
    func tuneSavesResultsThatDevicesCountsAndJSONLists() throws {
        let spec = try #require(CLI.openCL)
        let environment = try CLI.coldProgramCaches()
        let before = try CLI.run(["devices"], environment: environment)
        #expect(before.stdout.contains("none (untuned defaults; see synapse tune)"), "\(before.stdout)")

        let result = try CLI.run(["tune", "--device", spec, "--model", "lenet5", "--batch-size", "4", "--budget", "5"],
                                 environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        // LeNet-5: 2 forward convolutions, 1 input gradient (conv2), 2 weight gradients, 9 products.
        #expect(result.stderr.contains("tuning 14 convolution passes and products of lenet5 (batch 4)"), "\(result.stderr)")
        #expect(result.stderr.contains("[14/14]"), "\(result.stderr)")
        for row in ["forward n4 c1 28x28 oc6 k5x5", "weight-gradient n4 c6 14x14 oc16", "matmul NT b1 4x120x400", "step total:"] {
            #expect(result.stdout.contains(row), "\(row) missing from \(result.stdout)")
        }
        let devices = try CLI.run(["devices", "--json"], environment: environment)
        let listing = try #require(try CLI.records(devices.stdout).first)
        #expect(((listing["tunedShapes"] as? [String: Any])?[spec] as? NSNumber)?.intValue == 14, "\(devices.stdout)")

        let json = try CLI.run(["tune", "--device", spec, "--model", "lenet5", "--batch-size", "4", "--budget", "2", "--json"],
                               environment: environment)
        let record = try #require(try CLI.records(json.stdout).first)
        #expect(record["event"] as? String == "tune")
        #expect((record["passes"] as? [[String: Any]])?.count == 14)
    }

    @Test(.enabled(if: CLI.openCL != nil, "no OpenCL device"))
    func trainWithTuneTunesTheShapesItMeets() throws {
        let spec = try #require(CLI.openCL)
        let environment = try CLI.coldProgramCaches()
        let train = try CLI.run(["train", "--device", spec, "--data", "synthetic", "--limit-train", "64", "--batch-size", "32",
                                 "--epochs", "1", "--steps", "2", "--tune"], environment: environment)
        #expect(train.status == 0, "\(train.stderr)")
        let devices = try CLI.run(["devices", "--json"], environment: environment)
        let listing = try #require(try CLI.records(devices.stdout).first)
        #expect(((listing["tunedShapes"] as? [String: Any])?[spec] as? NSNumber)?.intValue ?? 0 >= 14, "\(devices.stdout)")
    }

    @Test func tuneRefusesBadOptionsInOneLine() throws {
        expectOneLineError(try CLI.run(["tune", "--device", "cpu"]), mentions: ["--device", "cpu", "OpenCL"])
        expectOneLineError(try CLI.run(["tune", "--budget", "0", "--device", "cpu"]), mentions: ["--budget"])
        expectOneLineError(try CLI.run(["tune", "--batch-size", "0", "--device", "cpu"]), mentions: ["--batch-size"])
        expectOneLineError(try CLI.run(["tune", "--model", "resnet", "--device", "cpu"]), mentions: ["resnet"])
    }
}
