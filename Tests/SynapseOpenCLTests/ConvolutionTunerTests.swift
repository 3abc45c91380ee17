import Foundation
import SynapseTestSupport
import Testing

/// The convolution tuner and its file: a wrong candidate is never picked, results survive a new
/// process (a new `ConvolutionTuning` on the same directory), and a damaged or foreign file is
/// ignored, not trusted.
@Suite struct ConvolutionTunerTests {
    static let geometry = Conv2dGeometry(batch: 4, inChannels: 3, inHeight: 9, inWidth: 11, outChannels: 5,
                                         kernelHeight: 3, kernelWidth: 3, padding: (1, 1))

    static func scratchDirectory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("synapse-tuning-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func tuning(for device: OpenCLDevice, in directory: URL) -> ConvolutionTuning {
        ConvolutionTuning(deviceName: device.info.name, driver: device.info.driverVersion, deviceKind: device.info.kind,
                          directory: directory)
    }

    @Test(arguments: TestDevices.openCLSpecs, ConvolutionPass.allCases)
    func aWrongCandidateIsRejectedHoweverFast(spec: String, pass: ConvolutionPass) throws {
        let device = try Harness.openCL(spec)
        let problem = ConvolutionProblem(pass, Self.geometry)
        var wrong = DirectConvolutionBlocking(outputsPerItem: 2, columnsPerItem: 4, groupSize: 16, slices: pass == .weightGradient ? 2 : 1)
        wrong.deliberatelyWrong = true
        var right = wrong
        right.deliberatelyWrong = false
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let report = try device.tuneConvolution(problem, candidates: [.direct(wrong), .direct(right), .im2colGEMM],
                                                recordingIn: Self.tuning(for: device, in: directory))
        #expect(report.winner != .direct(wrong))
        let rejected = report.trials.first { $0.algorithm == .direct(wrong) }
        #expect(rejected?.milliseconds == nil && rejected?.rejection?.contains("wrong result") == true, "\(report.trials)")
        #expect(report.trials.filter { $0.milliseconds != nil }.count == 2)
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func resultsSurviveANewProcessAndDriveTheChoice(spec: String) throws {
        let device = try Harness.openCL(spec)
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let problem = ConvolutionProblem(.forward, Self.geometry)
        let first = Self.tuning(for: device, in: directory)
        #expect(first.tunedProblemCount == 0)
        let report = try device.tuneConvolution(problem, budget: 5, recordingIn: first)
        #expect(report.trials.count >= 2 && report.im2colMilliseconds != nil && report.defaultMilliseconds != nil)

        let second = Self.tuning(for: device, in: directory)
        #expect(second.tunedProblemCount == 1)
        #expect(second.result(for: problem)?.algorithm == report.winner)
        #expect(second.algorithm(for: problem).algorithm == report.winner)
        // Another geometry is not tuned: it gets the device class's default.
        let other = ConvolutionProblem(.weightGradient, Self.geometry)
        #expect(second.algorithm(for: other).algorithm == device.untunedConvolutionAlgorithm(for: other))
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func tuningOnFirstUseTunesOnceAndRemembers(spec: String) throws {
        let device = try Harness.openCL(spec)
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let tuning = Self.tuning(for: device, in: directory)
        let problem = ConvolutionProblem(.inputGradient, Self.geometry)
        #expect(tuning.algorithm(for: problem).needsTuning == false)
        tuning.tunesOnFirstUse = true
        #expect(tuning.algorithm(for: problem).needsTuning == true)
        try device.tuneConvolution(problem, budget: 2, recordingIn: tuning)
        #expect(tuning.algorithm(for: problem).needsTuning == false)
    }

    @Test(arguments: TestDevices.openCLSpecs)
    func aDamagedOrForeignFileIsIgnored(spec: String) throws {
        let device = try Harness.openCL(spec)
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let problem = ConvolutionProblem(.forward, Self.geometry)
        let url = Self.tuning(for: device, in: directory).fileURL!
        let untuned = device.untunedConvolutionAlgorithm(for: problem)
        let foreign = ConvolutionTuningFile(device: "Some Other GPU", driver: "1.0", entries: [
            problem.key: .init(algorithm: .direct(DirectConvolutionBlocking(outputsPerItem: 1, columnsPerItem: 1, groupSize: 1)),
                               milliseconds: 1)])
        for damage in [Data("{\"format\": \"synapse-convolution-tuning\", \"version\": 1, \"dev".utf8),
                       Data([0xFF, 0x00, 0x12]), foreign.encoded()] {
            try damage.write(to: url)
            let tuning = Self.tuning(for: device, in: directory)
            #expect(tuning.tunedProblemCount == 0)
            #expect(tuning.algorithm(for: problem).algorithm == untuned)
        }
        // A later result replaces the damaged file with a good one.
        let tuning = Self.tuning(for: device, in: directory)
        try device.tuneConvolution(problem, budget: 1, recordingIn: tuning)
        #expect(Self.tuning(for: device, in: directory).tunedProblemCount == 1)
    }

    @Test func theFileFormatRoundTripsAndRefusesEveryDamage() throws {
        let file = ConvolutionTuningFile(device: "dev \"quoted\"", driver: "3.1", entries: [
            "forward n1": .init(algorithm: .im2colGEMM, milliseconds: 2.5, defaultMilliseconds: 3, im2colMilliseconds: 2.5),
            "weight-gradient n2": .init(algorithm: .direct(DirectConvolutionBlocking(outputsPerItem: 4, columnsPerItem: 7,
                                                                                     groupSize: 8, slices: 4)),
                                        milliseconds: 1.25),
        ])
        #expect(try ConvolutionTuningFile.parse(file.encoded()) == file)
        let text = String(decoding: file.encoded(), as: UTF8.self)
        let damages: [(String, String)] = [
            (text.replacingOccurrences(of: "\"version\": 1", with: "\"version\": 2"), "version"),
            (text.replacingOccurrences(of: "synapse-convolution-tuning", with: "other"), "format"),
            (text.replacingOccurrences(of: "\"slices\": 4", with: "\"slices\": 0"), "slices"),
            (text.replacingOccurrences(of: "\"slices\": 4", with: "\"slices\": 99999"), "slices"),
            (text.replacingOccurrences(of: "\"milliseconds\": 1.2500", with: "\"milliseconds\": -1"), "milliseconds"),
            (text.replacingOccurrences(of: "\"algorithm\": \"im2col\"", with: "\"algorithm\": \"winograd\""), "algorithm"),
            (text.replacingOccurrences(of: "\"columnsPerItem\": 7, ", with: ""), "columnsPerItem"),
            (String(text.dropLast(5)), "not JSON"),
        ]
        for (damaged, word) in damages {
            #expect(throws: ConvolutionTuningFile.ParseError.self, "\(word)") { try ConvolutionTuningFile.parse(Data(damaged.utf8)) }
            do { _ = try ConvolutionTuningFile.parse(Data(damaged.utf8)) } catch {
                #expect("\(error)".contains(word), "\(error)")
            }
        }
    }
}
