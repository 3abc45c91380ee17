import Foundation
import SynapseTestSupport
import Testing

/// `synapse devices` lists devices even when the environment's default is wrong, and says why.
@Suite struct CLIDevicesTests {
    @Test func invalidDefaultDeviceIsReportedNotFatal() throws {
        let result = try CLI.run(["devices"], environment: ["SYNAPSE_DEVICE": "gpu:7"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("cpu  "))
        #expect(result.stdout.contains("default device: none: no device matches 'SYNAPSE_DEVICE=gpu:7' (expected cpu, opencl"))

        let json = try CLI.run(["devices", "--json"], environment: ["SYNAPSE_DEVICE": "gpu:7"])
        #expect(json.status == 0, "\(json.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["defaultDevice"] == nil)
        #expect((object["defaultDeviceError"] as? String)?.contains("SYNAPSE_DEVICE=gpu:7") == true)
        #expect((object["discoveryErrors"] as? [String: String])?.isEmpty == true)
    }

    @Test func unknownDeviceErrorQuotesBalance() throws {
        let result = try CLI.run(["train", "--device", "gpu", "--steps", "1"])
        expectOneLineError(result, mentions: ["no device matches 'gpu' (expected cpu, opencl, opencl:N, opencl:P:D); available: cpu"])
    }
}
