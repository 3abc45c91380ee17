import Foundation
import SynapseTestSupport
import Testing

/// Shell completion completes what a user types after `--model`, `--device` and the path options.
@Suite struct CLICompletionTests {
    @Test("the bash script lists the model names and completes paths and directories", arguments: ["bash", "zsh", "fish"])
    func script(shell: String) throws {
        let result = try CLI.run(["--generate-completion-script", shell])
        #expect(result.status == 0, "\(result.stderr)")
        let script = result.stdout
        for name in ModelZoo.names { #expect(script.contains(name), "\(shell): model \(name) is not completed") }
        #expect(script.contains("---completion train -- --device"), "\(shell): --device has no custom completion")
        #expect(script.contains("safetensors"), "\(shell): --checkpoint/--save do not complete safetensors files")
    }

    @Test("--device completes to the device specs synapse devices lists")
    func deviceSpecs() throws {
        let result = try CLI.run(["---completion", "train", "--", "--device", "0", "0", ""],
                                 environment: ["SAP_SHELL": "bash"])
        #expect(result.status == 0, "\(result.stderr)")
        let words = Set(result.stdout.split(whereSeparator: \.isWhitespace).map(String.init))
        #expect(words.isSuperset(of: ["cpu", "opencl"]), "completions: \(words)")
        let listing = try CLI.run(["devices", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(listing.stdout.utf8)) as? [String: Any])
        let specs = (object["devices"] as? [[String: Any]] ?? []).compactMap { $0["spec"] as? String }
        #expect(!specs.isEmpty)
        for spec in specs { #expect(words.contains(spec), "\(spec) is not completed: \(words)") }
    }
}
